"""Blue/green compatibility: changes that break the application version still live during the rollout.

Each rule looks at the typed changes of the replayed history. A change to an object born in the
same release is never reported: the live version cannot be using it yet.
"""

from __future__ import annotations

import re

from flylint.expand import same_release
from flylint.rules import Example, rule, runs_in_transaction
from flylint.rules.names import TableName, sql_name, table_name

_USERS_PG = "CREATE TABLE users (id bigint PRIMARY KEY, first_name text NOT NULL, last_name text NOT NULL);\n"
_USERS_MY = "CREATE TABLE users (id bigint PRIMARY KEY, first_name varchar(255) NOT NULL, last_name varchar(255) NOT NULL);\n"


def _live(ctx, *kinds):
    for fa, st, ch in ctx.changes_of(*kinds):
        if not ch.born and not ch.detail.get("domain"):
            yield fa, st, ch


def _table(ch) -> str:
    return table_name(ch)


def _column(ch) -> str:
    return ch.detail.get("column") or ch.object.split(".")[-1]


def _missing(ctx) -> set:
    """(file, statement, object) of every statement that fails because its object does not exist."""
    return {(p.file, p.statement, p.object) for p in (ctx.replay.problems if ctx.replay else ()) if p.kind == "missing"}


def _broken_views(ch, col: str) -> tuple[str, str]:
    """(message tail, fix tail) for MySQL/MariaDB views that still read the dropped column."""
    views = ch.detail.get("breaks_views") or ()
    if not views:
        return "", ""
    names = ", ".join(views)
    one = len(views) == 1
    return (f" MySQL/MariaDB do not refuse the drop: view{'' if one else 's'} {names} still read{'s' if one else ''} "
            f"{col} and fail{'s' if one else ''} on every query from then on (error 1356), for the new version too.",
            f" Recreate {names} without {col} (CREATE OR REPLACE VIEW) before or in the same migration.")


@rule(
    id="drop-column",
    title="Column dropped while the live version may still use it",
    severity="error",
    klass="destructive",
    rationale=(
        "During a blue/green or rolling deploy the previous application version keeps running "
        "while the migration runs. If it still reads or writes the column, its queries fail as soon "
        "as the column is gone, and rolling back to it is no longer possible. The column's data is "
        "lost. Dropping a column is the last (contract) step of a change, shipped after the code "
        "stopped using it."
    ),
    fix="Ship the application without any use of the column first; drop it in a later release.",
    examples=(
        Example({"V1__init.sql": _USERS_PG, "V2__drop.sql": "ALTER TABLE users DROP COLUMN last_name;\n"}, True),
        Example({"V1__init.sql": _USERS_MY, "V2__drop.sql": "ALTER TABLE users DROP last_name;\n"}, True,
                dialect="mysql"),
        Example({"V1__init.sql": _USERS_PG + "ALTER TABLE users ADD COLUMN tmp text;\n"
                 "ALTER TABLE users DROP COLUMN tmp;\n"}, False, title="column born in the same migration"),
        Example({"V1__init.sql": _USERS_PG, "V2__add.sql": "ALTER TABLE users ADD COLUMN surname text;\n",
                 "V3__fill.sql": "UPDATE users SET surname = last_name;\n",
                 "V4__relax.sql": "ALTER TABLE users ALTER COLUMN last_name DROP NOT NULL;\n",
                 "V5__drop.sql": "ALTER TABLE users DROP COLUMN last_name;\n"}, True,
                title="contract step of a rename (added, backfilled, relaxed earlier): still an error without --app-source evidence, naming V2"),
    ),
)
def drop_column(rule, ctx):
    missing = _missing(ctx)
    for fa, st, ch in _live(ctx, "drop-column"):
        if (ch.file, ch.statement, ch.object) in missing:
            continue  # the column does not exist: missing-object says the statement fails
        table, col = _table(ch), _column(ch)
        vmsg, vfix = _broken_views(ch, col)
        contract = ch.detail.get("contract_of")
        if contract and not same_release(None, contract["backfilled"], ch.file):
            started = ctx.files[contract["started"]].migration.display
            filled = ctx.files[contract["backfilled"]].migration.display
            how = f"added in {started}" + ("" if filled == started else f", backfilled in {filled}")
            # a trigger created on the table since the expand step (a dual-write sync) may fill the old
            # column for a version that no longer writes it: then NOT NULL proves nothing
            synced = any(o.detail.get("trigger") and o.table == ch.table and contract["started"] <= o.file <= ch.file
                         for _, _, o in ctx.changes_of("other"))
            if ch.detail.get("nullable") is False and not ch.detail.get("has_default") and not synced:
                # NOT NULL without a default: every version that inserts rows must still write it
                yield rule.finding(
                    fa.migration.display, st.span,
                    f"This is meant as the contract step of the rename {table}.{contract['old']} -> "
                    f"{table}.{contract['new']} started by {started}, but {col} is still NOT NULL without a "
                    f"default: the live application version must still be writing it, and breaks once it is "
                    f"gone.",
                    fix=f"First release: ALTER TABLE {sql_name(ctx, table)} "
                    + (f"ALTER COLUMN {sql_name(ctx, col)} DROP NOT NULL" if ctx.dialect == "postgres"
                       else f"MODIFY {sql_name(ctx, col)} ... NULL")
                    + f" together with code that no longer writes {col}; drop it in the release after that.",
                    object=ch.object, change=ch.kind,
                )
                continue
            yield rule.finding(
                fa.migration.display, st.span,
                f"Contract step of the rename {table}.{contract['old']} -> {table}.{contract['new']} started by "
                f"{started} ({contract['new']} {how} from {contract['old']}). Safe only once no running "
                f"application version reads or writes {col}, which nothing here shows (pass the live "
                f"version's code with --app-source for evidence); the data left only in {table}.{col} is lost."
                + vmsg,
                fix=f"Deploy the version that uses only {table}.{contract['new']} everywhere before this migration "
                f"runs (check with --app-source); keep {col} until then." + vfix,
                object=ch.object, change=ch.kind,
            )
            continue
        yield rule.finding(
            fa.migration.display, st.span,
            f"Dropping {table}.{col} breaks the application version that is still live during the "
            f"rollout if it reads or writes {col}, and makes rolling back to it impossible; the data in "
            f"{table}.{col} is lost." + vmsg,
            fix=f"Contract in two releases: first deploy code that no longer reads or writes {table}.{col} "
            f"(with an ORM, mark the column ignored); once no running version uses it, drop it in a later "
            f"migration: ALTER TABLE {sql_name(ctx, table)} DROP COLUMN {sql_name(ctx, col)};" + vfix,
            object=ch.object, change=ch.kind,
        )


@rule(
    id="drop-table",
    title="Table dropped while the live version may still use it",
    severity="error",
    klass="destructive",
    rationale=(
        "The previous application version keeps running during the rollout; any query it makes on "
        "the table fails once the table is gone, rollback becomes impossible, and the data is lost."
    ),
    fix="Stop using the table in a released version first; drop it in a later release.",
    examples=(
        Example({"V1__init.sql": _USERS_PG, "V2__drop.sql": "DROP TABLE users;\n"}, True),
        Example({"V1__init.sql": _USERS_MY, "V2__drop.sql": "DROP TABLE IF EXISTS users;\n"}, True, dialect="mysql"),
        Example({"V1__init.sql": _USERS_PG + "CREATE TABLE tmp (id int);\nDROP TABLE tmp;\n"}, False,
                title="table born in the same migration"),
    ),
)
def drop_table(rule, ctx):
    missing = _missing(ctx)
    for fa, st, ch in _live(ctx, "drop-table"):
        if (ch.file, ch.statement, ch.object) in missing:
            continue  # the table does not exist (or is a view): missing-object says the statement fails
        table = _table(ch)
        if ch.detail.get("or_replace"):
            yield rule.finding(
                fa.migration.display, st.span,
                f"CREATE OR REPLACE TABLE {table} drops the existing table {table} with all its rows and creates an "
                f"empty one: the application version that is still live loses its data, and its queries fail if "
                f"the new definition differs.",
                fix=f"Change the live table with ALTER TABLE {table} ...; use CREATE TABLE IF NOT EXISTS (or a new "
                    f"name) for a table that may already exist.",
                object=ch.object, change=ch.kind,
            )
            continue
        yield rule.finding(
            fa.migration.display, st.span,
            f"Dropping table {table} breaks the application version that is still live if it queries "
            f"{table}, makes rolling back impossible, and loses its data.",
            fix=f"First deploy code that no longer uses {table} and keep the table until no running version "
            f"references it; drop it in a later release, marking that DROP with -- flylint: ignore[drop-table] "
            f"<why nothing uses {table} any more>. To prove nothing still uses it before the drop, without losing "
            f"the data, revoke the application's access first (REVOKE ALL ON {sql_name(ctx, table)} FROM "
            "<application role>; a GRANT restores it at once); do not rename it instead: a rename breaks the live "
            "version just like the drop.",
            object=ch.object, change=ch.kind,
        )


