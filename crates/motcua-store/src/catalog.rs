//! The procedure catalog's data (danh mục thủ tục hành chính): procedures and their versions.
//!
//! A version's content is one JSON document (the core's procedure record, validated before it
//! gets here); the columns beside it serve lists, filters and search. Drafts may change; a
//! published version never does — a change is a new draft. "The version in force on date X" is
//! one query over `effective_from <= X < effective_to`. Every change is an event on aggregate
//! `procedure`/`<id>`.

use crate::db::{Db, Store};
use crate::error::StoreError;
use crate::events::{self, Actor, NewEvent};
use crate::time::to_us;
use crate::{on_db, on_tx};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;

pub const AGGREGATE_TYPE: &str = "procedure";

/// What a draft carries: the document and the columns derived from it.
#[derive(Debug, Clone)]
pub struct VersionInput {
    pub national_code: Option<String>,
    pub applied_code: Option<String>,
    pub name: String,
    pub field: String,
    pub level: String,
    pub agency: String,
    /// Channel codes offered, e.g. `1 2 3`.
    pub channels: String,
    /// Folded text for search (name first).
    pub search_text: String,
    /// The full record as JSON.
    pub document: String,
}

/// A stored version.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct VersionRow {
    pub id: String,
    pub procedure_id: String,
    pub number: i64,
    /// draft | published | superseded | abolished
    pub status: String,
    pub effective_from: Option<String>,
    pub effective_to: Option<String>,
    pub document: String,
    pub name: String,
    pub field: String,
    pub level: String,
    pub agency: String,
    pub channels: String,
    pub search_text: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A procedure (thủ tục hành chính) and its codes.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProcedureRow {
    pub id: String,
    pub national_code: Option<String>,
    pub applied_code: Option<String>,
    pub name: String,
    pub field: String,
    pub level: String,
    pub agency: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const VERSION_COLUMNS: &str = "v.id, v.procedure_id, v.number, v.status, v.effective_from, v.effective_to, v.document, v.name, v.field, v.level, v.agency, v.channels, v.search_text, v.created_at, v.updated_at";
const PROCEDURE_COLUMNS: &str =
    "id, national_code, applied_code, name, field, level, agency, version, created_at, updated_at";

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The procedure with this national or applied code.
pub async fn procedure_by_code(db: &Db, code: &str) -> Result<Option<ProcedureRow>, StoreError> {
    let sql =
        format!("SELECT {PROCEDURE_COLUMNS} FROM procedures WHERE national_code = $1 OR applied_code = $1 OR id = $1");
    Ok(on_db!(db, |p| sqlx::query_as::<_, ProcedureRow>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(code)
    .fetch_optional(p)
    .await)?)
}

pub async fn list_procedures(db: &Db) -> Result<Vec<ProcedureRow>, StoreError> {
    let sql = format!("SELECT {PROCEDURE_COLUMNS} FROM procedures ORDER BY name");
    Ok(on_db!(db, |p| sqlx::query_as::<_, ProcedureRow>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .fetch_all(p)
    .await)?)
}

pub async fn versions(db: &Db, procedure_id: &str) -> Result<Vec<VersionRow>, StoreError> {
    let sql = format!("SELECT {VERSION_COLUMNS} FROM procedure_versions v WHERE v.procedure_id = $1 ORDER BY v.number");
    Ok(on_db!(db, |p| sqlx::query_as::<_, VersionRow>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(procedure_id)
    .fetch_all(p)
    .await)?)
}

pub async fn version(db: &Db, id: &str) -> Result<Option<VersionRow>, StoreError> {
    let sql = format!("SELECT {VERSION_COLUMNS} FROM procedure_versions v WHERE v.id = $1");
    Ok(on_db!(db, |p| sqlx::query_as::<_, VersionRow>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(id)
    .fetch_optional(p)
    .await)?)
}

/// The version of a procedure in force on `day` (ISO dates compare as text).
pub async fn in_force(db: &Db, procedure_id: &str, day: NaiveDate) -> Result<Option<VersionRow>, StoreError> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM procedure_versions v WHERE v.procedure_id = $1 AND v.status <> 'draft' \
         AND v.effective_from <= $2 AND (v.effective_to IS NULL OR v.effective_to > $2) ORDER BY v.number DESC LIMIT 1"
    );
    Ok(on_db!(db, |p| sqlx::query_as::<_, VersionRow>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(procedure_id)
    .bind(day.format("%Y-%m-%d").to_string())
    .fetch_optional(p)
    .await)?)
}

/// Filters of a catalog listing; empty strings mean "any".
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub field: String,
    pub agency: String,
    pub level: String,
    /// A channel code that must be offered (`1`, `2`, `3`).
    pub channel: String,
}

