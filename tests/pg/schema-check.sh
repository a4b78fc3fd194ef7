#!/usr/bin/env bash
# Checks the PostgreSQL schema (schema.pg.sql) and its roles (src/store/pg-roles.sql) against the
# SQLite schema (schema.sql), on a real server:
#
#   tests/pg/schema-check.sh 'host=/tmp/pgsock port=5432 dbname=eip_check user=postgres'
#
# The database must exist and be empty; its user must be able to create roles (superuser, or
# CREATEROLE and the database's owner). Best run on a database whose default collation is not C
# (createdb -T template0 --locale-provider=icu --icu-locale=en-US-u-ka-shifted ...), where byte
# order is not what the database would give by itself. Needs psql and sqlite3.
# The files checked can be changed (to see a check fail on an altered copy):
#   SCHEMA_PG=... ROLES_PG=... SCHEMA_SQLITE=... tests/pg/schema-check.sh '...'
# It creates four roles (names ending in the process id) and drops them at the end.
# Exit status: 0 when every check passed, 1 when one failed, 2 when it could not run.

set -u
if [ $# -ne 1 ]; then
    echo "usage: $0 'postgresql connection string of an empty database'" >&2
    exit 2
fi
DB=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SCHEMA_PG=${SCHEMA_PG:-$ROOT/schema.pg.sql}
ROLES_PG=${ROLES_PG:-$ROOT/src/store/pg-roles.sql}
SCHEMA_SQLITE=${SCHEMA_SQLITE:-$ROOT/schema.sql}
for tool in psql sqlite3; do
    command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 2; }
done

TMP=$(mktemp -d)
LITE=$TMP/eip.db
# The roles: mixed case, so that they only work quoted (as eip puts them in).
W="Eip_Check_Writer_$$"
R="Eip_Check_Reader_$$"
HOST="eip_check_host_$$"
SUPPORT="eip_check_support_$$"
FAILS=0

ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; FAILS=$((FAILS + 1)); }
# psql: statements from stdin or -c, stop at the first error, terse errors, unaligned output.
pg() { psql -X -q -At -F '|' -v ON_ERROR_STOP=1 -v VERBOSITY=terse "$DB" "$@"; }
lite() { sqlite3 -batch -bail -noheader -separator '|' -nullvalue '' "$LITE" "$@"; }

cleanup() {
    pg >/dev/null 2>&1 <<SQL
DO \$\$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['$W', '$R', '$HOST', '$SUPPORT'] LOOP
        IF to_regrole(quote_ident(r)) IS NOT NULL THEN
            EXECUTE format('DROP OWNED BY %I', r);
            EXECUTE format('DROP ROLE %I', r);
        END IF;
    END LOOP;
END
\$\$;
SQL
    rm -rf "$TMP"
}
trap cleanup EXIT

# Whether running `sql` (in a transaction rolled back at the end) is refused with exactly `want`
# as the error message (~regex: matching it whole); `role` (optional) runs it as that role.
refused() {
    local name=$1 want=$2 sql=$3 role=${4:-}
    local pre="" out
    [ -n "$role" ] && pre="SET ROLE \"$role\";"
    if out=$(pg 2>&1 <<<"BEGIN; $pre $sql; ROLLBACK;"); then
        bad "$name: accepted"
        return
    fi
    local how=-F
    # A message starting with ~ is an extended regular expression (wordings vary between versions).
    [ "${want:0:1}" = "~" ] && { how=-E; want=${want:1}; }
    if grep -q $how -x -- "ERROR:  $want" <<<"$(sed 's/^psql:[^:]*:[0-9]*: //' <<<"$out")"; then
        ok "$name"
    else
        bad "$name: refused with $(head -1 <<<"$out"), not '$want'"
    fi
}
# Whether running `sql` (in a transaction rolled back at the end) as `role` succeeds.
accepted() {
    local name=$1 sql=$2 role=${3:-}
    local pre="" out
    [ -n "$role" ] && pre="SET ROLE \"$role\";"
    if out=$(pg 2>&1 <<<"BEGIN; $pre $sql; ROLLBACK;"); then ok "$name"; else bad "$name: $(head -1 <<<"$out")"; fi
}
# Whether two outputs are equal; a diff when not.
same() {
    local name=$1 want=$2 got=$3
    if [ "$want" = "$got" ]; then
        ok "$name"
    else
        bad "$name"
        diff <(echo "$want") <(echo "$got") | sed 's/^/     /' | head -20
    fi
}

