//! Units, people, role grants, sessions and API keys. Every change to people, units and keys
//! is an event on that person's, unit's or key's chain.

use crate::db::{Db, Store};
use crate::error::StoreError;
use crate::events::{self, Actor, NewEvent};
use crate::memo::Topic;
use crate::time::to_us;
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};
use motcua_core::identity::{Role, UnitCode};
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;

/// An agency or one of its units (cơ quan, đơn vị), a node of the unit tree.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct Unit {
    pub id: String,
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// `agency`, `department`, `desk` (Bộ phận một cửa) or `unit`.
    pub kind: String,
    pub parent_id: Option<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

pub const UNIT_KINDS: [&str; 4] = ["agency", "department", "desk", "unit"];

/// Fields of a new unit.
#[derive(Debug, Clone)]
pub struct NewUnit {
    pub code: UnitCode,
    pub name: String,
    pub name_en: String,
    pub kind: String,
    pub parent_id: Option<String>,
}

/// A change to a unit; the version is the one the editor saw.
#[derive(Debug, Clone)]
pub struct UnitChange {
    pub name: String,
    pub name_en: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub active: bool,
    pub version: i64,
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn check_unit_fields(name: &str, kind: &str) -> Result<(), StoreError> {
    if name.trim().is_empty() || name.chars().count() > 300 {
        return Err(StoreError::rejected("unit_name_invalid", "name"));
    }
    if !UNIT_KINDS.contains(&kind) {
        return Err(StoreError::rejected("unit_kind_invalid", "kind"));
    }
    Ok(())
}

const UNIT_COLUMNS: &str = "id, code, name, name_en, kind, parent_id, active, version, created_at, updated_at";

pub async fn create_unit(store: &Store, actor: &Actor, at: DateTime<Utc>, u: NewUnit) -> Result<Unit, StoreError> {
    check_unit_fields(&u.name, &u.kind)?;
    if let Some(p) = &u.parent_id {
        get_unit(store.db(), p)
            .await?
            .ok_or_else(|| StoreError::rejected("unit_parent_unknown", "parent_id"))?;
    }
    let actor = actor.clone();
    let now = to_us(at);
    let unit = Unit {
        id: new_id(),
        code: u.code.to_string(),
        name: u.name.trim().to_owned(),
        name_en: u.name_en.trim().to_owned(),
        kind: u.kind,
        parent_id: u.parent_id,
        active: true,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let out = unit.clone();
    store
        .write_on(Topic::Identity, move |tx| {
            Box::pin(async move {
                on_tx!(tx, |c| sqlx::query(
                    "INSERT INTO units (id, code, name, name_en, kind, parent_id, active, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)"
                )
                .bind(&unit.id)
                .bind(&unit.code)
                .bind(&unit.name)
                .bind(&unit.name_en)
                .bind(&unit.kind)
                .bind(&unit.parent_id)
                .bind(true)
                .bind(now)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))
                .map_err(|e| match StoreError::from_sqlx(e) {
                    StoreError::Conflict(_) => StoreError::rejected("unit_code_taken", "code"),
                    other => other,
                })?;
                events::append(
                    tx,
                    NewEvent {
                        aggregate_type: "unit",
                        aggregate_id: &unit.id,
                        expected_seq: Some(0),
                        kind: "unit.created",
                        actor: &actor,
                        at,
                        payload: json!({"code": unit.code, "name": unit.name, "name_en": unit.name_en, "kind": unit.kind, "parent_id": unit.parent_id}),
                    },
                )
                .await?;
                Ok(())
            })
        })
        .await?;
    Ok(out)
}

pub async fn update_unit(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    id: &str,
    ch: UnitChange,
) -> Result<Unit, StoreError> {
    check_unit_fields(&ch.name, &ch.kind)?;
    let before = get_unit(store.db(), id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("unit {id}")))?;
    if let Some(p) = &ch.parent_id {
        // The new parent must exist and must not be the unit itself or one of its descendants.
        let all = list_units(store.db()).await?;
        let mut cur = Some(p.clone());
        let mut steps = 0;
        while let Some(c) = cur {
            if c == id {
                return Err(StoreError::rejected("unit_parent_cycle", "parent_id"));
            }
            steps += 1;
            if steps > 10_000 {
                break;
            }
            cur = all
                .iter()
                .find(|u| u.id == c)
                .map(|u| u.parent_id.clone())
                .ok_or_else(|| StoreError::rejected("unit_parent_unknown", "parent_id"))?;
        }
    }
    let actor = actor.clone();
    let id = id.to_owned();
    let now = to_us(at);
    let after = Unit {
        name: ch.name.trim().to_owned(),
        name_en: ch.name_en.trim().to_owned(),
        kind: ch.kind.clone(),
        parent_id: ch.parent_id.clone(),
        active: ch.active,
        version: ch.version + 1,
        updated_at: now,
        ..before.clone()
    };
    let out = after.clone();
    store
        .write_on(Topic::Identity, move |tx| {
            Box::pin(async move {
                let ev = events::append(
                    tx,
                    NewEvent {
                        aggregate_type: "unit",
                        aggregate_id: &id,
                        expected_seq: Some(ch.version),
                        kind: if before.active && !ch.active { "unit.deactivated" } else { "unit.updated" },
                        actor: &actor,
                        at,
                        payload: json!({
                            "before": {"name": before.name, "name_en": before.name_en, "kind": before.kind, "parent_id": before.parent_id, "active": before.active},
                            "after": {"name": after.name, "name_en": after.name_en, "kind": after.kind, "parent_id": after.parent_id, "active": after.active},
                        }),
                    },
                )
                .await?;
                on_tx!(tx, |c| sqlx::query(
                    "UPDATE units SET name = $2, name_en = $3, kind = $4, parent_id = $5, active = $6, version = $7, updated_at = $8 WHERE id = $1"
                )
                .bind(&id)
                .bind(&after.name)
                .bind(&after.name_en)
                .bind(&after.kind)
                .bind(&after.parent_id)
                .bind(after.active)
                .bind(ev.seq)
                .bind(now)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
                Ok(())
            })
        })
        .await?;
    Ok(out)
}

pub async fn list_units(db: &Db) -> Result<Vec<Unit>, StoreError> {
    let sql = format!("SELECT {UNIT_COLUMNS} FROM units ORDER BY code");
    Ok(on_db!(db, |p| sqlx::query_as::<_, Unit>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .fetch_all(p)
    .await)?)
}

/// Every unit as [`list_units`] gives them, remembered for a moment (see [`crate::memo`]): a
/// change made here is seen at once, one made by another process within a second.
pub async fn units_recent(store: &Store) -> Result<Arc<Vec<Unit>>, StoreError> {
    let memory = &store.memory().units;
    if let Some(u) = memory.get(store, &()) {
        return Ok(u);
    }
    let generation = memory.generation(store);
    let units = Arc::new(list_units(store.db()).await?);
    memory.put((), units.clone(), generation);
    Ok(units)
}

pub async fn get_unit(db: &Db, id: &str) -> Result<Option<Unit>, StoreError> {
    let sql = format!("SELECT {UNIT_COLUMNS} FROM units WHERE id = $1");
    Ok(on_db!(db, |p| sqlx::query_as::<_, Unit>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(id)
    .fetch_optional(p)
    .await)?)
}

pub async fn get_unit_by_code(db: &Db, code: &str) -> Result<Option<Unit>, StoreError> {
    let sql = format!("SELECT {UNIT_COLUMNS} FROM units WHERE code = $1");
    Ok(on_db!(db, |p| sqlx::query_as::<_, Unit>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(code)
    .fetch_optional(p)
    .await)?)
}

/// A person who signs in (người dùng).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub email: String,
    #[serde(skip)]
    pub password_hash: String,
    pub must_change_password: bool,
    pub active: bool,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A role held in a unit (or everywhere when `unit_id` is `None`).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct RoleGrant {
    pub id: String,
    pub user_id: String,
    pub role: String,
    pub unit_id: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub password_hash: String,
    pub must_change_password: bool,
    pub roles: Vec<(Role, Option<String>)>,
}

const USER_COLUMNS: &str =
    "id, username, full_name, email, password_hash, must_change_password, active, version, created_at, updated_at";

pub async fn create_user(store: &Store, actor: &Actor, at: DateTime<Utc>, u: NewUser) -> Result<User, StoreError> {
    if u.full_name.trim().is_empty() || u.full_name.chars().count() > 200 {
        return Err(StoreError::rejected("full_name_invalid", "full_name"));
    }
    if u.email.chars().count() > 254 || (!u.email.is_empty() && !u.email.contains('@')) {
        return Err(StoreError::rejected("email_invalid", "email"));
    }
    for (_, unit) in &u.roles {
        if let Some(unit) = unit {
            get_unit(store.db(), unit)
                .await?
                .ok_or_else(|| StoreError::rejected("unit_unknown", "unit_id"))?;
        }
    }
    let now = to_us(at);
    let user = User {
        id: new_id(),
        username: u.username.clone(),
        full_name: u.full_name.trim().to_owned(),
        email: u.email.trim().to_owned(),
        password_hash: u.password_hash.clone(),
        must_change_password: u.must_change_password,
        active: true,
        version: 1 + u.roles.len() as i64,
        created_at: now,
        updated_at: now,
    };
    let out = user.clone();
    let actor = actor.clone();
    store
        .write_on(Topic::Identity, move |tx| {
            Box::pin(async move {
                on_tx!(tx, |c| sqlx::query(
                    "INSERT INTO users (id, username, full_name, email, password_hash, must_change_password, active, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)"
                )
                .bind(&user.id)
                .bind(&user.username)
                .bind(&user.full_name)
                .bind(&user.email)
                .bind(&user.password_hash)
                .bind(user.must_change_password)
                .bind(true)
                .bind(user.version)
                .bind(now)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))
                .map_err(|e| match StoreError::from_sqlx(e) {
                    StoreError::Conflict(_) => StoreError::rejected("username_taken", "username"),
                    other => other,
                })?;
                events::append(
                    tx,
                    NewEvent {
                        aggregate_type: "user",
                        aggregate_id: &user.id,
                        expected_seq: Some(0),
                        kind: "user.created",
                        actor: &actor,
                        at,
                        payload: json!({"username": user.username, "full_name": user.full_name, "email": user.email}),
                    },
                )
                .await?;
                for (role, unit) in &u.roles {
                    insert_grant(tx, &actor, at, &user.id, *role, unit.as_deref()).await?;
                }
                Ok(())
            })
        })
        .await?;
    Ok(out)
}

