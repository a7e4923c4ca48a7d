"""flylint verify on a real MariaDB/MySQL: the server's own answer on how online each ALTER is."""

from __future__ import annotations

import shutil

from conftest import FIXTURES, write_project
from verify_helpers import scratch_exists, trace_of, verify_json

INIT = """CREATE TABLE users (id int PRIMARY KEY, name varchar(50), score int) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO users VALUES (1, 'Ada', 3);
"""


def test_instant_copy_and_inplace_answers(tmp_path, mysql_url):
    write_project(tmp_path, {
        "V1__init.sql": INIT,
        "V2__add.sql": "ALTER TABLE users ADD COLUMN nickname varchar(50);\n",
        "V3__type.sql": "ALTER TABLE users MODIFY score BIGINT;\n",
        "V4__index.sql": "CREATE INDEX users_name_idx ON users (name);\n",
        "V5__drop_index.sql": "DROP INDEX users_name_idx ON users;\n",
        "V6__not_null.sql": "ALTER TABLE users MODIFY name varchar(50) NOT NULL;\n",
        "V7__charset.sql": "ALTER TABLE users CONVERT TO CHARACTER SET utf8mb4;\n",  # already utf8mb4
    })
    code, doc, proc = verify_json(tmp_path, mysql_url)
    assert doc is not None, proc.stderr
    mariadb = doc["verify"]["server"].startswith("MariaDB")
    add = trace_of(doc, "V2__")
    assert (add["algorithm"], add["lock"], add["rewrite"], add["blocks"]) == ("INSTANT", None, [], "none")
    assert "DDL commits implicitly" in add["note"]
    copy = trace_of(doc, "V3__")
    assert (copy["algorithm"], copy["rewrite"], copy["blocks"]) == ("COPY", ["users"], "writes")
    index = trace_of(doc, "V4__")
    assert index["algorithm"] == ("NOCOPY" if mariadb else "INPLACE") and index["rewrite"] == []
    assert trace_of(doc, "V5__")["algorithm"] in ("NOCOPY", "INSTANT", "INPLACE")
    nn = trace_of(doc, "V6__")
    assert (nn["algorithm"], nn["lock"], nn["rewrite"]) == ("INPLACE", "NONE", ["users"])
    rewrites = {f["path"]: f for f in doc["findings"] if f["rule"] == "table-rewrite"}
    # V3's copy is one fact: change-column-type says it ("copies the whole table users") and carries the
    # measurement; no second table-rewrite finding repeats it
    assert "V3__type.sql" not in rewrites
    widen = next(f for f in doc["findings"] if f["rule"] == "change-column-type" and f["path"] == "V3__type.sql")
    assert "copies the whole table users" in widen["message"] and "rewrote users" in widen["message"]
    assert "V2__add.sql" not in rewrites
    # the static rule expects a table copy; the server did it without one: measured wins
    charset = rewrites["V7__charset.sql"]
    assert charset["severity"] == "info" and charset["message"].startswith("measured: no rewrite on ")
    assert not scratch_exists(mysql_url, doc["verify"]["database"])


def test_failed_migration_leaves_committed_ddl(tmp_path, mysql_url):
    write_project(tmp_path, {
        "V1__init.sql": INIT,
        "V2__twice.sql": "ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD COLUMN a int;\n",
    })
    code, doc, _ = verify_json(tmp_path, mysql_url)
    failed = [f for f in doc["findings"] if f["rule"] == "verify-failed"]
    assert len(failed) == 1 and failed[0]["line"] == 2
    assert "1060" in failed[0]["message"] and "stays applied" in failed[0]["message"]
    assert code == 1


def test_seed_scenario_measured(tmp_path, mysql_url):
    shutil.copytree(FIXTURES / "rename-last-name" / "mysql", tmp_path / "m")
    code, doc, proc = verify_json(tmp_path / "m", mysql_url)
    assert doc is not None, proc.stderr
    assert [t["error"] for t in doc["trace"]] == [None] * 10
    assert trace_of(doc, "V2__", 1)["algorithm"] == "INSTANT"  # ADD surname
    relax = trace_of(doc, "V3__", 2)  # MODIFY last_name ... NULL: rebuilt online
    assert (relax["algorithm"], relax["lock"], relax["rewrite"]) == ("INPLACE", "NONE", ["users"])
    assert trace_of(doc, "V4__", 1)["algorithm"] == "INSTANT"  # DROP last_name
    rules = {(f["path"], f["rule"]) for f in doc["findings"]}
    assert ("V4__Remove_lastname.sql", "drop-column") in rules
    assert "sql_mode" in doc["verify"] and "STRICT" in doc["verify"]["sql_mode"]


def test_app_queries_strict_mode_and_execution(tmp_path, mysql_url):
    write_project(tmp_path, {
        "m/V1__init.sql": INIT,
        "m/V2__email.sql": "ALTER TABLE users ADD COLUMN email varchar(100) NOT NULL;\n",
        "m/V3__drop.sql": "ALTER TABLE users DROP COLUMN score;\n",
        "queries.sql": "SELECT id, name, score FROM users WHERE id = ?;\n"
                       "INSERT INTO users (id, name) VALUES (7, 'Grace');\n",
    })
    code, doc, _ = verify_json(tmp_path / "m", mysql_url, "--app-queries", "../queries.sql", "--execute-queries")
    broken = {f["message"].split(" after ")[0]: f for f in doc["findings"] if f["rule"] == "verify-app-query"}
    assert len(broken) == 2, doc["findings"]
    select = next(f for k, f in broken.items() if "queries.sql:1" in k)
    assert select["path"] == "V3__drop.sql" and "1054" in select["message"] and "no longer prepares" in select["message"]
    insert = next(f for k, f in broken.items() if "queries.sql:2" in k)
    assert insert["path"] == "V2__email.sql" and "1364" in insert["message"]
    # non-strict SQL mode: MariaDB stores '' and only warns
    code, doc, _ = verify_json(tmp_path / "m", mysql_url, "--app-queries", "../queries.sql", "--execute-queries",
                               "--sql-mode", "")
    paths = [f["path"] for f in doc["findings"] if f["rule"] == "verify-app-query"]
    assert paths == ["V3__drop.sql"]


def test_seeded_rows_do_not_collide_with_reference_data(tmp_path, mysql_url):
    write_project(tmp_path, {
        "V1__init.sql": "CREATE TABLE status (id int AUTO_INCREMENT PRIMARY KEY, code varchar(20) NOT NULL UNIQUE, "
                        "rank tinyint NOT NULL);\n",
        "V2__data.sql": "INSERT INTO status (id, code, rank) VALUES (1, 'new', 1), (2, 'done', 2);\n"
                        "INSERT INTO status (code, rank) VALUES ('later', 3);\n",
    })
    code, doc, proc = verify_json(tmp_path, mysql_url)
    assert not [f for f in doc["findings"] if f["rule"] == "verify-failed"], proc.stdout
    assert "before V2__data.sql: seeded 1 row into status" in doc["verify"]["notes"]
