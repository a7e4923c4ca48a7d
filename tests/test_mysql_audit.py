"""What an audit of flylint on unseen MySQL/MariaDB Flyway projects found wrong (fixtures/unseen-*):
each test is one finding of that audit, on a small project written here."""

from __future__ import annotations

import json

from conftest import run_cli, write_project


def _lint(tmp_path, files, dialect, version, *extra):
    write_project(tmp_path, files)
    proc = run_cli(["lint", ".", "--dialect", dialect, "--db-version", version, "--format", "json", "--no-cache",
                    "--fail-on", "never", *extra], tmp_path)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["findings"]


def _rules(found, path=None):
    return [(f["rule"], f["line"]) for f in found if path is None or f["path"].endswith(path)]


_ORDERS = ("CREATE TABLE `orders` (`id` bigint PRIMARY KEY, `state` enum('new','paid') NOT NULL DEFAULT 'new',\n"
           "  `total` decimal(12,2) NOT NULL);\n")


def test_database_of_the_url_is_the_schema_of_unqualified_names(tmp_path):
    # `shop`.`orders` and `orders` are one table when Flyway connects to jdbc:mysql://.../shop
    (tmp_path / "flyway.conf").write_text("flyway.url=jdbc:mysql://db:3306/shop?useSSL=true\nflyway.locations=filesystem:sql\n")
    found = _lint(tmp_path, {
        "sql/V1__orders.sql": _ORDERS,
        "sql/V2__refunded.sql": "SET SESSION lock_wait_timeout = 5;\n"
                                "ALTER TABLE `shop`.`orders` MODIFY `state` enum('new','paid','refunded') NOT NULL "
                                "DEFAULT 'new';\n",
        "sql/V3__relax.sql": "SET SESSION lock_wait_timeout = 5;\n"
                             "ALTER TABLE `shop`.`orders` MODIFY `total` decimal(12,2) NULL;\n",
    }, "mysql", "8.0.35")
    # appending an ENUM value is quiet; relaxing NOT NULL is only that, not a type change "from ?"
    assert _rules(found) == [("drop-not-null", 2)]


def test_mariadb_inet6_and_system_versioned_tables_are_analysed(tmp_path):
    found = _lint(tmp_path, {
        "V1__t.sql": "CREATE TABLE contacts (id bigint PRIMARY KEY, ip INET6 DEFAULT NULL, v4 INET4 NULL);\n",
        "V2__log.sql": "CREATE OR REPLACE TABLE activity (id bigint PRIMARY KEY, at datetime(6)) ENGINE=InnoDB "
                       "WITH SYSTEM VERSIONING;\n",
        "V3__ip.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE contacts MODIFY ip INET6 NOT NULL;\n",
    }, "mariadb", "10.11")
    assert _rules(found) == [("set-not-null", 2)]
    # MySQL has neither: the statement fails there, so it is not analysed as if it were fine
    found = _lint(tmp_path, {"V2__log.sql": "CREATE TABLE activity2 (id bigint PRIMARY KEY) WITH SYSTEM VERSIONING;\n",
                             "V3__ip.sql": "SELECT 1;\n"}, "mysql", "8.0.35")
    assert ("unanalysed-statement", 1) in _rules(found, "V2__log.sql")


def test_mariadb_set_statement_for_applies_its_settings_to_that_statement_only(tmp_path):
    files = {
        "V1__t.sql": "CREATE TABLE contacts (id bigint PRIMARY KEY);\n"
                     "CREATE TABLE deals (id bigint PRIMARY KEY, contact_id bigint NOT NULL, KEY k (contact_id));\n",
        "V2__fk.sql": "SET STATEMENT foreign_key_checks = 0, lock_wait_timeout = 5 FOR\n"
                      "ALTER TABLE deals ADD CONSTRAINT fk_deals_contact FOREIGN KEY (contact_id) REFERENCES contacts (id);\n"
                      "ALTER TABLE deals ADD COLUMN note varchar(20) NULL;\n",
    }
    found = _lint(tmp_path, files, "mariadb", "10.11", "--ignore", "mysql-multiple-ddl")
    # the FK is added without a table copy and with a bounded wait; the next ALTER has neither setting
    assert _rules(found) == [("lock-timeout", 3)]
    found = _lint(tmp_path, files, "mysql", "8.0.35", "--ignore", "mysql-multiple-ddl")
    assert ("unanalysed-statement", 1) in _rules(found)


