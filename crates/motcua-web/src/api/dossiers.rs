//! Dossiers over JSON (hồ sơ TTHC, issue 5 item 16): intake at the desk or from a machine
//! client (channel 2), the work inbox and search, a dossier with its history, commands of the
//! state machine, and uploads of scans.
//!
//! Every rule is the core's: the checklist, the state machine, supplement validation, and who
//! may run which command (`motcua_core::dossiers::permission`, checked here with the units the
//! caller's roles are held in). Status codes: wrong role 403, wrong state 409
//! (`illegal_transition`), stale `expected_version` 409 (`conflict`), bad input 422 with the
//! core's code and its Vietnamese sentence as `detail`.

use crate::AppState;
use crate::auth::{Access, Principal, PrincipalKind};
use crate::dossier_access;
use crate::extract::{ApiJson, ApiQuery, ReqCtx};
use crate::problem::{ApiError, FieldProblem};
use crate::routes::Routes;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use motcua_core::catalog::{Channel, ProcedureVersion};
use motcua_core::dossiers::{
    Applicant, Command, DossierCode, DossierError, DossierState, SupplementDraft, SupplementRequest, checklist,
    step_due,
};
use motcua_core::identity::{Role, UnitCode};
use motcua_store::StoreError;
use motcua_store::dossiers::{
    self, DossierRecord, DossierRow, HistoryEntry, InboxFilter, Intake, IntakeOutcome, PresentComponent,
};
use motcua_store::events::Actor;
use motcua_store::{catalog, files, identity};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Who may read dossiers: the one-stop clerks, specialists, leaders and inspectors.
pub const READERS: &[Role] = &[Role::Clerk, Role::Specialist, Role::Leader, Role::Inspector];
/// Who receives at the desk (channels 1 and 3).
pub const CLERKS: &[Role] = &[Role::Clerk];
/// Who may ask for a command; which command each may run is the core's permission rule.
pub const WORKERS: &[Role] = &[Role::Clerk, Role::Specialist, Role::Leader, Role::Admin];
/// Who may upload scans and result documents.
pub const UPLOADERS: &[Role] = &[Role::Clerk, Role::Specialist, Role::Leader];
/// API-key scope to read dossiers and files.
pub const SCOPE_READ: &str = "dossiers:read";
/// API-key scope to create channel-2 dossiers and upload their files.
pub const SCOPE_WRITE: &str = "dossiers:write";

pub fn routes(r: Routes) -> Routes {
    r.post("/api/v1/dossiers", Access::roles_or_key(CLERKS, SCOPE_WRITE), create)
        .get("/api/v1/dossiers", Access::roles_or_key(READERS, SCOPE_READ), inbox)
        .get("/api/v1/dossiers/{id}", Access::roles_or_key(READERS, SCOPE_READ), get)
        .get(
            "/api/v1/dossiers/{id}/history",
            Access::roles_or_key(READERS, SCOPE_READ),
            history,
        )
        .post("/api/v1/dossiers/{id}/commands", Access::roles(WORKERS), command)
        .post("/api/v1/files", Access::roles_or_key(UPLOADERS, SCOPE_WRITE), upload)
        .get(
            "/api/v1/files/{id}",
            Access::roles_or_key(READERS, SCOPE_READ),
            download,
        )
}

fn principal(ctx: &ReqCtx) -> Result<&Principal, ApiError> {
    ctx.principal.as_ref().ok_or_else(ApiError::unauthorized)
}

/// An instant (µs since the epoch) as RFC 3339 in Vietnam time.
pub fn iso(us: i64) -> String {
    motcua_store::time::from_us(us)
        .with_timezone(&motcua_core::calendar::vn_offset())
        .to_rfc3339()
}

fn iso_opt(us: Option<i64>) -> Option<String> {
    us.map(iso)
}

/// The caller's roles with the **code** of the unit each is held in (grants store unit ids;
/// dossiers name units by code).
pub async fn roles_by_unit_code(st: &AppState, p: &Principal) -> Result<Vec<(Role, Option<String>)>, ApiError> {
    if p.roles.iter().all(|(_, u)| u.is_none()) {
        return Ok(p.roles.clone());
    }
    let units = identity::units_recent(&st.store).await?;
    Ok(p.roles
        .iter()
        .map(|(r, unit_id)| {
            let code = unit_id.as_ref().map(|id| {
                units
                    .iter()
                    .find(|u| &u.id == id)
                    .map(|u| u.code.clone())
                    // A grant in a unit that no longer exists matches no dossier.
                    .unwrap_or_else(|| id.clone())
            });
            (*r, code)
        })
        .collect())
}

/// The actor of a permitted command: the first role that permits it on this dossier (unit
/// scope: [`crate::dossier_access`]), with its unit code.
fn acting_as(p: &Principal, roles: &[(Role, Option<String>)], cmd: &Command, rec: &DossierRecord) -> Option<Actor> {
    dossier_access::acting_role(cmd, roles, rec).map(|(role, unit)| Actor {
        id: p.user_id.clone(),
        role: role.as_str().to_owned(),
        unit: unit.clone().unwrap_or_default(),
    })
}

// ------------------------------------------------------------------------------------ views

