"""The `verify`, `validate` and `checksum` commands (registered on flylint's click group)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from flylint.settings import DIALECTS, FAIL_ON


class VerifyUsageError(click.ClickException):
    exit_code = 2


_URL_HELP = "Server to use, e.g. postgresql://user:pass@host:5432/postgres or mysql://root@host:3306/test " \
            "(default: $FLYLINT_DATABASE_URL). Prefer the variable: a command line is visible to other users."


def register(group: click.Group) -> None:
    group.add_command(verify_cmd)
    group.add_command(validate_cmd)
    group.add_command(checksum_cmd)


# --------------------------------------------------------------------------------------------
# flylint checksum


@click.command("checksum")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--flyway-config", type=click.Path(path_type=Path), help="Flyway configuration (encoding, "
              "placeholders for repeatable migrations).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def checksum_cmd(files, flyway_config, fmt):
    """Print Flyway's checksum of each migration FILE (what flyway_schema_history stores)."""
    from flylint.flyway.checksum import flyway_checksum
    from flylint.flyway.config import FlywayConfigError, load_flyway_config, python_codec
    from flylint.flyway.discovery import decode_text, discover

    cwd = Path.cwd()
    try:
        cfg = load_flyway_config(cwd, flyway_config, os.environ)
    except FlywayConfigError as e:
        raise VerifyUsageError(str(e)) from None
    rows = []
    for f in files:
        if not f.is_file():
            raise VerifyUsageError(f"no such file: {f}")
        found = discover(cfg, [f], cwd)
        if found.sources and found.sources[0].migration.checksum is not None:
            value = found.sources[0].migration.checksum
        else:
            try:
                value = flyway_checksum(decode_text(f.read_bytes(), python_codec(cfg.encoding)))
            except (OSError, UnicodeDecodeError, LookupError) as e:
                raise VerifyUsageError(f"cannot read {f}: {e}") from None
        rows.append((str(f), value))
    if fmt == "json":
        click.echo(json.dumps([{"path": p, "checksum": c} for p, c in rows], indent=2))
    else:
        for p, c in rows:
            click.echo(f"{c}\t{p}")


