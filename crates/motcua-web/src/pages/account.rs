//! Sign in, sign out, my account, language choice.

use super::{HtmlError, PageCtx, render, render_status, safe_next};
use crate::AppState;
use crate::auth::Access;
use crate::auth::password::{burn_verification, hash_password, random_hex, sha256_hex, verify_password};
use crate::extract::{ClientIp, CsrfForm, ReqCtx};
use crate::i18n::Lang;
use crate::middleware::{LANG_COOKIE, SESSION_COOKIE};
use crate::problem::ApiError;
use crate::routes::Routes;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_store::events::Actor;
use motcua_store::identity::{self, Session};
use motcua_store::time::to_us;
use serde::Deserialize;
use std::time::Instant;

pub fn routes(r: Routes) -> Routes {
    r.get("/login", Access::Public, login_page)
        .post("/login", Access::Public, login)
        .post("/logout", Access::SignedIn, logout)
        .get("/account", Access::SignedIn, account)
        .post("/account/password", Access::SignedIn, change_password)
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: PageCtx,
    next: String,
    username: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    ok: Option<String>,
}

async fn login_page(ctx: ReqCtx, Query(q): Query<NextQuery>) -> Response {
    let page = LoginPage {
        ctx: PageCtx::new(&ctx).with_flash(q.ok.as_deref()),
        next: safe_next(q.next.as_deref().unwrap_or("/")).to_owned(),
        username: String::new(),
    };
    render(&page)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

async fn login(
    State(st): State<AppState>,
    ctx: ReqCtx,
    ClientIp(ip): ClientIp,
    CsrfForm(f): CsrfForm<LoginForm>,
) -> Response {
    let username = f.username.trim().to_lowercase();
    let key = format!("{ip}|{username}");
    let now = Instant::now();
    let fail = |status: StatusCode, msg: &str| {
        let mut c = PageCtx::new(&ctx);
        c.error = Some(c.t(msg).to_owned());
        render_status(
            status,
            &LoginPage {
                ctx: c,
                next: safe_next(&f.next).to_owned(),
                username: username.clone(),
            },
        )
    };
    if st.login_limiter.blocked(&key, now) || st.login_limiter.blocked(&ip, now) {
        return fail(StatusCode::TOO_MANY_REQUESTS, "login.too_many");
    }
    let user = match identity::get_user_by_username(st.store.db(), &username).await {
        Ok(u) => u,
        Err(e) => return HtmlError(e.into()).into_response(),
    };
    let ok = match &user {
        Some(u) if u.active => verify_password(&f.password, &u.password_hash),
        _ => {
            burn_verification();
            false
        }
    };
    let Some(user) = user.filter(|_| ok) else {
        st.login_limiter.record(&key, now);
        // The per-address allowance is wider: many people may share one office address.
        st.login_limiter.record(&ip, now);
        return fail(StatusCode::UNAUTHORIZED, "login.failed");
    };
    st.login_limiter.clear(&key);

    // Rotate: whatever session the browser had is ended, a new token is issued.
    if let Some(p) = &ctx.principal
        && let crate::auth::PrincipalKind::Session { token_hash, .. } = &p.kind
    {
        let _ = identity::delete_session(&st.store, token_hash, None).await;
    }
    let token = random_hex(32);
    let at = chrono::Utc::now();
    let now_us = to_us(at);
    let session = Session {
        token_hash: sha256_hex(&token),
        user_id: user.id.clone(),
        csrf_token: random_hex(32),
        created_at: now_us,
        last_seen_at: now_us,
        expires_at: now_us + st.config.session_absolute.as_micros() as i64,
    };
    let roles = identity::roles_of(st.store.db(), &user.id).await.unwrap_or_default();
    let best = roles
        .iter()
        .filter_map(|g| motcua_core::identity::Role::parse(&g.role).map(|r| (r, g)))
        .max_by_key(|(r, _)| *r);
    let actor = Actor {
        id: user.id.clone(),
        role: best.map(|(r, _)| r.as_str().to_owned()).unwrap_or_default(),
        unit: best.and_then(|(_, g)| g.unit_id.clone()).unwrap_or_default(),
    };
    if let Err(e) = identity::create_session(&st.store, session, at, &actor).await {
        return HtmlError(e.into()).into_response();
    }
    let target = if user.must_change_password {
        "/account"
    } else {
        safe_next(&f.next)
    };
    let mut resp = Redirect::to(target).into_response();
    let secure = if st.config.secure { "; Secure" } else { "" };
    let max_age = st.config.session_absolute.as_secs();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    )) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

#[derive(Deserialize)]
pub struct Empty {}

async fn logout(State(st): State<AppState>, ctx: ReqCtx, CsrfForm(_): CsrfForm<Empty>) -> Response {
    if let Some(p) = &ctx.principal
        && let crate::auth::PrincipalKind::Session { token_hash, .. } = &p.kind
    {
        let _ = identity::delete_session(&st.store, token_hash, Some((p.actor(), chrono::Utc::now()))).await;
    }
    let mut resp = Redirect::to("/login?ok=login.signed_out").into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: PageCtx,
    username: String,
    full_name: String,
    email: String,
    must_change: bool,
}

#[derive(Deserialize)]
pub struct OkQuery {
    ok: Option<String>,
}

async fn account_page(
    st: &AppState,
    ctx: &ReqCtx,
    flash: Option<&str>,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, HtmlError> {
    let p = ctx.principal.as_ref().ok_or_else(ApiError::unauthorized)?;
    let user = identity::get_user(st.store.db(), &p.user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let mut c = PageCtx::new(ctx).with_flash(flash);
    c.error = error.map(|k| c.t(k).to_owned());
    Ok(render_status(
        status,
        &AccountPage {
            ctx: c,
            username: user.username,
            full_name: user.full_name,
            email: user.email,
            must_change: user.must_change_password,
        },
    ))
}

async fn account(State(st): State<AppState>, ctx: ReqCtx, Query(q): Query<OkQuery>) -> Result<Response, HtmlError> {
    account_page(&st, &ctx, q.ok.as_deref(), None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

async fn change_password(
    State(st): State<AppState>,
    ctx: ReqCtx,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> Result<Response, HtmlError> {
    let p = ctx.principal.as_ref().ok_or_else(ApiError::unauthorized)?;
    let user = identity::get_user(st.store.db(), &p.user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let problem = if !verify_password(&f.current, &user.password_hash) {
        Some("account.wrong_current".to_owned())
    } else if f.new != f.confirm {
        Some("account.mismatch".to_owned())
    } else {
        motcua_core::identity::password_problem(&f.new).map(|code| format!("error.{code}"))
    };
    if let Some(k) = problem {
        return account_page(&st, &ctx, None, Some(&k), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let keep = match &p.kind {
        crate::auth::PrincipalKind::Session { token_hash, .. } => Some(token_hash.clone()),
        _ => None,
    };
    identity::set_password(
        &st.store,
        &p.actor(),
        chrono::Utc::now(),
        &user.id,
        hash_password(&f.new),
        false,
        keep,
    )
    .await?;
    Ok(Redirect::to("/account?ok=account.changed").into_response())
}

#[derive(Deserialize)]
pub struct LangQuery {
    next: Option<String>,
}

pub(super) async fn set_lang(
    State(st): State<AppState>,
    Path(lang): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let lang = Lang::parse(&lang).unwrap_or_default();
    let mut resp = Redirect::to(safe_next(q.next.as_deref().unwrap_or("/"))).into_response();
    let secure = if st.config.secure { "; Secure" } else { "" };
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
        lang.code()
    )) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}
