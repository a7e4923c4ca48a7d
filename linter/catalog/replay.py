"""Replay a migration history into the catalog, turning each statement into typed changes.

Each handler reads one kind of parsed statement, records the changes it makes (with the state
before them: was the object born in this release? was the column nullable?) and applies them to
the catalog, as Django's operations do with `state_forwards`. Handlers never raise on odd input:
what they cannot follow becomes an `unanalysed` or `other` change and marks the catalog uncertain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlglot import exp

from flylint.catalog.changes import DEFAULT_CLASS, Change
from flylint.catalog.model import Catalog, Column, ColumnMove, Constraint, Domain, EnumType, Index, Sequence as Seq, Table, View
from flylint.catalog.types import compare, enum_append, render, type_info
from flylint.dbfacts import check_enforced
from flylint.model import FileAnalysis
from flylint.sql import nodes as N

# Functions whose value differs per row: a default using one is evaluated for every existing row
# (PostgreSQL rewrites the table; MySQL copies it). now()/CURRENT_TIMESTAMP are stable: not here.
_VOLATILE_FUNCS = {
    "random", "rand", "clock_timestamp", "timeofday", "uuid_generate_v1", "uuid_generate_v1mc",
    "uuid_generate_v4", "gen_random_uuid", "uuidv4", "uuidv7", "uuid", "nextval", "uuid_short",
    "sysdate", "random_bytes", "random_normal",
}


# A change to an object born in the release cannot break the live version, which never saw it: a
# constraint added right after its CREATE TABLE is part of creating it (additive), dropping it again
# loses nothing the live version has (neutral).
_NOT_LIVE = {"incompatible": "additive", "destructive": "neutral"}


@dataclass(frozen=True)
class SchemaProblem:
    """A statement that will fail: it refers to something missing, or creates something that exists."""

    file: int
    statement: int
    kind: str  # "missing", "exists" or "depends" (a DROP refused because other objects depend on it)
    object: str
    message: str
    fk_checks: bool = False  # MySQL: only while foreign_key_checks is on (Flyway's initSql may turn it off)


_UNSET = object()


def _filters(where) -> bool:
    """Whether a WHERE clause can leave rows out: `WHERE 1`, `WHERE 1=1` or `WHERE TRUE` (no column,
    no subquery) touches every row, like no WHERE at all."""
    if where is None:
        return False
    cond = where.this if isinstance(where, exp.Where) else where
    if not isinstance(cond, exp.Expression):
        return True
    if isinstance(cond, exp.Boolean):
        return not cond.this
    if isinstance(cond, exp.Literal):
        return not cond.is_number or float(cond.this or 0) == 0
    for n in cond.walk():
        if not isinstance(n, (exp.EQ, exp.NEQ, exp.Literal, exp.Boolean, exp.Paren, exp.Neg)):
            return True  # a column, a function, a subquery, a comparison that may be false
    if isinstance(cond, exp.EQ):
        return cond.this != cond.expression
    if isinstance(cond, exp.NEQ):
        return cond.this == cond.expression
    return True


def _skips_done_rows(where, assignments, col_key) -> tuple[tuple[str, str, str], ...]:
    """(column as written, "null" or "distinct", column key) for the columns a WHERE only tests to skip rows already done: `UPDATE t SET b = a WHERE b IS NULL`
    (or `b IS DISTINCT FROM a`, `b <> a`), every conjunct about a column the UPDATE sets. Such a WHERE
    re-runs safely but bounds nothing: after `ADD COLUMN b` it matches every row. Empty when the WHERE
    bounds the rows some other way (a key range, another column, a subquery)."""
    if where is None:
        return ()
    cond = where.this if isinstance(where, exp.Where) else where
    values = {}
    for e in assignments:
        if isinstance(e, exp.EQ) and isinstance(e.this, exp.Column) and not e.this.table:
            values[col_key(*_name(e.this.this))] = e.expression
    conjuncts = list(cond.flatten()) if isinstance(cond, exp.And) else [cond]
    tested = []
    for c in conjuncts:
        while isinstance(c, exp.Paren):
            c = c.this
        col, how = None, "distinct"
        if isinstance(c, exp.Is) and isinstance(c.expression, exp.Null) and isinstance(c.this, exp.Column):
            col, how = c.this, "null"
        elif isinstance(c, (exp.NullSafeNEQ, exp.NEQ)):
            for a, b in ((c.this, c.expression), (c.expression, c.this)):
                if isinstance(a, exp.Column) and not a.table and col_key(*_name(a.this)) in values \
                        and b == values[col_key(*_name(a.this))]:
                    col = a
                    break
        if col is None or col.table or col_key(*_name(col.this)) not in values:
            return ()
        if (col.name, how) not in [(a, b) for a, b, _ in tested]:
            tested.append((col.name, how, col_key(*_name(col.this))))
    return tuple(tested)


# The schema flylint.engine assumes on MySQL/MariaDB when neither Flyway's defaultSchema/schemas nor
# the url name the database.
GUESSED_MYSQL_SCHEMA = "app"


@dataclass
class Replay:
    catalog: Catalog
    changes: list[list[list[Change]]] = field(default_factory=list)  # [file][statement] -> changes
    problems: list[SchemaProblem] = field(default_factory=list)


def replay(files: Sequence[FileAnalysis], dialect: str, default_schema: str, resume: Replay | None = None,
           release=None, db_version: str | None = None) -> Replay:
    """Replay `files` in order; with `resume` (an earlier replay of a prefix of them), only the rest.
    `release` (flylint.release.Release) says which objects are born in the release being judged;
    without it, each migration is its own release. `db_version` is the server version judged (None: the
    oldest supported), for what the server enforces (a MySQL CHECK before 8.0.16 is ignored)."""
    if resume is not None:
        out = resume
        cat = out.catalog
    else:
        cat = Catalog(dialect, default_schema)
        if dialect != "postgres" and default_schema == GUESSED_MYSQL_SCHEMA:
            cat.implicit_database = True  # see _Replayer.key
        out = Replay(cat)
    cat.db_version = db_version
    for fi in range(len(out.changes), len(files)):
        fa = files[fi]
        per_file: list[list[Change]] = []
        if fa.migration.kind == "U":  # undo migrations do not run forward
            out.changes.append([[] for _ in fa.statements])
            continue
        for si, st in enumerate(fa.statements):
            r = _Replayer(cat, out, fi, si, fa.migration.display, release)
            try:
                r.statement(st)
            except Exception as e:  # a handler bug must not hide the statement: say so
                r.emit("unanalysed", None, None, f"could not replay: {type(e).__name__}: {e}")
                cat.uncertain_since = cat.uncertain_since or f"{fa.migration.display}"
            per_file.append(r.changes)
        out.changes.append(per_file)
    return out


def _timezone_value(value) -> str:
    """The zone a PostgreSQL `SET TimeZone` / `SET TIME ZONE` sets: its name, "DEFAULT" for DEFAULT and
    LOCAL (the connection's zone), "?" for what flylint does not read (an INTERVAL, an expression)."""
    if isinstance(value, exp.Literal):
        return value.name
    if isinstance(value, (exp.Var, exp.Identifier, exp.Column)):
        name = value.name
        return "DEFAULT" if name.upper() in ("DEFAULT", "LOCAL") else name
    return "?"


def _volatile(expr: exp.Expression | None) -> bool:
    """Whether a default is evaluated per row (volatile), as opposed to once (now() is not volatile)."""
    if expr is None:
        return False
    for node in expr.walk():
        if isinstance(node, (exp.Rand, exp.Uuid)):
            return True
        if isinstance(node, exp.Anonymous) and str(node.this).lower() in _VOLATILE_FUNCS:
            return True
        if isinstance(node, exp.Func) and node.sql_name().lower() in _VOLATILE_FUNCS:
            return True
    return False


def _name(ident) -> tuple[str, bool]:
    if isinstance(ident, exp.Identifier):
        return ident.this, bool(ident.args.get("quoted"))
    if isinstance(ident, (exp.Column, exp.Table)) and ident.this is not None:
        return _name(ident.this)
    if isinstance(ident, exp.Table) and ident.args.get("db") is not None:
        return _name(ident.args["db"])
    if isinstance(ident, exp.Expression):
        return ident.name, False
    return str(ident), False


def _unwrap(cond):
    while isinstance(cond, exp.Paren):
        cond = cond.this
    return cond


def _conjuncts(cond) -> list:
    cond = _unwrap(cond)
    if isinstance(cond, exp.And):
        return _conjuncts(cond.this) + _conjuncts(cond.expression)
    return [cond]


def _pg_object_name(name1: str, name2: str, label: str) -> str:
    """PostgreSQL's makeObjectName: name1_name2_label, the longer part truncated to fit 63 bytes."""
    overhead = len(label) + 1 + (1 if name2 else 0)
    avail = 63 - overhead
    n1, n2 = len(name1), len(name2)
    while n1 + n2 > avail:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    return "_".join(p for p in (name1[:n1], name2[:n2]) if p) + "_" + label


@dataclass
class _Pending:
    """A constraint as written, before the database names it (see _Replayer.add_constraint_to)."""

    constraint: Constraint
    name: str | None = None  # the name written in the statement, if any
    quoted: bool = False
    column: str | None = None  # column-level constraint: the column key it was written on
    ref: object = None  # foreign keys: the referenced table (exp.Table)


# An EXCLUDE constraint is a generalised UNIQUE (PostgreSQL docs: "Exclusion constraints"): the
# change vocabulary has no kind of its own for it, so it is an add-unique with exclusion=True.
_KIND_OF = {"primary-key": "add-primary-key", "unique": "add-unique", "check": "add-check",
            "foreign-key": "add-foreign-key", "exclude": "add-unique"}


# MySQL/MariaDB changes that may rebuild the table: a FULLTEXT or SPATIAL index changes what the rebuild costs.
_MY_REBUILDS = frozenset({"add-column", "drop-column", "set-not-null", "drop-not-null", "add-primary-key",
                          "rewrite-table", "drop-constraint"})


def _rebuilds(kind: str, detail: dict) -> bool:
    """MySQL/MariaDB: the change rebuilds the table on every version, once the table has FTS_DOC_ID (so no
    INSTANT ADD/DROP COLUMN)."""
    if kind in ("rewrite-table", "drop-column", "set-not-null", "drop-not-null", "add-primary-key"):
        return True
    if kind == "add-column":
        return not (detail.get("generated") and not detail.get("generated_stored"))
    if kind == "drop-constraint":
        return detail.get("constraint_kind") == "primary-key"
    if kind == "change-column-type":
        return not (detail.get("binary_coercible") or detail.get("enum_append"))
    return (detail.get("options") or {}).get("algorithm") == "COPY"


def _my_definition(col: Column) -> str | None:
    """A MySQL/MariaDB column definition rebuilt from the catalog, for CHANGE COLUMN (None when flylint
    cannot write it: a generated column, whose expression it does not keep)."""
    if col.generated or col.type is None:
        return None
    parts = [str(col.type)]
    if col.charset:
        parts.append(f"CHARACTER SET {col.charset}")
    parts.append("NULL" if col.nullable else "NOT NULL")
    if col.default is not None:
        parts.append(f"DEFAULT {col.default}")
    if col.identity:
        parts.append("AUTO_INCREMENT")
    return " ".join(parts)


class _Replayer:
    def __init__(self, cat: Catalog, out: Replay, fi: int, si: int, path: str, release=None) -> None:
        self.cat, self.out, self.fi, self.si, self.path = cat, out, fi, si, path
        self.release = release
        self.changes: list[Change] = []
        if cat.search_path_file != fi:  # Flyway restores the session between migrations
            cat.search_path_file = fi
            cat.search_path = None
            cat.session = {}

    # -- helpers ------------------------------------------------------------------------------
    lock_wait = False
    alter_actions: Sequence = ()  # the actions of the ALTER TABLE being replayed
    renamed_for_views: tuple = ()  # MySQL: views reading the column the last rename_column renamed
    unique_before: tuple = (None, ())  # (table key, its unique keys' columns) before an ALTER that adds a constraint

    def emit(self, kind, table, obj, description, *, born=False, klass=None, **detail) -> None:
        if self.lock_wait:
            detail["lock_wait"] = True
        if kind in _MY_REBUILDS and table is not None and not self.pg():
            detail.update(self.special_index(table))
        if table is not None and self.cat.dialect != "postgres":
            t = self.cat.tables.get(table)
            if t is not None and t.fts_doc_id:
                detail["fulltext_table"] = True  # MySQL/MariaDB: no INSTANT ADD/DROP COLUMN (InnoDB's FTS_DOC_ID)
                if detail.get("special_index") != "FULLTEXT" and _rebuilds(kind, detail):
                    # the FULLTEXT index is gone and this change rebuilds the table: FTS_DOC_ID goes with the
                    # rebuild, and INSTANT ADD COLUMN works again (measured on MariaDB 10.11.19 here)
                    t.fts_doc_id = False
        klass = klass or DEFAULT_CLASS[kind]
        if born and klass in _NOT_LIVE:
            klass = _NOT_LIVE[klass]
        self.changes.append(
            Change(
                kind=kind,
                klass=klass,
                object=obj or "",
                table=table,
                born=born,
                description=description,
                file=self.fi,
                statement=self.si,
                detail=detail,
            )
        )

    @property
    def certain(self) -> bool:
        """Nothing unanalysed ran so far: "missing" and "exists" are proven."""
        return self.cat.uncertain_since is None

    def problem(self, kind: str, obj: str, message: str, fk_checks: bool = False) -> None:
        if not self.certain:
            return  # something flylint could not follow may have created or dropped it
        self.out.problems.append(SchemaProblem(self.fi, self.si, kind, obj, message, fk_checks))

    def uncertain(self) -> None:
        self.cat.uncertain_since = self.cat.uncertain_since or self.path

    def pg(self) -> bool:
        return self.cat.dialect == "postgres"

    def qualified(self, table) -> tuple[str | None, str]:
        """(schema or None when unqualified, name) of a table-like name, folded as the database does."""
        if isinstance(table, exp.Schema):
            table = table.this
        if isinstance(table, exp.Table):
            if table.this is None:  # a bare schema name: CREATE SCHEMA s is Table(db=s)
                return None, self.cat.ident(*_name(table.args.get("db")))
            name = self.cat.ident(*_name(table.this))
            db = table.args.get("db")
            return (self.cat.ident(*_name(db)) if db is not None else None), name
        return None, self.cat.ident(*_name(table))

    def key(self, table: exp.Expression, *, create: bool = False, stores=None) -> tuple[str, str]:
        """Resolve a name: an explicit schema, else the migration's search_path (PostgreSQL) or
        current database (MySQL `USE`), else the default schema."""
        schema, name = self.qualified(table)
        if schema is not None:
            if self.cat.implicit_database and not create and schema not in self.cat.schemas:
                # MySQL with no configured database: `shop`.`users`, where the history never created
                # database shop nor a table shop.users, is the `users` of the database Flyway uses
                k = (self.cat.default_schema, name)
                if not self.cat.relation_exists((schema, name)) and self.cat.relation_exists(k):
                    return k
            return (schema, name)
        path = self.cat.search_path
        if not path:
            return (self.cat.default_schema, name)
        if not create:
            for s in path:
                k = (s, name)
                if stores is None:
                    if self.cat.relation_exists(k):
                        return k
                elif any(k in st for st in stores):
                    return k
        return (path[0], name)

    def born(self, origin: int) -> bool:
        if self.release is not None:
            return self.release.born(origin, self.fi)
        return origin == self.fi

    def mark_gone(self, key) -> None:
        """`key` no longer names anything: a later reference to it is an error."""
        if not self.cat.relation_exists(key) and key not in self.cat.indexes:
            self.cat.gone.add(key)

    def known_relation(self, key) -> bool:
        """A relation the history is sure of (not the placeholder of a table it only referenced)."""
        t = self.cat.tables.get(key)
        if t is not None:
            return t.origin != -1 or t.complete
        return key in self.cat.views or key in self.cat.sequences or key in self.cat.types

    def table(self, key, *, must_exist=True, create_external=True) -> Table | None:
        """The table, or an external placeholder for one this history never created."""
        t = self.cat.tables.get(key)
        if t is not None:
            return t
        if key in self.cat.gone:
            if self.certain:
                if must_exist:
                    self.problem("missing", key[1], f"table {key[1]} does not exist at this point (it was "
                                 "dropped or renamed earlier)")
                return None
            # an unanalysed statement may have created it again
            self.cat.gone.discard(key)
        if create_external and not self.cat.relation_exists(key):
            # Created before the history starts (a baselined database) or by something flylint
            # could not analyse: live, with unknown columns.
            t = Table(key[0], key[1], origin=-1, complete=False, constraints_known=False)
            self.cat.tables[key] = t
            return t
        return None

    def target_column(self, t: Table, ident):
        """The column an ALTER COLUMN action names: (column or None, its name as written, its key,
        "table.column", born in this release). A column missing from a complete table is reported."""
        name, quoted = _name(ident)
        ck = self.cat.col_key(name, quoted)
        col = t.columns.get(ck)
        if col is None:
            self.has_column(t, ck, name)
        obj = f"{t.name}.{col.name if col else name}"
        return col, name, ck, obj, col is not None and self.born(col.origin)

    def has_column(self, t: Table, ck: str, shown: str) -> bool:
        """Whether a referenced column can exist. A column missing from a complete table is a
        problem, unless something unanalysed ran: then the table's columns are no longer known."""
        if ck in t.columns or not t.complete:
            return True
        if not self.certain:
            t.complete = False
            return True
        self.problem("missing", f"{t.name}.{shown}", f"column {shown} does not exist in table {t.name}")
        return False

    def constraint_known(self, t: Table) -> bool:
        return t.complete and t.constraints_known and t.origin != -1 and self.certain

    def indexes_known(self, t: Table) -> bool:
        """MySQL: every index of the table is known (the ones foreign keys create are tracked too)."""
        return self.constraint_known(t)

    # -- dispatch -----------------------------------------------------------------------------
    def statement(self, st) -> None:
        parsed = st.parsed
        if st.split_error is not None or parsed is None or parsed.unanalysed is not None:
            reason = st.split_error or (parsed.unanalysed if parsed is not None else "not parsed")
            self.emit("unanalysed", None, None, f"statement not analysed: {reason}")
            self.uncertain()
            return
        tree = parsed.tree
        if isinstance(tree, exp.Expression) and (tree.args.get("wait") is not None or tree.args.get("nowait")):
            self.lock_wait = True  # MariaDB WAIT n / NOWAIT: the statement bounds its own lock wait
        handler = getattr(self, "h_" + type(tree).__name__, None)
        if handler is None:
            self.emit("other", None, None, parsed.kind or type(tree).__name__)
            return
        settings = tree.args.get("set_statement") if isinstance(tree, exp.Expression) else None
        if settings:  # MariaDB SET STATEMENT ... FOR: settings for this statement only
            self.with_settings(settings, handler, tree)
            return
        handler(tree)

    def with_settings(self, settings, handler, tree) -> None:
        before = self.cat.session.get("foreign_key_checks", _UNSET)
        for name, value in settings:
            if name == "lock_wait_timeout":
                self.lock_wait = True
            elif name == "foreign_key_checks":
                self.cat.session["foreign_key_checks"] = value.upper() not in ("0", "OFF", "FALSE")
        try:
            handler(tree)
        finally:
            if before is _UNSET:
                self.cat.session.pop("foreign_key_checks", None)
            else:
                self.cat.session["foreign_key_checks"] = before

    # -- CREATE -------------------------------------------------------------------------------
    def h_Create(self, node: exp.Create) -> None:
        kind = (node.args.get("kind") or "").upper()
        if kind == "TABLE":
            self.create_table(node)
        elif kind == "INDEX":
            self.create_index(node)
        elif kind == "VIEW":
            self.create_view(node)
        elif kind in ("SCHEMA", "DATABASE"):
            _, name = self.qualified(node.this)
            known = self.cat.schemas.get(name)
            if known is not None and known != -1 and not node.args.get("exists"):
                self.problem("exists", name, f"schema {name} already exists")
            if known is None:
                self.cat.schemas[name] = self.fi
            self.emit("other", None, name, f"create {kind.lower()} {name}", born=True, klass="additive")
        elif kind == "TYPE":
            self.create_type(node)
        elif kind == "SEQUENCE":
            key = self.key(node.this, create=True)
            if key in self.cat.sequences:
                if node.args.get("exists"):
                    self.emit("other", key, key[1], f"create sequence {key[1]} if not exists (already there)",
                              born=self.born(self.cat.sequences[key].origin))
                    return
                self.problem("exists", key[1], f"sequence {key[1]} already exists")
            self.cat.sequences[key] = Seq(key[0], key[1], self.fi)
            self.cat.gone.discard(key)
            self.emit("create-sequence", key, key[1], f"create sequence {key[1]}", born=True)
        else:
            self.emit("other", None, None, f"create {kind.lower() or 'object'}")

    def create_table(self, node: exp.Create) -> None:
        schema = node.this
        key = self.key(schema, create=True)
        exists = bool(node.args.get("exists"))
        old = self.cat.tables.get(key)
        if old is not None and (old.origin != -1 or old.complete):
            if exists:
                self.emit("other", key, key[1], f"create table {key[1]} if not exists (already there)",
                          born=self.born(old.origin))
                return
            if not node.args.get("replace"):
                self.problem("exists", key[1], f"table {key[1]} already exists")
        elif old is not None and exists:
            # a table the history only referenced so far: it exists, and IF NOT EXISTS leaves it alone
            self.emit("other", key, key[1], f"create table {key[1]} if not exists (it was used before, so it "
                      "exists)")
            return
        elif old is None and (key in self.cat.views or key in self.cat.sequences):
            if exists:
                self.emit("other", key, key[1], f"create table {key[1]} if not exists (the name is taken)")
                return
            self.problem("exists", key[1], f"a relation named {key[1]} already exists")
        if old is not None and node.args.get("replace") and (old.origin != -1 or old.complete):
            # MariaDB CREATE OR REPLACE TABLE = DROP TABLE IF EXISTS + CREATE TABLE: the rows are gone
            self.emit("drop-table", key, key[1], f"drop table {key[1]} (CREATE OR REPLACE TABLE)",
                      born=self.born(old.origin), or_replace=True)
        if old is not None:
            self.cat.drop_indexes_of(key)  # replaced (OR REPLACE) or re-created: a new table
        t = Table(key[0], key[1], origin=self.fi)
        props = node.args.get("properties")
        prop_list = list(props.expressions) if props is not None else []
        deferred: list[_Pending] = []
        indexes: list[tuple[str | None, tuple[str, ...], bool]] = []
        if node.args.get("expression") is not None:
            t.complete = False  # CREATE TABLE ... AS SELECT: columns not followed
        if isinstance(schema, exp.Schema):
            for item in schema.expressions:
                if isinstance(item, exp.ColumnDef):
                    col, cons = self.column_from_def(item)
                    ck = self.cat.col_key(*_name(item.this))
                    if ck in t.columns:
                        self.problem("exists", f"{key[1]}.{col.name}", f"column {col.name} specified more than once")
                    t.columns[ck] = col
                    deferred.extend(cons)
                elif isinstance(item, exp.LikeProperty):
                    indexes.extend(self.copy_like(t, item, pg_like=True))
                elif isinstance(item, exp.IndexColumnConstraint):
                    indexes.append((*self.index_from(item), _index_kind(item)))
                    t.fts_doc_id = t.fts_doc_id or _index_kind(item) == "FULLTEXT"
                else:
                    found = self.constraint_from(item)
                    if found is not None:
                        deferred.append(found)
        for prop in prop_list:
            if isinstance(prop, exp.LikeProperty):
                indexes.extend(self.copy_like(t, prop, pg_like=False))
            elif isinstance(prop, exp.PartitionedOfProperty) and isinstance(prop.this, exp.Table):
                parent_key = self.key(prop.this)
                parent = self.table(parent_key)
                t.partition_of = parent_key
                if parent is not None and parent.complete and not t.columns:
                    for ck, col in parent.columns.items():  # a partition has its parent's columns
                        t.columns[ck] = replace(col, origin=self.fi, type=replace(col.type))
                else:
                    t.complete = False
                t.constraints_known = False  # it inherits the parent's constraints and indexes
            elif isinstance(prop, exp.InheritsProperty):
                t.complete = False  # columns come from the parent
                t.constraints_known = False
            elif isinstance(prop, exp.EngineProperty) and prop.name:
                t.engine = prop.name.lower()
            elif isinstance(prop, exp.PartitionedByProperty):
                t.partitioned = True
                t.partition_key = tuple(self.cat.col_key(*_name(c.this)) for c in prop.find_all(exp.Column)
                                        if isinstance(c.this, exp.Identifier))
        for p in deferred:
            self.add_constraint_to(t, p, creating=True)
        self.cat.tables[key] = t
        self.cat.gone.discard(key)
        for name, cols, unique, *kind in indexes:
            self.register_index(t, key, name, cols, unique, kind=kind[0] if kind else None)
        for p in deferred:
            if p.constraint.kind == "foreign-key" and p.constraint.name:
                self.implicit_fk_index(t, p.constraint, p.name)
        if node.args.get("partition_by"):
            t.partitioned = True  # MySQL PARTITION BY
        self.emit("create-table", key, key[1], f"create table {key[1]}", born=True,
                  temporary=any(isinstance(prop, exp.TemporaryProperty) for prop in prop_list),
                  partition_of=t.partition_of[1] if t.partition_of else None, partitioned=t.partitioned,
                  primary_key=any(c.kind == "primary-key" for c in t.constraints.values()),
                  as_select=node.args.get("expression") is not None,
                  # (name, type family, type as written, identity, in the primary key) per column written
                  columns=tuple((c.name, c.type.family, str(c.type), c.identity,
                                 any(ck in x.columns for x in t.constraints.values() if x.kind == "primary-key"))
                                for ck, c in t.columns.items() if c.origin == self.fi and t.partition_of is None),
                  # PostgreSQL: a FOREIGN KEY takes SHARE ROW EXCLUSIVE on each referenced table while the
                  # table is created (measured on PostgreSQL 15.20 here): writes to it wait, briefly
                  references_live=tuple(dict.fromkeys(
                      c.ref_table for c in t.constraints.values()
                      if c.kind == "foreign-key" and c.ref_table != key and self.live_table(c.ref_table))))

    def copy_like(self, t: Table, like: exp.LikeProperty, *, pg_like: bool) -> list:
        """CREATE TABLE t (LIKE src ...) (PostgreSQL) / CREATE TABLE t LIKE src (MySQL): copy the
        columns (and on MySQL the keys); returns the indexes to create on the new table."""
        src_key = self.key(like.this)
        src = self.table(src_key)
        if src is None:
            t.complete = False
            t.constraints_known = False
            return []
        for ck, col in src.columns.items():
            t.columns[ck] = replace(col, origin=self.fi, type=replace(col.type))
        t.complete = t.complete and src.complete
        options = " ".join(p.sql().upper() for p in like.expressions) if pg_like else "ALL"
        if not pg_like:
            for c in src.constraints.values():
                if c.kind != "foreign-key":  # MySQL's LIKE does not copy foreign keys
                    t.constraints[self.cat.con_key(c.name, True)] = replace(c, origin=self.fi)
        if pg_like and not ("ALL" in options or "DEFAULTS" in options):
            for col in t.columns.values():
                if not col.identity:
                    col.default, col.default_volatile = None, False
        # PostgreSQL names the copied indexes and constraints itself: they are not tracked by name.
        t.constraints_known = not pg_like and src.constraints_known
        if pg_like:
            return []
        return [(i.name, i.columns, i.unique, i.kind) for i in (self.cat.indexes[k] for k in self.cat.indexes_on(src_key))]

    def column_from_def(self, cd: exp.ColumnDef) -> tuple[Column, list[_Pending]]:
        """The column and its inline constraints (not yet named: see add_constraint_to)."""
        name, quoted = _name(cd.this)
        ck = self.cat.col_key(name, quoted)
        ti = type_info(cd.args.get("kind"), self.cat.dialect)
        col = Column(name, ti, origin=self.fi)
        if self.cat.domains and ti.family not in ("unknown",):
            col.domain = self.find_domain(ti.family)
        dtype = cd.args.get("kind")
        if isinstance(dtype, exp.DataType) and dtype.this in (
            exp.DataType.Type.SERIAL, exp.DataType.Type.BIGSERIAL, exp.DataType.Type.SMALLSERIAL
        ):
            col.identity = True
            col.nullable = False
        cons: list[_Pending] = []
        for cc in cd.args.get("constraints") or []:
            kind = cc.args.get("kind") if isinstance(cc, exp.ColumnConstraint) else cc
            cname, cquoted = (_name(cc.this) if isinstance(cc, exp.ColumnConstraint) and cc.this is not None
                              else (None, False))
            if isinstance(kind, exp.NotNullColumnConstraint):
                col.nullable = bool(kind.args.get("allow_null"))
            elif isinstance(kind, exp.DefaultColumnConstraint):
                d = kind.this
                if d is None or isinstance(d, exp.Null):
                    col.default, col.default_volatile = None, False
                else:
                    col.default = self.sql(d)
                    col.default_volatile = _volatile(d)
                    col.default_at = (self.fi, self.si)
            elif isinstance(kind, (exp.AutoIncrementColumnConstraint, exp.GeneratedAsIdentityColumnConstraint)):
                if isinstance(kind, exp.GeneratedAsIdentityColumnConstraint) and kind.args.get("expression") is not None:
                    col.generated = True
                    col.generated_stored = True  # PostgreSQL: GENERATED ALWAYS AS (expr) STORED
                else:
                    col.identity = True
                    if self.pg():
                        col.nullable = False
            elif isinstance(kind, exp.ComputedColumnConstraint):
                col.generated = True
                col.generated_stored = bool(kind.args.get("persisted")) or self.pg()
            elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
                col.nullable = False
                cons.append(_Pending(Constraint("", "primary-key", (ck,), origin=self.fi), cname, cquoted, ck))
            elif isinstance(kind, exp.UniqueColumnConstraint):
                cons.append(_Pending(Constraint("", "unique", (ck,), origin=self.fi), cname, cquoted, ck))
            elif isinstance(kind, exp.Reference):
                ref = kind.this.this if isinstance(kind.this, exp.Schema) else kind.this
                ref_cols = tuple(self.cat.col_key(*_name(e)) for e in kind.this.expressions) \
                    if isinstance(kind.this, exp.Schema) else ()
                if self.cat.dialect == "mysql":
                    # MySQL parses an inline REFERENCES and ignores it (MariaDB creates the key:
                    # measured on MariaDB 10.11 here).
                    self.emit("other", None, name, f"inline REFERENCES on {name}, ignored by MySQL", klass="neutral",
                              ignored_reference=ref.name if ref is not None else "?", column=name)
                    continue
                cons.append(_Pending(Constraint("", "foreign-key", (ck,), origin=self.fi,
                                                references=ref.name if ref is not None else None,
                                                ref_columns=ref_cols),
                                     cname, cquoted, ck, ref))
            elif isinstance(kind, exp.CheckColumnConstraint):
                cons.append(_Pending(self.check_constraint(kind), cname, cquoted, ck))
            elif isinstance(kind, exp.CharacterSetColumnConstraint) and kind.this is not None:
                col.charset = kind.this.name.lower()
        return col, cons

    def sql(self, e: exp.Expression) -> str:
        return render(e, self.cat.dialect)

    def check_constraint(self, body: exp.CheckColumnConstraint) -> Constraint:
        cond = body.this
        cols: list[str] = []
        for node in cond.walk() if isinstance(cond, exp.Expression) else ():
            if isinstance(node, exp.Column) and not node.table:
                ck = self.cat.col_key(*_name(node.this))
                if ck not in cols:
                    cols.append(ck)
        proves = []
        for part in _conjuncts(cond):
            is_node = None
            if isinstance(part, exp.Not) and isinstance(_unwrap(part.this), exp.Is):
                is_node = _unwrap(part.this)
            elif isinstance(part, exp.Is) and part.args.get("negate"):
                is_node = part
            if is_node is not None and isinstance(is_node.expression, exp.Null) and isinstance(is_node.this, exp.Column):
                proves.append(self.cat.col_key(*_name(is_node.this.this)))
        return Constraint("", "check", tuple(cols), origin=self.fi, check_not_null=proves[0] if proves else None,
                          proves_not_null=tuple(proves))

    def constraint_from(self, item) -> _Pending | None:
        """A table-level constraint, not yet named; None when it is not one (a MySQL index)."""
        name, quoted = None, False
        body = item
        if isinstance(item, exp.Constraint):
            name, quoted = _name(item.this)
            body = item.expressions[0] if item.expressions else None
        if isinstance(body, (exp.PrimaryKey, exp.PrimaryKeyColumnConstraint)):
            cols = tuple(self.cat.col_key(*_name(e.this if isinstance(e, exp.Ordered) else e))
                         for e in body.expressions)
            return _Pending(Constraint("", "primary-key", cols, origin=self.fi), name, quoted)
        if isinstance(body, exp.UniqueColumnConstraint):
            sch = body.this
            exprs = sch.expressions if isinstance(sch, exp.Schema) else []
            cols = tuple(self.key_part(e) for e in exprs)
            if name is None and isinstance(sch, exp.Schema) and sch.this is not None:
                name, quoted = _name(sch.this)  # MySQL UNIQUE [KEY|INDEX] name (cols)
            return _Pending(Constraint("", "unique", cols, origin=self.fi), name, quoted)
        if isinstance(body, exp.CheckColumnConstraint):
            return _Pending(self.check_constraint(body), name, quoted)
        if isinstance(body, exp.ForeignKey):
            cols = tuple(self.cat.col_key(*_name(e)) for e in body.expressions)
            ref = body.args.get("reference")
            target = ref.this.this if ref is not None and isinstance(ref.this, exp.Schema) else (
                ref.this if ref is not None and isinstance(ref.this, exp.Table) else None)
            ref_cols = tuple(self.cat.col_key(*_name(e)) for e in ref.this.expressions) \
                if ref is not None and isinstance(ref.this, exp.Schema) else ()
            c = Constraint("", "foreign-key", cols, origin=self.fi, references=target.name if target is not None else None,
                           ref_columns=ref_cols)
            return _Pending(c, name, quoted, ref=target)
        if isinstance(body, exp.ExcludeColumnConstraint):
            params = body.this
            cols = []
            for e in (params.args.get("columns") or []) if isinstance(params, exp.IndexParameters) else []:
                e = e.this if isinstance(e, exp.WithOperator) else e
                cols.append(self.key_part(e))
            return _Pending(Constraint("", "exclude", tuple(cols), origin=self.fi), name, quoted)
        return None

    def key_part(self, e) -> str:
        e = e.this if isinstance(e, exp.Ordered) else e
        if isinstance(e, exp.Column):
            return self.cat.col_key(*_name(e.this))
        if isinstance(e, exp.Identifier):
            return self.cat.col_key(*_name(e))
        if isinstance(e, exp.ColumnPrefix):
            return self.cat.col_key(*_name(e.this))
        return "(expression)"

    def index_from(self, item: exp.IndexColumnConstraint) -> tuple[str | None, tuple[str, ...], bool]:
        """A MySQL inline `KEY name (cols)` / `ADD INDEX name (cols)`."""
        name = _name(item.this)[0] if item.this is not None else None
        cols = tuple(self.key_part(e) for e in item.expressions)
        return name, cols, False

    # -- names the database chooses -----------------------------------------------------------
    def constraint_name(self, t: Table, c: Constraint, column: str | None = None) -> str:
        taken = set(t.constraints)
        if self.pg():
            if c.kind == "primary-key":
                base, label = "", "pkey"
            elif c.kind == "check":
                base, label = (c.columns[0] if len(c.columns) == 1 else ""), "check"
            else:
                base = "_".join(x if x != "(expression)" else "expr" for x in c.columns)
                label = {"unique": "key", "exclude": "excl"}.get(c.kind, "fkey")
            taken |= {k[1] for k in self.cat.indexes_on((t.schema, t.name))}
            n = 0
            while True:
                name = _pg_object_name(t.name, base, label + (str(n) if n else ""))
                if name not in taken:
                    return name
                n += 1
        if c.kind == "primary-key":
            return "PRIMARY"
        if c.kind == "unique":
            return self.mysql_index_name(t, c.columns[0] if c.columns else "key")
        if c.kind == "check" and self.cat.dialect == "mariadb":
            if column:
                return column
            prefix = "CONSTRAINT_"
        else:
            prefix = f"{t.name}_{'ibfk' if c.kind == 'foreign-key' else 'chk'}_"
        low = prefix.lower()
        used = [int(k[len(low):]) for k in taken if k.startswith(low) and k[len(low):].isdigit()]
        return f"{prefix}{max(used, default=0) + 1}"

    def mysql_index_name(self, t: Table, first: str) -> str:
        taken = set(t.constraints) | {k[-1] for k in self.cat.indexes_on((t.schema, t.name))}
        name, n = first, 1
        while name.lower() in taken:
            n += 1
            name = f"{first}_{n}"
        return name

    def add_constraint_to(self, t: Table, p: _Pending, *, creating: bool = False,
                          if_not_exists: bool = False) -> bool:
        """Name the constraint as the database does and add it to `t`; False (and a problem) when
        the statement would fail."""
        c = p.constraint
        if p.name:
            c.name = self.cat.con_key(p.name, p.quoted) if self.pg() else p.name
        else:
            c.name = self.constraint_name(t, c, p.column)
        ckey = self.cat.con_key(c.name, True)
        ok = True
        for cn in c.columns:
            if cn != "(expression)" and not self.has_column(t, cn, cn):
                ok = False
        if c.kind == "primary-key" and any(x.kind == "primary-key" for x in t.constraints.values()):
            if t.constraints_known or creating:
                self.problem("exists", f"{t.name}.{c.name}", f"table {t.name} already has a primary key")
                ok = False
        elif ckey in t.constraints and not if_not_exists:
            self.problem("exists", f"{t.name}.{c.name}", f"constraint {c.name} already exists on table {t.name}")
        if not ok:
            return False
        if c.kind == "primary-key":
            for cn in c.columns:
                if cn in t.columns:
                    t.columns[cn].nullable = False
        if c.kind == "foreign-key" and p.ref is not None:
            c.ref_table = self.key(p.ref) if isinstance(p.ref, exp.Table) else None
        t.constraints[ckey] = c
        if c.kind == "foreign-key" and not creating:
            self.implicit_fk_index(t, c, p.name)
        return True

    def implicit_fk_index(self, t: Table, c: Constraint, name: str | None) -> None:
        """MySQL/MariaDB: InnoDB creates an index for a foreign key that no index serves, named after
        the constraint (else its first column): measured on MariaDB 10.11; MySQL manual, "FOREIGN KEY
        Constraints". It cannot be dropped while the key needs it (error 1553)."""
        if self.pg() or not c.columns or "(expression)" in c.columns or self.fk_index(t, c):
            return
        name = name or self.mysql_index_name(t, c.columns[0])
        self.cat.add_index(self.cat.index_key((t.schema, t.name), name),
                           Index(name, (t.schema, t.name), c.columns, False, self.fi))

    def fk_index(self, t: Table, fk: Constraint, *, without: tuple | None = None,
                 without_constraint: str | None = None) -> bool:
        """MySQL: whether an index of `t` (other than `without`) has the key's columns first."""
        n = len(fk.columns)
        for ikey in self.cat.indexes_on((t.schema, t.name)):
            if ikey != without and self.cat.indexes[ikey].columns[:n] == fk.columns:
                return True
        return any(c.kind in ("primary-key", "unique") and c.columns[:n] == fk.columns and k != without_constraint
                   for k, c in t.constraints.items())

    def register_index(self, t: Table | None, tkey, name: str | None, cols: tuple[str, ...], unique: bool,
                       *, if_not_exists: bool = False, explicit_quoted: bool = False,
                       name_parts: tuple[str, ...] | None = None, kind: str | None = None) -> tuple[str, bool]:
        """Add an index to the catalog; returns (its name, False when it already existed)."""
        if name is None:
            if self.pg():
                base = "_".join(c if c != "(expression)" else "expr" for c in (name_parts or cols))
                n = 0
                while True:
                    name = _pg_object_name(tkey[1], base, "idx" + (str(n) if n else ""))
                    if (tkey[0], name) not in self.cat.indexes and not self.cat.relation_exists((tkey[0], name)):
                        break
                    n += 1
            else:
                name = self.mysql_index_name(t, cols[0] if cols and cols[0] != "(expression)" else "idx") if t \
                    else (cols[0] if cols else "idx")
        else:
            name = self.cat.ident(name, explicit_quoted)
        ikey = self.cat.index_key(tkey, name)
        taken = ikey in self.cat.indexes or (self.pg() and self.known_relation(ikey)) or (
            not self.pg() and t is not None and self.cat.con_key(name) in t.constraints)
        if taken:
            if if_not_exists:
                return name, False
            self.problem("exists", name, f"index {name} already exists")
        self.cat.add_index(ikey, Index(name, tkey, tuple(cols), unique, self.fi, kind))
        if self.pg():
            self.cat.gone.discard(ikey)
        return name, True

    def create_index(self, node: exp.Create) -> None:
        idx = node.this
        if not isinstance(idx, exp.Index):
            self.emit("other", None, None, "create index")
            return
        tkey = self.key(idx.args["table"])
        t = self.table(tkey)
        cols: list[str] = []
        params = idx.args.get("params")
        for o in (params.args.get("columns") or []) if params is not None else []:
            e = o.this if isinstance(o, exp.Ordered) else o
            if isinstance(e, exp.Column):
                cols.append(self.cat.col_key(*_name(e.this)))
            elif isinstance(e, exp.ColumnPrefix):
                cols.append(self.cat.col_key(*_name(e.this)))
            else:
                cols.append("(expression)")
        ok = True
        for c in cols:
            if t is not None and c != "(expression)" and not self.has_column(t, c, c):
                ok = False
        unique = bool(node.args.get("unique"))
        explicit = _name(idx.this) if idx.this is not None else (None, False)
        opts = dict(concurrently=bool(node.args.get("concurrently")), unique=unique, columns=tuple(cols),
                    options=_options(node.args.get("options") or []), only=bool(node.args.get("only")),
                    partitioned=bool(t is not None and t.partitioned and self.pg()))
        born = t is not None and self.born(t.origin)
        view = self.cat.views.get(tkey) if t is None else None
        if view is not None and view.materialized:
            # an index on a materialized view: SHARE on the view blocks only its REFRESH, not reads
            born, opts["matview"] = self.born(view.origin), True
            if unique and (params is None or params.args.get("where") is None) and "(expression)" not in cols:
                view.unique_index = True  # what REFRESH ... CONCURRENTLY needs
        if t is not None and ok:
            opts.update(self.fulltext_facts(t, str(node.args.get("index_kind") or "").upper() or None))
        if not ok or t is None:  # the statement fails (or indexes a materialized view): nothing to record
            name = explicit[0] or f"{tkey[1]}_idx"
            self.emit("create-index", tkey, name, f"create {'unique ' if unique else ''}index {name} on {tkey[1]}",
                      born=born, **opts)
            return
        if explicit[0] is None and self.pg():
            names: list[str] | None = []
            for o in (params.args.get("columns") or []) if params is not None else []:
                e = o.this if isinstance(o, exp.Ordered) else o
                if isinstance(e, exp.Column):
                    names.append(self.cat.col_key(*_name(e.this)))
                elif isinstance(e, exp.Func):
                    names.append((e.name if isinstance(e, exp.Anonymous) else e.sql_name()).lower())
                else:
                    names.append("expr")
        else:
            names = None
        name, new = self.register_index(t, tkey, explicit[0], tuple(cols), unique, name_parts=names,
                                        if_not_exists=bool(node.args.get("exists")), explicit_quoted=explicit[1],
                                        kind=opts.get("index_kind"))
        if not new:
            self.emit("other", tkey, name, f"create index {name} if not exists (already there)", born=born)
            return
        self.emit("create-index", tkey, name, f"create {'unique ' if unique else ''}index {name} on {tkey[1]}",
                  born=born, **opts)

    def fulltext_facts(self, t: Table, kind: str | None) -> dict:
        """MySQL/MariaDB FULLTEXT/SPATIAL index facts for dbfacts; marks the table as having FTS_DOC_ID.
        `first_fulltext`: InnoDB adds its hidden FTS_DOC_ID column, rebuilding the table (MySQL manual:
        Online DDL Operations, "Adding a FULLTEXT index"; measured on MariaDB 10.11, verify.md §3 #16)."""
        if kind not in ("FULLTEXT", "SPATIAL"):
            return {}
        facts = {"index_kind": kind}
        if kind == "FULLTEXT":
            facts["first_fulltext"] = not t.fts_doc_id and "fts_doc_id" not in t.columns and self.indexes_known(t)
            t.fts_doc_id = True
        return facts

    def view_columns(self, node) -> tuple[str, ...] | None:
        target = node.this if isinstance(node, exp.Create) else None
        if isinstance(target, exp.Schema) and target.expressions:
            return tuple(self.cat.col_key(*_name(e)) for e in target.expressions)
        query = node.args.get("expression") if isinstance(node, exp.Create) else node
        if isinstance(query, exp.Select) and all(isinstance(e, (exp.Column, exp.Alias)) for e in query.expressions):
            out = []
            for e in query.expressions:
                ident = e.args.get("alias") if isinstance(e, exp.Alias) else e.this
                out.append(self.cat.col_key(*_name(ident)) if ident is not None else e.alias_or_name.lower())
            return tuple(out)
        return None

    def view_deps(self, query) -> tuple[tuple, frozenset | None]:
        """The relations a view reads (resolved keys) and the column keys it uses; a `*` counts
        every column its tables have now (PostgreSQL expands it when the view is created)."""
        if not isinstance(query, exp.Expression):
            return (), None
        ctes = {c.alias_or_name.lower() for c in query.find_all(exp.CTE)}
        tables: list = []
        cols: set[str] = set()
        star = False
        for node in query.walk():
            if isinstance(node, exp.Table) and node.this is not None and not isinstance(node.this, exp.Func):
                if node.args.get("db") is None and node.name.lower() in ctes:
                    continue
                k = self.key(node)
                if k not in tables:
                    tables.append(k)
            elif isinstance(node, exp.Column):
                if isinstance(node.this, exp.Star):
                    star = True
                elif isinstance(node.this, exp.Identifier):
                    cols.add(self.cat.col_key(*_name(node.this)))
            elif isinstance(node, exp.Star):
                star = True
        if star:
            for k in tables:
                t = self.cat.tables.get(k)
                if t is None or not t.complete:
                    return tuple(tables), None
                cols.update(t.columns)
        return tuple(tables), frozenset(cols)

    def create_view(self, node: exp.Create) -> None:
        key = self.key(node.this, create=True)
        replace_ = bool(node.args.get("replace"))
        cols = self.view_columns(node)
        old = self.cat.views.get(key)
        if old is None and key in self.cat.tables and (self.cat.tables[key].origin != -1 or self.cat.tables[key].complete):
            self.problem("exists", key[1], f"{key[1]} already exists as a table")
        if old is not None and not replace_:
            if node.args.get("exists"):
                self.emit("other", key, key[1], f"create view {key[1]} if not exists (already there)",
                          born=self.born(old.origin))
                return
            self.problem("exists", key[1], f"view {key[1]} already exists")
        tables, refs = self.view_deps(node.args.get("expression"))
        if old is not None and replace_:
            self.replace_view(old, key, cols)
            old.tables, old.column_refs = tables, refs
            return
        self.cat.views[key] = View(key[0], key[1], cols, self.fi, tables=tables, column_refs=refs)
        self.cat.gone.discard(key)
        query = node.args.get("expression")
        self.emit("create-view", key, key[1], f"create view {key[1]}", born=True, reads=tables,
                  select_star=isinstance(query, exp.Select) and len(query.expressions) == 1
                  and isinstance(query.expressions[0], exp.Star) and not query.args.get("joins")
                  and not query.args.get("where"))

    def replace_view(self, old: View, key, cols) -> None:
        lost = [c for c in (old.columns or ()) if cols is not None and c not in cols]
        self.emit("replace-view", key, key[1], f"replace view {key[1]}", born=self.born(old.origin),
                  klass="incompatible" if lost else "additive", lost_columns=tuple(lost),
                  columns_known=cols is not None and old.columns is not None)
        old.columns = cols

    def create_type(self, node: exp.Create) -> None:
        key = self.key(node.this, create=True)
        expr = node.args.get("expression")
        values = [e.this for e in expr.expressions] if isinstance(expr, exp.DataType) else []
        if key in self.cat.types:
            if node.args.get("exists"):
                self.emit("other", key, key[1], f"create type {key[1]} if not exists (already there)")
                return
            self.problem("exists", key[1], f"type {key[1]} already exists")
        self.cat.types[key] = EnumType(key[0], key[1], values, self.fi)
        self.cat.gone.discard(key)
        self.emit("create-type", key, key[1], f"create type {key[1]}", born=True, values=tuple(values))

    # -- DROP ---------------------------------------------------------------------------------
    def h_Drop(self, node: exp.Drop) -> None:
        kind = (node.args.get("kind") or "").upper()
        if node.args.get("materialized") and kind == "VIEW":
            kind = "MATERIALIZED VIEW"
        if_exists = bool(node.args.get("exists"))
        cascade = bool(node.args.get("cascade"))
        targets = [tbl for tbl in node.args.get("tables") or [node.this] if tbl is not None]
        if kind in ("TABLE", "VIEW", "MATERIALIZED VIEW") and len(targets) > 1:
            # objects dropped by the same statement do not count as dependents of each other
            store = self.cat.tables if kind == "TABLE" else self.cat.views
            self.dropping = {self.key(tbl, stores=(store,)) for tbl in targets}
        for tbl in targets:
            if kind == "TABLE":
                self.drop_table(self.key(tbl, stores=(self.cat.tables,)), if_exists, cascade)
            elif kind in ("VIEW", "MATERIALIZED VIEW"):
                key = self.key(tbl, stores=(self.cat.views,))
                if key in self.cat.views and self.refused_by_dependents(key, None, cascade, f"view {key[1]}"):
                    self.emit("drop-view", key, key[1], f"drop view {key[1]} (refused: other views depend on it)",
                              born=self.born(self.cat.views[key].origin), materialized=kind != "VIEW")
                    continue
                v = self.cat.views.pop(key, None)
                if v is None and key in self.cat.gone and self.certain:
                    if if_exists:
                        self.emit("other", key, key[1], f"drop view if exists {key[1]} (already dropped)")
                        continue
                    self.problem("missing", key[1], f"view {key[1]} does not exist at this point")
                self.mark_gone(key)
                self.emit("drop-view", key, key[1], f"drop view {key[1]}", born=v is not None and self.born(v.origin),
                          materialized=kind != "VIEW")
                if v is not None and cascade:
                    self.drop_dependents(key, None, f"view {key[1]}")
            elif kind == "INDEX":
                self.drop_index(node, tbl, if_exists)
            elif kind == "TYPE":
                key = self.key(tbl, stores=(self.cat.types,))
                users = [(t, c) for t in self.cat.tables.values() for c in t.columns.values()
                         if c.type.family == key[1] and c.domain is None] if key in self.cat.types else []
                if users and self.certain and not cascade and self.pg():
                    names = ", ".join(f"{t.name}.{c.name}" for t, c in users)
                    self.problem("depends", key[1], f"cannot drop type {key[1]} because column"
                                 f"{'s' if len(users) > 1 else ''} {names} use{'' if len(users) > 1 else 's'} it "
                                 "(drop or change them first, or add CASCADE)")
                    self.emit("drop-type", key, key[1], f"drop type {key[1]} (refused: columns use it)",
                              born=self.born(self.cat.types[key].origin), cascade=cascade)
                    continue
                ty = self.cat.types.pop(key, None)
                if ty is None and key in self.cat.gone and self.certain and not if_exists:
                    self.problem("missing", key[1], f"type {key[1]} does not exist at this point")
                if ty is not None:
                    self.mark_gone(key)
                self.emit("drop-type", key, key[1], f"drop type {key[1]}", born=ty is not None and self.born(ty.origin),
                          cascade=cascade)
                for t, c in users if cascade and self.pg() else ():  # CASCADE drops the columns of the type
                    self.drop_column(t, (t.schema, t.name), c.name, True, False, {}, True)
            elif kind == "SEQUENCE":
                key = self.key(tbl, stores=(self.cat.sequences,))
                s = self.cat.sequences.pop(key, None)
                if s is None and key in self.cat.gone and self.certain and not if_exists:
                    self.problem("missing", key[1], f"sequence {key[1]} does not exist at this point")
                if s is not None:
                    self.mark_gone(key)
                self.emit("drop-sequence", key, key[1], f"drop sequence {key[1]}",
                          born=s is not None and self.born(s.origin))
            elif kind == "DOMAIN":
                self.drop_domain(self.key(tbl, stores=(self.cat.domains,)), if_exists, cascade)
            elif kind in ("FUNCTION", "PROCEDURE"):
                key = self.key(tbl)
                origin = self.cat.functions.pop(key, -1)
                trigger = key in self.cat.trigger_functions
                self.cat.trigger_functions.discard(key)
                self.emit("drop-function", None, key[1], f"drop {kind.lower()} {key[1]}", born=self.born(origin),
                          trigger_function=trigger, cascade=cascade)
            elif kind in ("SCHEMA", "DATABASE"):
                self.drop_schema(self.qualified(tbl)[1], cascade, kind)
            elif kind == "TRIGGER":
                self.drop_trigger(node, tbl)
            elif kind == "EVENT":
                name = self.qualified(tbl)[1]
                self.emit("other", None, name, f"drop event {name}", klass="neutral", event=True,
                          operation="drop-event")
            else:
                self.emit("other", None, self.qualified(tbl)[1], f"drop {kind.lower()} {self.qualified(tbl)[1]}")

    def drop_table(self, key, if_exists: bool, cascade: bool) -> None:
        t = self.cat.tables.get(key)
        if t is not None and self.refused_by_dependents(key, None, cascade, f"table {key[1]}"):
            self.emit("drop-table", key, key[1], f"drop table {key[1]} (refused: other objects depend on it)",
                      born=self.born(t.origin), cascade=cascade)
            return
        t = self.cat.tables.pop(key, None)
        if t is None:
            if key in self.cat.gone and self.certain:
                if if_exists:
                    self.emit("other", key, key[1], f"drop table if exists {key[1]} (already dropped)")
                    return
                self.problem("missing", key[1], f"table {key[1]} does not exist at this point")
            elif key in self.cat.views and not if_exists:
                self.problem("missing", key[1], f"{key[1]} is a view, not a table")
        self.mark_gone(key)
        self.cat.drop_indexes_of(key)
        self.emit("drop-table", key, key[1], f"drop table {key[1]}", born=t is not None and self.born(t.origin),
                  cascade=cascade)
        if t is not None and cascade:
            self.drop_dependents(key, None, f"table {key[1]}")

    dropping: set = frozenset()  # relations the statement being replayed drops together

    def fks_to(self, key, column: str | None = None) -> list[tuple[Table, str, Constraint]]:
        """Foreign keys of other tables that reference table `key` (or its column `column`)."""
        out = []
        target = self.cat.tables.get(key)
        for tk, other in self.cat.tables.items():
            if tk == key or tk in self.dropping:
                continue
            for cname, c in other.constraints.items():
                if c.kind != "foreign-key" or c.ref_table != key:
                    continue
                if column is not None:
                    cols = c.ref_columns or (next((x.columns for x in target.constraints.values()
                                                   if x.kind == "primary-key"), ()) if target else ())
                    if column not in cols:
                        continue
                out.append((other, cname, c))
        return out

    def views_on(self, key, column: str | None = None) -> list[tuple[str, str]]:
        """Views that read relation `key` (or, surely, its column `column`)."""
        out = []
        for vk, v in self.cat.views.items():
            if key not in v.tables or vk == key or vk in self.dropping:
                continue
            if column is not None:
                if v.column_refs is None or column not in v.column_refs:
                    continue
                # the name may come from another table the view reads: then it is not sure
                if any(column in self.cat.tables[o].columns for o in v.tables if o != key and o in self.cat.tables):
                    continue
            out.append(vk)
        return out

    def refused_by_dependents(self, key, column: str | None, cascade: bool, what: str) -> bool:
        """Whether the database refuses the DROP because objects depend on what it drops (then the
        catalog keeps it): PostgreSQL without CASCADE, when views or other tables' foreign keys use
        it; MySQL/MariaDB when a foreign key references the table (unless foreign_key_checks=0)."""
        if not self.certain:
            return False
        fks = self.fks_to(key, column)
        if not self.pg():
            if column is None and fks and self.cat.session.get("foreign_key_checks") is not False:
                names = ", ".join(f"{c.name} on {o.name}" for o, _, c in fks)
                self.problem("depends", key[1], f"cannot drop {what}: foreign key {names} references it (drop the "
                             "foreign key first)", fk_checks=True)
                return True
            return False
        views = self.views_on(key, column)
        if cascade or not (fks or views):
            return False
        names = [f"view {vk[1]}" for vk in views] + [f"foreign key {c.name} on {o.name}" for o, _, c in fks]
        self.problem("depends", key[1], f"cannot drop {what} because {', '.join(names)} depend"
                     f"{'s' if len(names) == 1 else ''} on it (drop them first, or add CASCADE)")
        return True

    def drop_dependents(self, key, column: str | None, what: str) -> None:
        """PostgreSQL DROP ... CASCADE: drop the views and other tables' foreign keys that use it."""
        if not self.pg():
            return
        fks = self.fks_to(key, column)
        views = self.views_on(key, column)
        for other, cname, c in fks:
            other.constraints.pop(cname, None)
            self.emit("drop-constraint", (other.schema, other.name), f"{other.name}.{c.name}",
                      f"drop constraint {c.name} on {other.name} (CASCADE from {what})",
                      born=self.born(other.origin) or self.born(c.origin), constraint=cname,
                      constraint_kind="foreign-key", cascaded_from=what)
        pending = list(views)
        while pending:
            vk = pending.pop(0)
            v = self.cat.views.pop(vk, None)
            if v is None:
                continue
            self.mark_gone(vk)
            self.emit("drop-view", vk, vk[1], f"drop view {vk[1]} (CASCADE from {what})", born=self.born(v.origin),
                      materialized=v.materialized, cascaded_from=what)
            pending.extend(self.views_on(vk))

    def constraint_needed(self, t: Table, key, cname: str, cascade: bool) -> bool:
        """Dropping a PRIMARY KEY or UNIQUE constraint that foreign keys of other tables reference:
        True when the database refuses (PostgreSQL without CASCADE)."""
        c = t.constraints.get(cname)
        if c is None or c.kind not in ("primary-key", "unique") or not self.certain:
            return False
        if not self.pg():
            return self.index_needed(t, self.cat.index_key(key, c.name), cname)
        fks = [(o, n, fk) for o, n, fk in self.fks_to(key)
               if (fk.ref_columns or (c.columns if c.kind == "primary-key" else ())) == c.columns]
        if not fks:
            return False
        if not cascade:
            names = ", ".join(f"foreign key {fk.name} on {o.name}" for o, _, fk in fks)
            self.problem("depends", c.name, f"cannot drop constraint {c.name} on table {t.name} because {names} "
                         "depends on it (drop it first, or add CASCADE)")
            return True
        for o, n, fk in fks:
            o.constraints.pop(n, None)
            self.emit("drop-constraint", (o.schema, o.name), f"{o.name}.{fk.name}",
                      f"drop constraint {fk.name} on {o.name} (CASCADE from constraint {c.name})",
                      born=self.born(o.origin) or self.born(fk.origin), constraint=n, constraint_kind="foreign-key",
                      cascaded_from=f"constraint {c.name}")
        return False

    def index_needed(self, t: Table, ikey, ckey: str) -> bool:
        """MySQL/MariaDB refuse to drop the only index that serves a foreign key (error 1553) while
        foreign_key_checks is on: the table's own keys and keys of other tables referencing it."""
        if self.pg() or self.cat.session.get("foreign_key_checks") is False or not self.constraint_known(t):
            return False
        i = self.cat.indexes.get(ikey)
        c = t.constraints.get(ckey)
        cols = i.columns if i is not None else (c.columns if c is not None and c.kind in ("unique", "primary-key")
                                                else None)
        if not cols:
            return False
        needing = [fk for fk in t.constraints.values() if fk.kind == "foreign-key" and cols[:len(fk.columns)] ==
                   fk.columns and not self.fk_index(t, fk, without=ikey, without_constraint=ckey)]
        for _, _, fk in self.fks_to((t.schema, t.name)):
            ref = fk.ref_columns
            if ref and cols[:len(ref)] == ref and not self.fk_index(
                    t, Constraint("", "foreign-key", ref), without=ikey, without_constraint=ckey):
                needing.append(fk)
        if needing:
            name = i.name if i is not None else c.name
            self.problem("depends", name, f"cannot drop index {name}: it is needed by foreign key {needing[0].name} "
                         "(drop the foreign key first)", fk_checks=True)
        return bool(needing)

    def drop_index(self, node: exp.Drop, tbl, if_exists: bool) -> None:
        schema, name = self.qualified(tbl)
        on = node.args.get("cluster")
        tkey = None
        if isinstance(on, exp.OnProperty) and isinstance(on.this, exp.Table):
            tkey = self.key(on.this)  # MySQL DROP INDEX i ON t
        i = None
        ikey = None
        if tkey is not None:
            ikey = self.cat.index_key(tkey, name)
        else:
            ikey = (schema or (self.cat.search_path[0] if self.cat.search_path else self.cat.default_schema), name)
            if ikey not in self.cat.indexes and schema is None:
                found = self.cat.indexes_named(name)
                if found:
                    ikey = found[0]
        if tkey is not None and tkey in self.cat.tables and self.index_needed(
                self.cat.tables[tkey], ikey, self.cat.con_key(name)):
            self.emit("drop-index", tkey, name, f"drop index {name} (refused: a foreign key needs it)",
                      born=self.born(self.cat.tables[tkey].origin), concurrently=False,
                      options=_options(node.args.get("options") or []))
            return
        i = self.cat.pop_index(ikey)
        t = self.cat.tables.get(i.table if i is not None else tkey) if (i is not None or tkey) else None
        dropped_constraint = None
        if i is None and tkey is not None and t is not None:
            # MySQL: a UNIQUE or PRIMARY KEY constraint is an index of the same name
            ck = self.cat.con_key(name)
            if ck in t.constraints and t.constraints[ck].kind in ("unique", "primary-key"):
                dropped_constraint = t.constraints.pop(ck)
        if i is None and dropped_constraint is None and not if_exists:
            if self.pg() and ikey in self.cat.gone and self.certain:
                self.problem("missing", name, f"index {name} does not exist at this point")
            elif t is not None and not self.pg() and self.indexes_known(t):
                self.problem("missing", name, f"index {name} does not exist on table {t.name}")
        if i is not None and self.pg():
            self.mark_gone(ikey)
        table = i.table if i is not None else tkey
        born = (i is not None and self.born(i.origin)) or (t is not None and self.born(t.origin)) or (
            dropped_constraint is not None and self.born(dropped_constraint.origin))
        pt = self.cat.tables.get(table) if table is not None else None
        self.emit("drop-index", table, name, f"drop index {name}", born=born,
                  concurrently=bool(node.args.get("concurrently")), partitioned=bool(pt and pt.partitioned and self.pg()),
                  unique=bool(i and i.unique) or dropped_constraint is not None,
                  options=_options(node.args.get("options") or []),
                  constraint_kind=dropped_constraint.kind if dropped_constraint else None)

    def drop_schema(self, name: str, cascade: bool, kind: str) -> None:
        origin = self.cat.schemas.pop(name, -1)
        for store in (self.cat.tables, self.cat.views, self.cat.types, self.cat.sequences, self.cat.functions):
            for k in [k for k in store if k[0] == name]:
                del store[k]
                if store is not self.cat.functions:
                    self.mark_gone(k)
                if store is self.cat.tables:
                    self.cat.drop_indexes_of(k)
        for k in [k for k in self.cat.indexes if k[0] == name]:
            self.cat.pop_index(k)
        self.emit("drop-schema", None, name, f"drop {kind.lower()} {name}", born=self.born(origin), cascade=cascade)

    def h_TruncateTable(self, node: exp.TruncateTable) -> None:
        for tbl in node.expressions:
            key = self.key(tbl)
            t = self.table(key)
            self.emit("truncate-table", key, key[1], f"truncate table {key[1]}",
                      born=t is not None and self.born(t.origin), cascade=bool(node.args.get("cascade")))

    # -- ALTER TABLE --------------------------------------------------------------------------
    def h_Alter(self, node: exp.Alter) -> None:
        kind = (node.args.get("kind") or "TABLE").upper()
        if kind != "TABLE":
            self.alter_other(node, kind)
            return
        key = self.key(node.this)
        t = self.table(key, must_exist=not node.args.get("exists"))
        if t is None:
            self.emit("other", key, key[1], f"alter table {key[1]} (table unknown)")
            return
        options = node.args.get("options") or []
        opts = _options(options)
        for o in options:
            if isinstance(o, exp.EngineProperty):
                # InnoDB to InnoDB: an in-place rebuild; another engine, or a table not in InnoDB: a table copy
                # (measured on MariaDB 10.11.19: INPLACE and LOCK=NONE refused, also for MyISAM to MyISAM)
                engine, current = (o.name or "").lower(), t.engine or "innodb"
                other = bool(engine) and (engine != current or current != "innodb")
                self.emit("rewrite-table", key, key[1], f"ALTER TABLE {key[1]} ENGINE={o.name or '...'}",
                          born=self.born(t.origin), reason="engine-copy" if other else "engine", options=opts,
                          engine=o.name or None, engine_before=current)
                if engine:
                    t.engine = engine
            elif isinstance(o, (exp.CharacterSetProperty, exp.CollateProperty)):
                self.emit("other", key, key[1], f"change the default character set of {key[1]}",
                          born=self.born(t.origin))
        self.alter_actions = node.args.get("actions") or ()
        if any(isinstance(a, exp.AddConstraint) for a in self.alter_actions):
            # the unique keys of the table before this statement (a DROP PRIMARY KEY earlier in it included)
            self.unique_before = (t.schema, t.name), (
                tuple(c.columns for c in t.constraints.values() if c.kind in ("primary-key", "unique"))
                + tuple(i.columns for ik in self.cat.indexes_on((t.schema, t.name))
                        if (i := self.cat.indexes[ik]).unique))
        for action in self.alter_actions:
            handler = getattr(self, "a_" + type(action).__name__, None)
            # a rename earlier in the statement moves the table: follow it
            key = (t.schema, t.name)
            if handler is None:
                self.emit("other", key, key[1], f"alter table {key[1]}: {type(action).__name__}",
                          born=self.born(t.origin))
                continue
            handler(t, key, action, opts)

    def a_ForceProperty(self, t: Table, key, action, opts) -> None:
        """MySQL/MariaDB ALTER TABLE ... FORCE rebuilds the table (measured on MariaDB 10.11.19: INPLACE,
        LOCK=NONE, new TABLE_ID; LOCK=SHARED when the table has a SPATIAL or FULLTEXT index)."""
        copy = (t.engine or "innodb") != "innodb"  # no in-place rebuild outside InnoDB (measured on MariaDB 10.11.19)
        self.emit("rewrite-table", key, key[1], f"ALTER TABLE {key[1]} FORCE", born=self.born(t.origin),
                  reason="engine-copy" if copy else "force", options=opts, engine_before=t.engine or "innodb")

    def special_index(self, key) -> dict:
        """MySQL/MariaDB: the kind of a FULLTEXT or SPATIAL index of the table, which makes a rebuild take
        LOCK=SHARED (measured on MariaDB 10.11.19; verify.md §3 #27)."""
        if self.pg():
            return {}
        kinds = {self.cat.indexes[k].kind for k in self.cat.indexes_on(key)}
        if "FULLTEXT" in kinds:
            return {"special_index": "FULLTEXT"}
        return {"special_index": "SPATIAL"} if "SPATIAL" in kinds else {}

    def alter_other(self, node: exp.Alter, kind: str) -> None:
        stores = {"INDEX": None, "VIEW": self.cat.views, "MATERIALIZED VIEW": self.cat.views,
                  "SEQUENCE": self.cat.sequences, "TYPE": self.cat.types, "DOMAIN": self.cat.domains}
        actions = node.args.get("actions") or []
        if kind == "SCHEMA":
            _, old = self.qualified(node.this)
            for a in actions:
                if isinstance(a, exp.AlterRename):
                    _, new = self.qualified(a.this)
                    self.rename_schema(old, new)
                    return
            self.emit("other", None, old, f"alter schema {old}")
            return
        key = self.key(node.this, stores=(stores[kind],) if stores.get(kind) is not None else None)
        for a in actions:
            if isinstance(a, exp.AlterRename) and kind in stores:
                _, new = self.qualified(a.this)
                if kind == "INDEX":
                    ikey = key
                    if ikey not in self.cat.indexes:
                        found = self.cat.indexes_named(key[1])
                        ikey = found[0] if found else ikey
                    obj = self.cat.pop_index(ikey)
                    if obj is not None:
                        obj.name = new
                        self.cat.add_index(self.cat.index_key(obj.table, new), obj)
                else:
                    store = stores[kind]
                    obj = store.pop(key, None)
                    if obj is not None:
                        obj.name = new
                        store[(key[0], new)] = obj
                        self.mark_gone(key)
                        self.cat.gone.discard((key[0], new))
                        if kind == "DOMAIN":
                            for _, c in self.domain_columns(key):
                                c.domain = (key[0], new)
                kind_change = "rename-table" if kind in ("VIEW", "MATERIALIZED VIEW") else "other"
                self.emit(kind_change, key, key[1], f"rename {kind.lower()} {key[1]} to {new}",
                          born=obj is not None and self.born(obj.origin),
                          klass="neutral" if kind in ("INDEX", "SEQUENCE") else (
                              "incompatible" if kind in ("TYPE", "DOMAIN") else None),
                          new_name=new, target=kind)
                return
            if kind == "VIEW" and isinstance(a, exp.Query):  # MySQL ALTER VIEW v AS SELECT ...
                cols = self.view_columns(a)
                old = self.cat.views.get(key)
                if old is None:
                    old = View(key[0], key[1], None, -1)
                    self.cat.views[key] = old
                self.replace_view(old, key, cols)
                return
        self.emit("other", key, key[1], f"alter {kind.lower()} {key[1]}")

    def rename_schema(self, old: str, new: str) -> None:
        origin = self.cat.schemas.pop(old, -1)
        self.cat.schemas[new] = origin
        for store in (self.cat.tables, self.cat.views, self.cat.types, self.cat.sequences):
            for k in [k for k in store if k[0] == old]:
                obj = store.pop(k)
                obj.schema = new
                store[(new, k[1])] = obj
                self.mark_gone(k)
                self.cat.gone.discard((new, k[1]))
                if store is self.cat.tables:
                    self.cat.move_indexes(k, (new, k[1]))
        self.emit("set-schema", None, old, f"rename schema {old} to {new}", born=self.born(origin), new_name=new,
                  target="SCHEMA")

    def a_ColumnDef(self, t: Table, key, cd: exp.ColumnDef, opts) -> None:
        col, cons = self.column_from_def(cd)
        ck = self.cat.col_key(*_name(cd.this))
        if ck in t.columns:
            if cd.args.get("exists"):
                self.emit("other", key, f"{t.name}.{col.name}", f"add column if not exists {t.name}.{col.name} "
                          "(already there)", born=self.born(t.columns[ck].origin))
                return
            self.problem("exists", f"{t.name}.{col.name}", f"column {col.name} already exists in table {t.name}")
        not_null = not col.nullable and not col.identity
        has_default = col.default is not None
        klass = "incompatible" if not_null and not has_default and not col.generated else "additive"
        col.unfilled = not has_default and not col.generated and not col.identity and not self.born(t.origin)
        t.columns[ck] = col
        # (kind, name, referenced table or CHECK condition as written, referenced columns) of each inline
        # FOREIGN KEY and CHECK: PostgreSQL checks existing rows against them under the ADD COLUMN's lock
        checks = [k.this.sql(self.cat.dialect) for cc in cd.args.get("constraints") or ()
                  if isinstance(k := getattr(cc, "args", {}).get("kind"), exp.CheckColumnConstraint)
                  and isinstance(k.this, exp.Expression)] if self.pg() else []
        inline = []
        for p in cons:
            if self.add_constraint_to(t, p) and p.constraint.kind in ("foreign-key", "check"):
                c = p.constraint
                what = (c.ref_table[1] if c.ref_table else c.references) if c.kind == "foreign-key" else (
                    checks.pop(0) if checks else None)
                inline.append((c.kind, c.name, what, tuple(c.ref_columns)))
        self.emit(
            "add-column", key, f"{t.name}.{col.name}", f"add column {t.name}.{col.name}",
            born=self.born(t.origin), klass=klass, column=col.name, type=str(col.type), not_null=not_null,
            has_default=has_default, default_volatile=col.default_volatile, identity=col.identity,
            generated=col.generated, generated_stored=col.generated and col.generated_stored,
            position=cd.args.get("position") is not None, options=opts, family=col.type.family,
            primary_key="primary-key" in tuple(p.constraint.kind for p in cons),
            constraints=tuple(p.constraint.kind for p in cons),
            references_live=tuple(p.constraint.ref_table for p in cons
                                  if p.constraint.kind == "foreign-key" and self.live_table(p.constraint.ref_table)),
            inline_constraints=tuple(inline), default=col.default,
            # MariaDB creates an inline REFERENCES (MySQL ignores it): the table is copied unless
            # foreign_key_checks=0 (measured on MariaDB 10.11.19, dbfacts)
            inline_foreign_key=any(c[0] == "foreign-key" for c in inline) and not self.pg(),
            foreign_key_checks=self.cat.session.get("foreign_key_checks"),
        )

    def live_table(self, key) -> bool:
        """Whether `key` is a table the live application may use (known and not born in the release)."""
        t = self.cat.tables.get(key) if key is not None else None
        return t is not None and not self.born(t.origin)

    def a_Drop(self, t: Table, key, d: exp.Drop, opts) -> None:
        kind = (d.args.get("kind") or "COLUMN").upper()
        if_exists = bool(d.args.get("exists"))
        for target in d.args.get("tables") or []:
            name, quoted = _name(target.this if isinstance(target, exp.Table) else target)
            if kind == "COLUMN":
                self.drop_column(t, key, name, quoted, if_exists, opts, bool(d.args.get("cascade")))
            elif kind in ("INDEX", "KEY"):
                ikey = self.cat.index_key(key, self.cat.ident(name, quoted))
                if self.index_needed(t, ikey, self.cat.con_key(name, quoted)):
                    self.emit("drop-index", key, name, f"drop index {name} on {t.name} (refused: a foreign key "
                              "needs it)", born=self.born(t.origin), options=opts, concurrently=False)
                    continue
                i = self.cat.pop_index(ikey)
                c = None
                if i is None:
                    ck = self.cat.con_key(name, quoted)
                    if ck in t.constraints and t.constraints[ck].kind in ("unique", "primary-key"):
                        c = t.constraints.pop(ck)
                    elif self.indexes_known(t) and not if_exists:
                        self.problem("missing", name, f"index {name} does not exist on table {t.name}")
                self.emit("drop-index", key, name, f"drop index {name} on {t.name}",
                          born=self.born(t.origin) or (i is not None and self.born(i.origin)) or (
                              c is not None and self.born(c.origin)),
                          options=opts, concurrently=False, unique=bool(i and i.unique) or c is not None,
                          constraint_kind=c.kind if c else None)
            else:  # CONSTRAINT, FOREIGN KEY, CHECK
                cname = self.cat.con_key(name, quoted)
                if self.constraint_needed(t, key, cname, bool(d.args.get("cascade"))):
                    c = t.constraints[cname]
                    self.emit("drop-constraint", key, f"{t.name}.{name}", f"drop constraint {name} on {t.name} "
                              "(refused: foreign keys depend on it)", born=self.born(t.origin) or self.born(c.origin),
                              constraint=cname, constraint_kind=c.kind, options=opts)
                    continue
                c = t.constraints.pop(cname, None)
                if c is None and not self.pg() and kind == "CONSTRAINT":
                    i = self.cat.pop_index(self.cat.index_key(key, self.cat.ident(name, quoted)))
                    if i is not None:
                        c = Constraint(i.name, "unique" if i.unique else "", i.columns, origin=i.origin)
                if c is None and self.constraint_known(t) and not if_exists:
                    self.problem("missing", cname, f"constraint {name} does not exist on table {t.name}")
                if c is None and if_exists and self.constraint_known(t):
                    self.emit("other", key, f"{t.name}.{name}", f"drop constraint if exists {name} (not there)",
                              born=self.born(t.origin))
                    continue
                # MySQL: DROP CONSTRAINT from 8.0.19, DROP CHECK from 8.0.16 (flylint.dbfacts.syntax_gate)
                gated = {} if self.pg() else {"syntax": {"CONSTRAINT": "drop-constraint", "CHECK": "drop-check"}.get(kind)}
                self.emit("drop-constraint", key, f"{t.name}.{name}", f"drop constraint {name} on {t.name}",
                          born=self.born(t.origin) or (c is not None and self.born(c.origin)),
                          constraint=cname, constraint_kind=c.kind if c and c.kind else {
                              "FOREIGN KEY": "foreign-key", "CHECK": "check"}.get(kind), options=opts, **gated)

    def drop_column(self, t: Table, key, name: str, quoted: bool, if_exists: bool, opts, cascade: bool = False) -> None:
        ck = self.cat.col_key(name, quoted)
        col = t.columns.get(ck)
        if col is not None and self.refused_by_dependents(key, ck, cascade, f"column {t.name}.{col.name}"):
            self.emit("drop-column", key, f"{t.name}.{col.name}", f"drop column {t.name}.{col.name} (refused: other "
                      "objects depend on it)", born=self.born(col.origin), column=col.name, options=opts)
            return
        if col is not None and not self.pg() and self.constraint_known(t):
            for c in t.constraints.values():
                if c.kind == "foreign-key" and ck in c.columns:  # error 1828, even with foreign_key_checks=0
                    self.problem("depends", f"{t.name}.{col.name}", f"cannot drop column {col.name}: it is needed "
                                 f"by foreign key {c.name} (drop the foreign key first)")
                    self.emit("drop-column", key, f"{t.name}.{col.name}", f"drop column {t.name}.{col.name} "
                              "(refused: a foreign key uses it)", born=self.born(col.origin), column=col.name,
                              options=opts)
                    return
        # MySQL/MariaDB drop a column views still read (error 1356 on every later query of the view)
        broken = tuple(v[1] for v in self.views_on(key, ck)) if col is not None and not self.pg() else ()
        col = t.columns.pop(ck, None)
        if col is None and t.complete and self.certain:
            if if_exists:
                self.emit("other", key, f"{t.name}.{name}", f"drop column if exists {t.name}.{name} (not there)",
                          born=self.born(t.origin))
                return
            self.problem("missing", f"{t.name}.{name}", f"column {name} does not exist in table {t.name}")
        # PostgreSQL drops the indexes and constraints that use the column; MySQL drops the column
        # from its indexes (an index left without columns goes too).
        for cname in [n for n, c in t.constraints.items() if ck in c.columns]:
            c = t.constraints[cname]
            if self.pg() or c.kind in ("check", "foreign-key") or len(c.columns) == 1:
                del t.constraints[cname]
            else:
                c.columns = tuple(x for x in c.columns if x != ck)
        for ikey in self.cat.indexes_on(key):
            i = self.cat.indexes[ikey]
            if ck in i.columns:
                rest = tuple(x for x in i.columns if x != ck)
                if self.pg() or not rest:
                    self.cat.pop_index(ikey)
                else:
                    i.columns = rest
        shown = col.name if col else name
        moves = _moves(t)
        move = next((m for m in moves.values() if m.old == ck), None)
        for m in [m for m in moves.values() if ck in (m.old, m.new)]:
            del moves[m.new]
        contract = None if move is None else {
            "new": move.new_name, "old": move.old_name, "started": move.started, "backfilled": move.backfilled}
        self.emit("drop-column", key, f"{t.name}.{shown}", f"drop column {t.name}.{shown}",
                  born=col is not None and self.born(col.origin), column=shown, options=opts, contract_of=contract,
                  breaks_views=broken,
                  nullable=col.nullable if col else None, has_default=bool(col and col.default is not None))
        if col is not None and cascade:
            self.drop_dependents(key, ck, f"column {t.name}.{shown}")

    def a_DropPrimaryKey(self, t: Table, key, d, opts) -> None:
        # DROP PRIMARY KEY, ADD PRIMARY KEY (...) in one ALTER: the new key takes over (INPLACE)
        replaced = any(isinstance(a, exp.AddConstraint) and any(isinstance(e, exp.PrimaryKey) for e in a.expressions)
                       for a in self.alter_actions)
        if not replaced and not self.pg():
            pk = next((n for n, c in t.constraints.items() if c.kind == "primary-key"), None)
            if pk is not None:
                self.index_needed(t, None, pk)  # error 1553/150 when a foreign key needs it
        found = None
        for n, c in list(t.constraints.items()):
            if c.kind == "primary-key":
                found = t.constraints.pop(n)
        if found is None and self.constraint_known(t):
            self.problem("missing", f"{t.name} primary key", f"table {t.name} has no primary key")
        self.emit("drop-constraint", key, f"{t.name} primary key", f"drop the primary key of {t.name}",
                  born=self.born(t.origin) or (found is not None and self.born(found.origin)),
                  constraint=found.name if found else "PRIMARY", constraint_kind="primary-key", options=opts,
                  replaced=replaced)

    def a_RenameColumn(self, t: Table, key, r: exp.RenameColumn, opts) -> None:
        old, oq = _name(r.this)
        new, nq = _name(r.args.get("to"))
        gated = {}
        if not self.pg():  # RENAME COLUMN: MySQL 8.0+, MariaDB 10.5+ (flylint.dbfacts.syntax_gate)
            col = t.columns.get(self.cat.col_key(old, oq))
            gated = {"syntax": "rename-column", "definition": _my_definition(col) if col is not None else None}
        self.rename_column(t, key, self.cat.col_key(old, oq), old, new, self.cat.col_key(new, nq), **gated)

    def rename_column(self, t: Table, key, old_key, old, new, new_key, *, emit=True, **gated) -> Column | None:
        col = t.columns.get(old_key)
        # MySQL/MariaDB rename a column views still read by its old name (error 1356 afterwards)
        self.renamed_for_views = tuple(v[1] for v in self.views_on(key, old_key)) \
            if col is not None and not self.pg() and old_key != new_key else ()
        if col is None:
            self.has_column(t, old_key, old)
        if new_key != old_key and new_key in t.columns:
            self.problem("exists", f"{t.name}.{new}", f"column {new} already exists in table {t.name}")
        if col is not None:
            del t.columns[old_key]
            col.name = new
            t.columns[new_key] = col
            for c in t.constraints.values():
                if old_key in c.columns:
                    c.columns = tuple(new_key if x == old_key else x for x in c.columns)
                if old_key in c.proves_not_null:
                    c.proves_not_null = tuple(new_key if x == old_key else x for x in c.proves_not_null)
                    c.check_not_null = c.proves_not_null[0]
            for ikey in self.cat.indexes_on(key):
                i = self.cat.indexes[ikey]
                if old_key in i.columns:
                    i.columns = tuple(new_key if x == old_key else x for x in i.columns)
        replaces = self.follow_move(t, old_key, new_key, new)
        if emit:
            self.emit("rename-column", key, f"{t.name}.{old}", f"rename column {t.name}.{old} to {new}",
                      born=col is not None and self.born(col.origin), column=old, new_name=new, replaces=replaces,
                      nullable=col.nullable if col else None, has_default=bool(col and col.default is not None),
                      type=str(col.type) if col is not None and col.type is not None else None,
                      breaks_views=self.renamed_for_views, **gated)
        return col

    def follow_move(self, t: Table, old_key: str, new_key: str, new: str) -> str | None:
        """Renames in progress follow a renamed column. Returns, when the renamed column is the new
        side of one, the current name of the column it replaces (a swap renames that one away first)."""
        moves = _moves(t)
        replaces = None
        for m in list(moves.values()):
            if m.old == old_key:
                m.old, m.old_name = new_key, new
            if m.new == old_key:
                replaces = m.old_name
                del moves[old_key]
                m.new, m.new_name = new_key, new
                moves[new_key] = m
        return replaces

    def a_AlterRename(self, t: Table, key, r: exp.AlterRename, opts) -> None:
        target = r.this
        schema, name = self.qualified(target)
        self.rename_table(t, key, (schema or key[0], name))

    def rename_table(self, t: Table, key, new_key) -> None:
        if new_key != key and self.known_relation(new_key):
            self.problem("exists", new_key[1], f"table {new_key[1]} already exists")
        self.cat.tables.pop(key, None)
        if new_key != key and new_key in self.cat.tables:
            del self.cat.tables[new_key]  # a placeholder, or a failed rename
            self.cat.drop_indexes_of(new_key)
        self.mark_gone(key)
        self.cat.gone.discard(new_key)
        t.schema, t.name = new_key
        self.cat.tables[new_key] = t
        self.cat.move_indexes(key, new_key)
        self.emit("rename-table", key, key[1], f"rename table {key[1]} to {new_key[1]}",
                  born=self.born(t.origin), new_name=new_key[1], new_schema=new_key[0])

    def a_AlterColumn(self, t: Table, key, a: exp.AlterColumn, opts) -> None:
        col, name, ck, obj, born = self.target_column(t, a.this)
        if a.args.get("dtype") is not None:
            new = type_info(a.args["dtype"], self.cat.dialect)
            self.type_change(t, key, col, obj, born, new, using=isinstance(a.args.get("using"), exp.Expression),
                             opts=opts)
        elif a.args.get("allow_null") is False:
            self.set_not_null(t, key, col, ck, obj, born)
        elif a.args.get("drop") and a.args.get("allow_null"):
            self.drop_not_null(key, col, obj, born)
        elif a.args.get("default") is not None and not isinstance(a.args["default"], exp.Null):
            d = a.args["default"]
            old_default = col.default if col else None
            if col:
                col.default = self.sql(d)
                col.default_volatile = _volatile(d)
                col.default_at = (self.fi, self.si)
            self.emit("set-default", key, obj, f"set default on {obj}", born=born, old_default=old_default,
                      default=col.default if col else self.sql(d), default_volatile=_volatile(d))
        elif a.args.get("drop") or isinstance(a.args.get("default"), exp.Null):
            self.drop_default(key, col, obj, born)
        else:
            self.emit("other", key, obj, f"alter column {obj}", born=born)

    def drop_default(self, key, col: Column | None, obj: str, born: bool) -> None:
        old_default = col.default if col else None
        if col:
            col.default, col.default_volatile = None, False
        self.emit("drop-default", key, obj, f"drop default on {obj}", born=born, old_default=old_default,
                  old_default_at=col.default_at if col and old_default is not None else None,
                  nullable=col.nullable if col else None,
                  klass="incompatible" if old_default is not None or col is None else "neutral")

    def drop_not_null(self, key, col: Column | None, obj: str, born: bool) -> None:
        was = col.nullable if col else None
        if col:
            col.nullable = True
        self.emit("drop-not-null", key, obj, f"drop not null on {obj}", born=born, was_nullable=was)

    def set_not_null(self, t: Table, key, col: Column | None, ck: str, obj: str, born: bool,
                     default: str | None = None) -> None:
        # a validated CHECK (col IS NOT NULL) the server enforces: no row is NULL and every write of NULL is
        # already refused, so NOT NULL refuses nothing new (neutral, like a key that contains an existing
        # unique key); PostgreSQL 12+ also skips the scan. MySQL before 8.0.16 ignores CHECK: no proof there.
        proving = [c for c in t.constraints.values()
                   if c.kind == "check" and ck in c.proves_not_null and c.validated] \
            if check_enforced(self.cat.dialect, self.cat.db_version) else []
        was = col.nullable if col else None
        if col:
            col.nullable = False
        if was is False:
            self.emit("other", key, obj, f"{obj} is already NOT NULL", born=born, klass="neutral")
            return
        self.emit("set-not-null", key, obj, f"set not null on {obj}", born=born, proven_by_check=bool(proving),
                  klass="neutral" if proving else None,
                  check=proving[0].name if proving else None, has_default=bool(col and col.default is not None),
                  column=col.name if col else obj.split(".")[-1],
                  default=default if default is not None else col.default if col else None)

    def type_change(self, t, key, col, obj, born, new, *, using=False, opts=None) -> None:
        old = col.type if col else None
        known = old is not None and old.family != "unknown"
        verdict = compare(old, new, self.cat.dialect) if known else "change"
        if col:
            col.type = new
        klass = {"same": "neutral", "widen": "neutral", "widen-rewrite": "neutral",
                 "reinterpret": "neutral"}.get(verdict, "incompatible")
        extra = {}
        if verdict == "reinterpret":
            # timestamp <-> timestamptz: the result and the rewrite depend on the session TimeZone; what
            # this migration set before this statement ("DEFAULT" after RESET / SET TIME ZONE DEFAULT,
            # None when it set nothing: the rules look at initSql, the url and the callbacks)
            extra = {"timestamp_tz": True, "timezone": self.cat.session.get("timezone")}
        self.emit("change-column-type", key, obj, f"change type of {obj} from {old or '?'} to {new}", born=born,
                  klass=klass, old_type=str(old) if old else None, new_type=str(new), verdict=verdict,
                  binary_coercible=verdict in ("same", "widen"), using=using, options=opts or {},
                  enum_append=bool(known and enum_append(old, new)), column=col.name if col else obj.split(".")[-1],
                  family=new.family, **extra)

    def a_ModifyColumn(self, t: Table, key, m: exp.ModifyColumn, opts) -> None:
        """MySQL MODIFY / CHANGE: the new definition replaces the column's; diff it with the catalog."""
        cd = m.this
        new_col, cons = self.column_from_def(cd)
        new_key = self.cat.col_key(*_name(cd.this))
        rename_from = m.args.get("rename_from")
        old_key = self.cat.col_key(*_name(rename_from)) if rename_from is not None else new_key
        old_name = _name(rename_from)[0] if rename_from is not None else new_col.name
        col = t.columns.get(old_key)
        if col is None:
            if m.args.get("exists") and t.complete and self.certain:
                self.emit("other", key, f"{t.name}.{old_name}", f"modify column if exists {t.name}.{old_name} "
                          "(not there)", born=self.born(t.origin))
                return
            self.has_column(t, old_key, old_name)
        born = col is not None and self.born(col.origin)
        before = len(self.changes)
        if col is not None and old_key != new_key:
            self.rename_column(t, key, old_key, old_name, new_col.name, new_key, emit=False)
            self.emit("rename-column", key, f"{t.name}.{old_name}", f"rename column {t.name}.{old_name} to "
                      f"{new_col.name}", born=born, column=old_name, new_name=new_col.name,
                      nullable=col.nullable, has_default=col.default is not None,
                      type=str(new_col.type) if new_col.type is not None else None,
                      breaks_views=self.renamed_for_views)
        elif col is not None:
            col.name = new_col.name  # MySQL column names are case-insensitive: a case change renames nothing
        obj = f"{t.name}.{new_col.name}"
        if col is None:
            t.columns[new_key] = new_col
            new_col.origin = -1  # it existed before this statement
            self.emit("change-column-type", key, obj, f"redefine {obj} (its previous definition is not known)",
                      born=False, klass="incompatible", old_type=None, new_type=str(new_col.type), verdict="change",
                      binary_coercible=False, options=opts, enum_append=False, column=new_col.name,
                      not_null=not new_col.nullable, has_default=new_col.default is not None)
        else:
            if compare(col.type, new_col.type, self.cat.dialect) != "same":
                self.type_change(t, key, col, obj, born, new_col.type, opts=opts)
            elif col.charset and new_col.charset and col.charset != new_col.charset:
                # converting the stored text: a table copy; a smaller character set may not hold every value
                verdict = "widen-rewrite" if new_col.charset.startswith("utf8mb4") else "narrow"
                old_t, new_t = f"{col.type} CHARACTER SET {col.charset}", f"{new_col.type} CHARACTER SET {new_col.charset}"
                self.emit("change-column-type", key, obj, f"change the character set of {obj} from {col.charset} to "
                          f"{new_col.charset}", born=born, klass="neutral" if verdict == "widen-rewrite" else "incompatible",
                          old_type=old_t, new_type=new_t, verdict=verdict, binary_coercible=False, using=False,
                          options=opts, enum_append=False, column=new_col.name, charset=new_col.charset)
            if new_col.charset or col.charset:
                col.charset = new_col.charset or col.charset
            in_pk = any(c.kind == "primary-key" and new_key in c.columns for c in t.constraints.values())
            if in_pk:
                new_col.nullable = False  # MySQL keeps primary key columns NOT NULL
            if col.nullable and not new_col.nullable:
                self.set_not_null(t, key, col, new_key, obj, born, default=new_col.default)
            elif not col.nullable and new_col.nullable:
                self.drop_not_null(key, col, obj, born)
            if col.default != new_col.default:
                if new_col.default is None:
                    self.drop_default(key, col, obj, born)
                else:
                    self.emit("set-default", key, obj, f"set default on {obj}", born=born, old_default=col.default,
                              default=new_col.default, default_volatile=new_col.default_volatile)
                    col.default, col.default_volatile = new_col.default, new_col.default_volatile
                    col.default_at = new_col.default_at
            if col.identity and not new_col.identity:
                # MODIFY without AUTO_INCREMENT removes it: inserts that leave the column out now fail
                self.emit("drop-default", key, obj, f"drop AUTO_INCREMENT from {obj}", born=born,
                          old_default="AUTO_INCREMENT", nullable=new_col.nullable, identity=True, klass="incompatible")
            elif new_col.identity and not col.identity:
                self.emit("set-default", key, obj, f"make {obj} AUTO_INCREMENT", born=born, old_default=col.default,
                          default="AUTO_INCREMENT", default_volatile=False, identity=True)
            col.identity = new_col.identity
            col.generated = new_col.generated
            col.generated_stored = new_col.generated_stored
        for p in cons:
            c = p.constraint
            if self.add_constraint_to(t, p):
                self.emit(_KIND_OF[c.kind], key, f"{t.name}.{c.name}", f"add {c.kind.replace('-', ' ')} constraint "
                          f"{c.name} on {t.name}", born=born, not_valid=False, constraint=c.name, columns=c.columns,
                          references=c.references, check_not_null=c.check_not_null, options=opts)
        if len(self.changes) == before:
            self.emit("other", key, obj, f"redefine {obj} without changing it", born=born)

    def a_AddConstraint(self, t: Table, key, a: exp.AddConstraint, opts) -> None:
        not_valid = bool(a.args.get("not_valid"))
        if_not_exists = bool(a.args.get("exists"))
        for item in a.expressions:
            index = None
            if isinstance(item, exp.IndexColumnConstraint):
                index = item
            elif isinstance(item, exp.Constraint) and item.expressions and isinstance(
                    item.expressions[0], exp.IndexColumnConstraint):
                index = item.expressions[0]
            if index is not None:
                name, cols, unique = self.index_from(index)
                ok = all(c == "(expression)" or self.has_column(t, c, c) for c in cols)
                shown = name or (cols[0] if cols else t.name)
                if ok:
                    shown, new = self.register_index(t, key, name, cols, unique, if_not_exists=if_not_exists,
                                                     kind=_index_kind(index))
                    if not new:
                        self.emit("other", key, shown, f"add index if not exists {shown} (already there)",
                                  born=self.born(t.origin))
                        continue
                self.emit("create-index", key, shown, f"add index {shown} on {t.name}", born=self.born(t.origin),
                          concurrently=False, unique=unique, columns=cols, options=opts,
                          **self.fulltext_facts(t, _index_kind(index)))
                continue
            found = self.constraint_from(item)
            if found is None:
                self.emit("other", key, t.name, f"add constraint on {t.name}", born=self.born(t.origin))
                continue
            c, explicit = found.constraint, found.name
            if if_not_exists and explicit and self.cat.con_key(explicit, found.quoted) in t.constraints:
                self.emit("other", key, f"{t.name}.{explicit}", f"add constraint if not exists {explicit} "
                          "(already there)", born=self.born(t.origin))
                continue
            c.validated = not not_valid
            nullable = tuple(cn for cn in c.columns if cn in t.columns and t.columns[cn].nullable) \
                if c.kind == "primary-key" else ()
            ref_key = None
            if c.kind == "foreign-key" and found.ref is not None:
                ref_key = self.key(found.ref)
                if ref_key != key:
                    self.table(ref_key)  # a reference to a dropped table is a problem
            self.add_constraint_to(t, found, if_not_exists=if_not_exists)
            detail = dict(not_valid=not_valid, constraint=c.name, columns=c.columns, references=c.references,
                          check_not_null=c.check_not_null, options=opts)
            if c.kind in ("check", "foreign-key") and self.pg() and not not_valid and not self.born(t.origin):
                # the constraint without its name, for the fix that re-adds it NOT VALID (a constraint
                # added NOT VALID, or to a table born in the release, gets no such fix: not printed)
                body = item.expressions[0] if isinstance(item, exp.Constraint) and item.expressions else item
                detail["definition"] = render(body, "postgres") if isinstance(body, exp.Expression) else None
            if c.kind == "exclude":
                detail["exclusion"] = True
            if c.kind == "primary-key":
                detail["sets_not_null"] = nullable
                detail["not_null"] = (not nullable) if t.complete else None  # key columns already NOT NULL
            if c.kind in ("primary-key", "unique") and not nullable and c.columns:
                # a key that contains a unique key the table already had, on NOT NULL columns, cannot
                # find duplicates: the statement cannot fail on the data, and no write starts failing
                was_key, was = self.unique_before
                implied = next((u for u in (was if was_key == key else ())
                                if u and "(expression)" not in u and set(u) <= set(c.columns)), None)
                if implied is not None:
                    detail["implied_by"] = implied
                    detail["klass"] = "neutral"
                    detail["implied_kept"] = any(k is not c and k.kind in ("primary-key", "unique")
                                                 and set(k.columns) == set(implied) for k in t.constraints.values()) \
                        or any(self.cat.indexes[ik].unique and set(self.cat.indexes[ik].columns) == set(implied)
                               for ik in self.cat.indexes_on(key))
            if c.kind == "foreign-key":
                detail["references_table"] = ref_key
                detail["references_columns"] = c.ref_columns
                detail["references_live"] = (ref_key,) if ref_key != key and self.live_table(ref_key) else ()
                fkc = self.cat.session.get("foreign_key_checks")
                if fkc is not None:
                    detail["foreign_key_checks"] = fkc
            what = "exclusion" if c.kind == "exclude" else c.kind.replace("-", " ")
            self.emit(_KIND_OF[c.kind], key, f"{t.name}.{c.name}", f"add {what} constraint "
                      f"{c.name} on {t.name}", born=self.born(t.origin), **detail)

    def a_ValidateConstraint(self, t: Table, key, v: N.ValidateConstraint, opts) -> None:
        name = self.cat.con_key(*_name(v.name))
        c = t.constraints.get(name)
        if c is None and self.constraint_known(t):
            self.problem("missing", name, f"constraint {name} does not exist on table {t.name}")
        was = c.validated if c is not None else None
        if c is not None:
            c.validated = True
        self.emit("validate-constraint", key, f"{t.name}.{name}", f"validate constraint {name} on {t.name}",
                  born=self.born(t.origin), constraint=name, same_file=c is not None and c.origin == self.fi,
                  constraint_kind=c.kind if c else None, was_validated=was)

    def a_AddConstraintUsingIndex(self, t: Table, key, a: N.AddConstraintUsingIndex, opts) -> None:
        index = self.cat.ident(*_name(a.index))
        name = self.cat.con_key(*_name(a.name)) if a.name is not None else index
        kind = "primary-key" if a.kind.upper().startswith("PRIMARY") else "unique"
        ikey = self.cat.index_key(key, index)
        i = self.cat.pop_index(ikey)
        if i is None and self.pg() and ikey in self.cat.gone and self.certain:
            self.problem("missing", index, f"index {index} does not exist at this point")
        cols = i.columns if i else ()
        if name in t.constraints:
            self.problem("exists", f"{t.name}.{name}", f"constraint {name} already exists on table {t.name}")
        nullable = tuple(cn for cn in cols if cn in t.columns and t.columns[cn].nullable) if kind == "primary-key" else ()
        for cn in nullable:
            t.columns[cn].nullable = False
        t.constraints[name] = Constraint(name, kind, cols, origin=self.fi)
        self.emit("add-primary-key" if kind == "primary-key" else "add-unique", key, f"{t.name}.{name}",
                  f"add {kind.replace('-', ' ')} constraint {name} on {t.name} using index {index}",
                  born=self.born(t.origin), using_index=True, constraint=name, columns=cols, index=index,
                  sets_not_null=nullable, not_null=(not nullable) if cols and t.complete else None,
                  klass="incompatible" if nullable else "neutral")

    def a_RenameConstraint(self, t, key, r: N.RenameConstraint, opts) -> None:
        old, new = self.cat.con_key(*_name(r.old)), self.cat.con_key(*_name(r.new))
        c = t.constraints.pop(old, None)
        if c is None and self.constraint_known(t):
            self.problem("missing", old, f"constraint {old} does not exist on table {t.name}")
        if new in t.constraints:
            self.problem("exists", new, f"constraint {new} already exists on table {t.name}")
        if c is not None:
            c.name = new
            t.constraints[new] = c
        self.emit("other", key, f"{t.name}.{old}", f"rename constraint {old} to {new}", born=self.born(t.origin),
                  new_name=new)

    def a_RenameIndex(self, t, key, r, opts) -> None:
        old, new = self.cat.ident(*_name(r.this)), self.cat.ident(*_name(r.args.get("to")))
        i = self.cat.pop_index(self.cat.index_key(key, old))
        if i is not None:
            i.name = new
            self.cat.add_index(self.cat.index_key(key, new), i)
        else:
            c = t.constraints.pop(self.cat.con_key(old), None)
            if c is not None and c.kind == "unique":
                c.name = new
                t.constraints[self.cat.con_key(new)] = c
            elif c is not None:
                t.constraints[self.cat.con_key(old)] = c
            elif self.constraint_known(t):
                self.problem("missing", old, f"index {old} does not exist on table {t.name}")
        gated = {} if self.pg() else {"syntax": "rename-index"}  # MySQL 5.7+, MariaDB 10.5+
        if gated and i is not None:
            gated.update(index_columns=i.columns, index_unique=i.unique, index_type=i.kind)
        elif gated and self.cat.con_key(new) in t.constraints:
            gated.update(index_columns=t.constraints[self.cat.con_key(new)].columns, index_unique=True)
        self.emit("other", key, f"{t.name}.{old}", f"rename index {old} of {t.name} to {new}",
                  born=self.born(t.origin), klass="neutral", new_name=new, **gated)

    def a_PartitionOperation(self, t: Table, key, op: N.PartitionOperation, opts) -> None:
        """MySQL/MariaDB partition maintenance: DROP and TRUNCATE PARTITION delete the rows in them."""
        names = tuple(p.this for p in op.partitions)
        shown = "ALL" if op.all else ", ".join(names)
        if op.operation in ("DROP", "TRUNCATE"):
            self.emit("truncate-table", key, t.name, f"{op.operation.lower()} partition {shown} of {t.name}",
                      born=self.born(t.origin), partitions=names or ("ALL",), partition_op=op.operation.lower(),
                      options=opts)
            return
        if op.operation in ("REMOVE PARTITIONING", "PARTITION BY"):
            t.partitioned = op.operation == "PARTITION BY"
            # every row moves to the new layout: a table copy (ALGORITHM=COPY, LOCK=SHARED)
            how = "with a new partitioning" if t.partitioned else "without partitioning"
            self.emit("rewrite-table", key, t.name, f"rebuild table {t.name} {how}", born=self.born(t.origin),
                      reason="partitioning", partition_op=op.operation.lower(), options=opts)
            return
        if op.operation in ("REORGANIZE", "REBUILD"):
            # the rows of the partitions named are copied into new ones while writes to the whole table wait
            # (MySQL manual; measured on MariaDB 10.11.19): a partial table copy
            what = f"partition{'s' if len(names) > 1 else ''} {shown}" if names else "every partition"
            self.emit("rewrite-table", key, t.name, f"{op.operation} PARTITION {shown or ''} of {t.name}".replace(
                "  ", " "), born=self.born(t.origin), reason="partition-copy", partition_op=op.operation.lower(),
                partitions=names or ("ALL",), copied=what, options=opts)
            return
        self.emit("other", key, t.name, f"{op.operation.lower()} partition {shown} of {t.name}".replace("  ", " "),
                  born=self.born(t.origin), partition_op=op.operation.lower(), options=opts)

    def a_AttachPartition(self, t: Table, key, a: N.AttachPartition, opts) -> None:
        pkey = self.key(a.partition)
        part = self.table(pkey)
        if part is not None:
            if part.partition_of is not None and part.partition_of != key and self.certain:
                self.problem("exists", pkey[1], f"{pkey[1]} is already a partition of {part.partition_of[1]}")
            part.partition_of = key
        # a validated CHECK on the partition key lets PostgreSQL skip the scan (the docs' recipe)
        bounded = part is not None and bool(t.partition_key) and any(
            c.kind == "check" and c.validated and set(c.columns) & set(t.partition_key)
            for c in part.constraints.values())
        self.emit("other", key, pkey[1], f"attach partition {pkey[1]} to {t.name}",
                  born=self.born(t.origin) and (part is None or self.born(part.origin)), partition_op="attach",
                  partition=pkey[1], parent=t.name, partition_born=part is not None and self.born(part.origin),
                  default=a.default, bound=a.bound, has_check=bounded, klass="additive")

    def a_DetachPartition(self, t: Table, key, d: N.DetachPartition, opts) -> None:
        pkey = self.key(d.partition)
        part = self.cat.tables.get(pkey)
        if part is not None:
            if part.partition_of not in (None, key) and self.certain:
                self.problem("missing", pkey[1], f"{pkey[1]} is not a partition of {t.name}")
            part.partition_of = None
        self.emit("other", key, pkey[1], f"detach partition {pkey[1]} from {t.name}", born=self.born(t.origin),
                  partition_op="detach", partition=pkey[1], partition_schema=pkey[0], parent=t.name,
                  concurrently=d.concurrently,
                  finalize=d.finalize, klass="incompatible")

    def a_AddIdentity(self, t: Table, key, a: N.AddIdentity, opts) -> None:
        col, name, ck, obj, born = self.target_column(t, a.column)
        if col is not None:
            if col.identity and self.certain:
                self.problem("exists", obj, f"column {col.name} of table {t.name} is already an identity column")
            elif col.default is not None and self.certain:
                self.problem("exists", obj, f"column {col.name} of table {t.name} already has a default value")
            elif col.nullable and t.complete and self.certain:
                self.problem("missing", obj, f"column {col.name} of table {t.name} must be declared NOT NULL before "
                             "identity can be added")
            col.identity = True
        self.emit("set-default", key, obj, f"make {obj} an identity column", born=born, identity=True,
                  old_default=col.default if col else None, default="GENERATED AS IDENTITY", default_volatile=False,
                  always=a.always, column=col.name if col else name)

    def a_DropIdentity(self, t: Table, key, d: N.DropIdentity, opts) -> None:
        col, name, ck, obj, born = self.target_column(t, d.column)
        if col is not None and not col.identity:
            if not d.if_exists and t.complete and self.certain:
                self.problem("missing", obj, f"column {col.name} of table {t.name} is not an identity column")
            self.emit("other", key, obj, f"drop identity if exists on {obj} (not an identity column)", born=born)
            return
        if col is not None:
            col.identity = False
        self.emit("drop-default", key, obj, f"drop identity from {obj}", born=born, identity=True,
                  old_default="GENERATED AS IDENTITY", nullable=col.nullable if col else None, klass="incompatible",
                  column=col.name if col else name)

    def a_ConvertCharset(self, t, key, c, opts) -> None:
        self.emit("rewrite-table", key, t.name, f"convert {t.name} to character set {c.charset}",
                  born=self.born(t.origin), reason="charset", options=opts)

    def a_AlterSet(self, t, key, s, opts) -> None:
        self.emit("other", key, t.name, f"alter table {t.name} set ...", born=self.born(t.origin))

    # -- statements handled as nodes -------------------------------------------------------------
    def h_RenameTable(self, node: N.RenameTable) -> None:
        for old, new in node.pairs:
            okey = self.key(old)
            schema, name = self.qualified(new)
            nkey = (schema or (self.cat.search_path[0] if self.cat.search_path else self.cat.default_schema), name)
            t = self.table(okey, must_exist=not node.if_exists)
            if t is not None:
                self.rename_table(t, okey, nkey)
            else:
                self.emit("rename-table", okey, okey[1], f"rename table {okey[1]} to {nkey[1]}", new_name=nkey[1],
                          new_schema=nkey[0])

    def h_AlterEnumAddValue(self, node: N.AlterEnumAddValue) -> None:
        key = self.key(node.type, stores=(self.cat.types,))
        ty = self.cat.types.get(key)
        if ty is None and key in self.cat.gone and self.certain:
            self.problem("missing", key[1], f"type {key[1]} does not exist at this point")
        at_end = not node.before and not (node.after and ty is not None and ty.values and node.after != ty.values[-1])
        if ty is not None:
            if node.value in ty.values:
                if node.if_not_exists:
                    self.emit("other", key, f"{key[1]}.{node.value}", f"add value if not exists '{node.value}' "
                              f"to type {key[1]} (already there)", born=self.born(ty.origin))
                    return
                self.problem("exists", f"{key[1]}.{node.value}", f"value '{node.value}' already exists in type {key[1]}")
            else:
                anchor = node.before or node.after
                if anchor is not None and anchor not in ty.values:
                    self.problem("missing", f"{key[1]}.{anchor}", f"type {key[1]} has no value '{anchor}'")
                    ty.values.append(node.value)
                elif node.before:
                    ty.values.insert(ty.values.index(node.before), node.value)
                elif node.after:
                    ty.values.insert(ty.values.index(node.after) + 1, node.value)
                else:
                    ty.values.append(node.value)
        self.emit("add-enum-value", key, f"{key[1]}.{node.value}", f"add value '{node.value}' to type {key[1]}",
                  born=ty is not None and self.born(ty.origin), positioned=bool(node.before or node.after),
                  if_not_exists=node.if_not_exists, enum_append=at_end, value=node.value)

    def h_AlterEnumRenameValue(self, node: N.AlterEnumRenameValue) -> None:
        key = self.key(node.type, stores=(self.cat.types,))
        ty = self.cat.types.get(key)
        if ty is None and key in self.cat.gone and self.certain:
            self.problem("missing", key[1], f"type {key[1]} does not exist at this point")
        if ty is not None:
            if node.old not in ty.values:
                self.problem("missing", f"{key[1]}.{node.old}", f"type {key[1]} has no value '{node.old}'")
            elif node.new in ty.values:
                self.problem("exists", f"{key[1]}.{node.new}", f"value '{node.new}' already exists in type {key[1]}")
            else:
                ty.values[ty.values.index(node.old)] = node.new
        self.emit("rename-enum-value", key, f"{key[1]}.{node.old}", f"rename value '{node.old}' of type {key[1]} "
                  f"to '{node.new}'", born=ty is not None and self.born(ty.origin), new_name=node.new)

    def h_SetSchema(self, node: N.SetSchema) -> None:
        kind = node.kind.upper()
        store = {"TABLE": self.cat.tables, "VIEW": self.cat.views, "MATERIALIZED VIEW": self.cat.views,
                 "SEQUENCE": self.cat.sequences, "TYPE": self.cat.types}.get(kind)
        key = self.key(node.name, stores=(store,) if store is not None else None)
        schema = self.cat.ident(*_name(node.schema))
        new_key = (schema, key[1])
        born = False
        obj = None
        if kind == "TABLE":
            obj = self.table(key, must_exist=not node.if_exists)
        elif store is not None:
            obj = store.get(key)
            if obj is None and key in self.cat.gone and self.certain and not node.if_exists:
                self.problem("missing", key[1], f"{kind.lower()} {key[1]} does not exist at this point")
        if obj is not None and store is not None and new_key != key:
            if self.known_relation(new_key):
                self.problem("exists", key[1], f"{key[1]} already exists in schema {schema}")
            store.pop(key, None)
            if kind == "TABLE" and new_key in store:
                self.cat.drop_indexes_of(new_key)
            born = self.born(obj.origin)
            obj.schema = schema
            store[new_key] = obj
            self.mark_gone(key)
            self.cat.gone.discard(new_key)
            if kind == "TABLE":
                self.cat.move_indexes(key, new_key)
        self.emit("set-schema", key, key[1], f"move {kind.lower()} {key[1]} to schema {schema}", born=born,
                  new_schema=schema, target=kind)

    def h_Reindex(self, node: N.Reindex) -> None:
        key = self.key(node.name) if node.name is not None else None
        table = None
        if key is not None and node.kind.upper() == "INDEX":
            i = self.cat.indexes.get(key)
            table = i.table if i is not None else None
        elif key is not None and node.kind.upper() == "TABLE":
            table = key
        t = self.cat.tables.get(table) if table else None
        self.emit("reindex", table or key, key[1] if key else node.kind.lower(), f"reindex {node.kind.lower()}",
                  born=bool(t and self.born(t.origin)), concurrently=node.concurrently, target=node.kind.upper())

    def h_Vacuum(self, node: N.Vacuum) -> None:
        if node.full:
            for tbl in node.tables or ():
                key = self.key(tbl)
                t = self.cat.tables.get(key)
                self.emit("rewrite-table", key, key[1], f"VACUUM FULL {key[1]}", born=bool(t and self.born(t.origin)),
                          reason="vacuum-full", full=True)
            if not node.tables:
                self.emit("rewrite-table", None, "all tables", "VACUUM FULL of every table", reason="vacuum-full",
                          full=True)
        else:
            self.emit("other", None, None, "vacuum")

    def h_Cluster(self, node: N.Cluster) -> None:
        key = self.key(node.table) if node.table is not None else None
        t = self.cat.tables.get(key) if key else None
        self.emit("rewrite-table", key, key[1] if key else "clustered tables", "CLUSTER", reason="cluster",
                  born=bool(t and self.born(t.origin)))

    def h_OptimizeTable(self, node: N.OptimizeTable) -> None:
        for tbl in node.tables:
            key = self.key(tbl)
            t = self.cat.tables.get(key)
            self.emit("rewrite-table", key, key[1], f"OPTIMIZE TABLE {key[1]}", reason="optimize",
                      born=bool(t and self.born(t.origin)))

    def h_LockTable(self, node: N.LockTable) -> None:
        for tbl in node.tables:
            key = self.key(tbl)
            t = self.cat.tables.get(key)
            self.emit("lock-table", key, key[1], f"lock table {key[1]} in {node.mode} mode",
                      born=bool(t and self.born(t.origin)), mode=node.mode)

    def h_LockTables(self, node: N.LockTables) -> None:
        for lk in node.locks:
            key = self.key(lk.table)
            t = self.cat.tables.get(key)
            self.emit("lock-table", key, key[1], f"lock table {key[1]} {lk.mode}", mode=lk.mode,
                      born=bool(t and self.born(t.origin)))

    def h_CreateMaterializedView(self, node: N.CreateMaterializedView) -> None:
        key = self.key(node.name, create=True)
        if key in self.cat.views or key in self.cat.tables and self.cat.tables[key].origin != -1:
            if node.if_not_exists:
                self.emit("other", key, key[1], f"create materialized view if not exists {key[1]} (already there)")
                return
            self.problem("exists", key[1], f"{key[1]} already exists")
        cols = tuple(self.cat.col_key(*_name(c)) for c in node.columns) or self.view_columns(node.query)
        tables, refs = self.view_deps(node.query)
        self.cat.views[key] = View(key[0], key[1], cols, self.fi, materialized=True, tables=tables, column_refs=refs,
                                   populated=node.with_data)
        self.cat.gone.discard(key)
        self.emit("create-view", key, key[1], f"create materialized view {key[1]}", born=True, materialized=True)

    def h_RefreshMaterializedView(self, node: N.RefreshMaterializedView) -> None:
        """REFRESH MATERIALIZED VIEW: without CONCURRENTLY the view is rebuilt into new files under ACCESS
        EXCLUSIVE (reads of it wait); CONCURRENTLY takes EXCLUSIVE and updates it in place (reads go on)."""
        key = self.key(node.name)
        v = self.cat.views.get(key)
        not_mv = ("table" if v is None and key in self.cat.tables and self.cat.tables[key].origin != -1
                  else "view" if v is not None and not v.materialized else None)
        if not_mv is not None:  # the statement fails: it refreshes and locks nothing
            self.problem("missing", key[1], f"{key[1]} is a {not_mv}, not a materialized view")
            self.emit("other", key, key[1], f"REFRESH MATERIALIZED VIEW {key[1]} (not a materialized view)")
            return
        if v is None and key in self.cat.gone and self.certain:
            self.problem("missing", key[1], f"materialized view {key[1]} does not exist at this point (it was dropped "
                         "or renamed earlier)")
            self.emit("other", key, key[1], f"REFRESH MATERIALIZED VIEW {key[1]} (no such view)")
            return
        known = v is not None and v.materialized and v.origin != -1 and self.certain
        facts = dict(reason="refresh", concurrently=node.concurrently, with_data=node.with_data, materialized=True,
                     was_populated=v.populated if known else None,
                     unique_index=v.unique_index if known else None)
        if v is not None and node.with_data is not None:
            v.populated = node.with_data
        form = " concurrently" if node.concurrently else (" with no data" if not node.with_data else "")
        self.emit("rewrite-table", key, key[1], f"REFRESH MATERIALIZED VIEW {key[1]}{form}",
                  born=bool(v is not None and self.born(v.origin)), **facts)

    # -- domains (PostgreSQL) ---------------------------------------------------------------------
    def find_domain(self, family: str) -> tuple[str, str] | None:
        """The domain a column type names, if the history created one by that name."""
        name = family.rsplit(".", 1)[-1]
        schema = family.rsplit(".", 1)[0] if "." in family else None
        for s in ((schema,) if schema else (*(self.cat.search_path or ()), self.cat.default_schema)):
            if (s, name) in self.cat.domains:
                return (s, name)
        return None

    def domain_columns(self, key) -> list[tuple[Table, Column]]:
        return [(t, c) for t in self.cat.tables.values() for c in t.columns.values() if c.domain == key]

    def h_CreateDomain(self, node: N.CreateDomain) -> None:
        key = self.key(node.name, create=True)
        if key in self.cat.domains or key in self.cat.types:
            self.problem("exists", key[1], f"type {key[1]} already exists")
        base = type_info(node.type, self.cat.dialect)
        d = Domain(key[0], key[1], base, node.not_null, node.default, origin=self.fi)
        for i, (cname, _) in enumerate(node.checks):
            d.checks[self.cat.con_key(cname) if cname else (f"{key[1]}_check{i or ''}")] = True
        self.cat.domains[key] = d
        self.cat.gone.discard(key)
        self.emit("create-type", key, key[1], f"create domain {key[1]}", born=True, domain=True,
                  base_type=str(base), not_null=node.not_null, checks=tuple(t for _, t in node.checks))

    def drop_domain(self, key, if_exists: bool, cascade: bool) -> None:
        d = self.cat.domains.get(key)
        if d is None and key in self.cat.gone and self.certain and not if_exists:
            self.problem("missing", key[1], f"type {key[1]} does not exist at this point")
        users = self.domain_columns(key) if d is not None else []
        if users and not cascade and self.certain:
            names = ", ".join(f"{t.name}.{c.name}" for t, c in users)
            self.problem("depends", key[1], f"cannot drop domain {key[1]} because column{'s' if len(users) > 1 else ''} "
                         f"{names} use{'' if len(users) > 1 else 's'} it (drop or change them first, or add CASCADE)")
            self.emit("drop-type", key, key[1], f"drop domain {key[1]} (refused: columns use it)",
                      born=self.born(d.origin), cascade=cascade, domain=True)
            return
        if d is not None:
            del self.cat.domains[key]
            self.mark_gone(key)
        self.emit("drop-type", key, key[1], f"drop domain {key[1]}", born=d is not None and self.born(d.origin),
                  cascade=cascade, domain=True)
        for t, c in users:  # CASCADE drops the columns of the domain's type
            self.drop_column(t, (t.schema, t.name), c.name, True, False, {}, True)

    def h_AlterDomain(self, node: N.AlterDomain) -> None:
        key = self.key(node.name, stores=(self.cat.domains,))
        d = self.cat.domains.get(key)
        if d is None and key in self.cat.gone and self.certain:
            self.problem("missing", key[1], f"type {key[1]} does not exist at this point")
        users = self.domain_columns(key) if d is not None else []
        live = [f"{t.name}.{c.name}" for t, c in users if not self.born(c.origin)]
        born = d is not None and self.born(d.origin)
        cname = self.cat.con_key(node.constraint) if node.constraint else None
        common = dict(domain=True, columns_using=tuple(f"{t.name}.{c.name}" for t, c in users),
                      live_columns=tuple(live))
        a = node.action
        if a in ("add-check", "add-not-null", "set-not-null"):
            if d is not None:
                if a == "add-check":
                    name = cname or f"{key[1]}_check"
                    if name in d.checks:
                        self.problem("exists", f"{key[1]}.{name}", f"constraint {name} for domain {key[1]} already exists")
                    d.checks[name] = not node.not_valid
                else:
                    d.not_null = True
            kind = "add-check" if a == "add-check" else "set-not-null"
            what = "add check constraint" if a == "add-check" else "set not null on"
            self.emit(kind, None, key[1], f"{what} domain {key[1]}", born=born, not_valid=node.not_valid,
                      constraint=cname, **common)
        elif a == "validate-constraint":
            if d is not None and cname is not None:
                if cname not in d.checks and self.certain:
                    self.problem("missing", cname, f"constraint {cname} of domain {key[1]} does not exist")
                d.checks[cname] = True
            self.emit("validate-constraint", None, key[1], f"validate constraint {cname} of domain {key[1]}",
                      born=born, constraint=cname, **common)
        elif a == "drop-constraint":
            if d is not None and cname is not None:
                if d.checks.pop(cname, None) is None and not node.if_exists and self.certain:
                    self.problem("missing", cname, f"constraint {cname} of domain {key[1]} does not exist")
            self.emit("drop-constraint", None, key[1], f"drop constraint {cname} of domain {key[1]}", born=born,
                      constraint=cname, constraint_kind="check", **common)
        elif a == "drop-not-null":
            if d is not None:
                d.not_null = False
            self.emit("drop-not-null", None, key[1], f"drop not null on domain {key[1]}", born=born, **common)
        elif a == "set-default":
            old = d.default if d else None
            if d is not None:
                d.default = node.value
            self.emit("set-default", None, key[1], f"set default on domain {key[1]}", born=born, old_default=old,
                      default=node.value, **common)
        elif a == "drop-default":
            old = d.default if d else None
            if d is not None:
                d.default = None
            self.emit("drop-default", None, key[1], f"drop default on domain {key[1]}", born=born, old_default=old,
                      klass="incompatible" if old is not None else "neutral", **common)
        elif a == "rename-constraint":
            if d is not None and cname in d.checks:
                d.checks[self.cat.con_key(node.new_name)] = d.checks.pop(cname)
            self.emit("other", None, key[1], f"rename constraint {cname} of domain {key[1]}", born=born, **common)
        else:
            self.emit("other", None, key[1], f"alter domain {key[1]}", born=born, **common)

    def h_CreateFunction(self, node: N.CreateFunction) -> None:
        key = self.key(node.name, create=True)
        self.cat.functions.setdefault(key, self.fi)
        if self.pg() and (node.returns or "").strip().lower() in ("trigger", "event_trigger"):
            self.cat.trigger_functions.add(key)
        else:
            self.cat.trigger_functions.discard(key)
        self.emit("other", None, key[1], f"create {node.kind.lower()} {key[1]}", klass="neutral",
                  opaque_body=True)

    def h_CreateTrigger(self, node: N.CreateTrigger) -> None:
        """A trigger locks its table while it is created: SHARE ROW EXCLUSIVE on PostgreSQL (measured on
        PostgreSQL 15.20 here; docs: Explicit Locking), an exclusive metadata lock on MySQL/MariaDB."""
        key = self.key(node.table)
        view = self.cat.views.get(key)
        t = None if view is not None else self.table(key, must_exist=False)
        origin = view.origin if view is not None else (t.origin if t is not None else self.fi)
        name = _name(node.name.this)[0] if isinstance(node.name, exp.Table) else str(node.name)
        if not self.pg():  # PostgreSQL's DROP TRIGGER names the table
            schema = self.qualified(node.name)[0] if isinstance(node.name, exp.Table) else None
            self.cat.triggers[(schema or key[0], name)] = (key, self.fi)
        self.emit("other", key, name, f"create trigger {name} on {key[1]}", born=self.born(origin), klass="neutral",
                  trigger=True, on_view=view is not None, operation="create-trigger")

    def drop_trigger(self, node: exp.Drop, tbl) -> None:
        """DROP TRIGGER locks the trigger's table: ACCESS EXCLUSIVE on PostgreSQL (measured on PostgreSQL
        15.20 here: DROP TRIGGER ... ON users held AccessExclusiveLock on users), an exclusive metadata lock
        on MySQL/MariaDB (measured on MariaDB 10.11.19: it waited for a transaction that had read the table)."""
        name = _name(tbl.this)[0] if isinstance(tbl, exp.Table) else str(tbl)
        on = node.args.get("cluster")
        key = None
        if self.pg():
            if isinstance(on, exp.OnProperty) and isinstance(on.this, exp.Table):
                key = self.key(on.this)
        else:
            schema = self.qualified(tbl)[0] or (self.cat.search_path[0] if self.cat.search_path else
                                                 self.cat.default_schema)
            found = self.cat.triggers.pop((schema, name), None)
            if found is not None and found[0] in self.cat.tables:
                key = found[0]
        if key is None:  # a MySQL trigger the history did not create: its table is unknown
            self.emit("other", None, name, f"drop trigger {name}", klass="neutral", trigger=True,
                      operation="drop-trigger")
            return
        view = self.cat.views.get(key)
        t = None if view is not None else self.cat.tables.get(key)
        origin = view.origin if view is not None else (t.origin if t is not None else -1)
        self.emit("other", key, name, f"drop trigger {name} on {key[1]}", born=self.born(origin), klass="neutral",
                  trigger=True, on_view=view is not None, operation="drop-trigger")

    def h_AlterEvent(self, node: N.AlterEvent) -> None:
        """MySQL/MariaDB ALTER EVENT: no table lock, an implicit commit like any DDL."""
        name = _name(node.name.this)[0] if isinstance(node.name, exp.Table) else str(node.name)
        self.emit("other", None, name, f"alter event {name}", klass="neutral", event=True,
                  opaque_body=node.body is not None, operation="alter-event")

    def h_CreateEvent(self, node: N.CreateEvent) -> None:
        """MySQL/MariaDB CREATE EVENT: no table lock (measured on MariaDB 10.11.19: it did not wait for a
        transaction that had read the table its body deletes from), but an implicit commit like any DDL."""
        name = _name(node.name.this)[0] if isinstance(node.name, exp.Table) else str(node.name)
        self.emit("other", None, name, f"create event {name}", born=True, klass="neutral", event=True,
                  opaque_body=True, operation="create-event")

    def h_DoBlock(self, node: N.DoBlock) -> None:
        # The body runs SQL flylint does not read: it may change the schema.
        self.emit("unanalysed", None, None, "DO block: its body is not analysed",
                  transaction_control=node.transaction_control)
        self.uncertain()

    def h_Select(self, node: exp.Expression) -> None:
        if self.pg() and isinstance(node, exp.Select) and self.set_config(node):
            return
        # Calling a function or procedure the history created runs a body flylint does not read.
        for n in node.walk():
            if isinstance(n, exp.Anonymous):
                name = str(n.this)
                key = (self.cat.search_path[0] if self.cat.search_path else self.cat.default_schema,
                       self.cat.ident(name))
                if key in self.cat.functions:
                    self.emit("unanalysed", None, key[1], f"calls {key[1]}(), whose body is not analysed")
                    self.uncertain()
                    return
        self.emit("other", None, None, "select")

    h_Union = h_Select

    # -- DML and session ------------------------------------------------------------------------
    def dml_target(self, target) -> tuple[tuple[str, str] | None, Table | None]:
        if isinstance(target, exp.Schema):
            target = target.this
        if not isinstance(target, exp.Table):
            return None, None
        key = self.key(target)
        return key, self.table(key)

    def h_Update(self, node: exp.Update) -> None:
        key, t = self.dml_target(node.this)
        sets = []
        copies = []
        for e in node.expressions:
            if isinstance(e, exp.EQ):
                left = e.this
                src = e.expression
                ck = self.cat.col_key(*_name(left.this if isinstance(left, exp.Column) else left))
                if t is not None and isinstance(left, exp.Column) and not left.table:
                    self.has_column(t, ck, left.name)
                sets.append((ck, self.cat.col_key(*_name(src.this)) if isinstance(src, exp.Column) else None))
                if t is not None and node.args.get("from_") is None and node.args.get("from") is None and not node.args.get("joins"):
                    move = self.record_move(t, ck, src)
                    if move is not None:
                        copies.append((move.new_name, move.old_name))
        where = node.args.get("where")
        # a WHERE that only skips the rows already done matches every row while the column is still
        # NULL everywhere (added by ALTER TABLE, never set since)
        skip = ()
        if t is not None and any((c := t.columns.get(ck)) is not None and c.unfilled for ck, _ in sets):
            skip = _skips_done_rows(where, node.expressions, self.cat.col_key)
            if not all((c := t.columns.get(ck)) is not None and c.unfilled for _, _, ck in skip):
                skip = ()
        skip = tuple((name, how) for name, how, _ in skip)
        for ck, _ in sets:
            if t is not None and ck in t.columns:
                t.columns[ck].unfilled = False
        self.emit("backfill", key, key[1] if key else None, f"update {key[1] if key else 'rows'}",
                  born=bool(t and self.born(t.origin)), statement="update", where=_filters(where),
                  skip_done=skip,
                  limit=node.args.get("limit") is not None, sets=tuple(sets), copies=tuple(copies),
                  set_names=tuple(t.columns[ck].name if t is not None and ck in t.columns else ck for ck, _ in sets),
                  key_columns=_primary_key_names(t))

    def record_move(self, t: Table, target: str, src) -> "ColumnMove | None":
        """`UPDATE t SET new = old` (or a simple expression of `old` alone) where `new` was added
        after `old`: the first sign of a rename by expand/contract. Recorded on the table."""
        if not isinstance(src, exp.Expression) or any(isinstance(n, (exp.Select, exp.Subquery)) for n in src.walk()):
            return None
        sources = set()
        for n in src.walk():
            if isinstance(n, exp.Column):
                if n.table and self.cat.ident(*_name(n.args.get("table"))) != t.name:
                    return None
                sources.add(self.cat.col_key(*_name(n.this)))
        if len(sources) != 1:
            return None
        (old,) = sources
        new_col, old_col = t.columns.get(target), t.columns.get(old)
        if new_col is None or old_col is None or old == target or new_col.origin <= old_col.origin:
            return None
        moves = _moves(t)
        if target not in moves:
            moves[target] = ColumnMove(target, old, new_col.name, old_col.name, new_col.origin, self.fi)
        return moves[target]

    def h_Insert(self, node: exp.Insert) -> None:
        target = node.this
        key, t = self.dml_target(target)
        if t is not None and isinstance(target, exp.Schema):
            for e in target.expressions:
                self.has_column(t, self.cat.col_key(*_name(e)), _name(e)[0])
        self.emit("backfill", key, key[1] if key else None, f"insert into {key[1] if key else 'a table'}",
                  born=bool(t and self.born(t.origin)), statement="insert", where=True)

    def h_Transaction(self, node: exp.Expression) -> None:
        self.emit("other", None, None, "begin a transaction", transaction="begin")

    def h_Commit(self, node: exp.Expression) -> None:
        self.emit("other", None, None, "commit the transaction", transaction="commit")

    def h_Rollback(self, node: exp.Expression) -> None:
        self.emit("other", None, None, "roll back the transaction", transaction="rollback")

    def h_Copy(self, node: exp.Expression) -> None:
        """COPY ... FROM loads rows (a backfill); COPY ... TO only reads."""
        if not node.args.get("kind"):  # COPY TO
            self.emit("other", None, None, "copy rows out", klass="neutral")
            return
        target = node.this
        if isinstance(target, exp.Schema):
            target = target.this
        key, t = self.dml_target(target) if isinstance(target, exp.Table) else (None, None)
        self.emit("backfill", key, key[1] if key else None, f"copy rows into {key[1] if key else 'a table'}",
                  born=bool(t and self.born(t.origin)), statement="copy", where=True)

    def h_Delete(self, node: exp.Delete) -> None:
        key, t = self.dml_target(node.this)
        where = _filters(node.args.get("where")) or node.args.get("limit") is not None
        kind = "backfill" if where else "delete-all"
        self.emit(kind, key, key[1] if key else None, f"delete from {key[1] if key else 'a table'}",
                  born=bool(t and self.born(t.origin)), statement="delete", where=where)

    def h_Set(self, node: exp.Set) -> None:
        names = []
        for item in node.expressions:
            inner = item.this if isinstance(item, exp.SetItem) else item
            if isinstance(inner, exp.EQ):
                left = inner.this
                name = (left.this.name if isinstance(left, exp.SessionParameter) else left.name).lower()
                value = inner.expression
                scope = str((item.args.get("kind") if isinstance(item, exp.SetItem) else None) or (
                    left.args.get("kind") if isinstance(left, exp.SessionParameter) else None) or "").upper()
                if scope in ("GLOBAL", "PERSIST", "PERSIST_ONLY"):
                    names.append((f"global.{name}", value.sql() if value is not None else ""))
                    continue  # MySQL: for new connections only, not this one
                names.append((name, value.sql() if value is not None else ""))
                self.session_setting(name, value)
            elif isinstance(item, exp.SetItem) and item.args.get("kind"):
                names.append((str(item.args["kind"]).lower(), inner.sql() if inner is not None else ""))
        self.emit("session-setting", None, ", ".join(n for n, _ in names) or "setting", "set session setting",
                  settings=tuple(names), local=any(getattr(i, "args", {}).get("kind") == "LOCAL" for i in node.expressions))

    def set_config(self, node: exp.Select) -> bool:
        """`SELECT [pg_catalog.]set_config('lock_timeout', '5s', false)`: a session setting like SET (GitLab's
        structure.sql style). Literal arguments only; search_path is left out (its value is a list in a string)."""
        settings = []
        for e in node.expressions:
            call = e.expression if isinstance(e, exp.Dot) and e.this.name.lower() == "pg_catalog" else e
            if not (isinstance(call, exp.Anonymous) and str(call.this).lower() == "set_config"):
                return False
            args = call.expressions
            if len(args) != 3 or not all(isinstance(a, exp.Literal) and a.is_string for a in args[:2]):
                return False
            name = args[0].name.lower()
            if name == "search_path":
                return False
            settings.append((name, args[1].sql(), isinstance(args[2], exp.Boolean) and args[2].this is True))
            if name == "timezone":
                self.cat.session["timezone"] = args[1].name
        if not settings or any(node.args.get(k) for k in ("from", "from_", "where", "group", "having")):
            return False
        self.emit("session-setting", None, ", ".join(n for n, _, _ in settings), "set session setting",
                  settings=tuple((n, v) for n, v, _ in settings), local=any(loc for _, _, loc in settings))
        return True

    def session_setting(self, name: str, value) -> None:
        if name == "search_path" and self.pg():
            parts = value.expressions if isinstance(value, exp.Tuple) else [value]
            path = []
            for p in parts:
                text = p.name if isinstance(p, (exp.Identifier, exp.Var, exp.Column, exp.Literal)) else None
                quoted = isinstance(p, exp.Identifier) and bool(p.args.get("quoted")) or (
                    isinstance(p, exp.Literal) and p.is_string)
                if text is None or text.upper() == "DEFAULT" and not quoted:
                    path = []
                    break
                if text.startswith("$") or text in ("pg_catalog", "pg_temp"):
                    continue
                path.append(self.cat.ident(text, quoted))
            self.cat.search_path = tuple(path) or None
        elif name == "foreign_key_checks":
            text = value.name if isinstance(value, (exp.Literal, exp.Var, exp.Identifier, exp.Column)) else ""
            self.cat.session["foreign_key_checks"] = str(text).upper() not in ("0", "OFF", "FALSE")
        elif name == "timezone" and self.pg():
            self.cat.session["timezone"] = _timezone_value(value)

    def h_Reset(self, node: N.Reset) -> None:
        if node.name in (None, "search_path"):
            self.cat.search_path = None
        if node.name in (None, "timezone") and self.pg():
            self.cat.session["timezone"] = "DEFAULT"
        self.emit("session-setting", None, node.name or "all", "reset session setting",
                  settings=((node.name or "all", None),), reset=True)

    def h_Use(self, node: exp.Use) -> None:
        _, name = self.qualified(node.this) if node.this is not None else (None, "")
        if name:
            self.cat.search_path = (name,)
        self.emit("session-setting", None, name or "database", f"use {name}", settings=(("database", name),))

    def h_Command(self, node) -> None:  # defensive: parser guarantees no Command, but never pass one
        self.emit("unanalysed", None, None, "opaque command")
        self.uncertain()


def _index_kind(item) -> str | None:
    """FULLTEXT / SPATIAL of a MySQL inline index (`FULLTEXT KEY ft (body)`), else None."""
    kind = item.args.get("kind") if isinstance(item, exp.Expression) else None
    return str(kind).upper() if kind else None


def _primary_key_names(t) -> tuple[str, ...]:
    """The primary key's column names as written (empty when unknown)."""
    for c in (t.constraints.values() if t is not None else ()):
        if c.kind == "primary-key":
            return tuple(t.columns[ck].name if ck in t.columns else ck for ck in c.columns)
    return ()


def _moves(t: Table) -> dict:
    """The table's renames in progress (a table from an older cached snapshot has none)."""
    moves = t.__dict__.get("moves")
    if moves is None:
        moves = t.moves = {}
    return moves


def _options(options) -> dict:
    out = {}
    for o in options or []:
        if isinstance(o, exp.AlgorithmProperty):
            out["algorithm"] = o.name.upper()
        elif isinstance(o, exp.LockProperty):
            out["lock"] = o.name.upper()
    return out
