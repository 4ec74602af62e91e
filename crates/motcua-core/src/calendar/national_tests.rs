//! Tests of the national calendar.

use super::*;

fn ymd(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn cal() -> NationalCalendar {
    NationalCalendar::with_shipped(7)
}

#[test]
fn official_2024_tet_break() {
    // Tết Giáp Thìn: off Thu 8/2 – Wed 14/2/2024 (legal-facts §9.2).
    let c = cal();
    assert_eq!(c.day(ymd("2024-02-07")).kind, DayKind::Working);
    assert_eq!(c.day(ymd("2024-02-08")).kind, DayKind::Holiday);
    // Sat 10/2 is mùng 1 itself: reported as holiday.
    assert_eq!(c.day(ymd("2024-02-10")).kind, DayKind::Holiday);
    assert_eq!(c.day(ymd("2024-02-13")).kind, DayKind::Compensatory);
    assert_eq!(c.day(ymd("2024-02-15")).kind, DayKind::Working);
    let d = c.day(ymd("2024-02-10"));
    assert_eq!(
        d.lunar,
        LunarDate {
            year: 2024,
            month: 1,
            day: 1,
            leap: false
        }
    );
    assert_eq!(d.name.as_deref(), Some("Tết Nguyên đán Giáp Thìn"));
}

#[test]
fn weekend_inside_a_break_is_weekend_unless_the_holiday_itself() {
    let c = cal();
    // Sat 25/1/2025 is 26 tháng Chạp, inside the announced break: plain weekend (with the name).
    let d = c.day(ymd("2025-01-25"));
    assert_eq!(d.kind, DayKind::Weekend);
    assert!(d.name.is_some());
    // Sun 26/4/2026 is Giỗ Tổ itself.
    assert_eq!(c.day(ymd("2026-04-26")).kind, DayKind::Holiday);
}

#[test]
fn makeup_saturday_is_working() {
    let c = cal();
    let d = c.day(ymd("2026-08-22"));
    assert_eq!(d.kind, DayKind::MakeupWorkday);
    assert!(d.working);
    assert_eq!(c.day(ymd("2026-08-31")).kind, DayKind::SwappedOff);
}

#[test]
fn official_year_overrides_whole_computed_year() {
    let c = cal();
    assert!(c.has_official_schedule(2024));
    // The computed default would put Tết 2024 on 9/2–13/2 with nghỉ bù 14–15/2; the official
    // schedule makes 15/2 a working day.
    assert_eq!(c.day(ymd("2024-02-15")).kind, DayKind::Working);
    // 29–31/12/2018 belong to the 2019 New-Year break, so 2018 keeps its computed holidays.
    assert!(!c.has_official_schedule(2018));
    assert_eq!(c.day(ymd("2018-04-25")).kind, DayKind::Holiday, "Giỗ Tổ 2018 computed");
    assert_eq!(c.day(ymd("2018-12-31")).kind, DayKind::SwappedOff);
    // 2027 has no official schedule: computed Labour-Code days (BLLĐ 2019 Điều 112).
    assert!(!c.has_official_schedule(2027));
    assert_eq!(c.day(ymd("2027-02-10")).kind, DayKind::Compensatory);
}

#[test]
fn year_listing_2026() {
    let c = cal();
    let l = c.year_listing(2026);
    assert!(l.windows(2).all(|w| w[0].date < w[1].date));
    let kinds: Vec<(String, DayKind)> = l.iter().map(|d| (d.date.to_string(), d.kind)).collect();
    assert!(kinds.contains(&("2026-01-10".into(), DayKind::MakeupWorkday)));
    assert!(kinds.contains(&("2026-08-22".into(), DayKind::MakeupWorkday)));
    assert!(kinds.contains(&("2026-04-27".into(), DayKind::Compensatory)));
    assert!(kinds.contains(&("2026-02-16".into(), DayKind::Holiday)));
    assert!(
        !kinds.iter().any(|(d, _)| d == "2026-02-14"),
        "plain weekend not listed"
    );
    // Every listed weekday is off, and every other weekday is working.
    for d in &l {
        assert!(d.kind != DayKind::Working && d.kind != DayKind::Weekend);
    }
}

#[test]
fn invalid_official_entries_are_rejected() {
    let bad = vec![ScheduleEntry {
        date: ymd("2027-03-03"),
        kind: EntryKind::MakeupWorkday,
        name: "x".into(),
        reference: "y".into(),
    }];
    let err = NationalCalendar::new(1, HolidayRules::default(), bad).unwrap_err();
    assert_eq!(err.code(), "schedule_invalid");
}

#[test]
fn outside_table_is_computed() {
    let c = cal();
    assert_eq!(c.day(ymd("2150-01-01")).kind, DayKind::Holiday);
    assert_eq!(c.day(ymd("1899-12-31")).kind, DayKind::Weekend);
}

#[test]
fn day_kind_serde_snake_case() {
    assert_eq!(
        serde_json::to_string(&DayKind::AgencyClosure).unwrap(),
        "\"agency_closure\""
    );
    assert_eq!(
        serde_json::to_string(&DayKind::MakeupWorkday).unwrap(),
        "\"makeup_workday\""
    );
}

#[test]
fn far_dates_do_not_panic() {
    let c = cal();
    for d in [NaiveDate::MIN, NaiveDate::MAX, ymd("5000-01-01")] {
        let _ = c.day(d);
    }
    assert_eq!(c.day(ymd("5000-01-01")).kind, DayKind::Holiday, "1/1 is still computed");
    let csv = "date,kind,name,reference\n5000-02-01,off,X,Y\n";
    assert_eq!(
        crate::calendar::parse_schedule_csv(csv).unwrap_err()[0].code,
        "date_out_of_range"
    );
}
