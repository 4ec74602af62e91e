//! Tests of the PDF forms: each is rendered, then its text is extracted back with lopdf.

use chrono::{NaiveDate, NaiveDateTime};
use motcua_core::catalog::CopyType;
use motcua_core::dossiers::{FormKind, FormRegime, FormSet, RequestedItem, StepVerdict};

use typst::text::{FontStyle, FontWeight};

use super::*;

const TT01: FormRegime = FormRegime::Tt01_2018;
const TT03: FormRegime = FormRegime::Tt03_2025;

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(h, min, 0))
        .expect("valid date")
}

fn issuer() -> Issuer {
    Issuer {
        agency: "Ủy ban nhân dân tỉnh Quảng Trị".into(),
        unit: "Trung tâm Phục vụ hành chính công tỉnh".into(),
        place: "Đồng Hới".into(),
        date: NaiveDate::from_ymd_opt(2026, 11, 27).expect("valid date"),
    }
}

fn applicant() -> ApplicantInfo {
    ApplicantInfo {
        name: "Nguyễn Thị Hường".into(),
        address: Some("Số 8 đường Trần Hưng Đạo, phường Đồng Hới".into()),
        phone: Some("0912345678".into()),
        email: Some("huong@example.vn".into()),
    }
}

fn signer() -> Signer {
    Signer {
        title: "Giám đốc".into(),
        name: "Trần Văn Đức".into(),
    }
}

const PROCEDURE: &str = "Đăng ký khai sinh";
const CODE: &str = "000.00.15.H50-261127-0001";

fn receipt() -> ReceiptData {
    ReceiptData {
        issuer: issuer(),
        dossier_code: CODE.into(),
        procedure_name: PROCEDURE.into(),
        applicant: applicant(),
        components: vec![
            ReceivedComponent {
                name: "Tờ khai đăng ký khai sinh".into(),
                copy_type: CopyType::Original,
                quantity: 1,
            },
            ReceivedComponent {
                name: "Giấy chứng sinh".into(),
                copy_type: CopyType::CertifiedCopy,
                quantity: 1,
            },
        ],
        sets: 1,
        processing_time: Some("01 ngày làm việc".into()),
        received_at: at(2026, 11, 27, 8, 5),
        appointment_at: at(2026, 11, 30, 16, 30),
        return_place: "Bộ phận Một cửa".into(),
        fees: Some("Miễn lệ phí".into()),
        ledger_book: Some("03".into()),
        ledger_entry: Some("125".into()),
        clerk: "Lê Thị Phượng".into(),
    }
}

fn supplement() -> SupplementData {
    let request_items = [
        RequestedItem {
            name: "Giấy chứng sinh".into(),
            component_index: Some(1),
            note: Some("Bản sao chưa được chứng thực".into()),
            not_in_published_procedure: false,
        },
        RequestedItem {
            name: "Xác nhận cư trú".into(),
            component_index: None,
            note: Some("Thông tin cư trú không khớp với Cơ sở dữ liệu quốc gia về dân cư".into()),
            not_in_published_procedure: true,
        },
    ];
    SupplementData {
        issuer: issuer(),
        number: Some("15".into()),
        dossier_code: Some(CODE.into()),
        procedure_name: PROCEDURE.into(),
        applicant: applicant(),
        items: request_items.iter().map(SupplementItem::from).collect(),
        reason: "Hồ sơ chưa đầy đủ theo quy định".into(),
        published_at: Some("https://dichvucong.gov.vn".into()),
        contact_name: Some("Lê Thị Phượng".into()),
        contact_phone: Some("0232 3822 000".into()),
        guide: "Lê Thị Phượng".into(),
    }
}

fn refusal() -> RefusalData {
    RefusalData {
        issuer: issuer(),
        number: None,
        dossier_code: None,
        procedure_name: PROCEDURE.into(),
        applicant: applicant(),
        reason: "Yêu cầu không thuộc thẩm quyền giải quyết của cơ quan".into(),
        signer: Signer {
            title: "Người tiếp nhận hồ sơ".into(),
            name: "Lê Thị Phượng".into(),
        },
    }
}

fn apology() -> ApologyData {
    ApologyData {
        issuer: issuer(),
        number: Some("07/XL-TTPVHCC".into()),
        dossier_code: CODE.into(),
        procedure_name: PROCEDURE.into(),
        applicant: applicant(),
        received_at: at(2026, 11, 27, 8, 5),
        old_appointment_at: at(2026, 11, 30, 16, 30),
        new_appointment_at: at(2026, 12, 2, 10, 0),
        reason: "Cần xác minh thông tin với cơ quan khác".into(),
        signer: signer(),
    }
}

