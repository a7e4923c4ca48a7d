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
        for part in (str(_FORMAT), __version__, _code_fingerprint(), sqlglot.__version__, dialect, db_version or ""):
            h.update(part.encode())
            h.update(b"\0")
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def get(self, key: str, kind: str = "parse") -> Any | None:
        if self.root is None:
            return None
        try:
            with open(self._path(key, kind), "rb") as fh:
                value = pickle.load(fh)
        except Exception:  # missing, truncated or written by an incompatible build: reparse
            self.misses += kind == "parse"
            return None
        self.hits += kind == "parse"
        return value

    def put(self, key: str, value: Any, kind: str = "parse") -> None:
        if self.root is None:
            return
        tmp = None
        try:
            self._prepare()
            target = self._path(key, kind)
            target.parent.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except Exception:  # read-only checkout, full disk, a tree too deep to pickle: no cache entry
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass

    def _path(self, key: str, kind: str) -> Path:
        assert self.root is not None
        if kind == "snapshot":  # one per project setting: overwritten by each run
            return self.root / "snapshots" / key
        return self.root / key[:2] / key

    def _prepare(self) -> None:
        if self._ready or self.root is None:
            return
        self.root.mkdir(exist_ok=True)
        ignore = self.root / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# created by flylint\n*\n")
        self._ready = True


_FINGERPRINT: str | None = None


def _code_fingerprint() -> str:
    """Changes whenever flylint's own code changes (also between releases, in a checkout)."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        import flylint
        import flylint.rules

        h = hashlib.sha256()
        for base in sorted({Path(flylint.__file__).parent, Path(flylint.rules.__file__).parent}):
            for f in sorted(base.rglob("*.py")):
                st = f.stat()
                h.update(f"{f.relative_to(base)}:{st.st_size}:{st.st_mtime_ns}".encode())
        _FINGERPRINT = h.hexdigest()[:16]
    return _FINGERPRINT
