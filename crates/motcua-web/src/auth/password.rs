//! Argon2id password hashes and random tokens.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};

/// Random bytes as lowercase hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // The OS random source failing is unrecoverable for security; fall back to nothing weaker.
    getrandom::fill(&mut buf).expect("operating system random source");
    hex::encode(buf)
}

/// A readable one-time password: 4 groups of 4 characters without look-alikes.
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut buf = [0u8; 16];
    getrandom::fill(&mut buf).expect("operating system random source");
    let chars: Vec<char> = buf
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

pub fn hash_password(pw: &str) -> String {
    // The salt comes from the operating system's random source inside argon2.
    Argon2::default()
        .hash_password(pw.as_bytes())
        .map(|h| h.to_string())
        .unwrap_or_default()
}

pub fn verify_password(pw: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(h) => Argon2::default().verify_password(pw.as_bytes(), &h).is_ok(),
        Err(_) => false,
    }
}

/// Spend the time of one verification, so a wrong username answers as slowly as a wrong password.
pub fn burn_verification() {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let h = DUMMY.get_or_init(|| hash_password("motcua-dummy-password"));
    let _ = verify_password("not-the-password", h);
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Constant-time comparison of two equal-length hex strings.
pub fn ct_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new API key: the stored record and the full secret to show once (`mck_<prefix>_<secret>`).
pub fn new_api_key(
    name: &str,
    scopes: &[&str],
    unit_id: Option<String>,
    created_by: &str,
    now_us: i64,
) -> (motcua_store::identity::ApiKey, String) {
    let prefix = random_hex(6);
    let secret = random_hex(20);
    let key = motcua_store::identity::ApiKey {
        id: uuid_like(),
        name: name.trim().to_owned(),
        prefix: prefix.clone(),
        key_hash: sha256_hex(&secret),
        scopes: scopes.join(" "),
        unit_id,
        created_by: created_by.to_owned(),
        created_at: now_us,
        revoked_at: None,
        last_used_at: None,
    };
    (key, format!("mck_{prefix}_{secret}"))
}

/// A random identifier in UUID text form.
pub fn uuid_like() -> String {
    let h = random_hex(16);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// The scopes an API key may hold.
/// `dossiers:read` and `dossiers:write` are for the dossier API (a portal sending channel-2
/// dossiers); `read` and `write` for the rest.
pub const API_SCOPES: [&str; 4] = ["read", "write", "dossiers:read", "dossiers:write"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn otp_shape() {
        let p = one_time_password();
        assert_eq!(p.len(), 19);
        assert_ne!(p, one_time_password());
    }
}
