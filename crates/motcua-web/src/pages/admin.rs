//! Administration: units, people and API keys (admin only).

use super::{ADMIN, HistoryRow, HtmlError, PageCtx, history, render_status};
use crate::AppState;
use crate::auth::Access;
use crate::auth::password::{hash_password, new_api_key, one_time_password};
use crate::extract::{CsrfForm, ReqCtx};
use crate::i18n::{Lang, t};
use crate::problem::ApiError;
use crate::routes::Routes;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_core::identity::{Role, UnitCode, Username};
use motcua_store::StoreError;
use motcua_store::identity::{self, NewUnit, NewUser, UNIT_KINDS, Unit, UnitChange};
use motcua_store::time::to_us;
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    r.get("/admin/units", Access::roles(ADMIN), units)
        .post("/admin/units", Access::roles(ADMIN), create_unit)
        .get("/admin/units/{id}", Access::roles(ADMIN), unit)
        .post("/admin/units/{id}", Access::roles(ADMIN), update_unit)
        .get("/admin/people", Access::roles(ADMIN), people)
        .post("/admin/people", Access::roles(ADMIN), create_person)
        .get("/admin/people/{id}", Access::roles(ADMIN), person)
        .post("/admin/people/{id}/grant", Access::roles(ADMIN), grant)
        .post("/admin/people/{id}/revoke", Access::roles(ADMIN), revoke)
        .post(
            "/admin/people/{id}/reset-password",
            Access::roles(ADMIN),
            reset_password,
        )
        .post("/admin/people/{id}/active", Access::roles(ADMIN), set_active)
        .get("/admin/api-keys", Access::roles(ADMIN), keys)
        .post("/admin/api-keys", Access::roles(ADMIN), create_key)
        .post("/admin/api-keys/{id}/revoke", Access::roles(ADMIN), revoke_key)
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

fn actor(ctx: &ReqCtx) -> Result<motcua_store::events::Actor, HtmlError> {
    Ok(ctx.principal.as_ref().ok_or_else(ApiError::unauthorized)?.actor())
}

/// A store rejection becomes a message on the same form (422), other errors an error page.
fn form_error(lang: Lang, e: StoreError) -> Result<String, HtmlError> {
    match e {
        StoreError::Rejected { code, .. } => Ok(t(lang, &format!("error.{code}")).to_owned()),
        StoreError::Conflict(_) => Ok(t(lang, "error.conflict").to_owned()),
        other => Err(HtmlError(other.into())),
    }
}

fn kinds(lang: Lang) -> Vec<(String, String)> {
    UNIT_KINDS
        .iter()
        .map(|k| (k.to_string(), t(lang, &format!("units.kind_{k}")).to_owned()))
        .collect()
}

fn unit_options(units: &[Unit]) -> Vec<(String, String)> {
    units
        .iter()
        .filter(|u| u.active)
        .map(|u| (u.id.clone(), format!("{} — {}", u.code, u.name)))
        .collect()
}

// ---------------------------------------------------------------- units

pub struct UnitRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind_label: String,
    pub active: bool,
    pub depth: usize,
}

