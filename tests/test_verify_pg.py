"""flylint verify on a real PostgreSQL: lock modes, rewrites, scans, failures, the seed scenario."""

from __future__ import annotations

import shutil

from conftest import FIXTURES, write_project
from verify_helpers import locks, scratch_exists, trace_of, verify_json

INIT = """CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, amount numeric(10,2), status varchar(20));
INSERT INTO users VALUES (1, 'a@example.com', 'Ada');
INSERT INTO orders VALUES (1, 1, 10, 'new');
"""

LOCK_PROJECT = {
    "V1__init.sql": INIT,
    "V2__add_column.sql": "ALTER TABLE users ADD COLUMN nickname text;\n",
    "V3__drop_column.sql": "ALTER TABLE users DROP COLUMN nickname;\n",
    "V4__set_not_null.sql": "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n",
    "V5__index.sql": "CREATE INDEX users_name_idx ON users (name);\n",
    "V6__index_concurrently.sql": "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n",
    "V7__fk.sql": "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n",
    "V8__validate.sql": "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\n",
    "V9__widen.sql": "ALTER TABLE orders ALTER COLUMN status TYPE varchar(50);\n",
    "V10__narrow_type.sql": "ALTER TABLE orders ALTER COLUMN user_id TYPE int;\n",
}


def test_lock_modes_rewrites_and_scans(tmp_path, pg_url):
    write_project(tmp_path, LOCK_PROJECT)
    code, doc, proc = verify_json(tmp_path, pg_url)
    assert doc is not None, proc.stderr
    assert code == 1  # the static rules' errors and warnings still count
    assert doc["verify"]["server"].startswith("PostgreSQL ")

    add = trace_of(doc, "V2__")
    assert locks(add) == {"users": "ACCESS EXCLUSIVE"}
    assert add["blocks"] == "reads+writes" and add["rewrite"] == [] and add["in_transaction"]
    assert add["held_until_commit"] is True
    assert locks(trace_of(doc, "V3__")) == {"users": "ACCESS EXCLUSIVE"}

    not_null = trace_of(doc, "V4__")
    assert locks(not_null) == {"users": "ACCESS EXCLUSIVE"}
    assert not_null["scanned"] == ["users"] and not_null["rewrite"] == []

    index = trace_of(doc, "V5__")
    assert locks(index) == {"users": "SHARE"} and index["blocks"] == "writes"

    cic = trace_of(doc, "V6__")
    assert cic["in_transaction"] is False
    assert locks(cic) == {"users": "SHARE UPDATE EXCLUSIVE"} and cic["blocks"] == "ddl"

    fk = trace_of(doc, "V7__")
    assert locks(fk) == {"orders": "SHARE ROW EXCLUSIVE", "users": "SHARE ROW EXCLUSIVE"}
    assert fk["blocks"] == "writes"

    validate = trace_of(doc, "V8__")
    assert locks(validate) == {"orders": "SHARE UPDATE EXCLUSIVE", "users": "ROW SHARE"}
    assert validate["blocks"] == "ddl" and "orders" in validate["scanned"]

    widen = trace_of(doc, "V9__")
    assert locks(widen) == {"orders": "ACCESS EXCLUSIVE"} and widen["rewrite"] == []
    narrow = trace_of(doc, "V10__")
    # the type change rebuilds the foreign key too: the referenced table is locked as well
    assert locks(narrow) == {"orders": "ACCESS EXCLUSIVE", "users": "ACCESS EXCLUSIVE"}
    assert narrow["rewrite"] == ["orders"]

    # measured facts in the findings: the rewrite static rules do not report becomes a finding
    rewrites = [f for f in doc["findings"] if f["rule"] == "table-rewrite"]
    assert [f["path"] for f in rewrites] == ["V10__narrow_type.sql"]
    assert rewrites[0]["message"].startswith("measured: this statement rewrote orders on PostgreSQL")
    lock_timeouts = [f for f in doc["findings"] if f["rule"] == "lock-timeout" and f["path"] == "V2__add_column.sql"]
    assert "measured on PostgreSQL" in lock_timeouts[0]["message"]
    assert "took ACCESS EXCLUSIVE on users" in lock_timeouts[0]["message"]
    # the scratch database is gone after a normal run
    assert not scratch_exists(pg_url, doc["verify"]["database"])


