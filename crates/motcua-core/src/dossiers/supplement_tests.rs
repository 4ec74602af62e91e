//! Tests of supplement requests (legal-facts §1.2, §12 items 3 and 14).

use super::*;
use crate::dossiers::fixtures::xray;

fn draft(items: Vec<SupplementItemDraft>) -> SupplementDraft {
    SupplementDraft {
        items,
        reason: "Giấy chứng nhận kiểm định đã hết hạn".into(),
        repeat_reason: None,
    }
}

#[test]
fn published_component_by_name_or_index_journey_2() {
    let v = xray();
    let r = draft(vec![SupplementItemDraft::Component {
        component: ComponentRef::Name("Giấy chứng nhận kiểm định thiết bị".into()),
        note: Some("hết hạn".into()),
    }])
    .validate(&v, 0)
    .unwrap();
    assert_eq!(r.number, 1);
    assert!(!r.repeated_request);
    assert_eq!(r.items[0].component_index, Some(1));
    assert!(!r.not_in_published_procedure());

    let by_index = draft(vec![SupplementItemDraft::Component {
        component: ComponentRef::Index(1),
        note: None,
    }])
    .validate(&v, 0)
    .unwrap();
    assert_eq!(by_index.items[0].name, "Giấy chứng nhận kiểm định thiết bị");
}

#[test]
fn other_item_needs_justification_and_is_marked_nd63_2010_dieu_6() {
    let v = xray();
    let no_just = draft(vec![SupplementItemDraft::Other {
        name: "Sơ đồ mặt bằng phòng chụp".into(),
        justification: "  ".into(),
    }]);
    assert_eq!(
        no_just.validate(&v, 0).unwrap_err().code(),
        "other_item_needs_justification"
    );
    let ok = draft(vec![SupplementItemDraft::Other {
        name: "Sơ đồ mặt bằng phòng chụp".into(),
        justification: "Cần xác định vùng kiểm soát theo TT 13/2014/TT-BKHCN".into(),
    }])
    .validate(&v, 0)
    .unwrap();
    assert!(ok.items[0].not_in_published_procedure);
    assert!(ok.not_in_published_procedure());
    assert_eq!(ok.items[0].component_index, None);
}

#[test]
fn second_request_needs_written_reason_and_is_marked_repeated_766_chi_so_2_1() {
    let v = xray();
    let mut d = draft(vec![SupplementItemDraft::Component {
        component: ComponentRef::Index(0),
        note: None,
    }]);
    let e = d.validate(&v, 1).unwrap_err();
    assert_eq!(e.code(), "repeat_supplement_needs_reason");
    assert!(e.message_vi().contains("lần thứ hai"));
    d.repeat_reason = Some("Đơn ký sai người đại diện theo pháp luật".into());
    let r = d.validate(&v, 1).unwrap();
    assert!(r.repeated_request);
    assert_eq!(r.number, 2);
}

#[test]
fn malformed_requests() {
    let v = xray();
    assert_eq!(draft(vec![]).validate(&v, 0).unwrap_err().code(), "supplement_empty");
    let mut d = draft(vec![SupplementItemDraft::Component {
        component: ComponentRef::Index(9),
        note: None,
    }]);
    assert_eq!(d.validate(&v, 0).unwrap_err().code(), "component_unknown");
    d.items = vec![SupplementItemDraft::Component {
        component: ComponentRef::Name("Không có".into()),
        note: None,
    }];
    assert_eq!(d.validate(&v, 0).unwrap_err().code(), "component_unknown");
    d.items = vec![
        SupplementItemDraft::Component {
            component: ComponentRef::Index(0),
            note: None,
        },
        SupplementItemDraft::Component {
            component: ComponentRef::Name("Đơn đề nghị cấp giấy phép".into()),
            note: None,
        },
    ];
    assert_eq!(d.validate(&v, 0).unwrap_err().code(), "component_duplicate");
    d.items.truncate(1);
    d.reason = String::new();
    assert_eq!(d.validate(&v, 0).unwrap_err().code(), "supplement_reason_empty");
    d.reason = "x".into();
    d.items = vec![SupplementItemDraft::Other {
        name: "".into(),
        justification: "x".into(),
    }];
    assert_eq!(d.validate(&v, 0).unwrap_err().code(), "other_item_name_empty");
}
