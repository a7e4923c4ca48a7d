"""--format github: workflow commands the runner parses back exactly, and the step summary."""

from __future__ import annotations

import pytest

from report_helpers import PROJECT, findings_json, lint, parse_command

# File names and identifiers full of what workflow commands treat specially.
EVIL_TABLE = 't%25,x:y::warning::z'
EVIL_COLUMN = 'c\r\n::error file=x::pwned%0A,:'
HOSTILE = {
    "V1__init.sql": f'CREATE TABLE "{EVIL_TABLE}" (id int, "{EVIL_COLUMN}" int);\n',
    "V2__a%0A::warning x,y:z %.sql": f'ALTER TABLE "{EVIL_TABLE}" DROP COLUMN "{EVIL_COLUMN}";\n',
    "V3__b\r::error::x.sql": "ALTER TABLE nothing FOO BAR;\n",
}


@pytest.mark.parametrize("files", [PROJECT, HOSTILE], ids=["plain", "hostile"])
def test_every_finding_is_one_command_the_runner_reads_back_exactly(project, files):
    root = project(files)
    expected = findings_json(root, "--fail-on", "never")
    assert expected, "the project must produce findings"
    out = lint(root, "--format", "github").stdout
    lines = out.split("\n")
    assert lines[-1] == ""
    lines = lines[:-1]
    assert len(lines) == len(expected)  # no finding broke its line or added one
    kinds = {"error": "error", "warning": "warning", "info": "notice"}
    for line, f in zip(lines, expected):
        assert "\r" not in line
        command, props, message = parse_command(line)
        assert command == kinds[f["severity"]]
        assert set(props) == {"file", "line", "endLine", "col", "endColumn", "title"}
        assert props["file"] == f["path"]
        assert props["title"] == f"flylint ({f['rule']})"
        assert (int(props["line"]), int(props["col"])) == (f["line"], f["column"])
        assert (int(props["endLine"]), int(props["endColumn"])) == (f["end_line"], f["end_column"] + 1)
        assert message == f["message"] + (f"\n\nfix: {f['fix']}" if f["fix"] else "")


def test_hostile_identifiers_reach_the_message_but_never_start_a_command(project):
    root = project(HOSTILE)
    out = lint(root, "--format", "github").stdout
    drop = [line for line in out.splitlines() if "(drop-column)" in line]
    assert len(drop) == 1
    _, props, message = parse_command(drop[0])
    assert EVIL_COLUMN in message and EVIL_TABLE in message
    assert props["file"] == "V2__a%0A::warning x,y:z %.sql"
    # the raw line keeps the dangerous characters escaped
    assert "%0D%0A::error file=x::pwned%250A" in drop[0]
    assert "file=V2__a%250A%3A%3Awarning x%2Cy%3Az %25.sql," in drop[0]


def test_step_summary_lists_every_finding(project, tmp_path_factory):
    root = project(PROJECT)
    summary = tmp_path_factory.mktemp("gh") / "summary.md"
    summary.write_text("earlier step\n")
    expected = findings_json(root)
    proc = lint(root, "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert proc.returncode == 1
    text = summary.read_text()
    assert text.startswith("earlier step\n## flylint\n")  # appended, not overwritten
    assert "| class | findings |" in text
    assert "| destructive | 1 |" in text and "| unanalysed | 1 |" in text
    rows = [r for r in text.splitlines() if r.startswith("| V")]
    assert len(rows) == len(expected)
    for row, f in zip(rows, expected):
        assert row.startswith(f"| V{f['path'][1:].replace('_', chr(92) + '_')}:{f['line']} | {f['severity']} |")
        assert row.count(" | ") == 4


def test_step_summary_cells_cannot_break_the_table(project, tmp_path_factory):
    root = project(HOSTILE)
    summary = tmp_path_factory.mktemp("gh") / "summary.md"
    lint(root, "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    table = summary.read_text().split("| file:line | severity | rule | message | fix |\n|---|---|---|---|---|\n")[1]
    rows = [r for r in table.split("\n") if r]
    n = len(findings_json(root))
    assert len(rows) == n
    for row in rows:
        unescaped_pipes = row.replace("\\|", "").count("|")
        assert unescaped_pipes == 6, row  # 5 cells: nothing in a cell opened another one


def test_without_step_summary_variable_nothing_is_written(project):
    root = project(PROJECT)
    proc = lint(root, "--format", "github")
    assert proc.stdout.startswith("::")
    assert not list(root.glob("*.md"))


def test_clean_project_prints_nothing_and_summary_says_so(project, tmp_path_factory):
    root = project({"V1__init.sql": "CREATE TABLE t (id int);\n"})
    summary = tmp_path_factory.mktemp("gh") / "summary.md"
    proc = lint(root, "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)}, ok=(0,))
    assert proc.stdout == ""
    assert "No problems found in 1 migration" in summary.read_text()
