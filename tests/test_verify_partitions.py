"""verify on partitioned tables, and on a server of another product than the project's (real
PostgreSQL and MariaDB/MySQL servers): seed rows land inside an existing partition's bounds, read
from the catalogs; the static findings keep the project's dialect and version."""

from __future__ import annotations

import re
import shutil

from conftest import FIXTURES, write_project
from verify_helpers import trace_of, verify_json


def _failed(doc) -> list[str]:
    return [f"{f['path']}: {f['message']}" for f in doc["findings"] if f["rule"] == "verify-failed"]


def _notes(doc) -> list[str]:
    return doc["verify"]["notes"]


PG_EVENTS = (
    "CREATE TABLE events (id bigint NOT NULL, kind text NOT NULL, created_at timestamptz NOT NULL,\n"
    "  PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);\n"
    "CREATE TABLE events_2026_01 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');\n"
    "CREATE TABLE events_2026_02 PARTITION OF events FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');\n"
    "CREATE TABLE events_old PARTITION OF events FOR VALUES FROM (MINVALUE) TO ('2020-01-01');\n"
    "CREATE TABLE regions (id int NOT NULL, code text NOT NULL) PARTITION BY LIST (code);\n"
    "CREATE TABLE regions_eu PARTITION OF regions FOR VALUES IN ('de', 'fr');\n"
    "CREATE TABLE ranges (id int PRIMARY KEY) PARTITION BY RANGE (id);\n"
    "CREATE TABLE ranges_low PARTITION OF ranges FOR VALUES FROM (10) TO (20);\n"
    "CREATE TABLE nowhere (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);\n"
    # sub-partitioned: the newest year has no partition for any region, so the row goes to 2026's
    "CREATE TABLE m (id int NOT NULL, region text NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);\n"
    "CREATE TABLE m_2026 PARTITION OF m FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') PARTITION BY LIST (region);\n"
    "CREATE TABLE m_2026_eu PARTITION OF m_2026 FOR VALUES IN ('eu');\n"
    "CREATE TABLE m_2027 PARTITION OF m FOR VALUES FROM ('2027-01-01') TO ('2028-01-01') PARTITION BY LIST (region);\n"
    "CREATE TABLE h (id int NOT NULL, k int NOT NULL) PARTITION BY HASH (k);\n"
    "CREATE TABLE h0 PARTITION OF h FOR VALUES WITH (modulus 2, remainder 0);\n"
    "CREATE TABLE h1 PARTITION OF h FOR VALUES WITH (modulus 2, remainder 1);\n"
)


def test_pg_partitioned_tables_seeded_inside_a_partition(tmp_path, pg_url):
    write_project(tmp_path, {
        "V1__init.sql": PG_EVENTS,
        "V2__detach_oldest.sql": "ALTER TABLE events DETACH PARTITION events_2026_01;\nDROP TABLE events_2026_01;\n",
        "V3__not_null.sql": "ALTER TABLE events ADD COLUMN source text NOT NULL DEFAULT 'web';\n"
                            "ALTER TABLE regions ALTER COLUMN id SET NOT NULL;\n",
    })
    code, doc, proc = verify_json(tmp_path, pg_url, "--seed-rows", "3")
    assert doc is not None, proc.stderr
    assert _failed(doc) == [], proc.stdout
    notes = _notes(doc)
    # the newest partition bounded on both sides: a retention migration drops the old ones
    assert "before V2__detach_oldest.sql: seeded 3 rows into events (partition events_2026_02)" in notes
    assert "before V2__detach_oldest.sql: seeded 3 rows into regions (partition regions_eu)" in notes
    assert "before V2__detach_oldest.sql: seeded 3 rows into ranges (partition ranges_low)" in notes
    assert "before V2__detach_oldest.sql: seeded 3 rows into m (partition m_2026_eu)" in notes
    assert "before V2__detach_oldest.sql: seeded 3 rows into h" in notes  # HASH: any row fits
    # no partition at all: left empty, and the note says why
    assert any(n.startswith("before V2__detach_oldest.sql: could not seed nowhere: it is partitioned by RANGE (at)")
               for n in notes), notes
    # the rows survive the detach and drop of the oldest partition: events is not seeded again
    assert not any("V3__" in n and "into events" in n for n in notes), notes
    assert trace_of(doc, "V3__")["error"] is None


def test_pg_events_fixture_seeds_its_partitioned_table(tmp_path, pg_url):
    shutil.copytree(FIXTURES / "unseen-pg-events", tmp_path / "p")
    code, doc, proc = verify_json(tmp_path / "p", pg_url)
    assert doc is not None, proc.stderr
    notes = _notes(doc)
    assert "before db/migrations/V2__project_event_counts.sql: seeded 1 row into events (partition events_2026_02)" \
        in notes, notes
    assert not any("could not seed events" in n for n in notes), notes
    assert _failed(doc) == [], proc.stdout


def test_pg_marketplace_fixture_seeds_its_partitioned_table(tmp_path, pg_url):
    shutil.copytree(FIXTURES / "unseen-pg-marketplace", tmp_path / "p")
    code, doc, proc = verify_json(tmp_path / "p", pg_url)
    assert doc is not None, proc.stderr
    notes = _notes(doc)
    assert any(n.endswith("seeded 1 row into market.order_events (partition order_events_2026_02)") for n in notes)
    assert not any("could not seed market.order_events:" in n for n in notes), notes
    # V10's DO block commits per batch and V21 detaches CONCURRENTLY (executeInTransaction=false):
    # both run in autocommit as Flyway sends them; only the role the repeatable grants to is missing
    failed = _failed(doc)
    assert len(failed) == 1 and "R__grants.sql" in failed[0] and "market_app" in failed[0], failed


