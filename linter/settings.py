"""flylint's own settings: `flylint.toml`, or `[tool.flylint]` in `pyproject.toml`.

Command-line options override the file; the file overrides the defaults. Unknown keys are errors,
so a typo never silently turns a check off.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DIALECTS = ("postgres", "mysql", "mariadb")
FAIL_ON = ("error", "warning", "info", "never")


class SettingsError(Exception):
    """A problem with flylint's configuration; the message is one line for the user."""


@dataclass(frozen=True)
class Settings:
    source: Path | None = None
    dialect: str | None = None
    db_version: str | None = None
    paths: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str | None = None
    flyway_config: str | None = None
    cache: bool = True
    severity: tuple[tuple[str, str], ...] = ()  # (rule id or prefix, severity) overrides
    baseline: str | None = None  # baseline file (flylint.baseline), relative to the settings file


_KEYS = {
    "severity": dict,
    "dialect": str,
    "db-version": str,
    "paths": list,
    "select": list,
    "ignore": list,
    "fail-on": str,
    "flyway-config": str,
    "cache": bool,
    "baseline": str,
}


def load_settings(cwd: Path, explicit: Path | None) -> Settings:
    if explicit is not None:
        path = explicit if explicit.is_absolute() else cwd / explicit
        if not path.is_file():
            raise SettingsError(f"configuration file not found: {explicit}")
        table = _read(path)
        if path.name == "pyproject.toml" or "tool" in table:
            table = table.get("tool", {}).get("flylint", {})
        return _settings(table, path)
    own = cwd / "flylint.toml"
    if own.is_file():
        return _settings(_read(own), own)
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file():
        table = _read(pyproject).get("tool", {}).get("flylint")
        if table is not None:
            return _settings(table, pyproject)
    return Settings()


def _read(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(f"{path}: not valid TOML: {e}") from None
    except OSError as e:
        raise SettingsError(f"{path}: cannot read: {e.strerror}") from None


def _settings(table: dict, source: Path) -> Settings:
    if not isinstance(table, dict):
        raise SettingsError(f"{source}: [tool.flylint] must be a table")
    values: dict[str, object] = {}
    for key, value in table.items():
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise SettingsError(f"{source}: unknown flylint setting '{key}' (known: {known})")
        want = _KEYS[key]
        if want is dict:
            if not isinstance(value, dict) or not all(
                isinstance(v, str) and v in ("error", "warning", "info") for v in value.values()
            ):
                raise SettingsError(f"{source}: [severity] maps rule ids to error, warning or info")
            value = tuple(value.items())
        elif want is list:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise SettingsError(f"{source}: '{key}' must be a list of strings")
            value = tuple(value)
        elif not isinstance(value, want) or (want is str and isinstance(value, bool)):
            if key == "db-version" and isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(value)
            else:
                raise SettingsError(f"{source}: '{key}' must be a {want.__name__}")
        values[key.replace("-", "_")] = value
    dialect = values.get("dialect")
    if dialect is not None and dialect not in DIALECTS:
        raise SettingsError(f"{source}: dialect must be one of {', '.join(DIALECTS)}, not '{dialect}'")
    fail_on = values.get("fail_on")
    if fail_on is not None and fail_on not in FAIL_ON:
        raise SettingsError(f"{source}: fail-on must be one of {', '.join(FAIL_ON)}, not '{fail_on}'")
    return Settings(source=source, **values)  # type: ignore[arg-type]
