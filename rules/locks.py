"""Locks and run-time safety: statements that block the live application or fail halfway."""

from __future__ import annotations

import functools
import re

from flylint.rules import Example, is_zero, rule, runs_in_transaction, session_default
from flylint.rules.names import TableName, sql_name, table_name

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


def _backfilled_tables(ctx, pick) -> dict[int, set]:
    """Migration index -> the tables of its backfill changes that `pick` chooses."""
    out: dict[int, set] = {}
    for _, _, ch in ctx.changes_of("backfill"):
        if pick(ch):
            out.setdefault(ch.file, set()).add(ch.table)
    return out


def _files_with(ctx, kind: str) -> set[int]:
    """The indexes of the migrations with a change of this kind (the rest need no walk)."""
    return {ch.file for _, _, ch in ctx.changes_of(kind)}


def _takes_lock(ch) -> bool:
    if ch.kind == "create-table":
        # the new table is not live, but a FOREIGN KEY locks each live table it references: SHARE ROW
        # EXCLUSIVE, briefly (measured on PostgreSQL 15.20), like an inline REFERENCES of ADD COLUMN
        return bool(ch.detail.get("references_live"))
    if ch.born:
        return False
    if ch.detail.get("domain"):
        # ALTER DOMAIN: a SHARE lock on every table with a column of the domain while it checks them
        # (measured on PostgreSQL 15.20: ADD CONSTRAINT, VALIDATE CONSTRAINT, SET NOT NULL)
        return bool(ch.detail.get("live_columns")) and _domain_scan(ch)
    if ch.kind == "other" and ch.detail.get("partition_op"):
        return not ch.detail.get("concurrently")
    if ch.kind == "other" and ch.detail.get("trigger"):
        # CREATE TRIGGER: SHARE ROW EXCLUSIVE, blocks writes; DROP TRIGGER: ACCESS EXCLUSIVE (flylint.dbfacts)
        return not ch.detail.get("on_view")
    if ch.kind == "rewrite-table" and ch.detail.get("reason") == "refresh":
        # REFRESH MATERIALIZED VIEW CONCURRENTLY: EXCLUSIVE, which reads do not queue behind
        return not ch.detail.get("concurrently")
    if ch.kind in _PG_LOCKING:
        return True
    if ch.kind in ("create-index", "drop-index", "reindex"):
        # an index on a materialized view: SHARE blocks only its REFRESH, reads go on
        return not ch.detail.get("concurrently") and not ch.detail.get("matview")
    return False


def _share_row_exclusive(ch) -> bool:
    """The PostgreSQL lock is SHARE ROW EXCLUSIVE (blocks writes, not reads): a new table's FOREIGN KEY on
    the table it references (measured on PostgreSQL 15.20), CREATE TRIGGER (flylint.dbfacts)."""
    if ch.kind == "create-table":
        return True
    if ch.kind == "other" and ch.detail.get("operation"):
        from flylint.dbfacts import operation_lock

        found = operation_lock("postgres", ch.detail["operation"])
        return found is not None and found[0] == "SHARE ROW EXCLUSIVE"
    return False


def _takes_mdl(ch) -> bool:
    """MySQL/MariaDB: the change needs an exclusive metadata lock on a live table (and does not bound
    the wait itself with MariaDB's WAIT n / NOWAIT)."""
    if ch.born or ch.detail.get("lock_wait"):
        return False
    if ch.kind == "other" and ch.detail.get("operation"):  # triggers, events: flylint.dbfacts knows their lock
        from flylint.dbfacts import operation_lock

        found = operation_lock("mysql", ch.detail["operation"])
        # DROP TRIGGER of a trigger the history did not create: its (live) table is not known, it still waits
        return found is not None and found[0] is not None and (ch.table is not None or ch.detail.get("trigger"))
    if ch.table is None:
        return False
    return ch.kind in _PG_LOCKING or ch.kind in ("create-index", "drop-index") or (
        ch.kind == "other" and bool(ch.detail.get("partition_op") or ch.detail.get("trigger")))


def _domain_scan(ch) -> bool:
    return ch.kind in ("set-not-null", "validate-constraint") or (ch.kind == "add-check" and not ch.detail.get("not_valid"))


def _locked_tables(ch) -> str:
    if ch.detail.get("domain"):
        return ", ".join(dict.fromkeys(c.split(".")[0] for c in ch.detail.get("live_columns") or ()))
    if ch.kind == "create-table":  # the new table is not live: only the tables it references are
        return " and ".join(dict.fromkeys(r[1] for r in ch.detail.get("references_live") or ()))
    if ch.table is None and ch.detail.get("trigger"):
        return f"the table of trigger {ch.object}"
    own = ch.table[1] if ch.table else ch.object
    # A foreign key (ADD CONSTRAINT or an inline REFERENCES of ADD COLUMN) also locks the referenced
    # table: SHARE ROW EXCLUSIVE, its writes wait (measured on PostgreSQL 15.20 here).
    names = [own] + [r[1] for r in ch.detail.get("references_live") or () if r != ch.table]
    return " and ".join(dict.fromkeys(names))


@rule(
    id="index-without-concurrently",
    title="Index built, rebuilt or dropped on a live table without CONCURRENTLY",
    severity="warning",
    klass="neutral",
    rationale=(
        "On PostgreSQL, CREATE INDEX takes a SHARE lock that blocks every INSERT, UPDATE and DELETE "
        "on the table for the whole build; DROP INDEX takes an ACCESS EXCLUSIVE lock; REINDEX blocks writes and, "
        "because the planner opens every index of a table it queries, almost every read of the table too "
        "(measured on PostgreSQL 15). "
        "The CONCURRENTLY forms do not block writes (they must run outside a transaction: alone in "
        "their migration, which Flyway then runs without one; for REINDEX ... CONCURRENTLY, PostgreSQL 12+, "
        "Flyway needs executeInTransaction=false in the migration's .sql.conf)."
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
        Example({"V1__init.sql": "CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);\n",
                 "V2__idx.sql": "CREATE INDEX CONCURRENTLY events_at_idx ON events (at);\n"}, True,
                title="CONCURRENTLY on a partitioned table fails"),
        Example({"V1__init.sql": "CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);\n",
                 "V2__idx.sql": "CREATE INDEX events_at_idx ON ONLY events (at);\n"}, False,
                title="ON ONLY the partitioned table: no data is read"),
        Example({"V1__init.sql": _T + "CREATE INDEX users_email_idx ON users (email);\n",
                 "V2__reindex.sql": "REINDEX INDEX users_email_idx;\n"}, True,
                title="REINDEX blocks writes to the table, and reads through the planner"),
        Example({"V1__init.sql": _T + "CREATE INDEX users_email_idx ON users (email);\nREINDEX TABLE users;\n"}, False,
                title="REINDEX of a table born in the same migration"),
    ),
)
def index_without_concurrently(rule, ctx):
    if ctx.dialect != "postgres":
        return
    for fa, st, ch in ctx.changes_of("create-index", "drop-index", "reindex"):
        if ch.detail.get("partitioned") and not ch.born:
            yield from _partitioned_index(rule, ctx, fa, st, ch)
            continue
        if ch.born or ch.detail.get("concurrently") or ch.detail.get("matview"):
            continue  # (an index on a materialized view blocks only its REFRESH: reads go on)
        if ch.kind == "reindex":
            yield _plain_reindex(rule, ctx, fa, st, ch)
            continue
        table = table_name(ch) if ch.table else "the table"
        if ch.kind == "create-index":
            msg = (f"Building index {ch.object} takes a SHARE lock on {table}: the live application's inserts, "
                   "updates and deletes wait until the whole index is built.")
            fix = f"{_concurrently(ctx, st, ch, table)} alone in its own migration, so Flyway runs it outside a transaction."
        else:
            msg = f"Dropping index {ch.object} takes an ACCESS EXCLUSIVE lock on {table}, blocking reads and writes."
            fix = f"DROP INDEX CONCURRENTLY {sql_name(ctx, ch.object)}; alone in its own migration."
        yield rule.finding(fa.migration.display, st.span, msg, fix=fix, object=ch.object, change=ch.kind)


def _plain_reindex(rule, ctx, fa, st, ch):
    """REINDEX without CONCURRENTLY: SHARE on the table, ACCESS EXCLUSIVE on each index rebuilt
    (flylint.dbfacts: the reindex rows)."""
    target = ch.detail.get("target") or "INDEX"
    if target == "INDEX":
        known = ch.table and ch.table[1] != ch.object
        table = table_name(ch) if known else "its table"
        shown = table if known else "the table"
        msg = (f"REINDEX INDEX {ch.object} takes a SHARE lock on {table} and an ACCESS EXCLUSIVE lock on "
               f"{ch.object}: the live application's writes to {shown} wait until the index is rebuilt, and so do "
               f"almost all its reads of {shown} (the planner opens every index of a table it queries).")
    elif target == "TABLE":
        msg = (f"REINDEX TABLE {ch.object} takes a SHARE lock on {ch.object} and an ACCESS EXCLUSIVE lock on each of "
               f"its indexes: the live application's writes to {ch.object} wait until every index is rebuilt, and so "
               f"do almost all its reads of {ch.object} (the planner opens every index of a table it queries).")
    else:
        msg = (f"REINDEX {target}{' ' + ch.object if ch.object != target.lower() else ''} rebuilds the indexes of "
               "every table in it, each under a SHARE lock on its table and an ACCESS EXCLUSIVE lock on the index: "
               "the live application's writes, and almost all its reads (the planner opens every index of a table "
               "it queries), wait table by table.")
    if _reindex_concurrently_since(ctx):
        server, assumed = _pg_server(ctx)
        fix = f"{server}{assumed} has no REINDEX ... CONCURRENTLY (PostgreSQL 12+). " + _old_reindex_fix(ctx, ch)
    elif target in ("INDEX", "TABLE"):
        fix = (f"REINDEX {target} CONCURRENTLY {sql_name(ctx, ch.object)}; alone in its own migration, with "
               f"{fa.migration.path.name}.conf (or the new migration's .conf) containing executeInTransaction=false: "
               "Flyway does not detect that it cannot run in a transaction.")
    elif target == "SYSTEM":
        fix = "Run REINDEX SYSTEM at a quiet time, outside the migrations (system catalogs cannot be reindexed concurrently)."
    else:
        name = f" {sql_name(ctx, ch.object)}" if ch.object != target.lower() else ""
        fix = (f"REINDEX {target} CONCURRENTLY{name}; alone in its own migration (Flyway runs REINDEX {target} outside "
               "a transaction).")
    return rule.finding(fa.migration.display, st.span, msg, fix=fix, object=ch.object, change=ch.kind)


_CREATE_INDEX = re.compile(r"\s*CREATE\s+(?:UNIQUE\s+)?INDEX\b", re.IGNORECASE)


def _concurrently(ctx, st, ch, table) -> str:
    """The user's own CREATE INDEX with CONCURRENTLY added, so the fix keeps their schema, expressions,
    USING, INCLUDE and WHERE; rebuilt from the facts when the text is not a plain CREATE INDEX."""
    m = _CREATE_INDEX.match(st.text)
    if m:
        return (st.text[:m.end()].strip() + " CONCURRENTLY" + st.text[m.end():]).rstrip().rstrip(";") + ";"
    cols = ", ".join(sql_name(ctx, c) for c in ch.detail.get("columns") or ()) or "..."
    return (f"CREATE {'UNIQUE ' if ch.detail.get('unique') else ''}INDEX CONCURRENTLY {sql_name(ctx, ch.object)} "
            f"ON {sql_name(ctx, table)} ({cols});")


