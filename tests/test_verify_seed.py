"""verify's seed rows never fail a migration by themselves: they satisfy every foreign key the
database has and every one a later migration adds (real PostgreSQL and MariaDB/MySQL servers)."""

from __future__ import annotations

import shutil

from conftest import FIXTURES, write_project
from verify_helpers import trace_of, verify_json


def _failed(doc) -> list[str]:
    return [f"{f['path']}: {f['message']}" for f in doc["findings"] if f["rule"] == "verify-failed"]


def _notes(doc) -> list[str]:
    return doc["verify"]["notes"]


# --- PostgreSQL -------------------------------------------------------------------------------------

def test_pg_foreign_key_added_later_over_seeded_rows(tmp_path, pg_url):
    write_project(tmp_path, {
        "V1__init.sql": "CREATE TABLE accounts (id bigserial PRIMARY KEY, name text NOT NULL);\n"
                        "CREATE TABLE posts (id bigserial PRIMARY KEY, account_id bigint NOT NULL, title text NOT NULL);\n",
        "V2__fk.sql": "ALTER TABLE posts ADD CONSTRAINT posts_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);\n",
    })
    for rows in ("1", "3"):
        code, doc, proc = verify_json(tmp_path, pg_url, "--seed-rows", rows)
        assert doc is not None, proc.stderr
        assert _failed(doc) == [], rows
        assert {f"before V2__fk.sql: seeded {rows} row{'s' if rows != '1' else ''} into {t}"
                for t in ("accounts", "posts")} <= set(_notes(doc))
        assert trace_of(doc, "V2__")["error"] is None


def test_pg_parent_created_after_the_seeded_child(tmp_path, pg_url):
    # posts is seeded before V2 creates accounts: its key takes the value accounts' row gets before V3
    write_project(tmp_path, {
        "V1__posts.sql": "CREATE TABLE posts (id bigint PRIMARY KEY, account_id bigint NOT NULL);\n",
        "V2__accounts.sql": "CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                            "name text NOT NULL);\n",
        "V3__fk.sql": "ALTER TABLE posts ADD FOREIGN KEY (account_id) REFERENCES accounts;\n",
    })
    code, doc, proc = verify_json(tmp_path, pg_url, "--seed-rows", "2")
    assert _failed(doc) == [], proc.stdout
    assert "before V2__accounts.sql: seeded 2 rows into posts" in _notes(doc)
    assert "before V3__fk.sql: seeded 2 rows into accounts" in _notes(doc)


def test_pg_reference_data_uuid_keys_composite_and_self_references(tmp_path, pg_url):
    write_project(tmp_path, {
        "V1__init.sql":
            "CREATE TABLE status (id int PRIMARY KEY, code text NOT NULL);\n"
            "INSERT INTO status VALUES (1, 'new'), (2, 'done');\n"
            "CREATE TABLE orgs (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text);\n"
            "CREATE TABLE regions (country char(2) NOT NULL, code text NOT NULL, PRIMARY KEY (country, code));\n"
            "CREATE TABLE nodes (id bigint PRIMARY KEY, parent_id bigint NOT NULL REFERENCES nodes);\n"
            "CREATE TABLE tickets (id bigserial PRIMARY KEY, status_id int NOT NULL, org_id uuid NOT NULL,\n"
            "  country char(2) NOT NULL, region text NOT NULL);\n",
        "V2__fks.sql":
            "ALTER TABLE tickets ADD FOREIGN KEY (status_id) REFERENCES status (id),\n"
            "  ADD FOREIGN KEY (org_id) REFERENCES orgs,\n"
            "  ADD FOREIGN KEY (country, region) REFERENCES regions (country, code);\n",
    })
    code, doc, proc = verify_json(tmp_path, pg_url, "--seed-rows", "2")
    assert _failed(doc) == [], proc.stdout
    seeded = {n.split(": ", 1)[1] for n in _notes(doc) if n.startswith("before V2__fks.sql")}
    assert seeded == {f"seeded 2 rows into {t}" for t in ("orgs", "regions", "nodes", "tickets")}  # status has rows


