"""What each change costs on MySQL and on MariaDB (InnoDB): one row per fact, first match wins.

`lock` is the effective LOCK level of the ALTER (NONE: reads and writes continue; SHARED: reads
only; EXCLUSIVE: neither); for statements that are not ALTER TABLE (DROP TABLE, views, LOCK
TABLES) it is the metadata-lock level they hold, and `algorithm` is None. Every DDL statement, even
ALGORITHM=INSTANT, also needs a brief exclusive metadata lock at its start and end: it waits for
open transactions on the table and new queries queue behind it (verify.md §3, metadata-lock queue;
`METADATA_LOCK_NOTE`). That is common to all rows and not repeated in them.

Sources:

* MariaDB: "verify.md §3 #n" is the ALGORITHM/LOCK ladder run on MariaDB 10.11.19 (research/
  verify.md §3, table row n; the server itself answered which algorithm it accepts).
  "measured on MariaDB 10.11.19 here" is the same ladder run while writing this table, with
  INNODB_SYS_TABLES.TABLE_ID compared for rebuilds. Version gates come from the MariaDB KB.
* MySQL: no MySQL server was available (verify.md §3 "MySQL 8.0 differs"); its rows come from the
  MySQL 8.0 / 5.7 manuals' online-DDL tables, marked [manual].
"""

from __future__ import annotations

from .rows import Row, my

# ALGORITHM=INSTANT (and MariaDB's NOCOPY) are names from these versions on; before them the same
# metadata-only work ran (and is reported) as INPLACE. The matcher relabels; rows need not repeat
# themselves. MySQL 8.0 manual: Online DDL ("ALGORITHM=INSTANT support is available ... in MySQL
# 8.0.12"); MariaDB KB: InnoDB Online DDL Overview ("NOCOPY/INSTANT - added in MariaDB 10.3.7").
ALGORITHM_SINCE = {
    "mysql": {"INSTANT": "8.0.12"},
    "mariadb": {"INSTANT": "10.3.7", "NOCOPY": "10.3.7"},
}

# MariaDB 11.2+ runs ALGORITHM=COPY with LOCK=NONE ("online schema change"): the copy no longer
# blocks writes, by default, with a few exceptions. verify.md §3 (the ladder's "COPY, LOCK=NONE"
# rung is "accepted only by MariaDB 11.2+"); MariaDB KB: ALTER TABLE, Online Schema Change
# [manual]. The KB page's banner names 11.4, the first long-term release that has it.
ONLINE_COPY_SINCE = {"mariadb": "11.2"}

# A table with a FULLTEXT or SPATIAL index cannot be rebuilt in place while writes continue: what an
# in-place rebuild (ALTER TABLE ... FORCE, ENGINE=, OPTIMIZE TABLE, MODIFY ... NULL/NOT NULL, a new primary
# key) becomes on such a table. The matcher applies it to every row that rebuilds INPLACE with LOCK=NONE.
SPECIAL_INDEX_REBUILD = {
    ("mariadb", "SPATIAL"): {
        "algorithm": "INPLACE", "lock": "SHARED",
        "source": "measured on MariaDB 10.11.19 here: FORCE, ENGINE=InnoDB, MODIFY ... NOT NULL, MODIFY ... NULL "
                  "and DROP/ADD PRIMARY KEY on a table with a SPATIAL index refused LOCK=NONE ('Do not support "
                  "online operation on table with GIS index'), INPLACE with LOCK=SHARED rebuilt it",
        "note": "the table has a SPATIAL index: MariaDB rebuilds it only with LOCK=SHARED (writes wait); "
                "LOCK=NONE is refused",
    },
    ("mariadb", "FULLTEXT"): {
        "algorithm": "INPLACE", "lock": "SHARED",
        "source": "verify.md §3 #27 (ENGINE=InnoDB on a table with a FULLTEXT index: LOCK=NONE refused, "
                  "INPLACE with LOCK=SHARED; measured on MariaDB 10.11.19); measured on MariaDB 10.11.19 here: "
                  "FORCE, MODIFY ... NULL and MODIFY ... NOT NULL alike ('Fulltext index creation requires a lock')",
        "note": "the table has a FULLTEXT index: MariaDB rebuilds it only with LOCK=SHARED (writes wait); "
                "LOCK=NONE is refused",
    },
    ("mysql", "FULLTEXT"): {
        "algorithm": "COPY", "lock": "SHARED", "changes": ("rewrite-table",),
        "source": "MySQL 8.0 manual: Online DDL Operations, Table Operations ('Rebuilding a table with the "
                  "FORCE option': ALGORITHM=INPLACE is not supported for tables with FULLTEXT indexes) [manual]",
        "note": "the table has a FULLTEXT index: MySQL rebuilds it with ALGORITHM=COPY (writes wait)",
    },
}

METADATA_LOCK_NOTE = (
    "even an INSTANT ALTER needs a brief exclusive metadata lock: it waits for open "
    "transactions on the table and every new query queues behind it; set lock_wait_timeout "
    "and retry"
)

