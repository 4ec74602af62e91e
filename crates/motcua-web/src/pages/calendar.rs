//! The working-day calendar pages: the public due-date calculator (Tính ngày hẹn trả) and the
//! administrator's calendar (month grids with lunar dates, official entries, CSV import,
//! versions and "recompute as of version N").

use super::{ADMIN, HtmlError, PageCtx, fmt_instant, render_status};
use crate::AppState;
use crate::api::calendar::{
    self as api, CalendarFailure, DueOut, DueQuestion, InputError, parse_cutoff, parse_duration,
};
use crate::auth::Access;
use crate::extract::{CsrfForm, ReqCtx};
use crate::i18n::{Lang, t};
use crate::problem::ApiError;
use crate::routes::Routes;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, Weekday};
use motcua_core::calendar::{AgencyCalendar, DayKind, ScheduleProblem, vn_offset};
use motcua_store::calendar::{self as store, Change};
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    r.get("/calendar/due", Access::Public, due_page)
        .get("/admin/calendar", Access::roles(ADMIN), admin_page)
        .post("/admin/calendar/entries", Access::roles(ADMIN), save_entry)
        .post(
            "/admin/calendar/entries/{id}/remove",
            Access::roles(ADMIN),
            remove_entry,
        )
        .post("/admin/calendar/import", Access::roles(ADMIN), import)
}

fn weekday_name(lang: Lang, w: Weekday) -> &'static str {
    t(lang, &format!("calendar.wd_{}", weekday_key(w)))
}

fn weekday_key(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

fn kind_label(lang: Lang, kind: &str) -> &'static str {
    crate::i18n::try_t(lang, &format!("calendar.kind_{kind}")).unwrap_or("")
}

/// `Thứ Tư, 21/02/2024 10:00`
fn fmt_due(lang: Lang, d: DateTime<FixedOffset>) -> String {
    let l = d.with_timezone(&vn_offset());
    format!("{}, {}", weekday_name(lang, l.weekday()), l.format("%d/%m/%Y %H:%M"))
}

fn input_message(lang: Lang, e: &InputError) -> String {
    match lang {
        Lang::Vi => e.message_vi.clone(),
        Lang::En => e.message_en.clone(),
    }
}

fn problem_messages(lang: Lang, problems: &[ScheduleProblem]) -> Vec<String> {
    problems
        .iter()
        .map(|p| {
            let msg = match lang {
                Lang::Vi => &p.message_vi,
                Lang::En => &p.message_en,
            };
            match (p.row, lang) {
                (Some(r), Lang::Vi) => format!("Dòng {r}: {msg}"),
                (Some(r), Lang::En) => format!("Row {r}: {msg}"),
                (None, _) => msg.clone(),
            }
        })
        .collect()
}

/// A date as people type it: `07/02/2024` or `2024-02-07`.
fn parse_human_date(field: &str, s: &str) -> Result<NaiveDate, InputError> {
    let t = s.trim();
    NaiveDate::parse_from_str(t, "%d/%m/%Y").or_else(|_| api::parse_date(field, t))
}

fn parse_time(field: &str, s: &str) -> Result<NaiveTime, InputError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(InputError::required(field));
    }
    NaiveTime::parse_from_str(t, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
        .map_err(|_| {
            InputError::new(
                field,
                "time_invalid",
                format!("Giờ \"{s}\" không hợp lệ: dùng dạng HH:MM, ví dụ 10:00."),
                format!("\"{s}\" is not a valid time: use HH:MM, e.g. 10:00."),
            )
        })
}

/// One skipped day, for people.
pub struct SkippedView {
    pub date: String,
    pub weekday: String,
    pub kind: String,
    pub name: String,
    pub reference: String,
}

/// A computed due date, for people.
pub struct DueView {
    pub received: String,
    pub due: String,
    pub due_iso: String,
    pub skipped: Vec<SkippedView>,
    pub rule_set: String,
    pub version: i64,
}