if [ -n "$(pg -c "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' LIMIT 1" 2>&1)" ]; then
    echo "the database is not empty (or cannot be reached): $DB" >&2
    exit 2
fi
echo "database: $(pg -c "SELECT version()" | cut -d' ' -f1,2); default collation: $(pg -c "SELECT CASE datlocprovider WHEN 'i' THEN 'icu ' || daticulocale ELSE datcollate END FROM pg_database WHERE datname = current_database()" 2>/dev/null || pg -c "SELECT datcollate FROM pg_database WHERE datname = current_database()")"
if [ "$(pg -c "SELECT 'Z' < 'a'")" = t ]; then
    echo "note: this database's default collation is byte order already; the collation checks prove less"
fi

echo "-- the schema loads"
# As one multi-statement string (one simple query, as a driver's batch sends it), in a scratch
# schema rolled back; then for real, in one transaction.
if out=$(psql -X -q -v ON_ERROR_STOP=1 "$DB" -c "BEGIN; CREATE SCHEMA eip_scratch; SET LOCAL search_path = eip_scratch; $(cat "$SCHEMA_PG"); ROLLBACK;" 2>&1); then
    ok "schema.pg.sql runs as one string"
else
    bad "schema.pg.sql runs as one string: $out"
fi
if out=$(pg -1 -f "$SCHEMA_PG" 2>&1); then
    ok "schema.pg.sql loads in one transaction"
else
    bad "schema.pg.sql loads in one transaction: $out"
    echo "cannot go on without the schema" >&2
    exit 1
fi
if ! lite <"$SCHEMA_SQLITE"; then
    echo "schema.sql does not load into sqlite3" >&2
    exit 2
fi

echo "-- the same tables, columns, indexes and triggers as schema.sql"
# Each column: table|column|type|not null|primary key position|default. SQLite's INTEGER is
# BIGINT, REAL is DOUBLE PRECISION, TEXT is text COLLATE "C"; a primary key column is not null
# in both (SQLite's pragma says 0 for a rowid key).
want=$(lite "SELECT m.name, c.name,
        CASE c.type WHEN 'INTEGER' THEN 'bigint' WHEN 'REAL' THEN 'double precision' WHEN 'TEXT' THEN 'text C' ELSE c.type END,
        CASE WHEN c.\"notnull\" OR c.pk THEN 1 ELSE 0 END, c.pk, coalesce(c.dflt_value, '')
    FROM sqlite_master m, pragma_table_info(m.name) c
    WHERE m.type = 'table' ORDER BY m.name, c.cid")
got=$(pg -c "SELECT c.table_name, c.column_name,
        CASE WHEN c.data_type = 'text' THEN 'text ' || coalesce(c.collation_name, 'default') ELSE c.data_type END,
        CASE c.is_nullable WHEN 'NO' THEN 1 ELSE 0 END,
        coalesce((SELECT k.ordinal_position FROM information_schema.table_constraints t
                  JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name)
                  WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = c.table_schema
                    AND t.table_name = c.table_name AND k.column_name = c.column_name), 0),
        coalesce(replace(c.column_default, '::text', ''), '')
    FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
    WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
      AND c.table_name NOT IN ('schema_version', 'write_lock')
    ORDER BY c.table_name COLLATE \"C\", c.ordinal_position")
same "tables and columns (name, order, type, not null, key, default)" "$want" "$got"
want=$(lite "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'view' ORDER BY m.name, c.cid")
got=$(pg -c "SELECT table_name, column_name FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
    WHERE c.table_schema = 'public' AND t.table_type = 'VIEW' ORDER BY table_name COLLATE \"C\", ordinal_position")
same "views and their columns" "$want" "$got"
# The ids SQLite assigns: identity columns in PostgreSQL (explicit ids accepted).
want=$(lite "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c
    WHERE m.type = 'table' AND c.pk = 1 AND c.type = 'INTEGER' AND m.sql NOT LIKE '%WITHOUT ROWID%'
      AND (SELECT count(*) FROM pragma_table_info(m.name) WHERE pk > 0) = 1
      AND m.name NOT IN ('school', 'audit') ORDER BY 1")
got=$(pg -c "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND is_identity = 'YES'
    AND identity_generation = 'BY DEFAULT' AND column_name = 'id' ORDER BY table_name COLLATE \"C\"")
same "identity ids (by default) where SQLite assigns them" "$want" "$got"
# Each index: name|table|unique|partial|columns (SQLite's automatic ones are the keys' and
# UNIQUEs', as PostgreSQL's *_pkey and *_key are).
want=$(lite "SELECT i.name, m.name, i.\"unique\", i.partial, (SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_index_info(i.name) ORDER BY seqno))
    FROM sqlite_master m, pragma_index_list(m.name) i WHERE m.type = 'table' AND i.origin = 'c' ORDER BY i.name")
got=$(pg -c "SELECT ic.relname, tc.relname, CASE WHEN x.indisunique THEN 1 ELSE 0 END, CASE WHEN x.indpred IS NULL THEN 0 ELSE 1 END,
        (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum)
    FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid JOIN pg_class tc ON tc.oid = x.indrelid JOIN pg_namespace n ON n.oid = tc.relnamespace
    WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
    ORDER BY ic.relname COLLATE \"C\"")
same "indexes (name, table, unique, partial, columns)" "$want" "$got"
# Keys and UNIQUE columns: SQLite's automatic indexes against PostgreSQL's constraints.
want=$(lite "SELECT m.name, i.origin, (SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_index_info(i.name) ORDER BY seqno))
    FROM sqlite_master m, pragma_index_list(m.name) i WHERE m.type = 'table' AND i.origin IN ('pk', 'u')
    UNION ALL
    SELECT m.name, 'pk', c.name FROM sqlite_master m, pragma_table_info(m.name) c
    WHERE m.type = 'table' AND c.pk = 1 AND c.type = 'INTEGER' AND m.sql NOT LIKE '%WITHOUT ROWID%'
      AND (SELECT count(*) FROM pragma_table_info(m.name) WHERE pk > 0) = 1
    ORDER BY 1, 2, 3")
got=$(pg -c "SELECT t.relname, CASE c.contype WHEN 'p' THEN 'pk' ELSE 'u' END,
        (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum)
    FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE n.nspname = 'public' AND c.contype IN ('p', 'u') AND t.relname NOT IN ('schema_version', 'write_lock')
    ORDER BY t.relname COLLATE \"C\", c.contype, 3")
same "primary keys and UNIQUE columns" "$want" "$got"
# Foreign keys: table|columns|referenced table|columns. Deferrable in PostgreSQL (checked at
# once unless a copy defers them); keys and UNIQUEs are not (ON CONFLICT needs them immediate).
want=$(lite "SELECT m.name, f.\"from\", f.\"table\", f.\"to\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f
    WHERE m.type = 'table' ORDER BY 1, 2")
got=$(pg -c "SELECT t.relname, a.attname, r.relname, b.attname FROM pg_constraint c
    JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid JOIN pg_namespace n ON n.oid = t.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    JOIN pg_attribute b ON b.attrelid = c.confrelid AND b.attnum = c.confkey[1]
    WHERE n.nspname = 'public' AND c.contype = 'f' ORDER BY t.relname COLLATE \"C\", a.attname COLLATE \"C\"")
same "foreign keys" "$want" "$got"
same "foreign keys deferrable, initially immediate; keys and UNIQUEs not deferrable" "" \
    "$(pg -c "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'
        AND ((c.contype = 'f' AND NOT (c.condeferrable AND NOT c.condeferred)) OR (c.contype IN ('p', 'u') AND c.condeferrable))")"
# The CHECKs: as many on each table (their text differs: GLOB became a regular expression).
want=$(lite "SELECT name, (length(sql) - length(replace(sql, 'CHECK', ''))) / 5 FROM sqlite_master WHERE type = 'table' ORDER BY 1")
got=$(pg -c "SELECT t.relname, count(c.oid) FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
    LEFT JOIN pg_constraint c ON c.conrelid = t.oid AND c.contype = 'c'
    WHERE n.nspname = 'public' AND t.relkind = 'r' AND t.relname NOT IN ('schema_version', 'write_lock')
    GROUP BY t.relname ORDER BY t.relname COLLATE \"C\"")
same "CHECKs per table" "$want" "$got"
# Each refusing trigger: name|table|event|message, taken from the SQLite text. SQLite's
# *_no_replace triggers have no PostgreSQL twin (no INSERT OR REPLACE there); PostgreSQL adds
# *_no_truncate beside every *_no_delete.
want=$(lite "SELECT name, tbl_name,
        CASE WHEN sql LIKE '%BEFORE UPDATE%' THEN 'UPDATE' WHEN sql LIKE '%BEFORE DELETE%' THEN 'DELETE' ELSE 'INSERT' END,
        substr(sql, instr(sql, 'RAISE(ABORT, ''') + 14, instr(sql, '''); END') - instr(sql, 'RAISE(ABORT, ''') - 14)
    FROM sqlite_master WHERE type = 'trigger' AND name NOT LIKE '%\\_no\\_replace' ESCAPE '\\'
    UNION ALL
    SELECT replace(name, '_no_delete', '_no_truncate'), tbl_name, 'TRUNCATE',
        substr(sql, instr(sql, 'RAISE(ABORT, ''') + 14, instr(sql, '''); END') - instr(sql, 'RAISE(ABORT, ''') - 14)
    FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%BEFORE DELETE%'
    ORDER BY 1")
got=$(pg -c "SELECT g.tgname, t.relname,
        CASE WHEN g.tgtype & 16 <> 0 THEN 'UPDATE' WHEN g.tgtype & 8 <> 0 THEN 'DELETE' WHEN g.tgtype & 32 <> 0 THEN 'TRUNCATE' ELSE 'INSERT' END,
        convert_from(substr(g.tgargs, 1, length(g.tgargs) - 1), 'UTF8')
    FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid JOIN pg_proc p ON p.oid = g.tgfoid
    WHERE NOT g.tgisinternal AND p.proname = 'eip_refuse'
      AND g.tgtype & 2 <> 0 AND g.tgenabled = 'O'
      AND (g.tgtype & 1 <> 0) = (g.tgtype & 32 = 0)
    ORDER BY g.tgname COLLATE \"C\"")
same "refusing triggers (name, table, event, message), BEFORE, per row (per statement for TRUNCATE)" "$want" "$got"
TRIGGERS=$want

echo "-- sample rows"
# The same rows in both engines (the SQL both read); the checks below compare what each gives.
SAMPLE=$(cat <<'SQL'
INSERT INTO org(id, code, name, level, parent_id, path, created_at, deleted_at) VALUES
 (1, '000000', '教育部', 'ministry', NULL, '/000000/', '2026-12-03T06:02:00Z', NULL),
 (2, '130000', 'Hebei', 'province', 1, '/000000/130000/', '2026-12-03T20:02:00Z', NULL),
 (3, '130100', 'abc', 'prefecture', 2, '/000000/130000/130100/', '2026-12-31T16:00:00Z', NULL),
 (4, '130102', 'Zed', 'county', 3, '/000000/130000/130100/130102/', '2026-01-01T00:00:00Z', NULL),
 (5, '1301020001', 'école', 'school', 4, '/000000/130000/130100/130102/1301020001/', '2026-02-28T15:59:59Z', '2026-03-01T00:00:00Z'),
 (6, '1301020001', 'a school', 'school', 4, '/000000/130000/130100/130102/1301020001/', '2026-03-02T00:00:00Z', NULL),
 (7, '1300000001', 'Zebra', 'school', 2, '/000000/130000/1300000001/', '2026-03-02T00:00:00Z', NULL),
 (8, '130001', '_under', 'prefecture', 2, '/000000/130000/130001/', '2026-03-02T00:00:00Z', NULL),
 (9, '140000', 'f', 'province', 1, '/000000/140000/', '2026-03-02T00:00:00Z', NULL),
 (10, '1300000002', 'x', 'school', 1, '/000000/1300000002/', '2026-03-02T00:00:00Z', NULL);
INSERT INTO school(org_id, kind, category, location, address, students, teachers, classes, status, status_changed_at, merged_into, info_filled_at) VALUES
 (5, 'school', '小学', '城区', NULL, 120, 10, 6, 'merged', '2026-03-01T00:00:00Z', 6, '2026-02-01T01:02:03Z'),
 (6, 'teaching_point', NULL, '乡村', 'somewhere', 0, 1, 1, 'normal', NULL, NULL, NULL),
 (7, 'school', NULL, NULL, NULL, NULL, NULL, NULL, 'normal', NULL, NULL, '2026-12-03T06:02:00Z'),
 (10, 'school', NULL, '镇区', NULL, 1, 1, 1, 'suspended', NULL, NULL, NULL);
INSERT INTO account(id, username, org_id, role, status, name, mobile, office_phone, email, department, title, password_hash,
                    activation_hash, activation_expires_at, failed_logins, locked_until, issued_by, request_id, created_at,
                    activated_at, disabled_at, disabled_reason) VALUES
 (1, 'root', 1, 'admin', 'active', '王', '13800000000', NULL, 'a@b.c', NULL, NULL, 'h', NULL, NULL, 0, NULL, NULL, NULL, '2026-12-03T06:02:00Z', '2026-12-03T06:02:00Z', NULL, NULL),
 (2, 'Zoe', 2, 'reviewer', 'active', 'Zoe', '13800000001', NULL, NULL, 'dept', 'title', NULL, NULL, NULL, 3, '2026-12-03T23:59:59Z', 1, NULL, '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z', NULL, NULL),
 (3, 'adam', 2, 'reviewer', 'disabled', NULL, '13800000001', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, 1, NULL, '2026-11-30T16:00:00Z', NULL, '2026-12-02T00:00:00Z', 'left');
INSERT INTO request(id, kind, status, org_id, period, awaiting_org_id, payload, reason, filed_by, filed_at, decided_by, decided_at, decision_reason) VALUES
 (1, 'school_transfer', 'pending', 5, NULL, 2, '{}', NULL, 2, '2026-12-03T06:02:00Z', NULL, NULL, NULL),
 (2, 'withdraw', 'approved', 2, '2026-11', 1, '{}', 'oops', 2, '2026-12-03T06:02:00Z', 1, '2026-12-03T07:00:00Z', 'ok');
INSERT INTO request_step(request_id, seq, org_id, decision, decided_by, decided_at, reason) VALUES (1, 1, 4, 'approved', 1, '2026-12-03T06:02:00Z', NULL);
INSERT INTO setting(key, value) VALUES ('created_at', '2026-12-03T06:02:00Z');
INSERT INTO session(token_hash, account_id, created_at, expires_at) VALUES ('t1', 1, '2026-12-03T06:02:00Z', '2026-12-04T06:02:00Z');
INSERT INTO api_token(id, account_id, name, token_hash, created_at, expires_at, revoked_at) VALUES (1, 1, 'cron', 'h1', '2026-12-03T06:02:00Z', '2027-12-03T06:02:00Z', NULL);
INSERT INTO indicator(code, name_zh, name_en, kind, unit, filled_by, position, created_at, retired_at, measure) VALUES
 ('pcs', '计算机', 'Computers', 'count', '台', 'school', 1, '2026-01-01T00:00:00Z', NULL, 'stock');
INSERT INTO rule(code, applies_to, expression, severity, message_zh, message_en, position, created_at, retired_at) VALUES
 ('r1', 'school', 'pcs >= 0', 'warning', '负', 'negative', 1, '2026-01-01T00:00:00Z', NULL);
INSERT INTO flag(org_id, period, rule, detail, raised_at) VALUES (6, '2026-11', 'r1', '{}', '2026-12-03T06:02:00Z');
INSERT INTO value(org_id, period, indicator, value, carried, set_by, set_at) VALUES (6, '2026-11', 'pcs', '12', 0, 1, '2026-12-03T06:02:00Z');
INSERT INTO urge(id, org_id, period, urged_by, urged_at) VALUES (1, 4, '2026-11', 1, '2026-12-03T06:02:00Z');
INSERT INTO school_owner(org_id, until_period, unit_id, moved_at) VALUES (6, '2026-12', 4, '2026-12-03T06:02:00Z');
INSERT INTO period_return(id, org_id, period, action, returned_at, returned_by, due, reason) VALUES
 (1, 2, '2026-11', 'report.return', '2026-12-03T06:02:00Z', 1, '2026-12-10', 'fix it');
INSERT INTO org_period(org_id, period, state, filled_at, confirmed_at, confirmed_by, return_id) VALUES
 (6, '2026-11', 'returned', '2026-12-01T00:00:00Z', NULL, NULL, 1);
INSERT INTO submission(org_id, period, state, submitted_at, submitted_by, incomplete_schools, own_state, flags, return_id, ratified_at, ratified_by) VALUES
 (2, '2026-11', 'returned', '2026-12-02T00:00:00Z', 2, 0, 'confirmed', 1, 1, NULL, NULL),
 (4, '2026-11', 'auto_submitted', '2026-12-02T00:00:00Z', NULL, 1, 'open', 0, NULL, NULL, NULL);
INSERT INTO snapshot(id, org_id, period, taken_at, figures, children) VALUES (1, 2, '2026-11', '2026-12-02T00:00:00Z', '{}', '[]');
INSERT INTO report_text(id, org_id, period, body, filed_by, filed_at, late) VALUES (1, 2, '2026-11', 'text', 2, '2026-12-03T06:02:00Z', 0);
INSERT INTO audit(seq, at, actor, actor_unit, action, target, scope_path, period, detail, reason, prev_hash, hash) VALUES
 (1, '2026-12-03T06:02:00Z', 'system', NULL, 'db.init', NULL, '/000000/', NULL, '{}', NULL, '0', 'h1'),
 (2, '2026-12-03T20:02:00Z', 'root', '000000', 'unit.add', '130000', '/000000/130000/', '2026-11', '{"a":1}', 'because', 'h1', 'h2'),
 (3, '2026-12-31T16:00:00Z', 'Zoe', '130000', 'unit.add', '130100', '/000000/130000/130100/', NULL, '{}', NULL, 'h2', 'h3');
SQL
)
if out=$(lite "PRAGMA foreign_keys = ON; $SAMPLE" 2>&1); then ok "sample rows insert (SQLite)"; else bad "sample rows insert (SQLite): $out"; fi
if out=$(pg -1 <<<"$SAMPLE" 2>&1); then ok "sample rows insert (PostgreSQL)"; else bad "sample rows insert (PostgreSQL): $out"; fi

echo "-- what the constraints accept and refuse, as SQLite does"
# Each statement runs alone in a transaction rolled back; both engines must give the same verdict:
# accepted, or refused by the same kind of constraint (check, unique, foreign key, not null) or
# by a trigger with the same message. SQLite's *_no_replace triggers refuse an INSERT of a used
# key before its index does; PostgreSQL's key refuses it (unique).
verdict_lite() {
    local out
    if out=$(lite "PRAGMA foreign_keys = ON; BEGIN; $1; ROLLBACK;" 2>&1); then echo accepted; return; fi
    case $out in
        *"CHECK constraint failed"*) echo "refused (check)" ;;
        *"UNIQUE constraint failed"*) echo "refused (unique)" ;;
        *"FOREIGN KEY constraint failed"*) echo "refused (foreign key)" ;;
        *"NOT NULL constraint failed"*) echo "refused (not null)" ;;
        *"are never deleted or replaced"*) echo "refused (unique)" ;;
        *"append-only"*) case $1 in INSERT*) echo "refused (unique)" ;; *) echo "refused (append-only)" ;; esac ;;
        *) echo "refused ($(sed -e 's/^Error: [^,]*, //' -e 's/ ([0-9]*)$//' -e 's/^Error: //' <<<"$out" | head -1))" ;;
    esac
}
verdict_pg() {
    local out
    if out=$(pg 2>&1 <<<"BEGIN; $1; ROLLBACK;"); then echo accepted; return; fi
    case $out in
        *"violates check constraint"*) echo "refused (check)" ;;
        *"violates unique constraint"*) echo "refused (unique)" ;;
        *"violates foreign key constraint"*) echo "refused (foreign key)" ;;
        *"violates not-null constraint"*) echo "refused (not null)" ;;
        *"append-only"*) echo "refused (append-only)" ;;
        *) echo "refused ($(sed -E -e 's/^(psql:[^:]*:[0-9]*: )?ERROR:  //' <<<"$out" | head -1))" ;;
    esac
}
# With a summary, one line for all the statements that agree (each disagreement has its own).
verdicts() {
    local summary=${1:-} stmt l p n=0 agreed=0 accepted=0
    while IFS= read -r -d $'\x1e' stmt; do
        stmt=${stmt#$'\n'}
        stmt=${stmt# }
        [ -z "$stmt" ] && continue
        n=$((n + 1))
        l=$(verdict_lite "$stmt")
        p=$(verdict_pg "$stmt")
        if [ "$l" != "$p" ]; then
            bad "SQLite $l, PostgreSQL $p: $stmt"
        elif [ -n "$summary" ]; then
            agreed=$((agreed + 1))
            [ "$l" = accepted ] && accepted=$((accepted + 1))
        else
            ok "$l in both: $stmt"
        fi
    done
    [ -n "$summary" ] && [ $agreed -eq $n ] && ok "$summary: the same verdict in both on all $n statements ($accepted accepted)"
    return 0
}
# Records separated by \x1e (a period may hold a newline).
PERIODS=("2026-01" "2026-12" "2026-00" "2026-13" "2026-1" "2026-123" "202-12" "2026/12" "abcd-ef" " 2026-12"
    "2026-12 " $'2026-12\n' $'\n2026-12' "２０２６-12" "٢٠٢٦-١٢" "2026-1a" "")
# (Not a pipe: the checks must count in this shell.) Every column that holds a period, each
# written with every candidate.
verdicts "periods" < <(
    for p in "${PERIODS[@]}"; do
        for t in "UPDATE request SET period = '%s' WHERE id = 2" \
            "INSERT INTO urge(org_id, period, urged_by, urged_at) VALUES (4, '%s', 1, 't')" \
            "INSERT INTO flag(org_id, period, rule, detail, raised_at) VALUES (7, '%s', 'r1', '{}', 't')" \
            "INSERT INTO value(org_id, period, indicator, value, set_at) VALUES (7, '%s', 'pcs', '1', 't')" \
            "INSERT INTO school_owner(org_id, until_period, unit_id, moved_at) VALUES (7, '%s', 4, 't')" \
            "INSERT INTO period_return(org_id, period, action, returned_at, returned_by, due, reason) VALUES (2, '%s', 'report.return', 't', 1, 'd', 'r')" \
            "INSERT INTO org_period(org_id, period, state) VALUES (7, '%s', 'open')" \
            "INSERT INTO submission(org_id, period, state) VALUES (9, '%s', 'submitted')" \
            "INSERT INTO snapshot(org_id, period, taken_at, figures, children) VALUES (2, '%s', 't', '{}', '[]')" \
            "INSERT INTO report_text(org_id, period, body, filed_by, filed_at) VALUES (2, '%s', 'b', 1, 't')" \
            "INSERT INTO audit(seq, at, actor, action, period, prev_hash, hash) VALUES (9, 't', 'a', 'x', '%s', 'p', 'h')"; do
            # shellcheck disable=SC2059
            printf "$t\x1e" "$p"
        done
    done
)
verdicts < <(
    cat <<'SQL' | tr '\n' ' ' | sed 's/;;/\x1e/g'
UPDATE flag SET period = '2026-13' WHERE org_id = 6;;
UPDATE value SET period = '2026-13' WHERE org_id = 6;;
UPDATE org_period SET period = '2026-13' WHERE org_id = 6;;
UPDATE submission SET period = '2026-13' WHERE org_id = 2;;
UPDATE report_text SET period = '2026-13' WHERE org_id = 2;;
INSERT INTO audit(seq, at, actor, action, prev_hash, hash) VALUES (3, 't', 'a', 'x', 'p', 'h');;
INSERT INTO org(id, code, name, level, parent_id, path, created_at) VALUES (11, '1301020001', 's', 'school', 4, '/p/', 't');;
INSERT INTO org(id, code, name, level, parent_id, path, created_at, deleted_at) VALUES (11, '1301020009', 's', 'school', 4, '/p/', 't', 't');;
INSERT INTO org(id, code, name, level, parent_id, path, created_at) VALUES (1, '1301020009', 's', 'school', 4, '/p/', 't');;
INSERT INTO org(id, code, name, level, parent_id, path, created_at) VALUES (11, '13010', 'u', 'county', 3, '/p/', 't');;
INSERT INTO org(id, code, name, level, parent_id, path, created_at) VALUES (11, '130109', 's', 'school', 4, '/p/', 't');;
INSERT INTO org(id, code, name, level, parent_id, path, created_at) VALUES (11, '130109', 'u', 'county', NULL, '/p/', 't');;
INSERT INTO org(id, code, name, level, parent_id, path, created_at) VALUES (11, '130109', 'u', 'ministry', 1, '/p/', 't');;
INSERT INTO org(id, code, name, level, parent_id, path, created_at) VALUES (11, '130109', 'u', 'town', 3, '/p/', 't');;
INSERT INTO org(id, code, name, level, parent_id, path, created_at) VALUES (11, '130109', 'u', 'county', 99, '/p/', 't');;
INSERT INTO org(id, code, name, level, parent_id, path, created_at) VALUES (11, '130109', 'u', 'county', 3, '/p/', 't');;
UPDATE org SET deleted_at = 't' WHERE id = 4;;
UPDATE school SET status = 'merged' WHERE org_id = 6;;
UPDATE school SET status = 'merged', merged_into = 7 WHERE org_id = 6;;
UPDATE school SET merged_into = 99, status = 'merged' WHERE org_id = 6;;
UPDATE school SET location = '郊区' WHERE org_id = 6;;
UPDATE school SET students = -1 WHERE org_id = 6;;
UPDATE school SET kind = 'college' WHERE org_id = 6;;
INSERT INTO school(org_id, kind) VALUES (4, 'school');;
INSERT INTO school(org_id, kind) VALUES (99, 'school');;
INSERT INTO account(id, username, org_id, role, status, mobile, created_at) VALUES (4, 'root', 1, 'admin', 'pending', '13800000009', 't');;
INSERT INTO account(id, username, org_id, role, status, mobile, created_at) VALUES (1, 'new', 1, 'admin', 'pending', '13800000009', 't');;
INSERT INTO account(id, username, org_id, role, status, mobile, created_at) VALUES (4, 'new', 1, 'admin', 'pending', '1380000000', 't');;
INSERT INTO account(id, username, org_id, role, status, mobile, created_at) VALUES (4, 'new', 1, 'admin', 'pending', '138000000091', 't');;
INSERT INTO account(id, username, org_id, role, status, mobile, created_at) VALUES (4, 'new', 1, 'admin', 'pending', '1380000000Ω', 't');;
INSERT INTO account(id, username, org_id, role, status, mobile, created_at) VALUES (4, 'new', 1, 'admin', 'active', '13800000000', 't');;
INSERT INTO account(id, username, org_id, role, status, mobile, created_at) VALUES (4, 'new', 1, 'admin', 'disabled', '13800000000', 't');;
INSERT INTO account(id, username, org_id, role, status, mobile, created_at) VALUES (4, 'new', 2, 'reviewer', 'pending', '13800000009', 't');;
INSERT INTO account(id, username, org_id, role, status, name, mobile, created_at) VALUES (4, 'new', 2, 'reviewer', 'active', 'n', '13800000009', 't');;
INSERT INTO account(id, username, org_id, role, status, name, mobile, created_at) VALUES (4, 'new', 2, 'admin', 'active', 'n', '13800000009', 't');;
INSERT INTO account(id, username, org_id, role, status, name, mobile, created_at) VALUES (4, 'new', 1, 'admin', 'active', 'n', '13800000009', 't');;
INSERT INTO account(id, username, org_id, role, status, name, mobile, created_at) VALUES (4, 'new', 2, 'inspector', 'active', 'n', '13800000009', 't');;
INSERT INTO account(id, username, org_id, role, status, mobile, created_at) VALUES (4, 'new', 1, 'root', 'pending', '13800000009', 't');;
INSERT INTO account(id, username, org_id, role, status, mobile, created_at, activated_at) VALUES (4, 'new', 1, 'admin', 'pending', '13800000009', 't', 't');;
INSERT INTO account(id, username, org_id, role, status, mobile, created_at, request_id) VALUES (4, 'new', 1, 'admin', 'pending', '13800000009', 't', 99);;
INSERT INTO api_token(account_id, name, token_hash, created_at, expires_at) VALUES (1, 'cron', 'h2', 't', 't');;
INSERT INTO api_token(account_id, name, token_hash, created_at, expires_at, revoked_at) VALUES (1, 'cron', 'h2', 't', 't', 't');;
INSERT INTO api_token(account_id, name, token_hash, created_at, expires_at) VALUES (1, 'cron2', 'h1', 't', 't');;
INSERT INTO request(kind, org_id, filed_by, filed_at) VALUES ('roster', 2, 99, 't');;
INSERT INTO request(kind, status, org_id, filed_by, filed_at) VALUES ('roster', 'maybe', 2, 1, 't');;
INSERT INTO request_step(request_id, seq, org_id, decision, decided_by, decided_at) VALUES (1, 1, 4, 'approved', 1, 't');;
INSERT INTO request_step(request_id, seq, org_id, decision, decided_by, decided_at) VALUES (1, 2, 4, 'approved', 99, 't');;
INSERT INTO indicator(code, name_zh, name_en, kind, filled_by, position, created_at, measure) VALUES ('x', 'x', 'x', 'count', 'school', 2, 't', 'level');;
INSERT INTO rule(code, applies_to, expression, severity, message_zh, message_en, position, created_at) VALUES ('r2', 'school', 'e', 'fatal', 'm', 'm', 2, 't');;
INSERT INTO flag(org_id, period, rule, detail, raised_at) VALUES (6, '2026-10', 'nope', '{}', 't');;
INSERT INTO value(org_id, period, indicator, value, set_at) VALUES (6, '2026-10', 'nope', '1', 't');;
UPDATE org_period SET return_id = NULL WHERE org_id = 6;;
UPDATE org_period SET state = 'open' WHERE org_id = 6;;
UPDATE submission SET submitted_by = 1 WHERE org_id = 4;;
UPDATE submission SET state = 'submitted' WHERE org_id = 2;;
UPDATE submission SET own_state = 'done' WHERE org_id = 4;;
UPDATE account SET status = 'active' WHERE id = 3;;
UPDATE account SET activated_at = 't' WHERE id = 3;;
INSERT INTO setting(key, value) VALUES ('created_at', 'x');;
SQL
)

echo "-- the refusing triggers fire, with their messages"
# Every trigger that refuses an UPDATE or DELETE, taken from schema.sql, on its sample rows;
# TRUNCATE on the same tables (CASCADE: a referenced table is otherwise refused for its
# references before any trigger runs).
while IFS='|' read -r name table event message; do
    case $event in
        UPDATE) sql="UPDATE $table SET $(pg -c "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '$table' AND ordinal_position = 2") = $(pg -c "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '$table' AND ordinal_position = 2")" ;;
        DELETE) sql="DELETE FROM $table" ;;
        TRUNCATE) sql="TRUNCATE $table CASCADE" ;;
        *) continue ;;
    esac
    [ "$(pg -c "SELECT count(*) > 0 FROM $table")" = t ] || bad "$name: no sample row in $table"
    refused "$name: $sql" "$message" "$sql"
