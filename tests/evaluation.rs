//! Facts as they were, the timeliness report and the bulletin, on three months whose
//! facts are known by construction: 长安区 submits on time every month; 桥西区 submits August on
//! time and is submitted by the system in September and October (urged in October, returned after
//! the deadline and resubmitted — October stays auto-submitted); 新华区 is submitted by the system
//! in August, on time in September and October, and returned once in October and resubmitted
//! within the due. The prefecture's 19 other counties are submitted by the system every month.

mod common;
use common::*;

use std::collections::BTreeMap;

use serde_json::Value;

const A: &str = "130102";
const B: &str = "130104";
const C: &str = "130105";
const PREF: &str = "130100";

struct Cast {
    a: Who,
    b: Who,
    c: Who,
    pref_reviewer: Who,
    pref_admin: Who,
}

fn three_months() -> (Env, Cast) {
    let mut env = Env::national_at("2026-08-10T10:00:00+08:00");
    let c = Cast {
        a: who(&env, A, "reviewer", "长安审", "13700000201"),
        b: who(&env, B, "reviewer", "桥西审", "13700000202"),
        c: who(&env, C, "reviewer", "新华审", "13700000203"),
        pref_reviewer: who(&env, PREF, "reviewer", "市审", "13700000204"),
        pref_admin: who(&env, PREF, "admin", "市管", "13700000205"),
    };
    let submit = |env: &Env, w: &Who, p: &str| {
        run(env, w, &["submit", "--period", p, "--allow-incomplete"]).ok();
    };
    // August, reported in September's first days.
    env.now = "2026-09-02T10:00:00+08:00".into();
    submit(&env, &c.a, "2026-08");
    submit(&env, &c.b, "2026-08");
    // September.
    env.now = "2026-10-02T10:00:00+08:00".into();
    submit(&env, &c.a, "2026-09");
    submit(&env, &c.c, "2026-09");
    // October: 长安区 and 新华区 on time; the prefecture's admin urges the others; 新华区 is returned
    // and resubmits within its due.
    env.now = "2026-11-02T10:00:00+08:00".into();
    submit(&env, &c.a, "2026-10");
    submit(&env, &c.c, "2026-10");
    env.now = "2026-11-03T09:00:00+08:00".into();
    run(&env, &c.pref_admin, &["report", "missing", "--period", "2026-10", "--under", PREF, "--notify"])
        .ok()
        .stderr_has("urged 20 units");
    run(
        &env,
        &c.pref_reviewer,
        &["report", "return", C, "--period", "2026-10", "--due", "2026-11-04T18:00+08:00", "--reason", "核对"],
    )
    .ok();
    env.now = "2026-11-04T10:00:00+08:00".into();
    submit(&env, &c.c, "2026-10");
    // 桥西区's October is submitted by the system at the deadline; returned after it, it is
    // resubmitted by its reviewer — October stays auto-submitted in its facts.
    env.now = "2026-11-07T09:00:00+08:00".into();
    run(
        &env,
        &c.pref_reviewer,
        &["report", "return", B, "--period", "2026-10", "--due", "2026-11-09T18:00+08:00", "--reason", "补报"],
    )
    .ok();
    env.now = "2026-11-08T10:00:00+08:00".into();
    submit(&env, &c.b, "2026-10");
    env.now = "2026-11-20T10:00:00+08:00".into();
    (env, c)
}

fn by_code(rows: &Value) -> BTreeMap<String, Value> {
    rows.as_array().expect("a list").iter().map(|r| (r["code"].as_str().unwrap().to_string(), r.clone())).collect()
}

fn pick(row: &Value, keys: &[&str]) -> Vec<i64> {
    keys.iter().map(|k| row[*k].as_i64().unwrap_or_else(|| panic!("{k} in {row}"))).collect()
}

