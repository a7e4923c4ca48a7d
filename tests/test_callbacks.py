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


# callbackLocations ----------------------------------------------------------------------------
# When set, Flyway looks for SQL callbacks there and only there (FlywayExecutor: the callback
# scanner is built from callbackLocations when it is not empty, else the migration scanner is used);
# the migration resolvers never see those folders.

CONF = "flyway.url=jdbc:postgresql://localhost/shop\nflyway.locations=filesystem:m\n"
TOML = '[environments.default]\nurl = "jdbc:postgresql://localhost/shop"\n\n[flyway]\nlocations = ["filesystem:m"]\n'
SET_5S = "SET lock_timeout = '5s';\n"


def _lint(root, env=None):
    """Lint the configured locations (no path given), as `flylint lint` in a Flyway project."""
    proc = run_cli(["lint", "--format", "json", "--no-cache", "--fail-on", "never"], cwd=root, env=env)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    return [(f["rule"], f["path"]) for f in doc["findings"]], [m["path"] for m in doc["migrations"]], doc


def test_callback_locations_in_flyway_conf(tmp_path):
    write_project(tmp_path, {**PG, "flyway.conf": CONF + "flyway.callbackLocations=filesystem:callbacks\n",
                             "callbacks/other.sql": "SELECT 1;\n"})
    found, _, _ = _lint(tmp_path)
    assert ("lock-timeout", "m/V2__age.sql") in found
    write_project(tmp_path, {"callbacks/beforeEachMigrate.sql": SET_5S})
    found, migrations, _ = _lint(tmp_path)
    assert ("lock-timeout", "m/V2__age.sql") not in found
    assert migrations == ["m/V1__users.sql", "m/V2__age.sql"]


def test_callback_locations_in_flyway_toml_with_a_description_and_a_subfolder(tmp_path):
    write_project(tmp_path, {**PG, "flyway.toml": TOML + 'callbackLocations = ["filesystem:db/callbacks"]\n',
                             "db/callbacks/pg/beforeEachMigrate__timeouts.sql": SET_5S})
    found, _, _ = _lint(tmp_path)
    assert ("lock-timeout", "m/V2__age.sql") not in found


def test_callback_locations_from_the_environment(tmp_path):
    write_project(tmp_path, {**PG, "flyway.conf": CONF, "cb/beforeEachMigrate.sql": SET_5S})
    found, _, _ = _lint(tmp_path)
    assert ("lock-timeout", "m/V2__age.sql") in found  # cb is no location
    found, _, _ = _lint(tmp_path, env={"FLYWAY_CALLBACK_LOCATIONS": "filesystem:nothing, filesystem:cb"})
    assert ("lock-timeout", "m/V2__age.sql") not in found


def test_a_migration_in_a_callback_location_is_not_a_migration(tmp_path):
    write_project(tmp_path, {**PG, "flyway.conf": CONF + "flyway.callbackLocations=filesystem:callbacks\n",
                             "callbacks/beforeEachMigrate.sql": SET_5S,
                             "callbacks/V3__drop.sql": "DROP TABLE users;\n",
                             "callbacks/V3_bad_name.sql": "SELECT 1;\n"})
    found, migrations, _ = _lint(tmp_path)
    assert migrations == ["m/V1__users.sql", "m/V2__age.sql"]
    assert not [f for f in found if f[1].startswith("callbacks/")]


def test_with_callback_locations_set_a_callback_in_the_migration_locations_does_not_run(tmp_path):
    write_project(tmp_path, {**PG, "flyway.conf": CONF + "flyway.callbackLocations=filesystem:callbacks\n",
                             "callbacks/afterMigrate.sql": "SELECT 1;\n",
                             "m/beforeEachMigrate.sql": SET_5S})
    found, migrations, _ = _lint(tmp_path)
    assert ("lock-timeout", "m/V2__age.sql") in found
    assert migrations == ["m/V1__users.sql", "m/V2__age.sql"]


def test_a_missing_callback_location_is_reported_like_a_missing_location(tmp_path):
    write_project(tmp_path, {**PG, "flyway.conf": CONF + "flyway.callbackLocations=filesystem:callbacks\n",
                             "m/beforeEachMigrate.sql": SET_5S})
    found, _, doc = _lint(tmp_path)
    assert ("lock-timeout", "m/V2__age.sql") in found
    [missing] = [f for f in doc["findings"] if f["rule"] == "flyway-missing-location"]
    assert missing["message"] == "The callback location 'filesystem:callbacks' does not exist; Flyway skips it."


