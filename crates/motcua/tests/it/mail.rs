//! E-mail notifications through the outbox and SMTP (issue 5 item 15), and calendar changes
//! moving the appointments of open dossiers (item 14).
//!
//! A local SMTP listener speaks just enough of the protocol (greeting, EHLO/HELO, MAIL FROM,
//! RCPT TO, DATA, QUIT) to receive what the worker sends, or answers 451 / hangs up to make it
//! fail. Time is a parameter of the worker's round, so retries are driven without waiting.

use crate::support::{Client, TestApp, on_each_db};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, NaiveDate, Utc};
use motcua::mailer::{Mailer, Round, SmtpConfig};
use motcua_core::calendar::Duration as Limit;
use motcua_core::catalog::{Channel, ChannelSpec, Component, CopyType, ProcedureVersion, Requirement};
use motcua_core::dossiers::{
    Applicant, Command, ComponentRef, DeadlineRules, Person, SupplementDraft, SupplementItemDraft,
};
use motcua_core::identity::UnitCode;
use motcua_store::calendar::CalendarCache;
use motcua_store::dossiers::{self, Deadlines, DossierRow, Intake, IntakeOutcome, PresentComponent};
use motcua_store::events::{self, Actor};
use motcua_store::identity::{self, NewUnit};
use motcua_store::outbox::{self, MAIL_TOPIC, Outcome};
use motcua_store::{Store, StoreError};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const UNIT: &str = "000.00.15.H50";
const FRIDAY_9: &str = "2026-11-27T09:00:00+07:00";

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

// ------------------------------------------------------------------------- a local SMTP server

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Accept,
    /// 451 to MAIL FROM: "try again later".
    Busy,
    /// Hang up right after accepting the connection.
    HangUp,
}

#[derive(Clone, Debug)]
struct Got {
    from: String,
    to: Vec<String>,
    data: String,
}

struct FakeSmtp {
    port: u16,
    mode: Arc<Mutex<Mode>>,
    got: Arc<Mutex<Vec<Got>>>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeSmtp {
    async fn start(mode: Mode) -> FakeSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(Mutex::new(mode));
        let got = Arc::new(Mutex::new(Vec::new()));
        let (m, g) = (mode.clone(), got.clone());
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let mode = *m.lock().unwrap();
                let got = g.clone();
                tokio::spawn(async move {
                    if mode == Mode::HangUp {
                        drop(sock);
                        return;
                    }
                    let _ = session(sock, mode, got).await;
                });
            }
        });
        FakeSmtp { port, mode, got, task }
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    fn received(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }

    fn config(&self) -> SmtpConfig {
        let mut c = SmtpConfig::new("127.0.0.1", "motcua@quangtri.gov.vn");
        c.port = self.port;
        c.timeout = Duration::from_secs(10);
        c.max_attempts = 3;
        c.retry_base = Duration::from_secs(60);
        c
    }
}

impl Drop for FakeSmtp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn session(sock: tokio::net::TcpStream, mode: Mode, got: Arc<Mutex<Vec<Got>>>) -> std::io::Result<()> {
    let (r, mut w) = sock.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 fake.test ESMTP\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let line = line.trim_end().to_owned();
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            w.write_all(b"250-fake.test\r\n250 8BITMIME\r\n").await?;
        } else if upper.starts_with("HELO") {
            w.write_all(b"250 fake.test\r\n").await?;
        } else if upper.starts_with("MAIL FROM:") {
            if mode == Mode::Busy {
                w.write_all(b"451 4.3.0 Mailbox busy, try again later\r\n").await?;
                continue;
            }
            from = line[10..].trim_matches(['<', '>']).to_owned();
            w.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(line[8..].trim_matches(['<', '>']).to_owned());
            w.write_all(b"250 OK\r\n").await?;
        } else if upper == "DATA" {
            w.write_all(b"354 go ahead\r\n").await?;
            let mut data = String::new();
            loop {
                let mut l = String::new();
                if r.read_line(&mut l).await? == 0 {
                    return Ok(());
                }
                if l == ".\r\n" {
                    break;
                }
                data.push_str(l.strip_prefix('.').unwrap_or(&l));
            }
            got.lock().unwrap().push(Got {
                from: std::mem::take(&mut from),
                to: std::mem::take(&mut to),
                data,
            });
            w.write_all(b"250 queued\r\n").await?;
        } else if upper == "QUIT" {
            w.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            w.write_all(b"500 what?\r\n").await?;
        }
    }
}

