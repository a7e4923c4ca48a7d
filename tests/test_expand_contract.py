"""Expand/contract recognition: a column added and backfilled from another one is a rename in
progress; dropping the old column later is its contract step, and each migration gets a phase."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, run_cli

SEED = FIXTURES / "rename-last-name"
USERS = "CREATE TABLE users (id bigint PRIMARY KEY, first_name varchar(100) NOT NULL, last_name varchar(100) NOT NULL);\n"


def lint(root, dialect, *more):
    proc = run_cli(["lint", ".", "--dialect", dialect, "--no-cache", "--format", "json", *more], cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def by_rule(doc, rule):
    return [f for f in doc["findings"] if f["rule"] == rule]


@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_seed_reads_as_expand_migrate_relax_contract(dialect):
    proc = run_cli(["lint", ".", "--dialect", dialect, "--no-cache"], cwd=SEED / dialect)
    # the drop is recognised as the rename's contract step, but without evidence from the live
    # version's code (--app-source) it stays an error
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    summary = [line for line in lines if line.startswith("V") and ".sql: " in line]
    assert [s.split(": ")[1].split(" ")[0] for s in summary] == ["expand", "migrate", "relax", "contract"]
    assert summary[3].startswith(
        "V4__Remove_lastname.sql: contract of users.last_name -> surname (started by V2__Add_surname.sql):")
    doc = lint(SEED / dialect, dialect)
    (drop,) = by_rule(doc, "drop-column")
    assert drop["severity"] == "error" and (drop["path"], drop["line"]) == ("V4__Remove_lastname.sql", 1)
    assert "Contract step of the rename users.last_name -> users.surname started by V2__Add_surname.sql" in drop["message"]
    assert [m["phase"] for m in doc["migrations"]] == ["expand", "migrate", "relax", "contract"]


@pytest.mark.parametrize("expr", ["last_name", "COALESCE(last_name, '')", "CONCAT(last_name, '')",
                                  "TRIM(users.last_name)"])
def test_backfill_expressions_of_one_column_start_a_rename(project, expr):
    root = project({
        "V1__init.sql": USERS,
        "V2__add.sql": "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN surname varchar(100);\n",
        "V3__fill.sql": f"UPDATE users SET surname = {expr} WHERE surname IS NULL;\n",
        "V4__relax.sql": "SET lock_timeout = '5s';\nALTER TABLE users ALTER COLUMN last_name DROP NOT NULL;\n",
        "V5__drop.sql": "SET lock_timeout = '5s';\nALTER TABLE users DROP COLUMN last_name;\n",
    })
    doc = lint(root, "postgres")
    (drop,) = by_rule(doc, "drop-column")
    assert drop["severity"] == "error"
    assert "started by V2__add.sql (surname added in V2__add.sql, backfilled in V3__fill.sql from last_name)" in drop["message"]
    assert [m["phase"] for m in doc["migrations"]] == ["expand", "expand", "migrate", "relax", "contract"]


def test_backfill_from_two_columns_is_not_a_rename(project):
    root = project({
        "V1__init.sql": USERS,
        "V2__add.sql": "ALTER TABLE users ADD COLUMN full_name varchar(200);\n",
        "V3__fill.sql": "UPDATE users SET full_name = CONCAT(first_name, ' ', last_name);\n",
        "V4__relax.sql": "ALTER TABLE users MODIFY last_name varchar(100) NULL;\n",
        "V5__drop.sql": "ALTER TABLE users DROP COLUMN last_name;\n",
    })
    doc = lint(root, "mysql")
    (drop,) = by_rule(doc, "drop-column")
    assert drop["severity"] == "error" and "Contract step" not in drop["message"]
    assert doc["migrations"][4]["contracts"] == []


def test_old_column_still_not_null_stays_an_error(project):
    root = project({
        "V1__init.sql": USERS,
        "V2__add.sql": "ALTER TABLE users ADD surname varchar(100);\nUPDATE users SET surname = last_name;\n",
        "V3__drop.sql": "ALTER TABLE users DROP last_name;\n",
    })
    doc = lint(root, "mysql")
    (drop,) = by_rule(doc, "drop-column")
    assert drop["severity"] == "error"
    assert "contract step of the rename users.last_name -> users.surname started by V2__add.sql" in drop["message"]
    assert "still NOT NULL without a default" in drop["message"]


def test_rename_started_in_the_same_migration_is_no_contract(project):
    root = project({
        "V1__init.sql": USERS,
        "V2__all.sql": "ALTER TABLE users ADD COLUMN surname text;\nUPDATE users SET surname = last_name;\n"
                       "ALTER TABLE users ALTER COLUMN last_name DROP NOT NULL;\nALTER TABLE users DROP COLUMN last_name;\n",
    })
    doc = lint(root, "postgres")
    (drop,) = by_rule(doc, "drop-column")
    assert drop["severity"] == "error" and "Contract step" not in drop["message"]
    assert doc["migrations"][1]["phase"] == "contract"


def test_update_from_another_table_is_not_a_rename(project):
    root = project({
        "V1__init.sql": USERS + "CREATE TABLE people (id bigint, last_name text);\n",
        "V2__add.sql": "ALTER TABLE users ADD COLUMN surname text;\n",
        "V3__fill.sql": "UPDATE users SET surname = p.last_name FROM people p WHERE p.id = users.id;\n",
        "V4__relax.sql": "ALTER TABLE users ALTER COLUMN last_name DROP NOT NULL;\n",
        "V5__drop.sql": "ALTER TABLE users DROP COLUMN last_name;\n",
    })
    (drop,) = by_rule(lint(root, "postgres"), "drop-column")
    assert drop["severity"] == "error"


@pytest.mark.parametrize("dialect,swap,relax", [
    ("postgres", "ALTER TABLE users RENAME COLUMN age TO age_old;\nALTER TABLE users RENAME COLUMN age_new TO age;\n",
     "ALTER TABLE users ALTER COLUMN age DROP NOT NULL;\n"),
    ("mysql", "ALTER TABLE users RENAME COLUMN age TO age_old, RENAME COLUMN age_new TO age;\n", ""),
])
def test_swapping_in_a_backfilled_column_keeps_the_name_working(project, dialect, swap, relax):
    nullable = "" if dialect == "mysql" else " NOT NULL"
    root = project({
        "V1__init.sql": f"CREATE TABLE users (id bigint PRIMARY KEY, age int{nullable});\n",
        "V2__add.sql": "ALTER TABLE users ADD COLUMN age_new bigint;\n",
        "V3__fill.sql": "UPDATE users SET age_new = age;\n",
        "V4__swap.sql": relax + swap,
        "V5__drop.sql": "ALTER TABLE users DROP COLUMN age_old;\n",
    })
    doc = lint(root, dialect)
    assert by_rule(doc, "rename-column") == []
    (drop,) = by_rule(doc, "drop-column")
    assert drop["severity"] == "error" and "rename users.age_old -> users.age" in drop["message"]
    # the swap itself is "migrate"; the PostgreSQL migration also relaxes the old column first
    assert doc["migrations"][3]["phase"] == ("relax" if relax else "migrate")


def test_swap_that_leaves_the_old_column_not_null_is_an_error(project):
    root = project({
        "V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, age int NOT NULL);\n",
        "V2__add.sql": "ALTER TABLE users ADD COLUMN age_new bigint;\n",
        "V3__fill.sql": "UPDATE users SET age_new = age;\n",
        "V4__swap.sql": "ALTER TABLE users RENAME COLUMN age TO age_old;\nALTER TABLE users RENAME COLUMN age_new TO age;\n",
    })
    assert len(by_rule(lint(root, "postgres"), "rename-column")) == 2


@pytest.mark.parametrize("where, dialect", [
    ("rename-last-name/postgres", "postgres"), ("rename-last-name/mysql", "mysql"),
    ("unseen-pg-saas-billing", "postgres"), ("realistic-mysql", "mysql"), ("unseen-mariadb-crm", "mariadb"),
])
def test_one_pass_summaries_match_the_per_migration_functions(where, dialect):
    """Reporters take class counts, phase and contracted renames of all migrations in one pass
    (report.migration_summaries); it gives what reading each migration's changes on its own gives."""
    from flylint.catalog.changes import CLASS_ORDER
    from flylint.engine import Options, run
    from flylint.expand import contracted_renames, file_phase
    from flylint.report import migration_summaries

    root = FIXTURES / where
    result = run(Options(cwd=root, paths=(root,), dialect=dialect, cache=False))
    expected = []
    for i in range(len(result.files)):
        classes = [ch.klass for per_statement in result.replay.changes[i] for ch in per_statement]
        counts = {k: classes.count(k) for k in CLASS_ORDER if k in classes}
        expected.append((counts, file_phase(result.replay, i), contracted_renames(result.replay, result.files, i)))
    got = migration_summaries(result)
    assert got == expected
    assert [list(counts.items()) for counts, _, _ in got] == [list(counts.items()) for counts, _, _ in expected]
    assert any(phase for _, phase, _ in expected) and any(counts for counts, _, _ in expected)
    if where.startswith("rename-last-name"):
        assert any(contracts for _, _, contracts in expected)