done <<<"$TRIGGERS"
# The rows are still there after all that.
same "sample rows all kept" "3|10|3" "$(pg -c "SELECT (SELECT count(*) FROM audit), (SELECT count(*) FROM org), (SELECT count(*) FROM account)")"

echo "-- ids: explicit ones accepted, default ones above every id in use"
accepted "explicit ids go in, the next default id is above them" \
    "INSERT INTO org(id, code, name, level, parent_id, path, created_at) VALUES (500, '150000', 'p', 'province', 1, '/000000/150000/', 't');
     INSERT INTO org(code, name, level, parent_id, path, created_at) VALUES ('160000', 'q', 'province', 1, '/000000/160000/', 't');
     DO \$\$ BEGIN IF (SELECT id FROM org WHERE code = '160000') <> 501 THEN RAISE EXCEPTION 'next id %', (SELECT id FROM org WHERE code = '160000'); END IF; END \$\$"
for t in org request account api_token urge period_return snapshot report_text; do
    same "$t: the next default id is above the sample's" t \
        "$(pg -c "BEGIN; SELECT nextval(pg_get_serial_sequence('$t', 'id')) > (SELECT max(id) FROM $t); ROLLBACK;")"
done

echo "-- text compares as bytes, as in SQLite"
ORDER_ROWS="INSERT INTO setting(key, value) VALUES ('a', ''), ('Z', ''), ('/000000/', ''), ('/000000/130000/', ''), ('/0000001/', ''),
    ('_x', ''), ('-x', ''), ('é', ''), ('f', ''), ('城区', ''), ('乡村', ''), ('A', ''), ('aa', ''), ('a b', ''), ('ab', ''), ('a-c', ''), ('1', ''), ('10', ''), ('9', '')"
