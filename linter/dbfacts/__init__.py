"""Knowledge of the databases, as data: what a schema change costs on a given server version.

A rule asks `cost("postgres", "set-not-null", "15", proven_by_check=True)` instead of hard-coding
lock levels and version gates. The answer is a `Cost`: the lock taken, what it blocks, whether the
table is rewritten or scanned under the lock, the MySQL/MariaDB algorithm, the version the fact
applies from, and where the fact comes from.

The facts live in one table per dialect (`postgres.POSTGRES`, `mysql.MYSQL`, `mysql.MARIADB`),
each row carrying its source: measured on a real PostgreSQL 15 / MariaDB 10.11 (research/
verify.md, or re-measured while writing the tables), or a named manual page marked [manual]. The
matcher below tries a dialect's rows in order and returns the first whose change kind, detail
conditions and version range fit; MySQL/MariaDB answers are then adjusted for an explicit
ALGORITHM=/LOCK= clause and for dialect-wide version facts (`mysql.ALGORITHM_SINCE`,
`mysql.ONLINE_COPY_SINCE`).

Versions: without `db_version`, `cost()` assumes the dialect's `OLDEST` supported version and says
so in `Cost.assumed_version`. A version without a patch level means the first release of the
series ("8.0" < "8.0.12"): conservative; pass the full version for that release's behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, Mapping

from . import mysql as _mysql
from . import postgres as _postgres
from .rows import (
    MY_ALGORITHMS,
    MY_LOCK_BLOCKS,
    MY_LOCKS,
    PG_APP_LOCKS,
    PG_CONFLICTS,
    PG_LOCK_MODES,
    Row,
    lock_blocks,
    parse_version,
    pg_lock_mode,
    version_at_least,
)
from .mysql import METADATA_LOCK_NOTE

__all__ = [
    "CHANGES",
    "DETAIL_DEFAULTS",
    "DIALECTS",
    "METADATA_LOCK_NOTE",
    "NO_OPERATION",
    "OLDEST",
    "PG_APP_LOCKS",
    "PG_CONFLICTS",
    "PG_LOCK_MODES",
    "PRODUCT",
    "TABLES",
    "Cost",
    "Row",
    "cost",
    "describe",
    "operation_lock",
    "SyntaxGate",
    "syntax_gate",
    "check_enforced",
    "lock_blocks",
    "parse_version",
    "pg_lock_mode",
]


@dataclass(frozen=True, slots=True)
class Cost:
    """What one change costs on one server version."""

    lock: str | None  # PostgreSQL lock mode on the table; MySQL/MariaDB effective LOCK level
    blocks: str  # plain words: "reads and writes", "writes", "other DDL and VACUUM", "nothing"
    rewrite: bool  # PostgreSQL: table (or index) rewritten; MySQL/MariaDB: table copied/rebuilt
    scan: bool  # every row is read while the lock is held
    algorithm: str | None  # "INSTANT", "NOCOPY" (MariaDB), "INPLACE", "COPY"; None on PostgreSQL
    duration: str  # "instant" (catalog-only), "scan" or "rewrite" (proportional to table size)
    since: str | None  # the version this fact applies from (None: every version flylint knows)
    source: str  # where the fact comes from
    note: str = ""  # what a finding should add
    assumed_version: str | None = None  # the version assumed because none was given
    dialect: str = ""  # "postgres", "mysql" or "mariadb"
    refused: str | None = None  # the server rejects the statement as written, and why


DIALECTS = ("postgres", "mysql", "mariadb")
PRODUCT = MappingProxyType({"postgres": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB"})

# The oldest versions flylint supports, assumed when no db_version is given: the floors
# strong_migrations 2.x uses (anchors.md; its adapters' min_version). Every older release is past
# its end of life. PostgreSQL 12 is where a validated CHECK lets SET NOT NULL skip its scan and
# REINDEX CONCURRENTLY exists, so the recommended recipes are not flagged by default; MySQL 5.7
# predates INSTANT, so ADD COLUMN there is reported as a rebuild until a version is configured.
OLDEST = MappingProxyType({"postgres": "12", "mysql": "5.7", "mariadb": "10.5"})

# flylint's change kinds (the catalog vocabulary).
CHANGES = (
    "add-column", "drop-column", "rename-column", "change-column-type", "set-not-null",
    "drop-not-null", "set-default", "drop-default", "add-primary-key", "add-unique", "add-check",
    "add-foreign-key", "drop-constraint", "validate-constraint", "create-index", "drop-index",
    "reindex", "create-table", "drop-table", "rename-table", "truncate-table", "create-view",
    "replace-view", "drop-view", "add-enum-value", "rename-enum-value", "set-schema",
    "rewrite-table", "lock-table",
)

# The details rows may depend on, with the value assumed when a caller leaves one out (None
# counts as left out). Other keyword arguments are ignored, so a catalog change's whole detail
# dict can be passed. Beyond the flags: `algorithm`/`lock` are an explicit MySQL/MariaDB clause;
# `mode` is the LOCK TABLE(S) mode; `constraint_kind` ("primary-key", "unique", "check",
# "foreign-key") says what drop-constraint drops; `reason` says why a table is rewritten
# ("charset": CONVERT TO CHARACTER SET, "engine": ENGINE=InnoDB on an InnoDB table, "engine-copy":
# ENGINE= of another engine, or a rebuild of a table that is not InnoDB, "partition-copy": REORGANIZE or
# REBUILD PARTITION, "partitioning", "reorganize-partition", "optimize", "cluster", "vacuum-full");
# `full` is None unless known (False: a plain VACUUM, which does not rewrite); `domain` says the
# change is an ALTER DOMAIN (PostgreSQL): its lock is on every table with a column of the domain;
# `special_index` ("FULLTEXT", "SPATIAL") says the MySQL/MariaDB table has such an index, which makes
# an in-place rebuild take LOCK=SHARED (`mysql.SPECIAL_INDEX_REBUILD`); `inline_foreign_key` says an
# ADD COLUMN carries a REFERENCES clause that the server turns into a FOREIGN KEY (MariaDB);
# `timestamp_tz` says a type change is PostgreSQL timestamp <-> timestamptz, and `timezone_utc` that the
# session TimeZone it runs with is UTC (PostgreSQL 12+ then skips the table rewrite).
DETAIL_DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {
        "has_default": False,
        "default_volatile": False,
        "not_null": False,
        "generated_stored": False,
        "identity": False,
        "concurrently": False,
        "not_valid": False,
        "using_index": False,
        "binary_coercible": False,
        "proven_by_check": False,
        "position": False,
        "algorithm": None,
        "lock": None,
        "unique": False,
        "enum_append": False,
        "foreign_key_checks": True,
        "full": None,
        "mode": None,
        "constraint_kind": None,
        "reason": None,
        "domain": False,
        "index_kind": None,
        "first_fulltext": False,
        "special_index": None,
        "inline_foreign_key": False,
        "replaced": False,
        "generated": False,
        "fulltext_table": False,
        "timestamp_tz": False,
        "timezone_utc": False,
    }
)

TABLES: Mapping[str, tuple[Row, ...]] = MappingProxyType(
    {"postgres": _postgres.POSTGRES, "mysql": _mysql.MYSQL, "mariadb": _mysql.MARIADB}
)

# Change kinds a dialect has no operation for: cost() returns None for them.
NO_OPERATION: Mapping[str, frozenset[str]] = MappingProxyType(
    {"postgres": _postgres.POSTGRES_NONE, "mysql": _mysql.MYSQL_NONE, "mariadb": _mysql.MYSQL_NONE}
)

_ALIASES = {
    "postgres": "postgres", "postgresql": "postgres", "pg": "postgres",
    "mysql": "mysql", "mariadb": "mariadb",
}


def cost(dialect: str, change: str, db_version: str | None = None, **detail: Any) -> Cost | None:
    """What `change` costs on `dialect` at `db_version`; None for a change kind with no row.

    `detail` keys are those of `DETAIL_DEFAULTS`; unknown keys are ignored, missing ones take
    their default. Raises ValueError for an unknown dialect or an unparsable version.
    """
    dialect = _dialect(dialect)
    assumed = None
    if db_version is None or str(db_version).strip() == "":
        db_version = assumed = OLDEST[dialect]
    version = _VERSIONS.get(db_version)
    if version is None:
        version = _VERSIONS[db_version] = parse_version(db_version)
    details = _details(dialect, detail)
    # rules ask once per change, thousands of times per history, mostly the same questions; the
    # answer depends only on these (details holds DETAIL_DEFAULTS' keys, in its order)
    key = (dialect, change, version, assumed, *details.values())
    try:
        found = _MEMO.get(key, _MISS)
    except TypeError:  # an unhashable detail value: answer without the memo
        key, found = None, _MISS
    if found is not _MISS:
        return found
    row = _match(dialect, change, details, version)
    if row is None:
        found = None
    else:
        found = _cost(row, dialect)
        if dialect != "postgres":
            found = _my_adjust(dialect, change, version, details, found)
        found = replace(found, assumed_version=assumed)
    if key is not None and len(_MEMO) < 10_000:
        _MEMO[key] = found
    return found


_MISS = object()
_MEMO: dict[tuple, Cost | None] = {}
_VERSIONS: dict[object, tuple[int, ...]] = {}


def operation_lock(dialect: str, operation: str | None) -> tuple[str | None, str] | None:
    """The table lock of a statement outside the change vocabulary (a catalog change of kind "other"
    with this `operation` detail, e.g. "drop-trigger"): (lock, source), or None when flylint has no fact.
    The lock is a PostgreSQL lock mode, or the MySQL/MariaDB metadata-lock level; None: no table lock."""
    table = _postgres.OPERATIONS if _dialect(dialect) == "postgres" else _mysql.OPERATIONS
    return table.get(operation or "")


@dataclass(frozen=True, slots=True)
class SyntaxGate:
    """A statement form the server at `version` rejects (error 1064): it exists from `since` on."""

    feature: str  # a key of mysql.SYNTAX_SINCE: "rename-column", "rename-index", "drop-constraint", "drop-check"
    syntax: str  # the form as shown to the user, e.g. "ALTER TABLE ... RENAME COLUMN"
    since: str | None  # None: no version of the product has it
    version: str  # the version judged (the one given, or the assumed oldest)
    source: str
    dialect: str
    assumed_version: str | None = None  # set when no db_version was given


def syntax_gate(dialect: str, feature: str, db_version: str | None = None) -> SyntaxGate | None:
    """The gate when `feature`'s syntax does not exist yet on `dialect` at `db_version` (the oldest
    supported version when None): the statement fails there. None when the server accepts it, or when
    flylint knows no gate for it. Raises ValueError for an unknown dialect or an unparsable version."""
    dialect = _dialect(dialect)
    gates = _mysql.SYNTAX_SINCE.get(feature, {}) if dialect != "postgres" else {}
    gate = gates.get(dialect)
    if gate is None:
        return None
    assumed = None
    if db_version is None or str(db_version).strip() == "":
        db_version = assumed = OLDEST[dialect]
    since, syntax, source = gate
    if since is not None and version_at_least(parse_version(db_version), parse_version(since)):
        return None
    return SyntaxGate(feature, syntax, since, str(db_version), source, dialect, assumed)


def check_enforced(dialect: str, db_version: str | None = None) -> bool:
    """Whether `dialect` at `db_version` (the oldest supported version when None) enforces CHECK
    constraints: PostgreSQL always; MySQL from 8.0.16, MariaDB from 10.2.1 (`mysql.CHECK_ENFORCED_SINCE`),
    before which a CHECK is parsed and ignored. Raises ValueError for an unknown dialect or an
    unparsable version."""
    dialect = _dialect(dialect)
    if dialect == "postgres":
        return True
    if db_version is None or str(db_version).strip() == "":
        db_version = OLDEST[dialect]
    since, _source = _mysql.CHECK_ENFORCED_SINCE[dialect]
    return version_at_least(parse_version(db_version), parse_version(since))


def describe(c: Cost) -> str:
    """A short sentence for a finding, e.g. "takes an ACCESS EXCLUSIVE lock (blocks reads and
    writes) and rewrites the table" or "INSTANT: no table copy (MySQL 8.0.12+)"."""
    if c.refused:
        return f"fails: {c.refused}"
    # The version gate explains why a change is cheap; on an expensive answer it would mislead.
    product = PRODUCT.get(c.dialect)
    gate = ""
    if c.since and c.duration == "instant":
        gate = f" ({product} {c.since}+)" if product else f" ({c.since}+)"
    if c.algorithm is None:
        if c.lock is None:
            return f"takes no lock on existing tables{gate}"
        if c.dialect in ("mysql", "mariadb"):
            lock = f"{_article(c.lock)} {c.lock.lower()} metadata lock"
        else:
            lock = f"{_article(c.lock)} {c.lock} lock"
        return f"takes {lock} (blocks {c.blocks}){_work(c)}{gate}"
    if c.algorithm == "INSTANT":
        return f"INSTANT: no table copy{gate}"
    if c.algorithm == "COPY":
        what = "copies the table"
    elif c.rewrite:
        what = "rebuilds the table"
    elif c.scan:
        what = "builds the index without copying the table"
    else:
        what = "changes metadata only"
    effect = "reads and writes continue" if c.blocks == "nothing" else f"blocks {c.blocks}"
    return f"{c.algorithm} with LOCK={c.lock}: {what}, {effect}{gate}"