/// A dossier in lists (the inbox).
#[derive(Debug, Serialize, ToSchema)]
pub struct DossierSummary {
    pub id: String,
    /// Mã hồ sơ; absent for a dossier guided to complete or refused at intake.
    pub code: Option<String>,
    /// Seq of the last event: send it back as `expected_version`.
    pub version: i64,
    /// Internal state (`received`, `processing`, …).
    pub state: String,
    /// The state in Vietnamese.
    pub state_label: String,
    /// National status code TrangThaiHoSo 1–10.
    pub national_status: i64,
    pub national_status_label: String,
    pub procedure_id: String,
    /// The pinned procedure version.
    pub version_id: String,
    pub procedure_name: String,
    /// KenhThucHien 1 (in person), 2 (online), 3 (post).
    pub channel: i64,
    pub variant: Option<String>,
    pub receiving_unit: String,
    /// Unit whose queue holds the dossier.
    pub current_unit: String,
    /// Current step (0-based) and number of steps.
    pub current_step: i64,
    pub steps_total: i64,
    pub assignee: Option<String>,
    pub applicant_name: String,
    /// Ngày hẹn trả in force (RFC 3339, UTC+7).
    pub appointment: Option<String>,
    /// Ngày hẹn trả printed on the receipt.
    pub original_appointment: Option<String>,
    pub received_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

fn state_label(state: &str) -> String {
    serde_json::from_value::<DossierState>(serde_json::Value::String(state.to_owned()))
        .map(|s| s.label_vi().to_owned())
        .unwrap_or_else(|_| state.to_owned())
}

fn national_label(code: i64) -> String {
    u8::try_from(code)
        .ok()
        .and_then(DossierState::national_label_vi)
        .unwrap_or_default()
        .to_owned()
}

pub fn summary(r: &DossierRow) -> DossierSummary {
    DossierSummary {
        id: r.id.clone(),
        code: r.code.clone(),
        version: r.version,
        state: r.state.clone(),
        state_label: state_label(&r.state),
        national_status: r.national_status,
        national_status_label: national_label(r.national_status),
        procedure_id: r.procedure_id.clone(),
        version_id: r.version_id.clone(),
        procedure_name: r.procedure_name.clone(),
        channel: r.channel,
        variant: r.variant.clone(),
        receiving_unit: r.receiving_unit.clone(),
        current_unit: r.current_unit.clone(),
        current_step: r.current_step,
        steps_total: r.steps_total,
        assignee: r.assignee.clone(),
        applicant_name: r.applicant_name.clone(),
        appointment: iso_opt(r.appointment),
        original_appointment: iso_opt(r.original_appointment),
        received_at: iso_opt(r.received_at),
        created_at: iso(r.created_at),
        updated_at: iso(r.updated_at),
    }
}

/// One line of the checklist.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComponentOut {
    /// Index of the component in the pinned version.
    pub index: i64,
    pub name: String,
    pub copy_type: String,
    pub quantity: i64,
    pub required: bool,
    pub present: bool,
    /// The scan (the component is digitized).
    pub file_id: Option<String>,
}

/// One workflow step (a row of the control slip, Mẫu 05).
#[derive(Debug, Serialize, ToSchema)]
pub struct StepOut {
    pub position: i64,
    pub name: String,
    pub unit_code: String,
    /// Time slice, e.g. `3wd`.
    pub slice: String,
    pub due_at: Option<String>,
    pub assignee: Option<String>,
    pub started_at: Option<String>,
    pub handed_over_at: Option<String>,
    pub giver: Option<String>,
    pub receiver: Option<String>,
    /// `early`, `on_time` or `late`.
    pub verdict: Option<String>,
    /// The partner agency on the steps of a liên thông part; absent on the receiving agency's
    /// own steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency_code: Option<String>,
}

/// A dossier with its applicant, checklist, steps, fees and folded state.
#[derive(Debug, Serialize, ToSchema)]
pub struct DossierOut {
    #[serde(flatten)]
    pub summary: DossierSummary,
    /// The applicant (`type`: `person` or `organisation`).
    #[schema(value_type = Object)]
    pub applicant: serde_json::Value,
    pub components: Vec<ComponentOut>,
    pub steps: Vec<StepOut>,
    /// Fees requested, paid and still due, in đồng.
    pub fees_requested: u64,
    pub fees_paid: u64,
    pub fees_due: u64,
    /// The folded core state (`motcua_core::dossiers::Dossier`).
    #[schema(value_type = Object)]
    pub dossier: serde_json::Value,
}

