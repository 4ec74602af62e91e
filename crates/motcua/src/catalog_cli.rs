//! `motcua catalog import|export`: the procedure catalog in and out of files.
//!
//! Import reads the shared CSV shape (`tthc_skhcn.csv`) or the native JSON (what export writes).
//! Every problem is reported by row and column in Vietnamese and English; nothing is written
//! unless the whole file is valid, or `--partial` writes the valid rows. Each imported procedure
//! is published with the given effective date; a row identical to the version in force is left
//! alone, so export then import gives the same catalog.

use chrono::NaiveDate;
use motcua_core::catalog::{ImportProblem, ProcedureVersion, Severity, import_csv_bytes};
use motcua_store::catalog::{self, ListFilter};
use motcua_store::events::Actor;
use motcua_store::{Store, StoreError};
use serde::Serialize;

#[derive(clap::Subcommand, Debug, Clone)]
pub enum CatalogCommand {
    /// Import procedures from FILE.csv (the shared shape) or FILE.json (native).
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
    /// Export the procedures in force (JSON, the native shape import reads).
    Export {
        #[arg(long, default_value = "json")]
        format: String,
        /// The day the catalog is taken as of (default: today).
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        database_url: Option<String>,
    },
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

/// Read a file's drafts: CSV (shared shape) or JSON (native), with problems by row.
pub fn read_file(name: &str, bytes: &[u8]) -> (Vec<(usize, ProcedureVersion, bool)>, Vec<ImportProblem>) {
    if name.ends_with(".json") {
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
    } else {
        let report = import_csv_bytes(bytes);
        let rows = report.rows.into_iter().map(|r| (r.row, r.draft, r.valid)).collect();
        (rows, report.problems)
    }
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