def test_replacing_the_primary_key_in_one_alter_is_online_and_dropping_one_a_key_needs_fails(tmp_path):
    found = _lint(tmp_path, {
        "V1__t.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n"
                     "CREATE TABLE items (order_id bigint NOT NULL, line_no int NOT NULL, sku int NOT NULL, PRIMARY KEY (order_id, line_no),"
                     " CONSTRAINT fk_items_order FOREIGN KEY (order_id) REFERENCES orders (id));\n",
        "V2__pk.sql": "SET SESSION lock_wait_timeout = 5;\n"
                      "ALTER TABLE items DROP PRIMARY KEY, ADD PRIMARY KEY (order_id, line_no, sku);\n",
        "V3__pk.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE items DROP PRIMARY KEY;\n",
    }, "mariadb", "10.11", "--ignore", "missing-object")
    v2 = [f for f in found if f["path"].endswith("V2__pk.sql")]
    # verify.md §3 #26: INPLACE, LOCK=NONE: no "copies the whole table" next to "rebuilds ... in place"
    assert [f["rule"] for f in v2] == ["constraint-on-live-table"]
    assert "LOCK=NONE" in v2[0]["message"]
    # measured on MariaDB 10.11: errno 150, the foreign key needs the primary key's index
    v3 = [f for f in found if f["path"].endswith("V3__pk.sql")]
    # the statement fails, so its table copy never happens: no table-rewrite next to the error
    assert [f["rule"] for f in v3] == ["dependent-objects"]
    assert "needed by foreign key fk_items_order" in v3[0]["message"]


def test_a_table_with_a_fulltext_index_has_no_instant_columns(tmp_path):
    ft = ("CREATE TABLE posts (id bigint PRIMARY KEY, title varchar(200) NOT NULL, body text,\n"
          "  FULLTEXT KEY ft_posts (title, body)) ENGINE=InnoDB;\n"
          "CREATE TABLE tags (id bigint PRIMARY KEY, name varchar(50));\n")
    for dialect, version in (("mariadb", "10.11"), ("mysql", "8.0.35")):
        found = _lint(tmp_path, {
            "V1__t.sql": ft,
            "V2__add.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE posts ADD COLUMN excerpt varchar(500) NULL;\n",
            "V3__add.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE tags ADD COLUMN color varchar(7) NULL;\n",
            "V4__virt.sql": "SET SESSION lock_wait_timeout = 5;\n"
                            "ALTER TABLE posts ADD COLUMN title_len int AS (CHAR_LENGTH(title)) VIRTUAL;\n",
            "V5__inst.sql": "SET SESSION lock_wait_timeout = 5;\n"
                            "ALTER TABLE posts ADD COLUMN slug varchar(100) NULL, ALGORITHM=INSTANT;\n",
        }, dialect, version)
        assert _rules(found) == [("table-rewrite", 2), ("algorithm-refused", 2)], dialect
        assert "LOCK=SHARED" in found[0]["message"] and "writes to posts wait" in found[0]["message"]


def test_algorithm_instant_before_mysql_8_0_12_is_a_syntax_error(tmp_path):
    found = _lint(tmp_path, {
        "V1__t.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
        "V2__add.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE users ADD COLUMN nick varchar(20), ALGORITHM=INSTANT;\n",
    }, "mysql", "5.7")
    (f,) = found
    assert f["rule"] == "algorithm-refused"
    assert "ALGORITHM=INSTANT does not exist before MySQL 8.0.12 (error 1064" in f["message"]
    assert "1845" not in f["message"]


def test_enum_value_removed_or_reordered_says_so(tmp_path):
    found = _lint(tmp_path, {
        "V1__t.sql": _ORDERS.replace("'new','paid'", "'new','paid','cancelled'"),
        "V2__rm.sql": "SET SESSION lock_wait_timeout = 5;\n"
                      "ALTER TABLE orders MODIFY state enum('new','paid') NOT NULL DEFAULT 'new';\n",
        "V3__order.sql": "SET SESSION lock_wait_timeout = 5;\n"
                         "ALTER TABLE orders MODIFY state enum('paid','new','shipped') NOT NULL DEFAULT 'new';\n",
    }, "mysql", "8.0.35")
    rm, order = found
    assert (rm["rule"], rm["severity"]) == ("change-column-type", "error")
    assert "removes 'cancelled' from the ENUM" in rm["message"]
    assert "WHERE state = 'cancelled'" in rm["fix"]
    assert (order["rule"], order["severity"]) == ("change-column-type", "warning")
    assert "reorders the ENUM values" in order["message"] and "copies the whole table orders" in order["message"]
    assert order["fix"].startswith("Keep the existing order ('new', 'paid') and append 'shipped' at the end")


