//! Dossier processing (giải quyết hồ sơ thủ tục hành chính) under the one-stop mechanism (cơ chế
//! một cửa, một cửa liên thông): NĐ 61/2018/NĐ-CP as amended by NĐ 107/2021/NĐ-CP, NĐ
//! 118/2025/NĐ-CP from 1 July 2025, and the forms of TT 01/2018/TT-VPCP and TT 03/2025/TT-VPCP
//! (legal-facts §0, §1, §2, §8, §12 items 1–6 and 14; DESIGN §6).
//!
//! The functional core only: pure functions, no I/O, no clock. Every instant is a parameter
//! (`DateTime<Utc>` for events, UTC+7 for working-day arithmetic through the calendar).
//!
//! * [`state`] — the state machine: [`Dossier`] (the folded current state), [`DossierState`]
//!   with its national status code (TrangThaiHoSo 1–10), [`Command`], [`Event`], [`decide`],
//!   [`Dossier::evolve`] and [`apply`]; [`TransitionError`].
//! * [`code`](mod@code) — [`DossierCode`] (mã hồ sơ) `000.00.15.H50-261127-0001`.
//! * [`deadline`] — appointment date (ngày hẹn trả), per-step slice deadlines, pauses while a
//!   supplement is awaited, near-due window, hand-over verdicts of Mẫu 05 ([`DeadlineRules`]).
//! * [`supplement`] — supplement requests (yêu cầu bổ sung hồ sơ) with the "not in the
//!   published procedure" and "repeated request" marks.
//! * [`intake`] — the completeness checklist (kiểm tra thành phần hồ sơ) and the fees due.
//! * [`forms`] — which official forms apply by receipt date ([`FormSet::for_receipt`]).
//! * [`evaluation`] — the nine indices of TT 01/2018 Điều 13 ([`Evaluation`]).
//! * [`notify`] — which events e-mail the applicant, and the message text ([`applicant_mail`]).
//! * [`permission`] — which roles (and units) may run which command.
//! * [`applicant`] — the applicant (người nộp hồ sơ): person or organisation, validated.
//! * [`DossierError`] — validation errors of the inputs above (code, Vietnamese, English).

pub mod applicant;
pub mod code;
pub mod deadline;
mod error;
pub mod evaluation;
pub mod forms;
pub mod intake;
pub mod notify;
pub mod permission;
pub mod state;
pub mod supplement;

pub use applicant::{Applicant, ApplicantProblem, Organisation, Person, normalize_phone};
pub use code::DossierCode;
pub use deadline::{
    Appointment, DeadlineRules, PauseRule, StepVerdict, Urgency, VerdictRule, appointment, extended_due,
    planned_step_deadlines, step_due, step_verdict, urgency, verdict_against,
};
pub use error::DossierError;
pub use evaluation::{Evaluation, Indicator, return_visits_score, time_score};
pub use forms::{FormKind, FormRegime, FormRules, FormSet, OfficialForm, Paper};
pub use intake::{Checklist, ChecklistItem, FeeLine, MissingComponent, checklist};
pub use notify::{Mail, MailFacts, MailKind, applicant_mail};
pub use state::{
    Command, Decision, Dossier, DossierState, Event, Flag, PauseInterval, ReturnMethod, TransitionError, apply, decide,
};
pub use supplement::{ComponentRef, RequestedItem, SupplementDraft, SupplementItemDraft, SupplementRequest};

#[cfg(test)]
#[path = "fixtures_tests.rs"]
pub(crate) mod fixtures;
