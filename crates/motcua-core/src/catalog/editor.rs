//! The draft editor's form (biểu mẫu soạn thảo TTHC): a procedure version as plain fields and
//! one-line-per-item text areas, so a control officer can edit every part in a browser without
//! JavaScript. Items are written `part | part | part`; every line that cannot be read becomes a
//! [`Problem`] naming the section and the line.
//!
//! The conversion both ways is pure: [`EditorForm::from_version`] fills the form,
//! [`EditorForm::to_version`] reads it back. Reading what was written gives the same version
//! (tested), so an officer who saves without changes changes nothing.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::codes::{AppliedCode, NationalCode};
use super::problem::Problem;
use super::procedure::{
    CaseVariant, Channel, ChannelSpec, Component, CopyType, Fee, FeeKind, FormTemplate, LegalDocument, Level,
    OnlineLevel, ProcedureVersion, Requirement, ResultSpec, Step, WorkflowStep,
};
use super::search::fold;
use crate::calendar::Duration;
use crate::identity::UnitCode;

/// Separator between the parts of one line.
pub const SEP: &str = " | ";

/// The editor's fields. Text areas hold one item per line; see each field for its parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EditorForm {
    pub national_code: String,
    pub applied_code: String,
    pub name: String,
    pub field: String,
    /// `province` | `commune` | `ministry` | empty.
    pub level: String,
    pub agency: String,
    /// One subject (đối tượng) per line.
    pub subjects: String,
    /// `Tên bước | mô tả` per line.
    pub steps: String,
    /// `mã | tên` per line.
    pub variants: String,
    /// `Tên | loại bản | số lượng | bắt buộc/có điều kiện | tệp mẫu | trường hợp, …` per line.
    pub components: String,
    /// `Tên | tệp mẫu | thời hạn hiệu lực` per line.
    pub results: String,
    /// `tệp | tên mẫu | ban hành kèm theo` per line.
    pub forms: String,
    /// One condition per line.
    pub conditions: String,
    /// `Số hiệu | ngày (dd/mm/yyyy) | cơ quan ban hành | trích yếu` per line.
    pub legal_basis: String,
    /// One unit code per line.
    pub implementing_units: String,
    /// One unit code per line.
    pub cooperating_units: String,
    pub time_limit_text: String,
    pub fees_text: String,
    /// `on` when free of charge.
    pub free_of_charge: String,
    /// `full` | `partial` | `none` | empty.
    pub online_level: String,
    /// `on` when eligible for full online service.
    pub full_online_eligible: String,
    pub notes: String,
    pub source_url: String,
    pub legacy_code: String,
    pub ch1_offered: String,
    pub ch1_time_limit: String,
    pub ch1_same_day: String,
    pub ch1_fees: String,
    pub ch1_workflow: String,
    pub ch2_offered: String,
    pub ch2_time_limit: String,
    pub ch2_same_day: String,
    pub ch2_fees: String,
    pub ch2_workflow: String,
    pub ch3_offered: String,
    pub ch3_time_limit: String,
    pub ch3_same_day: String,
    pub ch3_fees: String,
    pub ch3_workflow: String,
}

/// What one channel's fields hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelFields {
    pub offered: String,
    pub time_limit: String,
    pub same_day: String,
    /// `Tên | số tiền (đồng) | phí/lệ phí/khác | trường hợp, …` per line.
    pub fees: String,
    /// `Tên bước | mã đơn vị | thời lượng (8wh, 2wd)` per line.
    pub workflow: String,
}

fn checked(b: bool) -> String {
    if b { "on".into() } else { String::new() }
}

fn is_on(s: &str) -> bool {
    matches!(s.trim(), "on" | "true" | "1" | "yes")
}

fn lines(items: impl IntoIterator<Item = String>) -> String {
    items.into_iter().collect::<Vec<_>>().join("\n")
}

