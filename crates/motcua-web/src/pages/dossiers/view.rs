//! The dossier page (trang hồ sơ): applicant, pinned procedure, checklist with scans, steps with
//! their deadlines and hand-overs (Mẫu 05), appointment with its explanation, pauses, fees,
//! inspection marks, event history and the official forms. The action forms are shown only to
//! those permitted (core `permission::permitted` over [`crate::dossier_access`]) and only when legal in the state (core
//! `decide` on a probe of the command).

use super::{Calendars, Directory, principal, roles_by_code, when, when_opt};
use crate::AppState;
use crate::dossier_access;
use crate::extract::ReqCtx;
use crate::i18n::{Lang, t};
use crate::pages::{HtmlError, PageCtx, render_status};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use motcua_core::catalog::{Channel, ProcedureVersion};
use motcua_core::dossiers::{
    Applicant, Command, Decision, DossierState, Flag, FormKind, FormSet, Indicator, RequestedItem, ReturnMethod,
    StepVerdict, SupplementRequest, checklist, decide, extended_due,
};
use motcua_core::identity::{Role, UnitCode};
use motcua_store::dossiers::{self, DossierRecord, HistoryEntry};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct PageQuery {
    ok: Option<String>,
}

pub struct Line {
    pub label: String,
    pub value: String,
}

pub struct ComponentLine {
    pub position: i64,
    pub name: String,
    pub copy_type: String,
    pub quantity: i64,
    pub required: bool,
    pub present: bool,
    pub file_href: String,
}

/// How many partner steps the send form offers (liên thông part; rows left empty are skipped).
pub const PARTNER_ROWS: u8 = 3;

pub struct StepLine {
    pub number: i64,
    pub name: String,
    pub unit: String,
    pub assignee: String,
    pub slice: String,
    pub due: String,
    pub started: String,
    pub handed_over: String,
    pub giver: String,
    pub receiver: String,
    pub verdict: String,
    pub verdict_class: &'static str,
    pub current: bool,
    /// The partner agency's name on a liên thông step; empty on the receiving agency's steps.
    pub partner: String,
}

pub struct EventLine {
    pub seq: i64,
    pub when: String,
    pub what: String,
    pub actor: String,
    pub transition: String,
    pub detail: String,
    pub flags: String,
}

pub struct FormLink {
    pub href: String,
    pub title: String,
}

/// Which action forms to show, with what the pickers offer.
#[derive(Default)]
pub struct Actions {
    pub claim: bool,
    pub assign: bool,
    pub hand_over: bool,
    pub send_agency: bool,
    pub return_agency: bool,
    pub supplement: bool,
    pub supplement_repeat: bool,
    pub supplement_received: bool,
    pub request_fee: bool,
    pub fee_paid: bool,
    pub apology: bool,
    pub stop: bool,
    pub withdraw: bool,
    pub approve: bool,
    pub deny: bool,
    pub return_result: bool,
    pub evaluate: bool,
    pub assignees: Vec<(String, String)>,
    pub receivers: Vec<(String, String)>,
    pub agencies: Vec<(String, String)>,
    /// Units that may be responsible for a partner's step: each offered agency and its units,
    /// as (agency name, [(unit code, unit name)]).
    pub partner_units: Vec<(String, Vec<(String, String)>)>,
    /// Row numbers of the partner's steps in the send form.
    pub partner_rows: Vec<u8>,
    pub components: Vec<(usize, String)>,
    pub fees: Vec<(usize, String)>,
    pub indicators: Vec<(u8, String)>,
    pub today: String,
    pub default_new_date: String,
}

impl Actions {
    pub fn any(&self) -> bool {
        self.claim
            || self.assign
            || self.hand_over
            || self.send_agency
            || self.return_agency
            || self.supplement
            || self.supplement_received
            || self.request_fee
            || self.fee_paid
            || self.apology
            || self.stop
            || self.withdraw
            || self.approve
            || self.deny
            || self.return_result
            || self.evaluate
    }
}

