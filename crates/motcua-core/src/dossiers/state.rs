//! The dossier state machine (vòng đời hồ sơ), DESIGN §6 and legal-facts §12 item 1.
//!
//! * [`DossierState`] — internal states; each maps onto the national status code TrangThaiHoSo
//!   1–10 (legal-facts §8) with [`DossierState::national_status`].
//! * [`Command`] — what a person asks for; [`decide`] checks it against the current [`Dossier`]
//!   and returns the one [`Event`] it causes, or a [`TransitionError`] with a stable code.
//! * [`Dossier::evolve`] folds an event into the state (infallible, so the store can rebuild a
//!   dossier from its log); [`apply`] is `decide` then `evolve`.
//!
//! Values that need the calendar or the catalog (dossier code, appointment, hand-over verdict,
//! validated supplement request) are computed by the caller with [`super::deadline`],
//! [`super::code`], [`super::supplement`] and carried in the command: this module reads no
//! calendar, and the event records exactly what was decided.
//!
//! Rules enforced here:
//! * terminal states (không được tiếp nhận, rút, dừng) accept nothing; a returned dossier
//!   (đã trả kết quả) accepts one evaluation only;
//! * intake guidance (Mẫu 02) is given once and completely: a repeat needs a reason and is
//!   flagged (NĐ 61/2018, legal-facts §1.2);
//! * a second supplement request needs a written reason and is flagged `repeated_request`
//!   (legal-facts §12 items 3, 14); an item outside the published list is flagged
//!   `not_in_published_procedure`;
//! * at most one apology with a later appointment (hẹn lại không quá một lần, NĐ 107/2021,
//!   legal-facts §1.5, §12 item 5);
//! * liên thông keeps one dossier: the partner agency's steps given with
//!   [`Command::SendToAgency`] are counted in the dossier's steps, walked with hand-overs while
//!   the dossier is at the partner, and only the partner's last step hands it back;
//! * the result is returned only after a decision (approved or denied);
//! * event times never go backwards.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::code::DossierCode;
use super::deadline::StepVerdict;
use super::evaluation::Evaluation;
use super::intake::FeeLine;
use super::supplement::SupplementRequest;
use crate::catalog::WorkflowStep;
use crate::identity::UnitCode;

/// Internal state of a dossier (trạng thái hồ sơ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DossierState {
    /// Mới đăng ký, chờ tiếp nhận: submitted online (or just opened at the desk), not yet
    /// checked. National 1.
    #[default]
    Submitted,
    /// Đã hướng dẫn bổ sung, hoàn thiện (Mẫu 02 at intake), not yet received. National 5.
    Guided,
    /// Không được tiếp nhận (Mẫu 03). Terminal. National 3.
    NotReceived,
    /// Được tiếp nhận, chờ phân công (received, code and appointment issued). National 2.
    Received,
    /// Đang xử lý at the current workflow step. National 4.
    Processing,
    /// Chờ bổ sung (supplement requested during processing; the clock is paused). National 5.
    AwaitingSupplement,
    /// Chờ thực hiện nghĩa vụ tài chính (fee requested). National 6.
    AwaitingFee,
    /// Liên thông: at another agency served by the same system. National 4.
    AtPartnerAgency,
    /// Chờ lãnh đạo phê duyệt (all steps done, awaiting the leader's decision). National 4.
    AwaitingDecision,
    /// Đã xử lý xong, chờ trả kết quả (approved or denied; see [`Dossier::decision`]). National 9.
    Decided,
    /// Đã trả kết quả. Accepts one evaluation only. National 10.
    Returned,
    /// Công dân rút hồ sơ. Terminal. National 7.
    Withdrawn,
    /// Dừng xử lý (NĐ 118/2025; TT 03/2025 Mẫu 05). Terminal. National 8.
    Stopped,
}

impl DossierState {
    /// Every state.
    pub const ALL: [DossierState; 13] = [
        Self::Submitted,
        Self::Guided,
        Self::NotReceived,
        Self::Received,
        Self::Processing,
        Self::AwaitingSupplement,
        Self::AwaitingFee,
        Self::AtPartnerAgency,
        Self::AwaitingDecision,
        Self::Decided,
        Self::Returned,
        Self::Withdrawn,
        Self::Stopped,
    ];

    /// National status code TrangThaiHoSo (legal-facts §8): 1 Mới đăng ký, 2 Được tiếp nhận,
    /// 3 Không được tiếp nhận, 4 Đang xử lý, 5 Yêu cầu bổ sung giấy tờ, 6 Yêu cầu thực hiện nghĩa
    /// vụ tài chính, 7 Công dân yêu cầu rút hồ sơ, 8 Dừng xử lý, 9 Đã xử lý xong, 10 Đã trả kết
    /// quả.
    pub fn national_status(self) -> u8 {
        match self {
            Self::Submitted => 1,
            Self::Received => 2,
            Self::NotReceived => 3,
            Self::Processing | Self::AtPartnerAgency | Self::AwaitingDecision => 4,
            Self::Guided | Self::AwaitingSupplement => 5,
            Self::AwaitingFee => 6,
            Self::Withdrawn => 7,
            Self::Stopped => 8,
            Self::Decided => 9,
            Self::Returned => 10,
        }
    }

