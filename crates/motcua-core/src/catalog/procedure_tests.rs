//! Tests of the procedure record and its checks (NĐ 63/2010 Điều 8 khoản 2; legal-facts §12
//! items 4 and 8).

use super::*;
use crate::calendar::Duration;
use crate::identity::UnitCode;

fn unit(s: &str) -> UnitCode {
    UnitCode::parse(s).unwrap()
}

fn step(name: &str, u: &str, slice: Duration) -> WorkflowStep {
    WorkflowStep {
        name: name.into(),
        unit_code: unit(u),
        slice,
    }
}

fn component(name: &str, variants: &[&str]) -> Component {
    Component {
        name: name.into(),
        copy_type: CopyType::Original,
        quantity: 1,
        requirement: if variants.is_empty() {
            Requirement::Required
        } else {
            Requirement::Conditional
        },
        condition: None,
        form: None,
        variants: variants.iter().map(|s| s.to_string()).collect(),
    }
}

fn fee(name: &str, amount: u64, variants: &[&str]) -> Fee {
    Fee {
        name: name.into(),
        kind: FeeKind::Fee,
        amount: Some(amount),
        text: String::new(),
        variants: variants.iter().map(|s| s.to_string()).collect(),
    }
}

/// A realistic version: cấp giấy phép X-quang, 10 working days at the counter, 8 online.
fn sample() -> ProcedureVersion {
    ProcedureVersion {
        national_code: Some(NationalCode::parse("1.000173").unwrap()),
        applied_code: Some(AppliedCode::parse("1.000173.000.00.00.H50").unwrap()),
        name: "Cấp giấy phép tiến hành công việc bức xạ - Sử dụng thiết bị X-quang chẩn đoán trong y tế".into(),
        field: "Năng lượng nguyên tử, an toàn bức xạ và hạt nhân".into(),
        level: Some(Level::Province),
        steps: vec![Step {
            title: "Bước 1".into(),
            description: "Nộp hồ sơ tại Trung tâm PVHCC".into(),
        }],
        channels: vec![
            ChannelSpec {
                channel: Channel::InPerson,
                time_limit: Some(Duration::WorkingDays(10)),
                same_day: false,
                fees: vec![
                    fee("Phí thẩm định: chụp răng", 2_000_000, &["rang"]),
                    fee("Phí thẩm định: CT", 8_000_000, &["ct"]),
                ],
                workflow: vec![
                    step("Tiếp nhận", "000.00.15.H50", Duration::WorkingHours(4)),
                    step("Thẩm định", "000.00.15.H50", Duration::WorkingDays(8)),
                    step("Ký duyệt", "000.00.00.H50", Duration::WorkingHours(12)),
                ],
            },
            ChannelSpec {
                channel: Channel::Online,
                time_limit: Some(Duration::WorkingDays(8)),
                same_day: false,
                fees: vec![fee("Phí thẩm định: chụp răng", 1_800_000, &["rang"])],
                workflow: vec![],
            },
        ],
        components: vec![
            component("Đơn đề nghị cấp giấy phép", &[]),
            component("Bản sao chứng chỉ nhân viên bức xạ", &["rang"]),
        ],
        variants: vec![
            CaseVariant {
                id: "rang".into(),
                name: "X-quang chụp răng".into(),
            },
            CaseVariant {
                id: "ct".into(),
                name: "CT Scanner".into(),
            },
        ],
        subjects: vec!["Tổ chức".into()],
        agency: "Sở Khoa học và Công nghệ".into(),
        online_level: Some(OnlineLevel::Full),
        full_online_eligible: true,
        ..Default::default()
    }
}

fn codes(v: &ProcedureVersion) -> Vec<String> {
    v.validate()
        .into_iter()
        .map(|p| format!("{} {}", p.path, p.code))
        .collect()
}

#[test]
fn a_complete_sample_is_valid() {
    assert_eq!(codes(&sample()), Vec::<String>::new());
}

#[test]
fn serde_round_trip_with_channel_durations() {
    let v = sample();
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["channels"][0]["time_limit"], "10wd");
    assert_eq!(json["channels"][1]["channel"], "online");
    assert_eq!(json["applied_code"], "1.000173.000.00.00.H50");
    let back: ProcedureVersion = serde_json::from_value(json).unwrap();
    assert_eq!(back, v);
}

