"""--format junit: one test case per migration, a failure per finding at or above --fail-on."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from report_helpers import PROJECT, findings_json, lint


def junit(root, *args):
    out = lint(root, "--format", "junit", *args).stdout
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(out.encode("utf-8"))


def test_one_case_per_migration_and_failures_at_fail_on(project):
    root = project(PROJECT)
    expected = findings_json(root)
    suites = junit(root)
    (suite,) = suites.findall("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["V1__init.sql", "V2__drop.sql", "V3__typo.sql"]
    assert all(c.get("classname") == "flylint" for c in cases)
    by_name = {c.get("name"): c for c in cases}
    (fail,) = by_name["V2__drop.sql"].findall("failure")  # the error; its lock warning is not a failure
    assert fail.get("type") == "drop-column"
    assert "users.last_name" in fail.get("message") and "fix:" in fail.text
    assert by_name["V1__init.sql"].find("failure") is None
    assert "unanalysed-statement" in by_name["V3__typo.sql"].find("system-out").text
    assert suite.get("tests") == "3" and suite.get("failures") == "1"
    assert sum(f["severity"] == "error" for f in expected) == 1

    suites = junit(root, "--fail-on", "warning")
    failures = suites.findall(".//failure")
    assert len(failures) == sum(f["severity"] in ("error", "warning") for f in expected)
    assert suites.get("failures") == "2"
    assert not junit(root, "--fail-on", "never").findall(".//failure")


def test_control_characters_and_markup_survive_as_valid_xml(project):
    evil = 'c\x01\x1b[31m<b>&amp;\'\x7f\r\n]]>'  # no double quote: it would end the identifier
    root = project({
        "V1__init.sql": f'CREATE TABLE "t<&>" (id int, "{evil}" int);\n',
        "V2__x<&>\x02.sql": f'ALTER TABLE "t<&>" DROP COLUMN "{evil}";\n',
    })
    suites = junit(root)
    names = [c.get("name") for c in suites.iter("testcase")]
    assert names == ["V1__init.sql", "V2__x<&>\\x02.sql"]
    (fail,) = [f for f in suites.iter("failure") if f.get("type") == "drop-column"]
    assert "\\x01\\x1b[31m<b>&amp;" in fail.get("message")
    assert "]]>" in fail.text
