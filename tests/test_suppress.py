"""Inline suppressions: `-- flylint: ignore[rule] reason` comments (flylint.suppress)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flylint.model import Finding, Span
from flylint.sql.splitter import split
from flylint.suppress import (
    MSG_EMPTY_ID,
    MSG_NO_BRACKET,
    MSG_NO_REASON,
    MSG_NO_RULE,
    MSG_NO_STATEMENT,
    MSG_SELF,
    MSG_SPACE_IN_ID,
    MSG_UNCLOSED,
    MSG_UNKNOWN_DIRECTIVE,
    MSG_UNUSED,
    MSG_WILDCARD,
    SUPPRESSION_RULE,
    Suppression,
    apply_suppressions,
    find_suppressions,
)
from flylint.text import LineIndex

KNOWN = (
    "drop-column",
    "drop-table",
    "rename-column",
    "flyway-split-pitfall",
    "flyway-undefined-placeholder",
    "flyway-mixed-transaction",
    SUPPRESSION_RULE,
)
PATH = "db/migration/V2__x.sql"


def spans_of(text: str, dialect: str = "postgres") -> list[Span]:
    """The statements' spans, computed the way the engine does (no placeholders here)."""
    lines = LineIndex(text)
    out = []
    for raw in split(text, dialect).statements:
        end = raw.end if raw.end > raw.start else raw.start + 1
        out.append(lines.span(raw.start, end))
    return out


def finding(rule: str, line: int, column: int = 1, path: str = PATH) -> Finding:
    return Finding(
        rule=rule,
        severity="error",
        change="none",
        klass="destructive",
        path=path,
        span=Span(line, column, line, column + 3),
        object=None,
        message=f"{rule} here",
        fix=None,
        docs=f"docs/rules.md#{rule}",
    )


def make_finding(path: str, span: Span, message: str) -> Finding:
    return Finding(
        rule=SUPPRESSION_RULE,
        severity="warning",
        change="none",
        klass="neutral",
        path=path,
        span=span,
        object=None,
        message=message,
        fix=None,
        docs=f"docs/rules.md#{SUPPRESSION_RULE}",
    )


def lint(text: str, findings: list[Finding], dialect: str = "postgres", known=KNOWN):
    """Apply the file's suppressions to `findings`; return (kept rule findings, problems, count)."""
    by_path = {PATH: find_suppressions(text, dialect, spans_of(text, dialect))}
    out, n = apply_suppressions(findings, by_path, known, make_finding)
    kept = [(f.rule, f.span.line) for f in out if f.rule != SUPPRESSION_RULE]
    problems = [(f.span.line, f.message) for f in out if f.rule == SUPPRESSION_RULE]
    return kept, problems, n


# ------------------------------------------------------------------------------------------------
# Where a suppression applies


def test_same_line():
    text = (
        "CREATE TABLE t2 (id int);\n"
        "ALTER TABLE t DROP COLUMN c; -- flylint: ignore[drop-column] unused since v3.2\n"
        "ALTER TABLE u DROP COLUMN d;\n"
    )
    kept, problems, n = lint(text, [finding("drop-column", 2), finding("drop-column", 3)])
    assert kept == [("drop-column", 3)]
    assert problems == []
    assert n == 1


def test_same_line_suppression_span_and_fields():
    text = "DROP TABLE t;   -- flylint: ignore[drop-table] replaced by t2   \n"
    sups, problems = find_suppressions(text, "postgres", spans_of(text))
    assert problems == []
    assert sups == [
        Suppression(
            rules=("drop-table",),
            reason="replaced by t2",
            file_wide=False,
            span=Span(1, 17, 1, 61),  # from the '--' to the last non-blank character
            applies_to=(1, 1),
        )
    ]


def test_line_above_applies_to_next_statement():
    text = (
        "CREATE TABLE t2 (id int);\n"
        "\n"
        "  -- flylint: ignore[drop-table] replaced by t2\n"
        "\n"
        "DROP TABLE t;\n"
        "DROP TABLE u;\n"
    )
    sups, _ = find_suppressions(text, "postgres", spans_of(text))
    assert [s.applies_to for s in sups] == [(5, 5)]
    kept, problems, n = lint(text, [finding("drop-table", 5), finding("drop-table", 6)])
    assert kept == [("drop-table", 6)]
    assert problems == [] and n == 1


