//! `eip demo` (SPEC §10): a demonstration database from one real province.

mod common;
use common::*;

#[test]
fn spec10_demo_builds_a_province_and_signs_in_its_ministry_admin() {
    let env = Env::empty();
    let mut c = env.command(Some(ADMIN), &["demo", "--db", env.db.to_str().unwrap()]);
    c.env_remove("EIP_NOW");
    let r = Env::run_cmd(c, None);
    r.ok()
        .stdout_has("130000 河北省 (province)")
        .stdout_has("├── 130100 石家庄市 (prefecture)")
        .stderr_has("demo database ready")
        .stderr_has("unit tree 130000");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE path LIKE '/000000/130000/%' AND level = 'county'"), 167);
    assert_eq!(env.count("SELECT count(*) FROM org WHERE level = 'province'"), 1);
    assert_eq!(env.count("SELECT count(*) FROM account WHERE status = 'active'"), 8);
    assert_eq!(env.count("SELECT count(*) FROM setting WHERE key = 'test_clock' AND value = '1'"), 1);
    // Signed in already: the printed commands work.
    let mut c = env.command(Some(ADMIN), &["whoami", "--format", "json"]);
    c.env_remove("EIP_NOW");
    let who = Env::run_cmd(c, None);
    assert_eq!(who.ok().json()["username"], "000000-A01");
    // Run again: recreated, not appended to.
    let mut c = env.command(Some(ADMIN), &["demo", "--db", env.db.to_str().unwrap()]);
    c.env_remove("EIP_NOW");
    Env::run_cmd(c, None).ok();
    assert_eq!(env.count("SELECT count(*) FROM account WHERE status = 'active'"), 8);
    let mut c = env.command(Some(ADMIN), &["audit", "verify"]);
    c.env_remove("EIP_NOW");
    Env::run_cmd(c, None).ok().stderr_has("intact");
}

#[test]
fn spec10_demo_of_another_province_and_a_bad_code() {
    let env = Env::empty();
    let mut c = env.command(None, &["demo", "--db", env.db.to_str().unwrap(), "--province", "440000"]);
    c.env_remove("EIP_NOW");
    Env::run_cmd(c, None).ok().stdout_has("440000 广东省 (province)").stdout_has("441900 东莞市");
    let mut c = env.command(None, &["demo", "--db", env.db.to_str().unwrap(), "--province", "130100"]);
    c.env_remove("EIP_NOW");
    Env::run_cmd(c, None).code(4).stderr_has("130100 is not a province");
}
