"""`flylint` command line. Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage/config/I/O."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

import click

from flylint import __version__
from flylint.settings import DIALECTS, FAIL_ON, SettingsError, load_settings
from flylint.text import display_path


class FlylintUsageError(click.ClickException):
    exit_code = 2


def _check_sqlglot() -> None:
    """sqlglotc writes compiled modules into sqlglot's folder: a version mismatch runs stale code.
    (Reads the installed versions from the package folders: importlib.metadata is slow to import.)"""
    from flylint.cache import sqlglot_folders, sqlglot_version

    compiled = None
    for folder in sqlglot_folders():
        for info in folder.parent.glob("sqlglotc-*.dist-info"):
            compiled = info.name[len("sqlglotc-"):-len(".dist-info")]
    if compiled is None:
        return  # pure-Python sqlglot: slower, but correct
    version = sqlglot_version()
    if compiled != version:
        raise FlylintUsageError(
            f"sqlglotc {compiled} does not match sqlglot {version}; reinstall both at "
            f"the same version (pip install 'sqlglot=={version}' "
            f"'sqlglotc=={version}')"
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
@click.option("--format", "formats", multiple=True, metavar="FORMAT[:FILE]",
              help="Output format: text, json, github, sarif, gitlab or junit; with :FILE written to "
              "FILE. Repeatable (default text).")
@click.option("--fail-on", type=click.Choice(FAIL_ON), help="Lowest severity that makes the exit "
              "code 1 (default error).")
@click.option("--select", multiple=True, metavar="RULE", help="Only these rules (ids or prefixes); repeatable.")
@click.option("--ignore", multiple=True, metavar="RULE", help="Skip these rules (ids or prefixes); repeatable.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="flylint settings "
              "file (default: flylint.toml or [tool.flylint] in pyproject.toml).")
@click.option("--flyway-config", type=click.Path(path_type=Path), help="Flyway configuration file "
              "(default: flyway.toml or flyway.conf in the current directory).")
@click.option("--no-cache", is_flag=True, help="Do not read or write .flylint_cache/.")
@click.option("--since", metavar="REF", help="Git revision of the deployed version: the migrations added or "
              "changed since its merge base with HEAD form the release (docs/releases.md).")
@click.option("--app-source", multiple=True, metavar="DIR", type=click.Path(path_type=Path),
              help="Code of the deployed version (read at REF with --since); repeatable.")
@click.option("--baseline", "baseline_file", type=click.Path(path_type=Path), help="Report only "
              "findings not in this baseline file (see 'flylint baseline').")
@click.option("--no-baseline", is_flag=True, help="Ignore the baseline file of the settings.")
@click.option("--app-queries", multiple=True, type=click.Path(path_type=Path), help="Queries of the live "
              "application version (.sql file or folder of them), checked against the migrated schema; repeatable.")
def lint(paths, dialect, db_version, formats, fail_on, select, ignore, config_file, flyway_config, no_cache,
         since, app_source, baseline_file, no_baseline, app_queries):
    """Lint the migrations in PATHS (default: the Flyway locations)."""
    from flylint.engine import Options, UsageError, exit_code, lint as lint_project, load
    from flylint.report import ReportOptions
    from flylint.report.outputs import OutputError, parse_outputs, replay_outputs, write_outputs

    gc.disable()  # a short-lived process building many long-lived objects: collections only cost time
    cwd = Path.cwd()
    try:
        settings = load_settings(cwd, config_file)
    except SettingsError as e:
        raise FlylintUsageError(str(e)) from None
    base = settings.source.parent if settings.source else cwd
    try:
        outputs = parse_outputs(formats, cwd)
    except OutputError as e:
        raise FlylintUsageError(str(e)) from None
    baseline_out = click.get_current_context().meta.get(_BASELINE_OUTPUT)  # `flylint baseline`
    if baseline_out is not None:
        baseline_file = None
    elif not no_baseline and baseline_file is None and settings.baseline:
        baseline_file = base / settings.baseline
    entries = None
    if baseline_file is not None or baseline_out is not None:
        from flylint import baseline as bl  # (only then: an import a plain run does not pay)

        try:
            entries = bl.load(baseline_file) if baseline_file is not None else None
        except bl.BaselineError as e:
            raise FlylintUsageError(str(e)) from None
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
        since=since,
        app_source=tuple(app_source),
        app_queries=tuple(app_queries),
    )
    fail_on = fail_on or settings.fail_on or "error"
    try:
        project = load(opts)
    except UsageError as e:
        raise FlylintUsageError(str(e)) from None
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    text_to_stdout = any(o.fmt == "text" and o.path is None for o in outputs)
    memo = None if baseline_out is not None else _memo_key(project, outputs, fail_on, color, baseline_file, entries)
    if memo is not None:
        stored = project.cache.get(memo[0], "output")
        if stored is not None and stored[0] == memo[1]:
            # nothing the result depends on has changed since the last run: give its output again
            _, notes, rendered, code = stored
            for line in notes:
                click.echo(line, err=True)
            try:
                replay_outputs([(o, text) for o, (_, text) in zip(outputs, rendered)])
            except OutputError as e:
                raise FlylintUsageError(str(e)) from None
            _exit(code)
    _check_sqlglot()
    try:
        result = lint_project(project)
    except UsageError as e:
        raise FlylintUsageError(str(e)) from None
    notes: list[str] = []
    if not result.files:
        where = ", ".join(str(p) for p in paths) or "the configured Flyway locations"
        notes.append(f"flylint: warning: no Flyway migrations found in {where} (files named like "
                     "V1__description.sql)")
    for line in notes:
        click.echo(line, err=True)
    if baseline_out is not None:
        _write_baseline(result, cwd, baseline_out or base / (settings.baseline or bl.DEFAULT_FILE))
        return
    outcome = None
    if entries is not None:
        from flylint.engine import select_rules
        from flylint.rules import all_rules

        ran = {r.id for r in select_rules(all_rules(), opts.select, opts.ignore)}
        result, outcome = bl.apply(result, entries, cwd, ran, str(baseline_file))
        if all(o.fmt != "text" or o.path is not None for o in outputs):  # no text on stdout: say it here
            summary = [f"flylint: {line}" for line in bl.summary_lines(outcome)]
            click.echo("\n".join(summary), err=True)
            notes.extend(summary)
    try:
        rendered = write_outputs(outputs, result, ReportOptions(color=color and text_to_stdout, fail_on=fail_on,
                                                                cwd=cwd, baseline=outcome))
    except OutputError as e:
        raise FlylintUsageError(str(e)) from None
    code = exit_code(result.findings, fail_on)
    if memo is not None:
        project.cache.put(memo[0], (memo[1], notes, [(o.fmt, text) for o, text in rendered], code), "output")
        project.cache.flush()
    _exit(code)


def _memo_key(project, outputs, fail_on: str, color: bool, baseline_file: Path | None, entries) -> tuple[str, str] | None:
    """(slot, key) of this run's output memo, or None when the run must not be memoised.

    The slot names what is asked for (the outputs and where they go), the key everything the
    answer depends on: the project's input key (engine.input_key: code, options, settings and
    every migration), --fail-on, colour and the baseline's entries. One memo is kept per slot.
    GitHub's step summary is a side effect outside the outputs: such runs are not memoised."""
    if project.key is None:
        return None
    if any(o.fmt == "github" for o in outputs) and os.environ.get("GITHUB_STEP_SUMMARY"):
        return None
    slot = project.cache.key(repr([(o.fmt, str(o.path)) for o in outputs]), "output", str(project.opts.cwd))
    baseline = None if entries is None else (str(baseline_file), repr(entries))
    key = project.cache.key(repr((project.key, fail_on, color, baseline)), "output", None)
    return slot, key


