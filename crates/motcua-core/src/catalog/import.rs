//! Import of the shared catalog CSV shape (nhập danh mục TTHC từ CSV), the columns of
//! `tthc_skhcn.csv`:
//!
//! `ma_so,ky_hieu_day_du,ten_thu_tuc,linh_vuc,cap_thuc_hien,co_quan_thuc_hien,thoi_han_giai_quyet,
//! thoi_han_so,thoi_han_don_vi,phi_le_phi,can_cu_phap_ly,muc_do_dvctt,tinh_nguon,nguon_url,ghi_chu`
//!
//! Each row becomes a draft [`ProcedureVersion`]; every problem names its row (header = row 1,
//! as a spreadsheet shows it), its column and says what is wrong in Vietnamese and English.
//!
//! Decisions (documented because the CSV is not the full record):
//! * **National code optional.** `ma_so` may be empty: several published procedures (old local
//!   catalogues, pages showing only an internal id) have none. Such a draft has
//!   `national_code = None`; the catalog keys it by applied or legacy code, or by its own id.
//! * `ky_hieu_day_du`: an applied code (`1.003542.000.00.00.H50`, `1.014393.H38`); equal to the
//!   national code → no applied code; an old-database code (`T-HTI-213814-TT`) → `legacy_code`.
//! * Time limit: `ngày làm việc` → working days (`wd`), `ngày` → calendar days (`d`), `tháng` →
//!   months (`m`), `giờ làm việc` → working hours (`wh`) — never `ngày` as working days
//!   (shared data README). `0` with `ngày`/`ngày làm việc` (published "Trong ngày") → same day.
//! * Channels: the CSV has no channel column. Channels named in `ghi_chu` ("trực tiếp" or
//!   "nộp tại …", "trực tuyến", "bưu chính"/"bưu điện") are used; otherwise in person; online is added when the online
//!   level is full or partial. Every channel gets the row's time limit and fees.
//! * Online level: `Toàn trình` and the old `Mức độ 4` (NĐ 43/2011) → full; `Một phần` and
//!   `Mức độ 3` → partial; `Mức độ 1`/`2` → none (NĐ 42/2022 collapsed the four levels into two,
//!   legal-facts §7.2). Full → eligible for full online.
//! * Fees: items split at `;` and at sentence ends; the trailing number is the amount in đồng
//!   (`200.000 đồng` → 200000); `Không`/`0` → 0; text without an amount is kept with
//!   `amount = None` and a warning. A whole cell `Không` → free of charge, no items.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::codes::{AppliedCode, NationalCode};
use super::csv::{CsvError, CsvRecord, parse_csv, parse_csv_bytes};
use super::problem::Severity;
use super::procedure::{Channel, ChannelSpec, Fee, FeeKind, LegalDocument, Level, OnlineLevel, ProcedureVersion};
use super::search::fold;
use crate::calendar::Duration;

/// The columns of the shared CSV shape, in order.
pub const CSV_COLUMNS: [&str; 15] = [
    "ma_so",
    "ky_hieu_day_du",
    "ten_thu_tuc",
    "linh_vuc",
    "cap_thuc_hien",
    "co_quan_thuc_hien",
    "thoi_han_giai_quyet",
    "thoi_han_so",
    "thoi_han_don_vi",
    "phi_le_phi",
    "can_cu_phap_ly",
    "muc_do_dvctt",
    "tinh_nguon",
    "nguon_url",
    "ghi_chu",
];

/// A problem of an imported file, placed by row and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProblem {
    /// Row as a spreadsheet numbers it: header = 1, first data row = 2.
    pub row: usize,
    /// Physical line where the row starts (differs from `row` after cells with line breaks).
    pub line: usize,
    /// Column name, when the problem is in one cell.
    pub column: Option<String>,
    /// Stable machine code, e.g. `national_code_invalid`.
    pub code: String,
    /// Error (the row is not imported) or warning.
    pub severity: Severity,
    /// Message in Vietnamese, naming the row and column.
    pub message_vi: String,
    /// Message in English.
    pub message_en: String,
}