def _article(word: str) -> str:
    return "an" if word[:1].upper() in "AEIOU" else "a"


# --------------------------------------------------------------------------------------------
# The matcher
# --------------------------------------------------------------------------------------------


def _dialect(dialect: str) -> str:
    key = _ALIASES.get(str(dialect).strip().lower())
    if key is None:
        raise ValueError(f"unknown dialect {dialect!r}: expected one of {', '.join(DIALECTS)}")
    return key


_DEFAULTS = dict(DETAIL_DEFAULTS)  # (a plain dict copies faster than the read-only view)
_BOOLEAN = frozenset(k for k, v in DETAIL_DEFAULTS.items() if isinstance(v, bool))


def _details(dialect: str, given: Mapping[str, Any]) -> dict[str, Any]:
    details = _DEFAULTS.copy()
    for key, value in given.items():
        if value is None or key not in details:
            continue
        details[key] = bool(value) if key in _BOOLEAN else value
    if details["mode"] is not None:
        details["mode"] = _lock_table_mode(dialect, str(details["mode"]))
    for key in ("algorithm", "lock"):
        if details[key] is not None:
            word = str(details[key]).strip().upper()
            details[key] = None if word in ("", "DEFAULT") else word
    for key in ("constraint_kind", "reason"):
        if details[key] is not None:
            details[key] = str(details[key]).strip().lower().replace(" ", "-").replace("_", "-")
    return details