def test_line_above_does_not_reach_the_statement_before():
    text = "DROP TABLE a;\n-- flylint: ignore[drop-table] gone\nDROP TABLE b;\n"
    kept, _, _ = lint(text, [finding("drop-table", 1), finding("drop-table", 3)])
    assert kept == [("drop-table", 1)]


def test_multi_line_statement_finding_on_a_later_line():
    text = (
        "-- flylint: ignore[drop-column] nothing reads legacy_flag since v3.2\n"
        "ALTER TABLE accounts\n"
        "  ADD COLUMN note text,\n"
        "  DROP COLUMN legacy_flag;\n"
        "ALTER TABLE other DROP COLUMN x;\n"
    )
    sups, _ = find_suppressions(text, "postgres", spans_of(text))
    assert [s.applies_to for s in sups] == [(2, 4)]
    kept, problems, n = lint(text, [finding("drop-column", 4, 3), finding("drop-column", 5)])
    assert kept == [("drop-column", 5)]
    assert problems == [] and n == 1


def test_own_line_comment_inside_a_statement_covers_that_statement():
    text = (
        "ALTER TABLE accounts\n"
        "  -- flylint: ignore[drop-column] legacy\n"
        "  DROP COLUMN legacy_flag;\n"
        "DROP TABLE z;\n"
    )
    sups, _ = find_suppressions(text, "postgres", spans_of(text))
    assert [s.applies_to for s in sups] == [(1, 3)]
    kept, _, n = lint(text, [finding("drop-column", 1)])
    assert kept == [] and n == 1


def test_own_line_at_the_end_has_no_statement():
    text = "DROP TABLE t;\n-- flylint: ignore[drop-table] reason\n"
    sups, problems = find_suppressions(text, "postgres", spans_of(text))
    assert sups == []
    assert problems == [(Span(2, 1, 2, 37), MSG_NO_STATEMENT)]
    kept, reported, _ = lint(text, [finding("drop-table", 1)])
    assert kept == [("drop-table", 1)]
    assert reported == [(2, MSG_NO_STATEMENT)]


def test_ignore_file():
    text = (
        "DROP TABLE a;\n"
        "-- flylint: ignore-file[drop-table] this migration rebuilds the fixtures schema\n"
        "DROP TABLE b;\n"
        "ALTER TABLE c DROP COLUMN d;\n"
    )
    sups, _ = find_suppressions(text, "postgres", spans_of(text))
    assert [(s.file_wide, s.applies_to) for s in sups] == [(True, None)]
    kept, problems, n = lint(
        text, [finding("drop-table", 1), finding("drop-table", 3), finding("drop-column", 4)]
    )
    assert kept == [("drop-column", 4)]
    assert problems == [] and n == 2


def test_ignore_file_only_affects_its_own_file():
    text = "-- flylint: ignore-file[drop-table] fixtures\nDROP TABLE a;\n"
    by_path = {PATH: find_suppressions(text, "postgres", spans_of(text))}
    other = finding("drop-table", 2, path="db/migration/V3__y.sql")
    out, n = apply_suppressions([finding("drop-table", 2), other], by_path, KNOWN, make_finding)
    assert out == [other] and n == 1


def test_prefix_id():
    text = "-- flylint: ignore[flyway] split on purpose\nSELECT ${x}; SELECT 2;\n"
    kept, problems, n = lint(
        text,
        [
            finding("flyway-undefined-placeholder", 2),
            finding("flyway-split-pitfall", 2),
            finding("drop-table", 2),
        ],
    )
    assert kept == [("drop-table", 2)]
    assert problems == [] and n == 2


def test_prefix_must_end_at_a_dash():
    # 'drop' matches drop-column and drop-table, 'drop-col' matches neither
    text = "DROP TABLE t; -- flylint: ignore[drop-col] typo\n"
    kept, problems, n = lint(text, [finding("drop-column", 1)])
    assert kept == [("drop-column", 1)]
    assert problems == [(1, "unknown rule 'drop-col' in suppression")]
    assert n == 0