@rule(
    id="drop-object",
    title="View, type, sequence, function or schema dropped while live",
    severity="error",
    klass="destructive",
    rationale=(
        "Views, enum types, sequences, functions and schemas are used by the running application "
        "too: dropping one breaks the version that is still live and blocks a rollback."
    ),
    fix="Stop using the object in a released version first; drop it in a later release.",
    examples=(
        Example({"V1__init.sql": _USERS_PG + "CREATE VIEW user_names AS SELECT id, first_name FROM users;\n",
                 "V2__drop.sql": "DROP VIEW user_names;\n"}, True),
        Example({"V1__init.sql": _USERS_MY + "CREATE VIEW user_names AS SELECT id, first_name FROM users;\n",
                 "V2__drop.sql": "DROP VIEW user_names;\n"}, True, dialect="mysql"),
        Example({"V1__init.sql": _USERS_PG + "CREATE VIEW v AS SELECT id FROM users;\nDROP VIEW v;\n"}, False),
        Example({"V1__init.sql": _USERS_PG,
                 "R__views.sql": "DROP VIEW IF EXISTS user_names;\n"
                                 "CREATE VIEW user_names AS SELECT id, first_name FROM users;\n"}, False,
                title="a repeatable that drops and re-creates its view"),
    ),
)
def drop_object(rule, ctx):
    drops = ctx.changes_of("drop-view", "drop-type", "drop-sequence", "drop-function", "drop-schema")
    recreated = _recreated(ctx) if drops else {}
    for fa, st, ch in drops:
        if ch.born:
            continue
        if ch.detail.get("domain"):
            what = "domain"
        else:
            what = ch.description.split()[1] if ch.kind == "drop-function" else ch.kind.removeprefix("drop-")
        if ch.detail.get("trigger_function") and not ch.detail.get("cascade"):
            continue  # only triggers call it, never the application; PostgreSQL refuses while one still does
        if any(i > ch.statement for i in recreated.get((ch.file, what, ch.object.lower()), ())):
            continue  # DROP VIEW/FUNCTION IF EXISTS + CREATE in one migration (a repeatable) replaces it
        how = f" (CASCADE from dropping {ch.detail['cascaded_from']})" if ch.detail.get("cascaded_from") else ""
        yield rule.finding(
            fa.migration.display, st.span,
            f"Dropping {what} {ch.object}{how} breaks the application version that is still live if it uses "
            f"{ch.object}, and blocks rolling back to it.",
            fix=f"First deploy code that no longer uses {ch.object}; drop the {what} in a later release.",
            object=ch.object, change=ch.kind,
        )


def _recreated(ctx) -> dict:
    """(file, 'view'|'function'|'procedure', name) -> statement indices where it is created."""
    out: dict = {}
    for _, _, ch in ctx.changes_of("create-view", "replace-view", "other"):
        if ch.kind in ("create-view", "replace-view"):
            what = "view"
        elif ch.kind == "other" and ch.description.startswith(("create function ", "create procedure ")):
            what = ch.description.split()[1]
        else:
            continue
        out.setdefault((ch.file, what, ch.object.lower()), []).append(ch.statement)
    return out


def _swaps(ctx) -> set:
    """Renames that swap in a replacement column built by expand/contract: in one release, the old
    column X is renamed away to Y and the column backfilled from it takes the name X (a type change
    keeping the name). The live version's queries on X keep working. Returns the ids of both changes,
    unless Y is left NOT NULL without a default (then the live version's inserts, which no longer
    reach Y, fail)."""
    cat = ctx.replay.catalog if ctx.replay is not None else None
    if cat is None:
        return set()
    renames = [ch for _, _, ch in _live(ctx, "rename-column")]
    relaxed = {(ch.file, ch.table, cat.col_key(_column(ch))) for _, _, ch in _live(ctx, "drop-not-null", "set-default")}
    out = set()
    for took in renames:
        gone_to = took.detail.get("replaces")
        if not gone_to:
            continue
        for away in renames:
            if (away is took or away.table != took.table or not same_release(None, away.file, took.file)
                    or cat.col_key(away.detail.get("new_name") or "") != cat.col_key(gone_to)
                    or cat.col_key(_column(away)) != cat.col_key(took.detail.get("new_name") or "")):
                continue
            names = {cat.col_key(_column(away)), cat.col_key(gone_to)}
            loose = away.detail.get("nullable") or away.detail.get("has_default") or any(
                (f, t) == (away.file, away.table) and c in names for f, t, c in relaxed)
            if loose:
                out.update((id(took), id(away)))
    return out


@rule(
    id="rename-column",
    title="Column renamed in place",
    severity="error",
    klass="incompatible",
    rationale=(
        "A rename is a drop of the old name for every query that uses it: the application version "
        "still live during the rollout fails on the old name the moment the migration commits. "
        "The safe rename is a sequence: add the new column, write both, backfill, switch reads, "
        "stop writing the old one, drop it."
    ),
    fix="Rename by expand/contract over several releases.",
    examples=(
        Example({"V1__init.sql": _USERS_PG,
                 "V2__rename.sql": "ALTER TABLE users RENAME COLUMN last_name TO surname;\n"}, True),
        Example({"V1__init.sql": _USERS_PG, "V2__rename.sql": "ALTER TABLE users RENAME last_name TO surname;\n"},
                True, title="PostgreSQL without the COLUMN keyword"),
        Example({"V1__init.sql": _USERS_MY,
                 "V2__rename.sql": "ALTER TABLE users CHANGE last_name surname varchar(255) NOT NULL;\n"}, True,
                dialect="mysql", title="MySQL CHANGE"),
        Example({"V1__init.sql": _USERS_PG + "ALTER TABLE users ADD COLUMN nick text;\n"
                 "ALTER TABLE users RENAME COLUMN nick TO nickname;\n"}, False,
                title="column born in the same migration"),
        Example({"V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, age int NOT NULL);\n",
                 "V2__add.sql": "ALTER TABLE users ADD COLUMN age_new bigint;\n",
                 "V3__fill.sql": "UPDATE users SET age_new = age;\n",
                 "V4__swap.sql": "ALTER TABLE users ALTER COLUMN age DROP NOT NULL;\n"
                 "ALTER TABLE users RENAME COLUMN age TO age_old;\n"
                 "ALTER TABLE users RENAME COLUMN age_new TO age;\n"}, False,
                title="a backfilled replacement column swapped in under the old name"),
    ),
)
def rename_column(rule, ctx):
    swaps = _swaps(ctx)
    for fa, st, ch in _live(ctx, "rename-column"):
        if id(ch) in swaps:
            continue
        table, old, new = _table(ch), _column(ch), ch.detail.get("new_name")
        typ = ch.detail.get("type") or "<type>"  # the column's type when it was renamed
        qt, qo, qn = sql_name(ctx, table), sql_name(ctx, old), sql_name(ctx, new)
        vmsg, _ = _broken_views(ch, old)
        yield rule.finding(
            fa.migration.display, st.span,
            f"Renaming {table}.{old} to {new} breaks the application version that is still live: its "
            f"queries use {old}, which no longer exists once this migration commits." + vmsg.replace(
                "do not refuse the drop", "do not refuse the rename"),
            fix=(
                f"Rename in steps, one release each: (1) ALTER TABLE {qt} ADD COLUMN {qn} {typ}; and "
                f"deploy code that writes both {old} and {new} and reads {new} falling back to {old}; "
                f"(2) backfill: UPDATE {qt} SET {qn} = {qo} WHERE {qn} IS NULL; (in batches on big "
                f"tables); (3) deploy code that uses only {new}; (4) ALTER TABLE {qt} DROP COLUMN {qo};"
            ),
            object=ch.object, change=ch.kind,
        )


@rule(
    id="rename-table",
    title="Table or view renamed in place",
    severity="error",
    klass="incompatible",
    rationale=(
        "Every query of the live application version uses the old name; it fails the moment the "
        "rename commits."
    ),
    fix="Keep the old name working: rename and create a view with the old name, or copy via expand/contract.",
    examples=(
        Example({"V1__init.sql": _USERS_PG, "V2__rename.sql": "ALTER TABLE users RENAME TO customers;\n"}, True),
        Example({"V1__init.sql": _USERS_MY, "V2__rename.sql": "RENAME TABLE users TO customers;\n"}, True,
                dialect="mysql"),
        Example({"V1__init.sql": "CREATE TABLE tmp (id int);\nALTER TABLE tmp RENAME TO users;\n"}, False),
        Example({"V1__init.sql": _USERS_PG, "V2__rename.sql": "ALTER TABLE users RENAME TO customers;\n"
                 "CREATE VIEW users AS SELECT * FROM customers;\n"}, False,
                title="the old name kept as a view in the same migration"),
        Example({"V1__init.sql": _USERS_MY, "V2__rename.sql": "RENAME TABLE users TO customers;\n"
                 "CREATE VIEW users AS SELECT * FROM customers;\n"}, False, dialect="mysql",
                title="the old name kept as a view (MySQL)"),
    ),
)
def rename_table(rule, ctx):
    # the compatibility view the fix recommends: CREATE VIEW old AS SELECT * FROM new, same migration
    shims = {(ch.file, ch.table, ch.detail["reads"][0]) for _, _, ch in ctx.changes_of("create-view")
             if ch.detail.get("select_star") and len(ch.detail.get("reads") or ()) == 1}
    # MySQL RENAME TABLE a TO a_old, a_new TO a: the swap is atomic and `a` never stops existing
    taken = {(ch.file, ch.statement, (ch.detail.get("new_schema") or ch.table[0], ch.detail.get("new_name")))
             for _, _, ch in ctx.changes_of("rename-table") if ch.table}
    for fa, st, ch in _live(ctx, "rename-table"):
        if (ch.file, ch.table, (ch.detail.get("new_schema") or ch.table[0], ch.detail.get("new_name"))) in shims:
            continue
        if (ch.file, ch.statement, ch.table) in taken:
            continue
        old, new = _table(ch), ch.detail.get("new_name")
        renamed = TableName(new or "")
        renamed.schema = ch.detail.get("new_schema") or ch.table[0]
        qo, qn = sql_name(ctx, old), sql_name(ctx, renamed)
        yield rule.finding(
            fa.migration.display, st.span,
            f"Renaming {old} to {new} breaks the application version that is still live: it queries {old}.",
            fix=f"Rename and keep the old name as a view in the same migration (CREATE VIEW {qo} AS SELECT "
            f"* FROM {qn};), deploy code that uses {new}, then drop the view {qo} in a later release.",
            object=ch.object, change=ch.kind,
        )


