"""Real git repositories for the release tests: a deployed state committed at a base, a release on top."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import run_cli, write_project


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.email", "test@example.com")
        self.git("config", "user.name", "flylint tests")
        self.git("config", "commit.gpgsign", "false")
        self.git("config", "core.autocrlf", "false")

    def git(self, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=self.root, check=True, capture_output=True, text=True).stdout

    def write(self, files: dict[str, str]) -> "Repo":
        write_project(self.root, files)
        return self

    def remove(self, *names: str) -> "Repo":
        for n in names:
            (self.root / n).unlink()
        return self

    def commit(self, message: str = "deployed") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def lint(self, *args: str, cwd: Path | None = None):
        return run_cli(["lint", *args, "--no-cache", "--fail-on", "never"], cwd=cwd or self.root)

    def lint_json(self, *args: str, cwd: Path | None = None) -> dict:
        proc = self.lint(*args, "--format", "json", cwd=cwd)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)


def rules_at(doc: dict) -> list[tuple[str, str, str]]:
    """(rule, severity, path) of every finding."""
    return sorted((f["rule"], f["severity"], f["path"]) for f in doc["findings"])
