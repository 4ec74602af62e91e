//! `motcua bench dossiers` — whole dossier lifecycles (hồ sơ) driven through the HTTP JSON API
//! by concurrent clients, against the raw batched-insert limit of the same event rows measured
//! in the same run on the same database (issue 5, item 18; method in BENCHMARKS.md).
//!
//! Every transition is a request a real client would send: the clerk's, specialist's or
//! leader's session cookie with the same-origin header a browser adds, a JSON body with
//! `expected_version`; every answer's status is checked, so errors are never measured as work.

use crate::bench::{RawRow, raw_insert_rate};
use crate::bench_http::{Connection, Latencies, scenario, serve};
use chrono::{NaiveDate, Utc};
use motcua_core::calendar::Duration;
use motcua_core::catalog::{
    Channel, ChannelSpec, Component, CopyType, Fee, FeeKind, ProcedureVersion, Requirement, WorkflowStep,
};
use motcua_core::identity::{Role, UnitCode};
use motcua_store::db::StoreOptions;
use motcua_store::events::Actor;
use motcua_store::identity::{self, NewUser, Session};
use motcua_store::{Store, catalog, on_db};
use motcua_web::auth::password::{hash_password, random_hex, sha256_hex};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

/// The demo's one-stop desk (clerks) and the specialised division (specialists, leaders).
const DESK: &str = "000.05.15.H50";
const DIVISION: &str = "000.03.15.H50";
const FEE: u64 = 150_000;
/// People at work: clerks at the desk, specialists and leaders in the division.
const CLERKS: usize = 8;
const SPECIALISTS: usize = 32;
const LEADERS: usize = 4;
/// Target on SQLite: durable transitions/s ≥ 1/3 of the raw batched-insert rate.
pub const TARGET_RATIO: f64 = 1.0 / 3.0;

/// The transitions of one lifecycle, in order (intake is `POST /api/v1/dossiers`).
const STEPS: [&str; 8] = [
    "receive (intake)",
    "assign",
    "hand_over step 1",
    "request_fee",
    "fee_paid",
    "hand_over step 2",
    "approve",
    "return_result",
];

