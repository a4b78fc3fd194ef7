//! The scripts under examples/ run as written, against the real binary.

mod common;
use common::*;

#[test]
fn spec51_the_provincial_roster_workflow_script_runs_end_to_end() {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/province-roster-import.sh");
    let out = std::process::Command::new("bash")
        .arg(&script)
        .env("EIP", bin())
        .env_remove("EIP_TOKEN")
        .env_remove("EIP_DB")
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "--- stdout\n{stdout}\n--- stderr\n{stderr}");
    assert!(stderr.contains("roster request #1 filed for the Ministry's approval"), "{stderr}");
    assert!(stderr.contains("approved request #1: 10 new, 1 changed, 0 to disable"), "{stderr}");
    assert!(stdout.contains("-rw-------"), "the codes file is 0600: {stdout}");
    assert!(stderr.contains("signed in as 130102-R01 (孙强, reviewer of 130102)"), "{stderr}");
    assert!(stdout.contains("130104-R01\t吴昊\treviewer\t130104\t桥西区\tactive"), "{stdout}");
    assert!(stderr.contains("intact: "), "{stderr}");
}

/// The county's cron job (Art. 14–17): confirm, then — once everyone below has confirmed and the
/// reviewer's token is given — submit inside the window.
#[test]
fn art16_the_county_cron_script_submits_inside_the_window_when_everyone_has_confirmed() {
    let mut env = Env::national();
    let admin = env.person("130102", "admin", "赵敏", "13700000001");
    let reviewer = env.person("130102", "reviewer", "孙强", "13700000002");
    // Each token made the obvious way: `eip account token create … > file` (the bare token).
    let token = |user: &str, file: &str| -> String {
        let path = env.path(file);
        let mut c = env.command(Some(user), &[]);
        c.arg("account").arg("token").arg("create").arg("--name").arg("cron").arg("--days").arg("365");
        let mut sh = std::process::Command::new("bash");
        sh.arg("-c").arg(format!("\"$0\" \"$@\" > '{}'", path.display())).arg(c.get_program()).args(c.get_args());
        for (k, v) in c.get_envs() {
            match v {
                Some(v) => sh.env(k, v),
                None => sh.env_remove(k),
            };
        }
        Env::run_cmd(sh, None).ok();
        path.display().to_string()
    };
    let (at, rt) = (token(&admin, "admin-token"), token(&reviewer, "reviewer-token"));
    env.run(Some(&admin), &["report", "set", "funding=12.5", "trained_persons=30"]).ok();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/county-monthly-confirm.sh");
    let run = |env: &Env, reviewer: Option<&str>| {
        // As the crontab line in the script's header runs it: EIP_TOKEN="$(cat file)".
        let reviewer = reviewer.map_or(String::new(), |f| format!("EIP_REVIEWER_TOKEN=\"$(cat '{f}')\""));
        let mut c = std::process::Command::new("bash");
        c.arg("-c")
            .arg(format!("EIP_TOKEN=\"$(cat '{at}')\" {reviewer} exec bash '{}'", script.display()))
            .env("EIP", bin())
            .env("EIP_DB", &env.db)
            .env("EIP_NOW", &env.now)
            .env("EIP_CONFIG_DIR", env.config_dir(Some("cron")))
            .env_remove("EIP_TOKEN")
            .env_remove("EIP_REVIEWER_TOKEN")
            .env("LANG", "C");
        Env::run_cmd(c, None)
    };
    // December 2nd: the county's month is complete (no schools below it); with the reviewer's
    // token the script submits November.
    env.now = "2026-12-02T08:00:00+08:00".into();
    run(&env, None).ok().stderr_has("everyone has confirmed");
    assert_eq!(env.count("SELECT count(*) FROM submission"), 0, "only a reviewer submits");
    run(&env, Some(&rt)).ok().stderr_has("130102 submitted 2026-11");
    assert_eq!(
        env.count("SELECT count(*) FROM submission s JOIN org o ON o.id = s.org_id WHERE o.code = '130102' AND s.period = '2026-11' AND s.state = 'submitted'"),
        1
    );
    // The next morning it is already submitted: the confirmation is refused as read-only.
    env.now = "2026-12-03T08:00:00+08:00".into();
    run(&env, Some(&rt)).code(5).stderr_has("was submitted by 130102");
}
