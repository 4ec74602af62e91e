//! What each form shows (nội dung biểu mẫu): plain data, serialised to JSON for the templates.
//!
//! Dates and times are local (UTC+7) wall-clock values. They are serialised as small objects
//! already written out in Vietnamese (see [`dates`]), so templates never parse dates. Labels that
//! the core defines (step verdicts) are serialised as the core's own label.

use chrono::{NaiveDate, NaiveDateTime};
use motcua_core::catalog::CopyType;
use motcua_core::dossiers::{Applicant, ChecklistItem, FormKind, RequestedItem, StepVerdict, SupplementRequest};
use serde::Serialize;

/// Who issues the form (cơ quan, đơn vị): the two lines at the top left, and the place and date
/// at the top right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issuer {
    /// Cơ quan chủ quản, e.g. `UBND TỈNH QUẢNG TRỊ` (printed upper case).
    pub agency: String,
    /// Đơn vị lập phiếu (the one-stop unit or the handling agency), e.g.
    /// `Trung tâm Phục vụ hành chính công tỉnh` (printed upper case, bold).
    pub unit: String,
    /// Địa danh, e.g. `Đồng Hới`.
    pub place: String,
    /// Ngày lập.
    #[serde(serialize_with = "dates::date")]
    pub date: NaiveDate,
}

/// The applicant as printed (tổ chức, cá nhân nộp hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ApplicantInfo {
    /// Họ tên, or the organisation's name.
    pub name: String,
    /// Địa chỉ.
    pub address: Option<String>,
    /// Số điện thoại.
    pub phone: Option<String>,
    /// Email.
    pub email: Option<String>,
}

impl From<&Applicant> for ApplicantInfo {
    fn from(a: &Applicant) -> Self {
        match a {
            Applicant::Person(p) => Self {
                name: p.full_name.clone(),
                address: p.address.clone(),
                phone: Some(p.phone.clone()),
                email: p.email.clone(),
            },
            Applicant::Organisation(o) => Self {
                name: format!("{} (người đại diện: {})", o.name, o.representative),
                address: o.address.clone(),
                phone: Some(o.phone.clone()),
                email: o.email.clone(),
            },
        }
    }
}

/// Who signs (người ký): a title such as `GIÁM ĐỐC` and a full name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Signer {
    /// Chức danh (printed upper case, bold).
    pub title: String,
    /// Họ và tên.
    pub name: String,
}

/// One paper received (thành phần hồ sơ đã nhận), Mẫu 01.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceivedComponent {
    /// Tên giấy tờ.
    pub name: String,
    /// Loại bản.
    #[serde(serialize_with = "labels::copy_type")]
    pub copy_type: CopyType,
    /// Số lượng.
    pub quantity: u32,
}

impl From<&ChecklistItem> for ReceivedComponent {
    fn from(c: &ChecklistItem) -> Self {
        Self {
            name: c.name.clone(),
            copy_type: c.copy_type,
            quantity: c.quantity,
        }
    }
}

/// Mẫu 01: giấy tiếp nhận hồ sơ và hẹn trả kết quả.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptData {
    /// Issuing agency and one-stop unit.
    pub issuer: Issuer,
    /// Mã hồ sơ.
    pub dossier_code: String,
    /// Nội dung yêu cầu giải quyết: the procedure's name.
    pub procedure_name: String,
    /// Người nộp.
    pub applicant: ApplicantInfo,
    /// Thành phần hồ sơ.
    pub components: Vec<ReceivedComponent>,
    /// Số lượng hồ sơ (bộ).
    pub sets: u32,
    /// Thời gian giải quyết theo quy định, in words, e.g. `05 ngày làm việc`.
    pub processing_time: Option<String>,
    /// Thời gian nhận hồ sơ.
    #[serde(serialize_with = "dates::date_time")]
    pub received_at: NaiveDateTime,
    /// Thời gian trả kết quả (appointment).
    #[serde(serialize_with = "dates::date_time")]
    pub appointment_at: NaiveDateTime,
    /// Đăng ký nhận kết quả tại (counter, postal address or electronic).
    pub return_place: String,
    /// Phí, lệ phí, in words, if any.
    pub fees: Option<String>,
    /// Sổ theo dõi hồ sơ: quyển số.
    pub ledger_book: Option<String>,
    /// Sổ theo dõi hồ sơ: số thứ tự.
    pub ledger_entry: Option<String>,
    /// Người tiếp nhận hồ sơ (full name).
    pub clerk: String,
}

