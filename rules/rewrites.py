"""What a change costs on the database: rewrites, table copies and refused ALGORITHM/LOCK clauses.

The facts come from flylint.dbfacts (one table per dialect, each row with its source and the
version it applies from); rules only pick the changes and phrase the finding.
"""

from __future__ import annotations

from dataclasses import replace

from flylint.dbfacts import cost, describe
from flylint.rules import Example, rule

_T = "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
_T_MY = "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100));\n"

# Kinds that can rebuild a table and are not already the subject of a more specific rule's finding
# (set-not-null, constraints and type changes have their own rules).
_REWRITE_KINDS = {"add-column", "drop-column", "rewrite-table", "drop-constraint", "drop-not-null", "set-default",
                  "drop-default", "rename-column", "create-index"}


def initsql_fk_checks_off(ctx) -> bool:
    """Whether Flyway's initSql (run on every connection) sets MySQL foreign_key_checks off."""
    import re

    init = str(ctx.settings.get("init_sql") or "")
    return bool(re.search(r"foreign_key_checks\s*=\s*'?(0|off|false)\b", init, re.I))


def change_cost(ctx, ch):
    d = dict(ch.detail)
    if ch.kind == "add-foreign-key" and "foreign_key_checks" not in d and initsql_fk_checks_off(ctx):
        d["foreign_key_checks"] = False
    opts = d.get("options") or {}
    d["algorithm"], d["lock"] = opts.get("algorithm"), opts.get("lock")
    try:
        return cost(ctx.dialect, ch.kind, ctx.db_version, **d)
    except (ValueError, TypeError):
        return None


