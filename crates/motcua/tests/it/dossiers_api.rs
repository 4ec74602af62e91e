//! The dossier API (issue 5 item 16) and the public lookup (item 13) over the real router:
//! a whole lifecycle, roles and unit scope, wrong states, missing components, duplicate
//! intakes, uploads checked by content, lookups and their rate limit, machine clients.

use crate::support::{Client, Reply, TestApp, TestDb, on_each_db};
use chrono::Utc;
use motcua_core::calendar::Duration;
use motcua_core::catalog::{
    Channel, ChannelSpec, Component, CopyType, Fee, FeeKind, ProcedureVersion, Requirement, WorkflowStep,
};
use motcua_core::identity::{Role, UnitCode};
use motcua_store::events::Actor;
use motcua_store::identity;
use serde_json::{Value, json};

/// The demo's desk (where the clerk `lan` works) and the specialised division (`hung`, `hoa`).
const DESK: &str = "000.05.15.H50";
const DIVISION: &str = "000.03.15.H50";

fn component(name: &str, requirement: Requirement) -> Component {
    Component {
        name: name.into(),
        copy_type: CopyType::Original,
        quantity: 1,
        requirement,
        condition: None,
        form: None,
        variants: vec![],
    }
}

fn channel(c: Channel) -> ChannelSpec {
    let unit = UnitCode::parse(DIVISION).unwrap();
    ChannelSpec {
        channel: c,
        time_limit: Some(Duration::WorkingDays(5)),
        same_day: false,
        fees: vec![Fee {
            name: "Lệ phí cấp giấy phép".into(),
            kind: FeeKind::Charge,
            amount: Some(150_000),
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
                name: "Phê duyệt".into(),
                unit_code: unit,
                slice: Duration::WorkingDays(2),
            },
        ],
    }
}

/// An X-ray licence processed by the specialised division, in person, online and by post.
fn xray() -> ProcedureVersion {
    ProcedureVersion {
        name: "Cấp giấy phép tiến hành công việc bức xạ – sử dụng thiết bị X-quang chẩn đoán trong y tế".into(),
        field: "An toàn bức xạ và hạt nhân".into(),
        agency: "Sở Khoa học và Công nghệ".into(),
        components: vec![
            component("Đơn đề nghị cấp giấy phép", Requirement::Required),
            component("Giấy chứng nhận kiểm định thiết bị", Requirement::Required),
            component("Báo cáo đánh giá an toàn (nếu có)", Requirement::Conditional),
        ],
        channels: vec![
            channel(Channel::InPerson),
            channel(Channel::Online),
            channel(Channel::Postal),
        ],
        ..Default::default()
    }
}

/// The demo units and people, and the X-ray procedure in force; returns the procedure id.
async fn seed(db: &TestDb) -> String {
    motcua::demo::seed(&db.store).await.unwrap();
    let now = Utc::now();
    crate::support::publish_procedure(&db.store, now, &xray()).await
}

pub async fn app_with_procedure(db: TestDb) -> (TestApp, String) {
    let pid = seed(&db).await;
    (TestApp::new(db).await, pid)
}

async fn user_id(app: &TestApp, username: &str) -> String {
    identity::get_user_by_username(app.db.store.db(), username)
        .await
        .unwrap()
        .unwrap()
        .id
}

fn minh() -> Value {
    json!({
        "type": "person",
        "full_name": "Trần Văn Minh",
        "citizen_id": "044080001234",
        "phone": "0912 345 678",
        "email": "minh@example.vn",
        "address": "12 Lê Duẩn, Đông Hà"
    })
}

fn intake(pid: &str, key: &str, present: Value) -> Value {
    json!({
        "procedure": pid,
        "channel": 1,
        "applicant": minh(),
        "present": present,
        "outcome": {"kind": "receive"},
        "intake_key": key,
    })
}

/// Run a command with the dossier's current version; returns the reply.
async fn run(app: &TestApp, c: &mut Client, id: &str, version: i64, command: Value) -> Reply {
    app.json(
        c,
        "POST",
        &format!("/api/v1/dossiers/{id}/commands"),
        &json!({"expected_version": version, "command": command}),
    )
    .await
}

/// Run a command that must succeed; returns the dossier after it.
async fn ok(app: &TestApp, c: &mut Client, d: &Value, command: Value) -> Value {
    let id = d["id"].as_str().unwrap();
    let r = run(app, c, id, d["version"].as_i64().unwrap(), command.clone()).await;
    assert_eq!(r.status, 200, "{command}: {}", r.body);
    r.json()
}

async fn upload(app: &TestApp, c: &mut Client, name: &str, content_type: &str, bytes: &[u8]) -> Reply {
    app.request(
        c,
        "POST",
        &format!("/api/v1/files?name={name}"),
        Some(content_type),
        bytes.to_vec(),
    )
    .await
}

