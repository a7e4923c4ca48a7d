"""`flylint verify` from end to end: a server, a scratch database, the static lint, the replay,
measured facts merged into the findings, the report."""

from __future__ import annotations

import os
import sys
from collections.abc import Collection
from pathlib import Path

from flylint.verify.url import DbUrl, UrlError, redact


class VerifyError(Exception):
    """Reported in one line (never with the password), exit code 2."""


def _driver_error(e: Exception, url: DbUrl | None) -> VerifyError:
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    where = f" {url.redacted}" if url is not None else ""
    return VerifyError(f"database error on{where}: {redact(text, url.password if url else None)}")


def verify_project(*, paths=(), database_url=None, embedded=False, docker=False, dialect=None, db_version=None,
                   formats=(), fail_on=None, select=(), ignore=(), config_file=None, flyway_config=None,
                   seed_rows=1, app_queries=None, execute_queries=False, sql_mode=None, statement_timeout=60.0,
                   lock_timeout=10.0, since=None, release_files: Collection[Path] | None = None, out=None) -> int:
    """Run verify; returns the exit code. The release is what the engine says (`--since REF`: what
    changed since REF, when the engine supports it), or `release_files` when given: the migrations
    before it are applied first, unmeasured. Otherwise every migration is its own release."""
    from flylint.engine import Options, UsageError, exit_code, run
    from flylint.flyway.config import FlywayConfigError, dialect_from_url, load_flyway_config
    from flylint.report import ReportOptions, render
    from flylint.settings import SettingsError, load_settings
    from flylint.verify.appqueries import AppQueryError, load_queries
    from flylint.verify.measured import merge
    from flylint.verify.replay import replay_project
    from flylint.verify.report import VerifyResult, render_json
    from flylint.verify.scratch import ScratchDatabase
    from flylint.verify.source import SourceError, database_server

    out = out or sys.stdout
    cwd = Path.cwd()
    if since is not None:
        from dataclasses import fields

        from flylint.engine import Options as _Options

        if "since" not in {f.name for f in fields(_Options)}:
            raise VerifyError("--since: this flylint has no release support in its engine")
    try:
        settings = load_settings(cwd, config_file)
    except SettingsError as e:
        raise VerifyError(str(e)) from None
    base = settings.source.parent if settings.source else cwd
    if not paths and settings.paths:
        paths = tuple(base / p for p in settings.paths)
    fw = flyway_config or (base / settings.flyway_config if settings.flyway_config else None)
    if fw is not None and not fw.is_file():
        raise VerifyError(f"Flyway configuration file not found: {fw}")
    for p in paths:
        if not Path(p).exists():
            raise VerifyError(f"path does not exist: {p}")
    try:
        cfg = load_flyway_config(cwd, fw, os.environ)
    except FlywayConfigError as e:
        raise VerifyError(str(e)) from None
    # The project's dialect: --dialect, flylint.toml, or the driver of the Flyway URL (as lint finds it).
    dialect = dialect or settings.dialect or dialect_from_url(cfg.url)
    fail_on = fail_on or settings.fail_on or "error"

    url = None
    try:
        with database_server(database_url, embedded=embedded, docker=docker, dialect=dialect,
                             db_version=db_version or settings.db_version) as admin:
            url = admin
            _check_dialect(admin, dialect)
            _need_driver(admin.dialect)
            with ScratchDatabase(admin) as scratch:
                print(f"flylint verify: scratch database {scratch.name} on {admin.redacted}", file=sys.stderr,
                      flush=True)
                backend = _backend(scratch.url, statement_timeout, lock_timeout, sql_mode)
                try:
                    if backend.dialect == "postgres":
                        _flyway_schemas(backend, cfg)
                    server_dialect = backend.dialect
                    server = _server_name(server_dialect, backend.version)
                    dialect, version, assumed = _static_target(dialect,
                                                               db_version or settings.db_version,
                                                               server_dialect, backend.version, server)
                    kwargs = dict(cwd=cwd, paths=tuple(paths), dialect=dialect, db_version=version,
                                  select=tuple(select) or settings.select, ignore=tuple(ignore) or settings.ignore,
                                  flyway_config=fw, cache=settings.cache, severity=settings.severity)
                    if since is not None:
                        kwargs["since"] = since
                    opts = Options(**kwargs)
                    result = run(opts)
                    queries = load_queries(Path(app_queries), dialect, cwd) if app_queries else []
                    release = None
                    engine_release = getattr(result, "release", None)  # flylint.release.Release (--since)
                    if engine_release is not None and not getattr(engine_release, "per_file", True):
                        release = {i for i, fa in enumerate(result.files) if engine_release.contains(fa.migration)}
                    if release_files is not None:
                        wanted = {Path(p).resolve() for p in release_files}
                        release = {i for i, fa in enumerate(result.files) if fa.migration.path.resolve() in wanted}
                    outcome = replay_project(backend, list(result.files), cfg, release=release, seed_rows=seed_rows,
                                             app_queries=queries, execute_queries=execute_queries,
                                             seed=_seeder(backend, scratch.name, result.replay))
                    info = {"server": server, "server_version": backend.version, "database": scratch.name,
                            "url": admin.redacted, "seed_rows": seed_rows, "notes": outcome.notes,
                            "applied": outcome.applied}
                    if server_dialect != "postgres":
                        info["sql_mode"] = backend.sql_mode
                    if assumed:
                        info["static"] = assumed.split(" (")[0]
                        outcome.notes.insert(0, f"the static rules judge {assumed}; the measurements are from "
                                                f"{server}: where they differ, the measured facts are {server}'s")
                finally:
                    backend.close()
    except (UsageError, AppQueryError, SourceError, UrlError) as e:
        raise VerifyError(redact(str(e), url.password if url else None)) from None
    except VerifyError:
        raise
    except Exception as e:
        if _is_driver_error(e):
            raise _driver_error(e, url) from None
        raise
    findings = merge(result.findings, result.files, outcome, server_dialect, server)
    from flylint.engine import _natural

    findings.sort(key=lambda f: (_natural(f.path), f.span.line, f.span.column, f.rule))
    vr = VerifyResult(result, tuple(findings), tuple(outcome.traces), info)
    for fmt in formats or ("text",):
        if fmt == "json":
            render_json(vr, out)
        else:
            render(fmt, vr, out, ReportOptions(color=False, fail_on=fail_on))
    return exit_code(findings, fail_on)


