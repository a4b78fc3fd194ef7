//! One import pipeline for every file eip reads (units, schools, accounts, values; SPEC §5):
//!
//! 1. [`read`] turns a file into a [`Sheet`] of rows past its preamble (the one place a new file
//!    format plugs in);
//! 2. the domain's planner checks every row against the database and returns an [`ImportPlan`]:
//!    the changes it would make, the rows that are unchanged, the errors and the warnings;
//! 3. [`ImportPlan::review`] refuses the whole file when any row is bad (exit 6, the rejects file
//!    written when asked, nothing written to the database), prints the warnings, and on a dry run
//!    prints the preview and stops;
//! 4. the command applies the plan in one transaction ([`ImportPlan::apply`] with a progress bar).
//!
//! See docs/ARCHITECTURE.md for where each importer's planner lives.

use std::path::Path;

use crate::csvio::{self, Encoding, RowError, Sheet};
use crate::error::{self, Error, Kind, Result};
use crate::i18n::{t, tf};
use crate::output::{Cell, Out};
use crate::progress::Progress;

/// Read `file` (`-` for standard input), decode it, and split it into rows past its preamble:
/// the header is the first row `is_header` accepts. A file with no data rows is refused (exit 6)
/// unless `allow_empty` (a form whose numbered rows are all blank is still a form).
pub fn read(
    file: &Path,
    encoding: Option<Encoding>,
    is_header: impl Fn(&[String]) -> bool,
    columns_hint: &str,
    allow_empty: bool,
) -> Result<Sheet> {
    let label = file.display().to_string();
    let text = csvio::read_file(file, encoding)?;
    let sheet = csvio::parse_sheet(&label, &text, is_header, columns_hint)?;
    if sheet.rows.is_empty() && !allow_empty {
        return Err(error::invalid(tf("csv.empty", &[("file", &label)])).into());
    }
    Ok(sheet)
}

/// What a change does, as the preview's last column says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Changed,
    Renamed,
}

impl ChangeKind {
    fn word(self, out: &Out) -> Cell {
        match self {
            ChangeKind::Added => out.word("added", t("change.added")),
            ChangeKind::Changed => out.word("changed", t("change.changed")),
            ChangeKind::Renamed => out.word("renamed", t("change.renamed")),
        }
    }
}

/// One change an import would make, as its preview shows it.
pub trait Change {
    /// The preview's columns before the line and after it the change (key, catalogue label).
    const COLUMNS: &'static [(&'static str, &'static str)];
    /// The file line the change comes from.
    fn line(&self) -> u64;
    fn kind(&self) -> ChangeKind;
    /// The cells under [`Change::COLUMNS`].
    fn cells(&self, out: &Out) -> Vec<Cell>;
}

/// Every row of a file checked against the database before anything is written.
#[derive(Debug)]
pub struct ImportPlan<C> {
    /// Data rows read (a form's numbered blank rows are not rows).
    pub rows: usize,
    /// Rows that match what is stored.
    pub unchanged: usize,
    /// What applying the plan writes, in file order.
    pub changes: Vec<C>,
    /// Bad rows: any one refuses the whole file.
    pub errors: Vec<RowError>,
    /// Rows applied with a word of caution.
    pub warnings: Vec<RowError>,
}

impl<C> Default for ImportPlan<C> {
    fn default() -> Self {
        ImportPlan { rows: 0, unchanged: 0, changes: Vec::new(), errors: Vec::new(), warnings: Vec::new() }
    }
}

/// What [`ImportPlan::review`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    /// Go on and apply.
    Apply,
    /// A dry run: the preview was printed; write nothing.
    DryRun,
}

impl<C: Change> ImportPlan<C> {
    /// A row-level error at `line`.
    pub fn error(&mut self, line: u64, message: impl Into<String>) {
        self.errors.push(RowError { line, message: message.into() });
    }

    /// A row-level warning at `line`.
    pub fn warn(&mut self, line: u64, message: impl Into<String>) {
        self.warnings.push(RowError { line, message: message.into() });
    }

    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.kind() == kind).count()
    }

    /// "N rows: A added, C changed, U unchanged".
    pub fn summary(&self) -> String {
        let added = self.count(ChangeKind::Added);
        tf(
            "csv.summary",
            &[
                ("rows", &self.rows),
                ("added", &added),
                ("changed", &(self.changes.len() - added)),
                ("unchanged", &self.unchanged),
            ],
        )
    }

    /// Refuse the file if any row is bad (exit 6; the rejects file written when asked), print the
    /// warnings, and on a dry run print the preview and the summary.
    pub fn review(&self, sheet: &Sheet, dry_run: bool, rejects: Option<&Path>, out: &Out) -> Result<Review> {
        if !self.errors.is_empty() {
            csvio::reject(sheet, self.rows, &self.errors, rejects, out)?;
        }
        for w in &self.warnings {
            out.warn(&tf("csv.line_error", &[("line", &w.line), ("message", &w.message)]));
        }
        if !dry_run {
            return Ok(Review::Apply);
        }
        self.preview(out)?;
        out.status(&self.summary());
        out.status(t("csv.dry_run"));
        Ok(Review::DryRun)
    }

    /// The changes as a table: line, the change's own columns, the change.
    pub fn preview(&self, out: &Out) -> Result<()> {
        let mut columns = vec![("line", "col.line")];
        columns.extend_from_slice(C::COLUMNS);
        columns.push(("change", "col.change"));
        let mut rows: Vec<(u64, Vec<Cell>)> = self
            .changes
            .iter()
            .map(|c| {
                let mut row = vec![Cell::Int(c.line() as i64)];
                row.extend(c.cells(out));
                row.push(c.kind().word(out));
                (c.line(), row)
            })
            .collect();
        rows.sort_by_key(|(line, _)| *line);
        let rows: Vec<Vec<Cell>> = rows.into_iter().map(|(_, r)| r).collect();
        out.list(&columns, &rows)
    }

    /// Apply every change with `f`, a progress bar on a terminal for a long file.
    pub fn apply<E>(
        &self,
        quiet: bool,
        mut f: impl FnMut(&C) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let mut progress = Progress::new(self.changes.len() as u64, quiet);
        for c in &self.changes {
            f(c)?;
            progress.inc();
        }
        progress.finish();
        Ok(())
    }
}

/// A code the plan would add that someone else added after the file was checked (docs/
/// DECISIONS.md, "Every state change decides inside its transaction"): refused, nothing written.
pub fn stale(code: &str) -> anyhow::Error {
    Error::new(Kind::Refused, tf("races.import_stale", &[("code", &code)]))
        .hint(t("races.import_stale.hint"))
        .reason("changed_meanwhile")
        .into()
}
