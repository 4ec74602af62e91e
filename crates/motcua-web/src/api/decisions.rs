//! Catalog control over JSON (kiểm soát TTHC): procedure drafts and version differences,
//! publication decisions with their timeliness (QĐ 766 indicators 1.1 and 1.2), the control
//! officers' warnings, and statistics of announced procedures. Shared with the back-office pages.

use crate::AppState;
use crate::auth::Access;
use crate::extract::{ApiJson, ApiQuery, ReqCtx};
use crate::problem::ApiError;
use crate::routes::Routes;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use motcua_core::catalog::{
    Change, Decision, FieldCounts, ItemTimeliness, ProcedureVersion, TimelinessRules, Verdict, completeness, diff,
    has_errors, statistics,
};
use motcua_core::identity::Role;
use motcua_store::catalog::{self, VersionRow};
use motcua_store::decisions::{self, DecisionRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Who keeps the catalog: procedure-control officers (cán bộ kiểm soát TTHC).
pub const CONTROL: &[Role] = &[Role::ControlOfficer];
/// Who may read drafts, decisions and statistics: control officers, leaders, inspectors.
pub const CONTROL_READERS: &[Role] = &[Role::ControlOfficer, Role::Leader, Role::Inspector];

pub fn routes(r: Routes) -> Routes {
    r.post(
        "/api/v1/procedures",
        Access::roles_or_key(CONTROL, "write"),
        create_procedure,
    )
    .get(
        "/api/v1/procedures/{code}/draft",
        Access::roles_or_key(CONTROL_READERS, "read"),
        get_draft,
    )
    .put(
        "/api/v1/procedures/{code}/draft",
        Access::roles_or_key(CONTROL, "write"),
        put_draft,
    )
    .get(
        "/api/v1/procedures/{code}/diff",
        Access::roles_or_key(CONTROL_READERS, "read"),
        version_diff,
    )
    .get("/api/v1/decisions", Access::roles_or_key(CONTROL_READERS, "read"), list)
    .post("/api/v1/decisions", Access::roles_or_key(CONTROL, "write"), create)
    .get(
        "/api/v1/decisions/warnings",
        Access::roles_or_key(CONTROL_READERS, "read"),
        warnings_api,
    )
    .get(
        "/api/v1/decisions/{id}",
        Access::roles_or_key(CONTROL_READERS, "read"),
        get,
    )
    .put("/api/v1/decisions/{id}", Access::roles_or_key(CONTROL, "write"), update)
    .post(
        "/api/v1/decisions/{id}/issue",
        Access::roles_or_key(CONTROL, "write"),
        issue,
    )
    .post(
        "/api/v1/decisions/{id}/made-public",
        Access::roles_or_key(CONTROL, "write"),
        made_public,
    )
    .get(
        "/api/v1/catalog/statistics",
        Access::roles_or_key(CONTROL_READERS, "read"),
        statistics_api,
    )
}

fn actor(ctx: &ReqCtx) -> Result<motcua_store::events::Actor, ApiError> {
    Ok(ctx.principal.as_ref().ok_or_else(ApiError::unauthorized)?.actor())
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// Check a version (NĐ 63/2010 Điều 8 khoản 2 and our rules) and save it as a draft: a new
/// procedure when `code` is `None`. Errors: 422 with every problem; warnings come back.
pub async fn save_version(
    st: &AppState,
    ctx: &ReqCtx,
    code: Option<&str>,
    v: &ProcedureVersion,
) -> Result<(VersionRow, Vec<motcua_core::catalog::Problem>), ApiError> {
    let problems = v.validate();
    if has_errors(&problems) {
        return Err(ApiError::invalid_record("procedure_invalid", &problems));
    }
    let procedure_id = match code {
        Some(c) => Some(crate::api::catalog::find(st, c).await?.id),
        None => None,
    };
    let row = catalog::save_draft(
        &st.store,
        &actor(ctx)?,
        now(),
        procedure_id.as_deref(),
        catalog::input_of(v),
    )
    .await?;
    Ok((row, problems))
}

#[derive(Serialize, ToSchema)]
pub struct DraftOut {
    pub procedure_id: String,
    /// Version number of the draft.
    pub number: i64,
    pub status: String,
    /// Warnings that did not block saving.
    pub warnings: Vec<crate::problem::FieldProblem>,
    /// Parts of QĐ 766 indicator 1.3 still missing (a–g).
    pub missing_parts: Vec<String>,
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
}

fn draft_out(row: &VersionRow, problems: &[motcua_core::catalog::Problem]) -> DraftOut {
    let doc: serde_json::Value = serde_json::from_str(&row.document).unwrap_or_default();
    let missing = serde_json::from_value::<ProcedureVersion>(doc.clone())
        .map(|v| {
            completeness(&v)
                .missing
                .iter()
                .map(|p| {
                    serde_json::to_value(p)
                        .ok()
                        .and_then(|x| x.as_str().map(str::to_owned))
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default();
    DraftOut {
        procedure_id: row.procedure_id.clone(),
        number: row.number,
        status: row.status.clone(),
        warnings: problems.iter().map(Into::into).collect(),
        missing_parts: missing,
        document: doc,
    }
}

/// Create a procedure as a draft (control officers; API keys with `write`).
#[utoipa::path(post, path = "/api/v1/procedures", tag = "catalog", security(("api_key" = [])),
    request_body(content = Object, description = "The procedure version (every part of NĐ 63/2010 Điều 8 khoản 2)"),
    responses((status = 201, description = "Draft saved", body = DraftOut),
    (status = 422, description = "Problems, each naming its field", body = crate::problem::Problem)))]
pub async fn create_procedure(
    State(st): State<AppState>,
    ctx: ReqCtx,
    ApiJson(v): ApiJson<ProcedureVersion>,
) -> Result<(StatusCode, Json<DraftOut>), ApiError> {
    let (row, problems) = save_version(&st, &ctx, None, &v).await?;
    Ok((StatusCode::CREATED, Json(draft_out(&row, &problems))))
}

/// The open draft of a procedure.
#[utoipa::path(get, path = "/api/v1/procedures/{code}/draft", tag = "catalog", security(("api_key" = [])),
    params(("code" = String, Path, description = "National code, applied code or id")),
    responses((status = 200, description = "The draft", body = DraftOut),
    (status = 404, description = "Unknown code, or no open draft", body = crate::problem::Problem)))]
pub async fn get_draft(State(st): State<AppState>, Path(code): Path<String>) -> Result<Json<DraftOut>, ApiError> {
    let p = crate::api::catalog::find(&st, &code).await?;
    let draft = catalog::versions(st.store.db(), &p.id)
        .await?
        .into_iter()
        .find(|v| v.status == "draft")
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "no_draft").with_detail(code))?;
    Ok(Json(draft_out(&draft, &[])))
}

