//! Tests of the dossier state machine (DESIGN §6; legal-facts §1, §8, §12 items 1–6 and 14).

use chrono::{NaiveDate, TimeDelta};
use proptest::prelude::*;

use super::*;
use crate::dossiers::fixtures::{t, unit};
use crate::dossiers::supplement::RequestedItem;

fn code() -> DossierCode {
    DossierCode::parse("000.00.15.H50-261127-0007").unwrap()
}

fn receive(appointment: &str) -> Command {
    Command::Receive {
        code: code(),
        appointment: t(appointment),
        steps: 2,
    }
}

fn supplement(component: Option<usize>, repeat_reason: Option<&str>) -> Command {
    Command::RequestSupplement(SupplementRequest {
        items: vec![RequestedItem {
            name: "Giấy chứng nhận kiểm định thiết bị".into(),
            component_index: component,
            note: None,
            not_in_published_procedure: false,
        }],
        reason: "Hết hạn kiểm định".into(),
        number: 0,
        repeated_request: false,
        repeat_reason: repeat_reason.map(str::to_string),
    })
}

/// Applies commands in order, one hour apart from `start`, panicking on refusal.
fn run(start: &str, cmds: &[Command]) -> (Dossier, Vec<Event>) {
    let mut d = Dossier::default();
    let mut events = Vec::new();
    let mut at = t(start);
    for c in cmds {
        let (next, e) = apply(&d, c, at).unwrap_or_else(|e| panic!("{} refused: {}", c.name(), e.code()));
        d = next;
        events.push(e);
        at += TimeDelta::hours(1);
    }
    (d, events)
}

#[test]
fn national_status_of_every_state_legal_facts_8() {
    use DossierState as S;
    let expected = [
        (S::Submitted, 1),
        (S::Guided, 5),
        (S::NotReceived, 3),
        (S::Received, 2),
        (S::Processing, 4),
        (S::AwaitingSupplement, 5),
        (S::AwaitingFee, 6),
        (S::AtPartnerAgency, 4),
        (S::AwaitingDecision, 4),
        (S::Decided, 9),
        (S::Returned, 10),
        (S::Withdrawn, 7),
        (S::Stopped, 8),
    ];
    assert_eq!(expected.len(), S::ALL.len());
    for (s, n) in expected {
        assert_eq!(s.national_status(), n, "{s}");
        assert!(DossierState::national_label_vi(n).is_some());
    }
    assert_eq!(DossierState::national_label_vi(8), Some("Dừng xử lý"));
    assert_eq!(DossierState::national_label_vi(11), None);
}

#[test]
fn desk_journey_guide_receive_supplement_hand_over_decide_return_rate() {
    // journeys.md §1–§4; Mẫu 02 at intake, Mẫu 01, supplement pause, Mẫu 05 hand-overs.
    let (d, events) = run(
        "2026-11-25T08:00:00+07:00",
        &[
            Command::GuideToComplete {
                missing: vec!["Chứng chỉ đào tạo của người phụ trách an toàn bức xạ".into()],
                reason: "Thiếu chứng chỉ".into(),
                repeat_reason: None,
            },
            receive("2026-12-04T10:00:00+07:00"),
            Command::FeePaid {
                receipt: "BL-0001".into(),
                amount: 2_150_000,
            },
            Command::Assign {
                assignee: "hung".into(),
            },
            supplement(Some(1), None),
            Command::SupplementReceived {
                appointment: t("2026-12-08T10:00:00+07:00"),
            },
            Command::HandOver {
                receiver: "hoa".into(),
                verdict: StepVerdict::Early,
            },
            Command::HandOver {
                receiver: "hoa".into(),
                verdict: StepVerdict::OnTime,
            },
            Command::Approve {
                number: "15/GP-SKHCN".into(),
                date: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            },
            Command::ReturnResult {
                method: ReturnMethod::Post {
                    tracking: "EL123456789VN".into(),
                },
            },
            Command::Evaluate {
                scores: Evaluation::new([2, 2, 1, 2, 2, 2, 2, 2, 2]).unwrap(),
            },
        ],
    );
    let statuses: Vec<u8> = events.iter().map(|e| e.to.national_status()).collect();
    assert_eq!(statuses, [5, 2, 2, 4, 5, 4, 4, 4, 9, 10, 10]);
    let kinds: Vec<&str> = events.iter().map(Event::kind).collect();
    assert_eq!(
        kinds,
        [
            "guided_to_complete",
            "received",
            "fee_paid",
            "assigned",
            "supplement_requested",
            "supplement_received",
            "handed_over",
            "handed_over",
            "approved",
            "result_returned",
            "evaluated"
        ]
    );
    assert_eq!(d.state, DossierState::Returned);
    assert_eq!(d.code, Some(code()));
    assert_eq!(d.fees_paid, 2_150_000);
    assert_eq!(d.supplement_count, 1);
    assert_eq!(d.return_visits(), 2);
    assert_eq!(d.pauses.len(), 1);
    assert!(d.pauses[0].to.is_some());
    assert_eq!(d.appointment, Some(t("2026-12-08T10:00:00+07:00")));
    assert_eq!(d.original_appointment, Some(t("2026-12-04T10:00:00+07:00")));
    assert_eq!(events[5].previous_appointment, Some(t("2026-12-04T10:00:00+07:00")));
    assert!(matches!(d.decision, Some(Decision::Approved { .. })));
    assert_eq!(d.step, 1);
    assert!(events.iter().all(|e| e.flags.is_empty()));
    assert_eq!(Dossier::from_events(&events), d);
    // Rated once only (TT 01/2018 Điều 13).
    let e = decide(
        &d,
        &Command::Evaluate {
            scores: Evaluation::new([0; 9]).unwrap(),
        },
        t("2026-12-30T00:00:00Z"),
    );
    assert_eq!(e.unwrap_err().code(), "already_evaluated");
}

