//! The working-day calendar's data (lịch làm việc): official day-off schedules with versions,
//! and agencies' working hours and closures.
//!
//! **Versions.** Every change to the official schedules (add, correct, remove entries, CSV
//! import) is one event on aggregate `calendar`/`national`; its sequence number is the new
//! calendar version. Version 1 is the shipped 2019–2026 schedule ([`ensure_seeded`]). An entry row
//! is valid for versions `valid_from_version <= v < valid_to_version` (`NULL`: still valid), so
//! the national calendar "as of" any version can be rebuilt ([`national`]) and a deadline
//! recomputed under it.
//!
//! **Agencies.** Working hours (JSON of [`WorkingHours`]) and closures are per unit code; every
//! change is an event on aggregate `calendar`/`agency:<code>`, whose sequence number is the
//! agency calendar's version.
//!
//! **Validation** is the core's ([`validate_entries`] on the whole resulting schedule): a change
//! that would leave a contradiction (a date both off and make-up, …) is refused and nothing is
//! saved.

use crate::db::{Db, Store, Tx};
use crate::error::StoreError;
use crate::events::{self, Actor, NewEvent};
use crate::memo::Topic;
use crate::time::to_us;
use crate::{on_db, on_tx};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use motcua_core::calendar::{
    AgencyCalendar, EntryKind, HolidayRules, NationalCalendar, ScheduleEntry, ScheduleProblem, WorkingHours,
    shipped_entries, validate_entries,
};
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

/// Aggregate type of every calendar event.
pub const AGGREGATE_TYPE: &str = "calendar";
/// Aggregate id of the national calendar.
pub const NATIONAL: &str = "national";

/// Aggregate id of an agency's calendar.
pub fn agency_aggregate(code: &str) -> String {
    format!("agency:{code}")
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// An official entry as stored, with its validity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredEntry {
    pub id: String,
    pub date: NaiveDate,
    /// The year of the schedule the entry belongs to (29–31/12 of a New-Year break belong to
    /// the next year).
    pub year: i32,
    pub kind: EntryKind,
    pub name: String,
    pub reference: String,
    pub valid_from_version: i64,
    pub valid_to_version: Option<i64>,
}

impl StoredEntry {
    pub fn entry(&self) -> ScheduleEntry {
        ScheduleEntry {
            date: self.date,
            kind: self.kind,
            name: self.name.clone(),
            reference: self.reference.clone(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: String,
    day: String,
    year: i64,
    kind: String,
    name: String,
    reference: String,
    valid_from_version: i64,
    valid_to_version: Option<i64>,
}

/// Parses a kind as stored (`holiday`, `compensatory`, `swapped_off`, `makeup_workday`).
pub fn parse_kind(s: &str) -> Option<EntryKind> {
    match s {
        "holiday" => Some(EntryKind::Holiday),
        "compensatory" => Some(EntryKind::Compensatory),
        "swapped_off" => Some(EntryKind::SwappedOff),
        "makeup_workday" => Some(EntryKind::MakeupWorkday),
        _ => None,
    }
}

impl EntryRow {
    fn into_entry(self) -> Result<StoredEntry, StoreError> {
        let date = NaiveDate::parse_from_str(&self.day, "%Y-%m-%d")
            .map_err(|_| StoreError::Config(format!("calendar entry {} has a bad date {:?}", self.id, self.day)))?;
        let kind = parse_kind(&self.kind)
            .ok_or_else(|| StoreError::Config(format!("calendar entry {} has a bad kind {:?}", self.id, self.kind)))?;
        Ok(StoredEntry {
            id: self.id,
            date,
            year: self.year as i32,
            kind,
            name: self.name,
            reference: self.reference,
            valid_from_version: self.valid_from_version,
            valid_to_version: self.valid_to_version,
        })
    }
}

/// The schedule year of an entry: a day off on 29–31 December belongs to the next year's
/// schedule (the New-Year break), everything else to its own year.
pub fn schedule_year(e: &ScheduleEntry) -> i32 {
    if e.date.month() == 12 && e.date.day() >= 29 && e.kind.is_off() {
        e.date.year() + 1
    } else {
        e.date.year()
    }
}

/// One version of the national calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct VersionRow {
    pub version: i64,
    pub event_id: i64,
    /// `seeded`, `added`, `corrected`, `removed` or `imported`.
    pub change: String,
    /// Short description in Vietnamese.
    pub summary: String,
    pub added: i64,
    pub removed: i64,
    pub actor_id: String,
    pub created_at: i64,
}

const ENTRY_COLUMNS: &str = "id, day, year, kind, name, reference, valid_from_version, valid_to_version";

/// The current version of the national calendar (`None` before the shipped schedule is loaded).
pub async fn current_version(db: &Db) -> Result<Option<i64>, StoreError> {
    let v: Option<i64> = on_db!(db, |p| sqlx::query_scalar("SELECT MAX(version) FROM calendar_versions")
        .fetch_one(p)
        .await)?;
    Ok(v)
}

/// Every version, oldest first.
pub async fn list_versions(db: &Db) -> Result<Vec<VersionRow>, StoreError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as::<_, VersionRow>(
        "SELECT version, event_id, change, summary, added, removed, actor_id, created_at FROM calendar_versions ORDER BY version"
    )
    .fetch_all(p)
    .await
    })?)
}

