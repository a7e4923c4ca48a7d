"""Flyway configuration files, environment variables and script configuration files."""

from __future__ import annotations

from pathlib import Path

import pytest

from flylint.flyway import facts
from flylint.flyway.config import (
    FlywayConfig,
    FlywayConfigError,
    dialect_from_url,
    load_flyway_config,
    parse_properties,
)
from flylint.flyway.naming import NamingSettings
from flylint.flyway.scriptconfig import load_script_config
from flylint.model import ScriptConfig, Span


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, env=None, config_file=None) -> FlywayConfig:
    return load_flyway_config(tmp_path, config_file, env or {})


# --- defaults -------------------------------------------------------------------------------------


def test_defaults_without_any_file(tmp_path):
    cfg = load(tmp_path)
    assert cfg.source is None and cfg.mode is None
    assert cfg.locations == ("filesystem:sql",) and not cfg.locations_configured
    assert cfg.naming == NamingSettings()
    assert cfg.placeholders == {}
    assert (cfg.placeholder_prefix, cfg.placeholder_suffix, cfg.placeholder_separator) == ("${", "}", ":")
    assert cfg.placeholder_replacement and cfg.execute_in_transaction
    assert not (cfg.out_of_order or cfg.mixed or cfg.group or cfg.validate_migration_naming or cfg.fail_on_missing_locations)
    assert cfg.encoding == "UTF-8" and cfg.table == "flyway_schema_history"
    assert cfg.url is None and cfg.dialect is None and cfg.environment == "default"


def test_default_locations_prefer_existing_folders(tmp_path):
    (tmp_path / "src/main/resources/db/migration").mkdir(parents=True)
    assert load(tmp_path).locations == ("filesystem:src/main/resources/db/migration",)
    (tmp_path / "db/migration").mkdir(parents=True)
    assert load(tmp_path).locations == ("filesystem:db/migration",)


# --- flyway.conf ------------------------------------------------------------------------------------


def test_conf_file(tmp_path):
    write(tmp_path / "flyway.conf", """\
# comment
! another comment
flyway.url=jdbc:postgresql://localhost:5432/app
flyway.locations = filesystem:db/migration , filesystem:db/extra,
flyway.sqlMigrationSuffixes=.sql,.pgsql
flyway.sqlMigrationPrefix:M
flyway.placeholders.TableName=users
flyway.placeholders.schema = ${APP_SCHEMA}
flyway.placeholders.unset=${NOT_SET}
flyway.mixed=TRUE
flyway.outOfOrder=False
flyway.schemas=app,audit
flyway.table=history
flyway.encoding=ISO-8859-1
flyway.postgresql.transactional.lock=false
flyway.baselineOnMigrate=true
other.tool.key=whatever
""")
    cfg = load(tmp_path, env={"APP_SCHEMA": "app"})
    assert cfg.mode == "conf" and cfg.source == (tmp_path / "flyway.conf",)
    assert cfg.url == "jdbc:postgresql://localhost:5432/app" and cfg.dialect == "postgres"
    assert cfg.locations == ("filesystem:db/migration", "filesystem:db/extra") and cfg.locations_configured
    assert cfg.naming.suffixes == (".sql", ".pgsql") and cfg.naming.versioned_prefix == "M"
    assert cfg.placeholders == {"tablename": "users", "schema": "app", "unset": ""}
    assert cfg.mixed is True and cfg.out_of_order is False
    assert cfg.schemas == ("app", "audit") and cfg.effective_default_schema == "app"
    assert cfg.table == "history" and cfg.encoding == "ISO-8859-1"


def test_conf_backslashes_are_literal_but_continue_lines(tmp_path):
    write(tmp_path / "flyway.conf", "flyway.locations=filesystem:C:\\migrations\\sql,\\\n    filesystem:db/more\n"
                                     "flyway.table=a\\b\n")
    cfg = load(tmp_path)
    assert cfg.locations == ("filesystem:C:\\migrations\\sql", "filesystem:db/more")
    assert cfg.table == "a\\b"


