//! `eip report trend`: one indicator or rate per unit, month by month, on three months
//! whose figures are known by construction — 长安区's two schools report 10 + 20, 12 + 20 and
//! 12 + 22 classrooms; 桥西区's one school 5, nothing, 7; 长安区's own spending (a flow) 10.5, 0
//! and 4, its platform users (a stock) 100, 150, 120.

mod common;
use common::*;

use std::collections::BTreeMap;

const A: &str = "130102";
const B: &str = "130104";
const PREF: &str = "130100";

struct Cast {
    a: Who,
    b: Who,
    pref: Who,
}

fn three_months() -> (Env, Cast) {
    let mut env = Env::national_at("2026-08-01T10:00:00+08:00");
    let c = Cast {
        a: who(&env, A, "admin", "长安管", "13700000301"),
        b: who(&env, B, "admin", "桥西管", "13700000302"),
        pref: who(&env, PREF, "admin", "市管", "13700000303"),
    };
    for (w, code, name, unit) in [
        (&c.a, "2113010001", "长安区第一小学", A),
        (&c.a, "2113010002", "长安区第二小学", A),
        (&c.b, "2113010401", "桥西区第一小学", B),
    ] {
        run(&env, w, &["school", "add", code, name, "--unit", unit, "--students", "400", "--teachers", "30"]).ok();
    }
    let set = |env: &Env, w: &Who, org: Option<&str>, p: &str, pairs: &[&str]| {
        let mut args = vec!["report", "set", "--period", p];
        if let Some(o) = org {
            args.extend(["--org", o]);
        }
        args.extend_from_slice(pairs);
        run(env, w, &args).ok();
    };
    for (p, day, s1, s2, s3, funding, users, access) in [
        ("2026-08", "2026-08-20", "10", "20", Some("5"), "10.5", "100", "1"),
        ("2026-09", "2026-09-20", "12", "20", None, "0", "150", "0"),
        ("2026-10", "2026-10-20", "12", "22", Some("7"), "4", "120", "1"),
    ] {
        env.now = format!("{day}T10:00:00+08:00");
        set(&env, &c.a, Some("2113010001"), p, &[&format!("classrooms={s1}"), &format!("internet_access={access}")]);
        set(&env, &c.a, Some("2113010002"), p, &[&format!("classrooms={s2}"), "internet_access=1"]);
        if let Some(s3) = s3 {
            set(&env, &c.b, Some("2113010401"), p, &[&format!("classrooms={s3}")]);
        }
        set(&env, &c.a, None, p, &[&format!("funding={funding}"), &format!("platform_users={users}")]);
    }
    env.now = "2026-11-20T10:00:00+08:00".into();
    (env, c)
}

fn trend(env: &Env, w: &Who, extra: &[&str]) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut args = vec!["report", "trend", "--period", "2026-08..2026-10", "--under", PREF, "--format", "csv"];
    args.extend_from_slice(extra);
    csv_maps(&run(env, w, &args).ok().stdout).into_iter().map(|r| (r["code"].clone(), r)).collect()
}

fn months(row: &BTreeMap<String, String>, last: &str) -> Vec<String> {
    ["2026-08", "2026-09", "2026-10", last].iter().map(|k| row[*k].clone()).collect()
}

#[test]
fn spec47_a_trend_is_each_units_figures_month_by_month_a_flow_summed_and_a_stock_as_it_stands() {
    let (env, c) = three_months();
    let rows = trend(&env, &c.pref, &["--indicator", "classrooms"]);
    assert_eq!(rows.len(), 22, "every county of 石家庄市: {rows:?}");
    assert_eq!(months(&rows[A], "latest"), ["30", "32", "34", "34"]);
    assert_eq!(months(&rows[B], "latest"), ["5", "", "7", "7"], "a month without a figure is blank, not 0");
    assert_eq!(months(&rows["130105"], "latest"), ["", "", "", ""]);
    // A flow adds up over the range; a stock stands as it is at its end.
    let rows = trend(&env, &c.pref, &["--indicator", "funding"]);
    assert_eq!(months(&rows[A], "total"), ["10.5", "0", "4", "14.5"]);
    let rows = trend(&env, &c.pref, &["--indicator", "platform_users"]);
    assert_eq!(months(&rows[A], "latest"), ["100", "150", "120", "120"]);
    // A rate, by its code or its Chinese name, as a fraction in a machine format: 长安区's first
    // school was not connected in September.
    for name in ["internet_access_rate", "互联网接入率"] {
        let rows = trend(&env, &c.pref, &["--rate", name]);
        assert_eq!(months(&rows[A], "latest"), ["1", "0.5", "1", "1"], "{name}");
    }
    // On a terminal's table: percentages and a sparkline per row.
    let table = run(
        &env,
        &c.pref,
        &[
            "report",
            "trend",
            "--rate",
            "internet_access_rate",
            "--period",
            "2026-08..2026-10",
            "--under",
            PREF,
            "--format",
            "table",
            "--lang",
            "en",
        ],
    )
    .ok()
    .stdout
    .clone();
    let line = table.lines().find(|l| l.contains(A)).expect("长安区's row");
    assert!(line.contains("100.0%") && line.contains("50.0%") && line.contains("█▁█"), "{table}");
    let classrooms = run(
        &env,
        &c.pref,
        &[
            "report",
            "trend",
            "--indicator",
            "classrooms",
            "--period",
            "2026-08..2026-10",
            "--under",
            PREF,
            "--format",
            "table",
        ],
    )
    .ok()
    .stdout
    .clone();
    let line = classrooms.lines().find(|l| l.contains(B)).expect("桥西区's row");
    assert!(line.contains("▁ █"), "a gap for the month without a figure: {classrooms}");
}

