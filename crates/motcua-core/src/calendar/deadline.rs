//! Deadlines (tính thời hạn giải quyết): durations and the due instant.
//!
//! Time is always a parameter: [`due`] takes the receipt instant and reads no clock.
//!
//! Counting model. A working day has one or more periods (default 07:30–11:30, 13:30–17:30).
//! A position in working time is `(day, offset)` where `offset` is the working seconds of that
//! day already past. Adding working time walks whole days — a table lookup per day — and only
//! converts to a clock time at the end, so `5wd` over Tết costs a dozen array reads. With
//! `explain = false` nothing is allocated.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};
use serde::{Deserialize, Serialize};

use super::error::CalendarError;
use super::hours::{AgencyCalendar, Schedule};
use super::national::{DayKind, day_index, index_date};

/// Largest number of units in a [`Duration`] (3650: ten years of days).
pub const MAX_DURATION_UNITS: u32 = 3650;

/// Vietnam's offset, UTC+7 (giờ Việt Nam). Every due instant is expressed in it.
pub fn vn_offset() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("valid offset")
}

/// A legal time limit (thời hạn), as TTHC texts state it.
///
/// Text form: a number and a unit — `5wd` (ngày làm việc, working days), `8wh` (giờ làm việc,
/// working hours), `30d` (ngày, calendar days), `1m` (tháng, months). Spaces and upper case are
/// tolerated (`" 5 WD "`). Serialized as that text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Duration {
    /// N ngày làm việc: N × the agency's daily working hours of working time.
    WorkingDays(u32),
    /// N giờ làm việc: N hours of working time.
    WorkingHours(u32),
    /// N ngày (calendar days).
    Days(u32),
    /// N tháng (calendar months).
    Months(u32),
}

impl Duration {
    /// Number of units.
    pub fn units(self) -> u32 {
        match self {
            Self::WorkingDays(n) | Self::WorkingHours(n) | Self::Days(n) | Self::Months(n) => n,
        }
    }

    /// Unit suffix (`wd`, `wh`, `d`, `m`).
    pub fn unit(self) -> &'static str {
        match self {
            Self::WorkingDays(_) => "wd",
            Self::WorkingHours(_) => "wh",
            Self::Days(_) => "d",
            Self::Months(_) => "m",
        }
    }

    /// Checks the bounds (1..=[`MAX_DURATION_UNITS`]) of a value built in code.
    pub fn validate(self) -> Result<Self, CalendarError> {
        match self.units() {
            0 => Err(CalendarError::DurationZero {
                input: self.to_string(),
            }),
            n if n > MAX_DURATION_UNITS => Err(CalendarError::DurationTooLong {
                input: self.to_string(),
                max: MAX_DURATION_UNITS,
            }),
            _ => Ok(self),
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.units(), self.unit())
    }
}

impl FromStr for Duration {
    type Err = CalendarError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let s: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        let invalid = || CalendarError::DurationInvalid {
            input: input.to_string(),
        };
        let (negative, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(&s)),
        };
        let digits_end = body.find(|c: char| !c.is_ascii_digit()).unwrap_or(body.len());
        let (digits, unit) = body.split_at(digits_end);
        if digits.is_empty() {
            return Err(invalid());
        }
        let make: fn(u32) -> Duration = match unit {
            "wd" => Duration::WorkingDays,
            "wh" => Duration::WorkingHours,
            "d" => Duration::Days,
            "m" => Duration::Months,
            _ => return Err(invalid()),
        };
        if negative {
            // "-0d" is as wrong as "-3d": a negative sign has no meaning for a time limit.
            return Err(CalendarError::DurationNegative {
                input: input.to_string(),
            });
        }
        let too_long = || CalendarError::DurationTooLong {
            input: input.to_string(),
            max: MAX_DURATION_UNITS,
        };
        let n: u64 = digits.parse().map_err(|_| too_long())?;
        if n == 0 {
            return Err(CalendarError::DurationZero {
                input: input.to_string(),
            });
        }
        if n > u64::from(MAX_DURATION_UNITS) {
            return Err(too_long());
        }
        Ok(make(n as u32))
    }
}

impl TryFrom<String> for Duration {
    type Error = CalendarError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Duration> for String {
    fn from(d: Duration) -> Self {
        d.to_string()
    }
}

/// What happens when an `N d` / `N m` period ends on a day off (ngày cuối là ngày nghỉ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalendarDayRule {
    /// Bộ luật Dân sự 2015, Điều 148 khoản 5: the period ends at the end of the next working
    /// day (hết giờ làm việc của ngày làm việc tiếp theo).
    #[default]
    NextWorkingDayEnd,
    /// Keep the exact instant, even on a day off.
    Exact,
}

