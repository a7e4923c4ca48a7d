"""Third audit of flylint on an unseen MySQL/MariaDB Flyway project (fixtures/unseen-mysql-saas, a
Laravel-style SaaS schema): every finding it must produce on MySQL 8.0 and MariaDB 10.11, exactly, and
one focused test for each thing the audit found wrong."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import FIXTURES, run_cli, write_project

_MIG = "src/main/resources/db/migration/"

# (rule, file, line, column, severity): the same on MySQL 8.0.35 and MariaDB 10.11 (measured there)
_EXPECTED = [
    ("table-rewrite", "V4__tenants_utf8mb4.sql", 2, 1, "warning"),            # CONVERT TO: COPY, LOCK=SHARED
    ("table-rewrite", "V6__invoices_total_cents.sql", 1, 1, "warning"),       # STORED generated column: COPY
    ("change-column-type", "V8__invoices_status_uncollectible.sql", 2, 1, "warning"),  # ENUM value mid-list: COPY
    ("rename-column", "V9__users_rename_name.sql", 1, 1, "error"),            # CHANGE name full_name
    ("rename-column", "V10__subscriptions_rename_status.sql", 1, 1, "error"),  # RENAME COLUMN
    ("set-not-null", "V11__users_timezone_required.sql", 2, 1, "warning"),    # MODIFY ... NOT NULL: INPLACE rebuild
    ("mysql-blocking-clause", "V13__audit_logs_index_action.sql", 1, 1, "warning"),  # ADD INDEX, LOCK=SHARED
    ("constraint-on-live-table", "V14__invoices_fk_tenant.sql", 1, 1, "warning"),  # FK, foreign_key_checks=1: COPY
    ("constraint-on-live-table", "V16__audit_logs_partition_key.sql", 2, 1, "warning"),  # PK replaced: rebuild
    ("drop-column", "V17__subscriptions_drop_quantity.sql", 1, 1, "error"),
    ("mysql-multiple-ddl", "V18__audit_triggers.sql", 13, 1, "warning"),      # trigger + procedure
    ("mysql-multiple-ddl", "V19__create_api_tokens.sql", 13, 1, "warning"),
    ("merge-alter-table", "V19__create_api_tokens.sql", 14, 1, "info"),
    ("drop-column", "V19__create_api_tokens.sql", 15, 1, "error"),
    ("unbatched-backfill", "V20__invoices_backfill_currency.sql", 6, 1, "warning"),
    ("table-rewrite", "V21__audit_logs_optimize.sql", 1, 1, "warning"),
    ("table-rewrite", "V23__usage_events_next_partition.sql", 1, 1, "warning"),  # REORGANIZE PARTITION
    ("destructive-data-change", "V23__usage_events_next_partition.sql", 5, 1, "error"),  # DROP PARTITION
    ("mysql-multiple-ddl", "V23__usage_events_next_partition.sql", 5, 1, "warning"),
    ("table-rewrite", "V24__audit_logs_partition.sql", 1, 1, "warning"),      # PARTITION BY on a live table
]


def _run(cwd, *args):
    proc = run_cli(["lint", *args, "--format", "json", "--no-cache", "--fail-on", "never"], cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("args,dialect,version", [
    ((), "mysql", "8.0.35"),  # dialect from jdbc:mysql:, version from flylint.toml
    (("--dialect", "mariadb", "--db-version", "10.11"), "mariadb", "10.11"),
])
def test_unseen_saas_project_every_finding(args, dialect, version):
    doc = _run(FIXTURES / "unseen-mysql-saas", *args)
    assert (doc["dialect"], doc["db_version"]) == (dialect, version)
    got = [(f["rule"], f["path"].removeprefix(_MIG), f["line"], f["column"], f["severity"]) for f in doc["findings"]]
    assert got == _EXPECTED
    by = {(f["rule"], f["path"].removeprefix(_MIG)): f for f in doc["findings"]}
    product = "MySQL 8.0.35" if dialect == "mysql" else "MariaDB 10.11"
    # quiet where the server does it online: ALGORITHM=INSTANT columns, JSON and VIRTUAL columns, ENUM
    # append, CREATE INDEX ... LOCK=NONE, FK with foreign_key_checks=0, the born api_tokens, the repeatable
    quiet = {"V2__users_add_two_factor_columns.sql", "V3__users_add_preferences.sql", "V5__users_email_domain.sql",
             "V7__users_role_billing.sql", "V12__invoices_index_status.sql", "V15__subscriptions_fk_tenant.sql",
             "V22__create_usage_events.sql", "R__reporting.sql"}
    assert not quiet & {p for _, p in by}
    assert all(f["rule"] != "lock-timeout" for f in doc["findings"])  # initSql in flyway.toml sets lock_wait_timeout
    v8 = by[("change-column-type", "V8__invoices_status_uncollectible.sql")]
    assert (f"inserts 'uncollectible' before 'paid', 'void': the values and their order are kept, but {product} "
            "copies the whole table invoices (ALGORITHM=COPY, LOCK=SHARED)") in v8["message"]
    assert "ORDER BY" not in v8["message"]
    v9 = by[("rename-column", "V9__users_rename_name.sql")]
    assert "(1) ALTER TABLE users ADD COLUMN full_name varchar(191); and deploy" in v9["fix"]
    v11 = by[("set-not-null", "V11__users_timezone_required.sql")]
    assert (f"{product} rebuilds the whole table users in place (ALGORITHM=INPLACE, LOCK=NONE): the live "
            "application keeps reading and writing users") in v11["message"]
    assert "UPDATE users SET timezone = 'UTC' WHERE timezone IS NULL" in v11["fix"]
    v16 = by[("constraint-on-live-table", "V16__audit_logs_partition_key.sql")]
    assert "it cannot fail on the data and no write starts failing, since (id) is already unique" in v16["message"]
    assert "(id) alone is no longer enforced unique once the old key is gone" in v16["message"]
    assert "duplicate" not in v16["fix"] and "COUNT(*)" not in v16["fix"]
    assert by[("constraint-on-live-table", "V14__invoices_fk_tenant.sql")]["fix"].startswith(
        "If the existing rows of invoices are known to be valid: SET foreign_key_checks = 0; ALTER TABLE invoices "
        "ADD CONSTRAINT invoices_tenant_id_foreign FOREIGN KEY (tenant_id) REFERENCES tenants (id);")


def test_unseen_saas_project_text_summary(tmp_path):
    proc = run_cli(["lint", "--no-cache", "--fail-on", "never"], cwd=FIXTURES / "unseen-mysql-saas")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert f"{_MIG}V16__audit_logs_partition_key.sql: relax: 2 neutral" in out
    assert "Found 5 errors, 14 warnings and 1 info in 25 migrations" in out


def test_unseen_saas_project_older_servers(tmp_path):
    shutil.copytree(FIXTURES / "unseen-mysql-saas", tmp_path / "p")
    # MySQL 8.0.28: INSTANT only for a column added last; one refusal for the one failing statement
    doc = _run(tmp_path / "p", "--db-version", "8.0.28")
    v2 = [f for f in doc["findings"] if f["path"].endswith("V2__users_add_two_factor_columns.sql")]
    assert [(f["rule"], f["line"]) for f in v2] == [("algorithm-refused", 1)]
    assert "It refuses ALGORITHM=INSTANT for adding column users.two_factor_recovery_codes in this statement too." \
        in v2[0]["message"]
    assert v2[0]["fix"].startswith("Leave out AFTER/FIRST so two_factor_secret and two_factor_recovery_codes are "
                                   "added as the last columns")
    # MariaDB 10.4: RENAME COLUMN does not exist yet
    doc = _run(tmp_path / "p", "--dialect", "mariadb", "--db-version", "10.4")
    assert ("version-gated-syntax", 1) in [(f["rule"], f["line"]) for f in doc["findings"]
                                           if f["path"].endswith("V10__subscriptions_rename_status.sql")]


# -- focused tests, one per fix -------------------------------------------------------------------


def _lint(tmp_path, files, dialect, version, *extra):
    write_project(tmp_path, files)
    return _run(tmp_path, ".", "--dialect", dialect, "--db-version", version, "--ignore", "lock-timeout",
                *extra)["findings"]


def test_a_key_that_contains_an_existing_unique_key_cannot_fail(tmp_path):
    # measured on MariaDB 10.11: DROP PRIMARY KEY, ADD PRIMARY KEY (id, created_at) is INPLACE, LOCK=NONE,
    # and afterwards INSERT of an existing id with another created_at succeeds (id no longer unique)
    base = ("CREATE TABLE logs (id bigint NOT NULL AUTO_INCREMENT, at datetime NOT NULL, note varchar(9),"
            " code varchar(9) NOT NULL, PRIMARY KEY (id), UNIQUE KEY logs_code (code));\n")
    for dialect, version in (("mysql", "8.0.35"), ("mariadb", "10.11")):
        found = _lint(tmp_path, {
            "V1__t.sql": base,
            "V2__pk.sql": "ALTER TABLE logs DROP PRIMARY KEY, ADD PRIMARY KEY (id, at);\n",
            "V3__uq.sql": "ALTER TABLE logs ADD CONSTRAINT logs_code_at UNIQUE (code, at);\n",
            "V4__uq.sql": "ALTER TABLE logs ADD CONSTRAINT logs_note UNIQUE (note, at);\n",
        }, dialect, version)
        v2, v3, v4 = found
        assert "it cannot fail on the data" in v2["message"] and "(id) alone is no longer enforced" in v2["message"]
        assert v2["fix"].startswith("Run it when the extra I/O is acceptable")
        # logs_code stays: nothing loses its uniqueness
        assert "it cannot fail on the data" in v3["message"] and "no longer" not in v3["message"]
        # (note, at) contains no unique key: it can find duplicates
        assert "it fails if logs has duplicate values in (note, at)" in v4["message"]


def test_a_primary_key_over_a_nullable_column_still_can_fail(tmp_path):
    found = _lint(tmp_path, {
        "V1__t.sql": "CREATE TABLE t (id bigint NOT NULL, x int NULL, UNIQUE KEY t_id (id));\n",
        "V2__pk.sql": "ALTER TABLE t ADD PRIMARY KEY (id, x);\n",
    }, "mysql", "8.0.35")
    assert "duplicate or NULL values in (id, x)" in found[0]["message"]


def test_enum_value_inserted_mid_list_is_not_called_a_reorder(tmp_path):
    files = {"V1__t.sql": "CREATE TABLE o (id bigint PRIMARY KEY, s enum('a','b','c') NOT NULL);\n",
             "V2__ins.sql": "ALTER TABLE o MODIFY s enum('a','x','b','c') NOT NULL;\n",
             "V3__swap.sql": "ALTER TABLE o MODIFY s enum('x','a','b','c') NOT NULL;\n"}
    ins, swap = _lint(tmp_path, files, "mysql", "8.0.35")
    assert "inserts 'x' before 'b', 'c': the values and their order are kept" in ins["message"]
    assert "numeric uses of s (s + 0, s = 2) change meaning" in ins["message"]
    assert "reorders the ENUM values" in swap["message"] and "ORDER BY s" in swap["message"]


def test_change_rename_fix_names_the_new_type(tmp_path):
    (f,) = _lint(tmp_path, {
        "V1__t.sql": "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(100) NOT NULL);\n",
        "V2__r.sql": "ALTER TABLE users CHANGE COLUMN name display_name varchar(120) NOT NULL;\n",
    }, "mariadb", "10.11", "--ignore", "change-column-type")
    assert f["rule"] == "rename-column"
    assert "ADD COLUMN display_name varchar(120); and deploy" in f["fix"] and "<type>" not in f["fix"]


def test_set_not_null_on_mysql_says_how_the_server_rebuilds_and_uses_the_default(tmp_path):
    files = {"V1__t.sql": "CREATE TABLE users (id bigint PRIMARY KEY, tz varchar(40) NULL, lang char(2) NULL);\n",
             "V2__nn.sql": "ALTER TABLE users MODIFY tz varchar(40) NOT NULL DEFAULT 'UTC';\n",
             "V3__nn.sql": "ALTER TABLE users MODIFY lang char(2) NOT NULL;\n"}
    tz, lang = _lint(tmp_path, files, "mysql", "8.0.35")
    assert ("MySQL 8.0.35 rebuilds the whole table users in place (ALGORITHM=INPLACE, LOCK=NONE): the live "
            "application keeps reading and writing users, but it takes time and I/O") in tz["message"]
    assert "UPDATE users SET tz = 'UTC' WHERE tz IS NULL" in tz["fix"]
    assert "UPDATE users SET lang = <value> WHERE lang IS NULL" in lang["fix"]
