//! Deadlines of a dossier (thời hạn giải quyết hồ sơ): the appointment date (ngày hẹn trả kết
//! quả), per-step slice deadlines (Mẫu 05), pauses while a supplement is awaited, the near-due
//! window and the verdict of a hand-over (trước hạn / đúng hạn / quá hạn).
//!
//! All working-day arithmetic goes through [`crate::calendar::due`] in UTC+7; inputs and outputs
//! here are UTC instants.
//!
//! **Pauses** (legal-facts §1.2, §1.4, §9.3). Two readings exist, so the rule is configuration
//! ([`PauseRule`]):
//! * [`PauseRule::Resume`] (default): the working time inside each supplement pause is added to
//!   the deadline — the remaining working time resumes when the supplement arrives. This is the
//!   DVCQG computation of QĐ 766 indicator 2.1 (supplement time is subtracted), marked certain.
//! * [`PauseRule::Restart`]: the full time limit restarts from the arrival of the complete
//!   supplement — NĐ 61/2018 Điều 18 as recalled (likely, not re-read).
//!
//! **Same-day procedures** (giải quyết trong ngày): the result is due at the end of the receipt
//! day, or of the next working day when received after the 15:00 cut-off (legal-facts §9.3,
//! certain as a convention; configurable).
//!
//! **Hand-over verdict** (Mẫu 05 TT 01/2018): late when handed over after the step deadline.
//! Whether "on time" means "the same minute" (one implementation's SQL, certain as implemented)
//! or "on the due day" is not settled in the text found, so it is configuration
//! ([`VerdictRule`]); the default is the due day.

use chrono::{DateTime, FixedOffset, NaiveTime, Timelike, Utc};
use serde::{Deserialize, Serialize};

use super::error::DossierError;
use super::state::PauseInterval;
use crate::calendar::{AgencyCalendar, Due, DueOptions, Duration, Pause, due, vn_offset};
use crate::catalog::{Channel, ProcedureVersion, WorkflowStep};

/// How a supplement pause affects the clock (cách tính thời gian tạm dừng).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseRule {
    /// The remaining time resumes when the supplement arrives (QĐ 766 indicator 2.1).
    #[default]
    Resume,
    /// The whole time limit restarts from the complete supplement (NĐ 61/2018 Điều 18, likely).
    Restart,
}

/// When a hand-over counts as "đúng hạn" (on time) rather than "trước hạn" (early).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictRule {
    /// On time when handed over on the due day (UTC+7) before the deadline; early before that
    /// day.
    #[default]
    SameDay,
    /// On time only in the deadline's minute; early before it.
    ExactMinute,
}

/// Deadline configuration (quy tắc tính hạn), versioned with the rule set of the receipt date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineRules {
    /// Warn when at most this much time is left (sắp đến hạn). Default `8wh` (issue 5 item 6; a
    /// product choice).
    pub near_due: Duration,
    /// How supplement pauses count.
    pub pause_rule: PauseRule,
    /// Early / on-time boundary of a hand-over.
    pub verdict_rule: VerdictRule,
    /// Cut-off for multi-day limits: received after it, counting starts the next working day.
    /// Default `None`: no general rule was found (legal-facts §9.3, "not found").
    pub cutoff: Option<NaiveTime>,
    /// Cut-off of same-day procedures, default 15:00 (legal-facts §9.3).
    pub same_day_cutoff: NaiveTime,
}

impl Default for DeadlineRules {
    fn default() -> Self {
        Self {
            near_due: Duration::WorkingHours(8),
            pause_rule: PauseRule::Resume,
            verdict_rule: VerdictRule::SameDay,
            cutoff: None,
            same_day_cutoff: NaiveTime::from_hms_opt(15, 0, 0).expect("valid time"),
        }
    }
}

/// A computed appointment (ngày hẹn trả kết quả) with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    /// The appointment instant (UTC).
    pub at: DateTime<Utc>,
    /// The channel's time limit; `None` for same-day procedures.
    pub limit: Option<Duration>,
    /// Giải quyết trong ngày.
    pub same_day: bool,
    /// The calendar's answer: due instant in UTC+7, skipped days and rules applied (for the
    /// page: "5 ngày làm việc; bỏ qua Thứ Bảy 28/11, Chủ nhật 29/11").
    pub detail: Due,
}

