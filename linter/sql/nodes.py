"""flylint's own statement and ALTER TABLE action nodes.

The parser (`flylint.sql.parser`) answers with stock sqlglot nodes wherever one expresses the meaning
exactly (`exp.Alter`, `exp.Create`, `exp.ColumnDef`, `exp.RenameColumn`, ...). Where no stock node
fits, it answers with one of the frozen dataclasses below. The two kinds mix in one place only:
`exp.Alter.args["actions"]` may hold stock actions *and* the action dataclasses of this module
(`ValidateConstraint`, `AttachPartition`, ...), in the order they were written.

Conventions:

* Object names are stock `exp.Table` (possibly schema-qualified: `.name`, `.db`, `.catalog`) or
  `exp.Identifier` (`.this`, `.quoted`), built exactly like the stock parser builds them, so later
  code compares and normalises names one way. Quoting is kept: `"Users"` and `Users` differ.
* Values that are not names (enum labels, source text of an opaque part) are `str`.
* `opaque_body=True` says honestly that flylint understood the statement (it creates function `f`)
  but did not analyse the body (plpgsql, a MySQL `BEGIN ... END` block). Rules must not treat an
  opaque body as harmless: it may contain any DDL or DML.
* Text fields ending in `_text` or named `definition`/`body`/`options` hold the user's own source
  text, verbatim, for messages; they are never regenerated SQL.

Extra facts flylint sets on stock nodes (all read with `node.args.get(...)`):

* `exp.AddConstraint`: `not_valid` (PostgreSQL `NOT VALID`, per constraint; the statement-level
  `exp.Alter.args["not_valid"]` that sqlglot sets is always cleared because it is wrong when one
  statement adds several constraints), `no_inherit` (PostgreSQL `NO INHERIT`), `exists` (MariaDB
  `ADD INDEX IF NOT EXISTS`, `ADD CONSTRAINT IF NOT EXISTS`).
* `exp.Alter`: `online` (MariaDB `ALTER ONLINE TABLE`), `ignore` (`ALTER IGNORE TABLE`), `wait`
  (MariaDB `WAIT n`, an int), `nowait` (MariaDB `NOWAIT`). MySQL `ALGORITHM=`/`LOCK=` stay where
  sqlglot puts them: `alter.args["options"]` (`exp.AlgorithmProperty`, `exp.LockProperty`).
* `exp.ModifyColumn`: `exists` (MariaDB `CHANGE/MODIFY COLUMN IF EXISTS`).
* `exp.Create` of an index: `options` (list of `exp.AlgorithmProperty`/`exp.LockProperty`, MySQL),
  `index_kind` ("FULLTEXT" / "SPATIAL", MySQL), `nulls_not_distinct` (True/False when written,
  PostgreSQL 15+), `only` (PostgreSQL `ON ONLY t`), `wait`/`nowait` (MariaDB), `online`
  ("ONLINE"/"OFFLINE", old MySQL Cluster syntax), `comment` (str), `visible` (False for
  INVISIBLE/IGNORED). MySQL `USING BTREE|HASH` goes into the stock
  `IndexParameters.using` like PostgreSQL's `USING gin`.
* `exp.Create` of a MySQL table with `PARTITION BY ...`: `partition_by` (source text after
  PARTITION BY, e.g. "HASH(id) PARTITIONS 4"); the clause is never parsed into properties.
* `exp.Drop` of an index (MySQL `DROP INDEX i ON t ALGORITHM=.. LOCK=..`): `options`, `wait`, `nowait`.
* MySQL prefix key parts (`email(20)`) are `exp.ColumnPrefix(this=Identifier, expression=Literal)`
  everywhere: sqlglot does that itself in `CREATE TABLE` and `ALTER TABLE ADD INDEX`, and flylint
  repairs `CREATE INDEX`, where sqlglot reads them as a function call.
* `exp.Insert`: `alternative="REPLACE"` for MySQL `REPLACE INTO` (sqlglot's own spelling of SQLite's
  `INSERT OR REPLACE`).
* `exp.Comment`: `expression` is `exp.Null()` for `COMMENT ON ... IS NULL`; `on` holds the table of
  `COMMENT ON CONSTRAINT c ON t`.

Stock nodes flylint builds itself (same shapes as the stock parser's):

* `exp.Alter(kind="TYPE"|"SEQUENCE"|"MATERIALIZED VIEW"|"SCHEMA"|"DOMAIN"|"FOREIGN TABLE",
  actions=[exp.AlterRename(this=new_name)])` for PostgreSQL `ALTER <kind> x RENAME TO y`.
* `exp.RenameColumn(this=Column, to=Column)` for every PostgreSQL column rename, with or without
  the COLUMN keyword; `exp.AlterRename` for `RENAME TO` (and MySQL `RENAME AS`).
* `exp.AddConstraint(expressions=[exp.CheckColumnConstraint(...)])` for an unnamed `ADD CHECK`
  (like sqlglot's own unnamed `ADD PRIMARY KEY`); named ones are wrapped in `exp.Constraint`.
* `exp.ColumnDef` per column of MySQL `ADD [COLUMN] (a INT, b INT)`.
* `exp.Drop(kind="EXTENSION"|"DOMAIN"|"INDEX"|"EVENT", tables=[...], exists, cascade,
  concurrently)` for the DROP forms sqlglot fails on (PG `DROP INDEX a, b`, `DROP EXTENSION`).
* `exp.Set(expressions=[exp.SetItem(this=exp.EQ(this=Column(name), expression=value), kind)])`
  for PostgreSQL `SET name TO a, b` (value is `exp.Tuple` of `exp.Var`/`exp.Literal`/quoted
  `exp.Identifier`), `SET TIME ZONE` (name "timezone"), `SET ROLE` (name "role").
* `exp.Transaction(modes=[...])` for PostgreSQL `START TRANSACTION [modes]` (like `BEGIN`).

`walk(tree)` iterates over every stock node and flylint node of a result without recursion.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Iterator

from sqlglot import exp


class Node:
    """Base class of flylint's own nodes (frozen dataclasses)."""

    __slots__ = ()


