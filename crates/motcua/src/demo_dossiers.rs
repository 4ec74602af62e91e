//! Demo dossiers (issue 5 item 17): about 200 dossiers over the demo catalog, received at the
//! Department's desk over the last three months, in every state — returned, decided, being
//! processed, awaiting a supplement or a fee, denied, withdrawn, stopped, guided, refused —
//! some late, one with two supplement requests, one asked for a paper outside the published
//! procedure, one with an apology and a new appointment, one sent to another agency and back.
//!
//! Everything goes through the same store functions as the desk and the API, with instants in
//! the past, so every dossier has its full event history. Names and numbers are invented.

use chrono::{DateTime, Datelike, Duration as ChronoDuration, NaiveDate, Utc};
use motcua_core::calendar::Duration;
use motcua_core::catalog::{Channel, ProcedureVersion, WorkflowStep};
use motcua_core::dossiers::{
    Applicant, Command, ComponentRef, DeadlineRules, Evaluation, Organisation, Person, ReturnMethod, StepVerdict,
    SupplementDraft, SupplementItemDraft,
};
use motcua_core::identity::{Role, UnitCode};
use motcua_store::calendar::CalendarCache;
use motcua_store::dossiers::{self, Deadlines, DossierRow, Intake, IntakeOutcome, PresentComponent};
use motcua_store::events::Actor;
use motcua_store::{Store, StoreError, catalog, identity};

/// What was loaded, by final state.
#[derive(Debug, Default)]
pub struct DemoDossiers {
    pub total: usize,
    pub by_state: std::collections::BTreeMap<String, usize>,
}

const FAMILY: [&str; 10] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"];
const MIDDLE: [&str; 6] = ["Văn", "Thị", "Minh", "Thanh", "Quốc", "Ngọc"];
const GIVEN: [&str; 12] = [
    "An", "Bình", "Cường", "Dung", "Giang", "Hải", "Hạnh", "Khánh", "Linh", "Nam", "Phương", "Quân",
];
const COMPANIES: [&str; 6] = [
    "Công ty TNHH Thiết bị Y tế Đông Hà",
    "Công ty Cổ phần Cơ khí Quảng Trị",
    "Bệnh viện Đa khoa Triệu Hải",
    "Công ty TNHH Kiểm định Miền Trung",
    "Hợp tác xã Nông nghiệp Gio Linh",
    "Công ty Cổ phần Công nghệ Hiền Lương",
];

fn applicant(i: usize) -> Applicant {
    if i % 4 == 3 {
        let name = COMPANIES[i % COMPANIES.len()];
        Applicant::Organisation(Organisation {
            name: name.into(),
            tax_code: format!("32{:08}", 10_000_000 + i * 7919 % 89_999_999),
            representative: format!("{} {} {}", FAMILY[i % 10], MIDDLE[i % 6], GIVEN[(i / 3) % 12]),
            phone: format!("0233{:07}", 3_500_000 + i),
            email: Some(format!("lienhe{i}@doanhnghiep.example.vn")),
            address: Some("Đông Hà, Quảng Trị".into()),
        })
    } else {
        Applicant::Person(Person {
            full_name: format!("{} {} {}", FAMILY[i % 10], MIDDLE[(i / 10) % 6], GIVEN[(i * 7) % 12]),
            citizen_id: format!("045{:09}", 100_000_000 + i * 104_729 % 899_999_999),
            phone: format!("09{:08}", 12_340_000 + i * 37),
            email: i.is_multiple_of(3).then(|| format!("congdan{i}@mail.example.vn")),
            address: Some(format!("{} Lê Duẩn, Đông Hà, Quảng Trị", 10 + i)),
        })
    }
}

/// The receipt instant of dossier `i`: spread over the last ~90 days, on weekdays, in office
/// hours (UTC+7).
fn received_at(i: usize, today: NaiveDate) -> DateTime<Utc> {
    let mut day = today - ChronoDuration::days(1 + (i as i64 * 89) / 200);
    while matches!(day.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) {
        day -= ChronoDuration::days(1);
    }
    let hour = 1 + (i % 7) as u32; // 08:00–14:00 local
    day.and_hms_opt(hour, (i % 4) as u32 * 15, 0)
        .unwrap_or_default()
        .and_utc()
}

/// The people of one unit who process dossiers there.
struct Staff {
    specialist: Actor,
    leader: Actor,
}

/// The demo people by unit: each command is run by someone the unit-scope rule of the pages and
/// the API permits (`motcua_web::dossier_access`).
/// The provincial People's Committee, partner of the demo's liên thông dossier.
const COMMITTEE: &str = "000.00.00.H50";

