//! Procedure codes (mã số TTHC): the national code and the code as applied by a unit.
//!
//! Source: legal-facts §5.4 — national codes have the form `d.dddddd` (one digit, a dot, six
//! digits, e.g. `1.003542`); a province appends the applying unit, either in full
//! (`1.003542.000.00.00.H50`) or in the short form one portal shows (`1.000948.H38`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a code was refused (mã số không hợp lệ). Stable codes: `national_code_invalid`,
/// `applied_code_invalid`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// Not a national code `d.dddddd` (mã số TTHC quốc gia không hợp lệ).
    #[error("invalid national procedure code {input:?}: expected d.dddddd, e.g. 1.003542")]
    NationalInvalid {
        /// The text as given.
        input: String,
    },
    /// Not an applied code `d.dddddd.<unit suffix>` (mã TTHC áp dụng tại đơn vị không hợp lệ).
    #[error(
        "invalid applied procedure code {input:?}: expected d.dddddd followed by a unit suffix, e.g. 1.003542.000.00.00.H50"
    )]
    AppliedInvalid {
        /// The text as given.
        input: String,
    },
}

impl CodeError {
    /// Stable machine code (mã lỗi), never translated.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NationalInvalid { .. } => "national_code_invalid",
            Self::AppliedInvalid { .. } => "applied_code_invalid",
        }
    }

    /// Message in Vietnamese (thông báo tiếng Việt).
    pub fn message_vi(&self) -> String {
        match self {
            Self::NationalInvalid { input } => format!(
                "Mã số thủ tục hành chính \"{input}\" không hợp lệ: cần dạng d.dddddd (một chữ số, dấu chấm, \
                 sáu chữ số), ví dụ 1.003542."
            ),
            Self::AppliedInvalid { input } => format!(
                "Mã thủ tục áp dụng tại đơn vị \"{input}\" không hợp lệ: cần mã số d.dddddd kèm hậu tố đơn vị, \
                 ví dụ 1.003542.000.00.00.H50 hoặc 1.000948.H38."
            ),
        }
    }

    /// Message in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::NationalInvalid { input } => format!(
                "\"{input}\" is not a valid national procedure code: use d.dddddd (one digit, a dot, six digits), \
                 e.g. 1.003542."
            ),
            Self::AppliedInvalid { input } => format!(
                "\"{input}\" is not a valid applied procedure code: use a national code d.dddddd followed by a unit \
                 suffix, e.g. 1.003542.000.00.00.H50 or 1.000948.H38."
            ),
        }
    }
}

fn is_national(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 8 && b[0].is_ascii_digit() && b[1] == b'.' && b[2..].iter().all(u8::is_ascii_digit)
}

/// National procedure code (mã số TTHC trên CSDL quốc gia), `d.dddddd`, e.g. `1.003542`.
///
/// Always valid: the only constructors check the form. Serialized as its text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NationalCode(String);

