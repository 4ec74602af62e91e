//! Dossier store (issue 5): intake, codes, commands, inbox, lookup and calendar recomputation on
//! both databases.

use crate::support::on_each_db;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_core::calendar::Duration;
use motcua_core::catalog::{
    CaseVariant, Channel, ChannelSpec, Component, CopyType, Fee, FeeKind, ProcedureVersion, Requirement, WorkflowStep,
};
use motcua_core::dossiers::{Applicant, Command, DeadlineRules, Dossier, Flag, Person, ReturnMethod, StepVerdict};
use motcua_core::identity::UnitCode;
use motcua_store::calendar::CalendarCache;
use motcua_store::dossiers::{self, Deadlines, InboxFilter, Intake, IntakeOutcome, PresentComponent};
use motcua_store::events::{self, Actor};
use motcua_store::files::{self, NewFile};
use motcua_store::identity::{self, NewUnit};
use motcua_store::{Store, StoreError, on_db};
use std::sync::Arc;

const UNIT: &str = "000.00.15.H50";

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn clerk() -> Actor {
    Actor {
        id: "lan".into(),
        role: "clerk".into(),
        unit: UNIT.into(),
    }
}

fn unit(s: &str) -> UnitCode {
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

/// The X-ray licence of journeys §1–§3: 5 working days in person (3 + 2), variants `moi` and
/// `gia_han`.
fn xray() -> ProcedureVersion {
    ProcedureVersion {
        name: "Cấp giấy phép tiến hành công việc bức xạ – sử dụng thiết bị X-quang chẩn đoán trong y tế".into(),
        field: "An toàn bức xạ và hạt nhân".into(),
        agency: "Sở Khoa học và Công nghệ".into(),
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
        channels: vec![ChannelSpec {
            channel: Channel::InPerson,
            time_limit: Some(Duration::WorkingDays(5)),
            same_day: false,
            fees: vec![Fee {
                name: "Lệ phí cấp giấy phép".into(),
                kind: FeeKind::Charge,
                amount: Some(150_000),
                text: "150.000 đồng".into(),
                variants: vec![],
            }],
            workflow: vec![
                WorkflowStep {
                    name: "Thẩm định hồ sơ".into(),
                    unit_code: unit(UNIT),
                    slice: Duration::WorkingDays(3),
                },
                WorkflowStep {
                    name: "Phê duyệt".into(),
                    unit_code: unit(UNIT),
                    slice: Duration::WorkingDays(2),
                },
            ],
        }],
        ..Default::default()
    }
}

/// The receiving unit and the published procedure; returns the procedure id.
async fn setup(s: &Store) -> String {
    let now = t("2025-01-01T08:00:00+07:00");
    identity::create_unit(
        s,
        &Actor::system(),
        now,
        NewUnit {
            code: unit(UNIT),
            name: "Sở Khoa học và Công nghệ".into(),
            name_en: "Department of Science and Technology".into(),
            kind: "agency".into(),
            parent_id: None,
        },
    )
    .await
    .unwrap();
    crate::support::publish_procedure(s, now, &xray()).await
}

fn minh() -> Applicant {
    Applicant::Person(Person {
        full_name: "Trần Văn Minh".into(),
        citizen_id: "044080001234".into(),
        phone: "0912 345 678".into(),
        email: Some("minh@example.vn".into()),
        address: None,
    })
}

fn intake(procedure: &str, present: &[usize], outcome: IntakeOutcome) -> Intake {
    Intake {
        procedure: procedure.into(),
        channel: Channel::InPerson,
        variant: Some("moi".into()),
        applicant: minh(),
        present: present
            .iter()
            .map(|&index| PresentComponent {
                index,
                ..Default::default()
            })
            .collect(),
        receiving_unit: UNIT.into(),
        outcome,
        intake_key: None,
    }
}

struct Env {
    calendars: CalendarCache,
    rules: DeadlineRules,
}

impl Env {
    fn new() -> Env {
        Env {
            calendars: CalendarCache::new(),
            rules: DeadlineRules::default(),
        }
    }
    fn dl(&self) -> Deadlines<'_> {
        Deadlines {
            calendars: &self.calendars,
            rules: &self.rules,
        }
    }
}

const FRIDAY_9: &str = "2026-11-27T09:00:00+07:00";

/// The record the store keeps in memory after a write (what a command's answer is built from)
/// is exactly the one the database gives back: row, folded state, checklist and steps.
async fn remembered_is_stored(s: &Store, id: &str) {
    let kept = dossiers::for_command(s, id, None).await.unwrap().unwrap();
    let stored = dossiers::get(s.db(), id).await.unwrap().unwrap();
    assert_eq!(
        serde_json::to_value(&kept).unwrap(),
        serde_json::to_value(&stored).unwrap(),
        "the remembered record of {id} differs from the stored one"
    );
}

