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


def test_session_settings_of_sql_and_their_order():
    """One reading of what a migration's connection starts with: url, then initSql, then callbacks."""
    from pathlib import Path

    from flylint.engine import session_defaults
    from flylint.flyway import facts as F
    from flylint.flyway.config import FlywayConfig, sql_session_settings

    assert sql_session_settings("SET SESSION lock_wait_timeout = 5, foreign_key_checks=0; "
                                "SET @@session.sql_mode='x' -- SET lock_wait_timeout = 9\n") == {
        "lock_wait_timeout": "5", "foreign_key_checks": "0", "sql_mode": "'x'"}
    assert sql_session_settings("SELECT set_config('lock_timeout', '3s', false); SET lock_timeout TO 0") == {
        "lock_timeout": "0"}  # the later assignment wins
    assert sql_session_settings("SET innodb_lock_wait_timeout = 9") == {"innodb_lock_wait_timeout": "9"}
    cfg = FlywayConfig(url="jdbc:postgresql://h/db?options=-c%20lock_timeout%3D1s%20-c%20statement_timeout%3D9s",
                       init_sql="SET lock_timeout = '2s'")
    callback = F.SqlCallback(Path("beforeEachMigrate.sql"), "beforeEachMigrate", "SET lock_timeout = '3s';")
    assert session_defaults(cfg, ()) == {"lock_timeout": ("'2s'", "Flyway's initSql"),
                                         "statement_timeout": ("9s", "the options of Flyway's url")}
    assert session_defaults(cfg, (callback,))["lock_timeout"] == ("'3s'", "the callback beforeEachMigrate.sql")
    assert session_defaults(cfg, (callback,), startup=True)["lock_timeout"] == ("1s", "the options of Flyway's url")
