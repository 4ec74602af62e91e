//! Official one-stop forms by receipt date (biểu mẫu theo quy định tại thời điểm tiếp nhận).
//!
//! A dossier keeps the rule set in force at its receipt (DESIGN §5; legal-facts §0):
//! * before the switch date, the six forms of **TT 01/2018/TT-VPCP** (23/11/2018, effective
//!   06/01/2019), printed on A5 except Mẫu 06 on A4 (legal-facts §2.1–§2.2, certain);
//! * from the switch date, the seven forms of **TT 03/2025/TT-VPCP** Phụ lục I (15/9/2025),
//!   which guides NĐ 118/2025/NĐ-CP. The list of seven is **likely** (one secondary source,
//!   legal-facts §0), and their paper size was not found.
//!
//! The switch date is configuration ([`FormRules::tt03_from`]); its default, 1 July 2025, is the
//! effective date of NĐ 118/2025 (likely) that issue 5 sets for the change. The titles below are
//! data for the PDF module.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Which circular's forms apply (bộ biểu mẫu).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormRegime {
    /// Thông tư 01/2018/TT-VPCP (NĐ 61/2018).
    Tt01_2018,
    /// Thông tư 03/2025/TT-VPCP (NĐ 118/2025).
    Tt03_2025,
}

/// What a form is for (loại biểu mẫu), across both circulars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    /// Giấy tiếp nhận hồ sơ và hẹn trả kết quả.
    Receipt,
    /// Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.
    SupplementRequest,
    /// Phiếu từ chối tiếp nhận giải quyết hồ sơ.
    Refusal,
    /// Phiếu xin lỗi và hẹn lại ngày trả kết quả / văn bản xin lỗi và đề nghị gia hạn.
    Apology,
    /// Thông báo dừng giải quyết hồ sơ (TT 03/2025 only).
    StopNotice,
    /// Phiếu kiểm soát quá trình giải quyết hồ sơ.
    ControlSlip,
    /// Sổ theo dõi hồ sơ.
    Ledger,
}

/// Paper size (khổ giấy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Paper {
    /// A4.
    A4,
    /// A5.
    A5,
}

/// One official form (mẫu số).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OfficialForm {
    /// What it is for.
    pub kind: FormKind,
    /// Mẫu số (01–07).
    pub number: u8,
    /// Title in Vietnamese, as printed (upper case on the form).
    pub title_vi: &'static str,
    /// Title in English.
    pub title_en: &'static str,
    /// Paper size; `None` when not found.
    pub paper: Option<Paper>,
}

const fn form(
    kind: FormKind,
    number: u8,
    title_vi: &'static str,
    title_en: &'static str,
    paper: Option<Paper>,
) -> OfficialForm {
    OfficialForm {
        kind,
        number,
        title_vi,
        title_en,
        paper,
    }
}

const TT01_2018: [OfficialForm; 6] = [
    form(
        FormKind::Receipt,
        1,
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        "Receipt and appointment slip",
        Some(Paper::A5),
    ),
    form(
        FormKind::SupplementRequest,
        2,
        "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        "Request to supplement or complete a dossier",
        Some(Paper::A5),
    ),
    form(
        FormKind::Refusal,
        3,
        "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
        "Refusal to accept and process a dossier",
        Some(Paper::A5),
    ),
    form(
        FormKind::Apology,
        4,
        "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
        "Apology and new return date",
        Some(Paper::A5),
    ),
    form(
        FormKind::ControlSlip,
        5,
        "Phiếu kiểm soát quá trình giải quyết hồ sơ",
        "Dossier process control slip",
        Some(Paper::A5),
    ),
    form(
        FormKind::Ledger,
        6,
        "Sổ theo dõi hồ sơ",
        "Dossier tracking ledger",
        Some(Paper::A4),
    ),
];

