"""GitLab Code Quality report: a JSON array, one issue per finding.

GitLab reads `description`, `check_name`, `fingerprint`, `severity` and `location.path` /
`location.lines.begin`; the other Code Climate fields (`type`, `categories`, `content`,
`location.lines.end`) are ignored by GitLab and kept for other Code Climate consumers.
Issues with the same fingerprint collapse into one in GitLab, so fingerprints are unique within
a run (flylint.report.fingerprint), and they do not change when unrelated lines move.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from flylint.report import ReportOptions
from flylint.report.fingerprint import fingerprints, project_root, repo_path

SEVERITIES = {"error": "critical", "warning": "major", "info": "info"}


def document(result, options: ReportOptions) -> list[dict]:
    cwd = Path(options.cwd or Path.cwd())
    root = project_root(cwd)
    issues = []
    for f, fp in zip(result.findings, fingerprints(result, cwd)):
        issue = {
            "type": "issue",
            "description": f.message,
            "check_name": f.rule,
            "fingerprint": fp,
            "severity": SEVERITIES[f.severity],
            "categories": ["Bug Risk"],
            "location": {"path": repo_path(f.path, cwd, root),
                         "lines": {"begin": f.span.line, "end": f.span.end_line}},
        }
        if f.fix:
            issue["content"] = {"body": f.fix}
        issues.append(issue)
    return issues


def render(result, out: TextIO, options: ReportOptions) -> None:
    out.write(json.dumps(document(result, options), indent=2, ensure_ascii=False))
    out.write("\n")
