"""Flyway checksum vectors (flyway.md section 6.4) and its invariants."""

from __future__ import annotations

import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flylint.flyway.checksum import flyway_checksum, to_signed32

# flyway-core/src/test/resources/migration/sql/V1.1__View.sql at tag flyway-4.0 (680 bytes, LF).
VIEW_SQL = """--
-- Copyright 2010-2016 Boxfuse GmbH
--
-- Licensed under the Apache License, Version 2.0 (the "License");
-- you may not use this file except in compliance with the License.
-- You may obtain a copy of the License at
--
--         http://www.apache.org/licenses/LICENSE-2.0
--
-- Unless required by applicable law or agreed to in writing, software
-- distributed under the License is distributed on an "AS IS" BASIS,
-- WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
-- See the License for the specific language governing permissions and
-- limitations under the License.
--

CREATE VIEW all_misters AS SELECT * FROM test_user WHERE name LIKE 'Mr.%';
"""


def test_view_sql_fixture_is_the_original_file():
    assert len(VIEW_SQL.encode("utf-8")) == 680


def test_flyway_test_suite_value():
    assert flyway_checksum(VIEW_SQL) == 64723601


def test_line_endings_and_bom_do_not_matter():
    assert flyway_checksum(VIEW_SQL.replace("\n", "\r\n")) == 64723601
    assert flyway_checksum(VIEW_SQL.replace("\n", "\r")) == 64723601
    assert flyway_checksum("\ufeff" + VIEW_SQL) == 64723601


def test_trailing_space_matters():
    assert flyway_checksum(VIEW_SQL[:-1] + " \n") == 1852290829


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", 0),
        ("SELECT 1;", 78787420),
        ("SELECT 1;\n", 78787420),
        ("SELECT 1;\r\n", 78787420),
        ("\ufeffSELECT 1;\n", 78787420),
        ("SELECT 1;\n\n\n", 78787420),
        ("SELECT\n1;", -713821291),
        ("SELECT1;", -713821291),
        ("CREATE TABLE t (id INT);\n", 1556295178),
        ("SELECT 'é';\n", 1526126742),
        # U+2028 and U+0085 are not line breaks for Java's readLine (str.splitlines would split)
        ("a\rb\r\nc\u2028d\u0085e\n", 1724228944),
    ],
)
def test_synthetic_vectors(text, expected):
    assert flyway_checksum(text) == expected


def test_bom_only_dropped_at_the_very_start():
    assert flyway_checksum("\nx\ufeff") != flyway_checksum("\nx")
    assert flyway_checksum("x\n\ufeffy") != flyway_checksum("x\ny")


def test_lone_surrogate_is_encoded_as_question_mark():
    assert flyway_checksum("a\ud800b") == flyway_checksum("a?b")


def test_signed_conversion():
    assert to_signed32(0) == 0
    assert to_signed32(0x7FFFFFFF) == 2**31 - 1
    assert to_signed32(0x80000000) == -(2**31)
    assert to_signed32(0xFFFFFFFF) == -1


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)))),
       st.sampled_from(["\n", "\r\n", "\r"]))
def test_equals_crc_of_lines_concatenated(lines, terminator):
    """The reference algorithm of flyway.md 6.3: CRC-32 over the lines, first-line BOM dropped."""
    text = terminator.join(lines)
    crc = 0
    for i, line in enumerate(lines):
        if i == 0 and line.startswith("\ufeff"):
            line = line[1:]
        crc = zlib.crc32(line.encode("utf-8"), crc)
    assert flyway_checksum(text) == to_signed32(crc)
    assert -(2**31) <= flyway_checksum(text) < 2**31