/// Save the draft of an existing procedure (a new draft if none is open; published versions
/// never change).
#[utoipa::path(put, path = "/api/v1/procedures/{code}/draft", tag = "catalog", security(("api_key" = [])),
    params(("code" = String, Path, description = "National code, applied code or id")),
    request_body(content = Object, description = "The procedure version"),
    responses((status = 200, description = "Draft saved", body = DraftOut),
    (status = 404, description = "Unknown code", body = crate::problem::Problem),
    (status = 422, description = "Problems, each naming its field", body = crate::problem::Problem)))]
pub async fn put_draft(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(code): Path<String>,
    ApiJson(v): ApiJson<ProcedureVersion>,
) -> Result<Json<DraftOut>, ApiError> {
    let (row, problems) = save_version(&st, &ctx, Some(&code), &v).await?;
    Ok(Json(draft_out(&row, &problems)))
}

#[derive(Deserialize, IntoParams)]
pub struct DiffQuery {
    /// Older version number (default: the one before `to`).
    pub from: Option<i64>,
    /// Newer version number (default: the latest, draft included).
    pub to: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct DiffOut {
    pub from: i64,
    pub to: i64,
    #[schema(value_type = Vec<Object>)]
    pub changes: Vec<Change>,
}

/// Field-by-field differences between two versions; `None` when the procedure has a single
/// version or a number is unknown.
pub fn versions_diff(all: &[VersionRow], from: Option<i64>, to: Option<i64>) -> Option<DiffOut> {
    let to_row = match to {
        Some(n) => all.iter().find(|v| v.number == n)?,
        None => all.iter().max_by_key(|v| v.number)?,
    };
    let from_row = match from {
        Some(n) => all.iter().find(|v| v.number == n)?,
        None => all
            .iter()
            .filter(|v| v.number < to_row.number)
            .max_by_key(|v| v.number)?,
    };
    let a: ProcedureVersion = serde_json::from_str(&from_row.document).ok()?;
    let b: ProcedureVersion = serde_json::from_str(&to_row.document).ok()?;
    Some(DiffOut {
        from: from_row.number,
        to: to_row.number,
        changes: diff(&a, &b),
    })
}

/// What changed between two versions, field by field.
#[utoipa::path(get, path = "/api/v1/procedures/{code}/diff", tag = "catalog", security(("api_key" = [])),
    params(("code" = String, Path, description = "National code, applied code or id"), DiffQuery),
    responses((status = 200, description = "Changes in field order", body = DiffOut),
    (status = 404, description = "Unknown code or version", body = crate::problem::Problem)))]
