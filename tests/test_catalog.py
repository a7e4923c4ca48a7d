"""The schema catalog and its replay: every statement becomes typed changes, applied to the catalog.

Each test builds a tiny Flyway project (V1, V2, ... in order), runs the real engine and looks at
`result.replay`: the catalog after the whole history, the changes of each statement and the
semantic problems found on the way.
"""

from __future__ import annotations

import pytest

from flylint.catalog.changes import CLASS_ORDER, KINDS
from flylint.catalog.model import TypeInfo
from flylint.catalog.types import compare
from flylint.engine import Options, run

PG, MY = "postgres", "mysql"
BOTH = pytest.mark.parametrize("dialect", [PG, MY])


def replay(tmp_path, *files: str, dialect: str = PG):
    for i, text in enumerate(files, 1):
        (tmp_path / f"V{i}__step_{i}.sql").write_text(text)
    result = run(Options(cwd=tmp_path, paths=(tmp_path,), dialect=dialect, cache=False))
    rp = result.replay
    for per_file in rp.changes:
        for per_statement in per_file:
            for ch in per_statement:
                assert ch.kind in KINDS and ch.klass in CLASS_ORDER
    return rp


def stmt(rp, file: int, statement: int):
    """The changes of one statement (1-based file number, 0-based statement index)."""
    return rp.changes[file - 1][statement]


def only(rp, file: int, statement: int):
    (ch,) = stmt(rp, file, statement)
    return ch


def kinds(rp, file: int, statement: int) -> list[str]:
    return [c.kind for c in stmt(rp, file, statement)]


def last(rp):
    """The changes of the last statement of the last file."""
    return rp.changes[-1][-1]


def problems(rp) -> list[tuple[str, str]]:
    return [(p.kind, p.object) for p in rp.problems]


def table(rp, name: str, schema: str | None = None):
    cat = rp.catalog
    return cat.tables[(schema or cat.default_schema, name)]


USERS = {
    PG: "CREATE TABLE users (id bigint PRIMARY KEY, first_name text NOT NULL, last_name text NOT NULL, "
        "surname text);\n",
    MY: "CREATE TABLE users (id bigint PRIMARY KEY, first_name varchar(255) NOT NULL, "
        "last_name varchar(255) NOT NULL, surname varchar(255));\n",
}


# ---------------------------------------------------------------------------------------------
# CREATE TABLE
# ---------------------------------------------------------------------------------------------


def test_create_table_postgres_inline_constraints_identity_defaults(tmp_path):
    rp = replay(tmp_path, (
        "CREATE TABLE orgs (id int PRIMARY KEY);\n"
        "CREATE TABLE users (\n"
        "  id serial PRIMARY KEY,\n"
        "  b bigint GENERATED ALWAYS AS IDENTITY,\n"
        "  email text UNIQUE NOT NULL,\n"
        "  org_id int REFERENCES orgs (id),\n"
        "  age int CHECK (age > 0),\n"
        "  nick text CONSTRAINT nick_nn CHECK (nick IS NOT NULL),\n"
        "  created_at timestamptz NOT NULL DEFAULT now(),\n"
        "  t2 timestamptz DEFAULT clock_timestamp(),\n"
        "  r float8 DEFAULT random(),\n"
        "  u uuid DEFAULT gen_random_uuid(),\n"
        "  g int GENERATED ALWAYS AS (age * 2) STORED,\n"
        "  CONSTRAINT users_age_nick UNIQUE (age, nick)\n"
        ");\n"
    ))
    ch = only(rp, 1, 1)
    assert (ch.kind, ch.klass, ch.born, ch.object, ch.table) == ("create-table", "additive", True, "users",
                                                                  ("public", "users"))
    t = table(rp, "users")
    assert t.origin == 0 and t.complete
    cols = t.columns
    assert cols["id"].identity and not cols["id"].nullable
    assert cols["b"].identity and not cols["b"].nullable
    assert not cols["email"].nullable and cols["org_id"].nullable
    assert cols["created_at"].default is not None and not cols["created_at"].default_volatile  # now() is stable
    assert cols["t2"].default_volatile and cols["r"].default_volatile and cols["u"].default_volatile
    assert cols["g"].generated and cols["g"].generated_stored and not cols["g"].identity
    assert all(c.origin == 0 for c in cols.values())
    # PostgreSQL's own names for unnamed constraints
    cons = t.constraints
    assert cons["users_pkey"].kind == "primary-key" and cons["users_pkey"].columns == ("id",)
    assert cons["users_email_key"].kind == "unique"
    assert cons["users_org_id_fkey"].kind == "foreign-key" and cons["users_org_id_fkey"].references == "orgs"
    assert cons["users_age_check"].kind == "check"
    assert cons["nick_nn"].check_not_null == "nick"
    assert cons["users_age_nick"].columns == ("age", "nick")
    assert table(rp, "orgs").constraints["orgs_pkey"].columns == ("id",)
    assert rp.problems == []


def test_create_table_mysql_inline_keys_auto_increment_enum_set(tmp_path):
    rp = replay(tmp_path, (
        "CREATE TABLE users (\n"
        "  id bigint AUTO_INCREMENT PRIMARY KEY,\n"
        "  email varchar(255) NOT NULL,\n"
        "  status ENUM('active', 'blocked') NOT NULL DEFAULT 'active',\n"
        "  flags SET('a', 'b'),\n"
        "  token varchar(36) DEFAULT (uuid()),\n"
        "  created_at datetime DEFAULT CURRENT_TIMESTAMP,\n"
        "  org_id int,\n"
        "  UNIQUE KEY uq_email (email),\n"
        "  KEY ix_org (org_id),\n"
        "  FOREIGN KEY (org_id) REFERENCES orgs (id),\n"
        "  CHECK (id > 0)\n"
        ");\n"
    ), dialect=MY)
    t = table(rp, "users", "app")
    assert only(rp, 1, 0).kind == "create-table"
    assert t.columns["id"].identity
    assert t.columns["status"].type.family == "enum" and t.columns["status"].type.params == ("active", "blocked")
    assert t.columns["flags"].type.family == "set" and t.columns["flags"].type.params == ("a", "b")
    assert t.columns["token"].default_volatile and not t.columns["created_at"].default_volatile
    # MySQL's own names: PRIMARY, the index name, <table>_ibfk_<n>, <table>_chk_<n>
    assert {c.name: c.kind for c in t.constraints.values()} == {
        "PRIMARY": "primary-key", "uq_email": "unique", "users_ibfk_1": "foreign-key", "users_chk_1": "check",
    }
    index = rp.catalog.indexes[("app", "users", "ix_org")]
    assert index.columns == ("org_id",) and index.table == ("app", "users") and index.origin == 0


