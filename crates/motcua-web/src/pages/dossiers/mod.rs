//! The back office for dossiers (hồ sơ): desk intake, the work inbox, the dossier page with its
//! actions, the official forms as PDF, the tracking ledger and the lateness alerts (issue 5).
//!
//! Rules stay in the core and the store: who may run a command is
//! `motcua_core::dossiers::permission::permitted`, whether it is legal now is the core's
//! `decide`, deadlines come from the store with the core calendar. These pages only show what is
//! permitted and legal, and say in Vietnamese why something was refused (409 wrong state, 422
//! bad input), never a 500.
//!
//! Unit scope: one rule with the JSON API, [`crate::dossier_access`] — the receiving unit, the
//! unit holding the dossier now and the current step's unit (for approve, deny and stop also
//! the last step's unit).

mod actions;
mod forms;
mod inbox;
pub mod input;
mod intake;
mod view;

use crate::AppState;
use crate::auth::{Access, Principal};
use crate::extract::ReqCtx;
use crate::i18n::{Lang, t, try_t};
use crate::pages::HtmlError;
use crate::problem::ApiError;
use crate::routes::Routes;
use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use motcua_core::calendar::{Duration, vn_offset};
use motcua_core::identity::Role;
use motcua_store::StoreError;
use motcua_store::identity::{Unit, User};
use std::collections::HashMap;

/// The one-stop clerks (cán bộ một cửa): intake.
pub(crate) const DESK: &[Role] = &[Role::Clerk];
/// Everyone who processes dossiers.
pub(crate) const WORKERS: &[Role] = &[Role::Clerk, Role::Specialist, Role::Leader];
/// Everyone who may read dossiers and their forms (inspectors read, never act).
pub(crate) const READERS: &[Role] = &[Role::Clerk, Role::Specialist, Role::Leader, Role::Inspector];
/// The tracking ledger (sổ theo dõi hồ sơ).
pub(crate) const LEDGER: &[Role] = &[Role::Clerk, Role::Leader, Role::Inspector];
/// The lateness alerts.
pub(crate) const ALERTS: &[Role] = &[Role::Leader, Role::Inspector];

pub fn routes(r: Routes) -> Routes {
    r.get("/ho-so", Access::roles(READERS), inbox::inbox)
        .get("/ho-so/tiep-nhan", Access::roles(DESK), intake::form)
        .post("/ho-so/tiep-nhan", Access::roles(DESK), intake::submit)
        .get("/ho-so/canh-bao", Access::roles(ALERTS), inbox::alerts)
        .get("/ho-so/so-theo-doi.pdf", Access::roles(LEDGER), forms::ledger_pdf)
        .get("/ho-so/so-theo-doi.xlsx", Access::roles(LEDGER), forms::ledger_xlsx)
        .get("/ho-so/{id}", Access::roles(READERS), view::page)
        .post("/ho-so/{id}/thao-tac", Access::roles(WORKERS), actions::act)
        .get("/ho-so/{id}/phieu/{file}", Access::roles(READERS), forms::form_pdf)
        .get("/ho-so/{id}/tep/{file}", Access::roles(READERS), forms::download)
}

/// Units and people, read once per request to show names and pick receivers.
pub(crate) struct Directory {
    pub units: Vec<Unit>,
    pub users: Vec<User>,
    /// (user id, role, unit id)
    pub grants: Vec<(String, Role, Option<String>)>,
}

impl Directory {
    pub async fn load(st: &AppState) -> Result<Directory, HtmlError> {
        let db = st.store.db();
        let units = motcua_store::identity::list_units(db).await?;
        let users = motcua_store::identity::list_users(db).await?;
        let grants = motcua_store::identity::all_grants(db)
            .await?
            .into_iter()
            .filter_map(|g| Some((g.user_id, Role::parse(&g.role)?, g.unit_id)))
            .collect();
        Ok(Directory { units, users, grants })
    }

