"""Locks and run-time safety: statements that block the live application or fail halfway."""

from __future__ import annotations

from flylint.rules import Example, rule

_T = "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
_T_MY = "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(255));\n"

# Changes that take a lock conflicting with the live application's reads or writes on PostgreSQL
# (ACCESS EXCLUSIVE for most ALTER TABLE forms, SHARE for a plain CREATE INDEX).
_PG_LOCKING = {
    "add-column", "drop-column", "rename-column", "change-column-type", "set-not-null", "drop-not-null",
    "set-default", "drop-default", "add-primary-key", "add-unique", "add-check", "add-foreign-key",
    "drop-constraint", "rename-table", "drop-table", "truncate-table", "rewrite-table", "lock-table",
    "set-schema",
}


def _takes_lock(ch) -> bool:
    if ch.born:
        return False
    if ch.kind in _PG_LOCKING:
        return True
    if ch.kind in ("create-index", "drop-index", "reindex"):
        return not ch.detail.get("concurrently")
    return False


@rule(
    id="index-without-concurrently",
    title="Index built or dropped on a live table without CONCURRENTLY",
    severity="warning",
    klass="neutral",
    rationale=(
        "On PostgreSQL, CREATE INDEX takes a SHARE lock that blocks every INSERT, UPDATE and DELETE "
        "on the table for the whole build; DROP INDEX and REINDEX take an ACCESS EXCLUSIVE lock. "
        "The CONCURRENTLY forms do not block writes (they must run outside a transaction: alone in "
        "their migration, which Flyway then runs without one)."
    ),
    fix="CREATE INDEX CONCURRENTLY / DROP INDEX CONCURRENTLY / REINDEX ... CONCURRENTLY, alone in a migration.",
    examples=(
        Example({"V1__init.sql": _T, "V2__idx.sql": "CREATE INDEX users_email_idx ON users (email);\n"}, True),
        Example({"V1__init.sql": _T, "V2__idx.sql": "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n"},
                False),
        Example({"V1__init.sql": _T + "CREATE INDEX users_email_idx ON users (email);\n"}, False,
                title="table born in the same migration"),
        Example({"V1__init.sql": _T_MY, "V2__idx.sql": "CREATE INDEX users_email_idx ON users (email);\n"}, False,
                dialect="mysql", title="MySQL builds indexes online (INPLACE, LOCK=NONE)"),
    ),
)
def index_without_concurrently(rule, ctx):
    if ctx.dialect != "postgres":
        return
    for fa, st, ch in ctx.changes():
        if ch.kind not in ("create-index", "drop-index", "reindex") or ch.born or ch.detail.get("concurrently"):
            continue
        if ch.kind == "reindex" and ch.detail.get("target") in ("SCHEMA", "DATABASE", "SYSTEM"):
            pass
        table = ch.table[1] if ch.table else "the table"
        if ch.kind == "create-index":
            msg = (f"Building index {ch.object} takes a SHARE lock on {table}: the live application's inserts, "
                   "updates and deletes wait until the whole index is built.")
            fix = (f"CREATE {'UNIQUE ' if ch.detail.get('unique') else ''}INDEX CONCURRENTLY {ch.object} ON "
                   f"{table} (...); alone in its own migration, so Flyway runs it outside a transaction.")
        elif ch.kind == "drop-index":
            msg = f"Dropping index {ch.object} takes an ACCESS EXCLUSIVE lock on {table}, blocking reads and writes."
            fix = f"DROP INDEX CONCURRENTLY {ch.object}; alone in its own migration."
        else:
            msg = f"REINDEX without CONCURRENTLY locks {ch.object} against writes (and its index against reads)."
            fix = "REINDEX ... CONCURRENTLY (PostgreSQL 12+), alone in its own migration."
        yield rule.finding(fa.migration.display, st.span, msg, fix=fix, object=ch.object, change=ch.kind)


