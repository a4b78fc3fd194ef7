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

use rusqlite::Connection;

use crate::error::Result;

/// One upgrade step.
pub enum Step {
    /// Statements run as they stand.
    Sql(&'static str),
    /// Work that needs more than statements (statements taken from `schema.sql`, checks).
    Run(fn(&Connection) -> Result<()>),
}

pub const MIGRATIONS: &[Step] = &[Step::Run(v2)];

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
fn rebuild(conn: &Connection, schema: &str, table: &str, copy: &str) -> Result<()> {
    let old = format!("{table}_old");
    conn.execute_batch(&format!("ALTER TABLE {table} RENAME TO {old};"))?;
    conn.execute_batch(&format!("{};", create(schema, table)))?;
    conn.execute_batch(&format!("{};", copy.replace("{old}", &old)))?;
    conn.execute_batch(&format!("DROP TABLE {old};"))?;
    for s in dependents(schema, table) {
        conn.execute_batch(&format!("{s};"))?;
    }
    Ok(())
}

/// Version 2 (docs/DECISIONS.md, "The schema says what the code assumes"): every period column
/// checks its format; a merged school names what it merged into, and only then; an automatic
/// submission has no submitter; returns live in one table (`period_return`), their history filled
/// in from the audit trail, and a returned state row points at the return in force.
fn v2(conn: &Connection) -> Result<()> {
    let schema = super::SCHEMA;
    for view in ["v_unit", "v_school", "v_account", "v_audit"] {
        conn.execute_batch(&format!("DROP VIEW IF EXISTS {view};"))?;
    }
    conn.execute_batch(&format!("{};", create(schema, "period_return")))?;
    // Every return the audit trail recorded, oldest first, with the org it named at the time.
    conn.execute_batch(
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
        conn.execute_batch(&format!("{s};"))?;
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
        conn.execute_batch(&format!("{};", create(schema, view)))?;
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
    fn version_1() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(include_str!("schema-v1.sql")).unwrap();
        c.execute_batch(
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
               ('classrooms', '普通教室数', 'Classrooms', 'count', 'school', 1, '2026-01-01T00:00:00Z');
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

    fn schema_of(c: &Connection) -> Vec<(String, String, String)> {
        let mut stmt =
            c.prepare("SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
    }

    #[test]
    fn a_version_1_file_upgrades_to_exactly_the_newest_schema_with_its_returns_in_one_place() {
        let mut c = version_1();
        super::super::migrate(&mut c, 1, MIGRATIONS).unwrap();
        let fresh = Connection::open_in_memory().unwrap();
        fresh.execute_batch(super::super::SCHEMA).unwrap();
        let (upgraded, wanted) = (schema_of(&c), schema_of(&fresh));
        for (u, w) in upgraded.iter().zip(&wanted) {
            assert_eq!(u, w, "the upgraded file's schema objects, one by one");
        }
        assert_eq!(upgraded.len(), wanted.len(), "the upgraded file's tables, indexes, triggers and views");
        let version: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, super::super::SCHEMA_VERSION);
        // Every return the trail recorded, each with the org it named, in order.
        let returns: Vec<(i64, String, String, Option<i64>, String, String)> = c
            .prepare("SELECT org_id, period, action, returned_by, due, reason FROM period_return ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
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
            .prepare(
                "SELECT 'submission', org_id, return_id FROM submission
                 UNION ALL SELECT 'org_period', org_id, return_id FROM org_period ORDER BY 1, 2",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            links,
            vec![("org_period".into(), 5, Some(1)), ("submission".into(), 3, Some(2)), ("submission".into(), 4, None)]
        );
        let rows: i64 = c
            .query_row(
                "SELECT (SELECT count(*) FROM value) + (SELECT count(*) FROM audit) + (SELECT count(*) FROM snapshot)
                      + (SELECT count(*) FROM report_text) + (SELECT count(*) FROM request) + (SELECT count(*) FROM school)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(rows, 1 + 3 + 1 + 1 + 1 + 2, "every row of the rebuilt tables is kept");
        let fk: i64 = c.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
        assert_eq!(fk, 0);
        let on: i64 = c.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert_eq!(on, 1, "foreign keys are on again after the upgrade");
        // The checks hold from now on.
        assert!(c.execute("UPDATE submission SET state = 'returned' WHERE org_id = 4", []).is_err());
        assert!(c.execute("INSERT INTO value(org_id, period, indicator, value, set_at) VALUES (5, '2026-13', 'classrooms', '1', 'x')", []).is_err());
        assert!(c.execute("UPDATE school SET merged_into = NULL WHERE org_id = 6", []).is_err());
        assert!(c.execute("UPDATE submission SET state = 'auto_submitted' WHERE org_id = 4", []).is_err());
    }

    #[test]
    fn a_file_holding_a_row_the_new_checks_refuse_is_left_as_it_was() {
        let mut c = version_1();
        c.execute("UPDATE value SET period = '2026-1' WHERE org_id = 5", []).unwrap();
        let before = schema_of(&c);
        let err = super::super::migrate(&mut c, 1, MIGRATIONS).unwrap_err();
        assert!(format!("{err:#}").contains("CHECK constraint failed"), "{err:#}");
        assert_eq!(schema_of(&c), before, "nothing of the upgrade stays");
        let version: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, 1);
        let on: i64 = c.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert_eq!(on, 1);
    }
}
