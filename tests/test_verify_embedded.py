"""`flylint verify --embedded`: a private PostgreSQL from the pgserver package (extra `embedded`,
also in the test extra so CI runs it), measured like any other server and gone afterwards."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess

import pytest

from conftest import FIXTURES, run_cli

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("pgserver") is None and not os.environ.get("CI"),
    reason="pgserver is not installed (pip install -e '.[test]' installs it; CI must have it)",
)


def _postgres_processes() -> set[str]:
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return {line.split(None, 1)[0] for line in out.splitlines() if "pgserver" in line and "postgres" in line}


def test_embedded_server_measures_the_seed_and_leaves_nothing(tmp_path):
    before = _postgres_processes()
    proc = run_cli(["verify", ".", "--embedded", "--format", "json"], cwd=FIXTURES / "rename-last-name" / "postgres",
                   timeout=180)
    assert proc.returncode == 1, proc.stderr  # V4 drops last_name: an error
    doc = json.loads(proc.stdout)
    assert doc["verify"]["server"].startswith("PostgreSQL")
    (add,) = [t for t in doc["trace"] if t["path"].endswith("V2__Add_surname.sql") and t["line"] == 1]
    assert {"relation": "users", "mode": "ACCESS EXCLUSIVE"} in add["locks"]
    assert any(f["rule"] == "drop-column" and f["severity"] == "error" for f in doc["findings"])
    assert _postgres_processes() <= before  # the private server was stopped


def test_without_a_url_an_installed_pgserver_is_the_source(tmp_path):
    """The order of the sources: --database-url, else pgserver when installed, else Docker."""
    (tmp_path / "V1__init.sql").write_text("CREATE TABLE t (id int);\n")
    proc = run_cli(["verify", ".", "--dialect", "postgres"], cwd=tmp_path, timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert "flylint-pg-" in proc.stderr  # the private server's socket folder
