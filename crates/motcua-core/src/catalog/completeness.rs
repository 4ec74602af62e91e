//! Completeness of a published procedure (đầy đủ các bộ phận tạo thành), QĐ 766/QĐ-TTg
//! indicator 1.3: every part of NĐ 63/2010 Điều 8 khoản 2 that can be checked automatically —
//! a) name, b) sequence, c) method, d) dossier, đ) time limit, e) subjects, g) agency
//! (legal-facts §3.3, §5.2). Forms and result templates cannot be checked automatically.

use serde::{Deserialize, Serialize};

use super::procedure::ProcedureVersion;

/// A part of NĐ 63/2010 Điều 8 khoản 2 checked by indicator 1.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// a) Tên thủ tục hành chính.
    A,
    /// b) Trình tự thực hiện.
    B,
    /// c) Cách thức thực hiện.
    C,
    /// d) Hồ sơ.
    D,
    /// đ) Thời hạn giải quyết.
    Dd,
    /// e) Đối tượng thực hiện.
    E,
    /// g) Cơ quan thực hiện.
    G,
}

impl Part {
    /// The parts in legal order.
    pub const ALL: [Part; 7] = [Part::A, Part::B, Part::C, Part::D, Part::Dd, Part::E, Part::G];

    /// Letter as written in the decree (`a`, `b`, …, `đ`, …).
    pub fn letter(self) -> &'static str {
        match self {
            Self::A => "a",
            Self::B => "b",
            Self::C => "c",
            Self::D => "d",
            Self::Dd => "đ",
            Self::E => "e",
            Self::G => "g",
        }
    }

    /// Vietnamese name of the part.
    pub fn name_vi(self) -> &'static str {
        match self {
            Self::A => "Tên thủ tục hành chính",
            Self::B => "Trình tự thực hiện",
            Self::C => "Cách thức thực hiện",
            Self::D => "Hồ sơ",
            Self::Dd => "Thời hạn giải quyết",
            Self::E => "Đối tượng thực hiện",
            Self::G => "Cơ quan thực hiện",
        }
    }

    /// English name of the part.
    pub fn name_en(self) -> &'static str {
        match self {
            Self::A => "name",
            Self::B => "sequence of steps",
            Self::C => "method",
            Self::D => "dossier components",
            Self::Dd => "time limit",
            Self::E => "subjects",
            Self::G => "implementing agency",
        }
    }
}

/// Which parts are present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completeness {
    /// Parts present.
    pub present: Vec<Part>,
    /// Parts missing.
    pub missing: Vec<Part>,
}

impl Completeness {
    /// All parts a–g present: the procedure counts as complete for indicator 1.3.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
    }
}

/// Whether one part is present in a version.
pub fn has_part(v: &ProcedureVersion, part: Part) -> bool {
    let filled = |s: &str| !s.trim().is_empty();
    match part {
        Part::A => filled(&v.name),
        Part::B => v.steps.iter().any(|s| filled(&s.title) || filled(&s.description)),
        Part::C => !v.channels.is_empty(),
        Part::D => v.components.iter().any(|c| filled(&c.name)),
        // A structured limit, same-day, or the published wording (e.g. "Không quy định").
        Part::Dd => v.channels.iter().any(|c| c.time_limit.is_some() || c.same_day) || filled(&v.time_limit_text),
        Part::E => v.subjects.iter().any(|s| filled(s)),
        Part::G => filled(&v.agency) || !v.implementing_units.is_empty(),
    }
}

/// Checks parts a–g of a version (QĐ 766 indicator 1.3).
pub fn completeness(v: &ProcedureVersion) -> Completeness {
    let (present, missing) = Part::ALL.iter().partition(|p| has_part(v, **p));
    Completeness { present, missing }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Duration;
    use crate::catalog::procedure::{Channel, ChannelSpec, Component, CopyType, Requirement, Step};

    #[test]
    fn qd_766_indicator_1_3_parts_a_to_g() {
        let mut v = ProcedureVersion {
            name: "Cấp giấy phép".into(),
            ..Default::default()
        };
        let c = completeness(&v);
        assert_eq!(c.present, [Part::A]);
        assert!(!c.is_complete());
        v.steps.push(Step {
            title: "Bước 1".into(),
            description: "Nộp hồ sơ".into(),
        });
        v.channels.push(ChannelSpec {
            channel: Channel::InPerson,
            time_limit: Some(Duration::WorkingDays(10)),
            same_day: false,
            fees: vec![],
            workflow: vec![],
        });
        v.components.push(Component {
            name: "Đơn đề nghị".into(),
            copy_type: CopyType::Original,
            quantity: 1,
            requirement: Requirement::Required,
            condition: None,
            form: None,
            variants: vec![],
        });
        v.subjects.push("Tổ chức".into());
        assert_eq!(completeness(&v).missing, [Part::G]);
        v.agency = "Sở Khoa học và Công nghệ".into();
        assert!(completeness(&v).is_complete());
        assert_eq!(Part::Dd.letter(), "đ");
    }
}
