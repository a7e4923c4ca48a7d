"""The JSON output contract (docs/output.md). Version 1: fields are only ever added."""

from __future__ import annotations

import json
from typing import TextIO

from flylint import __version__
from flylint.report import ReportOptions, class_counts, contracted_renames, migration_entry, migration_phase, summary

CONTRACT_VERSION = 1


def document(result, options: ReportOptions | None = None) -> dict:
    migrations = [migration_entry(fa, class_counts(result, i), migration_phase(result, i),
                                  contracted_renames(result, i))
                  for i, fa in enumerate(result.files)]
    doc = {
        "version": CONTRACT_VERSION,
        "tool": {"name": "flylint", "version": __version__},
        "dialect": result.dialect,
        "db_version": result.db_version,
        "findings": [f.to_json() for f in result.findings],
        "migrations": migrations,
        "summary": summary(result, migrations),
        "release": release.to_json() if (release := getattr(result, "release", None)) is not None else None,
        "app_source": app.to_json() if (app := getattr(result, "app", None)) is not None else None,
    }
    if options is not None and options.baseline is not None:
        from flylint.baseline import to_json

        doc["baseline"] = to_json(options.baseline)
    return doc


def render(result, out: TextIO, options: ReportOptions) -> None:
    out.write(json.dumps(document(result, options), indent=2, ensure_ascii=False))  # one write: much faster
    out.write("\n")