def test_conf_unknown_key_names_file_and_line(tmp_path):
    write(tmp_path / "flyway.conf", "flyway.url=jdbc:mysql://h/db\n\nflyway.locatons=filesystem:x\n")
    with pytest.raises(FlywayConfigError) as err:
        load(tmp_path)
    msg = str(err.value)
    assert f"{tmp_path / 'flyway.conf'}:3" in msg
    assert "Unknown configuration property: flyway.locatons" in msg
    assert "did you mean locations" in msg
    assert "\n" not in msg


def test_conf_removed_key_is_unknown(tmp_path):
    write(tmp_path / "flyway.conf", "flyway.ignoreMissingMigrations=true\n")
    with pytest.raises(FlywayConfigError, match="ignoreMigrationPatterns"):
        load(tmp_path)


def test_conf_bad_boolean(tmp_path):
    write(tmp_path / "flyway.conf", "flyway.mixed=yes\n")
    with pytest.raises(FlywayConfigError, match=r"flyway.conf:1: Invalid value for flyway.mixed \(should be either true or false\): yes"):
        load(tmp_path)


def test_conf_bad_encoding(tmp_path):
    write(tmp_path / "flyway.conf", "flyway.encoding=NOT-A-CHARSET\n")
    with pytest.raises(FlywayConfigError, match="encoding"):
        load(tmp_path)


def test_known_but_unused_keys_are_fine(tmp_path):
    write(tmp_path / "flyway.conf", "\n".join(f"flyway.{k}=x" for k in [
        "user", "password", "driver", "connectRetries", "initSql", "cleanDisabled", "baselineDescription",
        "installedBy", "callbacks", "resolvers", "jarDirs", "target", "cherryPick", "ignoreMigrationPatterns",
        "validateOnMigrate", "createSchemas", "lockRetryCount", "outputQueryResults", "jdbcProperties.ssl",
        "workingDirectory", "connectTimeout", "skipDefaultResolvers"]) + "\n")
    load(tmp_path)


def test_callback_locations_and_skip_default_callbacks(tmp_path):
    write(tmp_path / "flyway.conf", "flyway.callbackLocations=filesystem:callbacks, classpath:db/callback,\n"
          "flyway.skipDefaultCallbacks=true\n")
    cfg = load(tmp_path)
    assert cfg.callback_locations == ("filesystem:callbacks", "classpath:db/callback") and cfg.skip_default_callbacks
    assert load(tmp_path, env={"FLYWAY_CALLBACK_LOCATIONS": "filesystem:cb", "FLYWAY_SKIP_DEFAULT_CALLBACKS": "false"}
                ).callback_locations == ("filesystem:cb",)
    write(tmp_path / "flyway.conf", "flyway.skipDefaultCallbacks=x\n")
    with pytest.raises(FlywayConfigError, match="skipDefaultCallbacks"):
        load(tmp_path)
    write(tmp_path / "flyway.toml", '[flyway]\ncallbackLocations = ["filesystem:a", "filesystem:b"]\n')
    cfg = load(tmp_path)
    assert cfg.callback_locations == ("filesystem:a", "filesystem:b") and not cfg.skip_default_callbacks
    assert FlywayConfig().callback_locations == ()  # default: callbacks are looked for in the locations


# --- TOML --------------------------------------------------------------------------------------------


def test_toml(tmp_path):
    write(tmp_path / "flyway.toml", """\
[environments.default]
url = "jdbc:mariadb://db:3306/shop"
schemas = ["shop", "audit"]

[environments.ci]
url = "jdbc:postgresql://ci/shop"

[flyway]
locations = ["filesystem:migrations"]
mixed = true
sqlMigrationSuffixes = [".sql"]
defaultSchema = "${env.SCHEMA}"

[flyway.placeholders]
Owner = "admin"
count = 3
flag = true

[flyway.postgresql]
transactional.lock = false
""")
    cfg = load(tmp_path, env={"SCHEMA": "shop"})
    assert cfg.mode == "toml" and cfg.source == (tmp_path / "flyway.toml",)
    assert cfg.url == "jdbc:mariadb://db:3306/shop" and cfg.dialect == "mariadb"
    assert cfg.schemas == ("shop", "audit") and cfg.default_schema == "shop"
    assert cfg.locations == ("filesystem:migrations",) and cfg.mixed
    assert cfg.placeholders == {"owner": "admin", "count": "3", "flag": "true"}
    assert cfg.environment == "default"