/// Run the benchmark on SQLite (a temporary file, the server's default settings) and, when a
/// URL is given, on PostgreSQL in a scratch schema dropped afterwards.
pub async fn run(dossiers: usize, clients: usize, postgres: Option<String>) -> anyhow::Result<()> {
    let counting = install_statement_counter();
    let dir = std::env::temp_dir().join(format!("motcua-bench-dossiers-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    // The server's defaults (`motcua serve`): synchronous=FULL, its pool size, its writers.
    let mut targets = vec![(
        "SQLite (synchronous=FULL)".to_owned(),
        crate::config::Config {
            database_url: format!("sqlite://{}/dossiers.db", dir.display()),
            ..Default::default()
        }
        .store(),
    )];
    if let Some(url) = postgres {
        let mut o = StoreOptions::new(url);
        o.pg_schema = Some(format!("bench_dossiers_{}", std::process::id()));
        targets.push(("PostgreSQL (synchronous_commit default)".to_owned(), o));
    } else {
        println!("PostgreSQL skipped: pass --postgres URL or MOTCUA_BENCH_POSTGRES_URL");
    }
    println!(
        "{dossiers} dossiers × {} transitions, {clients} clients; load average at start: {}",
        STEPS.len(),
        load_average()
    );
    for (label, opts) in targets {
        let store = Store::open(&opts).await?;
        let outcome = measure(&store, &label, dossiers, clients, &counting).await;
        if let Some(s) = &opts.pg_schema {
            store.drop_pg_schema(s).await?;
        }
        store.close().await;
        outcome?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("load average at the end: {}", load_average());
    Ok(())
}

async fn measure(
    store: &Store,
    label: &str,
    dossiers: usize,
    clients: usize,
    counting: &StatementCounter,
) -> anyhow::Result<()> {
    println!("\n== {label}");
    let t = Instant::now();
    let staff = Arc::new(setup(store).await?);
    let state = motcua_web::AppState::new(store.clone(), crate::config::Config::default().web());
    // As `motcua serve` does at start: the national calendar is built before the first request.
    state.calendar.national(store, None).await?;
    let addr = serve(state).await?;
    println!(
        "setup (units, {} people with sessions, a two-step procedure): {:.1} s",
        CLERKS + SPECIALISTS + LEADERS,
        t.elapsed().as_secs_f64()
    );

    // The timed run: every client takes the next dossier until all are done.
    let next = Arc::new(AtomicUsize::new(0));
    let written_before = bytes_written();
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..clients.max(1) {
        let (staff, next) = (staff.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut c = Connection::open(addr).await?;
            let mut lat: Vec<Vec<u32>> = vec![Vec::new(); STEPS.len()];
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= dossiers {
                    break;
                }
                lifecycle(&mut c, &staff, k, i, &mut |step, us| lat[step].push(us), None).await?;
            }
            anyhow::Ok(lat)
        }));
    }
    let mut per_step: Vec<Vec<u32>> = vec![Vec::new(); STEPS.len()];
    for t in tasks {
        for (all, mine) in per_step.iter_mut().zip(t.await??) {
            all.extend(mine);
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);
    let written = bytes_written().zip(written_before).map(|(a, b)| a.saturating_sub(b));
    let transitions: usize = per_step.iter().map(Vec::len).sum();
    let rate = transitions as f64 / secs;

    // Every acknowledged transition must be one event in the log; these rows are the limit's.
    let rows = dossier_events(store).await?;
    anyhow::ensure!(
        rows.len() == transitions,
        "{} dossier events in the log for {transitions} acknowledged transitions",
        rows.len()
    );
    let avg_payload = rows.iter().map(|r| r.payload.len()).sum::<usize>() as f64 / rows.len().max(1) as f64;
    let avg_row = rows
        .iter()
        .map(|r| {
            r.aggregate_type.len()
                + r.aggregate_id.len()
                + r.kind.len()
                + r.actor_id.len()
                + r.actor_role.len()
                + r.actor_unit.len()
                + r.payload.len()
        })
        .sum::<usize>() as f64
        / rows.len().max(1) as f64;
    let rows = Arc::new(rows);
    let n = rows.len();
    let row_of = {
        let rows = rows.clone();
        Arc::new(move |id: i64| rows[id as usize % rows.len()].clone())
    };
    let raw_before = bytes_written();
    let raw = raw_insert_rate(store, n, 1, row_of.clone()).await?;
    let raw_written = bytes_written().zip(raw_before).map(|(a, b)| a.saturating_sub(b));
    let bulk = raw_insert_rate(store, n, 500, row_of).await?;

    println!(
        "{:<22} {:>10} {:>10} {:>10} {:>10}",
        "transition", "count", "p50 ms", "p99 ms", "max ms"
    );
    let mut all = Vec::with_capacity(transitions);
    for (name, lat) in STEPS.iter().zip(per_step) {
        all.extend_from_slice(&lat);
        print_latencies(name, Latencies(lat));
    }
    let mut all = Latencies(all);
    print_latencies("all transitions", Latencies(all.0.clone()));
    println!(
        "durable transitions/s: {rate:.0} ({transitions} in {secs:.1} s); p50 {:.2} ms, p99 {:.2} ms",
        all.percentile(50.0) / 1000.0,
        all.percentile(99.0) / 1000.0
    );
    println!(
        "raw limit, the same {n} event rows (average payload {avg_payload:.0} bytes, row text {avg_row:.0} bytes): \
         batched {raw:.0} rows/s (1 INSERT a row, 5,000 a transaction); bulk {bulk:.0} rows/s (500 rows an INSERT)"
    );
    // SQLite only: PostgreSQL writes from its own processes.
    if let (Some(w), Some(r), motcua_store::Db::Sqlite(_)) = (written, raw_written, store.db()) {
        println!(
            "written to disk by this process: {:.1} KB a transition; the limit {:.0} bytes a row",
            w as f64 / transitions.max(1) as f64 / 1024.0,
            r as f64 / (n * crate::bench::RAW_TRIALS).max(1) as f64
        );
    }
    let ratio = rate / raw;
    let verdict = match store.db() {
        motcua_store::Db::Sqlite(_) if ratio >= TARGET_RATIO => "target ≥ 33 % met",
        motcua_store::Db::Sqlite(_) => "target ≥ 33 % NOT met",
        motcua_store::Db::Postgres(_) => "the target is set on SQLite only",
    };
    println!("ratio to the batched limit: {:.1} % ({verdict})", 100.0 * ratio);
    // What the machine allows: the HTTP round trip alone (a constant answer, no session, no
    // body, no database), and the CPU a transition took — clients, server, writer and SQLite
    // all in this process — against the CPU the target's rate would need.
    let (bare, _) = scenario(
        addr,
        clients,
        transitions.min(100_000),
        &["/healthz"],
        "GET /healthz (constant)",
    )
    .await?;
    let sqlite = matches!(store.db(), motcua_store::Db::Sqlite(_));
    let target = raw * TARGET_RATIO;
    if sqlite {
        println!(
            "the target's rate ({target:.0}/s) is {:.0} % of the bare HTTP round trip's ({bare:.0}/s)",
            100.0 * target / bare
        );
    }
    if let Some(cpu) = cpu {
        let per = cpu / transitions.max(1) as f64;
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        print!(
            "CPU a transition (this process, every thread): {:.0} µs; cores busy during the run: {:.2} of {cores}",
            per * 1e6,
            cpu / secs
        );
        if sqlite {
            print!("; at this cost the target's rate would need {:.2} cores", per * target);
        }
        println!();
    }

    // Untimed: statements per transition, counted over a few lifecycles run one at a time.
    let mut c = Connection::open(addr).await?;
    let profiled = 10;
    let mut stmts = [0u64; STEPS.len()];
    for i in 0..profiled {
        lifecycle(
            &mut c,
            &staff,
            0,
            dossiers + i,
            &mut |_, _| {},
            Some((counting, &mut stmts)),
        )
        .await?;
    }
    let per: Vec<String> = STEPS
        .iter()
        .zip(stmts)
        .map(|(name, s)| format!("{name} {:.1}", s as f64 / profiled as f64))
        .collect();
    println!(
        "SQL statements per request (untimed, {profiled} lifecycles alone): {}; total {:.1} per lifecycle",
        per.join(", "),
        stmts.iter().sum::<u64>() as f64 / profiled as f64
    );
    Ok(())
}

fn print_latencies(name: &str, mut lat: Latencies) {
    println!(
        "{:<22} {:>10} {:>10.2} {:>10.2} {:>10.2}",
        name,
        lat.0.len(),
        lat.percentile(50.0) / 1000.0,
        lat.percentile(99.0) / 1000.0,
        lat.percentile(100.0) / 1000.0
    );
}

/// Bytes this process has caused to be written to storage so far (Linux `/proc/self/io`).
fn bytes_written() -> Option<u64> {
    std::fs::read_to_string("/proc/self/io")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("write_bytes:"))?
        .trim()
        .parse()
        .ok()
}

