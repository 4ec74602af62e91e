//! Tests of computed holidays, shipped schedules and the CSV import.

use super::*;

fn ymd(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn kind_on(entries: &[ScheduleEntry], d: &str) -> Option<EntryKind> {
    entries.iter().find(|e| e.date == ymd(d)).map(|e| e.kind)
}

#[test]
fn computed_2027_follows_bllđ_2019_dieu_112_and_111() {
    // BLLĐ 2019 Điều 112: 1/1, Tết 5 days (last day of the year + mùng 1–4), Giỗ Tổ 10/3 lunar,
    // 30/4, 1/5, 2/9 + 1/9. Điều 111 khoản 3: a holiday on Sat/Sun gives nghỉ bù.
    let e = computed_entries(2027, &HolidayRules::default());
    let holidays: Vec<NaiveDate> = e
        .iter()
        .filter(|e| e.kind == EntryKind::Holiday)
        .map(|e| e.date)
        .collect();
    assert_eq!(holidays.len(), 11, "11 statutory days");
    // Tết Đinh Mùi is Sat 2027-02-06: 5/2 (29 tháng Chạp) .. 9/2 (mùng 4).
    for d in [
        "2027-01-01",
        "2027-02-05",
        "2027-02-06",
        "2027-02-09",
        "2027-04-16",
        "2027-04-30",
        "2027-05-01",
        "2027-09-01",
        "2027-09-02",
    ] {
        assert_eq!(kind_on(&e, d), Some(EntryKind::Holiday), "{d}");
    }
    // mùng 1 and mùng 2 fall on Sat/Sun → nghỉ bù Wed 10/2, Thu 11/2; 1/5 is a Saturday → Mon 3/5.
    for d in ["2027-02-10", "2027-02-11", "2027-05-03"] {
        assert_eq!(kind_on(&e, d), Some(EntryKind::Compensatory), "{d}");
    }
    assert!(
        e.iter()
            .all(|e| e.reference.starts_with("Bộ luật Lao động 2019, Điều 11"))
    );
    assert_eq!(
        e.iter().find(|e| e.kind == EntryKind::Compensatory).unwrap().reference,
        "Bộ luật Lao động 2019, Điều 111 khoản 3"
    );
}

#[test]
fn tet_span_and_national_day_are_configurable_dieu_112_khoan_3() {
    // Điều 112 khoản 3: the Prime Minister decides the Tết days and the second Quốc khánh day.
    let mut rules = HolidayRules::default();
    rules.per_year.insert(
        2027,
        YearRules {
            tet_days_before: 2,
            tet_days_from: 3,
            national_day_adjacent: Some(AdjacentDay::After),
        },
    );
    let e = computed_entries(2027, &rules);
    assert_eq!(kind_on(&e, "2027-02-04"), Some(EntryKind::Holiday));
    // 4/2..8/2; mùng 1–2 (6–7/2) on the weekend → nghỉ bù 9/2 and 10/2.
    assert_eq!(kind_on(&e, "2027-02-08"), Some(EntryKind::Holiday));
    assert_eq!(kind_on(&e, "2027-02-09"), Some(EntryKind::Compensatory));
    assert_eq!(kind_on(&e, "2027-09-03"), Some(EntryKind::Holiday));
    assert_eq!(kind_on(&e, "2027-09-01"), None);
    // Before 2021 (BLLĐ 2012 Điều 115) Quốc khánh is one day.
    let e = computed_entries(2020, &HolidayRules::default());
    assert_eq!(kind_on(&e, "2020-09-01"), None);
    assert!(e[0].reference.contains("2012, Điều 115"));
}

#[test]
fn shipped_schedule_is_valid_and_classified() {
    let e = shipped_entries();
    assert_eq!(e.len(), 170);
    validate_entries(&e).unwrap();
    // Six make-up Saturdays (data README).
    let makeup: Vec<String> = e
        .iter()
        .filter(|e| e.kind == EntryKind::MakeupWorkday)
        .map(|e| e.date.to_string())
        .collect();
    assert_eq!(
        makeup,
        [
            "2019-01-05",
            "2019-05-04",
            "2024-05-04",
            "2025-04-26",
            "2026-01-10",
            "2026-08-22"
        ]
    );
    // Swapped days are the ones the make-up rows name.
    let swapped: Vec<String> = e
        .iter()
        .filter(|e| e.kind == EntryKind::SwappedOff)
        .map(|e| e.date.to_string())
        .collect();
    assert_eq!(
        swapped,
        [
            "2018-12-31",
            "2019-04-29",
            "2024-04-29",
            "2025-05-02",
            "2026-01-02",
            "2026-08-31"
        ]
    );
    // 2024 Tết Giáp Thìn 8–14/2: 5 Tết days then nghỉ bù for mùng 1–2 on the weekend.
    assert_eq!(kind_on(&e, "2024-02-08"), Some(EntryKind::Holiday));
    assert_eq!(kind_on(&e, "2024-02-12"), Some(EntryKind::Holiday));
    assert_eq!(kind_on(&e, "2024-02-13"), Some(EntryKind::Compensatory));
    assert_eq!(kind_on(&e, "2024-02-14"), Some(EntryKind::Compensatory));
    // 2023: 2/5, 3/5 nghỉ bù (Giỗ Tổ Sat, 30/4 Sun); 4/9 nghỉ bù (2/9 Sat); 2/1 nghỉ bù.
    for d in [
        "2023-05-02",
        "2023-05-03",
        "2023-09-04",
        "2023-01-02",
        "2023-01-25",
        "2023-01-26",
    ] {
        assert_eq!(kind_on(&e, d), Some(EntryKind::Compensatory), "{d}");
    }
    // 2024 Quốc khánh: 2/9 and 3/9 are the holidays (named in the notes).
    assert_eq!(kind_on(&e, "2024-09-03"), Some(EntryKind::Holiday));
    // 2025 Tết Ất Tỵ: the five weekdays 27–31/1 are the Tết days, no nghỉ bù.
    for d in ["2025-01-27", "2025-01-31"] {
        assert_eq!(kind_on(&e, d), Some(EntryKind::Holiday), "{d}");
    }
}

#[test]
fn shipped_references_cite_vpcp_letters() {
    let e = shipped_entries();
    let r = |d: &str| e.iter().find(|e| e.date == ymd(d)).unwrap().reference.clone();
    assert!(r("2026-01-02").starts_with("Công văn 12729/VPCP-KGVX ngày 25/12/2025"));
    assert!(r("2025-01-28").starts_with("Công văn 8726/VPCP-KGVX ngày 26/11/2024"));
    assert!(r("2023-01-23").starts_with("Công văn 8056/VPCP-KGVX ngày 01/12/2022"));
    assert!(r("2024-02-13").contains("Điều 111 khoản 3"));
    assert!(r("2024-02-13").contains("nguồn: "));
}

#[test]
fn csv_import_accepts_admin_kinds() {
    let csv = "date,kind,name,reference\n\
               2027-02-05,holiday,Tết Đinh Mùi,\"Công văn 1/VPCP-KGVX, ngày 1/11/2026\"\n\
               2027-02-10,compensatory,Nghỉ bù,CV 1\n\
               2027-02-12,swapped_off,Hoán đổi,CV 1\n\
               2027-02-20,makeup_workday,Làm bù,CV 1\r\n";
    let e = parse_schedule_csv(csv).unwrap();
    assert_eq!(e.len(), 4);
    assert_eq!(e[0].reference, "Công văn 1/VPCP-KGVX, ngày 1/11/2026");
    assert_eq!(e[3].kind, EntryKind::MakeupWorkday);
    assert_eq!(serde_json::to_string(&e[2].kind).unwrap(), "\"swapped_off\"");
}

#[test]
fn csv_import_reports_row_column_and_code() {
    let csv = "date,kind,name,reference\n2027-02-30,holiday,X,CV\n2027-02-05,party,X,CV\n2027-02-06,holiday,,CV\n2027-02-07,holiday\n";
    let p = parse_schedule_csv(csv).unwrap_err();
    let got: Vec<(Option<usize>, Option<&str>, &str)> = p.iter().map(|p| (p.row, p.column, p.code)).collect();
    assert_eq!(
        got,
        [
            (Some(2), Some("date"), "date_invalid"),
            (Some(3), Some("kind"), "kind_invalid"),
            (Some(4), Some("name"), "name_empty"),
            (Some(5), None, "csv_column_count"),
        ]
    );
    assert!(p.iter().all(|p| !p.message_vi.is_empty() && !p.message_en.is_empty()));
    assert_eq!(parse_schedule_csv("a,b\n").unwrap_err()[0].code, "csv_header");
    assert_eq!(parse_schedule_csv("").unwrap_err()[0].code, "csv_empty");
    assert_eq!(
        parse_schedule_csv("date,kind,name,reference\n\"2027").unwrap_err()[0].code,
        "csv_unclosed_quote"
    );
}

#[test]
fn validation_rejects_contradictions() {
    // Rows: 2 = Sat 2027-02-20 off; 3 = same day make-up; 4 = a weekday make-up;
    // 5/6 = holiday and compensatory on one day; 7 = compensatory on a Sunday.
    let csv = "date,kind,name,reference\n\
               2027-02-20,holiday,A,CV\n2027-02-20,makeup_workday,B,CV\n2027-02-22,makeup_workday,C,CV\n\
               2027-02-23,holiday,D,CV\n2027-02-23,compensatory,E,CV\n2027-02-21,compensatory,F,CV\n\
               2027-02-23,holiday,D bis,CV\n";
    let p = parse_schedule_csv(csv).unwrap_err();
    let got: Vec<(Option<usize>, &str)> = p.iter().map(|p| (p.row, p.code)).collect();
    assert_eq!(
        got,
        [
            (Some(3), "off_and_makeup"),
            (Some(4), "makeup_not_weekend"),
            (Some(6), "duplicate_conflict"),
            (Some(7), "weekday_kind_on_weekend")
        ]
    );
}

#[test]
fn can_chi_names() {
    assert_eq!(can_chi_year(2024), "Giáp Thìn");
    assert_eq!(can_chi_year(2025), "Ất Tỵ");
    assert_eq!(can_chi_year(2026), "Bính Ngọ");
    assert_eq!(can_chi_year(1985), "Ất Sửu");
}
