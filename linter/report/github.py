"""GitHub Actions: one workflow command per finding (an annotation), and the step summary.

`::error file=db/V2__x.sql,line=3,endLine=3,col=1,endColumn=20,title=flylint (drop-column)::message`

Escaping is the runner's (actions/toolkit `escapeData`/`escapeProperty`): `%` first, then CR and
LF in the message; in property values also `:` and `,`. After it no finding can end the line or
start another command, whatever its file name or message holds.

GitHub shows only ten annotations of each kind per step, so when `GITHUB_STEP_SUMMARY` is set the
reporter also appends a Markdown summary with every finding to that file.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path
from typing import TextIO

from flylint.model import CLASSES
from flylint.report import ReportOptions, summary
from flylint.report.fingerprint import project_root, repo_path

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}
SUMMARY_LIMIT = 1_000_000  # GitHub accepts at most 1 MiB of step summary per step


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f, path: str) -> str:
    props = [
        ("file", path),
        ("line", str(f.span.line)),
        ("endLine", str(f.span.end_line)),
        ("col", str(f.span.column)),
        ("endColumn", str(f.span.end_column + 1)),  # the runner's endColumn is exclusive
        ("title", f"flylint ({f.rule})"),
    ]
    message = f.message + (f"\n\nfix: {f.fix}" if f.fix else "")
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{COMMANDS[f.severity]} {head}::{escape_data(message)}\n"


def render(result, out: TextIO, options: ReportOptions) -> None:
    cwd = Path(options.cwd or Path.cwd())
    root = project_root(cwd)
    paths = [repo_path(f.path, cwd, root) for f in result.findings]
    out.write("".join(annotation(f, p) for f, p in zip(result.findings, paths)))
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        try:
            with open(target, "a", encoding="utf-8", errors="replace") as fh:
                fh.write(step_summary(result, paths, options))
        except OSError as e:
            print(f"flylint: warning: cannot write the step summary to {target}: {e.strerror}", file=sys.stderr)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def md(text: str) -> str:
    """Text for a Markdown table cell: no line breaks, no table or inline markup."""
    text = text.replace("&", "&amp;").replace("\r\n", "\n").replace("\r", "\n")
    for ch in "\\`*_[]<>|~#!":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "<br>")


def step_summary(result, paths: list[str], options: ReportOptions) -> str:
    s = summary(result)
    out = ["## flylint\n\n"]
    files = f"{_plural(s['files'], 'migration')} ({_plural(s['statements'], 'statement')}, {s['unanalysed']} unanalysed)"
    if result.findings:
        out.append(f"**{_plural(s['errors'], 'error')}, {_plural(s['warnings'], 'warning')}, "
                   f"{_plural(s['infos'], 'info')}** in {files}.\n\n")
    else:
        out.append(f"No problems found in {files}.\n\n")
    if options.baseline is not None:
        from flylint.baseline import summary_lines

        out.extend(md(line) + "\n\n" for line in summary_lines(options.baseline))
    if not result.findings:
        return "".join(out)
    per_class = Counter(f.klass for f in result.findings)
    out.append("| class | findings |\n|---|---:|\n")
    out.extend(f"| {k} | {per_class[k]} |\n" for k in (*CLASSES, *sorted(set(per_class) - set(CLASSES)))
               if per_class[k])
    out.append("\n| file:line | severity | rule | message | fix |\n|---|---|---|---|---|\n")
    size = sum(len(x.encode()) for x in out)
    for i, (f, path) in enumerate(zip(result.findings, paths)):
        row = (f"| {md(path)}:{f.span.line} | {f.severity} | {md(f.rule)} | {md(f.message)} | "
               f"{md(f.fix or '')} |\n")
        size += len(row.encode("utf-8", "replace"))
        if size > SUMMARY_LIMIT - 500:
            out.append(f"\n{len(result.findings) - i} more findings not shown: GitHub limits a step summary "
                       "to 1 MiB. The text output and the SARIF file have them all.\n")
            break
        out.append(row)
    out.append("\n")
    return "".join(out)
