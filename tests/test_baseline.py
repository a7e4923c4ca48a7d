"""flylint baseline / lint --baseline: accept today's findings, report only new ones."""

from __future__ import annotations

import json

from conftest import run_cli
from report_helpers import PROJECT, lint

NEW_BAD = "ALTER TABLE users DROP COLUMN id;\n"


def baseline(root, *args, ok=(0,)):
    proc = run_cli(["baseline", ".", "--dialect", "postgres", "--no-cache", *args], cwd=root)
    assert proc.returncode in ok, proc.stderr
    return proc


def test_round_trip(project):
    root = project(PROJECT)
    total = len(json.loads(lint(root, "--format", "json").stdout)["findings"])
    proc = baseline(root)
    assert f"wrote {total} findings to the baseline flylint-baseline.json" in proc.stderr
    doc = json.loads((root / "flylint-baseline.json").read_text())
    assert doc["version"] == 1 and len(doc["findings"]) == total
    assert {"fingerprint", "rule", "path", "line", "message"} <= set(doc["findings"][0])

    # nothing new: clean, and it says how many were hidden
    proc = lint(root, "--baseline", "flylint-baseline.json", "--fail-on", "info", ok=(0,))
    assert f"{total} findings hidden by the baseline flylint-baseline.json." in proc.stdout
    assert "No problems found" in proc.stdout and "stale" not in proc.stdout

    # lines move and other statements change: still clean
    v3 = root / "V3__typo.sql"
    v3.write_text("-- legacy\n\n" + v3.read_text().replace("(id int)", "(id bigint)"))
    proc = lint(root, "--baseline", "flylint-baseline.json", "--fail-on", "info", ok=(0,))
    assert f"{total} findings hidden" in proc.stdout

    # a new bad migration: only it is reported
    (root / "V4__more.sql").write_text(NEW_BAD)
    doc = json.loads(lint(root, "--baseline", "flylint-baseline.json", "--format", "json", ok=(1,)).stdout)
    assert {f["path"] for f in doc["findings"]} == {"V4__more.sql"}
    assert doc["baseline"] == {"file": "flylint-baseline.json", "hidden": total, "stale": []}

    # a fixed finding: its entry is stale and reported, without failing the build
    (root / "V4__more.sql").unlink()
    v3.write_text("CREATE TABLE t (id int);\n")
    proc = lint(root, "--baseline", "flylint-baseline.json", ok=(0,))
    assert "1 baseline entry no longer matches anything" in proc.stdout
    assert "stale: V3__typo.sql:2: [unanalysed-statement]" in proc.stdout
    assert "run 'flylint baseline --output flylint-baseline.json' to drop it" in proc.stdout
    doc = json.loads(lint(root, "--baseline", "flylint-baseline.json", "--format", "json").stdout)
    assert [e["rule"] for e in doc["baseline"]["stale"]] == ["unanalysed-statement"]

    # regenerate: the stale entry is gone
    baseline(root)
    proc = lint(root, "--baseline", "flylint-baseline.json")
    assert "stale" not in proc.stdout and f"{total - 1} findings hidden" in proc.stdout


def test_removed_migration_makes_its_entries_stale(project):
    root = project(PROJECT)
    baseline(root, "--output", "base.json")
    (root / "V3__typo.sql").unlink()
    proc = lint(root, "--baseline", "base.json", "--format", "json")
    stale = json.loads(proc.stdout)["baseline"]["stale"]
    assert {e["path"] for e in stale} == {"V3__typo.sql"}
    # without text on stdout, the baseline's note goes to stderr
    assert "flylint: 1 baseline entry no longer matches anything" in proc.stderr


def test_entries_outside_this_run_are_not_stale(project):
    root = project(PROJECT)
    baseline(root)
    proc = lint(root, "--baseline", "flylint-baseline.json", "--select", "drop-column", "--format", "json")
    assert json.loads(proc.stdout)["baseline"]["stale"] == []  # other rules did not run
    proc = run_cli(["lint", "V2__drop.sql", "--dialect", "postgres", "--no-cache", "--baseline",
                    "flylint-baseline.json", "--format", "json"], cwd=root)
    doc = json.loads(proc.stdout)
    assert doc["baseline"]["stale"] == [] and doc["findings"] == []  # other files were not linted


def test_baseline_from_settings_and_no_baseline(project):
    root = project({**PROJECT, "flylint.toml": 'dialect = "postgres"\nbaseline = "ci/baseline.json"\n'})
    (root / "ci").mkdir()
    proc = run_cli(["baseline", "."], cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert (root / "ci/baseline.json").is_file()
    proc = run_cli(["lint", "."], cwd=root)
    assert proc.returncode == 0 and "hidden by the baseline" in proc.stdout
    proc = run_cli(["lint", ".", "--no-baseline"], cwd=root)
    assert proc.returncode == 1 and "hidden" not in proc.stdout


def test_bad_baseline_files_are_usage_errors(project):
    root = project({**PROJECT, "bad.json": "{not json", "other.json": '{"version": 1, "findings": [1]}'})
    for name, needle in (("missing.json", "baseline file not found"), ("bad.json", "invalid JSON"),
                         ("other.json", "not a flylint baseline")):
        proc = lint(root, "--baseline", name, ok=(2,))
        assert needle in proc.stderr and "Traceback" not in proc.stderr


def test_baseline_takes_lints_discovery_options_not_its_output_options(project):
    root = project(PROJECT)
    proc = baseline(root, "--ignore", "unanalysed-statement", "--output", "b.json")
    rules = {e["rule"] for e in json.loads((root / "b.json").read_text())["findings"]}
    assert "unanalysed-statement" not in rules and "drop-column" in rules
    proc = baseline(root, "--format", "json", ok=(2,))
    assert "No such option" in proc.stderr
    help_text = run_cli(["baseline", "--help"], cwd=root).stdout
    for opt in ("--dialect", "--db-version", "--select", "--ignore", "--config", "--flyway-config", "--output"):
        assert opt in help_text


def test_baseline_outcome_reaches_the_step_summary_and_sarif_has_only_new_findings(project, tmp_path_factory):
    root = project(PROJECT)
    baseline(root)
    (root / "V4__more.sql").write_text(NEW_BAD)
    summary = tmp_path_factory.mktemp("gh") / "summary.md"
    proc = lint(root, "--baseline", "flylint-baseline.json", "--format", "github", "--format", "sarif:f.sarif",
                env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert {line.split(",")[0] for line in proc.stdout.splitlines()} <= {"::error file=V4__more.sql",
                                                                           "::warning file=V4__more.sql"}
    results = json.loads((root / "f.sarif").read_text())["runs"][0]["results"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {"V4__more.sql"}
    assert "findings hidden by the baseline flylint-baseline.json." in summary.read_text()
