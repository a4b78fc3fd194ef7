//! The school's own view (Art. 12): a school admin's `report status` shows its own period — its
//! state, the deadline it works to, whether it was returned, why and until when, and what to do
//! next — and `whoami` shows every account its next deadline.

mod common;
use common::*;

const COUNTY: &str = "130102";
const S1: &str = "2113010001";

fn view(env: &Env, tok: &str) -> serde_json::Value {
    with_token(env, tok, &["report", "status", "--period", "2026-11", "--format", "json"]).ok().json()
}

#[test]
fn art12_a_school_sees_its_own_period_its_deadline_a_return_and_what_to_do_next() {
    let mut env = Env::national();
    let county = admins::county(&env);
    let reviewer = env.person(COUNTY, "reviewer", "长安审", "13700000111");
    let school = env.changan_first_school(&county, "李校", "13700000112");
    let (st, ct, rt) = (token(&env, &school), token(&env, &county), token(&env, &reviewer));
    // Nothing filled in yet: fill, then confirm, by the county's deadline (December 5th, 24:00).
    let v = view(&env, &st);
    assert_eq!((v["code"].as_str(), v["state"].as_str(), v["unit"].as_str()), (Some(S1), Some("open"), Some(COUNTY)));
    assert_eq!(v["deadline"], "2026-12-06T00:00:00+08:00");
    assert_eq!(v["next"], "fill");
    assert_eq!(v["lock_reason"], serde_json::Value::Null);
    with_token(&env, &st, &["report", "set", "--period", "2026-11", "classrooms=30"]).ok();
    assert_eq!(view(&env, &st)["next"], "confirm");
    with_token(&env, &st, &["report", "confirm", "--period", "2026-11"]).ok();
    let v = view(&env, &st);
    assert_eq!((v["state"].as_str(), v["next"].as_str()), (Some("confirmed"), None));
    // In words on a table, too.
    let table =
        with_token(&env, &st, &["report", "status", "--period", "2026-11", "--format", "table", "--lang", "en"]);
    table.ok().stdout_has("confirmed").stdout_has("2026-12-05 24:00");
    // The county's reviewer returns it: why, until when, and what to do.
    env.now = "2026-12-02T10:00:00+08:00".into();
    with_token(
        &env,
        &rt,
        &["report", "return", S1, "--period", "2026-11", "--due", "2026-12-04T18:00+08:00", "--reason", "教室数有误"],
    )
    .ok();
    let v = view(&env, &st);
    assert_eq!((v["state"].as_str(), v["returned_reason"].as_str()), (Some("returned"), Some("教室数有误")));
    assert_eq!(v["due"], "2026-12-04T18:00:00+08:00");
    assert_eq!(v["deadline"], "2026-12-04T18:00:00+08:00", "the due is the deadline it works to");
    assert_eq!(v["next"], "correct");
    with_token(&env, &st, &["report", "confirm", "--period", "2026-11"]).ok();
    // The county submits: locked, nothing to do.
    with_token(&env, &rt, &["submit", "--period", "2026-11", "--allow-incomplete"]).ok();
    let v = view(&env, &st);
    assert_eq!((v["lock_reason"].as_str(), v["next"].as_str()), (Some("submitted"), None));
    let _ = ct;
}

#[test]
fn spec2_whoami_shows_the_next_deadline_a_school_and_a_county_work_to() {
    let env = Env::national();
    let county = admins::county(&env);
    let school = env.changan_first_school(&county, "李校", "13700000112");
    for user in [&county, &school] {
        let j = env.run(Some(user), &["whoami", "--format", "json"]).ok().json();
        assert_eq!(
            (j["deadline_period"].as_str(), j["next_deadline"].as_str()),
            (Some("2026-11"), Some("2026-12-06T00:00:00+08:00")),
            "{user}"
        );
    }
    // The Ministry submits to no one.
    let j = env.admin(&["whoami", "--format", "json"]).ok().json();
    assert_eq!(j["next_deadline"], serde_json::Value::Null);
    // The cron script's reading of whoami (the unit in the fourth CSV field) still holds.
    let csv = env.run(Some(&county), &["whoami", "--format", "csv"]).ok().stdout.clone();
    assert_eq!(csv.lines().last().unwrap().split(',').nth(3), Some(COUNTY));
}
