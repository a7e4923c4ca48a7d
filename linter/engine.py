"""The pipeline: Flyway project on disk -> located, parsed statements -> findings.

discovery (flylint.flyway) -> placeholders -> splitter -> parser -> rules. Each step is a module
of its own; this one only wires them together, maps positions back to the user's file and keeps
the per-file parse cache.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

# Only what reading a project needs is imported here; the SQL machinery (sqlglot, the splitter,
# the replay, the rules' modules) is imported when a run parses, so that a run answered from the
# output memo (cli) starts quickly.
from flylint.cache import ParseCache
from flylint.flyway import facts as F
from flylint.flyway.config import (
    FlywayConfig, FlywayConfigError, dialect_from_url, load_flyway_config, sql_session_settings,
    url_session_settings,
)
from flylint.flyway.discovery import discover, init_sql_replacement
from flylint.flyway.placeholders import replace_placeholders, undefined_facts
from flylint.model import SEVERITY_RANK, FileAnalysis, Finding, Statement
from flylint.rules import LintContext, Rule, drop_after_failure
from flylint.settings import DIALECTS
from flylint.text import LineIndex, display_path


class UsageError(Exception):
    """Bad options, configuration or paths: reported in one line, exit code 2."""


@dataclass(frozen=True)
class Options:
    cwd: Path
    paths: tuple[Path, ...] = ()
    dialect: str | None = None
    db_version: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    flyway_config: Path | None = None
    cache: bool = True
    severity: tuple[tuple[str, str], ...] = ()  # per-rule severity overrides (id or prefix -> level)
    since: str | None = None  # git revision: the release is what changed since its merge base (linter/release.py)
    app_source: tuple[Path, ...] = ()  # the deployed application's code (linter/appsource.py)
    app_queries: tuple[Path, ...] = ()  # the live application's queries: .sql files or folders


@dataclass(frozen=True)
class Result:
    dialect: str
    db_version: str | None
    files: tuple[FileAnalysis, ...]
    findings: tuple[Finding, ...]
    cache_hits: int = 0
    replay: object = None  # flylint.catalog.replay.Replay
    reused: int = 0  # migrations taken whole from the last run's snapshot (not split, parsed or replayed)
    release: object = None  # flylint.release.Release
    app: object = None  # flylint.appsource.AppSource, when --app-source was given


_DB_VERSION = re.compile(r"\d+(\.\d+){0,2}")


def run(opts: Options) -> Result:
    """Lint a project: `lint(load(opts))`."""
    return lint(load(opts))


@dataclass
class Project:
    """A project read from disk, before any SQL is parsed: settings, migrations (placeholders
    replaced) and the cache. `key` names every input of the run (see `input_key`)."""

    opts: Options
    cfg: FlywayConfig
    dialect: str
    rules: list
    found: object  # flylint.flyway.discovery.Discovery
    release: object  # flylint.release.Release
    cache: ParseCache
    prepared: list
    default_schema: str
    overrides: dict  # rule id -> severity, from the severity setting
    key: str | None = None  # None: the run depends on more than its files and options (--since, ...)


def load(opts: Options) -> Project:
    """Read settings and discover the migrations. Imports no SQL machinery: a run whose result is
    already known (cli's output memo) stops after this."""
    try:
        cfg = load_flyway_config(opts.cwd, opts.flyway_config, os.environ)
    except FlywayConfigError as e:
        raise UsageError(str(e)) from None
    dialect = opts.dialect or dialect_from_url(cfg.url or "")
    if dialect is None:
        hint = f" (flyway url '{cfg.url}' names no supported database)" if cfg.url else ""
        raise UsageError(
            "cannot tell which database the migrations are for" + hint
            + ": pass --dialect postgres|mysql|mariadb, or set dialect in [tool.flylint]"
        )
    if dialect not in DIALECTS:
        raise UsageError(f"unknown dialect '{dialect}' (choose from {', '.join(DIALECTS)})")
    if opts.db_version is not None and not _DB_VERSION.fullmatch(opts.db_version):
        raise UsageError(f"--db-version must look like 15, 8.0.35 or 10.11, not '{opts.db_version}'")
    from flylint.rules import all_rules

    every_rule = all_rules()
    rules = select_rules(every_rule, opts.select, opts.ignore)
    overrides = _severity_overrides(opts.severity, [r.id for r in every_rule])  # bad ids: a usage error now
    for p in opts.paths:
        if not p.exists():
            raise UsageError(f"path does not exist: {p}")
        if not p.is_dir() and not p.is_file():
            raise UsageError(f"not a folder or a migration file: {p}")
    try:
        found = discover(cfg, list(opts.paths), opts.cwd)
    except FlywayConfigError as e:
        raise UsageError(str(e)) from None

    release = _release(opts, cfg, found)
    cache = ParseCache(opts.cwd if opts.cache else None)
    builtins = cfg.builtin_placeholders(opts.cwd)
    default_schema = cfg.catalog_schema(dialect) or ("public" if dialect == "postgres" else "app")
    prepared = [_prepare(src.migration, src.text, cfg, builtins, cache, dialect, opts.db_version)
                for src in found.sources]
    project = Project(opts, cfg, dialect, rules, found, release, cache, prepared, default_schema, overrides)
    project.key = input_key(project)
    return project


def input_key(project: Project) -> str | None:
    """A hash of everything a run's result depends on: flylint's code and sqlglot's version (in
    every cache key), the options, the Flyway settings, the rules chosen, and every migration's
    executed text, name, checksum and script configuration, and discovery's findings. None when
    the result also depends on git or on files outside the migrations (--since, --app-source,
    --app-queries): such runs are never taken from a memo."""
    opts = project.opts
    if not opts.cache or opts.since is not None or opts.app_source or opts.app_queries:
        return None
    parts = [repr(replace(opts, cache=True)), repr(project.cfg), project.dialect, project.default_schema,
             repr([r.id for r in project.rules]), repr(project.found.facts)]
    for p in project.prepared:
        parts.append(f"{p.key}|{p.migration!r}|{p.facts!r}")
    return project.cache.key("\n".join(parts), project.dialect, opts.db_version)


def lint(project: Project) -> Result:
    """Parse, replay and judge the project's migrations. The garbage collector is paused
    meanwhile: a run builds many long-lived objects and frees little, so collections only cost
    time (about a third of a large run)."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _lint(project)
    finally:
        if gc_was_enabled:
            gc.enable()


def _lint(project: Project) -> Result:
    from flylint import twoproc
    from flylint.catalog.replay import Replay, replay

    opts, cfg, dialect, rules, found = project.opts, project.cfg, project.dialect, project.rules, project.found
    release, cache, prepared, default_schema = project.release, project.cache, project.prepared, project.default_schema
    chain = tuple(
        (p.key, p.migration.display, p.migration.kind, str(p.migration.version), p.migration.checksum)
        for p in prepared
    )
    # One snapshot per (dialect, version, schema, project settings): the last run's whole analysis.
    snapshot_key = cache.key(repr(sorted(cfg.placeholders.items())), dialect, f"{opts.db_version}|{default_schema}")
    # With --since, "born" depends on the release: the snapshot (whose changes carry it) is not used.
    snapshot = cache.get(snapshot_key, "snapshot") if release.per_file else None
    files: list[FileAnalysis] = []
    per_file_facts: list[list[object]] = []
    history = None
    reused = 0
    # (Never a snapshot as long as the whole history: it would be stored again as the history minus
    # its newest file while holding that file's replay, and a later edit of that file would be missed.)
    if snapshot is not None and len(snapshot["chain"]) < len(chain) and chain[: len(snapshot["chain"])] == snapshot["chain"]:
        # The history starts with what the last run saw (all but its newest migration, the one
        # most often edited): reuse that analysis and catalog, and replay only the rest.
        files, per_file_facts, history = list(snapshot["files"]), list(snapshot["facts"]), snapshot["replay"]
        reused = len(files)
    todo = prepared[len(files):]

    def analyse(part: list[_Prepared], cache: ParseCache = cache) -> tuple[list[FileAnalysis], list[list[object]]]:
        parsed = parse_all(part, dialect, opts.db_version, cache)
        done = [analyse_file(p, parsed.get(p.key)) for p in part]
        return [fa for fa, _ in done], [more for _, more in done]

    def replay_from(some: list[FileAnalysis], state):
        return replay(some, dialect, default_schema, resume=state, release=release, db_version=opts.db_version)

    split_run = None
    if twoproc.worthwhile(todo):
        # a long history without a usable snapshot: parse and replay it on two processes
        # the per-file parse cache (an SQLite connection) is not shared by two processes: neither
        # uses it there; the snapshot written after the run serves the next one
        from flylint.sql.parser import parse_statement

        parse_statement("SELECT 1", dialect)  # load the parser and sqlglot's dialect once, before the fork
        split_run = twoproc.run_split(len(files), todo, lambda part: analyse(part, ParseCache(None)),
                                      replay_from, _light,
                                      history, files, per_file_facts, Replay, FileAnalysis)
    if split_run is not None:
        files, per_file_facts, history = split_run
    else:
        more_files, more_facts = analyse(todo)
        files += more_files
        per_file_facts += more_facts
    last = max(len(files) - 1, 0)
    history = replay_from(files[:last], history)
    if opts.cache and release.per_file and chain and (snapshot is None or snapshot["chain"] != chain[:last]):
        cache.put(
            snapshot_key,
            {"chain": chain[:last], "files": [_light(fa) for fa in files[:last]],
             "facts": per_file_facts[:last], "replay": history},
            "snapshot",
        )
    history = replay_from(files, history)
    cache.flush()
    facts: list[object] = list(found.facts)
    for more in per_file_facts:
        facts.extend(more)

    def display(p: Path) -> str:
        return display_path(p, opts.cwd)

    ctx = LintContext(
        dialect=dialect,
        db_version=opts.db_version,
        files=tuple(files),
        facts=tuple(_dedupe_empty(facts)),
        display=display,
        settings={
            "mixed": cfg.mixed,
            "execute_in_transaction": cfg.execute_in_transaction,
            "fail_on_missing_locations": cfg.fail_on_missing_locations,
            "out_of_order": cfg.out_of_order,
            # the session settings every migration starts with (lock_timeout, foreign_key_checks...)
            "session": session_defaults(cfg, found.facts),
            "session_startup": session_defaults(cfg, (), startup=True),  # what RESET returns to
        },
        replay=history,
        release=release,
        app_queries=_app_queries(opts, dialect, display),
    )
    if opts.app_source:
        ctx = replace(ctx, app=_app_source(opts, ctx))
    findings: list[Finding] = []
    overrides = project.overrides

    def check(some: list[Rule]) -> list[list[Finding]]:
        return [list(r.check(ctx)) for r in some]

    per_rule = None
    if twoproc.worthwhile(prepared) and ctx.replay is not None:
        ctx.changes_of("create-table")  # build the change index once, before the processes part
        per_rule = twoproc.run_halves(rules, check)
    if per_rule is None:
        per_rule = check(rules)
    for r, got in zip(rules, per_rule):
        level = overrides.get(r.id)
        findings.extend(got if level is None else [replace(f, severity=level) for f in got])
    if ctx.app is not None:
        from flylint.appsource import annotate
        findings = annotate(findings, ctx, keep_severity=set(overrides))
    findings = _suppress(findings, files, dialect, rules)
    findings = drop_after_failure([f for f in findings if release.keep(f)])
    findings.sort(key=lambda f: (_natural(f.path), f.span.line, f.span.column, f.rule))
    return Result(dialect, opts.db_version, tuple(files), tuple(findings), cache.hits, replay=history,
                  reused=reused, release=release, app=ctx.app)


def session_defaults(cfg: FlywayConfig, project_facts, *, startup: bool = False) -> dict[str, tuple[str, str]]:
    """Setting name -> (value as written, where it is set) for what holds on a migration's
    connection when the migration starts, in the order Flyway applies them: the url's options
    (PostgreSQL `options=-c ...`, MySQL `sessionVariables`) when it connects, then initSql, then
    every beforeEachMigrate callback (run before each migration, in its transaction). Later wins.
    With `startup`, only what the connection is opened with (the url's), which RESET returns to.
    initSql and the callbacks are read as Flyway runs them, placeholders replaced; one with an
    undefined placeholder sets nothing (Flyway fails on it: flyway-undefined-placeholder)."""
    out: dict[str, tuple[str, str]] = {}
    for name, value in url_session_settings(cfg.url).items():
        out[name] = (value, "the options of Flyway's url")
    if startup:
        return out
    # A value that still reads `${name}` (placeholder replacement turned off, for the project or in
    # the callback's .sql.conf) reaches the database as written, which rejects it as a timeout: it
    # sets nothing.
    prefix, suffix = cfg.placeholder_prefix, cfg.placeholder_suffix

    def literal(value: str) -> bool:
        at = value.find(prefix)
        return at >= 0 and suffix in value[at + len(prefix):]

    init_sql = init_sql_replacement(cfg)
    if init_sql is not None and not init_sql.undefined:
        for name, value in sql_session_settings(init_sql.text).items():
            if not literal(value):
                out[name] = (value, "Flyway's initSql")
    for f in project_facts:
        if isinstance(f, F.SqlCallback) and f.event == "beforeEachMigrate" and f.text:
            for name, value in sql_session_settings(f.text).items():
                if not literal(value):
                    out[name] = (value, f"the callback {f.path.name}")
    return out


def _release(opts: Options, cfg: FlywayConfig, found):
    """The release being judged: per migration, or what changed since `--since` (linter/release.py)."""
    from flylint.release import Release, ReleaseError, resolve

    if opts.since is None:
        return Release()
    try:
        return resolve(opts.since, cfg, list(opts.paths), opts.cwd, found.sources)
    except ReleaseError as e:
        raise UsageError(f"--since {opts.since}: {e}") from None


def _app_source(opts: Options, ctx: LintContext):
    """Search the deployed code for the objects the release breaks (linter/appsource.py)."""
    from flylint.appsource import AppSourceError, search
    from flylint.release import ReleaseError

    try:
        return search(opts.app_source, ctx, opts.cwd)
    except (AppSourceError, ReleaseError) as e:
        raise UsageError(f"--app-source: {e}") from None


def _app_queries(opts: Options, dialect: str, display) -> tuple:
    """Read --app-queries (rules never read files)."""
    if not opts.app_queries:
        return ()
    from flylint.appqueries import QueryFileError, load

    try:
        return load(opts.app_queries, dialect, display)
    except QueryFileError as e:
        raise UsageError(str(e)) from None


@dataclass(frozen=True)
class _Prepared:
    migration: object  # MigrationFile
    text: str | None  # the original decoded text
    replaced: object  # flylint.flyway.placeholders.Replacement, None when undecodable
    key: str | None  # parse-cache key of the text as executed
    facts: tuple = ()


def _prepare(migration, text, cfg: FlywayConfig, builtins, cache: ParseCache, dialect, db_version) -> _Prepared:
    """Replace placeholders (positions stay mappable) and compute the file's cache key."""
    if text is None:
        return _Prepared(migration, None, None, None)
    enabled = cfg.placeholder_replacement
    if migration.config.placeholder_replacement is not None:
        enabled = migration.config.placeholder_replacement
    rep = replace_placeholders(
        text, cfg.placeholders, prefix=cfg.placeholder_prefix, suffix=cfg.placeholder_suffix,
        separator=cfg.placeholder_separator, enabled=enabled, filename=migration.path.name, builtins=builtins,
    )
    key = cache.key(rep.text, dialect, db_version)
    return _Prepared(migration, text, rep, key, tuple(undefined_facts(migration.path, text, rep)))


def split_and_parse(text: str, dialect: str, pg_version: int | None):
    """The statements of one migration's executed text, each with its parse result."""
    from flylint.sql.parser import parse_statement
    from flylint.sql.splitter import split

    result = split(text, dialect, pg_version=pg_version)
    pieces = []
    for raw in result.statements:
        parsed = None if raw.error is not None else parse_statement(
            text[raw.start : raw.end], dialect, max_depth=_MAX_DEPTH)
        pieces.append((raw, parsed))
    return pieces, (result.tail_error, result.tail_error_offset)


def parse_all(todo: list[_Prepared], dialect: str, db_version, cache: ParseCache) -> dict[str, object]:
    """Split and parse every file, taking what the cache has.

    (Sending parse trees between processes costs about as much as parsing them, so a long
    history is cut along its length instead: flylint.twoproc.)
    """
    # Flyway asks the live server whether ALTER TYPE ... ADD VALUE may run in a transaction (12+);
    # without --db-version flylint assumes the oldest supported PostgreSQL, as the rules do.
    from flylint.dbfacts import OLDEST

    pg_version = (_major(db_version) or int(OLDEST["postgres"])) if dialect == "postgres" else None
    results: dict[str, object] = {}
    for p in todo:
        if p.text is None or p.key in results:
            continue
        pieces = cache.get(p.key)
        if pieces is None:
            pieces = split_and_parse(p.replaced.text, dialect, pg_version)
            cache.put(p.key, pieces)
        results[p.key] = pieces
    return results


def analyse_file(p: _Prepared, pieces):
    """One migration's FileAnalysis from its parse results; also the facts found on the way."""
    migration, text, rep = p.migration, p.text, p.replaced
    facts: list[object] = list(p.facts)
    if text is None:
        return FileAnalysis(migration, (), None), facts
    lines = LineIndex(text)
    pieces, (tail_error, tail_offset) = pieces
    if tail_error is not None:
        o = rep.to_original(tail_offset or 0)
        facts.append(F.UnterminatedTail(migration.path, tail_error, lines.span(o, o + 1)))

    statements = []
    for i, (raw, parsed) in enumerate(pieces):
        start, end = rep.to_original(raw.start), rep.to_original(raw.end)
        if end <= start:
            end = start + 1
        error_span = None
        if raw.error is not None and raw.error_offset is not None:
            o = rep.to_original(raw.error_offset)
            error_span = lines.span(o, o + 1)
        elif parsed is not None and parsed.error_offset is not None:
            o = rep.to_original(raw.start + parsed.error_offset)
            error_span = lines.span(o, o + 1)
        statements.append(
            Statement(
                index=i,
                text=rep.text[raw.start : raw.end],
                span=lines.span(start, end),
                transactional=raw.transactional,
                parsed=parsed,
                split_error=raw.error,
                split_note=raw.note,
                error_span=error_span,
            )
        )
    if not statements:
        facts.append(F.EmptyMigration(migration.path))
    return FileAnalysis(migration, tuple(statements), text), facts


def _light(fa: FileAnalysis) -> FileAnalysis:
    """The analysis without parse trees: all that rules and reporters need once replay is done."""
    from flylint.sql.parser import ParseResult

    stmts = tuple(
        Statement(st.index, st.text, st.span, st.transactional,
                  ParseResult(None, st.parsed.unanalysed, st.parsed.error_offset, st.parsed.kind),
                  st.split_error, st.split_note, st.error_span)
        if st.parsed is not None else st
        for st in fa.statements
    )
    return FileAnalysis(fa.migration, stmts, fa.source)


# Deeper nesting than this is refused before it reaches sqlglot (whose compiled parser can crash
# on very deep nesting); real migrations stay far below it.
_MAX_DEPTH = 100


def _suppress(findings: list[Finding], files: list[FileAnalysis], dialect: str, rules: list[Rule]) -> list[Finding]:
    """Apply `-- flylint: ignore[...]` comments; report the ones without a reason or without effect."""
    from flylint.rules import all_rules, rules_by_id
    from flylint.suppress import SUPPRESSION_RULE, apply_suppressions, find_suppressions

    by_path = {}
    for fa in files:
        if fa.source is not None and "flylint" in fa.source:
            by_path[fa.migration.display] = find_suppressions(fa.source, dialect, [s.span for s in fa.statements])
    if not by_path:
        return findings
    meta = rules_by_id()[SUPPRESSION_RULE]
    selected = {r.id for r in rules}
    # a suppression for a rule that did not run (--select/--ignore, opt-in rules) is not "unused"
    kept, _ = apply_suppressions(
        findings, by_path, [r.id for r in all_rules()],
        lambda path, span, message: meta.finding(path, span, message, fix=meta.fix), ran=selected,
    )
    if SUPPRESSION_RULE not in selected:
        kept = [f for f in kept if f.rule != SUPPRESSION_RULE]
    return kept


def _natural(path: str) -> tuple:
    """Sort key that puts V2 before V10: digit runs compare as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", path))


def _major(db_version: str | None) -> int | None:
    if not db_version:
        return None
    return int(db_version.split(".")[0])


def _dedupe_empty(facts: Iterable[object]) -> list[object]:
    """Discovery and the engine may both notice an empty migration: keep one fact per file."""
    seen: set = set()
    out = []
    for f in facts:
        if isinstance(f, F.EmptyMigration):
            if f.path in seen:
                continue
            seen.add(f.path)
        out.append(f)
    return out


def select_rules(rules: Iterable[Rule], select: Iterable[str], ignore: Iterable[str]) -> list[Rule]:
    """Rules chosen by --select/--ignore: exact ids or prefixes such as 'flyway'."""
    rules = list(rules)
    ids = [r.id for r in rules]

    def matches(pattern: str, rid: str) -> bool:
        return rid == pattern or rid.startswith(pattern.rstrip("-") + "-")

    for pattern in (*select, *ignore):
        if not any(matches(pattern, rid) for rid in ids):
            raise UsageError(f"unknown rule '{pattern}' in --select/--ignore (see 'flylint rules')")
    # opt-in rules (Rule.default=False) run only when --select names them
    if select:
        chosen = [r for r in rules if any(matches(p, r.id) for p in select)]
    else:
        chosen = [r for r in rules if r.default]
    return [r for r in chosen if not any(matches(p, r.id) for p in ignore)]


def _severity_overrides(pairs, ids: list[str]) -> dict[str, str]:
    """Rule id -> severity from the [severity] setting; an exact id wins over a prefix."""
    out: dict[str, str] = {}
    for pattern, level in sorted(pairs, key=lambda p: len(p[0])):
        matched = [i for i in ids if i == pattern or i.startswith(pattern.rstrip("-") + "-")]
        if not matched:
            raise UsageError(f"unknown rule '{pattern}' in the severity setting (see 'flylint rules')")
        for i in matched:
            out[i] = level
    return out


def exit_code(findings: Iterable[Finding], fail_on: str) -> int:
    if fail_on == "never":
        return 0
    threshold = SEVERITY_RANK[fail_on]
    return 1 if any(SEVERITY_RANK[f.severity] >= threshold for f in findings) else 0
