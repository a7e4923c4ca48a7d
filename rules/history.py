"""Flyway history hygiene against the deployed state (`--since REF`).

Every environment deployed from REF has these migrations in its flyway_schema_history, each with
its checksum and description. Flyway matches them with the files by version and type (versioned)
or description (repeatable) and refuses to migrate when an applied migration changed or vanished.
These rules compare the working tree with the merge base of REF and HEAD (flylint.release); without
`--since` they have nothing to compare with and stay quiet, so their examples are tests of their
own (tests/test_history.py) instead of documentation examples.
"""

from __future__ import annotations

from flylint.model import Span
from flylint.rules import rule

_APPLIED = ("V", "B")  # kinds Flyway records as applied versioned rows


def _since(ctx) -> str:
    rel = ctx.release
    return f"{rel.since} (merge base {rel.base[:10]})"


def _active(ctx) -> bool:
    return ctx.release is not None and not ctx.release.per_file


@rule(
    id="flyway-applied-migration-edited",
    title="Applied migration edited",
    severity="error",
    klass="flyway",
    rationale=(
        "Flyway stores the checksum of every migration it applies. When the file of an applied "
        "versioned migration changes afterwards, `flyway validate`, and `flyway migrate` (which "
        "validates first), fail in every environment that applied it with \"Migration checksum "
        "mismatch\", and the deploy stops. The edit itself never runs there: Flyway does not re-run "
        "applied versioned migrations. The same happens when the description in the file name of an "
        "applied version changes (\"Migration description mismatch\"). Line endings and a byte-order "
        "mark do not change the checksum; any other edit does, comments included. Checked against "
        "the merge base of `--since REF` (docs/releases.md)."
    ),
    fix="Revert the edit and put the change into a new migration with a higher version. Only if the "
    "edit must stay (and changes nothing that ran), run `flyway repair` in every environment.",
)
def applied_migration_edited(rule, ctx):
    if not _active(ctx):
        return
    base = {(b.kind, b.version.parts): b for b in ctx.release.base_migrations
            if b.kind in _APPLIED and b.version is not None}
    for fa in ctx.files:
        m = fa.migration
        if m.kind not in _APPLIED or m.version is None:
            continue
        old = base.get((m.kind, m.version.parts))
        if old is None:
            continue
        if old.checksum is not None and m.checksum is not None and old.checksum != m.checksum:
            yield rule.finding(
                m.display, Span.file_level(),
                f"{m.path.name} (version {m.version}) was already applied in environments deployed from "
                f"{_since(ctx)} and its content changed: Flyway checksum {old.checksum} then, {m.checksum} "
                f"now. flyway validate and migrate fail there with \"Migration checksum mismatch for "
                f"migration version {m.version}\"; the edit never runs in them.",
                fix=f"Restore {m.display} as it was (git checkout {ctx.release.base[:10]} -- {old.display}) "
                "and put the change into a new migration with a version above the highest one; if the "
                "edit must stay, run flyway repair in every environment.",
                object=str(m.version),
            )
        elif old.description != m.description:
            yield rule.finding(
                m.display, Span.file_level(),
                f"Version {m.version} was applied as '{old.description}' ({old.display}) in environments "
                f"deployed from {_since(ctx)}; the file now says '{m.description}': flyway validate and "
                "migrate fail there with \"Migration description mismatch\".",
                fix=f"Rename the file back to {old.display.rsplit('/', 1)[-1]}.",
                object=str(m.version),
            )


