"""Indexes and ALTER TABLE shape: missing foreign-key indexes, redundant indexes, ALTERs to merge.

These are performance findings (info): true, but whether they hurt depends on the table's size and
traffic. The first two judge the schema at the end of the history, so an index added by a later
migration (CREATE INDEX CONCURRENTLY has to be a migration of its own on PostgreSQL) counts, and
dropping the redundant index later silences the finding; each finding is located at the statement
that created the problem, so with --since it is reported only when that statement is in the release.
"""

from __future__ import annotations

import re


from flylint.rules.names import sql_name
from flylint.rules import Example, rule
from flylint.rules.names import sql_name

_PG = "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
_PG_ORDERS = "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total int);\n"
_MY = "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(255), name varchar(100));\n"


def _pg_name(table: str, cols, suffix: str = "idx") -> str:
    """PostgreSQL's own choice of name for an index on these columns (truncated to 63 bytes)."""
    return f"{table}_{'_'.join(cols)}_{suffix}"[:63]


def _after(ctx, fi: int, si: int, table: str) -> bool:
    """Whether a statement flylint could not analyse, after (fi, si), may touch `table` (its text
    names it): then an index on it may exist that the catalog does not know."""
    texts = ctx.__dict__.get("_unanalysed_texts")
    if texts is None:
        texts = [((ch.file, ch.statement), st.text.lower()) for _, st, ch in ctx.changes_of("unanalysed")]
        object.__setattr__(ctx, "_unanalysed_texts", texts)
    needle = table.lower()
    return any(pos > (fi, si) and needle in text for pos, text in texts)


# -- D7 ----------------------------------------------------------------------------------------

@rule(
    id="foreign-key-without-index",
    title="Foreign key without an index on the referencing columns",
    severity="info",
    klass="neutral",
    rationale=(
        "PostgreSQL indexes the referenced side of a foreign key (its primary key or unique "
        "constraint) but not the referencing columns. Every DELETE of a referenced row, and every "
        "UPDATE of its key, has to find the referencing rows: without an index that is a full scan "
        "of the referencing table per row, run while the referenced row is locked (ON DELETE "
        "CASCADE / SET NULL then also lock every row it finds). Joins from the parent to its "
        "children scan too. MySQL and MariaDB create the index themselves, so the rule is "
        "PostgreSQL-only. It is info, not a warning: a referenced table whose rows are never "
        "deleted nor re-keyed (a lookup table such as countries) does not pay the cost. The schema "
        "is judged at the end of the history: an index created by a later migration counts."
    ),
    fix="CREATE INDEX CONCURRENTLY <table>_<columns>_idx ON <table> (<columns>); in a migration of its "
    "own with executeInTransaction=false (on a table created in the same migration, a plain CREATE "
    "INDEX next to it).",
    examples=(
        Example({"V1__init.sql": _PG + _PG_ORDERS,
                 "V2__fk.sql": "ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) "
                 "REFERENCES users (id) NOT VALID;\n"}, True),
        Example({"V1__init.sql": _PG + _PG_ORDERS,
                 "V2__fk.sql": "ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) "
                 "REFERENCES users (id) NOT VALID;\n",
                 "V3__idx.sql": "CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);\n"}, False,
                title="the index comes in a later migration"),
        Example({"V1__init.sql": _PG + "CREATE TABLE orders (id bigint PRIMARY KEY, "
                 "user_id bigint REFERENCES users (id));\n"}, True,
                title="table born in the same migration: the index is still missing"),
        Example({"V1__init.sql": _PG + "CREATE TABLE orders (id bigint PRIMARY KEY, "
                 "user_id bigint REFERENCES users (id));\nCREATE INDEX orders_user_id_idx ON orders (user_id);\n"},
                False, title="table born in the same migration, with its index"),
        Example({"V1__init.sql": _PG + "CREATE TABLE user_roles (user_id bigint REFERENCES users (id), "
                 "role text, PRIMARY KEY (user_id, role));\n"}, False,
                title="the primary key starts with the referencing column"),
        Example({"V1__init.sql": _MY + "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, "
                 "FOREIGN KEY (user_id) REFERENCES users (id));\n"}, False, dialect="mysql",
                title="InnoDB creates the index itself"),
    ),
)
def foreign_key_without_index(rule, ctx):
    if ctx.dialect != "postgres" or ctx.replay is None:
        return
    cat = ctx.replay.catalog
    where: dict = {}  # (file, table key, constraint name or None) -> (fa, st, ch)
    for fa, st, ch in ctx.changes_of("add-foreign-key", "create-table"):
        if ch.table is not None:
            where[(ch.file, ch.table, ch.detail.get("constraint") if ch.kind == "add-foreign-key" else None)] = \
                (fa, st, ch)
    for tkey, t in cat.tables.items():
        if t.origin == -1 or not t.constraints_known:
            continue  # created before the history: its indexes are not known
        fks = [c for c in t.constraints.values() if c.kind == "foreign-key" and c.columns
               and "(expression)" not in c.columns]
        if not fks:
            continue
        leads = [i.columns for i in map(cat.indexes.get, cat.indexes_on(tkey)) if i is not None]
        leads += [c.columns for c in t.constraints.values() if c.kind in ("primary-key", "unique")]
        for fk in fks:
            n = len(fk.columns)
            if any(set(cols[:n]) == set(fk.columns) for cols in leads):
                continue
            at = where.get((fk.origin, tkey, fk.name)) or where.get((fk.origin, tkey, None))
            if at is None:
                continue  # renamed since, or made by something flylint only partly follows: stay quiet
            fa, st, ch = at
            if _after(ctx, ch.file, ch.statement, t.name):
                continue
            cols = ", ".join(fk.columns)
            ref = fk.ref_table[1] if fk.ref_table else fk.references or "the referenced table"
            name = _pg_name(t.name, fk.columns)
            qi, qt, qc = sql_name(ctx, name), sql_name(ctx, t.name), ", ".join(sql_name(ctx, c) for c in fk.columns)
            if ch.born or ch.kind == "create-table":
                fix = (f"Add CREATE INDEX {qi} ON {qt} ({qc}); to this migration"
                       + (", after the CREATE TABLE (the table is new: no CONCURRENTLY needed)." if ch.born else
                          " or, on a big table, CREATE INDEX CONCURRENTLY in a migration of its own."))
            else:
                fix = (f"CREATE INDEX CONCURRENTLY {qi} ON {qt} ({qc}); in a migration of its own, with "
                       "executeInTransaction=false in its .sql.conf.")
            yield rule.finding(
                fa.migration.display, st.span,
                f"Foreign key {fk.name} on {t.name} ({cols}) has no index starting with {cols}: every DELETE "
                f"from {ref}, or update of its key, scans all of {t.name} while it holds the row lock.",
                fix=fix, object=f"{t.name}.{fk.name}", change=ch.kind,
            )