want=$(lite "BEGIN; $ORDER_ROWS; SELECT key FROM setting ORDER BY key; ROLLBACK;")
got=$(pg <<<"BEGIN; $ORDER_ROWS; SELECT key FROM setting ORDER BY key; ROLLBACK;")
same "ORDER BY a text column" "$want" "$got"
same "'Z' sorts before 'a'" "Z|a" \
    "$(pg <<<"BEGIN; INSERT INTO setting VALUES ('a', ''), ('Z', ''); SELECT string_agg(key, '|' ORDER BY key) FROM setting WHERE key IN ('a', 'Z'); ROLLBACK;")"
same "'Z' sorts before 'a' (names)" "Zebra|Zed|_under|a school|abc" \
    "$(pg -c "SELECT string_agg(name, '|' ORDER BY name) FROM org WHERE name IN ('Zed', 'abc', 'a school', 'Zebra', '_under')")"
for lo in /000000/ /000000/130000/ /000000/130000/130100/; do
    hi="${lo%/}0"
    q="SELECT code FROM org WHERE path >= '$lo' AND path < '$hi' ORDER BY path, id"
    same "subtree range $lo .. $hi" "$(lite "$q")" "$(pg -c "$q")"
    q="SELECT seq FROM audit WHERE scope_path >= '$lo' AND scope_path < '$hi' ORDER BY seq"
    same "audit scope range $lo .. $hi" "$(lite "$q")" "$(pg -c "$q")"