_INDEX_ON = re.compile(r"\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?"
                       r"(?:\"(?:[^\"]|\"\")*\"|[^\s(]+)\s+ON\s+(?!ONLY\b)", re.IGNORECASE)


_NAME_PART = r'(?:"(?:[^"]|"")*"|[^\s(".;]+)'
_TABLE_REF = re.compile(rf"({_NAME_PART}(?:\.{_NAME_PART})*)\s*")  # a table name as written, then its definition


def _partitioned_index(rule, ctx, fa, st, ch):
    """Indexes of a partitioned table: CONCURRENTLY is refused there (measured on PostgreSQL 15)."""
    table = table_name(ch) if ch.table else "the table"
    if ch.kind == "create-index" and ch.detail.get("only"):
        return  # ON ONLY: the parent's index alone, no data is read
    index = TableName(ch.object)
    index.schema = ch.table[0] if ch.table else None
    name, qindex = sql_name(ctx, ch.object), sql_name(ctx, index)
    m = _INDEX_ON.match(st.text) if ch.kind == "create-index" else None
    t = _TABLE_REF.match(st.text, m.end()) if m else None
    unique = "UNIQUE " if ch.detail.get("unique") else ""
    if t is not None:  # the user's own statement, ON ONLY and without CONCURRENTLY
        definition = st.text[t.end():].rstrip().rstrip(";").rstrip()
        parent = f"CREATE {unique}INDEX {name} ON ONLY {t.group(1)} {definition};"
    else:
        cols = ", ".join(sql_name(ctx, c) if c != "(expression)" else "..." for c in ch.detail.get("columns") or ()) \
            or "..."
        definition = f"({cols})"
        parent = f"CREATE {unique}INDEX {name} ON ONLY {sql_name(ctx, table)} {definition};"
    recipe = (f"{parent} then for each partition, in a migration of its own: CREATE {unique}INDEX CONCURRENTLY "
              f"<partition>_idx ON <partition> {definition}; and ALTER INDEX {qindex} ATTACH "
              "PARTITION <partition>_idx; (the parent's index becomes valid once every partition has one).")
    if ch.kind == "create-index" and ch.detail.get("concurrently"):
        yield rule.finding(fa.migration.display, st.span,
                           f"PostgreSQL cannot create an index on the partitioned table {table} CONCURRENTLY: the "
                           "migration fails.", fix=recipe, object=ch.object, change=ch.kind, severity="error")
    elif ch.kind == "create-index":
        yield rule.finding(fa.migration.display, st.span,
                           f"Building index {ch.object} on the partitioned table {table} builds it on every partition "
                           "while blocking their inserts, updates and deletes (CONCURRENTLY is not possible on the "
                           "partitioned table itself).", fix=recipe, object=ch.object, change=ch.kind)
    elif ch.detail.get("concurrently"):
        yield rule.finding(fa.migration.display, st.span,
                           f"PostgreSQL cannot drop the partitioned index {ch.object} CONCURRENTLY: the migration fails.",
                           fix=f"DROP INDEX {qi}; without CONCURRENTLY, at a quiet time and after SET "
                           "lock_timeout = '5s'; (an attached partition's index cannot be dropped on its own either).",
                           object=ch.object, change=ch.kind, severity="error")
    else:
        yield rule.finding(fa.migration.display, st.span,
                           f"Dropping index {ch.object} takes an ACCESS EXCLUSIVE lock on {table} and all its "
                           "partitions, blocking reads and writes.",
                           fix=f"DROP INDEX {qi}; at a quiet time with SET lock_timeout = '5s'; (CONCURRENTLY is "
                           "not possible on a partitioned index).", object=ch.object, change=ch.kind)


@rule(
    id="lock-timeout",
    title="Lock taken on a live table without a lock_timeout",
    severity="warning",
    klass="neutral",
    rationale=(
        "Even a quick ALTER TABLE needs an exclusive lock. If a long query of the live application "
        "holds a conflicting lock, the ALTER waits, and every query that arrives after it queues "
        "behind it: the table is blocked for everyone until the long query ends. A lock_timeout "
        "makes the migration fail fast instead (Flyway can then simply be rerun). MySQL and MariaDB "
        "do the same with the exclusive metadata lock every ALTER TABLE, CREATE INDEX, RENAME, DROP "
        "and TRUNCATE needs, and their default lock_wait_timeout is one year (31536000 seconds)."
    ),
    fix="Start the migration with SET lock_timeout = '5s'; on PostgreSQL (SET LOCAL inside Flyway's "
    "transaction works too) or SET SESSION lock_wait_timeout = 5; on MySQL/MariaDB, or set it for every "
    "migration with Flyway's initSql or in its url (PostgreSQL: options=-c lock_timeout=5s; MySQL/MariaDB: "
    "sessionVariables=lock_wait_timeout=5).",
    examples=(
        Example({"V1__init.sql": _T, "V2__add.sql": "ALTER TABLE users ADD COLUMN name text;\n"}, True),
        Example({"V1__init.sql": _T, "V2__add.sql": "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN name text;\n"},
                False),
        Example({"V1__init.sql": _T + "ALTER TABLE users ADD COLUMN name text;\n"}, False,
                title="table born in the same migration"),
        Example({"V1__init.sql": _T, "V2__add.sql": "ALTER TABLE users ADD COLUMN name text;\n",
                 "flyway.conf": "flyway.initSql=SET lock_timeout = '5s'\n"}, False,
                title="set for every connection with Flyway's initSql"),
        Example({"V1__init.sql": _T, "V2__add.sql": "ALTER TABLE users ADD COLUMN name text;\n",
                 "flyway.conf": "flyway.url=jdbc:postgresql://db.internal/app?options=-c%20lock_timeout%3D5s\n"}, False,
                title="set for every connection in the url's options"),
        Example({"V1__init.sql": _T_MY, "V2__add.sql": "ALTER TABLE users ADD COLUMN name varchar(100);\n"}, True,
                dialect="mysql"),
        Example({"V1__init.sql": _T_MY, "V2__add.sql": "SET SESSION lock_wait_timeout = 5;\n"
                 "ALTER TABLE users ADD COLUMN name varchar(100);\n"}, False, dialect="mariadb"),
        Example({"V1__init.sql": _T_MY, "V2__add.sql": "ALTER TABLE users WAIT 5 ADD COLUMN name varchar(100);\n"},
                False, dialect="mariadb", title="MariaDB's WAIT n bounds the wait"),
        Example({"V1__init.sql": _T + "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
                 "V2__fk.sql": "ALTER TABLE orders ADD COLUMN buyer_id bigint REFERENCES users (id);\n"}, True,
                title="an inline REFERENCES also locks the referenced table (SHARE ROW EXCLUSIVE)"),
        Example({"V1__init.sql": _T + "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
                 "V2__fk.sql": "SET lock_timeout = '5s';\n"
                 "ALTER TABLE orders ADD COLUMN buyer_id bigint REFERENCES users (id);\n"}, False,
                title="inline REFERENCES with a lock_timeout"),
        Example({"V1__init.sql": _T, "V2__orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, "
                 "user_id bigint REFERENCES users (id));\n"}, True,
                title="a new table's FOREIGN KEY locks the live table it references (SHARE ROW EXCLUSIVE)"),
        Example({"V1__init.sql": _T + "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n"},
                False, title="a new table referencing a table born in the same migration"),
        Example({"V1__init.sql": _T, "V2__trg.sql": "CREATE TRIGGER users_audit AFTER UPDATE ON users FOR EACH ROW "
                 "EXECUTE FUNCTION audit();\n"}, True, title="CREATE TRIGGER takes SHARE ROW EXCLUSIVE"),
        Example({"V1__init.sql": _T + "CREATE TRIGGER users_audit AFTER UPDATE ON users FOR EACH ROW "
                 "EXECUTE FUNCTION audit();\n"}, False, title="trigger on a table born in the same migration"),
        Example({"V1__init.sql": _T_MY, "V2__trg.sql": "CREATE TRIGGER users_bu BEFORE UPDATE ON users FOR EACH ROW "
                 "SET NEW.email = lower(NEW.email);\n"}, True, dialect="mysql",
                title="MySQL: CREATE TRIGGER needs an exclusive metadata lock"),
        Example({"V1__init.sql": _T + "CREATE TRIGGER users_audit AFTER UPDATE ON users FOR EACH ROW "
                 "EXECUTE FUNCTION audit();\n", "V2__drop.sql": "DROP TRIGGER users_audit ON users;\n"}, True,
                title="DROP TRIGGER takes ACCESS EXCLUSIVE on its table"),
        Example({"V1__init.sql": _T + "CREATE TRIGGER users_audit AFTER UPDATE ON users FOR EACH ROW "
                 "EXECUTE FUNCTION audit();\nDROP TRIGGER users_audit ON users;\n"}, False,
                title="DROP TRIGGER on a table born in the same migration"),
        Example({"V1__init.sql": _T_MY + "CREATE TRIGGER users_bu BEFORE UPDATE ON users FOR EACH ROW "
                 "SET NEW.email = lower(NEW.email);\n", "V2__drop.sql": "DROP TRIGGER users_bu;\n"}, True,
                dialect="mariadb", title="MySQL/MariaDB: DROP TRIGGER waits for the table's metadata lock"),
        Example({"V1__init.sql": _T_MY, "V2__event.sql": "CREATE EVENT purge_users ON SCHEDULE EVERY 1 DAY "
                 "DO DELETE FROM users WHERE id < 0;\n"}, False, dialect="mariadb",
                title="CREATE EVENT locks no table"),
    ),
)
def lock_timeout(rule, ctx):
    if ctx.replay is None:
        return
    pg = ctx.dialect == "postgres"
    setting = "lock_timeout" if pg else "lock_wait_timeout"
    # what every migration starts with (the url's options, initSql, a beforeEachMigrate callback);
    # 0 turns it off on PostgreSQL (MySQL reads lock_wait_timeout = 0 as 1 second, MariaDB as
    # "do not wait")
    def sets(value) -> bool:
        return value is not None and value[0] != "" and (not pg or not is_zero(value[0]))

    initial_set = sets(session_default(ctx, setting))
    startup_set = sets(session_default(ctx, setting, startup=True))  # what RESET goes back to
    # a statement that fails (missing-object, object-exists, dependent-objects) carries only that error; the
    # migration's lock-timeout finding goes to its next locking statement (flylint.rules.drop_after_failure)
    failing = {(p.file, p.statement) for p in ctx.replay.problems}
    for fi, per_file in enumerate(ctx.replay.changes):
        fa = ctx.files[fi]
        timeout_set = initial_set
        disabled = False  # set to 0 explicitly on PostgreSQL: no limit
        for si, changes in enumerate(per_file):
            st = fa.statements[si]
            if (fi, si) in failing:
                continue
            hit = None
            for ch in changes:
                if ch.kind == "session-setting":
                    for name, value in ch.detail.get("settings") or ():
                        if name.removeprefix("@@session.").removeprefix("@@") == setting:
                            text = str(value).strip("'\" ")
                            reset = bool(ch.detail.get("reset"))
                            timeout_set = not reset and sets((text, ""))
                            disabled = pg and not reset and is_zero(text)
                            if reset:  # RESET goes back to the value the connection started with
                                timeout_set = startup_set
                        elif name == "all":
                            timeout_set, disabled = startup_set, False
                elif hit is None and (_takes_lock(ch) if pg else _takes_mdl(ch)):
                    hit = ch
            if hit is not None and not timeout_set and not pg:
                table = _locked_tables(hit)
                yield rule.finding(
                    fa.migration.display, st.span,
                    f"This statement needs an exclusive metadata lock on {table}, which the live application uses, "
                    "and no lock_wait_timeout is set earlier in this migration: behind a long transaction on "
                    f"{table} it waits up to the default of one year, and every query on {table} queues behind it.",
                    fix=f"Add SET SESSION lock_wait_timeout = 5; at the top of {fa.migration.path.name} (or, for "
                    "every migration, in Flyway's initSql or a beforeEachMigrate.sql callback), and retry the migration "
                    "if it times out.",
                    object=hit.object, change=hit.kind,
                )
                break
            if hit is not None and not timeout_set:
                table = _locked_tables(hit)
                yield rule.finding(
                    fa.migration.display, st.span,
                    f"This statement locks {table}, which the live application uses, and "
                    + ("lock_timeout is 0 (no limit) at this point of the migration"
                       if disabled else "no lock_timeout is set earlier in this migration")
                    + ": " + (
                        f"if it has to wait for a long transaction that wrote to {table}, every write to {table} "
                        "queues behind it (SHARE ROW EXCLUSIVE: reads go on)." if _share_row_exclusive(hit) else
                        f"if it has to wait for a long-running query, every query on {table} queues behind it."),
                    fix=("Set lock_timeout = '5s' instead of 0 before this statement" if disabled else
                         f"Add SET lock_timeout = '5s'; at the top of {fa.migration.path.name} (or, for every "
                         "migration, in Flyway's initSql or a beforeEachMigrate.sql callback)") + ", and retry the "
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
        "live application, for as long as the update takes. On MySQL/MariaDB, LOCK TABLES ... WRITE blocks every "
        "read and write of the table by other sessions until UNLOCK TABLES: an UPDATE in between runs with the "
        "table closed to the live application."
    ),
    fix="Move the backfill to its own migration (after the ALTER) and batch it on big tables; on MySQL/MariaDB "
    "drop the LOCK TABLES around it (InnoDB locks only the rows it changes).",
    examples=(
        Example({"V1__init.sql": _T, "V2__add.sql": "ALTER TABLE users ADD COLUMN name text;\n"
                 "UPDATE users SET name = email;\n"}, True),
        Example({"V1__init.sql": _T, "V2__add.sql": "ALTER TABLE users ADD COLUMN name text;\n",
                 "V3__fill.sql": "UPDATE users SET name = email;\n"}, False),
        Example({"V1__init.sql": _T_MY, "V2__fill.sql": "SET SESSION lock_wait_timeout = 5;\nLOCK TABLES users WRITE;\n"
                 "UPDATE users SET email = LOWER(email);\nUNLOCK TABLES;\n"}, True, dialect="mysql",
                title="MySQL: LOCK TABLES ... WRITE until UNLOCK TABLES"),
        Example({"V1__init.sql": _T_MY, "V2__fill.sql": "SET SESSION lock_wait_timeout = 5;\nLOCK TABLES users WRITE;\n"
                 "UNLOCK TABLES;\nUPDATE users SET email = LOWER(email);\n"}, False, dialect="mysql",
                title="the UPDATE after UNLOCK TABLES"),
        Example({"V1__init.sql": _T_MY + "LOCK TABLES users WRITE;\nUPDATE users SET email = LOWER(email);\n"
                 "UNLOCK TABLES;\n"}, False, dialect="mysql", title="a table born in the same migration"),
    ),
)
def backfill_under_lock(rule, ctx):
    if ctx.replay is None:
        return
    if ctx.dialect != "postgres":
        yield from _my_backfill_under_lock(rule, ctx)
        return
    # per migration, the live tables it backfills: only changes to them matter below
    backfilled = _backfilled_tables(ctx, lambda ch: not ch.born)
    for fi, per_file in enumerate(ctx.replay.changes):
        tables = backfilled.get(fi)
        fa = ctx.files[fi]
        if tables is None or not runs_in_transaction(ctx, fa):
            continue
        locked: dict = {}
        for si, changes in enumerate(per_file):
            for ch in changes:
                if ch.table not in tables:
                    continue
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
                elif _takes_lock(ch) and ch.table is not None and ch.kind not in ("create-index", "drop-index",
                                                                                  "create-table"):
                    locked.setdefault(ch.table, fa.statements[si])