@rule(
    id="add-not-null-column",
    title="NOT NULL column without a default added to a live table",
    severity="error",
    klass="incompatible",
    rationale=(
        "The live application version does not know the new column, so its INSERTs leave it out and "
        "fail with a NOT NULL violation. On PostgreSQL the ALTER itself fails if the table has rows; "
        "MySQL fills existing rows with the type's zero value."
    ),
    fix="Add the column nullable or with a database default; enforce NOT NULL later, once every "
    "running version writes it.",
    examples=(
        Example({"V1__init.sql": _USERS_PG, "V2__add.sql": "ALTER TABLE users ADD COLUMN email text NOT NULL;\n"},
                True),
        Example({"V1__init.sql": _USERS_MY,
                 "V2__add.sql": "ALTER TABLE users ADD COLUMN email varchar(255) NOT NULL;\n"}, True,
                dialect="mysql"),
        Example({"V1__init.sql": _USERS_PG,
                 "V2__add.sql": "ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'active';\n"}, False,
                title="with a default"),
        Example({"V1__init.sql": _USERS_PG + "ALTER TABLE users ADD COLUMN email text NOT NULL;\n"}, False,
                title="table born in the same migration"),
    ),
)
def add_not_null_column(rule, ctx):
    for fa, st, ch in _live(ctx, "add-column"):
        d = ch.detail
        if not d.get("not_null") or d.get("has_default") or d.get("generated") or d.get("identity"):
            continue
        table, col = _table(ch), _column(ch)
        yield rule.finding(
            fa.migration.display, st.span,
            f"{table}.{col} is NOT NULL without a default: INSERTs from the application version that is "
            f"still live do not set {col} and fail.",
            fix=f"ALTER TABLE {sql_name(ctx, table)} ADD COLUMN {sql_name(ctx, col)} {d.get('type')}; (nullable), "
            f"deploy code that always writes {col}, backfill the old rows, then make it NOT NULL in a later release. "
            f"Or give it a database default: ALTER TABLE {sql_name(ctx, table)} ADD COLUMN {sql_name(ctx, col)} "
            f"{d.get('type')} NOT NULL DEFAULT "
            "<value>;",
            object=ch.object, change=ch.kind,
        )


@rule(
    id="set-not-null",
    title="NOT NULL added to a live column",
    severity="warning",
    klass="incompatible",
    rationale=(
        "If the live application version can still write NULL into the column, its writes fail once "
        "the constraint is in place. On PostgreSQL, SET NOT NULL also scans the whole table under an "
        "ACCESS EXCLUSIVE lock unless a validated CHECK (col IS NOT NULL) proves it (PostgreSQL 12+); "
        "MySQL rebuilds the table. Once a validated CHECK (col IS NOT NULL) that the server enforces is in "
        "place (PostgreSQL; MySQL 8.0.16+, MariaDB 10.2.1+: older MySQL ignores CHECK), writes of NULL are "
        "already refused and NOT NULL breaks nothing more: only a scan or a blocking rebuild is reported."
    ),
    fix="Make sure no running version writes NULL, then tighten in steps that do not scan under lock.",
    examples=(
        Example({"V1__init.sql": _USERS_PG + "ALTER TABLE users ADD COLUMN surname text;\n",
                 "V2__tighten.sql": "ALTER TABLE users ALTER COLUMN surname SET NOT NULL;\n"}, True),
        Example({"V1__init.sql": _USERS_MY + "ALTER TABLE users ADD COLUMN surname varchar(255);\n",
                 "V2__tighten.sql": "ALTER TABLE users MODIFY surname varchar(255) NOT NULL;\n"}, True,
                dialect="mysql"),
        Example({"V1__init.sql": _USERS_PG + "ALTER TABLE users ADD COLUMN surname text;\n",
                 "V2__check.sql": "ALTER TABLE users ADD CONSTRAINT surname_nn CHECK (surname IS NOT NULL) NOT VALID;\n",
                 "V3__validate.sql": "ALTER TABLE users VALIDATE CONSTRAINT surname_nn;\n",
                 "V4__tighten.sql": "ALTER TABLE users ALTER COLUMN surname SET NOT NULL;\n"}, False,
                title="CHECK NOT VALID, VALIDATE, then SET NOT NULL (PostgreSQL 12+)"),
        Example({"V1__init.sql": _USERS_PG + "ALTER TABLE users ADD COLUMN surname text;\n"
                 "ALTER TABLE users ALTER COLUMN surname SET NOT NULL;\n"}, False,
                title="column born in the same migration"),
        Example({"V1__init.sql": _USERS_MY + "ALTER TABLE users ADD COLUMN surname varchar(255);\n",
                 "V2__check.sql": "ALTER TABLE users ADD CONSTRAINT surname_nn CHECK (surname IS NOT NULL);\n",
                 "V3__tighten.sql": "ALTER TABLE users MODIFY surname varchar(255) NOT NULL;\n"}, False,
                dialect="mysql", db_version="8.0.35",
                title="MySQL 8.0.16+: an enforced CHECK already refuses NULL, the rebuild is online"),
        Example({"V1__init.sql": _USERS_MY + "ALTER TABLE users ADD COLUMN surname varchar(255);\n",
                 "V2__check.sql": "ALTER TABLE users ADD CONSTRAINT surname_nn CHECK (surname IS NOT NULL);\n",
                 "V3__tighten.sql": "ALTER TABLE users MODIFY surname varchar(255) NOT NULL;\n"}, True,
                dialect="mysql", db_version="5.7",
                title="MySQL 5.7 parses the CHECK and ignores it: it proves nothing"),
    ),
)
def set_not_null(rule, ctx):
    pg_old = ctx.dialect == "postgres" and ctx.db_version is not None and int(ctx.db_version.split(".")[0]) < 12
    for fa, st, ch in _live(ctx, "set-not-null"):
        if ch.detail.get("proven_by_check") and ctx.dialect == "postgres" and not pg_old:
            continue
        table, col = _table(ch), _column(ch)
        if ch.detail.get("proven_by_check") and ctx.dialect == "postgres":
            # PostgreSQL 11 and older: the validated CHECK already rejects NULL (the live version's writes
            # are not affected), but SET NOT NULL does not use it and scans anyway
            yield rule.finding(
                fa.migration.display, st.span,
                f"PostgreSQL {ctx.db_version} does not use the validated CHECK that proves {table}.{col} is never "
                "NULL (only PostgreSQL 12+ does): SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE "
                "lock, blocking the live application's reads and writes of it until the scan ends.",
                fix=f"Keep the validated CHECK constraint (it rejects NULL just like NOT NULL) and leave out SET NOT "
                f"NULL until the database runs PostgreSQL 12+, or run it at a quiet time on a small {table}.",
                object=ch.object, change=ch.kind, klass="neutral",  # about the scan: no write starts failing
            )
            continue
        if ch.detail.get("proven_by_check"):
            # MySQL 8.0.16+ / MariaDB 10.2.1+ (the replay counts the proof only where the server enforces the
            # CHECK): no write starts failing; what is left is the rebuild, reported when it blocks writes
            # (an online rebuild as a side effect is left alone, as table-rewrite does)
            from flylint.rules.rewrites import _server, change_cost, how_done, waits

            c = change_cost(ctx, ch)
            if c is None or c.refused or (c.lock in (None, "NONE") and c.algorithm != "COPY"):
                continue
            yield rule.finding(
                fa.migration.display, st.span,
                f"The validated CHECK {ch.detail.get('check')} already keeps NULL out of {table}.{col}, so no write "
                f"of the live application starts failing; but {_server(ctx, c)} {how_done(c, table)} to make it "
                f"NOT NULL: {waits(c, table)} until it ends.",
                fix=f"Keep the CHECK constraint (it refuses NULL just like NOT NULL) and leave out the NOT NULL, or run "
                f"it at a quiet time or with an online schema change tool (gh-ost, pt-osc) on a big {table}.",
                object=ch.object, change=ch.kind, klass=ch.klass,
            )
            continue
        if ctx.dialect == "postgres":
            c = sql_name(ctx, f"{table}_{col}_not_null")
            qt, qc = sql_name(ctx, table), sql_name(ctx, col)
            fix = (
                f"Deploy code that never writes NULL into {table}.{col} and backfill NULLs first; then "
                f"(1) ALTER TABLE {qt} ADD CONSTRAINT {c} CHECK ({qc} IS NOT NULL) NOT VALID; "
                f"(2) in the next migration: ALTER TABLE {qt} VALIDATE CONSTRAINT {c}; (3) then ALTER TABLE "
                f"{qt} ALTER COLUMN {qc} SET NOT NULL; (no scan on PostgreSQL 12+) and ALTER TABLE {qt} "
                f"DROP CONSTRAINT {c};"
            )
            cost = "it scans the whole table under an ACCESS EXCLUSIVE lock, blocking reads and writes"
        else:
            from flylint.rules.rewrites import _server, change_cost, how_done, waits

            default = ch.detail.get("default")
            value = default if default is not None and str(default).upper() != "NULL" else "<value>"
            fix = (
                f"Deploy code that never writes NULL into {table}.{col} and backfill NULLs first (UPDATE "
                f"{sql_name(ctx, table)} SET {sql_name(ctx, col)} = {value} WHERE {sql_name(ctx, col)} IS NULL, in "
                f"batches), then tighten in its own "
                "migration, at a quiet time or with an online schema change tool (gh-ost, pt-osc) on big tables."
            )
            c = change_cost(ctx, ch)
            if c is not None and not c.refused and c.rewrite and c.algorithm:
                # MySQL 8.0 manual, online DDL column operations: "Making a column NOT NULL": in place,
                # rebuilds the table, concurrent DML permitted; measured INPLACE, LOCK=NONE on MariaDB 10.11
                tail = (", but it takes time and I/O proportional to the size of "
                        f"{table}" if c.lock in (None, "NONE") else " until it ends")
                cost = f"{_server(ctx, c)} {how_done(c, table)}: {waits(c, table)}{tail}"
            else:
                cost = "MySQL/MariaDB rebuild the table to change nullability"
        yield rule.finding(
            fa.migration.display, st.span,
            f"Making {table}.{col} NOT NULL breaks writes of NULL from the application version that is "
            f"still live, and {cost}.",
            fix=fix, object=ch.object, change=ch.kind,
        )


