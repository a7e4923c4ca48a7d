"""Seed rows: before a measured release every empty table gets `n` synthetic rows.

An empty table hides what fails only with data (ADD COLUMN ... NOT NULL without a default on
PostgreSQL, SET NOT NULL, CHECK and foreign key validation) and makes every rewrite look free.
Only columns that need a value get one (NOT NULL without a default, not generated or identity);
nullable columns stay NULL, as they may well be in production. Integer columns of a primary key
or unique index (serial, identity and AUTO_INCREMENT ones too) get values far above the ones
migrations insert (1,000,000,000 and up for int), so reference data a later migration inserts
with explicit ids (`INSERT INTO status VALUES (1, 'new')`) does not collide with the seeded row.

The rows never break a foreign key, neither one the database has nor one a later migration adds
(`planned_foreign_keys`: every key of the history, from flylint's catalog): parents are seeded
before their children, and a key column takes the key of a parent row (seeded or not), or, when
the referenced table does not exist yet, the value that table's row will be seeded with (the same
literal for the same type and row number; if its migration fills it instead, the seed rows are
pointed at its rows before the next migration). Verify must never fail a migration on its own
fake data, so a table whose key has no parent row to reference is left empty and named in the
notes, as is one whose row the database refuses (a CHECK constraint, an exotic type).

A partitioned table's row goes inside an existing partition: its key columns take a value within
the bounds the catalogs give (`_pg_partition`, `_my_partition`; see "partitioned tables" below).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field


_HIGH = {"smallint": 30000, "integer": 1_000_000_000, "bigint": 1_000_000_000_000,
         "tinyint": 100, "mediumint": 8_000_000, "int": 1_000_000_000}


def _pg_literal(category: str, typ: str, typid: int, k: int, unique: bool = False) -> str:
    if category == "N":
        if unique and typ in _HIGH:
            return f"{_HIGH[typ] + k}::{typ}"
        return f"{k}::{typ}"
    if category == "B":
        return "true"
    if category == "D":
        return f"(timestamp '2000-01-01' + interval '{k} day')::{typ}"
    if category == "E":
        return f"(SELECT enumlabel FROM pg_enum WHERE enumtypid = {typid} ORDER BY enumsortorder LIMIT 1)::{typ}"
    if category == "A":
        return f"'{{}}'::{typ}"
    if category == "T":
        return f"interval '{k} second'"
    if category == "I":
        return f"'10.0.0.{k % 250}'::{typ}"
    if typ == "uuid":
        return f"'00000000-0000-0000-0000-{k:012d}'::uuid"
    if typ in ("json", "jsonb"):
        return f"'{{\"seed\": {k}}}'::{typ}"
    if typ == "bytea":
        return f"'\\x{k:02x}'::bytea"
    if category == "S":
        return f"'~{k}'::{typ}"
    return f"'{k}'::{typ}"


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key the project's history declares at some point (in CREATE TABLE or a later ALTER
    TABLE ... ADD FOREIGN KEY), as flylint's catalog resolved it: names are catalog keys.
    `ref_columns` () means the referenced table's primary key."""

    schema: str
    table: str
    columns: tuple[str, ...]
    ref_schema: str
    ref_table: str
    ref_columns: tuple[str, ...] = ()


def planned_foreign_keys(replay) -> tuple[ForeignKey, ...]:
    """Every foreign key of the project's history (flylint.catalog.replay.Replay), added later or not:
    the seed rows satisfy them from the start, so a later ADD FOREIGN KEY over seeded rows succeeds."""
    if replay is None:
        return ()
    out: dict[tuple, ForeignKey] = {}

    def add(table, columns, ref, ref_columns):
        if not table or not ref or not columns or "(expression)" in columns:
            return
        fk = ForeignKey(table[0], table[1], tuple(columns), ref[0], ref[1], tuple(ref_columns or ()))
        out.setdefault((fk.schema, fk.table, fk.columns), fk)

    for per_file in getattr(replay, "changes", ()):
        for per_statement in per_file:
            for ch in per_statement:
                if ch.kind == "add-foreign-key":
                    add(ch.table, ch.detail.get("columns"), ch.detail.get("references_table"),
                        ch.detail.get("references_columns"))
    catalog = getattr(replay, "catalog", None)
    for t in getattr(catalog, "tables", {}).values():
        for c in t.constraints.values():
            if c.kind == "foreign-key":
                add((t.schema, t.name), c.columns, c.ref_table, c.ref_columns)
    return tuple(out.values())


@dataclass
class _Col:
    name: str
    nullable: bool
    required: bool  # NOT NULL, no default, not generated or identity: needs a value
    unique_int: bool  # an integer column of a primary key or unique index
    insertable: bool  # not generated
    identity: bool
    literal: Callable[[int, bool], str]  # (k, unique) -> SQL