def _my_backfill_under_lock(rule, ctx):
    """MySQL/MariaDB: a backfill between LOCK TABLES t WRITE and UNLOCK TABLES (or the next LOCK TABLES, which
    releases the earlier locks): the WRITE lock blocks other sessions' reads and writes of t meanwhile."""
    for fi, per_file in enumerate(ctx.replay.changes):
        fa = ctx.files[fi]
        locked: dict = {}
        for si, changes in enumerate(per_file):
            st = fa.statements[si]
            if getattr(st.parsed, "kind", None) == "UNLOCK TABLES":
                locked.clear()
                continue
            if any(ch.kind == "lock-table" for ch in changes):
                locked.clear()  # LOCK TABLES releases the locks an earlier one took
            for ch in changes:
                if ch.kind == "lock-table" and "WRITE" in str(ch.detail.get("mode") or "").upper() and not ch.born:
                    locked[ch.table] = st
                elif ch.kind == "backfill" and not ch.born and ch.table in locked:
                    first = locked[ch.table]
                    table = ch.table[1]
                    yield rule.finding(
                        fa.migration.display, st.span,
                        f"This backfill of {table} runs while the migration holds LOCK TABLES {table} WRITE (line "
                        f"{first.span.line}) until UNLOCK TABLES: the live application can neither read nor write "
                        f"{table} until the update ends.",
                        fix=f"Remove LOCK TABLES / UNLOCK TABLES around this UPDATE (InnoDB locks only the rows it "
                        f"changes), and batch it on a big {table} (e.g. WHERE id BETWEEN ...).",
                        object=ch.object, change=ch.kind,
                    )


@rule(
    id="unbatched-backfill",
    title="UPDATE of every row of a live table in one statement",
    severity="warning",
    klass="data",
    rationale=(
        "An UPDATE without WHERE (or LIMIT), or whose WHERE only skips the rows already done (`SET b = a "
        "WHERE b IS NULL` while b is still NULL in every row since ADD COLUMN b), changes every row of the table in one "
        "transaction, and "
        "every changed row stays locked until it commits: the live application's updates and deletes "
        "of those rows wait for the whole backfill (on MySQL they fail after innodb_lock_wait_timeout), "
        "and PostgreSQL writes a new version of every row at once. On a big table that is minutes of "
        "blocked writes; batches of a few thousand rows, each committed, keep the waits short."
    ),
    fix="Backfill in batches by key range in a migration of its own (on PostgreSQL with executeInTransaction="
    "false in its .sql.conf, so each batch commits), or from a job outside the migration.",
    examples=(
        Example({"V1__init.sql": _T, "V2__fill.sql": "UPDATE users SET email = lower(email);\n"}, True),
        Example({"V1__init.sql": _T_MY, "V2__fill.sql": "UPDATE users SET email = lower(email);\n"}, True,
                dialect="mysql"),
        Example({"V1__init.sql": _T, "V2__add.sql": "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN name text;\n",
                 "V3__fill.sql": "UPDATE users SET name = email WHERE name IS NULL;\n"}, True,
                title="a WHERE that only skips the rows already done"),
        Example({"V1__init.sql": _T, "V2__fill.sql": "UPDATE users SET email = lower(email) WHERE id <= 10000;\n"},
                False, title="one batch"),
        Example({"V1__init.sql": _T + "UPDATE users SET email = lower(email);\n"}, False,
                title="table born in the same migration"),
        Example({"V1__init.sql": _T, "V2__add.sql": "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN name text;\n"
                 "UPDATE users SET name = email;\n"}, False,
                title="under the migration's ALTER lock: reported by backfill-under-lock instead"),
    ),
)
def unbatched_backfill(rule, ctx):
    if ctx.replay is None:
        return
    # per migration, the live tables it updates whole: only changes to them matter below
    backfilled = _backfilled_tables(ctx, lambda ch: not ch.born and ch.detail.get("statement") == "update"
                                    and _whole(ch.detail))
    for fi, per_file in enumerate(ctx.replay.changes):
        tables = backfilled.get(fi)
        if tables is None:
            continue
        fa = ctx.files[fi]
        locked: set = set()  # PostgreSQL: backfill-under-lock reports these
        in_transaction = ctx.dialect == "postgres" and runs_in_transaction(ctx, fa)
        for si, changes in enumerate(per_file):
            for ch in changes:
                if ch.table not in tables:
                    continue
                d = ch.detail
                if ch.kind == "backfill" and not ch.born and d.get("statement") == "update" and _whole(d) \
                        and ch.table not in locked:
                    table = table_name(ch)
                    sets = ", ".join(f"{sql_name(ctx, c)} = ..." for c in d.get("set_names") or ()) or "..."
                    keys = d.get("key_columns") or ()
                    k = sql_name(ctx, keys[0]) if len(keys) == 1 else "id"
                    skip = list(dict.fromkeys(c for c, _ in d.get("skip_done") or ())) if d.get("where") else []
                    guard = "".join(f"{sql_name(ctx, c)} IS NULL AND " for c, how in d.get("skip_done") or ()
                                    if how == "null" and skip)
                    yield rule.finding(
                        fa.migration.display, fa.statements[si].span,
                        (f"This UPDATE's WHERE only skips rows whose {' and '.join(skip)} is already set, but no "
                         f"migration has set {' and '.join(skip)} since ADD COLUMN, so it still matches every row of "
                         f"{table} that existed then: it changes them all" if skip
                         else f"This UPDATE changes every row of {table}")
                        + " in one transaction and keeps each changed row "
                        f"locked until it commits: the live application's updates and deletes of {table} wait for "
                        "the whole backfill" + (", and every row gets a new version at once (bloat)."
                                                if ctx.dialect == "postgres" else "."),
                        fix=f"Update {table} in batches by key range (UPDATE {sql_name(ctx, table)} SET {sets} WHERE "
                        + guard + f"{k} > :last AND "
                        f"{k} <= :last + 5000), each committed on its own: a migration with executeInTransaction=false"
                        + (" (PostgreSQL)" if ctx.dialect == "postgres" else "") + ", or a job outside the migration.",
                        object=ch.object, change=ch.kind,
                    )
                elif in_transaction and _takes_lock(ch) and ch.table is not None and ch.kind not in (
                        "create-index", "drop-index", "create-table"):
                    locked.add(ch.table)