#[test]
fn apology_at_most_once_with_a_later_date_nd107_2021() {
    let (d, _) = run(
        "2026-11-27T10:00:00+07:00",
        &[
            receive("2026-12-04T10:00:00+07:00"),
            Command::Assign {
                assignee: "hung".into(),
            },
        ],
    );
    let at = t("2026-12-03T10:00:00+07:00");
    let earlier = Command::IssueApology {
        reason: "Chờ ý kiến cơ quan phối hợp".into(),
        new_appointment: t("2026-12-04T10:00:00+07:00"),
    };
    assert_eq!(decide(&d, &earlier, at).unwrap_err().code(), "appointment_not_later");
    let ok = Command::IssueApology {
        reason: "Chờ ý kiến cơ quan phối hợp".into(),
        new_appointment: t("2026-12-09T10:00:00+07:00"),
    };
    let (d2, e) = apply(&d, &ok, at).unwrap();
    assert_eq!(e.kind(), "apology_issued");
    assert!(e.flags.is_empty());
    assert_eq!(e.previous_appointment, Some(t("2026-12-04T10:00:00+07:00")));
    assert_eq!(d2.appointment, Some(t("2026-12-09T10:00:00+07:00")));
    let again = Command::IssueApology {
        reason: "Lần nữa".into(),
        new_appointment: t("2026-12-11T10:00:00+07:00"),
    };
    let err = decide(&d2, &again, at).unwrap_err();
    assert_eq!(err.code(), "apology_already_issued");
    assert!(err.message_vi().contains("một lần"));
    // After the appointment has passed the apology is still recorded, but flagged.
    let (_, late) = apply(&d, &ok, t("2026-12-05T08:00:00+07:00")).unwrap();
    assert_eq!(late.flags, [Flag::ApologyAfterAppointment]);
}

#[test]
fn repeated_supplement_needs_reason_and_is_flagged_legal_facts_12_items_3_14() {
    let (d, events) = run(
        "2026-11-27T10:00:00+07:00",
        &[
            receive("2026-12-04T10:00:00+07:00"),
            Command::Assign {
                assignee: "hung".into(),
            },
            supplement(Some(1), None),
            Command::SupplementReceived {
                appointment: t("2026-12-05T10:00:00+07:00"),
            },
        ],
    );
    assert_eq!(events[2].flags, []);
    let at = t("2026-11-30T10:00:00+07:00");
    assert_eq!(
        decide(&d, &supplement(Some(0), None), at).unwrap_err().code(),
        "repeat_supplement_needs_reason"
    );
    assert_eq!(
        decide(&d, &supplement(Some(0), Some("  ")), at).unwrap_err().code(),
        "repeat_supplement_needs_reason"
    );
    let e = decide(&d, &supplement(None, Some("Đơn ký sai")), at).unwrap();
    assert_eq!(e.flags, [Flag::RepeatedRequest, Flag::NotInPublishedProcedure]);
    let Command::RequestSupplement(req) = &e.command else {
        panic!()
    };
    assert_eq!(req.number, 2);
    assert!(req.repeated_request);
    assert!(req.items[0].not_in_published_procedure);
}