/// One imported row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedRow {
    /// Spreadsheet row (header = 1).
    pub row: usize,
    /// Physical line.
    pub line: usize,
    /// The draft built from the row (as far as it could be read).
    pub draft: ProcedureVersion,
    /// No error on this row.
    pub valid: bool,
}

/// Result of reading a file: the rows and every problem.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImportReport {
    /// Rows read (empty if the file or its header is unusable).
    pub rows: Vec<ImportedRow>,
    /// Every problem, in row order.
    pub problems: Vec<ImportProblem>,
}

impl ImportReport {
    /// No error anywhere: the whole file may be written.
    pub fn is_valid(&self) -> bool {
        !self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    /// The drafts of the rows without error (for a `--partial` import).
    pub fn valid_drafts(&self) -> impl Iterator<Item = &ProcedureVersion> {
        self.rows.iter().filter(|r| r.valid).map(|r| &r.draft)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.problems.iter().filter(|p| p.severity == Severity::Error).count()
    }
}

/// Reads the shared CSV shape from bytes (must be UTF-8; a BOM is allowed).
pub fn import_csv_bytes(bytes: &[u8]) -> ImportReport {
    from_records(parse_csv_bytes(bytes))
}

/// Reads the shared CSV shape from text.
pub fn import_csv(text: &str) -> ImportReport {
    from_records(parse_csv(text))
}

/// Reads the shared shape from a table that did not come from CSV text, e.g. the first
/// worksheet of an `.xlsx` file: `header` is spreadsheet row 1 and `rows[i]` is row `i + 2`;
/// cell `j` of a row is column `j + 1` (A). Problems give that row as both `row` and `line`,
/// and name the cell (`ô C5`) besides the column.
///
/// Unlike CSV, rows may be ragged (a spreadsheet stores no empty cells): missing cells are
/// empty, rows with no text at all are skipped, and a non-empty cell under no header (after the
/// last header cell or under a blank one) is an error of its row.
pub fn import_rows(header: &[String], rows: &[Vec<String>]) -> ImportReport {
    let blank = |r: &[String]| r.iter().all(|c| c.trim().is_empty());
    if blank(header) && rows.iter().all(|r| blank(r)) {
        let mut report = ImportReport::default();
        report.problems.push(empty_file_problem());
        return report;
    }
    let body = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !blank(r))
        .map(|(i, r)| TableRow {
            row: i + 2,
            line: i + 2,
            fields: r,
        });
    import_table(header, body, Source::Sheet)
}

fn from_records(parsed: Result<Vec<CsvRecord>, CsvError>) -> ImportReport {
    let records = match parsed {
        Ok(r) => r,
        Err(e) => {
            let mut report = ImportReport::default();
            report.problems.push(ImportProblem {
                row: 0,
                line: e.line(),
                column: None,
                code: e.code().to_owned(),
                severity: Severity::Error,
                message_vi: e.message_vi(),
                message_en: e.message_en(),
            });
            return report;
        }
    };
    let Some((header, body)) = records.split_first() else {
        let mut report = ImportReport::default();
        report.problems.push(empty_file_problem());
        return report;
    };
    let body = body.iter().enumerate().map(|(i, rec)| TableRow {
        row: i + 2,
        line: rec.line,
        fields: &rec.fields,
    });
    import_table(&header.fields, body, Source::Csv)
}

fn empty_file_problem() -> ImportProblem {
    file_problem(
        "csv_empty",
        "Tệp rỗng: cần dòng tiêu đề với các cột ".to_owned() + &CSV_COLUMNS.join(","),
        "The file is empty: a header row with the columns ".to_owned() + &CSV_COLUMNS.join(",") + " is needed",
    )
}

