//! Public catalog pages: search and browse (/thu-tuc) and one procedure (/thu-tuc/{code}), with
//! everything a citizen needs to prepare a dossier. Readable on a phone, no JavaScript.

use super::{HtmlError, PageCtx, render, url_encode};
use crate::AppState;
use crate::api::catalog::{SearchQuery, find, parse_on, run_search};
use crate::auth::Access;
use crate::extract::ReqCtx;
use crate::i18n::{Lang, t};
use crate::problem::ApiError;
use crate::routes::Routes;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_core::calendar::Duration;
use motcua_core::catalog::{Channel, ProcedureVersion};
use motcua_store::catalog::{self, ListFilter};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn routes(r: Routes) -> Routes {
    r.get("/thu-tuc", Access::Public, list)
        .get("/thu-tuc/{code}", Access::Public, detail)
        .get("/thu-tuc/{code}/mau/{file}", Access::Public, form_file)
}

pub struct Row {
    pub href: String,
    pub name: String,
    pub code: String,
    pub field: String,
    pub level: String,
    pub channels: String,
}

#[derive(Template)]
#[template(path = "catalog_list.html")]
struct ListPage {
    ctx: PageCtx,
    q: String,
    field: String,
    level: String,
    channel: String,
    fields: Vec<(String, usize)>,
    levels: Vec<(String, String)>,
    channels: Vec<(String, String)>,
    rows: Vec<Row>,
    total: usize,
    searched: bool,
    prev: Option<String>,
    next: Option<String>,
    page: u32,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    channel: String,
    page: Option<u32>,
}

fn level_label(lang: Lang, l: &str) -> String {
    crate::i18n::try_t(lang, &format!("catalog.level_{l}"))
        .unwrap_or(l)
        .to_owned()
}

fn channel_label(lang: Lang, c: &str) -> String {
    crate::i18n::try_t(lang, &format!("catalog.channel_{c}"))
        .unwrap_or(c)
        .to_owned()
}

async fn list(State(st): State<AppState>, ctx: ReqCtx, Query(q): Query<ListQuery>) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let search = SearchQuery {
        q: Some(q.q.clone()),
        field: Some(q.field.clone()),
        level: Some(q.level.clone()),
        channel: Some(q.channel.clone()),
        page: q.page,
        ..Default::default()
    };
    let res = run_search(&st, &search).await?;
    let all = catalog::in_force_all(
        st.store.db(),
        super::super::api::catalog::today(),
        &ListFilter::default(),
    )
    .await?;
    let mut fields: BTreeMap<String, usize> = BTreeMap::new();
    for v in &all {
        *fields.entry(v.field.clone()).or_default() += 1;
    }
    let rows = res
        .items
        .iter()
        .map(|p| {
            let code = p
                .applied_code
                .clone()
                .or(p.national_code.clone())
                .unwrap_or_else(|| p.procedure_id.clone());
            Row {
                href: format!("/thu-tuc/{}", url_encode(&code)),
                name: p.name.clone(),
                code: p.national_code.clone().unwrap_or_default(),
                field: p.field.clone(),
                level: level_label(lang, &p.level),
                channels: p
                    .channels
                    .iter()
                    .map(|c| channel_label(lang, c))
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })
        .collect();
    let link = |page: u32| {
        format!(
            "/thu-tuc?q={}&field={}&level={}&channel={}&page={page}",
            url_encode(&q.q),
            url_encode(&q.field),
            url_encode(&q.level),
            url_encode(&q.channel)
        )
    };
    let pages = res.total.div_ceil(res.per_page).max(1) as u32;
    let page = ListPage {
        ctx: PageCtx::new(&ctx),
        searched: !q.q.trim().is_empty() || !q.field.is_empty() || !q.level.is_empty() || !q.channel.is_empty(),
        q: q.q.clone(),
        field: q.field.clone(),
        level: q.level.clone(),
        channel: q.channel.clone(),
        fields: fields.into_iter().collect(),
        levels: ["province", "commune", "ministry"]
            .iter()
            .map(|l| (l.to_string(), level_label(lang, l)))
            .collect(),
        channels: ["1", "2", "3"]
            .iter()
            .map(|c| (c.to_string(), channel_label(lang, c)))
            .collect(),
        rows,
        total: res.total,
        prev: (res.page > 1).then(|| link(res.page - 1)),
        next: (res.page < pages).then(|| link(res.page + 1)),
        page: res.page,
    };
    Ok(render(&page))
}

/// A time limit in words.
pub fn duration_words(lang: Lang, d: Duration) -> String {
    let (n, vi, en) = match d {
        Duration::WorkingDays(n) => (n, "ngày làm việc", "working days"),
        Duration::WorkingHours(n) => (n, "giờ làm việc", "working hours"),
        Duration::Days(n) => (n, "ngày", "days"),
        Duration::Months(n) => (n, "tháng", "months"),
    };
    match lang {
        Lang::Vi => format!("{n} {vi}"),
        Lang::En => format!("{n} {en}"),
    }
}

/// Integer đồng with dots, e.g. 1.500.000 đ.
pub fn dong(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    format!("{out} đ")
}

pub struct ChannelView {
    pub name: String,
    pub time_limit: String,
    pub fees: Vec<String>,
}

pub struct ComponentView {
    pub name: String,
    pub copy_type: String,
    pub quantity: u32,
    pub required: String,
    pub form: Option<String>,
}

