//! `motcua catalog import|export`: the procedure catalog in and out of files.
//!
//! Import reads the shared shape (`tthc_skhcn.csv`) from `.csv` or `.xlsx` (first worksheet,
//! header in row 1), or the native JSON (`.json`, what `--format json` exports); the reader is
//! chosen by the file's extension.
//! Every problem is reported by row and column in Vietnamese and English; nothing is written
//! unless the whole file is valid, or `--partial` writes the valid rows. Each imported procedure
//! is published with the given effective date; a row identical to the version in force is left
//! alone, so export then import gives the same catalog.
//!
//! Export writes the procedures in force as the native JSON, or as the shared shape in `.csv`
//! (UTF-8 with BOM) or `.xlsx` ([`motcua_core::catalog::shared_row`]), so that a file exported
//! from one database and imported into another gives the same procedures as far as the shape
//! carries them (all of them for procedures that came from the shape).

use chrono::NaiveDate;
use motcua_core::catalog::{
    CSV_COLUMNS, ImportProblem, ProcedureVersion, Severity, import_csv_bytes, import_rows, shared_row,
};
use motcua_store::catalog::{self, ListFilter};
use motcua_store::events::Actor;
use motcua_store::{Store, StoreError};
use serde::Serialize;

#[derive(clap::Subcommand, Debug, Clone)]
pub enum CatalogCommand {
    /// Import procedures from FILE.csv or FILE.xlsx (the shared shape) or FILE.json (native).
    Import {
        file: std::path::PathBuf,
        /// Check the file and report; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the valid rows and report the others.
        #[arg(long)]
        partial: bool,
        /// Effective date of the imported versions (default: today, UTC+7).
        #[arg(long)]
        effective: Option<String>,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Export the procedures in force: json (native), csv or xlsx (the shared shape); import
    /// reads each back.
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// Write to FILE instead of standard output (needed for xlsx on a terminal).
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
        /// The day the catalog is taken as of (default: today).
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        database_url: Option<String>,
    },
}

/// Export file formats.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// The shared shape as CSV (UTF-8 with BOM, CRLF).
    Csv,
    /// The shared shape as an Excel workbook.
    Xlsx,
    /// The native record, every part of it.
    Json,
}

impl CatalogCommand {
    pub fn database_url(&self) -> Option<&String> {
        match self {
            CatalogCommand::Import { database_url, .. } | CatalogCommand::Export { database_url, .. } => {
                database_url.as_ref()
            }
        }
    }
}

/// What an import did.
#[derive(Debug, Default, Serialize)]
pub struct ImportOutcome {
    pub rows: usize,
    pub created: usize,
    pub amended: usize,
    pub unchanged: usize,
    pub written: bool,
    pub problems: Vec<ImportProblem>,
}

/// Today in Vietnam.
pub fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}

/// Rows read from a file: (row, draft, valid).
pub type ReadRows = Vec<(usize, ProcedureVersion, bool)>;

/// Read a file's drafts, by extension: `.csv` and `.xlsx` (shared shape) or `.json` (native),
/// with problems by row and column.
pub fn read_file(name: &str, bytes: &[u8]) -> (ReadRows, Vec<ImportProblem>) {
    let ext = std::path::Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let report = match ext.as_str() {
        "json" => return read_json(bytes),
        "csv" => import_csv_bytes(bytes),
        "xlsx" => match motcua_docs::xlsx::read_table(bytes) {
            Ok(table) => match table.split_first() {
                Some((header, body)) => import_rows(header, body),
                None => import_rows(&[], &[]),
            },
            Err(e) => return (vec![], vec![file_problem(e.code(), e.message_vi(), e.message_en())]),
        },
        _ => {
            return (
                vec![],
                vec![file_problem(
                    "file_type_unsupported",
                    format!(
                        "Không nhận dạng được loại tệp \"{name}\": cần tệp .csv, .xlsx (Excel 2007 trở về sau; tệp .xls cần lưu lại thành .xlsx) hoặc .json."
                    ),
                    format!(
                        "Unknown file type \"{name}\": expected .csv, .xlsx (Excel 2007 or later; save .xls files as .xlsx) or .json."
                    ),
                )],
            );
        }
    };
    let rows = report.rows.into_iter().map(|r| (r.row, r.draft, r.valid)).collect();
    (rows, report.problems)
}

fn file_problem(code: &str, vi: String, en: String) -> ImportProblem {
    ImportProblem {
        row: 0,
        line: 0,
        column: None,
        code: code.into(),
        severity: Severity::Error,
        message_vi: vi,
        message_en: en,
    }
}

fn read_json(bytes: &[u8]) -> (ReadRows, Vec<ImportProblem>) {
    let list: Vec<ProcedureVersion> = match serde_json::from_slice(bytes) {
        Ok(l) => l,
        Err(e) => {
            return (
                vec![],
                vec![ImportProblem {
                    row: e.line(),
                    line: e.line(),
                    column: None,
                    code: "json_invalid".into(),
                    severity: Severity::Error,
                    message_vi: format!("Tệp JSON không hợp lệ (dòng {}): {e}", e.line()),
                    message_en: format!("Invalid JSON file (line {}): {e}", e.line()),
                }],
            );
        }
    };
    let mut problems = Vec::new();
    let rows = list
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let errs: Vec<_> = v
                .validate()
                .into_iter()
                .filter(|p| p.severity == Severity::Error)
                .collect();
            for p in &errs {
                problems.push(ImportProblem {
                    row: i + 1,
                    line: i + 1,
                    column: Some(p.path.clone()),
                    code: p.code.clone(),
                    severity: Severity::Error,
                    message_vi: format!("Thủ tục thứ {}: {}", i + 1, p.message_vi),
                    message_en: format!("Procedure {}: {}", i + 1, p.message_en),
                });
            }
            (i + 1, v, errs.is_empty())
        })
        .collect();
    (rows, problems)
}

