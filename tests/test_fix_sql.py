"""The SQL that a finding's fix suggests, applied as the user would, must not break another rule.

For every flagged example of every rule: lint it, take the SQL statements out of each finding's fix
(with the user's names filled in), put them where the fix says (each in a migration of its own, or in
the same migration when the fix says so) instead of the flagged statement, and lint again: no
statement of the fix may be an error for any rule. Contract steps (DROP ..., meant for a later
release with a suppression reason) and SQL with placeholders (`...`, `<role>`) are left out.
"""

from __future__ import annotations

import re

import pytest

from conftest import write_project
from flylint.engine import Options, run
from flylint.rules import all_rules

_STMT = re.compile(r"\b((?:ALTER|CREATE|UPDATE|SET|REVOKE|INSERT|RENAME|OPTIMIZE|REINDEX|COMMENT)\s[^;]*;)")
_VERSION = re.compile(r"V(\d+)__")


def fix_statements(fix: str | None) -> list[str]:
    out = []
    for m in _STMT.finditer(fix or ""):
        sql = m.group(1)
        if "..." in sql or "<" in sql or ":last" in sql:
            break  # a placeholder: the user writes this step, and the steps after it depend on it
        if re.search(r"\bDROP\b", sql):
            continue  # a contract step, for a later release
        out.append(sql)
    return out


def _lint(root, example):
    return run(Options(cwd=root, paths=(root,), dialect=example.dialect, cache=False, db_version=example.db_version))


CASES = [
    pytest.param(r, ex, id=f"{r.id}-{i}")
    for r in all_rules()
    for i, ex in enumerate(r.examples)
    if ex.flagged and not any(n.startswith("app/") for n in ex.files)
]


@pytest.mark.parametrize("rule,example", CASES)
def test_fix_sql_does_not_trigger_another_error(tmp_path, rule, example):
    first = _lint(write_project(tmp_path / "before", dict(example.files)), example)
    checked = 0
    for n, finding in enumerate(f for f in first.findings if f.rule == rule.id):
        statements = fix_statements(finding.fix)
        if not statements:
            continue
        files = dict(example.files)
        name = finding.path.rsplit("/", 1)[-1]
        if name not in files:
            continue
        lines = files[name].splitlines(keepends=True)
        fa = next(fa for fa in first.files if fa.migration.path.name == name)
        st = next((s for s in fa.statements if s.span.line == finding.span.line), None)
        if st is None:
            continue
        same = "in the same migration" in (finding.fix or "")
        text = files[name]
        if not same:
            text = text.replace(st.text, "", 1)
            text = text.replace(";\n;", ";\n", 1) if text.strip() != ";" else ""
            text = "\n".join(line for line in text.splitlines() if line.strip() != ";")
        versions = [int(m.group(1)) for f in files for m in [_VERSION.match(f)] if m]
        after = max(versions, default=0) + 1
        added: list[str] = []
        if same:
            text = text.rstrip("\n") + "\n" + "\n".join(statements) + "\n"
            added.append(name)
        elif text.strip():
            files[name] = text + "\n"
        else:
            del files[name]
        if not same:
            for i, sql in enumerate(statements):
                fname = f"V{after + i}__fix_{n}.sql"
                files[fname] = sql + "\n"
                if "executeInTransaction=false" in (finding.fix or ""):
                    files[fname + ".conf"] = "executeInTransaction=false\n"
                added.append(fname)
        else:
            files[name] = text
        second = _lint(write_project(tmp_path / f"after{n}", files), example)
        errors = [f for f in second.findings if f.severity == "error" and f.path.rsplit("/", 1)[-1] in added]
        assert not errors, (f"{rule.id}'s fix {finding.fix!r} gives errors: "
                            + "; ".join(f"{e.rule}: {e.message}" for e in errors))
        checked += 1


_MAIN = ("constraint-on-live-table", "index-without-concurrently", "set-not-null", "add-not-null-column",
         "rename-column", "rename-table", "table-rewrite", "change-column-type", "lock-timeout")


def test_the_main_rules_fixes_are_sql_that_the_check_above_lints(tmp_path):
    by_id = {r.id: r for r in all_rules()}
    lacking = []
    for rid in _MAIN:
        fixes = []
        for i, ex in enumerate(e for e in by_id[rid].examples if e.flagged):
            result = _lint(write_project(tmp_path / f"{rid}{i}", dict(ex.files)), ex)
            fixes += [f.fix for f in result.findings if f.rule == rid]
        if not any(fix_statements(fix) for fix in fixes):
            lacking.append(rid)
    assert lacking == []


def test_drop_table_fix_does_not_suggest_a_rename(tmp_path):
    # a rename breaks the live version just like the drop (rename-table flags it): the fix keeps the table,
    # revokes access to prove nothing uses it, and drops it in a later release with a suppression reason
    files = {"V1__init.sql": "CREATE TABLE \"Users\" (id bigint PRIMARY KEY);\n", "V2__drop.sql": "DROP TABLE \"Users\";\n"}
    root = write_project(tmp_path, files)
    result = run(Options(cwd=root, paths=(root,), dialect="postgres", cache=False))
    (drop,) = [f for f in result.findings if f.rule == "drop-table"]
    assert "RENAME" not in drop.fix
    assert 'REVOKE ALL ON "Users" FROM' in drop.fix and "flylint: ignore[drop-table]" in drop.fix
