"""The GitHub Action (action.yml + .github/action/run.py) and the pre-commit hook, run locally."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys

import yaml

from conftest import REPO
from report_helpers import PROJECT, parse_command

RUN_PY = REPO / ".github" / "action" / "run.py"


def load_run_py():
    spec = importlib.util.spec_from_file_location("flylint_action_run", RUN_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_action(cwd, inputs: dict[str, str], tmp):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYWAY", "FLYLINT", "INPUT_", "GITHUB_"))}
    env.update({f"INPUT_{k.upper().replace('-', '_')}": v for k, v in inputs.items()})
    env["GITHUB_STEP_SUMMARY"] = str(tmp / "summary.md")
    env["GITHUB_OUTPUT"] = str(tmp / "output.txt")
    return subprocess.run([sys.executable, str(RUN_PY)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def test_action_metadata_matches_the_script():
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert set(inputs) == {"paths", "dialect", "db-version", "since", "app-source", "fail-on", "sarif-file",
                           "python-version"}
    assert "github.event.pull_request.base.sha" in inputs["since"]["default"]
    steps = action["runs"]["steps"]
    install = next(s for s in steps if s.get("name") == "Install flylint")
    assert 'pip install' in install["run"] and '"${{ github.action_path }}"' in install["run"]
    lint = next(s for s in steps if s.get("id") == "lint")
    assert lint["run"] == 'python "${{ github.action_path }}/.github/action/run.py"'
    # every input but python-version reaches the script as INPUT_<NAME>, and nothing is spliced in
    for name in set(inputs) - {"python-version"}:
        var = "INPUT_" + name.upper().replace("-", "_")
        assert lint["env"][var] == "${{ inputs.%s }}" % name
        assert var in RUN_PY.read_text()
    assert "inputs." not in lint["run"]
    assert action["outputs"]["sarif-file"]["value"] == "${{ steps.lint.outputs.sarif-file }}"


def test_arguments_only_for_given_inputs():
    build = load_run_py().build_args
    assert build({}) == ["lint", "--format", "text", "--format", "github"]
    args = build({"INPUT_DIALECT": "mysql", "INPUT_DB_VERSION": "8.0.35", "INPUT_SINCE": "abc123",
                  "INPUT_APP_SOURCE": "src/main", "INPUT_FAIL_ON": "warning", "INPUT_SARIF_FILE": "out/f.sarif",
                  "INPUT_PATHS": "db/migration\n'other dir/sql' --x"})
    assert args == ["lint", "--dialect", "mysql", "--db-version", "8.0.35", "--since", "abc123",
                    "--app-source", "src/main", "--fail-on", "warning", "--format", "text", "--format", "github",
                    "--format", "sarif:out/f.sarif", "--", "db/migration", "other dir/sql", "--x"]
    assert "--since" not in build({"INPUT_SINCE": "  ", "INPUT_APP_SOURCE": ""})


def test_action_run_locally_on_a_project(project, tmp_path_factory):
    root = project({f"db/migration/{k}": v for k, v in PROJECT.items()})
    tmp = tmp_path_factory.mktemp("gh")
    proc = run_action(root, {"paths": "db/migration", "dialect": "postgres", "since": "", "app-source": "",
                             "fail-on": "error", "sarif-file": "reports/flylint.sarif"}, tmp)
    assert proc.returncode == 1, proc.stderr  # the drop-column error fails the step
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("flylint lint --dialect postgres --fail-on error --format text")
    assert "--since" not in lines[0] and "--app-source" not in lines[0]
    assert any("error[drop-column]" in line for line in lines)  # the text output for the log
    commands = [parse_command(line) for line in lines if line.startswith("::")]
    assert ("error", "db/migration/V2__drop.sql") in {(c, p["file"]) for c, p, _ in commands}
    summary = (tmp / "summary.md").read_text()
    assert summary.startswith("## flylint") and "db/migration/V2\\_\\_drop.sql:1" in summary
    sarif = json.loads((root / "reports/flylint.sarif").read_text())
    results = sarif["runs"][0]["results"]
    assert len(results) == len(commands)
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} >= {
        "db/migration/V2__drop.sql", "db/migration/V3__typo.sql"}
    assert (tmp / "output.txt").read_text() == "sarif-file=reports/flylint.sarif\n"


def test_action_passes_on_a_clean_project_without_sarif(project, tmp_path_factory):
    root = project({"db/migration/V1__init.sql": "CREATE TABLE t (id int);\n",
                    "flylint.toml": 'dialect = "postgres"\npaths = ["db/migration"]\n'})
    tmp = tmp_path_factory.mktemp("gh")
    proc = run_action(root, {"sarif-file": "", "since": ""}, tmp)
    assert proc.returncode == 0, proc.stderr
    assert "No problems found in 1 migration" in proc.stdout and "::" not in proc.stdout
    assert "No problems found" in (tmp / "summary.md").read_text()
    assert (tmp / "output.txt").read_text() == "sarif-file=\n"


def test_pre_commit_hook_matches_migrations_and_lint_takes_file_names(project):
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "flylint" and hook["entry"] == "flylint lint" and hook["pass_filenames"] is True
    files = re.compile(hook["files"])
    for name in ("V1__init.sql", "db/migration/V2_1__Add_x.sql", "src/main/resources/db/migration/R__views.sql",
                 "U3__undo.sql", "B5__baseline.sql"):
        assert files.search(name), name
    for name in ("README.md", "V1__init.sql.conf", "sql/schema.sql", "db/V1_init.sql", "Vx/notes.sql"):
        assert not files.search(name), name
    # pre-commit runs the entry with the changed files as arguments
    root = project({"db/migration/V1__init.sql": PROJECT["V1__init.sql"],
                    "db/migration/V2__drop.sql": PROJECT["V2__drop.sql"],
                    "flylint.toml": 'dialect = "postgres"\n'})
    proc = subprocess.run([sys.executable, "-m", "flylint", "lint", "db/migration/V2__drop.sql", "--no-cache"],
                          cwd=root, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "db/migration/V2__drop.sql:1:1: error[drop-column]" in proc.stdout
