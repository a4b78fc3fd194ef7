//! A new database's first contents: the Ministry, the seeded indicator catalogue and
//! the first Ministry admin, each audited, written in the transaction that creates the file.

use serde_json::json;

use crate::account::{self, Issued, Person, Role};
use crate::audit::Event;
use crate::error::Result;
use crate::indicators::{self, Indicator};
use crate::model::MINISTRY_CODE;
use crate::store::{self, orgs, Tx};

/// The indicator catalogue `eip init` seeds.
pub const INDICATORS_CSV: &str = include_str!("../examples/data/indicators.csv");

/// The Ministry, the indicator catalogue and the plausibility rules, each audited.
pub fn seed(tx: &mut Tx) -> Result<()> {
    let path = format!("/{MINISTRY_CODE}/");
    orgs::insert_ministry(tx, MINISTRY_CODE, "教育部", &path, &tx.now_stored())?;
    tx.audit(Event::new("unit.add").target(MINISTRY_CODE).scope(path).detail(json!({
        "after": { "code": MINISTRY_CODE, "name": "教育部", "level": "ministry" }
    })))?;
    let mut reader = csv::Reader::from_reader(INDICATORS_CSV.as_bytes());
    for (pos, rec) in reader.records().enumerate() {
        let r = rec?;
        let f = |i: usize| r.get(i).unwrap_or("").to_string();
        let ind = Indicator {
            code: f(0),
            name_zh: f(1),
            name_en: f(2),
            kind: f(3),
            unit: f(4),
            filled_by: f(5),
            position: pos as i64 + 1,
            retired_at: None,
            measure: f(6),
        };
        indicators::add(tx, &ind)?;
    }
    for rule in store::rules::seeded()? {
        store::rules::insert(tx, &rule)?;
        tx.audit(Event::new("rule.add").target(&rule.code).detail(store::rules::added_detail(&rule)))?;
    }
    Ok(())
}

/// `eip init`'s contents: the seed and the first Ministry admin, active with `password` when
/// one is given (else issued with an activation code).
pub fn first_database(tx: &mut Tx, admin: &Person, password: Option<&str>, cheap: bool) -> Result<Issued> {
    seed(tx)?;
    let ministry = orgs::find(tx, MINISTRY_CODE)?.expect("seeded above");
    let issued = account::issue(tx, &ministry, Role::Admin, admin, None)?;
    if let Some(pw) = password {
        crate::auth::set_password(tx, issued.id, &issued.username, pw, cheap, "account.activate")?;
    }
    Ok(issued)
}
