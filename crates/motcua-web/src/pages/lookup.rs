//! The public lookup page (tra cứu hồ sơ, issue 5 items 11 and 13): a dossier's status, public
//! history, appointment date and fees due by its code plus the applicant's phone or ID number;
//! once the result was returned, the applicant evaluates the service there (the nine indices of
//! TT 01/2018 Điều 13).
//!
//! The lookup is a POST form, so the phone or ID number never lands in an address bar, a
//! history or a server log. The same rate limit and the same "not found" as the JSON lookup.

use super::{PageCtx, fmt_instant, render_status};
use crate::AppState;
use crate::api::lookup::{find_public, money, national_label, state_label};
use crate::auth::Access;
use crate::extract::{ClientIp, CsrfForm, ReqCtx};
use crate::i18n::{Lang, t};
use crate::pages::HtmlError;
use crate::problem::ApiError;
use crate::routes::Routes;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use motcua_core::dossiers::{Command, DossierState, Evaluation, Indicator};
use motcua_store::dossiers::{self, PublicView};
use motcua_store::events::Actor;

pub fn routes(r: Routes) -> Routes {
    r.get("/tra-cuu", Access::Public, form)
        .post("/tra-cuu", Access::Public, lookup)
        .post("/tra-cuu/danh-gia", Access::Public, evaluate)
}

/// The actor of an evaluation entered by the applicant on the lookup page.
pub fn applicant_actor(code: &str) -> Actor {
    Actor {
        id: format!("applicant:{code}"),
        role: "applicant".into(),
        unit: String::new(),
    }
}

pub struct EventRow {
    pub label: String,
    pub when: String,
}

pub struct ResultView {
    pub code: String,
    pub procedure_name: String,
    pub state_label: String,
    pub national_status: i64,
    pub national_label: String,
    pub received_at: String,
    pub appointment: String,
    pub has_fees: bool,
    pub fees_requested: String,
    pub fees_paid: String,
    pub fees_due: String,
    pub history: Vec<EventRow>,
    pub can_evaluate: bool,
}

pub struct IndicatorRow {
    pub number: u8,
    pub label: String,
}

#[derive(Template)]
#[template(path = "lookup.html")]
struct LookupPage {
    ctx: PageCtx,
    code: String,
    secret: String,
    result: Option<ResultView>,
    indicators: Vec<IndicatorRow>,
}

fn view(lang: Lang, v: &PublicView) -> ResultView {
    let out = crate::api::lookup::lookup_out(lang, v.clone());
    ResultView {
        code: v.code.clone(),
        procedure_name: v.procedure_name.clone(),
        state_label: state_label(lang, &v.state),
        national_status: v.national_status,
        national_label: national_label(lang, v.national_status),
        received_at: v.received_at.map(fmt_instant).unwrap_or_default(),
        appointment: v.appointment.map(fmt_instant).unwrap_or_default(),
        has_fees: v.fees_requested > 0,
        fees_requested: money(lang, v.fees_requested),
        fees_paid: money(lang, v.fees_paid),
        fees_due: money(lang, v.fees_requested.saturating_sub(v.fees_paid)),
        history: v
            .history
            .iter()
            .zip(out.history)
            .map(|((_, at), e)| EventRow {
                label: e.label,
                when: fmt_instant(*at),
            })
            .collect(),
        can_evaluate: out.can_evaluate,
    }
}

fn indicators(lang: Lang) -> Vec<IndicatorRow> {
    Indicator::ALL
        .iter()
        .map(|i| IndicatorRow {
            number: i.number(),
            label: match lang {
                Lang::Vi => i.label_vi(),
                Lang::En => i.label_en(),
            }
            .to_owned(),
        })
        .collect()
}

fn page(ctx: PageCtx, code: &str, secret: &str, result: Option<ResultView>, status: StatusCode) -> Response {
    let lang = ctx.lang;
    render_status(
        status,
        &LookupPage {
            ctx,
            code: code.to_owned(),
            secret: secret.to_owned(),
            result,
            indicators: indicators(lang),
        },
    )
}