def _lock_table_mode(dialect: str, mode: str) -> str:
    """Canonical LOCK TABLE mode; one flylint cannot read matches no mode row, so the answer is
    the statement's default (ACCESS EXCLUSIVE / WRITE), the strongest."""
    if dialect == "postgres":
        try:
            return pg_lock_mode(mode)
        except ValueError:
            return mode
    return "READ" if "READ" in mode.upper() else "WRITE"


def _match(
    dialect: str, change: str, details: Mapping[str, Any], version: tuple[int, ...]
) -> Row | None:
    for row in TABLES[dialect]:
        if row.change == change and row.applies(details, version):
            return row
    return None


def _cost(row: Row, dialect: str) -> Cost:
    return Cost(
        lock=row.lock,
        blocks=row.blocks,
        rewrite=row.rewrite,
        scan=row.scan,
        algorithm=row.algorithm,
        duration=row.duration,
        since=row.since,
        source=row.source,
        note=row.note,
        dialect=dialect,
        refused=row.refused,
    )


def _work(c: Cost) -> str:
    if c.rewrite:
        return " and rewrites the table"
    if c.scan:
        return " and scans the whole table while holding it"
    if c.blocks != "nothing":
        return " without scanning or rewriting the table"
    return ""


# --------------------------------------------------------------------------------------------
# MySQL / MariaDB: version-wide facts and explicit ALGORITHM= / LOCK= clauses
# --------------------------------------------------------------------------------------------

