//! The procedure version record (phiên bản thủ tục hành chính) and its checks.
//!
//! The record holds every part a published TTHC must have under NĐ 63/2010/NĐ-CP Điều 8 khoản 2
//! (legal-facts §5.2): a) tên, b) trình tự thực hiện, c) cách thức thực hiện, d) hồ sơ,
//! đ) thời hạn giải quyết, e) đối tượng thực hiện, g) cơ quan thực hiện, h) kết quả, i) mẫu đơn,
//! mẫu tờ khai, mẫu kết quả, yêu cầu điều kiện, phí lệ phí — plus the fields of the national
//! database record (legal-facts §12 item 8): legal basis, national and applied codes, field,
//! level, units, online level (NĐ 42/2022/NĐ-CP) and eligibility for full online service.
//!
//! Time limit and fees are **per channel** (kênh thực hiện 1/2/3), because an online dossier may
//! have a shorter limit or a lower fee than one submitted at the counter.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::codes::{AppliedCode, NationalCode};
use super::problem::Problem;
use crate::calendar::Duration;
use crate::identity::UnitCode;

/// Administrative level that carries out the procedure (cấp thực hiện).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Cấp bộ (ministry or ministerial-level agency).
    Ministry,
    /// Cấp tỉnh (province).
    Province,
    /// Cấp xã (commune).
    Commune,
}

impl Level {
    /// Vietnamese label (`Cấp tỉnh`, …).
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Ministry => "Cấp bộ",
            Self::Province => "Cấp tỉnh",
            Self::Commune => "Cấp xã",
        }
    }
}

/// Submission channel (kênh thực hiện), with the national `KenhThucHien` codes (legal-facts
/// §3.3 indicator 3.3, §12 item 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 1 — trực tiếp (in person at the one-stop unit).
    InPerson,
    /// 2 — trực tuyến (online).
    Online,
    /// 3 — bưu chính công ích (public postal service).
    Postal,
}

impl Channel {
    /// Every channel, in code order.
    pub const ALL: [Channel; 3] = [Channel::InPerson, Channel::Online, Channel::Postal];

    /// National code `KenhThucHien` (1, 2, 3).
    pub fn code(self) -> u8 {
        match self {
            Self::InPerson => 1,
            Self::Online => 2,
            Self::Postal => 3,
        }
    }

    /// From the national code; `None` for anything but 1, 2, 3.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::InPerson),
            2 => Some(Self::Online),
            3 => Some(Self::Postal),
            _ => None,
        }
    }

    /// Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::InPerson => "Trực tiếp",
            Self::Online => "Trực tuyến",
            Self::Postal => "Bưu chính công ích",
        }
    }
}

/// Online public-service level (mức độ dịch vụ công trực tuyến), NĐ 42/2022/NĐ-CP Điều 11
/// (legal-facts §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnlineLevel {
    /// Toàn trình: the whole procedure is done online.
    Full,
    /// Một phần: any online service that is not full.
    Partial,
    /// Not offered online (chỉ cung cấp thông tin).
    None,
}

/// A legal document on which the procedure rests (căn cứ pháp lý).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalDocument {
    /// Number and symbol (số, ký hiệu), e.g. `11/2014/NĐ-CP`; laws are often cited without one.
    pub number: Option<String>,
    /// Title or citation as published, e.g. `Nghị định 11/2014/NĐ-CP`.
    pub title: String,
    /// Date of issue (ngày ban hành), when known.
    pub date: Option<NaiveDate>,
    /// Issuing body (cơ quan ban hành), e.g. `Chính phủ`.
    pub issuer: Option<String>,
}

/// Kind of a fee item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeKind {
    /// Phí (fee for a service, e.g. phí thẩm định).
    Fee,
    /// Lệ phí (charge for the state's act, e.g. lệ phí cấp giấy phép).
    Charge,
    /// Other or not stated.
    Other,
}

/// One fee item (khoản phí, lệ phí).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    /// Name as published, e.g. `Lệ phí cấp Giấy chứng nhận`.
    pub name: String,
    /// Phí / lệ phí.
    pub kind: FeeKind,
    /// Amount in integer đồng; `None` when the text states no fixed amount (e.g. "75% phí …").
    pub amount: Option<u64>,
    /// The published text of this item.
    pub text: String,
    /// Case variants (trường hợp) in which the item applies; empty = every case.
    pub variants: Vec<String>,
}