/// One paper to add or correct, as printed for the citizen (Mẫu 02).
///
/// The inspection mark "not in the published procedure" is deliberately absent: it is an
/// internal mark and is never printed. An item outside the published list carries its
/// justification, which is printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupplementItem {
    /// Giấy tờ cần bổ sung, hoàn thiện.
    pub name: String,
    /// What to add or correct on a published component.
    pub note: Option<String>,
    /// Căn cứ yêu cầu, for a paper outside the published components.
    pub justification: Option<String>,
}

impl From<&RequestedItem> for SupplementItem {
    fn from(i: &RequestedItem) -> Self {
        if i.not_in_published_procedure {
            Self {
                name: i.name.clone(),
                note: None,
                justification: i.note.clone(),
            }
        } else {
            Self {
                name: i.name.clone(),
                note: i.note.clone(),
                justification: None,
            }
        }
    }
}

/// Mẫu 02: phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupplementData {
    /// Issuing agency and unit.
    pub issuer: Issuer,
    /// Số phiếu (printed `Số: …/HDHS`).
    pub number: Option<String>,
    /// Mã hồ sơ, when the dossier was already received (request during processing).
    pub dossier_code: Option<String>,
    /// Nội dung yêu cầu giải quyết.
    pub procedure_name: String,
    /// Người nộp.
    pub applicant: ApplicantInfo,
    /// The papers to add or correct.
    pub items: Vec<SupplementItem>,
    /// Lý do.
    pub reason: String,
    /// Where the published procedure can be read (e.g. the portal's address).
    pub published_at: Option<String>,
    /// Officer to contact with questions.
    pub contact_name: Option<String>,
    /// Their phone number.
    pub contact_phone: Option<String>,
    /// Người hướng dẫn (full name).
    pub guide: String,
}

impl SupplementData {
    /// The printed items of a validated request (the inspection marks are dropped).
    pub fn items_of(request: &SupplementRequest) -> Vec<SupplementItem> {
        request.items.iter().map(SupplementItem::from).collect()
    }
}

/// Mẫu 03: phiếu từ chối tiếp nhận giải quyết hồ sơ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusalData {
    /// Issuing agency and unit.
    pub issuer: Issuer,
    /// Số phiếu, if numbered.
    pub number: Option<String>,
    /// Mã hồ sơ, if one was given.
    pub dossier_code: Option<String>,
    /// Nội dung yêu cầu giải quyết.
    pub procedure_name: String,
    /// Người nộp.
    pub applicant: ApplicantInfo,
    /// Lý do từ chối.
    pub reason: String,
    /// Người ký (usually the receiving officer).
    pub signer: Signer,
}

/// Mẫu 04: phiếu xin lỗi và hẹn lại ngày trả kết quả (TT 01/2018), or văn bản xin lỗi và đề
/// nghị gia hạn thời gian giải quyết (TT 03/2025).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApologyData {
    /// The agency responsible for the delay.
    pub issuer: Issuer,
    /// Số văn bản, if numbered.
    pub number: Option<String>,
    /// Mã hồ sơ.
    pub dossier_code: String,
    /// Tên thủ tục hành chính.
    pub procedure_name: String,
    /// Kính gửi.
    pub applicant: ApplicantInfo,
    /// Ngày tiếp nhận.
    #[serde(serialize_with = "dates::date_time")]
    pub received_at: NaiveDateTime,
    /// The appointment that will be missed.
    #[serde(serialize_with = "dates::date_time")]
    pub old_appointment_at: NaiveDateTime,
    /// The new appointment (hẹn lại / gia hạn đến).
    #[serde(serialize_with = "dates::date_time")]
    pub new_appointment_at: NaiveDateTime,
    /// Lý do chậm trễ.
    pub reason: String,
    /// Head of the agency at fault.
    pub signer: Signer,
}

