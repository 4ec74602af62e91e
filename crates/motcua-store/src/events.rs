//! The event log (nhật ký sự kiện): append-only, one hash chain per aggregate, written in the
//! same transaction as the state it changes, with any outbox rows (DESIGN.md §4).

use crate::batch::{Arg, Batch};
use crate::db::{Db, Store, Tx};
use crate::error::StoreError;
use crate::time::to_us;
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};
use motcua_core::audit::{self, ChainBreak, EventFields, GENESIS_HASH, StoredEvent};
use serde::Serialize;

/// Who did it: user id, the role they acted in, and their unit.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Actor {
    pub id: String,
    pub role: String,
    pub unit: String,
}

impl Actor {
    /// The system itself (migrations, bootstrap, workers).
    pub fn system() -> Actor {
        Actor {
            id: "system".into(),
            role: "system".into(),
            unit: String::new(),
        }
    }
}

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub aggregate_type: &'a str,
    pub aggregate_id: &'a str,
    /// The sequence number the writer last saw; `Some(0)` for a new aggregate. A mismatch is a
    /// conflict (optimistic concurrency). `None` appends after whatever is there.
    pub expected_seq: Option<i64>,
    pub kind: &'a str,
    pub actor: &'a Actor,
    pub at: DateTime<Utc>,
    pub payload: serde_json::Value,
}

/// What an append produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    pub id: i64,
    pub seq: i64,
    pub hash: String,
}

#[derive(sqlx::FromRow)]
struct Head {
    seq: i64,
    hash: String,
}

/// Append one event to its aggregate's chain inside `tx`.
///
/// Two writers that read the same head cannot both succeed: the unique key
/// `(aggregate_type, aggregate_id, seq)` lets exactly one insert in, and the other gets
/// [`StoreError::Conflict`].
pub async fn append(tx: &mut Tx, e: NewEvent<'_>) -> Result<Appended, StoreError> {
    if let Some((seq, hash)) = crate::heads::get(e.aggregate_type, e.aggregate_id) {
        match append_after(tx, &e, seq, hash).await {
            // Another process appended to this chain: forget what we knew and read the head.
            Err(StoreError::Conflict(_)) => crate::heads::forget(e.aggregate_type, e.aggregate_id),
            other => return other,
        }
    }
    let (last_seq, prev_hash) = read_head(tx, e.aggregate_type, e.aggregate_id).await?;
    append_after(tx, &e, last_seq, prev_hash).await
}

/// The last sequence number and hash of a chain, read in `tx` (the genesis of an empty one).
async fn read_head(tx: &mut Tx, aggregate_type: &str, aggregate_id: &str) -> Result<(i64, String), StoreError> {
    let head: Option<Head> = on_tx!(tx, |c| {
        sqlx::query_as::<_, Head>(
            "SELECT seq, hash FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY seq DESC LIMIT 1",
        )
        .bind(aggregate_type)
        .bind(aggregate_id)
        .fetch_optional(c)
        .await
    })?;
    Ok(head.map_or_else(|| (0, GENESIS_HASH.to_owned()), |h| (h.seq, h.hash)))
}

/// The next link of a chain whose head is `last_seq`: checked against the version the writer
/// saw, with its payload text, instant (µs) and hash.
struct Link {
    seq: i64,
    payload: String,
    at_us: i64,
    hash: String,
}

fn next_link(e: &NewEvent<'_>, last_seq: i64, prev_hash: &str) -> Result<Link, StoreError> {
    if let Some(expected) = e.expected_seq
        && expected != last_seq
    {
        return Err(StoreError::Conflict(format!(
            "{}:{} is at version {last_seq}, not {expected}",
            e.aggregate_type, e.aggregate_id
        )));
    }
    let seq = last_seq + 1;
    let payload = e.payload.to_string();
    let at_us = to_us(e.at);
    let hash = audit::event_hash(
        prev_hash,
        &EventFields {
            aggregate_type: e.aggregate_type,
            aggregate_id: e.aggregate_id,
            seq,
            kind: e.kind,
            actor_id: &e.actor.id,
            actor_role: &e.actor.role,
            actor_unit: &e.actor.unit,
            occurred_at_us: at_us,
            payload: &payload,
        },
    );
    Ok(Link {
        seq,
        payload,
        at_us,
        hash,
    })
}

