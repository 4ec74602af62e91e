//! Working hours and the agency calendar (giờ làm việc và lịch của cơ quan).

use std::sync::Arc;

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike, Weekday};
use serde::{Deserialize, Serialize};

use super::error::CalendarError;
use super::national::{DayInfo, DayKind, NationalCalendar, day_index};

/// A period of work within a day (ca làm việc / buổi), `[start, end)` in UTC+7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// Start (giờ bắt đầu).
    pub start: NaiveTime,
    /// End (giờ kết thúc), after `start`.
    pub end: NaiveTime,
}

impl Period {
    /// A period from `h1:m1` to `h2:m2`; `None` if a time is invalid.
    pub fn hm(h1: u32, m1: u32, h2: u32, m2: u32) -> Option<Self> {
        Some(Self {
            start: NaiveTime::from_hms_opt(h1, m1, 0)?,
            end: NaiveTime::from_hms_opt(h2, m2, 0)?,
        })
    }
}

/// A day of the year, month and day (ngày/tháng), for seasonal schedules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MonthDay {
    /// Month 1..=12.
    pub month: u32,
    /// Day 1..=31.
    pub day: u32,
}

/// Working periods used during part of every year (giờ làm việc theo mùa), e.g. summer hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeasonalHours {
    /// Name, e.g. "Giờ mùa hè".
    pub name: String,
    /// First day of the season (inclusive).
    pub from: MonthDay,
    /// Last day of the season (inclusive); before `from` when the season spans New Year
    /// (e.g. winter 15/10–14/4).
    pub to: MonthDay,
    /// The periods during the season.
    pub periods: Vec<Period>,
}

impl SeasonalHours {
    fn contains(&self, d: NaiveDate) -> bool {
        let md = MonthDay {
            month: d.month(),
            day: d.day(),
        };
        if self.from <= self.to {
            self.from <= md && md <= self.to
        } else {
            md >= self.from || md <= self.to
        }
    }
}

/// An agency's working hours (giờ làm việc của cơ quan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingHours {
    /// Periods of a normal working day, in order. Default 07:30–11:30 and 13:30–17:30 (8 hours).
    pub periods: Vec<Period>,
    /// Seasonal schedules; the first that contains a date applies to it.
    pub seasonal: Vec<SeasonalHours>,
    /// Weekly rest days (ngày nghỉ hằng tuần). Default Saturday and Sunday.
    pub rest_days: Vec<Weekday>,
}

impl Default for WorkingHours {
    fn default() -> Self {
        Self {
            periods: vec![
                Period::hm(7, 30, 11, 30).expect("valid time"),
                Period::hm(13, 30, 17, 30).expect("valid time"),
            ],
            seasonal: Vec::new(),
            rest_days: vec![Weekday::Sat, Weekday::Sun],
        }
    }
}

/// Periods compiled to seconds of the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Schedule {
    /// `(start, end)` seconds since midnight, sorted, non-overlapping.
    pub spans: Vec<(u32, u32)>,
    /// Sum of the spans, in seconds.
    pub total: u32,
}

impl Schedule {
    fn compile(periods: &[Period], what: &str) -> Result<Self, CalendarError> {
        let mut spans: Vec<(u32, u32)> = periods
            .iter()
            .map(|p| (p.start.num_seconds_from_midnight(), p.end.num_seconds_from_midnight()))
            .collect();
        spans.sort_unstable();
        for (i, &(s, e)) in spans.iter().enumerate() {
            if e <= s {
                return Err(CalendarError::InvalidWorkingHours {
                    reason: format!("{what}: a period ends before it starts"),
                });
            }
            if i > 0 && s < spans[i - 1].1 {
                return Err(CalendarError::InvalidWorkingHours {
                    reason: format!("{what}: periods overlap"),
                });
            }
        }
        if spans.is_empty() {
            return Err(CalendarError::InvalidWorkingHours {
                reason: format!("{what}: no working period"),
            });
        }
        let total = spans.iter().map(|(s, e)| e - s).sum();
        Ok(Self { spans, total })
    }

    /// Working seconds of the day before second-of-day `sec` (clamped to the periods).
    #[inline]
    pub fn offset_at(&self, sec: u32) -> u32 {
        let mut off = 0;
        for &(s, e) in &self.spans {
            if sec <= s {
                break;
            }
            off += sec.min(e) - s;
        }
        off
    }