pub fn dossier_out(rec: &DossierRecord) -> DossierOut {
    let d = &rec.dossier;
    DossierOut {
        summary: summary(&rec.row),
        applicant: serde_json::from_str(&rec.row.applicant).unwrap_or_default(),
        components: rec
            .components
            .iter()
            .map(|c| ComponentOut {
                index: c.position,
                name: c.name.clone(),
                copy_type: c.copy_type.clone(),
                quantity: c.quantity,
                required: c.required,
                present: c.present,
                file_id: c.file_id.clone(),
            })
            .collect(),
        steps: rec
            .steps
            .iter()
            .map(|s| StepOut {
                position: s.position,
                name: s.name.clone(),
                unit_code: s.unit_code.clone(),
                slice: s.slice.clone(),
                due_at: iso_opt(s.due_at),
                assignee: s.assignee.clone(),
                started_at: iso_opt(s.started_at),
                handed_over_at: iso_opt(s.handed_over_at),
                giver: s.giver.clone(),
                receiver: s.receiver.clone(),
                verdict: s.verdict.clone(),
                agency_code: s.agency_code.clone(),
            })
            .collect(),
        fees_requested: d.fees_requested,
        fees_paid: d.fees_paid,
        fees_due: d.fees_requested.saturating_sub(d.fees_paid),
        dossier: serde_json::to_value(d).unwrap_or_default(),
    }
}

/// A dossier by id or by code; 404 otherwise.
pub async fn find(st: &AppState, id_or_code: &str) -> Result<DossierRecord, ApiError> {
    if let Some(rec) = dossiers::get(st.store.db(), id_or_code).await? {
        return Ok(rec);
    }
    dossiers::by_code(st.store.db(), id_or_code)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("dossier {id_or_code}")))
}

// ----------------------------------------------------------------------------------- intake

/// A component marked present, with its scan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresentIn {
    /// Index of the component in the pinned procedure version.
    pub index: usize,
    /// An uploaded file (`POST /api/v1/files`).
    pub file_id: Option<String>,
    /// The copy type actually handed in when it differs from the procedure's:
    /// original | copy | certified_copy | electronic.
    pub copy_type: Option<String>,
    /// The number of copies actually handed in (≥ 1), when it differs from the procedure's.
    pub quantity: Option<u32>,
}

/// What the store records of a component marked present; 422 `copy_type_invalid` for an
/// unknown copy type.
fn present_component(p: PresentIn) -> Result<PresentComponent, ApiError> {
    let copy_type = match p.copy_type.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            serde_json::from_value::<motcua_core::catalog::CopyType>(serde_json::Value::String(c.to_owned())).map_err(
                |_| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "copy_type_invalid").with_field("copy_type"),
            )?,
        ),
    };
    Ok(PresentComponent {
        index: p.index,
        file_id: p.file_id.filter(|f| !f.is_empty()),
        copy_type,
        quantity: p.quantity,
    })
}

/// The outcome of the intake, exactly one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum OutcomeIn {
    /// Tiếp nhận (Mẫu 01): every required component must be present.
    Receive,
    /// Hướng dẫn bổ sung, hoàn thiện (Mẫu 02): the missing papers (empty: the required
    /// components not marked present) and the reason.
    GuideToComplete {
        #[serde(default)]
        missing: Vec<String>,
        reason: String,
    },
    /// Từ chối tiếp nhận (Mẫu 03).
    Refuse { reason: String },
}

/// A dossier handed in at the desk (channels 1, 3) or sent by a machine client (channel 2).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeIn {
    /// National or applied procedure code; the version in force today is pinned.
    pub procedure: String,
    /// KenhThucHien: 1 in person, 3 by post (clerks); 2 online (machine clients).
    pub channel: u8,
    /// Case variant id of the procedure, if it has variants.
    pub variant: Option<String>,
    /// `{"type": "person", "full_name", "citizen_id", "phone", "email", "address"}` or
    /// `{"type": "organisation", "name", "tax_code", "representative", "phone", "email",
    /// "address"}`.
    #[schema(value_type = Object)]
    pub applicant: Applicant,
    #[serde(default)]
    pub present: Vec<PresentIn>,
    pub outcome: OutcomeIn,
    /// Made once per paper dossier (or per online submission) by the client: the same key twice
    /// is refused (409), so the same papers never make two dossiers.
    pub intake_key: String,
    /// Unit code of the receiving unit; default: the unit the clerk's role (or the API key) is
    /// held in.
    pub receiving_unit: Option<String>,
}

/// The version of `procedure` in force today, when it resolves (otherwise the store says why).
async fn version_in_force(
    st: &AppState,
    procedure: &str,
    at: DateTime<Utc>,
) -> Result<Option<ProcedureVersion>, ApiError> {
    let Some(p) = catalog::procedure_by_code(st.store.db(), procedure).await? else {
        return Ok(None);
    };
    let day = at.with_timezone(&motcua_core::calendar::vn_offset()).date_naive();
    let Some(v) = catalog::in_force(st.store.db(), &p.id, day).await? else {
        return Ok(None);
    };
    Ok(serde_json::from_str(&v.document).ok())
}

/// 422 `missing_components` listing each missing required component as its own problem.
fn missing_problem(e: &DossierError) -> ApiError {
    let mut err = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code()).with_detail(e.message_vi());
    if let DossierError::MissingComponents { missing } = e {
        err.field = missing.first().map(|m| format!("present[{}]", m.index));
        err.errors = missing
            .iter()
            .map(|m| FieldProblem {
                path: format!("components[{}]", m.index),
                code: "missing_component".into(),
                severity: "error".into(),
                message_vi: format!("Thiếu thành phần hồ sơ bắt buộc: {}.", m.name),
                message_en: format!("Required component missing: {}.", m.name),
            })
            .collect();
    }
    err
}

