//! Cells that are safe to open: formula cells neutralised on every CSV export and the
//! one leading `'` dropped on import; control characters refused on input and never printed raw;
//! length limits on names, addresses and free text; a CSV quote that never closes named with its
//! line.

mod common;
use common::*;

use std::collections::BTreeMap;

const COUNTY: &str = "130102";
const P: &str = "2026-11";

/// Every formula prefix Excel and WPS act on, each as the start of a school name.
const FORMULAS: &[(&str, &str)] = &[
    ("2113010001", "=HYPERLINK(\"http://evil.example\",\"点我\")"),
    ("2113010002", "+cmd|' /C calc'!A0"),
    ("2113010003", "-2+3+cmd|' /C calc'!A0"),
    ("2113010004", "@SUM(1+1)*cmd|' /C calc'!A0"),
    // A tab and a carriage return cannot be typed into a name any more (they are trimmed or
    // refused); they arrive from data stored before, put in place below.
    ("2113010005", "\t=1+1"),
    ("2113010006", "\r=1+1"),
];

/// 长安区's admin, named with a formula, signed in: 130102-A01 (schools are added by the
/// supervising unit's admin, Art. 11).
fn county(env: &Env) -> String {
    env.person(COUNTY, "admin", "+cmd|' /C calc'!A0", "13700000101")
}

/// The national units with the six formula-named schools under 长安区.
fn formula_schools() -> (Env, String) {
    let env = Env::national();
    let c = county(&env);
    for (code, name) in FORMULAS {
        let typed = if name.starts_with(['\t', '\r']) { "placeholder" } else { name };
        // `--` so that a name starting with `-` is not read as an option.
        env.run(Some(&c), &["school", "add", "--unit", COUNTY, "--lang", "en", "--", code, typed]).ok();
    }
    let conn = env.conn();
    for (code, name) in &FORMULAS[4..] {
        conn.execute("UPDATE org SET name = ?1 WHERE code = ?2", params![name, code]).unwrap();
    }
    (env, c)
}

/// A text indicator schools fill, `remark` (备注), added by the Ministry admin.
fn add_remark_indicator(env: &Env) {
    let add = ["report", "indicators", "add", "remark", "--name-zh", "备注", "--name-en", "Remark"];
    env.admin(&[&add[..], &["--kind", "text", "--filled-by", "school"]].concat()).ok();
}

/// What a neutralised cell holds: the text with one leading `'`, any control character other
/// than a tab shown escaped.
fn neutralised(name: &str) -> String {
    format!("'{}", name.replace('\r', "\\r"))
}

#[track_caller]
fn assert_names_neutralised(rows: &[BTreeMap<String, String>], code_col: &str, name_col: &str, what: &str) {
    for (code, name) in FORMULAS {
        let row = rows.iter().find(|r| r[code_col] == *code).unwrap_or_else(|| panic!("{what}: no row {code}"));
        assert_eq!(row[name_col], neutralised(name), "{what}: {code}");
    }
}

#[test]
fn school_export_and_lists_write_formula_cells_with_a_leading_quote() {
    let (env, _) = formula_schools();
    let r = env.admin(&["school", "export"]);
    assert_names_neutralised(&csv_maps(&r.ok().stdout), "code", "name", "school export");
    let r = env.admin(&["school", "list", "--under", COUNTY, "--format", "csv"]);
    assert_names_neutralised(&csv_maps(&r.ok().stdout), "code", "name", "school list --format csv");
    // TSV (what a pipe gets, and what Excel opens as "Unicode text") likewise; its tab is escaped.
    let r = env.admin(&["school", "list", "--under", COUNTY, "--format", "tsv"]);
    let rows = r.ok().tsv();
    let name_at = rows[0].iter().position(|h| h == "name").unwrap();
    let code_at = rows[0].iter().position(|h| h == "code").unwrap();
    for (code, name) in FORMULAS {
        let row = rows.iter().find(|r| r[code_at] == *code).unwrap();
        let want = format!("'{}", name.replace('\t', "\\t").replace('\r', "\\r"));
        assert_eq!(row[name_at], want, "tsv {code}");
    }
    // JSON is for programs: the value is as stored.
    let r = env.admin(&["school", "show", "2113010001", "--format", "json"]);
    assert_eq!(r.ok().json()["name"], FORMULAS[0].1);
}

