-- eip database schema. Embedded in the binary; PRAGMA user_version holds its version
-- and src/db.rs upgrades older files through numbered migrations.
-- Times are RFC 3339 in UTC with second precision ('2026-12-03T06:02:00Z'), so they sort as text.
-- Periods are 'YYYY-MM'.

-- Database-wide settings: test_clock, created_at, argon2 cost.
CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Admin units and schools: one tree. `path` lists the codes from the Ministry down to
-- the org itself ('/000000/130000/130100/130102/'), so a subtree is one range over its index.
CREATE TABLE org (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    level      TEXT NOT NULL CHECK (level IN ('ministry', 'province', 'prefecture', 'county', 'school')),
    parent_id  INTEGER REFERENCES org(id),
    path       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    deleted_at TEXT,             -- soft delete of a school (Art. 11): history stays
    CHECK ((level = 'ministry') = (parent_id IS NULL)),
    CHECK (level = 'school' OR length(code) = 6),
    CHECK (level <> 'school' OR length(code) = 10)
);
-- Codes are unique among live orgs (so are paths, which end in the code); a deleted school keeps
-- its row (history) and its code may be used again. The path index makes every subtree one range
-- scan, whatever else the query filters on.
CREATE UNIQUE INDEX org_code ON org(code) WHERE deleted_at IS NULL;
CREATE INDEX org_path ON org(path);
-- The admin units of a level (or of a subtree) without scanning half a million schools.
CREATE INDEX org_level ON org(level, path);
CREATE INDEX org_parent ON org(parent_id);

-- A school's own fields; one row per org of level 'school'.
CREATE TABLE school (
    org_id            INTEGER PRIMARY KEY REFERENCES org(id),
    kind              TEXT NOT NULL CHECK (kind IN ('school', 'teaching_point')),
    category          TEXT,
    location          TEXT CHECK (location IN ('城区', '镇区', '乡村')),
    address           TEXT,
    students          INTEGER CHECK (students >= 0),
    teachers          INTEGER CHECK (teachers >= 0),
    classes           INTEGER CHECK (classes >= 0),
    status            TEXT NOT NULL DEFAULT 'normal'
                      CHECK (status IN ('normal', 'suspended', 'merged', 'revoked')),
    status_changed_at TEXT,      -- when it was merged or revoked: expected until that month ends
    merged_into       INTEGER REFERENCES org(id),
    info_filled_at    TEXT
);

-- Requests awaiting a decision: roster, school_delete, school_transfer, withdraw.
CREATE TABLE request (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('roster', 'school_delete', 'school_transfer', 'withdraw')),
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    org_id          INTEGER NOT NULL REFERENCES org(id),   -- the unit filing, or the school concerned
    period          TEXT,                                  -- withdraw
    awaiting_org_id INTEGER REFERENCES org(id),            -- whose admin/reviewer decides next
    payload         TEXT NOT NULL DEFAULT '{}',            -- JSON: roster diff, transfer target …
    reason          TEXT,
    filed_by        INTEGER NOT NULL REFERENCES account(id),
    filed_at        TEXT NOT NULL,
    decided_by      INTEGER REFERENCES account(id),
    decided_at      TEXT,
    decision_reason TEXT
);
CREATE INDEX request_awaiting ON request(status, awaiting_org_id);

-- Each approval of a request that climbs level by level (school_transfer, Art. 13).
CREATE TABLE request_step (
    request_id INTEGER NOT NULL REFERENCES request(id),
    seq        INTEGER NOT NULL,
    org_id     INTEGER NOT NULL REFERENCES org(id),
    decision   TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
    decided_by INTEGER NOT NULL REFERENCES account(id),
    decided_at TEXT NOT NULL,
    reason     TEXT,
    PRIMARY KEY (request_id, seq)
) WITHOUT ROWID;