/// Append after a known head.
async fn append_after(tx: &mut Tx, e: &NewEvent<'_>, last_seq: i64, prev_hash: String) -> Result<Appended, StoreError> {
    let Link {
        seq,
        payload,
        at_us,
        hash,
    } = next_link(e, last_seq, &prev_hash)?;
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO events (aggregate_type, aggregate_id, seq, kind, actor_id, actor_role, actor_unit, occurred_at, payload, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"
    )
    .bind(e.aggregate_type)
    .bind(e.aggregate_id)
    .bind(seq)
    .bind(e.kind)
    .bind(&e.actor.id)
    .bind(&e.actor.role)
    .bind(&e.actor.unit)
    .bind(at_us)
    .bind(&payload)
    .bind(&prev_hash)
    .bind(&hash)
    .fetch_one(c)
    .await)
    .map_err(StoreError::from_sqlx)?;
    crate::heads::put(e.aggregate_type, e.aggregate_id, seq, &hash);
    Ok(Appended { id, seq, hash })
}

/// [`append`] as a statement of `batch` (sent with the rest of the unit's statements, see
/// [`crate::batch`]): gives the new sequence number and hash. The head comes from the SQLite
/// writer's memory, or is read first (one round trip). If the batch then fails, call
/// [`forget_head`]: the remembered head may be what was stale.
pub async fn append_in(tx: &mut Tx, batch: &mut Batch, e: NewEvent<'_>) -> Result<(i64, String), StoreError> {
    let (last_seq, prev_hash) = match crate::heads::get(e.aggregate_type, e.aggregate_id) {
        Some(h) => h,
        None => read_head(tx, e.aggregate_type, e.aggregate_id).await?,
    };
    let Link {
        seq,
        payload,
        at_us,
        hash,
    } = next_link(&e, last_seq, &prev_hash)?;
    batch.push(
        "INSERT INTO events (aggregate_type, aggregate_id, seq, kind, actor_id, actor_role, actor_unit, occurred_at, payload, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        vec![
            e.aggregate_type.into(),
            e.aggregate_id.into(),
            seq.into(),
            e.kind.into(),
            (&e.actor.id).into(),
            (&e.actor.role).into(),
            (&e.actor.unit).into(),
            at_us.into(),
            payload.into(),
            prev_hash.into(),
            (&hash).into(),
        ],
        1,
    );
    crate::heads::put(e.aggregate_type, e.aggregate_id, seq, &hash);
    Ok((seq, hash))
}

/// Forget the remembered head of a chain (after a batch with an append to it failed).
pub fn forget_head(aggregate_type: &str, aggregate_id: &str) {
    crate::heads::forget(aggregate_type, aggregate_id);
}

/// [`enqueue_outbox`] as a statement of `batch`, for the event `seq` of an aggregate appended
/// in the same batch (its id is looked up by the chain's unique key).
#[allow(clippy::too_many_arguments)]
pub fn enqueue_outbox_in(
    batch: &mut Batch,
    aggregate_type: &str,
    aggregate_id: &str,
    seq: i64,
    topic: &str,
    idempotency_key: &str,
    payload: &serde_json::Value,
    at: DateTime<Utc>,
) {
    batch.push(
        "INSERT INTO outbox (event_id, topic, idempotency_key, payload, status, attempts, next_attempt_at, created_at) \
         VALUES ((SELECT id FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 AND seq = $3), $4, $5, $6, 'pending', 0, $7, $7)",
        vec![
            aggregate_type.into(),
            aggregate_id.into(),
            seq.into(),
            topic.into(),
            idempotency_key.into(),
            payload.to_string().into(),
            to_us(at).into(),
        ],
        1,
    );
}

