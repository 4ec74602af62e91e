//! Tests of durations and deadlines. Each legal rule's test names its source.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};

use super::*;
use crate::calendar::hours::{AgencyCalendar, MonthDay, Period, SeasonalHours, WorkingHours};
use crate::calendar::national::NationalCalendar;

fn t(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn ymd(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn cal() -> AgencyCalendar {
    AgencyCalendar::with_default_hours(Arc::new(NationalCalendar::with_shipped(42)))
}

fn due_at(c: &AgencyCalendar, received: &str, d: &str, opts: &DueOptions) -> String {
    due(c, t(received), d.parse().unwrap(), opts).unwrap().due.to_rfc3339()
}

#[test]
fn parse_durations() {
    assert_eq!("5wd".parse::<Duration>().unwrap(), Duration::WorkingDays(5));
    assert_eq!(" 8 WH ".parse::<Duration>().unwrap(), Duration::WorkingHours(8));
    assert_eq!("30d".parse::<Duration>().unwrap(), Duration::Days(30));
    assert_eq!("1M".parse::<Duration>().unwrap(), Duration::Months(1));
    assert_eq!("3650d".parse::<Duration>().unwrap(), Duration::Days(3650));
    let code = |s: &str| s.parse::<Duration>().unwrap_err().code();
    assert_eq!(code("0wd"), "duration_zero");
    assert_eq!(code("-3d"), "duration_negative");
    assert_eq!(code("abc"), "duration_invalid");
    assert_eq!(code("5"), "duration_invalid");
    assert_eq!(code("wd"), "duration_invalid");
    assert_eq!(code("5 ngày"), "duration_invalid");
    assert_eq!(code("3651d"), "duration_too_long");
    assert_eq!(code("99999999999999999999999wd"), "duration_too_long");
    let e = "0wd".parse::<Duration>().unwrap_err();
    assert!(e.message_vi().contains("lớn hơn 0"));
    assert!(e.message_en().contains("greater than zero"));
    assert_eq!(Duration::WorkingDays(5).to_string(), "5wd");
    assert_eq!(serde_json::to_string(&Duration::Months(2)).unwrap(), "\"2m\"");
    assert_eq!(
        serde_json::from_str::<Duration>("\"8wh\"").unwrap(),
        Duration::WorkingHours(8)
    );
    assert!(serde_json::from_str::<Duration>("\"0d\"").is_err());
}

#[test]
fn five_wd_over_tet_2024_official_schedule() {
    // Tết Giáp Thìn off Thu 8/2 – Wed 14/2/2024 (VPCP schedule; BLLĐ 2019 Điều 112, Điều 111 k3).
    let c = cal();
    let opts = DueOptions {
        explain: true,
        ..Default::default()
    };
    let d = due(&c, t("2024-02-07T10:00:00+07:00"), Duration::WorkingDays(5), &opts).unwrap();
    assert_eq!(d.due.to_rfc3339(), "2024-02-21T10:00:00+07:00");
    assert_eq!(d.skipped[0].date, ymd("2024-02-08"));
    assert_eq!(d.skipped[0].kind, DayKind::Holiday);
    let dates: Vec<String> = d.skipped.iter().map(|s| s.date.format("%d").to_string()).collect();
    assert_eq!(dates, ["08", "09", "10", "11", "12", "13", "14", "17", "18"]);
    assert_eq!(d.skipped[5].kind, DayKind::Compensatory);
    assert_eq!(d.skipped[7].kind, DayKind::Weekend);
    assert!(d.skipped[0].reference.as_deref().unwrap().contains("Điều 112"));
    assert_eq!(d.calendar_version, 42);
    assert!(d.rule_set.starts_with("5wd"), "{}", d.rule_set);
    assert!(
        d.rule_set.contains("giờ làm việc 07:30–11:30, 13:30–17:30"),
        "{}",
        d.rule_set
    );
}

#[test]
fn thursday_10_plus_5wd_is_10_on_fifth_working_day() {
    let c = cal();
    assert_eq!(
        due_at(&c, "2025-03-06T10:00:00+07:00", "5wd", &DueOptions::default()),
        "2025-03-13T10:00:00+07:00"
    );
}

#[test]
fn deadline_at_end_of_period_stays_friday_1730() {
    let c = cal();
    let o = DueOptions::default();
    assert_eq!(
        due_at(&c, "2025-03-07T07:30:00+07:00", "1wd", &o),
        "2025-03-07T17:30:00+07:00"
    );
    assert_eq!(
        due_at(&c, "2025-03-07T07:30:00+07:00", "8wh", &o),
        "2025-03-07T17:30:00+07:00"
    );
    assert_eq!(
        due_at(&c, "2025-03-06T17:30:00+07:00", "1wd", &o),
        "2025-03-07T17:30:00+07:00"
    );
    // Morning end: 4 hours from 07:30 is 11:30, not 13:30.
    assert_eq!(
        due_at(&c, "2025-03-07T07:30:00+07:00", "4wh", &o),
        "2025-03-07T11:30:00+07:00"
    );
}

#[test]
fn received_saturday_counts_from_monday_0730() {
    let c = cal();
    let o = DueOptions::default();
    assert_eq!(
        due_at(&c, "2025-03-08T09:00:00+07:00", "1wh", &o),
        "2025-03-10T08:30:00+07:00"
    );
    assert_eq!(
        due_at(&c, "2025-03-08T09:00:00+07:00", "1wd", &o),
        "2025-03-10T17:30:00+07:00"
    );
}

#[test]
fn received_at_lunch_counts_from_1330() {
    let c = cal();
    assert_eq!(
        due_at(&c, "2025-03-05T12:00:00+07:00", "1wh", &DueOptions::default()),
        "2025-03-05T14:30:00+07:00"
    );
}

#[test]
fn received_in_another_offset_is_converted_to_utc7() {
    let c = cal();
    // 03:00Z = 10:00+07.
    assert_eq!(
        due_at(&c, "2025-03-06T03:00:00Z", "1wh", &DueOptions::default()),
        "2025-03-06T11:00:00+07:00"
    );
}

#[test]
fn makeup_saturday_2026_08_22_is_a_working_day() {
    // Làm bù Sat 22/8/2026 for the swapped Mon 31/8 (Bộ Nội vụ / VPCP schedule 2026).
    let c = cal();
    let o = DueOptions::default();
    assert_eq!(
        due_at(&c, "2026-08-21T10:00:00+07:00", "1wd", &o),
        "2026-08-22T10:00:00+07:00"
    );
    // Across the Quốc khánh break 29/8–2/9: Fri 28/8 10:00 + 1wd → Thu 3/9 10:00.
    assert_eq!(
        due_at(&c, "2026-08-28T10:00:00+07:00", "1wd", &o),
        "2026-09-03T10:00:00+07:00"
    );
}

#[test]
fn cutoff_1500_receipt_1600_counts_from_next_working_day() {
    // 15:00 cut-off convention of TTHC texts (legal-facts §9.3).
    let c = cal();
    let with = DueOptions {
        cutoff: NaiveTime::from_hms_opt(15, 0, 0),
        ..Default::default()
    };
    assert_eq!(
        due_at(&c, "2025-03-04T16:00:00+07:00", "1wd", &with),
        "2025-03-05T17:30:00+07:00"
    );
    assert_eq!(
        due_at(&c, "2025-03-04T16:00:00+07:00", "1wd", &DueOptions::default()),
        "2025-03-05T16:00:00+07:00"
    );
    // Exactly at the cut-off is not "after" it.
    assert_eq!(
        due_at(&c, "2025-03-04T15:00:00+07:00", "1wh", &with),
        "2025-03-04T16:00:00+07:00"
    );
}

#[test]
fn calendar_days_end_on_next_working_day_blds_2015_dieu_148() {
    // BLDS 2015 Điều 148: if the last day is a day off, the period ends at the end of the next
    // working day.
    let c = cal();
    let o = DueOptions::default();
    // Wed 2025-03-05 10:00 + 30d = Fri 2025-04-04 10:00 (working).
    assert_eq!(
        due_at(&c, "2025-03-05T10:00:00+07:00", "30d", &o),
        "2025-04-04T10:00:00+07:00"
    );
    // Wed 2025-03-05 + 31d = Sat 5/4; Mon 7/4 is Giỗ Tổ → Tue 8/4 17:30.
    assert_eq!(
        due_at(&c, "2025-03-05T10:00:00+07:00", "31d", &o),
        "2025-04-08T17:30:00+07:00"
    );
    let exact = DueOptions {
        calendar_day_rule: CalendarDayRule::Exact,
        ..Default::default()
    };
    assert_eq!(
        due_at(&c, "2025-03-05T10:00:00+07:00", "31d", &exact),
        "2025-04-05T10:00:00+07:00"
    );
}

#[test]
fn months_clamp_to_month_end() {
    let c = cal();
    let o = DueOptions::default();
    // 31/1/2025 + 1m = 28/2/2025 (Friday).
    assert_eq!(
        due_at(&c, "2025-01-31T09:00:00+07:00", "1m", &o),
        "2025-02-28T09:00:00+07:00"
    );
    // 29/3/2024 + 1m = Mon 29/4/2024, a swapped day off → Thu 2/5 17:30 (30/4, 1/5 holidays).
    assert_eq!(
        due_at(&c, "2024-03-29T09:00:00+07:00", "1m", &o),
        "2024-05-02T17:30:00+07:00"
    );
}

#[test]
fn pauses_shift_by_working_time_inside() {
    let c = cal();
    // Paused Thu 6/3 13:30 → Fri 7/3 11:30: 4 h + 4 h of working time.
    let opts = DueOptions {
        pauses: vec![(t("2025-03-06T13:30:00+07:00"), t("2025-03-07T11:30:00+07:00"))],
        ..Default::default()
    };
    assert_eq!(
        due_at(&c, "2025-03-06T10:00:00+07:00", "1wd", &opts),
        "2025-03-10T10:00:00+07:00"
    );
    // A pause after the deadline changes nothing.
    let late = DueOptions {
        pauses: vec![(t("2025-03-20T08:00:00+07:00"), t("2025-03-21T08:00:00+07:00"))],
        ..Default::default()
    };
    assert_eq!(
        due_at(&c, "2025-03-06T10:00:00+07:00", "1wd", &late),
        "2025-03-07T10:00:00+07:00"
    );
    // Overlapping pauses count once.
    let overlap = DueOptions {
        pauses: vec![
            (t("2025-03-06T13:30:00+07:00"), t("2025-03-06T15:30:00+07:00")),
            (t("2025-03-06T14:30:00+07:00"), t("2025-03-06T15:30:00+07:00")),
        ],
        ..Default::default()
    };
    // 2 h paused (13:30–15:30): Fri 10:00 + 2 h of working time = 14:00 (lunch skipped).
    assert_eq!(
        due_at(&c, "2025-03-06T10:00:00+07:00", "1wd", &overlap),
        "2025-03-07T14:00:00+07:00"
    );
    let bad = DueOptions {
        pauses: vec![(t("2025-03-07T00:00:00+07:00"), t("2025-03-06T00:00:00+07:00"))],
        ..Default::default()
    };
    assert_eq!(
        due(&c, t("2025-03-06T10:00:00+07:00"), Duration::WorkingDays(1), &bad)
            .unwrap_err()
            .code(),
        "pause_invalid"
    );
}

#[test]
fn agency_closure_and_saturday_hours() {
    let national = Arc::new(NationalCalendar::with_shipped(1));
    let c = AgencyCalendar::new(
        national.clone(),
        WorkingHours::default(),
        vec![(ymd("2025-03-07"), "Đại hội".into())],
    )
    .unwrap();
    let opts = DueOptions {
        explain: true,
        ..Default::default()
    };
    let d = due(&c, t("2025-03-06T10:00:00+07:00"), Duration::WorkingDays(1), &opts).unwrap();
    assert_eq!(d.due.to_rfc3339(), "2025-03-10T10:00:00+07:00");
    assert_eq!(d.skipped[0].kind, DayKind::AgencyClosure);
    assert_eq!(d.skipped[0].name.as_deref(), Some("Đại hội"));
    // An agency that works Saturdays (rest day Sunday only) counts ordinary Saturdays.
    let hours = WorkingHours {
        rest_days: vec![chrono::Weekday::Sun],
        ..Default::default()
    };
    let c = AgencyCalendar::new(national, hours, vec![]).unwrap();
    assert_eq!(
        due_at(&c, "2025-03-07T10:00:00+07:00", "1wd", &DueOptions::default()),
        "2025-03-08T10:00:00+07:00"
    );
}

#[test]
fn seasonal_hours() {
    let national = Arc::new(NationalCalendar::with_shipped(1));
    let summer = SeasonalHours {
        name: "Giờ mùa hè".into(),
        from: MonthDay { month: 5, day: 1 },
        to: MonthDay { month: 9, day: 30 },
        periods: vec![Period::hm(7, 0, 11, 0).unwrap(), Period::hm(13, 30, 17, 30).unwrap()],
    };
    let hours = WorkingHours {
        seasonal: vec![summer],
        ..Default::default()
    };
    let c = AgencyCalendar::new(national, hours, vec![]).unwrap();
    // Summer morning starts at 07:00: received Sat, 1wh → Mon 08:00.
    assert_eq!(
        due_at(&c, "2025-06-07T09:00:00+07:00", "1wh", &DueOptions::default()),
        "2025-06-09T08:00:00+07:00"
    );
    assert_eq!(
        due_at(&c, "2025-03-08T09:00:00+07:00", "1wh", &DueOptions::default()),
        "2025-03-10T08:30:00+07:00"
    );
}

#[test]
fn invalid_hours_and_range() {
    let national = Arc::new(NationalCalendar::with_shipped(1));
    let bad = WorkingHours {
        periods: vec![Period::hm(11, 0, 9, 0).unwrap()],
        ..Default::default()
    };
    assert_eq!(
        AgencyCalendar::new(national.clone(), bad, vec![]).unwrap_err().code(),
        "working_hours_invalid"
    );
    let overlap = WorkingHours {
        periods: vec![Period::hm(7, 0, 12, 0).unwrap(), Period::hm(11, 0, 17, 0).unwrap()],
        ..Default::default()
    };
    assert!(AgencyCalendar::new(national, overlap, vec![]).is_err());
    let c = cal();
    let e = due(
        &c,
        t("2101-12-30T10:00:00+07:00"),
        Duration::WorkingDays(5),
        &DueOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "calendar_out_of_range");
    assert!(!e.message_vi().is_empty() && !e.message_en().is_empty());
}

#[test]
fn working_time_between_instants() {
    let c = cal();
    let s = working_seconds_between(&c, t("2025-03-07T16:30:00+07:00"), t("2025-03-10T08:30:00+07:00")).unwrap();
    assert_eq!(s, 2 * 3600);
}

#[test]
fn many_due_calls_without_explain() {
    // Not timed: exercises the hot path the benchmark uses (5wd spanning Tết, explain = false).
    let c = cal();
    let opts = DueOptions::default();
    let start = t("2024-02-05T08:00:00+07:00");
    let mut checksum = 0i64;
    for i in 0..10_000i64 {
        let r = start + chrono::TimeDelta::minutes(i * 7 % 6000);
        let d = due(&c, r, Duration::WorkingDays(5), &opts).unwrap();
        assert!(d.skipped.is_empty() && d.rule_set.is_empty());
        assert!(d.due > r);
        checksum = checksum.wrapping_add(d.due.timestamp());
    }
    assert!(checksum != 0);
}