/// Near-due status of a deadline (mức cảnh báo).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Còn hạn.
    OnTrack,
    /// Sắp đến hạn: within [`DeadlineRules::near_due`].
    NearDue,
    /// Quá hạn.
    Overdue,
}

/// Result of a step on the control slip (kết quả giải quyết, Mẫu 05 TT 01/2018).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepVerdict {
    /// Trước hạn.
    Early,
    /// Đúng hạn.
    OnTime,
    /// Quá hạn.
    Late,
}

impl StepVerdict {
    /// Vietnamese label as printed on Mẫu 05.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Early => "Trước hạn",
            Self::OnTime => "Đúng hạn",
            Self::Late => "Quá hạn",
        }
    }
}

fn local(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&vn_offset())
}

/// Closed pauses as calendar pauses; [`DossierError::ClockPaused`] if one is still open.
fn closed(pauses: &[PauseInterval]) -> Result<Vec<Pause>, DossierError> {
    pauses
        .iter()
        .map(|p| {
            p.to.map(|to| (local(p.from), local(to)))
                .ok_or(DossierError::ClockPaused)
        })
        .collect()
}

/// Deadline of `dur` from `start` with pauses under the configured rule.
fn due_with_pauses(
    cal: &AgencyCalendar,
    start: DateTime<Utc>,
    dur: Duration,
    pauses: &[PauseInterval],
    rules: &DeadlineRules,
    explain: bool,
) -> Result<Due, DossierError> {
    let closed = closed(pauses)?;
    let mut opts = DueOptions {
        cutoff: rules.cutoff,
        explain,
        ..Default::default()
    };
    let mut from = local(start);
    match rules.pause_rule {
        PauseRule::Resume => opts.pauses = closed,
        PauseRule::Restart => {
            if let Some(end) = closed.iter().map(|p| p.1).filter(|e| *e > from).max() {
                from = end;
            }
        }
    }
    Ok(due(cal, from, dur, &opts)?)
}

/// End of the working day of `start` (or of the next working day after the same-day cut-off).
fn same_day_due(cal: &AgencyCalendar, start: DateTime<Utc>, rules: &DeadlineRules) -> Result<Due, DossierError> {
    let l = local(start).naive_local();
    let mut date = l.date();
    let usable = |d| cal.is_working(d) && !cal.hours().periods_on(d).is_empty();
    if !(usable(date) && l.time() <= rules.same_day_cutoff) {
        let mut guard = 0;
        loop {
            date = date
                .succ_opt()
                .ok_or(DossierError::Calendar(crate::calendar::CalendarError::OutOfRange {
                    date,
                }))?;
            guard += 1;
            if usable(date) {
                break;
            }
            if guard > 366 {
                return Err(DossierError::Calendar(crate::calendar::CalendarError::NoWorkingTime));
            }
        }
    }
    let end = cal
        .hours()
        .periods_on(date)
        .iter()
        .map(|p| p.end)
        .max()
        .unwrap_or(NaiveTime::MIN);
    let naive = date.and_time(end);
    let due_at = naive
        .and_local_timezone(vn_offset())
        .single()
        .ok_or(DossierError::Calendar(crate::calendar::CalendarError::OutOfRange {
            date,
        }))?;
    Ok(Due {
        due: due_at,
        skipped: Vec::new(),
        rule_set: format!(
            "giải quyết trong ngày; tiếp nhận sau {} thì trả trong ngày làm việc tiếp theo",
            rules.same_day_cutoff.format("%H:%M")
        ),
        calendar_version: cal.version(),
    })
}

/// The appointment of a dossier received at `received` on `channel` of the pinned version
/// (Mẫu 01 "Thời gian trả kết quả"); the same as [`extended_due`] without pauses.
pub fn appointment(
    cal: &AgencyCalendar,
    version: &ProcedureVersion,
    channel: Channel,
    received: DateTime<Utc>,
    rules: &DeadlineRules,
) -> Result<Appointment, DossierError> {
    extended_due(cal, version, channel, received, &[], rules)
}

