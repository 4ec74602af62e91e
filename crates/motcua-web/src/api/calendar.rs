//! The working-day calendar over JSON: days, Tết, year listings and deadlines (public); official
//! schedule entries, CSV import, versions and agency hours/closures (administrator).
//!
//! The parsing and the output shapes here are shared with `motcua calendar …` on the command
//! line, so both answer the same JSON.

use crate::AppState;
use crate::auth::Access;
use crate::extract::{ApiJson, ApiQuery, ReqCtx};
use crate::problem::ApiError;
use crate::routes::Routes;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use motcua_core::calendar::{
    AgencyCalendar, CalendarError, DayInfo, DayKind, DueOptions, Duration, ScheduleEntry, ScheduleProblem,
    WorkingHours, due, lunar_to_solar, vn_offset,
};
use motcua_core::calendar::{EntryKind, LunarDate};
use motcua_core::identity::Role;
use motcua_store::StoreError;
use motcua_store::calendar::{self as store, Change, StoredEntry};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

const ADMIN: &[Role] = &[Role::Admin];

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/calendar/day/{date}", Access::Public, day)
        .get("/api/v1/calendar/tet/{year}", Access::Public, tet)
        .get("/api/v1/calendar/year/{year}", Access::Public, year)
        .get("/api/v1/calendar/due", Access::Public, due_date)
        .get(
            "/api/v1/calendar/entries",
            Access::roles_or_key(ADMIN, "read"),
            list_entries,
        )
        .post("/api/v1/calendar/entries", Access::roles(ADMIN), add_entries)
        .put("/api/v1/calendar/entries/{id}", Access::roles(ADMIN), correct_entry)
        .delete("/api/v1/calendar/entries/{id}", Access::roles(ADMIN), remove_entry)
        .post("/api/v1/calendar/import", Access::roles(ADMIN), import)
        .get(
            "/api/v1/calendar/versions",
            Access::roles_or_key(ADMIN, "read"),
            versions,
        )
        .get("/api/v1/calendar/diff", Access::roles_or_key(ADMIN, "read"), diff)
        .get(
            "/api/v1/calendar/agencies/{id}",
            Access::roles_or_key(ADMIN, "read"),
            agency,
        )
        .put("/api/v1/calendar/agencies/{id}/hours", Access::roles(ADMIN), set_hours)
        .post(
            "/api/v1/calendar/agencies/{id}/closures",
            Access::roles(ADMIN),
            add_closure,
        )
        .delete(
            "/api/v1/calendar/agencies/{id}/closures",
            Access::roles(ADMIN),
            remove_closure,
        )
}

// ------------------------------------------------------------------------------ input parsing

/// Bad input, naming the field at fault, with Vietnamese and English messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The field (`from`, `duration`, `agency`, …).
    pub field: String,
    /// Stable code, also the locale key `error.<code>`.
    pub code: &'static str,
    pub message_vi: String,
    pub message_en: String,
}

impl InputError {
    pub fn new(field: &str, code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        InputError {
            field: field.to_owned(),
            code,
            message_vi: vi.into(),
            message_en: en.into(),
        }
    }

    /// From a calendar rule's error.
    pub fn calendar(field: &str, e: &CalendarError) -> Self {
        InputError::new(field, e.code(), e.message_vi(), e.message_en())
    }

    /// A required field is missing.
    pub fn required(field: &str) -> Self {
        InputError::new(
            field,
            "field_required",
            format!("Thiếu trường bắt buộc \"{field}\"."),
            format!("The field \"{field}\" is required."),
        )
    }
}

impl From<InputError> for ApiError {
    fn from(e: InputError) -> Self {
        ApiError::unprocessable(e.code, &e.field).with_detail(e.message_en)
    }
}

/// A calendar date `YYYY-MM-DD` (an impossible date such as 2024-02-30 is refused).
pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate, InputError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(InputError::required(field));
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| {
        InputError::new(
            field,
            "date_invalid",
            format!("Ngày \"{s}\" không hợp lệ: dùng định dạng YYYY-MM-DD và một ngày có thật."),
            format!("\"{s}\" is not a valid date: use YYYY-MM-DD and a date that exists."),
        )
    })
}

/// An instant: RFC 3339 (`2024-02-07T10:00:00+07:00`), or a local (UTC+7) date and time
/// `2024-02-07T10:00` / `2024-02-07 10:00[:00]`. The result is in UTC+7.
pub fn parse_instant(field: &str, s: &str) -> Result<DateTime<FixedOffset>, InputError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(InputError::required(field));
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&vn_offset()));
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, f)
            && let Some(d) = n.and_local_timezone(vn_offset()).single()
        {
            return Ok(d);
        }
    }
    Err(InputError::new(
        field,
        "instant_invalid",
        format!("Thời điểm \"{s}\" không hợp lệ: dùng dạng 2024-02-07T10:00:00+07:00."),
        format!("\"{s}\" is not a valid instant: use e.g. 2024-02-07T10:00:00+07:00."),
    ))
}