/// Check the applicant and, for a receipt, the checklist — so the answer lists every problem.
fn check_intake(b: &IntakeIn, version: Option<&ProcedureVersion>, channel: Channel) -> Result<(), ApiError> {
    let problems = b.applicant.validate();
    if !problems.is_empty() {
        let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "applicant_invalid");
        e.field = problems.first().map(|p| format!("applicant.{}", p.field));
        e.errors = problems
            .iter()
            .map(|p| FieldProblem {
                path: format!("applicant.{}", p.field),
                code: p.code.to_owned(),
                severity: "error".into(),
                message_vi: p.message_vi(),
                message_en: p.message_en(),
            })
            .collect();
        return Err(e);
    }
    if let (OutcomeIn::Receive, Some(v)) = (&b.outcome, version) {
        let list = checklist(v, channel, b.variant.as_deref())
            .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code()).with_detail(e.message_vi()))?;
        let present: Vec<usize> = b.present.iter().map(|p| p.index).collect();
        if let Err(e) = list.check(&present) {
            return Err(missing_problem(&e));
        }
    }
    Ok(())
}

/// The receiving unit: the one asked for, if the caller may receive there; else the caller's.
async fn receiving_unit(st: &AppState, p: &Principal, asked: Option<&str>) -> Result<String, ApiError> {
    let asked = asked.map(str::trim).filter(|s| !s.is_empty());
    let own: Vec<Option<String>> = match &p.kind {
        PrincipalKind::ApiKey { key_id, .. } => {
            let keys = identity::list_api_keys(st.store.db()).await?;
            let unit_id = keys.into_iter().find(|k| &k.id == key_id).and_then(|k| k.unit_id);
            let code = match unit_id {
                Some(id) => identity::get_unit(st.store.db(), &id).await?.map(|u| u.code),
                None => None,
            };
            vec![code]
        }
        PrincipalKind::Session { .. } => roles_by_unit_code(st, p)
            .await?
            .into_iter()
            .filter(|(r, _)| CLERKS.contains(r))
            .map(|(_, u)| u)
            .collect(),
    };
    let anywhere = own.iter().any(Option::is_none);
    match asked {
        Some(code) if anywhere || own.iter().flatten().any(|u| u == code) => Ok(code.to_owned()),
        Some(_) => Err(ApiError::unprocessable("receiving_unit_not_yours", "receiving_unit")),
        None => {
            let mut units: Vec<&String> = own.iter().flatten().collect();
            units.dedup();
            match units.as_slice() {
                [one] if !anywhere => Ok((*one).clone()),
                _ => Err(ApiError::unprocessable("receiving_unit_required", "receiving_unit")),
            }
        }
    }
}

/// Record a dossier: received (code, appointment, steps), guided to complete, or refused.
/// Clerks receive channels 1 and 3; machine clients (API key with `dossiers:write`) channel 2.
#[utoipa::path(post, path = "/api/v1/dossiers", operation_id = "create_dossier", tag = "dossiers", security(("api_key" = [])),
    request_body = IntakeIn,
    responses((status = 201, description = "Recorded", body = DossierOut),
    (status = 409, description = "`intake_duplicate`: the intake key was already used", body = crate::problem::Problem),
    (status = 422, description = "`missing_components` (each listed in `errors`), `applicant_invalid`, `channel_not_allowed`, `procedure_unknown`, …", body = crate::problem::Problem)))]
pub async fn create(
    State(st): State<AppState>,
    ctx: ReqCtx,
    ApiJson(b): ApiJson<IntakeIn>,
) -> Result<(StatusCode, Json<DossierOut>), ApiError> {
    let p = principal(&ctx)?;
    let now = Utc::now();
    let channel =
        Channel::from_code(b.channel).ok_or_else(|| ApiError::unprocessable("channel_not_allowed", "channel"))?;
    let is_key = matches!(p.kind, PrincipalKind::ApiKey { .. });
    // Desk intake is in person or by post; online dossiers arrive through machine clients.
    if is_key != (channel == Channel::Online) {
        return Err(ApiError::unprocessable("channel_not_allowed", "channel"));
    }
    let key = b.intake_key.trim();
    if key.is_empty() || key.chars().count() > 200 {
        return Err(ApiError::unprocessable("intake_key_required", "intake_key"));
    }
    let unit = receiving_unit(&st, p, b.receiving_unit.as_deref()).await?;
    let version = version_in_force(&st, &b.procedure, now).await?;
    check_intake(&b, version.as_ref(), channel)?;
    let mut actor = p.actor();
    if !is_key {
        actor.role = Role::Clerk.as_str().to_owned();
        actor.unit = unit.clone();
    }
    let outcome = match b.outcome {
        OutcomeIn::Receive => IntakeOutcome::Receive,
        OutcomeIn::GuideToComplete { missing, reason } => IntakeOutcome::GuideToComplete { missing, reason },
        OutcomeIn::Refuse { reason } => IntakeOutcome::Refuse { reason },
    };
    let intake = Intake {
        procedure: b.procedure,
        channel,
        variant: b.variant.filter(|v| !v.trim().is_empty()),
        applicant: b.applicant,
        present: b
            .present
            .into_iter()
            .map(present_component)
            .collect::<Result<Vec<_>, _>>()?,
        receiving_unit: unit,
        outcome,
        intake_key: Some(key.to_owned()),
    };
    let row = dossiers::receive(&st.store, st.deadlines(), &actor, now, intake)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(d) => ApiError::new(StatusCode::CONFLICT, "intake_duplicate").with_detail(d),
            other => other.into(),
        })?;
    let rec = after_write(&st, &row.id).await?;
    Ok((StatusCode::CREATED, Json(dossier_out(&rec))))
}

