//! One generic file store (kho tệp): scans of dossier components, result documents, any upload.
//!
//! Bytes live in the `files` table (BLOB / BYTEA) with their SHA-256, size, declared name and
//! the content type **read from their first bytes** — what the client claims is ignored
//! (issue 5 "Bad input and faults": PDF, JPEG, PNG, DOCX, XLSX only, size-limited). Storing a
//! file is an event `file.stored` on aggregate `file`/<id> (metadata only, never the bytes).
//! Files are never changed; a new upload is a new file.

use crate::db::{Db, Store};
use crate::error::StoreError;
use crate::events::{self, Actor, NewEvent};
use crate::time::to_us;
use crate::{on_db, on_tx};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

pub const AGGREGATE_TYPE: &str = "file";

/// Largest file accepted, in bytes (20 MiB).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// The content types accepted, as sniffed from the first bytes.
pub const PDF: &str = "application/pdf";
pub const JPEG: &str = "image/jpeg";
pub const PNG: &str = "image/png";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The content type of `bytes` judged by their signature (magic bytes), or `None` when it is
/// not one of PDF, JPEG, PNG, DOCX, XLSX. A DOCX and an XLSX are both ZIP archives; they are
/// told apart by their part names (`word/…`, `xl/…`), which a ZIP stores in clear text.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        return Some(PDF);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(JPEG);
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some(PNG);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        if has(b"[Content_Types].xml") {
            if has(b"word/") {
                return Some(DOCX);
            }
            if has(b"xl/") {
                return Some(XLSX);
            }
        }
    }
    None
}

/// A file to store.
#[derive(Debug, Clone)]
pub struct NewFile {
    /// File name as uploaded (kept for downloads; never used as a path).
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A stored file without its bytes.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct FileMeta {
    pub id: String,
    pub sha256: String,
    pub content_type: String,
    pub size: i64,
    pub name: String,
    pub created_at: i64,
    pub created_by: String,
}

/// A stored file with its bytes.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredFile {
    pub id: String,
    pub sha256: String,
    pub content_type: String,
    pub size: i64,
    pub name: String,
    pub bytes: Vec<u8>,
    pub created_at: i64,
    pub created_by: String,
}

fn clean_name(name: &str) -> String {
    // Keep the last path segment only, without control characters, at most 255 characters.
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let s: String = last.chars().filter(|c| !c.is_control()).take(255).collect();
    let s = s.trim().to_owned();
    if s.is_empty() { "tep".into() } else { s }
}

/// Store a file. Rejected: `file_empty`, `file_too_large`, `file_type_not_allowed`.
pub async fn put(store: &Store, actor: &Actor, at: DateTime<Utc>, f: NewFile) -> Result<FileMeta, StoreError> {
    if f.bytes.is_empty() {
        return Err(StoreError::rejected("file_empty", "the file is empty"));
    }
    if f.bytes.len() > MAX_FILE_BYTES {
        return Err(StoreError::rejected(
            "file_too_large",
            format!("{} bytes; at most {MAX_FILE_BYTES}", f.bytes.len()),
        ));
    }
    let content_type = sniff(&f.bytes).ok_or_else(|| {
        StoreError::rejected(
            "file_type_not_allowed",
            "only PDF, JPEG, PNG, DOCX and XLSX files are accepted",
        )
    })?;
    let meta = FileMeta {
        id: uuid::Uuid::new_v4().to_string(),
        sha256: hex::encode(Sha256::digest(&f.bytes)),
        content_type: content_type.to_owned(),
        size: f.bytes.len() as i64,
        name: clean_name(&f.name),
        created_at: to_us(at),
        created_by: actor.id.clone(),
    };
    let out = meta.clone();
    let actor = actor.clone();
    let bytes = f.bytes;
    store
        .write(move |tx| {
            Box::pin(async move {
                events::append(
                    tx,
                    NewEvent {
                        aggregate_type: AGGREGATE_TYPE,
                        aggregate_id: &meta.id,
                        expected_seq: Some(0),
                        kind: "file.stored",
                        actor: &actor,
                        at,
                        payload: json!({
                            "sha256": meta.sha256,
                            "content_type": meta.content_type,
                            "size": meta.size,
                            "name": meta.name,
                        }),
                    },
                )
                .await?;
                on_tx!(tx, |c| sqlx::query(
                    "INSERT INTO files (id, sha256, content_type, size, name, bytes, created_at, created_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                )
                .bind(&meta.id)
                .bind(&meta.sha256)
                .bind(&meta.content_type)
                .bind(meta.size)
                .bind(&meta.name)
                .bind(&bytes)
                .bind(meta.created_at)
                .bind(&meta.created_by)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
                Ok(())
            })
        })
        .await?;
    Ok(out)
}

/// A file's metadata.
pub async fn meta(db: &Db, id: &str) -> Result<Option<FileMeta>, StoreError> {
    Ok(on_db!(db, |p| sqlx::query_as::<_, FileMeta>(
        "SELECT id, sha256, content_type, size, name, created_at, created_by FROM files WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(p)
    .await)?)
}

/// A file with its bytes.
pub async fn get(db: &Db, id: &str) -> Result<Option<StoredFile>, StoreError> {
    Ok(on_db!(db, |p| sqlx::query_as::<_, StoredFile>(
        "SELECT id, sha256, content_type, size, name, bytes, created_at, created_by FROM files WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(p)
    .await)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_allowed_types_from_first_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(PDF));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(JPEG));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(PNG));
        assert_eq!(
            sniff(b"PK\x03\x04....[Content_Types].xml....word/document.xml"),
            Some(DOCX)
        );
        assert_eq!(
            sniff(b"PK\x03\x04....[Content_Types].xml....xl/workbook.xml"),
            Some(XLSX)
        );
        assert_eq!(sniff(b"PK\x03\x04 a plain zip"), None);
        assert_eq!(sniff(b"MZ\x90\x00 an executable"), None);
        assert_eq!(sniff(b"<html>"), None);
    }

    #[test]
    fn names_lose_their_paths() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\scan\\don.pdf"), "don.pdf");
        assert_eq!(clean_name("  "), "tep");
    }
}
