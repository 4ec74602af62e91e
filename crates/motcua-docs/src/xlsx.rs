//! Excel tables (bảng tính .xlsx): one header row and data rows, written with `rust_xlsxwriter`
//! and read back with `calamine`.
//!
//! Writing: every cell is text (number format `@`, also on the whole column, so that codes such
//! as `1.000440` typed later keep their zeros), never a formula: a cell starting with `=`, `+`,
//! `-` or `@` is stored as a string and marked with Excel's quote prefix so that editing it does
//! not turn it into one. The header row is bold, frozen and has a filter; column widths follow
//! the longest line of each column, within bounds.
//!
//! Reading: the first worksheet, as strings, by position: `rows[i]` is spreadsheet row `i + 1`
//! and `rows[i][j]` column `j + 1` (A = 0), so row numbers in messages match what the officer
//! sees. Rows end at their last non-empty cell; empty rows are kept empty. Integers are printed
//! without `.0`, dates as `YYYY-MM-DD` (with ` HH:MM:SS` when there is a time), booleans as
//! `TRUE`/`FALSE`, error cells as Excel shows them (`#N/A`). Memory is bounded by [`MAX_CELLS`].

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::DocsError;

/// Most cells (counting the empty cells before the last non-empty one of each row, and each row)
/// that [`read_table`] accepts: far above a catalog of 10,000 procedures (150,000 cells), well
/// below what would exhaust memory.
pub const MAX_CELLS: usize = 2_000_000;

const MAX_ROWS: usize = 1_048_576;
const MAX_COLS: usize = 16_384;
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 60;

/// Writes one worksheet named `sheet_name` with a bold, frozen header row and the rows below it.
/// Every cell is text, never a formula (module doc). Rows may be shorter or longer than the
/// header.
pub fn write_table(sheet_name: &str, headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, DocsError> {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0).max(headers.len());
    if rows.len() >= MAX_ROWS || width > MAX_COLS {
        return Err(DocsError::XlsxTooManyRows);
    }
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name).map_err(write_error)?;
    let text = Format::new().set_num_format("@");
    let text_quoted = text.clone().set_quote_prefix();
    let bold = text.clone().set_bold();
    let bold_quoted = bold.clone().set_quote_prefix();
    // Column widths in characters: the longest line of the column, within bounds.
    let mut widths = vec![MIN_WIDTH; width];
    let mut measure = |col: usize, s: &str| {
        let longest = s.lines().map(|l| l.chars().count()).max().unwrap_or(0) + 2;
        widths[col] = widths[col].max(longest.min(MAX_WIDTH));
    };
    for (c, h) in headers.iter().enumerate() {
        measure(c, h);
    }
    for r in rows {
        for (c, s) in r.iter().enumerate() {
            measure(c, s);
        }
    }
    for (c, w) in widths.iter().enumerate() {
        let col = c as u16; // < MAX_COLS, checked above
        sheet.set_column_width(col, *w as f64).map_err(write_error)?;
        sheet.set_column_format(col, &text).map_err(write_error)?;
    }
    for (c, h) in headers.iter().enumerate() {
        let f = if looks_like_formula(h) { &bold_quoted } else { &bold };
        sheet
            .write_string_with_format(0, c as u16, *h, f)
            .map_err(|e| cell_error(e, 0, c))?;
    }
    for (r, row) in rows.iter().enumerate() {
        let rn = r + 1;
        for (c, s) in row.iter().enumerate() {
            if s.is_empty() {
                continue;
            }
            let f = if looks_like_formula(s) { &text_quoted } else { &text };
            sheet
                .write_string_with_format(rn as u32, c as u16, s.as_str(), f)
                .map_err(|e| cell_error(e, rn, c))?;
        }
    }
    if !headers.is_empty() {
        sheet.set_freeze_panes(1, 0).map_err(write_error)?;
        sheet
            .autofilter(0, 0, rows.len() as u32, (width - 1) as u16)
            .map_err(write_error)?;
    }
    book.save_to_buffer().map_err(write_error)
}