// ------------------------------------------------------------------------------------ reads

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// Assigned to me.
    pub mine: Option<bool>,
    /// In this unit's queue (unit code).
    pub unit: Option<String>,
    /// In the queue of the unit my role is held in.
    pub my_unit: Option<bool>,
    /// In this state (`processing`, `awaiting_fee`, …).
    pub state: Option<String>,
    /// Open dossiers only (received, not yet decided, stopped or withdrawn).
    pub open: Option<bool>,
    /// Appointment within the near-due window (default 8 working hours) and not yet passed.
    pub near_due: Option<bool>,
    /// Appointment passed.
    pub overdue: Option<bool>,
    /// Code or applicant name, with or without diacritics.
    pub q: Option<String>,
    /// 0-based page.
    pub page: Option<u32>,
    /// Default 50, at most 500.
    pub per_page: Option<u32>,
}

/// The work inbox and search: filters combine; soonest appointment first.
#[utoipa::path(get, path = "/api/v1/dossiers", operation_id = "list_dossiers", tag = "dossiers", security(("api_key" = [])),
    params(InboxQuery),
    responses((status = 200, description = "Dossiers", body = Vec<DossierSummary>),
    (status = 422, description = "`unit_required`: `my_unit` for a caller without exactly one unit", body = crate::problem::Problem)))]
pub async fn inbox(
    State(st): State<AppState>,
    ctx: ReqCtx,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> Result<Json<Vec<DossierSummary>>, ApiError> {
    let p = principal(&ctx)?;
    let now = Utc::now();
    let mut unit = q.unit.filter(|u| !u.trim().is_empty());
    if q.my_unit == Some(true) {
        let mut mine: Vec<String> = roles_by_unit_code(&st, p)
            .await?
            .into_iter()
            .filter_map(|(_, u)| u)
            .collect();
        mine.sort();
        mine.dedup();
        match mine.as_slice() {
            [one] => unit = Some(one.clone()),
            _ => return Err(ApiError::unprocessable("unit_required", "unit")),
        }
    }
    let mut f = InboxFilter {
        assignee: (q.mine == Some(true)).then(|| p.user_id.clone()),
        unit: unit.clone(),
        open_only: q.open == Some(true),
        state: q.state.filter(|s| !s.is_empty()),
        query: q.q,
        page: q.page.unwrap_or(0),
        per_page: q.per_page.unwrap_or(50),
        ..Default::default()
    };
    if q.near_due == Some(true) {
        // "Near due" is counted in working time on the calendar of the unit asked about.
        let cal = st.calendar.agency(&st.store, unit.as_deref(), None).await?;
        let threshold = step_due(&cal, now, st.deadline_rules.near_due, &[], &st.deadline_rules)
            .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code()).with_detail(e.message_vi()))?;
        f.near_due_before = Some(threshold);
        f.not_overdue_at = Some(now);
    }
    if q.overdue == Some(true) {
        f.overdue_at = Some(now);
    }
    let rows = dossiers::inbox(st.store.db(), &f).await?;
    Ok(Json(rows.iter().map(summary).collect()))
}

/// A dossier by id or by code, with its applicant, checklist, steps and fees.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}", operation_id = "get_dossier", tag = "dossiers", security(("api_key" = [])),
    params(("id" = String, Path, description = "Dossier id or dossier code (000.00.15.H50-261127-0001)")),
    responses((status = 200, description = "The dossier", body = DossierOut),
    (status = 404, description = "No such dossier", body = crate::problem::Problem)))]
pub async fn get(State(st): State<AppState>, Path(id): Path<String>) -> Result<Json<DossierOut>, ApiError> {
    Ok(Json(dossier_out(&find(&st, &id).await?)))
}

/// One event of a dossier's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryOut {
    pub seq: i64,
    /// `dossier.received`, `dossier.handed_over`, …
    pub kind: String,
    /// The action in Vietnamese.
    pub label: String,
    pub at: String,
    pub actor_id: String,
    pub actor_role: String,
    pub actor_unit: String,
    pub from: String,
    pub to: String,
    /// Marks read by inspection (`repeated_request`, `not_in_published_procedure`, …).
    pub flags: Vec<String>,
    /// Appointment before the event, when the event changed it.
    pub previous_appointment: Option<String>,
    /// The command as accepted.
    #[schema(value_type = Object)]
    pub command: serde_json::Value,
}