MY_EVENTS = (
    "CREATE TABLE usage_events (id bigint NOT NULL AUTO_INCREMENT, recorded_at datetime NOT NULL,\n"
    "  PRIMARY KEY (id, recorded_at)) PARTITION BY RANGE COLUMNS (recorded_at) (\n"
    "  PARTITION p2025_01 VALUES LESS THAN ('2025-02-01'), PARTITION p2025_02 VALUES LESS THAN ('2025-03-01'),\n"
    "  PARTITION pmax VALUES LESS THAN (MAXVALUE));\n"
    "CREATE TABLE days (id int NOT NULL, d date NOT NULL, PRIMARY KEY (id, d)) PARTITION BY RANGE (TO_DAYS(d)) (\n"
    "  PARTITION p1 VALUES LESS THAN (TO_DAYS('2030-01-01')), PARTITION p2 VALUES LESS THAN (TO_DAYS('2030-02-01')));\n"
    "CREATE TABLE shards (id int NOT NULL, shard int NOT NULL, PRIMARY KEY (id, shard)) PARTITION BY LIST (shard) (\n"
    "  PARTITION a VALUES IN (7, 8));\n"
    "CREATE TABLE ids (id int NOT NULL PRIMARY KEY) PARTITION BY RANGE (id) (PARTITION low VALUES LESS THAN (5));\n"
    "CREATE TABLE years (id int NOT NULL, d date NOT NULL, PRIMARY KEY (id, d)) PARTITION BY RANGE (YEAR(d))\n"
    "  SUBPARTITION BY HASH (id) SUBPARTITIONS 2 (PARTITION p1 VALUES LESS THAN (2030),\n"
    "  PARTITION p2 VALUES LESS THAN (2035));\n"
    "CREATE TABLE pairs (id int NOT NULL, r varchar(5) NOT NULL, c int NOT NULL, PRIMARY KEY (id, r, c))\n"
    "  PARTITION BY LIST COLUMNS (r, c) (PARTITION eu VALUES IN (('eu', 1), ('eu', 2)));\n"
    "CREATE TABLE tenths (id int NOT NULL PRIMARY KEY) PARTITION BY RANGE (id DIV 10) (\n"
    "  PARTITION p1 VALUES LESS THAN (5));\n"
)


def test_mysql_partitioned_tables_seeded_inside_a_partition(tmp_path, mysql_url):
    write_project(tmp_path, {
        "V1__init.sql": MY_EVENTS,
        "V2__rotate.sql": "ALTER TABLE usage_events REORGANIZE PARTITION pmax INTO (\n"
                          "  PARTITION p2025_03 VALUES LESS THAN ('2025-04-01'), PARTITION pmax VALUES LESS THAN (MAXVALUE));\n"
                          "ALTER TABLE usage_events DROP PARTITION p2025_01;\n",
        "V3__col.sql": "ALTER TABLE usage_events ADD COLUMN source varchar(10) NOT NULL DEFAULT 'web';\n",
    })
    code, doc, proc = verify_json(tmp_path, mysql_url, "--seed-rows", "2")
    assert doc is not None, proc.stderr
    assert _failed(doc) == [], proc.stdout
    notes = _notes(doc)
    for table, part in (("usage_events", "p2025_02"), ("days", "p2"), ("shards", "a"), ("ids", "low"),
                        ("years", "p2"), ("pairs", "eu")):
        assert f"before V2__rotate.sql: seeded 2 rows into {table} (partition {part})" in notes, notes
    # an expression flylint cannot invert: left empty, with the server's refusal
    assert [n for n in notes if "could not seed" in n and n.startswith("before V2__")] == [
        "before V2__rotate.sql: could not seed tenths: it is partitioned by RANGE (id DIV 10) and the database "
        "refused the row (flylint found no partition whose bounds it can meet): 1526: Table has no partition "
        "for value 100000000"], notes
    # the rows are not in the partition V2 drops: usage_events is not emptied and seeded again
    assert not any(n.startswith("before V3__") and "usage_events" in n for n in notes), notes


def test_mysql_project_on_mariadb_keeps_its_product_and_version(tmp_path, mysql_url):
    """The Flyway URL says MySQL and flylint.toml db-version 8.0.35: the static findings speak of
    MySQL 8.0.35, the measurements of the server verify ran on, and one note says both."""
    shutil.copytree(FIXTURES / "unseen-mysql-saas", tmp_path / "p")
    code, doc, proc = verify_json(tmp_path / "p", mysql_url)
    assert doc is not None, proc.stderr
    server = doc["verify"]["server"]
    text = " ".join(f["message"] + " " + (f.get("fix") or "") for f in doc["findings"])
    if server.startswith("MariaDB"):
        assert not re.search(r"MariaDB (5\.[0-9]|[6-9])\b", text), "a MariaDB server with a MySQL version"
        assert "MySQL 8.0.35" in text
        assert doc["verify"]["static"] == "MySQL 8.0.35"
        said = [n for n in _notes(doc) if n.startswith("the static rules judge")]
        assert said == [f"the static rules judge MySQL 8.0.35 (the configured dialect and db-version); the "
                        f"measurements are from {server}: where they differ, the measured facts are {server}'s"]
    assert any("(partition p2025_02)" in n and "usage_events" in n for n in _notes(doc)), _notes(doc)


def test_version_of_another_product_is_refused(tmp_path, mysql_url):
    write_project(tmp_path, {"V1__t.sql": "CREATE TABLE t (id int PRIMARY KEY);\n"})
    code, doc, proc = verify_json(tmp_path, mysql_url, "--dialect", "mariadb", "--db-version", "8.0.35")
    assert code == 2 and doc is None
    assert "8.0.35 is not a MariaDB version" in proc.output
