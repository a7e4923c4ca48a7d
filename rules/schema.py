"""Semantic checks from the catalog: statements that will fail because of what exists (or not)."""

from __future__ import annotations

from flylint.rules import Example, rule


def _problems(ctx, kind):
    if ctx.replay is None:
        return
    for p in ctx.replay.problems:
        if p.kind == kind:
            fa = ctx.files[p.file]
            yield fa, fa.statements[p.statement], p


@rule(
    id="missing-object",
    title="Reference to something that does not exist at that point",
    severity="error",
    klass="neutral",
    rationale=(
        "flylint replays the whole history in Flyway order. A statement that uses a table, column, "
        "constraint or index that the history dropped, renamed or never created fails when Flyway "
        "runs it. Tables the history never mentions before are assumed to exist already (a "
        "baselined database), and after a statement flylint could not analyse nothing is claimed missing."
    ),
    fix="Fix the name, or reorder the migrations so the object is created first.",
    examples=(
        Example({"V1__init.sql": "CREATE TABLE users (id int, name text);\n",
                 "V2__idx.sql": "CREATE INDEX users_email_idx ON users (email);\n"}, True),
        Example({"V1__init.sql": "CREATE TABLE users (id int, name text);\nALTER TABLE users DROP COLUMN name;\n",
                 "V2__x.sql": "ALTER TABLE users DROP COLUMN name;\n"}, True, title="dropped twice"),
        Example({"V1__init.sql": "CREATE TABLE users (id int, name text);\n",
                 "V2__idx.sql": "CREATE INDEX users_name_idx ON users (name);\n"}, False),
        Example({"V1__init.sql": "CREATE TABLE users (id int, name varchar(20));\n",
                 "V2__x.sql": "ALTER TABLE users MODIFY nickname varchar(40);\n"}, True, dialect="mysql"),
        Example({"V2__idx.sql": "CREATE INDEX orders_x_idx ON orders (x);\n"}, False,
                title="a table from before the history (baseline)"),
    ),
)
def missing_object(rule, ctx):
    for fa, st, p in _problems(ctx, "missing"):
        yield rule.finding(fa.migration.display, st.span, f"This statement fails: {p.message}.",
                           fix=rule.fix, object=p.object)


@rule(
    id="object-exists",
    title="Creating something that already exists",
    severity="error",
    klass="neutral",
    rationale="Creating a table, column, index, constraint, view or type that the replayed history "
    "already created, without IF NOT EXISTS, fails when Flyway runs it.",
    fix="Use another name, drop the old object first, or write IF NOT EXISTS if that is what you mean.",
    examples=(
        Example({"V1__init.sql": "CREATE TABLE users (id int);\n", "V2__again.sql": "CREATE TABLE users (id int);\n"},
                True),
        Example({"V1__init.sql": "CREATE TABLE users (id int);\n",
                 "V2__again.sql": "ALTER TABLE users ADD COLUMN id int;\n"}, True, dialect="mysql"),
        Example({"V1__init.sql": "CREATE TABLE users (id int);\n",
                 "V2__again.sql": "CREATE TABLE IF NOT EXISTS users (id int);\n"}, False),
    ),
)
def object_exists(rule, ctx):
    for fa, st, p in _problems(ctx, "exists"):
        yield rule.finding(fa.migration.display, st.span, f"This statement fails: {p.message}.",
                           fix=rule.fix, object=p.object)


