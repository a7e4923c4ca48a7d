"""The live application's queries (`--app-queries PATH`): a .sql file or a folder of them, split
with flylint's own splitter. Each is PREPAREd against the schema after every migration of the
release (never executed), and with `--execute-queries` an INSERT, UPDATE or DELETE without
parameters is also executed in a transaction that is rolled back: only execution catches a new
NOT NULL column without a default. Sequences and AUTO_INCREMENT counters still advance (on the
scratch database only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flylint.sql.splitter import split
from flylint.text import LineIndex, display_path

_DML = re.compile(r"(?is)^\s*(?:WITH\b.*?\)\s*)?(INSERT|UPDATE|DELETE|REPLACE)\b")
_PARAMS = re.compile(r"\$\d+|\?|%s|:[A-Za-z_]\w*")


@dataclass(frozen=True)
class AppQuery:
    text: str
    path: str
    line: int

    @property
    def is_dml(self) -> bool:
        return bool(_DML.match(self.text))

    @property
    def has_params(self) -> bool:
        return bool(_PARAMS.search(_strip_strings(self.text)))


def _strip_strings(text: str) -> str:
    return re.sub(r"'(?:[^']|'')*'", "''", text)


class AppQueryError(Exception):
    pass


def load_queries(path: Path, dialect: str, cwd: Path) -> list[AppQuery]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.sql") if p.is_file())
    elif path.is_file():
        files = [path]
    else:
        raise AppQueryError(f"--app-queries: no such file or folder: {path}")
    out = []
    for f in files:
        try:
            text = f.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as e:
            raise AppQueryError(f"--app-queries: cannot read {f}: {e}") from None
        lines = LineIndex(text)
        for raw in split(text, "postgres" if dialect == "postgres" else dialect).statements:
            q = text[raw.start:raw.end].strip()
            if q:
                out.append(AppQuery(q, display_path(f, cwd), lines.span(raw.start, raw.start + 1).line))
    return out
