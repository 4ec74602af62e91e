//! The whole journey of one dossier in headless Chromium (issue 5, "Done when"): received at
//! the desk, through the desk, the specialised division and the Department's leadership, a
//! supplement requested and received, a late step with the apology issued from the dossier
//! page, the director's approval and the return at the counter — every action by clicking and
//! filling the pages as the right person. At each state the national status (TrangThaiHoSo) on
//! the page is checked; then every official form of the dossier is fetched with the session
//! and its Vietnamese text read back.
//!
//! The server runs on a test clock that starts on Monday 2 June 2025, 08:30 (UTC+7), before the
//! switch to the TT 03/2025 forms, so the dossier's forms are those of TT 01/2018 (Mẫu 01, 02,
//! 04, 05); the test moves the clock past the appraisal step's deadline to make it late.

use crate::browser::{browser, click_and_load, sign_in};
use crate::dossiers_pages::{assert_pdf_has, pdf_text};
use chrono::{DateTime, TimeZone, Utc};
use fantoccini::{Client, Locator};
use motcua_core::calendar::Duration;
use motcua_core::catalog::{Channel, ChannelSpec, Component, CopyType, ProcedureVersion, Requirement, WorkflowStep};
use motcua_core::identity::UnitCode;
use motcua_store::{Store, dossiers, identity};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

const DESK: &str = "000.05.15.H50";
const DIVISION: &str = "000.03.15.H50";
const LEADERSHIP: &str = "000.00.15.H50";
const PROCEDURE: &str = "Cấp giấy phép tiến hành công việc bức xạ – sử dụng thiết bị X-quang chẩn đoán trong y tế";

fn component(name: &str) -> Component {
    Component {
        name: name.into(),
        copy_type: CopyType::Original,
        quantity: 1,
        requirement: Requirement::Required,
        condition: None,
        form: None,
        variants: vec![],
    }
}

fn step(name: &str, unit: &str, slice: Duration) -> WorkflowStep {
    WorkflowStep {
        name: name.into(),
        unit_code: UnitCode::parse(unit).unwrap(),
        slice,
    }
}

/// Received at the desk, appraised by the specialised division, approved by the Department's
/// leadership, returned at the desk: five working days.
fn xray() -> ProcedureVersion {
    ProcedureVersion {
        name: PROCEDURE.into(),
        field: "An toàn bức xạ và hạt nhân".into(),
        agency: "Sở Khoa học và Công nghệ".into(),
        components: vec![
            component("Đơn đề nghị cấp giấy phép"),
            component("Giấy chứng nhận kiểm định thiết bị"),
        ],
        channels: vec![ChannelSpec {
            channel: Channel::InPerson,
            time_limit: Some(Duration::WorkingDays(5)),
            same_day: false,
            fees: vec![],
            workflow: vec![
                step("Tiếp nhận, chuyển hồ sơ", DESK, Duration::WorkingHours(4)),
                step("Thẩm định hồ sơ, trình phê duyệt", DIVISION, Duration::WorkingDays(3)),
                step("Lãnh đạo Sở phê duyệt", LEADERSHIP, Duration::WorkingDays(1)),
                step("Trả kết quả", DESK, Duration::WorkingHours(4)),
            ],
        }],
        ..Default::default()
    }
}

/// The demo people and units, the procedure in force since 1 January 2025; the server on a
/// clock the test moves. Returns the base URL, the store, the procedure id and the clock's
/// offset from its start (microseconds).
async fn serve(start: DateTime<Utc>) -> (String, Store, String, Arc<AtomicI64>) {
    let db = crate::support::TestDb::sqlite().await;
    motcua::demo::seed(&db.store).await.unwrap();
    let now = Utc::now();
    let procedure_id = crate::support::publish_procedure(&db.store, now, &xray()).await;
    let offset = Arc::new(AtomicI64::new(0));
    let seen = offset.clone();
    let clock: motcua_web::Clock =
        Arc::new(move || start + chrono::Duration::microseconds(seen.load(Ordering::SeqCst)));
    let state = motcua_web::AppState::with_clock(db.store.clone(), motcua::config::Config::default().web(), clock);
    let (router, _) = motcua_web::app(state);
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
    (format!("http://{addr}"), db.store.clone(), procedure_id, offset)
}

