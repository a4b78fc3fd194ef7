//! Admin units (§5.0): the hierarchy's rules, scope, and all-or-nothing imports.

mod common;
use common::*;

fn units(env: &Env) -> i64 {
    env.count("SELECT count(*) FROM org WHERE level <> 'school'")
}

#[test]
fn spec50_the_national_list_imports_and_reimports_as_unchanged() {
    let env = Env::new();
    let before = env.audit_count();
    env.admin(&["unit", "import", &data("divisions.csv")])
        .ok()
        .stderr_has("3212 rows: 3211 added, 0 changed, 1 unchanged");
    assert_eq!(units(&env), 3212);
    assert_eq!(env.count("SELECT count(*) FROM org WHERE level = 'province'"), 32);
    assert_eq!(env.count("SELECT count(*) FROM org WHERE level = 'prefecture'"), 333);
    assert_eq!(env.count("SELECT count(*) FROM org WHERE level = 'county'"), 2846);
    // One audit event per unit added, none for the Ministry row that was unchanged.
    assert_eq!(env.audit_count() - before, 3211);
    // Every path is its parent's path plus its own code.
    assert_eq!(
        env.count(
            "SELECT count(*) FROM org o JOIN org p ON p.id = o.parent_id WHERE o.path <> p.path || o.code || '/'"
        ),
        0
    );
    // The same file again changes nothing and records nothing.
    let events = env.audit_count();
    env.admin(&["unit", "import", &data("divisions.csv")])
        .ok()
        .stderr_has("3212 rows: 0 added, 0 changed, 3212 unchanged");
    assert_eq!(env.audit_count(), events);
}

#[test]
fn spec1_add_takes_the_level_below_its_parent_by_default() {
    let env = Env::national();
    env.admin(&["unit", "add", "130199", "测试区", "--parent", "130100"])
        .ok()
        .stderr_has("added unit 130199 测试区 (county) under 130100");
    let j = env.admin(&["unit", "show", "130199", "--format", "json"]).ok().json();
    assert_eq!(j["level"], "county");
    assert_eq!(j["parent"], "130100");
    assert_eq!(j["path"], "/000000/130000/130100/130199/");
    let ev = env.admin(&["audit", "log", "--target", "130199", "--format", "json"]).ok().json();
    assert_eq!(ev[0]["action"], "unit.add");
    assert_eq!(
        ev[0]["detail"].as_str().unwrap(),
        r#"{"after":{"code":"130199","name":"测试区","level":"county","parent":"130100"}}"#
    );
}

#[test]
fn spec1_a_county_directly_under_a_province_is_legal() {
    let env = Env::national();
    env.admin(&["unit", "add", "139001", "辛集市", "--parent", "130000", "--level", "county"]).ok();
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '139001' AND level = 'county'"), 1);
    // Chinese level names are accepted too.
    env.admin(&["unit", "add", "139002", "晋州市", "--parent", "130000", "--level", "区县级"]).ok();
}

#[test]
fn spec1_the_parent_must_be_of_a_strictly_higher_level() {
    let env = Env::national();
    let before = env.audit_count();
    env.admin(&["unit", "add", "130198", "x", "--parent", "130102", "--level", "county"])
        .code(6)
        .stderr_has("a county cannot be under 130102 (county): a parent must be of a strictly higher level");
    env.admin(&["unit", "add", "130197", "x", "--parent", "130100", "--level", "prefecture"]).code(6);
    env.admin(&["unit", "add", "130196", "x", "--parent", "130102"])
        .code(6)
        .stderr_has("no unit can be created under a county");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code IN ('130198','130197','130196')"), 0);
    assert_eq!(env.audit_count(), before, "a refused write records no change");
}

#[test]
fn spec1_codes_are_six_digits_and_000000_is_the_ministrys_alone() {
    let env = Env::national();
    env.admin(&["unit", "add", "13019", "x", "--parent", "130100"]).code(6).stderr_has("13019 is not a unit code");
    env.admin(&["unit", "add", "13019a", "x", "--parent", "130100"]).code(6);
    env.admin(&["unit", "add", "000000", "x", "--parent", "130100"])
        .code(6)
        .stderr_has("000000 is the Ministry's code");
    env.admin(&["unit", "add", "130195", "x", "--parent", "130100", "--level", "ministry"])
        .code(6)
        .stderr_has("there is exactly one ministry");
    env.admin(&["unit", "add", "130195", "  ", "--parent", "130100"]).code(6).stderr_has("the name is empty");
}

