//! Publication decisions (quyết định công bố TTHC): drafts, issuing — which publishes or
//! abolishes every procedure the decision names in one transaction — and the dates items were
//! made public in the national database. Events on aggregate `decision`/`<id>`; the procedures
//! changed get their own `procedure.published` / `procedure.abolished` events in the same unit
//! of work, so the catalog and its decisions never disagree.

use crate::catalog::{self, AbolishPlan, PublishPlan};
use crate::db::{Db, Store};
use crate::error::StoreError;
use crate::events::{self, Actor, NewEvent};
use crate::time::to_us;
use crate::{on_db, on_tx};
use chrono::{DateTime, NaiveDate, Utc};
use motcua_core::catalog::{Decision, ItemKind};
use serde::Serialize;
use serde_json::json;

pub const AGGREGATE_TYPE: &str = "decision";

/// A stored decision. `document` is the core [`Decision`] as JSON (items included).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DecisionRow {
    pub id: String,
    pub number: String,
    pub signed_on: Option<String>,
    pub signer: String,
    pub issuer: String,
    pub level: String,
    pub title: String,
    /// draft | issued
    pub status: String,
    pub document: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl DecisionRow {
    /// The core record.
    pub fn decision(&self) -> Result<Decision, StoreError> {
        serde_json::from_str(&self.document).map_err(|e| StoreError::Config(format!("decision {}: {e}", self.id)))
    }
}

/// One item of a stored decision, with the procedure's name and field for lists.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ItemRow {
    pub decision_id: String,
    pub position: i64,
    /// new | amended | replaced | abolished
    pub kind: String,
    pub procedure_id: String,
    pub procedure_name: String,
    pub field: String,
    pub version_number: Option<i64>,
    pub effective_from: String,
    pub made_public_on: Option<String>,
}

const COLUMNS: &str =
    "id, number, signed_on, signer, issuer, level, title, status, document, version, created_at, updated_at";
const ITEM_COLUMNS: &str =
    "decision_id, position, kind, procedure_id, procedure_name, field, version_number, effective_from, made_public_on";

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn level_code(d: &Decision) -> String {
    serde_json::to_value(d.level)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Every decision, newest first (drafts first among equals).
pub async fn list(db: &Db) -> Result<Vec<DecisionRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM decisions ORDER BY CASE WHEN status = 'draft' THEN 0 ELSE 1 END, signed_on DESC, created_at DESC"
    );
    Ok(on_db!(db, |p| sqlx::query_as::<_, DecisionRow>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .fetch_all(p)
    .await)?)
}

pub async fn get(db: &Db, id: &str) -> Result<Option<DecisionRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM decisions WHERE id = $1");
    Ok(on_db!(db, |p| sqlx::query_as::<_, DecisionRow>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(id)
    .fetch_optional(p)
    .await)?)
}

pub async fn items(db: &Db, decision_id: &str) -> Result<Vec<ItemRow>, StoreError> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM decision_items WHERE decision_id = $1 ORDER BY position");
    Ok(on_db!(db, |p| sqlx::query_as::<_, ItemRow>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(decision_id)
    .fetch_all(p)
    .await)?)
}

/// Items of every decision naming this procedure, oldest first, with their decision.
pub async fn of_procedure(db: &Db, procedure_id: &str) -> Result<Vec<(DecisionRow, ItemRow)>, StoreError> {
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM decision_items WHERE procedure_id = $1 ORDER BY effective_from, decision_id"
    );
    let rows = on_db!(db, |p| sqlx::query_as::<_, ItemRow>(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(procedure_id)
        .fetch_all(p)
        .await)?;
    let mut out = Vec::new();
    for item in rows {
        if let Some(d) = get(db, &item.decision_id).await? {
            out.push((d, item));
        }
    }
    Ok(out)
}

/// `(field, kind)` of every item of the decisions issued with a date in `[from, to]`.
pub async fn items_signed_between(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(String, ItemKind)>, StoreError> {
    let rows: Vec<(String, String)> = on_db!(db, |p| sqlx::query_as(
        "SELECT i.field, i.kind FROM decision_items i JOIN decisions d ON d.id = i.decision_id \
         WHERE d.status = 'issued' AND d.signed_on >= $1 AND d.signed_on <= $2 ORDER BY i.field"
    )
    .bind(iso(from))
    .bind(iso(to))
    .fetch_all(p)
    .await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(f, k)| ItemKind::from_code(&k).map(|k| (f, k)))
        .collect())
}