@rule(
    id="flyway-applied-migration-missing",
    title="Applied migration deleted or renamed",
    severity="error",
    klass="flyway",
    rationale=(
        "An applied migration whose file is gone is \"applied migration not resolved locally\" for "
        "Flyway: validate and migrate fail in every environment that applied it. Renaming the "
        "version of a file is the same plus a new pending migration that runs the same SQL a "
        "second time. Moving a file to another folder of the same location is harmless: Flyway does "
        "not compare the path. Checked against the merge base of `--since REF` (docs/releases.md)."
    ),
    fix="Restore the file under its old name; put any change into a new migration.",
)
def applied_migration_missing(rule, ctx):
    if not _active(ctx):
        return
    current_versions = {(fa.migration.kind, fa.migration.version.parts) for fa in ctx.files
                        if fa.migration.version is not None}
    current_repeatables = {fa.migration.description for fa in ctx.files if fa.migration.kind == "R"}
    new_by_checksum: dict[int, object] = {}
    for i in sorted(ctx.release.new):
        m = ctx.files[i].migration
        if m.checksum is not None:
            new_by_checksum.setdefault(m.checksum, m)
    for old in ctx.release.base_migrations:
        if old.kind in _APPLIED and old.version is not None:
            if (old.kind, old.version.parts) in current_versions:
                continue
            what = f"version {old.version}"
        elif old.kind == "R":
            if old.description in current_repeatables:
                continue
            what = f"repeatable '{old.description}'"
        else:
            continue  # undo migrations are not rows of the history table until used
        moved = new_by_checksum.get(old.checksum) if old.checksum is not None else None
        if moved is not None:
            yield rule.finding(
                moved.display, Span.file_level(),
                f"{old.display} was renamed to {moved.display} (same content): environments deployed from "
                f"{_since(ctx)} applied it as {what}. Flyway now finds {what} missing locally (validate "
                f"and migrate fail) and {moved.path.name} as a new migration that would run the same SQL "
                "again.",
                fix=f"Rename {moved.display} back to {old.display}.",
                object=str(old.version) if old.version is not None else old.description,
            )
        else:
            yield rule.finding(
                old.display, Span.file_level(),
                f"{old.display} ({what}) was deleted, but environments deployed from {_since(ctx)} applied "
                "it: flyway validate and migrate fail there with \"Detected applied migration not resolved "
                "locally\".",
                fix=f"Restore it (git checkout {ctx.release.base[:10]} -- {old.display}); to undo what it did, "
                "write a new migration with a higher version.",
                object=str(old.version) if old.version is not None else old.description,
            )


@rule(
    id="flyway-out-of-order",
    title="New migration below the highest applied version",
    severity="error",
    klass="flyway",
    rationale=(
        "Environments deployed from REF have already applied its highest version. A new versioned "
        "migration with a lower version (a branch merged after a newer one) is \"ignored\" there: "
        "flyway validate and migrate fail with \"Detected resolved migration not applied to "
        "database\", unless outOfOrder is set. With outOfOrder=true it runs, but after migrations "
        "that come after it in version order, while a fresh database runs it before them: the two "
        "orders must give the same schema (a warning). Checked against the merge base of `--since REF` "
        "(docs/releases.md)."
    ),
    fix="Give the migration a version above the highest applied one; or set outOfOrder=true and "
    "make sure it does not depend on the order.",
)
def out_of_order(rule, ctx):
    if not _active(ctx):
        return
    applied = [b.version for b in ctx.release.base_migrations if b.kind in _APPLIED and b.version is not None]
    if not applied:
        return
    top = max(applied)
    # the example version must also clear the release's own new versions (V13 may already exist)
    free = max([top] + [fa.migration.version for fa in ctx.files
                        if fa.migration.kind == "V" and fa.migration.version is not None])
    allowed = bool(ctx.settings.get("out_of_order"))
    for i in sorted(ctx.release.new):
        m = ctx.files[i].migration
        if m.kind != "V" or m.version is None or not m.version < top:
            continue
        if allowed:
            yield rule.finding(
                m.display, Span.file_level(),
                f"{m.path.name} (version {m.version}) is below version {top}, the highest applied in "
                f"environments deployed from {_since(ctx)}: with outOfOrder=true it runs out of order there "
                f"(after {top}), while a new database runs it before {top}.",
                fix=f"Make sure {m.path.name} gives the same result before and after the migrations above "
                f"version {m.version}; or renumber it above {top}.",
                object=str(m.version), severity="warning",
            )
        else:
            yield rule.finding(
                m.display, Span.file_level(),
                f"{m.path.name} (version {m.version}) is below version {top}, the highest applied in "
                f"environments deployed from {_since(ctx)}: Flyway ignores it there and validate and migrate "
                "fail with \"Detected resolved migration not applied to database\" (outOfOrder is not set).",
                fix=f"Renumber it above {top} (e.g. V{_next(free)}__{m.path.name.split('__', 1)[-1]}), or set "
                "outOfOrder=true in the Flyway configuration.",
                object=str(m.version),
            )


def _next(v) -> str:
    parts = list(v.parts)
    return str(parts[0] + 1)