_ALG_RANK = {name: rank for rank, name in enumerate(MY_ALGORITHMS)}
_LOCK_RANK = {name: rank for rank, name in enumerate(MY_LOCKS)}
_CLAUSE_SOURCE = {
    "mysql": "MySQL 8.0 manual: ALTER TABLE, ALGORITHM and LOCK clauses (the server uses the "
             "requested algorithm or fails) [manual]",
    "mariadb": "MariaDB KB: InnoDB Online DDL Overview (COPY is used as asked; any other "
               "ALGORITHM is the least efficient one accepted) [manual]; measured on MariaDB "
               "10.11.19 here",
}


def _at_least(version: tuple[int, ...], bound: str | None) -> bool:
    return bound is not None and version_at_least(version, parse_version(bound))


def _with_lock(c: Cost, lock: str) -> Cost:
    return replace(c, lock=lock, blocks=MY_LOCK_BLOCKS[lock])


def _refuse(c: Cost, reason: str) -> Cost:
    return replace(c, refused=reason)


def _my_adjust(
    dialect: str, change: str, version: tuple[int, ...], details: Mapping[str, Any], c: Cost
) -> Cost:
    # Names: INSTANT/NOCOPY did not exist yet -> the same metadata-only work ran as INPLACE.
    named_since = _mysql.ALGORITHM_SINCE[dialect].get(c.algorithm or "", "0")
    if c.algorithm is not None and not _at_least(version, named_since):
        c = replace(c, algorithm="INPLACE")
    if c.algorithm is None:  # not an ALTER TABLE: the clauses do not apply
        return c
    if details["fulltext_table"]:
        c = _fulltext_table(change, details, c)
    c = _special_index(dialect, change, details, c)
    natural_copy_lock = "SHARED"
    online_copy = _at_least(version, _mysql.ONLINE_COPY_SINCE.get(dialect))
    if online_copy:
        natural_copy_lock = "NONE"
        if c.algorithm == "COPY" and c.lock == "SHARED":
            c = replace(_with_lock(c, "NONE"), note=_join(c.note, "online COPY: writes continue "
                        "during the copy (MariaDB 11.2+)"),
                        source=f"{c.source}; verify.md §3 (COPY, LOCK=NONE on MariaDB 11.2+)")
    algorithm, lock = details["algorithm"], details["lock"]
    if algorithm is None and lock is None:
        return c
    c = replace(c, source=f"{c.source}; {_CLAUSE_SOURCE[dialect]}")

    if algorithm is not None:
        if algorithm not in _ALG_RANK or (dialect == "mysql" and algorithm == "NOCOPY"):
            return _refuse(c, f"ALGORITHM={algorithm} is not a {PRODUCT[dialect]} algorithm")
        introduced = _mysql.ALGORITHM_SINCE[dialect].get(algorithm)
        if introduced is not None and not _at_least(version, introduced):
            return _refuse(c, f"ALGORITHM={algorithm} does not exist before {PRODUCT[dialect]} {introduced} "
                              f"(error 1064, syntax error; best possible: {c.algorithm})")
        if _ALG_RANK[algorithm] < _ALG_RANK[c.algorithm]:
            return _refuse(c, f"ALGORITHM={algorithm} is not supported for this change "
                                       f"(error 1845/1846; best possible: {c.algorithm})")
        if _ALG_RANK[algorithm] > _ALG_RANK[c.algorithm]:
            if algorithm == "COPY":
                c = replace(c, algorithm="COPY", rewrite=True, scan=True, duration="rewrite",
                            note=_join(c.note, "ALGORITHM=COPY forces a full table copy"))
                if _LOCK_RANK[c.lock or "NONE"] < _LOCK_RANK[natural_copy_lock]:
                    c = _with_lock(c, natural_copy_lock)
            elif dialect == "mysql":
                c = replace(c, algorithm=algorithm)
            # MariaDB: INPLACE/NOCOPY are a minimum; the server keeps the better algorithm.

    if lock is not None:
        if lock not in _LOCK_RANK:
            return _refuse(c, f"LOCK={lock} is not a LOCK level")
        if dialect == "mysql" and c.algorithm == "INSTANT":
            if algorithm == "INSTANT":
                return _refuse(c, f"ALGORITHM=INSTANT accepts only LOCK=DEFAULT, not LOCK={lock}")
            # An instant operation with a LOCK clause runs INPLACE instead (MySQL 8.0 manual:
            # "Only LOCK=DEFAULT is supported for operations that are performed instantly").
            again = dict(details, algorithm="INPLACE", lock=lock)
            return cost(dialect, change, ".".join(map(str, version)), **again) or c
        if _LOCK_RANK[lock] < _LOCK_RANK[c.lock or "NONE"]:
            return _refuse(c, f"LOCK={lock} is not supported for this change (error "
                                       f"1846; needs at least LOCK={c.lock})")
        if _LOCK_RANK[lock] > _LOCK_RANK[c.lock or "NONE"]:
            c = _with_lock(c, lock)
    return c


