//! Procedure catalog (danh mục thủ tục hành chính): codes, versioned procedure records, public
//! search, version differences, publication timeliness, completeness and CSV import.
//!
//! Pure functions only: no I/O, no clock. Dates such as "today" are parameters.
//!
//! * [`codes`] — [`NationalCode`] (mã số TTHC `d.dddddd`) and [`AppliedCode`]
//!   (`1.003542.000.00.00.H50`), legal-facts §5.4.
//! * [`procedure`] — [`ProcedureVersion`]: the parts of NĐ 63/2010 Điều 8 khoản 2 with time
//!   limit and fees per channel, dossier components with case variants, internal workflow;
//!   [`ProcedureVersion::validate`] returns every [`Problem`].
//! * [`search`] — [`fold`] (không dấu) and [`rank`] / [`Query`]: phrase, all words, one typo.
//! * [`diff`](mod@diff) — field-by-field [`Change`]s between two versions.
//! * [`timeliness`] — QĐ 766 indicators 1.1 and 1.2 with [`TimelinessRules`].
//! * [`decision`] — publication decisions (quyết định công bố), their items and verdicts.
//! * [`editor`] — the back office's draft form, one line per item.
//! * [`completeness`](mod@completeness) — QĐ 766 indicator 1.3, parts a–g.
//! * [`import`] — the shared CSV shape, from CSV text or spreadsheet rows ([`import_rows`]),
//!   with a small RFC 4180 reader ([`csv`]); [`export`] writes a procedure back as a row of it
//!   ([`shared_row`]).

pub mod codes;
pub mod completeness;
pub mod csv;
pub mod decision;
pub mod diff;
pub mod editor;
pub mod export;
pub mod import;
mod problem;
pub mod procedure;
pub mod search;
pub mod timeliness;

pub use codes::{AppliedCode, CodeError, NationalCode};
pub use completeness::{Completeness, Part, completeness, has_part};
pub use csv::{CsvError, CsvRecord, parse_csv, parse_csv_bytes, quote_field};
pub use decision::{Decision, DecisionItem, FieldCounts, ItemKind, ItemTimeliness, statistics};
pub use diff::{Change, ChangeKind, diff};
pub use editor::EditorForm;
pub use export::shared_row;
pub use import::{
    CSV_COLUMNS, ImportProblem, ImportReport, ImportedRow, import_csv, import_csv_bytes, import_rows, parse_dong,
};
pub use problem::{Problem, Severity, has_errors};
pub use procedure::{
    CaseVariant, Channel, ChannelSpec, Component, CopyType, Fee, FeeKind, FormTemplate, LegalDocument, Level,
    OnlineLevel, ProcedureVersion, Requirement, ResultSpec, Step, WORKING_HOURS_PER_DAY, WorkflowStep,
};
pub use search::{MatchKind, Query, Score, SearchIndex, fold, rank, within_one_edit};
pub use timeliness::{
    Timeliness, TimelinessError, TimelinessRules, Verdict, WorkingDayOracle, decision_timeliness,
    publication_timeliness, step_working_days,
};
