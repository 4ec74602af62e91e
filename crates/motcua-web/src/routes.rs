//! The only way to add a route: with the [`Access`] policy saying who may call it.

use crate::AppState;
use crate::auth::{Access, Denied, decide};
use crate::extract::ReqCtx;
use crate::problem::ApiError;
use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;

/// One route and its policy, for tests and the API docs.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

pub struct Routes {
    pub router: Router<AppState>,
    pub table: Vec<RouteSpec>,
}

impl Routes {
    pub fn new() -> Self {
        Routes {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    pub fn get<H, T>(self, path: &'static str, access: Access, h: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("GET", path, access, axum::routing::get(h))
    }

    pub fn post<H, T>(self, path: &'static str, access: Access, h: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("POST", path, access, axum::routing::post(h))
    }

    pub fn put<H, T>(self, path: &'static str, access: Access, h: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("PUT", path, access, axum::routing::put(h))
    }

    pub fn delete<H, T>(self, path: &'static str, access: Access, h: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("DELETE", path, access, axum::routing::delete(h))
    }

    fn add(mut self, method: &'static str, path: &'static str, access: Access, mr: MethodRouter<AppState>) -> Self {
        let mr = mr.route_layer(axum::middleware::from_fn(move |req: Request, next: Next| {
            guard(access, req, next)
        }));
        self.router = self.router.route(path, mr);
        self.table.push(RouteSpec { method, path, access });
        self
    }
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

async fn guard(access: Access, req: Request, next: Next) -> Response {
    let pattern = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let ctx = req.extensions().get::<ReqCtx>().cloned();
    let who = ctx.as_ref().and_then(|c| c.principal.as_ref());
    let is_api = pattern.starts_with("/api/");
    match decide(access, who, &pattern) {
        Ok(()) => next.run(req).await,
        Err(Denied::NotSignedIn) if !is_api => {
            let next_path = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
            Redirect::to(&format!("/login?next={}", crate::pages::url_encode(next_path))).into_response()
        }
        Err(Denied::MustChangePassword) if !is_api => Redirect::to("/account").into_response(),
        Err(d) => {
            let e = match d {
                Denied::NotSignedIn => ApiError::unauthorized(),
                Denied::Forbidden => ApiError::forbidden(),
                Denied::MustChangePassword => ApiError::new(StatusCode::FORBIDDEN, "password_change_required"),
            };
            if is_api {
                e.into_response()
            } else {
                crate::pages::HtmlError(e).into_response()
            }
        }
    }
}

/// Every route of the application.
pub fn all() -> Routes {
    let r = Routes::new();
    let r = crate::pages::routes(r);
    crate::api::routes(r)
}
