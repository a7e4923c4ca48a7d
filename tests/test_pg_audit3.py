"""Third PostgreSQL audit: an unseen multi-tenant marketplace project (fixtures/unseen-pg-marketplace),
every finding asserted exactly on PostgreSQL 15 (and without --db-version) and on 11, plus the fixes
the audit made: backfills whose WHERE only skips the rows already done, and DO blocks that COMMIT
inside Flyway's transaction."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, run_cli, write_project

ROOT = FIXTURES / "unseen-pg-marketplace"
M = "src/main/resources/db/migration/"

PG15 = [
    ("unanalysed-statement", M + "V1__baseline.sql", 4, "warning"),
    ("index-without-concurrently", M + "V2__buyers.sql", 12, "warning"),
    ("change-column-type", M + "V7__listings_price_bigint.sql", 3, "warning"),
    ("lock-timeout", M + "V8__sellers_legal_name_255.sql", 1, "warning"),
    ("unanalysed-statement", M + "V10__backfill_orders_currency.sql", 2, "warning"),
    ("unbatched-backfill", M + "V14__backfill_listings_headline.sql", 2, "warning"),
    ("drop-not-null", M + "V17__listings_title_nullable.sql", 3, "info"),
    ("drop-column", M + "V18__drop_orders_shipping_note.sql", 2, "error"),
    ("rename-column", M + "V19__buyers_email_address.sql", 2, "error"),
    ("drop-column", M + "V20__listings_drop_title.sql", 5, "error"),
    ("drop-table", M + "V22__drop_order_events_2026_01.sql", 2, "error"),
    ("lock-timeout", M + "V22__drop_order_events_2026_01.sql", 2, "warning"),
]
PG11 = sorted(PG15 + [
    # PostgreSQL 11 does not use the validated CHECK: SET NOT NULL scans under ACCESS EXCLUSIVE
    ("set-not-null", M + "V12__orders_currency_not_null.sql", 3, "warning"),
    # DETACH PARTITION ... CONCURRENTLY is PostgreSQL 14+
    ("flyway-concurrently-in-transaction", M + "V21__detach_order_events_2026_01.sql", 1, "error"),
])


def _run(root, *args):
    proc = run_cli(["lint", *args, "--format", "json", "--no-cache", "--fail-on", "never"], cwd=root)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["findings"]


@pytest.mark.parametrize("args,want", [(("--db-version", "15"), PG15), ((), PG15), (("--db-version", "11"), PG11)],
                         ids=["pg15", "no-version", "pg11"])
def test_marketplace_findings_exactly(args, want):
    found = _run(ROOT, *args)  # dialect and locations from flyway.toml
    assert sorted((f["rule"], f["path"], f["line"], f["severity"]) for f in found) == sorted(want)
    for f in found:
        assert f["column"] == 1, f
        line = (ROOT / f["path"]).read_text().splitlines()[f["line"] - 1]
        assert line.strip(), f
        for text in (f["message"], f["fix"] or ""):
            assert "(expression)" not in text and "None" not in text and "MySQL" not in text, f
        # defaultSchema = market: the fix SQL stays unqualified, as the migrations could write it
        assert "market." not in (f["fix"] or "") or f["rule"] == "index-without-concurrently", f


def test_marketplace_text_output_names_the_users_objects():
    proc = run_cli(["lint", "--db-version", "15", "--no-cache", "--fail-on", "never"], cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert f"{M}V14__backfill_listings_headline.sql:2:1: warning[unbatched-backfill] This UPDATE's WHERE only " \
           "skips rows whose headline is already set, but no migration has set headline since ADD COLUMN, so it " \
           "still matches every row of listings that existed then: it changes them all in one transaction" in out
    assert "UPDATE listings SET headline = ... WHERE headline IS NULL AND id > :last AND id <= :last + 5000" in out
    assert "ALTER TABLE buyers ADD COLUMN email_address varchar(254);" in out
    assert "CREATE INDEX CONCURRENTLY orders_tenant_id_created_at_idx ON market.orders (tenant_id, created_at DESC);" \
        in out
    assert f"{M}V20__listings_drop_title.sql: contract of listings.title -> headline" in out


def _lint(tmp_path, files, *args):
    write_project(tmp_path, files)
    return [(f["rule"], f["path"], f["line"], f["message"], f["fix"])
            for f in _run(tmp_path, ".", "--dialect", "postgres", *args)]


_USERS = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n"
_ADD = "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN contact text;\n"


@pytest.mark.parametrize("where", ["contact IS NULL", "(contact IS NULL)", "contact IS DISTINCT FROM email",
                                   "email <> contact", "contact IS NULL AND contact IS DISTINCT FROM email"])
def test_a_where_that_only_skips_rows_already_done_is_no_batch(tmp_path, where):
    found = _lint(tmp_path, {"V1__init.sql": _USERS, "V2__add.sql": _ADD,
                             "V3__fill.sql": f"UPDATE users SET contact = email WHERE {where};\n"}, "--db-version", "16")
    [(rule, path, line, message, fix)] = found
    assert (rule, path, line) == ("unbatched-backfill", "V3__fill.sql", 1)
    assert "no migration has set contact since ADD COLUMN, so it still matches every row of users" in message
    assert ("WHERE contact IS NULL AND id > :last" in fix) == ("IS NULL" in where)


@pytest.mark.parametrize("files", [
    # bounded by the key: one batch
    {"V3__fill.sql": "UPDATE users SET contact = email WHERE contact IS NULL AND id <= 10000;\n"},
    {"V3__fill.sql": "UPDATE users SET contact = email WHERE id IN (SELECT id FROM users WHERE contact IS NULL "
                     "LIMIT 5000);\n"},
    # a fix-up of the rows an earlier backfill left NULL (the seed's V4), not the backfill itself
    {"V3__fill.sql": "UPDATE users SET contact = email WHERE contact IS NULL AND id <= 10000;\n",
     "V4__rest.sql": "UPDATE users SET contact = '' WHERE contact IS NULL;\n"},
    # another column's condition bounds the rows
    {"V3__fill.sql": "UPDATE users SET contact = email WHERE contact IS NULL AND email LIKE '%@example.com';\n"},
], ids=["key-range", "limit-subquery", "after-a-backfill", "other-column"])
def test_bounded_or_follow_up_updates_stay_quiet(tmp_path, files):
    assert _lint(tmp_path, {"V1__init.sql": _USERS, "V2__add.sql": _ADD, **files}, "--db-version", "16") == []


@pytest.mark.parametrize("v2", [
    "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN contact text DEFAULT 'n/a';\n",  # rows hold the default
    "",  # a column from CREATE TABLE: which rows are NULL depends on what the application wrote
], ids=["default", "create-table"])
def test_null_guard_on_a_column_that_may_hold_values_is_not_called_whole(tmp_path, v2):
    init = _USERS if v2 else "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, contact text);\n"
    files = {"V1__init.sql": init, "V3__fill.sql": "UPDATE users SET contact = email WHERE contact IS NULL;\n"}
    if v2:
        files["V2__add.sql"] = v2
    assert _lint(tmp_path, files, "--db-version", "16") == []


def test_quoted_column_names_are_matched_by_their_key(tmp_path):
    found = _lint(tmp_path, {
        "V1__init.sql": 'CREATE TABLE "Users" ("Id" bigint PRIMARY KEY, "Email" text);\n',
        "V2__add.sql": "SET lock_timeout = '2s';\nALTER TABLE \"Users\" ADD COLUMN \"Contact\" text;\n",
        "V3__fill.sql": 'UPDATE "Users" SET "Contact" = "Email" WHERE "Contact" IS NULL;\n',
    }, "--db-version", "16")
    [(rule, _, _, message, fix)] = found
    assert rule == "unbatched-backfill" and "no migration has set Contact since ADD COLUMN" in message
    assert 'UPDATE "Users" SET "Contact" = ... WHERE "Contact" IS NULL AND "Id" > :last' in fix


_LOOP = ("DO $$\nDECLARE n integer;\nBEGIN\n  LOOP\n    UPDATE users SET email = lower(email)\n"
         "     WHERE id IN (SELECT id FROM users WHERE email <> lower(email) LIMIT 5000);\n"
         "    GET DIAGNOSTICS n = ROW_COUNT;\n    EXIT WHEN n = 0;\n    COMMIT;\n  END LOOP;\nEND\n$$;\n")


def test_do_block_that_commits_inside_flyways_transaction_fails(tmp_path):
    files = {"V1__init.sql": _USERS, "V2__fill.sql": _LOOP}
    found = _lint(tmp_path, files, "--db-version", "15")
    assert [(r, p, ln) for r, p, ln, _, _ in found] == [("flyway-commit-in-transaction", "V2__fill.sql", 1),
                                                         ("unanalysed-statement", "V2__fill.sql", 1)]
    [(_, _, _, message, fix)] = [f for f in found if f[0] == "flyway-commit-in-transaction"]
    assert message.startswith("Flyway runs V2__fill.sql inside a transaction, and PostgreSQL refuses the COMMIT")
    assert fix.startswith("Create V2__fill.sql.conf containing executeInTransaction=false")
    # outside a transaction it is the batched backfill it means to be: only the DO block itself is reported
    files["V2__fill.sql.conf"] = "executeInTransaction=false\n"
    assert [f[0] for f in _lint(tmp_path, files, "--db-version", "15")] == ["unanalysed-statement"]
    # before PostgreSQL 11, PL/pgSQL has no COMMIT at all
    [(_, _, _, message, _)] = [f for f in _lint(tmp_path, files, "--db-version", "10")
                               if f[0] == "flyway-commit-in-transaction"]
    assert "only since PostgreSQL 11: PostgreSQL 10 refuses it" in message


def test_transaction_control_is_found_in_the_body_not_in_its_strings_or_comments():
    from flylint.sql.pg_ext import plpgsql_transaction_control as control

    assert control("BEGIN PERFORM 1; COMMIT; END") == "COMMIT"
    assert control("BEGIN IF done THEN ROLLBACK; END IF; END") == "ROLLBACK"
    assert control("BEGIN LOOP COMMIT AND CHAIN; END LOOP; END") == "COMMIT"
    for body in ("BEGIN RAISE NOTICE 'COMMIT;'; END", "BEGIN -- COMMIT;\n PERFORM 1; END",
                 "BEGIN /* ROLLBACK; */ PERFORM 1; END", "BEGIN PERFORM commit_batch(); END",
                 "DECLARE commit int; BEGIN commit := 1; END", "BEGIN EXECUTE $q$COMMIT;$q$; END"):
        assert control(body) is None, body
