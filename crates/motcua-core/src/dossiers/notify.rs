//! E-mail notifications to the applicant (thông báo cho người nộp hồ sơ qua thư điện tử), issue 5
//! item 15: which dossier events notify, and the message text — Vietnamese first, English below.
//!
//! Pure: the store calls [`applicant_mail`] inside the unit of work that writes the event and
//! queues the answer in the outbox; a worker delivers it. Nothing here reads a clock: every time
//! shown comes from the event.
//!
//! Events that notify: receipt (Mẫu 01 facts: code, appointment), supplement request (the papers
//! and the reason; the clock is paused), apology with the new appointment (Mẫu 04), and the
//! result — approved, denied, returned. Intake guidance and refusal are handed over in person
//! (Mẫu 02, 03) before any code exists, so they do not mail.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::applicant::Applicant;
use super::state::{Command, Event, ReturnMethod};
use crate::calendar::vn_offset;

/// Why a message is sent (loại thông báo); stable snake_case names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// Đã tiếp nhận hồ sơ.
    Received,
    /// Yêu cầu bổ sung hồ sơ.
    SupplementRequested,
    /// Xin lỗi và hẹn lại ngày trả kết quả.
    ApologyIssued,
    /// Hồ sơ được phê duyệt.
    Approved,
    /// Từ chối giải quyết.
    Denied,
    /// Đã trả kết quả.
    ResultReturned,
}

impl MailKind {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::SupplementRequested => "supplement_requested",
            Self::ApologyIssued => "apology_issued",
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::ResultReturned => "result_returned",
        }
    }
}

/// What the message needs beyond the event: the dossier's code, procedure and applicant.
#[derive(Debug, Clone, Copy)]
pub struct MailFacts<'a> {
    /// Mã hồ sơ (`None` before receipt; the receipt event carries it).
    pub dossier_code: Option<&'a str>,
    /// Tên thủ tục hành chính (of the pinned version).
    pub procedure_name: &'a str,
    /// Người nộp hồ sơ.
    pub applicant: &'a Applicant,
}

/// A message to the applicant (thư thông báo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    /// Recipient address (the applicant's e-mail, trimmed).
    pub to: String,
    /// Recipient's name.
    pub to_name: String,
    pub kind: MailKind,
    /// One line, Vietnamese then English.
    pub subject: String,
    /// Plain text: the Vietnamese text, a separator, the English text.
    pub body: String,
}

fn email_of(a: &Applicant) -> Option<&str> {
    let e = match a {
        Applicant::Person(p) => p.email.as_deref(),
        Applicant::Organisation(o) => o.email.as_deref(),
    };
    e.map(str::trim).filter(|e| !e.is_empty())
}

/// One line: control characters (a line break in a procedure name) become spaces, so a subject
/// can never carry a second header.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn when_vi(t: DateTime<Utc>) -> String {
    t.with_timezone(&vn_offset()).format("%H:%M ngày %d/%m/%Y").to_string()
}

fn when_en(t: DateTime<Utc>) -> String {
    t.with_timezone(&vn_offset())
        .format("%d/%m/%Y %H:%M (UTC+7)")
        .to_string()
}

