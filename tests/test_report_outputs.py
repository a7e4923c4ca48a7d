"""Several outputs in one run: --format FORMAT[:FILE], repeatable, files written atomically."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import pytest

from report_helpers import PROJECT, lint


def test_text_github_and_files_in_one_run(project, tmp_path_factory):
    root = project(PROJECT)
    summary = tmp_path_factory.mktemp("gh") / "summary.md"
    (root / "reports").mkdir()
    proc = lint(root, "--format", "text", "--format", "sarif:reports/flylint.sarif", "--format", "github",
                "--format", "gitlab:gl-code-quality-report.json", "--format", "junit:reports/junit.xml",
                "--format", "json:out.json", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert proc.returncode == 1
    text, _, commands = proc.stdout.partition("\n::")  # text first, then the workflow commands
    assert "error[drop-column]" in text and text.rstrip().endswith("unanalysed).")
    assert all(line.startswith("::") for line in ("::" + commands).splitlines())
    doc = json.loads((root / "out.json").read_text())
    n = len(doc["findings"])
    assert len(("::" + commands).splitlines()) == n
    assert len(json.loads((root / "reports/flylint.sarif").read_text())["runs"][0]["results"]) == n
    assert len(json.loads((root / "gl-code-quality-report.json").read_text())) == n
    assert len(ET.parse(root / "reports/junit.xml").getroot().findall(".//testcase")) == 3
    assert "| file:line |" in summary.read_text()
    assert not [p for p in root.rglob("*.tmp")]  # no temporary file left behind
    mode = (root / "reports/flylint.sarif").stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_file_output_equals_stdout_output(project):
    root = project(PROJECT)
    to_stdout = lint(root, "--format", "sarif").stdout
    lint(root, "--format", "sarif:f.sarif")
    assert (root / "f.sarif").read_text() == to_stdout


def test_a_file_is_replaced_whole(project):
    root = project(PROJECT)
    (root / "f.json").write_text("x" * 100_000)
    lint(root, "--format", "json:f.json")
    assert json.loads((root / "f.json").read_text())["version"] == 1


@pytest.mark.parametrize("formats,needle", [
    (["text", "json"], "only one --format can write to standard output"),
    (["sarif", "github"], "only one --format can write to standard output"),
    (["github", "github"], "only one --format can write to standard output"),
    (["xml"], "unknown --format 'xml'"),
    (["sarif:"], "the file name after ':' is missing"),
    (["sarif:no/such/dir/f.sarif"], "does not exist"),
    (["sarif:a.sarif", "json:a.sarif"], "write the same file"),
])
def test_bad_format_options_are_usage_errors(project, formats, needle):
    root = project(PROJECT)
    args = [a for f in formats for a in ("--format", f)]
    proc = lint(root, *args, ok=(2,))
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


@pytest.mark.skipif(not os.path.isfile("/proc/version"), reason="needs Linux /proc")
def test_a_folder_that_refuses_new_files_is_named(project):
    """/proc/version exists but no file can be created next to it: say so, exit 2."""
    proc = lint(project(PROJECT), "--format", "json:/proc/version", ok=(2,))
    assert "cannot create a file in /proc" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_json_writer_is_the_standard_indented_form():
    """report.json.dumps is json.dumps(indent=2, ensure_ascii=False), only faster: same text on
    edge cases and on the real documents of every fixture project."""
    from pathlib import Path

    from flylint.engine import Options, run
    from flylint.report.json import document, dumps

    cases = [{}, [], {"a": []}, {"a": {}}, [1, [2, [3, {}]]], {"é": "x\"\\\n\t\u0001\u2028😀"}, None, True, 0,
             -5, "s", {"a": 1.5}, {1: "x"}, {"a": [None, True, False, {"b": (1, 2)}]}, [[[]]]]
    for case in cases:
        assert dumps(case) == json.dumps(case, indent=2, ensure_ascii=False), case
    fixtures = Path(__file__).parent.parent / "fixtures"
    for name, dialect in (("rename-last-name/postgres", "postgres"), ("realistic-mysql", "mysql"),
                          ("flyway-hygiene", "postgres")):
        root = fixtures / name
        doc = document(run(Options(cwd=root, paths=(root,), dialect=dialect, cache=False)))
        assert doc["findings"] and doc["migrations"]
        assert dumps(doc) == json.dumps(doc, indent=2, ensure_ascii=False)
