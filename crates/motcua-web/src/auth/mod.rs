//! Who is calling and what they may do.
//!
//! Every route is registered with an [`Access`] policy (see `routes.rs`); there is no other way to
//! add a route, so a route without a policy cannot exist (deny by default).

pub mod csrf;
pub mod limiter;
pub mod password;
pub mod principal;

pub use principal::{Principal, PrincipalKind};

use motcua_core::identity::Role;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in person (browser session or API key's owner unit is not enough: session only).
    SignedIn,
    /// People holding one of these roles (in any unit); API keys holding `api_scope`, if set.
    Roles {
        roles: &'static [Role],
        api_scope: Option<&'static str>,
    },
}

impl Access {
    pub const fn roles(roles: &'static [Role]) -> Access {
        Access::Roles { roles, api_scope: None }
    }
    pub const fn roles_or_key(roles: &'static [Role], scope: &'static str) -> Access {
        Access::Roles {
            roles,
            api_scope: Some(scope),
        }
    }

    /// Words for the route table and the API docs.
    pub fn describe(&self) -> String {
        match self {
            Access::Public => "public".into(),
            Access::SignedIn => "signed_in".into(),
            Access::Roles { roles, api_scope } => {
                let mut s: Vec<String> = roles.iter().map(|r| r.as_str().to_owned()).collect();
                if let Some(sc) = api_scope {
                    s.push(format!("api_key:{sc}"));
                }
                s.join(", ")
            }
        }
    }
}

/// Why a call was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    NotSignedIn,
    Forbidden,
    MustChangePassword,
}

/// The access decision, a pure function of the policy and the caller.
pub fn decide(access: Access, who: Option<&Principal>, path: &str) -> Result<(), Denied> {
    if let Some(p) = who
        && p.must_change_password()
        && !matches!(access, Access::Public)
        && !ALLOWED_BEFORE_PASSWORD_CHANGE.contains(&path)
    {
        return Err(Denied::MustChangePassword);
    }
    match access {
        Access::Public => Ok(()),
        Access::SignedIn => match who {
            Some(p) if matches!(p.kind, PrincipalKind::Session { .. }) => Ok(()),
            Some(_) => Err(Denied::Forbidden),
            None => Err(Denied::NotSignedIn),
        },
        Access::Roles { roles, api_scope } => match who {
            None => Err(Denied::NotSignedIn),
            Some(p) => match &p.kind {
                PrincipalKind::Session { .. } => {
                    if p.roles.iter().any(|(r, _)| roles.contains(r)) {
                        Ok(())
                    } else {
                        Err(Denied::Forbidden)
                    }
                }
                PrincipalKind::ApiKey { scopes, .. } => match api_scope {
                    Some(sc) if scopes.iter().any(|s| s == sc) => Ok(()),
                    _ => Err(Denied::Forbidden),
                },
            },
        },
    }
}

/// Paths a person who must change their password may still use.
pub const ALLOWED_BEFORE_PASSWORD_CHANGE: [&str; 4] = ["/account", "/account/password", "/logout", "/lang/{lang}"];

#[cfg(test)]
mod tests {
    use super::*;

    fn session(roles: &[Role]) -> Principal {
        Principal {
            user_id: "u".into(),
            username: "u".into(),
            full_name: "U".into(),
            roles: roles.iter().map(|r| (*r, None)).collect(),
            kind: PrincipalKind::Session {
                token_hash: "h".into(),
                csrf: "c".into(),
                must_change_password: false,
            },
        }
    }

    #[test]
    fn deny_by_default_for_roles() {
        const ADMIN: &[Role] = &[Role::Admin];
        let a = Access::roles(ADMIN);
        assert_eq!(decide(a, None, "/x"), Err(Denied::NotSignedIn));
        assert_eq!(decide(a, Some(&session(&[Role::Clerk])), "/x"), Err(Denied::Forbidden));
        assert_eq!(decide(a, Some(&session(&[Role::Admin])), "/x"), Ok(()));
    }

    #[test]
    fn api_keys_need_the_scope() {
        const ADMIN: &[Role] = &[Role::Admin];
        let key = |s: &[&str]| Principal {
            user_id: "k".into(),
            username: "k".into(),
            full_name: "k".into(),
            roles: vec![],
            kind: PrincipalKind::ApiKey {
                key_id: "k".into(),
                scopes: s.iter().map(|x| x.to_string()).collect(),
            },
        };
        assert_eq!(
            decide(Access::roles(ADMIN), Some(&key(&["read", "write"])), "/x"),
            Err(Denied::Forbidden)
        );
        assert_eq!(
            decide(Access::roles_or_key(ADMIN, "read"), Some(&key(&["read"])), "/x"),
            Ok(())
        );
        assert_eq!(
            decide(Access::roles_or_key(ADMIN, "write"), Some(&key(&["read"])), "/x"),
            Err(Denied::Forbidden)
        );
        assert_eq!(
            decide(Access::SignedIn, Some(&key(&["read"])), "/x"),
            Err(Denied::Forbidden)
        );
    }

    #[test]
    fn must_change_password_blocks_everything_but_the_account() {
        let mut p = session(&[Role::Admin]);
        p.kind = PrincipalKind::Session {
            token_hash: "h".into(),
            csrf: "c".into(),
            must_change_password: true,
        };
        const ADMIN: &[Role] = &[Role::Admin];
        assert_eq!(
            decide(Access::roles(ADMIN), Some(&p), "/admin/units"),
            Err(Denied::MustChangePassword)
        );
        assert_eq!(decide(Access::SignedIn, Some(&p), "/account/password"), Ok(()));
        assert_eq!(decide(Access::Public, Some(&p), "/"), Ok(()));
    }
}
