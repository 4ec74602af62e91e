//! Tests of the dossier code (legal-facts §2.3: `<unit>-<yyMMdd>-<NNNN>`, likely shape).

use chrono::{DateTime, NaiveDate, Utc};
use proptest::prelude::*;

use super::*;

fn unit() -> UnitCode {
    UnitCode::parse("000.00.15.H50").unwrap()
}

#[test]
fn parse_and_display_round_trip_tt01_2018_receipt_code() {
    let c = DossierCode::parse("000.00.15.H50-261127-0007").unwrap();
    assert_eq!(c.unit().as_str(), "000.00.15.H50");
    assert_eq!(c.date(), NaiveDate::from_ymd_opt(2026, 11, 27).unwrap());
    assert_eq!(c.sequence(), 7);
    assert_eq!(c.to_string(), "000.00.15.H50-261127-0007");
    assert_eq!(serde_json::to_string(&c).unwrap(), "\"000.00.15.H50-261127-0007\"");
    assert_eq!(" 000.00.15.H50-261127-0007 ".parse::<DossierCode>().unwrap(), c);
}

#[test]
fn rejects_malformed_codes() {
    for bad in [
        "",
        "000.00.15.H50",
        "000.00.15.H50-261127",
        "000.00.15.H50-261127-7",
        "000.00.15.H50-261127-00007",
        "000.00.15.H50-261127-0000",
        "000.00.15.H50-261327-0001",
        "000.00.15.H50-260230-0001",
        "000.00.15.h50-261127-0001",
        "-261127-0001",
        "000.00.15.H50-26112a-0001",
    ] {
        let e = DossierCode::parse(bad).unwrap_err();
        assert_eq!(e.code(), "dossier_code_invalid", "{bad}");
        assert!(e.message_vi().contains("Mã hồ sơ"));
    }
}

#[test]
fn receipt_date_is_vietnam_local_date() {
    // 17:30 UTC on 26/11 is 00:30 on 27/11 in UTC+7 (DESIGN §4: shown in Asia/Ho_Chi_Minh).
    let at: DateTime<Utc> = "2026-11-26T17:30:00Z".parse().unwrap();
    let c = DossierCode::for_receipt(unit(), at, 1).unwrap();
    assert_eq!(c.to_string(), "000.00.15.H50-261127-0001");
}

#[test]
fn sequence_bounds() {
    let d = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    assert_eq!(
        DossierCode::new(unit(), d, 0).unwrap_err().code(),
        "sequence_out_of_range"
    );
    assert_eq!(
        DossierCode::new(unit(), d, 10_000).unwrap_err().code(),
        "sequence_out_of_range"
    );
    assert!(DossierCode::new(unit(), d, 9999).is_ok());
    assert_eq!(DossierCode::next_sequence(None).unwrap(), 1);
    assert_eq!(DossierCode::next_sequence(Some(41)).unwrap(), 42);
    assert_eq!(
        DossierCode::next_sequence(Some(9999)).unwrap_err().code(),
        "sequence_out_of_range"
    );
    let old = NaiveDate::from_ymd_opt(1999, 12, 31).unwrap();
    assert_eq!(
        DossierCode::new(unit(), old, 1).unwrap_err().code(),
        "dossier_code_invalid"
    );
}

proptest! {
    #[test]
    fn display_parse_round_trip(days in 0i64..36_000, seq in 1u32..=9999) {
        let d = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Days::new(days as u64);
        prop_assume!(d.year() <= 2099);
        let c = DossierCode::new(unit(), d, seq).unwrap();
        let back = DossierCode::parse(&c.to_string()).unwrap();
        prop_assert_eq!(back, c);
    }
}
