//! Layers around every route: caller resolution, CSRF origin check, security headers, metrics,
//! body limits, panic safety, request ids and tracing.

use crate::AppState;
use crate::auth::csrf::{PRE_SESSION_COOKIE, same_origin};
use crate::auth::password::{ct_eq, random_hex, sha256_hex};
use crate::auth::{Principal, PrincipalKind};
use crate::extract::{ReqCtx, cookie};
use crate::i18n::Lang;
use crate::problem::ApiError;
use crate::routes::RouteSpec;
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use motcua_core::identity::Role;
use motcua_store::identity;
use motcua_store::time::to_us;
use std::time::Instant;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub const SESSION_COOKIE: &str = "motcua_session";
pub const LANG_COOKIE: &str = "motcua_lang";

pub fn wrap(router: Router<AppState>, state: AppState, _table: &[RouteSpec]) -> Router<AppState> {
    let json_limit = state.config.json_limit;
    router
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), resolve))
        .layer(axum::middleware::from_fn(count))
        .layer(axum::middleware::from_fn_with_state(state, security_headers))
        .layer(DefaultBodyLimit::max(json_limit))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal().with_detail("panic").into_response()
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

async fn not_found(ctx: Option<axum::Extension<ReqCtx>>, req: Request) -> Response {
    let e = ApiError::not_found(req.uri().path().to_owned());
    if req.uri().path().starts_with("/api/") || ctx.is_none() {
        e.into_response()
    } else {
        crate::pages::HtmlError(e).into_response()
    }
}

/// Find out who is calling, check the origin of unsafe requests, and choose the language.
async fn resolve(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let now = chrono::Utc::now();
    let now_us = to_us(now);
    let lang = cookie(headers, LANG_COOKIE)
        .and_then(|l| Lang::parse(&l))
        .or_else(|| {
            let al = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
            al.trim_start().starts_with("en").then_some(Lang::En)
        })
        .unwrap_or(Lang::Vi);
    let path = req.uri().path().to_owned();
    let is_api = path.starts_with("/api/");

    let mut principal: Option<Principal> = None;
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        match api_key_principal(&st, auth.to_str().unwrap_or(""), now_us).await {
            Ok(p) => principal = Some(p),
            Err(e) => return e.into_response(),
        }
    } else if let Some(token) = cookie(headers, SESSION_COOKIE) {
        match session_principal(&st, &token, now_us).await {
            Ok(p) => principal = p,
            Err(e) => return e.into_response(),
        }
    }

    // Layer 1 of CSRF: a browser request that carries cookies must come from our own pages.
    let cookie_auth = headers.contains_key(header::COOKIE) && !headers.contains_key(header::AUTHORIZATION);
    if cookie_auth && !same_origin(req.method(), headers) {
        let e = ApiError::new(StatusCode::FORBIDDEN, "csrf");
        return if is_api {
            e.into_response()
        } else {
            crate::pages::HtmlError(e).into_response()
        };
    }

    let existing_pre = cookie(headers, PRE_SESSION_COOKIE).filter(|v| v.len() == 64);
    let pre_csrf = existing_pre.clone().unwrap_or_else(|| random_hex(32));
    req.extensions_mut().insert(ReqCtx {
        lang,
        principal,
        pre_csrf: pre_csrf.clone(),
        path,
    });
    let mut resp = next.run(req).await;

    // Errors from handlers are rendered here, where the language is known.
    if let Some(crate::pages::HtmlErrorMarker(e)) = resp.extensions_mut().remove::<crate::pages::HtmlErrorMarker>() {
        resp = crate::pages::render_error(lang, &e);
    }
    if existing_pre.is_none() && !is_api {
        let secure = if st.config.secure { "; Secure" } else { "" };
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{PRE_SESSION_COOKIE}={pre_csrf}; Path=/; HttpOnly; SameSite=Strict{secure}"
        )) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

async fn api_key_principal(st: &AppState, auth: &str, now_us: i64) -> Result<Principal, ApiError> {
    let bad = || ApiError::unauthorized().with_detail("invalid API key");
    let key = auth.strip_prefix("Bearer ").ok_or_else(bad)?.trim();
    // Format: mck_<prefix>_<secret>
    let mut parts = key.splitn(3, '_');
    let (Some("mck"), Some(prefix), Some(secret)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let k = identity::get_api_key_by_prefix(st.store.db(), prefix)
        .await?
        .ok_or_else(bad)?;
    if k.revoked_at.is_some() || !ct_eq(&sha256_hex(secret), &k.key_hash) {
        return Err(bad());
    }
    if k.last_used_at.is_none_or(|t| now_us - t > 60_000_000) {
        let _ = identity::touch_api_key(&st.store, &k.id, now_us).await;
    }
    Ok(Principal {
        user_id: format!("api_key:{}", k.id),
        username: k.name.clone(),
        full_name: k.name.clone(),
        roles: Vec::new(),
        kind: PrincipalKind::ApiKey {
            key_id: k.id,
            scopes: k.scopes.split_whitespace().map(str::to_owned).collect(),
        },
    })
}

async fn session_principal(st: &AppState, token: &str, now_us: i64) -> Result<Option<Principal>, ApiError> {
    let hash = sha256_hex(token);
    let idle_us = st.config.session_idle.as_micros() as i64;
    if let Some((s, principal)) = st.sessions.get(&st.store, &hash) {
        if s.expires_at > now_us && now_us - s.last_seen_at <= idle_us {
            if now_us - s.last_seen_at > 60_000_000 {
                let _ = identity::touch_session(&st.store, &hash, now_us).await;
                st.sessions.update(&hash, |(s, _)| s.last_seen_at = now_us);
            }
            return Ok(Some(principal));
        }
        st.sessions.forget(&hash);
    }
    let generation = st.sessions.generation(&st.store);
    let Some(mut s) = identity::get_session(st.store.db(), &hash).await? else {
        return Ok(None);
    };
    if s.expires_at <= now_us || now_us - s.last_seen_at > idle_us {
        let _ = identity::delete_session(&st.store, &hash, None).await;
        return Ok(None);
    }
    let Some(user) = identity::get_user(st.store.db(), &s.user_id).await? else {
        return Ok(None);
    };
    if !user.active {
        return Ok(None);
    }
    if now_us - s.last_seen_at > 60_000_000 {
        let _ = identity::touch_session(&st.store, &hash, now_us).await;
        s.last_seen_at = now_us;
    }
    let roles = identity::roles_of(st.store.db(), &user.id)
        .await?
        .into_iter()
        .filter_map(|g| Some((Role::parse(&g.role)?, g.unit_id)))
        .collect();
    let principal = Principal {
        user_id: user.id,
        username: user.username,
        full_name: user.full_name,
        roles,
        kind: PrincipalKind::Session {
            token_hash: hash.clone(),
            csrf: s.csrf_token.clone(),
            must_change_password: user.must_change_password,
        },
    };
    st.sessions.put(hash, (s, principal.clone()), generation);
    Ok(Some(principal))
}

async fn security_headers(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if st.config.secure {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    resp
}

async fn count(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_owned();
    let start = Instant::now();
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    metrics::counter!("motcua_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("motcua_http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    resp
}
