"""The GitHub Action's one flylint run, built from its inputs (INPUT_* environment variables).

Kept out of action.yml so it can be tested locally:

    INPUT_DIALECT=postgres INPUT_SARIF_FILE=flylint.sarif GITHUB_STEP_SUMMARY=/tmp/s.md \\
        python .github/action/run.py

It runs `flylint lint [options] -- [paths]` with `--format text --format github` (the log, the
annotations and, through GITHUB_STEP_SUMMARY, the step summary) and `--format sarif:FILE` when a
SARIF file is asked for. Options whose input is empty are left out, so flylint's own defaults and
settings apply (and --since / --app-source are only passed when given). The exit code is flylint's.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

OPTIONS = (
    ("INPUT_DIALECT", "--dialect"),
    ("INPUT_DB_VERSION", "--db-version"),
    ("INPUT_SINCE", "--since"),
    ("INPUT_APP_SOURCE", "--app-source"),
    ("INPUT_FAIL_ON", "--fail-on"),
)


def build_args(env) -> list[str]:
    """flylint's arguments (after `flylint`) for the inputs in `env`."""
    args = ["lint"]
    for var, option in OPTIONS:
        value = env.get(var, "").strip()
        if value:
            args += [option, value]
    args += ["--format", "text", "--format", "github"]
    sarif = env.get("INPUT_SARIF_FILE", "").strip()
    if sarif:
        args += ["--format", f"sarif:{sarif}"]
    paths = shlex.split(env.get("INPUT_PATHS", ""))  # spaces or newlines; quote a path with spaces
    if paths:
        args += ["--", *paths]
    return args


def main() -> int:
    env = os.environ
    args = build_args(env)
    sarif = env.get("INPUT_SARIF_FILE", "").strip()
    if sarif and os.path.dirname(sarif):
        os.makedirs(os.path.dirname(sarif), exist_ok=True)
    shown = shlex.join(["flylint", *args]).replace("\r", "\\r").replace("\n", "\\n")
    print(shown, flush=True)  # starts with "flylint": never read as a workflow command
    code = subprocess.run([sys.executable, "-m", "flylint", *args]).returncode
    output = env.get("GITHUB_OUTPUT")
    if output and "\n" not in sarif and "\r" not in sarif:
        with open(output, "a", encoding="utf-8") as fh:
            fh.write(f"sarif-file={sarif if sarif and os.path.isfile(sarif) else ''}\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