def _whole(d) -> bool:
    """An UPDATE that may change every row: no WHERE (or one that keeps every row) and no LIMIT, or a
    WHERE that only skips the rows already done (`SET b = a WHERE b IS NULL`)."""
    return not d.get("limit") and (not d.get("where") or bool(d.get("skip_done")))


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
        Example({"V1__init.sql": _T_MY, "V2__trg.sql": "ALTER TABLE users ADD COLUMN updated_at datetime;\n"
                 "CREATE TRIGGER users_bu BEFORE UPDATE ON users FOR EACH ROW SET NEW.updated_at = now();\n"},
                True, dialect="mysql", title="CREATE TRIGGER commits implicitly too"),
        Example({"V1__init.sql": _T_MY, "V2__proc.sql": "ALTER TABLE users ADD COLUMN age int;\n"
                 "CREATE PROCEDURE count_users() SELECT count(*) FROM users;\n"}, True, dialect="mariadb",
                title="CREATE PROCEDURE commits implicitly too"),
        Example({"V1__init.sql": _T_MY + "CREATE TRIGGER users_bu BEFORE UPDATE ON users FOR EACH ROW "
                 "SET NEW.email = lower(NEW.email);\n",
                 "V2__trg.sql": "DROP TRIGGER users_bu;\nCREATE EVENT purge_users ON SCHEDULE EVERY 1 DAY "
                 "DO DELETE FROM users WHERE id < 0;\n"},
                True, dialect="mariadb", title="DROP TRIGGER and CREATE EVENT commit implicitly too"),
        Example({"V1__init.sql": _T_MY + "CREATE TRIGGER users_bu BEFORE UPDATE ON users FOR EACH ROW "
                 "SET NEW.email = lower(NEW.email);\nDROP TRIGGER users_bu;\n"}, False, dialect="mariadb",
                title="a trigger created and dropped with its table in the same migration"),
        Example({"V1__init.sql": _T_MY, "R__views.sql": "DROP VIEW IF EXISTS user_emails;\n"
                 "CREATE VIEW user_emails AS SELECT id, email FROM users;\n"}, True, dialect="mysql",
                title="repeatable migration: CREATE OR REPLACE VIEW instead"),
        Example({"V1__init.sql": _T_MY, "R__views.sql": "CREATE OR REPLACE VIEW user_emails AS SELECT id, email "
                 "FROM users;\n"}, False, dialect="mysql", title="one CREATE OR REPLACE VIEW"),
    ),
)
def mysql_multiple_ddl(rule, ctx):
    if ctx.dialect not in ("mysql", "mariadb") or ctx.replay is None:
        return
    for fi, per_file in enumerate(ctx.replay.changes):
        fa = ctx.files[fi]
        recreated = _recreated_routines(per_file)
        ddl = [si for si, changes in enumerate(per_file) if si not in recreated and any(_is_ddl(c) for c in changes)]
        live = [si for si in ddl if any(_is_ddl(c) and not c.born and not c.detail.get("opaque_body")
                                        for c in per_file[si])]
        if len(ddl) < 2 or not live:
            continue
        second = fa.statements[ddl[1]]
        fix = f"Move this statement (and each further DDL statement) into a migration of its own after " \
              f"{fa.migration.path.name}."
        if fa.migration.kind == "R":
            views = _dropped_then_created_views(per_file)
            if views:
                rest = len(ddl) - len(views)  # each pair becomes one statement
                fix = ("Replace each DROP VIEW + CREATE VIEW pair with one statement: " + " ".join(
                    f"CREATE OR REPLACE VIEW {sql_name(ctx, v)} AS ...;" for v in views) + " (the view never goes missing, "
                    "and a rerun after a failure works)" + (
                        "; put the other DDL statements into repeatable migrations of their own." if rest > 1 else ".")
                )
        server = "MariaDB" if ctx.dialect == "mariadb" else "MySQL"
        yield rule.finding(
            fa.migration.display, second.span,
            f"{fa.migration.path.name} runs {len(ddl)} DDL statements; {server} commits each one, so a failure here "
            "leaves the earlier ones applied and the migration marked failed, with no rollback.",
            fix=fix,
        )


_NOT_DDL = {"backfill", "delete-all", "session-setting", "other", "unanalysed", "lock-table"}


def _is_ddl(ch) -> bool:
    """A statement MySQL commits implicitly: DDL, including CREATE TRIGGER/PROCEDURE/FUNCTION (MySQL
    manual: Statements That Cause an Implicit Commit)."""
    return ch.kind not in _NOT_DDL or (ch.kind == "other" and bool(
        ch.detail.get("trigger") or ch.detail.get("opaque_body") or ch.detail.get("event")))


def _recreated_routines(per_file) -> set[int]:
    """Statements dropping a procedure or function that a later statement creates again: the usual
    DROP ... IF EXISTS + CREATE of a repeatable migration, with no one-statement form on MySQL. The
    pair counts as one DDL statement."""
    created = {c.object.lower() for changes in per_file for c in changes
               if c.kind == "other" and c.detail.get("opaque_body") and c.object}
    return {si for si, changes in enumerate(per_file)
            if changes and all(c.kind == "drop-function" and c.object.lower() in created for c in changes)}


def _dropped_then_created_views(per_file) -> list[str]:
    """Views a migration drops and then creates again, in order."""
    dropped: set = set()
    out: list[str] = []
    for changes in per_file:
        for c in changes:
            if c.kind == "drop-view" and not c.detail.get("materialized"):
                dropped.add(c.table)
            elif c.kind in ("create-view", "replace-view") and c.table in dropped and c.object not in out:
                out.append(c.object)
    return out


@rule(
    id="enum-value-used-in-transaction",
    title="New enum value used in the migration that adds it",
    severity="error",
    klass="neutral",
    rationale=(
        "Since PostgreSQL 12, ALTER TYPE ... ADD VALUE may run inside a transaction, and Flyway runs "
        "it in the migration's transaction. But the new value cannot be used before that transaction "
        "commits: a later statement of the same migration that uses it as a value of the type fails with "
        "\"unsafe use of new value\", and the whole migration is rolled back. Measured on PostgreSQL 15: "
        "writing or comparing it with a column of the type (or an array of it), a cast to the type, a "
        "default or CHECK on such a column, enum_range() of the type, and enum_first()/enum_last() when "
        "the new value is first/last fail; the same string written to or compared with a text column does "
        "not. flylint reads the columns' types from the replayed history; when it cannot (a table the "
        "history never creates, a function's argument), the finding is a warning."
    ),
    fix="Add the value in one migration and use it in the next one.",
    examples=(
        Example({"V1__init.sql": "CREATE TYPE status AS ENUM ('new', 'done');\nCREATE TABLE t (id int, s status);\n",
                 "V2__cancel.sql": "ALTER TYPE status ADD VALUE 'cancelled';\n"
                 "UPDATE t SET s = 'cancelled' WHERE id = 1;\n"}, True),
        Example({"V1__init.sql": "CREATE TYPE status AS ENUM ('new', 'done');\nCREATE TABLE t (id int, s status);\n",
                 "V2__cancel.sql": "ALTER TYPE status ADD VALUE 'cancelled';\n",
                 "V3__use.sql": "UPDATE t SET s = 'cancelled' WHERE id = 1;\n"}, False),
        Example({"V1__init.sql": "CREATE TYPE status AS ENUM ('new', 'done');\n"
                 "CREATE TABLE t (id int, s status, note text);\n",
                 "V2__cancel.sql": "ALTER TYPE status ADD VALUE 'cancelled';\n"
                 "UPDATE t SET note = 'cancelled' WHERE id = 1;\n"}, False,
                title="the same string written to a text column"),
        Example({"V1__init.sql": "CREATE TYPE status AS ENUM ('new', 'done');\n",
                 "V2__cancel.sql": "ALTER TYPE status ADD VALUE 'cancelled';\n"
                 "SELECT enum_range(NULL::status);\n"}, True,
                title="enum_range() of the type includes the new value"),
    ),
)
def enum_value_used_in_transaction(rule, ctx):
    if ctx.dialect != "postgres" or ctx.replay is None:
        return
    adding = _files_with(ctx, "add-enum-value")
    reshaped = None
    for fi, per_file in enumerate(ctx.replay.changes):
        fa = ctx.files[fi]
        if fi not in adding or not runs_in_transaction(ctx, fa):
            continue  # Flyway runs it without a transaction: the value is committed at once
        if reshaped is None:
            reshaped = _reshaped(ctx)
        added: list[tuple[str, object, object]] = []  # (value, its ADD VALUE statement, the change)
        for si, changes in enumerate(per_file):
            st = fa.statements[si]
            # ADD VALUE 'b' AFTER 'a' may name a value added earlier in the transaction (measured on
            # PostgreSQL 15): only using it as data is refused
            adds = any(ch.kind == "add-enum-value" for ch in changes)
            scope = None
            for value, first, ach in () if adds else added:
                if value.replace("'", "''") not in st.text and "enum_" not in st.text.lower():
                    continue
                if scope is None:
                    scope = _EnumScope(ctx, st, (fi, si), reshaped)
                use, why = scope.uses(value, ach)
                if use is None:
                    continue
                enum = ach.table[1] if ach.table else ach.object.rsplit(".", 1)[0]
                quoted = value.replace("'", "''")
                where = f"at line {first.span.line} of this migration"
                if use == "yes":
                    yield rule.finding(
                        fa.migration.display, st.span,
                        f"'{quoted}' is added to the enum type {enum} {where}, and this statement {why}; PostgreSQL "
                        "refuses that before the transaction commits (\"unsafe use of new value\"), so the migration "
                        "fails.",
                        fix=f"Move this statement into the next migration, after {fa.migration.path.name}.",
                        object=value,
                    )
                else:
                    yield rule.finding(
                        fa.migration.display, st.span,
                        f"'{quoted}' is added to the enum type {enum} {where}, and flylint cannot tell whether this "
                        f"statement uses it as a value of {enum} ({why}): if it does, PostgreSQL refuses it before the "
                        "transaction commits (\"unsafe use of new value\") and the migration fails.",
                        fix=f"Move this statement into the next migration, after {fa.migration.path.name}, unless "
                        f"'{quoted}' is only written to or compared with text columns here.",
                        object=value, severity="warning",
                    )
                break
            for ch in changes:
                if ch.kind == "add-enum-value":
                    value = ch.detail.get("value") or ch.object.rsplit(".", 1)[-1]
                    if all(v != value or a.table != ch.table for v, _, a in added):
                        added.append((value, st, ch))


_MV = ("CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, amount numeric);\n"
       "CREATE MATERIALIZED VIEW order_totals AS SELECT user_id, sum(amount) AS total FROM orders GROUP BY user_id;\n")
_MV_KEY = "CREATE UNIQUE INDEX order_totals_user_id ON order_totals (user_id);\n"