# -- D6 ----------------------------------------------------------------------------------------

def _plain(st, dialect: str) -> bool:
    """Whether a CREATE INDEX is a plain btree over plain columns: no WHERE, INCLUDE, expression,
    operator class, collation, DESC, NULLS order or MySQL prefix length. Rules may see statements
    without their parse tree (a long history is parsed on two processes, a warm run comes from the
    cache): then the statement's own text is parsed again (only for the few candidate pairs)."""
    from sqlglot import exp

    from flylint.sql.parser import parse_statement

    tree = st.parsed.tree if st.parsed is not None else None
    if tree is None:
        tree = parse_statement(st.text, dialect).tree
    if not isinstance(tree, exp.Create) or not isinstance(tree.this, exp.Index):
        return False
    params = tree.this.args.get("params")
    if params is None:
        return False
    using = params.args.get("using")
    if using is not None and using.name.lower() != "btree":
        return False
    if any(params.args.get(k) for k in ("where", "include", "with_storage", "partition_by", "tablespace")):
        return False
    cols = params.args.get("columns") or ()
    for o in cols:
        if not isinstance(o, exp.Ordered) or o.args.get("desc"):
            return False
        if dialect == "postgres" and o.args.get("nulls_first"):
            return False
        if not isinstance(o.this, exp.Column) or not isinstance(o.this.this, exp.Identifier):
            return False
    return bool(cols)


