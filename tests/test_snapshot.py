"""The whole-run snapshot in .flylint_cache/ never serves a stale analysis."""

from __future__ import annotations

import json

from conftest import run_cli, write_project


def _rules(cwd):
    proc = run_cli(["lint", "m", "--dialect", "postgres", "--format", "json", "--fail-on", "never"], cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return sorted(f["rule"] for f in json.loads(proc.stdout)["findings"])


def test_newest_migration_deleted_then_the_new_newest_edited(tmp_path):
    write_project(tmp_path, {
        "m/V1__a.sql": "CREATE TABLE users (id int, a text);\n",
        "m/V2__b.sql": "ALTER TABLE users ADD COLUMN b text;\n",
        "m/V3__c.sql": "ALTER TABLE users ADD COLUMN c text;\n",
    })
    _rules(tmp_path)
    (tmp_path / "m" / "V3__c.sql").unlink()
    _rules(tmp_path)
    (tmp_path / "m" / "V2__b.sql").write_text("ALTER TABLE users DROP COLUMN a;\n")
    assert _rules(tmp_path) == ["drop-column", "lock-timeout"]