fn row(parts: &[String]) -> String {
    let mut parts = parts.to_vec();
    while parts.len() > 1 && parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts.join(SEP)
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

/// Vietnamese word for a copy type, as the editor writes and reads it.
pub fn copy_type_word(c: CopyType) -> &'static str {
    match c {
        CopyType::Original => "bản chính",
        CopyType::Copy => "bản sao",
        CopyType::CertifiedCopy => "bản sao chứng thực",
        CopyType::Electronic => "bản điện tử",
    }
}

fn parse_copy_type(s: &str) -> Option<CopyType> {
    match fold(s).trim_start_matches("ban ").trim() {
        "chinh" | "original" => Some(CopyType::Original),
        "sao" | "copy" => Some(CopyType::Copy),
        "sao chung thuc" | "sao co chung thuc" | "certified copy" => Some(CopyType::CertifiedCopy),
        "dien tu" | "electronic" => Some(CopyType::Electronic),
        _ => None,
    }
}

fn requirement_word(r: Requirement) -> &'static str {
    match r {
        Requirement::Required => "bắt buộc",
        Requirement::Conditional => "có điều kiện",
    }
}

fn parse_requirement(s: &str) -> Option<Requirement> {
    match fold(s).as_str() {
        "" | "bat buoc" | "required" => Some(Requirement::Required),
        "co dieu kien" | "conditional" => Some(Requirement::Conditional),
        _ => None,
    }
}

fn fee_kind_word(k: FeeKind) -> &'static str {
    match k {
        FeeKind::Fee => "phí",
        FeeKind::Charge => "lệ phí",
        FeeKind::Other => "khác",
    }
}

fn parse_fee_kind(s: &str) -> Option<FeeKind> {
    match fold(s).as_str() {
        "phi" | "fee" => Some(FeeKind::Fee),
        "le phi" | "charge" => Some(FeeKind::Charge),
        "" | "khac" | "other" => Some(FeeKind::Other),
        _ => None,
    }
}

fn level_code(l: Option<Level>) -> String {
    match l {
        Some(Level::Province) => "province".into(),
        Some(Level::Commune) => "commune".into(),
        Some(Level::Ministry) => "ministry".into(),
        None => String::new(),
    }
}

fn online_code(l: Option<OnlineLevel>) -> String {
    match l {
        Some(OnlineLevel::Full) => "full".into(),
        Some(OnlineLevel::Partial) => "partial".into(),
        Some(OnlineLevel::None) => "none".into(),
        None => String::new(),
    }
}

fn date_vi(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default()
}

impl EditorForm {
    /// The fields of channel `c`.
    pub fn channel(&self, c: Channel) -> ChannelFields {
        let (o, t, s, f, w) = match c {
            Channel::InPerson => (
                &self.ch1_offered,
                &self.ch1_time_limit,
                &self.ch1_same_day,
                &self.ch1_fees,
                &self.ch1_workflow,
            ),
            Channel::Online => (
                &self.ch2_offered,
                &self.ch2_time_limit,
                &self.ch2_same_day,
                &self.ch2_fees,
                &self.ch2_workflow,
            ),
            Channel::Postal => (
                &self.ch3_offered,
                &self.ch3_time_limit,
                &self.ch3_same_day,
                &self.ch3_fees,
                &self.ch3_workflow,
            ),
        };
        ChannelFields {
            offered: o.clone(),
            time_limit: t.clone(),
            same_day: s.clone(),
            fees: f.clone(),
            workflow: w.clone(),
        }
    }