# --------------------------------------------------------------------------------------------
# Whole statements
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetSchema(Node):
    """`ALTER {TABLE|VIEW|MATERIALIZED VIEW|SEQUENCE|TYPE|INDEX|...} name SET SCHEMA schema` (PG)."""

    kind: str  # "TABLE", "VIEW", "MATERIALIZED VIEW", "SEQUENCE", "TYPE", "INDEX", "DOMAIN", ...
    name: exp.Table
    schema: exp.Identifier
    if_exists: bool = False


@dataclass(frozen=True, slots=True)
class AlterOwner(Node):
    """`ALTER {VIEW|SEQUENCE|TYPE|MATERIALIZED VIEW|SCHEMA|...} name OWNER TO role` (PG).

    On a table this is the `ChangeOwner` action inside `exp.Alter` instead.
    """

    kind: str
    name: exp.Table
    owner: exp.Identifier


@dataclass(frozen=True, slots=True)
class Privileges(Node):
    """Privilege statements the stock parser leaves as a Command (PG): `GRANT|REVOKE ... ON ALL
    {TABLES|SEQUENCES|FUNCTIONS|...} IN SCHEMA s ...`, role membership `GRANT r TO u`, and
    `ALTER DEFAULT PRIVILEGES ...`. They change no schema object and lock no table."""

    verb: str  # "GRANT", "REVOKE" or "ALTER DEFAULT PRIVILEGES"
    scope: str  # "ALL IN SCHEMA", "ROLE" or "DEFAULT"


@dataclass(frozen=True, slots=True)
class AlterEnumAddValue(Node):
    """`ALTER TYPE t ADD VALUE [IF NOT EXISTS] 'v' [BEFORE 'w' | AFTER 'w']` (PG)."""

    type: exp.Table
    value: str
    before: str | None = None
    after: str | None = None
    if_not_exists: bool = False


@dataclass(frozen=True, slots=True)
class AlterEnumRenameValue(Node):
    """`ALTER TYPE t RENAME VALUE 'old' TO 'new'` (PG 10+)."""

    type: exp.Table
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class AlterSequence(Node):
    """`ALTER SEQUENCE [IF EXISTS] s <options>` (PG), e.g. RESTART, INCREMENT BY, OWNED BY.

    The options are kept as source text: they change no table shape.
    """

    name: exp.Table
    options: str
    if_exists: bool = False


