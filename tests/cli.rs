//! The command-line contract: formats, errors, exit codes, language, completions, and
//! the reporting calendar, whatever the machine's time zone.

mod common;
use common::*;

use std::process::Stdio;

#[test]
fn spec8_usage_errors_are_exit_2_and_help_is_exit_0() {
    let env = Env::new();
    env.admin(&["unit", "frobnicate"]).code(2);
    env.admin(&["unit", "add", "130199"]).code(2).stderr_has("--parent");
    env.admin(&["--format", "xml", "whoami"]).code(2);
    env.admin(&["report", "calendar", "--period", "2026-13"])
        .code(2)
        .stderr_has("2026-13 is not a period: write YYYY-MM");
    env.admin(&["--help"]).ok().stdout_has("Exit codes:");
    env.admin(&["unit", "add", "--help"]).ok().stdout_has("--parent <CODE>");
    env.admin(&["--version"]).ok().stdout_has("eip ");
}

#[test]
fn spec8_global_options_go_before_or_after_the_subcommand() {
    let env = Env::new();
    let a = env.run(Some(ADMIN), &["--format", "json", "whoami"]);
    let b = env.run(Some(ADMIN), &["whoami", "--format", "json"]);
    assert_eq!(a.ok().json(), b.ok().json());
    let c = env.run(Some(ADMIN), &["-q", "unit", "add", "990000", "测试省", "--parent", "000000"]);
    c.ok();
    assert!(!c.stderr.contains("added unit"), "-q hides status lines: {}", c.stderr);
}

#[test]
fn spec8_formats_table_tsv_csv_json() {
    let env = Env::national();
    // Piped with no --format: tab-separated with a header of stable keys.
    let tsv = env.admin(&["unit", "list", "--under", "130100"]);
    let rows = tsv.ok().tsv();
    assert_eq!(rows[0], vec!["code", "name", "level", "parent"]);
    assert!(rows.iter().any(|r| r == &vec!["130102", "长安区", "county", "130100"]));
    let table = env.admin(&["unit", "list", "--under", "130100", "--format", "table"]);
    table.ok().stdout_has("│ Code").stdout_has("county");
    let json = env.admin(&["unit", "show", "130102", "--format", "json"]).ok().json();
    assert!(json.is_object(), "a single record is one object");
    assert_eq!(json["code"], "130102");
    let list = env.admin(&["unit", "list", "--under", "130100", "--format", "json"]).ok().json();
    assert!(list.is_array() && list[0]["code"].is_string(), "a list is an array of objects with identifiers");
    // Machine formats do not change with the language; tables do.
    let zh_json = env.admin(&["unit", "show", "130102", "--format", "json", "--lang", "zh"]).ok().json();
    assert_eq!(zh_json, json);
    env.admin(&["unit", "show", "130102", "--format", "table", "--lang", "zh"])
        .ok()
        .stdout_has("区县级")
        .stdout_has("代码");
}

#[test]
fn spec8_errors_name_the_rule_and_the_way_out_in_json_too() {
    let env = Env::national();
    let r = env.admin(&["unit", "add", "130102", "x", "--parent", "130100", "--format", "json"]);
    r.code(5);
    let err: serde_json::Value = serde_json::from_str(r.stderr.trim()).expect("stderr is one JSON object");
    assert_eq!(err["kind"], "refused");
    assert_eq!(err["exit_code"], 5);
    assert!(err["error"].as_str().unwrap().contains("unit 130102 already exists"));
    assert!(err["hint"].as_str().unwrap().contains("eip unit rename 130102"));
    assert!(r.stdout.is_empty(), "nothing on stdout");
    let text = env.admin(&["unit", "add", "130102", "x", "--parent", "130100"]);
    let lines: Vec<&str> = text.stderr.lines().collect();
    assert!(lines[0].starts_with("error: unit 130102 already exists"), "{}", text.stderr);
    assert!(lines.last().unwrap().starts_with("hint: "), "{}", text.stderr);
}

