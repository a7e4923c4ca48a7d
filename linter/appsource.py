"""Evidence from the deployed code (`--app-source DIR`): does the live version still use an object?

For every incompatible or destructive change the release makes to a live object (drop or rename of
a column, table or view, a type change, NOT NULL tightening, a dropped default), flylint searches
the code of the version that is live during the rollout for the object's name. Found: the finding
is an error naming the places. Not found: a drop, rename or type change is a contract step and
becomes a warning (a drop still loses data); a NOT NULL tightening or a dropped default keeps its
severity, because code that never names the column is exactly the code whose inserts leave it out. With `--since REF`
that code is read from git as it was at the merge base (`git ls-tree` + one `git cat-file
--batch`), not from the working tree, which already holds the new version; without `--since` it
is the working tree.

What is searched, kept simple on purpose (docs/releases.md):

* the name as written in the migration, its snake_case, camelCase and PascalCase forms
  (`last_name`, `lastName`, `LastName`), each case-sensitively; a column's name alone (a
  table-qualified form such as `users.last_name` contains it anyway);
* as whole words: a form must not touch another letter, digit or `_`; camelCase and PascalCase
  forms may continue with an upper-case letter (`lastNameField`) and a PascalCase form may follow
  a lower-case prefix (`getLastName`, `setLastName`);
* files with the extensions in EXTENSIONS, at most 1 MiB, without NUL bytes in their first 8 KiB,
  outside hidden folders and the build/dependency folders in SKIP_DIRS.

One compiled regular expression covers every name of the run; it runs only on files that contain
one of the forms as a plain substring (a much faster test that rules out most files).
Rules never read files: the engine runs `search` and hands the result to the rules and to
`annotate` through `LintContext.app`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from flylint.text import display_path

EXTENSIONS = frozenset({
    "java", "kt", "kts", "scala", "groovy", "py", "rb", "go", "ts", "tsx", "js", "jsx", "cs", "php",
    "sql", "xml", "yml", "yaml", "json", "properties",
})
SKIP_DIRS = frozenset({
    "node_modules", "build", "target", "dist", "out", "bin", "obj", "vendor", "__pycache__", "venv",
    ".git",  # hidden folders are skipped anyway
})
MAX_BYTES = 1 << 20
SHOWN = 5  # references named in a finding

# Changes whose evidence matters, and the rules that report them.
EVIDENCE_KINDS = frozenset({
    "drop-column", "rename-column", "drop-table", "rename-table", "drop-view", "change-column-type",
    "set-not-null", "drop-default",
})
EVIDENCE_RULES = frozenset({
    "drop-column", "rename-column", "drop-table", "rename-table", "drop-object", "change-column-type",
    "set-not-null", "drop-default",
})


# Changes that break the live version when it does NOT write the column (its inserts leave it out):
# for them a missing reference is no reason to downgrade.
_WRITES_NEEDED = frozenset({"set-not-null", "drop-default"})


def _table_of(ch) -> str:
    return ch.table[1] if ch.table else ch.object.rsplit(".", 1)[0]


class AppSourceError(Exception):
    """A folder that does not exist (exit 2)."""


@dataclass(frozen=True)
class Reference:
    path: str  # display path
    line: int
    form: str  # the form of the name that was found

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class AppSource:
    dirs: tuple[str, ...]  # as displayed
    revision: str | None  # the commit the code was read from; None: the working tree
    files: int = 0  # files searched
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> forms searched
    refs: dict[str, list[Reference]] = field(default_factory=dict)  # name -> first references
    counts: dict[str, int] = field(default_factory=dict)  # name -> number of references

    def references(self, name: str) -> list[Reference]:
        return self.refs.get(name, [])

    def count(self, name: str) -> int:
        return self.counts.get(name, 0)

    def where(self) -> str:
        at = f" at {self.revision[:10]}" if self.revision else " (working tree)"
        return f"{', '.join(self.dirs)}{at}"

    def to_json(self) -> dict:
        return {"dirs": list(self.dirs), "revision": self.revision, "files": self.files,
                "names": sorted(self.names)}


# ---------------------------------------------------------------------------------------------
# Names and their forms

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def forms(name: str) -> tuple[str, ...]:
    """The name as written, snake_case, camelCase and PascalCase, without duplicates."""
    words = [w.lower() for w in _WORDS.findall(name)]
    out = [name]
    if words:
        out.append("_".join(words))
        out.append(words[0] + "".join(w.capitalize() for w in words[1:]))
        out.append("".join(w.capitalize() for w in words))
    return tuple(dict.fromkeys(f for f in out if f))


def _hump(form: str) -> bool:
    """A camelCase or PascalCase form: may run on into the next capitalised word."""
    return any(c.isupper() for c in form) and "_" not in form


def compile_forms(all_forms) -> re.Pattern[str]:
    """One regular expression for every form, each with its own word boundaries.

    The alternation comes first and the left boundary is checked afterwards, by a lookbehind over
    the form and the character before it: a pattern that starts with literals lets the regex engine
    skip ahead to their first characters, about ten times faster than one that starts with a
    lookbehind."""
    parts = []
    for f in sorted(set(all_forms), key=lambda s: (-len(s), s)):
        before = "[A-Z0-9_$]" if f[0].isupper() else "[A-Za-z0-9_$]"
        after = r"(?![a-z0-9_])" if _hump(f) else r"(?![A-Za-z0-9_])"
        parts.append(f"{re.escape(f)}(?<!{before}{re.escape(f)}){after}")
    return re.compile("|".join(parts))


# ---------------------------------------------------------------------------------------------
# Which names a run needs


def wanted(ctx) -> dict[str, tuple[str, ...]]:
    """Names of the live objects the release changes incompatibly or destructively -> their forms."""
    names: dict[str, tuple[str, ...]] = {}
    release = ctx.release
    for fa, _st, ch in ctx.changes():
        if ch.kind not in EVIDENCE_KINDS or ch.born or ch.klass not in ("incompatible", "destructive"):
            continue
        if release is not None and not release.contains(fa.migration):
            continue
        name = _name_of(ch.kind, ch.object, ch.detail.get("column"))
        if name and name not in names:
            names[name] = forms(name)
    return names


def _name_of(kind: str, obj: str | None, column: str | None = None) -> str | None:
    if column:
        return column
    if not obj:
        return None
    return obj.rsplit(".", 1)[-1]


# ---------------------------------------------------------------------------------------------
# Reading the code


def _wanted_file(rel_parts: list[str], size: int) -> bool:
    name = rel_parts[-1]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in EXTENSIONS or size > MAX_BYTES:
        return False
    return not any(p in SKIP_DIRS or p.startswith(".") for p in rel_parts[:-1])


def _worktree(folder: Path):
    """(absolute path, bytes) of the files to search below `folder` in the working tree."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
            if ext not in EXTENSIONS:
                continue
            full = os.path.join(dirpath, name)
            try:
                if os.path.getsize(full) > MAX_BYTES:
                    continue
                with open(full, "rb") as fh:
                    data = fh.read()
            except OSError:
                continue
            yield Path(full), data


