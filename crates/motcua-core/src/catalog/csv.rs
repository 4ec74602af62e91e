//! A small RFC 4180 CSV reader (đọc tệp CSV): quoted fields, doubled quotes, embedded commas
//! and line breaks, CRLF or LF line ends, a UTF-8 byte-order mark.

use serde::{Deserialize, Serialize};

/// One record of a CSV file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvRecord {
    /// Physical line (1-based) where the record starts.
    pub line: usize,
    /// The fields, unquoted.
    pub fields: Vec<String>,
}

/// Why a text is not valid CSV (tệp CSV không hợp lệ).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    /// The bytes are not UTF-8 (sai bảng mã).
    #[error("the file is not UTF-8 text (first bad byte at offset {offset})")]
    Encoding {
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// A quoted field is never closed (thiếu dấu nháy đóng).
    #[error("line {line}: a quoted field is not closed")]
    UnterminatedQuote {
        /// Line where the field starts.
        line: usize,
    },
    /// A quote inside an unquoted field, or text after a closing quote (dấu nháy sai chỗ).
    #[error("line {line}, field {field}: misplaced quote character")]
    StrayQuote {
        /// Line of the character.
        line: usize,
        /// 1-based field number in the record.
        field: usize,
    },
}

impl CsvError {
    /// Stable machine code (mã lỗi).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Encoding { .. } => "csv_encoding_invalid",
            Self::UnterminatedQuote { .. } => "csv_unterminated_quote",
            Self::StrayQuote { .. } => "csv_stray_quote",
        }
    }

    /// Line of the error (1 for encoding errors before any line is known).
    pub fn line(&self) -> usize {
        match self {
            Self::Encoding { .. } => 1,
            Self::UnterminatedQuote { line } | Self::StrayQuote { line, .. } => *line,
        }
    }

    /// Message in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::Encoding { offset } => format!(
                "Tệp không phải văn bản UTF-8 (byte sai đầu tiên ở vị trí {offset}); hãy lưu lại tệp CSV với bảng mã UTF-8."
            ),
            Self::UnterminatedQuote { line } => {
                format!("Dòng {line}: một ô bắt đầu bằng dấu nháy kép nhưng không có dấu nháy đóng.")
            }
            Self::StrayQuote { line, field } => format!(
                "Dòng {line}, cột thứ {field}: dấu nháy kép đặt sai chỗ (trong ô không được bao bởi dấu nháy, hoặc sau dấu nháy đóng)."
            ),
        }
    }

    /// Message in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::Encoding { offset } => {
                format!("The file is not UTF-8 text (first bad byte at offset {offset}); save the CSV as UTF-8.")
            }
            Self::UnterminatedQuote { line } => format!("Line {line}: a quoted field is never closed."),
            Self::StrayQuote { line, field } => format!(
                "Line {line}, field {field}: misplaced double quote (inside an unquoted field or after a closing quote)."
            ),
        }
    }
}

/// Decodes bytes as UTF-8 (dropping a byte-order mark) and parses them with [`parse_csv`].
pub fn parse_csv_bytes(bytes: &[u8]) -> Result<Vec<CsvRecord>, CsvError> {
    let text = std::str::from_utf8(bytes).map_err(|e| CsvError::Encoding {
        offset: e.valid_up_to(),
    })?;
    parse_csv(text)
}

