"""Helpers shared by the verify tests."""

from __future__ import annotations

import json

from conftest import run_cli


def verify_json(root, url: str, *args: str, timeout: float = 60):
    """Run `flylint verify --format json` in `root`; (exit code, document or None, process)."""
    proc = run_cli(["verify", ".", "--database-url", url, "--format", "json", *args], cwd=root, timeout=timeout)
    doc = json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else None
    return proc.returncode, doc, proc


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