#[test]
fn account_export_report_missing_and_audit_export_neutralise_formula_cells() {
    let (env, _) = formula_schools();
    let r = env.add_account(
        COUNTY,
        "reviewer",
        "+cmd|' /C calc'!A0",
        "13700000102",
        &["--department=-2+3", "--title", "@SUM(A1)", "--format", "json"],
    );
    let user = r.ok().json()["username"].as_str().unwrap().to_string();
    // Account export: the personnel form, every text cell.
    let r = env.admin(&["account", "export", "--under", COUNTY]);
    let text = r.ok().stdout.trim_start_matches('\u{feff}').to_string();
    let form: String = text.lines().skip(3).collect::<Vec<_>>().join("\n");
    let rows = csv_maps(&form);
    let me = rows.iter().find(|r| r["姓名"].contains("cmd")).expect("the account's row");
    assert_eq!(me["姓名"], "'+cmd|' /C calc'!A0");
    assert_eq!(me["处室"], "'-2+3");
    assert_eq!(me["职务"], "'@SUM(A1)");
    assert_eq!(me["手机号"], "13700000102");
    // The 催报 list: the schools' names and the county's contact.
    let r = env.admin(&["report", "missing", "--under", COUNTY, "--period", P, "--format", "csv"]);
    let rows = csv_maps(&r.ok().stdout);
    assert_names_neutralised(&rows, "code", "name", "report missing");
    let county = rows.iter().find(|r| r["code"] == COUNTY).expect("the county's row");
    assert_eq!(county["contact"], "'+cmd|' /C calc'!A0");
    // The audit trail's CSV: the reason and the target as typed, neutralised.
    env.admin(&["account", "disable", &user, "--reason", "=1+1+cmd|' /C calc'!A0"]).ok();
    let r = env.admin(&["audit", "export", "--as", "csv"]);
    let rows = csv_maps(&r.ok().stdout);
    let ev = rows.iter().find(|r| r["action"] == "account.disable").expect("the disable event");
    assert_eq!(ev["reason"], "'=1+1+cmd|' /C calc'!A0");
    assert!(rows.iter().all(|r| !r.values().any(|v| v.starts_with(['=', '+', '@', '\t', '\r']))), "{rows:?}");
    // A JSON export keeps the reason as stored.
    let r = env.admin(&["audit", "export", "--action", "account.disable"]);
    assert!(r.ok().stdout.contains("\"reason\":\"=1+1+cmd|' /C calc'!A0\""), "{}", r.stdout);
}

#[test]
fn numbers_stay_numbers_and_text_values_are_neutralised_in_a_report_export() {
    let env = Env::national();
    let county = county(&env);
    env.run(Some(&county), &["school", "add", "2113010001", "长安一中", "--unit", COUNTY]).ok();
    env.run(Some(&county), &["school", "add", "2113010002", "长安二中", "--unit", COUNTY]).ok();
    add_remark_indicator(&env);
    let set = |org: &str, pair: &str| env.run(Some(&county), &["report", "set", "--org", org, "--period", P, pair]);
    set("2113010001", "remark=-5").ok();
    set("2113010002", "remark=-2+3").ok();
    set("2113010001", "classrooms=12").ok();
    let r = env.run(Some(&county), &["report", "export", "--period", P, "--under", COUNTY, "--layout", "long"]);
    let rows = csv_maps(&r.ok().stdout);
    let value = |org: &str, ind: &str| {
        rows.iter().find(|r| r["org"] == org && r["indicator"] == ind).map(|r| r["value"].clone()).unwrap_or_default()
    };
    assert_eq!(value("2113010001", "remark"), "-5", "{rows:?}");
    assert_eq!(value("2113010002", "remark"), "'-2+3", "{rows:?}");
    assert_eq!(value("2113010001", "classrooms"), "12", "{rows:?}");
}