@dataclass
class _Fk:
    columns: tuple[str, ...]
    parent: tuple | None  # table key; None: the referenced table does not exist (yet)
    ref_columns: tuple[str, ...]  # () when the parent does not exist and the key was not written
    planned: bool  # not on the database yet: added later in the history
    label: str  # the parent's name, for the notes


@dataclass
class _Table:
    key: tuple
    label: str
    sql_name: str  # the quoted, qualified name
    cols: dict[str, _Col] = field(default_factory=dict)
    pk: tuple[str, ...] = ()
    fks: list[_Fk] = field(default_factory=list)
    has_rows: bool = False
    partitioned: str = ""  # "RANGE (created_at)" when the table is partitioned
    partition: dict[str, Callable[[int], str]] = field(default_factory=dict)  # column -> literal of row k
    partition_name: str = ""  # the partition those values fall in ("" when any partition will do)


def _seed(db, tables: dict[tuple, _Table], n: int, state: dict | None = None) -> list[str]:
    """Seed every empty table of `tables` with `n` rows, parents before children: a foreign key
    column takes the referenced key of an existing parent row, so the rows satisfy every key the
    database has and every key a later migration adds; a table that cannot get such values is left
    empty and named in the notes. `state` is kept from one call to the next (one replay): the key
    values given for tables not created yet, re-pointed (_repoint) once such a table exists."""
    future = (state if state is not None else {}).setdefault("future", {})
    todo = [k for k, t in tables.items() if not t.has_rows] if n > 0 else []  # n = 0: only _repoint
    referenced: dict[tuple, set[str]] = {}
    for t in tables.values():
        for fk in t.fks:
            if fk.parent is not None and fk.parent in tables:
                referenced.setdefault(fk.parent, set()).update(fk.ref_columns)

    def insert_cols(t: _Table) -> list[str]:
        refs = referenced.get(t.key, set())
        return [c.name for c in t.cols.values()
                if c.insertable and (c.required or c.unique_int or c.name in refs or c.name in t.partition)]

    def active(t: _Table) -> list[_Fk]:
        """The keys the row must satisfy: those with a column that gets a value (a NULL column
        satisfies a key, MATCH SIMPLE)."""
        cols = set(insert_cols(t))
        return [fk for fk in t.fks if cols & set(fk.columns)]

    notes: list[str] = []
    failed: dict[tuple, str] = {}
    seeded: set[tuple] = set()
    pending = list(todo)
    while pending:
        ready = [k for k in pending if all(fk.parent in (None, k) or fk.parent not in pending
                                           for fk in active(tables[k]))]
        if not ready:
            for k in pending:
                failed[k] = "its foreign keys form a cycle of NOT NULL columns with " + ", ".join(
                    sorted({tables[fk.parent].label for fk in active(tables[k]) if fk.parent in pending
                            and fk.parent != k}))
            break
        for k in ready:
            pending.remove(k)
            t = tables[k]
            try:
                rows = _rows(db, t, tables, insert_cols(t), active(t), n, failed)
            except _NoParentRow as e:
                failed[k] = str(e)
                continue
            error = db.insert(t, rows)
            if error is not None:
                if t.partitioned:
                    where = (f"flylint put it in partition {t.partition_name}" if t.partition_name else
                             "flylint found no partition whose bounds it can meet" if not t.partition else
                             "flylint put it in a partition")
                    error = f"it is partitioned by {t.partitioned} and the database refused the row ({where}): {error}"
                failed[k] = error
                continue
            seeded.add(k)
            notes.append(f"seeded {n} row{'s' if n != 1 else ''} into {t.label}"
                         + (f" (partition {t.partition_name})" if t.partition_name else ""))
            for fk in active(t):
                if fk.parent is None:
                    future[(k, fk.columns)] = [tuple(row[c] for c in fk.columns) for row in rows]
    for k in todo:
        if k in failed:
            notes.append(f"could not seed {tables[k].label}: {failed[k]}")
    notes.extend(_repoint(db, tables, n, future))
    return notes


