//! The event log over JSON (admin, inspector).

use crate::AppState;
use crate::auth::Access;
use crate::extract::ApiQuery;
use crate::problem::ApiError;
use crate::routes::Routes;
use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use motcua_core::identity::Role;
use motcua_store::events::{self, EventFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

const AUDITORS: &[Role] = &[Role::Admin, Role::Inspector];

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/audit/events", Access::roles(AUDITORS), list_events).get(
        "/api/v1/audit/verify",
        Access::roles(AUDITORS),
        verify,
    )
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EventQuery {
    /// Actor user id.
    pub actor: Option<String>,
    /// Kind prefix, e.g. `unit.`.
    pub kind: Option<String>,
    pub aggregate_type: Option<String>,
    pub aggregate_id: Option<String>,
    /// First day (local), YYYY-MM-DD.
    pub from: Option<String>,
    /// Last day (local), YYYY-MM-DD.
    pub to: Option<String>,
    /// Only events with a smaller id (paging).
    pub before: Option<i64>,
    /// 1–1000, default 100.
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct EventOut {
    pub id: i64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub seq: i64,
    pub kind: String,
    pub actor_id: String,
    pub actor_role: String,
    pub actor_unit: String,
    /// RFC 3339, UTC.
    pub occurred_at: String,
    pub payload: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

fn day(s: &Option<String>, field: &str) -> Result<Option<NaiveDate>, ApiError> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ApiError::new(axum::http::StatusCode::BAD_REQUEST, "date_invalid").with_field(field)),
    }
}

/// Events, newest first, filtered by who, what, when and object.
#[utoipa::path(get, path = "/api/v1/audit/events", tag = "audit", params(EventQuery), responses(
    (status = 200, description = "Events", body = [EventOut]), (status = 400, description = "Bad filter", body = crate::problem::Problem)))]
pub async fn list_events(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<EventQuery>,
) -> Result<Json<Vec<EventOut>>, ApiError> {
    let from = day(&q.from, "from")?;
    let to = day(&q.to, "to")?;
    let f = EventFilter {
        actor_id: q.actor,
        kind_prefix: q.kind,
        aggregate_type: q.aggregate_type,
        aggregate_id: q.aggregate_id,
        from_us: from.map(crate::pages::day_start_us),
        to_us: to.and_then(|d| d.succ_opt()).map(|d| crate::pages::day_start_us(d) - 1),
        before_id: q.before,
        limit: q.limit.unwrap_or(100),
    };
    let rows = events::list(st.store.db(), &f).await?;
    Ok(Json(
        rows.into_iter()
            .map(|e| EventOut {
                id: e.id,
                occurred_at: motcua_store::time::from_us(e.occurred_at).to_rfc3339(),
                payload: serde_json::from_str(&e.payload).unwrap_or(serde_json::Value::String(e.payload.clone())),
                aggregate_type: e.aggregate_type,
                aggregate_id: e.aggregate_id,
                seq: e.seq,
                kind: e.kind,
                actor_id: e.actor_id,
                actor_role: e.actor_role,
                actor_unit: e.actor_unit,
                prev_hash: e.prev_hash,
                hash: e.hash,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct VerifyOut {
    pub ok: bool,
    pub events: i64,
    pub aggregates: i64,
    pub checkpoints: i64,
    pub first_break: Option<String>,
    pub first_break_event_id: Option<i64>,
}

/// Walk every hash chain and checkpoint now.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", responses((status = 200, description = "Verification result", body = VerifyOut)))]
pub async fn verify(State(st): State<AppState>) -> Result<Json<VerifyOut>, ApiError> {
    let (_, r) = crate::pages::cached_verify(&st, true).await?;
    Ok(Json(VerifyOut {
        ok: r.ok(),
        events: r.events,
        aggregates: r.aggregates,
        checkpoints: r.checkpoints,
        first_break: r.first_break,
        first_break_event_id: r.first_break_event_id,
    }))
}
