//! The personnel form and roster requests (accounts, §5 / §5.1 附件2 管理人员信息表, §6
//! requests; Art. 9 who issues, Art. 10 one person one account and personnel changes): a
//! province proposes, the Ministry decides; imports are all or nothing; exports round-trip; the
//! activation codes are shown once and nowhere else.

mod common;
use common::*;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde_json::Value;

// ---------------------------------------------------------------- helpers

const GBK_FORM: &str = "hebei-personnel-form-gbk.csv";
const UTF8_FORM: &str = "hebei-personnel-form.csv";

/// The usernames the example form's eleven people get when a province admin (130000-A01)
/// proposes them first, in the form's order (lines 5–15).
const EXAMPLE_USERS: [&str; 11] = [
    "130000-I01",
    "130000-R01",
    "130000-A02",
    "130100-I01",
    "130100-R01",
    "130100-A01",
    "130102-I01",
    "130102-R01",
    "130102-A01",
    "130104-R01",
    "130104-A01",
];

const HEADER: &str = "序号,姓名,单位,类别,处室,职务,办公电话,手机号,电子邮箱";

/// A form in the official layout, UTF-8: two preamble lines, the header on line 3, so the
/// first data row is line 4.
fn form(env: &Env, name: &str, rows: &[&str]) -> String {
    let mut s = String::from("全国教育信息化工作进展信息系统管理人员信息表,,,,,,,,\n单位名称（盖章）：测试,,,,,,,,\n");
    s.push_str(HEADER);
    s.push('\n');
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    env.write_file(name, s.as_bytes())
}

/// The province admin of 河北省: 130000-A01.
fn province(env: &Env) -> String {
    let u = env.person("130000", "admin", "省管", "13700000001");
    assert_eq!(u, "130000-A01");
    u
}

fn import(env: &Env, user: &str, file: &str, extra: &[&str]) -> Run {
    let mut args = vec!["account", "import", file];
    args.extend_from_slice(extra);
    env.run(Some(user), &args)
}

/// The province files the GBK example form; returns (province admin, request id).
fn file_example(env: &Env) -> (String, i64) {
    let prov = province(env);
    let r = import(env, &prov, &example(GBK_FORM), &["--format", "json"]);
    r.ok();
    let id = r.json()["id"].as_i64().expect("request id");
    (prov, id)
}

fn status(env: &Env, user: &str) -> String {
    env.conn()
        .query_row("SELECT status FROM account WHERE username = ?1", params![user], |r| r.get(0))
        .unwrap_or_else(|e| panic!("no account {user}: {e}"))
}

fn request_status(env: &Env, id: i64) -> String {
    env.conn().query_row("SELECT status FROM request WHERE id = ?1", params![id], |r| r.get(0)).unwrap()
}

fn account_field(env: &Env, user: &str, col: &str) -> Option<String> {
    env.conn()
        .query_row(&format!("SELECT {col} FROM account WHERE username = ?1"), params![user], |r| r.get(0))
        .unwrap()
}

/// A codes file: username → activation code, checking its layout.
fn read_codes(p: &Path) -> HashMap<String, Vec<String>> {
    assert_eq!(mode_of(p), 0o600, "codes file mode");
    let (header, rows) = read_bom_csv(p);
    assert_eq!(header, ["username", "name", "unit", "role", "mobile", "activation_code", "expires_at"]);
    rows.into_iter().map(|r| (r[0].clone(), r)).collect()
}

/// The line numbers of the `line N: …` errors on stderr, in order.
fn error_lines(r: &Run) -> Vec<u64> {
    r.stderr.lines().filter_map(|l| l.strip_prefix("line ")?.split_once(':')?.0.parse().ok()).collect()
}

fn strs(v: &Value, key: &str) -> Vec<String> {
    v.as_array().expect("array").iter().map(|o| o[key].as_str().unwrap_or("").to_string()).collect()
}

// ---------------------------------------------------------------- 1. a province proposes

#[test]
fn spec51_a_province_dry_runs_the_gbk_form_and_nothing_is_written() {
    let env = Env::national();
    let prov = province(&env);
    let (audit0, accounts0) = (env.audit_count(), env.count("SELECT count(*) FROM account"));

    let r = import(&env, &prov, &example(GBK_FORM), &["--dry-run", "--format", "json"]);
    r.ok().stderr_has("11 people on the form: 0 unchanged; 11 new, 0 changed, 0 to disable");
    r.stderr_has("dry run: nothing was written");
    let rows = r.json();
    let rows = rows.as_array().expect("a JSON array");
    // Lines of the original file: 3 preamble lines and the header come first; the trailing
    // rows holding only a 序号 (lines 16–18) are not people.
    let lines: Vec<i64> = rows.iter().map(|o| o["line"].as_i64().unwrap()).collect();
    assert_eq!(lines, (5..=15).collect::<Vec<_>>());
    for o in rows {
        let keys: BTreeSet<&str> = o.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            BTreeSet::from(["line", "change", "username", "name", "unit", "role", "mobile", "detail"]),
            "{o}"
        );
        assert_eq!(o["change"], "add");
        assert!(o["username"].is_null(), "a dry run reserves no username: {o}");
    }
    // 单位 by name (河北省, 石家庄市, 长安区) resolves inside the province; 类别 gives the role.
    assert_eq!(rows[0]["name"], "刘洋");
    assert_eq!(rows[0]["unit"], "130000");
    assert_eq!(rows[0]["role"], "inspector");
    assert_eq!(rows[0]["mobile"], "13910000001");
    assert_eq!(rows[3]["name"], "王静");
    assert_eq!(rows[3]["unit"], "130100");
    assert_eq!(rows[6]["name"], "赵敏");
    assert_eq!(rows[6]["unit"], "130102");
    assert_eq!(rows[7]["name"], "孙强");
    assert_eq!(rows[7]["role"], "reviewer");
    assert_eq!(rows[10]["unit"], "130104");
    assert_eq!(rows[10]["role"], "admin");

    assert_eq!(env.audit_count(), audit0, "a dry run audits nothing");
    assert_eq!(env.count("SELECT count(*) FROM account"), accounts0, "a dry run creates no account");
    assert_eq!(env.count("SELECT count(*) FROM request"), 0);
}

