"""PostgreSQL follow-ups of the audit on unseen projects: materialized view refreshes, REINDEX
CONCURRENTLY before PostgreSQL 12, enum values read as text, lock_timeout set in the Flyway url,
the class of changes to objects born in the same migration, and defaults shown as written."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli, write_project


def _run(tmp_path, files, *args, fmt="json"):
    root = tmp_path / f"p{len(list(tmp_path.iterdir()))}"  # a fresh project each time
    write_project(root, files)
    proc = run_cli(["lint", ".", "--dialect", "postgres", "--format", fmt, "--no-cache", "--fail-on", "never", *args],
                   root)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout) if fmt == "json" else proc.stdout


def _found(tmp_path, files, *args, rule=None):
    doc = _run(tmp_path, files, *args)
    return [(f["rule"], f["path"], f["line"], f["severity"], f["message"], f["fix"]) for f in doc["findings"]
            if rule is None or f["rule"] == rule]


# -- 1. REFRESH MATERIALIZED VIEW --------------------------------------------------------------

_MV = ("CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, amount numeric);\n"
       "CREATE MATERIALIZED VIEW order_totals AS SELECT user_id, sum(amount) AS total FROM orders GROUP BY user_id;\n")
_KEY = "CREATE UNIQUE INDEX order_totals_user_id ON order_totals (user_id);\n"


def test_refresh_of_a_live_materialized_view_without_concurrently_is_reported_with_the_concurrent_form(tmp_path):
    found = _found(tmp_path, {
        "V1__init.sql": _MV + _KEY,
        "V2__refresh.sql": "SET lock_timeout = '5s';\nREFRESH MATERIALIZED VIEW order_totals;\n",
    }, "--db-version", "15")
    [(rule, path, line, severity, message, fix)] = found
    assert (rule, path, line, severity) == ("refresh-materialized-view", "V2__refresh.sql", 2, "warning")
    assert "ACCESS EXCLUSIVE lock on it until the migration commits" in message
    assert "every query of the live application on order_totals waits" in message
    assert fix.startswith("REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;")
    assert "executeInTransaction" not in fix  # it runs inside a transaction block (measured on PostgreSQL 15)


def test_refresh_without_a_lock_timeout_is_also_a_lock_queue_risk(tmp_path):
    found = _found(tmp_path, {"V1__init.sql": _MV + _KEY, "V2__refresh.sql": "REFRESH MATERIALIZED VIEW order_totals;\n"})
    assert sorted(f[0] for f in found) == ["lock-timeout", "refresh-materialized-view"]
    # the concurrent form does not make readers queue (EXCLUSIVE): no lock_timeout needed
    found = _found(tmp_path, {"V1__init.sql": _MV + _KEY,
                              "V2__refresh.sql": "REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;\n"})
    assert found == []


def test_refresh_of_a_view_born_in_the_same_migration_is_quiet(tmp_path):
    files = {"V1__init.sql": _MV.replace(" GROUP BY user_id;", " GROUP BY user_id WITH NO DATA;") + _KEY
             + "REFRESH MATERIALIZED VIEW order_totals;\n"}
    assert _found(tmp_path, files) == []
    files = {"V1__init.sql": _MV + "REFRESH MATERIALIZED VIEW order_totals;\n"}
    assert _found(tmp_path, files) == []


def test_an_index_on_a_materialized_view_does_not_block_its_readers(tmp_path):
    # CREATE INDEX takes SHARE on the view: only REFRESH waits; a view born in the migration is not live at all
    found = _found(tmp_path, {"V1__init.sql": _MV + _KEY,
                              "V2__idx.sql": "CREATE INDEX order_totals_total ON order_totals (total);\n"})
    assert found == []


def test_refresh_concurrently_that_postgres_refuses_is_an_error(tmp_path):
    [f] = _found(tmp_path, {"V1__init.sql": _MV, "V2__refresh.sql": "REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;\n"})
    assert (f[0], f[3]) == ("refresh-materialized-view", "error") and "no unique index" in f[4]
    assert "CREATE UNIQUE INDEX order_totals_key ON order_totals" in f[5]
    [f] = _found(tmp_path, {
        "V1__init.sql": _MV.replace(" GROUP BY user_id;", " GROUP BY user_id WITH NO DATA;") + _KEY,
        "V2__refresh.sql": "REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;\n"})
    assert (f[0], f[3]) == ("refresh-materialized-view", "error") and "not populated" in f[4]
    # an unpopulated view cannot be read: refreshing it without CONCURRENTLY blocks no one
    assert _found(tmp_path, {
        "V1__init.sql": _MV.replace(" GROUP BY user_id;", " GROUP BY user_id WITH NO DATA;") + _KEY,
        "V2__refresh.sql": "SET lock_timeout = '5s';\nREFRESH MATERIALIZED VIEW order_totals;\n"}) == []


def test_refresh_findings_match_postgres(tmp_path, pg_url):
    """What the rule says is what PostgreSQL 15 does: a reader waits behind REFRESH, not behind
    REFRESH CONCURRENTLY, which runs inside a transaction block."""
    from flylint.verify.scratch import ScratchDatabase, connect
    from flylint.verify.url import parse_url

    with ScratchDatabase(parse_url(pg_url), watchdog=False) as db:
        with connect(db.url, db.url.database) as c:
            c.autocommit = True
            for sql in _MV.splitlines() + _KEY.splitlines():
                c.execute(sql)
            c.execute("INSERT INTO orders SELECT g, g % 10, g FROM generate_series(1, 1000) g")
            c.execute("REFRESH MATERIALIZED VIEW order_totals")
        outcome = {}
        for form in ("", "CONCURRENTLY "):
            holder = connect(db.url, db.url.database, autocommit=False)
            holder.execute(f"REFRESH MATERIALIZED VIEW {form}order_totals")  # inside the driver's transaction
            modes = {r[0] for r in holder.execute(
                "SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() AND relation = 'order_totals'::regclass")}
            reader = connect(db.url, db.url.database)
            reader.autocommit = True
            reader.execute("SET lock_timeout = '200ms'")
            try:
                reader.execute("SELECT count(*) FROM order_totals").fetchone()
                outcome[form] = ("read", modes)
            except Exception as e:  # noqa: BLE001 - the lock timeout
                outcome[form] = (type(e).__name__, modes)
            finally:
                reader.close()
                holder.rollback()
                holder.close()
        assert outcome[""][0] == "LockNotAvailable" and "AccessExclusiveLock" in outcome[""][1]
        assert outcome["CONCURRENTLY "][0] == "read" and "AccessExclusiveLock" not in outcome["CONCURRENTLY "][1]


# -- 2. REINDEX CONCURRENTLY before PostgreSQL 12 ----------------------------------------------

_IDX = "CREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE INDEX users_email_idx ON users (email);\n"


@pytest.mark.parametrize("conf", [False, True])
def test_reindex_concurrently_on_postgres_11_says_it_needs_12(tmp_path, conf):
    files = {"V1__init.sql": _IDX, "V2__reindex.sql": "REINDEX INDEX CONCURRENTLY users_email_idx;\n"}
    if conf:
        files["V2__reindex.sql.conf"] = "executeInTransaction=false\n"
    [(rule, path, line, severity, message, fix)] = _found(tmp_path, files, "--db-version", "11")
    assert (rule, path, line, severity) == ("flyway-concurrently-in-transaction", "V2__reindex.sql", 1, "error")
    assert message.startswith("REINDEX ... CONCURRENTLY needs PostgreSQL 12+: PostgreSQL 11 rejects this statement")
    assert "transaction" not in message.split(":")[0]
    assert "CREATE INDEX CONCURRENTLY users_email_idx_new" in fix and "DROP INDEX CONCURRENTLY users_email_idx;" in fix


def test_reindex_concurrently_on_postgres_12_is_about_the_transaction_only(tmp_path):
    files = {"V1__init.sql": _IDX, "V2__reindex.sql": "REINDEX INDEX CONCURRENTLY users_email_idx;\n"}
    [f] = _found(tmp_path, files, "--db-version", "12")
    assert f[4].startswith("Flyway runs V2__reindex.sql inside a transaction")
    [f] = _found(tmp_path, files)  # no --db-version: the oldest supported version (12) has it
    assert f[4].startswith("Flyway runs V2__reindex.sql inside a transaction")
    files["V2__reindex.sql.conf"] = "executeInTransaction=false\n"
    assert _found(tmp_path, files, "--db-version", "12") == []


def test_plain_reindex_of_a_live_index_is_reported_with_the_version_s_way_out(tmp_path):
    files = {"V1__init.sql": _IDX, "V2__reindex.sql": "SET lock_timeout = '5s';\nREINDEX INDEX users_email_idx;\n"}
    [f] = _found(tmp_path, files, "--db-version", "15")
    assert (f[0], f[2]) == ("index-without-concurrently", 2)
    assert "SHARE lock on users" in f[4] and "almost all its reads of users" in f[4]
    assert f[5].startswith("REINDEX INDEX CONCURRENTLY users_email_idx; alone in its own migration")
    [f] = _found(tmp_path, files, "--db-version", "11")
    assert f[5].startswith("PostgreSQL 11 has no REINDEX ... CONCURRENTLY")
    assert _found(tmp_path, {"V1__init.sql": _IDX + "REINDEX TABLE users;\n"}) == []


def test_detach_concurrently_on_postgres_13_says_it_needs_14(tmp_path):
    parts = ("CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);\n"
             "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n")
    files = {"V1__init.sql": parts, "V2__detach.sql": "ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;\n",
             "V2__detach.sql.conf": "executeInTransaction=false\n"}
    [f] = _found(tmp_path, files, "--db-version", "13")
    assert f[0] == "flyway-concurrently-in-transaction"
    assert f[4].startswith("DETACH PARTITION ... CONCURRENTLY needs PostgreSQL 14+: PostgreSQL 13 rejects")
    assert _found(tmp_path, files, "--db-version", "14") == []
    assert _found(tmp_path, files) == []  # without --db-version, detach-partition recommends this very form


# -- 3. enum values read as text -------------------------------------------------------------

_ENUM = "CREATE TYPE mood AS ENUM ('sad', 'happy');\nCREATE TABLE t (id int, m mood, note text);\n"
# (statement after ALTER TYPE mood ADD VALUE 'calm' in the same transaction, PostgreSQL refuses it)
_ENUM_CASES = [
    ("SELECT count(*) FROM t WHERE m::text = 'calm'", False),
    ("SELECT count(*) FROM t WHERE 'calm' = CAST(m AS varchar)", False),
    ("SELECT count(*) FROM t WHERE m::text IN ('calm', 'x')", False),
    ("SELECT count(*) FROM t WHERE lower(m::text) = 'calm'", False),
    ("SELECT count(*) FROM t WHERE m::text = ANY(ARRAY['calm'])", False),
    ("SELECT count(*) FROM t WHERE m::text LIKE 'calm%'", False),
    ("SELECT count(*) FROM t WHERE m::text = 'calm' OR m = 'sad'", False),
    ("SELECT 'calm'::text", False),
    ("SELECT 1 /* 'calm' */", False),
    ("SELECT count(*) FROM t WHERE m = 'calm'", True),
    ("UPDATE t SET m = 'calm' WHERE id = 1", True),
    ("INSERT INTO t VALUES (2, 'calm')", True),
    ("INSERT INTO t SELECT 3, 'calm'", True),
    ("SELECT count(*) FROM t WHERE m IN ('calm')", True),
    ("SELECT 'calm'::mood", True),
    ("SELECT count(*) FROM t WHERE m::text::mood = 'calm'", True),
    ("SELECT count(*) FROM t WHERE m::text = 'calm' OR m = 'calm'", True),
    ("UPDATE t SET m = CASE WHEN id = 1 THEN 'calm' ELSE m END", True),
    ("DO $$ BEGIN UPDATE t SET m = 'calm'; END $$", True),
    # the literal written to or compared with a text column is text (measured on PostgreSQL 15.20)
    ("UPDATE t SET note = 'calm' WHERE id = 1", False),
    ("INSERT INTO t (id, note) VALUES (2, 'calm')", False),
    ("INSERT INTO t VALUES (2, NULL, 'calm')", False),
    ("INSERT INTO t (id, note) SELECT 5, 'calm'", False),
    ("UPDATE t SET note = coalesce(note, 'calm')", False),
    ("UPDATE t SET note = CASE WHEN id = 1 THEN 'calm' END", False),
    ("SELECT count(*) FROM t WHERE note = ANY('{calm}')", False),
    ("UPDATE t SET m = NULL WHERE note = 'calm'", False),
    ("UPDATE t SET note = 'calm', m = 'sad'", False),
    ("SELECT 'calm' || m FROM t", False),
    ("COMMENT ON TABLE t IS 'calm'", False),
    ("SELECT enum_range('sad'::mood, 'happy'::mood)", False),
    ("SELECT enum_first(NULL::mood)", False),  # 'calm' is appended: the first value is an old one
    # ... and used as the enum type
    ("SELECT count(*) FROM t WHERE m = ANY('{calm}')", True),
    ("SELECT CAST('calm' AS mood)", True),
    ("SELECT ('calm'::text)::mood", True),
    ("SELECT 'calm' < 'happy'::mood", True),
    ("SELECT coalesce(m, 'calm') FROM t", True),
    ("INSERT INTO t (id, m) VALUES (2, 'calm')", True),
    ("ALTER TABLE t ALTER COLUMN m SET DEFAULT 'calm'", True),
    ("ALTER TABLE t ADD CONSTRAINT t_m_calm CHECK (m <> 'calm')", True),
    ("ALTER TABLE t ADD COLUMN m2 mood DEFAULT 'calm'", True),
    # the whole type, without naming the value
    ("SELECT enum_range(NULL::mood)", True),
    ("SELECT unnest(enum_range(NULL::mood))", True),
    ("SELECT enum_last(NULL::mood)", True),
    ("SELECT enum_range(m) FROM (VALUES ('sad'::mood)) AS v (m)", True),
]


@pytest.mark.parametrize("sql,refused", _ENUM_CASES, ids=[c[0] for c in _ENUM_CASES])
def test_enum_value_used_only_where_postgres_would_refuse_it(tmp_path, sql, refused):
    found = _found(tmp_path, {"V1__init.sql": _ENUM, "V2__calm.sql": f"ALTER TYPE mood ADD VALUE 'calm';\n{sql};\n"},
                   rule="enum-value-used-in-transaction")
    assert [(f[1], f[2]) for f in found] == ([("V2__calm.sql", 2)] if refused else [])
    # the type born in the same migration: the value is there from CREATE TYPE's point of view too
    found = _found(tmp_path, {"V1__init.sql": _ENUM + f"ALTER TYPE mood ADD VALUE 'calm';\n{sql};\n"},
                   rule="enum-value-used-in-transaction")
    assert bool(found) == refused  # PostgreSQL refuses it on a type created in the transaction too (below)


def test_enum_cases_are_what_postgres_does(pg_url):
    from flylint.verify.scratch import ScratchDatabase, connect
    from flylint.verify.url import parse_url

    with ScratchDatabase(parse_url(pg_url), watchdog=False) as db:
        with connect(db.url, db.url.database) as c:
            c.autocommit = True
            for sql in _ENUM.splitlines():
                c.execute(sql)
        got = []
        for sql, _ in _ENUM_CASES:
            c = connect(db.url, db.url.database, autocommit=False)
            try:
                c.execute("ALTER TYPE mood ADD VALUE 'calm'")
                try:
                    c.execute(sql)
                    got.append((sql, False))
                except Exception as e:  # noqa: BLE001
                    assert "unsafe use of new value" in str(e), (sql, e)
                    got.append((sql, True))
            finally:
                c.rollback()
                c.close()
        assert got == _ENUM_CASES
        c = connect(db.url, db.url.database, autocommit=False)
        try:
            c.execute("CREATE TYPE fresh AS ENUM ('a')")
            c.execute("ALTER TYPE fresh ADD VALUE 'b'")
            with pytest.raises(Exception, match="unsafe use of new value"):
                c.execute("SELECT 'b'::fresh")
        finally:
            c.rollback()
            c.close()


# -- 5. the class of changes to objects born in the same migration ------------------------------

def test_changes_to_a_table_born_in_the_migration_count_as_additive(tmp_path):
    files = {
        "V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
        "V2__orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, code text);\n"
                          "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n"
                          "ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE (code);\n"
                          "ALTER TABLE orders RENAME COLUMN code TO reference;\n"
                          "CREATE TABLE scratch (id int);\nDROP TABLE scratch;\n",
        # the same kinds of change on a live table stay incompatible
        "V3__live.sql": "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN email text;\n"
                        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);\n",
    }
    doc = _run(tmp_path, files)
    changes = {m["path"]: (m["changes"], m["phase"]) for m in doc["migrations"]}
    assert changes["V2__orders.sql"] == ({"additive": 5, "neutral": 1}, "expand")
    assert changes["V3__live.sql"] == ({"additive": 1, "incompatible": 1, "neutral": 1}, "contract")
    text = _run(tmp_path, files, fmt="text")
    assert "V2__orders.sql: expand: 5 additive, 1 neutral\n" in text
    assert "V3__live.sql: contract: 1 additive, 1 incompatible, 1 neutral\n" in text


# -- 4. lock_timeout / statement_timeout in the Flyway url's options ---------------------------

_ADD = {"V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
        "V2__add.sql": "ALTER TABLE users ADD COLUMN name text;\n"}


@pytest.mark.parametrize("config", [
    ("flyway.conf", "flyway.url=jdbc:postgresql://db.internal:5432/app?options=-c%20lock_timeout%3D5s\n"),
    ("flyway.conf", "flyway.url=jdbc:postgresql://db.internal/app?user=app&options=-c lock_timeout=5s\n"),
    ("flyway.toml", '[environments.default]\nurl = "jdbc:postgresql://db.internal/app?options=-clock_timeout%3D2s"\n'),
    ("flyway.toml", '[environments.default]\n'
                    'url = "jdbc:postgresql://db.internal/app?options=--lock-timeout%3D2s+-c+statement_timeout%3D0"\n'),
], ids=["conf-encoded", "conf-plain", "toml-c", "toml-long-form"])
def test_lock_timeout_in_the_url_options_counts_for_every_migration(tmp_path, config):
    name, text = config
    assert _found(tmp_path, {**_ADD, name: text}) == []


@pytest.mark.parametrize("text", [
    "flyway.url=jdbc:postgresql://db.internal/app\n",
    "flyway.url=jdbc:postgresql://db.internal/app?options=-c%20lock_timeout%3D0\n",  # 0: no limit
    "flyway.url=jdbc:postgresql://db.internal/app?options=-c%20statement_timeout%3D5s\n",  # not the lock wait
], ids=["no-options", "zero", "other-setting"])
def test_url_without_a_lock_timeout_still_reports(tmp_path, text):
    assert [f[0] for f in _found(tmp_path, {**_ADD, "flyway.conf": text})] == ["lock-timeout"]


def test_set_lock_timeout_zero_in_the_migration_overrides_the_url(tmp_path):
    files = {**_ADD, "V2__add.sql": "SET lock_timeout = 0;\nALTER TABLE users ADD COLUMN name text;\n",
             "flyway.conf": "flyway.url=jdbc:postgresql://db.internal/app?options=-c%20lock_timeout%3D5s\n"}
    [f] = _found(tmp_path, files)
    assert f[0] == "lock-timeout" and "lock_timeout is 0" in f[4]
    files["V2__add.sql"] = "SET lock_timeout = 0;\nRESET lock_timeout;\nALTER TABLE users ADD COLUMN name text;\n"
    assert _found(tmp_path, files) == []  # RESET goes back to the connection's value, the url's


def test_statement_timeout_in_the_url_options_is_seen(tmp_path):
    files = {"V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
             "V2__idx.sql": "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n",
             "flyway.conf": "flyway.url=jdbc:postgresql://db.internal/app?options=-c%20statement_timeout%3D5s\n"}
    [f] = _found(tmp_path, files)
    assert f[0] == "statement-timeout" and "statement_timeout is 5s here (set by the options of Flyway's url)" in f[4]
    files["flyway.conf"] += "flyway.initSql=SET statement_timeout = 0\n"  # initSql runs after: it wins
    assert _found(tmp_path, files) == []


def test_url_session_settings_parsing():
    from flylint.flyway.config import url_session_settings as settings

    assert settings("jdbc:postgresql://h/db?options=-c%20lock_timeout%3D5s%20-c%20statement_timeout%3D1min") == {
        "lock_timeout": "5s", "statement_timeout": "1min"}
    assert settings("jdbc:postgresql://h/db?options=-c%20search_path%3Da\\%20b") == {"search_path": "a b"}
    assert settings("jdbc:postgresql://h/db?sslmode=require") == {}
    assert settings("jdbc:mysql://h/db?sessionVariables=lock_wait_timeout=5,sql_mode='A,B'") == {
        "lock_wait_timeout": "5", "sql_mode": "'A,B'"}
    assert settings(None) == {} and settings("jdbc:sqlserver://h;lock_timeout=5") == {}


# -- 6. the default as the user wrote it --------------------------------------------------------

def _dropped_default(tmp_path, init, alter="ALTER TABLE users ALTER COLUMN {col} DROP DEFAULT;\n", col="active",
                     dialect="postgres"):
    files = {"V1__init.sql": init, "V2__drop.sql": alter.format(col=col)}
    root = tmp_path / f"p{len(list(tmp_path.iterdir()))}"
    write_project(root, files)
    proc = run_cli(["lint", ".", "--dialect", dialect, "--format", "json", "--no-cache", "--fail-on", "never"], root)
    [message] = [f["message"] for f in json.loads(proc.stdout)["findings"] if f["rule"] == "drop-default"]
    return message.split("relied on its default (", 1)[1].rsplit("); without it", 1)[0]


@pytest.mark.parametrize("init,col,shown", [
    ("CREATE TABLE users (id bigint, active boolean NOT NULL DEFAULT false);\n", "active", "false"),
    ("CREATE TABLE users (id bigint, active boolean DEFAULT false, other boolean DEFAULT FALSE);\n", "other", "FALSE"),
    ("CREATE TABLE users (id bigint, created timestamptz DEFAULT now() NOT NULL);\n", "created", "now()"),
    ("CREATE TABLE users (id bigint, status text DEFAULT 'new'::text NOT NULL);\n", "status", "'new'::text"),
    ("CREATE TABLE users (id bigint, \"Score\" numeric default (1 +  2) * 3);\n", '"Score"', "(1 +  2) * 3"),
    ("CREATE TABLE users (id bigint, active boolean);\nALTER TABLE users ALTER COLUMN active SET DEFAULT true;\n",
     "active", "true"),
    ("CREATE TABLE users (id bigint, active boolean DEFAULT false);\nALTER TABLE users ADD COLUMN flag boolean "
     "DEFAULT true;\n", "flag", "true"),
])
def test_drop_default_shows_the_default_as_written(tmp_path, init, col, shown):
    assert _dropped_default(tmp_path, init, col=col) == shown


def test_drop_default_shows_the_default_as_written_on_mysql(tmp_path):
    init = "CREATE TABLE users (id bigint, status varchar(20) NOT NULL default 'active' COMMENT 'state');\n"
    assert _dropped_default(tmp_path, init, col="status", dialect="mysql") == "'active'"
    modify = "ALTER TABLE users MODIFY status varchar(20) NOT NULL;\n"
    init = "CREATE TABLE users (id bigint, status varchar(20) NOT NULL);\n" \
           "ALTER TABLE users MODIFY status varchar(20) NOT NULL DEFAULT b'1';\n"
    assert _dropped_default(tmp_path, init, alter=modify, col="status", dialect="mysql") == "b'1'"


def test_refresh_of_something_that_is_not_a_materialized_view_is_only_a_failing_statement(tmp_path):
    found = _found(tmp_path, {
        "V1__init.sql": "CREATE TABLE t (id int);\nCREATE VIEW v AS SELECT id FROM t;\n"
                        "CREATE MATERIALIZED VIEW gone AS SELECT id FROM t;\n",
        "V2__drop.sql": "DROP MATERIALIZED VIEW gone;\n",
        "V3__refresh.sql": "REFRESH MATERIALIZED VIEW v;\nREFRESH MATERIALIZED VIEW t;\nREFRESH MATERIALIZED VIEW gone;\n",
    })
    assert [(f[0], f[1], f[2]) for f in found if f[1] == "V3__refresh.sql"] == [
        ("missing-object", "V3__refresh.sql", 1), ("missing-object", "V3__refresh.sql", 2),
        ("missing-object", "V3__refresh.sql", 3)]