pub fn history_out(e: &HistoryEntry) -> HistoryOut {
    let flags = serde_json::to_value(&e.event.flags)
        .ok()
        .and_then(|v| serde_json::from_value::<Vec<String>>(v).ok())
        .unwrap_or_default();
    HistoryOut {
        seq: e.row.seq,
        kind: e.row.kind.clone(),
        label: e.event.command.label_vi().to_owned(),
        at: iso(e.row.occurred_at),
        actor_id: e.row.actor_id.clone(),
        actor_role: e.row.actor_role.clone(),
        actor_unit: e.row.actor_unit.clone(),
        from: e.event.from.as_str().to_owned(),
        to: e.event.to.as_str().to_owned(),
        flags,
        previous_appointment: e
            .event
            .previous_appointment
            .map(|t| t.with_timezone(&motcua_core::calendar::vn_offset()).to_rfc3339()),
        command: serde_json::to_value(&e.event.command).unwrap_or_default(),
    }
}

/// Every event of a dossier, oldest first.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/history", operation_id = "dossier_history", tag = "dossiers", security(("api_key" = [])),
    params(("id" = String, Path, description = "Dossier id or code")),
    responses((status = 200, description = "The history", body = Vec<HistoryOut>),
    (status = 404, description = "No such dossier", body = crate::problem::Problem)))]
pub async fn history(State(st): State<AppState>, Path(id): Path<String>) -> Result<Json<Vec<HistoryOut>>, ApiError> {
    let rec = find(&st, &id).await?;
    let events = dossiers::history(st.store.db(), &rec.row.id).await?;
    Ok(Json(events.iter().map(history_out).collect()))
}

// --------------------------------------------------------------------------------- commands

/// A command with the version the caller saw.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandIn {
    /// `version` of the dossier as last read; a stale version is refused (409 `conflict`).
    pub expected_version: i64,
    /// The command, tagged by `kind`: `assign {assignee}`, `hand_over {receiver}`,
    /// `send_to_agency {agency, steps}` (liên thông; optional `steps`: the partner agency's
    /// part, `[{"name", "unit_code", "slice": "3wd"}]`, units of that agency or the agency
    /// itself — they become steps of the dossier after the current one), `return_from_agency`
    /// (after the partner's last step), `request_supplement {items, reason,
    /// repeat_reason}` (items: `{"type": "component", "component": {"index": 0}, "note"}` or
    /// `{"type": "other", "name", "justification"}`), `supplement_received`, `request_fee
    /// {items}` (empty: the pinned version's fees), `fee_paid {receipt, amount}`,
    /// `issue_apology {reason, new_appointment}`, `approve {number, date}`, `deny {reason}`,
    /// `stop {reason}`, `withdraw {reason}`, `return_result {method: {"method": "counter",
    /// "received_by"} | {"method": "post", "tracking"} | {"method": "electronic"}}`, `evaluate
    /// {scores: [nine 0–2]}`, `guide_to_complete {missing, reason, repeat_reason}`,
    /// `refuse_at_intake {reason}`, `receive {present: [{index, file_id}]}` (a dossier guided
    /// to complete, now complete). The hand-over verdict and the appointment after a
    /// supplement are computed by the server from the calendar.
    #[schema(value_type = Object)]
    pub command: serde_json::Value,
}

/// What the API runs: a core command, or one of the two that need the pinned version first.
enum Requested {
    Core(Command),
    Supplement(SupplementDraft),
    ReceiveGuided(Vec<PresentComponent>),
}

#[derive(Deserialize)]
struct ReceiveIn {
    #[serde(default)]
    present: Vec<PresentIn>,
}

fn invalid_command(e: serde_json::Error) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "command_invalid").with_detail(e.to_string())
}

/// Values the store computes from the calendar (hand-over verdict, appointment after a
/// supplement) may be left out: a placeholder is put in, and the store replaces it anyway.
fn fill_computed(kind: &str, v: &mut serde_json::Value, at: DateTime<Utc>) {
    let (key, placeholder) = match kind {
        "hand_over" => ("verdict", serde_json::json!("on_time")),
        "supplement_received" => ("appointment", serde_json::json!(at.to_rfc3339())),
        _ => return,
    };
    if let Some(m) = v.as_object_mut() {
        m.entry(key).or_insert(placeholder);
    }
}

fn parse_command(mut v: serde_json::Value, at: DateTime<Utc>) -> Result<Requested, ApiError> {
    let kind = v
        .get("kind")
        .and_then(|k| k.as_str())
        .ok_or_else(|| ApiError::unprocessable("command_invalid", "command.kind"))?
        .to_owned();
    fill_computed(&kind, &mut v, at);
    match kind.as_str() {
        "request_supplement" => Ok(Requested::Supplement(
            serde_json::from_value(v).map_err(invalid_command)?,
        )),
        "receive" => {
            let r: ReceiveIn = serde_json::from_value(v).map_err(invalid_command)?;
            Ok(Requested::ReceiveGuided(
                r.present
                    .into_iter()
                    .map(present_component)
                    .collect::<Result<Vec<_>, _>>()?,
            ))
        }
        _ => match serde_json::from_value::<Command>(v) {
            Ok(c) => Ok(Requested::Core(c)),
            Err(e) if e.to_string().starts_with("unknown variant") => {
                Err(ApiError::unprocessable("command_unknown", "command.kind").with_detail(kind))
            }
            Err(e) => Err(invalid_command(e)),
        },
    }
}

