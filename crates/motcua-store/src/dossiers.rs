//! Dossiers (hồ sơ TTHC): intake, commands, the work inbox, the public lookup and calendar
//! recomputation — the imperative shell around `motcua_core::dossiers` (DESIGN §4, §6; issue 5).
//!
//! Every rule lives in the core: the checklist, the appointment, step deadlines and verdicts,
//! the state machine. This module reads what the core needs (pinned procedure version, agency
//! calendar, the folded [`Dossier`]), asks the core, and writes the answer — the `dossiers` row,
//! its checklist and step rows, and the event on aggregate `dossier`/<id> — in **one** unit of
//! work.
//!
//! * The applicant's e-mail about an event (receipt, supplement request, apology, result) is
//!   queued in the outbox in the same unit of work ([`crate::outbox::queue_dossier_mail`]).
//! * Event kinds are `dossier.<core event kind>` (`dossier.received`, `dossier.handed_over`, …).
//!   The payload is the core [`Event`] as JSON (`at`, `command`, `from`, `to`,
//!   `previous_appointment`, `flags`); the first event also carries `intake` (procedure, pinned
//!   version, channel, variant, receiving unit, applicant, components present). So
//!   `Dossier::from_events` over [`history`] rebuilds the `document` column.
//! * `version` of a dossier is the `seq` of its last event; [`apply_command`] takes the version
//!   the caller saw and answers [`StoreError::Conflict`] when it is stale.
//! * Codes are allocated only for received dossiers, inside the unit of work that receives them
//!   (`dossier_sequences`, one upsert that locks the unit's row for the day), so concurrent
//!   receipts get distinct sequences and a failed receipt leaves no gap. Dossiers guided to
//!   complete (Mẫu 02) or refused (Mẫu 03) are recorded without a code: the core gives a code
//!   only with `Command::Receive`.
//! * Values that need the calendar are computed here with the core and put into the command:
//!   the hand-over verdict ([`step_verdict`]), the appointment after a supplement
//!   ([`extended_due`]), reschedules after a calendar change ([`recompute_due`]). A verdict or
//!   appointment sent by the caller in those commands is replaced.
//!
//! * Liên thông with the partner's steps: the send finishes the sender's step row (receiver:
//!   the partner agency) and inserts the partner's steps right after it (later rows move down;
//!   `agency_code` names the partner), the first one started with its deadline from the partner
//!   agency's calendar; the return finishes the partner's last row and starts the sender's
//!   next one. A partner step's unit must be the agency or one of its units
//!   (`partner_unit_unknown`). It stays one `dossiers` row, so every count sees it once.
//!
//! Errors: a core [`TransitionError`] or [`DossierError`] becomes [`StoreError::Rejected`] with
//! the core's stable code. `illegal_transition` is a wrong-state error (409 at the web edge);
//! the other codes are bad input (422). A stale version is [`StoreError::Conflict`] (409).

use std::collections::HashMap;

use crate::batch::{Arg, Batch};
use crate::calendar::CalendarCache;
use crate::catalog;
use crate::db::{Db, Store, Tx};
use crate::error::StoreError;
use crate::events::{self, Actor, EventRow, NewEvent};
use crate::time::{from_us, to_us};
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};
use motcua_core::calendar::{AgencyCalendar, Duration, vn_offset};
use motcua_core::catalog::{Channel, ProcedureVersion, fold};
use motcua_core::dossiers::{
    Applicant, Command, DeadlineRules, Dossier, DossierCode, DossierError, DossierState, Event, StepVerdict,
    SupplementDraft, TransitionError, appointment, checklist, decide, extended_due, normalize_phone,
    planned_step_deadlines, step_due, step_verdict, verdict_against,
};
use motcua_core::identity::UnitCode;
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::Arc;

pub const AGGREGATE_TYPE: &str = "dossier";

/// Name of the one step of a dossier whose pinned channel defines no internal workflow.
pub const DEFAULT_STEP_NAME: &str = "Giải quyết hồ sơ";

/// Where deadlines come from: the calendar cache and the deadline rules in force.
#[derive(Clone, Copy)]
pub struct Deadlines<'a> {
    pub calendars: &'a CalendarCache,
    pub rules: &'a DeadlineRules,
}

// ------------------------------------------------------------------------------------- rows

/// A dossier as stored (the columns; the folded core state is `document`).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct DossierRow {
    pub id: String,
    /// Mã hồ sơ; `None` for a dossier guided to complete or refused at intake.
    pub code: Option<String>,
    pub intake_key: Option<String>,
    pub procedure_id: String,
    /// The pinned procedure version (`procedure_versions.id`).
    pub version_id: String,
    pub procedure_name: String,
    /// KenhThucHien 1, 2, 3.
    pub channel: i64,
    pub variant: Option<String>,
    pub receiving_unit: String,
    /// The applicant as JSON (`motcua_core::dossiers::Applicant`).
    pub applicant: String,
    pub applicant_name: String,
    /// The name folded for search without diacritics.
    pub applicant_folded: String,
    /// Normalised phone (leading 0), the lookup's second factor.
    pub applicant_phone: String,
    /// Citizen id (person) or tax code (organisation), the other second factor.
    pub applicant_id_number: String,
    /// Folded code and applicant name.
    pub search_text: String,
    pub state: String,
    pub national_status: i64,
    pub is_open: bool,
    /// Current step index (0-based).
    pub current_step: i64,
    pub steps_total: i64,
    pub assignee: Option<String>,
    /// Unit whose queue holds the dossier.
    pub current_unit: String,
    pub appointment: Option<i64>,
    pub original_appointment: Option<i64>,
    pub received_at: Option<i64>,
    /// The folded `motcua_core::dossiers::Dossier` as JSON.
    pub document: String,
    /// Seq of the last event.
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One line of the intake checklist.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct ComponentRow {
    pub dossier_id: String,
    /// Index of the component in the pinned version.
    pub position: i64,
    pub name: String,
    pub copy_type: String,
    pub quantity: i64,
    pub required: bool,
    pub present: bool,
    /// The scan (marks the component digitized).
    pub file_id: Option<String>,
}

/// One workflow step (a row of Mẫu 05).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct StepRow {
    pub dossier_id: String,
    pub position: i64,
    pub name: String,
    pub unit_code: String,
    /// Time slice (`3wd`), empty when the channel has none (same-day procedures).
    pub slice: String,
    /// Deadline: planned at receipt, recomputed from the actual start when the step starts.
    pub due_at: Option<i64>,
    pub assignee: Option<String>,
    pub started_at: Option<i64>,
    pub handed_over_at: Option<i64>,
    pub giver: Option<String>,
    pub receiver: Option<String>,
    /// `early`, `on_time` or `late`.
    pub verdict: Option<String>,
    /// The partner agency on the steps of a liên thông part; `None` on the receiving agency's
    /// own steps.
    pub agency_code: Option<String>,
}

/// A dossier with its folded state, checklist and steps.
#[derive(Debug, Clone, Serialize)]
pub struct DossierRecord {
    pub row: DossierRow,
    pub dossier: Dossier,
    pub components: Vec<ComponentRow>,
    pub steps: Vec<StepRow>,
}

const DOSSIER_COLUMNS: &str = "id, code, intake_key, procedure_id, version_id, procedure_name, channel, variant, receiving_unit, \
     applicant, applicant_name, applicant_folded, applicant_phone, applicant_id_number, search_text, state, national_status, \
     is_open, current_step, steps_total, assignee, current_unit, appointment, original_appointment, received_at, document, \
     version, created_at, updated_at";
const COMPONENT_COLUMNS: &str = "dossier_id, position, name, copy_type, quantity, required, present, file_id";
const STEP_COLUMNS: &str = "dossier_id, position, name, unit_code, slice, due_at, assignee, started_at, handed_over_at, giver, receiver, verdict, agency_code";

// ----------------------------------------------------------------------------------- errors

fn transition(e: TransitionError) -> StoreError {
    StoreError::Rejected {
        code: e.code(),
        message: e.message_vi(),
    }
}

fn invalid(e: DossierError) -> StoreError {
    StoreError::Rejected {
        code: e.code(),
        message: e.message_vi(),
    }
}

fn unreadable(what: &str, e: serde_json::Error) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(format!("{what} is unreadable: {e}").into()))
}

/// Foreign-key violations (an unknown file id) are bad input, not faults.
fn fk_as_rejected(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e
        && d.is_foreign_key_violation()
    {
        return StoreError::rejected("file_unknown", "a component names a file that does not exist");
    }
    StoreError::from_sqlx(e)
}

// ------------------------------------------------------------------------------------ intake

/// A component the clerk marked present, by index in the pinned version, with its scan and,
/// when the papers differ from what the procedure lists, the copy type and number of copies
/// actually handed in (recorded on the checklist; the pinned version's values otherwise).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PresentComponent {
    pub index: usize,
    pub file_id: Option<String>,
    pub copy_type: Option<motcua_core::catalog::CopyType>,
    pub quantity: Option<u32>,
}

