//! Form input of the dossier pages: URL-encoded forms and `multipart/form-data` (scans and result
//! documents), both checked against the form token. The body is read up to the upload limit,
//! not the JSON limit, because scans are large.

use crate::AppState;
use crate::auth::csrf::FIELD as CSRF_FIELD;
use crate::extract::ReqCtx;
use crate::pages::HtmlError;
use crate::problem::ApiError;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};

/// One uploaded file of a multipart form.
#[derive(Debug, Clone)]
pub struct Upload {
    pub field: String,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The fields and files of a submitted form.
#[derive(Debug, Clone, Default)]
pub struct FormInput {
    pub fields: Vec<(String, String)>,
    pub files: Vec<Upload>,
}

impl FormInput {
    /// The first value of a field, trimmed ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }

    /// The value of a field, `None` when absent or blank.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name)).filter(|v| !v.is_empty()).map(str::to_owned)
    }

    /// Whether a checkbox was ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.fields.iter().any(|(k, v)| k == name && !v.is_empty())
    }

    /// A non-empty uploaded file of this field.
    pub fn file(&self, field: &str) -> Option<&Upload> {
        self.files.iter().find(|f| f.field == field && !f.bytes.is_empty())
    }
}

fn bad(code: &str) -> HtmlError {
    HtmlError(ApiError::new(StatusCode::BAD_REQUEST, code))
}

impl FromRequest<AppState> for FormInput {
    type Rejection = HtmlError;
    async fn from_request(req: Request, st: &AppState) -> Result<Self, Self::Rejection> {
        let ctx = req
            .extensions()
            .get::<ReqCtx>()
            .cloned()
            .ok_or_else(|| HtmlError(ApiError::internal()))?;
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        // Room for the form fields and the multipart framing around the largest upload.
        let limit = st.config.upload_limit.saturating_add(256 * 1024);
        let bytes = axum::body::to_bytes(req.into_body(), limit)
            .await
            .map_err(|_| HtmlError(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")))?;
        let input = if content_type.starts_with("multipart/form-data") {
            let boundary = content_type
                .split(';')
                .filter_map(|p| p.trim().strip_prefix("boundary="))
                .next()
                .map(|b| b.trim_matches('"').to_owned())
                .ok_or_else(|| bad("invalid_form"))?;
            parse_multipart(&bytes, &boundary).ok_or_else(|| bad("invalid_form"))?
        } else {
            let fields: Vec<(String, String)> =
                serde_urlencoded::from_bytes(&bytes).map_err(|_| bad("invalid_form"))?;
            FormInput { fields, files: vec![] }
        };
        let sent = input.get(CSRF_FIELD);
        let expected = ctx.csrf_token();
        if expected.is_empty() || !crate::auth::password::ct_eq(sent, expected) {
            return Err(HtmlError(ApiError::new(StatusCode::FORBIDDEN, "csrf")));
        }
        Ok(input)
    }
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The value of `key="…"` in a Content-Disposition header.
fn disposition_param(header: &str, key: &str) -> Option<String> {
    let pat = format!("{key}=\"");
    let start = header
        .match_indices(&pat)
        .find(|(i, _)| *i == 0 || matches!(header.as_bytes()[i - 1], b' ' | b';'))?
        .0
        + pat.len();
    let end = header[start..].find('"')? + start;
    Some(header[start..end].to_owned())
}

/// Parse a `multipart/form-data` body (RFC 7578): parts with a name are fields, parts with a
/// file name are uploads. `None` when the framing is broken.
pub fn parse_multipart(body: &[u8], boundary: &str) -> Option<FormInput> {
    let delim = format!("--{boundary}");
    let mut out = FormInput::default();
    let mut pos = find(body, delim.as_bytes(), 0)? + delim.len();
    loop {
        if body[pos..].starts_with(b"--") {
            return Some(out);
        }
        // Skip the CRLF after the delimiter.
        pos = find(body, b"\r\n", pos)? + 2;
        let head_end = find(body, b"\r\n\r\n", pos)?;
        let head = std::str::from_utf8(&body[pos..head_end]).ok()?;
        let content_start = head_end + 4;
        let next = find(body, format!("\r\n{delim}").as_bytes(), content_start)?;
        let content = &body[content_start..next];
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
        let name = disposition_param(disposition, "name")?;
        match disposition_param(disposition, "filename") {
            Some(file_name) => out.files.push(Upload {
                field: name,
                name: file_name,
                bytes: content.to_vec(),
            }),
            None => out.fields.push((name, String::from_utf8_lossy(content).into_owned())),
        }
        pos = next + 2 + delim.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_fields_and_files_are_read() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok\r\n--XyZ\r\n\
Content-Disposition: form-data; name=\"scan_0\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\nx\r\n--XyZ\r\n\
Content-Disposition: form-data; name=\"full_name\"\r\n\r\nNguy\xe1\xbb\x85n V\xc4\x83n A\r\n--XyZ--\r\n";
        let f = parse_multipart(body, "XyZ").unwrap();
        assert_eq!(f.get("_csrf"), "tok");
        assert_eq!(f.get("full_name"), "Nguyễn Văn A");
        let up = f.file("scan_0").unwrap();
        assert_eq!(up.name, "a.pdf");
        assert_eq!(up.bytes, b"%PDF-1.4\r\nx");
        assert!(parse_multipart(b"--XyZ\r\nbroken", "XyZ").is_none());
    }
}
