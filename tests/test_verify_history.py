"""flylint validate's comparison, on history rows built in the test (the database part is in
test_verify_validate.py): baselines, future versions, repeatables, ignoreMigrationPatterns."""

from __future__ import annotations

from conftest import write_project

from flylint.flyway.config import load_flyway_config
from flylint.flyway.discovery import discover
from flylint.verify.history import AppliedRow, validate


def _check(tmp_path, files, rows, conf=""):
    write_project(tmp_path, {**files, "flyway.conf": conf})
    cfg = load_flyway_config(tmp_path, None, {})
    migrations = [s.migration for s in discover(cfg, [tmp_path], tmp_path).sources]
    return sorted((f.rule, f.path, f.severity) for f in validate(rows, migrations, cfg, "public.flyway_schema_history"))


def _row(rank, version, description, checksum, type_="SQL", success=True):
    script = f"V{version}__{description}.sql" if version else f"R__{description}.sql"
    return AppliedRow(rank, version, description, type_, script, checksum, success)


def test_baseline_hides_older_versions(tmp_path):
    from flylint.flyway.checksum import flyway_checksum

    files = {"V1__a.sql": "SELECT 1;\n", "V2__b.sql": "SELECT 2;\n", "V3__c.sql": "SELECT 3;\n"}
    rows = [AppliedRow(1, "2", "<< Flyway Baseline >>", "BASELINE", "<< Flyway Baseline >>", None, True),
            _row(2, "3", "c", flyway_checksum("SELECT 3;\n"))]
    assert _check(tmp_path, files, rows) == []


def test_future_versions_are_ignored_by_default_but_not_when_configured(tmp_path):
    files = {"V1__a.sql": "SELECT 1;\n"}
    from flylint.flyway.checksum import flyway_checksum

    rows = [_row(1, "1", "a", flyway_checksum("SELECT 1;\n")), _row(2, "9", "newer", 5)]
    assert _check(tmp_path, files, rows) == []
    assert _check(tmp_path, files, rows, "flyway.ignoreMigrationPatterns=*:missing\n") == [
        ("validate-missing", "public.flyway_schema_history", "error")]


def test_version_numbers_compare_as_flyway_compares_them(tmp_path):
    from flylint.flyway.checksum import flyway_checksum

    files = {"V1_1__a.sql": "SELECT 1;\n"}
    rows = [_row(1, "1.1", "a", flyway_checksum("SELECT 1;\n"))]  # Flyway stores 1_1 as 1.1
    assert _check(tmp_path, files, rows) == []
    rows = [_row(1, "1.1", "renamed", flyway_checksum("SELECT 1;\n"))]
    assert _check(tmp_path, files, rows) == [("validate-description", "V1_1__a.sql", "error")]


def test_missing_repeatable_and_pending_ignored(tmp_path):
    files = {"V1__a.sql": "SELECT 1;\n", "R__new.sql": "SELECT 2;\n"}
    rows = [_row(1, None, "old", 7)]
    assert _check(tmp_path, files, rows) == [
        ("validate-missing", "public.flyway_schema_history", "error"),
        ("validate-pending", "R__new.sql", "warning"),
        ("validate-pending", "V1__a.sql", "warning"),
    ]
    assert _check(tmp_path, files, rows, "flyway.ignoreMigrationPatterns=*:pending,repeatable:missing\n") == []
