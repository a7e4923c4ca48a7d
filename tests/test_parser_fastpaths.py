"""flylint.sql.parser: the shortcuts taken for speed must not change any result.

* An `exp.Command` in a stock result is found without walking the tree only when sqlglot's
  warnings are sure to reach flylint (sqlglot logs one each time it falls back to a Command,
  except in a one-token statement); otherwise the tree is searched as before.
* Cursor pre-checks (`may_start`, the word cache, `find_word`'s look at the text) only skip
  tests that cannot succeed.
"""

from __future__ import annotations

import logging

import pytest
from sqlglot import exp

from flylint.sql import guards
from flylint.sql.parser import parse_statement

RAW = "sqlglot kept it as raw text"

COMMAND_CASES = [
    ("CREATE TABEL t (id int)", "postgres"),
    ("CREATE TABEL t (id int)", "mysql"),
    ("EXECUTE", "postgres"),  # one token: sqlglot logs nothing for it
    ("FETCH", "mysql"),
    ("CALL", "postgres"),
    ("ALTER TABLE users FOO BAR", "postgres"),
    ("ALTER TABLE t ADD COLUMN a int, FOO BAR", "postgres"),
    ("ALTER TABLE t ALGORITHM=INPLACE, FOO BAR", "mysql"),
    ("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID, FOO", "postgres"),
]


@pytest.mark.parametrize("sql, dialect", COMMAND_CASES)
def test_commands_are_unanalysed(sql, dialect):
    result = parse_statement(sql, dialect)
    assert result.tree is None and result.unanalysed
    if not sql.startswith("ALTER"):
        assert RAW in result.unanalysed


def _hide_with_logging_disable():
    logging.disable(logging.WARNING)
    return lambda: logging.disable(logging.NOTSET)


def _hide_with_disabled_logger():
    logger = logging.getLogger("sqlglot")
    logger.disabled = True

    def undo():
        logger.disabled = False

    return undo


def _hide_with_a_filter_first():
    logger = logging.getLogger("sqlglot")
    parse_statement("SELECT 1", "postgres")  # flylint's filter is installed
    drop_all = logging.Filter("nothing-matches-this-name")
    logger.filters.insert(0, drop_all)
    return lambda: logger.removeFilter(drop_all)


def _hide_with_a_patched_warning():
    logger = logging.getLogger("sqlglot")
    logger.warning = lambda *args, **kwargs: None  # type: ignore[method-assign]
    return lambda: logger.__dict__.pop("warning", None)


@pytest.mark.parametrize(
    "hide",
    [_hide_with_logging_disable, _hide_with_disabled_logger, _hide_with_a_filter_first, _hide_with_a_patched_warning],
)
@pytest.mark.parametrize("sql, dialect", COMMAND_CASES)
def test_commands_are_found_when_sqlglot_warnings_cannot_arrive(hide, sql, dialect):
    expected = parse_statement(sql, dialect)
    undo = hide()
    try:
        got = parse_statement(sql, dialect)
    finally:
        undo()
    assert got == expected


def test_clean_results_are_the_same_when_warnings_cannot_arrive():
    cases = [
        ("ALTER TABLE t ADD COLUMN a int NOT NULL DEFAULT 0", "postgres"),
        ("ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id) NOT VALID", "postgres"),
        ("CREATE INDEX i ON t (a) ALGORITHM=INPLACE LOCK=NONE", "mysql"),
        ("UPDATE t SET a = 1 WHERE b = 2", "postgres"),
    ]
    expected = [parse_statement(sql, d) for sql, d in cases]
    undo = _hide_with_logging_disable()
    try:
        got = [parse_statement(sql, d) for sql, d in cases]
    finally:
        undo()
    assert got == expected
    assert all(r.unanalysed is None for r in got)


def test_capture_state_is_restored():
    parse_statement("CREATE TABEL t (id int)", "postgres")
    assert guards._state.sink is None and guards._state.complete is None


# ------------------------------------------------------------------------------------------
# Cursor pre-checks


def _cursor(sql: str, dialect: str = "postgres") -> guards.Cursor:
    sd = guards.stock_dialect("postgres" if dialect == "postgres" else "mysql")
    ctx = guards.Ctx(sql, dialect, sd, sd.tokenize(sql), 100)
    return guards.Cursor(ctx)


def test_may_start_agrees_with_at():
    cur = _cursor("ALTER TABLE t ADD PRIMARY KEY (a), ADD 'x' FOO")
    firsts = ["ALTER", "TABLE", "ADD", "PRIMARY", "KEY", "PRIMARY KEY", "FOO", "x"]
    for i in range(len(cur.toks) + 1):
        sub = cur.sub(i, len(cur.toks))
        for first in firsts:
            for second in ("KEY", "(", "TABLE", "t"):
                if sub.at(first, second) or sub.at(first):
                    assert sub.may_start(frozenset({first.split()[0]}))


def test_word_cache_follows_the_token_list():
    cur = _cursor("ALTER TABLE t PARTITION BY HASH (a)", "mysql")
    words = [cur.word(k) for k in range(len(cur.toks))]
    again = guards.Cursor(cur.ctx)
    assert [again.word(k) for k in range(len(again.toks))] == words
    assert "PARTITION BY" in words  # a token of two words
    assert cur.sub(3, len(cur.toks)).at("PARTITION", "BY", "HASH")


def test_find_word_needs_every_word_in_the_text():
    cur = _cursor("ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID")
    assert cur.find_word("NOT", "VALID") == len(cur.toks) - 2
    assert cur.find_word("NOT", "NULL") is None  # inside brackets
    assert cur.find_word("NOT", "DEFERRABLE") is None


