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