#[derive(Template)]
#[template(path = "dossier_view.html")]
pub struct DossierPage {
    pub ctx: PageCtx,
    pub id: String,
    pub version: i64,
    pub code: String,
    pub state: String,
    pub state_code: String,
    pub national: i64,
    pub national_label: String,
    pub facts: Vec<Line>,
    pub applicant: Vec<Line>,
    pub appointment: String,
    pub explanation: Vec<String>,
    pub pauses: Vec<String>,
    pub fees: Vec<Line>,
    pub flags: Vec<String>,
    pub components: Vec<ComponentLine>,
    pub steps: Vec<StepLine>,
    pub history: Vec<EventLine>,
    pub forms: Vec<FormLink>,
    pub attachments: Vec<FormLink>,
    pub actions: Actions,
}

fn flag_label(lang: Lang, f: Flag) -> String {
    let code = serde_json::to_value(f)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    t(lang, &format!("desk.flag_{code}")).to_owned()
}

pub(crate) fn verdict_label(lang: Lang, v: &str) -> (String, &'static str) {
    let class = match v {
        "late" => "bad",
        "early" | "on_time" => "ok",
        _ => "",
    };
    (t(lang, &format!("desk.verdict_{v}")).to_owned(), class)
}

pub(crate) fn applicant_of(rec: &DossierRecord) -> Option<Applicant> {
    serde_json::from_str(&rec.row.applicant).ok()
}

pub(crate) async fn pinned_version(
    st: &AppState,
    rec: &DossierRecord,
) -> Result<(i64, Option<ProcedureVersion>), HtmlError> {
    let v = motcua_store::catalog::version(st.store.db(), &rec.row.version_id).await?;
    Ok(match v {
        Some(v) => (v.number, serde_json::from_str(&v.document).ok()),
        None => (0, None),
    })
}

pub(crate) fn channel_of(rec: &DossierRecord) -> Channel {
    u8::try_from(rec.row.channel)
        .ok()
        .and_then(Channel::from_code)
        .unwrap_or(Channel::InPerson)
}

/// The official forms this dossier has, by what happened to it.
pub(crate) fn forms_of(rec: &DossierRecord, history: &[HistoryEntry]) -> Vec<(&'static str, FormKind)> {
    let mut out = Vec::new();
    let has = |f: &dyn Fn(&Command) -> bool| history.iter().any(|h| f(&h.event.command));
    if rec.dossier.code.is_some() {
        out.push(("tiep-nhan", FormKind::Receipt));
    }
    if has(&|c| matches!(c, Command::GuideToComplete { .. })) {
        out.push(("huong-dan", FormKind::SupplementRequest));
    }
    if has(&|c| matches!(c, Command::RequestSupplement(_))) {
        out.push(("bo-sung", FormKind::SupplementRequest));
    }
    if has(&|c| matches!(c, Command::RefuseAtIntake { .. } | Command::Deny { .. })) {
        out.push(("tu-choi", FormKind::Refusal));
    }
    if has(&|c| matches!(c, Command::IssueApology { .. })) {
        out.push(("xin-loi", FormKind::Apology));
    }
    if has(&|c| matches!(c, Command::Stop { .. })) && regime_of(rec).form(FormKind::StopNotice).is_some() {
        out.push(("dung-xu-ly", FormKind::StopNotice));
    }
    if rec.dossier.code.is_some() {
        out.push(("kiem-soat", FormKind::ControlSlip));
    }
    out
}

/// The form set by receipt date (or creation date for a dossier never received).
pub(crate) fn regime_of(rec: &DossierRecord) -> FormSet {
    let at = rec.row.received_at.unwrap_or(rec.row.created_at);
    FormSet::for_receipt(super::local_naive(at).date())
}