async fn insert_grant(
    tx: &mut crate::Tx,
    actor: &Actor,
    at: DateTime<Utc>,
    user_id: &str,
    role: Role,
    unit: Option<&str>,
) -> Result<RoleGrant, StoreError> {
    let g = RoleGrant {
        id: new_id(),
        user_id: user_id.to_owned(),
        role: role.as_str().to_owned(),
        unit_id: unit.map(str::to_owned),
        created_at: to_us(at),
    };
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO role_grants (id, user_id, role, unit_id, created_at) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(&g.id)
    .bind(&g.user_id)
    .bind(&g.role)
    .bind(&g.unit_id)
    .bind(g.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_sqlx)?;
    events::append(
        tx,
        NewEvent {
            aggregate_type: "user",
            aggregate_id: user_id,
            expected_seq: None,
            kind: "user.role_granted",
            actor,
            at,
            payload: json!({"grant_id": g.id, "role": g.role, "unit_id": g.unit_id}),
        },
    )
    .await?;
    Ok(g)
}

async fn bump_user_version(tx: &mut crate::Tx, user_id: &str, seq: i64, at: i64) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE users SET version = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(user_id)
    .bind(seq)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn grant_role(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    user_id: &str,
    role: Role,
    unit: Option<&str>,
) -> Result<RoleGrant, StoreError> {
    get_user(store.db(), user_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("user {user_id}")))?;
    if let Some(unit) = unit {
        get_unit(store.db(), unit)
            .await?
            .ok_or_else(|| StoreError::rejected("unit_unknown", "unit_id"))?;
    }
    if roles_of(store.db(), user_id)
        .await?
        .iter()
        .any(|g| g.role == role.as_str() && g.unit_id.as_deref() == unit)
    {
        return Err(StoreError::rejected("role_already_granted", "role"));
    }
    let (actor, user_id, unit) = (actor.clone(), user_id.to_owned(), unit.map(str::to_owned));
    store
        .write_on(Topic::Identity, move |tx| {
            Box::pin(async move {
                let g = insert_grant(tx, &actor, at, &user_id, role, unit.as_deref()).await?;
                let seq = head_seq(tx, "user", &user_id).await?;
                bump_user_version(tx, &user_id, seq, to_us(at)).await?;
                Ok(g)
            })
        })
        .await
}

