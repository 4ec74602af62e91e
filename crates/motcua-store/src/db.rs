//! The two databases behind one API.
//!
//! SQLite: WAL, foreign keys on, and **one writer** — a task that owns the only write connection
//! and commits concurrent units of work together (group commit), each inside its own SAVEPOINT
//! so one failing unit never spoils the others. PostgreSQL: each unit is its own transaction;
//! the server orders them.

use crate::error::StoreError;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, mpsc, oneshot};

/// A boxed future that borrows for `'a` (the shape of a unit of work over a transaction).
pub type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A read pool over either database. Clone is cheap.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Which database a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

impl DbKind {
    pub fn of_url(url: &str) -> Option<DbKind> {
        if url.starts_with("sqlite:") {
            Some(DbKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(DbKind::Postgres)
        } else {
            None
        }
    }
}

/// An open write transaction over either database.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Run the same query body on whichever pool `$db` holds: `on_db!(db, |p| sqlx::query(..).fetch_all(p).await)`.
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$p:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite($p) => $body,
            $crate::Db::Postgres($p) => $body,
        }
    };
}

/// Run the same query body on whichever connection `$tx` holds: `on_tx!(tx, |c| sqlx::query(..).execute(c).await.map(|r| r.rows_affected()))`.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// SQLite durability: `FULL` syncs the WAL at every commit; `NORMAL` only at checkpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SqliteSync {
    Full,
    Normal,
}

/// The default of [`StoreOptions::sqlite_checkpoint_pages`].
pub const DEFAULT_CHECKPOINT_PAGES: u32 = 4_000;

/// How to open the store.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    pub url: String,
    pub sqlite_sync: SqliteSync,
    /// SQLite: pages the write-ahead log may hold before a commit copies them into the
    /// database file (`wal_autocheckpoint`; SQLite's own default is 1,000). A page changed by
    /// many groups in between is copied once, so a longer log writes less: at 4,000 (16 MB of
    /// log with 4 KB pages) `bench dossiers` ran ≈ 11 % faster than at 1,000 (BENCHMARKS.md).
    pub sqlite_checkpoint_pages: u32,
    pub max_connections: u32,
    /// Most units of work one SQLite group commit may carry.
    pub max_group: usize,
    /// PostgreSQL only: work inside this schema (created if missing) instead of `public`.
    /// Tests and benchmarks use it to share one database without touching each other.
    pub pg_schema: Option<String>,
    /// PostgreSQL only: group-commit writers (each with its own connection). Default 4.
    pub pg_writers: u32,
}

impl StoreOptions {
    pub fn new(url: impl Into<String>) -> Self {
        StoreOptions {
            url: url.into(),
            sqlite_sync: SqliteSync::Full,
            sqlite_checkpoint_pages: DEFAULT_CHECKPOINT_PAGES,
            max_connections: 8,
            max_group: 256,
            pg_schema: None,
            pg_writers: 4,
        }
    }
}

type Finisher = Box<dyn FnOnce(bool) + Send>;
type Run = Box<dyn for<'c> FnOnce(&'c mut Tx) -> BoxFut<'c, (bool, Finisher)> + Send>;

/// A unit of work queued to a writer; `batched`: see [`Store::write_batched`].
struct Unit {
    run: Run,
    batched: bool,
}

/// Where the SQLite writer's savepoint for the running unit stands (see [`Store::write_batched`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Savepoint {
    /// Made by the writer before the unit, or not needed (a group of one).
    Managed,
    /// A batched unit without a savepoint, nothing written yet.
    Bare,
    /// A batched unit without a savepoint whose batch has run: if it fails now, the group's
    /// transaction holds half of it, and the writer undoes the group so far.
    Written,
    /// Made by the unit itself ([`savepoint_now`]) before a write outside a batch.
    Made,
}

tokio::task_local! {
    static SAVEPOINT: std::cell::Cell<Savepoint>;
}

fn savepoint_state() -> Savepoint {
    SAVEPOINT.try_with(|s| s.get()).unwrap_or(Savepoint::Managed)
}

fn set_savepoint_state(v: Savepoint) {
    let _ = SAVEPOINT.try_with(|s| s.set(v));
}