/// One step of the internal workflow (bước quy trình nội bộ) with its time slice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowStep {
    /// What is done, e.g. `Thẩm định hồ sơ`.
    pub name: String,
    /// Responsible unit (đơn vị chịu trách nhiệm), electronic identifier code.
    pub unit_code: UnitCode,
    /// Time slice of this step (thời gian thực hiện).
    pub slice: Duration,
}

/// What one channel offers: its time limit, its fees and its internal workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelSpec {
    /// The channel (1, 2, 3).
    pub channel: Channel,
    /// Time limit (thời hạn giải quyết) for this channel; `None` if not regulated.
    pub time_limit: Option<Duration>,
    /// Result on the day of receipt (giải quyết trong ngày); then `time_limit` is `None`.
    pub same_day: bool,
    /// Itemised fees for this channel.
    pub fees: Vec<Fee>,
    /// Internal workflow (quy trình nội bộ); empty = not defined. The slices must add up to
    /// `time_limit`.
    pub workflow: Vec<WorkflowStep>,
}

/// Copy type of a dossier component (loại bản).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CopyType {
    /// Bản chính.
    Original,
    /// Bản sao.
    Copy,
    /// Bản sao chứng thực (certified copy).
    CertifiedCopy,
    /// Bản điện tử (electronic document).
    Electronic,
}

/// Whether a component must always be submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// Bắt buộc.
    Required,
    /// Có điều kiện: only in some cases (see the variants or the condition text).
    Conditional,
}

/// A dossier component (thành phần hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    /// Name, e.g. `Đơn đề nghị cấp giấy phép`.
    pub name: String,
    /// Bản chính, bản sao, …
    pub copy_type: CopyType,
    /// Number of copies (số lượng), at least 1.
    pub quantity: u32,
    /// Required or conditional.
    pub requirement: Requirement,
    /// Condition in words when conditional.
    pub condition: Option<String>,
    /// File name of the attached form template (mẫu đơn, mẫu tờ khai); must be in `forms`.
    pub form: Option<String>,
    /// Case variants in which the component is needed; empty = every case.
    pub variants: Vec<String>,
}

/// A case variant (trường hợp) that switches components and fees on or off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseVariant {
    /// Identifier referenced by components and fees, e.g. `ca_nhan`.
    pub id: String,
    /// Name shown to citizens, e.g. `Trường hợp cá nhân đề nghị`.
    pub name: String,
}

/// A form template (mẫu đơn, mẫu tờ khai, mẫu kết quả) as a downloadable file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormTemplate {
    /// File name, e.g. `mau-01.docx`; referenced by components and results.
    pub file: String,
    /// Title, e.g. `Mẫu 01 — Đơn đề nghị`.
    pub title: String,
    /// Legal document that issues the form, e.g. `Thông tư 08/2010/TT-BKHCN`.
    pub issued_by: Option<String>,
}

/// The result of the procedure (kết quả thực hiện).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultSpec {
    /// Name, e.g. `Giấy phép tiến hành công việc bức xạ`.
    pub name: String,
    /// File name of the result template (mẫu kết quả), if any.
    pub template: Option<String>,
    /// Validity period (thời hạn hiệu lực), if any.
    pub validity: Option<Duration>,
}

/// A step of the sequence (trình tự thực hiện) as published for citizens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Short title, e.g. `Bước 1: Nộp hồ sơ`.
    pub title: String,
    /// What the citizen and the agency do.
    pub description: String,
}

