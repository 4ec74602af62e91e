//! Home page, stylesheet and the offline API documentation page (rendered on the server from
//! the generated OpenAPI document — no third-party script).

use super::{PageCtx, render};
use crate::extract::ReqCtx;
use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageCtx,
}

pub(super) async fn home(ctx: ReqCtx) -> Response {
    render(&HomePage {
        ctx: PageCtx::new(&ctx),
    })
}

pub(super) async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
        .into_response()
}

pub struct OpView {
    pub method: String,
    pub path: String,
    pub anchor: String,
    pub summary: String,
    pub access: String,
    pub params: Vec<String>,
    pub body: Option<String>,
    pub responses: Vec<String>,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct DocsPage {
    ctx: PageCtx,
    ops: Vec<OpView>,
    schemas: Vec<(String, String)>,
}

fn ref_name(v: &serde_json::Value) -> Option<String> {
    let r = v
        .pointer("/content/application~1json/schema/$ref")
        .or_else(|| v.pointer("/content/application~1problem+json/schema/$ref"))?;
    r.as_str().map(|s| s.rsplit('/').next().unwrap_or(s).to_owned())
}

pub(super) async fn api_docs(ctx: ReqCtx) -> Response {
    let doc = crate::api::openapi_json();
    let mut ops = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) {
        for (path, item) in paths {
            let Some(item) = item.as_object() else { continue };
            for (method, op) in item {
                let params = op
                    .get("parameters")
                    .and_then(|p| p.as_array())
                    .map(|ps| {
                        ps.iter()
                            .map(|p| {
                                format!(
                                    "{} ({}{})",
                                    p.get("name").and_then(|n| n.as_str()).unwrap_or(""),
                                    p.get("in").and_then(|n| n.as_str()).unwrap_or(""),
                                    if p.get("required").and_then(|r| r.as_bool()).unwrap_or(false) {
                                        ", required"
                                    } else {
                                        ""
                                    }
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let responses = op
                    .get("responses")
                    .and_then(|r| r.as_object())
                    .map(|rs| {
                        rs.iter()
                            .map(|(code, r)| {
                                let d = r.get("description").and_then(|d| d.as_str()).unwrap_or("");
                                match ref_name(r) {
                                    Some(s) => format!("{code} — {d} ({s})"),
                                    None => format!("{code} — {d}"),
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                ops.push(OpView {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    anchor: format!("{method}-{}", path.replace(['/', '{', '}'], "-")),
                    summary: op
                        .get("summary")
                        .or_else(|| op.get("description"))
                        .and_then(|s| s.as_str())
                        .unwrap_or("")
                        .to_owned(),
                    access: op
                        .get("x-motcua-access")
                        .and_then(|s| s.as_str())
                        .unwrap_or("")
                        .to_owned(),
                    params,
                    body: op.get("requestBody").and_then(ref_name),
                    responses,
                });
            }
        }
    }
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(|s| s.as_object())
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), serde_json::to_string_pretty(v).unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    render(&DocsPage {
        ctx: PageCtx::new(&ctx),
        ops,
        schemas,
    })
}
