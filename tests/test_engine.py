"""The engine's own jobs: positions mapped back through placeholders, the parse cache, ordering."""

from __future__ import annotations

from flylint.engine import Options, run
from flylint.model import Span


def test_positions_map_back_through_placeholders(project):
    root = project({
        "flyway.conf": "flyway.placeholders.schema=a_much_longer_schema_name\n",
        "V1__a.sql": "CREATE TABLE ${schema}.t (id int);\nALTER TABLE ${schema}.t FOO BAR;\n",
    })
    result = run(Options(cwd=root, paths=(root,), dialect="postgres", cache=False))
    (fa,) = result.files
    second = fa.statements[1]
    assert second.text == "ALTER TABLE a_much_longer_schema_name.t FOO BAR"
    assert second.span == Span(2, 1, 2, 31)  # the user's line, not the replaced one
    (finding,) = result.findings
    assert finding.rule == "unanalysed-statement" and finding.span.line == 2


def test_undefined_placeholder_is_located_in_the_original_text(project):
    root = project({"V1__a.sql": "SELECT 1;\nALTER TABLE t\n  ADD COLUMN ${col} int;\n"})
    result = run(Options(cwd=root, paths=(root,), dialect="postgres", cache=False, select=("flyway",)))
    (f,) = [f for f in result.findings if f.rule == "flyway-undefined-placeholder"]
    assert f.span == Span(3, 14, 3, 19)
    assert f.object == "col"


def test_second_run_reparses_nothing(project):
    root = project({f"V{i}__m.sql": f"CREATE TABLE t{i} (id int);\n" for i in range(1, 6)})
    first = run(Options(cwd=root, paths=(root,), dialect="mysql"))
    assert (first.cache_hits, first.reused) == (0, 0)
    second = run(Options(cwd=root, paths=(root,), dialect="mysql"))
    # the snapshot covers all but the newest migration (the one most often edited), which comes
    # from the parse cache
    assert (second.reused, second.cache_hits) == (4, 1)
    assert [s.text for fa in second.files for s in fa.statements] == [
        s.text for fa in first.files for s in fa.statements
    ]
    assert second.findings == first.findings
    # a new migration at the end: the snapshot covers the first five, only the new one is analysed
    (root / "V6__m.sql").write_text("ALTER TABLE t1 DROP COLUMN id;\n")
    third = run(Options(cwd=root, paths=(root,), dialect="mysql"))
    assert third.reused == 4
    assert [f.rule for f in third.findings if f.rule != "lock-timeout"] == ["drop-column"]
    # an edited old migration: the snapshot no longer matches; unchanged files come from the parse cache
    (root / "V2__m.sql").write_text("CREATE TABLE t2 (id int, x int);\n")
    fourth = run(Options(cwd=root, paths=(root,), dialect="mysql"))
    assert fourth.reused == 0 and fourth.cache_hits == 5
    # editing the newest migration again and again reuses everything before it
    (root / "V6__m.sql").write_text("ALTER TABLE t1 DROP COLUMN id; -- edited\n")
    again = run(Options(cwd=root, paths=(root,), dialect="mysql"))
    assert again.reused == 5 and [f.rule for f in again.findings if f.rule != "lock-timeout"] == ["drop-column"]
    # a different dialect is a different key
    fifth = run(Options(cwd=root, paths=(root,), dialect="postgres"))
    assert (fifth.cache_hits, fifth.reused) == (0, 0)


def test_migrations_in_flyway_order(project):
    root = project({
        "R__b.sql": "SELECT 1;\n", "R__a.sql": "SELECT 1;\n",
        "V1.10__x.sql": "SELECT 1;\n", "V1.9__x.sql": "SELECT 1;\n", "V2__x.sql": "SELECT 1;\n",
    })
    result = run(Options(cwd=root, paths=(root,), dialect="postgres", cache=False))
    assert [fa.migration.path.name for fa in result.files] == [
        "V1.9__x.sql", "V1.10__x.sql", "V2__x.sql", "R__a.sql", "R__b.sql"
    ]


def test_inline_suppression_silences_one_rule_with_a_reason(project):
    root = project({
        "V1__a.sql": "CREATE TABLE t (id int, c int, d int);\n",
        "V2__b.sql": "SET lock_timeout = '2s';\n"
                     "ALTER TABLE t DROP COLUMN c; -- flylint: ignore[drop-column] c unused since 4.2\n"
                     "ALTER TABLE t DROP COLUMN d;\n",
    })
    result = run(Options(cwd=root, paths=(root,), dialect="postgres", cache=False))
    assert [(f.rule, f.span.line) for f in result.findings] == [("drop-column", 3)]


def test_suppression_problems_are_reported_but_not_under_select(project):
    root = project({
        "V1__a.sql": "CREATE TABLE t (id int, c int);\n",
        "V2__b.sql": "-- flylint: ignore[drop-table] stale\nALTER TABLE t ADD COLUMN e int;\n",
    })
    result = run(Options(cwd=root, paths=(root,), dialect="postgres", cache=False))
    assert ("flylint-suppression", 1) in [(f.rule, f.span.line) for f in result.findings]
    selected = run(Options(cwd=root, paths=(root,), dialect="postgres", cache=False, select=("lock-timeout",)))
    assert [f.rule for f in selected.findings] == ["lock-timeout"]