/// CPU time (user and system, every thread) this process has used so far, from Linux
/// `/proc/self/stat` (fields 14 and 15, in clock ticks of 1/100 s: `USER_HZ` is 100 on every
/// Linux architecture we build for).
fn cpu_seconds() -> Option<f64> {
    cpu_seconds_of(&std::fs::read_to_string("/proc/self/stat").ok()?)
}

fn cpu_seconds_of(stat: &str) -> Option<f64> {
    // The command name (field 2) may hold spaces and parentheses; the fields after its last
    // `)` start at field 3.
    let mut rest = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let user: f64 = rest.next()?.parse().ok()?;
    let system: f64 = rest.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

// ------------------------------------------------------------------------------------ setup

/// A person at work: user id and the `Cookie` header of their session.
struct Person {
    id: String,
    cookie: String,
}

struct Staff {
    procedure: String,
    clerks: Vec<Person>,
    specialists: Vec<Person>,
    leaders: Vec<Person>,
}

/// A two-step procedure processed by the division: appraisal, then checking and submission
/// for signature; with one fee, in person.
fn procedure() -> anyhow::Result<ProcedureVersion> {
    let unit = UnitCode::parse(DIVISION)?;
    let component = |name: &str, requirement| Component {
        name: name.into(),
        copy_type: CopyType::Original,
        quantity: 1,
        requirement,
        condition: None,
        form: None,
        variants: vec![],
    };
    Ok(ProcedureVersion {
        name: "Cấp giấy phép tiến hành công việc bức xạ – sử dụng thiết bị X-quang chẩn đoán trong y tế".into(),
        field: "An toàn bức xạ và hạt nhân".into(),
        agency: "Sở Khoa học và Công nghệ".into(),
        components: vec![
            component("Đơn đề nghị cấp giấy phép", Requirement::Required),
            component("Giấy chứng nhận kiểm định thiết bị", Requirement::Required),
        ],
        channels: vec![ChannelSpec {
            channel: Channel::InPerson,
            time_limit: Some(Duration::WorkingDays(5)),
            same_day: false,
            fees: vec![Fee {
                name: "Lệ phí cấp giấy phép".into(),
                kind: FeeKind::Charge,
                amount: Some(FEE),
                text: "150.000 đồng".into(),
                variants: vec![],
            }],
            workflow: vec![
                WorkflowStep {
                    name: "Thẩm định hồ sơ".into(),
                    unit_code: unit.clone(),
                    slice: Duration::WorkingDays(3),
                },
                WorkflowStep {
                    name: "Kiểm tra, trình ký".into(),
                    unit_code: unit,
                    slice: Duration::WorkingDays(2),
                },
            ],
        }],
        ..Default::default()
    })
}

/// A fresh store: calendar, the demo units and people, the procedure published, and the people
/// at work with their sessions (made as a sign-in makes them).
async fn setup(store: &Store) -> anyhow::Result<Staff> {
    let now = Utc::now();
    let system = Actor::system();
    motcua_store::calendar::ensure_seeded(store, now).await?;
    crate::demo::seed(store).await?;
    let v = catalog::save_draft(store, &system, now, None, catalog::input_of(&procedure()?)).await?;
    catalog::publish(
        store,
        &system,
        now,
        &v.procedure_id,
        NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default(),
        "QĐ 12/QĐ-UBND (bench)",
    )
    .await?;
    let unit_id = |code: &'static str| async move {
        identity::get_unit_by_code(store.db(), code)
            .await?
            .map(|u| u.id)
            .ok_or_else(|| anyhow::anyhow!("unit {code} missing from the demo seed"))
    };
    let (desk, division) = (unit_id(DESK).await?, unit_id(DIVISION).await?);
    // One hash for everyone: nobody signs in with a password here.
    let hash = hash_password(&random_hex(16));
    Ok(Staff {
        procedure: v.procedure_id,
        clerks: people(store, &hash, Role::Clerk, &desk, "motcua", CLERKS).await?,
        specialists: people(store, &hash, Role::Specialist, &division, "chuyenvien", SPECIALISTS).await?,
        leaders: people(store, &hash, Role::Leader, &division, "lanhdao", LEADERS).await?,
    })
}