/// Headers (folded lines joined) and the base64 body decoded.
fn parse_message(data: &str) -> (HashMap<String, String>, String) {
    let (head, body) = data.split_once("\r\n\r\n").expect("headers and body");
    let mut headers: HashMap<String, String> = HashMap::new();
    let mut last = String::new();
    for line in head.split("\r\n") {
        if let Some(cont) = line.strip_prefix(' ') {
            headers.get_mut(&last).unwrap().push_str(&format!(" {cont}"));
        } else {
            let (k, v) = line.split_once(": ").unwrap();
            last = k.to_ascii_lowercase();
            headers.insert(last.clone(), v.to_owned());
        }
    }
    assert_eq!(headers["content-transfer-encoding"], "base64");
    assert_eq!(headers["content-type"], "text/plain; charset=UTF-8");
    let b64: String = body.split("\r\n").collect();
    let body = String::from_utf8(B64.decode(b64).unwrap()).unwrap();
    (headers, body)
}

/// Decode RFC 2047 `=?UTF-8?B?…?=` words (adjacent words join without the space between).
fn decode_words(s: &str) -> String {
    let mut bytes = Vec::new();
    for w in s.split_whitespace() {
        let inner = w
            .strip_prefix("=?UTF-8?B?")
            .and_then(|x| x.strip_suffix("?="))
            .unwrap_or_else(|| panic!("not an encoded word: {w}"));
        bytes.extend(B64.decode(inner).unwrap());
    }
    String::from_utf8(bytes).unwrap()
}

// ----------------------------------------------------------------------------- dossier fixture

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

fn clerk() -> Actor {
    Actor {
        id: "lan".into(),
        role: "clerk".into(),
        unit: UNIT.into(),
    }
}

/// The receiving unit (unless it exists, as in the demo) and a procedure of 5 working days in
/// person with two papers; returns the procedure id.
async fn setup(s: &Store) -> String {
    let at = t("2025-01-01T08:00:00+07:00");
    if identity::get_unit_by_code(s.db(), UNIT).await.unwrap().is_none() {
        identity::create_unit(
            s,
            &Actor::system(),
            at,
            NewUnit {
                code: UnitCode::parse(UNIT).unwrap(),
                name: "Sở Khoa học và Công nghệ".into(),
                name_en: "Department of Science and Technology".into(),
                kind: "agency".into(),
                parent_id: None,
            },
        )
        .await
        .unwrap();
    }
    let paper = |name: &str| Component {
        name: name.into(),
        copy_type: CopyType::Original,
        quantity: 1,
        requirement: Requirement::Required,
        condition: None,
        form: None,
        variants: vec![],
    };
    let v = ProcedureVersion {
        name: "Cấp giấy phép tiến hành công việc bức xạ – sử dụng thiết bị X-quang".into(),
        field: "An toàn bức xạ và hạt nhân".into(),
        agency: "Sở Khoa học và Công nghệ".into(),
        components: vec![
            paper("Đơn đề nghị cấp giấy phép"),
            paper("Giấy chứng nhận kiểm định thiết bị"),
        ],
        channels: vec![ChannelSpec {
            channel: Channel::InPerson,
            time_limit: Some(Limit::WorkingDays(5)),
            same_day: false,
            fees: vec![],
            workflow: vec![],
        }],
        ..Default::default()
    };
    crate::support::publish_procedure(s, at, &v).await
}

fn intake(procedure: &str, email: Option<&str>, present: &[usize]) -> Intake {
    Intake {
        procedure: procedure.into(),
        channel: Channel::InPerson,
        variant: None,
        applicant: Applicant::Person(Person {
            full_name: "Trần Văn Minh".into(),
            citizen_id: "044080001234".into(),
            phone: "0912 345 678".into(),
            email: email.map(str::to_owned),
            address: None,
        }),
        present: present
            .iter()
            .map(|&index| PresentComponent {
                index,
                ..Default::default()
            })
            .collect(),
        receiving_unit: UNIT.into(),
        outcome: IntakeOutcome::Receive,
        intake_key: None,
    }
}

