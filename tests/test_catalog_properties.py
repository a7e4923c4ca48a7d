"""Property tests of the replay: random migration histories never break it or its catalog.

A small grammar writes realistic statements (and some garbage) over a small pool of table, column,
index and constraint names, so that histories often refer to things that were dropped, renamed or
never created. Each history is written as V1..Vn files and run through the real engine.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flylint.catalog.changes import CLASS_ORDER, KINDS
from flylint.engine import Options, run

TABLES = {"postgres": ["t1", "t2", "T3", "app.t1", '"Mixed"'], "mysql": ["t1", "t2", "T3", "app.t1", "`Mixed`"]}
COLUMNS = ["a", "b", "c", "A", "id"]
INDEXES = ["i1", "i2"]
CONSTRAINTS = ["k1", "k2"]

PG_TYPES = ["int", "bigint", "text", "varchar(10)", "varchar(200)", "numeric(10,2)", "boolean", "timestamptz"]
MY_TYPES = ["int", "bigint", "int unsigned", "text", "varchar(10)", "varchar(200)", "decimal(10,2)",
            "ENUM('x','y')", "ENUM('x','y','z')"]
DEFAULTS = {"postgres": ["0", "'x'", "now()", "random()", "gen_random_uuid()", "NULL"],
            "mysql": ["0", "'x'", "(uuid())", "NULL", "(rand())"]}

GARBAGE = [
    "ALTER TABLE t1 FROBNICATE", "SELEC 1", "CREATE TABLE (", "ALTER TABLE t1 ADD COLUMN",
    "DROP", "UPDATE SET x = 1", "ALTER TABLE t1 ADD CONSTRAINT k1 CHECK (", "'unterminated",
    "CREATE INDEX ON", "ALTER TABLE t1 RENAME", "))((", "ALTER TABLE t1 DROP CONSTRAINT",
]


def _column_def(draw, dialect):
    col = draw(st.sampled_from(COLUMNS))
    typ = draw(st.sampled_from(PG_TYPES if dialect == "postgres" else MY_TYPES))
    parts = [col, typ]
    if draw(st.booleans()):
        parts.append("NOT NULL")
    if draw(st.integers(0, 3)) == 0:
        parts.append("DEFAULT " + draw(st.sampled_from(DEFAULTS[dialect])))
    extra = draw(st.integers(0, 12))
    if extra == 0:
        parts.append("PRIMARY KEY")
    elif extra == 1:
        parts.append("UNIQUE")
    elif extra == 2:
        parts.append(f"CHECK ({col} IS NOT NULL)")
    elif extra == 3:
        parts.append(f"REFERENCES {draw(st.sampled_from(TABLES[dialect]))} (id)")
    elif extra == 4:
        parts.append("GENERATED ALWAYS AS IDENTITY" if dialect == "postgres" else "AUTO_INCREMENT")
    return " ".join(parts)


@st.composite
def statement(draw, dialect, dirty):
    pg = dialect == "postgres"
    t = draw(st.sampled_from(TABLES[dialect]))
    t2 = draw(st.sampled_from(TABLES[dialect]))
    c = draw(st.sampled_from(COLUMNS))
    c2 = draw(st.sampled_from(COLUMNS))
    i = draw(st.sampled_from(INDEXES))
    k = draw(st.sampled_from(CONSTRAINTS))
    typ = draw(st.sampled_from(PG_TYPES if pg else MY_TYPES))
    choice = draw(st.integers(0, 37))
    if not dirty and choice in (24, 25):  # a clean history: no garbage, no opaque code
        choice = 33
    if choice <= 3:
        defs = [_column_def(draw, dialect) for _ in range(draw(st.integers(1, 3)))]
        if draw(st.booleans()):
            defs.append(f"PRIMARY KEY ({c})")
        if not pg and draw(st.booleans()):
            defs.append(f"KEY {i} ({c})")
        ine = "IF NOT EXISTS " if draw(st.booleans()) else ""
        return f"CREATE TABLE {ine}{t} ({', '.join(defs)})"
    if choice == 4:
        return f"ALTER TABLE {t} ADD COLUMN {_column_def(draw, dialect)}"
    if choice == 5:
        return f"ALTER TABLE {t} DROP COLUMN {'IF EXISTS ' if pg and draw(st.booleans()) else ''}{c}"
    if choice == 6:
        if pg:
            return f"ALTER TABLE {t} RENAME {'COLUMN ' if draw(st.booleans()) else ''}{c} TO {c2}"
        return draw(st.sampled_from([f"ALTER TABLE {t} RENAME COLUMN {c} TO {c2}",
                                     f"ALTER TABLE {t} CHANGE {c} {c2} {typ}"]))
    if choice == 7:
        if pg:
            return draw(st.sampled_from([
                f"ALTER TABLE {t} ALTER COLUMN {c} TYPE {typ}", f"ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL",
                f"ALTER TABLE {t} ALTER COLUMN {c} DROP NOT NULL", f"ALTER TABLE {t} ALTER {c} SET DEFAULT 1",
                f"ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT",
            ]))
        nn = " NOT NULL" if draw(st.booleans()) else ""
        return f"ALTER TABLE {t} MODIFY {c} {typ}{nn}"
    if choice == 8:
        if pg:
            return f"ALTER TABLE {t} RENAME TO {t2.split('.')[-1]}"
        return draw(st.sampled_from([f"RENAME TABLE {t} TO {t2}", f"RENAME TABLE {t} TO {t2}, {t2} TO {t}",
                                     f"ALTER TABLE {t} RENAME TO {t2}"]))
    if choice == 9:
        return f"DROP TABLE {'IF EXISTS ' if draw(st.booleans()) else ''}{t}"
    if choice == 10:
        unique = "UNIQUE " if draw(st.booleans()) else ""
        name = "" if pg and draw(st.integers(0, 3)) == 0 else f"{i} "
        conc = "CONCURRENTLY " if pg and draw(st.booleans()) else ""
        return f"CREATE {unique}INDEX {conc}{name}ON {t} ({c})"
    if choice == 11:
        if pg:
            return f"DROP INDEX {'IF EXISTS ' if draw(st.booleans()) else ''}{i}"
        return draw(st.sampled_from([f"DROP INDEX {i} ON {t}", f"ALTER TABLE {t} DROP INDEX {i}",
                                     f"ALTER TABLE {t} ADD INDEX {i} ({c})", f"ALTER TABLE {t} ADD INDEX ({c})"]))
    if choice == 12:
        body = draw(st.sampled_from([f"CHECK ({c} IS NOT NULL)", f"UNIQUE ({c})", f"PRIMARY KEY ({c})",
                                     f"FOREIGN KEY ({c}) REFERENCES {t2} (id)", f"CHECK ({c} > {c2})"]))
        named = f"CONSTRAINT {k} " if draw(st.booleans()) else ""
        nv = " NOT VALID" if pg and draw(st.booleans()) and ("CHECK" in body or "FOREIGN" in body) else ""
        return f"ALTER TABLE {t} ADD {named}{body}{nv}"
    if choice == 13:
        if pg:
            return f"ALTER TABLE {t} VALIDATE CONSTRAINT {k}"
        return f"ALTER TABLE {t} DROP FOREIGN KEY {k}"
    if choice == 14:
        return f"ALTER TABLE {t} DROP CONSTRAINT {'IF EXISTS ' if pg and draw(st.booleans()) else ''}{k}"
    if choice == 15:
        where = f" WHERE {c2} IS NULL" if draw(st.booleans()) else ""
        return f"UPDATE {t} SET {c} = {c2}{where}"
    if choice == 16:
        return f"DELETE FROM {t}" + (f" WHERE {c} = 1" if draw(st.booleans()) else "")
    if choice == 17:
        return f"TRUNCATE TABLE {t}"
    if choice == 18:
        return f"INSERT INTO {t} ({c}) VALUES (1)"
    if choice == 19:
        return f"CREATE {'OR REPLACE ' if draw(st.booleans()) else ''}VIEW v1 AS SELECT {c}, {c2} FROM {t}"
    if choice == 20:
        return "DROP VIEW v1"
    if choice == 21:
        if pg:
            return draw(st.sampled_from([f"ALTER TABLE {t} SET SCHEMA app", "CREATE SCHEMA app",
                                         "DROP SCHEMA app CASCADE", "SET search_path TO app, public",
                                         "CREATE SCHEMA IF NOT EXISTS app"]))
        return draw(st.sampled_from(["CREATE DATABASE app", "DROP DATABASE app", "USE app",
                                     "SET foreign_key_checks = 0"]))
    if choice == 22:
        if pg:
            return draw(st.sampled_from([
                "CREATE TYPE mood AS ENUM ('a', 'b')", "ALTER TYPE mood ADD VALUE 'c'",
                "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'a' BEFORE 'b'", "ALTER TYPE mood RENAME VALUE 'a' TO 'z'",
                "DROP TYPE mood", "CREATE SEQUENCE s1", "DROP SEQUENCE s1", "ALTER SEQUENCE s1 RENAME TO s2",
            ]))
        return f"ALTER TABLE {t} ADD UNIQUE INDEX {i} ({c})"
    if choice == 23:
        if pg:
            return draw(st.sampled_from([
                f"CREATE UNIQUE INDEX CONCURRENTLY {i} ON {t} ({c})",
                f"ALTER TABLE {t} ADD CONSTRAINT {k} UNIQUE USING INDEX {i}",
                f"ALTER TABLE {t} ADD CONSTRAINT {k} PRIMARY KEY USING INDEX {i}",
                f"ALTER TABLE {t} RENAME CONSTRAINT {k} TO k2", f"ALTER INDEX {i} RENAME TO i2",
            ]))
        return draw(st.sampled_from([f"ALTER TABLE {t} DROP PRIMARY KEY", f"ALTER TABLE {t} RENAME INDEX {i} TO i2",
                                     f"ALTER TABLE {t} DROP CHECK {k}", f"CREATE TABLE {t2} LIKE {t}"]))
    if choice == 24:
        return draw(st.sampled_from(GARBAGE))
    if choice == 25:
        if pg:
            return draw(st.sampled_from(["DO $$ BEGIN NULL; END $$", "SELECT f()",
                                         "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'SELECT 1'"]))
        return f"ALTER TABLE {t} ADD COLUMN {c} int, DROP COLUMN {c2}"
    if choice == 26:
        return f"CREATE TABLE {t} AS SELECT * FROM {t2}"
    if choice == 27:
        return f"ALTER TABLE {t} ADD COLUMN {c} int, ADD CONSTRAINT {k} CHECK ({c} > 0)"
    if choice == 28:
        return f"ALTER TABLE {t} DROP COLUMN {c}, DROP COLUMN {c2}"
    if choice == 29:
        if pg:
            return f"CREATE TABLE {t} (LIKE {t2} INCLUDING ALL)"
        return f"ALTER TABLE {t} MODIFY {c} {typ} PRIMARY KEY"
    if choice == 30:
        return f"LOCK TABLE {t}" if pg else f"OPTIMIZE TABLE {t}"
    if choice == 31:
        return "RESET ALL" if pg else "SET NAMES utf8mb4"
    if choice == 32:
        return f"COMMENT ON TABLE {t} IS 'x'" if pg else f"ALTER TABLE {t} ENGINE=InnoDB"
    if choice == 34:  # drops with dependents, CASCADE
        if pg:
            return draw(st.sampled_from([f"DROP TABLE {t} CASCADE", f"ALTER TABLE {t} DROP COLUMN {c} CASCADE",
                                         f"ALTER TABLE {t} DROP CONSTRAINT {k} CASCADE",
                                         f"CREATE VIEW v2 AS SELECT * FROM {t}", "DROP VIEW v1 CASCADE"]))
        return draw(st.sampled_from([f"SET foreign_key_checks = {draw(st.sampled_from([0, 1]))}",
                                     f"ALTER TABLE {t} ADD CONSTRAINT {k} FOREIGN KEY ({c}) REFERENCES {t2} ({c2})",
                                     f"ALTER TABLE {t} ADD FOREIGN KEY ({c}) REFERENCES {t2} (id)"]))
    if choice == 35 and pg:  # domains
        return draw(st.sampled_from([
            "CREATE DOMAIN d1 AS int CHECK (VALUE > 0)", f"ALTER TABLE {t} ADD COLUMN {c} d1",
            "ALTER DOMAIN d1 ADD CONSTRAINT dk CHECK (VALUE < 9) NOT VALID", "ALTER DOMAIN d1 VALIDATE CONSTRAINT dk",
            "ALTER DOMAIN d1 SET NOT NULL", "DROP DOMAIN d1", "DROP DOMAIN IF EXISTS d1 CASCADE",
            "ALTER DOMAIN d1 RENAME TO d2", "ALTER DOMAIN d1 DROP CONSTRAINT dk",
        ]))
    if choice == 36 and pg:  # partitions
        return draw(st.sampled_from([
            f"CREATE TABLE {t} ({c} int, d date) PARTITION BY RANGE (d)",
            f"CREATE TABLE {t2} PARTITION OF {t} FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')",
            f"ALTER TABLE {t} ATTACH PARTITION {t2} FOR VALUES FROM (1) TO (2)",
            f"ALTER TABLE {t} DETACH PARTITION {t2}", f"ALTER TABLE {t} DETACH PARTITION {t2} CONCURRENTLY",
        ]))
    if choice == 37 and pg:  # identity and exclusion
        return draw(st.sampled_from([
            f"ALTER TABLE {t} ALTER COLUMN {c} ADD GENERATED ALWAYS AS IDENTITY",
            f"ALTER TABLE {t} ALTER COLUMN {c} DROP IDENTITY IF EXISTS", f"ALTER TABLE {t} ALTER {c} DROP IDENTITY",
            f"ALTER TABLE {t} ADD CONSTRAINT {k} EXCLUDE USING gist ({c} WITH =)",
        ]))
    return f"ALTER TABLE {t} ADD CONSTRAINT {k} FOREIGN KEY ({c}) REFERENCES {t} ({c2})"


@st.composite
def history(draw):
    dialect = draw(st.sampled_from(["postgres", "mysql"]))
    dirty = draw(st.booleans())
    files = draw(st.lists(st.lists(statement(dialect, dirty), min_size=1, max_size=4), min_size=1, max_size=6))
    return dialect, files


def check_catalog(cat) -> None:
    for key, t in cat.tables.items():
        assert key not in cat.gone, f"{key} is both a table and gone"
        assert (t.schema, t.name) == key
        if t.complete:
            for c in t.constraints.values():
                for col in c.columns:
                    assert col == "(expression)" or col in t.columns, f"{c.name} uses missing {key}.{col}"
    for key, index in cat.indexes.items():
        assert index.table in cat.tables, f"index {key} on missing table {index.table}"
        assert cat.index_key(index.table, index.name) == key, f"index {index.name} stored under {key}"
        assert key in cat.indexes_on(index.table)
    for tkey in list(cat._by_table):
        for key in cat.indexes_on(tkey):
            assert cat.indexes[key].table == tkey


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(history())
def test_random_histories_replay_consistently(case):
    dialect, files = case
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for n, statements in enumerate(files, 1):
            (root / f"V{n}__step.sql").write_text(";\n".join(statements) + ";\n")
        result = run(Options(cwd=root, paths=(root,), dialect=dialect, cache=False))
    rp = result.replay
    assert len(rp.changes) == len(result.files)
    for fi, (fa, per_file) in enumerate(zip(result.files, rp.changes)):
        assert len(per_file) == len(fa.statements)
        for si, changes in enumerate(per_file):
            for ch in changes:
                assert ch.kind in KINDS, ch.kind
                assert ch.klass in CLASS_ORDER, ch.klass
                assert (ch.file, ch.statement) == (fi, si)
                assert ch.kind != "unanalysed" or ch.klass == "unanalysed"
                assert "could not replay" not in ch.description, ch.description  # no handler crashed
    first_unanalysed = min(((c.file, c.statement) for per_file in rp.changes for changes in per_file
                            for c in changes if c.kind == "unanalysed"), default=None)
    for p in rp.problems:
        assert p.kind in ("missing", "exists", "depends")
        assert p.statement < len(result.files[p.file].statements)
        # nothing is claimed missing or existing once something unanalysed ran
        assert first_unanalysed is None or (p.file, p.statement) < first_unanalysed
    check_catalog(rp.catalog)
