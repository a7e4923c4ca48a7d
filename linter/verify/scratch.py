"""The throwaway database: created with a unique name, dropped whatever happens.

`ScratchDatabase(url)` creates `flylint_verify_<random>` on the server the URL names and drops it
when the `with` block ends: normally, on an exception, on Ctrl-C, on SIGTERM. For the cases no
`finally` survives (SIGKILL, the OOM killer, a crashed interpreter) a watchdog process is started
first: it gets the admin connection parameters through a pipe (never on its command line, where
`ps` would show the password), waits for the pipe to close, and drops the database unless the
parent said it already did. Nothing but the database of that exact name is ever dropped.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading

from flylint.verify.url import DbUrl

PREFIX = "flylint_verify_"

# Set by Ctrl-C while a scratch database exists. psycopg answers a KeyboardInterrupt during a query
# by cancelling the query, which then fails like any other: the backends check this to stop instead.
INTERRUPTED = threading.Event()


def check_interrupted() -> None:
    if INTERRUPTED.is_set():
        raise KeyboardInterrupt


def admin_database(url: DbUrl) -> str | None:
    """Where the admin connection goes: the URL's database, else `postgres` (PostgreSQL)."""
    if url.dialect == "postgres":
        return url.database or "postgres"
    return None


def connect(url: DbUrl, database: str | None, **kw):
    if url.dialect == "postgres":
        from flylint.verify.pg import connect as pg_connect

        return pg_connect(url, database, **kw)
    from flylint.verify.mysql import connect as my_connect

    return my_connect(url, database, **kw)


def drop_database(url: DbUrl, name: str) -> None:
    """Drop the scratch database `name` (and only it), ending the sessions that use it."""
    if not name.startswith(PREFIX):  # never drop anything flylint did not name
        raise ValueError(f"refusing to drop {name!r}: not a flylint scratch database")
    if url.dialect == "postgres":
        import psycopg
        from psycopg import sql

        with connect(url, admin_database(url)) as c:
            try:
                c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            except psycopg.errors.SyntaxError:  # PostgreSQL 12 and older: no FORCE
                c.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
                c.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        return
    import pymysql

    c = connect(url, None)
    try:
        with c.cursor() as cur:
            cur.execute("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = %s AND ID <> CONNECTION_ID()",
                        (name,))
            for (pid,) in cur.fetchall():
                try:
                    cur.execute(f"KILL CONNECTION {int(pid)}")
                except pymysql.err.MySQLError:
                    pass  # already gone
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        c.close()


def create_database(url: DbUrl, name: str) -> None:
    if url.dialect == "postgres":
        from psycopg import sql

        with connect(url, admin_database(url)) as c:
            c.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
            c.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(f"flylint verify scratch database; pid={os.getpid()}")))
        return
    c = connect(url, None)
    try:
        with c.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    finally:
        c.close()


def database_exists(url: DbUrl, name: str) -> bool:
    if url.dialect == "postgres":
        with connect(url, admin_database(url)) as c:
            return c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
    c = connect(url, None)
    try:
        with c.cursor() as cur:
            cur.execute("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s", (name,))
            return cur.fetchone() is not None
    finally:
        c.close()


class ScratchDatabase:
    """`with ScratchDatabase(url) as db:` -> `db.name`, `db.url` (the URL of the scratch database)."""

    def __init__(self, url: DbUrl, watchdog: bool = True):
        self.admin = url
        self.name = PREFIX + secrets.token_hex(6)
        self.url = url.with_database(self.name)
        self._watchdog_enabled = watchdog
        self._watchdog: subprocess.Popen | None = None
        self._old_sigterm = None
        self._old_sigint = None
        self._created = False

    def __enter__(self) -> "ScratchDatabase":
        if self._watchdog_enabled:
            self._start_watchdog()
        try:
            create_database(self.admin, self.name)
            self._created = True
        except BaseException:
            self._stop_watchdog(dropped=True)  # nothing was created: nothing for it to drop
            raise
        if _main_thread():
            self._old_sigterm = signal.signal(signal.SIGTERM, _sigterm_to_exit)
            self._old_sigint = signal.signal(signal.SIGINT, _sigint)
        return self

    def __exit__(self, *exc) -> bool:
        try:
            drop_database(self.admin, self.name)
            dropped = True
        except Exception:
            dropped = False  # the watchdog tries again when the pipe closes
        finally:
            if self._old_sigterm is not None:
                signal.signal(signal.SIGTERM, self._old_sigterm)
                signal.signal(signal.SIGINT, self._old_sigint)
        self._stop_watchdog(dropped)
        return False

    # The watchdog ---------------------------------------------------------------------------

    def _start_watchdog(self) -> None:
        params = {"dialect": self.admin.dialect, "host": self.admin.host, "port": self.admin.port,
                  "user": self.admin.user, "password": self.admin.password, "database": self.admin.database,
                  "params": list(self.admin.params), "name": self.name}
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", "from flylint.verify.scratch import watchdog_main; watchdog_main()"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C to flylint's process group does not reach it
            close_fds=True,
        )
        assert self._watchdog.stdin is not None
        self._watchdog.stdin.write(json.dumps(params).encode() + b"\n")
        self._watchdog.stdin.flush()

    def _stop_watchdog(self, dropped: bool) -> None:
        wd = self._watchdog
        if wd is None:
            return
        self._watchdog = None
        try:
            if dropped:
                wd.stdin.write(b"done\n")
                wd.stdin.flush()
            wd.stdin.close()  # not dropped: the watchdog retries on its own, flylint does not wait
            if dropped:
                wd.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass


def watchdog_main() -> None:
    """The watchdog process: wait for the parent's pipe to close, then drop the database."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stdin = sys.stdin.buffer
    params = json.loads(stdin.readline())
    said = stdin.read()  # returns when the parent closes the pipe or dies
    if said.strip() == b"done":
        return
    url = DbUrl(params["dialect"], params["host"], params["port"], params["user"], params["password"],
                params["database"], tuple(tuple(p) for p in params["params"]))
    for _ in range(3):
        try:
            drop_database(url, params["name"])
            return
        except Exception:
            import time

            time.sleep(1)


def _sigterm_to_exit(signum, frame):
    raise SystemExit(143)


def _sigint(signum, frame):
    INTERRUPTED.set()
    raise KeyboardInterrupt


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()
