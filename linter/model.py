"""Plain data passed between flylint's stages.

Every stage of the pipeline (discovery -> splitting -> parsing -> rules -> reporters) hands the next
one frozen dataclasses from this module, so no stage needs to know how another one works.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any


def quick_init(cls):
    """Class decorator, below @dataclass(frozen=True) on a class without slots or __post_init__:
    an __init__ that fills the instance's __dict__ directly. The generated frozen __init__ calls
    object.__setattr__ once per field, which makes a Statement or a Change four times as slow to
    build; a long history builds tens of thousands of them. Same signature, defaults and default
    factories; everything else (eq, hash, repr, frozen, pickling) stays the dataclass's own."""
    params, body, env = [], [], {"_MISSING": MISSING}
    for f in fields(cls):
        if f.default is not MISSING:
            env[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        elif f.default_factory is not MISSING:
            env[f"_factory_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_MISSING")
            body.append(f"    if {f.name} is _MISSING:\n        {f.name} = _factory_{f.name}()")
        else:
            params.append(f.name)
        body.append(f"    d[{f.name!r}] = {f.name}")
    source = f"def __init__(self, {', '.join(params)}):\n    d = self.__dict__\n" + "\n".join(body) + "\n"
    exec(source, env)  # noqa: S102 - source built from the dataclass's own field names
    init = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init
    return cls


SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}

# The class of a finding. The first five classify schema changes (issue: catalog); the last two
# are for findings about the Flyway project itself and for statements flylint could not analyse.
CLASSES = ("additive", "incompatible", "destructive", "data", "neutral", "flyway", "unanalysed")


@quick_init
@dataclass(frozen=True)  # no slots: pickles (cache) twice as fast
class Span:
    """A range in the user's original file: 1-based lines and columns, both ends inclusive.

    `end_column` is the column of the last character of the range (a one-character range has
    column == end_column). Columns count characters (code points), not bytes.
    """

    line: int
    column: int
    end_line: int
    end_column: int

    @staticmethod
    def file_level() -> "Span":
        return Span(1, 1, 1, 1)


_VERSION_TEXT = re.compile(r"[0-9]+(?:[._][0-9]+)*")


@dataclass(frozen=True, slots=True)
class Version:
    """A Flyway migration version, compared the way Flyway compares them.

    `_` and `.` separate parts, each part is a number (leading zeros ignored), trailing zero parts
    are dropped: `1.1 == 1.01 == 1_1 == 1.1.0` and `1.10 > 1.9`. `text` is what Flyway stores in
    flyway_schema_history: the version as written with `_` replaced by `.`.
    """

    parts: tuple[int, ...]
    text: str

    @staticmethod
    def parse(raw: str) -> "Version":
        """Parse a version string; raise ValueError when Flyway would not accept it."""
        if not _VERSION_TEXT.fullmatch(raw):
            raise ValueError(f"version may only contain digits separated by '.' or '_': {raw!r}")
        normalized = raw.replace("_", ".")
        parts = [int(p) for p in normalized.split(".")]
        while len(parts) > 1 and parts[-1] == 0:
            parts.pop()
        return Version(tuple(parts), normalized)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self.parts == other.parts

    def __hash__(self) -> int:
        return hash(self.parts)

    def __lt__(self, other: "Version") -> bool:
        return self.parts < other.parts

    def __le__(self, other: "Version") -> bool:
        return self.parts <= other.parts

    def __gt__(self, other: "Version") -> bool:
        return self.parts > other.parts

    def __ge__(self, other: "Version") -> bool:
        return self.parts >= other.parts

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class ScriptConfig:
    """Settings from a `<migration>.sql.conf` file (None: not set there)."""

    execute_in_transaction: bool | None = None
    encoding: str | None = None
    placeholder_replacement: bool | None = None
    should_execute: str | None = None


@quick_init
@dataclass(frozen=True)  # no slots: pickles (cache) twice as fast
class MigrationFile:
    """One migration Flyway would run (or, for kind U, could run to undo)."""

    path: Path  # absolute path on disk
    display: str  # the path as the user would type it (relative to the cwd when inside it)
    script: str  # path relative to its location root, '/'-separated (Flyway's `script` column)
    kind: str  # 'V' versioned, 'U' undo, 'R' repeatable, 'B' baseline
    version: Version | None  # None for repeatables
    description: str
    checksum: int | None  # Flyway's signed CRC-32; None when the file could not be decoded
    config: ScriptConfig = field(default_factory=ScriptConfig)
    encoding: str = "UTF-8"


@quick_init
@dataclass(frozen=True)  # no slots: pickles (cache) twice as fast
class Finding:
    """One thing flylint has to say, located in the user's own file."""

    rule: str
    severity: str  # error | warning | info
    change: str  # the change kind (catalog vocabulary), or "none" for file-level findings
    klass: str  # one of CLASSES ("class" in JSON)
    path: str  # display path
    span: Span
    object: str | None
    message: str
    fix: str | None
    docs: str

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "change": self.change,
            "class": self.klass,
            "path": self.path,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "object": self.object,
            "message": self.message,
            "fix": self.fix,
            "docs": self.docs,
        }


@quick_init
@dataclass(frozen=True)  # no slots: pickles (cache) twice as fast
class Statement:
    """One statement of a migration, as Flyway would send it, located in the user's file."""

    index: int  # 0-based position in the file
    text: str  # the statement as executed (placeholders replaced), without its delimiter
    span: Span  # where it is in the original file
    transactional: bool  # whether Flyway runs it inside a transaction
    parsed: Any  # flylint.sql.parser.ParseResult
    split_error: str | None = None  # the splitter could not find the statement's end (e.g. open quote)
    split_note: str | None = None  # a Flyway splitting pitfall seen on this statement
    error_span: Span | None = None  # where the parser or splitter first lost track, when known


@quick_init
@dataclass(frozen=True)  # no slots: pickles (cache) twice as fast
class FileAnalysis:
    """A migration and its statements (empty when the file could not be decoded)."""

    migration: MigrationFile
    statements: tuple[Statement, ...]
    source: str | None  # the original decoded text (BOM dropped), for reporters to quote
