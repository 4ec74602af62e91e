//! Timeliness of publication (công bố, công khai đúng hạn): QĐ 766/QĐ-TTg indicators 1.1 and
//! 1.2, NĐ 63/2010/NĐ-CP Điều 15 as amended by NĐ 48/2013/NĐ-CP (legal-facts §3.3, §5.3, §12
//! item 9).
//!
//! * 1.1 — the publication decision (quyết định công bố) is on time if dated no later than the
//!   effective date of the legal basis **minus 5 working days** (province) or **20** (ministry).
//! * 1.2 — making it public in the national database (công khai trên CSDL quốc gia) is on time
//!   if done no later than the decision date **plus 5 working days** (province) or **10**
//!   (ministry).
//!
//! "Minus N working days" steps back over the N working days before the date: the latest
//! on-time date is the N-th working day strictly before it. "Plus N" steps forward the same way.
//! Warnings are computed against a `today` parameter so a dashboard warns before a deadline.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::procedure::Level;
use crate::calendar::AgencyCalendar;

/// Tells which dates are working days (ngày làm việc): an [`AgencyCalendar`] or any
/// `Fn(NaiveDate) -> bool`.
pub trait WorkingDayOracle {
    /// Whether `date` is a working day.
    fn is_working_day(&self, date: NaiveDate) -> bool;
}

impl WorkingDayOracle for AgencyCalendar {
    fn is_working_day(&self, date: NaiveDate) -> bool {
        self.is_working(date)
    }
}

impl<F: Fn(NaiveDate) -> bool> WorkingDayOracle for F {
    fn is_working_day(&self, date: NaiveDate) -> bool {
        self(date)
    }
}

/// The deadlines, as configuration (versioned with the rules they cite).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelinessRules {
    /// Working days between a provincial decision and the effective date: 5 (NĐ 63/2010 Điều 15
    /// as amended by NĐ 48/2013, bodies of khoản 2–3 Điều 13 incl. Chủ tịch UBND tỉnh; QĐ 766
    /// indicator 1.1).
    pub province_decision_lead: u32,
    /// Same for a ministry: 20 (Điều 15, khoản 1 Điều 13; QĐ 766 indicator 1.1).
    pub ministry_decision_lead: u32,
    /// Working days after a provincial decision to make it public in the national database: 5
    /// (QĐ 766 indicator 1.2; NĐ 63/2010 Điều 24 as amended by NĐ 92/2017).
    pub province_publication_window: u32,
    /// Same for a ministry: 10 (QĐ 766 indicator 1.2).
    pub ministry_publication_window: u32,
    /// Warn on the dashboard when at most this many working days remain (a product choice, not
    /// a legal rule).
    pub warn_within: u32,
}

impl Default for TimelinessRules {
    fn default() -> Self {
        Self {
            province_decision_lead: 5,
            ministry_decision_lead: 20,
            province_publication_window: 5,
            ministry_publication_window: 10,
            warn_within: 2,
        }
    }
}

impl TimelinessRules {
    /// Lead for a decision on a procedure of `level`. Commune procedures are published by the
    /// Chủ tịch UBND tỉnh, so they follow the provincial rule.
    pub fn decision_lead(&self, level: Level) -> u32 {
        match level {
            Level::Ministry => self.ministry_decision_lead,
            Level::Province | Level::Commune => self.province_decision_lead,
        }
    }

    /// Window to make public in the national database.
    pub fn publication_window(&self, level: Level) -> u32 {
        match level {
            Level::Ministry => self.ministry_publication_window,
            Level::Province | Level::Commune => self.province_publication_window,
        }
    }
}

/// Verdict of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Done no later than the latest on-time date (đúng hạn).
    OnTime,
    /// Done after it (trễ hạn).
    Late,
    /// Not done yet, deadline not passed (chưa thực hiện, còn hạn).
    Pending,
    /// Not done yet, deadline passed (quá hạn).
    Overdue,
}

/// Result of a timeliness check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeliness {
    /// On time, late, pending or overdue.
    pub verdict: Verdict,
    /// Latest date that is still on time (hạn cuối).
    pub latest_on_time: NaiveDate,
    /// Calendar days from `today` to `latest_on_time` (negative once passed).
    pub days_remaining: i64,
    /// Working days after `today` up to and including `latest_on_time` (negative: working days
    /// after the deadline up to and including `today`).
    pub working_days_remaining: i64,
    /// Show a warning on the dashboard: pending with at most `warn_within` working days left,
    /// or overdue.
    pub warn: bool,
    /// The rule applied, for display (e.g. "QĐ 766 chỉ số 1.1: …").
    pub rule: String,
}

/// Why a check could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimelinessError {
    /// No working day within ten years of the date (lịch không có ngày làm việc).
    #[error("no working day found within ten years of {from}")]
    NoWorkingDay {
        /// Where the search started.
        from: NaiveDate,
    },
}