pub async fn version_diff(
    State(st): State<AppState>,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<DiffQuery>,
) -> Result<Json<DiffOut>, ApiError> {
    let p = crate::api::catalog::find(&st, &code).await?;
    let all = catalog::versions(st.store.db(), &p.id).await?;
    versions_diff(&all, q.from, q.to)
        .map(Json)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "version_unknown").with_field("from"))
}

// ---- Decisions ----

#[derive(Serialize, ToSchema, Clone)]
pub struct ItemOut {
    pub position: usize,
    /// new | amended | replaced | abolished
    pub kind: String,
    pub procedure_id: String,
    pub procedure_name: String,
    pub field: String,
    #[schema(value_type = String, format = Date)]
    pub effective_from: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    pub made_public_on: Option<NaiveDate>,
    /// Version published or abolished, once issued.
    pub version_number: Option<i64>,
    /// Indicator 1.1 and 1.2 verdicts as of today.
    #[schema(value_type = Object)]
    pub timeliness: Option<ItemTimeliness>,
}

#[derive(Serialize, ToSchema, Clone)]
pub struct DecisionOut {
    pub id: String,
    /// draft | issued
    pub status: String,
    pub number: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub signed_on: Option<NaiveDate>,
    pub signer: String,
    pub issuer: String,
    /// province | commune | ministry
    pub level: String,
    pub title: String,
    #[schema(value_type = Vec<Object>)]
    pub legal_basis: Vec<motcua_core::catalog::LegalDocument>,
    pub items: Vec<ItemOut>,
    /// Whether any item needs attention now (deadline near or passed).
    pub warn: bool,
}

/// The rules of publication timeliness (defaults of QĐ 766; see the core's doc comment).
pub fn rules() -> TimelinessRules {
    TimelinessRules::default()
}