pub struct VersionView {
    pub number: i64,
    pub status: String,
    pub from: String,
    pub to: String,
}

#[derive(Template)]
#[template(path = "catalog_detail.html")]
struct DetailPage {
    ctx: PageCtx,
    v: ProcedureVersion,
    national_code: String,
    applied_code: String,
    level: String,
    online_level: String,
    channels: Vec<ChannelView>,
    components: Vec<ComponentView>,
    legal_basis: Vec<String>,
    versions: Vec<VersionView>,
    version: i64,
    effective_from: String,
    /// Where the form templates are downloaded from (`/thu-tuc/{code}/mau`).
    form_base: String,
}

#[derive(Deserialize)]
pub struct OnQuery {
    on: Option<String>,
}

async fn detail(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(code): Path<String>,
    Query(q): Query<OnQuery>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let day = parse_on(&q.on)?;
    let p = find(&st, &code).await?;
    let row = catalog::in_force(st.store.db(), &p.id, day)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "procedure_not_in_force").with_detail(code.clone()))?;
    let v: ProcedureVersion =
        serde_json::from_str(&row.document).map_err(|e| ApiError::internal().with_detail(e.to_string()))?;
    let channels = v
        .channels
        .iter()
        .map(|c| {
            let time_limit = if c.same_day {
                t(lang, "catalog.same_day").to_owned()
            } else {
                c.time_limit
                    .map(|d| duration_words(lang, d))
                    .unwrap_or_else(|| v.time_limit_text.clone())
            };
            let fees = if v.free_of_charge {
                vec![t(lang, "catalog.free").to_owned()]
            } else {
                c.fees
                    .iter()
                    .map(|f| match f.amount {
                        Some(a) => format!("{}: {}", f.name, dong(a)),
                        None => f.text.clone(),
                    })
                    .collect()
            };
            ChannelView {
                name: channel_label(lang, &Channel::code(c.channel).to_string()),
                time_limit,
                fees,
            }
        })
        .collect();
    let components = v
        .components
        .iter()
        .map(|c| ComponentView {
            name: c.name.clone(),
            copy_type: serde_json::to_value(c.copy_type)
                .ok()
                .and_then(|x| x.as_str().map(|s| t(lang, &format!("catalog.copy_{s}")).to_owned()))
                .unwrap_or_default(),
            quantity: c.quantity,
            required: t(
                lang,
                if matches!(c.requirement, motcua_core::catalog::Requirement::Required) {
                    "catalog.required"
                } else {
                    "catalog.conditional"
                },
            )
            .to_owned(),
            form: c.form.clone(),
        })
        .collect();
    let legal_basis = v
        .legal_basis
        .iter()
        .map(|d| {
            let mut s = d.title.clone();
            if let Some(date) = d.date {
                s.push_str(&format!(" ({})", date.format("%d/%m/%Y")));
            }
            if let Some(i) = &d.issuer {
                s.push_str(&format!(" — {i}"));
            }
            s
        })
        .collect();
    let versions = catalog::versions(st.store.db(), &p.id)
        .await?
        .into_iter()
        .filter(|x| x.status != "draft")
        .map(|x| VersionView {
            number: x.number,
            status: x.status,
            from: x.effective_from.unwrap_or_default(),
            to: x.effective_to.unwrap_or_default(),
        })
        .collect();
    let online_level = v
        .online_level
        .and_then(|o| serde_json::to_value(o).ok())
        .and_then(|x| x.as_str().map(|s| t(lang, &format!("catalog.online_{s}")).to_owned()))
        .unwrap_or_else(|| t(lang, "catalog.not_stated").to_owned());
    let page = DetailPage {
        ctx: PageCtx::new(&ctx),
        national_code: v
            .national_code
            .as_ref()
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        applied_code: v
            .applied_code
            .as_ref()
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        level: row.level.clone(),
        online_level,
        channels,
        components,
        legal_basis,
        versions,
        version: row.number,
        effective_from: row.effective_from.clone().unwrap_or_default(),
        form_base: format!("/thu-tuc/{}/mau", url_encode(&code)),
        v,
    };
    let level = level_label(lang, &page.level);
    Ok(render(&DetailPage { level, ..page }))
}

/// A form template of the version in force, as a Word document: the application form generated
/// from the procedure (name, addressee, components to attach), so every listed form can be
/// downloaded and filled in.
async fn form_file(
    State(st): State<AppState>,
    Path((code, file)): Path<(String, String)>,
    Query(q): Query<OnQuery>,
) -> Result<Response, HtmlError> {
    let day = parse_on(&q.on)?;
    let p = find(&st, &code).await?;
    let row = catalog::in_force(st.store.db(), &p.id, day)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "procedure_not_in_force").with_detail(code.clone()))?;
    let v: ProcedureVersion =
        serde_json::from_str(&row.document).map_err(|e| ApiError::internal().with_detail(e.to_string()))?;
    let form = v
        .forms
        .iter()
        .find(|f| f.file == file)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "form_unknown").with_detail(file.clone()))?;
    let addressee = if v.agency.trim().is_empty() {
        "Cơ quan giải quyết thủ tục hành chính".to_owned()
    } else {
        v.agency.clone()
    };
    let bytes = motcua_docs::docx::application_form(&v, form, &addressee)
        .map_err(|e| ApiError::internal().with_detail(e.to_string()))?;
    let stem = file.rsplit_once('.').map(|(s, _)| s).unwrap_or(&file);
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.docx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