/// A duration (`5wd`, `8wh`, `30d`, `1m`).
pub fn parse_duration(field: &str, s: &str) -> Result<Duration, InputError> {
    if s.trim().is_empty() {
        return Err(InputError::required(field));
    }
    s.parse::<Duration>().map_err(|e| InputError::calendar(field, &e))
}

/// A cut-off time `HH:MM`.
pub fn parse_cutoff(field: &str, s: &str) -> Result<NaiveTime, InputError> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s.trim(), "%H:%M:%S"))
        .map_err(|_| {
            InputError::new(
                field,
                "cutoff_invalid",
                format!("Giờ tiếp nhận cuối ngày \"{s}\" không hợp lệ: dùng dạng HH:MM, ví dụ 15:00."),
                format!("\"{s}\" is not a valid cut-off time: use HH:MM, e.g. 15:00."),
            )
        })
}

/// A year of the calendar's range, 1900–2101.
pub fn parse_year(field: &str, s: &str) -> Result<i32, InputError> {
    match s.trim().parse::<i32>() {
        Ok(y) if (motcua_core::calendar::FIRST_YEAR..=motcua_core::calendar::LAST_YEAR).contains(&y) => Ok(y),
        _ => Err(InputError::new(
            field,
            "year_invalid",
            format!("Năm \"{s}\" không hợp lệ: cần một năm từ 1900 đến 2101."),
            format!("\"{s}\" is not a valid year: use a year from 1900 to 2101."),
        )),
    }
}

/// A calendar version number (≥ 1).
pub fn parse_version(field: &str, s: &str) -> Result<i64, InputError> {
    match s.trim().parse::<i64>() {
        Ok(v) if v >= 1 => Ok(v),
        _ => Err(InputError::new(
            field,
            "calendar_version_unknown",
            format!("Phiên bản lịch \"{s}\" không tồn tại."),
            format!("Calendar version \"{s}\" does not exist."),
        )),
    }
}

/// An entry kind (`holiday`, `compensatory`, `swapped_off`, `makeup_workday`).
pub fn parse_kind(field: &str, s: &str) -> Result<EntryKind, InputError> {
    store::parse_kind(s.trim()).ok_or_else(|| {
        InputError::new(
            field,
            "entry_kind_invalid",
            format!("Loại ngày \"{s}\" không hợp lệ: holiday, compensatory, swapped_off hoặc makeup_workday."),
            format!("\"{s}\" is not a valid kind: holiday, compensatory, swapped_off or makeup_workday."),
        )
    })
}

/// Maps a store error of the calendar to an input error when it names a field.
pub fn store_input_error(e: StoreError) -> Result<InputError, StoreError> {
    match e {
        StoreError::Rejected { code, message } => {
            let (vi, en) = match code {
                "agency_unknown" => (
                    "Không có cơ quan, đơn vị nào có mã này.".to_owned(),
                    "No agency or unit has this code.".to_owned(),
                ),
                "calendar_version_unknown" => (
                    "Phiên bản lịch này không tồn tại.".to_owned(),
                    "This calendar version does not exist.".to_owned(),
                ),
                other => (
                    format!("Dữ liệu không hợp lệ ({other})."),
                    format!("Invalid input ({other})."),
                ),
            };
            Ok(InputError::new(&message, code, vi, en))
        }
        other => Err(other),
    }
}

// ------------------------------------------------------------------------------ output shapes

/// A lunar date (ngày âm lịch).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LunarOut {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    /// In a leap month (tháng nhuận).
    pub leap: bool,
}

impl From<LunarDate> for LunarOut {
    fn from(l: LunarDate) -> Self {
        LunarOut {
            year: l.year,
            month: l.month,
            day: l.day,
            leap: l.leap,
        }
    }
}

/// One day of the calendar.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayOut {
    /// ISO 8601 date.
    pub date: String,
    pub working: bool,
    /// working | weekend | holiday | compensatory | swapped_off | makeup_workday | agency_closure
    pub kind: String,
    /// Name of the holiday or break (Vietnamese).
    pub name: Option<String>,
    /// Legal basis (căn cứ pháp lý).
    pub reference: Option<String>,
    pub lunar: LunarOut,
}

impl From<&DayInfo> for DayOut {
    fn from(d: &DayInfo) -> Self {
        DayOut {
            date: d.date.format("%Y-%m-%d").to_string(),
            working: d.working,
            kind: d.kind.as_str().to_owned(),
            name: d.name.clone(),
            reference: d.reference.clone(),
            lunar: d.lunar.into(),
        }
    }
}

/// Tết Nguyên đán of a lunar year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TetOut {
    pub year: i32,
    /// ISO 8601 date of 1/1 âm lịch.
    pub date: String,
}

/// The non-working weekdays and make-up working days of a year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearOut {
    pub year: i32,
    pub calendar_version: i64,
    pub days: Vec<DayOut>,
}

