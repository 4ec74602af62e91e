//! motcua-web: the public portal, the back office (server-rendered HTML that works without
//! JavaScript) and the JSON API under `/api/v1`, on one axum router.

pub mod api;
pub mod auth;
pub mod dossier_access;
pub mod extract;
pub mod i18n;
pub mod middleware;
pub mod pages;
pub mod problem;
pub mod routes;

use axum::Router;
use chrono::{DateTime, Utc};
use metrics_exporter_prometheus::PrometheusHandle;
use motcua_store::Store;
use motcua_store::events::VerifyReport;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

pub use routes::RouteSpec;

/// Web settings (from `motcua.toml` / `MOTCUA_*`; see the binary's config).
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Largest JSON body accepted, in bytes (default 1 MiB).
    pub json_limit: usize,
    /// Largest upload, in bytes (default 20 MiB).
    pub upload_limit: usize,
    /// A session ends after this much inactivity (default 30 minutes).
    pub session_idle: Duration,
    /// A session ends this long after sign-in, whatever happens (default 12 hours).
    pub session_absolute: Duration,
    /// Served behind TLS: cookies get `Secure` and responses carry HSTS.
    pub secure: bool,
    /// Failed sign-ins allowed per username and address within `login_window`.
    pub login_max_failures: u32,
    pub login_window: Duration,
    /// Outgoing mail is configured (the outbox page says so when it is not).
    pub smtp_configured: bool,
    /// Public dossier lookups allowed per client address within `lookup_window`.
    pub lookup_max: u32,
    pub lookup_window: Duration,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            json_limit: 1 << 20,
            upload_limit: 20 << 20,
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            secure: false,
            login_max_failures: 5,
            login_window: Duration::from_secs(5 * 60),
            smtp_configured: false,
            // Enough for a family checking a few dossiers; too few to guess codes and phones.
            lookup_max: 20,
            lookup_window: Duration::from_secs(10 * 60),
        }
    }
}

/// Shared state of every request.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub config: WebConfig,
    pub login_limiter: auth::limiter::Limiter,
    /// Public lookups (`/tra-cuu`, `/api/v1/lookup`) per client address.
    pub lookup_limiter: auth::limiter::Limiter,
    /// Where online fee payments go (the local test provider until a platform is configured).
    pub payments: Arc<dyn motcua_store::payments::PaymentProvider>,
    pub metrics: Option<PrometheusHandle>,
    pub verify_cache: Mutex<Option<(DateTime<Utc>, VerifyReport)>>,
    /// Built national and agency calendars, by version.
    pub calendar: motcua_store::calendar::CalendarCache,
    /// The public catalog search, kept in memory while the catalog does not change.
    pub catalog_index: motcua_store::catalog_index::CatalogIndex,
    /// Signed-in sessions already resolved (session, person, roles), by token hash: a request
    /// reads nothing to know who calls. Sign-out, role and account changes made here are seen
    /// at once, those made by another server process within a second (`motcua_store::memo`).
    pub sessions: motcua_store::memo::Remembered<String, (motcua_store::identity::Session, auth::Principal)>,
    /// Deadline rules of dossier processing (near-due window, pauses, verdicts); configuration.
    pub deadline_rules: motcua_core::dossiers::DeadlineRules,
    /// Where the dossier pages read "now": the system clock, or a test's clock (so a browser
    /// test can drive a dossier past its deadlines without waiting).
    pub clock: Clock,
}

/// A source of the current instant.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> AppState {
        Self::with_clock(store, config, Arc::new(Utc::now))
    }

    /// The state with another clock for the dossier pages (tests).
    pub fn with_clock(store: Store, config: WebConfig, clock: Clock) -> AppState {
        let login_limiter = auth::limiter::Limiter::new(config.login_max_failures, config.login_window);
        let lookup_limiter = auth::limiter::Limiter::new(config.lookup_max, config.lookup_window);
        AppState(Arc::new(Inner {
            store,
            config,
            login_limiter,
            lookup_limiter,
            payments: Arc::new(motcua_store::payments::LocalTestProvider),
            metrics: metrics_handle(),
            verify_cache: Mutex::new(None),
            calendar: motcua_store::calendar::CalendarCache::new(),
            catalog_index: motcua_store::catalog_index::CatalogIndex::new(),
            sessions: motcua_store::memo::Remembered::new(motcua_store::memo::Topic::Identity, 100_000),
            deadline_rules: motcua_core::dossiers::DeadlineRules::default(),
            clock,
        }))
    }

    /// The current instant, from the state's clock.
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Where dossier deadlines come from: the calendar cache and the deadline rules.
    pub fn deadlines(&self) -> motcua_store::dossiers::Deadlines<'_> {
        motcua_store::dossiers::Deadlines {
            calendars: &self.calendar,
            rules: &self.deadline_rules,
        }
    }
}

/// The Prometheus recorder is process-wide; install it once.
fn metrics_handle() -> Option<PrometheusHandle> {
    static H: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    H.get_or_init(|| {
        metrics_exporter_prometheus::PrometheusBuilder::new()
            .install_recorder()
            .ok()
    })
    .clone()
}

/// Build the whole application: the router and the table of every route with who may call it.
pub fn app(state: AppState) -> (Router, Vec<RouteSpec>) {
    let routes = routes::all();
    let table = routes.table.clone();
    let router = middleware::wrap(routes.router, state.clone(), &table).with_state(state);
    (router, table)
}
