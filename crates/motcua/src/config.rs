//! Configuration: built-in defaults ← optional `motcua.toml` ← `MOTCUA_*` environment variables
//! ← command-line flags. A bad value stops the program with one line naming the key (exit 2).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

/// Every setting, with its default.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    pub sqlite_sync: motcua_store::db::SqliteSync,
    /// See [`motcua_store::db::StoreOptions::sqlite_checkpoint_pages`].
    pub sqlite_checkpoint_pages: u32,
    pub json_limit: usize,
    pub upload_limit: usize,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// The address people use (e.g. `https://motcua.quangtri.gov.vn`); `https` turns on secure
    /// cookies and HSTS.
    pub public_url: Option<String>,
    pub log: String,
    /// Outgoing mail (`smtp_host` and `smtp_from` set): the worker that delivers the outbox's
    /// e-mail runs with `motcua serve`. `None`: messages wait in the outbox.
    pub smtp: Option<crate::mailer::SmtpConfig>,
}

/// A configuration problem: which key, from where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub source: String,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "motcua: cấu hình sai / bad configuration: {}: {}",
            self.source, self.message
        )
    }
}

impl std::error::Error for ConfigError {}

/// The keys, as written in `motcua.toml`; the environment variable is `MOTCUA_<KEY>`.
pub const KEYS: [&str; 18] = [
    "listen",
    "database_url",
    "sqlite_sync",
    "sqlite_checkpoint_pages",
    "json_limit_bytes",
    "upload_limit_bytes",
    "session_idle_minutes",
    "session_absolute_hours",
    "public_url",
    "log",
    "smtp_host",
    "smtp_port",
    "smtp_from",
    "smtp_username",
    "smtp_password",
    "smtp_timeout_seconds",
    "smtp_max_attempts",
    "smtp_retry_seconds",
];

pub const DEFAULT_DATABASE_URL: &str = "sqlite://./data/motcua.db";

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: DEFAULT_DATABASE_URL.into(),
            sqlite_sync: motcua_store::db::SqliteSync::Full,
            sqlite_checkpoint_pages: motcua_store::db::DEFAULT_CHECKPOINT_PAGES,
            json_limit: 1 << 20,
            upload_limit: 20 << 20,
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            public_url: None,
            log: "info".into(),
            smtp: None,
        }
    }
}

/// Raw values with where each came from.
pub type Layer = BTreeMap<String, (String, String)>;

/// Read `motcua.toml` (or the given file) if present.
pub fn file_layer(path: &Path, required: bool) -> Result<Layer, ConfigError> {
    let mut out = Layer::new();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(_) if !required => return Ok(out),
        Err(e) => {
            return Err(ConfigError {
                source: path.display().to_string(),
                message: e.to_string(),
            });
        }
    };
    let table: toml::Table = toml::from_str(&text).map_err(|e| ConfigError {
        source: path.display().to_string(),
        message: e.to_string(),
    })?;
    for (k, v) in table {
        if !KEYS.contains(&k.as_str()) {
            return Err(ConfigError {
                source: format!("{}: {k}", path.display()),
                message: "unknown key".into(),
            });
        }
        let s = match v {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Float(f) => f.to_string(),
            _ => {
                return Err(ConfigError {
                    source: format!("{}: {k}", path.display()),
                    message: "must be a string or a number".into(),
                });
            }
        };
        out.insert(k.clone(), (s, format!("{}: {k}", path.display())));
    }
    Ok(out)
}

/// `MOTCUA_*` variables from the given environment.
pub fn env_layer(vars: impl IntoIterator<Item = (String, String)>) -> Layer {
    let mut out = Layer::new();
    for (k, v) in vars {
        if let Some(key) = k.strip_prefix("MOTCUA_") {
            let key = key.to_lowercase();
            if KEYS.contains(&key.as_str()) {
                out.insert(key, (v, k.clone()));
            }
        }
    }
    out
}

fn parse_num(v: &str, src: &str, min: u64, max: u64) -> Result<u64, ConfigError> {
    let n: u64 = v.trim().parse().map_err(|_| ConfigError {
        source: src.into(),
        message: format!("{v:?} is not a whole number"),
    })?;
    if !(min..=max).contains(&n) {
        return Err(ConfigError {
            source: src.into(),
            message: format!("{n} is outside {min}..={max}"),
        });
    }
    Ok(n)
}