async fn receive(s: &Store, env: &Env, pid: &str, email: Option<&str>, at: &str) -> DossierRow {
    dossiers::receive(s, env.dl(), &clerk(), t(at), intake(pid, email, &[0, 1]))
        .await
        .unwrap()
}

async fn mails(s: &Store) -> Vec<outbox::OutboxRow> {
    let mut v = outbox::list(s.db(), &outbox::ListFilter::default()).await.unwrap();
    v.reverse();
    v
}

// ---------------------------------------------------------------------------------------- tests

#[tokio::test]
async fn the_receipt_mail_reaches_a_local_smtp_server_in_vietnamese_first() {
    on_each_db(
        "the_receipt_mail_reaches_a_local_smtp_server_in_vietnamese_first",
        |db| async move {
            let s = &db.store;
            let pid = setup(s).await;
            let env = Env::new();
            let d = receive(s, &env, &pid, Some("minh@example.vn"), FRIDAY_9).await;
            let code = d.code.clone().unwrap();
            // Queued in the receipt's unit of work, by its event.
            let queued = mails(s).await;
            assert_eq!(queued.len(), 1);
            let first_event = &dossiers::history(s.db(), &d.id).await.unwrap()[0];
            assert_eq!(queued[0].event_id, first_event.row.id);
            assert_eq!((queued[0].status.as_str(), queued[0].attempts), ("pending", 0));

            let server = FakeSmtp::start(Mode::Accept).await;
            let mailer = Mailer::new(s.clone(), server.config());
            let now = t("2026-11-27T09:00:05+07:00");
            let round = mailer.run_once(now).await.unwrap();
            assert_eq!(
                round,
                Round {
                    sent: 1,
                    retried: 0,
                    failed: 0
                }
            );
            let got = server.received();
            assert_eq!(got.len(), 1);
            assert_eq!(got[0].from, "motcua@quangtri.gov.vn");
            assert_eq!(got[0].to, vec!["minh@example.vn".to_owned()]);
            let (h, body) = parse_message(&got[0].data);
            assert_eq!(
                decode_words(&h["subject"]),
                format!("Hồ sơ {code}: đã được tiếp nhận / Dossier {code}: received")
            );
            assert!(h["to"].ends_with("<minh@example.vn>"));
            assert!(decode_words(h["to"].trim_end_matches("<minh@example.vn>")).contains("Trần Văn Minh"));
            assert!(h["message-id"].contains(&d.id));
            assert!(body.starts_with("Kính gửi Trần Văn Minh,\r\n"), "{body}");
            let vi = body
                .find("Ngày hẹn trả kết quả: 09:00 ngày 04/12/2026")
                .expect("appointment in Vietnamese");
            let en = body
                .find("Result due: 04/12/2026 09:00 (UTC+7)")
                .expect("appointment in English");
            assert!(vi < en, "Vietnamese first");
            assert!(body.contains(&format!("Mã hồ sơ: {code}")));
            assert!(body.contains("Thủ tục: Cấp giấy phép tiến hành công việc bức xạ – sử dụng thiết bị X-quang"));

            let row = outbox::get(s.db(), queued[0].id).await.unwrap().unwrap();
            assert_eq!((row.status.as_str(), row.attempts), ("sent", 1));
            assert!(row.delivered_at.is_some());
            let attempts = outbox::attempts(s.db(), row.id).await.unwrap();
            assert_eq!(attempts.len(), 1);
            assert_eq!(
                (attempts[0].outcome.as_str(), attempts[0].error.clone()),
                ("sent", None)
            );
            // Nothing is sent twice.
            assert_eq!(mailer.run_once(now).await.unwrap(), Round::default());
            assert_eq!(server.received().len(), 1);
            db
        },
    )
    .await;
}