/// The outcome the clerk chose (exactly one, issue 5 item 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntakeOutcome {
    /// Tiếp nhận (Mẫu 01): every required component must be present.
    Receive,
    /// Hướng dẫn bổ sung, hoàn thiện (Mẫu 02); an empty `missing` list means "the required
    /// components not marked present".
    GuideToComplete { missing: Vec<String>, reason: String },
    /// Từ chối tiếp nhận (Mẫu 03).
    Refuse { reason: String },
}

/// What the clerk entered at the desk (or a machine client sent for channel 2).
#[derive(Debug, Clone)]
pub struct Intake {
    /// National or applied procedure code, or the procedure id.
    pub procedure: String,
    pub channel: Channel,
    pub variant: Option<String>,
    pub applicant: Applicant,
    pub present: Vec<PresentComponent>,
    /// Electronic identifier code of the receiving unit (its calendar sets the appointment).
    pub receiving_unit: String,
    pub outcome: IntakeOutcome,
    /// A key the client makes once per paper dossier (e.g. the intake form's token): a second
    /// intake with the same key is a [`StoreError::Conflict`], so two clerks receiving the same
    /// papers at once make exactly one dossier.
    pub intake_key: Option<String>,
}

/// The version of a procedure in force on the day of receipt, which the dossier pins.
pub struct Pinned {
    procedure_id: String,
    version_id: String,
    version: ProcedureVersion,
}

/// The version of `procedure` (its code) in force on the local day of `at`; remembered per
/// [`crate::memo`] (a publication made here is seen at once, one made by another process
/// within a second).
async fn pinned_at(store: &Store, procedure: &str, at: DateTime<Utc>) -> Result<Arc<Pinned>, StoreError> {
    let day = at.with_timezone(&vn_offset()).date_naive();
    let memory = &store.memory().in_force;
    let key = (procedure.to_owned(), day);
    if let Some(p) = memory.get(store, &key) {
        return Ok(p);
    }
    let generation = memory.generation(store);
    let db = store.db();
    let p = catalog::procedure_by_code(db, procedure)
        .await?
        .ok_or_else(|| StoreError::rejected("procedure_unknown", format!("procedure {procedure}")))?;
    let v = catalog::in_force(db, &p.id, day)
        .await?
        .ok_or_else(|| StoreError::rejected("procedure_not_in_force", format!("procedure {procedure} on {day}")))?;
    let pinned = Arc::new(Pinned {
        procedure_id: p.id,
        version_id: v.id,
        version: serde_json::from_str(&v.document).map_err(|e| unreadable("the procedure version", e))?,
    });
    memory.put(key, pinned.clone(), generation);
    Ok(pinned)
}

/// The procedure version a dossier pinned, parsed; remembered, since a published version never
/// changes.
pub async fn pinned_version(store: &Store, version_id: &str) -> Result<Arc<ProcedureVersion>, StoreError> {
    let memory = &store.memory().versions;
    if let Some(v) = memory.get(&version_id.to_owned()) {
        return Ok(v);
    }
    let v = catalog::version(store.db(), version_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("procedure version {version_id}")))?;
    let parsed: Arc<ProcedureVersion> =
        Arc::new(serde_json::from_str(&v.document).map_err(|e| unreadable("the procedure version", e))?);
    // Only a published version is fixed; a draft may still be edited.
    if v.status != "draft" {
        memory.put(version_id.to_owned(), parsed.clone());
    }
    Ok(parsed)
}

async fn unit_code(store: &Store, code: &str) -> Result<UnitCode, StoreError> {
    let unit = UnitCode::parse(code).map_err(|e| StoreError::rejected("unit_code_invalid", e.to_string()))?;
    let units = crate::identity::units_recent(store).await?;
    if !units.iter().any(|u| u.code == unit.as_str()) {
        return Err(StoreError::rejected("unit_unknown", format!("unit {code}")));
    }
    Ok(unit)
}

/// The applicant's lookup columns: name, folded name, normalised phone, citizen id / tax code.
fn applicant_columns(a: &Applicant) -> (String, String, String, String) {
    let (phone, id) = match a {
        Applicant::Person(p) => (&p.phone, &p.citizen_id),
        Applicant::Organisation(o) => (&o.phone, &o.tax_code),
    };
    (
        a.name().trim().to_owned(),
        fold(a.name()),
        normalize_phone(phone).unwrap_or_default(),
        id.trim().to_owned(),
    )
}

fn check_applicant(a: &Applicant) -> Result<(), StoreError> {
    let problems = a.validate();
    if problems.is_empty() {
        return Ok(());
    }
    Err(StoreError::rejected(
        "applicant_invalid",
        problems
            .iter()
            .map(|p| format!("{} ({}): {}", p.field, p.code, p.message_vi()))
            .collect::<Vec<_>>()
            .join(" "),
    ))
}

/// A planned step before it is written.
#[derive(Debug, Clone)]
struct PlannedStep {
    name: String,
    unit_code: String,
    slice: String,
    due_at: Option<i64>,
    /// Set on the first step of a liên thông part, which starts when it is sent.
    started_at: Option<i64>,
}

/// The steps of the pinned channel's workflow with their planned deadlines; one step (the
/// whole time limit, due at the appointment) when the channel defines no workflow.
fn plan_steps(
    cal: &AgencyCalendar,
    version: &ProcedureVersion,
    channel: Channel,
    unit: &UnitCode,
    received: DateTime<Utc>,
    appointment_at: DateTime<Utc>,
    rules: &DeadlineRules,
) -> Result<Vec<PlannedStep>, StoreError> {
    let spec = version.channel(channel);
    let workflow = spec.map(|s| s.workflow.as_slice()).unwrap_or_default();
    if workflow.is_empty() {
        return Ok(vec![PlannedStep {
            name: DEFAULT_STEP_NAME.into(),
            unit_code: unit.as_str().to_owned(),
            slice: spec
                .and_then(|s| s.time_limit)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            due_at: Some(to_us(appointment_at)),
            started_at: None,
        }]);
    }
    let dues = planned_step_deadlines(cal, workflow, received, rules).map_err(invalid)?;
    Ok(workflow
        .iter()
        .zip(dues)
        .map(|(s, due)| PlannedStep {
            name: s.name.clone(),
            unit_code: s.unit_code.as_str().to_owned(),
            slice: s.slice.to_string(),
            due_at: Some(to_us(due)),
            started_at: None,
        })
        .collect())
}

/// What the receipt needs from the calendar, computed before the unit of work.
struct ReceiptPlan {
    unit: UnitCode,
    appointment: DateTime<Utc>,
    steps: Vec<PlannedStep>,
}

async fn plan_receipt(
    store: &Store,
    dl: Deadlines<'_>,
    version: &ProcedureVersion,
    channel: Channel,
    unit: &UnitCode,
    at: DateTime<Utc>,
) -> Result<ReceiptPlan, StoreError> {
    let cal = dl.calendars.agency(store, Some(unit.as_str()), None).await?;
    let appt = appointment(&cal, version, channel, at, dl.rules).map_err(invalid)?;
    let steps = plan_steps(&cal, version, channel, unit, at, appt.at, dl.rules)?;
    Ok(ReceiptPlan {
        unit: unit.clone(),
        appointment: appt.at,
        steps,
    })
}

/// Allocate the next code of `unit` for the local day of `at`, inside the unit of work.
async fn allocate_code(tx: &mut Tx, unit: &UnitCode, at: DateTime<Utc>) -> Result<DossierCode, StoreError> {
    let day = at
        .with_timezone(&vn_offset())
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let last: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO dossier_sequences (unit_code, day, last) VALUES ($1, $2, 1) \
         ON CONFLICT (unit_code, day) DO UPDATE SET last = dossier_sequences.last + 1 RETURNING last"
    )
    .bind(unit.as_str())
    .bind(&day)
    .fetch_one(c)
    .await)
    .map_err(StoreError::from_sqlx)?;
    DossierCode::for_receipt(unit.clone(), at, u32::try_from(last).unwrap_or(u32::MAX)).map_err(invalid)
}

/// The planned steps, in one statement.
fn insert_steps(batch: &mut Batch, id: &str, steps: &[PlannedStep]) {
    if steps.is_empty() {
        return;
    }
    let mut args = Vec::with_capacity(steps.len() * 6);
    for (i, s) in steps.iter().enumerate() {
        args.extend([
            id.into(),
            (i as i64).into(),
            (&s.name).into(),
            (&s.unit_code).into(),
            (&s.slice).into(),
            s.due_at.into(),
        ]);
    }
    batch.push(
        format!(
            "INSERT INTO dossier_steps (dossier_id, position, name, unit_code, slice, due_at) VALUES {}",
            placeholders(steps.len(), 6)
        ),
        args,
        steps.len() as u64,
    );
}