def test_mysql_ignores_inline_references(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE a (id int, b_id int REFERENCES b (id));\n", dialect=MY)
    assert table(rp, "a", "app").constraints == {}


@BOTH
def test_create_table_as_select_is_incomplete(tmp_path, dialect):
    rp = replay(tmp_path, "CREATE TABLE t2 AS SELECT * FROM t1;\n", "ALTER TABLE t2 DROP COLUMN whatever;\n",
                dialect=dialect)
    assert not table(rp, "t2").complete
    assert rp.problems == []


def test_create_table_like_copies_columns(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE a (id int NOT NULL, name varchar(10));\nCREATE TABLE b LIKE a;\n",
                "ALTER TABLE b DROP COLUMN nope;\n", dialect=MY)
    b = table(rp, "b")
    assert set(b.columns) == {"id", "name"} and b.complete and not b.columns["id"].nullable
    assert problems(rp) == [("missing", "b.nope")]


# ---------------------------------------------------------------------------------------------
# Columns: add, drop, rename
# ---------------------------------------------------------------------------------------------


@BOTH
def test_add_column_classes(tmp_path, dialect):
    rp = replay(tmp_path, USERS[dialect],
                "ALTER TABLE users ADD COLUMN a int;\n"
                "ALTER TABLE users ADD COLUMN b int NOT NULL;\n"
                "ALTER TABLE users ADD COLUMN c int NOT NULL DEFAULT 0;\n", dialect=dialect)
    a, b, c = (only(rp, 2, i) for i in range(3))
    assert (a.kind, a.klass, a.born, a.detail["not_null"]) == ("add-column", "additive", False, False)
    assert (b.klass, b.detail["not_null"], b.detail["has_default"]) == ("incompatible", True, False)
    assert (c.klass, c.detail["has_default"]) == ("additive", True)
    assert a.object == "users.a" and a.detail["column"] == "a"
    assert table(rp, "users").columns["a"].origin == 1


def test_add_column_volatile_default_identity_generated(tmp_path):
    rp = replay(tmp_path, USERS[PG],
                "ALTER TABLE users ADD COLUMN t timestamptz DEFAULT now();\n"
                "ALTER TABLE users ADD COLUMN u uuid DEFAULT gen_random_uuid();\n"
                "ALTER TABLE users ADD COLUMN n bigint GENERATED BY DEFAULT AS IDENTITY;\n"
                "ALTER TABLE users ADD COLUMN g int GENERATED ALWAYS AS (id * 2) STORED;\n")
    t, u, n, g = (only(rp, 2, i) for i in range(4))
    assert not t.detail["default_volatile"] and u.detail["default_volatile"]
    assert n.detail["identity"] and n.klass == "additive"
    assert g.detail["generated"] and g.detail["generated_stored"]


def test_add_column_mysql_volatile_default_and_position(tmp_path):
    rp = replay(tmp_path, USERS[MY],
                "ALTER TABLE users ADD COLUMN token varchar(36) DEFAULT (uuid()) AFTER id;\n"
                "ALTER TABLE users ADD COLUMN r double DEFAULT (rand()), ADD COLUMN v int AS (id + 1) VIRTUAL;\n",
                dialect=MY)
    token = only(rp, 2, 0)
    assert token.detail["default_volatile"] and token.detail["position"]
    r, v = stmt(rp, 2, 1)
    assert r.detail["default_volatile"] and v.detail["generated"] and not v.detail["generated_stored"]


@pytest.mark.parametrize("sql", [
    "ALTER TABLE users DROP COLUMN last_name;", "ALTER TABLE users DROP last_name;",
])
@BOTH
def test_drop_column(tmp_path, dialect, sql):
    rp = replay(tmp_path, USERS[dialect], sql + "\n", dialect=dialect)
    ch = only(rp, 2, 0)
    assert (ch.kind, ch.klass, ch.born, ch.object) == ("drop-column", "destructive", False, "users.last_name")
    assert "last_name" not in table(rp, "users").columns


@BOTH
def test_drop_column_removes_its_constraints_and_indexes(tmp_path, dialect):
    rp = replay(tmp_path, USERS[dialect] +
                "ALTER TABLE users ADD CONSTRAINT sn_chk CHECK (surname IS NOT NULL);\n"
                "CREATE INDEX users_surname_idx ON users (surname);\n",
                "ALTER TABLE users DROP COLUMN surname;\n"
                "CREATE INDEX users_surname_idx ON users (first_name);\n", dialect=dialect)
    assert "sn_chk" not in table(rp, "users").constraints
    assert rp.problems == []  # the index went with the column: its name is free again


@pytest.mark.parametrize("sql", [
    "ALTER TABLE users RENAME COLUMN last_name TO surname2;",
    "ALTER TABLE users RENAME last_name TO surname2;",  # PostgreSQL without COLUMN: still a column
])
def test_rename_column_postgres(tmp_path, sql):
    rp = replay(tmp_path, USERS[PG], sql + "\n")
    ch = only(rp, 2, 0)
    assert (ch.kind, ch.klass, ch.born) == ("rename-column", "incompatible", False)
    assert (ch.object, ch.detail["column"], ch.detail["new_name"]) == ("users.last_name", "last_name", "surname2")
    t = table(rp, "users")
    assert "last_name" not in t.columns and t.columns["surname2"].name == "surname2"
    assert ("public", "users") in rp.catalog.tables  # not mistaken for a table rename


def test_rename_column_mysql_rename_and_change(tmp_path):
    rp = replay(tmp_path, USERS[MY],
                "ALTER TABLE users RENAME COLUMN first_name TO given_name;\n"
                "ALTER TABLE users CHANGE last_name family_name varchar(255) NOT NULL;\n", dialect=MY)
    assert only(rp, 2, 0).kind == "rename-column"
    ch = only(rp, 2, 1)  # same type, same nullability: only the rename
    assert (ch.kind, ch.detail["column"], ch.detail["new_name"]) == ("rename-column", "last_name", "family_name")
    assert set(table(rp, "users").columns) == {"id", "given_name", "family_name", "surname"}


def test_rename_column_follows_constraints_and_indexes(tmp_path):
    rp = replay(tmp_path, USERS[PG] + "CREATE INDEX users_ln_idx ON users (last_name);\n"
                "ALTER TABLE users ADD CONSTRAINT ln_nn CHECK (last_name IS NOT NULL);\n",
                "ALTER TABLE users RENAME COLUMN last_name TO ln;\n")
    t = table(rp, "users")
    assert t.constraints["ln_nn"].columns == ("ln",) and t.constraints["ln_nn"].check_not_null == "ln"
    assert rp.catalog.indexes[("public", "users_ln_idx")].columns == ("ln",)


# ---------------------------------------------------------------------------------------------
# MySQL MODIFY / CHANGE: diffed against the catalog
# ---------------------------------------------------------------------------------------------


def test_modify_tightening_nullability_is_set_not_null(tmp_path):
    rp = replay(tmp_path, USERS[MY], "ALTER TABLE users MODIFY surname VARCHAR(255) NOT NULL;\n", dialect=MY)
    ch = only(rp, 2, 0)
    assert (ch.kind, ch.klass, ch.object, ch.born) == ("set-not-null", "incompatible", "users.surname", False)
    assert not table(rp, "users").columns["surname"].nullable


def test_modify_relaxing_nullability_is_drop_not_null(tmp_path):
    rp = replay(tmp_path, USERS[MY], "ALTER TABLE users MODIFY first_name varchar(255) NULL;\n", dialect=MY)
    assert kinds(rp, 2, 0) == ["drop-not-null"]
    assert only(rp, 2, 0).klass == "additive"


def test_modify_changed_type_is_change_column_type(tmp_path):
    rp = replay(tmp_path, USERS[MY], "ALTER TABLE users MODIFY surname varchar(100);\n", dialect=MY)
    ch = only(rp, 2, 0)
    assert (ch.kind, ch.klass, ch.detail["verdict"]) == ("change-column-type", "incompatible", "narrow")
    assert (ch.detail["old_type"], ch.detail["new_type"]) == ("varchar(255)", "varchar(100)")


def test_change_with_rename_type_and_nullability_yields_several_changes(tmp_path):
    rp = replay(tmp_path, USERS[MY], "ALTER TABLE users CHANGE surname family varchar(300) NOT NULL DEFAULT '';\n",
                dialect=MY)
    assert kinds(rp, 2, 0) == ["rename-column", "change-column-type", "set-not-null", "set-default"]
    col = table(rp, "users").columns["family"]
    assert (col.name, col.type.params, col.nullable, col.default) == ("family", (300,), False, "''")


def test_modify_identical_definition_is_other(tmp_path):
    rp = replay(tmp_path, USERS[MY], "ALTER TABLE users MODIFY surname varchar(255);\n", dialect=MY)
    assert [(c.kind, c.klass) for c in stmt(rp, 2, 0)] == [("other", "neutral")]


def test_modify_drops_default_and_auto_increment_when_left_out(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE t (id int AUTO_INCREMENT PRIMARY KEY, s varchar(10) NOT NULL DEFAULT 'x');\n",
                "ALTER TABLE t MODIFY s varchar(10) NOT NULL;\nALTER TABLE t MODIFY id int NOT NULL;\n", dialect=MY)
    s = only(rp, 2, 0)
    assert (s.kind, s.klass, s.detail["old_default"]) == ("drop-default", "incompatible", "'x'")
    ident = only(rp, 2, 1)
    assert (ident.kind, ident.klass, ident.detail["identity"]) == ("drop-default", "incompatible", True)
    assert not table(rp, "t").columns["id"].identity


def test_modify_case_change_of_column_name_is_not_a_rename(tmp_path):
    rp = replay(tmp_path, USERS[MY], "ALTER TABLE users CHANGE surname Surname varchar(255);\n", dialect=MY)
    assert kinds(rp, 2, 0) == ["other"]


def test_modify_enum_append_and_reorder(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE t (s ENUM('a', 'b') NOT NULL DEFAULT 'a');\n",
                "ALTER TABLE t MODIFY s ENUM('a', 'b', 'c') NOT NULL DEFAULT 'a';\n"
                "ALTER TABLE t MODIFY s ENUM('b', 'a', 'c') NOT NULL DEFAULT 'a';\n"
                "ALTER TABLE t MODIFY s ENUM('a', 'c') NOT NULL DEFAULT 'a';\n", dialect=MY)
    append, reorder, remove = (only(rp, 2, i) for i in range(3))
    assert (append.detail["verdict"], append.klass, append.detail["enum_append"]) == ("widen", "neutral", True)
    assert (reorder.detail["verdict"], reorder.klass) == ("change", "incompatible")
    assert (remove.detail["verdict"], remove.klass) == ("narrow", "incompatible")
    assert table(rp, "t").columns["s"].type.params == ("a", "c")


def test_modify_unknown_column_of_external_table(tmp_path):
    rp = replay(tmp_path, "ALTER TABLE legacy MODIFY name varchar(10) NOT NULL;\n", dialect=MY)
    ch = only(rp, 1, 0)
    assert (ch.kind, ch.klass, ch.detail["old_type"]) == ("change-column-type", "incompatible", None)
    assert rp.problems == []


# ---------------------------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "verdict", "klass"), [
    ("varchar(100)", "varchar(200)", "widen", "neutral"),
    ("varchar(200)", "varchar(100)", "narrow", "incompatible"),
    ("varchar(100)", "text", "widen", "neutral"),
    ("text", "varchar(10)", "narrow", "incompatible"),
    ("int", "bigint", "widen-rewrite", "neutral"),
    ("bigint", "int", "narrow", "incompatible"),
    ("numeric(10,2)", "numeric(12,2)", "widen", "neutral"),
    ("numeric(10,2)", "numeric(8,2)", "narrow", "incompatible"),
    ("numeric(10,2)", "numeric(10,4)", "narrow", "incompatible"),
    ("numeric(10,2)", "numeric(12,4)", "widen-rewrite", "neutral"),
    ("numeric(10,2)", "numeric", "widen", "neutral"),
    ("int", "numeric(12,0)", "widen-rewrite", "neutral"),
    ("int", "numeric(5,0)", "narrow", "incompatible"),
    ("text", "int", "change", "incompatible"),
    ("timestamp", "timestamptz", "reinterpret", "neutral"),
    ("timestamptz", "timestamp", "reinterpret", "neutral"),
    ("timestamp(3)", "timestamptz", "reinterpret", "neutral"),
    ("timestamptz", "timestamp(3)", "narrow", "incompatible"),
    ("timestamptz", "date", "change", "incompatible"),
    ("timestamp(3)", "timestamp(6)", "widen", "neutral"),
    ("json", "jsonb", "widen-rewrite", "neutral"),
])
def test_type_change_verdicts_postgres(tmp_path, old, new, verdict, klass):
    rp = replay(tmp_path, f"CREATE TABLE t (c {old});\n", f"ALTER TABLE t ALTER COLUMN c TYPE {new};\n")
    ch = only(rp, 2, 0)
    assert (ch.kind, ch.detail["verdict"], ch.klass) == ("change-column-type", verdict, klass)
    assert ch.detail["binary_coercible"] == (verdict in ("same", "widen"))
    assert ch.detail["using"] is False