struct People {
    clerk: Actor,
    /// The provincial committee's specialist (liên thông partner).
    partner: Actor,
    by_unit: std::collections::HashMap<String, Staff>,
}

impl People {
    fn of(&self, unit: &str) -> Result<&Staff, StoreError> {
        self.by_unit
            .get(unit)
            .ok_or_else(|| StoreError::NotFound(format!("demo staff of unit {unit}")))
    }
}

async fn people(store: &Store) -> Result<People, StoreError> {
    let users = identity::list_users(store.db()).await?;
    let actor = |p: &crate::demo::DemoPerson| -> Result<Actor, StoreError> {
        let id = users
            .iter()
            .find(|u| u.username == p.username)
            .map(|u| u.id.clone())
            .ok_or_else(|| StoreError::NotFound(format!("demo user {}", p.username)))?;
        Ok(Actor {
            id,
            role: p.role.as_str().into(),
            unit: p.unit.unwrap_or_default().into(),
        })
    };
    let mut clerk = None;
    let mut specialists = std::collections::HashMap::new();
    let mut leaders = std::collections::HashMap::new();
    for p in &crate::demo::PEOPLE {
        let Some(unit) = p.unit else { continue };
        match p.role {
            Role::Clerk if clerk.is_none() => clerk = Some(actor(p)?),
            Role::Specialist => {
                specialists.entry(unit.to_owned()).or_insert(actor(p)?);
            }
            Role::Leader => {
                leaders.entry(unit.to_owned()).or_insert(actor(p)?);
            }
            _ => {}
        }
    }
    let by_unit = specialists
        .into_iter()
        .filter_map(|(unit, specialist)| {
            let leader = leaders.get(&unit)?.clone();
            Some((unit, Staff { specialist, leader }))
        })
        .collect();
    let partner = crate::demo::PEOPLE
        .iter()
        .find(|p| p.unit == Some(COMMITTEE) && p.role == Role::Specialist)
        .ok_or_else(|| StoreError::NotFound("demo specialist of the committee".into()))
        .and_then(actor)?;
    Ok(People {
        clerk: clerk.ok_or_else(|| StoreError::NotFound("demo clerk".into()))?,
        partner,
        by_unit,
    })
}

/// The step at which the leader decides: the last one outside the desk (the leadership's
/// approval, or the appraising division's when it approves), else the only step.
fn decision_step(units: &[String]) -> usize {
    units.iter().rposition(|u| u != crate::demo_catalog::DESK).unwrap_or(0)
}

/// Walks one dossier through commands, each a little later than the one before and never in
/// the future; stops quietly when the next step would be after `now`.
struct Walk<'a> {
    store: &'a Store,
    dl: Deadlines<'a>,
    row: DossierRow,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    /// The unit of each step of the pinned workflow.
    units: Vec<String>,
}

impl Walk<'_> {
    /// The unit of the step the dossier is at.
    fn unit(&self) -> &str {
        let i = (self.row.current_step.max(0) as usize).min(self.units.len().saturating_sub(1));
        self.units
            .get(i)
            .map(String::as_str)
            .unwrap_or(crate::demo_catalog::DESK)
    }

    async fn step(&mut self, actor: &Actor, hours: i64, cmd: Command) -> Result<bool, StoreError> {
        let at = self.at + ChronoDuration::hours(hours);
        if at >= self.now {
            return Ok(false);
        }
        self.row = dossiers::apply_command(self.store, self.dl, actor, at, &self.row.id, self.row.version, cmd).await?;
        self.at = at;
        Ok(true)
    }

    async fn supplement(&mut self, actor: &Actor, hours: i64, draft: SupplementDraft) -> Result<bool, StoreError> {
        let at = self.at + ChronoDuration::hours(hours);
        if at >= self.now {
            return Ok(false);
        }
        self.row =
            dossiers::request_supplement(self.store, self.dl, actor, at, &self.row.id, self.row.version, draft).await?;
        self.at = at;
        Ok(true)
    }
}