/// `n` receipts at Friday 9:00, all at once; the i-th intake changed by `change` first.
async fn receive_at_once(
    store: &Store,
    pid: &str,
    n: usize,
    change: fn(usize, &mut Intake),
) -> Vec<Result<dossiers::DossierRow, StoreError>> {
    let env = Arc::new(Env::new());
    let mut tasks = Vec::new();
    for i in 0..n {
        let (s, env) = (store.clone(), env.clone());
        let mut intake = intake(pid, &[0, 1, 2], IntakeOutcome::Receive);
        change(i, &mut intake);
        tasks.push(tokio::spawn(async move {
            dossiers::receive(&s, env.dl(), &clerk(), t(FRIDAY_9), intake).await
        }));
    }
    let mut out = Vec::with_capacity(n);
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

/// A dossier received at the desk at `at` with every component present.
async fn received(s: &Store, env: &Env, pid: &str, at: DateTime<Utc>) -> dossiers::DossierRow {
    dossiers::receive(
        s,
        env.dl(),
        &clerk(),
        at,
        intake(pid, &[0, 1, 2], IntakeOutcome::Receive),
    )
    .await
    .unwrap()
}

async fn count(s: &Store, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    match s.db() {
        motcua_store::Db::Sqlite(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(p).await.unwrap(),
        motcua_store::Db::Postgres(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(p).await.unwrap(),
    }
}

#[tokio::test]
async fn receipt_gives_code_appointment_steps_and_one_event() {
    on_each_db("receipt_gives_code_appointment_steps_and_one_event", |db| async move {
        let s = &db.store;
        let pid = setup(s).await;
        let env = Env::new();
        let at = t(FRIDAY_9);
        let a = received(s, &env, &pid, at).await;
        let b = dossiers::receive(
            s,
            env.dl(),
            &clerk(),
            at,
            intake(&pid, &[0, 1, 2, 4], IntakeOutcome::Receive),
        )
        .await
        .unwrap();
        assert_eq!(a.code.as_deref(), Some("000.00.15.H50-261127-0001"));
        assert_eq!(b.code.as_deref(), Some("000.00.15.H50-261127-0002"));
        assert_eq!((a.state.as_str(), a.national_status, a.is_open), ("received", 2, true));
        assert_eq!((a.version, a.steps_total, a.current_unit.as_str()), (1, 2, UNIT));
        // 5 working days from Friday 09:00: the next Friday 09:00 (Vietnam time).
        assert_eq!(a.appointment, Some(t("2026-12-04T09:00:00+07:00").timestamp_micros()));
        assert_eq!(a.original_appointment, a.appointment);

        let rec = dossiers::by_code(s.db(), "000.00.15.H50-261127-0001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(rec.row, a);
        assert_eq!(rec.dossier.steps_total, 2);
        // The checklist of variant `moi`: four lines (the `gia_han` paper does not apply).
        let lines: Vec<(i64, bool, bool)> = rec
            .components
            .iter()
            .map(|c| (c.position, c.required, c.present))
            .collect();
        assert_eq!(
            lines,
            [(0, true, true), (1, true, true), (2, true, true), (4, false, false)]
        );
        let steps: Vec<(&str, Option<i64>)> = rec.steps.iter().map(|s| (s.name.as_str(), s.due_at)).collect();
        assert_eq!(
            steps,
            [
                (
                    "Thẩm định hồ sơ",
                    Some(t("2026-12-02T09:00:00+07:00").timestamp_micros())
                ),
                ("Phê duyệt", Some(t("2026-12-04T09:00:00+07:00").timestamp_micros())),
            ]
        );
        let h = dossiers::history(s.db(), &a.id).await.unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].row.kind, "dossier.received");
        assert!(h[0].row.payload.contains("\"intake\""));
        assert_eq!(Dossier::from_events(h.iter().map(|e| &e.event)), rec.dossier);

        // The next local day starts again at 0001 (23:30 on the 27th in Vietnam is still the 27th).
        let late = received(s, &env, &pid, t("2026-11-27T23:30:00+07:00")).await;
        assert_eq!(late.code.as_deref(), Some("000.00.15.H50-261127-0003"));
        let next = received(s, &env, &pid, t("2026-11-30T08:00:00+07:00")).await;
        assert_eq!(next.code.as_deref(), Some("000.00.15.H50-261130-0001"));
        assert!(events::verify_all(s.db()).await.unwrap().ok());
        db
    })
    .await;
}

#[tokio::test]
async fn twenty_concurrent_receipts_get_distinct_gap_free_codes() {
    on_each_db(
        "twenty_concurrent_receipts_get_distinct_gap_free_codes",
        |db| async move {
            let pid = setup(&db.store).await;
            let mut codes: Vec<String> = receive_at_once(&db.store, &pid, 20, |_, _| {})
                .await
                .into_iter()
                .map(|r| r.unwrap().code.unwrap())
                .collect();
            codes.sort();
            let expected: Vec<String> = (1..=20).map(|n| format!("000.00.15.H50-261127-{n:04}")).collect();
            assert_eq!(codes, expected);
            assert!(events::verify_all(db.store.db()).await.unwrap().ok());
            db
        },
    )
    .await;
}

/// Units of work that share a group commit stay apart: receipts whose last statement fails (a
/// scan that does not exist, after the code, event and dossier row were sent in the same
/// batch) leave nothing behind, not even a code, and the receipts beside them are whole.
#[tokio::test]
async fn a_failing_receipt_in_a_group_leaves_no_trace_and_spoils_nothing() {
    on_each_db(
        "a_failing_receipt_in_a_group_leaves_no_trace_and_spoils_nothing",
        |db| async move {
            let pid = setup(&db.store).await;
            let outcomes = receive_at_once(&db.store, &pid, 24, |i, intake| {
                if i % 3 == 0 {
                    intake.present[0].file_id = Some(format!("no-such-file-{i}"));
                }
            })
            .await;
            let (mut codes, mut refused) = (Vec::new(), 0);
            for outcome in outcomes {
                match outcome {
                    Ok(row) => codes.push(row.code.unwrap()),
                    Err(StoreError::Rejected {
                        code: "file_unknown", ..
                    }) => refused += 1,
                    Err(e) => panic!("unexpected {e:?}"),
                }
            }
            assert_eq!(refused, 8);
            codes.sort();
            let expected: Vec<String> = (1..=16).map(|n| format!("000.00.15.H50-261127-{n:04}")).collect();
            assert_eq!(
                codes, expected,
                "codes are gap-free: a failed receipt gives its number back"
            );
            assert_eq!(count(&db.store, "dossiers").await, 16);
            // The checklist of the "moi" case has four components.
            assert_eq!(count(&db.store, "dossier_components").await, 16 * 4);
            assert_eq!(count(&db.store, "dossier_steps").await, 16 * 2);
            assert_eq!(count(&db.store, "events WHERE aggregate_type = 'dossier'").await, 16);
            assert!(events::verify_all(db.store.db()).await.unwrap().ok());
            db
        },
    )
    .await;
}

/// An intake that fails late in its statements for an expected reason — the same papers
/// recorded twice, found by the dossier row's unique intake key after its event was written —
/// is undone alone when it shares a group commit: the command queued before it is kept.
#[tokio::test]
async fn a_second_intake_of_the_same_papers_in_a_group_leaves_the_group_alone() {
    on_each_db(
        "a_second_intake_of_the_same_papers_in_a_group_leaves_the_group_alone",
        |db| async move {
            let pid = setup(&db.store).await;
            let env = Arc::new(Env::new());
            let guided = || {
                let mut i = intake(
                    &pid,
                    &[0],
                    IntakeOutcome::GuideToComplete {
                        missing: vec![],
                        reason: "Thiếu giấy tờ bắt buộc".into(),
                    },
                );
                i.intake_key = Some("phieu-0042".into());
                i
            };
            let at = t(FRIDAY_9);
            let d = received(&db.store, &env, &pid, at).await;
            dossiers::receive(&db.store, env.dl(), &clerk(), at, guided())
                .await
                .unwrap();
            // Hold the writer so that what follows is queued, in order, as one group.
            let s = db.store.clone();
            let hold = tokio::spawn(async move {
                s.write(|_| {
                    Box::pin(async move {
                        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                        Ok(())
                    })
                })
                .await
            });
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            let (s, e, id) = (db.store.clone(), env.clone(), d.id.clone());
            let assign = tokio::spawn(async move {
                let cmd = Command::Assign {
                    assignee: "hung".into(),
                };
                dossiers::apply_command(&s, e.dl(), &clerk(), t("2026-11-27T10:00:00+07:00"), &id, 1, cmd).await
            });
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            let (s, e, again) = (db.store.clone(), env.clone(), guided());
            let twice = tokio::spawn(async move { dossiers::receive(&s, e.dl(), &clerk(), at, again).await });
            hold.await.unwrap().unwrap();
            let twice = twice.await.unwrap();
            assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
            assert_eq!(assign.await.unwrap().unwrap().version, 2);
            remembered_is_stored(&db.store, &d.id).await;
            assert_eq!(count(&db.store, "dossiers").await, 2);
            assert_eq!(count(&db.store, "events WHERE aggregate_type = 'dossier'").await, 3);
            db
        },
    )
    .await;
}

/// Commands that share a group commit stay apart: one whose statement fails — here because
/// another process appended to its chain behind this one's back — is undone alone (to its
/// savepoint), the others are written whole, and its next try starts afresh.
#[tokio::test]
async fn a_command_failing_in_a_group_is_undone_alone() {
    on_each_db(
        "a_command_failing_in_a_group_is_undone_alone",
        |db| async move {
            let pid = setup(&db.store).await;
            let env = Arc::new(Env::new());
            let mut ids = Vec::new();
            for _ in 0..12 {
                let d = received(&db.store, &env, &pid, t(FRIDAY_9)).await;
                let assign = Command::Assign {
                    assignee: "hung".into(),
                };
                let at = t("2026-11-27T10:00:00+07:00");
                dossiers::apply_command(&db.store, env.dl(), &clerk(), at, &d.id, 1, assign)
                    .await
                    .unwrap();
                ids.push(d.id);
            }
            // Another writer appends to the fifth dossier's chain: this process's head is stale.
            let sql = "INSERT INTO events (aggregate_type, aggregate_id, seq, kind, actor_id, actor_role, actor_unit, \
                       occurred_at, payload, prev_hash, hash) VALUES ('dossier', $1, 3, 'dossier.noted', 'x', 'x', '', 0, '{}', 'x', 'x')";
            on_db!(db.store.db(), |p| sqlx::query(sql).bind(&ids[4]).execute(p).await.map(|_| ())).unwrap();
            let mut tasks = Vec::new();
            for id in ids.clone() {
                let (s, env) = (db.store.clone(), env.clone());
                tasks.push(tokio::spawn(async move {
                    let cmd = Command::HandOver {
                        receiver: "nga".into(),
                        verdict: StepVerdict::OnTime,
                    };
                    let at = t("2026-12-01T10:00:00+07:00");
                    dossiers::apply_command(&s, env.dl(), &clerk(), at, &id, 2, cmd).await
                }));
            }
            let mut outcomes = Vec::new();
            for task in tasks {
                outcomes.push(task.await.unwrap());
            }
            for (i, (id, outcome)) in ids.iter().zip(&outcomes).enumerate() {
                if i == 4 {
                    assert!(matches!(outcome, Err(StoreError::Conflict(_))), "{outcome:?}");
                    // Undone alone: the row, its steps and its chain are as before.
                    let rec = dossiers::get(db.store.db(), id).await.unwrap().unwrap();
                    assert_eq!(rec.row.version, 2);
                    assert!(rec.steps[0].handed_over_at.is_none());
                    assert_eq!(count(&db.store, &format!("events WHERE aggregate_id = '{id}'")).await, 3);
                } else {
                    assert_eq!(outcome.as_ref().unwrap().version, 3);
                    remembered_is_stored(&db.store, id).await;
                }
            }
            // The stale head was forgotten: the next try is judged against the real chain.
            let again = dossiers::apply_command(
                &db.store,
                env.dl(),
                &clerk(),
                t("2026-12-01T10:05:00+07:00"),
                &ids[4],
                2,
                Command::HandOver {
                    receiver: "nga".into(),
                    verdict: StepVerdict::OnTime,
                },
            )
            .await;
            assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
            db
        },
    )
    .await;
}

#[tokio::test]
async fn missing_components_write_nothing_and_guidance_keeps_the_sequence() {
    on_each_db(
        "missing_components_write_nothing_and_guidance_keeps_the_sequence",
        |db| async move {
            let s = &db.store;
            let pid = setup(s).await;
            let env = Env::new();
            let at = t(FRIDAY_9);
            let before = count(s, "events").await;
            let r = dossiers::receive(s, env.dl(), &clerk(), at, intake(&pid, &[0], IntakeOutcome::Receive)).await;
            match r {
                Err(StoreError::Rejected {
                    code: "missing_components",
                    message,
                }) => {
                    assert!(message.contains("Giấy chứng nhận kiểm định thiết bị"), "{message}");
                    assert!(message.contains("Chứng chỉ đào tạo"), "{message}");
                }
                other => panic!("expected missing_components, got {other:?}"),
            }
            assert_eq!(count(s, "dossiers").await, 0);
            assert_eq!(count(s, "dossier_sequences").await, 0);
            assert_eq!(count(s, "events").await, before);

            // Guided to complete (Mẫu 02): recorded without a code, the missing papers listed.
            let guided = dossiers::receive(
                s,
                env.dl(),
                &clerk(),
                at,
                intake(
                    &pid,
                    &[0],
                    IntakeOutcome::GuideToComplete {
                        missing: vec![],
                        reason: "Thiếu giấy tờ bắt buộc".into(),
                    },
                ),
            )
            .await
            .unwrap();
            assert_eq!(
                (guided.code.clone(), guided.state.as_str(), guided.national_status),
                (None, "guided", 5)
            );
            let h = dossiers::history(s.db(), &guided.id).await.unwrap();
            assert_eq!(h[0].row.kind, "dossier.guided_to_complete");
            match &h[0].event.command {
                Command::GuideToComplete { missing, .. } => assert_eq!(missing.len(), 2),
                other => panic!("{other:?}"),
            }
            // Refused (Mẫu 03): recorded, terminal, national status 3.
            let refused = dossiers::receive(
                s,
                env.dl(),
                &clerk(),
                at,
                intake(
                    &pid,
                    &[0],
                    IntakeOutcome::Refuse {
                        reason: "Không thuộc thẩm quyền".into(),
                    },
                ),
            )
            .await
            .unwrap();
            assert_eq!(
                (refused.state.as_str(), refused.national_status, refused.is_open),
                ("not_received", 3, false)
            );

            // The applicant comes back with the papers: received with the first code of the day.
            let received = dossiers::receive_guided(
                s,
                env.dl(),
                &clerk(),
                t("2026-11-27T14:00:00+07:00"),
                &guided.id,
                guided.version,
                vec![
                    PresentComponent {
                        index: 1,
                        file_id: None,
                        ..Default::default()
                    },
                    PresentComponent {
                        index: 2,
                        file_id: None,
                        ..Default::default()
                    },
                ],
            )
            .await
            .unwrap();
            assert_eq!(received.code.as_deref(), Some("000.00.15.H50-261127-0001"));
            assert_eq!((received.state.as_str(), received.version), ("received", 2));
            remembered_is_stored(s, &guided.id).await;
            let rec = dossiers::get(s.db(), &guided.id).await.unwrap().unwrap();
            assert_eq!(rec.steps.len(), 2);
            assert!(rec.components.iter().filter(|c| c.required).all(|c| c.present));
            // A refused dossier cannot be received.
            let again = dossiers::receive_guided(s, env.dl(), &clerk(), at, &refused.id, refused.version, vec![]).await;
            assert!(
                matches!(
                    again,
                    Err(StoreError::Rejected {
                        code: "illegal_transition",
                        ..
                    })
                ),
                "{again:?}"
            );
            db
        },
    )
    .await;
}

#[tokio::test]
async fn full_lifecycle_ends_returned_with_national_status_10() {
    on_each_db(
        "full_lifecycle_ends_returned_with_national_status_10",
        |db| async move {
            let s = &db.store;
            let pid = setup(s).await;
            let env = Env::new();
            let d = received(s, &env, &pid, t(FRIDAY_9)).await;
            let steps: Vec<(&str, Command)> = vec![
                (
                    "2026-11-27T10:00:00+07:00",
                    Command::Assign {
                        assignee: "hung".into(),
                    },
                ),
                (
                    // Step 1 (3wd from 10:00 Friday) is due Wednesday 10:00: handed over on Tuesday.
                    "2026-12-01T10:00:00+07:00",
                    Command::HandOver {
                        receiver: "nga".into(),
                        verdict: StepVerdict::Late, // replaced by the store's verdict
                    },
                ),
                (
                    // Step 2 (2wd from Tuesday 10:00) is due Thursday 10:00: handed over that morning.
                    "2026-12-03T09:00:00+07:00",
                    Command::HandOver {
                        receiver: "nga".into(),
                        verdict: StepVerdict::Late,
                    },
                ),
                (
                    "2026-12-03T10:00:00+07:00",
                    Command::Approve {
                        number: "15/GP-SKHCN".into(),
                        date: NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
                    },
                ),
                (
                    "2026-12-03T15:00:00+07:00",
                    Command::ReturnResult {
                        method: ReturnMethod::Counter {
                            received_by: "Trần Văn Minh".into(),
                        },
                    },
                ),
            ];
            let mut version = d.version;
            let mut states = vec![];
            remembered_is_stored(s, &d.id).await;
            for (at, cmd) in steps {
                let row = dossiers::apply_command(s, env.dl(), &clerk(), t(at), &d.id, version, cmd)
                    .await
                    .unwrap();
                remembered_is_stored(s, &d.id).await;
                assert_eq!(row.version, version + 1);
                version = row.version;
                states.push((row.state.clone(), row.national_status));
            }
            assert_eq!(
                states,
                [
                    ("processing".to_owned(), 4),
                    ("processing".to_owned(), 4),
                    ("awaiting_decision".to_owned(), 4),
                    ("decided".to_owned(), 9),
                    ("returned".to_owned(), 10),
                ]
            );
            let rec = dossiers::get(s.db(), &d.id).await.unwrap().unwrap();
            assert_eq!(
                (rec.row.state.as_str(), rec.row.national_status, rec.row.is_open),
                ("returned", 10, false)
            );
            let kinds: Vec<String> = dossiers::history(s.db(), &d.id)
                .await
                .unwrap()
                .into_iter()
                .map(|h| h.row.kind)
                .collect();
            assert_eq!(
                kinds,
                [
                    "dossier.received",
                    "dossier.assigned",
                    "dossier.handed_over",
                    "dossier.handed_over",
                    "dossier.approved",
                    "dossier.result_returned"
                ]
            );
            let h = dossiers::history(s.db(), &d.id).await.unwrap();
            assert_eq!(Dossier::from_events(h.iter().map(|e| &e.event)), rec.dossier);
            // Mẫu 05: who gave, who received, when, and the verdict computed by the core.
            let slip: Vec<(Option<&str>, Option<&str>, Option<&str>)> = rec
                .steps
                .iter()
                .map(|s| (s.assignee.as_deref(), s.receiver.as_deref(), s.verdict.as_deref()))
                .collect();
            assert_eq!(
                slip,
                [
                    (Some("hung"), Some("nga"), Some("early")),
                    (Some("nga"), Some("nga"), Some("on_time"))
                ]
            );
            assert!(
                rec.steps
                    .iter()
                    .all(|s| s.started_at.is_some() && s.handed_over_at.is_some())
            );
            assert!(events::verify_all(s.db()).await.unwrap().ok());
            db
        },
    )
    .await;
}

/// A step row as Mẫu 05 reads it: position, name, partner agency, assignee, giver, receiver,
/// verdict.
type SlipRow<'a> = (
    i64,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

/// Liên thông with the partner agency's steps (issue 5 item 5): the send finishes the sender's
/// step and inserts the partner's two steps after it, the partner hands over between them, the
/// return finishes the partner's last step and starts the sender's next one — one dossier, one
/// ledger row.
#[tokio::test]
async fn partner_steps_are_rows_of_the_one_dossier_on_each_db() {
    on_each_db(
        "partner_steps_are_rows_of_the_one_dossier_on_each_db",
        |db| async move {
            let s = &db.store;
            let pid = setup(s).await;
            let env = Env::new();
            let now = t("2025-01-01T08:00:00+07:00");
            let partner = identity::create_unit(
                s,
                &Actor::system(),
                now,
                NewUnit {
                    code: unit("000.00.16.H50"),
                    name: "Sở Y tế".into(),
                    name_en: "Department of Health".into(),
                    kind: "agency".into(),
                    parent_id: None,
                },
            )
            .await
            .unwrap();
            identity::create_unit(
                s,
                &Actor::system(),
                now,
                NewUnit {
                    code: unit("000.01.16.H50"),
                    name: "Phòng Nghiệp vụ Y".into(),
                    name_en: "Medical Affairs Division".into(),
                    kind: "unit".into(),
                    parent_id: Some(partner.id.clone()),
                },
            )
            .await
            .unwrap();
            let d = received(s, &env, &pid, t(FRIDAY_9)).await;
            let partner_step = |name: &str, code: &str| WorkflowStep {
                name: name.into(),
                unit_code: unit(code),
                slice: Duration::WorkingDays(1),
            };
            let send = |steps| Command::SendToAgency {
                agency: unit("000.00.16.H50"),
                steps,
            };
            let mut version = d.version;
            let mut run = async |at: &str, cmd: Command| {
                let row = dossiers::apply_command(s, env.dl(), &clerk(), t(at), &d.id, version, cmd).await?;
                remembered_is_stored(s, &d.id).await;
                version = row.version;
                Ok::<_, StoreError>(row)
            };
            run(
                "2026-11-27T10:00:00+07:00",
                Command::Assign {
                    assignee: "hung".into(),
                },
            )
            .await
            .unwrap();
            // A step of a unit outside the partner agency is refused.
            let err = run("2026-11-30T10:00:00+07:00", send(vec![partner_step("Thẩm định", UNIT)]))
                .await
                .unwrap_err();
            assert!(
                matches!(&err, StoreError::Rejected { code, .. } if *code == "partner_unit_unknown"),
                "{err:?}"
            );
            // Monday 10:00: step 1 (due Wednesday 10:00) goes to the partner early.
            let row = run(
                "2026-11-30T10:00:00+07:00",
                send(vec![
                    partner_step("Thẩm định liên thông", "000.01.16.H50"),
                    partner_step("Ký xác nhận", "000.00.16.H50"),
                ]),
            )
            .await
            .unwrap();
            assert_eq!(
                (row.state.as_str(), row.current_step, row.steps_total),
                ("at_partner_agency", 1, 4)
            );
            assert_eq!(row.current_unit, "000.01.16.H50");
            run("2026-11-30T14:00:00+07:00", Command::Assign { assignee: "thu".into() })
                .await
                .unwrap();
            // Tuesday 11:00: the partner's first step (1wd from Monday 10:00, due Tuesday 10:00) is late.
            let row = run(
                "2026-12-01T11:00:00+07:00",
                Command::HandOver {
                    receiver: "khoa".into(),
                    verdict: StepVerdict::Early,
                },
            )
            .await
            .unwrap();
            assert_eq!((row.state.as_str(), row.current_step), ("at_partner_agency", 2));
            assert_eq!(row.current_unit, "000.00.16.H50");
            // Tuesday 14:00: the partner's last step (due Wednesday 11:00) comes back early.
            let row = run("2026-12-01T14:00:00+07:00", Command::ReturnFromAgency)
                .await
                .unwrap();
            assert_eq!(
                (row.state.as_str(), row.current_step, row.current_unit.as_str()),
                ("processing", 3, UNIT)
            );
            assert_eq!(row.assignee, None);

            let rec = dossiers::get(s.db(), &d.id).await.unwrap().unwrap();
            let slip: Vec<SlipRow> = rec
                .steps
                .iter()
                .map(|s| {
                    (
                        s.position,
                        s.name.as_str(),
                        s.agency_code.as_deref(),
                        s.assignee.as_deref(),
                        s.giver.as_deref(),
                        s.receiver.as_deref(),
                        s.verdict.as_deref(),
                    )
                })
                .collect();
            assert_eq!(
                slip,
                [
                    (
                        0,
                        "Thẩm định hồ sơ",
                        None,
                        Some("hung"),
                        Some("lan"),
                        Some("000.00.16.H50"),
                        Some("early")
                    ),
                    (
                        1,
                        "Thẩm định liên thông",
                        Some("000.00.16.H50"),
                        Some("thu"),
                        Some("lan"),
                        Some("khoa"),
                        Some("late")
                    ),
                    (
                        2,
                        "Ký xác nhận",
                        Some("000.00.16.H50"),
                        Some("khoa"),
                        Some("lan"),
                        Some(UNIT),
                        Some("early")
                    ),
                    (3, "Phê duyệt", None, None, None, None, None),
                ]
            );
            let us = |x: &str| t(x).timestamp_micros();
            let dues: Vec<Option<i64>> = rec.steps.iter().map(|s| s.due_at).collect();
            assert_eq!(dues[1], Some(us("2026-12-01T10:00:00+07:00")));
            assert_eq!(dues[2], Some(us("2026-12-02T11:00:00+07:00")));
            // The sender's step 2 (2wd) runs from the return.
            assert_eq!(rec.steps[3].started_at, Some(us("2026-12-01T14:00:00+07:00")));
            assert_eq!(dues[3], Some(us("2026-12-03T14:00:00+07:00")));
            let h = dossiers::history(s.db(), &d.id).await.unwrap();
            assert_eq!(Dossier::from_events(h.iter().map(|e| &e.event)), rec.dossier);
            // One dossier everywhere: one row, one ledger line, once in the receiving unit's queue.
            assert_eq!(count(s, "dossiers").await, 1);
            let ledger =
                dossiers::received_between(s.db(), t("2026-11-01T00:00:00+07:00"), t("2026-12-31T00:00:00+07:00"))
                    .await
                    .unwrap();
            assert_eq!(ledger.len(), 1);
            let queue = dossiers::inbox(
                s.db(),
                &InboxFilter {
                    unit: Some(UNIT.into()),
                    open_only: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            assert_eq!(queue.len(), 1);
            assert!(events::verify_all(s.db()).await.unwrap().ok());
            db
        },
    )
    .await;
}

#[tokio::test]
async fn stale_version_is_a_conflict_and_wrong_state_is_illegal_transition() {
    on_each_db(
        "stale_version_is_a_conflict_and_wrong_state_is_illegal_transition",
        |db| async move {
            let s = &db.store;
            let pid = setup(s).await;
            let env = Env::new();
            let d = received(s, &env, &pid, t(FRIDAY_9)).await;
            let at = t("2026-11-27T10:00:00+07:00");
            let assign = Command::Assign {
                assignee: "hung".into(),
            };
            dossiers::apply_command(s, env.dl(), &clerk(), at, &d.id, d.version, assign.clone())
                .await
                .unwrap();
            // A second leader who saw version 1 assigns too: 409.
            let stale = dossiers::apply_command(s, env.dl(), &clerk(), at, &d.id, d.version, assign).await;
            assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
            // Returning a result before a decision: wrong state.
            let wrong = dossiers::apply_command(
                s,
                env.dl(),
                &clerk(),
                at,
                &d.id,
                d.version + 1,
                Command::ReturnResult {
                    method: ReturnMethod::Electronic,
                },
            )
            .await;
            assert!(
                matches!(
                    wrong,
                    Err(StoreError::Rejected {
                        code: "illegal_transition",
                        ..
                    })
                ),
                "{wrong:?}"
            );
            let missing =
                dossiers::apply_command(s, env.dl(), &clerk(), at, "nope", 1, Command::ReturnFromAgency).await;
            assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
            assert_eq!(dossiers::history(s.db(), &d.id).await.unwrap().len(), 2);
            db
        },
    )
    .await;
}

#[tokio::test]
async fn lookup_answers_the_same_for_wrong_code_and_wrong_second_factor() {
    on_each_db(
        "lookup_answers_the_same_for_wrong_code_and_wrong_second_factor",
        |db| async move {
            let s = &db.store;
            let pid = setup(s).await;
            let env = Env::new();
            let d = received(s, &env, &pid, t(FRIDAY_9)).await;
            let code = d.code.clone().unwrap();
            let by_phone = dossiers::lookup(s.db(), &code, "+84 912 345 678")
                .await
                .unwrap()
                .unwrap();
            assert_eq!((by_phone.state.as_str(), by_phone.national_status), ("received", 2));
            assert_eq!(
                by_phone.history,
                [("dossier.received".to_owned(), d.received_at.unwrap())]
            );
            let by_id = dossiers::lookup(s.db(), &code, "044080001234").await.unwrap();
            assert_eq!(by_id.as_ref(), Some(&by_phone));
            let wrong_phone = dossiers::lookup(s.db(), &code, "0912345679").await.unwrap();
            let wrong_code = dossiers::lookup(s.db(), "000.00.15.H50-261127-0009", "0912345678")
                .await
                .unwrap();
            let empty = dossiers::lookup(s.db(), &code, "").await.unwrap();
            assert_eq!(wrong_phone, None);
            assert_eq!(wrong_code, None);
            assert_eq!(empty, None);
            db
        },
    )
    .await;
}

#[tokio::test]
async fn inbox_filters_by_holder_unit_due_and_searches_without_diacritics() {
    on_each_db(
        "inbox_filters_by_holder_unit_due_and_searches_without_diacritics",
        |db| async move {
            let s = &db.store;
            let pid = setup(s).await;
            let env = Env::new();
            let a = received(s, &env, &pid, t(FRIDAY_9)).await;
            let mut other = intake(&pid, &[0, 1, 2], IntakeOutcome::Receive);
            other.applicant = Applicant::Person(Person {
                full_name: "Lê Thị Hoa".into(),
                citizen_id: "044080009999".into(),
                phone: "0987654321".into(),
                email: None,
                address: None,
            });
            let b = dossiers::receive(s, env.dl(), &clerk(), t("2026-11-30T09:00:00+07:00"), other)
                .await
                .unwrap();
            dossiers::apply_command(
                s,
                env.dl(),
                &clerk(),
                t("2026-11-30T10:00:00+07:00"),
                &a.id,
                a.version,
                Command::Assign {
                    assignee: "hung".into(),
                },
            )
            .await
            .unwrap();
            let ids = |rows: Vec<dossiers::DossierRow>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
            let mine = dossiers::inbox(
                s.db(),
                &InboxFilter {
                    assignee: Some("hung".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            assert_eq!(ids(mine), [a.id.as_str()]);
            // "Mine" and "my unit's queue" are read through their indexes, not by reading every
            // dossier (SQLite; PostgreSQL's planner rightly scans a table this small).
            if s.kind() == motcua_store::db::DbKind::Sqlite {
                for (f, index) in [
                    (
                        InboxFilter {
                            assignee: Some("hung".into()),
                            open_only: true,
                            ..Default::default()
                        },
                        "dossiers_assignee",
                    ),
                    (
                        InboxFilter {
                            unit: Some(UNIT.into()),
                            open_only: true,
                            overdue_at: Some(t(FRIDAY_9)),
                            ..Default::default()
                        },
                        "dossiers_unit",
                    ),
                ] {
                    let plan = dossiers::inbox_plan(s.db(), &f).await.unwrap().join(" / ");
                    assert!(plan.contains(&format!("USING INDEX {index}")), "{plan}");
                }
            } else {
                assert!(
                    !dossiers::inbox_plan(s.db(), &InboxFilter::default())
                        .await
                        .unwrap()
                        .is_empty()
                );
            }
            let unit_queue = dossiers::inbox(
                s.db(),
                &InboxFilter {
                    unit: Some(UNIT.into()),
                    open_only: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            assert_eq!(
                ids(unit_queue),
                [a.id.as_str(), b.id.as_str()],
                "soonest appointment first"
            );
            for q in ["tran van minh", "TRẦN VĂN", "261127-0001"] {
                let hits = dossiers::inbox(
                    s.db(),
                    &InboxFilter {
                        query: Some(q.into()),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
                assert_eq!(ids(hits), [a.id.as_str()], "{q}");
            }
            let hoa = dossiers::inbox(
                s.db(),
                &InboxFilter {
                    query: Some("le thi hoa".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            assert_eq!(ids(hoa), [b.id.as_str()]);
            // On Friday 4 December at 10:00 the first is overdue; the second is due on Monday 7th.
            let now = t("2026-12-04T10:00:00+07:00");
            let overdue = dossiers::inbox(
                s.db(),
                &InboxFilter {
                    overdue_at: Some(now),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            assert_eq!(ids(overdue), [a.id.as_str()]);
            let near = dossiers::inbox(
                s.db(),
                &InboxFilter {
                    near_due_before: Some(t("2026-12-07T10:00:00+07:00")),
                    not_overdue_at: Some(now),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            assert_eq!(ids(near), [b.id.as_str()]);
            let page2 = dossiers::inbox(
                s.db(),
                &InboxFilter {
                    page: 1,
                    per_page: 1,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            assert_eq!(ids(page2), [b.id.as_str()]);
            db
        },
    )
    .await;
}

#[tokio::test]
async fn calendar_change_reschedules_open_dossiers_with_old_and_new_dates() {
    on_each_db(
        "calendar_change_reschedules_open_dossiers_with_old_and_new_dates",
        |db| async move {
            let s = &db.store;
            let pid = setup(s).await;
            let env = Env::new();
            let d = received(s, &env, &pid, t(FRIDAY_9)).await;
            let at = t("2026-11-30T08:00:00+07:00");
            assert!(
                dossiers::recompute_due(s, env.dl(), &Actor::system(), at)
                    .await
                    .unwrap()
                    .is_empty()
            );
            // The agency closes on Tuesday 1 December: the appointment moves one working day.
            motcua_store::calendar::add_closure(
                s,
                &Actor::system(),
                at,
                UNIT,
                NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
                "Sự cố mất điện",
            )
            .await
            .unwrap();
            let moved = dossiers::recompute_due(s, env.dl(), &Actor::system(), at)
                .await
                .unwrap();
            assert_eq!(moved.len(), 1);
            assert_eq!(moved[0].old, Some(t("2026-12-04T09:00:00+07:00")));
            assert_eq!(moved[0].new, t("2026-12-07T09:00:00+07:00"));
            let rec = dossiers::get(s.db(), &d.id).await.unwrap().unwrap();
            assert_eq!(
                rec.row.appointment,
                Some(t("2026-12-07T09:00:00+07:00").timestamp_micros())
            );
            assert_eq!(
                rec.row.original_appointment, d.original_appointment,
                "Mẫu 01 keeps its date"
            );
            let h = dossiers::history(s.db(), &d.id).await.unwrap();
            let last = h.last().unwrap();
            assert_eq!(last.row.kind, "dossier.rescheduled");
            assert_eq!(last.event.previous_appointment, Some(t("2026-12-04T09:00:00+07:00")));
            // Nothing more to move.
            assert!(
                dossiers::recompute_due(s, env.dl(), &Actor::system(), at)
                    .await
                    .unwrap()
                    .is_empty()
            );
            assert!(events::verify_all(s.db()).await.unwrap().ok());
            db
        },
    )
    .await;
}

#[tokio::test]
async fn scans_are_checked_by_their_bytes_and_attached_to_components() {
    on_each_db(
        "scans_are_checked_by_their_bytes_and_attached_to_components",
        |db| async move {
            let s = &db.store;
            let pid = setup(s).await;
            let env = Env::new();
            let at = t(FRIDAY_9);
            let pdf = files::put(
                s,
                &clerk(),
                at,
                NewFile {
                    name: "C:\\scan\\don-de-nghi.pdf".into(),
                    bytes: b"%PDF-1.7\n1 0 obj\n".to_vec(),
                },
            )
            .await
            .unwrap();
            assert_eq!(
                (pdf.content_type.as_str(), pdf.name.as_str(), pdf.size),
                (files::PDF, "don-de-nghi.pdf", 17)
            );
            let exe = files::put(
                s,
                &clerk(),
                at,
                NewFile {
                    name: "don.pdf".into(),
                    bytes: b"MZ\x90\x00".to_vec(),
                },
            )
            .await;
            assert!(
                matches!(
                    exe,
                    Err(StoreError::Rejected {
                        code: "file_type_not_allowed",
                        ..
                    })
                ),
                "{exe:?}"
            );
            let mut i = intake(&pid, &[1, 2], IntakeOutcome::Receive);
            i.present.push(PresentComponent {
                index: 0,
                file_id: Some(pdf.id.clone()),
                ..Default::default()
            });
            let d = dossiers::receive(s, env.dl(), &clerk(), at, i).await.unwrap();
            let rec = dossiers::get(s.db(), &d.id).await.unwrap().unwrap();
            assert_eq!(rec.components[0].file_id.as_deref(), Some(pdf.id.as_str()));
            assert_eq!(
                files::get(s.db(), &pdf.id).await.unwrap().unwrap().bytes,
                b"%PDF-1.7\n1 0 obj\n"
            );
            // An unknown file id is bad input, and nothing is written (not even a sequence).
            let mut bad = intake(&pid, &[1, 2], IntakeOutcome::Receive);
            bad.present.push(PresentComponent {
                index: 0,
                file_id: Some("no-such-file".into()),
                ..Default::default()
            });
            let r = dossiers::receive(s, env.dl(), &clerk(), at, bad).await;
            assert!(
                matches!(
                    r,
                    Err(StoreError::Rejected {
                        code: "file_unknown",
                        ..
                    })
                ),
                "{r:?}"
            );
            let next = received(s, &env, &pid, at).await;
            assert_eq!(next.code.as_deref(), Some("000.00.15.H50-261127-0002"));
            // The same paper dossier twice (same intake key): exactly one dossier.
            let mut k1 = intake(&pid, &[0, 1, 2], IntakeOutcome::Receive);
            k1.intake_key = Some("form-7f3a".into());
            let k2 = k1.clone();
            dossiers::receive(s, env.dl(), &clerk(), at, k1).await.unwrap();
            let dup = dossiers::receive(s, env.dl(), &clerk(), at, k2).await;
            assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
            assert_eq!(count(s, "dossiers").await, 3);
            db
        },
    )
    .await;
}

/// Issue 5 item 17: the demo loads about 200 dossiers in every state, with the special cases
/// the inspection and apology features need; every chain verifies.
#[tokio::test]
async fn the_demo_dossiers_cover_every_state_and_the_special_cases() {
    let db = crate::support::TestDb::sqlite().await;
    motcua::demo::seed(&db.store).await.unwrap();
    let now = chrono::Utc::now();
    let cache = motcua_store::calendar::CalendarCache::new();
    let out = motcua::demo_dossiers::seed(&db.store, &cache, now).await.unwrap();
    assert_eq!(out.total, 200);
    for state in [
        "returned",
        "decided",
        "processing",
        "awaiting_supplement",
        "awaiting_fee",
        "awaiting_decision",
        "withdrawn",
        "stopped",
        "guided",
        "not_received",
        "received",
    ] {
        assert!(
            out.by_state.get(state).copied().unwrap_or(0) > 0,
            "{state}: {:?}",
            out.by_state
        );
    }
    let filter = motcua_store::events::EventFilter {
        kind_prefix: Some("dossier.".into()),
        limit: 100_000,
        ..Default::default()
    };
    let events = motcua_store::events::list(db.store.db(), &filter).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    for k in [
        "dossier.apology_issued",
        "dossier.sent_to_agency",
        "dossier.returned_from_agency",
    ] {
        assert!(kinds.contains(&k), "{k}");
    }
    let flagged = |flag: &str| {
        events
            .iter()
            .any(|e| e.kind == "dossier.supplement_requested" && e.payload.contains(flag))
    };
    assert!(flagged("repeated_request") && flagged("not_in_published_procedure"));
    // The liên thông dossier carries the committee's two steps, worked and handed back.
    let partner_rows = count(
        &db.store,
        "dossier_steps WHERE agency_code = '000.00.00.H50' AND verdict IS NOT NULL",
    )
    .await;
    assert_eq!(partner_rows, 2);
    assert!(motcua_store::events::verify_all(db.store.db()).await.unwrap().ok());
}

/// Mẫu 05 (TT 01/2018): a step closed late by a liên thông send, and the partner's step closed
/// late by the return, are marked `step_late` on their events, as a late hand-over is — the
/// inspection module reads the marks, not the step rows.
#[tokio::test]
async fn late_steps_closed_by_send_and_return_are_marked() {
    on_each_db("late_steps_closed_by_send_and_return_are_marked", |db| async move {
        let s = &db.store;
        let pid = setup(s).await;
        let env = Env::new();
        let now = t("2025-01-01T08:00:00+07:00");
        identity::create_unit(
            s,
            &Actor::system(),
            now,
            NewUnit {
                code: unit("000.00.16.H50"),
                name: "Sở Y tế".into(),
                name_en: "Department of Health".into(),
                kind: "agency".into(),
                parent_id: None,
            },
        )
        .await
        .unwrap();
        let d = received(s, &env, &pid, t(FRIDAY_9)).await;
        let assign = Command::Assign {
            assignee: "hung".into(),
        };
        dossiers::apply_command(s, env.dl(), &clerk(), t("2026-11-27T10:00:00+07:00"), &d.id, 1, assign)
            .await
            .unwrap();
        // Step 1 (3wd from Friday 10:00) was due Wednesday 10:00: sent on Friday, late.
        let send = Command::SendToAgency {
            agency: unit("000.00.16.H50"),
            steps: vec![WorkflowStep {
                name: "Thẩm định của Sở Y tế".into(),
                unit_code: unit("000.00.16.H50"),
                slice: Duration::WorkingDays(1),
            }],
        };
        dossiers::apply_command(s, env.dl(), &clerk(), t("2026-12-04T10:00:00+07:00"), &d.id, 2, send)
            .await
            .unwrap();
        // The partner's step (1wd from Friday 10:00) was due Monday 10:00: returned Tuesday.
        let back = Command::ReturnFromAgency;
        dossiers::apply_command(s, env.dl(), &clerk(), t("2026-12-08T10:00:00+07:00"), &d.id, 3, back)
            .await
            .unwrap();
        let marks: Vec<(String, bool)> = dossiers::history(s.db(), &d.id)
            .await
            .unwrap()
            .into_iter()
            .map(|h| (h.row.kind, h.event.flags.contains(&Flag::StepLate)))
            .collect();
        assert_eq!(
            marks,
            [
                ("dossier.received".to_owned(), false),
                ("dossier.assigned".to_owned(), false),
                ("dossier.sent_to_agency".to_owned(), true),
                ("dossier.returned_from_agency".to_owned(), true),
            ]
        );
        let rec = dossiers::get(s.db(), &d.id).await.unwrap().unwrap();
        let verdicts: Vec<Option<&str>> = rec.steps.iter().map(|s| s.verdict.as_deref()).collect();
        assert_eq!(verdicts, [Some("late"), Some("late"), None]);
        db
    })
    .await;
}
