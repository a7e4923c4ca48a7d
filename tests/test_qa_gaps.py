"""Risky statements a QA pass found flylint quiet on: whole-table UPDATE, inline REFERENCES, CREATE
TRIGGER, the first FULLTEXT index, and MySQL's implicitly committing CREATE TRIGGER/PROCEDURE/VIEW."""

from __future__ import annotations

import json

from conftest import run_cli, write_project

from flylint.dbfacts import cost

_PG = "CREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE TABLE orders (id bigint PRIMARY KEY);\n"
_MY = "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(255));\n"


def _lint(tmp_path, files, dialect, *extra):
    write_project(tmp_path, files)
    proc = run_cli(["lint", ".", "--dialect", dialect, "--format", "json", "--no-cache", "--fail-on", "never",
                    *extra], tmp_path)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["findings"]


def test_whole_table_update_is_a_warning_with_a_batched_fix_in_the_users_names(tmp_path):
    got = _lint(tmp_path, {"V1__init.sql": _PG.replace("id bigint", "user_id bigint", 1),
                           "V2__fill.sql": "UPDATE users SET email = lower(email);\n"}, "postgres")
    (f,) = [f for f in got if f["rule"] == "unbatched-backfill"]
    assert f["severity"] == "warning" and f["line"] == 1
    assert "every row of users" in f["message"]
    assert "UPDATE users SET email = ... WHERE user_id > :last AND user_id <= :last + 5000" in f["fix"]


def test_update_under_the_alter_lock_is_reported_once(tmp_path):
    got = _lint(tmp_path, {"V1__init.sql": _PG, "V2__add.sql": "SET lock_timeout = '5s';\n"
                           "ALTER TABLE users ADD COLUMN name text;\nUPDATE users SET name = email;\n"}, "postgres")
    assert [f["rule"] for f in got if f["path"].endswith("V2__add.sql")] == ["backfill-under-lock"]


def test_inline_references_names_both_locked_tables(tmp_path):
    got = _lint(tmp_path, {"V1__init.sql": _PG,
                           "V2__fk.sql": "ALTER TABLE orders ADD COLUMN buyer_id bigint REFERENCES users (id);\n"},
                "postgres")
    (f,) = [f for f in got if f["rule"] == "lock-timeout"]
    assert "locks orders and users" in f["message"]


def test_inline_references_to_a_table_born_in_the_release_names_only_the_live_table(tmp_path):
    got = _lint(tmp_path, {"V1__init.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
                           "V2__fk.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n"
                           "ALTER TABLE orders ADD COLUMN buyer_id bigint REFERENCES users (id);\n"}, "postgres")
    (f,) = [f for f in got if f["rule"] == "lock-timeout"]
    assert "locks orders," in f["message"] and "users" not in f["message"]


def test_create_trigger_on_a_live_table_needs_a_lock_timeout(tmp_path):
    trig = "CREATE TRIGGER users_audit AFTER UPDATE ON users FOR EACH ROW EXECUTE FUNCTION audit();\n"
    got = _lint(tmp_path, {"V1__init.sql": _PG, "V2__trg.sql": trig}, "postgres")
    assert [(f["rule"], f["line"]) for f in got if f["rule"] == "lock-timeout"] == [("lock-timeout", 1)]
    got = _lint(tmp_path, {"V2__trg.sql": "SET lock_timeout = '5s';\n" + trig}, "postgres")
    assert [f for f in got if f["rule"] == "lock-timeout"] == []


def test_first_fulltext_index_rebuilds_and_a_later_one_does_not(tmp_path):
    got = _lint(tmp_path, {"V1__init.sql": _MY, "V2__ft.sql": "SET SESSION lock_wait_timeout = 5;\n"
                           "ALTER TABLE users ADD FULLTEXT INDEX users_email_ft (email);\n",
                           "V3__ft.sql": "SET SESSION lock_wait_timeout = 5;\n"
                           "CREATE FULLTEXT INDEX users_email_ft2 ON users (email);\n"}, "mysql",
                "--db-version", "8.0.35")
    assert [(f["rule"], f["path"], f["line"]) for f in got] == [("table-rewrite", "V2__ft.sql", 2)]
    assert "LOCK=SHARED" in got[0]["message"] and "rebuild" in got[0]["message"]


def test_fulltext_and_spatial_costs():
    first = cost("mariadb", "create-index", "10.11", index_kind="FULLTEXT", first_fulltext=True)
    assert first.rewrite and first.lock == "SHARED" and first.algorithm == "INPLACE"
    later = cost("mysql", "create-index", "8.0.35", index_kind="FULLTEXT")
    assert not later.rewrite and later.lock == "SHARED"
    assert cost("mysql", "create-index", "8.0.35", index_kind="SPATIAL", lock="NONE").refused
    assert cost("mysql", "create-index", "8.0.35", lock="NONE").refused is None


def test_mysql_trigger_counts_as_ddl_and_repeatable_view_gets_create_or_replace(tmp_path):
    got = _lint(tmp_path, {"V1__init.sql": _MY, "V2__trg.sql": "ALTER TABLE users ADD COLUMN n int;\n"
                           "CREATE TRIGGER users_bu BEFORE UPDATE ON users FOR EACH ROW SET NEW.n = 1;\n",
                           "R__views.sql": "DROP VIEW IF EXISTS user_emails;\n"
                           "CREATE VIEW user_emails AS SELECT id, email FROM users;\n"}, "mysql")
    multi = {f["path"]: f for f in got if f["rule"] == "mysql-multiple-ddl"}
    assert multi["V2__trg.sql"]["line"] == 2
    assert "CREATE OR REPLACE VIEW user_emails AS ...;" in multi["R__views.sql"]["fix"]
    assert "own migration" not in multi["R__views.sql"]["fix"]