def test_skip_default_callbacks_runs_no_sql_callback(tmp_path):
    write_project(tmp_path, {**PG, "flyway.conf": CONF + "flyway.skipDefaultCallbacks=true\n",
                             "m/beforeEachMigrate.sql": SET_5S})
    found, _, _ = _lint(tmp_path)
    assert ("lock-timeout", "m/V2__age.sql") in found


# Placeholders: Flyway replaces them in SQL callbacks as in migrations ---------------------------

PLACEHOLDER_SET = "SET lock_timeout = '${lock_timeout}';\n"


def test_placeholders_in_the_callback_are_replaced(tmp_path):
    write_project(tmp_path, {**PG, "flyway.conf": CONF + "flyway.callbackLocations=filesystem:callbacks\n"
                                                         "flyway.placeholders.lock_timeout=5s\n",
                             "callbacks/beforeEachMigrate.sql": PLACEHOLDER_SET})
    found, _, _ = _lint(tmp_path)
    assert ("lock-timeout", "m/V2__age.sql") not in found


def test_a_placeholder_replaced_by_zero_is_no_limit(tmp_path):
    write_project(tmp_path, {**PG, "flyway.toml": TOML + "\n[flyway.placeholders]\nlock_timeout = \"0\"\n",
                             "m/beforeEachMigrate.sql": PLACEHOLDER_SET})
    found, _, _ = _lint(tmp_path)
    assert ("lock-timeout", "m/V2__age.sql") in found


def test_an_undefined_placeholder_in_the_callback_sets_nothing(tmp_path):
    write_project(tmp_path, {**PG, "flyway.conf": CONF + "flyway.callbackLocations=filesystem:callbacks\n",
                             "callbacks/beforeEachMigrate.sql": "-- timeouts\n" + PLACEHOLDER_SET})
    found, _, doc = _lint(tmp_path)
    assert ("lock-timeout", "m/V2__age.sql") in found  # Flyway refuses to run the callback
    [undefined] = [f for f in doc["findings"] if f["rule"] == "flyway-undefined-placeholder"]
    assert (undefined["path"], undefined["line"]) == ("callbacks/beforeEachMigrate.sql", 2)


def test_session_defaults_read_the_replaced_callback_text(tmp_path):
    """The engine's view: what the callback sets, after replacement, with the file it comes from."""
    from flylint.engine import session_defaults
    from flylint.flyway.config import load_flyway_config
    from flylint.flyway.discovery import discover

    write_project(tmp_path, {**MY, "flyway.conf": "flyway.locations=filesystem:m\n"
                                                  "flyway.callbackLocations=filesystem:cb\n"
                                                  "flyway.placeholders.wait=7\n",
                             "cb/beforeEachMigrate.sql": "SET SESSION lock_wait_timeout = ${wait};\n"})
    cfg = load_flyway_config(tmp_path, env={})
    assert cfg.callback_locations == ("filesystem:cb",)
    found = discover(cfg, [], tmp_path, env={})
    assert session_defaults(cfg, found.facts)["lock_wait_timeout"] == ("7", "the callback beforeEachMigrate.sql")
    assert [s.migration.path.name for s in found.sources] == ["V1__users.sql", "V2__age.sql"]


# initSql: Flyway runs it as a SQL script (FlywayExecutor's connection initializer wraps it in a
# StringResource for sqlScriptFactory.createSqlScript), so its placeholders are replaced too ------

INIT_SQL_TOML = TOML.replace('url = "jdbc:postgresql://localhost/shop"\n',
                             'url = "jdbc:postgresql://localhost/shop"\n'
                             'initSql = "SET lock_timeout = \'${lt}\'"\n')


def test_placeholders_in_init_sql_are_replaced(tmp_path):
    write_project(tmp_path, {**PG, "flyway.toml": INIT_SQL_TOML + "\n[flyway.placeholders]\nlt = \"5s\"\n"})
    found, _, doc = _lint(tmp_path)
    assert ("lock-timeout", "m/V2__age.sql") not in found
    assert not [f for f in doc["findings"] if f["rule"] == "flyway-undefined-placeholder"]


def test_init_sql_placeholder_replaced_by_zero_is_no_limit(tmp_path):
    write_project(tmp_path, {**PG, "flyway.toml": INIT_SQL_TOML + "\n[flyway.placeholders]\nlt = \"0\"\n"})
    found, _, _ = _lint(tmp_path)
    assert ("lock-timeout", "m/V2__age.sql") in found