    fn set_channel(&mut self, c: Channel, v: ChannelFields) {
        let (o, t, s, f, w) = match c {
            Channel::InPerson => (
                &mut self.ch1_offered,
                &mut self.ch1_time_limit,
                &mut self.ch1_same_day,
                &mut self.ch1_fees,
                &mut self.ch1_workflow,
            ),
            Channel::Online => (
                &mut self.ch2_offered,
                &mut self.ch2_time_limit,
                &mut self.ch2_same_day,
                &mut self.ch2_fees,
                &mut self.ch2_workflow,
            ),
            Channel::Postal => (
                &mut self.ch3_offered,
                &mut self.ch3_time_limit,
                &mut self.ch3_same_day,
                &mut self.ch3_fees,
                &mut self.ch3_workflow,
            ),
        };
        *o = v.offered;
        *t = v.time_limit;
        *s = v.same_day;
        *f = v.fees;
        *w = v.workflow;
    }

    /// The form filled from a version.
    pub fn from_version(v: &ProcedureVersion) -> EditorForm {
        let mut f = EditorForm {
            national_code: v.national_code.as_ref().map(|c| c.to_string()).unwrap_or_default(),
            applied_code: v.applied_code.as_ref().map(|c| c.to_string()).unwrap_or_default(),
            name: v.name.clone(),
            field: v.field.clone(),
            level: level_code(v.level),
            agency: v.agency.clone(),
            subjects: v.subjects.join("\n"),
            steps: lines(v.steps.iter().map(|s| row(&[s.title.clone(), s.description.clone()]))),
            variants: lines(v.variants.iter().map(|c| row(&[c.id.clone(), c.name.clone()]))),
            components: lines(v.components.iter().map(|c| {
                row(&[
                    c.name.clone(),
                    copy_type_word(c.copy_type).into(),
                    c.quantity.to_string(),
                    requirement_word(c.requirement).into(),
                    opt(&c.form),
                    c.variants.join(", "),
                    opt(&c.condition),
                ])
            })),
            results: lines(v.results.iter().map(|r| {
                row(&[
                    r.name.clone(),
                    opt(&r.template),
                    r.validity.map(|d| d.to_string()).unwrap_or_default(),
                ])
            })),
            forms: lines(
                v.forms
                    .iter()
                    .map(|x| row(&[x.file.clone(), x.title.clone(), opt(&x.issued_by)])),
            ),
            conditions: v.conditions.join("\n"),
            legal_basis: lines(
                v.legal_basis
                    .iter()
                    .map(|l| row(&[opt(&l.number), date_vi(l.date), opt(&l.issuer), l.title.clone()])),
            ),
            implementing_units: lines(v.implementing_units.iter().map(|u| u.to_string())),
            cooperating_units: lines(v.cooperating_units.iter().map(|u| u.to_string())),
            time_limit_text: v.time_limit_text.clone(),
            fees_text: v.fees_text.clone(),
            free_of_charge: checked(v.free_of_charge),
            online_level: online_code(v.online_level),
            full_online_eligible: checked(v.full_online_eligible),
            notes: v.notes.clone(),
            source_url: opt(&v.source_url),
            legacy_code: opt(&v.legacy_code),
            ..Default::default()
        };
        for spec in &v.channels {
            f.set_channel(
                spec.channel,
                ChannelFields {
                    offered: "on".into(),
                    time_limit: spec.time_limit.map(|d| d.to_string()).unwrap_or_default(),
                    same_day: checked(spec.same_day),
                    fees: lines(spec.fees.iter().map(|x| {
                        row(&[
                            x.name.clone(),
                            x.amount.map(|a| a.to_string()).unwrap_or_default(),
                            fee_kind_word(x.kind).into(),
                            x.variants.join(", "),
                            if x.text == x.name {
                                String::new()
                            } else {
                                x.text.clone()
                            },
                        ])
                    })),
                    workflow: lines(
                        spec.workflow
                            .iter()
                            .map(|w| row(&[w.name.clone(), w.unit_code.to_string(), w.slice.to_string()])),
                    ),
                },
            );
        }
        f
    }