def test_type_change_using_and_set_data_type(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE t (c text);\n",
                "ALTER TABLE t ALTER COLUMN c SET DATA TYPE int USING c::int;\n")
    ch = only(rp, 2, 0)
    assert ch.detail["using"] is True and ch.detail["verdict"] == "change"
    assert table(rp, "t").columns["c"].type.family == "int4"


@pytest.mark.parametrize(("old", "new", "verdict"), [
    ("varchar(10)", "varchar(20)", "widen"),  # same 1-byte length prefix in every character set
    ("varchar(50)", "varchar(100)", "widen-rewrite"),  # may cross 255 bytes: copied
    ("varchar(300)", "varchar(400)", "widen"),
    ("varchar(200)", "varchar(255)", "widen"),  # 1 byte/char: both <= 255 bytes; 2+ bytes/char: both > 255
    ("varchar(100)", "varchar(200)", "widen-rewrite"),  # latin1 crosses 255 bytes
    ("varchar(60)", "varchar(63)", "widen"),  # utf8mb4: 240 and 252 bytes
    ("varchar(60)", "varchar(64)", "widen-rewrite"),  # utf8mb4: 240 and 256 bytes
    ("varchar(255)", "text", "widen-rewrite"),
    ("text", "tinytext", "narrow"),
    ("int", "bigint", "widen-rewrite"),
    ("int(11)", "int", "same"),
    ("int", "int unsigned", "narrow"),
    ("int unsigned", "bigint", "widen-rewrite"),
    ("decimal(10,2)", "decimal(12,2)", "widen-rewrite"),
    ("decimal(10,2)", "decimal(9,2)", "narrow"),
    ("varchar(10)", "int", "change"),
])
def test_type_change_verdicts_mysql(old, new, verdict):
    from sqlglot import exp

    from flylint.catalog.types import type_info

    def ti(s):
        return type_info(exp.DataType.build(s, dialect="mysql"), "mysql")

    assert compare(ti(old), ti(new), "mysql") == verdict


def test_compare_enum_values():
    def enum(*values):
        return TypeInfo("enum", values)

    assert compare(enum("a"), enum("a", "b")) == "widen"
    assert compare(enum("a", "b"), enum("b", "a")) == "change"
    assert compare(enum("a", "b"), enum("a")) == "narrow"


# ---------------------------------------------------------------------------------------------
# Nullability and defaults
# ---------------------------------------------------------------------------------------------


def test_set_and_drop_not_null_postgres(tmp_path):
    rp = replay(tmp_path, USERS[PG],
                "ALTER TABLE users ALTER COLUMN surname SET NOT NULL;\n"
                "ALTER TABLE users ALTER COLUMN first_name DROP NOT NULL;\n"
                "ALTER TABLE users ALTER COLUMN last_name SET NOT NULL;\n")
    snn, dnn, again = (only(rp, 2, i) for i in range(3))
    assert (snn.kind, snn.klass, snn.detail["proven_by_check"]) == ("set-not-null", "incompatible", False)
    assert (dnn.kind, dnn.klass, dnn.detail["was_nullable"]) == ("drop-not-null", "additive", False)
    assert (again.kind, again.klass) == ("other", "neutral")  # already NOT NULL
    t = table(rp, "users")
    assert not t.columns["surname"].nullable and t.columns["first_name"].nullable


@BOTH
def test_set_and_drop_default(tmp_path, dialect):
    rp = replay(tmp_path, USERS[dialect],
                "ALTER TABLE users ALTER COLUMN surname SET DEFAULT 'x';\n"
                "ALTER TABLE users ALTER COLUMN surname DROP DEFAULT;\n"
                "ALTER TABLE users ALTER COLUMN first_name DROP DEFAULT;\n", dialect=dialect)
    sd, dd, none = (only(rp, 2, i) for i in range(3))
    assert (sd.kind, sd.klass, sd.detail["old_default"]) == ("set-default", "additive", None)
    assert (dd.kind, dd.klass, dd.detail["old_default"]) == ("drop-default", "incompatible", "'x'")
    assert (none.kind, none.klass) == ("drop-default", "neutral")  # there was no default to rely on
    assert table(rp, "users").columns["surname"].default is None


def test_set_default_volatile_and_set_default_null(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE t (u uuid DEFAULT gen_random_uuid());\n",
                "ALTER TABLE t ALTER COLUMN u SET DEFAULT NULL;\nALTER TABLE t ALTER COLUMN u SET DEFAULT uuid_generate_v4();\n")
    assert only(rp, 2, 0).kind == "drop-default"
    ch = only(rp, 2, 1)
    assert ch.kind == "set-default" and ch.detail["default_volatile"]


# ---------------------------------------------------------------------------------------------
# Constraints
# ---------------------------------------------------------------------------------------------


def test_not_valid_is_per_constraint_and_validate_marks_it_validated(tmp_path):
    rp = replay(tmp_path, USERS[PG] + "CREATE TABLE orgs (id int PRIMARY KEY);\nALTER TABLE users ADD COLUMN org_id int;\n",
                "ALTER TABLE users ADD CONSTRAINT fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID, "
                "ADD CONSTRAINT ck CHECK (surname <> '');\n",
                "ALTER TABLE users VALIDATE CONSTRAINT fk;\n")
    fk, ck = stmt(rp, 2, 0)
    assert (fk.kind, fk.detail["not_valid"], fk.detail["references"]) == ("add-foreign-key", True, "orgs")
    assert fk.detail["references_table"] == ("public", "orgs")
    assert (ck.kind, ck.detail["not_valid"], ck.klass) == ("add-check", False, "incompatible")
    v = only(rp, 3, 0)
    assert (v.kind, v.klass, v.detail["constraint"], v.detail["was_validated"]) == (
        "validate-constraint", "neutral", "fk", False)
    assert table(rp, "users").constraints["fk"].validated


def test_validated_check_is_not_null_proves_set_not_null(tmp_path):
    rp = replay(tmp_path, USERS[PG],
                "ALTER TABLE users ADD CONSTRAINT sn CHECK (surname IS NOT NULL) NOT VALID;\n",
                "ALTER TABLE users ALTER COLUMN surname SET NOT NULL;\n",  # not validated yet: no proof
                "ALTER TABLE users ALTER COLUMN surname DROP NOT NULL;\n"
                "ALTER TABLE users VALIDATE CONSTRAINT sn;\n",
                "ALTER TABLE users ALTER COLUMN surname SET NOT NULL;\n")
    assert only(rp, 1 + 1, 0).detail["not_valid"] is True
    assert only(rp, 3, 0).detail["proven_by_check"] is False
    proven = only(rp, 5, 0)
    assert proven.detail["proven_by_check"] is True and proven.detail["check"] == "sn"


def test_check_with_conjunction_proves_each_column(tmp_path):
    rp = replay(tmp_path, USERS[PG],
                "ALTER TABLE users ADD CONSTRAINT c CHECK (surname IS NOT NULL AND NOT (first_name IS NULL));\n",
                "ALTER TABLE users ALTER COLUMN surname SET NOT NULL;\n")
    assert table(rp, "users").constraints["c"].proves_not_null == ("surname", "first_name")
    assert only(rp, 3, 0).detail["proven_by_check"]