@rule(
    id="dependent-objects",
    title="Drop refused because other objects depend on it",
    severity="error",
    klass="neutral",
    rationale=(
        "PostgreSQL refuses to drop a table, column, constraint or domain that views, other tables' "
        "foreign keys or columns depend on, unless the statement says CASCADE (which then drops them "
        "too, silently). MySQL and MariaDB refuse to drop a table a foreign key references, a column "
        "a foreign key uses, or the index a foreign key needs (while foreign_key_checks is on). "
        "flylint replays the history to know these dependencies; the migration fails when Flyway runs it."
    ),
    fix="Drop or change the dependent objects first (in a release where nothing uses them), or add "
    "CASCADE on PostgreSQL if dropping them too is what you mean.",
    examples=(
        Example({"V1__init.sql": "CREATE TABLE users (id int PRIMARY KEY, name text);\n"
                 "CREATE VIEW user_names AS SELECT id, name FROM users;\n",
                 "V2__drop.sql": "ALTER TABLE users DROP COLUMN name;\n"}, True, title="a view uses the column"),
        Example({"V1__init.sql": "CREATE TABLE users (id int PRIMARY KEY);\n"
                 "CREATE TABLE orders (id int PRIMARY KEY, user_id int, "
                 "CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id));\n",
                 "V2__drop.sql": "DROP TABLE users;\n"}, True, dialect="mysql",
                title="a foreign key references the table"),
        Example({"V1__init.sql": "CREATE TABLE users (id int PRIMARY KEY);\n"
                 "CREATE TABLE orders (id int PRIMARY KEY, user_id int, "
                 "CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id));\n",
                 "V2__drop.sql": "ALTER TABLE orders DROP INDEX orders_user_fk;\n"}, True, dialect="mysql",
                title="the index MySQL created for a foreign key"),
        Example({"V1__init.sql": "CREATE TABLE users (id int PRIMARY KEY, name text);\n"
                 "CREATE VIEW user_names AS SELECT id, name FROM users;\n",
                 "V2__drop.sql": "DROP VIEW user_names;\nALTER TABLE users DROP COLUMN name;\n"}, False,
                title="the view is dropped first"),
        Example({"V1__init.sql": "CREATE TABLE users (id int PRIMARY KEY);\n"
                 "CREATE TABLE orders (id int PRIMARY KEY, user_id int, "
                 "CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id));\n",
                 "V2__drop.sql": "SET foreign_key_checks = 0;\nDROP TABLE users;\n"}, False, dialect="mysql",
                title="with foreign_key_checks=0"),
        Example({"V1__init.sql": "CREATE TABLE users (id int PRIMARY KEY);\n"
                 "CREATE TABLE orders (id int PRIMARY KEY, user_id int, "
                 "CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id));\n",
                 "V2__drop.sql": "DROP TABLE users;\n",
                 "flyway.conf": "flyway.initSql=SET foreign_key_checks = 0\n"}, False, dialect="mysql",
                title="foreign_key_checks=0 in Flyway's initSql"),
    ),
)
def dependent_objects(rule, ctx):
    from flylint.rules.rewrites import initsql_fk_checks_off

    off = initsql_fk_checks_off(ctx)
    for fa, st, p in _problems(ctx, "depends"):
        if p.fk_checks and off:
            continue  # foreign_key_checks=0 for every connection: MySQL allows it (unless set back in the file)
        yield rule.finding(fa.migration.display, st.span, f"This statement fails: {p.message}.",
                           fix=rule.fix, object=p.object)


_USERS_MY = "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(100) NOT NULL DEFAULT '');\n"
_GATED_KINDS = ("rename-column", "other", "drop-constraint")


@rule(
    id="version-gated-syntax",
    title="Statement form the target server version does not have yet",
    severity="error",
    klass="neutral",
    rationale=(
        "Some ALTER TABLE forms exist only from a server version on: RENAME COLUMN from MySQL 8.0 and MariaDB "
        "10.5, RENAME INDEX from MySQL 5.7 and MariaDB 10.5, DROP CONSTRAINT from MySQL 8.0.19, DROP CHECK from "
        "MySQL 8.0.16 (MariaDB has no DROP CHECK: it drops a CHECK with DROP CONSTRAINT). An older server "
        "rejects the statement with a syntax error (1064) and the migration fails, whatever the table. "
        "Without --db-version flylint judges against the oldest supported version (MySQL 5.7, MariaDB 10.5) "
        "and says so."
    ),
    fix="Write the form every target version has (CHANGE COLUMN with the column's full definition, DROP INDEX + "
    "ADD INDEX, DROP FOREIGN KEY / DROP INDEX), or pass --db-version if every server runs a newer version.",
    examples=(
        Example({"V1__init.sql": _USERS_MY + "ALTER TABLE users RENAME COLUMN name TO full_name;\n"},
                True, dialect="mysql", title="RENAME COLUMN on MySQL 5.7 (the oldest supported, assumed), even on a "
                "table born in the same migration"),
        Example({"V1__init.sql": _USERS_MY, "V2__rename.sql": "ALTER TABLE users RENAME COLUMN name TO full_name;\n"},
                False, dialect="mysql", db_version="8.0.35", title="MySQL 8.0 has RENAME COLUMN"),
        Example({"V1__init.sql": _USERS_MY + "CREATE INDEX users_name ON users (name);\n",
                 "V2__rename.sql": "ALTER TABLE users RENAME INDEX users_name TO users_name_idx;\n"}, True,
                dialect="mariadb", db_version="10.4", title="RENAME INDEX before MariaDB 10.5"),
        Example({"V1__init.sql": _USERS_MY, "V2__rename.sql": "ALTER TABLE users CHANGE COLUMN name full_name "
                 "varchar(100) NOT NULL DEFAULT '';\n"}, False, dialect="mysql", db_version="5.7",
                title="CHANGE COLUMN works on every version"),
        Example({"V1__init.sql": _USERS_MY + "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, "
                 "CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id));\n",
                 "V2__drop.sql": "ALTER TABLE orders DROP CONSTRAINT orders_user_fk;\n"}, True, dialect="mysql",
                db_version="8.0.18", title="DROP CONSTRAINT before MySQL 8.0.19"),
    ),
)
def version_gated_syntax(rule, ctx):
    if ctx.dialect == "postgres":
        return
    from flylint.dbfacts import PRODUCT, syntax_gate
    from flylint.rules.names import sql_name

    for fa, st, ch in ctx.changes_of(*_GATED_KINDS):
        feature = ch.detail.get("syntax")
        if not feature:
            continue
        try:
            gate = syntax_gate(ctx.dialect, feature, ctx.db_version)
        except ValueError:
            continue
        if gate is None:
            continue
        product = PRODUCT[gate.dialect]
        assumed = (f" (assuming {product} {gate.assumed_version}, the oldest supported: pass --db-version for yours)"
                   if gate.assumed_version else "")
        if gate.since is None:
            message = (f"{product} has no {gate.syntax} (it is MySQL syntax): the migration fails on {product} with a "
                       "syntax error (1064).")
        else:
            message = (f"{gate.syntax} does not exist before {product} {gate.since}: the migration fails on {product} "
                       f"{gate.version} with a syntax error (1064){assumed}.")
        yield rule.finding(fa.migration.display, st.span, message, fix=_gated_fix(ctx, ch, feature, gate, sql_name),
                           object=ch.object, change=ch.kind)


