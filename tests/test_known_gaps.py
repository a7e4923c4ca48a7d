"""Gaps closed after an audit: ADD COLUMN ... DEFAULT ... REFERENCES, CREATE TABLE ... REFERENCES a live
table, explicit table rebuilds (OPTIMIZE TABLE, ENGINE=, FORCE, VACUUM FULL, CLUSTER), DROP TRIGGER and
events, spatial columns and indexes. The lock facts are checked against the real servers too."""

from __future__ import annotations

import json
import uuid

import pytest

from conftest import run_cli, write_project
from flylint.dbfacts import cost, operation_lock
from flylint.sql.parser import parse_statement

_PG = "CREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE TABLE orders (id bigint PRIMARY KEY);\n"
_MY = "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100));\n"
_PLACES = ("CREATE TABLE places (id bigint PRIMARY KEY, name varchar(50) NOT NULL, pos point NOT NULL, "
           "SPATIAL INDEX places_pos (pos));\n")


def _lint(tmp_path, files, dialect, version=None):
    write_project(tmp_path, files)
    extra = ["--db-version", version] if version else []
    proc = run_cli(["lint", ".", "--dialect", dialect, "--format", "json", "--no-cache", "--fail-on", "never",
                    *extra], tmp_path)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["findings"]


def _rules(findings, path):
    return sorted(f["rule"] for f in findings if f["path"].endswith(path))


# -- 1. ADD COLUMN ... DEFAULT ... REFERENCES ---------------------------------------------------

def test_add_column_with_default_and_references_is_checked_under_access_exclusive(tmp_path):
    got = _lint(tmp_path, {"V1__init.sql": _PG, "V2__fk.sql": "SET lock_timeout = '5s';\n"
                           "ALTER TABLE orders ADD COLUMN buyer_id bigint NOT NULL DEFAULT 1 REFERENCES users (id);\n"},
                "postgres", "15")
    (f,) = [f for f in got if f["rule"] == "constraint-on-live-table"]
    assert f["line"] == 2 and f["change"] == "add-column"
    assert "ACCESS EXCLUSIVE lock on orders" in f["message"] and "SHARE ROW EXCLUSIVE on users" in f["message"]
    assert f["fix"] == (
        "Add the column without the constraint: ALTER TABLE orders ADD COLUMN buyer_id bigint NOT NULL DEFAULT 1; "
        "then ALTER TABLE orders ADD CONSTRAINT orders_buyer_id_fkey FOREIGN KEY (buyer_id) REFERENCES users (id) "
        "NOT VALID; (no scan), and in a later migration ALTER TABLE orders VALIDATE CONSTRAINT orders_buyer_id_fkey; "
        "(reads and writes continue while it scans).")


@pytest.mark.parametrize("files", [
    {"V1__init.sql": _PG, "V2__fk.sql": "SET lock_timeout = '5s';\n"
     "ALTER TABLE orders ADD COLUMN buyer_id bigint REFERENCES users (id);\n"},  # every value NULL: no check
    {"V1__init.sql": _PG + "ALTER TABLE orders ADD COLUMN buyer_id bigint DEFAULT 1 REFERENCES users (id);\n"},
], ids=["no-default", "born"])
def test_add_column_references_stays_quiet_without_a_check(tmp_path, files):
    assert "constraint-on-live-table" not in {f["rule"] for f in _lint(tmp_path, files, "postgres", "15")}


# -- 2. CREATE TABLE ... REFERENCES a live table ----------------------------------------------

def test_create_table_referencing_a_live_table_needs_a_lock_timeout(tmp_path):
    new = "CREATE TABLE items (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n"
    got = _lint(tmp_path / "a", {"V1__init.sql": _PG, "V2__items.sql": new}, "postgres")
    (f,) = [f for f in got if f["rule"] == "lock-timeout"]
    assert "locks users" in f["message"] and "every write to users queues" in f["message"]
    assert "lock-timeout" not in _rules(_lint(tmp_path / "b", {"V1__init.sql": _PG, "V2__items.sql":
                                                               "SET lock_timeout = '5s';\n" + new}, "postgres"), "V2__items.sql")
    assert "lock-timeout" not in _rules(_lint(tmp_path / "c", {"V1__init.sql": _PG + new}, "postgres"), "V1__init.sql")
    # MariaDB takes no metadata lock on the referenced table (measured below)
    assert "lock-timeout" not in _rules(_lint(tmp_path / "d", {
        "V1__init.sql": _MY, "V2__items.sql": "CREATE TABLE items (id bigint PRIMARY KEY, user_id bigint, "
        "FOREIGN KEY (user_id) REFERENCES users (id));\n"}, "mariadb"), "V2__items.sql")


