//! Online payment of fees (issue 5 item 8): start a transaction with the configured
//! [`PaymentProvider`](motcua_store::payments::PaymentProvider) for what a dossier owes, and the
//! completion endpoint of the in-process test provider. Payment at the desk is the `fee_paid`
//! command with a receipt number (`POST /api/v1/dossiers/{id}/commands`).
//!
//! Who may complete a local test payment: it stands in for the payment platform's confirmation,
//! so the one-stop clerks (who record fees anyway) and administrators (running a demonstration),
//! or a machine client holding `dossiers:write` (the portal that took the payment). The fee is
//! recorded on the dossier by the provider's actor (`payment_provider:local`); the caller is
//! recorded on the transaction's `payment.completed` event.

use super::dossiers::{SCOPE_WRITE, find, iso};
use crate::AppState;
use crate::auth::Access;
use crate::extract::ReqCtx;
use crate::problem::ApiError;
use crate::routes::Routes;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use motcua_core::identity::Role;
use motcua_store::StoreError;
use motcua_store::payments::{self, LocalTestProvider, Payment};
use serde::Serialize;
use utoipa::ToSchema;

/// Who may open a payment for a dossier (at the desk with a card terminal, or for the applicant).
pub const PAYMENT_STARTERS: &[Role] = &[Role::Clerk, Role::Specialist, Role::Leader];
/// Who may complete a payment of the local test provider (see the module documentation).
pub const LOCAL_COMPLETERS: &[Role] = &[Role::Clerk, Role::Admin];

pub fn routes(r: Routes) -> Routes {
    r.post(
        "/api/v1/dossiers/{id}/payments",
        Access::roles_or_key(PAYMENT_STARTERS, SCOPE_WRITE),
        start,
    )
    .post(
        "/api/v1/payments/local/{txn}/complete",
        Access::roles_or_key(LOCAL_COMPLETERS, SCOPE_WRITE),
        complete_local,
    )
}

/// A payment transaction.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentOut {
    pub transaction_id: String,
    /// `local` for the in-process test provider.
    pub provider: String,
    pub dossier_id: String,
    pub dossier_code: Option<String>,
    /// Đồng.
    pub amount: u64,
    /// The fee lines requested (name, kind, amount, text).
    #[schema(value_type = Vec<Object>)]
    pub lines: Vec<motcua_core::dossiers::FeeLine>,
    pub started_at: String,
    pub completed_at: Option<String>,
    /// Where the payment is completed, when the provider has such a place.
    pub pay_url: Option<String>,
}

fn out(st: &AppState, p: Payment) -> PaymentOut {
    let pay_url = if p.completed_at.is_none() {
        st.payments.pay_url(&p)
    } else {
        None
    };
    PaymentOut {
        pay_url,
        transaction_id: p.transaction_id,
        provider: p.provider,
        dossier_id: p.dossier_id,
        dossier_code: p.dossier_code,
        amount: p.amount,
        lines: p.lines,
        started_at: iso(motcua_store::time::to_us(p.started_at)),
        completed_at: p.completed_at.map(|t| iso(motcua_store::time::to_us(t))),
    }
}

/// Open a payment for the fees a dossier owes; only while it awaits them (national status 6).
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/payments", operation_id = "start_payment", tag = "dossiers", security(("api_key" = [])),
    params(("id" = String, Path, description = "Dossier id or code")),
    responses((status = 201, description = "Transaction opened", body = PaymentOut),
    (status = 404, description = "No such dossier", body = crate::problem::Problem),
    (status = 409, description = "`payment_not_due`: no fee awaits payment", body = crate::problem::Problem)))]
pub async fn start(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<PaymentOut>), ApiError> {
    let p = ctx.principal.as_ref().ok_or_else(ApiError::unauthorized)?;
    let rec = find(&st, &id).await?;
    let request = payments::due(&st.store, &rec).await?;
    let payment = st.payments.start(&st.store, &p.actor(), Utc::now(), request).await?;
    Ok((StatusCode::CREATED, Json(out(&st, payment))))
}

/// Complete a payment of the local test provider: the fee is recorded on the dossier
/// (`fee_paid`, the transaction id as receipt) and the dossier resumes processing.
#[utoipa::path(post, path = "/api/v1/payments/local/{txn}/complete", operation_id = "complete_local_payment", tag = "dossiers", security(("api_key" = [])),
    params(("txn" = String, Path, description = "Transaction id")),
    responses((status = 200, description = "Paid and recorded", body = PaymentOut),
    (status = 404, description = "`payment_unknown`", body = crate::problem::Problem),
    (status = 409, description = "`payment_completed` (already), `payment_not_due` (the dossier no longer owes it)", body = crate::problem::Problem)))]
pub async fn complete_local(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(txn): Path<String>,
) -> Result<Json<PaymentOut>, ApiError> {
    let p = ctx.principal.as_ref().ok_or_else(ApiError::unauthorized)?;
    let payment = LocalTestProvider
        .complete(&st.store, st.deadlines(), &p.actor(), Utc::now(), &txn)
        .await
        .map_err(|e| match e {
            StoreError::NotFound(d) => ApiError::new(StatusCode::NOT_FOUND, "payment_unknown").with_detail(d),
            other => other.into(),
        })?;
    Ok(Json(out(&st, payment)))
}