def _at_revision(folder: Path, since: str, release):
    """(absolute path in today's tree, bytes) of the files below `folder` at the deployed commit."""
    from flylint.release import merge_base, read_blobs, toplevel, tree_files

    repo = toplevel(folder)
    base = release.base if release is not None and release.repo == repo and release.base else merge_base(repo, since)
    existing, rest = folder, []
    while not existing.exists() and existing != existing.parent:  # a folder deleted since the base
        rest.append(existing.name)
        existing = existing.parent
    real = Path(os.path.realpath(existing)).joinpath(*reversed(rest))
    try:
        rel = real.relative_to(repo).as_posix()
    except ValueError:
        raise AppSourceError(f"{folder} is not inside the git repository {repo}") from None
    entries = [(p, sha) for p, sha, size in tree_files(repo, base, rel)
               if _wanted_file(p[len(rel) + 1:].split("/") if rel not in ("", ".") else p.split("/"), size)]
    blobs = read_blobs(repo, [sha for _, sha in entries])
    for p, sha in entries:
        if sha in blobs:
            yield repo / p, blobs[sha]


def search(dirs, ctx, cwd: Path) -> AppSource:
    """Search the deployed code in `dirs` for every name `wanted(ctx)` returns."""
    release = ctx.release
    since = release.since if release is not None and not release.per_file else None
    absolute = [Path(os.path.normpath(d if Path(d).is_absolute() else cwd / d)) for d in dirs]
    for d in absolute:
        if since is None and not d.is_dir():
            raise AppSourceError(f"not a folder: {d}")
    names = wanted(ctx)
    app = AppSource(tuple(display_path(d, cwd) for d in absolute), release.base if since else None, names=names)
    pattern = compile_forms({f for fs in names.values() for f in fs}) if names else None
    needles = [f.encode() for fs in names.values() for f in fs]
    owners: dict[str, list[str]] = {}
    for name, fs in names.items():
        for f in fs:
            owners.setdefault(f, []).append(name)
    found: dict[str, list[Reference]] = {}
    counts: dict[str, int] = {}
    for d in absolute:
        files = _at_revision(d, since, release) if since else _worktree(d)
        before = app.files
        for path, data in files:
            if b"\0" in data[:8192]:
                continue
            app.files += 1
            if pattern is None or not any(b in data for b in needles):
                continue  # a plain substring test first: most files name none of the objects
            text = data.decode("utf-8", "replace")
            shown = None
            line, pos = 1, 0
            seen: set = set()  # (name, line): one reference per line
            for m in pattern.finditer(text):
                line += text.count("\n", pos, m.start())
                pos = m.start()
                if shown is None:
                    shown = display_path(path, cwd)
                for name in owners.get(m.group(), ()):
                    if (name, line) in seen:
                        continue
                    seen.add((name, line))
                    counts[name] = counts.get(name, 0) + 1
                    refs = found.setdefault(name, [])
                    if len(refs) < SHOWN:
                        refs.append(Reference(shown, line, m.group()))
        if app.files == before:
            # Searching nothing proves nothing: a mistyped folder must not downgrade every finding.
            at = f" at {release.base[:10]}" if since else ""
            raise AppSourceError(f"no source files in {display_path(d, cwd)}{at} (searched: "
                                 f"{', '.join(sorted(EXTENSIONS))})")
    app.refs, app.counts = found, counts
    return app