/// `($1, …, $width), ($width+1, …)` for `rows` rows of a multi-row `INSERT`.
fn placeholders(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| {
            let cols: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", cols.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn event_payload(e: &Event, extra: Option<(&str, Value)>) -> Value {
    let mut v = serde_json::to_value(e).unwrap_or(Value::Null);
    if let (Some((k, x)), Value::Object(m)) = (extra, &mut v) {
        m.insert(k.to_owned(), x);
    }
    v
}

/// Where the dossier waits: the unit of its current step while it is processed, the partner
/// agency during liên thông, the receiving unit before and after processing.
fn current_unit(d: &Dossier, receiving_unit: &str, step_units: &[String]) -> String {
    use DossierState as S;
    match d.state {
        S::AtPartnerAgency if d.partner_steps > 0 => step_units
            .get(d.step as usize)
            .cloned()
            .unwrap_or_else(|| receiving_unit.to_owned()),
        S::AtPartnerAgency => d
            .partner_agency
            .as_ref()
            .map(|u| u.as_str().to_owned())
            .unwrap_or_else(|| receiving_unit.to_owned()),
        S::Received | S::Processing | S::AwaitingSupplement | S::AwaitingFee | S::AwaitingDecision => {
            let i = (d.step as usize).min(step_units.len().saturating_sub(1));
            step_units.get(i).cloned().unwrap_or_else(|| receiving_unit.to_owned())
        }
        _ => receiving_unit.to_owned(),
    }
}

/// Record a dossier at the desk: received (code, appointment, planned steps), guided to
/// complete or refused — one unit of work with its first event.
///
/// Rejected: `applicant_invalid`, `unit_code_invalid`, `unit_unknown`, `procedure_unknown`,
/// `procedure_not_in_force`, the core's `channel_not_offered`, `variant_unknown`,
/// `component_unknown`, `missing_components` (naming them; nothing is written),
/// `no_time_limit`, `sequence_out_of_range`, `file_unknown`, `field_required`. Conflict: the
/// intake key was already used.
pub async fn receive(
    store: &Store,
    dl: Deadlines<'_>,
    actor: &Actor,
    at: DateTime<Utc>,
    intake: Intake,
) -> Result<DossierRow, StoreError> {
    check_applicant(&intake.applicant)?;
    let unit = unit_code(store, &intake.receiving_unit).await?;
    let pinned = pinned_at(store, &intake.procedure, at).await?;
    let list = checklist(&pinned.version, intake.channel, intake.variant.as_deref()).map_err(invalid)?;
    let present: Vec<usize> = intake.present.iter().map(|p| p.index).collect();
    let checked = list.check(&present);
    if let Err(e @ DossierError::ComponentUnknown { .. }) = &checked {
        return Err(invalid(e.clone()));
    }
    let (command, plan) = match &intake.outcome {
        IntakeOutcome::Receive => {
            checked.map_err(invalid)?;
            let plan = plan_receipt(store, dl, &pinned.version, intake.channel, &unit, at).await?;
            (None, Some(plan))
        }
        IntakeOutcome::GuideToComplete { missing, reason } => {
            let missing = if missing.iter().all(|m| m.trim().is_empty()) {
                match &checked {
                    Err(DossierError::MissingComponents { missing }) => {
                        missing.iter().map(|m| m.name.clone()).collect()
                    }
                    _ => vec![],
                }
            } else {
                missing.clone()
            };
            let cmd = Command::GuideToComplete {
                missing,
                reason: reason.clone(),
                repeat_reason: None,
            };
            (Some(cmd), None)
        }
        IntakeOutcome::Refuse { reason } => (Some(Command::RefuseAtIntake { reason: reason.clone() }), None),
    };
    // Check guidance and refusal now, so bad input never reaches the writer.
    if let Some(cmd) = &command {
        decide(&Dossier::default(), cmd, at).map_err(transition)?;
    }

    let (name, folded, phone, id_number) = applicant_columns(&intake.applicant);
    let applicant_json = serde_json::to_string(&intake.applicant).unwrap_or_default();
    // Time-ordered (UUIDv7), so the dossiers being worked on sit together at the end of every
    // index keyed by dossier id (the event log's chain key, the steps, the checklist): a group
    // commit then writes a few shared pages instead of one page per dossier (BENCHMARKS.md).
    let id = uuid::Uuid::now_v7().to_string();
    let now = to_us(at);
    if let Some(p) = intake.present.iter().find(|p| p.quantity == Some(0)) {
        return Err(StoreError::rejected(
            "quantity_invalid",
            format!("Số lượng của thành phần hồ sơ số {} phải từ 1 trở lên.", p.index + 1),
        ));
    }
    let present_set: HashMap<usize, Option<String>> =
        intake.present.iter().map(|p| (p.index, p.file_id.clone())).collect();
    let handed_in: HashMap<usize, &PresentComponent> = intake.present.iter().map(|p| (p.index, p)).collect();
    let components: Vec<ComponentRow> = list
        .items
        .iter()
        .map(|i| ComponentRow {
            dossier_id: id.clone(),
            position: i.index as i64,
            name: i.name.clone(),
            copy_type: serde_json::to_value(handed_in.get(&i.index).and_then(|p| p.copy_type).unwrap_or(i.copy_type))
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            quantity: i64::from(handed_in.get(&i.index).and_then(|p| p.quantity).unwrap_or(i.quantity)),
            required: i.requirement == motcua_core::catalog::Requirement::Required,
            present: present_set.contains_key(&i.index),
            file_id: present_set.get(&i.index).cloned().flatten(),
        })
        .collect();
    let intake_json = json!({
        "procedure_id": pinned.procedure_id,
        "version_id": pinned.version_id,
        "channel": intake.channel.code(),
        "variant": intake.variant,
        "receiving_unit": unit.as_str(),
        "applicant": intake.applicant,
        "present": intake.present.iter().map(|p| json!({"index": p.index, "file_id": p.file_id})).collect::<Vec<_>>(),
        "intake_key": intake.intake_key,
    });
    let mut row = DossierRow {
        id: id.clone(),
        code: None,
        intake_key: intake.intake_key.clone(),
        procedure_id: pinned.procedure_id.clone(),
        version_id: pinned.version_id.clone(),
        procedure_name: pinned.version.name.clone(),
        channel: i64::from(intake.channel.code()),
        variant: intake.variant.clone(),
        receiving_unit: unit.as_str().to_owned(),
        applicant: applicant_json,
        applicant_name: name,
        applicant_folded: folded.clone(),
        applicant_phone: phone,
        applicant_id_number: id_number,
        search_text: folded,
        state: String::new(),
        national_status: 0,
        is_open: false,
        current_step: 0,
        steps_total: 0,
        assignee: None,
        current_unit: unit.as_str().to_owned(),
        appointment: None,
        original_appointment: None,
        received_at: None,
        document: String::new(),
        version: 0,
        created_at: now,
        updated_at: now,
    };
    let actor = actor.clone();
    // With a savepoint of its own (`write`, not `write_batched`): an intake can fail late in its
    // batch for an expected reason (the same papers recorded twice, a scan that does not exist),
    // and must then leave the rest of its group alone.
    store
        .write(move |tx| {
            Box::pin(async move {
                let cmd = match (command, &plan) {
                    (Some(c), _) => c,
                    (None, Some(p)) => Command::Receive {
                        code: allocate_code(tx, &p.unit, at).await?,
                        appointment: p.appointment,
                        steps: p.steps.len() as u32,
                    },
                    (None, None) => unreachable!("a receipt always has a plan"),
                };
                let start = Dossier::default();
                let event = decide(&start, &cmd, at).map_err(transition)?;
                let mut next = start;
                next.evolve(&event);
                let mut batch = Batch::new();
                let (seq, _) = events::append_in(
                    tx,
                    &mut batch,
                    NewEvent {
                        aggregate_type: AGGREGATE_TYPE,
                        aggregate_id: &row.id,
                        expected_seq: Some(0),
                        kind: &format!("dossier.{}", event.kind()),
                        actor: &actor,
                        at,
                        payload: event_payload(&event, Some(("intake", intake_json))),
                    },
                )
                .await?;
                let step_units: Vec<String> = plan
                    .as_ref()
                    .map(|p| p.steps.iter().map(|s| s.unit_code.clone()).collect())
                    .unwrap_or_default();
                fill_row(&mut row, &next, &step_units, seq, now);
                insert_row(&mut batch, &row);
                insert_components(&mut batch, &components);
                if let Some(p) = &plan {
                    insert_steps(&mut batch, &row.id, &p.steps);
                }
                crate::outbox::queue_dossier_mail(&mut batch, &row, &event, seq)?;
                // The unique intake key makes a second intake of the same papers a conflict
                // (the whole unit, code included, is undone).
                batch.run_with(tx, fk_as_rejected).await.map_err(|e| {
                    events::forget_head(AGGREGATE_TYPE, &row.id);
                    match (e, &row.intake_key) {
                        (StoreError::Conflict(m), Some(key)) if m.contains("intake_key") => {
                            StoreError::Conflict(format!("intake {key} was already recorded"))
                        }
                        (e, _) => e,
                    }
                })?;
                let steps = plan
                    .as_ref()
                    .map(|p| planned_rows(&row.id, &p.steps))
                    .unwrap_or_default();
                Ok(DossierRecord {
                    row,
                    dossier: next,
                    components,
                    steps,
                })
            })
        })
        .await
        .map(|rec| remember(store, rec))
}

/// Copy the folded state into the row's columns.
fn fill_row(row: &mut DossierRow, d: &Dossier, step_units: &[String], version: i64, now: i64) {
    row.code = d.code.as_ref().map(ToString::to_string);
    if let Some(code) = &row.code {
        row.search_text = format!("{} {}", fold(code), row.applicant_folded);
    }
    row.state = d.state.as_str().to_owned();
    row.national_status = i64::from(d.national_status());
    row.is_open = d.state.is_open();
    row.current_step = i64::from(d.step);
    row.steps_total = i64::from(d.steps_total);
    row.assignee = d.assignee.clone();
    row.current_unit = current_unit(d, &row.receiving_unit, step_units);
    row.appointment = d.appointment.map(to_us);
    row.original_appointment = d.original_appointment.map(to_us);
    row.received_at = d.received_at.map(to_us);
    row.document = serde_json::to_string(d).unwrap_or_default();
    row.version = version;
    row.updated_at = now;
}

fn insert_row(batch: &mut Batch, r: &DossierRow) {
    batch.push(
        format!(
            "INSERT INTO dossiers ({DOSSIER_COLUMNS}) VALUES {}",
            placeholders(1, 29)
        ),
        vec![
            (&r.id).into(),
            (&r.code).into(),
            (&r.intake_key).into(),
            (&r.procedure_id).into(),
            (&r.version_id).into(),
            (&r.procedure_name).into(),
            r.channel.into(),
            (&r.variant).into(),
            (&r.receiving_unit).into(),
            (&r.applicant).into(),
            (&r.applicant_name).into(),
            (&r.applicant_folded).into(),
            (&r.applicant_phone).into(),
            (&r.applicant_id_number).into(),
            (&r.search_text).into(),
            (&r.state).into(),
            r.national_status.into(),
            r.is_open.into(),
            r.current_step.into(),
            r.steps_total.into(),
            (&r.assignee).into(),
            (&r.current_unit).into(),
            r.appointment.into(),
            r.original_appointment.into(),
            r.received_at.into(),
            (&r.document).into(),
            r.version.into(),
            r.created_at.into(),
            r.updated_at.into(),
        ],
        1,
    );
}

/// Every component of the checklist, in one statement.
fn insert_components(batch: &mut Batch, components: &[ComponentRow]) {
    if components.is_empty() {
        return;
    }
    let mut args = Vec::with_capacity(components.len() * 8);
    for c in components {
        args.extend([
            (&c.dossier_id).into(),
            c.position.into(),
            (&c.name).into(),
            (&c.copy_type).into(),
            c.quantity.into(),
            c.required.into(),
            c.present.into(),
            (&c.file_id).into(),
        ]);
    }
    batch.push(
        format!(
            "INSERT INTO dossier_components ({COMPONENT_COLUMNS}) VALUES {}",
            placeholders(components.len(), 8)
        ),
        args,
        components.len() as u64,
    );
}

/// Update the row from the folded state; only if nobody moved it since `expected` (the event
/// append already guarantees it, this keeps the row honest on its own): one row must change.
fn update_row(batch: &mut Batch, r: &DossierRow, expected: i64) {
    batch.push(
        "UPDATE dossiers SET code = $3, search_text = $4, state = $5, national_status = $6, is_open = $7, current_step = $8, \
         steps_total = $9, assignee = $10, current_unit = $11, appointment = $12, original_appointment = $13, \
         received_at = $14, document = $15, version = $16, updated_at = $17 WHERE id = $1 AND version = $2",
        vec![
            (&r.id).into(),
            expected.into(),
            (&r.code).into(),
            (&r.search_text).into(),
            (&r.state).into(),
            r.national_status.into(),
            r.is_open.into(),
            r.current_step.into(),
            r.steps_total.into(),
            (&r.assignee).into(),
            (&r.current_unit).into(),
            r.appointment.into(),
            r.original_appointment.into(),
            r.received_at.into(),
            (&r.document).into(),
            r.version.into(),
            r.updated_at.into(),
        ],
        1,
    );
}

// ---------------------------------------------------------------------------------- commands

/// A change to a step row that goes with an event.
#[derive(Debug, Clone)]
enum StepChange {
    Start {
        position: i64,
        /// `None` when the step waits for its unit to assign or claim it.
        assignee: Option<String>,
        started_at: i64,
        due_at: Option<i64>,
    },
    /// Liên thông: the partner agency's steps go in right after `after`; later steps move down.
    InsertPartner {
        after: i64,
        agency: String,
        steps: Vec<PlannedStep>,
    },
    Reassign {
        position: i64,
        assignee: String,
    },
    Finish {
        position: i64,
        handed_over_at: i64,
        giver: String,
        receiver: String,
        verdict: StepVerdict,
    },
}

fn verdict_str(v: StepVerdict) -> &'static str {
    match v {
        StepVerdict::Early => "early",
        StepVerdict::OnTime => "on_time",
        StepVerdict::Late => "late",
    }
}