    /// Vietnamese name of a national status code (`None` outside 1..=10).
    pub fn national_label_vi(code: u8) -> Option<&'static str> {
        Some(match code {
            1 => "Mới đăng ký",
            2 => "Được tiếp nhận",
            3 => "Không được tiếp nhận",
            4 => "Đang xử lý",
            5 => "Yêu cầu bổ sung giấy tờ",
            6 => "Yêu cầu thực hiện nghĩa vụ tài chính",
            7 => "Công dân yêu cầu rút hồ sơ",
            8 => "Dừng xử lý",
            9 => "Đã xử lý xong",
            10 => "Đã trả kết quả",
            _ => return None,
        })
    }

    /// Nothing may happen any more (không được tiếp nhận, rút, dừng). A returned dossier is not
    /// terminal only because it may still be evaluated once.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::NotReceived | Self::Withdrawn | Self::Stopped)
    }

    /// Received and not yet decided, stopped or withdrawn: its appointment clock runs (or is
    /// paused).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Received
                | Self::Processing
                | Self::AwaitingSupplement
                | Self::AwaitingFee
                | Self::AtPartnerAgency
                | Self::AwaitingDecision
        )
    }

    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Guided => "guided",
            Self::NotReceived => "not_received",
            Self::Received => "received",
            Self::Processing => "processing",
            Self::AwaitingSupplement => "awaiting_supplement",
            Self::AwaitingFee => "awaiting_fee",
            Self::AtPartnerAgency => "at_partner_agency",
            Self::AwaitingDecision => "awaiting_decision",
            Self::Decided => "decided",
            Self::Returned => "returned",
            Self::Withdrawn => "withdrawn",
            Self::Stopped => "stopped",
        }
    }

    /// Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Submitted => "Chờ tiếp nhận",
            Self::Guided => "Đã hướng dẫn bổ sung, hoàn thiện",
            Self::NotReceived => "Từ chối tiếp nhận",
            Self::Received => "Đã tiếp nhận, chờ phân công",
            Self::Processing => "Đang xử lý",
            Self::AwaitingSupplement => "Chờ bổ sung hồ sơ",
            Self::AwaitingFee => "Chờ nộp phí, lệ phí",
            Self::AtPartnerAgency => "Đang xử lý liên thông",
            Self::AwaitingDecision => "Chờ phê duyệt",
            Self::Decided => "Đã xử lý xong, chờ trả kết quả",
            Self::Returned => "Đã trả kết quả",
            Self::Withdrawn => "Đã rút hồ sơ",
            Self::Stopped => "Dừng xử lý",
        }
    }
}

impl fmt::Display for DossierState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The leader's decision (quyết định giải quyết).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Decision {
    /// Phê duyệt: result document (e.g. giấy phép) with its number and date.
    Approved {
        /// Số, e.g. `15/GP-SKHCN`.
        number: String,
        /// Ngày ký.
        date: NaiveDate,
    },
    /// Từ chối giải quyết, with written reasons (Mẫu 03 after appraisal, legal-facts §1.4).
    Denied {
        /// Lý do.
        reason: String,
    },
}

/// How the result was returned (hình thức trả kết quả, legal-facts §1.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum ReturnMethod {
    /// Tại Bộ phận Một cửa: who received it.
    Counter {
        /// Người nhận kết quả.
        received_by: String,
    },
    /// Qua dịch vụ bưu chính công ích: tracking number.
    Post {
        /// Số hiệu bưu gửi.
        tracking: String,
    },
    /// Trực tuyến (to the applicant's account or data store).
    Electronic,
}

/// A pause of the clock while a supplement is awaited (khoảng tạm dừng), `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PauseInterval {
    /// When the request was made.
    pub from: DateTime<Utc>,
    /// When the supplement arrived (or processing stopped); `None` while still awaited.
    pub to: Option<DateTime<Utc>>,
}