@rule(
    id="refresh-materialized-view",
    title="Materialized view refreshed without CONCURRENTLY while the live application reads it",
    severity="warning",
    klass="neutral",
    rationale=(
        "REFRESH MATERIALIZED VIEW runs the view's query again and writes the result into new files "
        "under an ACCESS EXCLUSIVE lock on the view, held until Flyway commits the migration: every "
        "query of the live application on the view waits for the whole refresh (measured on PostgreSQL "
        "15). REFRESH MATERIALIZED VIEW CONCURRENTLY takes an EXCLUSIVE lock instead, which lets reads "
        "go on, and applies only the differences; it needs a unique index on plain columns of the view "
        "(without WHERE) and a view that is already populated, and fails otherwise. Unlike CREATE INDEX "
        "CONCURRENTLY it may run inside a transaction block (measured on PostgreSQL 15), so Flyway can "
        "run it in the migration's transaction. REFRESH ... WITH NO DATA empties the view: the live "
        "application's queries on it fail until the next refresh."
    ),
    fix="REFRESH MATERIALIZED VIEW CONCURRENTLY <view>; after creating a unique index on the columns that "
    "identify a row of the view.",
    examples=(
        Example({"V1__init.sql": _MV + _MV_KEY,
                 "V2__refresh.sql": "SET lock_timeout = '5s';\nREFRESH MATERIALIZED VIEW order_totals;\n"}, True),
        Example({"V1__init.sql": _MV + _MV_KEY,
                 "V2__refresh.sql": "REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;\n"}, False),
        Example({"V1__init.sql": _MV.replace(" GROUP BY user_id;", " GROUP BY user_id WITH NO DATA;")
                 + "REFRESH MATERIALIZED VIEW order_totals;\n"}, False,
                title="view born in the same migration (created WITH NO DATA, then refreshed)"),
        Example({"V1__init.sql": _MV,
                 "V2__refresh.sql": "REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;\n"}, True,
                title="CONCURRENTLY fails without a unique index on the view"),
        Example({"V1__init.sql": _MV + _MV_KEY,
                 "V2__refresh.sql": "SET lock_timeout = '5s';\n"
                 "REFRESH MATERIALIZED VIEW order_totals WITH NO DATA;\n"}, True,
                title="WITH NO DATA leaves the view unreadable"),
    ),
)
def refresh_materialized_view(rule, ctx):
    if ctx.dialect != "postgres":
        return
    for fa, st, ch in ctx.changes_of("rewrite-table"):
        d = ch.detail
        if d.get("reason") != "refresh" or ch.born:
            continue
        view = sql_name(ctx, table_name(ch))
        if d.get("concurrently"):
            if d.get("was_populated") is False:
                yield rule.finding(
                    fa.migration.display, st.span,
                    f"{ch.object} is not populated (created or last refreshed WITH NO DATA), and PostgreSQL refuses "
                    "REFRESH ... CONCURRENTLY on a view that is not populated: the migration fails.",
                    fix=f"REFRESH MATERIALIZED VIEW {view}; without CONCURRENTLY this once (nothing can read "
                    f"{ch.object} before it is populated anyway).",
                    object=ch.object, change=ch.kind, severity="error")
            elif d.get("unique_index") is False:
                yield rule.finding(
                    fa.migration.display, st.span,
                    f"{ch.object} has no unique index on plain columns without WHERE, and PostgreSQL refuses "
                    "REFRESH ... CONCURRENTLY without one: the migration fails.",
                    fix=f"Create it in an earlier statement: CREATE UNIQUE INDEX {ch.object}_key ON {view} "
                    "(<the columns that identify a row>); (on a materialized view this blocks only its refreshes, "
                    "not reads).",
                    object=ch.object, change=ch.kind, severity="error")
            continue
        if d.get("was_populated") is False:
            continue  # the live application cannot read an unpopulated view: nothing to block
        if d.get("with_data") is False:
            yield rule.finding(
                fa.migration.display, st.span,
                f"REFRESH ... WITH NO DATA empties {ch.object} under an ACCESS EXCLUSIVE lock: from then on every "
                f"query of the live application on {ch.object} fails (\"materialized view has not been populated\") "
                "until the next REFRESH.",
                fix=f"Keep {ch.object} populated while a running version reads it: drop it (DROP MATERIALIZED VIEW "
                f"{view};) only once no running version uses it, or REFRESH MATERIALIZED VIEW CONCURRENTLY {view}; "
                "to update its rows.",
                object=ch.object, change=ch.kind)
            continue
        if d.get("unique_index"):
            fix = (f"REFRESH MATERIALIZED VIEW CONCURRENTLY {view}; (reads go on; it uses the unique index "
                   f"{ch.object} already has, and PostgreSQL accepts it inside Flyway's transaction).")
        elif d.get("unique_index") is False:
            fix = (f"First CREATE UNIQUE INDEX {ch.object}_key ON {view} (<the columns that identify a row>); (it "
                   f"blocks only refreshes of {ch.object}, not reads), then REFRESH MATERIALIZED VIEW CONCURRENTLY "
                   f"{view}; (reads go on; PostgreSQL accepts it inside Flyway's transaction).")
        else:
            fix = (f"REFRESH MATERIALIZED VIEW CONCURRENTLY {view}; (reads go on; PostgreSQL accepts it inside "
                   f"Flyway's transaction); it needs a unique index on plain columns of {ch.object}, without WHERE.")
        yield rule.finding(
            fa.migration.display, st.span,
            f"Refreshing {ch.object} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on it until the migration "
            f"commits: every query of the live application on {ch.object} waits while its query runs again and "
            "its rows are rewritten.",
            fix=fix, object=ch.object, change=ch.kind)


@functools.cache
def _sql_kinds():
    """sqlglot's node classes the enum check needs (imported lazily: a run answered from the output memo
    never imports sqlglot)."""
    from sqlglot import exp

    text_types = frozenset(getattr(exp.DataType.Type, t) for t in ("TEXT", "VARCHAR", "CHAR", "NCHAR", "NVARCHAR",
                                                                   "NAME", "BPCHAR"))
    comparisons = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ)
    text_funcs = (exp.Lower, exp.Upper, exp.Initcap, exp.Trim, exp.Substring, exp.Concat, exp.DPipe)
    strings = (exp.Literal, exp.ByteString, exp.National, exp.RawString)
    return exp, text_types, comparisons, text_funcs, strings


_SHAPE_KINDS = frozenset({"create-table", "drop-table", "rename-table", "add-column", "drop-column", "rename-column",
                          "change-column-type"})


def _reshaped(ctx) -> dict:
    """Where the history changes a table after the fact, for `_EnumScope`: the catalog holds the schema after
    the last migration, so what changed after a statement is not read from it for that statement.
    (table key, None) -> (file, statement) of the last CREATE/DROP/RENAME of the table; (table key, column name)
    -> of the last change of that column (added, dropped, renamed, retyped); (table key, "*") -> of the last
    change of its list of columns (for INSERT without a column list)."""
    out: dict = {}

    def mark(key, at):
        out[key] = max(out.get(key, at), at)

    for fa, st, ch in ctx.changes_of(*_SHAPE_KINDS):
        if ch.table is None:
            continue
        at = (ch.file, ch.statement)
        if ch.kind in ("create-table", "drop-table", "rename-table"):
            mark((ch.table, None), at)
            if ch.kind == "rename-table" and ch.detail.get("new_name"):
                mark(((ch.detail.get("new_schema") or ch.table[0], ch.detail["new_name"]), None), at)
            continue
        if ch.kind != "change-column-type":
            mark((ch.table, "*"), at)
        for name in (ch.detail.get("column"), ch.detail.get("new_name")):
            if name:
                mark((ch.table, str(name).lower()), at)
    return out


_ENUM_FUNCS = {"enum_range", "enum_first", "enum_last"}


