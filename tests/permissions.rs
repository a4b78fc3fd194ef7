//! The permission matrix: every role × every account, request and unit command, each
//! either allowed, refused (exit 3, naming who may, audited as `denied`) or out of scope (exit 4).

mod common;
use common::*;

const ROLES: [&str; 9] = [
    "ministry_admin",
    "support",
    "prov_admin",
    "prov_reviewer",
    "prov_inspector",
    "pref_admin",
    "county_admin",
    "county_reviewer",
    "school_admin",
];

struct World {
    env: Env,
    users: Vec<(String, String)>,
}

impl World {
    fn new() -> World {
        let env = Env::national();
        let specs = [
            ("000000", "support", "技术员", "13600000001"),
            ("130000", "admin", "李明", "13600000002"),
            ("130000", "reviewer", "张伟", "13600000003"),
            ("130000", "inspector", "刘洋", "13600000004"),
            ("130100", "admin", "杨帆", "13600000005"),
            ("130102", "admin", "周丽", "13600000006"),
            ("130102", "reviewer", "孙强", "13600000007"),
        ];
        let mut users = vec![("ministry_admin".to_string(), ADMIN.to_string())];
        for (i, (unit, role, name, mobile)) in specs.iter().enumerate() {
            users.push((ROLES[i + 1].to_string(), env.person(unit, role, name, mobile)));
        }
        // Accounts to act on: one at a county (issued by the Ministry).
        env.add_account("130102", "inspector", "赵敏", "13600000010", &[]).ok();
        // A school of the county, with its own admin; a second school to act on.
        let county = users[6].1.clone();
        let user = env.changan_first_school(&county, "钱校长", "13600000008");
        users.push(("school_admin".to_string(), user));
        env.run(Some(&county), &["school", "add", "2113010002", "长安区第二小学", "--unit", "130102"]).ok();
        World { env, users }
    }

    fn user(&self, role: &str) -> &str {
        &self.users.iter().find(|(r, _)| r == role).expect("role").1
    }
}

/// Expected outcome per role, in ROLES order: 0 allowed, 3 refused, 4 out of scope.
fn check(w: &World, what: &str, args: &[&str], stdin: Option<&str>, want: [i32; 9]) {
    for (i, role) in ROLES.iter().enumerate() {
        let user = w.user(role);
        let denied_before = w.env.events("denied");
        let r = match stdin {
            Some(s) => w.env.run_stdin(Some(user), args, s),
            None => w.env.run(Some(user), args),
        };
        assert_eq!(r.code, want[i], "{what} as {role} ({user})\n--- stderr\n{}", r.stderr);
        let denied_after = w.env.events("denied");
        match want[i] {
            3 => {
                assert!(r.stderr.contains(&format!("{user} may not ")), "{what} as {role}: {}", r.stderr);
                assert!(r.stderr.trim_end().ends_with(" may"), "{what} as {role}: names who may: {}", r.stderr);
                assert_eq!(denied_after, denied_before + 1, "{what} as {role}: the refusal is audited");
            }
            4 => {
                assert!(r.stderr.contains("in your scope"), "{what} as {role}: {}", r.stderr);
            }
            _ => {}
        }
    }
}