/// Load the demo dossiers. `now` is the present instant (nothing is dated after it).
pub async fn seed(store: &Store, calendars: &CalendarCache, now: DateTime<Utc>) -> Result<DemoDossiers, StoreError> {
    let rules = DeadlineRules::default();
    let dl = Deadlines {
        calendars,
        rules: &rules,
    };
    let today = (now + ChronoDuration::hours(7)).date_naive();
    let who = people(store).await?;
    // Procedures a desk receives in person with a workflow of working days.
    let mut procs: Vec<(String, ProcedureVersion)> = Vec::new();
    for row in catalog::in_force_all(store.db(), today - ChronoDuration::days(95), &Default::default()).await? {
        if let Ok(v) = serde_json::from_str::<ProcedureVersion>(&row.document)
            && v.channels
                .iter()
                .any(|c| c.channel == Channel::InPerson && !c.workflow.is_empty())
            && catalog::in_force(store.db(), &row.procedure_id, today).await?.is_some()
        {
            procs.push((row.procedure_id.clone(), v));
        }
    }
    if procs.is_empty() {
        return Ok(DemoDossiers::default());
    }
    let mut out = DemoDossiers::default();
    for i in 0..200usize {
        let (pid, v) = &procs[i % procs.len()];
        let at = received_at(i, today);
        let required: Vec<usize> = v
            .components
            .iter()
            .enumerate()
            .filter(|(_, c)| c.requirement == motcua_core::catalog::Requirement::Required)
            .map(|(n, _)| n)
            .collect();
        let bucket = i % 20;
        let outcome = match bucket {
            15 => IntakeOutcome::GuideToComplete {
                missing: vec![],
                reason: "Thiếu tài liệu chứng minh đáp ứng điều kiện.".into(),
            },
            16 => IntakeOutcome::Refuse {
                reason: "Thủ tục không thuộc thẩm quyền giải quyết của Sở Khoa học và Công nghệ.".into(),
            },
            _ => IntakeOutcome::Receive,
        };
        let present = match bucket {
            15 => required
                .iter()
                .take(1)
                .map(|n| PresentComponent {
                    index: *n,
                    file_id: None,
                    ..Default::default()
                })
                .collect(),
            _ => required
                .iter()
                .map(|n| PresentComponent {
                    index: *n,
                    file_id: None,
                    ..Default::default()
                })
                .collect(),
        };
        let row = dossiers::receive(
            store,
            dl,
            &who.clerk,
            at,
            Intake {
                procedure: pid.clone(),
                channel: if i % 9 == 4 { Channel::Postal } else { Channel::InPerson },
                variant: None,
                applicant: applicant(i),
                present,
                receiving_unit: "000.05.15.H50".into(),
                outcome,
                intake_key: Some(format!("demo-{i}")),
            },
        )
        .await;
        // A procedure offered only in person cannot take a postal dossier: receive in person.
        let row = match row {
            Ok(r) => r,
            Err(StoreError::Rejected {
                code: "channel_not_offered",
                ..
            }) => {
                dossiers::receive(
                    store,
                    dl,
                    &who.clerk,
                    at,
                    Intake {
                        procedure: pid.clone(),
                        channel: Channel::InPerson,
                        variant: None,
                        applicant: applicant(i),
                        present: required
                            .iter()
                            .map(|n| PresentComponent {
                                index: *n,
                                file_id: None,
                                ..Default::default()
                            })
                            .collect(),
                        receiving_unit: "000.05.15.H50".into(),
                        outcome: IntakeOutcome::Receive,
                        intake_key: Some(format!("demo-{i}-p")),
                    },
                )
                .await?
            }
            Err(e) => return Err(e),
        };
        let channel = u8::try_from(row.channel)
            .ok()
            .and_then(Channel::from_code)
            .unwrap_or(Channel::InPerson);
        let units = v
            .channel(channel)
            .map(|c| c.workflow.iter().map(|s| s.unit_code.as_str().to_owned()).collect())
            .unwrap_or_default();
        let mut w = Walk {
            store,
            dl,
            row,
            at,
            now,
            units,
        };
        if matches!(bucket, 15 | 16) {
            *out.by_state.entry(w.row.state.clone()).or_default() += 1;
            out.total += 1;
            continue;
        }
        walk(&mut w, &who, v, i, bucket).await?;
        *out.by_state.entry(w.row.state.clone()).or_default() += 1;
        out.total += 1;
    }
    Ok(out)
}