#[test]
fn spec47_trend_chart_is_an_svg_line_chart_of_at_most_twelve_units_and_nothing_else_is_written() {
    let (env, c) = three_months();
    let f = env.path("教室.svg");
    let args = ["report", "trend", "--indicator", "classrooms", "--period", "2026-08..2026-10", "--under", PREF];
    let r = run(&env, &c.pref, &[&args[..], &["--chart", f.to_str().unwrap(), "--lang", "en"]].concat());
    r.ok().stderr_has("draws the first 12 of the 22 units").stderr_has("a line chart of 12 units");
    assert_eq!(mode_of(&f) & 0o777, 0o600);
    let svg = std::fs::read_to_string(&f).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let texts: Vec<&str> = doc.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).map(str::trim).collect();
    assert!(texts.contains(&"130102 长安区") && texts.contains(&"2026-09"), "{texts:?}");
    // 长安区's line and 桥西区's two runs (a gap in September) in the first two colours.
    let lines = |colour: &str| {
        doc.descendants()
            .filter(|n| {
                n.has_tag_name("polyline")
                    && n.attribute("stroke") == Some(colour)
                    && n.attribute("stroke-width") == Some("3")
            })
            .count()
    };
    assert_eq!((lines("#4E79A7"), lines("#F28E2B")), (1, 2), "{svg}");
    // The same bytes again.
    run(&env, &c.pref, &[&args[..], &["--chart", f.to_str().unwrap()]].concat()).ok();
    assert_eq!(std::fs::read_to_string(&f).unwrap(), svg);
    // PNG is refused before anything is read, and names the way out; so is an unknown format.
    let png = env.path("教室.png");
    run(&env, &c.pref, &[&args[..], &["--chart", png.to_str().unwrap(), "--lang", "en"]].concat())
        .code(2)
        .stderr_has("as SVG, not PNG")
        .stderr_has("write FILE.svg");
    assert!(!png.exists());
    run(&env, &c.pref, &[&args[..], &["--chart", "x.pdf"]].concat()).code(2);
}

#[test]
fn spec47_trend_refuses_what_it_cannot_follow_with_the_way_out() {
    let (env, c) = three_months();
    let base = ["report", "trend", "--period", "2026-08..2026-10", "--under", PREF, "--lang", "en"];
    run(&env, &c.pref, &[&base[..], &["--indicator", "classroms"]].concat())
        .code(2)
        .stderr_has("classroms is not an indicator")
        .stderr_has("classrooms");
    run(&env, &c.pref, &[&base[..], &["--rate", "speed"]].concat()).code(2).stderr_has("internet_access_rate");
    run(&env, &c.pref, &[&base[..], &["--indicator", "classrooms", "--rate", "multimedia_coverage"]].concat()).code(2);
    run(&env, &c.pref, &["report", "trend", "--period", "2026-08..2026-10"]).code(2);
    run(&env, &c.pref, &["report", "trend", "--indicator", "classrooms", "--period", "2026-10..2027-02"])
        .code(2)
        .stderr_has("2026-10");
    // A county sees its own schools, each school's own figures; another county is out of its
    // sight (exit 4).
    let r = run(
        &env,
        &c.a,
        &["report", "trend", "--indicator", "classrooms", "--period", "2026-08..2026-10", "--format", "csv"],
    );
    let rows = csv_maps(&r.ok().stdout);
    let codes: Vec<(&str, &str)> = rows.iter().map(|r| (r["code"].as_str(), r["latest"].as_str())).collect();
    assert_eq!(codes, [("2113010001", "12"), ("2113010002", "22")]);
    run(&env, &c.a, &["report", "trend", "--indicator", "classrooms", "--period", "2026-08..2026-10", "--under", B])
        .code(4);
    let _ = &c.b;
}
