"""Replay a migration history into the catalog, turning each statement into typed changes.

Each handler reads one kind of parsed statement, records the changes it makes (with the state
before them: was the object born in this release? was the column nullable?) and applies them to
the catalog, as Django's operations do with `state_forwards`. Handlers never raise on odd input:
what they cannot follow becomes an `unanalysed` or `other` change and marks the catalog uncertain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlglot import exp

from flylint.catalog.changes import DEFAULT_CLASS, Change
from flylint.catalog.model import Catalog, Column, Constraint, EnumType, Index, Sequence as Seq, Table, View
from flylint.catalog.types import compare, type_info
from flylint.model import FileAnalysis
from flylint.sql import nodes as N

_VOLATILE_FUNCS = {
    "random", "rand", "clock_timestamp", "timeofday", "uuid_generate_v1", "uuid_generate_v4",
    "gen_random_uuid", "uuid", "nextval", "txid_current", "statement_timestamp", "uuid_short",
    "sysdate",
}


@dataclass(frozen=True)
class SchemaProblem:
    """A statement that will fail: it refers to something missing, or creates something that exists."""

    file: int
    statement: int
    kind: str  # "missing" or "exists"
    object: str
    message: str


@dataclass
class Replay:
    catalog: Catalog
    changes: list[list[list[Change]]] = field(default_factory=list)  # [file][statement] -> changes
    problems: list[SchemaProblem] = field(default_factory=list)


def replay(files: Sequence[FileAnalysis], dialect: str, default_schema: str, resume: Replay | None = None) -> Replay:
    """Replay `files` in order; with `resume` (an earlier replay of a prefix of them), only the rest."""
    if resume is not None:
        out = resume
        cat = out.catalog
    else:
        cat = Catalog(dialect, default_schema)
        out = Replay(cat)
    for fi in range(len(out.changes), len(files)):
        fa = files[fi]
        per_file: list[list[Change]] = []
        if fa.migration.kind == "U":  # undo migrations do not run forward
            out.changes.append([[] for _ in fa.statements])
            continue
        for si, st in enumerate(fa.statements):
            r = _Replayer(cat, out, fi, si, fa.migration.display)
            try:
                r.statement(st)
            except Exception as e:  # a handler bug must not hide the statement: say so
                r.emit("unanalysed", None, None, f"could not replay: {type(e).__name__}: {e}")
                cat.uncertain_since = cat.uncertain_since or f"{fa.migration.display}"
            per_file.append(r.changes)
        out.changes.append(per_file)
    return out


def _volatile(expr: exp.Expression | None) -> bool:
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
    if isinstance(ident, exp.Column):
        return _name(ident.this)
    if isinstance(ident, exp.Expression):
        return ident.name, False
    return str(ident), False


class _Replayer:
    def __init__(self, cat: Catalog, out: Replay, fi: int, si: int, path: str) -> None:
        self.cat, self.out, self.fi, self.si, self.path = cat, out, fi, si, path
        self.changes: list[Change] = []

    # -- helpers ------------------------------------------------------------------------------
    def emit(self, kind, table, obj, description, *, born=False, klass=None, **detail) -> None:
        self.changes.append(
            Change(
                kind=kind,
                klass=klass or DEFAULT_CLASS[kind],
                object=obj or "",
                table=table,
                born=born,
                description=description,
                file=self.fi,
                statement=self.si,
                detail=detail,
            )
        )

    def problem(self, kind: str, obj: str, message: str) -> None:
        if kind == "missing" and self.cat.uncertain_since is not None:
            return  # something flylint could not follow may have created it
        self.out.problems.append(SchemaProblem(self.fi, self.si, kind, obj, message))

    def key(self, table: exp.Expression) -> tuple[str, str]:
        if isinstance(table, exp.Schema):
            table = table.this
        name, quoted = _name(table.this) if isinstance(table, exp.Table) else _name(table)
        schema = None
        if isinstance(table, exp.Table) and table.args.get("db") is not None:
            s, sq = _name(table.args["db"])
            schema = self.cat.ident(s, sq)
        return self.cat.qualify(schema, self.cat.ident(name, quoted))

    def born(self, origin: int) -> bool:
        return origin == self.fi

    def table(self, key, *, must_exist=True, create_external=True) -> Table | None:
        """The table, or an external placeholder for one this history never created."""
        t = self.cat.tables.get(key)
        if t is not None:
            return t
        if key in self.cat.gone:
            if must_exist:
                self.problem("missing", key[1], f"table {key[1]} does not exist at this point (it was dropped or renamed earlier)")
            return None
        if create_external and not self.cat.relation_exists(key):
            # Created before the history starts (a baselined database) or by something flylint
            # could not analyse: live, with unknown columns.
            t = Table(key[0], key[1], origin=-1, complete=False)
            self.cat.tables[key] = t
            return t
        return None

    def column_key(self, ident) -> tuple[str, str]:
        name, quoted = _name(ident)
        return self.cat.col_key(name, quoted), name

    # -- dispatch -----------------------------------------------------------------------------
    def statement(self, st) -> None:
        parsed = st.parsed
        if st.split_error is not None or parsed is None or parsed.unanalysed is not None:
            reason = st.split_error or (parsed.unanalysed if parsed is not None else "not parsed")
            self.emit("unanalysed", None, None, f"statement not analysed: {reason}")
            self.cat.uncertain_since = self.cat.uncertain_since or self.path
            return
        tree = parsed.tree
        handler = getattr(self, "h_" + type(tree).__name__, None)
        if handler is None:
            self.emit("other", None, None, parsed.kind or type(tree).__name__)
            return
        handler(tree)

    # -- CREATE -------------------------------------------------------------------------------
    def h_Create(self, node: exp.Create) -> None:
        kind = (node.args.get("kind") or "").upper()
        if kind == "TABLE":
            self.create_table(node)
        elif kind == "INDEX":
            self.create_index(node)
        elif kind == "VIEW":
            self.create_view(node)
        elif kind == "SCHEMA":
            name, q = _name(node.this.this if isinstance(node.this, exp.Table) else node.this)
            self.cat.schemas.setdefault(self.cat.ident(name, q), self.fi)
            self.emit("other", None, name, f"create schema {name}", born=True, klass="additive")
        elif kind == "TYPE":
            self.create_type(node)
        elif kind == "SEQUENCE":
            key = self.key(node.this)
            if key in self.cat.sequences and not node.args.get("exists"):
                self.problem("exists", key[1], f"sequence {key[1]} already exists")
            self.cat.sequences[key] = Seq(key[0], key[1], self.fi)
            self.cat.gone.discard(key)
            self.emit("create-sequence", key, key[1], f"create sequence {key[1]}", born=True)
        else:
            self.emit("other", None, None, f"create {kind.lower() or 'object'}")

    def create_table(self, node: exp.Create) -> None:
        schema = node.this
        key = self.key(schema)
        exists = bool(node.args.get("exists"))
        if key in self.cat.tables and self.cat.tables[key].origin != -1 or (
            key in self.cat.tables and self.cat.tables[key].complete
        ):
            if not exists and not node.args.get("replace"):
                self.problem("exists", key[1], f"table {key[1]} already exists")
            if exists:
                self.emit("other", key, key[1], f"create table {key[1]} if not exists (already there)")
                return
        t = Table(key[0], key[1], origin=self.fi)
        if not isinstance(schema, exp.Schema) or node.args.get("expression") is not None:
            t.complete = False  # CREATE TABLE ... AS SELECT / LIKE: columns not followed
        else:
            for item in schema.expressions:
                if isinstance(item, exp.ColumnDef):
                    col, cons = self.column_from_def(item)
                    t.columns[self.cat.col_key(*_name(item.this))] = col
                    for c in cons:
                        t.constraints[c.name] = c
                elif isinstance(item, (exp.Constraint, exp.PrimaryKey, exp.ForeignKey, exp.UniqueColumnConstraint,
                                       exp.CheckColumnConstraint, exp.IndexColumnConstraint)):
                    c = self.constraint_from(item, t)
                    if c is not None:
                        t.constraints[c.name] = c
                elif isinstance(item, exp.LikeProperty):
                    t.complete = False
        props = node.args.get("properties")
        if props is not None and any(isinstance(p, exp.LikeProperty) for p in props.expressions):
            t.complete = False
        for c in t.constraints.values():
            if c.kind in ("primary-key",):
                for cn in c.columns:
                    col = t.columns.get(cn)
                    if col is not None:
                        col.nullable = False
        self.cat.tables[key] = t
        self.cat.gone.discard(key)
        self.emit("create-table", key, key[1], f"create table {key[1]}", born=True)

    def column_from_def(self, cd: exp.ColumnDef) -> tuple[Column, list[Constraint]]:
        name, _ = _name(cd.this)
        ti = type_info(cd.args.get("kind"), self.cat.dialect)
        col = Column(name, ti, origin=self.fi)
        dtype = cd.args.get("kind")
        if isinstance(dtype, exp.DataType) and dtype.this in (
            exp.DataType.Type.SERIAL, exp.DataType.Type.BIGSERIAL, exp.DataType.Type.SMALLSERIAL
        ):
            col.identity = True
            col.nullable = False
        cons: list[Constraint] = []
        for cc in cd.args.get("constraints") or []:
            kind = cc.args.get("kind") if isinstance(cc, exp.ColumnConstraint) else cc
            if isinstance(kind, exp.NotNullColumnConstraint):
                col.nullable = bool(kind.args.get("allow_null"))
            elif isinstance(kind, exp.DefaultColumnConstraint):
                d = kind.this
                if isinstance(d, exp.Null):
                    col.default = None
                else:
                    col.default = d.sql() if d is not None else None
                    col.default_volatile = _volatile(d)
            elif isinstance(kind, (exp.AutoIncrementColumnConstraint, exp.GeneratedAsIdentityColumnConstraint)):
                if isinstance(kind, exp.GeneratedAsIdentityColumnConstraint) and kind.args.get("expression") is not None:
                    col.generated = True
                else:
                    col.identity = True
                    col.nullable = False if self.cat.dialect == "postgres" else col.nullable
            elif isinstance(kind, exp.ComputedColumnConstraint):
                col.generated = True
            elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
                col.nullable = False
                cons.append(Constraint(f"{name}_pkey", "primary-key", (self.cat.col_key(name),), origin=self.fi))
            elif isinstance(kind, exp.UniqueColumnConstraint):
                cons.append(Constraint(f"{name}_key", "unique", (self.cat.col_key(name),), origin=self.fi))
            elif isinstance(kind, exp.Reference):
                ref = kind.this.this if isinstance(kind.this, exp.Schema) else kind.this
                cons.append(Constraint(f"{name}_fkey", "foreign-key", (self.cat.col_key(name),), origin=self.fi,
                                       references=ref.name if ref is not None else None))
            elif isinstance(kind, exp.CheckColumnConstraint):
                cons.append(Constraint(f"{name}_check", "check", (self.cat.col_key(name),), origin=self.fi))
        return col, cons

    def constraint_from(self, item, table: Table, name_hint: str | None = None) -> Constraint | None:
        name = name_hint
        body = item
        if isinstance(item, exp.Constraint):
            name = _name(item.this)[0]
            body = item.expressions[0] if item.expressions else None
        cols: tuple[str, ...] = ()
        kind = None
        refs = None
        check_nn = None
        if isinstance(body, exp.PrimaryKey) or isinstance(body, exp.PrimaryKeyColumnConstraint):
            kind = "primary-key"
            cols = tuple(self.cat.col_key(*_name(e.this if isinstance(e, exp.Ordered) else e))
                         for e in body.expressions)
        elif isinstance(body, exp.UniqueColumnConstraint):
            kind = "unique"
            sch = body.this
            exprs = sch.expressions if isinstance(sch, exp.Schema) else []
            cols = tuple(self.cat.col_key(*_name(e)) for e in exprs)
            if name is None and isinstance(sch, exp.Schema) and sch.this is not None and not sch.expressions:
                name = _name(sch.this)[0]
        elif isinstance(body, exp.CheckColumnConstraint):
            kind = "check"
            cond = body.this
            if isinstance(cond, exp.Paren):
                cond = cond.this
            is_node = None
            if isinstance(cond, exp.Not) and isinstance(cond.this, exp.Is):
                is_node = cond.this
            elif isinstance(cond, exp.Is) and cond.args.get("negate"):
                is_node = cond
            if is_node is not None and isinstance(is_node.expression, exp.Null) and isinstance(is_node.this, exp.Column):
                check_nn = self.cat.col_key(*_name(is_node.this.this))
        elif isinstance(body, exp.ForeignKey):
            kind = "foreign-key"
            cols = tuple(self.cat.col_key(*_name(e)) for e in body.expressions)
            ref = body.args.get("reference")
            target = ref.this.this if ref is not None and isinstance(ref.this, exp.Schema) else None
            refs = target.name if target is not None else None
        elif isinstance(body, exp.IndexColumnConstraint):
            return None  # MySQL inline KEY/INDEX: an index, recorded by the caller if needed
        if kind is None:
            return None
        if name is None:
            suffix = {"primary-key": "pkey", "unique": "key", "check": "check", "foreign-key": "fkey"}[kind]
            name = f"{table.name}_{'_'.join(cols) + '_' if cols else ''}{suffix}"
        return Constraint(self.cat.ident(name), kind, cols, origin=self.fi, references=refs,
                          check_not_null=check_nn)

    def create_index(self, node: exp.Create) -> None:
        idx = node.this
        if not isinstance(idx, exp.Index):
            self.emit("other", None, None, "create index")
            return
        tkey = self.key(idx.args["table"])
        t = self.table(tkey)
        name = _name(idx.this)[0] if idx.this is not None else f"{tkey[1]}_idx"
        ikey = (tkey[0], self.cat.ident(name, _name(idx.this)[1] if idx.this is not None else False))
        if ikey in self.cat.indexes and not node.args.get("exists"):
            self.problem("exists", name, f"index {name} already exists")
        cols = []
        params = idx.args.get("params")
        for o in (params.args.get("columns") or []) if params is not None else []:
            e = o.this if isinstance(o, exp.Ordered) else o
            if isinstance(e, exp.Column):
                cols.append(self.cat.col_key(*_name(e.this)))
            elif isinstance(e, exp.ColumnPrefix):
                cols.append(self.cat.col_key(e.name))
            else:
                cols.append("(expression)")
        for c in cols:
            if t is not None and t.complete and c != "(expression)" and c not in t.columns:
                self.problem("missing", f"{tkey[1]}.{c}", f"column {c} does not exist in table {tkey[1]}")
        unique = bool(node.args.get("unique"))
        self.cat.indexes[ikey] = Index(ikey[1], tkey, tuple(cols), unique, self.fi)
        options = node.args.get("options") or []
        self.emit(
            "create-index", tkey, name, f"create {'unique ' if unique else ''}index {name} on {tkey[1]}",
            born=t is not None and self.born(t.origin), concurrently=bool(node.args.get("concurrently")),
            unique=unique, columns=tuple(cols), options=_options(options),
        )

    def create_view(self, node: exp.Create) -> None:
        key = self.key(node.this)
        replace = bool(node.args.get("replace"))
        query = node.args.get("expression")
        cols = None
        if isinstance(query, exp.Select) and all(isinstance(e, (exp.Column, exp.Alias)) for e in query.expressions):
            cols = tuple(e.alias_or_name.lower() for e in query.expressions)
        old = self.cat.views.get(key)
        if old is not None and not replace and not node.args.get("exists"):
            self.problem("exists", key[1], f"view {key[1]} already exists")
        if old is not None and replace:
            lost = [c for c in (old.columns or ()) if cols is not None and c not in cols]
            self.emit("replace-view", key, key[1], f"replace view {key[1]}", born=self.born(old.origin),
                      klass="incompatible" if lost else "additive", lost_columns=tuple(lost))
            old.columns = cols
            return
        self.cat.views[key] = View(key[0], key[1], cols, self.fi)
        self.cat.gone.discard(key)
        self.emit("create-view", key, key[1], f"create view {key[1]}", born=True)

    def create_type(self, node: exp.Create) -> None:
        key = self.key(node.this)
        expr = node.args.get("expression")
        values = [e.this for e in expr.expressions] if isinstance(expr, exp.DataType) else []
        if key in self.cat.types and not node.args.get("exists"):
            self.problem("exists", key[1], f"type {key[1]} already exists")
        self.cat.types[key] = EnumType(key[0], key[1], values, self.fi)
        self.emit("create-type", key, key[1], f"create type {key[1]}", born=True)

    # -- DROP ---------------------------------------------------------------------------------
    def h_Drop(self, node: exp.Drop) -> None:
        kind = (node.args.get("kind") or "").upper()
        if_exists = bool(node.args.get("exists"))
        cascade = bool(node.args.get("cascade"))
        for tbl in node.args.get("tables") or [node.this]:
            if tbl is None:
                continue
            key = self.key(tbl)
            if kind == "TABLE":
                t = self.cat.tables.pop(key, None)
                if t is None and not if_exists:
                    if key in self.cat.gone or self.cat.views.get(key):
                        self.problem("missing", key[1], f"table {key[1]} does not exist at this point")
                self.cat.gone.add(key)
                for ik in [k for k, i in self.cat.indexes.items() if i.table == key]:
                    del self.cat.indexes[ik]
                self.emit("drop-table", key, key[1], f"drop table {key[1]}",
                          born=t is not None and self.born(t.origin), cascade=cascade)
            elif kind in ("VIEW", "MATERIALIZED VIEW"):
                v = self.cat.views.pop(key, None)
                self.cat.gone.add(key)
                self.emit("drop-view", key, key[1], f"drop view {key[1]}", born=v is not None and self.born(v.origin))
            elif kind == "INDEX":
                i = self.cat.indexes.pop(key, None)
                if i is None:
                    # MySQL DROP INDEX i ON t, or an index in another schema: find it by name
                    found = [k for k in self.cat.indexes if k[1] == key[1]]
                    i = self.cat.indexes.pop(found[0]) if found else None
                    if i is None and not if_exists and key in self.cat.gone:
                        self.problem("missing", key[1], f"index {key[1]} does not exist at this point")
                tkey = i.table if i is not None else None
                t = self.cat.tables.get(tkey) if tkey else None
                self.emit("drop-index", tkey, key[1], f"drop index {key[1]}",
                          born=(i is not None and self.born(i.origin)) or (t is not None and self.born(t.origin)),
                          concurrently=bool(node.args.get("concurrently")), unique=bool(i and i.unique),
                          options=_options(node.args.get("options") or []))
            elif kind == "TYPE":
                ty = self.cat.types.pop(key, None)
                self.emit("drop-type", key, key[1], f"drop type {key[1]}", born=ty is not None and self.born(ty.origin))
            elif kind == "SEQUENCE":
                s = self.cat.sequences.pop(key, None)
                self.emit("drop-sequence", key, key[1], f"drop sequence {key[1]}",
                          born=s is not None and self.born(s.origin))
            elif kind in ("FUNCTION", "PROCEDURE"):
                self.emit("drop-function", None, key[1], f"drop {kind.lower()} {key[1]}")
            elif kind in ("SCHEMA", "DATABASE"):
                name = key[1]
                origin = self.cat.schemas.pop(name, -1)
                for k in [k for k in self.cat.tables if k[0] == name]:
                    del self.cat.tables[k]
                    self.cat.gone.add(k)
                self.emit("drop-schema", None, name, f"drop schema {name}", born=self.born(origin), cascade=cascade)
            else:
                self.emit("other", None, key[1], f"drop {kind.lower()} {key[1]}")

    def h_TruncateTable(self, node: exp.TruncateTable) -> None:
        for tbl in node.expressions:
            key = self.key(tbl)
            t = self.table(key)
            self.emit("truncate-table", key, key[1], f"truncate table {key[1]}",
                      born=t is not None and self.born(t.origin), cascade=bool(node.args.get("cascade")))

    # -- ALTER TABLE --------------------------------------------------------------------------
    def h_Alter(self, node: exp.Alter) -> None:
        kind = (node.args.get("kind") or "TABLE").upper()
        key = self.key(node.this)
        if kind != "TABLE":
            for a in node.args.get("actions") or []:
                if isinstance(a, exp.AlterRename) and kind in ("INDEX", "VIEW", "SEQUENCE"):
                    new = self.cat.ident(*_name(a.this.this if isinstance(a.this, exp.Table) else a.this))
                    store = {"INDEX": self.cat.indexes, "VIEW": self.cat.views, "SEQUENCE": self.cat.sequences}[kind]
                    obj = store.pop(key, None)
                    if obj is not None:
                        obj.name = new
                        store[(key[0], new)] = obj
                    kind_change = "rename-table" if kind == "VIEW" else "other"
                    self.emit(kind_change, key, key[1], f"rename {kind.lower()} {key[1]} to {new}",
                              born=obj is not None and self.born(obj.origin),
                              klass="neutral" if kind == "INDEX" else None, new_name=new)
                    return
            self.emit("other", key, key[1], f"alter {kind.lower()} {key[1]}")
            return
        t = self.table(key, must_exist=not node.args.get("exists"))
        if t is None:
            self.emit("other", key, key[1], f"alter table {key[1]} (table unknown)")
            return
        options = node.args.get("options") or []
        opts = _options(options)
        for o in options:
            if isinstance(o, exp.EngineProperty):
                self.emit("rewrite-table", key, key[1], f"rebuild table {key[1]} (ENGINE=)", born=self.born(t.origin))
            elif isinstance(o, (exp.CharacterSetProperty, exp.CollateProperty)):
                self.emit("other", key, key[1], f"change the default character set of {key[1]}",
                          born=self.born(t.origin))
        for action in node.args.get("actions") or []:
            handler = getattr(self, "a_" + type(action).__name__, None)
            if handler is None:
                self.emit("other", key, key[1], f"alter table {key[1]}: {type(action).__name__}",
                          born=self.born(t.origin))
                continue
            handler(t, key, action, opts)

    def a_ColumnDef(self, t: Table, key, cd: exp.ColumnDef, opts) -> None:
        col, cons = self.column_from_def(cd)
        ck = self.cat.col_key(*_name(cd.this))
        if ck in t.columns:
            if not cd.args.get("exists"):
                self.problem("exists", f"{t.name}.{col.name}", f"column {col.name} already exists in table {t.name}")
            return
        not_null = not col.nullable and not col.identity
        has_default = col.default is not None
        klass = "incompatible" if not_null and not has_default and not col.generated else "additive"
        t.columns[ck] = col
        for c in cons:
            t.constraints[c.name] = c
        self.emit(
            "add-column", key, f"{t.name}.{col.name}", f"add column {t.name}.{col.name}",
            born=self.born(t.origin), klass=klass, column=col.name, type=str(col.type), not_null=not_null,
            has_default=has_default, default_volatile=col.default_volatile, identity=col.identity,
            generated=col.generated, position=cd.args.get("position") is not None, options=opts,
            constraints=tuple(c.kind for c in cons),
        )

    def a_Drop(self, t: Table, key, d: exp.Drop, opts) -> None:
        kind = (d.args.get("kind") or "COLUMN").upper()
        for target in d.args.get("tables") or []:
            name, quoted = _name(target.this if isinstance(target, exp.Table) else target)
            if kind == "COLUMN":
                ck = self.cat.col_key(name, quoted)
                col = t.columns.pop(ck, None)
                if col is None and t.complete and not d.args.get("exists"):
                    self.problem("missing", f"{t.name}.{name}", f"column {name} does not exist in table {t.name}")
                for cname in [n for n, c in t.constraints.items() if ck in c.columns]:
                    del t.constraints[cname]
                shown = col.name if col else name
                self.emit("drop-column", key, f"{t.name}.{shown}", f"drop column {t.name}.{shown}",
                          born=col is not None and self.born(col.origin), column=shown, options=opts)
            elif kind in ("INDEX", "KEY"):
                ikey = (key[0], self.cat.ident(name, quoted))
                i = self.cat.indexes.pop(ikey, None)
                self.emit("drop-index", key, name, f"drop index {name} on {t.name}",
                          born=self.born(t.origin) or (i is not None and self.born(i.origin)), options=opts,
                          concurrently=False)
            else:  # CONSTRAINT, FOREIGN KEY, CHECK
                cname = self.cat.ident(name, quoted)
                c = t.constraints.pop(cname, None)
                if c is None and t.complete and not d.args.get("exists") and t.origin != -1:
                    self.problem("missing", cname, f"constraint {name} does not exist on table {t.name}")
                self.emit("drop-constraint", key, f"{t.name}.{name}", f"drop constraint {name} on {t.name}",
                          born=self.born(t.origin) or (c is not None and self.born(c.origin)),
                          constraint_kind=c.kind if c else None)

    def a_DropPrimaryKey(self, t: Table, key, d, opts) -> None:
        for n, c in list(t.constraints.items()):
            if c.kind == "primary-key":
                del t.constraints[n]
        self.emit("drop-constraint", key, f"{t.name} primary key", f"drop the primary key of {t.name}",
                  born=self.born(t.origin), constraint_kind="primary-key", options=opts)

    def a_RenameColumn(self, t: Table, key, r: exp.RenameColumn, opts) -> None:
        old, oq = _name(r.this)
        new, nq = _name(r.args.get("to"))
        self.rename_column(t, key, self.cat.col_key(old, oq), old, new, self.cat.col_key(new, nq))

    def rename_column(self, t: Table, key, old_key, old, new, new_key, *, emit=True) -> Column | None:
        col = t.columns.pop(old_key, None)
        if col is None and t.complete:
            self.problem("missing", f"{t.name}.{old}", f"column {old} does not exist in table {t.name}")
        if new_key in t.columns and t.complete:
            self.problem("exists", f"{t.name}.{new}", f"column {new} already exists in table {t.name}")
        if col is not None:
            col.name = new
            t.columns[new_key] = col
            for c in t.constraints.values():
                c.columns = tuple(new_key if x == old_key else x for x in c.columns)
        if emit:
            self.emit("rename-column", key, f"{t.name}.{old}", f"rename column {t.name}.{old} to {new}",
                      born=col is not None and self.born(col.origin), column=old, new_name=new)
        return col

    def a_AlterRename(self, t: Table, key, r: exp.AlterRename, opts) -> None:
        target = r.this
        new_key = self.key(target) if isinstance(target, exp.Table) and target.args.get("db") else (
            key[0], self.cat.ident(*_name(target.this if isinstance(target, exp.Table) else target)))
        self.rename_table(t, key, new_key)

    def rename_table(self, t: Table, key, new_key) -> None:
        if new_key in self.cat.tables:
            self.problem("exists", new_key[1], f"table {new_key[1]} already exists")
        self.cat.tables.pop(key, None)
        self.cat.gone.add(key)
        self.cat.gone.discard(new_key)
        t.schema, t.name = new_key
        self.cat.tables[new_key] = t
        for i in self.cat.indexes.values():
            if i.table == key:
                i.table = new_key
        self.emit("rename-table", key, key[1], f"rename table {key[1]} to {new_key[1]}",
                  born=self.born(t.origin), new_name=new_key[1])

    def a_AlterColumn(self, t: Table, key, a: exp.AlterColumn, opts) -> None:
        name, quoted = _name(a.this)
        ck = self.cat.col_key(name, quoted)
        col = t.columns.get(ck)
        if col is None and t.complete:
            self.problem("missing", f"{t.name}.{name}", f"column {name} does not exist in table {t.name}")
        obj = f"{t.name}.{col.name if col else name}"
        born = col is not None and self.born(col.origin)
        if a.args.get("dtype") is not None:
            new = type_info(a.args["dtype"], self.cat.dialect)
            self.type_change(t, key, col, obj, born, new, using=a.args.get("using") is not None, opts=opts)
        elif a.args.get("allow_null") is False:
            self.set_not_null(t, key, col, obj, born)
        elif a.args.get("drop") and a.args.get("allow_null"):
            was = col.nullable if col else None
            if col:
                col.nullable = True
            self.emit("drop-not-null", key, obj, f"drop not null on {obj}", born=born, was_nullable=was)
        elif a.args.get("default") is not None:
            d = a.args["default"]
            old_default = col.default if col else None
            if col:
                col.default = d.sql() if not isinstance(d, exp.Null) else None
                col.default_volatile = _volatile(d)
            self.emit("set-default", key, obj, f"set default on {obj}", born=born, old_default=old_default,
                      default_volatile=_volatile(d))
        elif a.args.get("drop"):
            old_default = col.default if col else None
            if col:
                col.default = None
            self.emit("drop-default", key, obj, f"drop default on {obj}", born=born, old_default=old_default,
                      nullable=col.nullable if col else None,
                      klass="incompatible" if old_default is not None or col is None else "neutral")
        else:
            self.emit("other", key, obj, f"alter column {obj}", born=born)

    def set_not_null(self, t: Table, key, col: Column | None, obj: str, born: bool) -> None:
        ck = self.cat.col_key(col.name) if col else None
        proving = [c for c in t.constraints.values() if c.kind == "check" and c.check_not_null == ck and c.validated]
        was = col.nullable if col else None
        if col:
            col.nullable = False
        if was is False:
            self.emit("other", key, obj, f"{obj} is already NOT NULL", born=born, klass="neutral")
            return
        self.emit("set-not-null", key, obj, f"set not null on {obj}", born=born, proven_by_check=bool(proving),
                  check=proving[0].name if proving else None, has_default=bool(col and col.default is not None))

    def type_change(self, t, key, col, obj, born, new, *, using=False, opts=None) -> None:
        old = col.type if col else None
        verdict = compare(old, new) if old is not None and old.family != "unknown" else "change"
        if col:
            col.type = new
        klass = {"same": "neutral", "widen": "neutral", "widen-rewrite": "neutral"}.get(verdict, "incompatible")
        self.emit("change-column-type", key, obj, f"change type of {obj} from {old or '?'} to {new}", born=born,
                  klass=klass, old_type=str(old) if old else None, new_type=str(new), verdict=verdict,
                  binary_coercible=verdict in ("same", "widen"), using=using, options=opts or {})

    def a_ModifyColumn(self, t: Table, key, m: exp.ModifyColumn, opts) -> None:
        """MySQL MODIFY / CHANGE: diff the new definition against the catalog."""
        cd = m.this
        new_col, _ = self.column_from_def(cd)
        new_key = self.cat.col_key(*_name(cd.this))
        rename_from = m.args.get("rename_from")
        old_key = self.cat.col_key(*_name(rename_from)) if rename_from is not None else new_key
        old_name = _name(rename_from)[0] if rename_from is not None else new_col.name
        col = t.columns.get(old_key)
        if col is None and t.complete:
            self.problem("missing", f"{t.name}.{old_name}", f"column {old_name} does not exist in table {t.name}")
        born = col is not None and self.born(col.origin)
        before = len(self.changes)
        if old_key != new_key or (col is not None and col.name != new_col.name and rename_from is not None):
            col = self.rename_column(t, key, old_key, old_name, new_col.name, new_key, emit=False) or col
            self.emit("rename-column", key, f"{t.name}.{old_name}", f"rename column {t.name}.{old_name} to "
                      f"{new_col.name}", born=born, column=old_name, new_name=new_col.name)
        obj = f"{t.name}.{new_col.name}"
        if col is None:
            t.columns[new_key] = new_col
            self.emit("change-column-type", key, obj, f"redefine {obj}", born=False, klass="incompatible",
                      old_type=None, new_type=str(new_col.type), verdict="change", binary_coercible=False,
                      options=opts)
            return
        if compare(col.type, new_col.type) != "same":
            self.type_change(t, key, col, obj, born, new_col.type, opts=opts)
        if col.nullable and not new_col.nullable:
            self.set_not_null(t, key, col, obj, born)
        elif not col.nullable and new_col.nullable:
            col.nullable = True
            self.emit("drop-not-null", key, obj, f"drop not null on {obj}", born=born, was_nullable=False)
        if col.default != new_col.default:
            if new_col.default is None:
                self.emit("drop-default", key, obj, f"drop default on {obj}", born=born, old_default=col.default,
                          klass="incompatible" if col.default is not None else "neutral", nullable=new_col.nullable)
            else:
                self.emit("set-default", key, obj, f"set default on {obj}", born=born, old_default=col.default,
                          default_volatile=new_col.default_volatile)
            col.default, col.default_volatile = new_col.default, new_col.default_volatile
        col.identity = new_col.identity or col.identity
        if len(self.changes) == before:
            self.emit("other", key, obj, f"redefine {obj} without changing it", born=born)

    def a_AddConstraint(self, t: Table, key, a: exp.AddConstraint, opts) -> None:
        for item in a.expressions:
            c = self.constraint_from(item, t)
            if c is None:
                if isinstance(item, exp.IndexColumnConstraint) or isinstance(getattr(item, "expressions", [None])[0]
                                                                                if getattr(item, "expressions", None)
                                                                                else None, exp.IndexColumnConstraint):
                    self.emit("create-index", key, t.name, f"add index on {t.name}", born=self.born(t.origin),
                              concurrently=False, options=opts)
                else:
                    self.emit("other", key, t.name, f"add constraint on {t.name}", born=self.born(t.origin))
                continue
            if c.name in t.constraints and not a.args.get("exists"):
                self.problem("exists", c.name, f"constraint {c.name} already exists on table {t.name}")
            not_valid = bool(a.args.get("not_valid"))
            c.validated = not not_valid
            t.constraints[c.name] = c
            for cn in c.columns:
                if t.complete and cn not in t.columns:
                    self.problem("missing", f"{t.name}.{cn}", f"column {cn} does not exist in table {t.name}")
            if c.kind == "primary-key":
                for cn in c.columns:
                    if cn in t.columns:
                        t.columns[cn].nullable = False
            kind = {"primary-key": "add-primary-key", "unique": "add-unique", "check": "add-check",
                    "foreign-key": "add-foreign-key"}[c.kind]
            self.emit(kind, key, f"{t.name}.{c.name}", f"add {c.kind.replace('-', ' ')} constraint {c.name} "
                      f"on {t.name}", born=self.born(t.origin), not_valid=not_valid, constraint=c.name,
                      columns=c.columns, references=c.references, check_not_null=c.check_not_null, options=opts)

    def a_ValidateConstraint(self, t: Table, key, v: N.ValidateConstraint, opts) -> None:
        name = self.cat.ident(*_name(v.name))
        c = t.constraints.get(name)
        if c is None and t.complete and t.origin != -1:
            self.problem("missing", name, f"constraint {name} does not exist on table {t.name}")
        if c is not None:
            c.validated = True
        self.emit("validate-constraint", key, f"{t.name}.{name}", f"validate constraint {name} on {t.name}",
                  born=self.born(t.origin), constraint=name, same_file=c is not None and self.born(c.origin))

    def a_AddConstraintUsingIndex(self, t: Table, key, a: N.AddConstraintUsingIndex, opts) -> None:
        index = self.cat.ident(*_name(a.index))
        name = self.cat.ident(*_name(a.name)) if a.name is not None else index
        kind = "primary-key" if a.kind.upper().startswith("PRIMARY") else "unique"
        i = self.cat.indexes.pop((key[0], index), None)
        t.constraints[name] = Constraint(name, kind, i.columns if i else (), origin=self.fi)
        self.emit("add-primary-key" if kind == "primary-key" else "add-unique", key, f"{t.name}.{name}",
                  f"add {kind.replace('-', ' ')} constraint {name} on {t.name} using index {index}",
                  born=self.born(t.origin), using_index=True, constraint=name, klass="neutral")

    def a_RenameConstraint(self, t, key, r: N.RenameConstraint, opts) -> None:
        old, new = self.cat.ident(*_name(r.old)), self.cat.ident(*_name(r.new))
        c = t.constraints.pop(old, None)
        if c is not None:
            c.name = new
            t.constraints[new] = c
        self.emit("other", key, f"{t.name}.{old}", f"rename constraint {old} to {new}", born=self.born(t.origin))

    def a_RenameIndex(self, t, key, r, opts) -> None:
        self.emit("other", key, t.name, f"rename an index of {t.name}", born=self.born(t.origin), klass="neutral")

    def a_ConvertCharset(self, t, key, c, opts) -> None:
        self.emit("rewrite-table", key, t.name, f"convert {t.name} to character set {c.charset}",
                  born=self.born(t.origin), reason="charset", options=opts)

    def a_AlterSet(self, t, key, s, opts) -> None:
        self.emit("other", key, t.name, f"alter table {t.name} set ...", born=self.born(t.origin))

    # -- statements handled as nodes -------------------------------------------------------------
    def h_RenameTable(self, node: N.RenameTable) -> None:
        for old, new in node.pairs:
            okey, nkey = self.key(old), self.key(new)
            t = self.table(okey)
            if t is not None:
                self.rename_table(t, okey, nkey)

    def h_AlterEnumAddValue(self, node: N.AlterEnumAddValue) -> None:
        key = self.key(node.type)
        ty = self.cat.types.get(key)
        if ty is not None and node.value not in ty.values:
            ty.values.append(node.value)
        self.emit("add-enum-value", key, f"{key[1]}.{node.value}", f"add value '{node.value}' to type {key[1]}",
                  born=ty is not None and self.born(ty.origin), positioned=bool(node.before or node.after),
                  if_not_exists=node.if_not_exists)

    def h_AlterEnumRenameValue(self, node: N.AlterEnumRenameValue) -> None:
        key = self.key(node.type)
        ty = self.cat.types.get(key)
        if ty is not None and node.old in ty.values:
            ty.values[ty.values.index(node.old)] = node.new
        self.emit("rename-enum-value", key, f"{key[1]}.{node.old}", f"rename value '{node.old}' of type {key[1]} "
                  f"to '{node.new}'", born=ty is not None and self.born(ty.origin), new_name=node.new)

    def h_SetSchema(self, node: N.SetSchema) -> None:
        key = self.key(node.name)
        schema = self.cat.ident(*_name(node.schema))
        born = False
        if node.kind.upper() == "TABLE" and key in self.cat.tables:
            t = self.cat.tables.pop(key)
            born = self.born(t.origin)
            t.schema = schema
            self.cat.tables[(schema, key[1])] = t
            self.cat.gone.add(key)
        self.emit("set-schema", key, key[1], f"move {node.kind.lower()} {key[1]} to schema {schema}", born=born)

    def h_Reindex(self, node: N.Reindex) -> None:
        key = self.key(node.name) if node.name is not None else None
        self.emit("reindex", key, key[1] if key else node.kind.lower(), f"reindex {node.kind.lower()}",
                  concurrently=node.concurrently, target=node.kind.upper())

    def h_Vacuum(self, node: N.Vacuum) -> None:
        if node.full:
            for tbl in node.tables or ():
                key = self.key(tbl)
                t = self.cat.tables.get(key)
                self.emit("rewrite-table", key, key[1], f"VACUUM FULL {key[1]}", born=bool(t and self.born(t.origin)),
                          reason="vacuum-full")
            if not node.tables:
                self.emit("rewrite-table", None, "all tables", "VACUUM FULL of every table", reason="vacuum-full")
        else:
            self.emit("other", None, None, "vacuum")

    def h_Cluster(self, node: N.Cluster) -> None:
        key = self.key(node.table) if node.table is not None else None
        self.emit("rewrite-table", key, key[1] if key else "clustered tables", "CLUSTER", reason="cluster")

    def h_OptimizeTable(self, node: N.OptimizeTable) -> None:
        for tbl in node.tables:
            key = self.key(tbl)
            self.emit("rewrite-table", key, key[1], f"OPTIMIZE TABLE {key[1]}", reason="optimize")

    def h_LockTable(self, node: N.LockTable) -> None:
        for tbl in node.tables:
            key = self.key(tbl)
            t = self.cat.tables.get(key)
            self.emit("lock-table", key, key[1], f"lock table {key[1]} in {node.mode} mode",
                      born=bool(t and self.born(t.origin)), mode=node.mode)

    def h_LockTables(self, node: N.LockTables) -> None:
        for lk in node.locks:
            key = self.key(lk.table)
            self.emit("lock-table", key, key[1], f"lock table {key[1]} {lk.mode}", mode=lk.mode)

    def h_CreateMaterializedView(self, node: N.CreateMaterializedView) -> None:
        key = self.key(node.name)
        self.cat.views[key] = View(key[0], key[1], None, self.fi, materialized=True)
        self.emit("create-view", key, key[1], f"create materialized view {key[1]}", born=True)

    def h_CreateFunction(self, node: N.CreateFunction) -> None:
        self.emit("other", None, node.name.name, f"create {node.kind.lower()} {node.name.name}", klass="neutral")

    def h_DoBlock(self, node: N.DoBlock) -> None:
        # The body runs SQL flylint does not read: it may change the schema.
        self.emit("unanalysed", None, None, "DO block: its body is not analysed")
        self.cat.uncertain_since = self.cat.uncertain_since or self.path

    # -- DML and session ------------------------------------------------------------------------
    def h_Update(self, node: exp.Update) -> None:
        target = node.this
        key = self.key(target) if isinstance(target, exp.Table) else None
        t = self.cat.tables.get(key) if key else None
        sets = []
        for e in node.expressions:
            if isinstance(e, exp.EQ):
                left = e.this
                src = e.expression
                sets.append((left.name.lower(), src.name.lower() if isinstance(src, exp.Column) else None))
        self.emit("backfill", key, key[1] if key else None, f"update {key[1] if key else 'rows'}",
                  born=bool(t and self.born(t.origin)), statement="update", where=node.args.get("where") is not None,
                  limit=node.args.get("limit") is not None, sets=tuple(sets))

    def h_Insert(self, node: exp.Insert) -> None:
        target = node.this
        if isinstance(target, exp.Schema):
            target = target.this
        key = self.key(target) if isinstance(target, exp.Table) else None
        t = self.cat.tables.get(key) if key else None
        self.emit("backfill", key, key[1] if key else None, f"insert into {key[1] if key else 'a table'}",
                  born=bool(t and self.born(t.origin)), statement="insert", where=True)

    def h_Delete(self, node: exp.Delete) -> None:
        target = node.this
        key = self.key(target) if isinstance(target, exp.Table) else None
        t = self.cat.tables.get(key) if key else None
        where = node.args.get("where") is not None or node.args.get("limit") is not None
        kind = "backfill" if where else "delete-all"
        self.emit(kind, key, key[1] if key else None, f"delete from {key[1] if key else 'a table'}",
                  born=bool(t and self.born(t.origin)), statement="delete", where=where)

    def h_Set(self, node: exp.Set) -> None:
        names = []
        for item in node.expressions:
            inner = item.this if isinstance(item, exp.SetItem) else item
            if isinstance(inner, exp.EQ):
                names.append((inner.this.name.lower(), inner.expression.sql() if inner.expression is not None else ""))
        self.emit("session-setting", None, ", ".join(n for n, _ in names) or "setting", "set session setting",
                  settings=tuple(names), local=any(getattr(i, "args", {}).get("kind") == "LOCAL" for i in node.expressions))

    def h_Reset(self, node: N.Reset) -> None:
        self.emit("session-setting", None, node.name or "all", "reset session setting",
                  settings=((node.name or "all", None),), reset=True)

    def h_Command(self, node) -> None:  # defensive: parser guarantees no Command, but never pass one
        self.emit("unanalysed", None, None, "opaque command")
        self.cat.uncertain_since = self.cat.uncertain_since or self.path


def _options(options) -> dict:
    out = {}
    for o in options or []:
        if isinstance(o, exp.AlgorithmProperty):
            out["algorithm"] = o.name.upper()
        elif isinstance(o, exp.LockProperty):
            out["lock"] = o.name.upper()
    return out