M8 = "MySQL 8.0 manual: Online DDL Operations, {} [manual]"
M57 = "MySQL 5.7 manual: Online DDL Operations, {} [manual]"
MDL = "MySQL 8.0 manual: Metadata Locking [manual]"

V3 = "verify.md §3 {} (measured on MariaDB 10.11.19)"
HERE = "measured on MariaDB 10.11.19 here: {}"
KB = "MariaDB KB: {} [manual]"

_ROW_VERSIONS = (
    "each instant ADD/DROP COLUMN adds a row version; after 64 (TOTAL_ROW_VERSIONS in "
    "INFORMATION_SCHEMA.INNODB_TABLES) INSTANT is refused until the table is rebuilt"
)
_STRICT = (
    "fails if the column holds NULLs in strict sql_mode; without strict mode the NULLs "
    "silently become the type's zero value"
)
_DUPLICATES = "fails if existing rows have duplicates"
_FULLTEXT = "a FULLTEXT or SPATIAL index needs LOCK=SHARED (blocks writes)"
_VIEW = "the exclusive metadata lock is on the view: queries through it wait"
_PARTITION_COPY = "the rows of the partitions named are copied into new partitions while writes to the table wait"
_ENGINE_CHANGE = ("every row is copied into a new table (of the new storage engine) while writes wait; only InnoDB "
                  "rebuilds in place")
_ENUM_COPY = (
    "only appending values at the end (without crossing 255 ENUM values or a SET byte "
    "boundary) is metadata-only; anything else copies the table"
)