/// Queue a message for delivery by a worker, in the same transaction as its event.
/// `idempotency_key` is unique: queuing the same key twice is a conflict.
pub async fn enqueue_outbox(
    tx: &mut Tx,
    event_id: i64,
    topic: &str,
    idempotency_key: &str,
    payload: &serde_json::Value,
    at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let at = to_us(at);
    let id = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO outbox (event_id, topic, idempotency_key, payload, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5) RETURNING id"
    )
    .bind(event_id)
    .bind(topic)
    .bind(idempotency_key)
    .bind(payload.to_string())
    .bind(at)
    .fetch_one(c)
    .await
    })
    .map_err(StoreError::from_sqlx)?;
    Ok(id)
}

/// One row of the log, as shown to people.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub seq: i64,
    pub kind: String,
    pub actor_id: String,
    pub actor_role: String,
    pub actor_unit: String,
    pub occurred_at: i64,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<EventRow> for StoredEvent {
    fn from(r: EventRow) -> StoredEvent {
        StoredEvent {
            id: r.id,
            aggregate_type: r.aggregate_type,
            aggregate_id: r.aggregate_id,
            seq: r.seq,
            kind: r.kind,
            actor_id: r.actor_id,
            actor_role: r.actor_role,
            actor_unit: r.actor_unit,
            occurred_at_us: r.occurred_at,
            payload: r.payload,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// Filters of the audit-log viewer; all optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub actor_id: Option<String>,
    /// Prefix of the kind, e.g. `unit.` or `user.created`.
    pub kind_prefix: Option<String>,
    pub aggregate_type: Option<String>,
    pub aggregate_id: Option<String>,
    pub from_us: Option<i64>,
    pub to_us: Option<i64>,
    /// Keyset paging: only events with an id below this.
    pub before_id: Option<i64>,
    pub limit: i64,
}

const EVENT_COLUMNS: &str = "id, aggregate_type, aggregate_id, seq, kind, actor_id, actor_role, actor_unit, occurred_at, payload, prev_hash, hash";

/// Newest first.
pub async fn list(db: &Db, f: &EventFilter) -> Result<Vec<EventRow>, StoreError> {
    let (sql, values) = list_query(f, EVENT_COLUMNS);
    Ok(on_db!(db, |p| crate::batch::bind_all!(
        sqlx::query_as::<_, EventRow>(sqlx::AssertSqlSafe(sql.as_str())),
        values
    )
    .fetch_all(p)
    .await)?)
}

/// How the database will run [`list`] for `f` (see `batch::explain`).
pub async fn list_plan(db: &Db, f: &EventFilter) -> Result<Vec<String>, StoreError> {
    let (sql, values) = list_query(f, "id");
    crate::batch::explain(db, &sql, values).await
}

/// The audit search for `f`. Only the filters given become conditions: with none, the newest
/// page is read backwards along the log and the reading stops at the page's end; an
/// always-true time range (`occurred_at >= MIN AND occurred_at <= MAX`) made the planner read
/// the whole log through `events_occurred_at` and sort it for every page. By person, the
/// `events_actor` index gives the events already in order.
fn list_query(f: &EventFilter, columns: &str) -> (String, Vec<Arg>) {
    let given = [
        ("actor_id = ?", f.actor_id.clone().map(Arg::Text)),
        (
            "kind LIKE ?",
            f.kind_prefix
                .as_deref()
                .map(|k| Arg::Text(format!("{}%", k.replace(['%', '_'], "")))),
        ),
        ("aggregate_type = ?", f.aggregate_type.clone().map(Arg::Text)),
        ("aggregate_id = ?", f.aggregate_id.clone().map(Arg::Text)),
        ("occurred_at >= ?", f.from_us.map(Arg::Int)),
        ("occurred_at <= ?", f.to_us.map(Arg::Int)),
        ("id < ?", f.before_id.map(Arg::Int)),
    ];
    let (conditions, mut values) = crate::batch::given(given);
    values.push(Arg::Int(f.limit.clamp(1, 1000)));
    let sql = format!(
        "SELECT {columns} FROM events WHERE {} ORDER BY id DESC LIMIT ${}",
        crate::batch::all_of(&conditions),
        values.len()
    );
    (sql, values)
}

/// Every event of one aggregate, oldest first.
pub async fn of_aggregate(db: &Db, aggregate_type: &str, aggregate_id: &str) -> Result<Vec<EventRow>, StoreError> {
    let sql =
        format!("SELECT {EVENT_COLUMNS} FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY seq");
    Ok(on_db!(db, |p| sqlx::query_as::<_, EventRow>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(aggregate_type)
    .bind(aggregate_id)
    .fetch_all(p)
    .await)?)
}

/// Result of walking every chain and every checkpoint.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub events: i64,
    pub aggregates: i64,
    pub checkpoints: i64,
    /// The first broken event, in words; `None` when everything verifies.
    pub first_break: Option<String>,
    pub first_break_event_id: Option<i64>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.first_break.is_none()
    }
}

