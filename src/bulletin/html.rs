//! The bulletin as one self-contained HTML document: readable offline and printable, no script, no
//! link out; its two charts inline SVG (a bar chart of the ranking, a line chart of the reporting
//! over the range). Well-formed as XML too (every element closed), so any XML tool reads it.

use std::fmt::Write;

use super::{markdown, Bulletin};
use crate::calendar;
use crate::chart::{self, Axis, Bar, Series};
use crate::error::Result;
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

const STYLE: &str = "\
body{margin:0;background:#f4f4f2;color:#222;font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"PingFang SC\",\"Microsoft YaHei\",sans-serif;line-height:1.6}
main{max-width:1000px;margin:0 auto;padding:24px 32px 48px;background:#fff}
h1{font-size:26px;text-align:center;margin:16px 0 4px}
h2{font-size:19px;border-left:5px solid #c0392b;padding-left:10px;margin-top:32px}
p.about{text-align:center;color:#555;margin-top:0}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:10px;margin:12px 0}
.figures div{border:1px solid #ddd;border-radius:6px;padding:8px 12px}
.figures b{display:block;font-size:20px;color:#1f4e79}
.figures span{font-size:13px;color:#555}
figure{margin:16px 0;text-align:center}
figure svg{max-width:100%;height:auto}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border:1px solid #ddd;padding:4px 8px;white-space:nowrap}
th{background:#f0f0ee}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.named td{background:#fdecea}
li{margin:4px 0}
footer{margin-top:32px;font-size:13px;color:#666;border-top:1px solid #ddd;padding-top:8px}
@media print{body{background:#fff}main{padding:0}}
";

/// The bar chart of the ranking: every unit's score, the named in the alarm colour.
pub fn ranking_chart(b: &Bulletin) -> Result<String> {
    let bars: Vec<Bar> = b
        .lines
        .iter()
        .map(|l| Bar {
            label: format!("{} {}", l.rank, l.summary.unit.name),
            value: l.score,
            marked: !l.named.is_empty(),
        })
        .collect();
    chart::bar_chart(t("bulletin.chart.ranking"), &bars, 100.0, (t("bulletin.chart.score"), t("bulletin.chart.named")))
}

/// The line chart of the reporting over the range: the reporting and on-time rates by month.
pub fn timeliness_chart(b: &Bulletin) -> Result<String> {
    let x: Vec<String> = b.by_period.iter().map(|(p, _, _)| p.to_string()).collect();
    let series = vec![
        Series { name: t("bulletin.series.reporting").into(), values: b.by_period.iter().map(|p| p.1).collect() },
        Series { name: t("bulletin.series.on_time").into(), values: b.by_period.iter().map(|p| p.2).collect() },
    ];
    chart::line_chart(t("bulletin.chart.timeliness"), &x, &series, Axis::Percent)
}

pub fn render(b: &Bulletin) -> Result<String> {
    let title = tf("bulletin.title", &[("root", &b.root.name), ("range", &b.range)]);
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\"/>\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
        if lang() == Lang::Zh { "zh-CN" } else { "en" },
        esc(&title),
        esc(&title)
    );
    let about = tf("bulletin.about", &[("root", &b.root.code), ("level", &b.level.label()), ("units", &b.lines.len())]);
    let _ = writeln!(s, "<p class=\"about\">{}</p>", esc(&about));

    // 1. The headline, and the reporting month by month.
    let _ = writeln!(s, "<h2>{}</h2>\n<div class=\"figures\">", esc(t("bulletin.h.headline")));
    for (label, value) in markdown::headline(b) {
        let _ = writeln!(s, "<div><b>{}</b><span>{}</span></div>", esc(&value), esc(label));
    }
    let _ = writeln!(s, "</div>\n<figure>\n{}\n</figure>", timeliness_chart(b)?);

    // 2. The ranking: its weights, its chart, its table.
    let _ = writeln!(s, "<h2>{}</h2>\n<p>{}</p>", esc(t("bulletin.h.ranking")), esc(&markdown::weights(b)));
    let _ = writeln!(s, "<figure>\n{}\n</figure>", ranking_chart(b)?);
    let _ = write!(s, "<table>\n<thead><tr>");
    for c in markdown::columns() {
        let _ = write!(s, "<th>{}</th>", esc(c));
    }
    let _ = writeln!(s, "</tr></thead>\n<tbody>");
    for l in &b.lines {
        let _ = write!(s, "<tr{}>", if l.named.is_empty() { "" } else { " class=\"named\"" });
        for (k, c) in markdown::cells(l).iter().enumerate() {
            let numeric = k == 0 || (3..8).contains(&k);
            let _ = write!(s, "<td{}>{}</td>", if numeric { " class=\"n\"" } else { "" }, esc(c));
        }
        let _ = writeln!(s, "</tr>");
    }
    let _ = writeln!(s, "</tbody>\n</table>");

    // 3. The units named, with the facts that put them there.
    let _ = writeln!(s, "<h2>{}</h2>\n<p>{}</p>", esc(t("bulletin.h.named")), esc(t("bulletin.rule")));
    if b.named().next().is_none() {
        let _ = writeln!(s, "<p>{}</p>", esc(t("bulletin.none_named")));
    } else {
        let _ = writeln!(s, "<ul>");
        for l in b.named() {
            let _ = writeln!(
                s,
                "<li><strong>{} {}</strong>{}{}</li>",
                esc(&l.summary.unit.code),
                esc(&l.summary.unit.name),
                esc(t("colon")),
                esc(&markdown::reasons(l).join(t("bulletin.sep")))
            );
        }
        let _ = writeln!(s, "</ul>");
    }

    // 4. The best.
    let _ = writeln!(s, "<h2>{}</h2>\n<ul>", esc(t("bulletin.h.best")));
    for l in b.best() {
        let _ = writeln!(
            s,
            "<li><strong>{} {}</strong>{}{}</li>",
            esc(&l.summary.unit.code),
            esc(&l.summary.unit.name),
            esc(t("colon")),
            esc(&markdown::best_line(l))
        );
    }
    let _ = writeln!(s, "</ul>");

    // 5. The correction.
    if let Some(by) = b.correct_by {
        let _ = writeln!(
            s,
            "<h2>{}</h2>\n<p>{}</p>",
            esc(t("bulletin.h.correction")),
            esc(&tf("bulletin.correct_by", &[("date", &calendar::show_cst(by, true))]))
        );
    }
    let _ = writeln!(
        s,
        "<footer>{}</footer>\n</main>\n</body>\n</html>",
        esc(&tf("bulletin.footer", &[("previous", &b.previous), ("range", &b.range)]))
    );
    Ok(s)
}