#[test]
fn guidance_is_given_once_and_completely_nd61_2018() {
    let guide = |repeat: Option<&str>| Command::GuideToComplete {
        missing: vec!["Đơn".into()],
        reason: "Thiếu đơn".into(),
        repeat_reason: repeat.map(str::to_string),
    };
    let (d, _) = run("2026-11-27T10:00:00+07:00", &[guide(None)]);
    let at = t("2026-11-28T10:00:00+07:00");
    assert_eq!(
        decide(&d, &guide(None), at).unwrap_err().code(),
        "repeat_guidance_needs_reason"
    );
    assert_eq!(
        decide(&d, &guide(Some("Giấy tờ mang đến sai bản")), at).unwrap().flags,
        [Flag::RepeatedGuidance]
    );
    let refuse = Command::RefuseAtIntake { reason: "".into() };
    assert_eq!(decide(&d, &refuse, at).unwrap_err().code(), "field_required");
}

#[test]
fn terminal_states_absorb_and_result_needs_a_decision() {
    let (d, _) = run(
        "2026-11-27T10:00:00+07:00",
        &[
            receive("2026-12-04T10:00:00+07:00"),
            Command::Assign {
                assignee: "hung".into(),
            },
        ],
    );
    let at = t("2026-12-01T10:00:00+07:00");
    let ret = Command::ReturnResult {
        method: ReturnMethod::Electronic,
    };
    let err = decide(&d, &ret, at).unwrap_err();
    assert_eq!(err.code(), "illegal_transition");
    assert!(err.message_vi().contains("Đang xử lý"));
    let (stopped, e) = apply(
        &d,
        &Command::Stop {
            reason: "Cơ sở ngừng hoạt động".into(),
        },
        at,
    )
    .unwrap();
    assert_eq!(e.to.national_status(), 8);
    for c in [
        Command::Assign { assignee: "x".into() },
        Command::Withdraw { reason: "x".into() },
        receive("2026-12-04T10:00:00+07:00"),
    ] {
        assert_eq!(decide(&stopped, &c, at).unwrap_err().code(), "illegal_transition");
    }
}

#[test]
fn leader_reassigns_an_open_dossier_journey_3() {
    let (d, _) = run(
        "2026-11-27T10:00:00+07:00",
        &[
            receive("2026-12-04T10:00:00+07:00"),
            Command::Assign {
                assignee: "hung".into(),
            },
            supplement(Some(1), None),
            Command::Assign { assignee: "lan".into() },
        ],
    );
    assert_eq!(d.state, DossierState::AwaitingSupplement);
    assert_eq!(d.assignee.as_deref(), Some("lan"));
    assert_eq!(d.step_started_at, Some(t("2026-11-27T11:00:00+07:00")));
}

#[test]
fn late_decision_without_apology_is_flagged_766_chi_so_2_1() {
    let (d, _) = run(
        "2026-11-27T10:00:00+07:00",
        &[
            receive("2026-12-04T10:00:00+07:00"),
            Command::Assign {
                assignee: "hung".into(),
            },
        ],
    );
    let deny = Command::Deny {
        reason: "Thiết bị không đạt".into(),
    };
    let on_time = decide(&d, &deny, t("2026-12-04T10:00:00+07:00")).unwrap();
    assert!(on_time.flags.is_empty());
    let late = decide(&d, &deny, t("2026-12-04T10:01:00+07:00")).unwrap();
    assert_eq!(late.flags, [Flag::FinishedLate, Flag::LateWithoutApology]);
    assert_eq!(
        decide(&d, &deny, t("2026-11-27T09:00:00+07:00")).unwrap_err().code(),
        "time_before_last_event"
    );
}

