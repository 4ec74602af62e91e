//! Publication decisions (issue 4, deliverable 3 and 5): issuing publishes and abolishes in one
//! transaction on both databases; the API and the back office for control officers; the
//! timeliness verdicts of QĐ 766 indicators 1.1 and 1.2; statistics.

use crate::support::{Client, TestApp, on_each_db};
use chrono::NaiveDate;
use motcua_core::catalog::{Decision, DecisionItem, ItemKind, Level, ProcedureVersion};
use motcua_store::StoreError;
use motcua_store::catalog;
use motcua_store::decisions;
use motcua_store::events::Actor;

fn thao() -> Actor {
    Actor {
        id: "thao".into(),
        role: "control_officer".into(),
        unit: "000.01.15.H50".into(),
    }
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn procedure(code: &str, name: &str) -> ProcedureVersion {
    ProcedureVersion {
        national_code: Some(motcua_core::catalog::NationalCode::parse(code).unwrap()),
        name: name.into(),
        field: "Hoạt động khoa học và công nghệ".into(),
        level: Some(Level::Province),
        agency: "Sở Khoa học và Công nghệ".into(),
        ..Default::default()
    }
}

fn decision(items: Vec<DecisionItem>) -> Decision {
    Decision {
        number: String::new(),
        signed_on: None,
        signer: String::new(),
        issuer: "Chủ tịch UBND tỉnh".into(),
        level: Level::Province,
        title: "Công bố TTHC".into(),
        legal_basis: vec![],
        items,
    }
}

fn item(kind: ItemKind, code: &str, eff: &str) -> DecisionItem {
    DecisionItem {
        kind,
        procedure: code.into(),
        effective_from: d(eff),
        made_public_on: None,
    }
}

#[tokio::test]
async fn issuing_publishes_and_abolishes_in_one_transaction_or_not_at_all() {
    on_each_db("issuing_publishes_and_abolishes", |db| async move {
        let s = &db.store;
        let now = chrono::Utc::now();
        for (code, name) in [("1.000001", "Thủ tục A"), ("1.000002", "Thủ tục B")] {
            catalog::save_draft(s, &thao(), now, None, catalog::input_of(&procedure(code, name)))
                .await
                .unwrap();
        }
        // First decision: both new from 1/7/2026, signed 20/6 (on time).
        let first = decisions::save_draft(
            s,
            &thao(),
            now,
            None,
            decision(vec![
                item(ItemKind::New, "1.000001", "2026-07-01"),
                item(ItemKind::New, "1.000002", "2026-07-01"),
            ]),
        )
        .await
        .unwrap();
        assert_eq!(first.status, "draft");
        let issued = decisions::issue(s, &thao(), now, &first.id, "12/QĐ-UBND", d("2026-06-20"), "Chủ tịch")
            .await
            .unwrap();
        assert_eq!(issued.status, "issued");
        for code in ["1.000001", "1.000002"] {
            let p = catalog::procedure_by_code(s.db(), code).await.unwrap().unwrap();
            let v = catalog::in_force(s.db(), &p.id, d("2026-07-01"))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(v.status, "published");
        }
        // Issued decisions never change.
        let again = decisions::save_draft(s, &thao(), now, Some(&first.id), decision(vec![])).await;
        assert!(matches!(
            again,
            Err(StoreError::Rejected {
                code: "decision_issued",
                ..
            })
        ));

        // Second decision: amend A (draft exists) and abolish B — but B is abolished from a day
        // it is not in force yet: refused, naming the item, and nothing is half-saved.
        let mut a2 = procedure("1.000001", "Thủ tục A (sửa đổi)");
        a2.notes = "Sửa đổi".into();
        let pa = catalog::procedure_by_code(s.db(), "1.000001").await.unwrap().unwrap();
        catalog::save_draft(s, &thao(), now, Some(&pa.id), catalog::input_of(&a2))
            .await
            .unwrap();
        let second = decisions::save_draft(
            s,
            &thao(),
            now,
            None,
            decision(vec![
                item(ItemKind::Amended, "1.000001", "2026-09-01"),
                item(ItemKind::Abolished, "1.000002", "2026-06-01"),
            ]),
        )
        .await
        .unwrap();
        let refused = decisions::issue(s, &thao(), now, &second.id, "30/QĐ-UBND", d("2026-08-20"), "Chủ tịch").await;
        match refused {
            Err(StoreError::Rejected { code, message }) => {
                assert_eq!(
                    (code, message.as_str()),
                    ("procedure_not_in_force", "items[1].procedure")
                )
            }
            other => panic!("{other:?}"),
        }
        let still = decisions::get(s.db(), &second.id).await.unwrap().unwrap();
        assert_eq!(still.status, "draft");
        let versions = catalog::versions(s.db(), &pa.id).await.unwrap();
        assert_eq!(
            versions.iter().map(|v| v.status.as_str()).collect::<Vec<_>>(),
            ["published", "draft"],
            "the amendment was not published by the refused decision"
        );
        // Fixed: abolish from 1/9/2026.
        let mut fixed = still.decision().unwrap();
        fixed.items[1].effective_from = d("2026-09-01");
        decisions::save_draft(s, &thao(), now, Some(&second.id), fixed)
            .await
            .unwrap();
        decisions::issue(s, &thao(), now, &second.id, "30/QĐ-UBND", d("2026-08-20"), "Chủ tịch")
            .await
            .unwrap();
        let a = catalog::in_force(s.db(), &pa.id, d("2026-09-01"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((a.number, a.status.as_str()), (2, "published"));
        let pb = catalog::procedure_by_code(s.db(), "1.000002").await.unwrap().unwrap();
        assert!(
            catalog::in_force(s.db(), &pb.id, d("2026-09-01"))
                .await
                .unwrap()
                .is_none()
        );
        let items = decisions::items(s.db(), &second.id).await.unwrap();
        assert_eq!(items[0].version_number, Some(2));
        assert_eq!(items[1].version_number, Some(1));

        // A new item for a procedure already published is refused; an unknown code too.
        let third = decisions::save_draft(
            s,
            &thao(),
            now,
            None,
            decision(vec![item(ItemKind::New, "1.000001", "2027-01-01")]),
        )
        .await
        .unwrap();
        let r = decisions::issue(s, &thao(), now, &third.id, "1/QĐ-UBND", d("2026-12-01"), "X").await;
        assert!(
            matches!(
                r,
                Err(StoreError::Rejected {
                    code: "no_draft" | "procedure_already_published",
                    ..
                })
            ),
            "{r:?}"
        );
        let unknown = decisions::save_draft(
            s,
            &thao(),
            now,
            None,
            decision(vec![item(ItemKind::New, "9.999999", "2027-01-01")]),
        )
        .await;
        match unknown {
            Err(StoreError::Rejected { code, message }) => {
                assert_eq!((code, message.as_str()), ("procedure_unknown", "items[0].procedure"))
            }
            other => panic!("{other:?}"),
        }

        // Made public: not before the decision; recorded once per item.
        let early = decisions::record_made_public(s, &thao(), now, &second.id, &[], d("2026-08-19")).await;
        assert!(matches!(
            early,
            Err(StoreError::Rejected {
                code: "made_public_before_decision",
                ..
            })
        ));
        decisions::record_made_public(s, &thao(), now, &second.id, &[], d("2026-08-25"))
            .await
            .unwrap();
        let items = decisions::items(s.db(), &second.id).await.unwrap();
        assert!(items.iter().all(|i| i.made_public_on.as_deref() == Some("2026-08-25")));

        // Statistics per field and kind, by date of signature.
        let stats = decisions::items_signed_between(s.db(), d("2026-01-01"), d("2026-12-31"))
            .await
            .unwrap();
        let kinds: Vec<ItemKind> = stats.iter().map(|(_, k)| *k).collect();
        assert_eq!(kinds.iter().filter(|k| **k == ItemKind::New).count(), 2);
        assert!(kinds.contains(&ItemKind::Amended) && kinds.contains(&ItemKind::Abolished));
        // Every change is an event; the chains verify.
        let report = motcua_store::events::verify_all(s.db()).await.unwrap();
        assert!(report.ok(), "{report:?}");
        db
    })
    .await;
}

async fn control() -> (TestApp, Client) {
    let app = TestApp::sqlite_demo().await;
    let c = app.login("thao", "demo-control-2026").await;
    (app, c)
}

/// QĐ 766 chỉ số 1.1 and 1.2 in the demo: one decision on time, one late, one draft that warns
/// before its deadline.
#[tokio::test]
async fn the_demo_decisions_carry_their_verdicts_and_the_dashboard_warns_before_the_deadline() {
    let (app, mut c) = control().await;
    let list = app.get(&mut c, "/api/v1/decisions").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let list = list.json();
    let all = list.as_array().unwrap();
    assert_eq!(all.len(), 3);
    let by_number = |n: &str| all.iter().find(|d| d["number"] == n).unwrap().clone();
    let on_time = by_number("1268/QĐ-UBND");
    assert_eq!(on_time["items"].as_array().unwrap().len(), 29);
    assert_eq!(on_time["items"][0]["timeliness"]["decision"]["verdict"], "on_time");
    assert_eq!(on_time["items"][0]["timeliness"]["publication"]["verdict"], "on_time");
    let late = by_number("415/QĐ-UBND");
    assert_eq!(late["items"][0]["timeliness"]["decision"]["verdict"], "late");
    assert_eq!(late["items"][0]["timeliness"]["publication"]["verdict"], "late");
    let draft = all.iter().find(|d| d["status"] == "draft").unwrap();
    assert_eq!(draft["items"][0]["timeliness"]["decision"]["verdict"], "pending");
    assert_eq!(draft["warn"], true);
    let warnings = app.get(&mut c, "/api/v1/decisions/warnings").await.json();
    assert_eq!(warnings[0]["indicator"], "1.1");
    assert_eq!(warnings[0]["verdict"], "pending");
    let page = app.get(&mut c, "/kiem-soat").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Cảnh báo thời hạn công bố") && page.body.contains("Còn hạn"),
        "{}",
        page.body
    );
    assert!(page.body.contains("1.3 Công khai đầy đủ"));
    // Statistics: 29 new in 2025; 2 amended and 1 abolished in 2026; CSV export.
    let s2025 = app
        .get(&mut c, "/api/v1/catalog/statistics?from=2025-01-01&to=2025-12-31")
        .await
        .json();
    let total = s2025["rows"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((total["new"].as_u64(), total["amended"].as_u64()), (Some(29), Some(0)));
    let s2026 = app
        .get(&mut c, "/api/v1/catalog/statistics?from=2026-01-01&to=2026-12-31")
        .await
        .json();
    let total = s2026["rows"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (total["amended"].as_u64(), total["abolished"].as_u64()),
        (Some(2), Some(1))
    );
    let csv = app
        .get(&mut c, "/kiem-soat/thong-ke.csv?from=2026-01-01&to=2026-12-31")
        .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.body.contains("Sở hữu trí tuệ") && csv.body.contains("Tổng cộng"),
        "{}",
        csv.body
    );
    let xlsx = app
        .get(&mut c, "/kiem-soat/thong-ke.xlsx?from=2026-01-01&to=2026-12-31")
        .await;
    assert_eq!(xlsx.status, 200);
    let table = motcua_docs::xlsx::read_table(&xlsx.bytes).unwrap();
    assert_eq!(table[0][0], "Lĩnh vực");
    assert_eq!(table.last().unwrap()[0], "Tổng cộng");
    let reversed = app
        .get(&mut c, "/api/v1/catalog/statistics?from=2026-02-01&to=2026-01-01")
        .await;
    assert_eq!(
        (reversed.status, reversed.json()["code"].as_str()),
        (400, Some("period_reversed"))
    );
}

/// A control officer drafts an amendment over the API, sees the difference, and publishes it
/// through a decision; bad input names the field.
#[tokio::test]
async fn the_api_lets_a_control_officer_amend_through_a_decision() {
    let (app, mut c) = control().await;
    let current = app.get(&mut c, "/api/v1/procedures/1.000449").await.json();
    let mut doc = current["document"].clone();
    doc["notes"] = serde_json::json!("Nộp trực tuyến được ưu tiên giải quyết.");
    // A workflow that does not add up is refused with the field named.
    let mut bad = doc.clone();
    bad["channels"][0]["workflow"] =
        serde_json::json!([{"name": "Thẩm định", "unit_code": "000.04.15.H50", "slice": "1wd"}]);
    let r = app.json(&mut c, "PUT", "/api/v1/procedures/1.000449/draft", &bad).await;
    let body = r.json();
    assert_eq!(
        (r.status, body["code"].as_str()),
        (422, Some("procedure_invalid")),
        "{}",
        r.body
    );
    assert_eq!(body["field"], "channels[0].workflow");
    assert!(
        body["errors"][0]["message_vi"]
            .as_str()
            .unwrap()
            .contains("quy trình nội bộ")
    );
    let saved = app.json(&mut c, "PUT", "/api/v1/procedures/1.000449/draft", &doc).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let diff = app.get(&mut c, "/api/v1/procedures/1.000449/diff").await.json();
    assert_eq!(diff["changes"][0]["path"], "notes", "{diff}");
    // The public still sees the version in force.
    let public = app
        .get(&mut Client::default(), "/api/v1/procedures/1.000449")
        .await
        .json();
    assert_ne!(public["document"]["notes"], doc["notes"]);
    // Decision: amended from an effective date far ahead; issue; verdict on time.
    let eff = (chrono::Utc::now() + chrono::Duration::days(60)).date_naive();
    let created = app
        .json(
            &mut c,
            "POST",
            "/api/v1/decisions",
            &serde_json::json!({"level": "province", "title": "Sửa đổi", "items": [
                {"kind": "amended", "procedure": "1.000449", "effective_from": eff.to_string()}]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let missing = app
        .json(
            &mut c,
            "POST",
            &format!("/api/v1/decisions/{id}/issue"),
            &serde_json::json!({"number": "", "signed_on": "2026-01-05", "signer": "X"}),
        )
        .await;
    assert_eq!(
        (missing.status, missing.json()["code"].as_str()),
        (422, Some("decision_number_missing"))
    );
    let today = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
    let issued = app
        .json(
            &mut c,
            "POST",
            &format!("/api/v1/decisions/{id}/issue"),
            &serde_json::json!({"number": "99/QĐ-UBND", "signed_on": today.to_string(), "signer": "Chủ tịch"}),
        )
        .await;
    assert_eq!(issued.status, 200, "{}", issued.body);
    let issued = issued.json();
    assert_eq!(issued["items"][0]["timeliness"]["decision"]["verdict"], "on_time");
    assert_eq!(issued["items"][0]["timeliness"]["publication"]["verdict"], "pending");
    let on = app
        .get(&mut c, &format!("/api/v1/procedures/1.000449?on={eff}"))
        .await
        .json();
    assert_eq!(on["document"]["notes"], doc["notes"]);
    // Other roles cannot write (the access matrix covers every route; this is the journey).
    let mut clerk = app.login("lan", "demo-clerk-2026").await;
    let r = app
        .json(&mut clerk, "PUT", "/api/v1/procedures/1.000449/draft", &doc)
        .await;
    assert_eq!(r.status, 403);
    let unknown = app.get(&mut c, "/api/v1/decisions/nope").await;
    assert_eq!(
        (unknown.status, unknown.json()["code"].as_str()),
        (404, Some("decision_unknown"))
    );
}

/// The back office without JavaScript: the editor reports unreadable lines in Vietnamese,
/// saves a draft, a decision publishes it, and the procedure page shows the difference.
#[tokio::test]
async fn the_back_office_drafts_publishes_and_shows_the_difference() {
    let (app, mut c) = control().await;
    let p = app.get(&mut c, "/api/v1/procedures/1.000449").await.json();
    let id = p["procedure_id"].as_str().unwrap().to_owned();
    let edit = app.get(&mut c, &format!("/kiem-soat/thu-tuc/{id}/sua")).await;
    assert_eq!(edit.status, 200);
    assert!(edit.body.contains("Lưu dự thảo"));
    let r = app
        .form(
            &mut c,
            &format!("/kiem-soat/thu-tuc/{id}/sua"),
            &[("name", "Thủ tục X"), ("components", "Đơn | bản photo | 1")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Thành phần hồ sơ, dòng 1"), "{}", r.body);
    // A valid edit: the form filled from the version in force, with a changed time text.
    let current: ProcedureVersion = serde_json::from_value(p["document"].clone()).unwrap();
    let mut form = motcua_core::catalog::EditorForm::from_version(&current);
    form.time_limit_text = "Không quá 05 ngày làm việc.".into();
    let fields: Vec<(String, String)> =
        serde_json::from_value::<std::collections::BTreeMap<String, String>>(serde_json::to_value(&form).unwrap())
            .unwrap()
            .into_iter()
            .collect();
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = app
        .form(&mut c, &format!("/kiem-soat/thu-tuc/{id}/sua"), &borrowed)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.get(&mut c, &format!("/kiem-soat/thu-tuc/{id}")).await;
    assert!(
        page.body.contains("time_limit_text") && page.body.contains("Không quá 05 ngày làm việc."),
        "{}",
        page.body
    );
    // Decision through the pages.
    let r = app
        .form(
            &mut c,
            "/kiem-soat/quyet-dinh",
            &[
                ("title", "Sửa đổi TĐC"),
                ("issuer", "Chủ tịch UBND tỉnh"),
                ("level", "province"),
                ("legal_basis", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let href = r.location();
    let did = href
        .trim_start_matches("/kiem-soat/quyet-dinh/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let eff = (chrono::Utc::now() + chrono::Duration::days(40))
        .date_naive()
        .to_string();
    let r = app
        .form(
            &mut c,
            &format!("/kiem-soat/quyet-dinh/{did}/muc"),
            &[("kind", "amended"), ("procedure", &id), ("effective_from", &eff)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let today = (chrono::Utc::now() + chrono::Duration::hours(7))
        .date_naive()
        .to_string();
    let r = app
        .form(
            &mut c,
            &format!("/kiem-soat/quyet-dinh/{did}/ban-hanh"),
            &[("number", "77/QĐ-UBND"), ("signed_on", &today), ("signer", "Chủ tịch")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.get(&mut c, &format!("/kiem-soat/quyet-dinh/{did}")).await;
    assert!(
        page.body.contains("Đã ban hành") && page.body.contains("Đúng hạn"),
        "{}",
        page.body
    );
    // Issued: the header can no longer change.
    let r = app
        .form(&mut c, &format!("/kiem-soat/quyet-dinh/{did}"), &[("title", "Khác")])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Quyết định đã ban hành"), "{}", r.body);
    // A leader may read the back office but not write.
    let mut hoa = app.login("hoa", "demo-leader-2026").await;
    assert_eq!(app.get(&mut hoa, "/kiem-soat").await.status, 200);
    assert_eq!(
        app.get(&mut hoa, &format!("/kiem-soat/thu-tuc/{id}/sua")).await.status,
        403
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_control_officer_publishes_an_amendment_and_sees_diff_and_verdict() {
    use fantoccini::Locator;
    let Some(b) = crate::browser::browser("browser_control_officer_publishes_an_amendment").await else {
        return;
    };
    let base = crate::browser::serve_demo().await;
    let c = &b.client;
    crate::browser::sign_in(c, &base, "thao", "demo-control-2026").await;
    c.goto(&format!("{base}/kiem-soat")).await.unwrap();
    let warn = c.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(warn.contains("Còn hạn"), "{warn}");
    // The draft decision of the demo: open it, issue it today.
    c.goto(&format!("{base}/kiem-soat/quyet-dinh")).await.unwrap();
    c.find(Locator::LinkText("Dự thảo quyết định"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("number"))
        .await
        .unwrap()
        .send_keys("501/QĐ-UBND")
        .await
        .unwrap();
    let today = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
    // Chromium's date input takes the digits in the page's locale order; set the value directly.
    c.execute(
        "document.getElementById('signed_on').value = arguments[0];",
        vec![serde_json::json!(today.to_string())],
    )
    .await
    .unwrap();
    c.find(Locator::Id("signer"))
        .await
        .unwrap()
        .send_keys("Phó Chủ tịch UBND tỉnh")
        .await
        .unwrap();
    crate::browser::click_and_load(c, "form[action$='/ban-hanh'] button[type=submit]").await;
    let status = c.wait().for_element(Locator::Id("decision-status")).await.unwrap();
    assert_eq!(status.text().await.unwrap(), "Đã ban hành");
    let items = c
        .find(Locator::Id("decision-items"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(items.contains("Đúng hạn"), "{items}");
    // The procedure: the difference between the version in force and the amendment.
    c.find(Locator::Css("#decision-items td a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let diff = c
        .wait()
        .for_element(Locator::Css("table.diff"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(diff.contains("notes"), "{diff}");
    c.clone().close().await.unwrap();
    eprintln!("browser_control_officer_publishes_an_amendment_and_sees_diff_and_verdict: ran in headless Chromium");
}

/// Issue 4, deliverable 4: the forms a citizen needs can be downloaded from the procedure page.
#[tokio::test]
async fn a_citizen_downloads_the_form_of_a_procedure() {
    let app = TestApp::sqlite_demo().await;
    let mut c = Client::default();
    let page = app.get(&mut c, "/thu-tuc/1.000449").await;
    assert_eq!(page.status, 200);
    let href = page
        .body
        .split("href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .find(|h| h.contains("/mau/"))
        .expect("a form link")
        .to_owned();
    let file = app.get(&mut c, &href).await;
    assert_eq!(file.status, 200, "{href}");
    assert!(
        file.headers[axum::http::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("wordprocessingml")
    );
    assert_eq!(&file.bytes[..2], b"PK", "a .docx is a zip package");
    let missing = app.get(&mut c, "/thu-tuc/1.000449/mau/khong-co.docx").await;
    assert_eq!(missing.status, 404);
}
