//! The demo catalog: the 29 procedures of the shared sample (public portals), completed with the
//! parts the sample does not carry — steps, dossier components with their form templates, the
//! result, and an internal workflow per channel whose slices add up to the time limit — and
//! brought into force the way a province does it: through publication decisions.
//!
//! * QĐ 1268/QĐ-UBND (20/6/2025) announces all of them, effective 1/7/2025: on time for
//!   indicator 1.1 (latest 24/6/2025) and made public on time (25/6/2025) for 1.2.
//! * QĐ 415/QĐ-UBND (27/2/2026) amends two procedures and abolishes one from 1/3/2026: signed
//!   late (1.1) and made public late (10/3/2026, 1.2).
//! * A draft amendment of the X-ray licence in a draft decision whose effective date is seven
//!   working days after the day the demo is loaded, so the dashboard warns before the deadline.
//!
//! The texts of components, steps and forms are typical of the Department's published
//! procedures, written here for the demo; they are not a legal source.

use chrono::NaiveDate;
use motcua_core::calendar::Duration;
use motcua_core::catalog::{
    Channel, Component, CopyType, Decision, DecisionItem, FormTemplate, ItemKind, LegalDocument, Level,
    ProcedureVersion, Requirement, ResultSpec, Step, WORKING_HOURS_PER_DAY, WorkflowStep, import_csv_bytes,
    step_working_days,
};
use motcua_core::identity::UnitCode;
use motcua_store::events::Actor;
use motcua_store::{Store, StoreError, catalog, decisions};

/// The one-stop desk of the Department at the Service Centre (receives and returns).
pub const DESK: &str = "000.05.15.H50";
/// The Department's leadership (approves).
pub const LEADERSHIP: &str = "000.00.15.H50";

/// The unit that appraises dossiers of a field.
pub fn appraising_unit(field: &str) -> &'static str {
    let f = motcua_core::catalog::fold(field);
    if f.contains("tieu chuan") || f.contains("do luong") {
        "000.04.15.H50"
    } else if f.contains("hoat dong khoa hoc") || f.contains("khoa hoc - cong nghe") || f.contains("khoa hoc cong nghe")
    {
        "000.02.15.H50"
    } else {
        "000.03.15.H50"
    }
}

fn unit(code: &str) -> UnitCode {
    // Only called with the constants of this module and of the demo's units.
    UnitCode::parse(code).expect("demo unit codes are valid")
}

/// Internal workflow for a time limit in working time: receive (4 h) and return (4 h) at the
/// desk, approval (1 day) by the leadership, appraisal gets the rest. Short limits get a lighter
/// split. `None` for limits in calendar days or months, which working-time slices cannot sum to.
pub fn workflow(limit: Duration, field: &str) -> Option<Vec<WorkflowStep>> {
    const PER_DAY: u32 = WORKING_HOURS_PER_DAY as u32;
    let hours = match limit {
        Duration::WorkingDays(n) => n * PER_DAY,
        Duration::WorkingHours(n) => n,
        Duration::Days(_) | Duration::Months(_) => return None,
    };
    let step = |name: &str, u: &str, h: u32| WorkflowStep {
        name: name.into(),
        unit_code: unit(u),
        slice: if h.is_multiple_of(PER_DAY) {
            Duration::WorkingDays(h / PER_DAY)
        } else {
            Duration::WorkingHours(h)
        },
    };
    let appraiser = appraising_unit(field);
    Some(if hours >= 24 {
        vec![
            step("Tiếp nhận, chuyển hồ sơ", DESK, 4),
            step("Thẩm định hồ sơ, trình phê duyệt", appraiser, hours - 16),
            step("Lãnh đạo Sở phê duyệt", LEADERSHIP, 8),
            step("Trả kết quả", DESK, 4),
        ]
    } else if hours >= 4 {
        vec![
            step("Tiếp nhận, chuyển hồ sơ", DESK, 1),
            step("Thẩm định, phê duyệt", appraiser, hours - 2),
            step("Trả kết quả", DESK, 1),
        ]
    } else {
        vec![step("Tiếp nhận và giải quyết", DESK, hours)]
    })
}

/// What the result of a procedure is called, from its name ("cấp Giấy chứng nhận …" gives the
/// certificate; otherwise a written answer).
pub fn result_name(name: &str) -> String {
    for key in [
        "Giấy chứng nhận",
        "Giấy phép",
        "Chứng chỉ",
        "Giấy xác nhận",
        "Quyết định",
    ] {
        if let Some(i) = name.find(key) {
            return name[i..].trim_end_matches('.').to_owned();
        }
    }
    "Văn bản thông báo kết quả giải quyết thủ tục hành chính".into()
}