/// `n` people holding `role` in the unit `unit_id`, each with a session.
async fn people(
    store: &Store,
    hash: &str,
    role: Role,
    unit_id: &str,
    prefix: &str,
    n: usize,
) -> anyhow::Result<Vec<Person>> {
    let now = Utc::now();
    let now_us = now.timestamp_micros();
    let mut out = Vec::with_capacity(n);
    for i in 1..=n {
        let u = identity::create_user(
            store,
            &Actor::system(),
            now,
            NewUser {
                username: format!("bench.{prefix}{i:02}"),
                full_name: format!("Cán bộ {prefix} {i:02}"),
                email: String::new(),
                password_hash: hash.to_owned(),
                must_change_password: false,
                roles: vec![(role, Some(unit_id.to_owned()))],
            },
        )
        .await?;
        let token = random_hex(32);
        identity::create_session(
            store,
            Session {
                token_hash: sha256_hex(&token),
                user_id: u.id.clone(),
                csrf_token: random_hex(32),
                created_at: now_us,
                last_seen_at: now_us,
                expires_at: now_us + 12 * 3600 * 1_000_000,
            },
            now,
            &Actor {
                id: u.id.clone(),
                role: role.as_str().to_owned(),
                unit: String::new(),
            },
        )
        .await?;
        out.push(Person {
            id: u.id,
            cookie: format!("{}={token}", motcua_web::middleware::SESSION_COOKIE),
        });
    }
    Ok(out)
}