impl TimelinessError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        "no_working_day"
    }

    /// Message in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::NoWorkingDay { from } => format!(
                "Không tìm thấy ngày làm việc nào trong vòng mười năm kể từ ngày {}.",
                from.format("%d/%m/%Y")
            ),
        }
    }

    /// Message in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::NoWorkingDay { from } => format!("No working day found within ten years of {from}."),
        }
    }
}

const MAX_SCAN_DAYS: u32 = 3660;

/// Steps `n` working days from `from` (backwards when `back`), not counting `from` itself.
pub fn step_working_days(
    cal: &impl WorkingDayOracle,
    from: NaiveDate,
    n: u32,
    back: bool,
) -> Result<NaiveDate, TimelinessError> {
    let mut d = from;
    let mut left = n;
    let mut idle = 0u32;
    while left > 0 {
        let next = if back {
            d.checked_sub_days(Days::new(1))
        } else {
            d.checked_add_days(Days::new(1))
        };
        d = next.ok_or(TimelinessError::NoWorkingDay { from })?;
        if cal.is_working_day(d) {
            left -= 1;
            idle = 0;
        } else {
            idle += 1;
            if idle > MAX_SCAN_DAYS {
                return Err(TimelinessError::NoWorkingDay { from });
            }
        }
    }
    Ok(d)
}

/// Working days in `(a, b]` (negative, counting `(b, a]`, when `b < a`); capped at ten years of
/// days scanned.
fn working_days_between(cal: &impl WorkingDayOracle, a: NaiveDate, b: NaiveDate) -> i64 {
    let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
    let mut n = 0i64;
    let mut d = lo;
    for _ in 0..MAX_SCAN_DAYS * 10 {
        if d >= hi {
            break;
        }
        match d.checked_add_days(Days::new(1)) {
            Some(x) => d = x,
            None => break,
        }
        if cal.is_working_day(d) {
            n += 1;
        }
    }
    sign * n
}

fn assess(
    cal: &impl WorkingDayOracle,
    rules: &TimelinessRules,
    latest: NaiveDate,
    done: Option<NaiveDate>,
    today: NaiveDate,
    rule: String,
) -> Timeliness {
    let working_days_remaining = working_days_between(cal, today, latest);
    let verdict = match done {
        Some(d) if d <= latest => Verdict::OnTime,
        Some(_) => Verdict::Late,
        None if today <= latest => Verdict::Pending,
        None => Verdict::Overdue,
    };
    let warn = match verdict {
        Verdict::Pending => working_days_remaining <= i64::from(rules.warn_within),
        Verdict::Overdue => true,
        _ => false,
    };
    Timeliness {
        verdict,
        latest_on_time: latest,
        days_remaining: (latest - today).num_days(),
        working_days_remaining,
        warn,
        rule,
    }
}

/// QĐ 766 indicator 1.1 (NĐ 63/2010 Điều 15 as amended by NĐ 48/2013): is the publication
/// decision dated (`decision`, `None` if not signed yet) no later than `effective` minus the
/// lead in working days for `level`?
pub fn decision_timeliness(
    cal: &impl WorkingDayOracle,
    rules: &TimelinessRules,
    level: Level,
    effective: NaiveDate,
    decision: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Timeliness, TimelinessError> {
    let n = rules.decision_lead(level);
    let latest = step_working_days(cal, effective, n, true)?;
    let rule = format!(
        "QĐ 766/QĐ-TTg chỉ số 1.1; NĐ 63/2010/NĐ-CP Điều 15 (sửa đổi bởi NĐ 48/2013/NĐ-CP): quyết định công bố \
         chậm nhất {n} ngày làm việc trước ngày có hiệu lực {}.",
        effective.format("%d/%m/%Y")
    );
    Ok(assess(cal, rules, latest, decision, today, rule))
}

/// QĐ 766 indicator 1.2: was the procedure made public in the national database
/// (`made_public`, `None` if not yet) no later than `decision` plus the window for `level`?
pub fn publication_timeliness(
    cal: &impl WorkingDayOracle,
    rules: &TimelinessRules,
    level: Level,
    decision: NaiveDate,
    made_public: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Timeliness, TimelinessError> {
    let n = rules.publication_window(level);
    let latest = step_working_days(cal, decision, n, false)?;
    let rule = format!(
        "QĐ 766/QĐ-TTg chỉ số 1.2: công khai trên CSDL quốc gia về TTHC trong {n} ngày làm việc kể từ ngày \
         quyết định công bố {}.",
        decision.format("%d/%m/%Y")
    );
    Ok(assess(cal, rules, latest, made_public, today, rule))
}

#[cfg(test)]
#[path = "timeliness_tests.rs"]
mod tests;