/// The official entries valid at `version`, in date order.
pub async fn entries_as_of(db: &Db, version: i64) -> Result<Vec<StoredEntry>, StoreError> {
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM calendar_entries WHERE valid_from_version <= $1 \
         AND (valid_to_version IS NULL OR valid_to_version > $1) ORDER BY day, id"
    );
    let rows = on_db!(db, |p| sqlx::query_as::<_, EntryRow>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(version)
        .fetch_all(p)
        .await)?;
    rows.into_iter().map(EntryRow::into_entry).collect()
}

/// One entry row by id (whatever its validity).
pub async fn get_entry(db: &Db, id: &str) -> Result<Option<StoredEntry>, StoreError> {
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM calendar_entries WHERE id = $1");
    let row = on_db!(db, |p| sqlx::query_as::<_, EntryRow>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(id)
        .fetch_optional(p)
        .await)?;
    row.map(EntryRow::into_entry).transpose()
}

async fn current_entries_tx(tx: &mut Tx) -> Result<Vec<StoredEntry>, StoreError> {
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM calendar_entries WHERE valid_to_version IS NULL ORDER BY day, id");
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, EntryRow>(sqlx::AssertSqlSafe(sql.as_str()))
        .fetch_all(c)
        .await)?;
    rows.into_iter().map(EntryRow::into_entry).collect()
}

async fn head_version_tx(tx: &mut Tx) -> Result<i64, StoreError> {
    let v: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT MAX(seq) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2"
    )
    .bind(AGGREGATE_TYPE)
    .bind(NATIONAL)
    .fetch_one(c)
    .await)?;
    Ok(v.unwrap_or(0))
}

async fn insert_entry_tx(tx: &mut Tx, e: &ScheduleEntry, version: i64) -> Result<String, StoreError> {
    let id = new_id();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO calendar_entries (id, day, year, kind, name, reference, valid_from_version, valid_to_version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)"
    )
    .bind(&id)
    .bind(e.date.format("%Y-%m-%d").to_string())
    .bind(i64::from(schedule_year(e)))
    .bind(e.kind.as_str())
    .bind(&e.name)
    .bind(&e.reference)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_sqlx)?;
    Ok(id)
}