@rule(
    id="redundant-index",
    title="Index that another index already covers",
    severity="info",
    klass="neutral",
    rationale=(
        "A B-tree index on (a) is redundant next to one on (a, b): every lookup or range scan on a "
        "can use the longer index, and a second index with the same columns serves nothing at all. "
        "The redundant index still has to be updated by every INSERT, UPDATE and DELETE, takes disk "
        "and memory, and slows vacuum and backups. Only plain column indexes are compared (no WHERE, "
        "INCLUDE, expressions, operator classes, DESC or other index methods), and a unique index is "
        "redundant only next to a unique index on the same columns: it enforces something. The "
        "schema is judged at the end of the history: dropping one of the two later silences it."
    ),
    fix="Do not create the covered index; if it exists already, drop it in a migration of its own "
    "(DROP INDEX CONCURRENTLY on PostgreSQL).",
    examples=(
        Example({"V1__init.sql": _PG, "V2__idx.sql": "CREATE INDEX CONCURRENTLY users_email_id_idx ON users "
                 "(email, id);\n", "V3__idx.sql": "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n"},
                True),
        Example({"V1__init.sql": _PG + "CREATE INDEX users_email_idx ON users (email);\n",
                 "V2__idx.sql": "CREATE INDEX CONCURRENTLY users_email_id_idx ON users (email, id);\n"}, True,
                title="a new, wider index makes an older one redundant"),
        Example({"V1__init.sql": _PG + "CREATE INDEX users_email_idx ON users (email);\n"
                 "CREATE INDEX users_email2_idx ON users (email);\n"}, True,
                title="the same columns twice, in a table born in the same migration"),
        Example({"V1__init.sql": _PG + "CREATE INDEX users_id_idx ON users (id);\n"}, True,
                title="the primary key already indexes id"),
        Example({"V1__init.sql": _PG + "CREATE INDEX users_email_id_idx ON users (email, id);\n"
                 "CREATE INDEX users_id_email_idx ON users (id, email);\n"
                 "CREATE UNIQUE INDEX users_email_key ON users (email);\n"
                 "CREATE INDEX users_active_email_idx ON users (email) WHERE email IS NOT NULL;\n"
                 "CREATE INDEX users_lower_email_idx ON users (lower(email));\n"}, False,
                title="other column order, unique, partial and expression indexes"),
        Example({"V1__init.sql": _PG + "CREATE INDEX users_email_idx ON users (email);\n",
                 "V2__idx.sql": "CREATE INDEX CONCURRENTLY users_email_id_idx ON users (email, id);\n",
                 "V3__drop.sql": "DROP INDEX CONCURRENTLY users_email_idx;\n"}, False,
                title="the covered index is dropped afterwards"),
        Example({"V1__init.sql": _MY, "V2__idx.sql": "CREATE INDEX users_email_name_idx ON users (email, name);\n"
                 "CREATE INDEX users_email_idx ON users (email);\n"}, True, dialect="mysql"),
        Example({"V1__init.sql": _MY, "V2__idx.sql": "CREATE INDEX users_email_name_idx ON users (email(20), name);\n"
                 "CREATE INDEX users_email_idx ON users (email);\n"}, False, dialect="mysql",
                title="a prefix length is a different key"),
    ),
)
def redundant_index(rule, ctx):
    if ctx.replay is None:
        return
    cat = ctx.replay.catalog
    pg = ctx.dialect == "postgres"
    made: dict = {}  # index key -> (fa, st, ch) of the CREATE INDEX that made it
    for fa, st, ch in ctx.changes_of("create-index"):
        if ch.table is not None:
            made[cat.index_key(ch.table, ch.object)] = (fa, st, ch)
    added: dict = {}  # (table key, constraint name) -> (fa, st, ch) of the ALTER TABLE that added it
    for fa, st, ch in ctx.changes_of("add-unique", "add-primary-key"):
        if ch.table is not None and ch.detail.get("constraint"):
            added[(ch.table, ch.detail["constraint"])] = (fa, st, ch)
    per_table: dict = {}
    for ikey, (fa, st, ch) in made.items():
        index = cat.indexes.get(ikey)
        if index is None or index.origin != ch.file or index.table != ch.table:
            continue  # dropped, renamed or re-created since
        per_table.setdefault(index.table, []).append(
            (index.name, index.columns, index.unique, (ch.file, ch.statement), (fa, st, ch)))
    for tkey, entries in per_table.items():
        t = cat.tables.get(tkey)
        if t is None:
            continue
        others = list(entries)
        others += [(c.name, c.columns, True, None, c.kind) for c in t.constraints.values()
                   if c.kind in ("primary-key", "unique") and c.columns and "(expression)" not in c.columns]
        reported: set = set()
        plain: dict = {}

        def is_plain(entry) -> bool:
            if entry[3] is None:
                return True  # a primary key or unique constraint: a plain btree over its columns
            if entry[0] not in plain:
                plain[entry[0]] = _plain(entry[4][1], ctx.dialect)
            return plain[entry[0]]

        for a in entries:
            name, cols, unique, pos, at = a
            for b in others:
                if b is a or b[0] in reported or name in reported:
                    continue
                bname, bcols, bunique, bpos, bat = b
                if bcols[:len(cols)] != cols or (unique and not (bunique and bcols == cols)):
                    continue
                if bcols == cols and bunique == unique and bpos is not None and bpos > pos:
                    continue  # the same index twice: reported once, at the later one (b covers a there)
                if not is_plain(a) or not is_plain(b):
                    continue
                con_at = added.get((tkey, bname)) if bpos is None else None
                if con_at is not None and (con_at[2].file, con_at[2].statement) > pos:
                    # a constraint added after the index (a later ALTER TABLE) made it redundant: say so
                    # there, not at a CREATE INDEX that may already be applied
                    fa, st, ch = con_at
                    kind = "primary key" if bat == "primary-key" else "unique constraint"
                    msg = (f"The {kind} {bname} on {t.name} ({', '.join(bcols)}) makes index {name} "
                           f"({', '.join(cols)}) redundant: {name} only slows every write to {t.name} now.")
                    fix = (f"DROP INDEX CONCURRENTLY {sql_name(ctx, name)}; in a migration of its own, after this one."
                           if pg else f"ALTER TABLE {sql_name(ctx, t.name)} DROP INDEX {sql_name(ctx, name)}; in a "
                           "later migration.")
                    reported.add(name)
                    yield rule.finding(fa.migration.display, st.span, msg, fix=fix, object=name, change=ch.kind)
                    continue
                newer_is_a = bpos is None or pos > bpos
                if newer_is_a:
                    fa, st, ch = at
                    what = "duplicates" if bcols == cols else "is covered by"
                    kind = f"index {bname}" if bpos is not None else (
                        "the primary key" if bat == "primary-key" else f"unique constraint {bname}")
                    msg = (f"Index {name} on {t.name} ({', '.join(cols)}) {what} {kind} on ({', '.join(bcols)}): "
                           f"every lookup it serves, {bname} serves, while {name} slows every write to {t.name}.")
                    fix = f"Remove this CREATE INDEX {name}."
                    reported.add(name)
                elif bpos is not None:
                    fa, st, ch = bat
                    msg = (f"Index {bname} on {t.name} ({', '.join(bcols)}) makes index {name} "
                           f"({', '.join(cols)}) redundant: {name} only slows every write to {t.name} now.")
                    fix = (f"DROP INDEX CONCURRENTLY {sql_name(ctx, name)}; in a migration of its own, after this one."
                           if pg else f"ALTER TABLE {sql_name(ctx, t.name)} DROP INDEX {sql_name(ctx, name)}; in a later "
                           "migration.")
                    reported.add(name)
                yield rule.finding(fa.migration.display, st.span, msg, fix=fix, object=name, change=ch.kind)


