"""PostgreSQL backend: run migrations the way Flyway does and measure each statement.

Inside the migration's transaction, before and after every statement, flylint reads
* its own backend's relation locks from `pg_locks` (locks are held until the transaction ends, so
  the difference is what the statement took),
* `pg_class.relfilenode` of every user table (a new file means the table was rewritten),
* `pg_stat_xact_user_tables` seq_scan + idx_scan (the transaction's own counters: a rise means the
  statement read the table, e.g. to validate a constraint).
Statements PostgreSQL cannot run in a transaction (the CONCURRENTLY family) run outside one while
a second connection polls `pg_locks` for the migration's backend, and a third holds an old
snapshot for a moment so that the CONCURRENTLY statement waits, holding its lock, where the monitor
sees it.
"""

from __future__ import annotations

import re
import threading
import time

from flylint.verify.measure import RANK, Lock, StatementTrace, blocks_of, sql_mode
from flylint.verify.scratch import check_interrupted
from flylint.verify.url import DbUrl

# Outside a migration transaction (executeInTransaction=false) Flyway sends every statement in
# autocommit, and so must verify for those that cannot run in a transaction block but that Flyway's
# parser does not single out: DO and CALL that COMMIT inside (PostgreSQL 11+; in BEGIN they fail with
# 2D000) and DETACH PARTITION ... CONCURRENTLY (25001).
_OWN_TRANSACTIONS = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*(?:DO|CALL\b|ALTER\s+TABLE\b[^;]*"
                               r"\bDETACH\s+PARTITION\b[^;]*\bCONCURRENTLY)\b", re.I | re.S)

_Q_RELS = """
SELECT c.oid, n.nspname, c.relname, c.relkind, c.relfilenode
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%'
"""
_Q_LOCKS = """
SELECT l.relation, n.nspname, c.relname, c.relkind, l.mode
FROM pg_locks l
LEFT JOIN pg_class c ON c.oid = l.relation
LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE l.locktype = 'relation' AND l.pid = %s
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND l.relation >= 16384
  AND coalesce(n.nspname, '') NOT IN ('pg_catalog', 'information_schema')
"""
_Q_SCANS = "SELECT relid, coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables"


def connect(url: DbUrl, database: str | None, *, autocommit: bool = True, statement_timeout: float = 60,
            lock_timeout: float = 10, application: str = "flylint verify"):
    """A connection with statement and lock timeouts set from its first moment."""
    import psycopg

    kwargs = dict(url.params)
    kwargs.pop("options", None)
    return psycopg.connect(
        host=url.host, port=url.port, user=url.user, password=url.password, dbname=database,
        autocommit=autocommit, connect_timeout=10, application_name=application,
        options=f"-c statement_timeout={int(statement_timeout * 1000)} -c lock_timeout={int(lock_timeout * 1000)}",
        **kwargs,
    )


def _qual(nsp: str, name: str) -> str:
    return name if nsp == "public" else f"{nsp}.{name}"


def error_text(e, url: DbUrl) -> str:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    code = getattr(e, "sqlstate", None)
    return url.redact(f"{code}: {msg}" if code else msg)