/// Complete a sample procedure with the parts the shared CSV does not carry.
pub fn enrich(mut v: ProcedureVersion) -> ProcedureVersion {
    let code = v
        .national_code
        .as_ref()
        .map(|c| c.as_str().to_owned())
        .unwrap_or_else(|| "moi".into());
    let form_file = format!("mau-don-{code}.docx");
    if v.steps.is_empty() {
        v.steps = vec![
            Step {
                title: "Bước 1: Nộp hồ sơ".into(),
                description: "Tổ chức, cá nhân nộp hồ sơ trực tiếp hoặc qua dịch vụ bưu chính công ích tại Trung tâm \
                              Phục vụ hành chính công tỉnh Quảng Trị, hoặc trực tuyến trên Cổng Dịch vụ công quốc gia."
                    .into(),
            },
            Step {
                title: "Bước 2: Tiếp nhận, kiểm tra hồ sơ".into(),
                description: "Công chức Bộ phận Một cửa kiểm tra tính đầy đủ, hợp lệ; hồ sơ chưa đầy đủ được hướng \
                              dẫn bổ sung một lần bằng Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."
                    .into(),
            },
            Step {
                title: "Bước 3: Thẩm định, giải quyết".into(),
                description: "Phòng chuyên môn thuộc Sở Khoa học và Công nghệ thẩm định hồ sơ, trình Lãnh đạo Sở xem \
                              xét, quyết định."
                    .into(),
            },
            Step {
                title: "Bước 4: Trả kết quả".into(),
                description:
                    "Trả kết quả tại Trung tâm Phục vụ hành chính công, qua bưu chính công ích hoặc trên Cổng \
                              Dịch vụ công theo lựa chọn của người nộp hồ sơ."
                        .into(),
            },
        ];
    }
    if v.components.is_empty() {
        v.components = vec![
            Component {
                name: "Đơn đề nghị (theo mẫu)".into(),
                copy_type: CopyType::Original,
                quantity: 1,
                requirement: Requirement::Required,
                condition: None,
                form: Some(form_file.clone()),
                variants: vec![],
            },
            Component {
                name: "Tài liệu chứng minh đáp ứng điều kiện theo quy định".into(),
                copy_type: CopyType::Copy,
                quantity: 1,
                requirement: Requirement::Required,
                condition: None,
                form: None,
                variants: vec![],
            },
            Component {
                name: "Văn bản ủy quyền".into(),
                copy_type: CopyType::Original,
                quantity: 1,
                requirement: Requirement::Conditional,
                condition: Some("Khi người nộp hồ sơ không phải là người đại diện theo pháp luật".into()),
                form: None,
                variants: vec![],
            },
        ];
    }
    if v.forms.is_empty() {
        v.forms = vec![FormTemplate {
            file: form_file,
            title: format!("Mẫu đơn đề nghị — {}", v.name),
            issued_by: v.legal_basis.first().map(|l| l.title.clone()),
        }];
    }
    if v.results.is_empty() {
        v.results = vec![ResultSpec {
            name: result_name(&v.name),
            template: None,
            validity: None,
        }];
    }
    if v.subjects.is_empty() {
        v.subjects = vec!["Tổ chức".into(), "Cá nhân".into()];
    }
    if v.implementing_units.is_empty() {
        v.implementing_units = vec![unit(appraising_unit(&v.field))];
    }
    let field = v.field.clone();
    for ch in &mut v.channels {
        if ch.workflow.is_empty()
            && !ch.same_day
            && let Some(limit) = ch.time_limit
            && let Some(w) = workflow(limit, &field)
        {
            ch.workflow = w;
        }
    }
    v
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

/// What the demo catalog loaded.
#[derive(Debug, Default)]
pub struct DemoCatalog {
    pub procedures: usize,
    pub decisions: usize,
}

fn at(day: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    // 09:00 in Vietnam.
    day.and_hms_opt(2, 0, 0).unwrap_or_default().and_utc()
}

/// Load the demo catalog and its decisions. `today` places the draft decision's deadline.
pub async fn seed(store: &Store, bytes: &[u8], today: NaiveDate) -> Result<DemoCatalog, StoreError> {
    let officer = Actor {
        id: "system".into(),
        role: "control_officer".into(),
        unit: "000.01.15.H50".into(),
    };
    let report = import_csv_bytes(bytes);
    let mut ids = Vec::new();
    for row in report.rows.into_iter().filter(|r| r.valid) {
        let v = enrich(row.draft);
        let saved = catalog::save_draft(store, &officer, at(d(2025, 6, 10)), None, catalog::input_of(&v)).await?;
        ids.push((saved.procedure_id, v));
    }
    let province = |title: &str, basis: Vec<LegalDocument>, items: Vec<DecisionItem>| Decision {
        number: String::new(),
        signed_on: None,
        signer: String::new(),
        issuer: "Chủ tịch Ủy ban nhân dân tỉnh Quảng Trị".into(),
        level: Level::Province,
        title: title.into(),
        legal_basis: basis,
        items,
    };
    let item = |kind, id: &str, eff| DecisionItem {
        kind,
        procedure: id.to_owned(),
        effective_from: eff,
        made_public_on: None,
    };
    // 1. On time: everything, effective 1/7/2025.
    let eff1 = d(2025, 7, 1);
    let d1 = decisions::save_draft(
        store,
        &officer,
        at(d(2025, 6, 16)),
        None,
        province(
            "Công bố danh mục thủ tục hành chính thuộc phạm vi chức năng quản lý của Sở Khoa học và Công nghệ tỉnh Quảng Trị",
            vec![LegalDocument {
                number: Some("63/2010/NĐ-CP".into()),
                title: "Nghị định 63/2010/NĐ-CP về kiểm soát thủ tục hành chính".into(),
                date: Some(d(2010, 6, 8)),
                issuer: Some("Chính phủ".into()),
            }],
            ids.iter().map(|(id, _)| item(ItemKind::New, id, eff1)).collect(),
        ),
    )
    .await?;
    decisions::issue(
        store,
        &officer,
        at(d(2025, 6, 20)),
        &d1.id,
        "1268/QĐ-UBND",
        d(2025, 6, 20),
        "Phó Chủ tịch UBND tỉnh Hoàng Nam",
    )
    .await?;
    decisions::record_made_public(store, &officer, at(d(2025, 6, 25)), &d1.id, &[], d(2025, 6, 25)).await?;

    // 2. Late: two amendments and one abolition from 1/3/2026, signed 27/2, public 10/3.
    let eff2 = d(2026, 3, 1);
    let mut items = Vec::new();
    for (id, v) in ids.iter().filter(|(_, v)| v.field.contains("Sở hữu trí tuệ")).take(2) {
        let mut next = v.clone();
        next.legal_basis.push(LegalDocument {
            number: Some("15/2026/QĐ-UBND".into()),
            title: "Quyết định 15/2026/QĐ-UBND quy định quy trình nội bộ giải quyết thủ tục hành chính".into(),
            date: Some(d(2026, 1, 20)),
            issuer: Some("UBND tỉnh Quảng Trị".into()),
        });
        next.conditions
            .push("Hồ sơ nộp trực tuyến phải ký số theo quy định về giao dịch điện tử.".into());
        catalog::save_draft(store, &officer, at(d(2026, 2, 2)), Some(id), catalog::input_of(&next)).await?;
        items.push(item(ItemKind::Amended, id, eff2));
    }
    if let Some((id, _)) = ids
        .iter()
        .rev()
        .find(|(_, v)| v.field.contains("Chuyển giao công nghệ"))
    {
        items.push(item(ItemKind::Abolished, id, eff2));
    }
    let d2 = decisions::save_draft(
        store,
        &officer,
        at(d(2026, 2, 23)),
        None,
        province(
            "Công bố thủ tục hành chính được sửa đổi, bổ sung và bị bãi bỏ lĩnh vực sở hữu trí tuệ, chuyển giao công nghệ",
            vec![LegalDocument {
                number: Some("15/2026/QĐ-UBND".into()),
                title: "Quyết định 15/2026/QĐ-UBND".into(),
                date: Some(d(2026, 1, 20)),
                issuer: Some("UBND tỉnh Quảng Trị".into()),
            }],
            items,
        ),
    )
    .await?;
    decisions::issue(
        store,
        &officer,
        at(d(2026, 2, 27)),
        &d2.id,
        "415/QĐ-UBND",
        d(2026, 2, 27),
        "Phó Chủ tịch UBND tỉnh Hoàng Nam",
    )
    .await?;
    decisions::record_made_public(store, &officer, at(d(2026, 3, 10)), &d2.id, &[], d(2026, 3, 10)).await?;

    // 3. A draft amendment in a draft decision, effective seven working days from today.
    let weekdays = |x: NaiveDate| {
        use chrono::Datelike;
        !matches!(x.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun)
    };
    let eff3 = step_working_days(&weekdays, today, 7, false).unwrap_or(today);
    let target = ids
        .iter()
        .find(|(_, v)| motcua_core::catalog::fold(&v.name).contains("x-quang"))
        .or_else(|| ids.iter().find(|(_, v)| v.field.contains("Năng lượng nguyên tử")))
        .or(ids.first());
    if let Some((id, v)) = target {
        let mut next = v.clone();
        next.notes = format!(
            "{} Từ ngày {}, hồ sơ nộp trực tuyến được giảm 50% phí thẩm định theo nghị quyết của HĐND tỉnh.",
            next.notes,
            eff3.format("%d/%m/%Y")
        )
        .trim()
        .to_owned();
        if let Some(online) = next.channels.iter_mut().find(|c| c.channel == Channel::Online) {
            for fee in &mut online.fees {
                fee.amount = fee.amount.map(|a| a / 2);
            }
        }
        catalog::save_draft(store, &officer, at(today), Some(id), catalog::input_of(&next)).await?;
        decisions::save_draft(
            store,
            &officer,
            at(today),
            None,
            province(
                "Công bố thủ tục hành chính được sửa đổi, bổ sung lĩnh vực năng lượng nguyên tử, an toàn bức xạ và hạt nhân",
                vec![],
                vec![item(ItemKind::Amended, id, eff3)],
            ),
        )
        .await?;
    }
    Ok(DemoCatalog {
        procedures: ids.len(),
        decisions: 3,
    })
}