/// What someone asks to do to a dossier (thao tác). Serialized with a `kind` tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Command {
    /// Hướng dẫn bổ sung, hoàn thiện hồ sơ at intake (Mẫu 02).
    GuideToComplete {
        /// The missing or incorrect components, by name.
        missing: Vec<String>,
        /// Lý do.
        reason: String,
        /// Required when guidance was already given once.
        repeat_reason: Option<String>,
    },
    /// Từ chối tiếp nhận (Mẫu 03).
    RefuseAtIntake {
        /// Lý do.
        reason: String,
    },
    /// Tiếp nhận (Mẫu 01): code and appointment computed by the caller.
    Receive {
        /// Mã hồ sơ.
        code: DossierCode,
        /// Ngày hẹn trả kết quả.
        appointment: DateTime<Utc>,
        /// Number of steps of the pinned workflow (0 is counted as one step).
        steps: u32,
    },
    /// Phân công / phân công lại (leader) or claim (nhận xử lý): from Received it starts step 1;
    /// in any other open state it only changes the holder.
    Assign {
        /// User id of the assignee.
        assignee: String,
    },
    /// Chuyển bước: the current step is done and handed to `receiver` (Mẫu 05 row). After the
    /// last step the dossier awaits the decision.
    HandOver {
        /// User id of the receiver.
        receiver: String,
        /// Trước hạn / đúng hạn / quá hạn of the finished step ([`super::step_verdict`]).
        verdict: StepVerdict,
    },
    /// Chuyển liên thông to another agency served by the same system.
    ///
    /// With `steps` (the partner agency's part, given by the sender: name, responsible unit of
    /// that agency or the agency itself, time slice) the sender's current step is finished by
    /// the send and the partner's steps become steps of this one dossier, right after it: the
    /// dossier stays [`DossierState::AtPartnerAgency`] while the partner hands over between
    /// its steps, and [`Command::ReturnFromAgency`] finishes the partner's last step and
    /// resumes the sender's next step. Without `steps` (older events and API clients) the
    /// sender's step is only paused while the partner holds the dossier.
    SendToAgency {
        /// The agency's electronic identifier code.
        agency: UnitCode,
        /// The partner agency's steps (liên thông part), in order; may be empty.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        steps: Vec<WorkflowStep>,
    },
    /// The other agency hands the dossier back (finishing its last step, if it has steps).
    ReturnFromAgency,
    /// Yêu cầu bổ sung hồ sơ during processing (validated with [`super::SupplementDraft`]).
    RequestSupplement(SupplementRequest),
    /// The supplement arrived; the clock resumes with the recomputed appointment
    /// ([`super::extended_due`]).
    SupplementReceived {
        /// Ngày hẹn trả after the pause.
        appointment: DateTime<Utc>,
    },
    /// Yêu cầu thực hiện nghĩa vụ tài chính.
    RequestFee {
        /// The fee lines requested.
        items: Vec<FeeLine>,
    },
    /// A payment recorded (at the desk with a receipt number, or from a payment provider).
    FeePaid {
        /// Số biên lai or the provider's transaction id.
        receipt: String,
        /// Amount in đồng.
        amount: u64,
    },
    /// Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04), at most once.
    IssueApology {
        /// Lý do chậm.
        reason: String,
        /// The new appointment, later than the current one.
        new_appointment: DateTime<Utc>,
    },
    /// The appointment recomputed after an official calendar change (issue 5 item 14).
    Reschedule {
        /// The recomputed appointment.
        appointment: DateTime<Utc>,
        /// Version of the calendar used.
        calendar_version: i64,
    },
    /// Phê duyệt (leader).
    Approve {
        /// Số văn bản kết quả.
        number: String,
        /// Ngày ký.
        date: NaiveDate,
    },
    /// Từ chối giải quyết (leader), with reasons.
    Deny {
        /// Lý do.
        reason: String,
    },
    /// Dừng giải quyết (agency; TT 03/2025 Mẫu 05).
    Stop {
        /// Lý do.
        reason: String,
    },
    /// Rút hồ sơ (applicant).
    Withdraw {
        /// Lý do.
        reason: String,
    },
    /// Trả kết quả.
    ReturnResult {
        /// How.
        method: ReturnMethod,
    },
    /// Đánh giá (TT 01/2018 Điều 13), once. A struct variant because an internally tagged enum
    /// cannot carry a bare sequence (`{"kind":"evaluate","scores":[2,2,…]}`).
    Evaluate {
        /// The nine scores, index 1 first.
        scores: Evaluation,
    },
}

