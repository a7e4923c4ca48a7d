"""Where a finding is for CI systems, and what it is regardless of where it moved.

Two things every CI format needs and the baseline shares:

- a **repository-relative path**: CI systems (GitHub annotations and code scanning, GitLab) locate
  files from the repository root, while flylint shows paths relative to the current directory.
  The root is the nearest folder above the current directory holding `.git`, else the current
  directory.
- a **fingerprint** per finding that stays the same when unrelated lines move: a hash of the rule,
  the repository-relative path, the object, the finding's statement as written in the file (runs
  of whitespace collapsed, placeholders as written) and the text of its span, plus an occurrence
  index among findings with the same key in the file. Not the line number, and not the message
  (messages may quote line numbers). Editing the statement itself gives a new fingerprint: that
  is a new finding.
"""

from __future__ import annotations

import hashlib
import os
import re
from bisect import bisect_right
from collections import Counter
from pathlib import Path

from flylint.model import Span
from flylint.text import LineIndex

FINGERPRINT_VERSION = "v1"
_SPACE = re.compile(r"\s+")


def project_root(cwd: Path) -> Path:
    """The repository root: the nearest folder at or above `cwd` holding `.git`, else `cwd`."""
    cwd = Path(os.path.abspath(cwd))
    for d in (cwd, *cwd.parents):
        if (d / ".git").exists():
            return d
    return cwd


def repo_path(display: str, cwd: Path, root: Path) -> str:
    """A finding's display path relative to the repository root ('/'-separated); absolute if outside."""
    p = Path(display)
    if not p.is_absolute():
        p = Path(cwd) / p
    p = Path(os.path.normpath(os.path.abspath(p)))
    try:
        return p.relative_to(root).as_posix()
    except ValueError:
        return p.as_posix()


def fingerprints(result, cwd: Path | None = None) -> list[str]:
    """One fingerprint per finding of `result`, in the same order (unique within the run)."""
    cwd = Path(cwd or Path.cwd())
    root = project_root(cwd)
    files = {fa.migration.display: fa for fa in result.files}
    indexes: dict[str, LineIndex] = {}
    starts: dict[str, list[tuple[int, int]]] = {}
    seen: Counter[str] = Counter()
    out = []
    for f in result.findings:
        path = repo_path(f.path, cwd, root)
        statement, own = "", ""
        fa = files.get(f.path)
        if fa is not None and fa.source is not None and not (f.span == Span.file_level() and f.change == "none"):
            lines = indexes.get(f.path)
            if lines is None:
                lines = indexes[f.path] = LineIndex(fa.source)
            own = _text(fa.source, lines, f.span)
            if f.path not in starts:
                starts[f.path] = [(st.span.line, st.span.column) for st in fa.statements]
            st = _enclosing(fa.statements, starts[f.path], f.span)
            statement = _text(fa.source, lines, st.span) if st is not None else ""
        key = "\x00".join((f.rule, path, f.object or "", statement, own))
        n = seen[key]
        seen[key] += 1
        out.append(fingerprint_of(f"{key}\x00{n}"))
    return out


def fingerprint_of(key: str) -> str:
    digest = hashlib.sha256(f"{FINGERPRINT_VERSION}\x00{key}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


def _text(source: str, lines: LineIndex, span: Span) -> str:
    start = lines.offset(span.line, span.column)
    end = lines.offset(span.end_line, span.end_column) + 1
    return _SPACE.sub(" ", source[start:end]).strip()


def _enclosing(statements, starts: list[tuple[int, int]], span: Span):
    """The statement whose span holds the start of `span` (statements are in file order)."""
    at = (span.line, span.column)
    i = bisect_right(starts, at) - 1
    if i >= 0:
        st = statements[i]
        if at <= (st.span.end_line, st.span.end_column):
            return st
    return None