async fn head_seq(tx: &mut crate::Tx, t: &str, id: &str) -> Result<i64, StoreError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COALESCE(MAX(seq), 0) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2"
    )
    .bind(t)
    .bind(id)
    .fetch_one(c)
    .await)?)
}

pub async fn revoke_role(store: &Store, actor: &Actor, at: DateTime<Utc>, grant_id: &str) -> Result<(), StoreError> {
    let g = on_db!(store.db(), |p| sqlx::query_as::<_, RoleGrant>(
        "SELECT id, user_id, role, unit_id, created_at FROM role_grants WHERE id = $1"
    )
    .bind(grant_id)
    .fetch_optional(p)
    .await)?
    .ok_or_else(|| StoreError::NotFound(format!("grant {grant_id}")))?;
    let actor = actor.clone();
    store
        .write_on(Topic::Identity, move |tx| {
            Box::pin(async move {
                let n = on_tx!(tx, |c| sqlx::query("DELETE FROM role_grants WHERE id = $1")
                    .bind(&g.id)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected()))?;
                if n == 0 {
                    return Err(StoreError::Conflict("grant already revoked".into()));
                }
                let ev = events::append(
                    tx,
                    NewEvent {
                        aggregate_type: "user",
                        aggregate_id: &g.user_id,
                        expected_seq: None,
                        kind: "user.role_revoked",
                        actor: &actor,
                        at,
                        payload: json!({"grant_id": g.id, "role": g.role, "unit_id": g.unit_id}),
                    },
                )
                .await?;
                bump_user_version(tx, &g.user_id, ev.seq, to_us(at)).await
            })
        })
        .await
}

