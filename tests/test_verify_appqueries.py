"""The live application's queries against each migration's schema (PostgreSQL)."""

from __future__ import annotations

from conftest import write_project
from verify_helpers import verify_json

PROJECT = {
    "m/V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);\n",
    "m/V2__surname.sql": "ALTER TABLE users ADD COLUMN surname text;\n",
    "m/V3__drop_name.sql": "ALTER TABLE users DROP COLUMN name;\n",
    "m/V4__age.sql": "ALTER TABLE users ADD COLUMN age int NOT NULL DEFAULT 0;\n"
                     "ALTER TABLE users ALTER COLUMN age DROP DEFAULT;\n",
    "app/users.sql": "SELECT id, name FROM users WHERE id = $1;\n"
                     "SELECT id, email FROM users WHERE id = $1;\n"
                     "INSERT INTO users (id, email) VALUES (42, 'x@example.com');\n",
    "app/typo.sql": "SELECT nope FROM nowhere;\n",
}


def test_first_breaking_migration_is_named(tmp_path, pg_url):
    write_project(tmp_path, PROJECT)
    code, doc, proc = verify_json(tmp_path / "m", pg_url, "--app-queries", "../app")
    found = [f for f in doc["findings"] if f["rule"] == "verify-app-query"]
    assert len(found) == 1, proc.stdout
    assert found[0]["path"] == "V3__drop_name.sql" and found[0]["severity"] == "error"
    assert "app/users.sql:1" in found[0]["message"] and "42703" in found[0]["message"]
    never = [n for n in doc["verify"]["notes"] if "never prepared" in n]
    assert len(never) == 1 and "app/typo.sql:1" in never[0] and "42P01" in never[0]


def test_execute_catches_not_null_without_default(tmp_path, pg_url):
    write_project(tmp_path, PROJECT)
    code, doc, proc = verify_json(tmp_path / "m", pg_url, "--app-queries", "../app", "--execute-queries")
    found = {f["path"]: f for f in doc["findings"] if f["rule"] == "verify-app-query"}
    assert set(found) == {"V3__drop_name.sql", "V4__age.sql"}, proc.stdout
    assert "23502" in found["V4__age.sql"]["message"] and "fails when executed" in found["V4__age.sql"]["message"]