fn event_detail(lang: Lang, dir: &Directory, e: &HistoryEntry) -> String {
    let _ = lang;
    match &e.event.command {
        Command::GuideToComplete { missing, reason, .. } => format!("{} — {reason}", missing.join("; ")),
        Command::RefuseAtIntake { reason }
        | Command::Deny { reason }
        | Command::Stop { reason }
        | Command::Withdraw { reason } => reason.clone(),
        Command::Receive { code, appointment, .. } => {
            format!("{code} — {}", when(motcua_store::time::to_us(*appointment)))
        }
        Command::Assign { assignee } => dir.person(assignee),
        Command::HandOver { receiver, verdict } => {
            format!("→ {} ({})", dir.person(receiver), verdict.label_vi())
        }
        Command::SendToAgency { agency, steps } => {
            let mut s = dir.unit_name(agency.as_str());
            if !steps.is_empty() {
                let names: Vec<String> = steps
                    .iter()
                    .map(|st| format!("{} ({}, {})", st.name, dir.unit_name(st.unit_code.as_str()), st.slice))
                    .collect();
                s.push_str(&format!(" — {}", names.join("; ")));
            }
            s
        }
        Command::RequestSupplement(r) => {
            let items: Vec<String> = r.items.iter().map(|i| i.name.clone()).collect();
            let mut s = format!("{} — {}", items.join("; "), r.reason);
            if let Some(x) = &r.repeat_reason {
                s.push_str(&format!(" ({x})"));
            }
            s
        }
        Command::SupplementReceived { appointment } | Command::Reschedule { appointment, .. } => {
            when(motcua_store::time::to_us(*appointment))
        }
        Command::RequestFee { items } => items.iter().map(|i| i.name.clone()).collect::<Vec<_>>().join("; "),
        Command::FeePaid { receipt, amount } => format!("{receipt} — {amount} đ"),
        Command::IssueApology {
            reason,
            new_appointment,
        } => {
            format!("{} — {reason}", when(motcua_store::time::to_us(*new_appointment)))
        }
        Command::Approve { number, date } => format!("{number} ({})", date.format("%d/%m/%Y")),
        Command::ReturnResult { method } => match method {
            ReturnMethod::Counter { received_by } => received_by.clone(),
            ReturnMethod::Post { tracking } => tracking.clone(),
            ReturnMethod::Electronic => String::new(),
        },
        Command::Evaluate { scores } => format!("{:?}", scores.scores()),
        Command::ReturnFromAgency => String::new(),
    }
}

fn probe_supplement(repeat: bool) -> Command {
    Command::RequestSupplement(SupplementRequest {
        items: vec![RequestedItem {
            name: "x".into(),
            component_index: Some(0),
            note: None,
            not_in_published_procedure: false,
        }],
        reason: "x".into(),
        number: 0,
        repeated_request: false,
        repeat_reason: repeat.then(|| "x".into()),
    })
}