def test_unnamed_constraints_get_the_database_names(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE t (id int, a int, b int);\n",
                "ALTER TABLE t ADD PRIMARY KEY (id);\nALTER TABLE t ADD UNIQUE (a, b);\n"
                "ALTER TABLE t ADD CHECK (a > b);\nALTER TABLE t ADD CHECK (a > 0);\nALTER TABLE t ADD CHECK (a > 1);\n",
                "ALTER TABLE t DROP CONSTRAINT t_pkey, DROP CONSTRAINT t_a_b_key, DROP CONSTRAINT t_check, "
                "DROP CONSTRAINT t_a_check, DROP CONSTRAINT t_a_check1;\n")
    assert [c.detail["constraint"] for c in stmt(rp, 3, 0)] == [
        "t_pkey", "t_a_b_key", "t_check", "t_a_check", "t_a_check1"]
    assert rp.problems == [] and table(rp, "t").constraints == {}
    assert not table(rp, "t").columns["id"].nullable  # PostgreSQL keeps NOT NULL after dropping the key


def test_long_generated_names_are_truncated_like_postgres(tmp_path):
    long_table = "t" * 40
    long_col = "c" * 40
    rp = replay(tmp_path, f"CREATE TABLE {long_table} ({long_col} int UNIQUE);\n")
    (name,) = table(rp, long_table).constraints
    assert len(name) == 63 and name.endswith("_key")


def test_mysql_unnamed_constraint_names_and_drop_forms(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE t (id int NOT NULL, a int, b int);\n",
                "ALTER TABLE t ADD PRIMARY KEY (id), ADD UNIQUE (a), ADD UNIQUE (a), "
                "ADD FOREIGN KEY (b) REFERENCES o (id), ADD CHECK (a > 0);\n",
                "ALTER TABLE t DROP INDEX a, DROP KEY a_2, DROP FOREIGN KEY t_ibfk_1, DROP CHECK t_chk_1, "
                "DROP PRIMARY KEY;\n", dialect=MY)
    assert [c.detail["constraint"] for c in stmt(rp, 2, 0)] == ["PRIMARY", "a", "a_2", "t_ibfk_1", "t_chk_1"]
    assert [(c.kind, c.detail.get("constraint_kind")) for c in stmt(rp, 3, 0)] == [
        ("drop-index", "unique"), ("drop-index", "unique"), ("drop-constraint", "foreign-key"),
        ("drop-constraint", "check"), ("drop-constraint", "primary-key")]
    assert rp.problems == [] and table(rp, "t").constraints == {}