def test_several_ids():
    text = (
        "ALTER TABLE t DROP COLUMN a, RENAME COLUMN b TO c; "
        "-- flylint: ignore[drop-column,  rename-column] one release, no readers\n"
    )
    kept, problems, n = lint(
        text, [finding("drop-column", 1), finding("rename-column", 1, 30), finding("drop-table", 1)]
    )
    assert kept == [("drop-table", 1)]
    assert problems == [] and n == 2
    sups, _ = find_suppressions(text, "postgres", spans_of(text))
    assert sups[0].rules == ("drop-column", "rename-column")


def test_whitespace_and_case_are_flexible():
    for comment in (
        "--flylint:ignore[drop-table] gone",
        "-- FlyLint : ignore [ drop-table ] gone",
        "--   FLYLINT:   IGNORE[drop-table]   gone   ",
        "-- flylint:ignore[drop-table]gone",
    ):
        text = f"DROP TABLE t; {comment}\n"
        kept, problems, n = lint(text, [finding("drop-table", 1)])
        assert (kept, problems, n) == ([], [], 1), comment


def test_windows_line_endings():
    text = (
        "-- flylint: ignore[drop-table] gone\r\n"
        "DROP TABLE t;\r\n"
        "DROP TABLE u; -- flylint: ignore[drop-table] too\r\n"
    )
    kept, problems, n = lint(text, [finding("drop-table", 2), finding("drop-table", 3)])
    assert (kept, problems, n) == ([], [], 2)
    sups, _ = find_suppressions(text, "postgres", spans_of(text))
    assert sups[1].reason == "too"


# ------------------------------------------------------------------------------------------------
# Problems with suppressions


def test_missing_reason_is_reported_and_suppresses_nothing():
    text = "DROP TABLE t; -- flylint: ignore[drop-table]   \n"
    kept, problems, n = lint(text, [finding("drop-table", 1)])
    assert kept == [("drop-table", 1)]
    assert problems == [(1, MSG_NO_REASON)]  # not also reported as unused
    assert n == 0


def test_unknown_id():
    text = "DROP TABLE t; -- flylint: ignore[drop-tabel] replaced\n"
    kept, problems, n = lint(text, [finding("drop-table", 1)])
    assert kept == [("drop-table", 1)]
    assert problems == [(1, "unknown rule 'drop-tabel' in suppression")]
    assert n == 0


def test_unknown_id_next_to_a_known_one():
    text = "DROP TABLE t; -- flylint: ignore[drop-table, nope] replaced\n"
    kept, problems, n = lint(text, [finding("drop-table", 1)])
    assert kept == []
    assert problems == [(1, "unknown rule 'nope' in suppression")]
    assert n == 1


def test_unused_suppression():
    text = (
        "CREATE TABLE t (id int);\n"
        "-- flylint: ignore[drop-table] left over\n"
        "CREATE TABLE u (id int);\n"
        "-- flylint: ignore-file[rename-column] nothing to rename\n"
    )
    kept, problems, n = lint(text, [finding("drop-table", 1)])
    assert kept == [("drop-table", 1)]
    assert problems == [(2, MSG_UNUSED), (4, MSG_UNUSED)]
    assert n == 0


def test_suppression_findings_are_located_at_the_comment():
    text = "DROP TABLE t;  /* flylint: ignore[drop-table] */\n"
    by_path = {PATH: find_suppressions(text, "postgres", spans_of(text))}
    out, _ = apply_suppressions([], by_path, KNOWN, make_finding)
    assert [(f.rule, f.span, f.message) for f in out] == [
        (SUPPRESSION_RULE, Span(1, 16, 1, 48), MSG_NO_REASON)
    ]


