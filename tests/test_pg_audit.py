"""PostgreSQL findings on projects shaped like real ones: schema-qualified and quoted names in the
fix SQL, the user's own index definition, and the PostgreSQL 11 NOT NULL step."""

from __future__ import annotations

import json

from conftest import run_cli, write_project

_IAM = (
    "CREATE SCHEMA iam;\n"
    'CREATE TABLE "iam"."UserEntity" ("ID" varchar(36) PRIMARY KEY, "RealmId" varchar(36) NOT NULL, '
    '"Email" varchar(255), "LastName" varchar(255));\n'
    "CREATE TABLE iam.realm (id varchar(36) PRIMARY KEY, display_name varchar(255));\n"
)


def _lint(tmp_path, files, *args):
    write_project(tmp_path, files)
    proc = run_cli(["lint", ".", "--dialect", "postgres", "--format", "json", "--no-cache", "--fail-on", "never",
                    *args], tmp_path)
    assert proc.returncode == 0, proc.stderr
    return [(f["rule"], f["path"], f["line"], f["message"], f["fix"]) for f in json.loads(proc.stdout)["findings"]]


def _fix(found, rule):
    [fix] = [f[4] for f in found if f[0] == rule]
    return fix


def test_fixes_name_tables_outside_the_default_schema_with_their_schema(tmp_path):
    found = _lint(tmp_path, {
        "V1__init.sql": _IAM,
        "V2__email.sql": "SET lock_timeout = '2s';\n"
                         'ALTER TABLE "iam"."UserEntity" ALTER COLUMN "Email" SET NOT NULL;\n',
        "V3__rename.sql": "SET lock_timeout = '2s';\nALTER TABLE iam.realm RENAME display_name TO \"displayName\";\n",
        "V4__rename.sql": "SET lock_timeout = '2s';\nALTER TABLE iam.realm RENAME TO realms;\n",
    }, "--db-version", "16")
    # without the schema, the SQL would alter public."UserEntity" (no such table)
    assert 'ALTER TABLE iam."UserEntity" ADD CONSTRAINT "UserEntity_Email_not_null" CHECK ("Email" IS NOT NULL)' \
        in _fix(found, "set-not-null")
    assert 'ALTER TABLE iam.realm ADD COLUMN "displayName" varchar(255);' in _fix(found, "rename-column")
    assert "CREATE VIEW iam.realm AS SELECT * FROM iam.realms;" in _fix(found, "rename-table")
    # prose keeps the plain names
    assert [f[3] for f in found if f[0] == "set-not-null"][0].startswith("Making UserEntity.Email NOT NULL")


def test_fixes_in_the_default_schema_stay_unqualified(tmp_path):
    found = _lint(tmp_path, {
        "V1__init.sql": "CREATE TABLE public.users (id bigint PRIMARY KEY, email text);\n",
        "V2__email.sql": "SET lock_timeout = '2s';\nALTER TABLE public.users ALTER COLUMN email SET NOT NULL;\n",
    }, "--db-version", "16")
    assert "(1) ALTER TABLE users ADD CONSTRAINT users_email_not_null" in _fix(found, "set-not-null")


def test_index_fix_keeps_the_users_expressions_method_and_predicate(tmp_path):
    found = _lint(tmp_path, {
        "V1__init.sql": _IAM,
        "V2__idx.sql": "SET lock_timeout = '2s';\n"
                       'CREATE INDEX "IDX_Email" ON "iam"."UserEntity" USING btree ("RealmId", lower("Email"))\n'
                       '    WHERE "Email" IS NOT NULL;\n',
    }, "--db-version", "16")
    assert _fix(found, "index-without-concurrently") == (
        'CREATE INDEX CONCURRENTLY "IDX_Email" ON "iam"."UserEntity" USING btree ("RealmId", lower("Email"))\n'
        '    WHERE "Email" IS NOT NULL; alone in its own migration, so Flyway runs it outside a transaction.')


def test_detach_fix_and_type_change_fix_are_schema_qualified(tmp_path):
    found = _lint(tmp_path, {
        "V1__init.sql": "CREATE SCHEMA ev;\n"
                        "CREATE TABLE ev.events (id bigint, author_id int, at date) PARTITION BY RANGE (at);\n"
                        "CREATE TABLE ev.events_2024 PARTITION OF ev.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n",
        "V2__detach.sql": "SET lock_timeout = '5s';\nALTER TABLE ev.events DETACH PARTITION ev.events_2024;\n",
        "V3__bigint.sql": "SET lock_timeout = '5s';\nALTER TABLE ev.events ALTER COLUMN author_id TYPE bigint;\n",
    }, "--db-version", "16")
    assert _fix(found, "detach-partition").startswith("ALTER TABLE ev.events DETACH PARTITION ev.events_2024 CONCURRENTLY;")
    assert "(1) ALTER TABLE ev.events ADD COLUMN author_id_new bigint;" in _fix(found, "change-column-type")