fn stop_notice() -> StopNoticeData {
    StopNoticeData {
        issuer: issuer(),
        number: Some("02/TB-TTPVHCC".into()),
        dossier_code: CODE.into(),
        procedure_name: PROCEDURE.into(),
        applicant: applicant(),
        received_at: at(2026, 11, 27, 8, 5),
        legal_basis: Some("Nghị định số 118/2025/NĐ-CP".into()),
        reason: "Người nộp không bổ sung hồ sơ trong thời hạn".into(),
        signer: signer(),
    }
}

fn control_slip() -> ControlSlipData {
    ControlSlipData {
        issuer: issuer(),
        dossier_code: CODE.into(),
        applicant: applicant(),
        procedure_name: PROCEDURE.into(),
        received_at: at(2026, 11, 27, 8, 5),
        appointment_at: at(2026, 11, 30, 16, 30),
        lead_agency: "Phòng Văn hóa - Xã hội".into(),
        cooperating_agencies: None,
        rows: vec![
            ControlSlipRow {
                step: "Bộ phận Một cửa chuyển Phòng Văn hóa - Xã hội".into(),
                giver: "Lê Thị Phượng".into(),
                receiver: "Phạm Quốc Hưng".into(),
                handed_over_at: at(2026, 11, 27, 9, 0),
                verdict: Some(StepVerdict::Early),
                note: None,
            },
            ControlSlipRow {
                step: "Thẩm định, trình ký".into(),
                giver: "Phạm Quốc Hưng".into(),
                receiver: "Trần Văn Đức".into(),
                handed_over_at: at(2026, 11, 30, 17, 0),
                verdict: Some(StepVerdict::Late),
                note: Some("Đã xin lỗi".into()),
            },
        ],
    }
}

fn ledger(rows: usize) -> LedgerData {
    LedgerData {
        issuer: issuer(),
        book: Some("03".into()),
        from: NaiveDate::from_ymd_opt(2026, 11, 1).expect("valid date"),
        to: NaiveDate::from_ymd_opt(2026, 11, 30).expect("valid date"),
        rows: (1..=rows)
            .map(|i| LedgerRow {
                dossier_code: format!("000.00.15.H50-261127-{i:04}"),
                procedure_name: PROCEDURE.into(),
                sets: 1,
                applicant_name: format!("Nguyễn Văn Tường {i}"),
                applicant_contact: Some("Đồng Hới, 0912345678".into()),
                lead_agency: Some("Phòng Tư pháp".into()),
                received_at: at(2026, 11, 27, 8, 5),
                appointment_at: Some(at(2026, 11, 30, 16, 30)),
                sent_at: Some(at(2026, 11, 27, 9, 0)),
                result_received_at: None,
                returned_at: None,
                note: (i % 7 == 0).then(|| "Quá hạn".to_string()),
            })
            .collect(),
    }
}

fn all_forms() -> Vec<FormData> {
    vec![
        FormData::Receipt(receipt()),
        FormData::SupplementRequest(supplement()),
        FormData::Refusal(refusal()),
        FormData::Apology(apology()),
        FormData::StopNotice(stop_notice()),
        FormData::ControlSlip(control_slip()),
        FormData::Ledger(ledger(3)),
    ]
}

fn pdf(regime: FormRegime, data: &FormData) -> Vec<u8> {
    match render(&FormSet::of(regime), data) {
        Ok(pdf) => pdf,
        Err(e) => panic!("{:?} under {regime:?}: {e}", data.kind()),
    }
}