@pytest.mark.parametrize(
    "directive, message",
    [
        ("ignore[] reason", MSG_NO_RULE),
        ("ignore[ ] reason", MSG_NO_RULE),
        ("ignore[*] reason", MSG_WILDCARD),
        ("ignore[flyway-*] reason", MSG_WILDCARD),
        ("ignore[drop-table, *] reason", MSG_WILDCARD),
        ("ignore-file[*] reason", MSG_WILDCARD),
        ("ignore[a,,b] reason", MSG_EMPTY_ID),
        ("ignore[drop-table drop-column] reason", MSG_SPACE_IN_ID),
        ("ignore[drop-table reason", MSG_UNCLOSED),
        ("ignore drop-table reason", MSG_NO_BRACKET),
        ("ignroe[drop-table] reason", MSG_UNKNOWN_DIRECTIVE),
        ("ignorefile[drop-table] reason", MSG_UNKNOWN_DIRECTIVE),
    ],
)
def test_syntax_problems(directive, message):
    text = f"DROP TABLE t; -- flylint: {directive}\n"
    sups, problems = find_suppressions(text, "postgres", spans_of(text))
    assert sups == []
    assert problems == [(Span(1, 15, 1, len(text) - 1), message)]
    kept, reported, n = lint(text, [finding("drop-table", 1)])
    assert kept == [("drop-table", 1)] and reported == [(1, message)] and n == 0


def test_suppression_findings_cannot_be_suppressed():
    text = (
        "-- flylint: ignore-file[flylint-suppression] hide my mistakes\n"
        "DROP TABLE t; -- flylint: ignore[drop-table]\n"
        "DROP TABLE u; -- flylint: ignore[flylint] everything\n"
    )
    by_path = {PATH: find_suppressions(text, "postgres", spans_of(text))}
    existing = make_finding(PATH, Span(2, 1, 2, 1), "some earlier suppression problem")
    out, n = apply_suppressions([existing, finding("drop-table", 2)], by_path, KNOWN, make_finding)
    assert n == 0
    assert [(f.rule, f.span.line, f.message) for f in out] == [
        (SUPPRESSION_RULE, 2, "some earlier suppression problem"),
        ("drop-table", 2, "drop-table here"),
        (SUPPRESSION_RULE, 1, MSG_SELF),
        (SUPPRESSION_RULE, 2, MSG_NO_REASON),
        (SUPPRESSION_RULE, 3, MSG_SELF),
    ]


def test_other_comments_are_not_directives():
    text = (
        "-- see the flylint: ignore[drop-table] docs\n"  # the directive must open the comment
        "-- flylint is great\n"
        "/** flylint: ignore[drop-table] decorated */\n"
        "DROP TABLE t;\n"
    )
    sups, problems = find_suppressions(text, "postgres", spans_of(text))
    assert sups == [] and problems == []


def test_two_suppressions_of_one_finding_are_both_used():
    text = (
        "-- flylint: ignore-file[drop] fixtures\n"
        "DROP TABLE t; -- flylint: ignore[drop-table] gone\n"
    )
    kept, problems, n = lint(text, [finding("drop-table", 2)])
    assert (kept, problems, n) == ([], [], 1)


# ------------------------------------------------------------------------------------------------
# Only real comments count


def test_inside_a_string_does_not_count():
    text = (
        "INSERT INTO notes VALUES ('-- flylint: ignore[drop-table] not a comment');\n"
        "INSERT INTO notes VALUES ('it''s -- flylint: ignore[drop-table] still a string');\n"
        "DROP TABLE t;\n"
    )
    sups, problems = find_suppressions(text, "postgres", spans_of(text))
    assert sups == [] and problems == []


def test_string_escapes_postgres():
    # in a plain PostgreSQL string a backslash is an ordinary character: the string ends at 'a\'
    text = "SELECT 'a\\'; -- flylint: ignore[drop-table] real\nDROP TABLE t;\n"
    sups, _ = find_suppressions(text, "postgres", spans_of(text))
    assert [s.applies_to for s in sups] == [(1, 1)]
    # in E'...' it escapes the quote, so the comment is inside the string
    text = "SELECT E'a\\' -- flylint: ignore[drop-table] quoted';\nDROP TABLE t;\n"
    assert find_suppressions(text, "postgres", spans_of(text)) == ([], [])


def test_inside_a_quoted_identifier_does_not_count():
    text = 'CREATE TABLE "-- flylint: ignore[drop-table] x" (id int);\nDROP TABLE t;\n'
    assert find_suppressions(text, "postgres", spans_of(text)) == ([], [])