# ---------------------------------------------------------------------------------------------
# Turning evidence into findings


def annotate(findings, ctx, keep_severity=frozenset()):
    """Add the evidence to the findings about live objects: referenced -> error naming the places;
    not referenced -> warning, a contract step (destructive changes still lose data).
    `keep_severity`: rule ids whose severity the user configured (left as configured)."""
    app = ctx.app
    if app is None:
        return findings
    eligible = {}
    for fa, st, ch in ctx.changes():
        if ch.kind in EVIDENCE_KINDS and not ch.born and ch.klass in ("incompatible", "destructive"):
            eligible[(fa.migration.display, st.span.line, ch.kind, ch.object)] = ch
    out = []
    for f in findings:
        ch = eligible.get((f.path, f.span.line, f.change, f.object)) if f.rule in EVIDENCE_RULES else None
        if ch is None:
            out.append(f)
            continue
        name = _name_of(ch.kind, ch.object, ch.detail.get("column"))
        fs = app.names.get(name) or forms(name)
        refs, n = app.references(name), app.count(name)
        searched = f"{app.files} file{'' if app.files == 1 else 's'} of the deployed code in {app.where()}"
        if refs:
            places = ", ".join(f"{r} ({r.form})" if r.form != name else str(r) for r in refs)
            more = f" and {n - len(refs)} more" if n > len(refs) else ""
            msg = (f"{f.message} Evidence: the deployed code still references {name}: {places}{more} "
                   f"(searched {searched}).")
            sev = "error"
        elif ch.kind in _WRITES_NEEDED:
            # Not naming the column is no excuse here: inserts that leave it out are what break.
            msg = (f"{f.message} Evidence: the deployed code never names {name} (searched {', '.join(fs)} in "
                   f"{searched}): if it inserts into {_table_of(ch)}, those inserts leave {name} out.")
            sev = f.severity
        else:
            lost = " The data is still lost." if ch.klass == "destructive" else ""
            msg = (f"{f.message} Evidence: the deployed code no longer references {name} (searched "
                   f"{', '.join(fs)} in {searched}): this is a contract step.{lost}")
            sev = "warning"
        out.append(replace(f, message=msg, severity=f.severity if f.rule in keep_severity else sev))
    return out
