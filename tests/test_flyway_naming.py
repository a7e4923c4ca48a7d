"""Migration names (flyway.md 1.2-1.3) and version comparison."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flylint.flyway.naming import CALLBACK_EVENTS, InvalidName, NamingSettings, ParsedName, parse_name
from flylint.model import Version

DEFAULT = NamingSettings()


def parsed(name: str, settings: NamingSettings = DEFAULT) -> ParsedName:
    result = parse_name(name, settings)
    assert isinstance(result, ParsedName), result
    return result


def invalid(name: str, settings: NamingSettings = DEFAULT) -> InvalidName:
    result = parse_name(name, settings)
    assert isinstance(result, InvalidName), result
    return result


# --- valid names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, kind, version, description",
    [
        ("V1__init.sql", "V", "1", "init"),
        ("V1.1__add_users.sql", "V", "1.1", "add users"),
        ("V1_1__x.sql", "V", "1.1", "x"),  # '_' in versions is stored as '.'
        ("V2024_01_15_1030__big.sql", "V", "2024.01.15.1030", "big"),
        ("V12.sql", "V", "12", ""),  # allowed since Flyway 6.0
        ("V1___foo.sql", "V", "1", " foo"),
        ("V1__a__b.sql", "V", "1", "a  b"),
        ("V1__x.SQL", "V", "1", "x"),  # suffix match is case-insensitive
        ("V1__x.sql.sql", "V", "1", "x.sql"),
        ("B5__baseline.sql", "B", "5", "baseline"),
        ("U3__undo_it.sql", "U", "3", "undo it"),
        ("R__Foo.sql", "R", None, "Foo"),
        ("R__a_b.sql", "R", None, "a b"),
        ("R__.sql", "R", None, ""),
    ],
)
def test_valid_names(name, kind, version, description):
    p = parsed(name)
    assert p.kind == kind
    assert p.description == description
    if version is None:
        assert p.version is None
    else:
        assert p.version is not None and p.version.text == version
    assert p.reserved_word is None


@pytest.mark.parametrize("event", ["beforeMigrate", "afterMigrate", "beforeEachMigrate", "afterEachMigrateStatement",
                                   "beforeRepeatables", "afterVersioned", "afterMigrateError", "beforeValidate",
                                   "beforeConnect", "createSchema", "afterEachMigrateStatementError"])
def test_callbacks_are_recognised(event):
    assert event in CALLBACK_EVENTS
    p = parsed(f"{event}.sql")
    assert p.kind == "callback" and p.event == event and p.version is None
    p = parsed(f"{event}__refresh_views.sql")
    assert p.kind == "callback" and p.event == event and p.description == "refresh views"


def test_longest_callback_prefix_wins():
    assert parsed("afterMigrateError.sql").event == "afterMigrateError"
    assert parsed("afterEachMigrateStatementError__x.sql").event == "afterEachMigrateStatementError"


def test_callbacks_are_case_sensitive():
    r = invalid("aftermigrate.sql")
    assert r.reason == "Unrecognised migration name format: aftermigrate.sql"
    assert r.suggestion == "afterMigrate.sql"


# --- reserved words --------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["latest", "LATEST", "Current", "next"])
def test_reserved_words_parse_but_are_flagged(word):
    p = parsed(f"V{word}__x.sql")
    assert p.kind == "V"
    assert p.version is None
    assert p.reserved_word == word.lower()


def test_long_max_value_is_latest_in_flyway():
    p = parsed("V9223372036854775807__x.sql")
    assert p.reserved_word == "9223372036854775807"


# --- invalid names ----------------------------------------------------------------------------


def test_single_underscore_separator():
    r = invalid("V2_add.sql")
    assert r.reason == ("Invalid versioned migration name format: V2_add.sql "
                        "(could not recognise version number 2_add)")
    assert r.suggestion == "V2__add.sql"


def test_lower_case_prefix():
    r = invalid("v1__x.sql")
    assert r.reason == "Unrecognised migration name format: v1__x.sql"
    assert r.suggestion == "V1__x.sql"
    assert invalid("v2_add.sql").suggestion == "V2__add.sql"
    assert invalid("r__x.sql").suggestion == "R__x.sql"


def test_missing_version():
    r = invalid("V__x.sql")
    assert r.reason == ("Invalid versioned migration name format: V__x.sql (It must contain a version and "
                        "should look like this: V1.2__x.sql)")
    assert r.suggestion is None
    assert "V1.2__description.sql" in invalid("V.sql").reason


def test_repeatable_with_version():
    r = invalid("R1__x.sql")
    assert r.reason == ("Invalid repeatable migration / callback name format: R1__x.sql (It cannot contain a "
                        "version and should look like this: R__x.sql)")
    assert r.suggestion is None  # a version or a typo? not obvious
    r = invalid("Rfoo.sql")  # text before a missing separator counts as a version
    assert r.suggestion is None
    assert invalid("R_x.sql").suggestion == "R__x.sql"


@pytest.mark.parametrize(
    "name, suggestion",
    [
        ("V1.1_desc.sql", "V1.1__desc.sql"),
        ("V1_2_add_col.sql", "V1_2__add_col.sql"),
        ("V2-add.sql", "V2__add.sql"),
        ("V2add.sql", "V2__add.sql"),
        ("V_1__x.sql", "V1__x.sql"),
        ("afterMigrate_x.sql", "afterMigrate__x.sql"),
        ("unrelated.sql", None),
        ("V1..2__x.sql", None),
    ],
)
def test_suggestions(name, suggestion):
    assert invalid(name).suggestion == suggestion


def test_suggestion_is_always_valid():
    for name in ["V2_add.sql", "v1__x.sql", "V1.1_desc.sql", "R_x.sql", "aftermigrate.sql", "V_1__x.sql"]:
        s = invalid(name).suggestion
        assert s is not None and isinstance(parse_name(s, DEFAULT), ParsedName)


@pytest.mark.parametrize("name", ["V+1__x.sql", "V-1__x.sql", "V\u0661__x.sql"])
def test_versions_only_biginteger_accepts(name):
    r = invalid(name)
    assert r.flyway_accepts is True


@pytest.mark.parametrize("name", ["V1__x.sql.bak", "V1__x.txt", "README.md", "V1__x.sql.conf", "V1__x"])
def test_files_without_a_migration_suffix_are_not_resources(name):
    assert parse_name(name, DEFAULT) is None


# --- custom settings ---------------------------------------------------------------------------


def test_custom_prefixes_separator_and_suffixes():
    s = NamingSettings(versioned_prefix="M", repeatable_prefix="RR", separator="-", suffixes=(".pgsql", ".sql"))
    p = parsed("M3-add_x.pgsql", s)
    assert p.kind == "V" and p.version == Version.parse("3") and p.description == "add x" and p.suffix == ".pgsql"
    assert parsed("RR-views.sql", s).kind == "R"
    assert isinstance(parse_name("V1__x.sql", s), InvalidName)  # V is no longer a prefix
    assert invalid("M3_x.pgsql", s).suggestion == "M3-x.pgsql"


def test_longest_prefix_first_with_overlapping_prefixes():
    s = NamingSettings(versioned_prefix="V", repeatable_prefix="VR")
    assert parsed("VR__x.sql", s).kind == "R"
    assert parsed("V1__x.sql", s).kind == "V"


# --- Version (model.Version) --------------------------------------------------------------------


def test_version_examples():
    assert Version.parse("1.1") == Version.parse("1.01") == Version.parse("1_1") == Version.parse("1.1.0")
    assert Version.parse("1") == Version.parse("1.0") == Version.parse("001")
    assert Version.parse("1.10") > Version.parse("1.9")
    assert Version.parse("1_01").text == "1.01"
    for bad in ["", "1.", ".1", "1..2", "a", "1.a", "+1", " 1"]:
        with pytest.raises(ValueError):
            Version.parse(bad)


part_lists = st.lists(st.integers(min_value=0, max_value=10**20), min_size=1, max_size=6)


def _strip(parts):
    parts = list(parts)
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


@st.composite
def version_texts(draw, parts=None):
    parts = draw(part_lists) if parts is None else parts
    text = ""
    for i, part in enumerate(parts):
        if i:
            text += draw(st.sampled_from([".", "_"]))
        text += "0" * draw(st.integers(0, 2)) + str(part)
    return text


@given(part_lists, st.data())
def test_version_equal_whatever_the_spelling(parts, data):
    a = Version.parse(data.draw(version_texts(parts)))
    b = Version.parse(data.draw(version_texts(parts + [0] * data.draw(st.integers(0, 3)))))
    assert a == b
    assert hash(a) == hash(b)
    assert a.parts == _strip(parts)


@given(part_lists, part_lists)
def test_version_order_is_the_order_of_stripped_part_tuples(p1, p2):
    a = Version.parse(".".join(map(str, p1)))
    b = Version.parse(".".join(map(str, p2)))
    s1, s2 = _strip(p1), _strip(p2)
    assert (a < b) == (s1 < s2)
    assert (a == b) == (s1 == s2)
    assert (a > b) == (s1 > s2)
    assert (a <= b) == (s1 <= s2)


@given(version_texts())
def test_version_round_trip(text):
    v = Version.parse(text)
    assert v.text == text.replace("_", ".")
    assert Version.parse(v.text) == v
    assert Version.parse(str(v)).text == v.text


@given(version_texts(), st.text(alphabet="abcxyz_ ", min_size=1, max_size=10))
def test_versioned_names_parse_to_their_version(text, description):
    p = parse_name(f"V{text}__{description}.sql", DEFAULT)
    assert isinstance(p, ParsedName)
    assert p.version == Version.parse(text)
    assert p.description == description.replace("_", " ")