def test_contract_fix_on_postgres_does_not_mention_mysql(tmp_path):
    found = _lint(tmp_path, {
        "V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, last_name text NOT NULL);\n",
        "V2__add.sql": "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN surname text;\n",
        "V3__fill.sql": "UPDATE users SET surname = last_name WHERE id BETWEEN 1 AND 1000;\n",
        "V4__drop.sql": "SET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN last_name;\n",
    }, "--db-version", "16")
    fix = _fix(found, "drop-column")
    assert "ALTER TABLE users ALTER COLUMN last_name DROP NOT NULL together with code" in fix
    assert "MySQL" not in fix and "MODIFY" not in fix


_NN = {
    "V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, surname text);\n",
    "V2__check.sql": "SET lock_timeout = '2s';\n"
                     "ALTER TABLE users ADD CONSTRAINT users_surname_nn CHECK (surname IS NOT NULL) NOT VALID;\n",
    "V3__validate.sql": "ALTER TABLE users VALIDATE CONSTRAINT users_surname_nn;\n",
    "V4__not_null.sql": "SET lock_timeout = '2s';\nALTER TABLE users ALTER COLUMN surname SET NOT NULL;\n",
}


def test_set_not_null_after_a_validated_check_on_postgres_11_is_about_the_scan_only(tmp_path):
    found = _lint(tmp_path, _NN, "--db-version", "11")
    [(rule, path, line, message, fix)] = [f for f in found if f[0] == "set-not-null"]
    assert (path, line) == ("V4__not_null.sql", 2)
    # the CHECK already rejects NULL: nothing about the live version's writes, and no advice to do
    # again what the user just did
    assert "breaks writes" not in message and "scans the whole table" in message
    assert "NOT VALID" not in fix and "Keep the validated CHECK" in fix
    assert not [f for f in _lint(tmp_path, _NN, "--db-version", "12") if f[0] == "set-not-null"]