#[tokio::test]
async fn a_dossier_goes_through_its_whole_life_over_the_api() {
    on_each_db("a_dossier_goes_through_its_whole_life_over_the_api", |db| async move {
        let (app, pid) = app_with_procedure(db).await;
        let mut lan = app.login("lan", "demo-clerk-2026").await;
        let mut hung = app.login("hung", "demo-specialist-2026").await;
        let mut hoa = app.login("hoa", "demo-leader-2026").await;
        let (hung_id, hoa_id) = (user_id(&app, "hung").await, user_id(&app, "hoa").await);

        // A scan, then the intake at the desk with it.
        let scan = upload(&app, &mut lan, "don.pdf", "application/pdf", b"%PDF-1.7\n1 0 obj\n").await;
        assert_eq!(scan.status, 201, "{}", scan.body);
        assert_eq!(scan.json()["content_type"], "application/pdf");
        let file_id = scan.json()["id"].as_str().unwrap().to_owned();
        let r = app
            .json(
                &mut lan,
                "POST",
                "/api/v1/dossiers",
                &intake(&pid, "desk-1", json!([{"index": 0, "file_id": file_id}, {"index": 1}])),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let d = r.json();
        let code = d["code"].as_str().unwrap().to_owned();
        assert!(code.starts_with("000.05.15.H50-"), "{code}");
        assert_eq!((d["state"].as_str(), d["national_status"].as_i64()), (Some("received"), Some(2)));
        assert_eq!(d["receiving_unit"], DESK);
        assert_eq!(d["components"][0]["file_id"], file_id.as_str());
        assert!(d["appointment"].is_string());
        // The scan can be read back by staff; by code as well as by id.
        let f = app.get(&mut hung, &format!("/api/v1/files/{file_id}")).await;
        assert_eq!((f.status, f.bytes.as_slice()), (200, b"%PDF-1.7\n1 0 obj\n".as_slice()));
        let by_code = app.get(&mut hung, &format!("/api/v1/dossiers/{code}")).await;
        assert_eq!(by_code.json()["id"], d["id"]);

        // The leader assigns, the specialist hands over to the leader's step.
        let d = ok(&app, &mut hoa, &d, json!({"kind": "assign", "assignee": hung_id})).await;
        assert_eq!(d["state"], "processing");
        let d = ok(
            &app,
            &mut hung,
            &d,
            json!({"kind": "hand_over", "receiver": hoa_id, "verdict": "on_time"}),
        )
        .await;
        assert_eq!(d["current_step"], 1);
        assert_eq!(d["steps"][0]["verdict"], "early");

        // A supplement asking for a paper outside the published list, with its justification.
        let d = ok(
            &app,
            &mut hung,
            &d,
            json!({"kind": "request_supplement", "reason": "Giấy chứng nhận kiểm định đã hết hạn.", "items": [
                {"type": "component", "component": {"index": 1}, "note": "hết hạn"},
                {"type": "other", "name": "Sơ đồ bố trí phòng chụp X-quang", "justification": "Để thẩm định che chắn bức xạ."}
            ]}),
        )
        .await;
        assert_eq!((d["state"].as_str(), d["national_status"].as_i64()), (Some("awaiting_supplement"), Some(5)));
        let d = ok(&app, &mut lan, &d, json!({"kind": "supplement_received"})).await;
        // A second request needs a written reason …
        let second = json!({"kind": "request_supplement", "reason": "Sơ đồ chưa ghi kích thước.", "items": [
            {"type": "other", "name": "Sơ đồ bố trí có kích thước", "justification": "Để tính liều chiếu."}
        ]});
        let r = run(&app, &mut hung, d["id"].as_str().unwrap(), d["version"].as_i64().unwrap(), second.clone()).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.json()["code"], "repeat_supplement_needs_reason");
        assert!(r.json()["message_vi"].as_str().unwrap().contains("lý do"));
        // … and with it, it is marked as a repeated request.
        let mut with_reason = second.clone();
        with_reason["repeat_reason"] = json!("Bản sơ đồ đã nộp thiếu kích thước phòng.");
        let d = ok(&app, &mut hung, &d, with_reason).await;
        let h = app
            .get(&mut hung, &format!("/api/v1/dossiers/{}/history", d["id"].as_str().unwrap()))
            .await
            .json();
        let flags: Vec<Vec<String>> = h
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "dossier.supplement_requested")
            .map(|e| serde_json::from_value(e["flags"].clone()).unwrap())
            .collect();
        assert_eq!(flags.len(), 2);
        assert!(flags[0].contains(&"not_in_published_procedure".to_owned()));
        assert!(flags[1].contains(&"repeated_request".to_owned()));
        let d = ok(&app, &mut lan, &d, json!({"kind": "supplement_received"})).await;

        // The pinned version's fees are requested (national status 6).
        let d = ok(&app, &mut lan, &d, json!({"kind": "request_fee", "items": []})).await;
        assert_eq!((d["national_status"].as_i64(), d["fees_due"].as_u64()), (Some(6), Some(150_000)));
        let d = pay_through_local_provider(&app, &mut lan, &d).await;
        assert_eq!((d["state"].as_str(), d["fees_due"].as_u64()), (Some("processing"), Some(0)));

        // The clerk may not approve; the leader does; the clerk returns the result.
        let r = run(
            &app,
            &mut lan,
            d["id"].as_str().unwrap(),
            d["version"].as_i64().unwrap(),
            json!({"kind": "approve", "number": "15/GP-SKHCN", "date": "2026-11-27"}),
        )
        .await;
        assert_eq!(r.status, 403, "{}", r.body);
        let d = ok(
            &app,
            &mut hoa,
            &d,
            json!({"kind": "approve", "number": "15/GP-SKHCN", "date": "2026-11-27"}),
        )
        .await;
        assert_eq!(d["national_status"], 9);
        let r = run(
            &app,
            &mut hoa,
            d["id"].as_str().unwrap(),
            d["version"].as_i64().unwrap(),
            json!({"kind": "return_result", "method": {"method": "counter", "received_by": "Trần Văn Minh"}}),
        )
        .await;
        assert_eq!(r.status, 403, "the leader does not return results: {}", r.body);
        let d = ok(
            &app,
            &mut lan,
            &d,
            json!({"kind": "return_result", "method": {"method": "counter", "received_by": "Trần Văn Minh"}}),
        )
        .await;
        assert_eq!(d["national_status"], 10);

        // The applicant evaluates through the lookup page.
        evaluate_on_the_lookup_page(&app, &code, "0912345678").await;
        let after = app.get(&mut lan, &format!("/api/v1/dossiers/{code}")).await.json();
        assert_eq!(after["dossier"]["evaluation"], json!([2, 2, 1, 2, 2, 2, 2, 2, 1]));
        let h = app
            .get(&mut lan, &format!("/api/v1/dossiers/{code}/history"))
            .await
            .json();
        let last = h.as_array().unwrap().last().unwrap().clone();
        assert_eq!((last["kind"].as_str(), last["actor_role"].as_str()), (Some("dossier.evaluated"), Some("applicant")));
        app.db
    })
    .await;
}

