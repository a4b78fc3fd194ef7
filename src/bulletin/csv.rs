//! The bulletin as CSV: one row per unit, best first, with the facts and the reasons it is named;
//! stable English column names, rates as fractions, cells safe to open in a spreadsheet.

use super::{markdown, Bulletin};
use crate::error::Result;

fn rate(r: Option<f64>) -> String {
    r.map_or(String::new(), |r| format!("{:.4}", r))
}

/// The table's columns.
pub const HEADER: [&str; 22] = [
    "rank",
    "code",
    "name",
    "score",
    "on_time_rate",
    "school_confirmation_rate",
    "quality",
    "staffing",
    "expected",
    "submitted",
    "on_time",
    "auto_submitted",
    "returned",
    "withdrawn",
    "schools_expected",
    "schools_confirmed",
    "flags",
    "urged",
    "previous_rank",
    "previous_score",
    "named",
    "reasons",
];

/// The columns that hold text (the code, the name, whether named, the reasons); every other one
/// holds a figure.
pub const TEXT_COLUMNS: [usize; 4] = [1, 2, 20, 21];

/// One row per unit, best first, under [`HEADER`]: the cells as they are, not yet made safe.
pub fn rows(b: &Bulletin) -> Vec<Vec<String>> {
    let mut rows = Vec::with_capacity(b.lines.len());
    for l in &b.lines {
        let m = &l.summary;
        rows.push(vec![
            l.rank.to_string(),
            m.unit.code.clone(),
            m.unit.name.clone(),
            l.score.map_or(String::new(), |s| format!("{s:.1}")),
            rate(m.on_time_rate()),
            rate(m.school_confirmation_rate()),
            rate(m.quality()),
            rate(m.staffing()),
            m.expected.to_string(),
            m.submitted.to_string(),
            m.on_time.to_string(),
            m.auto.to_string(),
            m.returned.to_string(),
            m.withdrawn.to_string(),
            m.schools_expected.to_string(),
            m.schools_confirmed.to_string(),
            if m.flags_known > 0 { m.flags.to_string() } else { String::new() },
            m.urged.to_string(),
            l.previous.map_or(String::new(), |p| p.0.to_string()),
            l.previous.and_then(|p| p.1).map_or(String::new(), |s| format!("{s:.1}")),
            (!l.named.is_empty()).to_string(),
            markdown::reasons(l).join("; "),
        ]);
    }
    rows
}

pub fn render(b: &Bulletin) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    for row in rows(b) {
        w.write_record(row.iter().map(|c| crate::text::csv_cell(c).into_owned()))?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}