#[test]
fn spec47_the_timeliness_rows_are_the_facts_as_they_were_at_each_deadline() {
    let (env, c) = three_months();
    let args = [
        "report",
        "timeliness",
        "--period",
        "2026-08..2026-10",
        "--under",
        PREF,
        "--level",
        "county",
        "--format",
        "json",
    ];
    let rows = by_code(&run(&env, &c.pref_reviewer, &args).ok().json());
    assert_eq!(rows.len(), 22, "every county of 石家庄");
    let keys =
        ["expected", "submitted", "on_time", "auto_submitted", "returned", "withdrawn", "resubmitted_in_due", "urged"];
    assert_eq!(pick(&rows[A], &keys), [3, 3, 3, 0, 0, 0, 0, 0]);
    assert_eq!(pick(&rows[B], &keys), [3, 3, 1, 2, 1, 0, 1, 1], "October stays auto-submitted");
    assert_eq!(pick(&rows[C], &keys), [3, 3, 2, 1, 1, 0, 1, 0]);
    for (code, row) in &rows {
        if ![A, B, C].contains(&code.as_str()) {
            assert_eq!(pick(row, &keys), [3, 3, 0, 3, 0, 0, 0, 1], "{code}");
        }
    }
    assert_eq!(rows[A]["on_time_rate"], 1.0);
    assert_eq!(rows[B]["reporting_rate"], 1.0);
    assert!((rows[C]["on_time_rate"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-3);
    // In a table the rates are percentages.
    let table = run(
        &env,
        &c.pref_reviewer,
        &[
            "report",
            "timeliness",
            "--period",
            "2026-08..2026-10",
            "--under",
            PREF,
            "--level",
            "county",
            "--format",
            "table",
            "--lang",
            "en",
        ],
    );
    table.ok().stdout_has("66.7%").stdout_has("100.0%");
    // One month alone.
    let oct = by_code(
        &run(
            &env,
            &c.pref_reviewer,
            &["report", "timeliness", "--period", "2026-10", "--under", PREF, "--level", "county", "--format", "json"],
        )
        .ok()
        .json(),
    );
    assert_eq!(pick(&oct[B], &["on_time", "auto_submitted"]), [0, 1]);
}

#[test]
fn spec47_the_bulletin_ranks_names_and_commends_exactly_those_the_facts_say() {
    let (env, c) = three_months();
    let args =
        ["report", "bulletin", "--period", "2026-08..2026-10", "--under", PREF, "--level", "county", "--lang", "en"];
    let md = run(&env, &c.pref_reviewer, &args).ok().stdout.clone();
    // The ranking: 长安区 first, then 新华区, then 桥西区.
    let rank =
        |code: &str| md.lines().position(|l| l.starts_with("| ") && l.contains(&format!("| {code} |"))).expect(code);
    assert!(rank(A) < rank(C) && rank(C) < rank(B), "{md}");
    let named: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("## 3."))
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .filter(|l| l.starts_with("- "))
        .collect();
    assert_eq!(named.len(), 20, "桥西区 and the 19 others, auto-submitted in two of the last three months: {md}");
    let b = named.iter().find(|l| l.contains(B)).expect("桥西区 named");
    assert!(b.contains("2026-09, 2026-10") && b.contains("urged 1 times"), "{b}");
    assert!(!named.iter().any(|l| l.contains(A) || l.contains(C)), "{named:?}");
    let best: Vec<&str> =
        md.lines().skip_while(|l| !l.starts_with("## 4.")).skip(1).filter(|l| l.starts_with("- ")).collect();
    assert!(best[0].contains(A) && best[1].contains(C), "{best:?}");
    assert!(md.contains("Weights: timeliness 40%, school confirmation 30%, data quality 15%, staffing 15%."), "{md}");
    // Chinese by default (no --lang, an English environment), and the same bytes twice.
    let default_lang = || {
        let mut cmd = std::process::Command::new(bin());
        cmd.args(&args[..args.len() - 2])
            .env("EIP_DB", &env.db)
            .env("EIP_NOW", &env.now)
            .env("EIP_TOKEN", &c.pref_reviewer.tok)
            .env("EIP_CONFIG_DIR", env.config_dir(Some("zh")))
            .env("LANG", "en_US.UTF-8")
            .env_remove("LC_ALL");
        Env::run_cmd(cmd, None)
    };
    let zh = default_lang().ok().stdout.clone();
    assert!(zh.contains("予以通报的单位") && zh.contains("综合评分排名"), "{zh}");
    assert_eq!(zh, default_lang().ok().stdout, "the same bytes");
    // Weights from a file change the order's basis and are printed.
    let w = env.dir.path().join("w.txt");
    std::fs::write(&w, "# only timeliness\ntimeliness = 1\n").unwrap();
    let md =
        run(&env, &c.pref_reviewer, &[&args[..], &["--weights", w.to_str().unwrap()]].concat()).ok().stdout.clone();
    assert!(md.contains("Weights: timeliness 100%, school confirmation 0%"), "{md}");
    std::fs::write(&w, "speed = 40\n").unwrap();
    run(&env, &c.pref_reviewer, &[&args[..], &["--weights", w.to_str().unwrap()]].concat())
        .code(6)
        .stderr_has("line 1");
    // A CSV file: one row per unit, best first, with its reasons.
    let f = env.dir.path().join("通报.csv");
    run(&env, &c.pref_reviewer, &[&args[..], &["-o", f.to_str().unwrap()]].concat())
        .ok()
        .stderr_has("22 units ranked, 20 named");
    let text = String::from_utf8(std::fs::read(&f).unwrap()).unwrap();
    let rows = csv_maps(text.trim_start_matches('\u{feff}'));
    assert_eq!((rows[0]["code"].as_str(), rows[0]["rank"].as_str(), rows[0]["named"].as_str()), (A, "1", "false"));
    assert_eq!(rows.iter().find(|r| r["code"] == B).unwrap()["auto_submitted"], "2");
}

#[test]
fn spec47_ranges_that_are_not_ones_are_refused_with_the_way_out() {
    let (env, c) = three_months();
    for (range, words) in [
        ("2026-10..2026-08", "ends before it starts"),
        ("2023-01..2026-01", "at most 36"),
        ("2026-8", "not a period or a range"),
    ] {
        run(&env, &c.pref_reviewer, &["report", "timeliness", "--period", range]).code(2).stderr_has(words);
    }
    run(&env, &c.pref_reviewer, &["report", "bulletin", "--period", "2026-11..2027-01"])
        .code(2)
        .stderr_has("end the range at 2026-10");
    // Only an admin urges.
    run(&env, &c.pref_reviewer, &["report", "missing", "--period", "2026-10", "--notify"]).code(3);
}

/// The bulletin of the three months as `ext` (Chinese, the correction date given), its bytes.
fn bulletin_file(env: &Env, c: &Cast, ext: &str, extra: &[&str]) -> Vec<u8> {
    let f = env.dir.path().join(format!("通报.{ext}"));
    let mut args = vec![
        "report",
        "bulletin",
        "--period",
        "2026-08..2026-10",
        "--under",
        PREF,
        "--level",
        "county",
        "--correct-by",
        "2026-12-15",
        "-o",
        f.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    if !extra.contains(&"--lang") {
        args.extend(["--lang", "zh"]);
    }
    run(env, &c.pref_reviewer, &args).ok();
    assert_eq!(mode_of(&f) & 0o777, 0o600, "a bulletin is the unit's own document");
    std::fs::read(&f).unwrap()
}

/// Compare `got` with the snapshot tests/snapshots/NAME (`EIP_UPDATE_REFERENCE=1` rewrites it).
fn snapshot(name: &str, got: &[u8]) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(name);
    if std::env::var_os("EIP_UPDATE_REFERENCE").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read(&path).unwrap_or_default();
    assert!(
        want == got,
        "tests/snapshots/{name} differs (EIP_UPDATE_REFERENCE=1 cargo test --test evaluation rewrites it):\n{}",
        String::from_utf8_lossy(got)
    );
}

#[test]
fn spec47_the_markdown_and_csv_bulletins_are_as_their_snapshots() {
    let (env, c) = three_months();
    snapshot("bulletin-130100-2026-08..2026-10.md", &bulletin_file(&env, &c, "md", &[]));
    snapshot("bulletin-130100-2026-08..2026-10.csv", &bulletin_file(&env, &c, "csv", &[]));
    snapshot("bulletin-130100-2026-08..2026-10.en.md", &bulletin_file(&env, &c, "md", &["--lang", "en"]));
}

#[test]
fn spec47_the_html_bulletin_is_well_formed_self_contained_and_draws_its_two_charts() {
    let (env, c) = three_months();
    let bytes = bulletin_file(&env, &c, "html", &[]);
    assert_eq!(bytes, bulletin_file(&env, &c, "html", &[]), "the same bytes twice");
    let html = String::from_utf8(bytes).unwrap();
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(&html, options).expect("well-formed");
    let root = doc.root_element();
    assert_eq!((root.tag_name().name(), root.attribute("lang")), ("html", Some("zh-CN")));
    // Self-contained: no script, nothing fetched (the only URI is SVG's namespace).
    assert!(!doc.descendants().any(|n| n.has_tag_name("script") || n.has_tag_name("link") || n.has_tag_name("img")));
    assert!(!html.replace("http://www.w3.org/2000/svg", "").contains("http"), "a link out");
    let svgs: Vec<_> = doc.descendants().filter(|n| n.tag_name().name() == "svg").collect();
    assert_eq!(svgs.len(), 2, "the timeliness line chart and the ranking bar chart");
    let texts = |n: roxmltree::Node| -> Vec<String> {
        n.descendants().filter(|t| t.is_text()).map(|t| t.text().unwrap().trim().to_string()).collect()
    };
    // The line chart: the three months, the two rates, each a line of three points.
    let line = texts(svgs[0]);
    for w in ["各月上报率与及时率", "2026-08", "2026-09", "2026-10", "上报率", "100%"] {
        assert!(line.iter().any(|t| t == w), "{w}: {line:?}");
    }
    let lines: Vec<_> = svgs[0]
        .descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke-width") == Some("3"))
        .collect();
    assert_eq!(lines.len(), 2, "two series, no gap");
    assert!(lines.iter().all(|l| l.attribute("points").unwrap().split_whitespace().count() == 3));
    // The bar chart: every county labelled with its rank, the 20 named in the alarm colour
    // (and its legend swatch), the two others in the plain one (and its swatch).
    let bars = texts(svgs[1]);
    assert!(bars.iter().any(|t| t == "1 长安区") && bars.iter().any(|t| t == "2 新华区"), "{bars:?}");
    let filled = |colour: &str| {
        svgs[1].descendants().filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some(colour)).count()
    };
    assert_eq!((filled("#E15759"), filled("#4E79A7")), (21, 3));
    // The table marks the named rows; the correction date is there.
    let named_rows =
        doc.descendants().filter(|n| n.has_tag_name("tr") && n.attribute("class") == Some("named")).count();
    assert_eq!(named_rows, 20);
    assert!(html.contains("2026-12-15"), "the correction date");
    // In English when asked.
    let en = String::from_utf8(bulletin_file(&env, &c, "html", &["--lang", "en"])).unwrap();
    assert!(en.contains("<html lang=\"en\">") && en.contains("Reporting and on-time rates by month"));
}