class PgBackend:
    dialect = "postgres"

    def __init__(self, url: DbUrl, statement_timeout: float = 60, lock_timeout: float = 10):
        self.url = url
        self.timeouts = {"statement_timeout": statement_timeout, "lock_timeout": lock_timeout}
        self.conn = connect(url, url.database, **self.timeouts)
        self.pid = self.conn.info.backend_pid
        self.version = self.conn.execute("SHOW server_version").fetchone()[0]

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:
            pass

    # snapshots --------------------------------------------------------------------------------

    def _rels(self, cur) -> dict[int, tuple[str, str, int]]:
        cur.execute(_Q_RELS)
        return {oid: (_qual(nsp, name), kind, fn) for oid, nsp, name, kind, fn in cur.fetchall()}

    def _scans(self, cur) -> dict[int, int]:
        cur.execute(_Q_SCANS)
        return dict(cur.fetchall())

    def _locks(self, cur, pid: int, names: dict) -> dict[tuple[int, str], str]:
        """(oid, mode) -> relation name, for tables, partitioned tables and materialized views."""
        cur.execute(_Q_LOCKS, (pid,))
        out = {}
        for oid, nsp, name, kind, mode in cur.fetchall():
            if name is None:  # dropped by this statement: the name from before
                if oid not in names:
                    continue  # a rewrite's transient heap
                label, kind = names[oid][0], names[oid][1]
            else:
                label = _qual(nsp, name)
            if kind not in ("r", "p", "m"):
                continue
            out[(oid, mode)] = label
        return out

    # running ----------------------------------------------------------------------------------

    def run_migration(self, items: list[tuple[str, StatementTrace, bool]], in_tx: bool, measure: bool) -> int | None:
        """Run one migration; `items` are (sql, trace to fill, transactional). Returns the index of
        the failing statement (the migration is then rolled back where PostgreSQL can), else None."""
        import psycopg

        cur = self.conn.cursor()
        base = self._rels(cur)  # what existed before the migration: everything else is new
        if in_tx:
            cur.execute("BEGIN")
        held: dict[str, tuple[str, int]] = {}  # live table -> (strongest mode held, line that took it)
        for i, (text, tr, _transactional) in enumerate(items):
            if text is None:  # refused by flylint.verify.guard: not run
                tr.measured = False
                continue
            tr.in_transaction = in_tx
            tr.measured = measure
            if not in_tx and (not _transactional or _OWN_TRANSACTIONS.match(text)):
                self._run_outside(text, tr, base, measure)
                if tr.error:
                    return i
                continue
            if not in_tx:
                cur.execute("BEGIN")
            t0 = time.perf_counter()
            try:
                if measure:
                    before = self._rels(cur)
                    scans0 = self._scans(cur)
                    locks0 = self._locks(cur, self.pid, before)
                t0 = time.perf_counter()
                self._execute(cur, text)
                tr.ms = (time.perf_counter() - t0) * 1000
                if measure:
                    after = self._rels(cur)
                    locks1 = self._locks(cur, self.pid, before)
                    scans1 = self._scans(cur)
                    self._fill(tr, base, before, after, {k: v for k, v in locks1.items() if k not in locks0},
                               scans0, scans1)
                    tr.held_until_commit = in_tx
                    if in_tx:
                        for rel, mode in tr.strongest().items():
                            if rel not in held or RANK[mode] > RANK[held[rel][0]]:
                                held[rel] = (mode, tr.line)
                        tr.held = [(rel, mode, line) for rel, (mode, line) in sorted(held.items())]
                        tr.blocks = blocks_of(m for m, _ in held.values())
                if not in_tx:
                    cur.execute("COMMIT")
            except psycopg.Error as e:
                tr.ms = (time.perf_counter() - t0) * 1000
                tr.error = error_text(e, self.url)
                self._rollback(cur)
                check_interrupted()  # Ctrl-C cancelled the query: stop, do not report a failure
                return i
        if in_tx:
            try:
                cur.execute("COMMIT")
            except psycopg.Error as e:  # deferred constraints fail here
                if not items:
                    raise
                items[-1][1].error = error_text(e, self.url)
                self._rollback(cur)
                return len(items) - 1
        return None

    @staticmethod
    def _execute(cur, text: str) -> None:
        data = getattr(text, "data", None)
        if data is not None:  # COPY ... FROM STDIN: the rows go through the COPY protocol, as Flyway sends them
            with cur.copy(str(text)) as copy:
                copy.write(data)
            return
        cur.execute(text, prepare=False)

    def _rollback(self, cur) -> None:
        try:
            cur.execute("ROLLBACK")
        except Exception:
            pass

    def _fill(self, tr: StatementTrace, base, before, after, new_locks, scans0, scans1) -> None:
        seen = set()
        for (oid, mode), name in sorted(new_locks.items(), key=lambda kv: kv[1]):
            key = (name, mode)
            if key in seen:
                continue
            seen.add(key)
            tr.locks.append(Lock(name, sql_mode(mode), new=oid not in base))
        tr.blocks = blocks_of(tr.strongest().values())
        tr.rewrite = sorted(after[o][0] for o, (_n, kind, fn) in before.items()
                            if o in after and kind in ("r", "m") and after[o][2] != fn and o in base)
        tr.scanned = sorted(after[o][0] for o, n in scans1.items()
                            if n > scans0.get(o, 0) and o in after and o in base)

    def _run_outside(self, text: str, tr: StatementTrace, base, measure: bool) -> None:
        """A statement that cannot run in a transaction: run it in autocommit and watch its locks
        from a second connection while a third holds an old snapshot for a moment."""
        import psycopg
        from psycopg import sql

        tr.in_transaction = False
        if not measure:
            t0 = time.perf_counter()
            try:
                self.conn.execute(text, prepare=False)
            except psycopg.Error as e:
                tr.error = error_text(e, self.url)
            tr.ms = (time.perf_counter() - t0) * 1000
            check_interrupted()
            return
        before = self._rels(self.conn.cursor())
        seen: dict = {}
        done = threading.Event()
        holder = connect(self.url, self.url.database, autocommit=False, **self.timeouts)
        mon = connect(self.url, self.url.database, **self.timeouts)
        try:
            holder.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            for _oid, (name, kind, _fn) in before.items():
                if kind in ("r", "p"):
                    holder.execute(sql.SQL("LOCK TABLE {} IN ACCESS SHARE MODE").format(
                        sql.SQL(".").join(sql.Identifier(p) for p in name.split(".", 1))))
            holder.execute("SELECT 1")

            def monitor():
                with mon.cursor() as c:
                    while not done.is_set():
                        for k, v in self._locks(c, self.pid, before).items():
                            seen.setdefault(k, v)
                        time.sleep(0.002)

            th = threading.Thread(target=monitor, daemon=True)
            th.start()
            release = threading.Timer(0.25, holder.rollback)
            release.start()
            t0 = time.perf_counter()
            try:
                self.conn.execute(text, prepare=False)
            except psycopg.Error as e:
                tr.error = error_text(e, self.url)
            finally:
                done.set()
            tr.ms = (time.perf_counter() - t0) * 1000
            check_interrupted()
            th.join()
            release.join()
        finally:
            holder.close()
            mon.close()
        after = self._rels(self.conn.cursor())
        self._fill(tr, base, before, after, seen, {}, {})
        tr.note = "run outside a transaction; locks observed from a second connection"

    # the application's queries ---------------------------------------------------------------

    def prepare(self, query: str) -> str | None:
        import psycopg

        try:
            self.conn.execute(f"PREPARE flylint_app_query AS {query}", prepare=False)
        except psycopg.Error as e:
            return error_text(e, self.url)
        self.conn.execute("DEALLOCATE flylint_app_query")
        return None

    def execute_rolled_back(self, query: str) -> str | None:
        import psycopg

        cur = self.conn.cursor()
        cur.execute("BEGIN")
        try:
            cur.execute(query, prepare=False)
            return None
        except psycopg.Error as e:
            return error_text(e, self.url)
        finally:
            self._rollback(cur)