/// A day off skipped while counting.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct SkippedOut {
    pub date: String,
    pub kind: String,
    pub name: Option<String>,
    pub reference: Option<String>,
}

/// A due date with its explanation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DueOut {
    /// The due instant, RFC 3339 in UTC+7.
    pub due: String,
    /// Days off between the receipt date and the due date, with reason and legal basis.
    pub skipped: Vec<SkippedOut>,
    /// The rules applied (Vietnamese).
    pub rule_set: String,
    pub calendar_version: i64,
}

/// RFC 3339 in UTC+7, seconds precision.
pub fn fmt_instant(d: DateTime<FixedOffset>) -> String {
    d.with_timezone(&vn_offset()).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Tết of lunar year `year` (−1000..=3000).
pub fn tet_out(field: &str, s: &str) -> Result<TetOut, InputError> {
    let bad = || {
        InputError::new(
            field,
            "year_invalid",
            format!("Năm \"{s}\" không hợp lệ: cần một năm từ -1000 đến 3000."),
            format!("\"{s}\" is not a valid year: use a year from -1000 to 3000."),
        )
    };
    let y: i32 = s.trim().parse().map_err(|_| bad())?;
    if !(-1000..=3000).contains(&y) {
        return Err(bad());
    }
    let d = lunar_to_solar(LunarDate {
        year: y,
        month: 1,
        day: 1,
        leap: false,
    })
    .ok_or_else(bad)?;
    Ok(TetOut {
        year: y,
        date: d.format("%Y-%m-%d").to_string(),
    })
}

/// Every non-working day that is not a weekly rest day, and every make-up working day, of
/// `year` for the agency's calendar.
pub fn year_out(cal: &AgencyCalendar, year: i32) -> YearOut {
    let mut days = Vec::new();
    if let (Some(mut d), Some(end)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) {
        while d <= end {
            let info = cal.day(d);
            let rest = cal.hours().rest_days.contains(&d.weekday());
            if (!info.working && !rest) || info.kind == DayKind::MakeupWorkday {
                days.push(DayOut::from(&info));
            }
            match d.succ_opt() {
                Some(n) => d = n,
                None => break,
            }
        }
    }
    YearOut {
        year,
        calendar_version: cal.version(),
        days,
    }
}

/// Computes a due date with its explanation.
pub fn due_out(
    cal: &AgencyCalendar,
    from: DateTime<FixedOffset>,
    dur: Duration,
    cutoff: Option<NaiveTime>,
) -> Result<DueOut, InputError> {
    let opts = DueOptions {
        cutoff,
        explain: true,
        ..DueOptions::default()
    };
    let d = due(cal, from, dur, &opts).map_err(|e| {
        let field = match e {
            CalendarError::OutOfRange { .. } => "from",
            CalendarError::NoWorkingTime | CalendarError::InvalidWorkingHours { .. } => "agency",
            _ => "duration",
        };
        InputError::calendar(field, &e)
    })?;
    Ok(DueOut {
        due: fmt_instant(d.due),
        skipped: d
            .skipped
            .into_iter()
            .map(|s| SkippedOut {
                date: s.date.format("%Y-%m-%d").to_string(),
                kind: s.kind.as_str().to_owned(),
                name: s.name,
                reference: s.reference,
            })
            .collect(),
        rule_set: d.rule_set,
        calendar_version: d.calendar_version,
    })
}

/// The parsed parameters of a due-date question.
#[derive(Debug, Clone)]
pub struct DueQuestion {
    pub from: DateTime<FixedOffset>,
    pub duration: Duration,
    pub agency: Option<String>,
    pub cutoff: Option<NaiveTime>,
    pub version: Option<i64>,
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl DueQuestion {
    pub fn parse(
        from: Option<&str>,
        duration: Option<&str>,
        agency: Option<&str>,
        cutoff: Option<&str>,
        version: Option<&str>,
    ) -> Result<Self, InputError> {
        Ok(DueQuestion {
            from: parse_instant("from", from.unwrap_or(""))?,
            duration: parse_duration("duration", duration.unwrap_or(""))?,
            agency: agency.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned),
            cutoff: cutoff
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|c| parse_cutoff("cutoff", c))
                .transpose()?,
            version: version
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|v| parse_version("version", v))
                .transpose()?,
        })
    }
}

/// Either bad input (naming the field) or a storage failure.
#[derive(Debug)]
pub enum CalendarFailure {
    Input(InputError),
    Store(StoreError),
}

impl From<InputError> for CalendarFailure {
    fn from(e: InputError) -> Self {
        CalendarFailure::Input(e)
    }
}

impl From<StoreError> for CalendarFailure {
    fn from(e: StoreError) -> Self {
        match store_input_error(e) {
            Ok(i) => CalendarFailure::Input(i),
            Err(s) => CalendarFailure::Store(s),
        }
    }
}

impl From<CalendarFailure> for ApiError {
    fn from(e: CalendarFailure) -> Self {
        match e {
            CalendarFailure::Input(i) => i.into(),
            CalendarFailure::Store(s) => s.into(),
        }
    }
}

