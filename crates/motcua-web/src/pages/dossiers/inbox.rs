//! The work inbox (hộp việc): mine, my unit's queue, near due, overdue, or everything, with a
//! search by code or applicant name without diacritics and a state filter. Lateness first:
//! overdue, then near due (the core's `urgency` with the configured window), then the rest,
//! each by appointment. Also the lateness alerts: open dossiers past their appointment without
//! an apology (the dashboard flag).

use super::{Calendars, Directory, my_units, principal, roles_by_code, when_opt};
use crate::AppState;
use crate::extract::ReqCtx;
use crate::i18n::t;
use crate::pages::{HtmlError, PageCtx, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use motcua_core::dossiers::{Command, Dossier, Urgency, urgency};
use motcua_core::identity::Role;
use motcua_store::dossiers::{self, DossierRow, InboxFilter};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct InboxQuery {
    view: Option<String>,
    #[serde(default)]
    q: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    page: u32,
    ok: Option<String>,
}

pub struct Row {
    pub id: String,
    pub version: i64,
    pub code: String,
    pub applicant: String,
    pub procedure: String,
    pub state: String,
    pub national: i64,
    pub unit: String,
    pub assignee: String,
    pub appointment: String,
    /// `overdue`, `near` or empty.
    pub urgency: &'static str,
    pub can_claim: bool,
}

#[derive(Template)]
#[template(path = "dossier_inbox.html")]
struct InboxPage {
    ctx: PageCtx,
    view: String,
    view_title: String,
    q: String,
    state: String,
    states: Vec<(String, String)>,
    rows: Vec<Row>,
    page: u32,
    more: bool,
    late_without_apology: usize,
    ledger_from: String,
    ledger_to: String,
    back: String,
}

const PER_PAGE: u32 = 50;

pub(crate) fn urgency_class(u: Option<Urgency>) -> &'static str {
    match u {
        Some(Urgency::Overdue) => "overdue",
        Some(Urgency::NearDue) => "near",
        _ => "",
    }
}

/// The urgency of an open dossier at `now`; `None` while its clock is paused or it is closed.
pub(crate) async fn urgency_of(
    st: &AppState,
    cals: &mut Calendars<'_>,
    row: &DossierRow,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<Urgency>, HtmlError> {
    if !row.is_open || row.state == "awaiting_supplement" {
        return Ok(None);
    }
    let Some(app) = row.appointment else { return Ok(None) };
    let cal = cals.of(&row.receiving_unit).await?;
    Ok(urgency(&cal, now, motcua_store::time::from_us(app), &st.deadline_rules).ok())
}

pub async fn inbox(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Query(q): Query<InboxQuery>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let who = principal(&ctx)?;
    let dir = Directory::load(&st).await?;
    let now = st.now();
    let units = my_units(who, &dir);
    let view = q
        .view
        .clone()
        .filter(|v| ["mine", "unit", "near", "overdue", "all"].contains(&v.as_str()))
        .unwrap_or_else(|| {
            if who.has_role(Role::Inspector) && !who.has_role(Role::Leader) {
                "all"
            } else {
                "unit"
            }
            .into()
        });
    let query = Some(q.q.trim().to_owned()).filter(|s| !s.is_empty());
    let state = Some(q.state.clone()).filter(|s| !s.is_empty());
    let base = InboxFilter {
        query: query.clone(),
        state: state.clone(),
        ..Default::default()
    };
    // The unit queues the person sees: their units', or every unit for a role held everywhere.
    let unit_filters: Vec<Option<String>> = match &units {
        None => vec![None],
        Some(v) => v.iter().cloned().map(Some).collect(),
    };
    let mut found: Vec<DossierRow> = Vec::new();
    let mut more = false;
    match view.as_str() {
        "mine" => {
            let f = InboxFilter {
                assignee: Some(who.user_id.clone()),
                open_only: state.is_none(),
                page: q.page,
                per_page: PER_PAGE,
                ..base
            };
            found = dossiers::inbox(st.store.db(), &f).await?;
            more = found.len() as u32 == PER_PAGE;
        }
        "all" => {
            let f = InboxFilter {
                page: q.page,
                per_page: PER_PAGE,
                ..base
            };
            found = dossiers::inbox(st.store.db(), &f).await?;
            more = found.len() as u32 == PER_PAGE;
        }
        _ => {
            for u in &unit_filters {
                let f = InboxFilter {
                    unit: u.clone(),
                    open_only: state.is_none() || view != "unit",
                    per_page: 500,
                    ..base.clone()
                };
                for r in dossiers::inbox(st.store.db(), &f).await? {
                    if !found.iter().any(|x| x.id == r.id) {
                        found.push(r);
                    }
                }
            }
        }
    }
    let roles = roles_by_code(who, &dir);
    let mut cals = Calendars::new(&st);
    let mut rows = Vec::new();
    for r in &found {
        let u = urgency_of(&st, &mut cals, r, now).await?;
        match view.as_str() {
            "near" if u != Some(Urgency::NearDue) => continue,
            "overdue" if u != Some(Urgency::Overdue) => continue,
            _ => {}
        }
        let claim = Command::Assign {
            assignee: who.user_id.clone(),
        };
        let mut can_claim = r.is_open
            && r.assignee.as_deref() != Some(who.user_id.as_str())
            && (who.has_role(Role::Specialist) || who.has_role(Role::Leader));
        if can_claim && let Some(rec) = dossiers::get(st.store.db(), &r.id).await? {
            can_claim = crate::dossier_access::permitted(&claim, &roles, &rec);
        }
        rows.push((
            match u {
                Some(Urgency::Overdue) => 0,
                Some(Urgency::NearDue) => 1,
                _ => 2,
            },
            Row {
                id: r.id.clone(),
                version: r.version,
                code: r.code.clone().unwrap_or_else(|| t(lang, "desk.no_code").to_owned()),
                applicant: r.applicant_name.clone(),
                procedure: r.procedure_name.clone(),
                state: super::state_label(lang, &r.state),
                national: r.national_status,
                unit: dir.unit_name(&r.current_unit),
                assignee: r.assignee.as_deref().map(|a| dir.person(a)).unwrap_or_default(),
                appointment: when_opt(r.appointment),
                urgency: urgency_class(u),
                can_claim,
            },
        ));
    }
    // Lateness first, then the store's order (soonest appointment first).
    rows.sort_by_key(|(rank, _)| *rank);
    let late_without_apology = if who.has_role(Role::Leader) || who.has_role(Role::Inspector) {
        late_without_apology(&st, &dir, units.as_deref(), now).await?.len()
    } else {
        0
    };
    let today = super::local(now).date_naive();
    let first = today.with_day0(0).unwrap_or(today);
    let mut states: Vec<(String, String)> = motcua_core::dossiers::DossierState::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), super::state_label(lang, s.as_str())))
        .collect();
    states.insert(0, (String::new(), t(lang, "desk.any_state").to_owned()));
    let back = format!(
        "/ho-so?view={view}&q={}&state={}",
        crate::pages::url_encode(&q.q),
        crate::pages::url_encode(&q.state)
    );
    Ok(render(&InboxPage {
        ctx: PageCtx::new(&ctx).with_flash(q.ok.as_deref()),
        view_title: t(lang, &format!("desk.view_{view}")).to_owned(),
        view,
        q: q.q,
        state: q.state,
        states,
        rows: rows.into_iter().map(|(_, r)| r).collect(),
        page: q.page,
        more,
        late_without_apology,
        ledger_from: first.format("%Y-%m-%d").to_string(),
        ledger_to: today.format("%Y-%m-%d").to_string(),
        back,
    }))
}