#[test]
fn inter_agency_and_fee_round_trips() {
    let (d, events) = run(
        "2026-11-27T10:00:00+07:00",
        &[
            receive("2026-12-04T10:00:00+07:00"),
            Command::Assign {
                assignee: "hung".into(),
            },
            Command::SendToAgency {
                agency: unit("000.00.16.H50"),
                steps: vec![],
            },
            Command::ReturnFromAgency,
            Command::RequestFee {
                items: vec![FeeLine {
                    name: "Phí thẩm định".into(),
                    kind: crate::catalog::FeeKind::Fee,
                    amount: Some(2_000_000),
                    text: String::new(),
                }],
            },
            Command::FeePaid {
                receipt: "TEST-1".into(),
                amount: 2_000_000,
            },
        ],
    );
    let statuses: Vec<u8> = events.iter().map(|e| e.to.national_status()).collect();
    assert_eq!(statuses, [2, 4, 4, 4, 6, 4]);
    assert_eq!(d.fees_requested, 2_000_000);
    assert_eq!(d.partner_agency, None);
    assert_eq!(events[2].to, DossierState::AtPartnerAgency);
}

#[test]
fn events_serialize_with_a_kind_tag() {
    let (_, events) = run("2026-11-27T10:00:00+07:00", &[receive("2026-12-04T10:00:00+07:00")]);
    let json = serde_json::to_value(&events[0]).unwrap();
    assert_eq!(json["command"]["kind"], "receive");
    assert_eq!(json["command"]["code"], "000.00.15.H50-261127-0007");
    assert_eq!(json["to"], "received");
    let back: Event = serde_json::from_value(json).unwrap();
    assert_eq!(back, events[0]);
}

// ---- Property: random command sequences never reach a forbidden state. ----

fn reason() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), Just("lý do".to_string())]
}

fn opt_reason() -> impl Strategy<Value = Option<String>> {
    prop_oneof![Just(None), Just(Some(String::new())), Just(Some("lý do".to_string()))]
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..400).prop_map(|h| t("2026-11-27T10:00:00+07:00") + TimeDelta::hours(h))
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        (reason(), opt_reason()).prop_map(|(reason, repeat_reason)| Command::GuideToComplete {
            missing: vec!["Đơn".into()],
            reason,
            repeat_reason
        }),
        reason().prop_map(|reason| Command::RefuseAtIntake { reason }),
        (instant(), 0u32..4).prop_map(|(appointment, steps)| Command::Receive {
            code: code(),
            appointment,
            steps
        }),
        Just(Command::Assign { assignee: "a".into() }),
        prop_oneof![Just(StepVerdict::Early), Just(StepVerdict::Late)].prop_map(|verdict| Command::HandOver {
            receiver: "b".into(),
            verdict
        }),
        (0usize..3).prop_map(|n| Command::SendToAgency {
            agency: unit("000.00.16.H50"),
            steps: partner_steps(n)
        }),
        Just(Command::ReturnFromAgency),
        (proptest::option::of(0usize..3), opt_reason()).prop_map(|(c, r)| supplement(c, r.as_deref())),
        instant().prop_map(|appointment| Command::SupplementReceived { appointment }),
        Just(Command::RequestFee {
            items: vec![FeeLine {
                name: "Phí".into(),
                kind: crate::catalog::FeeKind::Fee,
                amount: Some(100),
                text: String::new()
            }]
        }),
        Just(Command::FeePaid {
            receipt: "r".into(),
            amount: 100
        }),
        (reason(), instant()).prop_map(|(reason, new_appointment)| Command::IssueApology {
            reason,
            new_appointment
        }),
        instant().prop_map(|appointment| Command::Reschedule {
            appointment,
            calendar_version: 2
        }),
        Just(Command::Approve {
            number: "1/GP".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        }),
        reason().prop_map(|reason| Command::Deny { reason }),
        reason().prop_map(|reason| Command::Stop { reason }),
        reason().prop_map(|reason| Command::Withdraw { reason }),
        Just(Command::ReturnResult {
            method: ReturnMethod::Electronic
        }),
        Just(Command::Evaluate {
            scores: Evaluation::new([1; 9]).unwrap()
        }),
    ]
}

