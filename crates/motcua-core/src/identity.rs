//! Identity rules: agency identifier codes (mã định danh điện tử), roles (vai trò).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Electronic identifier code of an agency or unit (mã định danh điện tử, QĐ 20/2020/QĐ-TTg):
/// at most 35 characters, groups of `0-9`/`A-Z` separated by dots, e.g. `000.00.15.H50`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitCode(String);

/// Why a unit code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitCodeError {
    #[error("unit code is empty")]
    Empty,
    #[error("unit code is longer than 35 characters")]
    TooLong,
    #[error("unit code has an empty group between dots")]
    EmptyGroup,
    #[error("unit code may contain only 0-9, A-Z and dots")]
    BadCharacter,
}

impl UnitCode {
    pub const MAX_LEN: usize = 35;

    pub fn parse(s: &str) -> Result<Self, UnitCodeError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(UnitCodeError::Empty);
        }
        if s.len() > Self::MAX_LEN {
            return Err(UnitCodeError::TooLong);
        }
        for group in s.split('.') {
            if group.is_empty() {
                return Err(UnitCodeError::EmptyGroup);
            }
            if !group.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()) {
                return Err(UnitCodeError::BadCharacter);
            }
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for UnitCode {
    type Error = UnitCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<UnitCode> for String {
    fn from(c: UnitCode) -> String {
        c.0
    }
}

impl FromStr for UnitCode {
    type Err = UnitCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// What a person does in the system (vai trò).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Công dân, tổ chức.
    Citizen,
    /// Cán bộ một cửa.
    Clerk,
    /// Chuyên viên xử lý.
    Specialist,
    /// Lãnh đạo.
    Leader,
    /// Cán bộ kiểm soát TTHC.
    ControlOfficer,
    /// Kiểm tra công vụ.
    Inspector,
    /// Quản trị hệ thống.
    Admin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Citizen,
        Role::Clerk,
        Role::Specialist,
        Role::Leader,
        Role::ControlOfficer,
        Role::Inspector,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::Clerk => "clerk",
            Role::Specialist => "specialist",
            Role::Leader => "leader",
            Role::ControlOfficer => "control_officer",
            Role::Inspector => "inspector",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A username: 3–64 characters of lowercase ASCII letters, digits, `.`, `_`, `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Option<Username> {
        let s = s.trim();
        let ok = (3..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        ok.then(|| Username(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Password policy: at least 10 characters, at most 256 (Argon2 input stays bounded).
pub fn password_problem(pw: &str) -> Option<&'static str> {
    let n = pw.chars().count();
    if n < 10 {
        Some("password_too_short")
    } else if n > 256 {
        Some("password_too_long")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // QĐ 20/2020/QĐ-TTg: ≤ 35 characters, dot-separated groups of 0-9 and A-Z.
    #[test]
    fn qd_20_2020_examples() {
        assert!(UnitCode::parse("000.00.15.H50").is_ok());
        assert!(UnitCode::parse("000.00.00.H26").is_ok());
        assert!(UnitCode::parse("G09.20").is_ok());
        assert_eq!(UnitCode::parse(""), Err(UnitCodeError::Empty));
        assert_eq!(UnitCode::parse("000..H50"), Err(UnitCodeError::EmptyGroup));
        assert_eq!(UnitCode::parse("000.00.15.h50"), Err(UnitCodeError::BadCharacter));
        assert_eq!(UnitCode::parse(&"A".repeat(36)), Err(UnitCodeError::TooLong));
        assert_eq!(UnitCode::parse("000.00.15.H50."), Err(UnitCodeError::EmptyGroup));
    }

    proptest! {
        #[test]
        fn qd_20_2020_valid_codes_round_trip(groups in proptest::collection::vec("[0-9A-Z]{1,5}", 1..6)) {
            let s = groups.join(".");
            prop_assume!(s.len() <= 35);
            let c = UnitCode::parse(&s).unwrap();
            prop_assert_eq!(c.as_str(), s.as_str());
        }

        #[test]
        fn unit_code_parse_never_panics(s in ".*") {
            let _ = UnitCode::parse(&s);
        }
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