class _EnumScope:
    """What one statement does with a string literal, judged against the replayed catalog: whether PostgreSQL
    reads it as a value of an enum type. Measured on PostgreSQL 15.20 inside the transaction of ALTER TYPE
    mood ADD VALUE 'calm': refused are `m = 'calm'`, `m IN ('calm')`, `m = ANY('{calm}')`, `UPDATE ... SET m =
    'calm'`, `INSERT` of 'calm' into m, `SET DEFAULT 'calm'` and `CHECK (m <> 'calm')` on m (m of type mood),
    `ms = '{calm}'` (ms of type mood[]), `'calm'::mood`, `('calm'::text)::mood`, `'calm' < 'ok'::mood`,
    `enum_range(NULL::mood)`, `enum_range(m)`, and `enum_last(NULL::mood)` / `enum_first(NULL::mood)` when the
    value is the last / first; accepted are the same writes and comparisons on a text column (`UPDATE ev SET note
    = 'calm'`, `INSERT ... SELECT 5, 'calm'`, `coalesce(note, 'calm')`, `note = ANY('{calm}')`), `m::text =
    'calm'`, `'calm' || m`, `SELECT 'calm'`, a comment, `COMMENT ON ... IS 'calm'`, `enum_range('sad'::mood,
    'ok'::mood)`."""

    def __init__(self, ctx, st, at, reshaped) -> None:
        self.ctx, self.st, self.at, self.reshaped = ctx, st, at, reshaped
        self.cat = ctx.replay.catalog
        tree = st.parsed.tree if st.parsed is not None else None
        exp = _sql_kinds()[0]
        self.tree = tree if isinstance(tree, exp.Expression) else None
        self.tables: dict[str, object] = {}  # name or alias as written (lower case) -> Table, or None: not known
        self.derived = False
        if self.tree is not None:
            ctes = {c.alias_or_name.lower() for c in self.tree.find_all(exp.CTE)}
            # columns may come from a WITH query, a subquery or VALUES in FROM: their types are not looked up
            self.derived = bool(ctes) or any(isinstance(s.parent, (exp.From, exp.Join)) or s.alias
                                             for s in self.tree.find_all(exp.Subquery, exp.Values)
                                             if not isinstance(s.parent, exp.Insert))
            for t in self.tree.find_all(exp.Table):
                if not t.name or t.name.lower() in ctes:
                    continue
                table = self._table(t)
                self.tables[t.name.lower()] = table
                if t.alias:
                    self.tables[t.alias.lower()] = table

    # -- the catalog at this statement --------------------------------------------------------
    def _table(self, t):
        exp = _sql_kinds()[0]
        ident = t.this if isinstance(t.this, exp.Identifier) else None
        quoted = bool(ident and ident.args.get("quoted"))
        db = t.args.get("db")
        schema = self.cat.ident(db.name, bool(db.args.get("quoted"))) if isinstance(db, exp.Identifier) else None
        key = self.cat.qualify(schema, self.cat.ident(t.name, quoted))
        table = self.cat.tables.get(key)
        if table is None and schema is None:  # SET search_path earlier in the migration: a name of one schema only
            found = [k for k in self.cat.tables if k[1] == key[1]]
            if len(found) == 1:
                key, table = found[0], self.cat.tables[found[0]]
        if table is None or not table.complete or self.reshaped.get((key, None), (-1, -1)) > self.at:
            return None  # never created, not all columns known, or re-created/renamed later: not known here
        return table

    def _column(self, table, name: str):
        """(known, Column or None) of a column of a known table, as it was at this statement."""
        key = self.cat.col_key(name)
        if self.reshaped.get((self._key(table), name.lower()), (-1, -1)) > self.at:
            return False, None
        return True, table.columns.get(key)

    def _key(self, table):
        return next((k for k, t in self.cat.tables.items() if t is table), None)

    def _enum_type(self, col, enum: str) -> str | None:
        """'enum' when the column holds values of the enum (or an array of them), 'other' when it does not,
        None when its type is not known."""
        ti = col.type
        if ti is None or ti.family == "unknown":
            return None
        family = ti.family.lower()
        if col.domain is not None:
            dom = self.cat.domains.get(col.domain)
            family = dom.base.family.lower() if dom is not None else family
        if family == "array":
            family = str(ti).lower().removesuffix("[]").rsplit(".", 1)[-1].strip('"')
        return "enum" if family == enum.lower() else "other"

    # -- expressions --------------------------------------------------------------------------
    def _is_enum_type(self, dt, enum: str) -> bool:
        exp = _sql_kinds()[0]
        if not isinstance(dt, exp.DataType):
            return False
        if dt.this == exp.DataType.Type.ARRAY and dt.expressions:
            return self._is_enum_type(dt.expressions[0], enum)
        if dt.this != exp.DataType.Type.USERDEFINED:
            return False
        kind = dt.args.get("kind")
        name = kind.name if isinstance(kind, exp.Expression) else str(kind or "")
        return name.lower() == enum.lower()

    def _type_of(self, e, enum: str) -> tuple[str | None, str]:
        """('enum' | 'other' | None for not known, what it is in words) of an expression."""
        exp = _sql_kinds()[0]
        while isinstance(e, exp.Paren):
            e = e.this
        if isinstance(e, (exp.Cast, exp.TryCast)):
            return ("enum" if self._is_enum_type(e.args.get("to"), enum) else "other"), "a cast"
        if isinstance(e, exp.Column):
            return self._column_type(e.table, e.name, enum)
        if isinstance(e, exp.Identifier):  # a column named without a table: INSERT's list, ALTER COLUMN
            return self._column_type("", e.name, enum)
        if isinstance(e, (exp.Coalesce, exp.Case, exp.If)):
            kinds = [self._type_of(x, enum) for x in e.iter_expressions() if not isinstance(x, exp.Literal)]
            for k in kinds:
                if k[0] == "enum":
                    return k
            return ("other", "an expression") if all(k[0] == "other" for k in kinds) else (None, "an expression")
        return "other", "an expression"

    def _column_type(self, qualifier: str, name: str, enum: str) -> tuple[str | None, str]:
        if qualifier:
            candidates = {qualifier.lower(): self.tables.get(qualifier.lower())}
            if qualifier.lower() not in self.tables:
                return None, f"flylint does not know the table of {qualifier}.{name}"
        else:
            candidates = self.tables
        unknown = []
        for written, table in candidates.items():
            if table is None:
                unknown.append(written)
                continue
            known, col = self._column(table, name)
            if not known:
                unknown.append(written)
            elif col is not None:
                kind = self._enum_type(col, enum)
                shown = f"{table.name}.{col.name}"
                if kind is None:
                    return None, f"flylint does not know the type of {shown}"
                return kind, f"the {col.type} column {shown}"
        if not unknown and self.derived:
            return None, f"{name} may come from a subquery, VALUES or WITH query, whose types flylint does not follow"
        if unknown:
            names = ", ".join(sorted(set(unknown)))
            return None, (f"{name} may be a column of {names}, and flylint does not know its columns here: the "
                          "history does not create it, or changes it after this statement")
        return "other", f"{name}, not a column of an enum type"

    # -- the verdict ----------------------------------------------------------------------------
    def uses(self, value: str, ach) -> tuple[str | None, str]:
        """('yes', how) when PostgreSQL reads `value` as a value of the enum type of `ach` (an add-enum-value
        change), ('maybe', why not known) when flylint cannot tell, (None, '') when it does not."""
        exp, _, _, _, strings = _sql_kinds()
        enum = ach.table[1] if ach.table else ach.object.rsplit(".", 1)[0]
        quoted = "'" + value.replace("'", "''") + "'"  # as the statement's text writes it
        if self.tree is None:
            if quoted in self.st.text:
                return "yes", "names it inside a body flylint does not analyse (DO, a function)"
            return None, ""
        for call in self.tree.find_all(exp.Anonymous):
            fname = str(call.this).lower()
            if fname not in _ENUM_FUNCS or not call.expressions:
                continue
            args = call.expressions
            kinds = [self._type_of(a, enum) for a in args]
            if any(k == "enum" for k, _ in kinds):
                use, why = "yes", ""
            elif any(k is None for k, _ in kinds):
                use, why = "maybe", next(w for k, w in kinds if k is None)
            else:
                continue  # an argument of another type: a call of another enum type's values
            last = bool(ach.detail.get("enum_append"))
            if fname == "enum_range" and (len(args) == 1 or any(isinstance(a, exp.Null) or (
                    isinstance(a, (exp.Cast, exp.TryCast)) and isinstance(a.this, exp.Null)) for a in args)):
                return use, why or f"calls {fname}(), whose result includes the new value"
            if fname == "enum_last" and last or fname == "enum_first" and not last:
                return use, why or f"calls {fname}(), which may return the new value"
        literals = [n for n in self.tree.find_all(*strings)
                    if (n.is_string if isinstance(n, exp.Literal) else True) and _names_value(n.this, value)]
        if not literals:
            # the text is somewhere flylint does not see as a literal: only comments are known to be harmless
            in_comments = sum(c.count(quoted) for n in self.tree.walk() for c in n.comments or ())
            if in_comments < self.st.text.count(quoted):
                return "maybe", "the value appears where flylint does not read it as a literal"
            return None, ""
        maybe = None
        for lit in literals:
            use, why = self._literal(lit, enum)
            if use == "yes":
                return use, why
            if use == "maybe" and maybe is None:
                maybe = why
        return ("maybe", maybe) if maybe is not None else (None, "")

    def _literal(self, node, enum: str) -> tuple[str | None, str]:
        exp, _, comparisons, _, _ = _sql_kinds()
        # a cast to the enum anywhere above the literal: 'calm'::mood, ('calm'::text)::mood
        for anc in _ancestors(node):
            if isinstance(anc, (exp.Cast, exp.TryCast)) and self._is_enum_type(anc.args.get("to"), enum):
                return "yes", f"casts it to {enum}"
        parent = node.parent
        if isinstance(parent, (exp.Cast, exp.TryCast)) and parent.this is node:
            return None, ""  # a cast to another type: the literal is read as that type
        if isinstance(parent, (exp.DPipe, exp.Like, exp.ILike, exp.Comment)):
            return None, ""
        while isinstance(parent, (exp.Paren, exp.Array, exp.Any, exp.All, exp.Tuple)) or (
                isinstance(parent, (exp.Case, exp.If)) and node.arg_key in ("true", "false", "default")) or (
                isinstance(parent, exp.Case) and node.arg_key == "ifs") or isinstance(parent, exp.Coalesce):
            if isinstance(parent, exp.Coalesce):
                others = (x for x in (parent.this, *parent.expressions)
                          if x is not node and not isinstance(x, exp.Literal))
                for o in others:
                    kind, what = self._type_of(o, enum)
                    if kind == "enum":
                        return "yes", f"uses it in COALESCE with {what}"
            if isinstance(parent, exp.Tuple) and isinstance(parent.parent, exp.Values):
                break
            node, parent = parent, parent.parent
        if isinstance(parent, comparisons):
            other = parent.expression if parent.this is node else parent.this
            return self._verdict(other, enum, "writes it into" if _is_assignment(parent) else "compares it with")
        if isinstance(parent, exp.In) and parent.this is not node:
            return self._verdict(parent.this, enum, "compares it with")
        if isinstance(parent, exp.DefaultColumnConstraint):
            cd = parent.find_ancestor(exp.ColumnDef)
            if cd is not None:
                kind = "enum" if self._is_enum_type(cd.args.get("kind"), enum) else "other"
                return ("yes", f"makes it the default of {cd.name}, of type {enum}") if kind == "enum" else (None, "")
        if isinstance(parent, exp.AlterColumn) and node.arg_key == "default":
            alter = parent.find_ancestor(exp.Alter)
            target = alter.this if alter is not None else None
            qual = target.name if isinstance(target, exp.Table) else ""
            return self._verdict(exp.column(parent.name, table=qual), enum, "makes it the default of")
        insert_target = self._insert_position(node, enum)
        if insert_target is not None:
            return insert_target
        if isinstance(parent, (exp.Select, exp.Alias)) or parent is None:
            return None, ""  # a value of its own, read as text (SELECT 'calm')
        if isinstance(parent, exp.Func) and not isinstance(parent, exp.Anonymous):
            return None, ""  # a built-in function's argument (lower, concat, ...)
        if isinstance(parent, exp.Anonymous):
            return "maybe", f"passes it to {parent.name}(), whose argument types flylint does not know"
        return "maybe", "uses it where flylint cannot tell its type"

    def _verdict(self, other, enum: str, how: str) -> tuple[str | None, str]:
        kind, what = self._type_of(other, enum)
        if kind == "enum":
            return "yes", f"{how} {what}"
        if kind is None:
            return "maybe", what
        return None, ""

    def _insert_position(self, node, enum: str) -> tuple[str | None, str] | None:
        """The verdict for a literal that INSERT writes into a column (VALUES or INSERT ... SELECT)."""
        exp = _sql_kinds()[0]
        row = node.parent
        if isinstance(row, exp.Tuple) and isinstance(row.parent, exp.Values):
            source = row.parent
        elif isinstance(row, exp.Select) and node.arg_key == "expressions":
            source = row
        else:
            return None
        insert = source.parent
        if not isinstance(insert, exp.Insert) or insert.expression is not source:
            return None
        position = row.expressions.index(node)
        target = insert.this
        table_node = target.this if isinstance(target, exp.Schema) else target
        if not isinstance(table_node, exp.Table):
            return "maybe", "writes it into a column flylint cannot name"
        table = self._table(table_node)
        if isinstance(target, exp.Schema) and target.expressions:
            if position >= len(target.expressions):
                return None, ""
            name = target.expressions[position].name
            return self._verdict(exp.column(name, table=table_node.alias_or_name), enum, "writes it into")
        if table is None:
            return "maybe", (f"it goes into column {position + 1} of {table_node.name}, and flylint does not know "
                             f"the columns of {table_node.name} here")
        key = self._key(table)
        if self.reshaped.get((key, "*"), (-1, -1)) > self.at:
            return "maybe", f"{table_node.name} changes later, so flylint cannot tell its column {position + 1} here"
        cols = list(table.columns.values())
        if position >= len(cols):
            return None, ""
        return self._verdict(exp.column(cols[position].name, table=table_node.alias_or_name), enum, "writes it into")


def _ancestors(node):
    p = node.parent
    while p is not None:
        yield p
        p = p.parent


def _is_assignment(eq) -> bool:
    exp = _sql_kinds()[0]
    return isinstance(eq, exp.EQ) and isinstance(eq.parent, exp.Update) and eq.arg_key == "expressions"


def _names_value(text: str, value: str) -> bool:
    """A string literal that is the value, or an array literal ('{a,calm}') that holds it."""
    if text == value:
        return True
    t = text.strip()
    if t.startswith("{") and t.endswith("}"):
        return value in (p.strip().strip('"') for p in t[1:-1].split(","))
    return False


def _pg_major(ctx) -> int | None:
    if ctx.db_version is None:
        return None
    try:
        return int(ctx.db_version.split(".")[0])
    except ValueError:
        return None


_PARTS = ("CREATE TABLE events (id bigint NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);\n"
          "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n")


@rule(
    id="detach-partition",
    title="Partition detached without CONCURRENTLY",
    severity="warning",
    klass="neutral",
    rationale=(
        "ALTER TABLE ... DETACH PARTITION takes an ACCESS EXCLUSIVE lock on the partitioned table "
        "(measured on PostgreSQL 15): every read and write of the live application on the whole table, "
        "all partitions, waits until the migration commits. PostgreSQL 14 added DETACH PARTITION ... "
        "CONCURRENTLY, which takes SHARE UPDATE EXCLUSIVE instead; it cannot run inside a transaction "
        "block, and Flyway does not detect that, so its migration needs executeInTransaction=false. "
        "Either way the partition's rows disappear from queries on the partitioned table."
    ),
    fix="DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+), alone in a migration whose .sql.conf sets "
    "executeInTransaction=false.",
    examples=(
        Example({"V1__init.sql": _PARTS, "V2__detach.sql": "ALTER TABLE events DETACH PARTITION events_2024;\n"},
                True),
        Example({"V1__init.sql": _PARTS,
                 "V2__detach.sql": "ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;\n",
                 "V2__detach.sql.conf": "executeInTransaction=false\n"}, False, db_version="15"),
        Example({"V1__init.sql": _PARTS + "ALTER TABLE events DETACH PARTITION events_2024;\n"}, False,
                title="table born in the same migration"),
    ),
)
def detach_partition(rule, ctx):
    if ctx.dialect != "postgres":
        return
    major = _pg_major(ctx)
    for fa, st, ch in ctx.changes_of("other"):
        d = ch.detail
        if d.get("partition_op") != "detach" or ch.born or d.get("concurrently"):
            continue
        parent, part = d.get("parent"), d.get("partition")
        if major is not None and major < 14:
            fix = (f"CONCURRENTLY needs PostgreSQL 14+: on {ctx.db_version}, detach {part} at a quiet time with "
                   "SET lock_timeout = '5s'; first, so the migration fails fast instead of queueing every query.")
        else:
            qpart = TableName(part or "")
            qpart.schema = d.get("partition_schema")
            qparent, qpart = sql_name(ctx, table_name(ch)), sql_name(ctx, qpart)
            fix = (f"ALTER TABLE {qparent} DETACH PARTITION {qpart} CONCURRENTLY; alone in its own migration, with "
                   f"{fa.migration.path.name}.conf (or the new migration's .conf) containing executeInTransaction=false"
                   f" (PostgreSQL 14+; not possible while {parent} has a DEFAULT partition).")
        yield rule.finding(
            fa.migration.display, st.span,
            f"Detaching {part} takes an ACCESS EXCLUSIVE lock on {parent}: every query of the live application on "
            f"{parent} waits until this migration commits.",
            fix=fix, object=f"{parent}.{part}", change=ch.kind,
        )