def test_add_primary_key_sets_not_null(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE t (id int, x int);\n", "ALTER TABLE t ADD CONSTRAINT t_pk PRIMARY KEY (id);\n")
    ch = only(rp, 2, 0)
    assert (ch.kind, ch.klass, ch.detail["sets_not_null"]) == ("add-primary-key", "incompatible", ("id",))
    assert not table(rp, "t").columns["id"].nullable


def test_add_constraint_using_index(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE t (id int NOT NULL, email text, code text);\n",
                "CREATE UNIQUE INDEX CONCURRENTLY t_email_idx ON t (email);\n",
                "ALTER TABLE t ADD CONSTRAINT t_email_key UNIQUE USING INDEX t_email_idx;\n",
                "CREATE UNIQUE INDEX CONCURRENTLY t_code_idx ON t (code);\n",
                "ALTER TABLE t ADD CONSTRAINT t_code_pk PRIMARY KEY USING INDEX t_code_idx;\n")
    u = only(rp, 3, 0)
    assert (u.kind, u.klass, u.detail["using_index"], u.detail["columns"]) == ("add-unique", "neutral", True, ("email",))
    pk = only(rp, 5, 0)  # code was nullable: the primary key also sets NOT NULL
    assert (pk.kind, pk.klass, pk.detail["sets_not_null"]) == ("add-primary-key", "incompatible", ("code",))
    t = table(rp, "t")
    assert t.constraints["t_email_key"].columns == ("email",) and not t.columns["code"].nullable
    assert ("public", "t_email_idx") not in rp.catalog.indexes  # the index now belongs to the constraint


def test_drop_and_rename_constraint(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE t (a int CONSTRAINT a_pos CHECK (a > 0));\n",
                "ALTER TABLE t RENAME CONSTRAINT a_pos TO a_positive;\n"
                "ALTER TABLE t DROP CONSTRAINT a_positive;\n"
                "ALTER TABLE t DROP CONSTRAINT IF EXISTS a_positive;\n"
                "ALTER TABLE t DROP CONSTRAINT a_pos;\n")
    assert only(rp, 2, 0).kind == "other"
    d = only(rp, 2, 1)
    assert (d.kind, d.klass, d.detail["constraint_kind"]) == ("drop-constraint", "neutral", "check")
    assert only(rp, 2, 2).kind == "other"  # IF EXISTS on a constraint known to be gone: nothing happens
    assert problems(rp) == [("missing", "a_pos")]


# ---------------------------------------------------------------------------------------------
# Indexes
# ---------------------------------------------------------------------------------------------


def test_create_and_drop_index_postgres(tmp_path):
    rp = replay(tmp_path, USERS[PG],
                "CREATE INDEX CONCURRENTLY users_ln_idx ON users (last_name);\n",
                "CREATE UNIQUE INDEX users_fn_key ON users (first_name);\n",
                "DROP INDEX CONCURRENTLY users_ln_idx;\n",
                "DROP INDEX users_fn_key;\nDROP INDEX IF EXISTS users_fn_key;\n")
    c = only(rp, 2, 0)
    assert (c.kind, c.klass, c.born, c.detail["concurrently"], c.object) == (
        "create-index", "additive", False, True, "users_ln_idx")
    u = only(rp, 3, 0)
    assert (u.detail["unique"], u.detail["concurrently"], u.detail["columns"]) == (True, False, ("first_name",))
    d = only(rp, 4, 0)
    assert (d.kind, d.table, d.detail["concurrently"]) == ("drop-index", ("public", "users"), True)
    assert only(rp, 5, 0).detail["unique"] is True
    assert rp.catalog.indexes == {} and rp.problems == []


def test_index_names_postgres_defaults_and_conflicts(tmp_path):
    rp = replay(tmp_path, USERS[PG] +
                "CREATE INDEX ON users (last_name);\nCREATE INDEX ON users (last_name);\n"
                "CREATE INDEX ON users (lower(first_name));\n",
                "CREATE INDEX users_last_name_idx ON users (surname);\n"
                "CREATE INDEX IF NOT EXISTS users_last_name_idx ON users (surname);\n")
    assert [only(rp, 1, i).object for i in (1, 2, 3)] == ["users_last_name_idx", "users_last_name_idx1",
                                                          "users_lower_idx"]
    assert problems(rp) == [("exists", "users_last_name_idx")]
    assert only(rp, 2, 1).kind == "other"  # IF NOT EXISTS on an index that is there: nothing happens


def test_mysql_indexes_drop_index_on_and_alter_table_add_index(tmp_path):
    rp = replay(tmp_path, USERS[MY] + "CREATE TABLE orders (id int, last_name varchar(10));\n",
                "ALTER TABLE users ADD INDEX idx_ln (last_name), ADD UNIQUE INDEX uq_fn (first_name);\n"
                "CREATE INDEX idx_ln ON orders (last_name);\n",  # index names are per table in MySQL
                "DROP INDEX idx_ln ON users;\nALTER TABLE users DROP INDEX uq_fn;\n", dialect=MY)
    add, uq = stmt(rp, 2, 0)
    assert (add.kind, add.object, add.detail["columns"]) == ("create-index", "idx_ln", ("last_name",))
    assert (uq.kind, uq.detail["constraint"]) == ("add-unique", "uq_fn")
    d = only(rp, 3, 0)
    assert (d.kind, d.table, d.object) == ("drop-index", ("app", "users"), "idx_ln")
    assert only(rp, 3, 1).detail["constraint_kind"] == "unique"
    assert rp.problems == []
    assert list(rp.catalog.indexes) == [("app", "orders", "idx_ln")]


def test_index_on_missing_column_is_a_problem(tmp_path):
    rp = replay(tmp_path, USERS[PG], "CREATE INDEX users_email_idx ON users (email);\n")
    assert problems(rp) == [("missing", "users.email")]
    assert rp.catalog.indexes == {}  # the statement fails: nothing is created


# ---------------------------------------------------------------------------------------------
# Views, enum types, sequences, schemas
# ---------------------------------------------------------------------------------------------


def test_views_create_replace_drop(tmp_path):
    rp = replay(tmp_path, USERS[PG] + "CREATE VIEW names AS SELECT id, first_name AS name FROM users;\n",
                "CREATE OR REPLACE VIEW names AS SELECT id, first_name AS name, surname FROM users;\n",
                "CREATE OR REPLACE VIEW names AS SELECT id FROM users;\n",
                "DROP VIEW names;\n")
    assert rp.catalog.views == {}
    grow = only(rp, 2, 0)
    assert (grow.kind, grow.klass, grow.detail["lost_columns"]) == ("replace-view", "additive", ())
    shrink = only(rp, 3, 0)
    assert (shrink.kind, shrink.klass, shrink.detail["lost_columns"]) == ("replace-view", "incompatible",
                                                                          ("name", "surname"))
    drop = only(rp, 4, 0)
    assert (drop.kind, drop.klass, drop.born) == ("drop-view", "destructive", False)


def test_view_column_list_and_star(tmp_path):
    rp = replay(tmp_path, USERS[PG] + "CREATE VIEW a (x, y) AS SELECT id, surname FROM users;\n"
                "CREATE VIEW b AS SELECT * FROM users;\n")
    assert rp.catalog.views[("public", "a")].columns == ("x", "y")
    assert rp.catalog.views[("public", "b")].columns is None


def test_enum_type_add_and_rename_value(tmp_path):
    rp = replay(tmp_path, "CREATE TYPE mood AS ENUM ('sad', 'ok');\n",
                "ALTER TYPE mood ADD VALUE 'happy';\n"
                "ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok';\n"
                "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh';\n"
                "ALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';\n"
                "ALTER TYPE mood RENAME VALUE 'nope' TO 'x';\n")
    add, positioned, again, rename, bad = (only(rp, 2, i) for i in range(5))
    assert (add.kind, add.klass, add.detail["enum_append"], add.object) == ("add-enum-value", "additive", True,
                                                                           "mood.happy")
    assert positioned.detail["positioned"] and not positioned.detail["enum_append"]
    assert again.kind == "other"
    assert (rename.kind, rename.klass, rename.detail["new_name"]) == ("rename-enum-value", "incompatible", "unhappy")
    assert bad.kind == "rename-enum-value"
    assert rp.catalog.types[("public", "mood")].values == ["unhappy", "meh", "ok", "happy"]
    assert problems(rp) == [("missing", "mood.nope")]


def test_create_and_drop_type_and_sequence(tmp_path):
    rp = replay(tmp_path, "CREATE TYPE mood AS ENUM ('a');\nCREATE SEQUENCE seq;\n",
                "DROP TYPE mood;\nDROP SEQUENCE seq;\nDROP SEQUENCE seq;\nCREATE SEQUENCE IF NOT EXISTS s2;\n")
    assert [(c.kind, c.born) for c in rp.changes[0][0] + rp.changes[0][1]] == [("create-type", True),
                                                                              ("create-sequence", True)]
    assert (only(rp, 2, 0).kind, only(rp, 2, 0).klass) == ("drop-type", "destructive")
    assert (only(rp, 2, 1).kind, only(rp, 2, 1).born) == ("drop-sequence", False)
    assert problems(rp) == [("missing", "seq")]
    assert set(rp.catalog.sequences) == {("public", "s2")} and rp.catalog.types == {}


def test_drop_schema_drops_everything_in_it(tmp_path):
    rp = replay(tmp_path, "CREATE SCHEMA billing;\nCREATE TABLE billing.inv (id int);\n"
                "CREATE INDEX inv_id_idx ON billing.inv (id);\n",
                "DROP SCHEMA billing CASCADE;\n",
                "ALTER TABLE billing.inv ADD COLUMN x int;\n")
    ch = only(rp, 2, 0)
    assert (ch.kind, ch.klass, ch.object, ch.detail["cascade"]) == ("drop-schema", "destructive", "billing", True)
    assert rp.catalog.tables == {} and rp.catalog.indexes == {} and "billing" not in rp.catalog.schemas
    assert problems(rp) == [("missing", "inv")]


def test_set_schema_moves_the_table_and_its_indexes(tmp_path):
    rp = replay(tmp_path, "CREATE SCHEMA archive;\nCREATE TABLE t (id int);\nCREATE INDEX t_id_idx ON t (id);\n",
                "ALTER TABLE t SET SCHEMA archive;\n", "ALTER TABLE t ADD COLUMN x int;\n")
    ch = only(rp, 2, 0)
    assert (ch.kind, ch.klass, ch.detail["new_schema"]) == ("set-schema", "incompatible", "archive")
    assert ("archive", "t") in rp.catalog.tables and rp.catalog.indexes[("archive", "t_id_idx")].table == ("archive", "t")
    assert problems(rp) == [("missing", "t")]


# ---------------------------------------------------------------------------------------------
# Table renames, truncate, DML, session settings
# ---------------------------------------------------------------------------------------------


def test_rename_table_postgres(tmp_path):
    rp = replay(tmp_path, USERS[PG] + "CREATE INDEX users_ln_idx ON users (last_name);\n",
                "ALTER TABLE users RENAME TO customers;\n", "ALTER TABLE users ADD COLUMN x int;\n")
    ch = only(rp, 2, 0)
    assert (ch.kind, ch.klass, ch.born, ch.detail["new_name"]) == ("rename-table", "incompatible", False, "customers")
    assert ("public", "customers") in rp.catalog.tables and ("public", "users") in rp.catalog.gone
    assert rp.catalog.indexes[("public", "users_ln_idx")].table == ("public", "customers")
    assert problems(rp) == [("missing", "users")]


def test_rename_table_mysql_several_pairs(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE a (id int, KEY ix (id));\nCREATE TABLE c (id int);\n",
                "RENAME TABLE a TO b, c TO d;\n", "RENAME TABLE b TO tmp, d TO b, tmp TO d;\n", dialect=MY)
    assert [(c.kind, c.object, c.detail["new_name"]) for c in stmt(rp, 2, 0)] == [
        ("rename-table", "a", "b"), ("rename-table", "c", "d")]
    assert set(rp.catalog.tables) == {("app", "b"), ("app", "d")}
    assert table(rp, "d").origin == 0 and list(rp.catalog.indexes) == [("app", "d", "ix")]
    assert rp.problems == []


def test_mysql_alter_table_rename(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE a (id int);\n", "ALTER TABLE a RENAME TO b;\n", dialect=MY)
    assert only(rp, 2, 0).kind == "rename-table" and ("app", "b") in rp.catalog.tables


@BOTH
def test_truncate_and_delete(tmp_path, dialect):
    rp = replay(tmp_path, USERS[dialect],
                "TRUNCATE TABLE users;\nDELETE FROM users;\nDELETE FROM users WHERE id = 1;\n", dialect=dialect)
    t, d_all, d_some = (only(rp, 2, i) for i in range(3))
    assert (t.kind, t.klass) == ("truncate-table", "destructive")
    assert (d_all.kind, d_all.klass, d_all.detail["where"]) == ("delete-all", "destructive", False)
    assert (d_some.kind, d_some.klass, d_some.detail["where"]) == ("backfill", "data", True)


@BOTH
def test_update_is_a_backfill_with_sets(tmp_path, dialect):
    rp = replay(tmp_path, USERS[dialect],
                "UPDATE users SET surname = last_name, first_name = upper(first_name) WHERE surname IS NULL;\n",
                dialect=dialect)
    ch = only(rp, 2, 0)
    assert (ch.kind, ch.klass, ch.table, ch.born) == ("backfill", "data", (rp.catalog.default_schema, "users"), False)
    assert ch.detail["sets"] == (("surname", "last_name"), ("first_name", None))
    assert ch.detail["where"] is True and ch.detail["statement"] == "update"


def test_insert_into_a_born_table_is_born(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE t (id int);\nINSERT INTO t (id) VALUES (1);\n")
    ch = only(rp, 1, 1)
    assert (ch.kind, ch.born, ch.detail["statement"]) == ("backfill", True, "insert")


def test_session_settings(tmp_path):
    rp = replay(tmp_path, "SET lock_timeout = '5s';\nSET LOCAL statement_timeout TO 0;\nRESET lock_timeout;\n"
                "RESET ALL;\n")
    a, b, c, d = (only(rp, 1, i) for i in range(4))
    assert (a.kind, a.klass, a.detail["settings"]) == ("session-setting", "neutral", (("lock_timeout", "'5s'"),))
    assert b.detail["local"] is True
    assert c.detail["reset"] and c.detail["settings"] == (("lock_timeout", None),)
    assert d.object == "all"


def test_mysql_session_settings_and_foreign_key_checks(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE o (id int PRIMARY KEY);\nCREATE TABLE t (o_id int);\n",
                "SET foreign_key_checks = 0;\nALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (o_id) REFERENCES o (id);\n",
                "ALTER TABLE t ADD CONSTRAINT fk2 FOREIGN KEY (o_id) REFERENCES o (id);\n", dialect=MY)
    assert only(rp, 2, 0).detail["settings"] == (("foreign_key_checks", "0"),)
    assert only(rp, 2, 1).detail["foreign_key_checks"] is False
    assert "foreign_key_checks" not in only(rp, 3, 0).detail  # Flyway starts each migration afresh


# ---------------------------------------------------------------------------------------------
# Name resolution
# ---------------------------------------------------------------------------------------------


def test_postgres_unquoted_names_fold_quoted_do_not(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE Users (Id int);\nCREATE TABLE \"Users\" (\"Id\" int);\n",
                "ALTER TABLE users ADD COLUMN a int;\nALTER TABLE USERS ADD COLUMN b int;\n"
                "ALTER TABLE \"Users\" ADD COLUMN c int;\nALTER TABLE \"users\" DROP COLUMN ID;\n"
                "ALTER TABLE \"Users\" DROP COLUMN \"Id\";\n")
    lower, mixed = rp.catalog.tables[("public", "users")], rp.catalog.tables[("public", "Users")]
    assert set(lower.columns) == {"a", "b"} and set(mixed.columns) == {"c"}
    assert rp.problems == []
    assert only(rp, 2, 0).table == ("public", "users") and only(rp, 2, 2).table == ("public", "Users")


def test_postgres_default_schema_qualification(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE users (id int);\n",
                "ALTER TABLE public.users ADD COLUMN a int;\nALTER TABLE PUBLIC.USERS ADD COLUMN b int;\n"
                "ALTER TABLE other.users ADD COLUMN c int;\n")
    assert set(table(rp, "users").columns) == {"id", "a", "b"}
    assert [c.born for c in rp.changes[1][0]] == [False]
    ext = rp.catalog.tables[("other", "users")]
    assert not ext.complete and ext.origin == -1 and set(ext.columns) == {"c"}


def test_postgres_search_path_within_a_migration(tmp_path):
    rp = replay(tmp_path, "CREATE SCHEMA app;\nCREATE TABLE app.t (id int);\n",
                "SET search_path TO app, public;\nALTER TABLE t ADD COLUMN x int;\nCREATE TABLE u (id int);\n",
                "ALTER TABLE u ADD COLUMN y int;\n")  # Flyway resets the search_path per migration
    assert only(rp, 2, 1).table == ("app", "t") and only(rp, 2, 2).table == ("app", "u")
    assert only(rp, 3, 0).table == ("public", "u")
    assert rp.problems == []


def test_mysql_database_prefix_and_backticks(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE `users` (id int);\nCREATE TABLE other.users (id int);\n",
                "ALTER TABLE app.users ADD COLUMN a int;\nALTER TABLE `app`.`users` ADD COLUMN `B` int;\n"
                "ALTER TABLE other.users ADD COLUMN c int;\nALTER TABLE users DROP COLUMN b;\n"
                "ALTER TABLE Users ADD COLUMN d int;\n", dialect=MY)
    assert set(table(rp, "users", "app").columns) == {"id", "a"}  # column names are case-insensitive
    assert set(table(rp, "users", "other").columns) == {"id", "c"}
    assert only(rp, 2, 4).table == ("app", "Users")  # table names keep their case (Linux)
    assert rp.problems == []


def test_mysql_use_changes_the_current_database(tmp_path):
    rp = replay(tmp_path, "USE other;\nCREATE TABLE t (id int);\n", dialect=MY)
    assert only(rp, 1, 0).kind == "session-setting"
    assert ("other", "t") in rp.catalog.tables


# ---------------------------------------------------------------------------------------------
# Born vs live, origins
# ---------------------------------------------------------------------------------------------


@BOTH
def test_born_in_the_same_migration_live_afterwards(tmp_path, dialect):
    rp = replay(tmp_path, USERS[dialect] + "ALTER TABLE users ADD COLUMN tmp int;\nALTER TABLE users DROP COLUMN tmp;\n"
                "ALTER TABLE users DROP COLUMN surname;\n",
                "ALTER TABLE users ADD COLUMN nick int;\nALTER TABLE users DROP COLUMN nick;\n",
                "ALTER TABLE users DROP COLUMN first_name;\n", dialect=dialect)
    assert [c.born for c in rp.changes[0][1] + rp.changes[0][2] + rp.changes[0][3]] == [True, True, True]
    assert only(rp, 2, 0).born is False  # a new column of a live table touches the live table
    assert only(rp, 2, 1).born is True  # ... but the column itself is born in V2
    assert only(rp, 3, 0).born is False and only(rp, 3, 0).live
    t = table(rp, "users")
    assert t.origin == 0 and t.columns["id"].origin == 0


def test_every_object_records_its_origin(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE t (id int);\n",
                "ALTER TABLE t ADD COLUMN a int CONSTRAINT a_pos CHECK (a > 0);\nCREATE INDEX t_a_idx ON t (a);\n"
                "CREATE VIEW v AS SELECT id FROM t;\nCREATE TYPE e AS ENUM ('x');\nCREATE SEQUENCE s;\n")
    cat = rp.catalog
    t = table(rp, "t")
    assert (t.origin, t.columns["id"].origin, t.columns["a"].origin, t.constraints["a_pos"].origin) == (0, 0, 1, 1)
    assert cat.indexes[("public", "t_a_idx")].origin == 1
    assert cat.views[("public", "v")].origin == 1 and cat.types[("public", "e")].origin == 1
    assert cat.sequences[("public", "s")].origin == 1


# ---------------------------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------------------------


@BOTH
def test_missing_column(tmp_path, dialect):
    rp = replay(tmp_path, USERS[dialect], "ALTER TABLE users DROP COLUMN email;\n"
                "ALTER TABLE users DROP COLUMN IF EXISTS email;\n" if dialect == PG else
                "ALTER TABLE users DROP COLUMN email;\n", dialect=dialect)
    assert problems(rp) == [("missing", "users.email")]
    p = rp.problems[0]
    assert (p.file, p.statement) == (1, 0) and "email" in p.message


def test_missing_table_after_drop_and_if_exists(tmp_path):
    rp = replay(tmp_path, USERS[PG], "DROP TABLE users;\n",
                "ALTER TABLE users ADD COLUMN x int;\nDROP TABLE IF EXISTS users;\nINSERT INTO users VALUES (1);\n"
                "DROP TABLE users;\n")
    assert problems(rp) == [("missing", "users")] * 3
    assert [p.statement for p in rp.problems] == [0, 2, 3]
    assert only(rp, 3, 1).kind == "other"  # DROP TABLE IF EXISTS of a table known to be gone


@BOTH
def test_already_exists_and_if_not_exists(tmp_path, dialect):
    rp = replay(tmp_path, USERS[dialect],
                USERS[dialect] + USERS[dialect].replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS") +
                "ALTER TABLE users ADD COLUMN surname int;\n", dialect=dialect)
    assert problems(rp) == [("exists", "users"), ("exists", "users.surname")]
    assert only(rp, 2, 1).kind == "other"


def test_postgres_add_column_if_not_exists_is_quiet(tmp_path):
    rp = replay(tmp_path, USERS[PG], "ALTER TABLE users ADD COLUMN IF NOT EXISTS surname text;\n"
                "CREATE TABLE IF NOT EXISTS users (id int);\nCREATE INDEX IF NOT EXISTS i ON users (id);\n"
                "CREATE INDEX IF NOT EXISTS i ON users (id);\n")
    assert rp.problems == []
    assert kinds(rp, 2, 0) == ["other"] and kinds(rp, 2, 1) == ["other"] and kinds(rp, 2, 3) == ["other"]


def test_no_problem_for_a_table_the_history_never_mentioned(tmp_path):
    rp = replay(tmp_path, "ALTER TABLE legacy DROP COLUMN x;\nALTER TABLE legacy DROP CONSTRAINT legacy_pkey;\n"
                "CREATE INDEX legacy_y_idx ON legacy (y);\nALTER TABLE legacy VALIDATE CONSTRAINT c;\n"
                "ALTER TABLE legacy ALTER COLUMN z SET NOT NULL;\nUPDATE legacy SET w = 1;\n")
    assert rp.problems == []
    t = table(rp, "legacy")
    assert (t.origin, t.complete) == (-1, False)
    assert all(not c.born for per in rp.changes[0] for c in per)


@BOTH
def test_no_problem_after_an_unanalysed_statement(tmp_path, dialect):
    opaque = "DO $$ BEGIN EXECUTE 'ALTER TABLE users ADD COLUMN email text'; END $$;\n" if dialect == PG else \
        "ALTER TABLE users FROBNICATE;\n"
    rp = replay(tmp_path, USERS[dialect] + "DROP TABLE users;\n", opaque,
                "ALTER TABLE users DROP COLUMN email;\n" + USERS[dialect] + USERS[dialect], dialect=dialect)
    assert kinds(rp, 2, 0) == ["unanalysed"]
    assert rp.catalog.uncertain_since is not None
    assert rp.problems == []
    # what the history does afterwards is still followed
    assert only(rp, 3, 0).kind == "drop-column"


def test_problems_before_the_unanalysed_statement_stay(tmp_path):
    rp = replay(tmp_path, USERS[PG], "ALTER TABLE users DROP COLUMN nope;\n", "DO $$ BEGIN NULL; END $$;\n",
                "ALTER TABLE users DROP COLUMN nope2;\n")
    assert problems(rp) == [("missing", "users.nope")]


def test_column_unknown_after_unanalysed_statement_makes_the_table_incomplete(tmp_path):
    rp = replay(tmp_path, USERS[PG], "DO $$ BEGIN NULL; END $$;\n", "CREATE INDEX i ON users (email);\n")
    assert rp.problems == [] and not table(rp, "users").complete
    assert rp.catalog.indexes[("public", "i")].columns == ("email",)


def test_calling_a_function_the_history_created_is_unanalysed(tmp_path):
    rp = replay(tmp_path, USERS[PG] +
                "CREATE FUNCTION migrate() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DROP TABLE users; END $$;\n",
                "SELECT migrate();\n", "ALTER TABLE users ADD COLUMN x int;\n")
    assert kinds(rp, 2, 0) == ["unanalysed"] and rp.problems == []


def test_undo_migrations_do_not_run(tmp_path):
    (tmp_path / "U2__undo.sql").write_text("DROP TABLE users;\n")
    rp = replay(tmp_path, USERS[PG], "ALTER TABLE users ADD COLUMN x int;\n")
    assert ("public", "users") in rp.catalog.tables


# ---------------------------------------------------------------------------------------------
# Changes point at their statement
# ---------------------------------------------------------------------------------------------


def test_changes_point_at_their_file_and_statement(tmp_path):
    rp = replay(tmp_path, USERS[PG] + "SELECT 1;\n", "ALTER TABLE users ADD COLUMN a int, DROP COLUMN surname;\n")
    for fi, per_file in enumerate(rp.changes):
        for si, per_statement in enumerate(per_file):
            for ch in per_statement:
                assert (ch.file, ch.statement) == (fi, si)
    assert kinds(rp, 2, 0) == ["add-column", "drop-column"]
    assert kinds(rp, 1, 1) == ["other"]


# ---------------------------------------------------------------------------------------------
# MariaDB, details the cost tables read
# ---------------------------------------------------------------------------------------------


def test_mariadb_check_names_and_if_not_exists_forms(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE t (id int, a int CHECK (a > 0), b int, CHECK (b > a), CHECK (b > 1));\n",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS id int;\nALTER TABLE t ADD INDEX IF NOT EXISTS ix (id);\n"
                "ALTER TABLE t ADD INDEX IF NOT EXISTS ix (id);\nALTER TABLE t MODIFY COLUMN IF EXISTS nope int;\n",
                dialect="mariadb")
    assert {c.name for c in table(rp, "t").constraints.values()} == {"a", "CONSTRAINT_1", "CONSTRAINT_2"}
    assert kinds(rp, 2, 0) == ["other"] and kinds(rp, 2, 1) == ["create-index"] and kinds(rp, 2, 2) == ["other"]
    assert kinds(rp, 2, 3) == ["other"] and rp.problems == []


def test_primary_key_detail_says_whether_columns_are_already_not_null(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE t (id int NOT NULL, x int);\nCREATE TABLE u (id int);\n",
                "ALTER TABLE t ADD PRIMARY KEY (id);\nALTER TABLE u ADD PRIMARY KEY (id);\n"
                "ALTER TABLE legacy ADD PRIMARY KEY (id);\n")
    t, u, legacy = (only(rp, 2, i) for i in range(3))
    assert (t.detail["not_null"], t.detail["sets_not_null"]) == (True, ())
    assert (u.detail["not_null"], u.detail["sets_not_null"]) == (False, ("id",))
    assert legacy.detail["not_null"] is None  # a table from before the history: not known


def test_replay_is_deterministic(tmp_path):
    files = (USERS[PG] + "CREATE INDEX ON users (last_name);\n",
             "ALTER TABLE users RENAME TO people;\nALTER TABLE people ADD CONSTRAINT c CHECK (surname IS NOT NULL);\n")
    first = replay(tmp_path, *files)
    second = replay(tmp_path, *files)
    assert first.changes == second.changes and first.problems == second.problems
    assert first.catalog.tables == second.catalog.tables and first.catalog.indexes == second.catalog.indexes


def test_create_table_if_not_exists_after_the_table_was_used_is_a_no_op(tmp_path):
    rp = replay(tmp_path, "ALTER TABLE legacy ADD COLUMN x int;\n",
                "CREATE TABLE IF NOT EXISTS legacy (id int);\nALTER TABLE legacy DROP COLUMN whatever;\n")
    assert kinds(rp, 2, 0) == ["other"]
    t = table(rp, "legacy")
    assert (t.origin, t.complete, set(t.columns)) == (-1, False, {"x"})
    assert rp.problems == []


def test_mysql_create_table_like_copies_keys(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE a (id int PRIMARY KEY, x int, KEY ix (x), CONSTRAINT fk FOREIGN KEY (x) "
                "REFERENCES o (id));\n", "CREATE TABLE b LIKE a;\nALTER TABLE b DROP INDEX ix, DROP PRIMARY KEY;\n",
                dialect=MY)
    assert rp.problems == [] and table(rp, "b").constraints == {}  # the foreign key is not copied
    assert set(rp.catalog.indexes) == {("app", "a", "ix")}


# --- dependencies, CASCADE, domains, partitions, identity, exclusion (issue 3, catalog gaps) ----------


_DEPS = ("CREATE TABLE users (id bigint PRIMARY KEY, name text, email text UNIQUE);\n"
         "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), "
         "email text REFERENCES users (email));\n"
         "CREATE VIEW user_names AS SELECT id, name FROM users;\n"
         "CREATE VIEW names2 AS SELECT name FROM user_names;\n")


def test_postgres_refuses_drops_with_dependents_and_keeps_the_object(tmp_path):
    rp = replay(tmp_path, _DEPS, "ALTER TABLE users DROP COLUMN name;\nDROP TABLE users;\n"
                "ALTER TABLE users DROP CONSTRAINT users_email_key;\nALTER TABLE users DROP COLUMN email;\n")
    assert [p.kind for p in rp.problems] == ["depends"] * 4
    assert "view user_names" in rp.problems[0].message
    assert "foreign key orders_user_id_fkey on orders" in rp.problems[1].message
    assert "orders_email_fkey" in rp.problems[2].message
    t = table(rp, "users")  # the refused statements changed nothing
    assert {"name", "email"} <= set(t.columns) and "users_email_key" in t.constraints
    assert ("public", "user_names") in rp.catalog.views


def test_postgres_cascade_drops_views_and_foreign_keys(tmp_path):
    rp = replay(tmp_path, _DEPS, "ALTER TABLE users DROP COLUMN name CASCADE;\nDROP VIEW names2;\n"
                "DROP TABLE users CASCADE;\nALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;\n")
    assert kinds(rp, 2, 0) == ["drop-column", "drop-view", "drop-view"]
    assert [c.object for c in stmt(rp, 2, 0)[1:]] == ["user_names", "names2"]  # a view on the view too
    assert all(c.detail["cascaded_from"] == "column users.name" and not c.born for c in stmt(rp, 2, 0)[1:])
    assert kinds(rp, 2, 2) == ["drop-table", "drop-constraint", "drop-constraint"]
    assert table(rp, "orders").constraints.keys() == {"orders_pkey"}
    # the later references to what CASCADE dropped are errors
    assert problems(rp) == [("missing", "names2"), ("missing", "orders_user_id_fkey")]


def test_a_view_reading_star_depends_on_every_column(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE t (a int, b int);\nCREATE VIEW v AS SELECT * FROM t;\n",
                "ALTER TABLE t DROP COLUMN b;\n")
    assert problems(rp) == [("depends", "t")]


def test_column_of_another_joined_table_is_not_claimed(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE a (id int, x int);\nCREATE TABLE b (id int, x int);\n"
                "CREATE VIEW v AS SELECT x FROM a JOIN b USING (id);\n", "ALTER TABLE a DROP COLUMN x;\n")
    assert rp.problems == []  # x may be b.x: not proven


def test_mysql_foreign_keys_create_and_need_an_index(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE users (id int PRIMARY KEY, code int, UNIQUE KEY code (code));\n"
                "CREATE TABLE orders (id int PRIMARY KEY, user_id int, b int, KEY b_idx (b), "
                "CONSTRAINT fk_b FOREIGN KEY (b) REFERENCES users (code));\n"
                "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n"
                "CREATE TABLE o2 (id int PRIMARY KEY, user_id int, FOREIGN KEY (user_id) REFERENCES users (id));\n",
                "ALTER TABLE orders DROP INDEX orders_user_fk;\n", "DROP INDEX b_idx ON orders;\n",
                "ALTER TABLE users DROP INDEX code;\n", "ALTER TABLE orders DROP COLUMN user_id;\n",
                "DROP TABLE users;\n",
                "SET foreign_key_checks = 0;\nALTER TABLE orders DROP INDEX orders_user_fk;\nDROP TABLE users;\n",
                dialect=MY)
    idx = rp.catalog.indexes
    # measured on MariaDB 10.11: the index is named after the constraint, else after the column
    assert ("app", "o2", "user_id") in idx and ("app", "orders", "b_idx") in idx
    assert [(p.file, p.kind) for p in rp.problems] == [(1, "depends"), (2, "depends"), (3, "depends"),
                                                      (4, "depends"), (5, "depends")]
    assert "needed by foreign key orders_user_fk" in rp.problems[0].message
    assert "needed by foreign key fk_b" in rp.problems[2].message  # the referenced side
    assert "foreign key orders_user_fk" in rp.problems[3].message  # error 1828
    assert ("app", "orders", "orders_user_fk") not in idx and ("app", "users") not in rp.catalog.tables


def test_domains(tmp_path):
    rp = replay(tmp_path, "CREATE DOMAIN posint AS int NOT NULL CHECK (VALUE > 0);\n"
                "CREATE TABLE items (id bigint PRIMARY KEY, qty posint);\n",
                "ALTER DOMAIN posint ADD CONSTRAINT small CHECK (VALUE < 100) NOT VALID;\n"
                "ALTER DOMAIN posint VALIDATE CONSTRAINT small;\nALTER DOMAIN posint DROP DEFAULT;\n",
                "DROP DOMAIN posint;\n", "DROP DOMAIN posint CASCADE;\nCREATE DOMAIN posint AS bigint;\n")
    assert only(rp, 1, 0).kind == "create-type" and only(rp, 1, 0).detail["domain"]
    ch = only(rp, 2, 0)
    assert (ch.kind, ch.detail["not_valid"], ch.detail["live_columns"]) == ("add-check", True, ("items.qty",))
    assert only(rp, 2, 1).kind == "validate-constraint"
    assert problems(rp) == [("depends", "posint")]
    assert kinds(rp, 4, 0) == ["drop-type", "drop-column"]  # CASCADE drops the column
    assert set(table(rp, "items").columns) == {"id"}
    assert rp.catalog.domains[("public", "posint")].base.family == "int8"


def test_partitions(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE m (id int NOT NULL, d date NOT NULL) PARTITION BY RANGE (d);\n"
                "CREATE TABLE m2020 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');\n"
                "CREATE TABLE m2021 (id int NOT NULL, d date NOT NULL);\n",
                "ALTER TABLE m ATTACH PARTITION m2021 FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');\n"
                "ALTER TABLE m DETACH PARTITION m2020 CONCURRENTLY;\n",
                "ALTER TABLE m2020 DROP COLUMN nope;\n")
    m, p = table(rp, "m"), table(rp, "m2020")
    assert m.partitioned and m.partition_key == ("d",)
    assert set(p.columns) == {"id", "d"} and p.complete  # a partition has its parent's columns
    attach, detach = only(rp, 2, 0), only(rp, 2, 1)
    assert (attach.detail["partition_op"], attach.detail["partition"], attach.detail["has_check"]) == (
        "attach", "m2021", False)
    assert (detach.detail["partition_op"], detach.detail["concurrently"]) == ("detach", True)
    assert table(rp, "m2021").partition_of == ("public", "m") and p.partition_of is None
    assert problems(rp) == [("missing", "m2020.nope")]


def test_identity_columns(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE t (id bigint NOT NULL, n int);\n",
                "ALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;\n",
                "ALTER TABLE t ALTER COLUMN id DROP IDENTITY;\nALTER TABLE t ALTER COLUMN n DROP IDENTITY IF EXISTS;\n"
                "ALTER TABLE t ALTER COLUMN n ADD GENERATED BY DEFAULT AS IDENTITY;\n")
    add = only(rp, 2, 0)
    assert (add.kind, add.detail["identity"], add.klass) == ("set-default", True, "additive")
    drop = only(rp, 3, 0)
    assert (drop.kind, drop.klass, drop.detail["nullable"]) == ("drop-default", "incompatible", False)
    assert only(rp, 3, 1).kind == "other"
    assert problems(rp) == [("missing", "t.n")]  # identity needs a NOT NULL column
    assert not table(rp, "t").columns["id"].identity


def test_exclusion_constraint(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE b (id int, room int, during tstzrange);\n",
                "ALTER TABLE b ADD EXCLUDE USING gist (room WITH =, during WITH &&);\n")
    ch = only(rp, 2, 0)
    assert (ch.kind, ch.detail["exclusion"], ch.detail["constraint"]) == ("add-unique", True, "b_room_during_excl")
    assert table(rp, "b").constraints["b_room_during_excl"].kind == "exclude"


def test_mysql_partition_maintenance_and_charset(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE logs (id bigint, at date, msg varchar(100) CHARACTER SET utf8mb4) "
                "PARTITION BY RANGE (YEAR(at)) (PARTITION p1 VALUES LESS THAN (2024), "
                "PARTITION p2 VALUES LESS THAN (2025));\n",
                "ALTER TABLE logs DROP PARTITION p1;\nALTER TABLE logs TRUNCATE PARTITION ALL;\n"
                "ALTER TABLE logs MODIFY msg varchar(100) CHARACTER SET latin1;\n"
                "ALTER TABLE logs MODIFY msg varchar(100) CHARACTER SET utf8mb4;\n", dialect=MY)
    drop, trunc = only(rp, 2, 0), only(rp, 2, 1)
    assert (drop.kind, drop.klass, drop.detail["partitions"]) == ("truncate-table", "destructive", ("p1",))
    assert trunc.detail["partitions"] == ("ALL",)
    narrow, back = only(rp, 2, 2), only(rp, 2, 3)
    assert (narrow.kind, narrow.detail["verdict"], narrow.klass) == ("change-column-type", "narrow", "incompatible")
    assert (back.detail["verdict"], back.klass) == ("widen-rewrite", "neutral")
    assert table(rp, "logs", "app").columns["msg"].charset == "utf8mb4"


def test_renaming_a_type_or_domain(tmp_path):
    rp = replay(tmp_path, "CREATE TYPE mood AS ENUM ('a');\nCREATE DOMAIN d AS int;\nCREATE TABLE t (x d);\n",
                "ALTER TYPE mood RENAME TO feeling;\nALTER DOMAIN d RENAME TO d2;\nDROP DOMAIN d2;\n")
    assert [(c.kind, c.klass) for c in (only(rp, 2, 0), only(rp, 2, 1))] == [("other", "incompatible")] * 2
    assert problems(rp) == [("depends", "d2")]  # the column follows the renamed domain


def test_drops_of_several_objects_and_of_types_with_columns(tmp_path):
    rp = replay(tmp_path, _DEPS + "CREATE TYPE mood AS ENUM ('a', 'b');\nCREATE TABLE p (id int, m mood);\n",
                "DROP VIEW user_names;\n", "DROP TYPE mood;\n",
                "DROP VIEW names2, user_names;\nDROP TABLE orders, users;\nDROP TYPE mood CASCADE;\n")
    assert problems(rp) == [("depends", "user_names"), ("depends", "mood")]
    assert "view names2" in rp.problems[0].message and "p.m" in rp.problems[1].message
    assert kinds(rp, 4, 2) == ["drop-type", "drop-column"]
    assert set(table(rp, "p").columns) == {"id"} and rp.catalog.views == {}


def test_mysql_drop_of_referenced_table_together_with_the_referencing_one_is_not_claimed(tmp_path):
    rp = replay(tmp_path, "CREATE TABLE users (id int PRIMARY KEY);\n"
                "CREATE TABLE orders (id int PRIMARY KEY, user_id int, FOREIGN KEY (user_id) REFERENCES users (id));\n",
                "DROP TABLE users, orders;\n", dialect=MY)
    assert rp.problems == []  # MariaDB's answer depends on the order: not claimed either way


def test_mysql_foreign_key_checks_follow_the_session_in_execution_order(tmp_path):
    base = ("CREATE TABLE users (id int PRIMARY KEY);\n"
            "CREATE TABLE orders (id int PRIMARY KEY, user_id int);\n")
    add = "ALTER TABLE orders ADD CONSTRAINT fk{n} FOREIGN KEY (user_id) REFERENCES users (id);\n"
    rp = replay(tmp_path, base,
                "SET GLOBAL foreign_key_checks = 0;\n" + add.format(n=1),  # other connections only
                "SET @@session.foreign_key_checks = 0;\n" + add.format(n=2) + "SET foreign_key_checks = DEFAULT;\n"
                + add.format(n=3),
                add.format(n=4),  # Flyway restores the session between migrations
                dialect=MY)
    fkc = [c.detail.get("foreign_key_checks") for per_file in rp.changes for per in per_file for c in per
           if c.kind == "add-foreign-key"]
    assert fkc == [None, False, True, None]


def test_mysql_refused_drop_column_keeps_the_column(tmp_path):
    # found by the property test: the refusal used to come after the column was removed
    rp = replay(tmp_path, "CREATE TABLE t2 (a int PRIMARY KEY, b int);\n",
                "ALTER TABLE t2 ADD CONSTRAINT k1 FOREIGN KEY (b) REFERENCES t2 (a);\n",
                "ALTER TABLE t2 ADD COLUMN c int, DROP COLUMN b;\n", dialect=MY)
    assert problems(rp) == [("depends", "t2.b")]
    assert set(table(rp, "t2", "app").columns) == {"a", "b", "c"}
