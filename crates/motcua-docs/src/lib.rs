//! motcua-docs: official documents and exports. It will hold the PDF forms (typst) and XLSX
//! files; it lives apart because those are heavy to compile and change rarely.

pub mod csv;
