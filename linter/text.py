"""Offsets to lines and columns, and paths as the user would type them."""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from pathlib import Path

from flylint.model import Span


_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The text's lines without terminators; a line ends at \\r\\n, \\n or \\r (as editors count)."""
    return _BREAK.split(text)


class LineIndex:
    """Maps character offsets in a text to 1-based (line, column); lines end at \\r\\n, \\n or \\r."""

    __slots__ = ("_starts", "_len")

    def __init__(self, text: str) -> None:
        self._starts = [0, *(m.end() for m in _BREAK.finditer(text))]
        self._len = len(text)

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, self._len))
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def offset(self, line: int, column: int) -> int:
        """The offset of a 1-based (line, column), clamped to the text."""
        line = max(1, min(line, len(self._starts)))
        return max(0, min(self._starts[line - 1] + column - 1, self._len))

    def next_line_start(self, offset: int) -> int:
        """Where the line after the one holding `offset` starts (the text's end on the last line)."""
        i = bisect_right(self._starts, offset)
        return self._starts[i] if i < len(self._starts) else self._len

    def span(self, start: int, end: int) -> Span:
        """Span of text[start:end] (end exclusive); an empty range is a one-column span at start."""
        line, col = self.position(start)
        end_line, end_col = self.position(max(start, end - 1))
        return Span(line, col, end_line, end_col)


def display_path(path: Path, cwd: Path) -> str:
    """The path relative to cwd when it is inside it (with '/'), else absolute. (String work:
    pathlib costs a tenth of a second over a long history.)"""
    full = os.path.abspath(path)
    base = str(cwd)
    if full == base:
        return "."
    prefix = base if base.endswith(os.sep) else base + os.sep
    if full.startswith(prefix):
        rel = full[len(prefix):]
        return rel.replace(os.sep, "/") if os.sep != "/" else rel
    return full
