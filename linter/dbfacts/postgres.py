"""What each change costs on PostgreSQL: one row per fact, first match wins.

Sources, in order of weight:

* "verify.md §2 #n": the lock tracer run on PostgreSQL 15.18 (research/verify.md, §2, table row n;
  "1M #n" is the 1,000,000-row table further down). Strongest lock on the table, rewrite =
  relfilenode changed, scan = seq_scan rose.
* "measured on PostgreSQL 15.20 here": the same method (pg_locks of the migration's own
  transaction, relfilenode, pg_stat_xact_user_tables.seq_scan), run while writing this table;
  statements that cannot run in a transaction were watched from a second session.
* "[manual]": the PostgreSQL documentation page named, where no measurement exists (version
  gates cannot be measured on one server).

Lock modes and rewrite yes/no carry over from a small test table to production; durations do not.
"""

from __future__ import annotations

from .rows import PG_LOCK_MODES, Row, pg

V2 = "verify.md §2 {} (measured on PostgreSQL 15.18)"
HERE = "measured on PostgreSQL 15.20 here: {}"

AE = "ACCESS EXCLUSIVE"
SUE = "SHARE UPDATE EXCLUSIVE"
SRE = "SHARE ROW EXCLUSIVE"

_CONCURRENTLY_RULES = (
    "cannot run inside a transaction block (Flyway runs the migration outside one); waits for "
    "every transaction that could still use the table; a failure leaves an INVALID index behind"
)
_PG14_CORRUPTION = (
    "PostgreSQL 14.0-14.3 can silently corrupt indexes built or rebuilt CONCURRENTLY: upgrade "
    "to 14.4+ first"
)
_PG14_SOURCE = (
    "PostgreSQL 14.4 release notes [manual]; strong_migrations add_index_corruption "
    "(anchors.md D8)"
)

