"""MySQL/MariaDB backend: run migrations the way Flyway does and ask the server how online each
ALTER is.

Flyway runs a MySQL migration in a transaction, but every DDL statement commits implicitly, so a
migration that fails halfway leaves its earlier DDL applied; flylint replays it the same way and
says so. For every ALTER TABLE / CREATE INDEX / DROP INDEX, flylint appends, in turn,
`ALGORITHM=INSTANT`, (MariaDB) `ALGORITHM=NOCOPY`, `ALGORITHM=INPLACE, LOCK=NONE`,
`ALGORITHM=INPLACE, LOCK=SHARED` and `ALGORITHM=COPY`: the server refuses a clause it cannot honour
before it changes anything (errors 1845/1846/1847), so the first one accepted is the most online
way the server can do the change, and it has then really been applied. A statement that already
has an ALGORITHM or LOCK clause runs as written.
"""

from __future__ import annotations

import re
import time

from flylint.verify.measure import MY_BLOCKS, StatementTrace
from flylint.verify.url import DbUrl

LADDER = (
    ("INSTANT", None),
    ("NOCOPY", None),  # MariaDB only
    ("INPLACE", "NONE"),
    ("INPLACE", "SHARED"),
    ("COPY", None),
)
REFUSALS = {1845, 1846, 1847, 1235}
_HAS_CLAUSE = re.compile(r"(?i)\b(ALGORITHM|LOCK)\s*=")
_ALTER = re.compile(r"(?is)^\s*ALTER\s+(?:ONLINE\s+|IGNORE\s+)*TABLE\s+((?:`[^`]+`|[\w$.]+)(?:\s*\.\s*(?:`[^`]+`|[\w$]+))?)")
_CREATE_INDEX = re.compile(r"(?is)^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:ONLINE\s+)?(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX\b.*?\bON\s+((?:`[^`]+`|[\w$.]+))")
_DROP_INDEX = re.compile(r"(?is)^\s*DROP\s+INDEX\s+(?:IF\s+EXISTS\s+)?(`[^`]+`|[\w$]+)\s+ON\s+(`[^`]+`|[\w$.]+)\s*$")
_DDL = re.compile(r"(?is)^\s*(ALTER|CREATE|DROP|RENAME|TRUNCATE)\b")


def connect(url: DbUrl, database: str | None, *, statement_timeout: float = 60, lock_timeout: float = 10,
            sql_mode: str | None = None, autocommit: bool = True):
    """A connection with statement and lock timeouts (and the SQL mode, when given) set."""
    import pymysql

    conn = pymysql.connect(host=url.host, port=url.port, user=url.user or "root", password=url.password or "",
                           database=database, autocommit=autocommit, connect_timeout=10, charset="utf8mb4")
    with conn.cursor() as cur:
        for stmt in (f"SET SESSION max_statement_time = {float(statement_timeout)}",  # MariaDB
                     f"SET SESSION max_execution_time = {int(statement_timeout * 1000)}",  # MySQL (SELECT)
                     f"SET SESSION lock_wait_timeout = {max(1, int(lock_timeout))}",
                     f"SET SESSION innodb_lock_wait_timeout = {max(1, int(lock_timeout))}"):
            try:
                cur.execute(stmt)
            except pymysql.err.MySQLError:
                pass  # the other server's variable
        if sql_mode is not None:
            cur.execute("SET SESSION sql_mode = %s", (sql_mode,))
    return conn


def error_text(e, url: DbUrl) -> str:
    args = getattr(e, "args", ())
    if len(args) >= 2:
        return url.redact(f"{args[0]}: {args[1]}")
    return url.redact(str(e) or type(e).__name__)


def _unquote(name: str) -> str:
    return name.split(".")[-1].strip().strip("`")


def probe_variants(text: str, mariadb: bool) -> tuple[str | None, list[tuple[str, str | None, str]]]:
    """(table, [(algorithm, lock, sql)]) for an online-DDL statement; (None, []) for others."""
    s = text.strip().rstrip(";").rstrip()
    m = _DROP_INDEX.match(s)
    if m:  # MariaDB accepts no ALGORITHM/LOCK on DROP INDEX ... ON: ask through ALTER TABLE
        s = f"ALTER TABLE {m.group(2)} DROP INDEX {m.group(1)}"
    if _HAS_CLAUSE.search(s):
        return None, []
    m = _ALTER.match(s)
    sep = ", "
    if m is None:
        m = _CREATE_INDEX.match(s)
        sep = " "
        if m is None:
            return None, []
    table = _unquote(m.group(1))
    out = []
    for algorithm, lock in LADDER:
        if algorithm == "NOCOPY" and not mariadb:
            continue
        clause = f"ALGORITHM={algorithm}" + (f"{sep}LOCK={lock}" if lock else "")
        out.append((algorithm, lock, f"{s}{sep}{clause}"))
    return table, out