-- Accounts: real-name, never deleted, usernames never reused.
CREATE TABLE account (
    id                    INTEGER PRIMARY KEY,
    username              TEXT NOT NULL UNIQUE,
    org_id                INTEGER NOT NULL REFERENCES org(id),
    role                  TEXT NOT NULL
                          CHECK (role IN ('admin', 'reviewer', 'inspector', 'school_admin', 'support')),
    status                TEXT NOT NULL CHECK (status IN ('pending', 'active', 'disabled')),
    name                  TEXT NOT NULL,
    mobile                TEXT NOT NULL CHECK (length(mobile) = 11),
    office_phone          TEXT,
    email                 TEXT,
    department            TEXT,
    title                 TEXT,
    password_hash         TEXT,    -- argon2id PHC string: the cost travels with the hash
    activation_hash       TEXT,    -- SHA-256 of the one-time activation code
    activation_expires_at TEXT,
    failed_logins         INTEGER NOT NULL DEFAULT 0,
    locked_until          TEXT,
    issued_by             INTEGER REFERENCES account(id),
    request_id            INTEGER REFERENCES request(id),
    created_at            TEXT NOT NULL,
    activated_at          TEXT,
    disabled_at           TEXT,
    disabled_reason       TEXT
);
CREATE INDEX account_org ON account(org_id, role);
-- One person, one account (Art. 10): no two active accounts share a mobile.
CREATE UNIQUE INDEX account_active_mobile ON account(mobile) WHERE status = 'active';
-- At most one active reviewer and one active inspector per unit.
CREATE UNIQUE INDEX account_one_per_unit ON account(org_id, role)
    WHERE status = 'active' AND role IN ('reviewer', 'inspector');

-- Interactive sign-in sessions; the token itself lives only in the user's session file.
CREATE TABLE session (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) WITHOUT ROWID;

-- Named API tokens for scripts (EIP_TOKEN), stored as SHA-256.
CREATE TABLE api_token (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account(id),
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE UNIQUE INDEX api_token_name ON api_token(account_id, name) WHERE revoked_at IS NULL;

-- The indicator catalogue; retired indicators stay readable.
CREATE TABLE indicator (
    code       TEXT PRIMARY KEY,
    name_zh    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('count', 'decimal', 'bool', 'text')),
    unit       TEXT NOT NULL DEFAULT '',
    filled_by  TEXT NOT NULL CHECK (filled_by IN ('school', 'teaching_point', 'unit')),
    position   INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT
) WITHOUT ROWID;

-- Monthly values per (org, period, indicator). A blank is a missing row, never zero.
CREATE TABLE value (
    org_id    INTEGER NOT NULL REFERENCES org(id),
    period    TEXT NOT NULL,
    indicator TEXT NOT NULL REFERENCES indicator(code),
    value     TEXT NOT NULL,
    carried   INTEGER NOT NULL DEFAULT 0,   -- 1: carried forward by a no-change confirmation
    set_by    INTEGER REFERENCES account(id),
    set_at    TEXT NOT NULL,
    PRIMARY KEY (org_id, period, indicator)
) WITHOUT ROWID;
CREATE INDEX value_period ON value(period, indicator);

-- Data state of one org (unit or school) in one period.
CREATE TABLE org_period (
    org_id        INTEGER NOT NULL REFERENCES org(id),
    period        TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('open', 'filled', 'confirmed', 'returned')),
    filled_at     TEXT,
    confirmed_at  TEXT,
    confirmed_by  INTEGER REFERENCES account(id),
    returned_at   TEXT,
    return_due    TEXT,
    return_reason TEXT,
    PRIMARY KEY (org_id, period)
) WITHOUT ROWID;
CREATE INDEX org_period_period ON org_period(period, state);

-- Submission state of one admin unit in one period. No row: open.
CREATE TABLE submission (
    org_id             INTEGER NOT NULL REFERENCES org(id),
    period             TEXT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('submitted', 'auto_submitted', 'returned')),
    submitted_at       TEXT,
    submitted_by       INTEGER REFERENCES account(id),   -- NULL with auto_submitted: the system
    incomplete_schools INTEGER,
    returned_at        TEXT,
    returned_by        INTEGER REFERENCES account(id),
    return_due         TEXT,
    return_reason      TEXT,
    ratified_at        TEXT,
    ratified_by        INTEGER REFERENCES account(id),
    PRIMARY KEY (org_id, period)
) WITHOUT ROWID;
CREATE INDEX submission_period ON submission(period, state);

-- What a submission froze: the unit's aggregated figures and per-child summary (JSON). Every
-- resubmission adds one; the newest is the period's truth.
CREATE TABLE snapshot (
    id       INTEGER PRIMARY KEY,
    org_id   INTEGER NOT NULL REFERENCES org(id),
    period   TEXT NOT NULL,
    taken_at TEXT NOT NULL,
    figures  TEXT NOT NULL,
    children TEXT NOT NULL
);
CREATE INDEX snapshot_org_period ON snapshot(org_id, period, id);

