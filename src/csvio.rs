//! CSV interchange: reading UTF-8, UTF-8 with BOM, UTF-16 and GB18030/GBK (what Excel
//! and WPS write on Chinese Windows) by detection, finding the header row past a preamble, and
//! writing UTF-8 with BOM (or GBK on request), plus the rejects file for failed imports.

use std::io::Write;
use std::path::Path;

use crate::error::{self, Error, Kind, Result};
use crate::i18n::tf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// GB18030, a superset of GBK: decodes GBK files, and encodes every character losslessly.
    Gbk,
}

impl Encoding {
    pub fn parse(s: &str) -> Result<Encoding, Error> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "gbk" | "gb18030" | "gb2312" | "cp936" => Ok(Encoding::Gbk),
            _ => Err(error::usage(tf("csv.unknown_encoding", &[("value", &s)]))),
        }
    }
    fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Gbk => "GB18030/GBK",
        }
    }
}

/// The 1-based line on which byte `offset` lies.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Decode a file's bytes: a BOM decides; otherwise valid UTF-8 is UTF-8 and anything else must be
/// GB18030. `forced` overrides detection. An undecodable file is exit 6 naming the line.
pub fn decode(file: &str, bytes: &[u8], forced: Option<Encoding>) -> Result<String> {
    // A workbook is not text in any encoding: say what it is (README, "Excel workbooks").
    if let Some(format) = crate::workbook::sniff(bytes) {
        return Err(Error::new(Kind::Invalid, tf("workbook.not_text", &[("file", &file), ("format", &format.name())]))
            .hint(crate::i18n::t("workbook.not_text.hint"))
            .into());
    }
    let bad = |encoding: &str, line: usize| -> anyhow::Error {
        Error::new(Kind::Invalid, tf("csv.bad_encoding", &[("file", &file), ("encoding", &encoding), ("line", &line)]))
            .hint(crate::i18n::t("csv.bad_encoding.hint"))
            .into()
    };
    let utf8 = |b: &[u8]| -> Result<String> {
        std::str::from_utf8(b).map(str::to_string).map_err(|e| bad("UTF-8", line_of(b, e.valid_up_to())))
    };
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        if forced != Some(Encoding::Gbk) {
            return utf8(rest);
        }
    }
    for (bom, enc) in [(&b"\xFF\xFE"[..], encoding_rs::UTF_16LE), (&b"\xFE\xFF"[..], encoding_rs::UTF_16BE)] {
        if bytes.starts_with(bom) && forced.is_none() {
            let (text, had_errors) = enc.decode_with_bom_removal(bytes);
            if had_errors {
                return Err(bad("UTF-16", 1));
            }
            return Ok(text.into_owned());
        }
    }
    match forced {
        Some(Encoding::Utf8) => utf8(bytes),
        Some(Encoding::Gbk) => gb18030(bytes).ok_or_else(|| bad(Encoding::Gbk.name(), first_bad_gb_line(bytes))),
        None => match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_string()),
            Err(_) => gb18030(bytes).ok_or_else(|| bad(Encoding::Gbk.name(), first_bad_gb_line(bytes))),
        },
    }
}

fn gb18030(bytes: &[u8]) -> Option<String> {
    encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes).map(|c| c.into_owned())
}

/// GBK trail bytes are never `\n`, so a file can be checked line by line.
fn first_bad_gb_line(bytes: &[u8]) -> usize {
    bytes.split(|&b| b == b'\n').position(|l| gb18030(l).is_none()).map_or(1, |i| i + 1)
}

/// Read a file (or `-` for stdin) and decode it.
pub fn read_file(path: &Path, forced: Option<Encoding>) -> Result<String> {
    let label = path.display().to_string();
    decode(&label, &read_bytes(path)?, forced)
}

/// A file's bytes (or standard input's, for `-`); a file that cannot be read is exit 6 (4 when
/// it does not exist).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    let label = path.display().to_string();
    let bytes = if label == "-" {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut b)?;
        b
    } else {
        std::fs::read(path).map_err(|e| {
            let kind = if e.kind() == std::io::ErrorKind::NotFound { Kind::NotFound } else { Kind::Invalid };
            Error::new(kind, tf("csv.cannot_read", &[("file", &label), ("detail", &e)]))
        })?
    };
    Ok(bytes)
}

/// One data row with the line it starts on in the original file.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: u64,
    pub fields: Vec<String>,
    /// Which cells a workbook held as numbers (empty for a CSV file, where every cell is text).
    pub numeric: Vec<bool>,
}

