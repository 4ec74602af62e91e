//! Units, people, role grants and API keys over JSON.

use crate::AppState;
use crate::auth::Access;
use crate::auth::password::{API_SCOPES, hash_password, new_api_key, one_time_password};
use crate::extract::{ApiJson, ReqCtx};
use crate::problem::ApiError;
use crate::routes::Routes;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use motcua_core::identity::{Role, UnitCode, Username};
use motcua_store::identity::{self as store, NewUnit, NewUser, UnitChange};
use motcua_store::time::to_us;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const ADMIN: &[Role] = &[Role::Admin];
const EVERYONE: &[Role] = &Role::ALL;

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/me", Access::roles_or_key(EVERYONE, "read"), me)
        .get("/api/v1/units", Access::roles_or_key(ADMIN, "read"), list_units)
        .post("/api/v1/units", Access::roles(ADMIN), create_unit)
        .get("/api/v1/units/{id}", Access::roles_or_key(ADMIN, "read"), get_unit)
        .put("/api/v1/units/{id}", Access::roles(ADMIN), update_unit)
        .get("/api/v1/users", Access::roles(ADMIN), list_users)
        .post("/api/v1/users", Access::roles(ADMIN), create_user)
        .post("/api/v1/users/{id}/roles", Access::roles(ADMIN), grant_role)
        .delete("/api/v1/users/{id}/roles/{grant_id}", Access::roles(ADMIN), revoke_role)
        .get("/api/v1/api-keys", Access::roles(ADMIN), list_keys)
        .post("/api/v1/api-keys", Access::roles(ADMIN), create_key)
        .post("/api/v1/api-keys/{id}/revoke", Access::roles(ADMIN), revoke_key)
}

fn who(ctx: &ReqCtx) -> Result<&crate::auth::Principal, ApiError> {
    ctx.principal.as_ref().ok_or_else(ApiError::unauthorized)
}

#[derive(Serialize, ToSchema)]
pub struct MeOut {
    pub id: String,
    pub username: String,
    pub full_name: String,
    /// `session` or `api_key`
    pub kind: String,
    pub roles: Vec<GrantOut>,
    pub scopes: Vec<String>,
}

/// Who am I: the caller's identity, roles and (for API keys) scopes.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity", security(("api_key" = [])), responses(
    (status = 200, description = "The caller", body = MeOut),
    (status = 401, description = "Not signed in", body = crate::problem::Problem)))]