use chrono::Datelike;

/// Open dossiers past their appointment with no apology issued (within `units`, or all).
pub(crate) async fn late_without_apology(
    st: &AppState,
    dir: &Directory,
    units: Option<&[String]>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<(DossierRow, Dossier)>, HtmlError> {
    let _ = dir;
    let mut out = Vec::new();
    for r in dossiers::open_dossiers(st.store.db()).await? {
        if r.state == "awaiting_supplement" {
            continue;
        }
        let Some(app) = r.appointment else { continue };
        if motcua_store::time::from_us(app) >= now {
            continue;
        }
        let Ok(d) = serde_json::from_str::<Dossier>(&r.document) else {
            continue;
        };
        if d.apology_issued {
            continue;
        }
        if let Some(us) = units
            && !us.iter().any(|u| *u == r.current_unit || *u == r.receiving_unit)
        {
            // Leaders also answer for dossiers whose workflow passes through their unit.
            let steps = dossiers::get(st.store.db(), &r.id)
                .await?
                .map(|x| x.steps)
                .unwrap_or_default();
            if !steps.iter().any(|s| us.contains(&s.unit_code)) {
                continue;
            }
        }
        out.push((r, d));
    }
    Ok(out)
}

pub struct AlertRow {
    pub id: String,
    pub code: String,
    pub applicant: String,
    pub procedure: String,
    pub state: String,
    pub unit: String,
    pub assignee: String,
    pub appointment: String,
}

#[derive(Template)]
#[template(path = "dossier_alerts.html")]
struct AlertsPage {
    ctx: PageCtx,
    rows: Vec<AlertRow>,
}

pub async fn alerts(State(st): State<AppState>, ctx: ReqCtx) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let who = principal(&ctx)?;
    let dir = Directory::load(&st).await?;
    // Inspectors oversee every unit; leaders their own.
    let units = if who.has_role(Role::Inspector) {
        None
    } else {
        my_units(who, &dir)
    };
    let rows = late_without_apology(&st, &dir, units.as_deref(), st.now())
        .await?
        .into_iter()
        .map(|(r, _)| AlertRow {
            id: r.id.clone(),
            code: r.code.clone().unwrap_or_default(),
            applicant: r.applicant_name.clone(),
            procedure: r.procedure_name.clone(),
            state: super::state_label(lang, &r.state),
            unit: dir.unit_name(&r.current_unit),
            assignee: r.assignee.as_deref().map(|a| dir.person(a)).unwrap_or_default(),
            appointment: when_opt(r.appointment),
        })
        .collect();
    Ok(render(&AlertsPage {
        ctx: PageCtx::new(&ctx),
        rows,
    }))
}