# -- G7 ----------------------------------------------------------------------------------------

# ALTER TABLE actions that can share one statement with others, per dialect. Renames cannot be
# combined on PostgreSQL; VALIDATE CONSTRAINT must stay after the ADD ... NOT VALID's commit; a
# MySQL foreign key with checks on forces the COPY algorithm on everything it is combined with.
_MERGEABLE = {
    "postgres": {"add-column", "drop-column", "change-column-type", "set-not-null", "drop-not-null", "set-default",
                 "drop-default", "add-check", "add-foreign-key", "drop-constraint"},
    "mysql": {"add-column", "drop-column", "change-column-type", "set-not-null", "drop-not-null", "set-default",
              "drop-default", "add-check", "add-unique", "create-index", "drop-index", "drop-constraint"},
}


# PostgreSQL actions that a combined ALTER does in one pass: one rewrite of the table, or one scan that
# checks every new CHECK and NOT NULL (a foreign key is validated by a query of its own, combined or not).
_PG_ONE_PASS = {"change-column-type", "add-check", "set-not-null", "add-column"}


def _pg_heavy(ctx, st, ch) -> bool:
    """PostgreSQL: the action reads or rewrites the whole table, as the cost table says for the server
    version and the statement's session (flylint.rules.rewrites.statement_cost, what table-rewrite and
    change-column-type read: no rewrite for timestamp -> timestamptz under TimeZone UTC on 12+, no scan for
    SET NOT NULL that a validated CHECK proves on 12+)."""
    if ch.kind not in _PG_ONE_PASS:
        return False
    from flylint.rules.rewrites import statement_cost

    c = statement_cost(ctx, st, ch)
    return c is not None and (c.rewrite or c.scan)