    /// Read the form back into a version; every unreadable line is a problem naming its section
    /// and line. Rules about the content itself are [`ProcedureVersion::validate`]'s job.
    pub fn to_version(&self) -> Result<ProcedureVersion, Vec<Problem>> {
        let mut p = Vec::new();
        let mut v = ProcedureVersion {
            name: self.name.trim().to_owned(),
            field: self.field.trim().to_owned(),
            agency: self.agency.trim().to_owned(),
            time_limit_text: self.time_limit_text.trim().to_owned(),
            fees_text: self.fees_text.trim().to_owned(),
            free_of_charge: is_on(&self.free_of_charge),
            full_online_eligible: is_on(&self.full_online_eligible),
            notes: self.notes.trim().to_owned(),
            source_url: non_empty(&self.source_url),
            legacy_code: non_empty(&self.legacy_code),
            subjects: plain_lines(&self.subjects),
            conditions: plain_lines(&self.conditions),
            ..Default::default()
        };
        if !self.national_code.trim().is_empty() {
            match NationalCode::parse(self.national_code.trim()) {
                Ok(c) => v.national_code = Some(c),
                Err(e) => p.push(bad("national_code", "national_code_invalid", &e.to_string())),
            }
        }
        if !self.applied_code.trim().is_empty() {
            match AppliedCode::parse(self.applied_code.trim()) {
                Ok(c) => v.applied_code = Some(c),
                Err(e) => p.push(bad("applied_code", "applied_code_invalid", &e.to_string())),
            }
        }
        v.level = match self.level.trim() {
            "" => None,
            "province" => Some(Level::Province),
            "commune" => Some(Level::Commune),
            "ministry" => Some(Level::Ministry),
            other => {
                p.push(bad("level", "level_invalid", other));
                None
            }
        };
        v.online_level = match self.online_level.trim() {
            "" => None,
            "full" => Some(OnlineLevel::Full),
            "partial" => Some(OnlineLevel::Partial),
            "none" => Some(OnlineLevel::None),
            other => {
                p.push(bad("online_level", "online_level_invalid", other));
                None
            }
        };
        for (n, parts) in items(&self.steps) {
            v.steps.push(Step {
                title: parts[0].clone(),
                description: part(&parts, 1),
            });
            let _ = n;
        }
        for (_, parts) in items(&self.variants) {
            v.variants.push(CaseVariant {
                id: parts[0].clone(),
                name: part(&parts, 1),
            });
        }
        for (n, parts) in items(&self.components) {
            let copy_type = match parse_copy_type(&part(&parts, 1)) {
                Some(c) => c,
                None if part(&parts, 1).is_empty() => CopyType::Original,
                None => {
                    p.push(line_problem(
                        "components",
                        n,
                        "copy_type_invalid",
                        "loại bản phải là: bản chính, bản sao, bản sao chứng thực hoặc bản điện tử",
                        "copy type must be: bản chính, bản sao, bản sao chứng thực or bản điện tử",
                    ));
                    CopyType::Original
                }
            };
            let quantity = match part(&parts, 2).as_str() {
                "" => 1,
                q => match q.parse::<u32>() {
                    Ok(q) => q,
                    Err(_) => {
                        p.push(line_problem(
                            "components",
                            n,
                            "quantity_invalid",
                            "số lượng phải là số nguyên dương",
                            "quantity must be a positive whole number",
                        ));
                        1
                    }
                },
            };
            let requirement = parse_requirement(&part(&parts, 3)).unwrap_or_else(|| {
                p.push(line_problem(
                    "components",
                    n,
                    "requirement_invalid",
                    "yêu cầu phải là \"bắt buộc\" hoặc \"có điều kiện\"",
                    "requirement must be \"bắt buộc\" or \"có điều kiện\"",
                ));
                Requirement::Required
            });
            v.components.push(Component {
                name: parts[0].clone(),
                copy_type,
                quantity,
                requirement,
                form: non_empty(&part(&parts, 4)),
                variants: list(&part(&parts, 5)),
                condition: non_empty(&part(&parts, 6)),
            });
        }
        for (n, parts) in items(&self.results) {
            let validity = duration(&part(&parts, 2), "results", n, &mut p);
            v.results.push(ResultSpec {
                name: parts[0].clone(),
                template: non_empty(&part(&parts, 1)),
                validity,
            });
        }
        for (_, parts) in items(&self.forms) {
            v.forms.push(FormTemplate {
                file: parts[0].clone(),
                title: part(&parts, 1),
                issued_by: non_empty(&part(&parts, 2)),
            });
        }
        for (n, parts) in items(&self.legal_basis) {
            let date = match part(&parts, 1).as_str() {
                "" => None,
                s => match NaiveDate::parse_from_str(s, "%d/%m/%Y")
                    .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
                {
                    Ok(d) => Some(d),
                    Err(_) => {
                        p.push(line_problem(
                            "legal_basis",
                            n,
                            "date_invalid",
                            "ngày phải viết dd/mm/yyyy",
                            "the date must be dd/mm/yyyy",
                        ));
                        None
                    }
                },
            };
            let number = non_empty(&parts[0]);
            let title = match part(&parts, 3) {
                t if t.is_empty() => parts[0].clone(),
                t => t,
            };
            v.legal_basis.push(LegalDocument {
                number,
                title,
                date,
                issuer: non_empty(&part(&parts, 2)),
            });
        }
        v.implementing_units = units(&self.implementing_units, "implementing_units", &mut p);
        v.cooperating_units = units(&self.cooperating_units, "cooperating_units", &mut p);
        for c in Channel::ALL {
            let f = self.channel(c);
            if !is_on(&f.offered) {
                continue;
            }
            let section = format!("ch{}", c.code());
            let mut spec = ChannelSpec {
                channel: c,
                time_limit: duration(&f.time_limit, &format!("{section}_time_limit"), 0, &mut p),
                same_day: is_on(&f.same_day),
                fees: vec![],
                workflow: vec![],
            };
            for (n, parts) in items(&f.fees) {
                let amount = match part(&parts, 1).replace(['.', ',', ' '], "").as_str() {
                    "" => None,
                    a => match a.parse::<u64>() {
                        Ok(a) => Some(a),
                        Err(_) => {
                            p.push(line_problem(
                                &format!("{section}_fees"),
                                n,
                                "amount_invalid",
                                "số tiền phải là số nguyên (đồng)",
                                "the amount must be a whole number of đồng",
                            ));
                            None
                        }
                    },
                };
                let kind = parse_fee_kind(&part(&parts, 2)).unwrap_or_else(|| {
                    p.push(line_problem(
                        &format!("{section}_fees"),
                        n,
                        "fee_kind_invalid",
                        "loại phải là \"phí\", \"lệ phí\" hoặc \"khác\"",
                        "kind must be \"phí\", \"lệ phí\" or \"khác\"",
                    ));
                    FeeKind::Other
                });
                spec.fees.push(Fee {
                    name: parts[0].clone(),
                    kind,
                    amount,
                    text: non_empty(&part(&parts, 4)).unwrap_or_else(|| parts[0].clone()),
                    variants: list(&part(&parts, 3)),
                });
            }
            for (n, parts) in items(&f.workflow) {
                let unit = UnitCode::parse(&part(&parts, 1));
                let slice = duration(&part(&parts, 2), &format!("{section}_workflow"), n, &mut p);
                match (unit, slice) {
                    (Ok(unit_code), Some(slice)) => spec.workflow.push(WorkflowStep {
                        name: parts[0].clone(),
                        unit_code,
                        slice,
                    }),
                    (Err(_), _) => p.push(line_problem(
                        &format!("{section}_workflow"),
                        n,
                        "unit_code_invalid",
                        "mã đơn vị không đúng dạng mã định danh (QĐ 20/2020/QĐ-TTg), ví dụ 000.01.15.H50",
                        "the unit code is not an identifier code (QĐ 20/2020/QĐ-TTg), e.g. 000.01.15.H50",
                    )),
                    (_, None) => p.push(line_problem(
                        &format!("{section}_workflow"),
                        n,
                        "duration_missing",
                        "thiếu thời lượng của bước (ví dụ 8wh, 2wd)",
                        "the step has no duration (e.g. 8wh, 2wd)",
                    )),
                }
            }
            v.channels.push(spec);
        }
        if p.is_empty() { Ok(v) } else { Err(p) }
    }
}