# --------------------------------------------------------------------------------------------
# flylint validate


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--database-url", envvar="FLYLINT_DATABASE_URL", show_envvar=True, help=_URL_HELP)
@click.option("--flyway-config", type=click.Path(path_type=Path), help="Flyway configuration file.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True)
def validate_cmd(paths, database_url, flyway_config, fmt, fail_on):
    """Compare flyway_schema_history with the migrations in PATHS, as flyway validate does (read-only)."""
    from flylint.engine import exit_code
    from flylint.flyway.config import FlywayConfigError, load_flyway_config
    from flylint.flyway.discovery import discover
    from flylint.verify.history import HistoryError, read_history, validate
    from flylint.verify.url import UrlError, parse_url, redact

    if not database_url:
        raise VerifyUsageError("validate needs --database-url URL (or FLYLINT_DATABASE_URL): the database whose "
                               "flyway_schema_history to read")
    try:
        url = parse_url(database_url)
    except UrlError as e:
        raise VerifyUsageError(str(e)) from None
    cwd = Path.cwd()
    try:
        cfg = load_flyway_config(cwd, flyway_config, os.environ)
        for p in paths:
            if not p.exists():
                raise VerifyUsageError(f"path does not exist: {p}")
        found = discover(cfg, list(paths), cwd)
    except FlywayConfigError as e:
        raise VerifyUsageError(str(e)) from None
    _need_driver(url.dialect)
    try:
        schema, rows = read_history(url, cfg.effective_default_schema, cfg.table)
    except HistoryError as e:
        raise VerifyUsageError(f"cannot read the history from {url.redacted}: {url.redact(str(e))}") from None
    except Exception as e:  # a driver error: one redacted line
        raise VerifyUsageError(f"cannot read the history from {url.redacted}: {redact(str(e), url.password)}") from None
    history = f"{schema}.{cfg.table}"
    migrations = [s.migration for s in found.sources]
    findings = sorted(validate(rows, migrations, cfg, history), key=lambda f: (f.path, f.rule, f.message))
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    if fmt == "json":
        click.echo(json.dumps({
            "version": 1,
            "tool": {"name": "flylint"},
            "database": url.redacted,
            "history": {"schema": schema, "table": cfg.table, "exists": rows is not None,
                        "rows": len(rows or [])},
            "findings": [f.to_json() for f in findings],
            "summary": {"migrations": len(migrations), "errors": counts["error"], "warnings": counts["warning"],
                        "infos": counts["info"]},
        }, indent=2))
    else:
        if rows is None:
            click.echo(f"{history} does not exist on {url.redacted}: nothing has been applied yet.")
        for f in findings:
            click.echo(f"{f.path}: {f.severity}[{f.rule}] {f.message}")
            if f.fix:
                click.echo(f"   fix: {f.fix}")
        click.echo(f"Validated {len(migrations)} migration{'s' if len(migrations) != 1 else ''} against "
                   f"{history} ({len(rows or [])} rows): {counts['error']} errors, {counts['warning']} warnings.")
    sys.stdout.flush()
    sys.exit(exit_code(findings, fail_on))


def _need_driver(dialect: str) -> None:
    import importlib.util

    module, extra = ("psycopg", "psycopg[binary]") if dialect == "postgres" else ("pymysql", "pymysql")
    if importlib.util.find_spec(module) is None:
        raise VerifyUsageError(f"the {module} driver is not installed: pip install 'flylint[verify]' "
                               f"(or pip install '{extra}')")


# --------------------------------------------------------------------------------------------
# flylint verify


@click.command("verify")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--database-url", envvar="FLYLINT_DATABASE_URL", show_envvar=True, help=_URL_HELP)
@click.option("--embedded", is_flag=True, help="Start a private PostgreSQL (needs flylint[embedded]).")
@click.option("--docker", is_flag=True, help="Start the database in Docker (needs flylint[docker] and a daemon).")
@click.option("--dialect", type=click.Choice(DIALECTS), help="Default: the server's.")
@click.option("--db-version", metavar="VERSION", help="Default: the server's version.")
@click.option("--format", "formats", multiple=True, type=click.Choice(["text", "json"]))
@click.option("--fail-on", type=click.Choice(FAIL_ON))
@click.option("--select", multiple=True, metavar="RULE")
@click.option("--ignore", multiple=True, metavar="RULE")
@click.option("--config", "config_file", type=click.Path(path_type=Path))
@click.option("--flyway-config", type=click.Path(path_type=Path))
@click.option("--since", metavar="REF", help="The release is what changed since this git revision (as for lint): "
              "earlier migrations are applied unmeasured.")
@click.option("--seed-rows", type=click.IntRange(0, 1000), default=1, show_default=True,
              help="Rows seeded into every empty table before the release is measured (0: none).")
@click.option("--app-queries", type=click.Path(path_type=Path),
              help="The live application's queries (.sql file or folder), checked after every migration.")
@click.option("--execute-queries", is_flag=True, help="Also execute INSERT/UPDATE/DELETE app queries, rolled back.")
@click.option("--sql-mode", help="MySQL/MariaDB sql_mode for the replay (default: strict, the server's "
              "STRICT_TRANS_TABLES added when missing).")
@click.option("--statement-timeout", type=click.FloatRange(0.1, 86400), default=60, show_default=True,
              help="Seconds any statement may run.")
@click.option("--lock-timeout", type=click.FloatRange(0.1, 86400), default=10, show_default=True,
              help="Seconds any statement may wait for a lock.")
def verify_cmd(paths, database_url, embedded, docker, dialect, db_version, formats, fail_on, select, ignore,
               config_file, flyway_config, since, seed_rows, app_queries, execute_queries, sql_mode, statement_timeout,
               lock_timeout):
    """Replay the migrations on a throwaway database and measure locks, rewrites and online DDL."""
    from flylint.verify.run import VerifyError, verify_project

    try:
        code = verify_project(
            paths=tuple(paths), database_url=database_url, embedded=embedded, docker=docker, dialect=dialect,
            db_version=db_version, formats=formats, fail_on=fail_on, select=select, ignore=ignore,
            config_file=config_file, flyway_config=flyway_config, seed_rows=seed_rows, app_queries=app_queries,
            execute_queries=execute_queries, sql_mode=sql_mode, statement_timeout=statement_timeout,
            lock_timeout=lock_timeout, since=since,
        )
    except VerifyError as e:
        raise VerifyUsageError(str(e)) from None
    except KeyboardInterrupt:  # the scratch database is gone already (ScratchDatabase.__exit__)
        click.echo("flylint: interrupted; the scratch database was dropped", err=True)
        sys.exit(130)
    sys.stdout.flush()
    sys.exit(code)
