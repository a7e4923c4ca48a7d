"""Flyway SQL callbacks: not migrations, but a beforeEachMigrate callback runs on each migration's
connection, in its transaction, before it: a lock timeout it sets holds for every migration."""

from __future__ import annotations

import json

from conftest import run_cli, write_project

PG = {
    "m/V1__users.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
    "m/V2__age.sql": "ALTER TABLE users ADD COLUMN age int;\n",
}
MY = {
    "m/V1__users.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100));\n",
    "m/V2__age.sql": "ALTER TABLE users ADD COLUMN age int;\n",
}


def _rules(root, dialect="postgres"):
    proc = run_cli(["lint", "m", "--dialect", dialect, "--format", "json", "--no-cache", "--fail-on", "never"],
                   cwd=root)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    return [(f["rule"], f["path"]) for f in doc["findings"]], [m["path"] for m in doc["migrations"]]


def test_before_each_migrate_sets_the_lock_timeout_for_every_migration(tmp_path):
    write_project(tmp_path, PG)
    found, _ = _rules(tmp_path)
    assert ("lock-timeout", "m/V2__age.sql") in found
    write_project(tmp_path, {"m/beforeEachMigrate.sql": "-- every migration gives up after 5 s\n"
                                                        "SET lock_timeout = '5s';\n"})
    found, migrations = _rules(tmp_path)
    assert ("lock-timeout", "m/V2__age.sql") not in found
    assert migrations == ["m/V1__users.sql", "m/V2__age.sql"]  # the callback is not a migration


def test_a_commented_out_setting_or_another_callback_does_not_count(tmp_path):
    write_project(tmp_path, {**PG, "m/beforeEachMigrate.sql": "-- SET lock_timeout = '5s';\nSELECT 1;\n",
                             "m/beforeMigrate.sql": "SET lock_timeout = '5s';\n"})
    found, _ = _rules(tmp_path)
    assert ("lock-timeout", "m/V2__age.sql") in found


def test_lock_timeout_zero_in_the_callback_is_no_limit(tmp_path):
    write_project(tmp_path, {**PG, "m/beforeEachMigrate.sql": "SET lock_timeout = 0;\n"})
    found, _ = _rules(tmp_path)
    assert ("lock-timeout", "m/V2__age.sql") in found


def test_mysql_lock_wait_timeout_in_the_callback(tmp_path):
    write_project(tmp_path, MY)
    found, _ = _rules(tmp_path, "mysql")
    assert ("lock-timeout", "m/V2__age.sql") in found
    write_project(tmp_path, {"m/beforeEachMigrate.sql": "SET SESSION lock_wait_timeout = 5;\n"})
    found, _ = _rules(tmp_path, "mysql")
    assert ("lock-timeout", "m/V2__age.sql") not in found
