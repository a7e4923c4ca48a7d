"""Per-file cache of split and parse results, so a second run over a long history reparses nothing.

The key is a hash of the text as executed (placeholders replaced), the dialect, the database
version and the versions of flylint and sqlglot: any of them changing means a new entry. Entries
live in `.flylint_cache/` under the project directory, which holds its own `.gitignore`. A cache
that cannot be read or written is ignored: it only ever saves time.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

import sqlglot

from flylint import __version__

CACHE_DIR = ".flylint_cache"
_FORMAT = 1


class ParseCache:
    def __init__(self, root: Path | None) -> None:
        self.root = root / CACHE_DIR if root is not None else None
        self.hits = 0
        self.misses = 0
        self._ready = False

    def key(self, text: str, dialect: str, db_version: str | None) -> str:
        h = hashlib.sha256()
        for part in (str(_FORMAT), __version__, sqlglot.__version__, dialect, db_version or ""):
            h.update(part.encode())
            h.update(b"\0")
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def get(self, key: str) -> Any | None:
        if self.root is None:
            return None
        try:
            with open(self.root / key[:2] / key, "rb") as fh:
                value = pickle.load(fh)
        except Exception:  # missing, truncated or written by an incompatible build: reparse
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, key: str, value: Any) -> None:
        if self.root is None:
            return
        try:
            self._prepare()
            folder = self.root / key[:2]
            folder.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, folder / key)
        except Exception:
            return  # read-only checkout, full disk, unpicklable tree: run without the cache

    def _prepare(self) -> None:
        if self._ready or self.root is None:
            return
        self.root.mkdir(exist_ok=True)
        ignore = self.root / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# created by flylint\n*\n")
        self._ready = True
