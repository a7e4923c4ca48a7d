"""A demanding user's bad input, through the real command line: a clear message and the right exit
code, never a traceback, never a hang (every run has a timeout)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from conftest import run_cli, write_project

ONE = {"db/V1__create_t.sql": "CREATE TABLE t (id bigint PRIMARY KEY, a int);\n"}


def lint(cwd, *args, timeout=60):
    proc = run_cli(["lint", *args, "--no-cache"], cwd, timeout=timeout)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    return proc


def usage_error(proc, *words):
    """Exit 2 with one line on stderr that says what is wrong."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    for w in words:
        assert w in lines[0], lines[0]


def findings(proc):
    return json.loads(proc.stdout)["findings"]


# -- broken SQL -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql, rule, line, column",
    [
        ("CREATE TABLE t (a int;\nSELECT 1;\n", "flyway-incomplete-statement", 1, 16),
        ("CREATE TABLE t (a int);\nSELECT 'abc\n", "flyway-incomplete-statement", 2, 8),
        ("CREATE TABLE t (a int);\nDO $$ BEGIN\nPERFORM 1;\n", "flyway-incomplete-statement", 2, 4),
        ("CREATE TABLE t (a int);\nDO $body$ BEGIN PERFORM 1; END $bod$;\n", "flyway-incomplete-statement", 2, 4),
        ("CREATE TABLE t (a int);\n/* never closed\n", "flyway-incomplete-statement", 2, 1),
        ("CREATE TABLE t (a int);\nSELEC 1;\n", "unanalysed-statement", 2, 7),
    ],
)
def test_broken_sql_is_a_located_finding(tmp_path, sql, rule, line, column):
    write_project(tmp_path, {"V1__broken.sql": sql})
    proc = lint(tmp_path, ".", "--dialect", "postgres", "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    got = [(f["rule"], f["line"], f["column"]) for f in findings(proc)]
    assert (rule, line, column) in got, got


def test_mysql_delimiter_body_without_final_delimiter(tmp_path):
    # Flyway runs the text after the last delimiter as the last statement: one procedure
    write_project(tmp_path, {"V1__proc.sql": "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END\n"})
    proc = lint(tmp_path, ".", "--dialect", "mysql", "--format", "json")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["summary"]["statements"] == 1


# -- encodings --------------------------------------------------------------------------------


def test_utf16_with_bom_is_named(tmp_path):
    (tmp_path / "V1__utf16.sql").write_bytes("CREATE TABLE t (a int);\n".encode("utf-16"))
    proc = lint(tmp_path, ".", "--dialect", "postgres")
    assert proc.returncode == 1
    assert "flyway-undecodable" in proc.stdout and "UTF-16 byte-order mark" in proc.stdout


def test_utf16_with_configured_encoding_is_read(tmp_path):
    (tmp_path / "V1__utf16.sql").write_bytes("CREATE TABLE t (a int);\n".encode("utf-16"))
    (tmp_path / "flyway.conf").write_text("flyway.encoding=UTF-16\nflyway.locations=filesystem:.\n")
    proc = lint(tmp_path, "--dialect", "postgres", "--format", "json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["summary"]["statements"] == 1


def test_latin1_byte_is_located(tmp_path):
    (tmp_path / "V1__latin1.sql").write_bytes(b"CREATE TABLE t (a int);\nINSERT INTO t VALUES ('caf\xe9');\n")
    proc = lint(tmp_path, ".", "--dialect", "postgres", "--format", "json")
    assert proc.returncode == 1
    [f] = findings(proc)
    assert (f["rule"], f["line"], f["column"]) == ("flyway-undecodable", 2, 27)


def test_nul_byte_is_unanalysed_at_the_byte(tmp_path):
    (tmp_path / "V1__nul.sql").write_bytes(b"CREATE TABLE t (a int);\nINSERT INTO t VALUES (1\x00);\n")
    proc = lint(tmp_path, ".", "--dialect", "postgres", "--format", "json")
    [f] = findings(proc)
    assert (f["rule"], f["line"], f["column"]) == ("unanalysed-statement", 2, 24)
    assert "NUL" in f["message"]


# -- size and shape ---------------------------------------------------------------------------


def test_deep_nesting_is_unanalysed_and_the_excerpt_is_clipped(tmp_path):
    deep = "SELECT " + "(" * 10000 + "1" + ")" * 10000 + ";\n"
    write_project(tmp_path, {"V1__deep.sql": deep, "V2__deep_mysql_default.sql": "SELECT 1;\n"})
    proc = lint(tmp_path, ".", "--dialect", "postgres", timeout=30)
    assert proc.returncode == 0
    assert "nesting deeper than" in proc.stdout
    assert max(len(line) for line in proc.stdout.splitlines()) < 400, "a 20,000-character excerpt"


def test_control_characters_do_not_reach_the_terminal(tmp_path):
    write_project(tmp_path, {"V1__esc.sql": "CREATE TABLE t (a int);\nSELEC \x1b[2J 1;\n"})
    proc = lint(tmp_path, ".", "--dialect", "postgres")
    assert "\x1b[2J" not in proc.stdout


def test_extremely_long_line(tmp_path):
    values = ",".join(f"({i}, 'name {i}')" for i in range(100_000))
    write_project(tmp_path, {"V1__t.sql": "CREATE TABLE t (id int, name text);\n",
                             "V2__load.sql": f"INSERT INTO t VALUES {values};\nALTER TABLE t DROP COLUMN name;\n"})
    proc = lint(tmp_path, ".", "--dialect", "postgres", timeout=60)
    assert proc.returncode == 1
    assert "V2__load.sql:2:1: error[drop-column]" in proc.stdout


def test_many_statements_finish(tmp_path):
    body = "".join(
        f"CREATE TABLE t{i} (id bigint PRIMARY KEY, name varchar(100) NOT NULL);\n"
        f"INSERT INTO t{i} (id, name) VALUES ({i}, 'x');\n"
        f"CREATE INDEX i{i} ON t{i} (name);\n"
        for i in range(4000)
    )
    write_project(tmp_path, {"V1__big.sql": body})
    proc = lint(tmp_path, ".", "--dialect", "postgres", "--format", "json", timeout=90)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert json.loads(proc.stdout)["summary"]["statements"] == 12000


# -- paths ------------------------------------------------------------------------------------


def test_missing_path(tmp_path):
    usage_error(lint(tmp_path, "nope", "--dialect", "postgres"), "does not exist", "nope")


def test_a_single_file_is_linted(tmp_path):
    write_project(tmp_path, {"db/V1__create_t.sql": "CREATE TABLE t (a int);\nDROP TABLE t;\n"})
    proc = lint(tmp_path, "db/V1__create_t.sql", "--dialect", "postgres", "--format", "json")
    assert json.loads(proc.stdout)["summary"]["files"] == 1


def test_path_below_a_file(tmp_path):
    write_project(tmp_path, ONE)
    usage_error(lint(tmp_path, "db/V1__create_t.sql/x", "--dialect", "postgres"), "does not exist")


def test_empty_directory_warns_and_passes(tmp_path):
    (tmp_path / "empty").mkdir()
    proc = lint(tmp_path, "empty", "--dialect", "postgres")
    assert proc.returncode == 0
    assert "no Flyway migrations found" in proc.stderr


def test_symlink_loop_in_a_location(tmp_path):
    write_project(tmp_path, ONE)
    os.symlink("..", tmp_path / "db" / "loop")
    os.symlink("loop", tmp_path / "db" / "loop2")
    proc = lint(tmp_path, "db", "--dialect", "postgres", "--format", "json", timeout=30)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["summary"]["files"] == 1


def test_fifo_directory_and_dangling_link_named_like_migrations(tmp_path):
    write_project(tmp_path, ONE)
    os.mkfifo(tmp_path / "db" / "V2__fifo.sql")  # reading it would block forever
    (tmp_path / "db" / "V3__folder.sql").mkdir()
    os.symlink(tmp_path / "missing.sql", tmp_path / "db" / "V4__dangling.sql")
    proc = lint(tmp_path, "db", "--dialect", "postgres", "--format", "json", timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]["files"] == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path):
    write_project(tmp_path, ONE)
    f = tmp_path / "db" / "V1__create_t.sql"
    f.chmod(0)
    try:
        proc = lint(tmp_path, "db", "--dialect", "postgres")
        usage_error(proc, "V1__create_t.sql")
    finally:
        f.chmod(0o644)


# -- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, text, words",
    [
        ("flyway.conf", "flyway.locations=filesystem:db\nflyway.placeholderReplacement=maybe\n",
         ["flyway.conf:2", "placeholderReplacement"]),
        ("flyway.toml", "[flyway\nlocations = 3\n", ["flyway.toml", "TOML"]),
        ("flyway.toml", "[flyway]\nlocations = 3\n", ["flyway.toml:2", "locations"]),
        ("flyway.toml", '[flyway]\nlocations = ["filesystem:db"]\noutOfOrder = 3\n', ["outOfOrder"]),
        ("flyway.toml", '[flyway]\nlocations = ["filesystem:db"]\nencoding = "klingon"\n', ["encoding"]),
        ("flylint.toml", 'dialect = "postgres\n', ["flylint.toml", "TOML"]),
        ("flylint.toml", "dialect = 5\n", ["flylint.toml", "dialect"]),
        ("flylint.toml", 'dialect = "oracle"\n', ["oracle"]),
        ("flylint.toml", 'fail-on = "sometimes"\n', ["fail-on"]),
        ("flylint.toml", "[severity]\nlock-timeout = 3\n", ["severity"]),
        ("flylint.toml", '[severity]\nno-such-rule = "info"\n', ["no-such-rule"]),
        ("flylint.toml", 'colour = "always"\n', ["colour"]),
        ("flylint.toml", 'db-version = "abc"\n', ["abc"]),
        ("pyproject.toml", "[tool]\nflylint = 3\n", ["[tool.flylint]"]),
    ],
)
def test_bad_configuration(tmp_path, name, text, words):
    write_project(tmp_path, {**ONE, name: text})
    extra = [] if name.startswith("flyway") else ["db"]
    usage_error(lint(tmp_path, *extra, "--dialect", "postgres"), *words)


