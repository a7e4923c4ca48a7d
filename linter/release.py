"""Releases: which migrations ship together, and what is live while they run.

A release is the set of migrations rolled out in one deploy; everything that ran before it is
*live*: the application version still serving traffic (N-1) uses it. Rules ask the release two
questions through `LintContext.release`: does it contain this migration (is it judged)? and was
this object born in it (is it exempt)?

* Without `--since`, every migration is its own release (`Release()`): the live version is the
  one before that migration, objects created earlier in the same file are exempt.
* With `--since REF`, git decides (`resolve`): the merge base of REF and HEAD is the deployed
  state. Migrations are matched the way Flyway matches its history table (versioned ones by
  version and type, repeatables by description): a versioned migration Flyway already applied at
  the base is *deployed*, whatever its path now; a new one, or a repeatable whose checksum changed
  (Flyway re-runs it), belongs to the release. The working tree counts as it is, uncommitted and
  untracked files included, because local runs and CI both matter. An applied versioned migration
  that was edited stays deployed (environments that applied it never re-run it); the history
  rules (rules/history.py) report the edit.

The base state comes from git: `git ls-tree` lists the files at the base, `git diff` says which
of them differ from the working tree; the identical ones are the files discovery just read, and
only the others are read with one `git cat-file --batch`, written into a temporary folder and
discovered by the same code that discovers the working tree, so names, locations, script
configuration, encodings and checksums are handled exactly as for the current files.

Which findings are reported: every rule's on the release's migrations; on deployed migrations,
only the history rules' (HISTORY_RULES) and those about several files at once (duplicates).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from flylint.model import MigrationFile, Version


class ReleaseError(Exception):
    """git is missing, the path is not in a repository, or the revision is unknown (exit 2)."""


@dataclass(frozen=True)
class BaseMigration:
    """A migration as it was at the base commit."""

    display: str  # its path then, shown as the user would type it today
    script: str
    kind: str
    version: Version | None
    description: str
    checksum: int | None


@dataclass(frozen=True)
class Release:
    """The migrations being rolled out. `Release()` is the per-file default."""

    since: str | None = None  # REF as given on the command line
    base: str | None = None  # the merge-base commit (full sha)
    repo: Path | None = None  # top folder of the git repository
    members: frozenset[str] | None = None  # display paths of the release's migrations; None: per file
    new: frozenset[int] = frozenset()  # indices (Flyway order) of migrations that did not exist at base
    base_migrations: tuple[BaseMigration, ...] = ()
    deployed: frozenset[str] = frozenset()  # display paths of current migrations applied at base

    @property
    def per_file(self) -> bool:
        return self.members is None

    def contains(self, migration: MigrationFile) -> bool:
        """Whether the migration is judged as part of this release."""
        return self.members is None or migration.display in self.members

    def born(self, origin: int, at: int) -> bool:
        """Whether an object created by migration `origin` is not live yet when migration `at` runs:
        created by the same migration, or by any migration new in this release."""
        return origin == at or (origin >= 0 and origin in self.new)

    def is_live(self, obj, at: int) -> bool:
        """Whether a catalog object (anything with `origin`) is used by the live version at `at`."""
        return not self.born(getattr(obj, "origin", -1), at)

    def keep(self, finding) -> bool:
        """Whether a finding is reported: findings located in deployed migrations are not, except
        the history rules' (they are about what changed since the base)."""
        if self.members is None or finding.path not in self.deployed:
            return True
        return finding.rule in HISTORY_RULES or finding.rule in _ACROSS_FILES

    def describe(self) -> str:
        """One line for the text output."""
        if self.members is None:
            return ""
        n = len(self.members)
        return (f"Release since {self.since} (merge base {self.base[:10]}): {n} migration{'' if n == 1 else 's'}"
                f" added or changed, {len(self.deployed)} deployed.")

    def to_json(self) -> dict | None:
        if self.members is None:
            return None
        return {"since": self.since, "base": self.base, "migrations": sorted(self.members)}


# The history hygiene rules (rules/history.py): reported even on deployed migrations. Every other
# rule judges only the release's migrations: a deployed migration already ran everywhere, so what
# it does can no longer break anything (and its findings were reported when it was released).
HISTORY_RULES = frozenset({"flyway-applied-migration-edited", "flyway-applied-migration-missing", "flyway-out-of-order"})
# Findings about several migrations at once, located at one of them: kept wherever they point.
_ACROSS_FILES = frozenset({"flyway-duplicate-version", "flyway-duplicate-repeatable"})


# ---------------------------------------------------------------------------------------------
# git


