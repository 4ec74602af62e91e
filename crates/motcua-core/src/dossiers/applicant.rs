//! The applicant (người nộp hồ sơ, tổ chức / cá nhân), validated field by field.
//!
//! Shown on Mẫu 01–04 (legal-facts §2.2: name, address, phone, e-mail) and used as the second
//! factor of the public lookup (DESIGN §9).
//!
//! * Citizen ID (số định danh cá nhân / căn cước công dân, CCCD): exactly 12 digits (Luật Căn
//!   cước 2023; issue 5 item 1).
//! * Phone: a Vietnamese mobile `0[35789]` + 8 digits or a landline `02` + 9 digits (11 digits
//!   since the 2017–2018 renumbering); `+84`/`84` prefixes, spaces, dots and dashes are accepted
//!   and normalised to the leading `0` form by [`normalize_phone`].
//! * Tax code (mã số thuế): 10 digits, or 13 digits for a dependent unit written `NNNNNNNNNN-NNN`
//!   (or as 13 plain digits).
//! * E-mail: optional; one `@`, a non-empty local part, a dotted domain, no spaces.

use serde::{Deserialize, Serialize};

/// A person (cá nhân).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Person {
    /// Họ và tên.
    pub full_name: String,
    /// Số CCCD / số định danh cá nhân, 12 digits.
    pub citizen_id: String,
    /// Số điện thoại.
    pub phone: String,
    /// Email, optional.
    pub email: Option<String>,
    /// Địa chỉ, optional.
    pub address: Option<String>,
}

/// An organisation (tổ chức, doanh nghiệp).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Organisation {
    /// Tên tổ chức.
    pub name: String,
    /// Mã số thuế (10 digits, or 10-3 for a dependent unit).
    pub tax_code: String,
    /// Người đại diện (representative's full name).
    pub representative: String,
    /// Số điện thoại.
    pub phone: String,
    /// Email, optional.
    pub email: Option<String>,
    /// Địa chỉ trụ sở, optional.
    pub address: Option<String>,
}

/// The applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Applicant {
    /// Cá nhân.
    Person(Person),
    /// Tổ chức.
    Organisation(Organisation),
}

/// A field that failed validation (lỗi trường thông tin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantProblem {
    /// Field name, e.g. `citizen_id`.
    pub field: &'static str,
    /// Stable code: `required`, `citizen_id_invalid`, `phone_invalid`, `email_invalid`,
    /// `tax_code_invalid`.
    pub code: &'static str,
}

impl ApplicantProblem {
    /// Message in Vietnamese.
    pub fn message_vi(&self) -> String {
        let f = field_vi(self.field);
        match self.code {
            "required" => format!("{f} không được để trống."),
            "citizen_id_invalid" => format!("{f} phải gồm đúng 12 chữ số."),
            "phone_invalid" => format!("{f} không đúng định dạng số điện thoại Việt Nam."),
            "email_invalid" => format!("{f} không đúng định dạng."),
            "tax_code_invalid" => format!("{f} phải gồm 10 chữ số, hoặc 10 chữ số, dấu gạch và 3 chữ số."),
            _ => format!("{f} không hợp lệ."),
        }
    }

    /// Message in English.
    pub fn message_en(&self) -> String {
        let f = self.field;
        match self.code {
            "required" => format!("The field \"{f}\" is required."),
            "citizen_id_invalid" => format!("The field \"{f}\" must be exactly 12 digits."),
            "phone_invalid" => format!("The field \"{f}\" is not a Vietnamese phone number."),
            "email_invalid" => format!("The field \"{f}\" is not a valid e-mail address."),
            "tax_code_invalid" => {
                format!("The field \"{f}\" must be 10 digits, or 10 digits, a dash and 3 digits.")
            }
            _ => format!("The field \"{f}\" is invalid."),
        }
    }
}

fn field_vi(field: &str) -> &'static str {
    match field {
        "full_name" => "Họ và tên",
        "citizen_id" => "Số căn cước công dân",
        "phone" => "Số điện thoại",
        "email" => "Email",
        "name" => "Tên tổ chức",
        "tax_code" => "Mã số thuế",
        "representative" => "Người đại diện",
        _ => "Trường thông tin",
    }
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// Normalises a Vietnamese phone number to its leading-`0` digits (`+84 912 345 678` →
/// `0912345678`); `None` if it is not a mobile or landline number.
pub fn normalize_phone(input: &str) -> Option<String> {
    let s: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
        .collect();
    let s = if let Some(rest) = s.strip_prefix("+84") {
        format!("0{rest}")
    } else if let Some(rest) = s.strip_prefix("84").filter(|r| r.len() >= 9 && !r.starts_with('0')) {
        format!("0{rest}")
    } else {
        s
    };
    let b = s.as_bytes();
    let ok = (digits(&s, 10) && b[0] == b'0' && matches!(b[1], b'3' | b'5' | b'7' | b'8' | b'9'))
        || (digits(&s, 11) && b[0] == b'0' && b[1] == b'2');
    ok.then_some(s)
}