/// The command whose permission applies (payloads do not matter to the rule).
fn probe(req: &Requested, rec: &DossierRecord, at: DateTime<Utc>) -> Result<Command, ApiError> {
    Ok(match req {
        Requested::Core(c) => c.clone(),
        Requested::Supplement(_) => Command::RequestSupplement(SupplementRequest {
            items: vec![],
            reason: String::new(),
            number: 0,
            repeated_request: false,
            repeat_reason: None,
        }),
        Requested::ReceiveGuided(_) => {
            let unit = UnitCode::parse(&rec.row.receiving_unit)
                .map_err(|e| ApiError::internal().with_detail(e.to_string()))?;
            Command::Receive {
                code: DossierCode::for_receipt(unit, at, 1)
                    .map_err(|e| ApiError::internal().with_detail(e.to_string()))?,
                appointment: at,
                steps: 1,
            }
        }
    })
}

/// A user named by a command (assignee, receiver) must exist.
async fn check_user(st: &AppState, id: &str, field: &str) -> Result<(), ApiError> {
    if id.trim().is_empty() || identity::user_recent(&st.store, id).await?.is_some() {
        // An empty name is the core's `field_required`.
        return Ok(());
    }
    Err(ApiError::unprocessable("user_unknown", field).with_detail(id.to_owned()))
}

/// The fees of the pinned version for the dossier's channel and variant.
async fn pinned_fees(st: &AppState, rec: &DossierRecord) -> Result<Vec<motcua_core::dossiers::FeeLine>, ApiError> {
    let version = dossiers::pinned_version(&st.store, &rec.row.version_id).await?;
    let channel = u8::try_from(rec.row.channel)
        .ok()
        .and_then(Channel::from_code)
        .ok_or_else(ApiError::internal)?;
    let list = checklist(&version, channel, rec.row.variant.as_deref())
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code()).with_detail(e.message_vi()))?;
    Ok(list.fees)
}

/// Run a command on a dossier. The caller's role must permit it in one of the units handling
/// the dossier (receiving unit, holding unit, current step's unit; for approve, deny and stop
/// also the last step's unit); the state machine decides the rest.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/commands", operation_id = "run_dossier_command", tag = "dossiers",
    params(("id" = String, Path, description = "Dossier id or code")),
    request_body = CommandIn,
    responses((status = 200, description = "Applied: the dossier after the command", body = DossierOut),
    (status = 403, description = "The caller's role may not run this command here", body = crate::problem::Problem),
    (status = 404, description = "No such dossier", body = crate::problem::Problem),
    (status = 409, description = "`illegal_transition` (wrong state), `conflict` (stale version), `already_evaluated`, `apology_already_issued`", body = crate::problem::Problem),
    (status = 422, description = "Bad input, with the core's code (`repeat_supplement_needs_reason`, `other_item_needs_justification`, `missing_components`, `field_required`, …)", body = crate::problem::Problem)))]
pub async fn command(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CommandIn>,
) -> Result<Json<DossierOut>, ApiError> {
    let p = principal(&ctx)?;
    let now = Utc::now();
    // The record this process last wrote, when the caller saw that version: a command then
    // reads nothing (the write checks the version again in its transaction).
    let rec = dossiers::for_command(&st.store, &id, Some(b.expected_version))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("dossier {id}")))?;
    let req = parse_command(b.command, now)?;
    let probe = probe(&req, &rec, now)?;
    let roles = roles_by_unit_code(&st, p).await?;
    let actor = acting_as(p, &roles, &probe, &rec)
        .ok_or_else(|| ApiError::forbidden().with_detail(format!("command {}", probe.name())))?;
    let dl = st.deadlines();
    let dossier_id = rec.row.id.clone();
    let v = b.expected_version;
    match req {
        Requested::Supplement(draft) => {
            dossiers::request_supplement(&st.store, dl, &actor, now, &dossier_id, v, draft).await?;
        }
        Requested::ReceiveGuided(present) => {
            if rec.row.version == v {
                check_guided_receipt(&st, &rec, &present).await?;
            }
            dossiers::receive_guided(&st.store, dl, &actor, now, &dossier_id, v, present).await?;
        }
        Requested::Core(mut cmd) => {
            match &mut cmd {
                Command::Assign { assignee } => check_user(&st, assignee, "command.assignee").await?,
                Command::HandOver { receiver, .. } => check_user(&st, receiver, "command.receiver").await?,
                Command::RequestFee { items } if items.is_empty() => *items = pinned_fees(&st, &rec).await?,
                _ => {}
            }
            dossiers::apply_command_to(&st.store, dl, &actor, now, rec, v, cmd).await?;
        }
    }
    Ok(Json(dossier_out(&after_write(&st, &dossier_id).await?)))
}

/// The dossier just written, as the write left it (kept in memory by the store).
async fn after_write(st: &AppState, id: &str) -> Result<DossierRecord, ApiError> {
    dossiers::for_command(&st.store, id, None)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("dossier {id}")))
}