pub async fn me(ctx: ReqCtx) -> Result<Json<MeOut>, ApiError> {
    let p = who(&ctx)?;
    let (kind, scopes) = match &p.kind {
        crate::auth::PrincipalKind::Session { .. } => ("session", vec![]),
        crate::auth::PrincipalKind::ApiKey { scopes, .. } => ("api_key", scopes.clone()),
    };
    Ok(Json(MeOut {
        id: p.user_id.clone(),
        username: p.username.clone(),
        full_name: p.full_name.clone(),
        kind: kind.into(),
        roles: p
            .roles
            .iter()
            .map(|(r, u)| GrantOut {
                id: String::new(),
                role: r.as_str().into(),
                unit_id: u.clone(),
            })
            .collect(),
        scopes,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct UnitOut {
    pub id: String,
    /// Electronic identifier code (QĐ 20/2020/QĐ-TTg).
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// agency | department | desk | unit
    pub kind: String,
    pub parent_id: Option<String>,
    pub active: bool,
    /// Pass back in `PUT` (optimistic concurrency).
    pub version: i64,
}

impl From<store::Unit> for UnitOut {
    fn from(u: store::Unit) -> Self {
        UnitOut {
            id: u.id,
            code: u.code,
            name: u.name,
            name_en: u.name_en,
            kind: u.kind,
            parent_id: u.parent_id,
            active: u.active,
            version: u.version,
        }
    }
}

/// Every unit, in code order.
#[utoipa::path(get, path = "/api/v1/units", tag = "identity", security(("api_key" = [])), responses((status = 200, description = "Units", body = [UnitOut])))]
pub async fn list_units(State(st): State<AppState>) -> Result<Json<Vec<UnitOut>>, ApiError> {
    Ok(Json(
        store::list_units(st.store.db())
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// One unit by id or by its identifier code.
#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "identity", security(("api_key" = [])),
    params(("id" = String, Path, description = "Unit id or electronic identifier code")),
    responses((status = 200, description = "The unit", body = UnitOut), (status = 404, description = "Unknown unit", body = crate::problem::Problem)))]
pub async fn get_unit(State(st): State<AppState>, Path(id): Path<String>) -> Result<Json<UnitOut>, ApiError> {
    let u = match store::get_unit(st.store.db(), &id).await? {
        Some(u) => Some(u),
        None => store::get_unit_by_code(st.store.db(), &id).await?,
    };
    Ok(Json(u.ok_or_else(|| ApiError::not_found(format!("unit {id}")))?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitIn {
    /// Electronic identifier code, e.g. `000.00.15.H50`.
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    /// agency | department | desk | unit
    pub kind: String,
    #[serde(default)]
    pub parent_id: Option<String>,
}

/// Add a unit (an event `unit.created`).
#[utoipa::path(post, path = "/api/v1/units", tag = "identity", request_body = UnitIn, responses(
    (status = 201, description = "Created", body = UnitOut),
    (status = 422, description = "Invalid field", body = crate::problem::Problem)))]
pub async fn create_unit(
    State(st): State<AppState>,
    ctx: ReqCtx,
    ApiJson(b): ApiJson<UnitIn>,
) -> Result<(StatusCode, Json<UnitOut>), ApiError> {
    let code = UnitCode::parse(&b.code)
        .map_err(|e| ApiError::unprocessable("unit_code_invalid", "code").with_detail(e.to_string()))?;
    let u = store::create_unit(
        &st.store,
        &who(&ctx)?.actor(),
        chrono::Utc::now(),
        NewUnit {
            code,
            name: b.name,
            name_en: b.name_en,
            kind: b.kind,
            parent_id: b.parent_id.filter(|p| !p.is_empty()),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(u.into())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitUpdate {
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    pub kind: String,
    #[serde(default)]
    pub parent_id: Option<String>,
    pub active: bool,
    /// The version you read; a different current version is a 409 conflict.
    pub version: i64,
}

/// Change a unit (an event `unit.updated` or `unit.deactivated`).
#[utoipa::path(put, path = "/api/v1/units/{id}", tag = "identity", request_body = UnitUpdate,
    params(("id" = String, Path, description = "Unit id")),
    responses((status = 200, description = "Saved", body = UnitOut), (status = 409, description = "Changed by someone else", body = crate::problem::Problem),
    (status = 422, description = "Invalid field", body = crate::problem::Problem)))]
pub async fn update_unit(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UnitUpdate>,
) -> Result<Json<UnitOut>, ApiError> {
    let u = store::update_unit(
        &st.store,
        &who(&ctx)?.actor(),
        chrono::Utc::now(),
        &id,
        UnitChange {
            name: b.name,
            name_en: b.name_en,
            kind: b.kind,
            parent_id: b.parent_id.filter(|p| !p.is_empty()),
            active: b.active,
            version: b.version,
        },
    )
    .await?;
    Ok(Json(u.into()))
}

#[derive(Serialize, ToSchema)]
pub struct GrantOut {
    pub id: String,
    pub role: String,
    pub unit_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UserOut {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub active: bool,
    pub must_change_password: bool,
    pub version: i64,
    pub roles: Vec<GrantOut>,
}

/// Every person with their roles.
#[utoipa::path(get, path = "/api/v1/users", tag = "identity", responses((status = 200, description = "People", body = [UserOut])))]
pub async fn list_users(State(st): State<AppState>) -> Result<Json<Vec<UserOut>>, ApiError> {
    let grants = store::all_grants(st.store.db()).await?;
    Ok(Json(
        store::list_users(st.store.db())
            .await?
            .into_iter()
            .map(|u| UserOut {
                roles: grants
                    .iter()
                    .filter(|g| g.user_id == u.id)
                    .map(|g| GrantOut {
                        id: g.id.clone(),
                        role: g.role.clone(),
                        unit_id: g.unit_id.clone(),
                    })
                    .collect(),
                id: u.id,
                username: u.username,
                full_name: u.full_name,
                email: u.email,
                active: u.active,
                must_change_password: u.must_change_password,
                version: u.version,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantIn {
    /// citizen | clerk | specialist | leader | control_officer | inspector | admin
    pub role: String,
    #[serde(default)]
    pub unit_id: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserIn {
    pub username: String,
    pub full_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub roles: Vec<GrantIn>,
}

#[derive(Serialize, ToSchema)]
pub struct UserCreated {
    pub id: String,
    pub username: String,
    /// Shown once; the person must change it at first sign-in.
    pub one_time_password: String,
}

fn parse_grant(g: &GrantIn) -> Result<(Role, Option<String>), ApiError> {
    let role = Role::parse(&g.role).ok_or_else(|| ApiError::unprocessable("role_invalid", "role"))?;
    Ok((role, g.unit_id.clone().filter(|u| !u.is_empty())))
}

/// Add a person with a one-time password (events `user.created`, `user.role_granted`).
#[utoipa::path(post, path = "/api/v1/users", tag = "identity", request_body = UserIn, responses(
    (status = 201, description = "Created", body = UserCreated), (status = 422, description = "Invalid field", body = crate::problem::Problem)))]
pub async fn create_user(
    State(st): State<AppState>,
    ctx: ReqCtx,
    ApiJson(b): ApiJson<UserIn>,
) -> Result<(StatusCode, Json<UserCreated>), ApiError> {
    let username =
        Username::parse(&b.username).ok_or_else(|| ApiError::unprocessable("username_invalid", "username"))?;
    let roles = b.roles.iter().map(parse_grant).collect::<Result<Vec<_>, _>>()?;
    let otp = one_time_password();
    let u = store::create_user(
        &st.store,
        &who(&ctx)?.actor(),
        chrono::Utc::now(),
        NewUser {
            username: username.as_str().into(),
            full_name: b.full_name,
            email: b.email,
            password_hash: hash_password(&otp),
            must_change_password: true,
            roles,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(UserCreated {
            id: u.id,
            username: u.username,
            one_time_password: otp,
        }),
    ))
}

/// Grant a role, optionally limited to one unit (event `user.role_granted`).
#[utoipa::path(post, path = "/api/v1/users/{id}/roles", tag = "identity", request_body = GrantIn,
    params(("id" = String, Path, description = "User id")),
    responses((status = 201, description = "Granted", body = GrantOut), (status = 404, description = "Unknown user", body = crate::problem::Problem),
    (status = 422, description = "Invalid field", body = crate::problem::Problem)))]
pub async fn grant_role(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<GrantIn>,
) -> Result<(StatusCode, Json<GrantOut>), ApiError> {
    let (role, unit) = parse_grant(&b)?;
    let g = store::grant_role(
        &st.store,
        &who(&ctx)?.actor(),
        chrono::Utc::now(),
        &id,
        role,
        unit.as_deref(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(GrantOut {
            id: g.id,
            role: g.role,
            unit_id: g.unit_id,
        }),
    ))
}

/// Revoke a role grant (event `user.role_revoked`).
#[utoipa::path(delete, path = "/api/v1/users/{id}/roles/{grant_id}", tag = "identity",
    params(("id" = String, Path, description = "User id"), ("grant_id" = String, Path, description = "Grant id")),
    responses((status = 204, description = "Revoked"), (status = 404, description = "Unknown grant", body = crate::problem::Problem)))]
pub async fn revoke_role(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path((id, grant_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    if !store::roles_of(st.store.db(), &id)
        .await?
        .iter()
        .any(|g| g.id == grant_id)
    {
        return Err(ApiError::not_found(format!("grant {grant_id}")));
    }
    store::revoke_role(&st.store, &who(&ctx)?.actor(), chrono::Utc::now(), &grant_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct KeyOut {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<String>,
    pub unit_id: Option<String>,
    pub created_at: i64,
    pub revoked: bool,
}

/// Every API key (never the secret).
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "identity", responses((status = 200, description = "Keys", body = [KeyOut])))]
pub async fn list_keys(State(st): State<AppState>) -> Result<Json<Vec<KeyOut>>, ApiError> {
    Ok(Json(
        store::list_api_keys(st.store.db())
            .await?
            .into_iter()
            .map(|k| KeyOut {
                id: k.id,
                name: k.name,
                prefix: k.prefix,
                scopes: k.scopes.split_whitespace().map(str::to_owned).collect(),
                unit_id: k.unit_id,
                created_at: k.created_at,
                revoked: k.revoked_at.is_some(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyIn {
    pub name: String,
    /// Any of `read`, `write`, `dossiers:read`, `dossiers:write`.
    pub scopes: Vec<String>,
    #[serde(default)]
    pub unit_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct KeyCreated {
    pub id: String,
    /// The full key, shown once: `mck_<prefix>_<secret>`.
    pub key: String,
}

/// Create an API key for a machine client (event `api_key.created`).
#[utoipa::path(post, path = "/api/v1/api-keys", tag = "identity", request_body = KeyIn, responses(
    (status = 201, description = "Created", body = KeyCreated), (status = 422, description = "Invalid field", body = crate::problem::Problem)))]
pub async fn create_key(
    State(st): State<AppState>,
    ctx: ReqCtx,
    ApiJson(b): ApiJson<KeyIn>,
) -> Result<(StatusCode, Json<KeyCreated>), ApiError> {
    if b.scopes.is_empty() || b.scopes.iter().any(|s| !API_SCOPES.contains(&s.as_str())) {
        return Err(ApiError::unprocessable("scope_invalid", "scopes"));
    }
    let mut scopes: Vec<&str> = b.scopes.iter().map(String::as_str).collect();
    scopes.sort();
    scopes.dedup();
    let actor = who(&ctx)?.actor();
    let at = chrono::Utc::now();
    let (key, secret) = new_api_key(
        &b.name,
        &scopes,
        b.unit_id.filter(|u| !u.is_empty()),
        &actor.id,
        to_us(at),
    );
    let k = store::create_api_key(&st.store, &actor, at, key).await?;
    Ok((StatusCode::CREATED, Json(KeyCreated { id: k.id, key: secret })))
}

/// Revoke an API key at once (event `api_key.revoked`).
#[utoipa::path(post, path = "/api/v1/api-keys/{id}/revoke", tag = "identity", params(("id" = String, Path, description = "Key id")),
    responses((status = 204, description = "Revoked"), (status = 404, description = "Unknown or already revoked", body = crate::problem::Problem)))]
pub async fn revoke_key(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    store::revoke_api_key(&st.store, &who(&ctx)?.actor(), chrono::Utc::now(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
