"""Every rule's documented examples are its test cases; docs/rules.md is generated from them."""

from __future__ import annotations

import pytest

from conftest import REPO, write_project
from flylint.engine import Options, run
from flylint.model import CLASSES
from flylint.rules import all_rules
from flylint.rules.docs import expected_files
from flylint.release import HISTORY_RULES

CASES = [
    pytest.param(r, ex, id=f"{r.id}-{i}-{'flagged' if ex.flagged else 'quiet'}")
    for r in all_rules()
    for i, ex in enumerate(r.examples)
]


@pytest.mark.parametrize("rule,example", CASES)
def test_rule_example(tmp_path, rule, example):
    write_project(tmp_path, {n: c for n, c in example.files.items() if not n.startswith("app/")})
    # files under app/ are the live application's queries (--app-queries), kept out of the project
    apps = tmp_path.with_name(tmp_path.name + "_app")
    write_project(apps, {n: c for n, c in example.files.items() if n.startswith("app/")})
    result = run(Options(cwd=tmp_path, paths=(tmp_path,), dialect=example.dialect, cache=False,
                         db_version=example.db_version, select=() if rule.default else (rule.id,),
                         app_queries=tuple(apps / n for n in example.files if n.startswith("app/"))))
    fired = [f for f in result.findings if f.rule == rule.id]
    if example.flagged:
        assert fired, f"{rule.id} should flag {sorted(example.files)}"
        for f in fired:
            assert f.docs == f"docs/rules/{rule.id}.md"
            assert f.message
            # a compatibility rule's finding that is not a break carries its change's class (docs/output.md)
            assert f.klass == rule.klass or (rule.klass in ("incompatible", "destructive") and f.klass in CLASSES)
    else:
        assert not fired, f"{rule.id} should stay quiet on {sorted(example.files)}: {fired}"


def test_every_rule_has_a_flagged_and_a_quiet_example():
    lacking = [
        r.id
        for r in all_rules()
        if r.id != "flyway-missing-location"  # needs a configured location; tested in test_cli
        and r.id not in HISTORY_RULES  # need a git base commit (--since); tested in test_history
        and not ({True, False} <= {ex.flagged for ex in r.examples})
    ]
    assert lacking == []


def test_opt_in_rules_run_only_when_selected(tmp_path):
    write_project(tmp_path, {"V1__init.sql": "CREATE TABLE events (at timestamp);\n"})
    quiet = run(Options(cwd=tmp_path, paths=(tmp_path,), dialect="postgres", cache=False))
    assert not [f for f in quiet.findings if f.rule in ("prefer-timestamptz", "table-without-primary-key")]
    chosen = run(Options(cwd=tmp_path, paths=(tmp_path,), dialect="postgres", cache=False, select=("prefer",)))
    assert {f.rule for f in chosen.findings} == {"prefer-timestamptz"}  # a prefix selects opt-in rules too


def test_rule_ids_are_unique_and_kebab_case():
    ids = [r.id for r in all_rules()]
    assert len(ids) == len(set(ids))
    assert all(i == i.lower() and " " not in i and "_" not in i for i in ids)


def test_rule_docs_are_in_sync():
    expected = expected_files(all_rules())
    docs = REPO / "docs"
    stale = [rel for rel, content in expected.items()
             if not (docs / rel).is_file() or (docs / rel).read_text(encoding="utf-8") != content]
    extra = sorted(p.name for p in (docs / "rules").glob("*.md") if f"rules/{p.name}" not in expected)
    assert (stale, extra) == ([], []), "rule docs are stale: run `python -m flylint.rules.docs docs`"