done
q="SELECT code, path FROM org ORDER BY path, code, id"
same "ORDER BY path" "$(lite "$q")" "$(pg -c "$q")"
q="SELECT username FROM account ORDER BY username"
same "ORDER BY username" "$(lite "$q")" "$(pg -c "$q")"

echo "-- the views give what SQLite's give"
same "created_cst of '2026-12-03T06:02:00Z'" "2026-12-03 14:02:00" "$(pg -c "SELECT created_cst FROM v_unit WHERE code = '000000'")"
for v in v_unit v_school v_account v_audit; do
    q="SELECT * FROM $v ORDER BY 1, 2"
    same "$v" "$(lite "$q")" "$(pg -c "$q")"
    # Whatever the session's time zone and date style.
    same "$v, another time zone and date style" "$(lite "$q")" "$(pg <<<"SET TimeZone = 'America/New_York'; SET DateStyle = 'SQL, DMY'; $q")"
done

echo "-- the roles"
ROLES=$(sed -e "s/{writer}/\"$W\"/g" -e "s/{reader}/\"$R\"/g" "$ROLES_PG")
if out=$(pg -1 <<<"$ROLES" 2>&1); then ok "pg-roles.sql runs"; else bad "pg-roles.sql runs: $out"; fi
if out=$(pg -1 <<<"$ROLES" 2>&1); then ok "pg-roles.sql runs again (roles exist)"; else bad "pg-roles.sql runs again: $out"; fi
same "the two roles exist, NOLOGIN" "$R|f
$W|f" "$(pg -c "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname IN ('$W', '$R') ORDER BY rolname COLLATE \"C\"")"
# Login roles as the operator makes them; the checks run as them (SET ROLE: privileges are
# checked against the current role, as in a session signed in as it).
if out=$(pg 2>&1 <<SQL
CREATE ROLE "$HOST" LOGIN;
CREATE ROLE "$SUPPORT" LOGIN;
GRANT "$W" TO "$HOST";
GRANT "$R" TO "$SUPPORT";
GRANT "$HOST", "$SUPPORT" TO CURRENT_USER;
SQL
); then ok "login roles made members"; else bad "login roles made members: $out"; fi