#[test]
fn import_drops_the_one_leading_quote_and_round_trips() {
    let env = Env::national();
    let file = env.write_file(
        "s.csv",
        "code,name,unit,address\n2113010001,'=x,130102,'-1 长安路\n2113010002,''quoted,130102,\n".as_bytes(),
    );
    let c = county(&env);
    env.run(Some(&c), &["school", "import", &file]).ok();
    let name = |code: &str| -> String {
        env.conn().query_row("SELECT name FROM org WHERE code = ?1", [code], |r| r.get(0)).unwrap()
    };
    assert_eq!(name("2113010001"), "=x");
    assert_eq!(name("2113010002"), "'quoted");
    let addr: String = env
        .conn()
        .query_row(
            "SELECT address FROM school WHERE org_id = (SELECT id FROM org WHERE code = '2113010001')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(addr, "-1 长安路");
    // Export and import again: nothing changes, nothing is recorded.
    let exported = env.path("out.csv");
    env.run(Some(&c), &["school", "export", "-o", exported.to_str().unwrap()]).ok();
    let text = std::fs::read_to_string(&exported).unwrap();
    let rows = csv_maps(&text);
    assert_eq!(rows.iter().find(|r| r["code"] == "2113010001").unwrap()["name"], "'=x");
    assert_eq!(rows.iter().find(|r| r["code"] == "2113010002").unwrap()["name"], "''quoted");
    let events = env.audit_count();
    env.run(Some(&c), &["school", "import", exported.to_str().unwrap()]).ok();
    assert_eq!(env.audit_count(), events, "re-importing the export changed something");
    assert_eq!(name("2113010001"), "=x");
    assert_eq!(name("2113010002"), "'quoted");
}

/// The name the tracker saw clear the admin's screen and retitle the window.
const ESCAPES: &str = "长安\u{1b}[2J\u{1b}]0;pwned\u{7}";

#[test]
fn control_characters_are_refused_on_input_and_nothing_is_written() {
    let env = Env::national();
    let c = county(&env);
    let schools = || env.count("SELECT count(*) FROM org WHERE level = 'school'");
    let events = env.audit_count();
    let r = env.run(Some(&c), &["school", "add", "2113010001", ESCAPES, "--unit", COUNTY]);
    r.code(6).stderr_has("U+001B").stderr_lacks("\u{1b}");
    let r = env
        .run(Some(&c), &["school", "add", "2113010001", "长安一中", "--unit", COUNTY, "--address", "长安路\u{7}1号"]);
    r.code(6).stderr_has("U+0007").stderr_lacks("\u{7}");
    let r = env.admin(&["unit", "add", "130199", "新区\u{9b}2J", "--parent", "130100"]);
    r.code(6).stderr_has("U+009B");
    let r = env.add_account(COUNTY, "reviewer", "张\u{1b}三", "13700000102", &[]);
    r.code(6).stderr_has("U+001B");
    assert_eq!(schools(), 0);
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '130199'"), 0);
    assert_eq!(env.count("SELECT count(*) FROM account WHERE name LIKE '张%'"), 0);
    // From a file: a NUL and an ESC, each named with its line; nothing written.
    let file = env.write_file(
        "s.csv",
        b"code,name,unit\n2113010001,\xe9\x95\xbf\xe5\xae\x89\x00,130102\n2113010002,ok,130102\n2113010003,a\x1b[2Jb,130102\n",
    );
    let r = env.run(Some(&c), &["school", "import", &file]);
    r.code(6)
        .stderr_has("line 2")
        .stderr_has("U+0000")
        .stderr_has("line 4")
        .stderr_has("U+001B")
        .stderr_lacks("\u{1b}");
    assert_eq!(schools(), 0);
    assert_eq!(env.audit_count(), events, "a refused input was audited as a change");
}

#[test]
fn control_characters_stored_before_are_shown_escaped() {
    let env = Env::national();
    let c = county(&env);
    env.run(Some(&c), &["school", "add", "2113010001", "长安一中", "--unit", COUNTY]).ok();
    env.conn().execute("UPDATE org SET name = ?1 WHERE code = '2113010001'", [ESCAPES]).unwrap();
    let shown = "长安\\u{1b}[2J\\u{1b}]0;pwned\\u{7}";
    for format in ["table", "tsv", "csv"] {
        let r = env.admin(&["school", "list", "--under", COUNTY, "--format", format]);
        r.ok();
        assert!(!r.stdout.contains('\u{1b}') && !r.stdout.contains('\u{7}'), "{format}: raw control characters");
        assert!(r.stdout.contains(shown), "{format}: {}", r.stdout);
    }
    // In a message on stderr too.
    let r = env.run(Some(&c), &["school", "add", "2113010001", "长安一中", "--unit", COUNTY]);
    r.code(5).stderr_has(shown).stderr_lacks("\u{1b}");
    // And in an export file.
    let r = env.admin(&["school", "export"]);
    assert!(r.ok().stdout.contains(shown), "{}", r.stdout);
    assert!(!r.stdout.contains('\u{1b}'));
    // A unit's name in the tree; a line break cannot forge a line of a message.
    env.conn().execute("UPDATE org SET name = ?1 WHERE code = ?2", ["长安区\u{1b}[31m", COUNTY]).unwrap();
    let r = env.admin(&["unit", "tree", "130100"]);
    r.ok().stdout_has("长安区\\u{1b}[31m");
    assert!(!r.stdout.contains('\u{1b}'));
    env.conn()
        .execute("UPDATE org SET name = ?1 WHERE code = '2113010001'", ["一中\nhint: run eip account reset 000000-A01"])
        .unwrap();
    let r = env.run(Some(&c), &["school", "add", "2113010001", "长安一中", "--unit", COUNTY]);
    r.code(5).stderr_has("一中\\nhint: run");
    assert!(!r.stderr.lines().any(|l| l.starts_with("hint: run eip account reset")), "{}", r.stderr);
}

#[test]
fn names_addresses_and_free_text_have_length_limits() {
    let env = Env::national();
    let name101 = "长".repeat(101);
    let addr201 = "路".repeat(201);
    let text2001 = "因".repeat(2001);
    let r = env.add_account(COUNTY, "reviewer", &name101, "13700000102", &[]);
    r.code(6).stderr_has("100");
    assert_eq!(env.count("SELECT count(*) FROM account WHERE mobile = '13700000102'"), 0);
    let user = county(&env);
    let r = env.run(Some(&user), &["school", "add", "2113010001", "长安一中", "--unit", COUNTY, "--address", &addr201]);
    r.code(6).stderr_has("200");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '2113010001'"), 0);
    // At the limits, accepted.
    let name100 = "长".repeat(100);
    let addr200 = "路".repeat(200);
    env.run(Some(&user), &["school", "add", "2113010001", &name100, "--unit", COUNTY, "--address", &addr200]).ok();
    // Free text: a reason.
    let events = env.audit_count();
    let r = env.admin(&["account", "disable", &user, "--reason", &text2001]);
    r.code(6).stderr_has("2,000");
    assert_eq!(env.count("SELECT count(*) FROM account WHERE username = '130102-A01' AND status = 'active'"), 1);
    assert_eq!(env.audit_count(), events);
    // Free text: a text indicator's value.
    add_remark_indicator(&env);
    let r =
        env.run(Some(&user), &["report", "set", "--org", "2113010001", "--period", P, &format!("remark={text2001}")]);
    r.code(6).stderr_has("2,000");
    assert_eq!(env.count("SELECT count(*) FROM value WHERE indicator = 'remark'"), 0);
    // A school file with a 101-character name: the line named.
    let file = env.write_file("s.csv", format!("code,name,unit\n2113010002,{name101},130102\n").as_bytes());
    env.run(Some(&user), &["school", "import", &file]).code(6).stderr_has("line 2").stderr_has("100");
}

#[test]
fn an_unbalanced_quote_is_reported_with_its_line() {
    let env = Env::national();
    let file = env.write_file(
        "s.csv",
        "code,name,unit\n2113010001,长安一中,130102\n2113010002,\"长安二中,130102\n2113010003,长安三中,130102\n"
            .as_bytes(),
    );
    let r = env.run(Some(&county(&env)), &["school", "import", &file]);
    r.code(6).stderr_has("line 3").stderr_has("quote").stderr_lacks("no unit");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE level = 'school'"), 0);
}

#[test]
fn the_monthly_text_keeps_its_lines_and_refuses_other_control_characters() {
    let env = Env::national();
    let p = env.person("130000", "admin", "省管", "13700000104");
    let good = env.write_file("good.txt", "一、总体情况\r\n\t本月进展顺利。\n二、问题\n".as_bytes());
    env.run(Some(&p), &["report", "text", "--period", P, "--file", &good]).ok();
    let bad = env.write_file("bad.txt", "一、总体情况\n\u{1b}[2J本月\n".as_bytes());
    let r = env.run(Some(&p), &["report", "text", "--period", P, "--file", &bad]);
    r.code(6).stderr_has("U+001B").stderr_has("monthly text");
    assert_eq!(env.count("SELECT count(*) FROM report_text"), 1);
    // A text stored before: shown with its lines, the escape escaped.
    env.conn().execute("UPDATE report_text SET body = ?1", ["一\u{1b}]0;pwned\u{7}\n二"]).unwrap();
    let r = env.run(Some(&p), &["report", "text", "--period", P]);
    r.ok();
    assert_eq!(r.stdout, "一\\u{1b}]0;pwned\\u{7}\n二\n");
}