@rule(
    id="change-column-type",
    title="Column type changed on a live table",
    severity="error",
    klass="incompatible",
    rationale=(
        "Narrowing a type (shorter varchar, smaller integer, lower precision) makes writes of the live "
        "application version fail and can fail the migration on existing data; changing to a different "
        "kind of type breaks its reads and writes. Widening that needs no rewrite (varchar(100) to "
        "varchar(200) or text on PostgreSQL) is safe; widening that rewrites the table (int to bigint) "
        "is compatible but locks the table for the whole rewrite. PostgreSQL's timestamp to timestamptz (and "
        "back) converts every value, reading it in the session TimeZone: a warning when nothing sets "
        "TimeZone (the result then depends on the machine running Flyway; pgjdbc sends the JVM's zone), or "
        "when the zone is not UTC, where the table is rewritten under ACCESS EXCLUSIVE (PostgreSQL 12+ "
        "skips the rewrite under UTC; measured on PostgreSQL 15). SET TimeZone = 'UTC' earlier in the "
        "migration, in initSql, a beforeEachMigrate callback or the url's options counts."
    ),
    fix="Change types by expand/contract: a new column of the new type, dual writes, backfill, switch.",
    examples=(
        Example({"V1__init.sql": "CREATE TABLE users (id int, name varchar(200));\n",
                 "V2__narrow.sql": "ALTER TABLE users ALTER COLUMN name TYPE varchar(100);\n"}, True),
        Example({"V1__init.sql": "CREATE TABLE users (id int, name varchar(200));\n",
                 "V2__narrow.sql": "ALTER TABLE users MODIFY name varchar(100);\n"}, True, dialect="mysql"),
        Example({"V1__init.sql": "CREATE TABLE users (id int, name varchar(100));\n",
                 "V2__widen.sql": "ALTER TABLE users ALTER COLUMN name TYPE varchar(200);\n"}, False,
                title="widening without a rewrite"),
        Example({"V1__init.sql": "CREATE TABLE users (id int, status ENUM('new', 'done'));\n",
                 "V2__enum.sql": "ALTER TABLE users MODIFY status ENUM('done', 'new');\n"}, True, dialect="mysql",
                title="ENUM values reordered"),
        Example({"V1__init.sql": "CREATE TABLE users (id int, status ENUM('new', 'done'));\n",
                 "V2__enum.sql": "ALTER TABLE users MODIFY status ENUM('new', 'done', 'archived');\n"}, False,
                dialect="mysql", db_version="8.0.35", title="an ENUM value appended at the end"),
        Example({"V1__init.sql": "CREATE TABLE users (id int, name varchar(200));\n"
                 "ALTER TABLE users ALTER COLUMN name TYPE varchar(100);\n"}, False,
                title="table born in the same migration"),
        Example({"V1__init.sql": "CREATE TABLE events (id bigint, at timestamp);\n",
                 "V2__tz.sql": "ALTER TABLE events ALTER COLUMN at TYPE timestamptz;\n"}, True,
                title="timestamp to timestamptz without a TimeZone: the values depend on where Flyway runs"),
        Example({"V1__init.sql": "CREATE TABLE events (id bigint, at timestamp);\n",
                 "V2__tz.sql": "SET TimeZone = 'UTC';\nALTER TABLE events ALTER COLUMN at TYPE timestamptz;\n"}, False,
                title="timestamp to timestamptz under TimeZone UTC: no table rewrite on PostgreSQL 12+"),
        Example({"V1__init.sql": "CREATE TABLE users (id int, name varchar(100) CHARACTER SET utf8mb4);\n",
                 "V2__charset.sql": "ALTER TABLE users MODIFY name varchar(100) CHARACTER SET latin1;\n"}, True,
                dialect="mysql", title="a column converted to a smaller character set"),
    ),
)
def change_column_type(rule, ctx):
    # every finding carries the change's class (klass=ch.klass): incompatible when the type narrows or changes
    # kind, neutral when every value is kept (a widening that rewrites, timestamp <-> timestamptz) and the
    # finding is about the rewrite or the session TimeZone
    for fa, st, ch in _live(ctx, "change-column-type"):
        d = ch.detail
        verdict = d.get("verdict")
        if verdict in ("same", "widen"):
            continue
        table, col = _table(ch), _column(ch)
        old, new = d.get("old_type") or "?", d.get("new_type")
        tmp = f"{col}_new"
        steps = (
            f"(1) ALTER TABLE {sql_name(ctx, table)} ADD COLUMN {sql_name(ctx, tmp)} {new}; and deploy code that "
            "writes both; (2) backfill "
            f"{tmp} from {col} in batches; (3) deploy code that reads {tmp}; (4) drop {col} in a later release "
            "(and rename only behind a view, see rename-column)."
        )
        if verdict == "widen-rewrite":
            cost = ("PostgreSQL rewrites the table under an ACCESS EXCLUSIVE lock, blocking the live application "
                    "for the whole time" if ctx.dialect == "postgres" else _my_copy(ctx, ch, table))
            yield rule.finding(
                fa.migration.display, st.span,
                f"Changing {table}.{col} from {old} to {new} keeps existing values, but {cost}.",
                fix="Run it at a quiet time on small tables; on big ones " + steps,
                object=ch.object, change=ch.kind, klass=ch.klass, severity="warning",
            )
            continue
        if verdict == "reinterpret":
            found = _timestamp_tz_finding(rule, ctx, fa, st, ch, table, col, old, new, steps)
            if found is not None:
                yield found
            continue
        members = _enum_change(old, new)
        if members is not None:
            yield _enum_finding(rule, ctx, fa, st, ch, table, col, old, *members)
            continue
        what = "narrows" if verdict == "narrow" else "changes the kind of"
        yield rule.finding(
            fa.migration.display, st.span,
            f"Changing {table}.{col} from {old} to {new} {what} the column: values the live application "
            "version writes may no longer fit, its reads may break, and the migration can fail on existing data.",
            fix=steps, object=ch.object, change=ch.kind, klass=ch.klass,
        )


# TimeZone values whose offset is always 0: PostgreSQL 12+ changes timestamp <-> timestamptz without a
# rewrite under them (measured on PostgreSQL 15.20: UTC, Etc/UTC, GMT, Etc/GMT, Zulu, UCT, Universal,
# Greenwich, GMT0, UTC0, UTC+0, Etc/GMT+0, '+00', '-00:00', '0' skipped the rewrite; Europe/London and
# Africa/Abidjan, whose offset was not always 0, rewrote). Zone names are case-insensitive.
_UTC_ZONE = re.compile(r"(?:etc/)?(?:utc|uct|gmt|zulu|universal|greenwich)?(?:[+-]?0+(?::0+)?)?", re.IGNORECASE)


def _is_utc(zone: str) -> bool:
    return zone != "" and _UTC_ZONE.fullmatch(zone) is not None


def session_timezone(ctx, ch) -> tuple[str | None, str] | None:
    """(zone, where it is set) of the session a timestamp <-> timestamptz change runs in: what the migration
    set before it, else what every migration starts with (the url's options, initSql, a beforeEachMigrate
    callback); None when nothing sets it (the connection's zone: pgjdbc sends the JVM's). The zone is None
    when it is set to something flylint does not read (an INTERVAL)."""
    from flylint.rules import session_default

    zone = ch.detail.get("timezone")
    if zone == "DEFAULT":  # RESET / SET TIME ZONE DEFAULT: back to the zone the connection was opened with
        found = session_default(ctx, "timezone", startup=True)
    elif zone is not None:
        return (None if zone == "?" else zone), "this migration, before this statement"
    else:
        found = session_default(ctx, "timezone")
    if found is None or not found[0] or found[0].upper() in ("DEFAULT", "LOCAL"):
        return None
    return found


def timestamp_tz_zone(ctx, st, ch) -> tuple[bool, tuple[str | None, str] | None, bool]:
    """(explicit, found, utc) of a PostgreSQL timestamp <-> timestamptz change run by statement `st`: whether
    it names the zone itself (USING ... AT TIME ZONE), the session TimeZone it runs in (`session_timezone`; None
    when explicit or unset) and whether that zone is UTC (PostgreSQL 12+ then skips the table rewrite)."""
    explicit = bool(ch.detail.get("using")) and "AT TIME ZONE" in " ".join(st.text.upper().split())
    found = None if explicit else session_timezone(ctx, ch)
    utc = found is not None and found[0] is not None and _is_utc(found[0])
    return explicit, found, utc


