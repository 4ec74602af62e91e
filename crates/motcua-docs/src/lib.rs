//! motcua-docs: official documents and exports — the one-stop forms as PDF (typst), Word form
//! templates, CSV and XLSX tables. It lives apart because typst is heavy to compile and changes
//! rarely.

pub mod csv;
pub mod docx;
mod error;
pub mod pdf;
pub mod xlsx;

pub use error::DocsError;
pub use pdf::PdfError;
