//! Validation errors of dossier inputs (lỗi dữ liệu hồ sơ).
//!
//! Illegal state transitions have their own type, [`super::TransitionError`] (HTTP 409 in the
//! web layer); the errors here are about the content of an input (HTTP 422).

use super::intake::MissingComponent;
use crate::calendar::CalendarError;

/// Every validation error of the dossier module (lỗi kiểm tra hồ sơ).
///
/// Each variant has a stable machine code ([`DossierError::code`]) and messages in Vietnamese and
/// English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DossierError {
    /// Text that is not a dossier code (mã hồ sơ không hợp lệ).
    #[error("invalid dossier code {input:?}: {reason}")]
    CodeInvalid {
        /// The text as given.
        input: String,
        /// What is wrong, in English.
        reason: &'static str,
    },
    /// A daily sequence outside 1..=9999 (số thứ tự ngoài phạm vi).
    #[error("dossier sequence {seq} is outside 1..=9999")]
    SequenceOutOfRange {
        /// The sequence asked for.
        seq: u32,
    },
    /// The pinned version does not offer this channel (kênh không được cung cấp).
    #[error("channel {channel} is not offered by this procedure version")]
    ChannelNotOffered {
        /// KenhThucHien code 1, 2 or 3.
        channel: u8,
    },
    /// A case variant the pinned version does not define (trường hợp không có).
    #[error("case variant {variant:?} is not defined by this procedure version")]
    VariantUnknown {
        /// The variant id as given.
        variant: String,
    },
    /// The channel has neither a time limit nor same-day handling (không có thời hạn).
    #[error("the channel has no time limit, so no appointment can be computed")]
    NoTimeLimit,
    /// The clock is paused (supplement awaited), so no due instant exists yet (đang tạm dừng).
    #[error("the clock is paused: the due date is computed when the supplement arrives")]
    ClockPaused,
    /// A workflow step index outside the pinned workflow (bước không tồn tại).
    #[error("step {index} does not exist: the workflow has {steps} step(s)")]
    StepOutOfRange {
        /// The index asked for.
        index: usize,
        /// Number of steps.
        steps: usize,
    },
    /// Required components are missing at intake (thiếu thành phần hồ sơ bắt buộc).
    #[error("{} required component(s) missing", missing.len())]
    MissingComponents {
        /// The missing components, in checklist order.
        missing: Vec<MissingComponent>,
    },
    /// A component index or name not in the pinned version (thành phần không có trong TTHC).
    #[error("component {reference} is not in the pinned procedure version")]
    ComponentUnknown {
        /// The index or name as given.
        reference: String,
    },
    /// A component listed twice in one request (thành phần bị trùng).
    #[error("component {name:?} is listed twice")]
    ComponentDuplicate {
        /// Its name.
        name: String,
    },
    /// A supplement request without any item (yêu cầu bổ sung trống).
    #[error("a supplement request must list at least one item")]
    SupplementEmpty,
    /// A supplement request without its reason (thiếu lý do).
    #[error("a supplement request must state its reason")]
    SupplementReasonEmpty,
    /// An "other" item without a name (thiếu tên giấy tờ khác).
    #[error("an item outside the published components needs a name")]
    OtherItemNameEmpty,
    /// An "other" item without justification (thiếu căn cứ yêu cầu).
    #[error("item {name:?} is not in the published procedure and needs a justification")]
    OtherItemNeedsJustification {
        /// The item's name.
        name: String,
    },
    /// A second (or later) supplement request without its written reason (legal-facts §12
    /// item 3).
    #[error("a repeated supplement request needs a written reason")]
    RepeatSupplementNeedsReason,
    /// A score outside 0..=2 (điểm ngoài phạm vi), TT 01/2018 Điều 13.
    #[error("indicator {indicator} has score {value}, expected 0, 1 or 2")]
    ScoreOutOfRange {
        /// Indicator number 1..=9.
        indicator: u8,
        /// The score given.
        value: u8,
    },
    /// A calendar error while computing a deadline.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