    pub fn unit_by_code(&self, code: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.code == code)
    }

    /// A unit's name from its code or id (actors carry either), else what was given.
    pub fn unit_name(&self, code_or_id: &str) -> String {
        self.units
            .iter()
            .find(|u| u.code == code_or_id || u.id == code_or_id)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| code_or_id.to_owned())
    }

    pub fn code_of_unit_id(&self, id: &str) -> Option<String> {
        self.units.iter().find(|u| u.id == id).map(|u| u.code.clone())
    }

    /// A person's full name from their id ("Hệ thống" for the system).
    pub fn person(&self, id: &str) -> String {
        if id == "system" {
            return "Hệ thống".into();
        }
        self.users
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.full_name.clone())
            .unwrap_or_else(|| id.to_owned())
    }

    /// Active people holding one of `roles` in one of the units `codes`, by name.
    pub fn people_in(&self, codes: &[String], roles: &[Role]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (user, role, unit) in &self.grants {
            if !roles.contains(role) {
                continue;
            }
            let Some(code) = unit.as_deref().and_then(|u| self.code_of_unit_id(u)) else {
                continue;
            };
            if !codes.contains(&code) {
                continue;
            }
            if let Some(u) = self.users.iter().find(|u| &u.id == user && u.active)
                && !out.iter().any(|(id, _)| id == &u.id)
            {
                out.push((u.id.clone(), format!("{} ({})", u.full_name, self.unit_name(&code))));
            }
        }
        out.sort_by(|a, b| a.1.cmp(&b.1));
        out
    }

    /// The agency a unit belongs to (the nearest ancestor of kind `agency`, or the unit).
    pub fn agency_of(&self, code: &str) -> Option<&Unit> {
        let mut u = self.unit_by_code(code)?;
        for _ in 0..16 {
            if u.kind == "agency" {
                return Some(u);
            }
            match u
                .parent_id
                .as_deref()
                .and_then(|p| self.units.iter().find(|x| x.id == p))
            {
                Some(p) => u = p,
                None => break,
            }
        }
        Some(u)
    }

    /// The place printed on forms: the province (or city) named by the root agency, e.g.
    /// "Quảng Trị" from "Ủy ban nhân dân tỉnh Quảng Trị".
    pub fn place(&self, code: &str) -> String {
        let mut u = match self.unit_by_code(code) {
            Some(u) => u,
            None => return String::new(),
        };
        for _ in 0..16 {
            match u
                .parent_id
                .as_deref()
                .and_then(|p| self.units.iter().find(|x| x.id == p))
            {
                Some(p) => u = p,
                None => break,
            }
        }
        for key in ["thành phố ", "tỉnh ", "Thành phố ", "Tỉnh "] {
            if let Some(i) = u.name.rfind(key) {
                return u.name[i + key.len()..].trim().to_owned();
            }
        }
        u.name.clone()
    }
}

/// The caller's roles with their unit as a unit **code** (the notation of dossiers).
pub(crate) fn roles_by_code(p: &Principal, dir: &Directory) -> Vec<(Role, Option<String>)> {
    p.roles
        .iter()
        .map(|(r, u)| {
            (
                *r,
                u.as_ref()
                    .map(|id| dir.code_of_unit_id(id).unwrap_or_else(|| id.clone())),
            )
        })
        .collect()
}

/// The unit codes the caller's roles are held in (`None` when one role holds everywhere).
pub(crate) fn my_units(p: &Principal, dir: &Directory) -> Option<Vec<String>> {
    let roles = roles_by_code(p, dir);
    if roles.iter().any(|(r, u)| u.is_none() && WORKERS.contains(r)) {
        return None;
    }
    let mut v: Vec<String> = roles.into_iter().filter_map(|(_, u)| u).collect();
    v.sort();
    v.dedup();
    Some(v)
}

