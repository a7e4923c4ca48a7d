"""Seed rows: before a measured release every empty table gets `n` synthetic rows.

An empty table hides what fails only with data (ADD COLUMN ... NOT NULL without a default on
PostgreSQL, SET NOT NULL, CHECK and foreign key validation) and makes every rewrite look free.
Only columns that need a value get one (NOT NULL without a default, not generated or identity);
nullable columns stay NULL, as they may well be in production. Integer columns of a primary key
or unique index (serial, identity and AUTO_INCREMENT ones too) get values far above the ones
migrations insert (1,000,000,000 and up for int), so reference data a later migration inserts
with explicit ids (`INSERT INTO status VALUES (1, 'new')`) does not collide with the seeded row. A foreign key column takes a value
from the referenced table, so tables are seeded over several passes; a table whose row the
database refuses (a CHECK constraint, an exotic type) is left empty and named in the notes.
"""

from __future__ import annotations

import re


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


def seed_postgres(conn, n: int) -> list[str]:
    """Seed every empty table; returns notes (tables seeded, tables that could not be)."""
    import psycopg
    from psycopg import sql

    if n <= 0:
        return []
    tables = conn.execute("""
        SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%%'
        ORDER BY n.nspname, c.relname""").fetchall()
    todo = {}
    for oid, nsp, name in tables:
        ident = sql.Identifier(nsp, name)
        if conn.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(ident)).fetchone()[0]:
            continue
        todo[oid] = (nsp, name)
    notes: list[str] = []
    errors: dict[int, str] = {}
    for _ in range(len(todo) + 1):
        progress = False
        for oid, (nsp, name) in list(todo.items()):
            try:
                conn.execute("BEGIN")
                for k in range(1, n + 1):
                    conn.execute(_pg_insert(conn, oid, nsp, name, k), prepare=False)
                conn.execute("COMMIT")
            except psycopg.Error as e:
                conn.execute("ROLLBACK")
                errors[oid] = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                continue
            del todo[oid]
            errors.pop(oid, None)
            progress = True
            notes.append(f"seeded {n} row{'s' if n != 1 else ''} into {_label(nsp, name)}")
        if not todo or not progress:
            break
    for oid, (nsp, name) in todo.items():
        notes.append(f"could not seed {_label(nsp, name)}: {errors.get(oid, 'unknown reason')}")
    return notes


def _label(nsp: str, name: str) -> str:
    return name if nsp == "public" else f"{nsp}.{name}"


def _pg_insert(conn, oid: int, nsp: str, name: str, k: int):
    from psycopg import sql

    unique = {n for (n,) in conn.execute(
        "SELECT DISTINCT unnest(indkey) FROM pg_index WHERE indrelid = %s AND indisunique", (oid,)).fetchall()}
    cols = conn.execute("""
        SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typcategory, a.atttypid, a.attnum,
               a.attidentity <> ''
        FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
        WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
          AND ((a.attnotnull AND NOT a.atthasdef AND a.attidentity = '')
               OR (a.attnum = ANY(%s) AND t.typcategory = 'N'))
        ORDER BY a.attnum""", (oid, sorted(unique))).fetchall()
    fks = {}
    for conkey, confkey, confrelid in conn.execute(
            "SELECT conkey, confkey, confrelid FROM pg_constraint WHERE conrelid = %s AND contype = 'f'",
            (oid,)).fetchall():
        for col, ref in zip(conkey, confkey):
            fks[col] = (confrelid, ref)
    names, values = [], []
    identity = False
    for attname, typ, category, typid, attnum, is_identity in cols:
        identity = identity or is_identity
        names.append(sql.Identifier(attname))
        if attnum in fks:
            relid, ref = fks[attnum]
            refname, refcol = conn.execute(
                "SELECT %s::regclass::text, attname FROM pg_attribute WHERE attrelid = %s AND attnum = %s",
                (relid, relid, ref)).fetchone()
            values.append(sql.SQL("(SELECT {} FROM {} LIMIT 1)").format(sql.Identifier(refcol), sql.SQL(refname)))
        else:
            values.append(sql.SQL(_pg_literal(category, typ, typid, k, unique=attnum in unique)))
    target = sql.Identifier(nsp, name)
    if not names:
        return sql.SQL("INSERT INTO {} DEFAULT VALUES").format(target)
    overriding = sql.SQL(" OVERRIDING SYSTEM VALUE" if identity else "")
    return sql.SQL("INSERT INTO {} ({}){} VALUES ({})").format(target, sql.SQL(", ").join(names), overriding,
                                                            sql.SQL(", ").join(values))


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


def seed_mysql(conn, database: str, n: int) -> list[str]:
    import pymysql

    if n <= 0:
        return []
    notes: list[str] = []
    with conn.cursor() as cur:
        cur.execute("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s "
                    "AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME", (database,))
        todo = []
        for (name,) in cur.fetchall():
            cur.execute(f"SELECT 1 FROM `{name}` LIMIT 1")
            if cur.fetchone() is None:
                todo.append(name)
        conn.commit()
        errors: dict[str, str] = {}
        for _ in range(len(todo) + 1):
            progress = False
            for name in list(todo):
                try:
                    for k in range(1, n + 1):
                        cur.execute(_my_insert(cur, database, name, k))
                    conn.commit()
                except pymysql.err.MySQLError as e:
                    conn.rollback()
                    errors[name] = f"{e.args[0]}: {e.args[1]}" if len(e.args) > 1 else str(e)
                    continue
                todo.remove(name)
                progress = True
                notes.append(f"seeded {n} row{'s' if n != 1 else ''} into {name}")
            if not todo or not progress:
                break
        for name in todo:
            notes.append(f"could not seed {name}: {errors.get(name, 'unknown reason')}")
    return notes


def _my_insert(cur, database: str, table: str, k: int) -> str:
    cur.execute("SELECT DISTINCT COLUMN_NAME FROM information_schema.STATISTICS "
                "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s AND NON_UNIQUE = 0", (database, table))
    unique = {c for (c,) in cur.fetchall()}
    cur.execute("""SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE = 'NO' AND COLUMN_DEFAULT IS NULL
                          AND EXTRA NOT LIKE '%%auto_increment%%'
                   FROM information_schema.COLUMNS
                   WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s AND EXTRA NOT LIKE '%%GENERATED%%'
                   ORDER BY ORDINAL_POSITION""", (database, table))
    cols = [(c, d, t) for c, d, t, required in cur.fetchall()
            if required or (c in unique and d.lower() in _HIGH)]
    cur.execute("""SELECT COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
                   FROM information_schema.KEY_COLUMN_USAGE
                   WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s AND REFERENCED_TABLE_NAME IS NOT NULL""",
                (database, table))
    fks = {c: (t, r) for c, t, r in cur.fetchall()}
    names, values = [], []
    for col, data_type, column_type in cols:
        names.append(f"`{col}`")
        if col in fks:
            t, r = fks[col]
            values.append(f"(SELECT `{r}` FROM `{t}` LIMIT 1)")
        else:
            values.append(_my_literal(data_type, column_type, k, unique=col in unique))
    if not names:
        return f"INSERT INTO `{table}` () VALUES ()"
    return f"INSERT INTO `{table}` ({', '.join(names)}) VALUES ({', '.join(values)})"