impl DossierError {
    /// Stable machine code (mã lỗi), never translated.
    pub fn code(&self) -> &'static str {
        match self {
            Self::CodeInvalid { .. } => "dossier_code_invalid",
            Self::SequenceOutOfRange { .. } => "sequence_out_of_range",
            Self::ChannelNotOffered { .. } => "channel_not_offered",
            Self::VariantUnknown { .. } => "variant_unknown",
            Self::NoTimeLimit => "no_time_limit",
            Self::ClockPaused => "clock_paused",
            Self::StepOutOfRange { .. } => "step_out_of_range",
            Self::MissingComponents { .. } => "missing_components",
            Self::ComponentUnknown { .. } => "component_unknown",
            Self::ComponentDuplicate { .. } => "component_duplicate",
            Self::SupplementEmpty => "supplement_empty",
            Self::SupplementReasonEmpty => "supplement_reason_empty",
            Self::OtherItemNameEmpty => "other_item_name_empty",
            Self::OtherItemNeedsJustification { .. } => "other_item_needs_justification",
            Self::RepeatSupplementNeedsReason => "repeat_supplement_needs_reason",
            Self::ScoreOutOfRange { .. } => "score_out_of_range",
            Self::Calendar(e) => e.code(),
        }
    }

    /// Message in Vietnamese (thông báo tiếng Việt).
    pub fn message_vi(&self) -> String {
        match self {
            Self::CodeInvalid { input, .. } => format!(
                "Mã hồ sơ \"{input}\" không hợp lệ: cần dạng <mã đơn vị tiếp nhận>-<yyMMdd>-<4 chữ số>, \
                 ví dụ 000.00.15.H50-261127-0001."
            ),
            Self::SequenceOutOfRange { seq } => {
                format!("Số thứ tự hồ sơ {seq} nằm ngoài phạm vi 1–9999 trong một ngày.")
            }
            Self::ChannelNotOffered { channel } => {
                format!("Phiên bản thủ tục này không cung cấp kênh thực hiện {channel}.")
            }
            Self::VariantUnknown { variant } => {
                format!("Trường hợp \"{variant}\" không có trong phiên bản thủ tục này.")
            }
            Self::NoTimeLimit => "Kênh thực hiện không có thời hạn giải quyết nên không tính được ngày hẹn trả.".into(),
            Self::ClockPaused => "Hồ sơ đang tạm dừng chờ bổ sung; hạn mới được tính khi nhận đủ bổ sung.".into(),
            Self::StepOutOfRange { index, steps } => {
                format!("Bước {} không tồn tại: quy trình có {steps} bước.", index + 1)
            }
            Self::MissingComponents { missing } => format!(
                "Thiếu {} thành phần hồ sơ bắt buộc: {}.",
                missing.len(),
                missing.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join("; ")
            ),
            Self::ComponentUnknown { reference } => {
                format!("Thành phần hồ sơ {reference} không có trong phiên bản thủ tục của hồ sơ.")
            }
            Self::ComponentDuplicate { name } => format!("Thành phần hồ sơ \"{name}\" bị liệt kê hai lần."),
            Self::SupplementEmpty => "Yêu cầu bổ sung phải nêu ít nhất một giấy tờ.".into(),
            Self::SupplementReasonEmpty => "Yêu cầu bổ sung phải nêu rõ lý do.".into(),
            Self::OtherItemNameEmpty => "Giấy tờ ngoài thành phần hồ sơ đã công bố phải có tên.".into(),
            Self::OtherItemNeedsJustification { name } => {
                format!("Giấy tờ \"{name}\" không có trong thủ tục đã công bố: phải ghi rõ căn cứ yêu cầu.")
            }
            Self::RepeatSupplementNeedsReason => {
                "Yêu cầu bổ sung lần thứ hai trở lên phải có lý do bằng văn bản.".into()
            }
            Self::ScoreOutOfRange { indicator, value } => {
                format!("Chỉ số {indicator} có điểm {value}; điểm hợp lệ là 0, 1 hoặc 2.")
            }
            Self::Calendar(e) => e.message_vi(),
        }
    }

    /// Message in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::CodeInvalid { input, reason } => format!(
                "\"{input}\" is not a valid dossier code ({reason}): expected \
                 <receiving unit code>-<yyMMdd>-<4 digits>, e.g. 000.00.15.H50-261127-0001."
            ),
            Self::SequenceOutOfRange { seq } => {
                format!("The dossier sequence {seq} is outside 1–9999 for one day.")
            }
            Self::ChannelNotOffered { channel } => {
                format!("This procedure version does not offer channel {channel}.")
            }
            Self::VariantUnknown { variant } => {
                format!("Case variant \"{variant}\" is not defined by this procedure version.")
            }
            Self::NoTimeLimit => "The channel has no time limit, so no appointment date can be computed.".into(),
            Self::ClockPaused => {
                "The clock is paused while a supplement is awaited; the due date is computed when it arrives.".into()
            }
            Self::StepOutOfRange { index, steps } => {
                format!("Step {} does not exist: the workflow has {steps} step(s).", index + 1)
            }
            Self::MissingComponents { missing } => format!(
                "{} required component(s) missing: {}.",
                missing.len(),
                missing.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join("; ")
            ),
            Self::ComponentUnknown { reference } => {
                format!("Component {reference} is not in the dossier's procedure version.")
            }
            Self::ComponentDuplicate { name } => format!("Component \"{name}\" is listed twice."),
            Self::SupplementEmpty => "A supplement request must list at least one item.".into(),
            Self::SupplementReasonEmpty => "A supplement request must state its reason.".into(),
            Self::OtherItemNameEmpty => "An item outside the published components needs a name.".into(),
            Self::OtherItemNeedsJustification { name } => {
                format!("\"{name}\" is not in the published procedure: a justification is required.")
            }
            Self::RepeatSupplementNeedsReason => "A second or later supplement request needs a written reason.".into(),
            Self::ScoreOutOfRange { indicator, value } => {
                format!("Indicator {indicator} has score {value}; valid scores are 0, 1 and 2.")
            }
            Self::Calendar(e) => e.message_en(),
        }
    }
}