/// Apply the layers in order (later wins) over the defaults.
pub fn resolve(layers: &[Layer]) -> Result<Config, ConfigError> {
    let mut merged = Layer::new();
    for l in layers {
        for (k, v) in l {
            merged.insert(k.clone(), v.clone());
        }
    }
    let mut c = Config::default();
    let mut smtp = crate::mailer::SmtpConfig::new("", "");
    for (k, (v, src)) in &merged {
        match k.as_str() {
            "listen" => {
                c.listen = v.trim().parse().map_err(|_| ConfigError {
                    source: src.clone(),
                    message: format!("{v:?} is not an address:port such as 127.0.0.1:8080"),
                })?
            }
            "database_url" => {
                if motcua_store::DbKind::of_url(v.trim()).is_none() {
                    return Err(ConfigError {
                        source: src.clone(),
                        message: format!("{v:?} must start with sqlite:// or postgres://"),
                    });
                }
                c.database_url = v.trim().to_owned();
            }
            "sqlite_sync" => {
                c.sqlite_sync = match v.trim().to_lowercase().as_str() {
                    "full" => motcua_store::db::SqliteSync::Full,
                    "normal" => motcua_store::db::SqliteSync::Normal,
                    _ => {
                        return Err(ConfigError {
                            source: src.clone(),
                            message: format!("{v:?} must be full or normal"),
                        });
                    }
                }
            }
            "sqlite_checkpoint_pages" => c.sqlite_checkpoint_pages = parse_num(v, src, 100, 1_000_000)? as u32,
            "json_limit_bytes" => c.json_limit = parse_num(v, src, 1024, 1 << 30)? as usize,
            "upload_limit_bytes" => c.upload_limit = parse_num(v, src, 1024, 1 << 32)? as usize,
            "session_idle_minutes" => c.session_idle = Duration::from_secs(parse_num(v, src, 1, 24 * 60)? * 60),
            "session_absolute_hours" => c.session_absolute = Duration::from_secs(parse_num(v, src, 1, 24 * 30)? * 3600),
            "public_url" => {
                let u = v.trim();
                if !(u.starts_with("http://") || u.starts_with("https://")) {
                    return Err(ConfigError {
                        source: src.clone(),
                        message: format!("{v:?} must start with http:// or https://"),
                    });
                }
                c.public_url = Some(u.trim_end_matches('/').to_owned());
            }
            "log" => c.log = v.clone(),
            "smtp_host" => smtp.host = v.trim().to_owned(),
            "smtp_port" => smtp.port = parse_num(v, src, 1, 65535)? as u16,
            "smtp_from" => {
                if !crate::mailer::address_ok(v.trim()) {
                    return Err(ConfigError {
                        source: src.clone(),
                        message: format!("{v:?} is not an e-mail address such as motcua@quangtri.gov.vn"),
                    });
                }
                smtp.from = v.trim().to_owned();
            }
            "smtp_username" => smtp.username = Some(v.clone()).filter(|u| !u.is_empty()),
            "smtp_password" => smtp.password = Some(v.clone()).filter(|p| !p.is_empty()),
            "smtp_timeout_seconds" => smtp.timeout = Duration::from_secs(parse_num(v, src, 1, 600)?),
            "smtp_max_attempts" => smtp.max_attempts = parse_num(v, src, 1, 100)? as u32,
            "smtp_retry_seconds" => smtp.retry_base = Duration::from_secs(parse_num(v, src, 1, 24 * 3600)?),
            _ => {}
        }
    }
    let source = |k: &str| merged.get(k).map(|(_, s)| s.clone()).unwrap_or_else(|| k.to_owned());
    match (smtp.host.is_empty(), smtp.from.is_empty()) {
        (true, true) => {
            if let Some(k) = ["smtp_username", "smtp_password"]
                .iter()
                .find(|k| merged.contains_key(**k))
            {
                return Err(ConfigError {
                    source: source(k),
                    message: "set smtp_host and smtp_from too".into(),
                });
            }
        }
        (false, true) => {
            return Err(ConfigError {
                source: source("smtp_host"),
                message: "smtp_from (the sender address) is required with smtp_host".into(),
            });
        }
        (true, false) => {
            return Err(ConfigError {
                source: source("smtp_from"),
                message: "smtp_host (the mail server) is required with smtp_from".into(),
            });
        }
        (false, false) => {
            if smtp.password.is_some() && smtp.username.is_none() {
                return Err(ConfigError {
                    source: source("smtp_password"),
                    message: "smtp_username is required with smtp_password".into(),
                });
            }
            c.smtp = Some(smtp);
        }
    }
    Ok(c)
}

