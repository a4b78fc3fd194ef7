//! One import pipeline for every file eip reads (units, schools, accounts, values):
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
use crate::model::Actor;
use crate::output::{Cell, Out};
use crate::progress::Progress;
use crate::store::{Conn, Db, Tx};

/// Read `file` (`-` for standard input) and split it into rows past its preamble: the header is
/// the first row `is_header` accepts. A CSV file is decoded (UTF-8, BOM, GBK, UTF-16); a workbook
/// (`.xlsx`, `.xls`, known by its bytes) gives its first sheet, or the one `sheet` names, with
/// the sheet's row numbers as line numbers. A file with no data rows is refused (exit 6) unless
/// `allow_empty` (a form whose numbered rows are all blank is still a form).
pub fn read(
    file: &Path,
    encoding: Option<Encoding>,
    sheet: Option<&str>,
    is_header: impl Fn(&[String]) -> bool,
    columns_hint: &str,
    allow_empty: bool,
) -> Result<Sheet> {
    let label = file.display().to_string();
    let bytes = csvio::read_bytes(file)?;
    let sheet = if crate::workbook::sniff(&bytes).is_some() {
        let rows = crate::workbook::read(&label, bytes, sheet)?;
        let rows =
            rows.into_iter().map(|r| csvio::Row { line: r.line, fields: r.fields, numeric: r.numeric }).collect();
        csvio::sheet_of_rows(&label, rows, b',', false, is_header, columns_hint)?
    } else {
        if sheet.is_some() {
            return Err(error::usage(tf("workbook.sheet_of_csv", &[("file", &label)])).into());
        }
        let text = csvio::decode(&label, &bytes, encoding).map_err(|e| {
            // A file named as a workbook that is neither a workbook nor text: say so, not that
            // its encoding is wrong.
            if crate::workbook::named_as_workbook(file) {
                Error::new(Kind::Invalid, tf("workbook.not_a_workbook", &[("file", &label)]))
                    .hint(t("workbook.unreadable.hint"))
                    .into()
            } else {
                e
            }
        })?;
        if crate::workbook::named_as_workbook(file) {
            // Text named .xlsx: a CSV file renamed. It is read as what it is, and said so.
            let msg = tf("workbook.csv_named_xlsx", &[("file", &label)]);
            eprintln!("{}{}", t("warning"), crate::terminal::escape_for_terminal(&msg));
        }
        csvio::parse_sheet(&label, &text, is_header, columns_hint)?
    };
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
    /// The audit chain's head when the file was checked: the transaction that applies the plan
    /// compares it with its own ([`ImportPlan::changed_since`]) to know whether anything changed
    /// in between, and then re-checks what could have been affected.
    pub seen: i64,
}

impl<C> Default for ImportPlan<C> {
    fn default() -> Self {
        ImportPlan { rows: 0, unchanged: 0, changes: Vec::new(), errors: Vec::new(), warnings: Vec::new(), seen: 0 }
    }
}

impl<C> ImportPlan<C> {
    /// A plan for `rows` data rows, checked against the database as it stands (`conn`).
    pub fn new(conn: &crate::store::Conn, rows: usize) -> Result<Self> {
        Ok(ImportPlan { rows, seen: crate::store::audit_head(conn)?, ..Default::default() })
    }

    /// Whether anything was written since the plan was made, as read inside the transaction
    /// that applies it.
    pub fn changed_since(&self, tx: &crate::store::Tx) -> Result<bool> {
        Ok(crate::store::audit_head(tx)? != self.seen)
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
            // A file with a bad row is refused whole (exit 6), whatever the rejects file did.
            csvio::reject(sheet, self.rows, &self.errors, rejects, out)?;
            return Err(error::invalid(tf(
                "csv.rejected",
                &[("file", &sheet.file), ("bad", &self.errors.len()), ("rows", &self.rows)],
            ))
            .into());
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
}

/// The steps after reading, the same for every file (the module's list): check every row
/// against the database (`plan`), review the result (refuse, warn, or preview a dry run), and
/// apply it in one transaction (`apply`, given a tick for the progress bar), all of it or none.
/// `None` on a dry run. What the import prints once applied is the caller's to say, usually
/// [`ImportPlan::summary`].
pub fn run<C: Change, T>(
    db: &mut Db,
    actor: &Actor,
    out: &Out,
    file: &Source,
    sheet: &Sheet,
    plan: impl FnOnce(&Conn) -> Result<ImportPlan<C>>,
    mut apply: impl FnMut(&mut Tx, &ImportPlan<C>, &mut dyn FnMut()) -> Result<T>,
) -> Result<Option<(ImportPlan<C>, T)>> {
    let plan = plan(&db.conn)?;
    if plan.review(sheet, file.dry_run, file.rejects, out)? == Review::DryRun {
        return Ok(None);
    }
    let mut progress = Progress::new(plan.changes.len() as u64, out.quiet);
    let done = db.write(&actor.audit_actor(), |tx| apply(tx, &plan, &mut || progress.inc()))?;
    progress.finish();
    Ok(Some((plan, done)))
}

/// What the command line said about a file beyond its rows: a dry run, and where bad rows go.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub dry_run: bool,
    pub rejects: Option<&'a Path>,
}

/// A code the plan would add that someone else added after the file was checked (docs/
/// DECISIONS.md, "Every state change decides inside its transaction"): refused, nothing written.
pub fn stale(code: &str) -> anyhow::Error {
    Error::new(Kind::Refused, tf("races.import_stale", &[("code", &code)]))
        .hint(t("races.import_stale.hint"))
        .reason("changed_meanwhile")
        .into()
}
