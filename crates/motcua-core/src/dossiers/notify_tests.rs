use super::*;
use crate::dossiers::fixtures::{t, unit, xray};
use crate::dossiers::{
    ComponentRef, Dossier, DossierCode, Organisation, Person, StepVerdict, SupplementDraft, SupplementItemDraft, apply,
    decide,
};

fn person(email: Option<&str>) -> Applicant {
    Applicant::Person(Person {
        full_name: "Trần Văn Minh".into(),
        citizen_id: "044080001234".into(),
        phone: "0912345678".into(),
        email: email.map(str::to_owned),
        address: None,
    })
}

const CODE: &str = "000.00.15.H50-261127-0001";

fn facts(a: &Applicant) -> MailFacts<'_> {
    MailFacts {
        dossier_code: Some(CODE),
        procedure_name: "Cấp giấy phép X-quang\r\nBcc: x@y",
        applicant: a,
    }
}

fn received() -> (Dossier, Event) {
    let at = t("2026-11-27T09:00:00+07:00");
    let cmd = Command::Receive {
        code: DossierCode::for_receipt(unit("000.00.15.H50"), at, 1).unwrap(),
        appointment: t("2026-12-04T09:00:00+07:00"),
        steps: 1,
    };
    apply(&Dossier::default(), &cmd, at).unwrap()
}

#[test]
fn receipt_mail_is_vietnamese_first_with_code_and_appointment() {
    let a = person(Some(" minh@example.vn "));
    let (_, e) = received();
    let m = applicant_mail(&e, &facts(&a)).unwrap();
    assert_eq!(m.to, "minh@example.vn");
    assert_eq!(m.kind, MailKind::Received);
    assert_eq!(
        m.subject,
        "Hồ sơ 000.00.15.H50-261127-0001: đã được tiếp nhận / Dossier 000.00.15.H50-261127-0001: received"
    );
    let vi = m.body.find("Ngày hẹn trả kết quả: 09:00 ngày 04/12/2026").unwrap();
    let en = m.body.find("Result due: 04/12/2026 09:00 (UTC+7)").unwrap();
    assert!(m.body.starts_with("Kính gửi Trần Văn Minh,"));
    assert!(vi < en, "Vietnamese first");
    // A line break in a name cannot start a header or a new line.
    assert!(m.body.contains("Thủ tục: Cấp giấy phép X-quang Bcc: x@y\n"));
}

#[test]
fn no_email_or_a_silent_event_sends_nothing() {
    let (d, e) = received();
    assert!(applicant_mail(&e, &facts(&person(None))).is_none());
    assert!(applicant_mail(&e, &facts(&person(Some("  ")))).is_none());
    let a = person(Some("minh@example.vn"));
    let assign = decide(
        &d,
        &Command::Assign {
            assignee: "hung".into(),
        },
        t("2026-11-27T10:00:00+07:00"),
    )
    .unwrap();
    assert!(applicant_mail(&assign, &facts(&a)).is_none());
}

#[test]
fn supplement_apology_and_results_notify() {
    let a = Applicant::Organisation(Organisation {
        name: "Công ty TNHH Ánh Dương".into(),
        tax_code: "3200123456".into(),
        representative: "Lê Văn An".into(),
        phone: "0233 3852 123".into(),
        email: Some("lienhe@anhduong.example.vn".into()),
        address: None,
    });
    let (d, _) = received();
    let (d, _) = apply(
        &d,
        &Command::Assign {
            assignee: "hung".into(),
        },
        t("2026-11-27T10:00:00+07:00"),
    )
    .unwrap();
    let req = SupplementDraft {
        items: vec![
            SupplementItemDraft::Component {
                component: ComponentRef::Index(1),
                note: Some("hết hạn kiểm định".into()),
            },
            SupplementItemDraft::Other {
                name: "Sơ đồ phòng chụp".into(),
                justification: "Để thẩm định che chắn".into(),
            },
        ],
        reason: "Giấy chứng nhận đã hết hạn".into(),
        repeat_reason: None,
    }
    .validate(&xray(), 0)
    .unwrap();
    let (d, e) = apply(&d, &Command::RequestSupplement(req), t("2026-11-30T10:00:00+07:00")).unwrap();
    let m = applicant_mail(&e, &facts(&a)).unwrap();
    assert_eq!(m.kind, MailKind::SupplementRequested);
    assert!(m.body.starts_with("Kính gửi Công ty TNHH Ánh Dương,"));
    assert!(
        m.body
            .contains("  - Giấy chứng nhận kiểm định thiết bị (hết hạn kiểm định)\n")
    );
    assert!(m.body.contains("  - Sơ đồ phòng chụp (Để thẩm định che chắn)\n"));
    assert!(m.body.contains("Lý do: Giấy chứng nhận đã hết hạn"));
    let (d, _) = apply(
        &d,
        &Command::SupplementReceived {
            appointment: t("2026-12-07T09:00:00+07:00"),
        },
        t("2026-12-01T09:00:00+07:00"),
    )
    .unwrap();
    let (d, e) = apply(
        &d,
        &Command::IssueApology {
            reason: "Cần xin ý kiến cơ quan chuyên môn".into(),
            new_appointment: t("2026-12-10T16:00:00+07:00"),
        },
        t("2026-12-04T09:00:00+07:00"),
    )
    .unwrap();
    let m = applicant_mail(&e, &facts(&a)).unwrap();
    assert_eq!(m.kind, MailKind::ApologyIssued);
    assert!(m.body.contains("Ngày hẹn cũ: 09:00 ngày 07/12/2026"));
    assert!(m.body.contains("Ngày hẹn trả kết quả mới: 16:00 ngày 10/12/2026"));
    assert!(m.body.contains("New date for the result: 10/12/2026 16:00 (UTC+7)"));
    let (d, _) = apply(
        &d,
        &Command::HandOver {
            receiver: "hoa".into(),
            verdict: StepVerdict::OnTime,
        },
        t("2026-12-08T09:00:00+07:00"),
    )
    .unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 9).unwrap();
    let (d2, e) = apply(
        &d,
        &Command::Approve {
            number: "15/GP-SKHCN".into(),
            date,
        },
        t("2026-12-09T09:00:00+07:00"),
    )
    .unwrap();
    let m = applicant_mail(&e, &facts(&a)).unwrap();
    assert_eq!(m.kind, MailKind::Approved);
    assert!(m.body.contains("Văn bản kết quả: số 15/GP-SKHCN ngày 09/12/2026"));
    let (_, e) = apply(
        &d,
        &Command::Deny {
            reason: "Thiết bị không đạt".into(),
        },
        t("2026-12-09T09:00:00+07:00"),
    )
    .unwrap();
    let m = applicant_mail(&e, &facts(&a)).unwrap();
    assert_eq!(m.kind, MailKind::Denied);
    assert!(m.subject.contains("từ chối giải quyết"));
    let (_, e) = apply(
        &d2,
        &Command::ReturnResult {
            method: ReturnMethod::Post {
                tracking: "EB123456789VN".into(),
            },
        },
        t("2026-12-10T09:00:00+07:00"),
    )
    .unwrap();
    let m = applicant_mail(&e, &facts(&a)).unwrap();
    assert_eq!(m.kind, MailKind::ResultReturned);
    assert!(m.body.contains("số hiệu bưu gửi: EB123456789VN"));
}