#[test]
fn spec2_permission_matrix_for_accounts_requests_units_and_audit() {
    let w = World::new();
    let env = &w.env;
    // Outcome per role:  min sup pA  pR  pI  fA  cA  cR  school
    check(
        &w,
        "account add staff",
        &["account", "add", "--unit", "130102", "--role", "admin", "--name", "新人", "--mobile", "13600000020"],
        None,
        [0, 3, 3, 3, 3, 3, 3, 3, 4],
    );
    check(
        &w,
        "account add outside a county's scope",
        &["account", "add", "--unit", "130104", "--role", "admin", "--name", "新人", "--mobile", "13600000021"],
        None,
        [0, 3, 3, 3, 3, 3, 4, 4, 4],
    );
    check(&w, "account list", &["account", "list"], None, [0, 0, 0, 0, 0, 0, 0, 0, 0]);
    check(&w, "account show", &["account", "show", "130102-I01"], None, [0, 0, 0, 0, 0, 0, 0, 0, 4]);
    check(&w, "account show elsewhere", &["account", "show", "130104-A01"], None, [0, 0, 0, 0, 0, 0, 4, 4, 4]);
    check(
        &w,
        "account disable",
        &["account", "disable", "130102-I01", "--reason", "调离"],
        None,
        [0, 3, 3, 3, 3, 3, 3, 3, 4],
    );
    check(&w, "account enable", &["account", "enable", "130102-I01"], None, [0, 3, 3, 3, 3, 3, 3, 3, 4]);
    // Each reset replaces the code the one before issued, so each asks to (--new-code).
    check(&w, "account reset", &["account", "reset", "130102-I01", "--new-code"], None, [0, 0, 3, 3, 3, 3, 3, 3, 4]);
    check(&w, "account export", &["account", "export"], None, [0, 0, 0, 0, 0, 0, 0, 0, 0]);
    check(&w, "token list", &["account", "token", "list"], None, [0, 0, 0, 0, 0, 0, 0, 0, 0]);
    check(&w, "request list", &["request", "list"], None, [0, 0, 0, 0, 0, 0, 0, 0, 0]);
    check(&w, "audit log", &["audit", "log", "--limit", "1"], None, [0, 0, 0, 0, 0, 0, 0, 0, 0]);
    check(&w, "audit verify", &["audit", "verify"], None, [0, 0, 3, 3, 3, 3, 3, 3, 3]);
    check(&w, "unit rename", &["unit", "rename", "130102", "长安区"], None, [0, 3, 0, 3, 3, 3, 3, 3, 4]);
    check(&w, "unit show elsewhere", &["unit", "show", "130104"], None, [0, 0, 0, 0, 0, 0, 4, 4, 4]);

    // Schools (Art. 11–13): the supervising unit's admin manages them; the school and support edit.
    check(
        &w,
        "school add",
        &["school", "add", "2113010009", "新学校", "--unit", "130102"],
        None,
        [3, 3, 3, 3, 3, 3, 0, 3, 4],
    );
    check(&w, "school list", &["school", "list"], None, [0, 0, 0, 0, 0, 0, 0, 0, 0]);
    check(&w, "school show", &["school", "show", "2113010001"], None, [0, 0, 0, 0, 0, 0, 0, 0, 0]);
    check(&w, "school show another", &["school", "show", "2113010002"], None, [0, 0, 0, 0, 0, 0, 0, 0, 4]);
    check(
        &w,
        "school edit",
        &["school", "edit", "2113010001", "--students", "800", "--reason", "核对"],
        None,
        [3, 0, 3, 3, 3, 3, 0, 3, 0],
    );
    check(
        &w,
        "school suspend",
        &["school", "suspend", "2113010002", "--reason", "生源不足"],
        None,
        [3, 3, 3, 3, 3, 3, 0, 3, 4],
    );
    check(
        &w,
        "school resume",
        &["school", "resume", "2113010002", "--reason", "恢复"],
        None,
        [3, 3, 3, 3, 3, 3, 0, 3, 4],
    );
    check(
        &w,
        "school delete --request",
        &["school", "delete", "2113010001", "--request", "--reason", "重复"],
        None,
        [3, 3, 3, 3, 3, 3, 0, 3, 3],
    );
    check(
        &w,
        "school transfer",
        &["school", "transfer", "2113010002", "--to", "130104", "--reason", "调整"],
        None,
        [3, 3, 3, 3, 3, 3, 0, 3, 4],
    );
    check(&w, "school export", &["school", "export"], None, [0, 0, 0, 0, 0, 0, 0, 0, 0]);

    // Monthly data (Art. 14–15): each org's admin its own; a supervising admin by proxy.
    check(&w, "report set own org", &["report", "set", "trained_persons=3"], None, [0, 3, 0, 3, 3, 0, 0, 3, 6]);
    check(
        &w,
        "report set school by proxy",
        &["report", "set", "--org", "2113010001", "classrooms=30"],
        None,
        [3, 3, 3, 3, 3, 3, 0, 3, 0],
    );
    check(&w, "report show", &["report", "show", "--org", "2113010001"], None, [0, 0, 0, 0, 0, 0, 0, 0, 0]);
    check(&w, "report status", &["report", "status", "--under", "130102"], None, [0, 0, 0, 0, 0, 0, 0, 0, 4]);
    check(
        &w,
        "report indicators retire",
        &["report", "indicators", "retire", "excellent_lesson_teachers"],
        None,
        [0, 3, 3, 3, 3, 3, 3, 3, 3],
    );
    // The cycle (Art. 7, 16–20): the reviewer submits and withdraws, the inspector ratifies (both
    // refused by the rules here: nothing is open for submission, nothing submitted), the
    // province's admin or reviewer files the monthly text; doctor is the Ministry's and support's.
    check(&w, "submit", &["submit"], None, [3, 3, 3, 5, 3, 3, 3, 5, 3]);
    check(&w, "withdraw request", &["withdraw", "request", "--reason", "漏报"], None, [3, 3, 3, 5, 3, 3, 3, 5, 3]);
    check(&w, "report ratify", &["report", "ratify"], None, [3, 3, 3, 3, 5, 3, 3, 3, 3]);
    let text = env.write_file("text.md", "本月月报".as_bytes());
    check(
        &w,
        "report text",
        &["report", "text", "--period", "2026-11", "--file", &text],
        None,
        [3, 3, 0, 0, 3, 3, 3, 3, 3],
    );
    check(&w, "doctor", &["doctor"], None, [0, 0, 3, 3, 3, 3, 3, 3, 3]);
    let pending: Vec<String> = env
        .run(Some(w.user("county_admin")), &["request", "list", "--format", "json"])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap().to_string())
        .collect();
    assert_eq!(pending.len(), 2, "the deletion and the transfer requests");
    let (delete, transfer) = (&pending[1], &pending[0]);
    // Deletion: the Ministry decides; a transfer: the prefecture first (the others do not see it yet).
    check(
        &w,
        "request reject school_delete",
        &["request", "reject", delete, "--reason", "不同意"],
        None,
        [0, 3, 3, 3, 3, 3, 3, 3, 3],
    );
    check(&w, "request approve transfer step 1", &["request", "approve", transfer], None, [4, 4, 4, 4, 4, 0, 3, 3, 4]);

    // The personnel form: the Ministry applies it, a province proposes it, nobody else.
    let form = env.write_file(
        "form.csv",
        "序号,姓名,单位,类别,处室,职务,办公电话,手机号,电子邮箱\n1,吴昊,130104,区县级审核员,电教站,站长,,13600000030,\n".as_bytes(),
    );
    check(
        &w,
        "account import --dry-run",
        &["account", "import", &form, "--dry-run"],
        None,
        [0, 3, 0, 3, 3, 3, 3, 3, 3],
    );
    let r = env.run(Some(w.user("prov_admin")), &["account", "import", &form, "--format", "json"]);
    let id = r.ok().json()["id"].as_i64().unwrap().to_string();
    check(&w, "request show", &["request", "show", &id], None, [0, 0, 0, 0, 0, 4, 4, 4, 4]);
    check(&w, "request reject", &["request", "reject", &id, "--reason", "重复"], None, [0, 3, 3, 3, 3, 4, 4, 4, 4]);
    // Already decided: refused by the rules for the one who may, still refused for the others.
    check(&w, "request approve after reject", &["request", "approve", &id], None, [5, 3, 3, 3, 3, 4, 4, 4, 4]);
}
