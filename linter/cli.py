"""`flylint` command line. Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage/config/I/O."""

from __future__ import annotations

import gc
import os
import sys
from importlib import metadata
from pathlib import Path

import click

from flylint import __version__
from flylint.settings import DIALECTS, FAIL_ON, SettingsError, load_settings


class FlylintUsageError(click.ClickException):
    exit_code = 2


def _check_sqlglot() -> None:
    """sqlglotc writes compiled modules into sqlglot's folder: a version mismatch runs stale code."""
    import sqlglot

    try:
        compiled = metadata.version("sqlglotc")
    except metadata.PackageNotFoundError:
        return  # pure-Python sqlglot: slower, but correct
    if compiled != sqlglot.__version__:
        raise FlylintUsageError(
            f"sqlglotc {compiled} does not match sqlglot {sqlglot.__version__}; reinstall both at "
            f"the same version (pip install 'sqlglot=={sqlglot.__version__}' "
            f"'sqlglotc=={sqlglot.__version__}')"
        )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="flylint")
def main() -> None:
    """flylint: lint Flyway migrations for blue/green and rolling deploys."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--dialect", type=click.Choice(DIALECTS), help="Database the migrations run on "
              "(default: from [tool.flylint] or the Flyway url).")
@click.option("--db-version", metavar="VERSION", help="Server version, e.g. 15, 8.0.35 or 10.11.")
@click.option("--format", "formats", multiple=True, type=click.Choice(["text", "json"]),
              help="Output format (default text).")
@click.option("--fail-on", type=click.Choice(FAIL_ON), help="Lowest severity that makes the exit "
              "code 1 (default error).")
@click.option("--select", multiple=True, metavar="RULE", help="Only these rules (ids or prefixes); repeatable.")
@click.option("--ignore", multiple=True, metavar="RULE", help="Skip these rules (ids or prefixes); repeatable.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="flylint settings "
              "file (default: flylint.toml or [tool.flylint] in pyproject.toml).")
@click.option("--flyway-config", type=click.Path(path_type=Path), help="Flyway configuration file "
              "(default: flyway.toml or flyway.conf in the current directory).")
@click.option("--no-cache", is_flag=True, help="Do not read or write .flylint_cache/.")
def lint(paths, dialect, db_version, formats, fail_on, select, ignore, config_file, flyway_config, no_cache):
    """Lint the migrations in PATHS (default: the Flyway locations)."""
    from flylint.engine import Options, UsageError, exit_code, run
    from flylint.report import ReportOptions, render

    _check_sqlglot()
    gc.disable()  # a short-lived process building many long-lived objects: collections only cost time
    cwd = Path.cwd()
    try:
        settings = load_settings(cwd, config_file)
    except SettingsError as e:
        raise FlylintUsageError(str(e)) from None
    base = settings.source.parent if settings.source else cwd
    if not paths and settings.paths:
        paths = tuple(base / p for p in settings.paths)
    fw = flyway_config or (base / settings.flyway_config if settings.flyway_config else None)
    if fw is not None and not fw.is_file():
        raise FlylintUsageError(f"Flyway configuration file not found: {fw}")
    opts = Options(
        cwd=cwd,
        paths=tuple(paths),
        dialect=dialect or settings.dialect,
        db_version=db_version or settings.db_version,
        select=tuple(select) or settings.select,
        ignore=tuple(ignore) or settings.ignore,
        flyway_config=fw,
        cache=settings.cache and not no_cache,
        severity=settings.severity,
    )
    fail_on = fail_on or settings.fail_on or "error"
    try:
        result = run(opts)
    except UsageError as e:
        raise FlylintUsageError(str(e)) from None
    if not result.files:
        where = ", ".join(str(p) for p in paths) or "the configured Flyway locations"
        click.echo(f"flylint: warning: no Flyway migrations found in {where} (files named like "
                   "V1__description.sql)", err=True)
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    for fmt in formats or ("text",):
        render(fmt, result, sys.stdout, ReportOptions(color=color and fmt == "text", fail_on=fail_on))
    code = exit_code(result.findings, fail_on)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # skip freeing every object one by one at interpreter exit (a large run's last 0.2 s)


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text")
def rules_cmd(fmt):
    """List every rule (markdown: the docs/rules.md index)."""
    from flylint.rules import all_rules
    from flylint.rules.docs import index

    if fmt == "markdown":
        click.echo(index(all_rules()), nl=False)
        return
    for r in all_rules():
        click.echo(f"{r.id:36} {r.severity:8} {r.klass:13} {r.title}")


@main.command("explain")
@click.argument("rule_id")
def explain_cmd(rule_id):
    """Print one rule's documentation: what, why, the safe way, examples."""
    from flylint.rules import rules_by_id
    from flylint.rules.docs import page

    rules = rules_by_id()
    if rule_id not in rules:
        close = [r for r in rules if rule_id in r or r in rule_id]
        hint = f" (did you mean {', '.join(close[:3])}?)" if close else " (see 'flylint rules')"
        raise FlylintUsageError(f"unknown rule '{rule_id}'{hint}")
    click.echo(page(rules[rule_id]), nl=False)


from flylint.verify.commands import register as _register_verify  # noqa: E402  (verify, validate, checksum)

_register_verify(main)


def run_main() -> None:
    """Entry point with a last line of defence: no traceback reaches the user."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("flylint: interrupted", err=True)
        sys.exit(130)
    except Exception as e:  # pragma: no cover - a bug; say so in one line
        if os.environ.get("FLYLINT_DEBUG"):
            raise
        click.echo(f"flylint: internal error: {type(e).__name__}: {e} (set FLYLINT_DEBUG=1 for the "
                   "traceback, and please report it)", err=True)
        sys.exit(2)