const CODES: [&str; 8] = [
    "illegal_transition",
    "apology_already_issued",
    "appointment_not_later",
    "repeat_supplement_needs_reason",
    "repeat_guidance_needs_reason",
    "field_required",
    "already_evaluated",
    "time_before_last_event",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_command_sequences_respect_the_rules(
        cmds in proptest::collection::vec((command(), 0i64..30), 1..60)
    ) {
        use DossierState as S;
        let mut d = Dossier::default();
        let mut events: Vec<Event> = Vec::new();
        let mut at = t("2026-11-27T08:00:00+07:00");
        for (cmd, step) in &cmds {
            at += TimeDelta::hours(*step);
            let before = d.clone();
            match apply(&d, cmd, at) {
                Err(e) => {
                    prop_assert!(CODES.contains(&e.code()), "{}", e.code());
                    prop_assert!(!e.message_vi().is_empty() && !e.message_en().is_empty());
                }
                Ok((next, e)) => {
                    // Terminal states are absorbing; a returned dossier only takes one rating.
                    prop_assert!(!before.state.is_terminal(), "{} left {}", cmd.name(), before.state);
                    if before.state == S::Returned {
                        let is_evaluation = matches!(cmd, Command::Evaluate { .. });
                        prop_assert!(is_evaluation && before.evaluation.is_none());
                    }
                    prop_assert_eq!(e.from, before.state);
                    prop_assert_eq!(e.to, next.state);
                    d = next;
                    events.push(e);
                }
            }
            let n = d.national_status();
            prop_assert!((1..=10).contains(&n));
            // Returned (and decided) only after a decision.
            if matches!(d.state, S::Decided | S::Returned) {
                prop_assert!(d.decision.is_some());
            }
            if d.state == S::Returned {
                let decided = events.iter().any(|e| matches!(e.command, Command::Approve { .. } | Command::Deny { .. }));
                prop_assert!(decided);
            }
            // Received states carry a code and an appointment.
            if d.state.is_open() || matches!(d.state, S::Decided | S::Returned) {
                prop_assert!(d.code.is_some() && d.appointment.is_some());
            }
            // The clock is paused exactly while a supplement is awaited.
            let open_pause = d.pauses.last().is_some_and(|p| p.to.is_none());
            prop_assert_eq!(open_pause, d.state == S::AwaitingSupplement);
            // At most one apology.
            prop_assert!(events.iter().filter(|e| e.kind() == "apology_issued").count() <= 1);
            // Every second or later supplement request has its reason and its mark.
            for e in &events {
                if let Command::RequestSupplement(r) = &e.command {
                    if r.number > 1 {
                        prop_assert!(r.repeated_request && e.flags.contains(&Flag::RepeatedRequest));
                        prop_assert!(r.repeat_reason.as_deref().is_some_and(|s| !s.trim().is_empty()));
                    } else {
                        prop_assert!(!r.repeated_request);
                    }
                    prop_assert_eq!(r.not_in_published_procedure(), e.flags.contains(&Flag::NotInPublishedProcedure));
                }
            }
            prop_assert!(d.step < d.steps_total.max(1));
            // The partner's part exists only during liên thông, and its step is inside it.
            if d.state == S::AtPartnerAgency {
                prop_assert!(d.partner_agency.is_some());
                prop_assert!(d.partner_steps == 0 || d.partner_step < d.partner_steps);
            } else if d.state.is_open() {
                prop_assert!(d.partner_steps == 0 && d.partner_agency.is_none());
            }
        }
        // Folding the log gives the same state.
        prop_assert_eq!(Dossier::from_events(&events), d);
    }
}