/// Answers a due-date question against the stored calendar.
pub async fn answer_due(
    store: &motcua_store::Store,
    cache: &store::CalendarCache,
    q: &DueQuestion,
) -> Result<DueOut, CalendarFailure> {
    let cal = cache.agency(store, q.agency.as_deref(), q.version).await?;
    Ok(due_out(&cal, q.from, q.duration, q.cutoff)?)
}

/// An official entry as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryOut {
    pub id: String,
    pub date: String,
    /// holiday | compensatory | swapped_off | makeup_workday
    pub kind: String,
    pub name: String,
    pub reference: String,
    /// The schedule year it belongs to.
    pub year: i32,
    pub valid_from_version: i64,
    pub valid_to_version: Option<i64>,
}

impl From<&StoredEntry> for EntryOut {
    fn from(e: &StoredEntry) -> Self {
        EntryOut {
            id: e.id.clone(),
            date: e.date.format("%Y-%m-%d").to_string(),
            kind: e.kind.as_str().to_owned(),
            name: e.name.clone(),
            reference: e.reference.clone(),
            year: e.year,
            valid_from_version: e.valid_from_version,
            valid_to_version: e.valid_to_version,
        }
    }
}

/// An official schedule entry to save.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryIn {
    /// YYYY-MM-DD
    pub date: String,
    /// holiday | compensatory | swapped_off | makeup_workday
    pub kind: String,
    pub name: String,
    /// Legal basis, e.g. "Công văn 8726/VPCP-KGVX ngày 26/11/2024".
    pub reference: String,
}

impl EntryIn {
    /// Parses the entry; `prefix` names it in errors (e.g. `entries[0].`).
    pub fn parse(&self, prefix: &str) -> Result<ScheduleEntry, InputError> {
        Ok(ScheduleEntry {
            date: parse_date(&format!("{prefix}date"), &self.date)?,
            kind: parse_kind(&format!("{prefix}kind"), &self.kind)?,
            name: self.name.trim().to_owned(),
            reference: self.reference.trim().to_owned(),
        })
    }
}

/// Problems of a schedule as one error: the first problem's field, every problem in the detail.
pub fn schedule_error(problems: &[ScheduleProblem]) -> ApiError {
    let field = problems
        .first()
        .and_then(|p| p.column)
        .map(|c| match problems.first().and_then(|p| p.row) {
            Some(r) => format!("{c} (row {r})"),
            None => c.to_owned(),
        })
        .unwrap_or_else(|| "entries".into());
    let detail = problems
        .iter()
        .map(|p| {
            let loc = match (p.row, p.column) {
                (Some(r), Some(c)) => format!("row {r}, {c}: "),
                (Some(r), None) => format!("row {r}: "),
                (None, Some(c)) => format!("{c}: "),
                (None, None) => String::new(),
            };
            format!("{loc}{} ({})", p.message_en, p.code)
        })
        .collect::<Vec<_>>()
        .join("; ");
    ApiError::unprocessable("schedule_invalid", &field).with_detail(detail)
}

// ------------------------------------------------------------------------------ public handlers

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgencyQuery {
    /// Electronic identifier code of the agency (its hours and closures apply).
    pub agency: Option<String>,
    /// National calendar version (default: the current one).
    pub version: Option<String>,
}

fn version_of(q: &AgencyQuery) -> Result<Option<i64>, InputError> {
    opt(&q.version).map(|v| parse_version("version", v)).transpose()
}

/// One day: working or not, why, legal basis and the lunar date.
#[utoipa::path(get, path = "/api/v1/calendar/day/{date}", tag = "calendar",
    params(("date" = String, Path, description = "YYYY-MM-DD"), AgencyQuery),
    responses((status = 200, description = "The day", body = DayOut),
        (status = 422, description = "Invalid date, agency or version", body = crate::problem::Problem)))]
pub async fn day(
    State(st): State<AppState>,
    Path(date): Path<String>,
    ApiQuery(q): ApiQuery<AgencyQuery>,
) -> Result<Json<DayOut>, ApiError> {
    let d = parse_date("date", &date)?;
    let cal = st
        .calendar
        .agency(&st.store, opt(&q.agency), version_of(&q)?)
        .await
        .map_err(CalendarFailure::from)?;
    Ok(Json(DayOut::from(&cal.day(d))))
}

/// Tết Nguyên đán (1/1 âm lịch) of a lunar year.
#[utoipa::path(get, path = "/api/v1/calendar/tet/{year}", tag = "calendar",
    params(("year" = String, Path, description = "Lunar year, -1000..=3000")),
    responses((status = 200, description = "Tết", body = TetOut),
        (status = 422, description = "Invalid year", body = crate::problem::Problem)))]
pub async fn tet(Path(year): Path<String>) -> Result<Json<TetOut>, ApiError> {
    Ok(Json(tet_out("year", &year)?))
}