/// The statements of a step change; `steps` are the rows before it (they say how many rows
/// each statement must change).
fn push_step_change(batch: &mut Batch, id: &str, ch: &StepChange, steps: &[StepRow]) {
    match ch {
        StepChange::Start {
            position,
            assignee,
            started_at,
            due_at,
        } => batch.push(
            "UPDATE dossier_steps SET assignee = $3, started_at = $4, due_at = COALESCE($5, due_at) \
             WHERE dossier_id = $1 AND position = $2",
            vec![
                id.into(),
                (*position).into(),
                assignee.into(),
                (*started_at).into(),
                (*due_at).into(),
            ],
            1,
        ),
        StepChange::InsertPartner {
            after,
            agency,
            steps: new,
        } => {
            let n = new.len() as i64;
            let later = steps.iter().filter(|s| s.position > *after).count() as u64;
            // Two moves through negative positions so that no row ever collides with another
            // under the primary key (uniqueness is checked row by row).
            batch.push(
                "UPDATE dossier_steps SET position = -(position + $3) WHERE dossier_id = $1 AND position > $2",
                vec![id.into(), (*after).into(), n.into()],
                later,
            );
            batch.push(
                "UPDATE dossier_steps SET position = -position WHERE dossier_id = $1 AND position < 0",
                vec![id.into()],
                later,
            );
            if !new.is_empty() {
                let mut args = Vec::with_capacity(new.len() * 8);
                for (i, st) in new.iter().enumerate() {
                    args.extend([
                        id.into(),
                        (after + 1 + i as i64).into(),
                        (&st.name).into(),
                        (&st.unit_code).into(),
                        (&st.slice).into(),
                        st.due_at.into(),
                        st.started_at.into(),
                        agency.into(),
                    ]);
                }
                batch.push(
                    format!(
                        "INSERT INTO dossier_steps (dossier_id, position, name, unit_code, slice, due_at, started_at, agency_code) VALUES {}",
                        placeholders(new.len(), 8)
                    ),
                    args,
                    new.len() as u64,
                );
            }
        }
        StepChange::Reassign { position, assignee } => batch.push(
            "UPDATE dossier_steps SET assignee = $3 WHERE dossier_id = $1 AND position = $2",
            vec![id.into(), (*position).into(), assignee.into()],
            1,
        ),
        StepChange::Finish {
            position,
            handed_over_at,
            giver,
            receiver,
            verdict,
        } => batch.push(
            "UPDATE dossier_steps SET handed_over_at = $3, giver = $4, receiver = $5, verdict = $6 \
             WHERE dossier_id = $1 AND position = $2",
            vec![
                id.into(),
                (*position).into(),
                (*handed_over_at).into(),
                giver.into(),
                receiver.into(),
                verdict_str(*verdict).into(),
            ],
            1,
        ),
    }
}

fn parse_slice(s: &str) -> Option<Duration> {
    s.parse().ok()
}

/// Deadline of a step starting at `started`: from its slice, or its planned due when it has none.
fn start_due(cal: &AgencyCalendar, step: &StepRow, started: DateTime<Utc>, rules: &DeadlineRules) -> Option<i64> {
    parse_slice(&step.slice).and_then(|slice| step_due(cal, started, slice, &[], rules).ok().map(to_us))
}

/// The calendar a step's deadline is counted in: the partner agency's on a liên thông step, the
/// receiving unit's otherwise.
async fn step_calendar(
    store: &Store,
    dl: Deadlines<'_>,
    rec: &DossierRecord,
    step: &StepRow,
) -> Result<Arc<AgencyCalendar>, StoreError> {
    let unit = step.agency_code.as_deref().unwrap_or(rec.row.receiving_unit.as_str());
    dl.calendars.agency(store, Some(unit), None).await
}