/// Where a table's rows came from: decides the width rule, the `'=` unescaping and whether
/// messages name the cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// CSV text: every record as wide as the header.
    Csv,
    /// A spreadsheet: ragged rows, cells named `C5`.
    Sheet,
}

/// One data row of a table, placed in its file.
struct TableRow<'a> {
    row: usize,
    line: usize,
    fields: &'a [String],
}

/// The one import of the shared shape, whatever the file format.
fn import_table<'a>(header: &[String], body: impl Iterator<Item = TableRow<'a>>, source: Source) -> ImportReport {
    let mut report = ImportReport::default();
    let Some(index) = header_index(header, source, &mut report.problems) else {
        return report;
    };
    for rec in body {
        let row = rec.row;
        let mut problems = Vec::new();
        let width_problem = match source {
            Source::Csv if rec.fields.len() != header.len() => Some((
                "csv_row_width",
                format!(
                    "Dòng {row}: có {} cột, tiêu đề có {} cột.",
                    rec.fields.len(),
                    header.len()
                ),
                format!(
                    "Row {row}: {} fields, the header has {}.",
                    rec.fields.len(),
                    header.len()
                ),
            )),
            Source::Csv => None,
            Source::Sheet => rec
                .fields
                .iter()
                .enumerate()
                .find(|(j, c)| !c.trim().is_empty() && header.get(*j).is_none_or(|h| h.trim().is_empty()))
                .map(|(j, _)| {
                    let cell = format!("{}{row}", column_letters(j));
                    (
                        "cell_without_header",
                        format!(
                            "Dòng {row}: ô {cell} có dữ liệu nhưng cột {} không có tiêu đề.",
                            column_letters(j)
                        ),
                        format!(
                            "Row {row}: cell {cell} holds data but column {} has no header.",
                            column_letters(j)
                        ),
                    )
                }),
        };
        let draft = if let Some((code, vi, en)) = width_problem {
            problems.push(ImportProblem {
                row,
                line: rec.line,
                column: None,
                code: code.into(),
                severity: Severity::Error,
                message_vi: vi,
                message_en: en,
            });
            ProcedureVersion::default()
        } else {
            let mut cells = [""; 15];
            for (c, v) in cells.iter_mut().enumerate() {
                let raw = rec.fields.get(index[c]).map_or("", |f| f.trim());
                *v = match source {
                    Source::Csv => unescape_csv_cell(raw),
                    Source::Sheet => raw,
                };
            }
            let mut ctx = RowCtx {
                row,
                line: rec.line,
                cells: (source == Source::Sheet).then_some(index),
                problems: &mut problems,
            };
            let draft = row_to_draft(&cells, &mut ctx);
            for p in draft.validate() {
                // Reported above with the cell that holds them.
                if matches!(p.code.as_str(), "name_empty" | "applied_code_mismatch") {
                    continue;
                }
                let col = column_of_path(&p.path);
                ctx.push(col, p.severity, &p.code, p.message_vi, p.message_en);
            }
            draft
        };
        // In column order, as the officer reads the row.
        problems.sort_by_key(|p| {
            p.column
                .as_deref()
                .and_then(|c| CSV_COLUMNS.iter().position(|x| *x == c))
                .unwrap_or(usize::MAX)
        });
        let valid = !problems.iter().any(|p| p.severity == Severity::Error);
        report.rows.push(ImportedRow {
            row,
            line: rec.line,
            draft,
            valid,
        });
        report.problems.extend(problems);
    }
    report
}

/// Undoes the formula guard of CSV exports (`'=x` → `=x`, see `motcua_docs::csv::write`), so
/// that export then import gives back the same text.
fn unescape_csv_cell(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => s,
    }
}

