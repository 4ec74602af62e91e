//! The outbox (hộp thư đi): messages written in the same unit of work as the event that causes
//! them, delivered later by a worker (DESIGN §4; issue 5 item 15).
//!
//! * **Queue.** [`queue_dossier_mail`] runs inside the dossier's unit of work: the core decides
//!   whether the event mails the applicant ([`applicant_mail`]) and the message is inserted
//!   with the idempotency key `dossier:<id>:<seq>:mail`. A rejected command writes nothing,
//!   and a crash after "OK" loses nothing.
//! * **Claim.** [`claim`] takes due messages (`pending` with `next_attempt_at <= now`, or
//!   `sending` whose claim ran out) and marks them `sending` until `now + lease`, counting the
//!   attempt. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several workers share the queue;
//!   SQLite has one writer. A message whose worker died is claimed again when the lease ends,
//!   so delivery is at least once (the `Message-ID` lets the receiving side drop a duplicate).
//! * **Record.** [`record`] writes one `outbox_attempts` row per attempt and moves the message
//!   to `sent`, back to `pending` with the next attempt time, or to `failed` — only if the
//!   claim is still this attempt's (a worker that outlived its lease cannot overwrite a newer
//!   attempt's state).
//! * **Retry now.** [`retry_now`] is the administrator's button: an event `outbox.retry_requested`
//!   on aggregate `outbox`/<id> and the message due at once.

use crate::batch::Batch;
use crate::db::{Db, Store, Tx};
use crate::dossiers::DossierRow;
use crate::error::StoreError;
use crate::events::{self, Actor, NewEvent};
use crate::time::to_us;
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};
use motcua_core::dossiers::{Applicant, Event, MailFacts, applicant_mail};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Topic of e-mail messages.
pub const MAIL_TOPIC: &str = "mail";

/// Aggregate type of the events about outbox messages (retry requests).
pub const AGGREGATE_TYPE: &str = "outbox";

/// What a mail message carries (the `payload` column of topic [`MAIL_TOPIC`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailPayload {
    pub to: String,
    pub to_name: String,
    /// `motcua_core::dossiers::MailKind` as text.
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub dossier_id: String,
    pub dossier_code: Option<String>,
}

/// Queue the applicant's e-mail about `event` (if the event notifies and the applicant has an
/// address) as a statement of the dossier's batch, so it is written with the event or not at
/// all. `row` is the dossier after the event, `seq` the event's number in its chain.
pub fn queue_dossier_mail(batch: &mut Batch, row: &DossierRow, event: &Event, seq: i64) -> Result<(), StoreError> {
    let applicant: Applicant = match serde_json::from_str(&row.applicant) {
        Ok(a) => a,
        Err(e) => {
            return Err(StoreError::Database(sqlx::Error::Decode(
                format!("the applicant of dossier {} is unreadable: {e}", row.id).into(),
            )));
        }
    };
    let facts = MailFacts {
        dossier_code: row.code.as_deref(),
        procedure_name: &row.procedure_name,
        applicant: &applicant,
    };
    let Some(mail) = applicant_mail(event, &facts) else {
        return Ok(());
    };
    let payload = MailPayload {
        to: mail.to,
        to_name: mail.to_name,
        kind: mail.kind.as_str().to_owned(),
        subject: mail.subject,
        body: mail.body,
        dossier_id: row.id.clone(),
        dossier_code: row.code.clone(),
    };
    let key = format!("dossier:{}:{seq}:mail", row.id);
    events::enqueue_outbox_in(
        batch,
        crate::dossiers::AGGREGATE_TYPE,
        &row.id,
        seq,
        MAIL_TOPIC,
        &key,
        &serde_json::to_value(&payload).unwrap_or_default(),
        event.at,
    );
    Ok(())
}

/// A message as stored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    pub event_id: i64,
    pub topic: String,
    pub idempotency_key: String,
    pub payload: String,
    /// pending | sending | sent | failed
    pub status: String,
    /// Attempts started so far.
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
    pub claimed_until: Option<i64>,
}

impl OutboxRow {
    /// The mail payload (`None` for another topic or an unreadable payload).
    pub fn mail(&self) -> Option<MailPayload> {
        (self.topic == MAIL_TOPIC)
            .then(|| serde_json::from_str(&self.payload).ok())
            .flatten()
    }
}

const COLUMNS: &str = "id, event_id, topic, idempotency_key, payload, status, attempts, next_attempt_at, last_error, \
     created_at, delivered_at, claimed_until";

