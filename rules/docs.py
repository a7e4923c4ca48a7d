"""The rule reference (docs/rules.md), generated from the rules' own metadata."""

from __future__ import annotations

from collections.abc import Iterable

from flylint.rules import Rule

_HEADER = """# Rule reference

Generated from the rules' metadata by `flylint rules --format markdown`; a test keeps this file in
sync. Each rule lists its default severity, the class of its findings, why it matters, the safe
alternative, and examples: small Flyway projects it must flag and must stay quiet on (they are
also its test cases).

"""


def markdown(rules: Iterable[Rule]) -> str:
    rules = list(rules)
    out = [_HEADER, "| rule | severity | class | title |\n|---|---|---|---|\n"]
    for r in rules:
        out.append(f"| [`{r.id}`](#{r.id}) | {r.severity} | {r.klass} | {r.title} |\n")
    for r in rules:
        out.append(f"\n## {r.id}\n\n**{r.title}**: default severity `{r.severity}`, class `{r.klass}`.\n\n")
        out.append(f"{r.rationale}\n\n**Safe alternative.** {r.fix}\n")
        for ex in r.examples:
            verdict = "Flagged" if ex.flagged else "Not flagged"
            title = f": {ex.title}" if ex.title else ""
            out.append(f"\n{verdict} ({ex.dialect}){title}\n\n")
            for name, content in ex.files.items():
                shown = content.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                out.append(f"`{name}`\n```sql\n{shown.rstrip()}\n```\n")
    return "".join(out)