/// Start a payment with the local test provider and complete it; returns the dossier after.
async fn pay_through_local_provider(app: &TestApp, clerk: &mut Client, d: &Value) -> Value {
    let id = d["id"].as_str().unwrap();
    let r = app
        .request(clerk, "POST", &format!("/api/v1/dossiers/{id}/payments"), None, vec![])
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let p = r.json();
    assert_eq!(
        (p["amount"].as_u64(), p["provider"].as_str()),
        (Some(150_000), Some("local"))
    );
    assert_eq!(p["lines"][0]["name"], "Lệ phí cấp giấy phép");
    let txn = p["transaction_id"].as_str().unwrap().to_owned();
    let url = p["pay_url"].as_str().unwrap().to_owned();
    // A second transaction for the same fees is opened but can never be counted twice.
    let other = app
        .request(clerk, "POST", &format!("/api/v1/dossiers/{id}/payments"), None, vec![])
        .await
        .json();
    let done = app.request(clerk, "POST", &url, None, vec![]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.json()["completed_at"].is_string());
    let again = app.request(clerk, "POST", &url, None, vec![]).await;
    assert_eq!(
        (again.status, again.json()["code"].as_str()),
        (409, Some("payment_completed"))
    );
    let twice = app
        .request(clerk, "POST", other["pay_url"].as_str().unwrap(), None, vec![])
        .await;
    assert_eq!(
        (twice.status, twice.json()["code"].as_str()),
        (409, Some("payment_not_due"))
    );
    let after = app.get(clerk, &format!("/api/v1/dossiers/{id}")).await.json();
    let h = app.get(clerk, &format!("/api/v1/dossiers/{id}/history")).await.json();
    let paid: Vec<&Value> = h
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "dossier.fee_paid")
        .collect();
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0]["command"]["receipt"], txn.as_str());
    assert_eq!(paid[0]["actor_id"], "payment_provider:local");
    after
}