/// The appointment after supplement pauses (ngày hẹn trả sau khi bổ sung), under
/// [`DeadlineRules::pause_rule`]. [`DossierError::ClockPaused`] while a pause is open.
///
/// Errors: `channel_not_offered`, `no_time_limit`, `clock_paused`, calendar errors.
pub fn extended_due(
    cal: &AgencyCalendar,
    version: &ProcedureVersion,
    channel: Channel,
    received: DateTime<Utc>,
    pauses: &[PauseInterval],
    rules: &DeadlineRules,
) -> Result<Appointment, DossierError> {
    let spec = version.channel(channel).ok_or(DossierError::ChannelNotOffered {
        channel: channel.code(),
    })?;
    let detail = match spec.time_limit {
        Some(limit) => due_with_pauses(cal, received, limit, pauses, rules, true)?,
        None if spec.same_day => {
            let closed = closed(pauses)?;
            let start = closed
                .iter()
                .map(|p| p.1.with_timezone(&Utc))
                .filter(|e| *e > received)
                .max()
                .unwrap_or(received);
            same_day_due(cal, start, rules)?
        }
        None => return Err(DossierError::NoTimeLimit),
    };
    Ok(Appointment {
        at: detail.due.with_timezone(&Utc),
        limit: spec.time_limit,
        same_day: spec.same_day && spec.time_limit.is_none(),
        detail,
    })
}

/// Deadline of one step that started at `started` (hạn của bước), with the pauses that fell in
/// it.
pub fn step_due(
    cal: &AgencyCalendar,
    started: DateTime<Utc>,
    slice: Duration,
    pauses: &[PauseInterval],
    rules: &DeadlineRules,
) -> Result<DateTime<Utc>, DossierError> {
    let rules = DeadlineRules {
        cutoff: None,
        ..rules.clone()
    };
    Ok(due_with_pauses(cal, started, slice, pauses, &rules, false)?
        .due
        .with_timezone(&Utc))
}

/// Planned deadline of every step when each starts as the previous one ends (kế hoạch theo
/// quy trình nội bộ): step `i` is due at the sum of slices `0..=i` from the receipt.
pub fn planned_step_deadlines(
    cal: &AgencyCalendar,
    workflow: &[WorkflowStep],
    received: DateTime<Utc>,
    rules: &DeadlineRules,
) -> Result<Vec<DateTime<Utc>>, DossierError> {
    let mut out = Vec::with_capacity(workflow.len());
    let mut at = received;
    for (i, step) in workflow.iter().enumerate() {
        let r = DeadlineRules {
            cutoff: if i == 0 { rules.cutoff } else { None },
            ..rules.clone()
        };
        at = due_with_pauses(cal, at, step.slice, &[], &r, false)?
            .due
            .with_timezone(&Utc);
        out.push(at);
    }
    Ok(out)
}

/// Whether a deadline is near or past at `now` (cảnh báo hạn): overdue after it; near due when
/// the deadline is within [`DeadlineRules::near_due`] of `now`, counted in working time.
pub fn urgency(
    cal: &AgencyCalendar,
    now: DateTime<Utc>,
    deadline: DateTime<Utc>,
    rules: &DeadlineRules,
) -> Result<Urgency, DossierError> {
    if now > deadline {
        return Ok(Urgency::Overdue);
    }
    let threshold = due(cal, local(now), rules.near_due, &DueOptions::default())?.due;
    Ok(if threshold >= local(deadline) {
        Urgency::NearDue
    } else {
        Urgency::OnTrack
    })
}

/// Verdict of a hand-over (kết quả của bước trên Mẫu 05): the step started at `started` with
/// time slice `slice` and was handed over at `handed_over`.
pub fn step_verdict(
    cal: &AgencyCalendar,
    started: DateTime<Utc>,
    handed_over: DateTime<Utc>,
    slice: Duration,
    pauses: &[PauseInterval],
    rules: &DeadlineRules,
) -> Result<StepVerdict, DossierError> {
    let deadline = step_due(cal, started, slice, pauses, rules)?;
    Ok(verdict_against(handed_over, deadline, rules.verdict_rule))
}

/// Verdict of a finish instant against a deadline under `rule`.
pub fn verdict_against(done: DateTime<Utc>, deadline: DateTime<Utc>, rule: VerdictRule) -> StepVerdict {
    if done > deadline {
        return StepVerdict::Late;
    }
    let (d, l) = (local(done), local(deadline));
    let on_time = match rule {
        VerdictRule::SameDay => d.date_naive() == l.date_naive(),
        VerdictRule::ExactMinute => {
            d.date_naive() == l.date_naive() && d.hour() == l.hour() && d.minute() == l.minute()
        }
    };
    if on_time {
        StepVerdict::OnTime
    } else {
        StepVerdict::Early
    }
}

#[cfg(test)]
#[path = "deadline_tests.rs"]
mod tests;