impl NationalCode {
    /// Parses `d.dddddd`; surrounding whitespace is ignored.
    pub fn parse(input: &str) -> Result<Self, CodeError> {
        let s = input.trim();
        if is_national(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(CodeError::NationalInvalid {
                input: input.to_owned(),
            })
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NationalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for NationalCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for NationalCode {
    type Error = CodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<NationalCode> for String {
    fn from(c: NationalCode) -> Self {
        c.0
    }
}

/// Longest accepted applied code (the national part is 8 characters; the unit suffix at most
/// 35, the limit of an electronic identifier code under QĐ 20/2020/QĐ-TTg).
pub const MAX_APPLIED_CODE_LEN: usize = 8 + 1 + 35;

/// Code of a procedure as applied by a unit (mã TTHC áp dụng tại đơn vị): the national code, a
/// dot, and the unit suffix — `1.003542.000.00.00.H50` (full) or `1.000948.H38` (short).
///
/// The suffix is one or more dot-separated groups of `0-9`/`A-Z` (case is normalised to upper).
/// Serialized as its text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AppliedCode(String);

impl AppliedCode {
    /// Parses an applied code; surrounding whitespace is ignored, letters are upper-cased.
    pub fn parse(input: &str) -> Result<Self, CodeError> {
        let invalid = || CodeError::AppliedInvalid {
            input: input.to_owned(),
        };
        let s = input.trim().to_ascii_uppercase();
        if s.len() > MAX_APPLIED_CODE_LEN || s.len() < 10 || !s.is_char_boundary(8) {
            return Err(invalid());
        }
        let (national, rest) = s.split_at(8);
        let suffix = rest.strip_prefix('.').ok_or_else(invalid)?;
        if !is_national(national) {
            return Err(invalid());
        }
        let groups_ok = suffix
            .split('.')
            .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
        if !groups_ok {
            return Err(invalid());
        }
        Ok(Self(s))
    }

    /// Builds the full form from a national code and a unit suffix (without the leading dot).
    pub fn new(national: &NationalCode, suffix: &str) -> Result<Self, CodeError> {
        Self::parse(&format!("{}.{}", national.as_str(), suffix))
    }

    /// The national part (mã số TTHC), e.g. `1.003542`.
    pub fn national(&self) -> NationalCode {
        NationalCode(self.0[..8].to_owned())
    }

    /// The unit suffix without the leading dot, e.g. `000.00.00.H50` or `H38`.
    pub fn suffix(&self) -> &str {
        &self.0[9..]
    }

    /// The last group of the suffix, usually the province (`H50`).
    pub fn unit(&self) -> &str {
        self.suffix().rsplit('.').next().unwrap_or_default()
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AppliedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for AppliedCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for AppliedCode {
    type Error = CodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<AppliedCode> for String {
    fn from(c: AppliedCode) -> Self {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn national_codes_observed_on_portals_legal_facts_5_4() {
        for c in [
            "1.000948", "1.005129", "1.010708", "1.011442", "1.012766", "2.000635", "3.000181",
        ] {
            assert_eq!(NationalCode::parse(c).unwrap().as_str(), c);
        }
        assert_eq!(NationalCode::parse(" 1.003542 ").unwrap().as_str(), "1.003542");
        for bad in [
            "",
            "1003542",
            "1.00354",
            "1.0035421",
            "12.03542",
            "a.003542",
            "1,003542",
            "１.003542",
        ] {
            let e = NationalCode::parse(bad).unwrap_err();
            assert_eq!(e.code(), "national_code_invalid", "{bad}");
            assert!(e.message_vi().contains("d.dddddd"));
            assert!(e.message_en().contains("d.dddddd"));
        }
        assert!(serde_json::from_str::<NationalCode>("\"1.0035\"").is_err());
        assert_eq!(
            serde_json::to_string(&NationalCode::parse("1.003542").unwrap()).unwrap(),
            "\"1.003542\""
        );
    }

    #[test]
    fn applied_codes_full_and_short_legal_facts_5_4() {
        let a = AppliedCode::parse("1.003542.000.00.00.H50").unwrap();
        assert_eq!(a.national().as_str(), "1.003542");
        assert_eq!(a.suffix(), "000.00.00.H50");
        assert_eq!(a.unit(), "H50");
        let s = AppliedCode::parse("1.000948.h38").unwrap();
        assert_eq!(s.as_str(), "1.000948.H38");
        assert_eq!(s.suffix(), "H38");
        let n = NationalCode::parse("2.000815").unwrap();
        assert_eq!(
            AppliedCode::new(&n, "000.00.00.H55").unwrap().as_str(),
            "2.000815.000.00.00.H55"
        );
        for bad in [
            "",
            "1.003542",
            "1.003542.",
            "1.003542..H50",
            "1.003542H50",
            "T-HTI-213814-TT",
            "1.00354.H50",
            "ệ.003542.H50",
            "1.003542.H-5",
        ] {
            assert_eq!(
                AppliedCode::parse(bad).unwrap_err().code(),
                "applied_code_invalid",
                "{bad}"
            );
        }
    }

    proptest! {
        #[test]
        fn national_round_trip(d in 0u32..10, n in 0u32..1_000_000) {
            let s = format!("{d}.{n:06}");
            let c = NationalCode::parse(&s).unwrap();
            prop_assert_eq!(c.as_str(), s.as_str());
            let a = AppliedCode::new(&c, "000.00.00.H50").unwrap();
            prop_assert_eq!(a.national(), c);
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,40}") {
            let _ = NationalCode::parse(&s);
            if let Ok(a) = AppliedCode::parse(&s) {
                prop_assert!(a.as_str().starts_with(a.national().as_str()));
            }
        }
    }
}