async fn sign_out(c: &Client) {
    c.find(Locator::Css("form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("username")).await.unwrap();
}

async fn fill(c: &Client, id: &str, text: &str) {
    let e = c.find(Locator::Id(id)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Submit one action form of the dossier page and wait for the next page: its confirmation,
/// or the refusal it shows (which fails the test with its text).
async fn submit(c: &Client, form: &str) {
    click_and_load(c, &format!("#{form} button[type=submit]")).await;
    let shown = c
        .wait()
        .for_element(Locator::Css("p.flash, p.error"))
        .await
        .unwrap_or_else(|e| panic!("{form}: no answer ({e})"));
    let class = shown.attr("class").await.unwrap().unwrap_or_default();
    if class == "error" {
        panic!("{form}: refused: {}", shown.text().await.unwrap());
    }
}

/// The national status code and the internal state shown on the dossier page.
async fn status(c: &Client) -> (String, String) {
    let n = c.find(Locator::Id("national-status")).await.unwrap();
    let s = c.find(Locator::Id("state")).await.unwrap();
    (
        n.attr("data-code").await.unwrap().unwrap_or_default(),
        s.attr("data-state").await.unwrap().unwrap_or_default(),
    )
}

#[track_caller]
fn expect(got: (String, String), national: &str, state: &str) {
    assert_eq!((got.0.as_str(), got.1.as_str()), (national, state));
}

async fn user_id(store: &Store, username: &str) -> String {
    identity::get_user_by_username(store.db(), username)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A file of the server, fetched with the browser's cookies (the session).
async fn fetch(c: &Client, url: &str) -> (u16, Vec<u8>) {
    use http_body_util::BodyExt;
    let cookies: Vec<String> = c
        .get_all_cookies()
        .await
        .unwrap()
        .iter()
        .map(|k| format!("{}={}", k.name(), k.value()))
        .collect();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Empty<axum::body::Bytes>>();
    let req = axum::http::Request::get(url)
        .header("cookie", cookies.join("; "))
        .body(http_body_util::Empty::new())
        .unwrap();
    let resp = client.request(req).await.unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_dossier_journey_desk_two_units_supplement_late_apology_decision_return() {
    let Some(b) = browser("browser_dossier_journey").await else {
        return;
    };
    // Monday 2 June 2025, 08:30 in Quảng Trị.
    let start = Utc.with_ymd_and_hms(2025, 6, 2, 1, 30, 0).unwrap();
    let (base, store, procedure, offset) = serve(start).await;
    let c = &b.client;

    // 1. The clerk receives the dossier at the desk: national status 2.
    sign_in(c, &base, "lan", "demo-clerk-2026").await;
    c.goto(&format!("{base}/ho-so/tiep-nhan?procedure={procedure}"))
        .await
        .unwrap();
    fill(c, "full_name", "Nguyễn Thị Hường").await;
    fill(c, "citizen_id", "045123456789").await;
    fill(c, "phone", "0912345678").await;
    fill(c, "email", "huong@example.vn").await;
    fill(c, "address", "Số 8 Trần Hưng Đạo, Đông Hà").await;
    for i in 0..2 {
        let present = c.find(Locator::Id(&format!("present_{i}"))).await.unwrap();
        if present.prop("checked").await.unwrap().as_deref() != Some("true") {
            present.click().await.unwrap();
        }
    }
    click(c, "#outcome-receive").await;
    click(c, "#intake-submit").await;
    c.wait().for_element(Locator::Id("dossier-code")).await.unwrap();
    let code = c.find(Locator::Id("dossier-code")).await.unwrap().text().await.unwrap();
    assert!(code.starts_with("000.05.15.H50-250602-"), "{code}");
    let url = c.current_url().await.unwrap();
    let id = url.path().trim_start_matches("/ho-so/").to_owned();
    let page = format!("{base}/ho-so/{id}");
    expect(status(c).await, "2", "received");
    sign_out(c).await;

    // 2. The desk's specialist claims it (processing, 4) and hands it to the division.
    sign_in(c, &base, "nga", "demo-specialist-2026").await;
    c.goto(&page).await.unwrap();
    submit(c, "form-claim").await;
    expect(status(c).await, "4", "processing");
    let hung = user_id(&store, "hung").await;
    c.find(Locator::Id("receiver"))
        .await
        .unwrap()
        .select_by_value(&hung)
        .await
        .unwrap();
    submit(c, "form-hand-over").await;
    expect(status(c).await, "4", "processing");
    sign_out(c).await;

    // 3. The division's specialist asks for a supplement: 5, the clock paused.
    sign_in(c, &base, "hung", "demo-specialist-2026").await;
    c.goto(&page).await.unwrap();
    click(c, "#component_1").await;
    fill(c, "note_1", "Giấy chứng nhận kiểm định đã hết hạn.").await;
    fill(c, "supplement_reason", "Cần giấy chứng nhận kiểm định còn hiệu lực.").await;
    submit(c, "form-supplement").await;
    expect(status(c).await, "5", "awaiting_supplement");
    sign_out(c).await;

    // 4. The supplement arrives at the desk: processing again.
    offset.fetch_add(chrono::Duration::hours(2).num_microseconds().unwrap(), Ordering::SeqCst);
    sign_in(c, &base, "lan", "demo-clerk-2026").await;
    c.goto(&page).await.unwrap();
    submit(c, "form-supplement-received").await;
    expect(status(c).await, "4", "processing");
    sign_out(c).await;

    // 5. The appraisal runs past its deadline: the clock moves two days past the step's due.
    let rec = dossiers::get(store.db(), &id).await.unwrap().unwrap();
    let due = motcua_store::time::from_us(rec.steps[1].due_at.expect("the appraisal step has a deadline"));
    let late = due + chrono::Duration::days(2) - start;
    offset.store(late.num_microseconds().unwrap(), Ordering::SeqCst);
    // The director may not decide before the dossier reaches the leadership's step.
    sign_in(c, &base, "binh", "demo-leader-2026").await;
    c.goto(&page).await.unwrap();
    assert!(
        c.find(Locator::Id("form-approve")).await.is_err(),
        "the director has no approval form yet"
    );
    sign_out(c).await;
    // The specialist issues the apology with a new appointment, then hands over (late).
    sign_in(c, &base, "hung", "demo-specialist-2026").await;
    c.goto(&page).await.unwrap();
    fill(
        c,
        "apology_reason",
        "Hồ sơ cần lấy ý kiến của cơ quan chuyên môn về an toàn bức xạ.",
    )
    .await;
    submit(c, "form-apology").await;
    expect(status(c).await, "4", "processing");
    let binh = user_id(&store, "binh").await;
    c.find(Locator::Id("receiver"))
        .await
        .unwrap()
        .select_by_value(&binh)
        .await
        .unwrap();
    submit(c, "form-hand-over").await;
    expect(status(c).await, "4", "processing");
    let steps = c.find(Locator::Id("steps")).await.unwrap().text().await.unwrap();
    assert!(steps.contains("Quá hạn"), "the appraisal step is late: {steps}");
    sign_out(c).await;

    // 6. The director approves: done, awaiting return (9).
    offset.fetch_add(chrono::Duration::hours(1).num_microseconds().unwrap(), Ordering::SeqCst);
    sign_in(c, &base, "binh", "demo-leader-2026").await;
    c.goto(&page).await.unwrap();
    fill(c, "number", "15/GP-SKHCN").await;
    submit(c, "form-approve").await;
    expect(status(c).await, "9", "decided");
    sign_out(c).await;

    // 7. The clerk returns the result at the counter (10).
    offset.fetch_add(chrono::Duration::hours(1).num_microseconds().unwrap(), Ordering::SeqCst);
    sign_in(c, &base, "lan", "demo-clerk-2026").await;
    c.goto(&page).await.unwrap();
    click(c, "#method-counter").await;
    fill(c, "received_by", "Nguyễn Thị Hường").await;
    submit(c, "form-return").await;
    expect(status(c).await, "10", "returned");
    let history = c.find(Locator::Id("history")).await.unwrap().text().await.unwrap();
    for what in [
        "Tiếp nhận hồ sơ",
        "Yêu cầu bổ sung hồ sơ",
        "Xin lỗi",
        "Phê duyệt",
        "Trả kết quả",
    ] {
        assert!(history.contains(what), "{what} not in the history: {history}");
    }

    // 8. Every official form of the dossier, with the clerk's session: TT 01/2018 by the
    // receipt date.
    let links = c.find(Locator::Id("form-links")).await.unwrap().text().await.unwrap();
    for form in ["Mẫu 01", "Mẫu 02", "Mẫu 04", "Mẫu 05"] {
        assert!(links.contains(form), "{form} not offered: {links}");
    }
    let pdf = |file: &str| format!("{page}/phieu/{file}");
    let (s, receipt) = fetch(c, &pdf("tiep-nhan.pdf")).await;
    assert_eq!(s, 200);
    let text = pdf_text(&receipt);
    assert_pdf_has(&text, &"Giấy tiếp nhận hồ sơ và hẹn trả kết quả".to_uppercase());
    assert_pdf_has(&text, &code);
    assert_pdf_has(&text, "Nguyễn Thị Hường");
    assert_pdf_has(&text, "Giấy chứng nhận kiểm định thiết bị");

    let (s, supplement) = fetch(c, &pdf("bo-sung.pdf")).await;
    assert_eq!(s, 200);
    let text = pdf_text(&supplement);
    assert_pdf_has(&text, &"Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ".to_uppercase());
    assert_pdf_has(&text, "Giấy chứng nhận kiểm định thiết bị");
    assert_pdf_has(&text, "Giấy chứng nhận kiểm định đã hết hạn.");

    let (s, apology) = fetch(c, &pdf("xin-loi.pdf")).await;
    assert_eq!(s, 200);
    let text = pdf_text(&apology);
    assert_pdf_has(&text, &"Phiếu xin lỗi và hẹn lại ngày trả kết quả".to_uppercase());
    assert_pdf_has(&text, "Hồ sơ cần lấy ý kiến của cơ quan chuyên môn về an toàn bức xạ.");
    let rec = dossiers::get(store.db(), &id).await.unwrap().unwrap();
    let new_date = motcua_store::time::from_us(rec.row.appointment.unwrap())
        .with_timezone(&motcua_core::calendar::vn_offset())
        .date_naive();
    assert!(
        text.contains(&new_date.format("%d/%m/%Y").to_string())
            || text.contains(&new_date.format("ngày%dtháng%mnăm%Y").to_string()),
        "the new appointment {new_date} not in: {text}"
    );

    let (s, slip) = fetch(c, &pdf("kiem-soat.pdf")).await;
    assert_eq!(s, 200);
    let text = pdf_text(&slip);
    assert_pdf_has(&text, &"Phiếu kiểm soát quá trình giải quyết hồ sơ".to_uppercase());
    assert_pdf_has(&text, "Trần Văn Hùng");
    assert_pdf_has(&text, "Võ Thanh Bình");
    assert_pdf_has(&text, "Quá hạn");

    // Without a session the forms are not served.
    let anon = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Empty<axum::body::Bytes>>();
    let resp = anon
        .request(
            axum::http::Request::get(pdf("kiem-soat.pdf"))
                .body(http_body_util::Empty::new())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    c.clone().close().await.unwrap();
    eprintln!("browser_dossier_journey: ran in headless Chromium");
}
