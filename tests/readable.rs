//! What a person reads (§8): tables that fit the terminal (codes and states never split,
//! one record per block below about 100 columns, single records as `Label: value` lines), words
//! in the reader's language where machine formats keep their English values, an audit log that
//! says when it cuts rows and takes a person's name, exports that honour `--format`, the demo's
//! commands runnable as printed, and a warning when the clock goes backwards.

mod common;
use common::*;

use serde_json::Value;

const P: &str = "2026-11";
const COUNTY: &str = "130102";
const PREF: &str = "130100";

/// 长安区 with its 14 schools, the first confirmed (30 classrooms), the county's funding set;
/// its admin (长安管) and reviewer (长安审); on the 6th of December the system has submitted
/// 长安区 with 13 schools unconfirmed, on the 11th its prefecture.
struct World {
    env: Env,
    /// The Ministry's admin, with a token (sessions do not last the days the world crosses).
    ministry: Who,
    admin: Who,
    reviewer: Who,
    /// 石家庄市's reviewer (市审).
    pref: Who,
}

fn world() -> World {
    world_with(|_| {})
}

/// The world, with `more` done on its first day.
fn world_with(more: impl FnOnce(&Env)) -> World {
    let mut env = Env::national();
    let ministry = Who { user: ADMIN.into(), tok: token(&env, ADMIN) };
    let admin = who(&env, COUNTY, "admin", "长安管", "13700000101");
    let reviewer = who(&env, COUNTY, "reviewer", "长安审", "13700000102");
    let pref = who(&env, PREF, "reviewer", "市审", "13700000105");
    run(&env, &admin, &["school", "import", &example("changan-schools.csv")]).ok();
    run(&env, &admin, &["report", "set", "--org", "2113010001", "--period", P, "classrooms=30"]).ok();
    run(&env, &admin, &["report", "confirm", "--org", "2113010001", "--period", P]).ok();
    run(&env, &admin, &["report", "set", "--period", P, "funding=12"]).ok();
    more(&env);
    env.now = "2026-12-11T09:00:00+08:00".into();
    run(&env, &reviewer, &["report", "status", "--period", P]).ok();
    World { env, ministry, admin, reviewer, pref }
}

/// Run as `w` with `COLUMNS` set (a table's width), in `lang`, as a table.
fn table(env: &Env, w: &Who, columns: usize, lang: &str, args: &[&str]) -> Run {
    let mut all = vec!["--format", "table", "--lang", lang];
    all.extend_from_slice(args);
    let mut c = command(env, w, &all);
    c.env("COLUMNS", columns.to_string());
    Env::run_cmd(c, None)
}

fn width(line: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(line)
}

/// Every line at most `columns` wide.
#[track_caller]
fn fits(out: &str, columns: usize) {
    for line in out.lines() {
        assert!(width(line) <= columns, "a line wider than {columns}: {line:?}\n{out}");
    }
}

/// Every word in `whole` appears unbroken on some line.
#[track_caller]
fn whole(out: &str, words: &[&str]) {
    for w in words {
        assert!(out.lines().any(|l| l.contains(w)), "{w:?} is not whole on any line:\n{out}");
    }
}

// ---------------------------------------------------------------- tables that fit

#[test]
fn spec8_under_100_columns_a_list_prints_one_record_per_block() {
    let w = world();
    for lang in ["en", "zh"] {
        let r = table(&w.env, &w.pref, 80, lang, &["report", "status", "--period", P, "--under", PREF]);
        r.ok();
        fits(&r.stdout, 80);
        assert!(!r.stdout.contains('┆') && !r.stdout.contains('│'), "no grid at 80 columns:\n{}", r.stdout);
        let (code, state) = if lang == "en" { ("Code: ", "State: ") } else { ("代码：", "状态：") };
        let blocks: Vec<&str> = r.stdout.trim_end().split("\n\n").collect();
        assert!(blocks.len() > 10, "one block per county of 石家庄市:\n{}", r.stdout);
        for b in &blocks {
            assert!(b.lines().next().unwrap().starts_with(code), "each block starts with its code: {b}");
            assert!(b.lines().any(|l| l.starts_with(state)), "each block has its state: {b}");
        }
        // The labels are aligned: every value starts in the same column.
        let starts: std::collections::BTreeSet<usize> = blocks[0]
            .lines()
            .map(|l| {
                let label = l.split_inclusive(if lang == "en" { ": " } else { "：" }).next().unwrap();
                let rest = &l[label.len()..];
                width(label) + width(rest) - width(rest.trim_start())
            })
            .collect();
        assert_eq!(starts.len(), 1, "aligned values:\n{}", blocks[0]);
        assert!(blocks[0].lines().next().unwrap().ends_with(COUNTY), "{}", blocks[0]);
        whole(&r.stdout, &[COUNTY, "130104", "130105"]);
    }
}

