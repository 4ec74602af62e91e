//! motcua-docs: official documents and exports. It holds the CSV and XLSX tables and will hold
//! the PDF forms (typst); it lives apart because those are heavy to compile and change rarely.

pub mod csv;
pub mod docx;
mod error;
pub mod xlsx;

pub use error::DocsError;