#[test]
fn art9_a_province_import_files_one_roster_request_with_pending_accounts() {
    let env = Env::national();
    let prov = province(&env);
    let audit0 = env.audit_count();

    let r = import(&env, &prov, &example(GBK_FORM), &["--format", "json"]);
    r.ok().stderr_has("roster request #1 filed for the Ministry's approval");
    let rec = r.json();
    assert_eq!(rec["id"], 1);
    assert_eq!(rec["kind"], "roster");
    assert_eq!(rec["status"], "pending");
    assert_eq!(rec["summary"], "11 new, 0 changed, 0 to disable");

    assert_eq!(env.count("SELECT count(*) FROM request"), 1, "one request for the whole form");
    assert_eq!(env.count("SELECT count(*) FROM request WHERE id = 1 AND kind = 'roster' AND status = 'pending'"), 1);
    // The new people are pending accounts, their usernames reserved; nobody new is active.
    let pending: Vec<String> = env
        .conn()
        .prepare("SELECT username FROM account WHERE status = 'pending' AND request_id = 1 ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(pending, EXAMPLE_USERS);
    assert_eq!(
        env.count("SELECT count(*) FROM account WHERE status = 'active'"),
        2,
        "the Ministry and province admins"
    );
    assert_eq!(account_field(&env, "130102-R01", "name").as_deref(), Some("孙强"));
    assert_eq!(account_field(&env, "130102-R01", "email").as_deref(), Some("sunqiang@example.cn"));
    assert_eq!(account_field(&env, "130104-R01", "email"), None, "an empty 电子邮箱 is no email");
    assert_eq!(account_field(&env, "130102-R01", "activation_hash"), None, "no code before approval");
    // One event per changed record, plus the request.
    assert_eq!(env.audit_count() - audit0, 12);
    assert_eq!(env.events("request.file"), 1);

    // The province's inbox shows what it filed.
    let r = env.run(Some(&prov), &["request", "list", "--format", "json"]);
    r.ok();
    let list = r.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], 1);
    assert_eq!(list[0]["status"], "pending");
    assert_eq!(list[0]["awaiting"], "000000");
    assert_eq!(list[0]["filed_by"], "130000-A01");
    // So does the Ministry's, as awaiting its decision.
    let r = env.admin(&["request", "list", "--format", "json"]);
    r.ok();
    assert_eq!(strs(&r.json(), "filed_by"), ["130000-A01"]);

    // A pending account cannot sign in, with a password or with a made-up code.
    env.run_stdin(Some("130102-R01"), &["login", "130102-R01", "--password-stdin"], &format!("{PASSWORD}\n"))
        .code(3)
        .stderr_has("awaiting the Ministry's approval");
    env.activate("130102-R01", "ABCD-EFGH-JKMN-PQRS").code(3);
    assert_eq!(status(&env, "130102-R01"), "pending");
}

// ---------------------------------------------------------------- 2. the Ministry approves

#[test]
fn spec6_the_ministry_shows_the_diff_and_approval_activates_with_a_codes_file() {
    let env = Env::national();
    let (_prov, id) = file_example(&env);

    let r = env.admin(&["request", "show", &id.to_string(), "--format", "json"]);
    r.ok();
    let j = r.json();
    assert_eq!(j["id"], id);
    assert_eq!(j["kind"], "roster");
    assert_eq!(j["status"], "pending");
    assert_eq!(j["unit"], "130000");
    assert_eq!(j["filed_by"], "130000-A01");
    let add = &j["diff"]["add"];
    assert_eq!(strs(add, "username"), EXAMPLE_USERS);
    assert_eq!(add[7]["name"], "孙强");
    assert_eq!(add[7]["unit"], "130102");
    assert_eq!(add[7]["role"], "reviewer");
    assert_eq!(add[7]["mobile"], "13910000022");
    assert_eq!(add[7]["line"], 12);
    assert_eq!(add[7]["office_phone"], "0311-85000002");
    assert_eq!(j["diff"]["change"].as_array().unwrap().len(), 0);
    assert_eq!(j["diff"]["disable"].as_array().unwrap().len(), 0);

    // The table form lists the diff too, with the reserved usernames.
    let r = env.admin(&["request", "show", &id.to_string(), "--format", "tsv"]);
    r.ok().stdout_has("12\tadd\t130102-R01\t孙强\t130102\treviewer\t13910000022");

    let codes_path = env.path("codes.csv");
    let r = env.admin(&["request", "approve", &id.to_string(), "--codes-out", codes_path.to_str().unwrap()]);
    r.ok().stderr_has("approved request #1: 11 new, 0 changed, 0 to disable");
    r.stderr_has("11 activation codes written to");
    assert_eq!(r.stdout, "", "the codes go to the file, not to stdout");
    let codes = read_codes(&codes_path);
    assert_eq!(codes.len(), 11);
    assert_eq!(codes.keys().map(String::as_str).collect::<BTreeSet<_>>(), BTreeSet::from(EXAMPLE_USERS));
    let sun = &codes["130102-R01"];
    assert_eq!(&sun[1..5], ["孙强", "130102", "reviewer", "13910000022"]);
    assert_eq!(sun[6], "2026-12-04T10:00:00+08:00", "valid 14 days");
    let distinct: BTreeSet<&String> = codes.values().map(|r| &r[5]).collect();
    assert_eq!(distinct.len(), 11, "one code each");
    assert!(sun[5].chars().filter(char::is_ascii_alphanumeric).count() >= 26, "≥ 128 bits: {}", sun[5]);

    for u in EXAMPLE_USERS {
        assert_eq!(status(&env, u), "active", "{u}");
    }
    assert_eq!(request_status(&env, id), "approved");
    assert_eq!(env.events("account.approve"), 11);
    assert_eq!(env.events("request.approve"), 1);

    // A code from the file sets the person's password; then the password signs in.
    env.activate("130102-R01", &sun[5]).ok();
    env.login("130102-R01", PASSWORD);
    env.run(Some("130102-R01"), &["whoami"]).ok().stdout_has("130102-R01");

    // Deciding again is refused, and writes no second codes file.
    let again = env.path("codes2.csv");
    env.admin(&["request", "approve", &id.to_string(), "--codes-out", again.to_str().unwrap()])
        .code(5)
        .stderr_has("request #1 was already approved by 000000-A01");
    assert!(!again.exists());
    env.admin(&["request", "reject", &id.to_string(), "--reason", "太晚"]).code(5);
    assert_eq!(request_status(&env, id), "approved");
}