fn non_empty(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn plain_lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Non-empty lines split on `|`, with their 1-based line numbers.
fn items(s: &str) -> Vec<(usize, Vec<String>)> {
    s.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l.split('|').map(|x| x.trim().to_owned()).collect()))
        .collect()
}

fn part(parts: &[String], i: usize) -> String {
    parts.get(i).cloned().unwrap_or_default()
}

fn section_vi(section: &str) -> String {
    let s = match section {
        "components" => "Thành phần hồ sơ",
        "results" => "Kết quả",
        "legal_basis" => "Căn cứ pháp lý",
        "implementing_units" => "Đơn vị thực hiện",
        "cooperating_units" => "Đơn vị phối hợp",
        "ch1_fees" | "ch2_fees" | "ch3_fees" => "Phí, lệ phí",
        "ch1_workflow" | "ch2_workflow" | "ch3_workflow" => "Quy trình nội bộ",
        "ch1_time_limit" | "ch2_time_limit" | "ch3_time_limit" => "Thời hạn giải quyết",
        other => other,
    };
    match section.get(..3) {
        Some(ch @ ("ch1" | "ch2" | "ch3")) => format!("{s} (kênh {})", &ch[2..]),
        _ => s.to_owned(),
    }
}

fn line_problem(section: &str, line: usize, code: &str, vi: &str, en: &str) -> Problem {
    let (at_vi, at_en) = if line == 0 {
        (String::new(), String::new())
    } else {
        (format!(", dòng {line}"), format!(", line {line}"))
    };
    Problem::error(
        if line == 0 {
            section.to_owned()
        } else {
            format!("{section}[{line}]")
        },
        code,
        format!("{}{at_vi}: {vi}.", section_vi(section)),
        format!("{section}{at_en}: {en}."),
    )
}