/// Build the page of a dossier; `error` re-renders it after a refused action.
pub(crate) async fn build(
    st: &AppState,
    ctx: &ReqCtx,
    id: &str,
    ok: Option<&str>,
    error: Option<String>,
) -> Result<DossierPage, HtmlError> {
    let lang = ctx.lang;
    let who = principal(ctx)?;
    let rec = dossiers::get(st.store.db(), id)
        .await?
        .ok_or_else(|| HtmlError(crate::problem::ApiError::not_found(format!("dossier {id}"))))?;
    let dir = Directory::load(st).await?;
    let history = dossiers::history(st.store.db(), id).await?;
    let now = st.now();
    let d = &rec.dossier;
    let (version_number, version) = pinned_version(st, &rec).await?;
    let channel = channel_of(&rec);
    let mut cals = Calendars::new(st);

    // Appointment and its explanation (the core's computation again, with the pauses so far).
    let mut explanation = Vec::new();
    if let (Some(received), Some(v)) = (d.received_at, version.as_ref()) {
        let cal = cals.of(&rec.row.receiving_unit).await?;
        let closed_pauses: Vec<_> = d.pauses.iter().filter(|p| p.to.is_some()).copied().collect();
        if let Ok(a) = extended_due(&cal, v, channel, received, &closed_pauses, &st.deadline_rules) {
            if let Some(limit) = a.limit {
                explanation.push(format!("{}: {}", t(lang, "desk.time_limit"), super::duration_vi(limit)));
            }
            if a.same_day {
                explanation.push(t(lang, "desk.same_day").to_owned());
            }
            explanation.push(format!(
                "{}: {}",
                t(lang, "desk.received_at"),
                when_opt(rec.row.received_at)
            ));
            if !a.detail.skipped.is_empty() {
                let days: Vec<String> = a
                    .detail
                    .skipped
                    .iter()
                    .map(|s| {
                        let kind = t(lang, &format!("desk.day_{}", s.kind as u8));
                        match &s.name {
                            Some(n) => format!("{} ({kind}: {n})", s.date.format("%d/%m/%Y")),
                            None => format!("{} ({kind})", s.date.format("%d/%m/%Y")),
                        }
                    })
                    .collect();
                explanation.push(format!("{}: {}", t(lang, "desk.skipped_days"), days.join(", ")));
            }
            if !a.detail.rule_set.is_empty() {
                explanation.push(format!("{}: {}", t(lang, "desk.rules_applied"), a.detail.rule_set));
            }
            if !closed_pauses.is_empty() {
                explanation.push(t(lang, "desk.extended_by_pauses").to_owned());
            }
        }
        if d.apology_issued {
            explanation.push(t(lang, "desk.appointment_from_apology").to_owned());
        }
        if d.state == DossierState::AwaitingSupplement {
            explanation.push(t(lang, "desk.clock_paused").to_owned());
        }
    }

    let mut facts = vec![
        Line {
            label: t(lang, "desk.procedure").into(),
            value: rec.row.procedure_name.clone(),
        },
        Line {
            label: t(lang, "desk.pinned_version").into(),
            value: version_number.to_string(),
        },
        Line {
            label: t(lang, "desk.channel").into(),
            value: t(lang, &format!("desk.channel_{}", rec.row.channel)).into(),
        },
    ];
    if let Some(var) = &rec.row.variant {
        let name = version
            .as_ref()
            .and_then(|v| v.variants.iter().find(|w| &w.id == var).map(|w| w.name.clone()))
            .unwrap_or(var.clone());
        facts.push(Line {
            label: t(lang, "desk.variant").into(),
            value: name,
        });
    }
    facts.push(Line {
        label: t(lang, "desk.receiving_unit").into(),
        value: dir.unit_name(&rec.row.receiving_unit),
    });
    facts.push(Line {
        label: t(lang, "desk.current_unit").into(),
        value: match &d.partner_agency {
            Some(a) if d.state == DossierState::AtPartnerAgency => dir.unit_name(a.as_str()),
            _ => dir.unit_name(&rec.row.current_unit),
        },
    });
    if let Some(a) = &rec.row.assignee {
        facts.push(Line {
            label: t(lang, "desk.assignee").into(),
            value: dir.person(a),
        });
    }
    if rec.row.received_at.is_some() {
        facts.push(Line {
            label: t(lang, "desk.received_at").into(),
            value: when_opt(rec.row.received_at),
        });
    }
    if rec.row.original_appointment.is_some() && rec.row.original_appointment != rec.row.appointment {
        facts.push(Line {
            label: t(lang, "desk.original_appointment").into(),
            value: when_opt(rec.row.original_appointment),
        });
    }
    match &d.decision {
        Some(Decision::Approved { number, date }) => facts.push(Line {
            label: t(lang, "desk.decision").into(),
            value: format!("{} {number} ({})", t(lang, "desk.approved"), date.format("%d/%m/%Y")),
        }),
        Some(Decision::Denied { reason }) => facts.push(Line {
            label: t(lang, "desk.decision").into(),
            value: format!("{}: {reason}", t(lang, "desk.denied")),
        }),
        None => {}
    }

    let line = |key: &str, value: String| Line {
        label: t(lang, key).into(),
        value,
    };
    let applicant: Vec<Line> = match applicant_of(&rec) {
        Some(Applicant::Person(p)) => vec![
            line("desk.full_name", p.full_name),
            line("desk.citizen_id", p.citizen_id),
            line("desk.phone", p.phone),
            line("desk.email", p.email.unwrap_or_default()),
            line("desk.address", p.address.unwrap_or_default()),
        ],
        Some(Applicant::Organisation(o)) => vec![
            line("desk.org_name", o.name),
            line("desk.tax_code", o.tax_code),
            line("desk.representative", o.representative),
            line("desk.phone", o.phone),
            line("desk.email", o.email.unwrap_or_default()),
            line("desk.address", o.address.unwrap_or_default()),
        ],
        None => Vec::new(),
    };

    let pauses = d
        .pauses
        .iter()
        .map(|p| {
            format!(
                "{} → {}",
                when(motcua_store::time::to_us(p.from)),
                p.to.map(|x| when(motcua_store::time::to_us(x)))
                    .unwrap_or_else(|| t(lang, "desk.still_paused").to_owned())
            )
        })
        .collect();
    let fees = vec![
        Line {
            label: t(lang, "desk.fees_requested").into(),
            value: format!("{} đ", d.fees_requested),
        },
        Line {
            label: t(lang, "desk.fees_paid").into(),
            value: format!("{} đ", d.fees_paid),
        },
    ];
    let mut flag_set: Vec<Flag> = Vec::new();
    for h in &history {
        for f in &h.event.flags {
            if !flag_set.contains(f) {
                flag_set.push(*f);
            }
        }
    }
    let mut flags: Vec<String> = flag_set.iter().map(|f| flag_label(lang, *f)).collect();
    let late_now = d.state.is_open()
        && d.state != DossierState::AwaitingSupplement
        && d.appointment.is_some_and(|a| a < now)
        && !d.apology_issued;
    if late_now && !flag_set.contains(&Flag::LateWithoutApology) {
        flags.push(t(lang, "desk.flag_late_without_apology").to_owned());
    }

    let components = rec
        .components
        .iter()
        .map(|c| ComponentLine {
            position: c.position + 1,
            name: c.name.clone(),
            copy_type: super::intake::copy_type_label(lang, &c.copy_type),
            quantity: c.quantity,
            required: c.required,
            present: c.present,
            file_href: c
                .file_id
                .as_ref()
                .map(|f| format!("/ho-so/{}/tep/{f}", rec.row.id))
                .unwrap_or_default(),
        })
        .collect();
    let steps = rec
        .steps
        .iter()
        .map(|s| {
            let (verdict, verdict_class) = s.verdict.as_deref().map(|v| verdict_label(lang, v)).unwrap_or_default();
            StepLine {
                number: s.position + 1,
                name: s.name.clone(),
                unit: dir.unit_name(&s.unit_code),
                assignee: s.assignee.as_deref().map(|a| dir.person(a)).unwrap_or_default(),
                slice: s.slice.parse().map(super::duration_vi).unwrap_or_default(),
                due: when_opt(s.due_at),
                started: when_opt(s.started_at),
                handed_over: when_opt(s.handed_over_at),
                giver: s.giver.as_deref().map(|a| dir.person(a)).unwrap_or_default(),
                receiver: s.receiver.as_deref().map(|a| dir.person(a)).unwrap_or_default(),
                verdict,
                verdict_class,
                current: (d.state == DossierState::Processing
                    || (d.state == DossierState::AtPartnerAgency && d.partner_steps > 0))
                    && s.position == i64::from(d.step),
                partner: s.agency_code.as_deref().map(|a| dir.unit_name(a)).unwrap_or_default(),
            }
        })
        .collect();
    let history_lines = history
        .iter()
        .rev()
        .map(|h| EventLine {
            seq: h.row.seq,
            when: when(h.row.occurred_at),
            what: match lang {
                Lang::Vi => h.event.command.label_vi().to_owned(),
                Lang::En => h.event.kind().replace('_', " "),
            },
            actor: dir.person(&h.row.actor_id),
            transition: format!(
                "{} → {}",
                super::state_label(lang, h.event.from.as_str()),
                super::state_label(lang, h.event.to.as_str())
            ),
            detail: event_detail(lang, &dir, h),
            flags: h
                .event
                .flags
                .iter()
                .map(|f| flag_label(lang, *f))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let set = regime_of(&rec);
    let forms = forms_of(&rec, &history)
        .into_iter()
        .filter_map(|(slug, kind)| {
            let f = set.form(kind)?;
            Some(FormLink {
                href: format!("/ho-so/{}/phieu/{slug}.pdf", rec.row.id),
                title: format!("Mẫu {:02} ({}): {}", f.number, set.circular, f.title_vi),
            })
        })
        .collect();
    let attachments = dossiers::attachments(st.store.db(), &rec.row.id)
        .await?
        .into_iter()
        .map(|a| FormLink {
            href: format!("/ho-so/{}/tep/{}", rec.row.id, a.file_id),
            title: t(lang, &format!("desk.attachment_{}", a.purpose)).to_owned(),
        })
        .collect();

    // Actions: permitted for the caller and legal now.
    let roles = roles_by_code(who, &dir);
    let can = |cmd: &Command| dossier_access::permitted(cmd, &roles, &rec) && decide(d, cmd, now).is_ok();
    let mut a = Actions::default();
    let me = who.user_id.clone();
    a.claim = rec.row.assignee.as_deref() != Some(me.as_str()) && can(&Command::Assign { assignee: me.clone() });
    a.assign = who.has_role(Role::Leader)
        && dossier_access::permitted(&Command::Assign { assignee: "x".into() }, &roles_leader(&roles), &rec)
        && decide(d, &Command::Assign { assignee: "x".into() }, now).is_ok();
    a.hand_over = can(&Command::HandOver {
        receiver: "x".into(),
        verdict: StepVerdict::OnTime,
    });
    if let Ok(unit) = UnitCode::parse(&rec.row.receiving_unit) {
        a.send_agency = can(&Command::SendToAgency {
            agency: unit,
            steps: vec![],
        });
    }
    a.return_agency = can(&Command::ReturnFromAgency);
    a.supplement_repeat = d.supplement_count > 0;
    a.supplement = can(&probe_supplement(true));
    a.supplement_received = can(&Command::SupplementReceived { appointment: now });
    let fee_lines = version
        .as_ref()
        .and_then(|v| checklist(v, channel, rec.row.variant.as_deref()).ok())
        .map(|c| c.fees)
        .unwrap_or_default();
    a.request_fee = !fee_lines.is_empty()
        && can(&Command::RequestFee {
            items: fee_lines.clone(),
        });
    a.fee_paid = can(&Command::FeePaid {
        receipt: "x".into(),
        amount: 0,
    });
    let later = d.appointment.unwrap_or(now) + chrono::Duration::days(1);
    a.apology = can(&Command::IssueApology {
        reason: "x".into(),
        new_appointment: later,
    });
    a.stop = can(&Command::Stop { reason: "x".into() });
    a.withdraw = can(&Command::Withdraw { reason: "x".into() });
    a.approve = can(&Command::Approve {
        number: "x".into(),
        date: super::local(now).date_naive(),
    });
    a.deny = can(&Command::Deny { reason: "x".into() });
    a.return_result = can(&Command::ReturnResult {
        method: ReturnMethod::Electronic,
    });
    a.evaluate = motcua_core::dossiers::Evaluation::new([2; 9])
        .map(|scores| can(&Command::Evaluate { scores }))
        .unwrap_or(false);
    if a.assign {
        let mut units: Vec<String> = roles
            .iter()
            .filter(|(r, _)| *r == Role::Leader)
            .filter_map(|(_, u)| u.clone())
            .collect();
        units.push(rec.row.current_unit.clone());
        a.assignees = dir.people_in(&units, &[Role::Specialist, Role::Leader]);
    }
    if a.hand_over {
        a.receivers = receivers(&dir, &rec);
    }
    if a.send_agency {
        // Another agency (liên thông): not one the dossier already goes through — the agency of
        // the receiving desk or of any step of its workflow.
        let own: Vec<String> = std::iter::once(rec.row.receiving_unit.as_str())
            .chain(
                rec.steps
                    .iter()
                    .filter(|s| s.agency_code.is_none())
                    .map(|s| s.unit_code.as_str()),
            )
            .filter_map(|u| dir.agency_of(u).map(|a| a.code.clone()))
            .collect();
        a.agencies = dir
            .units
            .iter()
            .filter(|u| u.kind == "agency" && u.active && !own.contains(&u.code))
            .map(|u| (u.code.clone(), u.name.clone()))
            .collect();
        a.partner_units = a
            .agencies
            .iter()
            .map(|(code, name)| {
                let units = dir
                    .units
                    .iter()
                    .filter(|u| u.active && dir.agency_of(&u.code).is_some_and(|g| &g.code == code))
                    .map(|u| (u.code.clone(), u.name.clone()))
                    .collect();
                (name.clone(), units)
            })
            .collect();
        a.partner_rows = (1..=PARTNER_ROWS).collect();
    }
    if a.supplement
        && let Some(v) = &version
    {
        a.components = v
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| (i, c.name.clone()))
            .collect();
    }
    a.fees = fee_lines
        .iter()
        .enumerate()
        .map(|(i, f)| {
            (
                i,
                match f.amount {
                    Some(x) => format!("{} — {x} đ", f.name),
                    None => format!("{} — {}", f.name, f.text),
                },
            )
        })
        .collect();
    a.indicators = Indicator::ALL
        .iter()
        .map(|i| {
            (
                i.number(),
                match lang {
                    Lang::Vi => i.label_vi().to_owned(),
                    Lang::En => i.label_en().to_owned(),
                },
            )
        })
        .collect();
    a.today = super::local(now).date_naive().format("%Y-%m-%d").to_string();
    a.default_new_date = super::local(later + chrono::Duration::days(2))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();

    let mut pc = PageCtx::new(ctx).with_flash(ok);
    pc.error = error;
    Ok(DossierPage {
        ctx: pc,
        id: rec.row.id.clone(),
        version: rec.row.version,
        code: rec
            .row
            .code
            .clone()
            .unwrap_or_else(|| t(lang, "desk.no_code").to_owned()),
        state: super::state_label(lang, &rec.row.state),
        state_code: rec.row.state.clone(),
        national: rec.row.national_status,
        national_label: super::national_label(lang, rec.row.national_status),
        facts,
        applicant,
        appointment: when_opt(rec.row.appointment),
        explanation,
        pauses,
        fees,
        flags,
        components,
        steps,
        history: history_lines,
        forms,
        attachments,
        actions: a,
    })
}

fn roles_leader(roles: &[(Role, Option<String>)]) -> Vec<(Role, Option<String>)> {
    roles.iter().filter(|(r, _)| *r == Role::Leader).cloned().collect()
}

/// Who may receive the dossier at a hand-over: the people of the next step's unit; for the
/// last step, the leaders who decide. When that unit has nobody, the specialists and leaders of
/// the units that handle the dossier.
fn receivers(dir: &Directory, rec: &DossierRecord) -> Vec<(String, String)> {
    let decision = Command::Deny { reason: String::new() };
    let handled: Vec<String> = dossier_access::units_for(rec, &decision)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let handled = handled.as_slice();
    let next = rec.dossier.step as usize + 1;
    let picked = match rec.steps.get(next) {
        Some(s) => dir.people_in(
            std::slice::from_ref(&s.unit_code),
            &[Role::Specialist, Role::Leader, Role::Clerk],
        ),
        None => dir.people_in(handled, &[Role::Leader]),
    };
    if picked.is_empty() {
        dir.people_in(handled, &[Role::Specialist, Role::Leader])
    } else {
        picked
    }
}

pub async fn page(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, HtmlError> {
    let p = build(&st, &ctx, &id, q.ok.as_deref(), None).await?;
    Ok(render_status(StatusCode::OK, &p))
}

/// The local instant of a date and `HH:MM` (UTC+7) as UTC.
pub(crate) fn local_instant(date: chrono::NaiveDate, time: chrono::NaiveTime) -> DateTime<Utc> {
    date.and_time(time)
        .and_local_timezone(motcua_core::calendar::vn_offset())
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| date.and_time(time).and_utc())
}
