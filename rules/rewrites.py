"""What a change costs on the database: rewrites, table copies and refused ALGORITHM/LOCK clauses.

The facts come from flylint.dbfacts (one table per dialect, each row with its source and the
version it applies from); rules only pick the changes and phrase the finding.
"""

from __future__ import annotations

from dataclasses import replace

from flylint.dbfacts import cost
from flylint.rules import Example, rule, session_default
from flylint.rules.names import sql_name, table_name

_T = "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
_T_MY = "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100));\n"

# Kinds that can rebuild a table and are not already the subject of a more specific rule's finding
# (set-not-null, constraints and type changes have their own rules).
_REWRITE_KINDS = {"add-column", "drop-column", "rewrite-table", "drop-constraint", "drop-not-null", "set-default",
                  "drop-default", "rename-column", "create-index"}


def initsql_fk_checks_off(ctx) -> bool:
    """Whether every migration starts with MySQL foreign_key_checks off (initSql, a callback, the url)."""
    found = session_default(ctx, "foreign_key_checks")
    return found is not None and found[0].lower() in ("0", "off", "false")


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


def statement_cost(ctx, st, ch):
    """What `ch` costs as statement `st` runs it: `change_cost`, with what is read around the statement (the
    session TimeZone of a PostgreSQL timestamp <-> timestamptz change: under UTC, PostgreSQL 12+ does not
    rewrite the table). The one answer every rule that asks "does this rewrite or scan?" shares."""
    if ch.kind == "change-column-type" and ch.detail.get("timestamp_tz"):
        from flylint.rules.compat import timestamp_tz_zone

        utc = timestamp_tz_zone(ctx, st, ch)[2]
        ch = replace(ch, detail={**ch.detail, "timezone_utc": utc})
    return change_cost(ctx, ch)