/// TT 03/2025 Mẫu 05: thông báo dừng giải quyết hồ sơ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StopNoticeData {
    /// The agency that stops processing.
    pub issuer: Issuer,
    /// Số văn bản, if numbered.
    pub number: Option<String>,
    /// Mã hồ sơ.
    pub dossier_code: String,
    /// Tên thủ tục hành chính.
    pub procedure_name: String,
    /// Kính gửi.
    pub applicant: ApplicantInfo,
    /// Ngày tiếp nhận.
    #[serde(serialize_with = "dates::date_time")]
    pub received_at: NaiveDateTime,
    /// Căn cứ (legal basis), if cited.
    pub legal_basis: Option<String>,
    /// Lý do dừng giải quyết.
    pub reason: String,
    /// Người ký.
    pub signer: Signer,
}

/// One hand-over on the control slip (một lần giao, nhận hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlSlipRow {
    /// The step or the receiving agency/unit, e.g. `Phòng Tư pháp – thẩm định`.
    pub step: String,
    /// Người giao.
    pub giver: String,
    /// Người nhận.
    pub receiver: String,
    /// Thời gian giao, nhận.
    #[serde(serialize_with = "dates::date_time")]
    pub handed_over_at: NaiveDateTime,
    /// Kết quả: trước hạn / đúng hạn / quá hạn; `None` while the step is open.
    #[serde(serialize_with = "labels::verdict")]
    pub verdict: Option<StepVerdict>,
    /// Ghi chú.
    pub note: Option<String>,
}

/// Mẫu 05 (TT 01/2018) / Mẫu 06 (TT 03/2025): phiếu kiểm soát quá trình giải quyết hồ sơ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlSlipData {
    /// Issuing agency and unit.
    pub issuer: Issuer,
    /// Mã hồ sơ.
    pub dossier_code: String,
    /// Kèm theo hồ sơ của.
    pub applicant: ApplicantInfo,
    /// Nội dung yêu cầu giải quyết.
    pub procedure_name: String,
    /// Ngày nhận hồ sơ.
    #[serde(serialize_with = "dates::date_time")]
    pub received_at: NaiveDateTime,
    /// Ngày hẹn trả kết quả.
    #[serde(serialize_with = "dates::date_time")]
    pub appointment_at: NaiveDateTime,
    /// Cơ quan (bộ phận) giải quyết hồ sơ.
    pub lead_agency: String,
    /// Cơ quan phối hợp giải quyết hồ sơ.
    pub cooperating_agencies: Option<String>,
    /// The hand-overs in order.
    pub rows: Vec<ControlSlipRow>,
}

/// One dossier in the tracking ledger (một dòng sổ theo dõi).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerRow {
    /// Mã hồ sơ.
    pub dossier_code: String,
    /// Tên thủ tục hành chính.
    pub procedure_name: String,
    /// Số lượng hồ sơ (bộ).
    pub sets: u32,
    /// Tên cá nhân, tổ chức.
    pub applicant_name: String,
    /// Địa chỉ, số điện thoại.
    pub applicant_contact: Option<String>,
    /// Cơ quan chủ trì giải quyết.
    pub lead_agency: Option<String>,
    /// Nhận hồ sơ.
    #[serde(serialize_with = "dates::date_time")]
    pub received_at: NaiveDateTime,
    /// Hẹn trả kết quả.
    #[serde(serialize_with = "dates::opt_date_time")]
    pub appointment_at: Option<NaiveDateTime>,
    /// Chuyển hồ sơ đến cơ quan giải quyết.
    #[serde(serialize_with = "dates::opt_date_time")]
    pub sent_at: Option<NaiveDateTime>,
    /// Nhận kết quả từ cơ quan giải quyết.
    #[serde(serialize_with = "dates::opt_date_time")]
    pub result_received_at: Option<NaiveDateTime>,
    /// Trả kết quả cho tổ chức, cá nhân.
    #[serde(serialize_with = "dates::opt_date_time")]
    pub returned_at: Option<NaiveDateTime>,
    /// Ghi chú.
    pub note: Option<String>,
}

/// Mẫu 06 (TT 01/2018) / Mẫu 07 (TT 03/2025): sổ theo dõi hồ sơ for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerData {
    /// Issuing agency and unit.
    pub issuer: Issuer,
    /// Quyển số, if any.
    pub book: Option<String>,
    /// First day of the period.
    #[serde(serialize_with = "dates::date")]
    pub from: NaiveDate,
    /// Last day of the period.
    #[serde(serialize_with = "dates::date")]
    pub to: NaiveDate,
    /// One row per dossier.
    pub rows: Vec<LedgerRow>,
}

