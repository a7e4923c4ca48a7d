"""`flylint validate` against a flyway_schema_history written the way Flyway writes it, and
`flylint checksum`."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli, write_project
from verify_helpers import invoke

from flylint.flyway.checksum import flyway_checksum
from flylint.verify.scratch import ScratchDatabase, connect
from flylint.verify.url import parse_url

PG_HISTORY = """CREATE TABLE "public"."flyway_schema_history" (
    "installed_rank" INT NOT NULL, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL, "script" VARCHAR(1000) NOT NULL, "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL, "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL, "success" BOOLEAN NOT NULL,
    CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank"))"""
MY_HISTORY = """CREATE TABLE `flyway_schema_history` (
    `installed_rank` INT NOT NULL, `version` VARCHAR(50), `description` VARCHAR(200) NOT NULL,
    `type` VARCHAR(20) NOT NULL, `script` VARCHAR(1000) NOT NULL, `checksum` INT,
    `installed_by` VARCHAR(100) NOT NULL, `installed_on` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    `execution_time` INT NOT NULL, `success` BOOL NOT NULL,
    CONSTRAINT `flyway_schema_history_pk` PRIMARY KEY (`installed_rank`)) ENGINE=InnoDB"""

FILES = {
    "V1__init.sql": "CREATE TABLE t (id int);\n",
    "V2__add.sql": "ALTER TABLE t ADD COLUMN b int; -- edited after it was applied\n",
    "V4__late.sql": "ALTER TABLE t ADD COLUMN d int;\n",
    "V6__six.sql": "ALTER TABLE t ADD COLUMN f int;\n",
    "V7__seven.sql": "ALTER TABLE t ADD COLUMN g int;\n",
    "V8__eight.sql": "ALTER TABLE t ADD COLUMN h int;\n",
    "R__views.sql": "CREATE OR REPLACE VIEW v AS SELECT id FROM t;\n",
}


def _rows():
    c = flyway_checksum
    return [  # (rank, version, description, type, script, checksum, success)
        (1, "1", "init", "SQL", "V1__init.sql", c(FILES["V1__init.sql"]), True),
        (2, "2", "add", "SQL", "V2__add.sql", c("ALTER TABLE t ADD COLUMN b int;\n"), True),
        (3, "3", "gone", "SQL", "V3__gone.sql", 12345, True),
        (4, "6", "six", "SQL", "V6__six.sql", c(FILES["V6__six.sql"]), True),
        (5, None, "views", "SQL", "R__views.sql", 999, True),
        (6, "7", "seven", "SQL", "V7__seven.sql", c(FILES["V7__seven.sql"]), False),
    ]


def _write_history(url: str, scratch_url):
    rows = _rows()
    if scratch_url.dialect == "postgres":
        with connect(scratch_url, scratch_url.database) as c:
            c.execute(PG_HISTORY)
            for r in rows:
                c.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, "
                          "checksum, installed_by, execution_time, success) VALUES (%s,%s,%s,%s,%s,%s,'flyway',5,%s)", r)
        return
    c = connect(scratch_url, scratch_url.database)
    try:
        with c.cursor() as cur:
            cur.execute(MY_HISTORY)
            for r in rows:
                cur.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, "
                            "checksum, installed_by, execution_time, success) VALUES (%s,%s,%s,%s,%s,%s,'flyway',5,%s)",
                            r)
    finally:
        c.close()


def _validate(tmp_path, url, *extra):
    r = invoke(tmp_path, ["validate", ".", "--database-url", url, "--format", "json", *extra])
    assert r.stdout.startswith("{"), r.stderr
    return r.exit_code, json.loads(r.stdout)


@pytest.mark.parametrize("server", ["pg", "mysql"])
def test_validate_like_flyway(tmp_path, request, server):
    url = request.getfixturevalue("pg_url" if server == "pg" else "mysql_url")
    write_project(tmp_path, FILES)
    with ScratchDatabase(parse_url(url)) as db:
        _write_history(url, db.url)
        u = db.url  # the test servers need no password
        target = f"{'postgresql' if u.dialect == 'postgres' else 'mysql'}://{u.user}@{u.host}:{u.port}/{db.name}"
        code, doc = _validate(tmp_path, target)
        by = {(f["rule"], f["path"]): f for f in doc["findings"]}
        assert code == 1
        mismatch = by[("validate-checksum", "V2__add.sql")]
        applied, local = _rows()[1][5], flyway_checksum(FILES["V2__add.sql"])
        assert f"applied to database: {applied}, resolved locally: {local}" in mismatch["message"]
        history = next(p for (r, p) in by if r == "validate-missing")
        assert history.endswith(".flyway_schema_history")
        assert "not resolved locally: 3" in by[("validate-missing", history)]["message"]
        assert by[("validate-failed", "V7__seven.sql")]["severity"] == "error"
        assert by[("validate-out-of-order", "V4__late.sql")]["severity"] == "error"
        assert by[("validate-pending", "V8__eight.sql")]["severity"] == "warning"
        assert "changed since it was applied" in by[("validate-pending", "R__views.sql")]["message"]
        assert ("validate-checksum", "V1__init.sql") not in by and ("validate-checksum", "V6__six.sql") not in by
        assert doc["history"]["rows"] == 6
        # Flyway's settings: outOfOrder and ignoreMigrationPatterns
        write_project(tmp_path, {"flyway.conf": "flyway.outOfOrder=true\n"
                                                "flyway.ignoreMigrationPatterns=*:missing,*:future\n"})
        code, doc = _validate(tmp_path, target)
        rules = {(f["rule"], f["path"]): f["severity"] for f in doc["findings"]}
        assert rules[("validate-out-of-order", "V4__late.sql")] == "warning"
        assert not any(r == "validate-missing" for r, _ in rules)
        # the text output
        p = run_cli(["validate", ".", "--database-url", target], cwd=tmp_path)  # the real process, text output
        assert "error[validate-checksum]" in p.stdout and p.returncode == 1


def test_validate_without_history_table_lists_everything_pending(tmp_path, pg_url):
    write_project(tmp_path, {"V1__init.sql": FILES["V1__init.sql"]})
    with ScratchDatabase(parse_url(pg_url)) as db:
        u = db.url
        code, doc = _validate(tmp_path, f"postgresql://{u.user}@{u.host}:{u.port}/{db.name}")
    assert doc["history"]["exists"] is False
    assert [(f["rule"], f["path"]) for f in doc["findings"]] == [("validate-pending", "V1__init.sql")]
    assert code == 0


def test_checksum_command(tmp_path):
    text = "CREATE TABLE t (id int);\r\nINSERT INTO t VALUES (1);\n"
    write_project(tmp_path, {"V1__init.sql": text, "notes.sql": "SELECT 1;\n"})
    p = run_cli(["checksum", "V1__init.sql", "notes.sql"], cwd=tmp_path)
    assert p.returncode == 0
    assert p.stdout.splitlines() == [f"{flyway_checksum(text)}\tV1__init.sql", f"{flyway_checksum('SELECT 1;')}\tnotes.sql"]
    lint = run_cli(["lint", ".", "--dialect", "postgres", "--format", "json", "--no-cache"], cwd=tmp_path)
    assert json.loads(lint.stdout)["migrations"][0]["checksum"] == flyway_checksum(text)
    p = run_cli(["checksum", "missing.sql"], cwd=tmp_path)
    assert p.returncode == 2 and "no such file" in p.stderr