impl Command {
    /// Stable snake_case name of the command.
    pub fn name(&self) -> &'static str {
        match self {
            Self::GuideToComplete { .. } => "guide_to_complete",
            Self::RefuseAtIntake { .. } => "refuse_at_intake",
            Self::Receive { .. } => "receive",
            Self::Assign { .. } => "assign",
            Self::HandOver { .. } => "hand_over",
            Self::SendToAgency { .. } => "send_to_agency",
            Self::ReturnFromAgency => "return_from_agency",
            Self::RequestSupplement(_) => "request_supplement",
            Self::SupplementReceived { .. } => "supplement_received",
            Self::RequestFee { .. } => "request_fee",
            Self::FeePaid { .. } => "fee_paid",
            Self::IssueApology { .. } => "issue_apology",
            Self::Reschedule { .. } => "reschedule",
            Self::Approve { .. } => "approve",
            Self::Deny { .. } => "deny",
            Self::Stop { .. } => "stop",
            Self::Withdraw { .. } => "withdraw",
            Self::ReturnResult { .. } => "return_result",
            Self::Evaluate { .. } => "evaluate",
        }
    }

    /// Event kind it produces (past tense), the `kind` column of the event log.
    pub fn event_kind(&self) -> &'static str {
        match self {
            Self::GuideToComplete { .. } => "guided_to_complete",
            Self::RefuseAtIntake { .. } => "refused_at_intake",
            Self::Receive { .. } => "received",
            Self::Assign { .. } => "assigned",
            Self::HandOver { .. } => "handed_over",
            Self::SendToAgency { .. } => "sent_to_agency",
            Self::ReturnFromAgency => "returned_from_agency",
            Self::RequestSupplement(_) => "supplement_requested",
            Self::SupplementReceived { .. } => "supplement_received",
            Self::RequestFee { .. } => "fee_requested",
            Self::FeePaid { .. } => "fee_paid",
            Self::IssueApology { .. } => "apology_issued",
            Self::Reschedule { .. } => "rescheduled",
            Self::Approve { .. } => "approved",
            Self::Deny { .. } => "denied",
            Self::Stop { .. } => "stopped",
            Self::Withdraw { .. } => "withdrawn",
            Self::ReturnResult { .. } => "result_returned",
            Self::Evaluate { .. } => "evaluated",
        }
    }

    /// Vietnamese label of the action.
    pub fn label_vi(&self) -> &'static str {
        match self {
            Self::GuideToComplete { .. } => "Hướng dẫn bổ sung, hoàn thiện hồ sơ",
            Self::RefuseAtIntake { .. } => "Từ chối tiếp nhận",
            Self::Receive { .. } => "Tiếp nhận hồ sơ",
            Self::Assign { .. } => "Phân công xử lý",
            Self::HandOver { .. } => "Chuyển bước xử lý",
            Self::SendToAgency { .. } => "Chuyển liên thông",
            Self::ReturnFromAgency => "Nhận lại hồ sơ liên thông",
            Self::RequestSupplement(_) => "Yêu cầu bổ sung hồ sơ",
            Self::SupplementReceived { .. } => "Nhận hồ sơ bổ sung",
            Self::RequestFee { .. } => "Yêu cầu nộp phí, lệ phí",
            Self::FeePaid { .. } => "Ghi nhận nộp phí, lệ phí",
            Self::IssueApology { .. } => "Xin lỗi và hẹn lại ngày trả kết quả",
            Self::Reschedule { .. } => "Tính lại ngày hẹn trả",
            Self::Approve { .. } => "Phê duyệt",
            Self::Deny { .. } => "Từ chối giải quyết",
            Self::Stop { .. } => "Dừng xử lý",
            Self::Withdraw { .. } => "Rút hồ sơ",
            Self::ReturnResult { .. } => "Trả kết quả",
            Self::Evaluate { .. } => "Đánh giá",
        }
    }
}

/// A mark on an event that the inspection module and the dashboards read (dấu hiệu).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Second or later supplement request (legal-facts §12 items 3, 14).
    RepeatedRequest,
    /// A paper outside the published components was asked for (legal-facts §12 item 14).
    NotInPublishedProcedure,
    /// Intake guidance given more than once (hướng dẫn một lần, legal-facts §1.2).
    RepeatedGuidance,
    /// The hand-over of a step was late (quá hạn, Mẫu 05).
    StepLate,
    /// The apology was issued after the appointment had passed.
    ApologyAfterAppointment,
    /// Decided after the appointment (766 indicator 2.1: NgayKetThucXuLy > NgayHenTra).
    FinishedLate,
    /// Decided late and no apology was ever issued (legal-facts §12 item 14).
    LateWithoutApology,
}

/// What happened (sự kiện): the command as accepted, the transition, derived marks.
///
/// The store adds aggregate id, sequence, actor and hash chain (DESIGN §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// The command as accepted (a supplement request is normalised: number and mark set).
    pub command: Command,
    /// State before.
    pub from: DossierState,
    /// State after.
    pub to: DossierState,
    /// Appointment before the event, when the event changes it (apology, supplement received,
    /// reschedule): the old and new dates of the change.
    pub previous_appointment: Option<DateTime<Utc>>,
    /// Marks for inspection and dashboards.
    pub flags: Vec<Flag>,
}