/// One version of a procedure (phiên bản TTHC): everything published about it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProcedureVersion {
    /// Mã số TTHC quốc gia; `None` for procedures not (yet) in the national database.
    pub national_code: Option<NationalCode>,
    /// Code as applied by the unit (mã TTHC áp dụng), e.g. `1.003542.000.00.00.H50`.
    pub applied_code: Option<AppliedCode>,
    /// Code in the old national database (mã CSDL TTHC cũ, `T-HTI-213814-TT`), kept as text.
    pub legacy_code: Option<String>,
    /// a) Tên thủ tục hành chính.
    pub name: String,
    /// Lĩnh vực (field), e.g. `Hoạt động khoa học và công nghệ`.
    pub field: String,
    /// Cấp thực hiện.
    pub level: Option<Level>,
    /// b) Trình tự thực hiện.
    pub steps: Vec<Step>,
    /// c) Cách thức thực hiện, with đ) time limit and i) fees per channel.
    pub channels: Vec<ChannelSpec>,
    /// đ) The time limit as published, in words (e.g. `05 ngày làm việc kể từ …`).
    pub time_limit_text: String,
    /// d) Thành phần hồ sơ.
    pub components: Vec<Component>,
    /// Case variants (trường hợp) referenced by components and fees.
    pub variants: Vec<CaseVariant>,
    /// e) Đối tượng thực hiện (individuals, organisations, …).
    pub subjects: Vec<String>,
    /// g) Cơ quan thực hiện, by name.
    pub agency: String,
    /// g) Implementing units (đơn vị thực hiện), electronic identifier codes.
    pub implementing_units: Vec<UnitCode>,
    /// Co-operating units (cơ quan phối hợp).
    pub cooperating_units: Vec<UnitCode>,
    /// h) Kết quả thực hiện.
    pub results: Vec<ResultSpec>,
    /// i) Mẫu đơn, mẫu tờ khai, mẫu kết quả.
    pub forms: Vec<FormTemplate>,
    /// i) Yêu cầu, điều kiện.
    pub conditions: Vec<String>,
    /// i) Phí, lệ phí as published, in words (the items are per channel).
    pub fees_text: String,
    /// No fee or charge at all (không thu phí, lệ phí).
    pub free_of_charge: bool,
    /// Căn cứ pháp lý.
    pub legal_basis: Vec<LegalDocument>,
    /// Mức độ DVC trực tuyến (NĐ 42/2022); `None` = not stated.
    pub online_level: Option<OnlineLevel>,
    /// Flagged in the national database as eligible for full online service (đủ điều kiện toàn
    /// trình); the 766 denominator for full online (legal-facts §7.2).
    pub full_online_eligible: bool,
    /// Free notes (ghi chú).
    pub notes: String,
    /// Where the data came from (nguồn), e.g. a portal page.
    pub source_url: Option<String>,
}

fn err(path: String, code: &str, vi: String, en: String) -> Problem {
    Problem::error(path, code, vi, en)
}

/// Converts a duration into a common unit for adding workflow slices: working days and working
/// hours at 8 working hours a day (Bộ luật Lao động 2019 Điều 105 khoản 1: normal working time at
/// most 8 hours a day; the default agency hours 07:30–11:30, 13:30–17:30 are 8 hours). Calendar
/// days and months only add to themselves.
fn in_common_unit(d: Duration) -> (&'static str, u64) {
    match d {
        Duration::WorkingDays(n) => ("wh", u64::from(n) * WORKING_HOURS_PER_DAY),
        Duration::WorkingHours(n) => ("wh", u64::from(n)),
        Duration::Days(n) => ("d", u64::from(n)),
        Duration::Months(n) => ("m", u64::from(n)),
    }
}

/// Working hours in one working day when workflow slices in `wh` are added to a limit in `wd`.
pub const WORKING_HOURS_PER_DAY: u64 = 8;

