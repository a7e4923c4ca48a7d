"""The schema catalog: what the database holds after each statement of the replayed history.

Objects are small mutable records kept by the Catalog under their resolved names; each records the
migration that created it (`origin`, the index of the migration in Flyway order), so rules can
tell objects born in the release being judged from live ones. Names resolve as the database does:
PostgreSQL folds unquoted names to lower case and puts unqualified ones in the default schema;
MySQL/MariaDB keep table names as written (case-sensitive on Linux) and compare column names
case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
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
    default: str | None = None  # the default as written, None when there is none
    default_volatile: bool = False
    identity: bool = False  # serial, identity or auto_increment
    generated: bool = False
    origin: int = -1


@dataclass
class Constraint:
    name: str
    kind: str  # "primary-key", "unique", "check", "foreign-key"
    columns: tuple[str, ...] = ()
    validated: bool = True
    origin: int = -1
    references: str | None = None  # foreign keys: the referenced table
    check_not_null: str | None = None  # a CHECK (col IS NOT NULL): that column


@dataclass
class Index:
    name: str
    table: tuple[str, str]
    columns: tuple[str, ...] = ()
    unique: bool = False
    origin: int = -1


@dataclass
class Table:
    schema: str
    name: str
    columns: dict[str, Column] = field(default_factory=dict)  # key: column key (see Catalog.col_key)
    constraints: dict[str, Constraint] = field(default_factory=dict)
    origin: int = -1
    complete: bool = True  # False when flylint does not know all its columns (CREATE TABLE AS, LIKE, external)

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


@dataclass
class EnumType:
    schema: str
    name: str
    values: list[str] = field(default_factory=list)
    origin: int = -1


@dataclass
class Sequence:
    schema: str
    name: str
    origin: int = -1


class Catalog:
    """Everything flylint knows about the schema at one point of the replay."""

    def __init__(self, dialect: str, default_schema: str) -> None:
        self.dialect = dialect
        self.default_schema = default_schema
        self.schemas: dict[str, int] = {default_schema: -1}
        self.tables: dict[tuple[str, str], Table] = {}
        self.views: dict[tuple[str, str], View] = {}
        self.indexes: dict[tuple[str, str], Index] = {}
        self.types: dict[tuple[str, str], EnumType] = {}
        self.sequences: dict[tuple[str, str], Sequence] = {}
        # Names that existed and were dropped or renamed away: a later reference is a real error.
        self.gone: set[tuple[str, str]] = set()
        # Set once a statement flylint could not analyse (or an opaque body) may have changed the
        # schema: from then on "does not exist" is not proven.
        self.uncertain_since: str | None = None

    # -- names --------------------------------------------------------------------------------
    def ident(self, name: str, quoted: bool = False) -> str:
        if self.dialect == "postgres" and not quoted:
            return name.lower()
        return name

    def col_key(self, name: str, quoted: bool = False) -> str:
        if self.dialect == "postgres":
            return name if quoted else name.lower()
        return name.lower()

    def qualify(self, schema: str | None, name: str) -> tuple[str, str]:
        return (schema or self.default_schema, name)

    # -- lookups ------------------------------------------------------------------------------
    def relation_exists(self, key: tuple[str, str]) -> bool:
        return key in self.tables or key in self.views or key in self.sequences or key in self.types
