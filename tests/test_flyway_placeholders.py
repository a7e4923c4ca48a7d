"""Placeholder replacement (flyway.md section 4) and the offset map back to the original text."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from flylint.flyway import facts
from flylint.flyway.placeholders import builtin_values, replace_placeholders, undefined_facts
from flylint.text import LineIndex
from flylint.model import Span


def rep(text, values=None, **kw):
    kw.setdefault("filename", "V1__x.sql")
    return replace_placeholders(text, values or {}, **kw)


def test_simple_replacement_everywhere():
    text = "CREATE TABLE ${schema}.t (c text DEFAULT '${schema}'); -- ${schema}\n$$ ${schema} $$ /* ${schema} */"
    r = rep(text, {"schema": "app"})
    assert r.text == "CREATE TABLE app.t (c text DEFAULT 'app'); -- app\n$$ app $$ /* app */"
    assert r.undefined == ()
    assert [u.name for u in r.uses] == ["schema"] * 5


def test_lookup_is_case_insensitive():
    assert rep("${Schema} ${SCHEMA}", {"sChEmA": "x"}).text == "x x"


def test_empty_value_removes_placeholder():
    assert rep("a${e}b", {"e": ""}).text == "ab"


def test_undefined_is_recorded_and_left_alone():
    text = "SELECT ${nope} FROM ${t};"
    r = rep(text, {"t": "tab"})
    assert r.text == "SELECT ${nope} FROM tab;"
    assert [(u.name, u.start, u.end) for u in r.undefined] == [("nope", 7, 14)]
    assert text[7:14] == "${nope}"


def test_unterminated_placeholder_is_undefined():
    text = "SELECT 1;\nSELECT ${oops\nFROM x;"
    r = rep(text, {"oops": "no"})
    assert r.text == text
    assert len(r.undefined) == 1
    u = r.undefined[0]
    assert (u.name, u.start, u.end) == ("oops", text.index("${"), len(text))


def test_name_is_not_trimmed_and_may_span_lines():
    r = rep("${ a } ${b\nc}", {"a": "no", " a ": "yes", "b\nc": "bc"})
    assert r.text == "yes bc"


def test_failed_prefix_attempt_consumes_the_characters():
    # Flyway's reader emits '$$' verbatim and continues after it, so this is no placeholder.
    assert rep("$${a}", {"a": "X"}).text == "$${a}"
    assert rep("$ ${a}", {"a": "X"}).text == "$ X"
    assert rep("${a}${a}", {"a": "X"}).text == "XX"


def test_values_are_not_rescanned():
    assert rep("${a}", {"a": "${b}", "b": "no"}).text == "${b}"


def test_disabled():
    r = rep("${a}", {"a": "x"}, enabled=False)
    assert r.text == "${a}" and r.undefined == () and r.to_original(2) == 2


def test_custom_prefix_suffix():
    r = rep("SELECT #[a] FROM ${a}", {"a": "x"}, prefix="#[", suffix="]")
    assert r.text == "SELECT x FROM ${a}"


def test_builtins_are_defined_and_win_over_configured_values():
    r = rep("${flyway:defaultSchema}.${flyway:table} ${FLYWAY:FILENAME} ${flyway:timestamp}",
            {"flyway:table": "mine"}, builtins={"defaultSchema": "s", "table": "hist"}, filename="V2__y.sql")
    assert r.undefined == ()
    assert r.text.startswith("s.hist V2__y.sql ")
    for name in ["user", "database", "workingDirectory", "environment"]:
        assert rep("${flyway:%s}" % name).undefined == ()


def test_builtins_may_be_given_by_full_name():
    r = rep("${flyway:table}/${flyway:filename}", builtins={"flyway:table": "h", "FLYWAY:FILENAME": "f.sql"})
    assert r.text == "h/f.sql"
    assert replace_placeholders("${flyway:filename}", {}).text == ""


def test_builtins_follow_the_separator():
    assert rep("${flyway.table}", separator=".", builtins={"table": "h"}).text == "h"
    assert rep("${flyway:table}", separator=".").undefined[0].name == "flyway:table"
    assert "flyway.user" in builtin_values(".")


def test_to_original_examples():
    text = "ab${x}cd${long_name}ef"
    r = rep(text, {"x": "XYZW", "long_name": "L"})
    assert r.text == "abXYZWcdLef"
    assert r.to_original(0) == 0 and r.to_original(1) == 1
    for i in range(2, 6):  # inside "XYZW"
        assert r.to_original(i) == 2
    assert r.to_original(6) == text.index("cd")
    assert r.to_original(8) == text.index("${long")
    assert r.to_original(9) == text.index("ef")
    assert r.to_original(len(r.text)) == len(text)


def test_to_original_with_empty_values_and_adjacent_placeholders():
    text = "${e}${a}z"
    r = rep(text, {"e": "", "a": "A"})
    assert r.text == "Az"
    assert r.to_original(0) == 4  # 'A' comes from ${a}
    assert r.to_original(1) == 8  # 'z'


def test_line_index_and_facts():
    text = "a\r\nbb\rc\n${zz}"
    idx = LineIndex(text)
    assert idx.position(0) == (1, 1)
    assert idx.position(3) == (2, 1)
    assert idx.position(6) == (3, 1)
    assert idx.position(8) == (4, 1)
    r = rep(text)
    [fact] = undefined_facts(Path("/p/V1__x.sql"), text, r)
    assert fact == facts.UndefinedPlaceholder(Path("/p/V1__x.sql"), "zz", Span(4, 1, 4, 5))


# --- property: every character outside a placeholder maps back to itself -----------------------

names = st.text(alphabet="abcXY_:", min_size=1, max_size=6)
plain = st.text(alphabet=st.sampled_from(list("ab${}\n é")), max_size=8)


@st.composite
def texts_with_placeholders(draw):
    values = draw(st.dictionaries(names, st.text(alphabet="xyz${}\n", max_size=5), max_size=4))
    pieces = []
    for _ in range(draw(st.integers(0, 6))):
        pieces.append(draw(plain))
        choice = draw(st.integers(0, 2))
        if choice == 0 and values:
            pieces.append("${" + draw(st.sampled_from(sorted(values))) + "}")
        elif choice == 1:
            pieces.append("${" + draw(names) + "}")  # maybe undefined
    return "".join(pieces), values


@given(texts_with_placeholders())
def test_offsets_outside_placeholders_map_to_the_same_character(case):
    text, values = case
    r = rep(text, values)
    # Which offsets of the replaced text come from a replacement value?
    inside = [False] * len(r.text)
    for start, end in zip(r._new_starts, r._new_ends):
        for i in range(start, end):
            inside[i] = True
    for i, ch in enumerate(r.text):
        j = r.to_original(i)
        assert 0 <= j <= len(text)
        if inside[i]:
            use = next(u for u in r.uses if u.start == j)
            assert text[use.start:use.end].startswith("${")
        else:
            assert text[j] == ch
    assert r.to_original(len(r.text)) == len(text)
    # mapping is monotonic
    mapped = [r.to_original(i) for i in range(len(r.text) + 1)]
    assert mapped == sorted(mapped)
    # undefined ranges really are placeholders of the original
    for u in r.undefined:
        assert text[u.start:u.start + 2] == "${"


@given(st.text(max_size=30).map(lambda t: t.replace("$", "")))
def test_without_prefix_text_is_untouched(text):
    r = rep(text, {"a": "b"})
    assert r.text is text
    assert r.to_original(len(r.text) // 2) == len(r.text) // 2