fn due_view(lang: Lang, from: DateTime<FixedOffset>, d: &DueOut) -> DueView {
    let due = DateTime::parse_from_rfc3339(&d.due).ok();
    DueView {
        received: fmt_due(lang, from),
        due: due.map(|x| fmt_due(lang, x)).unwrap_or_else(|| d.due.clone()),
        due_iso: d.due.clone(),
        skipped: d
            .skipped
            .iter()
            .map(|s| {
                let date = NaiveDate::parse_from_str(&s.date, "%Y-%m-%d").ok();
                SkippedView {
                    date: date.map(|x| x.format("%d/%m/%Y").to_string()).unwrap_or_default(),
                    weekday: date
                        .map(|x| weekday_name(lang, x.weekday()).to_owned())
                        .unwrap_or_default(),
                    kind: kind_label(lang, &s.kind).to_owned(),
                    name: s.name.clone().unwrap_or_default(),
                    reference: s.reference.clone().unwrap_or_default(),
                }
            })
            .collect(),
        rule_set: d.rule_set.clone(),
        version: d.calendar_version,
    }
}

// ------------------------------------------------------------------------------ calculator

#[derive(Default, Deserialize)]
pub struct CalcQuery {
    date: Option<String>,
    time: Option<String>,
    duration: Option<String>,
    agency: Option<String>,
    cutoff: Option<String>,
}

/// The calculator's fields as typed, and which one is wrong.
#[derive(Default)]
pub struct CalcForm {
    pub date: String,
    pub time: String,
    pub duration: String,
    pub agency: String,
    pub cutoff: String,
    /// The field at fault (`date`, `time`, `duration`, `agency`, `cutoff`).
    pub bad: String,
}

#[derive(Template)]
#[template(path = "calendar_due.html")]
struct DuePage {
    ctx: PageCtx,
    form: CalcForm,
    agencies: Vec<(String, String)>,
    result: Option<DueView>,
}

struct Question {
    from: DateTime<FixedOffset>,
    q: DueQuestion,
}

fn calc_question(f: &CalcForm) -> Result<Question, InputError> {
    let date = parse_human_date("date", &f.date)?;
    let time = parse_time("time", &f.time)?;
    let from = date
        .and_time(time)
        .and_local_timezone(vn_offset())
        .single()
        .ok_or_else(|| InputError::required("time"))?;
    let duration = parse_duration("duration", &f.duration)?;
    let cutoff = Some(f.cutoff.trim())
        .filter(|s| !s.is_empty())
        .map(|c| parse_cutoff("cutoff", c))
        .transpose()?;
    Ok(Question {
        from,
        q: DueQuestion {
            from,
            duration,
            agency: Some(f.agency.trim().to_owned()).filter(|s| !s.is_empty()),
            cutoff,
            version: None,
        },
    })
}

async fn agency_options(st: &AppState) -> Result<Vec<(String, String)>, HtmlError> {
    Ok(motcua_store::identity::list_units(st.store.db())
        .await?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| (u.code.clone(), format!("{} — {}", u.name, u.code)))
        .collect())
}

