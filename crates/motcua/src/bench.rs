//! `motcua bench …` — benchmarks with a written method (BENCHMARKS.md). Never run by tests.

use motcua_store::db::{SqliteSync, StoreOptions};
use motcua_store::events::{self, Actor, NewEvent};
use motcua_store::{Store, on_tx};
use serde_json::json;
use std::time::Instant;

#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// Event-append throughput, 1 and 64 writers, against the raw batched-insert limit.
    Events {
        /// Events appended per scenario.
        #[arg(long, default_value_t = 20_000)]
        events: usize,
        /// A PostgreSQL database to measure too (a scratch schema is created and dropped).
        #[arg(long, env = "MOTCUA_BENCH_POSTGRES_URL")]
        postgres: Option<String>,
    },
}

pub async fn run(cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Events { events, postgres } => bench_events(events, postgres).await,
    }
}

struct Target {
    label: String,
    opts: StoreOptions,
}

async fn bench_events(n: usize, postgres: Option<String>) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("motcua-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut targets = Vec::new();
    for (sync, name) in [(SqliteSync::Full, "FULL"), (SqliteSync::Normal, "NORMAL")] {
        let mut o = StoreOptions::new(format!("sqlite://{}/bench-{name}.db", dir.display()));
        o.sqlite_sync = sync;
        targets.push(Target {
            label: format!("SQLite synchronous={name}"),
            opts: o,
        });
    }
    if let Some(url) = postgres {
        let mut o = StoreOptions::new(url);
        o.pg_schema = Some(format!("bench_{}", std::process::id()));
        o.max_connections = 70;
        targets.push(Target {
            label: "PostgreSQL (synchronous_commit default)".into(),
            opts: o,
        });
    } else {
        println!("PostgreSQL skipped: pass --postgres URL or MOTCUA_BENCH_POSTGRES_URL");
    }
    println!(
        "{:<42} {:>8} {:>14} {:>16} {:>8}",
        "target", "writers", "appends/s", "raw rows/s", "ratio"
    );
    for t in targets {
        let store = Store::open(&t.opts).await?;
        let raw = raw_insert_rate(&store, n).await?;
        for writers in [1usize, 64] {
            let rate = append_rate(&store, n, writers).await?;
            println!(
                "{:<42} {:>8} {:>14.0} {:>16.0} {:>7.0}%",
                t.label,
                writers,
                rate,
                raw,
                100.0 * rate / raw
            );
        }
        if let Some(s) = &t.opts.pg_schema {
            store.drop_pg_schema(s).await?;
        }
        store.close().await;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Appends per second: `writers` tasks, each appending to its own aggregates, every append a
/// durable unit of work (the answer comes after the commit).
async fn append_rate(store: &Store, n: usize, writers: usize) -> anyhow::Result<f64> {
    let per = n / writers;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let actor = Actor {
                id: format!("bench-{w}"),
                role: "clerk".into(),
                unit: "000.00.15.H50".into(),
            };
            for i in 0..per {
                let agg = format!("w{writers}-{w}-{}", i / 50);
                let actor = actor.clone();
                store
                    .write(move |tx| {
                        Box::pin(async move {
                            events::append(
                                tx,
                                NewEvent {
                                    aggregate_type: "bench",
                                    aggregate_id: &agg,
                                    expected_seq: None,
                                    kind: "bench.appended",
                                    actor: &actor,
                                    at: chrono::Utc::now(),
                                    payload: json!({"i": i, "note": "Hồ sơ đã tiếp nhận"}),
                                },
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .await?;
            }
            Ok::<(), motcua_store::StoreError>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok((per * writers) as f64 / start.elapsed().as_secs_f64())
}

/// The raw limit: the same rows (same columns, same sizes) inserted in batches of 500 per
/// statement, 5,000 per transaction, into a bare table on the same disk with the same settings.
async fn raw_insert_rate(store: &Store, n: usize) -> anyhow::Result<f64> {
    store
        .write(|tx| {
            Box::pin(async move {
                on_tx!(tx, |c| sqlx::query(
                    "CREATE TABLE IF NOT EXISTS bench_raw (id BIGINT, aggregate_type TEXT, aggregate_id TEXT, seq BIGINT, kind TEXT, actor_id TEXT, actor_role TEXT, actor_unit TEXT, occurred_at BIGINT, payload TEXT, prev_hash TEXT, hash TEXT)"
                )
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
                Ok(())
            })
        })
        .await?;
    let start = Instant::now();
    let mut done = 0usize;
    while done < n {
        let chunk = (n - done).min(5000);
        let base = done;
        store
            .write(move |tx| {
                Box::pin(async move {
                    let mut i = 0;
                    while i < chunk {
                        let rows = (chunk - i).min(500);
                        let mut sql = String::from("INSERT INTO bench_raw VALUES ");
                        for r in 0..rows {
                            let k = r * 12;
                            if r > 0 {
                                sql.push(',');
                            }
                            sql.push_str(&format!(
                                "(${},${},${},${},${},${},${},${},${},${},${},${})",
                                k + 1,
                                k + 2,
                                k + 3,
                                k + 4,
                                k + 5,
                                k + 6,
                                k + 7,
                                k + 8,
                                k + 9,
                                k + 10,
                                k + 11,
                                k + 12
                            ));
                        }
                        on_tx!(tx, |c| {
                            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                            for r in 0..rows {
                                let id = (base + i + r) as i64;
                                q = q
                                    .bind(id)
                                    .bind("bench")
                                    .bind(format!("raw-{}", id / 50))
                                    .bind(id % 50 + 1)
                                    .bind("bench.appended")
                                    .bind("bench-0")
                                    .bind("clerk")
                                    .bind("000.00.15.H50")
                                    .bind(id)
                                    .bind(json!({"i": id, "note": "Hồ sơ đã tiếp nhận"}).to_string())
                                    .bind("0".repeat(64))
                                    .bind("f".repeat(64));
                            }
                            q.execute(c).await.map(|r| r.rows_affected())
                        })?;
                        i += rows;
                    }
                    Ok(())
                })
            })
            .await?;
        done += chunk;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}
