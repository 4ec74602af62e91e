//! Interface strings: Vietnamese first, English second. All strings live in `locales/*.toml`
//! (flattened to `section.key`); both files must have the same keys (tested).

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The language of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }
}

pub const VI_SOURCE: &str = include_str!("../locales/vi.toml");
pub const EN_SOURCE: &str = include_str!("../locales/en.toml");

/// Flatten a locale file into `section.key → text`.
pub fn flatten(source: &str) -> Result<BTreeMap<String, String>, String> {
    let table: toml::Table = toml::from_str(source).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    fn walk(prefix: &str, t: &toml::Table, out: &mut BTreeMap<String, String>) -> Result<(), String> {
        for (k, v) in t {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::String(s) => {
                    out.insert(key, s.clone());
                }
                toml::Value::Table(t) => walk(&key, t, out)?,
                _ => return Err(format!("{key}: only strings and tables are allowed")),
            }
        }
        Ok(())
    }
    walk("", &table, &mut out)?;
    Ok(out)
}

struct Locales {
    vi: BTreeMap<String, String>,
    en: BTreeMap<String, String>,
}

fn locales() -> &'static Locales {
    static L: OnceLock<Locales> = OnceLock::new();
    L.get_or_init(|| Locales {
        // The files are part of the binary and checked by tests, so a parse error is a build bug.
        vi: flatten(VI_SOURCE).unwrap_or_default(),
        en: flatten(EN_SOURCE).unwrap_or_default(),
    })
}

/// Look up a string; a missing key shows itself rather than failing the page.
pub fn t(lang: Lang, key: &str) -> &'static str {
    let l = locales();
    let map = match lang {
        Lang::Vi => &l.vi,
        Lang::En => &l.en,
    };
    match map.get(key) {
        Some(s) => s.as_str(),
        None => {
            tracing::warn!(key, "missing locale key");
            "??"
        }
    }
}

/// Look up a string if the key exists.
pub fn try_t(lang: Lang, key: &str) -> Option<&'static str> {
    let l = locales();
    match lang {
        Lang::Vi => l.vi.get(key).map(String::as_str),
        Lang::En => l.en.get(key).map(String::as_str),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_locales_have_the_same_keys() {
        let vi = flatten(VI_SOURCE).unwrap();
        let en = flatten(EN_SOURCE).unwrap();
        let only_vi: Vec<_> = vi.keys().filter(|k| !en.contains_key(*k)).collect();
        let only_en: Vec<_> = en.keys().filter(|k| !vi.contains_key(*k)).collect();
        assert!(
            only_vi.is_empty() && only_en.is_empty(),
            "only in vi: {only_vi:?}; only in en: {only_en:?}"
        );
        assert!(vi.values().all(|v| !v.trim().is_empty()));
        assert!(en.values().all(|v| !v.trim().is_empty()));
    }

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        // Scan the sources for t("...") / ctx.t("...") calls and check each key.
        let vi = flatten(VI_SOURCE).unwrap();
        let dirs = [
            concat!(env!("CARGO_MANIFEST_DIR"), "/templates"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/src"),
        ];
        let mut missing = Vec::new();
        let mut stack: Vec<std::path::PathBuf> = dirs.iter().map(std::path::PathBuf::from).collect();
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                for e in std::fs::read_dir(&p).unwrap() {
                    stack.push(e.unwrap().path());
                }
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            let parts: Vec<&str> = text.split("t(\"").collect();
            for (i, part) in parts.iter().enumerate().skip(1) {
                // Only `t("…")` itself, not `get("…")` or `post("…")`.
                let before = parts[i - 1].chars().last();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let Some(end) = part.find('"') else { continue };
                let key = &part[..end];
                if key.contains('.') && !key.contains(' ') && !key.ends_with('.') && !vi.contains_key(key) {
                    missing.push(format!("{}: {key}", p.display()));
                }
            }
        }
        assert!(missing.is_empty(), "missing locale keys: {missing:?}");
    }
}
