"""Baseline: accept today's findings in a long history, report only new ones.

`flylint baseline --output flylint-baseline.json` records one entry per finding: its fingerprint
(flylint.report.fingerprint, shared with SARIF and GitLab: it survives line shifts and edits
elsewhere in the file) and, for people reading the file, the rule, the repository-relative path,
the line and the message at the time. `flylint lint --baseline flylint-baseline.json` drops the
findings whose fingerprint is in the file, counts them, and lists the entries that no longer match
anything (fixed, or the statement was edited) so the file can shrink: those are a summary line,
not findings, so a stale entry never fails a build. An entry counts as stale only when this run
could have matched it: its rule ran and its file was linted (or no longer exists).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from flylint import __version__
from flylint.report.fingerprint import fingerprints, project_root, repo_path

BASELINE_VERSION = 1
DEFAULT_FILE = "flylint-baseline.json"


class BaselineError(Exception):
    """The baseline file is missing or malformed: one line, exit code 2."""


@dataclass(frozen=True)
class Outcome:
    file: str  # as given
    hidden: int  # findings dropped because the baseline has them
    stale: tuple[dict, ...]  # entries that matched nothing in this run


def document(result, cwd: Path) -> dict:
    root = project_root(cwd)
    entries = [
        {"fingerprint": fp, "rule": f.rule, "path": repo_path(f.path, cwd, root), "line": f.span.line,
         "message": f.message}
        for f, fp in zip(result.findings, fingerprints(result, cwd))
    ]
    entries.sort(key=lambda e: (e["path"], e["line"], e["rule"], e["fingerprint"]))
    return {"version": BASELINE_VERSION, "tool": f"flylint {__version__}", "findings": entries}


def write(result, cwd: Path, path: Path) -> int:
    """Write the baseline of `result` to `path` atomically; return the number of entries."""
    from flylint.report.outputs import write_atomic

    doc = document(result, cwd)
    try:
        write_atomic(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    except OSError as e:
        raise BaselineError(f"cannot write the baseline {path}: {e.strerror or e}") from None
    return len(doc["findings"])


def load(path: Path) -> list[dict]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"baseline file not found: {path} (create it with 'flylint baseline "
                            f"--output {path}')") from None
    except OSError as e:
        raise BaselineError(f"cannot read the baseline {path}: {e.strerror or e}") from None
    except ValueError as e:
        raise BaselineError(f"{path}: not a flylint baseline (invalid JSON: {e})") from None
    entries = doc.get("findings") if isinstance(doc, dict) else None
    if (not isinstance(doc, dict) or doc.get("version") != BASELINE_VERSION or not isinstance(entries, list)
            or not all(isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries)):
        raise BaselineError(f"{path}: not a flylint baseline (version {BASELINE_VERSION} with a list of "
                            "findings, each with a fingerprint)")
    return entries


def apply(result, entries: list[dict], cwd: Path, rules_run: set[str], file: str):
    """`result` without the baselined findings, and what the baseline did."""
    root = project_root(cwd)
    known = {e["fingerprint"] for e in entries}
    kept, used = [], set()
    for f, fp in zip(result.findings, fingerprints(result, cwd)):
        if fp in known:
            used.add(fp)
        else:
            kept.append(f)
    linted = {repo_path(fa.migration.display, cwd, root) for fa in result.files}
    stale = tuple(
        e for e in entries
        if e["fingerprint"] not in used
        and e.get("rule") in rules_run
        and (e.get("path") in linted or not _exists(root, e.get("path")))
    )
    hidden = len(result.findings) - len(kept)
    return replace(result, findings=tuple(kept)), Outcome(file, hidden, stale)


def _exists(root: Path, path) -> bool:
    if not isinstance(path, str):
        return False
    p = Path(path)
    return (p if p.is_absolute() else root / p).exists()


def summary_lines(outcome: Outcome) -> list[str]:
    """What the baseline did, for people (text output, step summary)."""
    n = outcome.hidden
    lines = [f"{n} finding{'' if n == 1 else 's'} hidden by the baseline {outcome.file}."]
    if outcome.stale:
        k = len(outcome.stale)
        lines.append(
            f"{k} baseline entr{'y' if k == 1 else 'ies'} no longer match{'es' if k == 1 else ''} anything "
            f"(fixed or edited): run 'flylint baseline --output {outcome.file}' to drop "
            f"{'it' if k == 1 else 'them'}.")
        lines.extend(f"  stale: {e.get('path')}:{e.get('line')}: [{e.get('rule')}] {e.get('message', '')}"
                     for e in outcome.stale)
    return lines


def to_json(outcome: Outcome) -> dict:
    return {"file": outcome.file, "hidden": outcome.hidden,
            "stale": [{k: e.get(k) for k in ("fingerprint", "rule", "path", "line", "message")}
                      for e in outcome.stale]}