/// Every non-working weekday and every make-up working day of a year.
#[utoipa::path(get, path = "/api/v1/calendar/year/{year}", tag = "calendar",
    params(("year" = String, Path, description = "1900..=2101"), AgencyQuery),
    responses((status = 200, description = "The year", body = YearOut),
        (status = 422, description = "Invalid year, agency or version", body = crate::problem::Problem)))]
pub async fn year(
    State(st): State<AppState>,
    Path(year): Path<String>,
    ApiQuery(q): ApiQuery<AgencyQuery>,
) -> Result<Json<YearOut>, ApiError> {
    let y = parse_year("year", &year)?;
    let cal = st
        .calendar
        .agency(&st.store, opt(&q.agency), version_of(&q)?)
        .await
        .map_err(CalendarFailure::from)?;
    Ok(Json(year_out(&cal, y)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// Receipt instant, e.g. `2024-02-07T10:00:00+07:00` (or local `2024-02-07T10:00`).
    pub from: Option<String>,
    /// Time limit: `5wd` (working days), `8wh` (working hours), `30d` (days), `1m` (months).
    pub duration: Option<String>,
    /// Agency (electronic identifier code) whose hours and closures apply.
    pub agency: Option<String>,
    /// Same-day cut-off `HH:MM`: received later counts from the next working day.
    pub cutoff: Option<String>,
    /// National calendar version (default: the current one).
    pub version: Option<String>,
}

/// The due date (ngày hẹn trả) of a dossier received at `from`, with the days off skipped.
#[utoipa::path(get, path = "/api/v1/calendar/due", tag = "calendar", params(DueQuery),
    responses((status = 200, description = "The due date", body = DueOut),
        (status = 422, description = "Invalid input; `field` names it", body = crate::problem::Problem)))]
pub async fn due_date(State(st): State<AppState>, ApiQuery(q): ApiQuery<DueQuery>) -> Result<Json<DueOut>, ApiError> {
    let question = DueQuestion::parse(
        q.from.as_deref(),
        q.duration.as_deref(),
        q.agency.as_deref(),
        q.cutoff.as_deref(),
        q.version.as_deref(),
    )?;
    Ok(Json(answer_due(&st.store, &st.calendar, &question).await?))
}

// ------------------------------------------------------------------------------ admin handlers

fn actor(ctx: &ReqCtx) -> Result<motcua_store::events::Actor, ApiError> {
    Ok(ctx.principal.as_ref().ok_or_else(ApiError::unauthorized)?.actor())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// Version (default: the current one).
    pub version: Option<String>,
}

/// The official entries valid at a version.
#[utoipa::path(get, path = "/api/v1/calendar/entries", tag = "calendar", security(("api_key" = [])), params(VersionQuery),
    responses((status = 200, description = "Entries", body = [EntryOut])))]
pub async fn list_entries(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<Json<Vec<EntryOut>>, ApiError> {
    let v = match opt(&q.version) {
        Some(v) => parse_version("version", v)?,
        None => store::ensure_seeded(&st.store, chrono::Utc::now()).await?,
    };
    let current = store::current_version(st.store.db()).await?.unwrap_or(0);
    if v > current {
        return Err(ApiError::unprocessable("calendar_version_unknown", "version"));
    }
    let entries = store::entries_as_of(st.store.db(), v).await?;
    Ok(Json(entries.iter().map(EntryOut::from).collect()))
}

/// The result of a change: the new version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangedOut {
    /// The new calendar version.
    pub version: i64,
    /// Ids of the entries added.
    pub added: Vec<String>,
    /// Ids of the entries replaced or removed.
    pub removed: Vec<String>,
    /// Open dossiers whose appointment moved with the change (each has a `dossier.rescheduled`
    /// event with the old and new date).
    pub rescheduled: usize,
}

/// After a calendar change is committed, recompute the appointment of every open dossier
/// (issue 5 item 14): each one that moves gets a `dossier.rescheduled` event with the old and
/// new date. It runs in the same request, after the commit, so the answer can say how many
/// moved. A failure here leaves the calendar change saved (it is logged, and `motcua serve`
/// runs the same recomputation at start, which moves only what is still out of date).
pub async fn reschedule_open_dossiers(st: &AppState, actor: &motcua_store::events::Actor) -> usize {
    match motcua_store::dossiers::recompute_due(&st.store, st.deadlines(), actor, chrono::Utc::now()).await {
        Ok(moved) => {
            if !moved.is_empty() {
                tracing::info!(count = moved.len(), "appointments recomputed after a calendar change");
            }
            moved.len()
        }
        Err(e) => {
            tracing::error!(error = %e, "appointments not recomputed after a calendar change");
            0
        }
    }
}