_HEAD = re.compile(r"^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?((?:[`\"][^`\"]*[`\"]|[\w$]+)"
                   r"(?:\s*\.\s*(?:[`\"][^`\"]*[`\"]|[\w$]+))?)\s+(.*?)\s*;?\s*$", re.I | re.S)


def _actions(text: str) -> tuple[str, str] | None:
    """(table as written, actions as written) of an ALTER TABLE statement's text."""
    m = _HEAD.match(text)
    if m is None or "--" in m.group(2) or "/*" in m.group(2):
        return None
    return m.group(1), " ".join(m.group(2).split())


@rule(
    id="merge-alter-table",
    title="Several ALTER TABLE statements on one live table that one ALTER could do",
    severity="info",
    klass="neutral",
    rationale=(
        "On MySQL and MariaDB each ALTER TABLE takes the table's exclusive metadata lock again and, "
        "unless it is INSTANT, rebuilds or copies the whole table: two ALTERs are two rebuilds, and "
        "since DDL is not transactional a failure of the second leaves the first applied. One ALTER "
        "TABLE with all the actions rebuilds once and is atomic. On PostgreSQL the lock is held "
        "until the migration commits anyway, but each ALTER that rewrites the table (a type change "
        "that is not binary-coercible, a volatile default; not timestamp -> timestamptz under TimeZone UTC on "
        "12+) or scans it (SET NOT NULL that no validated CHECK proves, a validated CHECK) does so separately, under ACCESS EXCLUSIVE; combined, PostgreSQL rewrites or scans "
        "once and checks every new constraint in that pass, so the rule reports PostgreSQL only "
        "when at least two such ALTERs follow each other. Renames, VALIDATE CONSTRAINT, "
        "CONCURRENTLY forms, MySQL foreign keys (they force a table copy) and ALTERs with "
        "ALGORITHM/LOCK options are left alone, as are tables created in the same migration."
    ),
    fix="Combine the consecutive ALTER TABLE statements into one, its actions separated by commas.",
    examples=(
        Example({"V1__init.sql": _MY, "V2__alter.sql": "ALTER TABLE users ADD COLUMN age int;\n"
                 "ALTER TABLE users MODIFY name varchar(200) NOT NULL;\n"}, True, dialect="mysql"),
        Example({"V1__init.sql": _MY, "V2__alter.sql": "ALTER TABLE users ADD COLUMN age int, "
                 "MODIFY name varchar(200) NOT NULL;\n"}, False, dialect="mysql", title="already one ALTER"),
        Example({"V1__init.sql": _MY + "ALTER TABLE users ADD COLUMN age int;\n"
                 "ALTER TABLE users ADD COLUMN city varchar(100);\n"}, False, dialect="mariadb",
                title="table born in the same migration"),
        Example({"V1__init.sql": _MY, "V2__alter.sql": "ALTER TABLE users ADD COLUMN age int;\n"
                 "UPDATE users SET age = 0;\nALTER TABLE users MODIFY age int NOT NULL;\n"}, False, dialect="mysql",
                title="a backfill in between: combining would change the result"),
        Example({"V1__init.sql": _PG, "V2__alter.sql": "ALTER TABLE users ALTER COLUMN id TYPE numeric;\n"
                 "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"}, True),
        Example({"V1__init.sql": _PG, "V2__alter.sql": "ALTER TABLE users ADD COLUMN age int;\n"
                 "ALTER TABLE users ADD COLUMN city text;\n"}, False,
                title="PostgreSQL: neither ALTER reads the table, the lock is held once"),
        Example({"V1__init.sql": _PG + "ALTER TABLE users ADD COLUMN seen timestamp;\n",
                 "V2__alter.sql": "SET TimeZone = 'UTC';\nALTER TABLE users ALTER COLUMN seen TYPE timestamptz;\n"
                 "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"}, False,
                title="PostgreSQL 12+: timestamp -> timestamptz under TimeZone UTC does not rewrite the table"),
        Example({"V1__init.sql": _PG, "V2__alter.sql": "ALTER TABLE users RENAME COLUMN email TO mail;\n"
                 "ALTER TABLE users ALTER COLUMN mail SET NOT NULL;\n"
                 "ALTER TABLE users ADD CONSTRAINT users_mail_check CHECK (mail <> '') NOT VALID;\n",
                 "V3__validate.sql": "ALTER TABLE users VALIDATE CONSTRAINT users_mail_check;\n"
                 "ALTER TABLE users ALTER COLUMN id TYPE numeric;\n"}, False,
                title="RENAME and VALIDATE CONSTRAINT stay separate"),
        Example({"V1__init.sql": _PG + "ALTER TABLE users ALTER COLUMN id TYPE numeric;\n"
                 "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"}, False,
                title="table born in the same migration"),
    ),
)
def merge_alter_table(rule, ctx):
    if ctx.replay is None:
        return
    pg = ctx.dialect == "postgres"
    mergeable = _MERGEABLE["postgres" if pg else "mysql"]
    candidates: dict = {}
    heavy: dict = {}  # PostgreSQL: statements that rewrite or scan, per file
    for fa, st, ch in ctx.changes_of(*mergeable):
        if not ch.born and ch.table is not None:
            candidates.setdefault(ch.file, set()).add(ch.statement)
            if pg and _pg_heavy(ctx, st, ch):
                heavy.setdefault(ch.file, set()).add(ch.statement)
    for fi, sts in candidates.items():
        if len(sts) < 2 or (pg and len(heavy.get(fi, ())) < 2):
            continue  # (PostgreSQL reports a run only with two heavy ALTERs in it)
        fa = ctx.files[fi]
        per_file = ctx.replay.changes[fi]
        run: list = []  # consecutive mergeable ALTER TABLE statements on one table: (si, table key)
        for si in range(min(sts), max(sts) + 2):
            ok = si in sts and si < len(fa.statements) and _mergeable_statement(fa.statements[si], per_file[si], mergeable)
            table = per_file[si][0].table if ok else None
            if run and (not ok or table != run[0][1]):
                yield from _report(rule, ctx, fa, per_file, run, pg)
                run = []
            if ok:
                run.append((si, table))