def _timestamp_tz_finding(rule, ctx, fa, st, ch, table, col, old, new, steps):
    """timestamp <-> timestamptz on PostgreSQL: every value converts, so the live version keeps working; what
    is left is the zone the values are read in and the rewrite (measured on PostgreSQL 15.20)."""
    from flylint.rules.rewrites import statement_cost

    qt, qc = sql_name(ctx, table), sql_name(ctx, col)
    explicit, found, utc = timestamp_tz_zone(ctx, st, ch)
    c = statement_cost(ctx, st, ch)
    rewrite = c is None or c.rewrite
    to_tz = (new or "").lower().startswith("timestamptz") or "with time zone" in (new or "").lower()
    read = "reads each stored time as a time in" if to_tz else "turns each instant into its wall-clock time in"
    kept = "each stored time is read as a time in" if to_tz else "each instant becomes its wall-clock time in"
    if_utc = "If the stored times are UTC" if to_tz else "If the new values are to be UTC times"
    if_other = "if they are times of another zone" if to_tz else "if they are to be times of another zone"
    pg = f"PostgreSQL {ctx.db_version}" if ctx.db_version else "PostgreSQL"
    cost = (f"{pg} rewrites {table} and its indexes under an ACCESS EXCLUSIVE lock, blocking the live application's "
            f"reads and writes of {table} until the rewrite ends")
    using_zone = f"ALTER TABLE {qt} ALTER COLUMN {qc} TYPE {new} USING {qc} AT TIME ZONE '<zone>';"
    if explicit:
        if not rewrite:
            return None
        return rule.finding(
            fa.migration.display, st.span,
            f"Changing {table}.{col} from {old} to {new} with USING ... AT TIME ZONE keeps every value, but {cost}.",
            fix="Run it at a quiet time on small tables; on big ones " + steps,
            object=ch.object, change=ch.kind, klass=ch.klass, severity="warning")
    if found is None:
        return rule.finding(
            fa.migration.display, st.span,
            f"Changing {table}.{col} from {old} to {new} converts every value, but {read} the session TimeZone, which "
            "neither this migration nor Flyway's configuration sets: it is the zone of the machine running Flyway "
            "(the JDBC driver sends the JVM's) or the server's default, so the result depends on where the migration "
            f"runs. In any zone but UTC, {cost}, and times that fall in a daylight-saving gap or overlap are shifted.",
            fix=(f"{if_utc}, put SET TimeZone = 'UTC'; before this statement (PostgreSQL 12+ then "
                 f"rewrites only the indexes on {col}, not {table}); {if_other}, name it: "
                 f"{using_zone} (this rewrites {table})."),
            object=ch.object, change=ch.kind, klass=ch.klass, severity="warning")
    if not rewrite:
        return None  # UTC on PostgreSQL 12+: the catalog changes, the values stay, only indexes on it are rebuilt
    zone, where = found
    zone_text = f"TimeZone {zone}, set in {where}" if zone else f"the TimeZone set in {where}"
    if utc:  # PostgreSQL 11 or older
        fix = ("Run it at a quiet time on small tables (PostgreSQL 12+ skips the rewrite under TimeZone UTC); on big "
               "ones " + steps)
    else:
        fix = (f"{if_utc}, SET TimeZone = 'UTC'; before this statement: PostgreSQL 12+ then rewrites "
               f"only the indexes on {col}, not {table}. Otherwise run it at a quiet time on small tables; on big ones "
               + steps)
    return rule.finding(
        fa.migration.display, st.span,
        f"Changing {table}.{col} from {old} to {new} converts every value ({kept} {zone_text}), "
        f"but {cost}.",
        fix=fix, object=ch.object, change=ch.kind, klass=ch.klass, severity="warning")


_MEMBERS = re.compile(r"^(enum|set)\s*\((.*)\)$", re.IGNORECASE | re.DOTALL)
_MEMBER = re.compile(r"'((?:[^']|'')*)'")


def _members(type_text: str | None):
    m = _MEMBERS.match((type_text or "").strip())
    if m is None:
        return None
    return m.group(1).upper(), [v.replace("''", "'") for v in _MEMBER.findall(m.group(2))]


def _enum_change(old: str | None, new: str | None):
    """(kind, old values, new values) when an ENUM/SET column keeps its kind (MySQL/MariaDB)."""
    a, b = _members(old), _members(new)
    if a is None or b is None or a[0] != b[0]:
        return None
    return a[0], a[1], b[1]


def _my_copy(ctx, ch, table: str) -> str:
    """How MySQL/MariaDB run the table copy of a type change at --db-version, as a clause (MariaDB
    11.2+ copies online)."""
    from flylint.rules.rewrites import _server, change_cost, how_done, waits

    c = change_cost(ctx, ch)
    if c is None or c.refused or not c.rewrite:
        return "MySQL/MariaDB copy the table, blocking the live application's writes for the whole time"
    return f"{_server(ctx, c)} {how_done(c, table)} and {waits(c, table)} until it ends"


def _enum_finding(rule, ctx, fa, st, ch, table, col, old, kind, before, after):
    removed = [v for v in before if v not in after]
    listed = ", ".join(f"'{v}'" for v in removed)
    if removed:
        return rule.finding(
            fa.migration.display, st.span,
            f"Changing {table}.{col} from {old} to {ch.detail.get('new_type')} removes {listed} from the {kind}: "
            f"the application version that is still live fails when it writes {listed} (strict sql_mode), and the "
            f"migration fails on rows that still hold it (or stores '' without strict mode); {_my_copy(ctx, ch, table)}.",
            fix=f"Deploy code that no longer writes {listed} and move the rows off it (UPDATE {table} SET {col} = "
                f"... WHERE {col} = '{removed[0]}', in batches) first; remove the value in a later release.",
            object=ch.object, change=ch.kind, klass=ch.klass)
    added = [v for v in after if v not in before]
    kept = [v for v in before if v in after]
    appended = ", ".join(f"'{v}'" for v in added)
    shifted = [v for i, v in enumerate(before) if after.index(v) != i]
    if added and [v for v in after if v in before] == before and shifted:
        # new values inserted between the old ones: the old ones keep their order, not their numbers
        words = (f"inserts {appended} before {', '.join(repr(v) for v in shifted)}: the values and their order "
                 f"are kept, but {_my_copy(ctx, ch, table)}, and the numbers stored for "
                 f"{', '.join(repr(v) for v in shifted)} change, so numeric uses of {col} ({col} + 0, "
                 f"{col} = {before.index(shifted[0]) + 1}) change meaning.")
    else:
        words = (f"reorders the {kind} values: the values are kept, but {_my_copy(ctx, ch, table)}, and ORDER BY "
                 f"{col} and numeric comparisons of {col} change meaning.")
    return rule.finding(
        fa.migration.display, st.span,
        f"Changing {table}.{col} from {old} to {ch.detail.get('new_type')} {words}",
        fix=(f"Keep the existing order ({', '.join(repr(v) for v in kept)})"
             + (f" and append {appended} at the end" if added else "")
             + ": that is a metadata-only change; sort with FIELD() in queries if the order matters."),
        object=ch.object, change=ch.kind, klass=ch.klass, severity="warning")


@rule(
    id="drop-default",
    title="Default dropped from a live column",
    severity="warning",
    klass="incompatible",
    rationale=(
        "The live application version may rely on the database default when it inserts rows without "
        "the column; once the default is gone those inserts store NULL, or fail if the column is NOT NULL."
    ),
    fix="Keep the default until every running version writes the column explicitly.",
    examples=(
        Example({"V1__init.sql": "CREATE TABLE users (id int, status text NOT NULL DEFAULT 'active');\n",
                 "V2__drop.sql": "ALTER TABLE users ALTER COLUMN status DROP DEFAULT;\n"}, True),
        Example({"V1__init.sql": "CREATE TABLE users (id int, status varchar(20) NOT NULL DEFAULT 'active');\n",
                 "V2__drop.sql": "ALTER TABLE users ALTER COLUMN status DROP DEFAULT;\n"}, True, dialect="mysql"),
        Example({"V1__init.sql": "CREATE TABLE users (id int, status text NOT NULL DEFAULT 'active');\n"
                 "ALTER TABLE users ALTER COLUMN status DROP DEFAULT;\n"}, False),
    ),
)
def drop_default(rule, ctx):
    for fa, st, ch in _live(ctx, "drop-default"):
        if ch.klass != "incompatible":
            continue
        table, col = _table(ch), ch.object.split(".")[-1]
        effect = "fail" if ch.detail.get("nullable") is False else "store NULL"
        old = ch.detail.get("old_default")
        written = default_as_written(ctx, ch.detail.get("old_default_at"), col, old) if old is not None else None
        yield rule.finding(
            fa.migration.display, st.span,
            f"Inserts from the live application version that leave out {table}.{col} relied on its default "
            f"({written or old}); without it they {effect}.",
            fix=f"Deploy code that always writes {table}.{col} first; drop the default in a later release.",
            object=ch.object, change=ch.kind,
        )


# After DEFAULT, these words start the next column constraint or option, not the default's expression.
_AFTER_DEFAULT = {"NOT", "NULL", "CONSTRAINT", "CHECK", "PRIMARY", "UNIQUE", "REFERENCES", "GENERATED", "COLLATE",
                  "ON", "COMMENT", "AUTO_INCREMENT", "AFTER", "FIRST", "VISIBLE", "INVISIBLE", "STORAGE",
                  "COLUMN_FORMAT", "ENGINE_ATTRIBUTE", "SECONDARY_ENGINE_ATTRIBUTE"}


def default_as_written(ctx, at, column: str, rendered: str) -> str | None:
    """The user's own text of a column's default (`false`, not sqlglot's `FALSE`), found in the statement
    that wrote it (`at` = (file, statement)): the expression after a DEFAULT of that column whose
    rendering is the catalog's. None when it cannot be found for sure (then the rendering is shown)."""
    import sqlglot
    from sqlglot.dialects import Dialect
    from sqlglot.tokens import TokenType

    from flylint.catalog.types import render

    if not at or at[0] >= len(ctx.files) or at[1] >= len(ctx.files[at[0]].statements):
        return None
    text = ctx.files[at[0]].statements[at[1]].text
    read = "postgres" if ctx.dialect == "postgres" else "mysql"
    try:
        tokens = Dialect.get_or_raise(read).tokenize(text)
    except Exception:  # noqa: BLE001 - whatever the tokenizer refuses, the rendering is shown
        return None
    quoted = (TokenType.STRING, TokenType.IDENTIFIER)
    for i, tok in enumerate(tokens):
        if tok.token_type != TokenType.DEFAULT:
            continue
        # the column this DEFAULT belongs to: the words back to the enclosing comma or parenthesis
        depth, j, names = 0, i - 1, set()
        while j >= 0:
            t = tokens[j]
            if t.token_type == TokenType.R_PAREN:
                depth += 1
            elif t.token_type == TokenType.L_PAREN:
                if depth == 0:
                    break
                depth -= 1
            elif t.token_type == TokenType.COMMA and depth == 0:
                break
            elif depth == 0:
                names.add(t.text.lower())
            j -= 1
        if column.lower() not in names:
            continue
        depth, k = 0, i + 1
        while k < len(tokens):
            t = tokens[k]
            if t.token_type == TokenType.L_PAREN:
                depth += 1
            elif t.token_type == TokenType.R_PAREN:
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and (t.token_type in (TokenType.COMMA, TokenType.SEMICOLON) or (
                    k > i + 1 and t.token_type not in quoted and t.text.upper() in _AFTER_DEFAULT)):
                break
            k += 1
        if k == i + 1:
            continue
        own = text[tokens[i + 1].start: tokens[k - 1].end + 1]
        try:
            same = render(sqlglot.parse_one(own, read=read), ctx.dialect) == rendered
        except Exception:  # noqa: BLE001 - not an expression on its own: not the default's text
            same = False
        if same:
            return own
    return None