def _repoint(db, tables: dict[tuple, _Table], n: int, future: dict) -> list[str]:
    """Seed rows whose key (of a foreign key a later migration adds) was given the value a table not
    created yet would be seeded with: once that table exists and has rows that a migration inserted
    (so it was not seeded), point the seed rows at them, so the later ADD FOREIGN KEY does not fail
    on them. Only the values flylint wrote are touched, never rows a migration inserted."""
    notes = []
    for (key, cols), values in list(future.items()):
        t = tables.get(key)
        fk = next((f for f in t.fks if f.columns == cols), None) if t is not None else None
        if fk is None or not fk.planned:  # the table or column is gone, or the key exists already
            del future[(key, cols)]
            continue
        if fk.parent is None or fk.parent == key:
            continue
        parent = tables[fk.parent]
        missing = [v for v in dict.fromkeys(values) if not db.has_key(parent, fk.ref_columns, v)]
        keys = db.keys(parent, fk.ref_columns, max(n, len(missing))) if missing else []
        if missing and not keys:
            continue  # the parent has no rows yet
        del future[(key, cols)]
        if not missing:
            continue
        error = db.update(t, cols, [(v, keys[i % len(keys)]) for i, v in enumerate(missing)])
        what = f"{t.label} ({', '.join(cols)})"
        notes.append(f"could not point the seed rows of {what} at the rows of {parent.label}: {error}" if error
                     else f"pointed the seed rows of {what} at the rows of {parent.label}, for the foreign key "
                          "a later migration adds")
    return notes


class _NoParentRow(Exception):
    pass


def _rows(db, t: _Table, tables, names: list[str], fks: list[_Fk], n: int, failed) -> list[dict[str, str]]:
    rows = [{c: (t.partition[c](k) if c in t.partition else t.cols[c].literal(k, t.cols[c].unique_int))
             for c in names} for k in range(1, n + 1)]
    for fk in fks:
        what = f"({', '.join(fk.columns)})"
        if fk.parent == t.key:  # the row references itself
            if not set(fk.ref_columns) <= set(names):
                raise _NoParentRow(f"its foreign key {what} references the table itself, and the referenced "
                                   "key gets no value flylint knows")
            for row in rows:
                for c, r in zip(fk.columns, fk.ref_columns):
                    row[c] = row[r]
            continue
        if fk.parent is None:  # created by a later migration: take the key it will be seeded with
            for k, row in enumerate(rows, 1):
                for c in fk.columns:
                    row[c] = t.cols[c].literal(k, True)
            continue
        keys = db.keys(tables[fk.parent], fk.ref_columns, n)
        if not keys:
            why = f": {failed[fk.parent]}" if fk.parent in failed else ""
            raise _NoParentRow(f"its foreign key {what}{' (added by a later migration)' if fk.planned else ''} "
                               f"references {fk.label}, which has no row to reference{why}")
        for k, row in enumerate(rows, 1):
            for c, v in zip(fk.columns, keys[(k - 1) % len(keys)]):
                row[c] = v
    return rows


def _planned(tables: dict[tuple, _Table], plan, match) -> None:
    """Add the history's foreign keys the database does not have (yet) to `tables`. `match(schema,
    name)` finds a table's key from a catalog key (None: no such table now); column names compare
    case-insensitively (catalog keys are folded)."""
    for fk in plan:
        child = match(fk.schema, fk.table)
        if child is None:
            continue
        t = tables[child]
        lower = {c.lower(): c for c in t.cols}
        cols = tuple(c if c in t.cols else lower.get(c.lower()) for c in fk.columns)
        if None in cols or any(set(cols) == set(have.columns) for have in t.fks):
            continue
        parent = match(fk.ref_schema, fk.ref_table)
        if parent is None:
            t.fks.append(_Fk(cols, None, (), True, fk.ref_table))
            continue
        p = tables[parent]
        plower = {c.lower(): c for c in p.cols}
        refs = tuple(c if c in p.cols else plower.get(c.lower()) for c in fk.ref_columns) if fk.ref_columns else p.pk
        if not refs or None in refs or len(refs) != len(cols):
            continue
        t.fks.append(_Fk(cols, parent, refs, True, p.label))