def test_toml_environment_and_overrides(tmp_path):
    write(tmp_path / "flyway.toml", """\
[flyway]
environment = "ci"
locations = ["filesystem:a", "filesystem:b"]
outOfOrder = true

[flyway.placeholders]
x = "root"

[environments.ci]
url = "jdbc:postgresql://ci/shop"

[environments.ci.flyway]
locations = ["filesystem:c"]

[environments.ci.flyway.placeholders]
y = "ci"
""")
    cfg = load(tmp_path)
    assert cfg.environment == "ci" and cfg.dialect == "postgres"
    assert cfg.locations == ("filesystem:c",)  # replaced in totality
    assert cfg.out_of_order
    assert cfg.placeholders == {"y": "ci"}


def test_toml_user_file_wins_and_conf_is_ignored(tmp_path):
    write(tmp_path / "flyway.toml", '[flyway]\nlocations = ["filesystem:a"]\ntable = "t1"\n')
    write(tmp_path / "flyway.user.toml", '[flyway]\ntable = "t2"\n')
    write(tmp_path / "flyway.conf", "flyway.bogus=1\n")  # would be an error if read
    cfg = load(tmp_path)
    assert cfg.table == "t2" and cfg.locations == ("filesystem:a",)
    assert cfg.source == (tmp_path / "flyway.toml", tmp_path / "flyway.user.toml")


def test_toml_unknown_key(tmp_path):
    write(tmp_path / "flyway.toml", '[flyway]\nlocations = ["filesystem:a"]\n\nsqlMigrationSufixes = [".sql"]\n')
    with pytest.raises(FlywayConfigError, match=r"flyway.toml:4: Unknown configuration property: sqlMigrationSufixes"):
        load(tmp_path)


def test_toml_syntax_error(tmp_path):
    write(tmp_path / "flyway.toml", '[flyway\nlocations = 1\n')
    with pytest.raises(FlywayConfigError, match="invalid TOML.*line 1"):
        load(tmp_path)


def test_toml_bad_boolean(tmp_path):
    write(tmp_path / "flyway.toml", '[flyway]\ngroup = "maybe"\n')
    with pytest.raises(FlywayConfigError, match="flyway.toml:2: Invalid value for flyway.group"):
        load(tmp_path)


def test_toml_missing_environment(tmp_path):
    write(tmp_path / "flyway.toml", '[flyway]\nenvironment = "prod"\n')
    with pytest.raises(FlywayConfigError, match="prod"):
        load(tmp_path)


# --- explicit files -----------------------------------------------------------------------------------


def test_explicit_files(tmp_path):
    conf = write(tmp_path / "conf/custom.conf", "flyway.table=c\n")
    toml = write(tmp_path / "conf/custom.toml", '[flyway]\ntable = "t"\n')
    write(tmp_path / "flyway.toml", '[flyway]\ntable = "ignored"\n')
    assert load(tmp_path, config_file=Path("conf/custom.conf")).table == "c"
    assert load(tmp_path, config_file=toml).table == "t"
    with pytest.raises(FlywayConfigError, match="Both TOML and legacy"):
        load(tmp_path, config_file=[conf, toml])
    with pytest.raises(FlywayConfigError, match="Unable to load config file"):
        load(tmp_path, config_file=tmp_path / "nope.conf")
    assert load(tmp_path, env={"FLYWAY_CONFIG_FILES": "conf/custom.conf"}).table == "c"


# --- environment variables ---------------------------------------------------------------------------