def test_inside_a_dollar_quote_does_not_count():
    text = (
        "CREATE FUNCTION f() RETURNS void AS $body$\n"
        "BEGIN\n"
        "  -- flylint: ignore[drop-table] inside the body\n"
        "  DROP TABLE t;\n"
        "END\n"
        "$body$ LANGUAGE plpgsql;\n"
        "DO $$ BEGIN /* flylint: ignore[drop-table] body */ END $$;\n"
        "DROP TABLE u; -- flylint: ignore[drop-table] this one is real\n"
    )
    sups, problems = find_suppressions(text, "postgres", spans_of(text))
    assert problems == []
    assert [(s.span.line, s.applies_to) for s in sups] == [(8, (8, 8))]


def test_dollar_parameters_and_glued_dollars_are_not_quotes():
    text = "SELECT $1, a$b$c; -- flylint: ignore[drop-table] real\nDROP TABLE t;\n"
    sups, _ = find_suppressions(text, "postgres", spans_of(text))
    assert len(sups) == 1


def test_mysql_backtick_does_not_count():
    text = (
        "CREATE TABLE `-- flylint: ignore[drop-table] x` (id int);\n"
        "CREATE TABLE `# flylint: ignore[drop-table] y` (id int);\n"
        "DROP TABLE t;\n"
    )
    assert find_suppressions(text, "mysql", spans_of(text, "mysql")) == ([], [])


def test_mysql_backslash_escapes_in_strings():
    text = (
        "INSERT INTO n VALUES ('it\\'s -- flylint: ignore[drop-table] x');\n"
        "INSERT INTO n VALUES (\"say \\\" # flylint: ignore[drop-table] y\");\n"
        "DROP TABLE t;\n"
    )
    assert find_suppressions(text, "mysql", spans_of(text, "mysql")) == ([], [])
    assert find_suppressions(text, "mariadb", spans_of(text, "mariadb")) == ([], [])


def test_mysql_executable_comment_is_code():
    text = "/*!50001 DROP TABLE t */; -- flylint: ignore[drop-table] real\n"
    sups, _ = find_suppressions(text, "mysql", spans_of(text, "mysql"))
    assert [s.span.column for s in sups] == [27]
    text = "/*!50001 SELECT '*/ -- flylint: ignore[drop-table] in a string' */;\n"
    assert find_suppressions(text, "mysql", spans_of(text, "mysql")) == ([], [])


def test_copy_data_is_not_sql():
    text = (
        "COPY names (name) FROM stdin;\n"
        "O'Brien\n"
        "-- flylint: ignore[drop-table] data, not a comment\n"
        "\\.\n"
        "-- flylint: ignore[drop-table] real\n"
        "DROP TABLE t;\n"
    )
    sups, problems = find_suppressions(text, "postgres", spans_of(text))
    assert problems == []
    assert [(s.span.line, s.applies_to) for s in sups] == [(5, (6, 6))]


# ------------------------------------------------------------------------------------------------
# Comment forms


def test_block_comment_same_line_and_above():
    text = (
        "DROP TABLE a; /* flylint: ignore[drop-table] gone */\n"
        "/*\n"
        "   flylint: ignore[drop-column]\n"
        "   nothing reads it\n"
        "*/\n"
        "ALTER TABLE b DROP COLUMN c;\n"
    )
    sups, problems = find_suppressions(text, "postgres", spans_of(text))
    assert problems == []
    assert [(s.rules, s.reason, s.span, s.applies_to) for s in sups] == [
        (("drop-table",), "gone", Span(1, 15, 1, 52), (1, 1)),
        (("drop-column",), "nothing reads it", Span(2, 1, 5, 2), (6, 6)),
    ]
    kept, reported, n = lint(text, [finding("drop-table", 1), finding("drop-column", 6)])
    assert (kept, reported, n) == ([], [], 2)


def test_block_comment_before_code_on_the_same_line():
    text = "/* flylint: ignore[drop-table] gone */ DROP TABLE a;\nDROP TABLE b;\n"
    sups, _ = find_suppressions(text, "postgres", spans_of(text))
    assert [s.applies_to for s in sups] == [(1, 1)]