/// The PDF's text as extracted through the fonts' ToUnicode maps, without white space, and the
/// number of pages.
///
/// lopdf puts a space around every glyph that Typst positions on its own (e.g. `Nguy ễ n`), so
/// the comparison ignores white space on both sides: letters, diacritics and their order must
/// still match exactly.
fn text_of(pdf: &[u8]) -> (String, usize) {
    let doc = lopdf::Document::load_mem(pdf).expect("a valid PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).expect("extractable text");
    (squash(&text), pages.len())
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[track_caller]
fn assert_has(text: &str, want: &str) {
    assert!(text.contains(&squash(want)), "{want:?} not found in:\n{text}");
}

#[test]
fn every_form_renders_for_both_regimes_with_its_catalogue_title() {
    for regime in [TT01, TT03] {
        let set = FormSet::of(regime);
        for data in all_forms() {
            let kind = data.kind();
            let Some(form) = set.form(kind) else {
                assert_eq!(render(&set, &data), Err(PdfError::FormNotInRegime { kind, regime }));
                continue;
            };
            let bytes = pdf(regime, &data);
            assert!(bytes.starts_with(b"%PDF-"));
            let (text, _) = text_of(&bytes);
            assert_has(&text, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
            assert_has(&text, "Độc lập - Tự do - Hạnh phúc");
            assert_has(&text, "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ");
            assert_has(&text, "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH");
            assert_has(&text, &format!("Mẫu số {:02}", form.number));
            assert_has(&text, &form.title_vi.to_uppercase());
        }
    }
}

#[test]
fn receipt_text_is_extractable_with_vietnamese_diacritics() {
    let (text, pages) = text_of(&pdf(TT01, &FormData::Receipt(receipt())));
    assert_eq!(pages, 1);
    for want in [
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Mã hồ sơ: 000.00.15.H50-261127-0001",
        "Nguyễn Thị Hường",
        "Số 8 đường Trần Hưng Đạo, phường Đồng Hới",
        "Tờ khai đăng ký khai sinh",
        "Bản sao chứng thực",
        "08 giờ 05 phút, ngày 27 tháng 11 năm 2026",
        "16 giờ 30 phút, ngày 30 tháng 11 năm 2026",
        "Đồng Hới, ngày 27 tháng 11 năm 2026",
        "Quyển số: 03, Số thứ tự: 125",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Lê Thị Phượng",
    ] {
        assert_has(&text, want);
    }
}

#[test]
fn regime_decides_number_and_wording() {
    let (t01, _) = text_of(&pdf(TT01, &FormData::Apology(apology())));
    assert_has(&t01, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ");
    assert_has(&t01, "hẹn lại thời gian trả kết quả");
    assert_has(&t01, "10 giờ 00 phút, ngày 02 tháng 12 năm 2026");
    let (t03, _) = text_of(&pdf(TT03, &FormData::Apology(apology())));
    assert_has(&t03, "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT");
    assert_has(&t03, "gia hạn thời gian giải quyết hồ sơ đến");

    let slip = FormData::ControlSlip(control_slip());
    let (s01, _) = text_of(&pdf(TT01, &slip));
    let (s03, _) = text_of(&pdf(TT03, &slip));
    assert_has(&s01, "Mẫu số 05");
    assert_has(&s03, "Mẫu số 06");
    for t in [&s01, &s03] {
        assert_has(t, "Trước hạn");
        assert_has(t, "Quá hạn");
        assert_has(t, "Người nhận: Phạm Quốc Hưng");
    }

    // The set is chosen by the receipt date.
    let before = FormSet::for_receipt(NaiveDate::from_ymd_opt(2025, 6, 30).expect("date"));
    let from = FormSet::for_receipt(NaiveDate::from_ymd_opt(2025, 7, 1).expect("date"));
    let stop = FormData::StopNotice(stop_notice());
    assert_eq!(render(&before, &stop).map_err(|e| e.code()), Err("form_not_in_regime"));
    let (t, _) = text_of(&render(&from, &stop).expect("stop notice under TT 03/2025"));
    assert_has(&t, "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ");
    assert_has(&t, "Căn cứ Nghị định số 118/2025/NĐ-CP");
}

#[test]
fn markup_characters_in_data_print_literally() {
    let hostile = r#"Lê #set text(size: 40pt) $x^2$ *đậm* _nghiêng_ ] [ \ #panic("x") <nhãn> @ref // chú thích"#;
    let mut r = receipt();
    r.applicant.name = hostile.into();
    r.procedure_name = "#import \"/data.json\" ]) } #{".into();
    r.components[0].name = "= Tiêu đề\n- mục $ \\".into();
    let (text, _) = text_of(&pdf(TT01, &FormData::Receipt(r)));
    assert_has(&text, hostile);
    assert_has(&text, "#import \"/data.json\" ]) } #{");
    assert_has(&text, "= Tiêu đề - mục $ \\");
}

#[test]
fn supplement_prints_justification_but_never_the_inspection_mark() {
    let data = FormData::SupplementRequest(supplement());
    let json = serde_json::to_string(&data).expect("json");
    assert!(!json.contains("not_in_published"), "{json}");
    let (text, _) = text_of(&pdf(TT01, &data));
    assert_has(&text, "Số: 15/HDHS");
    assert_has(&text, "Xác nhận cư trú");
    assert_has(
        &text,
        "Căn cứ yêu cầu: Thông tin cư trú không khớp với Cơ sở dữ liệu quốc gia về dân cư",
    );
    assert_has(&text, "Bản sao chưa được chứng thực");
    assert_has(&text, "NGƯỜI HƯỚNG DẪN");
    let lower = text.to_lowercase();
    for banned in ["công bố", "không có trong", "published", "ngoài danh mục"] {
        assert!(!lower.contains(&squash(banned)), "{banned:?} printed:\n{text}");
    }
}

#[test]
fn refusal_states_the_reason() {
    let (text, _) = text_of(&pdf(TT03, &FormData::Refusal(refusal())));
    assert_has(&text, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ");
    assert_has(&text, "Yêu cầu không thuộc thẩm quyền giải quyết của cơ quan");
}

#[test]
fn ledger_of_200_rows_renders_on_several_pages() {
    let (text, pages) = text_of(&pdf(TT01, &FormData::Ledger(ledger(200))));
    assert!(pages >= 5, "{pages} pages");
    assert_has(&text, "SỔ THEO DÕI HỒ SƠ");
    assert_has(&text, "000.00.15.H50-261127-0001");
    assert_has(&text, "000.00.15.H50-261127-0200");
    assert_has(&text, "Nguyễn Văn Tường 200");
    assert_has(&text, "Từ ngày 01 tháng 11 năm 2026 đến ngày 30 tháng 11 năm 2026");
}

#[test]
fn too_many_rows_is_an_error_not_a_hang() {
    let mut l = ledger(1);
    let row = l.rows[0].clone();
    l.rows = vec![row; MAX_ROWS + 1];
    let e = render(&FormSet::of(TT01), &FormData::Ledger(l)).expect_err("too many rows");
    assert_eq!(e.code(), "too_many_rows");
    assert!(e.message_vi().contains("dòng"));
    assert!(e.message_en().contains("rows"));
}

#[test]
fn embedded_serif_covers_vietnamese_and_is_the_fallback() {
    let env = world::env();
    assert!(env.families.contains(&"Libertinus Serif"));
    let letters = "ăâđêôơưĂÂĐÊÔƠƯàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ\
                   ÀẢÃÁẠẰẲẴẮẶẦẨẪẤẬÈẺẼÉẸỀỂỄẾỆÌỈĨÍỊÒỎÕÓỌỒỔỖỐỘỜỞỠỚỢÙỦŨÚỤỪỬỮỨỰỲỶỸÝỴ";
    let book = env.book();
    // The templates use regular, bold and italic; Libertinus' bold italic lacks ơ and ư.
    let libertinus: Vec<_> = (0..env.fonts().len())
        .filter_map(|i| book.info(i))
        .filter(|f| f.family == "Libertinus Serif")
        .filter(|f| {
            let v = f.variant;
            (v.style == FontStyle::Normal && [FontWeight::REGULAR, FontWeight::BOLD].contains(&v.weight))
                || (v.style == FontStyle::Italic && v.weight == FontWeight::REGULAR)
        })
        .collect();
    assert_eq!(libertinus.len(), 3);
    for info in libertinus {
        for c in letters.chars() {
            assert!(info.coverage.contains(c as u32), "{c} missing in {info:?}");
        }
    }
    assert!(["Liberation Serif", "Libertinus Serif"].contains(&font_family()));
}

#[test]
fn repeated_renders_reuse_the_environment() {
    let data = FormData::Refusal(refusal());
    let first = pdf(TT01, &data);
    let started = std::time::Instant::now();
    let second = pdf(TT01, &data);
    assert_eq!(first, second, "output is deterministic");
    // Generous bound for a debug build on a busy machine; the point is "no font reload".
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn error_codes_and_messages() {
    let e = PdfError::FormNotInRegime {
        kind: FormKind::StopNotice,
        regime: TT01,
    };
    assert_eq!(e.code(), "form_not_in_regime");
    assert!(e.message_vi().contains("01/2018/TT-VPCP"));
    assert!(e.message_en().contains("01/2018/TT-VPCP"));
    for e in [
        PdfError::Template { message: "x".into() },
        PdfError::Export { message: "x".into() },
    ] {
        assert!(!e.code().is_empty() && !e.message_vi().is_empty() && !e.message_en().is_empty());
    }
}