async fn due_page(State(st): State<AppState>, ctx: ReqCtx, Query(q): Query<CalcQuery>) -> Result<Response, HtmlError> {
    let asked = q.date.is_some() || q.duration.is_some();
    let mut form = CalcForm {
        date: q.date.unwrap_or_default(),
        time: q.time.unwrap_or_else(|| "08:00".into()),
        duration: q.duration.unwrap_or_else(|| "5wd".into()),
        agency: q.agency.unwrap_or_default(),
        cutoff: q.cutoff.unwrap_or_default(),
        bad: String::new(),
    };
    let mut c = PageCtx::new(&ctx);
    let mut result = None;
    let mut status = StatusCode::OK;
    if asked {
        let answer = match calc_question(&form) {
            Ok(question) => api::answer_due(&st.store, &st.calendar, &question.q)
                .await
                .map(|d| (question.from, d)),
            Err(e) => Err(CalendarFailure::Input(e)),
        };
        match answer {
            Ok((from, d)) => result = Some(due_view(ctx.lang, from, &d)),
            Err(CalendarFailure::Input(e)) => {
                form.bad = match e.field.as_str() {
                    "from" => "date".into(),
                    f => f.to_owned(),
                };
                c.error = Some(input_message(ctx.lang, &e));
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
            Err(CalendarFailure::Store(e)) => return Err(HtmlError(e.into())),
        }
    }
    let agencies = agency_options(&st).await?;
    Ok(render_status(
        status,
        &DuePage {
            ctx: c,
            form,
            agencies,
            result,
        },
    ))
}

// ------------------------------------------------------------------------------ admin calendar

/// One day in a month grid.
pub struct CellView {
    pub day: u32,
    pub lunar: String,
    /// CSS class and kind (`working`, `weekend`, `holiday`, …).
    pub kind: String,
    /// Short visible label of a special day (not colour alone).
    pub short: String,
    /// Kind and name, for the cell's title and screen readers.
    pub label: String,
}

pub struct MonthView {
    pub title: String,
    /// Weeks of seven cells (Monday first); `None` outside the month.
    pub weeks: Vec<Vec<Option<CellView>>>,
}

fn month_views(lang: Lang, cal: &AgencyCalendar, year: i32) -> Vec<MonthView> {
    let mut out = Vec::with_capacity(12);
    for m in 1..=12u32 {
        let Some(first) = NaiveDate::from_ymd_opt(year, m, 1) else {
            continue;
        };
        let mut weeks: Vec<Vec<Option<CellView>>> = Vec::new();
        let mut week: Vec<Option<CellView>> = (0..first.weekday().num_days_from_monday()).map(|_| None).collect();
        let mut d = first;
        while d.month() == m {
            let info = cal.day(d);
            let kind = info.kind.as_str();
            let special = !matches!(info.kind, DayKind::Working | DayKind::Weekend);
            let short = if special {
                crate::i18n::try_t(lang, &format!("calendar.short_{kind}"))
                    .unwrap_or("")
                    .to_owned()
            } else {
                String::new()
            };
            let mut label = format!("{} {}", weekday_name(lang, d.weekday()), d.format("%d/%m/%Y"));
            if special || info.kind == DayKind::Weekend {
                label.push_str(&format!(" — {}", kind_label(lang, kind)));
            }
            if let Some(n) = &info.name {
                label.push_str(&format!(": {n}"));
            }
            week.push(Some(CellView {
                day: d.day(),
                lunar: format!(
                    "{}/{}{}",
                    info.lunar.day,
                    info.lunar.month,
                    if info.lunar.leap { "N" } else { "" }
                ),
                kind: kind.to_owned(),
                short,
                label,
            }));
            if week.len() == 7 {
                weeks.push(std::mem::take(&mut week));
            }
            match d.succ_opt() {
                Some(n) => d = n,
                None => break,
            }
        }
        if !week.is_empty() {
            while week.len() < 7 {
                week.push(None);
            }
            weeks.push(week);
        }
        out.push(MonthView {
            title: format!("{} {m}/{year}", t(lang, "calendar.month")),
            weeks,
        });
    }
    out
}

pub struct EntryView {
    pub id: String,
    pub date: String,
    pub weekday: String,
    pub kind: String,
    pub kind_label: String,
    pub name: String,
    pub reference: String,
}

pub struct VersionView {
    pub version: i64,
    pub when: String,
    pub who: String,
    pub summary: String,
}

/// The add/correct form (`id` set when correcting).
#[derive(Default, Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    year: String,
}

/// The "recompute as of version N" form and its result.
#[derive(Default)]
pub struct DiffForm {
    pub a: String,
    pub date: String,
    pub time: String,
    pub duration: String,
}