/// Trước hạn / đúng hạn / quá hạn of the current step finished at `at`: against its slice
/// (pauses inside the step excluded), or its planned due when it has none; `fallback` when it
/// has neither.
fn finished_verdict(
    cal: &AgencyCalendar,
    d: &Dossier,
    step: &StepRow,
    at: DateTime<Utc>,
    fallback: StepVerdict,
    rules: &DeadlineRules,
) -> Result<StepVerdict, StoreError> {
    let started = d.step_started_at.unwrap_or(at);
    let pauses: Vec<_> = d.pauses.iter().filter(|p| p.from >= started).copied().collect();
    Ok(match parse_slice(&step.slice) {
        Some(slice) => step_verdict(cal, started, at, slice, &pauses, rules).map_err(invalid)?,
        None => match step.due_at {
            Some(due) => verdict_against(at, from_us(due), rules.verdict_rule),
            None => fallback,
        },
    })
}

/// Whether the active unit `code` is `agency` or one of its units: the first agency met walking
/// up from it (the unit itself included) is `agency` — a division of another agency under it
/// (a department under the provincial committee) is not the committee's unit.
async fn unit_within(db: &Db, code: &str, agency: &str) -> Result<bool, StoreError> {
    let mut unit = crate::identity::get_unit_by_code(db, code).await?;
    if !unit.as_ref().is_some_and(|u| u.active) {
        return Ok(false);
    }
    // Bounded walk: a unit tree is shallow, and a cycle must not hang a request.
    for _ in 0..16 {
        let Some(u) = unit else { return Ok(false) };
        if u.kind == "agency" {
            return Ok(u.code == agency);
        }
        unit = match &u.parent_id {
            Some(p) => crate::identity::get_unit(db, p).await?,
            None => None,
        };
    }
    Ok(false)
}

/// Fill in what the command needs from the calendar and the pinned version, and the step rows
/// that change with it.
async fn prepare(
    store: &Store,
    dl: Deadlines<'_>,
    actor: &Actor,
    rec: &DossierRecord,
    cmd: Command,
    at: DateTime<Utc>,
) -> Result<(Command, Vec<StepChange>), StoreError> {
    let d = &rec.dossier;
    let cal = || dl.calendars.agency(store, Some(rec.row.receiving_unit.as_str()), None);
    let mut changes = Vec::new();
    let cmd = match cmd {
        Command::Receive { .. } => {
            return Err(StoreError::rejected(
                "receive_through_intake",
                "a dossier is received through intake (receive or receive_guided), which allocates its code",
            ));
        }
        Command::Assign { assignee } => {
            let step = rec.steps.get(d.step as usize);
            if d.state == DossierState::Received {
                if let Some(step) = step {
                    let cal = cal().await?;
                    changes.push(StepChange::Start {
                        position: step.position,
                        assignee: Some(assignee.clone()),
                        started_at: to_us(at),
                        due_at: start_due(&cal, step, at, dl.rules),
                    });
                }
            } else if d.step_started_at.is_some()
                && let Some(step) = step
            {
                changes.push(StepChange::Reassign {
                    position: step.position,
                    assignee: assignee.clone(),
                });
            }
            Command::Assign { assignee }
        }
        Command::HandOver { receiver, verdict } => {
            let Some(step) = rec.steps.get(d.step as usize) else {
                return Ok((Command::HandOver { receiver, verdict }, changes));
            };
            let cal = step_calendar(store, dl, rec, step).await?;
            let verdict = finished_verdict(&cal, d, step, at, verdict, dl.rules)?;
            changes.push(StepChange::Finish {
                position: step.position,
                handed_over_at: to_us(at),
                giver: actor.id.clone(),
                receiver: receiver.clone(),
                verdict,
            });
            if let Some(next) = rec.steps.get(d.step as usize + 1) {
                let cal = step_calendar(store, dl, rec, next).await?;
                changes.push(StepChange::Start {
                    position: next.position,
                    assignee: Some(receiver.clone()),
                    started_at: to_us(at),
                    due_at: start_due(&cal, next, at, dl.rules),
                });
            }
            Command::HandOver { receiver, verdict }
        }
        Command::SendToAgency { agency, steps } => {
            // Liên thông goes to another agency served by this system: a unit of kind
            // `agency` that exists and is active.
            let unknown = || {
                StoreError::rejected(
                    "agency_unknown",
                    format!("Không có cơ quan mã {agency} được phục vụ trong hệ thống để chuyển liên thông."),
                )
            };
            match crate::identity::get_unit_by_code(store.db(), agency.as_str()).await? {
                Some(u) if u.kind == "agency" && u.active => {}
                _ => return Err(unknown()),
            }
            if !steps.is_empty() && d.state == DossierState::Processing {
                for st in &steps {
                    if !unit_within(store.db(), st.unit_code.as_str(), agency.as_str()).await? {
                        return Err(StoreError::rejected(
                            "partner_unit_unknown",
                            format!(
                                "Đơn vị {} không thuộc cơ quan {agency} nhận liên thông hoặc không hoạt động.",
                                st.unit_code
                            ),
                        ));
                    }
                }
                // The send is the hand-over of the sender's step to the partner agency; the
                // partner's deadlines come from the partner agency's calendar.
                if let Some(step) = rec.steps.get(d.step as usize) {
                    let cal = step_calendar(store, dl, rec, step).await?;
                    let verdict = finished_verdict(&cal, d, step, at, StepVerdict::OnTime, dl.rules)?;
                    changes.push(StepChange::Finish {
                        position: step.position,
                        handed_over_at: to_us(at),
                        giver: actor.id.clone(),
                        receiver: agency.as_str().to_owned(),
                        verdict,
                    });
                    let partner_cal = dl.calendars.agency(store, Some(agency.as_str()), None).await?;
                    let dues = planned_step_deadlines(&partner_cal, &steps, at, dl.rules).map_err(invalid)?;
                    changes.push(StepChange::InsertPartner {
                        after: step.position,
                        agency: agency.as_str().to_owned(),
                        steps: steps
                            .iter()
                            .zip(dues)
                            .enumerate()
                            .map(|(i, (st, due))| PlannedStep {
                                name: st.name.trim().to_owned(),
                                unit_code: st.unit_code.as_str().to_owned(),
                                slice: st.slice.to_string(),
                                due_at: Some(to_us(due)),
                                started_at: (i == 0).then(|| to_us(at)),
                            })
                            .collect(),
                    });
                }
            }
            Command::SendToAgency { agency, steps }
        }
        Command::ReturnFromAgency if d.state == DossierState::AtPartnerAgency && d.partner_steps > 0 => {
            // The return is the hand-over of the partner's last step back to the sender, whose
            // next step starts and waits for its unit (assign or claim).
            if let Some(step) = rec.steps.get(d.step as usize) {
                let cal = step_calendar(store, dl, rec, step).await?;
                let verdict = finished_verdict(&cal, d, step, at, StepVerdict::OnTime, dl.rules)?;
                let next = rec.steps.get(d.step as usize + 1);
                changes.push(StepChange::Finish {
                    position: step.position,
                    handed_over_at: to_us(at),
                    giver: actor.id.clone(),
                    receiver: next.map_or_else(|| rec.row.receiving_unit.clone(), |n| n.unit_code.clone()),
                    verdict,
                });
                if let Some(next) = next {
                    let cal = step_calendar(store, dl, rec, next).await?;
                    changes.push(StepChange::Start {
                        position: next.position,
                        assignee: None,
                        started_at: to_us(at),
                        due_at: start_due(&cal, next, at, dl.rules),
                    });
                }
            }
            Command::ReturnFromAgency
        }
        Command::SupplementReceived { .. } if d.state == DossierState::AwaitingSupplement => {
            let version = pinned_version(store, &rec.row.version_id).await?;
            let channel = channel_of(&rec.row)?;
            let mut pauses = d.pauses.clone();
            if let Some(p) = pauses.last_mut()
                && p.to.is_none()
            {
                p.to = Some(at);
            }
            let received = d.received_at.unwrap_or(at);
            let cal = cal().await?;
            let appt = extended_due(&cal, &version, channel, received, &pauses, dl.rules).map_err(invalid)?;
            Command::SupplementReceived { appointment: appt.at }
        }
        other => other,
    };
    Ok((cmd, changes))
}

fn channel_of(row: &DossierRow) -> Result<Channel, StoreError> {
    u8::try_from(row.channel)
        .ok()
        .and_then(Channel::from_code)
        .ok_or_else(|| StoreError::Database(sqlx::Error::Decode(format!("channel {}", row.channel).into())))
}

/// Run a command on a dossier: the core decides, then the event, the row and the step rows are
/// written in one unit of work. `expected_version` is the version the caller saw.
///
/// The store fills in what needs the calendar: the verdict of a hand-over (core
/// `step_verdict` against the step's slice, pauses inside the step excluded) and the
/// appointment after a supplement (core `extended_due`); the values sent are replaced.
/// `Command::Receive` is refused (`receive_through_intake`): use [`receive_guided`];
/// `SendToAgency` to anything but an active agency is refused (`agency_unknown`).
///
/// Errors: `NotFound`; `Conflict` when the version is stale; `Rejected` with the core's code
/// (`illegal_transition` = wrong state, 409 at the web edge; the rest 422).
pub async fn apply_command(
    store: &Store,
    dl: Deadlines<'_>,
    actor: &Actor,
    at: DateTime<Utc>,
    dossier_id: &str,
    expected_version: i64,
    command: Command,
) -> Result<DossierRow, StoreError> {
    let rec = for_command(store, dossier_id, Some(expected_version))
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("dossier {dossier_id}")))?;
    apply_command_to(store, dl, actor, at, rec, expected_version, command).await
}