/// The applicant looks the dossier up and scores the nine indices.
async fn evaluate_on_the_lookup_page(app: &TestApp, code: &str, phone: &str) {
    let mut citizen = Client::default();
    let page = app.get(&mut citizen, "/tra-cuu").await;
    assert_eq!(page.status, 200);
    let r = app
        .form(&mut citizen, "/tra-cuu", &[("code", code), ("secret", phone)])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("Đã trả kết quả") && r.body.contains("10 — Đã trả kết quả"),
        "{}",
        r.body
    );
    assert!(r.body.contains("Yêu cầu bổ sung hồ sơ") && r.body.contains("evaluation-form"));
    let scores = ["2", "2", "1", "2", "2", "2", "2", "2", "1"];
    let names: Vec<String> = (1..=9).map(|i| format!("s{i}")).collect();
    let mut fields: Vec<(&str, &str)> = vec![("code", code), ("secret", phone)];
    // Incomplete first: the page says so and nothing is recorded.
    let incomplete = app.form(&mut citizen, "/tra-cuu/danh-gia", &fields).await;
    assert_eq!(incomplete.status, 422, "{}", incomplete.body);
    assert!(incomplete.body.contains("chín chỉ số"));
    for (n, s) in names.iter().zip(scores) {
        fields.push((n.as_str(), s));
    }
    let done = app.form(&mut citizen, "/tra-cuu/danh-gia", &fields).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Cảm ơn bạn đã đánh giá") && !done.body.contains("evaluation-form"));
    let twice = app.form(&mut citizen, "/tra-cuu/danh-gia", &fields).await;
    assert_eq!(twice.status, 409, "{}", twice.body);
}