/// Take up to `limit` due messages of `topic` for this worker until `now + lease`; each claim
/// counts as an attempt. Oldest due first.
pub async fn claim(
    store: &Store,
    topic: &str,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
) -> Result<Vec<OutboxRow>, StoreError> {
    let now_us = to_us(now);
    let until = to_us(now + lease);
    let topic = topic.to_owned();
    let mut rows = store
        .write(move |tx| {
            Box::pin(async move {
                let due = "topic = $2 AND ((status = 'pending' AND next_attempt_at <= $3) \
                           OR (status = 'sending' AND claimed_until <= $3)) ORDER BY next_attempt_at, id LIMIT $4";
                // PostgreSQL: concurrent workers skip each other's rows instead of waiting.
                let lock = match tx {
                    Tx::Postgres(_) => " FOR UPDATE SKIP LOCKED",
                    Tx::Sqlite(_) => "",
                };
                let sql = format!(
                    "UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_until = $1 \
                     WHERE id IN (SELECT id FROM outbox WHERE {due}{lock}) RETURNING {COLUMNS}"
                );
                let rows = on_tx!(tx, |c| sqlx::query_as::<_, OutboxRow>(sqlx::AssertSqlSafe(
                    sql.as_str()
                ))
                .bind(until)
                .bind(&topic)
                .bind(now_us)
                .bind(limit.clamp(1, 1000))
                .fetch_all(c)
                .await)
                .map_err(StoreError::from_sqlx)?;
                Ok(rows)
            })
        })
        .await?;
    rows.sort_by_key(|r| (r.next_attempt_at, r.id));
    Ok(rows)
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted by the server.
    Sent,
    /// Failed for now: try again at `next_attempt_at`.
    Retry {
        error: String,
        next_attempt_at: DateTime<Utc>,
    },
    /// Failed for good (refused permanently, or the maximum of attempts reached).
    Failed { error: String },
}

impl Outcome {
    fn name(&self) -> &'static str {
        match self {
            Outcome::Sent => "sent",
            Outcome::Retry { .. } => "retry",
            Outcome::Failed { .. } => "failed",
        }
    }
}

/// Record attempt number `attempt` of message `id` (started at `started`, ended at `finished`)
/// and move the message accordingly. Returns `false` when the message was claimed again
/// meanwhile (the attempt is still recorded, the state is left to the newer claim).
pub async fn record(
    store: &Store,
    id: i64,
    attempt: i64,
    started: DateTime<Utc>,
    finished: DateTime<Utc>,
    outcome: Outcome,
) -> Result<bool, StoreError> {
    let (started, finished) = (to_us(started), to_us(finished));
    store
        .write(move |tx| {
            Box::pin(async move {
                let error = match &outcome {
                    Outcome::Sent => None,
                    Outcome::Retry { error, .. } | Outcome::Failed { error } => Some(error.clone()),
                };
                on_tx!(tx, |c| sqlx::query(
                    "INSERT INTO outbox_attempts (outbox_id, attempt, started_at, finished_at, outcome, error) \
                     VALUES ($1, $2, $3, $4, $5, $6)"
                )
                .bind(id)
                .bind(attempt)
                .bind(started)
                .bind(finished)
                .bind(outcome.name())
                .bind(&error)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))
                .map_err(StoreError::from_sqlx)?;
                let (status, next, delivered) = match &outcome {
                    Outcome::Sent => ("sent", None, Some(finished)),
                    Outcome::Retry { next_attempt_at, .. } => ("pending", Some(to_us(*next_attempt_at)), None),
                    Outcome::Failed { .. } => ("failed", None, None),
                };
                let n = on_tx!(tx, |c| sqlx::query(
                    "UPDATE outbox SET status = $3, next_attempt_at = COALESCE($4, next_attempt_at), \
                     last_error = COALESCE($5, last_error), delivered_at = $6, claimed_until = NULL \
                     WHERE id = $1 AND attempts = $2 AND status = 'sending'"
                )
                .bind(id)
                .bind(attempt)
                .bind(status)
                .bind(next)
                .bind(&error)
                .bind(delivered)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))
                .map_err(StoreError::from_sqlx)?;
                Ok(n == 1)
            })
        })
        .await
}

/// Filters of the administrator's list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// pending | sending | sent | failed; `None`: all.
    pub status: Option<String>,
    /// Only messages that failed at least once and still wait (status pending, attempts > 0).
    pub retrying: bool,
    /// Keyset paging: messages with an id below this.
    pub before_id: Option<i64>,
    /// Default 100, at most 500.
    pub limit: i64,
}