async fn apply(st: &AppState, ctx: &ReqCtx, change: Change) -> Result<ChangedOut, ApiError> {
    let actor = actor(ctx)?;
    match store::change(&st.store, &actor, chrono::Utc::now(), change).await? {
        Ok(c) => Ok(ChangedOut {
            version: c.version,
            added: c.added,
            removed: c.removed,
            rescheduled: reschedule_open_dossiers(st, &actor).await,
        }),
        Err(problems) => Err(schedule_error(&problems)),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntriesIn {
    pub entries: Vec<EntryIn>,
}

/// Add official entries (one new calendar version). A contradictory schedule is refused whole.
#[utoipa::path(post, path = "/api/v1/calendar/entries", tag = "calendar", request_body = EntriesIn,
    responses((status = 201, description = "Saved as a new version", body = ChangedOut),
        (status = 422, description = "Invalid or contradictory entries", body = crate::problem::Problem)))]
pub async fn add_entries(
    State(st): State<AppState>,
    ctx: ReqCtx,
    ApiJson(b): ApiJson<EntriesIn>,
) -> Result<(StatusCode, Json<ChangedOut>), ApiError> {
    let entries = b
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| e.parse(&format!("entries[{i}].")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((StatusCode::CREATED, Json(apply(&st, &ctx, Change::Add(entries)).await?)))
}

/// Correct an official entry (one new calendar version; the old row stays in earlier versions).
#[utoipa::path(put, path = "/api/v1/calendar/entries/{id}", tag = "calendar", request_body = EntryIn,
    params(("id" = String, Path, description = "Entry id")),
    responses((status = 200, description = "Saved as a new version", body = ChangedOut),
        (status = 404, description = "No current entry has this id", body = crate::problem::Problem),
        (status = 422, description = "Invalid or contradictory entry", body = crate::problem::Problem)))]
pub async fn correct_entry(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<EntryIn>,
) -> Result<Json<ChangedOut>, ApiError> {
    let entry = b.parse("")?;
    Ok(Json(apply(&st, &ctx, Change::Correct { id, entry }).await?))
}

/// Remove an official entry (one new calendar version).
#[utoipa::path(delete, path = "/api/v1/calendar/entries/{id}", tag = "calendar",
    params(("id" = String, Path, description = "Entry id")),
    responses((status = 200, description = "Removed in a new version", body = ChangedOut),
        (status = 404, description = "No current entry has this id", body = crate::problem::Problem)))]
pub async fn remove_entry(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
) -> Result<Json<ChangedOut>, ApiError> {
    Ok(Json(apply(&st, &ctx, Change::Remove { id }).await?))
}

/// JSON form of an import: CSV text or entries.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportIn {
    /// CSV with the header `date,kind,name,reference`.
    pub csv: Option<String>,
    pub entries: Option<Vec<EntryIn>>,
}

/// Parses an import body: CSV (`text/csv`, `text/plain`) or JSON ([`ImportIn`]).
pub fn parse_import(content_type: &str, body: &[u8]) -> Result<Vec<ScheduleEntry>, ApiError> {
    let ct = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let csv = match ct.as_str() {
        "text/csv" | "text/plain" => std::str::from_utf8(body)
            .map_err(|_| ApiError::unprocessable("csv_invalid", "body").with_detail("not UTF-8"))?
            .to_owned(),
        "application/json" => {
            let b: ImportIn = serde_json::from_slice(body).map_err(|e| {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").with_detail(e.to_string())
            })?;
            match (b.csv, b.entries) {
                (Some(csv), None) => csv,
                (None, Some(entries)) => {
                    return entries
                        .iter()
                        .enumerate()
                        .map(|(i, e)| e.parse(&format!("entries[{i}].")).map_err(ApiError::from))
                        .collect();
                }
                _ => {
                    return Err(ApiError::unprocessable("field_required", "csv")
                        .with_detail("give exactly one of `csv` and `entries`"));
                }
            }
        }
        _ => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            ));
        }
    };
    motcua_core::calendar::parse_schedule_csv(&csv).map_err(|p| schedule_error(&p))
}

/// Import an official schedule (CSV `date,kind,name,reference`, as text/csv or JSON). It
/// replaces the current entries of every schedule year it contains, as one new version.
#[utoipa::path(post, path = "/api/v1/calendar/import", tag = "calendar",
    request_body(content = ImportIn, description = "CSV text (text/csv) or JSON", content_type = "application/json"),
    responses((status = 201, description = "Saved as a new version", body = ChangedOut),
        (status = 415, description = "Neither CSV nor JSON", body = crate::problem::Problem),
        (status = 422, description = "Invalid or contradictory schedule; every problem in `detail`", body = crate::problem::Problem)))]
pub async fn import(
    State(st): State<AppState>,
    ctx: ReqCtx,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<ChangedOut>), ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let entries = parse_import(ct, &body)?;
    Ok((
        StatusCode::CREATED,
        Json(apply(&st, &ctx, Change::Import(entries)).await?),
    ))
}

/// A version of the national calendar.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionOut {
    pub version: i64,
    /// seeded | added | corrected | removed | imported
    pub change: String,
    pub summary: String,
    pub added: i64,
    pub removed: i64,
    pub actor_id: String,
    /// RFC 3339 in UTC+7.
    pub created_at: String,
    /// The event that made it (in the audit log).
    pub event_id: i64,
}