def test_schema_wide_grants_and_role_membership_are_understood(tmp_path):
    from flylint.sql.parser import parse_statement

    for sql in ("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA billing TO billing_app",
                "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA billing TO billing_app",
                "REVOKE GRANT OPTION FOR ALL PRIVILEGES ON ALL FUNCTIONS IN SCHEMA \"Billing\" FROM app",
                "GRANT billing_app TO billing_service",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA billing GRANT SELECT ON TABLES TO billing_app"):
        r = parse_statement(sql, "postgres")
        assert r.unanalysed is None and r.tree is not None, (sql, r.unanalysed)
    # a misspelt privilege is not passed as understood
    r = parse_statement("GRANT SELEC ON ALL TABLES IN SCHEMA billing TO app", "postgres")
    assert r.unanalysed.startswith("syntax error: expected a privilege") and r.error_offset == 6
    found = _lint(tmp_path, {
        "V1__init.sql": "CREATE SCHEMA billing;\nCREATE TABLE billing.invoices (id bigint PRIMARY KEY);\n",
        "R__grants.sql": "GRANT USAGE ON SCHEMA billing TO billing_app;\n"
                         "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA billing TO billing_app;\n",
    }, "--db-version", "16")
    assert found == []


_SYNC = ("CREATE FUNCTION iam.sync_surname() RETURNS trigger LANGUAGE plpgsql AS $$\n"
         "BEGIN\n  NEW.surname := coalesce(NEW.surname, NEW.last_name);\n  RETURN NEW;\nEND\n$$;\n"
         "CREATE TRIGGER users_sync BEFORE INSERT OR UPDATE ON iam.users FOR EACH ROW EXECUTE FUNCTION iam.sync_surname();\n")


def test_dropping_a_trigger_function_after_its_trigger_is_quiet(tmp_path):
    found = _lint(tmp_path, {
        "V1__init.sql": "CREATE SCHEMA iam;\nCREATE TABLE iam.users (id bigint PRIMARY KEY, last_name text, surname text);\n",
        "V2__sync.sql": "SET lock_timeout = '2s';\n" + _SYNC,
        "V3__nosync.sql": "SET lock_timeout = '2s';\nDROP TRIGGER IF EXISTS users_sync ON iam.users;\n"
                          "DROP FUNCTION IF EXISTS iam.sync_surname();\n",
        # a function the application may call is still reported
        "V4__fn.sql": "CREATE FUNCTION iam.full_name(u iam.users) RETURNS text LANGUAGE sql AS $$ SELECT u.surname $$;\n",
        "V5__drop.sql": "DROP FUNCTION iam.full_name(iam.users);\n",
    }, "--db-version", "16")
    assert [(r, p, ln) for r, p, ln, _, _ in found] == [("drop-object", "V5__drop.sql", 1)]


def test_an_index_made_redundant_by_a_later_unique_constraint_is_reported_at_the_constraint(tmp_path):
    found = _lint(tmp_path, {
        "V1__init.sql": "CREATE TABLE projects (id bigint PRIMARY KEY, namespace_id bigint NOT NULL, name text NOT NULL);\n"
                        "CREATE INDEX index_projects_on_namespace_id ON projects (namespace_id);\n",
        "V2__unique.sql": "SET lock_timeout = '5s';\n"
                          "ALTER TABLE projects ADD CONSTRAINT projects_namespace_id_name_key UNIQUE (namespace_id, name);\n",
    }, "--db-version", "16")
    # V1 is applied: removing its CREATE INDEX would change its checksum; the finding belongs to V2
    [(rule, path, line, message, fix)] = [f for f in found if f[0] == "redundant-index"]
    assert (path, line) == ("V2__unique.sql", 2)
    assert message.startswith("The unique constraint projects_namespace_id_name_key on projects (namespace_id, name) "
                              "makes index index_projects_on_namespace_id (namespace_id) redundant")
    assert fix == "DROP INDEX CONCURRENTLY index_projects_on_namespace_id; in a migration of its own, after this one."


def test_contract_step_after_a_sync_trigger_does_not_claim_the_live_version_writes_the_old_column(tmp_path):
    files = {
        "V1__init.sql": "CREATE SCHEMA iam;\n"
                        "CREATE TABLE iam.users (id bigint PRIMARY KEY, last_name text NOT NULL);\n",
        "V2__add.sql": "SET lock_timeout = '2s';\nALTER TABLE iam.users ADD COLUMN surname text;\n" + _SYNC,
        "V3__fill.sql": "UPDATE iam.users SET surname = last_name WHERE surname IS NULL AND id BETWEEN 1 AND 10000;\n",
        "V4__drop.sql": "SET lock_timeout = '2s';\nDROP TRIGGER users_sync ON iam.users;\n"
                        "DROP FUNCTION iam.sync_surname();\nALTER TABLE iam.users DROP COLUMN last_name;\n",
    }
    [(rule, path, line, message, fix)] = _lint(tmp_path, files, "--db-version", "16")
    assert (rule, path, line) == ("drop-column", "V4__drop.sql", 4)
    # the trigger fills last_name for a version that only writes surname: NOT NULL proves nothing
    assert message.startswith("Contract step of the rename users.last_name -> users.surname")
    assert "must still be writing it" not in message
    # without the trigger, NOT NULL does show that the live version still writes last_name
    files["V2__add.sql"] = "SET lock_timeout = '2s';\nALTER TABLE iam.users ADD COLUMN surname text;\n"
    files["V4__drop.sql"] = "SET lock_timeout = '2s';\nALTER TABLE iam.users DROP COLUMN last_name;\n"
    [(rule, path, line, message, fix)] = _lint(tmp_path, files, "--db-version", "16")
    assert "must still be writing it" in message
    assert fix.startswith("First release: ALTER TABLE iam.users ALTER COLUMN last_name DROP NOT NULL together")


def test_dropping_a_table_that_is_already_gone_is_only_missing_object(tmp_path):
    found = _lint(tmp_path, {
        "V1__init.sql": 'CREATE TABLE "Users" ("Id" bigint PRIMARY KEY, "Name" text);\n'
                        "CREATE TABLE audit (id bigint PRIMARY KEY);\n",
        "V2__x.sql": "SET lock_timeout = '2s';\nDROP TABLE audit;\nDROP TABLE audit;\n",
    }, "--db-version", "16")
    # the second DROP fails: saying it also breaks the live version contradicts that
    assert [(r, p, ln) for r, p, ln, _, _ in found] == [("drop-table", "V2__x.sql", 2), ("missing-object", "V2__x.sql", 3)]


# -- three unseen, realistic PostgreSQL projects: every finding, exactly, on 16 and on 11 -------------

import pytest  # noqa: E402

from conftest import FIXTURES  # noqa: E402

_UNSEEN = [(p, v) for p in ("unseen-pg-saas-billing", "unseen-pg-identity", "unseen-pg-events") for v in ("16", "11")]


@pytest.mark.parametrize("folder,version", _UNSEEN, ids=[f"{p}-pg{v}" for p, v in _UNSEEN])
def test_unseen_postgres_projects(folder, version):
    root = FIXTURES / folder
    proc = run_cli(["lint", ".", "--dialect", "postgres", "--db-version", version, "--format", "json", "--no-cache",
                    "--fail-on", "never"], cwd=root)
    assert proc.returncode == 0, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    want = json.loads((root / ("expected.json" if version == "16" else "expected-pg11.json")).read_text())
    assert sorted([f["rule"], f["path"], f["line"], f["column"]] for f in findings) == sorted(want)
    for f in findings:
        # located on the user's statement, and words a user can paste
        line = (root / f["path"]).read_text().splitlines()[f["line"] - 1]
        assert line[f["column"] - 1:].strip(), f
        for text in (f["message"], f["fix"] or ""):
            assert "(expression)" not in text and "None" not in text and "MySQL" not in text, f


def test_lock_timeout_set_with_set_config_counts(tmp_path):
    found = _lint(tmp_path, {
        "V1__init.sql": "CREATE TABLE t (id bigint PRIMARY KEY);\n",
        "V2__a.sql": "SELECT pg_catalog.set_config('lock_timeout', '5s', false);\nALTER TABLE t ADD COLUMN a int;\n",
        "V3__b.sql": "SELECT set_config('lock_timeout', '0', false);\nALTER TABLE t ADD COLUMN b int;\n",
        # reading from a table: not a plain setting (it may run once per row, or never)
        "V4__c.sql": "SELECT set_config('lock_timeout', '5s', false) FROM t WHERE false;\nALTER TABLE t ADD COLUMN c int;\n",
    }, "--db-version", "16")
    assert [(r, p, ln) for r, p, ln, _, _ in found] == [("lock-timeout", "V3__b.sql", 2), ("lock-timeout", "V4__c.sql", 2)]


def test_lock_timeout_set_to_zero_is_named_as_such(tmp_path):
    found = _lint(tmp_path, {
        "V1__init.sql": "CREATE TABLE t (id bigint PRIMARY KEY);\n",
        "V2__a.sql": "SET lock_timeout = 0;\nALTER TABLE t ADD COLUMN a int;\n",
        "V3__b.sql": "ALTER TABLE t ADD COLUMN b int;\n",
    }, "--db-version", "16")
    [(_, _, _, m2, f2), (_, _, _, m3, f3)] = found
    assert "lock_timeout is 0 (no limit) at this point of the migration" in m2
    assert f2.startswith("Set lock_timeout = '5s' instead of 0 before this statement, and retry")
    assert "no lock_timeout is set earlier in this migration" in m3 and f3.startswith("Add SET lock_timeout = '5s';")


def test_partitioned_index_fix_keeps_the_users_definition_and_schema(tmp_path):
    found = _lint(tmp_path, {
        "V1__init.sql": "CREATE SCHEMA ev;\n"
                        "CREATE TABLE ev.events (id bigint, author_id int, payload jsonb, at date) PARTITION BY RANGE (at);\n",
        "V2__idx.sql": "SET lock_timeout = '1s';\n"
                       "CREATE UNIQUE INDEX index_events_on_kind ON ev.events USING btree (id, at, (payload->>'kind'))"
                       " WHERE author_id > 0;\n",
    }, "--db-version", "16")
    assert _fix(found, "index-without-concurrently") == (
        "CREATE UNIQUE INDEX index_events_on_kind ON ONLY ev.events USING btree (id, at, (payload->>'kind')) "
        "WHERE author_id > 0; then for each partition, in a migration of its own: CREATE UNIQUE INDEX CONCURRENTLY "
        "<partition>_idx ON <partition> USING btree (id, at, (payload->>'kind')) WHERE author_id > 0; and ALTER INDEX "
        "ev.index_events_on_kind ATTACH PARTITION <partition>_idx; (the parent's index becomes valid once every "
        "partition has one).")


def test_enum_values_added_after_each_other_in_one_migration_are_quiet(tmp_path):
    found = _lint(tmp_path, {
        "V1__init.sql": "CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE p (id bigint PRIMARY KEY, m mood);\n",
        # PostgreSQL 15 accepts this in one transaction: {sad,ok,happy,joy}
        "V2__values.sql": "ALTER TYPE mood ADD VALUE 'happy';\nALTER TYPE mood ADD VALUE 'joy' AFTER 'happy';\n",
        "V3__values.sql": "ALTER TYPE mood ADD VALUE 'calm';\nINSERT INTO p VALUES (1, 'calm');\n",
    }, "--db-version", "16")
    assert [(r, p, ln) for r, p, ln, _, _ in found] == [("enum-value-used-in-transaction", "V3__values.sql", 2)]