/// A decision with its items and verdicts as of `today`.
pub async fn view(st: &AppState, row: &DecisionRow, today: NaiveDate) -> Result<DecisionOut, ApiError> {
    let d = row.decision()?;
    let cal = st.calendar.agency(&st.store, None, None).await?;
    let verdicts = d.timeliness(cal.as_ref(), &rules(), today).ok();
    let stored = decisions::items(st.store.db(), &row.id).await?;
    let items: Vec<ItemOut> = d
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let s = stored.iter().find(|s| s.position == i as i64);
            ItemOut {
                position: i,
                kind: item.kind.code().into(),
                procedure_id: s.map(|s| s.procedure_id.clone()).unwrap_or_default(),
                procedure_name: s
                    .map(|s| s.procedure_name.clone())
                    .unwrap_or_else(|| item.procedure.clone()),
                field: s.map(|s| s.field.clone()).unwrap_or_default(),
                effective_from: item.effective_from,
                made_public_on: item.made_public_on,
                version_number: s.and_then(|s| s.version_number),
                timeliness: verdicts.as_ref().and_then(|v| v.get(i).cloned()),
            }
        })
        .collect();
    let warn = items.iter().any(|i| {
        i.timeliness
            .as_ref()
            .is_some_and(|t| t.decision.warn || t.publication.as_ref().is_some_and(|p| p.warn))
    });
    Ok(DecisionOut {
        id: row.id.clone(),
        status: row.status.clone(),
        number: d.number.clone(),
        signed_on: d.signed_on,
        signer: d.signer.clone(),
        issuer: d.issuer.clone(),
        level: row.level.clone(),
        title: d.title.clone(),
        legal_basis: d.legal_basis.clone(),
        items,
        warn,
    })
}

pub async fn find(st: &AppState, id: &str) -> Result<DecisionRow, ApiError> {
    decisions::get(st.store.db(), id).await?.ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, "decision_unknown")
            .with_detail(id.to_owned())
            .with_field("id")
    })
}

/// Publication decisions, drafts first, then newest.
#[utoipa::path(get, path = "/api/v1/decisions", tag = "catalog", security(("api_key" = [])),
    responses((status = 200, description = "Decisions with their items and verdicts", body = [DecisionOut])))]
pub async fn list(State(st): State<AppState>) -> Result<Json<Vec<DecisionOut>>, ApiError> {
    let today = crate::api::catalog::today();
    let mut out = Vec::new();
    for row in decisions::list(st.store.db()).await? {
        out.push(view(&st, &row, today).await?);
    }
    Ok(Json(out))
}

/// Prepare a decision as a draft (number, date and signer may still be empty).
#[utoipa::path(post, path = "/api/v1/decisions", tag = "catalog", security(("api_key" = [])),
    request_body(content = Object, description = "The decision: level, title, issuer, legal_basis, items [{kind, procedure, effective_from}]"),
    responses((status = 201, description = "Draft saved", body = DecisionOut),
    (status = 422, description = "An item names an unknown procedure or one twice", body = crate::problem::Problem)))]
pub async fn create(
    State(st): State<AppState>,
    ctx: ReqCtx,
    ApiJson(d): ApiJson<Decision>,
) -> Result<(StatusCode, Json<DecisionOut>), ApiError> {
    let row = decisions::save_draft(&st.store, &actor(&ctx)?, now(), None, d).await?;
    Ok((
        StatusCode::CREATED,
        Json(view(&st, &row, crate::api::catalog::today()).await?),
    ))
}

/// A decision with its items and their verdicts.
#[utoipa::path(get, path = "/api/v1/decisions/{id}", tag = "catalog", security(("api_key" = [])),
    params(("id" = String, Path, description = "Decision id")),
    responses((status = 200, description = "The decision", body = DecisionOut),
    (status = 404, description = "Unknown id", body = crate::problem::Problem)))]
pub async fn get(State(st): State<AppState>, Path(id): Path<String>) -> Result<Json<DecisionOut>, ApiError> {
    let row = find(&st, &id).await?;
    Ok(Json(view(&st, &row, crate::api::catalog::today()).await?))
}

