//! Procedure catalog (issue 4): versions in the store on both databases.

use crate::support::on_each_db;
use chrono::NaiveDate;
use motcua_store::StoreError;
use motcua_store::catalog::{self, ListFilter, VersionInput};
use motcua_store::events::Actor;

fn thao() -> Actor {
    Actor {
        id: "thao".into(),
        role: "control_officer".into(),
        unit: "000.01.15.H50".into(),
    }
}

fn input(name: &str, days: u32) -> VersionInput {
    VersionInput {
        national_code: Some("1.003542".into()),
        applied_code: Some("1.003542.000.00.00.H50".into()),
        name: name.into(),
        field: "An toàn bức xạ và hạt nhân".into(),
        level: "province".into(),
        agency: "000.00.15.H50".into(),
        channels: "1 2 3".into(),
        search_text: motcua_core::catalog::fold(name),
        document: serde_json::json!({"name": name, "time_limit_days": days}).to_string(),
    }
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[tokio::test]
async fn versions_publish_amend_and_abolish() {
    on_each_db("versions_publish_amend_and_abolish", |db| async move {
        let s = &db.store;
        let now = chrono::Utc::now();
        let v1 = catalog::save_draft(
            s,
            &thao(),
            now,
            None,
            input("Cấp giấy phép tiến hành công việc bức xạ", 10),
        )
        .await
        .unwrap();
        assert_eq!((v1.number, v1.status.as_str()), (1, "draft"));
        let pid = v1.procedure_id.clone();
        // Nothing is in force before publication.
        assert!(
            catalog::in_force(s.db(), &pid, d("2026-01-01"))
                .await
                .unwrap()
                .is_none()
        );
        catalog::publish(s, &thao(), now, "1.003542", d("2025-01-01"), "QĐ 12/QĐ-UBND")
            .await
            .unwrap();
        // An amendment is a new draft; the published version does not change.
        let v2 = catalog::save_draft(
            s,
            &thao(),
            now,
            Some("1.003542.000.00.00.H50"),
            input("Cấp giấy phép tiến hành công việc bức xạ", 7),
        )
        .await
        .unwrap();
        assert_eq!(v2.number, 2);
        let again = catalog::save_draft(
            s,
            &thao(),
            now,
            Some(&pid),
            input("Cấp giấy phép tiến hành công việc bức xạ (sửa)", 7),
        )
        .await
        .unwrap();
        assert_eq!(
            (again.id.clone(), again.number),
            (v2.id.clone(), 2),
            "the open draft is edited, not duplicated"
        );
        // An effective date not after the version in force is refused.
        let early = catalog::publish(s, &thao(), now, &pid, d("2024-06-01"), "QĐ 1").await;
        assert!(
            matches!(
                early,
                Err(StoreError::Rejected {
                    code: "effective_date_not_after_previous",
                    ..
                })
            ),
            "{early:?}"
        );
        catalog::publish(s, &thao(), now, &pid, d("2026-03-01"), "QĐ 45/QĐ-UBND")
            .await
            .unwrap();
        let before = catalog::in_force(s.db(), &pid, d("2026-02-28")).await.unwrap().unwrap();
        let after = catalog::in_force(s.db(), &pid, d("2026-03-01")).await.unwrap().unwrap();
        assert_eq!((before.number, before.status.as_str()), (1, "superseded"));
        assert_eq!((after.number, after.status.as_str()), (2, "published"));
        assert!(after.document.contains("\"time_limit_days\":7"));
        assert_eq!(
            catalog::in_force_all(
                s.db(),
                d("2026-03-02"),
                &ListFilter {
                    channel: "2".into(),
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .len(),
            1
        );
        assert!(
            catalog::in_force_all(
                s.db(),
                d("2026-03-02"),
                &ListFilter {
                    channel: "4".into(),
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .is_empty()
        );
        // Publishing with no draft, abolishing twice: refused.
        assert!(matches!(
            catalog::publish(s, &thao(), now, &pid, d("2027-01-01"), "x").await,
            Err(StoreError::Rejected { code: "no_draft", .. })
        ));
        catalog::abolish(s, &thao(), now, &pid, d("2026-12-01"), "QĐ 99/QĐ-UBND")
            .await
            .unwrap();
        assert!(
            catalog::in_force(s.db(), &pid, d("2026-12-01"))
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            catalog::in_force(s.db(), &pid, d("2026-11-30"))
                .await
                .unwrap()
                .is_some()
        );
        let twice = catalog::abolish(s, &thao(), now, &pid, d("2026-12-15"), "x").await;
        assert!(
            matches!(
                twice,
                Err(StoreError::Rejected {
                    code: "procedure_not_in_force",
                    ..
                })
            ),
            "{twice:?}"
        );
        let kinds: Vec<String> = motcua_store::events::of_aggregate(s.db(), "procedure", &pid)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                "procedure.created",
                "procedure.published",
                "procedure.draft_saved",
                "procedure.draft_saved",
                "procedure.published",
                "procedure.abolished"
            ]
        );
        db
    })
    .await;
}

use crate::support::{Client, TestApp, TestDb};
use proptest::prelude::*;

async fn names(app: &TestApp, q: &str) -> Vec<String> {
    let mut c = Client::default();
    let r = app
        .get(
            &mut c,
            &format!(
                "/api/v1/procedures?q={}",
                crate::support::serde_urlencoded_encode(&[("x", q)]).trim_start_matches("x=")
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn citizens_find_procedures_without_diacritics_and_with_a_typo() {
    let app = TestApp::sqlite_demo().await;
    let all = names(&app, "").await;
    assert_eq!(all.len(), 20, "first page of the 29 demo procedures");
    let radiation = names(&app, "cap giay phep buc xa").await;
    assert!(
        radiation
            .first()
            .is_some_and(|n| n.contains("giấy phép tiến hành công việc bức xạ")),
        "{radiation:?}"
    );
    let dang_ky = names(&app, "dang ky").await;
    assert!(
        !dang_ky.is_empty()
            && dang_ky
                .iter()
                .all(|n| motcua_core::catalog::fold(n).contains("dang ky")),
        "{dang_ky:?}"
    );
    assert_eq!(names(&app, "đăng ký").await, dang_ky, "đ = d");
    assert_eq!(names(&app, "DANG KY").await, dang_ky, "case is ignored");
    let xray = names(&app, "giay phep x quang").await;
    assert!(xray.first().is_some_and(|n| n.contains("X-quang")), "{xray:?}");
    assert_eq!(
        names(&app, "giay phep x quamg").await.first(),
        xray.first(),
        "one typo per word"
    );
    assert!(names(&app, "zzzz qqqq").await.is_empty());
}

#[tokio::test]
async fn the_api_gives_the_version_in_force_by_either_code() {
    let app = TestApp::sqlite_demo().await;
    let mut c = Client::default();
    let by_national = app.get(&mut c, "/api/v1/procedures/1.003542").await;
    assert_eq!(by_national.status, 200, "{}", by_national.body);
    let by_applied = app
        .get(&mut c, "/api/v1/procedures/1.003542.000.00.00.H50")
        .await
        .json();
    assert_eq!(by_national.json()["procedure_id"], by_applied["procedure_id"]);
    // The demo amends it from 1/3/2026 (QĐ 415/QĐ-UBND); the first version is in force before.
    assert_eq!(by_applied["effective_from"], "2026-03-01");
    let first = app
        .get(&mut c, "/api/v1/procedures/1.003542?on=2025-08-01")
        .await
        .json();
    assert_eq!(first["effective_from"], "2025-07-01");
    assert_eq!(first["effective_to"], "2026-03-01");
    assert!(
        by_applied["document"]["name"]
            .as_str()
            .unwrap()
            .contains("giám định sở hữu công nghiệp")
    );
    let before = app.get(&mut c, "/api/v1/procedures/1.003542?on=2025-06-30").await;
    assert_eq!(
        (before.status, before.json()["code"].as_str().unwrap().to_owned()),
        (404, "procedure_not_in_force".into())
    );
    let unknown = app.get(&mut c, "/api/v1/procedures/9.999999").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["detail"], "9.999999", "the code is named");
    let bad_day = app.get(&mut c, "/api/v1/procedures/1.003542?on=2025-02-30").await;
    assert_eq!(bad_day.status, 400);
    let versions = app.get(&mut c, "/api/v1/procedures/1.003542/versions").await.json();
    assert_eq!(versions.as_array().unwrap().len(), 2);
    let filtered = app
        .get(
            &mut c,
            "/api/v1/procedures?field=S%E1%BB%9F%20h%E1%BB%AFu%20tr%C3%AD%20tu%E1%BB%87&channel=1",
        )
        .await
        .json();
    assert!(filtered["total"].as_u64().unwrap() >= 1);
    assert!(
        filtered["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["field"] == "Sở hữu trí tuệ")
    );
}

#[tokio::test]
async fn the_public_pages_show_what_a_citizen_needs() {
    let app = TestApp::sqlite_demo().await;
    let mut c = Client::default();
    let list = app.get(&mut c, "/thu-tuc?q=giay+phep+x+quang").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("X-quang"), "{}", list.body);
    let page = app.get(&mut c, "/thu-tuc/1.003542.000.00.00.H50").await;
    assert_eq!(page.status, 200);
    for part in [
        "Cách thức thực hiện, thời hạn và phí",
        "200.000 đ",
        "Trực tiếp",
        "Sở hữu trí tuệ",
        "Các phiên bản",
    ] {
        assert!(page.body.contains(part), "missing {part}");
    }
    assert_eq!(app.get(&mut c, "/thu-tuc/9.999999").await.status, 404);
}

#[tokio::test]
async fn both_databases_give_the_same_hits() {
    let Some(pg) = TestDb::postgres().await else {
        eprintln!("both_databases_give_the_same_hits: PostgreSQL skipped (set MOTCUA_TEST_POSTGRES_URL to run it)");
        return;
    };
    let lite = TestDb::sqlite().await;
    for db in [&lite, &pg] {
        motcua::demo::seed_catalog(&db.store).await.unwrap();
    }
    let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    for q in [
        "cap giay phep buc xa",
        "dang ky",
        "giay phep x quamg",
        "",
        "khoa hoc cong nghe",
        "\u{0}\u{ffff}",
    ] {
        let a: Vec<String> = catalog::search(lite.store.db(), day, q, &ListFilter::default())
            .await
            .unwrap()
            .into_iter()
            .map(|h| h.version.name)
            .collect();
        let b: Vec<String> = catalog::search(pg.store.db(), day, q, &ListFilter::default())
            .await
            .unwrap()
            .into_iter()
            .map(|h| h.version.name)
            .collect();
        assert_eq!(a, b, "query {q:?}");
    }
    eprintln!("both_databases_give_the_same_hits: ran on SQLite and PostgreSQL");
    lite.cleanup().await;
    pg.cleanup().await;
}

#[tokio::test]
async fn export_then_import_gives_the_same_catalog() {
    let a = TestDb::sqlite().await;
    assert_eq!(motcua::demo::seed_catalog(&a.store).await.unwrap(), 29);
    let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let exported = motcua::catalog_cli::export_json(&a.store, day).await.unwrap();
    let b = TestDb::sqlite().await;
    let eff = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
    let out = motcua::catalog_cli::import(&b.store, "catalog.json", exported.as_bytes(), false, false, eff)
        .await
        .unwrap();
    assert_eq!((out.created, out.problems.len()), (29, 0));
    assert_eq!(motcua::catalog_cli::export_json(&b.store, day).await.unwrap(), exported);
    // Importing the same again changes nothing.
    let again = motcua::catalog_cli::import(&b.store, "catalog.json", exported.as_bytes(), false, false, eff)
        .await
        .unwrap();
    assert_eq!((again.created, again.amended, again.unchanged), (0, 0, 29));
    a.cleanup().await;
    b.cleanup().await;
}

#[tokio::test]
async fn a_bad_file_writes_nothing_unless_partial() {
    let db = TestDb::sqlite().await;
    let eff = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
    let wrong_header = b"ma,ten\n1.000001,X\n";
    let out = motcua::catalog_cli::import(&db.store, "x.csv", wrong_header, false, false, eff)
        .await
        .unwrap();
    assert!(!out.written && !out.problems.is_empty());
    assert!(
        out.problems[0].message_vi.contains("cột") || out.problems[0].message_vi.contains("Cột"),
        "{:?}",
        out.problems[0]
    );
    let mut text = String::from_utf8(motcua::demo::PROCEDURES_CSV.to_vec()).unwrap();
    text.push_str("9.99,,Thủ tục lỗi mã,Lĩnh vực,Cấp tỉnh,Sở,5 ngày làm việc,5,ngày làm việc,,,,,,\n");
    let out = motcua::catalog_cli::import(&db.store, "x.csv", text.as_bytes(), false, false, eff)
        .await
        .unwrap();
    assert!(!out.written);
    let p = out
        .problems
        .iter()
        .find(|p| p.code == "national_code_invalid")
        .expect("the bad code is reported");
    assert_eq!((p.row, p.column.as_deref()), (31, Some("ma_so")));
    assert!(
        catalog::list_procedures(db.store.db()).await.unwrap().is_empty(),
        "nothing half-saved"
    );
    let out = motcua::catalog_cli::import(&db.store, "x.csv", text.as_bytes(), false, true, eff)
        .await
        .unwrap();
    assert!(out.written);
    assert_eq!(out.created, 29);
    db.cleanup().await;
}

#[test]
fn the_cli_imports_and_exports() {
    let dir = std::env::temp_dir().join(format!("motcua-cat-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/c.db", dir.display());
    let csv = concat!(env!("CARGO_MANIFEST_DIR"), "/../motcua-core/data/tthc_skhcn.csv");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(args)
            .output()
            .unwrap()
    };
    let dry = run(&["catalog", "import", csv, "--dry-run", "--database-url", &url]);
    assert!(dry.status.success(), "{}", String::from_utf8_lossy(&dry.stderr));
    assert!(
        String::from_utf8_lossy(&dry.stdout).contains("\"rows\":29")
            && String::from_utf8_lossy(&dry.stdout).contains("\"written\":false")
    );
    let imp = run(&[
        "catalog",
        "import",
        csv,
        "--effective",
        "2025-07-01",
        "--database-url",
        &url,
    ]);
    assert!(
        String::from_utf8_lossy(&imp.stdout).contains("\"created\":29"),
        "{}",
        String::from_utf8_lossy(&imp.stdout)
    );
    let exp = run(&["catalog", "export", "--format", "json", "--database-url", &url]);
    let list: serde_json::Value = serde_json::from_slice(&exp.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 29);
    let bad = run(&[
        "catalog",
        "import",
        csv,
        "--effective",
        "2025-13-01",
        "--database-url",
        &url,
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--effective"));
    let _ = std::fs::remove_dir_all(dir);
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Search input of any length or bytes never errors.
    #[test]
    fn any_search_input_answers(q in prop_oneof![".{0,50}", ".{400,900}", proptest::collection::vec(any::<u8>(), 0..80).prop_map(|b| String::from_utf8_lossy(&b).into_owned())]) {
        rt().block_on(async {
            thread_local! { static APP: std::cell::RefCell<Option<TestApp>> = const { std::cell::RefCell::new(None) }; }
            let app = match APP.with(|a| a.borrow_mut().take()) { Some(a) => a, None => TestApp::sqlite_demo().await };
            let mut c = Client::default();
            let enc = crate::support::serde_urlencoded_encode(&[("q", q.as_str())]);
            for path in [format!("/api/v1/procedures?{enc}"), format!("/thu-tuc?{enc}")] {
                let r = app.get(&mut c, &path).await;
                assert_eq!(r.status, 200, "{path}: {}", r.body);
            }
            APP.with(|a| *a.borrow_mut() = Some(app));
        });
    }
}

/// Journey 4, step 1: a citizen types without diacritics, with a typo, and reads the procedure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_citizen_finds_and_reads_a_procedure() {
    use fantoccini::Locator;
    let Some(b) = crate::browser::browser("browser_citizen_finds_a_procedure").await else {
        return;
    };
    let base = crate::browser::serve_demo().await;
    let c = &b.client;
    c.goto(&base).await.unwrap();
    // Each click waits for the next page, so nothing is read from the page being left (the
    // catalog's first page lists procedures too: reading it raced the search's answer).
    crate::browser::click_found_and_load(c, Locator::LinkText("Thủ tục hành chính")).await;
    c.find(Locator::Id("q"))
        .await
        .unwrap()
        .send_keys("giay phep x quamg")
        .await
        .unwrap();
    crate::browser::click_and_load(c, "form[role=search] button[type=submit]").await;
    let first = c.find(Locator::Css("ol.procedures li a")).await.unwrap();
    assert!(first.text().await.unwrap().contains("X-quang"));
    crate::browser::click_and_load(c, "ol.procedures li a").await;
    let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert!(h1.contains("giấy phép tiến hành công việc bức xạ"), "{h1}");
    let body = c.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(
        body.contains("Cách thức thực hiện, thời hạn và phí") && body.contains("Năng lượng nguyên tử"),
        "{body}"
    );
    c.clone().close().await.unwrap();
    eprintln!("browser_citizen_finds_and_reads_a_procedure: ran in headless Chromium");
}

/// The in-memory search (issue 4 items 4 and 9) gives the same hits in the same order as
/// scoring every stored version, and sees a change made through the store at once.
#[tokio::test]
async fn in_memory_search_matches_the_store_and_follows_changes() {
    on_each_db(
        "in_memory_search_matches_the_store_and_follows_changes",
        |db| async move {
            motcua::demo::seed_catalog(&db.store).await.unwrap();
            let index = motcua_store::catalog_index::CatalogIndex::new();
            let day = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
            let filters = [
                ListFilter::default(),
                ListFilter {
                    channel: "2".into(),
                    ..ListFilter::default()
                },
                ListFilter {
                    field: "Sở hữu trí tuệ".into(),
                    ..ListFilter::default()
                },
            ];
            for f in &filters {
                for q in [
                    "cap giay phep buc xa",
                    "dang ky",
                    "giay phep x quamg",
                    "khoa hoc cong nghe",
                    "\u{0}\u{ffff}",
                    "tham dinh",
                ] {
                    let want: Vec<String> = catalog::search(db.store.db(), day, q, f)
                        .await
                        .unwrap()
                        .into_iter()
                        .map(|h| h.version.name)
                        .collect();
                    let got = index.search(&db.store, day, q, f).await.unwrap();
                    let got: Vec<String> = got.page(0, usize::MAX).map(|(v, _)| v.name.clone()).collect();
                    assert_eq!(got, want, "query {q:?} filter {:?}", f.channel);
                }
                let mut all: Vec<String> = catalog::in_force_all(db.store.db(), day, f)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|v| v.name)
                    .collect();
                all.sort();
                let listed = index.search(&db.store, day, "", f).await.unwrap();
                let listed: Vec<String> = listed.page(0, usize::MAX).map(|(v, _)| v.name.clone()).collect();
                assert_eq!(listed, all);
            }
            // A new procedure published through the store is found by the next search.
            let before = index
                .search(&db.store, day, "kiem dinh thiet bi x quang nha khoa", &filters[0])
                .await
                .unwrap();
            assert_eq!(before.total(), 0);
            let mut i = input("Kiểm định thiết bị X-quang nha khoa", 5);
            i.national_code = Some("1.999001".into());
            i.applied_code = None;
            let v = catalog::save_draft(&db.store, &thao(), chrono::Utc::now(), None, i)
                .await
                .unwrap();
            catalog::publish(
                &db.store,
                &thao(),
                chrono::Utc::now(),
                &v.procedure_id,
                NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
                "QĐ 1/QĐ-UBND",
            )
            .await
            .unwrap();
            let after = index
                .search(&db.store, day, "kiem dinh thiet bi x quang nha khoa", &filters[0])
                .await
                .unwrap();
            assert_eq!(after.total(), 1);
            // Another server process ends that version (a write this process never saw): the
            // snapshot is used until `recheck` passes, then the database's generation tells.
            let mut other = motcua_store::catalog_index::CatalogIndex::new();
            other.recheck = std::time::Duration::from_secs(3600);
            let q = "kiem dinh thiet bi x quang nha khoa";
            assert_eq!(other.search(&db.store, day, q, &filters[0]).await.unwrap().total(), 1);
            let sql = "UPDATE procedure_versions SET effective_to = '2026-05-15' WHERE procedure_id = $1";
            motcua_store::on_db!(db.store.db(), |p| sqlx::query(sql)
                .bind(&v.procedure_id)
                .execute(p)
                .await
                .map(|_| ()))
            .unwrap();
            assert_eq!(other.search(&db.store, day, q, &filters[0]).await.unwrap().total(), 1);
            other.recheck = std::time::Duration::ZERO;
            assert_eq!(other.search(&db.store, day, q, &filters[0]).await.unwrap().total(), 0);
            db
        },
    )
    .await;
}