impl Row {
    /// Whether cell `i` was a number in a workbook.
    pub fn is_number(&self, i: usize) -> bool {
        self.numeric.get(i).copied().unwrap_or(false)
    }
}

/// A parsed sheet: header and data rows, preamble skipped.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub file: String,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    pub delimiter: u8,
}

/// Tab-separated if the first lines have more tabs than commas (Excel's "Unicode text").
fn sniff_delimiter(text: &str) -> u8 {
    let head: String = text.lines().take(10).collect::<Vec<_>>().join("\n");
    if head.matches('\t').count() > head.matches(',').count() {
        b'\t'
    } else {
        b','
    }
}

/// Parse `text`; the header row is the first row for which `is_header` holds (lines before it are
/// a preamble, as on the official forms). Blank rows are dropped.
pub fn parse_sheet(file: &str, text: &str, is_header: impl Fn(&[String]) -> bool, columns_hint: &str) -> Result<Sheet> {
    let delimiter = sniff_delimiter(text);
    // The csv reader takes a quote that never closes as a field running to the end of the file,
    // and the rows it swallowed would then be misread: name the quote instead.
    if let Some(line) = unclosed_quote(text, delimiter) {
        return Err(Error::new(Kind::Invalid, tf("csv.unclosed_quote", &[("file", &file), ("line", &line)]))
            .hint(crate::i18n::t("csv.unclosed_quote.hint"))
            .into());
    }
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    // Line numbers come from byte offsets: the reader's own line count skips blank lines.
    let newlines: Vec<usize> = text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i).collect();
    // A record's position includes the blank lines skipped before it.
    let bytes = text.as_bytes();
    let line_at = |byte: u64| {
        let mut b = byte as usize;
        while b < bytes.len() && matches!(bytes[b], b'\n' | b'\r') {
            b += 1;
        }
        newlines.partition_point(|&n| n < b) as u64 + 1
    };
    let mut rows = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| error::invalid(tf("csv.malformed", &[("file", &file), ("detail", &e)])))?;
        let line = rec.position().map_or(0, |p| line_at(p.byte()));
        rows.push(Row { line, fields: rec.iter().map(|f| f.trim().to_string()).collect(), numeric: Vec::new() });
    }
    sheet_of_rows(file, rows, delimiter, true, is_header, columns_hint)
}

/// A sheet from rows read out of a CSV file or a workbook: blank rows dropped, the header the
/// first row `is_header` accepts (the rows before it are a preamble), a column named twice
/// refused. `strip_quotes`: drop the one leading `'` an export puts before formula-like text
/// (a CSV file's cells; a workbook's text cells hold no such mark, Excel keeps it apart).
pub fn sheet_of_rows(
    file: &str,
    all: Vec<Row>,
    delimiter: u8,
    strip_quotes: bool,
    is_header: impl Fn(&[String]) -> bool,
    columns_hint: &str,
) -> Result<Sheet> {
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for row in all {
        if row.fields.iter().all(String::is_empty) {
            continue;
        }
        match &headers {
            None => {
                if is_header(&row.fields) {
                    headers = Some(row.fields);
                }
            }
            // An export writes a formula-like text cell with one leading `'`, as Excel does;
            // the value is what follows it (docs/SECURITY.md, cells and text).
            Some(_) if strip_quotes => rows.push(Row {
                fields: row
                    .fields
                    .into_iter()
                    .map(|f| if f.starts_with('\'') { crate::text::strip_leading_quote(&f).to_string() } else { f })
                    .collect(),
                ..row
            }),
            Some(_) => rows.push(row),
        }
    }
    let Some(headers) = headers else {
        return Err(error::invalid(tf("csv.no_header", &[("file", &file), ("columns", &columns_hint)])).into());
    };
    // A column named twice is ambiguous: which one holds the value?
    let mut seen = std::collections::HashSet::new();
    for h in headers.iter().map(|h| h.trim().to_lowercase()).filter(|h| !h.is_empty()) {
        if !seen.insert(h.clone()) {
            return Err(error::invalid(tf("csv.dup_header", &[("file", &file), ("column", &h)])).into());
        }
    }
    Ok(Sheet { file: file.to_string(), headers, rows, delimiter })
}