#[test]
fn spec8_at_120_columns_codes_states_and_times_never_wrap() {
    let w = world();
    for lang in ["en", "zh"] {
        // The status list has 16 columns: it cannot fit 120 without breaking codes, so blocks.
        let r = table(&w.env, &w.pref, 120, lang, &["report", "status", "--period", P, "--under", PREF]);
        r.ok();
        fits(&r.stdout, 120);
        assert!(!r.stdout.contains("paren") || r.stdout.contains("parent has submitted"), "{}", r.stdout);
        whole(&r.stdout, &[COUNTY, "2026-12-06 00:00"]);
        // The audit log: at 120 columns or at 160, where it fits by wrapping its details only,
        // seq, time, actor, action and target read whole.
        for columns in [120, 160] {
            let r = table(&w.env, &w.pref, columns, lang, &["audit", "log", "--action", "submit", "--period", P]);
            r.ok();
            fits(&r.stdout, columns);
            assert!(columns < 160 || r.stdout.contains('┆'), "a grid at {columns} columns:\n{}", r.stdout);
            whole(&r.stdout, &["submit.auto", COUNTY, "2026-12-11 09:00", P]);
        }
    }
    // Wide enough, the status list is one grid whose headers read whole.
    let r = table(&w.env, &w.pref, 400, "en", &["report", "status", "--period", P, "--under", PREF]);
    r.ok();
    whole(&r.stdout, &["Code", "State", "Locked because", "the parent has submitted"]);
}

#[test]
fn spec8_a_single_record_reads_as_label_and_value_lines() {
    let w = world();
    let env = &w.env;
    let m = &w.ministry;
    let r = run(env, m, &["audit", "verify", "--format", "table"]);
    r.ok();
    let n = env.audit_count();
    let head: String =
        env.conn().query_row("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1", [], |r| r.get(0)).unwrap();
    assert_eq!(r.stdout, format!("Chain intact: yes\nEvents:       {n}\nHead:         {head}\n"));
    let r = run(env, m, &["audit", "verify", "--format", "table", "--lang", "zh"]);
    r.ok();
    assert_eq!(r.stdout, format!("审计链完整：是\n事件数：    {n}\n链头：      {head}\n"));
    // Machine formats keep their keys.
    let j = run(env, m, &["audit", "verify", "--format", "json"]).ok().json();
    assert_eq!(j, serde_json::json!({"intact": true, "events": n, "head": head}));
}

// ---------------------------------------------------------------- words (Language)

#[test]
fn spec8_lock_reasons_system_indicator_kinds_and_doctor_in_the_reader_s_language() {
    let w = world();
    let env = &w.env;
    let j = run(env, &w.pref, &["report", "status", "--period", P, "--under", PREF, "--format", "json"]).ok().json();
    let county = j.as_array().unwrap().iter().find(|r| r["code"] == COUNTY).unwrap().clone();
    assert_eq!(county["lock_reason"], "parent_submitted");
    assert_eq!(county["submitted_by"], "system");
    for (lang, lock, system) in
        [("en", "the parent has submitted", "the system (automatic)"), ("zh", "上级已上报", "系统（自动）")]
    {
        let r = table(env, &w.pref, 400, lang, &["report", "status", "--period", P, "--under", PREF]);
        r.ok();
        whole(&r.stdout, &[lock, system]);
        assert!(!r.stdout.contains("parent_submitted") && !r.stdout.contains("┆ system "), "{}", r.stdout);
    }
    // Indicators: their kind and who fills them.
    let r = table(env, &w.admin, 400, "zh", &["report", "indicators"]);
    r.ok();
    whole(&r.stdout, &["整数", "是/否", "学校和教学点", "行政单位"]);
    let j = run(env, &w.admin, &["report", "indicators", "--format", "json"]).ok().json();
    assert!(j.as_array().unwrap().iter().any(|i| i["kind"] == "count" && i["filled_by"] == "school"));
    // The doctor: each check and what it found, and its verdict.
    let r = run(env, &w.ministry, &["doctor", "--format", "table", "--lang", "zh"]);
    r.ok().stderr_has("全部 8 项检查通过");
    whole(&r.stdout, &["审计链", "完整：", "条事件", "正常", "上报后无改动"]);
    assert!(!r.stdout.contains("audit_chain") && !r.stdout.contains("intact"), "{}", r.stdout);
    let j = run(env, &w.ministry, &["doctor", "--format", "json"]).ok().json();
    let chain = j.as_array().unwrap().iter().find(|c| c["check"] == "audit_chain").unwrap().clone();
    assert_eq!(chain["result"], "ok");
    assert!(chain["detail"].as_str().unwrap().starts_with("intact: "), "{chain}");
}