pub struct DiffView {
    pub a: DueView,
    pub b: DueView,
    pub changed: bool,
    pub only_in_a: Vec<EntryView>,
    pub only_in_b: Vec<EntryView>,
}

#[derive(Template)]
#[template(path = "calendar_admin.html")]
struct AdminPage {
    ctx: PageCtx,
    year: i32,
    version: i64,
    months: Vec<MonthView>,
    weekdays: Vec<&'static str>,
    legend: Vec<(String, String, String)>,
    entries: Vec<EntryView>,
    kinds: Vec<(String, String)>,
    form: EntryForm,
    csv: String,
    problems: Vec<String>,
    versions: Vec<VersionView>,
    diff_form: DiffForm,
    diff: Option<DiffView>,
}

#[derive(Default, Deserialize)]
pub struct AdminQuery {
    year: Option<String>,
    ok: Option<String>,
    /// Open dossiers rescheduled by the change just made.
    moved: Option<usize>,
    edit: Option<String>,
    a: Option<String>,
    date: Option<String>,
    time: Option<String>,
    duration: Option<String>,
}

fn this_year() -> i32 {
    chrono::Utc::now().with_timezone(&vn_offset()).year()
}

fn entry_view(lang: Lang, e: &store::StoredEntry) -> EntryView {
    EntryView {
        id: e.id.clone(),
        date: e.date.format("%d/%m/%Y").to_string(),
        weekday: weekday_name(lang, e.date.weekday()).to_owned(),
        kind: e.kind.as_str().to_owned(),
        kind_label: kind_label(lang, e.kind.as_str()).to_owned(),
        name: e.name.clone(),
        reference: e.reference.clone(),
    }
}

#[derive(Default)]
struct AdminExtras {
    form: EntryForm,
    csv: String,
    problems: Vec<String>,
    error: Option<String>,
    flash: Option<String>,
}

