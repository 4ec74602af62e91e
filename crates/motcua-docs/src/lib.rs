//! motcua-docs: official documents and exports — the one-stop forms as PDF (typst) and CSV
//! files; it lives apart because typst is heavy to compile and changes rarely.

pub mod csv;
pub mod pdf;

pub use pdf::DocsError;
