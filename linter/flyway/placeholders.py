"""Flyway placeholder replacement (`PlaceholderReplacingReader`), with an offset map back to the
original text so that findings about the replaced text land in the user's file.

Flyway filters the whole script through this reader before tokenising, so placeholders are
replaced everywhere: in comments, string literals, dollar-quoted bodies and identifiers. There is
no escape syntax. The reader's details, reproduced here:

* After the prefix, characters up to the first occurrence of the suffix form the name (not
  trimmed, may span lines). Lookup is case-insensitive. An empty value removes the placeholder.
* A name with no value is an error in Flyway ("No value provided for placeholder"); an
  unterminated placeholder (no suffix before the end of the text) is one too. Both are recorded
  in `Replacement.undefined` and the text is left as it is.
* The reader looks for the prefix one character at a time and, when a partial match fails, emits
  every character it has read verbatim: with prefix `${`, `$${a}` is *not* a placeholder (the
  second `$` was consumed by the failed attempt).
* Replacement values are never scanned again.
* Built-ins (`flyway:defaultSchema`, ...) override configured values of the same name, as in
  Flyway (`placeholders.putAll(configuration); placeholders.putAll(parsingContext)`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, NamedTuple

from flylint.flyway import facts
from flylint.model import Span
from flylint.text import LineIndex

BUILTIN_NAMES: tuple[str, ...] = (
    "defaultSchema",
    "user",
    "database",
    "timestamp",
    "filename",
    "workingDirectory",
    "table",
    "environment",
)

# Used for built-ins the caller supplies no value for (Flyway gets them from the connection).
_BUILTIN_STAND_INS: Mapping[str, str] = {
    "defaultSchema": "public",
    "user": "flyway",
    "database": "flyway",
    "timestamp": "1970-01-01 00:00:00",
    "workingDirectory": ".",
    "table": "flyway_schema_history",
    "environment": "default",
}


class Undefined(NamedTuple):
    """A placeholder without a value: its name and its range in the original text (end exclusive)."""

    name: str
    start: int
    end: int


class Use(NamedTuple):
    """A replaced placeholder: original range (end exclusive) and the value put in its place."""

    name: str
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class Replacement:
    """The text after placeholder replacement, and how to map offsets back to the original."""

    text: str
    undefined: tuple[Undefined, ...] = ()
    uses: tuple[Use, ...] = ()
    # Parallel arrays, one entry per replaced placeholder, ordered by position:
    _new_starts: tuple[int, ...] = field(default=(), repr=False)
    _new_ends: tuple[int, ...] = field(default=(), repr=False)

    @property
    def changed(self) -> bool:
        return bool(self.uses)

    def to_original(self, offset: int) -> int:
        """Map an offset in `text` to the original text.

        Offsets inside a replaced value map to the start of its placeholder; other offsets shift by
        the length differences of the placeholders before them. O(log n); O(1) when nothing was
        replaced.
        """
        if not self._new_starts:
            return offset
        i = bisect.bisect_right(self._new_starts, offset) - 1
        if i < 0:
            return offset
        if offset < self._new_ends[i]:
            return self.uses[i].start
        return self.uses[i].end + (offset - self._new_ends[i])


def builtin_values(
    separator: str = ":",
    builtins: Mapping[str, str] | None = None,
    filename: str | None = None,
) -> dict[str, str]:
    """The built-in placeholders, keyed by their full lower-cased name (`flyway:table`).

    `builtins` may name them by short name (`table`) or full name (`flyway:table`), in any case.
    """
    full_prefix = f"flyway{separator}".lower()
    supplied: dict[str, str] = {}
    for key, value in (builtins or {}).items():
        short = str(key).lower()
        if short.startswith(full_prefix):
            short = short[len(full_prefix):]
        supplied[short] = value
    values: dict[str, str] = {}
    for name in BUILTIN_NAMES:
        if name == "filename":
            default = filename if filename is not None else ""
        else:
            default = _BUILTIN_STAND_INS[name]
        values[f"{full_prefix}{name.lower()}"] = supplied.get(name.lower(), default)
    return values


def replace_placeholders(
    text: str,
    values: Mapping[str, str],
    *,
    prefix: str = "${",
    suffix: str = "}",
    separator: str = ":",
    enabled: bool = True,
    filename: str | None = None,
    builtins: Mapping[str, str] | None = None,
) -> Replacement:
    """Replace placeholders as Flyway does (see the module docstring).

    `values` are the configured placeholders (any case); `builtins` gives values for Flyway's
    built-ins by short (`table`) or full (`flyway:table`) name; those not given get a stand-in.
    `filename` is the value of `flyway:filename` unless `builtins` has one. With `enabled=False`
    the text is returned as is.
    """
    if not enabled or not prefix or prefix not in text:
        return Replacement(text)
    lookup: dict[str, str] = {str(k).lower(): "" if v is None else str(v) for k, v in values.items()}
    lookup.update(builtin_values(separator, builtins, filename))

    out: list[str] = []
    undefined: list[Undefined] = []
    uses: list[Use] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    out_len = 0
    n = len(text)
    plen = len(prefix)
    first = prefix[0]
    i = 0
    copied = 0  # text[copied:i] is pending verbatim output
    while True:
        j = text.find(first, i)
        if j < 0:
            break
        # The reader reads up to len(prefix) chars while they match the prefix so far; on a
        # mismatch every char read (including the mismatching one) is emitted verbatim.
        k = 0
        while k < plen and j + k < n and text[j + k] == prefix[k]:
            k += 1
        if k < plen:
            i = min(j + k + 1, n)
            continue
        name_start = j + plen
        close = text.find(suffix, name_start)
        if close < 0:
            # Flyway reads to the end of the text; the "name" is everything after the prefix. Keep
            # a readable name for messages: up to the end of the line, at most 60 characters.
            rest = text[name_start:]
            name = rest.splitlines()[0] if rest else ""
            undefined.append(Undefined(name[:60], j, n))
            break
        name = text[name_start:close]
        end = close + len(suffix)
        value = lookup.get(name.lower())
        if value is None:
            undefined.append(Undefined(name, j, end))
            i = end
            continue
        chunk = text[copied:j]
        out.append(chunk)
        out_len += len(chunk)
        out.append(value)
        new_starts.append(out_len)
        out_len += len(value)
        new_ends.append(out_len)
        uses.append(Use(name, j, end, value))
        copied = i = end
    if not uses:
        return Replacement(text, tuple(undefined))
    out.append(text[copied:])
    return Replacement("".join(out), tuple(undefined), tuple(uses), tuple(new_starts), tuple(new_ends))


def undefined_facts(path: Path, original_text: str, replacement: Replacement) -> list[facts.UndefinedPlaceholder]:
    """One `UndefinedPlaceholder` fact per undefined placeholder, located in the original text."""
    if not replacement.undefined:
        return []
    index = LineIndex(original_text)
    return [facts.UndefinedPlaceholder(path, u.name, index.span(u.start, u.end)) for u in replacement.undefined]