# -- 3. explicit rebuilds ---------------------------------------------------------------------

@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
@pytest.mark.parametrize("statement", ["OPTIMIZE TABLE users;", "ALTER TABLE users ENGINE=InnoDB;",
                                       "ALTER TABLE users FORCE;"])
def test_mysql_rebuilds_are_rewrite_table_findings(tmp_path, dialect, statement):
    got = _lint(tmp_path, {"V1__init.sql": _MY, "V2__rebuild.sql": "SET SESSION lock_wait_timeout = 5;\n" + statement
                           + "\n"}, dialect, "8.0.35" if dialect == "mysql" else "10.11")
    (f,) = [f for f in got if f["rule"] == "table-rewrite"]
    assert f["change"] == "rewrite-table" and f["line"] == 2
    assert "keeps reading and writing users" in f["message"] and "replication lag" in f["message"]
    assert ("reported as a result row" in f["message"]) == statement.startswith("OPTIMIZE")
    born = _lint(tmp_path / "born", {"V1__init.sql": _MY + statement + "\n"}, dialect)
    assert "table-rewrite" not in {f["rule"] for f in born}


@pytest.mark.parametrize("statement", ["VACUUM FULL users;", "CLUSTER users USING users_pkey;"])
def test_postgres_rebuilds_are_rewrite_table_findings(tmp_path, statement):
    got = _lint(tmp_path, {"V1__init.sql": _PG, "V2__rebuild.sql": statement + "\n"}, "postgres")
    (f,) = [f for f in got if f["rule"] == "table-rewrite"]
    assert f["change"] == "rewrite-table" and "ACCESS EXCLUSIVE" in f["message"]


# -- 4. DROP TRIGGER, events ------------------------------------------------------------------

_TRG_PG = "CREATE TRIGGER users_audit AFTER UPDATE ON users FOR EACH ROW EXECUTE FUNCTION audit();\n"
_TRG_MY = "CREATE TRIGGER users_bu BEFORE UPDATE ON users FOR EACH ROW SET NEW.email = lower(NEW.email);\n"


def test_drop_trigger_locks_its_table(tmp_path):
    got = _lint(tmp_path / "pg", {"V1__init.sql": _PG + _TRG_PG, "V2__drop.sql": "DROP TRIGGER users_audit ON users;\n"},
                "postgres")
    (f,) = [f for f in got if f["rule"] == "lock-timeout"]
    assert f["change"] == "other" and "locks users" in f["message"] and "every query on users" in f["message"]
    got = _lint(tmp_path / "my", {"V1__init.sql": _MY + _TRG_MY, "V2__drop.sql": "DROP TRIGGER users_bu;\n"}, "mariadb")
    (f,) = [f for f in got if f["rule"] == "lock-timeout"]
    assert "exclusive metadata lock on users" in f["message"]
    got = _lint(tmp_path / "born", {"V1__init.sql": _MY + _TRG_MY + "DROP TRIGGER users_bu;\n"}, "mariadb")
    assert "lock-timeout" not in {f["rule"] for f in got}


def test_drop_trigger_and_events_are_ddl_that_commits(tmp_path):
    got = _lint(tmp_path, {"V1__init.sql": _MY + _TRG_MY, "V2__ddl.sql": "SET SESSION lock_wait_timeout = 5;\n"
                           "DROP TRIGGER users_bu;\nCREATE EVENT purge ON SCHEDULE EVERY 1 DAY DO DELETE FROM users;\n"
                           "DROP EVENT purge;\n"}, "mysql")
    (f,) = [f for f in got if f["rule"] == "mysql-multiple-ddl"]
    assert "runs 3 DDL statements" in f["message"] and f["line"] == 3
    assert "lock-timeout" not in {f["rule"] for f in got}  # events lock no table; the timeout is set


