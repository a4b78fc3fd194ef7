//! `report import` is a unit admin's; a row it may not write is a refusal (exit 3,
//! audited), not bad input.

mod common;
use common::*;

#[test]
fn spec2_only_a_unit_admin_imports_values_and_a_foreign_row_is_refused_and_audited() {
    let env = Env::national();
    let county = env.person("130102", "admin", "赵敏", "13700000001");
    let school = env.changan_first_school(&county, "钱", "13700000002");
    let file = env.write_file("v.csv", b"org,period,indicator,value\n2113010001,2026-11,classrooms,7\n");
    let denied =
        |who: &str| env.count(&format!("SELECT count(*) FROM audit WHERE action = 'denied' AND actor = '{who}'"));
    // The school's own admin sets and confirms, but does not import.
    env.run(Some(&school), &["report", "import", &file]).code(3).stderr_has("an admin of that unit may");
    assert_eq!(denied(&school), 1);
    // A prefecture admin: the county's school is in its scope but not its to write.
    let pref = env.person("130100", "admin", "陈静", "13700000003");
    env.run(Some(&pref), &["report", "import", &file]).code(3).stderr_has("may not fill in or confirm");
    assert_eq!(denied(&pref), 1);
    assert_eq!(env.count("SELECT count(*) FROM value"), 0);
    // The county admin imports it.
    env.run(Some(&county), &["report", "import", &file]).ok().stderr_has("1 values changed");
}
