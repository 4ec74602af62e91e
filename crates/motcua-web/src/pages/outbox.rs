//! The outbox page (administrator): e-mail notifications to applicants with their delivery
//! state — waiting, failed for now with the last error and the next attempt, sent, given up —
//! and "retry now" (issue 5 item 15).

use super::{ADMIN, HtmlError, PageCtx, fmt_instant, render_status};
use crate::AppState;
use crate::api::outbox::{filter_of, parse_id, shown_state};
use crate::auth::Access;
use crate::extract::{CsrfForm, ReqCtx};
use crate::i18n::t;
use crate::problem::ApiError;
use crate::routes::Routes;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_store::StoreError;
use motcua_store::outbox as store;
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    r.get("/admin/outbox", Access::roles(ADMIN), page)
        .post("/admin/outbox/{id}/retry", Access::roles(ADMIN), retry)
}

pub struct MessageRow {
    pub id: i64,
    pub created: String,
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub dossier_code: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub attempts: i64,
    pub last_error: String,
    pub next_attempt: String,
    pub delivered: String,
    pub can_retry: bool,
}

#[derive(Template)]
#[template(path = "outbox.html")]
struct OutboxPage {
    ctx: PageCtx,
    smtp_configured: bool,
    /// (state, label, count), the first entry is "all".
    tabs: Vec<(String, String, i64)>,
    state: String,
    rows: Vec<MessageRow>,
    older: Option<i64>,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    state: Option<String>,
    before: Option<i64>,
    ok: Option<String>,
}

const PER_PAGE: i64 = 100;

async fn render(
    st: &AppState,
    ctx: &ReqCtx,
    q: &PageQuery,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let mut f = filter_of(q.state.as_deref())?;
    f.before_id = q.before;
    f.limit = PER_PAGE;
    let list = store::list(st.store.db(), &f).await?;
    let c = store::counts(st.store.db()).await?;
    let rows: Vec<MessageRow> = list
        .iter()
        .map(|r| {
            let mail = r.mail();
            let state = shown_state(r);
            MessageRow {
                id: r.id,
                created: fmt_instant(r.created_at),
                kind: mail
                    .as_ref()
                    .map(|m| t(lang, &format!("outbox.kind_{}", m.kind)).to_owned())
                    .unwrap_or_else(|| r.topic.clone()),
                to: mail.as_ref().map(|m| m.to.clone()).unwrap_or_default(),
                subject: mail.as_ref().map(|m| m.subject.clone()).unwrap_or_default(),
                dossier_code: mail.and_then(|m| m.dossier_code).unwrap_or_default(),
                state,
                state_label: t(lang, &format!("outbox.state_{state}")),
                attempts: r.attempts,
                last_error: r.last_error.clone().unwrap_or_default(),
                next_attempt: if matches!(state, "pending" | "retrying") {
                    fmt_instant(r.next_attempt_at)
                } else {
                    String::new()
                },
                delivered: r.delivered_at.map(fmt_instant).unwrap_or_default(),
                can_retry: matches!(state, "pending" | "retrying" | "failed"),
            }
        })
        .collect();
    let tabs = vec![
        (
            String::new(),
            t(lang, "outbox.all").to_owned(),
            c.pending + c.sending + c.sent + c.failed,
        ),
        (
            "pending".into(),
            t(lang, "outbox.state_pending").to_owned(),
            c.pending - c.retrying,
        ),
        (
            "retrying".into(),
            t(lang, "outbox.state_retrying").to_owned(),
            c.retrying,
        ),
        ("sending".into(), t(lang, "outbox.state_sending").to_owned(), c.sending),
        ("sent".into(), t(lang, "outbox.state_sent").to_owned(), c.sent),
        ("failed".into(), t(lang, "outbox.state_failed").to_owned(), c.failed),
    ];
    let older = (list.len() as i64 == PER_PAGE)
        .then(|| list.last().map(|r| r.id))
        .flatten();
    let mut pc = PageCtx::new(ctx).with_flash(q.ok.as_deref());
    pc.error = error;
    Ok(render_status(
        status,
        &OutboxPage {
            ctx: pc,
            smtp_configured: st.config.smtp_configured,
            tabs,
            state: q.state.clone().unwrap_or_default(),
            rows,
            older,
        },
    ))
}

async fn page(State(st): State<AppState>, ctx: ReqCtx, Query(q): Query<PageQuery>) -> Result<Response, HtmlError> {
    render(&st, &ctx, &q, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct RetryForm {
    #[serde(default)]
    state: String,
}

async fn retry(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<RetryForm>,
) -> Result<Response, HtmlError> {
    let id = parse_id(&id)?;
    let actor = ctx.principal.as_ref().ok_or_else(ApiError::unauthorized)?.actor();
    // Back to the same tab; only known states (filter_of refuses the rest).
    let state = filter_of(Some(&f.state))
        .map(|_| f.state.trim().to_owned())
        .unwrap_or_default();
    match store::retry_now(&st.store, &actor, id, chrono::Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/outbox?state={state}&ok=outbox.retried")).into_response()),
        Err(StoreError::Conflict(_)) => {
            let q = PageQuery {
                state: Some(state),
                ..Default::default()
            };
            render(
                &st,
                &ctx,
                &q,
                Some(t(ctx.lang, "outbox.not_retryable").to_owned()),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
