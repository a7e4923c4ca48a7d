"""Facts about a Flyway project that Flyway itself would refuse, skip or trip over.

Discovery records them; the rules in `flylint.rules.flyway` turn them into findings. Each fact
carries the file it is about and, where it is about a place inside that file, a Span.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flylint.model import Span, Version


@dataclass(frozen=True, slots=True)
class SqlCallback:
    """A SQL callback script Flyway runs (`beforeEachMigrate.sql`, ..., in the locations, or in the
    callbackLocations when those are set): not a migration, but Flyway runs it around migrations. A
    `beforeEachMigrate` callback runs on the migration's own connection, in its transaction, before
    each migration: what it sets (lock_timeout) holds for every migration."""

    path: Path
    event: str  # the callback event id, e.g. "beforeEachMigrate"
    # the text Flyway runs: decoded, placeholders replaced; None when it could not be read or when
    # Flyway refuses to run it (an undefined placeholder)
    text: str | None


@dataclass(frozen=True, slots=True)
class DuplicateCallback:
    """Two or more SQL callbacks with the same name once the suffix is dropped (event, separator,
    description with `_` read as a space): Flyway refuses to run any command ("Found more than 1
    SQL callback script called ...", `SqlScriptCallbackFactory`)."""

    name: str  # Flyway's name for it, e.g. "beforeEachMigrate" or "beforeEachMigrate__lock timeout"
    event: str  # the callback event id, e.g. "beforeEachMigrate"
    paths: tuple[Path, ...]  # in the order Flyway's scanner lists them


@dataclass(frozen=True, slots=True)
class SkippedName:
    """A file with a migration suffix whose name Flyway cannot parse: Flyway skips it silently."""

    path: Path
    reason: str  # Flyway's own wording where it has one, e.g. "could not recognise version number"
    suggestion: str | None  # a corrected name, e.g. "V2__add.sql" for "V2_add.sql"


@dataclass(frozen=True, slots=True)
class ReservedVersion:
    """A versioned name whose version is one of Flyway's special words (latest, current, next)."""

    path: Path
    word: str


@dataclass(frozen=True, slots=True)
class DuplicateVersion:
    """Two or more versioned (or baseline) migrations with numerically equal versions."""

    version: Version
    kind: str  # 'V', 'B' or 'U'
    paths: tuple[Path, ...]  # in the order Flyway would list them


@dataclass(frozen=True, slots=True)
class DuplicateRepeatable:
    """Two or more repeatable migrations with the same description."""

    description: str
    paths: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class UnknownScriptConfigKey:
    """A key in a `.sql.conf` script configuration file that Flyway rejects."""

    path: Path  # the .conf file
    key: str
    span: Span


@dataclass(frozen=True, slots=True)
class InvalidScriptConfigValue:
    """A known key in a `.sql.conf` file with a value Flyway rejects (e.g. a non-boolean)."""

    path: Path
    key: str
    value: str
    reason: str
    span: Span


@dataclass(frozen=True, slots=True)
class UndecodableFile:
    """Bytes that the configured encoding cannot decode: Flyway fails to checksum the file."""

    path: Path
    encoding: str
    span: Span  # where the first bad byte is
    detail: str


@dataclass(frozen=True, slots=True)
class EmptyMigration:
    """A migration with no statement at all (only whitespace or comments)."""

    path: Path


@dataclass(frozen=True, slots=True)
class UndefinedPlaceholder:
    """`${name}` with no value configured: Flyway fails with "No value provided for placeholder"."""

    path: Path
    name: str
    span: Span
    # what Flyway fails on: "migration" (the script or its .sql.conf), "callback" (a SQL callback
    # or its .sql.conf) or "initSql" (then `path` is the configuration file that sets it, or the
    # project folder when an environment variable does, and `origin` says which)
    context: str = "migration"
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class UnterminatedTail:
    """Text after the last statement that never ends (an open /* comment): Flyway runs none of it."""

    path: Path
    detail: str
    span: Span


@dataclass(frozen=True, slots=True)
class MissingLocation:
    """A configured location that does not exist (Flyway logs an error and skips it)."""

    location: str
    path: Path
    callbacks: bool = False  # one of the callbackLocations


@dataclass(frozen=True, slots=True)
class UnusualVersion:
    """A version only Java's BigInteger accepts ("+1", "-1", non-ASCII digits): Flyway runs it."""

    path: Path
    text: str  # as written in the file name
    version: Version  # what Flyway makes of it (compared numerically; stored as `version.text`)


@dataclass(frozen=True, slots=True)
class VersionTooLong:
    """A version longer than flyway_schema_history.version (VARCHAR(50)) can hold."""

    path: Path
    text: str  # the text Flyway stores (`_` replaced by `.`)


ProjectFact = (
    UnusualVersion
    | VersionTooLong
    | 
    SkippedName
    | ReservedVersion
    | DuplicateVersion
    | DuplicateRepeatable
    | DuplicateCallback
    | UnknownScriptConfigKey
    | InvalidScriptConfigValue
    | UndecodableFile
    | EmptyMigration
    | UndefinedPlaceholder
    | MissingLocation
    | UnterminatedTail
)
