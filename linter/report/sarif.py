"""SARIF 2.1.0, for GitHub code scanning (`github/codeql-action/upload-sarif`) and other viewers.

One run; `tool.driver.rules` holds every rule that fired (results point at it by `ruleId` and
`ruleIndex`); each result has one location with a repository-relative URI under `%SRCROOT%`,
a region (SARIF's `endColumn` is exclusive: flylint's inclusive end column + 1) and
`partialFingerprints` that do not depend on line numbers (flylint.report.fingerprint).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from flylint import __version__
from flylint.report import ReportOptions
from flylint.report.fingerprint import fingerprints, project_root, repo_path

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# Where the project and its rule reference live (informationUri, helpUri).
REPOSITORY_URL = "https://github.com/flylint/flylint"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
SRCROOT = "%SRCROOT%"
_MAX_TEXT = 1024  # GitHub's limit for short and full descriptions


def docs_url(docs: str) -> str:
    """A rule's page (`docs/rules/<id>.md`) on the repository."""
    return f"{REPOSITORY_URL}/blob/main/{docs}"


def rule_descriptor(rule_id: str, docs: str) -> dict:
    from flylint.rules import rules_by_id

    r = rules_by_id().get(rule_id)
    url = docs_url(docs)
    if r is None:  # not a registered rule: say what we know
        return {"id": rule_id, "name": _name(rule_id), "shortDescription": {"text": rule_id},
                "fullDescription": {"text": rule_id}, "helpUri": url, "help": {"text": url},
                "defaultConfiguration": {"level": "warning"}, "properties": {"tags": ["flylint"]}}
    return {
        "id": r.id,
        "name": _name(r.id),
        "shortDescription": {"text": _clip(r.title)},
        "fullDescription": {"text": _clip(r.rationale)},
        "helpUri": url,
        "help": {
            "text": f"{r.rationale}\n\nSafe alternative: {r.fix}\n\n{url}",
            "markdown": f"{r.rationale}\n\n**Safe alternative:** {r.fix}\n\n[{r.id}]({url})",
        },
        "defaultConfiguration": {"level": LEVELS[r.severity]},
        "properties": {"tags": ["flylint", r.klass]},
    }


def document(result, options: ReportOptions) -> dict:
    cwd = Path(options.cwd or Path.cwd())
    root = project_root(cwd)
    rules: list[dict] = []
    index: dict[str, int] = {}
    results = []
    for f, fp in zip(result.findings, fingerprints(result, cwd)):
        if f.rule not in index:
            index[f.rule] = len(rules)
            rules.append(rule_descriptor(f.rule, f.docs))
        path = repo_path(f.path, cwd, root)
        if Path(path).is_absolute():  # outside the repository: an absolute file URI
            artifact = {"uri": Path(path).as_uri()}
        else:
            artifact = {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}
        text = f.message + (f"\n\nFix: {f.fix}" if f.fix else "")
        results.append({
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": LEVELS[f.severity],
            "message": {"text": text},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": artifact,
                    "region": {
                        "startLine": f.span.line,
                        "startColumn": f.span.column,
                        "endLine": f.span.end_line,
                        "endColumn": f.span.end_column + 1,
                    },
                }
            }],
            "partialFingerprints": {"flylint/v1": fp, "primaryLocationLineHash": fp},
            "properties": {"class": f.klass, "change": f.change, "object": f.object},
        })
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "flylint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": REPOSITORY_URL,
                "rules": rules,
            }},
            "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri() + "/"}},
            "columnKind": "unicodeCodePoints",
            "invocations": [{"executionSuccessful": True}],
            "results": results,
            "properties": {"dialect": result.dialect, "dbVersion": result.db_version},
        }],
    }


def render(result, out: TextIO, options: ReportOptions) -> None:
    out.write(json.dumps(document(result, options), indent=2, ensure_ascii=False))
    out.write("\n")


def _name(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.split("-"))


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "\u2026"
