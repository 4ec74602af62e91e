//! Tests of the draft editor's form.

use super::*;
use crate::catalog::import_csv;

fn sample() -> Vec<ProcedureVersion> {
    let report = import_csv(include_str!("../../data/tthc_skhcn.csv"));
    report.rows.into_iter().map(|r| r.draft).collect()
}

#[test]
fn every_shipped_procedure_survives_the_form_unchanged() {
    let all = sample();
    assert!(all.len() >= 29);
    for v in all {
        let form = EditorForm::from_version(&v);
        assert_eq!(form.to_version().unwrap(), v, "{}", v.name);
    }
}

#[test]
fn a_rich_version_survives_the_form_unchanged() {
    let form = EditorForm {
        national_code: "1.003542".into(),
        applied_code: "1.003542.000.00.00.H50".into(),
        name: "Cấp giấy phép tiến hành công việc bức xạ".into(),
        field: "An toàn bức xạ và hạt nhân".into(),
        level: "province".into(),
        agency: "Sở Khoa học và Công nghệ".into(),
        subjects: "Tổ chức\nCá nhân".into(),
        steps: "Bước 1: Nộp hồ sơ | Tổ chức nộp hồ sơ tại Trung tâm PVHCC\nBước 2: Thẩm định".into(),
        variants: "moi | Cấp mới\ngia_han | Gia hạn".into(),
        components: "Đơn đề nghị | bản chính | 1 | bắt buộc | mau-01.docx\nGiấy phép cũ | bản sao chứng thực | 1 | có điều kiện |  | gia_han | Khi gia hạn".into(),
        results: "Giấy phép | mau-kq.docx | 36m".into(),
        forms: "mau-01.docx | Mẫu 01 — Đơn đề nghị | Thông tư 08/2010/TT-BKHCN\nmau-kq.docx | Mẫu giấy phép".into(),
        legal_basis: "08/2010/TT-BKHCN | 22/07/2010 | Bộ KH&CN | Thông tư 08/2010/TT-BKHCN".into(),
        implementing_units: "000.00.15.H50".into(),
        ch1_offered: "on".into(),
        ch1_time_limit: "10wd".into(),
        ch1_fees: "Phí thẩm định | 2.000.000 | phí | moi".into(),
        ch1_workflow: "Tiếp nhận | 000.00.15.H50 | 4wh\nThẩm định | 000.01.15.H50 | 76wh".into(),
        ch2_offered: "on".into(),
        ch2_time_limit: "10wd".into(),
        online_level: "partial".into(),
        free_of_charge: String::new(),
        ..Default::default()
    };
    let v = form.to_version().unwrap();
    assert_eq!(v.components[1].variants, ["gia_han"]);
    assert_eq!(v.components[1].condition.as_deref(), Some("Khi gia hạn"));
    assert_eq!(v.channels[0].fees[0].amount, Some(2_000_000));
    assert_eq!(v.channels.len(), 2);
    assert_eq!(v.legal_basis[0].date, NaiveDate::from_ymd_opt(2010, 7, 22));
    let again = EditorForm::from_version(&v).to_version().unwrap();
    assert_eq!(again, v);
    // NĐ 63/2010 Điều 8 khoản 2: the content rules still apply on top of the form.
    let problems = v.validate();
    assert!(!crate::catalog::has_errors(&problems), "{problems:?}");
}

#[test]
fn unreadable_lines_name_their_section_and_line_in_vietnamese() {
    let form = EditorForm {
        name: "X".into(),
        components: "Đơn | bản photo | 1\nTờ khai | bản chính | hai".into(),
        ch1_offered: "on".into(),
        ch1_time_limit: "10 ngày".into(),
        ch1_workflow: "Thẩm định | phòng KH | 2wd".into(),
        ch1_fees: "Lệ phí | 50k".into(),
        legal_basis: "1/2020 | 31/02/2020".into(),
        ..Default::default()
    };
    let p = form.to_version().unwrap_err();
    let got: Vec<(&str, &str)> = p.iter().map(|p| (p.path.as_str(), p.code.as_str())).collect();
    assert_eq!(
        got,
        [
            ("components[1]", "copy_type_invalid"),
            ("components[2]", "quantity_invalid"),
            ("legal_basis[1]", "date_invalid"),
            ("ch1_time_limit", "duration_invalid"),
            ("ch1_fees[1]", "amount_invalid"),
            ("ch1_workflow[1]", "unit_code_invalid"),
        ]
    );
    assert!(p[0].message_vi.starts_with("Thành phần hồ sơ, dòng 1:"));
    assert!(p[3].message_vi.contains("kênh 1"));
}
