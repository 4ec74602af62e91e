//! Errors of document reading and writing, with stable codes and messages in Vietnamese and
//! English (lỗi đọc/ghi tệp).

/// Why a document could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocsError {
    /// The bytes are not an XLSX workbook (không đọc được tệp Excel).
    #[error("the file is not a readable .xlsx workbook: {detail}")]
    XlsxUnreadable {
        /// What the reader said, for the log.
        detail: String,
    },
    /// The workbook is protected by a password (tệp có mật khẩu).
    #[error("the workbook is password protected")]
    XlsxPasswordProtected,
    /// No worksheet, or the first worksheet has no cells (tệp rỗng).
    #[error("the workbook has no data in its first worksheet")]
    XlsxEmpty,
    /// More cells than a table import accepts (tệp quá lớn).
    #[error("the worksheet is too large (more than {limit} cells)")]
    XlsxTooLarge {
        /// Most cells accepted.
        limit: usize,
    },
    /// A cell text longer than Excel allows (32,767 characters).
    #[error("cell {cell}: text longer than the 32,767 characters Excel allows")]
    XlsxCellTooLong {
        /// Cell reference, e.g. `C12`.
        cell: String,
    },
    /// More rows or columns than a worksheet holds.
    #[error("the table does not fit in a worksheet (1,048,576 rows, 16,384 columns)")]
    XlsxTooManyRows,
    /// Any other failure to build the workbook (e.g. an invalid sheet name).
    #[error("the workbook could not be written: {detail}")]
    XlsxWrite {
        /// What the writer said.
        detail: String,
    },
    /// A Word document could not be assembled (không tạo được tệp Word).
    #[error("the .docx document could not be written: {detail}")]
    DocxWrite {
        /// What the zip writer said.
        detail: String,
    },
}

impl DocsError {
    /// Stable machine code (mã lỗi).
    pub fn code(&self) -> &'static str {
        match self {
            Self::XlsxUnreadable { .. } => "xlsx_unreadable",
            Self::XlsxPasswordProtected => "xlsx_password_protected",
            Self::XlsxEmpty => "xlsx_empty",
            Self::XlsxTooLarge { .. } => "xlsx_too_large",
            Self::XlsxCellTooLong { .. } => "xlsx_cell_too_long",
            Self::XlsxTooManyRows => "xlsx_too_many_rows",
            Self::XlsxWrite { .. } => "xlsx_write_failed",
            Self::DocxWrite { .. } => "docx_write_failed",
        }
    }

    /// Message in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::XlsxUnreadable { .. } => "Không đọc được tệp: tệp không phải bảng tính Excel .xlsx (Excel 2007 trở về sau) hoặc đã bị hỏng; hãy mở tệp và lưu lại dưới dạng .xlsx.".into(),
            Self::XlsxPasswordProtected => "Tệp Excel được bảo vệ bằng mật khẩu; hãy bỏ mật khẩu rồi nhập lại.".into(),
            Self::XlsxEmpty => "Tệp Excel rỗng: trang tính đầu tiên không có dữ liệu (cần dòng tiêu đề ở dòng 1).".into(),
            Self::XlsxTooLarge { limit } => format!("Trang tính quá lớn (hơn {limit} ô); hãy chia thành nhiều tệp."),
            Self::XlsxCellTooLong { cell } => format!("Ô {cell}: nội dung dài hơn 32.767 ký tự, giới hạn của Excel."),
            Self::XlsxTooManyRows => "Bảng vượt quá giới hạn của một trang tính Excel (1.048.576 dòng, 16.384 cột).".into(),
            Self::XlsxWrite { detail } => format!("Không tạo được tệp Excel: {detail}"),
            Self::DocxWrite { detail } => format!("Không tạo được tệp Word: {detail}"),
        }
    }

    /// Message in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::XlsxUnreadable { .. } => "Cannot read the file: it is not an Excel .xlsx workbook (Excel 2007 or later) or it is damaged; open it and save it as .xlsx.".into(),
            Self::XlsxPasswordProtected => "The Excel file is password protected; remove the password and import again.".into(),
            Self::XlsxEmpty => "The Excel file is empty: its first worksheet has no data (a header is expected in row 1).".into(),
            Self::XlsxTooLarge { limit } => format!("The worksheet is too large (more than {limit} cells); split it into several files."),
            Self::XlsxCellTooLong { cell } => format!("Cell {cell}: text longer than the 32,767 characters Excel allows."),
            Self::XlsxTooManyRows => "The table exceeds an Excel worksheet (1,048,576 rows, 16,384 columns).".into(),
            Self::XlsxWrite { detail } => format!("The Excel file could not be written: {detail}"),
            Self::DocxWrite { detail } => format!("The Word file could not be written: {detail}"),
        }
    }
}
