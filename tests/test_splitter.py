"""Tests for flylint.sql.splitter: Flyway-compatible statement splitting."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flylint.sql.splitter import DIALECTS, RawStatement, SplitResult, split

MYSQLS = ("mysql", "mariadb")


def stmts(sql: str, dialect: str = "postgres", **kw) -> list[str]:
    """The statement texts, checking the structural invariants on the way."""
    result = split(sql, dialect, **kw)
    check_invariants(sql, result)
    return [sql[s.start : s.end] for s in result.statements]


def only(sql: str, dialect: str = "postgres", **kw) -> RawStatement:
    result = split(sql, dialect, **kw)
    check_invariants(sql, result)
    assert len(result.statements) == 1, [sql[s.start : s.end] for s in result.statements]
    return result.statements[0]


def check_invariants(text: str, result: SplitResult) -> None:
    assert isinstance(result, SplitResult)
    previous_end = 0
    for s in result.statements:
        assert s.seg_start == previous_end
        assert s.seg_start <= s.start < s.end <= s.seg_end <= len(text)
        body = text[s.start : s.end]
        assert body and body == body.strip()
        if s.error is not None:
            assert not s.error.startswith("internal splitter error"), s.error
            assert s.error_offset is not None and s.seg_start <= s.error_offset <= s.seg_end
        if s.copy_data is not None:
            assert s.end <= s.copy_data[0] <= s.copy_data[1] == s.seg_end
        assert s.max_depth >= 0
        previous_end = s.seg_end
    assert result.tail_start == previous_end
    joined = "".join(text[s.seg_start : s.seg_end] for s in result.statements)
    assert joined + text[result.tail_start :] == text


# ------------------------------------------------------------------------------------------
# Basics shared by all dialects


@pytest.mark.parametrize("dialect", DIALECTS)
def test_seed_migration(dialect):
    sql = (
        "ALTER TABLE users ADD surname varchar(255);\n"
        "UPDATE users SET users.surname = users.last_name;\n"
    )
    result = split(sql, dialect)
    check_invariants(sql, result)
    assert [sql[s.start : s.end] for s in result.statements] == [
        "ALTER TABLE users ADD surname varchar(255)",
        "UPDATE users SET users.surname = users.last_name",
    ]
    first, second = result.statements
    assert (first.seg_start, first.seg_end) == (0, sql.index(";") + 1)
    assert second.seg_start == first.seg_end and second.seg_end == len(sql) - 1
    assert result.tail_start == len(sql) - 1
    assert all(s.transactional and s.delimiter == ";" for s in result.statements)
    assert all(s.error is None and s.note is None for s in result.statements)
    assert first.max_depth == 1 and second.max_depth == 0


@pytest.mark.parametrize("dialect", DIALECTS)
def test_start_end_exclude_whitespace_comments_and_delimiter(dialect):
    sql = (
        "  -- leading\n/* block */\n  SELECT 1 /* trailing */ -- more\n ;\n"
        "\n  SELECT\n  2  ;  -- tail\n"
    )
    result = split(sql, dialect)
    check_invariants(sql, result)
    assert [sql[s.start : s.end] for s in result.statements] == ["SELECT 1", "SELECT\n  2"]
    assert result.statements[0].seg_start == 0
    assert sql[result.tail_start :] == "  -- tail\n"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_comment_only_and_empty_statements_are_dropped(dialect):
    sql = ";; -- nothing\n; /* still nothing */ ;SELECT 1;\n-- the end\n"
    result = split(sql, dialect)
    check_invariants(sql, result)
    assert [sql[s.start : s.end] for s in result.statements] == ["SELECT 1"]
    # the dropped statements' characters belong to the next statement's segment
    assert result.statements[0].seg_start == 0
    assert result.tail_start == sql.index("SELECT 1;") + len("SELECT 1;")
    assert split("", dialect) == SplitResult((), 0)
    assert split("  \n-- c\n/* c */", dialect).statements == ()
    assert split("  \n-- c\n/* c */", dialect).tail_start == 0


@pytest.mark.parametrize("dialect", DIALECTS)
def test_last_statement_without_delimiter_runs_to_the_end(dialect):
    sql = "SELECT 1;\nSELECT 2  -- no semicolon\n"
    result = split(sql, dialect)
    check_invariants(sql, result)
    assert [sql[s.start : s.end] for s in result.statements] == ["SELECT 1", "SELECT 2"]
    assert result.statements[1].seg_end == len(sql) == result.tail_start
    assert result.statements[1].error is None


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    "inner",
    [
        "'a;b'",  # string
        "'it''s;'",  # doubled quote
        "/* ; */",  # block comment
        "-- ;\n",  # line comment
        "--;\n",  # line comment without a space (Flyway's rule)
        "(1;2)",  # parentheses
        "((';'))",
    ],
)
def test_semicolon_inside_common_constructs_does_not_split(dialect, inner):
    sql = f"SELECT 1, {inner} AS x; SELECT 2;"
    assert stmts(sql, dialect) == [f"SELECT 1, {inner} AS x", "SELECT 2"]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_semicolon_outside_splits(dialect):
    assert stmts("SELECT 'a'; SELECT \"b\"; SELECT (1); SELECT 2", dialect) == [
        "SELECT 'a'",
        'SELECT "b"',
        "SELECT (1)",
        "SELECT 2",
    ]


def test_unknown_dialect_is_rejected():
    with pytest.raises(ValueError):
        split("SELECT 1", "oracle")


# ------------------------------------------------------------------------------------------
# PostgreSQL tokens


@pytest.mark.parametrize(
    "inner",
    [
        '"weird;name"',
        '"a"";b"',
        "E'it\\'s;'",
        "e'it\\'s;'",
        "E'a'';b'",
        "U&'d;\\0061t'",
        "B'1;0'",  # not valid bits, but a string all the same
        "$$;$$",
        "$body$ ; $$ ; $body$",
        "$a$ $b$ ; $b$ ; $a$",
        "$_x1$ ; $_x1$",
        "/* outer /* nested ; */ still ; comment */",
    ],
)
def test_postgres_semicolon_inside_quotes_and_comments(inner):
    sql = f"SELECT {inner} AS x; SELECT 2;"
    assert stmts(sql) == [f"SELECT {inner} AS x", "SELECT 2"]


def test_postgres_comments_nest_but_mysql_comments_do_not():
    sql = "/* a /* b */ SELECT 1; */ SELECT 2;"
    assert stmts(sql, "postgres") == ["SELECT 2"]
    assert stmts(sql, "mysql") == ["SELECT 1", "*/ SELECT 2"]


def test_postgres_plain_strings_have_no_backslash_escape():
    # standard_conforming_strings: 'a\' is the string a\ ; only E'' strings use backslashes
    assert stmts("SELECT 'a\\'; SELECT 2;") == ["SELECT 'a\\'", "SELECT 2"]
    # a word ending in e followed by a quote is not an E string
    assert stmts("SELECT xe'\\'; SELECT 2;") == ["SELECT xe'\\'", "SELECT 2"]


def test_postgres_dollar_positional_parameters_are_not_quotes():
    sql = "PREPARE p(int) AS SELECT $1 + $2; SELECT 2; EXECUTE p(1, 2);"
    assert stmts(sql) == ["PREPARE p(int) AS SELECT $1 + $2", "SELECT 2", "EXECUTE p(1, 2)"]


def test_postgres_dollar_inside_identifiers_is_not_a_quote():
    assert stmts("SELECT a$$b, c$ FROM t$x; SELECT 2;") == ["SELECT a$$b, c$ FROM t$x", "SELECT 2"]


def test_postgres_do_block_and_function_bodies():
    sql = (
        "DO $$\nBEGIN\n  RAISE NOTICE 'x;';\nEND;\n$$;\n"
        "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
        "BEGIN\n  IF NEW.a THEN RETURN NEW; END IF;\n  RETURN NULL;\nEND\n$fn$;\n"
        "SELECT 3;"
    )
    got = stmts(sql)
    assert len(got) == 3
    assert got[0].startswith("DO $$") and got[0].endswith("$$")
    assert got[1].endswith("$fn$") and got[2] == "SELECT 3"


def test_postgres_begin_atomic_is_one_statement():
    sql = (
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\n"
        "SELECT 3;"
    )
    assert stmts(sql) == [
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END",
        "SELECT 3",
    ]


def test_postgres_begin_atomic_with_case_and_comments():
    sql = (
        "CREATE PROCEDURE p(a int) LANGUAGE sql\nBEGIN /* c */ ATOMIC\n"
        "  INSERT INTO t VALUES (CASE WHEN a > 0 THEN 1 ELSE 2 END);\n"
        "  SELECT CASE WHEN a > 0 THEN CASE WHEN a > 1 THEN 'x' END ELSE 'y' END;\n"
        "END;\nSELECT 4;"
    )
    first, second = split(sql, "postgres").statements
    assert sql[first.start : first.end].endswith("END;\nEND")
    assert first.max_depth == 3  # BEGIN ATOMIC, CASE, CASE
    assert sql[second.start : second.end] == "SELECT 4"


def test_postgres_begin_end_without_atomic_are_transaction_commands():
    assert stmts("BEGIN;\nUPDATE t SET a = 1;\nEND;\nSELECT CASE WHEN true THEN 1 END;") == [
        "BEGIN",
        "UPDATE t SET a = 1",
        "END",
        "SELECT CASE WHEN true THEN 1 END",
    ]


def test_postgres_copy_from_stdin_data():
    sql = "COPY t (a, b) FROM STDIN; -- ignored rest of line\n1\tx;y\n2\t\\N\n\\.\nSELECT 1;\n"
    result = split(sql, "postgres")
    check_invariants(sql, result)
    copy, select = result.statements
    assert sql[copy.start : copy.end] == "COPY t (a, b) FROM STDIN"
    data_start = sql.index("1\tx")
    data_end = sql.index("SELECT 1")
    assert copy.copy_data == (data_start, data_end)
    assert sql[data_start:data_end] == "1\tx;y\n2\t\\N\n\\.\n"
    assert copy.seg_end == data_end and copy.error is None
    assert sql[select.start : select.end] == "SELECT 1"
    assert select.copy_data is None


def test_postgres_copy_variants():
    sql = "copy s.t from stdin with (format csv);\r\na,b\r\n  \\.  \r\nSELECT 1;"
    copy, select = split(sql, "postgres").statements
    assert copy.copy_data is not None
    assert sql[copy.copy_data[0] : copy.copy_data[1]] == "a,b\r\n  \\.  \r\n"
    assert sql[select.start : select.end] == "SELECT 1"
    # the end marker may be the last line without a newline
    sql = "COPY t FROM STDIN;\n1\n\\."
    (copy,) = split(sql, "postgres").statements
    assert copy.copy_data == (sql.index("1"), len(sql)) and copy.error is None


@pytest.mark.parametrize(
    "sql",
    [
        "COPY t TO STDOUT;\nSELECT 1;",
        "COPY t FROM '/tmp/x.csv';\nSELECT 1;",
        "SELECT 'COPY t FROM STDIN';\nSELECT 1;",
    ],
)
def test_postgres_copy_without_inline_data(sql):
    result = split(sql, "postgres")
    assert len(result.statements) == 2
    assert all(s.copy_data is None for s in result.statements)


def test_postgres_copy_data_without_end_marker_is_an_error():
    sql = "COPY t FROM STDIN;\n1\t2\n"
    (copy,) = split(sql, "postgres").statements
    assert copy.copy_data == (sql.index("1"), len(sql))
    assert copy.error is not None and "COPY" in copy.error
    assert copy.error_offset == sql.index("1")


def test_mysql_has_no_copy_data():
    sql = "COPY t FROM STDIN;\n1\n\\.\n"
    assert all(s.copy_data is None for s in split(sql, "mysql").statements)


# ------------------------------------------------------------------------------------------
# PostgreSQL transactional detection


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE DATABASE foo",
        "drop database if exists foo",
        "CREATE TABLESPACE ts LOCATION '/x'",
        "DROP SUBSCRIPTION s",
        "ALTER SYSTEM SET work_mem = '1MB'",
        "CREATE INDEX CONCURRENTLY i ON t (a)",
        "CREATE UNIQUE INDEX CONCURRENTLY idx ON t (a)",
        "create index concurrently if not exists i on t(a)",
        "DROP INDEX CONCURRENTLY i",
        "REINDEX DATABASE db",
        "REINDEX VERBOSE SCHEMA s",
        "REINDEX SYSTEM db",
        "VACUUM",
        "vacuum (analyze) t",
        "DISCARD ALL",
        "/* comment */ -- another\nCREATE INDEX CONCURRENTLY i ON t (a)",
        "ALTER TYPE mood ADD VALUE 'x'",
        "ALTER TYPE s.mood ADD VALUE IF NOT EXISTS 'x' BEFORE 'y'",
        'ALTER TYPE "Mood" ADD VALUE \'x\'',
    ],
)
def test_postgres_non_transactional(sql):
    assert only(sql + ";").transactional is False


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE INDEX i ON t (a)",
        "CREATE UNIQUE INDEX i ON t (a)",
        "REINDEX TABLE t",
        "REINDEX INDEX CONCURRENTLY i",  # not in Flyway's list
        "CREATE TABLE vacuum_log (a int)",
        "ALTER TABLE t ADD COLUMN concurrently int",
        "DISCARD PLANS",
        "SELECT 'VACUUM'",
        "ALTER TYPE mood RENAME VALUE 'x' TO 'y'",
        "CREATE TABLE t (CREATE INDEX CONCURRENTLY int)",  # not at parenthesis depth 0
    ],
)
def test_postgres_transactional(sql):
    assert only(sql + ";").transactional is True


@pytest.mark.parametrize(
    ("version", "transactional"),
    [(None, False), (11, False), (12, True), (16, True), (110005, False), (120000, True)],
)
def test_postgres_alter_type_add_value_depends_on_version(version, transactional):
    assert only("ALTER TYPE mood ADD VALUE 'x';", pg_version=version).transactional is transactional


def test_postgres_keyword_cutoff_is_ten_keywords():
    # ALTER TYPE + 7 names + ADD VALUE = 11 keywords: ADD falls outside Flyway's window
    assert only("ALTER TYPE a b c d e f g ADD VALUE 'x';").transactional is True
    assert only("ALTER TYPE a b c d e f ADD VALUE 'x';").transactional is False
    # identifiers with digits, dots or quotes are not keywords and do not count
    assert only("ALTER TYPE a1 b2 c3 d4 e5 f6 g7 x.y \"z\" ADD VALUE 'x';").transactional is False


def test_mysql_statements_are_always_transactional():
    sql = "CREATE INDEX i ON t (a); VACUUM; CREATE DATABASE d; ALTER TABLE t ADD c int;"
    for dialect in MYSQLS:
        assert all(s.transactional for s in split(sql, dialect).statements)


# ------------------------------------------------------------------------------------------
# MySQL / MariaDB tokens


@pytest.mark.parametrize("dialect", MYSQLS)
@pytest.mark.parametrize(
    "inner",
    [
        "`a;b`",
        "`a``;b`",
        "'it\\'s;'",
        '"it\\";s"',
        "\"a\"\";b\"",
        "'a\\\\'",  # escaped backslash, then the string ends
        "_utf8mb4'x;y'",
        "X'3B'",
    ],
)
def test_mysql_semicolon_inside_quotes(dialect, inner):
    sql = f"SELECT {inner}; SELECT 2;"
    assert stmts(sql, dialect) == [f"SELECT {inner}", "SELECT 2"]


def test_mysql_backslash_escapes_differ_from_postgres():
    sql = "SELECT 'a\\'; SELECT 2;'; SELECT 3;"
    assert stmts(sql, "mysql") == ["SELECT 'a\\'; SELECT 2;'", "SELECT 3"]
    # in PostgreSQL the string ends at the first quote, and the third quote opens a string
    result = split(sql, "postgres")
    got = [sql[s.start : s.end] for s in result.statements]
    assert got == ["SELECT 'a\\'", "SELECT 2", "'; SELECT 3;"]
    assert result.statements[2].error == "unterminated string literal"


@pytest.mark.parametrize("dialect", MYSQLS)
def test_mysql_hash_comments(dialect):
    sql = "SELECT 1 # comment ; not the end\n;\n# SELECT 0;\nSELECT 2;"
    assert stmts(sql, dialect) == ["SELECT 1", "SELECT 2"]


def test_hash_is_not_a_comment_in_postgres():
    assert stmts("SELECT 5 # 3; SELECT 2;") == ["SELECT 5 # 3", "SELECT 2"]


@pytest.mark.parametrize("dialect", MYSQLS)
def test_hash_is_the_delimiter_when_chosen(dialect):
    sql = "DELIMITER #\nSELECT 1#\nSELECT 2 #\nDELIMITER ;\nSELECT 3; # a comment again\n"
    result = split(sql, dialect)
    check_invariants(sql, result)
    assert [sql[s.start : s.end] for s in result.statements] == ["SELECT 1", "SELECT 2", "SELECT 3"]
    assert [s.delimiter for s in result.statements] == ["#", "#", ";"]


@pytest.mark.parametrize("dialect", MYSQLS)
def test_mysql_executable_comments_are_code(dialect):
    sql = (
        "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n"
        "/*!40101 SET NAMES utf8; */;\n"
        "/*!4010 not five digits: a comment */;\n"
        "/*! a comment */;\n"
        "/* /*!40101 inside a comment */;\n"
        "SELECT 1 /*!50000 , 2 */;\n"
    )
    assert stmts(sql, dialect) == [
        "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */",
        "/*!40101 SET NAMES utf8; */",
        "SELECT 1 /*!50000 , 2 */",
    ]


def test_executable_comments_are_comments_in_postgres():
    assert stmts("/*!40101 SET NAMES utf8 */;\nSELECT 1;") == ["SELECT 1"]


# ------------------------------------------------------------------------------------------
# DELIMITER


@pytest.mark.parametrize("dialect", MYSQLS)
def test_delimiter_persists_and_switches_back(dialect):
    sql = (
        "DELIMITER $$\n"
        "SELECT 1; SELECT 2$$\n"
        "SELECT 3$$\n"
        "DELIMITER ;\n"
        "SELECT 4;\n"
        "SELECT 5;\n"
    )
    result = split(sql, dialect)
    check_invariants(sql, result)
    assert [sql[s.start : s.end] for s in result.statements] == [
        "SELECT 1; SELECT 2",
        "SELECT 3",
        "SELECT 4",
        "SELECT 5",
    ]
    assert [s.delimiter for s in result.statements] == ["$$", "$$", ";", ";"]
    # the DELIMITER lines are in segments, never in a statement's [start, end)
    assert result.statements[0].seg_start == 0
    assert sql[result.statements[2].seg_start : result.statements[2].start] == "\nDELIMITER ;\n"


@pytest.mark.parametrize("dialect", MYSQLS)
def test_procedure_between_delimiter_lines(dialect):
    sql = (
        "DROP PROCEDURE IF EXISTS p;\n"
        "DELIMITER $$\n"
        "CREATE DEFINER=`root`@`localhost` PROCEDURE `p`(IN a INT)\n"
        "BEGIN\n"
        "  DECLARE x INT DEFAULT 0;\n"
        "  IF a > 0 THEN SET x = 1; END IF;\n"
        "  SELECT x;\n"
        "END$$\n"
        "DELIMITER ;\n"
        "CALL p(1);\n"
    )
    result = split(sql, dialect)
    check_invariants(sql, result)
    got = [sql[s.start : s.end] for s in result.statements]
    assert got[0] == "DROP PROCEDURE IF EXISTS p"
    assert got[1].startswith("CREATE DEFINER") and got[1].endswith("SELECT x;\nEND")
    assert got[2] == "CALL p(1)"
    assert [s.delimiter for s in result.statements] == [";", "$$", ";"]
    assert all(s.note is None and s.error is None for s in result.statements)


@pytest.mark.parametrize("dialect", MYSQLS)
@pytest.mark.parametrize(
    "line",
    [
        "DELIMITER //",
        "delimiter //",
        "DeLiMiTeR   //   ",
        "DELIMITER//",
        "  DELIMITER //\t",
        "DELIMITER //\r",
    ],
)
def test_delimiter_line_forms(dialect, line):
    sql = f"{line}\nSELECT 1; SELECT 2//\nDELIMITER ;\nSELECT 3;"
    result = split(sql, dialect)
    check_invariants(sql, result)
    assert [sql[s.start : s.end] for s in result.statements] == ["SELECT 1; SELECT 2", "SELECT 3"]
    assert result.statements[0].delimiter == "//"


@pytest.mark.parametrize("dialect", MYSQLS)
def test_delimiter_value_is_the_rest_of_the_line(dialect):
    # Flyway takes the whole trimmed rest of the line, comment included
    sql = "DELIMITER $$ -- x\nSELECT 1$$ -- x\n"
    (s,) = split(sql, dialect).statements
    assert s.delimiter == "$$ -- x" and sql[s.start : s.end] == "SELECT 1"


@pytest.mark.parametrize("dialect", MYSQLS)
def test_delimiter_directive_after_a_statement_on_the_same_line(dialect):
    sql = "SELECT 1; DELIMITER //\nSELECT 2//"
    result = split(sql, dialect)
    assert [sql[s.start : s.end] for s in result.statements] == ["SELECT 1", "SELECT 2"]
    assert result.statements[1].delimiter == "//"


@pytest.mark.parametrize("dialect", MYSQLS)
def test_trailing_delimiter_line_is_tail(dialect):
    sql = "DELIMITER //\nSELECT 1//\nDELIMITER ;\n"
    result = split(sql, dialect)
    check_invariants(sql, result)
    assert len(result.statements) == 1
    assert sql[result.tail_start :] == "\nDELIMITER ;\n"


@pytest.mark.parametrize("dialect", MYSQLS)
def test_delimiter_word_is_not_a_directive_inside_a_line_or_without_value(dialect):
    sql = "SELECT delimiter FROM t; SELECT 2;"
    assert stmts(sql, dialect) == ["SELECT delimiter FROM t", "SELECT 2"]
    result = split("DELIMITER\nSELECT 1;", dialect)
    assert [s.delimiter for s in result.statements] == [";"]


def test_delimiter_is_not_a_directive_in_postgres():
    result = split("DELIMITER //\nSELECT 1//\n", "postgres")
    assert len(result.statements) == 1 and result.statements[0].delimiter == ";"


@pytest.mark.parametrize("dialect", MYSQLS)
def test_delimiter_line_inside_a_statement_is_an_error(dialect):
    sql = "SELECT a,\nDELIMITER //\nSELECT 2//"
    result = split(sql, dialect)
    check_invariants(sql, result)
    first, second = result.statements
    assert sql[first.start : first.end] == "SELECT a,"
    assert first.error is not None and "DELIMITER" in first.error
    assert first.error_offset == sql.index("DELIMITER")
    assert first.delimiter == ";"
    assert sql[second.start : second.end] == "SELECT 2" and second.delimiter == "//"


@pytest.mark.parametrize("dialect", MYSQLS)
def test_non_ascii_delimiter(dialect):
    sql = "DELIMITER §§\n\u00a0SELECT 'é§§' AS é§§\u3000SELECT 2 §§ \u00a0"
    result = split(sql, dialect)
    check_invariants(sql, result)
    assert [sql[s.start : s.end] for s in result.statements] == ["SELECT 'é§§' AS é", "SELECT 2"]


@pytest.mark.parametrize("dialect", MYSQLS)
def test_delimiter_glued_to_words(dialect):
    sql = "DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; END$$SELECT 2$$"
    assert stmts(sql, dialect) == ["CREATE PROCEDURE p() BEGIN SELECT 1; END", "SELECT 2"]


# ------------------------------------------------------------------------------------------
# MySQL stored programs without DELIMITER


@pytest.mark.parametrize("dialect", MYSQLS)
@pytest.mark.parametrize(
    "head",
    [
        "CREATE PROCEDURE p()",
        "create procedure p(IN a INT)",
        "CREATE FUNCTION f() RETURNS INT DETERMINISTIC",
        "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW",
        "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO",
        "CREATE DEFINER = root@localhost PROCEDURE p()",
        "CREATE DEFINER='root'@'%' PROCEDURE p()",
        "CREATE DEFINER=`root`@`localhost` FUNCTION f() RETURNS INT",
    ],
)
def test_stored_program_body_is_one_statement(dialect, head):
    body = "BEGIN\n  UPDATE a SET x = 1;\n  UPDATE b SET y = 2;\nEND"
    sql = f"{head}\n{body};\nSELECT 9;"
    result = split(sql, dialect)
    check_invariants(sql, result)
    assert [sql[s.start : s.end] for s in result.statements] == [f"{head}\n{body}", "SELECT 9"]
    assert result.statements[0].note is None and result.statements[0].error is None
    assert result.statements[0].max_depth >= 1


@pytest.mark.parametrize("dialect", MYSQLS)
def test_stored_program_control_flow(dialect):
    sql = (
        "CREATE PROCEDURE p()\n"
        "BEGIN\n"
        "  DECLARE i INT DEFAULT 0;\n"
        "  IF i = 0 THEN SET i = 1; ELSEIF i = 1 THEN SET i = 2; ELSE SET i = 3; END IF;\n"
        "  lbl: LOOP SET i = i + 1; IF i > 5 THEN LEAVE lbl; END IF; END LOOP lbl;\n"
        "  WHILE i < 10 DO SET i = i + 1; END WHILE;\n"
        "  REPEAT SET i = i - 1; UNTIL i < 3 END REPEAT;\n"
        "  CASE i WHEN 1 THEN SELECT 1; ELSE BEGIN SELECT 2; END; END CASE;\n"
        "  SET i = CASE WHEN i > 1 THEN 0 ELSE 1 END;\n"
        "  BEGIN\n    SELECT 3;\n  END;\n"
        "END;\n"
        "SELECT 9;"
    )
    result = split(sql, dialect)
    check_invariants(sql, result)
    assert len(result.statements) == 2, [sql[s.start : s.end] for s in result.statements]
    assert sql[result.statements[1].start : result.statements[1].end] == "SELECT 9"
    assert result.statements[0].max_depth == 3  # BEGIN > CASE > BEGIN


@pytest.mark.parametrize("dialect", MYSQLS)
def test_stored_program_end_at_end_of_text(dialect):
    sql = "CREATE PROCEDURE p() BEGIN SELECT 1; END"
    assert only(sql, dialect).error is None


@pytest.mark.parametrize("dialect", MYSQLS)
def test_begin_outside_stored_programs_does_not_open_a_block(dialect):
    sql = (
        "BEGIN;\nUPDATE t SET a = 1;\nCOMMIT;\n"
        "SELECT CASE WHEN a THEN 1 ELSE 2 END AS x FROM t;\nSELECT 2;"
    )
    assert stmts(sql, dialect) == [
        "BEGIN",
        "UPDATE t SET a = 1",
        "COMMIT",
        "SELECT CASE WHEN a THEN 1 ELSE 2 END AS x FROM t",
        "SELECT 2",
    ]


@pytest.mark.parametrize(
    ("dialect", "head"),
    [
        ("mysql", "CREATE DEFINER=CURRENT_USER PROCEDURE p()"),
        ("mysql", "CREATE DEFINER = CURRENT_USER() FUNCTION f() RETURNS INT"),
        ("mysql", "CREATE DEFINER=`x`@`%` TRIGGER trg BEFORE INSERT ON t FOR EACH ROW"),
        ("mariadb", "CREATE OR REPLACE PROCEDURE p()"),
        ("mariadb", "CREATE OR REPLACE FUNCTION f() RETURNS INT"),
        ("mariadb", "CREATE OR REPLACE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW"),
    ],
)
def test_unrecognised_stored_program_is_split_like_flyway_with_a_note(dialect, head):
    sql = f"{head}\nBEGIN\n  UPDATE a SET x = 1;\n  UPDATE b SET y = 2;\nEND;\nSELECT 9;"
    result = split(sql, dialect)
    check_invariants(sql, result)
    got = [sql[s.start : s.end] for s in result.statements]
    assert got == [f"{head}\nBEGIN\n  UPDATE a SET x = 1", "UPDATE b SET y = 2", "END", "SELECT 9"]
    notes = [s.note for s in result.statements]
    assert notes[0] is not None and "DELIMITER" in notes[0]
    assert notes[1:] == [None, None, None]


@pytest.mark.parametrize("dialect", MYSQLS)
def test_unrecognised_stored_program_without_inner_semicolon_has_no_note(dialect):
    sql = (
        "CREATE DEFINER=`x`@`%` TRIGGER trg BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1;\n"
        "DELIMITER //\n"
        "CREATE OR REPLACE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END//\n"
    )
    result = split(sql, dialect)
    check_invariants(sql, result)
    assert len(result.statements) == 2
    assert all(s.note is None for s in result.statements)


def test_mariadb_begin_not_atomic():
    sql = "BEGIN NOT ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND;\nSELECT 3;"
    assert stmts(sql, "mariadb") == ["BEGIN NOT ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND", "SELECT 3"]
    # MySQL has no BEGIN NOT ATOMIC: Flyway's MySQL parser splits it
    assert stmts(sql, "mysql") == ["BEGIN NOT ATOMIC\n  SELECT 1", "SELECT 2", "END", "SELECT 3"]


def test_mariadb_begin_not_atomic_flyway_quirk_is_emulated_with_a_note():
    # Once Flyway has seen `BEGIN NOT ATOMIC ... END` in the first ten keywords, every END closes a
    # block, so the second END IF ends the statement early.
    sql = (
        "BEGIN NOT ATOMIC IF a THEN SELECT 1; END IF; IF b THEN SELECT 2; END IF; SELECT 3; END;\n"
        "SELECT 4;"
    )
    result = split(sql, "mariadb")
    check_invariants(sql, result)
    got = [sql[s.start : s.end] for s in result.statements]
    assert got == [
        "BEGIN NOT ATOMIC IF a THEN SELECT 1; END IF; IF b THEN SELECT 2; END IF",
        "SELECT 3",
        "END",
        "SELECT 4",
    ]
    assert result.statements[0].note is not None and "BEGIN NOT ATOMIC" in result.statements[0].note
    # a single END IF is fine
    sql = "BEGIN NOT ATOMIC IF a THEN SELECT 1; END IF; SELECT 2; END; SELECT 3;"
    result = split(sql, "mariadb")
    assert len(result.statements) == 2 and result.statements[0].note is None


# ------------------------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    ("dialect", "sql", "message", "at"),
    [
        ("postgres", "SELECT 1; SELECT 'abc; SELECT 2;", "unterminated string literal", "'abc"),
        ("postgres", "SELECT 'a'';", "unterminated string literal", "'a"),
        ("postgres", "SELECT E'a\\';", "unterminated string literal", "E'a"),
        ("postgres", 'SELECT "abc; SELECT 2;', "unterminated quoted identifier", '"abc'),
        ("postgres", "SELECT $$abc; SELECT 2;", "unterminated dollar-quoted string $$", "$$"),
        (
            "postgres",
            "DO $body$ BEGIN $$ END $$;",
            "unterminated dollar-quoted string $body$",
            "$body$",
        ),
        ("postgres", "SELECT 1 /* a /* b */ ; SELECT 2;", "unterminated /* comment", "/* a"),
        ("mysql", "SELECT 'it\\'s; SELECT 2;", "unterminated string literal", "'it"),
        ("mysql", 'SELECT "abc; SELECT 2;', "unterminated string literal", '"abc'),
        ("mysql", "SELECT `abc; SELECT 2;", "unterminated quoted identifier", "`abc"),
        ("mariadb", "SELECT 1 /*!40101 , 2; SELECT 2;", "unterminated /*! comment", "/*!"),
        ("mysql", "SELECT 1 /* ; SELECT 2;", "unterminated /* comment", "/*"),
    ],
)
def test_unterminated_constructs(dialect, sql, message, at):
    result = split(sql, dialect)
    check_invariants(sql, result)
    last = result.statements[-1]
    assert last.error == message
    assert last.error_offset == sql.index(at)
    assert last.seg_end == len(sql) == result.tail_start


@pytest.mark.parametrize(
    ("dialect", "sql", "message", "at"),
    [
        ("postgres", "SELECT (1, (2);", "1 unclosed parenthesis", "(1"),
        ("postgres", "SELECT ((1;\nSELECT 2;", "2 unclosed parentheses", "(("),
        ("postgres", "CREATE FUNCTION f() BEGIN ATOMIC SELECT 1;", "1 unclosed block", "BEGIN"),
        ("mysql", "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2;", "1 unclosed block", "BEGIN"),
        (
            "mysql",
            "CREATE PROCEDURE p() BEGIN SELECT (1;",
            "1 unclosed parenthesis and 1 unclosed block",
            "BEGIN",
        ),
    ],
)
def test_incomplete_statements(dialect, sql, message, at):
    result = split(sql, dialect)
    check_invariants(sql, result)
    (stmt,) = result.statements
    assert stmt.error is not None and stmt.error.startswith("incomplete statement: " + message)
    assert stmt.error_offset == sql.index(at)
    assert stmt.end == len(sql.rstrip())


@pytest.mark.parametrize("dialect", DIALECTS)
def test_unterminated_comment_after_the_last_statement_is_a_tail_error(dialect):
    sql = "SELECT 1;\n/* forgot to close\nSELECT 2;\n"
    result = split(sql, dialect)
    check_invariants(sql, result)
    assert [sql[s.start : s.end] for s in result.statements] == ["SELECT 1"]
    assert result.tail_error == "unterminated /* comment"
    assert result.tail_error_offset == sql.index("/*")
    assert split("SELECT 1;", dialect).tail_error is None


def test_stray_closing_parenthesis_does_not_swallow_the_file():
    assert stmts("SELECT 1);\nSELECT 2;") == ["SELECT 1)", "SELECT 2"]


# ------------------------------------------------------------------------------------------
# Nesting depth and robustness


def test_max_depth_counts_parentheses():
    sql = "SELECT ((1)), (2); SELECT 1; SELECT (((((x)))))"
    assert [s.max_depth for s in split(sql, "postgres").statements] == [2, 0, 5]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_deep_nesting_needs_no_recursion(dialect):
    depth = 100_000
    sql = "SELECT " + "(" * depth + "1" + ")" * depth + ";"
    (stmt,) = split(sql, dialect).statements
    assert stmt.max_depth == depth and stmt.error is None


@pytest.mark.parametrize("dialect", DIALECTS)
def test_odd_characters(dialect):
    sql = "SELECT '\x00;\ud800', \"é;\"\x00;\u00a0SELECT\u2028 2\u3000;\x1f"
    result = split(sql, dialect)
    check_invariants(sql, result)
    assert len(result.statements) == 2


def test_200kb_file_splits_quickly():
    parts = [
        "-- add a column\nALTER TABLE users ADD COLUMN surname varchar(255);\n",
        "CREATE TABLE t{i} (id bigserial PRIMARY KEY, note text DEFAULT 'a;b', n numeric(9, 2));\n",
        "INSERT INTO users (id, name) VALUES ({i}, 'User ''{i}'''), ({i}1, E'x\\'y');\n",
        "CREATE FUNCTION f{i}() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;\n",
        "/* nested /* comment */ */ CREATE INDEX CONCURRENTLY i{i} ON users (lower(email));\n",
    ]
    chunks, size, i = [], 0, 0
    while size < 200_000:
        chunk = parts[i % len(parts)].replace("{i}", str(i))
        chunks.append(chunk)
        size += len(chunk)
        i += 1
    sql = "".join(chunks)
    began = time.perf_counter()
    result = split(sql, "postgres")
    elapsed = time.perf_counter() - began
    assert len(result.statements) == i
    assert elapsed < 2.0  # typically ~25 ms; the bound only catches super-linear behaviour


# ------------------------------------------------------------------------------------------
# Properties

FRAGMENTS = [
    *("SELECT", "x", "1", " ", "  ", "\n", "\r\n", "\t", ";", ";;", ",", ".", "@", "'", "''", '"'),
    *("`", "\\", "\\'", "--", "-", "#", "/", "/*", "*/", "/*!40101", "$", "$$", "$a$", "$1", "("),
    *(")", "E'", "e'", "U&'", "B'", "BEGIN", "ATOMIC", "END", "CASE", "IF", "NOT", "LOOP", "//"),
    *("DELIMITER", "DELIMITER $$\n", "\nDELIMITER ;\n", "\nDELIMITER //\n", "DELIMITER #\n"),
    *("CREATE PROCEDURE p() ", "CREATE OR REPLACE PROCEDURE p() ", "CREATE TRIGGER t "),
    *("COPY t FROM STDIN;\n", "\\.\n", "CREATE INDEX CONCURRENTLY i ON t (a)", "VACUUM"),
    *("ALTER TYPE t ADD VALUE", "\x00", "\ud800", "é", "\u00a0", "DELIMITER GO\n", "GO"),
    *("DELIMITER §\n", "§", "\u3000", "DELIMITER $\n", "DELIMITER abcdefghijklmnopqrstu\n"),
    *("abcdefghijklmnopqrstu", "abcdefghij"),
]

fragment_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=40
).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(st.text(), fragment_text), dialect=st.sampled_from(DIALECTS))
def test_property_never_raises_and_segments_tile_the_text(text, dialect):
    result = split(text, dialect)
    statements = result.statements
    if statements:
        assert statements[0].seg_start == 0
    for previous, current in zip(statements, statements[1:]):
        assert current.seg_start == previous.seg_end
    assert result.tail_start == (statements[-1].seg_end if statements else 0)
    joined = "".join(text[s.seg_start : s.seg_end] for s in statements)
    assert joined + text[result.tail_start :] == text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(st.text(), fragment_text), dialect=st.sampled_from(DIALECTS))
def test_property_statement_bounds(text, dialect):
    for s in split(text, dialect).statements:
        assert s.seg_start <= s.start < s.end <= s.seg_end
        body = text[s.start : s.end]
        assert body == body.strip() and body
        assert s.error is None or not s.error.startswith("internal")


# Simple statements that contain no delimiter outside quotes and comments and no word with a
# meaning for the splitter.
_RESERVED = {"begin", "case", "end", "not", "delimiter", "copy", "atomic"}
identifiers = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda w: w not in _RESERVED
)
strings = st.text(alphabet="ab ;-#/*$()\"", max_size=6).map(lambda v: "'" + v + "'")
quoted_identifiers = st.text(alphabet="ab ;-'#", max_size=5).map(lambda v: '"' + v + '"')
comments = st.sampled_from(["/* ; */", "-- ;\n", "/* x */"])
atoms = st.one_of(identifiers, st.integers(0, 10**6).map(str), strings, quoted_identifiers)
expressions = st.lists(
    st.one_of(atoms, atoms.map(lambda a: f"({a})"), comments), min_size=1, max_size=6
).map(" ".join)
simple_statements = st.tuples(
    st.sampled_from(["SELECT", "UPDATE t SET a =", "INSERT INTO t VALUES ("]), expressions
).map(lambda p: f"{p[0]} {p[1]}" + (" )" if p[0].endswith("(") else ""))


def _code(statement: str) -> str:
    """The statement as the splitter reports it: trailing comments are not code."""
    out = statement
    while True:
        stripped = out.rstrip()
        if stripped.endswith("*/"):
            stripped = stripped[: stripped.rindex("/*")]
        elif stripped.endswith("-- ;"):
            stripped = stripped[: -len("-- ;")]
        if stripped == out:
            return out
        out = stripped


@settings(max_examples=300, deadline=None)
@given(
    statements=st.lists(simple_statements, min_size=1, max_size=8),
    dialect=st.sampled_from(DIALECTS),
    trailing=st.booleans(),
)
def test_property_simple_statements_round_trip(statements, dialect, trailing):
    sql = ";\n".join(statements) + (";\n" if trailing else "")
    result = split(sql, dialect)
    assert [sql[s.start : s.end] for s in result.statements] == [_code(s) for s in statements]
    assert all(s.error is None and s.delimiter == ";" and s.note is None for s in result.statements)


@settings(max_examples=100, deadline=None)
@given(
    statements=st.lists(simple_statements, min_size=1, max_size=6),
    dialect=st.sampled_from(MYSQLS),
)
def test_property_simple_statements_with_custom_delimiter(statements, dialect):
    sql = "DELIMITER $$\n" + "$$\n".join(statements) + "$$\nDELIMITER ;\n"
    result = split(sql, dialect)
    assert [sql[s.start : s.end] for s in result.statements] == [_code(s) for s in statements]
    assert all(s.delimiter == "$$" for s in result.statements)


# ------------------------------------------------------------------------------------------
# The fast path for simple statements (_Splitter.simple_statement) gives what the scan gives


def _scan_only(text: str, dialect: str, pg_version: int | None = None) -> SplitResult:
    """`split` without the fast path: every statement read by the scanning loop."""
    from flylint.sql.splitter import _Splitter

    splitter = _Splitter(text, dialect, pg_version)
    splitter.simple_statement = lambda seg_start: None  # type: ignore[method-assign]
    return splitter.run()


def _fast(text: str, dialect: str) -> RawStatement | None:
    from flylint.sql.splitter import _Splitter

    return _Splitter(text, dialect, None).simple_statement(0)


FAST = [
    ("postgres", "ALTER TABLE t5 ADD COLUMN c1 integer;"),
    ("postgres", "-- a comment\n  -- another\n\nSELECT 1 ;  -- after\n"),
    ("postgres", "CREATE TABLE t (id int, n numeric(9, f(2)), s text DEFAULT 'a;b''c');"),
    ("postgres", "CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql;"),
    ("postgres", "SELECT $1, a$b, \"q;\"\"x\";"),
    ("postgres", "CREATE INDEX CONCURRENTLY i ON t (a);"),
    ("postgres", "CREATE TABLE t (a int, b int, c int, d int, e int) TABLESPACE x WITH (fillfactor=1) INHERITS (p);"),
    ("mysql", "ALTER TABLE `t` ADD COLUMN `c` int DEFAULT NULL, ALGORITHM=INPLACE, LOCK=NONE;"),
    ("mysql", "# c\nINSERT INTO t VALUES ('a\\';b', \"x\\\";y\", `q;``r`);"),
    ("mariadb", "UPDATE t u SET a = 'NOT' WHERE b = X AND c IS NOT NULL;"),
    ("postgres", "SELECT b'01', x'ff', N'n', u&'x' FROM t b;"),  # lower-case prefixes are keywords
]

SCANNED = [
    ("postgres", "SELECT /* c */ 1;"),  # a block comment
    ("postgres", "SELECT E'a\\';b';"),  # backslash escapes
    ("postgres", "SELECT ((((1))));"),  # nested deeper than the fast path follows
    ("postgres", "SELECT 1); SELECT 2;"),  # a stray ')'
    ("postgres", "SELECT B'01';"),  # a B'..' prefix is not a keyword
    ("mysql", "SELECT U&'x';"),
    ("mariadb", "SELECT 1 FROM t WHERE NOT ATOMIC;"),  # NOT ATOMIC opens a block in MariaDB
    ("postgres", "CREATE FUNCTION f() BEGIN ATOMIC SELECT 1; END;"),
    ("postgres", "COPY t FROM STDIN;\n1\n\\.\n"),
    ("postgres", "SELECT $$a$$ ) $$;"),  # the first closing tag counts: unterminated
    ("postgres", "-- a b;\n)"),
    ("postgres", ";;SELECT 1;"),
    ("postgres", "SELECT 1"),
    ("mysql", "SELECT CASE WHEN a THEN 1 END;"),
    ("mysql", "SELECT 1 # c\n;"),
    ("mysql", "SELECT @a;"),
    ("mysql", "/*!40101 SET NAMES utf8 */;"),
    ("mysql", "SELECT 1\nDELIMITER $$\n"),
    ("mysql", "DELIMITER $$\nSELECT 1$$\n"),
    ("mariadb", "BEGIN NOT ATOMIC SELECT 1; END;"),
]


@pytest.mark.parametrize("dialect, sql", FAST)
def test_fast_path_takes_simple_statements(dialect, sql):
    fast = _fast(sql, dialect)
    assert fast is not None
    assert fast == _scan_only(sql, dialect).statements[0]
    assert split(sql, dialect) == _scan_only(sql, dialect)


@pytest.mark.parametrize("dialect, sql", SCANNED)
def test_fast_path_leaves_the_rest_to_the_scan(dialect, sql):
    assert _fast(sql, dialect) is None
    result = split(sql, dialect)
    check_invariants(sql, result)
    assert result == _scan_only(sql, dialect)


def test_fast_path_reports_depth_and_keywords():
    assert _fast("SELECT (a, (b, (c)));", "postgres").max_depth == 3
    assert _fast("SELECT a;", "postgres").max_depth == 0
    assert _fast("CREATE INDEX CONCURRENTLY i ON t (a);", "postgres").transactional is False
    assert _fast("ALTER TYPE e ADD VALUE 'x';", "postgres").transactional is False
    unterminated = split("SELECT $$a$$ ) $$;", "postgres").statements[0]
    assert unterminated.error == "unterminated dollar-quoted string $$"


_FRAGMENTS = st.sampled_from(
    [
        "SELECT", "a", "t1", "x$y", "$1", "ATOMIC", "BEGIN", "CASE", "END", "NOT", "CREATE", "COPY",
        "FROM", "STDIN", "INDEX", "CONCURRENTLY", "DELIMITER", "B", "E", "U&", "é", " ", "  ", "\n",
        "\t", ";", ";", "(", ")", "'", "'s'", "''", "\"q\"", '"', "`b`", "`", "\\", "$$", "$t$",
        "$T$", "--c\n", "--", "-", "/", "/*", "*/", "#", "#c\n", "@", "/*!1 x */", ",", "=", "1",
        "\nDELIMITER $$\n", "\nDELIMITER ;\n", "\\.\n", ".",
    ]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(_FRAGMENTS, max_size=40), dialect=st.sampled_from(DIALECTS))
def test_fast_path_agrees_with_the_scan(parts, dialect):
    sql = " ".join(parts) if len(parts) % 2 else "".join(parts)
    assert split(sql, dialect) == _scan_only(sql, dialect)
