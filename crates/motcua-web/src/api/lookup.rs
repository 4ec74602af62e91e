//! Public lookup of a dossier (tra cứu hồ sơ, issue 5 item 13) by its code plus the applicant's
//! phone number or citizen ID / tax code: status, public history, appointment date, fees due.
//!
//! Rate-limited per client address ([`crate::Inner::lookup_limiter`]); a wrong code and a wrong
//! second factor get the same answer (404 `lookup_not_found`), so the lookup cannot tell
//! whether a code exists. Shared by the JSON API and the `/tra-cuu` page.

use crate::AppState;
use crate::auth::Access;
use crate::extract::{ApiQuery, ClientIp};
use crate::i18n::{Lang, t, try_t};
use crate::problem::ApiError;
use crate::routes::Routes;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use motcua_core::dossiers::DossierState;
use motcua_store::dossiers::{self, PublicView};
use serde::{Deserialize, Serialize};
use std::time::Instant;
use utoipa::{IntoParams, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/lookup", Access::Public, lookup)
}

/// One public event: what happened and when.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicEvent {
    /// `dossier.received`, `dossier.supplement_requested`, …
    pub kind: String,
    /// What happened, in the caller's language (Vietnamese by default).
    pub label: String,
    pub at: String,
}

/// What the public lookup shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LookupOut {
    pub code: String,
    pub procedure_name: String,
    /// Internal state and its label.
    pub state: String,
    pub state_label: String,
    /// National status code TrangThaiHoSo 1–10 and its name.
    pub national_status: i64,
    pub national_status_label: String,
    pub received_at: Option<String>,
    /// Ngày hẹn trả kết quả in force.
    pub appointment: Option<String>,
    /// Đồng.
    pub fees_requested: u64,
    pub fees_paid: u64,
    pub fees_due: u64,
    /// Oldest first.
    pub history: Vec<PublicEvent>,
    /// The result was returned and not yet evaluated: the applicant may evaluate.
    pub can_evaluate: bool,
}

/// Label of a state in `lang` (the core's Vietnamese label, or the English locale text).
pub fn state_label(lang: Lang, state: &str) -> String {
    let core = serde_json::from_value::<DossierState>(serde_json::Value::String(state.to_owned())).ok();
    match (lang, core) {
        (Lang::Vi, Some(s)) => s.label_vi().to_owned(),
        _ => try_t(lang, &format!("lookup.state_{state}"))
            .map(str::to_owned)
            .unwrap_or_else(|| state.to_owned()),
    }
}

/// Name of a national status code in `lang`.
pub fn national_label(lang: Lang, code: i64) -> String {
    match lang {
        Lang::Vi => u8::try_from(code)
            .ok()
            .and_then(DossierState::national_label_vi)
            .unwrap_or_default()
            .to_owned(),
        Lang::En => try_t(lang, &format!("lookup.national_{code}"))
            .unwrap_or_default()
            .to_owned(),
    }
}

fn event_label(lang: Lang, kind: &str) -> String {
    let short = kind.strip_prefix("dossier.").unwrap_or(kind);
    try_t(lang, &format!("lookup.event_{short}"))
        .map(str::to_owned)
        .unwrap_or_else(|| short.replace('_', " "))
}

pub fn lookup_out(lang: Lang, v: PublicView) -> LookupOut {
    let evaluated = v.history.iter().any(|(k, _)| k == "dossier.evaluated");
    LookupOut {
        can_evaluate: v.state == DossierState::Returned.as_str() && !evaluated,
        state_label: state_label(lang, &v.state),
        national_status_label: national_label(lang, v.national_status),
        received_at: v.received_at.map(super::dossiers::iso),
        appointment: v.appointment.map(super::dossiers::iso),
        fees_due: v.fees_requested.saturating_sub(v.fees_paid),
        history: v
            .history
            .iter()
            .map(|(kind, at)| PublicEvent {
                kind: kind.clone(),
                label: event_label(lang, kind),
                at: super::dossiers::iso(*at),
            })
            .collect(),
        code: v.code,
        procedure_name: v.procedure_name,
        state: v.state,
        national_status: v.national_status,
        fees_requested: v.fees_requested,
        fees_paid: v.fees_paid,
    }
}

/// Count one lookup from `client` and answer the dossier, or `lookup_rate_limited` (429), or
/// `lookup_not_found` (404) — the same for an unknown code, a wrong second factor or an empty
/// field.
pub async fn find_public(st: &AppState, client: &str, code: &str, secret: &str) -> Result<PublicView, ApiError> {
    let now = Instant::now();
    if st.lookup_limiter.blocked(client, now) {
        return Err(ApiError::new(StatusCode::TOO_MANY_REQUESTS, "lookup_rate_limited"));
    }
    st.lookup_limiter.record(client, now);
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, "lookup_not_found");
    if code.trim().is_empty() || secret.trim().is_empty() {
        return Err(not_found());
    }
    dossiers::lookup(st.store.db(), code, secret)
        .await?
        .ok_or_else(not_found)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// Dossier code, e.g. `000.00.15.H50-261127-0001`.
    pub code: Option<String>,
    /// The applicant's phone number, or citizen ID (12 digits) / tax code.
    pub secret: Option<String>,
}

/// Status, public history, appointment date and fees due of a dossier.
#[utoipa::path(get, path = "/api/v1/lookup", operation_id = "lookup_dossier", tag = "lookup",
    params(LookupQuery),
    responses((status = 200, description = "The dossier's public view", body = LookupOut),
    (status = 404, description = "`lookup_not_found`: no dossier with that code and second factor (the same answer for either being wrong)", body = crate::problem::Problem),
    (status = 429, description = "`lookup_rate_limited`: too many lookups from this address", body = crate::problem::Problem)))]
pub async fn lookup(
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiQuery(q): ApiQuery<LookupQuery>,
) -> Result<Json<LookupOut>, ApiError> {
    let v = find_public(
        &st,
        &ip,
        q.code.as_deref().unwrap_or_default(),
        q.secret.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(Json(lookup_out(Lang::Vi, v)))
}

/// "150.000 đồng" (Vietnamese thousands separator).
pub fn money(lang: Lang, amount: u64) -> String {
    let digits = amount.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(if lang == Lang::Vi { '.' } else { ',' });
        }
        out.push(c);
    }
    format!("{out} {}", t(lang, "lookup.dong"))
}