def test_the_rest_of_a_body_flyway_splits_is_reported_once_as_the_split(tmp_path):
    found = _lint(tmp_path, {
        "V1__trg.sql": "CREATE TABLE deals (id bigint PRIMARY KEY, stage varchar(20));\n"
                       "CREATE TABLE log (deal_id bigint);\n"
                       "CREATE OR REPLACE TRIGGER trg_deals_au AFTER UPDATE ON deals\nFOR EACH ROW\nBEGIN\n"
                       "  IF NEW.stage <> OLD.stage THEN\n    INSERT INTO log (deal_id) VALUES (NEW.id);\n"
                       "  END IF;\nEND;\n",
    }, "mariadb", "10.11", "--ignore", "mysql-multiple-ddl")
    # Flyway does not see CREATE OR REPLACE TRIGGER as a stored program and cuts it at the first ';':
    # one finding, not one more for each leftover END IF / END
    assert _rules(found) == [("flyway-split-pitfall", 3)]


def test_foreign_key_fix_names_the_referenced_table_and_columns(tmp_path):
    found = _lint(tmp_path, {
        "V1__t.sql": "CREATE TABLE products (id bigint PRIMARY KEY);\n"
                     "CREATE TABLE items (id bigint PRIMARY KEY, product_id bigint NOT NULL, KEY k (product_id));\n",
        "V2__fk.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE items ADD CONSTRAINT fk_items_product "
                      "FOREIGN KEY (product_id) REFERENCES products (id);\n",
    }, "mysql", "8.0.35")
    (f,) = found
    assert f["rule"] == "constraint-on-live-table"
    assert "FOREIGN KEY (product_id) REFERENCES products (id); SET foreign_key_checks = 1;" in f["fix"]


def test_init_sql_counts_only_the_lock_wait_timeout_itself(tmp_path):
    files = {"V1__t.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
             "V2__add.sql": "ALTER TABLE users ADD COLUMN nick varchar(20) NULL;\n"}
    # innodb_lock_wait_timeout bounds row-lock waits, not the metadata lock an ALTER waits for
    (tmp_path / "flyway.conf").write_text("flyway.initSql=SET SESSION innodb_lock_wait_timeout = 50\n")
    assert _rules(_lint(tmp_path, files, "mysql", "8.0.35")) == [("lock-timeout", 1)]
    (tmp_path / "flyway.conf").write_text("flyway.initSql=SET SESSION lock_wait_timeout = 0\n")
    assert _rules(_lint(tmp_path, files, "mariadb", "10.11")) == []  # MariaDB: fail at once, no wait
    (tmp_path / "flyway.conf").write_text("flyway.initSql=SET @@SESSION.lock_wait_timeout=5, NAMES utf8mb4\n")
    assert _rules(_lint(tmp_path, files, "mysql", "8.0.35")) == []
    # PostgreSQL: deadlock_timeout is not lock_timeout
    (tmp_path / "flyway.conf").write_text("flyway.initSql=SET deadlock_timeout = '1s'\n")
    pg = {"V1__t.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
          "V2__add.sql": "ALTER TABLE users ADD COLUMN nick text;\n"}
    assert ("lock-timeout", 1) in _rules(_lint(tmp_path, pg, "postgres", "15"))
    (tmp_path / "flyway.conf").write_text("flyway.initSql=SET lock_timeout = 0\n")
    assert ("lock-timeout", 1) in _rules(_lint(tmp_path, pg, "postgres", "15"))
    (tmp_path / "flyway.conf").write_text("flyway.initSql=SET lock_timeout TO '5s'\n")
    assert ("lock-timeout", 1) not in _rules(_lint(tmp_path, pg, "postgres", "15"))


def test_instant_column_with_a_position_before_8_0_29_is_fixed_by_adding_it_last(tmp_path):
    found = _lint(tmp_path, {
        "V1__t.sql": "CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(100));\n",
        "V2__add.sql": "SET SESSION lock_wait_timeout = 5;\n"
                       "ALTER TABLE customers ADD COLUMN phone varchar(32) NULL AFTER email, ALGORITHM=INSTANT;\n",
    }, "mysql", "8.0.28")
    (f,) = found
    assert f["rule"] == "algorithm-refused"
    assert f["fix"].startswith("Leave out AFTER/FIRST so phone is added as the last column: MySQL 8.0.28 does that "
                               "with ALGORITHM=INSTANT")
    assert _rules(_lint(tmp_path, {}, "mysql", "8.0.29")) == []


def test_type_change_copy_is_described_for_the_server_version(tmp_path):
    files = {"V1__t.sql": "CREATE TABLE deals (id bigint PRIMARY KEY, amount decimal(12,2) NOT NULL);\n",
             "V2__wider.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE deals MODIFY amount decimal(16,2) NOT NULL;\n"}
    (old,) = _lint(tmp_path, files, "mariadb", "10.11")
    assert "MariaDB 10.11 copies the whole table deals (ALGORITHM=COPY, LOCK=SHARED)" in old["message"]
    assert "its writes to deals wait" in old["message"]
    # MariaDB 11.2+ copies online: writes continue (verify.md §3, COPY with LOCK=NONE)
    (new,) = _lint(tmp_path, files, "mariadb", "11.4")
    assert "(ALGORITHM=COPY, LOCK=NONE) and the live application keeps reading and writing deals" in new["message"]