    /// Second of the day at which `off` working seconds of the day have passed. An offset that
    /// completes a period gives that period's end (11:30, 17:30), not the next period's start.
    #[inline]
    pub fn time_at(&self, mut off: u32) -> u32 {
        for &(s, e) in &self.spans {
            let len = e - s;
            if off <= len {
                return s + off;
            }
            off -= len;
        }
        self.spans.last().map_or(0, |&(_, e)| e)
    }

    /// Start of the first period.
    pub fn first_start(&self) -> u32 {
        self.spans[0].0
    }

    /// End of the last period.
    pub fn last_end(&self) -> u32 {
        self.spans[self.spans.len() - 1].1
    }

    fn describe(&self) -> String {
        let hm = |s: u32| format!("{:02}:{:02}", s / 3600, s % 3600 / 60);
        self.spans
            .iter()
            .map(|&(s, e)| format!("{}–{}", hm(s), hm(e)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl WorkingHours {
    /// Checks the periods (each ends after it starts, none overlap, at least one) and the
    /// seasons' dates.
    pub fn validate(&self) -> Result<(), CalendarError> {
        self.compile().map(|_| ())
    }

    pub(crate) fn compile(&self) -> Result<Vec<Schedule>, CalendarError> {
        let mut out = vec![Schedule::compile(&self.periods, "default periods")?];
        if self.seasonal.len() > 250 {
            return Err(CalendarError::InvalidWorkingHours {
                reason: "too many seasonal schedules".into(),
            });
        }
        for s in &self.seasonal {
            for md in [s.from, s.to] {
                // 2000 is a leap year, so 29/2 is accepted.
                if NaiveDate::from_ymd_opt(2000, md.month, md.day).is_none() {
                    return Err(CalendarError::InvalidWorkingHours {
                        reason: format!("season {:?}: invalid day {}/{}", s.name, md.day, md.month),
                    });
                }
            }
            out.push(Schedule::compile(&s.periods, &s.name)?);
        }
        Ok(out)
    }

    /// The periods that apply on `date` (seasonal if a season contains it).
    pub fn periods_on(&self, date: NaiveDate) -> &[Period] {
        self.seasonal
            .iter()
            .find(|s| s.contains(date))
            .map_or(&self.periods, |s| &s.periods)
    }

    /// Index of the schedule for `date`: 0 = default, `1 + i` = season `i`.
    fn schedule_index(&self, date: NaiveDate) -> u8 {
        self.seasonal
            .iter()
            .position(|s| s.contains(date))
            .map_or(0, |i| (i + 1) as u8)
    }

    /// Length of a normal working day (số giờ làm việc một ngày), in seconds: the sum of the
    /// default periods. `N wd` is N times this.
    pub fn daily_seconds(&self) -> u32 {
        self.periods
            .iter()
            .map(|p| {
                p.end
                    .num_seconds_from_midnight()
                    .saturating_sub(p.start.num_seconds_from_midnight())
            })
            .sum()
    }

    /// Human description in Vietnamese, e.g. "giờ làm việc 07:30–11:30, 13:30–17:30".
    pub fn describe(&self) -> String {
        let mut s = match Schedule::compile(&self.periods, "") {
            Ok(c) => format!("giờ làm việc {}", c.describe()),
            Err(_) => "giờ làm việc không hợp lệ".to_string(),
        };
        for season in &self.seasonal {
            if let Ok(c) = Schedule::compile(&season.periods, "") {
                s.push_str(&format!(
                    "; {} ({}/{}–{}/{}): {}",
                    season.name,
                    season.from.day,
                    season.from.month,
                    season.to.day,
                    season.to.month,
                    c.describe()
                ));
            }
        }
        s
    }
}

/// An agency's calendar (lịch làm việc của cơ quan): the national calendar, the agency's
/// working hours and its own closures.
///
/// The national calendar decides holidays, compensatory, swapped and make-up days; the
/// agency's rest days decide the other days (so an agency that works on Saturday mornings
/// counts ordinary Saturdays). A closure (cơ quan nghỉ) turns a day that would be working into
/// `agency_closure`; on a day that is already off it changes nothing.
///
/// The fields are private because the constructor precomputes a per-day table (kind and
/// schedule) that must stay consistent with them; build a new calendar to change them.
#[derive(Debug, Clone)]
pub struct AgencyCalendar {
    national: Arc<NationalCalendar>,
    hours: WorkingHours,
    closures: Vec<(NaiveDate, String)>,
    pub(crate) schedules: Vec<Schedule>,
    /// Per day (same index as the national table): kind in the low byte, schedule in the high.
    cells: Vec<u16>,
}

impl AgencyCalendar {
    /// Builds an agency calendar; fails if the working hours are invalid.
    pub fn new(
        national: Arc<NationalCalendar>,
        hours: WorkingHours,
        closures: Vec<(NaiveDate, String)>,
    ) -> Result<Self, CalendarError> {
        let schedules = hours.compile()?;
        let mut closures = closures;
        closures.sort_by_key(|(d, _)| *d);
        let len = national.table_len();
        let mut cells = Vec::with_capacity(len);
        let mut ci = 0;
        for idx in 0..len as i64 {
            let date = super::national::index_date(idx).expect("in range");
            let nk = national.kind_at(idx).unwrap_or(DayKind::Working);
            let mut kind = match nk {
                DayKind::Working | DayKind::Weekend => {
                    if hours.rest_days.contains(&date.weekday()) {
                        DayKind::Weekend
                    } else {
                        DayKind::Working
                    }
                }
                other => other,
            };
            while ci < closures.len() && closures[ci].0 < date {
                ci += 1;
            }
            if ci < closures.len() && closures[ci].0 == date && kind.is_working() {
                kind = DayKind::AgencyClosure;
            }
            cells.push(u16::from(kind as u8) | (u16::from(hours.schedule_index(date)) << 8));
        }
        Ok(Self {
            national,
            hours,
            closures,
            schedules,
            cells,
        })
    }

    /// The national calendar with the default working hours and no closures.
    pub fn with_default_hours(national: Arc<NationalCalendar>) -> Self {
        Self::new(national, WorkingHours::default(), Vec::new()).expect("default hours are valid")
    }

    /// The national calendar.
    pub fn national(&self) -> &Arc<NationalCalendar> {
        &self.national
    }

    /// The working hours.
    pub fn hours(&self) -> &WorkingHours {
        &self.hours
    }

    /// The agency's closures, in date order.
    pub fn closures(&self) -> &[(NaiveDate, String)] {
        &self.closures
    }

    /// Version of the national calendar.
    pub fn version(&self) -> i64 {
        self.national.version
    }

    /// Kind and schedule of the day at table index `idx` (fast path of the deadline code).
    #[inline]
    pub(crate) fn cell(&self, idx: i64) -> Option<(DayKind, &Schedule)> {
        let c = *self.cells.get(usize::try_from(idx).ok()?)?;
        Some((DayKind::from_u8((c & 0xff) as u8), &self.schedules[usize::from(c >> 8)]))
    }

    /// Number of days in the table.
    pub(crate) fn len(&self) -> usize {
        self.cells.len()
    }

    /// Name and reference of the day at `idx` (closure reason or national label).
    pub(crate) fn label_at(&self, idx: i64, kind: DayKind) -> (Option<String>, Option<String>) {
        if kind == DayKind::AgencyClosure
            && let Some(date) = super::national::index_date(idx)
            && let Ok(i) = self.closures.binary_search_by_key(&date, |(d, _)| *d)
        {
            return (Some(self.closures[i].1.clone()), None);
        }
        match self.national.label_at(idx) {
            Some((n, r)) => (Some(n.to_string()), Some(r.to_string())),
            None => (None, None),
        }
    }

    /// Everything about one day for this agency (thông tin ngày của cơ quan).
    pub fn day(&self, date: NaiveDate) -> DayInfo {
        let idx = day_index(date);
        match self.cell(idx) {
            Some((kind, _)) if idx > 0 => {
                let (name, reference) = self.label_at(idx, kind);
                DayInfo {
                    date,
                    working: kind.is_working(),
                    kind,
                    name,
                    reference,
                    lunar: super::lunar::solar_to_lunar(date),
                }
            }
            _ => {
                let mut info = self.national.day(date);
                if matches!(info.kind, DayKind::Working | DayKind::Weekend) {
                    info.kind = if self.hours.rest_days.contains(&date.weekday()) {
                        DayKind::Weekend
                    } else {
                        DayKind::Working
                    };
                }
                info.working = info.kind.is_working();
                info
            }
        }
    }

    /// Whether `date` is a working day for the agency.
    pub fn is_working(&self, date: NaiveDate) -> bool {
        self.day(date).working
    }
}
