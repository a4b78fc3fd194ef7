//! Output (SPEC §8): a table when stdout is a terminal, tab-separated rows otherwise, or the
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
    /// has no 姓名, SPEC §2 Real name) shows as awaiting it; machine formats give it as empty.
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
        let mut w = std::io::stdout().lock();
        match self.format {
            Format::Table => {
                let mut table = comfy_table::Table::new();
                table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
                table.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
                table.set_header(columns.iter().map(|(_, h)| t(h)));
                for row in rows {
                    table.add_row(row.iter().map(Cell::human));
                }
                writeln!(w, "{table}")?;
            }
            Format::Tsv => {
                writeln!(w, "{}", columns.iter().map(|(k, _)| *k).collect::<Vec<_>>().join("\t"))?;
                for row in rows {
                    writeln!(w, "{}", row.iter().map(Cell::tsv).collect::<Vec<_>>().join("\t"))?;
                }
            }
            Format::Csv => {
                let mut cw = csv::Writer::from_writer(&mut w);
                cw.write_record(columns.iter().map(|(k, _)| *k))?;
                for row in rows {
                    cw.write_record(row.iter().map(Cell::csv))?;
                }
                cw.flush()?;
            }
            Format::Json => {
                let arr: Vec<Value> = rows.iter().map(|row| object(columns, row)).collect();
                serde_json::to_writer_pretty(&mut w, &Value::Array(arr))?;
                writeln!(w)?;
            }
        }
        w.flush()?;
        Ok(())
    }

    /// One record: a two-column field/value table for a person, one row in csv/tsv, an object in
    /// JSON.
    pub fn record(&self, columns: &[Column], row: &[Cell]) -> Result<()> {
        match self.format {
            Format::Table => {
                let mut w = std::io::stdout().lock();
                let mut table = comfy_table::Table::new();
                table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
                table.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
                for ((_, h), c) in columns.iter().zip(row) {
                    table.add_row(vec![t(h).to_string(), c.human()]);
                }
                writeln!(w, "{table}")?;
                w.flush()?;
                Ok(())
            }
            Format::Json => {
                let mut w = std::io::stdout().lock();
                serde_json::to_writer_pretty(&mut w, &object(columns, row))?;
                writeln!(w)?;
                w.flush()?;
                Ok(())
            }
            _ => self.list(columns, &[row.to_vec()]),
        }
    }
}

fn object(columns: &[Column], row: &[Cell]) -> Value {
    let mut m = Map::new();
    for ((k, _), c) in columns.iter().zip(row) {
        m.insert((*k).to_string(), c.json());
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

/// Whether a person is at the keyboard (stdin and stdout are terminals), for prompts.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}
