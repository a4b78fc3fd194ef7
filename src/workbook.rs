//! Excel workbooks (README, "Excel workbooks"): reading the first sheet (or one named) of an
//! `.xlsx` or `.xls` file into the same rows of strings a CSV file gives, numbered by the sheet's
//! own row numbers, and writing an export as an `.xlsx` workbook with typed cells, a bold frozen
//! header and fitted column widths. The one import pipeline (`crate::import::read`) and the one
//! export writer (`crate::csvio::ExportWriter`) call this module; nothing else does.

use std::io::Write;
use std::path::Path;

use calamine::{Data, Reader};

use crate::error::{Error, Kind, Result};
use crate::i18n::{t, tf};

/// Which kind of workbook a file's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Office Open XML (`.xlsx`, and `.xlsb`/`.ods`, all zip archives).
    Xlsx,
    /// The binary format of Excel 97–2003 (`.xls`), an OLE compound file.
    Xls,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Xlsx => ".xlsx",
            Format::Xls => ".xls",
        }
    }
}

/// The workbook format of `bytes`, by content: a zip archive (`PK\x03\x04`) or an OLE compound
/// file (`D0 CF 11 E0 A1 B1 1A E1`).
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(b"PK\x03\x04") {
        Some(Format::Xlsx)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Some(Format::Xls)
    } else {
        None
    }
}

/// Whether a file's name says it is a workbook (`.xlsx`, `.xlsm`, `.xls`).
pub fn named_as_workbook(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref(),
        Some("xlsx" | "xlsm" | "xls")
    )
}

/// Whether an export to `path` writes a workbook: its name ends in `.xlsx`.
pub fn writes_workbook(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// An export is written as CSV or as `.xlsx`: a file named `.xls` or `.xlsm` would hold neither
/// what its name says, and is refused (exit 2) before anything is created.
pub fn check_output(path: &Path) -> Result<()> {
    if named_as_workbook(path) && !writes_workbook(path) {
        return Err(crate::error::usage(tf("workbook.xls_output", &[("file", &path.display())]))
            .hint(t("workbook.xls_output.hint"))
            .into());
    }
    Ok(())
}

/// One row of a sheet: its 1-based row number in the sheet, its cells as text, and which of them
/// were numbers (a mobile stored as a number may have lost its last digits).
#[derive(Debug, Clone)]
pub struct SheetRow {
    pub line: u64,
    pub fields: Vec<String>,
    pub numeric: Vec<bool>,
}

/// The rows of `sheet` (the first sheet when `None`) of the workbook in `bytes`. A workbook that
/// cannot be read, or that has no such sheet, is refused (exit 6) naming what is wrong.
pub fn read(file: &str, bytes: Vec<u8>, sheet: Option<&str>) -> Result<Vec<SheetRow>> {
    // The readers of a damaged file should answer with an error; should one panic instead, the
    // file is refused like any other unreadable workbook, and nothing is written.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let read = std::panic::catch_unwind(|| read_unguarded(file, bytes, sheet));
    std::panic::set_hook(previous);
    match read {
        Ok(r) => r,
        Err(_) => Err(unreadable(file, &t("workbook.damaged"))),
    }
}

fn unreadable(file: &str, detail: &dyn std::fmt::Display) -> anyhow::Error {
    Error::new(Kind::Invalid, tf("workbook.unreadable", &[("file", &file), ("detail", detail)]))
        .hint(t("workbook.unreadable.hint"))
        .into()
}

fn read_unguarded(file: &str, bytes: Vec<u8>, sheet: Option<&str>) -> Result<Vec<SheetRow>> {
    let mut book =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| unreadable(file, &e))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(want) => {
            names.iter().find(|n| n.as_str() == want || n.trim() == want.trim()).cloned().ok_or_else(|| {
                anyhow::Error::from(
                    Error::new(
                        Kind::Invalid,
                        tf("workbook.no_sheet", &[("file", &file), ("sheet", &want), ("sheets", &names.join(", "))]),
                    )
                    .hint(t("workbook.no_sheet.hint")),
                )
            })?
        }
        None => names.first().cloned().ok_or_else(|| unreadable(file, &t("workbook.no_sheets")))?,
    };
    let range = book.worksheet_range(&name).map_err(|e| unreadable(file, &e))?;
    let Some((row0, col0)) = range.start() else { return Ok(Vec::new()) };
    let mut rows = Vec::with_capacity(range.height());
    for (i, cells) in range.rows().enumerate() {
        // The sheet's range may start right of column A: the cells before it are empty.
        let mut fields = vec![String::new(); col0 as usize];
        let mut numeric = vec![false; col0 as usize];
        for c in cells {
            let (text, number) = cell_text(c);
            fields.push(text.trim().to_string());
            numeric.push(number);
        }
        rows.push(SheetRow { line: u64::from(row0) + i as u64 + 1, fields, numeric });
    }
    Ok(rows)
}