/// Options of [`due`] (tùy chọn tính hạn).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DueOptions {
    /// Same-day cut-off (giờ tiếp nhận cuối ngày), e.g. 15:00: a dossier received *after* it
    /// counts from the start of the next working day.
    pub cutoff: Option<NaiveTime>,
    /// Pauses (tạm dừng, e.g. waiting for the citizen to supplement the dossier): the working
    /// time inside each pause is added to the deadline. Overlapping pauses count once; a pause
    /// that starts at or after the (extended) deadline does not count.
    pub pauses: Vec<Pause>,
    /// Fill [`Due::skipped`] and [`Due::rule_set`] (costs allocations).
    pub explain: bool,
    /// End-day rule of `N d` / `N m`.
    pub calendar_day_rule: CalendarDayRule,
}

/// A day off skipped while counting (ngày nghỉ được bỏ qua).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedDay {
    /// The date.
    pub date: NaiveDate,
    /// Its kind (weekend, holiday, compensatory, swapped_off, agency_closure).
    pub kind: DayKind,
    /// Name of the holiday or closure.
    pub name: Option<String>,
    /// Legal basis.
    pub reference: Option<String>,
}

/// The computed deadline (hạn giải quyết / ngày hẹn trả kết quả).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    /// The due instant, in UTC+7.
    pub due: DateTime<FixedOffset>,
    /// Days off strictly between the receipt date and the due date (weekends included). Only
    /// filled when [`DueOptions::explain`] is set.
    pub skipped: Vec<SkippedDay>,
    /// Description of the rules applied, e.g. "5wd: giờ làm việc 07:30–11:30, 13:30–17:30;
    /// cut-off 15:00". Only filled when [`DueOptions::explain`] is set, to keep the plain path
    /// free of allocation; see [`describe_rules`].
    pub rule_set: String,
    /// Version of the national calendar used.
    pub calendar_version: i64,
}

/// A position in working time: table index of the day and working seconds of the day passed.
type Pos = (i64, u32);

/// Local (UTC+7) date index and second of day of an instant.
#[inline]
fn local(t: DateTime<FixedOffset>) -> (i64, u32, NaiveDateTime) {
    let l = t.with_timezone(&vn_offset()).naive_local();
    (day_index(l.date()), l.time().num_seconds_from_midnight(), l)
}

fn out_of_range(idx: i64) -> CalendarError {
    let date = index_date(idx).unwrap_or(NaiveDate::MIN);
    CalendarError::OutOfRange { date }
}

/// Cell of a day inside the supported range (index 1 = 1900-01-01 onwards).
#[inline]
fn cell(cal: &AgencyCalendar, idx: i64) -> Result<(DayKind, &Schedule), CalendarError> {
    if idx < 1 {
        return Err(out_of_range(idx));
    }
    cal.cell(idx).ok_or_else(|| out_of_range(idx))
}

/// First working day strictly after `idx`.
#[inline]
fn next_working(cal: &AgencyCalendar, mut idx: i64) -> Result<i64, CalendarError> {
    loop {
        idx += 1;
        if idx as usize >= cal.len() {
            if cal.hours().rest_days.len() >= 7 {
                return Err(CalendarError::NoWorkingTime);
            }
            return Err(out_of_range(idx));
        }
        if cell(cal, idx)?.0.is_working() {
            return Ok(idx);
        }
    }
}

/// Working position of an instant: on a day off, the start of that day (offset 0).
#[inline]
fn position(cal: &AgencyCalendar, idx: i64, sec: u32) -> Result<Pos, CalendarError> {
    let (kind, sched) = cell(cal, idx)?;
    Ok((idx, if kind.is_working() { sched.offset_at(sec) } else { 0 }))
}

/// Working seconds of the day at `idx` (0 for a day off).
#[inline]
fn day_total(cal: &AgencyCalendar, idx: i64) -> Result<u32, CalendarError> {
    let (kind, sched) = cell(cal, idx)?;
    Ok(if kind.is_working() { sched.total } else { 0 })
}

/// Adds `secs` (> 0) of working time to `pos`. The result never sits at offset 0 of a later
/// day: a deadline reached exactly at the end of a day stays at that end (Friday 17:30).
fn advance(cal: &AgencyCalendar, pos: Pos, mut secs: u64) -> Result<Pos, CalendarError> {
    let (mut idx, mut off) = pos;
    let mut total = day_total(cal, idx)?;
    loop {
        let avail = u64::from(total.saturating_sub(off));
        if avail > 0 && secs <= avail {
            return Ok((idx, off + secs as u32));
        }
        secs -= avail;
        idx = next_working(cal, idx)?;
        off = 0;
        total = day_total(cal, idx)?;
    }
}