@rule(
    id="attach-partition",
    title="Live table attached as a partition without a CHECK that proves its bound",
    severity="warning",
    klass="neutral",
    rationale=(
        "ALTER TABLE parent ATTACH PARTITION t scans every row of t to check that it fits the partition "
        "bound, holding an ACCESS EXCLUSIVE lock on t (and, since PostgreSQL 12, SHARE UPDATE EXCLUSIVE "
        "on the parent; before 12, ACCESS EXCLUSIVE on the parent too). A validated CHECK constraint on "
        "t that implies the bound lets PostgreSQL skip the scan; it can be added NOT VALID and "
        "validated without blocking writes."
    ),
    fix="Add a CHECK matching the bound NOT VALID, VALIDATE it in a later migration, then ATTACH, then drop the CHECK.",
    examples=(
        Example({"V1__init.sql": _PARTS + "CREATE TABLE events_2025 (id bigint NOT NULL, at date NOT NULL);\n",
                 "V2__attach.sql": "ALTER TABLE events ATTACH PARTITION events_2025 "
                 "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n"}, True),
        Example({"V1__init.sql": _PARTS + "CREATE TABLE events_2025 (id bigint NOT NULL, at date NOT NULL);\n",
                 "V2__check.sql": "ALTER TABLE events_2025 ADD CONSTRAINT events_2025_bound CHECK "
                 "(at >= '2025-01-01' AND at < '2026-01-01') NOT VALID;\n",
                 "V3__validate.sql": "ALTER TABLE events_2025 VALIDATE CONSTRAINT events_2025_bound;\n",
                 "V4__attach.sql": "ALTER TABLE events ATTACH PARTITION events_2025 "
                 "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n"}, False,
                title="a validated CHECK on the partition key"),
        Example({"V1__init.sql": _PARTS,
                 "V2__attach.sql": "CREATE TABLE events_2025 (id bigint NOT NULL, at date NOT NULL);\n"
                 "ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n"},
                False, title="a partition created in the same migration"),
    ),
)
def attach_partition(rule, ctx):
    if ctx.dialect != "postgres":
        return
    major = _pg_major(ctx)
    for fa, st, ch in ctx.changes_of("other"):
        d = ch.detail
        if d.get("partition_op") != "attach" or d.get("partition_born") or d.get("has_check"):
            continue
        parent, part = d.get("parent"), d.get("partition")
        parent_lock = ("ACCESS EXCLUSIVE on " if major is not None and major < 12 else "SHARE UPDATE EXCLUSIVE on ")
        bound = d.get("bound") or "DEFAULT"
        c = f"{part}_bound"
        qp, qc = sql_name(ctx, part), sql_name(ctx, c)
        yield rule.finding(
            fa.migration.display, st.span,
            f"Attaching {part} scans all its rows to check FOR VALUES {bound} while holding an ACCESS EXCLUSIVE lock on "
            f"{part} ({parent_lock}{parent}): the live application's queries on {part} wait for the whole scan.",
            fix=f"(1) ALTER TABLE {qp} ADD CONSTRAINT {qc} CHECK (<partition key within {bound}>) NOT VALID; "
            f"(2) in the next migration: ALTER TABLE {qp} VALIDATE CONSTRAINT {qc}; (3) then ALTER TABLE "
            f"{sql_name(ctx, parent)} ATTACH PARTITION {qp} FOR VALUES {bound}; (no scan) and ALTER TABLE {qp} DROP "
            f"CONSTRAINT {qc};",
            object=f"{parent}.{part}", change=ch.kind,
        )


@rule(
    id="domain-constraint",
    title="Domain constraint checked against live tables",
    severity="warning",
    klass="neutral",
    rationale=(
        "ALTER DOMAIN ... ADD CONSTRAINT, VALIDATE CONSTRAINT and SET NOT NULL check every value of "
        "every column of the domain, holding a SHARE lock on each of their tables (measured on "
        "PostgreSQL 15): the live application's inserts, updates and deletes wait for the whole scan. "
        "Unlike a table's VALIDATE CONSTRAINT, a domain's has no non-blocking form. Once in place, the "
        "live application's writes that violate the constraint fail."
    ),
    fix="Put the rule on the columns instead: ADD CONSTRAINT ... CHECK (...) NOT VALID per column, then "
    "VALIDATE CONSTRAINT in a later migration (reads and writes continue).",
    examples=(
        Example({"V1__init.sql": "CREATE DOMAIN qty AS int;\nCREATE TABLE items (id bigint PRIMARY KEY, n qty);\n",
                 "V2__check.sql": "ALTER DOMAIN qty ADD CONSTRAINT qty_positive CHECK (VALUE > 0);\n"}, True),
        Example({"V1__init.sql": "CREATE DOMAIN qty AS int;\nCREATE TABLE items (id bigint PRIMARY KEY, n qty);\n",
                 "V2__check.sql": "ALTER DOMAIN qty ADD CONSTRAINT qty_positive CHECK (VALUE > 0) NOT VALID;\n",
                 "V3__validate.sql": "ALTER DOMAIN qty VALIDATE CONSTRAINT qty_positive;\n"}, True,
                title="VALIDATE on a domain blocks writes too"),
        Example({"V1__init.sql": "CREATE DOMAIN qty AS int;\nCREATE TABLE items (id bigint PRIMARY KEY, n int);\n",
                 "V2__check.sql": "ALTER DOMAIN qty ADD CONSTRAINT qty_positive CHECK (VALUE > 0);\n"}, False,
                title="no column uses the domain"),
        Example({"V1__init.sql": "CREATE DOMAIN qty AS int;\nCREATE TABLE items (id bigint PRIMARY KEY, n qty);\n"
                 "ALTER DOMAIN qty ADD CONSTRAINT qty_positive CHECK (VALUE > 0);\n"}, False,
                title="born in the same migration"),
    ),
)
def domain_constraint(rule, ctx):
    if ctx.dialect != "postgres":
        return
    # (ALTER DOMAIN's changes: the three kinds below)
    for fa, st, ch in ctx.changes_of("add-check", "validate-constraint", "set-not-null"):
        d = ch.detail
        if not d.get("domain") or ch.born or not d.get("live_columns") or not _domain_scan(ch):
            continue
        cols = d["live_columns"]
        tables = _locked_tables(ch)
        what = {"add-check": "Adding a constraint to", "validate-constraint": "Validating a constraint of",
                "set-not-null": "Setting NOT NULL on"}[ch.kind]
        first_t, first_c = cols[0].split(".", 1)
        name = f"{first_t}_{first_c}_check"
        from flylint.dbfacts import cost

        c = cost("postgres", ch.kind, ctx.db_version, **d)
        lock = c.lock if c is not None and c.lock else "SHARE"
        yield rule.finding(
            fa.migration.display, st.span,
            f"{what} domain {ch.object} checks every value of {', '.join(cols)} while holding a {lock} lock on "
            f"{tables}: the live application's writes there wait for the whole scan.",
            fix=f"Check the columns instead, e.g. ALTER TABLE {sql_name(ctx, first_t)} ADD CONSTRAINT {sql_name(ctx, name)} "
            f"CHECK (...{sql_name(ctx, first_c)}...) NOT VALID; then ALTER TABLE {sql_name(ctx, first_t)} VALIDATE "
            f"CONSTRAINT {sql_name(ctx, name)}; in a later migration (writes continue), "
            "likewise for each column of the domain.",
            object=ch.object, change=ch.kind,
        )


@rule(
    id="flyway-concurrently-in-transaction",
    title="CONCURRENTLY form that fails: inside Flyway's transaction, or before the PostgreSQL version that has it",
    severity="error",
    klass="flyway",
    rationale=(
        "Flyway runs a PostgreSQL migration without a transaction only when it recognises a statement "
        "that needs that (CREATE/DROP INDEX CONCURRENTLY, VACUUM, ...). It does not recognise REINDEX "
        "... CONCURRENTLY or ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY, so it runs them inside "
        "the migration's transaction and PostgreSQL refuses: \"cannot run inside a transaction block\". "
        "Both forms are also recent: REINDEX ... CONCURRENTLY exists since "
        "PostgreSQL 12, DETACH PARTITION ... CONCURRENTLY since 14; an older server rejects the statement "
        "as a syntax error whatever the transaction (flylint assumes the oldest supported version, "
        "PostgreSQL 12, unless --db-version says otherwise)."
    ),
    fix="Keep the statement alone in its migration and add a <migration>.sql.conf file with "
    "executeInTransaction=false; on a server too old for the CONCURRENTLY form, use the plain form at a "
    "quiet time (or build a new index CONCURRENTLY and drop the old one).",
    examples=(
        Example({"V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
                 "V2__reindex.sql": "REINDEX INDEX CONCURRENTLY users_pkey;\n"}, True),
        Example({"V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
                 "V2__reindex.sql": "REINDEX INDEX CONCURRENTLY users_pkey;\n",
                 "V2__reindex.sql.conf": "executeInTransaction=false\n"}, False),
        Example({"V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
                 "V2__reindex.sql": "REINDEX INDEX CONCURRENTLY users_pkey;\n",
                 "V2__reindex.sql.conf": "executeInTransaction=false\n"}, True, db_version="11",
                title="REINDEX ... CONCURRENTLY does not exist before PostgreSQL 12"),
    ),
)
def concurrently_in_transaction(rule, ctx):
    if ctx.dialect != "postgres" or ctx.replay is None:
        return
    major = _pg_major(ctx)
    for fi, per_file in enumerate(ctx.replay.changes):
        fa = ctx.files[fi]
        in_transaction = None  # computed once per migration, when a CONCURRENTLY form shows up
        for si, changes in enumerate(per_file):
            for ch in changes:
                if not ch.detail.get("concurrently"):
                    continue
                if ch.kind == "reindex":
                    what, since = "REINDEX ... CONCURRENTLY", _reindex_concurrently_since(ctx)
                elif ch.kind == "other" and ch.detail.get("partition_op") == "detach":
                    # only a --db-version older than 14 says so: detach-partition recommends the form
                    what, since = "DETACH PARTITION ... CONCURRENTLY", ("14" if major is not None and major < 14
                                                                       else None)
                else:
                    continue
                name = fa.migration.path.name
                st = fa.statements[si]
                if since is not None:
                    server, assumed = _pg_server(ctx)
                    yield rule.finding(
                        fa.migration.display, st.span,
                        f"{what} needs PostgreSQL {since}+: {server}{assumed} rejects this statement (syntax error), "
                        "so the migration fails, in a transaction or not.",
                        fix=_too_old_fix(ctx, st, ch, since),
                        object=ch.object, change=ch.kind,
                    )
                    break
                if in_transaction is None:
                    in_transaction = runs_in_transaction(ctx, fa)
                if not in_transaction:
                    continue
                yield rule.finding(
                    fa.migration.display, st.span,
                    f"Flyway runs {name} inside a transaction, and PostgreSQL refuses {what} there: the migration "
                    "fails.",
                    fix=f"Keep this statement alone in its migration and create {name}.conf containing "
                    "executeInTransaction=false.",
                    object=ch.object, change=ch.kind,
                )
                break