impl From<store::VersionRow> for VersionOut {
    fn from(v: store::VersionRow) -> Self {
        VersionOut {
            version: v.version,
            change: v.change,
            summary: v.summary,
            added: v.added,
            removed: v.removed,
            actor_id: v.actor_id,
            created_at: fmt_instant(motcua_store::time::from_us(v.created_at).with_timezone(&vn_offset())),
            event_id: v.event_id,
        }
    }
}

/// Every version of the national calendar, oldest first.
#[utoipa::path(get, path = "/api/v1/calendar/versions", tag = "calendar", security(("api_key" = [])),
    responses((status = 200, description = "Versions", body = [VersionOut])))]
pub async fn versions(State(st): State<AppState>) -> Result<Json<Vec<VersionOut>>, ApiError> {
    store::ensure_seeded(&st.store, chrono::Utc::now()).await?;
    Ok(Json(
        store::list_versions(st.store.db())
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// Receipt instant of the sample deadline.
    pub from: Option<String>,
    /// Time limit of the sample deadline, e.g. `5wd`.
    pub duration: Option<String>,
    pub agency: Option<String>,
    pub cutoff: Option<String>,
    /// The earlier version.
    pub a: Option<String>,
    /// The later version (default: the current one).
    pub b: Option<String>,
}

/// A deadline recomputed under two versions, and the entries that differ.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiffOut {
    pub a: DueOut,
    pub b: DueOut,
    /// Whether the due instant differs.
    pub changed: bool,
    /// Days skipped under `b` but not `a`, and the reverse.
    pub skipped_only_in_a: Vec<SkippedOut>,
    pub skipped_only_in_b: Vec<SkippedOut>,
    /// Entries valid in `b` but not in `a`, and the reverse.
    pub entries_only_in_a: Vec<EntryOut>,
    pub entries_only_in_b: Vec<EntryOut>,
}

/// Compares a due date under two versions (a deadline computed before a correction is recomputed
/// as of the new version).
pub async fn compute_diff(
    st: &AppState,
    question: &DueQuestion,
    a: i64,
    b: Option<i64>,
) -> Result<DiffOut, CalendarFailure> {
    let mut qa = question.clone();
    qa.version = Some(a);
    let mut qb = question.clone();
    qb.version = b;
    let da = answer_due(&st.store, &st.calendar, &qa).await?;
    let db = answer_due(&st.store, &st.calendar, &qb).await?;
    let ea = store::entries_as_of(st.store.db(), da.calendar_version).await?;
    let eb = store::entries_as_of(st.store.db(), db.calendar_version).await?;
    let ids_a: std::collections::HashSet<&str> = ea.iter().map(|e| e.id.as_str()).collect();
    let ids_b: std::collections::HashSet<&str> = eb.iter().map(|e| e.id.as_str()).collect();
    Ok(DiffOut {
        changed: da.due != db.due,
        skipped_only_in_a: da.skipped.iter().filter(|s| !db.skipped.contains(s)).cloned().collect(),
        skipped_only_in_b: db.skipped.iter().filter(|s| !da.skipped.contains(s)).cloned().collect(),
        entries_only_in_a: ea
            .iter()
            .filter(|e| !ids_b.contains(e.id.as_str()))
            .map(EntryOut::from)
            .collect(),
        entries_only_in_b: eb
            .iter()
            .filter(|e| !ids_a.contains(e.id.as_str()))
            .map(EntryOut::from)
            .collect(),
        a: da,
        b: db,
    })
}

/// Recompute a due date as of two versions and show the difference.
#[utoipa::path(get, path = "/api/v1/calendar/diff", tag = "calendar", security(("api_key" = [])), params(DiffQuery),
    responses((status = 200, description = "Both results and the difference", body = DiffOut),
        (status = 422, description = "Invalid input; `field` names it", body = crate::problem::Problem)))]
pub async fn diff(State(st): State<AppState>, ApiQuery(q): ApiQuery<DiffQuery>) -> Result<Json<DiffOut>, ApiError> {
    let question = DueQuestion::parse(
        q.from.as_deref(),
        q.duration.as_deref(),
        q.agency.as_deref(),
        q.cutoff.as_deref(),
        None,
    )?;
    let a = parse_version("a", opt(&q.a).ok_or_else(|| InputError::required("a"))?)?;
    let b = opt(&q.b).map(|v| parse_version("b", v)).transpose()?;
    let current = store::current_version(st.store.db()).await?.unwrap_or(0);
    if a > current {
        return Err(ApiError::unprocessable("calendar_version_unknown", "a"));
    }
    if b.is_some_and(|b| b > current) {
        return Err(ApiError::unprocessable("calendar_version_unknown", "b"));
    }
    Ok(Json(compute_diff(&st, &question, a, b).await?))
}