#[derive(sqlx::FromRow)]
struct CheckpointRow {
    id: i64,
    upto_event_id: i64,
    event_count: i64,
    digest: String,
}

const PAGE: i64 = 5000;

/// Walk every aggregate's chain (in keyset pages, so memory stays flat) and replay every
/// global checkpoint. Stops at the first break.
pub async fn verify_all(db: &Db) -> Result<VerifyReport, StoreError> {
    let mut report = VerifyReport {
        events: 0,
        aggregates: 0,
        checkpoints: 0,
        first_break: None,
        first_break_event_id: None,
    };
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE (aggregate_type > $1) OR (aggregate_type = $1 AND aggregate_id > $2) \
         OR (aggregate_type = $1 AND aggregate_id = $2 AND seq > $3) ORDER BY aggregate_type, aggregate_id, seq LIMIT $4"
    );
    let (mut k_type, mut k_id, mut k_seq) = (String::new(), String::new(), 0i64);
    let mut current: Vec<StoredEvent> = Vec::new();
    let check = |group: &mut Vec<StoredEvent>, report: &mut VerifyReport| -> bool {
        if group.is_empty() {
            return true;
        }
        report.aggregates += 1;
        let r = audit::verify_chain(group);
        group.clear();
        if let Err(b) = r {
            report.first_break_event_id = Some(b.event_id());
            report.first_break = Some(b.to_string());
            return false;
        }
        true
    };
    loop {
        let rows = on_db!(db, |p| sqlx::query_as::<_, EventRow>(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(&k_type)
            .bind(&k_id)
            .bind(k_seq)
            .bind(PAGE)
            .fetch_all(p)
            .await)?;
        let n = rows.len() as i64;
        for r in rows {
            report.events += 1;
            let same = current
                .last()
                .is_some_and(|l| l.aggregate_type == r.aggregate_type && l.aggregate_id == r.aggregate_id);
            if !same && !check(&mut current, &mut report) {
                return Ok(report);
            }
            k_type.clone_from(&r.aggregate_type);
            k_id.clone_from(&r.aggregate_id);
            k_seq = r.seq;
            current.push(r.into());
        }
        if n < PAGE {
            break;
        }
    }
    if !check(&mut current, &mut report) {
        return Ok(report);
    }
    verify_checkpoints(db, &mut report).await?;
    Ok(report)
}