def _version_note(ctx, c) -> str:
    if c.assumed_version:
        name = {"postgres": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB"}[ctx.dialect]
        return f" (assuming {name} {c.assumed_version}, the oldest supported: pass --db-version for yours)"
    return ""


_GERUND = {"add": "Adding", "drop": "Dropping", "rename": "Renaming", "change": "Changing", "set": "Setting",
           "make": "Making", "convert": "Converting", "rebuild": "Rebuilding", "redefine": "Redefining",
           "create": "Creating", "replace": "Replacing", "move": "Moving", "validate": "Validating",
           "truncate": "Truncating", "lock": "Locking", "reindex": "Reindexing"}


def doing(ch) -> str:
    """The change as the subject of a sentence: "Converting users to character set utf8mb4",
    "VACUUM FULL users" (statement keywords stay as written)."""
    first, _, rest = ch.description.partition(" ")
    if first in _GERUND:
        return f"{_GERUND[first]} {rest}".rstrip()
    if first.isupper():
        return ch.description
    return f"This statement ({ch.description})"


def _server(ctx, c) -> str:
    name = {"postgres": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB"}[ctx.dialect]
    return f"{name} {ctx.db_version}" if ctx.db_version and not c.assumed_version else name


def waits(c, table: str) -> str:
    """What the live application experiences while the operation runs, as a clause."""
    if c.blocks == "nothing" or c.lock in (None, "NONE") and c.algorithm is not None:
        return f"the live application keeps reading and writing {table}"
    if c.blocks == "writes":
        return f"the live application can still read {table}, but its writes to {table} wait"
    if c.blocks == "reads and writes":
        return f"the live application's reads and writes of {table} wait"
    return f"{c.blocks} on {table} wait"


def how_done(c, table: str) -> str:
    """How a MySQL/MariaDB ALTER runs, in words: "copies the whole table users (ALGORITHM=COPY, LOCK=SHARED)"."""
    clause = f"ALGORITHM={c.algorithm}, LOCK={c.lock or 'NONE'}"
    if c.algorithm == "INSTANT":
        return f"changes only the metadata of {table} ({clause})"
    if c.algorithm == "COPY":
        return f"copies the whole table {table} ({clause})"
    if c.rewrite:
        return f"rebuilds the whole table {table} in place ({clause})"
    if c.scan:
        return f"builds the index in place without copying {table} ({clause})"
    return f"changes only the metadata of {table} in place ({clause})"


@rule(
    id="table-rewrite",
    title="Change rewrites or copies a live table",
    severity="warning",
    klass="neutral",
    rationale=(
        "Some changes rebuild the whole table: on PostgreSQL a column with a volatile default, a "
        "serial or identity column, a stored generated column, VACUUM FULL or CLUSTER rewrite it "
        "under an ACCESS EXCLUSIVE lock; on MySQL/MariaDB many ALTER TABLE forms fall back to "
        "ALGORITHM=COPY, which blocks writes for the whole copy, and an in-place rebuild of a table with a "
        "FULLTEXT or SPATIAL index blocks writes too (LOCK=SHARED), as do ENGINE= of another storage engine "
        "(a table copy) and REORGANIZE/REBUILD PARTITION (a copy of the partitions named). On a big table that is "
        "an outage "
        "for the live application. OPTIMIZE TABLE, ALTER TABLE ... ENGINE= and ALTER TABLE ... FORCE rebuild "
        "the whole table even when reads and writes continue: time, disk space, I/O and replication lag "
        "proportional to its size. Which changes do this depends on the server version "
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
        Example({"V1__init.sql": _T_MY, "V2__optimize.sql": "SET SESSION lock_wait_timeout = 5;\nOPTIMIZE TABLE users;\n"},
                True, dialect="mariadb", db_version="10.11",
                title="OPTIMIZE TABLE rebuilds the table, online but in full"),
        Example({"V1__init.sql": _T_MY, "V2__force.sql": "SET SESSION lock_wait_timeout = 5;\n"
                 "ALTER TABLE users ENGINE=InnoDB;\n"}, True, dialect="mysql", db_version="8.0.35",
                title="ALTER TABLE ... ENGINE=InnoDB (or FORCE) rebuilds the table"),
        Example({"V1__init.sql": _T_MY, "V2__myisam.sql": "SET SESSION lock_wait_timeout = 5;\n"
                 "ALTER TABLE users ENGINE=MyISAM;\n"}, True, dialect="mariadb", db_version="10.11",
                title="another storage engine: a table copy (ALGORITHM=COPY, LOCK=SHARED)"),
        Example({"V1__init.sql": "CREATE TABLE visits (id bigint NOT NULL, day date NOT NULL, PRIMARY KEY (id, day)) "
                 "PARTITION BY RANGE (TO_DAYS(day)) (PARTITION p2024 VALUES LESS THAN (TO_DAYS('2025-01-01')), "
                 "PARTITION pmax VALUES LESS THAN MAXVALUE);\n",
                 "V2__split.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE visits REORGANIZE PARTITION pmax INTO "
                 "(PARTITION p2025 VALUES LESS THAN (TO_DAYS('2026-01-01')), PARTITION pmax VALUES LESS THAN "
                 "MAXVALUE);\n"}, True, dialect="mysql", db_version="8.0.35",
                title="REORGANIZE PARTITION copies the partitions named while writes wait"),
        Example({"V1__init.sql": "CREATE TABLE places (id bigint PRIMARY KEY, name varchar(50) NOT NULL, "
                 "pos point NOT NULL, SPATIAL INDEX places_pos (pos));\n",
                 "V2__null.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE places MODIFY name varchar(50) NULL;\n"},
                True, dialect="mariadb", db_version="10.11",
                title="a table with a SPATIAL index is rebuilt only with LOCK=SHARED on MariaDB"),
        Example({"V1__init.sql": "CREATE TABLE places (id bigint PRIMARY KEY, name varchar(50) NOT NULL, "
                 "pos point NOT NULL);\n",
                 "V2__null.sql": "SET SESSION lock_wait_timeout = 5;\nALTER TABLE places MODIFY name varchar(50) NULL;\n"},
                False, dialect="mariadb", db_version="10.11",
                title="without a SPATIAL index the rebuild is online (LOCK=NONE)"),
        Example({"V1__init.sql": _T_MY + "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
                 "V2__fk.sql": "SET SESSION lock_wait_timeout = 5;\n"
                 "ALTER TABLE orders ADD COLUMN buyer_id bigint REFERENCES users (id);\n"}, True, dialect="mariadb",
                db_version="10.11", title="MariaDB creates an inline REFERENCES of ADD COLUMN by copying the table"),
        Example({"V1__init.sql": _T_MY + "CREATE TABLE orders (id bigint PRIMARY KEY);\n"
                 "ALTER TABLE orders ADD COLUMN buyer_id bigint REFERENCES users (id);\n"}, False, dialect="mariadb",
                db_version="10.11", title="inline REFERENCES on a table born in the same migration"),
        Example({"V1__init.sql": _T_MY + "OPTIMIZE TABLE users;\nALTER TABLE users FORCE;\n"}, False,
                dialect="mariadb", title="rebuilding a table born in the same migration"),
    ),
)
def table_rewrite(rule, ctx):
    for fa, st, ch in ctx.changes_of(*_REWRITE_KINDS):
        if ch.born or ch.detail.get("reason") == "refresh":
            continue  # REFRESH MATERIALIZED VIEW: refresh-materialized-view says what to do instead
        c = change_cost(ctx, ch)
        if c is None or c.refused:
            continue
        copies = c.rewrite or c.algorithm == "COPY"
        if not copies:
            continue
        if ctx.dialect != "postgres" and c.lock in (None, "NONE") and c.algorithm != "COPY" \
                and ch.kind != "rewrite-table":
            continue  # an online rebuild as a side effect: reads and writes go on
        # an explicit rebuild (OPTIMIZE TABLE, ENGINE=, FORCE) is reported even online: it is its whole work
        table = table_name(ch)
        message, fix = _rewrite_words(ctx, ch, c, table)
        yield rule.finding(fa.migration.display, st.span, message, fix=fix, object=ch.object, change=ch.kind)


_SERIAL = {"serial": "integer", "bigserial": "bigint", "smallserial": "smallint", "serial4": "integer",
           "serial8": "bigint", "serial2": "smallint"}


def _rewrite_words(ctx, ch, c, table):
    """table-rewrite's message and fix: what the statement does to which table, what the live
    application experiences, and what to do instead, with the user's names."""
    vn = _version_note(ctx, c)
    size = f"which takes time proportional to the size of {table}"
    d = ch.detail
    col = d.get("column")
    table, col = sql_name(ctx, table), sql_name(ctx, col)  # the fixes below are SQL
    if ctx.dialect == "postgres":
        message = (f"{doing(ch)} rewrites the whole table {table} under an {c.lock} lock{vn}: "
                   f"{waits(c, table)} until the rewrite ends, {size}.")
        if ch.kind == "add-column" and d.get("generated_stored"):
            fix = (f"Add {table}.{col} as a plain column (ALTER TABLE {table} ADD COLUMN {col} {d.get('type')};), "
                   "fill it for new rows with a trigger, and backfill existing rows in batches.")
        elif ch.kind == "add-column" and d.get("identity"):
            plain_type = _SERIAL.get(str(d.get("type")).lower(), d.get("type"))
            fix = (f"Add {table}.{col} as a plain column without a default (ALTER TABLE {table} ADD COLUMN {col} "
                   f"{plain_type};), give it a sequence default for new rows (ALTER TABLE {table} ALTER COLUMN "
                   f"{col} SET DEFAULT nextval('...');), and backfill existing rows in batches.")
        elif ch.kind == "add-column":
            fix = (f"Add {table}.{col} without the default (ALTER TABLE {table} ADD COLUMN {col} "
                   f"{d.get('type')};), then ALTER TABLE {table} ALTER COLUMN {col} SET DEFAULT ...; for new rows, "
                   "and backfill existing rows in batches.")
        else:
            fix = (f"Run it in a maintenance window, or rebuild {table} online with pg_repack "
                   "(or REPACK CONCURRENTLY on PostgreSQL 19+).")
        return message, fix
    server = _server(ctx, c)
    opts = {k: v for k, v in (d.get("options") or {}).items() if v}
    clause = ", ".join(f"{k.upper()}={v}" for k, v in opts.items())
    plain = change_cost(ctx, replace(ch, detail={**d, "options": {}})) if opts else None
    caused = plain is not None and not plain.refused and plain.lock in (None, "NONE") and plain.algorithm != "COPY"
    because = f" because of {clause}" if caused else ""
    if d.get("reason") == "partition-copy":
        copied = d.get("copied") or "the partitions named"
        message = (f"{doing(ch)} copies the rows of {copied} into new partitions (LOCK={c.lock}){because}{vn}: "
                   f"{waits(c, table)} until it ends (in every partition, not only {copied}), which takes time "
                   f"proportional to the rows in {copied}.")
        fix = ("Reorganize only partitions that hold few rows (split the MAXVALUE partition before rows reach it: "
               "keep an empty future partition ahead of the data), or run it at a quiet time.")
        return message, fix
    if c.lock in (None, "NONE"):  # an online copy (MariaDB 11.2+) or an online rebuild
        work = "copy" if c.algorithm == "COPY" else "rebuild"
        message = (f"{doing(ch)} {how_done(c, table)}{because}{vn}: the live application keeps reading and writing "
                   f"{table}, but the {work} takes time, disk space and I/O proportional to the size of {table}, "
                   f"replicas apply it only after it ends (replication lag), and it waits for open transactions on "
                   f"{table} at its start and end.")
    else:
        message = f"{doing(ch)} {how_done(c, table)}{because}{vn}: {waits(c, table)} until it ends, {size}."
    if caused:
        message += (f" Without {clause}, {server} {how_done(plain, table)} while the live application keeps "
                    f"reading and writing {table}.")
        return message, f"Remove {clause} from this statement."
    tool = (f"run it with an online schema change tool (gh-ost, pt-online-schema-change) if {table} is big, "
            "or at a quiet time")
    if ch.kind == "rewrite-table" and d.get("reason") == "optimize":
        # measured on MariaDB 10.11.19: a lock wait timeout came back as a result row ('error', 'Operation failed')
        message += (f" A failed OPTIMIZE TABLE (a lock wait timeout, for one) is reported as a result row, not as an "
                    f"error: Flyway records the migration as successful and {table} is not rebuilt.")
    if ch.kind == "rewrite-table" and d.get("reason") in ("optimize", "engine", "force"):
        online = "" if c.lock in (None, "NONE") else ", or at a quiet time (writes wait)"
        fix = (f"Rebuild {table} only when it is needed (to reclaim space after large deletes), outside the release "
               f"that the live application depends on, with an online schema change tool (gh-ost, "
               f"pt-online-schema-change) if {table} is big{online}"
               + (f"; write it as ALTER TABLE {table} FORCE, ALGORITHM=INPLACE, LOCK=NONE; so the server refuses "
                  "rather than blocks, and a failure fails the migration." if c.lock in (None, "NONE") else "."))
    elif ch.kind == "add-column" and d.get("inline_foreign_key"):
        fk = next(c for c in d.get("inline_constraints") or () if c[0] == "foreign-key")
        refs = f" ({', '.join(sql_name(ctx, r) for r in fk[3])})" if fk[3] else ""
        default = f" DEFAULT {d['default']}" if d.get("default") is not None else ""
        fix = (f"Add the column without REFERENCES (INSTANT): ALTER TABLE {table} ADD COLUMN {col} {d.get('type')}"
               f"{' NOT NULL' if d.get('not_null') else ''}{default}; then, if its values are known to be valid, add "
               f"the key without copying the table: SET foreign_key_checks = 0; ALTER TABLE {table} ADD CONSTRAINT "
               f"{sql_name(ctx, fk[1])} FOREIGN KEY ({col}) REFERENCES {sql_name(ctx, fk[2])}{refs}; SET "
               "foreign_key_checks = 1; (existing rows are not checked); otherwise " + tool + ".")
    elif ch.kind == "add-column" and d.get("generated_stored"):
        fix = f"Add {table}.{col} as a VIRTUAL generated column (INSTANT) instead of STORED, or {tool}."
    elif ch.kind == "add-column" and d.get("default_volatile"):
        fix = (f"Add {table}.{col} without the expression default, backfill existing rows in batches and set "
               f"the default afterwards (ALTER TABLE {table} ALTER COLUMN {col} SET DEFAULT ...), or {tool}.")
    else:
        fix = tool[0].upper() + tool[1:] + "."
    return message, fix


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
    refused, by_statement = [], {}
    for fa, st, ch in ctx.changes():
        if not (ch.detail.get("options") or {}):
            continue
        c = change_cost(ctx, ch)
        if c is None or not c.refused:
            continue
        # the statement fails once: one finding for it, naming every part the server refuses
        key = (id(fa), id(st))
        if key not in by_statement:
            by_statement[key] = []
            refused.append((fa, st, ch, c, by_statement[key]))
        else:
            by_statement[key].append(ch)
    for fa, st, ch, c, more in refused:
        opts = ch.detail["options"]
        clause = ", ".join(f"{k.upper()}={v}" for k, v in opts.items())
        table = table_name(ch)
        server = _server(ctx, c)
        plain = change_cost(ctx, replace(ch, detail={**ch.detail, "options": {}}))
        what = doing(ch)
        what = what[0].lower() + what[1:] if what.split(" ")[0] in _GERUND.values() else what
        message = f"{server} refuses {clause} for {what}: {c.refused}{_version_note(ctx, c)}. The migration fails here"
        if plain is not None and not plain.refused:
            message += f"; without the clause {server} {how_done(plain, table)}, and {waits(plain, table)}"
        message += "."
        if more:
            others = [doing(m) for m in more]
            others = [w[0].lower() + w[1:] if w.split(" ")[0] in _GERUND.values() else w for w in others]
            message += f" It refuses {clause} for {', '.join(others)} in this statement too."
        last = None
        if ch.kind == "add-column" and ch.detail.get("position") and opts.get("algorithm") == "INSTANT":
            last = change_cost(ctx, replace(ch, detail={**ch.detail, "position": False}))
        if last is not None and not last.refused:
            # MySQL 8.0.12-8.0.28, MariaDB 10.3: INSTANT only for a column added last
            names = [ch.detail.get('column') or 'the column'] + [m.detail.get("column") or "the column" for m in more
                                                                if m.kind == "add-column"]
            cols = " and ".join(names)
            fix = (f"Leave out AFTER/FIRST so {cols} {'is' if len(names) == 1 else 'are'} added as the last "
                   f"column{'s' if len(names) > 1 else ''}: "
                   f"{server} does that with ALGORITHM=INSTANT (metadata only); a position needs "
                   f"{'MySQL 8.0.29' if ctx.dialect == 'mysql' else 'MariaDB 10.4'} or a rebuild of {table}.")
        elif "accepts only LOCK=DEFAULT" in c.refused:
            fix = f"Remove LOCK={opts.get('lock')}: an INSTANT change takes no LOCK clause."
        elif "is not a" in c.refused:
            fix = ("Use ALGORITHM=INSTANT, INPLACE or COPY" + (", NOCOPY" if ctx.dialect == "mariadb" else "")
                   + " and LOCK=NONE, SHARED or EXCLUSIVE.")
        elif plain is not None and not plain.refused and plain.lock in (None, "NONE") and plain.algorithm != "COPY":
            fix = (f"Write ALGORITHM={plain.algorithm}, LOCK=NONE instead" if plain.algorithm != "INSTANT"
                   else "Write ALGORITHM=INSTANT without a LOCK clause instead")
            fix += f": {server} does this change that way while the live application keeps reading and writing {table}."
        elif plain is not None and not plain.refused and plain.lock in (None, "NONE"):
            fix = (f"Remove {clause}: {server} then copies {table} online (ALGORITHM=COPY, LOCK=NONE) while reads "
                   f"and writes continue; the copy takes time and disk space proportional to the size of {table}.")
        else:
            fix = (f"{server} cannot do this change online: remove {clause} and plan the copy of {table} (an online "
                   "schema change tool such as gh-ost or pt-online-schema-change, or a quiet time).")
            if ch.kind == "add-foreign-key":
                fix += (" If the existing rows are known to be valid, SET foreign_key_checks = 0 around the statement "
                        "makes it run in place without checking them.")
            elif ch.kind == "change-column-type":
                fix += " Or add a new column, write both, backfill it in batches and switch over."
        yield rule.finding(fa.migration.display, st.span, message, fix=fix, object=ch.object, change=ch.kind)


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
        if ch.kind in _REWRITE_KINDS and (c.rewrite or c.algorithm == "COPY"):
            continue  # table-rewrite reports the rebuild and the clause behind it
        worse = _LOCK_RANK.get(c.lock, 0) > _LOCK_RANK.get(plain.lock, 0) or (
            c.algorithm == "COPY" and plain.algorithm != "COPY")
        if not worse:
            continue
        clause = ", ".join(f"{k.upper()}={v}" for k, v in opts.items())
        table = table_name(ch)
        yield rule.finding(
            fa.migration.display, st.span,
            f"{doing(ch)} {how_done(c, table)} because of {clause}{_version_note(ctx, c)}: {waits(c, table)} until "
            f"it ends. Without {clause}, {_server(ctx, c)} {how_done(plain, table)} and {waits(plain, table)}.",
            fix=f"Remove {clause} from this statement, or write ALGORITHM=INPLACE, LOCK=NONE so the server refuses "
            f"instead of blocking {table}.",
            object=ch.object, change=ch.kind,
        )