def test_alter_table_header_builds_the_table_on_demand():
    tree = parse_statement("ALTER TABLE s.t ADD CONSTRAINT c CHECK (a > 0) NOT VALID", "postgres").tree
    assert isinstance(tree, exp.Alter)
    assert tree.this.name == "t" and tree.this.db == "s"
    result = parse_statement("ALTER TABLE a.b.c.d ADD COLUMN x int", "postgres")
    assert result.unanalysed == "syntax error: expected a table name with at most three parts, found 'ADD'"


# --------------------------------------------------------------------------------------------
# The plain PostgreSQL ALTER TABLE shortcut (parser._PLAIN_PG_ALTER) gives what the full way gives
# --------------------------------------------------------------------------------------------

PLAIN_ALTER_CASES = [
    "ALTER TABLE t5 ADD COLUMN s123 text NOT NULL DEFAULT 'x'",
    'alter table "T".x add c int',
    "ALTER TABLE IF EXISTS ONLY public.t ALTER COLUMN name SET DEFAULT 'unnamed'",
    "ALTER TABLE t ALTER name TYPE bigint USING name::bigint",
    "ALTER TABLE t ALTER COLUMN a SET DATA TYPE varchar(20)",
    "ALTER TABLE t ALTER COLUMN a DROP NOT NULL",
    "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
    "ALTER TABLE t ALTER COLUMN a DROP DEFAULT",
    "ALTER TABLE t ADD COLUMN IF NOT EXISTS a int REFERENCES b (id)",
    "ALTER TABLE t ADD COLUMN a int CHECK (a > 0)",
    "ALTER TABLE t ADD COLUMN a int NOT VALID",  # the full way refuses it: so does the shortcut
    "ALTER TABLE t ADD COLUMN a serial PRIMARY KEY",
    'ALTER TABLE t ADD "check" int',
    "ALTER TABLE t ADD ",
    "ALTER TABLE t ADD COLUMN",
    "ALTER TABLE t ALTER COLUMN a TYPE",
    "ALTER TABLE t ALTER column SET DEFAULT 1",
    "ALTER TABLE a.b.c.d ADD COLUMN x int",
    "ALTER TABLE t ADD COLUMN a int DEFAULT now() /* a comment */",
    "ALTER TABLE t ADD /* CONSTRAINT */ COLUMN a int",
    "ALTER TABLE t ADD COLUMN a int GENERATED ALWAYS AS (b * 2) STORED",
    "ALTER TABLE t ADD COLUMN a text COLLATE \"C\"",
    "ALTER TABLE t ALTER COLUMN a SET DEFAULT nextval('s')",
    "ALTER TABLE t ADD COLUMN a int FOO BAR",
    "ALTER TABLE t ALTER COLUMN a TYPE int FOO",
    "ALTER TABLE t RENAME a TO b",
    "ALTER TABLE t ADD COLUMN a timestamptz DEFAULT CURRENT_TIMESTAMP",
]


def _full_way(monkeypatch_target, sql):
    from flylint.sql import parser

    saved = parser._PLAIN_PG_ALTER
    parser._PLAIN_PG_ALTER = type("Never", (), {"match": staticmethod(lambda text: None)})()
    try:
        return parse_statement(sql, "postgres")
    finally:
        parser._PLAIN_PG_ALTER = saved


def _same(a, b) -> bool:
    return (a.unanalysed, a.error_offset, a.kind) == (b.unanalysed, b.error_offset, b.kind) and (
        a.tree == b.tree and repr(a.tree) == repr(b.tree))


def _fixture_alters() -> list[str]:
    from pathlib import Path

    from flylint.sql.splitter import split

    out = []
    root = Path(__file__).parent.parent / "fixtures"
    for path in sorted(root.rglob("*.sql")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for raw in split(text, "postgres", pg_version=15).statements:
            statement = text[raw.start:raw.end]
            if statement.lstrip()[:11].upper() == "ALTER TABLE":
                out.append(statement)
    return out


def test_the_plain_alter_shortcut_gives_the_full_result():
    from flylint.sql import parser

    corpus = PLAIN_ALTER_CASES + _fixture_alters()
    matched = [sql for sql in corpus if parser._PLAIN_PG_ALTER.match(sql)]
    assert len(matched) >= 30, "the shortcut must be taken on the corpus, or the comparison proves little"
    for sql in corpus:
        assert _same(parse_statement(sql, "postgres"), _full_way(None, sql)), sql


def test_the_plain_alter_shortcut_is_skipped_for_what_it_must_not_read():
    from flylint.sql import parser

    for sql in ["ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)", "ALTER TABLE t ADD PRIMARY KEY (a)",
                "ALTER TABLE t ADD COLUMN a numeric(10,2)", "ALTER TABLE ALL IN TABLESPACE a SET TABLESPACE b",
                "ALTER TABLE t ALTER COLUMN a SET STATISTICS 100", "ALTER TABLE t ADD COLUMN a int, ADD COLUMN b int",
                "ALTER TABLE t * ADD COLUMN a int", "ALTER TABLE t ALTER COLUMN a ADD GENERATED ALWAYS AS IDENTITY",
                "ALTER TABLE t VALIDATE CONSTRAINT c", "ALTER TABLE t ADD COLUMN a int; DROP TABLE t"]:
        assert parser._PLAIN_PG_ALTER.match(sql) is None, sql
        assert _same(parse_statement(sql, "postgres"), _full_way(None, sql)), sql
