//! Tests of dossier deadlines (legal-facts §1.2–§1.5, §9.3; Mẫu 05 TT 01/2018).

use chrono::NaiveDate;

use super::*;
use crate::calendar::DayKind;
use crate::dossiers::fixtures::{cal, t, xray};

fn rules() -> DeadlineRules {
    DeadlineRules::default()
}

#[test]
fn appointment_5wd_skips_the_weekend_journey_1_step_4() {
    // Received Fri 27/11/2026 10:00; 5 ngày làm việc; Sat 28 and Sun 29 skipped.
    let a = appointment(
        &cal(),
        &xray(),
        Channel::InPerson,
        t("2026-11-27T10:00:00+07:00"),
        &rules(),
    )
    .unwrap();
    assert_eq!(a.at, t("2026-12-04T10:00:00+07:00"));
    assert_eq!(a.limit, Some(Duration::WorkingDays(5)));
    assert!(!a.same_day);
    let skipped: Vec<(NaiveDate, DayKind)> = a.detail.skipped.iter().map(|s| (s.date, s.kind)).collect();
    assert_eq!(
        skipped,
        [
            (NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(), DayKind::Weekend),
            (NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(), DayKind::Weekend),
        ]
    );
    assert!(a.detail.rule_set.starts_with("5wd"));
}

#[test]
fn same_day_procedures_use_the_15h_cutoff_legal_facts_9_3() {
    let v = xray();
    let c = cal();
    let at = |s| appointment(&c, &v, Channel::Online, t(s), &rules()).unwrap();
    assert_eq!(at("2026-11-27T10:00:00+07:00").at, t("2026-11-27T17:30:00+07:00"));
    assert!(at("2026-11-27T10:00:00+07:00").same_day);
    assert_eq!(at("2026-11-27T15:00:00+07:00").at, t("2026-11-27T17:30:00+07:00"));
    // After 15:00 on a Friday: the next working day is Monday.
    assert_eq!(at("2026-11-27T15:01:00+07:00").at, t("2026-11-30T17:30:00+07:00"));
    assert_eq!(at("2026-11-28T09:00:00+07:00").at, t("2026-11-30T17:30:00+07:00"));
}

#[test]
fn channel_without_limit_or_offer_is_an_error() {
    let mut v = xray();
    let c = cal();
    let at = t("2026-11-27T10:00:00+07:00");
    assert_eq!(
        appointment(&c, &v, Channel::Postal, at, &rules()).unwrap_err().code(),
        "channel_not_offered"
    );
    v.channels[1].same_day = false;
    assert_eq!(
        appointment(&c, &v, Channel::Online, at, &rules()).unwrap_err().code(),
        "no_time_limit"
    );
}

#[test]
fn supplement_pause_resumes_remaining_time_766_chi_so_2_1() {
    let v = xray();
    let c = cal();
    let received = t("2026-11-27T10:00:00+07:00");
    // Paused Tue 1/12 10:00 → Thu 3/12 10:00: two working days added.
    let pauses = [PauseInterval {
        from: t("2026-12-01T10:00:00+07:00"),
        to: Some(t("2026-12-03T10:00:00+07:00")),
    }];
    let a = extended_due(&c, &v, Channel::InPerson, received, &pauses, &rules()).unwrap();
    assert_eq!(a.at, t("2026-12-08T10:00:00+07:00"));

    // NĐ 61/2018 Điều 18 (likely): the time restarts from the complete supplement.
    let restart = DeadlineRules {
        pause_rule: PauseRule::Restart,
        ..rules()
    };
    let a = extended_due(&c, &v, Channel::InPerson, received, &pauses, &restart).unwrap();
    assert_eq!(a.at, t("2026-12-10T10:00:00+07:00"));

    // Still waiting: no due date yet.
    let open = [PauseInterval {
        from: t("2026-12-01T10:00:00+07:00"),
        to: None,
    }];
    assert_eq!(
        extended_due(&c, &v, Channel::InPerson, received, &open, &rules())
            .unwrap_err()
            .code(),
        "clock_paused"
    );
}

#[test]
fn step_slices_in_sequence_add_up_to_the_appointment_legal_facts_12_item_4() {
    let v = xray();
    let c = cal();
    let received = t("2026-11-27T10:00:00+07:00");
    let steps = planned_step_deadlines(&c, &v.channels[0].workflow, received, &rules()).unwrap();
    assert_eq!(steps, [t("2026-12-02T10:00:00+07:00"), t("2026-12-04T10:00:00+07:00")]);
    let a = appointment(&c, &v, Channel::InPerson, received, &rules()).unwrap();
    assert_eq!(*steps.last().unwrap(), a.at);
    assert_eq!(
        step_due(&c, received, Duration::WorkingDays(3), &[], &rules()).unwrap(),
        steps[0]
    );
}

#[test]
fn near_due_window_defaults_to_8_working_hours_issue_5_item_6() {
    let c = cal();
    let deadline = t("2026-12-04T10:00:00+07:00");
    let u = |now| urgency(&c, t(now), deadline, &rules()).unwrap();
    assert_eq!(u("2026-12-02T17:00:00+07:00"), Urgency::OnTrack);
    assert_eq!(u("2026-12-03T10:00:00+07:00"), Urgency::NearDue);
    // Over the weekend 8wh before Mon 10:00 is Fri 10:00.
    assert_eq!(u("2026-12-04T10:00:00+07:00"), Urgency::NearDue);
    assert_eq!(u("2026-12-04T10:01:00+07:00"), Urgency::Overdue);
    let wide = DeadlineRules {
        near_due: Duration::WorkingDays(3),
        ..rules()
    };
    assert_eq!(
        urgency(&c, t("2026-12-01T10:00:00+07:00"), deadline, &wide).unwrap(),
        Urgency::NearDue
    );
}

#[test]
fn hand_over_verdict_mau_05_tt01_2018() {
    let c = cal();
    let started = t("2026-11-27T10:00:00+07:00");
    let slice = Duration::WorkingDays(3); // due Wed 2/12 10:00
    let v = |at, r: &DeadlineRules| step_verdict(&c, started, t(at), slice, &[], r).unwrap();
    let exact = DeadlineRules {
        verdict_rule: VerdictRule::ExactMinute,
        ..rules()
    };
    assert_eq!(v("2026-11-30T16:00:00+07:00", &rules()), StepVerdict::Early);
    assert_eq!(v("2026-12-02T09:00:00+07:00", &rules()), StepVerdict::OnTime);
    assert_eq!(v("2026-12-02T09:00:00+07:00", &exact), StepVerdict::Early);
    assert_eq!(v("2026-12-02T10:00:00+07:00", &exact), StepVerdict::OnTime);
    assert_eq!(v("2026-12-02T10:01:00+07:00", &rules()), StepVerdict::Late);
    assert_eq!(StepVerdict::Late.label_vi(), "Quá hạn");
    // A supplement pause inside the step moves its deadline (Resume rule).
    let pauses = [PauseInterval {
        from: t("2026-11-30T10:00:00+07:00"),
        to: Some(t("2026-12-01T10:00:00+07:00")),
    }];
    assert_eq!(
        step_verdict(&c, started, t("2026-12-03T09:00:00+07:00"), slice, &pauses, &rules()).unwrap(),
        StepVerdict::OnTime
    );
}
