//! Statements of one unit of work that go to the database together.
//!
//! Through sqlx every SQLite statement is a round trip to the connection's own thread, and on
//! a small machine that hand-over costs more than the statement itself (see BENCHMARKS.md,
//! `bench events`). A [`Batch`] sends the statements of a unit as **one** multi-statement
//! query on SQLite; PostgreSQL's extended protocol takes one statement at a time, so there they
//! go one after another, as before. Either way each statement must change exactly the number of
//! rows it says (a dossier row at the expected version, one step, one event…), or the batch is
//! a [`StoreError::Conflict`] and its unit of work is undone.
//!
//! Statements are written with their own `$1, $2, …`; the batch renumbers them when it joins
//! them. They must be `INSERT`, `UPDATE` or `DELETE` (SQLite reports changes per statement only
//! for those).

use crate::db::Tx;
use crate::error::StoreError;
use futures_util::StreamExt;

/// One bound value.
#[derive(Clone, Debug)]
pub enum Arg {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
    Bool(bool),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_owned())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Self {
        Arg::Text(s.clone())
    }
}

impl From<Option<String>> for Arg {
    fn from(s: Option<String>) -> Self {
        Arg::OptText(s)
    }
}

impl From<&Option<String>> for Arg {
    fn from(s: &Option<String>) -> Self {
        Arg::OptText(s.clone())
    }
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}

impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::OptInt(v)
    }
}

impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}

struct Part {
    sql: String,
    args: Vec<Arg>,
    rows: u64,
}

/// Statements to run together; see the module documentation.
#[derive(Default)]
pub struct Batch {
    parts: Vec<Part>,
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Text(s) => q.bind(s),
                Arg::OptText(s) => q.bind(s),
                Arg::Int(v) => q.bind(v),
                Arg::OptInt(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
            };
        }
        q
    }};
}
pub(crate) use bind_all;

/// The conditions of a search with optional filters: each `(condition with one ?, value)` whose
/// value is given, the `?` numbered in order as `$1, $2, …`, and the values to bind. Naming only
/// the filters given keeps a query on its indexes for every planner (an always-true
/// `($1 IS NULL OR col = $1)` does so only where the planner looks at the bound value).
pub(crate) fn given<'a>(filters: impl IntoIterator<Item = (&'a str, Option<Arg>)>) -> (Vec<String>, Vec<Arg>) {
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    for (condition, value) in filters {
        if let Some(v) = value {
            values.push(v);
            conditions.push(condition.replace('?', &format!("${}", values.len())));
        }
    }
    (conditions, values)
}

/// The `WHERE` clause's text for `conditions` joined with `AND` (`TRUE` for none).
pub(crate) fn all_of(conditions: &[String]) -> String {
    if conditions.is_empty() {
        "TRUE".to_owned()
    } else {
        conditions.join(" AND ")
    }
}

/// How the database will run `sql` with `args` (SQLite's `EXPLAIN QUERY PLAN`, PostgreSQL's
/// `EXPLAIN`), one line each: tests read it to keep a query on its indexes.
pub(crate) async fn explain(db: &crate::Db, sql: &str, args: Vec<Arg>) -> Result<Vec<String>, StoreError> {
    use sqlx::Row;
    let (explain, column) = match db {
        crate::Db::Sqlite(_) => (format!("EXPLAIN QUERY PLAN {sql}"), "detail"),
        crate::Db::Postgres(_) => (format!("EXPLAIN {sql}"), "QUERY PLAN"),
    };
    Ok(crate::on_db!(db, |p| {
        bind_all!(sqlx::query(sqlx::AssertSqlSafe(explain.as_str())), args)
            .fetch_all(p)
            .await
            .and_then(|rows| rows.iter().map(|r| r.try_get::<String, _>(column)).collect())
    })?)
}

