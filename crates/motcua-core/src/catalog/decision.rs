//! Publication decisions (quyết định công bố thủ tục hành chính): what a decision announces and
//! whether it was on time (QĐ 766/QĐ-TTg indicators 1.1 and 1.2; NĐ 63/2010/NĐ-CP Điều 15 as
//! amended by NĐ 48/2013/NĐ-CP; legal-facts §5.3, §12 item 9).
//!
//! A decision is prepared as a draft (số, ngày ký still open), then issued (ban hành): from then
//! on it never changes, except that the date each item was made public in the national database
//! (ngày công khai trên CSDL quốc gia) is recorded when it happens. Whether the procedures it
//! names exist, have a draft, or are in force is a question for the store; this module checks
//! the decision itself and computes verdicts.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::problem::Problem;
use super::procedure::{LegalDocument, Level};
use super::timeliness::{
    Timeliness, TimelinessError, TimelinessRules, WorkingDayOracle, decision_timeliness, publication_timeliness,
};

/// What a decision announces about one procedure (loại công bố).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// TTHC mới ban hành — a new procedure: its first version is published.
    New,
    /// TTHC được sửa đổi, bổ sung — a new version of a procedure in force.
    Amended,
    /// TTHC được thay thế — a new version that replaces the one in force as a whole (recorded
    /// as such for statistics; in the catalog it behaves like an amendment).
    Replaced,
    /// TTHC bị bãi bỏ — the procedure stops being in force on the effective date.
    Abolished,
}

impl ItemKind {
    /// Every kind, in the order decisions list them.
    pub const ALL: [ItemKind; 4] = [Self::New, Self::Amended, Self::Replaced, Self::Abolished];

    /// Stable code (`new`, `amended`, `replaced`, `abolished`).
    pub fn code(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Amended => "amended",
            Self::Replaced => "replaced",
            Self::Abolished => "abolished",
        }
    }

    /// Parse a stable code.
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s.trim())
    }

    /// Vietnamese label as decisions word it.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::New => "Mới ban hành",
            Self::Amended => "Sửa đổi, bổ sung",
            Self::Replaced => "Thay thế",
            Self::Abolished => "Bãi bỏ",
        }
    }

    /// Whether the item publishes a draft version (all but abolition).
    pub fn publishes_draft(self) -> bool {
        self != Self::Abolished
    }
}

/// One item of a decision (một thủ tục trong quyết định công bố).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionItem {
    /// New, amended, replaced or abolished.
    pub kind: ItemKind,
    /// National code, applied code or id of the procedure.
    pub procedure: String,
    /// Date the item takes effect (ngày có hiệu lực), normally that of its legal basis.
    pub effective_from: NaiveDate,
    /// Date it was made public in the national database, once done.
    #[serde(default)]
    pub made_public_on: Option<NaiveDate>,
}

/// A publication decision as prepared or issued (quyết định công bố).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Số quyết định, e.g. `1234/QĐ-UBND` (may be empty while drafting).
    #[serde(default)]
    pub number: String,
    /// Ngày ký; `None` while drafting.
    #[serde(default)]
    pub signed_on: Option<NaiveDate>,
    /// Người ký (name and title), may be empty while drafting.
    #[serde(default)]
    pub signer: String,
    /// Cơ quan ban hành, e.g. "Chủ tịch UBND tỉnh Quảng Trị".
    #[serde(default)]
    pub issuer: String,
    /// Level of the issuer: ministry decisions have longer leads (QĐ 766 indicator 1.1).
    pub level: Level,
    /// Trích yếu (what the decision is about).
    #[serde(default)]
    pub title: String,
    /// Căn cứ pháp lý: the legal documents that made the announcement necessary.
    #[serde(default)]
    pub legal_basis: Vec<LegalDocument>,
    /// The procedures announced.
    #[serde(default)]
    pub items: Vec<DecisionItem>,
}

/// Timeliness of one item: indicator 1.1 (decision) and 1.2 (made public).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemTimeliness {
    /// QĐ 766 indicator 1.1 — decision dated in time before the effective date.
    pub decision: Timeliness,
    /// QĐ 766 indicator 1.2 — made public in time after the decision; `None` until signed.
    pub publication: Option<Timeliness>,
}

fn problem(path: String, code: &str, vi: String, en: String) -> Problem {
    Problem::error(path, code, vi, en)
}

