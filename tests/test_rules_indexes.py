"""foreign-key-without-index, redundant-index and merge-alter-table beyond their documented examples:
the fixes spell the user's own statements, and the findings do not depend on whether the rules see
parse trees (a warm run takes files from the cache; a long history is parsed on two processes and
the rules then see statements without trees)."""

from __future__ import annotations

from conftest import write_project
from flylint.engine import Options, _light, run

RULES = ("foreign-key-without-index", "redundant-index", "merge-alter-table")

PG = {
    "V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text, age int);\n"
    "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total int);\n",
    "V2__fk.sql": "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n",
    "V3__idx.sql": "CREATE INDEX CONCURRENTLY users_email_age_idx ON users (email, age);\n",
    "V4__idx.sql": "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n",
    "V5__alter.sql": "SET lock_timeout = '5s';\nALTER TABLE users ALTER COLUMN age TYPE numeric USING age::numeric;\n"
    "ALTER TABLE users ADD COLUMN city text;\n"
    "ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age >= 0);\n",
}


def _found(tmp_path, files, dialect="postgres", **kw):
    write_project(tmp_path, files)
    result = run(Options(cwd=tmp_path, paths=(tmp_path,), dialect=dialect, cache=False, **kw))
    return [f for f in result.findings if f.rule in RULES]


def test_fixes_use_the_users_names(tmp_path):
    found = {f.rule: f for f in _found(tmp_path, PG)}
    fk = found["foreign-key-without-index"]
    assert (fk.path, fk.span.line) == ("V2__fk.sql", 1)
    assert fk.fix.startswith("CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);")
    assert "executeInTransaction=false" in fk.fix
    red = found["redundant-index"]
    assert (red.path, red.object) == ("V4__idx.sql", "users_email_idx")
    assert "users_email_age_idx" in red.message
    merge = found["merge-alter-table"]
    assert (merge.path, merge.span.line) == ("V5__alter.sql", 2)
    assert merge.fix.endswith("ALTER TABLE users ALTER COLUMN age TYPE numeric USING age::numeric, "
                              "ADD COLUMN city text, ADD CONSTRAINT users_age_check CHECK (age >= 0);")
    assert "2 of which" in merge.message  # ADD COLUMN city reads nothing; the type change and the CHECK do


def test_mysql_merge_fix_and_options_left_alone(tmp_path):
    base = "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(100));\n"
    found = _found(tmp_path / "a", {"V1__init.sql": base, "V2__alter.sql": "ALTER TABLE `users` ADD COLUMN age int;\n"
                                    "ALTER TABLE `users` DROP COLUMN name;\n"}, dialect="mysql")
    assert [f.fix for f in found] == ["Replace the 2 statements (lines 1, 2) with one: "
                                      "ALTER TABLE `users` ADD COLUMN age int, DROP COLUMN name;"]
    quiet = _found(tmp_path / "b", {"V1__init.sql": base, "V2__alter.sql": "ALTER TABLE users ADD COLUMN age int, "
                                    "ALGORITHM=INSTANT;\nALTER TABLE users DROP COLUMN name;\n"}, dialect="mysql")
    assert quiet == []


def test_same_findings_without_parse_trees(tmp_path):
    write_project(tmp_path, PG)
    full = run(Options(cwd=tmp_path, paths=(tmp_path,), dialect="postgres", cache=False))
    assert {f.rule for f in full.findings} >= set(RULES)
    # What the rules see for files parsed by the second process of a long history: no trees.
    from flylint.rules import LintContext, rules_by_id

    rules = rules_by_id()
    light = tuple(_light(fa) for fa in full.files)
    assert all(st.parsed.tree is None for fa in light for st in fa.statements if st.parsed is not None)
    ctx = LintContext(dialect="postgres", db_version=None, files=light, facts=(), display=str, replay=full.replay,
                      release=full.release)
    bare = sorted((f.rule, f.path, f.span.line, f.fix) for r in RULES for f in rules[r].check(ctx))
    want = sorted((f.rule, f.path, f.span.line, f.fix) for f in full.findings if f.rule in RULES)
    assert bare == want


def test_fk_index_in_a_quoted_or_multi_column_key(tmp_path):
    files = {"V1__init.sql": "CREATE TABLE a (x int, y int, PRIMARY KEY (x, y));\n"
             "CREATE TABLE b (id int PRIMARY KEY, x int, y int, FOREIGN KEY (x, y) REFERENCES a (x, y));\n"
             "CREATE INDEX b_y_x_idx ON b (y, x);\n"}
    assert _found(tmp_path, files) == []  # any order of the key's columns serves the lookup


def test_unanalysed_statement_naming_the_table_keeps_fk_rule_quiet(tmp_path):
    files = {"V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n"
             "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n",
             "V2__opaque.sql": "DO $$ BEGIN EXECUTE 'CREATE INDEX ON orders (user_id)'; END $$;\n"}
    found = _found(tmp_path, files)
    assert not [f for f in found if f.rule == "foreign-key-without-index"], found
