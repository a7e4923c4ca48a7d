"""Text output for people: `path:line:col: severity[rule] message`, the source line underlined, the fix."""

from __future__ import annotations

from typing import TextIO

from flylint.model import Span
from flylint.report import ReportOptions, migration_summaries, summary
from flylint.text import split_lines

_COLORS = {"error": "31", "warning": "33", "info": "34"}
_WIDTH = 160  # longest excerpt shown; a minified or generated line can be megabytes long


def _paint(code: str, text: str, on: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if on else text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render(result, out: TextIO, options: ReportOptions) -> None:
    color = options.color
    sources = {fa.migration.display: fa.source for fa in result.files if fa.source is not None}
    split_cache: dict[str, list[str]] = {}
    for f in result.findings:
        sev = _paint(_COLORS[f.severity] + ";1", f.severity, color)
        head = f"{_paint('1', f.path, color)}:{f.span.line}:{f.span.column}: {sev}[{f.rule}] {f.message}"
        out.write(head + "\n")
        src = sources.get(f.path)
        if src is not None and not (f.span == Span.file_level() and f.change == "none"):
            lines = split_cache.setdefault(f.path, split_lines(src))
            out.write(_excerpt(lines, f.span, color))
        if f.fix:
            out.write(f"   {_paint('36', 'fix:', color)} {f.fix}\n")
        out.write("\n")
    if getattr(result, "trace", None) is not None:  # flylint verify: a lock table per migration
        from flylint.verify.report import lock_tables

        out.write(lock_tables(result))
    for fa, (counts, phase, contracts) in zip(result.files, migration_summaries(result)):
        shown = ", ".join(f"{n} {k}" for k, n in counts.items()) or "no changes"
        pairs = "".join(f" of {c['table']}.{c['old']} -> {c['new']} (started by {c['started_by']})"
                        for c in contracts)
        out.write(f"{fa.migration.display}: {phase + pairs + ': ' if phase else ''}{shown}\n")
    release, app = getattr(result, "release", None), getattr(result, "app", None)
    if release is not None and release.describe():
        out.write(release.describe() + "\n")
    if app is not None:
        out.write(f"Searched {_plural(app.files, 'file')} of the deployed code in {app.where()}.\n")
    s = summary(result)
    files = _plural(s["files"], "migration")
    stmts = _plural(s["statements"], "statement")
    unanalysed = f", {s['unanalysed']} unanalysed" if s["unanalysed"] else ""
    if result.findings:
        out.write(
            f"Found {_plural(s['errors'], 'error')}, {_plural(s['warnings'], 'warning')} and "
            f"{_plural(s['infos'], 'info')} in {files} ({stmts}{unanalysed}).\n"
        )
    else:
        out.write(f"No problems found in {files} ({stmts}{unanalysed}).\n")
    if options.baseline is not None:
        from flylint.baseline import summary_lines

        out.write("".join(line + "\n" for line in summary_lines(options.baseline)))


def _excerpt(lines: list[str], span: Span, color: bool) -> str:
    if not 1 <= span.line <= len(lines):
        return ""
    raw = lines[span.line - 1]
    shown = raw.expandtabs(4)
    start = len(raw[: span.column - 1].expandtabs(4))
    if span.end_line == span.line:
        end = len(raw[: span.end_column].expandtabs(4))
    else:
        end = len(shown)
    end = max(end, start + 1)
    shown, start, end = _clip(shown, start, end)
    gutter = str(span.line)
    pad = " " * len(gutter)
    more = f" (to line {span.end_line})" if span.end_line > span.line else ""
    marks = _paint("31", "^" * (end - start), color)
    return f" {gutter} | {shown}\n {pad} | {' ' * start}{marks}{more}\n"


def _clip(shown: str, start: int, end: int) -> tuple[str, int, int]:
    """Cut a long line to a window around the span; control characters become '?' (no terminal escapes)."""
    if len(shown) > _WIDTH:
        left = max(0, min(start - 40, len(shown) - _WIDTH))
        right = left + _WIDTH
        lead = "..." if left else ""
        tail = "..." if right < len(shown) else ""
        shown = lead + shown[left:right] + tail
        start, end = start - left + len(lead), min(end, right) - left + len(lead)
        end = max(end, start + 1)
    shown = "".join("?" if (ord(c) < 32 or ord(c) == 127) else c for c in shown)
    return shown, start, end
