"""Where the database for `verify` comes from, in this order:

1. `--database-url URL` (or `FLYLINT_DATABASE_URL`): a server you name; flylint only creates and
   drops its own scratch database there.
2. `--embedded`: a private PostgreSQL started by the optional `pgserver` package
   (`pip install 'flylint[embedded]'`) in a temporary folder, deleted afterwards.
3. `--docker`: a container started with testcontainers (`pip install 'flylint[docker]'`) when a
   Docker daemon answers; the image's major version follows `--db-version`.
Without a flag flylint tries them in that order; with none available it stops with one message
naming the three.
"""

from __future__ import annotations

import contextlib
import tempfile

from flylint.verify.url import DbUrl, parse_url

NONE_AVAILABLE = (
    "no database to verify against: pass --database-url URL (or set FLYLINT_DATABASE_URL) to use a "
    "server you name, or --embedded with the optional embedded PostgreSQL (pip install 'flylint[embedded]'), "
    "or --docker with a running Docker daemon (pip install 'flylint[docker]')"
)


class SourceError(Exception):
    pass


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _docker_answers() -> bool:
    if not _has_module("testcontainers") or not _has_module("docker"):
        return False
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


@contextlib.contextmanager
def database_server(url: str | None, *, embedded: bool = False, docker: bool = False, dialect: str | None = None,
                    db_version: str | None = None):
    """Yield the DbUrl of an admin connection to a server verify may create a database on."""
    if url:
        yield parse_url(url)
        return
    want_pg = dialect in (None, "postgres")
    if embedded or not docker:
        if want_pg and _has_module("pgserver"):
            with _embedded() as u:
                yield u
            return
        if embedded:
            if not want_pg:
                raise SourceError(NONE_AVAILABLE + f" (--embedded: pgserver only provides PostgreSQL, not {dialect})")
            raise SourceError(NONE_AVAILABLE + " (--embedded: the pgserver package is not installed)")
    if docker or not embedded:
        if _docker_answers():
            with _container(dialect or "postgres", db_version) as u:
                yield u
            return
        if docker:
            raise SourceError(NONE_AVAILABLE + " (--docker: no Docker daemon answers, or testcontainers is not installed)")
    raise SourceError(NONE_AVAILABLE)


@contextlib.contextmanager
def _embedded():
    import pgserver

    with tempfile.TemporaryDirectory(prefix="flylint-pg-") as d:
        srv = pgserver.get_server(d, cleanup_mode="delete")
        try:
            yield parse_url(srv.get_uri())
        finally:
            srv.cleanup()


@contextlib.contextmanager
def _container(dialect: str, db_version: str | None):
    major = (db_version or "").split(".")[0]
    if dialect == "postgres":
        from testcontainers.postgres import PostgresContainer

        box = PostgresContainer(f"postgres:{major or '16'}")
    else:
        from testcontainers.mysql import MySqlContainer

        image = f"mariadb:{db_version or '11'}" if dialect == "mariadb" else f"mysql:{db_version or '8.0'}"
        box = MySqlContainer(image)
    box.start()
    try:
        raw = box.get_connection_url()
        u = parse_url(raw.replace("+psycopg2", "").replace("+pymysql", ""))
        yield DbUrl(u.dialect if dialect == "postgres" else dialect, u.host, u.port, u.user, u.password,
                    u.database, u.params)
    finally:
        box.stop()