NEW_EVENT="INSERT INTO audit(seq, at, actor, actor_unit, action, target, scope_path, period, detail, reason, prev_hash, hash)
    VALUES (4, '2026-12-04T00:00:00Z', 'root', '000000', 'x', NULL, '/000000/', NULL, '{}', NULL, 'h3', 'h4')"
accepted "writer: appends to the audit trail" "$NEW_EVENT" "$HOST"
accepted "writer: reads the audit trail" "SELECT count(*) FROM audit" "$HOST"
refused "writer: UPDATE audit" "permission denied for table audit" "UPDATE audit SET reason = 'x'" "$HOST"
refused "writer: DELETE audit" "permission denied for table audit" "DELETE FROM audit" "$HOST"
refused "writer: TRUNCATE audit" "permission denied for table audit" "TRUNCATE audit" "$HOST"
refused "writer: UPDATE through v_audit" "permission denied for view v_audit" "UPDATE v_audit SET reason = 'x'" "$HOST"
refused "writer: DELETE through v_audit" "permission denied for view v_audit" "DELETE FROM v_audit" "$HOST"
refused "writer: ALTER TABLE audit DISABLE TRIGGER" "must be owner of table audit" "ALTER TABLE audit DISABLE TRIGGER audit_no_update" "$HOST"
refused "writer: DROP TRIGGER" "~must be owner of (table|relation) audit" "DROP TRIGGER audit_no_delete ON audit" "$HOST"
refused "writer: DROP TABLE audit" "must be owner of table audit" "DROP TABLE audit" "$HOST"
refused "writer: triggers off for the session" "permission denied to set parameter \"session_replication_role\"" "SET session_replication_role = replica" "$HOST"
refused "writer: CREATE TABLE in public" "~permission denied for schema public( at character [0-9]+)?" "CREATE TABLE public.x (a int)" "$HOST"
refused "writer: CREATE FUNCTION in public" "~permission denied for schema public( at character [0-9]+)?" "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'" "$HOST"
accepted "writer: takes the write lock (its one row)" \
    "DO \$\$ BEGIN PERFORM id FROM write_lock WHERE id = 1 FOR UPDATE; IF NOT FOUND THEN RAISE EXCEPTION 'no row in write_lock'; END IF; END \$\$" "$HOST"