/// Resolve every item's procedure; unknown codes are refused naming the item.
async fn resolve(db: &Db, d: &Decision) -> Result<Vec<catalog::ProcedureRow>, StoreError> {
    let problems = d.validate_draft();
    if let Some(p) = problems.first() {
        return Err(StoreError::Rejected {
            code: leak(&p.code),
            message: p.path.clone(),
        });
    }
    let mut out = Vec::new();
    for (i, item) in d.items.iter().enumerate() {
        match catalog::procedure_by_code(db, item.procedure.trim()).await? {
            Some(p) => out.push(p),
            None => {
                return Err(StoreError::rejected(
                    "procedure_unknown",
                    format!("items[{i}].procedure"),
                ));
            }
        }
    }
    Ok(out)
}

/// Stable codes of the core are `&'static str`-like words; map the known ones.
fn leak(code: &str) -> &'static str {
    const KNOWN: [&str; 8] = [
        "decision_item_procedure_missing",
        "decision_item_duplicate",
        "made_public_before_decision",
        "decision_number_missing",
        "decision_date_missing",
        "decision_signer_missing",
        "decision_without_items",
        "decision_invalid",
    ];
    KNOWN.into_iter().find(|k| *k == code).unwrap_or("decision_invalid")
}

async fn write_items(
    tx: &mut crate::Tx,
    id: &str,
    d: &Decision,
    procs: &[catalog::ProcedureRow],
    versions: &[Option<i64>],
) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query("DELETE FROM decision_items WHERE decision_id = $1")
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    for (i, (item, p)) in d.items.iter().zip(procs).enumerate() {
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO decision_items (decision_id, position, kind, procedure_id, procedure_name, field, version_number, effective_from, made_public_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        )
        .bind(id)
        .bind(i as i64)
        .bind(item.kind.code())
        .bind(&p.id)
        .bind(&p.name)
        .bind(&p.field)
        .bind(versions.get(i).copied().flatten())
        .bind(iso(item.effective_from))
        .bind(item.made_public_on.map(iso))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Save a draft decision: a new one (`id` `None`) or changes to a draft. Issued decisions never
/// change (`decision_issued`).
pub async fn save_draft(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    id: Option<&str>,
    mut d: Decision,
) -> Result<DecisionRow, StoreError> {
    let existing = match id {
        Some(id) => Some(
            get(store.db(), id)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("decision {id}")))?,
        ),
        None => None,
    };
    if existing.as_ref().is_some_and(|e| e.status != "draft") {
        return Err(StoreError::rejected("decision_issued", "decision"));
    }
    for item in &mut d.items {
        item.procedure = item.procedure.trim().to_owned();
        // Made-public dates belong to an issued decision.
        item.made_public_on = None;
    }
    let procs = resolve(store.db(), &d).await?;
    let now = to_us(at);
    let row = DecisionRow {
        id: existing
            .as_ref()
            .map(|e| e.id.clone())
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        number: d.number.trim().to_owned(),
        signed_on: d.signed_on.map(iso),
        signer: d.signer.trim().to_owned(),
        issuer: d.issuer.trim().to_owned(),
        level: level_code(&d),
        title: d.title.trim().to_owned(),
        status: "draft".into(),
        document: serde_json::to_string(&d).map_err(|e| StoreError::Config(e.to_string()))?,
        version: existing.as_ref().map(|e| e.version).unwrap_or(0),
        created_at: existing.as_ref().map(|e| e.created_at).unwrap_or(now),
        updated_at: now,
    };
    let is_new = existing.is_none();
    let (actor, mut out) = (actor.clone(), row.clone());
    let seq = store
        .write_on(crate::memo::Topic::Catalog, move |tx| {
            Box::pin(async move {
                let ev = events::append(
                    tx,
                    NewEvent {
                        aggregate_type: AGGREGATE_TYPE,
                        aggregate_id: &row.id,
                        expected_seq: Some(row.version),
                        kind: if is_new { "decision.drafted" } else { "decision.draft_saved" },
                        actor: &actor,
                        at,
                        payload: json!({"decision": d}),
                    },
                )
                .await?;
                if is_new {
                    on_tx!(tx, |c| sqlx::query(
                        "INSERT INTO decisions (id, number, signed_on, signer, issuer, level, title, status, document, version, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9, $10, $10)"
                    )
                    .bind(&row.id)
                    .bind(&row.number)
                    .bind(&row.signed_on)
                    .bind(&row.signer)
                    .bind(&row.issuer)
                    .bind(&row.level)
                    .bind(&row.title)
                    .bind(&row.document)
                    .bind(ev.seq)
                    .bind(now)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected()))?;
                } else {
                    on_tx!(tx, |c| sqlx::query(
                        "UPDATE decisions SET number = $2, signed_on = $3, signer = $4, issuer = $5, level = $6, title = $7, \
                         document = $8, version = $9, updated_at = $10 WHERE id = $1 AND status = 'draft'"
                    )
                    .bind(&row.id)
                    .bind(&row.number)
                    .bind(&row.signed_on)
                    .bind(&row.signer)
                    .bind(&row.issuer)
                    .bind(&row.level)
                    .bind(&row.title)
                    .bind(&row.document)
                    .bind(ev.seq)
                    .bind(now)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected()))?;
                }
                write_items(tx, &row.id, &d, &procs, &[]).await?;
                Ok(ev.seq)
            })
        })
        .await?;
    out.version = seq;
    Ok(out)
}