const TT03_2025: [OfficialForm; 7] = [
    form(
        FormKind::Receipt,
        1,
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        "Receipt and appointment slip",
        None,
    ),
    form(
        FormKind::SupplementRequest,
        2,
        "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        "Request to supplement or complete a dossier",
        None,
    ),
    form(
        FormKind::Refusal,
        3,
        "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
        "Refusal to accept and process a dossier",
        None,
    ),
    form(
        FormKind::Apology,
        4,
        "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
        "Apology and request to extend the processing time",
        None,
    ),
    form(
        FormKind::StopNotice,
        5,
        "Thông báo dừng giải quyết hồ sơ",
        "Notice of stopping processing",
        None,
    ),
    form(
        FormKind::ControlSlip,
        6,
        "Phiếu kiểm soát quá trình giải quyết hồ sơ",
        "Dossier process control slip",
        None,
    ),
    form(
        FormKind::Ledger,
        7,
        "Sổ theo dõi hồ sơ",
        "Dossier tracking ledger",
        None,
    ),
];

/// Configuration of the switch between the two sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormRules {
    /// First receipt date (UTC+7) on which TT 03/2025 forms apply. Default 2025-07-01.
    pub tt03_from: NaiveDate,
}

impl Default for FormRules {
    fn default() -> Self {
        Self {
            tt03_from: NaiveDate::from_ymd_opt(2025, 7, 1).expect("valid date"),
        }
    }
}

/// The set of forms that applies to a dossier (bộ biểu mẫu áp dụng).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FormSet {
    /// Which circular.
    pub regime: FormRegime,
    /// Its number and symbol, e.g. `03/2025/TT-VPCP`.
    pub circular: &'static str,
    /// Its forms in number order.
    pub forms: &'static [OfficialForm],
}

impl FormSet {
    /// The set for a receipt date with the default switch date.
    pub fn for_receipt(date: NaiveDate) -> Self {
        Self::for_receipt_with(date, &FormRules::default())
    }

    /// The set for a receipt date under `rules`.
    pub fn for_receipt_with(date: NaiveDate, rules: &FormRules) -> Self {
        Self::of(if date < rules.tt03_from {
            FormRegime::Tt01_2018
        } else {
            FormRegime::Tt03_2025
        })
    }

    /// The set of a regime.
    pub fn of(regime: FormRegime) -> Self {
        match regime {
            FormRegime::Tt01_2018 => Self {
                regime,
                circular: "01/2018/TT-VPCP",
                forms: &TT01_2018,
            },
            FormRegime::Tt03_2025 => Self {
                regime,
                circular: "03/2025/TT-VPCP",
                forms: &TT03_2025,
            },
        }
    }

    /// The form for a purpose; `None` if the set has none (TT 01/2018 has no stop notice).
    pub fn form(&self, kind: FormKind) -> Option<&'static OfficialForm> {
        self.forms.iter().find(|f| f.kind == kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn tt01_2018_six_forms_before_1_july_2025() {
        let s = FormSet::for_receipt(ymd(2025, 6, 30));
        assert_eq!(s.regime, FormRegime::Tt01_2018);
        assert_eq!(s.forms.len(), 6);
        assert_eq!(s.form(FormKind::Ledger).unwrap().paper, Some(Paper::A4));
        assert_eq!(s.form(FormKind::Receipt).unwrap().paper, Some(Paper::A5));
        assert_eq!(
            s.form(FormKind::Apology).unwrap().title_vi,
            "Phiếu xin lỗi và hẹn lại ngày trả kết quả"
        );
        assert!(s.form(FormKind::StopNotice).is_none());
    }

    #[test]
    fn tt03_2025_seven_forms_from_1_july_2025_nd118() {
        let s = FormSet::for_receipt(ymd(2025, 7, 1));
        assert_eq!(s.regime, FormRegime::Tt03_2025);
        assert_eq!(s.circular, "03/2025/TT-VPCP");
        let numbers: Vec<u8> = s.forms.iter().map(|f| f.number).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(s.form(FormKind::StopNotice).unwrap().number, 5);
        assert_eq!(s.form(FormKind::ControlSlip).unwrap().number, 6);
        assert!(s.form(FormKind::Apology).unwrap().title_vi.contains("đề nghị gia hạn"));
    }

    #[test]
    fn switch_date_is_configuration() {
        let rules = FormRules {
            tt03_from: ymd(2025, 9, 15),
        };
        assert_eq!(
            FormSet::for_receipt_with(ymd(2025, 8, 1), &rules).regime,
            FormRegime::Tt01_2018
        );
        assert_eq!(
            FormSet::for_receipt_with(ymd(2025, 9, 15), &rules).regime,
            FormRegime::Tt03_2025
        );
    }
}
