"""Migration file names, parsed exactly the way Flyway's `ResourceNameParser` parses them.

`<prefix><version><separator><description><suffix>` for versioned (V), undo (U) and baseline (B)
migrations, `<prefix><separator><description><suffix>` for repeatables (R) and SQL callbacks
(`beforeMigrate.sql`, `afterMigrate__refresh.sql`, ...). The algorithm:

1. The first configured suffix that the name ends with (compared case-insensitively, so `.SQL`
   works) is stripped. Names ending with no configured suffix are not SQL resources at all:
   `parse_name` returns None for them and Flyway never reports them.
2. Candidate prefixes (V, U, R, B and every callback event id) are tried longest first; the match is
   case-sensitive (`v1__x.sql` is not a migration). No match: "Unrecognised migration name format".
3. The rest is split at the first separator; with no separator the whole rest is the "version" and
   the description is empty.
4. Repeatables and callbacks must have nothing before the separator; versioned kinds must have a
   version Flyway can parse.
5. The description is the part after the separator with every `_` replaced by a space.

Flyway accepts the version words `latest`, `current` and `next` (any case) and the number
9223372036854775807 (its marker for "latest"); such names parse (kind V/U/B) with `reserved_word`
set so flylint can report them. Flyway also accepts signed (`+1`) and non-ASCII-digit versions
through `java.math.BigInteger`; `parse_name` answers InvalidName(flyway_accepts=True) for them, and
discovery then runs them as Flyway does (`java_version`: V+1 is version 1, V-1 is version -1) and
reports them (flyway-unusual-version).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from flylint.model import Version

# Every `org.flywaydb.core.api.callback.Event` id (flyway-core `api/callback/Event.java`). Several
# `*_OPERATION_FINISH` events share the id "afterInfoOperationFinish" in Flyway; the distinct ids
# are listed once. Matched case-sensitively, like `Event.fromId`.
CALLBACK_EVENTS: tuple[str, ...] = (
    "beforeClean",
    "afterClean",
    "afterCleanError",
    "beforeMigrate",
    "beforeEachMigrate",
    "beforeEachMigrateStatement",
    "afterEachMigrateStatement",
    "afterEachMigrateStatementError",
    "afterEachMigrate",
    "afterEachMigrateError",
    "beforeRepeatables",
    "afterVersioned",
    "afterMigrateApplied",
    "afterMigrate",
    "afterMigrateError",
    "beforeUndo",
    "beforeEachUndo",
    "beforeEachUndoStatement",
    "afterEachUndoStatement",
    "afterEachUndoStatementError",
    "afterEachUndo",
    "afterEachUndoError",
    "afterUndo",
    "afterUndoError",
    "beforeValidate",
    "afterValidate",
    "afterValidateError",
    "beforeBaseline",
    "afterBaseline",
    "afterBaselineError",
    "beforeRepair",
    "afterRepair",
    "afterRepairError",
    "beforeInfo",
    "afterInfo",
    "afterInfoError",
    "afterMigrateOperationFinish",
    "afterInfoOperationFinish",
    "createSchema",
    "beforeConnect",
)

# `MigrationVersion.fromVersion`: these map to marker versions instead of failing.
RESERVED_VERSION_WORDS = ("latest", "current", "next")
LATEST_MARKER_NUMBER = "9223372036854775807"  # Long.MAX_VALUE: LATEST.getVersion()

VERSIONED_KINDS = ("V", "U", "B")

# Java `\d` is ASCII-only; BigInteger accepts an optional sign and any Unicode decimal digits.
_JAVA_SPLIT = re.compile(r"\.(?=[0-9])")


@dataclass(frozen=True, slots=True)
class NamingSettings:
    """The naming settings of a Flyway configuration (defaults are Flyway's)."""

    versioned_prefix: str = "V"
    undo_prefix: str = "U"
    repeatable_prefix: str = "R"
    baseline_prefix: str = "B"
    separator: str = "__"
    suffixes: tuple[str, ...] = (".sql",)

    @property
    def prefixes(self) -> dict[str, str]:
        """Kind -> prefix."""
        return {
            "V": self.versioned_prefix,
            "U": self.undo_prefix,
            "R": self.repeatable_prefix,
            "B": self.baseline_prefix,
        }


@dataclass(frozen=True, slots=True)
class ParsedName:
    """A name Flyway accepts."""

    filename: str
    kind: str  # 'V', 'U', 'B', 'R' or 'callback'
    prefix: str  # the matched prefix (the event id for callbacks)
    version: Version | None  # None for R, callbacks and reserved words
    version_text: str  # as written in the name ("" when none)
    description: str  # `_` replaced by spaces
    suffix: str  # the configured suffix that matched (as configured, e.g. ".sql")
    reserved_word: str | None = None  # 'latest' / 'current' / 'next' / the Long.MAX_VALUE number
    event: str | None = None  # the callback event id, for kind 'callback'


@dataclass(frozen=True, slots=True)
class InvalidName:
    """A name with a migration suffix that Flyway cannot (or, for flylint, should not) parse."""

    filename: str
    reason: str  # Flyway's message where it has one
    suggestion: str | None = None  # a corrected file name when the mistake is obvious
    flyway_accepts: bool = False  # True: Flyway would run it anyway (e.g. version "+1")


def matching_suffix(filename: str, settings: NamingSettings) -> str | None:
    """The first configured suffix `filename` ends with (case-insensitive), or None."""
    upper = filename.upper()
    for suffix in settings.suffixes:
        if upper.endswith(suffix.upper()):
            return suffix
    return None


def is_sql_resource(filename: str, settings: NamingSettings) -> bool:
    """Whether Flyway treats the file as an SQL resource (it ends with a configured suffix)."""
    return matching_suffix(filename, settings) is not None


@functools.lru_cache(maxsize=32)
def _candidate_prefixes(settings: NamingSettings) -> tuple[tuple[str, str], ...]:
    # Flyway registers V, R and the events (core provider) and then B (baseline provider); U comes
    # from the Teams provider. Sorted by descending length; the sort is stable.
    candidates: list[tuple[str, str]] = [("V", settings.versioned_prefix)]
    candidates.append(("R", settings.repeatable_prefix))
    candidates.extend(("callback", event) for event in CALLBACK_EVENTS)
    if settings.baseline_prefix:
        candidates.append(("B", settings.baseline_prefix))
    if settings.undo_prefix:
        candidates.append(("U", settings.undo_prefix))
    candidates.sort(key=lambda c: -len(c[1]))
    return tuple(candidates)


def _java_version_parses(text: str) -> bool:
    """Whether `MigrationVersion.fromVersion(text)` would succeed (BigInteger parts)."""
    for part in _JAVA_SPLIT.split(text.replace("_", ".")):
        body = part[1:] if part[:1] in "+-" else part
        if not body or not all(ch.isdecimal() for ch in body):
            return False
    return True


def java_version(text: str) -> Version:
    """The version Flyway's `MigrationVersion` makes of a text only BigInteger accepts ("+1", "-1",
    non-ASCII digits): parts compared numerically, the text stored as written with `_` -> `.`."""
    normalized = text.replace("_", ".")
    parts = [int(part) for part in _JAVA_SPLIT.split(normalized)]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return Version(tuple(parts), normalized)


def parse_name(filename: str, settings: NamingSettings = NamingSettings()) -> ParsedName | InvalidName | None:
    """Parse a file name (no directories) as Flyway does.

    Returns None when the name does not end with a configured suffix (not an SQL resource: Flyway
    ignores such files and so does flylint), an InvalidName when Flyway would skip the file (or
    when flylint refuses a version Flyway would accept), else a ParsedName.
    """
    result = _parse(filename, settings)
    if isinstance(result, InvalidName) and not result.flyway_accepts:
        suggestion = _suggest(filename, settings)
        if suggestion is not None:
            result = InvalidName(filename, result.reason, suggestion, result.flyway_accepts)
    return result


def _parse(filename: str, settings: NamingSettings) -> ParsedName | InvalidName | None:
    suffix = matching_suffix(filename, settings)
    if suffix is None:
        return None
    stem = filename[: len(filename) - len(suffix)]
    written_suffix = filename[len(stem):]
    for kind, prefix in _candidate_prefixes(settings):
        if stem.startswith(prefix):
            break
    else:
        return InvalidName(filename, f"Unrecognised migration name format: {filename}")

    rest = stem[len(prefix):]
    sep = settings.separator
    index = rest.find(sep) if sep else -1
    if index >= 0:
        left, right = rest[:index], rest[index + len(sep):]
    else:
        left, right = rest, ""
    example = right if right else "description"
    description = right.replace("_", " ")

    if kind in ("R", "callback"):
        if left:
            return InvalidName(
                filename,
                f"Invalid repeatable migration / callback name format: {filename} (It cannot contain "
                f"a version and should look like this: {prefix}{sep}{example}{written_suffix})",
            )
        return ParsedName(
            filename, kind, prefix, None, "", description, suffix,
            event=prefix if kind == "callback" else None,
        )

    if not left:
        return InvalidName(
            filename,
            f"Invalid versioned migration name format: {filename} (It must contain a version and "
            f"should look like this: {prefix}1.2{sep}{example}{written_suffix})",
        )
    if left.lower() in RESERVED_VERSION_WORDS or left == LATEST_MARKER_NUMBER:
        word = left.lower() if left.lower() in RESERVED_VERSION_WORDS else left
        return ParsedName(filename, kind, prefix, None, left, description, suffix, reserved_word=word)
    try:
        version = Version.parse(left)
    except ValueError:
        if _java_version_parses(left):
            return InvalidName(
                filename,
                f"Version {left} of {filename} is accepted by Flyway's BigInteger parser but is not "
                "made of ASCII digits separated by '.' or '_'",
                None,
                flyway_accepts=True,
            )
        return InvalidName(
            filename,
            f"Invalid versioned migration name format: {filename} (could not recognise version "
            f"number {left})",
        )
    return ParsedName(filename, kind, prefix, version, left, description, suffix)


# ---------------------------------------------------------------------------------------------
# Suggestions for obvious typos.

# An optional stray separator, a version, a separator-ish run (or none before a letter), then a
# description that does not start with a digit (V1..2__x.sql has no obvious fix).
_VERSION_THEN_TEXT = re.compile(r"[._\-\s]*([0-9]+(?:[._][0-9]+)*)(?:[._\-\s]+|(?=[^0-9._\-\s]))([^0-9._\-\s].*)")


def _suggest(filename: str, settings: NamingSettings) -> str | None:
    """A corrected name for an invalid one, only when the intent is obvious and the fix parses."""
    candidates: list[str] = []
    suffix = matching_suffix(filename, settings)
    if suffix is None:
        return None
    stem = filename[: len(filename) - len(suffix)]
    written_suffix = filename[len(stem):]
    sep = settings.separator

    # Wrong case of a prefix or callback name: v1__x.sql, r__x.sql, aftermigrate.sql.
    names = [p for p in settings.prefixes.values() if p] + list(CALLBACK_EVENTS)
    for name in sorted(names, key=len, reverse=True):
        if stem.lower().startswith(name.lower()) and not stem.startswith(name):
            fixed = name + stem[len(name):]
            candidates.append(fixed + written_suffix)
            # ... possibly with a broken separator as well (v1_x.sql).
            candidates.extend(_fix_separator(fixed, name, settings, written_suffix))

    for kind, prefix in settings.prefixes.items():
        if prefix and stem.startswith(prefix):
            candidates.extend(_fix_separator(stem, prefix, settings, written_suffix, kind))

    for event in CALLBACK_EVENTS:
        if stem.startswith(event):
            rest = stem[len(event):].lstrip("_-. ")
            if rest and sep:
                candidates.append(event + sep + rest + written_suffix)

    for candidate in candidates:
        if candidate == filename:
            continue
        parsed = _parse(candidate, settings)
        if isinstance(parsed, ParsedName) and parsed.reserved_word is None:
            return candidate
    return None


def _fix_separator(
    stem: str, prefix: str, settings: NamingSettings, suffix: str, kind: str | None = None
) -> list[str]:
    sep = settings.separator
    if not sep:
        return []
    rest = stem[len(prefix):]
    out: list[str] = []
    if kind is None:
        kind = next((k for k, p in settings.prefixes.items() if p == prefix), "callback")
    if kind in VERSIONED_KINDS:
        # V2_add.sql, V2-add.sql, V2add.sql, V_2__add.sql, V1_foo__bar.sql
        m = _VERSION_THEN_TEXT.fullmatch(rest)
        if m:
            description = m.group(2)
            if description.startswith(sep):
                description = description[len(sep):]
            out.append(prefix + m.group(1) + sep + description + suffix)
        stripped = rest.lstrip("_-. ")
        if stripped != rest:
            out.append(prefix + stripped + suffix)
    elif kind == "R" and rest[:1] in ("_", "-", ".", " "):
        # R_x.sql, R-x.sql, R.x.sql (R1__x.sql has no obvious fix: a version or a typo?)
        stripped = rest.lstrip("_-. ")
        if stripped:
            out.append(prefix + sep + stripped + suffix)
    return out
