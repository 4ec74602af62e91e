//! Tests of the intake checklist (NĐ 61/2018 Điều 16; legal-facts §1.2, §12 item 2).

use super::*;
use crate::dossiers::fixtures::xray;

#[test]
fn variant_switches_components_and_fees_journey_1() {
    let v = xray();
    let c = checklist(&v, Channel::InPerson, Some("moi")).unwrap();
    let names: Vec<&str> = c.items.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Đơn đề nghị cấp giấy phép",
            "Giấy chứng nhận kiểm định thiết bị",
            "Chứng chỉ đào tạo của người phụ trách an toàn bức xạ",
            "Báo cáo đánh giá an toàn (nếu có)",
        ]
    );
    assert_eq!(c.items[2].index, 2);
    assert_eq!(c.fees.len(), 3);
    assert_eq!(c.fee_total, 2_150_000);
    assert_eq!(c.fees[2].amount, None);

    let g = checklist(&v, Channel::InPerson, Some("gia_han")).unwrap();
    assert!(g.items.iter().any(|i| i.name == "Giấy phép đã được cấp"));
    assert_eq!(g.fee_total, 1_150_000);
}

#[test]
fn received_only_when_every_required_component_is_present_nd61_2018() {
    let c = checklist(&xray(), Channel::InPerson, Some("moi")).unwrap();
    // Journey 1 step 3: everything but the training certificate; the conditional report absent.
    let e = c.check(&[0, 1]).unwrap_err();
    assert_eq!(e.code(), "missing_components");
    let DossierError::MissingComponents { missing } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        missing,
        &[MissingComponent {
            index: 2,
            name: "Chứng chỉ đào tạo của người phụ trách an toàn bức xạ".into()
        }]
    );
    assert!(e.message_vi().contains("Chứng chỉ đào tạo"));
    // Journey 1 step 4: he brings it; the conditional report is not required.
    assert_eq!(c.check(&[0, 1, 2]), Ok(()));
    // An index that is not a line of this checklist (the renewal-only licence).
    assert_eq!(c.check(&[0, 1, 2, 3]).unwrap_err().code(), "component_unknown");
}

#[test]
fn channel_and_variant_must_exist() {
    let v = xray();
    assert_eq!(
        checklist(&v, Channel::Postal, None).unwrap_err().code(),
        "channel_not_offered"
    );
    assert_eq!(
        checklist(&v, Channel::InPerson, Some("khac")).unwrap_err().code(),
        "variant_unknown"
    );
    // No variant: only components needed in every case.
    let c = checklist(&v, Channel::InPerson, None).unwrap();
    assert_eq!(c.items.len(), 3);
    assert_eq!(c.fee_total, 150_000);
}