/// Replace a draft decision (issued decisions never change: 422 `decision_issued`).
#[utoipa::path(put, path = "/api/v1/decisions/{id}", tag = "catalog", security(("api_key" = [])),
    params(("id" = String, Path, description = "Decision id")),
    request_body(content = Object, description = "The decision"),
    responses((status = 200, description = "Draft saved", body = DecisionOut),
    (status = 404, description = "Unknown id", body = crate::problem::Problem),
    (status = 422, description = "Issued already, or a bad item", body = crate::problem::Problem)))]
pub async fn update(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<Decision>,
) -> Result<Json<DecisionOut>, ApiError> {
    find(&st, &id).await?;
    let row = decisions::save_draft(&st.store, &actor(&ctx)?, now(), Some(&id), d).await?;
    Ok(Json(view(&st, &row, crate::api::catalog::today()).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueIn {
    /// Số quyết định, e.g. `1234/QĐ-UBND`.
    pub number: String,
    /// Ngày ký (YYYY-MM-DD).
    #[schema(value_type = String, format = Date)]
    pub signed_on: NaiveDate,
    /// Người ký.
    pub signer: String,
}

/// Issue a draft decision: every procedure it names is published (or abolished) from its
/// effective date, in one transaction.
#[utoipa::path(post, path = "/api/v1/decisions/{id}/issue", tag = "catalog", security(("api_key" = [])),
    params(("id" = String, Path, description = "Decision id")), request_body = IssueIn,
    responses((status = 200, description = "Issued; verdicts of indicator 1.1 included", body = DecisionOut),
    (status = 404, description = "Unknown id", body = crate::problem::Problem),
    (status = 422, description = "Missing number/date/signer, a procedure without draft, one not in force to abolish…", body = crate::problem::Problem)))]
pub async fn issue(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    ApiJson(i): ApiJson<IssueIn>,
) -> Result<Json<DecisionOut>, ApiError> {
    find(&st, &id).await?;
    let row = decisions::issue(&st.store, &actor(&ctx)?, now(), &id, &i.number, i.signed_on, &i.signer).await?;
    Ok(Json(view(&st, &row, crate::api::catalog::today()).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MadePublicIn {
    /// Date made public in the national database (YYYY-MM-DD).
    #[schema(value_type = String, format = Date)]
    pub on: NaiveDate,
    /// Item positions (from 0); empty or absent = every item not yet recorded.
    #[serde(default)]
    pub items: Vec<usize>,
}

/// Record when items were made public in the national database (indicator 1.2).
#[utoipa::path(post, path = "/api/v1/decisions/{id}/made-public", tag = "catalog", security(("api_key" = [])),
    params(("id" = String, Path, description = "Decision id")), request_body = MadePublicIn,
    responses((status = 200, description = "Recorded; verdicts of indicator 1.2 included", body = DecisionOut),
    (status = 404, description = "Unknown id", body = crate::problem::Problem),
    (status = 422, description = "Not issued yet, or a date before the decision", body = crate::problem::Problem)))]
pub async fn made_public(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    ApiJson(m): ApiJson<MadePublicIn>,
) -> Result<Json<DecisionOut>, ApiError> {
    find(&st, &id).await?;
    let row = decisions::record_made_public(&st.store, &actor(&ctx)?, now(), &id, &m.items, m.on).await?;
    Ok(Json(view(&st, &row, crate::api::catalog::today()).await?))
}

/// One warning for the control officers' dashboard.
#[derive(Serialize, ToSchema, Clone)]
pub struct Warning {
    pub decision_id: String,
    pub decision_number: String,
    pub procedure_name: String,
    /// `1.1` (decision) or `1.2` (made public).
    pub indicator: String,
    /// pending | overdue
    pub verdict: String,
    #[schema(value_type = String, format = Date)]
    pub latest_on_time: NaiveDate,
    pub working_days_remaining: i64,
    /// The rule applied, in Vietnamese.
    pub rule: String,
}

/// Items whose deadline is near or passed: draft decisions (indicator 1.1) and issued items
/// not yet made public (1.2), most urgent first.
pub async fn warnings(st: &AppState, today: NaiveDate) -> Result<Vec<Warning>, ApiError> {
    let mut out = Vec::new();
    for row in decisions::list(st.store.db()).await? {
        let v = view(st, &row, today).await?;
        for item in &v.items {
            let Some(t) = &item.timeliness else { continue };
            let checks = [("1.1", Some(&t.decision)), ("1.2", t.publication.as_ref())];
            for (indicator, check) in checks {
                let Some(c) = check else { continue };
                if !c.warn {
                    continue;
                }
                out.push(Warning {
                    decision_id: v.id.clone(),
                    decision_number: v.number.clone(),
                    procedure_name: item.procedure_name.clone(),
                    indicator: indicator.into(),
                    verdict: if c.verdict == Verdict::Overdue {
                        "overdue"
                    } else {
                        "pending"
                    }
                    .into(),
                    latest_on_time: c.latest_on_time,
                    working_days_remaining: c.working_days_remaining,
                    rule: c.rule.clone(),
                });
            }
        }
    }
    out.sort_by_key(|w| (w.latest_on_time, w.procedure_name.clone()));
    Ok(out)
}

#[derive(Deserialize, IntoParams)]
pub struct TodayQuery {
    /// Compute as of this day (YYYY-MM-DD, default today).
    pub on: Option<String>,
}

/// Deadlines of publication near or passed (QĐ 766 indicators 1.1 and 1.2).
#[utoipa::path(get, path = "/api/v1/decisions/warnings", tag = "catalog", security(("api_key" = [])),
    params(TodayQuery),
    responses((status = 200, description = "Warnings, most urgent first", body = [Warning])))]
