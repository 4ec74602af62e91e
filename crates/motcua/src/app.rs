//! Start-up shared by `motcua serve`, `motcua demo` and the tests.

use crate::config::Config;
use motcua_core::identity::{Role, Username};
use motcua_store::events::Actor;
use motcua_store::identity::{self, NewUser};
use motcua_store::{Store, StoreError};
use motcua_web::{AppState, RouteSpec};
use std::net::SocketAddr;
use std::time::Duration;

/// Open the database, run the migrations and, on a new database, load the shipped official
/// day-off schedules as calendar version 1.
pub async fn open_store(config: &Config) -> Result<Store, StoreError> {
    let store = Store::open(&config.store()).await?;
    motcua_store::calendar::ensure_seeded(&store, chrono::Utc::now()).await?;
    Ok(store)
}

/// The router and its route table over an open store.
pub fn router(store: Store, config: &Config) -> (axum::Router, Vec<RouteSpec>) {
    let state = AppState::new(store, config.web());
    // The national calendar (a table of every day 1900–2101) is built once; build it now rather
    // than in the first request that counts a deadline.
    if let Ok(rt) = tokio::runtime::Handle::try_current() {
        let warm = state.clone();
        rt.spawn(async move {
            let _ = warm.calendar.national(&warm.store, None).await;
        });
    }
    motcua_web::app(state)
}

/// First run: when nobody exists yet, create `admin` with a one-time password (returned, to be
/// printed once) that must be changed at first sign-in.
pub async fn bootstrap_admin(store: &Store) -> Result<Option<String>, StoreError> {
    if identity::count_users(store.db()).await? > 0 {
        return Ok(None);
    }
    let otp = motcua_web::auth::password::one_time_password();
    identity::create_user(
        store,
        &Actor::system(),
        chrono::Utc::now(),
        NewUser {
            username: "admin".into(),
            full_name: "Quản trị hệ thống".into(),
            email: String::new(),
            password_hash: motcua_web::auth::password::hash_password(&otp),
            must_change_password: true,
            roles: vec![(Role::Admin, None)],
        },
    )
    .await?;
    Ok(Some(otp))
}

/// Add a person from the command line; returns the one-time password when none was given.
pub async fn add_user(
    store: &Store,
    username: &str,
    full_name: &str,
    email: &str,
    role: &str,
    unit_code: Option<&str>,
    password: Option<String>,
) -> anyhow::Result<Option<String>> {
    let username = Username::parse(username).ok_or_else(|| {
        anyhow::anyhow!("username: 3–64 lowercase letters, digits, . _ - / tên đăng nhập không hợp lệ")
    })?;
    let role = Role::parse(role).ok_or_else(|| {
        anyhow::anyhow!(
            "role: one of citizen, clerk, specialist, leader, control_officer, inspector, admin / vai trò không hợp lệ"
        )
    })?;
    let unit = match unit_code {
        Some(code) => Some(
            identity::get_unit_by_code(store.db(), code)
                .await?
                .ok_or_else(|| anyhow::anyhow!("unit: no unit has code {code} / không có đơn vị mã {code}"))?
                .id,
        ),
        None => None,
    };
    let (pw, shown) = match password {
        Some(p) => {
            if let Some(code) = motcua_core::identity::password_problem(&p) {
                anyhow::bail!("password: {code}");
            }
            (p, None)
        }
        None => {
            let otp = motcua_web::auth::password::one_time_password();
            (otp.clone(), Some(otp))
        }
    };
    identity::create_user(
        store,
        &Actor {
            id: "cli".into(),
            role: "admin".into(),
            unit: String::new(),
        },
        chrono::Utc::now(),
        NewUser {
            username: username.as_str().into(),
            full_name: full_name.into(),
            email: email.into(),
            password_hash: motcua_web::auth::password::hash_password(&pw),
            must_change_password: shown.is_some(),
            roles: vec![(role, unit)],
        },
    )
    .await
    .map_err(|e| match e {
        StoreError::Rejected { code, message } => anyhow::anyhow!("{message}: {code}"),
        other => other.into(),
    })?;
    Ok(shown)
}

/// Seal the log every ten minutes (events older than a minute), so deletions at the tail of a
/// chain are caught by `audit verify` too.
pub fn spawn_checkpointer(store: Store) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            let now = chrono::Utc::now();
            if let Err(e) = motcua_store::events::checkpoint(&store, now - chrono::Duration::minutes(1), now).await {
                tracing::warn!(error = %e, "audit checkpoint failed");
            }
            let idle = 12 * 3600 * 1_000_000i64;
            let _ = identity::purge_sessions(&store, now.timestamp_micros(), idle).await;
        }
    });
}

/// Recompute the appointments of open dossiers once at start (issue 5 item 14). A calendar
/// change recomputes them in its own request after the commit; if the process stopped in
/// between, this catches up. Dossiers already up to date are left alone, so it writes nothing
/// on a normal start.
pub fn spawn_reschedule_catch_up(store: Store) {
    tokio::spawn(async move {
        let calendars = motcua_store::calendar::CalendarCache::new();
        let rules = motcua_core::dossiers::DeadlineRules::default();
        let dl = motcua_store::dossiers::Deadlines {
            calendars: &calendars,
            rules: &rules,
        };
        match motcua_store::dossiers::recompute_due(&store, dl, &Actor::system(), chrono::Utc::now()).await {
            Ok(moved) if !moved.is_empty() => {
                tracing::info!(count = moved.len(), "appointments recomputed at start")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "appointments not recomputed at start"),
        }
    });
}

/// Serve until Ctrl-C or SIGTERM; in-flight requests finish and the database is closed cleanly.
pub async fn serve(listener: tokio::net::TcpListener, router: axum::Router, store: Store) -> anyhow::Result<()> {
    spawn_checkpointer(store.clone());
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
