"""The realistic fixture projects as a release on a git base: only the release is judged, and the
deployed code is the evidence."""

from __future__ import annotations

import json
import shutil

from conftest import FIXTURES
from gitrepo import Repo

MIGRATIONS = "src/main/resources/db/migration"
DEPLOYED = [f"V{i}__" for i in range(1, 9)] + ["R__"]  # V1..V8 and the views were deployed


def _spring(tmp_path, code: str) -> Repo:
    shutil.copytree(FIXTURES / "realistic-spring-postgres", tmp_path, dirs_exist_ok=True)
    folder = tmp_path / MIGRATIONS
    held = {}
    for p in sorted(folder.iterdir()):
        if not any(p.name.startswith(v) for v in DEPLOYED):
            held[p.name] = p.read_bytes()
            p.unlink()
    views = folder / "R__views.sql"
    release_views = views.read_text()
    views.write_text(release_views.replace("c.email, ", "").replace(", c.email", ""))  # deployed: no email
    repo = Repo(tmp_path).write({"src/main/java/shop/CustomerRepository.java": code})
    repo.commit("deployed 2.2")
    for name, data in held.items():
        (folder / name).write_bytes(data)
    views.write_text(release_views)
    repo.commit("release 2.3")
    return repo


def _findings(proc):
    assert proc.returncode == 0, proc.stderr
    return [(f["rule"], f["path"].rsplit("/", 1)[-1], f["line"], f["severity"]) for f in json.loads(proc.stdout)["findings"]]


def test_release_of_the_spring_app_judges_only_the_release(tmp_path):
    repo = _spring(tmp_path, 'class R { @Query("select c.email, c.phone from Customer c") List<Object[]> all(); }\n')
    proc = repo.lint("--since", "HEAD~1", "--app-source", "src/main/java", "--db-version", "15", "--format", "json")
    got = _findings(proc)
    # V4's lock-timeout is deployed history; the repeatable view migration (DROP VIEW IF EXISTS +
    # CREATE VIEW) and the NOT VALID -> VALIDATE -> SET NOT NULL steps are quiet
    # (V13's index on customer_id is a prefix of its unique index: true, and only an info)
    assert got == [("redundant-index", "V13__create_addresses.sql", 10, "info"),
                   ("drop-column", "V15__drop_customer_phone.sql", 3, "error")]
    [f] = [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "drop-column"]
    assert "CustomerRepository.java:1" in f["message"]


def test_contract_step_after_the_code_stopped_using_the_column(tmp_path):
    repo = _spring(tmp_path, 'class R { @Query("select c.email from Customer c") List<Object[]> all(); }\n')
    proc = repo.lint("--since", "HEAD~1", "--app-source", "src/main/java", "--db-version", "15", "--format", "json")
    assert _findings(proc) == [("redundant-index", "V13__create_addresses.sql", 10, "info"),
                               ("drop-column", "V15__drop_customer_phone.sql", 3, "warning")]


def test_varchar_widening_that_keeps_the_length_prefix_is_quiet_on_mysql(tmp_path):
    from conftest import run_cli, write_project

    write_project(tmp_path, {
        "V1__posts.sql": "CREATE TABLE posts (id int PRIMARY KEY, title varchar(200) NOT NULL) DEFAULT CHARSET=utf8;\n",
        "V2__longer.sql": "ALTER TABLE posts MODIFY title VARCHAR(255) NOT NULL;\n",
        "V3__longer.sql": "ALTER TABLE posts MODIFY title VARCHAR(300) NOT NULL;\n",
    })
    # (int keys and the missing lock_wait_timeout have rules of their own: not what this test is about)
    proc = run_cli(["lint", ".", "--dialect", "mysql", "--db-version", "8.0.35", "--format", "json", "--no-cache",
                    "--ignore", "prefer-bigint-key", "--ignore", "lock-timeout"],
                   tmp_path)
    # 200 -> 255 keeps a 1-byte (latin1) or 2-byte (multi-byte sets) prefix: in place; 255 -> 300
    # crosses 255 bytes in latin1, so without the charset flylint still warns
    assert [(f["rule"], f["path"]) for f in json.loads(proc.stdout)["findings"]] == [
        ("change-column-type", "V3__longer.sql")]


def test_plan_refuses_a_foreign_key_that_exists(tmp_path):
    from conftest import run_cli

    shutil.copytree(FIXTURES / "realistic-spring-postgres", tmp_path, dirs_exist_ok=True)
    proc = run_cli(["plan", "add-foreign-key", "orders.customer_id", "customers.id", "--no-cache"], tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "Error: orders.customer_id already has a foreign key to customers: orders_customer_id_fkey"
    proc = run_cli(["plan", "add-foreign-key", "order_items.id", "orders.id", "--no-cache"], tmp_path)
    assert proc.returncode == 0, proc.stderr


def _lint_json(tmp_path, files, dialect):
    from conftest import run_cli, write_project

    write_project(tmp_path, files)
    proc = run_cli(["lint", ".", "--dialect", dialect, "--db-version", "8.0.35" if dialect == "mysql" else "15",
                    "--format", "json", "--no-cache", "--fail-on", "never",
                    # int keys and missing lock timeouts have rules of their own, not the subject here
                    "--ignore", "prefer-bigint-key", "--ignore", "lock-timeout"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    return [(f["rule"], f["path"], f["line"], f["message"]) for f in json.loads(proc.stdout)["findings"]]


def test_repeatable_procedure_dropped_and_recreated_is_quiet_and_a_drop_names_a_procedure(tmp_path):
    proc_sql = ("DELIMITER $$\nDROP PROCEDURE IF EXISTS archive_posts $$\nCREATE PROCEDURE archive_posts()\n"
                "BEGIN\n  UPDATE posts SET status = 'archived';\nEND $$\nDELIMITER ;\n")
    got = _lint_json(tmp_path, {
        "V1__posts.sql": "CREATE TABLE posts (id int PRIMARY KEY, status varchar(20));\n",
        "V2__proc.sql": "CREATE PROCEDURE archive_posts() SELECT 1;\n",
        "R__procs.sql": proc_sql,
        "V3__drop.sql": "DROP PROCEDURE archive_posts;\n",
    }, "mysql")
    assert [(r, p, ln) for r, p, ln, _ in got] == [("drop-object", "V3__drop.sql", 1)]
    assert got[0][3].startswith("Dropping procedure archive_posts breaks")


def test_dropping_a_column_that_does_not_exist_is_only_missing_object(tmp_path):
    got = _lint_json(tmp_path, {
        "V1__posts.sql": "CREATE TABLE posts (id int PRIMARY KEY, user_id int);\n",
        "V2__drop.sql": "ALTER TABLE posts DROP COLUMN user_idx;\n",
    }, "mysql")
    assert [(r, p, ln) for r, p, ln, _ in got] == [("missing-object", "V2__drop.sql", 1)]
