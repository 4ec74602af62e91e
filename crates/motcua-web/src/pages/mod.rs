//! Server-rendered pages (askama). Every page works as plain HTML forms, without JavaScript.

mod account;
mod admin;
pub(crate) mod audit;
mod calendar;
mod catalog;
mod control;
mod docs;
// The API reads multipart uploads with the dossier pages' parser.
pub(crate) mod dossiers;
mod lookup;
mod outbox;

use crate::auth::{Access, Principal};
use crate::extract::ReqCtx;
use crate::i18n::{Lang, t};
use crate::problem::ApiError;
use crate::routes::Routes;
use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use motcua_core::identity::Role;

pub(crate) const ADMIN: &[Role] = &[Role::Admin];
pub(crate) const AUDITORS: &[Role] = &[Role::Admin, Role::Inspector];

pub fn routes(r: Routes) -> Routes {
    let r = r
        .get("/", Access::Public, docs::home)
        .get("/static/app.css", Access::Public, docs::css)
        .get("/api/docs", Access::Public, docs::api_docs)
        .get("/lang/{lang}", Access::Public, account::set_lang);
    let r = account::routes(r);
    let r = admin::routes(r);
    let r = calendar::routes(r);
    let r = catalog::routes(r);
    let r = control::routes(r);
    let r = outbox::routes(r);
    let r = lookup::routes(r);
    let r = dossiers::routes(r);
    audit::routes(r)
}

/// What every page template knows: language, who is signed in, the form token, messages.
pub struct PageCtx {
    pub lang: Lang,
    pub user_name: Option<String>,
    pub roles: Vec<Role>,
    pub csrf: String,
    pub path: String,
    pub flash: Option<String>,
    pub error: Option<String>,
}

impl PageCtx {
    pub fn new(ctx: &ReqCtx) -> PageCtx {
        let p: Option<&Principal> = ctx.principal.as_ref();
        PageCtx {
            lang: ctx.lang,
            user_name: p.map(|p| p.full_name.clone()),
            roles: p.map(|p| p.roles.iter().map(|(r, _)| *r).collect()).unwrap_or_default(),
            csrf: ctx.csrf_token().to_owned(),
            path: ctx.path.clone(),
            flash: None,
            error: None,
        }
    }
    pub fn with_flash(mut self, key: Option<&str>) -> Self {
        // Only known message keys are shown, so a crafted link cannot put words on our pages.
        self.flash = key.and_then(|k| crate::i18n::try_t(self.lang, k)).map(str::to_owned);
        self
    }
    pub fn t(&self, key: &str) -> &'static str {
        t(self.lang, key)
    }
    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }
    pub fn other_lang(&self) -> &'static str {
        self.lang.other().code()
    }
    pub fn path_encoded(&self) -> String {
        url_encode(&self.path)
    }
    pub fn is(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r.as_str() == role)
    }
    pub fn role_names(&self) -> Vec<&'static str> {
        let mut v: Vec<Role> = self.roles.clone();
        v.sort();
        v.dedup();
        v.into_iter()
            .map(|r| t(self.lang, &format!("roles.{}", r.as_str())))
            .collect()
    }
}

/// Render a template, or answer a problem if rendering fails.
pub fn render<T: Template>(tpl: &T) -> Response {
    render_status(StatusCode::OK, tpl)
}

pub fn render_status<T: Template>(status: StatusCode, tpl: &T) -> Response {
    match tpl.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => ApiError::internal().with_detail(e.to_string()).into_response(),
    }
}

/// An error from a page handler: rendered as an HTML page in the caller's language by the
/// resolver middleware (which knows the language).
#[derive(Debug)]
pub struct HtmlError(pub ApiError);

#[derive(Debug, Clone)]
pub struct HtmlErrorMarker(pub ApiError);

impl IntoResponse for HtmlError {
    fn into_response(self) -> Response {
        let mut r = self.0.status.into_response();
        r.extensions_mut().insert(HtmlErrorMarker(self.0));
        r
    }
}

impl From<ApiError> for HtmlError {
    fn from(e: ApiError) -> Self {
        HtmlError(e)
    }
}

impl From<motcua_store::StoreError> for HtmlError {
    fn from(e: motcua_store::StoreError) -> Self {
        HtmlError(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: PageCtx,
    status: u16,
    message: String,
    code: String,
}

pub fn render_error(lang: Lang, e: &ApiError) -> Response {
    if e.status.is_server_error() {
        tracing::error!(code = %e.code, detail = ?e.detail, "page failed");
    }
    let ctx = PageCtx {
        lang,
        user_name: None,
        roles: vec![],
        csrf: String::new(),
        path: "/".into(),
        flash: None,
        error: None,
    };
    let page = ErrorPage {
        ctx,
        status: e.status.as_u16(),
        message: e.message(lang),
        code: e.code.clone(),
    };
    let mut r = render_status(e.status, &page);
    if e.status == StatusCode::UNAUTHORIZED {
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
    }
    r
}

/// Percent-encode for a query value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Only local paths may be redirect targets (no `//host`, no scheme).
pub fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

/// Local time (UTC+7) for display.
pub fn fmt_instant(us: i64) -> String {
    let t = motcua_store::time::from_us(us);
    let offset = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset");
    t.with_timezone(&offset).format("%d/%m/%Y %H:%M:%S").to_string()
}

/// One row of an aggregate's history, for templates.
pub struct HistoryRow {
    pub seq: i64,
    pub when: String,
    pub kind: String,
    pub actor: String,
    pub payload: String,
}

pub async fn history(
    st: &crate::AppState,
    lang: Lang,
    agg_type: &str,
    agg_id: &str,
) -> Result<Vec<HistoryRow>, HtmlError> {
    let events = motcua_store::events::of_aggregate(st.store.db(), agg_type, agg_id).await?;
    let names = actor_names(st).await?;
    Ok(events
        .into_iter()
        .rev()
        .map(|e| HistoryRow {
            seq: e.seq,
            when: fmt_instant(e.occurred_at),
            kind: e.kind,
            actor: actor_label(&names, &e.actor_id, lang),
            payload: e.payload,
        })
        .collect())
}

pub async fn actor_names(st: &crate::AppState) -> Result<std::collections::HashMap<String, String>, HtmlError> {
    let users = motcua_store::identity::list_users(st.store.db()).await?;
    Ok(users.into_iter().map(|u| (u.id, u.username)).collect())
}

pub fn actor_label(names: &std::collections::HashMap<String, String>, id: &str, lang: Lang) -> String {
    if id == "system" {
        return t(lang, "audit.system").to_owned();
    }
    names.get(id).cloned().unwrap_or_else(|| id.to_owned())
}

pub use audit::{cached_verify, day_start_us};