/// What issuing will do to one item.
enum Plan {
    Publish(PublishPlan),
    Abolish(AbolishPlan),
}

/// Issue a draft decision: check number, date, signer and every item against the catalog (a
/// new procedure has never been published; an amendment or replacement has a version in force
/// or published before; an abolished one is in force on the date; every item but abolition has
/// an open draft), then publish or abolish each procedure and mark the decision issued — all in
/// one transaction, or nothing.
pub async fn issue(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    id: &str,
    number: &str,
    signed_on: NaiveDate,
    signer: &str,
) -> Result<DecisionRow, StoreError> {
    let row = get(store.db(), id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("decision {id}")))?;
    if row.status != "draft" {
        return Err(StoreError::rejected("decision_issued", "decision"));
    }
    let mut d = row.decision()?;
    d.number = number.trim().to_owned();
    d.signed_on = Some(signed_on);
    d.signer = signer.trim().to_owned();
    if let Some(p) = d.validate_issue().first() {
        return Err(StoreError::Rejected {
            code: leak(&p.code),
            message: p.path.clone(),
        });
    }
    let procs = resolve(store.db(), &d).await?;
    let mut plans = Vec::new();
    for (i, item) in d.items.iter().enumerate() {
        let field = || format!("items[{i}].procedure");
        let code = &procs[i].id;
        let plan = if item.kind.publishes_draft() {
            let plan = catalog::plan_publish(store.db(), code, item.effective_from)
                .await
                .map_err(|e| with_field(e, field()))?;
            match (item.kind, plan.had_published) {
                (ItemKind::New, true) => return Err(StoreError::rejected("procedure_already_published", field())),
                (ItemKind::Amended | ItemKind::Replaced, false) => {
                    return Err(StoreError::rejected("procedure_never_published", field()));
                }
                _ => {}
            }
            Plan::Publish(plan)
        } else {
            Plan::Abolish(
                catalog::plan_abolish(store.db(), code, item.effective_from)
                    .await
                    .map_err(|e| with_field(e, field()))?,
            )
        };
        plans.push(plan);
    }
    let versions: Vec<Option<i64>> = plans
        .iter()
        .map(|p| match p {
            Plan::Publish(p) => Some(p.draft.number),
            Plan::Abolish(p) => Some(p.current.number),
        })
        .collect();
    let now = to_us(at);
    let mut out = row.clone();
    out.status = "issued".into();
    out.number = d.number.clone();
    out.signed_on = Some(iso(signed_on));
    out.signer = d.signer.clone();
    out.document = serde_json::to_string(&d).map_err(|e| StoreError::Config(e.to_string()))?;
    let (actor, result) = (actor.clone(), out.clone());
    let seq = store
        .write_on(crate::memo::Topic::Catalog, move |tx| {
            Box::pin(async move {
                let reference = json!({"id": row.id, "number": d.number, "signed_on": iso(signed_on)});
                for plan in &plans {
                    match plan {
                        Plan::Publish(p) => catalog::apply_publish(tx, p, &actor, at, reference.clone()).await?,
                        Plan::Abolish(p) => catalog::apply_abolish(tx, p, &actor, at, reference.clone()).await?,
                    }
                }
                let ev = events::append(
                    tx,
                    NewEvent {
                        aggregate_type: AGGREGATE_TYPE,
                        aggregate_id: &row.id,
                        expected_seq: Some(row.version),
                        kind: "decision.issued",
                        actor: &actor,
                        at,
                        payload: json!({"number": d.number, "signed_on": iso(signed_on), "signer": d.signer, "versions": versions}),
                    },
                )
                .await?;
                let changed = on_tx!(tx, |c| sqlx::query(
                    "UPDATE decisions SET status = 'issued', number = $2, signed_on = $3, signer = $4, document = $5, version = $6, updated_at = $7 \
                     WHERE id = $1 AND status = 'draft'"
                )
                .bind(&row.id)
                .bind(&result.number)
                .bind(&result.signed_on)
                .bind(&result.signer)
                .bind(&result.document)
                .bind(ev.seq)
                .bind(now)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
                if changed != 1 {
                    return Err(StoreError::Conflict("decision changed meanwhile".into()));
                }
                write_items(tx, &row.id, &d, &procs, &versions).await?;
                Ok(ev.seq)
            })
        })
        .await?;
    out.version = seq;
    Ok(out)
}