class _PgDb:
    def __init__(self, conn) -> None:
        self.conn = conn

    def ident(self, *names: str) -> str:
        from psycopg import sql

        return sql.Identifier(*names).as_string(self.conn)

    def keys(self, t: _Table, cols: tuple[str, ...], n: int) -> list[tuple[str, ...]]:
        from psycopg import sql

        names = ", ".join(self.ident(c) for c in cols)
        not_null = " AND ".join(f"{self.ident(c)} IS NOT NULL" for c in cols)
        rows = self.conn.execute(f"SELECT {names} FROM {t.sql_name} WHERE {not_null} ORDER BY {names} LIMIT {n}",
                                 prepare=False).fetchall()
        return [tuple(sql.Literal(v).as_string(self.conn) for v in r) for r in rows]

    def has_key(self, t: _Table, cols: tuple[str, ...], values: tuple[str, ...]) -> bool:
        where = " AND ".join(f"{self.ident(c)} = {v}" for c, v in zip(cols, values))
        return self.conn.execute(f"SELECT EXISTS (SELECT 1 FROM {t.sql_name} WHERE {where})",
                                 prepare=False).fetchone()[0]

    def update(self, t: _Table, cols: tuple[str, ...], changes: list[tuple[tuple, tuple]]) -> str | None:
        import psycopg

        try:
            self.conn.execute("BEGIN")
            for old, new in changes:
                sets = ", ".join(f"{self.ident(c)} = {v}" for c, v in zip(cols, new))
                where = " AND ".join(f"{self.ident(c)} = {v}" for c, v in zip(cols, old))
                self.conn.execute(f"UPDATE {t.sql_name} SET {sets} WHERE {where}", prepare=False)
            self.conn.execute("COMMIT")
        except psycopg.Error as e:
            self.conn.execute("ROLLBACK")
            return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return None

    def insert(self, t: _Table, rows: list[dict[str, str]]) -> str | None:
        import psycopg

        try:
            self.conn.execute("BEGIN")
            for row in rows:
                if not row:
                    self.conn.execute(f"INSERT INTO {t.sql_name} DEFAULT VALUES", prepare=False)
                    continue
                overriding = " OVERRIDING SYSTEM VALUE" if any(t.cols[c].identity for c in row) else ""
                self.conn.execute(f"INSERT INTO {t.sql_name} ({', '.join(self.ident(c) for c in row)}){overriding} "
                                  f"VALUES ({', '.join(row.values())})", prepare=False)
            self.conn.execute("COMMIT")
        except psycopg.Error as e:
            self.conn.execute("ROLLBACK")
            return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return None


# --- partitioned tables ---------------------------------------------------------------------------
# A row of a partitioned table must fall in one of its partitions: the seed values (dates in 2000,
# small numbers) rarely do. The partition key columns take a value inside an existing partition's
# bounds, read from the catalogs: the newest partition bounded on both sides first (old ones are
# what retention migrations detach and drop; an open-ended one is what they split), then a LIST
# value, then an open-ended range; a DEFAULT or HASH partition takes the ordinary seed values. A
# row that lands in a partition a later migration drops is gone with it: the table is empty again,
# and seeded again before the next release, like any table a migration empties.

def _split_top(text: str) -> list[str]:
    """`'a', (1, 'b'), MAXVALUE` -> ["'a'", "(1, 'b')", "MAXVALUE"]: split on the commas outside
    quotes and parentheses."""
    out, depth, quote, start = [], 0, False, 0
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == "'":
                if text[i + 1:i + 2] == "'":
                    i += 1
                else:
                    quote = False
        elif ch == "'":
            quote = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
        i += 1
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


def _unparen(text: str) -> str:
    text = text.strip()
    return text[1:-1].strip() if text.startswith("(") and text.endswith(")") else text


def _is_bound(v: str) -> bool:
    return v.upper() not in ("MINVALUE", "MAXVALUE", "NULL")


def _int(v: str) -> int | None:
    try:
        return int(v.strip("'"))
    except ValueError:
        return None


_PG_INTS = ("smallint", "integer", "bigint")
_PG_RANGE = re.compile(r"^FOR VALUES FROM \((.*)\) TO \((.*)\)$", re.S)
_PG_LIST = re.compile(r"^FOR VALUES IN \((.*)\)$", re.S)


def _pg_range_values(lo: list[str], hi: list[str], cols: list[tuple[str, str, str]]):
    """Column -> literal of row k inside FROM (lo) TO (hi), or None; and whether both ends are bounded."""
    out: dict[str, Callable[[int], str]] = {}
    for i, (name, typ, category) in enumerate(cols):
        low, high = lo[i], hi[i]
        if low.upper() == "MAXVALUE":
            return None, False
        if low.upper() == "MINVALUE":
            if i > 0:
                break  # (a, MINVALUE): any value of this column and the next ones is above it
            if not _is_bound(high):
                return {}, False  # FROM (MINVALUE) TO (MAXVALUE): anything
            if category == "N":
                out[name] = lambda k, h=high, ty=typ: f"({h}::{ty} - {k})"
            elif category == "D":
                out[name] = lambda k, h=high, ty=typ: f"({h}::{ty} - interval '{k} day')::{ty}"
            else:
                return None, False
            return out, False
        span = None
        if len(cols) == 1 and typ in _PG_INTS and _int(low) is not None:
            span = (_int(high) - _int(low)) if _is_bound(high) and _int(high) is not None else 1 << 30
        if span:
            out[name] = lambda k, lo_=low, ty=typ, sp=span: f"({lo_}::{ty} + {(k - 1) % sp})"
        else:
            out[name] = lambda k, lo_=low, ty=typ: f"{lo_}::{ty}"
    return out, all(_is_bound(v) for v in lo + hi)