/// A number as an import reads it: a whole number without a decimal point (`12`, never `12.0`),
/// anything else in its shortest exact form.
pub fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// A cell's text, and whether it was a number. Dates are `YYYY-MM-DD` (with the time when it has
/// one); booleans `true`/`false`; an error cell (`#N/A`) its error's text.
fn cell_text(c: &Data) -> (String, bool) {
    match c {
        Data::Empty => (String::new(), false),
        Data::String(s) => (s.clone(), false),
        Data::Int(i) => (i.to_string(), true),
        Data::Float(f) => (number_text(*f), true),
        Data::Bool(b) => (b.to_string(), false),
        Data::DateTime(d) => {
            let (y, m, day, h, min, s, _) = d.to_ymd_hms_milli();
            if d.is_duration() {
                (number_text(d.as_f64()), true)
            } else if (h, min, s) == (0, 0, 0) {
                (format!("{y:04}-{m:02}-{day:02}"), false)
            } else {
                (format!("{y:04}-{m:02}-{day:02} {h:02}:{min:02}:{s:02}"), false)
            }
        }
        Data::DateTimeIso(s) => {
            (s.split('T').next().filter(|_| s.ends_with("T00:00:00")).unwrap_or(s).to_string(), false)
        }
        Data::DurationIso(s) => (s.clone(), false),
        Data::Error(e) => (e.to_string(), false),
    }
}

/// How an export's column is written in a workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Column {
    /// A text cell, always (codes, mobiles, names: never turned into numbers).
    #[default]
    Text,
    /// A number cell when the value is a number written as an import reads it back (`12`, `-2.5`;
    /// not `007`), else text.
    Number,
    /// A number cell whenever the value is a number (`85.0`, `0.5000`): a figure of a report no
    /// import reads back.
    Figure,
}

/// An export being written as a workbook: one sheet, optional preamble lines above the header
/// (each merged across the table's width), the header bold and frozen, then the data rows.
pub struct BookWriter {
    file: std::fs::File,
    book: rust_xlsxwriter::Workbook,
    preamble: Vec<String>,
    columns: Vec<Column>,
    widths: Vec<usize>,
    /// The next row to write (0-based); `None` until the header is written.
    next: Option<u32>,
    header: rust_xlsxwriter::Format,
    quoted: rust_xlsxwriter::Format,
}

/// Rows a sheet holds (Excel's limit).
const MAX_ROWS: u32 = 1_048_576;

impl BookWriter {
    /// A workbook for `file`, already created (mode 0600) by the caller.
    pub fn new(file: std::fs::File) -> BookWriter {
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet();
        BookWriter {
            file,
            book,
            preamble: Vec::new(),
            columns: Vec::new(),
            widths: Vec::new(),
            next: None,
            header: rust_xlsxwriter::Format::new().set_bold(),
            // Excel's own mark for text that would otherwise be read as a formula (the `'` typed
            // before it): the value stays as it is, and the cell is text (docs/SECURITY.md).
            quoted: rust_xlsxwriter::Format::new().set_quote_prefix(),
        }
    }

    /// A line above the header (a form's title, 单位名称, 填表日期).
    pub fn preamble(&mut self, line: &str) {
        self.preamble.push(line.to_string());
    }