def test_nested_block_comment_postgres():
    text = (
        "/* outer /* inner */ -- flylint: ignore[drop-table] still in the outer comment */\n"
        "DROP TABLE t; /* flylint: ignore[drop-table] /* nested */ real */\n"
    )
    sups, _ = find_suppressions(text, "postgres", spans_of(text))
    assert [(s.span.line, s.reason) for s in sups] == [(2, "/* nested */ real")]


def test_hash_comment_mysql():
    text = (
        "# flylint: ignore[drop-table] replaced by t2\n"
        "DROP TABLE t;\n"
        "DROP TABLE u; #flylint: ignore[drop-table] also replaced\n"
    )
    for dialect in ("mysql", "mariadb"):
        sups, problems = find_suppressions(text, dialect, spans_of(text, dialect))
        assert problems == []
        assert [(s.span, s.applies_to) for s in sups] == [
            (Span(1, 1, 1, 44), (2, 2)),
            (Span(3, 15, 3, 56), (3, 3)),
        ]
        by_path = {PATH: (sups, problems)}
        findings = [finding("drop-table", 2), finding("drop-table", 3)]
        out, n = apply_suppressions(findings, by_path, KNOWN, make_finding)
        assert (out, n) == ([], 2)


def test_hash_is_not_a_comment_in_postgres():
    text = "SELECT 1 # 2; # flylint: ignore[drop-table] x\n"
    assert find_suppressions(text, "postgres", spans_of(text)) == ([], [])


def test_unterminated_constructs():
    # an unterminated block comment runs to the end and still counts as a comment
    text = "DROP TABLE t; /* flylint: ignore[drop-table] gone\n"
    sups, _ = find_suppressions(text, "postgres", spans_of(text))
    assert [(s.reason, s.span) for s in sups] == [("gone", Span(1, 15, 1, 49))]
    # an unterminated string swallows the rest of the text
    text = "SELECT 'oops;\n-- flylint: ignore[drop-table] gone\nDROP TABLE t;\n"
    assert find_suppressions(text, "postgres", spans_of(text)) == ([], [])
    text = "SELECT $a$ oops;\n-- flylint: ignore[drop-table] gone\n"
    assert find_suppressions(text, "postgres", spans_of(text)) == ([], [])


# ------------------------------------------------------------------------------------------------
# Robustness


_ALPHABET = st.sampled_from(
    ["'", '"', "`", "$", "$a$", "E'", "\\", "-", "--", "#", "/*", "*/", "/*!50001", "[", "]", ",",
     "*", ";", "\n", "\r", "\r\n", " ", "\t", "flylint:", "FLYLINT :", "ignore", "ignore-file",
     "[drop-table]", "[x,y]", "reason", "DROP TABLE t", "COPY t FROM STDIN", "\\.", "é", "\x00"]
)


@settings(max_examples=400, deadline=None)
@given(
    text=st.one_of(st.text(), st.lists(_ALPHABET, max_size=60).map("".join)),
    dialect=st.sampled_from(["postgres", "mysql", "mariadb"]),
    use_real_spans=st.booleans(),
    random_spans=st.lists(
        st.builds(Span, *[st.integers(-3, 30)] * 4),
        max_size=5,
    ),
)
def test_find_suppressions_never_raises(text, dialect, use_real_spans, random_spans):
    spans = spans_of(text, dialect) if use_real_spans else random_spans
    sups, problems = find_suppressions(text, dialect, spans)
    for s in sups:
        assert s.rules and all(r.strip() and "*" not in r for r in s.rules)
        assert (s.applies_to is None) == s.file_wide
    by_path = {PATH: (sups, problems)}
    out, n = apply_suppressions([finding("drop-table", 1)], by_path, KNOWN, make_finding)
    assert n + sum(f.rule != SUPPRESSION_RULE for f in out) == 1


@pytest.mark.parametrize(
    "piece",
    ["'", "''", "$a$", "/*", "-- flylint: ignore[x] y\n", "/* flylint: ignore[",
     "# flylint: ignore[a] b\n", "E'\\", "`", "\"\\", "x$", "/*!"],
)
def test_scanning_is_linear(piece):
    text = piece * 20_000
    for dialect in ("postgres", "mysql"):
        start = time.perf_counter()
        find_suppressions(text, dialect, [])
        assert time.perf_counter() - start < 2.0, (piece, dialect)