/// Before receiving a guided dossier: every missing required component listed (422).
async fn check_guided_receipt(
    st: &AppState,
    rec: &DossierRecord,
    present: &[PresentComponent],
) -> Result<(), ApiError> {
    // Only a dossier still waiting for receipt has a checklist to complete; others get the
    // state machine's 409 from the store.
    if !matches!(rec.dossier.state, DossierState::Submitted | DossierState::Guided) {
        return Ok(());
    }
    let Ok(version) = dossiers::pinned_version(&st.store, &rec.row.version_id).await else {
        return Ok(());
    };
    let Some(channel) = u8::try_from(rec.row.channel).ok().and_then(Channel::from_code) else {
        return Ok(());
    };
    let Ok(list) = checklist(&version, channel, rec.row.variant.as_deref()) else {
        return Ok(());
    };
    let mut all: Vec<usize> = rec
        .components
        .iter()
        .filter(|c| c.present)
        .map(|c| c.position as usize)
        .collect();
    all.extend(present.iter().map(|p| p.index));
    match list.check(&all) {
        Err(e @ DossierError::MissingComponents { .. }) => Err(missing_problem(&e)),
        _ => Ok(()),
    }
}

// ------------------------------------------------------------------------------------ files

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file's name (kept for downloads only).
    pub name: Option<String>,
}

/// A stored file's metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileOut {
    pub id: String,
    pub name: String,
    /// Read from the file's first bytes, whatever the client declared.
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: String,
}

/// Upload a scan or document as the raw request body, or as the first file of a
/// `multipart/form-data` body (as a browser form sends it). Whatever type is declared, the type
/// is read from the first bytes: PDF, JPEG, PNG, DOCX or XLSX. Size limit: the server's
/// `upload_limit`.
#[utoipa::path(post, path = "/api/v1/files", operation_id = "upload_file", tag = "dossiers", security(("api_key" = [])),
    params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file's bytes"),
    responses((status = 201, description = "Stored", body = FileOut),
    (status = 413, description = "`file_too_large`", body = crate::problem::Problem),
    (status = 415, description = "`file_type_not_allowed`: not a PDF, JPEG, PNG, DOCX or XLSX by its content", body = crate::problem::Problem),
    (status = 422, description = "`file_empty`", body = crate::problem::Problem)))]
pub async fn upload(
    State(st): State<AppState>,
    ctx: ReqCtx,
    ApiQuery(q): ApiQuery<UploadQuery>,
    headers: axum::http::HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<FileOut>), ApiError> {
    let p = principal(&ctx)?;
    // Multipart framing adds a little to the file; allow for it.
    let limit = st.config.upload_limit.min(files::MAX_FILE_BYTES);
    let bytes = axum::body::to_bytes(body, limit.saturating_add(64 * 1024))
        .await
        .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "file_too_large"))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let f = if content_type.to_ascii_lowercase().starts_with("multipart/form-data") {
        let boundary = content_type
            .split(';')
            .find_map(|p| p.trim().strip_prefix("boundary="))
            .map(|b| b.trim_matches('"').to_owned())
            .unwrap_or_default();
        let form = crate::pages::dossiers::input::parse_multipart(&bytes, &boundary)
            .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "invalid_form"))?;
        let upload = form
            .files
            .into_iter()
            .find(|f| !f.bytes.is_empty())
            .ok_or_else(|| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "file_empty"))?;
        files::NewFile {
            name: q.name.unwrap_or(upload.name),
            bytes: upload.bytes,
        }
    } else {
        files::NewFile {
            name: q.name.unwrap_or_default(),
            bytes: bytes.to_vec(),
        }
    };
    if f.bytes.len() > limit {
        return Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "file_too_large"));
    }
    let meta = files::put(&st.store, &p.actor(), Utc::now(), f)
        .await
        .map_err(|e| match e {
            StoreError::Rejected {
                code: "file_type_not_allowed",
                message,
            } => ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "file_type_not_allowed").with_detail(message),
            StoreError::Rejected {
                code: "file_too_large",
                message,
            } => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "file_too_large").with_detail(message),
            other => other.into(),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(FileOut {
            id: meta.id,
            name: meta.name,
            content_type: meta.content_type,
            size: meta.size,
            sha256: meta.sha256,
            created_at: iso(meta.created_at),
        }),
    ))
}

/// `attachment; filename="…"; filename*=UTF-8''…` with an ASCII fallback.
fn disposition(name: &str) -> HeaderValue {
    let ascii: String = motcua_core::catalog::fold(name)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// A stored file, as an attachment with the content type read at upload.
#[utoipa::path(get, path = "/api/v1/files/{id}", operation_id = "download_file", tag = "dossiers", security(("api_key" = [])),
    params(("id" = String, Path, description = "File id")),
    responses((status = 200, description = "The file's bytes"),
    (status = 404, description = "No such file", body = crate::problem::Problem)))]
pub async fn download(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let f = files::get(st.store.db(), &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("file {id}")))?;
    let ct =
        HeaderValue::from_str(&f.content_type).unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    Ok((
        [
            (header::CONTENT_TYPE, ct),
            (header::CONTENT_DISPOSITION, disposition(&f.name)),
        ],
        f.bytes,
    )
        .into_response())
}
