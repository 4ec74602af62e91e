//! The control officers' back office (kiểm soát TTHC): dashboard with publication deadlines
//! before they pass, every procedure with its drafts, the draft editor, version differences,
//! publication decisions (prepare, issue, record made-public dates) and statistics with export.

use super::{HistoryRow, HtmlError, PageCtx, history, render, render_status};
use crate::AppState;
use crate::api::catalog::today;
use crate::api::decisions::{
    self as api, CONTROL, CONTROL_READERS, DecisionOut, DiffOut, Warning, save_version, versions_diff,
};
use crate::auth::Access;
use crate::extract::{CsrfForm, ReqCtx};
use crate::i18n::{Lang, t};
use crate::problem::ApiError;
use crate::routes::Routes;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use motcua_core::catalog::{
    Decision, DecisionItem, EditorForm, ItemKind, Level, ProcedureVersion, Verdict, completeness,
};
use motcua_store::catalog;
use motcua_store::decisions;
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    r.get("/kiem-soat", Access::roles(CONTROL_READERS), dashboard)
        .get("/kiem-soat/thu-tuc", Access::roles(CONTROL_READERS), procedures)
        .get("/kiem-soat/thu-tuc/moi", Access::roles(CONTROL), new_procedure)
        .post("/kiem-soat/thu-tuc/moi", Access::roles(CONTROL), create_procedure)
        .get("/kiem-soat/thu-tuc/{id}", Access::roles(CONTROL_READERS), procedure)
        .get("/kiem-soat/thu-tuc/{id}/sua", Access::roles(CONTROL), edit_procedure)
        .post("/kiem-soat/thu-tuc/{id}/sua", Access::roles(CONTROL), save_procedure)
        .get("/kiem-soat/quyet-dinh", Access::roles(CONTROL_READERS), decisions_page)
        .post("/kiem-soat/quyet-dinh", Access::roles(CONTROL), create_decision)
        .get(
            "/kiem-soat/quyet-dinh/{id}",
            Access::roles(CONTROL_READERS),
            decision_page,
        )
        .post("/kiem-soat/quyet-dinh/{id}", Access::roles(CONTROL), save_decision)
        .post("/kiem-soat/quyet-dinh/{id}/muc", Access::roles(CONTROL), add_item)
        .post(
            "/kiem-soat/quyet-dinh/{id}/muc/{pos}/xoa",
            Access::roles(CONTROL),
            remove_item,
        )
        .post("/kiem-soat/quyet-dinh/{id}/ban-hanh", Access::roles(CONTROL), issue)
        .post(
            "/kiem-soat/quyet-dinh/{id}/cong-khai",
            Access::roles(CONTROL),
            made_public,
        )
        .get("/kiem-soat/thong-ke", Access::roles(CONTROL_READERS), statistics)
        .get(
            "/kiem-soat/thong-ke.csv",
            Access::roles(CONTROL_READERS),
            statistics_csv,
        )
        .get(
            "/kiem-soat/thong-ke.xlsx",
            Access::roles(CONTROL_READERS),
            statistics_xlsx,
        )
}

fn actor(ctx: &ReqCtx) -> Result<motcua_store::events::Actor, HtmlError> {
    Ok(ctx.principal.as_ref().ok_or_else(ApiError::unauthorized)?.actor())
}

fn date_vi(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn iso_vi(s: &Option<String>) -> String {
    s.as_deref()
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .map(date_vi)
        .unwrap_or_default()
}

/// The message of an API error in the reader's language, plus the field when there is one.
fn error_text(lang: Lang, e: &ApiError) -> String {
    let mut m = e.message(lang);
    if !e.errors.is_empty() {
        for p in &e.errors {
            m.push_str("\n• ");
            m.push_str(if lang == Lang::Vi { &p.message_vi } else { &p.message_en });
        }
    } else if let Some(f) = &e.field {
        m.push_str(&format!(" ({f})"));
    }
    m
}

fn verdict_label(lang: Lang, v: Verdict) -> &'static str {
    t(
        lang,
        match v {
            Verdict::OnTime => "control.on_time",
            Verdict::Late => "control.late",
            Verdict::Pending => "control.pending",
            Verdict::Overdue => "control.overdue",
        },
    )
}

fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::OnTime => "ok",
        Verdict::Late | Verdict::Overdue => "bad",
        Verdict::Pending => "wait",
    }
}

// ---- Dashboard ----

pub struct WarningRow {
    pub href: String,
    pub decision: String,
    pub procedure: String,
    pub indicator: String,
    pub verdict: String,
    pub class: &'static str,
    pub deadline: String,
    pub remaining: i64,
    pub rule: String,
}

pub struct Indicator {
    pub name: String,
    pub done: usize,
    pub total: usize,
    pub percent: String,
}

pub struct LinkRow {
    pub href: String,
    pub name: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "control_dashboard.html")]
struct DashboardPage {
    ctx: PageCtx,
    warnings: Vec<WarningRow>,
    indicators: Vec<Indicator>,
    drafts: Vec<LinkRow>,
    incomplete: Vec<LinkRow>,
}

fn warning_row(lang: Lang, w: &Warning) -> WarningRow {
    let overdue = w.verdict == "overdue";
    WarningRow {
        href: format!("/kiem-soat/quyet-dinh/{}", w.decision_id),
        decision: if w.decision_number.is_empty() {
            t(lang, "control.draft_decision").to_owned()
        } else {
            w.decision_number.clone()
        },
        procedure: w.procedure_name.clone(),
        indicator: w.indicator.clone(),
        verdict: verdict_label(lang, if overdue { Verdict::Overdue } else { Verdict::Pending }).to_owned(),
        class: if overdue { "bad" } else { "wait" },
        deadline: date_vi(w.latest_on_time),
        remaining: w.working_days_remaining,
        rule: w.rule.clone(),
    }
}

fn percent(done: usize, total: usize) -> String {
    if total == 0 {
        "—".into()
    } else {
        format!("{:.1}%", done as f64 * 100.0 / total as f64)
    }
}

