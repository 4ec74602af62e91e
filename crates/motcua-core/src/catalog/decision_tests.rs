//! Tests of publication decisions. Each rule's test names its source.

use chrono::{Datelike, NaiveDate, Weekday};

use super::*;
use crate::catalog::Verdict;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn weekdays(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn item(kind: ItemKind, code: &str, eff: &str) -> DecisionItem {
    DecisionItem {
        kind,
        procedure: code.into(),
        effective_from: d(eff),
        made_public_on: None,
    }
}

fn decision() -> Decision {
    Decision {
        number: "1234/QĐ-UBND".into(),
        signed_on: Some(d("2026-03-09")),
        signer: "Chủ tịch UBND tỉnh".into(),
        issuer: "UBND tỉnh Quảng Trị".into(),
        level: Level::Province,
        title: "Công bố TTHC lĩnh vực năng lượng nguyên tử".into(),
        legal_basis: vec![],
        items: vec![
            item(ItemKind::Amended, "1.003542", "2026-03-16"),
            item(ItemKind::Abolished, "1.000001", "2026-03-16"),
        ],
    }
}

#[test]
fn item_kind_codes_round_trip() {
    for k in ItemKind::ALL {
        assert_eq!(ItemKind::from_code(k.code()), Some(k));
    }
    assert_eq!(ItemKind::from_code("other"), None);
    assert!(!ItemKind::Abolished.publishes_draft());
    assert!(ItemKind::Replaced.publishes_draft());
}

#[test]
fn draft_may_lack_number_date_and_signer_but_issue_may_not() {
    let draft = Decision {
        number: String::new(),
        signed_on: None,
        signer: " ".into(),
        items: vec![],
        ..decision()
    };
    assert!(draft.validate_draft().is_empty());
    let codes: Vec<String> = draft.validate_issue().into_iter().map(|p| p.code).collect();
    assert_eq!(
        codes,
        [
            "decision_number_missing",
            "decision_date_missing",
            "decision_signer_missing",
            "decision_without_items"
        ]
    );
    assert!(decision().validate_issue().is_empty());
}

#[test]
fn one_procedure_twice_and_empty_items_are_refused_with_the_item_named() {
    let mut dec = decision();
    dec.items.push(item(ItemKind::New, "1.003542", "2026-04-01"));
    dec.items.push(item(ItemKind::New, " ", "2026-04-01"));
    let p = dec.validate_draft();
    assert_eq!(p[0].code, "decision_item_duplicate");
    assert_eq!(p[0].path, "items[2].procedure");
    assert!(p[0].message_vi.contains("1.003542"));
    assert_eq!(p[1].code, "decision_item_procedure_missing");
    assert!(p[1].message_vi.contains("Mục 4"));
}

#[test]
fn made_public_before_the_decision_is_refused() {
    let mut dec = decision();
    dec.items[0].made_public_on = Some(d("2026-03-06"));
    assert_eq!(dec.validate_draft()[0].code, "made_public_before_decision");
}

/// QĐ 766 chỉ số 1.1 and 1.2; NĐ 63/2010 Điều 15 (sửa đổi bởi NĐ 48/2013): signed on the
/// latest on-time day (effective − 5 working days) is on time; made public after decision + 5
/// working days is late.
#[test]
fn qd_766_1_1_and_1_2_verdicts_per_item() {
    let mut dec = decision();
    dec.items[0].made_public_on = Some(d("2026-03-16")); // 9/3 + 5 wd = 16/3: on time
    dec.items[1].made_public_on = Some(d("2026-03-17")); // late
    let t = dec
        .timeliness(&weekdays, &TimelinessRules::default(), d("2026-03-20"))
        .unwrap();
    assert_eq!(t[0].decision.verdict, Verdict::OnTime);
    assert_eq!(t[0].publication.as_ref().unwrap().verdict, Verdict::OnTime);
    assert_eq!(t[1].publication.as_ref().unwrap().verdict, Verdict::Late);
    assert_eq!(t[1].publication.as_ref().unwrap().latest_on_time, d("2026-03-16"));

    let late = Decision {
        signed_on: Some(d("2026-03-10")),
        ..decision()
    };
    let t = late
        .timeliness(&weekdays, &TimelinessRules::default(), d("2026-03-20"))
        .unwrap();
    assert_eq!(t[0].decision.verdict, Verdict::Late);
}

/// QĐ 766 chỉ số 1.1: a draft decision whose items take effect soon warns before the deadline.
#[test]
fn qd_766_1_1_draft_warns_before_the_deadline_passes() {
    let draft = Decision {
        signed_on: None,
        ..decision()
    };
    let rules = TimelinessRules::default();
    // Latest on-time date 9/3; on Fri 6/3 one working day remains: warn, still pending.
    let t = draft.timeliness(&weekdays, &rules, d("2026-03-06")).unwrap();
    assert_eq!(t[0].decision.verdict, Verdict::Pending);
    assert!(t[0].decision.warn);
    assert!(t[0].publication.is_none());
    // A month before: no warning.
    let t = draft.timeliness(&weekdays, &rules, d("2026-02-06")).unwrap();
    assert!(!t[0].decision.warn);
    // After the deadline: overdue.
    let t = draft.timeliness(&weekdays, &rules, d("2026-03-10")).unwrap();
    assert_eq!(t[0].decision.verdict, Verdict::Overdue);
}

/// Ministry decisions: 20 working days before, 10 to make public (QĐ 766 chỉ số 1.1, 1.2).
#[test]
fn qd_766_ministry_leads_apply_to_ministry_decisions() {
    let dec = Decision {
        level: Level::Ministry,
        signed_on: Some(d("2026-02-16")),
        ..decision()
    };
    let t = dec
        .timeliness(&weekdays, &TimelinessRules::default(), d("2026-03-20"))
        .unwrap();
    assert_eq!(t[0].decision.latest_on_time, d("2026-02-16"));
    assert_eq!(t[0].publication.as_ref().unwrap().latest_on_time, d("2026-03-02"));
}

#[test]
fn statistics_count_per_field_with_a_total_row() {
    let rows = statistics([
        ("Hoạt động khoa học và công nghệ", ItemKind::New),
        ("An toàn bức xạ và hạt nhân", ItemKind::Amended),
        ("An toàn bức xạ và hạt nhân", ItemKind::Abolished),
        ("An toàn bức xạ và hạt nhân", ItemKind::Replaced),
    ]);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].field, "An toàn bức xạ và hạt nhân");
    assert_eq!((rows[0].amended, rows[0].abolished, rows[0].replaced), (1, 1, 1));
    assert_eq!(rows[1].new, 1);
    let total = rows.last().unwrap();
    assert_eq!(total.field, "");
    assert_eq!(total.total(), 4);
}
