//! The audit-log viewer (admin, inspector): filters by who, what, when and object, and the
//! result of walking every hash chain.

use super::{AUDITORS, HtmlError, PageCtx, actor_label, actor_names, fmt_instant, render};
use crate::AppState;
use crate::auth::Access;
use crate::extract::{CsrfForm, ReqCtx};
use crate::i18n::t;
use crate::problem::ApiError;
use crate::routes::Routes;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use motcua_store::events::{self, EventFilter, VerifyReport};
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    r.get("/audit", Access::roles(AUDITORS), audit)
        .get("/audit/export.csv", Access::roles(AUDITORS), export_csv)
        .post("/audit/verify", Access::roles(AUDITORS), verify_now)
}

#[derive(Default, Deserialize, Clone)]
pub struct AuditQuery {
    #[serde(default)]
    pub who: String,
    #[serde(default)]
    pub what: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub aggregate_type: String,
    #[serde(default)]
    pub aggregate_id: String,
    pub before: Option<i64>,
}

pub struct EventView {
    pub id: i64,
    pub when: String,
    pub kind: String,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub aggregate_short: String,
    pub seq: i64,
    pub actor: String,
    pub payload: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    ctx: PageCtx,
    f: AuditQuery,
    rows: Vec<EventView>,
    older: Option<String>,
    verify_ok: bool,
    verify_break: String,
    verify_at: String,
    verify_events: i64,
    verify_aggregates: i64,
    verify_checkpoints: i64,
}

/// Day boundaries in local time (UTC+7) as UTC microseconds.
pub fn day_start_us(d: NaiveDate) -> i64 {
    let local = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    (local - chrono::Duration::hours(7)).and_utc().timestamp_micros()
}

pub async fn cached_verify(
    st: &AppState,
    force: bool,
) -> Result<(chrono::DateTime<chrono::Utc>, VerifyReport), ApiError> {
    if !force && let Some(c) = st.verify_cache.lock().unwrap_or_else(|e| e.into_inner()).clone() {
        return Ok(c);
    }
    let report = events::verify_all(st.store.db()).await?;
    let entry = (chrono::Utc::now(), report);
    *st.verify_cache.lock().unwrap_or_else(|e| e.into_inner()) = Some(entry.clone());
    Ok(entry)
}

async fn filter_of(
    st: &AppState,
    q: &AuditQuery,
    limit: i64,
) -> Result<(EventFilter, std::collections::HashMap<String, String>), HtmlError> {
    let parse_day = |s: &str| -> Result<Option<NaiveDate>, HtmlError> {
        if s.trim().is_empty() {
            return Ok(None);
        }
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map(Some)
            .map_err(|_| HtmlError(ApiError::new(StatusCode::BAD_REQUEST, "date_invalid").with_field("from/to")))
    };
    let from = parse_day(&q.from)?;
    let to = parse_day(&q.to)?;
    let names = actor_names(st).await?;
    let actor_id = if q.who.trim().is_empty() {
        None
    } else {
        let who = q.who.trim();
        Some(
            names
                .iter()
                .find(|(_, u)| u.as_str() == who)
                .map(|(id, _)| id.clone())
                .unwrap_or_else(|| who.to_owned()),
        )
    };
    let filter = EventFilter {
        actor_id,
        kind_prefix: Some(q.what.trim().to_owned()).filter(|s| !s.is_empty()),
        aggregate_type: Some(q.aggregate_type.trim().to_owned()).filter(|s| !s.is_empty()),
        aggregate_id: Some(q.aggregate_id.trim().to_owned()).filter(|s| !s.is_empty()),
        from_us: from.map(day_start_us),
        to_us: to.and_then(|d| d.succ_opt()).map(|d| day_start_us(d) - 1),
        before_id: q.before,
        limit,
    };
    Ok((filter, names))
}

async fn audit(
    State(st): State<AppState>,
    ctx: ReqCtx,
    axum::extract::Query(q): axum::extract::Query<AuditQuery>,
) -> Result<Response, HtmlError> {
    let (filter, names) = filter_of(&st, &q, 100).await?;
    let rows = events::list(st.store.db(), &filter).await?;
    let older = if rows.len() == 100 {
        rows.last().map(|last| {
            format!(
                "/audit?who={}&what={}&from={}&to={}&aggregate_type={}&aggregate_id={}&before={}",
                super::url_encode(&q.who),
                super::url_encode(&q.what),
                super::url_encode(&q.from),
                super::url_encode(&q.to),
                super::url_encode(&q.aggregate_type),
                super::url_encode(&q.aggregate_id),
                last.id
            )
        })
    } else {
        None
    };
    let rows = rows
        .into_iter()
        .map(|e| EventView {
            id: e.id,
            when: fmt_instant(e.occurred_at),
            aggregate_short: e.aggregate_id.chars().take(13).collect(),
            kind: e.kind,
            aggregate_type: e.aggregate_type,
            aggregate_id: e.aggregate_id,
            seq: e.seq,
            actor: actor_label(&names, &e.actor_id, ctx.lang),
            payload: e.payload,
        })
        .collect();
    let (at, report) = cached_verify(&st, false).await?;
    let page = AuditPage {
        ctx: PageCtx::new(&ctx),
        f: q,
        rows,
        older,
        verify_ok: report.ok(),
        verify_break: report
            .first_break
            .clone()
            .unwrap_or_else(|| t(ctx.lang, "audit.verified").to_owned()),
        verify_at: fmt_instant(at.timestamp_micros()),
        verify_events: report.events,
        verify_aggregates: report.aggregates,
        verify_checkpoints: report.checkpoints,
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct NoFields {}

async fn verify_now(State(st): State<AppState>, CsrfForm(_): CsrfForm<NoFields>) -> Result<Response, HtmlError> {
    cached_verify(&st, true).await?;
    Ok(Redirect::to("/audit").into_response())
}

/// The filtered log as CSV (up to 1,000 events per file; page with `before`).
async fn export_csv(
    State(st): State<AppState>,
    ctx: ReqCtx,
    axum::extract::Query(q): axum::extract::Query<AuditQuery>,
) -> Result<Response, HtmlError> {
    let (filter, names) = filter_of(&st, &q, 1000).await?;
    let rows = events::list(st.store.db(), &filter).await?;
    let header = [
        "id",
        "thoi_diem",
        "su_kien",
        "loai_doi_tuong",
        "ma_doi_tuong",
        "so_thu_tu",
        "nguoi_thuc_hien",
        "vai_tro",
        "don_vi",
        "noi_dung",
        "hash",
    ];
    let body = motcua_docs::csv::write(
        &header,
        rows.into_iter().map(|e| {
            vec![
                e.id.to_string(),
                fmt_instant(e.occurred_at),
                e.kind,
                e.aggregate_type,
                e.aggregate_id,
                e.seq.to_string(),
                actor_label(&names, &e.actor_id, ctx.lang),
                e.actor_role,
                e.actor_unit,
                e.payload,
                e.hash,
            ]
        }),
    );
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"nhat-ky-su-kien.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}