MYSQL: tuple[Row, ...] = (
    # ---- columns ---------------------------------------------------------------------------
    my("add-column", "COPY", "SHARED", rebuild=True, when={"generated_stored": True},
       source=M8.format("Generated Column Operations: 'Adding a STORED column' is not in place, "
                        "rebuilds, no concurrent DML"),
       note="a STORED generated column copies the table; a VIRTUAL one is INSTANT"),
    my("add-column", "INPLACE", "SHARED", rebuild=True, when={"identity": True},
       source=M8.format("Column Operations: 'Concurrent DML is not permitted when adding an "
                        "auto-increment column'"),
       note="an AUTO_INCREMENT column rebuilds the table and blocks writes meanwhile"),
    my("add-column", "COPY", "SHARED", rebuild=True, when={"default_volatile": True},
       source="not measured on MySQL: MariaDB 10.11.19 refused INSTANT and INPLACE for ADD "
              "COLUMN ... DEFAULT (uuid()) (measured here); flylint assumes MySQL 8.0.13+ "
              "expression defaults behave alike",
       note="a non-deterministic expression DEFAULT is computed for every row"),
    my("add-column", "INPLACE", "NONE", rebuild=True, when={"algorithm": "INPLACE"},
       source=M8.format("Column Operations: 'Adding a column' in place rebuilds the table"),
       note="ALGORITHM=INPLACE (or a LOCK clause) asks for a rebuild where INSTANT would do"),
    my("add-column", "INSTANT", "NONE", when={"position": True}, since="8.0.29",
       source=M8.format("Column Operations: from 8.0.29 an instantly added column can be added "
                        "to any position"),
       note=_ROW_VERSIONS),
    my("add-column", "INPLACE", "NONE", rebuild=True, when={"position": True}, since="8.0.12",
       until="8.0.29",
       source=M8.format("Column Operations: before 8.0.29 INSTANT adds only as the last column"),
       note="AFTER/FIRST rebuilds the table before MySQL 8.0.29; append at the end instead"),
    my("add-column", "INSTANT", "NONE", since="8.0.12",
       source=M8.format("Column Operations: 'INSTANT is the default algorithm as of MySQL "
                        "8.0.12'"),
       note="not for ROW_FORMAT=COMPRESSED tables or tables with a FULLTEXT index; "
            + _ROW_VERSIONS),
    my("add-column", "INPLACE", "NONE", rebuild=True,
       source=M57.format("Column Operations: 'Adding a column' rebuilds the table"),
       note="reads and writes continue, but the whole table is rebuilt; INSTANT from MySQL "
            "8.0.12"),
    my("drop-column", "INPLACE", "NONE", rebuild=True, when={"algorithm": "INPLACE"},
       source=M8.format("Column Operations: 'Dropping a column' in place rebuilds the table")),
    my("drop-column", "INSTANT", "NONE", since="8.0.29",
       source=M8.format("Column Operations: INSTANT DROP COLUMN from 8.0.29"),
       note=_ROW_VERSIONS),
    my("drop-column", "INPLACE", "NONE", rebuild=True,
       source=M8.format("Column Operations: 'Dropping a column' rebuilds the table"),
       note="INSTANT DROP COLUMN from MySQL 8.0.29"),
    my("rename-column", "INSTANT", "NONE", since="8.0.28",
       source=M8.format("Column Operations: 'Renaming a column' is INSTANT from 8.0.28")),
    my("rename-column", "INPLACE", "NONE",
       source=M8.format("Column Operations: 'Renaming a column' in place, metadata only")),
    my("change-column-type", "INSTANT", "NONE", when={"enum_append": True},
       source=M8.format("Column Operations: 'Modifying the definition of an ENUM or SET "
                        "column' (appending at the end)"),
       note=_ENUM_COPY),
    my("change-column-type", "INPLACE", "NONE", when={"binary_coercible": True},
       source=M8.format("Column Operations: 'Extending VARCHAR column size' in place, metadata "
                        "only, while the number of length bytes stays the same")
              + "; verify.md §3 'MySQL 8.0 differs'",
       note="only while the byte length stays on the same side of 255 bytes (1 vs 2 length "
            "bytes); not INSTANT on MySQL"),
    my("change-column-type", "COPY", "SHARED", rebuild=True,
       source=M8.format("Column Operations: 'Changing the column data type' only COPY, no "
                        "concurrent DML"),
       note="writes wait for the whole table copy; add a new column, dual-write, backfill and "
            "swap instead"),
    my("set-not-null", "INPLACE", "NONE", rebuild=True,
       source=M8.format("Column Operations: 'Making a column NOT NULL' in place, rebuilds, "
                        "needs strict sql_mode"),
       note=_STRICT),
    my("drop-not-null", "INPLACE", "NONE", rebuild=True,
       source=M8.format("Column Operations: 'Making a column NULL' in place, rebuilds")),
    my("set-default", "INSTANT", "NONE",
       source=M8.format("Column Operations: 'Setting a column default value' INSTANT"),
       note="applies to rows inserted from now on"),
    my("drop-default", "INSTANT", "NONE",
       source=M8.format("Column Operations: 'Dropping the column default value' INSTANT")),
    # ---- constraints -----------------------------------------------------------------------
    my("add-primary-key", "INPLACE", "NONE", rebuild=True,
       source=M8.format("Primary Key Operations: 'Adding a primary key' in place, rebuilds, "
                        "concurrent DML"),
       note=_DUPLICATES + "; key columns that must become NOT NULL need strict sql_mode for "
            "INPLACE"),
    my("add-unique", "INPLACE", "NONE", scan=True,
       source=M8.format("Index Operations: 'Creating or adding a secondary index'"),
       note=_DUPLICATES),
    my("add-check", "COPY", "SHARED", rebuild=True, since="8.0.16",
       source="bugs.mysql.com #117450 (8.0/8.4: ADD ... CHECK refused INSTANT, 'Try "
              "ALGORITHM=COPY') [manual]; MariaDB does the same (verify.md §3 #19)",
       note="every row is checked while the table is copied; writes wait"),
    my("add-check", None, None,
       source="MySQL 8.0.16 release / WL#929: before 8.0.16 CHECK is parsed and ignored "
              "[manual]",
       note="not enforced: MySQL before 8.0.16 ignores CHECK constraints"),
    my("add-foreign-key", "INPLACE", "NONE", when={"foreign_key_checks": False},
       source=M8.format("Foreign Key Operations: INPLACE 'when foreign_key_checks is "
                        "disabled'"),
       note="existing rows are not checked: the data must already be valid; an index on the "
            "column is built first if there is none"),
    my("add-foreign-key", "COPY", "SHARED", rebuild=True,
       source=M8.format("Foreign Key Operations: 'Otherwise, only the COPY algorithm is "
                        "supported'") + "; MariaDB alike: verify.md §3 #20",
       note="with foreign_key_checks=1 the table is copied and writes wait; SET "
            "foreign_key_checks=0 makes it INPLACE but skips checking existing rows"),
    my("drop-constraint", "INPLACE", "NONE", rebuild=True, when={"constraint_kind": "primary-key", "replaced": True},
       source=M8.format("Primary Key Operations: 'Dropping a primary key and adding another' in place, "
                        "rebuilds, concurrent DML")),
    my("drop-constraint", "COPY", "SHARED", rebuild=True, when={"constraint_kind": "primary-key"},
       source=M8.format("Primary Key Operations: 'Dropping a primary key' only COPY"),
       note="DROP PRIMARY KEY together with ADD PRIMARY KEY in one ALTER is INPLACE (rebuild, "
            "concurrent DML)"),
    my("drop-constraint", "INPLACE", "NONE", when={"constraint_kind": "unique"},
       source=M8.format("Index Operations: 'Dropping an index' metadata only")),
    my("drop-constraint", "INPLACE", "NONE",
       source=M8.format("Foreign Key Operations: 'Dropping a foreign key constraint' in place, "
                        "metadata only"),
       note="a PRIMARY KEY is different: its drop copies the table"),
    # ---- indexes ---------------------------------------------------------------------------
    my("create-index", "INPLACE", "SHARED", rebuild=True, when={"index_kind": "FULLTEXT", "first_fulltext": True},
       source=M8.format("Index Operations: 'Adding a FULLTEXT index' in place, no concurrent DML; "
                        "'Adding the first FULLTEXT index rebuilds the table if there is no user-defined "
                        "FTS_DOC_ID column'"),
       note="the first FULLTEXT index adds InnoDB's hidden FTS_DOC_ID column: the table is rebuilt while "
            "writes wait (LOCK=SHARED)"),
    my("create-index", "INPLACE", "SHARED", scan=True, when={"index_kind": "FULLTEXT"},
       source=M8.format("Index Operations: 'Adding a FULLTEXT index' in place, no concurrent DML"),
       note=_FULLTEXT),
    my("create-index", "INPLACE", "SHARED", scan=True, when={"index_kind": "SPATIAL"},
       source=M8.format("Index Operations: 'Adding a SPATIAL index' in place, no concurrent DML"),
       note=_FULLTEXT),
    my("create-index", "INPLACE", "NONE", scan=True, when={"unique": True},
       source=M8.format("Index Operations: 'Creating or adding a secondary index'"),
       note=_DUPLICATES + "; " + _FULLTEXT),
    my("create-index", "INPLACE", "NONE", scan=True,
       source=M8.format("Index Operations: 'Creating or adding a secondary index'"),
       note=_FULLTEXT),
    my("drop-index", "INPLACE", "NONE",
       source=M8.format("Index Operations: 'Dropping an index' metadata only")),
    # ---- tables and views ------------------------------------------------------------------
    my("create-table", None, None, source="a new table: no session uses it yet"),
    my("drop-table", None, "EXCLUSIVE", source=MDL,
       note="waits for every open transaction that touched the table"),
    my("rename-table", "INSTANT", "NONE",
       source=M8.format("Table Operations: 'Renaming a table' INSTANT")),
    my("truncate-table", None, "EXCLUSIVE", source=MDL + "; MySQL 8.0 manual: TRUNCATE TABLE",
       note="drops and re-creates the table; the data is gone"),
    my("create-view", None, None, source=MDL),
    my("replace-view", None, "EXCLUSIVE", source=MDL, note=_VIEW),
    my("drop-view", None, "EXCLUSIVE", source=MDL, note=_VIEW),
    my("set-schema", "INSTANT", "NONE",
       source=M8.format("Table Operations: 'Renaming a table' (RENAME TABLE to another "
                        "database)"),
       note="moves the table's files; no copy while both databases share a file system"),
    my("rewrite-table", "COPY", "SHARED", rebuild=True, when={"reason": "partitioning"},
       source=M8.format("Partitioning Operations: 'PARTITION BY' and 'REMOVE PARTITIONING' not in "
                        "place, no concurrent DML"),
       note="every row is copied into the new layout while writes wait"),
    my("rewrite-table", "INPLACE", "SHARED", rebuild=True, when={"reason": "partition-copy"},
       source=M8.format("Partitioning Operations: REORGANIZE PARTITION and REBUILD PARTITION in place, no "
                        "concurrent DML (ALGORITHM=INPLACE, LOCK={DEFAULT|SHARED|EXCLUSIVE})")
              + "; MySQL 5.6 manual: Online DDL for Partitioned Tables ('Data from the affected partitions is "
                "copied while holding a shared lock') [manual]",
       note=_PARTITION_COPY),
    my("rewrite-table", "COPY", "SHARED", rebuild=True, when={"reason": "engine-copy"},
       source=M8.format("Table Operations: only 'Performing a null rebuild' (ENGINE=InnoDB on an InnoDB "
                        "table) is in place; in-place operations are InnoDB's own, so a change of storage "
                        "engine copies the table")
              + "; not measured on MySQL: MariaDB 10.11.19 refused INPLACE and LOCK=NONE for it (measured)",
       note=_ENGINE_CHANGE),
    my("rewrite-table", "COPY", "SHARED", rebuild=True, when={"reason": "charset"},
       source=M8.format("Table Operations: 'Converting a character set' not in place, rebuilds, "
                        "no concurrent DML"),
       note="every text column is converted while the table is copied; writes wait"),
    my("rewrite-table", "INPLACE", "NONE", rebuild=True,
       source=M8.format("Table Operations: 'Rebuilding a table with the FORCE option' and "
                        "OPTIMIZE TABLE in place, concurrent DML"),
       note="tables with a FULLTEXT index need LOCK=SHARED or COPY"),
    # ---- ENUM / SET values -----------------------------------------------------------------
    my("add-enum-value", "INSTANT", "NONE", when={"enum_append": True},
       source=M8.format("Column Operations: 'Modifying the definition of an ENUM or SET column'"),
       note=_ENUM_COPY),
    my("add-enum-value", "COPY", "SHARED", rebuild=True,
       source=M8.format("Column Operations: ENUM/SET changes other than appending change the "
                        "column type (COPY)"),
       note=_ENUM_COPY),
    my("rename-enum-value", "COPY", "SHARED", rebuild=True,
       source=M8.format("Column Operations: 'Changing the column data type' only COPY"),
       note="renaming a value rewrites the member list: the table is copied, and the old "
            "application still writes the old label"),
    # ---- explicit locks --------------------------------------------------------------------
    my("lock-table", None, "SHARED", when={"mode": "READ"},
       source="MySQL 8.0 manual: LOCK TABLES [manual]", note="held until UNLOCK TABLES"),
    my("lock-table", None, "EXCLUSIVE",
       source="MySQL 8.0 manual: LOCK TABLES (WRITE) [manual]", note="held until UNLOCK TABLES"),
)