/// Write drafts into the catalog: new procedures are created, changed ones amended, identical
/// ones left alone; each written version is published from `effective`.
pub async fn write_drafts(
    store: &Store,
    actor: &Actor,
    drafts: &[ProcedureVersion],
    effective: NaiveDate,
    decision: &str,
    out: &mut ImportOutcome,
) -> Result<(), StoreError> {
    for d in drafts {
        let input = catalog::input_of(d);
        let key = input.applied_code.clone().or(input.national_code.clone());
        let existing = match &key {
            Some(k) => catalog::procedure_by_code(store.db(), k).await?,
            None => catalog::list_procedures(store.db())
                .await?
                .into_iter()
                .find(|p| p.name == d.name),
        };
        if let Some(p) = &existing
            && let Some(current) = catalog::in_force(store.db(), &p.id, effective).await?
            && serde_json::from_str::<ProcedureVersion>(&current.document)
                .ok()
                .as_ref()
                == Some(d)
        {
            out.unchanged += 1;
            continue;
        }
        let now = chrono::Utc::now();
        let v = catalog::save_draft(store, actor, now, existing.as_ref().map(|p| p.id.as_str()), input).await?;
        catalog::publish(store, actor, now, &v.procedure_id, effective, decision).await?;
        if existing.is_some() {
            out.amended += 1;
        } else {
            out.created += 1;
        }
    }
    Ok(())
}

/// Import a file's bytes (see the module comment).
pub async fn import(
    store: &Store,
    name: &str,
    bytes: &[u8],
    dry_run: bool,
    partial: bool,
    effective: NaiveDate,
) -> Result<ImportOutcome, StoreError> {
    let (rows, problems) = read_file(name, bytes);
    let mut out = ImportOutcome {
        rows: rows.len(),
        problems,
        ..Default::default()
    };
    let has_errors = out.problems.iter().any(|p| p.severity == Severity::Error) || rows.is_empty();
    if dry_run || (has_errors && !partial) {
        return Ok(out);
    }
    let drafts: Vec<ProcedureVersion> = rows.into_iter().filter(|(_, _, ok)| *ok).map(|(_, d, _)| d).collect();
    let actor = Actor {
        id: "cli".into(),
        role: "control_officer".into(),
        unit: String::new(),
    };
    write_drafts(store, &actor, &drafts, effective, &format!("import {name}"), &mut out).await?;
    out.written = true;
    Ok(out)
}

/// The procedures in force on `day`, as the native JSON.
pub async fn export_json(store: &Store, day: NaiveDate) -> Result<String, StoreError> {
    let rows = catalog::in_force_all(store.db(), day, &ListFilter::default()).await?;
    let docs: Vec<serde_json::Value> = rows
        .iter()
        .filter_map(|r| serde_json::from_str(&r.document).ok())
        .collect();
    Ok(serde_json::to_string_pretty(&docs).unwrap_or_default())
}

/// The procedures in force on `day`, each as a row of the shared shape (in [`CSV_COLUMNS`]
/// order).
pub async fn export_rows(store: &Store, day: NaiveDate) -> Result<Vec<Vec<String>>, StoreError> {
    let rows = catalog::in_force_all(store.db(), day, &ListFilter::default()).await?;
    Ok(rows
        .iter()
        .filter_map(|r| serde_json::from_str::<ProcedureVersion>(&r.document).ok())
        .map(|v| shared_row(&v))
        .collect())
}

/// The procedures in force on `day` as the shared shape in CSV (UTF-8 with BOM, CRLF).
pub async fn export_csv(store: &Store, day: NaiveDate) -> Result<String, StoreError> {
    Ok(motcua_docs::csv::write(&CSV_COLUMNS, export_rows(store, day).await?))
}

/// The procedures in force on `day` as the shared shape in an Excel workbook (one sheet,
/// "Thủ tục hành chính").
pub async fn export_xlsx(store: &Store, day: NaiveDate) -> anyhow::Result<Vec<u8>> {
    let rows = export_rows(store, day).await?;
    motcua_docs::xlsx::write_table("Thủ tục hành chính", &CSV_COLUMNS, &rows)
        .map_err(|e| anyhow::anyhow!("{} / {}", e.message_vi(), e.message_en()))
}

/// The export in `format`: the bytes of the file.
pub async fn export(store: &Store, day: NaiveDate, format: ExportFormat) -> anyhow::Result<Vec<u8>> {
    Ok(match format {
        ExportFormat::Json => (export_json(store, day).await? + "\n").into_bytes(),
        ExportFormat::Csv => export_csv(store, day).await?.into_bytes(),
        ExportFormat::Xlsx => export_xlsx(store, day).await?,
    })
}