#[test]
fn spec5_the_rejects_file_names_its_error_column_in_the_reader_s_language() {
    let w = world();
    let env = &w.env;
    let bad = env.write_file("bad.csv", "code,name,kind,unit\n2113019999,新学校,school,999999\n".as_bytes());
    for (lang, column) in [("en", "error"), ("zh", "错误原因")] {
        let rejects = env.path(&format!("rejects-{lang}.csv"));
        let r = run(
            env,
            &w.admin,
            &["school", "import", &bad, "--rejects", &rejects.display().to_string(), "--lang", lang],
        );
        r.code(6);
        let text = std::fs::read_to_string(&rejects).unwrap();
        let header = text.trim_start_matches('\u{feff}').lines().next().unwrap().to_string();
        assert_eq!(header, format!("code,name,kind,unit,{column}"), "{text}");
    }
}

// ---------------------------------------------------------------- the audit log

fn log(env: &Env, w: &Who, args: &[&str]) -> Run {
    let mut all = vec!["audit", "log", "--format", "json"];
    all.extend_from_slice(args);
    run(env, w, &all)
}

#[test]
fn spec7_the_log_says_when_it_shows_fewer_events_than_match() {
    let w = world();
    let r = log(&w.env, &w.admin, &["--limit", "3"]);
    r.ok();
    assert_eq!(r.json().as_array().unwrap().len(), 3);
    let all = log(&w.env, &w.admin, &["--limit", "0"]);
    all.ok().stderr_lacks("shown");
    let total = all.json().as_array().unwrap().len();
    assert!(total > 3);
    r.stderr_has(&format!("3 of {total} events shown, the newest; --limit 0 for all"));
    let r = log(&w.env, &w.admin, &["--limit", "3", "--lang", "zh"]);
    r.ok().stderr_has(&format!("共 {total} 条事件，显示最新的 3 条；--limit 0 显示全部"));
    // All of them fit: nothing said.
    log(&w.env, &w.admin, &["--limit", &total.to_string()]).ok().stderr_lacks("shown");
}

#[test]
fn spec7_actor_takes_a_username_or_a_person_s_name() {
    let w = world();
    // The same world with a second person of the reviewer's name, at 桥西区.
    let twice = world_with(|env| {
        env.person("130104", "reviewer", "长安审", "13700000199");
    });
    let env = &w.env;
    let by_name = log(env, &w.admin, &["--actor", "长安审"]);
    by_name.ok();
    let events = by_name.json().as_array().unwrap().clone();
    assert!(!events.is_empty());
    assert!(events.iter().all(|e| e["actor"] == w.reviewer.user.as_str()), "{events:?}");
    let by_user = log(env, &w.admin, &["--actor", "130102-R01"]).ok().json();
    assert_eq!(by_user.as_array().unwrap().len(), events.len());
    // Nobody of that name: not found (exit 4), not an empty list.
    log(env, &w.admin, &["--actor", "周丽"]).code(4).stderr_has("no account or person named 周丽 in your scope");
    log(env, &w.admin, &["--actor", "周丽", "--lang", "zh"]).code(4).stderr_has("您的范围内没有名为 周丽 的账号或人员");
    // Two people of one name: refused, naming each account.
    let r = run(&twice.env, &twice.ministry, &["audit", "log", "--actor", "长安审"]);
    r.code(2)
        .stderr_has("长安审 is the name of more than one person")
        .stderr_has("130102-R01")
        .stderr_has("130104-R01");
    // system
    let sys = run(env, &w.ministry, &["audit", "log", "--actor", "system", "--format", "json"]).ok().json();
    assert!(sys.as_array().unwrap().iter().any(|e| e["action"] == "submit.auto"));
}