MARIADB: tuple[Row, ...] = (
    # ---- columns ---------------------------------------------------------------------------
    my("add-column", "INPLACE", "NONE", rebuild=True, when={"inline_foreign_key": True, "foreign_key_checks": False},
       source=HERE.format("ADD COLUMN ... REFERENCES with foreign_key_checks=0: INSTANT and NOCOPY refused, "
                          "INPLACE with LOCK=NONE rebuilt the table"),
       note="existing rows are not checked against the new foreign key"),
    my("add-column", "COPY", "SHARED", rebuild=True, when={"inline_foreign_key": True},
       source=HERE.format("ADD COLUMN ... REFERENCES: INSTANT, NOCOPY and INPLACE refused ('Adding foreign keys "
                          "needs foreign_key_checks=OFF'), COPY created the key"),
       note="MariaDB creates the inline REFERENCES as a foreign key: the table is copied while writes wait"),
    my("add-column", "COPY", "SHARED", rebuild=True, when={"generated_stored": True},
       source=V3.format("#18"),
       note="a STORED generated column copies the table; a VIRTUAL one is INSTANT "
            "(verify.md §3 #17)"),
    my("add-column", "INPLACE", "SHARED", rebuild=True, when={"identity": True},
       source=HERE.format("ADD COLUMN ... AUTO_INCREMENT: LOCK=NONE refused ('Adding an "
                          "auto-increment column requires a lock'), INPLACE with LOCK=SHARED "
                          "rebuilt the table"),
       note="an AUTO_INCREMENT column rebuilds the table and blocks writes meanwhile"),
    my("add-column", "COPY", "SHARED", rebuild=True, when={"default_volatile": True},
       source=HERE.format("ADD COLUMN ... DEFAULT (uuid()): INSTANT and INPLACE refused, COPY "
                          "accepted; DEFAULT (1) and DEFAULT CURRENT_TIMESTAMP were INSTANT"),
       note="a non-deterministic expression DEFAULT is computed for every row"),
    my("add-column", "INSTANT", "NONE", when={"position": True}, since="10.4",
       source=V3.format("#2") + "; " + KB.format("InnoDB Online DDL Operations with the INSTANT "
                                                 "Alter Algorithm (any position from 10.4)")),
    my("add-column", "INPLACE", "NONE", rebuild=True, when={"position": True}, until="10.4",
       source=KB.format("InnoDB Online DDL Operations with the INSTANT Alter Algorithm (10.3: "
                        "instant only as the last column)"),
       note="AFTER/FIRST rebuilds the table before MariaDB 10.4; append at the end instead"),
    my("add-column", "INSTANT", "NONE", since="10.3.2",
       source=V3.format("#1, #3 and 1M #1, #2") + "; " + KB.format("Instant ADD COLUMN for "
                                                                   "InnoDB (10.3.2)"),
       note="not when the table has a hidden FTS_DOC_ID column (FULLTEXT index)"),
    my("add-column", "INPLACE", "NONE", rebuild=True,
       source=KB.format("InnoDB Online DDL Operations with the INPLACE Alter Algorithm (ADD "
                        "COLUMN rebuilds)"),
       note="INSTANT ADD COLUMN from MariaDB 10.3.2"),
    my("drop-column", "INSTANT", "NONE", since="10.4", source=V3.format("#9")),
    my("drop-column", "INPLACE", "NONE", rebuild=True,
       source=KB.format("InnoDB Online DDL Operations with the INPLACE Alter Algorithm (DROP "
                        "COLUMN rebuilds)"),
       note="INSTANT DROP COLUMN from MariaDB 10.4"),
    my("rename-column", "INSTANT", "NONE",
       source=V3.format("#8") + "; " + HERE.format("CHANGE n m INT, ALGORITHM=INSTANT")),
    my("change-column-type", "INSTANT", "NONE", when={"enum_append": True},
       source=V3.format("#11"), note=_ENUM_COPY),
    my("change-column-type", "INSTANT", "NONE", when={"binary_coercible": True},
       source=V3.format("#5") + "; " + HERE.format("VARCHAR(50)->(60) utf8mb4 INSTANT, "
                                                   "->(70) refused ('Cannot change column "
                                                   "type')"),
       note="only while the byte length stays on the same side of 255 bytes: utf8mb4 "
            "VARCHAR(50)->(70) already copies the table (verify.md §3 #6)"),
    my("change-column-type", "COPY", "SHARED", rebuild=True,
       source=V3.format("#6, #7, #12 and 1M #3"),
       note="writes wait for the whole table copy; add a new column, dual-write, backfill and "
            "swap instead"),
    my("set-not-null", "INPLACE", "NONE", rebuild=True,
       source=V3.format("#10 and 1M #4"), note=_STRICT),
    my("drop-not-null", "INPLACE", "NONE", rebuild=True,
       source=HERE.format("MODIFY ... NULL: INSTANT and NOCOPY refused, INPLACE LOCK=NONE "
                          "rebuilt the table"),
       note="INSTANT only for ROW_FORMAT=REDUNDANT tables (MariaDB KB, 10.4.3+)"),
    my("set-default", "INSTANT", "NONE", source=V3.format("#4"),
       note="applies to rows inserted from now on"),
    my("drop-default", "INSTANT", "NONE", source=HERE.format("ALTER COLUMN ... DROP DEFAULT")),
    # ---- constraints -----------------------------------------------------------------------
    my("add-primary-key", "INPLACE", "NONE", rebuild=True, source=V3.format("#25 and #26"),
       note=_DUPLICATES),
    my("add-unique", "NOCOPY", "NONE", scan=True, source=V3.format("#14"), note=_DUPLICATES),
    my("add-check", "COPY", "SHARED", rebuild=True,
       source=V3.format("#19") + "; " + HERE.format("ADD CONSTRAINT ... CHECK, "
                                                    "ALGORITHM=INPLACE refused"),
       note="every row is checked while the table is copied; writes wait; there is no NOT "
            "VALID on MariaDB"),
    my("add-foreign-key", "NOCOPY", "NONE", when={"foreign_key_checks": False},
       source=V3.format("#22"),
       note="existing rows are not checked: the data must already be valid; an index on the "
            "column is built first if there is none"),
    my("add-foreign-key", "COPY", "SHARED", rebuild=True, source=V3.format("#20"),
       note="with foreign_key_checks=1 the table is copied and writes wait; SET "
            "foreign_key_checks=0 makes it NOCOPY but skips checking existing rows"),
    my("drop-constraint", "INPLACE", "NONE", rebuild=True, when={"constraint_kind": "primary-key", "replaced": True},
       source=V3.format("#26 (DROP PRIMARY KEY, ADD PRIMARY KEY (id, user_id): INPLACE, LOCK=NONE)")),
    my("drop-constraint", "COPY", "SHARED", rebuild=True, when={"constraint_kind": "primary-key"},
       source=V3.format("#24"),
       note="INPLACE (rebuild, concurrent DML) when the same ALTER adds a new primary key "
            "(verify.md §3 #26) or a NOT NULL UNIQUE key can take over (measured on MariaDB "
            "10.11.19 here)"),
    my("drop-constraint", "NOCOPY", "NONE", when={"constraint_kind": "unique"},
       source=HERE.format("DROP INDEX of a UNIQUE key: NOCOPY")),
    my("drop-constraint", "INSTANT", "NONE",
       source=HERE.format("DROP FOREIGN KEY and DROP CONSTRAINT <check>: INSTANT"),
       note="a PRIMARY KEY is different: its drop copies the table"),
    # ---- indexes ---------------------------------------------------------------------------
    my("create-index", "INPLACE", "SHARED", rebuild=True, when={"index_kind": "FULLTEXT", "first_fulltext": True},
       source=V3.format("#16 (ADD FULLTEXT INDEX: INPLACE, LOCK=SHARED, table rebuilt; re-measured here)"),
       note="the first FULLTEXT index adds InnoDB's hidden FTS_DOC_ID column: the table is rebuilt while "
            "writes wait (LOCK=SHARED)"),
    my("create-index", "INPLACE", "SHARED", scan=True, when={"index_kind": "FULLTEXT"},
       source=HERE.format("a second CREATE FULLTEXT INDEX: INPLACE, LOCK=SHARED, no rebuild; LOCK=NONE "
                          "refused (1846)"), note=_FULLTEXT),
    my("create-index", "INPLACE", "SHARED", scan=True, when={"index_kind": "SPATIAL"},
       source=HERE.format("ADD SPATIAL INDEX: INPLACE, LOCK=SHARED, no rebuild; LOCK=NONE refused (1846)"),
       note=_FULLTEXT),
    my("create-index", "NOCOPY", "NONE", scan=True, when={"unique": True},
       source=V3.format("#14"), note=_DUPLICATES + "; " + _FULLTEXT),
    my("create-index", "NOCOPY", "NONE", scan=True, source=V3.format("#13 and 1M #5"),
       note=_FULLTEXT + " (verify.md §3 #16)"),
    my("drop-index", "NOCOPY", "NONE", source=V3.format("#15")),
    # ---- tables and views ------------------------------------------------------------------
    my("create-table", None, None, source="a new table: no session uses it yet"),
    my("drop-table", None, "EXCLUSIVE", source=MDL,
       note="waits for every open transaction that touched the table"),
    my("rename-table", "INSTANT", "NONE", source=V3.format("#29"),
       note="RENAME TABLE waited for an open transaction's metadata lock (measured on MariaDB "
            "10.11.19 here)"),
    my("truncate-table", None, "EXCLUSIVE",
       source=HERE.format("TRUNCATE TABLE waited for an open reader's metadata lock"),
       note="drops and re-creates the table; the data is gone"),
    my("create-view", None, None,
       source=HERE.format("CREATE VIEW did not wait for an open reader")),
    my("replace-view", None, "EXCLUSIVE",
       source=HERE.format("CREATE OR REPLACE VIEW waited for a transaction reading the view"),
       note=_VIEW),
    my("drop-view", None, "EXCLUSIVE",
       source=HERE.format("DROP VIEW waited for a transaction reading the view"), note=_VIEW),
    my("set-schema", "INSTANT", "NONE",
       source=V3.format("#29 (RENAME)") + "; " + KB.format("RENAME TABLE (to another database)"),
       note="moves the table's files; no copy while both databases share a file system"),
    my("rewrite-table", "COPY", "SHARED", rebuild=True, when={"reason": "partitioning"},
       source=HERE.format("ALTER TABLE ... LOCK=NONE PARTITION BY / REMOVE PARTITIONING: 1846 'COPY "
                          "algorithm requires a lock', ALGORITHM=INPLACE refused (1845), LOCK=SHARED "
                          "accepted"),
       note="every row is copied into the new layout while writes wait"),
    my("rewrite-table", "INPLACE", "SHARED", rebuild=True, when={"reason": "partition-copy"},
       source=HERE.format("REORGANIZE PARTITION pmax INTO (...) and REBUILD PARTITION p2025 of a RANGE-partitioned "
                          "table: new TABLE_IDs for the partitions named only, reads went on, an INSERT into another "
                          "partition waited 2.1 s of the 2.9 s; any ALGORITHM=/LOCK= clause next to a partition "
                          "operation is a syntax error (1064)"),
       note=_PARTITION_COPY),
    my("rewrite-table", "COPY", "SHARED", rebuild=True, when={"reason": "engine-copy"},
       source=HERE.format("ALTER TABLE ... ENGINE=MyISAM on an InnoDB table, ENGINE=InnoDB on a MyISAM table: "
                          "ALGORITHM=INPLACE refused (1845, 'Try ALGORITHM=COPY'), LOCK=NONE refused (1846, 'COPY "
                          "algorithm requires a lock'), COPY with LOCK=SHARED accepted; ENGINE=MyISAM and FORCE on a "
                          "MyISAM table alike (INPLACE and LOCK=NONE refused)"),
       note=_ENGINE_CHANGE),
    my("rewrite-table", "COPY", "SHARED", rebuild=True, when={"reason": "charset"},
       source=V3.format("#28 (CONVERT TO CHARACTER SET: 'Cannot change column type')"),
       note="every text column is converted while the table is copied; writes wait"),
    my("rewrite-table", "INPLACE", "NONE", rebuild=True,
       source=HERE.format("ALTER TABLE ... FORCE and ALTER TABLE ... ENGINE=InnoDB: INPLACE, LOCK=NONE, "
                          "new TABLE_ID; OPTIMIZE TABLE: 'doing recreate + analyze instead', new TABLE_ID; all "
                          "three waited for an open transaction's metadata lock"),
       note="a table with a FULLTEXT or SPATIAL index needs LOCK=SHARED; OPTIMIZE TABLE reports a failure "
            "(such as a lock wait timeout) as a result row, not as an error, so Flyway does not see it"),
    # ---- ENUM / SET values -----------------------------------------------------------------
    my("add-enum-value", "INSTANT", "NONE", when={"enum_append": True}, source=V3.format("#11"),
       note=_ENUM_COPY),
    my("add-enum-value", "COPY", "SHARED", rebuild=True, source=V3.format("#12"),
       note=_ENUM_COPY),
    my("rename-enum-value", "COPY", "SHARED", rebuild=True,
       source=HERE.format("MODIFY ENUM('a','b') -> ENUM('z','b'): INSTANT, NOCOPY and INPLACE "
                          "refused ('Cannot change column type')"),
       note="renaming a value rewrites the member list: the table is copied, and the old "
            "application still writes the old label"),
    # ---- explicit locks --------------------------------------------------------------------
    my("lock-table", None, "SHARED", when={"mode": "READ"},
       source="MariaDB KB: LOCK TABLES [manual]", note="held until UNLOCK TABLES"),
    my("lock-table", None, "EXCLUSIVE", source="MariaDB KB: LOCK TABLES (WRITE) [manual]",
       note="held until UNLOCK TABLES"),
)

