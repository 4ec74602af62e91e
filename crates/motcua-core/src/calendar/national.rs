//! The national working-day calendar (lịch làm việc quốc gia của cán bộ, công chức).

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::error::CalendarError;
use super::holidays::{
    EntryKind, HolidayRules, ScheduleEntry, computed_entries, is_core_holiday_date, shipped_entries, validate_entries,
};
use super::lunar::{LunarDate, solar_to_lunar};

/// First year of the precomputed calendar.
pub const FIRST_YEAR: i32 = 1900;
/// Last year of the precomputed calendar.
pub const LAST_YEAR: i32 = 2101;

/// Kind of a day (loại ngày).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum DayKind {
    /// A working day (ngày làm việc).
    Working = 0,
    /// A weekly rest day (ngày nghỉ hằng tuần), Saturday or Sunday for civil servants.
    Weekend = 1,
    /// A public holiday or Tết day (ngày lễ, Tết).
    Holiday = 2,
    /// A compensatory day off (ngày nghỉ bù).
    Compensatory = 3,
    /// A working day swapped to a day off (ngày nghỉ hoán đổi).
    SwappedOff = 4,
    /// A weekend day worked to make up a swapped day (ngày làm bù); a working day.
    MakeupWorkday = 5,
    /// A day the agency itself is closed (cơ quan nghỉ), e.g. a local event.
    AgencyClosure = 6,
}

impl DayKind {
    /// Whether work is done on a day of this kind.
    pub fn is_working(self) -> bool {
        matches!(self, Self::Working | Self::MakeupWorkday)
    }

    /// The snake_case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Working => "working",
            Self::Weekend => "weekend",
            Self::Holiday => "holiday",
            Self::Compensatory => "compensatory",
            Self::SwappedOff => "swapped_off",
            Self::MakeupWorkday => "makeup_workday",
            Self::AgencyClosure => "agency_closure",
        }
    }

    pub(crate) fn from_u8(v: u8) -> Self {
        match v {
            0 => Self::Working,
            1 => Self::Weekend,
            2 => Self::Holiday,
            3 => Self::Compensatory,
            4 => Self::SwappedOff,
            5 => Self::MakeupWorkday,
            _ => Self::AgencyClosure,
        }
    }
}

impl From<EntryKind> for DayKind {
    fn from(k: EntryKind) -> Self {
        match k {
            EntryKind::Holiday => Self::Holiday,
            EntryKind::Compensatory => Self::Compensatory,
            EntryKind::SwappedOff => Self::SwappedOff,
            EntryKind::MakeupWorkday => Self::MakeupWorkday,
        }
    }
}

/// Everything known about one day (thông tin một ngày).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayInfo {
    /// The date (UTC+7).
    pub date: NaiveDate,
    /// Whether it is a working day.
    pub working: bool,
    /// Its kind.
    pub kind: DayKind,
    /// Name of the holiday or break, in Vietnamese.
    pub name: Option<String>,
    /// Legal basis (căn cứ pháp lý).
    pub reference: Option<String>,
    /// The lunar date (ngày âm lịch).
    pub lunar: LunarDate,
}

/// Days since 1899-12-31 (`num_days_from_ce` of that day is 693_595).
pub(crate) const EPOCH_CE: i32 = 693_595;

/// Index in the day tables of `date` (days since 1899-12-31).
pub(crate) fn day_index(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce() - EPOCH_CE)
}

/// Date of a day-table index.
pub(crate) fn index_date(idx: i64) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(idx).ok()? + EPOCH_CE)
}

/// A label (name and legal basis) for one day.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Label {
    idx: u32,
    name: String,
    reference: String,
}

/// The national calendar (lịch quốc gia): computed Labour-Code holidays for every year
/// 1900–2101, overridden year by year by official schedules.
///
/// An official schedule for a year replaces the computed default for that whole year; a year
/// has an official schedule when any official entry belongs to it. An entry belongs to the
/// year of its date, except the days at the end of December of a New-Year break that runs into
/// 1 January (e.g. 29–31/12/2018 for Tết Dương lịch 2019): those belong to the next year, so that
/// they do not wipe out the computed holidays of the year they close. Official entries always
/// apply to their own dates.
///
/// Days are precomputed into a compact table (one byte per day, indexed by days since
/// 1899-12-31), so a lookup is an array access.
#[derive(Debug, Clone)]
pub struct NationalCalendar {
    /// Opaque version set by the caller (e.g. the schedule revision), echoed in results.
    pub version: i64,
    rules: HolidayRules,
    official: Vec<ScheduleEntry>,
    official_years: BTreeSet<i32>,
    kinds: Vec<u8>,
    labels: Vec<Label>,
}

