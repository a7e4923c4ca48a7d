"""verify's safety guarantees: the scratch database never outlives flylint (normal end, exception,
SIGKILL) and the password never shows."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time

import pytest

from conftest import run_cli, write_project
from verify_helpers import invoke, scratch_exists, verify_json

from flylint.verify.url import UrlError, parse_url, redact

PASSWORD = "Sup3r-S3cret-pw"


def test_url_parsing_and_redaction():
    u = parse_url(f"postgresql://alice:{PASSWORD}@db.example:5433/app?sslmode=require")
    assert (u.dialect, u.host, u.port, u.user, u.password, u.database) == (
        "postgres", "db.example", 5433, "alice", PASSWORD, "app")
    assert u.params == (("sslmode", "require"),)
    assert PASSWORD not in u.redacted and PASSWORD not in str(u) and PASSWORD not in repr(u)
    assert u.redacted == "postgresql://alice:***@db.example:5433/app"
    assert parse_url("mariadb://root@127.0.0.1/test").dialect == "mariadb"
    assert parse_url("jdbc:mysql://h/db").port == 3306
    assert parse_url("postgresql://u:p%40ss@h/db").password == "p@ss"
    with pytest.raises(UrlError) as e:
        parse_url(f"oracle://scott:{PASSWORD}@h/db")
    assert PASSWORD not in str(e.value)
    assert redact(f"could not connect to mysql://root:{PASSWORD}@h/x") == "could not connect to mysql://root:***@h/x"
    assert redact(f"host=h password={PASSWORD} user=u") == "host=h password=*** user=u"
    assert redact(f"failed: {PASSWORD}!", PASSWORD) == "failed: ***!"


def _pg_url_with_password(pg_url: str) -> str:
    u = parse_url(pg_url)  # trust authentication accepts any password
    return f"postgresql://{u.user}:{PASSWORD}@{u.host}:{u.port}/{u.database or 'postgres'}"


def test_password_never_printed_postgres(tmp_path, pg_url):
    url = _pg_url_with_password(pg_url)
    write_project(tmp_path, {"V1__init.sql": "CREATE TABLE t (id int);\n",
                             "V2__bad.sql": "ALTER TABLE missing ADD COLUMN x int;\n"})
    outputs = []
    r = invoke(tmp_path, ["verify", ".", "--database-url", url, "--format", "json"])
    assert r.exit_code == 1, r.stderr
    outputs.append(r.stdout + r.stderr)
    p = run_cli(["verify", "."], cwd=tmp_path, env={"FLYLINT_DATABASE_URL": url})  # text, URL from the environment
    assert p.returncode == 1 and "error[verify-failed]" in p.stdout
    outputs.append(p.stdout + p.stderr)
    # a server that does not answer: the error names the URL without the password
    down = f"postgresql://postgres:{PASSWORD}@127.0.0.1:1/postgres"
    r = invoke(tmp_path, ["verify", ".", "--database-url", down])
    assert r.exit_code == 2 and "postgresql://postgres:***@127.0.0.1:1/postgres" in r.stderr
    outputs.append(r.stdout + r.stderr)
    r = invoke(tmp_path, ["validate", ".", "--database-url", down])
    assert r.exit_code == 2
    outputs.append(r.stdout + r.stderr)
    for out in outputs:
        assert PASSWORD not in out
    assert "***" in outputs[0]


def test_password_never_printed_mariadb(tmp_path, mysql_url):
    from flylint.verify.scratch import connect

    admin = parse_url(mysql_url)
    user = "flylint_pw_" + secrets.token_hex(4)
    c = connect(admin, None)
    try:
        with c.cursor() as cur:
            for host in ("127.0.0.1", "localhost", "%"):
                cur.execute(f"CREATE USER '{user}'@'{host.replace('%', '%%')}' IDENTIFIED BY %s", (PASSWORD,))
                cur.execute(f"GRANT ALL PRIVILEGES ON `flylint\\_verify\\_%`.* TO '{user}'@'{host}'")
        url = f"mysql://{user}:{PASSWORD}@{admin.host}:{admin.port}/test"
        write_project(tmp_path, {"V1__init.sql": "CREATE TABLE t (id int PRIMARY KEY);\n",
                                 "V2__bad.sql": "ALTER TABLE missing ADD COLUMN x int;\n"})
        p = invoke(tmp_path, ["verify", ".", "--database-url", url, "--format", "json"])
        assert p.exit_code == 1, p.stderr
        assert '"verify-failed"' in p.stdout
        bad = invoke(tmp_path, ["verify", ".", "--database-url", url.replace(PASSWORD, PASSWORD + "x")])
        assert bad.exit_code == 2 and "Access denied" in bad.stderr
        for out in (p.stdout + p.stderr, bad.stdout + bad.stderr):
            assert PASSWORD not in out
    finally:
        with c.cursor() as cur:
            for host in ("127.0.0.1", "localhost", "%"):
                cur.execute(f"DROP USER IF EXISTS '{user}'@'{host}'")
        c.close()


def test_scratch_dropped_after_an_exception(tmp_path, pg_url):
    # the app queries path is read after the scratch database exists: a missing one raises there
    write_project(tmp_path, {"V1__init.sql": "CREATE TABLE t (id int);\n"})
    p = run_cli(["verify", ".", "--database-url", pg_url, "--app-queries", "nowhere.sql"], cwd=tmp_path)
    assert p.returncode == 2 and "--app-queries: no such file or folder" in p.stderr
    name = re.search(r"flylint_verify_[0-9a-f]+", p.stderr).group(0)
    assert not scratch_exists(pg_url, name)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM], ids=["kill", "ctrl-c", "term"])
def test_scratch_dropped_when_flylint_is_killed(tmp_path, pg_url, sig):
    write_project(tmp_path, {"V1__init.sql": "CREATE TABLE t (id int);\n",
                             "V2__slow.sql": "SELECT pg_sleep(20);\n"})
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYWAY", "FLYLINT"))}
    proc = subprocess.Popen([sys.executable, "-m", "flylint", "verify", ".", "--database-url", pg_url],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        name = re.search(r"flylint_verify_[0-9a-f]+", line).group(0)
        from flylint.verify.scratch import connect

        admin = parse_url(pg_url)
        deadline = time.monotonic() + 20
        with connect(admin, admin.database or "postgres") as c:
            while time.monotonic() < deadline:  # wait until the slow migration runs
                row = c.execute("SELECT 1 FROM pg_stat_activity WHERE datname = %s AND query LIKE %s",
                                (name, "SELECT pg_sleep%")).fetchone()
                if row:
                    break
                time.sleep(0.05)
            else:
                pytest.fail("the slow migration never started")
        proc.send_signal(sig)
        code = proc.wait(timeout=10)
        assert code == {signal.SIGKILL: -9, signal.SIGINT: 130, signal.SIGTERM: 143}[sig]
        deadline = time.monotonic() + 5
        while scratch_exists(pg_url, name):
            assert time.monotonic() < deadline, "the watchdog did not drop the scratch database"
            time.sleep(0.1)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()


def test_no_database_source_names_the_three_options(tmp_path):
    # MySQL: pgserver (installed with the test extra) cannot serve it, and there is no Docker here
    write_project(tmp_path, {"V1__init.sql": "CREATE TABLE t (id int);\n"})
    p = run_cli(["verify", ".", "--dialect", "mysql"], cwd=tmp_path)
    assert p.returncode == 2
    assert "--database-url" in p.stderr and "--embedded" in p.stderr and "--docker" in p.stderr
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr


def test_embedded_without_pgserver_says_what_to_install(tmp_path):
    import importlib.util

    if importlib.util.find_spec("pgserver") is not None:
        pytest.skip("pgserver is installed: tests/test_verify_embedded.py runs the real thing")
    write_project(tmp_path, {"V1__init.sql": "CREATE TABLE t (id int);\n"})
    p = run_cli(["verify", ".", "--embedded"], cwd=tmp_path)
    assert p.returncode == 2 and "pgserver package is not installed" in p.stderr


def test_embedded_for_mysql_says_pgserver_is_postgresql_only(tmp_path):
    write_project(tmp_path, {"V1__init.sql": "CREATE TABLE t (id int);\n"})
    p = run_cli(["verify", ".", "--embedded", "--dialect", "mariadb"], cwd=tmp_path)
    assert p.returncode == 2 and "pgserver only provides PostgreSQL, not mariadb" in p.stderr
    assert "Traceback" not in p.stderr


def test_statement_timeout_applies(tmp_path, pg_url):
    write_project(tmp_path, {"V1__slow.sql": "SELECT pg_sleep(3);\n"})
    code, doc, _ = verify_json(tmp_path, pg_url, "--statement-timeout", "0.5")
    failed = [f for f in doc["findings"] if f["rule"] == "verify-failed"]
    assert failed and "57014" in failed[0]["message"]  # query_canceled by statement_timeout


def test_unreachable_server_fails_in_ci_and_skips_locally(monkeypatch):
    import dbservers

    down = "postgresql://postgres@127.0.0.1:1/postgres"  # nothing listens there
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI needs the database server"):
        dbservers._require(down)
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="does not answer"):
        dbservers._require(down)


def test_statements_beyond_the_scratch_database_are_not_run(tmp_path, pg_url, mysql_url):
    from flylint.verify.scratch import connect

    other = "flylint_guard_" + secrets.token_hex(4)  # must never come into existence
    write_project(tmp_path / "pg", {
        "V1__init.sql": f"CREATE TABLE t (id int);\nCREATE DATABASE {other};\nCREATE ROLE {other};\n"
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE false;\n"
                        "ALTER TABLE t ADD COLUMN a int;\n"
                        f"DO $$ BEGIN EXECUTE 'CREATE ROLE {other}'; END $$;\n",
    })
    code, doc, result = verify_json(tmp_path / "pg", pg_url)
    refused = [(f["line"], f["severity"]) for f in doc["findings"] if f["rule"] == "verify-refused"]
    assert refused == [(2, "warning"), (3, "warning"), (4, "warning"), (6, "warning")], result.stdout
    assert [t["error"] for t in doc["trace"]] == [None] * 6  # the rest ran
    admin = parse_url(pg_url)
    with connect(admin, admin.database or "postgres") as c:
        assert c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (other,)).fetchone() is None
        assert c.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (other,)).fetchone() is None

    write_project(tmp_path / "my", {
        "V1__init.sql": f"CREATE TABLE t (id int PRIMARY KEY);\nCREATE DATABASE {other};\n"
                        f"CREATE TABLE test.{other} (id int);\nUSE test;\nSET GLOBAL max_connections = 1;\n"
                        "INSERT INTO t VALUES (1);\n",
    })
    code, doc, result = verify_json(tmp_path / "my", mysql_url)
    refused = [f["line"] for f in doc["findings"] if f["rule"] == "verify-refused"]
    assert refused == [2, 3, 4, 5], result.stdout
    assert "names another database (test)" in next(
        f["message"] for f in doc["findings"] if f["rule"] == "verify-refused" and f["line"] == 3)
    assert not scratch_exists(mysql_url, other)
    c = connect(parse_url(mysql_url), None)
    try:
        with c.cursor() as cur:
            cur.execute("SELECT 1 FROM information_schema.TABLES WHERE TABLE_NAME = %s", (other,))
            assert cur.fetchone() is None
    finally:
        c.close()