/// A text a spreadsheet would take for a formula if typed in.
fn looks_like_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@'])
}

fn write_error(e: XlsxError) -> DocsError {
    match e {
        XlsxError::RowColumnLimitError => DocsError::XlsxTooManyRows,
        e => DocsError::XlsxWrite { detail: e.to_string() },
    }
}

fn cell_error(e: XlsxError, row: usize, col: usize) -> DocsError {
    match e {
        XlsxError::MaxStringLengthExceeded => DocsError::XlsxCellTooLong {
            cell: cell_ref(row, col),
        },
        e => write_error(e),
    }
}

/// A1-style reference of a 0-based cell position, e.g. `(11, 2)` → `C12`.
pub fn cell_ref(row: usize, col: usize) -> String {
    format!("{}{}", column_letters(col), row + 1)
}

/// Spreadsheet column letters of a 0-based column: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_letters(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads the first worksheet of an `.xlsx` file as strings (module doc). Errors: not a
/// workbook, password protected, no data, too large. Never panics on any input.
pub fn read_table(bytes: &[u8]) -> Result<Vec<Vec<String>>, DocsError> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(read_error)?;
    let Some(first) = book.sheet_names().into_iter().next() else {
        return Err(DocsError::XlsxEmpty);
    };
    let mut cells = book.worksheet_cells_reader(&first).map_err(read_error)?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut budget = MAX_CELLS;
    let too_large = DocsError::XlsxTooLarge { limit: MAX_CELLS };
    while let Some(cell) = cells.next_cell().map_err(read_error)? {
        let value = text_of(cell.get_value());
        if value.is_empty() {
            continue;
        }
        let (r, c) = cell.get_position();
        let (r, c) = (r as usize, c as usize);
        if r >= MAX_ROWS || c >= MAX_COLS {
            return Err(too_large);
        }
        if rows.len() <= r {
            let added = r + 1 - rows.len();
            budget = budget.checked_sub(added).ok_or(too_large.clone())?;
            rows.resize_with(r + 1, Vec::new);
        }
        let row = &mut rows[r];
        if row.len() <= c {
            let added = c + 1 - row.len();
            budget = budget.checked_sub(added).ok_or(too_large.clone())?;
            row.resize_with(c + 1, String::new);
        }
        row[c] = value;
    }
    if rows.is_empty() {
        return Err(DocsError::XlsxEmpty);
    }
    Ok(rows)
}

fn read_error(e: calamine::XlsxError) -> DocsError {
    match e {
        calamine::XlsxError::Password => DocsError::XlsxPasswordProtected,
        e => DocsError::XlsxUnreadable { detail: e.to_string() },
    }
}