def test_missing_config_files(tmp_path):
    write_project(tmp_path, ONE)
    usage_error(lint(tmp_path, "db", "--dialect", "postgres", "--config", "nope.toml"), "nope.toml")
    usage_error(lint(tmp_path, "db", "--dialect", "postgres", "--flyway-config", "nope.conf"), "nope.conf")


# -- options and outputs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, words",
    [
        (["--format", "xml"], ["xml"]),
        (["--format", "json:"], ["file name"]),
        (["--format", "json:missing/dir/out.json"], ["missing"]),
        (["--format", "json:db"], ["folder"]),
        (["--format", "sarif:a.sarif", "--format", "sarif:a.sarif"], ["same file"]),
        (["--select", "no-such-rule"], ["no-such-rule"]),
        (["--db-version", "fifteen"], ["fifteen"]),
        (["--baseline", "nope.json"], ["nope.json"]),
    ],
)
def test_bad_options(tmp_path, args, words):
    write_project(tmp_path, ONE)
    usage_error(lint(tmp_path, "db", "--dialect", "postgres", *args), *words)


@pytest.mark.parametrize("content", ["{bad", "[1, 2]", '{"version": 1, "findings": 3}'])
def test_bad_baseline_file(tmp_path, content):
    write_project(tmp_path, {**ONE, "bl.json": content})
    usage_error(lint(tmp_path, "db", "--dialect", "postgres", "--baseline", "bl.json"), "bl.json")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_unwritable_output_folder(tmp_path):
    write_project(tmp_path, ONE)
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o500)
    try:
        usage_error(lint(tmp_path, "db", "--dialect", "postgres", "--format", "json:ro/x.json"), "ro")
    finally:
        out.chmod(0o700)


