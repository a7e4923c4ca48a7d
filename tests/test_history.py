"""Flyway history hygiene against the deployed state (`--since REF`, rules/history.py)."""

from __future__ import annotations

import pytest

from flylint.flyway.checksum import flyway_checksum
from gitrepo import Repo, rules_at

M = "db/migration"
V1 = "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n"
V2 = "ALTER TABLE users ADD COLUMN email text;\n"
V3 = "ALTER TABLE users ADD COLUMN nick text;\n"


@pytest.fixture
def repo(tmp_path):
    r = Repo(tmp_path)
    r.write({f"{M}/V1__init.sql": V1, f"{M}/V2__email.sql": V2, f"{M}/V3__nick.sql": V3}).commit()
    return r


def _history(doc):
    return [f for f in doc["findings"] if f["rule"].startswith(("flyway-applied", "flyway-out-of-order"))]


def test_edited_applied_migration_shows_both_checksums(repo):
    edited = "ALTER TABLE users ADD COLUMN email varchar(320);\n"
    repo.write({f"{M}/V2__email.sql": edited})
    doc = repo.lint_json(M, "--dialect", "postgres", "--since", "main")
    [f] = _history(doc)
    assert (f["rule"], f["severity"], f["path"], f["line"]) == (
        "flyway-applied-migration-edited", "error", f"{M}/V2__email.sql", 1)
    assert f"Flyway checksum {flyway_checksum(V2)} then, {flyway_checksum(edited)} now" in f["message"]
    assert "Migration checksum mismatch for migration version 2" in f["message"]
    assert "git checkout" in f["fix"]
    # the edited file is deployed: the edit never runs there, so it is not judged as a release
    assert doc["release"]["migrations"] == []


def test_edit_of_line_endings_only_keeps_the_checksum(repo):
    (repo.root / M / "V2__email.sql").write_bytes(V2.replace("\n", "\r\n").encode())
    doc = repo.lint_json(M, "--dialect", "postgres", "--since", "main")
    assert _history(doc) == []


def test_deleted_applied_migration(repo):
    repo.remove(f"{M}/V2__email.sql")
    doc = repo.lint_json(M, "--dialect", "postgres", "--since", "main")
    [f] = _history(doc)
    assert (f["rule"], f["severity"], f["path"]) == ("flyway-applied-migration-missing", "error", f"{M}/V2__email.sql")
    assert "was deleted" in f["message"] and "not resolved locally" in f["message"]


def test_renamed_applied_migration_says_from_what_to_what(repo):
    repo.remove(f"{M}/V2__email.sql").write({f"{M}/V4__email.sql": V2})
    doc = repo.lint_json(M, "--dialect", "postgres", "--since", "main")
    [f] = _history(doc)
    assert (f["rule"], f["severity"], f["path"]) == ("flyway-applied-migration-missing", "error", f"{M}/V4__email.sql")
    assert f"{M}/V2__email.sql was renamed to {M}/V4__email.sql" in f["message"]


def test_new_description_for_an_applied_version(repo):
    repo.remove(f"{M}/V2__email.sql").write({f"{M}/V2__add_email.sql": V2})
    doc = repo.lint_json(M, "--dialect", "postgres", "--since", "main")
    [f] = _history(doc)
    assert (f["rule"], f["path"]) == ("flyway-applied-migration-edited", f"{M}/V2__add_email.sql")
    assert "Migration description mismatch" in f["message"] and "'email'" in f["message"]


def test_moving_an_applied_migration_to_a_subfolder_is_harmless(repo):
    repo.remove(f"{M}/V2__email.sql").write({f"{M}/users/V2__email.sql": V2})
    doc = repo.lint_json(M, "--dialect", "postgres", "--since", "main")
    assert _history(doc) == []
    assert doc["release"]["migrations"] == []


def test_out_of_order_is_an_error(repo):
    repo.write({f"{M}/V2_5__late.sql": "ALTER TABLE users ADD COLUMN late text;\n"})
    doc = repo.lint_json(M, "--dialect", "postgres", "--since", "main")
    [f] = _history(doc)
    assert (f["rule"], f["severity"], f["path"]) == ("flyway-out-of-order", "error", f"{M}/V2_5__late.sql")
    assert "below version 3" in f["message"] and "outOfOrder is not set" in f["message"]
    assert "V4__late.sql" in f["fix"]