def test_without_a_configured_database_the_one_the_migrations_name_is_the_default(tmp_path):
    # the canonical rename, db-prefixed, with no url, defaultSchema or schemas to say the database
    found = _lint(tmp_path, {
        "V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, first_name varchar(255) NOT NULL,\n"
                        "  last_name varchar(255) NOT NULL);\n",
        "V2__Add_surname.sql": "ALTER TABLE `shop`.`users` ADD `surname` varchar(255);\n"
                               "UPDATE `shop`.`users` SET `shop`.`users`.`surname` = `shop`.`users`.`last_name`;\n",
        "V3__Final_migration.sql": "ALTER TABLE `shop`.`users` CHANGE COLUMN `last_name` `last_name` varchar(255) "
                                   "NULL DEFAULT NULL;\n",
        "V4__Remove_lastname.sql": "ALTER TABLE shop.users DROP COLUMN last_name;\n",
        "V5__other_db.sql": "CREATE DATABASE analytics;\nCREATE TABLE analytics.users (id bigint PRIMARY KEY);\n"
                            "ALTER TABLE analytics.users ADD COLUMN x int;\n",
    }, "mysql", "8.0.35", "--ignore", "lock-timeout", "--ignore", "mysql-multiple-ddl")
    assert [(f["rule"], f["path"]) for f in found] == [
        ("unbatched-backfill", "V2__Add_surname.sql"), ("drop-not-null", "V3__Final_migration.sql"),
        ("drop-column", "V4__Remove_lastname.sql")]
    assert found[2]["message"].startswith("Contract step of the rename users.last_name -> users.surname")


def test_partitioning_a_live_table_copies_it(tmp_path):
    layout = ("PARTITION BY RANGE (TO_DAYS(viewed_on)) (PARTITION p2024 VALUES LESS THAN (TO_DAYS('2025-01-01')),"
              " PARTITION pmax VALUES LESS THAN MAXVALUE)")
    for dialect, version in (("mariadb", "10.11"), ("mysql", "8.0.35")):
        found = _lint(tmp_path, {
            "V1__t.sql": "CREATE TABLE views (id bigint NOT NULL, viewed_on date NOT NULL, PRIMARY KEY (id, viewed_on));\n",
            "V2__part.sql": f"SET SESSION lock_wait_timeout = 5;\nALTER TABLE views {layout};\n",
            "V3__unpart.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE views REMOVE PARTITIONING;\n",
            "V4__new.sql": f"CREATE TABLE clicks (id bigint NOT NULL, viewed_on date NOT NULL, PRIMARY KEY (id, viewed_on));\n"
                           f"ALTER TABLE clicks {layout.replace('viewed_on', 'viewed_on')};\n",
        }, dialect, version, "--ignore", "mysql-multiple-ddl")
        assert [(f["rule"], f["path"]) for f in found] == [("table-rewrite", "V2__part.sql"),
                                                           ("table-rewrite", "V3__unpart.sql")], dialect
        assert "(ALGORITHM=COPY, LOCK=SHARED)" in found[0]["message"] and "views" in found[0]["message"]


def test_a_where_that_filters_nothing_is_a_whole_table_change(tmp_path):
    found = _lint(tmp_path, {
        "V1__t.sql": "CREATE TABLE users (id bigint PRIMARY KEY, status varchar(10));\n",
        "V2__all.sql": "UPDATE users SET status = 'x' WHERE 1=1;\n",
        "V3__all.sql": "DELETE FROM users WHERE 1;\n",
        "V4__some.sql": "UPDATE users SET status = 'y' WHERE id < 100;\nDELETE FROM users WHERE 0;\n"
                        "UPDATE users SET status = 'z' WHERE 1 <> 1;\n",
    }, "mysql", "8.0.35")
    assert _rules(found) == [("unbatched-backfill", 1), ("destructive-data-change", 1)]
    assert found[1]["message"].startswith("DELETE without a WHERE that filters rows removes every row of users")


def test_dropping_a_column_a_view_reads_breaks_the_view_on_mysql(tmp_path):
    # MariaDB 10.11 here: the DROP succeeds, then SELECT * FROM the view fails with error 1356
    found = _lint(tmp_path, {
        "V1__t.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100), nick varchar(20));\n"
                     "CREATE VIEW v_users AS SELECT id, email, nick FROM users;\n",
        "V2__d.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE users DROP COLUMN nick;\n",
        "V3__ok.sql": "SET SESSION lock_wait_timeout = 5;\nCREATE OR REPLACE VIEW v_users AS SELECT id FROM users;\n"
                      "ALTER TABLE users DROP COLUMN email;\n",
    }, "mariadb", "10.11", "--ignore", "mysql-multiple-ddl", "--ignore", "incompatible-schema-object-change")
    v2, v3 = found
    assert v2["rule"] == v3["rule"] == "drop-column"
    assert "view v_users still reads nick and fails on every query from then on (error 1356)" in v2["message"]
    assert v2["fix"].endswith("Recreate v_users without nick (CREATE OR REPLACE VIEW) before or in the same migration.")
    assert "view" not in v3["message"]


