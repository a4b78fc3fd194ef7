//! The bulletin as a Markdown document, in the reader's language (Chinese by default).

use std::fmt::Write;

use super::{Bulletin, Line};
use crate::calendar;
use crate::evaluation::Reason;
use crate::i18n::{t, tf};

/// A rate as a percentage with one decimal, or a dash.
pub fn pct(r: Option<f64>) -> String {
    r.map_or("—".into(), |r| format!("{:.1}%", r * 100.0))
}

/// A score, or a dash.
pub fn score(s: Option<f64>) -> String {
    s.map_or("—".into(), |s| format!("{s:.1}"))
}

/// The change since the previous range, in words: its rank then (and the score's change).
pub fn change(l: &Line) -> String {
    match (l.previous, l.score) {
        (None, _) => t("bulletin.change.new").to_string(),
        (Some((rank, Some(before))), Some(now)) => {
            let d = now - before;
            let arrow = if d > 0.05 {
                "↑"
            } else if d < -0.05 {
                "↓"
            } else {
                "→"
            };
            tf("bulletin.change", &[("rank", &rank), ("arrow", &arrow), ("delta", &format!("{d:+.1}"))])
        }
        (Some((rank, _)), _) => tf("bulletin.change.rank", &[("rank", &rank)]),
    }
}

/// Why a unit is named, in words, with the facts.
pub fn reasons(l: &Line) -> Vec<String> {
    let mut out: Vec<String> = l
        .named
        .iter()
        .map(|r| match r {
            Reason::AutoSubmitted(periods) => {
                let list: Vec<String> = periods.iter().map(|p| p.to_string()).collect();
                tf("bulletin.reason.auto", &[("periods", &list.join(t("list.sep"))), ("count", &periods.len())])
            }
            Reason::SchoolsUnconfirmed(rate) => tf(
                "bulletin.reason.schools",
                &[
                    ("rate", &pct(Some(*rate))),
                    ("confirmed", &l.summary.schools_confirmed),
                    ("expected", &l.summary.schools_expected),
                ],
            ),
        })
        .collect();
    if l.summary.urged > 0 {
        out.push(tf("bulletin.reason.urged", &[("count", &l.summary.urged)]));
    }
    out
}

/// Why a unit is among the best, in words.
pub fn best_line(l: &Line) -> String {
    tf("bulletin.best_line", &[("score", &score(l.score)), ("on_time", &pct(l.summary.on_time_rate()))])
}

/// The headline figures: (label, value).
pub fn headline(b: &Bulletin) -> Vec<(&'static str, String)> {
    let tot = &b.total;
    vec![
        (t("bulletin.expected"), tot.expected.to_string()),
        (t("bulletin.submitted"), format!("{} ({})", tot.submitted, pct(tot.reporting_rate()))),
        (t("bulletin.on_time"), format!("{} ({})", tot.on_time, pct(tot.on_time_rate()))),
        (t("bulletin.auto"), tot.auto.to_string()),
        (t("bulletin.returned"), format!("{} / {}", tot.returned, tot.withdrawn)),
        (
            t("bulletin.schools"),
            format!("{} / {} ({})", tot.schools_confirmed, tot.schools_expected, pct(tot.school_confirmation_rate())),
        ),
        (t("bulletin.named_count"), b.named().count().to_string()),
    ]
}

/// The weights line.
pub fn weights(b: &Bulletin) -> String {
    let w = &b.weights;
    tf(
        "bulletin.weights",
        &[
            ("timeliness", &format!("{:.0}%", w.timeliness)),
            ("schools", &format!("{:.0}%", w.schools)),
            ("quality", &format!("{:.0}%", w.quality)),
            ("staffing", &format!("{:.0}%", w.staffing)),
        ],
    )
}

/// The ranking's column headings.
pub fn columns() -> [&'static str; 9] {
    [
        t("bulletin.col.rank"),
        t("col.code"),
        t("col.name"),
        t("bulletin.col.score"),
        t("bulletin.col.timeliness"),
        t("bulletin.col.schools"),
        t("bulletin.col.quality"),
        t("bulletin.col.staffing"),
        t("bulletin.col.change"),
    ]
}

/// A unit's line of the ranking, as text.
pub fn cells(l: &Line) -> [String; 9] {
    let m = &l.summary;
    [
        l.rank.to_string(),
        m.unit.code.clone(),
        m.unit.name.clone(),
        score(l.score),
        pct(m.on_time_rate()),
        pct(m.school_confirmation_rate()),
        pct(m.quality()),
        pct(m.staffing()),
        change(l),
    ]
}

pub fn render(b: &Bulletin) -> String {
    let mut s = String::new();
    let level = b.level.label();
    let _ = writeln!(s, "# {}", tf("bulletin.title", &[("root", &b.root.name), ("range", &b.range)]));
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{}",
        tf("bulletin.about", &[("root", &b.root.code), ("level", &level), ("units", &b.lines.len())])
    );
    let _ = writeln!(s);
    // 1. The headline.
    let _ = writeln!(s, "## {}", t("bulletin.h.headline"));
    let _ = writeln!(s);
    for (label, value) in headline(b) {
        let _ = writeln!(s, "- {label}{}{value}", t("colon"));
    }
    let _ = writeln!(s);
    // 2. The ranking, with its weights.
    let _ = writeln!(s, "## {}", t("bulletin.h.ranking"));
    let _ = writeln!(s);
    let _ = writeln!(s, "{}", weights(b));
    let _ = writeln!(s);
    let _ = writeln!(s, "| {} |", columns().join(" | "));
    let _ = writeln!(s, "|---:|---|---|---:|---:|---:|---:|---:|---|");
    for l in &b.lines {
        let mut cells = cells(l);
        if !l.named.is_empty() {
            cells[2].push_str(" ⚠");
        }
        let _ = writeln!(s, "| {} |", cells.join(" | "));
    }
    let _ = writeln!(s);
    // 3. The units named, with the facts that put them there.
    let _ = writeln!(s, "## {}", t("bulletin.h.named"));
    let _ = writeln!(s);
    let _ = writeln!(s, "{}", t("bulletin.rule"));
    let _ = writeln!(s);
    let mut any = false;
    for l in b.named() {
        any = true;
        let _ = writeln!(
            s,
            "- **{} {}**{}{}",
            l.summary.unit.code,
            l.summary.unit.name,
            t("colon"),
            reasons(l).join(t("bulletin.sep"))
        );
    }
    if !any {
        let _ = writeln!(s, "{}", t("bulletin.none_named"));
    }
    let _ = writeln!(s);
    // 4. The best.
    let _ = writeln!(s, "## {}", t("bulletin.h.best"));
    let _ = writeln!(s);
    for l in b.best() {
        let _ = writeln!(s, "- {} {}{}{}", l.summary.unit.code, l.summary.unit.name, t("colon"), best_line(l));
    }
    let _ = writeln!(s);
    // 5. The correction.
    if let Some(by) = b.correct_by {
        let _ = writeln!(s, "## {}", t("bulletin.h.correction"));
        let _ = writeln!(s);
        let _ = writeln!(s, "{}", tf("bulletin.correct_by", &[("date", &calendar::show_cst(by, true))]));
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "---");
    let _ = writeln!(s, "{}", tf("bulletin.footer", &[("previous", &b.previous), ("range", &b.range)]));
    s
}