impl ProcedureVersion {
    /// Checks the version (kiểm tra khi lưu) and returns **every** problem found, each with its
    /// field path, stable code and messages. An empty list means the version may be saved.
    ///
    /// Missing parts (a published TTHC without steps, say) are not problems of a draft; they are
    /// reported by [`super::completeness`]. Checked here: empty name; an applied code whose
    /// national part differs from the national code; duplicate channels; invalid time limits;
    /// workflow slices that do not add up to the channel's time limit or use another unit;
    /// components and fees that reference unknown case variants; components with quantity 0,
    /// no name, or an unknown form; duplicate or empty variant ids; full online service for a
    /// procedure not eligible for it or without an online channel (NĐ 42/2022 Điều 11).
    pub fn validate(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() {
            out.push(err(
                "name".into(),
                "name_empty",
                "Tên thủ tục hành chính (trường \"name\") không được để trống.".into(),
                "The procedure name (field \"name\") must not be empty.".into(),
            ));
        }
        if let (Some(n), Some(a)) = (&self.national_code, &self.applied_code)
            && a.national() != *n
        {
            out.push(err(
                "applied_code".into(),
                "applied_code_mismatch",
                format!("Mã áp dụng {a} không thuộc mã số TTHC {n} (trường \"applied_code\")."),
                format!("The applied code {a} does not belong to the national code {n} (field \"applied_code\")."),
            ));
        }
        if self.applied_code.is_some() && self.national_code.is_none() {
            out.push(Problem::warning(
                "national_code",
                "national_code_missing",
                "Có mã áp dụng nhưng thiếu mã số TTHC quốc gia (trường \"national_code\").",
                "An applied code is given but the national code is missing (field \"national_code\").",
            ));
        }

        // Case variants.
        let mut ids = BTreeSet::new();
        for (i, v) in self.variants.iter().enumerate() {
            let path = format!("variants[{i}].id");
            if v.id.trim().is_empty() {
                out.push(err(
                    path,
                    "variant_id_empty",
                    format!("Trường hợp thứ {} chưa có mã (trường \"variants[{i}].id\").", i + 1),
                    format!("Case variant {} has no id (field \"variants[{i}].id\").", i + 1),
                ));
            } else if !ids.insert(v.id.as_str()) {
                out.push(err(
                    path,
                    "variant_duplicate",
                    format!("Mã trường hợp \"{}\" bị trùng (trường \"variants[{i}].id\").", v.id),
                    format!(
                        "Case variant id \"{}\" is used twice (field \"variants[{i}].id\").",
                        v.id
                    ),
                ));
            }
        }
        let check_refs = |out: &mut Vec<Problem>, base: &str, refs: &[String]| {
            for (j, r) in refs.iter().enumerate() {
                if !ids.contains(r.as_str()) {
                    out.push(err(
                        format!("{base}.variants[{j}]"),
                        "variant_unknown",
                        format!(
                            "Trường hợp \"{r}\" không có trong danh sách trường hợp (trường \"{base}.variants[{j}]\")."
                        ),
                        format!(
                            "Case variant \"{r}\" is not defined in \"variants\" (field \"{base}.variants[{j}]\")."
                        ),
                    ));
                }
            }
        };

        // Components.
        let form_files: BTreeSet<&str> = self.forms.iter().map(|f| f.file.as_str()).collect();
        for (i, c) in self.components.iter().enumerate() {
            let base = format!("components[{i}]");
            if c.name.trim().is_empty() {
                out.push(err(
                    format!("{base}.name"),
                    "component_name_empty",
                    format!("Thành phần hồ sơ thứ {} chưa có tên (trường \"{base}.name\").", i + 1),
                    format!("Dossier component {} has no name (field \"{base}.name\").", i + 1),
                ));
            }
            if c.quantity == 0 {
                out.push(err(
                    format!("{base}.quantity"),
                    "component_quantity_zero",
                    format!(
                        "Số lượng của thành phần hồ sơ \"{}\" phải ít nhất là 1 (trường \"{base}.quantity\").",
                        c.name
                    ),
                    format!(
                        "The quantity of dossier component \"{}\" must be at least 1 (field \"{base}.quantity\").",
                        c.name
                    ),
                ));
            }
            if let Some(f) = &c.form
                && !form_files.contains(f.as_str())
            {
                out.push(err(
                    format!("{base}.form"),
                    "form_unknown",
                    format!(
                        "Mẫu \"{f}\" của thành phần \"{}\" không có trong danh sách mẫu (trường \"{base}.form\").",
                        c.name
                    ),
                    format!(
                        "Form \"{f}\" of component \"{}\" is not in \"forms\" (field \"{base}.form\").",
                        c.name
                    ),
                ));
            }
            check_refs(&mut out, &base, &c.variants);
        }
        for (i, r) in self.results.iter().enumerate() {
            if let Some(t) = &r.template
                && !form_files.contains(t.as_str())
            {
                out.push(err(
                    format!("results[{i}].template"),
                    "form_unknown",
                    format!("Mẫu kết quả \"{t}\" không có trong danh sách mẫu (trường \"results[{i}].template\")."),
                    format!("Result template \"{t}\" is not in \"forms\" (field \"results[{i}].template\")."),
                ));
            }
            if let Some(v) = r.validity
                && v.validate().is_err()
            {
                out.push(err(
                    format!("results[{i}].validity"),
                    "validity_invalid",
                    format!("Thời hạn hiệu lực \"{v}\" không hợp lệ (trường \"results[{i}].validity\")."),
                    format!("Validity period \"{v}\" is invalid (field \"results[{i}].validity\")."),
                ));
            }
        }

        // Channels.
        let mut seen = BTreeSet::new();
        for (i, ch) in self.channels.iter().enumerate() {
            let base = format!("channels[{i}]");
            if !seen.insert(ch.channel) {
                out.push(err(
                    format!("{base}.channel"),
                    "channel_duplicate",
                    format!(
                        "Kênh \"{}\" được khai báo hai lần (trường \"{base}.channel\").",
                        ch.channel.label_vi()
                    ),
                    format!(
                        "Channel {} is declared twice (field \"{base}.channel\").",
                        ch.channel.code()
                    ),
                ));
            }
            if let Some(t) = ch.time_limit
                && let Err(e) = t.validate()
            {
                out.push(err(
                    format!("{base}.time_limit"),
                    "time_limit_invalid",
                    format!("{} (trường \"{base}.time_limit\")", e.message_vi()),
                    format!("{} (field \"{base}.time_limit\")", e.message_en()),
                ));
            }
            if ch.same_day && ch.time_limit.is_some() {
                out.push(err(
                    format!("{base}.same_day"),
                    "time_limit_conflict",
                    format!(
                        "Kênh \"{}\" vừa giải quyết trong ngày vừa có thời hạn (trường \"{base}.same_day\").",
                        ch.channel.label_vi()
                    ),
                    format!(
                        "Channel {} is both same-day and has a time limit (field \"{base}.same_day\").",
                        ch.channel.code()
                    ),
                ));
            }
            for (j, f) in ch.fees.iter().enumerate() {
                let fbase = format!("{base}.fees[{j}]");
                if f.name.trim().is_empty() {
                    out.push(err(
                        format!("{fbase}.name"),
                        "fee_name_empty",
                        format!("Khoản phí thứ {} chưa có tên (trường \"{fbase}.name\").", j + 1),
                        format!("Fee item {} has no name (field \"{fbase}.name\").", j + 1),
                    ));
                }
                check_refs(&mut out, &fbase, &f.variants);
            }
            self.check_workflow(&mut out, &base, ch);
        }

        // Online level, NĐ 42/2022 Điều 11 khoản 1 điểm a.
        if self.online_level == Some(OnlineLevel::Full) {
            if !self.full_online_eligible {
                out.push(Problem::warning(
                    "full_online_eligible",
                    "full_online_not_eligible",
                    "Thủ tục cung cấp DVC trực tuyến toàn trình nhưng chưa được đánh dấu đủ điều kiện toàn trình \
                     (trường \"full_online_eligible\").",
                    "Full online service is offered but the procedure is not flagged as eligible for it \
                     (field \"full_online_eligible\").",
                ));
            }
            if !self.channels.is_empty() && !self.channels.iter().any(|c| c.channel == Channel::Online) {
                out.push(err(
                    "channels".into(),
                    "online_channel_missing",
                    "DVC trực tuyến toàn trình cần có kênh trực tuyến (trường \"channels\").".into(),
                    "Full online service needs the online channel (field \"channels\").".into(),
                ));
            }
        }
        for (i, d) in self.legal_basis.iter().enumerate() {
            if d.title.trim().is_empty() && d.number.as_deref().is_none_or(|n| n.trim().is_empty()) {
                out.push(err(
                    format!("legal_basis[{i}]"),
                    "legal_basis_empty",
                    format!(
                        "Căn cứ pháp lý thứ {} chưa có số hiệu hoặc tên văn bản (trường \"legal_basis[{i}]\").",
                        i + 1
                    ),
                    format!(
                        "Legal basis {} has neither a number nor a title (field \"legal_basis[{i}]\").",
                        i + 1
                    ),
                ));
            }
        }
        out
    }

