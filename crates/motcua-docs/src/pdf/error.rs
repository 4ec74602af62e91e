//! Errors of the PDF forms (lỗi tạo biểu mẫu PDF).

use motcua_core::dossiers::{FormKind, FormRegime};

/// Every error of [`super::render`]. Each variant has a stable machine code
/// ([`PdfError::code`]) and messages in Vietnamese and English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    /// The rule set of the dossier has no such form: TT 01/2018 has no stop notice
    /// (bộ biểu mẫu không có mẫu này).
    #[error("the forms of {regime:?} have no {kind:?} form")]
    FormNotInRegime {
        /// The form asked for.
        kind: FormKind,
        /// The rule set of the dossier.
        regime: FormRegime,
    },
    /// More rows than one document may hold (quá nhiều dòng): split the period.
    #[error("{rows} rows exceed the limit of {max} rows per document")]
    TooManyRows {
        /// Rows given.
        rows: usize,
        /// The limit.
        max: usize,
    },
    /// The template failed to compile: a bug in motcua, never caused by the data's content
    /// (lỗi mẫu).
    #[error("form template failed: {message}")]
    Template {
        /// The compiler's diagnostics.
        message: String,
    },
    /// PDF export failed (lỗi xuất PDF).
    #[error("PDF export failed: {message}")]
    Export {
        /// The exporter's diagnostics.
        message: String,
    },
}

impl PdfError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::FormNotInRegime { .. } => "form_not_in_regime",
            Self::TooManyRows { .. } => "too_many_rows",
            Self::Template { .. } => "form_template_failed",
            Self::Export { .. } => "pdf_export_failed",
        }
    }

    /// Message for Vietnamese users.
    pub fn message_vi(&self) -> String {
        match self {
            Self::FormNotInRegime { regime, .. } => format!(
                "Bộ biểu mẫu {} không có mẫu này.",
                motcua_core::dossiers::FormSet::of(*regime).circular
            ),
            Self::TooManyRows { rows, max } => {
                format!("Có {rows} dòng, vượt quá giới hạn {max} dòng cho một tài liệu; hãy chia nhỏ khoảng thời gian.")
            }
            Self::Template { .. } => {
                "Không tạo được biểu mẫu do lỗi mẫu trình bày; vui lòng báo quản trị hệ thống.".into()
            }
            Self::Export { .. } => "Không xuất được tệp PDF; vui lòng báo quản trị hệ thống.".into(),
        }
    }

    /// Message for English users.
    pub fn message_en(&self) -> String {
        match self {
            Self::FormNotInRegime { regime, kind } => format!(
                "The forms of circular {} have no {kind:?} form.",
                motcua_core::dossiers::FormSet::of(*regime).circular
            ),
            Self::TooManyRows { rows, max } => {
                format!("{rows} rows exceed the limit of {max} rows per document; split the period.")
            }
            Self::Template { .. } => {
                "The form could not be produced because of a template error; please tell the administrator.".into()
            }
            Self::Export { .. } => "The PDF file could not be produced; please tell the administrator.".into(),
        }
    }
}