// -------------------------------------------------------------------------------- lifecycle

/// Counts for the profile: the counter and the statements per step.
type Profile<'a> = Option<(&'a StatementCounter, &'a mut [u64; STEPS.len()])>;

/// One dossier from the desk to the returned result, by the people of client `k`: its clerk,
/// two specialists (one per step) and a leader.
async fn lifecycle(
    c: &mut Connection,
    staff: &Staff,
    k: usize,
    i: usize,
    record: &mut (dyn FnMut(usize, u32) + Send),
    mut profile: Profile<'_>,
) -> anyhow::Result<()> {
    let clerk = &staff.clerks[k % CLERKS];
    let first = &staff.specialists[(2 * k) % SPECIALISTS];
    let second = &staff.specialists[(2 * k + 1) % SPECIALISTS];
    let leader = &staff.leaders[k % LEADERS];
    let applicant = json!({
        "type": "person",
        "full_name": format!("Nguyễn Văn Bình {i}"),
        "citizen_id": format!("0440{:08}", i % 100_000_000),
        "phone": format!("09{:08}", i % 100_000_000),
        "email": format!("binh{i}@example.vn"),
        "address": format!("{} Lê Duẩn, Đông Hà, Quảng Trị", i % 500 + 1),
    });
    let intake = json!({
        "procedure": staff.procedure,
        "channel": 1,
        "applicant": applicant,
        "present": [{"index": 0}, {"index": 1}],
        "outcome": {"kind": "receive"},
        "intake_key": format!("bench-{k}-{i}"),
    });
    let mut step = 0;
    let mut d = call(
        c,
        clerk,
        "/api/v1/dossiers".into(),
        &intake,
        201,
        "received",
        step,
        record,
        &mut profile,
    )
    .await?;
    let id = d["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/api/v1/dossiers/{id}/commands");
    let commands: [(&Person, Value, &str); 7] = [
        (leader, json!({"kind": "assign", "assignee": first.id}), "processing"),
        (first, json!({"kind": "hand_over", "receiver": second.id}), "processing"),
        (clerk, json!({"kind": "request_fee", "items": []}), "awaiting_fee"),
        (
            clerk,
            json!({"kind": "fee_paid", "receipt": format!("BL-{i:07}"), "amount": FEE}),
            "processing",
        ),
        (
            second,
            json!({"kind": "hand_over", "receiver": leader.id}),
            "awaiting_decision",
        ),
        (
            leader,
            json!({"kind": "approve", "number": format!("{}/GP-SKHCN", i + 1), "date": Utc::now().date_naive()}),
            "decided",
        ),
        (
            clerk,
            json!({"kind": "return_result", "method": {"method": "counter", "received_by": format!("Nguyễn Văn Bình {i}")}}),
            "returned",
        ),
    ];
    for (who, command, state) in commands {
        step += 1;
        let body = json!({"expected_version": d["version"], "command": command});
        d = call(c, who, path.clone(), &body, 200, state, step, record, &mut profile).await?;
    }
    Ok(())
}

