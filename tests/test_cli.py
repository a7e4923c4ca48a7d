"""The command line as users run it: exit codes, formats, options and bad input."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, run_cli

SEED_MYSQL = FIXTURES / "rename-last-name" / "mysql"


def lint_json(cwd, *args, env=None):
    proc = run_cli(["lint", *args, "--format", "json", "--no-cache"], cwd=cwd, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    return proc, json.loads(proc.stdout)


def test_seed_project_json_contract():
    proc, doc = lint_json(SEED_MYSQL, ".", "--dialect", "mysql")
    # V4 drops users.last_name: the contract step of the rename V2 started (V3 relaxed it), still an
    # error without evidence from the live version's code (--app-source)
    assert proc.returncode == 1
    assert doc["version"] == 1
    assert set(doc) >= {"version", "findings", "migrations", "summary"}
    assert [m["path"] for m in doc["migrations"]] == [
        "V1__init.sql", "V2__Add_surname.sql", "V3__Final_migration.sql", "V4__Remove_lastname.sql"
    ]
    v2 = doc["migrations"][1]
    assert v2 == {
        "path": "V2__Add_surname.sql", "version": "2", "description": "Add surname", "kind": "V",
        "checksum": v2["checksum"], "statements": 2, "unanalysed": 0,
        "changes": {"additive": 1, "data": 1}, "phase": "migrate", "contracts": [],
    }
    assert isinstance(v2["checksum"], int)
    assert [m["phase"] for m in doc["migrations"]] == ["expand", "migrate", "relax", "contract"]
    assert doc["migrations"][3]["contracts"] == [
        {"table": "users", "old": "last_name", "new": "surname", "started_by": "V2__Add_surname.sql"}]
    # warnings: no lock_wait_timeout (V2, V3, V4), two DDL in V4, tightening surname, the unbatched
    # backfills (V2, V3); info: V3 dropping NOT NULL on last_name, which the live version reads
    assert doc["summary"] == {"files": 4, "statements": 10, "unanalysed": 0, "errors": 1, "warnings": 7,
                              "infos": 1}


def test_finding_fields_and_exit_code(project):
    root = project({"V1__a.sql": "CREATE TABLE t (id int);\nALTER TABLE t FOO BAR;\n"})
    proc, doc = lint_json(root, ".", "--dialect", "postgres", "--fail-on", "warning")
    assert proc.returncode == 1
    (f,) = doc["findings"]
    assert set(f) == {"rule", "severity", "change", "class", "path", "line", "column", "end_line",
                      "end_column", "object", "message", "fix", "docs"}
    assert (f["rule"], f["severity"], f["change"], f["class"]) == (
        "unanalysed-statement", "warning", "unanalysed", "unanalysed")
    assert f["path"] == "V1__a.sql" and f["line"] == 2


def test_fail_on_levels(project):
    root = project({"V1__a.sql": "ALTER TABLE t FOO BAR;\n"})
    assert run_cli(["lint", ".", "--dialect", "postgres", "--no-cache"], cwd=root).returncode == 0
    assert run_cli(["lint", ".", "--dialect", "postgres", "--no-cache", "--fail-on", "warning"],
                   cwd=root).returncode == 1
    assert run_cli(["lint", ".", "--dialect", "postgres", "--no-cache", "--fail-on", "never"],
                   cwd=root).returncode == 0


def test_text_output_shows_location_source_and_fix(project):
    root = project({"V1__a.sql": "CREATE TABLE t (id int);\n  ALTER TABLE t FOO BAR;\n"})
    proc = run_cli(["lint", ".", "--dialect", "postgres", "--no-cache"], cwd=root)
    out = proc.stdout
    assert "V1__a.sql:2:17: warning[unanalysed-statement]" in out
    assert "   ALTER TABLE t FOO BAR;" in out
    assert "fix:" in out
    assert "\x1b[" not in out  # not a terminal: no colour
    assert out.rstrip().endswith("in 1 migration (2 statements, 1 unanalysed).")


def test_select_and_ignore(project):
    root = project({"V1__a.sql": "ALTER TABLE t FOO BAR;\n", "V2_b.sql": "SELECT 1;\n"})
    _, doc = lint_json(root, ".", "--dialect", "postgres", "--select", "flyway")
    assert {f["rule"] for f in doc["findings"]} == {"flyway-skipped-name"}
    _, doc = lint_json(root, ".", "--dialect", "postgres", "--ignore", "flyway-skipped-name")
    assert {f["rule"] for f in doc["findings"]} == {"unanalysed-statement"}


@pytest.mark.parametrize(
    "args,needle",
    [
        (["lint", "does-not-exist", "--dialect", "mysql"], "path does not exist"),
        (["lint", ".", "--dialect", "oracle"], "oracle"),
        (["lint", "."], "--dialect"),
        (["lint", ".", "--dialect", "mysql", "--db-version", "eight"], "--db-version"),
        (["lint", ".", "--dialect", "mysql", "--select", "no-such-rule"], "no-such-rule"),
        (["lint", ".", "--dialect", "mysql", "--config", "missing.toml"], "missing.toml"),
        (["lint", ".", "--dialect", "mysql", "--flyway-config", "missing.conf"], "missing.conf"),
    ],
)
def test_usage_errors_exit_2_without_traceback(project, args, needle):
    root = project({"V1__a.sql": "SELECT 1;\n"})
    proc = run_cli(args, cwd=root)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_flylint_settings_exit_2(project):
    root = project({"V1__a.sql": "SELECT 1;\n", "pyproject.toml": "[tool.flylint]\ndialetc = 'mysql'\n"})
    proc = run_cli(["lint", "."], cwd=root)
    assert proc.returncode == 2 and "dialetc" in proc.stderr and "Traceback" not in proc.stderr
    root2 = project({"flylint.toml": "dialect = [\n"})
    proc = run_cli(["lint", "."], cwd=root2)
    assert proc.returncode == 2 and "not valid TOML" in proc.stderr


def test_settings_from_pyproject(project):
    root = project({
        "db/migration/V1__a.sql": "ALTER TABLE t FOO BAR;\n",
        "pyproject.toml": "[tool.flylint]\ndialect = 'mysql'\nfail-on = 'warning'\npaths = ['db/migration']\n",
    })
    proc = run_cli(["lint", "--format", "json", "--no-cache"], cwd=root)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["dialect"] == "mysql"
    assert doc["findings"][0]["path"] == "db/migration/V1__a.sql"


def test_dialect_from_flyway_url(project):
    root = project({
        "flyway.conf": "flyway.url=jdbc:mariadb://localhost:3306/app\nflyway.locations=filesystem:sql\n",
        "sql/V1__a.sql": "CREATE TABLE t (id int);\n",
    })
    proc, doc = lint_json(root)
    assert doc["dialect"] == "mariadb"
    assert doc["migrations"][0]["path"] == "sql/V1__a.sql"


def test_missing_configured_location_is_reported(project):
    root = project({"flyway.conf": "flyway.url=jdbc:postgresql://h/db\nflyway.locations=filesystem:nowhere\n"})
    proc, doc = lint_json(root)
    assert [f["rule"] for f in doc["findings"]] == ["flyway-missing-location"]


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01\x02\xff\xfe garbage ;;; '",
        b"SELECT " + b"(" * 20000 + b"1" + b")" * 20000 + b";",
        b"SELECT * FROM " + b"(SELECT * FROM " * 9000 + b"t" + b") x" * 9000 + b";",
        b"/* never closed",
        b"\xef\xbb\xbfCREATE TABLE t (id int);",
        b"CREATE TABLE t (id int);\r\nALTER TABLE t ADD c int;\r\n",
    ],
    ids=["binary", "deep-parens", "deep-subqueries", "open-comment", "bom", "crlf"],
)
def test_hostile_input_never_crashes(project, content):
    root = project({})
    (root / "V1__x.sql").write_bytes(content)
    proc = run_cli(["lint", ".", "--dialect", "postgres", "--format", "json", "--no-cache"], cwd=root, timeout=60)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    json.loads(proc.stdout)


def test_bom_and_crlf_files_are_clean(project):
    root = project({})
    (root / "V1__x.sql").write_bytes(b"\xef\xbb\xbfCREATE TABLE t (id int);\r\nALTER TABLE t ADD c int;\r\n")
    _, doc = lint_json(root, ".", "--dialect", "postgres")
    assert doc["findings"] == []
    assert doc["migrations"][0]["statements"] == 2


def test_cache_is_written_and_reused(project):
    root = project({"V1__a.sql": "CREATE TABLE t (id int);\n"})
    first = run_cli(["lint", ".", "--dialect", "postgres", "--format", "json"], cwd=root)
    assert (root / ".flylint_cache" / ".gitignore").read_text().strip().endswith("*")
    assert (root / ".flylint_cache" / "cache.sqlite3").is_file()
    second = run_cli(["lint", ".", "--dialect", "postgres", "--format", "json"], cwd=root)
    assert json.loads(first.stdout) == json.loads(second.stdout)


def test_no_cache_writes_nothing(project):
    root = project({"V1__a.sql": "CREATE TABLE t (id int);\n"})
    run_cli(["lint", ".", "--dialect", "postgres", "--no-cache"], cwd=root)
    assert not (root / ".flylint_cache").exists()


def test_rules_command_lists_every_rule():
    proc = run_cli(["rules"], cwd=FIXTURES)
    assert proc.returncode == 0
    assert "flyway-skipped-name" in proc.stdout and "unanalysed-statement" in proc.stdout
    line = next(x for x in proc.stdout.splitlines() if x.startswith("prefer-timestamptz "))
    assert line.endswith("(opt-in)")


def test_opt_in_rule_selected_in_settings_and_suppressions_of_rules_that_did_not_run(project):
    root = project({
        "V1__a.sql": "-- flylint: ignore[prefer-timestamptz] legacy column, converted in ticket OPS-9\n"
                     "CREATE TABLE t (id bigint PRIMARY KEY, at timestamp);\n",
    })
    quiet = run_cli(["lint", ".", "--dialect", "postgres", "--format", "json", "--no-cache"], cwd=root)
    # the rule did not run, so its suppression is not reported as unused
    assert json.loads(quiet.stdout)["findings"] == []
    (root / "flylint.toml").write_text("select = ['prefer-timestamptz', 'flylint-suppression']\n")
    chosen = run_cli(["lint", ".", "--dialect", "postgres", "--format", "json", "--no-cache"], cwd=root)
    assert json.loads(chosen.stdout)["findings"] == []  # it ran and the suppression silenced it
    (root / "V1__a.sql").write_text("CREATE TABLE t (id bigint PRIMARY KEY, at timestamp);\n")
    shown = run_cli(["lint", ".", "--dialect", "postgres", "--format", "json", "--no-cache"], cwd=root)
    assert [f["rule"] for f in json.loads(shown.stdout)["findings"]] == ["prefer-timestamptz"]


def test_version_option():
    proc = run_cli(["--version"], cwd=FIXTURES)
    assert proc.returncode == 0 and "flylint" in proc.stdout


def test_severity_override_from_settings(project):
    root = project({
        "V1__a.sql": "CREATE TABLE t (id int, c int);\n", "V2__b.sql": "ALTER TABLE t DROP COLUMN c;\n",
        "flylint.toml": "dialect = 'postgres'\n[severity]\ndrop-column = 'warning'\nlock = 'info'\n",
    })
    proc, doc = lint_json(root, ".")
    assert proc.returncode == 0  # the drop is only a warning now
    sev = {f["rule"]: f["severity"] for f in doc["findings"]}
    assert sev == {"drop-column": "warning", "lock-timeout": "info"}


def test_explain_prints_one_rule_and_rejects_unknown_ids():
    proc = run_cli(["explain", "drop-column"], cwd=FIXTURES)
    assert proc.returncode == 0 and proc.stdout.startswith("# drop-column") and "## The safe way" in proc.stdout
    proc = run_cli(["explain", "drop-colum"], cwd=FIXTURES)
    assert proc.returncode == 2 and "drop-column" in proc.stderr


def test_no_migrations_found_is_said_on_stderr(project):
    root = project({"notes.txt": "not sql\n"})
    proc = run_cli(["lint", "notes.txt", "--dialect", "postgres", "--no-cache"], cwd=root)
    assert proc.returncode == 0
    assert "no Flyway migrations found in notes.txt" in proc.stderr


def _run_on_tty(args, cwd, env_extra):
    """Run the CLI with stdout on a pseudo-terminal and return what it printed there."""
    import os
    import pty
    import subprocess
    import sys

    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(env_extra)
    proc = subprocess.Popen([sys.executable, "-m", "flylint", *args], cwd=cwd, stdout=slave,
                            stderr=subprocess.DEVNULL, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    return b"".join(chunks).decode()


def test_colour_only_on_a_terminal_and_never_with_no_color(project):
    root = project({"V1__a.sql": "ALTER TABLE t FOO BAR;\n"})
    args = ["lint", ".", "--dialect", "postgres", "--no-cache"]
    assert "\x1b[" in _run_on_tty(args, root, {})
    assert "\x1b[" not in _run_on_tty(args, root, {"NO_COLOR": "1"})