#[tokio::test]
async fn only_accepted_events_queue_mail_in_their_own_transaction() {
    on_each_db(
        "only_accepted_events_queue_mail_in_their_own_transaction",
        |db| async move {
            let s = &db.store;
            let pid = setup(s).await;
            let env = Env::new();
            // A receipt refused for missing papers writes no dossier and no mail.
            let r = dossiers::receive(s, env.dl(), &clerk(), t(FRIDAY_9), intake(&pid, Some("a@b.vn"), &[0])).await;
            assert!(matches!(
                r,
                Err(StoreError::Rejected {
                    code: "missing_components",
                    ..
                })
            ));
            assert!(mails(s).await.is_empty());
            // No address, no mail.
            receive(s, &env, &pid, None, FRIDAY_9).await;
            assert!(mails(s).await.is_empty());

            let d = receive(s, &env, &pid, Some("minh@example.vn"), FRIDAY_9).await;
            assert_eq!(mails(s).await.len(), 1);
            // A command refused by the state machine (approve before processing) queues nothing.
            let r = dossiers::apply_command(
                s,
                env.dl(),
                &clerk(),
                t("2026-11-27T10:00:00+07:00"),
                &d.id,
                d.version,
                Command::Approve {
                    number: "1/GP".into(),
                    date: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
                },
            )
            .await;
            assert!(matches!(
                r,
                Err(StoreError::Rejected {
                    code: "illegal_transition",
                    ..
                })
            ));
            assert_eq!(mails(s).await.len(), 1);
            // Assigning is not worth a mail; a supplement request is, with its papers.
            let d = dossiers::apply_command(
                s,
                env.dl(),
                &clerk(),
                t("2026-11-27T10:00:00+07:00"),
                &d.id,
                d.version,
                Command::Assign {
                    assignee: "hung".into(),
                },
            )
            .await
            .unwrap();
            assert_eq!(mails(s).await.len(), 1);
            let d = dossiers::request_supplement(
                s,
                env.dl(),
                &clerk(),
                t("2026-11-30T10:00:00+07:00"),
                &d.id,
                d.version,
                SupplementDraft {
                    items: vec![SupplementItemDraft::Component {
                        component: ComponentRef::Index(1),
                        note: Some("hết hạn kiểm định".into()),
                    }],
                    reason: "Giấy chứng nhận đã hết hạn".into(),
                    repeat_reason: None,
                },
            )
            .await
            .unwrap();
            let all = mails(s).await;
            assert_eq!(all.len(), 2);
            let last_event = dossiers::history(s.db(), &d.id).await.unwrap().pop().unwrap();
            assert_eq!(last_event.row.kind, "dossier.supplement_requested");
            assert_eq!(all[1].event_id, last_event.row.id);
            assert_eq!(
                all[1].idempotency_key,
                format!("dossier:{}:{}:mail", d.id, last_event.row.seq)
            );
            let m = all[1].mail().unwrap();
            assert_eq!(m.kind, "supplement_requested");
            assert!(
                m.body
                    .contains("  - Giấy chứng nhận kiểm định thiết bị (hết hạn kiểm định)")
            );
            assert_eq!(outbox::of_event(s.db(), last_event.row.id).await.unwrap().len(), 1);
            assert!(events::verify_all(s.db()).await.unwrap().ok());
            db
        },
    )
    .await;
}