#[test]
fn kenh_thuc_hien_codes_1_2_3() {
    // National KenhThucHien codes (legal-facts §3.3 indicator 3.3).
    for c in Channel::ALL {
        assert_eq!(Channel::from_code(c.code()), Some(c));
    }
    assert_eq!(Channel::Postal.code(), 3);
    assert_eq!(Channel::from_code(4), None);
}

#[test]
fn workflow_slices_must_add_up_legal_facts_12_item_4() {
    let mut v = sample();
    v.channels[0].workflow[1].slice = Duration::WorkingDays(7);
    let p = v.validate();
    assert_eq!(p.len(), 1);
    assert_eq!(
        (p[0].path.as_str(), p[0].code.as_str()),
        ("channels[0].workflow", "workflow_sum_mismatch")
    );
    assert!(
        p[0].message_vi.contains("(9wd)") && p[0].message_vi.contains("10wd"),
        "{}",
        p[0].message_vi
    );
    assert!(p[0].message_en.contains("channels[0].workflow"));
    // Calendar days cannot be added to working days.
    let mut v = sample();
    v.channels[0].workflow[0].slice = Duration::Days(1);
    assert_eq!(codes(&v), ["channels[0].workflow[0].slice workflow_unit_mismatch"]);
    // Same unit, exact sum.
    let mut v = sample();
    v.channels[1].time_limit = Some(Duration::Days(30));
    v.channels[1].workflow = vec![
        step("A", "H50", Duration::Days(10)),
        step("B", "H50", Duration::Days(20)),
    ];
    assert!(v.validate().is_empty());
    v.channels[1].time_limit = None;
    assert_eq!(codes(&v), ["channels[1].workflow workflow_without_time_limit"]);
}

#[test]
fn unknown_variants_are_reported() {
    let mut v = sample();
    v.components[1].variants.push("vu".into());
    v.channels[1].fees[0].variants = vec!["pet".into()];
    v.variants.push(CaseVariant {
        id: "rang".into(),
        name: "trùng".into(),
    });
    assert_eq!(
        codes(&v),
        [
            "variants[2].id variant_duplicate",
            "components[1].variants[1] variant_unknown",
            "channels[1].fees[0].variants[0] variant_unknown",
        ]
    );
    let p = v.validate();
    assert!(p[1].message_vi.contains("\"vu\""));
    assert!(p[1].message_en.contains("components[1].variants[1]"));
}

#[test]
fn other_checks() {
    let mut v = sample();
    v.name = "  ".into();
    v.applied_code = Some(AppliedCode::parse("1.003542.H50").unwrap());
    v.components[0].quantity = 0;
    v.components[0].form = Some("mau-01.docx".into());
    v.channels[1].channel = Channel::InPerson;
    v.full_online_eligible = false;
    v.legal_basis.push(LegalDocument {
        number: None,
        title: String::new(),
        date: None,
        issuer: None,
    });
    assert_eq!(
        codes(&v),
        [
            "name name_empty",
            "applied_code applied_code_mismatch",
            "components[0].quantity component_quantity_zero",
            "components[0].form form_unknown",
            "channels[1].channel channel_duplicate",
            "full_online_eligible full_online_not_eligible",
            "channels online_channel_missing",
            "legal_basis[0] legal_basis_empty",
        ]
    );
    let p = v.validate();
    assert!(p.iter().all(|p| !p.message_vi.is_empty() && !p.message_en.is_empty()));
    assert_eq!(p[5].severity, crate::catalog::Severity::Warning);
}

#[test]
fn case_variants_switch_components_and_fees() {
    let v = sample();
    assert_eq!(v.components_for(None).len(), 1);
    assert_eq!(v.components_for(Some("rang")).len(), 2);
    assert_eq!(v.components_for(Some("ct")).len(), 1);
    assert_eq!(v.fee_total(Channel::InPerson, Some("ct")), 8_000_000);
    assert_eq!(v.fee_total(Channel::Online, Some("rang")), 1_800_000);
    assert_eq!(v.fee_total(Channel::Postal, Some("rang")), 0);
    assert_eq!(v.fees_for(Channel::InPerson, None).len(), 0);
}
