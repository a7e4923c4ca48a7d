"""The output memo: a run whose inputs are all unchanged gives the last run's output again,
without parsing; any input changing gives a fresh run."""

from __future__ import annotations

import json
import os
import sys

from conftest import run_cli, write_project

ROOT = {
    "m/V1__users.sql": "CREATE TABLE users (id int PRIMARY KEY, last_name text);\n",
    "m/V2__drop.sql": "ALTER TABLE users DROP COLUMN last_name;\n",
}
LINT = ["lint", "m", "--dialect", "postgres", "--format", "json"]


def _lint(cwd, *extra, env=None):
    proc = run_cli([*LINT, *extra], cwd=cwd, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    return proc


def _rules(proc):
    return sorted((f["rule"], f["path"]) for f in json.loads(proc.stdout)["findings"])


def _imports_sqlglot(cwd, *args) -> bool:
    """Whether `flylint` imported sqlglot (i.e. parsed anything) on this run."""
    import subprocess

    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "flylint", *args], cwd=cwd,
                          capture_output=True, text=True, env={**os.environ, "FLYLINT_JOBS": "1"})
    assert proc.returncode in (0, 1), proc.stderr
    return any(line.split("|")[-1].strip() == "sqlglot" for line in proc.stderr.splitlines())


def test_unchanged_project_is_answered_from_the_memo_without_parsing(tmp_path):
    write_project(tmp_path, ROOT)
    first = _lint(tmp_path)
    assert _imports_sqlglot(tmp_path, *LINT) is False
    again = _lint(tmp_path)
    assert again.stdout == first.stdout and again.returncode == first.returncode == 1
    assert ("drop-column", "m/V2__drop.sql") in _rules(first)
    # --no-cache always parses
    assert _imports_sqlglot(tmp_path, *LINT, "--no-cache") is True


def test_every_input_invalidates_the_memo(tmp_path):
    write_project(tmp_path, ROOT)
    base = _rules(_lint(tmp_path))
    assert ("drop-column", "m/V2__drop.sql") in base

    # a migration edited
    (tmp_path / "m" / "V2__drop.sql").write_text("ALTER TABLE users ADD COLUMN surname text;\n")
    assert ("drop-column", "m/V2__drop.sql") not in _rules(_lint(tmp_path))
    (tmp_path / "m" / "V2__drop.sql").write_text(ROOT["m/V2__drop.sql"])
    assert _rules(_lint(tmp_path)) == base

    # a migration added
    (tmp_path / "m" / "V3__t.sql").write_text("TRUNCATE users;\n")
    assert any(rule == "truncate-table" or path == "m/V3__t.sql" for rule, path in _rules(_lint(tmp_path)))
    (tmp_path / "m" / "V3__t.sql").unlink()
    assert _rules(_lint(tmp_path)) == base

    # options: rule selection, severity, --fail-on (exit code), the database version
    assert _rules(_lint(tmp_path, "--ignore", "drop-column")) == [r for r in base if r[0] != "drop-column"]
    assert _lint(tmp_path, "--fail-on", "never").returncode == 0
    assert _lint(tmp_path).returncode == 1
    assert json.loads(_lint(tmp_path, "--db-version", "16").stdout)["db_version"] == "16"

    # script configuration next to a migration (executeInTransaction changes what Flyway does)
    (tmp_path / "m" / "V3__idx.sql").write_text(
        "SET lock_timeout = 1000;\nCREATE INDEX CONCURRENTLY users_id ON users (id);\n")
    assert ("flyway-mixed-transaction", "m/V3__idx.sql") in _rules(_lint(tmp_path))
    (tmp_path / "m" / "V3__idx.sql.conf").write_text("executeInTransaction=false\n")
    assert ("flyway-mixed-transaction", "m/V3__idx.sql") not in _rules(_lint(tmp_path))
    (tmp_path / "m" / "V3__idx.sql.conf").unlink()
    assert ("flyway-mixed-transaction", "m/V3__idx.sql") in _rules(_lint(tmp_path))
    (tmp_path / "m" / "V3__idx.sql").unlink()
    assert _imports_sqlglot(tmp_path, *LINT) is True  # the history changed: a real run
    assert _imports_sqlglot(tmp_path, *LINT) is False

    # the flylint settings (a per-rule severity)
    (tmp_path / "flylint.toml").write_text('[severity]\n"drop-column" = "info"\n')
    sev = {f["rule"]: f["severity"] for f in json.loads(_lint(tmp_path).stdout)["findings"]}
    assert sev["drop-column"] == "info"
    (tmp_path / "flylint.toml").unlink()

    # Flyway placeholders
    write_project(tmp_path, {
        "flyway.conf": "flyway.placeholders.tbl=users\n",
        "m/V3__p.sql": "ALTER TABLE ${tbl} DROP COLUMN id;\n",
    })
    def dropped():
        return [f["object"] for f in json.loads(_lint(tmp_path).stdout)["findings"]
                if f["rule"] == "drop-column" and f["path"] == "m/V3__p.sql"]

    assert dropped() == ["users.id"]
    (tmp_path / "flyway.conf").write_text("flyway.placeholders.tbl=accounts\n")
    assert dropped() == ["accounts.id"]


def test_output_files_and_text_are_memoised_per_format(tmp_path):
    write_project(tmp_path, ROOT)
    args = ["lint", "m", "--dialect", "postgres", "--format", "text", "--format", "sarif:out.sarif"]
    first = run_cli(args, cwd=tmp_path)
    sarif = (tmp_path / "out.sarif").read_text()
    (tmp_path / "out.sarif").unlink()
    again = run_cli(args, cwd=tmp_path)
    assert again.stdout == first.stdout and "drop-column" in first.stdout
    assert (tmp_path / "out.sarif").read_text() == sarif  # written again, from the memo
    # another format asked for: its own run, its own output
    assert json.loads(_lint(tmp_path).stdout)["findings"]


def test_baseline_changes_invalidate_the_memo(tmp_path):
    write_project(tmp_path, ROOT)
    assert run_cli(["baseline", "m", "--dialect", "postgres"], cwd=tmp_path).returncode == 0
    with_baseline = _lint(tmp_path, "--baseline", "flylint-baseline.json")
    assert _rules(with_baseline) == []
    (tmp_path / "flylint-baseline.json").write_text('{"version": 1, "findings": []}\n')
    assert ("drop-column", "m/V2__drop.sql") in _rules(_lint(tmp_path, "--baseline", "flylint-baseline.json"))
