//! The caller, resolved once per request from the session cookie or the API key.

use motcua_core::identity::Role;
use motcua_store::events::Actor;

#[derive(Debug, Clone)]
pub enum PrincipalKind {
    /// A browser session; `csrf` is the session's synchronizer token.
    Session {
        token_hash: String,
        csrf: String,
        must_change_password: bool,
    },
    /// A machine client.
    ApiKey { key_id: String, scopes: Vec<String> },
}

/// A signed-in person or a machine client.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: String,
    pub username: String,
    pub full_name: String,
    /// Roles with the unit they hold them in (`None` = every unit).
    pub roles: Vec<(Role, Option<String>)>,
    pub kind: PrincipalKind,
}

impl Principal {
    pub fn has_role(&self, r: Role) -> bool {
        self.roles.iter().any(|(x, _)| *x == r)
    }

    pub fn must_change_password(&self) -> bool {
        matches!(
            self.kind,
            PrincipalKind::Session {
                must_change_password: true,
                ..
            }
        )
    }

    pub fn csrf(&self) -> Option<&str> {
        match &self.kind {
            PrincipalKind::Session { csrf, .. } => Some(csrf),
            PrincipalKind::ApiKey { .. } => None,
        }
    }

    /// The actor recorded on events: the most privileged role held, and its unit.
    pub fn actor(&self) -> Actor {
        let best = self.roles.iter().max_by_key(|(r, _)| *r);
        match &self.kind {
            PrincipalKind::ApiKey { key_id, .. } => Actor {
                id: format!("api_key:{key_id}"),
                role: "api_key".into(),
                unit: String::new(),
            },
            PrincipalKind::Session { .. } => Actor {
                id: self.user_id.clone(),
                role: best.map(|(r, _)| r.as_str().to_owned()).unwrap_or_default(),
                unit: best.and_then(|(_, u)| u.clone()).unwrap_or_default(),
            },
        }
    }
}