def test_pg_child_left_empty_when_its_parent_cannot_be_seeded(tmp_path, pg_url):
    write_project(tmp_path, {
        "V1__init.sql": "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL CHECK (name LIKE 'acct-%'));\n"
                        "CREATE TABLE posts (id bigint PRIMARY KEY, account_id bigint NOT NULL);\n",
        "V2__fk.sql": "ALTER TABLE posts ADD FOREIGN KEY (account_id) REFERENCES accounts;\n",
    })
    code, doc, proc = verify_json(tmp_path, pg_url)
    assert _failed(doc) == [], proc.stdout
    notes = _notes(doc)
    assert any(n.startswith("before V2__fk.sql: could not seed accounts: ") and "check" in n for n in notes), notes
    assert any(n.startswith("before V2__fk.sql: could not seed posts: its foreign key (account_id) (added by a "
                            "later migration) references accounts, which has no row to reference") for n in notes)


# --- MariaDB / MySQL --------------------------------------------------------------------------------

def test_mysql_foreign_key_added_later_over_seeded_rows(tmp_path, mysql_url):
    write_project(tmp_path, {
        "V1__init.sql": "CREATE TABLE tenants (id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                        "slug varchar(100) NOT NULL UNIQUE);\n"
                        "CREATE TABLE invoices (id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                        "tenant_id bigint unsigned NOT NULL, number varchar(32) NOT NULL, KEY (tenant_id));\n",
        "V2__fk.sql": "ALTER TABLE invoices ADD CONSTRAINT invoices_tenant_fk FOREIGN KEY (tenant_id) "
                      "REFERENCES tenants (id);\n",
    })
    for rows in ("1", "3"):
        code, doc, proc = verify_json(tmp_path, mysql_url, "--seed-rows", rows)
        assert doc is not None, proc.stderr
        assert _failed(doc) == [], rows
        assert {f"before V2__fk.sql: seeded {rows} row{'s' if rows != '1' else ''} into {t}"
                for t in ("tenants", "invoices")} <= set(_notes(doc))


def test_mysql_parent_created_later_reference_data_and_composite_key(tmp_path, mysql_url):
    write_project(tmp_path, {
        "V1__init.sql":
            "CREATE TABLE status (id int NOT NULL PRIMARY KEY, code varchar(20) NOT NULL);\n"
            "INSERT INTO status VALUES (1, 'new'), (2, 'done');\n"
            "CREATE TABLE regions (country char(2) NOT NULL, code varchar(10) NOT NULL, PRIMARY KEY (country, code));\n"
            "CREATE TABLE tickets (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, status_id int NOT NULL, "
            "org_id bigint NOT NULL, country char(2) NOT NULL, region varchar(10) NOT NULL);\n",
        "V2__orgs.sql": "CREATE TABLE orgs (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, name varchar(50) NOT NULL);\n",
        "V3__fks.sql": "ALTER TABLE tickets ADD FOREIGN KEY (status_id) REFERENCES status (id), "
                       "ADD FOREIGN KEY (org_id) REFERENCES orgs (id), "
                       "ADD FOREIGN KEY (country, region) REFERENCES regions (country, code);\n",
    })
    code, doc, proc = verify_json(tmp_path, mysql_url, "--seed-rows", "2")
    assert _failed(doc) == [], proc.stdout
    assert {"before V2__orgs.sql: seeded 2 rows into regions", "before V2__orgs.sql: seeded 2 rows into tickets",
            "before V3__fks.sql: seeded 2 rows into orgs"} <= set(_notes(doc))


def test_mysql_current_foreign_key_parent_first(tmp_path, mysql_url):
    # the child's name sorts before its parent's: the parent is still seeded first
    write_project(tmp_path, {
        "V1__init.sql": "CREATE TABLE zoo (id int NOT NULL PRIMARY KEY, name varchar(20) NOT NULL);\n"
                        "CREATE TABLE animals (id int NOT NULL PRIMARY KEY, zoo_id int NOT NULL, "
                        "FOREIGN KEY (zoo_id) REFERENCES zoo (id));\n",
        "V2__more.sql": "ALTER TABLE animals ADD COLUMN legs int NULL;\n",
    })
    code, doc, proc = verify_json(tmp_path, mysql_url)
    notes = [n for n in _notes(doc) if n.startswith("before V2__")]
    assert notes == ["before V2__more.sql: seeded 1 row into zoo", "before V2__more.sql: seeded 1 row into animals"]