fn day(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

const SIGN_OFF_VI: &str = "Đây là thư tự động của Bộ phận Một cửa; vui lòng không trả lời thư này. \
Ông/Bà có thể tra cứu tình trạng hồ sơ bằng mã hồ sơ cùng số điện thoại hoặc số căn cước công dân \
(mã số thuế đối với tổ chức).";
const SIGN_OFF_EN: &str = "This is an automatic message from the one-stop desk; please do not reply. \
You can look up the dossier with its code and your phone number or citizen ID (tax code for an \
organisation).";

/// The message for the applicant about `event`, or `None` when the event does not notify or
/// the applicant gave no e-mail address.
pub fn applicant_mail(event: &Event, facts: &MailFacts<'_>) -> Option<Mail> {
    let to = email_of(facts.applicant)?.to_owned();
    let name = one_line(facts.applicant.name());
    let code = match &event.command {
        Command::Receive { code, .. } => code.to_string(),
        _ => facts.dossier_code.map(str::to_owned).unwrap_or_default(),
    };
    let procedure = one_line(facts.procedure_name);
    // Each arm: kind, Vietnamese subject tail, English subject tail, Vietnamese lines, English lines.
    let (kind, subj_vi, subj_en, vi, en): (MailKind, &str, &str, Vec<String>, Vec<String>) = match &event.command {
        Command::Receive { appointment, .. } => (
            MailKind::Received,
            "đã được tiếp nhận",
            "received",
            vec![
                "Hồ sơ của Ông/Bà đã được tiếp nhận.".into(),
                format!("Thời điểm tiếp nhận: {}", when_vi(event.at)),
                format!("Ngày hẹn trả kết quả: {}", when_vi(*appointment)),
            ],
            vec![
                "Your dossier has been received.".into(),
                format!("Received: {}", when_en(event.at)),
                format!("Result due: {}", when_en(*appointment)),
            ],
        ),
        Command::RequestSupplement(req) => {
            let items_vi: Vec<String> = req
                .items
                .iter()
                .map(|i| match &i.note {
                    Some(n) if !n.trim().is_empty() => format!("  - {} ({})", one_line(&i.name), one_line(n)),
                    _ => format!("  - {}", one_line(&i.name)),
                })
                .collect();
            let mut vi = vec![if req.number > 1 {
                format!(
                    "Cơ quan giải quyết yêu cầu Ông/Bà bổ sung, hoàn thiện hồ sơ (lần thứ {}).",
                    req.number
                )
            } else {
                "Cơ quan giải quyết yêu cầu Ông/Bà bổ sung, hoàn thiện hồ sơ.".into()
            }];
            vi.push("Giấy tờ cần bổ sung:".into());
            vi.extend(items_vi.iter().cloned());
            vi.push(format!("Lý do: {}", one_line(&req.reason)));
            vi.push("Thời hạn giải quyết tạm dừng cho đến khi nhận đủ hồ sơ bổ sung.".into());
            let mut en = vec![if req.number > 1 {
                format!(
                    "The agency asks you to supplement your dossier (request number {}).",
                    req.number
                )
            } else {
                "The agency asks you to supplement your dossier.".into()
            }];
            en.push("Papers to bring:".into());
            en.extend(items_vi);
            en.push(format!("Reason: {}", one_line(&req.reason)));
            en.push("The processing time is paused until the supplement arrives.".into());
            (
                MailKind::SupplementRequested,
                "yêu cầu bổ sung hồ sơ",
                "supplement requested",
                vi,
                en,
            )
        }
        Command::IssueApology {
            reason,
            new_appointment,
        } => {
            let mut vi = vec![
                "Cơ quan giải quyết thành thật xin lỗi Ông/Bà vì hồ sơ chưa được giải quyết đúng hẹn.".into(),
                format!("Lý do: {}", one_line(reason)),
            ];
            let mut en = vec![
                "The agency sincerely apologises: your dossier could not be settled by the date promised.".into(),
                format!("Reason: {}", one_line(reason)),
            ];
            if let Some(old) = event.previous_appointment {
                vi.push(format!("Ngày hẹn cũ: {}", when_vi(old)));
                en.push(format!("Previous date: {}", when_en(old)));
            }
            vi.push(format!("Ngày hẹn trả kết quả mới: {}", when_vi(*new_appointment)));
            en.push(format!("New date for the result: {}", when_en(*new_appointment)));
            (
                MailKind::ApologyIssued,
                "xin lỗi và hẹn lại ngày trả kết quả",
                "apology and new date",
                vi,
                en,
            )
        }
        Command::Approve { number, date } => (
            MailKind::Approved,
            "đã có kết quả giải quyết",
            "approved",
            vec![
                "Hồ sơ của Ông/Bà đã được giải quyết.".into(),
                format!("Văn bản kết quả: số {} ngày {}", one_line(number), day(*date)),
                "Kết quả sẽ được trả theo hình thức Ông/Bà đã đăng ký.".into(),
            ],
            vec![
                "Your dossier has been approved.".into(),
                format!("Result document: No. {} of {}", one_line(number), day(*date)),
                "The result will be returned the way you chose.".into(),
            ],
        ),
        Command::Deny { reason } => (
            MailKind::Denied,
            "từ chối giải quyết",
            "denied",
            vec![
                "Cơ quan giải quyết từ chối giải quyết hồ sơ của Ông/Bà.".into(),
                format!("Lý do: {}", one_line(reason)),
            ],
            vec![
                "The agency has denied your dossier.".into(),
                format!("Reason: {}", one_line(reason)),
            ],
        ),
        Command::ReturnResult { method } => {
            let (how_vi, how_en) = match method {
                ReturnMethod::Counter { received_by } => (
                    format!("tại Bộ phận Một cửa, người nhận: {}", one_line(received_by)),
                    format!("at the one-stop desk, received by {}", one_line(received_by)),
                ),
                ReturnMethod::Post { tracking } => (
                    format!(
                        "qua dịch vụ bưu chính công ích, số hiệu bưu gửi: {}",
                        one_line(tracking)
                    ),
                    format!("by public postal service, tracking number {}", one_line(tracking)),
                ),
                ReturnMethod::Electronic => ("trực tuyến".into(), "electronically".into()),
            };
            (
                MailKind::ResultReturned,
                "đã trả kết quả",
                "result returned",
                vec![
                    format!("Kết quả giải quyết hồ sơ đã được trả {how_vi}."),
                    format!("Thời điểm trả: {}", when_vi(event.at)),
                    "Mời Ông/Bà đánh giá mức độ hài lòng khi tra cứu hồ sơ.".into(),
                ],
                vec![
                    format!("The result of your dossier was returned {how_en}."),
                    format!("Returned: {}", when_en(event.at)),
                    "You are welcome to rate the service when you look the dossier up.".into(),
                ],
            )
        }
        _ => return None,
    };
    let subject = format!("Hồ sơ {code}: {subj_vi} / Dossier {code}: {subj_en}");
    let mut body = String::new();
    body.push_str(&format!("Kính gửi {name},\n\n"));
    for l in &vi {
        body.push_str(l);
        body.push('\n');
    }
    body.push_str(&format!("\nMã hồ sơ: {code}\nThủ tục: {procedure}\n\n{SIGN_OFF_VI}\n"));
    body.push_str("\n----------------------------------------\n\n");
    body.push_str(&format!("Dear {name},\n\n"));
    for l in &en {
        body.push_str(l);
        body.push('\n');
    }
    body.push_str(&format!(
        "\nDossier code: {code}\nProcedure: {procedure}\n\n{SIGN_OFF_EN}\n"
    ));
    Some(Mail {
        to,
        to_name: name,
        kind,
        subject: one_line(&subject),
        body,
    })
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod tests;