/// Working seconds between two positions (0 if `b` is not after `a`).
fn between(cal: &AgencyCalendar, a: Pos, b: Pos) -> Result<u64, CalendarError> {
    if b <= a {
        return Ok(0);
    }
    if a.0 == b.0 {
        return Ok(u64::from(b.1 - a.1));
    }
    let mut sum = u64::from(day_total(cal, a.0)?.saturating_sub(a.1)) + u64::from(b.1);
    for idx in a.0 + 1..b.0 {
        sum += u64::from(day_total(cal, idx)?);
    }
    Ok(sum)
}

/// Working time between two instants (thời gian làm việc giữa hai thời điểm), in seconds.
pub fn working_seconds_between(
    cal: &AgencyCalendar,
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
) -> Result<u64, CalendarError> {
    let (ai, asec, _) = local(from);
    let (bi, bsec, _) = local(to);
    between(cal, position(cal, ai, asec)?, position(cal, bi, bsec)?)
}

/// A pause `[start, end)` (khoảng tạm dừng).
pub type Pause = (DateTime<FixedOffset>, DateTime<FixedOffset>);

/// Merged, sorted pauses; rejects a pause that ends before it starts.
fn merged_pauses(pauses: &[Pause]) -> Result<Vec<Pause>, CalendarError> {
    if pauses.iter().any(|(a, b)| b < a) {
        return Err(CalendarError::InvalidPause);
    }
    let mut v = pauses.to_vec();
    v.sort();
    let mut out: Vec<Pause> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    Ok(out)
}

/// Converts a position to the UTC+7 instant.
fn instant(cal: &AgencyCalendar, pos: Pos) -> Result<DateTime<FixedOffset>, CalendarError> {
    let (_, sched) = cell(cal, pos.0)?;
    let date = index_date(pos.0).ok_or_else(|| out_of_range(pos.0))?;
    Ok(at(date, sched.time_at(pos.1)))
}

fn at(date: NaiveDate, sec: u32) -> DateTime<FixedOffset> {
    let time = NaiveTime::from_num_seconds_from_midnight_opt(sec, 0).unwrap_or(NaiveTime::MIN);
    let naive = date.and_time(time);
    DateTime::from_naive_utc_and_offset(naive - TimeDelta::hours(7), vn_offset())
}

/// Computes the deadline (tính hạn giải quyết) of a dossier received at `received`.
///
/// * `N wd`: N × the agency's daily working hours of working time, counted from the receipt
///   instant, or from the start of the next working period when received outside working time.
///   A deadline that lands exactly at the end of a period is that end (e.g. Friday 17:30).
///   Received Thursday 10:00 with `5wd` → 10:00 on the 5th working day after.
/// * `N wh`: likewise with N hours.
/// * `N d` / `N m`: the same clock time N calendar days / months later (month end clamped); if
///   that day is not a working day, by default the end of the next working day (Bộ luật Dân sự
///   2015, Điều 148), or exactly that instant with [`CalendarDayRule::Exact`]. Pauses add their
///   elapsed time.
///
/// With a cut-off, a receipt strictly after it counts from the start of the next working day
/// (for every unit). Errors: invalid duration bounds, invalid pause, a date outside 1900–2101.
pub fn due(
    cal: &AgencyCalendar,
    received: DateTime<FixedOffset>,
    dur: Duration,
    opts: &DueOptions,
) -> Result<Due, CalendarError> {
    let dur = dur.validate()?;
    let (ridx, rsec, rnaive) = local(received);
    let (rkind, _) = cell(cal, ridx)?;
    let after_cutoff = opts.cutoff.is_some_and(|c| rsec > c.num_seconds_from_midnight());

    let due_at = match dur {
        Duration::WorkingDays(_) | Duration::WorkingHours(_) => {
            let start: Pos = if after_cutoff || !rkind.is_working() {
                (next_working(cal, ridx)?, 0)
            } else {
                position(cal, ridx, rsec)?
            };
            let base = match dur {
                Duration::WorkingDays(n) => u64::from(n) * u64::from(cal.hours().daily_seconds()),
                _ => u64::from(dur.units()) * 3600,
            };
            if base == 0 {
                return Err(CalendarError::NoWorkingTime);
            }
            let mut total = base;
            let mut end = advance(cal, start, total)?;
            if !opts.pauses.is_empty() {
                for (a, b) in merged_pauses(&opts.pauses)? {
                    let (ai, asec, _) = local(a);
                    let (bi, bsec, _) = local(b);
                    let pa = position(cal, ai, asec)?.max(start);
                    if pa >= end {
                        break;
                    }
                    total += between(cal, pa, position(cal, bi, bsec)?)?;
                    end = advance(cal, start, total)?;
                }
            }
            instant(cal, end)?
        }
        Duration::Days(_) | Duration::Months(_) => {
            let start: NaiveDateTime = if after_cutoff {
                let idx = next_working(cal, ridx)?;
                let (_, sched) = cell(cal, idx)?;
                let date = index_date(idx).ok_or_else(|| out_of_range(idx))?;
                date.and_time(
                    NaiveTime::from_num_seconds_from_midnight_opt(sched.first_start(), 0).unwrap_or(NaiveTime::MIN),
                )
            } else {
                rnaive
            };
            let mut end = match dur {
                Duration::Days(n) => start.checked_add_signed(TimeDelta::days(i64::from(n))),
                _ => start.checked_add_months(Months::new(dur.units())),
            }
            .ok_or(CalendarError::OutOfRange { date: start.date() })?;
            if !opts.pauses.is_empty() {
                let start_utc =
                    DateTime::<FixedOffset>::from_naive_utc_and_offset(start - TimeDelta::hours(7), vn_offset());
                for (a, b) in merged_pauses(&opts.pauses)? {
                    let a = a.max(start_utc);
                    if b > a {
                        end += b - a;
                    }
                }
            }
            let eidx = day_index(end.date());
            let (ekind, _) = cell(cal, eidx)?;
            if ekind.is_working() || opts.calendar_day_rule == CalendarDayRule::Exact {
                DateTime::from_naive_utc_and_offset(end - TimeDelta::hours(7), vn_offset())
            } else {
                let widx = next_working(cal, eidx)?;
                let (_, sched) = cell(cal, widx)?;
                at(index_date(widx).ok_or_else(|| out_of_range(widx))?, sched.last_end())
            }
        }
    };

    let mut out = Due {
        due: due_at,
        skipped: Vec::new(),
        rule_set: String::new(),
        calendar_version: cal.version(),
    };
    if opts.explain {
        let didx = day_index(due_at.naive_local().date());
        for idx in ridx + 1..didx {
            let (kind, _) = cell(cal, idx)?;
            if !kind.is_working() {
                let (name, reference) = cal.label_at(idx, kind);
                out.skipped.push(SkippedDay {
                    date: index_date(idx).ok_or_else(|| out_of_range(idx))?,
                    kind,
                    name,
                    reference,
                });
            }
        }
        out.rule_set = describe_rules(cal, dur, opts);
    }
    Ok(out)
}

