//! Working-day calendar (lịch làm việc): the Vietnamese lunar calendar, public holidays and
//! official day-off schedules, agencies' working hours, and deadlines (thời hạn giải quyết).
//!
//! Pure functions only: no I/O, no clock. Every instant is a parameter, in UTC+7.
//!
//! * [`lunar`] — âm lịch: [`solar_to_lunar`], [`lunar_to_solar`], [`tet`], [`gio_to`].
//! * [`holidays`] — ngày lễ (Bộ luật Lao động 2019, Điều 112), nghỉ bù (Điều 111 khoản 3),
//!   official schedules as data ([`ScheduleEntry`], [`shipped_entries`], [`parse_schedule_csv`]).
//! * [`national`] — [`NationalCalendar`]: computed defaults overridden year by year by the
//!   official schedules, one byte per day.
//! * [`hours`] — [`WorkingHours`] and [`AgencyCalendar`] (an agency's hours and closures).
//! * [`deadline`] — [`Duration`] (`5wd`, `8wh`, `30d`, `1m`) and [`due`].
//! * [`CalendarError`] — every error, with a stable code and Vietnamese/English messages.

mod astro;
pub mod deadline;
mod error;
pub mod holidays;
pub mod hours;
pub mod lunar;
pub mod national;

pub use deadline::{
    CalendarDayRule, Due, DueOptions, Duration, MAX_DURATION_UNITS, Pause, SkippedDay, describe_rules, due, vn_offset,
    working_seconds_between,
};
pub use error::CalendarError;
pub use holidays::{
    AdjacentDay, EntryKind, HolidayRules, ScheduleEntry, ScheduleProblem, YearRules, can_chi_year, computed_entries,
    parse_schedule_csv, shipped_entries, validate_entries,
};
pub use hours::{AgencyCalendar, MonthDay, Period, SeasonalHours, WorkingHours};
pub use lunar::{LunarDate, gio_to, leap_month, lunar_to_solar, month_length, solar_to_lunar, tet};
pub use national::{DayInfo, DayKind, FIRST_YEAR, LAST_YEAR, NationalCalendar};
