"""Measured facts win: the static lint's findings, adjusted and completed with what the database
did.

* `table-rewrite` where the database did not rewrite (PostgreSQL: same relfilenode; MySQL/MariaDB:
  the server accepted a non-COPY algorithm and the table kept its id) drops to `info` and says
  "measured: no rewrite"; where it did, the finding says it was measured. A measured rewrite the
  static rules did not report becomes a `table-rewrite` finding of its own; one that another finding
  of the statement already reports (change-column-type: "copies the whole table invoices") gets the
  measurement appended there, never a second finding for the same fact.
* Findings about locks and scans get the measured lock, what it blocks, and the time appended.
* New findings (documented in docs/verify.md): `verify-failed` (the statement failed on the real
  database), `verify-blocking-lock` (a lock that blocks the application held while the statement
  reads or rewrites the whole table, and no static finding at that statement), `verify-app-query`
  (a live application query that the migration breaks).
"""

from __future__ import annotations

import re
from dataclasses import replace

from flylint.model import Finding, Span
from flylint.verify.measure import BLOCKS, RANK, StatementTrace

_LOCK_RULES = {"index-without-concurrently", "lock-timeout", "set-not-null", "constraint-on-live-table",
               "add-not-null-column", "change-column-type", "backfill-under-lock", "table-rewrite",
               "mysql-multiple-ddl", "algorithm-refused"}
_BLOCKS_WORDS = {"reads+writes": "blocks reads and writes", "writes": "blocks writes",
                 "ddl": "blocks only other DDL and VACUUM", "none": "blocks neither reads nor writes"}


def verify_finding(rule: str, severity: str, path: str, span: Span, message: str, *, fix: str | None = None,
                   klass: str = "neutral", change: str = "none", obj: str | None = None) -> Finding:
    return Finding(rule=rule, severity=severity, change=change, klass=klass, path=path, span=span, object=obj,
                   message=message, fix=fix, docs=f"docs/verify.md#{rule}")


def describe_trace(tr: StatementTrace, dialect: str) -> str:
    parts = []
    if dialect == "postgres":
        strongest = tr.strongest()
        earlier = [(r, m, n) for r, m, n in tr.held if n != tr.line and strongest.get(r) != m]
        if strongest:
            parts.append("took " + ", ".join(f"{mode} on {rel}" for rel, mode in sorted(strongest.items())))
        if earlier:
            parts.append("while holding " + ", ".join(f"{m} on {r} (since line {n})" for r, m, n in earlier))
        if not strongest and not earlier:
            parts.append("no lock on a live table")
        else:
            parts.append(_BLOCKS_WORDS.get(tr.blocks or "none", ""))
            if tr.held_until_commit:
                parts.append("held until the migration commits")
    elif tr.algorithm:
        parts.append(f"ALGORITHM={tr.algorithm}" + (f", LOCK={tr.lock}" if tr.lock else "") + " accepted")
        parts.append(_BLOCKS_WORDS.get(tr.blocks or "none", ""))
    if tr.rewrite:
        parts.append("rewrote " + ", ".join(tr.rewrite))
    if tr.scanned:
        parts.append("read " + ", ".join(tr.scanned))
    parts.append(f"{tr.ms:.1f} ms")
    return "; ".join(p for p in parts if p)


# How the static findings say that a statement rewrites its table: "rewrites the whole table" (PostgreSQL),
# "copies the whole table t (ALGORITHM=COPY, ...)" and "rebuilds the whole table t in place" (MySQL/MariaDB,
# rules/rewrites.py how_done).
_SAYS_REWRITE = re.compile(r"rewrit|\b(?:copies|rebuilds) the (?:whole )?table\b", re.I)


def _says_rewrite(message: str) -> bool:
    return bool(_SAYS_REWRITE.search(message))


def _rewrote(tr: StatementTrace, dialect: str) -> bool:
    if dialect == "postgres":
        return bool(tr.rewrite)
    return tr.algorithm == "COPY" or (bool(tr.rewrite) and tr.blocks in ("writes", "reads+writes"))