/// Every version in force on `day` that passes the filters (search ranks them in Rust, so both
/// databases give the same hits).
pub async fn in_force_all(db: &Db, day: NaiveDate, f: &ListFilter) -> Result<Vec<VersionRow>, StoreError> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM procedure_versions v WHERE v.status <> 'draft' \
         AND v.effective_from <= $1 AND (v.effective_to IS NULL OR v.effective_to > $1) \
         AND ($2 = '' OR v.field = $2) AND ($3 = '' OR v.agency = $3) AND ($4 = '' OR v.level = $4) \
         AND ($5 = '' OR (' ' || v.channels || ' ') LIKE ('% ' || $5 || ' %')) ORDER BY v.name"
    );
    Ok(on_db!(db, |p| sqlx::query_as::<_, VersionRow>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(day.format("%Y-%m-%d").to_string())
    .bind(&f.field)
    .bind(&f.agency)
    .bind(&f.level)
    .bind(&f.channel)
    .fetch_all(p)
    .await)?)
}

/// Save a draft: a new procedure, or a new draft of an existing one (the open draft is
/// replaced if there is one; published versions are never touched). Returns the version.
pub async fn save_draft(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    procedure_id: Option<&str>,
    input: VersionInput,
) -> Result<VersionRow, StoreError> {
    let existing = match procedure_id {
        Some(id) => Some(
            procedure_by_code(store.db(), id)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("procedure {id}")))?,
        ),
        None => None,
    };
    let old_versions = match &existing {
        Some(p) => versions(store.db(), &p.id).await?,
        None => vec![],
    };
    let open_draft = old_versions.iter().find(|v| v.status == "draft").cloned();
    let number = open_draft
        .as_ref()
        .map(|d| d.number)
        .unwrap_or_else(|| old_versions.iter().map(|v| v.number).max().unwrap_or(0) + 1);
    let now = to_us(at);
    let pid = existing.as_ref().map(|p| p.id.clone()).unwrap_or_else(new_id);
    let expected = existing.as_ref().map(|p| p.version).unwrap_or(0);
    let row = VersionRow {
        id: open_draft.as_ref().map(|d| d.id.clone()).unwrap_or_else(new_id),
        procedure_id: pid.clone(),
        number,
        status: "draft".into(),
        effective_from: None,
        effective_to: None,
        document: input.document.clone(),
        name: input.name.clone(),
        field: input.field.clone(),
        level: input.level.clone(),
        agency: input.agency.clone(),
        channels: input.channels.clone(),
        search_text: input.search_text.clone(),
        created_at: open_draft.as_ref().map(|d| d.created_at).unwrap_or(now),
        updated_at: now,
    };
    let out = row.clone();
    let actor = actor.clone();
    let is_new = existing.is_none();
    let replace = open_draft.is_some();
    store
        .write_on(crate::memo::Topic::Catalog, move |tx| {
            Box::pin(async move {
                let ev = events::append(
                    tx,
                    NewEvent {
                        aggregate_type: AGGREGATE_TYPE,
                        aggregate_id: &pid,
                        expected_seq: Some(expected),
                        kind: if is_new { "procedure.created" } else { "procedure.draft_saved" },
                        actor: &actor,
                        at,
                        payload: json!({
                            "version": row.number,
                            "national_code": input.national_code,
                            "applied_code": input.applied_code,
                            "document": serde_json::from_str::<serde_json::Value>(&row.document).unwrap_or_default(),
                        }),
                    },
                )
                .await?;
                if is_new {
                    on_tx!(tx, |c| sqlx::query(
                        "INSERT INTO procedures (id, national_code, applied_code, name, field, level, agency, version, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)"
                    )
                    .bind(&pid)
                    .bind(&input.national_code)
                    .bind(&input.applied_code)
                    .bind(&row.name)
                    .bind(&row.field)
                    .bind(&row.level)
                    .bind(&row.agency)
                    .bind(ev.seq)
                    .bind(now)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected()))
                    .map_err(|e| match StoreError::from_sqlx(e) {
                        StoreError::Conflict(_) => StoreError::rejected("procedure_code_taken", "national_code"),
                        other => other,
                    })?;
                } else {
                    bump(tx, &pid, ev.seq, now).await?;
                }
                if replace {
                    on_tx!(tx, |c| sqlx::query(
                        "UPDATE procedure_versions SET document = $2, name = $3, field = $4, level = $5, agency = $6, channels = $7, search_text = $8, updated_at = $9 \
                         WHERE id = $1 AND status = 'draft'"
                    )
                    .bind(&row.id)
                    .bind(&row.document)
                    .bind(&row.name)
                    .bind(&row.field)
                    .bind(&row.level)
                    .bind(&row.agency)
                    .bind(&row.channels)
                    .bind(&row.search_text)
                    .bind(now)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected()))?;
                } else {
                    on_tx!(tx, |c| sqlx::query(
                        "INSERT INTO procedure_versions (id, procedure_id, number, status, document, name, field, level, agency, channels, search_text, created_at, updated_at) \
                         VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $11)"
                    )
                    .bind(&row.id)
                    .bind(&pid)
                    .bind(row.number)
                    .bind(&row.document)
                    .bind(&row.name)
                    .bind(&row.field)
                    .bind(&row.level)
                    .bind(&row.agency)
                    .bind(&row.channels)
                    .bind(&row.search_text)
                    .bind(now)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected()))?;
                }
                Ok(())
            })
        })
        .await?;
    Ok(out)
}

