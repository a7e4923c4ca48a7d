"""The JSON output contract (docs/output.md). Version 1: fields are only ever added."""

from __future__ import annotations

import json
from typing import TextIO

from flylint import __version__
from flylint.report import ReportOptions, class_counts, migration_entry, summary

CONTRACT_VERSION = 1


def document(result) -> dict:
    return {
        "version": CONTRACT_VERSION,
        "tool": {"name": "flylint", "version": __version__},
        "dialect": result.dialect,
        "db_version": result.db_version,
        "findings": [f.to_json() for f in result.findings],
        "migrations": [migration_entry(fa, class_counts(result, i)) for i, fa in enumerate(result.files)],
        "summary": summary(result),
    }


def render(result, out: TextIO, options: ReportOptions) -> None:
    out.write(json.dumps(document(result), indent=2, ensure_ascii=False))  # one write: much faster
    out.write("\n")