def test_out_of_order_suggests_a_version_the_release_does_not_use(repo):
    repo.write({f"{M}/V2_5__late.sql": "ALTER TABLE users ADD COLUMN late text;\n",
                f"{M}/V4__new.sql": "ALTER TABLE users ADD COLUMN new text;\n"})
    doc = repo.lint_json(M, "--dialect", "postgres", "--since", "main")
    [f] = _history(doc)
    assert "above 3 (e.g. V5__late.sql)" in f["fix"]


def test_out_of_order_is_a_warning_with_out_of_order_set(repo):
    repo.write({
        "flyway.conf": "flyway.outOfOrder=true\n",
        f"{M}/V2_5__late.sql": "ALTER TABLE users ADD COLUMN late text;\n",
    })
    doc = repo.lint_json(M, "--dialect", "postgres", "--since", "main")
    [f] = _history(doc)
    assert (f["rule"], f["severity"]) == ("flyway-out-of-order", "warning")
    assert "runs out of order" in f["message"]


def test_new_migration_above_the_highest_is_fine(repo):
    repo.write({f"{M}/V4__ok.sql": "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN ok text;\n"})
    doc = repo.lint_json(M, "--dialect", "postgres", "--since", "main")
    assert doc["findings"] == []
    assert doc["release"]["migrations"] == [f"{M}/V4__ok.sql"]


def test_changed_repeatable_is_normal_but_a_deleted_one_is_not(repo):
    repo.write({f"{M}/R__names.sql": "CREATE OR REPLACE VIEW names AS SELECT id, name FROM users;\n"}).commit()
    repo.write({f"{M}/R__names.sql": "CREATE OR REPLACE VIEW names AS SELECT id, name, email FROM users;\n"})
    assert _history(repo.lint_json(M, "--dialect", "postgres", "--since", "main")) == []
    repo.remove(f"{M}/R__names.sql")
    [f] = _history(repo.lint_json(M, "--dialect", "postgres", "--since", "main"))
    assert f["rule"] == "flyway-applied-migration-missing" and "repeatable 'names'" in f["message"]


def test_checksum_uses_the_script_encoding_of_the_base(repo):
    latin = "ALTER TABLE users ADD COLUMN caf\u00e9 text;\n"
    (repo.root / M / "V4__latin.sql").write_bytes(latin.encode("latin-1"))
    (repo.root / M / "V4__latin.sql.conf").write_text("encoding=ISO-8859-1\n")
    repo.commit()
    edited = "ALTER TABLE users ADD COLUMN caf\u00e9s text;\n"
    (repo.root / M / "V4__latin.sql").write_bytes(edited.encode("latin-1"))
    [f] = _history(repo.lint_json(M, "--dialect", "postgres", "--since", "main"))
    assert f"{flyway_checksum(latin)} then, {flyway_checksum(edited)} now" in f["message"]


def test_history_rules_are_quiet_without_since(repo):
    repo.remove(f"{M}/V2__email.sql")
    assert _history(repo.lint_json(M, "--dialect", "postgres")) == []


def test_deployed_findings_are_dropped_but_history_findings_are_kept(repo):
    # V3 is deployed and edited into something the compatibility rules would flag: only the edit is reported
    repo.write({f"{M}/V3__nick.sql": "ALTER TABLE users DROP COLUMN name;\n"})
    doc = repo.lint_json(M, "--dialect", "postgres", "--since", "main")
    assert rules_at(doc) == [("flyway-applied-migration-edited", "error", f"{M}/V3__nick.sql")]


def test_a_new_file_reusing_an_applied_version_is_in_the_release(repo):
    repo.write({f"{M}/V2__drop.sql": "ALTER TABLE users DROP COLUMN name;\n"})  # V2__email.sql is applied
    doc = repo.lint_json(M, "--dialect", "postgres", "--since", "main")
    assert doc["release"]["migrations"] == [f"{M}/V2__drop.sql"]
    rules = {f["rule"] for f in doc["findings"]}
    assert {"flyway-duplicate-version", "drop-column"} <= rules