def test_static_rewrite_guess_corrected_by_measurement(tmp_path, pg_url):
    write_project(tmp_path, {
        "V1__init.sql": INIT,
        "V2__default.sql": "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN status text DEFAULT 'new';\n",
    })
    # PostgreSQL 10 would rewrite for any default: the static rule says so, the 15 server does not
    code, doc, proc = verify_json(tmp_path, pg_url, "--db-version", "10")
    rewrites = [f for f in doc["findings"] if f["rule"] == "table-rewrite"]
    assert len(rewrites) == 1, proc.stdout
    assert rewrites[0]["severity"] == "info"
    assert rewrites[0]["message"].startswith("measured: no rewrite on PostgreSQL")
    assert code == 0
    assert doc["verify"]["notes"][0].startswith("the static rules judge PostgreSQL 10 (the configured dialect and db-version); "
                                                "the measurements are from PostgreSQL 15")


def test_seed_scenario_measured(tmp_path, pg_url):
    shutil.copytree(FIXTURES / "rename-last-name" / "postgres", tmp_path / "m")
    code, doc, proc = verify_json(tmp_path / "m", pg_url)
    assert doc is not None, proc.stderr
    assert [t["error"] for t in doc["trace"]] == [None] * 10
    backfill = trace_of(doc, "V2__", 2)  # UPDATE under the ALTER's lock, held until COMMIT
    assert backfill["held"] == [{"relation": "users", "mode": "ACCESS EXCLUSIVE", "since_line": 1}]
    assert backfill["blocks"] == "reads+writes"
    drop = trace_of(doc, "V4__", 1)
    assert locks(drop) == {"users": "ACCESS EXCLUSIVE"}
    set_not_null = trace_of(doc, "V4__", 3)
    assert set_not_null["scanned"] == ["users"]
    rules = {(f["path"], f["rule"]) for f in doc["findings"]}
    assert ("V4__Remove_lastname.sql", "drop-column") in rules  # lint's findings are all there
    assert ("V2__Add_surname.sql", "backfill-under-lock") in rules


def test_text_output_has_a_lock_table(tmp_path, pg_url):
    from conftest import run_cli

    write_project(tmp_path, {"V1__init.sql": INIT, "V2__idx.sql": "CREATE INDEX users_name_idx ON users (name);\n"})
    proc = run_cli(["verify", ".", "--database-url", pg_url], cwd=tmp_path)
    assert "V2__idx.sql (measured on PostgreSQL" in proc.stdout
    row = next(line for line in proc.stdout.splitlines() if line.strip().startswith("1  CREATE INDEX"))
    assert "users SHARE" in row and "writes" in row


def test_failing_statement_is_an_error_finding_and_replay_stops(tmp_path, pg_url):
    write_project(tmp_path, {
        "V1__init.sql": INIT,
        "V2__not_null.sql": "ALTER TABLE users ADD COLUMN age int NOT NULL;\n",  # users has a row
        "V3__later.sql": "ALTER TABLE users ADD COLUMN later int;\n",
    })
    code, doc, proc = verify_json(tmp_path, pg_url)
    failed = [f for f in doc["findings"] if f["rule"] == "verify-failed"]
    assert len(failed) == 1
    assert failed[0]["path"] == "V2__not_null.sql" and failed[0]["line"] == 1
    assert "23502" in failed[0]["message"] and "rolled the whole migration back" in failed[0]["message"]
    assert not any("V3__" in t["path"] for t in doc["trace"])
    assert any("replay stopped at V2__not_null.sql" in n for n in doc["verify"]["notes"])
    assert code == 1
    assert not scratch_exists(pg_url, doc["verify"]["database"])


def test_empty_tables_are_seeded_so_data_dependent_failures_show(tmp_path, pg_url):
    files = {
        "V1__init.sql": "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL);\n"
                        "CREATE TABLE posts (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts);\n",
        "V2__add.sql": "ALTER TABLE posts ADD COLUMN title text NOT NULL;\n",
    }
    write_project(tmp_path, files)
    code, doc, _ = verify_json(tmp_path, pg_url)
    assert [f["path"] for f in doc["findings"] if f["rule"] == "verify-failed"] == ["V2__add.sql"]
    assert any("seeded 1 row into posts" in n for n in doc["verify"]["notes"])
    code, doc, _ = verify_json(tmp_path, pg_url, "--seed-rows", "0")
    assert not [f for f in doc["findings"] if f["rule"] == "verify-failed"]


