"""Flyway configuration as Flyway itself would read it: `flyway.toml`/`flyway.user.toml`,
legacy `flyway.conf`, and `FLYWAY_*` environment variables.

Files (all relative to the working directory `cwd`):

* `config_file` given: that file (or those files) only, TOML when the name ends with `.toml`,
  else Java properties. Giving both kinds is an error, as in Flyway.
* else `FLYWAY_CONFIG_FILES` (comma-separated) when set, with the same rules;
* else `flyway.toml` and `flyway.user.toml` (the latter wins); if either exists, TOML ("modern")
  mode is used and `flyway.conf` is ignored;
* else `flyway.conf`.

Flyway also reads `<installDir>/conf/` and the home directory; flylint does not, so that a lint
result depends on the project only.

Environment variables override files (Flyway's precedence: command line > environment > files).

Locations: when none are configured, Flyway's API default is `classpath:db/migration` and the
CLI's is `<installDir>/sql`. flylint picks what a project most plausibly means, relative to `cwd`:
`filesystem:db/migration` if that folder exists, else `filesystem:src/main/resources/db/migration`
if that exists, else `filesystem:sql`. `FlywayConfig.locations_configured` tells the two apart.

Every problem raises `FlywayConfigError` with a one-line message naming the file and, where
possible, the line.
"""

from __future__ import annotations

import codecs
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from flylint.flyway.naming import NamingSettings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