    /// How each column is written (text unless said otherwise).
    pub fn columns(&mut self, columns: Vec<Column>) {
        self.columns = columns;
    }

    /// The header, or a data row once the header is written.
    pub fn record(&mut self, fields: &[&str]) -> Result<()> {
        match self.next {
            None => self.write_header(fields),
            Some(row) => {
                if row >= MAX_ROWS {
                    return Err(Error::new(Kind::Invalid, tf("workbook.too_many_rows", &[("max", &MAX_ROWS)]))
                        .hint(t("workbook.too_many_rows.hint"))
                        .into());
                }
                for (col, value) in fields.iter().enumerate() {
                    let kind = self.columns.get(col).copied().unwrap_or_default();
                    self.cell(row, col, value, kind, None)?;
                }
                self.next = Some(row + 1);
                Ok(())
            }
        }
    }

    fn write_header(&mut self, fields: &[&str]) -> Result<()> {
        let last_col = fields.len().saturating_sub(1) as u16;
        let sheet = self.book.worksheet_from_index(0)?;
        for (i, line) in self.preamble.iter().enumerate() {
            let format = if i == 0 {
                rust_xlsxwriter::Format::new().set_bold().set_font_size(14)
            } else {
                rust_xlsxwriter::Format::new()
            };
            let line = crate::terminal::escape_where(line, |ch| crate::terminal::is_control(ch) && ch != '\t');
            if last_col > 0 {
                sheet.merge_range(i as u32, 0, i as u32, last_col, &line, &format)?;
            } else {
                sheet.write_string_with_format(i as u32, 0, line.as_ref(), &format)?;
            }
        }
        let row = self.preamble.len() as u32;
        let bold = self.header.clone();
        for (col, value) in fields.iter().enumerate() {
            self.cell(row, col, value, Column::Text, Some(&bold))?;
        }
        // The header stays in view as the rows scroll (and the preamble above it).
        self.book.worksheet_from_index(0)?.set_freeze_panes(row + 1, 0)?;
        self.next = Some(row + 1);
        Ok(())
    }

    fn cell(
        &mut self,
        row: u32,
        col: usize,
        value: &str,
        kind: Column,
        format: Option<&rust_xlsxwriter::Format>,
    ) -> Result<()> {
        if col >= 16_384 {
            return Ok(());
        }
        if self.widths.len() <= col {
            self.widths.resize(col + 1, 0);
        }
        self.widths[col] = self.widths[col].max(display_width(value));
        let sheet = self.book.worksheet_from_index(0)?;
        let c = col as u16;
        if value.is_empty() {
            if let Some(f) = format {
                sheet.write_blank(row, c, f)?;
            }
            return Ok(());
        }
        if kind != Column::Text {
            let exact = |n: &f64| kind == Column::Figure || number_text(*n) == value;
            if let Some(n) = value.parse::<f64>().ok().filter(|n| n.is_finite() && exact(n)) {
                sheet.write_number(row, c, n)?;
                return Ok(());
            }
        }
        // Control characters other than a tab are shown escaped, as in a CSV export.
        let text = crate::terminal::escape_where(value, |ch| crate::terminal::is_control(ch) && ch != '\t');
        let formula_like = crate::text::neutralise(value).len() != value.len();
        match (format, formula_like) {
            (Some(f), true) => sheet.write_string_with_format(row, c, text.as_ref(), &f.clone().set_quote_prefix())?,
            (Some(f), false) => sheet.write_string_with_format(row, c, text.as_ref(), f)?,
            (None, true) => sheet.write_string_with_format(row, c, text.as_ref(), &self.quoted)?,
            (None, false) => sheet.write_string(row, c, text.as_ref())?,
        };
        Ok(())
    }

