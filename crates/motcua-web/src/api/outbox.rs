//! The outbox over JSON (administrator): e-mail notifications with their delivery state, and
//! "retry now" (issue 5 item 15).

use crate::AppState;
use crate::auth::Access;
use crate::extract::{ApiQuery, ReqCtx};
use crate::problem::ApiError;
use crate::routes::Routes;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use motcua_core::identity::Role;
use motcua_store::outbox::{self as store, ListFilter, OutboxRow};
use motcua_store::time::from_us;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

const ADMIN: &[Role] = &[Role::Admin];

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/outbox", Access::roles(ADMIN), list)
        .post("/api/v1/outbox/{id}/retry", Access::roles(ADMIN), retry)
}

/// The state shown to people: `pending` (never tried), `retrying` (failed for now, waits for
/// `next_attempt_at`), `sending`, `sent`, `failed` (given up).
pub fn shown_state(r: &OutboxRow) -> &'static str {
    match r.status.as_str() {
        "pending" if r.attempts > 0 => "retrying",
        "pending" => "pending",
        "sending" => "sending",
        "sent" => "sent",
        _ => "failed",
    }
}

/// Parses the `state` filter (the shown states).
pub fn filter_of(state: Option<&str>) -> Result<ListFilter, ApiError> {
    let mut f = ListFilter::default();
    match state.map(str::trim).unwrap_or("") {
        "" => {}
        "retrying" => f.retrying = true,
        s @ ("pending" | "sending" | "sent" | "failed") => f.status = Some(s.to_owned()),
        _ => return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_query").with_field("state")),
    }
    Ok(f)
}

/// A message id from a path; anything else names no message (404).
pub fn parse_id(s: &str) -> Result<i64, ApiError> {
    s.trim()
        .parse::<i64>()
        .map_err(|_| ApiError::not_found(format!("outbox message {s}")))
}

fn rfc3339(us: i64) -> String {
    from_us(us).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A message in the outbox.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageOut {
    pub id: i64,
    /// The event that queued it (audit log).
    pub event_id: i64,
    pub topic: String,
    /// received | supplement_requested | apology_issued | approved | denied | result_returned
    pub kind: Option<String>,
    pub to: Option<String>,
    pub subject: Option<String>,
    pub dossier_id: Option<String>,
    pub dossier_code: Option<String>,
    /// pending | retrying | sending | sent | failed
    pub state: String,
    pub attempts: i64,
    /// When it will be tried (pending, retrying), RFC 3339 UTC.
    pub next_attempt_at: Option<String>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

impl From<&OutboxRow> for MessageOut {
    fn from(r: &OutboxRow) -> Self {
        let mail = r.mail();
        let state = shown_state(r);
        MessageOut {
            id: r.id,
            event_id: r.event_id,
            topic: r.topic.clone(),
            kind: mail.as_ref().map(|m| m.kind.clone()),
            to: mail.as_ref().map(|m| m.to.clone()),
            subject: mail.as_ref().map(|m| m.subject.clone()),
            dossier_id: mail.as_ref().map(|m| m.dossier_id.clone()),
            dossier_code: mail.and_then(|m| m.dossier_code),
            state: state.to_owned(),
            attempts: r.attempts,
            next_attempt_at: matches!(state, "pending" | "retrying").then(|| rfc3339(r.next_attempt_at)),
            last_error: r.last_error.clone(),
            created_at: rfc3339(r.created_at),
            delivered_at: r.delivered_at.map(rfc3339),
        }
    }
}

/// Messages per state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountsOut {
    /// Never tried yet.
    pub pending: i64,
    /// Failed at least once, waiting for the next attempt.
    pub retrying: i64,
    pub sending: i64,
    pub sent: i64,
    pub failed: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutboxOut {
    pub counts: CountsOut,
    /// Newest first.
    pub messages: Vec<MessageOut>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// pending | retrying | sending | sent | failed
    pub state: Option<String>,
    /// Only messages with a smaller id (paging).
    pub before: Option<i64>,
    /// 1–500, default 100.
    pub limit: Option<i64>,
}

/// The outbox: e-mail notifications and their delivery state, newest first.
#[utoipa::path(get, path = "/api/v1/outbox", tag = "outbox", params(OutboxQuery),
    responses((status = 200, description = "Counts and messages", body = OutboxOut),
        (status = 400, description = "Unknown state", body = crate::problem::Problem)))]
pub async fn list(State(st): State<AppState>, ApiQuery(q): ApiQuery<OutboxQuery>) -> Result<Json<OutboxOut>, ApiError> {
    let mut f = filter_of(q.state.as_deref())?;
    f.before_id = q.before;
    f.limit = q.limit.unwrap_or(100);
    let rows = store::list(st.store.db(), &f).await?;
    let c = store::counts(st.store.db()).await?;
    Ok(Json(OutboxOut {
        counts: CountsOut {
            pending: c.pending - c.retrying,
            retrying: c.retrying,
            sending: c.sending,
            sent: c.sent,
            failed: c.failed,
        },
        messages: rows.iter().map(MessageOut::from).collect(),
    }))
}

/// Retry a waiting or failed message now (one more attempt even after the maximum).
#[utoipa::path(post, path = "/api/v1/outbox/{id}/retry", tag = "outbox",
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 200, description = "Due now", body = MessageOut),
        (status = 404, description = "No such message", body = crate::problem::Problem),
        (status = 409, description = "Already sent, or being sent", body = crate::problem::Problem)))]
pub async fn retry(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
) -> Result<Json<MessageOut>, ApiError> {
    let id = parse_id(&id)?;
    let actor = ctx.principal.as_ref().ok_or_else(ApiError::unauthorized)?.actor();
    let row = store::retry_now(&st.store, &actor, id, chrono::Utc::now()).await?;
    Ok(Json(MessageOut::from(&row)))
}
