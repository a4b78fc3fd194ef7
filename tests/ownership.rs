//! One owner per school per month (transfers, §4.4 snapshots): a school that moves after
//! the unit it leaves has submitted a period stays in that unit's figures for that period and in
//! no other unit's; the later periods move with it. Every aggregate, status, missing list and
//! export agrees, and — for random sequences of transfers, merges and submissions — every
//! period's national total is the sum of its schools, each counted once.

mod common;
use common::*;

use std::collections::BTreeMap;

use proptest::prelude::*;

const COUNTY: &str = "130102";
const OTHER: &str = "130104";
const PREF: &str = "130100";
const NOV: &str = "2026-11";
const DEC: &str = "2026-12";

/// The people of 石家庄 who move a school and submit: the two counties' admins and reviewers, the
/// prefecture's and the province's admins, and the Ministry, each with a token.
struct Cast {
    county: Who,
    other: Who,
    county_reviewer: Who,
    other_reviewer: Who,
    pref: Who,
    prov: Who,
    ministry: Who,
}

fn cast(env: &Env) -> Cast {
    Cast {
        county: who(env, COUNTY, "admin", "长安管", "13700000101"),
        other: who(env, OTHER, "admin", "桥西管", "13700000102"),
        county_reviewer: who(env, COUNTY, "reviewer", "长安审", "13700000103"),
        other_reviewer: who(env, OTHER, "reviewer", "桥西审", "13700000104"),
        pref: who(env, PREF, "admin", "市管", "13700000105"),
        prov: who(env, "130000", "admin", "省管", "13700000106"),
        ministry: Who { user: ADMIN.into(), tok: token(env, ADMIN) },
    }
}

/// A school moved from its county to `to`: filed by the county's admin, approved by the
/// prefecture, the province and the Ministry in turn (Art. 13).
fn transfer(env: &Env, c: &Cast, from: &Who, school: &str, to: &str) {
    let j = run(env, from, &["school", "transfer", school, "--to", to, "--reason", "区划调整", "--format", "json"])
        .ok()
        .json();
    let id = j["id"].as_i64().expect("a request").to_string();
    for w in [&c.pref, &c.prov, &c.ministry] {
        run(env, w, &["request", "approve", &id]).ok();
    }
}

/// The prefecture's figures for a period, by unit, as `report export` gives them: (schools
/// expected, classrooms).
fn figures(env: &Env, w: &Who, period: &str, level: &str) -> BTreeMap<String, (i64, f64)> {
    let out =
        run(env, w, &["report", "export", "--period", period, "--under", PREF, "--level", level, "--format", "csv"])
            .ok()
            .stdout
            .clone();
    csv_maps(&out)
        .into_iter()
        .map(|r| {
            let n = |k: &str| r.get(k).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
            (r["org"].clone(), (n("schools_expected") as i64, n("classrooms")))
        })
        .collect()
}

/// `report status` of the prefecture for a period, by county: schools expected.
fn expected_by_county(env: &Env, w: &Who, period: &str) -> BTreeMap<String, i64> {
    let j = run(env, w, &["report", "status", "--under", PREF, "--period", period, "--format", "json"]).ok().json();
    j.as_array()
        .expect("a list")
        .iter()
        .map(|o| (o["code"].as_str().unwrap().to_string(), o["schools_expected"].as_i64().unwrap_or(0)))
        .collect()
}

/// 长安区's 14 schools imported, each reporting 3 classrooms for November (2113010001: 30), every
/// one confirmed but the last.
fn changan(env: &Env, c: &Cast) {
    run(env, &c.county, &["school", "import", &example("changan-schools.csv")]).ok();
    for (k, school) in CHANGAN_SCHOOLS.iter().enumerate() {
        let classrooms = if k == 0 { "classrooms=30" } else { "classrooms=3" };
        run(env, &c.county, &["report", "set", "--org", school, "--period", NOV, classrooms]).ok();
        if k < CHANGAN_SCHOOLS.len() - 1 {
            run(env, &c.county, &["report", "confirm", "--org", school, "--period", NOV]).ok();
        }
    }
}