/// [`apply_command`] on a record the caller has just read (to check who may act), so the
/// dossier is not read twice per request. The write still checks the version in its
/// transaction, so a record that went stale meanwhile is a `Conflict`, as with
/// [`apply_command`].
pub async fn apply_command_to(
    store: &Store,
    dl: Deadlines<'_>,
    actor: &Actor,
    at: DateTime<Utc>,
    rec: DossierRecord,
    expected_version: i64,
    command: Command,
) -> Result<DossierRow, StoreError> {
    if rec.row.version != expected_version {
        return Err(StoreError::Conflict(format!(
            "dossier {} is at version {}, not {expected_version}",
            rec.row.id, rec.row.version
        )));
    }
    let (cmd, changes) = prepare(store, dl, actor, &rec, command, at).await?;
    commit(store, actor, at, rec, cmd, changes, None).await
}

/// Decide and write (shared by commands, reschedules and receipts after guidance).
async fn commit(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    rec: DossierRecord,
    cmd: Command,
    changes: Vec<StepChange>,
    receipt: Option<ReceiptAfterGuidance>,
) -> Result<DossierRow, StoreError> {
    if receipt.is_none() {
        decide(&rec.dossier, &cmd, at).map_err(transition)?;
    }
    let actor = actor.clone();
    let dossier_id = rec.row.id.clone();
    let step_units: Vec<String> = rec.steps.iter().map(|s| s.unit_code.clone()).collect();
    store
        .write_batched(move |tx| {
            Box::pin(async move {
                let DossierRecord {
                    mut row,
                    dossier: d,
                    mut components,
                    mut steps,
                } = rec;
                let expected = row.version;
                let mut step_units = step_units;
                let cmd = match (&receipt, cmd) {
                    (Some(r), _) => {
                        crate::db::savepoint_now(tx).await?;
                        let code = allocate_code(tx, &r.plan.unit, at).await?;
                        Command::Receive {
                            code,
                            appointment: r.plan.appointment,
                            steps: r.plan.steps.len() as u32,
                        }
                    }
                    (None, c) => c,
                };
                let mut event = decide(&d, &cmd, at).map_err(transition)?;
                // The verdict of the step this command closes (a send or return closes one too).
                if let Some(verdict) = changes.iter().find_map(|ch| match ch {
                    StepChange::Finish { verdict, .. } => Some(*verdict),
                    _ => None,
                }) {
                    event = event.finishing_step(verdict);
                }
                let mut next = d;
                next.evolve(&event);
                let mut batch = Batch::new();
                let (seq, _) = events::append_in(
                    tx,
                    &mut batch,
                    NewEvent {
                        aggregate_type: AGGREGATE_TYPE,
                        aggregate_id: &row.id,
                        expected_seq: Some(expected),
                        kind: &format!("dossier.{}", event.kind()),
                        actor: &actor,
                        at,
                        payload: event_payload(
                            &event,
                            receipt.as_ref().map(|r| {
                                (
                                    "present",
                                    json!(
                                        r.present
                                            .iter()
                                            .map(|p| json!({"index": p.index, "file_id": p.file_id}))
                                            .collect::<Vec<_>>()
                                    ),
                                )
                            }),
                        ),
                    },
                )
                .await?;
                if let Some(r) = &receipt {
                    insert_steps(&mut batch, &row.id, &r.plan.steps);
                    steps = planned_rows(&row.id, &r.plan.steps);
                    step_units = r.plan.steps.iter().map(|s| s.unit_code.clone()).collect();
                    for p in &r.present {
                        let mut rows = 0;
                        if let Some(c) = components.iter_mut().find(|c| c.position == p.index as i64) {
                            c.present = true;
                            if p.file_id.is_some() {
                                c.file_id = p.file_id.clone();
                            }
                            rows = 1;
                        }
                        batch.push(
                            "UPDATE dossier_components SET present = TRUE, file_id = COALESCE($3, file_id) \
                             WHERE dossier_id = $1 AND position = $2",
                            vec![(&row.id).into(), (p.index as i64).into(), (&p.file_id).into()],
                            rows,
                        );
                    }
                }
                for ch in &changes {
                    push_step_change(&mut batch, &row.id, ch, &steps);
                    change_step_rows(&mut steps, &row.id, ch);
                    if let StepChange::InsertPartner { after, steps, .. } = ch {
                        let at = (*after as usize + 1).min(step_units.len());
                        step_units.splice(at..at, steps.iter().map(|s| s.unit_code.clone()));
                    }
                }
                fill_row(&mut row, &next, &step_units, seq, to_us(at));
                update_row(&mut batch, &row, expected);
                crate::outbox::queue_dossier_mail(&mut batch, &row, &event, seq)?;
                batch.run_with(tx, fk_as_rejected).await.inspect_err(|_| {
                    events::forget_head(AGGREGATE_TYPE, &row.id);
                })?;
                Ok(DossierRecord {
                    row,
                    dossier: next,
                    components,
                    steps,
                })
            })
        })
        .await
        .map(|rec| remember(store, rec))
        .inspect_err(|e| {
            // A stale record must not be offered again (another process moved the dossier).
            if matches!(e, StoreError::Conflict(_)) {
                store.memory().dossiers.forget(&dossier_id);
            }
        })
}

/// Keep a record just written or read (unless a newer one is kept) and give back its row.
fn remember(store: &Store, rec: DossierRecord) -> DossierRow {
    let memory = store.memory();
    if let Some(code) = &rec.row.code {
        memory.dossier_codes.put(code.clone(), rec.row.id.clone());
    }
    let row = rec.row.clone();
    memory.dossiers.put_unless(row.id.clone(), Arc::new(rec), |kept, new| {
        kept.row.version > new.row.version
    });
    row
}

/// The record of a dossier as this process last wrote or read it, for a command: taken from
/// memory when it is at `expected_version` (or any version when `None`), read from the
/// database otherwise. A remembered record may be behind a write made by another process, which
/// is why only commands use it: their write checks the version in its transaction, so a stale
/// record ends in a `Conflict` (and is forgotten), never in a wrong write.
pub async fn for_command(
    store: &Store,
    id_or_code: &str,
    expected_version: Option<i64>,
) -> Result<Option<DossierRecord>, StoreError> {
    let memory = store.memory();
    let key = id_or_code.trim().to_owned();
    let id = memory.dossier_codes.get(&key).unwrap_or(key);
    if let Some(rec) = memory.dossiers.get(&id)
        && expected_version.is_none_or(|v| v == rec.row.version)
    {
        return Ok(Some((*rec).clone()));
    }
    let rec = match get(store.db(), &id).await? {
        Some(r) => Some(r),
        None => by_code(store.db(), &id).await?,
    };
    if let Some(r) = &rec {
        remember(store, r.clone());
    }
    Ok(rec)
}

/// The step rows a receipt writes (as [`insert_steps`] writes them).
fn planned_rows(id: &str, steps: &[PlannedStep]) -> Vec<StepRow> {
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| StepRow {
            dossier_id: id.to_owned(),
            position: i as i64,
            name: s.name.clone(),
            unit_code: s.unit_code.clone(),
            slice: s.slice.clone(),
            due_at: s.due_at,
            assignee: None,
            started_at: None,
            handed_over_at: None,
            giver: None,
            receiver: None,
            verdict: None,
            agency_code: None,
        })
        .collect()
}

/// [`apply_step_change`] on the rows in memory, so the record after a command is known without
/// reading it back (a store test compares the two after every kind of change).
fn change_step_rows(steps: &mut Vec<StepRow>, id: &str, ch: &StepChange) {
    let at = |steps: &mut Vec<StepRow>, position: i64| steps.iter_mut().position(|s| s.position == position);
    match ch {
        StepChange::Start {
            position,
            assignee,
            started_at,
            due_at,
        } => {
            if let Some(i) = at(steps, *position) {
                let s = &mut steps[i];
                s.assignee = assignee.clone();
                s.started_at = Some(*started_at);
                if due_at.is_some() {
                    s.due_at = *due_at;
                }
            }
        }
        StepChange::InsertPartner {
            after,
            agency,
            steps: new,
        } => {
            let n = new.len() as i64;
            for s in steps.iter_mut().filter(|s| s.position > *after) {
                s.position += n;
            }
            steps.extend(new.iter().enumerate().map(|(i, st)| StepRow {
                dossier_id: id.to_owned(),
                position: after + 1 + i as i64,
                name: st.name.clone(),
                unit_code: st.unit_code.clone(),
                slice: st.slice.clone(),
                due_at: st.due_at,
                assignee: None,
                started_at: st.started_at,
                handed_over_at: None,
                giver: None,
                receiver: None,
                verdict: None,
                agency_code: Some(agency.clone()),
            }));
            steps.sort_by_key(|s| s.position);
        }
        StepChange::Reassign { position, assignee } => {
            if let Some(i) = at(steps, *position) {
                steps[i].assignee = Some(assignee.clone());
            }
        }
        StepChange::Finish {
            position,
            handed_over_at,
            giver,
            receiver,
            verdict,
        } => {
            if let Some(i) = at(steps, *position) {
                let s = &mut steps[i];
                s.handed_over_at = Some(*handed_over_at);
                s.giver = Some(giver.clone());
                s.receiver = Some(receiver.clone());
                s.verdict = Some(verdict_str(*verdict).to_owned());
            }
        }
    }
}