def git(args: list[str], cwd: Path, *, input: bytes | None = None) -> bytes:
    """Run git; raise ReleaseError with git's own first line when it fails."""
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, check=False)
    except FileNotFoundError:
        raise ReleaseError("--since and --app-source with --since need git, which is not installed "
                           "(not found on PATH)") from None
    except OSError as e:
        raise ReleaseError(f"cannot run git: {e}") from None
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ReleaseError(msg[0] if msg else f"git {' '.join(args)} failed")
    return proc.stdout


def toplevel(path: Path) -> Path:
    """The top folder of the git working tree that contains `path`."""
    folder = path if path.is_dir() else path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        out = git(["rev-parse", "--show-toplevel"], folder)
    except ReleaseError as e:
        if "not a git repository" in str(e).lower():
            raise ReleaseError(f"{path} is not inside a git repository (--since reads the deployed "
                               "state from git)") from None
        raise
    return Path(os.path.realpath(out.decode().strip()))


def merge_base(repo: Path, ref: str) -> str:
    """The commit REF and HEAD have in common (REF itself when HEAD is built on it)."""
    try:
        sha = git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], repo).decode().strip()
    except ReleaseError:
        sha = ""
    if not sha:
        raise ReleaseError(f"unknown git revision '{ref}' in {repo} (in CI, fetch the full history: "
                           "actions/checkout with fetch-depth: 0, and fetch the branch you compare with)")
    try:
        return git(["merge-base", sha, "HEAD"], repo).decode().strip()
    except ReleaseError as e:
        raise ReleaseError(f"no common commit between '{ref}' and HEAD in {repo} ({e}); with a shallow "
                           "clone, fetch the full history (fetch-depth: 0)") from None


def tree_files(repo: Path, commit: str, folder: str) -> list[tuple[str, str, int]]:
    """(path relative to repo, blob sha, size) of every regular file below `folder` at `commit`."""
    args = ["ls-tree", "-r", "-z", "-l", "--full-tree", commit]
    if folder not in ("", "."):
        args += ["--", folder]
    out = git(args, repo)
    files = []
    for entry in out.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        mode, kind, sha, size = meta.split()
        if kind != b"blob" or mode == b"120000":  # symlinks and submodules are not files
            continue
        files.append((path.decode("utf-8", "surrogateescape"), sha.decode(), int(size)))
    return files


def read_blobs(repo: Path, shas: list[str]) -> dict[str, bytes]:
    """Contents of many blobs with one `git cat-file --batch`."""
    if not shas:
        return {}
    unique = list(dict.fromkeys(shas))
    out = git(["cat-file", "--batch"], repo, input=("\n".join(unique) + "\n").encode())
    blobs: dict[str, bytes] = {}
    pos = 0
    for sha in unique:
        nl = out.index(b"\n", pos)
        header = out[pos:nl].split()
        pos = nl + 1
        if len(header) < 3 or header[1] == b"missing":
            continue
        size = int(header[2])
        blobs[sha] = out[pos: pos + size]
        pos += size + 1  # the content is followed by a newline
    return blobs


# ---------------------------------------------------------------------------------------------
# Building the release


def location_roots(cfg, paths, cwd: Path) -> list[Path]:
    """The folders (or single files) discovery scans, as absolute paths."""
    from flylint.flyway.discovery import parse_location

    if paths:
        return [Path(os.path.normpath(p if Path(p).is_absolute() else cwd / p)) for p in paths]
    return [parse_location(d, cwd).root for d in cfg.locations]


def resolve(since: str, cfg, paths, cwd: Path, sources) -> Release:
    """The release of the migrations added or changed since the merge base of `since` and HEAD.

    `sources` are the current migrations in Flyway order (discovery's SourceFile list)."""
    cwd = Path(os.path.realpath(cwd))
    roots = [Path(os.path.realpath(r)) for r in location_roots(cfg, paths, cwd)]
    repo = toplevel(roots[0] if roots else cwd)
    for r in roots:
        if not _inside(r, repo):
            raise ReleaseError(f"{r} is outside the git repository {repo}: --since compares migrations "
                               "inside one repository")
    base = merge_base(repo, since)

    rels = [r.relative_to(repo).as_posix() for r in roots]
    entries = {path: sha for rel in rels for path, sha, _ in tree_files(repo, base, rel)}
    changed = changed_paths(repo, base, rels)
    # A file identical at the base is the file discovery just read: reuse its analysis. Only the
    # files that differ (or whose .sql.conf differs) are read from git and discovered again.
    current = {os.path.realpath(s.migration.path): s.migration for s in sources}
    stale = {p for p in entries if p in changed or f"{p}.conf" in changed}
    stale |= {p for p in entries if p.endswith(".conf") and p[:-5] in stale}
    base_migrations: list[BaseMigration] = []
    for path in entries:
        if path in stale:
            continue
        m = current.get(str(repo / path))
        if m is not None:
            base_migrations.append(BaseMigration(m.display, m.script, m.kind, m.version, m.description, m.checksum))
    if stale:
        base_migrations.extend(_discover_at_base(repo, {p: entries[p] for p in stale}, cfg, paths, cwd))
    base_migrations.sort(key=lambda b: (b.kind == "R", b.version.parts if b.version else (), b.description, b.display))
    return membership(since, base, repo, tuple(base_migrations), [s.migration for s in sources])


