//! The dossier back office over HTTP (issue 5): desk intake (receive, guide, refuse, missing
//! components, double submit), who may act, supplement marks, the apology once, the official
//! forms as PDF with their Vietnamese text, the tracking ledger as XLSX, and liên thông to another
//! agency and back. The browser test of the whole journey is in `browser_journey.rs`.

use crate::support::{Client, Reply, TestApp};
use motcua_core::catalog::{Channel, ProcedureVersion, Requirement};
use motcua_store::catalog;

/// A demo procedure received in person whose workflow has steps in at least two units (one of
/// them the demo specialist's), with its required component indices.
pub async fn two_unit_procedure(app: &TestApp) -> (String, ProcedureVersion, Vec<usize>) {
    let today = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
    for row in catalog::in_force_all(app.db.store.db(), today, &Default::default())
        .await
        .unwrap()
    {
        let v: ProcedureVersion = serde_json::from_str(&row.document).unwrap();
        let Some(spec) = v.channel(Channel::InPerson) else {
            continue;
        };
        let mut units: Vec<&str> = spec.workflow.iter().map(|s| s.unit_code.as_str()).collect();
        units.sort();
        units.dedup();
        // The demo's specialist and leader work in the specialised management division.
        if units.len() < 2 || !units.contains(&"000.03.15.H50") || !v.variants.is_empty() {
            continue;
        }
        let required: Vec<usize> = v
            .components
            .iter()
            .enumerate()
            .filter(|(_, c)| c.requirement == Requirement::Required && c.variants.is_empty())
            .map(|(i, _)| i)
            .collect();
        if required.len() >= 2 {
            return (row.procedure_id.clone(), v, required);
        }
    }
    panic!("the demo catalog has a procedure with a two-unit workflow");
}

/// A `multipart/form-data` body: fields and (field, file name, bytes) files.
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----motcuaTestBoundary7MA4YWxkTrZu0gW";
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    for (k, name, bytes) in files {
        b.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        b.extend_from_slice(bytes);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), b)
}

/// The value of a hidden field in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let pat = format!("name=\"{name}\" value=\"");
    let i = html.find(&pat).unwrap_or_else(|| panic!("no field {name}"));
    let rest = &html[i + pat.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// The PDF's text without white space (lopdf spaces glyphs Typst places on their own).
pub fn pdf_text(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).expect("a valid PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).expect("extractable text");
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[track_caller]
pub fn assert_pdf_has(text: &str, want: &str) {
    let w: String = want.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(text.contains(&w), "{want:?} not in PDF text:\n{text}");
}

struct Desk<'a> {
    app: &'a TestApp,
    procedure: String,
    required: Vec<usize>,
}

impl Desk<'_> {
    /// Submit the intake form as the clerk; returns the reply and the intake key used.
    async fn submit(
        &self,
        c: &mut Client,
        outcome: &str,
        present: &[usize],
        extra: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
        key: Option<&str>,
    ) -> (Reply, String) {
        let page = self
            .app
            .get(c, &format!("/ho-so/tiep-nhan?procedure={}", self.procedure))
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        let key = key
            .map(str::to_owned)
            .unwrap_or_else(|| hidden(&page.body, "intake_key"));
        let present_names: Vec<String> = present.iter().map(|i| format!("present_{i}")).collect();
        let mut fields: Vec<(&str, &str)> = vec![
            ("_csrf", c.csrf.as_str()),
            ("intake_key", key.as_str()),
            ("procedure", self.procedure.as_str()),
            ("channel", "1"),
            ("variant", ""),
            ("kind", "person"),
            ("full_name", "Nguyễn Thị Hường"),
            ("citizen_id", "045123456789"),
            ("phone", "0912345678"),
            ("email", "huong@example.vn"),
            ("address", "Số 8 Trần Hưng Đạo, Đông Hà"),
            ("outcome", outcome),
        ];
        for n in &present_names {
            fields.push((n.as_str(), "1"));
        }
        fields.extend_from_slice(extra);
        let (ct, body) = multipart(&fields, files);
        let r = self.app.request(c, "POST", "/ho-so/tiep-nhan", Some(&ct), body).await;
        (r, key)
    }
}

