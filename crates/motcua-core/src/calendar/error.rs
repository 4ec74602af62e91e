//! Errors of the calendar and deadline rules (lỗi lịch và thời hạn).

use chrono::NaiveDate;

use super::holidays::ScheduleProblem;

/// Every error the calendar module returns (lỗi lịch làm việc).
///
/// Each variant has a stable machine code ([`CalendarError::code`]) for APIs and logs, and a
/// message in Vietnamese and English for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A duration of zero units (thời hạn bằng 0), e.g. `0wd`.
    #[error("duration must be greater than zero: {input:?}")]
    DurationZero {
        /// The text as given.
        input: String,
    },
    /// A negative duration (thời hạn âm), e.g. `-3d`.
    #[error("duration must not be negative: {input:?}")]
    DurationNegative {
        /// The text as given.
        input: String,
    },
    /// Text that is not a duration (thời hạn không hợp lệ), e.g. `abc`.
    #[error("invalid duration {input:?}: expected a number and a unit wd, wh, d or m (e.g. 5wd)")]
    DurationInvalid {
        /// The text as given.
        input: String,
    },
    /// More than [`super::deadline::MAX_DURATION_UNITS`] units (thời hạn quá dài).
    #[error("duration {input:?} is too long: at most {max} units")]
    DurationTooLong {
        /// The text as given.
        input: String,
        /// The largest accepted number of units.
        max: u32,
    },
    /// A date outside the supported range 1900-01-01..=2101-12-31 (ngoài phạm vi lịch).
    #[error("date {date} is outside the supported calendar range 1900-01-01..=2101-12-31")]
    OutOfRange {
        /// The offending date (UTC+7).
        date: NaiveDate,
    },
    /// A pause whose end is before its start (khoảng tạm dừng không hợp lệ).
    #[error("a pause ends before it starts")]
    InvalidPause,
    /// Working hours that cannot be used (giờ làm việc không hợp lệ).
    #[error("invalid working hours: {reason}")]
    InvalidWorkingHours {
        /// What is wrong, in English.
        reason: String,
    },
    /// The agency calendar has no working time in which to count (không có thời gian làm việc).
    #[error("the agency calendar has no working day to count on")]
    NoWorkingTime,
    /// An official schedule that failed validation (lịch nghỉ không hợp lệ).
    #[error("invalid holiday schedule: {} problem(s)", .0.len())]
    InvalidSchedule(Vec<ScheduleProblem>),
}

impl CalendarError {
    /// Stable machine code (mã lỗi), never translated.
    pub fn code(&self) -> &'static str {
        match self {
            Self::DurationZero { .. } => "duration_zero",
            Self::DurationNegative { .. } => "duration_negative",
            Self::DurationInvalid { .. } => "duration_invalid",
            Self::DurationTooLong { .. } => "duration_too_long",
            Self::OutOfRange { .. } => "calendar_out_of_range",
            Self::InvalidPause => "pause_invalid",
            Self::InvalidWorkingHours { .. } => "working_hours_invalid",
            Self::NoWorkingTime => "no_working_time",
            Self::InvalidSchedule(_) => "schedule_invalid",
        }
    }

    /// Message in Vietnamese (thông báo tiếng Việt).
    pub fn message_vi(&self) -> String {
        match self {
            Self::DurationZero { input } => format!("Thời hạn phải lớn hơn 0: \"{input}\"."),
            Self::DurationNegative { input } => format!("Thời hạn không được âm: \"{input}\"."),
            Self::DurationInvalid { input } => format!(
                "Thời hạn \"{input}\" không hợp lệ: cần một số và đơn vị wd (ngày làm việc), \
                 wh (giờ làm việc), d (ngày) hoặc m (tháng), ví dụ 5wd."
            ),
            Self::DurationTooLong { input, max } => {
                format!("Thời hạn \"{input}\" quá dài: tối đa {max} đơn vị.")
            }
            Self::OutOfRange { date } => format!(
                "Ngày {} nằm ngoài phạm vi lịch được hỗ trợ (01/01/1900–31/12/2101).",
                date.format("%d/%m/%Y")
            ),
            Self::InvalidPause => "Khoảng tạm dừng có thời điểm kết thúc trước thời điểm bắt đầu.".into(),
            Self::InvalidWorkingHours { reason } => format!("Giờ làm việc không hợp lệ: {reason}."),
            Self::NoWorkingTime => "Lịch của cơ quan không có ngày làm việc nào để tính thời hạn.".into(),
            Self::InvalidSchedule(p) => format!("Lịch nghỉ không hợp lệ: {} lỗi.", p.len()),
        }
    }

    /// Message in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::DurationZero { input } => format!("The duration must be greater than zero: \"{input}\"."),
            Self::DurationNegative { input } => format!("The duration must not be negative: \"{input}\"."),
            Self::DurationInvalid { input } => format!(
                "\"{input}\" is not a valid duration: use a number and a unit wd (working days), \
                 wh (working hours), d (days) or m (months), e.g. 5wd."
            ),
            Self::DurationTooLong { input, max } => {
                format!("The duration \"{input}\" is too long: at most {max} units.")
            }
            Self::OutOfRange { date } => {
                format!("The date {date} is outside the supported calendar range (1900-01-01 to 2101-12-31).")
            }
            Self::InvalidPause => "A pause ends before it starts.".into(),
            Self::InvalidWorkingHours { reason } => format!("Invalid working hours: {reason}."),
            Self::NoWorkingTime => "The agency calendar has no working day to count on.".into(),
            Self::InvalidSchedule(p) => format!("Invalid holiday schedule: {} problem(s).", p.len()),
        }
    }
}