/// Hand the dossier over, step by step, up to step `target`: each step's specialist gives it to
/// the next step's specialist, or to the leader who decides there.
async fn hand_over_to(w: &mut Walk<'_>, who: &People, target: usize, gap: i64) -> Result<bool, StoreError> {
    let decides = decision_step(&w.units);
    while w.row.state == "processing" && (w.row.current_step.max(0) as usize) < target {
        let next = w.row.current_step.max(0) as usize + 1;
        // After the last step the dossier waits for the decision of that step's unit.
        let next_unit = match w.units.get(next).or(w.units.last()) {
            Some(u) => u.clone(),
            None => return Ok(true),
        };
        let receiver = if next == decides || next >= w.units.len() {
            who.of(&next_unit)?.leader.id.clone()
        } else {
            who.of(&next_unit)?.specialist.id.clone()
        };
        let actor = who.of(w.unit())?.specialist.clone();
        let cmd = Command::HandOver {
            receiver,
            verdict: StepVerdict::OnTime,
        };
        if !w.step(&actor, gap, cmd).await? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Hand over to the appraising step (the second one, when there is one).
async fn to_appraisal(w: &mut Walk<'_>, who: &People, gap: i64) -> Result<bool, StoreError> {
    let target = 1.min(decision_step(&w.units));
    hand_over_to(w, who, target, gap).await
}

async fn walk(w: &mut Walk<'_>, who: &People, v: &ProcedureVersion, i: usize, bucket: usize) -> Result<(), StoreError> {
    if bucket == 17 {
        return Ok(()); // received, waiting to be assigned
    }
    // The desk's leader assigns the desk's specialist, who starts the first step.
    let desk = who.of(w.unit())?;
    let (desk_leader, desk_specialist) = (desk.leader.clone(), desk.specialist.clone());
    let assign = Command::Assign {
        assignee: desk_specialist.id.clone(),
    };
    if !w.step(&desk_leader, 1, assign).await? {
        return Ok(());
    }
    let decides = decision_step(&w.units);
    // Special cases first.
    match i {
        // Two supplement requests: the second with a written reason (repeated request).
        10 => {
            if !to_appraisal(w, who, 3).await? {
                return Ok(());
            }
            let appraiser = who.of(w.unit())?.specialist.clone();
            let first = SupplementDraft {
                items: vec![SupplementItemDraft::Component {
                    component: ComponentRef::Index(1),
                    note: Some("Bản sao chưa rõ nét.".into()),
                }],
                reason: "Tài liệu chứng minh điều kiện chưa đầy đủ.".into(),
                repeat_reason: None,
            };
            if !w.supplement(&appraiser, 4, first).await? {
                return Ok(());
            }
            let received = Command::SupplementReceived { appointment: w.at };
            if !w.step(&who.clerk, 48, received).await? {
                return Ok(());
            }
            let second = SupplementDraft {
                items: vec![SupplementItemDraft::Component {
                    component: ComponentRef::Index(0),
                    note: Some("Đơn chưa ký đúng thẩm quyền.".into()),
                }],
                reason: "Đơn đề nghị chưa đúng mẫu.".into(),
                repeat_reason: Some("Phát hiện sai sót khi thẩm định lần hai.".into()),
            };
            w.supplement(&appraiser, 6, second).await?;
            return Ok(());
        }
        // A paper the published procedure does not list.
        30 => {
            if !to_appraisal(w, who, 3).await? {
                return Ok(());
            }
            let appraiser = who.of(w.unit())?.specialist.clone();
            let draft = SupplementDraft {
                items: vec![SupplementItemDraft::Other {
                    name: "Giấy xác nhận của Ủy ban nhân dân phường nơi cư trú".into(),
                    justification: "Để xác minh địa chỉ của người đề nghị.".into(),
                }],
                reason: "Cần xác minh thông tin người đề nghị.".into(),
                repeat_reason: None,
            };
            w.supplement(&appraiser, 5, draft).await?;
            return Ok(());
        }
        // Late, with an apology and a new appointment, then processed.
        50 => {
            if let Some(app) = w.row.appointment {
                let new = motcua_store::time::from_us(app) + ChronoDuration::days(5);
                let apology = Command::IssueApology {
                    reason: "Hồ sơ cần lấy ý kiến của cơ quan chuyên môn về an toàn bức xạ.".into(),
                    new_appointment: new,
                };
                if !w.step(&desk_leader, 24, apology).await? {
                    return Ok(());
                }
            }
            hand_over_to(w, who, decides, 30).await?;
            return Ok(());
        }
        // Inter-agency: sent to the provincial People's Committee with the committee's two
        // steps, worked there by its specialist, and back.
        70 => {
            let agency =
                UnitCode::parse(COMMITTEE).map_err(|e| StoreError::rejected("unit_code_invalid", e.to_string()))?;
            if !to_appraisal(w, who, 3).await? {
                return Ok(());
            }
            let appraiser = who.of(w.unit())?.specialist.clone();
            let steps = ["Văn phòng UBND tỉnh thẩm tra", "Lãnh đạo UBND tỉnh cho ý kiến"]
                .map(|name| WorkflowStep {
                    name: name.into(),
                    unit_code: agency.clone(),
                    slice: Duration::WorkingDays(2),
                })
                .to_vec();
            let after = w.row.current_step.max(0) as usize + 1;
            if !w.step(&appraiser, 3, Command::SendToAgency { agency, steps }).await? {
                return Ok(());
            }
            // The walk follows the dossier's steps, now with the committee's part.
            w.units
                .splice(after..after, [COMMITTEE.to_owned(), COMMITTEE.to_owned()]);
            let partner = who.partner.clone();
            let claim = Command::Assign {
                assignee: partner.id.clone(),
            };
            let hand_over = Command::HandOver {
                receiver: partner.id.clone(),
                verdict: StepVerdict::OnTime,
            };
            for (hours, cmd) in [(4, claim), (12, hand_over), (10, Command::ReturnFromAgency)] {
                if !w.step(&partner, hours, cmd).await? {
                    return Ok(());
                }
            }
            let decides = decision_step(&w.units);
            hand_over_to(w, who, decides, 3).await?;
            return Ok(());
        }
        _ => {}
    }
    // Late dossiers: slow hand-overs; others a few hours apart.
    let gap = if matches!(bucket, 18 | 19) { 40 } else { 3 };
    match bucket {
        7..=9 => {
            // Somewhere in the middle of processing.
            let steps = (i / 20) % 3;
            hand_over_to(w, who, steps.min(decides), gap).await?;
            return Ok(());
        }
        10 => {
            if !to_appraisal(w, who, gap).await? {
                return Ok(());
            }
            let appraiser = who.of(w.unit())?.specialist.clone();
            let draft = SupplementDraft {
                items: vec![SupplementItemDraft::Component {
                    component: ComponentRef::Index(1),
                    note: None,
                }],
                reason: "Tài liệu chứng minh điều kiện chưa đầy đủ.".into(),
                repeat_reason: None,
            };
            w.supplement(&appraiser, 4, draft).await?;
            return Ok(());
        }
        19 => return Ok(()), // assigned long ago and still at the first step: overdue
        11 => {
            // Fees requested during processing (national status 6).
            let fees = motcua_core::dossiers::checklist(v, Channel::InPerson, None)
                .map(|c| c.fees)
                .unwrap_or_default();
            if !fees.is_empty() {
                w.step(&desk_specialist, 2, Command::RequestFee { items: fees }).await?;
                return Ok(());
            }
        }
        _ => {}
    }
    // Up to the step where the leader decides; the decision is taken there.
    if !hand_over_to(w, who, decides, gap).await? {
        return Ok(());
    }
    if bucket == 6 {
        // Every step handed over: awaiting the decision of the last step's unit.
        hand_over_to(w, who, usize::MAX, gap).await?;
        return Ok(());
    }
    let decider = who.of(w.unit())?.leader.clone();
    match bucket {
        12 => {
            let deny = Command::Deny {
                reason: "Tổ chức chưa đáp ứng điều kiện về cơ sở vật chất theo quy định.".into(),
            };
            w.step(&decider, 4, deny).await?;
        }
        13 => {
            let withdraw = Command::Withdraw {
                reason: "Người nộp hồ sơ đề nghị rút hồ sơ.".into(),
            };
            w.step(&who.clerk, 4, withdraw).await?;
        }
        14 => {
            let stop = Command::Stop {
                reason: "Tổ chức bị giải thể trong thời gian giải quyết hồ sơ.".into(),
            };
            w.step(&decider, 4, stop).await?;
        }
        _ => {
            let approve = Command::Approve {
                number: format!("{}/GP-SKHCN", 100 + i),
                date: (w.at + ChronoDuration::hours(7)).date_naive(),
            };
            if !w.step(&decider, 4, approve).await? || bucket == 5 {
                return Ok(());
            }
            let method = if i.is_multiple_of(5) {
                ReturnMethod::Post {
                    tracking: format!("EB{:09}VN", 100_000_000 + i),
                }
            } else {
                ReturnMethod::Counter {
                    received_by: "Người nộp hồ sơ".into(),
                }
            };
            if !w.step(&who.clerk, 20, Command::ReturnResult { method }).await? {
                return Ok(());
            }
            if i.is_multiple_of(3)
                && let Ok(e) = Evaluation::new([2, 2, 2, 1, 2, 2, 2, 2, (i % 2) as u8 + 1])
            {
                w.step(&who.clerk, 0, Command::Evaluate { scores: e }).await?;
            }
        }
    }
    Ok(())
}