impl Event {
    /// The step this event finishes (a hand-over, or a liên thông send or return that closes a
    /// step row) was judged `verdict` against its slice (Mẫu 05, TT 01/2018): a late one is
    /// marked [`Flag::StepLate`], once, so inspection finds it whichever command closed it.
    pub fn finishing_step(mut self, verdict: StepVerdict) -> Self {
        if verdict == StepVerdict::Late && !self.flags.contains(&Flag::StepLate) {
            self.flags.push(Flag::StepLate);
        }
        self
    }
}

impl Event {
    /// Event kind (e.g. `supplement_requested`).
    pub fn kind(&self) -> &'static str {
        self.command.event_kind()
    }
}

/// The current state of a dossier, folded from its events (hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Dossier {
    /// Trạng thái.
    pub state: DossierState,
    /// Mã hồ sơ, from receipt.
    pub code: Option<DossierCode>,
    /// Thời điểm tiếp nhận.
    pub received_at: Option<DateTime<Utc>>,
    /// Ngày hẹn trả kết quả in force (after supplements, apology, reschedules).
    pub appointment: Option<DateTime<Utc>>,
    /// Ngày hẹn trả printed on Mẫu 01.
    pub original_appointment: Option<DateTime<Utc>>,
    /// Steps of the pinned workflow (at least 1 once received).
    pub steps_total: u32,
    /// Current step index (0-based) while processing.
    pub step: u32,
    /// When the current step started.
    pub step_started_at: Option<DateTime<Utc>>,
    /// User id of the person holding the dossier.
    pub assignee: Option<String>,
    /// Agency holding the dossier during liên thông.
    pub partner_agency: Option<UnitCode>,
    /// Number of the partner agency's steps during liên thông (0 = the partner has no steps of
    /// its own); they are counted in `steps_total` and `step` walks through them.
    #[serde(default)]
    pub partner_steps: u32,
    /// Index (0-based) of the current step within the partner's part.
    #[serde(default)]
    pub partner_step: u32,
    /// Intake guidance given (Mẫu 02 before receipt).
    pub guidance_count: u32,
    /// Supplement requests made during processing.
    pub supplement_count: u32,
    /// Clock pauses (one per supplement request).
    pub pauses: Vec<PauseInterval>,
    /// Whether the apology (Mẫu 04) was issued.
    pub apology_issued: bool,
    /// Fees requested, đồng (fixed amounts only).
    pub fees_requested: u64,
    /// Fees paid, đồng.
    pub fees_paid: u64,
    /// The decision.
    pub decision: Option<Decision>,
    /// When it was decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// When the result was returned.
    pub returned_at: Option<DateTime<Utc>>,
    /// The applicant's evaluation.
    pub evaluation: Option<Evaluation>,
    /// Time of the last event.
    pub last_event_at: Option<DateTime<Utc>>,
}

/// Why a command was refused (lỗi chuyển trạng thái); HTTP 409 for `illegal_transition`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The command is not allowed in the current state.
    #[error("{command} is not allowed in state {from}")]
    Illegal {
        /// Current state.
        from: DossierState,
        /// Command name.
        command: &'static str,
    },
    /// The apology and new appointment may be issued once only.
    #[error("an apology was already issued for this dossier")]
    ApologyAlreadyIssued,
    /// The new appointment is not later than the current one.
    #[error("the new appointment must be later than the current one")]
    AppointmentNotLater,
    /// A second supplement request without a written reason.
    #[error("a repeated supplement request needs a written reason")]
    RepeatSupplementNeedsReason,
    /// Intake guidance given a second time without a reason.
    #[error("repeated intake guidance needs a written reason")]
    RepeatGuidanceNeedsReason,
    /// A mandatory text or list is empty.
    #[error("field {field} is required")]
    FieldRequired {
        /// Field name.
        field: &'static str,
    },
    /// Already evaluated.
    #[error("the dossier was already evaluated")]
    AlreadyEvaluated,
    /// The command's time is before the dossier's last event.
    #[error("the event time is before the dossier's last event")]
    TimeBeforeLastEvent,
}