/// Spreadsheet column letters of a 0-based column: 0 → `A`, 26 → `AA`.
fn column_letters(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        out.push(char::from(b'A' + ((n - 1) % 26) as u8));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

fn file_problem(code: &str, vi: String, en: String) -> ImportProblem {
    ImportProblem {
        row: 1,
        line: 1,
        column: None,
        code: code.into(),
        severity: Severity::Error,
        message_vi: vi,
        message_en: en,
    }
}

/// Maps each expected column to its position; reports missing, duplicate and unknown columns.
/// In a spreadsheet, blank header cells are not columns.
fn header_index(header: &[String], source: Source, problems: &mut Vec<ImportProblem>) -> Option<[usize; 15]> {
    let names: Vec<String> = header.iter().map(|f| f.trim().to_lowercase()).collect();
    let mut index = [0usize; 15];
    let mut missing = Vec::new();
    for (c, col) in CSV_COLUMNS.iter().enumerate() {
        match names.iter().position(|n| n == col) {
            Some(p) => index[c] = p,
            None => missing.push(*col),
        }
    }
    let mut seen = BTreeSet::new();
    for n in &names {
        if source == Source::Sheet && n.is_empty() {
            continue;
        }
        if !seen.insert(n.as_str()) {
            problems.push(ImportProblem {
                column: Some(n.clone()),
                ..file_problem(
                    "csv_header_duplicate",
                    format!("Dòng tiêu đề: cột \"{n}\" xuất hiện hai lần."),
                    format!("Header row: column \"{n}\" appears twice."),
                )
            });
        } else if !CSV_COLUMNS.contains(&n.as_str()) {
            problems.push(ImportProblem {
                column: Some(n.clone()),
                severity: Severity::Warning,
                ..file_problem(
                    "csv_header_unknown",
                    format!("Dòng tiêu đề: cột \"{n}\" không thuộc mẫu và sẽ bị bỏ qua."),
                    format!("Header row: column \"{n}\" is not part of the shape and is ignored."),
                )
            });
        }
    }
    if !missing.is_empty() {
        let list = missing.join(", ");
        problems.push(file_problem(
            "csv_header_invalid",
            format!(
                "Dòng tiêu đề thiếu cột: {list}. Tiêu đề cần có các cột: {}.",
                CSV_COLUMNS.join(",")
            ),
            format!(
                "The header row lacks the columns: {list}. Expected columns: {}.",
                CSV_COLUMNS.join(",")
            ),
        ));
    }
    let fatal = problems.iter().any(|p| p.severity == Severity::Error);
    (!fatal).then_some(index)
}

struct RowCtx<'a> {
    row: usize,
    line: usize,
    /// Positions of the columns, when messages should name the cell (spreadsheets).
    cells: Option<[usize; 15]>,
    problems: &'a mut Vec<ImportProblem>,
}

impl RowCtx<'_> {
    fn push(&mut self, col: Option<usize>, severity: Severity, code: &str, vi: String, en: String) {
        let column = col.map(|c| CSV_COLUMNS[c].to_owned());
        let cell = match (col, self.cells) {
            (Some(c), Some(index)) => Some(format!("{}{}", column_letters(index[c]), self.row)),
            _ => None,
        };
        let (wvi, wen) = match (&column, cell) {
            (Some(c), Some(cell)) => (
                format!("Dòng {}, cột \"{c}\" (ô {cell}): ", self.row),
                format!("Row {}, column \"{c}\" (cell {cell}): ", self.row),
            ),
            (Some(c), None) => (
                format!("Dòng {}, cột \"{c}\": ", self.row),
                format!("Row {}, column \"{c}\": ", self.row),
            ),
            (None, _) => (format!("Dòng {}: ", self.row), format!("Row {}: ", self.row)),
        };
        self.problems.push(ImportProblem {
            row: self.row,
            line: self.line,
            column,
            code: code.to_owned(),
            severity,
            message_vi: wvi + &vi,
            message_en: wen + &en,
        });
    }
    fn error(&mut self, col: usize, code: &str, vi: String, en: String) {
        self.push(Some(col), Severity::Error, code, vi, en);
    }
    fn warn(&mut self, col: usize, code: &str, vi: String, en: String) {
        self.push(Some(col), Severity::Warning, code, vi, en);
    }
}