/// The content of one form; its variant decides which form is printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum FormData {
    /// Mẫu 01.
    Receipt(ReceiptData),
    /// Mẫu 02.
    SupplementRequest(SupplementData),
    /// Mẫu 03.
    Refusal(RefusalData),
    /// Mẫu 04.
    Apology(ApologyData),
    /// TT 03/2025 Mẫu 05.
    StopNotice(StopNoticeData),
    /// Mẫu 05 / 06.
    ControlSlip(ControlSlipData),
    /// Mẫu 06 / 07.
    Ledger(LedgerData),
}

impl FormData {
    /// Which form this content is for.
    pub fn kind(&self) -> FormKind {
        match self {
            Self::Receipt(_) => FormKind::Receipt,
            Self::SupplementRequest(_) => FormKind::SupplementRequest,
            Self::Refusal(_) => FormKind::Refusal,
            Self::Apology(_) => FormKind::Apology,
            Self::StopNotice(_) => FormKind::StopNotice,
            Self::ControlSlip(_) => FormKind::ControlSlip,
            Self::Ledger(_) => FormKind::Ledger,
        }
    }

    /// Number of table rows, for the size limit.
    pub(crate) fn rows(&self) -> usize {
        match self {
            Self::Receipt(d) => d.components.len(),
            Self::SupplementRequest(d) => d.items.len(),
            Self::ControlSlip(d) => d.rows.len(),
            Self::Ledger(d) => d.rows.len(),
            Self::Refusal(_) | Self::Apology(_) | Self::StopNotice(_) => 0,
        }
    }
}

/// Dates written out in Vietnamese for the templates.
///
/// A date becomes `{"short": "27/11/2026", "long": "ngày 27 tháng 11 năm 2026"}`; a date and
/// time becomes `{"short": "14:30 27/11/2026", "long": "14 giờ 30 phút, ngày 27 tháng 11 năm
/// 2026", "date": "27/11/2026", "time": "14:30"}`; a missing one becomes `none`.
pub mod dates {
    use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
    use serde::ser::{SerializeMap, Serializer};

    /// `27/11/2026`.
    pub fn short_date(d: NaiveDate) -> String {
        format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())
    }

    /// `ngày 27 tháng 11 năm 2026`.
    pub fn long_date(d: NaiveDate) -> String {
        format!("ngày {:02} tháng {:02} năm {:04}", d.day(), d.month(), d.year())
    }

    /// `14 giờ 30 phút, ngày 27 tháng 11 năm 2026`.
    pub fn long_date_time(t: NaiveDateTime) -> String {
        format!("{:02} giờ {:02} phút, {}", t.hour(), t.minute(), long_date(t.date()))
    }

    pub(super) fn date<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("short", &short_date(*d))?;
        m.serialize_entry("long", &long_date(*d))?;
        m.end()
    }

    pub(super) fn date_time<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        let time = format!("{:02}:{:02}", t.hour(), t.minute());
        let day = short_date(t.date());
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("short", &format!("{time} {day}"))?;
        m.serialize_entry("long", &long_date_time(*t))?;
        m.serialize_entry("date", &day)?;
        m.serialize_entry("time", &time)?;
        m.end()
    }

    pub(super) fn opt_date_time<S: Serializer>(t: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => date_time(t, s),
            None => s.serialize_none(),
        }
    }
}

/// Labels printed for core enums.
mod labels {
    use motcua_core::catalog::CopyType;
    use motcua_core::dossiers::StepVerdict;
    use serde::Serializer;

    pub(super) fn copy_type<S: Serializer>(c: &CopyType, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match c {
            CopyType::Original => "Bản chính",
            CopyType::Copy => "Bản sao",
            CopyType::CertifiedCopy => "Bản sao chứng thực",
            CopyType::Electronic => "Bản điện tử",
        })
    }

    pub(super) fn verdict<S: Serializer>(v: &Option<StepVerdict>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(v.label_vi()),
            None => s.serialize_none(),
        }
    }
}