class FlywayConfigError(Exception):
    """A configuration Flyway would refuse (or flylint cannot read). The message is one line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split("\n")))

    @property
    def message(self) -> str:
        return str(self.args[0])


# ---------------------------------------------------------------------------------------------
# Known keys.

# Keys of `flyway.conf` (after `flyway.`) that Flyway knows: ConfigUtils constants, the TOML model
# (FlywayModel / environment models) and the settings of the plugins shipped with the CLI.
KNOWN_KEYS: frozenset[str] = frozenset(
    """
    baselineDescription baselineMigrationPrefix baselineOnMigrate baselineVersion batch
    callbackLocations callbacks cherryPick cleanDisabled cleanOnValidationError
    communityDBSupportEnabled configFileEncoding configFiles configurations connectRetries
    connectRetriesInterval connectTimeout createSchemas defaultSchema detectEncoding driver
    dryRunOutput edition email encoding environment environmentProvisionMode errorOverrides
    executeInTransaction failOnMissingLocations failOnMissingTarget group ignoreMigrationPatterns
    initSql installedBy jarDirs kerberosConfigFile licenseKey locations lockRetryCount loggers
    migrationResolvers mixed outOfOrder outputLogsInJson outputProgress outputQueryResults
    outputType password placeholderPrefix placeholderReplacement placeholderSeparator
    placeholderSuffix powershellExecutable repeatableSqlMigrationPrefix reportEnabled
    reportFilename resolvers schemas scriptPlaceholderPrefix scriptPlaceholderSuffix
    skipDefaultCallbacks skipDefaultResolvers skipExecutingMigrations sqlMigrationPrefix
    sqlMigrationSeparator sqlMigrationSuffixes stream table tablespace target token
    undoSqlMigrationPrefix url user validateMigrationNaming validateOnMigrate workingDirectory
    """.split()
)

# `flyway.<namespace>.<anything>` is accepted for these namespaces (placeholders, JDBC properties,
# database- and plugin-specific settings such as `flyway.postgresql.transactional.lock`).
KNOWN_NAMESPACES: frozenset[str] = frozenset(
    """
    placeholders jdbcProperties plugins propertyResolvers postgresql mysql mariadb sqlserver oracle
    db2 snowflake bigquery redshift cockroachdb clickhouse spanner databricks mongodb cassandra
    sqlite h2 hsqldb derby firebird informix sybase saphana synapse yugabytedb tidb singlestore
    check cleanup vault dapr gcsm azure aws secretsManager localSecret provisioner
    """.split()
)

# Names Flyway dropped; they fail with "Unknown configuration property" in current Flyway.
REMOVED_KEYS: Mapping[str, str] = {
    "ignoreMissingMigrations": "ignoreMigrationPatterns",
    "ignoreIgnoredMigrations": "ignoreMigrationPatterns",
    "ignorePendingMigrations": "ignoreMigrationPatterns",
    "ignoreFutureMigrations": "ignoreMigrationPatterns",
    "ignoreInvalidMigrationNames": "validateMigrationNaming",
    "sqlMigrationSuffix": "sqlMigrationSuffixes",
}

# Keys of an `[environments.<name>]` table.
ENVIRONMENT_KEYS: frozenset[str] = frozenset(
    """
    url user password driver schemas connectRetries connectRetriesInterval initSql jdbcProperties
    resolvers provisioner displayName flyway token
    """.split()
)

# Environment variable -> key (ConfigUtils.convertKey).
ENV_VARS: Mapping[str, str] = {
    "FLYWAY_LOCATIONS": "locations",
    "FLYWAY_CALLBACK_LOCATIONS": "callbackLocations",
    "FLYWAY_URL": "url",
    "FLYWAY_USER": "user",
    "FLYWAY_INIT_SQL": "initSql",
    "FLYWAY_ENCODING": "encoding",
    "FLYWAY_DETECT_ENCODING": "detectEncoding",
    "FLYWAY_SQL_MIGRATION_PREFIX": "sqlMigrationPrefix",
    "FLYWAY_SQL_MIGRATION_SEPARATOR": "sqlMigrationSeparator",
    "FLYWAY_SQL_MIGRATION_SUFFIXES": "sqlMigrationSuffixes",
    "FLYWAY_REPEATABLE_SQL_MIGRATION_PREFIX": "repeatableSqlMigrationPrefix",
    "FLYWAY_BASELINE_MIGRATION_PREFIX": "baselineMigrationPrefix",
    "FLYWAY_UNDO_SQL_MIGRATION_PREFIX": "undoSqlMigrationPrefix",
    "FLYWAY_PLACEHOLDER_PREFIX": "placeholderPrefix",
    "FLYWAY_PLACEHOLDER_SUFFIX": "placeholderSuffix",
    "FLYWAY_PLACEHOLDER_SEPARATOR": "placeholderSeparator",
    "FLYWAY_PLACEHOLDER_REPLACEMENT": "placeholderReplacement",
    "FLYWAY_OUT_OF_ORDER": "outOfOrder",
    "FLYWAY_MIXED": "mixed",
    "FLYWAY_GROUP": "group",
    "FLYWAY_EXECUTE_IN_TRANSACTION": "executeInTransaction",
    "FLYWAY_VALIDATE_MIGRATION_NAMING": "validateMigrationNaming",
    "FLYWAY_FAIL_ON_MISSING_LOCATIONS": "failOnMissingLocations",
    "FLYWAY_SKIP_DEFAULT_CALLBACKS": "skipDefaultCallbacks",
    "FLYWAY_DEFAULT_SCHEMA": "defaultSchema",
    "FLYWAY_SCHEMAS": "schemas",
    "FLYWAY_IGNORE_MIGRATION_PATTERNS": "ignoreMigrationPatterns",
    "FLYWAY_TABLE": "table",
    "FLYWAY_ENVIRONMENT": "environment",
    "flyway_environment": "environment",
}

_BOOLEAN_KEYS = (
    "outOfOrder", "mixed", "group", "executeInTransaction", "validateMigrationNaming",
    "failOnMissingLocations", "placeholderReplacement", "detectEncoding", "skipDefaultCallbacks",
)
_LIST_KEYS = ("locations", "callbackLocations", "sqlMigrationSuffixes", "schemas", "ignoreMigrationPatterns")


# ---------------------------------------------------------------------------------------------
# The result.


@dataclass(frozen=True)
class FlywayConfig:
    """The settings flylint needs, resolved from files, environment variables and defaults."""

    locations: tuple[str, ...] = ("filesystem:sql",)
    locations_configured: bool = False
    # Where Flyway looks for SQL callbacks (beforeEachMigrate.sql, ...): when empty, in `locations`;
    # when set, only there (see flylint.flyway.discovery)
    callback_locations: tuple[str, ...] = ()
    skip_default_callbacks: bool = False  # true: Flyway runs no SQL callback at all
    naming: NamingSettings = field(default_factory=NamingSettings)
    placeholders: dict[str, str] = field(default_factory=dict)  # keys lower-cased
    placeholder_prefix: str = "${"
    placeholder_suffix: str = "}"
    placeholder_separator: str = ":"
    placeholder_replacement: bool = True
    encoding: str = "UTF-8"
    detect_encoding: bool = False
    out_of_order: bool = False
    mixed: bool = False
    group: bool = False
    execute_in_transaction: bool = True
    validate_migration_naming: bool = False
    fail_on_missing_locations: bool = False
    default_schema: str | None = None
    schemas: tuple[str, ...] = ()
    table: str = "flyway_schema_history"
    ignore_migration_patterns: tuple[str, ...] = ("*:future",)  # for validate (flylint.verify.history)
    url: str | None = None
    user: str | None = None
    init_sql: str | None = None  # SQL Flyway runs on each new connection (e.g. SET lock_timeout)
    # where initSql is set: "<file>:<line>", "<file>" or "environment variable FLYWAY_INIT_SQL"
    init_sql_origin: str | None = None
    environment: str = "default"
    mode: str | None = None  # 'toml', 'conf' or None (no file)
    source: tuple[Path, ...] | None = None  # the files read, in the order they were applied

    @property
    def dialect(self) -> str | None:
        return dialect_from_url(self.url)

    @property
    def effective_default_schema(self) -> str | None:
        """`defaultSchema`, else the first of `schemas` (Flyway's `getCalculatedDefaultSchema`)."""
        if self.default_schema:
            return self.default_schema
        return self.schemas[0] if self.schemas else None

    def catalog_schema(self, dialect: str | None) -> str | None:
        """The schema unqualified names live in: the effective default schema, else on MySQL and
        MariaDB the database of the url (Flyway leaves the connection in it, so `shop`.`orders`
        and `orders` are the same table); None when nothing says."""
        schema = self.effective_default_schema
        if schema is None and (dialect or self.dialect) in ("mysql", "mariadb"):
            schema = _database_from_url(self.url)
        return schema

    def builtin_placeholders(self, cwd: Path | None = None) -> dict[str, str]:
        """Offline stand-ins for Flyway's built-in placeholders, by short name (no `flyway:`).

        Flyway takes most of them from the live connection; flylint cannot, so it uses the
        configured values where there are any and plausible constants otherwise. `filename` is
        set per script by `placeholders.replace_placeholders`.
        """
        dialect = self.dialect
        schema = self.effective_default_schema
        if schema is None:
            schema = _database_from_url(self.url) if dialect in ("mysql", "mariadb") else None
        if schema is None:
            schema = "public" if dialect in (None, "postgres") else "flyway"
        return {
            "defaultSchema": schema,
            "user": self.user or _user_from_url(self.url) or "flyway",
            "database": _database_from_url(self.url) or "flyway",
            "timestamp": "1970-01-01 00:00:00",
            "workingDirectory": str(cwd) if cwd is not None else ".",
            "table": self.table,
            "environment": self.environment,
        }


def dialect_from_url(url: str | None) -> str | None:
    """'postgres', 'mysql' or 'mariadb' for a JDBC URL of those drivers, else None."""
    if not url:
        return None
    lowered = url.strip().lower()
    if lowered.startswith("jdbc:postgresql:"):
        return "postgres"
    if lowered.startswith("jdbc:mysql:"):
        return "mysql"
    if lowered.startswith("jdbc:mariadb:"):
        return "mariadb"
    return None


_URL_DATABASE = re.compile(r"^jdbc:[a-z0-9]+://[^/?]*/([^/?;#]+)", re.IGNORECASE)
_URL_USER = re.compile(r"[?&;]user=([^&;#]+)", re.IGNORECASE)


_SQL_COMMENT = re.compile(r"--[^\n]*|#[^\n]*|/\*.*?(?:\*/|\Z)", re.S)
_SET = re.compile(r"\bSET\s+(?:SESSION\s+|LOCAL\s+)?((?:@@(?:session\.)?)?\w+\s*(?:=|\bTO\b).*?)(?=;|\Z)",
                  re.I | re.S)
_ASSIGNMENT = re.compile(r"^\s*(?:@@(?:session\.)?)?(\w+)\s*(?:=|\bTO\b)\s*('[^']*'|[^,\s]+)\s*", re.I)
_SET_TIME_ZONE = re.compile(r"\bSET\s+(?:SESSION\s+|LOCAL\s+)?TIME\s+ZONE\s+('[^']*'|[^;\s]+)", re.I)
_SET_CONFIG = re.compile(r"\bset_config\s*\(\s*'(\w+)'\s*,\s*'([^']*)'", re.I)


def sql_session_settings(sql: str | None) -> dict[str, str]:
    """The session settings a piece of SQL run on the connection sets (Flyway's initSql, a
    beforeEachMigrate callback): `SET [SESSION|LOCAL] name = value [, name = value]`, `SET name TO
    value`, `SET @@session.name = value` and PostgreSQL's `set_config('name', 'value', ...)`; the
    last assignment of a name wins. Names are lower case; values keep their quotes. Comments are
    ignored; quoted values must not hold a semicolon."""
    found: list[tuple[int, str, str]] = []
    text = _SQL_COMMENT.sub(" ", sql or "")
    for m in _SET.finditer(text):
        rest = m.group(1)
        while True:
            a = _ASSIGNMENT.match(rest)
            if a is None:
                break
            found.append((m.start(), a.group(1).lower(), a.group(2)))
            rest = rest[a.end():]
            if not rest.startswith(","):
                break
            rest = rest[1:]
    for m in _SET_TIME_ZONE.finditer(text):  # PostgreSQL's SET TIME ZONE 'UTC' sets TimeZone
        found.append((m.start(), "timezone", m.group(1)))
    for m in _SET_CONFIG.finditer(text):
        found.append((m.start(), m.group(1).lower(), f"'{m.group(2)}'"))
    found.sort(key=lambda f: f[0])  # (stable: the assignments of one SET keep their order)
    return {name: value for _, name, value in found}


def url_session_settings(url: str | None) -> dict[str, str]:
    """The session settings a JDBC url sets on every connection it opens, like initSql: PostgreSQL's
    `options` parameter (`?options=-c%20lock_timeout%3D5s`, URL-encoded or not; `-c name=value`,
    `-cname=value` or `--name=value`, several separated by spaces) and MySQL/MariaDB Connector/J's
    `sessionVariables` (`?sessionVariables=lock_wait_timeout=5,sql_mode='...'`). Names are lower case."""
    from urllib.parse import unquote_plus

    dialect = dialect_from_url(url)
    if dialect is None or "?" not in (url or ""):
        return {}
    query = url.split("?", 1)[1].split("#", 1)[0]
    out: dict[str, str] = {}
    for part in re.split(r"[&;]", query):
        key, eq, value = part.partition("=")
        if not eq:
            continue
        key = unquote_plus(key).strip().lower()
        value = unquote_plus(value)  # the drivers URL-decode parameter values
        if dialect == "postgres" and key == "options":
            words = re.findall(r"(?:\\.|[^\s\\])+", value)  # libpq: a backslash escapes a space
            words = [re.sub(r"\\(.)", r"\1", w) for w in words]
            i = 0
            while i < len(words):
                w = words[i]
                setting = None
                if w == "-c" and i + 1 < len(words):
                    setting, i = words[i + 1], i + 1
                elif w.startswith("-c"):
                    setting = w[2:]
                elif w.startswith("--"):
                    setting = w[2:]
                i += 1
                if setting and "=" in setting:
                    name, _, v = setting.partition("=")
                    out[name.strip().lower().replace("-", "_")] = v.strip()
        elif dialect in ("mysql", "mariadb") and key == "sessionvariables":
            for item in re.split(r",(?=[^,=]*=)", value):  # commas inside a value (sql_mode) stay
                name, eq2, v = item.partition("=")
                if eq2:
                    out[name.strip().lower().removeprefix("@@session.").removeprefix("@@")] = v.strip()
    return out


def _database_from_url(url: str | None) -> str | None:
    m = _URL_DATABASE.match(url or "")
    return m.group(1) if m else None


def _user_from_url(url: str | None) -> str | None:
    m = _URL_USER.search(url or "")
    return m.group(1) if m else None


def python_codec(encoding: str) -> str:
    """The Python codec for a Java charset name; raises LookupError when Python has none."""
    name = encoding.strip()
    if not name:
        raise LookupError("empty encoding name")
    return codecs.lookup(name).name


# ---------------------------------------------------------------------------------------------
# Java properties, the way Flyway loads them.


@dataclass(frozen=True, slots=True)
class PropertyEntry:
    """One `key=value` of a properties file, with 1-based positions in the original text.

    `column`/`end_column` delimit the key (inclusive); `value_*` the value as written (on the
    key's line when the value is empty or continued on later lines: the span covers all of it).
    """

    key: str
    value: str
    line: int
    column: int
    end_column: int
    value_line: int
    value_column: int
    value_end_line: int
    value_end_column: int


_LINE_BREAK = re.compile(r"\r\n|\n|\r")
_ENV_REF = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def _java_trim(text: str) -> tuple[str, int]:
    """Java `String.trim()` (strips chars <= U+0020); also returns how many chars were cut left."""
    start, end = 0, len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return text[start:end], start


def _is_multiline_boolean_expression(line: str) -> bool:
    # SqlScriptMetadata.isMultilineBooleanExpression
    return not line.startswith("shouldExecute") and ("==" in line or "!=" in line)


def expand_env(value: str, env: Mapping[str, str]) -> str:
    """Flyway's `${NAME}` expansion in `.conf` files: unset variables expand to ''."""
    return _ENV_REF.sub(lambda m: env.get(m.group(1), ""), value)


def parse_properties(text: str) -> list[PropertyEntry]:
    """Parse a `.conf` file the way Flyway does (`ConfigUtils.loadConfigurationFromString`).

    Flyway trims every line and doubles every backslash before handing the text to
    `java.util.Properties`, so backslashes are literal, except that a trailing backslash still
    continues the value on the next line (unless that line is empty or, in flyway.conf, starts a
    new `flyway.` property). Comments start with `#` or `!`; keys end at `=`, `:` or whitespace.
    Later duplicates win (the caller sees all entries, in file order). `${NAME}` environment
    expansion is left to the caller (`expand_env`).
    """
    raw_lines = _LINE_BREAK.split(text)
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()
    # Physical lines after Flyway's preprocessing: (content, continues, line_no, start column)
    physical: list[tuple[str, bool, int, int]] = []
    for i, raw in enumerate(raw_lines):
        trimmed, lead = _java_trim(raw)
        continues = False
        if trimmed.endswith("\\") and i < len(raw_lines) - 1:
            nxt = raw_lines[i + 1]
            if nxt == "":
                continues = False
            elif _java_trim(nxt)[0].startswith("flyway.") and "=" in nxt:
                continues = _is_multiline_boolean_expression(nxt)
            else:
                continues = True
        content = trimmed[:-1] if continues else trimmed
        physical.append((content, continues, i + 1, lead + 1))

    entries: list[PropertyEntry] = []
    i = 0
    while i < len(physical):
        content, continues, line_no, col0 = physical[i]
        i += 1
        if content == "" and not continues:
            continue
        if content[:1] in ("#", "!"):
            continue  # a comment line is never continued
        # Logical line: chars with their (line, column) positions.
        chars: list[str] = list(content)
        pos: list[tuple[int, int]] = [(line_no, col0 + k) for k in range(len(content))]
        while continues and i < len(physical):
            content, continues, cont_line, cont_col = physical[i]
            i += 1
            chars.extend(content)
            pos.extend((cont_line, cont_col + k) for k in range(len(content)))
        if not chars:
            continue
        n = len(chars)
        k = 0
        while k < n and chars[k] not in "=: \t\f":
            k += 1
        key_end = k
        while k < n and chars[k] in " \t\f":
            k += 1
        if k < n and chars[k] in "=:":
            k += 1
        while k < n and chars[k] in " \t\f":
            k += 1
        key = "".join(chars[:key_end])
        value = "".join(chars[k:])
        kl, kc = pos[0]
        _, kec = pos[key_end - 1] if key_end > 0 else pos[0]
        if k < n:
            vl, vc = pos[k]
            vel, vec = pos[n - 1]
        else:
            vl, vc = pos[n - 1]
            vel, vec = vl, vc
        entries.append(PropertyEntry(key, value, kl, kc, kec, vl, vc, vel, vec))
    return entries


# ---------------------------------------------------------------------------------------------
# Loading.


@dataclass(slots=True)
class _Setting:
    value: Any
    origin: str  # "flyway.conf:12", "flyway.toml:3", "environment variable FLYWAY_MIXED"


def load_flyway_config(
    cwd: Path,
    config_file: Path | Sequence[Path] | None = None,
    env: Mapping[str, str] | None = None,
) -> FlywayConfig:
    """Read the Flyway configuration of the project in `cwd` (see the module docstring)."""
    cwd = Path(cwd)
    env = dict(os.environ) if env is None else env
    files = _config_files(cwd, config_file, env)
    settings: dict[str, _Setting] = {}
    placeholders: dict[str, _Setting] = {}
    mode: str | None = None
    if files:
        if all(_is_toml(f) for f in files):
            mode = "toml"
            _load_toml_files(files, env, settings, placeholders)
        elif not any(_is_toml(f) for f in files):
            mode = "conf"
            for f in files:
                _load_conf_file(f, env, settings, placeholders)
        else:
            raise FlywayConfigError(
                "Both TOML and legacy .conf configuration files were given ("
                + ", ".join(str(f) for f in files)
                + "): Flyway accepts only one kind"
            )
    _apply_env(env, settings, placeholders)
    return _build(cwd, settings, placeholders, mode, tuple(files) or None)


def _is_toml(path: Path) -> bool:
    return path.name.lower().endswith(".toml")


def _config_files(cwd: Path, config_file: Path | Sequence[Path] | None, env: Mapping[str, str]) -> list[Path]:
    explicit: list[Path] = []
    if config_file is not None:
        explicit = [config_file] if isinstance(config_file, (str, os.PathLike)) else list(config_file)
    elif env.get("FLYWAY_CONFIG_FILES", "").strip():
        explicit = [Path(p.strip()) for p in env["FLYWAY_CONFIG_FILES"].split(",") if p.strip()]
    if explicit:
        out = []
        for f in explicit:
            path = Path(f)
            if not path.is_absolute():
                path = cwd / path
            if not path.is_file():
                raise FlywayConfigError(f"Unable to load config file: {path} (no such file)")
            out.append(path)
        return out
    tomls = [cwd / "flyway.toml", cwd / "flyway.user.toml"]
    found = [p for p in tomls if p.is_file()]
    if found:
        return found
    conf = cwd / "flyway.conf"
    return [conf] if conf.is_file() else []


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FlywayConfigError(f"Unable to load config file: {path}: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FlywayConfigError(f"{path}:{line}: config file is not valid UTF-8") from exc
    return text[1:] if text.startswith("\ufeff") else text


def _load_conf_file(
    path: Path, env: Mapping[str, str], settings: dict[str, _Setting], placeholders: dict[str, _Setting]
) -> None:
    for entry in parse_properties(_read_text(path)):
        origin = f"{path}:{entry.line}"
        key = expand_env(entry.key, env)
        if not key.startswith("flyway."):
            continue  # Flyway only checks its own namespace
        name = key[len("flyway."):]
        value = expand_env(entry.value, env)
        if name.startswith("placeholders."):
            placeholders[name[len("placeholders."):].lower()] = _Setting(value, origin)
            continue
        _check_key(name, origin, key)
        settings[name] = _Setting(value, origin)


def _check_key(name: str, origin: str, shown: str) -> None:
    if name in KNOWN_KEYS:
        return
    namespace = name.split(".", 1)[0]
    if "." in name and namespace in KNOWN_NAMESPACES:
        return
    hint = ""
    if name in REMOVED_KEYS:
        hint = f" (no longer supported by Flyway; see {REMOVED_KEYS[name]})"
    else:
        close = _closest(name)
        if close:
            hint = f" (did you mean {close}?)"
    raise FlywayConfigError(f"{origin}: Unknown configuration property: {shown}{hint}")


def _closest(name: str) -> str | None:
    import difflib

    matches = difflib.get_close_matches(name, sorted(KNOWN_KEYS), n=1, cutoff=0.8)
    if matches:
        return matches[0]
    lowered = {k.lower(): k for k in KNOWN_KEYS}
    return lowered.get(name.lower())


# TOML ----------------------------------------------------------------------------------------

_TOML_ENV_REF = re.compile(r"\$\{env\.([A-Za-z0-9_]+)\}")


def _interpolate(value: Any, env: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return _TOML_ENV_REF.sub(lambda m: env.get(m.group(1), ""), value)
    if isinstance(value, list):
        return [_interpolate(v, env) for v in value]
    if isinstance(value, dict):
        return {k: _interpolate(v, env) for k, v in value.items()}
    return value


def _merge(base: dict[str, Any], other: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _toml_line(text: str, key: str, after_table: str | None = None) -> int | None:
    """Best-effort line of `key = ...` (tomllib reports no positions)."""
    lines = text.splitlines()
    start = 0
    if after_table is not None:
        header = re.compile(r"^\s*\[\s*" + re.escape(after_table).replace(r"\.", r"\s*\.\s*") + r"\s*\]\s*(#.*)?$")
        for i, line in enumerate(lines):
            if header.match(line):
                start = i + 1
                break
    pattern = re.compile(r'^\s*(?:"' + re.escape(key) + r'"|' + re.escape(key) + r")\s*=")
    for i in range(start, len(lines)):
        if pattern.match(lines[i]):
            return i + 1
    return None


def _load_toml_files(
    files: Sequence[Path], env: Mapping[str, str], settings: dict[str, _Setting], placeholders: dict[str, _Setting]
) -> None:
    merged: dict[str, Any] = {}
    texts: dict[Path, str] = {}
    owner: dict[tuple[str, ...], Path] = {}  # which file set a (table, key) last, for messages
    for path in files:
        text = _read_text(path)
        texts[path] = text
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise FlywayConfigError(f"{path}: invalid TOML: {exc}") from exc
        for table_key, table in (("flyway",), doc.get("flyway")), (("environments",), doc.get("environments")):
            if isinstance(table, dict):
                for k in table:
                    owner[table_key + (k,)] = path
                    if table_key == ("environments",) and isinstance(table[k], dict):
                        for k2 in table[k]:
                            owner[("environments", k, k2)] = path
                            if k2 == "flyway" and isinstance(table[k][k2], dict):
                                for k3 in table[k][k2]:
                                    owner[("environments", k, "flyway", k3)] = path
        merged = _merge(merged, doc)
    merged = _interpolate(merged, env)

    def origin(*path_keys: str) -> str:
        f = owner.get(tuple(path_keys), files[-1])
        table = ".".join(path_keys[:-1])
        line = _toml_line(texts[f], path_keys[-1], table)
        return f"{f}:{line}" if line else str(f)

    flyway = merged.get("flyway", {})
    if not isinstance(flyway, dict):
        raise FlywayConfigError(f"{files[-1]}: 'flyway' must be a table")
    _take_flyway_table(flyway, ("flyway",), origin, settings, placeholders)

    environments = merged.get("environments", {})
    if not isinstance(environments, dict):
        raise FlywayConfigError(f"{files[-1]}: 'environments' must be a table")
    env_name = env.get("FLYWAY_ENVIRONMENT") or env.get("flyway_environment")
    explicit_env = bool(env_name) or "environment" in flyway
    if not env_name:
        env_name = str(flyway.get("environment", "default"))
    settings["environment"] = _Setting(env_name, origin("flyway", "environment"))
    current = environments.get(env_name)
    if current is None:
        if explicit_env and env_name != "default":
            raise FlywayConfigError(
                f"{files[-1]}: environment '{env_name}' is not defined (no [environments.{env_name}] table)"
            )
        return
    if not isinstance(current, dict):
        raise FlywayConfigError(f"{files[-1]}: [environments.{env_name}] must be a table")
    for key in ("url", "user", "schemas", "initSql"):
        if key in current:
            settings[key] = _Setting(current[key], origin("environments", env_name, key))
    overrides = current.get("flyway")
    if isinstance(overrides, dict):
        # Environment overrides replace the root value in totality (placeholders included).
        if "placeholders" in overrides:
            placeholders.clear()
        _take_flyway_table(overrides, ("environments", env_name, "flyway"), origin, settings, placeholders)


def _take_flyway_table(
    table: Mapping[str, Any],
    where: tuple[str, ...],
    origin: Any,
    settings: dict[str, _Setting],
    placeholders: dict[str, _Setting],
) -> None:
    for key, value in table.items():
        if key == "placeholders":
            if not isinstance(value, dict):
                raise FlywayConfigError(f"{origin(*where, key)}: [{'.'.join(where)}.placeholders] must be a table")
            for name, pvalue in value.items():
                placeholders[str(name).lower()] = _Setting(_toml_scalar_text(pvalue), origin(*where, "placeholders", name))
            continue
        if isinstance(value, dict):
            continue  # a plugin / database namespace such as [flyway.postgresql]
        if key in ENVIRONMENT_KEYS and key not in KNOWN_KEYS:
            continue
        _check_key(key, origin(*where, key), key)
        settings[key] = _Setting(value, origin(*where, key))


def _toml_scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# Environment ---------------------------------------------------------------------------------


def _apply_env(env: Mapping[str, str], settings: dict[str, _Setting], placeholders: dict[str, _Setting]) -> None:
    for var in sorted(env):
        value = env[var]
        if var in ENV_VARS:
            settings[ENV_VARS[var]] = _Setting(value, f"environment variable {var}")
        elif var.startswith("FLYWAY_PLACEHOLDERS_") and len(var) > len("FLYWAY_PLACEHOLDERS_"):
            name = var[len("FLYWAY_PLACEHOLDERS_"):].lower()
            placeholders[name] = _Setting(value, f"environment variable {var}")


# Building ------------------------------------------------------------------------------------


def _as_bool(setting: _Setting, key: str) -> bool:
    value = setting.value
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise FlywayConfigError(
        f"{setting.origin}: Invalid value for flyway.{key} (should be either true or false): {value}"
    )


def _as_list(setting: _Setting, key: str) -> tuple[str, ...]:
    value = setting.value
    if isinstance(value, str):
        # StringUtils.tokenizeToStringArray: split at commas, trim, drop empty items
        return tuple(item.strip() for item in value.split(",") if item.strip())
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, (dict, list)):
                raise FlywayConfigError(f"{setting.origin}: flyway.{key} must be a list of strings")
            out.append(_toml_scalar_text(item))
        return tuple(out)
    raise FlywayConfigError(f"{setting.origin}: flyway.{key} must be a list of strings")


def _as_str(setting: _Setting, key: str) -> str:
    value = setting.value
    if isinstance(value, (dict, list)):
        raise FlywayConfigError(f"{setting.origin}: flyway.{key} must be a string")
    return _toml_scalar_text(value)


def default_locations(cwd: Path) -> tuple[str, ...]:
    """flylint's default when no location is configured (see the module docstring)."""
    if (cwd / "db" / "migration").is_dir():
        return ("filesystem:db/migration",)
    if (cwd / "src" / "main" / "resources" / "db" / "migration").is_dir():
        return ("filesystem:src/main/resources/db/migration",)
    return ("filesystem:sql",)


def _build(
    cwd: Path,
    settings: Mapping[str, _Setting],
    placeholders: Mapping[str, _Setting],
    mode: str | None,
    source: tuple[Path, ...] | None,
) -> FlywayConfig:
    kwargs: dict[str, Any] = {}
    s = settings.get

    for key in _BOOLEAN_KEYS:
        if key in settings:
            kwargs[_snake(key)] = _as_bool(settings[key], key)

    locations: tuple[str, ...] = ()
    if "locations" in settings:
        locations = _as_list(settings["locations"], "locations")
    kwargs["locations_configured"] = bool(locations)
    kwargs["locations"] = locations or default_locations(cwd)
    if "callbackLocations" in settings:
        kwargs["callback_locations"] = _as_list(settings["callbackLocations"], "callbackLocations")

    naming_kwargs: dict[str, Any] = {}
    for key, attr in (
        ("sqlMigrationPrefix", "versioned_prefix"),
        ("undoSqlMigrationPrefix", "undo_prefix"),
        ("repeatableSqlMigrationPrefix", "repeatable_prefix"),
        ("baselineMigrationPrefix", "baseline_prefix"),
        ("sqlMigrationSeparator", "separator"),
    ):
        if key in settings:
            naming_kwargs[attr] = _as_str(settings[key], key)
    if "sqlMigrationSuffixes" in settings:
        suffixes = _as_list(settings["sqlMigrationSuffixes"], "sqlMigrationSuffixes")
        if not suffixes:
            raise FlywayConfigError(f"{settings['sqlMigrationSuffixes'].origin}: flyway.sqlMigrationSuffixes is empty")
        naming_kwargs["suffixes"] = suffixes
    if "separator" in naming_kwargs and not naming_kwargs["separator"]:
        raise FlywayConfigError(f"{settings['sqlMigrationSeparator'].origin}: flyway.sqlMigrationSeparator is empty")
    kwargs["naming"] = NamingSettings(**naming_kwargs)

    for key in ("placeholderPrefix", "placeholderSuffix", "placeholderSeparator", "table", "url", "user", "environment",
                "initSql"):
        if key in settings:
            kwargs[_snake(key)] = _as_str(settings[key], key)
    if "initSql" in settings:
        kwargs["init_sql_origin"] = settings["initSql"].origin
    for key in ("placeholderPrefix", "placeholderSuffix"):
        if key in settings and not kwargs[_snake(key)]:
            raise FlywayConfigError(f"{settings[key].origin}: flyway.{key} must not be empty")
    if "defaultSchema" in settings:
        kwargs["default_schema"] = _as_str(settings["defaultSchema"], "defaultSchema") or None
    if "schemas" in settings:
        kwargs["schemas"] = _as_list(settings["schemas"], "schemas")
    if "ignoreMigrationPatterns" in settings:
        kwargs["ignore_migration_patterns"] = _as_list(settings["ignoreMigrationPatterns"], "ignoreMigrationPatterns")

    if "encoding" in settings:
        encoding = _as_str(settings["encoding"], "encoding").strip()
        try:
            python_codec(encoding)
        except LookupError:
            raise FlywayConfigError(
                f"{settings['encoding'].origin}: Unknown or unsupported encoding for flyway.encoding: {encoding}"
            ) from None
        kwargs["encoding"] = encoding

    kwargs["placeholders"] = {name: setting.value for name, setting in placeholders.items()}
    kwargs["mode"] = mode
    kwargs["source"] = source
    return FlywayConfig(**kwargs)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def iter_known_keys() -> Iterable[str]:
    """Flyway's configuration keys flylint accepts (for documentation and `--help` output)."""
    return sorted(KNOWN_KEYS)