/// The page with the lookup's error in place of a result.
fn failed(ctx: &ReqCtx, code: &str, secret: &str, e: ApiError) -> Response {
    let mut pc = PageCtx::new(ctx);
    pc.error = Some(e.message(ctx.lang));
    page(pc, code, secret, None, e.status)
}

pub(super) async fn form(ctx: ReqCtx) -> Response {
    page(PageCtx::new(&ctx), "", "", None, StatusCode::OK)
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
        .trim()
}

pub(super) async fn lookup(
    State(st): State<AppState>,
    ctx: ReqCtx,
    ClientIp(ip): ClientIp,
    CsrfForm(f): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let (code, secret) = (field(&f, "code"), field(&f, "secret"));
    match find_public(&st, &ip, code, secret).await {
        Ok(v) => Ok(page(
            PageCtx::new(&ctx),
            code,
            secret,
            Some(view(ctx.lang, &v)),
            StatusCode::OK,
        )),
        Err(e) if e.status.is_client_error() => Ok(failed(&ctx, code, secret, e)),
        Err(e) => Err(e.into()),
    }
}

/// The nine scores from the form (`s1` … `s9`, each 0, 1 or 2).
fn scores(f: &[(String, String)]) -> Result<Evaluation, ApiError> {
    let mut s = [0u8; 9];
    for (i, slot) in s.iter_mut().enumerate() {
        *slot = field(f, &format!("s{}", i + 1))
            .parse()
            .map_err(|_| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "evaluation_incomplete"))?;
    }
    Evaluation::new(s)
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code()).with_detail(e.message_vi()))
}

pub(super) async fn evaluate(
    State(st): State<AppState>,
    ctx: ReqCtx,
    ClientIp(ip): ClientIp,
    CsrfForm(f): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let (code, secret) = (field(&f, "code"), field(&f, "secret"));
    // The applicant proves again that it is their dossier (and the attempt counts).
    let v = match find_public(&st, &ip, code, secret).await {
        Ok(v) => v,
        Err(e) if e.status.is_client_error() => return Ok(failed(&ctx, code, secret, e)),
        Err(e) => return Err(e.into()),
    };
    let again = |e: ApiError, v: &PublicView| {
        let mut pc = PageCtx::new(&ctx);
        pc.error = Some(e.message(ctx.lang));
        page(pc, code, secret, Some(view(ctx.lang, v)), e.status)
    };
    let scores = match scores(&f) {
        Ok(s) => s,
        Err(e) => return Ok(again(e, &v)),
    };
    let Some(rec) = dossiers::by_code(st.store.db(), &v.code).await? else {
        return Err(ApiError::not_found(v.code).into());
    };
    if rec.dossier.state != DossierState::Returned || rec.dossier.evaluation.is_some() {
        let code = if rec.dossier.evaluation.is_some() {
            "already_evaluated"
        } else {
            "illegal_transition"
        };
        return Ok(again(ApiError::new(StatusCode::CONFLICT, code), &v));
    }
    let applied = dossiers::apply_command(
        &st.store,
        st.deadlines(),
        &applicant_actor(&v.code),
        Utc::now(),
        &rec.row.id,
        rec.row.version,
        Command::Evaluate { scores },
    )
    .await;
    if let Err(e) = applied {
        let e: ApiError = e.into();
        if e.status.is_server_error() {
            return Err(e.into());
        }
        return Ok(again(e, &v));
    }
    let fresh = dossiers::lookup(st.store.db(), &v.code, secret).await?.unwrap_or(v);
    let mut pc = PageCtx::new(&ctx);
    pc.flash = Some(t(ctx.lang, "lookup.thanks").to_owned());
    Ok(page(pc, code, secret, Some(view(ctx.lang, &fresh)), StatusCode::OK))
}