def changed_paths(repo: Path, base: str, rels: list[str]) -> set[str]:
    """Paths (relative to repo) whose working-tree content differs from `base`: edited, deleted,
    added to the index. (Untracked files are not at the base at all.)"""
    pathspec = [r for r in rels if r not in ("", ".")]
    out = git(["diff", "--no-renames", "--name-only", "-z", base, "--", *(pathspec or ["."])], repo)
    return {p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p}


def _discover_at_base(repo: Path, blobs_by_path: dict[str, str], cfg, paths, cwd: Path) -> list[BaseMigration]:
    """Discover the given base files (written into a temporary copy of their folders) like the
    working tree, so names, locations, script configuration, encodings and checksums match."""
    from flylint.flyway.discovery import discover

    tmp = Path(tempfile.mkdtemp(prefix="flylint-base-"))
    try:
        blobs = read_blobs(repo, list(blobs_by_path.values()))
        for path, sha in blobs_by_path.items():
            if sha in blobs:
                target = tmp / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(blobs[sha])
        base_cwd = tmp / cwd.relative_to(repo) if _inside(cwd, repo) else tmp / ".flylint-outside"
        base_cwd.mkdir(parents=True, exist_ok=True)
        mapped = [tmp / Path(os.path.realpath(p if Path(p).is_absolute() else cwd / p)).relative_to(repo)
                  for p in paths]
        base_cfg = cfg if paths else replace(cfg, locations=tuple(_map_location(d, repo, tmp) for d in cfg.locations))
        found = discover(base_cfg, mapped, base_cwd)
        return [
            BaseMigration(
                display=_display(s.migration.path, tmp, repo, cwd),
                script=s.migration.script,
                kind=s.migration.kind,
                version=s.migration.version,
                description=s.migration.description,
                checksum=s.migration.checksum,
            )
            for s in found.sources
        ]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)




def membership(since, base, repo, base_migrations, migrations: list[MigrationFile]) -> Release:
    """Which current migrations belong to the release (see the module docstring)."""
    versioned: dict[tuple, BaseMigration] = {}
    for b in base_migrations:
        if b.version is not None:
            versioned.setdefault((b.kind, b.version.parts), b)
    sharing: dict[tuple, int] = {}  # current migrations per (kind, version): a duplicate is not the applied one
    for m in migrations:
        if m.version is not None and m.kind != "R":
            sharing[(m.kind, m.version.parts)] = sharing.get((m.kind, m.version.parts), 0) + 1
    repeatable = {}
    for b in base_migrations:
        if b.kind == "R":
            repeatable[b.description] = b
    members, deployed, new = set(), set(), set()
    for i, m in enumerate(migrations):
        if m.kind == "R":
            old = repeatable.get(m.description)
            if old is None:
                members.add(m.display)
                new.add(i)
            elif old.checksum != m.checksum or m.checksum is None:
                members.add(m.display)  # Flyway re-runs it; what it created before is live
            else:
                deployed.add(m.display)
        elif m.version is not None and (key := (m.kind, m.version.parts)) in versioned and (
                sharing[key] == 1 or versioned[key].display == m.display or versioned[key].checksum == m.checksum):
            deployed.add(m.display)
        else:
            members.add(m.display)
            new.add(i)
    return Release(since=since, base=base, repo=repo, members=frozenset(members), new=frozenset(new),
                   base_migrations=base_migrations, deployed=frozenset(deployed))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _display(path: Path, tmp: Path, repo: Path, cwd: Path) -> str:
    """The base file's path as the user would type it in today's working tree."""
    from flylint.text import display_path

    real = repo / Path(os.path.realpath(path)).relative_to(os.path.realpath(tmp))
    return display_path(real, cwd)


def _map_location(descriptor: str, repo: Path, tmp: Path) -> str:
    """An absolute filesystem location inside the repository, moved into the base copy (relative
    ones resolve against the base copy of the current folder by themselves)."""
    prefix, sep, rest = descriptor.partition(":")
    if sep and prefix.lower() == "filesystem" and rest.startswith("/") and "*" not in rest and "?" not in rest:
        real = Path(os.path.realpath(rest))
        if _inside(real, repo):
            return f"filesystem:{tmp / real.relative_to(repo)}"
    return descriptor