#[test]
fn spec1_a_duplicate_code_is_refused_with_the_way_out() {
    let env = Env::national();
    env.admin(&["unit", "add", "130102", "又一个", "--parent", "130100"])
        .code(5)
        .stderr_has("unit 130102 already exists (长安区)")
        .stderr_has("hint: rename it with: eip unit rename 130102 NAME");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE name = '又一个'"), 0);
}

#[test]
fn spec1_rename_is_audited_and_a_same_name_rename_records_nothing() {
    let env = Env::national();
    let before = env.audit_count();
    env.admin(&["unit", "rename", "130102", "长安区教育局"]).ok().stderr_has("renamed 130102: 长安区 → 长安区教育局");
    assert_eq!(env.audit_count(), before + 1);
    let detail: String =
        env.conn().query_row("SELECT detail FROM audit ORDER BY seq DESC LIMIT 1", [], |r| r.get(0)).unwrap();
    assert_eq!(detail, r#"{"before":{"name":"长安区"},"after":{"name":"长安区教育局"}}"#);
    env.admin(&["unit", "rename", "130102", "长安区教育局"]).ok().stderr_has("nothing changed");
    assert_eq!(env.audit_count(), before + 1);
    env.admin(&["unit", "rename", "000000", "部"]).code(5);
}

#[test]
fn spec1_scope_a_county_cannot_see_or_change_another_county() {
    let env = Env::national();
    let county = env.person("130102", "admin", "赵敏", "13700000001");
    // Its own unit: visible.
    env.run(Some(&county), &["unit", "show", "130102"]).ok();
    // Another county, a missing code, and a parent: the same answer, exit 4.
    let other = env.run(Some(&county), &["unit", "show", "130104"]);
    other.code(4).stderr_has("no unit 130104 in your scope");
    let missing = env.run(Some(&county), &["unit", "show", "999999"]);
    missing.code(4).stderr_has("no unit 999999 in your scope");
    assert_eq!(other.stderr.replace("130104", "X"), missing.stderr.replace("999999", "X"), "existence does not leak");
    env.run(Some(&county), &["unit", "show", "130100"]).code(4);
    env.run(Some(&county), &["unit", "rename", "130104", "改"]).code(4);
    env.run(Some(&county), &["unit", "tree", "130000"]).code(4);
    env.run(Some(&county), &["unit", "list", "--under", "130104"]).code(4);
    // Inside its scope, but the role may not manage units: exit 3 naming who may, audited.
    let before = env.count("SELECT count(*) FROM audit WHERE action = 'denied'");
    env.run(Some(&county), &["unit", "rename", "130102", "改"]).code(3).stderr_has(
        "may not add, rename or import units here; a Ministry admin or a province admin inside its province may",
    );
    assert_eq!(env.count("SELECT count(*) FROM audit WHERE action = 'denied'"), before + 1);
    assert_eq!(env.count("SELECT count(*) FROM org WHERE name = '改'"), 0);
    // Its list shows only its own subtree (nothing below a county yet).
    let r = env.run(Some(&county), &["unit", "list", "--format", "json"]);
    assert_eq!(r.ok().json().as_array().unwrap().len(), 0);
}

#[test]
fn spec2_a_province_admin_manages_units_inside_its_province_only() {
    let env = Env::national();
    let prov = env.person("130000", "admin", "李明", "13900000001");
    env.run(Some(&prov), &["unit", "add", "130198", "新区", "--parent", "130100"]).ok();
    env.run(Some(&prov), &["unit", "rename", "130102", "长安区教育局"]).ok();
    env.run(Some(&prov), &["unit", "add", "140198", "新区", "--parent", "140100"])
        .code(4)
        .stderr_has("no unit 140100 in your scope");
    env.run(Some(&prov), &["unit", "add", "150000", "新省", "--parent", "000000"]).code(4);
    // A prefecture admin may not.
    let pref = env.person("130100", "admin", "陈静", "13900000011");
    env.run(Some(&pref), &["unit", "add", "130197", "新区", "--parent", "130100"]).code(3);
    // A province reviewer may not either.
    let rev = env.person("130000", "reviewer", "张伟", "13900000002");
    env.run(Some(&rev), &["unit", "add", "130197", "新区", "--parent", "130100"])
        .code(3)
        .stderr_has("reviewer 130000-R01 may not");
    // Province import: rows of another province are row errors; nothing written.
    let file = env.write_file(
        "mixed.csv",
        "code,name,level,parent\n130196,甲区,county,130100\n140196,乙区,county,140100\n".as_bytes(),
    );
    env.run(Some(&prov), &["unit", "import", &file]).code(6).stderr_has("line 3:").stderr_lacks("line 2:");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code IN ('130196','140196')"), 0);
}

#[test]
fn spec5_one_bad_row_among_three_thousand_writes_nothing_and_names_its_line() {
    let env = Env::new();
    let text = std::fs::read_to_string(data("divisions.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // Line 2001 of the file gets a county under a county.
    let victim = lines[2000].clone();
    let fields: Vec<&str> = victim.split(',').collect();
    let county_parent =
        lines.iter().find(|l| l.ends_with(",county,130100")).unwrap().split(',').next().unwrap().to_string();
    lines[2000] = format!("{},{},county,{}", fields[0], fields[1], county_parent);
    let file = env.write_file("one-bad.csv", (lines.join("\n") + "\n").as_bytes());
    let before = env.audit_count();
    env.admin(&["unit", "import", &file])
        .code(6)
        .stderr_has("line 2001: a county cannot be under")
        .stderr_has("1 of 3212 rows are bad; nothing was written");
    assert_eq!(units(&env), 1, "only the Ministry");
    assert_eq!(env.audit_count(), before);
    // --rejects writes the bad row with its error, ready to fix.
    let rejects = env.path("rejects.csv");
    env.admin(&["unit", "import", &file, "--rejects", rejects.to_str().unwrap()]).code(6);
    let r = std::fs::read_to_string(&rejects).unwrap();
    let r = r.trim_start_matches('\u{feff}');
    let rows: Vec<&str> = r.lines().collect();
    assert_eq!(rows.len(), 2, "{r}");
    assert_eq!(rows[0], "code,name,level,parent,error");
    assert!(rows[1].starts_with(&format!("{},{},county,{},", fields[0], fields[1], county_parent)), "{}", rows[1]);
}

#[test]
fn spec5_every_bad_row_is_reported_at_once() {
    let env = Env::national();
    let csv = "code,name,level,parent\n\
               130191,,county,130100\n\
               1301x2,甲,county,130100\n\
               130193,乙,town,130100\n\
               130194,丙,county,999999\n\
               130194,丁,county,130100\n\
               130195,戊,county,130100\n\
               130102,长安区,prefecture,130100\n";
    let file = env.write_file("bad.csv", csv.as_bytes());
    let r = env.admin(&["unit", "import", &file]);
    r.code(6)
        .stderr_has("line 2: the name is empty")
        .stderr_has("line 3: 1301x2 is not a unit code")
        .stderr_has("line 4: town is not a level")
        .stderr_has("line 5: the parent 999999 does not exist")
        .stderr_has("line 6: 130194 appears more than once in the file (first on line 5)")
        .stderr_has("line 8: 130102 exists under 130100 as a county; units do not move or change level")
        .stderr_lacks("line 7");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '130195'"), 0, "the good row is not written either");
}

#[test]
fn spec5_gbk_files_from_excel_are_detected() {
    let env = Env::national();
    let text = "代码,名称,级别,上级代码\r\n130198,测试新区,区县级,130100\r\n130102,长安区教育局,区县级,130100\r\n";
    let (gbk, _, had_errors) = encoding_rs::GBK.encode(text);
    assert!(!had_errors);
    let file = env.write_file("gbk.csv", &gbk);
    env.admin(&["unit", "import", &file]).ok().stderr_has("2 rows: 1 added, 1 changed, 0 unchanged");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '130198' AND name = '测试新区'"), 1);
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '130102' AND name = '长安区教育局'"), 1);
    // Forcing UTF-8 on it names the line that is not UTF-8.
    env.admin(&["unit", "import", &file, "--encoding", "utf-8"]).code(6).stderr_has("is not valid UTF-8 (line 1)");
    // UTF-8 with a BOM is read too.
    let bom =
        [b"\xEF\xBB\xBF".as_slice(), "code,name,level,parent\n130197,带BOM区,county,130100\n".as_bytes()].concat();
    let file = env.write_file("bom.csv", &bom);
    env.admin(&["unit", "import", &file]).ok().stderr_has("1 added");
}

#[test]
fn spec5_dry_run_shows_the_change_and_writes_nothing() {
    let env = Env::national();
    let file = env.write_file("d.csv", "code,name,level,parent\n130198,新区,county,130100\n130102,长安区教育局,county,130100\n130104,桥西区,county,130100\n".as_bytes());
    let before = env.audit_count();
    let r = env.admin(&["unit", "import", &file, "--dry-run", "--format", "json"]);
    r.ok().stderr_has("dry run: nothing was written").stderr_has("3 rows: 1 added, 1 changed, 1 unchanged");
    let j = r.json();
    assert_eq!(j.as_array().unwrap().len(), 2);
    assert_eq!(j[0]["code"], "130198");
    assert_eq!(j[0]["change"], "added");
    assert_eq!(j[1]["change"], "renamed");
    assert_eq!(env.audit_count(), before);
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '130198'"), 0);
}

#[test]
fn spec50_rows_in_any_order_parents_resolved_within_the_file() {
    let env = Env::new();
    let csv = "code,name,level,parent\n990101,甲县,county,990100\n990100,甲市,prefecture,990000\n990000,甲省,province,000000\n";
    let file = env.write_file("order.csv", csv.as_bytes());
    env.admin(&["unit", "import", &file]).ok().stderr_has("3 added");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE path = '/000000/990000/990100/990101/'"), 1);
}

#[test]
fn spec50_export_round_trips_into_a_fresh_database() {
    let env = Env::national();
    env.admin(&["unit", "rename", "130102", "长安区教育局"]).ok();
    let out = env.path("hebei.csv");
    env.admin(&["unit", "export", "--under", "130000", "-o", out.to_str().unwrap()]).ok();
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM for Excel");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with("code,name,level,parent\n130000,河北省,province,000000\n"), "{}", &text[..80]);
    assert!(text.contains("130102,长安区教育局,county,130100\n"));
    let hebei = env.count("SELECT count(*) FROM org WHERE path >= '/000000/130000/' AND path < '/000000/1300000'");
    assert_eq!(text.lines().count() as i64, hebei + 1);
    let fresh = Env::new();
    fresh.admin(&["unit", "import", out.to_str().unwrap()]).ok().stderr_has(&format!("{hebei} added"));
    // GBK on request, readable back.
    let gbk = env.path("hebei-gbk.csv");
    env.admin(&["unit", "export", "--under", "130000", "--encoding", "gbk", "-o", gbk.to_str().unwrap()]).ok();
    let raw = std::fs::read(&gbk).unwrap();
    let (decoded, _, errors) = encoding_rs::GBK.decode(&raw);
    assert!(!errors && decoded.contains("长安区教育局"));
    // To stdout by default.
    env.admin(&["unit", "export", "--under", "130102"]).ok().stdout_has("130102,长安区教育局,county,130100");
}

#[test]
fn spec1_list_tree_and_show_read_the_subtree() {
    let env = Env::national();
    let r = env.admin(&["unit", "list", "--under", "130100", "--format", "csv"]);
    let rows: Vec<&str> = r.ok().stdout.lines().collect();
    assert_eq!(rows[0], "code,name,level,parent");
    assert!(rows.contains(&"130102,长安区,county,130100"));
    assert!(rows.iter().skip(1).all(|l| l.ends_with(",130100")), "only 130100's counties");
    let prefectures =
        env.admin(&["unit", "list", "--under", "130000", "--level", "prefecture", "--format", "json"]).ok().json();
    assert_eq!(prefectures.as_array().unwrap().len(), 11);
    let tree = env.admin(&["unit", "tree", "130000", "--depth", "1"]);
    let lines: Vec<&str> = tree.ok().stdout.lines().collect();
    assert_eq!(lines[0], "130000 河北省 (province)");
    assert_eq!(lines[1], "├── 130100 石家庄市 (prefecture)");
    assert_eq!(lines.last().unwrap(), &"└── 131100 衡水市 (prefecture)");
    assert_eq!(lines.len(), 12);
    let deep = env.admin(&["unit", "tree", "130100"]);
    assert!(deep.ok().stdout.contains("├── 130102 长安区 (county)"));
    let tj = env.admin(&["unit", "tree", "130000", "--depth", "2", "--format", "json"]).ok().json();
    assert_eq!(tj[0]["depth"], 0);
    assert!(tj.as_array().unwrap().iter().any(|u| u["code"] == "130102" && u["depth"] == 2));
    let show = env.admin(&["unit", "show", "130100", "--format", "json"]).ok().json();
    assert_eq!(
        show["units_below"],
        env.count("SELECT count(*) FROM org WHERE parent_id = (SELECT id FROM org WHERE code = '130100')")
    );
    assert_eq!(show["parent_name"], "河北省");
}

#[test]
fn spec5_line_numbers_count_blank_lines_and_crlf() {
    let env = Env::national();
    let file = env.write_file(
        "blank.csv",
        "code,name,level,parent\r\n\r\n130198,甲,county,130100\r\n\r\n\r\n130197,乙,county,130102\r\n".as_bytes(),
    );
    env.admin(&["unit", "import", &file])
        .code(6)
        .stderr_has("line 6: a county cannot be under 130102")
        .stderr_lacks("line 3:");
}
