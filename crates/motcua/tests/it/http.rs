//! HTTP tests over the real router.

use crate::support::{Client, TestApp, TestDb};
use motcua_core::identity::Role;
use motcua_web::auth::Access;
use proptest::prelude::*;
use serde_json::json;

#[tokio::test]
async fn sign_in_rotates_the_session_and_sign_out_ends_it() {
    let app = TestApp::sqlite_demo().await;
    let mut c = Client::default();
    app.get(&mut c, "/login").await;
    let bad = app
        .form(
            &mut c,
            "/login",
            &[("username", "admin"), ("password", "wrong-password")],
        )
        .await;
    assert_eq!(bad.status, 401);
    assert!(bad.body.contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    let ok = app
        .form(
            &mut c,
            "/login",
            &[
                ("username", "admin"),
                ("password", "demo-admin-2026"),
                ("next", "/admin/units"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
    assert_eq!(ok.location(), "/admin/units");
    let set = ok
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("motcua_session="))
        .unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
    let first = c.cookies.iter().find(|(k, _)| k == "motcua_session").unwrap().1.clone();
    let units = app.get(&mut c, "/admin/units").await;
    assert_eq!(units.status, 200);
    assert!(units.body.contains("Sở Khoa học và Công nghệ tỉnh Quảng Trị"));
    // Signing in again issues a new token and ends the old session.
    app.form(
        &mut c,
        "/login",
        &[("username", "admin"), ("password", "demo-admin-2026")],
    )
    .await;
    let second = c.cookies.iter().find(|(k, _)| k == "motcua_session").unwrap().1.clone();
    assert_ne!(first, second);
    let mut old = Client {
        cookies: vec![("motcua_session".into(), first)],
        ..Default::default()
    };
    assert_eq!(app.get(&mut old, "/admin/units").await.status, 303);
    // Sign out.
    app.get(&mut c, "/").await;
    let out = app.form(&mut c, "/logout", &[]).await;
    assert_eq!(out.status, 303);
    let mut gone = Client {
        cookies: vec![("motcua_session".into(), second)],
        ..Default::default()
    };
    assert_eq!(app.get(&mut gone, "/admin/units").await.status, 303);
    let evs = motcua_store::events::list(
        app.db.store.db(),
        &motcua_store::events::EventFilter {
            kind_prefix: Some("user.signed".into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(evs.iter().any(|e| e.kind == "user.signed_out") && evs.iter().any(|e| e.kind == "user.signed_in"));
}

#[tokio::test]
async fn login_is_rate_limited() {
    let app = TestApp::sqlite_demo().await;
    let mut c = Client::default();
    app.get(&mut c, "/login").await;
    for _ in 0..5 {
        assert_eq!(
            app.form(&mut c, "/login", &[("username", "lan"), ("password", "nope-nope-nope")])
                .await
                .status,
            401
        );
    }
    let r = app
        .form(
            &mut c,
            "/login",
            &[("username", "lan"), ("password", "demo-clerk-2026")],
        )
        .await;
    assert_eq!(r.status, 429);
    assert!(r.body.contains("quá nhiều lần"));
}

#[tokio::test]
async fn forms_without_the_token_or_from_another_site_are_refused() {
    let app = TestApp::sqlite_demo().await;
    let mut c = app.login("admin", "demo-admin-2026").await;
    let good_token = c.csrf.clone();
    c.csrf = "0".repeat(64);
    let r = app
        .form(
            &mut c,
            "/admin/units",
            &[("code", "000.09.15.H50"), ("name", "X"), ("kind", "department")],
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("csrf"));
    // Right token, but the browser says the request came from another site.
    let cookie = c
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/admin/units")
        .header("host", "motcua.test")
        .header("cookie", cookie)
        .header("sec-fetch-site", "cross-site")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(format!(
            "_csrf={good_token}&code=000.09.15.H50&name=X&kind=department"
        )))
        .unwrap();
    assert_eq!(app.send(req).await.status, 403);
    assert!(
        motcua_store::identity::get_unit_by_code(app.db.store.db(), "000.09.15.H50")
            .await
            .unwrap()
            .is_none()
    );
}

/// Deny by default: for every route, everyone the policy does not name is refused.
#[tokio::test]
async fn every_route_refuses_callers_its_policy_does_not_name() {
    let app = TestApp::sqlite_demo().await;
    let mut clients = Vec::new();
    for p in motcua::demo::PEOPLE {
        clients.push((p.role, app.login(p.username, p.password).await));
    }
    assert!(app.table.len() > 20);
    let mut checked = 0;
    for spec in &app.table {
        let path = spec
            .path
            .replace("{id}", "00000000-0000-0000-0000-000000000000")
            .replace("{grant_id}", "x")
            .replace("{lang}", "en");
        // Anonymous.
        if spec.access != Access::Public {
            let mut anon = Client::default();
            let r = app
                .request(&mut anon, spec.method, &path, Some("application/json"), b"{}".to_vec())
                .await;
            if path.starts_with("/api/") {
                assert_eq!(r.status, 401, "{} {} anonymous", spec.method, spec.path);
            } else {
                assert!(
                    r.status == 303 || r.status == 403,
                    "{} {} anonymous: {}",
                    spec.method,
                    spec.path,
                    r.status
                );
            }
            checked += 1;
        }
        if let Access::Roles { roles, .. } = spec.access {
            for (role, client) in clients.iter_mut() {
                if roles.contains(role) {
                    continue;
                }
                let r = app
                    .request(client, spec.method, &path, Some("application/json"), b"{}".to_vec())
                    .await;
                assert_eq!(r.status, 403, "{} {} as {role}: {}", spec.method, spec.path, r.body);
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "checked {checked}");
    // The admin pages name only the administrator.
    let admin_pages = app.table.iter().filter(|s| s.path.starts_with("/admin/")).count();
    assert!(admin_pages >= 10);
    assert!(
        app.table
            .iter()
            .filter(|s| s.path.starts_with("/admin/"))
            .all(|s| s.access == Access::roles(&[Role::Admin]))
    );
}

#[tokio::test]
async fn admin_adds_a_unit_and_the_audit_log_shows_it() {
    let app = TestApp::sqlite_demo().await;
    let mut c = app.login("admin", "demo-admin-2026").await;
    app.get(&mut c, "/admin/units").await;
    let bad = app
        .form(
            &mut c,
            "/admin/units",
            &[
                ("code", "000.06.15.h50"),
                ("name", "Phòng Thanh tra"),
                ("kind", "department"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Mã định danh điện tử không hợp lệ"));
    let r = app
        .form(
            &mut c,
            "/admin/units",
            &[
                ("code", "000.06.15.H50"),
                ("name", "Phòng Thanh tra"),
                ("name_en", "Inspection Division"),
                ("kind", "department"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let list = app.get(&mut c, "/admin/units?ok=units.created").await;
    assert!(list.body.contains("Phòng Thanh tra") && list.body.contains("Đã thêm đơn vị."));
    let audit = app.get(&mut c, "/audit?what=unit.created").await;
    assert_eq!(audit.status, 200);
    assert!(audit.body.contains("Phòng Thanh tra") && audit.body.contains("Chuỗi băm toàn vẹn"));
    // The inspector may read the log; the clerk may not.
    let mut tuan = app.login("tuan", "demo-inspector-2026").await;
    assert_eq!(app.get(&mut tuan, "/audit").await.status, 200);
    let mut lan = app.login("lan", "demo-clerk-2026").await;
    assert_eq!(app.get(&mut lan, "/audit").await.status, 403);
}

#[tokio::test]
async fn first_admin_must_change_the_one_time_password() {
    let db = TestDb::sqlite().await;
    let otp = motcua::app::bootstrap_admin(&db.store).await.unwrap().unwrap();
    assert!(
        motcua::app::bootstrap_admin(&db.store).await.unwrap().is_none(),
        "only on an empty database"
    );
    let app = TestApp::new(db).await;
    let mut c = Client::default();
    app.get(&mut c, "/login").await;
    let r = app
        .form(&mut c, "/login", &[("username", "admin"), ("password", &otp)])
        .await;
    assert_eq!(r.location(), "/account");
    assert_eq!(app.get(&mut c, "/admin/units").await.location(), "/account");
    app.get(&mut c, "/account").await;
    let short = app
        .form(
            &mut c,
            "/account/password",
            &[("current", &otp), ("new", "short"), ("confirm", "short")],
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(short.body.contains("ít nhất 10 ký tự"));
    let ok = app
        .form(
            &mut c,
            "/account/password",
            &[
                ("current", &otp),
                ("new", "a-much-better-pass"),
                ("confirm", "a-much-better-pass"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
    assert_eq!(app.get(&mut c, "/admin/units").await.status, 200);
}

#[tokio::test]
async fn english_switch_and_security_headers() {
    let app = TestApp::sqlite_demo().await;
    let mut c = Client::default();
    let vi = app.get(&mut c, "/").await;
    assert!(vi.body.contains("lang=\"vi\"") && vi.body.contains("Đăng nhập"));
    let csp = vi.headers.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline")
    );
    assert_eq!(vi.headers.get("x-content-type-options").unwrap(), "nosniff");
    let r = app.get(&mut c, "/lang/en?next=/login").await;
    assert_eq!(r.location(), "/login");
    let en = app.get(&mut c, "/login").await;
    assert!(en.body.contains("lang=\"en\"") && en.body.contains("Sign in"));
    // Off-site redirects are not followed.
    assert_eq!(app.get(&mut c, "/lang/vi?next=//evil.example").await.location(), "/");
}

#[tokio::test]
async fn health_ready_metrics_and_openapi() {
    let app = TestApp::sqlite_demo().await;
    let mut c = Client::default();
    assert_eq!(app.get(&mut c, "/healthz").await.status, 200);
    assert_eq!(app.get(&mut c, "/readyz").await.json()["status"], "ok");
    let m = app.get(&mut c, "/metrics").await;
    assert!(m.body.contains("motcua_http_requests_total"), "{}", m.body);
    let doc = app.get(&mut c, "/api/v1/openapi.json").await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for spec in app
        .table
        .iter()
        .filter(|s| s.path.starts_with("/api/v1/") && s.path != "/api/v1/openapi.json")
    {
        let op = &doc["paths"][spec.path][spec.method.to_lowercase()];
        assert!(
            op.is_object(),
            "{} {} missing from the OpenAPI document",
            spec.method,
            spec.path
        );
        assert_eq!(op["x-motcua-access"], spec.access.describe());
    }
    // Snapshot: the contract cannot drift silently. MOTCUA_UPDATE_SNAPSHOTS=1 rewrites it.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/openapi.snapshot.json");
    let now = serde_json::to_string_pretty(&doc).unwrap();
    if std::env::var("MOTCUA_UPDATE_SNAPSHOTS").is_ok() || !std::path::Path::new(path).exists() {
        std::fs::write(path, &now).unwrap();
    }
    let saved = std::fs::read_to_string(path).unwrap();
    assert!(
        saved == now,
        "the OpenAPI document changed; review and run with MOTCUA_UPDATE_SNAPSHOTS=1"
    );
    let docs = app.get(&mut c, "/api/docs").await;
    assert!(docs.body.contains("/api/v1/units") && docs.body.contains("Tài liệu API"));
}

#[tokio::test]
async fn api_problems_for_bad_input() {
    let app = TestApp::sqlite_demo().await;
    let mut c = app.login("admin", "demo-admin-2026").await;
    let r = app
        .json(
            &mut c,
            "POST",
            "/api/v1/units",
            &json!({"code": "000.07.15.H50", "name": "Phòng Công nghệ", "kind": "department"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let bad_code = app
        .json(
            &mut c,
            "POST",
            "/api/v1/units",
            &json!({"code": "abc..", "name": "X", "kind": "department"}),
        )
        .await;
    assert_eq!(bad_code.status, 422);
    assert_eq!(
        bad_code.headers.get("content-type").unwrap(),
        "application/problem+json"
    );
    let p = bad_code.json();
    assert_eq!(p["code"], "unit_code_invalid");
    assert_eq!(p["field"], "code");
    assert!(p["message_vi"].as_str().unwrap().contains("Mã định danh"));
    assert!(p["message_en"].as_str().unwrap().contains("identifier"));
    let unknown = app
        .json(
            &mut c,
            "POST",
            "/api/v1/units",
            &json!({"code": "000.08.15.H50", "name": "X", "kind": "department", "evil": 1}),
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.json()["code"].as_str().unwrap().to_owned()),
        (422, "invalid_body".into())
    );
    let wrong_type = app
        .json(
            &mut c,
            "POST",
            "/api/v1/units",
            &json!({"code": 5, "name": "X", "kind": "department"}),
        )
        .await;
    assert_eq!(wrong_type.status, 422);
    let malformed = app
        .request(
            &mut c,
            "POST",
            "/api/v1/units",
            Some("application/json"),
            b"{\"code\": ".to_vec(),
        )
        .await;
    assert_eq!(
        (malformed.status, malformed.json()["code"].as_str().unwrap().to_owned()),
        (400, "malformed_json".into())
    );
    let text = app
        .request(&mut c, "POST", "/api/v1/units", Some("text/plain"), b"{}".to_vec())
        .await;
    assert_eq!(text.status, 415);
    let huge = app
        .request(
            &mut c,
            "POST",
            "/api/v1/units",
            Some("application/json"),
            vec![b' '; 2 << 20],
        )
        .await;
    assert_eq!(
        (huge.status, huge.json()["code"].as_str().unwrap().to_owned()),
        (413, "payload_too_large".into())
    );
    let dup = app
        .json(
            &mut c,
            "POST",
            "/api/v1/units",
            &json!({"code": "000.07.15.H50", "name": "Y", "kind": "department"}),
        )
        .await;
    assert_eq!(dup.json()["code"], "unit_code_taken");
    let missing = app.get(&mut c, "/api/v1/units/999.99.99.H99").await;
    assert_eq!(missing.status, 404);
    let stale = app
        .json(
            &mut c,
            "PUT",
            &format!("/api/v1/units/{}", r.json()["id"].as_str().unwrap()),
            &json!({"name": "Z", "kind": "department", "active": true, "version": 7}),
        )
        .await;
    assert_eq!(stale.status, 409);
    let bad_date = app.get(&mut c, "/api/v1/audit/events?from=2026-13-40").await;
    assert_eq!(
        (bad_date.status, bad_date.json()["code"].as_str().unwrap().to_owned()),
        (400, "date_invalid".into())
    );
}

#[tokio::test]
async fn api_keys_are_scoped_and_revocable() {
    let app = TestApp::sqlite_demo().await;
    let mut admin = app.login("admin", "demo-admin-2026").await;
    let k = app
        .json(
            &mut admin,
            "POST",
            "/api/v1/api-keys",
            &json!({"name": "Cổng DVC quốc gia", "scopes": ["read"]}),
        )
        .await;
    assert_eq!(k.status, 201, "{}", k.body);
    let key = k.json()["key"].as_str().unwrap().to_owned();
    let id = k.json()["id"].as_str().unwrap().to_owned();
    let stored = motcua_store::identity::list_api_keys(app.db.store.db()).await.unwrap();
    assert!(
        stored.iter().all(|s| !key.contains(&s.key_hash)),
        "only a hash is stored"
    );
    let mut machine = Client {
        bearer: Some(key.clone()),
        ..Default::default()
    };
    assert_eq!(app.get(&mut machine, "/api/v1/units").await.status, 200);
    assert_eq!(app.get(&mut machine, "/api/v1/me").await.json()["kind"], "api_key");
    assert_eq!(
        app.json(
            &mut machine,
            "POST",
            "/api/v1/units",
            &json!({"code": "1.H50", "name": "X", "kind": "unit"})
        )
        .await
        .status,
        403
    );
    assert_eq!(app.get(&mut machine, "/api/v1/users").await.status, 403);
    let mut wrong = Client {
        bearer: Some(format!("{key}x")),
        ..Default::default()
    };
    assert_eq!(app.get(&mut wrong, "/api/v1/units").await.status, 401);
    assert_eq!(
        app.request(
            &mut admin,
            "POST",
            &format!("/api/v1/api-keys/{id}/revoke"),
            None,
            vec![]
        )
        .await
        .status,
        204
    );
    assert_eq!(app.get(&mut machine, "/api/v1/units").await.status, 401);
    let kinds: Vec<String> = motcua_store::events::of_aggregate(app.db.store.db(), "api_key", &id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["api_key.created", "api_key.revoked"]);
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random bodies at the JSON endpoints: always a 4xx problem or a success, never a 500.
    #[test]
    fn json_endpoints_never_fail_on_random_input(body in prop_oneof![
        ".{0,200}".prop_map(|s| s.into_bytes()),
        proptest::collection::vec(any::<u8>(), 0..200),
        (".{0,20}", ".{0,40}", ".{0,12}", any::<i64>(), any::<bool>()).prop_map(|(code, name, kind, v, a)|
            json!({"code": code, "name": name, "kind": kind, "version": v, "active": a, "scopes": [kind], "username": code, "full_name": name, "role": kind}).to_string().into_bytes()),
    ], which in 0usize..6) {
        rt().block_on(async {
            thread_local! { static APP: std::cell::RefCell<Option<(TestApp, Client)>> = const { std::cell::RefCell::new(None) }; }
            let taken = APP.with(|a| a.borrow_mut().take());
            let (app, mut c) = match taken {
                Some(x) => x,
                None => {
                    let app = TestApp::sqlite_demo().await;
                    let c = app.login("admin", "demo-admin-2026").await;
                    (app, c)
                }
            };
            let unit = motcua_store::identity::list_units(app.db.store.db()).await.unwrap()[0].id.clone();
            let (method, path) = [
                ("POST", "/api/v1/units".to_owned()),
                ("PUT", format!("/api/v1/units/{unit}")),
                ("POST", "/api/v1/users".to_owned()),
                ("POST", "/api/v1/api-keys".to_owned()),
                ("POST", "/api/v1/users/x/roles".to_owned()),
                ("GET", "/api/v1/audit/events?limit=abc".to_owned()),
            ][which].clone();
            let r = app.request(&mut c, method, &path, Some("application/json"), body.clone()).await;
            assert!(r.status < 500, "{method} {path} answered {} for {:?}: {}", r.status, String::from_utf8_lossy(&body), r.body);
            if r.status >= 400 {
                let p = r.json();
                assert!(p["code"].is_string() && p["message_vi"].is_string());
            }
            APP.with(|a| *a.borrow_mut() = Some((app, c)));
        });
    }
}

#[tokio::test]
async fn the_inspector_exports_the_filtered_log_as_csv() {
    let app = TestApp::sqlite_demo().await;
    let mut c = app.login("tuan", "demo-inspector-2026").await;
    let r = app.get(&mut c, "/audit/export.csv?what=unit.").await;
    assert_eq!(r.status, 200);
    assert!(
        r.headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(r.body.starts_with('\u{feff}'));
    assert!(r.body.contains("unit.created") && r.body.contains("Phòng Quản lý chuyên ngành"));
    assert!(!r.body.contains("user.created"));
}

/// Who a session is and what it may do is remembered between requests (no read per request);
/// a change made through this server is seen by the very next request: a revoked role, then a
/// deactivated account.
#[tokio::test]
async fn role_and_account_changes_take_effect_on_the_next_request() {
    use motcua_store::events::Actor;
    use motcua_store::identity;
    let app = TestApp::sqlite_demo().await;
    let (store, now) = (&app.db.store, chrono::Utc::now());
    let mut c = app.login("lan", "demo-clerk-2026").await;
    assert_eq!(app.get(&mut c, "/ho-so/tiep-nhan").await.status, 200);
    assert_eq!(app.get(&mut c, "/ho-so/tiep-nhan").await.status, 200);
    let lan = identity::get_user_by_username(store.db(), "lan")
        .await
        .unwrap()
        .unwrap();
    for g in identity::roles_of(store.db(), &lan.id).await.unwrap() {
        identity::revoke_role(store, &Actor::system(), now, &g.id)
            .await
            .unwrap();
    }
    assert_eq!(app.get(&mut c, "/ho-so/tiep-nhan").await.status, 403);
    assert_eq!(app.get(&mut c, "/").await.status, 200);
    let lan = identity::get_user_by_username(store.db(), "lan")
        .await
        .unwrap()
        .unwrap();
    identity::set_user_active(store, &Actor::system(), now, &lan.id, false, lan.version)
        .await
        .unwrap();
    // No longer signed in: the desk sends the caller to the sign-in page.
    let after = app.get(&mut c, "/ho-so/tiep-nhan").await;
    assert_eq!(after.status, 303);
    assert!(after.location().starts_with("/login"), "{}", after.location());
}