/// Citizens and inspectors run no command; a clerk cannot approve; a leader of another unit
/// cannot act on a dossier his unit does not handle; wrong state and stale version are 409.
/// Liên thông over the API with the partner's steps (issue 5 item 5): `steps` is optional JSON
/// on `send_to_agency`; the partner's steps become steps of the dossier, marked with the agency.
#[tokio::test]
async fn send_to_agency_with_the_partners_steps_over_the_api() {
    on_each_db("send_to_agency_with_the_partners_steps_over_the_api", |db| async move {
        let (app, pid) = app_with_procedure(db).await;
        let mut lan = app.login("lan", "demo-clerk-2026").await;
        let mut hung = app.login("hung", "demo-specialist-2026").await;
        let hung_id = user_id(&app, "hung").await;
        let r = app
            .json(
                &mut lan,
                "POST",
                "/api/v1/dossiers",
                &intake(&pid, "desk-lt", json!([{"index": 0}, {"index": 1}])),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let d = ok(
            &app,
            &mut hung,
            &r.json(),
            json!({"kind": "assign", "assignee": hung_id}),
        )
        .await;
        let step = |unit: &str| json!({"name": "Cho ý kiến", "unit_code": unit, "slice": "2wd"});
        let send = |steps: Value| json!({"kind": "send_to_agency", "agency": "000.00.00.H50", "steps": steps});
        // A unit of another agency, or a slice that is not one, is refused and writes nothing.
        for bad in [
            json!([step(DIVISION)]),
            json!([{"name": "x", "unit_code": "000.00.00.H50", "slice": "ba ngày"}]),
        ] {
            let r = run(
                &app,
                &mut hung,
                d["id"].as_str().unwrap(),
                d["version"].as_i64().unwrap(),
                send(bad),
            )
            .await;
            assert_eq!(r.status, 422, "{}", r.body);
        }
        let d = ok(
            &app,
            &mut hung,
            &d,
            send(json!([step("000.00.00.H50"), step("000.00.00.H50")])),
        )
        .await;
        assert_eq!(
            (d["state"].as_str(), d["current_step"].as_i64()),
            (Some("at_partner_agency"), Some(1))
        );
        let agencies: Vec<Option<&str>> = d["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["agency_code"].as_str())
            .collect();
        assert_eq!(agencies, [None, Some("000.00.00.H50"), Some("000.00.00.H50"), None]);
        assert_eq!(d["steps"][0]["receiver"], "000.00.00.H50");
        assert!(d["steps"][1]["started_at"].is_string() && d["steps"][1]["due_at"].is_string());
        assert_eq!(
            (
                d["dossier"]["partner_steps"].as_i64(),
                d["dossier"]["partner_step"].as_i64()
            ),
            (Some(2), Some(0))
        );
        app.db
    })
    .await;
}

#[tokio::test]
async fn roles_units_and_states_are_enforced() {
    let (app, pid) = app_with_procedure(TestDb::sqlite().await).await;
    let mut lan = app.login("lan", "demo-clerk-2026").await;
    let mut hoa = app.login("hoa", "demo-leader-2026").await;
    let mut minh = app.login("minh", "demo-citizen-2026").await;
    let mut tuan = app.login("tuan", "demo-inspector-2026").await;
    let d = app
        .json(
            &mut lan,
            "POST",
            "/api/v1/dossiers",
            &intake(&pid, "roles-1", json!([{"index": 0}, {"index": 1}])),
        )
        .await
        .json();
    let id = d["id"].as_str().unwrap().to_owned();
    let hung_id = user_id(&app, "hung").await;
    let assign = json!({"kind": "assign", "assignee": hung_id});
    for (who, c) in [("citizen", &mut minh), ("inspector", &mut tuan)] {
        let r = run(&app, c, &id, 1, assign.clone()).await;
        assert_eq!((r.status, r.json()["code"].as_str()), (403, Some("forbidden")), "{who}");
    }
    // The inspector reads; the citizen does not.
    assert_eq!(app.get(&mut tuan, &format!("/api/v1/dossiers/{id}")).await.status, 200);
    assert_eq!(app.get(&mut minh, &format!("/api/v1/dossiers/{id}")).await.status, 403);
    // The clerk may not assign (a leader's or specialist's act).
    assert_eq!(run(&app, &mut lan, &id, 1, assign.clone()).await.status, 403);
    // A leader held in another unit may not act here.
    let admin_id = user_id(&app, "admin").await;
    let other_unit = identity::get_unit_by_code(app.db.store.db(), "000.04.15.H50")
        .await
        .unwrap()
        .unwrap();
    let grant = identity::grant_role(
        &app.db.store,
        &Actor::system(),
        Utc::now(),
        &admin_id,
        Role::Leader,
        Some(&other_unit.id),
    )
    .await
    .unwrap();
    let mut admin = app.login("admin", "demo-admin-2026").await;
    let r = run(&app, &mut admin, &id, 1, assign.clone()).await;
    assert_eq!(r.status, 403, "leader of another unit: {}", r.body);
    identity::revoke_role(&app.db.store, &Actor::system(), Utc::now(), &grant.id)
        .await
        .unwrap();
    // Wrong state: nothing to return yet.
    let r = run(
        &app,
        &mut lan,
        &id,
        1,
        json!({"kind": "return_result", "method": {"method": "electronic"}}),
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.body);
    let p = r.json();
    assert_eq!(p["code"], "illegal_transition");
    assert!(p["message_vi"].as_str().unwrap().contains("trạng thái"));
    assert!(
        p["detail"].as_str().unwrap().contains("Trả kết quả")
            || p["detail"].as_str().unwrap().contains("return_result")
    );
    // Stale version.
    let d = ok(&app, &mut hoa, &d, assign.clone()).await;
    let r = run(&app, &mut hoa, &id, 1, assign.clone()).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (409, Some("conflict")));
    // Bad input: unknown command, unknown assignee, missing reason.
    let v = d["version"].as_i64().unwrap();
    let r = run(&app, &mut hoa, &id, v, json!({"kind": "fly"})).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("command_unknown")));
    let r = run(&app, &mut hoa, &id, v, json!({"kind": "assign", "assignee": "nobody"})).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("user_unknown")));
    let r = run(&app, &mut hoa, &id, v, json!({"kind": "deny", "reason": " "})).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("field_required")));
    // No payment while no fee is requested.
    let r = app
        .request(
            &mut lan,
            "POST",
            &format!("/api/v1/dossiers/{id}/payments"),
            None,
            vec![],
        )
        .await;
    assert_eq!((r.status, r.json()["code"].as_str()), (409, Some("payment_not_due")));
    // The inbox: mine, my unit, search without diacritics.
    let mine = app.get(&mut hoa, "/api/v1/dossiers?open=true").await.json();
    assert!(mine.as_array().unwrap().iter().any(|x| x["id"] == id.as_str()));
    let mut hung = app.login("hung", "demo-specialist-2026").await;
    let mine = app.get(&mut hung, "/api/v1/dossiers?mine=true").await.json();
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let unit = app.get(&mut hung, "/api/v1/dossiers?my_unit=true").await.json();
    assert_eq!(unit.as_array().unwrap().len(), 1);
    let found = app.get(&mut hung, "/api/v1/dossiers?q=tran%20van%20minh").await.json();
    assert_eq!(found[0]["id"], id.as_str());
    let none = app
        .get(&mut hung, "/api/v1/dossiers?q=nguyen%20thi%20khong%20co")
        .await
        .json();
    assert!(none.as_array().unwrap().is_empty());
    let overdue = app.get(&mut hung, "/api/v1/dossiers?overdue=true").await.json();
    assert!(overdue.as_array().unwrap().is_empty(), "received today, not overdue");
    assert_eq!(app.get(&mut hung, "/api/v1/dossiers?near_due=true").await.status, 200);
}