#[test]
fn spec7_indicator_filters_the_values_set_of_one_indicator() {
    let w = world();
    let env = &w.env;
    let events = log(env, &w.admin, &["--indicator", "classrooms", "--limit", "0"]).ok().json();
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["action"], "report.set");
    assert_eq!(events[0]["target"], "2113010001");
    // By its Chinese name too.
    let zh = log(env, &w.admin, &["--indicator", "普通教室数"]).ok().json();
    assert_eq!(zh.as_array().unwrap().len(), 1);
    log(env, &w.admin, &["--indicator", "no_such"]).code(4).stderr_has("no indicator no_such");
}

#[test]
fn spec7_details_read_in_the_reader_s_language_in_cst_and_name_the_unconfirmed_schools() {
    let w = world();
    let env = &w.env;
    // The automatic submission names the schools that were not confirmed (the first ten).
    let ev = env.trail("submit.auto", COUNTY);
    assert_eq!(ev.len(), 1);
    let after = &ev[0].detail["after"];
    assert_eq!(after["incomplete_schools"], 13);
    let codes: Vec<&str> =
        after["incomplete_school_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert_eq!(codes.len(), 10);
    let schools = std::fs::read_to_string(example("changan-schools.csv")).unwrap();
    let mut unconfirmed: Vec<&str> =
        schools.lines().skip(1).map(|l| l.split(',').next().unwrap()).filter(|c| *c != "2113010001").collect();
    unconfirmed.sort();
    assert_eq!(codes, unconfirmed[..10], "the first ten unconfirmed, by code; the confirmed one not named");
    // In a table: words, CST; in JSON: the raw detail.
    let args = ["audit", "log", "--action", "submit.auto", "--target", COUNTY];
    let r = table(env, &w.ministry, 400, "zh", &args);
    r.ok();
    whole(
        &r.stdout,
        &[
            "状态：未填报 → 系统自动上报",
            "时间：2026-12-06 00:00 北京时间",
            "未确认学校数：13",
            codes[0],
            "系统（自动）",
        ],
    );
    assert!(!r.stdout.contains("\"after\"") && !r.stdout.contains("T16:00:00Z"), "{}", r.stdout);
    let r = table(env, &w.ministry, 400, "en", &args);
    r.ok();
    whole(&r.stdout, &["state: open → auto-submitted", "at: 2026-12-06 00:00 CST", "schools not confirmed: 13"]);
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let j = run(env, &w.ministry, &json_args).ok().json();
    let detail: Value = serde_json::from_str(j[0]["detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["after"]["at"], "2026-12-05T16:00:00Z");
    assert_eq!(j[0]["actor"], "system");
}

// ---------------------------------------------------------------- exports honour --format

#[test]
fn spec8_every_export_honours_format() {
    let w = world();
    let env = &w.env;
    let a = &w.admin;
    // JSON: an array of objects, no BOM, typed values; rates as fractions.
    let r = run(env, a, &["report", "export", "--period", P, "--format", "json"]);
    r.ok();
    assert!(!r.stdout.starts_with('\u{feff}'));
    let rows = r.json();
    let s1 = rows.as_array().unwrap().iter().find(|x| x["org"] == "2113010001").unwrap().clone();
    assert_eq!(s1["classrooms"], 30);
    assert_eq!(s1["period"], P);
    let r = run(env, a, &["report", "export", "--period", P, "--level", "county", "--format", "json"]);
    let c = r.ok().json().as_array().unwrap().iter().find(|x| x["org"] == COUNTY).unwrap().clone();
    assert_eq!(c["schools_expected"], 14);
    assert!(c["multimedia_coverage"].is_number(), "{c}");
    // A table: a grid, no BOM, rates as percentages.
    let r = table(env, a, 400, "en", &["report", "export", "--period", P, "--level", "county", "--under", COUNTY]);
    r.ok();
    assert!(!r.stdout.starts_with('\u{feff}') && !r.stdout.contains(",schools_expected,"), "{}", r.stdout);
    assert!(r.stdout.contains('%'), "{}", r.stdout);
    // TSV and the other exports.
    let r = run(env, a, &["school", "export", "--format", "tsv"]);
    assert!(r.ok().stdout.starts_with("code\tname\tkind\tunit\tstatus"), "{}", r.stdout);
    let j = run(env, a, &["unit", "export", "--format", "json"]).ok().json();
    assert_eq!(j[0]["code"], COUNTY);
    let j = run(env, a, &["account", "export", "--format", "json"]).ok().json();
    assert!(j.as_array().unwrap().iter().any(|p| p["mobile"] == "13700000102"), "{j}");
    // --format csv, and a pipe by default: the interchange CSV with its BOM.
    let r = run(env, a, &["unit", "export", "--format", "csv"]);
    assert!(r.ok().stdout.starts_with("\u{feff}code,name,level,parent"), "{}", r.stdout);
    let r = run(env, a, &["unit", "export"]);
    assert!(r.ok().stdout.starts_with("\u{feff}code,name,level,parent"), "{}", r.stdout);
    // A file is the interchange CSV: another format with -o is refused, nothing written.
    let f = env.path("units.json");
    run(env, a, &["unit", "export", "--format", "json", "-o", &f.display().to_string()])
        .code(2)
        .stderr_has("--format json prints to standard output; -o writes the interchange CSV");
    assert!(!f.exists());
}

// ---------------------------------------------------------------- the demo and the clock

#[test]
fn spec10_the_demo_prints_commands_that_run_as_printed() {
    let env = Env::empty();
    let db = env.path("demo.db");
    let mut c = std::process::Command::new(bin());
    c.args(["--db", &db.display().to_string(), "--lang", "en", "demo"])
        .env("PATH", "/usr/bin:/bin")
        .env("EIP_CONFIG_DIR", env.config_dir(None))
        .env_remove("EIP_NOW")
        .env_remove("EIP_DB");
    let r = Env::run_cmd(c, None);
    r.ok();
    let printed: Vec<&str> = r.stderr.lines().filter(|l| l.starts_with("  ") && l.contains(" --db ")).collect();
    assert!(printed.len() >= 8, "{}", r.stderr);
    for line in printed {
        assert!(line.trim_start().starts_with(&format!("{} --db", bin())), "not runnable as printed: {line}");
    }
}

#[test]
fn spec4_3_a_command_earlier_than_the_newest_event_warns_once() {
    let mut w = world();
    // The world's last command ran on 2026-12-11 09:00; the clock goes back to the 1st.
    w.env.now = "2026-12-01T09:00:00+08:00".into();
    let r = run(&w.env, &w.admin, &["whoami"]);
    r.ok();
    let warned: Vec<&str> = r.stderr.lines().filter(|l| l.contains("earlier than the newest audit event")).collect();
    assert_eq!(warned.len(), 1, "{}", r.stderr);
    assert!(warned[0].contains("2026-12-01 09:00") && warned[0].contains("2026-12-11 09:00"), "{}", warned[0]);
    assert!(warned[0].contains("EIP_NOW"), "{}", warned[0]);
    let r = run(&w.env, &w.admin, &["whoami", "--lang", "zh"]);
    r.ok().stderr_has("早于最新审计事件的时间");
    // Forward again: nothing said.
    w.env.now = "2026-12-11T10:00:00+08:00".into();
    run(&w.env, &w.admin, &["whoami"]).ok().stderr_lacks("earlier than");
}

#[test]
fn whoami_shows_when_the_sign_in_ends_as_a_person_reads_time_and_rfc_3339_to_a_program() {
    let w = world();
    for (lang, word) in [("zh", "北京时间"), ("en", "CST")] {
        let out = table(&w.env, &w.admin, 120, lang, &["whoami"]).ok().stdout.clone();
        let line = out.lines().find(|l| l.contains("2027-") || l.contains("2026-")).expect("the expiry").to_string();
        let rfc3339 =
            line.contains("+08:00") || line.as_bytes().windows(2).any(|w| w[0].is_ascii_digit() && w[1] == b'T');
        assert!(line.contains(word) && !rfc3339, "{lang}: {out}");
    }
    let j = run(&w.env, &w.admin, &["whoami", "--format", "json"]).ok().json();
    assert!(j["expires_at"].as_str().unwrap().ends_with("+08:00"), "{j}");
}