fn with_field(e: StoreError, field: String) -> StoreError {
    match e {
        StoreError::Rejected { code, .. } => StoreError::Rejected { code, message: field },
        StoreError::NotFound(_) => StoreError::rejected("procedure_unknown", field),
        other => other,
    }
}

/// Record the date items of an issued decision were made public in the national database
/// (`positions` empty = every item not yet recorded). Not before the decision's date.
pub async fn record_made_public(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    id: &str,
    positions: &[usize],
    on: NaiveDate,
) -> Result<DecisionRow, StoreError> {
    let row = get(store.db(), id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("decision {id}")))?;
    if row.status != "issued" {
        return Err(StoreError::rejected("decision_not_issued", "decision"));
    }
    let mut d = row.decision()?;
    if d.signed_on.is_some_and(|s| on < s) {
        return Err(StoreError::rejected("made_public_before_decision", "made_public_on"));
    }
    let mut changed = Vec::new();
    for (i, item) in d.items.iter_mut().enumerate() {
        let chosen = if positions.is_empty() {
            item.made_public_on.is_none()
        } else {
            positions.contains(&i)
        };
        if chosen {
            item.made_public_on = Some(on);
            changed.push(i);
        }
    }
    if let Some(bad) = positions.iter().find(|p| **p >= d.items.len()) {
        return Err(StoreError::rejected("decision_item_unknown", format!("items[{bad}]")));
    }
    let now = to_us(at);
    let mut out = row.clone();
    out.document = serde_json::to_string(&d).map_err(|e| StoreError::Config(e.to_string()))?;
    let (actor, result) = (actor.clone(), out.clone());
    let seq = store
        .write_on(crate::memo::Topic::Catalog, move |tx| {
            Box::pin(async move {
                let ev = events::append(
                    tx,
                    NewEvent {
                        aggregate_type: AGGREGATE_TYPE,
                        aggregate_id: &row.id,
                        expected_seq: Some(row.version),
                        kind: "decision.made_public",
                        actor: &actor,
                        at,
                        payload: json!({"items": changed, "on": iso(on)}),
                    },
                )
                .await?;
                on_tx!(tx, |c| sqlx::query(
                    "UPDATE decisions SET document = $2, version = $3, updated_at = $4 WHERE id = $1"
                )
                .bind(&row.id)
                .bind(&result.document)
                .bind(ev.seq)
                .bind(now)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
                for i in &changed {
                    on_tx!(tx, |c| sqlx::query(
                        "UPDATE decision_items SET made_public_on = $3 WHERE decision_id = $1 AND position = $2"
                    )
                    .bind(&row.id)
                    .bind(*i as i64)
                    .bind(iso(on))
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected()))?;
                }
                Ok(ev.seq)
            })
        })
        .await?;
    out.version = seq;
    Ok(out)
}
