"""Reporters: one module per output format, each a function `render(result, out, options)`.

Reporters see findings and migrations, never SQL: what they quote is the user's own source line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from flylint.model import FileAnalysis


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    fail_on: str = "error"
    cwd: Path | None = None  # where flylint ran: display paths are relative to it (None: the process's)
    baseline: object = None  # flylint.baseline.Outcome when --baseline was used


def is_unanalysed(statement) -> bool:
    return statement.split_error is not None or statement.parsed is None or statement.parsed.unanalysed is not None


def migration_summaries(result) -> list[tuple[dict[str, int], str | None, list[dict]]]:
    """Per migration, in Flyway order: how many changes of each class it makes (classes in a fixed
    order), its expand/contract phase and the renames in progress it completes (flylint.expand),
    in one pass over the replay."""
    from flylint.catalog.changes import CLASS_ORDER
    from flylint.expand import contracted_renames, migration_phase

    history = getattr(result, "replay", None)
    done = len(history.changes) if history is not None else 0
    out = []
    for index in range(len(result.files)):
        if index >= done:
            out.append(({}, None, []))
            continue
        changes = [ch for per_statement in history.changes[index] for ch in per_statement]
        found: dict[str, int] = {}
        drops = False
        for ch in changes:
            found[ch.klass] = found.get(ch.klass, 0) + 1
            drops = drops or ch.kind == "drop-column"
        counts = {k: found[k] for k in CLASS_ORDER if k in found}
        counts.update((k, n) for k, n in found.items() if k not in counts)
        out.append((counts, migration_phase(changes) if changes else None,
                    contracted_renames(history, result.files, index) if drops else []))
    return out


def migration_entry(fa: FileAnalysis, changes: dict[str, int] | None = None, phase: str | None = None,
                    contracts: list[dict] | None = None) -> dict:
    """A migration in the JSON contract; `changes` counts its changes per class."""
    m = fa.migration
    opaque = (changes or {}).get("unanalysed", 0)  # statements that parse but run unread code
    parse_level = sum(1 for s in fa.statements if is_unanalysed(s))
    return {
        "path": m.display,
        "version": m.version.text if m.version is not None else None,
        "description": m.description,
        "kind": m.kind,
        "checksum": m.checksum,
        "statements": len(fa.statements),
        "unanalysed": max(parse_level, opaque) + (1 if fa.source is None else 0),
        "changes": changes or {},
        "phase": phase,
        "contracts": contracts or [],
    }


def summary(result, entries: list[dict] | None = None) -> dict:
    """Totals of the run; `entries` are the migrations' `migration_entry` when already made."""
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in result.findings:
        counts[f.severity] += 1
    if entries is None:
        entries = [migration_entry(fa, counts) for fa, (counts, _, _) in zip(result.files, migration_summaries(result))]
    return {
        "files": len(result.files),
        "statements": sum(len(fa.statements) for fa in result.files),
        "unanalysed": sum(e["unanalysed"] for e in entries),
        "errors": counts["error"],
        "warnings": counts["warning"],
        "infos": counts["info"],
    }


FORMATS = ("text", "json", "github", "sarif", "gitlab", "junit")


def reporter(fmt: str) -> Callable[..., None]:
    """The render function of one format (only its module is imported)."""
    import importlib

    if fmt not in FORMATS:
        raise KeyError(fmt)
    module = importlib.import_module(f"flylint.report.{'json' if fmt == 'json' else fmt}")
    return module.render


def render(fmt: str, result, out: TextIO, options: ReportOptions) -> None:
    reporter(fmt)(result, out, options)