/// Change a password (the hash is never put in an event). Ends every other session of the user.
pub async fn set_password(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    user_id: &str,
    password_hash: String,
    must_change: bool,
    keep_session: Option<String>,
) -> Result<(), StoreError> {
    let (actor, user_id) = (actor.clone(), user_id.to_owned());
    store
        .write_on(Topic::Identity, move |tx| {
            Box::pin(async move {
                let ev = events::append(
                    tx,
                    NewEvent {
                        aggregate_type: "user",
                        aggregate_id: &user_id,
                        expected_seq: None,
                        kind: if must_change { "user.password_reset" } else { "user.password_changed" },
                        actor: &actor,
                        at,
                        payload: json!({}),
                    },
                )
                .await?;
                on_tx!(tx, |c| sqlx::query("UPDATE users SET password_hash = $2, must_change_password = $3, version = $4, updated_at = $5 WHERE id = $1")
                    .bind(&user_id)
                    .bind(&password_hash)
                    .bind(must_change)
                    .bind(ev.seq)
                    .bind(to_us(at))
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected()))?;
                on_tx!(tx, |c| sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                    .bind(&user_id)
                    .bind(keep_session.unwrap_or_default())
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected()))?;
                Ok(())
            })
        })
        .await
}

/// Activate or deactivate a person; deactivation ends their sessions.
pub async fn set_user_active(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    user_id: &str,
    active: bool,
    version: i64,
) -> Result<(), StoreError> {
    let (actor, user_id) = (actor.clone(), user_id.to_owned());
    store
        .write_on(Topic::Identity, move |tx| {
            Box::pin(async move {
                let ev = events::append(
                    tx,
                    NewEvent {
                        aggregate_type: "user",
                        aggregate_id: &user_id,
                        expected_seq: Some(version),
                        kind: if active { "user.activated" } else { "user.deactivated" },
                        actor: &actor,
                        at,
                        payload: json!({}),
                    },
                )
                .await?;
                on_tx!(tx, |c| sqlx::query(
                    "UPDATE users SET active = $2, version = $3, updated_at = $4 WHERE id = $1"
                )
                .bind(&user_id)
                .bind(active)
                .bind(ev.seq)
                .bind(to_us(at))
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
                if !active {
                    on_tx!(tx, |c| sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                        .bind(&user_id)
                        .execute(c)
                        .await
                        .map(|r| r.rows_affected()))?;
                }
                Ok(())
            })
        })
        .await
}

pub async fn list_users(db: &Db) -> Result<Vec<User>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
    Ok(on_db!(db, |p| sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .fetch_all(p)
    .await)?)
}