impl TransitionError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Illegal { .. } => "illegal_transition",
            Self::ApologyAlreadyIssued => "apology_already_issued",
            Self::AppointmentNotLater => "appointment_not_later",
            Self::RepeatSupplementNeedsReason => "repeat_supplement_needs_reason",
            Self::RepeatGuidanceNeedsReason => "repeat_guidance_needs_reason",
            Self::FieldRequired { .. } => "field_required",
            Self::AlreadyEvaluated => "already_evaluated",
            Self::TimeBeforeLastEvent => "time_before_last_event",
        }
    }

    /// Message in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::Illegal { from, command } => format!(
                "Không thể thực hiện thao tác \"{command}\" khi hồ sơ ở trạng thái \"{}\".",
                from.label_vi()
            ),
            Self::ApologyAlreadyIssued => "Hồ sơ đã có văn bản xin lỗi và hẹn lại; chỉ được hẹn lại một lần.".into(),
            Self::AppointmentNotLater => "Ngày hẹn mới phải sau ngày hẹn hiện tại.".into(),
            Self::RepeatSupplementNeedsReason => {
                "Yêu cầu bổ sung lần thứ hai trở lên phải có lý do bằng văn bản.".into()
            }
            Self::RepeatGuidanceNeedsReason => {
                "Hướng dẫn hoàn thiện hồ sơ phải đầy đủ và một lần; hướng dẫn lại phải có lý do.".into()
            }
            Self::FieldRequired { field } => format!("Trường \"{field}\" không được để trống."),
            Self::AlreadyEvaluated => "Hồ sơ đã được đánh giá.".into(),
            Self::TimeBeforeLastEvent => "Thời điểm thao tác trước thao tác gần nhất của hồ sơ.".into(),
        }
    }

    /// Message in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::Illegal { from, command } => {
                format!("\"{command}\" is not allowed while the dossier is {from}.")
            }
            Self::ApologyAlreadyIssued => {
                "An apology with a new appointment was already issued; only one is allowed.".into()
            }
            Self::AppointmentNotLater => "The new appointment must be later than the current one.".into(),
            Self::RepeatSupplementNeedsReason => "A second or later supplement request needs a written reason.".into(),
            Self::RepeatGuidanceNeedsReason => {
                "Intake guidance must be complete and given once; repeating it needs a reason.".into()
            }
            Self::FieldRequired { field } => format!("The field \"{field}\" is required."),
            Self::AlreadyEvaluated => "The dossier was already evaluated.".into(),
            Self::TimeBeforeLastEvent => "The time is before the dossier's last event.".into(),
        }
    }
}

fn required(field: &'static str, s: &str) -> Result<(), TransitionError> {
    if s.trim().is_empty() {
        Err(TransitionError::FieldRequired { field })
    } else {
        Ok(())
    }
}

fn filled(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|s| !s.trim().is_empty())
}