impl Decision {
    /// Problems that forbid saving the draft: items without a procedure, one procedure twice,
    /// a made-public date before the decision.
    pub fn validate_draft(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, item) in self.items.iter().enumerate() {
            let code = item.procedure.trim();
            if code.is_empty() {
                out.push(problem(
                    format!("items[{i}].procedure"),
                    "decision_item_procedure_missing",
                    format!("Mục {} của quyết định chưa chọn thủ tục (trường \"procedure\").", i + 1),
                    format!(
                        "Item {} of the decision names no procedure (field \"procedure\").",
                        i + 1
                    ),
                ));
            } else if !seen.insert(code.to_owned()) {
                out.push(problem(
                    format!("items[{i}].procedure"),
                    "decision_item_duplicate",
                    format!("Thủ tục {code} xuất hiện hai lần trong quyết định (mục {}).", i + 1),
                    format!("Procedure {code} appears twice in the decision (item {}).", i + 1),
                ));
            }
            if let (Some(p), Some(s)) = (item.made_public_on, self.signed_on)
                && p < s
            {
                out.push(problem(
                    format!("items[{i}].made_public_on"),
                    "made_public_before_decision",
                    format!(
                        "Ngày công khai {} của mục {} trước ngày ký quyết định {}.",
                        p.format("%d/%m/%Y"),
                        i + 1,
                        s.format("%d/%m/%Y")
                    ),
                    format!("Item {} was made public on {p}, before the decision date {s}.", i + 1),
                ));
            }
        }
        out
    }

    /// Problems that forbid issuing: everything of [`Decision::validate_draft`], plus number,
    /// date, signer and at least one item.
    pub fn validate_issue(&self) -> Vec<Problem> {
        let mut out = self.validate_draft();
        if self.number.trim().is_empty() {
            out.push(problem(
                "number".into(),
                "decision_number_missing",
                "Chưa nhập số quyết định (trường \"number\").".into(),
                "The decision number is missing (field \"number\").".into(),
            ));
        }
        if self.signed_on.is_none() {
            out.push(problem(
                "signed_on".into(),
                "decision_date_missing",
                "Chưa nhập ngày ký quyết định (trường \"signed_on\").".into(),
                "The date of signature is missing (field \"signed_on\").".into(),
            ));
        }
        if self.signer.trim().is_empty() {
            out.push(problem(
                "signer".into(),
                "decision_signer_missing",
                "Chưa nhập người ký quyết định (trường \"signer\").".into(),
                "The signer is missing (field \"signer\").".into(),
            ));
        }
        if self.items.is_empty() {
            out.push(problem(
                "items".into(),
                "decision_without_items",
                "Quyết định chưa có thủ tục nào được công bố.".into(),
                "The decision announces no procedure.".into(),
            ));
        }
        out
    }

    /// Timeliness of every item as of `today` (indicator 1.1 for each item; 1.2 once signed).
    pub fn timeliness(
        &self,
        cal: &impl WorkingDayOracle,
        rules: &TimelinessRules,
        today: NaiveDate,
    ) -> Result<Vec<ItemTimeliness>, TimelinessError> {
        self.items
            .iter()
            .map(|item| {
                let decision = decision_timeliness(cal, rules, self.level, item.effective_from, self.signed_on, today)?;
                let publication = match self.signed_on {
                    Some(signed) => Some(publication_timeliness(
                        cal,
                        rules,
                        self.level,
                        signed,
                        item.made_public_on,
                        today,
                    )?),
                    None => None,
                };
                Ok(ItemTimeliness { decision, publication })
            })
            .collect()
    }
}

/// Counts of announced procedures (thống kê TTHC công bố) for one field (lĩnh vực).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldCounts {
    /// Lĩnh vực.
    pub field: String,
    /// Mới ban hành.
    pub new: u32,
    /// Sửa đổi, bổ sung.
    pub amended: u32,
    /// Thay thế.
    pub replaced: u32,
    /// Bãi bỏ.
    pub abolished: u32,
}

impl FieldCounts {
    /// All four kinds together.
    pub fn total(&self) -> u32 {
        self.new + self.amended + self.replaced + self.abolished
    }
}

/// Statistics of announced procedures per field, sorted by field, with a total row last
/// (duty 2: thống kê TTHC mới ban hành, sửa đổi, bổ sung, thay thế, bãi bỏ). Input: `(field,
/// kind)` of every item of the decisions signed in the period.
pub fn statistics<'a>(items: impl IntoIterator<Item = (&'a str, ItemKind)>) -> Vec<FieldCounts> {
    let mut by_field: std::collections::BTreeMap<String, FieldCounts> = Default::default();
    let mut total = FieldCounts {
        field: String::new(),
        ..Default::default()
    };
    for (field, kind) in items {
        let row = by_field.entry(field.to_owned()).or_insert_with(|| FieldCounts {
            field: field.to_owned(),
            ..Default::default()
        });
        for r in [row, &mut total] {
            match kind {
                ItemKind::New => r.new += 1,
                ItemKind::Amended => r.amended += 1,
                ItemKind::Replaced => r.replaced += 1,
                ItemKind::Abolished => r.abolished += 1,
            }
        }
    }
    let mut out: Vec<FieldCounts> = by_field.into_values().collect();
    out.push(total);
    out
}

#[cfg(test)]
#[path = "decision_tests.rs"]
mod tests;