# -- 5. spatial columns and indexes -----------------------------------------------------------

def test_alter_event_is_analysed_ddl(tmp_path):
    assert parse_statement("ALTER EVENT purge ON SCHEDULE EVERY 2 DAY RENAME TO purge2 DO DELETE FROM users",
                           "mysql").unanalysed is None
    assert parse_statement("ALTER EVENT purge", "mysql").unanalysed  # MySQL needs something to change
    got = _lint(tmp_path, {"V1__init.sql": _MY, "V2__ddl.sql": "SET SESSION lock_wait_timeout = 5;\n"
                           "ALTER TABLE users ADD COLUMN age int;\nALTER EVENT purge DISABLE;\n"}, "mariadb")
    assert [f["rule"] for f in got] == ["mysql-multiple-ddl"]


@pytest.mark.parametrize("sql", [
    "CREATE TABLE p (id int, pos point NOT NULL, SPATIAL INDEX sp (pos))",
    "CREATE TABLE p (pos POINT NOT NULL SRID 4326, l linestring, g polygon, m multipoint, c geomcollection)",
    "ALTER TABLE p ADD pos point NOT NULL",
    "ALTER TABLE p MODIFY pos multipolygon NULL",
    "ALTER TABLE p CHANGE pos location point NOT NULL",
])
def test_spatial_column_types_parse(sql):
    for dialect in ("mysql", "mariadb"):
        if dialect == "mariadb" and "SRID" in sql:  # MySQL 8.0's column attribute: error 1064 on MariaDB 10.11
            assert "SRID n is MySQL 8.0 syntax" in parse_statement(sql, dialect).unanalysed
            continue
        assert parse_statement(sql, dialect).unanalysed is None


def test_a_column_named_like_a_spatial_type_stays_a_column():
    tree = parse_statement("CREATE TABLE p (point int, polygon int)", "mysql").tree
    assert [c.name for c in tree.this.expressions] == ["point", "polygon"]
    assert all(c.args["kind"].sql("mysql") == "INT" for c in tree.this.expressions)


def test_rebuilding_a_table_with_a_spatial_index_blocks_writes_on_mariadb(tmp_path):
    c = cost("mariadb", "rewrite-table", "10.11", special_index="SPATIAL")
    assert (c.algorithm, c.lock, c.rewrite) == ("INPLACE", "SHARED", True) and "GIS index" in c.source
    assert cost("mariadb", "rewrite-table", "10.11").lock == "NONE"
    assert cost("mariadb", "add-column", "10.11", special_index="SPATIAL").algorithm == "INSTANT"  # no rebuild
    assert cost("mariadb", "drop-not-null", "10.11", special_index="SPATIAL").lock == "SHARED"
    got = _lint(tmp_path, {"V1__init.sql": _PLACES, "V2__force.sql": "SET SESSION lock_wait_timeout = 5;\n"
                           "ALTER TABLE places FORCE, ALGORITHM=INPLACE, LOCK=NONE;\n"}, "mariadb", "10.11")
    assert [f["rule"] for f in got] == ["algorithm-refused"]
    assert "needs at least LOCK=SHARED" in got[0]["message"]


# -- the facts, measured on the real servers ----------------------------------------------------