/// A cell as the officer sees it, without the display format.
fn text_of(v: &DataRef<'_>) -> String {
    match v {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        DataRef::DateTime(d) if d.is_datetime() => {
            let (y, m, day, h, min, s, ms) = d.to_ymd_hms_milli();
            if (h, min, s, ms) == (0, 0, 0, 0) {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02} {h:02}:{min:02}:{s:02}")
            }
        }
        DataRef::DateTime(d) => number_text(d.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

/// `3.0` → `3`, `0.5` → `0.5` (shortest text that reads back to the same number).
fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn round_trip_with_vietnamese_text() {
        let rows = vec![
            s(&[
                "1.003542",
                "Cấp giấy phép tiến hành công việc bức xạ",
                "Đăng ký, \"mới\"\ndòng hai",
            ]),
            s(&["", "Thủ tục đánh giá — Sở Khoa học và Công nghệ", "0"]),
            s(&["1.000440"]),
        ];
        let bytes = write_table("Thủ tục", &["mã số", "tên thủ tục", "ghi chú"], &rows).unwrap();
        assert!(bytes.starts_with(b"PK"), "an xlsx is a zip file");
        let back = read_table(&bytes).unwrap();
        assert_eq!(back[0], s(&["mã số", "tên thủ tục", "ghi chú"]));
        assert_eq!(back[1], rows[0]);
        // An empty cell before a value is kept by position; trailing empties are dropped.
        assert_eq!(back[2], rows[1]);
        assert_eq!(back[3], s(&["1.000440"]), "codes stay text with their zeros");
        assert_eq!(back.len(), 4);
    }

    #[test]
    fn a_formula_looking_cell_stays_text() {
        let rows = vec![s(&["=1+1", "+84 912", "-5", "@SUM(A1)", "=HYPERLINK(\"http://x\")"])];
        let bytes = write_table("T", &["a", "b", "c", "d", "e"], &rows).unwrap();
        assert_eq!(read_table(&bytes).unwrap()[1], rows[0]);
        // calamine sees no formula in any cell: they are strings.
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(&bytes[..])).unwrap();
        let formulas = book.worksheet_formula("T").unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "{formulas:?}");
        // Control: a real formula is seen.
        let mut control = Workbook::new();
        control
            .add_worksheet()
            .set_name("T")
            .unwrap()
            .write_formula(0, 0, "=1+1")
            .unwrap();
        let bytes = control.save_to_buffer().unwrap();
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(&bytes[..])).unwrap();
        let formulas = book.worksheet_formula("T").unwrap();
        assert!(formulas.used_cells().any(|(_, _, f)| !f.is_empty()));
    }

    #[test]
    fn numbers_booleans_and_dates_read_as_text() {
        // A workbook written with typed cells, as an officer's own file would have.
        let mut book = Workbook::new();
        let sh = book.add_worksheet();
        sh.write_number(0, 0, 30.0).unwrap();
        sh.write_number(0, 1, 1.5).unwrap();
        sh.write_boolean(0, 2, true).unwrap();
        sh.write_number(2, 3, 1e20).unwrap();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        sh.write_number_with_format(3, 0, 45839.0, &date).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let t = read_table(&bytes).unwrap();
        assert_eq!(t[0], s(&["30", "1.5", "TRUE"]));
        assert!(t[1].is_empty());
        assert_eq!(t[2], s(&["", "", "", "100000000000000000000"]));
        assert_eq!(t[3], s(&["2025-07-01"]));
    }

    #[test]
    fn garbage_and_empty_files_give_clear_errors() {
        for bad in [
            &b""[..],
            b"not a zip",
            b"PK\x03\x04garbage",
            &[0xD0, 0xCF, 0x11, 0xE0, 0, 1, 2],
        ] {
            let e = read_table(bad).unwrap_err();
            assert_eq!(e.code(), "xlsx_unreadable", "{bad:?}");
            assert!(e.message_vi().contains(".xlsx"));
        }
        let empty = write_table("T", &[], &[]).unwrap();
        let e = read_table(&empty).unwrap_err();
        assert_eq!(e.code(), "xlsx_empty");
        assert!(e.message_vi().contains("rỗng"));
    }

    #[test]
    fn limits_are_errors_not_panics() {
        let e = write_table("bad[name]", &["a"], &[]).unwrap_err();
        assert_eq!(e.code(), "xlsx_write_failed");
        let long = "x".repeat(40_000);
        let e = write_table("T", &["a", "b"], &[s(&["", &long])]).unwrap_err();
        assert_eq!(e, DocsError::XlsxCellTooLong { cell: "B2".into() });
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(16_383), "XFD");
    }

    #[test]
    fn truncated_workbooks_do_not_panic() {
        let bytes = write_table("T", &["a"], &[s(&["b"])]).unwrap();
        for cut in (0..bytes.len()).step_by(97) {
            let _ = read_table(&bytes[..cut]);
        }
        let mut flipped = bytes.clone();
        for i in (0..flipped.len()).step_by(53) {
            flipped[i] ^= 0x5A;
        }
        let _ = read_table(&flipped);
    }
}