/// Parses CSV text (RFC 4180). A leading BOM is dropped; blank lines are skipped. Never panics.
pub fn parse_csv(text: &str) -> Result<Vec<CsvRecord>, CsvError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut records = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut line = 1usize;
    let mut record_line = 1usize;
    let mut chars = text.chars().peekable();
    // State: at field start, in an unquoted field, in a quoted field, after a closing quote.
    #[derive(PartialEq)]
    enum St {
        Start,
        Plain,
        Quoted,
        Closed,
    }
    let mut st = St::Start;
    let mut quote_line = 1usize;
    let mut quoted_in_record = false;
    let end_record =
        |fields: &mut Vec<String>, field: &mut String, records: &mut Vec<CsvRecord>, at: usize, quoted: bool| {
            fields.push(std::mem::take(field));
            let f = std::mem::take(fields);
            if quoted || !(f.len() == 1 && f[0].is_empty()) {
                records.push(CsvRecord { line: at, fields: f });
            }
        };
    while let Some(c) = chars.next() {
        match st {
            St::Quoted => {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        field.push('"');
                    } else {
                        st = St::Closed;
                    }
                } else {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                }
            }
            _ => match c {
                ',' => {
                    fields.push(std::mem::take(&mut field));
                    st = St::Start;
                }
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' | '\r' => {
                    end_record(&mut fields, &mut field, &mut records, record_line, quoted_in_record);
                    quoted_in_record = false;
                    line += 1;
                    record_line = line;
                    st = St::Start;
                }
                '"' if st == St::Start => {
                    st = St::Quoted;
                    quoted_in_record = true;
                    quote_line = line;
                }
                _ if st == St::Closed || c == '"' => {
                    return Err(CsvError::StrayQuote {
                        line,
                        field: fields.len() + 1,
                    });
                }
                _ => {
                    field.push(c);
                    st = St::Plain;
                }
            },
        }
    }
    if st == St::Quoted {
        return Err(CsvError::UnterminatedQuote { line: quote_line });
    }
    end_record(&mut fields, &mut field, &mut records, record_line, quoted_in_record);
    Ok(records)
}

/// Quotes one field for writing CSV (used by exports and tests): quoted when it holds a comma,
/// quote or line break.
pub fn quote_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc_4180_quotes_commas_newlines_bom() {
        let r = parse_csv("\u{FEFF}a,b,c\r\n1,\"x, y\",\"line1\nline2\"\n2,\"say \"\"hi\"\"\",\n\n").unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].fields, ["a", "b", "c"]);
        assert_eq!(r[1].fields, ["1", "x, y", "line1\nline2"]);
        assert_eq!(r[1].line, 2);
        assert_eq!(r[2].fields, ["2", "say \"hi\"", ""]);
        assert_eq!(r[2].line, 4);
        assert_eq!(parse_csv("a,b").unwrap()[0].fields, ["a", "b"]);
        assert_eq!(parse_csv("").unwrap().len(), 0);
        assert_eq!(parse_csv(",").unwrap()[0].fields, ["", ""]);
    }

    #[test]
    fn csv_errors_name_the_line() {
        let e = parse_csv("a,b\n\"open,x\n").unwrap_err();
        assert_eq!((e.code(), e.line()), ("csv_unterminated_quote", 2));
        assert!(e.message_vi().contains("Dòng 2"));
        let e = parse_csv("a,b\nx,ab\"c\n").unwrap_err();
        assert_eq!(e, CsvError::StrayQuote { line: 2, field: 2 });
        let e = parse_csv("\"a\"b\n").unwrap_err();
        assert_eq!(e.code(), "csv_stray_quote");
        let e = parse_csv_bytes(b"a,b\n\xff\xfe").unwrap_err();
        assert_eq!(e.code(), "csv_encoding_invalid");
        assert!(e.message_vi().contains("UTF-8"));
    }

    proptest! {
        #[test]
        fn quoted_round_trip(rows in proptest::collection::vec(proptest::collection::vec("\\PC{0,12}", 1..5), 1..6)) {
            let text: String = rows
                .iter()
                .map(|r| r.iter().map(|f| format!("\"{}\"", f.replace('"', "\"\""))).collect::<Vec<_>>().join(","))
                .collect::<Vec<_>>()
                .join("\r\n");
            let parsed = parse_csv(&text).unwrap();
            let fields: Vec<Vec<String>> = parsed.into_iter().map(|r| r.fields).collect();
            prop_assert_eq!(fields, rows);
        }

        #[test]
        fn never_panics(s in "\\PC{0,100}", b in proptest::collection::vec(any::<u8>(), 0..100)) {
            let _ = parse_csv(&s);
            let _ = parse_csv_bytes(&b);
        }
    }
}