/// Checks `cmd` against the dossier at instant `at` and returns the event it causes.
pub fn decide(d: &Dossier, cmd: &Command, at: DateTime<Utc>) -> Result<Event, TransitionError> {
    use DossierState as S;
    let s = d.state;
    let illegal = || TransitionError::Illegal {
        from: s,
        command: cmd.name(),
    };
    if d.last_event_at.is_some_and(|last| at < last) {
        return Err(TransitionError::TimeBeforeLastEvent);
    }
    let mut flags = Vec::new();
    let mut previous_appointment = None;
    let mut command = cmd.clone();
    let to = match cmd {
        Command::GuideToComplete {
            missing,
            reason,
            repeat_reason,
        } => {
            if !matches!(s, S::Submitted | S::Guided) {
                return Err(illegal());
            }
            if missing.iter().all(|m| m.trim().is_empty()) {
                return Err(TransitionError::FieldRequired { field: "missing" });
            }
            required("reason", reason)?;
            if d.guidance_count > 0 {
                if !filled(repeat_reason) {
                    return Err(TransitionError::RepeatGuidanceNeedsReason);
                }
                flags.push(Flag::RepeatedGuidance);
            }
            S::Guided
        }
        Command::RefuseAtIntake { reason } => {
            if !matches!(s, S::Submitted | S::Guided) {
                return Err(illegal());
            }
            required("reason", reason)?;
            S::NotReceived
        }
        Command::Receive { .. } => {
            if !matches!(s, S::Submitted | S::Guided) {
                return Err(illegal());
            }
            S::Received
        }
        Command::Assign { assignee } => {
            // Claim or assign after receipt; a leader may reassign at any open state (journey 3).
            if !s.is_open() {
                return Err(illegal());
            }
            required("assignee", assignee)?;
            if s == S::Received { S::Processing } else { s }
        }
        Command::HandOver { receiver, verdict } => {
            // Inside the partner's part a hand-over moves to its next step; its last step is
            // finished by ReturnFromAgency.
            let inside_partner = s == S::AtPartnerAgency && d.partner_step + 1 < d.partner_steps;
            if s != S::Processing && !inside_partner {
                return Err(illegal());
            }
            required("receiver", receiver)?;
            if *verdict == StepVerdict::Late {
                flags.push(Flag::StepLate);
            }
            if inside_partner {
                S::AtPartnerAgency
            } else if d.step + 1 >= d.steps_total.max(1) {
                S::AwaitingDecision
            } else {
                S::Processing
            }
        }
        Command::SendToAgency { steps, .. } => {
            if s != S::Processing {
                return Err(illegal());
            }
            if steps.iter().any(|st| st.name.trim().is_empty()) {
                return Err(TransitionError::FieldRequired { field: "steps" });
            }
            S::AtPartnerAgency
        }
        Command::ReturnFromAgency => {
            // With partner steps, only the partner's last step hands the dossier back (the
            // steps before it hand over inside the part), so every step row gets its hand-over.
            if s != S::AtPartnerAgency || d.partner_step + 1 < d.partner_steps {
                return Err(illegal());
            }
            if d.partner_steps > 0 && d.step + 1 >= d.steps_total {
                // The partner's part was the end of the workflow.
                S::AwaitingDecision
            } else {
                S::Processing
            }
        }
        Command::RequestSupplement(req) => {
            if s != S::Processing {
                return Err(illegal());
            }
            if req.items.is_empty() {
                return Err(TransitionError::FieldRequired { field: "items" });
            }
            required("reason", &req.reason)?;
            let repeated = d.supplement_count > 0;
            if repeated && !filled(&req.repeat_reason) {
                return Err(TransitionError::RepeatSupplementNeedsReason);
            }
            let mut req = req.clone();
            req.number = d.supplement_count + 1;
            req.repeated_request = repeated;
            if !repeated {
                req.repeat_reason = None;
            }
            for item in &mut req.items {
                if item.component_index.is_none() {
                    item.not_in_published_procedure = true;
                }
            }
            if repeated {
                flags.push(Flag::RepeatedRequest);
            }
            if req.not_in_published_procedure() {
                flags.push(Flag::NotInPublishedProcedure);
            }
            command = Command::RequestSupplement(req);
            S::AwaitingSupplement
        }
        Command::SupplementReceived { .. } => {
            if s != S::AwaitingSupplement {
                return Err(illegal());
            }
            previous_appointment = d.appointment;
            S::Processing
        }
        Command::RequestFee { items } => {
            if s != S::Processing {
                return Err(illegal());
            }
            if items.is_empty() {
                return Err(TransitionError::FieldRequired { field: "items" });
            }
            S::AwaitingFee
        }
        Command::FeePaid { receipt, .. } => {
            if !(s.is_open() || s == S::Decided) {
                return Err(illegal());
            }
            required("receipt", receipt)?;
            if s == S::AwaitingFee { S::Processing } else { s }
        }
        Command::IssueApology {
            reason,
            new_appointment,
        } => {
            if !(s.is_open() || s == S::Decided) {
                return Err(illegal());
            }
            if d.apology_issued {
                return Err(TransitionError::ApologyAlreadyIssued);
            }
            required("reason", reason)?;
            if d.appointment.is_some_and(|a| *new_appointment <= a) {
                return Err(TransitionError::AppointmentNotLater);
            }
            if d.appointment.is_some_and(|a| at > a) {
                flags.push(Flag::ApologyAfterAppointment);
            }
            previous_appointment = d.appointment;
            s
        }
        Command::Reschedule { .. } => {
            if !s.is_open() {
                return Err(illegal());
            }
            previous_appointment = d.appointment;
            s
        }
        Command::Approve { number, .. } => {
            if !matches!(s, S::Processing | S::AwaitingDecision) {
                return Err(illegal());
            }
            required("number", number)?;
            finish_flags(d, at, &mut flags);
            S::Decided
        }
        Command::Deny { reason } => {
            if !matches!(s, S::Processing | S::AwaitingDecision) {
                return Err(illegal());
            }
            required("reason", reason)?;
            finish_flags(d, at, &mut flags);
            S::Decided
        }
        Command::Stop { reason } => {
            if !s.is_open() {
                return Err(illegal());
            }
            required("reason", reason)?;
            S::Stopped
        }
        Command::Withdraw { reason } => {
            if !(s.is_open() || matches!(s, S::Submitted | S::Guided)) {
                return Err(illegal());
            }
            required("reason", reason)?;
            S::Withdrawn
        }
        Command::ReturnResult { method } => {
            if s != S::Decided || d.decision.is_none() {
                return Err(illegal());
            }
            match method {
                ReturnMethod::Counter { received_by } => required("received_by", received_by)?,
                ReturnMethod::Post { tracking } => required("tracking", tracking)?,
                ReturnMethod::Electronic => {}
            }
            S::Returned
        }
        Command::Evaluate { .. } => {
            if s != S::Returned {
                return Err(illegal());
            }
            if d.evaluation.is_some() {
                return Err(TransitionError::AlreadyEvaluated);
            }
            S::Returned
        }
    };
    Ok(Event {
        at,
        command,
        from: s,
        to,
        previous_appointment,
        flags,
    })
}

/// 766 indicator 2.1: finished after the appointment is late; late without any apology is a
/// finding (legal-facts §12 item 14).
fn finish_flags(d: &Dossier, at: DateTime<Utc>, flags: &mut Vec<Flag>) {
    if d.appointment.is_some_and(|a| at > a) {
        flags.push(Flag::FinishedLate);
        if !d.apology_issued {
            flags.push(Flag::LateWithoutApology);
        }
    }
}