@dataclass(frozen=True, slots=True)
class Reindex(Node):
    """`REINDEX [(options)] {INDEX|TABLE|SCHEMA|DATABASE|SYSTEM} [CONCURRENTLY] name` (PG)."""

    kind: str  # "INDEX", "TABLE", "SCHEMA", "DATABASE", "SYSTEM"
    name: exp.Table | None  # None: REINDEX DATABASE/SYSTEM without a name (PG 16+)
    concurrently: bool = False  # CONCURRENTLY keyword or (CONCURRENTLY) option
    options: tuple[str, ...] = ()  # the parenthesised options, upper-cased, e.g. ("VERBOSE",)


@dataclass(frozen=True, slots=True)
class CreateMaterializedView(Node):
    """`CREATE MATERIALIZED VIEW [IF NOT EXISTS] v [(cols)] ... AS query [WITH [NO] DATA]` (PG)."""

    name: exp.Table
    query: exp.Expression  # stock sqlglot query (exp.Select, exp.Union, ...)
    with_data: bool = True  # False for WITH NO DATA (no scan, the view is unreadable until REFRESH)
    if_not_exists: bool = False
    columns: tuple[exp.Identifier, ...] = ()


@dataclass(frozen=True, slots=True)
class RefreshMaterializedView(Node):
    """`REFRESH MATERIALIZED VIEW [CONCURRENTLY] v [WITH [NO] DATA]` (PG)."""

    name: exp.Table
    concurrently: bool = False
    with_data: bool = True


@dataclass(frozen=True, slots=True)
class CreateExtension(Node):
    """`CREATE EXTENSION [IF NOT EXISTS] name [WITH] [SCHEMA s] [VERSION v] [CASCADE]` (PG)."""

    name: exp.Identifier
    if_not_exists: bool = False
    schema: exp.Identifier | None = None
    version: str | None = None
    cascade: bool = False


@dataclass(frozen=True, slots=True)
class LockTable(Node):
    """PostgreSQL `LOCK [TABLE] [ONLY] t[, ...] [IN mode MODE] [NOWAIT]`.

    `mode` is upper-case with single spaces, e.g. "ACCESS EXCLUSIVE" (the default when no IN clause
    is written), "SHARE ROW EXCLUSIVE".
    """

    tables: tuple[exp.Table, ...]
    mode: str = "ACCESS EXCLUSIVE"
    nowait: bool = False
    only: bool = False


@dataclass(frozen=True, slots=True)
class TableLock(Node):
    """One entry of MySQL `LOCK TABLES`: `t [[AS] alias] mode`."""

    table: exp.Table
    mode: str  # "READ", "READ LOCAL", "WRITE", "LOW_PRIORITY WRITE", "WRITE CONCURRENT"
    alias: exp.Identifier | None = None


@dataclass(frozen=True, slots=True)
class LockTables(Node):
    """MySQL/MariaDB `LOCK TABLE[S] t READ|WRITE, ... [WAIT n|NOWAIT]`."""

    locks: tuple[TableLock, ...]
    wait: int | None = None
    nowait: bool = False


@dataclass(frozen=True, slots=True)
class UnlockTables(Node):
    """MySQL `UNLOCK TABLE[S]`."""


@dataclass(frozen=True, slots=True)
class Vacuum(Node):
    """PostgreSQL `VACUUM [FULL] [FREEZE] [VERBOSE] [ANALYZE] [(options)] [table [(cols)], ...]`.

    `full` is True for the FULL keyword or a `(FULL [true])` option: a table rewrite under
    ACCESS EXCLUSIVE. No tables means the whole database. VACUUM cannot run in a transaction.
    """

    tables: tuple[exp.Table, ...] = ()
    full: bool = False
    freeze: bool = False
    verbose: bool = False
    analyze: bool = False
    options: tuple[str, ...] = ()  # parenthesised options as written, upper-cased


@dataclass(frozen=True, slots=True)
class Cluster(Node):
    """PostgreSQL `CLUSTER [VERBOSE] [table [USING index]]` (also the old `CLUSTER index ON table`)."""

    table: exp.Table | None = None  # None: re-cluster every previously clustered table
    index: exp.Identifier | None = None
    verbose: bool = False


@dataclass(frozen=True, slots=True)
class Reset(Node):
    """PostgreSQL `RESET name` / `RESET ALL`."""

    name: str | None  # lower-cased parameter name; None for RESET ALL
    all: bool = False