async fn render_admin(
    st: &AppState,
    ctx: &ReqCtx,
    year: i32,
    q: &AdminQuery,
    extras: AdminExtras,
    status: StatusCode,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let cal = st.calendar.agency(&st.store, None, None).await?;
    let version = cal.version();
    let entries: Vec<EntryView> = store::entries_as_of(st.store.db(), version)
        .await?
        .iter()
        .filter(|e| e.year == year || e.date.year() == year)
        .map(|e| entry_view(lang, e))
        .collect();
    let names = super::actor_names(st).await?;
    let versions = store::list_versions(st.store.db())
        .await?
        .into_iter()
        .rev()
        .map(|v| VersionView {
            version: v.version,
            when: fmt_instant(v.created_at),
            who: super::actor_label(&names, &v.actor_id, lang),
            summary: v.summary,
        })
        .collect();
    let mut form = extras.form;
    if form.date.is_empty()
        && let Some(id) = q.edit.as_deref()
        && let Some(e) = store::get_entry(st.store.db(), id).await?
        && e.valid_to_version.is_none()
    {
        form = EntryForm {
            id: e.id.clone(),
            date: e.date.format("%Y-%m-%d").to_string(),
            kind: e.kind.as_str().to_owned(),
            name: e.name.clone(),
            reference: e.reference.clone(),
            year: year.to_string(),
        };
    }
    let mut c = PageCtx::new(ctx).with_flash(extras.flash.as_deref());
    if let (Some(f), Some(n)) = (&c.flash, q.moved.filter(|n| *n > 0)) {
        c.flash = Some(format!(
            "{f} {}",
            t(lang, "outbox.rescheduled").replace("{n}", &n.to_string())
        ));
    }
    c.error = extras.error;
    // "Recompute as of version N" for a sample deadline.
    let mut diff_form = DiffForm {
        a: q.a.clone().unwrap_or_default(),
        date: q.date.clone().unwrap_or_else(|| format!("{year}-02-07")),
        time: q.time.clone().unwrap_or_else(|| "10:00".into()),
        duration: q.duration.clone().unwrap_or_else(|| "5wd".into()),
    };
    let mut diff = None;
    if let Some(a) = q.a.as_deref().filter(|a| !a.is_empty()) {
        let calc = CalcForm {
            date: diff_form.date.clone(),
            time: diff_form.time.clone(),
            duration: diff_form.duration.clone(),
            ..CalcForm::default()
        };
        let r = match (calc_question(&calc), api::parse_version("a", a)) {
            (Ok(question), Ok(a)) if a <= version => api::compute_diff(st, &question.q, a, None)
                .await
                .map(|d| (question.from, d)),
            (Err(e), _) | (_, Err(e)) => Err(CalendarFailure::Input(e)),
            (Ok(_), Ok(_)) => Err(CalendarFailure::Input(
                api::parse_version("a", "0")
                    .err()
                    .unwrap_or_else(|| InputError::required("a")),
            )),
        };
        match r {
            Ok((from, d)) => {
                let entries_view = |v: &[api::EntryOut]| {
                    v.iter()
                        .filter_map(|e| {
                            let date = NaiveDate::parse_from_str(&e.date, "%Y-%m-%d").ok()?;
                            Some(EntryView {
                                id: e.id.clone(),
                                date: date.format("%d/%m/%Y").to_string(),
                                weekday: weekday_name(lang, date.weekday()).to_owned(),
                                kind: e.kind.clone(),
                                kind_label: kind_label(lang, &e.kind).to_owned(),
                                name: e.name.clone(),
                                reference: e.reference.clone(),
                            })
                        })
                        .collect::<Vec<_>>()
                };
                diff = Some(DiffView {
                    a: due_view(lang, from, &d.a),
                    b: due_view(lang, from, &d.b),
                    changed: d.changed,
                    only_in_a: entries_view(&d.entries_only_in_a),
                    only_in_b: entries_view(&d.entries_only_in_b),
                });
            }
            Err(CalendarFailure::Input(e)) => {
                c.error = Some(input_message(lang, &e));
                diff_form.a = a.to_owned();
            }
            Err(CalendarFailure::Store(e)) => return Err(HtmlError(e.into())),
        }
    }
    let weekdays = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ]
    .iter()
    .map(|w| t(lang, &format!("calendar.wd_short_{}", weekday_key(*w))))
    .collect();
    let legend = ["holiday", "compensatory", "swapped_off", "makeup_workday", "weekend"]
        .iter()
        .map(|k| {
            (
                (*k).to_owned(),
                crate::i18n::try_t(lang, &format!("calendar.short_{k}"))
                    .unwrap_or("")
                    .to_owned(),
                kind_label(lang, k).to_owned(),
            )
        })
        .collect();
    let kinds = ["holiday", "compensatory", "swapped_off", "makeup_workday"]
        .iter()
        .map(|k| ((*k).to_owned(), kind_label(lang, k).to_owned()))
        .collect();
    Ok(render_status(
        status,
        &AdminPage {
            months: month_views(lang, &cal, year),
            ctx: c,
            year,
            version,
            weekdays,
            legend,
            entries,
            kinds,
            form,
            csv: extras.csv,
            problems: extras.problems,
            versions,
            diff_form,
            diff,
        },
    ))
}

fn page_year(s: Option<&str>) -> Result<i32, HtmlError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(this_year()),
        Some(y) => api::parse_year("year", y).map_err(|e| HtmlError(e.into())),
    }
}

async fn admin_page(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Query(q): Query<AdminQuery>,
) -> Result<Response, HtmlError> {
    let year = page_year(q.year.as_deref())?;
    let extras = AdminExtras {
        flash: q.ok.clone(),
        ..Default::default()
    };
    render_admin(&st, &ctx, year, &q, extras, StatusCode::OK).await
}

