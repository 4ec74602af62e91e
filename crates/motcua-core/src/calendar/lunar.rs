//! Vietnamese lunar calendar (âm lịch Việt Nam).
//!
//! The calendar is computed, not looked up, from the astronomical rules that Vietnam publishes
//! its calendar by (as described by Hồ Ngọc Đức), evaluated at **UTC+7** (giờ Hà Nội):
//!
//! * a lunar month (tháng âm lịch) starts on the civil day of a true new moon (sóc);
//! * month 11 (tháng Một) is the month that contains the winter solstice (Đông chí);
//! * when 13 new moons start between two months 11, the year has a leap month (tháng nhuận):
//!   the first month after month 11 that contains no major solar term (trung khí, a multiple
//!   of 30° of solar longitude), tested at local midnight of each month's first day. A leap
//!   month takes the number of the month before it.
//!
//! The implementation was written from that description and from Meeus' formulas (see
//! `calendar::astro`); it does not reuse anyone's calendar code.
//!
//! Because Vietnam computes at UTC+7 and China at UTC+8, a new moon between 16:00 and 17:00 UT
//! falls on different civil days, and the two calendars sometimes differ. Between 1900 and
//! 2100 Tết (Tết Nguyên đán, 1/1 lunar) differs in 1903, 1916, 1935, 1965, 1968, 1969, 1985,
//! 2007, 2030 and 2053 — e.g. Tết Ất Sửu 1985 is 1985-01-21 in Vietnam and 1985-02-20 in China
//! (there the leap month differs). Historically Vietnam used the UTC+8 calendar until 1967;
//! like the published Vietnamese tables, this module applies UTC+7 to every year.
//!
//! Speed: a table of every month start from late 1897 to late 2102 is built once
//! (`OnceLock`, about 2,500 months, a few milliseconds); lookups are binary searches.
//! Dates outside the table are computed on the fly by the same method (slower, less
//! accurate far from the present era).

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::astro;

/// Vietnam's time zone for the calendar, in hours east of UTC.
pub(crate) const VN_TZ_HOURS: f64 = 7.0;

/// First and last solstice years of the precomputed table (months from Nov/Dec 1897 to
/// Nov/Dec 2102, so every day of 1899–2101 is covered).
const TABLE_FIRST_SOLSTICE_YEAR: i32 = 1897;
const TABLE_LAST_SOLSTICE_YEAR: i32 = 2102;

/// A date of the Vietnamese lunar calendar (ngày âm lịch).
///
/// `year` is the lunar year that starts at its Tết, numbered like the solar year in which that
/// Tết falls (Tết Bính Ngọ 2026-02-17 starts lunar year 2026). `leap` marks a leap month
/// (tháng nhuận), which carries the number of the month before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LunarDate {
    /// Lunar year (năm âm lịch).
    pub year: i32,
    /// Month number 1..=12 (tháng).
    pub month: u8,
    /// Day of the month 1..=30 (ngày).
    pub day: u8,
    /// Leap month (tháng nhuận).
    pub leap: bool,
}

impl std::fmt::Display for LunarDate {
    /// Formats as Vietnamese calendars print it, e.g. `10/3/2026` or `15/4 nhuận/2020`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.leap {
            write!(f, "{}/{} nhuận/{}", self.day, self.month, self.year)
        } else {
            write!(f, "{}/{}/{}", self.day, self.month, self.year)
        }
    }
}

/// One lunar month: its first civil day and its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Month {
    /// First day, as chrono `num_days_from_ce`.
    pub start: i32,
    /// Lunar year the month belongs to.
    pub year: i32,
    /// Month number 1..=12.
    pub number: u8,
    /// Leap month.
    pub leap: bool,
}

/// Precomputed months plus the start of the month after the last one (to know its length).
pub(crate) struct MonthTable {
    months: Vec<Month>,
    end: i32,
}

impl MonthTable {
    /// Index of the month containing civil day `day`, if the table covers it.
    fn find(&self, day: i32) -> Option<usize> {
        if day < self.months.first()?.start || day >= self.end {
            return None;
        }
        Some(self.months.partition_point(|m| m.start <= day) - 1)
    }

    fn next_start(&self, i: usize) -> i32 {
        self.months.get(i + 1).map_or(self.end, |m| m.start)
    }

    fn to_lunar(&self, day: i32) -> Option<LunarDate> {
        let i = self.find(day)?;
        let m = self.months[i];
        Some(LunarDate {
            year: m.year,
            month: m.number,
            day: (day - m.start + 1) as u8,
            leap: m.leap,
        })
    }