impl Config {
    pub fn web(&self) -> motcua_web::WebConfig {
        motcua_web::WebConfig {
            json_limit: self.json_limit,
            upload_limit: self.upload_limit,
            session_idle: self.session_idle,
            session_absolute: self.session_absolute,
            secure: self.public_url.as_deref().is_some_and(|u| u.starts_with("https://")),
            smtp_configured: self.smtp.is_some(),
            ..Default::default()
        }
    }

    pub fn store(&self) -> motcua_store::db::StoreOptions {
        let mut o = motcua_store::db::StoreOptions::new(self.database_url.clone());
        o.sqlite_sync = self.sqlite_sync;
        o.sqlite_checkpoint_pages = self.sqlite_checkpoint_pages;
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(pairs: &[(&str, &str)]) -> Layer {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), (v.to_string(), format!("test {k}"))))
            .collect()
    }

    #[test]
    fn defaults_when_nothing_is_set() {
        let c = resolve(&[]).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_url, "sqlite://./data/motcua.db");
    }

    #[test]
    fn later_layers_win() {
        let c = resolve(&[
            layer(&[("listen", "0.0.0.0:9000")]),
            layer(&[("listen", "127.0.0.1:9001")]),
        ])
        .unwrap();
        assert_eq!(c.listen.port(), 9001);
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = resolve(&[layer(&[("listen", "nowhere")])]).unwrap_err();
        assert_eq!(e.source, "test listen");
        let e = resolve(&[layer(&[("database_url", "mysql://x")])]).unwrap_err();
        assert!(e.to_string().contains("database_url"));
        assert!(resolve(&[layer(&[("json_limit_bytes", "-1")])]).is_err());
    }

    #[test]
    fn the_sqlite_checkpoint_interval_reaches_the_store() {
        assert_eq!(resolve(&[]).unwrap().store().sqlite_checkpoint_pages, 4_000);
        let c = resolve(&[layer(&[("sqlite_checkpoint_pages", "1000")])]).unwrap();
        assert_eq!(c.store().sqlite_checkpoint_pages, 1_000);
        let e = resolve(&[layer(&[("sqlite_checkpoint_pages", "5")])]).unwrap_err();
        assert_eq!(e.source, "test sqlite_checkpoint_pages");
    }

    #[test]
    fn smtp_needs_host_and_sender_together() {
        assert_eq!(resolve(&[]).unwrap().smtp, None);
        let c = resolve(&[layer(&[
            ("smtp_host", "127.0.0.1"),
            ("smtp_port", "2525"),
            ("smtp_from", "motcua@quangtri.gov.vn"),
            ("smtp_timeout_seconds", "5"),
            ("smtp_max_attempts", "3"),
            ("smtp_retry_seconds", "30"),
        ])])
        .unwrap();
        let s = c.smtp.unwrap();
        assert_eq!((s.host.as_str(), s.port, s.max_attempts), ("127.0.0.1", 2525, 3));
        assert_eq!(s.timeout, Duration::from_secs(5));
        assert_eq!(s.retry_base, Duration::from_secs(30));
        let e = resolve(&[layer(&[("smtp_host", "mail")])]).unwrap_err();
        assert_eq!(e.source, "test smtp_host");
        let e = resolve(&[layer(&[("smtp_host", "mail"), ("smtp_from", "not an address")])]).unwrap_err();
        assert_eq!(e.source, "test smtp_from");
        let e = resolve(&[layer(&[("smtp_password", "x")])]).unwrap_err();
        assert_eq!(e.source, "test smtp_password");
        assert!(resolve(&[layer(&[("smtp_port", "70000")])]).is_err());
        let shown = format!(
            "{:?}",
            resolve(&[layer(&[
                ("smtp_host", "mail"),
                ("smtp_from", "a@b.vn"),
                ("smtp_username", "u"),
                ("smtp_password", "hunter2"),
            ])])
            .unwrap()
        );
        assert!(!shown.contains("hunter2"), "the password is never printed: {shown}");
    }

    #[test]
    fn env_layer_reads_only_known_keys() {
        let l = env_layer(vec![
            ("MOTCUA_LISTEN".into(), "1.2.3.4:5".into()),
            ("MOTCUA_NOPE".into(), "x".into()),
            ("PATH".into(), "/".into()),
        ]);
        assert_eq!(l.len(), 1);
        assert_eq!(l["listen"].1, "MOTCUA_LISTEN");
    }
}