/// One request: the expected status and state, or the run stops with the answer's body.
#[allow(clippy::too_many_arguments)]
async fn call(
    c: &mut Connection,
    who: &Person,
    path: String,
    body: &Value,
    status: u16,
    state: &str,
    step: usize,
    record: &mut (dyn FnMut(usize, u32) + Send),
    profile: &mut Profile<'_>,
) -> anyhow::Result<Value> {
    let bytes = body.to_string();
    let headers = [
        ("Cookie", who.cookie.as_str()),
        // What a browser adds to a fetch from our own pages (the API's CSRF check).
        ("Sec-Fetch-Site", "same-origin"),
        ("Content-Type", "application/json"),
    ];
    if let Some((counter, _)) = profile {
        counter.start();
    }
    let t = Instant::now();
    let r = c.request("POST", &path, &headers, Some(bytes.as_bytes())).await?;
    let us = u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX);
    if let Some((counter, counts)) = profile {
        counts[step] += counter.stop();
    }
    let text = || String::from_utf8_lossy(&r.body).into_owned();
    anyhow::ensure!(
        r.status == status,
        "{} → {path}: expected {status}, got {}: {}",
        STEPS[step],
        r.status,
        text()
    );
    let d: Value = serde_json::from_slice(&r.body)?;
    anyhow::ensure!(
        d["state"] == state,
        "{}: expected state {state}: {}",
        STEPS[step],
        text()
    );
    record(step, us);
    Ok(d)
}

/// The dossier events the run wrote, as rows of the raw limit.
async fn dossier_events(store: &Store) -> anyhow::Result<Vec<RawRow>> {
    type Row = (String, String, String, String, String, String, String);
    let rows: Vec<Row> = on_db!(store.db(), |p| sqlx::query_as(
        "SELECT aggregate_type, aggregate_id, kind, actor_id, actor_role, actor_unit, payload FROM events \
         WHERE aggregate_type = $1 ORDER BY id"
    )
    .bind(motcua_store::dossiers::AGGREGATE_TYPE)
    .fetch_all(p)
    .await)?;
    Ok(rows
        .into_iter()
        .map(
            |(aggregate_type, aggregate_id, kind, actor_id, actor_role, actor_unit, payload)| RawRow {
                aggregate_type,
                aggregate_id,
                kind,
                actor_id,
                actor_role,
                actor_unit,
                payload,
            },
        )
        .collect())
}

// ------------------------------------------------------------------------ statement counter

/// Counts the statements sqlx runs (its `sqlx::query` log events) while switched on; switched
/// off, the only cost is sqlx asking whether the event is wanted.
#[derive(Clone)]
struct StatementCounter {
    on: Arc<AtomicBool>,
    count: Arc<AtomicU64>,
}

impl StatementCounter {
    fn start(&self) {
        self.count.store(0, Ordering::SeqCst);
        self.on.store(true, Ordering::SeqCst);
    }

    fn stop(&self) -> u64 {
        self.on.store(false, Ordering::SeqCst);
        self.count.load(Ordering::SeqCst)
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for StatementCounter {
    fn register_callsite(&self, m: &'static tracing::Metadata<'static>) -> tracing::subscriber::Interest {
        if m.target() == "sqlx::query" {
            tracing::subscriber::Interest::sometimes()
        } else {
            tracing::subscriber::Interest::never()
        }
    }

    fn enabled(&self, m: &tracing::Metadata<'_>, _: tracing_subscriber::layer::Context<'_, S>) -> bool {
        m.target() == "sqlx::query" && self.on.load(Ordering::Relaxed)
    }

    fn on_event(&self, _: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        self.count.fetch_add(1, Ordering::Relaxed);
    }
}

/// The process-wide subscriber of the bench: only the statement counter (switched off).
fn install_statement_counter() -> StatementCounter {
    use tracing_subscriber::layer::SubscriberExt;
    let counter = StatementCounter {
        on: Arc::new(AtomicBool::new(false)),
        count: Arc::new(AtomicU64::new(0)),
    };
    let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(counter.clone()));
    counter
}

#[cfg(test)]
mod tests {
    use super::cpu_seconds_of;

    #[test]
    fn cpu_time_is_read_from_the_user_and_system_fields_of_proc_stat() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
        let stat = "4242 (motcua (x) y) R 1 4242 4242 0 -1 4194560 1200 0 3 0 1234 56 0 0 20 0 8 0";
        assert_eq!(cpu_seconds_of(stat), Some(12.90));
        assert_eq!(cpu_seconds_of("4242 (motcua) R 1"), None);
        if cfg!(target_os = "linux") {
            assert!(super::cpu_seconds().is_some_and(|s| s >= 0.0));
        }
    }
}
