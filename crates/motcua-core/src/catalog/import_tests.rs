//! Tests of the CSV import (shared `tthc_skhcn.csv`; data README: "ngày làm việc" = working
//! days, "ngày" = calendar days, "tháng" = months).

use proptest::prelude::*;

use super::*;
use crate::catalog::completeness::{Part, completeness};

const SHARED: &str = include_str!("../../data/tthc_skhcn.csv");
const HEADER: &str = "ma_so,ky_hieu_day_du,ten_thu_tuc,linh_vuc,cap_thuc_hien,co_quan_thuc_hien,thoi_han_giai_quyet,thoi_han_so,thoi_han_don_vi,phi_le_phi,can_cu_phap_ly,muc_do_dvctt,tinh_nguon,nguon_url,ghi_chu";

fn row(cells: &str) -> ImportReport {
    import_csv(&format!("{HEADER}\n{cells}\n"))
}

#[test]
fn all_29_shared_rows_parse() {
    let r = import_csv(SHARED);
    let errors: Vec<_> = r.problems.iter().filter(|p| p.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(r.rows.len(), 29);
    assert!(r.is_valid());
    assert_eq!(r.valid_drafts().count(), 29);
    assert!(
        r.rows
            .iter()
            .all(|x| !x.draft.name.is_empty() && !x.draft.channels.is_empty())
    );
    // Rows without a national code are allowed (module doc).
    assert_eq!(r.rows.iter().filter(|x| x.draft.national_code.is_none()).count(), 19);
    // Byte input with a BOM gives the same.
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(SHARED.as_bytes());
    assert_eq!(import_csv_bytes(&bytes), r);
}

#[test]
fn shared_row_1003542_quang_tri() {
    let r = import_csv(SHARED);
    let x = &r.rows[0];
    assert_eq!(x.row, 2);
    let v = &x.draft;
    assert_eq!(v.national_code.as_ref().unwrap().as_str(), "1.003542");
    assert_eq!(v.applied_code.as_ref().unwrap().unit(), "H50");
    assert_eq!(v.level, Some(Level::Province));
    assert_eq!(
        v.online_level,
        Some(OnlineLevel::Full),
        "Mức độ 4 (NĐ 43/2011) → toàn trình (NĐ 42/2022)"
    );
    assert!(v.full_online_eligible);
    // "nộp trực tiếp hoặc qua bưu chính công ích" + online level.
    let ch: Vec<Channel> = v.channels.iter().map(|c| c.channel).collect();
    assert_eq!(ch, [Channel::InPerson, Channel::Online, Channel::Postal]);
    assert_eq!(v.channels[0].time_limit, Some(Duration::Months(1)), "01 tháng");
    let amounts: Vec<Option<u64>> = v.channels[0].fees.iter().map(|f| f.amount).collect();
    assert_eq!(amounts, [Some(200_000), Some(300_000), Some(150_000), Some(150_000)]);
    assert_eq!(v.channels[0].fees[0].kind, FeeKind::Charge);
    assert_eq!(v.channels[0].fees[1].kind, FeeKind::Fee);
    assert_eq!(
        v.channels[0].fees[0].name,
        "Lệ phí cấp Giấy chứng nhận tổ chức giám định SHCN"
    );
}

#[test]
fn units_ngay_is_calendar_days_data_readme() {
    let r = import_csv(SHARED);
    let by_code = |c: &str| {
        r.rows
            .iter()
            .find(|x| x.draft.national_code.as_ref().is_some_and(|n| n.as_str() == c))
            .map(|x| &x.draft)
            .unwrap()
    };
    assert_eq!(by_code("1.014444").channels[0].time_limit, Some(Duration::Days(28)));
    assert_eq!(
        by_code("1.014393").channels[0].time_limit,
        Some(Duration::WorkingDays(30))
    );
    // "Không quy định": no number, no structured limit, the wording is kept.
    let v = by_code("2.002711");
    assert_eq!(v.channels[0].time_limit, None);
    assert_eq!(v.time_limit_text, "Không quy định");
    // 1.011937: applied code equal to the national code → no applied code.
    assert!(by_code("1.011937").applied_code.is_none());
    // "Trong ngày" (0 ngày) → same day.
    let same = r.rows.iter().find(|x| x.draft.time_limit_text == "Trong ngày").unwrap();
    assert!(same.draft.channels[0].same_day);
    // Legacy code of the old national database.
    assert!(
        r.rows
            .iter()
            .any(|x| x.draft.legacy_code.as_deref() == Some("T-HTI-213814-TT"))
    );
}

#[test]
fn fees_text_parsing() {
    let r = import_csv(SHARED);
    let xq = r
        .rows
        .iter()
        .find(|x| x.draft.fees_text.starts_with("Phí thẩm định/1 thiết bị"))
        .unwrap();
    let fees = &xq.draft.channels[0].fees;
    assert_eq!(fees.len(), 9);
    assert_eq!(fees[0].name, "Phí thẩm định/1 thiết bị: X-quang chụp răng");
    assert_eq!(fees[0].amount, Some(2_000_000));
    assert_eq!(fees[7].name, "Phí thẩm định/1 thiết bị: hệ PET/CT");
    assert_eq!(fees[7].amount, Some(16_000_000));
    assert_eq!(fees[8].name, "Lệ phí cấp giấy phép");
    assert_eq!((fees[8].amount, fees[8].kind), (Some(0), FeeKind::Charge));
    // "Không" → free of charge, no items.
    let free = r.rows.iter().find(|x| x.draft.fees_text == "Không").unwrap();
    assert!(free.draft.free_of_charge && free.draft.channels[0].fees.is_empty());
    // "Lệ phí: 0; Phí: 0" → items at 0, free.
    let zero = r
        .rows
        .iter()
        .find(|x| x.draft.fees_text == "Lệ phí: 0; Phí: 0")
        .unwrap();
    assert!(zero.draft.free_of_charge);
    assert_eq!(zero.draft.channels[0].fees.len(), 2);
    // A percentage is kept as text with a warning.
    let pct = r.problems.iter().find(|p| p.code == "fee_amount_unparsed").unwrap();
    assert_eq!(pct.column.as_deref(), Some("phi_le_phi"));
    assert!(
        pct.message_vi
            .starts_with(&format!("Dòng {}, cột \"phi_le_phi\"", pct.row))
    );
    assert_eq!(parse_dong("200.000"), Some(200_000));
    assert_eq!(parse_dong("1,000,000"), Some(1_000_000));
    assert_eq!(parse_dong("200.000đ"), Some(200_000));
    assert_eq!(parse_dong("20.00"), None);
    assert_eq!(parse_dong("99999999999999999999999"), None);
}

#[test]
fn legal_basis_number_date_issuer() {
    let r = import_csv(SHARED);
    let v = &r
        .rows
        .iter()
        .find(|x| x.draft.national_code.as_ref().is_some_and(|n| n.as_str() == "1.004473"))
        .unwrap()
        .draft;
    assert_eq!(v.legal_basis.len(), 4);
    assert_eq!(v.legal_basis[0].date, chrono::NaiveDate::from_ymd_opt(2013, 6, 18));
    assert_eq!(v.legal_basis[0].issuer.as_deref(), Some("Quốc hội"));
    assert_eq!(v.legal_basis[1].number.as_deref(), Some("11/2014/NĐ-CP"));
    assert_eq!(v.legal_basis[1].issuer.as_deref(), Some("Chính phủ"));
    assert_eq!(v.legal_basis[2].issuer.as_deref(), Some("Bộ Khoa học và Công nghệ"));
}

#[test]
fn imported_drafts_have_parts_a_c_dd_g_only() {
    // The CSV has no steps, components or subjects: indicator 1.3 flags them (QĐ 766 1.3).
    let r = import_csv(SHARED);
    let c = completeness(&r.rows[0].draft);
    assert_eq!(c.missing, [Part::B, Part::D, Part::E]);
}

#[test]
fn bad_rows_are_reported_by_row_and_column() {
    let r = row("1.00354,,Tên,,Cấp huyện,,,5,ngày lịch,,,Mức độ 9,,,");
    assert!(!r.is_valid());
    assert!(!r.rows[0].valid);
    let got: Vec<(usize, Option<&str>, &str)> = r
        .problems
        .iter()
        .map(|p| (p.row, p.column.as_deref(), p.code.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (2, Some("ma_so"), "national_code_invalid"),
            (2, Some("cap_thuc_hien"), "level_unknown"),
            (2, Some("thoi_han_don_vi"), "time_limit_unit_invalid"),
            (2, Some("muc_do_dvctt"), "online_level_unknown"),
        ]
    );
    assert!(
        r.problems[0]
            .message_vi
            .starts_with("Dòng 2, cột \"ma_so\": Mã số thủ tục")
    );
    let r = row("1.003542,2.000815.H50,,,,,,x,ngày,,,,,,");
    let got: Vec<&str> = r.problems.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(
        got,
        ["applied_code_mismatch", "name_empty", "time_limit_number_invalid"]
    );
    let r = row("1.003542,ABC,Tên,,,,,5,,,,,,,");
    let got: Vec<&str> = r.problems.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(got, ["applied_code_invalid", "time_limit_unit_missing"]);
    let r = row("a,b");
    assert_eq!(r.problems[0].code, "csv_row_width");
}

#[test]
fn header_problems() {
    let r = import_csv("ma_so,ten\n1.003542,x\n");
    assert!(r.rows.is_empty());
    assert_eq!(r.problems.last().unwrap().code, "csv_header_invalid");
    assert!(r.problems.last().unwrap().message_vi.contains("ky_hieu_day_du"));
    assert_eq!(import_csv("").problems[0].code, "csv_empty");
    let r = import_csv_bytes(b"ma_so\n\xff");
    assert_eq!(r.problems[0].code, "csv_encoding_invalid");
    // Columns in another order, plus an extra one: accepted with a warning.
    let mut cols: Vec<&str> = HEADER.split(',').collect();
    cols.reverse();
    let text = format!("{},extra\n{}\n", cols.join(","), ",".repeat(15));
    let r = import_csv(&text);
    assert_eq!(r.rows.len(), 1);
    assert!(
        r.problems
            .iter()
            .any(|p| p.code == "csv_header_unknown" && p.severity == Severity::Warning)
    );
}

fn sheet(cells: &[&[&str]]) -> Vec<Vec<String>> {
    cells
        .iter()
        .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
        .collect()
}

#[test]
fn spreadsheet_rows_are_placed_by_row_and_cell() {
    let header: Vec<String> = HEADER.split(',').map(str::to_owned).collect();
    // Ragged rows (no trailing empty cells), a blank row, a bad code in row 4.
    let rows = sheet(&[
        &[
            "1.003542",
            "",
            "Cấp giấy phép",
            "",
            "Cấp tỉnh",
            "",
            "",
            "5",
            "ngày làm việc",
        ],
        &[],
        &["1.00354", "", "Tên"],
    ]);
    let r = import_rows(&header, &rows);
    assert_eq!(r.rows.len(), 2, "the blank row is skipped");
    assert_eq!((r.rows[0].row, r.rows[0].line), (2, 2));
    assert_eq!((r.rows[1].row, r.rows[1].line), (4, 4));
    assert!(r.rows[0].valid && !r.rows[1].valid);
    let p = &r.problems[0];
    assert_eq!(
        (p.row, p.line, p.column.as_deref(), p.code.as_str()),
        (4, 4, Some("ma_so"), "national_code_invalid")
    );
    assert!(
        p.message_vi.starts_with("Dòng 4, cột \"ma_so\" (ô A4): "),
        "{}",
        p.message_vi
    );
    assert!(p.message_en.starts_with("Row 4, column \"ma_so\" (cell A4): "));
    // Columns in another order: the cell named is where the column is.
    let mut rev = header.clone();
    rev.reverse();
    let mut cells = vec![String::new(); 15];
    cells[14] = "9.9".into();
    cells[12] = "Tên".into();
    let r = import_rows(&rev, &[cells]);
    assert!(
        r.problems[0].message_vi.contains("(ô O2)"),
        "{}",
        r.problems[0].message_vi
    );
}

#[test]
fn spreadsheet_cells_without_header_and_bad_headers() {
    let mut header: Vec<String> = HEADER.split(',').map(str::to_owned).collect();
    let mut row = vec![String::new(); 17];
    row[2] = "Tên".into();
    row[16] = "lạc cột".into();
    let r = import_rows(&header, std::slice::from_ref(&row));
    assert_eq!(r.problems[0].code, "cell_without_header");
    assert!(
        r.problems[0].message_vi.contains("ô Q2"),
        "{}",
        r.problems[0].message_vi
    );
    assert!(!r.is_valid());
    // Blank header cells are not columns (no duplicate or unknown warnings).
    header.push(String::new());
    header.push(String::new());
    row[16].clear();
    let r = import_rows(&header, &[row]);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    // A wrong header names the missing columns.
    let r = import_rows(&["ma".into(), "ten".into()], &sheet(&[&["1.003542", "x"]]));
    assert!(r.rows.is_empty());
    let p = r.problems.last().unwrap();
    assert_eq!(p.code, "csv_header_invalid");
    assert!(
        p.message_vi.contains("thiếu cột: ma_so, ky_hieu_day_du"),
        "{}",
        p.message_vi
    );
    assert_eq!(import_rows(&[], &[]).problems[0].code, "csv_empty");
}

#[test]
fn csv_formula_guard_is_undone() {
    let r = row("1.003542,,Tên,,,,,,,,,,,,'-  Nộp tại Sở");
    assert_eq!(r.rows[0].draft.notes, "-  Nộp tại Sở");
    let r = row("1.003542,,'Tên,,,,,,,,,,,,'x");
    assert_eq!(
        (r.rows[0].draft.name.as_str(), r.rows[0].draft.notes.as_str()),
        ("'Tên", "'x")
    );
}

proptest! {
    #[test]
    fn import_never_panics(s in "\\PC{0,300}") {
        let _ = import_csv(&s);
        let _ = import_csv(&format!("{HEADER}\n{s}"));
    }

    #[test]
    fn any_cells_give_a_report(cells in proptest::collection::vec("[^\"\r\n]{0,20}", 15)) {
        let r = import_csv(&format!("{HEADER}\n{}\n", cells.iter().map(|c| crate::catalog::quote_field(c)).collect::<Vec<_>>().join(",")));
        prop_assert_eq!(r.rows.len(), 1);
    }

    #[test]
    fn any_sheet_gives_a_report(rows in proptest::collection::vec(proptest::collection::vec("\\PC{0,12}", 0..20), 0..6)) {
        let header: Vec<String> = HEADER.split(',').map(str::to_owned).collect();
        let _ = import_rows(&header, &rows);
        if let Some((h, body)) = rows.split_first() {
            let _ = import_rows(h, body);
        }
    }
}
