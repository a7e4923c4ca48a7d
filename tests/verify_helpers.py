"""Helpers shared by the verify tests."""

from __future__ import annotations

import json


def invoke(root, args: list[str], env: dict[str, str] | None = None):
    """The real command line, run in this process (no interpreter start per test): a click Result
    with exit_code, stdout and stderr."""
    import os

    from click.testing import CliRunner

    from flylint.cli import main

    old = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, args, env={"FLYLINT_DATABASE_URL": None, **(env or {})})
    finally:
        os.chdir(old)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def verify_json(root, url: str, *args: str):
    """`flylint verify --format json` in `root`: (exit code, document or None, result)."""
    result = invoke(root, ["verify", ".", "--database-url", url, "--format", "json", *args])
    doc = json.loads(result.stdout) if result.stdout.strip().startswith("{") else None
    return result.exit_code, doc, result


def trace_of(doc, path_part: str, line: int = 1) -> dict:
    hits = [t for t in doc["trace"] if path_part in t["path"] and t["line"] == line]
    assert hits, f"no trace for {path_part}:{line} in {[(t['path'], t['line']) for t in doc['trace']]}"
    return hits[0]


def locks(trace: dict) -> dict[str, str]:
    return {lk["relation"]: lk["mode"] for lk in trace["locks"] if not lk.get("new")}


def scratch_exists(url: str, name: str) -> bool:
    from flylint.verify.scratch import database_exists
    from flylint.verify.url import parse_url

    return database_exists(parse_url(url), name)