#[test]
fn spec3_a_school_moved_after_its_county_submitted_stays_in_that_submission_and_counts_once() {
    let mut env = Env::national();
    let c = cast(&env);
    changan(&env, &c);
    let moved = CHANGAN_SCHOOLS[0];
    let unconfirmed = CHANGAN_SCHOOLS[13];
    // December 3rd: 长安区 submits November (one school unconfirmed), then 2113010001 and the
    // unconfirmed one move to 桥西区.
    env.now = "2026-12-03T10:00:00+08:00".into();
    run(&env, &c.county_reviewer, &["submit", "--period", NOV, "--allow-incomplete"]).ok();
    transfer(&env, &c, &c.county, moved, OTHER);
    transfer(&env, &c, &c.county, unconfirmed, OTHER);
    // November: both are 长安区's (its submission holds them), in no other unit's figures.
    let nov = figures(&env, &c.pref, NOV, "county");
    assert_eq!(nov[COUNTY], (14, 30.0 + 13.0 * 3.0));
    assert_eq!(nov[OTHER], (0, 0.0), "桥西区 counts neither for November");
    let pref = figures(&env, &c.pref, NOV, "prefecture");
    assert_eq!(pref[PREF], (14, 69.0), "石家庄 counts each school once");
    let status = expected_by_county(&env, &c.pref, NOV);
    assert_eq!((status[COUNTY], status[OTHER]), (14, 0));
    // The 催报 list follows: the unconfirmed school is 长安区's to chase for November.
    let under = |unit: &str| {
        run(&env, &c.pref, &["report", "missing", "--period", NOV, "--under", unit, "--format", "csv"])
            .ok()
            .stdout
            .clone()
    };
    assert!(under(COUNTY).contains(unconfirmed), "listed where its November belongs");
    assert!(!under(OTHER).contains(unconfirmed), "not where it is supervised now");
    // It cannot be written for November: 长安区 has submitted it.
    run(&env, &c.other, &["report", "set", "--org", unconfirmed, "--period", NOV, "classrooms=4"]).code(5);
    // 桥西区 submits November without them; 石家庄 still counts 14.
    run(&env, &c.other_reviewer, &["submit", "--period", NOV, "--allow-incomplete"]).ok();
    assert_eq!(figures(&env, &c.pref, NOV, "prefecture")[PREF], (14, 69.0));
    // December: they are 桥西区's.
    let dec = expected_by_county(&env, &c.pref, DEC);
    assert_eq!((dec[COUNTY], dec[OTHER]), (12, 2));
    // The move says which periods stayed behind.
    let detail = env.trail("school.transfer", moved);
    assert_eq!(detail[0].detail["periods_before_stay"], "2026-12");
}

#[test]
fn spec3_a_school_moved_before_its_county_submitted_takes_the_month_with_it() {
    let mut env = Env::national();
    let c = cast(&env);
    changan(&env, &c);
    let moved = CHANGAN_SCHOOLS[0];
    env.now = "2026-12-02T10:00:00+08:00".into();
    transfer(&env, &c, &c.county, moved, OTHER);
    let nov = figures(&env, &c.pref, NOV, "county");
    assert_eq!(nov[COUNTY], (13, 39.0));
    assert_eq!(nov[OTHER], (1, 30.0), "its November moves with it");
    run(&env, &c.county_reviewer, &["submit", "--period", NOV, "--allow-incomplete"]).ok();
    run(&env, &c.other_reviewer, &["submit", "--period", NOV, "--allow-incomplete"]).ok();
    assert_eq!(figures(&env, &c.pref, NOV, "prefecture")[PREF], (14, 69.0));
}

// ---------------------------------------------------------------- the property