async fn dashboard(State(st): State<AppState>, ctx: ReqCtx) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let day = today();
    let warnings = api::warnings(&st, day).await?;
    // QĐ 766 indicators 1.1 and 1.2 over issued decisions, 1.3 over procedures in force.
    let (mut dec_done, mut dec_total, mut pub_done, mut pub_total) = (0, 0, 0, 0);
    let mut in_draft_decisions = std::collections::HashSet::new();
    for row in decisions::list(st.store.db()).await? {
        let v = api::view(&st, &row, day).await?;
        for item in &v.items {
            if v.status == "draft" {
                in_draft_decisions.insert(item.procedure_id.clone());
                continue;
            }
            if let Some(tl) = &item.timeliness {
                dec_total += 1;
                dec_done += usize::from(tl.decision.verdict == Verdict::OnTime);
                if let Some(p) = &tl.publication
                    && matches!(p.verdict, Verdict::OnTime | Verdict::Late)
                {
                    pub_total += 1;
                    pub_done += usize::from(p.verdict == Verdict::OnTime);
                }
            }
        }
    }
    let in_force = catalog::in_force_all(st.store.db(), day, &Default::default()).await?;
    let mut complete = 0;
    let mut incomplete = Vec::new();
    for v in &in_force {
        if let Ok(doc) = serde_json::from_str::<ProcedureVersion>(&v.document) {
            let c = completeness(&doc);
            if c.is_complete() {
                complete += 1;
            } else {
                incomplete.push(LinkRow {
                    href: format!("/kiem-soat/thu-tuc/{}", v.procedure_id),
                    name: v.name.clone(),
                    note: c
                        .missing
                        .iter()
                        .map(|p| crate::i18n::try_t(lang, &format!("control.part_{}", part_code(*p))).unwrap_or("?"))
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
    }
    let mut drafts = Vec::new();
    for p in catalog::list_procedures(st.store.db()).await? {
        let versions = catalog::versions(st.store.db(), &p.id).await?;
        if versions.iter().any(|v| v.status == "draft") && !in_draft_decisions.contains(&p.id) {
            drafts.push(LinkRow {
                href: format!("/kiem-soat/thu-tuc/{}", p.id),
                name: p.name.clone(),
                note: t(lang, "control.draft_not_in_decision").to_owned(),
            });
        }
    }
    let indicators = vec![
        Indicator {
            name: t(lang, "control.indicator_1_1").into(),
            done: dec_done,
            total: dec_total,
            percent: percent(dec_done, dec_total),
        },
        Indicator {
            name: t(lang, "control.indicator_1_2").into(),
            done: pub_done,
            total: pub_total,
            percent: percent(pub_done, pub_total),
        },
        Indicator {
            name: t(lang, "control.indicator_1_3").into(),
            done: complete,
            total: in_force.len(),
            percent: percent(complete, in_force.len()),
        },
    ];
    Ok(render(&DashboardPage {
        ctx: PageCtx::new(&ctx),
        warnings: warnings.iter().map(|w| warning_row(lang, w)).collect(),
        indicators,
        drafts,
        incomplete,
    }))
}

fn part_code(p: motcua_core::catalog::Part) -> String {
    serde_json::to_value(p)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

// ---- Procedures ----

pub struct ProcedureRow {
    pub href: String,
    pub name: String,
    pub code: String,
    pub field: String,
    pub status: String,
    pub has_draft: bool,
}

#[derive(Template)]
#[template(path = "control_procedures.html")]
struct ProceduresPage {
    ctx: PageCtx,
    rows: Vec<ProcedureRow>,
}

fn status_label(lang: Lang, s: &str) -> String {
    crate::i18n::try_t(lang, &format!("control.status_{s}"))
        .unwrap_or(s)
        .to_owned()
}

async fn procedures(State(st): State<AppState>, ctx: ReqCtx) -> Result<Response, HtmlError> {
    let mut rows = Vec::new();
    for p in catalog::list_procedures(st.store.db()).await? {
        let versions = catalog::versions(st.store.db(), &p.id).await?;
        let latest = versions.iter().filter(|v| v.status != "draft").max_by_key(|v| v.number);
        rows.push(ProcedureRow {
            href: format!("/kiem-soat/thu-tuc/{}", p.id),
            name: p.name.clone(),
            code: p.applied_code.clone().or(p.national_code.clone()).unwrap_or_default(),
            field: p.field.clone(),
            status: latest
                .map(|v| status_label(ctx.lang, &v.status))
                .unwrap_or_else(|| status_label(ctx.lang, "unpublished")),
            has_draft: versions.iter().any(|v| v.status == "draft"),
        });
    }
    Ok(render(&ProceduresPage {
        ctx: PageCtx::new(&ctx),
        rows,
    }))
}

#[derive(Template)]
#[template(path = "control_editor.html")]
struct EditorPage {
    ctx: PageCtx,
    action: String,
    title: String,
    form: EditorForm,
    problems: Vec<String>,
}

fn editor(
    ctx: &ReqCtx,
    action: String,
    title: String,
    form: EditorForm,
    problems: Vec<String>,
    status: StatusCode,
) -> Response {
    let mut c = PageCtx::new(ctx);
    if !problems.is_empty() {
        c.error = Some(t(ctx.lang, "control.fix_problems").to_owned());
    }
    render_status(
        status,
        &EditorPage {
            ctx: c,
            action,
            title,
            form,
            problems,
        },
    )
}

async fn new_procedure(ctx: ReqCtx) -> Result<Response, HtmlError> {
    let form = EditorForm {
        level: "province".into(),
        ch1_offered: "on".into(),
        ..Default::default()
    };
    Ok(editor(
        &ctx,
        "/kiem-soat/thu-tuc/moi".into(),
        t(ctx.lang, "control.new_procedure").into(),
        form,
        vec![],
        StatusCode::OK,
    ))
}

fn problem_lines(lang: Lang, problems: &[motcua_core::catalog::Problem]) -> Vec<String> {
    problems
        .iter()
        .map(|p| {
            if lang == Lang::Vi {
                p.message_vi.clone()
            } else {
                p.message_en.clone()
            }
        })
        .collect()
}

/// Read the editor, check and save; on any problem the same form comes back with every message.
async fn save_from_form(
    st: &AppState,
    ctx: &ReqCtx,
    code: Option<&str>,
    form: EditorForm,
    action: String,
    title: String,
) -> Result<Response, HtmlError> {
    let v = match form.to_version() {
        Ok(v) => v,
        Err(p) => {
            let lines = problem_lines(ctx.lang, &p);
            return Ok(editor(
                ctx,
                action,
                title,
                form,
                lines,
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    match save_version(st, ctx, code, &v).await {
        Ok((row, _)) => Ok(Redirect::to(&format!(
            "/kiem-soat/thu-tuc/{}?ok=control.draft_saved",
            row.procedure_id
        ))
        .into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let lines = if e.errors.is_empty() {
                vec![error_text(ctx.lang, &e)]
            } else {
                e.errors
                    .iter()
                    .map(|p| {
                        if ctx.lang == Lang::Vi {
                            p.message_vi.clone()
                        } else {
                            p.message_en.clone()
                        }
                    })
                    .collect()
            };
            Ok(editor(
                ctx,
                action,
                title,
                form,
                lines,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

async fn create_procedure(
    State(st): State<AppState>,
    ctx: ReqCtx,
    CsrfForm(form): CsrfForm<EditorForm>,
) -> Result<Response, HtmlError> {
    let title = t(ctx.lang, "control.new_procedure").to_owned();
    save_from_form(&st, &ctx, None, form, "/kiem-soat/thu-tuc/moi".into(), title).await
}

async fn edit_procedure(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let p = crate::api::catalog::find(&st, &id).await?;
    let versions = catalog::versions(st.store.db(), &p.id).await?;
    // Edit the open draft, else start from the latest published version.
    let base = versions
        .iter()
        .find(|v| v.status == "draft")
        .or_else(|| versions.iter().max_by_key(|v| v.number));
    let form = base
        .and_then(|v| serde_json::from_str::<ProcedureVersion>(&v.document).ok())
        .map(|v| EditorForm::from_version(&v))
        .unwrap_or_default();
    Ok(editor(
        &ctx,
        format!("/kiem-soat/thu-tuc/{}/sua", p.id),
        format!("{}: {}", t(ctx.lang, "control.edit_draft"), p.name),
        form,
        vec![],
        StatusCode::OK,
    ))
}

async fn save_procedure(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<EditorForm>,
) -> Result<Response, HtmlError> {
    let p = crate::api::catalog::find(&st, &id).await?;
    let title = format!("{}: {}", t(ctx.lang, "control.edit_draft"), p.name);
    save_from_form(
        &st,
        &ctx,
        Some(&p.id),
        form,
        format!("/kiem-soat/thu-tuc/{}/sua", p.id),
        title,
    )
    .await
}

pub struct VersionLine {
    pub number: i64,
    pub status: String,
    pub from: String,
    pub to: String,
}

pub struct ChangeLine {
    pub path: String,
    pub kind: String,
    pub before: String,
    pub after: String,
}

pub struct DecisionLink {
    pub href: String,
    pub number: String,
    pub kind: String,
    pub effective: String,
}

#[derive(Template)]
#[template(path = "control_procedure.html")]
struct ProcedurePage {
    ctx: PageCtx,
    id: String,
    name: String,
    code: String,
    public_href: String,
    versions: Vec<VersionLine>,
    has_draft: bool,
    draft_problems: Vec<String>,
    missing_parts: Vec<String>,
    diff: Option<DiffOut>,
    changes: Vec<ChangeLine>,
    decisions: Vec<DecisionLink>,
    history: Vec<HistoryRow>,
}

#[derive(Deserialize, Default)]
struct ProcedureQuery {
    a: Option<i64>,
    b: Option<i64>,
    ok: Option<String>,
}

async fn procedure(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    Query(q): Query<ProcedureQuery>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let p = crate::api::catalog::find(&st, &id).await?;
    let versions = catalog::versions(st.store.db(), &p.id).await?;
    let draft = versions.iter().find(|v| v.status == "draft");
    let draft_doc = draft.and_then(|d| serde_json::from_str::<ProcedureVersion>(&d.document).ok());
    let diff = versions_diff(&versions, q.a, q.b);
    let changes = diff
        .as_ref()
        .map(|d| {
            d.changes
                .iter()
                .map(|c| ChangeLine {
                    path: c.path.clone(),
                    kind: t(
                        lang,
                        match c.kind {
                            motcua_core::catalog::ChangeKind::Added => "control.change_added",
                            motcua_core::catalog::ChangeKind::Removed => "control.change_removed",
                            motcua_core::catalog::ChangeKind::Changed => "control.change_changed",
                        },
                    )
                    .to_owned(),
                    before: c.before.clone(),
                    after: c.after.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let decisions = decisions::of_procedure(st.store.db(), &p.id)
        .await?
        .into_iter()
        .map(|(d, item)| DecisionLink {
            href: format!("/kiem-soat/quyet-dinh/{}", d.id),
            number: if d.number.is_empty() {
                t(lang, "control.draft_decision").to_owned()
            } else {
                d.number.clone()
            },
            kind: ItemKind::from_code(&item.kind)
                .map(|k| k.label_vi().to_owned())
                .unwrap_or(item.kind.clone()),
            effective: iso_vi(&Some(item.effective_from.clone())),
        })
        .collect();
    let code = p.applied_code.clone().or(p.national_code.clone()).unwrap_or_default();
    let mut c = PageCtx::new(&ctx).with_flash(q.ok.as_deref());
    c.error = None;
    Ok(render(&ProcedurePage {
        ctx: c,
        id: p.id.clone(),
        name: p.name.clone(),
        public_href: format!(
            "/thu-tuc/{}",
            super::url_encode(if code.is_empty() { &p.id } else { &code })
        ),
        code,
        versions: versions
            .iter()
            .map(|v| VersionLine {
                number: v.number,
                status: status_label(lang, &v.status),
                from: iso_vi(&v.effective_from),
                to: iso_vi(&v.effective_to),
            })
            .collect(),
        has_draft: draft.is_some(),
        draft_problems: draft_doc
            .as_ref()
            .map(|d| problem_lines(lang, &d.validate()))
            .unwrap_or_default(),
        missing_parts: draft_doc
            .as_ref()
            .map(|d| {
                completeness(d)
                    .missing
                    .iter()
                    .map(|p| {
                        crate::i18n::try_t(lang, &format!("control.part_{}", part_code(*p)))
                            .unwrap_or("?")
                            .to_owned()
                    })
                    .collect()
            })
            .unwrap_or_default(),
        diff,
        changes,
        decisions,
        history: history(&st, lang, catalog::AGGREGATE_TYPE, &p.id).await?,
    }))
}

// ---- Decisions ----

pub struct DecisionListRow {
    pub href: String,
    pub number: String,
    pub title: String,
    pub signed_on: String,
    pub status: String,
    pub items: usize,
    pub warn: bool,
}

#[derive(Template)]
#[template(path = "control_decisions.html")]
struct DecisionsPage {
    ctx: PageCtx,
    rows: Vec<DecisionListRow>,
    form: HeaderForm,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct HeaderForm {
    title: String,
    issuer: String,
    level: String,
    legal_basis: String,
}

async fn decisions_list(
    st: &AppState,
    ctx: &ReqCtx,
    form: HeaderForm,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, HtmlError> {
    let day = today();
    let mut rows = Vec::new();
    for row in decisions::list(st.store.db()).await? {
        let v = api::view(st, &row, day).await?;
        rows.push(DecisionListRow {
            href: format!("/kiem-soat/quyet-dinh/{}", v.id),
            number: if v.number.is_empty() {
                t(ctx.lang, "control.draft_decision").to_owned()
            } else {
                v.number.clone()
            },
            title: v.title.clone(),
            signed_on: v.signed_on.map(date_vi).unwrap_or_default(),
            status: status_label(ctx.lang, &v.status),
            items: v.items.len(),
            warn: v.warn,
        });
    }
    let mut c = PageCtx::new(ctx);
    c.error = error;
    Ok(render_status(status, &DecisionsPage { ctx: c, rows, form }))
}

async fn decisions_page(State(st): State<AppState>, ctx: ReqCtx) -> Result<Response, HtmlError> {
    let form = HeaderForm {
        issuer: "Chủ tịch UBND tỉnh".into(),
        level: "province".into(),
        ..Default::default()
    };
    decisions_list(&st, &ctx, form, None, StatusCode::OK).await
}

fn parse_level(s: &str) -> Level {
    match s {
        "ministry" => Level::Ministry,
        "commune" => Level::Commune,
        _ => Level::Province,
    }
}

/// Legal basis lines of the header form, read with the editor's rules.
fn legal_basis(s: &str) -> Result<Vec<motcua_core::catalog::LegalDocument>, Vec<motcua_core::catalog::Problem>> {
    EditorForm {
        legal_basis: s.to_owned(),
        ..Default::default()
    }
    .to_version()
    .map(|v| v.legal_basis)
}

async fn create_decision(
    State(st): State<AppState>,
    ctx: ReqCtx,
    CsrfForm(f): CsrfForm<HeaderForm>,
) -> Result<Response, HtmlError> {
    let basis = match legal_basis(&f.legal_basis) {
        Ok(b) => b,
        Err(p) => {
            let msg = problem_lines(ctx.lang, &p).join(" ");
            return decisions_list(&st, &ctx, f, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let d = Decision {
        number: String::new(),
        signed_on: None,
        signer: String::new(),
        issuer: f.issuer.clone(),
        level: parse_level(&f.level),
        title: f.title.clone(),
        legal_basis: basis,
        items: vec![],
    };
    match decisions::save_draft(&st.store, &actor(&ctx)?, chrono::Utc::now(), None, d).await {
        Ok(row) => {
            Ok(Redirect::to(&format!("/kiem-soat/quyet-dinh/{}?ok=control.decision_saved", row.id)).into_response())
        }
        Err(e) => {
            let e: ApiError = e.into();
            let msg = error_text(ctx.lang, &e);
            decisions_list(&st, &ctx, f, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

pub struct ItemLine {
    pub position: usize,
    pub kind: String,
    pub procedure: String,
    pub procedure_href: String,
    pub effective: String,
    pub made_public: String,
    pub version: String,
    pub decision_verdict: String,
    pub decision_class: &'static str,
    pub decision_deadline: String,
    pub decision_rule: String,
    pub publication_verdict: String,
    pub publication_class: &'static str,
    pub publication_deadline: String,
    pub publication_rule: String,
}

#[derive(Template)]
#[template(path = "control_decision.html")]
struct DecisionPage {
    ctx: PageCtx,
    d: DecisionOut,
    header: HeaderForm,
    signed_on: String,
    items: Vec<ItemLine>,
    kinds: Vec<(String, String)>,
    procedures: Vec<(String, String)>,
    history: Vec<HistoryRow>,
    today: String,
}

#[derive(Deserialize, Default)]
struct OkQuery {
    ok: Option<String>,
}

async fn decision_view(
    st: &AppState,
    ctx: &ReqCtx,
    id: &str,
    flash: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let row = api::find(st, id).await?;
    let d = api::view(st, &row, today()).await?;
    let items = d
        .items
        .iter()
        .map(|i| {
            let (dv, dc, dd, dr) = match &i.timeliness {
                Some(tl) => (
                    verdict_label(lang, tl.decision.verdict).to_owned(),
                    verdict_class(tl.decision.verdict),
                    date_vi(tl.decision.latest_on_time),
                    tl.decision.rule.clone(),
                ),
                None => Default::default(),
            };
            let (pv, pc, pd, pr) = match i.timeliness.as_ref().and_then(|t| t.publication.as_ref()) {
                Some(p) => (
                    verdict_label(lang, p.verdict).to_owned(),
                    verdict_class(p.verdict),
                    date_vi(p.latest_on_time),
                    p.rule.clone(),
                ),
                None => Default::default(),
            };
            ItemLine {
                position: i.position,
                kind: ItemKind::from_code(&i.kind)
                    .map(|k| {
                        crate::i18n::try_t(lang, &format!("control.kind_{}", k.code()))
                            .unwrap_or(k.label_vi())
                            .to_owned()
                    })
                    .unwrap_or_default(),
                procedure: i.procedure_name.clone(),
                procedure_href: format!("/kiem-soat/thu-tuc/{}", i.procedure_id),
                effective: date_vi(i.effective_from),
                made_public: i.made_public_on.map(date_vi).unwrap_or_default(),
                version: i.version_number.map(|n| n.to_string()).unwrap_or_default(),
                decision_verdict: dv,
                decision_class: dc,
                decision_deadline: dd,
                decision_rule: dr,
                publication_verdict: pv,
                publication_class: pc,
                publication_deadline: pd,
                publication_rule: pr,
            }
        })
        .collect();
    let procedures = catalog::list_procedures(st.store.db())
        .await?
        .into_iter()
        .map(|p| {
            let code = p.applied_code.clone().or(p.national_code.clone()).unwrap_or_default();
            (
                p.id.clone(),
                if code.is_empty() {
                    p.name.clone()
                } else {
                    format!("{code} — {}", p.name)
                },
            )
        })
        .collect();
    let header = HeaderForm {
        title: d.title.clone(),
        issuer: d.issuer.clone(),
        level: d.level.clone(),
        legal_basis: EditorForm::from_version(&ProcedureVersion {
            legal_basis: d.legal_basis.clone(),
            ..Default::default()
        })
        .legal_basis,
    };
    let mut c = PageCtx::new(ctx).with_flash(flash);
    c.error = error;
    Ok(render_status(
        status,
        &DecisionPage {
            ctx: c,
            signed_on: d
                .signed_on
                .map(|s| s.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            items,
            kinds: ItemKind::ALL
                .iter()
                .map(|k| {
                    (
                        k.code().to_owned(),
                        t(lang, &format!("control.kind_{}", k.code())).to_owned(),
                    )
                })
                .collect(),
            procedures,
            history: history(st, lang, decisions::AGGREGATE_TYPE, &row.id).await?,
            today: today().format("%Y-%m-%d").to_string(),
            header,
            d,
        },
    ))
}

async fn decision_page(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> Result<Response, HtmlError> {
    decision_view(&st, &ctx, &id, q.ok.as_deref(), None, StatusCode::OK).await
}

/// Save a changed draft decision; a refusal shows the decision page with the message.
async fn save_changed(st: &AppState, ctx: &ReqCtx, id: &str, d: Decision, ok: &str) -> Result<Response, HtmlError> {
    match decisions::save_draft(&st.store, &actor(ctx)?, chrono::Utc::now(), Some(id), d).await {
        Ok(_) => Ok(Redirect::to(&format!("/kiem-soat/quyet-dinh/{id}?ok={ok}")).into_response()),
        Err(e) => {
            let e: ApiError = e.into();
            if e.status.is_server_error() {
                return Err(HtmlError(e));
            }
            let msg = error_text(ctx.lang, &e);
            decision_view(st, ctx, id, None, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

async fn save_decision(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<HeaderForm>,
) -> Result<Response, HtmlError> {
    let row = api::find(&st, &id).await?;
    let mut d = row.decision()?;
    match legal_basis(&f.legal_basis) {
        Ok(b) => d.legal_basis = b,
        Err(p) => {
            let msg = problem_lines(ctx.lang, &p).join(" ");
            return decision_view(&st, &ctx, &id, None, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    }
    d.title = f.title;
    d.issuer = f.issuer;
    d.level = parse_level(&f.level);
    save_changed(&st, &ctx, &id, d, "control.decision_saved").await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ItemForm {
    kind: String,
    procedure: String,
    effective_from: String,
}

async fn add_item(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ItemForm>,
) -> Result<Response, HtmlError> {
    let row = api::find(&st, &id).await?;
    let mut d = row.decision()?;
    let (Some(kind), Ok(effective_from)) = (
        ItemKind::from_code(&f.kind),
        NaiveDate::parse_from_str(f.effective_from.trim(), "%Y-%m-%d"),
    ) else {
        let msg = t(ctx.lang, "error.date_invalid").to_owned();
        return decision_view(&st, &ctx, &id, None, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    d.items.push(DecisionItem {
        kind,
        procedure: f.procedure,
        effective_from,
        made_public_on: None,
    });
    save_changed(&st, &ctx, &id, d, "control.item_added").await
}

async fn remove_item(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path((id, pos)): Path<(String, usize)>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let row = api::find(&st, &id).await?;
    let mut d = row.decision()?;
    if pos < d.items.len() {
        d.items.remove(pos);
    }
    save_changed(&st, &ctx, &id, d, "control.item_removed").await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct IssueForm {
    number: String,
    signed_on: String,
    signer: String,
}

async fn issue(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<IssueForm>,
) -> Result<Response, HtmlError> {
    api::find(&st, &id).await?;
    let Ok(signed_on) = NaiveDate::parse_from_str(f.signed_on.trim(), "%Y-%m-%d") else {
        let msg = t(ctx.lang, "error.decision_date_missing").to_owned();
        return decision_view(&st, &ctx, &id, None, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match decisions::issue(
        &st.store,
        &actor(&ctx)?,
        chrono::Utc::now(),
        &id,
        &f.number,
        signed_on,
        &f.signer,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/kiem-soat/quyet-dinh/{id}?ok=control.issued")).into_response()),
        Err(e) => {
            let e: ApiError = e.into();
            if e.status.is_server_error() {
                return Err(HtmlError(e));
            }
            let msg = error_text(ctx.lang, &e);
            decision_view(&st, &ctx, &id, None, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MadePublicForm {
    on: String,
}

async fn made_public(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<MadePublicForm>,
) -> Result<Response, HtmlError> {
    api::find(&st, &id).await?;
    let Ok(on) = NaiveDate::parse_from_str(f.on.trim(), "%Y-%m-%d") else {
        let msg = t(ctx.lang, "error.date_invalid").to_owned();
        return decision_view(&st, &ctx, &id, None, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match decisions::record_made_public(&st.store, &actor(&ctx)?, chrono::Utc::now(), &id, &[], on).await {
        Ok(_) => Ok(Redirect::to(&format!("/kiem-soat/quyet-dinh/{id}?ok=control.made_public_saved")).into_response()),
        Err(e) => {
            let e: ApiError = e.into();
            if e.status.is_server_error() {
                return Err(HtmlError(e));
            }
            let msg = error_text(ctx.lang, &e);
            decision_view(&st, &ctx, &id, None, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

// ---- Statistics ----

#[derive(Deserialize, Default)]
struct PeriodForm {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Template)]
#[template(path = "control_stats.html")]
struct StatsPage {
    ctx: PageCtx,
    from: String,
    to: String,
    rows: Vec<motcua_core::catalog::FieldCounts>,
    export: String,
}

async fn statistics(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Query(q): Query<PeriodForm>,
) -> Result<Response, HtmlError> {
    let (from, to) = api::period(&q.from, &q.to)?;
    let rows = api::statistics_of(&st, from, to).await?;
    Ok(render(&StatsPage {
        ctx: PageCtx::new(&ctx),
        from: from.to_string(),
        to: to.to_string(),
        rows,
        export: format!("from={from}&to={to}"),
    }))
}

/// Column headers of the statistics export.
pub fn statistics_headers(lang: Lang) -> Vec<&'static str> {
    [
        "control.field",
        "control.kind_new",
        "control.kind_amended",
        "control.kind_replaced",
        "control.kind_abolished",
        "control.total",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect()
}

/// The statistics as table rows for export (the total row is labelled).
pub fn statistics_rows(lang: Lang, rows: &[motcua_core::catalog::FieldCounts]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            vec![
                if r.field.is_empty() {
                    t(lang, "control.total").to_owned()
                } else {
                    r.field.clone()
                },
                r.new.to_string(),
                r.amended.to_string(),
                r.replaced.to_string(),
                r.abolished.to_string(),
                r.total().to_string(),
            ]
        })
        .collect()
}

async fn statistics_csv(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Query(q): Query<PeriodForm>,
) -> Result<Response, HtmlError> {
    let (from, to) = api::period(&q.from, &q.to)?;
    let rows = api::statistics_of(&st, from, to).await?;
    let body = motcua_docs::csv::write(&statistics_headers(ctx.lang), statistics_rows(ctx.lang, &rows));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"thong-ke-tthc-{from}-{to}.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}

async fn statistics_xlsx(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Query(q): Query<PeriodForm>,
) -> Result<Response, HtmlError> {
    let (from, to) = api::period(&q.from, &q.to)?;
    let rows = api::statistics_of(&st, from, to).await?;
    let body = motcua_docs::xlsx::write_table(
        t(ctx.lang, "control.statistics"),
        &statistics_headers(ctx.lang),
        &statistics_rows(ctx.lang, &rows),
    )
    .map_err(|e| ApiError::internal().with_detail(e.to_string()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"thong-ke-tthc-{from}-{to}.xlsx\""),
            ),
        ],
        body,
    )
        .into_response())
}
