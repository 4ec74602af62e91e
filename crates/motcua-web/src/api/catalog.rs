//! The public procedure catalog over JSON: search, the version in force, versions.

use crate::AppState;
use crate::auth::Access;
use crate::extract::ApiQuery;
use crate::problem::ApiError;
use crate::routes::Routes;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use motcua_store::catalog::{self, ListFilter, VersionRow};
use motcua_store::catalog_index::IndexedVersion;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/procedures", Access::Public, search)
        .get("/api/v1/procedures/{code}", Access::Public, get_procedure)
        .get("/api/v1/procedures/{code}/versions", Access::Public, list_versions)
}

/// Longest query kept; longer input is cut, never refused.
pub const MAX_QUERY_CHARS: usize = 500;
pub const PER_PAGE: usize = 20;

/// Today in Vietnam (UTC+7).
pub fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}

pub fn parse_on(on: &Option<String>) -> Result<NaiveDate, ApiError> {
    match on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(today()),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "date_invalid").with_field("on")),
    }
}

#[derive(Deserialize, IntoParams, Default)]
pub struct SearchQuery {
    /// Words to find; diacritics and case are ignored, one typo per word is tolerated.
    pub q: Option<String>,
    /// Field (lĩnh vực), exactly as listed.
    pub field: Option<String>,
    /// Implementing agency, exactly as listed.
    pub agency: Option<String>,
    /// province | commune | ministry
    pub level: Option<String>,
    /// Channel code: 1 in person, 2 online, 3 postal.
    pub channel: Option<String>,
    /// Page, from 1.
    pub page: Option<u32>,
    /// The catalog as in force on this day (YYYY-MM-DD, default today).
    pub on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ProcedureSummary {
    pub procedure_id: String,
    pub national_code: Option<String>,
    pub applied_code: Option<String>,
    pub name: String,
    pub field: String,
    pub level: String,
    pub agency: String,
    /// Channel codes offered.
    pub channels: Vec<String>,
    pub version: i64,
    pub effective_from: Option<String>,
    /// phrase | all_words | typo (absent when listing without a query).
    pub matched: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResult {
    pub total: usize,
    pub page: u32,
    pub per_page: usize,
    pub items: Vec<ProcedureSummary>,
}

fn summary(v: &IndexedVersion, matched: Option<String>) -> ProcedureSummary {
    ProcedureSummary {
        procedure_id: v.procedure_id.clone(),
        national_code: v.national_code.clone(),
        applied_code: v.applied_code.clone(),
        name: v.name.clone(),
        field: v.field.clone(),
        level: v.level.clone(),
        agency: v.agency.clone(),
        channels: v.channels.split_whitespace().map(str::to_owned).collect(),
        version: v.number,
        effective_from: v.effective_from.clone(),
        matched,
    }
}

/// The summary of a stored version (the codes are read from its document).
fn row_summary(v: &VersionRow) -> ProcedureSummary {
    let doc: serde_json::Value = serde_json::from_str(&v.document).unwrap_or_default();
    ProcedureSummary {
        procedure_id: v.procedure_id.clone(),
        national_code: doc["national_code"].as_str().map(str::to_owned),
        applied_code: doc["applied_code"].as_str().map(str::to_owned),
        name: v.name.clone(),
        field: v.field.clone(),
        level: v.level.clone(),
        agency: v.agency.clone(),
        channels: v.channels.split_whitespace().map(str::to_owned).collect(),
        version: v.number,
        effective_from: v.effective_from.clone(),
        matched: None,
    }
}

/// Cut a query to a bounded size on a character boundary.
pub fn bounded(q: &str) -> &str {
    match q.char_indices().nth(MAX_QUERY_CHARS) {
        Some((i, _)) => &q[..i],
        None => q,
    }
}

/// Run a search; shared with the public pages.
pub async fn run_search(st: &AppState, q: &SearchQuery) -> Result<SearchResult, ApiError> {
    let day = parse_on(&q.on)?;
    let filter = ListFilter {
        field: q.field.clone().unwrap_or_default(),
        agency: q.agency.clone().unwrap_or_default(),
        level: q.level.clone().unwrap_or_default(),
        channel: q.channel.clone().unwrap_or_default(),
    };
    let hits = st
        .catalog_index
        .search(&st.store, day, bounded(q.q.as_deref().unwrap_or("")), &filter)
        .await?;
    let page = q.page.unwrap_or(1).max(1);
    let total = hits.total();
    let items = hits
        .page((page as usize - 1).saturating_mul(PER_PAGE), PER_PAGE)
        .map(|(version, score)| {
            let matched = score.map(|s| {
                serde_json::to_value(s.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            });
            summary(version, matched)
        })
        .collect();
    Ok(SearchResult {
        total,
        page,
        per_page: PER_PAGE,
        items,
    })
}

/// Search and browse the procedures in force (public).
#[utoipa::path(get, path = "/api/v1/procedures", tag = "catalog", params(SearchQuery), responses(
    (status = 200, description = "Procedures, best match first", body = SearchResult),
    (status = 400, description = "Bad parameter", body = crate::problem::Problem)))]