/// One step of a random history.
#[derive(Debug, Clone)]
enum Step {
    /// School `k` (of the first six) moves to the other county.
    Transfer(usize),
    /// School `k` merges into the school `j`.
    Merge(usize, usize),
    /// The county (0: 长安区, 1: 桥西区) submits.
    Submit(usize),
    /// The prefecture returns the county's period.
    Return(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0usize..6).prop_map(Step::Transfer),
        1 => (0usize..6, 0usize..6).prop_map(|(k, j)| Step::Merge(k, j)),
        2 => (0usize..2).prop_map(Step::Submit),
        1 => (0usize..2).prop_map(Step::Return),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, failure_persistence: None, ..ProptestConfig::default() })]

    /// For random sequences of transfers, merges, submissions and returns during November's
    /// reporting, November's total for 石家庄 is the sum of its expected schools, each counted once.
    #[test]
    fn every_periods_total_is_the_sum_of_its_schools_each_counted_once(steps in prop::collection::vec(step(), 3..8)) {
        let mut env = Env::national();
        let c = cast(&env);
        let pr = who(&env, PREF, "reviewer", "市审", "13700000107");
        // Six schools of 长安区, classrooms 1, 2, 4, 8, 16, 32: any double count or loss shows.
        let schools: Vec<&str> = CHANGAN_SCHOOLS[..6].to_vec();
        run(&env, &c.county, &["school", "import", &example("changan-schools.csv")]).ok();
        for (k, s) in CHANGAN_SCHOOLS.iter().enumerate() {
            let v = if k < 6 { 1 << k } else { 0 };
            run(&env, &c.county, &["report", "set", "--org", s, "--period", NOV, &format!("classrooms={v}")]).ok();
        }
        env.now = "2026-12-02T10:00:00+08:00".into();
        let mut at = [COUNTY; 6];
        for s in &steps {
            match *s {
                Step::Transfer(k) => {
                    let (from, to) = if at[k] == COUNTY { (&c.county, OTHER) } else { (&c.other, COUNTY) };
                    let r = run(&env, from, &["school", "transfer", schools[k], "--to", to, "--reason", "调整", "--format", "json"]);
                    if r.code == 0 {
                        let id = r.json()["id"].as_i64().unwrap().to_string();
                        for w in [&c.pref, &c.prov, &c.ministry] {
                            run(&env, w, &["request", "approve", &id]);
                        }
                        if env.count(&format!("SELECT count(*) FROM request WHERE id = {id} AND status = 'approved'")) == 1 {
                            at[k] = to;
                        }
                    }
                }
                Step::Merge(k, j) => {
                    let admin = if at[k] == COUNTY { &c.county } else { &c.other };
                    run(&env, admin, &["school", "merge", schools[k], "--into", schools[j], "--yes"]);
                }
                Step::Submit(u) => {
                    let r = if u == 0 { &c.county_reviewer } else { &c.other_reviewer };
                    run(&env, r, &["submit", "--period", NOV, "--allow-incomplete"]);
                }
                Step::Return(u) => {
                    let unit = if u == 0 { COUNTY } else { OTHER };
                    run(&env, &pr, &["report", "return", unit, "--period", NOV, "--due", "2026-12-09T18:00+08:00", "--reason", "核对"]);
                }
            }
        }
        // The truth: every school expected in November, once, with its November value.
        let truth: (i64, f64) = {
            let conn = env.conn();
            let p = "2026-11";
            let sql = "SELECT count(*), coalesce(sum(CAST(v.value AS DOUBLE PRECISION)), 0) FROM org o JOIN school s ON s.org_id = o.id
                       LEFT JOIN value v ON v.org_id = o.id AND v.period = ?1 AND v.indicator = 'classrooms'
                       WHERE o.path LIKE '/000000/130000/130100/%' AND o.deleted_at IS NULL
                         AND o.created_at < '2026-11-30T16:00:00Z'
                         AND (s.status NOT IN ('merged', 'revoked') OR s.status_changed_at >= '2026-10-31T16:00:00Z')";
            conn.query_row(sql, [p], |r| Ok((r.get(0)?, r.get(1)?))).unwrap()
        };
        let pref = figures(&env, &c.pref, NOV, "prefecture")[PREF];
        prop_assert_eq!(pref, truth, "steps {:?}", steps);
        let counties = figures(&env, &c.pref, NOV, "county");
        let summed = counties.values().fold((0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        prop_assert_eq!(summed, truth, "the counties add up: {:?}", counties);
    }
}