def merge(findings, files, outcome, dialect: str, server: str) -> list[Finding]:
    traces = {(tr.path, tr.index): tr for tr in outcome.traces if tr.measured}
    spans: dict[str, list[tuple[tuple[int, int], tuple[int, int], int]]] = {}
    for fa in files:
        spans[fa.migration.display] = [((st.span.line, st.span.column), (st.span.end_line, st.span.end_column),
                                        st.index) for st in fa.statements]

    def statement_at(path: str, span: Span) -> int | None:
        """The statement a finding is about: the one whose span holds the finding's start."""
        at = (span.line, span.column)
        for start, end, index in spans.get(path, ()):
            if start <= at <= end:
                return index
        return None
    out: list[Finding] = []
    seen_rewrite: set[tuple[str, int]] = set()
    has_finding: set[tuple[str, int]] = set()
    for f in findings:
        idx = None if f.span == Span.file_level() and f.change == "none" else statement_at(f.path, f.span)
        tr = traces.get((f.path, idx)) if idx is not None else None
        if tr is None or tr.error:
            out.append(f)
            continue
        if f.rule in _LOCK_RULES:  # a static finding about what the statement costs (not e.g. unanalysed)
            has_finding.add((f.path, idx))
        if f.rule == "table-rewrite":
            seen_rewrite.add((f.path, idx))
            if not _rewrote(tr, dialect):
                f = replace(f, severity="info", message=f"measured: no rewrite on {server} "
                            f"({describe_trace(tr, dialect)}). The static estimate was: {f.message}")
            else:
                f = replace(f, message=f"{f.message} (measured on {server}: {describe_trace(tr, dialect)})")
        elif f.rule in _LOCK_RULES:
            said_rewrite = _says_rewrite(f.message)
            if said_rewrite and _rewrote(tr, dialect):
                seen_rewrite.add((f.path, idx))  # the static finding already says it: no second one
            measured = describe_trace(tr, dialect)
            if said_rewrite and not tr.rewrite and tr.algorithm != "COPY":
                measured = "no rewrite; " + measured
            f = replace(f, message=f"{f.message} (measured on {server}: {measured})")
        out.append(f)

    for tr in outcome.traces:
        if not tr.measured or tr.error:
            continue
        key = (tr.path, tr.index)
        span = _span(files, tr)
        if _rewrote(tr, dialect) and key not in seen_rewrite:
            table = ", ".join(tr.rewrite) or "the table"
            out.append(_as_rule_finding("table-rewrite", tr, span, table, server, dialect))
            continue
        if dialect == "postgres" and key not in has_finding and tr.blocks in ("writes", "reads+writes"):
            in_force = dict(tr.strongest())
            for rel, mode, _line in tr.held:
                if RANK.get(mode, -1) > RANK.get(in_force.get(rel, ""), -1):
                    in_force[rel] = mode
            heavy = sorted(rel for rel in set(tr.scanned + tr.rewrite)
                           if BLOCKS.get(in_force.get(rel, ""), "none") in ("writes", "reads+writes"))
            if heavy:
                out.append(verify_finding(
                    "verify-blocking-lock", "warning", tr.path, span,
                    f"measured: this statement holds {in_force[heavy[0]]} on {heavy[0]} "
                    f"({_BLOCKS_WORDS[BLOCKS[in_force[heavy[0]]]]}) while it reads the whole table "
                    f"({describe_trace(tr, dialect)}): on a big table the live application waits that long.",
                    fix=f"Split it so that the scan of {heavy[0]} runs under a weaker lock (NOT VALID + VALIDATE "
                        "CONSTRAINT, CREATE INDEX CONCURRENTLY), and set a lock_timeout.",
                    obj=heavy[0],
                ))

    if outcome.failed is not None:
        fi, si, error = outcome.failed
        fa = files[fi]
        st = fa.statements[si]
        tr = next((t for t in outcome.traces if t.path == fa.migration.display and t.index == si), None)
        extra = f" {tr.note}." if tr is not None and tr.note and dialect != "postgres" else ""
        if dialect == "postgres" and tr is not None and tr.in_transaction:
            extra = " PostgreSQL rolled the whole migration back."
        out.append(verify_finding(
            "verify-failed", "error", fa.migration.display, st.span,
            f"measured: this statement fails on {server}: {error}.{extra}",
            fix="Fix the statement (or the data it needs: verify seeds one row into every empty table, as "
                "production has rows) and run verify again.",
            klass="flyway",
        ))

    for fi, si, why in outcome.refused:
        fa = files[fi]
        st = fa.statements[si]
        out.append(verify_finding(
            "verify-refused", "warning", fa.migration.display, st.span,
            f"verify did not run this statement: {why}. verify only ever changes its scratch database, so what "
            "follows is measured without it.",
            fix="Keep server-wide changes (databases, roles, settings) out of the migrations verify replays, or "
                "accept that verify skips them.",
        ))

    for b in outcome.app_breaks:
        fa = files[b.file_index]
        verb = "no longer prepares" if b.how == "prepare" else "fails when executed"
        out.append(verify_finding(
            "verify-app-query", "error", fa.migration.display, Span.file_level(),
            f"measured: the live application's query at {b.query.path}:{b.query.line} {verb} after "
            f"{fa.migration.display}: {b.error}. Query: {' '.join(b.query.text.split())[:160]}",
            fix="Keep the old schema working for the live version (expand/contract): add the new thing first, "
                "ship the code, and remove or tighten the old thing in a later release.",
            klass="incompatible",
        ))
    return out


def _as_rule_finding(rule: str, tr: StatementTrace, span: Span, table: str, server: str, dialect: str) -> Finding:
    from flylint.rules import rules_by_id

    r = rules_by_id()[rule]
    return r.finding(
        tr.path, span,
        f"measured: this statement rewrote {table} on {server} ({describe_trace(tr, dialect)}): the live "
        "application waits for the whole rebuild, which takes as long as the table is big.",
        fix=r.fix, object=table, change="rewrite-table",
    )


def _span(files, tr: StatementTrace) -> Span:
    for fa in files:
        if fa.migration.display == tr.path:
            for st in fa.statements:
                if st.index == tr.index:
                    return st.span
    return Span.file_level()