    /// legal-facts §12 item 4: the per-unit time slices must add up to the legal time limit.
    fn check_workflow(&self, out: &mut Vec<Problem>, base: &str, ch: &ChannelSpec) {
        if ch.workflow.is_empty() {
            return;
        }
        let path = format!("{base}.workflow");
        let Some(limit) = ch.time_limit else {
            if !ch.same_day {
                out.push(err(
                    path,
                    "workflow_without_time_limit",
                    format!("Quy trình nội bộ của kênh \"{}\" có các bước nhưng kênh chưa có thời hạn (trường \"{base}.workflow\").", ch.channel.label_vi()),
                    format!("The internal workflow of channel {} has steps but the channel has no time limit (field \"{base}.workflow\").", ch.channel.code()),
                ));
            }
            return;
        };
        let (unit, total) = in_common_unit(limit);
        let mut sum = 0u64;
        let mut unit_ok = true;
        for (j, s) in ch.workflow.iter().enumerate() {
            let (u, n) = in_common_unit(s.slice);
            if u != unit {
                unit_ok = false;
                out.push(err(
                    format!("{path}[{j}].slice"),
                    "workflow_unit_mismatch",
                    format!(
                        "Bước \"{}\" tính bằng {} nhưng thời hạn của kênh là {limit} (trường \"{path}[{j}].slice\").",
                        s.name, s.slice
                    ),
                    format!(
                        "Step \"{}\" is counted in {} but the channel time limit is {limit} (field \"{path}[{j}].slice\").",
                        s.name, s.slice
                    ),
                ));
            } else {
                sum += n;
            }
            if s.slice.validate().is_err() {
                out.push(err(
                    format!("{path}[{j}].slice"),
                    "time_limit_invalid",
                    format!(
                        "Thời gian của bước \"{}\" không hợp lệ: {} (trường \"{path}[{j}].slice\").",
                        s.name, s.slice
                    ),
                    format!(
                        "The time slice of step \"{}\" is invalid: {} (field \"{path}[{j}].slice\").",
                        s.name, s.slice
                    ),
                ));
            }
        }
        if unit_ok && sum != total {
            let show = |n: u64| {
                if unit == "wh" && matches!(limit, Duration::WorkingDays(_)) && n.is_multiple_of(WORKING_HOURS_PER_DAY)
                {
                    format!("{}wd", n / WORKING_HOURS_PER_DAY)
                } else {
                    format!("{n}{unit}")
                }
            };
            out.push(err(
                path.clone(),
                "workflow_sum_mismatch",
                format!(
                    "Tổng thời gian các bước của quy trình nội bộ ({}) khác thời hạn giải quyết của kênh \"{}\" ({limit}) \
                     (trường \"{path}\").",
                    show(sum),
                    ch.channel.label_vi()
                ),
                format!(
                    "The workflow time slices add up to {} but the time limit of channel {} is {limit} (field \"{path}\").",
                    show(sum),
                    ch.channel.code()
                ),
            ));
        }
    }