/// Commands travel as JSON in events and over the API; the evaluation must survive the round trip
/// (TT 01/2018 Điều 13: nine indices, each 0–2).
#[test]
fn evaluate_command_round_trips_through_json_tt01_2018_dieu_13() {
    let cmd = Command::Evaluate {
        scores: Evaluation::new([2, 1, 0, 2, 2, 2, 1, 2, 2]).unwrap(),
    };
    let json = serde_json::to_string(&cmd).unwrap();
    assert_eq!(json, r#"{"kind":"evaluate","scores":[2,1,0,2,2,2,1,2,2]}"#);
    assert_eq!(serde_json::from_str::<Command>(&json).unwrap(), cmd);
    assert!(serde_json::from_str::<Command>(r#"{"kind":"evaluate","scores":[3,1,0,2,2,2,1,2,2]}"#).is_err());
}

fn partner_steps(n: usize) -> Vec<crate::catalog::WorkflowStep> {
    (0..n)
        .map(|i| crate::catalog::WorkflowStep {
            name: format!("Bước liên thông {}", i + 1),
            unit_code: unit("000.00.16.H50"),
            slice: "3wd".parse().unwrap(),
        })
        .collect()
}

/// Older events and API clients send liên thông without the partner's steps: `steps` defaults
/// to empty and is not written when empty, so old logs fold as before.
#[test]
fn send_to_agency_steps_default_to_empty_and_round_trip() {
    let old: Command = serde_json::from_str(r#"{"kind":"send_to_agency","agency":"000.00.16.H50"}"#).unwrap();
    assert_eq!(
        old,
        Command::SendToAgency {
            agency: unit("000.00.16.H50"),
            steps: vec![]
        }
    );
    assert_eq!(
        serde_json::to_string(&old).unwrap(),
        r#"{"kind":"send_to_agency","agency":"000.00.16.H50"}"#
    );
    let with_steps = Command::SendToAgency {
        agency: unit("000.00.16.H50"),
        steps: partner_steps(2),
    };
    let json = serde_json::to_string(&with_steps).unwrap();
    assert!(json.contains(r#""slice":"3wd""#), "{json}");
    assert_eq!(serde_json::from_str::<Command>(&json).unwrap(), with_steps);
    // A document folded before the partner's steps existed still reads.
    let mut doc = serde_json::to_value(Dossier::default()).unwrap();
    doc.as_object_mut().unwrap().remove("partner_steps");
    doc.as_object_mut().unwrap().remove("partner_step");
    assert_eq!(serde_json::from_value::<Dossier>(doc).unwrap(), Dossier::default());
}

/// Liên thông with two partner steps: the send finishes the sender's step 1 of 2, the partner
/// hands over once inside its part, the return finishes the partner's last step and resumes the
/// sender's step 2.
#[test]
fn partner_steps_are_walked_inside_the_dossier_and_the_return_resumes_the_sender() {
    let (d, events) = run(
        "2026-11-27T10:00:00+07:00",
        &[
            receive("2026-12-04T10:00:00+07:00"),
            Command::Assign {
                assignee: "hung".into(),
            },
            Command::SendToAgency {
                agency: unit("000.00.16.H50"),
                steps: partner_steps(2),
            },
        ],
    );
    assert_eq!(d.state, DossierState::AtPartnerAgency);
    assert_eq!((d.step, d.steps_total, d.partner_step, d.partner_steps), (1, 4, 0, 2));
    assert_eq!(d.assignee, None);
    // The partner's first step hands over inside the part, not back; its last step hands
    // back, not over.
    let at = events.last().unwrap().at + TimeDelta::hours(1);
    assert_eq!(
        apply(&d, &Command::ReturnFromAgency, at).unwrap_err().code(),
        "illegal_transition"
    );
    let (d, _) = apply(&d, &Command::Assign { assignee: "lan".into() }, at).unwrap();
    let hand_over = Command::HandOver {
        receiver: "minh".into(),
        verdict: StepVerdict::Late,
    };
    let (d, e) = apply(&d, &hand_over, at).unwrap();
    assert_eq!(e.to, DossierState::AtPartnerAgency);
    assert!(e.flags.contains(&Flag::StepLate));
    assert_eq!((d.step, d.partner_step), (2, 1));
    assert_eq!(apply(&d, &hand_over, at).unwrap_err().code(), "illegal_transition");
    let (d, e) = apply(&d, &Command::ReturnFromAgency, at).unwrap();
    assert_eq!(e.to, DossierState::Processing);
    assert_eq!((d.step, d.steps_total, d.partner_steps), (3, 4, 0));
    assert_eq!(d.partner_agency, None);
    assert_eq!(d.step_started_at, Some(at));
    // An empty step name is refused.
    let mut bad = partner_steps(1);
    bad[0].name = " ".into();
    let send = Command::SendToAgency {
        agency: unit("000.00.16.H50"),
        steps: bad,
    };
    assert_eq!(apply(&d, &send, at).unwrap_err().code(), "field_required");
}

/// Mẫu 05 (TT 01/2018): a step closed late is marked whichever command closed it — a
/// hand-over already carries its verdict; a liên thông send or return gets it from the store.
#[test]
fn a_late_step_closed_by_a_send_or_return_is_marked_once_tt01_2018_mau_05() {
    let at = t("2026-12-03T10:00:00+07:00");
    let event = Event {
        at,
        command: Command::ReturnFromAgency,
        from: DossierState::AtPartnerAgency,
        to: DossierState::Processing,
        previous_appointment: None,
        flags: vec![],
    };
    assert!(event.clone().finishing_step(StepVerdict::OnTime).flags.is_empty());
    assert!(event.clone().finishing_step(StepVerdict::Early).flags.is_empty());
    let late = event
        .finishing_step(StepVerdict::Late)
        .finishing_step(StepVerdict::Late);
    assert_eq!(late.flags, vec![Flag::StepLate]);
}