fn bad(field: &str, code: &str, detail: &str) -> Problem {
    Problem::error(
        field,
        code,
        format!("Giá trị \"{detail}\" của trường \"{field}\" không hợp lệ."),
        format!("The value \"{detail}\" of field \"{field}\" is not valid."),
    )
}

fn duration(s: &str, section: &str, line: usize, p: &mut Vec<Problem>) -> Option<Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse::<Duration>() {
        Ok(d) => Some(d),
        Err(_) => {
            p.push(line_problem(
                section,
                line,
                "duration_invalid",
                "thời lượng viết như 10wd (ngày làm việc), 8wh (giờ làm việc), 30d (ngày) hoặc 3m (tháng)",
                "write durations like 10wd (working days), 8wh (working hours), 30d (days) or 3m (months)",
            ));
            None
        }
    }
}

fn units(s: &str, section: &str, p: &mut Vec<Problem>) -> Vec<UnitCode> {
    let mut out = Vec::new();
    for (n, l) in s.lines().enumerate() {
        let l = l.trim();
        if l.is_empty() {
            continue;
        }
        match UnitCode::parse(l) {
            Ok(u) => out.push(u),
            Err(_) => p.push(line_problem(
                section,
                n + 1,
                "unit_code_invalid",
                "mã đơn vị không đúng dạng mã định danh (QĐ 20/2020/QĐ-TTg)",
                "the unit code is not an identifier code (QĐ 20/2020/QĐ-TTg)",
            )),
        }
    }
    out
}

#[cfg(test)]
#[path = "editor_tests.rs"]
mod tests;