fn email_ok(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !s.chars().any(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|p| !p.is_empty())
}

fn tax_code_ok(s: &str) -> bool {
    match s.split_once('-') {
        Some((head, branch)) => digits(head, 10) && digits(branch, 3),
        None => digits(s, 10) || digits(s, 13),
    }
}

fn check_required(out: &mut Vec<ApplicantProblem>, field: &'static str, value: &str) -> bool {
    if value.trim().is_empty() {
        out.push(ApplicantProblem {
            field,
            code: "required",
        });
        false
    } else {
        true
    }
}

fn check_contact(out: &mut Vec<ApplicantProblem>, phone: &str, email: &Option<String>) {
    if check_required(out, "phone", phone) && normalize_phone(phone).is_none() {
        out.push(ApplicantProblem {
            field: "phone",
            code: "phone_invalid",
        });
    }
    if let Some(e) = email.as_deref().map(str::trim).filter(|e| !e.is_empty())
        && !email_ok(e)
    {
        out.push(ApplicantProblem {
            field: "email",
            code: "email_invalid",
        });
    }
}

impl Applicant {
    /// Every problem, in field order; empty when valid.
    pub fn validate(&self) -> Vec<ApplicantProblem> {
        let mut out = Vec::new();
        match self {
            Self::Person(p) => {
                check_required(&mut out, "full_name", &p.full_name);
                if check_required(&mut out, "citizen_id", &p.citizen_id) && !digits(p.citizen_id.trim(), 12) {
                    out.push(ApplicantProblem {
                        field: "citizen_id",
                        code: "citizen_id_invalid",
                    });
                }
                check_contact(&mut out, &p.phone, &p.email);
            }
            Self::Organisation(o) => {
                check_required(&mut out, "name", &o.name);
                if check_required(&mut out, "tax_code", &o.tax_code) && !tax_code_ok(o.tax_code.trim()) {
                    out.push(ApplicantProblem {
                        field: "tax_code",
                        code: "tax_code_invalid",
                    });
                }
                check_required(&mut out, "representative", &o.representative);
                check_contact(&mut out, &o.phone, &o.email);
            }
        }
        out
    }

    /// Display name (họ tên or tên tổ chức).
    pub fn name(&self) -> &str {
        match self {
            Self::Person(p) => &p.full_name,
            Self::Organisation(o) => &o.name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> Person {
        Person {
            full_name: "Trần Văn Minh".into(),
            citizen_id: "044080001234".into(),
            phone: "0912 345 678".into(),
            email: Some("minh@example.vn".into()),
            address: None,
        }
    }

    #[test]
    fn valid_person_and_organisation() {
        assert!(Applicant::Person(person()).validate().is_empty());
        let o = Organisation {
            name: "Phòng khám Đa khoa Minh Tâm".into(),
            tax_code: "3100123456-001".into(),
            representative: "Trần Văn Minh".into(),
            phone: "+84 232 3821 234".into(),
            email: None,
            address: None,
        };
        assert!(
            Applicant::Organisation(o.clone()).validate().is_empty(),
            "{:?}",
            Applicant::Organisation(o).validate()
        );
    }

    #[test]
    fn person_field_errors_name_their_field() {
        let p = Person {
            full_name: " ".into(),
            citizen_id: "04408000123".into(),
            phone: "012345".into(),
            email: Some("minh at example".into()),
            address: None,
        };
        let problems = Applicant::Person(p).validate();
        let got: Vec<(&str, &str)> = problems.iter().map(|p| (p.field, p.code)).collect();
        assert_eq!(
            got,
            [
                ("full_name", "required"),
                ("citizen_id", "citizen_id_invalid"),
                ("phone", "phone_invalid"),
                ("email", "email_invalid"),
            ]
        );
        assert!(problems[1].message_vi().contains("12 chữ số"));
        assert!(problems[2].message_en().contains("phone"));
    }

    #[test]
    fn tax_codes_10_or_13_digits() {
        for ok in ["3100123456", "3100123456-001", "3100123456001"] {
            assert!(tax_code_ok(ok), "{ok}");
        }
        for bad in ["310012345", "3100123456-01", "31001234567", "abc", "3100123456-0011"] {
            assert!(!tax_code_ok(bad), "{bad}");
        }
    }

    #[test]
    fn vietnamese_phone_numbers() {
        assert_eq!(normalize_phone("0912.345.678").as_deref(), Some("0912345678"));
        assert_eq!(normalize_phone("+84912345678").as_deref(), Some("0912345678"));
        assert_eq!(normalize_phone("84 912 345 678").as_deref(), Some("0912345678"));
        assert_eq!(normalize_phone("0232 3821 234").as_deref(), Some("02323821234"));
        assert_eq!(normalize_phone("0112345678"), None);
        assert_eq!(normalize_phone("091234567"), None);
        assert_eq!(normalize_phone(""), None);
    }
}