async fn close_entry_tx(tx: &mut Tx, id: &str, version: i64) -> Result<u64, StoreError> {
    Ok(on_tx!(tx, |c| sqlx::query(
        "UPDATE calendar_entries SET valid_to_version = $2 WHERE id = $1 AND valid_to_version IS NULL"
    )
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

#[allow(clippy::too_many_arguments)]
async fn insert_version_tx(
    tx: &mut Tx,
    version: i64,
    event_id: i64,
    change: &str,
    summary: &str,
    added: i64,
    removed: i64,
    actor: &Actor,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO calendar_versions (version, event_id, change, summary, added, removed, actor_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(version)
    .bind(event_id)
    .bind(change)
    .bind(summary)
    .bind(added)
    .bind(removed)
    .bind(&actor.id)
    .bind(to_us(at))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

fn entry_json(e: &ScheduleEntry) -> serde_json::Value {
    json!({"date": e.date.format("%Y-%m-%d").to_string(), "kind": e.kind.as_str(), "name": e.name, "reference": e.reference})
}

/// Loads the shipped 2019–2026 schedule as version 1 when the calendar has no version yet.
/// Returns the current version. Safe to call at every start and concurrently.
pub async fn ensure_seeded(store: &Store, at: DateTime<Utc>) -> Result<i64, StoreError> {
    if let Some(v) = current_version(store.db()).await? {
        return Ok(v);
    }
    let r = store
        .write_on(Topic::Calendar, move |tx| {
            Box::pin(async move {
                if head_version_tx(tx).await? > 0 {
                    return Ok(());
                }
                let entries = shipped_entries();
                let actor = Actor::system();
                let years: BTreeSet<i32> = entries.iter().map(schedule_year).collect();
                let ev = events::append(
                    tx,
                    NewEvent {
                        aggregate_type: AGGREGATE_TYPE,
                        aggregate_id: NATIONAL,
                        expected_seq: Some(0),
                        kind: "calendar.seeded",
                        actor: &actor,
                        at,
                        payload: json!({
                            "source": "motcua-core data/vn_holidays.csv",
                            "entries": entries.len(),
                            "years": years,
                        }),
                    },
                )
                .await?;
                for e in &entries {
                    insert_entry_tx(tx, e, ev.seq).await?;
                }
                let summary = format!(
                    "Lịch nghỉ chính thức kèm theo phần mềm ({}–{}), {} ngày",
                    years.first().copied().unwrap_or_default(),
                    years.last().copied().unwrap_or_default(),
                    entries.len()
                );
                insert_version_tx(
                    tx,
                    ev.seq,
                    ev.id,
                    "seeded",
                    &summary,
                    entries.len() as i64,
                    0,
                    &actor,
                    at,
                )
                .await?;
                Ok(())
            })
        })
        .await;
    match r {
        // Someone else seeded at the same moment: fine.
        Ok(()) | Err(StoreError::Conflict(_)) => {}
        Err(e) => return Err(e),
    }
    Ok(current_version(store.db()).await?.unwrap_or(0))
}

/// A change to the official schedules.
#[derive(Debug, Clone)]
pub enum Change {
    /// Add entries (thêm ngày).
    Add(Vec<ScheduleEntry>),
    /// Correct an entry (sửa): the row is closed and a new one takes its place.
    Correct { id: String, entry: ScheduleEntry },
    /// Remove an entry (xóa).
    Remove { id: String },
    /// Import a schedule (nhập CSV): replaces the current entries of every schedule year the
    /// import contains.
    Import(Vec<ScheduleEntry>),
}

/// What a change produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    pub version: i64,
    pub event_id: i64,
    /// Ids of the rows added.
    pub added: Vec<String>,
    /// Ids of the rows closed.
    pub removed: Vec<String>,
}

fn problem(row: Option<usize>, column: &'static str, code: &'static str, vi: &str, en: &str) -> ScheduleProblem {
    ScheduleProblem {
        row,
        column: Some(column),
        code,
        message_vi: vi.to_owned(),
        message_en: en.to_owned(),
    }
}

/// Field checks the core does not make: a name and a legal reference are required.
fn check_fields(entries: &[ScheduleEntry]) -> Vec<ScheduleProblem> {
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let row = Some(i + 1);
        if e.name.trim().is_empty() || e.name.chars().count() > 300 {
            out.push(problem(
                row,
                "name",
                "entry_name_invalid",
                "Tên ngày nghỉ là bắt buộc (tối đa 300 ký tự).",
                "The name is required (at most 300 characters).",
            ));
        }
        if e.reference.trim().is_empty() || e.reference.chars().count() > 2000 {
            out.push(problem(
                row,
                "reference",
                "entry_reference_required",
                "Căn cứ pháp lý là bắt buộc (tối đa 2000 ký tự).",
                "The legal reference is required (at most 2000 characters).",
            ));
        }
    }
    out
}

/// Applies a change as one event and one new version. Returns `Ok(Err(problems))` when the
/// resulting schedule would be invalid (nothing is saved), and [`StoreError::NotFound`] for an
/// unknown entry id.
pub async fn change(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    change: Change,
) -> Result<Result<Changed, Vec<ScheduleProblem>>, StoreError> {
    // Fields first: nothing to read for them.
    let submitted: Vec<ScheduleEntry> = match &change {
        Change::Add(v) | Change::Import(v) => v.clone(),
        Change::Correct { entry, .. } => vec![entry.clone()],
        Change::Remove { .. } => Vec::new(),
    };
    if matches!(change, Change::Add(_) | Change::Import(_)) && submitted.is_empty() {
        return Ok(Err(vec![problem(
            None,
            "entries",
            "entries_empty",
            "Không có ngày nào để lưu.",
            "There are no entries to save.",
        )]));
    }
    let p = check_fields(&submitted);
    if !p.is_empty() {
        return Ok(Err(p));
    }
    ensure_seeded(store, at).await?;
    let actor = actor.clone();
    store
        .write_on(Topic::Calendar, move |tx| {
            Box::pin(async move {
                let head = head_version_tx(tx).await?;
                let current = current_entries_tx(tx).await?;
                let mut close: Vec<String> = Vec::new();
                let (kind, change_name) = match &change {
                    Change::Add(_) => ("calendar.entries_added", "added"),
                    Change::Correct { .. } => ("calendar.entry_corrected", "corrected"),
                    Change::Remove { .. } => ("calendar.entry_removed", "removed"),
                    Change::Import(_) => ("calendar.imported", "imported"),
                };
                let mut before: Vec<serde_json::Value> = Vec::new();
                match &change {
                    Change::Correct { id, .. } | Change::Remove { id } => {
                        let e = current
                            .iter()
                            .find(|e| &e.id == id)
                            .ok_or_else(|| StoreError::NotFound(format!("calendar entry {id}")))?;
                        before.push(json!({"id": e.id, "entry": entry_json(&e.entry())}));
                        close.push(id.clone());
                    }
                    Change::Import(entries) => {
                        let years: BTreeSet<i32> = entries.iter().map(schedule_year).collect();
                        for e in current.iter().filter(|e| years.contains(&e.year)) {
                            close.push(e.id.clone());
                        }
                    }
                    Change::Add(_) => {}
                }
                // The schedule after the change, checked whole; the submitted entries come
                // last so problems name them (rows mapped back to the submission).
                let kept: Vec<ScheduleEntry> = current
                    .iter()
                    .filter(|e| !close.contains(&e.id))
                    .map(StoredEntry::entry)
                    .collect();
                let mut all = kept.clone();
                all.extend(submitted.iter().cloned());
                if let Err(problems) = validate_entries(&all) {
                    let n = kept.len();
                    let mapped = problems
                        .into_iter()
                        .map(|mut p| {
                            p.row = p.row.and_then(|r| r.checked_sub(n)).filter(|r| *r > 0);
                            p
                        })
                        .collect();
                    return Ok(Err(mapped));
                }
                let years: BTreeSet<i32> = submitted.iter().map(schedule_year).collect();
                let payload = match &change {
                    Change::Add(v) => json!({"entries": v.iter().map(entry_json).collect::<Vec<_>>()}),
                    Change::Correct { id, entry } => {
                        json!({"id": id, "before": before.first(), "after": entry_json(entry)})
                    }
                    Change::Remove { id } => json!({"id": id, "before": before.first()}),
                    Change::Import(v) => json!({
                        "years": years,
                        "replaced": close.len(),
                        "entries": v.iter().map(entry_json).collect::<Vec<_>>(),
                    }),
                };
                let ev = events::append(
                    tx,
                    NewEvent {
                        aggregate_type: AGGREGATE_TYPE,
                        aggregate_id: NATIONAL,
                        expected_seq: Some(head),
                        kind,
                        actor: &actor,
                        at,
                        payload,
                    },
                )
                .await?;
                let version = ev.seq;
                for id in &close {
                    close_entry_tx(tx, id, version).await?;
                }
                let mut added = Vec::with_capacity(submitted.len());
                for e in &submitted {
                    added.push(insert_entry_tx(tx, e, version).await?);
                }
                let first = submitted.first();
                let summary = match &change {
                    Change::Add(v) if v.len() == 1 => format!(
                        "Thêm {} {} ({})",
                        first.map(|e| e.date.format("%d/%m/%Y").to_string()).unwrap_or_default(),
                        first.map(|e| e.name.as_str()).unwrap_or_default(),
                        first.map(|e| e.kind.as_str()).unwrap_or_default()
                    ),
                    Change::Add(v) => format!("Thêm {} ngày", v.len()),
                    Change::Correct { entry, .. } => format!(
                        "Sửa ngày {}: {} ({})",
                        entry.date.format("%d/%m/%Y"),
                        entry.name,
                        entry.kind.as_str()
                    ),
                    Change::Remove { .. } => {
                        let d = current
                            .iter()
                            .find(|e| close.contains(&e.id))
                            .map(|e| format!("{} {}", e.date.format("%d/%m/%Y"), e.name))
                            .unwrap_or_default();
                        format!("Xóa ngày {d}")
                    }
                    Change::Import(v) => format!(
                        "Nhập CSV năm {}: {} ngày (thay {} ngày)",
                        years.iter().map(i32::to_string).collect::<Vec<_>>().join(", "),
                        v.len(),
                        close.len()
                    ),
                };
                insert_version_tx(
                    tx,
                    version,
                    ev.id,
                    change_name,
                    &summary,
                    added.len() as i64,
                    close.len() as i64,
                    &actor,
                    at,
                )
                .await?;
                Ok(Ok(Changed {
                    version,
                    event_id: ev.id,
                    added,
                    removed: close,
                }))
            })
        })
        .await
}

// ------------------------------------------------------------------------------------ agencies

/// An agency's stored working hours and its calendar version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencySettings {
    pub unit_code: String,
    /// `None`: the default hours (07:30–11:30, 13:30–17:30, Monday–Friday).
    pub hours: Option<WorkingHours>,
    pub closures: Vec<Closure>,
    /// Sequence number of the agency's calendar events (0: never changed).
    pub version: i64,
}

/// A day an agency is closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Closure {
    pub id: String,
    pub unit_code: String,
    /// ISO date.
    pub day: String,
    pub reason: String,
    pub created_at: i64,
}

async fn agency_version(db: &Db, code: &str) -> Result<i64, StoreError> {
    let v: Option<i64> = on_db!(db, |p| sqlx::query_scalar(
        "SELECT MAX(seq) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2"
    )
    .bind(AGGREGATE_TYPE)
    .bind(agency_aggregate(code))
    .fetch_one(p)
    .await)?;
    Ok(v.unwrap_or(0))
}

/// The agency with this unit code must exist.
async fn require_unit(db: &Db, code: &str) -> Result<(), StoreError> {
    match crate::identity::get_unit_by_code(db, code).await? {
        Some(_) => Ok(()),
        None => Err(StoreError::rejected("agency_unknown", "agency")),
    }
}

/// An agency's hours, closures and version; [`StoreError::Rejected`] `agency_unknown` if no
/// unit has the code.
pub async fn agency_settings(db: &Db, code: &str) -> Result<AgencySettings, StoreError> {
    require_unit(db, code).await?;
    let hours: Option<String> = on_db!(db, |p| sqlx::query_scalar(
        "SELECT hours FROM agency_hours WHERE unit_code = $1"
    )
    .bind(code)
    .fetch_optional(p)
    .await)?;
    let hours = match hours {
        Some(h) => Some(
            serde_json::from_str::<WorkingHours>(&h)
                .map_err(|e| StoreError::Config(format!("agency {code}: stored hours are unreadable: {e}")))?,
        ),
        None => None,
    };
    let closures = on_db!(db, |p| sqlx::query_as::<_, Closure>(
        "SELECT id, unit_code, day, reason, created_at FROM agency_closures WHERE unit_code = $1 ORDER BY day"
    )
    .bind(code)
    .fetch_all(p)
    .await)?;
    Ok(AgencySettings {
        unit_code: code.to_owned(),
        hours,
        closures,
        version: agency_version(db, code).await?,
    })
}

/// Sets an agency's working hours (an event `calendar.agency_hours_set`). Invalid hours are
/// [`StoreError::Rejected`] `working_hours_invalid`.
pub async fn set_agency_hours(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    code: &str,
    hours: WorkingHours,
) -> Result<i64, StoreError> {
    hours
        .validate()
        .map_err(|_| StoreError::rejected("working_hours_invalid", "hours"))?;
    if hours.rest_days.len() >= 7 {
        return Err(StoreError::rejected("working_hours_invalid", "hours: rest_days"));
    }
    require_unit(store.db(), code).await?;
    let actor = actor.clone();
    let code = code.to_owned();
    let text = serde_json::to_string(&hours).map_err(|e| StoreError::Config(e.to_string()))?;
    store
        .write_on(Topic::Calendar, move |tx| {
            Box::pin(async move {
                let ev = events::append(
                    tx,
                    NewEvent {
                        aggregate_type: AGGREGATE_TYPE,
                        aggregate_id: &agency_aggregate(&code),
                        expected_seq: None,
                        kind: "calendar.agency_hours_set",
                        actor: &actor,
                        at,
                        payload: json!({"unit_code": code, "hours": hours}),
                    },
                )
                .await?;
                on_tx!(tx, |c| sqlx::query("DELETE FROM agency_hours WHERE unit_code = $1")
                    .bind(&code)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected()))?;
                on_tx!(tx, |c| sqlx::query(
                    "INSERT INTO agency_hours (unit_code, hours, version, updated_at) VALUES ($1, $2, $3, $4)"
                )
                .bind(&code)
                .bind(&text)
                .bind(ev.seq)
                .bind(to_us(at))
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
                Ok(ev.seq)
            })
        })
        .await
}

/// Adds a closure day (an event `calendar.agency_closure_added`); the same day twice is
/// [`StoreError::Rejected`] `closure_exists`.
pub async fn add_closure(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    code: &str,
    date: NaiveDate,
    reason: &str,
) -> Result<Closure, StoreError> {
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 300 {
        return Err(StoreError::rejected("closure_reason_invalid", "reason"));
    }
    if !(1900..=2101).contains(&date.year()) {
        return Err(StoreError::rejected("calendar_out_of_range", "date"));
    }
    require_unit(store.db(), code).await?;
    let closure = Closure {
        id: new_id(),
        unit_code: code.to_owned(),
        day: date.format("%Y-%m-%d").to_string(),
        reason,
        created_at: to_us(at),
    };
    let out = closure.clone();
    let actor = actor.clone();
    store
        .write_on(Topic::Calendar, move |tx| {
            Box::pin(async move {
                on_tx!(tx, |c| sqlx::query(
                    "INSERT INTO agency_closures (id, unit_code, day, reason, created_at) VALUES ($1, $2, $3, $4, $5)"
                )
                .bind(&closure.id)
                .bind(&closure.unit_code)
                .bind(&closure.day)
                .bind(&closure.reason)
                .bind(closure.created_at)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))
                .map_err(|e| match StoreError::from_sqlx(e) {
                    StoreError::Conflict(_) => StoreError::rejected("closure_exists", "date"),
                    other => other,
                })?;
                events::append(
                    tx,
                    NewEvent {
                        aggregate_type: AGGREGATE_TYPE,
                        aggregate_id: &agency_aggregate(&closure.unit_code),
                        expected_seq: None,
                        kind: "calendar.agency_closure_added",
                        actor: &actor,
                        at,
                        payload: json!({"unit_code": closure.unit_code, "date": closure.day, "reason": closure.reason}),
                    },
                )
                .await?;
                Ok(())
            })
        })
        .await?;
    Ok(out)
}