#[test]
fn spec2_approval_codes_go_to_stdout_without_codes_out_and_last_14_days_from_approval() {
    let mut env = Env::national();
    let (_prov, id) = file_example(&env);
    env.now = "2026-11-25T09:30:00+08:00".into();
    env.login(ADMIN, PASSWORD); // sessions last 12 hours
    let r = env.admin(&["request", "approve", &id.to_string(), "--format", "json"]);
    r.ok().stderr_has("approved request #1");
    let j = r.json();
    assert_eq!(strs(&j, "username"), EXAMPLE_USERS);
    assert_eq!(strs(&j, "expires_at"), ["2026-12-09T09:30:00+08:00"; 11], "14 days from the approval");
    let keys: BTreeSet<&str> = j[0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, BTreeSet::from(["username", "name", "unit", "role", "mobile", "activation_code", "expires_at"]));
    let code_of = |u: &str| {
        j.as_array().unwrap().iter().find(|o| o["username"] == u).unwrap()["activation_code"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // Past its expiry a code no longer activates; within it, it does.
    env.now = "2026-12-10T09:30:00+08:00".into();
    env.activate("130102-R01", &code_of("130102-R01")).code(3);
    assert_eq!(account_field(&env, "130102-R01", "password_hash"), None);
    env.now = "2026-12-09T09:00:00+08:00".into();
    env.activate("130102-A01", &code_of("130102-A01")).ok();
}

#[test]
fn spec51_codes_out_to_an_existing_file_is_refused_and_approves_nothing() {
    let env = Env::national();
    let (_prov, id) = file_example(&env);
    let existing = env.write_file("codes.csv", b"keep me\n");
    let audit0 = env.audit_count();

    env.admin(&["request", "approve", &id.to_string(), "--codes-out", &existing])
        .code(5)
        .stderr_has("exists; activation codes are never written over a file");
    assert_eq!(std::fs::read(&existing).unwrap(), b"keep me\n", "the existing file is untouched");
    assert_eq!(request_status(&env, id), "pending");
    assert_eq!(env.count("SELECT count(*) FROM account WHERE status = 'pending'"), 11);
    assert_eq!(env.count("SELECT count(*) FROM account WHERE activation_hash IS NOT NULL AND request_id = 1"), 0);
    assert_eq!(env.events("request.approve"), 0);
    assert_eq!(env.audit_count(), audit0);
}

#[test]
fn art10_an_approval_the_rules_now_refuse_writes_nothing_and_leaves_no_codes_file() {
    let env = Env::national();
    let (_prov, id) = file_example(&env);
    // Meanwhile the Ministry issues 长安区 a reviewer directly: the proposed one would be a second.
    let direct = env.person("130102", "reviewer", "另一人", "13930000001");
    assert_eq!(direct, "130102-R02", "R01 is reserved by the pending request");

    let codes_path = env.path("codes.csv");
    env.admin(&["request", "approve", &id.to_string(), "--codes-out", codes_path.to_str().unwrap()])
        .code(5)
        .stderr_has("130102 already has an active reviewer: 130102-R02");
    assert!(!codes_path.exists(), "no codes file for an approval that did not happen");
    assert_eq!(request_status(&env, id), "pending");
    assert_eq!(env.count("SELECT count(*) FROM account WHERE status = 'pending'"), 11, "all or nothing");
}

// ---------------------------------------------------------------- 3. the Ministry rejects

#[test]
fn spec6_reject_disables_the_pending_accounts_and_their_usernames_are_never_reused() {
    let env = Env::national();
    let (prov, id) = file_example(&env);

    let r = env.admin(&["request", "reject", &id.to_string(), "--reason", "缺少审核员"]);
    r.ok().stderr_has("rejected request #1: 缺少审核员");
    let (st, reason, by): (String, String, String) = env
        .conn()
        .query_row(
            "SELECT r.status, r.decision_reason, a.username FROM request r JOIN account a ON a.id = r.decided_by
             WHERE r.id = ?1",
            params![id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((st.as_str(), reason.as_str(), by.as_str()), ("rejected", "缺少审核员", ADMIN));
    // Kept for history, disabled, with the reason.
    assert_eq!(env.count("SELECT count(*) FROM account WHERE request_id = 1 AND status = 'disabled'"), 11);
    assert_eq!(env.count("SELECT count(*) FROM account WHERE status = 'pending'"), 0);
    assert!(account_field(&env, "130102-R01", "disabled_reason").unwrap().contains("缺少审核员"));
    assert_eq!(env.events("request.reject"), 1);
    let r = env.admin(&["request", "show", &id.to_string(), "--format", "json"]);
    r.ok();
    assert_eq!(r.json()["status"], "rejected");
    assert_eq!(r.json()["decision_reason"], "缺少审核员");

    // The province imports again: a new request, new usernames.
    let r = import(&env, &prov, &example(GBK_FORM), &["--format", "json"]);
    r.ok();
    let id2 = r.json()["id"].as_i64().unwrap();
    assert_ne!(id2, id);
    let r = env.admin(&["request", "show", &id2.to_string(), "--format", "json"]);
    r.ok();
    let users = strs(&r.json()["diff"]["add"], "username");
    assert_eq!(users[7], "130102-R02", "130102-R01 was rejected and is never reused");
    assert_eq!(users[2], "130000-A03");
    assert_eq!(users[0], "130000-I02");
    assert_eq!(status(&env, "130102-R01"), "disabled");
    assert_eq!(status(&env, "130102-R02"), "pending");
    // A rejected request cannot be approved after all.
    env.admin(&["request", "approve", &id.to_string()]).code(5).stderr_has("already rejected");
}

#[test]
fn spec6_reject_needs_a_reason() {
    let env = Env::national();
    let (_prov, id) = file_example(&env);
    env.admin(&["request", "reject", &id.to_string()]).code(2);
    env.admin(&["request", "reject", &id.to_string(), "--reason", "  "]).code(2);
    assert_eq!(request_status(&env, id), "pending");
}

// ---------------------------------------------------------------- 4. importing again

#[test]
fn spec5_reimporting_the_approved_form_changes_nothing() {
    let env = Env::national();
    let (prov, id) = file_example(&env);
    env.admin(&["request", "approve", &id.to_string(), "--codes-out", env.path("c.csv").to_str().unwrap()]).ok();
    let audit0 = env.audit_count();

    for f in [GBK_FORM, UTF8_FORM] {
        let r = import(&env, &prov, &example(f), &[]);
        r.ok().stderr_has("11 people on the form: 11 unchanged; 0 new, 0 changed, 0 to disable");
        r.stderr_has("nothing to do");
        assert_eq!(r.stdout, "", "no request record for an empty diff");
    }
    assert_eq!(env.count("SELECT count(*) FROM request"), 1, "no new request");
    assert_eq!(env.audit_count(), audit0, "no audit events");
}

#[test]
fn spec6_a_second_import_while_a_request_is_pending_is_refused_naming_it() {
    let env = Env::national();
    let (prov, id) = file_example(&env);
    let (accounts0, audit0) = (env.count("SELECT count(*) FROM account"), env.audit_count());
    let f = form(&env, "more.csv", &["1,钱七,130104,区县级视察员,电教站,副站长,,13910000031,"]);
    import(&env, &prov, &f, &[]).code(5).stderr_has(&format!("roster request #{id} from 130000 is still pending"));
    assert_eq!(env.count("SELECT count(*) FROM request"), 1);
    assert_eq!(env.count("SELECT count(*) FROM account"), accounts0);
    assert_eq!(env.audit_count(), audit0);
    // A dry run still shows what it would propose.
    let r = import(&env, &prov, &f, &["--dry-run", "--format", "json"]);
    r.ok();
    assert_eq!(strs(&r.json(), "name"), ["钱七"]);
}

// ---------------------------------------------------------------- 5. the Ministry applies directly

#[test]
fn art9_a_ministry_import_applies_at_once_with_codes_on_stdout() {
    let env = Env::national();
    let f = form(
        &env,
        "m.csv",
        &[
            "1,孙强,130102,区县级审核员,电教站,站长,0311-85000002,13910000022,sunqiang@example.cn",
            "2,郑洁,130104,区县级管理员,电教站,科员,,13910000033,",
        ],
    );
    let r = env.admin(&["account", "import", &f, "--format", "json"]);
    r.ok().stderr_has("2 people on the form: 0 unchanged; 2 new, 0 changed, 0 to disable");
    let j = r.json();
    assert_eq!(strs(&j, "username"), ["130102-R01", "130104-A01"]);
    assert_eq!(strs(&j, "name"), ["孙强", "郑洁"]);
    assert_eq!(strs(&j, "role"), ["reviewer", "admin"]);
    assert_eq!(strs(&j, "expires_at"), ["2026-12-04T10:00:00+08:00"; 2]);
    let code = j[0]["activation_code"].as_str().unwrap().to_string();
    assert!(code.len() >= 26, "{code}");
    assert_eq!(status(&env, "130102-R01"), "active");
    assert_eq!(status(&env, "130104-A01"), "active");
    assert_eq!(env.count("SELECT count(*) FROM request"), 0, "no request for the Ministry's own import");
    assert_eq!(
        env.count(
            "SELECT count(*) FROM account a JOIN account i ON i.id = a.issued_by
             WHERE a.username = '130102-R01' AND i.username = '000000-A01'"
        ),
        1
    );
    env.activate("130102-R01", &code).ok();
    env.login("130102-R01", PASSWORD);
}

#[test]
fn art9_a_ministry_import_writes_codes_out_and_not_to_stdout() {
    let env = Env::national();
    let f = form(&env, "m.csv", &["1,周丽,130102,区县级管理员,电教站,科员,,13910000023,zhouli@example.cn"]);
    let out = env.path("codes.csv");
    let r = env.admin(&["account", "import", &f, "--codes-out", out.to_str().unwrap(), "--format", "json"]);
    r.ok().stderr_has("1 activation codes written to");
    let codes = read_codes(&out);
    let row = &codes["130102-A01"];
    assert_eq!(&row[1..5], ["周丽", "130102", "admin", "13910000023"]);
    assert!(!r.stdout.contains(&row[5]), "the code is shown once, in the file");
    assert_eq!(status(&env, "130102-A01"), "active");
    env.activate("130102-A01", &row[5]).ok();

    // An existing codes file is refused before anything is written.
    let g = form(&env, "m2.csv", &["1,吴昊,130104,区县级审核员,电教站,站长,,13910000032,"]);
    let accounts0 = env.count("SELECT count(*) FROM account");
    env.admin(&["account", "import", &g, "--codes-out", out.to_str().unwrap()]).code(5);
    assert_eq!(env.count("SELECT count(*) FROM account"), accounts0);
}

#[test]
fn spec51_a_province_cannot_use_codes_out() {
    let env = Env::national();
    let prov = province(&env);
    let out = env.path("codes.csv");
    import(&env, &prov, &example(GBK_FORM), &["--codes-out", out.to_str().unwrap()])
        .code(2)
        .stderr_has("--codes-out is for the Ministry");
    assert!(!out.exists());
    assert_eq!(env.count("SELECT count(*) FROM request"), 0);
    assert_eq!(env.count("SELECT count(*) FROM account WHERE status = 'pending'"), 0);
}

// ---------------------------------------------------------------- 6. all or nothing

/// Line 4 is good; line 5 is blank; 6–10 are bad each in their own way; 11 holds only a 序号.
fn bad_form(env: &Env) -> String {
    form(
        env,
        "bad.csv",
        &[
            "1,甲一,130102,区县级管理员,电教站,科员,,13920000001,jia@example.cn",
            "",
            "2,乙二,130104,区县级管理员,电教站,科员,,13920000001,",
            "3,丙三,130100,区县级审核员,电教馆,馆长,,13920000003,",
            "4,丁四,不存在区,区县级管理员,,,,13920000004,",
            "5,戊五,130102,区县级视察员,,,,13920000005,wu.example.cn",
            "6,己六,桥西区,区县级管理员,,,,13920000006,",
            "7,,,,,,,,",
        ],
    )
}

#[test]
fn spec5_every_bad_row_is_reported_with_its_original_line_and_nothing_is_written() {
    let env = Env::national();
    let f = bad_form(&env);
    let (accounts0, audit0) = (env.count("SELECT count(*) FROM account"), env.audit_count());

    let r = env.admin(&["account", "import", &f]);
    r.code(6);
    r.stderr_has("line 6: mobile 13920000001 is already on line 4: one person, one account");
    r.stderr_has("line 7: 区县级审核员 is for a county unit, but 130100 石家庄市 is a prefecture");
    r.stderr_has("line 8: no unit 不存在区 in your scope");
    r.stderr_has("line 9: wu.example.cn is not an email address");
    r.stderr_has("line 10: 桥西区 names more than one unit in your scope");
    r.stderr_has("130104 桥西区（石家庄市）");
    r.stderr_has("130703 桥西区（张家口市）");
    r.stderr_has("nothing was written");
    assert_eq!(error_lines(&r), [6, 7, 8, 9, 10], "one error per bad row, nothing for lines 4, 5 and 11");
    assert_eq!(r.stdout, "");
    assert_eq!(env.count("SELECT count(*) FROM account"), accounts0);
    assert_eq!(env.audit_count(), audit0);

    // In Chinese, the same errors with the same line numbers.
    env.admin(&["account", "import", &f, "--lang", "zh"])
        .code(6)
        .stderr_has("第 10 行：桥西区 对应多个单位")
        .stderr_has("第 6 行：");
    // A dry run reports the same and writes nothing either.
    env.admin(&["account", "import", &f, "--dry-run"]).code(6).stderr_has("line 10: 桥西区");
    assert_eq!(env.count("SELECT count(*) FROM account"), accounts0);
}

#[test]
fn spec5_rejects_holds_exactly_the_bad_rows_with_an_error_column() {
    let env = Env::national();
    let f = bad_form(&env);
    let rejects = env.path("rejects.csv");
    env.admin(&["account", "import", &f, "--rejects", rejects.to_str().unwrap()]).code(6);
    let (header, rows) = read_bom_csv(&rejects);
    let mut want: Vec<String> = HEADER.split(',').map(str::to_string).collect();
    want.push("error".into());
    assert_eq!(header, want);
    assert_eq!(rows.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(), ["2", "3", "4", "5", "6"]);
    assert_eq!(rows[0][1], "乙二");
    assert!(rows[0][9].contains("already on line 4"), "{:?}", rows[0]);
    assert!(rows[1][9].contains("is for a county unit"), "{:?}", rows[1]);
    assert!(rows[2][9].contains("no unit 不存在区"), "{:?}", rows[2]);
    assert!(rows[3][9].contains("not an email address"), "{:?}", rows[3]);
    assert!(rows[4][9].contains("130703"), "{:?}", rows[4]);
    assert_eq!(env.count("SELECT count(*) FROM account"), 1);
}

#[test]
fn spec51_an_ambiguous_name_in_the_gbk_form_is_named_by_its_line_in_the_crlf_file() {
    let env = Env::national();
    // 长安区 names two units for the Ministry: 130102 (石家庄市) and 610116 (西安市).
    let r = env.admin(&["account", "import", &example(GBK_FORM)]);
    r.code(6).stderr_has("line 11: 长安区 names more than one unit in your scope");
    r.stderr_has("130102 长安区（石家庄市）").stderr_has("610116 长安区（西安市）");
    assert_eq!(error_lines(&r), [11]);
    assert_eq!(env.count("SELECT count(*) FROM account"), 1);
}

#[test]
fn spec51_the_failure_summary_counts_people_not_numbered_blank_rows() {
    let env = Env::national();
    let r = env.admin(&["account", "import", &example(GBK_FORM)]);
    r.code(6).stderr_lacks("of 14 rows").stderr_has("1 of 11 rows are bad");
}

#[test]
fn spec51_a_unit_outside_the_provinces_scope_is_unknown() {
    let env = Env::national();
    let prov = province(&env);
    let f = form(
        &env,
        "out.csv",
        &["1,甲,110101,区县级管理员,,,,13920000001,", "2,乙,长安区,区县级管理员,,,,13920000002,"],
    );
    // 110101 is in Beijing; 长安区 is unique inside 河北省 (the other is in 西安市).
    let r = import(&env, &prov, &f, &[]);
    r.code(6).stderr_has("line 4: no unit 110101 in your scope");
    assert_eq!(error_lines(&r), [4]);
    assert_eq!(env.count("SELECT count(*) FROM request"), 0);
}

// ---------------------------------------------------------------- 7. headers and encodings

#[test]
fn spec51_the_form_as_printed_without_a_name_column_is_imported_as_printed() {
    let env = Env::national();
    let prov = province(&env);
    let text = "全国教育信息化工作进展信息系统管理人员信息表\n单位名称（盖章）：河北省教育厅\n\
                序号,单位,类别,处室,职务,办公电话,手机号,电子邮箱\n\
                1,130102,区县级管理员,电教站,科员,,13920000001,\n";
    let f = env.write_file("printed.csv", text.as_bytes());
    // The person gives their name at activation (tests/personnel.rs).
    import(&env, &prov, &f, &[]).ok().stderr_has("roster request #1 filed");
    assert_eq!(env.count("SELECT count(*) FROM account WHERE status = 'pending' AND name IS NULL"), 1);
}

#[test]
fn spec51_english_headers_in_any_order_work() {
    let env = Env::national();
    let text = "mobile,no,name,unit,category,department,title,office_phone,email\n\
                13920000001,1,Li Lei,130102,county reviewer,IT,head,010-1,li@example.cn\n\
                13920000002,2,韩梅,130104,区县级管理员,,,,\n";
    let f = env.write_file("en.csv", text.as_bytes());
    let r = env.admin(&["account", "import", &f, "--format", "json"]);
    r.ok();
    assert_eq!(strs(&r.json(), "username"), ["130102-R01", "130104-A01"]);
    assert_eq!(account_field(&env, "130102-R01", "name").as_deref(), Some("Li Lei"));
    assert_eq!(account_field(&env, "130102-R01", "department").as_deref(), Some("IT"));
    assert_eq!(account_field(&env, "130102-R01", "office_phone").as_deref(), Some("010-1"));
    assert_eq!(account_field(&env, "130104-A01", "mobile").as_deref(), Some("13920000002"));
}

#[test]
fn spec5_utf8_with_bom_reads_like_the_gbk_form() {
    let env = Env::national();
    let prov = province(&env);
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(std::fs::read(example(UTF8_FORM)).unwrap());
    let f = env.write_file("bom.csv", &bytes);
    let r = import(&env, &prov, &f, &["--dry-run", "--format", "json"]);
    r.ok();
    let j = r.json();
    assert_eq!(strs(&j, "name")[0], "刘洋");
    assert_eq!(j.as_array().unwrap().len(), 11);
    assert_eq!(j[0]["line"], 5);
    assert_eq!(j[10]["line"], 15);
    // And the plain UTF-8 file gives the same diff as the GBK one.
    let gbk = import(&env, &prov, &example(GBK_FORM), &["--dry-run", "--format", "json"]);
    assert_eq!(gbk.ok().json(), j);
}

// ---------------------------------------------------------------- 8. one reviewer per unit; --sync

#[test]
fn art10_two_reviewers_for_one_unit_in_the_file_fail_on_the_second_line() {
    let env = Env::national();
    let prov = province(&env);
    let f = form(
        &env,
        "two.csv",
        &["1,甲,130102,区县级审核员,,,,13920000001,", "2,乙,130102,区县级审核员,,,,13920000002,"],
    );
    let r = import(&env, &prov, &f, &[]);
    r.code(6).stderr_has("line 5: 130102 already has a reviewer on line 4: a unit has one");
    assert_eq!(error_lines(&r), [5]);
    assert_eq!(env.count("SELECT count(*) FROM request"), 0);
}

#[test]
fn art10_a_new_reviewer_beside_an_active_one_needs_sync() {
    let env = Env::national();
    let old = env.person("130102", "reviewer", "孙强", "13910000022");
    assert_eq!(old, "130102-R01");
    let prov = province(&env);
    let f = form(&env, "new.csv", &["1,钱新,130102,区县级审核员,电教站,站长,,13910000099,"]);
    import(&env, &prov, &f, &[])
        .code(6)
        .stderr_has("line 4: 130102 already has an active reviewer: 130102-R01")
        .stderr_has("--sync");
    assert_eq!(env.count("SELECT count(*) FROM request"), 0);
}

#[test]
fn art10_sync_disables_the_old_reviewer_and_activates_the_new_one_on_approval() {
    let env = Env::national();
    let old = env.person("130102", "reviewer", "孙强", "13910000022");
    let admin = env.person("130102", "admin", "周丽", "13910000023");
    let prov = province(&env);
    // The form for 长安区 lists its admin unchanged and a new reviewer; 孙强 is gone.
    let f = form(
        &env,
        "sync.csv",
        &["1,周丽,130102,区县级管理员,,,,13910000023,", "2,钱新,130102,区县级审核员,电教站,站长,,13910000099,"],
    );
    let r = import(&env, &prov, &f, &["--sync", "--under", "130102", "--dry-run", "--format", "json"]);
    r.ok().stderr_has("2 people on the form: 1 unchanged; 1 new, 0 changed, 1 to disable");
    let d = r.json();
    assert_eq!(strs(&d, "change"), ["add", "disable"]);
    assert_eq!(d[0]["name"], "钱新");
    assert_eq!(d[0]["line"], 5);
    assert_eq!(d[1]["username"], old.as_str());
    assert_eq!(d[1]["name"], "孙强");
    assert!(d[1]["line"].is_null());

    let r = import(&env, &prov, &f, &["--sync", "--under", "130102", "--format", "json"]);
    r.ok();
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(status(&env, &old), "active", "nothing changes before the Ministry approves");
    assert_eq!(status(&env, "130102-R02"), "pending");
    let r = env.admin(&["request", "show", &id.to_string(), "--format", "json"]);
    r.ok();
    assert_eq!(r.json()["diff"]["sync"], true);
    assert_eq!(strs(&r.json()["diff"]["disable"], "username"), [old.as_str()]);

    let codes = env.path("codes.csv");
    env.admin(&["request", "approve", &id.to_string(), "--codes-out", codes.to_str().unwrap()]).ok();
    assert_eq!(status(&env, &old), "disabled");
    assert_eq!(status(&env, "130102-R02"), "active");
    assert_eq!(status(&env, &admin), "active", "listed, so kept");
    assert_eq!(read_codes(&codes).keys().collect::<Vec<_>>(), ["130102-R02"]);
    assert!(account_field(&env, &old, "disabled_reason").unwrap().contains(&format!("#{id}")));
    // The old reviewer's session ended with the account.
    env.run(Some(&old), &["whoami"]).code(3);
    // Kept for history.
    assert_eq!(account_field(&env, &old, "name").as_deref(), Some("孙强"));
}

#[test]
fn art10_a_person_who_changes_post_gets_a_new_account_and_the_old_one_is_disabled() {
    let env = Env::national();
    let old = env.person("130102", "reviewer", "孙强", "13910000022");
    let prov = province(&env);
    // 孙强 moves from 长安区 to 桥西区 (130104), keeping his mobile; 钱新 takes his post. The form
    // lists 长安区, so --sync covers it (it covers only the units a form lists).
    let f = form(
        &env,
        "move.csv",
        &[
            "1,孙强,130104,区县级审核员,电教站,站长,,13910000022,",
            "2,钱新,130102,区县级审核员,电教站,站长,,13910000099,",
        ],
    );
    // Without --sync the mobile is still held by his active account.
    import(&env, &prov, &f, &[])
        .code(6)
        .stderr_has("line 4: mobile 13910000022 already belongs to the active account 130102-R01");
    let r = import(&env, &prov, &f, &["--sync", "--under", "130100", "--format", "json"]);
    r.ok();
    let id = r.json()["id"].as_i64().unwrap();
    env.admin(&["request", "approve", &id.to_string(), "--codes-out", env.path("c.csv").to_str().unwrap()]).ok();
    assert_eq!(status(&env, &old), "disabled");
    assert_eq!(status(&env, "130104-R01"), "active");
    assert_eq!(status(&env, "130102-R02"), "active");
    assert_eq!(account_field(&env, "130104-R01", "mobile").as_deref(), Some("13910000022"));
    assert_eq!(env.count("SELECT count(*) FROM account WHERE mobile = '13910000022' AND status = 'active'"), 1);
}

#[test]
fn spec51_a_ministry_sync_needs_under() {
    let env = Env::national();
    let f = form(&env, "m.csv", &["1,甲,130102,区县级管理员,,,,13920000001,"]);
    env.admin(&["account", "import", &f, "--sync"]).code(2).stderr_has("--under");
    // --under only means something with --sync.
    env.admin(&["account", "import", &f, "--under", "130102"]).code(2);
    assert_eq!(env.count("SELECT count(*) FROM account"), 1);
}

// ---------------------------------------------------------------- 9. changed contact details

#[test]
fn art10_changed_contact_details_are_a_change_and_keep_the_username() {
    let env = Env::national();
    let sun = env.person("130102", "reviewer", "孙强", "13910000022");
    let zhou = env.person("130102", "admin", "周丽", "13910000023");
    let prov = province(&env);
    let f = form(
        &env,
        "change.csv",
        &[
            // Same name, new mobile.
            "1,孙强,130102,区县级审核员,电教站,站长,0311-85000002,13910000098,sunqiang@example.cn",
            // Same unit, role and mobile; new email and 处室.
            "2,周丽,长安区,区县级管理员,电教站,,,13910000023,zhouli@example.cn",
        ],
    );
    let r = import(&env, &prov, &f, &["--dry-run", "--format", "json"]);
    r.ok().stderr_has("0 new, 2 changed, 0 to disable");
    let d = r.json();
    assert_eq!(strs(&d, "change"), ["change", "change"]);
    assert_eq!(strs(&d, "username"), [sun.as_str(), zhou.as_str()]);
    let detail0 = d[0]["detail"].as_str().unwrap();
    assert!(detail0.contains("mobile: 13910000022 → 13910000098"), "{detail0}");
    assert_eq!(d[0]["mobile"], "13910000098");
    let detail1 = d[1]["detail"].as_str().unwrap();
    assert!(detail1.contains("→ zhouli@example.cn") && detail1.contains("email"), "{detail1}");
    assert!(detail1.contains("→ 电教站"), "{detail1}");
    assert!(!detail1.contains("mobile"), "{detail1}");

    let r = import(&env, &prov, &f, &["--format", "json"]);
    r.ok();
    let id = r.json()["id"].as_i64().unwrap();
    let r = env.admin(&["request", "show", &id.to_string(), "--format", "json"]);
    r.ok();
    let ch = &r.json()["diff"]["change"];
    assert_eq!(ch[0]["before"]["mobile"], "13910000022");
    assert_eq!(ch[0]["after"]["mobile"], "13910000098");
    assert_eq!(account_field(&env, &sun, "mobile").as_deref(), Some("13910000022"), "unchanged until approved");

    env.admin(&["request", "approve", &id.to_string()]).ok();
    assert_eq!(account_field(&env, &sun, "mobile").as_deref(), Some("13910000098"));
    assert_eq!(account_field(&env, &sun, "email").as_deref(), Some("sunqiang@example.cn"));
    assert_eq!(account_field(&env, &sun, "office_phone").as_deref(), Some("0311-85000002"));
    assert_eq!(account_field(&env, &zhou, "email").as_deref(), Some("zhouli@example.cn"));
    assert_eq!(account_field(&env, &zhou, "department").as_deref(), Some("电教站"));
    assert_eq!(status(&env, &sun), "active");
    assert_eq!(env.count("SELECT count(*) FROM account WHERE username LIKE '130102-%'"), 2, "no new account");
    assert_eq!(env.events("account.update"), 2);
    // The same form again is now nothing to do.
    import(&env, &prov, &f, &[]).ok().stderr_has("nothing to do");
}

// ---------------------------------------------------------------- 10. export

#[test]
fn spec51_export_writes_the_official_layout_and_round_trips() {
    let env = Env::national();
    let (prov, id) = file_example(&env);
    env.admin(&["request", "approve", &id.to_string(), "--codes-out", env.path("c.csv").to_str().unwrap()]).ok();

    let r = env.admin(&["account", "export", "--under", "130000"]);
    r.ok();
    let text = r.stdout.strip_prefix('\u{feff}').expect("a UTF-8 BOM");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "全国教育信息化工作进展信息系统管理人员信息表");
    assert_eq!(lines[1], "单位名称（盖章）：河北省");
    assert_eq!(lines[2], "填表日期：2026-11-20");
    // 单位 is the unit's name, as the form has it, with its code beside.
    assert_eq!(lines[3], "序号,姓名,单位,单位代码,类别,处室,职务,办公电话,手机号,电子邮箱");
    assert_eq!(lines.len(), 4 + 12, "the eleven plus the province admin");
    assert_eq!(lines[4], "1,刘洋,河北省,130000,省级视察员,厅领导,副厅长,0311-66000001,13910000001,liuyang@example.cn");
    assert!(lines.contains(&"3,省管,河北省,130000,省级管理员,,,,13700000001,"), "{text}");
    assert!(
        lines.iter().any(|l| l
            .ends_with(",孙强,长安区,130102,区县级审核员,电教站,站长,0311-85000002,13910000022,sunqiang@example.cn")),
        "{text}"
    );
    assert!(lines
        .iter()
        .any(|l| l.ends_with(",吴昊,桥西区,130104,区县级审核员,电教站,站长,0311-85100002,13910000032,")));

    // Round trip: importing the export changes nothing, for the province and the Ministry.
    let out = env.path("export.csv");
    env.admin(&["account", "export", "--under", "130000", "-o", out.to_str().unwrap()]).ok();
    assert_eq!(std::fs::read(&out).unwrap(), r.stdout.as_bytes());
    let audit0 = env.audit_count();
    let r = import(&env, &prov, out.to_str().unwrap(), &[]);
    r.ok().stderr_has("12 people on the form: 12 unchanged").stderr_has("nothing to do");
    env.admin(&["account", "import", out.to_str().unwrap()]).ok().stderr_has("nothing to do");
    assert_eq!(env.audit_count(), audit0);
    assert_eq!(env.count("SELECT count(*) FROM request"), 1);

    // GBK on request: no BOM, decodes as GBK to the same text, and imports back as unchanged.
    let gbk = env.path("export-gbk.csv");
    env.admin(&["account", "export", "--under", "130000", "--encoding", "gbk", "-o", gbk.to_str().unwrap()]).ok();
    let bytes = std::fs::read(&gbk).unwrap();
    assert!(!bytes.starts_with(b"\xEF\xBB\xBF"));
    assert!(std::str::from_utf8(&bytes).is_err(), "GBK, not UTF-8");
    let (decoded, had_errors) = encoding_rs::GBK.decode_without_bom_handling(&bytes);
    assert!(!had_errors);
    assert_eq!(decoded, text);
    import(&env, &prov, gbk.to_str().unwrap(), &[]).ok().stderr_has("nothing to do");
    assert_eq!(env.audit_count(), audit0);
}

#[test]
fn spec51_export_scope_and_default() {
    let env = Env::national();
    let (prov, id) = file_example(&env);
    env.admin(&["request", "approve", &id.to_string(), "--codes-out", env.path("c.csv").to_str().unwrap()]).ok();
    // Under a county: just its staff (3 at 长安区), title naming the county.
    let r = env.admin(&["account", "export", "--under", "130102"]);
    r.ok().stdout_has("单位名称（盖章）：长安区");
    assert_eq!(r.stdout.lines().count(), 4 + 3);
    // The province's default scope is its province.
    let r = env.run(Some(&prov), &["account", "export"]);
    r.ok().stdout_has("单位名称（盖章）：河北省");
    assert_eq!(r.stdout.lines().count(), 4 + 12);
    // Outside the scope: not found.
    env.run(Some(&prov), &["account", "export", "--under", "110000"]).code(4);
}

// ---------------------------------------------------------------- 11. codes are shown once

#[test]
fn spec2_activation_codes_appear_nowhere_but_the_codes_file() {
    let env = Env::national();
    let (prov, id) = file_example(&env);
    let codes_path = env.path("codes.csv");
    env.admin(&["request", "approve", &id.to_string(), "--codes-out", codes_path.to_str().unwrap()]).ok();
    let codes: Vec<String> = read_codes(&codes_path).values().map(|r| r[5].clone()).collect();
    assert_eq!(codes.len(), 11);

    let mut outputs = vec![
        env.admin(&["account", "export", "--under", "130000"]),
        env.admin(&["account", "list", "--format", "json"]),
        env.admin(&["account", "list", "--under", "130000", "--format", "tsv"]),
        env.run(Some(&prov), &["account", "list", "--format", "csv"]),
        env.admin(&["request", "show", &id.to_string(), "--format", "json"]),
        env.admin(&["request", "list", "--all", "--format", "json"]),
        env.admin(&["audit", "log", "--limit", "0", "--format", "json"]),
    ];
    for u in EXAMPLE_USERS {
        outputs.push(env.admin(&["account", "show", u, "--format", "json"]));
        outputs.push(env.admin(&["account", "show", u]));
    }
    for o in &outputs {
        o.ok();
    }
    assert!(outputs[1].stdout.contains("130102-R01"), "the listing is not empty");
    for code in &codes {
        let bare: String = code.chars().filter(char::is_ascii_alphanumeric).collect();
        assert_eq!(audit_rows_containing(&env, code), 0, "code {code} in the audit table");
        assert_eq!(audit_rows_containing(&env, &bare), 0, "code {bare} in the audit table");
        for o in &outputs {
            assert!(!o.stdout.contains(code.as_str()) && !o.stdout.contains(&bare), "code {code} shown:\n{}", o.stdout);
            assert!(!o.stderr.contains(code.as_str()), "code {code} on stderr:\n{}", o.stderr);
        }
        // Nor in the request's stored payload.
        assert_eq!(env.count(&format!("SELECT count(*) FROM request WHERE payload LIKE '%{code}%'")), 0);
    }
}

// ---------------------------------------------------------------- 12. permissions

#[test]
fn spec2_a_prefecture_admin_may_not_import_the_form() {
    let env = Env::national();
    let pref = env.person("130100", "admin", "市管", "13700000002");
    let rev = env.person("130000", "reviewer", "省审", "13700000005");
    let f = form(&env, "p.csv", &["1,甲,130102,区县级管理员,,,,13920000001,"]);
    let (accounts0, audit0) = (env.count("SELECT count(*) FROM account"), env.audit_count());
    import(&env, &pref, &f, &[])
        .code(3)
        .stderr_has("may not import the personnel form")
        .stderr_has("a Ministry admin or a province admin inside its province may");
    import(&env, &pref, &f, &["--dry-run"]).code(3);
    // Nor may a province's reviewer: the province's admin proposes.
    import(&env, &rev, &f, &[]).code(3).stderr_has("may not import the personnel form");
    assert_eq!(env.count("SELECT count(*) FROM account"), accounts0);
    assert_eq!(env.count("SELECT count(*) FROM request"), 0);
    // The refusals are audited, and nothing else is.
    assert_eq!(env.audit_count() - audit0, 3);
    assert_eq!(env.count(&format!("SELECT count(*) FROM audit WHERE action = 'denied' AND actor = '{pref}'")), 2);
    assert_eq!(env.count(&format!("SELECT count(*) FROM audit WHERE action = 'denied' AND actor = '{rev}'")), 1);
}

#[test]
fn spec6_a_province_may_not_decide_its_own_request() {
    let env = Env::national();
    let (prov, id) = file_example(&env);
    env.run(Some(&prov), &["request", "show", &id.to_string()]).ok().stdout_has("130102-R01");
    env.run(Some(&prov), &["request", "approve", &id.to_string()])
        .code(3)
        .stderr_has("may not approve or reject roster requests; a Ministry admin may");
    env.run(Some(&prov), &["request", "reject", &id.to_string(), "--reason", "自批"]).code(3);
    assert_eq!(request_status(&env, id), "pending");
    assert_eq!(env.count("SELECT count(*) FROM account WHERE status = 'pending'"), 11);
}

#[test]
fn spec1_a_county_cannot_see_the_provinces_request() {
    let env = Env::national();
    let (_prov, id) = file_example(&env);
    let county = env.person("130102", "admin", "区管", "13700000003");
    env.run(Some(&county), &["request", "show", &id.to_string()])
        .code(4)
        .stderr_has(&format!("no request {id} in your scope"));
    // Exactly like a request that does not exist.
    env.run(Some(&county), &["request", "show", "999"]).code(4).stderr_has("no request 999 in your scope");
    env.run(Some(&county), &["request", "approve", &id.to_string()]).code(4);
    // Another province is outside the scope too.
    let beijing = env.person("110000", "admin", "京管", "13700000004");
    env.run(Some(&beijing), &["request", "show", &id.to_string()])
        .code(4)
        .stderr_has(&format!("no request {id} in your scope"));
    let r = env.run(Some(&county), &["request", "list", "--all", "--format", "json"]);
    r.ok();
    assert_eq!(r.json().as_array().map_or(0, Vec::len), 0);
    assert_eq!(request_status(&env, id), "pending");
}
