//! Supplement requests during processing (yêu cầu bổ sung, hoàn thiện hồ sơ).
//!
//! Rules (legal-facts §1.2, §1.8, §12 items 3 and 14):
//! * The papers asked for are picked from the pinned version's published components. Anything
//!   else is an "other" item that must carry a written justification and is marked
//!   **`not_in_published_procedure`** — asking for papers beyond the published list is a
//!   prohibited act (NĐ 63/2010 Điều 6 khoản 1; 61/2018 Điều 5, likely) that the inspection
//!   module reads.
//! * One request per dossier by default. A second or later request needs a written reason and is
//!   marked **`repeated_request`**: QĐ 766 indicator 2.1 counts the dossier as late, TT 01/2018
//!   Chỉ số 3 scores it 0.
//! * Every request states its reason (lý do, Mẫu 02).
//!
//! [`SupplementDraft::validate`] turns what the specialist entered into a [`SupplementRequest`],
//! the payload of [`super::Command::RequestSupplement`].

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::error::DossierError;
use crate::catalog::ProcedureVersion;

/// A published component, by index in the pinned version or by exact name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentRef {
    /// Index in `ProcedureVersion::components`.
    Index(usize),
    /// Name as published (compared after trimming).
    Name(String),
}

/// One item of a draft request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SupplementItemDraft {
    /// A published component (thành phần hồ sơ đã công bố).
    Component {
        /// Which component.
        component: ComponentRef,
        /// What is wrong with it (e.g. "hết hạn kiểm định").
        note: Option<String>,
    },
    /// A paper not in the published procedure (giấy tờ khác).
    Other {
        /// Its name.
        name: String,
        /// Why it is needed (căn cứ yêu cầu); mandatory.
        justification: String,
    },
}

/// What the specialist entered.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SupplementDraft {
    /// The items asked for.
    pub items: Vec<SupplementItemDraft>,
    /// Lý do (reason shown on Mẫu 02).
    pub reason: String,
    /// Written reason for a second or later request (lý do yêu cầu bổ sung lần nữa).
    pub repeat_reason: Option<String>,
}

/// A validated item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestedItem {
    /// Name of the paper.
    pub name: String,
    /// Index of the published component, `None` for an "other" item.
    pub component_index: Option<usize>,
    /// Note on a published component, or the justification of an "other" item.
    pub note: Option<String>,
    /// Mark read by the inspection module: the paper is not in the published procedure.
    pub not_in_published_procedure: bool,
}

/// A validated supplement request (phiếu yêu cầu bổ sung, hoàn thiện hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplementRequest {
    /// The papers asked for, in the order entered.
    pub items: Vec<RequestedItem>,
    /// Lý do.
    pub reason: String,
    /// 1 for the first request on the dossier, 2 for the second, …
    pub number: u32,
    /// Mark read by the inspection module: this is not the first request (`number > 1`).
    pub repeated_request: bool,
    /// The written reason of a repeated request.
    pub repeat_reason: Option<String>,
}

impl SupplementRequest {
    /// Whether any item is outside the published procedure.
    pub fn not_in_published_procedure(&self) -> bool {
        self.items.iter().any(|i| i.not_in_published_procedure)
    }
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

impl SupplementDraft {
    /// Validates the draft against the pinned version; `previous_requests` is the number of
    /// supplement requests already made on the dossier.
    ///
    /// Errors (first found): `supplement_empty`, `supplement_reason_empty`,
    /// `component_unknown`, `component_duplicate`, `other_item_name_empty`,
    /// `other_item_needs_justification`, `repeat_supplement_needs_reason`.
    pub fn validate(
        &self,
        version: &ProcedureVersion,
        previous_requests: u32,
    ) -> Result<SupplementRequest, DossierError> {
        if self.items.is_empty() {
            return Err(DossierError::SupplementEmpty);
        }
        let reason = non_empty(Some(&self.reason)).ok_or(DossierError::SupplementReasonEmpty)?;
        let mut seen = BTreeSet::new();
        let mut items = Vec::with_capacity(self.items.len());
        for item in &self.items {
            match item {
                SupplementItemDraft::Component { component, note } => {
                    let index = match component {
                        ComponentRef::Index(i) if *i < version.components.len() => *i,
                        ComponentRef::Index(i) => {
                            return Err(DossierError::ComponentUnknown {
                                reference: format!("#{i}"),
                            });
                        }
                        ComponentRef::Name(n) => version
                            .components
                            .iter()
                            .position(|c| c.name.trim() == n.trim())
                            .ok_or_else(|| DossierError::ComponentUnknown {
                                reference: format!("\"{n}\""),
                            })?,
                    };
                    let name = version.components[index].name.clone();
                    if !seen.insert(name.clone()) {
                        return Err(DossierError::ComponentDuplicate { name });
                    }
                    items.push(RequestedItem {
                        name,
                        component_index: Some(index),
                        note: non_empty(note.as_deref()),
                        not_in_published_procedure: false,
                    });
                }
                SupplementItemDraft::Other { name, justification } => {
                    let name = non_empty(Some(name)).ok_or(DossierError::OtherItemNameEmpty)?;
                    let justification = non_empty(Some(justification))
                        .ok_or_else(|| DossierError::OtherItemNeedsJustification { name: name.clone() })?;
                    if !seen.insert(name.clone()) {
                        return Err(DossierError::ComponentDuplicate { name });
                    }
                    items.push(RequestedItem {
                        name,
                        component_index: None,
                        note: Some(justification),
                        not_in_published_procedure: true,
                    });
                }
            }
        }
        let repeated = previous_requests > 0;
        let repeat_reason = non_empty(self.repeat_reason.as_deref());
        if repeated && repeat_reason.is_none() {
            return Err(DossierError::RepeatSupplementNeedsReason);
        }
        Ok(SupplementRequest {
            items,
            reason,
            number: previous_requests.saturating_add(1),
            repeated_request: repeated,
            repeat_reason: if repeated { repeat_reason } else { None },
        })
    }
}

#[cfg(test)]
#[path = "supplement_tests.rs"]
mod tests;
