"""flylint's rules.

A rule is small: metadata (id, title, default severity, class, rationale, the safe alternative and
examples) and a `check` function from the lint context to findings. Rules never read files: the
engine gives them the discovered migrations, their parsed statements and the facts about the
Flyway project. The examples are small Flyway projects; they become the rule's documentation
(docs/rules/<id>.md) and its test cases (tests/test_rule_examples.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from flylint.model import FileAnalysis, Finding, Span

DOCS_DIR = "docs/rules"


@dataclass(frozen=True)
class Example:
    """A tiny Flyway project (file name -> content) and whether the rule must fire on it."""

    files: Mapping[str, str]
    flagged: bool
    dialect: str = "postgres"
    title: str = ""
    db_version: str | None = None


@dataclass(frozen=True)
class LintContext:
    """Everything a rule may look at."""

    dialect: str
    db_version: str | None
    files: tuple[FileAnalysis, ...]
    facts: tuple[object, ...]  # flylint.flyway.facts.ProjectFact
    display: Callable[[Path], str]  # how to show a path to the user
    settings: Mapping[str, object] = field(default_factory=dict)  # Flyway settings rules may need
    replay: object = None  # flylint.catalog.replay.Replay: the catalog and every statement's changes
    release: object = None  # flylint.release.Release: which migrations are judged, which objects are live
    app: object = None  # flylint.appsource.AppSource: references found in the deployed code (--app-source)
    app_queries: tuple = ()  # flylint.appqueries.AppQuery: the live application's queries (--app-queries)

    def changes(self) -> list:
        """Every change in replay order, as (file, statement, change); computed once."""
        cached = self.__dict__.get("_changes")
        if cached is None:
            cached = []
            add = cached.append
            if self.replay is not None:
                files = self.files
                for fi, per_file in enumerate(self.replay.changes):
                    fa = files[fi]
                    statements = fa.statements
                    for si, changes in enumerate(per_file):
                        if changes:
                            st = statements[si]
                            for ch in changes:
                                add((fa, st, ch))
            object.__setattr__(self, "_changes", cached)
        return cached

    def changes_of(self, *kinds: str) -> list:
        """The changes of these kinds, as (file, statement, change) in replay order; indexed once."""
        index = self.__dict__.get("_by_kind")
        if index is None:
            index = {}
            for position, item in enumerate(self.changes()):
                kind = item[2].kind
                found = index.get(kind)
                if found is None:
                    found = index[kind] = []
                found.append((position, item))
            object.__setattr__(self, "_by_kind", index)
        if len(kinds) == 1:
            return [item for _, item in index.get(kinds[0], ())]
        found = [entry for kind in set(kinds) for entry in index.get(kind, ())]
        found.sort(key=lambda entry: entry[0])
        return [item for _, item in found]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str  # default severity: error | warning | info
    klass: str  # finding class (see flylint.model.CLASSES)
    rationale: str  # why it matters, for the docs
    fix: str  # the safe alternative, in general terms (each finding says it with the user's names)
    check: Callable[[LintContext], Iterable[Finding]]
    examples: tuple[Example, ...] = ()
    default: bool = True  # False: opt-in, runs only when --select (or `select` in the settings) names it

    @property
    def docs(self) -> str:
        return f"{DOCS_DIR}/{self.id}.md"

    def finding(
        self,
        path: str,
        span: Span,
        message: str,
        *,
        fix: str | None = None,
        object: str | None = None,
        change: str = "none",
        severity: str | None = None,
        klass: str | None = None,
    ) -> Finding:
        """`klass`: the finding's own class, when it is not the rule's. A compatibility rule (class incompatible
        or destructive) passes the change's class (Change.klass) when the finding is not that the change breaks
        the live version: a type change that keeps every value but rewrites the table is `neutral`."""
        return Finding(
            rule=self.id,
            severity=severity or self.severity,
            change=change,
            klass=klass or self.klass,
            path=path,
            span=span,
            object=object,
            message=message,
            fix=fix,
            docs=self.docs,
        )


def rule(**meta: object) -> Callable[[Callable[[Rule, LintContext], Iterable[Finding]]], Rule]:
    """Decorator: turn `def check(rule, ctx)` into a registered Rule with the given metadata."""

    def wrap(fn: Callable[[Rule, LintContext], Iterable[Finding]]) -> Rule:
        holder: list[Rule] = []
        r = Rule(check=lambda ctx: fn(holder[0], ctx), **meta)  # type: ignore[arg-type]
        holder.append(r)
        _REGISTRY.append(r)
        return r

    return wrap


def runs_in_transaction(ctx: "LintContext", fa) -> bool:
    """Whether Flyway runs the migration inside one transaction (PostgreSQL): not when
    executeInTransaction=false (project-wide or in the script's .sql.conf); when the script config
    forces it, yes; otherwise only when every statement may run in a transaction."""
    if ctx.settings.get("execute_in_transaction") is False or fa.migration.config.execute_in_transaction is False:
        return False
    return fa.migration.config.execute_in_transaction is True or all(st.transactional for st in fa.statements)

def session_default(ctx: "LintContext", name: str, *, startup: bool = False) -> tuple[str, str] | None:
    """(value without quotes, where it is set) of a session setting every migration starts with
    (the url's options, initSql, a beforeEachMigrate callback: see engine.session_defaults); with
    `startup`, the value the connection was opened with (the url's), which RESET returns to."""
    found = (ctx.settings.get("session_startup" if startup else "session") or {}).get(name)
    if found is None:
        return None
    value, where = found
    return str(value).strip().strip("'\"").strip(), where


def is_zero(value: str) -> bool:
    """'0', '0s', '0ms', 0.0: a timeout of zero (PostgreSQL: no limit)."""
    return re.fullmatch(r"0+(?:\.0*)?\s*[a-z]*", value.strip().lower()) is not None


_REGISTRY: list[Rule] = []

# Rules whose finding says that the statement fails when Flyway runs it: it refers to something missing,
# creates something that exists, drops something other objects need, carries an ALGORITHM/LOCK clause the
# server refuses, or is syntax the server version does not have.
FAILS = frozenset({"missing-object", "object-exists", "dependent-objects", "algorithm-refused", "version-gated-syntax"})
# What stays next to such a finding: the other failure findings, and findings about the file or Flyway rather
# than about what the statement does (a statement that fails does nothing: no lock, no rewrite, no break).
_KEPT_ON_FAILURE = frozenset({"unanalysed-statement", "flylint-suppression", "mysql-multiple-ddl"})


def drop_after_failure(findings: list[Finding]) -> list[Finding]:
    """Drop the findings about a statement's effects (lock-timeout, table-rewrite, rename-column, ...) on a
    statement that a `FAILS` rule says fails: it never runs, so they are noise until it is fixed. Findings
    of `FAILS` rules, flyway-* rules and `_KEPT_ON_FAILURE` stay. Both dialects alike."""
    failing: dict[str, list[Span]] = {}
    for f in findings:
        if f.rule in FAILS:
            failing.setdefault(f.path, []).append(f.span)
    if not failing:
        return findings
    return [f for f in findings if not (
        f.path in failing and f.rule not in FAILS and f.rule not in _KEPT_ON_FAILURE
        and not f.rule.startswith("flyway-") and any(_within(f.span, s) for s in failing[f.path]))]


def _within(inner: Span, outer: Span) -> bool:
    return ((outer.line, outer.column) <= (inner.line, inner.column)
            and (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column))


def all_rules() -> tuple[Rule, ...]:
    """Every rule, in documentation order."""
    from flylint.rules import analysis, compat, flyway, history, indexes, locks, rewrites, schema, style  # noqa: F401  (importing registers them)
    from flylint.rules import appqueries  # noqa: F401

    return tuple(_REGISTRY)


def rules_by_id() -> dict[str, Rule]:
    return {r.id: r for r in all_rules()}