fn actor(ctx: &ReqCtx) -> Result<motcua_store::events::Actor, HtmlError> {
    Ok(ctx.principal.as_ref().ok_or_else(ApiError::unauthorized)?.actor())
}

/// Applies a change; on refusal the page is shown again with the problems (422).
async fn apply_change(
    st: &AppState,
    ctx: &ReqCtx,
    year: i32,
    change: Change,
    ok: &str,
    extras: AdminExtras,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let q = AdminQuery::default();
    let actor = actor(ctx)?;
    match store::change(&st.store, &actor, chrono::Utc::now(), change).await {
        Ok(Ok(_)) => {
            let moved = api::reschedule_open_dossiers(st, &actor).await;
            Ok(Redirect::to(&format!("/admin/calendar?year={year}&ok={ok}&moved={moved}")).into_response())
        }
        Ok(Err(problems)) => {
            let extras = AdminExtras {
                problems: problem_messages(lang, &problems),
                error: Some(t(lang, "error.schedule_invalid").to_owned()),
                ..extras
            };
            render_admin(st, ctx, year, &q, extras, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(motcua_store::StoreError::NotFound(_)) => Err(HtmlError(ApiError::not_found("calendar entry"))),
        Err(motcua_store::StoreError::Conflict(_)) => {
            let extras = AdminExtras {
                error: Some(t(lang, "error.conflict").to_owned()),
                ..extras
            };
            render_admin(st, ctx, year, &q, extras, StatusCode::CONFLICT).await
        }
        Err(e) => Err(HtmlError(e.into())),
    }
}

async fn save_entry(
    State(st): State<AppState>,
    ctx: ReqCtx,
    CsrfForm(f): CsrfForm<EntryForm>,
) -> Result<Response, HtmlError> {
    let year = page_year(Some(&f.year))?;
    let parsed = api::EntryIn {
        date: f.date.clone(),
        kind: f.kind.clone(),
        name: f.name.clone(),
        reference: f.reference.clone(),
    }
    .parse("");
    let entry = match parsed {
        Ok(e) => e,
        Err(e) => {
            let extras = AdminExtras {
                error: Some(input_message(ctx.lang, &e)),
                form: f,
                ..Default::default()
            };
            return render_admin(
                &st,
                &ctx,
                year,
                &AdminQuery::default(),
                extras,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let change = if f.id.trim().is_empty() {
        Change::Add(vec![entry])
    } else {
        Change::Correct {
            id: f.id.trim().to_owned(),
            entry,
        }
    };
    let extras = AdminExtras {
        form: f,
        ..Default::default()
    };
    apply_change(&st, &ctx, year, change, "calendar.saved", extras).await
}

#[derive(Deserialize)]
pub struct YearForm {
    #[serde(default)]
    year: String,
}

async fn remove_entry(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<YearForm>,
) -> Result<Response, HtmlError> {
    let year = page_year(Some(&f.year))?;
    let extras = AdminExtras::default();
    apply_change(&st, &ctx, year, Change::Remove { id }, "calendar.removed", extras).await
}

#[derive(Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    csv: String,
    #[serde(default)]
    year: String,
}

async fn import(
    State(st): State<AppState>,
    ctx: ReqCtx,
    CsrfForm(f): CsrfForm<ImportForm>,
) -> Result<Response, HtmlError> {
    let year = page_year(Some(&f.year))?;
    let extras = AdminExtras {
        csv: f.csv.clone(),
        ..Default::default()
    };
    match motcua_core::calendar::parse_schedule_csv(&f.csv) {
        Ok(entries) => apply_change(&st, &ctx, year, Change::Import(entries), "calendar.imported", extras).await,
        Err(problems) => {
            let extras = AdminExtras {
                problems: problem_messages(ctx.lang, &problems),
                error: Some(t(ctx.lang, "error.schedule_invalid").to_owned()),
                ..extras
            };
            render_admin(
                &st,
                &ctx,
                year,
                &AdminQuery::default(),
                extras,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