POSTGRES: tuple[Row, ...] = (
    # ---- columns ---------------------------------------------------------------------------
    pg("add-column", AE, rewrite=True, when={"generated_stored": True},
       source=V2.format("#4"),
       note="a STORED generated column is computed for every existing row: full rewrite; add a "
            "plain column filled by a trigger and backfill it in batches instead"),
    pg("add-column", AE, rewrite=True, when={"identity": True},
       source=HERE.format("ADD COLUMN serial and ADD COLUMN ... GENERATED ALWAYS AS IDENTITY "
                          "both rewrote the table and its indexes"),
       note="every existing row gets a sequence value"),
    pg("add-column", AE, rewrite=True, when={"default_volatile": True},
       source=V2.format("#3 and 1M #3 (gen_random_uuid())"),
       note="a VOLATILE default (random(), clock_timestamp(), gen_random_uuid(), nextval()) is "
            "evaluated per row; STABLE ones such as now() are stored once and do not rewrite "
            "(measured on PostgreSQL 15.20 here)"),
    pg("add-column", AE, when={"has_default": True}, since="11",
       source=V2.format("#2 and 1M #2") + "; fast defaults since 11: PostgreSQL 11 release "
              "notes [manual]",
       note="the default is kept in the catalog; existing rows are not touched"),
    pg("add-column", AE, rewrite=True, when={"has_default": True}, until="11",
       source="PostgreSQL 10 docs: ALTER TABLE, Notes ('Adding a column with a DEFAULT "
              "clause ... requires the entire table and its indexes to be rewritten') [manual]",
       note="before PostgreSQL 11 any DEFAULT rewrites the table; add the column without one, "
            "then SET DEFAULT and backfill"),
    pg("add-column", AE, when={"not_null": True},
       source="verify.md §4 (PostgreSQL 15.18: 'column ... contains null values')",
       note="NOT NULL without a DEFAULT fails on a table that has rows"),
    pg("add-column", AE, source=V2.format("#1 and 1M #1")),
    pg("drop-column", AE, source=V2.format("#24"),
       note="catalog-only: the column is hidden and its space reclaimed by later rewrites; "
            "indexes and constraints on it are dropped with it"),
    pg("rename-column", AE, source=V2.format("#22")),
    pg("change-column-type", AE, when={"binary_coercible": True},
       source=V2.format("#5 numeric(10,2)->(12,2), #6 varchar wider; measured on PostgreSQL "
                        "15.20 here: numeric(14,2)"),
       note="no table rewrite; PostgreSQL still rebuilds an index on the column unless it can "
            "prove the new index equal (PostgreSQL docs: ALTER TABLE, Notes [manual])"),
    pg("change-column-type", AE, when={"timestamp_tz": True, "timezone_utc": True}, since="12",
       source=HERE.format("ALTER COLUMN ... TYPE timestamptz on a timestamp column, and back, kept the "
                          "table's relfilenode under TimeZone UTC, Etc/UTC, GMT, Zulu, UCT, Universal, "
                          "Greenwich, UTC0, '+00', '0'; Europe/Berlin, Europe/London, Africa/Abidjan, "
                          "America/New_York and '1' rewrote it; the index on the column got a new "
                          "relfilenode every time") + "; PostgreSQL 12 release notes, commit 3c59263 "
              "'Avoid some table rewrites for ALTER TABLE .. SET DATA TYPE timestamp' [manual]",
       note="no table rewrite when the session TimeZone is UTC (a zone whose offset is always 0); "
            "indexes on the column are still rebuilt under the lock"),
    pg("change-column-type", AE, rewrite=True,
       source=V2.format("#7 varchar narrower, #8 bigint->int, 1M #4 int->bigint"),
       note="the table and all its indexes are rewritten; add a new column, dual-write, "
            "backfill and swap instead"),
    # ALTER DOMAIN: the lock is on each table that has a column of the domain
    pg("set-not-null", "SHARE", scan=True, when={"domain": True},
       source=HERE.format("ALTER DOMAIN ... SET NOT NULL held SHARE on the table using the domain"),
       note="every column of the domain is checked; there is no non-blocking form"),
    pg("set-not-null", AE, when={"proven_by_check": True}, since="12",
       source=HERE.format("SET NOT NULL after a validated CHECK (col IS NOT NULL) did not scan, "
                          "after a NOT VALID one it did") + "; PostgreSQL 12 release notes "
              "[manual]",
       note="the validated CHECK proves the column has no NULLs, so the scan is skipped; drop "
            "the CHECK afterwards"),
    pg("set-not-null", AE, scan=True, source=V2.format("#9 and 1M #5"),
       note="the whole table is scanned under the lock; add CHECK (col IS NOT NULL) NOT VALID, "
            "VALIDATE it, then SET NOT NULL (the scan is skipped on PostgreSQL 12+)"),
    pg("drop-not-null", AE, source=HERE.format("ALTER COLUMN ... DROP NOT NULL")),
    pg("set-default", AE, source=V2.format("#10"),
       note="applies to rows inserted from now on; existing rows keep their value"),
    pg("drop-default", AE, source=HERE.format("ALTER COLUMN ... DROP DEFAULT")),
    # ---- constraints -----------------------------------------------------------------------
    pg("add-primary-key", AE, when={"using_index": True, "not_null": True},
       source=HERE.format("ADD PRIMARY KEY USING INDEX on NOT NULL columns: no scan")),
    pg("add-primary-key", AE, scan=True, when={"using_index": True},
       source=HERE.format("ADD PRIMARY KEY USING INDEX on a nullable column scanned the table"),
       note="key columns that are not yet NOT NULL are checked by a full scan under the lock; "
            "make them NOT NULL first (CHECK ... NOT VALID, VALIDATE, SET NOT NULL)"),
    pg("add-primary-key", AE, scan=True,
       source=HERE.format("ADD PRIMARY KEY (col): ACCESS EXCLUSIVE plus an index build scan"),
       note="the unique index is built under ACCESS EXCLUSIVE; CREATE UNIQUE INDEX "
            "CONCURRENTLY first, then ADD PRIMARY KEY USING INDEX"),
    pg("add-unique", AE, when={"using_index": True}, source=V2.format("#21")),
    pg("add-unique", AE, scan=True,
       source=HERE.format("ADD CONSTRAINT ... UNIQUE: ACCESS EXCLUSIVE plus an index build scan"),
       note="the index is built under ACCESS EXCLUSIVE and fails on duplicates; CREATE UNIQUE "
            "INDEX CONCURRENTLY first, then ADD CONSTRAINT ... UNIQUE USING INDEX"),
    pg("add-check", None, when={"domain": True, "not_valid": True},
       source=HERE.format("ALTER DOMAIN ... ADD CONSTRAINT ... NOT VALID took no table lock"),
       note="only new values are checked; VALIDATE CONSTRAINT on a domain then takes SHARE on its tables"),
    pg("add-check", "SHARE", scan=True, when={"domain": True},
       source=HERE.format("ALTER DOMAIN ... ADD CONSTRAINT CHECK held SHARE on the table using the domain"),
       note="every column of the domain is checked while writes to its tables wait"),
    pg("add-check", AE, when={"not_valid": True}, source=V2.format("#18 and 1M #6"),
       note="only new and updated rows are checked; VALIDATE CONSTRAINT later takes SHARE "
            "UPDATE EXCLUSIVE"),
    pg("add-check", AE, scan=True, source=V2.format("#17"),
       note="existing rows are checked by a full scan under the lock; add it NOT VALID and "
            "VALIDATE it in a later transaction"),
    pg("add-foreign-key", SRE, when={"not_valid": True}, source=V2.format("#15"),
       note="SHARE ROW EXCLUSIVE on the referenced table too, but only briefly"),
    pg("add-foreign-key", SRE, scan=True, source=V2.format("#13"),
       note="SHARE ROW EXCLUSIVE on both tables while existing rows are checked; add it NOT "
            "VALID and VALIDATE it in a later transaction"),
    pg("drop-constraint", AE, when={"constraint_kind": "foreign-key"}, source=V2.format("#14"),
       note="dropping a FOREIGN KEY takes ACCESS EXCLUSIVE on the referenced table too"),
    pg("drop-constraint", AE, source=V2.format("#14")),
    pg("validate-constraint", "SHARE", scan=True, when={"domain": True},
       source=HERE.format("ALTER DOMAIN ... VALIDATE CONSTRAINT held SHARE on the table using the domain"),
       note="unlike a table's VALIDATE CONSTRAINT, a domain's blocks writes to every table using it"),
    pg("validate-constraint", SUE, scan=True, source=V2.format("#16, #19 and 1M #7"),
       note="reads and writes continue during the scan; the referenced table of a FOREIGN KEY "
            "gets ROW SHARE; run it in its own transaction, not after a stronger lock on the "
            "table in the same one"),
    # ---- indexes ---------------------------------------------------------------------------
    pg("create-index", SUE, scan=True, when={"concurrently": True}, since="14", until="14.4",
       source=_PG14_SOURCE, note=_PG14_CORRUPTION),
    pg("create-index", SUE, scan=True, when={"concurrently": True, "unique": True},
       source=V2.format("#20"),
       note=_CONCURRENTLY_RULES + "; fails on duplicates"),
    pg("create-index", SUE, scan=True, when={"concurrently": True},
       source=V2.format("#12 and 1M #9"), note=_CONCURRENTLY_RULES),
    pg("create-index", "SHARE", scan=True, when={"unique": True}, source=V2.format("#11"),
       note="fails on duplicates; use CREATE UNIQUE INDEX CONCURRENTLY"),
    pg("create-index", "SHARE", scan=True, source=V2.format("#11 and 1M #8"),
       note="writes wait for the whole index build; use CREATE INDEX CONCURRENTLY"),
    pg("drop-index", SUE, when={"concurrently": True}, source=V2.format("#30"),
       note="cannot run inside a transaction block"),
    pg("drop-index", AE, source=V2.format("#29"),
       note="ACCESS EXCLUSIVE on the table; use DROP INDEX CONCURRENTLY"),
    pg("reindex", SUE, rewrite=True, when={"concurrently": True}, since="14", until="14.4",
       source=_PG14_SOURCE, note=_PG14_CORRUPTION),
    pg("reindex", SUE, rewrite=True, when={"concurrently": True}, since="12",
       source=HERE.format("REINDEX INDEX CONCURRENTLY held SHARE UPDATE EXCLUSIVE on the "
                          "table") + "; CONCURRENTLY since 12: PostgreSQL docs: REINDEX [manual]",
       note="rebuilds the index beside the old one; cannot run inside a transaction block"),
    pg("reindex", "SHARE", rewrite=True, when={"concurrently": True}, until="12",
       source="PostgreSQL 12 release notes: REINDEX CONCURRENTLY is new in 12 [manual]",
       refused="REINDEX CONCURRENTLY does not exist before PostgreSQL 12 (syntax error)",
       note="the statement fails; a plain REINDEX would block writes as shown"),
    pg("reindex", "SHARE", rewrite=True,
       source=HERE.format("REINDEX TABLE / REINDEX INDEX: SHARE on the table, ACCESS EXCLUSIVE "
                          "on the index, new relfilenode for the index"),
       note="reads wait too: the planner takes ACCESS SHARE on every index of the table, so even a "
            "query by primary key waited behind REINDEX INDEX of another index (measured on PostgreSQL "
            "15.20 here); use REINDEX CONCURRENTLY (PostgreSQL 12+)"),
    # ---- tables and views ------------------------------------------------------------------
    pg("create-table", None, source=V2.format("#28") + "; " + HERE.format(
           "CREATE TABLE new_t (..., REFERENCES users (id)) held SHARE ROW EXCLUSIVE on users"),
       note="a REFERENCES clause takes SHARE ROW EXCLUSIVE on each referenced table (blocks "
            "its writes briefly)"),
    pg("drop-table", AE, source=V2.format("#35"),
       note="also ACCESS EXCLUSIVE on every table it references by FOREIGN KEY"),
    pg("rename-table", AE, source=HERE.format("ALTER TABLE ... RENAME TO")),
    pg("truncate-table", AE, source=V2.format("#34"),
       note="the table gets new, empty files (no data is copied); the data is gone"),
    pg("create-view", "ACCESS SHARE", source=HERE.format("CREATE VIEW: ACCESS SHARE on the "
                                                         "tables it reads"),
       note="ACCESS SHARE on the tables the view reads"),
    pg("replace-view", AE, source=HERE.format("CREATE OR REPLACE VIEW: ACCESS EXCLUSIVE on the "
                                              "view, ACCESS SHARE on its tables"),
       note="the lock is on the view: queries through it wait, its tables do not"),
    pg("drop-view", AE, source=HERE.format("DROP VIEW: ACCESS EXCLUSIVE on the view"),
       note="the lock is on the view, not on its tables"),
    pg("set-schema", AE, source=HERE.format("ALTER TABLE ... SET SCHEMA")),
    pg("rewrite-table", "EXCLUSIVE", scan=True, when={"reason": "refresh", "concurrently": True},
       source=HERE.format("REFRESH MATERIALIZED VIEW CONCURRENTLY held EXCLUSIVE on the view and "
                          "ACCESS SHARE on its tables, kept the view's files (no rewrite) and ran "
                          "inside a transaction block; a reader of the view in a second session was "
                          "not blocked"),
       note="the view's query runs again and the differences are applied: reads of the view go "
            "on; it fails without a unique index on plain columns (no WHERE) or on a view that "
            "is not populated"),
    pg("rewrite-table", AE, rewrite=True, when={"reason": "refresh"},
       source=V2.format("#32") + "; " + HERE.format(
           "REFRESH MATERIALIZED VIEW, with or without WITH NO DATA, held ACCESS EXCLUSIVE on the "
           "view (new files); a reader of the view with lock_timeout = '1s' in a second session "
           "timed out"),
       note="the view is rebuilt into new files: every read of it waits for the whole refresh; "
            "REFRESH MATERIALIZED VIEW CONCURRENTLY keeps it readable"),
    pg("rewrite-table", SUE, scan=True, when={"full": False}, source=V2.format("#33"),
       note="plain VACUUM: no rewrite; cannot run inside a transaction block"),
    pg("rewrite-table", AE, rewrite=True,
       source=HERE.format("CLUSTER rewrote the table and its indexes under ACCESS EXCLUSIVE; "
                          "VACUUM FULL waited for ACCESS EXCLUSIVE"),
       note="VACUUM FULL, CLUSTER and the like copy the whole table under ACCESS EXCLUSIVE; "
            "pg_repack does it online"),
    # ---- enums -----------------------------------------------------------------------------
    pg("add-enum-value", None, since="12",
       source=HERE.format("ALTER TYPE ... ADD VALUE took an EXCLUSIVE object lock on the type, "
                          "no table lock; the value was unusable until COMMIT"),
       note="the new value cannot be used in the transaction that adds it; the old application "
            "must cope with reading it"),
    pg("add-enum-value", None,
       source="PostgreSQL 12 release notes: ALTER TYPE ... ADD VALUE inside a transaction "
              "block is new in 12 [manual]",
       note="before PostgreSQL 12 it cannot run inside a transaction block (Flyway then runs "
            "the migration outside one)"),
    pg("rename-enum-value", None, since="10",
       source=HERE.format("ALTER TYPE ... RENAME VALUE took no table lock") + "; RENAME VALUE "
              "since 10: PostgreSQL docs: ALTER TYPE [manual]",
       note="catalog-only, but the old application still reads and writes the old label"),
    pg("rename-enum-value", None,
       source="PostgreSQL 10 release notes: ALTER TYPE ... RENAME VALUE is new in 10 [manual]",
       refused="ALTER TYPE ... RENAME VALUE does not exist before PostgreSQL 10"),
    # ---- explicit locks --------------------------------------------------------------------
    *(
        pg("lock-table", mode, when={"mode": mode},
           source=HERE.format(f"LOCK TABLE ... IN {mode} MODE") + "; conflicts: verify.md §2 "
                  "lock conflict matrix",
           note="held until the transaction ends")
        for mode in PG_LOCK_MODES
    ),
    pg("lock-table", AE,
       source="PostgreSQL docs: LOCK ('If no lock mode is specified, then ACCESS EXCLUSIVE') "
              "[manual]",
       note="held until the transaction ends"),
)

# Change kinds PostgreSQL has no operation for (cost() returns None for them).
POSTGRES_NONE: frozenset[str] = frozenset()

# Statements outside the change vocabulary (catalog change kind "other", told apart by their
# `operation` detail) that lock a table: operation -> (lock mode on the table, source).
OPERATIONS: dict[str, tuple[str | None, str]] = {
    "create-trigger": (SRE, V2.format("#27")),
    "drop-trigger": (AE, HERE.format("DROP TRIGGER ... ON users held ACCESS EXCLUSIVE on users")),
}
