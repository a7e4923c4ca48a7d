"""--format gitlab: a Code Quality report with unique fingerprints that survive line shifts."""

from __future__ import annotations

import json

import pytest

from report_helpers import PROJECT, findings_json, lint
from test_report_github import HOSTILE

SEVERITY = {"error": "critical", "warning": "major", "info": "info"}
# Two identical bad statements in one file, and the same one in another file: still unique.
TWINS = {
    "V1__a.sql": "CREATE TABLE t (id int);\nALTER TABLE t FOO BAR;\nALTER TABLE t FOO BAR;\n",
    "V2__b.sql": "ALTER TABLE t FOO BAR;\n",
}


def gitlab(root):
    return json.loads(lint(root, "--format", "gitlab").stdout)


@pytest.mark.parametrize("files", [PROJECT, HOSTILE], ids=["plain", "hostile"])
def test_fields_and_severities(project, files):
    root = project(files)
    expected = findings_json(root)
    issues = gitlab(root)
    assert isinstance(issues, list) and len(issues) == len(expected)
    for issue, f in zip(issues, expected):
        assert issue["description"] == f["message"]
        assert issue["check_name"] == f["rule"]
        assert issue["severity"] == SEVERITY[f["severity"]]
        assert issue["location"]["path"] == f["path"]
        assert issue["location"]["lines"]["begin"] == f["line"]
        assert isinstance(issue["fingerprint"], str) and len(issue["fingerprint"]) == 32
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_fingerprints_unique_and_stable_across_a_line_shift(project):
    root = project(TWINS)
    before = gitlab(root)
    prints = [i["fingerprint"] for i in before]
    assert len(before) == 3 and len(set(prints)) == 3
    for name in TWINS:
        path = root / name
        path.write_text("-- a comment\n\n/* and a block\n   comment */\n" + path.read_text())
    after = gitlab(root)
    assert [i["location"]["lines"]["begin"] for i in after] == [i["location"]["lines"]["begin"] + 4 for i in before]
    assert [i["fingerprint"] for i in after] == prints


def test_no_bom_and_empty_array_when_clean(project):
    root = project({"V1__init.sql": "CREATE TABLE t (id int);\n"})
    out = lint(root, "--format", "gitlab", "--format", "text:out.txt", ok=(0,)).stdout
    assert not out.startswith("\ufeff")
    assert json.loads(out) == []
