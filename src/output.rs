//! Output: a table when stdout is a terminal, tab-separated rows otherwise, or the
//! format asked for. Data goes to stdout; status lines, warnings and progress to stderr.

use std::io::{IsTerminal, Write};

use serde_json::{Map, Value};

use crate::error::Result;
use crate::i18n::t;
use crate::terminal::escape_for_terminal;
use crate::text::neutralise;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Tsv,
    Json,
}

/// One value in a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Str(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Str(s)
    }
}
impl From<&String> for Cell {
    fn from(s: &String) -> Cell {
        Cell::Str(s.clone())
    }
}
impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}
impl From<bool> for Cell {
    fn from(b: bool) -> Cell {
        Cell::Bool(b)
    }
}
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(o: Option<T>) -> Cell {
        o.map_or(Cell::Null, Into::into)
    }
}

impl Cell {
    /// As text for machine formats.
    fn machine(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Str(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Float(f) => f.to_string(),
            Cell::Bool(b) => b.to_string(),
        }
    }
    /// As text for a person: control characters escaped, so that no stored text acts on the
    /// terminal (docs/SECURITY.md).
    fn human(&self) -> String {
        match self {
            Cell::Bool(true) => t("yes").to_string(),
            Cell::Bool(false) => t("no").to_string(),
            Cell::Str(s) => escape_for_terminal(s).into_owned(),
            other => other.machine(),
        }
    }
    /// As a CSV cell: a text cell neutralised and its control characters escaped; numbers as
    /// they are.
    fn csv(&self) -> String {
        match self {
            Cell::Str(s) => crate::text::csv_cell(s).into_owned(),
            other => other.machine(),
        }
    }
    /// As a TSV cell: a text cell neutralised (a spreadsheet opens tab-separated text too), then
    /// escaped.
    fn tsv(&self) -> String {
        match self {
            Cell::Str(s) => tsv_escape(&neutralise(s)),
            other => tsv_escape(&other.machine()),
        }
    }
    fn json(&self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Str(s) => Value::String(s.clone()),
            Cell::Int(n) => Value::from(*n),
            Cell::Float(f) => Value::from(*f),
            Cell::Bool(b) => Value::Bool(*b),
        }
    }
}

/// A column: its stable machine key and the catalogue key of its header.
pub type Column = (&'static str, &'static str);

/// Where output goes and how it looks.
#[derive(Debug, Clone)]
pub struct Out {
    pub format: Format,
    /// Whether the format was asked for (rather than chosen from the terminal).
    pub explicit: bool,
    pub quiet: bool,
    pub verbose: bool,
}

impl Out {
    pub fn new(format: Option<Format>, quiet: bool, verbose: bool) -> Out {
        let chosen = format.unwrap_or(if std::io::stdout().is_terminal() { Format::Table } else { Format::Tsv });
        Out { format: chosen, explicit: format.is_some(), quiet, verbose }
    }

    /// Whether output is for a program (csv/tsv/json) rather than a person.
    pub fn is_machine(&self) -> bool {
        self.format != Format::Table
    }

    /// A word with a stable machine value (a level, role, state): the value in machine formats,
    /// the catalogue's word in a table.
    pub fn word(&self, machine: &str, human: &str) -> Cell {
        Cell::from(if self.is_machine() { machine } else { human })
    }

    /// A person's name: in a table, an account issued without one (the published personnel form
    /// has no 姓名) shows as awaiting it; machine formats give it as empty.
    /// A stored time as its reader reads it: RFC 3339 in CST for a program, `YYYY-MM-DD HH:MM`
    /// (CST) for a person; a value that is not a stored time, as it is.
    pub fn time(&self, stored: &str) -> String {
        crate::calendar::parse_stored(stored).map_or(stored.to_string(), |t| {
            if self.is_machine() {
                crate::calendar::rfc3339_cst(t)
            } else {
                crate::calendar::show_cst(t, false)
            }
        })
    }

    /// [`Out::time`] as a cell; none, an empty cell.
    pub fn when(&self, stored: Option<&str>) -> Cell {
        Cell::from(stored.map(|s| self.time(s)))
    }

