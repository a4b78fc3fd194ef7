-- Least privilege for eip on PostgreSQL: two group roles, {writer} (what eip needs to work) and
-- {reader} (the v_ views, for support staff). eip puts the quoted role names in place of the
-- placeholders and runs this as the owner of the tables, after schema.pg.sql; running it again
-- (after an upgrade that adds a table) gives the same rights again. People and hosts sign in with
-- their own login roles, which the operator makes members: GRANT {writer} TO host_login.
-- Like schema.pg.sql it works in the schema public. Revoking CREATE on public from PUBLIC needs
-- the owner of the schema (PostgreSQL 15: the database owner; 13 and 14: the superuser, unless
-- the schema was given to the database owner); PostgreSQL 15 has it revoked already.

-- The two roles, unless they exist (to_regrole reads the name as the quoted identifier it is).
DO $eip$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE oid = to_regrole($name${writer}$name$)) THEN
        CREATE ROLE {writer} NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE oid = to_regrole($name${reader}$name$)) THEN
        CREATE ROLE {reader} NOLOGIN;
    END IF;
END
$eip$;

-- Nobody else creates objects beside eip's, or reads its tables.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC;
-- Start from nothing, so that these grants are all the two roles have.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {writer}, {reader};
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {writer}, {reader};
GRANT USAGE ON SCHEMA public TO {writer}, {reader};

-- The writer: every table eip keeps, but never TRUNCATE (nor TRIGGER, REFERENCES).
GRANT SELECT, INSERT, UPDATE, DELETE ON
    setting, org, school, request, request_step, account, session, api_token, indicator, rule,
    flag, value, urge, school_owner, period_return, org_period, submission, snapshot, report_text
    TO {writer};
-- The audit trail is appended to and read, never changed: no UPDATE, DELETE or TRUNCATE, so the
-- triggers are not the only guard (and only the owner may disable or drop them).
GRANT SELECT, INSERT ON audit TO {writer};
-- The schema's version is the owner's to write (upgrades run as the owner).
GRANT SELECT ON schema_version TO {writer};
-- SELECT ... FOR UPDATE needs UPDATE; its one row is never inserted or deleted.
GRANT SELECT, UPDATE ON write_lock TO {writer};
-- The ids the database assigns (moving a sequence past an explicit id is done by the owner's
-- trigger function, so the writer needs no UPDATE on them).
GRANT USAGE ON SEQUENCE
    org_id_seq, request_id_seq, account_id_seq, api_token_id_seq, urge_id_seq,
    period_return_id_seq, snapshot_id_seq, report_text_id_seq
    TO {writer};

-- The reader: the views only (they read the tables with their owner's rights).
GRANT SELECT ON v_unit, v_school, v_account, v_audit TO {reader};