fn dossier_id(location: &str) -> String {
    location
        .trim_start_matches("/ho-so/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

const PDF_SCAN: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

#[tokio::test]
async fn desk_intake_receives_guides_refuses_and_lists_missing_components() {
    let app = TestApp::sqlite_demo().await;
    let (procedure, version, required) = two_unit_procedure(&app).await;
    let desk = Desk {
        app: &app,
        procedure,
        required: required.clone(),
    };
    let mut lan = app.login("lan", "demo-clerk-2026").await;
    let before = motcua_store::dossiers::open_dossiers(app.db.store.db())
        .await
        .unwrap()
        .len();

    // Receive with a required component missing: the form again with its name, nothing saved.
    let (r, _) = desk.submit(&mut lan, "receive", &required[..1], &[], &[], None).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains(&version.components[required[1]].name), "{}", r.body);
    assert!(r.body.contains("Thiếu thành phần hồ sơ bắt buộc"), "{}", r.body);
    assert_eq!(
        motcua_store::dossiers::open_dossiers(app.db.store.db())
            .await
            .unwrap()
            .len(),
        before
    );

    // A scan that is not one of the allowed types is refused by its first bytes.
    let (r, _) = desk
        .submit(
            &mut lan,
            "receive",
            &desk.required,
            &[],
            &[("scan_0", "virus.pdf", b"MZ\x90\x00 not a pdf")],
            None,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Chỉ nhận tệp PDF"), "{}", r.body);

    // Receive with every required component and a scan: code, appointment, receipt.
    let scan_field = format!("scan_{}", required[0]);
    let (r, key) = desk
        .submit(
            &mut lan,
            "receive",
            &desk.required,
            &[],
            &[(&scan_field, "don.pdf", PDF_SCAN)],
            None,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id = dossier_id(&r.location());
    let page = app.get(&mut lan, &format!("/ho-so/{id}")).await;
    assert_eq!(page.status, 200);
    let rec = motcua_store::dossiers::get(app.db.store.db(), &id)
        .await
        .unwrap()
        .unwrap();
    let code = rec.row.code.clone().unwrap();
    assert!(code.starts_with("000.05.15.H50-"), "{code}");
    assert!(page.body.contains(&code));
    assert!(page.body.contains("data-code=\"2\""), "national status 2");
    assert!(page.body.contains("Cách tính ngày hẹn trả"));
    assert!(page.body.contains("Thời hạn giải quyết"));
    assert!(page.body.contains(&format!("/ho-so/{id}/phieu/tiep-nhan.pdf")));
    // The scan is marked digitized and downloads as sent.
    let file_id = rec.components.iter().find_map(|c| c.file_id.clone()).unwrap();
    let dl = app.get(&mut lan, &format!("/ho-so/{id}/tep/{file_id}")).await;
    assert_eq!(dl.status, 200);
    assert_eq!(dl.bytes, PDF_SCAN);
    // The receipt (Mẫu 01) names the dossier, the applicant and the form.
    let pdf = app.get(&mut lan, &format!("/ho-so/{id}/phieu/tiep-nhan.pdf")).await;
    assert_eq!(pdf.status, 200);
    let text = pdf_text(&pdf.bytes);
    assert_pdf_has(&text, &code);
    assert_pdf_has(&text, "Nguyễn Thị Hường");
    assert_pdf_has(&text, &"Giấy tiếp nhận hồ sơ và hẹn trả kết quả".to_uppercase());

    // The same form sent again makes no second dossier.
    let (again, _) = desk
        .submit(&mut lan, "receive", &desk.required, &[], &[], Some(&key))
        .await;
    assert_eq!(again.status, 303);
    assert_eq!(dossier_id(&again.location()), id);

    // Guide to complete (Mẫu 02): national status 5, the guidance form lists what is missing.
    let (r, _) = desk
        .submit(
            &mut lan,
            "guide",
            &required[..1],
            &[("reason", "Thiếu giấy tờ chứng minh điều kiện.")],
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let gid = dossier_id(&r.location());
    let page = app.get(&mut lan, &format!("/ho-so/{gid}")).await;
    assert!(page.body.contains("data-code=\"5\""));
    let pdf = app.get(&mut lan, &format!("/ho-so/{gid}/phieu/huong-dan.pdf")).await;
    assert_eq!(pdf.status, 200);
    assert_pdf_has(&pdf_text(&pdf.bytes), &version.components[required[1]].name);
    // Guidance without a reason is refused on the page.
    let (r, _) = desk.submit(&mut lan, "guide", &[], &[], &[], None).await;
    assert_eq!(r.status, 422);

    // Refuse (Mẫu 03): national status 3, the refusal states the reason.
    let (r, _) = desk
        .submit(
            &mut lan,
            "refuse",
            &[],
            &[("reason", "Không thuộc thẩm quyền giải quyết của Sở.")],
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 303);
    let rid = dossier_id(&r.location());
    let page = app.get(&mut lan, &format!("/ho-so/{rid}")).await;
    assert!(page.body.contains("data-code=\"3\""));
    let pdf = app.get(&mut lan, &format!("/ho-so/{rid}/phieu/tu-choi.pdf")).await;
    assert_pdf_has(&pdf_text(&pdf.bytes), "Không thuộc thẩm quyền giải quyết của Sở.");
    // A form that does not apply is not there.
    assert_eq!(
        app.get(&mut lan, &format!("/ho-so/{rid}/phieu/tiep-nhan.pdf"))
            .await
            .status,
        404
    );

    // The inbox finds the received dossier by the applicant's name without diacritics.
    let inbox = app.get(&mut lan, "/ho-so?view=all&q=nguyen+thi+huong").await;
    assert_eq!(inbox.status, 200);
    assert!(inbox.body.contains(&code), "{}", inbox.body);
}

/// Receive a dossier at the desk over HTTP; returns its id.
async fn received(app: &TestApp, lan: &mut Client) -> (String, ProcedureVersion) {
    let (procedure, version, required) = two_unit_procedure(app).await;
    let desk = Desk {
        app,
        procedure,
        required: required.clone(),
    };
    let (r, _) = desk.submit(lan, "receive", &required, &[], &[], None).await;
    assert_eq!(r.status, 303, "{}", r.body);
    (dossier_id(&r.location()), version)
}

async fn act(app: &TestApp, c: &mut Client, id: &str, fields: &[(&str, &str)]) -> Reply {
    let page = app.get(c, &format!("/ho-so/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    // Someone without an action form posts it by hand, with the dossier's current version.
    let version = match page
        .body
        .split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
    {
        Some(v) => v.to_owned(),
        None => motcua_store::dossiers::get(app.db.store.db(), id)
            .await
            .unwrap()
            .unwrap()
            .row
            .version
            .to_string(),
    };
    let mut all: Vec<(&str, &str)> = vec![("version", version.as_str())];
    all.extend_from_slice(fields);
    app.form(c, &format!("/ho-so/{id}/thao-tac"), &all).await
}

async fn user_id(app: &TestApp, username: &str) -> String {
    motcua_store::identity::get_user_by_username(app.db.store.db(), username)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// The desk's specialist claims the dossier and hands it to `hung` at the specialised
/// division's step.
async fn to_division(app: &TestApp, id: &str) {
    let mut nga = app.login("nga", "demo-specialist-2026").await;
    let r = act(app, &mut nga, id, &[("action", "claim")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let hung_id = user_id(app, "hung").await;
    let r = act(app, &mut nga, id, &[("action", "hand_over"), ("receiver", &hung_id)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
}

#[tokio::test]
async fn only_the_permitted_act_citizens_inspectors_and_strangers_cannot() {
    let app = TestApp::sqlite_demo().await;
    let mut lan = app.login("lan", "demo-clerk-2026").await;
    let (id, _) = received(&app, &mut lan).await;
    // Not signed in: to the sign-in page.
    let mut anon = Client::default();
    for path in ["/ho-so", "/ho-so/tiep-nhan", &format!("/ho-so/{id}")] {
        let r = app.get(&mut anon, path).await;
        assert_eq!(r.status, 303, "{path}");
        assert!(r.location().starts_with("/login"));
    }
    // A citizen sees none of it.
    let mut minh = app.login("minh", "demo-citizen-2026").await;
    assert_eq!(app.get(&mut minh, &format!("/ho-so/{id}")).await.status, 403);
    assert_eq!(app.get(&mut minh, "/ho-so/tiep-nhan").await.status, 403);
    // An inspector reads the dossier and its forms but has no action and cannot act.
    let mut tuan = app.login("tuan", "demo-inspector-2026").await;
    let page = app.get(&mut tuan, &format!("/ho-so/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("/thao-tac"));
    let r = app
        .form(
            &mut tuan,
            &format!("/ho-so/{id}/thao-tac"),
            &[("action", "stop"), ("version", "1"), ("reason", "x")],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(app.get(&mut tuan, "/ho-so/tiep-nhan").await.status, 403);
    // The clerk may not approve (a leader's act) even by posting the form by hand.
    let r = act(
        &app,
        &mut lan,
        &id,
        &[("action", "approve"), ("number", "1/GP"), ("date", "2026-01-05")],
    )
    .await;
    assert_eq!(r.status, 403);
    // A leader of a unit that does not handle the dossier yet gets a 403 for every command,
    // and sees no action form.
    let mut hoa = app.login("hoa", "demo-leader-2026").await;
    let page = app.get(&mut hoa, &format!("/ho-so/{id}")).await;
    assert!(!page.body.contains("/thao-tac"), "{}", page.body);
    for fields in [
        vec![("action", "claim")],
        vec![("action", "approve"), ("number", "1/GP"), ("date", "2026-01-05")],
        vec![("action", "stop"), ("reason", "x")],
    ] {
        let r = act(&app, &mut hoa, &id, &fields).await;
        assert_eq!(r.status, 403, "{fields:?}");
    }
    // The desk's leader may; a wrong-state command is a 409 shown on the page in Vietnamese.
    let mut quang = app.login("quang", "demo-leader-2026").await;
    let r = act(
        &app,
        &mut quang,
        &id,
        &[("action", "approve"), ("number", "1/GP"), ("date", "2026-01-05")],
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("Không thể thực hiện thao tác"), "{}", r.body);
    // A stale page is a 409 too.
    let r = app
        .form(
            &mut quang,
            &format!("/ho-so/{id}/thao-tac"),
            &[("action", "claim"), ("version", "0")],
        )
        .await;
    assert_eq!(r.status, 409);
    // Once the dossier is at the specialised division's step, its leader acts; a specialist of
    // another division does not.
    to_division(&app, &id).await;
    let mut mai = app.login("mai", "demo-specialist-2026").await;
    let hoa_id = user_id(&app, "hoa").await;
    let r = act(&app, &mut mai, &id, &[("action", "hand_over"), ("receiver", &hoa_id)]).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = act(&app, &mut hoa, &id, &[("action", "claim")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    // The leader of another division, and the Department's director before the dossier
    // reaches the leadership's step, may not decide it.
    let mut hai = app.login("hai", "demo-leader-2026").await;
    let mut binh = app.login("binh", "demo-leader-2026").await;
    for c in [&mut hai, &mut binh] {
        let r = act(
            &app,
            c,
            &id,
            &[("action", "approve"), ("number", "1/GP"), ("date", "2026-01-05")],
        )
        .await;
        assert_eq!(r.status, 403, "{}", r.body);
    }
    // Handed to the director at the leadership's step, he approves.
    let binh_id = user_id(&app, "binh").await;
    let r = act(&app, &mut hoa, &id, &[("action", "hand_over"), ("receiver", &binh_id)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = act(
        &app,
        &mut binh,
        &id,
        &[("action", "approve"), ("number", "1/GP-SKHCN"), ("date", "2026-01-05")],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.get(&mut binh, &format!("/ho-so/{id}")).await;
    assert!(page.body.contains("data-code=\"9\""), "{}", page.body);
}

#[tokio::test]
async fn supplement_marks_apology_once_and_the_forms_say_so() {
    let app = TestApp::sqlite_demo().await;
    let mut lan = app.login("lan", "demo-clerk-2026").await;
    let (id, version) = received(&app, &mut lan).await;
    let mut hoa = app.login("hoa", "demo-leader-2026").await;
    let mut hung = app.login("hung", "demo-specialist-2026").await;
    to_division(&app, &id).await;
    // An "other" paper without a justification is refused (422) …
    let r = act(
        &app,
        &mut hung,
        &id,
        &[
            ("action", "supplement"),
            ("other_name_1", "Giấy xác nhận cư trú"),
            ("reason", "Cần xác minh."),
        ],
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    // … with one it is accepted and marked "not in the published procedure".
    let r = act(
        &app,
        &mut hung,
        &id,
        &[
            ("action", "supplement"),
            ("component_0", "1"),
            ("note_0", "Chưa ký tên."),
            ("other_name_1", "Giấy xác nhận cư trú"),
            ("other_justification_1", "Để xác minh địa chỉ."),
            ("reason", "Hồ sơ chưa đầy đủ."),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.get(&mut hung, &format!("/ho-so/{id}")).await;
    assert!(page.body.contains("data-code=\"5\""));
    assert!(page.body.contains("Yêu cầu giấy tờ ngoài thủ tục đã công bố"));
    let pdf = app.get(&mut hung, &format!("/ho-so/{id}/phieu/bo-sung.pdf")).await;
    let text = pdf_text(&pdf.bytes);
    assert_pdf_has(&text, &version.components[0].name);
    assert_pdf_has(&text, "Để xác minh địa chỉ.");
    let r = act(&app, &mut lan, &id, &[("action", "supplement_received")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    // A second request needs a written reason, then is marked repeated.
    let r = act(
        &app,
        &mut hung,
        &id,
        &[("action", "supplement"), ("component_1", "1"), ("reason", "Sai mẫu.")],
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let r = act(
        &app,
        &mut hung,
        &id,
        &[
            ("action", "supplement"),
            ("component_1", "1"),
            ("reason", "Sai mẫu."),
            ("repeat_reason", "Phát hiện khi thẩm định lần hai."),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.get(&mut hung, &format!("/ho-so/{id}")).await;
    assert!(page.body.contains("Yêu cầu bổ sung lặp lại"));
    act(&app, &mut lan, &id, &[("action", "supplement_received")]).await;
    // The apology: once, with a later date; the form by receipt date (TT 03/2025 now).
    let r = act(
        &app,
        &mut hoa,
        &id,
        &[
            ("action", "apology"),
            ("reason", "Cần lấy ý kiến chuyên gia."),
            ("new_date", "2099-12-30"),
            ("new_time", "16:30"),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.get(&mut hoa, &format!("/ho-so/{id}")).await;
    assert!(
        !page.body.contains("id=\"form-apology\""),
        "the apology form is gone once issued"
    );
    let r = app
        .form(
            &mut hoa,
            &format!("/ho-so/{id}/thao-tac"),
            &[
                ("version", &hidden(&page.body, "version")),
                ("action", "apology"),
                ("reason", "Lần nữa."),
                ("new_date", "2100-01-30"),
            ],
        )
        .await;
    // A second apology is a state conflict (409), as over the API.
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("chỉ được hẹn lại một lần"), "{}", r.body);
    let pdf = app.get(&mut hoa, &format!("/ho-so/{id}/phieu/xin-loi.pdf")).await;
    let text = pdf_text(&pdf.bytes);
    assert_pdf_has(
        &text,
        &"Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết".to_uppercase(),
    );
    assert_pdf_has(&text, "Cần lấy ý kiến chuyên gia.");
    assert!(
        text.contains("30/12/2099") || text.contains("ngày30tháng12năm2099"),
        "{text}"
    );
}

#[tokio::test]
async fn ledger_exports_the_period_as_xlsx_and_pdf() {
    let app = TestApp::sqlite_demo().await;
    let mut lan = app.login("lan", "demo-clerk-2026").await;
    let (id, _) = received(&app, &mut lan).await;
    let code = motcua_store::dossiers::get(app.db.store.db(), &id)
        .await
        .unwrap()
        .unwrap()
        .row
        .code
        .unwrap();
    let today = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
    let q = format!("from={}&to={}", today - chrono::Duration::days(3), today);
    let x = app.get(&mut lan, &format!("/ho-so/so-theo-doi.xlsx?{q}")).await;
    assert_eq!(x.status, 200);
    let table = motcua_docs::xlsx::read_table(&x.bytes).unwrap();
    assert_eq!(table[0][1], "Mã hồ sơ");
    assert!(
        table.iter().any(|r| r[1] == code && r[4] == "Nguyễn Thị Hường"),
        "{table:?}"
    );
    let p = app.get(&mut lan, &format!("/ho-so/so-theo-doi.pdf?{q}")).await;
    assert_eq!(p.status, 200);
    assert_pdf_has(&pdf_text(&p.bytes), &code);
    // A period before the dossier holds no row; a reversed one is refused.
    let x = app
        .get(&mut lan, "/ho-so/so-theo-doi.xlsx?from=2020-01-01&to=2020-01-31")
        .await;
    let table = motcua_docs::xlsx::read_table(&x.bytes).unwrap();
    assert!(!table.iter().any(|r| r.get(1) == Some(&code)));
    assert_eq!(
        app.get(&mut lan, "/ho-so/so-theo-doi.xlsx?from=2020-02-01&to=2020-01-31")
            .await
            .status,
        422
    );
    // Specialists do not keep the ledger.
    let mut hung = app.login("hung", "demo-specialist-2026").await;
    assert_eq!(app.get(&mut hung, "/ho-so/so-theo-doi.xlsx").await.status, 403);
}

/// Liên thông (issue 5 item 5): from the dossier page the division sends the dossier to another
/// agency served by the same motcua and records its return; it stays one dossier (national
/// status 4 throughout), the history and the control slip show both moves, the ledger counts it
/// once.
#[tokio::test]
async fn inter_agency_send_and_return_from_the_dossier_page() {
    let app = TestApp::sqlite_demo().await;
    let mut lan = app.login("lan", "demo-clerk-2026").await;
    let (id, _) = received(&app, &mut lan).await;
    to_division(&app, &id).await;
    let mut hung = app.login("hung", "demo-specialist-2026").await;
    // Only agencies the dossier does not already go through are offered: the provincial
    // People's Committee, not the Department or the service centre of the desk.
    let page = app.get(&mut hung, &format!("/ho-so/{id}")).await;
    let form = page
        .body
        .split("id=\"form-send-agency\"")
        .nth(1)
        .and_then(|f| f.split("</form>").next())
        .unwrap_or_else(|| panic!("no liên thông form: {}", page.body));
    assert!(form.contains("value=\"000.00.00.H50\""), "{form}");
    assert!(
        !form.contains("value=\"000.00.15.H50\"") && !form.contains("value=\"000.00.30.H50\""),
        "{form}"
    );
    // A code that is not a unit code is a 422 in Vietnamese, not a 500.
    // A unit that is not an agency served here, or no unit at all, is a 422, not a 500.
    for agency in ["UBND", "000.03.15.H50", "000.00.99.H50"] {
        let r = act(&app, &mut hung, &id, &[("action", "send_agency"), ("agency", agency)]).await;
        assert_eq!(r.status, 422, "{agency}: {}", r.body);
    }
    // The partner's steps: units of the offered agency (here the committee itself) are offered.
    assert!(
        form.contains("name=\"partner_name_1\"") && form.contains("name=\"partner_slice_3\""),
        "{form}"
    );
    let units = form
        .split("id=\"partner_unit_1\"")
        .nth(1)
        .unwrap()
        .split("</select>")
        .next()
        .unwrap();
    assert!(units.contains("value=\"000.00.00.H50\""), "{units}");
    let send = |unit: &'static str, slice: &'static str| {
        vec![
            ("action", "send_agency"),
            ("agency", "000.00.00.H50"),
            ("partner_name_1", "Cho ý kiến liên thông"),
            ("partner_unit_1", unit),
            ("partner_slice_1", slice),
            ("partner_name_2", "Ký văn bản liên thông"),
            ("partner_unit_2", "000.00.00.H50"),
            ("partner_slice_2", "1wd"),
        ]
    };
    // A slice that is not a duration, or a unit of another agency (a division of the
    // Department, under the committee but not the committee's), is a 422.
    for (unit, slice) in [("000.00.00.H50", "ba ngày"), ("000.03.15.H50", "2wd")] {
        let r = act(&app, &mut hung, &id, &send(unit, slice)).await;
        assert_eq!(r.status, 422, "{unit} {slice}: {}", r.body);
    }
    let r = act(&app, &mut hung, &id, &send("000.00.00.H50", "2wd")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.get(&mut hung, &format!("/ho-so/{id}")).await;
    assert!(page.body.contains("data-state=\"at_partner_agency\""), "{}", page.body);
    assert!(
        page.body.contains("data-code=\"4\""),
        "national status 4 during liên thông"
    );
    let history = page.body.split("id=\"history\"").nth(1).unwrap();
    assert!(history.contains("Chuyển liên thông"), "{history}");
    assert!(history.contains("Ủy ban nhân dân tỉnh Quảng Trị"), "{history}");
    // The steps table shows the partner's part, marked liên thông with its agency.
    let steps = page
        .body
        .split("id=\"steps\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert!(
        steps.contains("Cho ý kiến liên thông") && steps.contains("Ký văn bản liên thông"),
        "{steps}"
    );
    assert!(steps.contains("Liên thông: Ủy ban nhân dân tỉnh Quảng Trị"), "{steps}");
    // Only the partner's last step hands the dossier back.
    assert!(!page.body.contains("id=\"form-return-agency\""));
    // While it is away the sender's division does not hold it (403), and a leader of a unit
    // that does not handle it cannot record its return.
    let supplement = [("action", "supplement"), ("component_0", "1"), ("reason", "x")];
    let r = act(&app, &mut hung, &id, &supplement).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let mut hai = app.login("hai", "demo-leader-2026").await;
    let r = act(&app, &mut hai, &id, &[("action", "return_agency")]).await;
    assert_eq!(r.status, 403, "{}", r.body);
    // The partner agency's own specialist claims its first step, hands over to its second and
    // records the return: processing again at the Department's next step (or its decision).
    let committee = motcua_store::identity::get_unit_by_code(app.db.store.db(), "000.00.00.H50")
        .await
        .unwrap()
        .unwrap();
    let admin_id = user_id(&app, "admin").await;
    motcua_store::identity::grant_role(
        &app.db.store,
        &motcua_store::events::Actor::system(),
        chrono::Utc::now(),
        &admin_id,
        motcua_core::identity::Role::Specialist,
        Some(&committee.id),
    )
    .await
    .unwrap();
    let mut partner = app.login("admin", "demo-admin-2026").await;
    let r = act(
        &app,
        &mut hung,
        &id,
        &[("action", "hand_over"), ("receiver", &admin_id)],
    )
    .await;
    assert_eq!(
        r.status, 403,
        "the sender does not hand over the partner's steps: {}",
        r.body
    );
    let r = act(&app, &mut partner, &id, &[("action", "claim")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    // Nobody asks for a supplement at the partner (the sender's step does, 409).
    let r = act(&app, &mut partner, &id, &supplement).await;
    assert_eq!(r.status, 409, "{}", r.body);
    let page = app.get(&mut partner, &format!("/ho-so/{id}")).await;
    let hand_over = page
        .body
        .split("id=\"receiver\"")
        .nth(1)
        .unwrap()
        .split("</select>")
        .next()
        .unwrap();
    assert!(hand_over.contains(&format!("value=\"{admin_id}\"")), "{hand_over}");
    let r = act(
        &app,
        &mut partner,
        &id,
        &[("action", "hand_over"), ("receiver", &admin_id)],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = act(&app, &mut partner, &id, &[("action", "return_agency")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.get(&mut hung, &format!("/ho-so/{id}")).await;
    assert!(page.body.contains("data-code=\"4\""));
    let history = page.body.split("id=\"history\"").nth(1).unwrap();
    assert!(history.contains("Nhận lại hồ sơ liên thông"), "{history}");
    let rec = motcua_store::dossiers::get(app.db.store.db(), &id)
        .await
        .unwrap()
        .unwrap();
    // Mẫu 05 rows: the Department's step 2 went to the committee; the committee's two steps
    // were handed over by its specialist, each with its deadline and verdict.
    let hung_id = user_id(&app, "hung").await;
    assert_eq!(rec.steps[1].giver.as_deref(), Some(hung_id.as_str()));
    assert_eq!(rec.steps[1].receiver.as_deref(), Some("000.00.00.H50"));
    let partner_rows: Vec<_> = rec.steps.iter().filter(|s| s.agency_code.is_some()).collect();
    assert_eq!(partner_rows.len(), 2);
    assert_eq!(partner_rows[0].position, 2);
    for s in &partner_rows {
        assert_eq!(s.agency_code.as_deref(), Some("000.00.00.H50"));
        assert_eq!(s.giver.as_deref(), Some(admin_id.as_str()));
        assert!(
            s.due_at.is_some() && s.started_at.is_some() && s.verdict.is_some(),
            "{s:?}"
        );
    }
    assert_eq!(partner_rows[0].receiver.as_deref(), Some(admin_id.as_str()));
    match rec.steps.get(4) {
        Some(next) => assert_eq!(
            (
                rec.row.state.as_str(),
                rec.row.current_step,
                rec.row.current_unit.as_str()
            ),
            ("processing", 4, next.unit_code.as_str())
        ),
        None => assert_eq!(rec.row.state, "awaiting_decision"),
    }
    // The control slip shows the send, the partner's rows and the return.
    let slip = app.get(&mut hung, &format!("/ho-so/{id}/phieu/kiem-soat.pdf")).await;
    assert_eq!(slip.status, 200);
    let text = pdf_text(&slip.bytes);
    assert_pdf_has(&text, "Chuyển liên thông");
    assert_pdf_has(&text, "Cho ý kiến liên thông");
    assert_pdf_has(&text, "Ký văn bản liên thông");
    assert_pdf_has(&text, "Nhận lại hồ sơ liên thông");
    // One dossier: one row in the ledger.
    let code = rec.row.code.unwrap();
    let today = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
    let q = format!("from={}&to={}", today - chrono::Duration::days(3), today);
    let x = app.get(&mut lan, &format!("/ho-so/so-theo-doi.xlsx?{q}")).await;
    let table = motcua_docs::xlsx::read_table(&x.bytes).unwrap();
    assert_eq!(table.iter().filter(|r| r.get(1) == Some(&code)).count(), 1, "{table:?}");
}

/// Withdrawal by the applicant at the desk, denial and stop by the Department's director, the
/// return of a denial and the desk's evaluation (NĐ 61/2018 Điều 19–20, TT 01/2018 Điều 13;
/// national status 7 withdrawn, 8 stopped, 9 decided, 10 returned).
#[tokio::test]
async fn withdraw_deny_stop_return_and_evaluate_from_the_dossier_page() {
    let app = TestApp::sqlite_demo().await;
    let mut lan = app.login("lan", "demo-clerk-2026").await;
    let state = |id: String| {
        let db = app.db.store.db().clone();
        async move {
            let row = motcua_store::dossiers::get(&db, &id).await.unwrap().unwrap().row;
            (row.state, row.national_status)
        }
    };
    // The applicant withdraws at the desk.
    let (a, _) = received(&app, &mut lan).await;
    let r = act(
        &app,
        &mut lan,
        &a,
        &[("action", "withdraw"), ("reason", "Người nộp xin rút hồ sơ")],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(state(a.clone()).await, ("withdrawn".to_owned(), 7));
    let page = app.get(&mut lan, &format!("/ho-so/{a}")).await;
    assert!(page.body.contains("Người nộp xin rút hồ sơ"), "{}", page.body);
    // A finished dossier takes no further command: 409.
    let r = act(&app, &mut lan, &a, &[("action", "withdraw"), ("reason", "lần nữa")]).await;
    assert_eq!(r.status, 409, "{}", r.body);

    // The director denies at the leadership's step; the desk returns the refusal and records
    // the applicant's evaluation.
    let (b, _) = received(&app, &mut lan).await;
    to_division(&app, &b).await;
    let mut hung = app.login("hung", "demo-specialist-2026").await;
    let binh_id = user_id(&app, "binh").await;
    let r = act(&app, &mut hung, &b, &[("action", "hand_over"), ("receiver", &binh_id)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let mut binh = app.login("binh", "demo-leader-2026").await;
    let r = act(
        &app,
        &mut binh,
        &b,
        &[("action", "deny"), ("reason", "Không đủ điều kiện theo quy định")],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(state(b.clone()).await.1, 9);
    let r = act(
        &app,
        &mut lan,
        &b,
        &[
            ("action", "return"),
            ("method", "counter"),
            ("received_by", "Nguyễn Thị Hương"),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(state(b.clone()).await, ("returned".to_owned(), 10));
    let mut scores: Vec<(String, String)> = (1..=9).map(|i| (format!("score_{i}"), "2".to_owned())).collect();
    scores[2].1 = "1".into();
    let mut fields: Vec<(&str, &str)> = vec![("action", "evaluate")];
    fields.extend(scores.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let r = act(&app, &mut lan, &b, &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let rec = motcua_store::dossiers::get(app.db.store.db(), &b)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rec.dossier.evaluation.map(|e| e.total()), Some(17));
    // Evaluated once only (TT 01/2018 Điều 13): a second evaluation is a 409.
    let r = act(&app, &mut lan, &b, &fields).await;
    assert_eq!(r.status, 409, "{}", r.body);

    // The director stops another dossier (TT 03/2025 notice).
    let (c, _) = received(&app, &mut lan).await;
    to_division(&app, &c).await;
    let r = act(&app, &mut hung, &c, &[("action", "hand_over"), ("receiver", &binh_id)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = act(
        &app,
        &mut binh,
        &c,
        &[("action", "stop"), ("reason", "Cơ quan có thẩm quyền yêu cầu tạm dừng")],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(state(c.clone()).await, ("stopped".to_owned(), 8));
}

/// The clerk records the copy type and number of copies actually handed in when they differ
/// from the procedure's list (the checklist of issue 5 item 1); zero copies is refused.
#[tokio::test]
async fn intake_records_the_copy_type_and_quantity_handed_in() {
    let app = TestApp::sqlite_demo().await;
    let mut lan = app.login("lan", "demo-clerk-2026").await;
    let (procedure, _version, required) = two_unit_procedure(&app).await;
    let desk = Desk {
        app: &app,
        procedure,
        required: required.clone(),
    };
    let first = required[0];
    let (copy, qty) = (format!("copy_{first}"), format!("qty_{first}"));
    let page = app
        .get(&mut lan, &format!("/ho-so/tiep-nhan?procedure={}", desk.procedure))
        .await;
    assert!(page.body.contains(&format!("name=\"{copy}\"")), "{}", page.body);
    let (r, _) = desk
        .submit(&mut lan, "receive", &required, &[(&qty, "0")], &[], None)
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("phải từ 1 trở lên"), "{}", r.body);
    let (r, _) = desk
        .submit(
            &mut lan,
            "receive",
            &required,
            &[(&copy, "certified_copy"), (&qty, "3")],
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id = dossier_id(&r.location());
    let rec = motcua_store::dossiers::get(app.db.store.db(), &id)
        .await
        .unwrap()
        .unwrap();
    let row = rec.components.iter().find(|c| c.position == first as i64).unwrap();
    assert_eq!((row.copy_type.as_str(), row.quantity), ("certified_copy", 3));
}
