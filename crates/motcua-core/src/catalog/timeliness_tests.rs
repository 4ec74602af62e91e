//! Tests of publication timeliness. Each rule's test names its source.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Weekday};

use super::*;
use crate::calendar::{AgencyCalendar, NationalCalendar};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn weekdays(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

#[test]
fn qd_766_1_1_province_5_working_days_before_effective() {
    let r = TimelinessRules::default();
    // Effective Mon 16/3/2026: 5 working days back = Mon 9/3.
    let t = decision_timeliness(
        &weekdays,
        &r,
        Level::Province,
        d("2026-03-16"),
        Some(d("2026-03-09")),
        d("2026-03-20"),
    )
    .unwrap();
    assert_eq!(t.latest_on_time, d("2026-03-09"));
    assert_eq!(t.verdict, Verdict::OnTime);
    assert!(t.rule.contains("1.1"));
    let late = decision_timeliness(
        &weekdays,
        &r,
        Level::Province,
        d("2026-03-16"),
        Some(d("2026-03-10")),
        d("2026-03-20"),
    )
    .unwrap();
    assert_eq!(late.verdict, Verdict::Late);
    // Commune procedures are published by the Chủ tịch UBND tỉnh: provincial rule.
    let c = decision_timeliness(&weekdays, &r, Level::Commune, d("2026-03-16"), None, d("2026-03-01")).unwrap();
    assert_eq!(c.latest_on_time, d("2026-03-09"));
}

#[test]
fn nd_48_2013_ministry_20_working_days_before_effective() {
    let r = TimelinessRules::default();
    // Effective Mon 16/3/2026: 20 working days back (4 weeks) = Mon 16/2.
    let t = decision_timeliness(&weekdays, &r, Level::Ministry, d("2026-03-16"), None, d("2026-02-12")).unwrap();
    assert_eq!(t.latest_on_time, d("2026-02-16"));
    assert_eq!(t.verdict, Verdict::Pending);
    assert_eq!(t.days_remaining, 4);
    assert_eq!(t.working_days_remaining, 2, "Fri 13, Mon 16");
    assert!(t.warn, "dashboard warns before the deadline (issue 4 item 3)");
    let early = decision_timeliness(&weekdays, &r, Level::Ministry, d("2026-03-16"), None, d("2026-02-02")).unwrap();
    assert!(!early.warn);
    let over = decision_timeliness(&weekdays, &r, Level::Ministry, d("2026-03-16"), None, d("2026-02-18")).unwrap();
    assert_eq!(over.verdict, Verdict::Overdue);
    assert!(over.warn);
    assert_eq!(over.working_days_remaining, -2);
}

#[test]
fn qd_766_1_2_public_within_5_or_10_working_days() {
    let r = TimelinessRules::default();
    // Decision Mon 9/3/2026 → province deadline Mon 16/3, ministry Mon 23/3.
    let p = publication_timeliness(
        &weekdays,
        &r,
        Level::Province,
        d("2026-03-09"),
        Some(d("2026-03-16")),
        d("2026-03-16"),
    )
    .unwrap();
    assert_eq!((p.latest_on_time, p.verdict), (d("2026-03-16"), Verdict::OnTime));
    assert!(p.rule.contains("1.2"));
    let p = publication_timeliness(
        &weekdays,
        &r,
        Level::Province,
        d("2026-03-09"),
        Some(d("2026-03-17")),
        d("2026-03-17"),
    )
    .unwrap();
    assert_eq!(p.verdict, Verdict::Late);
    let m = publication_timeliness(&weekdays, &r, Level::Ministry, d("2026-03-09"), None, d("2026-03-09")).unwrap();
    assert_eq!(m.latest_on_time, d("2026-03-23"));
    assert_eq!(m.working_days_remaining, 10);
    assert!(!m.warn);
}

#[test]
fn agency_calendar_skips_tet_2026_official_schedule() {
    // Tết Bính Ngọ 2026: official days off 14–22/2/2026 (shared vn_holidays.csv, legal-facts §9.2).
    let cal = AgencyCalendar::with_default_hours(Arc::new(NationalCalendar::with_shipped(1)));
    let r = TimelinessRules::default();
    let t = decision_timeliness(&cal, &r, Level::Province, d("2026-02-25"), None, d("2026-02-01")).unwrap();
    // Back from Wed 25/2: Tue 24, Mon 23; 14–22/2 off; Fri 13, Thu 12, Wed 11.
    assert!(!cal.is_working(d("2026-02-18")));
    assert_eq!(t.latest_on_time, d("2026-02-11"));
    assert_eq!(
        step_working_days(&cal, d("2026-02-11"), 5, false).unwrap(),
        d("2026-02-25")
    );
}

#[test]
fn no_working_day_is_an_error() {
    let never = |_: NaiveDate| false;
    let e = decision_timeliness(
        &never,
        &TimelinessRules::default(),
        Level::Province,
        d("2026-03-16"),
        None,
        d("2026-03-01"),
    )
    .unwrap_err();
    assert_eq!(e.code(), "no_working_day");
    assert!(e.message_vi().contains("ngày làm việc"));
}

#[test]
fn rules_are_configuration() {
    let r = TimelinessRules {
        province_decision_lead: 7,
        ..TimelinessRules::default()
    };
    let t = decision_timeliness(&weekdays, &r, Level::Province, d("2026-03-16"), None, d("2026-03-01")).unwrap();
    assert_eq!(t.latest_on_time, d("2026-03-05"));
    assert_eq!(
        serde_json::to_value(TimelinessRules::default()).unwrap()["ministry_publication_window"],
        10
    );
}