/// Depth-first order of the unit tree, so children sit under their parent.
fn tree_rows(units: &[Unit], lang: Lang) -> Vec<UnitRow> {
    fn walk(units: &[Unit], parent: Option<&str>, depth: usize, lang: Lang, out: &mut Vec<UnitRow>) {
        for u in units.iter().filter(|u| u.parent_id.as_deref() == parent) {
            out.push(UnitRow {
                id: u.id.clone(),
                code: u.code.clone(),
                name: u.name.clone(),
                kind_label: t(lang, &format!("units.kind_{}", u.kind)).to_owned(),
                active: u.active,
                depth: depth.min(4),
            });
            if depth < 50 {
                walk(units, Some(&u.id), depth + 1, lang, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(units, None, 0, lang, &mut out);
    out
}

#[derive(Default, Deserialize)]
pub struct UnitForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    parent_id: String,
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    ctx: PageCtx,
    rows: Vec<UnitRow>,
    kinds: Vec<(String, String)>,
    form: UnitForm,
}

#[derive(Deserialize)]
pub struct OkQuery {
    ok: Option<String>,
}

async fn units_page(
    st: &AppState,
    ctx: &ReqCtx,
    flash: Option<&str>,
    error: Option<String>,
    form: UnitForm,
    status: StatusCode,
) -> Result<Response, HtmlError> {
    let all = identity::list_units(st.store.db()).await?;
    let mut c = PageCtx::new(ctx).with_flash(flash);
    c.error = error;
    let form = if form.kind.is_empty() {
        UnitForm {
            kind: "department".into(),
            ..form
        }
    } else {
        form
    };
    Ok(render_status(
        status,
        &UnitsPage {
            rows: tree_rows(&all, ctx.lang),
            kinds: kinds(ctx.lang),
            ctx: c,
            form,
        },
    ))
}

async fn units(State(st): State<AppState>, ctx: ReqCtx, Query(q): Query<OkQuery>) -> Result<Response, HtmlError> {
    units_page(&st, &ctx, q.ok.as_deref(), None, UnitForm::default(), StatusCode::OK).await
}

async fn create_unit(
    State(st): State<AppState>,
    ctx: ReqCtx,
    CsrfForm(f): CsrfForm<UnitForm>,
) -> Result<Response, HtmlError> {
    let code = match UnitCode::parse(&f.code) {
        Ok(c) => c,
        Err(_) => {
            let msg = t(ctx.lang, "error.unit_code_invalid").to_owned();
            return units_page(&st, &ctx, None, Some(msg), f, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let new = NewUnit {
        code,
        name: f.name.clone(),
        name_en: f.name_en.clone(),
        kind: f.kind.clone(),
        parent_id: Some(f.parent_id.clone()).filter(|p| !p.is_empty()),
    };
    match identity::create_unit(&st.store, &actor(&ctx)?, now(), new).await {
        Ok(_) => Ok(Redirect::to("/admin/units?ok=units.created").into_response()),
        Err(e) => {
            let msg = form_error(ctx.lang, e)?;
            units_page(&st, &ctx, None, Some(msg), f, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    ctx: PageCtx,
    unit: Unit,
    kinds: Vec<(String, String)>,
    parents: Vec<(String, String)>,
    history: Vec<HistoryRow>,
}

async fn unit_page(
    st: &AppState,
    ctx: &ReqCtx,
    id: &str,
    flash: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, HtmlError> {
    let unit = identity::get_unit(st.store.db(), id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("unit {id}")))?;
    let all = identity::list_units(st.store.db()).await?;
    let parents = all
        .iter()
        .filter(|u| u.id != unit.id)
        .map(|u| (u.id.clone(), format!("{} — {}", u.code, u.name)))
        .collect();
    let mut c = PageCtx::new(ctx).with_flash(flash);
    c.error = error;
    let history = history(st, ctx.lang, "unit", &unit.id).await?;
    Ok(render_status(
        status,
        &UnitPage {
            ctx: c,
            unit,
            kinds: kinds(ctx.lang),
            parents,
            history,
        },
    ))
}

async fn unit(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> Result<Response, HtmlError> {
    unit_page(&st, &ctx, &id, q.ok.as_deref(), None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct UnitEditForm {
    name: String,
    #[serde(default)]
    name_en: String,
    kind: String,
    #[serde(default)]
    parent_id: String,
    active: String,
    version: i64,
}

async fn update_unit(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<UnitEditForm>,
) -> Result<Response, HtmlError> {
    let change = UnitChange {
        name: f.name,
        name_en: f.name_en,
        kind: f.kind,
        parent_id: Some(f.parent_id).filter(|p| !p.is_empty()),
        active: f.active == "true",
        version: f.version,
    };
    match identity::update_unit(&st.store, &actor(&ctx)?, now(), &id, change).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/units/{id}?ok=units.updated")).into_response()),
        Err(e) => {
            let msg = form_error(ctx.lang, e)?;
            unit_page(&st, &ctx, &id, None, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

// ---------------------------------------------------------------- people

pub struct PersonRow {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub roles: String,
    pub active: bool,
}

#[derive(Default, Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit_id: String,
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    ctx: PageCtx,
    rows: Vec<PersonRow>,
    roles: Vec<(String, String)>,
    units: Vec<(String, String)>,
    form: PersonForm,
    one_time: Option<String>,
}

fn role_options(lang: Lang) -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .map(|r| {
            (
                r.as_str().to_owned(),
                t(lang, &format!("roles.{}", r.as_str())).to_owned(),
            )
        })
        .collect()
}

async fn people_page(
    st: &AppState,
    ctx: &ReqCtx,
    error: Option<String>,
    form: PersonForm,
    one_time: Option<String>,
    status: StatusCode,
) -> Result<Response, HtmlError> {
    let users = identity::list_users(st.store.db()).await?;
    let grants = identity::all_grants(st.store.db()).await?;
    let units = identity::list_units(st.store.db()).await?;
    let unit_code = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| units.iter().find(|u| &u.id == id))
            .map(|u| u.code.clone())
    };
    let rows = users
        .into_iter()
        .map(|u| {
            let roles = grants
                .iter()
                .filter(|g| g.user_id == u.id)
                .map(|g| {
                    let name = t(ctx.lang, &format!("roles.{}", g.role));
                    match unit_code(&g.unit_id) {
                        Some(c) => format!("{name} ({c})"),
                        None => name.to_owned(),
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
            PersonRow {
                id: u.id,
                username: u.username,
                full_name: u.full_name,
                roles,
                active: u.active,
            }
        })
        .collect();
    let mut c = PageCtx::new(ctx);
    c.error = error;
    Ok(render_status(
        status,
        &PeoplePage {
            ctx: c,
            rows,
            roles: role_options(ctx.lang),
            units: unit_options(&units),
            form,
            one_time,
        },
    ))
}

async fn people(State(st): State<AppState>, ctx: ReqCtx) -> Result<Response, HtmlError> {
    people_page(
        &st,
        &ctx,
        None,
        PersonForm {
            role: "clerk".into(),
            ..Default::default()
        },
        None,
        StatusCode::OK,
    )
    .await
}

async fn create_person(
    State(st): State<AppState>,
    ctx: ReqCtx,
    CsrfForm(f): CsrfForm<PersonForm>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let Some(username) = Username::parse(&f.username) else {
        return people_page(
            &st,
            &ctx,
            Some(t(lang, "error.username_invalid").into()),
            f,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let Some(role) = Role::parse(&f.role) else {
        return people_page(
            &st,
            &ctx,
            Some(t(lang, "error.role_invalid").into()),
            f,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let otp = one_time_password();
    let new = NewUser {
        username: username.as_str().to_owned(),
        full_name: f.full_name.clone(),
        email: f.email.clone(),
        password_hash: hash_password(&otp),
        must_change_password: true,
        roles: vec![(role, Some(f.unit_id.clone()).filter(|u| !u.is_empty()))],
    };
    match identity::create_user(&st.store, &actor(&ctx)?, now(), new).await {
        Ok(_) => {
            people_page(
                &st,
                &ctx,
                None,
                PersonForm {
                    role: "clerk".into(),
                    ..Default::default()
                },
                Some(otp),
                StatusCode::CREATED,
            )
            .await
        }
        Err(e) => {
            let msg = form_error(lang, e)?;
            people_page(&st, &ctx, Some(msg), f, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    ctx: PageCtx,
    user: identity::User,
    grants: Vec<(String, String)>,
    roles: Vec<(String, String)>,
    units: Vec<(String, String)>,
    history: Vec<HistoryRow>,
    one_time: Option<String>,
}

async fn person_page(
    st: &AppState,
    ctx: &ReqCtx,
    id: &str,
    flash: Option<&str>,
    error: Option<String>,
    one_time: Option<String>,
    status: StatusCode,
) -> Result<Response, HtmlError> {
    let user = identity::get_user(st.store.db(), id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("user {id}")))?;
    let units = identity::list_units(st.store.db()).await?;
    let grants = identity::roles_of(st.store.db(), id)
        .await?
        .into_iter()
        .map(|g| {
            let name = t(ctx.lang, &format!("roles.{}", g.role)).to_owned();
            let unit = g
                .unit_id
                .as_ref()
                .and_then(|u| units.iter().find(|x| &x.id == u))
                .map(|u| format!(" — {} {}", u.code, u.name))
                .unwrap_or_default();
            (g.id, format!("{name}{unit}"))
        })
        .collect();
    let mut c = PageCtx::new(ctx).with_flash(flash);
    c.error = error;
    let history = history(st, ctx.lang, "user", id).await?;
    Ok(render_status(
        status,
        &PersonPage {
            ctx: c,
            user,
            grants,
            roles: role_options(ctx.lang),
            units: unit_options(&units),
            history,
            one_time,
        },
    ))
}

async fn person(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> Result<Response, HtmlError> {
    person_page(&st, &ctx, &id, q.ok.as_deref(), None, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct GrantForm {
    role: String,
    #[serde(default)]
    unit_id: String,
}

async fn grant(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<GrantForm>,
) -> Result<Response, HtmlError> {
    let Some(role) = Role::parse(&f.role) else {
        return person_page(
            &st,
            &ctx,
            &id,
            None,
            Some(t(ctx.lang, "error.role_invalid").into()),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let unit = Some(f.unit_id).filter(|u| !u.is_empty());
    match identity::grant_role(&st.store, &actor(&ctx)?, now(), &id, role, unit.as_deref()).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/people/{id}?ok=people.granted")).into_response()),
        Err(e) => {
            let msg = form_error(ctx.lang, e)?;
            person_page(&st, &ctx, &id, None, Some(msg), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[derive(Deserialize)]
pub struct RevokeForm {
    grant_id: String,
}

async fn revoke(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<RevokeForm>,
) -> Result<Response, HtmlError> {
    let g = identity::roles_of(st.store.db(), &id)
        .await?
        .into_iter()
        .find(|g| g.id == f.grant_id);
    if g.is_none() {
        return Err(ApiError::not_found(format!("grant {}", f.grant_id)).into());
    }
    identity::revoke_role(&st.store, &actor(&ctx)?, now(), &f.grant_id).await?;
    Ok(Redirect::to(&format!("/admin/people/{id}?ok=people.revoked")).into_response())
}

#[derive(Deserialize)]
pub struct NoFields {}

async fn reset_password(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, HtmlError> {
    identity::get_user(st.store.db(), &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("user {id}")))?;
    let otp = one_time_password();
    identity::set_password(&st.store, &actor(&ctx)?, now(), &id, hash_password(&otp), true, None).await?;
    person_page(&st, &ctx, &id, None, None, Some(otp), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: String,
    version: i64,
}

async fn set_active(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ActiveForm>,
) -> Result<Response, HtmlError> {
    identity::get_user(st.store.db(), &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("user {id}")))?;
    match identity::set_user_active(&st.store, &actor(&ctx)?, now(), &id, f.active == "true", f.version).await {
        Ok(()) => Ok(Redirect::to(&format!("/admin/people/{id}?ok=people.status_changed")).into_response()),
        Err(e) => {
            let msg = form_error(ctx.lang, e)?;
            person_page(&st, &ctx, &id, None, Some(msg), None, StatusCode::CONFLICT).await
        }
    }
}

// ---------------------------------------------------------------- API keys

pub struct KeyRow {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub scopes: String,
    pub created_at: String,
    pub last_used: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "api_keys.html")]
struct KeysPage {
    ctx: PageCtx,
    rows: Vec<KeyRow>,
    units: Vec<(String, String)>,
    new_key: Option<String>,
}

async fn keys_page(
    st: &AppState,
    ctx: &ReqCtx,
    flash: Option<&str>,
    error: Option<String>,
    new_key: Option<String>,
    status: StatusCode,
) -> Result<Response, HtmlError> {
    let keys = identity::list_api_keys(st.store.db()).await?;
    let units = identity::list_units(st.store.db()).await?;
    let rows = keys
        .into_iter()
        .map(|k| KeyRow {
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            scopes: k.scopes,
            created_at: super::fmt_instant(k.created_at),
            last_used: k
                .last_used_at
                .map(super::fmt_instant)
                .unwrap_or_else(|| t(ctx.lang, "keys.never").to_owned()),
            revoked: k.revoked_at.is_some(),
        })
        .collect();
    let mut c = PageCtx::new(ctx).with_flash(flash);
    c.error = error;
    Ok(render_status(
        status,
        &KeysPage {
            ctx: c,
            rows,
            units: unit_options(&units),
            new_key,
        },
    ))
}

async fn keys(State(st): State<AppState>, ctx: ReqCtx, Query(q): Query<OkQuery>) -> Result<Response, HtmlError> {
    keys_page(&st, &ctx, q.ok.as_deref(), None, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct KeyForm {
    name: String,
    scope_read: Option<String>,
    scope_write: Option<String>,
    scope_dossiers_read: Option<String>,
    scope_dossiers_write: Option<String>,
    #[serde(default)]
    unit_id: String,
}

async fn create_key(
    State(st): State<AppState>,
    ctx: ReqCtx,
    CsrfForm(f): CsrfForm<KeyForm>,
) -> Result<Response, HtmlError> {
    let mut scopes = Vec::new();
    if f.scope_read.is_some() {
        scopes.push("read");
    }
    if f.scope_write.is_some() {
        scopes.push("write");
    }
    if f.scope_dossiers_read.is_some() {
        scopes.push("dossiers:read");
    }
    if f.scope_dossiers_write.is_some() {
        scopes.push("dossiers:write");
    }
    if scopes.is_empty() {
        return keys_page(
            &st,
            &ctx,
            None,
            Some(t(ctx.lang, "error.scope_invalid").into()),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let a = actor(&ctx)?;
    let at = now();
    let (key, secret) = new_api_key(
        &f.name,
        &scopes,
        Some(f.unit_id).filter(|u| !u.is_empty()),
        &a.id,
        to_us(at),
    );
    match identity::create_api_key(&st.store, &a, at, key).await {
        Ok(_) => keys_page(&st, &ctx, None, None, Some(secret), StatusCode::CREATED).await,
        Err(e) => {
            let msg = form_error(ctx.lang, e)?;
            keys_page(&st, &ctx, None, Some(msg), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

async fn revoke_key(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, HtmlError> {
    identity::revoke_api_key(&st.store, &actor(&ctx)?, now(), &id).await?;
    Ok(Redirect::to("/admin/api-keys?ok=keys.revoked_done").into_response())
}