    /// A native bar chart of the rows written so far: the values of `value_col` labelled by
    /// `label_col`, the first row at the top, placed to the right of the table.
    pub fn bar_chart(&mut self, title: &str, label_col: u16, value_col: u16, max: f64) -> Result<()> {
        let Some(next) = self.next else { return Ok(()) };
        let first = self.preamble.len() as u32 + 1;
        if next <= first {
            return Ok(());
        }
        let last = next - 1;
        let sheet = self.book.worksheet_from_index(0)?;
        let name = sheet.name();
        let mut chart = rust_xlsxwriter::Chart::new(rust_xlsxwriter::ChartType::Bar);
        chart.title().set_name(title);
        chart.add_series().set_categories((name.as_str(), first, label_col, last, label_col)).set_values((
            name.as_str(),
            first,
            value_col,
            last,
            value_col,
        ));
        chart.legend().set_hidden();
        // Bars run top to bottom in the table's order.
        chart.y_axis().set_reverse();
        chart.x_axis().set_max(max).set_min(0.0);
        let rows = last - first + 1;
        chart.set_width(640).set_height(120 + 20 * rows.min(200));
        let at_col = self.widths.len().max(1) as u16 + 1;
        sheet.insert_chart(first, at_col, &chart)?;
        Ok(())
    }

    /// A second sheet: a small table (a label column, then one column a series) and a native line
    /// chart of its series beside it.
    pub fn line_sheet(
        &mut self,
        sheet_name: &str,
        title: &str,
        header: &[&str],
        rows: &[(String, Vec<Option<f64>>)],
    ) -> Result<()> {
        let sheet = self.book.add_worksheet();
        sheet.set_name(sheet_name)?;
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (c, h) in header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (r, (label, values)) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            sheet.write_string(r, 0, label)?;
            for (c, v) in values.iter().enumerate() {
                if let Some(v) = v {
                    sheet.write_number(r, c as u16 + 1, *v)?;
                }
            }
        }
        sheet.set_column_width(0, 12)?;
        let n = rows.len() as u32;
        if n == 0 {
            return Ok(());
        }
        let mut chart = rust_xlsxwriter::Chart::new(rust_xlsxwriter::ChartType::Line);
        chart.title().set_name(title);
        for c in 1..header.len() as u16 {
            chart
                .add_series()
                .set_name((sheet_name, 0, c))
                .set_categories((sheet_name, 1, 0, n, 0))
                .set_values((sheet_name, 1, c, n, c));
        }
        chart.y_axis().set_min(0.0).set_max(1.0).set_num_format("0%");
        chart.legend().set_position(rust_xlsxwriter::ChartLegendPosition::Bottom);
        sheet.insert_chart(1, header.len() as u16 + 1, &chart)?;
        Ok(())
    }

    /// Fit the columns and write the file.
    pub fn finish(mut self) -> Result<()> {
        if self.next.is_none() {
            self.write_header(&[])?;
        }
        let sheet = self.book.worksheet_from_index(0)?;
        for (col, w) in self.widths.iter().enumerate() {
            // Wide enough for the longest cell, within reason.
            let width = ((*w).clamp(4, 60) + 2) as f64;
            sheet.set_column_width(col as u16, width)?;
        }
        let bytes = self.book.save_to_buffer()?;
        self.file.write_all(&bytes)?;
        self.file.sync_all()?;
        Ok(())
    }
}

/// How many columns of a fixed-width font a text takes: CJK and full-width characters two.
pub fn display_width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_an_import_writes_them() {
        assert_eq!(number_text(12.0), "12");
        assert_eq!(number_text(-2.5), "-2.5");
        assert_eq!(number_text(13_912_345_678.0), "13912345678");
        assert_eq!(number_text(0.1), "0.1");
    }

    #[test]
    fn workbooks_are_known_by_their_bytes() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Some(Format::Xlsx));
        assert_eq!(sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]), Some(Format::Xls));
        assert_eq!(sniff("代码,名称\n".as_bytes()), None);
    }

    #[test]
    fn cjk_counts_double() {
        assert_eq!(display_width("长安区"), 6);
        assert_eq!(display_width("130102"), 6);
        assert_eq!(display_width("１３９"), 6);
    }

    #[test]
    fn damaged_bytes_are_refused_without_a_panic() {
        for bytes in [
            b"PK\x03\x04".to_vec(),
            b"PK\x03\x04garbage garbage".to_vec(),
            vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 1, 2],
        ] {
            assert!(read("f.xlsx", bytes, None).is_err());
        }
    }
}
