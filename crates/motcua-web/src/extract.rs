//! Extractors that turn bad input into clear problems instead of axum's plain-text rejections.

use crate::auth::Principal;
use crate::auth::csrf::FIELD as CSRF_FIELD;
use crate::i18n::Lang;
use crate::problem::ApiError;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

/// What the resolver middleware learned about the request.
#[derive(Debug, Clone)]
pub struct ReqCtx {
    pub lang: Lang,
    pub principal: Option<Principal>,
    /// The pre-sign-in form token (double-submit cookie).
    pub pre_csrf: String,
    pub path: String,
}

impl<S: Send + Sync> FromRequestParts<S> for ReqCtx {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<ReqCtx>().cloned().ok_or_else(ApiError::internal)
    }
}

impl ReqCtx {
    /// The token a form must carry.
    pub fn csrf_token(&self) -> &str {
        self.principal.as_ref().and_then(|p| p.csrf()).unwrap_or(&self.pre_csrf)
    }
}

/// Parse the `Cookie` header.
pub fn cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|s| s.split(';'))
        .filter_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            Some((k.trim().to_owned(), v.trim().to_owned()))
        })
        .collect()
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    cookies(headers).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// JSON body with problems for malformed JSON (400), wrong types or unknown fields (422),
/// a wrong content type (415) and an oversized body (413).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(json_rejection(e)),
        }
    }
}

fn json_rejection(e: JsonRejection) -> ApiError {
    match e {
        JsonRejection::JsonDataError(d) => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").with_detail(d.body_text())
        }
        JsonRejection::JsonSyntaxError(d) => {
            ApiError::new(StatusCode::BAD_REQUEST, "malformed_json").with_detail(d.body_text())
        }
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
        }
        JsonRejection::BytesRejection(b) if b.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
        }
        other => ApiError::new(StatusCode::BAD_REQUEST, "malformed_json").with_detail(other.body_text()),
    }
}

/// Query string with a 400 problem on bad input.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(e @ QueryRejection::FailedToDeserializeQueryString(_)) => {
                Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_query").with_detail(e.body_text()))
            }
            Err(e) => Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_query").with_detail(e.body_text())),
        }
    }
}

/// An HTML form (application/x-www-form-urlencoded) whose `_csrf` field must match the
/// session's token (or the pre-sign-in cookie). Errors render as HTML pages.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for CsrfForm<T> {
    type Rejection = crate::pages::HtmlError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = req
            .extensions()
            .get::<ReqCtx>()
            .cloned()
            .ok_or_else(|| crate::pages::HtmlError(ApiError::internal()))?;
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|e| {
            crate::pages::HtmlError(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_form")
            })
        })?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| crate::pages::HtmlError(ApiError::new(StatusCode::BAD_REQUEST, "invalid_form")))?;
        let sent = pairs
            .iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        let expected = ctx.csrf_token();
        if expected.is_empty() || !crate::auth::password::ct_eq(sent, expected) {
            return Err(crate::pages::HtmlError(ApiError::new(StatusCode::FORBIDDEN, "csrf")));
        }
        let v: T = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            crate::pages::HtmlError(
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_form").with_detail(e.to_string()),
            )
        })?;
        Ok(CsrfForm(v))
    }
}

/// The client's address (from the connection), for rate limits; `local` when unknown (tests).
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "local".into());
        Ok(ClientIp(ip))
    }
}