def _flyway_schemas(backend, cfg) -> None:
    """As Flyway on PostgreSQL: create the configured schemas and put the default one first on the
    search_path, so unqualified names land where they would."""
    from psycopg import sql

    schemas = [s for s in (cfg.effective_default_schema, *cfg.schemas) if s]
    for name in dict.fromkeys(schemas):
        backend.conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(name)))
    if schemas:
        backend.conn.execute(sql.SQL("SET search_path TO {}, public").format(sql.Identifier(schemas[0])))


def _is_driver_error(e: Exception) -> bool:
    mod = type(e).__module__ or ""
    return mod.startswith(("psycopg", "pymysql")) or isinstance(e, (OSError, ConnectionError))


def _check_dialect(url: DbUrl, dialect: str | None) -> None:
    if dialect is None:
        return
    family = {"postgres": "postgres", "mysql": "mysql", "mariadb": "mysql"}
    if family[dialect] != family[url.dialect]:
        raise VerifyError(f"the project's dialect {dialect} (--dialect, flylint.toml or the Flyway URL) does not match "
                          f"the database URL {url.redacted}")


def _need_driver(dialect: str) -> None:
    import importlib.util

    module = "psycopg" if dialect == "postgres" else "pymysql"
    if importlib.util.find_spec(module) is None:
        raise VerifyError(f"the {module} driver is not installed: pip install 'flylint[verify]'")


def _backend(url: DbUrl, statement_timeout: float, lock_timeout: float, sql_mode: str | None):
    if url.dialect == "postgres":
        from flylint.verify.pg import PgBackend

        return PgBackend(url, statement_timeout, lock_timeout)
    from flylint.verify.mysql import MyBackend

    return MyBackend(url, statement_timeout, lock_timeout, sql_mode)


def _seeder(backend, database: str, replay=None):
    """Seed rows that satisfy every foreign key of the history, including ones added later."""
    from flylint.verify.seed import planned_foreign_keys, seed_mysql, seed_postgres

    plan = planned_foreign_keys(replay)
    state: dict = {}
    if backend.dialect == "postgres":
        return lambda n: seed_postgres(backend.conn, n, plan, state)
    schema = getattr(getattr(replay, "catalog", None), "default_schema", None)
    return lambda n: seed_mysql(backend.conn, database, n, plan, schema, state)


def _static_target(dialect: str | None, version: str | None, server_dialect: str, server_version: str,
                   server: str) -> tuple[str, str | None, str | None]:
    """The dialect and version the static rules judge, and, when that is not the server verify runs
    on, how to name it ("MySQL 8.0.35"). The project's own dialect (--dialect, flylint.toml, the
    Flyway URL's driver) and db-version win: the static findings speak of the servers the project
    deploys to, the measurements of the server they were taken on. Without a configured version the
    server's is assumed only when it is the same product; a version is never paired with another
    product (a MySQL 8.0 server is not MariaDB 8.0)."""
    from flylint.dbfacts import OLDEST, PRODUCT

    static = dialect or server_dialect
    if version and not _version_of(static, version):
        hint = ("pass --dialect mysql or mariadb to name the product it belongs to" if static != "postgres"
                else "pass a PostgreSQL version")
        raise VerifyError(f"db-version {version} is not a {PRODUCT[static]} version (verify runs on {server}): {hint}")
    if not version and static == server_dialect:
        version = _short_version(server_version)
    same_product = static == server_dialect
    parts = 1 if static == "postgres" else 2
    measured = (_short_version(server_version) or "").split(".")[:parts]
    if same_product and (not version or version.split(".")[:parts] == measured):
        return static, version, None
    if version:
        return static, version, f"{PRODUCT[static]} {version} (the configured dialect and db-version)"
    return static, version, (f"{PRODUCT[static]} {OLDEST[static]} (the configured dialect, at the oldest version "
                             f"flylint knows: no db-version is configured)")


def _version_of(dialect: str, version: str) -> bool:
    """Whether `version` can be one of `dialect`'s: MySQL is 5.x, 8.x, 9.x; MariaDB 5.x, 10.x and later."""
    import re

    m = re.match(r"\d+", version.strip())
    if m is None or dialect == "postgres":
        return True
    major = int(m.group(0))
    return major in (5, 8, 9) if dialect == "mysql" else (major == 5 or major >= 10)


def _short_version(version: str) -> str | None:
    import re

    m = re.match(r"\d+(\.\d+){0,2}", version or "")
    return m.group(0) if m else None


def _server_name(dialect: str, version: str) -> str:
    name = {"postgres": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB"}[dialect]
    return f"{name} {_short_version(version) or version}"
