//! CSV exports that open correctly in Excel and LibreOffice with Vietnamese text: UTF-8 with a
//! byte-order mark, CRLF line ends, RFC 4180 quoting.

/// Write a header row and data rows.
pub fn write<S: AsRef<str>>(header: &[&str], rows: impl IntoIterator<Item = Vec<S>>) -> String {
    let mut out = String::from("\u{feff}");
    push_row(&mut out, header.iter().copied());
    for r in rows {
        push_row(&mut out, r.iter().map(|s| s.as_ref()));
    }
    out
}

fn push_row<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    let mut first = true;
    for c in cells {
        if !first {
            out.push(',');
        }
        first = false;
        // A leading = + - @ would be run as a formula by spreadsheets: neutralise it.
        let c = if c.starts_with(['=', '+', '-', '@']) {
            format!("'{c}")
        } else {
            c.to_owned()
        };
        if c.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&c.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&c);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_and_bom() {
        let s = super::write(
            &["mã", "tên"],
            vec![vec!["1", "Đăng ký, \"mới\""], vec!["=cmd()", "x\ny"]],
        );
        assert!(s.starts_with('\u{feff}'));
        assert_eq!(
            s.trim_start_matches('\u{feff}'),
            "mã,tên\r\n1,\"Đăng ký, \"\"mới\"\"\"\r\n'=cmd(),\"x\ny\"\r\n"
        );
    }
}