    pub fn person_name(&self, name: Option<&str>) -> Cell {
        match name {
            Some(n) => Cell::from(n),
            None if self.is_machine() => Cell::Null,
            None => Cell::from(t("account.awaiting_name")),
        }
    }

    /// A status line on stderr (hidden by `-q`).
    pub fn status(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{}", escape_for_terminal(msg));
        }
    }

    /// A warning on stderr (always shown).
    pub fn warn(&self, msg: &str) {
        eprintln!("{}{}", t("warning"), escape_for_terminal(msg));
    }

    /// A line of detail on stderr with `-v`.
    pub fn debug(&self, msg: &str) {
        if self.verbose {
            eprintln!("{}", escape_for_terminal(msg));
        }
    }

    /// A list of rows.
    pub fn list(&self, columns: &[Column], rows: &[Vec<Cell>]) -> Result<()> {
        let named: Vec<(String, String)> = columns.iter().map(|(k, h)| (k.to_string(), t(h).to_string())).collect();
        self.list_named(&named, rows)
    }

    /// A list of rows whose columns are known only at run time: each its machine key and its
    /// header in the reader's words.
    pub fn list_named(&self, columns: &[(String, String)], rows: &[Vec<Cell>]) -> Result<()> {
        let mut w = std::io::stdout().lock();
        match self.format {
            Format::Table => {
                let headers: Vec<String> = columns.iter().map(|(_, h)| h.clone()).collect();
                let cells: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(Cell::human).collect()).collect();
                write!(w, "{}", layout(&headers, &cells, crate::terminal::width()))?;
            }
            Format::Tsv => {
                writeln!(w, "{}", columns.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join("\t"))?;
                for row in rows {
                    writeln!(w, "{}", row.iter().map(Cell::tsv).collect::<Vec<_>>().join("\t"))?;
                }
            }
            Format::Csv => {
                let mut cw = csv::Writer::from_writer(&mut w);
                cw.write_record(columns.iter().map(|(k, _)| k.as_str()))?;
                for row in rows {
                    cw.write_record(row.iter().map(Cell::csv))?;
                }
                cw.flush()?;
            }
            Format::Json => {
                let arr: Vec<Value> =
                    rows.iter().map(|row| object(columns.iter().map(|(k, _)| k.as_str()), row)).collect();
                serde_json::to_writer_pretty(&mut w, &Value::Array(arr))?;
                writeln!(w)?;
            }
        }
        w.flush()?;
        Ok(())
    }

    /// One record: `Label: value` lines for a person (labels aligned), one row in csv/tsv, an
    /// object in JSON.
    pub fn record(&self, columns: &[Column], row: &[Cell]) -> Result<()> {
        match self.format {
            Format::Table => {
                let mut w = std::io::stdout().lock();
                let headers: Vec<String> = columns.iter().map(|(_, h)| t(h).to_string()).collect();
                let cells: Vec<String> = row.iter().map(Cell::human).collect();
                write!(w, "{}", blocks(&headers, &[cells], crate::terminal::width()))?;
                w.flush()?;
                Ok(())
            }
            Format::Json => {
                let mut w = std::io::stdout().lock();
                serde_json::to_writer_pretty(&mut w, &object(columns.iter().map(|(k, _)| *k), row))?;
                writeln!(w)?;
                w.flush()?;
                Ok(())
            }
            _ => self.list(columns, &[row.to_vec()]),
        }
    }
}

fn object<'a>(keys: impl Iterator<Item = &'a str>, row: &[Cell]) -> Value {
    let mut m = Map::new();
    for (k, c) in keys.zip(row) {
        m.insert(k.to_string(), c.json());
    }
    Value::Object(m)
}

/// A backslash doubled, then every control character escaped (`\t`, `\n`, `\r`, `\u{1b}`), so
/// that a row is one line and its fields are split by the tabs alone.
fn tsv_escape(s: &str) -> String {
    if s.contains('\\') {
        escape_for_terminal(&s.replace('\\', "\\\\")).into_owned()
    } else {
        escape_for_terminal(s).into_owned()
    }
}

/// Below this many columns a list prints one record per block ("Tables fit the
/// terminal"): a grid of more than a few columns cannot be read there.
pub const NARROW: usize = 100;