/// A receipt with required components missing is refused with each of them listed, and
/// nothing is written; guidance and refusal are recorded without a code.
#[tokio::test]
async fn missing_components_are_listed_and_nothing_is_written() {
    let (app, pid) = app_with_procedure(TestDb::sqlite().await).await;
    let mut lan = app.login("lan", "demo-clerk-2026").await;
    let r = app
        .json(
            &mut lan,
            "POST",
            "/api/v1/dossiers",
            &intake(&pid, "missing-1", json!([{"index": 2}])),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let p = r.json();
    assert_eq!(p["code"], "missing_components");
    let listed: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["components[0]", "components[1]"]);
    assert!(
        p["errors"][1]["message_vi"]
            .as_str()
            .unwrap()
            .contains("Giấy chứng nhận kiểm định thiết bị")
    );
    assert!(
        app.get(&mut lan, "/api/v1/dossiers")
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    // The applicant is checked field by field.
    let mut bad = intake(&pid, "missing-2", json!([{"index": 0}, {"index": 1}]));
    bad["applicant"]["citizen_id"] = json!("123");
    let r = app.json(&mut lan, "POST", "/api/v1/dossiers", &bad).await;
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (422, Some("applicant.citizen_id"))
    );
    // Guided to complete (Mẫu 02), then received once the papers come.
    let mut guided = intake(&pid, "missing-3", json!([{"index": 0}]));
    guided["outcome"] = json!({"kind": "guide_to_complete", "reason": "Thiếu giấy chứng nhận kiểm định."});
    let r = app.json(&mut lan, "POST", "/api/v1/dossiers", &guided).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let d = r.json();
    assert_eq!((d["state"].as_str(), d["code"].as_str()), (Some("guided"), None));
    let r = run(
        &app,
        &mut lan,
        d["id"].as_str().unwrap(),
        1,
        json!({"kind": "receive", "present": []}),
    )
    .await;
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("missing_components")));
    let d = ok(
        &app,
        &mut lan,
        &d,
        json!({"kind": "receive", "present": [{"index": 1}]}),
    )
    .await;
    assert_eq!(d["state"], "received");
    assert!(d["code"].is_string());
    // Wrong channel for a clerk.
    let mut online = intake(&pid, "missing-4", json!([{"index": 0}, {"index": 1}]));
    online["channel"] = json!(2);
    let r = app.json(&mut lan, "POST", "/api/v1/dossiers", &online).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (422, Some("channel_not_allowed"))
    );
}

/// Two clerks receiving the same papers at the same instant make exactly one dossier.
#[tokio::test]
async fn the_same_intake_twice_at_once_makes_one_dossier() {
    on_each_db("the_same_intake_twice_at_once_makes_one_dossier", |db| async move {
        let (app, pid) = app_with_procedure(db).await;
        let mut a = app.login("lan", "demo-clerk-2026").await;
        let mut b = a.clone();
        let body = intake(&pid, "paper-42", json!([{"index": 0}, {"index": 1}]));
        let (r1, r2) = tokio::join!(
            app.json(&mut a, "POST", "/api/v1/dossiers", &body),
            app.json(&mut b, "POST", "/api/v1/dossiers", &body)
        );
        let mut statuses = [r1.status, r2.status];
        statuses.sort();
        assert_eq!(statuses, [201, 409], "{} / {}", r1.body, r2.body);
        let loser = if r1.status == 409 { &r1 } else { &r2 };
        assert_eq!(loser.json()["code"], "intake_duplicate");
        let all = app.get(&mut a, "/api/v1/dossiers").await.json();
        assert_eq!(all.as_array().unwrap().len(), 1);
        assert_eq!(all[0]["code"].as_str().unwrap().rsplit('-').next(), Some("0001"));
        app.db
    })
    .await;
}

/// Uploads are judged by their first bytes: an executable named .pdf is refused.
#[tokio::test]
async fn uploads_are_checked_by_content() {
    let (app, _) = app_with_procedure(TestDb::sqlite().await).await;
    let mut lan = app.login("lan", "demo-clerk-2026").await;
    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00 This program cannot be run in DOS mode.";
    let r = upload(&app, &mut lan, "don-de-nghi.pdf", "application/pdf", exe).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (415, Some("file_type_not_allowed")),
        "{}",
        r.body
    );
    let r = upload(&app, &mut lan, "empty.pdf", "application/pdf", b"").await;
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("file_empty")));
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
    let r = upload(&app, &mut lan, "anh.exe", "application/octet-stream", png).await;
    assert_eq!((r.status, r.json()["content_type"].as_str()), (201, Some("image/png")));
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let mut minh = app.login("minh", "demo-citizen-2026").await;
    assert_eq!(app.get(&mut minh, &format!("/api/v1/files/{id}")).await.status, 403);
    let f = app.get(&mut lan, &format!("/api/v1/files/{id}")).await;
    assert_eq!(f.headers["content-type"], "image/png");
    assert!(
        f.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    // As a browser form sends it: the file part of a multipart body, its name from the part,
    // its type still judged by its bytes.
    let multipart = |file: &[u8]| {
        let mut b = b"--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nban chup\r\n--XyZ\r\n\
Content-Disposition: form-data; name=\"file\"; filename=\"giay-to.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
            .to_vec();
        b.extend_from_slice(file);
        b.extend_from_slice(b"\r\n--XyZ--\r\n");
        b
    };
    let pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n";
    let r = app
        .request(
            &mut lan,
            "POST",
            "/api/v1/files",
            Some("multipart/form-data; boundary=XyZ"),
            multipart(pdf),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["content_type"], "application/pdf");
    assert_eq!(r.json()["name"], "giay-to.pdf");
    assert_eq!(r.json()["size"], pdf.len());
    let r = app
        .request(
            &mut lan,
            "POST",
            "/api/v1/files",
            Some("multipart/form-data; boundary=XyZ"),
            multipart(exe),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (415, Some("file_type_not_allowed"))
    );
    let r = app
        .request(
            &mut lan,
            "POST",
            "/api/v1/files",
            Some("multipart/form-data; boundary=XyZ"),
            b"--XyZ garbage".to_vec(),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    // Larger than the server's upload limit.
    let big = vec![b'%'; motcua_web::WebConfig::default().upload_limit + 1];
    let r = upload(&app, &mut lan, "big.pdf", "application/pdf", &big).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (413, Some("file_too_large")));
}