async fn bump(tx: &mut crate::Tx, pid: &str, seq: i64, now: i64) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE procedures SET version = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(pid)
    .bind(seq)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// What publishing a procedure's open draft will do, checked before the write.
#[derive(Debug, Clone)]
pub struct PublishPlan {
    pub procedure: ProcedureRow,
    pub draft: VersionRow,
    /// Effective date, ISO.
    pub effective_from: String,
    /// Whether a version was published before (an amendment rather than a new procedure).
    pub had_published: bool,
}

/// Check that `code`'s open draft can be published from `effective_from`: there is a draft,
/// the procedure is not abolished, and the date is after every earlier version's.
pub async fn plan_publish(db: &Db, code: &str, effective_from: NaiveDate) -> Result<PublishPlan, StoreError> {
    let p = procedure_by_code(db, code)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("procedure {code}")))?;
    let all = versions(db, &p.id).await?;
    let draft = all
        .iter()
        .find(|v| v.status == "draft")
        .cloned()
        .ok_or_else(|| StoreError::rejected("no_draft", "procedure"))?;
    let eff = effective_from.format("%Y-%m-%d").to_string();
    if all.iter().any(|v| v.status == "abolished") {
        return Err(StoreError::rejected("procedure_abolished", "procedure"));
    }
    if all
        .iter()
        .any(|v| v.status != "draft" && v.effective_from.as_deref().is_some_and(|f| f >= eff.as_str()))
    {
        return Err(StoreError::rejected(
            "effective_date_not_after_previous",
            "effective_from",
        ));
    }
    Ok(PublishPlan {
        had_published: all.iter().any(|v| v.status != "draft"),
        procedure: p,
        draft,
        effective_from: eff,
    })
}

/// Publish inside a unit of work: the version in force before is closed on the effective date
/// (superseded); the published version never changes again.
pub async fn apply_publish(
    tx: &mut crate::Tx,
    plan: &PublishPlan,
    actor: &Actor,
    at: DateTime<Utc>,
    decision: serde_json::Value,
) -> Result<(), StoreError> {
    let (p, draft, eff) = (&plan.procedure, &plan.draft, &plan.effective_from);
    let now = to_us(at);
    let ev = events::append(
        tx,
        NewEvent {
            aggregate_type: AGGREGATE_TYPE,
            aggregate_id: &p.id,
            expected_seq: Some(p.version),
            kind: "procedure.published",
            actor,
            at,
            payload: json!({"version": draft.number, "effective_from": eff, "decision": decision}),
        },
    )
    .await?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE procedure_versions SET status = 'superseded', effective_to = $2, updated_at = $3 \
         WHERE procedure_id = $1 AND status = 'published'"
    )
    .bind(&p.id)
    .bind(eff)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE procedure_versions SET status = 'published', effective_from = $2, updated_at = $3 WHERE id = $1 AND status = 'draft'"
    )
    .bind(&draft.id)
    .bind(eff)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE procedures SET name = $2, field = $3, level = $4, agency = $5, version = $6, updated_at = $7 WHERE id = $1"
    )
    .bind(&p.id)
    .bind(&draft.name)
    .bind(&draft.field)
    .bind(&draft.level)
    .bind(&draft.agency)
    .bind(ev.seq)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Publish the open draft with the effective date of its decision (`decision` is a reference
/// in words, e.g. for a catalog imported without its decisions).
pub async fn publish(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    procedure_id: &str,
    effective_from: NaiveDate,
    decision: &str,
) -> Result<VersionRow, StoreError> {
    let plan = plan_publish(store.db(), procedure_id, effective_from).await?;
    let mut out = plan.draft.clone();
    out.status = "published".into();
    out.effective_from = Some(plan.effective_from.clone());
    let (actor, decision) = (actor.clone(), json!(decision));
    store
        .write_on(crate::memo::Topic::Catalog, move |tx| {
            Box::pin(async move { apply_publish(tx, &plan, &actor, at, decision).await })
        })
        .await?;
    Ok(out)
}

/// What abolishing a procedure will do, checked before the write.
#[derive(Debug, Clone)]
pub struct AbolishPlan {
    pub procedure: ProcedureRow,
    /// The version in force on the date, closed then.
    pub current: VersionRow,
    pub effective: String,
}

/// Check that `code` is in force (published) on `effective`; otherwise
/// `procedure_not_in_force`.
pub async fn plan_abolish(db: &Db, code: &str, effective: NaiveDate) -> Result<AbolishPlan, StoreError> {
    let p = procedure_by_code(db, code)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("procedure {code}")))?;
    let current = in_force(db, &p.id, effective)
        .await?
        .filter(|v| v.status == "published")
        .ok_or_else(|| StoreError::rejected("procedure_not_in_force", "procedure"))?;
    Ok(AbolishPlan {
        procedure: p,
        current,
        effective: effective.format("%Y-%m-%d").to_string(),
    })
}