def test_environment_overrides_files(tmp_path):
    write(tmp_path / "flyway.conf", "flyway.locations=filesystem:a\nflyway.mixed=false\nflyway.placeholders.a=file\n")
    env = {
        "FLYWAY_LOCATIONS": "filesystem:x,filesystem:y",
        "FLYWAY_URL": "jdbc:mysql://h/db",
        "FLYWAY_MIXED": "true",
        "FLYWAY_SQL_MIGRATION_PREFIX": "M",
        "FLYWAY_SQL_MIGRATION_SEPARATOR": "--",
        "FLYWAY_SQL_MIGRATION_SUFFIXES": ".sql,.ddl",
        "FLYWAY_REPEATABLE_SQL_MIGRATION_PREFIX": "RR",
        "FLYWAY_BASELINE_MIGRATION_PREFIX": "BB",
        "FLYWAY_UNDO_SQL_MIGRATION_PREFIX": "UU",
        "FLYWAY_PLACEHOLDER_PREFIX": "#{",
        "FLYWAY_PLACEHOLDER_SUFFIX": "}#",
        "FLYWAY_PLACEHOLDER_SEPARATOR": ".",
        "FLYWAY_PLACEHOLDER_REPLACEMENT": "false",
        "FLYWAY_PLACEHOLDERS_A": "env",
        "FLYWAY_PLACEHOLDERS_NEW_ONE": "n",
        "FLYWAY_OUT_OF_ORDER": "true",
        "FLYWAY_GROUP": "true",
        "FLYWAY_EXECUTE_IN_TRANSACTION": "false",
        "FLYWAY_VALIDATE_MIGRATION_NAMING": "true",
        "FLYWAY_DEFAULT_SCHEMA": "s",
        "FLYWAY_SCHEMAS": "s,t",
        "FLYWAY_TABLE": "hist",
        "FLYWAY_ENCODING": "UTF-16",
        "UNRELATED": "x",
    }
    cfg = load(tmp_path, env=env)
    assert cfg.locations == ("filesystem:x", "filesystem:y")
    assert cfg.dialect == "mysql" and cfg.mixed and cfg.out_of_order and cfg.group
    assert cfg.naming == NamingSettings("M", "UU", "RR", "BB", "--", (".sql", ".ddl"))
    assert (cfg.placeholder_prefix, cfg.placeholder_suffix, cfg.placeholder_separator) == ("#{", "}#", ".")
    assert cfg.placeholder_replacement is False
    assert cfg.placeholders == {"a": "env", "new_one": "n"}
    assert not cfg.execute_in_transaction and cfg.validate_migration_naming
    assert cfg.default_schema == "s" and cfg.schemas == ("s", "t") and cfg.table == "hist"
    assert cfg.encoding == "UTF-16"


def test_environment_bad_boolean_names_the_variable(tmp_path):
    with pytest.raises(FlywayConfigError, match="environment variable FLYWAY_GROUP"):
        load(tmp_path, env={"FLYWAY_GROUP": "1"})


@pytest.mark.parametrize(
    "url, dialect",
    [
        ("jdbc:postgresql://localhost/db", "postgres"),
        ("jdbc:postgresql:db", "postgres"),
        ("jdbc:mysql://h:3306/db?useSSL=false", "mysql"),
        ("jdbc:mariadb://h/db", "mariadb"),
        ("jdbc:sqlserver://h", None),
        ("postgresql://h/db", None),
        ("", None),
        (None, None),
    ],
)
def test_dialect_from_url(url, dialect):
    assert dialect_from_url(url) == dialect


def test_builtin_placeholder_stand_ins(tmp_path):
    cfg = FlywayConfig(url="jdbc:mysql://h/shop", table="hist")
    b = cfg.builtin_placeholders(tmp_path)
    assert b["defaultSchema"] == "shop" and b["database"] == "shop" and b["table"] == "hist"
    assert FlywayConfig().builtin_placeholders()["defaultSchema"] == "public"
    assert FlywayConfig(schemas=("a", "b")).builtin_placeholders()["defaultSchema"] == "a"