def test_output_file_that_cannot_be_written(tmp_path):
    write_project(tmp_path, ONE)
    # /proc refuses new files even to root
    usage_error(lint(tmp_path, "db", "--dialect", "postgres", "--format", "json:/proc/flylint.json"), "/proc")
    usage_error(run_cli(["baseline", "db", "--dialect", "postgres", "--output", "/proc/bl.json"], tmp_path),
                "/proc")


def test_no_dialect(tmp_path):
    write_project(tmp_path, ONE)
    usage_error(lint(tmp_path, "db"), "--dialect")


# -- --since ----------------------------------------------------------------------------------


def test_since_outside_git(tmp_path):
    write_project(tmp_path, ONE)
    usage_error(lint(tmp_path, "db", "--dialect", "postgres", "--since", "HEAD"), "not inside a git repository")


def test_since_unknown_ref(tmp_path):
    write_project(tmp_path, ONE)
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", *cmd], cwd=tmp_path, check=True, env={**os.environ, **env})
    usage_error(lint(tmp_path, "db", "--dialect", "postgres", "--since", "no-such-branch"), "no-such-branch")
    usage_error(lint(tmp_path, "db", "--dialect", "postgres", "--since", "HEAD~3"), "HEAD~3")


# -- other commands ---------------------------------------------------------------------------


