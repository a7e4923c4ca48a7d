"""The rule reference, generated from the rules' own metadata.

`docs/rules.md` is the index; `docs/rules/<id>.md` is one page per rule (what, why, the safe way,
examples that flag and examples that stay quiet). A test keeps the files in sync; regenerate them
with `python -m flylint.rules.docs docs`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from flylint.rules import Rule

_HEADER = """# Rule reference

Generated from the rules' metadata (`python -m flylint.rules.docs docs`); a test keeps these pages
in sync. `flylint rules` lists the rules and `flylint explain <id>` prints one page. Every rule's
examples are also its test cases.

A statement that fails when Flyway runs it carries only the findings that say so (`missing-object`,
`object-exists`, `dependent-objects`, `algorithm-refused`, `version-gated-syntax`), plus those about
the file or Flyway (`flyway-*`, `unanalysed-statement`, `flylint-suppression`, `mysql-multiple-ddl`):
the statement never runs, so what it would lock, rewrite or break is noise until it is fixed (a
suppressed failure finding does not count).

The class is the rule's. A finding of an `incompatible` or `destructive` rule that is not a break of
the live version carries the class of the change it is about instead (a `change-column-type` finding
on a widening that rewrites the table is `neutral`); see the `class` field in
[output.md](output.md#finding).

"""


def index(rules: Iterable[Rule]) -> str:
    out = [_HEADER, "| rule | severity | class | title |\n|---|---|---|---|\n"]
    for r in rules:
        opt = " (opt-in)" if not r.default else ""
        out.append(f"| [`{r.id}`](rules/{r.id}.md) | {r.severity}{opt} | {r.klass} | {r.title} |\n")
    return "".join(out)


def page(r: Rule) -> str:
    out = [f"# {r.id}\n\n**{r.title}**\n\nDefault severity: `{r.severity}`. Class: `{r.klass}`.\n\n"]
    if not r.default:
        out.append(f"Opt-in: it runs only when selected (`--select {r.id}`, or `select` in the settings).\n\n")
    out.append(f"## Why\n\n{r.rationale}\n\n## The safe way\n\n{r.fix}\n")
    flagged = [ex for ex in r.examples if ex.flagged]
    quiet = [ex for ex in r.examples if not ex.flagged]
    for title, group in (("Flagged", flagged), ("Not flagged", quiet)):
        if not group:
            continue
        out.append(f"\n## {title}\n")
        for ex in group:
            version = f" {ex.db_version}" if ex.db_version else ""
            label = f" ({ex.dialect}{version}{': ' + ex.title if ex.title else ''})"
            out.append(f"\nExample{label}:\n\n")
            for name, content in ex.files.items():
                shown = content.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                out.append(f"`{name}`\n```sql\n{shown.rstrip()}\n```\n")
    out.append("\n## Suppressing it\n\nOn the statement's line or the line above: "
               f"`-- flylint: ignore[{r.id}] <why it is safe here>`.\n")
    return "".join(out)


def expected_files(rules: Iterable[Rule]) -> dict[str, str]:
    """Relative path under docs/ -> content."""
    rules = list(rules)
    files = {"rules.md": index(rules)}
    for r in rules:
        files[f"rules/{r.id}.md"] = page(r)
    return files


def write(docs_dir: Path, rules: Iterable[Rule]) -> None:
    files = expected_files(rules)
    (docs_dir / "rules").mkdir(parents=True, exist_ok=True)
    for old in (docs_dir / "rules").glob("*.md"):
        if f"rules/{old.name}" not in files:
            old.unlink()
    for rel, content in files.items():
        (docs_dir / rel).write_text(content, encoding="utf-8")


if __name__ == "__main__":  # python -m flylint.rules.docs docs
    from flylint.rules import all_rules

    write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"), all_rules())