# --- properties parser -----------------------------------------------------------------------------


def test_properties_positions():
    text = "  # c\n  key  =  value here\nk2:v2\nmulti=a,\\\n   b\n\nempty=\nlast\\\n"
    entries = parse_properties(text)
    assert [(e.key, e.value) for e in entries] == [
        ("key", "value here"), ("k2", "v2"), ("multi", "a,b"), ("empty", ""), ("last\\", "")]
    e = entries[0]
    assert (e.line, e.column, e.end_column) == (2, 3, 5)
    assert (e.value_line, e.value_column, e.value_end_line, e.value_end_column) == (2, 11, 2, 20)
    m = entries[2]
    assert (m.value_line, m.value_column, m.value_end_line, m.value_end_column) == (4, 7, 5, 4)


def test_properties_continuation_stops_before_a_new_flyway_property():
    entries = parse_properties("flyway.table=a\\\nflyway.mixed=true\n")
    assert [(e.key, e.value) for e in entries] == [("flyway.table", "a\\"), ("flyway.mixed", "true")]


# --- script configuration files ----------------------------------------------------------------------


def test_script_config_valid(tmp_path):
    conf = write(tmp_path / "V1__x.sql.conf",
                 "executeInTransaction=FALSE\nencoding=ISO-8859-1\nplaceholderReplacement=false\n"
                 "shouldExecute=${env}==prod\n")
    sc, found = load_script_config(conf, env={}, placeholders={"ENV": "prod"})
    assert found == []
    assert sc == ScriptConfig(False, "ISO-8859-1", False, "prod==prod")
    # Without placeholders (Flyway's scanner reads it so), ${NAME} is environment expansion.
    sc, found = load_script_config(conf, env={"env": "dev"})
    assert sc.should_execute == "dev==prod"


def test_script_config_problems(tmp_path):
    conf = write(tmp_path / "V1__x.sql.conf",
                 "flyway.encoding=UTF-16\nexecuteInTransaction=no\n  encoding = klingon\n"
                 "placeholderReplacement=off\nbogus=1\n")
    sc, found = load_script_config(conf, env={})
    assert sc == ScriptConfig(None, None, False, None)
    unknown = [f for f in found if isinstance(f, facts.UnknownScriptConfigKey)]
    assert [(f.key, f.span) for f in unknown] == [
        ("flyway.encoding", Span(1, 1, 1, 15)), ("bogus", Span(5, 1, 5, 5))]
    invalid = {f.key: f for f in found if isinstance(f, facts.InvalidScriptConfigValue)}
    assert set(invalid) == {"executeInTransaction", "encoding", "placeholderReplacement"}
    assert invalid["executeInTransaction"].value == "no"
    assert invalid["executeInTransaction"].span == Span(2, 22, 2, 23)
    assert invalid["encoding"].span == Span(3, 14, 3, 20)
    assert all(f.path == conf for f in found)


def test_script_config_placeholders_and_env(tmp_path):
    conf = write(tmp_path / "V1__x.sql.conf", "shouldExecute=${a}==${missing} && ${B}\n")
    sc, found = load_script_config(conf, env={"B": "bee"}, placeholders={"a": "1"})
    # Flyway replaces placeholders first (undefined ones are errors), then expands ${NAME}.
    assert sc.should_execute == "1== && bee"
    undefined = [f for f in found if isinstance(f, facts.UndefinedPlaceholder)]
    assert [(u.name, u.span) for u in undefined] == [("missing", Span(1, 21, 1, 30)), ("B", Span(1, 35, 1, 38))]


def test_script_config_undecodable(tmp_path):
    conf = tmp_path / "V1__x.sql.conf"
    conf.write_bytes(b"encoding=UTF-8\nshouldExecute=\xff\n")
    sc, found = load_script_config(conf, env={})
    assert sc == ScriptConfig()
    [f] = found
    assert isinstance(f, facts.UndecodableFile) and f.span == Span(2, 15, 2, 15)