def test_explain_and_rules_bad_arguments(tmp_path):
    usage_error(run_cli(["explain", "no-such-rule"], tmp_path), "no-such-rule")
    proc = run_cli(["rules", "--format", "yaml"], tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "args, words",
    [
        (["nonsense", "t.a"], ["nonsense"]),
        (["rename-column", "t", "b"], ["TABLE.COLUMN"]),
        (["rename-column", "t.a"], ["usage"]),
        (["rename-column", "t.a", "b; DROP TABLE t"], ["not a plain column name"]),
        (["rename-column", "t.a", "a"], ["already exists"]),
        (["rename-column", "nosuch.a", "b"], ["nosuch"]),
        (["rename-column", "t.nosuch", "b"], ["nosuch"]),
        (["change-column-type", "t.a", "bigint)"], ["bigint)"]),
        (["change-column-type", "t.a", "varchar(10"], ["varchar(10"]),
        (["set-not-null", "t.a", "--backfill", "'"], ["--backfill"]),
        (["set-not-null", "t.a", "--backfill", "0; DROP TABLE t"], ["--backfill"]),
        (["add-foreign-key", "t.a", "t"], ["TABLE.COLUMN"]),
        (["drop-column", "t.a", "extra"], ["usage"]),
        (["rename-column", "t.a", "b", "--path", "nope"], ["nope"]),
    ],
)
def test_plan_bad_arguments(tmp_path, args, words):
    write_project(tmp_path, ONE)
    if "--path" not in args:
        args = [*args, "--path", "db"]
    proc = run_cli(["plan", *args, "--dialect", "postgres", "--no-cache"], tmp_path, timeout=60)
    assert "Traceback" not in proc.stderr
    usage_error(proc, *words)
    assert sorted(p.name for p in (tmp_path / "db").iterdir()) == ["V1__create_t.sql"]


def test_plan_without_migrations(tmp_path):
    (tmp_path / "db").mkdir()
    proc = run_cli(["plan", "rename-column", "t.a", "b", "--path", "db", "--dialect", "postgres"], tmp_path)
    usage_error(proc, "no Flyway migrations")


def test_duplicate_version_with_the_same_file_name_in_two_folders_says_where(tmp_path):
    write_project(tmp_path, {"db/V1__init.sql": "CREATE TABLE t (a int);\n",
                             "db/old/V1__init.sql": "CREATE TABLE t (a int);\n"})
    proc = lint(tmp_path, "db", "--dialect", "postgres", "--format", "json")
    [f] = [f for f in findings(proc) if f["rule"] == "flyway-duplicate-version"]
    assert "(db/V1__init.sql, db/old/V1__init.sql)" in f["message"], f["message"]


def test_a_path_that_is_neither_folder_nor_file_is_a_usage_error(tmp_path):
    from conftest import run_cli

    proc = run_cli(["lint", "/dev/null", "--dialect", "postgres"], tmp_path, timeout=30)
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith("not a folder or a migration file: /dev/null")
