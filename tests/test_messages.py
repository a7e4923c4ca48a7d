"""Finding messages read as sentences: what the statement does to which table, what the live
application experiences, and the fix with the user's own names (real CLI runs)."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli, write_project

MY_INIT = ("CREATE TABLE users (id bigint NOT NULL, email varchar(100), age int, PRIMARY KEY (id));\n"
           "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n")
PG_INIT = "CREATE TABLE users (id bigint PRIMARY KEY, email text, age int);\n"


def lint(tmp_path, dialect, version, init, stmt, rule):
    files = {"V1__init.sql": init, "V2__change.sql": ("SET lock_timeout = '5s';\n" if dialect == "postgres" else "")
             + stmt + "\n"}
    write_project(tmp_path, files)
    args = ["lint", ".", "--dialect", dialect, "--format", "json", "--no-cache"]
    if version:
        args += ["--db-version", version]
    proc = run_cli(args, cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    return [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == rule]


def test_charset_conversion_is_a_sentence(tmp_path):
    (f,) = lint(tmp_path, "mysql", "8.0.35", MY_INIT, "ALTER TABLE users CONVERT TO CHARACTER SET utf8mb4;",
                "table-rewrite")
    assert f["message"] == (
        "Converting users to character set utf8mb4 copies the whole table users (ALGORITHM=COPY, LOCK=SHARED): "
        "the live application can still read users, but its writes to users wait until it ends, which takes "
        "time proportional to the size of users.")
    assert "gh-ost" in f["fix"] and "users is big" in f["fix"]
    assert "INPLACE, LOCK=NONE" not in f["fix"]  # that clause only makes this statement fail


def test_online_copy_on_mariadb_11_does_not_claim_the_application_waits(tmp_path):
    (f,) = lint(tmp_path, "mariadb", "11.4", MY_INIT, "ALTER TABLE users CONVERT TO CHARACTER SET utf8mb4;",
                "table-rewrite")
    assert "keeps reading and writing users" in f["message"]
    assert "wait until" not in f["message"] and "disk space" in f["message"]


def test_clause_that_causes_the_copy_is_named_with_what_the_server_would_do(tmp_path):
    found = lint(tmp_path, "mysql", "8.0.35", MY_INIT, "ALTER TABLE users DROP COLUMN age, LOCK=SHARED;",
                 "table-rewrite")
    (f,) = found
    assert f["message"].startswith("Dropping column users.age rebuilds the whole table users in place "
                                   "(ALGORITHM=INPLACE, LOCK=SHARED) because of LOCK=SHARED: ")
    assert "Without LOCK=SHARED, MySQL 8.0.35 changes only the metadata of users (ALGORITHM=INSTANT" in f["message"]
    assert f["fix"] == "Remove LOCK=SHARED from this statement."
    # one finding for one problem: mysql-blocking-clause leaves this rebuild to table-rewrite
    assert not lint(tmp_path, "mysql", "8.0.35", MY_INIT, "ALTER TABLE users DROP COLUMN age, LOCK=SHARED;",
                    "mysql-blocking-clause")


def test_postgres_rewrite_names_lock_and_effect(tmp_path):
    (f,) = lint(tmp_path, "postgres", "15", PG_INIT, "ALTER TABLE users ADD COLUMN n serial;", "table-rewrite")
    assert f["message"] == (
        "Adding column users.n rewrites the whole table users under an ACCESS EXCLUSIVE lock: the live "
        "application's reads and writes of users wait until the rewrite ends, which takes time proportional "
        "to the size of users.")
    assert "ADD COLUMN n integer;" in f["fix"] and "nextval" in f["fix"]  # not "ADD COLUMN n serial" again


def test_postgres_stored_generated_column_fix_is_not_a_default(tmp_path):
    (f,) = lint(tmp_path, "postgres", "15", PG_INIT,
                "ALTER TABLE users ADD COLUMN g int GENERATED ALWAYS AS (age * 2) STORED;", "table-rewrite")
    assert "trigger" in f["fix"] and "SET DEFAULT" not in f["fix"]


def test_algorithm_refused_says_why_and_what_works(tmp_path):
    (f,) = lint(tmp_path, "mysql", "8.0.35", MY_INIT, "ALTER TABLE users ADD INDEX users_email (email), "
                "ALGORITHM=INSTANT;", "algorithm-refused")
    assert f["message"].startswith("MySQL 8.0.35 refuses ALGORITHM=INSTANT for adding index users_email on users: ")
    assert "FULLTEXT" not in f["message"]  # the row's note about other index kinds is no reason here
    assert "The migration fails here; without the clause MySQL 8.0.35 builds the index in place" in f["message"]
    assert f["fix"].startswith("Write ALGORITHM=INPLACE, LOCK=NONE instead")


def test_algorithm_refused_for_a_change_that_always_copies(tmp_path):
    (f,) = lint(tmp_path, "mysql", "8.0.35", MY_INIT, "ALTER TABLE users MODIFY email varchar(50), "
                "ALGORITHM=INPLACE, LOCK=NONE;", "algorithm-refused")
    assert "copies the whole table users (ALGORITHM=COPY, LOCK=SHARED)" in f["message"]
    assert f["fix"].startswith("MySQL 8.0.35 cannot do this change online: remove ALGORITHM=INPLACE, LOCK=NONE "
                               "and plan the copy of users")


def test_instant_with_lock_clause(tmp_path):
    (f,) = lint(tmp_path, "mysql", "8.0.35", MY_INIT, "ALTER TABLE users ADD COLUMN n int, ALGORITHM=INSTANT, "
                "LOCK=NONE;", "algorithm-refused")
    assert f["fix"] == "Remove LOCK=NONE: an INSTANT change takes no LOCK clause."


def test_blocking_clause_on_instant_change_is_a_sentence(tmp_path):
    (f,) = lint(tmp_path, "mariadb", "10.11", MY_INIT, "ALTER TABLE users ADD COLUMN n int, LOCK=EXCLUSIVE;",
                "mysql-blocking-clause")
    assert f["message"] == (
        "Adding column users.n changes only the metadata of users (ALGORITHM=INSTANT, LOCK=EXCLUSIVE) because of "
        "LOCK=EXCLUSIVE: the live application's reads and writes of users wait until it ends. Without "
        "LOCK=EXCLUSIVE, MariaDB 10.11 changes only the metadata of users (ALGORITHM=INSTANT, LOCK=NONE) and the "
        "live application keeps reading and writing users.")


# ---- constraint-on-live-table: the lock each dialect really takes ----------------------------------------------

NOPK_MY = "CREATE TABLE nopk (id bigint NOT NULL, v int);\n"


def test_mysql_add_primary_key_is_an_online_rebuild_not_a_write_lock(tmp_path):
    (f,) = lint(tmp_path, "mariadb", "10.11", NOPK_MY, "ALTER TABLE nopk ADD PRIMARY KEY (id);",
                "constraint-on-live-table")
    assert "blocks the live application's writes" not in f["message"]
    assert f["message"].startswith(
        "Adding the primary key to nopk rebuilds the whole table nopk in place (ALGORITHM=INPLACE, LOCK=NONE): the "
        "live application keeps reading and writing nopk, but it takes time and I/O proportional to the size of "
        "nopk; it fails if nopk has duplicate or NULL values in (id)")
    assert "SELECT id, COUNT(*) FROM nopk GROUP BY id HAVING COUNT(*) > 1 and SELECT COUNT(*) FROM nopk WHERE id IS NULL" in f["fix"]


def test_mariadb_really_adds_a_primary_key_online(mysql_url):
    """The fact behind the message above, on the real server: INPLACE with LOCK=NONE is accepted and
    rebuilds the table; duplicates make it fail."""
    import pymysql

    from flylint.verify.url import parse_url

    u = parse_url(mysql_url)
    c = pymysql.connect(host=u.host or "127.0.0.1", port=u.port or 3306, user=u.user or "root",
                        password=u.password or "", database=u.database, autocommit=True)
    try:
        cur = c.cursor()
        cur.execute("DROP TABLE IF EXISTS flylint_words_pk")
        cur.execute("CREATE TABLE flylint_words_pk (id bigint NOT NULL, v int) ENGINE=InnoDB")
        cur.execute("INSERT INTO flylint_words_pk VALUES (1, 1), (2, 2)")
        cur.execute("ALTER TABLE flylint_words_pk ADD PRIMARY KEY (id), ALGORITHM=INPLACE, LOCK=NONE")
        cur.execute("ALTER TABLE flylint_words_pk DROP PRIMARY KEY")
        cur.execute("INSERT INTO flylint_words_pk VALUES (1, 3)")
        with pytest.raises(pymysql.err.IntegrityError):
            cur.execute("ALTER TABLE flylint_words_pk ADD PRIMARY KEY (id), ALGORITHM=INPLACE, LOCK=NONE")
    finally:
        c.cursor().execute("DROP TABLE IF EXISTS flylint_words_pk")
        c.close()


def test_mysql_check_before_8_0_16_is_not_enforced(tmp_path):
    (f,) = lint(tmp_path, "mysql", "5.7", MY_INIT, "ALTER TABLE users ADD CONSTRAINT users_age_positive CHECK (age > 0);",
                "constraint-on-live-table")
    assert f["message"].startswith("MySQL 5.7 parses CHECK constraints but ignores them: users_age_positive on users")
    assert f["fix"].startswith("Do not rely on users_age_positive")


def test_postgres_unique_blocks_reads_too_and_fk_locks_both_tables(tmp_path):
    (f,) = lint(tmp_path, "postgres", "15", PG_INIT, "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
                "constraint-on-live-table")
    assert "under an ACCESS EXCLUSIVE lock: the live application's reads and writes of users wait" in f["message"]
    (f,) = lint(tmp_path, "postgres", "15", PG_INIT + "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n",
                "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
                "constraint-on-live-table")
    assert ("under a SHARE ROW EXCLUSIVE lock (and locks users too): the live application can still read orders and "
            "users, but its writes to both wait") in f["message"]


# ---- names in fix SQL are quoted the way the dialect needs ---------------------------------------------------

def test_sql_name_quotes_only_what_needs_it():
    from flylint.rules.names import sql_name

    assert sql_name("postgres", "users") == "users"
    assert sql_name("postgres", "Order Items") == '"Order Items"'
    assert sql_name("postgres", "Qty") == '"Qty"'
    assert sql_name("postgres", "user") == '"user"'  # reserved
    assert sql_name("postgres", 'a"b') == '"a""b"'
    assert sql_name("mysql", "Users") == "Users"
    assert sql_name("mysql", "order-items") == "`order-items`"
    assert sql_name("mariadb", "order") == "`order`"
    assert sql_name("mysql", "a`b") == "`a``b`"


def _fixes(tmp_path, dialect, files, *extra):
    write_project(tmp_path, files)
    proc = run_cli(["lint", ".", "--dialect", dialect, "--format", "json", "--no-cache", *extra], cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    return {f["rule"]: f["fix"] for f in json.loads(proc.stdout)["findings"]}


def test_postgres_fix_sql_quotes_odd_names_and_runs(tmp_path, pg_url):
    fixes = _fixes(tmp_path, "postgres", {
        "V1__init.sql": 'CREATE TABLE "Order Items" ("Item Id" bigint PRIMARY KEY, "Qty" int, note text);\n',
        "V2__x.sql": "SET lock_timeout = '5s';\n"
                     'ALTER TABLE "Order Items" ALTER COLUMN note SET NOT NULL;\n'
                     'CREATE INDEX "Qty Idx" ON "Order Items" ("Qty");\n'
                     'ALTER TABLE "Order Items" ADD COLUMN "User" text NOT NULL;\n'
                     'ALTER TABLE "Order Items" DROP COLUMN "Qty";\n'})
    assert fixes["drop-column"].endswith('ALTER TABLE "Order Items" DROP COLUMN "Qty";')
    assert 'CREATE INDEX CONCURRENTLY "Qty Idx" ON "Order Items" ("Qty");' in fixes["index-without-concurrently"]
    assert 'ALTER TABLE "Order Items" ADD COLUMN "User" text;' in fixes["add-not-null-column"]
    assert 'ADD CONSTRAINT "Order Items_note_not_null" CHECK (note IS NOT NULL) NOT VALID' in fixes["set-not-null"]
    # the suggested SQL is valid: run it on the real server
    from flylint.verify.scratch import connect
    from flylint.verify.url import parse_url

    u = parse_url(pg_url)
    conn = connect(u, u.database or "postgres")
    try:
        cur = conn.cursor()
        cur.execute('DROP TABLE IF EXISTS "Order Items"')
        cur.execute('CREATE TABLE "Order Items" ("Item Id" bigint PRIMARY KEY, "Qty" int, note text)')
        cur.execute(fixes["drop-column"].rsplit(": ", 1)[1])
        cur.execute('ALTER TABLE "Order Items" ADD CONSTRAINT "Order Items_note_not_null" CHECK (note IS NOT NULL) '
                    "NOT VALID")
    finally:
        conn.rollback()
        conn.close()


def test_mysql_fix_sql_quotes_odd_names(tmp_path):
    files = {
        "V1__init.sql": "CREATE TABLE `order-items` (id bigint PRIMARY KEY, `qty-x` int, note varchar(10));\n",
        "V2__x.sql": "ALTER TABLE `order-items` DROP COLUMN `qty-x`;\n"
                     "ALTER TABLE `order-items` RENAME COLUMN note TO `the note`;\n"}
    fixes = _fixes(tmp_path, "mysql", files, "--db-version", "8.0.35")
    assert fixes["drop-column"].endswith("ALTER TABLE `order-items` DROP COLUMN `qty-x`;")
    assert "UPDATE `order-items` SET `the note` = note WHERE `the note` IS NULL" in fixes["rename-column"]
    # MySQL 5.7 (assumed without --db-version) has no RENAME COLUMN: the statement fails, CHANGE is the fix
    fixes = _fixes(tmp_path, "mysql", files)
    assert "rename-column" not in fixes
    assert "ALTER TABLE `order-items` CHANGE COLUMN note `the note` varchar(10) NULL;" in fixes["version-gated-syntax"]


def test_check_not_valid_alone_is_a_contract_step_counted_incompatible(tmp_path):
    write_project(tmp_path, {"V1__init.sql": PG_INIT,
                             "V2__check.sql": "SET lock_timeout = '5s';\nALTER TABLE users ADD CONSTRAINT "
                             "users_age_positive CHECK (age > 0) NOT VALID;\n"})
    proc = run_cli(["lint", ".", "--dialect", "postgres", "--format", "json", "--no-cache"], cwd=tmp_path)
    doc = json.loads(proc.stdout)
    (m,) = [m for m in doc["migrations"] if m["path"].endswith("V2__check.sql")]
    assert m["phase"] == "contract" and m["changes"]["incompatible"] == 1
