//! Problems found when checking or importing a procedure (lỗi / cảnh báo).

use serde::{Deserialize, Serialize};

/// How serious a problem is (mức độ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Cảnh báo: shown to the officer, does not block saving.
    Warning,
    /// Lỗi: the record cannot be saved or imported as is.
    Error,
}

/// One problem with a field of a procedure version (vấn đề của một trường).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Field path, e.g. `channels[1].workflow` or `components[0].variants[2]`.
    pub path: String,
    /// Stable machine code (mã lỗi), never translated, e.g. `workflow_sum_mismatch`.
    pub code: String,
    /// Error or warning.
    pub severity: Severity,
    /// Message in Vietnamese, naming the field.
    pub message_vi: String,
    /// Message in English.
    pub message_en: String,
}

impl Problem {
    /// An error.
    pub fn error(path: impl Into<String>, code: &str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            code: code.to_owned(),
            severity: Severity::Error,
            message_vi: vi.into(),
            message_en: en.into(),
        }
    }

    /// A warning.
    pub fn warning(path: impl Into<String>, code: &str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(path, code, vi, en)
        }
    }

    /// Whether this problem blocks saving.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Whether any problem in the list is an error.
pub fn has_errors(problems: &[Problem]) -> bool {
    problems.iter().any(Problem::is_error)
}
