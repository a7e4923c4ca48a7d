"""What verify measured about one statement, and what a PostgreSQL table lock blocks.

The lock conflict table is PostgreSQL's ("Explicit Locking", table-level lock modes); research
(shared/research/verify.md section 2) confirmed it against a live server: SELECT needs ACCESS
SHARE, SELECT ... FOR UPDATE ROW SHARE and INSERT/UPDATE/DELETE ROW EXCLUSIVE.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# pg_locks.mode -> the SQL spelling used in flylint's output, weakest first.
MODES = {
    "AccessShareLock": "ACCESS SHARE",
    "RowShareLock": "ROW SHARE",
    "RowExclusiveLock": "ROW EXCLUSIVE",
    "ShareUpdateExclusiveLock": "SHARE UPDATE EXCLUSIVE",
    "ShareLock": "SHARE",
    "ShareRowExclusiveLock": "SHARE ROW EXCLUSIVE",
    "ExclusiveLock": "EXCLUSIVE",
    "AccessExclusiveLock": "ACCESS EXCLUSIVE",
}
RANK = {name: i for i, name in enumerate(MODES.values())}

# What the live application is kept from doing while the lock is held (PostgreSQL).
BLOCKS = {
    "ACCESS SHARE": "none",
    "ROW SHARE": "none",
    "ROW EXCLUSIVE": "none",
    "SHARE UPDATE EXCLUSIVE": "ddl",  # other DDL, VACUUM, ANALYZE; not reads or writes
    "SHARE": "writes",
    "SHARE ROW EXCLUSIVE": "writes",
    "EXCLUSIVE": "writes",  # also SELECT ... FOR UPDATE, not a plain SELECT
    "ACCESS EXCLUSIVE": "reads+writes",
}
BLOCKS_RANK = {"none": 0, "ddl": 1, "writes": 2, "reads+writes": 3}

# MySQL/MariaDB: what the accepted ALGORITHM/LOCK lets the application do meanwhile.
MY_BLOCKS = {
    ("INSTANT", None): "none",
    ("NOCOPY", None): "none",
    ("INPLACE", "NONE"): "none",
    ("COPY", "NONE"): "none",
    ("INPLACE", "SHARED"): "writes",
    ("COPY", "SHARED"): "writes",
    ("COPY", None): "writes",
    ("INPLACE", "EXCLUSIVE"): "reads+writes",
    ("COPY", "EXCLUSIVE"): "reads+writes",
}


def sql_mode(pg_mode: str) -> str:
    return MODES.get(pg_mode, pg_mode)


@dataclass
class Lock:
    relation: str
    mode: str  # SQL spelling, e.g. ACCESS EXCLUSIVE
    new: bool = False  # the relation was created by this migration: the application cannot be using it

    def to_json(self) -> dict:
        out = {"relation": self.relation, "mode": self.mode}
        if self.new:
            out["new"] = True
        return out


@dataclass
class StatementTrace:
    path: str
    line: int
    statement: str  # the statement as run, shortened for display
    index: int  # 0-based statement index in its file
    locks: list[Lock] = field(default_factory=list)  # taken by this statement
    held: list[tuple[str, str, int]] = field(default_factory=list)  # (relation, mode, since line): in force meanwhile
    blocks: str | None = None  # none | ddl | writes | reads+writes (None: not measured)
    rewrite: list[str] = field(default_factory=list)  # tables rewritten / rebuilt
    scanned: list[str] = field(default_factory=list)  # tables read in full or by index
    algorithm: str | None = None  # MySQL/MariaDB: the most online ALGORITHM the server accepted
    lock: str | None = None  # MySQL/MariaDB: the LOCK level accepted with it
    ms: float = 0.0
    error: str | None = None
    in_transaction: bool = True
    held_until_commit: bool = False  # PostgreSQL: the locks stay until the migration's COMMIT
    measured: bool = True  # False: run without measuring (deployed before the release)
    note: str | None = None

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "statement": self.statement,
            "locks": [lk.to_json() for lk in self.locks],
            "held": [{"relation": r, "mode": m, "since_line": n} for r, m, n in self.held],
            "blocks": self.blocks,
            "rewrite": list(self.rewrite),
            "scanned": list(self.scanned),
            "algorithm": self.algorithm,
            "lock": self.lock,
            "ms": round(self.ms, 1),
            "error": self.error,
            "in_transaction": self.in_transaction,
            "held_until_commit": self.held_until_commit,
            "note": self.note,
        }

    def strongest(self, live_only: bool = True) -> dict[str, str]:
        """Strongest mode per relation (only relations that existed before the migration)."""
        best: dict[str, str] = {}
        for lk in self.locks:
            if live_only and lk.new:
                continue
            if lk.relation not in best or RANK.get(lk.mode, -1) > RANK.get(best[lk.relation], -1):
                best[lk.relation] = lk.mode
        return best


def blocks_of(modes) -> str:
    worst = "none"
    for m in modes:
        b = BLOCKS.get(m, "none")
        if BLOCKS_RANK[b] > BLOCKS_RANK[worst]:
            worst = b
    return worst


def shorten(text: str, n: int = 80) -> str:
    s = " ".join(text.split())
    return s if len(s) <= n else s[: n - 3] + "..."