class MyBackend:
    def __init__(self, url: DbUrl, statement_timeout: float = 60, lock_timeout: float = 10,
                 sql_mode: str | None = None):
        self.url = url
        self.conn = connect(url, url.database, statement_timeout=statement_timeout, lock_timeout=lock_timeout,
                            sql_mode=sql_mode, autocommit=False)
        with self.conn.cursor() as cur:
            if sql_mode is None:  # strict unless told otherwise: non-strict mode turns errors into warnings
                cur.execute("SELECT @@SESSION.sql_mode")
                mode = cur.fetchone()[0] or ""
                if "STRICT_TRANS_TABLES" not in mode and "STRICT_ALL_TABLES" not in mode:
                    cur.execute("SET SESSION sql_mode = %s", (",".join(p for p in (mode, "STRICT_TRANS_TABLES") if p),))
            cur.execute("SELECT VERSION(), @@SESSION.sql_mode")
            self.version, self.sql_mode = cur.fetchone()
        self.mariadb = "mariadb" in self.version.lower()
        self.dialect = "mariadb" if self.mariadb else "mysql"

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:
            pass

    def _table_id(self, cur, table: str):
        import pymysql

        for q in ("SELECT TABLE_ID FROM information_schema.INNODB_SYS_TABLES WHERE NAME = %s",
                  "SELECT TABLE_ID FROM information_schema.INNODB_TABLES WHERE NAME = %s"):
            try:
                cur.execute(q, (f"{self.url.database}/{table}",))
                row = cur.fetchone()
                return row[0] if row else None
            except pymysql.err.MySQLError:
                continue
        return None

    def run_migration(self, items: list[tuple[str, StatementTrace, bool]], in_tx: bool, measure: bool) -> int | None:
        """Run one migration as Flyway does (a transaction that every DDL statement commits).
        Returns the index of the failing statement, else None."""
        import pymysql

        cur = self.conn.cursor()
        committed_ddl = False
        for i, (text, tr, _transactional) in enumerate(items):
            if text is None:  # refused by flylint.verify.guard: not run
                tr.measured = False
                continue
            tr.measured = measure
            tr.in_transaction = in_tx
            is_ddl = bool(_DDL.match(text))
            table, variants = probe_variants(text, self.mariadb) if measure else (None, [])
            tid0 = self._table_id(cur, table) if table else None
            t0 = time.perf_counter()
            try:
                done = False
                refusals = []
                for algorithm, lock, sql in variants:
                    try:
                        t0 = time.perf_counter()
                        cur.execute(sql)
                        tr.algorithm, tr.lock, done = algorithm, lock, True
                        break
                    except pymysql.err.MySQLError as e:
                        if e.args and e.args[0] in REFUSALS:
                            refusals.append(f"{algorithm}{', LOCK=' + lock if lock else ''}: {e.args[1]}")
                            continue
                        break  # a real error (or a form the clause does not fit): run it as written
                if not done:
                    t0 = time.perf_counter()
                    cur.execute(text)
                tr.ms = (time.perf_counter() - t0) * 1000
            except pymysql.err.MySQLError as e:
                tr.ms = (time.perf_counter() - t0) * 1000
                tr.error = error_text(e, self.url)
                if committed_ddl or is_ddl:
                    tr.note = ("MySQL/MariaDB committed the earlier DDL of this migration: "
                               "it stays applied after the failure")
                try:
                    self.conn.rollback()
                except Exception:
                    pass
                return i
            if is_ddl:
                committed_ddl = True
                tr.note = "DDL commits implicitly"
                if refusals and tr.algorithm:
                    tr.note += f"; refused: {refusals[-1]}"
            if measure and tr.algorithm:
                tr.blocks = MY_BLOCKS.get((tr.algorithm, tr.lock), "writes")
                tid1 = self._table_id(cur, table)
                if tid0 is not None and tid1 is not None and tid0 != tid1:
                    tr.rewrite = [table]
        try:
            self.conn.commit()
        except pymysql.err.MySQLError as e:
            if not items:
                raise
            items[-1][1].error = error_text(e, self.url)
            return len(items) - 1
        return None

    # the application's queries ---------------------------------------------------------------

    def prepare(self, query: str) -> str | None:
        import pymysql

        with self.conn.cursor() as cur:
            try:
                cur.execute("PREPARE flylint_app_query FROM %s", (query,))
            except pymysql.err.MySQLError as e:
                return error_text(e, self.url)
            cur.execute("DEALLOCATE PREPARE flylint_app_query")
        return None

    def execute_rolled_back(self, query: str) -> str | None:
        import pymysql

        with self.conn.cursor() as cur:
            try:
                cur.execute("START TRANSACTION")
                cur.execute(query)
                return None
            except pymysql.err.MySQLError as e:
                return error_text(e, self.url)
            finally:
                self.conn.rollback()