#[test]
fn spec47_status_and_export_read_a_range_month_by_month() {
    let (env, c) = three_months();
    let r = run(
        &env,
        &c.pref_reviewer,
        &["report", "status", "--period", "2026-08..2026-10", "--under", PREF, "--format", "csv"],
    );
    let rows = csv_maps(&r.ok().stdout);
    assert_eq!(rows.len(), 22 * 3, "every county, every month");
    let states: Vec<(&str, &str)> =
        rows.iter().filter(|r| r["code"] == B).map(|r| (r["period"].as_str(), r["state"].as_str())).collect();
    assert_eq!(states, [("2026-08", "submitted"), ("2026-09", "auto_submitted"), ("2026-10", "submitted")]);
    // One month keeps the table as it was: no period column.
    let one =
        run(&env, &c.pref_reviewer, &["report", "status", "--period", "2026-09", "--under", PREF, "--format", "csv"]);
    assert!(one.ok().stdout.starts_with("code,name,level,state"), "{}", one.stdout);
    // The export: each month's rows in turn under one header.
    let f = env.dir.path().join("counties.csv");
    let args = ["report", "export", "--period", "2026-08..2026-10", "--under", PREF, "--level", "county", "-o"];
    run(&env, &c.pref_reviewer, &[&args[..], &[f.to_str().unwrap()]].concat()).ok();
    let (head, body) = read_bom_csv(&f);
    assert_eq!(body.len(), 22 * 3);
    let period = head.iter().position(|h| h == "period").expect("a period column");
    let months: Vec<&str> = body.iter().map(|r| r[period].as_str()).collect();
    assert_eq!((months[0], months[22], months[44]), ("2026-08", "2026-09", "2026-10"));
    // A range that reaches the future is refused with the last month that may be asked.
    run(&env, &c.pref_reviewer, &["report", "status", "--period", "2026-10..2026-12", "--under", PREF])
        .code(2)
        .stderr_has("2026-10");
}