def test_an_undefined_placeholder_in_init_sql_sets_nothing_and_is_reported_in_the_config_file(tmp_path):
    write_project(tmp_path, {**PG, "flyway.toml": INIT_SQL_TOML})
    found, _, doc = _lint(tmp_path)
    assert ("lock-timeout", "m/V2__age.sql") in found  # '${lt}' is no lock timeout: Flyway fails on it
    [undefined] = [f for f in doc["findings"] if f["rule"] == "flyway-undefined-placeholder"]
    assert (undefined["path"], undefined["line"], undefined["column"]) == ("flyway.toml", 3, 32)
    assert undefined["message"] == (
        "No value is configured for the placeholder 'lt' in initSql; Flyway fails as soon as it connects: "
        "every command (migrate, info, validate) fails before it does anything.")
    assert undefined["severity"] == "error"


def test_init_sql_from_the_environment(tmp_path):
    write_project(tmp_path, {**PG, "flyway.conf": CONF})
    env = {"FLYWAY_INIT_SQL": "SET lock_timeout = '${lt}'"}
    found, _, doc = _lint(tmp_path, env={**env, "FLYWAY_PLACEHOLDERS_LT": "5s"})
    assert ("lock-timeout", "m/V2__age.sql") not in found
    found, _, doc = _lint(tmp_path, env=env)
    assert ("lock-timeout", "m/V2__age.sql") in found
    [undefined] = [f for f in doc["findings"] if f["rule"] == "flyway-undefined-placeholder"]
    assert undefined["path"] == "."
    assert "in initSql (set by the environment variable FLYWAY_INIT_SQL)" in undefined["message"]


def test_init_sql_with_placeholder_replacement_off_is_taken_literally(tmp_path):
    """Flyway sends '${lt}' as written: no valid lock timeout, and nothing undefined to report."""
    write_project(tmp_path, {**PG, "flyway.toml": INIT_SQL_TOML + "placeholderReplacement = false\n"})
    found, _, doc = _lint(tmp_path)
    assert ("lock-timeout", "m/V2__age.sql") in found
    assert not [f for f in doc["findings"] if f["rule"] == "flyway-undefined-placeholder"]


def test_in_flyway_conf_init_sql_dollar_braces_are_environment_variables(tmp_path):
    """flyway.conf expands ${NAME} from the environment when it is read (unset: empty), before
    Flyway's placeholders see initSql: the placeholder's value is never used there."""
    write_project(tmp_path, {**PG, "flyway.conf": CONF + "flyway.initSql=SET lock_timeout = '${lt}'\n"
                                                         "flyway.placeholders.lt=5s\n"})
    found, _, doc = _lint(tmp_path)
    assert ("lock-timeout", "m/V2__age.sql") in found  # '' sets nothing
    found, _, doc = _lint(tmp_path, env={"lt": "5s"})
    assert ("lock-timeout", "m/V2__age.sql") not in found


def test_session_defaults_read_the_replaced_init_sql():
    from flylint.engine import session_defaults
    from flylint.flyway.config import FlywayConfig

    cfg = FlywayConfig(url="jdbc:postgresql://h/db", init_sql="SET lock_timeout = '${lt}'", placeholders={"lt": "4s"})
    assert session_defaults(cfg, ())["lock_timeout"] == ("'4s'", "Flyway's initSql")
    assert "lock_timeout" not in session_defaults(FlywayConfig(init_sql="SET lock_timeout = '${lt}'"), ())
    literal = FlywayConfig(init_sql="SET lock_timeout = '${lt}'", placeholder_replacement=False)
    assert "lock_timeout" not in session_defaults(literal, ())


def test_an_undefined_placeholder_in_a_callback_says_what_fails(tmp_path):
    write_project(tmp_path, {**PG, "m/beforeEachMigrate.sql": PLACEHOLDER_SET,
                             "m/V3__x.sql": "SELECT '${other}';\n"})
    _, _, doc = _lint_paths(tmp_path)
    messages = {f["path"]: f["message"] for f in doc["findings"] if f["rule"] == "flyway-undefined-placeholder"}
    assert messages == {
        "m/beforeEachMigrate.sql": "No value is configured for the placeholder 'lock_timeout'; Flyway fails on this "
        "callback, which runs before every migration: migrate stops before the first pending migration and "
        "applies none.",
        "m/V3__x.sql": "No value is configured for the placeholder 'other'; Flyway fails this migration.",
    }