/// The CSV column that holds a record field (for placing validation problems).
fn column_of_path(path: &str) -> Option<usize> {
    let head = path.split(['.', '[']).next().unwrap_or_default();
    Some(match head {
        "name" => TEN,
        "national_code" => MA_SO,
        "applied_code" => KY_HIEU,
        "legal_basis" => CAN_CU,
        "online_level" | "full_online_eligible" => MUC_DO,
        "channels" if path.contains("fees") => PHI,
        "channels" => THOI_HAN_SO,
        _ => return None,
    })
}

const MA_SO: usize = 0;
const KY_HIEU: usize = 1;
const TEN: usize = 2;
const LINH_VUC: usize = 3;
const CAP: usize = 4;
const CO_QUAN: usize = 5;
const THOI_HAN: usize = 6;
const THOI_HAN_SO: usize = 7;
const THOI_HAN_DON_VI: usize = 8;
const PHI: usize = 9;
const CAN_CU: usize = 10;
const MUC_DO: usize = 11;
const NGUON_URL: usize = 13;
const GHI_CHU: usize = 14;

fn row_to_draft(cells: &[&str; 15], ctx: &mut RowCtx<'_>) -> ProcedureVersion {
    let mut v = ProcedureVersion {
        name: cells[TEN].to_owned(),
        field: cells[LINH_VUC].to_owned(),
        agency: cells[CO_QUAN].to_owned(),
        time_limit_text: cells[THOI_HAN].to_owned(),
        fees_text: cells[PHI].to_owned(),
        notes: cells[GHI_CHU].to_owned(),
        source_url: (!cells[NGUON_URL].is_empty()).then(|| cells[NGUON_URL].to_owned()),
        ..Default::default()
    };
    if v.name.is_empty() {
        ctx.error(
            TEN,
            "name_empty",
            "tên thủ tục hành chính không được để trống.".into(),
            "the procedure name must not be empty.".into(),
        );
    }
    // Codes.
    if !cells[MA_SO].is_empty() {
        match NationalCode::parse(cells[MA_SO]) {
            Ok(c) => v.national_code = Some(c),
            Err(e) => ctx.error(MA_SO, e.code(), e.message_vi(), e.message_en()),
        }
    }
    let ky = cells[KY_HIEU];
    if !ky.is_empty() && Some(ky) != v.national_code.as_ref().map(NationalCode::as_str) {
        match AppliedCode::parse(ky) {
            Ok(a) => {
                if let Some(n) = &v.national_code
                    && a.national() != *n
                {
                    ctx.error(
                        KY_HIEU,
                        "applied_code_mismatch",
                        format!("mã áp dụng {a} không thuộc mã số TTHC {n}."),
                        format!("the applied code {a} does not belong to the national code {n}."),
                    );
                }
                v.applied_code = Some(a);
            }
            Err(_) if is_legacy_code(ky) => v.legacy_code = Some(ky.to_owned()),
            Err(e) => ctx.error(KY_HIEU, e.code(), e.message_vi(), e.message_en()),
        }
    }
    // Level.
    let level = fold(cells[CAP]);
    v.level = match level.as_str() {
        "" => None,
        "cap tinh" | "tinh" => Some(Level::Province),
        "cap xa" | "xa" => Some(Level::Commune),
        "cap bo" | "bo" | "cap trung uong" | "trung uong" => Some(Level::Ministry),
        _ => {
            ctx.warn(
                CAP,
                "level_unknown",
                format!(
                    "cấp thực hiện \"{}\" không được nhận biết (cần Cấp tỉnh, Cấp xã hoặc Cấp bộ; cấp huyện đã bỏ từ 01/7/2025); bỏ trống.",
                    cells[CAP]
                ),
                format!(
                    "level \"{}\" is not recognised (expected Cấp tỉnh, Cấp xã or Cấp bộ; the district level ended on 2025-07-01); left empty.",
                    cells[CAP]
                ),
            );
            None
        }
    };
    // Online level (NĐ 42/2022).
    let muc = fold(cells[MUC_DO]);
    v.online_level = match muc.as_str() {
        "" => None,
        "toan trinh" | "muc do 4" | "dvc truc tuyen toan trinh" => Some(OnlineLevel::Full),
        "mot phan" | "muc do 3" | "dvc truc tuyen mot phan" => Some(OnlineLevel::Partial),
        "muc do 1" | "muc do 2" | "khong" => Some(OnlineLevel::None),
        _ => {
            ctx.warn(
                MUC_DO,
                "online_level_unknown",
                format!(
                    "mức độ DVC trực tuyến \"{}\" không được nhận biết (cần Toàn trình hoặc Một phần); bỏ trống.",
                    cells[MUC_DO]
                ),
                format!(
                    "online level \"{}\" is not recognised (expected Toàn trình or Một phần); left empty.",
                    cells[MUC_DO]
                ),
            );
            None
        }
    };
    v.full_online_eligible = v.online_level == Some(OnlineLevel::Full);
    // Time limit.
    let (time_limit, same_day) = parse_time_limit(cells[THOI_HAN_SO], cells[THOI_HAN_DON_VI], ctx);
    // Fees.
    let (fees, free) = parse_fees(cells[PHI], ctx);
    v.free_of_charge = free;
    // Legal basis.
    v.legal_basis = parse_legal_basis(cells[CAN_CU]);
    // Channels.
    let note = fold(cells[GHI_CHU]);
    let mut channels = BTreeSet::new();
    // "Nộp tại Trung tâm PVHCC / Bộ phận một cửa" is submission in person.
    if note.contains("truc tiep") || note.contains("nop tai") || note.contains("mot cua") {
        channels.insert(Channel::InPerson);
    }
    if note.contains("truc tuyen") {
        channels.insert(Channel::Online);
    }
    if note.contains("buu chinh") || note.contains("buu dien") {
        channels.insert(Channel::Postal);
    }
    if channels.is_empty() {
        channels.insert(Channel::InPerson);
    }
    if matches!(v.online_level, Some(OnlineLevel::Full | OnlineLevel::Partial)) {
        channels.insert(Channel::Online);
    }
    v.channels = channels
        .into_iter()
        .map(|channel| ChannelSpec {
            channel,
            time_limit,
            same_day,
            fees: fees.clone(),
            workflow: Vec::new(),
        })
        .collect();
    v
}