def test_renaming_a_column_a_view_reads_breaks_the_view_on_mysql(tmp_path):
    found = _lint(tmp_path, {
        "V1__t.sql": "CREATE TABLE users (id bigint PRIMARY KEY, nick varchar(20));\n"
                     "CREATE VIEW v_users AS SELECT id, nick FROM users;\n",
        "V2__r.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE users CHANGE nick handle varchar(20);\n",
    }, "mysql", "8.0.35")
    (f,) = found
    assert f["rule"] == "rename-column"
    assert "do not refuse the rename: view v_users still reads nick and fails" in f["message"]


def test_an_atomic_table_swap_does_not_rename_the_live_name_away(tmp_path):
    found = _lint(tmp_path, {
        "V1__t.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100));\n",
        "V2__shadow.sql": "CREATE TABLE users_new LIKE users;\nRENAME TABLE users TO users_old, users_new TO users;\n",
        "V3__plain.sql": "SET SESSION lock_wait_timeout = 5;\nRENAME TABLE users TO people;\n",
    }, "mysql", "8.0.35", "--ignore", "mysql-multiple-ddl", "--ignore", "lock-timeout")
    # `users` exists before and after the swap; users_new was born in the same migration
    assert _rules(found) == [("rename-table", 2)]
    assert found[0]["path"] == "V3__plain.sql"


def test_create_or_replace_table_on_a_live_table_drops_its_rows(tmp_path):
    found = _lint(tmp_path, {
        "V1__t.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100));\n",
        "V2__cor.sql": "SET SESSION lock_wait_timeout = 5;\n"
                       "CREATE OR REPLACE TABLE users (id bigint PRIMARY KEY, email varchar(200));\n",
        "V3__new.sql": "CREATE OR REPLACE TABLE audit (id bigint PRIMARY KEY);\n"
                       "CREATE OR REPLACE TABLE audit (id bigint PRIMARY KEY, at datetime);\n",
    }, "mariadb", "10.11", "--ignore", "mysql-multiple-ddl")
    (f,) = found
    assert (f["rule"], f["path"], f["line"]) == ("drop-table", "V2__cor.sql", 2)
    assert f["message"].startswith("CREATE OR REPLACE TABLE users drops the existing table users with all its rows")


def test_create_or_replace_table_is_mariadb_syntax(tmp_path):
    found = _lint(tmp_path, {"V1__t.sql": "CREATE OR REPLACE TABLE audit (id bigint PRIMARY KEY);\n"}, "mysql", "8.0.35")
    (f,) = found
    assert f["rule"] == "unanalysed-statement"
    assert "CREATE OR REPLACE TABLE is MariaDB syntax; MySQL rejects it" in f["message"]


def test_lock_wait_timeout_zero_bounds_the_wait_on_mariadb(tmp_path):
    found = _lint(tmp_path, {
        "V1__t.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
        "V2__add.sql": "SET SESSION lock_wait_timeout = 0;\nALTER TABLE users ADD COLUMN nick varchar(20) NULL;\n",
    }, "mariadb", "10.11")
    assert found == []  # 0: fail at once instead of waiting (SELECT @@lock_wait_timeout is 0 on MariaDB 10.11)


# ---- follow-ups of the audit ----------------------------------------------------------------------------------

_USERS = "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(100) NOT NULL DEFAULT '', n int, KEY users_n (n));\n"


