"""--app-queries: the live application's queries checked against the schema after the migrations."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, run_cli

INIT = ("CREATE TABLE users (id bigint PRIMARY KEY, first_name varchar(100) NOT NULL, last_name varchar(100));\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total int);\n")

QUIET = (
    "SELECT id, first_name FROM users WHERE id = 1;\n"
    "SELECT u.first_name, o.total\n  FROM users u JOIN orders o ON o.user_id = u.id;\n"
    "WITH big AS (SELECT user_id, sum(total) AS s FROM orders GROUP BY user_id)\n"
    "SELECT b.s, u.first_name FROM big b JOIN users u ON u.id = b.user_id ORDER BY s;\n"
    "UPDATE orders SET total = total + 1 WHERE id IN (SELECT id FROM orders WHERE user_id = 3);\n"
    "DELETE FROM orders WHERE user_id = 2;\n"
)


def lint(root, dialect, *queries):
    args = ["lint", "db", "--dialect", dialect, "--no-cache", "--format", "json"]
    for q in queries:
        args += ["--app-queries", q]
    proc = run_cli(args, cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    return proc, json.loads(proc.stdout)


def findings(doc, rule):
    return [f for f in doc["findings"] if f["rule"] == rule]


@pytest.mark.parametrize("dialect,drop", [("postgres", "ALTER TABLE users DROP COLUMN last_name;"),
                                          ("mysql", "ALTER TABLE users DROP last_name;")])
def test_dropped_column_is_reported_at_the_drop_naming_the_query(project, dialect, drop):
    root = project({
        "db/V1__init.sql": INIT,
        "db/V2__drop.sql": "-- contract\n" + drop + "\n",
        "app/queries.sql": QUIET + "SELECT u.id,\n       u.last_name\n  FROM users u\n WHERE u.id = 7;\n",
    })
    proc, doc = lint(root, dialect, "app/queries.sql")
    assert proc.returncode == 1
    (f,) = findings(doc, "app-query-broken")
    assert (f["path"], f["line"], f["severity"], f["object"]) == ("db/V2__drop.sql", 2, "error", "users.last_name")
    assert "app/queries.sql:8 uses users.last_name, which this statement drops" in f["message"]
    assert findings(doc, "app-query-unchecked") == []


def test_quiet_on_queries_that_still_work(project):
    root = project({
        "db/V1__init.sql": INIT,
        "db/V2__add.sql": "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN email text;\n",
        "app/queries.sql": QUIET + "INSERT INTO users (id, first_name) VALUES (1, 'a');\n",
    })
    proc, doc = lint(root, "postgres", "app/queries.sql")
    assert doc["findings"] == [] and proc.returncode == 0


@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_new_not_null_column_breaks_inserts_that_leave_it_out(project, dialect):
    root = project({
        "db/V1__init.sql": INIT,
        "db/V2__email.sql": "ALTER TABLE users ADD COLUMN email varchar(100) NOT NULL;\n",
        "db/V3__status.sql": "ALTER TABLE users ADD COLUMN status varchar(10) NOT NULL DEFAULT 'new';\n",
        "app/insert.sql": "INSERT INTO users (id, first_name) VALUES (1, 'a');\n"
                          "INSERT INTO users (id, first_name, email) VALUES (2, 'b', 'b@x');\n",
    })
    _, doc = lint(root, dialect, "app/insert.sql")
    (f,) = findings(doc, "app-query-broken")
    assert (f["path"], f["line"], f["object"]) == ("db/V2__email.sql", 1, "users.email")
    assert "INSERT at app/insert.sql:1 leaves out users.email" in f["message"]


def test_set_not_null_breaks_inserts_that_leave_it_out(project):
    root = project({
        "db/V1__init.sql": INIT,
        "db/V2__tighten.sql": "UPDATE users SET last_name = '' WHERE last_name IS NULL;\n"
                              "ALTER TABLE users ALTER COLUMN last_name SET NOT NULL;\n",
        "app/q.sql": "INSERT INTO users (id, first_name) VALUES (1, 'a');\n",
    })
    _, doc = lint(root, "postgres", "app/q.sql")
    (f,) = findings(doc, "app-query-broken")
    assert (f["path"], f["line"], f["object"]) == ("db/V2__tighten.sql", 2, "users.last_name")


def test_renamed_table_and_column(project):
    root = project({
        "db/V1__init.sql": INIT,
        "db/V2__rename.sql": "ALTER TABLE orders RENAME TO purchases;\n",
        "db/V3__rename.sql": "ALTER TABLE users RENAME COLUMN first_name TO given_name;\n",
        "app/a.sql": "SELECT total FROM orders;\n",
        "app/b.sql": "SELECT first_name FROM users;\n",
    })
    _, doc = lint(root, "postgres", "app")  # a folder of query files
    got = sorted((f["path"], f["object"], f["message"].split(" uses ")[0]) for f in findings(doc, "app-query-broken"))
    assert got == [("db/V2__rename.sql", "orders", "The live application's query at app/a.sql:1"),
                   ("db/V3__rename.sql", "users.first_name", "The live application's query at app/b.sql:1")]
    assert "which this statement renames" in findings(doc, "app-query-broken")[0]["message"]


def test_unparsable_and_unknown_queries_are_listed(project):
    root = project({
        "db/V1__init.sql": INIT,
        "app/q.sql": "SELECT id FROM users;\n\nSELEC id FROM users;\nSELECT id FROM accounts;\n",
    })
    proc, doc = lint(root, "postgres", "app/q.sql")
    got = [(f["path"], f["line"], f["severity"]) for f in findings(doc, "app-query-unchecked")]
    assert got == [("app/q.sql", 3, "warning"), ("app/q.sql", 4, "warning")]
    assert "does not parse" in findings(doc, "app-query-unchecked")[0]["message"]
    assert "table accounts is not created by the migrations" in findings(doc, "app-query-unchecked")[1]["message"]
    text = run_cli(["lint", "db", "--dialect", "postgres", "--no-cache", "--app-queries", "app/q.sql"], cwd=root)
    assert "app/q.sql:3:1: warning[app-query-unchecked]" in text.stdout


def test_seed_scenario_v1_queries_break_at_the_contract_step():
    """The v1 application of the seed article reads last_name: the drop in V4 breaks it."""
    seed = FIXTURES / "rename-last-name" / "postgres"
    proc = run_cli(["lint", ".", "--dialect", "postgres", "--no-cache", "--format", "json",
                    "--app-queries", str(FIXTURES / "rename-last-name" / "app-v1.sql")], cwd=seed)
    doc = json.loads(proc.stdout)
    got = sorted((f["line"], f["object"], f["message"].split(" at ")[1].split(" ")[0].rsplit("/", 1)[-1])
                 for f in findings(doc, "app-query-broken") if f["path"] == "V4__Remove_lastname.sql")
    assert got == [(1, "users.last_name", "app-v1.sql:2"), (1, "users.last_name", "app-v1.sql:3"),
                   (3, "users.surname", "app-v1.sql:3")]
    assert len(findings(doc, "app-query-broken")) == 3
    assert proc.returncode == 1


def test_missing_query_path_is_a_usage_error(project):
    root = project({"db/V1__init.sql": INIT})
    proc = run_cli(["lint", "db", "--dialect", "postgres", "--no-cache", "--app-queries", "nope.sql"], cwd=root)
    assert proc.returncode == 2 and "--app-queries path does not exist: nope.sql" in proc.stderr


def test_mysql_query_shapes(project):
    root = project({
        "db/V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, First_Name varchar(10) NOT NULL, last_name varchar(10));\n"
                           "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total int);\n",
        "db/V2__drop.sql": "ALTER TABLE users DROP last_name;\n",
        "app/q.sql": "SELECT `first_name` FROM `users` WHERE id = ?;\n"
                     "UPDATE users u JOIN orders o ON o.user_id = u.id SET o.total = 0 WHERE u.first_name = 'x';\n"
                     "INSERT INTO orders (id, user_id, total) VALUES (1, 2, 3) ON DUPLICATE KEY UPDATE total = VALUES(total);\n"
                     "SELECT u.id, COUNT(o.id) AS cnt FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.id HAVING cnt > 1;\n"
                     "REPLACE INTO orders (id, user_id) VALUES (1, 1);\n"
                     "SELECT u.last_name FROM users AS u FOR UPDATE;\n",
    })
    proc = run_cli(["lint", "db", "--dialect", "mysql", "--no-cache", "--format", "json", "--app-queries", "app"],
                   cwd=root)
    doc = json.loads(proc.stdout)
    assert proc.stderr == ""  # sqlglot's own warnings are not printed
    assert [(f["path"], f["line"]) for f in findings(doc, "app-query-broken")] == [("db/V2__drop.sql", 1)]
    assert "app/q.sql:6 uses users.last_name" in findings(doc, "app-query-broken")[0]["message"]
    assert [f["line"] for f in findings(doc, "app-query-unchecked")] == [5]  # REPLACE: not read, listed
