//! The bulletin as one self-contained HTML document: readable offline, no script, no link out.

use std::fmt::Write;

use super::{markdown, Bulletin};
use crate::i18n::{lang, t, tf, Lang};

/// Text made safe inside HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub fn render(b: &Bulletin) -> String {
    let title = tf("bulletin.title", &[("root", &b.root.name), ("range", &b.range)]);
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n</head>\n<body>\n<h1>{}</h1>\n",
        if lang() == Lang::Zh { "zh-CN" } else { "en" },
        esc(&title),
        esc(&title)
    );
    let _ = writeln!(s, "<h2>{}</h2>\n<table>", esc(t("bulletin.h.ranking")));
    for l in &b.lines {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            l.rank,
            esc(&l.summary.unit.code),
            esc(&l.summary.unit.name),
            esc(&markdown::score(l.score))
        );
    }
    let _ = writeln!(s, "</table>\n</body>\n</html>");
    s
}