#[tokio::test]
async fn failed_deliveries_retry_with_backoff_then_give_up_until_retried() {
    on_each_db(
        "failed_deliveries_retry_with_backoff_then_give_up_until_retried",
        |db| async move {
            let s = &db.store;
            let pid = setup(s).await;
            let env = Env::new();
            receive(s, &env, &pid, Some("minh@example.vn"), FRIDAY_9).await;
            let id = mails(s).await[0].id;
            let server = FakeSmtp::start(Mode::Busy).await;
            let mailer = Mailer::new(s.clone(), server.config());
            let t0 = t("2026-11-27T09:01:00+07:00");
            let secs = chrono::Duration::seconds;

            // Attempt 1 fails with 451: retried a minute later.
            assert_eq!(mailer.run_once(t0).await.unwrap().retried, 1);
            let row = outbox::get(s.db(), id).await.unwrap().unwrap();
            assert_eq!((row.status.as_str(), row.attempts), ("pending", 1));
            assert!(
                row.last_error.as_deref().unwrap().contains("451"),
                "{:?}",
                row.last_error
            );
            assert_eq!(row.next_attempt_at, (t0 + secs(60)).timestamp_micros());
            // Not due yet.
            assert_eq!(mailer.run_once(t0 + secs(59)).await.unwrap(), Round::default());
            // Attempt 2 (the server hangs up): the wait doubles.
            server.set(Mode::HangUp);
            assert_eq!(mailer.run_once(t0 + secs(60)).await.unwrap().retried, 1);
            let row = outbox::get(s.db(), id).await.unwrap().unwrap();
            assert_eq!(row.attempts, 2);
            assert!(
                row.last_error.as_deref().unwrap().contains("closed"),
                "{:?}",
                row.last_error
            );
            assert_eq!(row.next_attempt_at, (t0 + secs(60 + 120)).timestamp_micros());
            // Attempt 3 is the last one allowed.
            server.set(Mode::Busy);
            assert_eq!(mailer.run_once(t0 + secs(180)).await.unwrap().failed, 1);
            let row = outbox::get(s.db(), id).await.unwrap().unwrap();
            assert_eq!((row.status.as_str(), row.attempts), ("failed", 3));
            assert!(row.last_error.as_deref().unwrap().contains("gave up after 3 attempts"));
            assert_eq!(mailer.run_once(t0 + secs(100_000)).await.unwrap(), Round::default());
            let outcomes: Vec<String> = outbox::attempts(s.db(), id)
                .await
                .unwrap()
                .into_iter()
                .map(|a| a.outcome)
                .collect();
            assert_eq!(outcomes, ["retry", "retry", "failed"]);

            // The administrator retries it; the server works again.
            let admin = Actor {
                id: "admin".into(),
                role: "admin".into(),
                unit: String::new(),
            };
            let t1 = t0 + secs(4000);
            outbox::retry_now(s, &admin, id, t1).await.unwrap();
            let ev = events::of_aggregate(s.db(), outbox::AGGREGATE_TYPE, &id.to_string())
                .await
                .unwrap();
            assert_eq!(ev.len(), 1);
            assert_eq!(ev[0].kind, "outbox.retry_requested");
            server.set(Mode::Accept);
            assert_eq!(mailer.run_once(t1).await.unwrap().sent, 1);
            assert_eq!(server.received().len(), 1);
            // A sent message cannot be retried.
            assert!(matches!(
                outbox::retry_now(s, &admin, id, t1).await,
                Err(StoreError::Conflict(_))
            ));
            db
        },
    )
    .await;
}

#[tokio::test]
async fn a_message_claimed_but_never_confirmed_is_sent_after_its_claim_runs_out() {
    on_each_db(
        "a_message_claimed_but_never_confirmed_is_sent_after_its_claim_runs_out",
        |db| async move {
            let s = &db.store;
            let pid = setup(s).await;
            let env = Env::new();
            receive(s, &env, &pid, Some("minh@example.vn"), FRIDAY_9).await;
            let server = FakeSmtp::start(Mode::Accept).await;
            let mailer = Mailer::new(s.clone(), server.config());
            let t0 = t("2026-11-27T09:01:00+07:00");
            // A worker claims the message and dies before recording anything.
            let claimed = outbox::claim(s, MAIL_TOPIC, t0, mailer.lease(), 10).await.unwrap();
            assert_eq!(claimed.len(), 1);
            assert_eq!((claimed[0].status.as_str(), claimed[0].attempts), ("sending", 1));
            // While the claim holds, nobody else takes it.
            assert_eq!(
                mailer.run_once(t0 + chrono::Duration::seconds(1)).await.unwrap(),
                Round::default()
            );
            // After a restart and the end of the claim, it is sent.
            let later = t0 + mailer.lease() + chrono::Duration::seconds(1);
            let restarted = Mailer::new(s.clone(), server.config());
            assert_eq!(restarted.run_once(later).await.unwrap().sent, 1);
            assert_eq!(server.received().len(), 1);
            let row = outbox::get(s.db(), claimed[0].id).await.unwrap().unwrap();
            assert_eq!((row.status.as_str(), row.attempts), ("sent", 2));
            // The dead worker's late answer does not overwrite the newer attempt.
            let stale = outbox::record(s, row.id, 1, t0, later, Outcome::Failed { error: "late".into() })
                .await
                .unwrap();
            assert!(!stale);
            assert_eq!(outbox::get(s.db(), row.id).await.unwrap().unwrap().status, "sent");
            db
        },
    )
    .await;
}

