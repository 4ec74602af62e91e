//! Cross-site request forgery defence, two layers:
//! 1. every unsafe request carrying a session cookie must come from our own origin
//!    (`Sec-Fetch-Site`, else `Origin` against `Host`);
//! 2. every form carries a synchronizer token (`_csrf`): the session's token when signed in,
//!    otherwise a double-submit cookie (`motcua_csrf`) set before sign-in.

use axum::http::{HeaderMap, Method, header};

pub const FIELD: &str = "_csrf";
pub const PRE_SESSION_COOKIE: &str = "motcua_csrf";

/// Layer 1: is this unsafe request from our own origin?
pub fn same_origin(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some("null"), _) => false,
        (Some(origin), Some(host)) => origin.split("://").nth(1).is_some_and(|h| h == host),
        // No Origin and no Sec-Fetch-Site: an old browser or a non-browser client; the form token
        // still protects forms.
        (None, _) => true,
        (Some(_), None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cross_site_posts_are_refused() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("motcua.local"));
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!same_origin(&Method::POST, &h));
        h.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        assert!(same_origin(&Method::POST, &h));
        h.remove("sec-fetch-site");
        h.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(!same_origin(&Method::POST, &h));
        h.insert(header::ORIGIN, HeaderValue::from_static("http://motcua.local"));
        assert!(same_origin(&Method::POST, &h));
        assert!(same_origin(&Method::GET, &HeaderMap::new()));
    }
}
