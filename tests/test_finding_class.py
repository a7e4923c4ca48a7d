"""A finding's `class` (docs/output.md): a compatibility rule's finding takes the class of the change it is
about when it is not a break (the replay found the change keeps the live version working); findings that
are a break, and findings of the lock, rewrite, data and Flyway rules, keep their rule's class."""

from __future__ import annotations

import json

from conftest import FIXTURES, run_cli, write_project
from flylint.engine import Options, run


def _lint(tmp_path, files, dialect="postgres", db_version=None):
    write_project(tmp_path, files)
    result = run(Options(cwd=tmp_path, paths=(tmp_path,), dialect=dialect, db_version=db_version, cache=False))
    return result


def _classes(result, rule):
    return [f.klass for f in result.findings if f.rule == rule]


def test_timestamp_to_timestamptz_is_neutral(tmp_path):
    result = _lint(tmp_path, {
        "V1__init.sql": "CREATE TABLE ev (id bigint PRIMARY KEY, at timestamp);\n",
        "V2__tz.sql": "ALTER TABLE ev ALTER COLUMN at TYPE timestamptz;\n",
    }, db_version="15")
    found = [f for f in result.findings if f.rule == "change-column-type"]
    assert len(found) == 1
    f = found[0]
    # every value converts: the warning is about the session TimeZone and the rewrite, not a break
    assert (f.klass, f.change, f.severity) == ("neutral", "change-column-type", "warning")
    assert "converts every value" in f.message
    (ch,) = [c for per_st in result.replay.changes[1] for c in per_st if c.kind == "change-column-type"]
    assert f.klass == ch.klass == "neutral"
    # the lock finding on the same statement keeps its rule's class
    assert set(_classes(result, "lock-timeout")) <= {"neutral"}


def test_widening_that_rewrites_is_neutral(tmp_path):
    result = _lint(tmp_path, {
        "V1__init.sql": "CREATE TABLE acc (id bigint PRIMARY KEY, n int);\n",
        "V2__widen.sql": "ALTER TABLE acc ALTER COLUMN n TYPE bigint;\n",
    }, db_version="15")
    assert _classes(result, "change-column-type") == ["neutral"]


def test_narrowing_keeps_incompatible(tmp_path):
    """The classes agree: the change narrows the column, the finding is a break."""
    result = _lint(tmp_path, {
        "V1__init.sql": "CREATE TABLE users (id int, name varchar(200));\n",
        "V2__narrow.sql": "ALTER TABLE users ALTER COLUMN name TYPE varchar(100);\n",
    })
    assert _classes(result, "change-column-type") == ["incompatible"]
    (ch,) = [c for per_st in result.replay.changes[1] for c in per_st if c.kind == "change-column-type"]
    assert ch.klass == "incompatible"


def test_drop_column_destructive_and_its_lock_finding_neutral(tmp_path):
    result = _lint(tmp_path, {
        "V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, last_name text);\n",
        "V2__drop.sql": "ALTER TABLE users DROP COLUMN last_name;\n",
    })
    assert _classes(result, "drop-column") == ["destructive"]
    assert _classes(result, "lock-timeout") == ["neutral"]


def test_findings_that_know_better_than_the_change_keep_the_rule_class(tmp_path):
    """drop-not-null (the change counts additive, the finding is the live version reading NULL), an ADD
    COLUMN whose inline REFERENCES checks every row, and a json column added to a live table: each finding
    says the live version may break, so it stays incompatible."""
    result = _lint(tmp_path, {
        "V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, last_name text NOT NULL);\n"
                        "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
        "V2__opt.sql": "ALTER TABLE users ALTER COLUMN last_name DROP NOT NULL;\n"
                       "ALTER TABLE orders ADD COLUMN buyer_id bigint DEFAULT 1 REFERENCES users (id);\n"
                       "ALTER TABLE users ADD COLUMN settings json;\n",
    })
    assert _classes(result, "drop-not-null") == ["incompatible"]
    assert _classes(result, "constraint-on-live-table") == ["incompatible"]
    assert _classes(result, "prefer-jsonb") == ["incompatible"]


def test_json_column_of_a_new_table_is_not_incompatible(tmp_path):
    result = _lint(tmp_path, {"V1__init.sql": "CREATE TABLE users (id bigint, settings json);\n"})
    assert _classes(result, "prefer-jsonb") == ["additive"]


def test_validate_in_the_same_transaction_is_a_lock_finding(tmp_path):
    result = _lint(tmp_path, {
        "V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n"
                        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n",
        "V2__fk.sql": "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) "
                      "NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\n",
    })
    found = [(f.change, f.klass) for f in result.findings if f.rule == "constraint-on-live-table"]
    assert found == [("validate-constraint", "neutral")]


def test_set_not_null_proven_by_check_on_pg11_is_neutral(tmp_path):
    result = _lint(tmp_path, {
        "V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, surname text);\n",
        "V2__check.sql": "ALTER TABLE users ADD CONSTRAINT surname_nn CHECK (surname IS NOT NULL) NOT VALID;\n",
        "V3__validate.sql": "ALTER TABLE users VALIDATE CONSTRAINT surname_nn;\n",
        "V4__tighten.sql": "ALTER TABLE users ALTER COLUMN surname SET NOT NULL;\n",
    }, db_version="11")
    assert _classes(result, "set-not-null") == ["neutral"]


def test_mysql_check_ignored_before_8_0_16_is_neutral(tmp_path):
    result = _lint(tmp_path, {
        "V1__init.sql": "CREATE TABLE users (id int PRIMARY KEY, age int);\n",
        "V2__check.sql": "ALTER TABLE users ADD CONSTRAINT age_ok CHECK (age >= 0);\n",
    }, dialect="mysql", db_version="5.7")
    found = [f for f in result.findings if f.rule == "constraint-on-live-table"]
    assert [f.klass for f in found] == ["neutral"] and "ignores them" in found[0].message


def test_mysql_primary_key_extended_by_a_column_is_neutral_in_json_and_sarif(tmp_path):
    """fixtures/unseen-mysql-saas V16: DROP PRIMARY KEY, ADD PRIMARY KEY (id, created_at) keeps id unique,
    so no write starts failing: the change and its finding are both neutral, in JSON and SARIF alike."""
    root = FIXTURES / "unseen-mysql-saas"
    sarif = tmp_path / "out.sarif"
    proc = run_cli(["lint", "--format", "json", "--format", f"sarif:{sarif}", "--no-cache", "--fail-on", "never"],
                   cwd=root)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    (f,) = [f for f in doc["findings"] if "V16__" in f["path"]]
    assert (f["rule"], f["change"], f["class"]) == ("constraint-on-live-table", "add-primary-key", "neutral")
    (m,) = [m for m in doc["migrations"] if "V16__" in m["path"]]
    assert m["changes"] == {"neutral": 2}
    # the incompatible constraint findings of the same project stay incompatible
    assert {f["class"] for f in doc["findings"] if f["rule"] == "constraint-on-live-table"} == {"neutral", "incompatible"}
    (r,) = [r for r in json.loads(sarif.read_text())["runs"][0]["results"]
            if "V16__" in r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]]
    assert r["properties"]["class"] == "neutral"