def test_unseen_saas_fixture_replays_past_its_foreign_keys(tmp_path, mysql_url):
    """The audit's project: V14 adds a foreign key over seeded invoices; every migration applies, and
    V8's table copy (an ENUM value inserted mid-list) is reported once, on change-column-type."""
    shutil.copytree(FIXTURES / "unseen-mysql-saas", tmp_path / "p")
    code, doc, proc = verify_json(tmp_path / "p", mysql_url)
    assert doc is not None, proc.stderr
    assert _failed(doc) == [], proc.stdout
    assert not any("replay stopped" in n or "could not seed" in n for n in _notes(doc)), _notes(doc)
    assert doc["verify"]["applied"] == 25
    assert trace_of(doc, "V14__")["error"] is None
    v8 = [f for f in doc["findings"] if f["path"].endswith("V8__invoices_status_uncollectible.sql")]
    assert [f["rule"] for f in v8] == ["change-column-type"]
    assert "measured on MariaDB" in v8[0]["message"] or "measured on MySQL" in v8[0]["message"]
    assert "rewrote invoices" in v8[0]["message"]


# --- a lookup table created later, filled by its migration, then referenced -------------------------

def _lookup_project(tmp_path, dialect: str, in_git: bool = False):
    auto = "bigint NOT NULL AUTO_INCREMENT PRIMARY KEY" if dialect == "mysql" else "bigserial PRIMARY KEY"
    deployed = {"V1__orders.sql": f"CREATE TABLE orders (id {auto}, status_id int NOT NULL);\n"}
    release = {
        "V2__statuses.sql": "CREATE TABLE statuses (id int NOT NULL PRIMARY KEY, code varchar(20) NOT NULL);\n"
                            "INSERT INTO statuses VALUES (1, 'new'), (2, 'paid');\n",
        "V3__fk.sql": "ALTER TABLE orders ADD CONSTRAINT orders_status_fk FOREIGN KEY (status_id) "
                      "REFERENCES statuses (id);\n",
    }
    if not in_git:
        write_project(tmp_path, {**deployed, **release})
        return
    import subprocess

    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=tmp_path,
                       check=True, capture_output=True)
    write_project(tmp_path, deployed)
    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "deployed")
    write_project(tmp_path, release)


def _check_repointed(doc, proc, before: str):
    assert doc is not None, proc.stderr
    assert _failed(doc) == [], proc.stdout
    assert f"before {before}: pointed the seed rows of orders (status_id) at the rows of statuses, for the " \
           "foreign key a later migration adds" in _notes(doc), _notes(doc)
    assert not any("into statuses" in n for n in _notes(doc))  # it has the migration's rows


def test_pg_seed_rows_pointed_at_a_lookup_table_created_later(tmp_path, pg_url):
    _lookup_project(tmp_path, "postgres")
    code, doc, proc = verify_json(tmp_path, pg_url, "--seed-rows", "3")
    _check_repointed(doc, proc, "V3__fk.sql")


def test_mysql_seed_rows_pointed_at_a_lookup_table_created_later(tmp_path, mysql_url):
    _lookup_project(tmp_path, "mysql")
    code, doc, proc = verify_json(tmp_path, mysql_url, "--seed-rows", "3")
    _check_repointed(doc, proc, "V3__fk.sql")


def test_release_seed_rows_pointed_at_a_lookup_table_the_release_creates(tmp_path, mysql_url, pg_url):
    from dataclasses import fields

    import pytest

    from flylint.engine import Options

    if "since" not in {f.name for f in fields(Options)}:
        pytest.skip("the engine of this branch has no --since (release support)")
    for url, dialect in ((pg_url, "postgres"), (mysql_url, "mysql")):
        root = tmp_path / dialect
        root.mkdir()
        _lookup_project(root, dialect, in_git=True)
        code, doc, proc = verify_json(root, url, "--since", "HEAD")
        _check_repointed(doc, proc, "V3__fk.sql")
        assert [n for n in _notes(doc) if "seeded" in n] == ["before V2__statuses.sql: seeded 1 row into orders"]