#[test]
fn spec8_language_from_lang_or_flag() {
    let env = Env::national();
    // LANG=zh_CN.UTF-8 without --lang: Chinese.
    let mut c = std::process::Command::new(bin());
    c.args(["unit", "show", "999999"])
        .env("EIP_DB", &env.db)
        .env("EIP_CONFIG_DIR", env.config_dir(Some(ADMIN)))
        .env("EIP_NOW", NOW)
        .env_remove("LC_ALL")
        .env("LANG", "zh_CN.UTF-8")
        .stdin(Stdio::null());
    let r = Env::run_cmd(c, None);
    r.code(4).stderr_has("错误：").stderr_lacks("error:");
    assert!(r.stderr.contains("您的范围内没有单位 999999"), "{}", r.stderr);
    // --lang en overrides LANG (the harness passes --lang en).
    env.admin(&["unit", "show", "999999"]).code(4).stderr_has("error: no unit 999999 in your scope");
    // --lang zh for the status lines too.
    env.admin(&["unit", "rename", "130102", "长安区教育局", "--lang", "zh"]).ok().stderr_has("已更名 130102");
}

#[test]
fn spec8_a_closed_pipe_ends_quietly() {
    let env = Env::national();
    let mut child =
        env.command(Some(ADMIN), &["unit", "export"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // Read a little, then close the pipe.
    let mut out = child.stdout.take().unwrap();
    let mut buf = [0u8; 64];
    std::io::Read::read_exact(&mut out, &mut buf).unwrap();
    drop(out);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked") && !stderr.contains("error"), "{stderr}");
}

#[test]
fn spec8_completions_for_the_shells() {
    let env = Env::empty();
    env.run(None, &["completions", "bash"]).ok().stdout_has("_eip()").stdout_has("calendar");
    env.run(None, &["completions", "zsh"]).ok().stdout_has("#compdef eip");
    env.run(None, &["completions", "fish"]).ok().stdout_has("complete -c eip");
    env.run(None, &["completions", "tcsh"]).code(2);
}

#[test]
fn spec2_commands_need_a_signed_in_account() {
    let env = Env::new();
    for args in [
        &["whoami"][..],
        &["unit", "list"],
        &["unit", "add", "990000", "x", "--parent", "000000"],
        &["audit", "log"],
        &["account", "list"],
    ] {
        env.run(Some("nobody"), args).code(3).stderr_has("not signed in").stderr_has("hint: sign in with: eip login");
    }
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '990000'"), 0);
}

fn calendar(env: &Env, tz: &str, args: &[&str]) -> String {
    let mut c = env.command(None, &[&["report", "calendar", "--format", "csv"][..], args].concat());
    c.env("TZ", tz);
    let r = Env::run_cmd(c, None);
    r.ok();
    r.stdout
}

#[test]
fn art17_calendar_windows_in_cst_whatever_the_machines_zone() {
    let env = Env::new();
    let utc = calendar(&env, "UTC", &["--period", "2026-11"]);
    assert_eq!(
        utc,
        "level,period,opens,deadline\n\
         county,2026-11,2026-12-01T00:00:00+08:00,2026-12-06T00:00:00+08:00\n\
         prefecture,2026-11,2026-12-05T00:00:00+08:00,2026-12-11T00:00:00+08:00\n\
         province,2026-11,2026-12-10T00:00:00+08:00,2026-12-16T00:00:00+08:00\n"
    );
    assert_eq!(calendar(&env, "America/New_York", &["--period", "2026-11"]), utc);
    assert_eq!(calendar(&env, "Asia/Shanghai", &["--period", "2026-11"]), utc);
    // December rolls into January.
    let dec = calendar(&env, "UTC", &["--period", "2026-12"]);
    assert!(dec.contains("county,2026-12,2027-01-01T00:00:00+08:00,2027-01-06T00:00:00+08:00"), "{dec}");
    // For a person: the deadline is the end of the 5th.
    let t = env.run(None, &["report", "calendar", "--period", "2026-11", "--format", "table"]);
    t.ok().stdout_has("2026-12-05 24:00 CST").stdout_has("2026-12-01 00:00 CST");
}

#[test]
fn art17_the_default_period_is_last_month_in_cst() {
    let mut env = Env::new();
    // 2026-11-30 16:30 UTC is already December 1st in Beijing: the period reported is November.
    env.now = "2026-11-30T16:30:00Z".into();
    let r = env.run(None, &["report", "calendar", "--format", "csv"]);
    r.ok().stderr_has("period 2026-11");
    env.now = "2026-11-30T15:59:59Z".into();
    env.run(None, &["report", "calendar", "--format", "csv"]).ok().stderr_has("period 2026-10");
}

#[test]
fn spec43_calendar_without_a_database_refuses_eip_now() {
    let env = Env::empty();
    env.run(None, &["report", "calendar"]).code(3).stderr_has("EIP_NOW is set");
    let mut c = env.command(None, &["report", "calendar", "--period", "2026-11"]);
    c.env_remove("EIP_NOW");
    Env::run_cmd(c, None).ok();
}