/// The lookup answers the same for a wrong code and a wrong phone, and is rate-limited.
#[tokio::test]
async fn lookup_says_the_same_for_any_wrong_factor_and_is_rate_limited() {
    let (app, pid) = app_with_procedure(TestDb::sqlite().await).await;
    let mut lan = app.login("lan", "demo-clerk-2026").await;
    let d = app
        .json(
            &mut lan,
            "POST",
            "/api/v1/dossiers",
            &intake(&pid, "look-1", json!([{"index": 0}, {"index": 1}])),
        )
        .await
        .json();
    let code = d["code"].as_str().unwrap().to_owned();
    let mut anon = Client::default();
    let found = app
        .get(&mut anon, &format!("/api/v1/lookup?code={code}&secret=%2B84912345678"))
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    let v = found.json();
    assert_eq!(
        (v["national_status"].as_i64(), v["state_label"].as_str()),
        (Some(2), Some("Đã tiếp nhận, chờ phân công"))
    );
    assert!(v["appointment"].is_string());
    assert_eq!(v["history"][0]["label"], "Tiếp nhận hồ sơ");
    assert!(
        !found.body.contains("044080001234") && !found.body.contains("Trần Văn Minh"),
        "no personal data"
    );
    let by_id = app
        .get(&mut anon, &format!("/api/v1/lookup?code={code}&secret=044080001234"))
        .await;
    assert_eq!(by_id.status, 200);
    let wrong_code = app
        .get(
            &mut anon,
            "/api/v1/lookup?code=000.05.15.H50-200101-0009&secret=0912345678",
        )
        .await;
    let wrong_phone = app
        .get(&mut anon, &format!("/api/v1/lookup?code={code}&secret=0987654321"))
        .await;
    assert_eq!(wrong_code.status, 404);
    assert_eq!(
        (wrong_code.status, &wrong_code.body),
        (wrong_phone.status, &wrong_phone.body)
    );
    // The page says the same in Vietnamese.
    let page = app.get(&mut anon, "/tra-cuu").await;
    assert!(page.body.contains("Mã hồ sơ"));
    let a = app
        .form(&mut anon, "/tra-cuu", &[("code", &code), ("secret", "0987654321")])
        .await;
    let b = app
        .form(
            &mut anon,
            "/tra-cuu",
            &[("code", "000.05.15.H50-200101-0009"), ("secret", "0912345678")],
        )
        .await;
    assert_eq!((a.status, b.status), (404, 404));
    assert!(a.body.contains("Không tìm thấy hồ sơ") && b.body.contains("Không tìm thấy hồ sơ"));
    // Six lookups so far from this address; the rest of the allowance, then 429.
    let max = motcua_web::WebConfig::default().lookup_max as usize;
    for _ in 6..max {
        assert_ne!(
            app.get(&mut anon, &format!("/api/v1/lookup?code={code}&secret=0912345678"))
                .await
                .status,
            429
        );
    }
    let r = app
        .get(&mut anon, &format!("/api/v1/lookup?code={code}&secret=0912345678"))
        .await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (429, Some("lookup_rate_limited"))
    );
    assert!(r.json()["message_vi"].as_str().unwrap().contains("quá nhiều lần"));
    let page = app
        .form(&mut anon, "/tra-cuu", &[("code", &code), ("secret", "0912345678")])
        .await;
    assert_eq!(page.status, 429);
    assert!(page.body.contains("quá nhiều lần"));
}