def test_rename_column_fails_before_mysql_8_and_mariadb_10_5_with_the_change_column_alternative(tmp_path):
    files = {"V1__t.sql": _USERS,
             "V2__rn.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE users RENAME COLUMN name TO full_name;\n"}
    write_project(tmp_path, files)
    # no --db-version: the oldest supported MySQL (5.7) is below the gate, and the finding says it assumed it
    proc = run_cli(["lint", ".", "--dialect", "mysql", "--format", "json", "--no-cache", "--fail-on", "never"], tmp_path)
    (f,) = [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "version-gated-syntax"]
    assert (f["severity"], f["line"]) == ("error", 2)
    assert "the migration fails on MySQL 5.7" in f["message"] and "assuming MySQL 5.7" in f["message"]
    assert "CHANGE COLUMN name full_name varchar(100) NOT NULL DEFAULT ''" in f["fix"]
    for dialect, version in (("mysql", "5.7.44"), ("mariadb", "10.4")):
        found = _lint(tmp_path, files, dialect, version)
        assert ("version-gated-syntax", 2) in _rules(found), dialect
    for dialect, version in (("mysql", "8.0"), ("mysql", "8.0.35"), ("mariadb", "10.5"), ("mariadb", "10.11")):
        assert "version-gated-syntax" not in [f["rule"] for f in _lint(tmp_path, files, dialect, version)], version
    # a table born in the same migration: the statement still fails (a syntax error does not depend on the table)
    found = _lint(tmp_path, {"V1__t.sql": _USERS + "ALTER TABLE users RENAME COLUMN name TO full_name;\n",
                             "V2__rn.sql": "SELECT 1;\n"}, "mariadb", "10.4")
    assert _rules(found) == [("version-gated-syntax", 2)]
    # CHANGE COLUMN runs on every version
    found = _lint(tmp_path, {"V1__t.sql": _USERS + "ALTER TABLE users CHANGE name full_name varchar(100) NOT NULL;\n"},
                  "mysql", "5.7")
    assert "version-gated-syntax" not in [f["rule"] for f in found]


def test_rename_index_drop_constraint_and_drop_check_are_version_gated(tmp_path):
    files = {"V1__t.sql": _USERS.replace(");", ", UNIQUE KEY users_name (name), CONSTRAINT ck CHECK (n > 0));"),
             "V2__a.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE users RENAME INDEX users_name TO users_name2;\n",
             "V3__b.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE users DROP CHECK ck;\n",
             "V4__c.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE users DROP CONSTRAINT users_name2;\n"}
    found = _lint(tmp_path, files, "mariadb", "10.4")
    gated = [f for f in found if f["rule"] == "version-gated-syntax"]
    assert [f["path"][-9:] for f in gated] == ["V2__a.sql", "V3__b.sql"]
    assert "ADD UNIQUE INDEX users_name2 (name)" in gated[0]["fix"]
    assert "MariaDB has no ALTER TABLE ... DROP CHECK" in gated[1]["message"] and "DROP CONSTRAINT ck" in gated[1]["fix"]
    found = _lint(tmp_path, files, "mysql", "8.0.18")
    gated = [f for f in found if f["rule"] == "version-gated-syntax"]
    assert [f["path"][-9:] for f in gated] == ["V4__c.sql"]
    assert "DROP INDEX users_name2" in gated[0]["fix"]
    assert "version-gated-syntax" not in [f["rule"] for f in _lint(tmp_path, files, "mysql", "8.0.35")]


def test_a_statement_that_fails_carries_only_the_failure(tmp_path):
    # MariaDB: a refused ALGORITHM clause; the unique index (constraint-on-live-table) and the missing
    # lock_wait_timeout (lock-timeout) are about a statement that never runs
    files = {"V1__t.sql": _USERS,
             "V2__uq.sql": "ALTER TABLE users ADD UNIQUE INDEX users_name_uq (name), ALGORITHM=INSTANT;\n"}
    found = _lint(tmp_path, files, "mariadb", "10.11")
    assert _rules(found) == [("algorithm-refused", 1)]
    # without the refused clause the same statement runs, and what it does is reported
    files["V2__uq.sql"] = "ALTER TABLE users ADD UNIQUE INDEX users_name_uq (name);\n"
    assert sorted(_rules(_lint(tmp_path, files, "mariadb", "10.11"))) == [("constraint-on-live-table", 1),
                                                                         ("lock-timeout", 1)]
    # MySQL: a missing column; the other statement of the migration keeps its findings
    (tmp_path / "my").mkdir()
    found = _lint(tmp_path / "my", {"V1__t.sql": _USERS,
                                    "V2__x.sql": "ALTER TABLE users DROP COLUMN nickname;\nALTER TABLE users DROP COLUMN n;\n"},
                  "mysql", "8.0.35", "--ignore", "mysql-multiple-ddl", "--ignore", "merge-alter-table")
    # (lock-timeout, reported once per migration, goes to its first locking statement that does not fail)
    assert _rules(found) == [("missing-object", 1), ("drop-column", 2), ("lock-timeout", 2)]


def test_a_failing_statement_on_postgres_carries_only_the_failure(tmp_path):
    found = _lint(tmp_path, {"V1__t.sql": "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n",
                             "V2__x.sql": "ALTER TABLE users RENAME COLUMN nickname TO nick;\n"
                                          "ALTER TABLE users RENAME COLUMN name TO full_name;\n"}, "postgres", "15")
    rules = _rules(found)
    assert ("missing-object", 1) in rules and ("rename-column", 2) in rules
    assert [r for r in rules if r[1] == 1] == [("missing-object", 1)]