@dataclass(frozen=True, slots=True)
class CreateFunction(Node):
    """`CREATE [OR REPLACE] FUNCTION|PROCEDURE name(params) ...` in either dialect.

    The signature, return type and body are kept as source text. The body is never analysed:
    `opaque_body` is always True (see the module docstring).
    """

    name: exp.Table
    kind: str = "FUNCTION"  # "FUNCTION" or "PROCEDURE"
    or_replace: bool = False
    if_not_exists: bool = False
    parameters: str = ""  # source text between the parentheses
    returns: str | None = None  # source text after RETURNS, e.g. "trigger", "TABLE (a int)"
    language: str | None = None  # lower-cased, e.g. "plpgsql", "sql"; None when not written
    body: str | None = None  # the body source text (inside the quotes for PG AS '...'/$$...$$)
    opaque_body: bool = True


@dataclass(frozen=True, slots=True)
class DoBlock(Node):
    """PostgreSQL `DO [LANGUAGE lang] $$ ... $$`: an anonymous code block whose body is opaque."""

    body: str
    language: str = "plpgsql"
    opaque_body: bool = True
    # "COMMIT" or "ROLLBACK" when a PL/pgSQL body ends the transaction itself (PostgreSQL 11+ allows
    # it only when the DO runs outside a transaction block)
    transaction_control: str | None = None


@dataclass(frozen=True, slots=True)
class CreateTrigger(Node):
    """`CREATE [OR REPLACE] [CONSTRAINT] TRIGGER` in either dialect.

    PostgreSQL triggers call a function (`function`) and have no body of their own
    (`opaque_body=False`, `body=None`). MySQL triggers carry their body as source text
    (`opaque_body=True`).
    """

    name: exp.Table
    table: exp.Table
    timing: str  # "BEFORE", "AFTER", "INSTEAD OF"
    events: tuple[str, ...]  # "INSERT", "UPDATE", "DELETE", "TRUNCATE"
    for_each: str | None = None  # "ROW" or "STATEMENT" (PG default STATEMENT when None)
    or_replace: bool = False
    if_not_exists: bool = False
    constraint: bool = False  # PG CREATE CONSTRAINT TRIGGER
    function: exp.Table | None = None  # PG: EXECUTE FUNCTION|PROCEDURE name(...)
    body: str | None = None  # MySQL: the trigger body source text
    opaque_body: bool = False


@dataclass(frozen=True, slots=True)
class CreateEvent(Node):
    """MySQL `CREATE [OR REPLACE] [DEFINER=..] EVENT [IF NOT EXISTS] name ON SCHEDULE ... DO body`."""

    name: exp.Table
    schedule: str  # source text after ON SCHEDULE, up to DO (includes ON COMPLETION / ENABLE ...)
    body: str
    or_replace: bool = False
    if_not_exists: bool = False
    opaque_body: bool = True


@dataclass(frozen=True, slots=True)
class AlterEvent(Node):
    """MySQL `ALTER [DEFINER=..] EVENT name [ON SCHEDULE ...] [RENAME TO new] [ENABLE|DISABLE ...] [DO body]`."""

    name: exp.Table
    new_name: exp.Table | None = None
    body: str | None = None  # the new body after DO, source text
    opaque_body: bool = True


@dataclass(frozen=True, slots=True)
class RenameTable(Node):
    """MySQL `RENAME TABLE[S] [IF EXISTS] a TO b[, c TO d ...] [WAIT n|NOWAIT]` (atomic swaps)."""

    pairs: tuple[tuple[exp.Table, exp.Table], ...]  # (old, new) in the written order
    if_exists: bool = False
    wait: int | None = None
    nowait: bool = False


@dataclass(frozen=True, slots=True)
class OptimizeTable(Node):
    """MySQL `OPTIMIZE [NO_WRITE_TO_BINLOG|LOCAL] TABLE t[, ...]` (InnoDB: a table rebuild)."""

    tables: tuple[exp.Table, ...]
    no_write_to_binlog: bool = False


# --------------------------------------------------------------------------------------------
# ALTER TABLE actions: these appear inside exp.Alter(kind="TABLE").args["actions"]
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ValidateConstraint(Node):
    """`ALTER TABLE t VALIDATE CONSTRAINT name` (PG): scans under SHARE UPDATE EXCLUSIVE."""

    name: exp.Identifier