def _pg_partition(conn, oid: int, label: str, depth: int = 0):
    """(column -> literal of row k, the leaf partition's name) for a row of the partitioned table
    `oid`, or None when no partition's bounds can be met (expression keys, no partitions)."""
    row = conn.execute("SELECT partstrat, partattrs::int2[] FROM pg_partitioned_table WHERE partrelid = %s",
                       (oid,)).fetchone()
    if row is None:
        return {}, label  # a leaf
    strat, attrs = row
    if depth > 8 or not attrs or 0 in attrs:
        return None  # a key on an expression: flylint cannot aim at it
    info = {num: (name, typ, cat) for num, name, typ, cat in conn.execute(
        "SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), t.typcategory FROM pg_attribute a "
        "JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = %s AND a.attnum > 0", (oid,)).fetchall()}
    cols = [info[a] for a in attrs]
    ranked: list[tuple[int, int, str, dict]] = []  # (rank, order, child oid and name, values)
    children = conn.execute(
        "SELECT c.oid, c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s ORDER BY c.oid", (oid,)).fetchall()
    bounded: list[tuple[int, str]] = []  # (index, lower literal of the first column) of two-sided ranges
    for i, (child, name, bound) in enumerate(children):
        bound = (bound or "").strip()
        if bound == "DEFAULT" or bound.startswith("FOR VALUES WITH"):
            ranked.append((3, i, child, name, {}))
        elif (m := _PG_LIST.match(bound)) and strat == "l":
            values = [v for v in _split_top(m.group(1)) if v.upper() != "NULL"]
            if values:
                col, typ = cols[0][0], cols[0][1]
                ranked.append((1, i, child, name, {col: lambda k, vs=values, ty=typ: f"{vs[(k - 1) % len(vs)]}::{ty}"}))
        elif (m := _PG_RANGE.match(bound)) and strat == "r":
            lo, hi = _split_top(m.group(1)), _split_top(m.group(2))
            if len(lo) != len(cols) or len(hi) != len(cols):
                continue
            values, two_sided = _pg_range_values(lo, hi, cols)
            if values is None:
                continue
            ranked.append((0 if two_sided else 2, i, child, name, values))
            if two_sided:
                bounded.append((i, lo[0]))
    newest = {}
    if len(bounded) > 1:  # newest first: order the lower bounds on the server, in the column's type
        typ = cols[0][1]
        try:
            rows = conn.execute("SELECT i FROM (VALUES " + ", ".join(f"({i}, {v}::{typ})" for i, v in bounded)
                                + ") AS v(i, b) ORDER BY b DESC", prepare=False).fetchall()
            newest = {i: pos for pos, (i,) in enumerate(rows)}
        except Exception:  # noqa: BLE001 - an odd literal: keep the order they were created in
            newest = {}
    ranked.sort(key=lambda r: (r[0], newest.get(r[1], -r[1]) if r[0] == 0 else r[1]))
    for rank, _i, child, name, values in ranked:
        sub = _pg_partition(conn, child, name, depth + 1)
        if sub is not None:  # a DEFAULT or HASH partition takes any row: which one is not known
            return {**values, **sub[0]}, sub[1] if rank < 3 or sub[0] else ""
    return None


def seed_postgres(conn, n: int, plan: tuple[ForeignKey, ...] = (), state: dict | None = None) -> list[str]:
    """Seed every empty table; returns notes (tables seeded, tables that could not be). `plan`: the
    history's foreign keys (planned_foreign_keys), which the rows satisfy before they exist; `state`:
    one dict for the calls of one replay."""
    if n <= 0 and not (state or {}).get("future"):
        return []
    db = _PgDb(conn)
    tables: dict[tuple, _Table] = {}
    oids: dict[int, tuple] = {}
    for oid, nsp, name in conn.execute("""
            SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%%'
            ORDER BY n.nspname, c.relname""").fetchall():
        t = _Table((nsp, name), _label(nsp, name), db.ident(nsp, name))
        t.has_rows = conn.execute(f"SELECT EXISTS (SELECT 1 FROM {t.sql_name})", prepare=False).fetchone()[0]
        unique = {a for (a,) in conn.execute(
            "SELECT DISTINCT unnest(indkey) FROM pg_index WHERE indrelid = %s AND indisunique", (oid,)).fetchall()}
        attnames = {}
        for attname, typ, category, typid, attnum, notnull, hasdef, identity, generated in conn.execute("""
                SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typcategory, a.atttypid, a.attnum,
                       a.attnotnull, a.atthasdef, a.attidentity <> '', a.attgenerated <> ''
                FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""", (oid,)).fetchall():
            attnames[attnum] = attname
            t.cols[attname] = _Col(
                attname, not notnull, notnull and not hasdef and not identity and not generated,
                attnum in unique and category == "N" and not generated, not generated, identity,
                lambda k, u, c=category, ty=typ, ti=typid: _pg_literal(c, ty, ti, k, unique=u))
        strat = conn.execute("SELECT pg_get_partkeydef(%s)", (oid,)).fetchone()[0]
        if strat and not t.has_rows:
            t.partitioned = strat
            picked = _pg_partition(conn, oid, t.label)
            if picked is not None:
                t.partition, leaf = picked
                t.partition_name = leaf if leaf != t.label else ""
        pk = conn.execute("SELECT indkey::int2[] FROM pg_index WHERE indrelid = %s AND indisprimary",
                          (oid,)).fetchone()
        t.pk = tuple(attnames[a] for a in (pk[0] if pk else ()) if a in attnames)
        tables[t.key] = t
        oids[oid] = (t.key, attnames)
    for oid, (key, attnames) in oids.items():
        for conkey, confkey, confrelid in conn.execute(
                "SELECT conkey, confkey, confrelid FROM pg_constraint WHERE conrelid = %s AND contype = 'f' "
                "ORDER BY conname", (oid,)).fetchall():
            if confrelid not in oids:
                continue
            pkey, pnames = oids[confrelid]
            tables[key].fks.append(_Fk(tuple(attnames[a] for a in conkey), pkey,
                                       tuple(pnames[a] for a in confkey), False, tables[pkey].label))

    def match(schema: str, name: str):
        for k in ((schema, name), (schema.lower(), name.lower())):
            if k in tables:
                return k
        return None

    _planned(tables, plan, match)
    return _seed(db, tables, n, state)


