//! Online payment of fees (thanh toán phí, lệ phí trực tuyến), issue 5 item 8.
//!
//! A [`PaymentProvider`] takes the fees a dossier owes once they were requested (national
//! status 6, `Command::RequestFee`) and gives back a transaction; when the provider confirms
//! it, [`record_confirmed`] records `Command::FeePaid` on the dossier with the transaction id
//! as the receipt. Payment at the desk needs no provider: the clerk's `fee_paid` command with
//! the receipt number.
//!
//! The first provider, [`LocalTestProvider`], runs in the process: it keeps each transaction as
//! events on aggregate `payment`/<transaction id> (`payment.started`, `payment.completed`) and
//! is completed by calling [`LocalTestProvider::complete`] — standing in for the payment
//! platform's confirmation, for tests and demonstrations. Online payment platforms come later
//! as further implementations of the trait.

use crate::db::{BoxFut, Store};
use crate::dossiers::{self, Deadlines, DossierRecord};
use crate::error::StoreError;
use crate::events::{self, Actor, NewEvent};
use chrono::{DateTime, Utc};
use motcua_core::dossiers::{Command, DossierState, FeeLine};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const AGGREGATE_TYPE: &str = "payment";

/// What a dossier owes now: the amount still due and the fee lines last requested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRequest {
    pub dossier_id: String,
    pub dossier_code: Option<String>,
    /// Đồng.
    pub amount: u64,
    pub lines: Vec<FeeLine>,
}

/// A payment transaction (giao dịch thanh toán).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub transaction_id: String,
    /// The provider's name (`local` for [`LocalTestProvider`]).
    pub provider: String,
    pub dossier_id: String,
    pub dossier_code: Option<String>,
    pub amount: u64,
    pub lines: Vec<FeeLine>,
    pub started_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// A payment platform (cổng thanh toán). Object-safe so the web layer can hold any one of them
/// as `Arc<dyn PaymentProvider>`.
pub trait PaymentProvider: Send + Sync {
    /// Short stable name, recorded on the transaction.
    fn name(&self) -> &'static str;

    /// Open a transaction for what the dossier owes.
    fn start<'a>(
        &'a self,
        store: &'a Store,
        actor: &'a Actor,
        at: DateTime<Utc>,
        request: PaymentRequest,
    ) -> BoxFut<'a, Result<Payment, StoreError>>;

    /// A transaction by id (`None` when this provider does not know it).
    fn status<'a>(
        &'a self,
        store: &'a Store,
        transaction_id: &'a str,
    ) -> BoxFut<'a, Result<Option<Payment>, StoreError>>;

    /// Where the payer completes the payment, when the provider has such a place.
    fn pay_url(&self, payment: &Payment) -> Option<String>;
}

/// What the dossier owes: only while it awaits its fees (national status 6) and something is
/// due. Rejected `payment_not_due` otherwise.
pub async fn due(store: &Store, rec: &DossierRecord) -> Result<PaymentRequest, StoreError> {
    let d = &rec.dossier;
    let amount = d.fees_requested.saturating_sub(d.fees_paid);
    if d.state != DossierState::AwaitingFee || amount == 0 {
        return Err(StoreError::rejected(
            "payment_not_due",
            format!("dossier {} owes nothing now ({})", rec.row.id, d.state),
        ));
    }
    let lines = dossiers::history(store.db(), &rec.row.id)
        .await?
        .into_iter()
        .rev()
        .find_map(|e| match e.event.command {
            Command::RequestFee { items } => Some(items),
            _ => None,
        })
        .unwrap_or_default();
    Ok(PaymentRequest {
        dossier_id: rec.row.id.clone(),
        dossier_code: rec.row.code.clone(),
        amount,
        lines,
    })
}

/// Whether the dossier already records a payment with this receipt.
async fn recorded(store: &Store, dossier_id: &str, receipt: &str) -> Result<bool, StoreError> {
    Ok(dossiers::history(store.db(), dossier_id)
        .await?
        .iter()
        .any(|e| matches!(&e.event.command, Command::FeePaid { receipt: r, .. } if r == receipt)))
}

/// Record a payment the provider confirmed: `Command::FeePaid` with the transaction id as the
/// receipt, by `actor` (the provider). Refused (`payment_not_due`) when the dossier no longer
/// owes the amount, so a second transaction for the same fees is never counted twice; a
/// dossier changed meanwhile is read again once. Does nothing when the receipt is already
/// recorded.
pub async fn record_confirmed(
    store: &Store,
    dl: Deadlines<'_>,
    actor: &Actor,
    at: DateTime<Utc>,
    payment: &Payment,
) -> Result<(), StoreError> {
    for attempt in 0..2 {
        // The row (its version) before the history: a payment recorded after this version
        // makes the command below a conflict; one recorded before it is in the history.
        let rec = dossiers::get(store.db(), &payment.dossier_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("dossier {}", payment.dossier_id)))?;
        if recorded(store, &rec.row.id, &payment.transaction_id).await? {
            return Ok(());
        }
        let owed = due(store, &rec).await?;
        if owed.amount < payment.amount {
            return Err(StoreError::rejected(
                "payment_not_due",
                format!("dossier owes {} đồng, the payment is {}", owed.amount, payment.amount),
            ));
        }
        let cmd = Command::FeePaid {
            receipt: payment.transaction_id.clone(),
            amount: payment.amount,
        };
        match dossiers::apply_command(store, dl, actor, at, &rec.row.id, rec.row.version, cmd).await {
            Ok(_) => return Ok(()),
            Err(StoreError::Conflict(_)) if attempt == 0 => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Conflict(format!(
        "dossier {} keeps changing",
        payment.dossier_id
    )))
}

