//! Test harness: fresh stores on both databases, the real router, sign-in helpers.

use axum::body::Body;
use axum::http::{Request, Response, header};
use http_body_util::BodyExt;
use motcua::config::Config;
use motcua_store::db::StoreOptions;
use motcua_store::{DbKind, Store};
use motcua_web::RouteSpec;
use std::sync::atomic::{AtomicUsize, Ordering};
use tower::ServiceExt;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh, migrated store; dropped PostgreSQL schemas are cleaned at the end of the test.
pub struct TestDb {
    pub store: Store,
    pub kind: DbKind,
    #[allow(dead_code)]
    pub url: String,
    pub schema: Option<String>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("motcua-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}/t.db", dir.display());
        let store = Store::open(&StoreOptions::new(url.clone())).await.expect("open sqlite");
        TestDb {
            store,
            kind: DbKind::Sqlite,
            url,
            schema: None,
        }
    }

    pub async fn postgres() -> Option<TestDb> {
        let url = std::env::var("MOTCUA_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let schema = format!("t_{}_{n}", std::process::id());
        let mut o = StoreOptions::new(url.clone());
        o.pg_schema = Some(schema.clone());
        o.max_connections = 10;
        let store = Store::connect(&o).await.expect("connect postgres");
        store.drop_pg_schema(&schema).await.unwrap();
        let store = Store::connect(&o).await.expect("connect postgres");
        store.migrate().await.expect("migrate postgres");
        Some(TestDb {
            store,
            kind: DbKind::Postgres,
            url,
            schema: Some(schema),
        })
    }

    pub async fn cleanup(self) {
        if let Some(s) = &self.schema {
            let _ = self.store.drop_pg_schema(s).await;
        }
        self.store.close().await;
    }
}

/// Run a test body on SQLite, then on PostgreSQL when configured (says so when skipped).
pub async fn on_each_db<F, Fut>(name: &str, f: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: std::future::Future<Output = TestDb>,
{
    let db = f(TestDb::sqlite().await).await;
    db.cleanup().await;
    match TestDb::postgres().await {
        Some(db) => {
            f(db).await.cleanup().await;
            eprintln!("{name}: ran on SQLite and PostgreSQL");
        }
        None => eprintln!("{name}: PostgreSQL skipped (set MOTCUA_TEST_POSTGRES_URL to run it)"),
    }
}

pub struct TestApp {
    pub db: TestDb,
    pub router: axum::Router,
    pub table: Vec<RouteSpec>,
}

pub struct Reply {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as sent (for files).
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| {
                let first = c.split(';').next()?;
                let (k, v) = first.split_once('=')?;
                (k == name && !v.is_empty()).then(|| v.to_owned())
            })
    }
    pub fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    }
}

/// A browser-like client: keeps its cookies and sends same-origin headers.
#[derive(Clone, Default)]
pub struct Client {
    pub cookies: Vec<(String, String)>,
    pub csrf: String,
    pub bearer: Option<String>,
}

impl TestApp {
    pub async fn new(db: TestDb) -> TestApp {
        let cfg = Config::default();
        let (router, table) = motcua::app::router(db.store.clone(), &cfg);
        TestApp { db, router, table }
    }

    pub async fn sqlite_demo() -> TestApp {
        let db = TestDb::sqlite().await;
        motcua::demo::seed(&db.store).await.unwrap();
        TestApp::new(db).await
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let resp: Response<Body> = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn request(
        &self,
        c: &mut Client,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "motcua.test");
        if !c.cookies.is_empty() {
            let cookie = c
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            b = b.header(header::COOKIE, cookie);
        }
        if method != "GET" {
            b = b
                .header("sec-fetch-site", "same-origin")
                .header(header::ORIGIN, "http://motcua.test");
        }
        if let Some(t) = &c.bearer {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if let Some(ct) = content_type {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        let r = self.send(b.body(Body::from(body)).unwrap()).await;
        for name in ["motcua_session", "motcua_csrf", "motcua_lang"] {
            if let Some(v) = r.cookie(name) {
                c.cookies.retain(|(k, _)| k != name);
                c.cookies.push((name.into(), v));
            }
        }
        if let Some(tok) = extract_csrf(&r.body) {
            c.csrf = tok;
        }
        r
    }

    pub async fn get(&self, c: &mut Client, path: &str) -> Reply {
        self.request(c, "GET", path, None, vec![]).await
    }

    /// Post a form with the client's current form token.
    pub async fn form(&self, c: &mut Client, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", c.csrf.as_str())];
        all.extend_from_slice(fields);
        let body = serde_urlencoded_encode(&all);
        self.request(
            c,
            "POST",
            path,
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
        )
        .await
    }

    pub async fn json(&self, c: &mut Client, method: &str, path: &str, body: &serde_json::Value) -> Reply {
        self.request(c, method, path, Some("application/json"), body.to_string().into_bytes())
            .await
    }

    /// Sign in through the real form; returns the client with its session.
    pub async fn login(&self, username: &str, password: &str) -> Client {
        let mut c = Client::default();
        let page = self.get(&mut c, "/login").await;
        assert_eq!(page.status, 200);
        let r = self
            .form(
                &mut c,
                "/login",
                &[("username", username), ("password", password), ("next", "/")],
            )
            .await;
        assert_eq!(r.status, 303, "login failed for {username}: {}", r.body);
        // Load a page to pick up the session's form token.
        let home = self.get(&mut c, "/").await;
        assert_eq!(home.status, 200);
        c
    }
}

pub fn serde_urlencoded_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub fn extract_csrf(html: &str) -> Option<String> {
    let i = html.find("name=\"_csrf\" value=\"")?;
    let rest = &html[i + 20..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// Save `version` as a new procedure and publish it in force from 1 January 2025 (by the
/// system, under a test decision); returns the procedure id.
pub async fn publish_procedure(
    store: &Store,
    at: chrono::DateTime<chrono::Utc>,
    version: &motcua_core::catalog::ProcedureVersion,
) -> String {
    use motcua_store::catalog;
    use motcua_store::events::Actor;
    let d = catalog::save_draft(store, &Actor::system(), at, None, catalog::input_of(version))
        .await
        .unwrap();
    catalog::publish(
        store,
        &Actor::system(),
        at,
        &d.procedure_id,
        chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        "QĐ 12/QĐ-UBND",
    )
    .await
    .unwrap();
    d.procedure_id
}
