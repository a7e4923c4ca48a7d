"""Expand/contract: which phase of a multi-release change each migration is, and release grouping.

A schema change that the live application version would not survive is shipped as a sequence
of releases (the seed's `last_name` -> `surname` rename): *expand* adds the new thing, *migrate*
copies the data, *relax* loosens the old thing so code that no longer writes it keeps working,
*contract* removes or tightens once no running version needs the old shape. A migration that
breaks the live version in one step is *breaking*. The catalog records the evidence (a column
added and backfilled from another one is a rename in progress, `flylint.catalog.model.ColumnMove`);
this module only reads the typed changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

# Most telling first: a migration is labelled with the first phase any of its changes has.
PHASES = ("breaking", "contract", "relax", "migrate", "expand")

_TIGHTEN = {"set-not-null", "add-check", "add-foreign-key", "add-unique", "add-primary-key", "validate-constraint"}
_RELAX = {"drop-not-null", "drop-constraint"}


def change_phase(ch) -> str | None:
    """The phase one change belongs to, or None when it has none (neutral, or not analysed)."""
    if ch.born:
        return "expand" if ch.klass == "additive" else None
    if ch.kind == "rename-column" and ch.detail.get("replaces"):
        return "migrate"  # the new column takes over the old one's name (a swap)
    if ch.klass == "destructive" or (ch.kind in _TIGHTEN and not ch.detail.get("implied_by")):
        # (a key that contains one the table already had tightens nothing; a SET NOT NULL that a validated
        # CHECK proves is neutral but stays contract, like VALIDATE: the last step of the CHECK ... NOT VALID,
        # VALIDATE, SET NOT NULL sequence that flylint plan writes as contract steps)
        return "contract"
    if ch.kind in _RELAX:
        return "relax"
    if ch.klass == "incompatible":
        return "breaking"
    if ch.kind == "backfill":
        return "migrate"
    if ch.kind == "change-column-type" and ch.detail.get("verdict") in ("widen", "widen-rewrite", "reinterpret"):
        return "expand"  # every old value fits: the live version keeps working
    if ch.klass == "additive":
        return "expand"
    return None


def migration_phase(changes: Iterable) -> str | None:
    """The phase of a migration (or of a release: pass all its changes); None when it changes nothing
    that has one (only settings, comments or statements flylint could not analyse)."""
    changes = list(changes)
    # a swap: X renamed away to Y, and the column that replaces X renamed to X
    swapped = {(ch.table, str(ch.detail.get("replaces")).lower()) for ch in changes
               if ch.kind == "rename-column" and not ch.born and ch.detail.get("replaces")}
    # a rename of a table whose old name is recreated as a view (a compatibility shim)
    views = {ch.table for ch in changes if ch.kind == "create-view"}
    found = {"migrate" if (ch.kind == "rename-column" and not ch.born
                           and (ch.table, str(ch.detail.get("new_name")).lower()) in swapped)
             or (ch.kind == "rename-table" and ch.table in views) else change_phase(ch)
             for ch in changes}
    found.discard(None)
    return next((p for p in PHASES if p in found), None)


def file_phase(replay, index: int) -> str | None:
    """The phase of migration number `index` (Flyway order) of a replay."""
    if replay is None or index >= len(replay.changes):
        return None
    return migration_phase(ch for per_statement in replay.changes[index] for ch in per_statement)


def same_release(files: Sequence[int] | None, a: int, b: int) -> bool:
    """Whether migrations `a` and `b` (indexes in Flyway order) ship in the same release.

    `files` are the indexes of the release being judged; without one (no release defined) each
    migration is its own release, as everywhere else in flylint for now.
    """
    if files:
        return a in files and b in files
    return a == b


def contracted_renames(replay, files, index: int) -> list[dict]:
    """The renames in progress that migration number `index` completes by dropping the old column:
    `{"table", "old", "new", "started_by"}` each (`files`: the FileAnalysis list, for the path)."""
    out = []
    if replay is None or index >= len(replay.changes):
        return out
    for per_statement in replay.changes[index]:
        for ch in per_statement:
            c = ch.detail.get("contract_of") if ch.kind == "drop-column" and not ch.born else None
            if c and not same_release(None, c["backfilled"], index):
                out.append({"table": ch.table[1] if ch.table else "", "old": c["old"], "new": c["new"],
                            "started_by": files[c["started"]].migration.display})
    return out