impl Dossier {
    /// Folds an event into the state (infallible: events in the log were accepted by
    /// [`decide`]).
    pub fn evolve(&mut self, e: &Event) {
        self.state = e.to;
        self.last_event_at = Some(e.at);
        match &e.command {
            Command::GuideToComplete { .. } => self.guidance_count += 1,
            Command::RefuseAtIntake { .. } => {}
            Command::ReturnFromAgency => {
                self.partner_agency = None;
                if self.partner_steps > 0 {
                    // The partner's last step is finished; the sender's next step starts and
                    // waits for its unit to assign or claim it.
                    if e.to == DossierState::Processing {
                        self.step += 1;
                        self.step_started_at = Some(e.at);
                    } else {
                        self.step_started_at = None;
                    }
                    self.assignee = None;
                }
                self.partner_steps = 0;
                self.partner_step = 0;
            }
            Command::Receive {
                code,
                appointment,
                steps,
            } => {
                self.code = Some(code.clone());
                self.received_at = Some(e.at);
                self.appointment = Some(*appointment);
                self.original_appointment = Some(*appointment);
                self.steps_total = (*steps).max(1);
                self.step = 0;
            }
            Command::Assign { assignee } => {
                if e.from == DossierState::Received {
                    self.step_started_at = Some(e.at);
                }
                self.assignee = Some(assignee.clone());
            }
            Command::HandOver { receiver, .. } => {
                if e.from == DossierState::AtPartnerAgency {
                    self.partner_step += 1;
                }
                if matches!(e.to, DossierState::Processing | DossierState::AtPartnerAgency) {
                    self.step += 1;
                    self.step_started_at = Some(e.at);
                } else {
                    self.step_started_at = None;
                }
                self.assignee = Some(receiver.clone());
            }
            Command::SendToAgency { agency, steps } => {
                self.partner_agency = Some(agency.clone());
                if !steps.is_empty() {
                    // The send finishes the sender's step; the partner's first step starts and
                    // waits for the partner to assign or claim it.
                    let n = steps.len() as u32;
                    self.steps_total += n;
                    self.step += 1;
                    self.partner_steps = n;
                    self.partner_step = 0;
                    self.step_started_at = Some(e.at);
                    self.assignee = None;
                }
            }
            Command::RequestSupplement(_) => {
                self.supplement_count += 1;
                self.pauses.push(PauseInterval { from: e.at, to: None });
            }
            Command::SupplementReceived { appointment } => {
                self.close_pause(e.at);
                self.appointment = Some(*appointment);
            }
            Command::RequestFee { items } => {
                let sum = items.iter().filter_map(|f| f.amount).fold(0u64, u64::saturating_add);
                self.fees_requested = self.fees_requested.saturating_add(sum);
            }
            Command::FeePaid { amount, .. } => self.fees_paid = self.fees_paid.saturating_add(*amount),
            Command::IssueApology { new_appointment, .. } => {
                self.apology_issued = true;
                self.appointment = Some(*new_appointment);
            }
            Command::Reschedule { appointment, .. } => self.appointment = Some(*appointment),
            Command::Approve { number, date } => {
                self.decision = Some(Decision::Approved {
                    number: number.clone(),
                    date: *date,
                });
                self.decided_at = Some(e.at);
            }
            Command::Deny { reason } => {
                self.decision = Some(Decision::Denied { reason: reason.clone() });
                self.decided_at = Some(e.at);
            }
            Command::Stop { .. } | Command::Withdraw { .. } => self.close_pause(e.at),
            Command::ReturnResult { .. } => self.returned_at = Some(e.at),
            Command::Evaluate { scores } => self.evaluation = Some(*scores),
        }
    }

    fn close_pause(&mut self, at: DateTime<Utc>) {
        if let Some(p) = self.pauses.last_mut()
            && p.to.is_none()
        {
            p.to = Some(at);
        }
    }

    /// Rebuilds a dossier from its events, in order.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> Self {
        let mut d = Self::default();
        for e in events {
            d.evolve(e);
        }
        d
    }

    /// National status code TrangThaiHoSo (1–10) of the current state.
    pub fn national_status(&self) -> u8 {
        self.state.national_status()
    }

    /// Times the applicant had to come back to complete the dossier (TT 01/2018 Chỉ số 3):
    /// intake guidance plus supplement requests.
    pub fn return_visits(&self) -> u32 {
        self.guidance_count + self.supplement_count
    }
}

/// [`decide`] then [`Dossier::evolve`]: the new state and the event to append.
pub fn apply(d: &Dossier, cmd: &Command, at: DateTime<Utc>) -> Result<(Dossier, Event), TransitionError> {
    let e = decide(d, cmd, at)?;
    let mut next = d.clone();
    next.evolve(&e);
    Ok((next, e))
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