refused "writer: DELETE the write lock's row" "permission denied for table write_lock" "DELETE FROM write_lock" "$HOST"
refused "writer: INSERT into write_lock" "permission denied for table write_lock" "INSERT INTO write_lock VALUES (1)" "$HOST"
accepted "writer: reads schema_version" "SELECT version FROM schema_version" "$HOST"
refused "writer: INSERT into schema_version" "permission denied for table schema_version" "INSERT INTO schema_version VALUES (9)" "$HOST"
refused "writer: UPDATE schema_version" "permission denied for table schema_version" "UPDATE schema_version SET version = 9" "$HOST"
accepted "writer: a new org, a default id" "INSERT INTO org(code, name, level, parent_id, path, created_at) VALUES ('170000', 'r', 'province', 1, '/000000/170000/', 't')" "$HOST"
accepted "writer: new orgs with explicit ids (the sequence follows)" \
    "INSERT INTO org(id, code, name, level, parent_id, path, created_at) VALUES (900, '180000', 'r', 'province', 1, '/000000/180000/', 't');
     INSERT INTO org(code, name, level, parent_id, path, created_at) VALUES ('190000', 's', 'province', 1, '/000000/190000/', 't') RETURNING id" "$HOST"
same "writer: USAGE on every identity sequence, no UPDATE" "" \
    "$(pg -c "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'S'
        AND NOT (has_sequence_privilege('$HOST', oid, 'USAGE') AND NOT has_sequence_privilege('$HOST', oid, 'UPDATE'))")"