struct ReceiptAfterGuidance {
    plan: ReceiptPlan,
    present: Vec<PresentComponent>,
}

/// Receive a dossier that was guided to complete (Mẫu 02) once the applicant brings the
/// missing papers: the checklist is checked again with `present` (added to what was present),
/// then code, appointment and steps are made as in [`receive`].
pub async fn receive_guided(
    store: &Store,
    dl: Deadlines<'_>,
    actor: &Actor,
    at: DateTime<Utc>,
    dossier_id: &str,
    expected_version: i64,
    present: Vec<PresentComponent>,
) -> Result<DossierRow, StoreError> {
    let rec = for_command(store, dossier_id, Some(expected_version))
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("dossier {dossier_id}")))?;
    if rec.row.version != expected_version {
        return Err(StoreError::Conflict(format!(
            "dossier {dossier_id} is at version {}, not {expected_version}",
            rec.row.version
        )));
    }
    // The state machine first: a dossier already received or refused says so (409).
    let probe = Command::Receive {
        code: DossierCode::for_receipt(
            UnitCode::parse(&rec.row.receiving_unit)
                .map_err(|e| StoreError::rejected("unit_code_invalid", e.to_string()))?,
            at,
            1,
        )
        .map_err(invalid)?,
        appointment: at,
        steps: 1,
    };
    decide(&rec.dossier, &probe, at).map_err(transition)?;
    let version = pinned_version(store, &rec.row.version_id).await?;
    let channel = channel_of(&rec.row)?;
    let list = checklist(&version, channel, rec.row.variant.as_deref()).map_err(invalid)?;
    let mut all: Vec<usize> = rec
        .components
        .iter()
        .filter(|c| c.present)
        .map(|c| c.position as usize)
        .collect();
    all.extend(present.iter().map(|p| p.index));
    list.check(&all).map_err(invalid)?;
    let unit = unit_code(store, &rec.row.receiving_unit).await?;
    let plan = plan_receipt(store, dl, &version, channel, &unit, at).await?;
    commit(
        store,
        actor,
        at,
        rec,
        probe,
        vec![],
        Some(ReceiptAfterGuidance { plan, present }),
    )
    .await
}

/// Ask for a supplement (yêu cầu bổ sung): the draft is validated against the pinned version
/// by the core (`SupplementDraft::validate`), then applied as `Command::RequestSupplement`.
pub async fn request_supplement(
    store: &Store,
    dl: Deadlines<'_>,
    actor: &Actor,
    at: DateTime<Utc>,
    dossier_id: &str,
    expected_version: i64,
    draft: SupplementDraft,
) -> Result<DossierRow, StoreError> {
    let rec = for_command(store, dossier_id, Some(expected_version))
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("dossier {dossier_id}")))?;
    let version = pinned_version(store, &rec.row.version_id).await?;
    let req = draft
        .validate(&version, rec.dossier.supplement_count)
        .map_err(invalid)?;
    apply_command(
        store,
        dl,
        actor,
        at,
        dossier_id,
        expected_version,
        Command::RequestSupplement(req),
    )
    .await
}

// ----------------------------------------------------------------------------------- queries

async fn record_of(db: &Db, row: DossierRow) -> Result<DossierRecord, StoreError> {
    let dossier: Dossier = serde_json::from_str(&row.document).map_err(|e| unreadable("the dossier document", e))?;
    let sql = format!("SELECT {COMPONENT_COLUMNS} FROM dossier_components WHERE dossier_id = $1 ORDER BY position");
    let components = on_db!(db, |p| sqlx::query_as::<_, ComponentRow>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(&row.id)
    .fetch_all(p)
    .await)?;
    let sql = format!("SELECT {STEP_COLUMNS} FROM dossier_steps WHERE dossier_id = $1 ORDER BY position");
    let steps = on_db!(db, |p| sqlx::query_as::<_, StepRow>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(&row.id)
        .fetch_all(p)
        .await)?;
    Ok(DossierRecord {
        row,
        dossier,
        components,
        steps,
    })
}

async fn row_where(db: &Db, column: &str, value: &str) -> Result<Option<DossierRow>, StoreError> {
    let sql = format!("SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE {column} = $1");
    Ok(on_db!(db, |p| sqlx::query_as::<_, DossierRow>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(value)
    .fetch_optional(p)
    .await)?)
}

/// A dossier by id, with its checklist and steps.
pub async fn get(db: &Db, id: &str) -> Result<Option<DossierRecord>, StoreError> {
    match row_where(db, "id", id).await? {
        Some(r) => Ok(Some(record_of(db, r).await?)),
        None => Ok(None),
    }
}

/// A dossier by its code (trimmed; exact).
pub async fn by_code(db: &Db, code: &str) -> Result<Option<DossierRecord>, StoreError> {
    match row_where(db, "code", code.trim()).await? {
        Some(r) => Ok(Some(record_of(db, r).await?)),
        None => Ok(None),
    }
}

/// One entry of a dossier's history: the log row and the core event in it.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub row: EventRow,
    pub event: Event,
}

/// Every event of a dossier, oldest first.
pub async fn history(db: &Db, id: &str) -> Result<Vec<HistoryEntry>, StoreError> {
    events::of_aggregate(db, AGGREGATE_TYPE, id)
        .await?
        .into_iter()
        .map(|row| {
            let event = serde_json::from_str(&row.payload).map_err(|e| unreadable("a dossier event", e))?;
            Ok(HistoryEntry { row, event })
        })
        .collect()
}

/// Filters of the work inbox; unset filters do not filter. Paging is 0-based.
#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    /// Assigned to this user ("mine").
    pub assignee: Option<String>,
    /// Waiting in this unit ("my unit's queue").
    pub unit: Option<String>,
    /// Open dossiers only (received and not yet decided, stopped or withdrawn).
    pub open_only: bool,
    /// In this state (`DossierState::as_str`).
    pub state: Option<String>,
    /// Appointment at or before this instant (the caller computes "now + near-due window" with
    /// the core calendar).
    pub near_due_before: Option<DateTime<Utc>>,
    /// Appointment at or after this instant (with `near_due_before`: near due but not overdue).
    pub not_overdue_at: Option<DateTime<Utc>>,
    /// Appointment before this instant (overdue at that time).
    pub overdue_at: Option<DateTime<Utc>>,
    /// Code or applicant name, any case, with or without diacritics.
    pub query: Option<String>,
    pub page: u32,
    /// Default 50, at most 500.
    pub per_page: u32,
}

/// The work inbox, soonest appointment first. A dossier awaiting a supplement has its clock
/// paused, so the due-date filters leave it out.
pub async fn inbox(db: &Db, f: &InboxFilter) -> Result<Vec<DossierRow>, StoreError> {
    let (sql, values) = inbox_query(f, DOSSIER_COLUMNS);
    Ok(on_db!(db, |p| {
        crate::batch::bind_all!(
            sqlx::query_as::<_, DossierRow>(sqlx::AssertSqlSafe(sql.as_str())),
            values
        )
        .fetch_all(p)
        .await
    })?)
}

/// How the database will read [`inbox`] for `f` (SQLite's `EXPLAIN QUERY PLAN`, PostgreSQL's
/// `EXPLAIN`), one line each: the test that keeps the inbox on its indexes reads it.
pub async fn inbox_plan(db: &Db, f: &InboxFilter) -> Result<Vec<String>, StoreError> {
    let (sql, values) = inbox_query(f, "id");
    crate::batch::explain(db, &sql, values).await
}