/// An agency's working hours and closures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyOut {
    pub unit_code: String,
    /// `null`: the default hours (07:30–11:30, 13:30–17:30, Monday–Friday).
    #[schema(value_type = Option<Object>)]
    pub hours: Option<WorkingHours>,
    pub closures: Vec<ClosureOut>,
    /// Version of the agency's calendar (its event count).
    pub version: i64,
    /// After a change: open dossiers whose appointment moved with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rescheduled: Option<usize>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClosureOut {
    pub date: String,
    pub reason: String,
}

async fn agency_out(st: &AppState, code: &str) -> Result<AgencyOut, ApiError> {
    let s = store::agency_settings(st.store.db(), code)
        .await
        .map_err(CalendarFailure::from)?;
    Ok(AgencyOut {
        unit_code: s.unit_code,
        hours: s.hours,
        closures: s
            .closures
            .into_iter()
            .map(|c| ClosureOut {
                date: c.day,
                reason: c.reason,
            })
            .collect(),
        version: s.version,
        rescheduled: None,
    })
}

/// An agency's working hours and closures.
#[utoipa::path(get, path = "/api/v1/calendar/agencies/{id}", tag = "calendar", security(("api_key" = [])),
    params(("id" = String, Path, description = "Electronic identifier code of the unit")),
    responses((status = 200, description = "Hours and closures", body = AgencyOut),
        (status = 422, description = "Unknown agency", body = crate::problem::Problem)))]
pub async fn agency(State(st): State<AppState>, Path(id): Path<String>) -> Result<Json<AgencyOut>, ApiError> {
    Ok(Json(agency_out(&st, &id).await?))
}

/// Set an agency's working hours (JSON of periods, seasonal periods and weekly rest days).
#[utoipa::path(put, path = "/api/v1/calendar/agencies/{id}/hours", tag = "calendar",
    request_body(content = Object, description = "{\"periods\":[{\"start\":\"07:30:00\",\"end\":\"11:30:00\"},…],\"seasonal\":[],\"rest_days\":[\"Sat\",\"Sun\"]}"),
    params(("id" = String, Path, description = "Electronic identifier code of the unit")),
    responses((status = 200, description = "Saved", body = AgencyOut),
        (status = 422, description = "Invalid hours or unknown agency", body = crate::problem::Problem)))]
pub async fn set_hours(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    ApiJson(hours): ApiJson<WorkingHours>,
) -> Result<Json<AgencyOut>, ApiError> {
    let actor = actor(&ctx)?;
    store::set_agency_hours(&st.store, &actor, chrono::Utc::now(), &id, hours)
        .await
        .map_err(CalendarFailure::from)?;
    let mut out = agency_out(&st, &id).await?;
    out.rescheduled = Some(reschedule_open_dossiers(&st, &actor).await);
    Ok(Json(out))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosureIn {
    /// YYYY-MM-DD
    pub date: String,
    pub reason: String,
}

/// Close an agency on a day (cơ quan nghỉ).
#[utoipa::path(post, path = "/api/v1/calendar/agencies/{id}/closures", tag = "calendar", request_body = ClosureIn,
    params(("id" = String, Path, description = "Electronic identifier code of the unit")),
    responses((status = 201, description = "Saved", body = AgencyOut),
        (status = 422, description = "Invalid date or reason, unknown agency, or already closed", body = crate::problem::Problem)))]
pub async fn add_closure(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ClosureIn>,
) -> Result<(StatusCode, Json<AgencyOut>), ApiError> {
    let date = parse_date("date", &b.date)?;
    let actor = actor(&ctx)?;
    store::add_closure(&st.store, &actor, chrono::Utc::now(), &id, date, &b.reason)
        .await
        .map_err(CalendarFailure::from)?;
    let mut out = agency_out(&st, &id).await?;
    out.rescheduled = Some(reschedule_open_dossiers(&st, &actor).await);
    Ok((StatusCode::CREATED, Json(out)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClosureQuery {
    /// The closed day, YYYY-MM-DD.
    pub date: Option<String>,
}

/// Reopen an agency on a day it was closed.
#[utoipa::path(delete, path = "/api/v1/calendar/agencies/{id}/closures", tag = "calendar",
    params(("id" = String, Path, description = "Electronic identifier code of the unit"), ClosureQuery),
    responses((status = 200, description = "Removed", body = AgencyOut),
        (status = 404, description = "Not closed that day", body = crate::problem::Problem)))]
pub async fn remove_closure(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ClosureQuery>,
) -> Result<Json<AgencyOut>, ApiError> {
    let date = parse_date("date", q.date.as_deref().unwrap_or(""))?;
    let actor = actor(&ctx)?;
    store::remove_closure(&st.store, &actor, chrono::Utc::now(), &id, date)
        .await
        .map_err(CalendarFailure::from)?;
    let mut out = agency_out(&st, &id).await?;
    out.rescheduled = Some(reschedule_open_dossiers(&st, &actor).await);
    Ok(Json(out))
}