/// Abolish inside a unit of work: the version in force is closed on the date.
pub async fn apply_abolish(
    tx: &mut crate::Tx,
    plan: &AbolishPlan,
    actor: &Actor,
    at: DateTime<Utc>,
    decision: serde_json::Value,
) -> Result<(), StoreError> {
    let now = to_us(at);
    let ev = events::append(
        tx,
        NewEvent {
            aggregate_type: AGGREGATE_TYPE,
            aggregate_id: &plan.procedure.id,
            expected_seq: Some(plan.procedure.version),
            kind: "procedure.abolished",
            actor,
            at,
            payload: json!({"version": plan.current.number, "effective": plan.effective, "decision": decision}),
        },
    )
    .await?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE procedure_versions SET status = 'abolished', effective_to = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(&plan.current.id)
    .bind(&plan.effective)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    bump(tx, &plan.procedure.id, ev.seq, now).await
}

/// Abolish a procedure from a date: the version in force is closed then. Abolishing one that
/// is not in force is refused.
pub async fn abolish(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    procedure_id: &str,
    effective: NaiveDate,
    decision: &str,
) -> Result<(), StoreError> {
    let plan = plan_abolish(store.db(), procedure_id, effective).await?;
    let (actor, decision) = (actor.clone(), json!(decision));
    store
        .write_on(crate::memo::Topic::Catalog, move |tx| {
            Box::pin(async move { apply_abolish(tx, &plan, &actor, at, decision).await })
        })
        .await
}

/// The columns of a version, derived from the core record.
pub fn input_of(v: &motcua_core::catalog::ProcedureVersion) -> VersionInput {
    let level = v
        .level
        .map(|l| {
            serde_json::to_value(l)
                .ok()
                .and_then(|x| x.as_str().map(str::to_owned))
                .unwrap_or_default()
        })
        .unwrap_or_default();
    let channels = v
        .channels
        .iter()
        .map(|c| c.channel.code().to_string())
        .collect::<Vec<_>>()
        .join(" ");
    // Name first, so phrase matches on the name rank before matches elsewhere.
    let search_text = motcua_core::catalog::fold(&format!("{} {} {}", v.name, v.field, v.agency));
    VersionInput {
        national_code: v.national_code.as_ref().map(|c| c.as_str().to_owned()),
        applied_code: v.applied_code.as_ref().map(|c| c.as_str().to_owned()),
        name: v.name.clone(),
        field: v.field.clone(),
        level,
        agency: v.agency.clone(),
        channels,
        search_text,
        document: serde_json::to_string(v).unwrap_or_default(),
    }
}

/// A hit of a catalog search, best first.
pub struct Hit {
    pub version: VersionRow,
    pub score: Option<motcua_core::catalog::Score>,
}

/// Search the versions in force on `day`: every filter in SQL, ranking in Rust (so SQLite and
/// PostgreSQL return the same hits in the same order). An empty query lists by name.
pub async fn search(db: &Db, day: NaiveDate, q: &str, f: &ListFilter) -> Result<Vec<Hit>, StoreError> {
    let rows = in_force_all(db, day, f).await?;
    let query = motcua_core::catalog::Query::new(q);
    if query.is_empty() {
        return Ok(rows.into_iter().map(|version| Hit { version, score: None }).collect());
    }
    let mut hits: Vec<Hit> = rows
        .into_iter()
        .filter_map(|version| {
            let score = query.score(&version.search_text)?;
            Some(Hit {
                version,
                score: Some(score),
            })
        })
        .collect();
    hits.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.version.name.cmp(&b.version.name)));
    Ok(hits)
}
