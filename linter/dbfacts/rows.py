"""The shape of a fact: one `Row`, the version arithmetic, and the lock vocabulary.

The tables themselves live in `postgres.py` and `mysql.py`; the matcher in `__init__.py`.

A row says: for this change kind, when these details hold, on versions in [since, until), the
operation takes this lock, blocks this, rewrites or scans the table, runs with this algorithm;
and where the fact comes from. Rows are tried in table order and the first match wins, so each
change lists its specific rows (a condition, a newer version gate) before its fallback row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

# --------------------------------------------------------------------------------------------
# Versions
# --------------------------------------------------------------------------------------------

_VERSION = re.compile(r"\d+(?:\.\d+)*")


def parse_version(text: str | int | float) -> tuple[int, ...]:
    """`"15"`, `"15.4"`, `"8.0.35"`, `"10.11.6-MariaDB-0+deb12u1"`, `"PostgreSQL 15.4"` -> ints.

    The first dotted run of digits counts; anything around it (vendor suffixes) is ignored.
    """
    match = _VERSION.search(str(text))
    if match is None:
        raise ValueError(f"not a database version: {text!r}")
    return tuple(int(part) for part in match.group(0).split("."))


def version_at_least(version: tuple[int, ...], bound: tuple[int, ...]) -> bool:
    """Numeric comparison, missing parts counting as 0.

    So a version given without its patch level means the first release of that series:
    "8.0" is below "8.0.12" and "10.3" below "10.3.2". That is the conservative reading for a
    linter; give the full version ("8.0.35") to get that release's behaviour.
    """
    width = max(len(version), len(bound))
    return version + (0,) * (width - len(version)) >= bound + (0,) * (width - len(bound))


# --------------------------------------------------------------------------------------------
# Locks
# --------------------------------------------------------------------------------------------

# PostgreSQL table lock modes, weakest first (PostgreSQL docs: Explicit Locking, Table 13.2).
PG_LOCK_MODES = (
    "ACCESS SHARE",
    "ROW SHARE",
    "ROW EXCLUSIVE",
    "SHARE UPDATE EXCLUSIVE",
    "SHARE",
    "SHARE ROW EXCLUSIVE",
    "EXCLUSIVE",
    "ACCESS EXCLUSIVE",
)

# Which modes each mode conflicts with (PostgreSQL docs: Explicit Locking, "Conflicting Lock
# Modes"; the rows that matter to the application were checked on PostgreSQL 15.18 in
# verify.md §2 "Lock conflict matrix").
PG_CONFLICTS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "ACCESS SHARE": frozenset({"ACCESS EXCLUSIVE"}),
        "ROW SHARE": frozenset({"EXCLUSIVE", "ACCESS EXCLUSIVE"}),
        "ROW EXCLUSIVE": frozenset({"SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"}),
        "SHARE UPDATE EXCLUSIVE": frozenset(
            {"SHARE UPDATE EXCLUSIVE", "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"}
        ),
        "SHARE": frozenset(
            {"ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"}
        ),
        "SHARE ROW EXCLUSIVE": frozenset(
            {"ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"}
        ),
        "EXCLUSIVE": frozenset(set(PG_LOCK_MODES) - {"ACCESS SHARE"}),
        "ACCESS EXCLUSIVE": frozenset(PG_LOCK_MODES),
    }
)

# What the application's own statements take (PostgreSQL docs: Explicit Locking).
PG_APP_LOCKS = MappingProxyType(
    {
        "SELECT": "ACCESS SHARE",
        "SELECT FOR UPDATE/SHARE": "ROW SHARE",
        "INSERT/UPDATE/DELETE": "ROW EXCLUSIVE",
    }
)


def pg_lock_mode(mode: str) -> str:
    """Canonical PostgreSQL lock mode: "AccessExclusiveLock", "access exclusive",
    "ACCESS_EXCLUSIVE" and "ACCESS EXCLUSIVE MODE" all give "ACCESS EXCLUSIVE"."""
    words = re.sub(r"([a-z])([A-Z])", r"\1 \2", mode.strip())
    words = re.sub(r"[\s_]+", " ", words).upper()
    words = re.sub(r"( LOCK| MODE)+$", "", words).strip()
    if words not in PG_CONFLICTS:
        raise ValueError(f"not a PostgreSQL table lock mode: {mode!r}")
    return words


def lock_blocks(lock_mode: str) -> str:
    """What a PostgreSQL table lock held by a migration blocks, in plain words.

    * "reads and writes": ACCESS EXCLUSIVE, the only mode that conflicts with a plain SELECT.
    * "writes and SELECT FOR UPDATE/SHARE": EXCLUSIVE (plain SELECT still runs).
    * "writes": SHARE and SHARE ROW EXCLUSIVE block INSERT/UPDATE/DELETE, not SELECT.
    * "other DDL and VACUUM": SHARE UPDATE EXCLUSIVE blocks no application statement, only other
      schema changes, VACUUM, ANALYZE and CREATE INDEX CONCURRENTLY on the same table.
    * "nothing": ACCESS SHARE, ROW SHARE and ROW EXCLUSIVE are what the application itself takes;
      they block no application statement (only stronger DDL, see `PG_CONFLICTS`).
    """
    conflicts = PG_CONFLICTS[pg_lock_mode(lock_mode)]
    if "ACCESS SHARE" in conflicts:
        return "reads and writes"
    if "ROW SHARE" in conflicts:
        return "writes and SELECT FOR UPDATE/SHARE"
    if "ROW EXCLUSIVE" in conflicts:
        return "writes"
    if "SHARE UPDATE EXCLUSIVE" in conflicts:
        return "other DDL and VACUUM"
    return "nothing"


# MySQL/MariaDB LOCK levels of ALTER TABLE (MySQL 8.0 manual: Online DDL, "The LOCK clause").
MY_LOCKS = ("NONE", "SHARED", "EXCLUSIVE")
MY_LOCK_BLOCKS = MappingProxyType({"NONE": "nothing", "SHARED": "writes", "EXCLUSIVE": "reads and writes"})
# Algorithms, most efficient first (MariaDB KB: InnoDB Online DDL Overview; MySQL has no NOCOPY).
MY_ALGORITHMS = ("INSTANT", "NOCOPY", "INPLACE", "COPY")


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Row:
    """One fact: what `change` costs when the details in `when` hold, on [since, until)."""

    change: str
    lock: str | None
    blocks: str
    rewrite: bool
    scan: bool
    algorithm: str | None
    duration: str
    source: str
    note: str = ""
    when: tuple[tuple[str, Any], ...] = ()  # (detail, required value) pairs
    since: str | None = None  # inclusive
    until: str | None = None  # exclusive
    refused: str | None = None  # the statement fails on these versions, and why

    def applies(self, detail: Mapping[str, Any], version: tuple[int, ...]) -> bool:
        if self.since is not None and not version_at_least(version, parse_version(self.since)):
            return False
        if self.until is not None and version_at_least(version, parse_version(self.until)):
            return False
        return all(detail.get(key) == value for key, value in self.when)


def _duration(rewrite: bool, scan: bool) -> str:
    return "rewrite" if rewrite else "scan" if scan else "instant"


def pg(
    change: str,
    lock: str | None,
    *,
    source: str,
    rewrite: bool = False,
    scan: bool = False,
    note: str = "",
    when: Mapping[str, Any] | None = None,
    since: str | None = None,
    until: str | None = None,
    refused: str | None = None,
    duration: str | None = None,
) -> Row:
    """A PostgreSQL row: `blocks` follows from the lock mode, `duration` from rewrite/scan."""
    return Row(
        change=change,
        lock=None if lock is None else pg_lock_mode(lock),
        blocks="nothing" if lock is None else lock_blocks(lock),
        rewrite=rewrite,
        scan=scan or rewrite,
        algorithm=None,
        duration=duration or _duration(rewrite, scan),
        source=source,
        note=note,
        when=tuple((when or {}).items()),
        since=since,
        until=until,
        refused=refused,
    )


def my(
    change: str,
    algorithm: str | None,
    lock: str | None,
    *,
    source: str,
    rebuild: bool = False,
    scan: bool = False,
    note: str = "",
    when: Mapping[str, Any] | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Row:
    """A MySQL/MariaDB row. `algorithm` None: not an ALTER TABLE operation (DROP TABLE, views,
    LOCK TABLES); then `lock` is the metadata-lock level it effectively holds."""
    if algorithm is not None and algorithm not in MY_ALGORITHMS:
        raise ValueError(f"unknown algorithm {algorithm!r}")
    if lock is not None and lock not in MY_LOCKS:
        raise ValueError(f"unknown LOCK level {lock!r}")
    return Row(
        change=change,
        lock=lock,
        blocks=MY_LOCK_BLOCKS[lock] if lock else "nothing",
        rewrite=rebuild,
        scan=scan or rebuild,
        algorithm=algorithm,
        duration=_duration(rebuild, scan),
        source=source,
        note=note,
        when=tuple((when or {}).items()),
        since=since,
        until=until,
    )