impl Batch {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a statement that must change exactly `rows` rows.
    pub fn push(&mut self, sql: impl Into<String>, args: Vec<Arg>, rows: u64) {
        self.parts.push(Part {
            sql: sql.into(),
            args,
            rows,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// Run every statement in `tx`.
    pub async fn run(self, tx: &mut Tx) -> Result<(), StoreError> {
        self.run_with(tx, StoreError::from_sqlx).await
    }

    /// [`Batch::run`], with the caller's reading of database errors (a foreign key that names
    /// a missing file, say).
    pub async fn run_with(self, tx: &mut Tx, error: fn(sqlx::Error) -> StoreError) -> Result<(), StoreError> {
        if self.parts.is_empty() {
            return Ok(());
        }
        match tx {
            Tx::Sqlite(t) => {
                let (sql, args, rows) = self.joined();
                let q = bind_all!(sqlx::query(sqlx::AssertSqlSafe(sql.as_str())), args);
                // One query, a result per statement (multi-statement queries are a SQLite-only
                // feature of sqlx, deprecated upstream: sqlx#3108).
                #[allow(deprecated)]
                let mut results = q.execute_many(&mut **t).await;
                let mut i = 0;
                while let Some(r) = results.next().await {
                    let changed = r.map_err(error)?.rows_affected();
                    crate::db::batch_wrote();
                    if let Some(want) = rows.get(i)
                        && *want != changed
                    {
                        return Err(StoreError::Conflict(format!(
                            "a statement changed {changed} rows, not {want} (the data moved meanwhile)"
                        )));
                    }
                    i += 1;
                }
                if i != rows.len() {
                    return Err(StoreError::Conflict(format!("{i} of {} statements ran", rows.len())));
                }
            }
            Tx::Postgres(t) => {
                for p in self.parts {
                    let q = bind_all!(sqlx::query(sqlx::AssertSqlSafe(p.sql.as_str())), p.args);
                    let changed = q.execute(&mut **t).await.map_err(error)?.rows_affected();
                    if changed != p.rows {
                        return Err(StoreError::Conflict(format!(
                            "a statement changed {changed} rows, not {} (the data moved meanwhile)",
                            p.rows
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// One SQL text with the placeholders renumbered, every argument in order, and the rows
    /// each statement must change.
    fn joined(self) -> (String, Vec<Arg>, Vec<u64>) {
        let mut sql = String::new();
        let mut args = Vec::new();
        let mut rows = Vec::with_capacity(self.parts.len());
        for p in self.parts {
            if !sql.is_empty() {
                sql.push_str(";\n");
            }
            renumber(&p.sql, args.len(), &mut sql);
            args.extend(p.args);
            rows.push(p.rows);
        }
        (sql, args, rows)
    }
}

/// Copy `sql` into `out` with every `$N` made `$(N + offset)`. Our statements have no `$` in
/// string literals, so a plain scan is enough.
fn renumber(sql: &str, offset: usize, out: &mut String) {
    let b = sql.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' && i + 1 < b.len() && b[i + 1].is_ascii_digit() {
            let start = i + 1;
            let mut end = start;
            while end < b.len() && b[end].is_ascii_digit() {
                end += 1;
            }
            let n: usize = sql[start..end].parse().unwrap_or(0);
            out.push('$');
            out.push_str(&(n + offset).to_string());
            i = end;
        } else {
            // Copy up to the next `$` in one go (keeps multi-byte text whole).
            let next = sql[i..].find('$').map_or(b.len(), |k| i + k.max(1));
            out.push_str(&sql[i..next]);
            i = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_renumbered_across_statements() {
        let mut b = Batch::new();
        b.push("UPDATE a SET x = $1 WHERE id = $2", vec![1i64.into(), "k".into()], 1);
        b.push(
            "INSERT INTO b (p, q) VALUES ($1, $2)",
            vec![true.into(), Arg::OptInt(None)],
            1,
        );
        b.push("UPDATE c SET t = 'đã $ nhận' WHERE n = $10", vec![], 2);
        let (sql, args, rows) = b.joined();
        assert_eq!(
            sql,
            "UPDATE a SET x = $1 WHERE id = $2;\nINSERT INTO b (p, q) VALUES ($3, $4);\nUPDATE c SET t = 'đã $ nhận' WHERE n = $14"
        );
        assert_eq!(args.len(), 4);
        assert_eq!(rows, [1, 1, 2]);
    }
}
