//! Errors at the edge: one type, mapped once to RFC 9457 problems (API) or an error page (HTML),
//! always with a stable machine-readable `code` and Vietnamese and English messages.

use crate::i18n::{Lang, try_t};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_store::StoreError;
use serde::Serialize;

/// An error answered to a client.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable code, also the locale key `error.<code>`.
    pub code: String,
    /// Extra detail (e.g. the field or the parser's words), not translated.
    pub detail: Option<String>,
    /// The input field at fault, when there is one.
    pub field: Option<String>,
    /// Every problem found, when a whole record was checked (e.g. a procedure version).
    pub errors: Vec<FieldProblem>,
}

/// One problem of a checked record, with its field path.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    /// Field path, e.g. `channels[0].workflow`.
    pub path: String,
    /// Stable machine-readable code.
    pub code: String,
    /// `error` or `warning`.
    pub severity: String,
    pub message_vi: String,
    pub message_en: String,
}

impl From<&motcua_core::catalog::Problem> for FieldProblem {
    fn from(p: &motcua_core::catalog::Problem) -> Self {
        FieldProblem {
            path: p.path.clone(),
            code: p.code.clone(),
            severity: if p.is_error() { "error" } else { "warning" }.into(),
            message_vi: p.message_vi.clone(),
            message_en: p.message_en.clone(),
        }
    }
}

/// The RFC 9457 body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `urn:motcua:problem:<code>`
    #[serde(rename = "type")]
    pub type_: String,
    /// The Vietnamese message.
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine-readable code.
    pub code: String,
    pub message_vi: String,
    pub message_en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem found when a whole record was checked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.into(),
            detail: None,
            field: None,
            errors: Vec::new(),
        }
    }
    pub fn with_detail(mut self, d: impl Into<String>) -> Self {
        self.detail = Some(d.into());
        self
    }
    pub fn with_field(mut self, f: impl Into<String>) -> Self {
        self.field = Some(f.into());
        self
    }
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found").with_detail(what)
    }
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden")
    }
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized")
    }
    pub fn unprocessable(code: &str, field: &str) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code).with_field(field)
    }
    /// 422 listing every problem of a checked record; the first one names the field.
    pub fn invalid_record(code: &str, problems: &[motcua_core::catalog::Problem]) -> Self {
        let mut e = Self::new(StatusCode::UNPROCESSABLE_ENTITY, code);
        e.field = problems.iter().find(|p| p.is_error()).map(|p| p.path.clone());
        e.errors = problems.iter().map(FieldProblem::from).collect();
        e
    }
    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal")
    }

    pub fn message(&self, lang: Lang) -> String {
        try_t(lang, &format!("error.{}", self.code))
            .map(str::to_owned)
            .unwrap_or_else(|| match lang {
                Lang::Vi => format!("Lỗi: {}", self.code),
                Lang::En => format!("Error: {}", self.code),
            })
    }

    pub fn problem(&self) -> Problem {
        Problem {
            type_: format!("urn:motcua:problem:{}", self.code),
            title: self.message(Lang::Vi),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.clone(),
            message_vi: self.message(Lang::Vi),
            message_en: self.message(Lang::En),
            field: self.field.clone(),
            errors: self.errors.clone(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(code = %self.code, detail = ?self.detail, "request failed");
        }
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        (self.status, [(header::CONTENT_TYPE, "application/problem+json")], body).into_response()
    }
}

/// Codes of the dossier state machine that mean "not in this state" rather than bad input: the
/// dossier must change before the command can succeed (409).
pub const STATE_CODES: &[&str] = &[
    "illegal_transition",
    "already_evaluated",
    "apology_already_issued",
    "time_before_last_event",
    "payment_not_due",
    "payment_completed",
];

/// Store rejections whose message is a Vietnamese sentence (from `motcua_core::dossiers` and the
/// file store), answered as the problem's `detail`; other rejections name a field.
pub const SENTENCE_CODES: &[&str] = &[
    "quantity_invalid",
    "appointment_not_later",
    "repeat_supplement_needs_reason",
    "repeat_guidance_needs_reason",
    "field_required",
    "dossier_code_invalid",
    "sequence_out_of_range",
    "channel_not_offered",
    "variant_unknown",
    "no_time_limit",
    "clock_paused",
    "step_out_of_range",
    "missing_components",
    "component_unknown",
    "component_duplicate",
    "supplement_empty",
    "supplement_reason_empty",
    "other_item_name_empty",
    "other_item_needs_justification",
    "score_out_of_range",
    "applicant_invalid",
    "file_unknown",
    "receive_through_intake",
    "file_empty",
    "file_too_large",
    "file_type_not_allowed",
];

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(d) => ApiError::new(StatusCode::CONFLICT, "conflict").with_detail(d),
            StoreError::NotFound(d) => ApiError::not_found(d),
            // The dossier state machine: the command does not fit the dossier's state (409).
            StoreError::Rejected { code, message } if STATE_CODES.contains(&code) => {
                ApiError::new(StatusCode::CONFLICT, code).with_detail(message)
            }
            // Dossier and file rules explain themselves in a sentence, not a field name.
            StoreError::Rejected { code, message } if SENTENCE_CODES.contains(&code) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code).with_detail(message)
            }
            StoreError::Rejected { code, message } => ApiError::unprocessable(code, &message),
            StoreError::Database(sqlx::Error::PoolTimedOut) | StoreError::WriterGone | StoreError::CommitFailed => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
            other => ApiError::internal().with_detail(other.to_string()),
        }
    }
}