/// Codes of the old national database, e.g. `T-HTI-213814-TT`, `T-BDI-132116-TT`.
fn is_legacy_code(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 4
        && parts[0] == "T"
        && parts[1].len() == 3
        && parts[1].bytes().all(|b| b.is_ascii_uppercase())
        && !parts[2].is_empty()
        && parts[2].bytes().all(|b| b.is_ascii_digit())
        && parts[3] == "TT"
}

/// Number and unit → duration; `0` days → same day. Shared data README: "ngày làm việc" =
/// working days, "ngày" = calendar days, "tháng" = months.
fn parse_time_limit(number: &str, unit: &str, ctx: &mut RowCtx<'_>) -> (Option<Duration>, bool) {
    if number.is_empty() {
        if !unit.is_empty() {
            ctx.error(
                THOI_HAN_SO,
                "time_limit_number_missing",
                format!("có đơn vị thời hạn \"{unit}\" nhưng thiếu số."),
                format!("the time limit unit \"{unit}\" is given without a number."),
            );
        }
        return (None, false);
    }
    let Ok(n) = number.parse::<u32>() else {
        ctx.error(
            THOI_HAN_SO,
            "time_limit_number_invalid",
            format!("thời hạn \"{number}\" không phải số nguyên không âm."),
            format!("the time limit \"{number}\" is not a non-negative whole number."),
        );
        return (None, false);
    };
    let make: fn(u32) -> Duration = match fold(unit).as_str() {
        "ngay lam viec" => Duration::WorkingDays,
        "ngay" => Duration::Days,
        "thang" => Duration::Months,
        "gio lam viec" => Duration::WorkingHours,
        "" => {
            ctx.error(
                THOI_HAN_DON_VI,
                "time_limit_unit_missing",
                format!("thời hạn {n} thiếu đơn vị (ngày làm việc, ngày, tháng hoặc giờ làm việc)."),
                format!("the time limit {n} has no unit (ngày làm việc, ngày, tháng or giờ làm việc)."),
            );
            return (None, false);
        }
        _ => {
            ctx.error(
                THOI_HAN_DON_VI,
                "time_limit_unit_invalid",
                format!("đơn vị \"{unit}\" không hợp lệ: cần \"ngày làm việc\", \"ngày\", \"tháng\" hoặc \"giờ làm việc\"."),
                format!("unit \"{unit}\" is invalid: expected \"ngày làm việc\" (working days), \"ngày\" (days), \"tháng\" (months) or \"giờ làm việc\" (working hours)."),
            );
            return (None, false);
        }
    };
    let d = make(n);
    if n == 0 && matches!(d, Duration::Days(_) | Duration::WorkingDays(_)) {
        return (None, true);
    }
    match d.validate() {
        Ok(d) => (Some(d), false),
        Err(e) => {
            ctx.error(THOI_HAN_SO, "time_limit_invalid", e.message_vi(), e.message_en());
            (None, false)
        }
    }
}