def _exit(code: int) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # skip freeing every object one by one at interpreter exit (a large run's last 0.2 s)


@main.command("plan")
@click.argument("intent", metavar="INTENT")
@click.argument("args", nargs=-1)
@click.option("--path", "paths", multiple=True, type=click.Path(path_type=Path), help="Migration folder "
              "(default: as for lint: [tool.flylint] paths or the Flyway locations); repeatable.")
@click.option("--dialect", type=click.Choice(DIALECTS), help="Database the migrations run on.")
@click.option("--db-version", metavar="VERSION", help="Server version, e.g. 15, 8.0.35 or 10.11.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="flylint settings file.")
@click.option("--flyway-config", type=click.Path(path_type=Path), help="Flyway configuration file.")
@click.option("--backfill", metavar="VALUE", help="set-not-null, add-not-null-column: SQL value for rows "
              "that are NULL now.")
@click.option("--default", "default", metavar="VALUE", help="add-not-null-column: the column's database default.")
@click.option("--write", is_flag=True, help="Write the files into the first location instead of printing them.")
@click.option("--no-cache", is_flag=True, help="Do not read or write .flylint_cache/.")
def plan_cmd(intent, args, paths, dialect, db_version, config_file, flyway_config, backfill, default, write,
             no_cache):
    """Print (or --write) the safe sequence of migrations for INTENT: rename-column TABLE.COLUMN NEW,
    set-not-null TABLE.COLUMN, change-column-type TABLE.COLUMN TYPE, add-foreign-key TABLE.COLUMN
    TABLE.COLUMN, drop-column TABLE.COLUMN, rename-table TABLE NEW_NAME, add-not-null-column TABLE.COLUMN
    TYPE."""
    from flylint.engine import UsageError
    from flylint.plan import PlanError, PlanOptions, lint_options, run_plan

    _check_sqlglot()
    try:
        opts = lint_options(Path.cwd(), paths, dialect, db_version, config_file, flyway_config, no_cache)
        run_plan(PlanOptions(intent, tuple(args), opts, write=write, backfill=backfill, default=default), sys.stdout)
    except (PlanError, UsageError) as e:
        raise FlylintUsageError(str(e)) from None


_BASELINE_OUTPUT = "flylint.baseline_output"


def _write_baseline(result, cwd: Path, output: Path) -> None:
    from flylint import baseline as bl

    output = output if output.is_absolute() else cwd / output
    try:
        n = bl.write(result, cwd, output)
    except bl.BaselineError as e:
        raise FlylintUsageError(str(e)) from None
    click.echo(f"flylint: wrote {n} finding{'' if n == 1 else 's'} to the baseline {display_path(output, cwd)}; "
               f"'flylint lint --baseline {display_path(output, cwd)}' now reports only new ones", err=True)


@click.pass_context
def _baseline_callback(ctx, output, **options):
    """Run lint's pipeline with its own discovery options, and write the baseline instead of a report."""
    ctx.meta[_BASELINE_OUTPUT] = output or ""  # "": the default file
    ctx.invoke(lint, **options)


# `flylint baseline` takes exactly lint's discovery options (paths, dialect, configuration, rule
# selection...), copied from lint so the two never drift apart; not its output options.
main.add_command(click.Command(
    "baseline",
    callback=_baseline_callback,
    params=[
        *(p for p in lint.params if p.name not in ("formats", "fail_on", "baseline_file", "no_baseline")),
        click.Option(["--output", "-o"], type=click.Path(path_type=Path), help="Baseline file to write "
                     "(default: baseline in the settings, else flylint-baseline.json)."),
    ],
    help="Record today's findings in PATHS so that 'flylint lint --baseline FILE' reports only new ones.",
))


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
        click.echo(f"{r.id:36} {r.severity:8} {r.klass:13} {r.title}{'' if r.default else ' (opt-in)'}")


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
        # not standalone: click would turn Ctrl-C into "Aborted!" and exit code 1, which means findings
        code = main(standalone_mode=False)
    except SystemExit:
        raise
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("flylint: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except Exception as e:  # pragma: no cover - a bug; say so in one line
        if os.environ.get("FLYLINT_DEBUG"):
            raise
        click.echo(f"flylint: internal error: {type(e).__name__}: {e} (set FLYLINT_DEBUG=1 for the "
                   "traceback, and please report it)", err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