def _label(nsp: str, name: str) -> str:
    return name if nsp == "public" else f"{nsp}.{name}"


_ENUM_FIRST = re.compile(r"^(?:enum|set)\('((?:[^']|'')*)'", re.I)


def _my_literal(data_type: str, column_type: str, k: int, unique: bool = False) -> str:
    t = data_type.lower()
    if unique and t in _HIGH:
        return str(_HIGH[t] + k + (100 if t == "tinyint" and "unsigned" in column_type.lower() else 0))
    if t in ("tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric", "float",
             "double", "real"):
        return str(k if t != "tinyint" else k % 100)
    if t == "year":
        return str(2000 + k % 100)
    if t == "date":
        return f"DATE_ADD('2000-01-01', INTERVAL {k} DAY)"
    if t in ("datetime", "timestamp"):
        return f"DATE_ADD('2000-01-01 00:00:00', INTERVAL {k} DAY)"
    if t == "time":
        return f"SEC_TO_TIME({k})"
    if t in ("enum", "set"):
        m = _ENUM_FIRST.match(column_type)
        return "'" + (m.group(1) if m else "") + "'"
    if t == "json":
        return f"'{{\"seed\": {k}}}'"
    if t == "bit":
        return "b'1'"
    if t in ("char", "varchar", "tinytext", "text", "mediumtext", "longtext"):
        return f"'~{k}'"
    return f"'{k}'"