def test_dropping_the_fulltext_index_frees_rebuilds_but_not_instant_columns_until_a_rebuild(tmp_path):
    # measured on MariaDB 10.11.19: after DROP INDEX ft, ADD COLUMN ... ALGORITHM=INSTANT is refused (FTS_DOC_ID
    # stays), FORCE / MODIFY run INPLACE with LOCK=NONE, and after that rebuild INSTANT works again
    files = {
        "V1__t.sql": "CREATE TABLE posts (id bigint PRIMARY KEY, title varchar(200) NOT NULL, body text,\n"
                     "  FULLTEXT KEY ft_posts (title, body)) ENGINE=InnoDB;\n",
        "V2__drop.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE posts DROP INDEX ft_posts;\n",
        "V3__add.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE posts ADD COLUMN x1 int NULL, ALGORITHM=INSTANT;\n",
        "V4__force.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE posts FORCE;\n",
        "V5__add.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE posts ADD COLUMN x2 int NULL, ALGORITHM=INSTANT;\n",
    }
    for dialect, version in (("mariadb", "10.11"), ("mysql", "8.0.35")):
        found = _lint(tmp_path, files, dialect, version)
        assert [(f["rule"], f["path"][-13:]) for f in found] == [("algorithm-refused", "V3__add.sql"),
                                                                 ("table-rewrite", "V4__force.sql")], dialect
        assert "LOCK=NONE" in found[1]["message"] and "keeps reading and writing posts" in found[1]["message"]
    # while the FULLTEXT index exists the rebuild blocks writes (LOCK=SHARED)
    (tmp_path / "keep").mkdir()
    found = _lint(tmp_path / "keep", {"V1__t.sql": files["V1__t.sql"], "V4__force.sql": files["V4__force.sql"]},
                  "mariadb", "10.11")
    assert _rules(found) == [("table-rewrite", 2)] and "LOCK=SHARED" in found[0]["message"]
    # the same steps on a table born in the migration: nothing is live, nothing to say
    (tmp_path / "born").mkdir()
    found = _lint(tmp_path / "born", {"V1__t.sql": files["V1__t.sql"] + "ALTER TABLE posts DROP INDEX ft_posts;\n"
                                      "ALTER TABLE posts FORCE;\nALTER TABLE posts ADD COLUMN x2 int NULL, ALGORITHM=INSTANT;\n"},
                  "mariadb", "10.11", "--ignore", "mysql-multiple-ddl", "--ignore", "merge-alter-table")
    assert found == []


def test_changing_the_storage_engine_copies_the_table(tmp_path):
    # measured on MariaDB 10.11.19: ENGINE=MyISAM on an InnoDB table (and back, and MyISAM to MyISAM) refuses
    # ALGORITHM=INPLACE and LOCK=NONE: COPY with LOCK=SHARED; ENGINE=InnoDB on an InnoDB table rebuilds in place
    files = {"V1__t.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE logs (id bigint PRIMARY KEY) ENGINE=MyISAM;\n",
             "V2__e.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE users ENGINE=MyISAM;\n",
             "V3__e.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE logs ENGINE=InnoDB;\n",
             "V4__e.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE logs ENGINE=InnoDB;\n",
             "V5__e.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE users FORCE;\n"}
    for dialect, version in (("mariadb", "10.11"), ("mysql", "8.0.35")):
        found = {f["path"][-9:]: f["message"] for f in _lint(tmp_path, files, dialect, version)}
        assert sorted(found) == ["V2__e.sql", "V3__e.sql", "V4__e.sql", "V5__e.sql"], dialect
        assert "copies the whole table users (ALGORITHM=COPY, LOCK=SHARED)" in found["V2__e.sql"]
        assert "its writes to users wait" in found["V2__e.sql"]
        assert "copies the whole table logs (ALGORITHM=COPY, LOCK=SHARED)" in found["V3__e.sql"]
        assert "rebuilds the whole table logs in place (ALGORITHM=INPLACE, LOCK=NONE)" in found["V4__e.sql"]
        # users is MyISAM now: FORCE copies it too
        assert "copies the whole table users (ALGORITHM=COPY, LOCK=SHARED)" in found["V5__e.sql"]
    # a table born in the same migration: quiet
    (tmp_path / "born").mkdir()
    found = _lint(tmp_path / "born", {"V1__t.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n"
                                      "ALTER TABLE users ENGINE=MyISAM;\n"}, "mariadb", "10.11",
                  "--ignore", "mysql-multiple-ddl")
    assert found == []


_VIEWS = ("CREATE TABLE views (id bigint NOT NULL, viewed_on date NOT NULL, PRIMARY KEY (id, viewed_on))\n"
          "  PARTITION BY RANGE (TO_DAYS(viewed_on)) (PARTITION p2024 VALUES LESS THAN (TO_DAYS('2025-01-01')),\n"
          "  PARTITION pmax VALUES LESS THAN MAXVALUE);\n")