refused "writer: moves a sequence itself" "permission denied for sequence org_id_seq" "SELECT setval('org_id_seq', 1)" "$HOST"
refused "writer: DELETE an org (the trigger still guards)" "orgs are never deleted; schools are soft-deleted (deleted_at)" "DELETE FROM org WHERE id = 10" "$HOST"
refused "writer: TRUNCATE session" "permission denied for table session" "TRUNCATE session" "$HOST"
accepted "writer: UPDATE and DELETE where eip does" \
    "UPDATE account SET failed_logins = 1 WHERE id = 2; DELETE FROM session; DELETE FROM flag; UPDATE org SET name = 'n' WHERE id = 4;
     INSERT INTO setting(key, value) VALUES ('created_at', 'x') ON CONFLICT(key) DO UPDATE SET value = excluded.value" "$HOST"
# Every table of schema.sql but audit: SELECT, INSERT, UPDATE, DELETE, and nothing more.
want=$(lite "SELECT name || '|t|t|t|t|f|f|f' FROM sqlite_master WHERE type = 'table' AND name <> 'audit' ORDER BY name")
got=$(pg -c "SELECT relname, has_table_privilege('$HOST', oid, 'SELECT'), has_table_privilege('$HOST', oid, 'INSERT'),
        has_table_privilege('$HOST', oid, 'UPDATE'), has_table_privilege('$HOST', oid, 'DELETE'), has_table_privilege('$HOST', oid, 'TRUNCATE'),
        has_table_privilege('$HOST', oid, 'TRIGGER'), has_table_privilege('$HOST', oid, 'REFERENCES')
    FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname NOT IN ('audit', 'schema_version', 'write_lock')
    ORDER BY relname COLLATE \"C\"")
same "writer: exactly SELECT, INSERT, UPDATE, DELETE on every other table" "$want" "$got"

# A copy loads the tables in any order, its references checked at the end.
COPY_ROWS="SET CONSTRAINTS ALL DEFERRED;
    INSERT INTO request(id, kind, org_id, filed_by, filed_at) VALUES (50, 'roster', 2, 50, 't');
    INSERT INTO account(id, username, org_id, role, status, mobile, issued_by, request_id, created_at)
        VALUES (50, 'copied', 51, 'admin', 'pending', '13800000050', 50, 50, 't');
    INSERT INTO org(id, code, name, level, parent_id, path, created_at) VALUES (51, '1301029999', 's', 'school', 52, '/p/', 't')"
accepted "writer: request, account and org rows before the rows they name" \
    "$COPY_ROWS; INSERT INTO org(id, code, name, level, parent_id, path, created_at) VALUES (52, '130199', 'c', 'county', 3, '/p/', 't');
     SET CONSTRAINTS ALL IMMEDIATE" "$HOST"
refused "writer: ... and a row naming none is still refused" \
    "~insert or update on table \"org\" violates foreign key constraint \"org_parent_id_fkey\"" \
    "$COPY_ROWS; SET CONSTRAINTS ALL IMMEDIATE" "$HOST"
refused "without SET CONSTRAINTS a reference is checked at once, as in SQLite" \
    "~insert or update on table \"request\" violates foreign key constraint \"request_filed_by_fkey\"" \
    "INSERT INTO request(id, kind, org_id, filed_by, filed_at) VALUES (50, 'roster', 2, 50, 't')"

accepted "reader: reads v_audit" "SELECT at_cst FROM v_audit" "$SUPPORT"
accepted "reader: reads v_unit, v_school, v_account" "SELECT count(*) FROM v_unit; SELECT count(*) FROM v_school; SELECT count(*) FROM v_account" "$SUPPORT"
refused "reader: the audit table" "permission denied for table audit" "SELECT * FROM audit" "$SUPPORT"
refused "reader: the account table" "permission denied for table account" "SELECT * FROM account" "$SUPPORT"
refused "reader: INSERT into audit" "permission denied for table audit" "$NEW_EVENT" "$SUPPORT"
refused "reader: UPDATE through v_audit" "permission denied for view v_audit" "UPDATE v_audit SET reason = 'x'" "$SUPPORT"
refused "reader: the write lock" "permission denied for table write_lock" "SELECT id FROM write_lock FOR UPDATE" "$SUPPORT"
same "reader: no right on any table, nor on a sequence" "" \
    "$(pg -c "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S')
        AND (has_table_privilege('$SUPPORT', oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
             OR (relkind = 'S' AND has_sequence_privilege('$SUPPORT', oid, 'USAGE, SELECT, UPDATE')))")"
same "reader: SELECT on the four views, nothing more" "v_account|t|f
v_audit|t|f
v_school|t|f
v_unit|t|f" \
    "$(pg -c "SELECT relname, has_table_privilege('$SUPPORT', oid, 'SELECT'), has_table_privilege('$SUPPORT', oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
        FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'v' ORDER BY relname COLLATE \"C\"")"
same "PUBLIC: no right on any table or sequence" "" \
    "$(pg -c "SELECT c.relname FROM pg_class c, aclexplode(c.relacl) a WHERE c.relnamespace = 'public'::regnamespace AND a.grantee = 0")"
same "PUBLIC: may not create in public" "f" "$(pg -c "SELECT has_schema_privilege('public', 'public', 'CREATE')")"

echo
if [ $FAILS -eq 0 ]; then
    echo "all checks passed"
    exit 0
fi
echo "$FAILS checks failed"
exit 1