    /// Index of the month `(year, number, leap)`.
    fn index_of(&self, year: i32, number: u8, leap: bool) -> Option<usize> {
        // Months of one lunar year are contiguous; find the first month of `year` and scan.
        let first = self.months.partition_point(|m| m.year < year);
        self.months[first..]
            .iter()
            .take(14)
            .position(|m| m.year == year && m.number == number && m.leap == leap)
            .map(|p| first + p)
    }

    fn to_solar_day(&self, d: LunarDate) -> Option<i32> {
        if !(1..=12).contains(&d.month) || d.day == 0 {
            return None;
        }
        let i = self.index_of(d.year, d.month, d.leap)?;
        let start = self.months[i].start;
        let len = self.next_start(i) - start;
        // Only "inner" months are trusted: the first months of the table may be partial years.
        (i32::from(d.day) <= len).then_some(start + i32::from(d.day) - 1)
    }

    fn month_len(&self, year: i32, number: u8, leap: bool) -> Option<u8> {
        let i = self.index_of(year, number, leap)?;
        Some((self.next_start(i) - self.months[i].start) as u8)
    }
}

/// Builds the months from month 11 of `first_solstice_year` up to (not including) month 11 of
/// `last_solstice_year`, at `tz_hours` east of UTC.
pub(crate) fn build_months(first_solstice_year: i32, last_solstice_year: i32, tz_hours: f64) -> MonthTable {
    // Lunation numbers spanning the range, with a margin of two months on each side.
    let first_day = civil_day(first_solstice_year, 10, 1);
    let last_day = civil_day(last_solstice_year, 12, 31);
    let k0 = astro::approx_lunation(first_day) - 2;
    let k1 = astro::approx_lunation(last_day) + 3;
    let starts: Vec<i32> = (k0..=k1).map(|k| astro::new_moon_day(k, tz_hours)).collect();
    let sectors: Vec<u8> = starts
        .iter()
        .map(|&d| astro::sun_sector_at_day_start(d, tz_hours))
        .collect();

    // Month 11 of solstice year Y: the month at whose start the Sun is below 270° while at the
    // next month's start it has passed 270° (the month holds Đông chí). Search near December.
    let month11 = |year: i32| -> usize {
        let dec = civil_day(year, 12, 31);
        let mut i = starts.partition_point(|&s| s <= dec) - 1;
        while !(sectors[i] <= 8 && sectors[i + 1] >= 9) {
            i -= 1;
        }
        i
    };

    let mut months = Vec::with_capacity(((last_solstice_year - first_solstice_year) * 13) as usize);
    let mut a = month11(first_solstice_year);
    for year in first_solstice_year..last_solstice_year {
        let b = month11(year + 1);
        // 13 lunations between two months 11: a leap year (năm nhuận).
        let leap_index = (b - a == 13).then(|| {
            ((a + 1)..b)
                .find(|&j| sectors[j] == sectors[j + 1])
                // Cannot happen with 12 major terms in 13 months; keep a defined answer.
                .unwrap_or(b - 1)
        });
        let mut number: u8 = 10; // becomes 11 at index a
        let mut lunar_year = year;
        for (j, &start) in starts.iter().enumerate().take(b).skip(a) {
            let leap = leap_index == Some(j);
            if !leap {
                number = number % 12 + 1;
                if number == 1 {
                    lunar_year = year + 1;
                }
            }
            months.push(Month {
                start,
                year: lunar_year,
                number,
                leap,
            });
        }
        a = b;
    }
    MonthTable { months, end: starts[a] }
}

/// `num_days_from_ce` of a valid solar date (helper for fixed dates).
fn civil_day(year: i32, month: u32, day: u32) -> i32 {
    NaiveDate::from_ymd_opt(year, month, day).map_or(0, |d| d.num_days_from_ce())
}

fn table() -> &'static MonthTable {
    static TABLE: OnceLock<MonthTable> = OnceLock::new();
    TABLE.get_or_init(|| build_months(TABLE_FIRST_SOLSTICE_YEAR, TABLE_LAST_SOLSTICE_YEAR, VN_TZ_HOURS))
}

/// Years in which the astronomical series are trusted for on-the-fly computation (Meeus'
/// new-moon series is built for roughly −2000..+4000; a margin is kept).
const COMPUTABLE_YEARS: std::ops::RangeInclusive<i32> = -1000..=3000;

/// A small table around `year` for dates outside the precomputed range.
fn table_around(year: i32) -> Option<MonthTable> {
    COMPUTABLE_YEARS
        .contains(&year)
        .then(|| build_months(year - 2, year + 1, VN_TZ_HOURS))
}

