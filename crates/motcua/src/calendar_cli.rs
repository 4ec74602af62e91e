//! `motcua calendar …`: the working-day calendar on the command line. Each command prints one
//! JSON object on stdout (the same shapes as `/api/v1/calendar/…`); bad input prints one line
//! naming the flag or argument on stderr and exits with status 2.

use motcua_store::Store;
use motcua_store::calendar::CalendarCache;
use motcua_web::api::calendar::{
    self as api, CalendarFailure, DayOut, DueQuestion, InputError, parse_date, parse_year, tet_out, year_out,
};

#[derive(clap::Subcommand, Debug, Clone)]
pub enum CalendarCommand {
    /// One day: working or not, why, legal basis and the lunar date.
    Day {
        /// YYYY-MM-DD
        date: String,
        /// Electronic identifier code of the agency whose hours and closures apply.
        #[arg(long)]
        agency: Option<String>,
        /// National calendar version (default: the current one).
        #[arg(long = "calendar-version")]
        calendar_version: Option<String>,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Tết Nguyên đán (1/1 âm lịch) of a lunar year (no database needed).
    Tet {
        /// Lunar year, -1000..=3000.
        year: String,
    },
    /// The due date of a dossier, with the days off skipped.
    Due {
        /// Receipt instant, e.g. 2024-02-07T10:00:00+07:00 (or local 2024-02-07T10:00).
        #[arg(long)]
        from: Option<String>,
        /// Time limit: 5wd (working days), 8wh (working hours), 30d (days), 1m (months).
        #[arg(long)]
        duration: Option<String>,
        /// Electronic identifier code of the agency whose hours and closures apply.
        #[arg(long)]
        agency: Option<String>,
        /// Same-day cut-off HH:MM: received later counts from the next working day.
        #[arg(long)]
        cutoff: Option<String>,
        /// National calendar version (default: the current one).
        #[arg(long = "calendar-version")]
        calendar_version: Option<String>,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Every non-working weekday and every make-up working day of a year.
    Year {
        /// 1900..=2101
        year: String,
        #[arg(long)]
        agency: Option<String>,
        #[arg(long = "calendar-version")]
        calendar_version: Option<String>,
        #[arg(long)]
        database_url: Option<String>,
    },
}

impl CalendarCommand {
    /// The `--database-url` flag, if any (`tet` needs no database).
    pub fn database_url(&self) -> Option<Option<&String>> {
        match self {
            CalendarCommand::Tet { .. } => None,
            CalendarCommand::Day { database_url, .. }
            | CalendarCommand::Due { database_url, .. }
            | CalendarCommand::Year { database_url, .. } => Some(database_url.as_ref()),
        }
    }
}

/// How a command ended.
pub enum Outcome {
    /// The JSON to print (one object, fields in their documented order).
    Json(String),
    /// Bad input: the line to print on stderr (exit status 2).
    BadInput(String),
}

/// The flag or argument a field comes from.
fn flag(field: &str) -> String {
    match field {
        "date" => "DATE".into(),
        "year" => "YEAR".into(),
        "version" => "--calendar-version".into(),
        f => format!("--{}", f.replace('_', "-")),
    }
}

/// One line: `motcua: --duration: <Vietnamese> / <English>`.
pub fn bad_input_line(e: &InputError) -> String {
    format!("motcua: {}: {} / {}", flag(&e.field), e.message_vi, e.message_en)
}

fn version(v: &Option<String>) -> Result<Option<i64>, InputError> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| api::parse_version("version", s))
        .transpose()
}

/// Runs a calendar command. `store` is `None` only for `tet`.
pub async fn run(cmd: &CalendarCommand, store: Option<&Store>) -> anyhow::Result<Outcome> {
    let cache = CalendarCache::new();
    let r: Result<String, CalendarFailure> = async {
        let need =
            || store.ok_or_else(|| CalendarFailure::Store(motcua_store::StoreError::Config("no database".into())));
        match cmd {
            CalendarCommand::Tet { year } => Ok(serde_json::to_string(&tet_out("year", year)?).unwrap_or_default()),
            CalendarCommand::Day {
                date,
                agency,
                calendar_version,
                ..
            } => {
                let d = parse_date("date", date)?;
                let v = version(calendar_version)?;
                let store = need()?;
                let cal = cache.agency(store, agency.as_deref(), v).await?;
                Ok(serde_json::to_string(&DayOut::from(&cal.day(d))).unwrap_or_default())
            }
            CalendarCommand::Year {
                year,
                agency,
                calendar_version,
                ..
            } => {
                let y = parse_year("year", year)?;
                let v = version(calendar_version)?;
                let store = need()?;
                let cal = cache.agency(store, agency.as_deref(), v).await?;
                Ok(serde_json::to_string(&year_out(&cal, y)).unwrap_or_default())
            }
            CalendarCommand::Due {
                from,
                duration,
                agency,
                cutoff,
                calendar_version,
                ..
            } => {
                let q = DueQuestion::parse(
                    from.as_deref(),
                    duration.as_deref(),
                    agency.as_deref(),
                    cutoff.as_deref(),
                    calendar_version.as_deref(),
                )?;
                let store = need()?;
                Ok(serde_json::to_string(&api::answer_due(store, &cache, &q).await?).unwrap_or_default())
            }
        }
    }
    .await;
    match r {
        Ok(v) => Ok(Outcome::Json(v)),
        Err(CalendarFailure::Input(e)) => Ok(Outcome::BadInput(bad_input_line(&e))),
        Err(CalendarFailure::Store(e)) => Err(e.into()),
    }
}