pub async fn search(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Json<SearchResult>, ApiError> {
    Ok(Json(run_search(&st, &q).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct OnQuery {
    /// The version in force on this day (YYYY-MM-DD, default today).
    pub on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ProcedureOut {
    #[serde(flatten)]
    pub summary: ProcedureSummary,
    /// draft | published | superseded | abolished
    pub status: String,
    pub effective_to: Option<String>,
    /// Every part of the published procedure (the core's `ProcedureVersion`).
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
}

/// Find a procedure by national code, applied code or id; 404 names the code.
pub async fn find(st: &AppState, code: &str) -> Result<catalog::ProcedureRow, ApiError> {
    catalog::procedure_by_code(st.store.db(), code).await?.ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, "procedure_unknown")
            .with_detail(code.to_owned())
            .with_field("code")
    })
}

/// The version of a procedure in force on a day (national or applied code).
#[utoipa::path(get, path = "/api/v1/procedures/{code}", tag = "catalog",
    params(("code" = String, Path, description = "National code (1.003542) or applied code (1.003542.000.00.00.H50)"), OnQuery),
    responses((status = 200, description = "The version in force", body = ProcedureOut),
    (status = 404, description = "Unknown code, or nothing in force on that day", body = crate::problem::Problem)))]
pub async fn get_procedure(
    State(st): State<AppState>,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<OnQuery>,
) -> Result<Json<ProcedureOut>, ApiError> {
    let day = parse_on(&q.on)?;
    let p = find(&st, &code).await?;
    let v = catalog::in_force(st.store.db(), &p.id, day).await?.ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, "procedure_not_in_force").with_detail(format!("{code} on {day}"))
    })?;
    Ok(Json(ProcedureOut {
        summary: row_summary(&v),
        status: v.status.clone(),
        effective_to: v.effective_to.clone(),
        document: serde_json::from_str(&v.document).unwrap_or_default(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct VersionOut {
    pub number: i64,
    pub status: String,
    pub effective_from: Option<String>,
    pub effective_to: Option<String>,
    pub name: String,
}

/// Every published version of a procedure (drafts are not public).
#[utoipa::path(get, path = "/api/v1/procedures/{code}/versions", tag = "catalog",
    params(("code" = String, Path, description = "National or applied code")),
    responses((status = 200, description = "Versions, oldest first", body = [VersionOut]),
    (status = 404, description = "Unknown code", body = crate::problem::Problem)))]
pub async fn list_versions(
    State(st): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<Vec<VersionOut>>, ApiError> {
    let p = find(&st, &code).await?;
    Ok(Json(
        catalog::versions(st.store.db(), &p.id)
            .await?
            .into_iter()
            .filter(|v| v.status != "draft")
            .map(|v| VersionOut {
                number: v.number,
                status: v.status,
                effective_from: v.effective_from,
                effective_to: v.effective_to,
                name: v.name,
            })
            .collect(),
    ))
}