pub async fn warnings_api(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<TodayQuery>,
) -> Result<Json<Vec<Warning>>, ApiError> {
    let today = crate::api::catalog::parse_on(&q.on)?;
    Ok(Json(warnings(&st, today).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct PeriodQuery {
    /// First day (YYYY-MM-DD), default 1 January of this year.
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD), default today.
    pub to: Option<String>,
}

/// The period of a statistics request.
pub fn period(from: &Option<String>, to: &Option<String>) -> Result<(NaiveDate, NaiveDate), ApiError> {
    use chrono::Datelike;
    let today = crate::api::catalog::today();
    let parse = |s: &Option<String>, field: &str, default: NaiveDate| match s.as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "date_invalid").with_field(field)),
    };
    let start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let f = parse(from, "from", start)?;
    let t = parse(to, "to", today)?;
    if t < f {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "period_reversed").with_field("to"));
    }
    Ok((f, t))
}

/// Counts per field for the period (the last row, with an empty field, is the total).
pub async fn statistics_of(st: &AppState, from: NaiveDate, to: NaiveDate) -> Result<Vec<FieldCounts>, ApiError> {
    let items = decisions::items_signed_between(st.store.db(), from, to).await?;
    Ok(statistics(items.iter().map(|(f, k)| (f.as_str(), *k))))
}

#[derive(Serialize, ToSchema)]
pub struct StatisticsOut {
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// Per field; the last row (field "") is the total.
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<FieldCounts>,
}

/// New, amended, replaced and abolished procedures announced by decisions signed in a period,
/// per field (duty 2 of the directive).
#[utoipa::path(get, path = "/api/v1/catalog/statistics", tag = "catalog", security(("api_key" = [])),
    params(PeriodQuery),
    responses((status = 200, description = "Counts per field", body = StatisticsOut),
    (status = 400, description = "Bad date", body = crate::problem::Problem)))]
pub async fn statistics_api(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Json<StatisticsOut>, ApiError> {
    let (from, to) = period(&q.from, &q.to)?;
    Ok(Json(StatisticsOut {
        from,
        to,
        rows: statistics_of(&st, from, to).await?,
    }))
}
