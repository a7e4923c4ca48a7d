"""--format sarif: SARIF 2.1.0 structure for GitHub code scanning, and stable fingerprints."""

from __future__ import annotations

import json
import re
import subprocess
from urllib.parse import unquote

import pytest

from conftest import REPO
from report_helpers import PROJECT, findings_json, lint
from test_report_github import HOSTILE

LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def sarif(root, *args):
    return json.loads(lint(root, "--format", "sarif", *args).stdout)


@pytest.mark.parametrize("files", [PROJECT, HOSTILE], ids=["plain", "hostile"])
def test_required_structure_and_rules(project, files):
    root = project(files)
    expected = findings_json(root)
    doc = sarif(root)
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "flylint" and driver["version"] and driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    assert set(ids) == {f["rule"] for f in expected}  # every rule that fired, and only those
    for r in rules:
        assert r["name"] and " " not in r["name"]
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"]
        assert len(r["fullDescription"]["text"]) <= 1024
        assert r["helpUri"].endswith(f"/docs/rules/{r['id']}.md")
        assert r["help"]["text"]
        assert r["defaultConfiguration"]["level"] in ("note", "warning", "error")
        assert "flylint" in r["properties"]["tags"]
    drop = rules[ids.index("drop-column")]  # both projects drop a column
    assert drop["defaultConfiguration"]["level"] == "error" and "destructive" in drop["properties"]["tags"]
    assert len(run["results"]) == len(expected)
    for res, f in zip(run["results"], expected):
        assert res["ruleId"] == f["rule"]
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] == LEVELS[f["severity"]]
        assert res["message"]["text"].startswith(f["message"])
        (loc,) = res["locations"]
        art = loc["physicalLocation"]["artifactLocation"]
        assert art["uriBaseId"] == "%SRCROOT%" and unquote(art["uri"]) == f["path"]
        assert re.fullmatch(r"[A-Za-z0-9._~/%!$&'()*+,;=:@-]+", art["uri"]), art["uri"]  # a valid relative URI
        region = loc["physicalLocation"]["region"]
        assert region == {"startLine": f["line"], "startColumn": f["column"], "endLine": f["end_line"],
                          "endColumn": f["end_column"] + 1}
        assert res["partialFingerprints"]["flylint/v1"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == root.as_uri() + "/"


def test_uris_are_relative_to_the_repository_root_and_encoded(project):
    root = project({"db/migration/V1__a b%.sql": "CREATE TABLE t (id int);\nALTER TABLE t FOO BAR;\n"})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (run,) = json.loads(lint(root / "db", "--format", "sarif").stdout)["runs"]  # run from a subfolder
    (res,) = run["results"]
    art = res["locations"][0]["physicalLocation"]["artifactLocation"]
    assert art == {"uri": "db/migration/V1__a%20b%25.sql", "uriBaseId": "%SRCROOT%"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == root.as_uri() + "/"


def test_fingerprints_survive_a_line_shift_and_edits_elsewhere(project):
    root = project(PROJECT)

    def prints():
        return [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                 r["partialFingerprints"]["flylint/v1"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
                for r in sarif(root)["runs"][0]["results"]]

    before = prints()
    assert len({p[2] for p in before}) == len(before)
    for name in ("V2__drop.sql", "V3__typo.sql"):
        path = root / name
        path.write_text("-- reviewed\n\n\n" + path.read_text().replace("CREATE TABLE t", "CREATE TABLE  t"))
    after = prints()
    assert [p[3] for p in after] == [p[3] + 3 if p[1] != "V1__init.sql" else p[3] for p in before]  # lines moved
    assert [p[:3] for p in after] == [p[:3] for p in before]  # fingerprints did not


def test_editing_the_statement_itself_changes_its_fingerprint(project):
    root = project(PROJECT)
    fp = {r["ruleId"]: r["partialFingerprints"]["flylint/v1"] for r in sarif(root)["runs"][0]["results"]}
    (root / "V3__typo.sql").write_text("CREATE TABLE t (id int);\nALTER TABLE t FOO BAZ;\n")
    fp2 = {r["ruleId"]: r["partialFingerprints"]["flylint/v1"] for r in sarif(root)["runs"][0]["results"]}
    assert fp2["unanalysed-statement"] != fp["unanalysed-statement"]
    assert fp2["drop-column"] == fp["drop-column"]


def test_clean_project_is_a_valid_empty_run(project):
    root = project({"V1__init.sql": "CREATE TABLE t (id int);\n"})
    (run,) = json.loads(lint(root, "--format", "sarif", ok=(0,)).stdout)["runs"]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []


@pytest.mark.parametrize("files", [PROJECT, HOSTILE], ids=["plain", "hostile"])
def test_valid_against_the_sarif_schema(project, files):
    """tests/data/sarif-schema-2.1.0.json: the OASIS SARIF 2.1.0 schema (errata 01), as its `id` says."""
    import jsonschema

    schema = json.loads((REPO / "tests/data/sarif-schema-2.1.0.json").read_text())
    doc = sarif(project(files))
    assert doc["runs"][0]["results"]
    errors = [e.message for e in jsonschema.Draft4Validator(schema).iter_errors(doc)]
    assert errors == []
    broken = json.loads(json.dumps(doc))
    del broken["runs"][0]["results"][0]["message"]  # the validator does notice a missing property
    assert list(jsonschema.Draft4Validator(schema).iter_errors(broken))