/// The in-process test provider (see the module documentation).
#[derive(Debug, Default, Clone, Copy)]
pub struct LocalTestProvider;

impl LocalTestProvider {
    pub const NAME: &'static str = "local";

    /// The actor recorded on the dossier when this provider confirms a payment.
    pub fn actor() -> Actor {
        Actor {
            id: format!("payment_provider:{}", Self::NAME),
            role: "payment_provider".into(),
            unit: String::new(),
        }
    }

    /// The payer paid: record the fee on the dossier, then mark the transaction completed
    /// (`payment.completed`, by `caller`). In that order, so a crash between the two is
    /// repaired by calling again. Errors: `NotFound`; Rejected `payment_completed` (already
    /// completed) or `payment_not_due` (the dossier no longer owes it).
    pub async fn complete(
        &self,
        store: &Store,
        dl: Deadlines<'_>,
        caller: &Actor,
        at: DateTime<Utc>,
        transaction_id: &str,
    ) -> Result<Payment, StoreError> {
        let mut p = load(store, transaction_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("payment {transaction_id}")))?;
        if p.completed_at.is_some() {
            return Err(completed(transaction_id));
        }
        record_confirmed(store, dl, &Self::actor(), at, &p).await?;
        let caller = caller.clone();
        let (id, dossier_id) = (p.transaction_id.clone(), p.dossier_id.clone());
        store
            .write(move |tx| {
                Box::pin(async move {
                    events::append(
                        tx,
                        NewEvent {
                            aggregate_type: AGGREGATE_TYPE,
                            aggregate_id: &id,
                            expected_seq: Some(1),
                            kind: "payment.completed",
                            actor: &caller,
                            at,
                            payload: json!({"dossier_id": dossier_id}),
                        },
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => completed(transaction_id),
                other => other,
            })?;
        p.completed_at = Some(at);
        Ok(p)
    }
}

fn completed(id: &str) -> StoreError {
    StoreError::rejected("payment_completed", format!("payment {id} was already completed"))
}

/// A local transaction from its events.
async fn load(store: &Store, transaction_id: &str) -> Result<Option<Payment>, StoreError> {
    let events = events::of_aggregate(store.db(), AGGREGATE_TYPE, transaction_id).await?;
    let Some(first) = events.first() else {
        return Ok(None);
    };
    let mut p: Payment = serde_json::from_str(&first.payload)
        .map_err(|e| StoreError::Database(sqlx::Error::Decode(format!("payment {transaction_id}: {e}").into())))?;
    p.completed_at = events
        .iter()
        .find(|e| e.kind == "payment.completed")
        .map(|e| crate::time::from_us(e.occurred_at));
    Ok(Some(p))
}

impl PaymentProvider for LocalTestProvider {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn start<'a>(
        &'a self,
        store: &'a Store,
        actor: &'a Actor,
        at: DateTime<Utc>,
        request: PaymentRequest,
    ) -> BoxFut<'a, Result<Payment, StoreError>> {
        Box::pin(async move {
            let p = Payment {
                transaction_id: format!("lt-{}", uuid::Uuid::new_v4().simple()),
                provider: Self::NAME.into(),
                dossier_id: request.dossier_id,
                dossier_code: request.dossier_code,
                amount: request.amount,
                lines: request.lines,
                started_at: at,
                completed_at: None,
            };
            let out = p.clone();
            let actor = actor.clone();
            store
                .write(move |tx| {
                    Box::pin(async move {
                        events::append(
                            tx,
                            NewEvent {
                                aggregate_type: AGGREGATE_TYPE,
                                aggregate_id: &p.transaction_id,
                                expected_seq: Some(0),
                                kind: "payment.started",
                                actor: &actor,
                                at,
                                payload: serde_json::to_value(&p).unwrap_or_default(),
                            },
                        )
                        .await?;
                        Ok(())
                    })
                })
                .await?;
            Ok(out)
        })
    }

    fn status<'a>(
        &'a self,
        store: &'a Store,
        transaction_id: &'a str,
    ) -> BoxFut<'a, Result<Option<Payment>, StoreError>> {
        Box::pin(async move { Ok(load(store, transaction_id).await?.filter(|p| p.provider == Self::NAME)) })
    }

    fn pay_url(&self, payment: &Payment) -> Option<String> {
        Some(format!("/api/v1/payments/local/{}/complete", payment.transaction_id))
    }
}