/// The line on which a quoted field opens that never closes, if one does. A quote opens a field
/// only as its first character (as the csv reader reads it); inside, `""` is a quote of the text.
fn unclosed_quote(text: &str, delimiter: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    if !bytes.contains(&b'"') {
        return None;
    }
    let mut line = 1;
    let mut opened_on = 0;
    let mut quoted = false;
    let mut field_start = true;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            line += 1;
        }
        if quoted {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
        } else if b == b'"' && field_start {
            quoted = true;
            opened_on = line;
        }
        field_start = !quoted && (b == delimiter || b == b'\n' || b == b'\r');
        i += 1;
    }
    quoted.then_some(opened_on)
}

/// Where each known column sits in a sheet, found by header name or alias.
#[derive(Debug, Clone)]
pub struct Columns {
    index: Vec<(&'static str, Option<usize>)>,
}

impl Columns {
    /// `spec`: each column's key and the header names accepted for it (case-insensitive).
    pub fn find(headers: &[String], spec: &[(&'static str, &[&str])]) -> Columns {
        let norm: Vec<String> =
            headers.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase()).collect();
        let index = spec
            .iter()
            .map(|(key, names)| (*key, norm.iter().position(|h| names.iter().any(|n| n.to_lowercase() == *h))))
            .collect();
        Columns { index }
    }
    pub fn has(&self, key: &str) -> bool {
        self.index.iter().any(|(k, i)| *k == key && i.is_some())
    }
    /// The trimmed value of a column in a row ("" when the column or cell is absent).
    pub fn get<'r>(&self, row: &'r Row, key: &str) -> &'r str {
        self.position(key).and_then(|i| row.fields.get(i)).map_or("", String::as_str)
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.index.iter().find(|(k, _)| *k == key).and_then(|(_, i)| *i)
    }

    /// A code's cell (a unit's, a school's, an org's): full-width digits, as a Chinese input
    /// method types them (`１３０１０２`), read as ASCII.
    pub fn code(&self, row: &Row, key: &str) -> String {
        crate::text::ascii_digits(self.get(row, key)).into_owned()
    }

    /// A mobile's cell: full-width digits read as ASCII, spaces and hyphens dropped. A mobile that
    /// Excel turned into a number in scientific notation (`1.39100E+10` as text, or a number cell
    /// whose last digits are zeros) has lost digits that nothing can bring back: refused with the
    /// way to fix the sheet.
    pub fn mobile(&self, row: &Row, key: &str) -> Result<String, String> {
        let raw = self.get(row, key);
        let mobile: String =
            crate::text::ascii_digits(raw).chars().filter(|c| !matches!(c, ' ' | '-' | '\u{3000}' | '－')).collect();
        if is_scientific(&mobile) {
            return Err(tf("mobile.scientific", &[("value", &raw)]));
        }
        let number = self.position(key).is_some_and(|i| row.is_number(i));
        if number && looks_rounded(&mobile) {
            return Err(tf("mobile.rounded", &[("value", &raw)]));
        }
        Ok(mobile)
    }
}

/// `1.39100E+10`, `1.391e10`, `1E+10`: a number in scientific notation, as Excel shows a long
/// number in a narrow or General column and writes it so into CSV.
fn is_scientific(s: &str) -> bool {
    let Some((mantissa, exponent)) = s.split_once(['e', 'E']) else { return false };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !exponent.is_empty()
        && exponent.bytes().all(|b| b.is_ascii_digit())
}

/// A number cell of mobile length whose last five digits are zeros: what Excel keeps of a mobile
/// it showed in scientific notation (six significant digits, `1.39123E+10` → 13912300000) once
/// that text was read back as a number.
fn looks_rounded(s: &str) -> bool {
    s.len() >= 10 && s.bytes().all(|b| b.is_ascii_digit()) && s.ends_with("00000")
}

/// A row-level problem found while validating an import.
#[derive(Debug, Clone)]
pub struct RowError {
    pub line: u64,
    pub message: String,
}