/// A machine client with `dossiers:write` sends online (channel 2) dossiers for its unit.
#[tokio::test]
async fn an_api_key_sends_online_dossiers() {
    on_each_db("an_api_key_sends_online_dossiers", |db| async move {
        let (app, pid) = app_with_procedure(db).await;
        let mut admin = app.login("admin", "demo-admin-2026").await;
        let desk = identity::get_unit_by_code(app.db.store.db(), DESK).await.unwrap().unwrap();
        let k = app
            .json(
                &mut admin,
                "POST",
                "/api/v1/api-keys",
                &json!({"name": "Cổng dịch vụ công", "scopes": ["dossiers:write", "dossiers:read"], "unit_id": desk.id}),
            )
            .await;
        assert_eq!(k.status, 201, "{}", k.body);
        let mut portal = Client {
            bearer: Some(k.json()["key"].as_str().unwrap().to_owned()),
            ..Default::default()
        };
        let mut body = intake(&pid, "dvc-0001", json!([{"index": 0}, {"index": 1}]));
        body["channel"] = json!(2);
        let r = app.json(&mut portal, "POST", "/api/v1/dossiers", &body).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let d = r.json();
        assert_eq!((d["channel"].as_i64(), d["receiving_unit"].as_str()), (Some(2), Some(DESK)));
        let h = app
            .get(&mut portal, &format!("/api/v1/dossiers/{}/history", d["id"].as_str().unwrap()))
            .await
            .json();
        assert_eq!(h[0]["actor_role"], "api_key");
        // Only channel 2, and no commands.
        body["channel"] = json!(1);
        body["intake_key"] = json!("dvc-0002");
        let r = app.json(&mut portal, "POST", "/api/v1/dossiers", &body).await;
        assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("channel_not_allowed")));
        let r = run(&app, &mut portal, d["id"].as_str().unwrap(), 1, json!({"kind": "withdraw", "reason": "x"})).await;
        assert_eq!(r.status, 403);
        // A key with only `read` may not send dossiers.
        let k = app
            .json(&mut admin, "POST", "/api/v1/api-keys", &json!({"name": "Đọc", "scopes": ["read"]}))
            .await;
        let mut reader = Client {
            bearer: Some(k.json()["key"].as_str().unwrap().to_owned()),
            ..Default::default()
        };
        body["channel"] = json!(2);
        assert_eq!(app.json(&mut reader, "POST", "/api/v1/dossiers", &body).await.status, 403);
        app.db
    })
    .await;
}

/// Malformed or hostile bodies at the dossier endpoints are 4xx problems, never a 500.
#[tokio::test]
async fn bad_bodies_are_problems_not_failures() {
    let (app, pid) = app_with_procedure(TestDb::sqlite().await).await;
    let mut lan = app.login("lan", "demo-clerk-2026").await;
    let d = app
        .json(
            &mut lan,
            "POST",
            "/api/v1/dossiers",
            &intake(&pid, "bad-1", json!([{"index": 0}, {"index": 1}])),
        )
        .await
        .json();
    let commands = format!("/api/v1/dossiers/{}/commands", d["id"].as_str().unwrap());
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("/api/v1/dossiers", b"{".to_vec()),
        ("/api/v1/dossiers", b"[]".to_vec()),
        ("/api/v1/dossiers", json!({"procedure": pid, "channel": 9}).to_string().into_bytes()),
        ("/api/v1/dossiers", {
            let mut b = intake(&pid, "bad-2", json!([{"index": 99}]));
            b["procedure"] = json!("khong-co");
            b.to_string().into_bytes()
        }),
        ("/api/v1/dossiers", intake(&pid, "bad-3", json!([{"index": 99}])).to_string().into_bytes()),
        ("/api/v1/dossiers", intake(&pid, "", json!([])).to_string().into_bytes()),
        (commands.as_str(), json!({"expected_version": 1}).to_string().into_bytes()),
        (commands.as_str(), json!({"expected_version": 1, "command": {}}).to_string().into_bytes()),
        (commands.as_str(), json!({"expected_version": 1, "command": {"kind": "evaluate", "scores": [3,0,0,0,0,0,0,0,0]}}).to_string().into_bytes()),
        (commands.as_str(), json!({"expected_version": 1, "command": {"kind": "request_supplement", "items": "x"}}).to_string().into_bytes()),
        (commands.as_str(), json!({"expected_version": -5, "command": {"kind": "receive", "present": [{"index": 7}]}}).to_string().into_bytes()),
        (commands.as_str(), json!({"expected_version": 1, "command": {"kind": "issue_apology", "reason": "x", "new_appointment": "hôm nay"}}).to_string().into_bytes()),
        ("/api/v1/dossiers/khong-co/commands", json!({"expected_version": 1, "command": {"kind": "stop", "reason": "x"}}).to_string().into_bytes()),
    ];
    for (path, body) in bodies {
        let r = app
            .request(&mut lan, "POST", path, Some("application/json"), body.clone())
            .await;
        assert!(
            (400..500).contains(&r.status),
            "{path} {}: {} {}",
            String::from_utf8_lossy(&body),
            r.status,
            r.body
        );
        assert!(r.json()["message_vi"].is_string(), "{}", r.body);
    }
}