def _pg_locks(conn, sql):
    with conn.cursor() as cur:
        cur.execute("BEGIN")
        cur.execute(sql)
        cur.execute("SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                    "WHERE l.pid = pg_backend_pid() AND c.relname IN ('gap_users', 'gap_orders')")
        locks = set(cur.fetchall())
        cur.execute("ROLLBACK")
    return locks


def test_postgres_lock_facts(pg_url):
    import psycopg

    from flylint.verify.url import parse_url

    u = parse_url(pg_url)
    conn = psycopg.connect(host=u.host, port=u.port or 5432, user=u.user, password=u.password or None,
                           dbname=u.database or "postgres", autocommit=True)
    schema = f"gaps_{uuid.uuid4().hex[:8]}"
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE SCHEMA {schema}; SET search_path = {schema};")
            cur.execute("CREATE TABLE gap_users (id bigint PRIMARY KEY); INSERT INTO gap_users VALUES (1);"
                        "CREATE TABLE gap_orders (id bigint PRIMARY KEY); INSERT INTO gap_orders VALUES (1);"
                        "CREATE FUNCTION gap_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;"
                        "CREATE TRIGGER gap_trg AFTER UPDATE ON gap_users FOR EACH ROW EXECUTE FUNCTION gap_audit();")
        locks = _pg_locks(conn, "DROP TRIGGER gap_trg ON gap_users")
        assert ("gap_users", "AccessExclusiveLock") in locks
        assert operation_lock("postgres", "drop-trigger")[0] == "ACCESS EXCLUSIVE"
        locks = _pg_locks(conn, "CREATE TABLE gap_new (id bigint PRIMARY KEY, u bigint REFERENCES gap_users (id))")
        assert ("gap_users", "ShareRowExclusiveLock") in locks
        assert not {m for t, m in locks if t == "gap_users"} & {"AccessExclusiveLock", "ExclusiveLock"}
        locks = _pg_locks(conn, "ALTER TABLE gap_orders ADD COLUMN b bigint DEFAULT 1 REFERENCES gap_users (id)")
        assert ("gap_orders", "AccessExclusiveLock") in locks and ("gap_users", "ShareRowExclusiveLock") in locks
        with conn.cursor() as cur:  # the existing rows are checked: a default no user has fails
            with pytest.raises(psycopg.errors.ForeignKeyViolation):
                cur.execute("ALTER TABLE gap_orders ADD COLUMN b bigint DEFAULT 2 REFERENCES gap_users (id)")
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP SCHEMA {schema} CASCADE")
        conn.close()


def test_mariadb_lock_facts(mysql_url):
    import pymysql

    from flylint.verify.url import parse_url

    u = parse_url(mysql_url)

    def connect():
        return pymysql.connect(host=u.host, port=u.port or 3306, user=u.user, password=u.password or "",
                               database=u.database, autocommit=True)

    a, b = connect(), connect()
    suffix = uuid.uuid4().hex[:8]
    users, places = f"gap_users_{suffix}", f"gap_places_{suffix}"
    try:
        with a.cursor() as cur:
            cur.execute("SELECT version()")
            if "mariadb" not in cur.fetchone()[0].lower():
                pytest.skip("the facts below were measured on MariaDB")
            cur.execute(f"CREATE TABLE {users} (id bigint PRIMARY KEY, email varchar(50))")
            cur.execute(f"CREATE TRIGGER {users}_bu BEFORE UPDATE ON {users} FOR EACH ROW SET NEW.email = NEW.email")
            cur.execute(f"CREATE TABLE {places} (id bigint PRIMARY KEY, pos point NOT NULL, SPATIAL INDEX (pos))")
            with pytest.raises(pymysql.err.OperationalError, match="GIS index"):
                cur.execute(f"ALTER TABLE {places} FORCE, ALGORITHM=INPLACE, LOCK=NONE")
            cur.execute(f"ALTER TABLE {places} FORCE, ALGORITHM=INPLACE, LOCK=SHARED")
        with b.cursor() as reader:  # an open transaction that read the table holds its metadata lock
            reader.execute("BEGIN")
            reader.execute(f"SELECT * FROM {users}")
            with a.cursor() as cur:
                cur.execute("SET SESSION lock_wait_timeout = 1")
                cur.execute(f"CREATE EVENT {users}_ev ON SCHEDULE EVERY 1 DAY DO DELETE FROM {users}")
                cur.execute(f"ALTER EVENT {users}_ev DISABLE")
                cur.execute(f"DROP EVENT {users}_ev")
                with pytest.raises(pymysql.err.OperationalError, match="Lock wait timeout"):
                    cur.execute(f"DROP TRIGGER {users}_bu")
            reader.execute("ROLLBACK")
        assert operation_lock("mariadb", "drop-trigger")[0] == "EXCLUSIVE"
        assert operation_lock("mariadb", "create-event")[0] is None
        assert operation_lock("mariadb", "alter-event")[0] is None
    finally:
        with a.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {users}, {places}")
            cur.execute(f"DROP EVENT IF EXISTS {users}_ev")
        a.close()
        b.close()
