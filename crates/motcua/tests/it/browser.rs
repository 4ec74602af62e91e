//! Browser tests: headless Chromium (Debian's `chromium` and `chromium-driver`) through
//! chromedriver, against the real server on a local port. Skipped with a message when
//! chromedriver is missing, unless `MOTCUA_REQUIRE_BROWSER=1` (CI sets it), which fails instead.

use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: std::path::PathBuf,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub async fn browser(test: &str) -> Option<Browser> {
    let driver_path = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(driver_path) = driver_path else {
        if std::env::var("MOTCUA_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("{test}: chromedriver is required (MOTCUA_REQUIRE_BROWSER=1) but not installed");
        }
        eprintln!("{test}: browser test skipped (install chromium and chromium-driver)");
        return None;
    };
    let port = free_port();
    let driver = Command::new(driver_path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let profile = std::env::temp_dir().join(format!("motcua-chrome-{}-{port}", std::process::id()));
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "prefs": {"intl.accept_languages": "vi-VN,vi"},
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1000", "--lang=vi-VN",
                     format!("--user-data-dir={}", profile.display())]
        }
    });
    let caps: serde_json::Map<String, serde_json::Value> = caps.as_object().unwrap().clone();
    let mut last = None;
    for _ in 0..50 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => {
                return Some(Browser {
                    client,
                    driver,
                    _profile: profile,
                });
            }
            Err(e) => {
                last = Some(e);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    panic!("{test}: cannot reach chromedriver: {last:?}");
}

/// Serve the demo on a free local port; returns its base URL.
pub async fn serve_demo() -> String {
    let db = crate::support::TestDb::sqlite().await;
    motcua::demo::seed(&db.store).await.unwrap();
    let (router, _) = motcua::app::router(db.store.clone(), &motcua::config::Config::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{addr}")
}

/// Click `css` and wait until the browser has replaced the current document with the answer
/// (a `wait().for_element` right after a click may find the old page's element).
pub async fn click_and_load(c: &Client, css: &str) {
    click_found_and_load(c, Locator::Css(css)).await
}

/// [`click_and_load`] for any locator (a link by its text, say).
pub async fn click_found_and_load(c: &Client, what: Locator<'_>) {
    let old = c.find(Locator::Css("html")).await.unwrap();
    c.find(what)
        .await
        .unwrap_or_else(|e| panic!("{what:?}: {e}"))
        .click()
        .await
        .unwrap();
    for _ in 0..600 {
        if old.tag_name().await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what:?}: the page did not change");
}

pub async fn sign_in(c: &Client, base: &str, user: &str, pw: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys(user)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(pw)
        .await
        .unwrap();
    c.find(Locator::Css("form.card button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("form[action='/logout']"))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_admin_adds_a_unit_and_sees_it_in_the_list_and_the_audit_log() {
    let Some(b) = browser("browser_admin_adds_a_unit").await else {
        return;
    };
    let base = serve_demo().await;
    let c = &b.client;
    sign_in(c, &base, "admin", "demo-admin-2026").await;
    c.goto(&format!("{base}/admin/units")).await.unwrap();
    c.find(Locator::Id("code"))
        .await
        .unwrap()
        .send_keys("000.06.15.H50")
        .await
        .unwrap();
    c.find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("Phòng Thanh tra Sở")
        .await
        .unwrap();
    c.find(Locator::Id("name_en"))
        .await
        .unwrap()
        .send_keys("Inspection Division")
        .await
        .unwrap();
    c.find(Locator::Css("form[action='/admin/units'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Css("p.flash")).await.unwrap();
    let table = c.find(Locator::Css("table")).await.unwrap().text().await.unwrap();
    assert!(
        table.contains("Phòng Thanh tra Sở") && table.contains("000.06.15.H50"),
        "{table}"
    );
    c.goto(&format!("{base}/audit?what=unit.created")).await.unwrap();
    let log = c.find(Locator::Id("events")).await.unwrap().text().await.unwrap();
    assert!(log.contains("Phòng Thanh tra Sở"), "{log}");
    let chain = c.find(Locator::Id("chain")).await.unwrap().text().await.unwrap();
    assert!(chain.contains("Chuỗi băm toàn vẹn"), "{chain}");
    // Switch to English and back, with the keyboard-reachable link.
    c.find(Locator::Css("a[lang='en']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(h1, "Event log");
    c.clone().close().await.unwrap();
    eprintln!("browser_admin_adds_a_unit: ran in headless Chromium");
}
