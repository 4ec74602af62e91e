//! The dossier code (mã hồ sơ, mã số hồ sơ).
//!
//! Every received dossier gets a unique code, printed on Mẫu 01 and Mẫu 05 and used to look the
//! dossier up on the portals (NĐ 61/2018 Điều 16, legal-facts §1.2, §2.3).
//!
//! **Shape (rule of this system):** `<receiving unit identifier>-<yyMMdd>-<NNNN>`, e.g.
//! `000.00.15.H50-261127-0001`:
//!
//! * the electronic identifier code (mã định danh điện tử, QĐ 20/2020/QĐ-TTg) of the receiving
//!   unit, validated as a [`UnitCode`] (no `-` inside);
//! * the receipt date in Vietnam time (UTC+7), two-digit year 20yy, month, day;
//! * the daily sequence of that unit, four digits `0001..=9999`.
//!
//! legal-facts §2.3 marks this shape **likely** (common use and the DVCQG "Get Next Value"
//! service; TT 03/2025 regulates the code but its clause was not read). Parsing and formatting
//! live only here, so a change of shape is a change of this file.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::error::DossierError;
use crate::calendar::vn_offset;
use crate::identity::UnitCode;

/// Largest daily sequence (số thứ tự lớn nhất trong ngày): four digits.
pub const MAX_SEQUENCE: u16 = 9999;

/// A dossier code (mã hồ sơ), see the module documentation for its shape.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DossierCode {
    unit: UnitCode,
    date: NaiveDate,
    sequence: u16,
}

impl DossierCode {
    /// Builds a code; the date must be in 2000..=2099 and the sequence in 1..=9999.
    pub fn new(unit: UnitCode, date: NaiveDate, sequence: u32) -> Result<Self, DossierError> {
        if sequence == 0 || sequence > u32::from(MAX_SEQUENCE) {
            return Err(DossierError::SequenceOutOfRange { seq: sequence });
        }
        if !(2000..=2099).contains(&date.year()) {
            return Err(DossierError::CodeInvalid {
                input: format!("{unit}-{date}-{sequence}"),
                reason: "the year must be within 2000–2099",
            });
        }
        Ok(Self {
            unit,
            date,
            sequence: sequence as u16,
        })
    }

    /// The code of a dossier received at `at` (its date is the local date in UTC+7).
    pub fn for_receipt(unit: UnitCode, at: DateTime<Utc>, sequence: u32) -> Result<Self, DossierError> {
        Self::new(unit, at.with_timezone(&vn_offset()).date_naive(), sequence)
    }

    /// The sequence after `last` for the same unit and day (`None` = first of the day → 1);
    /// [`DossierError::SequenceOutOfRange`] beyond 9999.
    pub fn next_sequence(last: Option<u32>) -> Result<u32, DossierError> {
        let next = last.map_or(1, |n| n.saturating_add(1));
        if next > u32::from(MAX_SEQUENCE) {
            return Err(DossierError::SequenceOutOfRange { seq: next });
        }
        Ok(next)
    }

    /// Parses and validates a code (trims spaces around it).
    pub fn parse(input: &str) -> Result<Self, DossierError> {
        let bad = |reason| DossierError::CodeInvalid {
            input: input.to_string(),
            reason,
        };
        let s = input.trim();
        let mut parts = s.rsplitn(3, '-');
        let (Some(seq), Some(date), Some(unit)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("expected three parts separated by '-'"));
        };
        let unit = UnitCode::parse(unit).map_err(|_| bad("the unit identifier is not a valid unit code"))?;
        if date.len() != 6 || !date.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("the date must be six digits yyMMdd"));
        }
        let n = |r: std::ops::Range<usize>| date[r].parse::<u32>().unwrap_or(0);
        let date = NaiveDate::from_ymd_opt(2000 + n(0..2) as i32, n(2..4), n(4..6))
            .ok_or_else(|| bad("the date yyMMdd does not exist"))?;
        if seq.len() != 4 || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("the sequence must be four digits"));
        }
        let seq: u32 = seq.parse().map_err(|_| bad("the sequence must be four digits"))?;
        if seq == 0 {
            return Err(bad("the sequence starts at 0001"));
        }
        Self::new(unit, date, seq)
    }

    /// The receiving unit (đơn vị tiếp nhận).
    pub fn unit(&self) -> &UnitCode {
        &self.unit
    }

    /// The receipt date (ngày tiếp nhận), UTC+7.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The daily sequence (số thứ tự), 1..=9999.
    pub fn sequence(&self) -> u32 {
        u32::from(self.sequence)
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{:02}{:02}{:02}-{:04}",
            self.unit,
            self.date.year() % 100,
            self.date.month(),
            self.date.day(),
            self.sequence
        )
    }
}

impl FromStr for DossierCode {
    type Err = DossierError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for DossierCode {
    type Error = DossierError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<DossierCode> for String {
    fn from(c: DossierCode) -> String {
        c.to_string()
    }
}

#[cfg(test)]
#[path = "code_tests.rs"]
mod tests;