def test_an_undefined_placeholder_in_a_callbacks_script_config_is_the_callbacks(tmp_path):
    write_project(tmp_path, {**PG, "m/beforeEachMigrate.sql": SET_5S,
                             "m/beforeEachMigrate.sql.conf": "encoding=${enc}\n"})
    _, _, doc = _lint_paths(tmp_path)
    [undefined] = [f for f in doc["findings"] if f["rule"] == "flyway-undefined-placeholder"]
    assert undefined["path"] == "m/beforeEachMigrate.sql.conf"
    assert "Flyway fails on this callback" in undefined["message"]


def _lint_paths(root, env=None):
    proc = run_cli(["lint", "m", "--dialect", "postgres", "--format", "json", "--no-cache", "--fail-on", "never"],
                   cwd=root, env=env)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    return [(f["rule"], f["path"]) for f in doc["findings"]], [m["path"] for m in doc["migrations"]], doc


# Two SQL callbacks with one name: SqlScriptCallbackFactory throws "Found more than 1 SQL callback
# script called <name>!" (the name: event, separator, description; no suffix) --------------------

def _duplicates(doc):
    return [(f["path"], f["message"]) for f in doc["findings"] if f["rule"] == "flyway-duplicate-callback"]


def test_the_same_callback_in_two_locations(tmp_path):
    write_project(tmp_path, {**PG, "flyway.conf": "flyway.url=jdbc:postgresql://localhost/shop\n"
                                                  "flyway.locations=filesystem:m,filesystem:shared\n",
                             "m/beforeEachMigrate.sql": SET_5S, "shared/beforeEachMigrate.sql": "SELECT 1;\n"})
    _, _, doc = _lint(tmp_path)
    [(path, message)] = _duplicates(doc)
    assert path == "shared/beforeEachMigrate.sql"  # the second one
    assert message == ("More than one SQL callback is called 'beforeEachMigrate' (m/beforeEachMigrate.sql, "
                       "shared/beforeEachMigrate.sql); Flyway refuses to run any command.")
    [finding] = [f for f in doc["findings"] if f["rule"] == "flyway-duplicate-callback"]
    assert finding["severity"] == "error"


def test_two_suffixes_and_underscores_read_as_spaces_are_one_name(tmp_path):
    write_project(tmp_path, {**PG, "m/afterMigrate.sql": "SELECT 1;\n", "m/sub/afterMigrate.SQL": "SELECT 2;\n",
                             "m/beforeEachMigrate__lock_timeout.sql": SET_5S,
                             "m/sub/beforeEachMigrate__lock timeout.sql": SET_5S})
    _, _, doc = _lint_paths(tmp_path)
    assert [p for p, _ in _duplicates(doc)] == ["m/sub/afterMigrate.SQL", "m/sub/beforeEachMigrate__lock timeout.sql"]
    assert "called 'beforeEachMigrate__lock timeout'" in _duplicates(doc)[1][1]


def test_distinct_descriptions_events_or_case_are_no_duplicates(tmp_path):
    write_project(tmp_path, {**PG, "m/beforeEachMigrate.sql": SET_5S, "m/beforeEachMigrate__a.sql": "SELECT 1;\n",
                             "m/sub/beforeEachMigrate__A.sql": "SELECT 1;\n",
                             "m/sub/afterEachMigrate.sql": "SELECT 1;\n"})
    _, _, doc = _lint_paths(tmp_path)
    assert _duplicates(doc) == []


def test_duplicate_callbacks_in_callback_locations_only_count_there(tmp_path):
    files = {**PG, "flyway.conf": CONF + "flyway.callbackLocations=filesystem:cb1,filesystem:cb2\n",
             "cb1/beforeEachMigrate.sql": SET_5S, "cb2/beforeEachMigrate.sql": SET_5S,
             "m/afterMigrate.sql": "SELECT 1;\n", "m/sub/afterMigrate.sql": "SELECT 1;\n"}  # not scanned for callbacks
    write_project(tmp_path, files)
    _, _, doc = _lint(tmp_path)
    assert [p for p, _ in _duplicates(doc)] == ["cb2/beforeEachMigrate.sql"]
    write_project(tmp_path, {"flyway.conf": CONF + "flyway.callbackLocations=filesystem:cb1,filesystem:cb2\n"
                                                   "flyway.skipDefaultCallbacks=true\n"})
    _, _, doc = _lint(tmp_path)
    assert _duplicates(doc) == []  # Flyway builds no SQL callback factory then
