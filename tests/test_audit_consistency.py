"""Three consistency items from the audits, each through the real command line:

1. SET NOT NULL on a column that a validated CHECK (col IS NOT NULL) already proves is neutral, like a
   key that contains an existing unique key: the per-migration class counts and the set-not-null rule
   agree; its phase stays contract, like VALIDATE's (a step of the sequence flylint plan writes). The
   CHECK proves it only where the server enforces CHECK (PostgreSQL; MySQL 8.0.16+, MariaDB 10.2.1+).
   Measured on PostgreSQL 15.20 here: with the validated CHECK present an INSERT or UPDATE of NULL was
   already refused before SET NOT NULL, and SET NOT NULL reported "existing constraints ... are sufficient to prove that it does not contain nulls"; on
   MariaDB 10.11.19 ADD CONSTRAINT over a NULL row, INSERT and UPDATE of NULL all failed (4025).
2. prefer-jsonb flags a live column changed to json (measured on PostgreSQL 15.20: jsonb -> json
   rewrote the table, then SELECT DISTINCT *, GROUP BY and json = json failed).
3. merge-alter-table judges rewrites with the cost table and the session TimeZone, as table-rewrite and
   change-column-type do: timestamp -> timestamptz under TimeZone UTC on PostgreSQL 12+ is no rewrite.
"""

from __future__ import annotations

import json

import pytest

from conftest import run_cli, write_project

_PG = "CREATE TABLE users (id bigint PRIMARY KEY, email text);\nALTER TABLE users ADD COLUMN surname text;\n"
_MY = "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100), surname varchar(255));\n"


def _lint(tmp_path, files, dialect, *args):
    write_project(tmp_path, files)
    proc = run_cli(["lint", ".", "--dialect", dialect, "--format", "json", "--no-cache", "--fail-on", "never",
                    *args], tmp_path)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _migration(out, path):
    (m,) = [m for m in out["migrations"] if m["path"].endswith(path)]
    return m


def _rule(out, rule):
    return [f for f in out["findings"] if f["rule"] == rule]


# -- 1. SET NOT NULL that a validated CHECK proves --------------------------------------------------

_RECIPE_PG = {
    "V1__init.sql": _PG,
    "V2__check.sql": "ALTER TABLE users ADD CONSTRAINT surname_nn CHECK (surname IS NOT NULL) NOT VALID;\n",
    "V3__validate.sql": "ALTER TABLE users VALIDATE CONSTRAINT surname_nn;\n",
    "V4__tighten.sql": "ALTER TABLE users ALTER COLUMN surname SET NOT NULL;\n",
}


@pytest.mark.parametrize("version", ["15", "12"])
def test_pg_set_not_null_proven_by_a_validated_check_is_neutral(tmp_path, version):
    out = _lint(tmp_path, _RECIPE_PG, "postgres", "--db-version", version)
    m = _migration(out, "V4__tighten.sql")
    # neutral (no write starts failing) but, like VALIDATE, still a step of the contract sequence
    assert m["changes"] == {"neutral": 1} and m["phase"] == "contract"
    assert _migration(out, "V3__validate.sql")["phase"] == "contract"
    assert not _rule(out, "set-not-null") and not _rule(out, "constraint-on-live-table")


def test_pg_11_proven_set_not_null_is_neutral_and_reports_only_the_scan(tmp_path):
    out = _lint(tmp_path, _RECIPE_PG, "postgres", "--db-version", "11")
    assert _migration(out, "V4__tighten.sql")["changes"] == {"neutral": 1}
    (f,) = _rule(out, "set-not-null")
    assert f["class"] == "neutral" and "scans the whole table" in f["message"]


def test_pg_set_not_null_after_a_not_valid_check_is_still_incompatible(tmp_path):
    files = {k: v for k, v in _RECIPE_PG.items() if k != "V3__validate.sql"}  # never validated: rows may be NULL
    out = _lint(tmp_path, files, "postgres", "--db-version", "15")
    m = _migration(out, "V4__tighten.sql")
    assert m["changes"] == {"incompatible": 1} and m["phase"] == "contract"
    (f,) = _rule(out, "set-not-null")
    assert f["class"] == "incompatible"


def _recipe_my(extra=""):
    return {
        "V1__init.sql": _MY + extra,
        "V2__check.sql": "ALTER TABLE users ADD CONSTRAINT surname_nn CHECK (surname IS NOT NULL);\n",
        "V3__tighten.sql": "ALTER TABLE users MODIFY surname varchar(255) NOT NULL;\n",
    }


@pytest.mark.parametrize("dialect, version", [("mysql", "8.0.16"), ("mysql", "8.4.3"), ("mariadb", None),
                                              ("mariadb", "10.11")])
def test_mysql_set_not_null_proven_by_an_enforced_check_is_neutral(tmp_path, dialect, version):
    out = _lint(tmp_path, _recipe_my(), dialect, *(("--db-version", version) if version else ()))
    m = _migration(out, "V3__tighten.sql")
    assert m["changes"] == {"neutral": 1} and m["phase"] == "contract"
    assert not _rule(out, "set-not-null")  # an online rebuild (INPLACE, LOCK=NONE) breaks nothing


@pytest.mark.parametrize("dialect, version", [("mysql", None), ("mysql", "5.7"), ("mysql", "8.0.15"),
                                              ("mariadb", "10.1")])