-- A province's monthly report text (Art. 20); every filing kept.
CREATE TABLE report_text (
    id       INTEGER PRIMARY KEY,
    org_id   INTEGER NOT NULL REFERENCES org(id),
    period   TEXT NOT NULL,
    body     TEXT NOT NULL,
    filed_by INTEGER NOT NULL REFERENCES account(id),
    filed_at TEXT NOT NULL,
    late     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX report_text_org_period ON report_text(org_id, period);

-- The audit trail (Art. 22): append-only, each event hashed with the one before it.
CREATE TABLE audit (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,          -- username, or 'system'
    actor_unit TEXT,                   -- code of the actor's org
    action     TEXT NOT NULL,          -- 'unit.add', 'login.failed', 'submit.auto' …
    target     TEXT,                   -- code, username or id acted on
    scope_path TEXT,                   -- tree path the event belongs to, for scoped queries
    period     TEXT,
    detail     TEXT NOT NULL DEFAULT '{}',  -- JSON: before and after
    reason     TEXT,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_scope ON audit(scope_path);
CREATE INDEX audit_actor ON audit(actor);
CREATE INDEX audit_target ON audit(target);
CREATE INDEX audit_action ON audit(action);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
-- INSERT OR REPLACE deletes without firing delete triggers (unless recursive_triggers is on).
CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
WHEN EXISTS (SELECT 1 FROM audit WHERE seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

-- Reported history is never deleted.
CREATE TRIGGER org_no_delete BEFORE DELETE ON org
BEGIN SELECT RAISE(ABORT, 'orgs are never deleted; schools are soft-deleted (deleted_at)'); END;
CREATE TRIGGER account_no_delete BEFORE DELETE ON account
BEGIN SELECT RAISE(ABORT, 'accounts are never deleted; disable them'); END;
CREATE TRIGGER org_no_replace BEFORE INSERT ON org
WHEN EXISTS (SELECT 1 FROM org WHERE id = NEW.id)
  OR EXISTS (SELECT 1 FROM org WHERE code = NEW.code AND deleted_at IS NULL)
BEGIN SELECT RAISE(ABORT, 'orgs are never deleted or replaced'); END;
CREATE TRIGGER account_no_replace BEFORE INSERT ON account
WHEN EXISTS (SELECT 1 FROM account WHERE id = NEW.id)
  OR EXISTS (SELECT 1 FROM account WHERE username = NEW.username)
BEGIN SELECT RAISE(ABORT, 'accounts are never deleted or replaced'); END;
CREATE TRIGGER submission_no_delete BEFORE DELETE ON submission
BEGIN SELECT RAISE(ABORT, 'submissions are never deleted'); END;
CREATE TRIGGER snapshot_no_change BEFORE UPDATE ON snapshot
BEGIN SELECT RAISE(ABORT, 'snapshots are immutable'); END;
CREATE TRIGGER snapshot_no_delete BEFORE DELETE ON snapshot
BEGIN SELECT RAISE(ABORT, 'snapshots are immutable'); END;

-- Read-only views for support staff in a plain sqlite3 shell (times in CST).
CREATE VIEW v_unit AS
SELECT o.code, o.name, o.level, p.code AS parent, o.path,
       datetime(o.created_at, '+8 hours') AS created_cst
FROM org o LEFT JOIN org p ON p.id = o.parent_id
WHERE o.level <> 'school';

CREATE VIEW v_school AS
SELECT o.code, o.name, s.kind, p.code AS unit, s.status, s.category, s.location,
       s.students, s.teachers, s.classes,
       datetime(s.info_filled_at, '+8 hours') AS info_filled_cst,
       datetime(o.deleted_at, '+8 hours') AS deleted_cst
FROM org o JOIN school s ON s.org_id = o.id JOIN org p ON p.id = o.parent_id;

CREATE VIEW v_account AS
SELECT a.username, o.code AS org, a.role, a.status, a.name, a.mobile, a.email,
       a.department, a.title, a.failed_logins,
       datetime(a.locked_until, '+8 hours') AS locked_until_cst,
       datetime(a.created_at, '+8 hours') AS created_cst,
       datetime(a.disabled_at, '+8 hours') AS disabled_cst
FROM account a JOIN org o ON o.id = a.org_id;

CREATE VIEW v_audit AS
SELECT seq, datetime(at, '+8 hours') AS at_cst, actor, actor_unit, action, target, period,
       detail, reason
FROM audit;