def test_placeholders_replaced_and_non_transactional_migration(tmp_path, pg_url):
    write_project(tmp_path, {
        "flyway.conf": "flyway.placeholders.tbl=users\n",
        "V1__init.sql": INIT,
        "V2__idx.sql": "CREATE INDEX CONCURRENTLY ${tbl}_name_idx ON ${tbl} (name);\n",
        "V3__two.sql.conf": "executeInTransaction=false\n",
        "V3__two.sql": "ALTER TABLE ${tbl} ADD COLUMN a int;\nALTER TABLE ${tbl} ADD COLUMN b int;\n",
    })
    code, doc, proc = verify_json(tmp_path, pg_url)
    assert [t["error"] for t in doc["trace"]] == [None] * len(doc["trace"]), proc.stdout
    assert trace_of(doc, "V2__")["statement"].startswith("CREATE INDEX CONCURRENTLY users_name_idx ON users")
    two = [t for t in doc["trace"] if "V3__" in t["path"]]
    assert [t["in_transaction"] for t in two] == [False, False]
    assert [t["held_until_commit"] for t in two] == [False, False]


def test_blocking_lock_that_static_analysis_cannot_see(tmp_path, pg_url):
    write_project(tmp_path, {
        "V1__init.sql": INIT,
        "V2__dynamic.sql": "SET lock_timeout = '5s';\n"
                           "DO $$ BEGIN EXECUTE 'ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0)'; "
                           "END $$;\n",
    })
    code, doc, proc = verify_json(tmp_path, pg_url)
    rules = {f["rule"]: f for f in doc["findings"] if f["path"] == "V2__dynamic.sql"}
    assert "unanalysed-statement" in rules, proc.stdout  # static analysis cannot read the DO block
    blocking = rules["verify-blocking-lock"]
    assert blocking["line"] == 2 and blocking["severity"] == "warning"
    assert blocking["message"].startswith("measured: this statement holds ACCESS EXCLUSIVE on orders")
    assert blocking["docs"] == "docs/verify.md#verify-blocking-lock"


def test_seeded_rows_do_not_collide_with_reference_data(tmp_path, pg_url):
    write_project(tmp_path, {
        "V1__init.sql": "CREATE TABLE status (id serial PRIMARY KEY, code text NOT NULL UNIQUE);\n"
                        "CREATE TABLE kinds (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);\n",
        "V2__data.sql": "INSERT INTO status (id, code) VALUES (1, 'new'), (2, 'done');\n"
                        "INSERT INTO kinds (name) VALUES ('a');\n",
    })
    code, doc, proc = verify_json(tmp_path, pg_url)
    assert not [f for f in doc["findings"] if f["rule"] == "verify-failed"], proc.stdout
    assert {"before V2__data.sql: seeded 1 row into status", "before V2__data.sql: seeded 1 row into kinds"} <= set(
        doc["verify"]["notes"])


def test_copy_from_stdin_sends_the_rows(tmp_path, pg_url):
    write_project(tmp_path, {
        "V1__init.sql": "CREATE TABLE t (id int PRIMARY KEY, name text);\n"
                        "COPY t (id, name) FROM stdin;\n1\tada\n2\tbob\n\\.\n"
                        "ALTER TABLE t ADD CONSTRAINT two CHECK (id <= 2);\n",
        "V2__more.sql": "ALTER TABLE t ALTER COLUMN name SET NOT NULL;\n",
    })
    code, doc, proc = verify_json(tmp_path, pg_url)
    assert [t["error"] for t in doc["trace"]] == [None] * 4, proc.stdout
    assert not any("seeded" in n and "into t" in n for n in doc["verify"]["notes"])  # t has the copied rows


def test_flyway_default_schema_is_created_and_searched(tmp_path, pg_url):
    write_project(tmp_path, {
        "flyway.conf": "flyway.defaultSchema=app\n",
        "V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",  # lands in app, as with Flyway
        "V2__add.sql": "ALTER TABLE app.users ADD COLUMN name text;\n",
    })
    code, doc, result = verify_json(tmp_path, pg_url)
    assert [t["error"] for t in doc["trace"]] == [None, None], result.stdout
    assert locks(trace_of(doc, "V2__")) == {"app.users": "ACCESS EXCLUSIVE"}