# Change kinds with no operation on these engines: cost() returns None for them.
MYSQL_NONE = frozenset({"validate-constraint", "reindex"})

# Statements outside the change vocabulary (catalog change kind "other", told apart by their
# `operation` detail): operation -> (metadata-lock level on the table, source). Both dialects alike.
OPERATIONS: dict[str, tuple[str | None, str]] = {
    "create-trigger": ("EXCLUSIVE", HERE.format("CREATE TRIGGER waited for a transaction that had read the "
                                                "table") + "; " + MDL),
    "drop-trigger": ("EXCLUSIVE", HERE.format("DROP TRIGGER waited for a transaction that had read the "
                                              "table") + "; " + MDL),
    "create-event": (None, HERE.format("CREATE EVENT did not wait for a transaction that had read the table "
                                       "its body uses")),
    "drop-event": (None, HERE.format("DROP EVENT did not wait for such a transaction")),
    "alter-event": (None, HERE.format("ALTER EVENT ... DISABLE did not wait for such a transaction")),
}

# Syntax that exists only from a version on: an older server rejects the statement (error 1064, a
# syntax error), so the migration fails there. feature -> dialect -> (first version that accepts it,
# the statement form as shown to the user, source). A feature that came in a release before the
# series' first GA release (MySQL 8.0.3 < 8.0.11, MariaDB 10.5.2 < 10.5.4) is gated at the series
# ("8.0", "10.5"): every production release of that series has it, and "--db-version 8.0" must not be
# read as a development milestone that lacked it. None: no version of that product has it.
SYNTAX_SINCE: dict[str, dict[str, tuple[str | None, str, str]]] = {
    "rename-column": {
        "mysql": ("8.0", "ALTER TABLE ... RENAME COLUMN",
                  "MySQL 8.0 manual: ALTER TABLE, Renaming, Redefining, and Reordering Columns (RENAME COLUMN: "
                  "MySQL 8.0.3, a development release before the first 8.0 GA release 8.0.11) [manual]; the MySQL "
                  "5.7 manual's ALTER TABLE has only CHANGE [manual]"),
        "mariadb": ("10.5", "ALTER TABLE ... RENAME COLUMN",
                    "MariaDB KB: ALTER TABLE, RENAME COLUMN (MariaDB 10.5.2, before the first 10.5 GA release "
                    "10.5.4; MDEV-16290) [manual]; measured on MariaDB 10.11.19 here: accepted"),
    },
    "rename-index": {
        "mysql": ("5.7", "ALTER TABLE ... RENAME INDEX",
                  "MySQL 5.7 manual: ALTER TABLE (RENAME INDEX|KEY from MySQL 5.7.1, before the first 5.7 GA "
                  "release 5.7.9) [manual]; Online DDL Operations: 'Renaming an index' [manual]"),
        "mariadb": ("10.5", "ALTER TABLE ... RENAME INDEX",
                    "MariaDB KB: ALTER TABLE, RENAME INDEX/KEY (MariaDB 10.5.2, before the first 10.5 GA release "
                    "10.5.4) [manual]; measured on MariaDB 10.11.19 here: RENAME INDEX and RENAME KEY accepted"),
    },
    "drop-constraint": {
        "mysql": ("8.0.19", "ALTER TABLE ... DROP CONSTRAINT",
                  "MySQL 8.0 manual: ALTER TABLE, Foreign Keys and Other Constraints ('As of MySQL 8.0.19, ALTER "
                  "TABLE permits more general (and SQL standard) syntax for dropping ... constraints of any type "
                  "... DROP CONSTRAINT symbol') [manual]"),
    },
    "drop-check": {
        "mariadb": (None, "ALTER TABLE ... DROP CHECK",
                    "measured on MariaDB 10.11.19 here: DROP CHECK ck is error 1064, DROP CONSTRAINT ck drops the "
                    "CHECK; MariaDB KB: ALTER TABLE (DROP CONSTRAINT for CHECK constraints, 10.2.1) [manual]"),
        "mysql": ("8.0.16", "ALTER TABLE ... DROP CHECK",
                  "MySQL 8.0 manual: CHECK Constraints ('Prior to MySQL 8.0.16, CREATE TABLE permits only the "
                  "following limited version of table CHECK constraint syntax, which is parsed and ignored') and "
                  "ALTER TABLE (DROP CHECK from 8.0.16) [manual]"),
    },
}

# The first version that enforces CHECK constraints: before it the server parses CHECK and ignores it
# (no existing row is checked, no write is refused), so a CHECK proves nothing about the data.
CHECK_ENFORCED_SINCE = {
    "mysql": ("8.0.16", "MySQL 8.0 manual: CHECK Constraints ('Prior to MySQL 8.0.16, CREATE TABLE permits only the "
                        "following limited version of table CHECK constraint syntax, which is parsed and ignored'; "
                        "from 8.0.16 a CHECK is enforced unless declared NOT ENFORCED) [manual]"),
    "mariadb": ("10.2.1", "MariaDB KB: CONSTRAINT ('MariaDB 10.2.1 now enforces constraints. Before MariaDB 10.2.1 "
                          "constraint expressions were accepted in the syntax but ignored'; check_constraint_checks=OFF "
                          "turns the checks off) [manual]; measured on MariaDB 10.11.19 here: with CHECK (c IS NOT "
                          "NULL), ADD CONSTRAINT over a NULL row, INSERT of NULL and UPDATE to NULL all failed (4025)"),
}
