//! The way back of [`super::import`]: a procedure as a row of the shared shape
//! ([`CSV_COLUMNS`]), for CSV and XLSX exports (xuất danh mục).
//!
//! A draft read from the shape and written back with [`shared_row`] reads again into an equal
//! draft: the row keeps the published texts the importer parses (time limit and fees in words,
//! notes from which channels are taken) and writes the parsed parts in the words the importer
//! recognises. What the shape cannot carry is lost: steps, components, variants, results, forms,
//! units, per-channel differences (the first channel's time limit is written), `tinh_nguon`
//! (not in the record), and a legacy code when an applied code is present.

use super::import::CSV_COLUMNS;
use super::procedure::{Fee, OnlineLevel, ProcedureVersion};
use crate::calendar::Duration;

/// One row of the shared shape, in the order of [`CSV_COLUMNS`].
pub fn shared_row(v: &ProcedureVersion) -> Vec<String> {
    let first = v.channels.first();
    let (number, unit) = match first {
        Some(c) if c.same_day => ("0".to_owned(), "ngày làm việc"),
        Some(c) => match c.time_limit {
            Some(d) => (d.units().to_string(), unit_words(d)),
            None => (String::new(), ""),
        },
        None => (String::new(), ""),
    };
    let fees = if !v.fees_text.is_empty() {
        v.fees_text.clone()
    } else if v.free_of_charge {
        "Không".to_owned()
    } else {
        first.map(|c| fees_words(&c.fees)).unwrap_or_default()
    };
    let online = match v.online_level {
        Some(OnlineLevel::Full) => "Toàn trình",
        Some(OnlineLevel::Partial) => "Một phần",
        Some(OnlineLevel::None) => "Không",
        None => "",
    };
    let row = vec![
        v.national_code
            .as_ref()
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        v.applied_code
            .as_ref()
            .map(|c| c.as_str().to_owned())
            .or_else(|| v.legacy_code.clone())
            .unwrap_or_default(),
        v.name.clone(),
        v.field.clone(),
        v.level.map(|l| l.label_vi().to_owned()).unwrap_or_default(),
        v.agency.clone(),
        v.time_limit_text.clone(),
        number,
        unit.to_owned(),
        fees,
        v.legal_basis
            .iter()
            .map(|d| d.title.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        online.to_owned(),
        String::new(),
        v.source_url.clone().unwrap_or_default(),
        v.notes.clone(),
    ];
    debug_assert_eq!(row.len(), CSV_COLUMNS.len());
    row
}

/// The unit as the shape writes it (shared data README).
fn unit_words(d: Duration) -> &'static str {
    match d {
        Duration::WorkingDays(_) => "ngày làm việc",
        Duration::WorkingHours(_) => "giờ làm việc",
        Duration::Days(_) => "ngày",
        Duration::Months(_) => "tháng",
    }
}

/// Fee items in words, `name: 200.000 đồng; …`, for records without a published fee text.
fn fees_words(fees: &[Fee]) -> String {
    fees.iter()
        .map(|f| match f.amount {
            Some(a) if !f.name.is_empty() => format!("{}: {} đồng", f.name, dong(a)),
            Some(a) => format!("{} đồng", dong(a)),
            None if !f.text.is_empty() => f.text.clone(),
            None => f.name.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `1200000` → `1.200.000` (Vietnamese thousands separator).
fn dong(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::procedure::{Channel, ChannelSpec, FeeKind};
    use crate::catalog::{import_csv, import_rows};

    const SHARED: &str = include_str!("../../data/tthc_skhcn.csv");

    fn header() -> Vec<String> {
        CSV_COLUMNS.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn the_29_shared_rows_round_trip_field_by_field() {
        let first = import_csv(SHARED);
        assert_eq!(first.rows.len(), 29);
        let rows: Vec<Vec<String>> = first.rows.iter().map(|r| shared_row(&r.draft)).collect();
        let again = import_rows(&header(), &rows);
        assert_eq!(again.rows.len(), 29);
        for (a, b) in first.rows.iter().zip(&again.rows) {
            assert_eq!(a.draft, b.draft, "row {}", a.row);
            assert_eq!(a.valid, b.valid);
        }
        // The same problems (warnings), placed on the same rows.
        let codes = |r: &crate::catalog::ImportReport| {
            r.problems
                .iter()
                .map(|p| (p.row, p.code.clone(), p.column.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(codes(&first), codes(&again));
    }

    #[test]
    fn records_without_published_texts_are_written_in_words() {
        let v = ProcedureVersion {
            name: "Thủ tục thử".into(),
            channels: vec![ChannelSpec {
                channel: Channel::InPerson,
                time_limit: Some(Duration::Months(1)),
                same_day: false,
                fees: vec![Fee {
                    name: "Lệ phí cấp giấy".into(),
                    kind: FeeKind::Charge,
                    amount: Some(1_200_000),
                    text: String::new(),
                    variants: Vec::new(),
                }],
                workflow: Vec::new(),
            }],
            ..Default::default()
        };
        let row = shared_row(&v);
        assert_eq!((row[7].as_str(), row[8].as_str()), ("1", "tháng"));
        assert_eq!(row[9], "Lệ phí cấp giấy: 1.200.000 đồng");
        let back = import_rows(&header(), &[row]);
        assert!(back.is_valid(), "{:?}", back.problems);
        let fee = &back.rows[0].draft.channels[0].fees[0];
        assert_eq!((fee.amount, fee.kind), (Some(1_200_000), FeeKind::Charge));
        assert_eq!(dong(0), "0");
        assert_eq!(dong(999), "999");
        assert_eq!(dong(1000), "1.000");
    }
}
