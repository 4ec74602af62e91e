//! Shared test data: the X-ray licence of journeys.md §1–§3 and the national calendar.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::calendar::{AgencyCalendar, Duration, NationalCalendar};
use crate::catalog::{
    CaseVariant, Channel, ChannelSpec, Component, CopyType, Fee, FeeKind, ProcedureVersion, Requirement, WorkflowStep,
};
use crate::identity::UnitCode;

/// An instant from RFC 3339 text (usually with `+07:00`).
pub(crate) fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub(crate) fn cal() -> AgencyCalendar {
    AgencyCalendar::with_default_hours(Arc::new(NationalCalendar::with_shipped(1)))
}

pub(crate) fn unit(s: &str) -> UnitCode {
    UnitCode::parse(s).unwrap()
}

fn component(name: &str, requirement: Requirement, variants: &[&str]) -> Component {
    Component {
        name: name.into(),
        copy_type: CopyType::Original,
        quantity: 1,
        requirement,
        condition: None,
        form: None,
        variants: variants.iter().map(|s| s.to_string()).collect(),
    }
}

fn fee(name: &str, amount: Option<u64>, variants: &[&str]) -> Fee {
    Fee {
        name: name.into(),
        kind: FeeKind::Fee,
        amount,
        text: name.into(),
        variants: variants.iter().map(|s| s.to_string()).collect(),
    }
}

/// Cấp giấy phép X-quang: 5 working days in person (3wd specialist + 2wd leader), same-day
/// channel online (only to exercise the same-day rule), variants `moi` (new) and `gia_han`.
pub(crate) fn xray() -> ProcedureVersion {
    let workflow = vec![
        WorkflowStep {
            name: "Thẩm định hồ sơ".into(),
            unit_code: unit("000.00.15.H50"),
            slice: Duration::WorkingDays(3),
        },
        WorkflowStep {
            name: "Phê duyệt".into(),
            unit_code: unit("000.00.15.H50"),
            slice: Duration::WorkingDays(2),
        },
    ];
    ProcedureVersion {
        name: "Cấp giấy phép tiến hành công việc bức xạ – sử dụng thiết bị X-quang chẩn đoán trong y tế".into(),
        variants: vec![
            CaseVariant {
                id: "moi".into(),
                name: "Cấp mới".into(),
            },
            CaseVariant {
                id: "gia_han".into(),
                name: "Gia hạn".into(),
            },
        ],
        components: vec![
            component("Đơn đề nghị cấp giấy phép", Requirement::Required, &[]),
            component("Giấy chứng nhận kiểm định thiết bị", Requirement::Required, &[]),
            component(
                "Chứng chỉ đào tạo của người phụ trách an toàn bức xạ",
                Requirement::Required,
                &["moi"],
            ),
            component("Giấy phép đã được cấp", Requirement::Required, &["gia_han"]),
            component("Báo cáo đánh giá an toàn (nếu có)", Requirement::Conditional, &[]),
        ],
        channels: vec![
            ChannelSpec {
                channel: Channel::InPerson,
                time_limit: Some(Duration::WorkingDays(5)),
                same_day: false,
                fees: vec![
                    fee("Phí thẩm định cấp mới", Some(2_000_000), &["moi"]),
                    fee("Phí thẩm định gia hạn", Some(1_000_000), &["gia_han"]),
                    fee("Lệ phí cấp giấy phép", Some(150_000), &[]),
                    fee("Chi phí kiểm tra thực tế (theo thực tế)", None, &[]),
                ],
                workflow,
            },
            ChannelSpec {
                channel: Channel::Online,
                time_limit: None,
                same_day: true,
                fees: vec![],
                workflow: vec![],
            },
        ],
        ..Default::default()
    }
}