def _gated_fix(ctx, ch, feature, gate, sql_name) -> str:
    d = ch.detail
    table = sql_name(ctx, ch.table[1]) if ch.table else "..."
    newer = f", or pass --db-version if every server runs {PRODUCT_NAME[gate.dialect]} {gate.since} or newer"
    if feature == "rename-column":
        old, new = sql_name(ctx, d.get("column")), sql_name(ctx, d.get("new_name"))
        definition = d.get("definition")
        if definition:
            return (f"Write ALTER TABLE {table} CHANGE COLUMN {old} {new} {definition}; instead: CHANGE takes the "
                    f"whole definition and drops what it does not repeat, so add any COMMENT, COLLATE or ON UPDATE "
                    f"{old} has (flylint's catalog does not keep them){newer}.")
        return (f"Write ALTER TABLE {table} CHANGE COLUMN {old} {new} <its full definition, from SHOW CREATE TABLE "
                f"{table}>; instead{newer}.")
    if feature == "rename-index":
        old, new = sql_name(ctx, ch.object.split(".")[-1]), sql_name(ctx, d.get("new_name"))
        cols = d.get("index_columns")
        kind = {"FULLTEXT": "FULLTEXT ", "SPATIAL": "SPATIAL "}.get(d.get("index_type") or "", "")
        kind = kind or ("UNIQUE " if d.get("index_unique") else "")
        add = f"ADD {kind}INDEX {new} ({', '.join(sql_name(ctx, c) for c in cols)})" if cols else \
            f"ADD INDEX {new} (<its columns>)"
        return (f"Write ALTER TABLE {table} DROP INDEX {old}, {add}; instead (one statement: the index is rebuilt, "
                f"reading the whole table){newer}.")
    name = sql_name(ctx, ch.object.split(".")[-1])
    if feature == "drop-check" and gate.since is None:
        return f"Write ALTER TABLE {table} DROP CONSTRAINT {sql_name(ctx, ch.object.split('.')[-1])}; instead."
    if feature == "drop-check":
        return (f"Remove the statement: before MySQL 8.0.16 a CHECK constraint is parsed and ignored, so {table} has "
                f"no constraint {name} to drop{newer}.")
    kind = d.get("constraint_kind")
    form = {"foreign-key": f"DROP FOREIGN KEY {name}", "unique": f"DROP INDEX {name}",
            "primary-key": "DROP PRIMARY KEY", "check": f"DROP CHECK {name}"}.get(kind)
    if form is None:
        return (f"Write ALTER TABLE {table} DROP FOREIGN KEY {name} (a foreign key), DROP INDEX {name} (a unique key) "
                f"or DROP CHECK {name} (a CHECK, MySQL 8.0.16+) instead{newer}.")
    return f"Write ALTER TABLE {table} {form}; instead{newer}."


PRODUCT_NAME = {"mysql": "MySQL", "mariadb": "MariaDB", "postgres": "PostgreSQL"}