/// A batch ran at least one statement of the unit (see [`Savepoint::Written`]).
pub(crate) fn batch_wrote() {
    if savepoint_state() == Savepoint::Bare {
        set_savepoint_state(Savepoint::Written);
    }
}

/// In a [`Store::write_batched`] unit, before a write that does not go through a
/// [`crate::batch::Batch`]: make the unit's savepoint now if it has none.
pub(crate) async fn savepoint_now(tx: &mut Tx) -> Result<(), StoreError> {
    if savepoint_state() == Savepoint::Bare {
        on_tx!(tx, |c| sqlx::query("SAVEPOINT unit")
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
        .map_err(StoreError::from_sqlx)?;
        set_savepoint_state(Savepoint::Made);
    }
    Ok(())
}

/// The store: reads go to the pool, writes through [`Store::write`].
#[derive(Clone)]
pub struct Store {
    db: Db,
    writer: Option<mpsc::Sender<Unit>>,
    sqlite_writer_pool: Option<SqlitePool>,
    /// Units of work this process has finished (committed or not); in-memory caches compare
    /// it to know whether they must look at the database again.
    writes: Arc<AtomicU64>,
    memory: Arc<crate::memo::Memory>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("kind", &self.kind()).finish()
    }
}

impl Store {
    /// Open (creating a SQLite file and its folder if missing) and run the migrations.
    pub async fn open(opts: &StoreOptions) -> Result<Store, StoreError> {
        let store = Self::connect(opts).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Open without migrating.
    pub async fn connect(opts: &StoreOptions) -> Result<Store, StoreError> {
        match DbKind::of_url(&opts.url) {
            Some(DbKind::Sqlite) => Self::open_sqlite(opts).await,
            Some(DbKind::Postgres) => {
                let mut connect = PgConnectOptions::from_str(&opts.url)
                    .map_err(|e| StoreError::Config(format!("bad PostgreSQL URL: {e}")))?;
                if let Some(schema) = &opts.pg_schema {
                    if !schema
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                    {
                        return Err(StoreError::Config(format!("bad schema name {schema:?}")));
                    }
                    let mut c = sqlx::PgConnection::connect_with(&connect).await?;
                    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS {schema}")))
                        .execute(&mut c)
                        .await?;
                    c.close().await?;
                    connect = connect.options([("search_path", schema.as_str())]);
                }
                let pool = PgPoolOptions::new()
                    .max_connections(opts.max_connections.max(2))
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(connect.clone())
                    .await?;
                // Writers get their own connections, so reads never wait behind a group commit.
                let write_pool = PgPoolOptions::new()
                    .max_connections(opts.pg_writers.max(1))
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(connect)
                    .await?;
                let (tx, rx) = mpsc::channel::<Unit>(4096);
                let rx = Arc::new(Mutex::new(rx));
                for _ in 0..opts.pg_writers.max(1) {
                    tokio::spawn(group_writer(
                        WriterPool::Postgres(write_pool.clone()),
                        rx.clone(),
                        opts.max_group.max(1),
                    ));
                }
                Ok(Store {
                    db: Db::Postgres(pool),
                    writer: Some(tx),
                    sqlite_writer_pool: None,
                    writes: Arc::default(),
                    memory: Arc::default(),
                })
            }
            None => Err(StoreError::Config(format!(
                "database URL must start with sqlite:// or postgres:// (got {:?})",
                redact(&opts.url)
            ))),
        }
    }

    async fn open_sqlite(opts: &StoreOptions) -> Result<Store, StoreError> {
        let connect = SqliteConnectOptions::from_str(&opts.url)
            .map_err(|e| StoreError::Config(format!("bad SQLite URL: {e}")))?;
        if let Some(parent) = connect.get_filename().parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)
                .map_err(|e| StoreError::Config(format!("cannot create {}: {e}", parent.display())))?;
        }
        let connect = connect
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match opts.sqlite_sync {
                SqliteSync::Full => SqliteSynchronous::Full,
                SqliteSync::Normal => SqliteSynchronous::Normal,
            })
            .foreign_keys(true)
            // Savepoint sub-journals (one per unit of a group) in memory, not in temporary files.
            .pragma("temp_store", "memory")
            .pragma("wal_autocheckpoint", opts.sqlite_checkpoint_pages.max(1).to_string())
            .busy_timeout(Duration::from_secs(10));
        // No ping before each acquire: a connection to a local file does not go stale, and on
        // SQLite the ping is a round trip to the connection's thread — one more per group commit
        // and per read.
        let write_pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .test_before_acquire(false)
            .connect_with(connect.clone())
            .await?;
        let read_pool = SqlitePoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .test_before_acquire(false)
            .connect_with(connect.read_only(false))
            .await?;
        let (tx, rx) = mpsc::channel::<Unit>(4096);
        // The writer runs on a thread of its own: on the shared runtime, each time the database
        // answered it had to wait its turn behind the requests in flight, and every unit of a
        // group pays that wait (see BENCHMARKS.md, `bench dossiers`).
        let writer = crate::heads::scope(group_writer(
            WriterPool::Sqlite(write_pool.clone()),
            Arc::new(Mutex::new(rx)),
            opts.max_group.max(1),
        ));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|e| StoreError::Config(format!("cannot start the database writer: {e}")))?;
        std::thread::Builder::new()
            .name("motcua-writer".into())
            .spawn(move || runtime.block_on(writer))
            .map_err(|e| StoreError::Config(format!("cannot start the database writer: {e}")))?;
        Ok(Store {
            db: Db::Sqlite(read_pool),
            writer: Some(tx),
            sqlite_writer_pool: Some(write_pool),
            writes: Arc::default(),
            memory: Arc::default(),
        })
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn kind(&self) -> DbKind {
        match self.db {
            Db::Sqlite(_) => DbKind::Sqlite,
            Db::Postgres(_) => DbKind::Postgres,
        }
    }

    /// Run the embedded migrations for this database.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match (&self.db, &self.sqlite_writer_pool) {
            (Db::Sqlite(_), Some(w)) => sqlx::migrate!("./migrations/sqlite").run(w).await?,
            (Db::Postgres(p), _) => sqlx::migrate!("./migrations/postgres").run(p).await?,
            (Db::Sqlite(p), None) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
        }
        Ok(())
    }

    /// PostgreSQL only: drop a schema made for a test or benchmark.
    pub async fn drop_pg_schema(&self, schema: &str) -> Result<(), StoreError> {
        if let Db::Postgres(p) = &self.db
            && schema
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {schema} CASCADE")))
                .execute(p)
                .await?;
        }
        Ok(())
    }

    /// Check that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_db!(&self.db, |p| sqlx::query("SELECT 1")
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Run one unit of work in a transaction; it either commits whole or not at all.
    ///
    /// On SQLite the unit is queued to the single writer and may share a commit with others
    /// (group commit); the answer comes only after the commit is durable.
    pub async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Tx) -> BoxFut<'c, Result<T, StoreError>> + Send + 'static,
    {
        self.write_unit(f, false).await
    }

    /// [`Store::write`] for a unit whose writes all go through [`crate::batch::Batch`] (or come
    /// after [`savepoint_now`]) and whose expected failures all come before its batch or in
    /// the batch's first statement (a dossier command: its event, whose unique key catches a
    /// stale version). On SQLite such a unit runs without a savepoint of its own in its group:
    /// a failure before its batch, or in the first statement (which SQLite undoes by itself),
    /// leaves nothing to undo; a failure later in the batch (a row out of step with the log: a
    /// broken invariant) undoes the group's transaction so far — the units before it are
    /// answered "not committed", nothing they did is kept — and the rest of the group goes on
    /// in a new transaction. A savepoint costs SQLite a copy of every page the unit changes
    /// (see BENCHMARKS.md, `bench dossiers`). Reads before the batch are fine.
    pub(crate) async fn write_batched<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Tx) -> BoxFut<'c, Result<T, StoreError>> + Send + 'static,
    {
        self.write_unit(f, true).await
    }

    /// The generation of a topic: how many writes to it this process has made (see
    /// [`crate::memo`]).
    pub fn generation(&self, topic: crate::memo::Topic) -> u64 {
        self.memory.generations.get(topic)
    }

    /// Say that this process has just written to `topic`: values remembered under an older
    /// generation are read again.
    pub fn changed(&self, topic: crate::memo::Topic) {
        self.memory.generations.bump(topic);
    }

    pub(crate) fn memory(&self) -> &crate::memo::Memory {
        &self.memory
    }

    /// [`Store::write`] to data of `topic`: when it is done (committed or not), values remembered
    /// about the topic are read again.
    pub async fn write_on<T, F>(&self, topic: crate::memo::Topic, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Tx) -> BoxFut<'c, Result<T, StoreError>> + Send + 'static,
    {
        let r = self.write(f).await;
        self.changed(topic);
        r
    }

    /// How many units of work this process has finished so far (see [`Store::write`]).
    pub fn write_count(&self) -> u64 {
        self.writes.load(Ordering::Acquire)
    }

    async fn write_unit<T, F>(&self, f: F, batched: bool) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Tx) -> BoxFut<'c, Result<T, StoreError>> + Send + 'static,
    {
        let r = self.run_unit(f, batched).await;
        self.writes.fetch_add(1, Ordering::Release);
        r
    }

    async fn run_unit<T, F>(&self, f: F, batched: bool) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Tx) -> BoxFut<'c, Result<T, StoreError>> + Send + 'static,
    {
        match (&self.db, &self.writer) {
            (_, Some(writer)) => {
                let (otx, orx) = oneshot::channel::<Result<T, StoreError>>();
                let run: Run = Box::new(move |tx: &mut Tx| {
                    Box::pin(async move {
                        let r = f(tx).await;
                        let ok = r.is_ok();
                        let fin: Finisher = Box::new(move |committed: bool| {
                            let answer = match r {
                                Ok(_) if !committed => Err(StoreError::CommitFailed),
                                other => other,
                            };
                            let _ = otx.send(answer);
                        });
                        (ok, fin)
                    })
                });
                writer
                    .send(Unit { run, batched })
                    .await
                    .map_err(|_| StoreError::WriterGone)?;
                orx.await.map_err(|_| StoreError::WriterGone)?
            }
            (Db::Postgres(pool), _) => {
                let mut tx = Tx::Postgres(pool.begin().await?);
                match f(&mut tx).await {
                    Ok(v) => {
                        if let Tx::Postgres(t) = tx {
                            t.commit().await.map_err(StoreError::from_sqlx)?;
                        }
                        Ok(v)
                    }
                    Err(e) => {
                        if let Tx::Postgres(t) = tx {
                            let _ = t.rollback().await;
                        }
                        Err(e)
                    }
                }
            }
            (Db::Sqlite(_), None) => Err(StoreError::WriterGone),
        }
    }

    /// Close the pools (waits for the SQLite writer's queue to drain).
    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
        if let Some(w) = &self.sqlite_writer_pool {
            w.close().await;
        }
    }
}