impl NationalCalendar {
    /// Builds the calendar from the rules for computed holidays and a list of official entries
    /// (validated with [`validate_entries`]).
    pub fn new(version: i64, rules: HolidayRules, official: Vec<ScheduleEntry>) -> Result<Self, CalendarError> {
        validate_entries(&official).map_err(CalendarError::InvalidSchedule)?;
        let mut official = official;
        official.sort_by_key(|e| e.date);
        let official_years = official_schedule_years(&official);

        let last = NaiveDate::from_ymd_opt(LAST_YEAR, 12, 31).expect("valid");
        let len = (day_index(last) + 1) as usize;
        let mut kinds = vec![0u8; len];
        for (i, k) in kinds.iter_mut().enumerate() {
            let d = index_date(i as i64).expect("in range");
            if rules.is_rest_day(d) {
                *k = DayKind::Weekend as u8;
            }
        }
        let mut labels: Vec<Label> = Vec::with_capacity(16 * (LAST_YEAR - FIRST_YEAR + 1) as usize);
        let mut put = |e: &ScheduleEntry, official: bool, kinds: &mut Vec<u8>| {
            let idx = day_index(e.date);
            if idx < 0 || idx as usize >= kinds.len() {
                return;
            }
            let mut kind = DayKind::from(e.kind);
            // A Saturday/Sunday listed inside an announced break is a plain weekend day unless it
            // is the holiday date itself (see `shipped_entries`).
            if official && kind == DayKind::Holiday && rules.is_rest_day(e.date) && !is_core_holiday_date(e.date) {
                kind = DayKind::Weekend;
            }
            kinds[idx as usize] = kind as u8;
            labels.push(Label {
                idx: idx as u32,
                name: e.name.clone(),
                reference: e.reference.clone(),
            });
        };
        for year in FIRST_YEAR..=LAST_YEAR {
            if !official_years.contains(&year) {
                for e in computed_entries(year, &rules) {
                    put(&e, false, &mut kinds);
                }
            }
        }
        for e in &official {
            put(e, true, &mut kinds);
        }
        // Later labels (official) win over earlier (computed) ones for the same day.
        labels.reverse();
        labels.sort_by_key(|l| l.idx);
        labels.dedup_by_key(|l| l.idx);
        Ok(Self {
            version,
            rules,
            official,
            official_years,
            kinds,
            labels,
        })
    }

    /// The national calendar with the default rules and the shipped official schedules
    /// (2019–2026).
    pub fn with_shipped(version: i64) -> Self {
        Self::new(version, HolidayRules::default(), shipped_entries()).expect("shipped schedule is valid")
    }

    /// The rules of the computed holidays.
    pub fn rules(&self) -> &HolidayRules {
        &self.rules
    }

    /// The official entries, in date order.
    pub fn official_entries(&self) -> &[ScheduleEntry] {
        &self.official
    }

    /// Whether `year` has an official schedule (so the computed default is not used).
    pub fn has_official_schedule(&self, year: i32) -> bool {
        self.official_years.contains(&year)
    }

    /// Kind of the day at table index `idx`, if inside the table.
    #[inline]
    pub(crate) fn kind_at(&self, idx: i64) -> Option<DayKind> {
        usize::try_from(idx)
            .ok()
            .and_then(|i| self.kinds.get(i))
            .map(|&k| DayKind::from_u8(k))
    }

    /// Name and reference of the day at table index `idx`.
    pub(crate) fn label_at(&self, idx: i64) -> Option<(&str, &str)> {
        let idx = u32::try_from(idx).ok()?;
        let i = self.labels.binary_search_by_key(&idx, |l| l.idx).ok()?;
        Some((self.labels[i].name.as_str(), self.labels[i].reference.as_str()))
    }

    /// Number of days in the table (from 1899-12-31).
    pub(crate) fn table_len(&self) -> usize {
        self.kinds.len()
    }

    /// Everything about one day (thông tin ngày). Outside 1900–2101 the computed rules are
    /// applied on the fly.
    pub fn day(&self, date: NaiveDate) -> DayInfo {
        let idx = day_index(date);
        let (kind, label) = match self.kind_at(idx) {
            Some(k) if idx > 0 => (k, self.label_at(idx).map(|(n, r)| (n.to_string(), r.to_string()))),
            _ => {
                let e = computed_entries(date.year(), &self.rules)
                    .into_iter()
                    .find(|e| e.date == date);
                match e {
                    Some(e) => (DayKind::from(e.kind), Some((e.name, e.reference))),
                    None if self.rules.is_rest_day(date) => (DayKind::Weekend, None),
                    None => (DayKind::Working, None),
                }
            }
        };
        let (name, reference) = label.map_or((None, None), |(n, r)| (Some(n), Some(r)));
        DayInfo {
            date,
            working: kind.is_working(),
            kind,
            name,
            reference,
            lunar: solar_to_lunar(date),
        }
    }

    /// The notable days of `year` in date order (danh sách ngày nghỉ trong năm): every day
    /// off that is not a plain weekend (holidays — including a holiday date on a weekend —,
    /// compensatory and swapped days) and every make-up working Saturday/Sunday.
    pub fn year_listing(&self, year: i32) -> Vec<DayInfo> {
        let (Some(mut d), Some(end)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        while d <= end {
            let info = self.day(d);
            if !matches!(info.kind, DayKind::Working | DayKind::Weekend) {
                out.push(info);
            }
            match d.succ_opt() {
                Some(n) => d = n,
                None => break,
            }
        }
        out
    }
}

/// Years that have an official schedule (see [`NationalCalendar`]).
fn official_schedule_years(sorted: &[ScheduleEntry]) -> BTreeSet<i32> {
    let off_dates: BTreeSet<NaiveDate> = sorted.iter().filter(|e| e.kind.is_off()).map(|e| e.date).collect();
    sorted
        .iter()
        .map(|e| {
            let d = e.date;
            if d.month() == 12 && e.kind.is_off() {
                // Does a run of consecutive days off lead from here to 1 January?
                let mut c = d;
                while off_dates.contains(&c) {
                    if c.month() == 1 {
                        return d.year() + 1;
                    }
                    match c.succ_opt() {
                        Some(n) => c = n,
                        None => break,
                    }
                }
            }
            d.year()
        })
        .collect()
}

#[cfg(test)]
#[path = "national_tests.rs"]
mod tests;