def _special_index(dialect: str, change: str, details: Mapping[str, Any], c: Cost) -> Cost:
    """An in-place rebuild of a table with a FULLTEXT or SPATIAL index cannot let writes continue."""
    special = details["special_index"]
    if not special or not c.rewrite or c.algorithm != "INPLACE" or c.lock != "NONE":
        return c
    fact = _mysql.SPECIAL_INDEX_REBUILD.get((dialect, str(special).upper()))
    if fact is None or (fact.get("changes") and change not in fact["changes"]):
        return c
    c = replace(c, algorithm=fact["algorithm"], note=_join(c.note, fact["note"]), source=f"{c.source}; {fact['source']}")
    return _with_lock(c, fact["lock"])


def _fulltext_table(change: str, details: Mapping[str, Any], c: Cost) -> Cost:
    """A table with InnoDB's hidden FTS_DOC_ID column (a FULLTEXT index was added; the column stays after the
    index is dropped, until the table is rebuilt): no INSTANT ADD/DROP COLUMN; and while a FULLTEXT index
    exists, a rebuild re-creates it, which needs LOCK=SHARED. Measured on
    MariaDB 10.11.19 here (ADD/DROP COLUMN: INSTANT and NOCOPY refused, INPLACE LOCK=NONE refused
    'Fulltext index creation requires a lock', INPLACE LOCK=SHARED accepted; a VIRTUAL column stays
    INSTANT); MySQL 8.0 manual, Online DDL: instant ADD COLUMN is not supported for 'tables with a
    FULLTEXT index' [manual]; the same 1846 reason exists in MySQL."""
    if change in ("add-column", "drop-column") and c.algorithm in ("INSTANT", "NOCOPY") and not (
            details["generated"] and not details["generated_stored"]):
        c = replace(c, algorithm="INPLACE", rewrite=True, scan=True, duration="rewrite", since=None,
                    note=_join(c.note, "the table has a FULLTEXT index: no INSTANT ADD/DROP COLUMN, the table is rebuilt"))
    if c.rewrite and c.lock == "NONE" and str(details["special_index"] or "").upper() == "FULLTEXT":
        # only while a FULLTEXT index exists: after DROP INDEX the rebuild ran INPLACE with LOCK=NONE (measured
        # on MariaDB 10.11.19 here), though ADD COLUMN stays non-INSTANT until a rebuild removes FTS_DOC_ID
        c = replace(_with_lock(c, "SHARED"), note=_join(c.note, "rebuilding a table with a FULLTEXT index needs "
                                                              "LOCK=SHARED (writes wait)"))
    return c


def _join(first: str, second: str) -> str:
    return f"{first}; {second}" if first else second