def _version_note(ctx, c) -> str:
    if c.assumed_version:
        name = {"postgres": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB"}[ctx.dialect]
        return f" (assuming {name} {c.assumed_version}, the oldest supported: pass --db-version for yours)"
    return ""


@rule(
    id="table-rewrite",
    title="Change rewrites or copies a live table",
    severity="warning",
    klass="neutral",
    rationale=(
        "Some changes rebuild the whole table: on PostgreSQL a column with a volatile default, a "
        "serial or identity column, a stored generated column, VACUUM FULL or CLUSTER rewrite it "
        "under an ACCESS EXCLUSIVE lock; on MySQL/MariaDB many ALTER TABLE forms fall back to "
        "ALGORITHM=COPY, which blocks writes for the whole copy. On a big table that is an outage "
        "for the live application. Which changes do this depends on the server version "
        "(--db-version)."
    ),
    fix="Use the form that avoids the rewrite (add the column without the volatile default, then "
    "SET DEFAULT and backfill in batches), or an online schema change tool on MySQL.",
    examples=(
        Example({"V1__init.sql": _T, "V2__add.sql": "SET lock_timeout = '5s';\n"
                 "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"}, True),
        Example({"V1__init.sql": _T, "V2__add.sql": "SET lock_timeout = '5s';\n"
                 "ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now();\n"}, False,
                title="now() is not volatile: no rewrite on PostgreSQL 11+"),
        Example({"V1__init.sql": _T, "V2__add.sql": "SET lock_timeout = '5s';\n"
                 "ALTER TABLE users ADD COLUMN status text DEFAULT 'new';\n"}, True, db_version="10",
                title="any default rewrites the table before PostgreSQL 11"),
        Example({"V1__init.sql": _T_MY, "V2__charset.sql": "ALTER TABLE users CONVERT TO CHARACTER SET utf8mb4;\n"},
                True, dialect="mysql"),
        Example({"V1__init.sql": _T_MY, "V2__add.sql": "ALTER TABLE users ADD COLUMN age int;\n"}, False,
                dialect="mysql", db_version="8.0.35", title="INSTANT ADD COLUMN on MySQL 8.0.12+"),
        Example({"V1__init.sql": _T + "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"},
                False, title="table born in the same migration"),
        Example({"V1__init.sql": _T_MY, "V2__ft.sql": "ALTER TABLE users ADD FULLTEXT INDEX users_email_ft (email);\n"},
                True, dialect="mysql", db_version="8.0.35", title="the first FULLTEXT index rebuilds the table"),
        Example({"V1__init.sql": _T_MY, "V2__ft.sql": "CREATE FULLTEXT INDEX users_email_ft ON users (email);\n"},
                True, dialect="mariadb", db_version="10.11", title="CREATE FULLTEXT INDEX too"),
        Example({"V1__init.sql": _T_MY + "CREATE FULLTEXT INDEX users_email_ft ON users (email);\n",
                 "V2__ft.sql": "SET SESSION lock_wait_timeout = 5;\nCREATE FULLTEXT INDEX users_email_ft2 ON users (email);\n"},
                False, dialect="mysql", db_version="8.0.35",
                title="a later FULLTEXT index: FTS_DOC_ID exists, no rebuild"),
        Example({"V1__init.sql": _T_MY + "ALTER TABLE users ADD FULLTEXT INDEX users_email_ft (email);\n"},
                False, dialect="mysql", title="FULLTEXT index on a table born in the same migration"),
    ),
)
def table_rewrite(rule, ctx):
    for fa, st, ch in ctx.changes_of(*_REWRITE_KINDS):
        if ch.born:
            continue
        c = change_cost(ctx, ch)
        if c is None or c.refused:
            continue
        copies = c.rewrite or c.algorithm == "COPY"
        if not copies:
            continue
        if ctx.dialect != "postgres" and c.lock in (None, "NONE") and c.algorithm != "COPY":
            continue  # an online rebuild: reads and writes go on
        table = ch.table[1] if ch.table else ch.object
        if ch.kind == "add-column" and ctx.dialect == "postgres":
            col = ch.detail.get("column")
            fix = (f"Add {table}.{col} without the default (ALTER TABLE {table} ADD COLUMN {col} "
                   f"{ch.detail.get('type')};), then ALTER TABLE {table} ALTER COLUMN {col} SET DEFAULT ...; "
                   "for new rows, and backfill existing rows in batches.")
        elif ctx.dialect == "postgres":
            fix = "Run it in a maintenance window, or use pg_repack (or REPACK CONCURRENTLY on PostgreSQL 19+)."
        else:
            fix = ("Run it with an online schema change tool (gh-ost, pt-online-schema-change) on big tables, "
                   "or at a quiet time; add ALGORITHM=INPLACE, LOCK=NONE to make MySQL refuse instead of copying.")
        yield rule.finding(
            fa.migration.display, st.span,
            f"{ch.description[0].upper() + ch.description[1:]} {describe(c)}{_version_note(ctx, c)}: "
            f"the live application waits for the whole rebuild of {table}.",
            fix=fix, object=ch.object, change=ch.kind,
        )


@rule(
    id="algorithm-refused",
    title="ALGORITHM or LOCK clause the server refuses for this change",
    severity="error",
    klass="neutral",
    rationale=(
        "An explicit ALGORITHM=INSTANT/INPLACE or LOCK=NONE is a good guard: MySQL/MariaDB refuse "
        "the statement instead of silently copying the table. But it means the migration fails "
        "when the change cannot be done that way on the target version."
    ),
    fix="Drop or weaken the clause and plan the copy (online schema change tool), or change the "
    "statement into a form the server can do in place.",
    examples=(
        Example({"V1__init.sql": _T_MY,
                 "V2__type.sql": "ALTER TABLE users MODIFY email varchar(50), ALGORITHM=INSTANT;\n"}, True,
                dialect="mysql"),
        Example({"V1__init.sql": _T_MY,
                 "V2__add.sql": "ALTER TABLE users ADD COLUMN age int, ALGORITHM=INSTANT;\n"}, False,
                dialect="mariadb"),
    ),
)
def algorithm_refused(rule, ctx):
    if ctx.dialect == "postgres":
        return
    for fa, st, ch in ctx.changes():
        if not (ch.detail.get("options") or {}):
            continue
        c = change_cost(ctx, ch)
        if c is None or not c.refused:
            continue
        opts = ch.detail["options"]
        clause = ", ".join(f"{k.upper()}={v}" for k, v in opts.items())
        yield rule.finding(
            fa.migration.display, st.span,
            f"The server refuses {clause} for this change ({ch.description}): {c.note or describe(c)}"
            f"{_version_note(ctx, c)}; the migration fails here.",
            fix=rule.fix, object=ch.object, change=ch.kind,
        )


_LOCK_RANK = {None: 0, "NONE": 0, "SHARED": 1, "EXCLUSIVE": 2}


@rule(
    id="mysql-blocking-clause",
    title="ALGORITHM=COPY or LOCK=SHARED/EXCLUSIVE makes a change block the live application",
    severity="warning",
    klass="neutral",
    rationale=(
        "ALGORITHM=COPY forces a full table copy, LOCK=SHARED blocks writes and LOCK=EXCLUSIVE blocks "
        "reads and writes for the whole operation, even when MySQL/MariaDB could do the change in place "
        "with concurrent reads and writes. On a live table that is an outage for as long as the "
        "operation takes."
    ),
    fix="Remove the clause, or write ALGORITHM=INPLACE, LOCK=NONE (or ALGORITHM=INSTANT) so the server refuses "
    "the statement instead of blocking.",
    examples=(
        Example({"V1__init.sql": _T_MY, "V2__idx.sql": "ALTER TABLE users ADD INDEX users_email (email), "
                 "LOCK=EXCLUSIVE;\n"}, True, dialect="mysql", db_version="8.0.35"),
        Example({"V1__init.sql": _T_MY, "V2__idx.sql": "ALTER TABLE users ADD INDEX users_email (email), "
                 "ALGORITHM=INPLACE, LOCK=NONE;\n"}, False, dialect="mysql", db_version="8.0.35"),
        Example({"V1__init.sql": _T_MY + "ALTER TABLE users ADD INDEX users_email (email), LOCK=EXCLUSIVE;\n"},
                False, dialect="mysql", title="table born in the same migration"),
    ),
)
def mysql_blocking_clause(rule, ctx):
    if ctx.dialect == "postgres":
        return
    for fa, st, ch in ctx.changes():
        opts = ch.detail.get("options") or {}
        if ch.born or not (opts.get("algorithm") == "COPY" or opts.get("lock") in ("SHARED", "EXCLUSIVE")):
            continue
        c = change_cost(ctx, ch)
        if c is None or c.refused:
            continue
        plain = change_cost(ctx, replace(ch, detail={**ch.detail, "options": {}}))
        if plain is None:
            continue
        if ch.kind in _REWRITE_KINDS and c.algorithm == "COPY":
            continue  # table-rewrite reports the copy
        worse = _LOCK_RANK.get(c.lock, 0) > _LOCK_RANK.get(plain.lock, 0) or (
            c.algorithm == "COPY" and plain.algorithm != "COPY")
        if not worse:
            continue
        clause = ", ".join(f"{k.upper()}={v}" for k, v in opts.items())
        table = ch.table[1] if ch.table else ch.object
        yield rule.finding(
            fa.migration.display, st.span,
            f"{clause} makes this change ({ch.description}) {describe(c)}{_version_note(ctx, c)}; without it the "
            f"server would do it as {describe(plain)}.",
            fix=f"Remove {clause} from this statement, or write ALGORITHM=INPLACE, LOCK=NONE so the server refuses "
            f"instead of blocking {table}.",
            object=ch.object, change=ch.kind,
        )