_REORG = ("ALTER TABLE views REORGANIZE PARTITION pmax INTO (PARTITION p2025 VALUES LESS THAN (TO_DAYS('2026-01-01')),"
          " PARTITION pmax VALUES LESS THAN MAXVALUE);\n")


def test_reorganize_and_rebuild_partition_copy_the_partitions_while_writes_wait(tmp_path):
    # MySQL manual: INPLACE, LOCK=SHARED at least; measured on MariaDB 10.11.19: new TABLE_IDs for the partitions
    # named only, an INSERT into another partition waited for the whole copy
    files = {"V1__t.sql": _VIEWS, "V2__reorg.sql": "SET SESSION lock_wait_timeout = 5;\n" + _REORG,
             "V3__rebuild.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE views REBUILD PARTITION p2024;\n"}
    for dialect, version in (("mariadb", "10.11"), ("mysql", "8.0.35")):
        found = _lint(tmp_path, files, dialect, version)
        assert _rules(found) == [("table-rewrite", 2), ("table-rewrite", 2)], dialect
        assert "copies the rows of partition pmax into new partitions (LOCK=SHARED)" in found[0]["message"]
        assert "its writes to views wait until it ends (in every partition" in found[0]["message"]
        assert "partition p2024" in found[1]["message"]
    (tmp_path / "born").mkdir()
    assert _lint(tmp_path / "born", {"V1__t.sql": _VIEWS + _REORG}, "mariadb", "10.11",
                 "--ignore", "mysql-multiple-ddl") == []


def test_lock_tables_write_blocks_reads_and_writes_until_unlock_tables(tmp_path):
    files = {"V1__t.sql": _USERS,
             "V2__fill.sql": "SET SESSION lock_wait_timeout = 5;\nLOCK TABLES users WRITE;\n"
                             "UPDATE users SET name = TRIM(name);\nUNLOCK TABLES;\nUPDATE users SET n = 0 WHERE n IS NULL;\n"}
    for dialect, version in (("mariadb", "10.11"), ("mysql", "8.0.35")):
        found = _lint(tmp_path, files, dialect, version, "--ignore", "unbatched-backfill")
        assert _rules(found) == [("backfill-under-lock", 3)], dialect
        assert "can neither read nor write users" in found[0]["message"]
    # without lock_wait_timeout, LOCK TABLES itself may queue behind open transactions: lock-timeout
    found = _lint(tmp_path, {"V2__fill.sql": "LOCK TABLES users WRITE;\nUPDATE users SET name = TRIM(name);\n"
                                             "UNLOCK TABLES;\n"}, "mysql", "8.0.35", "--ignore", "unbatched-backfill")
    assert _rules(found) == [("lock-timeout", 1), ("backfill-under-lock", 2)]


def test_srid_column_attribute_is_mysql_syntax(tmp_path):
    files = {"V1__t.sql": "CREATE TABLE places (id bigint PRIMARY KEY, pos POINT NOT NULL SRID 4326, SPATIAL INDEX sp (pos));\n",
             "V2__g.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE places ADD COLUMN g POINT SRID 4326;\n"}
    assert _lint(tmp_path, files, "mysql", "8.0.35") == []
    found = _lint(tmp_path, files, "mariadb", "10.11")
    # measured on MariaDB 10.11.19: ... NOT NULL SRID 4326 is error 1064
    assert [(f["rule"], f["path"][-9:]) for f in found] == [("unanalysed-statement", "V1__t.sql"),
                                                             ("unanalysed-statement", "V2__g.sql")]
    assert "SRID n is MySQL 8.0 syntax" in found[0]["message"]


def test_the_rule_reference_names_every_rule_that_says_a_statement_fails():
    from pathlib import Path

    from flylint.rules import FAILS

    intro = (Path(__file__).parent.parent / "docs" / "rules.md").read_text().split("| rule |")[0]
    assert all(f"`{rid}`" in intro for rid in FAILS)


def test_a_suppressed_failure_leaves_the_statement_its_other_findings(tmp_path):
    files = {"V1__t.sql": _USERS + "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint,\n"
                           "  CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id));\n",
             "V2__x.sql": "SET SESSION lock_wait_timeout = 5;\nDROP TABLE users;\n"}
    assert _rules(_lint(tmp_path, files, "mysql", "8.0.35")) == [("dependent-objects", 2)]
    # the user says the foreign key is gone (dropped by hand): the statement runs, and what it does counts
    files["V2__x.sql"] = ("SET SESSION lock_wait_timeout = 5;\n"
                          "-- flylint: ignore[dependent-objects] orders_user_fk was dropped by hand everywhere\n"
                          "DROP TABLE users;\n")
    assert _rules(_lint(tmp_path, files, "mysql", "8.0.35")) == [("drop-table", 3)]