class _MyDb:
    def __init__(self, conn, database: str) -> None:
        self.conn, self.database = conn, database

    @staticmethod
    def ident(name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def keys(self, t: _Table, cols: tuple[str, ...], n: int) -> list[tuple[str, ...]]:
        names = ", ".join(self.ident(c) for c in cols)
        not_null = " AND ".join(f"{self.ident(c)} IS NOT NULL" for c in cols)
        with self.conn.cursor() as cur:
            cur.execute(f"SELECT {names} FROM {t.sql_name} WHERE {not_null} ORDER BY {names} LIMIT {n}")
            rows = cur.fetchall()
        self.conn.commit()
        return [tuple(self.conn.escape(v) for v in r) for r in rows]

    def has_key(self, t: _Table, cols: tuple[str, ...], values: tuple[str, ...]) -> bool:
        where = " AND ".join(f"{self.ident(c)} = {v}" for c, v in zip(cols, values))
        with self.conn.cursor() as cur:
            cur.execute(f"SELECT 1 FROM {t.sql_name} WHERE {where} LIMIT 1")
            found = cur.fetchone() is not None
        self.conn.commit()
        return found

    def update(self, t: _Table, cols: tuple[str, ...], changes: list[tuple[tuple, tuple]]) -> str | None:
        import pymysql

        try:
            with self.conn.cursor() as cur:
                for old, new in changes:
                    sets = ", ".join(f"{self.ident(c)} = {v}" for c, v in zip(cols, new))
                    where = " AND ".join(f"{self.ident(c)} = {v}" for c, v in zip(cols, old))
                    cur.execute(f"UPDATE {t.sql_name} SET {sets} WHERE {where}")
            self.conn.commit()
        except pymysql.err.MySQLError as e:
            self.conn.rollback()
            return f"{e.args[0]}: {e.args[1]}" if len(e.args) > 1 else str(e)
        return None

    def insert(self, t: _Table, rows: list[dict[str, str]]) -> str | None:
        import pymysql

        try:
            with self.conn.cursor() as cur:
                for row in rows:
                    cur.execute(f"INSERT INTO {t.sql_name} ({', '.join(self.ident(c) for c in row)}) "
                                f"VALUES ({', '.join(row.values())})")
            self.conn.commit()
        except pymysql.err.MySQLError as e:
            self.conn.rollback()
            return f"{e.args[0]}: {e.args[1]}" if len(e.args) > 1 else str(e)
        return None


_MY_INVERSE = {  # RANGE/LIST (f(col)): a value of col whose f is the SQL integer expression v
    "": lambda v: v,
    "to_days": lambda v: f"FROM_DAYS({v})",
    "year": lambda v: f"MAKEDATE({v}, 1)",
    "unix_timestamp": lambda v: f"FROM_UNIXTIME({v})",
    "to_seconds": lambda v: f"DATE_ADD(FROM_DAYS(({v}) DIV 86400), INTERVAL ({v}) MOD 86400 SECOND)",
}
_MY_EXPR = re.compile(r"^\s*(?:(to_days|year|unix_timestamp|to_seconds)\s*\(\s*)?`((?:[^`]|``)+)`\s*\)?\s*$", re.I)
_MY_NUMBERS = ("tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric")


def _my_partition(method: str, expression: str, parts: list[tuple[str, str]], types: dict[str, str]):
    """(column -> literal of row k, partition name) for a row of a table partitioned by `method`
    on `expression` with `parts` [(name, PARTITION_DESCRIPTION)] in order; ({}, "") when any value
    fits (HASH, KEY, a single MAXVALUE partition); None when no bound can be met."""
    method = method.upper()
    if not method.startswith(("RANGE", "LIST")):
        return {}, ""
    if method.endswith("COLUMNS"):
        cols = [c.strip().strip("`").replace("``", "`") for c in _split_top(expression or "")]
        inverse = [_MY_INVERSE[""]] * len(cols)
    else:
        m = _MY_EXPR.match(expression or "")
        if m is None or (m.group(1) is None) != (expression.strip().startswith("`")):
            return None  # an expression flylint cannot invert
        cols, inverse = [m.group(2).replace("``", "`")], [_MY_INVERSE[(m.group(1) or "").lower()]]
    if any(c not in types for c in cols):
        return None

    def values(tuple_: list[str], offset: Callable[[str, str, int], str] | None = None):
        out = {}
        for c, inv, v in zip(cols, inverse, tuple_):
            out[c] = (lambda k, c=c, inv=inv, v=v: inv(offset(c, v, k))) if offset else (lambda k, inv=inv, v=v: inv(v))
        return out

    if method.startswith("LIST"):
        for name, desc in parts:
            for entry in _split_top(desc or ""):
                tuple_ = _split_top(_unparen(entry)) if len(cols) > 1 else [entry]
                if len(tuple_) == len(cols) and all(v.upper() != "NULL" for v in tuple_):
                    return values(tuple_), name
        return None
    bounds = [_split_top(desc or "") for _name, desc in parts]
    finite = [i for i, b in enumerate(bounds) if len(b) == len(cols) and all(_is_bound(v) for v in b)]
    for i in reversed(finite):  # the newest partition bounded on both sides: [bound i-1, bound i)
        if i >= 1 and i - 1 in finite:
            lo, hi = bounds[i - 1], bounds[i]

            def step(c, v, k, lo=lo, hi=hi):
                a, b = _int(v), _int(hi[cols.index(c)])
                if len(cols) == 1 and a is not None and b is not None and b > a and not method.endswith("COLUMNS"):
                    return str(a + (k - 1) % (b - a))
                return v
            return values(lo, step), parts[i][0]
    if finite and finite[0] == 0:  # only the first partition has a bound: below it
        def below(c, v, k):
            t = types[c].lower()
            if not method.endswith("COLUMNS") or t in _MY_NUMBERS:
                return f"({v} - {k})"
            if t in ("date", "datetime", "timestamp"):
                return f"DATE_SUB({v}, INTERVAL {k} DAY)"
            return v
        if len(cols) == 1 and (not method.endswith("COLUMNS")
                               or types[cols[0]].lower() in _MY_NUMBERS + ("date", "datetime", "timestamp")):
            return values(bounds[0], below), parts[0][0]
        return None
    if len(parts) == 1 and bounds and all(v.upper() == "MAXVALUE" for v in bounds[0]):
        return {}, ""  # VALUES LESS THAN (MAXVALUE): anything
    return None


def seed_mysql(conn, database: str, n: int, plan: tuple[ForeignKey, ...] = (), schema: str | None = None,
               state: dict | None = None) -> list[str]:
    """Seed every empty table of `database`; returns notes. `plan`: the history's foreign keys
    (planned_foreign_keys) whose catalog schema is `schema` (the database the migrations name; the
    scratch database stands for it); `state`: one dict for the calls of one replay."""
    if n <= 0 and not (state or {}).get("future"):
        return []
    db = _MyDb(conn, database)
    tables: dict[tuple, _Table] = {}
    with conn.cursor() as cur:
        cur.execute("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s "
                    "AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME", (database,))
        for (name,) in cur.fetchall():
            t = _Table((database, name), name, db.ident(name))
            cur.execute(f"SELECT 1 FROM {t.sql_name} LIMIT 1")
            t.has_rows = cur.fetchone() is not None
            tables[t.key] = t
        cur.execute("SELECT TABLE_NAME, COLUMN_NAME, INDEX_NAME FROM information_schema.STATISTICS "
                    "WHERE TABLE_SCHEMA = %s AND NON_UNIQUE = 0 ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
                    (database,))
        unique: set[tuple[str, str]] = set()
        for table, col, index in cur.fetchall():
            unique.add((table, col))
            if index == "PRIMARY" and (database, table) in tables:
                tables[(database, table)].pk += (col,)
        cur.execute("""SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE = 'YES',
                              COLUMN_DEFAULT IS NULL, EXTRA LIKE '%%auto_increment%%', EXTRA LIKE '%%GENERATED%%'
                       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s
                       ORDER BY TABLE_NAME, ORDINAL_POSITION""", (database,))
        col_types: dict[tuple[str, str], str] = {}
        for table, col, data_type, column_type, nullable, no_default, auto, generated in cur.fetchall():
            col_types[(table, col)] = data_type
            t = tables.get((database, table))
            if t is None:
                continue
            t.cols[col] = _Col(col, bool(nullable), not nullable and bool(no_default) and not auto and not generated,
                               (table, col) in unique and data_type.lower() in _HIGH and not generated,
                               not generated, bool(auto),
                               lambda k, u, d=data_type, c=column_type: _my_literal(d, c, k, unique=u))
        cur.execute("""SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME,
                              REFERENCED_COLUMN_NAME
                       FROM information_schema.KEY_COLUMN_USAGE
                       WHERE TABLE_SCHEMA = %s AND REFERENCED_TABLE_NAME IS NOT NULL
                       ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION""", (database,))
        fks: dict[tuple[str, str], list] = {}
        for table, cname, col, rschema, rtable, rcol in cur.fetchall():
            fks.setdefault((table, cname), []).append((col, rschema, rtable, rcol))
        cur.execute("""SELECT TABLE_NAME, PARTITION_NAME, PARTITION_METHOD, PARTITION_EXPRESSION, PARTITION_DESCRIPTION
                       FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = %s AND PARTITION_NAME IS NOT NULL
                       ORDER BY TABLE_NAME, PARTITION_ORDINAL_POSITION, SUBPARTITION_ORDINAL_POSITION""", (database,))
        partitions: dict[str, tuple[str, str, dict[str, str]]] = {}
        for table, pname, method, expression, desc in cur.fetchall():
            _method, _expr, named = partitions.setdefault(table, (method or "", expression or "", {}))
            named.setdefault(pname, desc)
    conn.commit()
    for table, (method, expression, named) in partitions.items():
        t = tables.get((database, table))
        if t is None or t.has_rows:
            continue
        t.partitioned = f"{method} ({expression.replace('`', '')})"
        types = {c: col_types[(table, c)] for c in t.cols if (table, c) in col_types}
        picked = _my_partition(method, expression, list(named.items()), types)
        if picked is not None:
            t.partition = {c: f for c, f in picked[0].items() if c in t.cols and t.cols[c].insertable}
            t.partition_name = picked[1]
    for (table, _cname), parts in fks.items():
        t = tables.get((database, table))
        if t is None:
            continue
        parent = (parts[0][1], parts[0][2])
        if parent not in tables:  # not created yet (foreign_key_checks=0) or in another database
            t.fks.append(_Fk(tuple(p[0] for p in parts), None, (), False, parts[0][2]))
            continue
        t.fks.append(_Fk(tuple(p[0] for p in parts), parent, tuple(p[3] for p in parts), False, tables[parent].label))

    def match(sch: str, name: str):
        if schema is not None and sch != schema:
            return None
        if (database, name) in tables:
            return (database, name)
        lower = [k for k in tables if k[1].lower() == name.lower()]
        return lower[0] if len(lower) == 1 else None

    _planned(tables, plan, match)
    return _seed(db, tables, n, state)
