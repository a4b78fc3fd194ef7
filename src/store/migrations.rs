//! Upgrades from older files, in order: `MIGRATIONS[i]` takes version `i + 1` to `i + 2`.
//! `schema.sql` is always the newest schema; a fresh database gets it whole, and a file upgraded
//! through every migration ends with the same tables, constraints, indexes, triggers and views,
//! to the letter (a test compares the two).
//!
//! A step that changes a table's constraints rebuilds the table, as SQLite's own documentation
//! describes for changes `ALTER TABLE` cannot make: the old table is renamed out of the way, the
//! new one created from its statement in `schema.sql`, the rows copied, the old one dropped, and
//! its indexes and triggers created again. `migrate` runs every step in one transaction with
//! foreign keys off (checked before the commit), so a failed step leaves the file as it was.

use super::{Conn, Tx};
/// The seeded indicators that are flows, and their names as `examples/data/indicators.csv`
/// now gives them: (code, old Chinese name, new, old English name, new).
const FLOWS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "funding",
        "本级教育信息化经费投入",
        "本月本级教育信息化经费投入",
        "Education informatization spending at this level",
        "Education informatization spending at this level this month",
    ),
    (
        "trained_persons",
        "本级组织的信息化培训人次",
        "本月本级组织的信息化培训人次",
        "Person-times of informatization training organised",
        "Person-times of informatization training organised this month",
    ),
    ("policy_documents", "本月出台的教育信息化政策文件数", "本月出台的教育信息化政策文件数", "", ""),
];

/// Version 3 (issue "Numbers the Ministry can trust"): every indicator says whether it is a stock
/// or a flow, the seeded flows classified (and named "this month") as the catalogue file has them;
/// the plausibility rules and the flags they raise, the seeded rules added; a school's periods that
/// stay with the unit it left (`school_owner`); every urging of a unit (`urge`); a submission records its unit's own figures and the
/// warnings it passed on; an account may await its holder's real name until activation. Every
/// change to the catalogues is recorded as `system`.
fn v3(tx: &Tx) -> Result<()> {
    let schema = super::SCHEMA;
    let flows: Vec<String> = FLOWS.iter().map(|f| format!("'{}'", f.0)).collect();
    rebuild(
        tx,
        schema,
        "indicator",
        &format!(
            "INSERT INTO indicator(code, name_zh, name_en, kind, unit, filled_by, position, created_at, retired_at, measure)
             SELECT code, name_zh, name_en, kind, unit, filled_by, position, created_at, retired_at,
                    CASE WHEN code IN ({}) THEN 'flow' ELSE 'stock' END FROM {{old}}",
            flows.join(", ")
        ),
    )?;
    rebuild(tx, schema, "account", "INSERT INTO account SELECT * FROM {old}")?;
    rebuild(
        tx,
        schema,
        "submission",
        "INSERT INTO submission(org_id, period, state, submitted_at, submitted_by, incomplete_schools, own_state, flags,
                                return_id, ratified_at, ratified_by)
         SELECT org_id, period, state, submitted_at, submitted_by, incomplete_schools, NULL, NULL,
                return_id, ratified_at, ratified_by FROM {old}",
    )?;
    for table in ["rule", "flag", "school_owner", "urge"] {
        tx.batch(&format!("{};", create(schema, table)))?;
        for s in dependents(schema, table) {
            tx.batch(&format!("{s};"))?;
        }
    }
    // What changed in the catalogues, as events.
    let mut events = Vec::new();
    for (code, zh_old, zh_new, en_old, en_new) in FLOWS {
        let Some((zh, en)) =
            tx.opt("SELECT name_zh, name_en FROM indicator WHERE code = ?1", super::params![code], |r| {
                Ok((r.get::<String>(0)?, r.get::<String>(1)?))
            })?
        else {
            continue;
        };
        events.push(super::audit::NewEvent {
            action: "indicator.measure".into(),
            target: Some(code.to_string()),
            scope_path: None,
            period: None,
            detail: serde_json::json!({ "before": { "measure": "stock" }, "after": { "measure": "flow" } }).to_string(),
            reason: None,
        });
        // A seeded name still as it was seeded takes the catalogue's new name; a name the
        // Ministry changed stays.
        let (new_zh, new_en) =
            (if zh == *zh_old { *zh_new } else { zh.as_str() }, if en == *en_old { *en_new } else { en.as_str() });
        if (new_zh, new_en) != (zh.as_str(), en.as_str()) {
            tx.exec(
                "UPDATE indicator SET name_zh = ?1, name_en = ?2 WHERE code = ?3",
                super::params![new_zh, new_en, code],
            )?;
            events.push(super::audit::NewEvent {
                action: "indicator.rename".into(),
                target: Some(code.to_string()),
                scope_path: None,
                period: None,
                detail: serde_json::json!({
                    "before": { "name_zh": zh, "name_en": en }, "after": { "name_zh": new_zh, "name_en": new_en }
                })
                .to_string(),
                reason: None,
            });
        }
    }
    for rule in super::rules::seeded()? {
        super::rules::insert(tx, &rule)?;
        events.push(super::audit::NewEvent {
            action: "rule.add".into(),
            target: Some(rule.code.clone()),
            scope_path: None,
            period: None,
            detail: super::rules::added_detail(&rule).to_string(),
            reason: None,
        });
    }
    let head = super::audit::head(tx)?.unwrap_or((0, super::audit::GENESIS.to_string()));
    super::audit::append_events(tx, head, "system", None, &tx.now_stored(), events)?;
    Ok(())
}