@rule(
    id="lock-timeout",
    title="Lock taken on a live table without a lock_timeout",
    severity="warning",
    klass="neutral",
    rationale=(
        "Even a quick ALTER TABLE needs an exclusive lock. If a long query of the live application "
        "holds a conflicting lock, the ALTER waits, and every query that arrives after it queues "
        "behind it: the table is blocked for everyone until the long query ends. A lock_timeout "
        "makes the migration fail fast instead (Flyway can then simply be rerun)."
    ),
    fix="Start the migration with SET lock_timeout = '5s'; (SET LOCAL inside Flyway's transaction works "
    "too), or set it for every migration with Flyway's initSql.",
    examples=(
        Example({"V1__init.sql": _T, "V2__add.sql": "ALTER TABLE users ADD COLUMN name text;\n"}, True),
        Example({"V1__init.sql": _T, "V2__add.sql": "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN name text;\n"},
                False),
        Example({"V1__init.sql": _T + "ALTER TABLE users ADD COLUMN name text;\n"}, False,
                title="table born in the same migration"),
        Example({"V1__init.sql": _T, "V2__add.sql": "ALTER TABLE users ADD COLUMN name text;\n",
                 "flyway.conf": "flyway.initSql=SET lock_timeout = '5s'\n"}, False,
                title="set for every connection with Flyway's initSql"),
    ),
)
def lock_timeout(rule, ctx):
    if ctx.dialect != "postgres" or ctx.replay is None:
        return
    init_sql = str(ctx.settings.get("init_sql") or "").lower()
    for fi, per_file in enumerate(ctx.replay.changes):
        fa = ctx.files[fi]
        timeout_set = "lock_timeout" in init_sql  # Flyway's initSql runs on every connection it opens
        for si, changes in enumerate(per_file):
            st = fa.statements[si]
            hit = None
            for ch in changes:
                if ch.kind == "session-setting":
                    for name, value in ch.detail.get("settings") or ():
                        if name == "lock_timeout":
                            timeout_set = not ch.detail.get("reset") and str(value).strip("'\" ") not in ("0", "")
                        elif name == "all":
                            timeout_set = False
                elif hit is None and _takes_lock(ch):
                    hit = ch
            if hit is not None and not timeout_set:
                table = hit.table[1] if hit.table else hit.object
                yield rule.finding(
                    fa.migration.display, st.span,
                    f"This statement locks {table}, which the live application uses, and no lock_timeout is set "
                    "earlier in this migration: if it has to wait for a long-running query, every query on "
                    f"{table} queues behind it.",
                    fix=f"Add SET lock_timeout = '5s'; at the top of {fa.migration.path.name}, and retry the "
                    "migration if it times out.",
                    object=hit.object, change=hit.kind,
                )
                break  # one finding per migration


@rule(
    id="backfill-under-lock",
    title="Backfill while the migration holds an exclusive lock",
    severity="warning",
    klass="data",
    rationale=(
        "On PostgreSQL a Flyway migration is one transaction: the ACCESS EXCLUSIVE lock taken by an "
        "ALTER TABLE is held until the migration commits. An UPDATE of the same table later in the "
        "same migration therefore runs with the table locked against every read and write of the "
        "live application, for as long as the update takes."
    ),
    fix="Move the backfill to its own migration (after the ALTER) and batch it on big tables.",
    examples=(
        Example({"V1__init.sql": _T, "V2__add.sql": "ALTER TABLE users ADD COLUMN name text;\n"
                 "UPDATE users SET name = email;\n"}, True),
        Example({"V1__init.sql": _T, "V2__add.sql": "ALTER TABLE users ADD COLUMN name text;\n",
                 "V3__fill.sql": "UPDATE users SET name = email;\n"}, False),
    ),
)
def backfill_under_lock(rule, ctx):
    if ctx.dialect != "postgres" or ctx.replay is None:
        return
    for fi, per_file in enumerate(ctx.replay.changes):
        fa = ctx.files[fi]
        if fa.migration.config.execute_in_transaction is False or not all(s.transactional for s in fa.statements):
            continue
        locked: dict = {}
        for si, changes in enumerate(per_file):
            for ch in changes:
                if ch.kind == "backfill" and not ch.born and ch.table in locked:
                    first = locked[ch.table]
                    yield rule.finding(
                        fa.migration.display, fa.statements[si].span,
                        f"This backfill of {ch.table[1]} runs while the migration still holds the lock taken by "
                        f"line {first.span.line} ({first.text.split(chr(10))[0][:60]}): the live application "
                        f"cannot read or write {ch.table[1]} until the migration commits.",
                        fix=f"Move this UPDATE into its own migration after {fa.migration.path.name}, batched "
                        f"(e.g. WHERE id BETWEEN ... on {ch.table[1]}).",
                        object=ch.object, change=ch.kind,
                    )
                elif _takes_lock(ch) and ch.table is not None and ch.kind not in ("create-index", "drop-index"):
                    locked.setdefault(ch.table, fa.statements[si])