/// Mean-lunation estimate for dates far outside any computable range: counts mean synodic
/// months from Tết 2000 (2000-02-05) and ignores leap months. Only there to keep
/// [`solar_to_lunar`] total; such dates have no meaning for administrative deadlines.
fn approximate_lunar(day: i32) -> LunarDate {
    const TET_2000: f64 = 730_155.0; // num_days_from_ce of 2000-02-05
    const MONTHS_PER_YEAR: f64 = 12.368_266;
    let months = ((f64::from(day) - TET_2000) / astro::SYNODIC_MONTH).floor();
    let into = f64::from(day) - (TET_2000 + months * astro::SYNODIC_MONTH);
    let years = (months / MONTHS_PER_YEAR).floor();
    let month_in_year = (months - (years * MONTHS_PER_YEAR).round()).rem_euclid(12.0);
    LunarDate {
        year: (2000.0 + years).clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32,
        month: month_in_year as u8 + 1,
        day: (into.floor() as u8).clamp(0, 29) + 1,
        leap: false,
    }
}

/// Converts a solar (dương lịch) date to the Vietnamese lunar date (âm lịch).
///
/// Exact for the published method in 1899–2101 (table lookup, O(log n)); dates of years
/// −1000..=3000 outside it are computed on the fly by the same method; beyond that the result
/// is a mean-lunation estimate.
pub fn solar_to_lunar(date: NaiveDate) -> LunarDate {
    let day = date.num_days_from_ce();
    if let Some(l) = table().to_lunar(day) {
        return l;
    }
    table_around(date.year())
        .and_then(|t| t.to_lunar(day))
        .unwrap_or_else(|| approximate_lunar(day))
}

/// Converts a Vietnamese lunar date to the solar date, or `None` when no such lunar day exists
/// (month 0 or 13, day 30 of a 29-day month, a leap month the year does not have, …) or the
/// year is outside −1000..=3000.
pub fn lunar_to_solar(date: LunarDate) -> Option<NaiveDate> {
    let day = match table().to_solar_day(date) {
        Some(d) => Some(d),
        None if !(TABLE_FIRST_SOLSTICE_YEAR + 2..TABLE_LAST_SOLSTICE_YEAR).contains(&date.year) => {
            table_around(date.year)?.to_solar_day(date)
        }
        None => None,
    }?;
    NaiveDate::from_num_days_from_ce_opt(day)
}

/// Tết Nguyên đán (Lunar New Year, 1/1 âm lịch) of lunar year `year`.
///
/// # Panics
/// If `year` is outside −1000..=3000.
pub fn tet(year: i32) -> NaiveDate {
    lunar_to_solar(LunarDate {
        year,
        month: 1,
        day: 1,
        leap: false,
    })
    .expect("every lunar year has a first month")
}

/// Giỗ Tổ Hùng Vương (Hùng Kings' Commemoration, 10/3 âm lịch) of lunar year `year`.
///
/// # Panics
/// If `year` is outside −1000..=3000.
///
/// Month 3 always has 29 or 30 days, so the 10th always exists; a leap 3rd month does not
/// change the date (the holiday is in the regular month).
pub fn gio_to(year: i32) -> NaiveDate {
    lunar_to_solar(LunarDate {
        year,
        month: 3,
        day: 10,
        leap: false,
    })
    .expect("every lunar year has a third month")
}

/// The leap month (tháng nhuận) of lunar year `year`, if it has one.
pub fn leap_month(year: i32) -> Option<u8> {
    (1..=12).find(|&m| month_length(year, m, true).is_some())
}

/// Number of days (29 or 30) of a lunar month (tháng đủ / tháng thiếu), or `None` if the month
/// does not exist.
pub fn month_length(year: i32, month: u8, leap: bool) -> Option<u8> {
    if !(1..=12).contains(&month) {
        return None;
    }
    if (TABLE_FIRST_SOLSTICE_YEAR + 2..TABLE_LAST_SOLSTICE_YEAR).contains(&year) {
        table().month_len(year, month, leap)
    } else {
        table_around(year)?.month_len(year, month, leap)
    }
}

/// Tết computed in another time zone (for the comparison with the Chinese calendar in tests).
#[cfg(test)]
pub(crate) fn tet_at(year: i32, tz_hours: f64) -> NaiveDate {
    let t = build_months(year - 2, year + 1, tz_hours);
    let d = t
        .to_solar_day(LunarDate {
            year,
            month: 1,
            day: 1,
            leap: false,
        })
        .unwrap();
    NaiveDate::from_num_days_from_ce_opt(d).unwrap()
}

#[cfg(test)]
#[path = "lunar_tests.rs"]
mod tests;