/// Report every bad row, write the rejects file if asked, and fail with exit 6: nothing written.
/// `rows`: how many rows the import counts (a form's numbered blank rows are not rows).
pub fn reject(
    sheet: &Sheet,
    rows: usize,
    errors: &[RowError],
    rejects: Option<&Path>,
    out: &crate::output::Out,
) -> Result<()> {
    for e in errors {
        let line = tf("csv.line_error", &[("line", &e.line), ("message", &e.message)]);
        eprintln!("{}", crate::terminal::escape_for_terminal(&line));
    }
    if let Some(path) = rejects {
        let mut w = ExportWriter::create(Some(path), Encoding::Utf8)?;
        let mut header = sheet.headers.clone();
        header.push(crate::i18n::t("csv.rejects.error_column").into());
        w.record(&header)?;
        for row in &sheet.rows {
            let msgs: Vec<&str> = errors.iter().filter(|e| e.line == row.line).map(|e| e.message.as_str()).collect();
            if !msgs.is_empty() {
                let mut fields = row.fields.clone();
                fields.resize(sheet.headers.len(), String::new());
                fields.push(msgs.join("; "));
                w.record(&fields)?;
            }
        }
        w.finish()?;
        out.status(&tf("csv.rejects_written", &[("file", &path.display())]));
    }
    let bad = errors.iter().map(|e| e.line).collect::<std::collections::BTreeSet<_>>().len();
    Err(Error::new(Kind::Invalid, tf("csv.rejected", &[("file", &sheet.file), ("bad", &bad), ("rows", &rows)]))
        .hint(crate::i18n::t("csv.rejected.hint"))
        .into())
}

/// Writes an export to stdout or a file: CSV in UTF-8 with a BOM (Excel opens it correctly) or
/// GBK, or — when the file's name ends in `.xlsx` — a workbook (README, "Excel workbooks"). The
/// first record is the header; [`ExportWriter::preamble`] lines go above it.
pub struct ExportWriter {
    sink: Sink,
}

enum Sink {
    Csv { out: Box<dyn Write>, encoding: Encoding },
    Book(Box<crate::workbook::BookWriter>),
}

pub use crate::workbook::Column;

impl ExportWriter {
    pub fn create(path: Option<&Path>, encoding: Encoding) -> Result<ExportWriter> {
        let sink = match path {
            // A file others cannot read, never a link's target (docs/SECURITY.md).
            Some(p) if p.as_os_str() != "-" => {
                crate::workbook::check_output(p)?;
                let file = crate::files::create_private(p, crate::files::Existing::Replace)?;
                return ExportWriter::into_file(file, p, encoding);
            }
            _ => Sink::Csv { out: Box::new(std::io::BufWriter::new(std::io::stdout())), encoding },
        };
        let mut w = ExportWriter { sink };
        if let Sink::Csv { out, encoding: Encoding::Utf8 } = &mut w.sink {
            out.write_all(b"\xEF\xBB\xBF")?;
        }
        Ok(w)
    }

    /// An export into `file`, already created (mode 0600) for `path`: a workbook when `path` ends
    /// in `.xlsx`, else CSV.
    pub fn into_file(file: std::fs::File, path: &Path, encoding: Encoding) -> Result<ExportWriter> {
        let sink = if crate::workbook::writes_workbook(path) {
            Sink::Book(Box::new(crate::workbook::BookWriter::new(file)))
        } else {
            Sink::Csv { out: Box::new(std::io::BufWriter::new(file)), encoding }
        };
        let mut w = ExportWriter { sink };
        if let Sink::Csv { out, encoding: Encoding::Utf8 } = &mut w.sink {
            out.write_all(b"\xEF\xBB\xBF")?;
        }
        Ok(w)
    }

    /// A line above the header (a form's title, 单位名称, 填表日期): a one-cell record in CSV, a
    /// line merged across the table in a workbook. Before the first record only.
    pub fn preamble(&mut self, line: &str) -> Result<()> {
        match &mut self.sink {
            Sink::Csv { .. } => self.record([line]),
            Sink::Book(b) => {
                b.preamble(line);
                Ok(())
            }
        }
    }

    /// How a workbook writes each column (text unless said otherwise; codes and mobiles stay
    /// text). CSV has no types: nothing changes there.
    /// The workbook being written, when the output is one (for its charts).
    pub fn book(&mut self) -> Option<&mut crate::workbook::BookWriter> {
        match &mut self.sink {
            Sink::Book(b) => Some(b),
            _ => None,
        }
    }

    pub fn columns(&mut self, columns: Vec<Column>) {
        if let Sink::Book(b) = &mut self.sink {
            b.columns(columns);
        }
    }