/// The inbox query for `f` and its values. Only the filters given become conditions
/// (`batch::given`), so "mine" and "my unit's queue" are served from their indexes
/// (`dossiers_assignee`, `dossiers_unit`) by any planner.
fn inbox_query(f: &InboxFilter, columns: &str) -> (String, Vec<Arg>) {
    let per_page = if f.per_page == 0 { 50 } else { f.per_page.min(500) };
    let at = |t: Option<DateTime<Utc>>| t.map(|t| Arg::Int(to_us(t)));
    let given = [
        ("assignee = ?", f.assignee.clone().map(Arg::Text)),
        ("current_unit = ?", f.unit.clone().map(Arg::Text)),
        ("state = ?", f.state.clone().map(Arg::Text)),
        ("appointment <= ?", at(f.near_due_before)),
        ("appointment >= ?", at(f.not_overdue_at)),
        ("appointment < ?", at(f.overdue_at)),
        (
            "search_text LIKE '%' || ? || '%'",
            f.query.as_deref().map(fold).filter(|q| !q.is_empty()).map(Arg::Text),
        ),
    ];
    let (mut conditions, mut values) = crate::batch::given(given);
    if f.open_only {
        conditions.push("is_open = TRUE".into());
    }
    if f.near_due_before.is_some() || f.overdue_at.is_some() || f.not_overdue_at.is_some() {
        conditions.push("appointment IS NOT NULL AND state <> 'awaiting_supplement'".into());
    }
    values.push(Arg::Int(i64::from(per_page)));
    let limit = format!("LIMIT ${}", values.len());
    values.push(Arg::Int(i64::from(f.page) * i64::from(per_page)));
    let offset = format!("OFFSET ${}", values.len());
    let sql = format!(
        "SELECT {columns} FROM dossiers WHERE {} \
         ORDER BY CASE WHEN appointment IS NULL THEN 1 ELSE 0 END, appointment, created_at, id {limit} {offset}",
        crate::batch::all_of(&conditions)
    );
    (sql, values)
}

/// The dossier recorded with an intake key (the desk form's one-time key), if any: a second
/// submission of the same form finds the dossier the first one made.
pub async fn by_intake_key(db: &Db, key: &str) -> Result<Option<DossierRow>, StoreError> {
    row_where(db, "intake_key", key).await
}

/// Dossiers received in `[from, to)` (instants), oldest first: the rows of the tracking ledger
/// (sổ theo dõi hồ sơ) for a period. Dossiers never received (guided, refused) have no row.
pub async fn received_between(db: &Db, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<DossierRow>, StoreError> {
    let sql = format!(
        "SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE received_at IS NOT NULL AND received_at >= $1 AND received_at < $2 \
         ORDER BY received_at, id"
    );
    Ok(on_db!(db, |p| sqlx::query_as::<_, DossierRow>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(to_us(from))
    .bind(to_us(to))
    .fetch_all(p)
    .await)?)
}

/// Aggregate of the files attached to a dossier after intake (the result document). Kept apart
/// from the dossier's own log, whose events are all core events.
pub const FILES_AGGREGATE_TYPE: &str = "dossier_files";

/// A file attached to a dossier after intake (tệp đính kèm), e.g. the signed result.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Attachment {
    /// `result` for the result document (văn bản kết quả).
    pub purpose: String,
    pub file_id: String,
    pub at: i64,
    pub actor_id: String,
}

/// Attach a stored file (see `files::put`) to a dossier, as event `dossier_file.attached`.
/// Rejected: `file_unknown` when no such file exists. Not found: the dossier.
pub async fn attach_file(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    dossier_id: &str,
    purpose: &str,
    file_id: &str,
) -> Result<Attachment, StoreError> {
    if get(store.db(), dossier_id).await?.is_none() {
        return Err(StoreError::NotFound(format!("dossier {dossier_id}")));
    }
    if crate::files::meta(store.db(), file_id).await?.is_none() {
        return Err(StoreError::rejected("file_unknown", "the file does not exist"));
    }
    let actor = actor.clone();
    let (id, purpose, file_id) = (dossier_id.to_owned(), purpose.to_owned(), file_id.to_owned());
    store
        .write(move |tx| {
            Box::pin(async move {
                events::append(
                    tx,
                    NewEvent {
                        aggregate_type: FILES_AGGREGATE_TYPE,
                        aggregate_id: &id,
                        expected_seq: None,
                        kind: "dossier_file.attached",
                        actor: &actor,
                        at,
                        payload: json!({"purpose": purpose, "file_id": file_id}),
                    },
                )
                .await?;
                Ok(Attachment {
                    purpose,
                    file_id,
                    at: to_us(at),
                    actor_id: actor.id.clone(),
                })
            })
        })
        .await
}

/// The files attached to a dossier after intake, oldest first.
pub async fn attachments(db: &Db, dossier_id: &str) -> Result<Vec<Attachment>, StoreError> {
    Ok(events::of_aggregate(db, FILES_AGGREGATE_TYPE, dossier_id)
        .await?
        .into_iter()
        .filter_map(|e| {
            let v: Value = serde_json::from_str(&e.payload).ok()?;
            Some(Attachment {
                purpose: v.get("purpose")?.as_str()?.to_owned(),
                file_id: v.get("file_id")?.as_str()?.to_owned(),
                at: e.occurred_at,
                actor_id: e.actor_id,
            })
        })
        .collect())
}

/// Every open dossier (for recomputing appointments after a calendar change).
pub async fn open_dossiers(db: &Db) -> Result<Vec<DossierRow>, StoreError> {
    let sql = format!("SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE is_open = TRUE ORDER BY created_at, id");
    Ok(on_db!(db, |p| sqlx::query_as::<_, DossierRow>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .fetch_all(p)
    .await)?)
}

/// What the public lookup shows (no personal data beyond what the asker proved to know).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PublicView {
    pub code: String,
    pub procedure_name: String,
    pub state: String,
    pub national_status: i64,
    pub received_at: Option<i64>,
    pub appointment: Option<i64>,
    /// Fees requested and paid, đồng.
    pub fees_requested: u64,
    pub fees_paid: u64,
    /// Public history: event kind and time, oldest first.
    pub history: Vec<(String, i64)>,
}

/// Public lookup by code plus phone or citizen id / tax code. A wrong code and a wrong second
/// factor give the same `None`.
pub async fn lookup(db: &Db, code: &str, phone_or_id: &str) -> Result<Option<PublicView>, StoreError> {
    let Some(row) = row_where(db, "code", code.trim()).await? else {
        return Ok(None);
    };
    let given = phone_or_id.trim();
    let phone_ok = !row.applicant_phone.is_empty() && normalize_phone(given).is_some_and(|p| p == row.applicant_phone);
    let id_ok = !row.applicant_id_number.is_empty() && given == row.applicant_id_number;
    if !(phone_ok || id_ok) {
        return Ok(None);
    }
    let d: Dossier = serde_json::from_str(&row.document).map_err(|e| unreadable("the dossier document", e))?;
    let history = events::of_aggregate(db, AGGREGATE_TYPE, &row.id)
        .await?
        .into_iter()
        .map(|e| (e.kind, e.occurred_at))
        .collect();
    Ok(Some(PublicView {
        code: row.code.unwrap_or_default(),
        procedure_name: row.procedure_name,
        state: row.state,
        national_status: row.national_status,
        received_at: row.received_at,
        appointment: row.appointment,
        fees_requested: d.fees_requested,
        fees_paid: d.fees_paid,
        history,
    }))
}

// ---------------------------------------------------------------------------- recomputation

/// One appointment moved by a calendar change.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Rescheduled {
    pub dossier_id: String,
    pub code: Option<String>,
    pub old: Option<DateTime<Utc>>,
    pub new: DateTime<Utc>,
    pub calendar_version: i64,
}

/// Recompute the appointment of every open dossier with the current calendar (after an
/// official schedule or agency change, issue 5 item 14) and record each change as
/// `dossier.rescheduled` (core `Command::Reschedule`; the payload has `previous_appointment`
/// and the new `appointment`). Left alone: dossiers whose clock is paused (awaiting a
/// supplement: their date is computed when it arrives) and dossiers with an apology, whose new
/// date was promised in writing. A dossier changed meanwhile by someone else is read again once.
pub async fn recompute_due(
    store: &Store,
    dl: Deadlines<'_>,
    actor: &Actor,
    at: DateTime<Utc>,
) -> Result<Vec<Rescheduled>, StoreError> {
    let mut out = Vec::new();
    for row in open_dossiers(store.db()).await? {
        for attempt in 0..2 {
            let Some(rec) = get(store.db(), &row.id).await? else {
                break;
            };
            let d = &rec.dossier;
            if !d.state.is_open() || d.state == DossierState::AwaitingSupplement || d.apology_issued {
                break;
            }
            let Some(received) = d.received_at else { break };
            let version = pinned_version(store, &rec.row.version_id).await?;
            let cal = dl
                .calendars
                .agency(store, Some(rec.row.receiving_unit.as_str()), None)
                .await?;
            let channel = channel_of(&rec.row)?;
            let new = match extended_due(&cal, &version, channel, received, &d.pauses, dl.rules) {
                Ok(a) => a.at,
                Err(e) => {
                    tracing::warn!(dossier = %rec.row.id, error = %e, "appointment not recomputed");
                    break;
                }
            };
            if d.appointment == Some(new) {
                break;
            }
            let old = d.appointment;
            let (id, code) = (rec.row.id.clone(), rec.row.code.clone());
            let cmd = Command::Reschedule {
                appointment: new,
                calendar_version: cal.version(),
            };
            match commit(store, actor, at, rec, cmd, vec![], None).await {
                Ok(_) => {
                    out.push(Rescheduled {
                        dossier_id: id,
                        code,
                        old,
                        new,
                        calendar_version: cal.version(),
                    });
                    break;
                }
                Err(StoreError::Conflict(_)) if attempt == 0 => continue,
                Err(e) => return Err(e),
            }
        }
    }
    Ok(out)
}