async fn verify_checkpoints(db: &Db, report: &mut VerifyReport) -> Result<(), StoreError> {
    let cps = on_db!(db, |p| {
        sqlx::query_as::<_, CheckpointRow>(
            "SELECT id, upto_event_id, event_count, digest FROM audit_checkpoints ORDER BY upto_event_id",
        )
        .fetch_all(p)
        .await
    })?;
    report.checkpoints = cps.len() as i64;
    if cps.is_empty() {
        return Ok(());
    }
    let mut digest = GENESIS_HASH.to_owned();
    let mut count = 0i64;
    let mut after = 0i64;
    let mut next_cp = 0usize;
    loop {
        let rows: Vec<(i64, String)> = on_db!(db, |p| sqlx::query_as::<_, (i64, String)>(
            "SELECT id, hash FROM events WHERE id > $1 ORDER BY id LIMIT $2"
        )
        .bind(after)
        .bind(PAGE)
        .fetch_all(p)
        .await)?;
        let n = rows.len() as i64;
        for (id, hash) in rows {
            while next_cp < cps.len() && cps[next_cp].upto_event_id < id {
                if !checkpoint_matches(&cps[next_cp], count, &digest, report) {
                    return Ok(());
                }
                next_cp += 1;
            }
            digest = audit::checkpoint_digest(&digest, &hash);
            count += 1;
            after = id;
        }
        if n < PAGE {
            break;
        }
    }
    while next_cp < cps.len() {
        if !checkpoint_matches(&cps[next_cp], count, &digest, report) {
            return Ok(());
        }
        next_cp += 1;
    }
    Ok(())
}

fn checkpoint_matches(cp: &CheckpointRow, count: i64, digest: &str, report: &mut VerifyReport) -> bool {
    if cp.event_count != count || cp.digest != digest {
        report.first_break = Some(format!(
            "checkpoint {} (up to event {}): the log now has {count} events up to there, the checkpoint recorded {}; events were removed, added or altered",
            cp.id, cp.upto_event_id, cp.event_count
        ));
        report.first_break_event_id = Some(cp.upto_event_id);
        return false;
    }
    true
}

/// Record a global checkpoint over every event older than `settle_before` (so transactions
/// still in flight on PostgreSQL, whose ids may commit out of order, are not sealed early).
/// Returns the checkpoint's `upto_event_id`, or `None` when there was nothing new.
pub async fn checkpoint(
    store: &Store,
    settle_before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let db = store.db().clone();
    let last = on_db!(&db, |p| {
        sqlx::query_as::<_, CheckpointRow>(
            "SELECT id, upto_event_id, event_count, digest FROM audit_checkpoints ORDER BY upto_event_id DESC LIMIT 1",
        )
        .fetch_optional(p)
        .await
    })?;
    let (mut digest, mut count, mut after) = match last {
        Some(c) => (c.digest, c.event_count, c.upto_event_id),
        None => (GENESIS_HASH.to_owned(), 0, 0),
    };
    let start = after;
    let settle = to_us(settle_before);
    loop {
        let rows: Vec<(i64, String)> = on_db!(&db, |p| {
            sqlx::query_as::<_, (i64, String)>(
                "SELECT id, hash FROM events WHERE id > $1 AND occurred_at < $2 ORDER BY id LIMIT $3",
            )
            .bind(after)
            .bind(settle)
            .bind(PAGE)
            .fetch_all(p)
            .await
        })?;
        let n = rows.len() as i64;
        for (id, hash) in rows {
            digest = audit::checkpoint_digest(&digest, &hash);
            count += 1;
            after = id;
        }
        if n < PAGE {
            break;
        }
    }
    if after == start {
        return Ok(None);
    }
    let now = to_us(now);
    store
        .write(move |tx| {
            Box::pin(async move {
                on_tx!(tx, |c| sqlx::query(
                    "INSERT INTO audit_checkpoints (upto_event_id, event_count, digest, created_at) VALUES ($1, $2, $3, $4)"
                )
                .bind(after)
                .bind(count)
                .bind(&digest)
                .bind(now)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
                Ok(())
            })
        })
        .await?;
    Ok(Some(after))
}

/// Used by tests and the verifier's callers to describe a break.
pub fn describe(b: &ChainBreak) -> String {
    b.to_string()
}