@dataclass(frozen=True, slots=True)
class AddConstraintUsingIndex(Node):
    """`ADD [CONSTRAINT name] {UNIQUE|PRIMARY KEY} USING INDEX index` (PG).

    Promotes an existing (usually concurrently built) unique index to a constraint. For PRIMARY
    KEY, PostgreSQL also runs SET NOT NULL on the columns (a scan) when they are not already NOT NULL.
    """

    kind: str  # "UNIQUE" or "PRIMARY KEY"
    index: exp.Identifier
    name: exp.Identifier | None = None  # None: the index name is kept as the constraint name
    deferrable: bool = False
    initially_deferred: bool = False


@dataclass(frozen=True, slots=True)
class RenameConstraint(Node):
    """`ALTER TABLE t RENAME CONSTRAINT old TO new` (PG)."""

    old: exp.Identifier
    new: exp.Identifier


@dataclass(frozen=True, slots=True)
class CreateDomain(Node):
    """`CREATE DOMAIN d [AS] type [COLLATE c] [DEFAULT e] [[CONSTRAINT n] {NOT NULL | NULL | CHECK (e)}]...` (PG)."""

    name: exp.Table
    type: exp.DataType | None  # None when flylint could not read the type
    type_text: str  # the type as written
    not_null: bool = False
    default: str | None = None  # source text of the default
    checks: tuple[tuple[str | None, str], ...] = ()  # (constraint name or None, condition source text)


@dataclass(frozen=True, slots=True)
class AlterDomain(Node):
    """`ALTER DOMAIN d ...` (PG), one action: "add-check", "add-not-null", "drop-constraint",
    "validate-constraint", "rename-constraint", "set-default", "drop-default", "set-not-null",
    "drop-not-null"."""

    name: exp.Table
    action: str
    constraint: str | None = None  # the constraint's name (as written; folded by the catalog)
    check: str | None = None  # add-check: the condition's source text
    not_valid: bool = False
    new_name: str | None = None  # rename-constraint
    value: str | None = None  # set-default: source text
    if_exists: bool = False  # drop-constraint IF EXISTS
    cascade: bool = False


@dataclass(frozen=True, slots=True)
class AttachPartition(Node):
    """`ALTER TABLE parent ATTACH PARTITION child {FOR VALUES ... | DEFAULT}` (PG)."""

    partition: exp.Table
    bound: str | None = None  # source text after FOR VALUES, e.g. "FROM ('2025-01-01') TO (...)"
    default: bool = False


@dataclass(frozen=True, slots=True)
class DetachPartition(Node):
    """`ALTER TABLE parent DETACH PARTITION child [CONCURRENTLY | FINALIZE]` (PG)."""

    partition: exp.Table
    concurrently: bool = False
    finalize: bool = False


@dataclass(frozen=True, slots=True)
class AddIdentity(Node):
    """`ALTER [COLUMN] c ADD GENERATED {ALWAYS|BY DEFAULT} AS IDENTITY [(sequence options)]` (PG)."""

    column: exp.Identifier
    always: bool
    sequence_options: str | None = None  # source text inside the parentheses


@dataclass(frozen=True, slots=True)
class DropIdentity(Node):
    """`ALTER [COLUMN] c DROP IDENTITY [IF EXISTS]` (PG)."""

    column: exp.Identifier
    if_exists: bool = False


@dataclass(frozen=True, slots=True)
class DropExpression(Node):
    """`ALTER [COLUMN] c DROP EXPRESSION [IF EXISTS]` (PG 13+): a generated column becomes plain."""

    column: exp.Identifier
    if_exists: bool = False


@dataclass(frozen=True, slots=True)
class AlterColumnSetting(Node):
    """Per-column settings that change no data (PG): `ALTER [COLUMN] c SET STATISTICS n`,
    `SET STORAGE x`, `SET COMPRESSION x`, `SET (opts)`, `RESET (opts)`."""

    column: exp.Identifier
    setting: str  # "STATISTICS", "STORAGE", "COMPRESSION", "OPTIONS", "RESET OPTIONS"
    value: str  # source text of the value


@dataclass(frozen=True, slots=True)
class TriggerState(Node):
    """`ENABLE [REPLICA|ALWAYS] TRIGGER x` / `DISABLE TRIGGER x` where x is a name, ALL or USER (PG)."""

    enabled: bool
    scope: str  # "NAME", "ALL", "USER"
    trigger: exp.Identifier | None = None  # set when scope == "NAME"
    mode: str | None = None  # "REPLICA" or "ALWAYS" for ENABLE REPLICA/ALWAYS TRIGGER