#[cfg(test)]
use super::params;
use crate::error::Result;

/// One upgrade step.
pub enum Step {
    /// Statements run as they stand.
    Sql(&'static str),
    /// Work that needs more than statements (statements taken from `schema.sql`, checks, the
    /// audit events of what the step changed), inside the upgrade's transaction.
    Run(fn(&Tx) -> Result<()>),
}

pub const MIGRATIONS: &[Step] = &[Step::Run(v2), Step::Run(v3)];

/// PostgreSQL's own numbered migrations, from version 3 (the version its schema, `schema.pg.sql`,
/// started at): `PG_MIGRATIONS[i]` takes version `3 + i` to `4 + i`. A change of the schema adds
/// one step here and one to `MIGRATIONS`.
pub const PG_MIGRATIONS: &[Step] = &[];

/// The schema's statements, each whole (a trigger's body included), in file order.
fn statements(schema: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in schema.lines() {
        let code = line.split("--").next().unwrap_or("").trim_end();
        if cur.is_empty() && code.trim().is_empty() {
            continue;
        }
        if !cur.is_empty() || !code.trim().is_empty() {
            cur.push_str(line);
            cur.push('\n');
        }
        let in_trigger = cur.trim_start().starts_with("CREATE TRIGGER");
        let ends = if in_trigger { code.ends_with("END;") } else { code.ends_with(';') };
        if ends {
            out.push(cur.trim_end().trim_end_matches(';').to_string());
            cur.clear();
        }
    }
    out
}

/// The statement that creates `name` (a table, index, trigger or view).
fn create(schema: &str, name: &str) -> String {
    statements(schema)
        .into_iter()
        .find(|s| {
            let words: Vec<&str> = s.split_whitespace().take(4).collect();
            matches!(words.as_slice(), ["CREATE", "TABLE" | "INDEX" | "TRIGGER" | "VIEW", n, ..] if *n == name)
                || matches!(words.as_slice(), ["CREATE", "UNIQUE", "INDEX", n] if *n == name)
        })
        .unwrap_or_else(|| panic!("schema.sql creates {name}"))
}

/// The indexes and triggers `schema.sql` puts on `table`.
fn dependents(schema: &str, table: &str) -> Vec<String> {
    statements(schema)
        .into_iter()
        .filter(|s| {
            let head: Vec<&str> = s.split_whitespace().collect();
            let on = head.iter().position(|w| *w == "ON").and_then(|i| head.get(i + 1));
            let is_dependent = s.starts_with("CREATE INDEX")
                || s.starts_with("CREATE UNIQUE INDEX")
                || s.starts_with("CREATE TRIGGER");
            is_dependent && on.is_some_and(|t| t.split('(').next() == Some(table))
        })
        .collect()
}

/// Rebuild `table` with its newest statement, its rows copied by `copy` (an `INSERT INTO table
/// (…) SELECT … FROM old` where `old` names the table as it was).
fn rebuild(conn: &Conn, schema: &str, table: &str, copy: &str) -> Result<()> {
    let old = format!("{table}_old");
    conn.batch(&format!("ALTER TABLE {table} RENAME TO {old};"))?;
    conn.batch(&format!("{};", create(schema, table)))?;
    conn.batch(&format!("{};", copy.replace("{old}", &old)))?;
    conn.batch(&format!("DROP TABLE {old};"))?;
    for s in dependents(schema, table) {
        conn.batch(&format!("{s};"))?;
    }
    Ok(())
}

/// Version 2 (docs/DECISIONS.md, "The schema says what the code assumes"): every period column
/// checks its format; a merged school names what it merged into, and only then; an automatic
/// submission has no submitter; returns live in one table (`period_return`), their history filled
/// in from the audit trail, and a returned state row points at the return in force.
fn v2(conn: &Tx) -> Result<()> {
    let schema = super::SCHEMA;
    for view in ["v_unit", "v_school", "v_account", "v_audit"] {
        conn.batch(&format!("DROP VIEW IF EXISTS {view};"))?;
    }
    conn.batch(&format!("{};", create(schema, "period_return")))?;
    // Every return the audit trail recorded, oldest first, with the org it named at the time.
    conn.batch(
        "INSERT INTO period_return(org_id, period, action, returned_at, returned_by, due, reason)
         SELECT coalesce(
                    (SELECT o.id FROM org o WHERE o.path = a.scope_path AND o.created_at <= a.at ORDER BY o.id DESC LIMIT 1),
                    (SELECT o.id FROM org o WHERE o.code = a.target AND o.deleted_at IS NULL),
                    (SELECT max(o.id) FROM org o WHERE o.code = a.target)),
                a.period, a.action, a.at, (SELECT ac.id FROM account ac WHERE ac.username = a.actor),
                json_extract(a.detail, '$.after.due'), coalesce(a.reason, '')
         FROM audit a
         WHERE a.action IN ('report.return', 'withdraw.approve') AND a.period IS NOT NULL
           AND json_extract(a.detail, '$.after.due') IS NOT NULL
           AND EXISTS (SELECT 1 FROM org o WHERE o.code = a.target)
         ORDER BY a.seq;
         -- A returned row the trail did not explain still keeps its return.
         INSERT INTO period_return(org_id, period, action, returned_at, returned_by, due, reason)
         SELECT s.org_id, s.period, 'report.return', coalesce(s.returned_at, s.submitted_at), s.returned_by,
                coalesce(s.return_due, s.returned_at), coalesce(s.return_reason, '')
         FROM submission s WHERE s.state = 'returned'
           AND NOT EXISTS (SELECT 1 FROM period_return r WHERE r.org_id = s.org_id AND r.period = s.period);
         INSERT INTO period_return(org_id, period, action, returned_at, returned_by, due, reason)
         SELECT p.org_id, p.period, 'report.return', p.returned_at, NULL, coalesce(p.return_due, p.returned_at),
                coalesce(p.return_reason, '')
         FROM org_period p WHERE p.state = 'returned'
           AND NOT EXISTS (SELECT 1 FROM period_return r WHERE r.org_id = p.org_id AND r.period = p.period);",
    )?;
    for s in dependents(schema, "period_return") {
        conn.batch(&format!("{s};"))?;
    }
    let current = "CASE WHEN t.state = 'returned' THEN
                       (SELECT max(r.id) FROM period_return r WHERE r.org_id = t.org_id AND r.period = t.period) END";
    rebuild(
        conn,
        schema,
        "org_period",
        &format!(
            "INSERT INTO org_period(org_id, period, state, filled_at, confirmed_at, confirmed_by, return_id)
             SELECT t.org_id, t.period, t.state, t.filled_at, t.confirmed_at, t.confirmed_by, {current} FROM {{old}} t"
        ),
    )?;
    rebuild(
        conn,
        schema,
        "submission",
        &format!(
            "INSERT INTO submission(org_id, period, state, submitted_at, submitted_by, incomplete_schools, return_id,
                                    ratified_at, ratified_by)
             SELECT t.org_id, t.period, t.state, t.submitted_at, t.submitted_by, t.incomplete_schools, {current},
                    t.ratified_at, t.ratified_by FROM {{old}} t"
        ),
    )?;
    // The rest keep their columns and gain their checks.
    for table in ["school", "request", "value", "snapshot", "report_text", "audit"] {
        rebuild(conn, schema, table, &format!("INSERT INTO {table} SELECT * FROM {{old}}"))?;
    }
    for view in ["v_unit", "v_school", "v_account", "v_audit"] {
        conn.batch(&format!("{};", create(schema, view)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_splits_into_whole_statements() {
        let all = statements(super::super::SCHEMA);
        assert!(all.iter().all(|s| s.starts_with("CREATE ")), "{:?}", all.iter().find(|s| !s.starts_with("CREATE ")));
        let trigger = create(super::super::SCHEMA, "audit_no_replace");
        assert!(trigger.starts_with("CREATE TRIGGER audit_no_replace") && trigger.ends_with("END"), "{trigger}");
        let on_audit = dependents(super::super::SCHEMA, "audit");
        assert_eq!(on_audit.len(), 7, "four indexes and three triggers: {on_audit:#?}");
        assert!(create(super::super::SCHEMA, "account_active_mobile").starts_with("CREATE UNIQUE INDEX"));
    }

    /// A file as version 1 left it: a unit returned by its parent (its columns and its event), a
    /// unit returned and since resubmitted, a school returned, and rows of every rebuilt table.
    fn version_1() -> Conn {
        let c = Conn::sqlite(rusqlite::Connection::open_in_memory().unwrap());
        c.batch(include_str!("schema-v1.sql")).unwrap();
        c.batch(
            "PRAGMA user_version = 1;
             INSERT INTO org(id, code, name, level, parent_id, path, created_at) VALUES
               (1, '000000', '教育部', 'ministry', NULL, '/000000/', '2026-01-01T00:00:00Z'),
               (2, '130000', '河北省', 'province', 1, '/000000/130000/', '2026-01-01T00:00:00Z'),
               (3, '130102', '长安区', 'county', 2, '/000000/130000/130102/', '2026-01-01T00:00:00Z'),
               (4, '130104', '桥西区', 'county', 2, '/000000/130000/130104/', '2026-01-01T00:00:00Z'),
               (5, '2113010001', '一小', 'school', 3, '/000000/130000/130102/2113010001/', '2026-01-01T00:00:00Z'),
               (6, '2113010002', '二小', 'school', 3, '/000000/130000/130102/2113010002/', '2026-01-01T00:00:00Z');
             INSERT INTO school(org_id, kind, status, merged_into, status_changed_at) VALUES
               (5, 'school', 'normal', NULL, NULL), (6, 'school', 'merged', 5, '2026-10-02T00:00:00Z');
             INSERT INTO account(id, username, org_id, role, status, name, mobile, created_at) VALUES
               (1, '130000-R01', 2, 'reviewer', 'active', '省审', '13900000001', '2026-01-01T00:00:00Z'),
               (2, '130102-R01', 3, 'reviewer', 'active', '县审', '13900000002', '2026-01-01T00:00:00Z');
             INSERT INTO request(id, kind, org_id, period, filed_by, filed_at) VALUES
               (1, 'withdraw', 4, '2026-10', 2, '2026-11-03T00:00:00Z');
             INSERT INTO indicator(code, name_zh, name_en, kind, filled_by, position, created_at) VALUES
               ('classrooms', '普通教室数', 'Classrooms', 'count', 'school', 1, '2026-01-01T00:00:00Z'),
               ('funding', '本级教育信息化经费投入', 'Education informatization spending at this level', 'decimal', 'unit', 2, '2026-01-01T00:00:00Z'),
               ('policy_documents', '政策文件', 'Policy documents', 'count', 'unit', 3, '2026-01-01T00:00:00Z');
             INSERT INTO value(org_id, period, indicator, value, set_at) VALUES (5, '2026-10', 'classrooms', '30', '2026-10-20T00:00:00Z');
             INSERT INTO submission(org_id, period, state, submitted_at, submitted_by, returned_at, returned_by, return_due, return_reason) VALUES
               (3, '2026-10', 'returned', '2026-11-04T00:00:00Z', 2, '2026-11-06T02:00:00Z', 1, '2026-11-08T15:59:59Z', '数据有误'),
               (4, '2026-10', 'submitted', '2026-11-07T00:00:00Z', 2, '2026-11-06T03:00:00Z', 1, '2026-11-08T15:59:59Z', '撤报');
             INSERT INTO org_period(org_id, period, state, confirmed_at, returned_at, return_due, return_reason) VALUES
               (5, '2026-10', 'returned', '2026-10-20T00:00:00Z', '2026-11-02T00:00:00Z', '2026-11-04T15:59:59Z', '请核对');
             INSERT INTO snapshot(org_id, period, taken_at, figures, children) VALUES (4, '2026-10', '2026-11-07T00:00:00Z', '{}', '[]');
             INSERT INTO report_text(org_id, period, body, filed_by, filed_at) VALUES (2, '2026-10', '月报', 1, '2026-10-30T00:00:00Z');
             INSERT INTO audit(seq, at, actor, actor_unit, action, target, scope_path, period, detail, reason, prev_hash, hash) VALUES
               (1, '2026-11-02T00:00:00Z', '130102-R01', '130102', 'report.return', '2113010001', '/000000/130000/130102/2113010001/', '2026-10',
                '{\"after\":{\"state\":\"returned\",\"due\":\"2026-11-04T15:59:59Z\"}}', '请核对', 'x', 'y'),
               (2, '2026-11-06T02:00:00Z', '130000-R01', '130000', 'report.return', '130102', '/000000/130000/130102/', '2026-10',
                '{\"after\":{\"state\":\"returned\",\"due\":\"2026-11-08T15:59:59Z\"}}', '数据有误', 'y', 'z'),
               (3, '2026-11-06T03:00:00Z', '130000-R01', '130000', 'withdraw.approve', '130104', '/000000/130000/130104/', '2026-10',
                '{\"after\":{\"state\":\"returned\",\"due\":\"2026-11-08T15:59:59Z\"}}', '撤报', 'z', 'w');",
        )
        .unwrap();
        c
    }

    fn schema_of(c: &Conn) -> Vec<(String, String, String)> {
        c.all("SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name", params![], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap()
    }

    fn count(c: &Conn, sql: &str) -> i64 {
        c.one(sql, params![], |r| r.get(0)).unwrap()
    }

    fn upgrade(c: &Conn) -> Result<()> {
        super::super::migrate(c, 1, MIGRATIONS, chrono::Utc::now())
    }

    #[test]
    fn a_version_1_file_upgrades_to_exactly_the_newest_schema_with_its_returns_in_one_place() {
        let c = version_1();
        upgrade(&c).unwrap();
        let fresh = Conn::in_memory();
        let (upgraded, wanted) = (schema_of(&c), schema_of(&fresh));
        for (u, w) in upgraded.iter().zip(&wanted) {
            assert_eq!(u, w, "the upgraded file's schema objects, one by one");
        }
        assert_eq!(upgraded.len(), wanted.len(), "the upgraded file's tables, indexes, triggers and views");
        let version = count(&c, "PRAGMA user_version");
        assert_eq!(version, super::super::SCHEMA_VERSION);
        // Every return the trail recorded, each with the org it named, in order.
        let returns: Vec<(i64, String, String, Option<i64>, String, String)> = c
            .all(
                "SELECT org_id, period, action, returned_by, due, reason FROM period_return ORDER BY id",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .unwrap();
        assert_eq!(
            returns,
            vec![
                (5, "2026-10".into(), "report.return".into(), Some(2), "2026-11-04T15:59:59Z".into(), "请核对".into()),
                (
                    3,
                    "2026-10".into(),
                    "report.return".into(),
                    Some(1),
                    "2026-11-08T15:59:59Z".into(),
                    "数据有误".into()
                ),
                (4, "2026-10".into(), "withdraw.approve".into(), Some(1), "2026-11-08T15:59:59Z".into(), "撤报".into()),
            ]
        );
        // The returned rows point at their return; the resubmitted one at none.
        let links: Vec<(String, i64, Option<i64>)> = c
            .all(
                "SELECT 'submission', org_id, return_id FROM submission
                 UNION ALL SELECT 'org_period', org_id, return_id FROM org_period ORDER BY 1, 2",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(
            links,
            vec![("org_period".into(), 5, Some(1)), ("submission".into(), 3, Some(2)), ("submission".into(), 4, None)]
        );
        let rows = count(
            &c,
            "SELECT (SELECT count(*) FROM value) + (SELECT count(*) FROM snapshot)
                  + (SELECT count(*) FROM report_text) + (SELECT count(*) FROM request) + (SELECT count(*) FROM school)",
        );
        assert_eq!(rows, 1 + 1 + 1 + 1 + 2, "every row of the rebuilt tables is kept");
        assert_eq!(count(&c, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
        assert_eq!(count(&c, "PRAGMA foreign_keys"), 1, "foreign keys are on again after the upgrade");
        // Version 3: the flows named as the catalogue has them (a name the Ministry changed stays),
        // the seeded rules, each change an event of the system's after the chain's head.
        let measures: Vec<(String, String, String)> = c
            .all("SELECT code, measure, name_zh FROM indicator ORDER BY position", params![], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(
            measures,
            vec![
                ("classrooms".into(), "stock".into(), "普通教室数".into()),
                ("funding".into(), "flow".into(), "本月本级教育信息化经费投入".into()),
                ("policy_documents".into(), "flow".into(), "政策文件".into()),
            ]
        );
        let rules: Vec<String> = c.all("SELECT code FROM rule ORDER BY position", params![], |r| r.get(0)).unwrap();
        let seeded: Vec<String> = super::super::rules::seeded().unwrap().into_iter().map(|r| r.code).collect();
        assert_eq!((rules.len(), &rules), (10, &seeded));
        let events: Vec<(i64, String, String)> = c
            .all("SELECT seq, action, actor FROM audit WHERE seq > 3 ORDER BY seq", params![], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        let actions: Vec<&str> = events.iter().map(|e| e.1.as_str()).collect();
        assert_eq!(&actions[..3], ["indicator.measure", "indicator.rename", "indicator.measure"]);
        assert_eq!(actions.iter().filter(|a| **a == "rule.add").count(), 10);
        assert!(events.iter().enumerate().all(|(i, e)| e.0 == 4 + i as i64 && e.2 == "system"), "{events:?}");
        // An account may await its holder's name, until it is activated.
        assert!(c
            .exec("INSERT INTO account(username, org_id, role, status, mobile, created_at) VALUES ('130104-A01', 4, 'admin', 'pending', '13900000009', 'x')", params![])
            .is_ok());
        assert!(c.exec("UPDATE account SET activated_at = 'x' WHERE username = '130104-A01'", params![]).is_err());
        // The checks hold from now on.
        assert!(c.exec("UPDATE submission SET state = 'returned' WHERE org_id = 4", params![]).is_err());
        assert!(c.exec("INSERT INTO value(org_id, period, indicator, value, set_at) VALUES (5, '2026-13', 'classrooms', '1', 'x')", params![]).is_err());
        assert!(c.exec("UPDATE school SET merged_into = NULL WHERE org_id = 6", params![]).is_err());
        assert!(c.exec("UPDATE submission SET state = 'auto_submitted' WHERE org_id = 4", params![]).is_err());
    }

    #[test]
    fn a_file_holding_a_row_the_new_checks_refuse_is_left_as_it_was() {
        let c = version_1();
        c.exec("UPDATE value SET period = '2026-1' WHERE org_id = 5", params![]).unwrap();
        let before = schema_of(&c);
        let err = upgrade(&c).unwrap_err();
        assert!(format!("{err:#}").contains("CHECK constraint failed"), "{err:#}");
        assert_eq!(schema_of(&c), before, "nothing of the upgrade stays");
        let version = count(&c, "PRAGMA user_version");
        assert_eq!(version, 1);
        assert_eq!(count(&c, "PRAGMA foreign_keys"), 1);
    }
}
