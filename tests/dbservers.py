"""The real database servers the verify tests run against.

FLYLINT_TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/postgres) and
FLYLINT_TEST_MYSQL_URL (default mysql://root@127.0.0.1:3306/test). When a server does not answer,
its tests are skipped on a developer's machine and FAIL in CI (env CI set): CI must not pass
without having run them.
"""

from __future__ import annotations

import os

import pytest

PG_URL = os.environ.get("FLYLINT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
MYSQL_URL = os.environ.get("FLYLINT_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test")

_checked: dict[str, str | None] = {}


def _problem(url: str) -> str | None:
    if url in _checked:
        return _checked[url]
    from flylint.verify.scratch import admin_database, connect
    from flylint.verify.url import parse_url

    u = parse_url(url)
    try:
        c = connect(u, admin_database(u) if u.dialect == "postgres" else u.database)
        c.close()
        problem = None
    except Exception as e:  # noqa: BLE001 - any reason the server cannot be used
        problem = f"{u.redacted} does not answer: {u.redact(str(e)).splitlines()[0] if str(e) else type(e).__name__}"
    _checked[url] = problem
    return problem


def _require(url: str) -> str:
    problem = _problem(url)
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the database server: {problem}")
        pytest.skip(problem)
    return url


@pytest.fixture
def pg_url() -> str:
    return _require(PG_URL)


@pytest.fixture
def mysql_url() -> str:
    return _require(MYSQL_URL)
