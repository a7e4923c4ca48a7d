from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


def write_project(root: Path, files: dict[str, str]) -> Path:
    """Write a small Flyway project; lone surrogates in the text become the raw bytes they stand for."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8", "surrogateescape"))
    return root


def run_cli(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 60):
    """Run the real command line in a subprocess; returns CompletedProcess with text output."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYWAY", "FLYLINT"))}
    full_env.pop("NO_COLOR", None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "flylint", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def project(tmp_path):
    def make(files: dict[str, str]) -> Path:
        return write_project(tmp_path, files)

    return make


from dbservers import mysql_url, pg_url  # noqa: E402,F401  (fixtures of the verify tests: real servers)