def test_a_check_the_server_ignores_proves_nothing(tmp_path, dialect, version):
    out = _lint(tmp_path, _recipe_my(), dialect, *(("--db-version", version) if version else ()))
    m = _migration(out, "V3__tighten.sql")
    assert m["changes"] == {"incompatible": 1} and m["phase"] == "contract"
    (f,) = _rule(out, "set-not-null")
    assert f["class"] == "incompatible" and "breaks writes of NULL" in f["message"]


def test_mysql_proven_set_not_null_reports_a_blocking_rebuild_as_neutral(tmp_path):
    # a FULLTEXT index makes the in-place rebuild take LOCK=SHARED: writes wait, but none starts failing
    out = _lint(tmp_path, _recipe_my("CREATE FULLTEXT INDEX users_email_ft ON users (email);\n"), "mysql",
                "--db-version", "8.0.35")
    assert _migration(out, "V3__tighten.sql")["changes"] == {"neutral": 1}
    (f,) = _rule(out, "set-not-null")
    assert f["class"] == "neutral"
    assert f["message"].startswith("The validated CHECK surname_nn already keeps NULL out of users.surname, so no "
                                   "write of the live application starts failing; but MySQL 8.0.35 rebuilds")
    assert "LOCK=SHARED" in f["message"] and "writes to users wait" in f["message"]


# -- 2. prefer-jsonb on a type change to json -------------------------------------------------------

def test_prefer_jsonb_flags_a_live_column_changed_to_json(tmp_path):
    out = _lint(tmp_path, {"V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, settings jsonb);\n",
                           "V2__type.sql": "ALTER TABLE users ALTER COLUMN settings TYPE json;\n"}, "postgres")
    (f,) = _rule(out, "prefer-jsonb")
    assert f["path"].endswith("V2__type.sql") and f["severity"] == "warning" and f["class"] == "incompatible"
    assert f["message"].startswith("users.settings becomes json, which has no equality operator")
    assert f["fix"] == "Declare users.settings as jsonb."


def test_prefer_jsonb_on_a_column_changed_to_json_in_its_own_migration_is_info(tmp_path):
    out = _lint(tmp_path, {"V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, settings text);\n"
                           "ALTER TABLE users ALTER COLUMN settings TYPE json USING settings::json;\n"}, "postgres")
    (f,) = _rule(out, "prefer-jsonb")
    assert f["severity"] == "info" and f["line"] == 2


# -- 3. merge-alter-table reads rewrites the way table-rewrite does --------------------------------

_EV = "CREATE TABLE ev (id bigint PRIMARY KEY, at timestamp, note text);\n"
_TWO = "ALTER TABLE ev ALTER COLUMN at TYPE timestamptz;\nALTER TABLE ev ALTER COLUMN note SET NOT NULL;\n"


@pytest.mark.parametrize("files, args", [
    ({"V2__alter.sql": "SET TimeZone = 'UTC';\n" + _TWO}, []),
    ({"V2__alter.sql": _TWO, "flyway.conf": "flyway.initSql=SET TIME ZONE 'UTC'\n"}, ["--flyway-config", "flyway.conf"]),
], ids=["set-in-migration", "initSql"])
def test_timestamptz_under_utc_is_no_rewrite_for_merge_alter_table(tmp_path, files, args):
    out = _lint(tmp_path, {"V1__init.sql": _EV, **files}, "postgres", "--db-version", "15", *args)
    assert not _rule(out, "merge-alter-table")
    assert not [f for f in _rule(out, "change-column-type") if "rewrites" in f["message"]]


@pytest.mark.parametrize("files, version", [
    ({"V2__alter.sql": _TWO}, "15"),  # TimeZone unset: the table is rewritten in any zone but UTC
    ({"V2__alter.sql": "SET TimeZone = 'UTC';\n" + _TWO}, "11"),  # PostgreSQL 11 rewrites even under UTC
    ({"V2__alter.sql": "SET TimeZone = 'Europe/Berlin';\n" + _TWO}, "15"),
], ids=["unset", "pg11-utc", "berlin"])
def test_timestamptz_that_rewrites_counts_for_merge_alter_table(tmp_path, files, version):
    out = _lint(tmp_path, {"V1__init.sql": _EV, **files}, "postgres", "--db-version", version)
    (f,) = _rule(out, "merge-alter-table")
    assert "2 of which rewrite or scan the whole table" in f["message"]
    (c,) = _rule(out, "change-column-type")
    assert "rewrites ev" in c["message"]  # the two rules agree


def test_proven_set_not_null_is_no_scan_for_merge_alter_table_on_12_but_is_on_11(tmp_path):
    files = {"V1__init.sql": _EV + "ALTER TABLE ev ADD CONSTRAINT note_nn CHECK (note IS NOT NULL);\n",
             "V2__alter.sql": "ALTER TABLE ev ALTER COLUMN id TYPE numeric;\nALTER TABLE ev ALTER COLUMN note SET NOT NULL;\n"}
    assert not _rule(_lint(tmp_path, files, "postgres", "--db-version", "12"), "merge-alter-table")
    assert _rule(_lint(tmp_path, files, "postgres", "--db-version", "11"), "merge-alter-table")
