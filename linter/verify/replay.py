"""Replay a linted project on the scratch database with Flyway's semantics, measuring the release.

Flyway order (the engine's), placeholders already replaced (the engine's statements are the text
as executed). On PostgreSQL a migration runs in one transaction unless Flyway would run it outside
one (executeInTransaction=false, or statements PostgreSQL cannot run in a transaction); on
MySQL/MariaDB it runs in a transaction that every DDL statement commits. The replay stops at the
first failing migration, as `flyway migrate` does.

`release` is the set of migration indexes whose statements are measured; migrations before it are
applied unmeasured (deployed). None: every migration is its own release and everything is measured.
Before a release is measured, empty tables get seed rows; the application's queries are checked
before the release and after each of its migrations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flylint.verify.appqueries import AppQuery
from flylint.verify.guard import refusal
from flylint.verify.measure import StatementTrace, shorten


class CopyIn(str):
    """A `COPY ... FROM STDIN` statement; `data` is the rows that follow it in the script (up to `\\.`),
    which Flyway sends through the COPY protocol."""

    data: str = ""


_COPY_STDIN = re.compile(r"(?is)^\s*COPY\b.*\bFROM\s+STDIN\b")


def _statement_sql(fa, st):
    if not _COPY_STDIN.match(st.text) or fa.source is None:
        return st.text
    lines = fa.source.splitlines()
    data = []
    for line in lines[st.span.end_line:]:  # the rows start on the line after the statement
        if line.strip() == "\\.":
            break
        data.append(line + "\n")
    out = CopyIn(st.text)
    out.data = "".join(data)
    return out


@dataclass
class AppBreak:
    query: AppQuery
    file_index: int  # the migration after which the query stopped working
    error: str
    how: str  # prepare | execute


@dataclass
class ReplayOutcome:
    traces: list[StatementTrace] = field(default_factory=list)
    trace_files: list[int] = field(default_factory=list)  # file index of each trace
    failed: tuple[int, int, str] | None = None  # (file index, statement index, error)
    app_breaks: list[AppBreak] = field(default_factory=list)
    app_never: list[tuple[AppQuery, str]] = field(default_factory=list)  # never prepared
    notes: list[str] = field(default_factory=list)
    applied: int = 0
    refused: list[tuple[int, int, str]] = field(default_factory=list)  # (file, statement, why): not run


def in_transaction(fa, cfg, dialect: str) -> bool:
    forced = fa.migration.config.execute_in_transaction
    if forced is not None:
        return forced
    if not cfg.execute_in_transaction:
        return False
    if dialect == "postgres":
        return all(st.transactional for st in fa.statements)
    return True


def replay_project(backend, files, cfg, *, release: set[int] | None = None, seed_rows: int = 1,
                   app_queries: list[AppQuery] = (), execute_queries: bool = False, seed=None) -> ReplayOutcome:
    out = ReplayOutcome()
    dialect = getattr(backend, "dialect", "postgres")
    database = getattr(getattr(backend, "url", None), "database", None)
    state: dict[int, bool] = {}  # query index -> prepared fine at the last check
    broken: set[int] = set()
    last_error: dict[int, str] = {}
    measured = [i for i, fa in enumerate(files) if release is None or i in release]
    first_release = measured[0] if measured else None

    def check_queries(after_file: int | None):
        for qi, q in enumerate(app_queries):
            if qi in broken:
                continue
            err, how = backend.prepare(q.text), "prepare"
            if err is None and execute_queries and q.is_dml and not q.has_params:
                err, how = backend.execute_rolled_back(q.text), "execute"
            if err is None:
                state[qi] = True
                continue
            last_error[qi] = err
            if state.get(qi) and after_file is not None:
                broken.add(qi)
                out.app_breaks.append(AppBreak(q, after_file, err, how))
            state[qi] = False

    for i, fa in enumerate(files):
        m = fa.migration
        if m.kind not in ("V", "R"):
            out.notes.append(f"{m.display}: {'undo' if m.kind == 'U' else 'baseline'} migration not replayed")
            continue
        if fa.source is None:
            out.notes.append(f"{m.display}: not replayed (the file could not be decoded)")
            continue
        measure = release is None or i in release
        if measure and seed is not None and (release is None or i == first_release):
            out.notes.extend(f"before {m.display}: {n}" for n in seed(seed_rows))
        elif measure and seed is not None and seed_rows > 0:
            # inside a release no table gets new rows; seed(0) only points the seed rows at tables the
            # release created and filled, for a foreign key a later migration adds (verify/seed.py)
            out.notes.extend(f"before {m.display}: {n}" for n in seed(0))
        if app_queries and i == first_release:
            check_queries(None)
        items = []
        for st in fa.statements:
            tr = StatementTrace(m.display, st.span.line, shorten(st.text), st.index)
            why = refusal(st, dialect, database) if database else None
            if why is not None:  # never reach beyond the scratch database
                tr.note = f"not run: {why}"
                out.refused.append((i, st.index, why))
                items.append((None, tr, st.transactional))
                continue
            items.append((_statement_sql(fa, st), tr, st.transactional))
        failed = backend.run_migration(items, in_transaction(fa, cfg, dialect), measure)
        if measure or failed is not None:
            for _text, tr, _t in items[: (failed + 1) if failed is not None else len(items)]:
                out.traces.append(tr)
                out.trace_files.append(i)
        if failed is not None:
            out.failed = (i, failed, items[failed][1].error or "failed")
            rest = len(files) - i - 1
            if rest:
                out.notes.append(f"replay stopped at {m.display}, as Flyway would: "
                                 f"{rest} later migration{'s' if rest != 1 else ''} not run")
            break
        out.applied += 1
        if app_queries and measure:
            check_queries(i)
    for qi, q in enumerate(app_queries):
        if not state.get(qi) and qi not in broken:
            out.app_never.append((q, last_error.get(qi, "not checked")))
            out.notes.append(f"the application query at {q.path}:{q.line} never prepared against the schema "
                             f"(not judged): {last_error.get(qi, 'not checked')}")
    return out
