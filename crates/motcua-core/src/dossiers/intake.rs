//! Intake checklist (kiểm tra thành phần hồ sơ khi tiếp nhận) and fees due (phí, lệ phí).
//!
//! At the desk the clerk checks the dossier against the pinned procedure version's components
//! for the chosen channel and case variant (NĐ 61/2018 Điều 16, legal-facts §1.2, §12 item 2).
//! The outcome is exactly one of: received (Mẫu 01) when every **required** applicable
//! component is present; otherwise the clerk either guides the applicant to complete the dossier
//! (Mẫu 02, once and completely) or refuses it (Mẫu 03). [`Checklist::check`] gives the list of
//! missing components for Mẫu 02.
//!
//! Rules:
//! * A component applies when it lists no variant or lists the chosen one
//!   ([`ProcedureVersion::components_for`]); fees likewise, per channel.
//! * A component whose requirement is [`Requirement::Conditional`] is never "missing": its
//!   condition (e.g. "nếu có") is judged by the clerk, who may still list it on Mẫu 02.
//! * Amounts are integer đồng; an item without a fixed amount is listed with `amount: None` and
//!   left out of the total.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::error::DossierError;
use crate::catalog::{Channel, CopyType, FeeKind, ProcedureVersion, Requirement};

/// One line of the checklist (một dòng thành phần hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    /// Index of the component in the pinned version's `components` (stable for that version).
    pub index: usize,
    /// Tên giấy tờ.
    pub name: String,
    /// Loại bản (bản chính, bản sao, …).
    pub copy_type: CopyType,
    /// Số lượng.
    pub quantity: u32,
    /// Bắt buộc or có điều kiện.
    pub requirement: Requirement,
    /// The condition in words, when conditional.
    pub condition: Option<String>,
}

/// One fee line due (khoản phí, lệ phí phải nộp).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeLine {
    /// Name as published.
    pub name: String,
    /// Phí / lệ phí.
    pub kind: FeeKind,
    /// Amount in integer đồng; `None` when the text states no fixed amount.
    pub amount: Option<u64>,
    /// The published text.
    pub text: String,
}

/// A required component not marked present (thành phần còn thiếu).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingComponent {
    /// Index in the pinned version's `components`.
    pub index: usize,
    /// Tên giấy tờ.
    pub name: String,
}

/// The intake checklist of one procedure version, channel and case variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checklist {
    /// Kênh thực hiện.
    pub channel: Channel,
    /// Trường hợp chosen, if any.
    pub variant: Option<String>,
    /// The components that apply, in published order.
    pub items: Vec<ChecklistItem>,
    /// The fees due, itemised.
    pub fees: Vec<FeeLine>,
    /// Sum of the fixed amounts, in đồng (saturating).
    pub fee_total: u64,
}

/// Builds the checklist (danh mục kiểm tra) for `channel` and `variant` of a pinned version.
///
/// Errors: [`DossierError::ChannelNotOffered`] when the version does not list the channel (a
/// version without any channel accepts every channel, with no fee), [`DossierError::VariantUnknown`]
/// for a variant it does not define.
pub fn checklist(
    version: &ProcedureVersion,
    channel: Channel,
    variant: Option<&str>,
) -> Result<Checklist, DossierError> {
    if !version.channels.is_empty() && version.channel(channel).is_none() {
        return Err(DossierError::ChannelNotOffered {
            channel: channel.code(),
        });
    }
    if let Some(v) = variant
        && !version.variants.iter().any(|x| x.id == v)
    {
        return Err(DossierError::VariantUnknown { variant: v.to_string() });
    }
    let items = version
        .components
        .iter()
        .enumerate()
        .filter(|(_, c)| c.variants.is_empty() || variant.is_some_and(|v| c.variants.iter().any(|x| x == v)))
        .map(|(index, c)| ChecklistItem {
            index,
            name: c.name.clone(),
            copy_type: c.copy_type,
            quantity: c.quantity,
            requirement: c.requirement,
            condition: c.condition.clone(),
        })
        .collect();
    let fees: Vec<FeeLine> = version
        .fees_for(channel, variant)
        .into_iter()
        .map(|f| FeeLine {
            name: f.name.clone(),
            kind: f.kind,
            amount: f.amount,
            text: f.text.clone(),
        })
        .collect();
    Ok(Checklist {
        channel,
        variant: variant.map(str::to_string),
        items,
        fee_total: version.fee_total(channel, variant),
        fees,
    })
}

impl Checklist {
    /// Checks what the clerk marked present (component indices of the pinned version).
    ///
    /// `Ok(())` means the dossier may be received. Otherwise
    /// [`DossierError::MissingComponents`] lists every required applicable component not present
    /// (code `missing_components`), or [`DossierError::ComponentUnknown`] when an index is not a
    /// line of this checklist.
    pub fn check(&self, present: &[usize]) -> Result<(), DossierError> {
        let lines: BTreeSet<usize> = self.items.iter().map(|i| i.index).collect();
        if let Some(bad) = present.iter().find(|i| !lines.contains(i)) {
            return Err(DossierError::ComponentUnknown {
                reference: format!("#{bad}"),
            });
        }
        let present: BTreeSet<usize> = present.iter().copied().collect();
        let missing: Vec<MissingComponent> = self
            .items
            .iter()
            .filter(|i| i.requirement == Requirement::Required && !present.contains(&i.index))
            .map(|i| MissingComponent {
                index: i.index,
                name: i.name.clone(),
            })
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(DossierError::MissingComponents { missing })
        }
    }
}

#[cfg(test)]
#[path = "intake_tests.rs"]
mod tests;