@rule(
    id="flyway-commit-in-transaction",
    title="DO block that commits, in a migration Flyway runs inside a transaction",
    severity="error",
    klass="flyway",
    rationale=(
        "Since PostgreSQL 11 a DO block may COMMIT (or ROLLBACK) between batches of a backfill, but only "
        "when it does not run inside a transaction block; Flyway does not recognise a DO block as a "
        "statement that needs that, so unless the migration's .sql.conf says executeInTransaction=false, "
        "Flyway runs it inside the migration's transaction and PostgreSQL stops it at the first COMMIT "
        "with \"invalid transaction termination\": the migration fails (measured on PostgreSQL 15)."
    ),
    fix="Create <migration>.sql.conf containing executeInTransaction=false, so that each COMMIT ends one batch.",
    examples=(
        Example({"V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
                 "V2__fill.sql": "DO $$\nBEGIN\n  LOOP\n    UPDATE users SET email = lower(email)\n"
                 "     WHERE id IN (SELECT id FROM users WHERE email <> lower(email) LIMIT 5000);\n"
                 "    EXIT WHEN NOT FOUND;\n    COMMIT;\n  END LOOP;\nEND\n$$;\n"}, True),
        Example({"V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
                 "V2__fill.sql": "DO $$\nBEGIN\n  LOOP\n    UPDATE users SET email = lower(email)\n"
                 "     WHERE id IN (SELECT id FROM users WHERE email <> lower(email) LIMIT 5000);\n"
                 "    EXIT WHEN NOT FOUND;\n    COMMIT;\n  END LOOP;\nEND\n$$;\n",
                 "V2__fill.sql.conf": "executeInTransaction=false\n"}, False,
                title="executeInTransaction=false"),
    ),
)
def commit_in_transaction(rule, ctx):
    if ctx.dialect != "postgres" or ctx.replay is None:
        return
    major = _pg_major(ctx)
    for fa, st, ch in ctx.changes_of("unanalysed"):
        control = ch.detail.get("transaction_control")
        if not control:
            continue
        name = fa.migration.path.name
        if major is not None and major < 11:
            server, assumed = _pg_server(ctx)
            yield rule.finding(
                fa.migration.display, st.span,
                f"This DO block runs {control}, which PL/pgSQL allows only since PostgreSQL 11: {server}{assumed} "
                "refuses it, so the migration fails, in a transaction or not.",
                fix="Backfill in several migrations (one batch each), or from a job outside the migration.",
                change=ch.kind,
            )
        elif runs_in_transaction(ctx, fa):
            yield rule.finding(
                fa.migration.display, st.span,
                f"Flyway runs {name} inside a transaction, and PostgreSQL refuses the {control} in this DO block "
                "there (\"invalid transaction termination\"): the migration fails at its first batch.",
                fix=f"Create {name}.conf containing executeInTransaction=false, so that each {control} ends one batch.",
                change=ch.kind,
            )


def _reindex_concurrently_since(ctx) -> str | None:
    """"12" when REINDEX ... CONCURRENTLY does not exist on the server (the --db-version, or the oldest
    supported version when none is given), else None (flylint.dbfacts: the reindex rows)."""
    from flylint.dbfacts import cost

    try:
        c = cost("postgres", "reindex", ctx.db_version, concurrently=True)
    except ValueError:
        return None
    return "12" if c is not None and c.refused else None


def _pg_server(ctx) -> tuple[str, str]:
    """("PostgreSQL 11", "") for a --db-version, or the assumed oldest version and why."""
    from flylint.dbfacts import OLDEST

    if ctx.db_version:
        return f"PostgreSQL {ctx.db_version}", ""
    return (f"PostgreSQL {OLDEST['postgres']}",
            " (the oldest supported version, assumed: pass --db-version for yours)")


def _too_old_fix(ctx, st, ch, since) -> str:
    if ch.kind == "reindex":
        return _old_reindex_fix(ctx, ch)
    return (f"Remove CONCURRENTLY (it needs PostgreSQL {since}+) and detach at a quiet time after SET lock_timeout "
            "= '5s'; so the migration fails fast instead of queueing every query on the table.")


def _old_reindex_fix(ctx, ch) -> str:
    """Before PostgreSQL 12: rebuild an index without blocking writes by building a copy CONCURRENTLY."""
    if ch.detail.get("target") == "INDEX":
        name = sql_name(ctx, ch.object)
        return (f"Build a replacement instead: CREATE INDEX CONCURRENTLY {ch.object}_new ON ... (the same definition); "
                f"then DROP INDEX CONCURRENTLY {name}; and ALTER INDEX {ch.object}_new RENAME TO {ch.object}; "
                "each in a migration of its own (Flyway runs CREATE/DROP INDEX CONCURRENTLY outside a transaction). "
                "Or run a plain REINDEX at a quiet time (it blocks writes to the table).")
    return ("Rebuild each index with CREATE INDEX CONCURRENTLY of a copy, DROP INDEX CONCURRENTLY of the old one "
            "and a rename, each in a migration of its own; or run a plain REINDEX at a quiet time (it blocks "
            "writes to the table).")


_UNITS = {"us": 0.001, "ms": 1, "s": 1000, "min": 60000, "h": 3600000, "d": 86400000}
_SHORT_MS = 60_000  # below a minute, a scan or rewrite of a table of any real size is at risk


def _timeout_ms(value) -> float | None:
    """A PostgreSQL time setting in milliseconds (a bare number is milliseconds); None if unreadable."""
    text = str(value).strip().strip("'\"").strip().lower()
    if text in ("", "default"):
        return 0
    num = text.rstrip("abcdefghijklmnopqrstuvwxyz ")
    unit = text[len(num):].strip() or "ms"
    try:
        return float(num) * _UNITS[unit]
    except (ValueError, KeyError):
        return None


def _long_running(ctx, ch) -> str | None:
    """What makes the change take time proportional to the table's size, if it does."""
    from flylint.rules.rewrites import change_cost

    if ch.born:
        return None
    if ch.kind == "backfill":
        return "writes rows of"
    if ch.kind in ("create-index", "reindex") or (ch.kind == "validate-constraint"):
        return "scans"
    c = change_cost(ctx, ch)
    if c is None:
        return None
    if c.rewrite:
        return "rewrites"
    if c.scan:
        return "scans"
    return None


@rule(
    id="statement-timeout",
    title="Short statement_timeout before a statement that scans or rewrites a live table",
    severity="warning",
    klass="neutral",
    rationale=(
        "A statement_timeout set in a migration (or in Flyway's initSql) applies to every statement "
        "after it. Setting it short is good for statements that only wait for a lock, but a statement "
        "that scans or rewrites a table (an index build, a VALIDATE, a type change, a backfill) takes "
        "time proportional to the table: under a timeout of seconds it is cancelled on a big table, "
        "the migration fails, and a cancelled CREATE INDEX CONCURRENTLY leaves an INVALID index behind. "
        "flylint reports timeouts under one minute before such statements on live tables. Bound the "
        "wait for locks with lock_timeout instead."
    ),
    fix="Use lock_timeout to bound lock waits, and raise or reset statement_timeout (SET statement_timeout = 0) "
    "before statements that do real work.",
    examples=(
        Example({"V1__init.sql": _T + "ALTER TABLE users ADD CONSTRAINT users_email_check CHECK (email <> '') "
                 "NOT VALID;\n",
                 "V2__validate.sql": "SET statement_timeout = '5s';\n"
                 "ALTER TABLE users VALIDATE CONSTRAINT users_email_check;\n"}, True),
        Example({"V1__init.sql": _T + "ALTER TABLE users ADD CONSTRAINT users_email_check CHECK (email <> '') "
                 "NOT VALID;\n",
                 "V2__validate.sql": "SET statement_timeout = '5s';\nRESET statement_timeout;\n"
                 "ALTER TABLE users VALIDATE CONSTRAINT users_email_check;\n"}, False, title="reset first"),
        Example({"V1__init.sql": _T, "V2__fill.sql": "SET statement_timeout = 2000;\n"
                 "UPDATE users SET email = lower(email) WHERE id < 1000;\n"}, True,
                title="a backfill (a bare number is milliseconds)"),
        Example({"V1__init.sql": _T, "V2__add.sql": "SET lock_timeout = '5s';\nSET statement_timeout = '5s';\n"
                 "ALTER TABLE users ADD COLUMN name text;\n"}, False, title="a metadata-only change"),
        Example({"V1__init.sql": _T + "SET statement_timeout = '1s';\nCREATE INDEX users_email_idx ON users (email);\n"},
                False, title="table born in the same migration"),
    ),
)
def statement_timeout(rule, ctx):
    if ctx.dialect != "postgres" or ctx.replay is None:
        return
    import re

    start = session_default(ctx, "statement_timeout")  # the url's options, initSql, a callback
    initial = (_timeout_ms(start[0]), start[1]) if start is not None else (0, None)
    for fi, per_file in enumerate(ctx.replay.changes):
        fa = ctx.files[fi]
        timeout, where = initial
        for si, changes in enumerate(per_file):
            st = fa.statements[si]
            for ch in changes:
                if ch.kind == "session-setting":
                    for name, value in ch.detail.get("settings") or ():
                        if name == "statement_timeout":
                            timeout = 0 if ch.detail.get("reset") else _timeout_ms(value)
                            where = f"line {st.span.line}"
                        elif name == "all":
                            timeout, where = initial
                    continue
                if not timeout or timeout >= _SHORT_MS:
                    continue
                work = _long_running(ctx, ch)
                if work is None:
                    continue
                table = _locked_tables(ch)
                yield rule.finding(
                    fa.migration.display, st.span,
                    f"statement_timeout is {timeout / 1000:g}s here (set by {where}), and this statement {work} "
                    f"{table}: on a big table PostgreSQL cancels it and the migration fails"
                    + (" (leaving an INVALID index behind)." if ch.kind == "create-index" and ch.detail.get(
                        "concurrently") else "."),
                    fix=f"Before this statement: SET statement_timeout = 0; (or a bound sized for {table}); keep "
                    "lock_timeout short to bound lock waits.",
                    object=ch.object, change=ch.kind,
                )
                break


@rule(
    id="concurrent-index-corruption",
    title="Index built CONCURRENTLY on PostgreSQL 14.0 to 14.3",
    severity="error",
    klass="neutral",
    rationale=(
        "PostgreSQL 14.0 to 14.3 have a bug that can silently corrupt indexes built or rebuilt with "
        "CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY (fixed in 14.4; PostgreSQL 14.4 release "
        "notes): rows go missing from the index and queries using it return wrong results. flylint "
        "reports it only when --db-version says the server is one of these releases."
    ),
    fix="Upgrade the server to 14.4 or later before building indexes concurrently (and REINDEX indexes built "
    "concurrently on 14.0-14.3 after upgrading).",
    examples=(
        Example({"V1__init.sql": _T, "V2__idx.sql": "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n"},
                True, db_version="14.2"),
        Example({"V1__init.sql": _T, "V2__idx.sql": "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n"},
                False, db_version="14.4"),
    ),
)
def concurrent_index_corruption(rule, ctx):
    from flylint.dbfacts import parse_version

    if ctx.dialect != "postgres" or ctx.db_version is None:
        return
    try:
        version = parse_version(ctx.db_version)
    except ValueError:
        return
    if not (version[0] == 14 and tuple(version[:2]) < (14, 4)):  # "14" means 14.0, as in flylint.dbfacts
        return
    for fa, st, ch in ctx.changes_of("create-index", "reindex"):
        if ch.detail.get("concurrently"):
            yield rule.finding(
                fa.migration.display, st.span,
                f"PostgreSQL {ctx.db_version} can silently corrupt indexes built with CONCURRENTLY (fixed in 14.4): "
                f"{ch.object} may miss rows and make queries return wrong results.",
                fix=rule.fix, object=ch.object, change=ch.kind,
            )
