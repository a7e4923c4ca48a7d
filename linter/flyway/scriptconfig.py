"""Script configuration files: `<migration file>.conf` next to the migration
(`V1__init.sql.conf`), read the way Flyway's `SqlScriptMetadata` reads them.

Format: Java properties, loaded by the same code as `flyway.conf` (backslashes literal, trailing
backslash continues a line, `${NAME}` expands environment variables). Keys, without any
`flyway.` prefix:

* `executeInTransaction`: `true`/`false` (any case), anything else fails in Flyway;
* `encoding`: a charset name; flylint checks that Python knows the codec;
* `placeholderReplacement`: Flyway uses `Boolean.parseBoolean`, so anything but `true` (any case)
  silently means false; flylint reports such values and applies Flyway's reading (false);
* `shouldExecute`: an expression (Flyway Teams); kept as text.

Any other key, including the `flyway.`-prefixed forms some Flyway documentation pages show, fails
in Flyway with "Unknown configuration property: X. Please check your script config files".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from flylint.flyway import facts
from flylint.flyway.config import FlywayConfigError, PropertyEntry, expand_env, parse_properties, python_codec
from flylint.flyway.placeholders import replace_placeholders
from flylint.model import ScriptConfig, Span

KNOWN_SCRIPT_CONFIG_KEYS = ("executeInTransaction", "encoding", "placeholderReplacement", "shouldExecute")

ScriptConfigFact = facts.UnknownScriptConfigKey | facts.InvalidScriptConfigValue | facts.UndefinedPlaceholder | facts.UndecodableFile


def script_config_path(migration: Path) -> Path:
    """Where the script configuration of `migration` lives (`V1__x.sql` -> `V1__x.sql.conf`)."""
    return migration.with_name(migration.name + ".conf")


def _key_span(entry: PropertyEntry) -> Span:
    return Span(entry.line, entry.column, entry.line, entry.end_column)


def _value_span(entry: PropertyEntry) -> Span:
    return Span(entry.value_line, entry.value_column, entry.value_end_line, entry.value_end_column)


def load_script_config(
    path: Path,
    *,
    encoding: str = "UTF-8",
    env: Mapping[str, str] | None = None,
    placeholders: Mapping[str, str] | None = None,
    placeholder_prefix: str = "${",
    placeholder_suffix: str = "}",
    placeholder_separator: str = ":",
    builtins: Mapping[str, str] | None = None,
    migration_filename: str | None = None,
) -> tuple[ScriptConfig, list[ScriptConfigFact]]:
    """Read the script configuration file `path` (the `.conf` file itself).

    `encoding` is the configured encoding (Flyway reads the `.conf` with it). When `placeholders`
    is given, Flyway placeholders in the values are replaced first (Flyway does this when it
    loads the file for parsing) and undefined ones are reported; `env` defaults to `os.environ`.
    Raises FlywayConfigError only when the file cannot be read at all.
    """
    env = os.environ if env is None else env
    found: list[ScriptConfigFact] = []
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FlywayConfigError(f"Unable to read script configuration {path}: {exc.strerror or exc}") from exc
    try:
        text = data.decode(python_codec(encoding))
    except LookupError:
        text = data.decode("utf-8", "replace")
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode(python_codec(encoding), "replace")
        line = prefix.count("\n") + 1
        column = len(prefix) - (prefix.rfind("\n") + 1) + 1
        found.append(
            facts.UndecodableFile(path, encoding, Span(line, column, line, column), f"{exc.reason} at byte {exc.start}")
        )
        return ScriptConfig(), found
    if text.startswith("\ufeff"):
        text = text[1:]

    values: dict[str, tuple[str, PropertyEntry]] = {}
    for entry in parse_properties(text):
        value = entry.value
        if placeholders is not None:
            rep = replace_placeholders(
                value,
                placeholders,
                prefix=placeholder_prefix,
                suffix=placeholder_suffix,
                separator=placeholder_separator,
                filename=migration_filename or path.name[: -len(".conf")],
                builtins=builtins,
            )
            for u in rep.undefined:
                if entry.value_line == entry.value_end_line:
                    span = Span(entry.value_line, entry.value_column + u.start, entry.value_line,
                                entry.value_column + max(u.start, u.end - 1))
                else:
                    span = _value_span(entry)
                found.append(facts.UndefinedPlaceholder(path, u.name, span))
            value = rep.text
        value = expand_env(value, env)
        key = expand_env(entry.key, env)
        if key not in KNOWN_SCRIPT_CONFIG_KEYS:
            found.append(facts.UnknownScriptConfigKey(path, key, _key_span(entry)))
            continue
        values[key] = (value, entry)  # later duplicates win, as in java.util.Properties

    execute_in_transaction: bool | None = None
    script_encoding: str | None = None
    placeholder_replacement: bool | None = None
    should_execute: str | None = None

    if "executeInTransaction" in values:
        value, entry = values["executeInTransaction"]
        if value.lower() in ("true", "false"):
            execute_in_transaction = value.lower() == "true"
        else:
            found.append(facts.InvalidScriptConfigValue(
                path, "executeInTransaction", value, "should be either true or false", _value_span(entry)))

    if "encoding" in values:
        value, entry = values["encoding"]
        try:
            python_codec(value)
            script_encoding = value.strip()
        except LookupError:
            found.append(facts.InvalidScriptConfigValue(
                path, "encoding", value, "unknown or unsupported encoding" if value.strip() else "empty encoding name",
                _value_span(entry)))

    if "placeholderReplacement" in values:
        value, entry = values["placeholderReplacement"]
        placeholder_replacement = value.lower() == "true"
        if value.lower() not in ("true", "false"):
            found.append(facts.InvalidScriptConfigValue(
                path, "placeholderReplacement", value,
                "should be either true or false (Flyway reads anything other than 'true' as false)",
                _value_span(entry)))

    if "shouldExecute" in values:
        should_execute = values["shouldExecute"][0]

    return ScriptConfig(execute_in_transaction, script_encoding, placeholder_replacement, should_execute), found
