"""The cache: per-file split and parse results, and a snapshot of the last run's whole analysis.

A per-file entry's key is a hash of the text as executed (placeholders replaced), the dialect, the
database version, and the versions of flylint (its code included) and sqlglot: any of them
changing means a new entry, so a second run over a long history reparses nothing. The snapshot
holds the last run's analysis and catalog; a run whose history starts with the same migrations
reuses it and replays only the rest.

Everything lives in one SQLite file in `.flylint_cache/` under the project directory (one file
instead of thousands keeps writes cheap), next to a `.gitignore` that keeps it out of git. New
entries are written in one transaction when the run ends. A cache that cannot be read or written
is ignored: it only ever saves time.
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
from pathlib import Path
from typing import Any

from flylint import __version__

CACHE_DIR = ".flylint_cache"
_DB = "cache.sqlite3"
_FORMAT = 2
_KEEP = 20000  # entries kept; older ones are dropped when the cache grows past it


class ParseCache:
    def __init__(self, root: Path | None) -> None:
        self.root = root / CACHE_DIR if root is not None else None
        self.hits = 0
        self.misses = 0
        self._db: sqlite3.Connection | None = None
        self._pending: dict[tuple[str, str], bytes] = {}
        self._opened = False

    def key(self, text: str, dialect: str, db_version: str | None) -> str:
        if self.root is None:
            # no cache to look in: the key only tells equal inputs apart within this run (no
            # hashing of every file, nor of flylint's own code)
            return f"{dialect}|{db_version or ''}|{text}"
        h = hashlib.sha256()
        for part in (str(_FORMAT), __version__, _code_fingerprint(), sqlglot_version(), dialect, db_version or ""):
            h.update(part.encode())
            h.update(b"\0")
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def get(self, key: str, kind: str = "parse") -> Any | None:
        db = self._connect(create=False)
        if db is None:
            self.misses += kind == "parse"
            return None
        try:
            row = db.execute("SELECT value FROM entries WHERE kind = ? AND key = ?", (kind, key)).fetchone()
            value = pickle.loads(row[0]) if row is not None else None
        except Exception:  # unreadable, or written by an incompatible build: recompute
            value = None
        if value is None:
            self.misses += kind == "parse"
        else:
            self.hits += kind == "parse"
        return value

    def put(self, key: str, value: Any, kind: str = "parse") -> None:
        if self.root is None:
            return
        try:
            self._pending[(kind, key)] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # e.g. a tree too deep to pickle: no entry, nothing lost
            pass

    def flush(self) -> None:
        """Write the new entries in one transaction."""
        if not self._pending:
            return
        db = self._connect(create=True)
        pending, self._pending = self._pending, {}
        if db is None:
            return
        try:
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO entries (kind, key, value) VALUES (?, ?, ?)",
                    [(kind, key, value) for (kind, key), value in pending.items()],
                )
                (count,) = db.execute("SELECT count(*) FROM entries").fetchone()
                if count > _KEEP:
                    db.execute("DELETE FROM entries WHERE rowid IN (SELECT rowid FROM entries ORDER BY rowid "
                               "LIMIT ?)", (count - _KEEP,))
        except sqlite3.Error:
            return  # read-only checkout, full disk, locked by another run: no cache this time

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if self.root is None:
            return None
        if self._db is not None:
            return self._db
        path = self.root / _DB
        if not create and (self._opened or not path.exists()):
            self._opened = True
            return None
        try:
            if create:
                self.root.mkdir(exist_ok=True)
                ignore = self.root / ".gitignore"
                if not ignore.exists():
                    ignore.write_text("# created by flylint\n*\n")
            db = sqlite3.connect(path, timeout=2)
            db.execute("CREATE TABLE IF NOT EXISTS entries (kind TEXT, key TEXT, value BLOB, PRIMARY KEY (kind, key))")
        except (OSError, sqlite3.Error):
            self._opened = True
            return None
        self._db = db
        return db


_FINGERPRINT: str | None = None
_SQLGLOT: str | None = None


def sqlglot_folders() -> list[Path]:
    """Where the sqlglot package is installed, found without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("sqlglot")
    except (ImportError, ValueError):
        return []
    return [Path(f) for f in (spec.submodule_search_locations or [])] if spec else []


def sqlglot_version() -> str:
    """sqlglot's version, read from its `_version.py` without importing it (importing sqlglot
    takes a tenth of a second that a run answered from the memo does not need)."""
    global _SQLGLOT
    if _SQLGLOT is None:
        import re

        version = None
        for folder in sqlglot_folders():
            try:
                text = (folder / "_version.py").read_text(encoding="utf-8")
            except OSError:
                continue
            m = re.search(r"""^__version__\s*=\s*(?:version\s*=\s*)?['"]([^'"]+)['"]""", text, re.M)
            if m:
                version = m.group(1)
                break
        if version is None:
            import sqlglot

            version = sqlglot.__version__
        _SQLGLOT = version
    return _SQLGLOT


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