#[tokio::test]
async fn the_admin_outbox_page_shows_failures_and_retries_now() {
    let app = TestApp::sqlite_demo().await;
    let s = app.db.store.clone();
    let pid = setup(&s).await;
    let env = Env::new();
    let d = receive(&s, &env, &pid, Some("minh@example.vn"), FRIDAY_9).await;
    let server = FakeSmtp::start(Mode::Busy).await;
    Mailer::new(s.clone(), server.config())
        .run_once(t("2026-11-27T09:01:00+07:00"))
        .await
        .unwrap();
    let id = mails(&s).await[0].id;

    // Only the administrator.
    let mut anon = Client::default();
    assert_eq!(app.get(&mut anon, "/admin/outbox").await.status, 303);
    assert_eq!(app.get(&mut anon, "/api/v1/outbox").await.status, 401);
    let mut clerk = app.login("lan", "demo-clerk-2026").await;
    assert_eq!(app.get(&mut clerk, "/admin/outbox").await.status, 403);
    assert_eq!(app.get(&mut clerk, "/api/v1/outbox").await.status, 403);
    let r = app.form(&mut clerk, &format!("/admin/outbox/{id}/retry"), &[]).await;
    assert_eq!(r.status, 403);

    let mut admin = app.login("admin", "demo-admin-2026").await;
    let page = app.get(&mut admin, "/admin/outbox").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Gửi lỗi, sẽ thử lại"), "{}", page.body);
    assert!(page.body.contains("451 4.3.0 Mailbox busy"));
    assert!(page.body.contains("Lần gửi tiếp theo: 27/11/2026 09:02:00"));
    assert!(page.body.contains(d.code.as_deref().unwrap()));
    assert!(
        page.body.contains("id=\"smtp-off\""),
        "the test app has no SMTP settings"
    );
    let only_failed = app.get(&mut admin, "/admin/outbox?state=failed").await;
    assert!(!only_failed.body.contains(&format!("id=\"message-{id}\"")));

    let api = app.get(&mut admin, "/api/v1/outbox?state=retrying").await;
    assert_eq!(api.status, 200, "{}", api.body);
    let j = api.json();
    assert_eq!(j["counts"]["retrying"], 1);
    assert_eq!(j["messages"][0]["id"], id);
    assert_eq!(j["messages"][0]["state"], "retrying");
    assert_eq!(j["messages"][0]["kind"], "received");
    assert_eq!(j["messages"][0]["next_attempt_at"], "2026-11-27T02:02:00Z");
    assert!(j["messages"][0]["last_error"].as_str().unwrap().contains("451"));
    assert_eq!(app.get(&mut admin, "/api/v1/outbox?state=lost").await.status, 400);

    // Retry now: due at once, recorded as an event.
    let before = Utc::now();
    let r = app
        .form(
            &mut admin,
            &format!("/admin/outbox/{id}/retry"),
            &[("state", "retrying")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/admin/outbox?state=retrying&ok=outbox.retried");
    let row = outbox::get(s.db(), id).await.unwrap().unwrap();
    assert!(row.next_attempt_at >= before.timestamp_micros());
    assert!(row.next_attempt_at <= Utc::now().timestamp_micros());
    let shown = app.get(&mut admin, &r.location()).await;
    assert!(shown.body.contains("Thư sẽ được gửi lại ngay."));
    let ev = events::of_aggregate(s.db(), outbox::AGGREGATE_TYPE, &id.to_string())
        .await
        .unwrap();
    assert_eq!(ev.len(), 1);

    // Once sent, retrying is a conflict (page 409, API 409); an unknown message is 404.
    server.set(Mode::Accept);
    Mailer::new(s.clone(), server.config())
        .run_once(Utc::now())
        .await
        .unwrap();
    let r = app.form(&mut admin, &format!("/admin/outbox/{id}/retry"), &[]).await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("Thư này đã được gửi hoặc đang được gửi."));
    let r = app
        .json(&mut admin, "POST", &format!("/api/v1/outbox/{id}/retry"), &json!({}))
        .await;
    assert_eq!(r.status, 409);
    let r = app
        .json(&mut admin, "POST", "/api/v1/outbox/999999/retry", &json!({}))
        .await;
    assert_eq!(r.status, 404);
    let sent = app.get(&mut admin, "/api/v1/outbox?state=sent").await.json();
    assert_eq!(sent["messages"][0]["state"], "sent");
    assert!(sent["messages"][0]["delivered_at"].is_string());
    app.db.cleanup().await;
}

#[tokio::test]
async fn a_day_off_added_through_the_calendar_api_moves_open_appointments_by_one_working_day() {
    let app = TestApp::sqlite_demo().await;
    let s = app.db.store.clone();
    let pid = setup(&s).await;
    let env = Env::new();
    // Received Monday 3 March 2025 at 09:00: five working days → Monday 10 March, 09:00.
    let open = receive(&s, &env, &pid, None, "2025-03-03T09:00:00+07:00").await;
    assert_eq!(
        open.appointment,
        Some(t("2025-03-10T09:00:00+07:00").timestamp_micros())
    );
    let mut admin = app.login("admin", "demo-admin-2026").await;
    let body = json!({"entries": [{"date": "2025-03-05", "kind": "holiday", "name": "Nghỉ đột xuất (thử)", "reference": "CV thử"}]});
    let r = app.json(&mut admin, "POST", "/api/v1/calendar/entries", &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["rescheduled"], 1);

    let rec = dossiers::get(s.db(), &open.id).await.unwrap().unwrap();
    let moved = t("2025-03-11T09:00:00+07:00");
    assert_eq!(rec.row.appointment, Some(moved.timestamp_micros()));
    let last = dossiers::history(s.db(), &open.id).await.unwrap().pop().unwrap();
    assert_eq!(last.row.kind, "dossier.rescheduled");
    assert_eq!(last.event.previous_appointment, Some(t("2025-03-10T09:00:00+07:00")));
    match last.event.command {
        Command::Reschedule { appointment, .. } => assert_eq!(appointment, moved),
        other => panic!("not a reschedule: {other:?}"),
    }

    // The same through the administrator's page: an agency closure moves it one more day,
    // and the page says how many dossiers moved.
    let r = app
        .json(
            &mut admin,
            "POST",
            &format!("/api/v1/calendar/agencies/{UNIT}/closures"),
            &json!({"date": "2025-03-07", "reason": "Sự cố mất điện"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["rescheduled"], 1);
    let rec = dossiers::get(s.db(), &open.id).await.unwrap().unwrap();
    assert_eq!(
        rec.row.appointment,
        Some(t("2025-03-12T09:00:00+07:00").timestamp_micros())
    );
    app.get(&mut admin, "/admin/calendar?year=2025").await;
    let r = app
        .form(
            &mut admin,
            "/admin/calendar/entries",
            &[
                ("date", "2025-03-04"),
                ("kind", "holiday"),
                ("name", "Nghỉ đột xuất lần hai (thử)"),
                ("reference", "CV thử 2"),
                ("year", "2025"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location().ends_with("&moved=1"), "{}", r.location());
    let shown = app.get(&mut admin, &r.location()).await;
    assert!(
        shown
            .body
            .contains("Ngày hẹn trả của 1 hồ sơ đang giải quyết đã được tính lại theo lịch mới."),
        "{}",
        shown.body
    );
    let rec = dossiers::get(s.db(), &open.id).await.unwrap().unwrap();
    assert_eq!(
        rec.row.appointment,
        Some(t("2025-03-13T09:00:00+07:00").timestamp_micros())
    );
    let kinds: Vec<String> = dossiers::history(s.db(), &open.id)
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.row.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "dossier.received",
            "dossier.rescheduled",
            "dossier.rescheduled",
            "dossier.rescheduled"
        ]
    );
    app.db.cleanup().await;
}