/// Removes a closure day (an event `calendar.agency_closure_removed`).
pub async fn remove_closure(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    code: &str,
    date: NaiveDate,
) -> Result<(), StoreError> {
    require_unit(store.db(), code).await?;
    let actor = actor.clone();
    let code = code.to_owned();
    let day = date.format("%Y-%m-%d").to_string();
    store
        .write_on(Topic::Calendar, move |tx| {
            Box::pin(async move {
                let n = on_tx!(tx, |c| sqlx::query(
                    "DELETE FROM agency_closures WHERE unit_code = $1 AND day = $2"
                )
                .bind(&code)
                .bind(&day)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
                if n == 0 {
                    return Err(StoreError::NotFound(format!("closure {code} {day}")));
                }
                events::append(
                    tx,
                    NewEvent {
                        aggregate_type: AGGREGATE_TYPE,
                        aggregate_id: &agency_aggregate(&code),
                        expected_seq: None,
                        kind: "calendar.agency_closure_removed",
                        actor: &actor,
                        at,
                        payload: json!({"unit_code": code, "date": day}),
                    },
                )
                .await?;
                Ok(())
            })
        })
        .await
}

// ------------------------------------------------------------------------------------ calendars

/// Built calendars, by version (building one costs a table of every day 1900–2101, so it is
/// done once per version and agency, not per request).
///
/// Which version is current (national, and each agency's) is itself remembered per
/// [`crate::memo`]: a calendar change made here is seen at once, one made by another process
/// within [`crate::memo::RECHECK`].
pub struct CalendarCache {
    national: Mutex<HashMap<i64, Arc<NationalCalendar>>>,
    agencies: Mutex<HashMap<(String, i64, i64), Arc<AgencyCalendar>>>,
    current: crate::memo::Remembered<(), i64>,
    agency_versions: crate::memo::Remembered<String, i64>,
}

impl Default for CalendarCache {
    fn default() -> Self {
        CalendarCache {
            national: Mutex::default(),
            agencies: Mutex::default(),
            current: crate::memo::Remembered::new(Topic::Calendar, 1),
            agency_versions: crate::memo::Remembered::new(Topic::Calendar, 4_096),
        }
    }
}

/// Calendars kept per kind; older ones are dropped.
const CACHE_LIMIT: usize = 16;

impl CalendarCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The national calendar as of `version` (default: the current one). Seeds the shipped
    /// schedule when the calendar is empty. Unknown version: [`StoreError::Rejected`]
    /// `calendar_version_unknown`.
    pub async fn national(&self, store: &Store, version: Option<i64>) -> Result<Arc<NationalCalendar>, StoreError> {
        let current = match self.current.get(store, &()) {
            Some(v) => v,
            None => {
                let generation = self.current.generation(store);
                let v = match current_version(store.db()).await? {
                    Some(v) => v,
                    None => ensure_seeded(store, Utc::now()).await?,
                };
                self.current.put((), v, generation);
                v
            }
        };
        let v = version.unwrap_or(current);
        if v < 1 || v > current {
            return Err(StoreError::rejected("calendar_version_unknown", "version"));
        }
        if let Some(c) = self.national.lock().map_err(|_| poisoned())?.get(&v) {
            return Ok(c.clone());
        }
        let entries: Vec<ScheduleEntry> = entries_as_of(store.db(), v)
            .await?
            .iter()
            .map(StoredEntry::entry)
            .collect();
        let cal = NationalCalendar::new(v, HolidayRules::default(), entries)
            .map_err(|e| StoreError::rejected("schedule_invalid", e.to_string()))?;
        let cal = Arc::new(cal);
        let mut m = self.national.lock().map_err(|_| poisoned())?;
        if m.len() >= CACHE_LIMIT {
            m.clear();
        }
        m.insert(v, cal.clone());
        Ok(cal)
    }

    /// The calendar of the agency with unit code `agency` (default hours and no closures when
    /// `None`) over the national calendar as of `version`.
    pub async fn agency(
        &self,
        store: &Store,
        agency: Option<&str>,
        version: Option<i64>,
    ) -> Result<Arc<AgencyCalendar>, StoreError> {
        let national = self.national(store, version).await?;
        // The agency's version (remembered, see above) decides whether the cached calendar is current; its
        // hours and closures are read only when it is not.
        let agency_v = match agency {
            Some(code) => match self.agency_versions.get(store, &code.to_owned()) {
                Some(v) => v,
                None => {
                    let generation = self.agency_versions.generation(store);
                    let v = agency_version(store.db(), code).await?;
                    self.agency_versions.put(code.to_owned(), v, generation);
                    v
                }
            },
            None => 0,
        };
        let key = (agency.unwrap_or_default().to_owned(), national.version, agency_v);
        if let Some(c) = self.agencies.lock().map_err(|_| poisoned())?.get(&key) {
            return Ok(c.clone());
        }
        let settings = match agency {
            Some(code) => Some(agency_settings(store.db(), code).await?),
            None => None,
        };
        let cal = match settings {
            None => AgencyCalendar::with_default_hours(national),
            Some(s) => {
                let closures = s
                    .closures
                    .iter()
                    .filter_map(|c| {
                        NaiveDate::parse_from_str(&c.day, "%Y-%m-%d")
                            .ok()
                            .map(|d| (d, c.reason.clone()))
                    })
                    .collect();
                AgencyCalendar::new(national, s.hours.unwrap_or_default(), closures)
                    .map_err(|e| StoreError::rejected("working_hours_invalid", e.to_string()))?
            }
        };
        let cal = Arc::new(cal);
        let mut m = self.agencies.lock().map_err(|_| poisoned())?;
        if m.len() >= CACHE_LIMIT {
            m.clear();
        }
        m.insert(key, cal.clone());
        Ok(cal)
    }
}

fn poisoned() -> StoreError {
    StoreError::Config("calendar cache lock poisoned".into())
}