@rule(
    id="destructive-data-change",
    title="Table emptied while live",
    severity="error",
    klass="destructive",
    rationale="TRUNCATE or DELETE without WHERE on a live table removes every row the running "
    "application relies on; neither can be rolled back once Flyway committed the migration.",
    fix="Delete only the rows you mean, with a WHERE clause, in batches; or archive the table first.",
    examples=(
        Example({"V1__init.sql": _USERS_PG, "V2__wipe.sql": "DELETE FROM users;\n"}, True),
        Example({"V1__init.sql": _USERS_PG, "V2__wipe.sql": "TRUNCATE TABLE users;\n"}, True),
        Example({"V1__init.sql": _USERS_MY, "V2__wipe.sql": "TRUNCATE users;\n"}, True, dialect="mysql"),
        Example({"V1__init.sql": _USERS_PG, "V2__wipe.sql": "DELETE FROM users WHERE id = 1;\n"}, False),
        Example({"V1__init.sql": "CREATE TABLE logs (id bigint, at date) PARTITION BY RANGE (YEAR(at)) "
                 "(PARTITION p2023 VALUES LESS THAN (2024), PARTITION p2024 VALUES LESS THAN (2025));\n",
                 "V2__drop.sql": "ALTER TABLE logs DROP PARTITION p2023;\n"}, True, dialect="mysql",
                title="MySQL DROP PARTITION"),
        Example({"V1__init.sql": _USERS_PG + "DELETE FROM users;\n"}, False, title="table born in the same migration"),
    ),
)
def destructive_data_change(rule, ctx):
    for fa, st, ch in _live(ctx, "truncate-table", "delete-all"):
        table = _table(ch)
        if ch.detail.get("partition_op"):
            parts = ", ".join(ch.detail.get("partitions") or ())
            yield rule.finding(
                fa.migration.display, st.span,
                f"{ch.detail['partition_op'].upper()} PARTITION {parts} deletes every row stored in "
                f"{'those partitions' if ',' in parts else 'that partition'} of {table} while the live application "
                "uses them; the data is lost.",
                fix=f"Archive the rows first (e.g. ALTER TABLE {sql_name(ctx, table)} EXCHANGE PARTITION ... WITH TABLE "
                f"{sql_name(ctx, table + '_archive')}), and drop partitions only once no running version reads them.",
                object=ch.object, change=ch.kind,
            )
            continue
        verb = "TRUNCATE" if ch.kind == "truncate-table" else "DELETE without a WHERE that filters rows"
        yield rule.finding(
            fa.migration.display, st.span,
            f"{verb} removes every row of {table} while the live application uses it; the data is lost.",
            fix=f"Delete only the rows you mean (DELETE FROM {sql_name(ctx, table)} WHERE ...), in batches; if the whole "
            f"table must go, stop using it first and drop it in a later release.",
            object=ch.object, change=ch.kind,
        )


@rule(
    id="incompatible-schema-object-change",
    title="Enum value or type renamed, object moved to another schema, or view columns removed",
    severity="error",
    klass="incompatible",
    rationale=(
        "The live application version uses the old enum value, the old schema-qualified name or the "
        "view's old columns; each of these changes breaks its queries the moment it commits."
    ),
    fix="Add the new value, schema object or view column next to the old one; remove the old one "
    "once no running version uses it.",
    examples=(
        Example({"V1__init.sql": "CREATE TYPE mood AS ENUM ('sad', 'ok');\n",
                 "V2__rename.sql": "ALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';\n"}, True),
        Example({"V1__init.sql": _USERS_MY + "CREATE VIEW v AS SELECT id, first_name FROM users;\n",
                 "V2__view.sql": "CREATE OR REPLACE VIEW v AS SELECT id FROM users;\n"}, True, dialect="mysql",
                title="a replaced view loses a column"),
        Example({"V1__init.sql": "CREATE TYPE mood AS ENUM ('sad', 'ok');\n",
                 "V2__add.sql": "ALTER TYPE mood ADD VALUE 'happy' AFTER 'ok';\n"}, False),
        Example({"V1__init.sql": "CREATE TYPE mood AS ENUM ('sad', 'ok');\n",
                 "V2__rename.sql": "ALTER TYPE mood RENAME TO feeling;\n"}, True, title="a type renamed"),
        Example({"V1__init.sql": "CREATE TYPE mood AS ENUM ('sad', 'ok');\nALTER TYPE mood RENAME TO feeling;\n"},
                False, title="type born in the same migration"),
    ),
)
def incompatible_object_change(rule, ctx):
    for fa, st, ch in _live(ctx, "rename-enum-value", "set-schema", "replace-view", "other"):
        if ch.klass != "incompatible":
            continue
        if ch.kind == "other":
            if ch.detail.get("target") not in ("TYPE", "DOMAIN") or not ch.detail.get("new_name"):
                continue
            what, new = ch.detail["target"].lower(), ch.detail["new_name"]
            msg = (f"Renaming {what} {ch.object} to {new} breaks the live application version's statements that name "
                   f"{ch.object} (casts such as '...'::{ch.object}, function signatures).")
            fix = (f"Keep the name {ch.object} until no running version uses it: create {new} as a new {what}, move "
                   f"the columns in a later release, and drop {ch.object} last.")
        elif ch.kind == "rename-enum-value":
            msg = (f"Renaming enum value {ch.object} to '{ch.detail.get('new_name')}' breaks the live "
                   "application version, which reads and writes the old value.")
            fix = ("Add the new value (ALTER TYPE ... ADD VALUE), deploy code that accepts both, migrate "
                   "the rows, and stop using the old value in a later release.")
        elif ch.kind == "set-schema" and ch.detail.get("target") == "SCHEMA":
            msg = f"Renaming schema {ch.object} breaks every query of the live version that names it."
            fix = "Keep the old schema name working until no running version uses it (views in the old schema)."
        elif ch.kind == "set-schema":
            msg = f"Moving {ch.object} to another schema breaks the live version's queries on its old name."
            fix = "Keep the old name reachable (a view or search_path) until no running version uses it."
        else:
            lost = ", ".join(ch.detail.get("lost_columns") or ())
            msg = f"The new definition of view {ch.object} no longer has {lost}, which the live version may read."
            fix = f"Keep {lost} in the view until no running version reads it; add new columns at the end."
        yield rule.finding(fa.migration.display, st.span, msg, fix=fix, object=ch.object, change=ch.kind)