/// Describes the rules [`due`] applies (mô tả quy tắc tính hạn), in Vietnamese, e.g.
/// "5wd (5 ngày làm việc × 8 giờ): giờ làm việc 07:30–11:30, 13:30–17:30; nghỉ hằng tuần T7, CN;
/// cut-off 15:00".
pub fn describe_rules(cal: &AgencyCalendar, dur: Duration, opts: &DueOptions) -> String {
    let hours = cal.hours();
    let daily = f64::from(hours.daily_seconds()) / 3600.0;
    let unit = match dur {
        Duration::WorkingDays(n) => format!("{dur} ({n} ngày làm việc × {daily} giờ)"),
        Duration::WorkingHours(n) => format!("{dur} ({n} giờ làm việc)"),
        Duration::Days(n) => format!("{dur} ({n} ngày theo lịch)"),
        Duration::Months(n) => format!("{dur} ({n} tháng theo lịch)"),
    };
    let rest: Vec<&str> = hours
        .rest_days
        .iter()
        .map(|d| match d {
            chrono::Weekday::Mon => "T2",
            chrono::Weekday::Tue => "T3",
            chrono::Weekday::Wed => "T4",
            chrono::Weekday::Thu => "T5",
            chrono::Weekday::Fri => "T6",
            chrono::Weekday::Sat => "T7",
            chrono::Weekday::Sun => "CN",
        })
        .collect();
    let mut s = format!("{unit}: {}; nghỉ hằng tuần {}", hours.describe(), rest.join(", "));
    if let Some(c) = opts.cutoff {
        s.push_str(&format!("; cut-off {}", c.format("%H:%M")));
    }
    if !opts.pauses.is_empty() {
        s.push_str(&format!("; {} khoảng tạm dừng", opts.pauses.len()));
    }
    if matches!(dur, Duration::Days(_) | Duration::Months(_)) {
        s.push_str(match opts.calendar_day_rule {
            CalendarDayRule::NextWorkingDayEnd => {
                "; ngày cuối là ngày nghỉ thì hết giờ làm việc của ngày làm việc tiếp theo (BLDS 2015 Điều 148)"
            }
            CalendarDayRule::Exact => "; tính đúng thời điểm, kể cả ngày nghỉ",
        });
    }
    if !cal.closures().is_empty() {
        s.push_str(&format!("; {} ngày cơ quan nghỉ", cal.closures().len()));
    }
    s.push_str(&format!("; lịch phiên bản {}", cal.version()));
    s
}

#[cfg(test)]
#[path = "deadline_tests.rs"]
mod tests;