    pub fn record<I, S>(&mut self, fields: I) -> Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let (out, encoding) = match &mut self.sink {
            Sink::Book(b) => {
                let fields: Vec<S> = fields.into_iter().collect();
                let text: Vec<std::borrow::Cow<str>> =
                    fields.iter().map(|f| String::from_utf8_lossy(f.as_ref())).collect();
                let cells: Vec<&str> = text.iter().map(|c| c.as_ref()).collect();
                return b.record(&cells);
            }
            Sink::Csv { out, encoding } => (out, *encoding),
        };
        // One record at a time, so that an encoder never sees half a character. Every cell is
        // safe to open: no formula, no raw control character (docs/SECURITY.md).
        let mut one = csv::Writer::from_writer(Vec::with_capacity(256));
        for f in fields {
            match std::str::from_utf8(f.as_ref()) {
                Ok(s) => one.write_field(crate::text::csv_cell(s).as_bytes())?,
                Err(_) => one.write_field(f)?,
            }
        }
        one.write_record(None::<&[u8]>)?;
        let bytes = one.into_inner().map_err(|e| anyhow::anyhow!("CSV writer: {e}"))?;
        match encoding {
            Encoding::Utf8 => out.write_all(&bytes)?,
            Encoding::Gbk => {
                let text =
                    String::from_utf8(bytes).map_err(|e| anyhow::anyhow!("CSV writer produced bad UTF-8: {e}"))?;
                let (enc, _, _) = encoding_rs::GB18030.encode(&text);
                out.write_all(&enc)?;
            }
        }
        Ok(())
    }

    pub fn finish(self) -> Result<()> {
        match self.sink {
            Sink::Csv { mut out, .. } => out.flush()?,
            Sink::Book(b) => b.finish()?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_bom_utf8_and_gbk() {
        let text = "代码,名称\n130102,长安区\n";
        assert_eq!(decode("f", text.as_bytes(), None).unwrap(), text);
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        assert_eq!(decode("f", &bom, None).unwrap(), text);
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(decode("f", &gbk, None).unwrap(), text);
        // encoding_rs cannot encode UTF-16; build UTF-16LE with its BOM by hand.
        let mut u16le = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            u16le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode("f", &u16le, None).unwrap(), text);
    }

    #[test]
    fn forced_utf8_on_gbk_names_the_line() {
        let (gbk, _, _) = encoding_rs::GBK.encode("code,name\n130102,x\n130103,长安\n");
        let err = decode("f.csv", &gbk, Some(Encoding::Utf8)).unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
    }

    #[test]
    fn preamble_is_skipped_and_lines_are_the_files() {
        let text = "管理人员信息表\n单位名称（盖章）：x\n序号,姓名,单位\n1,张三,130102\n\n2,李四,130103\n";
        let s = parse_sheet("f", text, |h| h.iter().any(|c| c == "姓名"), "姓名").unwrap();
        assert_eq!(s.headers, vec!["序号", "姓名", "单位"]);
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.rows[0].line, 4);
        assert_eq!(s.rows[1].line, 6);
    }

    #[test]
    fn an_unclosed_quote_is_found_on_its_line() {
        assert_eq!(unclosed_quote("a,b\n1,\"x\n2,y\n", b','), Some(2));
        assert_eq!(unclosed_quote("a,b\n1,\"x\ny\",z\n2,\"say \"\"hi\"\"\"\n", b','), None);
        assert_eq!(unclosed_quote("a,b\n1,ab\"c\n", b','), None);
        assert_eq!(unclosed_quote("a\tb\n1\t\"x\n", b'\t'), Some(2));
    }

    #[test]
    fn one_leading_quote_is_dropped_from_data_cells() {
        let s = parse_sheet("f", "code,name\n1,'=x\n2,''y\n", |_| true, "").unwrap();
        assert_eq!(s.rows[0].fields, vec!["1", "=x"]);
        assert_eq!(s.rows[1].fields, vec!["2", "'y"]);
    }

    #[test]
    fn scientific_mobiles_are_known() {
        for s in ["1.39100E+10", "1.391e10", "1E+10", "1.39123E10"] {
            assert!(is_scientific(s), "{s}");
        }
        for s in ["13912345678", "E10", "1.3.9E10", "1.39E", "abc"] {
            assert!(!is_scientific(s), "{s}");
        }
        assert!(looks_rounded("13912300000"));
        assert!(!looks_rounded("13912345678"));
    }

    #[test]
    fn a_workbook_is_not_reported_as_an_encoding() {
        let err = decode("f.csv", b"PK\x03\x04\x14\x00rest", None).unwrap_err();
        assert!(err.to_string().contains("workbook"), "{err}");
        assert!(!err.to_string().contains("GB18030"), "{err}");
    }

    #[test]
    fn tab_separated_is_sniffed() {
        let s = parse_sheet("f", "code\tname\n130102\t长安区\n", |_| true, "").unwrap();
        assert_eq!(s.delimiter, b'\t');
        assert_eq!(s.rows[0].fields, vec!["130102", "长安区"]);
    }
}