@rule(
    id="constraint-on-live-table",
    title="Constraint added to a live table in one blocking step",
    severity="warning",
    klass="incompatible",
    rationale=(
        "A new foreign key, check, unique or primary key constraint makes writes of the live "
        "application version that violate it fail, and validating it scans the table under a lock: "
        "SHARE ROW EXCLUSIVE for a foreign key (on both tables), ACCESS EXCLUSIVE for a check, a unique "
        "index build that blocks writes. PostgreSQL can add check and foreign key constraints NOT VALID "
        "and validate them later without blocking; unique and primary keys can use an index built "
        "concurrently."
    ),
    fix="PostgreSQL: ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a later migration; for "
    "UNIQUE/PRIMARY KEY build the index CONCURRENTLY and ADD CONSTRAINT ... USING INDEX.",
    examples=(
        Example({"V1__init.sql": _USERS_PG + "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n",
                 "V2__fk.sql": "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) "
                 "REFERENCES users (id);\n"}, True),
        Example({"V1__init.sql": _USERS_PG + "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n",
                 "V2__fk.sql": "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) "
                 "REFERENCES users (id) NOT VALID;\n"}, False, title="NOT VALID"),
        Example({"V1__init.sql": _USERS_PG + "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n",
                 "V2__fk.sql": "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) "
                 "REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\n"}, True,
                title="NOT VALID, then VALIDATE in the same transaction"),
        Example({"V1__init.sql": _USERS_PG + "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n",
                 "V2__fk.sql": "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) "
                 "REFERENCES users (id) NOT VALID;\n",
                 "V3__validate.sql": "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\n"}, False,
                title="VALIDATE in the next migration"),
        Example({"V1__init.sql": _USERS_PG,
                 "V2__uq.sql": "ALTER TABLE users ADD CONSTRAINT users_last_name_key UNIQUE (last_name);\n"}, True),
        Example({"V1__init.sql": _USERS_MY + "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n",
                 "V2__fk.sql": "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) "
                 "REFERENCES users (id);\n"}, True, dialect="mysql"),
        Example({"V1__init.sql": _USERS_PG + "CREATE TABLE orders (id bigint, user_id bigint);\n"
                 "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n"},
                False, title="table born in the same migration"),
        Example({"V1__init.sql": _USERS_PG + "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
                 "V2__fk.sql": "ALTER TABLE orders ADD COLUMN buyer_id bigint DEFAULT 1 REFERENCES users (id);\n"},
                True, title="ADD COLUMN with a DEFAULT and REFERENCES checks every row under ACCESS EXCLUSIVE"),
        Example({"V1__init.sql": _USERS_PG + "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
                 "V2__fk.sql": "ALTER TABLE orders ADD COLUMN buyer_id bigint REFERENCES users (id);\n"},
                False, title="ADD COLUMN ... REFERENCES without a DEFAULT: every value is NULL, no check"),
        Example({"V1__init.sql": _USERS_PG + "CREATE TABLE orders (id bigint PRIMARY KEY);\n"
                 "ALTER TABLE orders ADD COLUMN buyer_id bigint DEFAULT 1 REFERENCES users (id);\n"},
                False, title="ADD COLUMN ... DEFAULT ... REFERENCES on a table born in the same migration"),
        Example({"V1__init.sql": "CREATE TABLE bookings (id bigint PRIMARY KEY, room int, during tstzrange);\n",
                 "V2__excl.sql": "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap "
                 "EXCLUDE USING gist (room WITH =, during WITH &&);\n"}, True, title="an exclusion constraint"),
        Example({"V1__init.sql": "CREATE TABLE bookings (id bigint PRIMARY KEY, room int, during tstzrange);\n"
                 "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap "
                 "EXCLUDE USING gist (room WITH =, during WITH &&);\n"}, False,
                title="an exclusion constraint on a table born in the same migration"),
        Example({"V1__init.sql": "CREATE TABLE t (id bigint, code text);\n",
                 "V2__idx.sql": "CREATE UNIQUE INDEX CONCURRENTLY t_id_idx ON t (id);\n",
                 "V3__pk.sql": "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id_idx;\n"}, True,
                title="PRIMARY KEY USING INDEX on a nullable column"),
        Example({"V1__init.sql": _USERS_MY + "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n",
                 "V2__fk.sql": "SET foreign_key_checks = 0;\nALTER TABLE orders ADD CONSTRAINT orders_user_fk "
                 "FOREIGN KEY (user_id) REFERENCES users (id);\nSET foreign_key_checks = 1;\n"}, False,
                dialect="mysql", title="MySQL with foreign_key_checks=0: INPLACE, existing rows not checked"),
    ),
)
def constraint_on_live_table(rule, ctx):
    from flylint.rules.rewrites import initsql_fk_checks_off  # here: importing it registers its rules

    if ctx.dialect == "postgres":
        yield from _inline_constraints(rule, ctx)
    for fa, st, ch in _live(ctx, "add-foreign-key", "add-check", "add-unique", "add-primary-key",
                            "validate-constraint"):
        d = ch.detail
        table = _table(ch)
        if ch.kind == "validate-constraint":
            # ADD ... NOT VALID and VALIDATE in one transaction: the ADD's lock is held during the scan
            if ctx.dialect == "postgres" and d.get("same_file") and runs_in_transaction(ctx, fa):
                name = d.get("constraint")
                yield rule.finding(
                    fa.migration.display, st.span,
                    f"{name} is added NOT VALID earlier in this migration, which Flyway runs in one transaction: the "
                    f"lock the ADD took on {table} is still held while VALIDATE scans it, so the live application "
                    "waits for the whole scan, as if NOT VALID had not been used.",
                    fix=f"Move ALTER TABLE {sql_name(ctx, table)} VALIDATE CONSTRAINT {sql_name(ctx, name)}; into the "
                    "next migration.",
                    object=ch.object, change=ch.kind, klass=ch.klass,
                )
            continue
        name = d.get("constraint") or "c"
        cols = ", ".join(d.get("columns") or ()) or "<columns>"
        qt, qn = sql_name(ctx, table), sql_name(ctx, name)
        qcols = ", ".join(sql_name(ctx, c) for c in d.get("columns") or ()) or "<columns>"
        if d.get("using_index"):
            if ch.kind == "add-primary-key" and d.get("sets_not_null") and ctx.dialect == "postgres":
                nullable = ", ".join(d["sets_not_null"])
                c = f"{table}_{d['sets_not_null'][0]}_not_null"
                yield rule.finding(
                    fa.migration.display, st.span,
                    f"ADD PRIMARY KEY USING INDEX makes {table}.{nullable} NOT NULL: PostgreSQL scans {table} for "
                    "NULLs under an ACCESS EXCLUSIVE lock, blocking the live application, and its writes of NULL "
                    "start failing.",
                    fix=f"Make {nullable} NOT NULL first without the scan: ALTER TABLE {qt} ADD CONSTRAINT "
                    f"{sql_name(ctx, c)} CHECK ({sql_name(ctx, d['sets_not_null'][0])} IS NOT NULL) NOT VALID; then "
                    f"VALIDATE CONSTRAINT {sql_name(ctx, c)} and SET NOT NULL in later migrations; then ALTER TABLE {qt} "
                    f"ADD CONSTRAINT {qn} PRIMARY KEY USING INDEX {sql_name(ctx, d.get('index'))};",
                    object=ch.object, change=ch.kind, klass=ch.klass,
                )
            continue
        if d.get("not_valid"):
            continue
        if ch.kind == "add-foreign-key" and ctx.dialect != "postgres" and (
                d.get("foreign_key_checks") is False or ("foreign_key_checks" not in d and initsql_fk_checks_off(ctx))):
            continue  # INPLACE without checking existing rows: MySQL's counterpart of NOT VALID
        if d.get("exclusion"):
            if ctx.dialect == "postgres":
                yield rule.finding(
                    fa.migration.display, st.span,
                    f"Adding exclusion constraint {name} to {table} builds its index under an ACCESS EXCLUSIVE lock, "
                    f"blocking every read and write of the live application until it is built, and fails if "
                    "existing rows conflict; the live application's conflicting writes start failing.",
                    fix=f"An exclusion constraint has no NOT VALID or USING INDEX form: add it while {table} is "
                    f"small or at a quiet time (with SET lock_timeout), or create a new table with the constraint, "
                    f"copy the rows in batches and switch to it by expand/contract.",
                    object=ch.object, change=ch.kind, klass=ch.klass,
                )
            continue
        if ctx.dialect == "postgres":
            if ch.kind in ("add-foreign-key", "add-check"):
                fix = (f"ALTER TABLE {qt} ADD CONSTRAINT {qn} {d.get('definition') or '...'} NOT VALID; then, in a "
                       f"later migration, ALTER TABLE {qt} VALIDATE CONSTRAINT {qn}; (validation does not block "
                       "writes).")
            else:
                idx = sql_name(ctx, f"{table}_{'_'.join(d.get('columns') or ('cols',))}_idx")
                kind = "PRIMARY KEY" if ch.kind == "add-primary-key" else "UNIQUE"
                fix = (f"CREATE UNIQUE INDEX CONCURRENTLY {idx} ON {qt} ({qcols}); in a migration of its own, "
                       f"then ALTER TABLE {qt} ADD CONSTRAINT {qn} {kind} USING INDEX {idx};")
        else:
            if ch.kind == "add-foreign-key":
                ref = d.get("references_table")
                refs = "..."
                if ref:
                    refs = sql_name(ctx, ref[1])
                    if d.get("references_columns"):
                        refs += f" ({', '.join(sql_name(ctx, c) for c in d['references_columns'])})"
                fix = (f"If the existing rows of {table} are known to be valid: SET foreign_key_checks = 0; ALTER "
                       f"TABLE {qt} ADD CONSTRAINT {qn} FOREIGN KEY ({qcols}) REFERENCES {refs}; SET "
                       "foreign_key_checks = 1; (INPLACE, no table copy, existing rows not checked). Otherwise "
                       "clean the data first and use an online schema change tool.")
            else:
                fix = ("MySQL/MariaDB have no NOT VALID: make sure the data already satisfies it, add it at a quiet "
                       "time or with an online schema change tool (gh-ost, pt-online-schema-change).")
        message, better, klass = _constraint_words(ctx, ch, table, name, cols)
        yield rule.finding(fa.migration.display, st.span, message, fix=better or fix, object=ch.object,
                           change=ch.kind, klass=klass)


def _inline_constraints(rule, ctx):
    """ADD COLUMN with an inline CHECK, or a REFERENCES and a DEFAULT: PostgreSQL checks every existing row
    while the ADD COLUMN holds ACCESS EXCLUSIVE on the table (measured on PostgreSQL 15.20: an extra scan of
    both tables for DEFAULT 1 REFERENCES users (id); none without the DEFAULT, where every value is NULL;
    an extra scan for CHECK with or without a DEFAULT). The finding keeps the rule's class: the ADD COLUMN
    counts additive, but its constraint makes the live version's violating writes fail."""
    for fa, st, ch in _live(ctx, "add-column"):
        d = ch.detail
        scanned = [c for c in d.get("inline_constraints") or ()
                   if c[0] == "check" or (c[0] == "foreign-key" and d.get("has_default")
                                          and str(d.get("default")).upper() != "NULL")]
        if not scanned:
            continue
        table, col = _table(ch), _column(ch)
        qt, qc = sql_name(ctx, table), sql_name(ctx, col)
        refs = [c[2] for c in scanned if c[0] == "foreign-key" and c[2] and c[2] != table]
        what = " and ".join(f"REFERENCES {c[2]}" if c[0] == "foreign-key" else f"CHECK ({c[2] or '...'})"
                            for c in scanned)
        default = f" DEFAULT {d['default']}" if d.get("has_default") and d.get("default") is not None else ""
        also = f" (and SHARE ROW EXCLUSIVE on {', '.join(dict.fromkeys(refs))})" if refs else ""
        waits = (f"the live application's reads and writes of {table}"
                 + (f" and its writes to {', '.join(dict.fromkeys(refs))}" if refs else "") + " wait")
        adds, validates = [], []
        for kind, name, target, ref_cols in scanned:
            qn = sql_name(ctx, name)
            if kind == "foreign-key":
                on = f" ({', '.join(sql_name(ctx, r) for r in ref_cols)})" if ref_cols else ""
                adds.append(f"ALTER TABLE {qt} ADD CONSTRAINT {qn} FOREIGN KEY ({qc}) REFERENCES "
                            f"{sql_name(ctx, target)}{on} NOT VALID;")
            else:
                adds.append(f"ALTER TABLE {qt} ADD CONSTRAINT {qn} CHECK ({target or '...'}) NOT VALID;")
            validates.append(f"ALTER TABLE {qt} VALIDATE CONSTRAINT {qn};")
        not_null = " NOT NULL" if d.get("not_null") else ""
        yield rule.finding(
            fa.migration.display, st.span,
            f"Adding {table}.{col} with{default.replace(' DEFAULT', ' DEFAULT', 1)}{' and' if default else ''} {what} checks every existing row of {table} while holding an "
            f"ACCESS EXCLUSIVE lock on {table}{also}: {waits} until the check is done, which takes time "
            f"proportional to the size of {table}; it fails if a row violates it, and the live application's "
            "writes that violate it start failing.",
            fix=f"Add the column without the constraint: ALTER TABLE {qt} ADD COLUMN {qc} {d.get('type')}{not_null}"
            f"{default}; then {' '.join(adds)} (no scan), and in a later migration {' '.join(validates)} (reads and "
            "writes continue while it scans).",
            object=ch.object, change=ch.kind,
        )