/// Parses an amount in đồng: `200.000`, `2.000.000`, `250000`, `1,000,000`, `0`.
pub fn parse_dong(token: &str) -> Option<u64> {
    let t = token.trim().trim_end_matches(['đ', 'Đ']);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b',') {
        return None;
    }
    let groups: Vec<&str> = t.split(['.', ',']).collect();
    let ok = groups.len() == 1
        || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    if !ok {
        return None;
    }
    groups.concat().parse().ok()
}

fn is_currency(word: &str) -> bool {
    matches!(fold(word).as_str(), "dong" | "d" | "vnd" | "vn d")
}

fn is_zero_word(s: &str) -> bool {
    matches!(
        fold(s).as_str(),
        "khong" | "0" | "mien" | "mien phi" | "khong thu" | "khong co"
    )
}

/// Splits at `;` and at sentence ends (`. ` followed by an upper-case letter), keeping the
/// thousands dots of amounts.
fn split_items(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in text.split(';') {
        let chars: Vec<char> = part.chars().collect();
        let mut cur = String::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '.' && chars.get(i + 1).is_some_and(|n| n.is_whitespace()) {
                let next = chars[i + 1..].iter().find(|n| !n.is_whitespace());
                if next.is_some_and(|n| n.is_uppercase()) {
                    out.push(std::mem::take(&mut cur));
                    i += 1;
                    continue;
                }
            }
            cur.push(c);
            i += 1;
        }
        out.push(cur);
    }
    out.into_iter()
        .map(|s| s.trim().trim_end_matches('.').trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The value part of an item: (name words before the amount, amount).
fn split_amount(value: &str) -> (String, Option<u64>) {
    if is_zero_word(value) {
        return (String::new(), Some(0));
    }
    let mut words: Vec<&str> = value.split_whitespace().collect();
    while words.last().is_some_and(|w| is_currency(w)) {
        words.pop();
    }
    if let Some(last) = words.last()
        && let Some(n) = parse_dong(last)
    {
        words.pop();
        return (words.join(" "), Some(n));
    }
    (value.trim().to_owned(), None)
}

fn fee_kind(name: &str) -> FeeKind {
    let f = fold(name);
    if f.starts_with("le phi") {
        FeeKind::Charge
    } else if f.starts_with("phi") {
        FeeKind::Fee
    } else {
        FeeKind::Other
    }
}

/// Fees text → items and whether the procedure is free of charge.
fn parse_fees(text: &str, ctx: &mut RowCtx<'_>) -> (Vec<Fee>, bool) {
    if text.is_empty() {
        return (Vec::new(), false);
    }
    if is_zero_word(text) {
        return (Vec::new(), true);
    }
    if fold(text).starts_with("dang cap nhat") {
        ctx.warn(
            PHI,
            "fees_pending",
            format!("phí, lệ phí \"{text}\" chưa có số liệu; không tạo khoản phí."),
            format!("fees \"{text}\" are not stated yet; no fee item created."),
        );
        return (Vec::new(), false);
    }
    let mut items = Vec::new();
    let mut group: Option<String> = None;
    for piece in split_items(text) {
        let (label, value) = match piece.rfind(':') {
            Some(p) => (Some(piece[..p].trim().to_owned()), piece[p + 1..].trim().to_owned()),
            None => (None, piece.clone()),
        };
        let (rest, amount) = split_amount(&value);
        let name = match label {
            Some(l) if rest.is_empty() => {
                group = None;
                l
            }
            Some(l) => {
                let n = format!("{l}: {rest}");
                group = Some(l);
                n
            }
            None => match &group {
                Some(g) => format!("{g}: {rest}"),
                None => rest,
            },
        };
        let name = if name.is_empty() { piece.clone() } else { name };
        if amount.is_none() {
            ctx.warn(
                PHI,
                "fee_amount_unparsed",
                format!("khoản phí \"{piece}\" không có số tiền cố định; giữ nguyên văn bản."),
                format!("fee item \"{piece}\" has no fixed amount; the text is kept."),
            );
        }
        let kind = match fee_kind(&name) {
            FeeKind::Other => group.as_deref().map(fee_kind).unwrap_or(FeeKind::Other),
            k => k,
        };
        items.push(Fee {
            name,
            kind,
            amount,
            text: piece,
            variants: Vec::new(),
        });
    }
    let free = !items.is_empty() && items.iter().all(|f| f.amount == Some(0));
    (items, free)
}

/// Issuer of a legal document from its symbol (ký hiệu), e.g. `NĐ-CP` → Chính phủ.
fn issuer_of(number: &str) -> Option<&'static str> {
    let sym = number.rsplit('/').next().unwrap_or_default();
    let org = sym.rsplit('-').next().unwrap_or_default();
    Some(match org {
        "CP" => "Chính phủ",
        "TTg" => "Thủ tướng Chính phủ",
        "BKHCN" => "Bộ Khoa học và Công nghệ",
        "BTC" => "Bộ Tài chính",
        "BTTTT" => "Bộ Thông tin và Truyền thông",
        "VPCP" => "Văn phòng Chính phủ",
        "UBND" => "Ủy ban nhân dân",
        _ if org.starts_with("QH") => "Quốc hội",
        _ => return None,
    })
}

/// `can_cu_phap_ly` → documents, split at `;`. Number: the first `n/yyyy/SYMBOL` token; date:
/// the first `d/m/yyyy` token.
fn parse_legal_basis(text: &str) -> Vec<LegalDocument> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            let tokens = item.split(|c: char| c.is_whitespace() || "(),".contains(c));
            let mut number = None;
            let mut date = None;
            for t in tokens {
                let parts: Vec<&str> = t.split('/').collect();
                if parts.len() < 2 || parts[0].is_empty() || !parts[0].bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                if parts
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                {
                    if date.is_none() {
                        date = NaiveDate::parse_from_str(t, "%d/%m/%Y").ok();
                    }
                } else if number.is_none() && parts.last().is_some_and(|p| p.chars().any(char::is_alphabetic)) {
                    number = Some(t.to_owned());
                }
            }
            let issuer = number
                .as_deref()
                .and_then(issuer_of)
                .or_else(|| fold(item).starts_with("luat ").then_some("Quốc hội"));
            LegalDocument {
                number,
                title: item.to_owned(),
                date,
                issuer: issuer.map(str::to_owned),
            }
        })
        .collect()
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