_OPTIONS = re.compile(r"\b(?:ALGORITHM|LOCK)\s*=|\bENGINE\b", re.I)


def _mergeable_statement(st, changes, mergeable) -> bool:
    """An ALTER TABLE (judged from its changes and its own text: rules may see statements without
    their parse tree) whose every action is mergeable, on one live table, with no ALGORITHM=, LOCK=
    or ENGINE= (the user chose how that one runs)."""
    if not changes or st.parsed is None or st.parsed.kind != "ALTER TABLE" or _OPTIONS.search(st.text):
        return False
    table = changes[0].table
    return all(ch.kind in mergeable and not ch.born and ch.table == table and not ch.detail.get("lock_wait")
               and not ch.detail.get("domain") and not ch.detail.get("cascaded_from") for ch in changes)


def _report(rule, ctx, fa, per_file, run, pg):
    if len(run) < 2:
        return
    heavy = sum(any(_pg_heavy(ctx, fa.statements[si], ch) for ch in per_file[si]) for si, _ in run)
    if pg and heavy < 2:
        return
    sts = [fa.statements[si] for si, _ in run]
    table = run[0][1][1]
    parts = [_actions(st.text) for st in sts]
    lines = ", ".join(str(st.span.line) for st in sts)
    if all(p is not None for p in parts):
        combined = f"ALTER TABLE {parts[0][0]} " + ", ".join(p[1] for p in parts) + ";"
        fix = f"Replace the {len(sts)} statements (lines {lines}) with one: {combined}"
    else:
        fix = f"Combine the {len(sts)} ALTER TABLE statements on {table} (lines {lines}) into one, actions separated by commas."
    if pg:
        msg = (f"{len(sts)} ALTER TABLE statements in a row on {table}, {heavy} of which rewrite or scan the whole "
               "table, each in a pass of its own under its ACCESS EXCLUSIVE lock: one ALTER TABLE does it in a "
               "single pass.")
    else:
        msg = (f"{len(sts)} ALTER TABLE statements in a row on {table} each take its exclusive metadata lock and may "
               "each rebuild or copy the table; if one fails, the ones before it stay applied.")
    yield rule.finding(fa.migration.display, sts[0].span, msg, fix=fix, object=table, change=per_file[run[0][0]][0].kind)