    /// The channel spec of `channel`, if offered.
    pub fn channel(&self, channel: Channel) -> Option<&ChannelSpec> {
        self.channels.iter().find(|c| c.channel == channel)
    }

    /// Components needed in a case variant (`None` = only those needed in every case).
    pub fn components_for(&self, variant: Option<&str>) -> Vec<&Component> {
        self.components
            .iter()
            .filter(|c| applies(&c.variants, variant))
            .collect()
    }

    /// Fee items of a channel in a case variant (`None` = only those due in every case).
    pub fn fees_for(&self, channel: Channel, variant: Option<&str>) -> Vec<&Fee> {
        self.channel(channel)
            .map(|c| c.fees.iter().filter(|f| applies(&f.variants, variant)).collect())
            .unwrap_or_default()
    }

    /// Total of the fixed fee amounts of a channel in a case variant, in đồng (items without a
    /// fixed amount are skipped; saturates instead of overflowing).
    pub fn fee_total(&self, channel: Channel, variant: Option<&str>) -> u64 {
        self.fees_for(channel, variant)
            .iter()
            .filter_map(|f| f.amount)
            .fold(0u64, u64::saturating_add)
    }
}

fn applies(variants: &[String], variant: Option<&str>) -> bool {
    variants.is_empty() || variant.is_some_and(|v| variants.iter().any(|x| x == v))
}

#[cfg(test)]
#[path = "procedure_tests.rs"]
mod tests;