/// Messages, newest first.
pub async fn list(db: &Db, f: &ListFilter) -> Result<Vec<OutboxRow>, StoreError> {
    let limit = if f.limit <= 0 { 100 } else { f.limit.min(500) };
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox WHERE ($1 = '' OR status = $1) AND ($2 = 0 OR (status = 'pending' AND attempts > 0)) \
         AND id < $3 ORDER BY id DESC LIMIT $4"
    );
    Ok(on_db!(db, |p| sqlx::query_as::<_, OutboxRow>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(f.status.clone().unwrap_or_default())
    .bind(i64::from(f.retrying))
    .bind(f.before_id.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(p)
    .await)?)
}

/// One message by id.
pub async fn get(db: &Db, id: i64) -> Result<Option<OutboxRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = $1");
    Ok(on_db!(db, |p| sqlx::query_as::<_, OutboxRow>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(id)
    .fetch_optional(p)
    .await)?)
}

/// The messages queued by one event.
pub async fn of_event(db: &Db, event_id: i64) -> Result<Vec<OutboxRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE event_id = $1 ORDER BY id");
    Ok(on_db!(db, |p| sqlx::query_as::<_, OutboxRow>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(event_id)
    .fetch_all(p)
    .await)?)
}

/// One delivery attempt.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct AttemptRow {
    pub outbox_id: i64,
    pub attempt: i64,
    pub started_at: i64,
    pub finished_at: i64,
    /// sent | retry | failed
    pub outcome: String,
    pub error: Option<String>,
}

/// The attempts of a message, first first.
pub async fn attempts(db: &Db, id: i64) -> Result<Vec<AttemptRow>, StoreError> {
    Ok(on_db!(db, |p| sqlx::query_as::<_, AttemptRow>(
        "SELECT outbox_id, attempt, started_at, finished_at, outcome, error FROM outbox_attempts \
         WHERE outbox_id = $1 ORDER BY attempt"
    )
    .bind(id)
    .fetch_all(p)
    .await)?)
}

/// Messages per status (`retrying` counts pending messages that already failed once).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub pending: i64,
    pub retrying: i64,
    pub sending: i64,
    pub sent: i64,
    pub failed: i64,
}

pub async fn counts(db: &Db) -> Result<Counts, StoreError> {
    let rows: Vec<(String, i64, i64)> = on_db!(db, |p| {
        sqlx::query_as::<_, (String, i64, i64)>(
        "SELECT status, CAST(SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) AS BIGINT), COUNT(*) FROM outbox GROUP BY status"
    )
    .fetch_all(p)
    .await
    })?;
    let mut c = Counts::default();
    for (status, tried, n) in rows {
        match status.as_str() {
            "pending" => {
                c.pending = n;
                c.retrying = tried;
            }
            "sending" => c.sending = n,
            "sent" => c.sent = n,
            "failed" => c.failed = n,
            _ => {}
        }
    }
    Ok(c)
}

/// The administrator's "retry now": a waiting or failed message becomes due at `now` (one more
/// attempt even after the maximum), recorded as `outbox.retry_requested`.
///
/// Errors: `NotFound`; `Conflict` when the message was sent already or is being sent.
pub async fn retry_now(store: &Store, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<OutboxRow, StoreError> {
    let actor = actor.clone();
    store
        .write(move |tx| {
            Box::pin(async move {
                let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = $1");
                let row = on_tx!(tx, |c| sqlx::query_as::<_, OutboxRow>(sqlx::AssertSqlSafe(
                    sql.as_str()
                ))
                .bind(id)
                .fetch_optional(c)
                .await)?
                .ok_or_else(|| StoreError::NotFound(format!("outbox message {id}")))?;
                let claimed = row.status == "sending" && row.claimed_until.is_some_and(|u| u > to_us(now));
                if row.status == "sent" || claimed {
                    return Err(StoreError::Conflict(format!(
                        "outbox message {id} is {}; only waiting or failed messages can be retried",
                        row.status
                    )));
                }
                events::append(
                    tx,
                    NewEvent {
                        aggregate_type: AGGREGATE_TYPE,
                        aggregate_id: &id.to_string(),
                        expected_seq: None,
                        kind: "outbox.retry_requested",
                        actor: &actor,
                        at: now,
                        payload: json!({"status": row.status, "attempts": row.attempts, "last_error": row.last_error}),
                    },
                )
                .await?;
                let sql = format!(
                    "UPDATE outbox SET status = 'pending', next_attempt_at = $2, claimed_until = NULL WHERE id = $1 \
                     RETURNING {COLUMNS}"
                );
                let row = on_tx!(tx, |c| sqlx::query_as::<_, OutboxRow>(sqlx::AssertSqlSafe(
                    sql.as_str()
                ))
                .bind(id)
                .bind(to_us(now))
                .fetch_one(c)
                .await)?;
                Ok(row)
            })
        })
        .await
}