pub async fn count_users(db: &Db) -> Result<i64, StoreError> {
    Ok(on_db!(db, |p| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM users"
    )
    .fetch_one(p)
    .await)?)
}

pub async fn get_user(db: &Db, id: &str) -> Result<Option<User>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    Ok(on_db!(db, |p| sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(id)
    .fetch_optional(p)
    .await)?)
}

/// [`get_user`], remembered for a moment (see [`units_recent`]).
pub async fn user_recent(store: &Store, id: &str) -> Result<Option<Arc<User>>, StoreError> {
    let memory = &store.memory().users;
    if let Some(u) = memory.get(store, &id.to_owned()) {
        return Ok(u);
    }
    let generation = memory.generation(store);
    let user = get_user(store.db(), id).await?.map(Arc::new);
    memory.put(id.to_owned(), user.clone(), generation);
    Ok(user)
}

pub async fn get_user_by_username(db: &Db, username: &str) -> Result<Option<User>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
    Ok(on_db!(db, |p| sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(username)
    .fetch_optional(p)
    .await)?)
}

pub async fn roles_of(db: &Db, user_id: &str) -> Result<Vec<RoleGrant>, StoreError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as::<_, RoleGrant>(
            "SELECT id, user_id, role, unit_id, created_at FROM role_grants WHERE user_id = $1 ORDER BY role, unit_id",
        )
        .bind(user_id)
        .fetch_all(p)
        .await
    })?)
}

pub async fn all_grants(db: &Db) -> Result<Vec<RoleGrant>, StoreError> {
    Ok(on_db!(db, |p| sqlx::query_as::<_, RoleGrant>(
        "SELECT id, user_id, role, unit_id, created_at FROM role_grants ORDER BY user_id, role"
    )
    .fetch_all(p)
    .await)?)
}

/// A signed-in browser session; the cookie holds the token, the database only its hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub token_hash: String,
    pub user_id: String,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

/// Start a session and record the sign-in on the person's chain.
pub async fn create_session(store: &Store, s: Session, at: DateTime<Utc>, actor: &Actor) -> Result<(), StoreError> {
    let actor = actor.clone();
    store
        .write_on(Topic::Identity, move |tx| {
            Box::pin(async move {
                on_tx!(tx, |c| sqlx::query(
                    "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)"
                )
                .bind(&s.token_hash)
                .bind(&s.user_id)
                .bind(&s.csrf_token)
                .bind(s.created_at)
                .bind(s.last_seen_at)
                .bind(s.expires_at)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
                events::append(
                    tx,
                    NewEvent { aggregate_type: "user", aggregate_id: &s.user_id, expected_seq: None, kind: "user.signed_in", actor: &actor, at, payload: json!({}) },
                )
                .await?;
                Ok(())
            })
        })
        .await
}

pub async fn get_session(db: &Db, token_hash: &str) -> Result<Option<Session>, StoreError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as::<_, Session>(
        "SELECT token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at FROM sessions WHERE token_hash = $1"
    )
    .bind(token_hash)
    .fetch_optional(p)
    .await
    })?)
}

