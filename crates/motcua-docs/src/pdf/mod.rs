//! Official one-stop forms as PDF (biểu mẫu một cửa), rendered with Typst as a library.
//!
//! # How templates receive data
//!
//! Each form has a Typst template under `crates/motcua-docs/templates/`, embedded in the binary
//! with `include_str!`; `common.typ` holds the shared header (agency, national motto, place and
//! date, form number and title) and helpers. **No data is ever spliced into Typst markup.** The
//! renderer serialises one JSON document and exposes it to the compiler as the virtual file
//! `/data.json`; templates read it with `json("/data.json")` and show its strings as text, so
//! `#`, `$`, `*`, `]` or `\` in a citizen's name print as themselves. The document is:
//!
//! ```json
//! {
//!   "form":  { "number": "01", "title": "Giấy tiếp nhận …", "circular": "01/2018/TT-VPCP",
//!              "regime": "tt01_2018" },
//!   "page":  { "paper": "a5", "flipped": false, "size": 11 },
//!   "fonts": ["Liberation Serif", "Libertinus Serif"],
//!   "data":  { … the form's struct from [`data`], e.g. [`ReceiptData`] … }
//! }
//! ```
//!
//! * The number and title come from the core catalogue ([`FormSet`]), chosen by the dossier's
//!   rule set: TT 01/2018 for dossiers received before 1 July 2025, TT 03/2025 from then.
//! * Paper: the catalogue's size (A5 for Mẫu 01–05 of TT 01/2018, A4 for its ledger); A4 where
//!   the catalogue has none (TT 03/2025); the ledger is landscape.
//! * Dates arrive already written out in Vietnamese (`{"short": "27/11/2026", "long": "ngày 27
//!   tháng 11 năm 2026"}`, see [`data::dates`]); templates do no date arithmetic.
//! * Fonts: Liberation Serif (metric-compatible with Times New Roman) when installed, otherwise
//!   the fonts embedded from `typst-assets` (Libertinus Serif), so rendering works on a machine
//!   without any system font. Library, font book and parsed templates are built once per process
//!   ([`std::sync::OnceLock`]).

pub mod data;
mod error;
mod world;

#[cfg(test)]
mod tests;

use motcua_core::dossiers::{FormKind, FormSet, Paper};
use serde_json::json;
use typst::diag::{SourceDiagnostic, Warned};
use typst_layout::PagedDocument;

pub use data::{
    ApologyData, ApplicantInfo, ControlSlipData, ControlSlipRow, FormData, Issuer, LedgerData, LedgerRow, ReceiptData,
    ReceivedComponent, RefusalData, Signer, StopNoticeData, SupplementData, SupplementItem,
};
pub use error::PdfError;

/// Most table rows one document may hold (a ledger longer than this must be split by period).
pub const MAX_ROWS: usize = 20_000;

/// Renders one form of the rule set `set` (see [`FormSet::for_receipt`]) as a PDF file.
///
/// Errors: [`PdfError::FormNotInRegime`] for a stop notice under TT 01/2018;
/// [`PdfError::TooManyRows`] above [`MAX_ROWS`]; [`PdfError::Template`] and
/// [`PdfError::Export`] are bugs of motcua, not of the data.
pub fn render(set: &FormSet, data: &FormData) -> Result<Vec<u8>, PdfError> {
    let kind = data.kind();
    let form = set.form(kind).ok_or(PdfError::FormNotInRegime {
        kind,
        regime: set.regime,
    })?;
    let rows = data.rows();
    if rows > MAX_ROWS {
        return Err(PdfError::TooManyRows { rows, max: MAX_ROWS });
    }
    let env = world::env();
    let (paper, size) = match (kind, form.paper) {
        (FormKind::Ledger, _) => ("a4", 9),
        (_, Some(Paper::A5)) => ("a5", 11),
        (_, Some(Paper::A4) | None) => ("a4", 13),
    };
    let input = json!({
        "form": {
            "number": format!("{:02}", form.number),
            "title": form.title_vi,
            "circular": set.circular,
            "regime": set.regime,
        },
        "page": { "paper": paper, "flipped": kind == FormKind::Ledger, "size": size },
        "fonts": env.families,
        "data": data,
    });
    let bytes = serde_json::to_vec(&input).map_err(|e| PdfError::Template { message: e.to_string() })?;
    let world = env.world(kind, bytes).ok_or_else(|| PdfError::Template {
        message: format!("no template for {kind:?}"),
    })?;
    // Typst is not expected to panic; if it ever does, the caller gets an error, not a crash.
    let compiled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let Warned { output, .. } = typst::compile::<PagedDocument>(&world);
        let doc = output.map_err(|d| PdfError::Template {
            message: diagnostics(&d),
        })?;
        typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).map_err(|d| PdfError::Export {
            message: diagnostics(&d),
        })
    }));
    // Keep the compiler's memoisation cache bounded in a long-running server.
    typst::comemo::evict(10);
    compiled.unwrap_or_else(|_| {
        Err(PdfError::Export {
            message: "the typesetter panicked".into(),
        })
    })
}

/// The font family used for the forms on this machine: `Liberation Serif` when installed,
/// otherwise the embedded `Libertinus Serif`.
pub fn font_family() -> &'static str {
    let env = world::env();
    if env.has_system_serif() {
        "Liberation Serif"
    } else {
        "Libertinus Serif"
    }
}

fn diagnostics(d: &[SourceDiagnostic]) -> String {
    d.iter().map(|d| d.message.as_str()).collect::<Vec<_>>().join("; ")
}