def _constraint_words(ctx, ch, table, name, cols):
    """constraint-on-live-table's message from the dialect's cost of the change: the lock it really
    takes and what the live application experiences; a better fix where the cost calls for one; and the
    finding's class: the change's (neutral for a key that contains a unique key the table already had:
    no write starts failing), neutral for a CHECK the server ignores."""
    from flylint.rules.rewrites import change_cost, how_done, waits

    what = ("the primary key" if ch.kind == "add-primary-key" else
            f"{ch.kind.removeprefix('add-').replace('-', ' ')} constraint {name}")
    bad = {"add-primary-key": f"duplicate or NULL values in ({cols})", "add-unique": f"duplicate values in ({cols})",
           }.get(ch.kind, "rows that violate it")
    after = "and the live application's writes that violate it start failing"
    fails = f"it fails if {table} has {bad}, {after}"
    implied = ch.detail.get("implied_by")
    if implied:
        # the new key contains a unique key the table already had, on NOT NULL columns: no duplicates
        icols = ", ".join(implied)
        fails = (f"it cannot fail on the data and no write starts failing, since ({icols}) is already unique "
                 "and the new key contains it")
        if not ch.detail.get("implied_kept"):
            fails += f"; but ({icols}) alone is no longer enforced unique once the old key is gone"
    c = change_cost(ctx, ch)
    if c is None:
        if implied:
            return f"Adding {what} to {table} checks every existing row of {table}; {fails}.", None, ch.klass
        return (f"Adding {what} to {table} checks every existing row of {table}, fails if it finds {bad}, "
                f"{after}.", None, ch.klass)
    if ctx.dialect == "postgres":
        lock = f"under {'an' if c.lock[:1] in 'AEIOU' else 'a'} {c.lock} lock" if c.lock else ""
        doing = ("builds a unique index on " + f"{table} ({cols}) {lock}" if ch.kind in ("add-primary-key", "add-unique")
                 else f"checks every existing row of {table} {lock}")
        effect = waits(c, table)
        ref = ch.detail.get("references_table")
        if ch.kind == "add-foreign-key" and ref and c.blocks == "writes" and ref[1] != table:
            doing += f" (and locks {ref[1]} too)"
            effect = f"the live application can still read {table} and {ref[1]}, but its writes to both wait"
        return (f"Adding {what} to {table} {doing}: {effect} until it is done, which takes time "
                f"proportional to the size of {table}; {fails}.", None, ch.klass)
    product = {"mysql": "MySQL", "mariadb": "MariaDB"}[ctx.dialect]
    if ch.kind == "add-check" and c.algorithm is None:
        return (f"{product} {ctx.db_version or c.assumed_version} parses CHECK constraints but ignores them: {name} on {table} "
                "is not enforced (MySQL enforces CHECK from 8.0.16, where adding one copies the table and checks "
                "every row while writes wait).",
                f"Do not rely on {name}: enforce the rule in the application, or upgrade to MySQL 8.0.16+ (and pass "
                "--db-version) first.", "neutral")
    if c.lock in (None, "NONE"):
        effect = f"{waits(c, table)}, but it takes time and I/O proportional to the size of {table}"
    else:
        effect = f"{waits(c, table)} until it ends, which takes time and I/O proportional to the size of {table}"
    message = f"Adding {what} to {table} {how_done(c, table)}: {effect}; {fails}."
    better = None
    if implied and c.lock in (None, "NONE"):
        better = ("Run it when the extra I/O is acceptable; ALGORITHM=INPLACE, LOCK=NONE on the statement makes "
                  "the server refuse it rather than block the live application's writes.")
    elif ch.kind in ("add-primary-key", "add-unique") and c.lock in (None, "NONE"):
        quoted = [sql_name(ctx, n) for n in ch.detail.get("columns") or ()]
        qcols, qt = ", ".join(quoted) or cols, sql_name(ctx, table)
        nulls = (f" and SELECT COUNT(*) FROM {qt} WHERE {' OR '.join(f'{n} IS NULL' for n in quoted)}"
                 if ch.kind == "add-primary-key" and quoted else "")
        better = (f"Check first that ({cols}) of {table} holds no {bad.split(' in ')[0]} (SELECT {qcols}, COUNT(*) "
                  f"FROM {qt} GROUP BY {qcols} HAVING COUNT(*) > 1{nulls}), and run it when the extra I/O is "
                  "acceptable; ALGORITHM=INPLACE, LOCK=NONE on the statement makes the server refuse it rather than "
                  "block the live application's writes.")
    return message, better, ch.klass


@rule(
    id="mysql-inline-references",
    title="Inline REFERENCES that MySQL ignores",
    severity="warning",
    klass="neutral",
    rationale=(
        "MySQL parses a REFERENCES clause written on a column and ignores it (MySQL manual, "
        "CREATE TABLE: \"MySQL parses but ignores inline REFERENCES specifications\"): no foreign "
        "key is created and nothing says so, so the application silently loses the referential "
        "integrity its authors rely on. MariaDB does create the key (measured on MariaDB 10.11)."
    ),
    fix="Declare the key as a table constraint: CONSTRAINT name FOREIGN KEY (column) REFERENCES table (id).",
    examples=(
        Example({"V1__init.sql": "CREATE TABLE users (id int PRIMARY KEY);\n"
                 "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users (id));\n"}, True,
                dialect="mysql"),
        Example({"V1__init.sql": "CREATE TABLE users (id int PRIMARY KEY);\n"
                 "CREATE TABLE orders (id int PRIMARY KEY, user_id int,\n"
                 "  CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id));\n"}, False,
                dialect="mysql"),
        Example({"V1__init.sql": "CREATE TABLE users (id int PRIMARY KEY);\n"
                 "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users (id));\n"}, False,
                dialect="mariadb", title="MariaDB creates the key"),
    ),
)
def mysql_inline_references(rule, ctx):
    if ctx.dialect != "mysql":
        return
    for fa, st, ch in ctx.changes():
        ref = ch.detail.get("ignored_reference") if ch.kind == "other" else None
        if ref is None:
            continue
        col = ch.detail.get("column")
        yield rule.finding(
            fa.migration.display, st.span,
            f"MySQL ignores the inline REFERENCES {ref} on column {col}: no foreign key is created.",
            fix=f"Write it as a table constraint: FOREIGN KEY ({sql_name(ctx, col)}) REFERENCES {sql_name(ctx, ref)} (...), "
            "in this CREATE TABLE "
            f"or in an ALTER TABLE ... ADD CONSTRAINT.",
            object=col,
        )


@rule(
    id="drop-not-null",
    title="NOT NULL dropped from a live column",
    severity="info",
    klass="incompatible",
    rationale=(
        "Dropping NOT NULL is safe for the schema, and it is the usual first step before a column "
        "stops being written. But during the rollout both versions run: once the new version writes "
        "NULL into the column, the previous version still reads those rows, and code that assumed the "
        "column is never NULL (a non-optional field, a primitive type) fails on them. Rolling back to "
        "the previous version keeps that risk until the NULLs are gone."
    ),
    fix="Make sure the version that is live while this runs reads the column as optional, or keep "
    "writing a value (a sentinel) until that version is gone.",
    examples=(
        Example({"V1__init.sql": _USERS_PG, "V2__opt.sql": "ALTER TABLE users ALTER COLUMN last_name DROP NOT NULL;\n"},
                True),
        Example({"V1__init.sql": _USERS_MY, "V2__opt.sql": "ALTER TABLE users MODIFY last_name varchar(255) NULL;\n"},
                True, dialect="mysql"),
        Example({"V1__init.sql": _USERS_PG + "ALTER TABLE users ALTER COLUMN last_name DROP NOT NULL;\n"}, False,
                title="table born in the same migration"),
    ),
)
def drop_not_null(rule, ctx):
    for fa, st, ch in _live(ctx, "drop-not-null"):
        if ch.detail.get("was_nullable") is True:
            continue
        table, col = _table(ch), _column(ch)
        yield rule.finding(
            fa.migration.display, st.span,
            f"{table}.{col} may hold NULL from now on: the application version still live during the rollout "
            f"reads rows the new version writes, and fails if it assumes {col} is never NULL.",
            fix=f"Ship a version that reads {table}.{col} as optional first (or keep writing a value into {col} "
            "until the previous version is gone), then drop NOT NULL.",
            object=ch.object, change=ch.kind,
        )