@rule(
    id="mysql-multiple-ddl",
    title="Several DDL statements in one MySQL/MariaDB migration",
    severity="warning",
    klass="neutral",
    rationale=(
        "MySQL and MariaDB commit every DDL statement on its own. If the third statement of a "
        "migration fails, the first two stay applied, Flyway records the migration as failed, and "
        "neither a rerun nor a rollback works until someone repairs the schema by hand and runs "
        "flyway repair. One DDL statement per migration keeps each failure clean."
    ),
    fix="Split the migration: one DDL statement per migration (several ALTER TABLE actions on one "
    "table can go into a single statement).",
    examples=(
        Example({"V1__init.sql": _T_MY, "V2__two.sql": "ALTER TABLE users ADD COLUMN a int;\n"
                 "ALTER TABLE users ADD COLUMN b int;\n"}, True, dialect="mysql"),
        Example({"V1__init.sql": _T_MY, "V2__one.sql": "ALTER TABLE users ADD COLUMN a int, ADD COLUMN b int;\n"},
                False, dialect="mysql"),
        Example({"V1__init.sql": _T_MY + "CREATE TABLE orders (id int);\n"}, False, dialect="mysql",
                title="only objects created in the same migration"),
    ),
)
def mysql_multiple_ddl(rule, ctx):
    if ctx.dialect not in ("mysql", "mariadb") or ctx.replay is None:
        return
    ddl_kinds = {"backfill", "delete-all", "session-setting", "other", "unanalysed", "lock-table"}
    for fi, per_file in enumerate(ctx.replay.changes):
        fa = ctx.files[fi]
        ddl = [si for si, changes in enumerate(per_file) if any(c.kind not in ddl_kinds for c in changes)]
        live = [si for si in ddl if any(not c.born and c.kind not in ddl_kinds for c in per_file[si])]
        if len(ddl) < 2 or not live:
            continue
        second = fa.statements[ddl[1]]
        yield rule.finding(
            fa.migration.display, second.span,
            f"{fa.migration.path.name} runs {len(ddl)} DDL statements; MySQL commits each one, so a failure here "
            "leaves the earlier ones applied and the migration marked failed, with no rollback.",
            fix=f"Move this statement (and each further DDL statement) into a migration of its own after "
            f"{fa.migration.path.name}.",
        )


@rule(
    id="enum-value-used-in-transaction",
    title="New enum value used in the migration that adds it",
    severity="error",
    klass="neutral",
    rationale=(
        "Since PostgreSQL 12, ALTER TYPE ... ADD VALUE may run inside a transaction, and Flyway runs "
        "it in the migration's transaction. But the new value cannot be used before that transaction "
        "commits: a later statement of the same migration that writes or compares it fails with "
        "\"unsafe use of new value\", and the whole migration is rolled back."
    ),
    fix="Add the value in one migration and use it in the next one.",
    examples=(
        Example({"V1__init.sql": "CREATE TYPE status AS ENUM ('new', 'done');\nCREATE TABLE t (id int, s status);\n",
                 "V2__cancel.sql": "ALTER TYPE status ADD VALUE 'cancelled';\n"
                 "UPDATE t SET s = 'cancelled' WHERE id = 1;\n"}, True),
        Example({"V1__init.sql": "CREATE TYPE status AS ENUM ('new', 'done');\nCREATE TABLE t (id int, s status);\n",
                 "V2__cancel.sql": "ALTER TYPE status ADD VALUE 'cancelled';\n",
                 "V3__use.sql": "UPDATE t SET s = 'cancelled' WHERE id = 1;\n"}, False),
    ),
)
def enum_value_used_in_transaction(rule, ctx):
    if ctx.dialect != "postgres" or ctx.replay is None:
        return
    for fi, per_file in enumerate(ctx.replay.changes):
        fa = ctx.files[fi]
        if fa.migration.config.execute_in_transaction is False or not all(s.transactional for s in fa.statements):
            continue  # Flyway runs it without a transaction: the value is committed at once
        added: dict[str, object] = {}
        for si, changes in enumerate(per_file):
            st = fa.statements[si]
            for value, first in added.items():
                if f"'{value}'" in st.text:
                    yield rule.finding(
                        fa.migration.display, st.span,
                        f"'{value}' is added to its enum type at line {first.span.line} of this migration; "
                        "PostgreSQL refuses to use it before that transaction commits (\"unsafe use of new "
                        "value\"), so the migration fails.",
                        fix=f"Move this statement into the next migration, after {fa.migration.path.name}.",
                        object=value,
                    )
                    break
            for ch in changes:
                if ch.kind == "add-enum-value":
                    value = ch.detail.get("value") or ch.object.rsplit(".", 1)[-1]
                    added.setdefault(value.replace("'", "''"), st)
