"""End-to-end: every fixture project produces exactly the findings its expected.json lists."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, run_cli

# (fixture folder to run in, arguments, expected.json)
PROJECTS = [
    ("rename-last-name/mysql", [".", "--dialect", "mysql"], "rename-last-name/mysql/expected.json"),
    ("rename-last-name/postgres", [".", "--dialect", "postgres"], "rename-last-name/postgres/expected.json"),
    ("flyway-hygiene", [], "flyway-hygiene/expected.json"),
    ("realistic-spring-postgres", ["--db-version", "15"], "realistic-spring-postgres/expected.json"),
    ("realistic-mysql", ["--db-version", "8.0.35"], "realistic-mysql/expected.json"),
    ("realistic-mariadb", ["--db-version", "10.11"], "realistic-mariadb/expected.json"),
    # projects written for the MySQL/MariaDB audit, in the shape of real histories flylint had not seen
    ("unseen-mysql-shop", ["--dialect", "mysql", "--db-version", "8.0.35"], "unseen-mysql-shop/expected.json"),
    ("unseen-mysql-cms", ["--dialect", "mysql", "--db-version", "8.0.35"], "unseen-mysql-cms/expected.json"),
    ("unseen-mariadb-crm", ["--dialect", "mariadb", "--db-version", "10.11"], "unseen-mariadb-crm/expected.json"),
    # dialect from the url (jdbc:mysql:), db-version 8.0.35 from flylint.toml
    ("unseen-mysql-saas", [], "unseen-mysql-saas/expected.json"),
]


def _key(f):
    return [f["rule"], f["path"], f["line"], f["column"]]


@pytest.mark.parametrize("folder,args,expected", PROJECTS, ids=[p[0] for p in PROJECTS])
def test_fixture_findings(folder, args, expected):
    proc = run_cli(["lint", *args, "--format", "json", "--no-cache", "--fail-on", "never"], cwd=FIXTURES / folder)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    got = sorted(_key(f) for f in doc["findings"])
    want = sorted(json.loads((FIXTURES / expected).read_text()))
    assert got == want