@dataclass(frozen=True, slots=True)
class RowLevelSecurity(Node):
    """`{ENABLE|DISABLE|FORCE|NO FORCE} ROW LEVEL SECURITY` (PG)."""

    action: str  # "ENABLE", "DISABLE", "FORCE", "NO FORCE"


@dataclass(frozen=True, slots=True)
class ChangeOwner(Node):
    """`ALTER TABLE t OWNER TO role` (PG)."""

    owner: exp.Identifier


@dataclass(frozen=True, slots=True)
class ReplicaIdentity(Node):
    """`REPLICA IDENTITY {DEFAULT|FULL|NOTHING|USING INDEX i}` (PG)."""

    kind: str  # "DEFAULT", "FULL", "NOTHING", "INDEX"
    index: exp.Identifier | None = None


@dataclass(frozen=True, slots=True)
class Inherit(Node):
    """`INHERIT parent` / `NO INHERIT parent` (PG)."""

    parent: exp.Table
    inherit: bool = True


@dataclass(frozen=True, slots=True)
class ClusterOn(Node):
    """`CLUSTER ON index` / `SET WITHOUT CLUSTER` (index None) (PG): metadata only."""

    index: exp.Identifier | None = None


@dataclass(frozen=True, slots=True)
class ConvertCharset(Node):
    """MySQL `CONVERT TO CHARACTER SET cs [COLLATE co]`: rewrites every text column (COPY)."""

    charset: str  # as written, lower-cased, e.g. "utf8mb4"; "default" for CONVERT TO CHARACTER SET DEFAULT
    collation: str | None = None


@dataclass(frozen=True, slots=True)
class PartitionOperation(Node):
    """MySQL/MariaDB partition maintenance inside ALTER TABLE.

    `operation` is one of "ADD", "DROP", "TRUNCATE", "COALESCE", "REORGANIZE", "EXCHANGE",
    "ANALYZE", "CHECK", "OPTIMIZE", "REBUILD", "REPAIR", "DISCARD", "IMPORT",
    "REMOVE PARTITIONING", "PARTITION BY". DROP and TRUNCATE destroy rows.
    """

    operation: str
    partitions: tuple[exp.Identifier, ...] = ()
    all: bool = False  # ... PARTITION ALL
    definition: str | None = None  # source text of the rest (ADD (PARTITION ...), INTO (...), WITH TABLE t, BY ...)
    if_exists: bool = False  # MariaDB DROP PARTITION IF EXISTS
    if_not_exists: bool = False  # MariaDB ADD PARTITION IF NOT EXISTS


@dataclass(frozen=True, slots=True)
class KeysState(Node):
    """MySQL `DISABLE KEYS` / `ENABLE KEYS` (MyISAM non-unique indexes; a no-op for InnoDB)."""

    enabled: bool


# --------------------------------------------------------------------------------------------
# Walking
# --------------------------------------------------------------------------------------------

_FIELDS_CACHE: dict[type, tuple[str, ...]] = {}


def _node_fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS_CACHE.get(cls)
    if names is None:
        names = tuple(f.name for f in fields(cls))
        _FIELDS_CACHE[cls] = names
    return names


def children(node: object) -> Iterator[object]:
    """The direct children (stock expressions and flylint nodes) of a stock or flylint node."""
    if isinstance(node, exp.Expression):
        for value in node.args.values():
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, (exp.Expression, Node)):
                        yield item
            elif isinstance(value, (exp.Expression, Node)):
                yield value
    elif isinstance(node, Node):
        for name in _node_fields(type(node)):
            value = getattr(node, name)
            if isinstance(value, (exp.Expression, Node)):
                yield value
            elif isinstance(value, tuple):
                stack = list(value)
                while stack:
                    item = stack.pop(0)
                    if isinstance(item, tuple):
                        stack[:0] = list(item)
                    elif isinstance(item, (exp.Expression, Node)):
                        yield item


def walk(tree: object) -> Iterator[object]:
    """Every node of a parse result, depth first, pre-order, without recursion."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        yield node
        kids = list(children(node))
        kids.reverse()
        stack.extend(kids)
