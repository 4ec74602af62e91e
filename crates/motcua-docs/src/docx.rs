//! Word documents (.docx, Office Open XML) for downloadable form templates (mẫu đơn, mẫu tờ
//! khai): a small writer for what forms need — paragraphs, alignment, bold and italic, blank
//! lines to fill in — and the application form generated from a published procedure, offered for
//! download until the control officer uploads the official file.
//!
//! Text is escaped for XML, never interpreted; the package holds only the three parts Word needs
//! (`[Content_Types].xml`, `_rels/.rels`, `word/document.xml`), set in Times New Roman 13 pt as
//! Vietnamese administrative documents are (NĐ 30/2020/NĐ-CP on document format).

use std::io::Write;

use motcua_core::catalog::{FormTemplate, ProcedureVersion, Requirement};

use crate::DocsError;

/// Paragraph alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
    Justify,
}

/// One paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    pub text: String,
    pub align: Align,
    pub bold: bool,
    pub italic: bool,
}

impl Paragraph {
    /// Left-aligned plain text.
    pub fn text(s: impl Into<String>) -> Self {
        Self {
            text: s.into(),
            align: Align::Justify,
            bold: false,
            italic: false,
        }
    }
    /// Centred bold text (headings).
    pub fn heading(s: impl Into<String>) -> Self {
        Self {
            align: Align::Center,
            bold: true,
            ..Self::text(s)
        }
    }
    pub fn center(mut self) -> Self {
        self.align = Align::Center;
        self
    }
    pub fn right(mut self) -> Self {
        self.align = Align::Right;
        self
    }
    pub fn italic(mut self) -> Self {
        self.italic = true;
        self
    }
}

/// Escape text for XML element content.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Control characters are not allowed in XML 1.0; tabs and newlines are kept.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r' => {}
            c => out.push(c),
        }
    }
    out
}

fn paragraph_xml(p: &Paragraph) -> String {
    let jc = match p.align {
        Align::Left => "left",
        Align::Center => "center",
        Align::Right => "right",
        Align::Justify => "both",
    };
    let mut rpr = String::from(
        "<w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:cs=\"Times New Roman\"/>",
    );
    if p.bold {
        rpr.push_str("<w:b/>");
    }
    if p.italic {
        rpr.push_str("<w:i/>");
    }
    rpr.push_str("<w:sz w:val=\"26\"/></w:rPr>");
    let text = escape(&p.text);
    format!(
        "<w:p><w:pPr><w:jc w:val=\"{jc}\"/><w:spacing w:after=\"80\"/></w:pPr><w:r>{rpr}<w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>"
    )
}

/// A .docx package with these paragraphs, A4 with the margins of NĐ 30/2020 (top/bottom 2 cm,
/// left 3 cm, right 1.5 cm).
pub fn write(paragraphs: &[Paragraph]) -> Result<Vec<u8>, DocsError> {
    let body: String = paragraphs.iter().map(paragraph_xml).collect();
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}\
<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1134\" w:right=\"850\" w:bottom=\"1134\" w:left=\"1701\" w:header=\"567\" w:footer=\"567\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>"
    );
    let content_types = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
</Types>";
    let rels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
</Relationships>";
    let fail = |e: &dyn std::fmt::Display| DocsError::DocxWrite { detail: e.to_string() };
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", rels),
        ("word/document.xml", document.as_str()),
    ] {
        zip.start_file(name, options).map_err(|e| fail(&e))?;
        zip.write_all(content.as_bytes()).map_err(|e| fail(&e))?;
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}