pub async fn touch_session(store: &Store, token_hash: &str, now_us: i64) -> Result<(), StoreError> {
    let t = token_hash.to_owned();
    store
        .write(move |tx| {
            Box::pin(async move {
                on_tx!(tx, |c| sqlx::query(
                    "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1"
                )
                .bind(&t)
                .bind(now_us)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
                Ok(())
            })
        })
        .await
}

/// End a session; records the sign-out when `actor` is given.
pub async fn delete_session(
    store: &Store,
    token_hash: &str,
    signed_out: Option<(Actor, DateTime<Utc>)>,
) -> Result<(), StoreError> {
    let t = token_hash.to_owned();
    store
        .write_on(Topic::Identity, move |tx| {
            Box::pin(async move {
                on_tx!(tx, |c| sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(&t)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected()))?;
                if let Some((actor, at)) = signed_out {
                    let uid = actor.id.clone();
                    events::append(
                        tx,
                        NewEvent {
                            aggregate_type: "user",
                            aggregate_id: &uid,
                            expected_seq: None,
                            kind: "user.signed_out",
                            actor: &actor,
                            at,
                            payload: json!({}),
                        },
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .await
}

/// Remove sessions past their absolute expiry or idle for longer than `idle_us`.
pub async fn purge_sessions(store: &Store, now_us: i64, idle_us: i64) -> Result<(), StoreError> {
    store
        .write_on(Topic::Identity, move |tx| {
            Box::pin(async move {
                on_tx!(tx, |c| sqlx::query(
                    "DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2"
                )
                .bind(now_us)
                .bind(now_us - idle_us)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
                Ok(())
            })
        })
        .await
}

/// A key for a machine client (khóa API). Only a hash of the secret is stored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    /// The public first part of the key, used to find it.
    pub prefix: String,
    #[serde(skip)]
    pub key_hash: String,
    /// Space-separated scopes, e.g. `read write`.
    pub scopes: String,
    pub unit_id: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

const KEY_COLUMNS: &str =
    "id, name, prefix, key_hash, scopes, unit_id, created_by, created_at, revoked_at, last_used_at";

pub async fn create_api_key(
    store: &Store,
    actor: &Actor,
    at: DateTime<Utc>,
    key: ApiKey,
) -> Result<ApiKey, StoreError> {
    if key.name.trim().is_empty() || key.name.chars().count() > 200 {
        return Err(StoreError::rejected("api_key_name_invalid", "name"));
    }
    if let Some(unit) = &key.unit_id {
        get_unit(store.db(), unit)
            .await?
            .ok_or_else(|| StoreError::rejected("unit_unknown", "unit_id"))?;
    }
    let actor = actor.clone();
    let out = key.clone();
    store
        .write_on(Topic::Identity, move |tx| {
            Box::pin(async move {
                on_tx!(tx, |c| sqlx::query(
                    "INSERT INTO api_keys (id, name, prefix, key_hash, scopes, unit_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                )
                .bind(&key.id)
                .bind(&key.name)
                .bind(&key.prefix)
                .bind(&key.key_hash)
                .bind(&key.scopes)
                .bind(&key.unit_id)
                .bind(&key.created_by)
                .bind(key.created_at)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))
                .map_err(StoreError::from_sqlx)?;
                events::append(
                    tx,
                    NewEvent {
                        aggregate_type: "api_key",
                        aggregate_id: &key.id,
                        expected_seq: Some(0),
                        kind: "api_key.created",
                        actor: &actor,
                        at,
                        payload: json!({"name": key.name, "prefix": key.prefix, "scopes": key.scopes, "unit_id": key.unit_id}),
                    },
                )
                .await?;
                Ok(())
            })
        })
        .await?;
    Ok(out)
}

pub async fn revoke_api_key(store: &Store, actor: &Actor, at: DateTime<Utc>, id: &str) -> Result<(), StoreError> {
    let (actor, id) = (actor.clone(), id.to_owned());
    let now = to_us(at);
    store
        .write_on(Topic::Identity, move |tx| {
            Box::pin(async move {
                let n = on_tx!(tx, |c| sqlx::query(
                    "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL"
                )
                .bind(&id)
                .bind(now)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
                if n == 0 {
                    return Err(StoreError::NotFound(format!("active API key {id}")));
                }
                events::append(
                    tx,
                    NewEvent {
                        aggregate_type: "api_key",
                        aggregate_id: &id,
                        expected_seq: None,
                        kind: "api_key.revoked",
                        actor: &actor,
                        at,
                        payload: json!({}),
                    },
                )
                .await?;
                Ok(())
            })
        })
        .await
}

pub async fn list_api_keys(db: &Db) -> Result<Vec<ApiKey>, StoreError> {
    let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys ORDER BY created_at DESC");
    Ok(on_db!(db, |p| sqlx::query_as::<_, ApiKey>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .fetch_all(p)
    .await)?)
}

pub async fn get_api_key_by_prefix(db: &Db, prefix: &str) -> Result<Option<ApiKey>, StoreError> {
    let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE prefix = $1");
    Ok(on_db!(db, |p| sqlx::query_as::<_, ApiKey>(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(prefix)
    .fetch_optional(p)
    .await)?)
}

pub async fn touch_api_key(store: &Store, id: &str, now_us: i64) -> Result<(), StoreError> {
    let id = id.to_owned();
    store
        .write(move |tx| {
            Box::pin(async move {
                on_tx!(tx, |c| sqlx::query(
                    "UPDATE api_keys SET last_used_at = $2 WHERE id = $1"
                )
                .bind(&id)
                .bind(now_us)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
                Ok(())
            })
        })
        .await
}
