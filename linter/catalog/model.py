"""The schema catalog: what the database holds after each statement of the replayed history.

Objects are small mutable records kept by the Catalog under their resolved names; each records the
migration that created it (`origin`, the index of the migration in Flyway order), so rules can
tell objects born in the release being judged from live ones. Names resolve as the database does:
PostgreSQL folds unquoted names to lower case, truncates them to 63 bytes and puts unqualified ones
in the default schema (or the migration's search_path); MySQL/MariaDB keep table names as written
(case-sensitive on Linux), compare column, index and constraint names case-insensitively, and name
indexes per table. Constraints and indexes the statement leaves unnamed get the name the database
would choose (PostgreSQL `users_pkey`, `users_email_key`; MySQL `PRIMARY`, `users_ibfk_1`), so a
later DROP CONSTRAINT finds them.

A table the history uses without creating it is a placeholder: created before the history starts
(a baselined database), live, with `complete=False` (its columns are not all known) and
`constraints_known=False`; nothing about its contents is ever claimed missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TypeInfo:
    """A column type: `family` is a normalised name ('varchar', 'int', 'numeric', 'enum', ...)."""

    family: str
    params: tuple = ()  # (length,), (precision, scale), or the ENUM/SET values
    text: str = ""  # how to show it, e.g. "varchar(255)"

    def __str__(self) -> str:
        return self.text or self.family


@dataclass
class Column:
    name: str
    type: TypeInfo
    nullable: bool = True
    default: str | None = None  # the default (rendered by sqlglot), None when there is none
    default_at: tuple[int, int] | None = None  # (file, statement) whose text wrote the default
    default_volatile: bool = False
    identity: bool = False  # serial, identity or auto_increment
    generated: bool = False
    generated_stored: bool = False  # a STORED generated column (PostgreSQL's are always stored)
    origin: int = -1
    domain: tuple[str, str] | None = None  # PostgreSQL: the domain the column's type is
    charset: str | None = None  # MySQL/MariaDB: CHARACTER SET written on the column (lower case)
    # added to a table that had rows, NULL in each of them, and no UPDATE has set it since
    unfilled: bool = False


@dataclass
class Constraint:
    name: str
    kind: str  # "primary-key", "unique", "check", "foreign-key"
    columns: tuple[str, ...] = ()  # column keys; for a CHECK, every column its condition reads
    validated: bool = True  # False after ADD ... NOT VALID, until VALIDATE CONSTRAINT
    origin: int = -1
    references: str | None = None  # foreign keys: the referenced table, as written
    check_not_null: str | None = None  # a CHECK (col IS NOT NULL [AND ...]): the (first) column it proves
    proves_not_null: tuple[str, ...] = ()  # every column the CHECK proves NOT NULL
    ref_table: tuple[str, str] | None = None  # foreign keys: the referenced table's key, when resolved
    ref_columns: tuple[str, ...] = ()  # foreign keys: the referenced columns as written (keys); () = its primary key


@dataclass
class Index:
    name: str
    table: tuple[str, str]
    columns: tuple[str, ...] = ()  # column keys; "(expression)" for an expression key part
    unique: bool = False
    origin: int = -1
    kind: str | None = None  # MySQL/MariaDB "FULLTEXT" or "SPATIAL": rebuilding the table needs a lock


@dataclass
class ColumnMove:
    """A column being renamed by expand/contract: `new` was added after `old` and backfilled from it
    (`UPDATE t SET new = old`, or a simple expression of `old` alone such as COALESCE(old, '')).
    Keys are column keys (Catalog.col_key); names are as written. Both follow later renames."""

    new: str
    old: str
    new_name: str
    old_name: str
    started: int  # index (Flyway order) of the migration that added `new`
    backfilled: int  # index of the migration whose UPDATE copied `old` into `new`


@dataclass
class Table:
    schema: str
    name: str
    columns: dict[str, Column] = field(default_factory=dict)  # key: column key (see Catalog.col_key)
    constraints: dict[str, Constraint] = field(default_factory=dict)
    origin: int = -1
    complete: bool = True  # False when flylint does not know all its columns (CREATE TABLE AS, external)
    constraints_known: bool = True  # False when it may have constraints flylint did not see
    # Renames in progress (expand/contract), keyed by the new column's key.
    moves: dict[str, ColumnMove] = field(default_factory=dict)
    partition_of: tuple[str, str] | None = None  # PostgreSQL: the partitioned table it is a partition of
    partitioned: bool = False  # PostgreSQL PARTITION BY / MySQL PARTITION BY: a partitioned table
    partition_key: tuple[str, ...] = ()  # PostgreSQL: the columns PARTITION BY names
    # MySQL/MariaDB: InnoDB's FTS_DOC_ID column exists (a FULLTEXT index was added once; it stays after
    # the index is dropped), so a new FULLTEXT index does not rebuild the table.
    fts_doc_id: bool = False
    # MySQL/MariaDB: the storage engine as written in CREATE/ALTER TABLE ... ENGINE= (lower case); None: not
    # written, the server's default (InnoDB). Changing it copies the table.
    engine: str | None = None

    @property
    def display(self) -> str:
        return self.name


@dataclass
class View:
    schema: str
    name: str
    columns: tuple[str, ...] | None = None  # output column names when known
    origin: int = -1
    materialized: bool = False
    tables: tuple[tuple[str, str], ...] = ()  # the tables and views it reads (resolved keys)
    column_refs: frozenset[str] | None = None  # column keys it reads (a * counts every column then known)
    populated: bool = True  # materialized views: False after WITH NO DATA, until a REFRESH with data
    unique_index: bool = False  # materialized views: a unique index on plain columns, without WHERE, was created


@dataclass
class EnumType:
    schema: str
    name: str
    values: list[str] = field(default_factory=list)
    origin: int = -1


@dataclass
class Domain:
    """A PostgreSQL domain: a base type with a default, NOT NULL and CHECK constraints."""

    schema: str
    name: str
    base: TypeInfo
    not_null: bool = False
    default: str | None = None
    checks: dict[str, bool] = field(default_factory=dict)  # constraint name -> validated
    origin: int = -1


@dataclass
class Sequence:
    schema: str
    name: str
    origin: int = -1


class Catalog:
    """Everything flylint knows about the schema at one point of the replay."""

    implicit_database: bool = False  # (also for catalogs cached before the attribute existed)
    # The server version the history is judged for (--db-version; None: the oldest supported): what the
    # server enforces depends on it (a MySQL CHECK before 8.0.16 is parsed and ignored).
    db_version: str | None = None

    def __init__(self, dialect: str, default_schema: str) -> None:
        self.dialect = dialect
        self.default_schema = default_schema
        self.schemas: dict[str, int] = {default_schema: -1}
        # MySQL/MariaDB with no configured database: a name qualified with a database the history
        # never created may mean the default one (the database Flyway connects to)
        self.implicit_database = False
        self.tables: dict[tuple[str, str], Table] = {}
        self.views: dict[tuple[str, str], View] = {}
        # PostgreSQL: (schema, index name), index names share the schema's namespace.
        # MySQL/MariaDB: (schema, table, lower-cased index name), index names are per table.
        self.indexes: dict[tuple, Index] = {}
        self.types: dict[tuple[str, str], EnumType] = {}
        self.sequences: dict[tuple[str, str], Sequence] = {}
        self.domains: dict[tuple[str, str], Domain] = {}
        # Names that existed and were dropped or renamed away: a later reference is a real error.
        self.gone: set[tuple[str, str]] = set()
        # Set once a statement flylint could not analyse (or an opaque body) may have changed the
        # schema: from then on "does not exist" and "already exists" are not proven.
        self.uncertain_since: str | None = None
        # Functions and procedures the history created (their bodies are never analysed).
        self.functions: dict[tuple[str, str], int] = {}
        # PostgreSQL functions that RETURN trigger: only triggers call them, never the application.
        self.trigger_functions: set[tuple[str, str]] = set()
        # Triggers the history created: PostgreSQL (table key, name) -> origin; MySQL/MariaDB, where a
        # trigger's name is unique in its schema and DROP TRIGGER does not name the table,
        # (schema, name) -> (table key, origin).
        self.triggers: dict[tuple, object] = {}
        # PostgreSQL `SET search_path` / MySQL `USE db` of the migration being replayed (Flyway
        # restores the connection's state after each migration): schemas to look names up in.
        self.search_path: tuple[str, ...] | None = None
        self.search_path_file: int = -1
        # Session settings of that migration that change what a statement costs, e.g. MySQL
        # foreign_key_checks.
        self.session: dict[str, object] = {}
        # table key -> keys of its indexes, so dropping or renaming a table stays O(its indexes)
        self._by_table: dict[tuple[str, str], set[tuple]] = {}
        # index name -> keys, to find an index by name in another schema without a scan
        self._by_name: dict[str, set[tuple]] = {}

    @property
    def postgres(self) -> bool:
        return self.dialect == "postgres"

    # -- names --------------------------------------------------------------------------------
    def ident(self, name: str, quoted: bool = False) -> str:
        """A relation, schema, type or constraint name as the database stores it."""
        if self.dialect == "postgres":
            return _pg_truncate(name if quoted else name.lower())
        return name

    def col_key(self, name: str, quoted: bool = False) -> str:
        if self.dialect == "postgres":
            return _pg_truncate(name if quoted else name.lower())
        return name.lower()

    def con_key(self, name: str, quoted: bool = False) -> str:
        """Constraint names: folded like identifiers on PostgreSQL, case-insensitive on MySQL."""
        if self.dialect == "postgres":
            return _pg_truncate(name if quoted else name.lower())
        return name.lower()

    def index_key(self, table: tuple[str, str], name: str) -> tuple:
        """Where an index named `name` (already folded with `ident`) on `table` is kept."""
        if self.dialect == "postgres":
            return (table[0], name)
        return (table[0], table[1], name.lower())

    def qualify(self, schema: str | None, name: str) -> tuple[str, str]:
        return (schema or self.default_schema, name)

    # -- lookups ------------------------------------------------------------------------------
    def relation_exists(self, key: tuple[str, str]) -> bool:
        return (key in self.tables or key in self.views or key in self.sequences or key in self.types
                or key in self.domains)

    # -- indexes ------------------------------------------------------------------------------
    def add_index(self, key: tuple, index: Index) -> None:
        if key in self.indexes:
            self.pop_index(key)
        self.indexes[key] = index
        self._by_table.setdefault(index.table, set()).add(key)
        self._by_name.setdefault(key[-1], set()).add(key)

    def pop_index(self, key: tuple) -> Index | None:
        index = self.indexes.pop(key, None)
        if index is not None:
            keys = self._by_table.get(index.table)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_table[index.table]
            named = self._by_name.get(key[-1])
            if named is not None:
                named.discard(key)
                if not named:
                    del self._by_name[key[-1]]
        return index

    def indexes_named(self, name: str) -> list[tuple]:
        """Keys of every index called `name` (folded), in any schema or table."""
        return sorted(self._by_name.get(name if self.dialect == "postgres" else name.lower(), ()), key=repr)

    def indexes_on(self, table: tuple[str, str]) -> list[tuple]:
        """Keys of the indexes of a table (a copy: safe to change the catalog while iterating)."""
        return list(self._by_table.get(table, ()))

    def drop_indexes_of(self, table: tuple[str, str]) -> None:
        for key in self.indexes_on(table):
            self.pop_index(key)

    def move_indexes(self, old: tuple[str, str], new: tuple[str, str]) -> None:
        """The table `old` is now called `new`: its indexes follow it."""
        for key in self.indexes_on(old):
            index = self.pop_index(key)
            if index is None:
                continue
            index.table = new
            self.add_index(self.index_key(new, index.name), index)


# PostgreSQL silently truncates identifiers to NAMEDATALEN - 1 = 63 bytes.
_PG_MAX = 63


def _pg_truncate(name: str) -> str:
    if len(name) <= 15 or (len(name) <= _PG_MAX and name.isascii()):
        return name  # at most 4 bytes a character: short names (and ASCII ones up to 63) fit
    raw = name.encode("utf-8", "surrogatepass")
    if len(raw) <= _PG_MAX:
        return name
    return raw[:_PG_MAX].decode("utf-8", "ignore")