/// The pool a group-commit writer begins its transactions on.
#[derive(Clone)]
enum WriterPool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

async fn exec_tx(tx: &mut Tx, sql: &'static str) -> bool {
    on_tx!(tx, |c| sqlx::query(sql).execute(c).await.map(|r| r.rows_affected())).is_ok()
}

async fn begin(pool: &WriterPool) -> Result<Tx, sqlx::Error> {
    match pool {
        WriterPool::Sqlite(p) => p.begin().await.map(Tx::Sqlite),
        WriterPool::Postgres(p) => p.begin().await.map(Tx::Postgres),
    }
}

/// Group commit: take every unit waiting (up to `max_group`), run each inside a SAVEPOINT of one
/// transaction (batched units on SQLite without one: see [`Store::write_batched`]), commit once,
/// then answer each unit. One fsync serves the whole group.
async fn group_writer(pool: WriterPool, rx: Arc<Mutex<mpsc::Receiver<Unit>>>, max_group: usize) {
    let mut batch: Vec<Unit> = Vec::with_capacity(max_group);
    loop {
        {
            let mut rx = rx.lock().await;
            let Some(first) = rx.recv().await else { return };
            batch.push(first);
            while batch.len() < max_group {
                match rx.try_recv() {
                    Ok(u) => batch.push(u),
                    Err(_) => break,
                }
            }
        }
        let tx = match begin(&pool).await {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(error = %e, "the database writer could not begin a transaction");
                // Dropping the units answers each waiting caller with an error.
                batch.clear();
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let single = batch.len() == 1;
        let sqlite = matches!(pool, WriterPool::Sqlite(_));
        let mut all_ok = true;
        let mut finishers: Vec<Finisher> = Vec::with_capacity(batch.len());
        let mut open = Some(tx);
        for unit in batch.drain(..) {
            let Some(tx) = open.as_mut() else {
                // No transaction could be begun again: dropping the unit answers its caller.
                continue;
            };
            // A lone unit needs no savepoint: if it fails, the whole transaction is rolled back.
            // SQLite keeps a stack of same-named savepoints, so it needs no RELEASE either
            // (ROLLBACK TO goes back to the newest one); PostgreSQL releases each, because many
            // open subtransactions slow every other session down.
            // A batched unit on SQLite runs bare (`write_batched`).
            let bare = unit.batched && sqlite && !single;
            let eager = !single && !bare && exec_tx(tx, "SAVEPOINT unit").await;
            let state = if bare { Savepoint::Bare } else { Savepoint::Managed };
            let run = unit.run;
            let (ok, fin, state) = SAVEPOINT
                .scope(std::cell::Cell::new(state), async {
                    let (ok, fin) = run(tx).await;
                    (ok, fin, savepoint_state())
                })
                .await;
            let sp = eager || state == Savepoint::Made;
            crate::heads::end_unit(ok);
            all_ok &= ok;
            if sp {
                if !ok {
                    exec_tx(tx, "ROLLBACK TO SAVEPOINT unit").await;
                }
                if !sqlite {
                    exec_tx(tx, "RELEASE SAVEPOINT unit").await;
                }
            }
            finishers.push(fin);
            if !ok && state == Savepoint::Written {
                // Half of this unit is in the transaction and nothing marks where it began:
                // undo the group so far, answer its units, and go on with a new transaction.
                tracing::warn!("a unit failed after part of its batch ran; the group so far is undone");
                let _ = match open.take() {
                    Some(Tx::Sqlite(t)) => t.rollback().await,
                    Some(Tx::Postgres(t)) => t.rollback().await,
                    None => Ok(()),
                };
                crate::heads::end_group(false);
                for fin in finishers.drain(..) {
                    fin(false);
                }
                all_ok = true;
                open = begin(&pool)
                    .await
                    .inspect_err(|e| tracing::error!(error = %e, "the database writer could not begin a transaction"))
                    .ok();
            }
        }
        let Some(tx) = open else {
            crate::heads::end_group(false);
            for fin in finishers {
                fin(false);
            }
            continue;
        };
        let committed = if single && !all_ok {
            let _ = match tx {
                Tx::Sqlite(t) => t.rollback().await,
                Tx::Postgres(t) => t.rollback().await,
            };
            false
        } else {
            let r = match tx {
                Tx::Sqlite(t) => t.commit().await,
                Tx::Postgres(t) => t.commit().await,
            };
            match r {
                Ok(()) => true,
                Err(e) => {
                    tracing::error!(error = %e, "group commit failed");
                    false
                }
            }
        };
        crate::heads::end_group(committed);
        for fin in finishers {
            fin(committed);
        }
    }
}

/// Hide a password in a database URL before it is printed.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::Batch;
    use std::future::Future;

    async fn scratch(name: &str) -> Store {
        let dir = std::env::temp_dir().join(format!("motcua-db-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::connect(&StoreOptions::new(format!("sqlite://{}/t.db", dir.display())))
            .await
            .unwrap();
        // On the writer's own connection, lent by its pool while the writer is idle.
        let writer = store.sqlite_writer_pool.as_ref().unwrap();
        sqlx::query("CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER NOT NULL)")
            .execute(writer)
            .await
            .unwrap();
        store
    }

    /// A batched unit: `(sql, rows it must change)` in one batch.
    fn unit(
        store: &Store,
        statements: &[(&'static str, u64)],
    ) -> impl Future<Output = Result<(), StoreError>> + Send + use<> {
        let (store, statements) = (store.clone(), statements.to_vec());
        async move {
            store
                .write_batched(move |tx| {
                    Box::pin(async move {
                        let mut b = Batch::new();
                        for (sql, rows) in statements {
                            b.push(sql, vec![], rows);
                        }
                        b.run(tx).await
                    })
                })
                .await
        }
    }

    /// Queue `units` behind a unit that holds the writer, so that they form one group, in order.
    async fn one_group<F>(store: &Store, units: Vec<F>) -> Vec<Result<(), StoreError>>
    where
        F: Future<Output = Result<(), StoreError>> + Send + 'static,
    {
        let s = store.clone();
        let hold = tokio::spawn(async move {
            s.write(|_| {
                Box::pin(async move {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    Ok(())
                })
            })
            .await
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut tasks = Vec::new();
        for u in units {
            tasks.push(tokio::spawn(u));
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        hold.await.unwrap().unwrap();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    }

    async fn keys(store: &Store) -> Vec<String> {
        let Db::Sqlite(p) = store.db() else { unreachable!() };
        sqlx::query_scalar("SELECT k FROM t ORDER BY k")
            .fetch_all(p)
            .await
            .unwrap()
    }

    /// One group: a unit inserting `a`, the unit `middle`, a unit inserting `c`.
    async fn around(store: &Store, middle: &[(&'static str, u64)]) -> Vec<Result<(), StoreError>> {
        let units = vec![
            unit(store, &[("INSERT INTO t VALUES ('a', 1)", 1)]),
            unit(store, middle),
            unit(store, &[("INSERT INTO t VALUES ('c', 1)", 1)]),
        ];
        one_group(store, units).await
    }

    #[tokio::test]
    async fn a_batched_unit_failing_after_its_first_statement_undoes_its_group_so_far() {
        let store = scratch("half").await;
        // Its insert runs, then its update finds no row: half of it is in the transaction.
        let r = around(
            &store,
            &[
                ("INSERT INTO t VALUES ('b', 1)", 1),
                ("UPDATE t SET n = 2 WHERE k = 'missing'", 1),
            ],
        )
        .await;
        assert!(matches!(r[0], Err(StoreError::CommitFailed)), "{:?}", r[0]);
        assert!(matches!(r[1], Err(StoreError::Conflict(_))), "{:?}", r[1]);
        assert!(r[2].is_ok(), "{:?}", r[2]);
        // Nothing of the first two is kept; the unit after them went on in a new transaction.
        assert_eq!(keys(&store).await, ["c"]);
        // The writer goes on.
        unit(&store, &[("INSERT INTO t VALUES ('d', 1)", 1)]).await.unwrap();
        assert_eq!(keys(&store).await, ["c", "d"]);
    }

    #[tokio::test]
    async fn the_writer_checkpoints_the_log_at_the_configured_length() {
        let store = scratch("checkpoint").await;
        let pages: i64 = store
            .write(|tx| {
                Box::pin(async move {
                    Ok(on_tx!(tx, |c| sqlx::query_scalar("PRAGMA wal_autocheckpoint")
                        .fetch_one(c)
                        .await)?)
                })
            })
            .await
            .unwrap();
        assert_eq!(pages, i64::from(DEFAULT_CHECKPOINT_PAGES));
    }

    #[tokio::test]
    async fn a_batched_unit_failing_in_its_first_statement_leaves_its_group_alone() {
        let store = scratch("first").await;
        unit(&store, &[("INSERT INTO t VALUES ('x', 1)", 1)]).await.unwrap();
        // The key exists: SQLite undoes the statement itself, nothing of the unit is left.
        let r = around(
            &store,
            &[
                ("INSERT INTO t VALUES ('x', 2)", 1),
                ("INSERT INTO t VALUES ('b', 1)", 1),
            ],
        )
        .await;
        assert!(r[0].is_ok(), "{:?}", r[0]);
        assert!(r[1].is_err(), "{:?}", r[1]);
        assert!(r[2].is_ok(), "{:?}", r[2]);
        assert_eq!(keys(&store).await, ["a", "c", "x"]);
    }
}