/// A column at most this wide (its header and every cell) never wraps: codes, states, dates,
/// usernames, numbers. Wider ones (names of things, details, reasons) wrap when a table must.
const ATOM: usize = 24;

/// The narrowest a wrapping column is squeezed to before the list prints as blocks instead.
const MIN_WRAP: usize = 16;

/// Display width (a CJK character takes two columns).
pub fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// A list for a person, fitted to `width` (none: no limit). As a grid when it fits at its
/// natural width; on a wide terminal (at least [`NARROW`]) with its long text columns wrapped
/// when the others fit whole; otherwise one record per block. Nothing narrower than [`ATOM`]
/// is ever broken across lines, so a code or a state reads whole.
fn layout(headers: &[String], rows: &[Vec<String>], width: Option<usize>) -> String {
    let n = headers.len();
    let natural: Vec<usize> = (0..n)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| display_width(c))
                .chain([display_width(&headers[i])])
                .max()
                .unwrap_or(1)
                .max(1)
        })
        .collect();
    // UTF8_FULL_CONDENSED: a border before each column and after the last, one space either side.
    let total = |ws: &mut dyn Iterator<Item = usize>| ws.map(|w| w + 3).sum::<usize>() + 1;
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header(headers);
    for row in rows {
        table.add_row(row);
    }
    let Some(width) = width else {
        table.set_content_arrangement(comfy_table::ContentArrangement::Disabled);
        return format!("{table}\n");
    };
    if total(&mut natural.iter().copied()) <= width {
        table.set_content_arrangement(comfy_table::ContentArrangement::Disabled);
        return format!("{table}\n");
    }
    let wrapping = natural.iter().filter(|w| **w > ATOM).count();
    let fixed = total(&mut natural.iter().map(|w| if *w > ATOM { MIN_WRAP } else { *w }));
    if rows.is_empty() || width < NARROW || wrapping == 0 || fixed > width {
        return blocks(headers, rows, Some(width));
    }
    table.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    table.set_width(u16::try_from(width).unwrap_or(u16::MAX));
    for (i, w) in natural.iter().enumerate() {
        if *w <= ATOM {
            if let Some(c) = table.column_mut(i) {
                c.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
            }
        }
    }
    format!("{table}\n")
}

/// Records as blocks: one `Label: value` line per field that has a value, the labels aligned, a
/// blank line between records; a value too long for `width` continues under itself.
fn blocks(headers: &[String], rows: &[Vec<String>], width: Option<usize>) -> String {
    let sep = t("label.sep");
    let labels: Vec<String> = headers.iter().map(|h| format!("{h}{sep}")).collect();
    let label_w = labels.iter().map(|l| display_width(l)).max().unwrap_or(0);
    let room = width.map(|w| w.saturating_sub(label_w).max(MIN_WRAP));
    let mut s = String::new();
    for (k, row) in rows.iter().enumerate() {
        if k > 0 {
            s.push('\n');
        }
        for (label, value) in labels.iter().zip(row) {
            if value.is_empty() {
                continue;
            }
            let pad = " ".repeat(label_w - display_width(label));
            for (j, line) in wrap(value, room).into_iter().enumerate() {
                if j == 0 {
                    s.push_str(&format!("{label}{pad}{line}\n"));
                } else {
                    s.push_str(&format!("{}{line}\n", " ".repeat(label_w)));
                }
            }
        }
    }
    s
}

/// A value in lines of at most `room` columns: broken after a space where it can be, inside a
/// word only when the word alone is longer than a line.
fn wrap(value: &str, room: Option<usize>) -> Vec<String> {
    let Some(room) = room.filter(|r| display_width(value) > *r) else { return vec![value.to_string()] };
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in value.split_inclusive(' ') {
        if display_width(&line) + display_width(word.trim_end()) > room && !line.is_empty() {
            lines.push(line.trim_end().to_string());
            line.clear();
        }
        if display_width(word.trim_end()) > room {
            for c in word.chars() {
                if display_width(&line) + unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) > room {
                    lines.push(std::mem::take(&mut line));
                }
                line.push(c);
            }
        } else {
            line.push_str(word);
        }
    }
    if !line.trim_end().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Whether a person is at the keyboard (stdin and stdout are terminals), for prompts.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}