/// The application form (đơn đề nghị) of a published procedure: national motto, addressee, the
/// applicant's particulars to fill in, what is requested, the dossier components attached, and
/// the signature block. `agency` is the addressee (e.g. "Sở Khoa học và Công nghệ tỉnh Quảng
/// Trị").
pub fn application_form(v: &ProcedureVersion, form: &FormTemplate, agency: &str) -> Result<Vec<u8>, DocsError> {
    let blank = "……………………………………………………………………";
    let mut p = vec![
        Paragraph::heading("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        Paragraph::heading("Độc lập - Tự do - Hạnh phúc"),
        Paragraph::text("———————").center(),
        Paragraph::text(format!("{}, ngày …… tháng …… năm ……", "……………"))
            .right()
            .italic(),
        Paragraph::heading(form.title.to_uppercase()),
        Paragraph::text(format!("Kính gửi: {agency}")).center(),
        Paragraph::text(format!("1. Tên tổ chức, cá nhân đề nghị: {blank}")),
        Paragraph::text(format!("2. Số định danh cá nhân / mã số thuế: {blank}")),
        Paragraph::text(format!("3. Địa chỉ: {blank}")),
        Paragraph::text("4. Điện thoại: …………………… Thư điện tử: ……………………"),
        Paragraph::text(format!("5. Nội dung đề nghị: {}.", v.name)),
    ];
    let attached: Vec<String> = v
        .components
        .iter()
        .filter(|c| c.form.as_deref() != Some(form.file.as_str()))
        .map(|c| {
            let when = match c.requirement {
                Requirement::Required => String::new(),
                Requirement::Conditional => format!(" ({})", c.condition.as_deref().unwrap_or("nếu có")),
            };
            format!("- {}{when}: {} bản.", c.name, c.quantity)
        })
        .collect();
    if !attached.is_empty() {
        p.push(Paragraph::text("6. Hồ sơ kèm theo:"));
        p.extend(attached.into_iter().map(Paragraph::text));
    }
    p.push(Paragraph::text(
        "Tổ chức, cá nhân đề nghị cam đoan các thông tin trên là đúng sự thật và chịu trách nhiệm trước pháp luật.",
    ));
    p.push(Paragraph::heading("TỔ CHỨC, CÁ NHÂN ĐỀ NGHỊ").right());
    p.push(Paragraph::text("(Ký, ghi rõ họ tên, đóng dấu nếu có)").right().italic());
    if let Some(by) = &form.issued_by {
        p.push(Paragraph::text(format!("Mẫu ban hành kèm theo {by}.")).italic());
    }
    write(&p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn part(docx: &[u8], name: &str) -> String {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
        let mut f = z.by_name(name).unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn a_document_holds_the_three_parts_and_escaped_vietnamese_text() {
        let bytes = write(&[
            Paragraph::heading("ĐƠN ĐỀ NGHỊ"),
            Paragraph::text("Công ty <A> & \"B\"\u{1}"),
        ])
        .unwrap();
        assert_eq!(&bytes[..2], b"PK");
        assert!(part(&bytes, "[Content_Types].xml").contains("wordprocessingml.document.main+xml"));
        assert!(part(&bytes, "_rels/.rels").contains("word/document.xml"));
        let doc = part(&bytes, "word/document.xml");
        assert!(doc.contains("ĐƠN ĐỀ NGHỊ"));
        assert!(doc.contains("Công ty &lt;A&gt; &amp; &quot;B&quot;</w:t>"), "{doc}");
    }

    #[test]
    fn the_application_form_names_the_procedure_and_lists_the_other_components() {
        let v = ProcedureVersion {
            name: "Cấp giấy phép tiến hành công việc bức xạ".into(),
            components: vec![
                motcua_core::catalog::Component {
                    name: "Đơn đề nghị".into(),
                    copy_type: motcua_core::catalog::CopyType::Original,
                    quantity: 1,
                    requirement: Requirement::Required,
                    condition: None,
                    form: Some("mau-01.docx".into()),
                    variants: vec![],
                },
                motcua_core::catalog::Component {
                    name: "Giấy ủy quyền".into(),
                    copy_type: motcua_core::catalog::CopyType::Original,
                    quantity: 1,
                    requirement: Requirement::Conditional,
                    condition: Some("khi nộp thay".into()),
                    form: None,
                    variants: vec![],
                },
            ],
            ..Default::default()
        };
        let form = FormTemplate {
            file: "mau-01.docx".into(),
            title: "Mẫu 01 — Đơn đề nghị cấp giấy phép".into(),
            issued_by: Some("Thông tư 08/2010/TT-BKHCN".into()),
        };
        let doc = part(
            &application_form(&v, &form, "Sở Khoa học và Công nghệ tỉnh Quảng Trị").unwrap(),
            "word/document.xml",
        );
        assert!(doc.contains("Kính gửi: Sở Khoa học và Công nghệ tỉnh Quảng Trị"));
        assert!(doc.contains("MẪU 01 — ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP"));
        assert!(doc.contains("Cấp giấy phép tiến hành công việc bức xạ"));
        assert!(doc.contains("Giấy ủy quyền (khi nộp thay): 1 bản."));
        assert!(
            !doc.contains("- Đơn đề nghị:"),
            "the form itself is not listed as attached"
        );
        assert!(doc.contains("Thông tư 08/2010/TT-BKHCN"));
    }
}