pub(crate) fn principal(ctx: &ReqCtx) -> Result<&Principal, HtmlError> {
    ctx.principal
        .as_ref()
        .ok_or_else(|| HtmlError(ApiError::unauthorized()))
}

/// Local (UTC+7) wall-clock time of an instant.
pub(crate) fn local(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&vn_offset())
}

pub(crate) fn local_naive(us: i64) -> NaiveDateTime {
    local(motcua_store::time::from_us(us)).naive_local()
}

/// `14:30 27/11/2026` in UTC+7.
pub(crate) fn when(us: i64) -> String {
    local(motcua_store::time::from_us(us))
        .format("%H:%M %d/%m/%Y")
        .to_string()
}

pub(crate) fn when_opt(us: Option<i64>) -> String {
    us.map(when).unwrap_or_default()
}

/// A time limit in Vietnamese words (`05 ngày làm việc`).
pub(crate) fn duration_vi(d: Duration) -> String {
    match d {
        Duration::WorkingDays(n) => format!("{n:02} ngày làm việc"),
        Duration::WorkingHours(n) => format!("{n:02} giờ làm việc"),
        Duration::Days(n) => format!("{n:02} ngày"),
        Duration::Months(n) => format!("{n:02} tháng"),
    }
}

/// What a refused command or a failed write means to the person at the page, and the status
/// to answer with: 409 for a wrong state or a stale page, 422 for bad input. Faults are not
/// turned into messages; the caller passes them on.
pub(crate) fn refusal(lang: Lang, e: &StoreError) -> Option<(axum::http::StatusCode, String)> {
    use axum::http::StatusCode;
    match e {
        StoreError::Conflict(_) => Some((StatusCode::CONFLICT, t(lang, "desk.err_conflict").to_owned())),
        StoreError::Rejected { code, message } => {
            // The same split as the API's: a wrong state is 409 whichever code says it.
            let status = if crate::problem::STATE_CODES.contains(code) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            // Our own words when we have them (file checks speak English in the store); else
            // the core's Vietnamese message, which names the fields and components at fault.
            let text = try_t(lang, &format!("desk.err_{code}"))
                .map(str::to_owned)
                .unwrap_or_else(|| message.clone());
            Some((status, text))
        }
        _ => None,
    }
}

/// A HashMap of calendars per unit, built on demand.
pub(crate) struct Calendars<'a> {
    st: &'a AppState,
    by_unit: HashMap<String, std::sync::Arc<motcua_core::calendar::AgencyCalendar>>,
}

impl<'a> Calendars<'a> {
    pub fn new(st: &'a AppState) -> Self {
        Calendars {
            st,
            by_unit: HashMap::new(),
        }
    }

    pub async fn of(&mut self, unit: &str) -> Result<std::sync::Arc<motcua_core::calendar::AgencyCalendar>, HtmlError> {
        if let Some(c) = self.by_unit.get(unit) {
            return Ok(c.clone());
        }
        let c = self.st.calendar.agency(&self.st.store, Some(unit), None).await?;
        self.by_unit.insert(unit.to_owned(), c.clone());
        Ok(c)
    }
}

/// The label of a national status code, in the reader's language.
pub(crate) fn national_label(lang: Lang, code: i64) -> String {
    match lang {
        Lang::Vi => motcua_core::dossiers::DossierState::national_label_vi(code as u8)
            .unwrap_or("")
            .to_owned(),
        Lang::En => try_t(lang, &format!("desk.national_{code}")).unwrap_or("").to_owned(),
    }
}

/// The label of an internal state, in the reader's language.
pub(crate) fn state_label(lang: Lang, state: &str) -> String {
    let s = motcua_core::dossiers::DossierState::ALL
        .into_iter()
        .find(|s| s.as_str() == state);
    match (lang, s) {
        (Lang::Vi, Some(s)) => s.label_vi().to_owned(),
        _ => try_t(lang, &format!("desk.state_{state}")).unwrap_or(state).to_owned(),
    }
}
