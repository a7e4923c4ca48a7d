"""Every rule's documented examples are its test cases; docs/rules.md is generated from them."""

from __future__ import annotations

import pytest

from conftest import REPO, write_project
from flylint.engine import Options, run
from flylint.rules import all_rules
from flylint.rules.docs import markdown

CASES = [
    pytest.param(r, ex, id=f"{r.id}-{i}-{'flagged' if ex.flagged else 'quiet'}")
    for r in all_rules()
    for i, ex in enumerate(r.examples)
]


@pytest.mark.parametrize("rule,example", CASES)
def test_rule_example(tmp_path, rule, example):
    write_project(tmp_path, dict(example.files))
    result = run(Options(cwd=tmp_path, paths=(tmp_path,), dialect=example.dialect, cache=False))
    fired = [f for f in result.findings if f.rule == rule.id]
    if example.flagged:
        assert fired, f"{rule.id} should flag {sorted(example.files)}"
        for f in fired:
            assert f.docs.endswith(f"#{rule.id}")
            assert f.message and f.klass == rule.klass
    else:
        assert not fired, f"{rule.id} should stay quiet on {sorted(example.files)}: {fired}"


def test_every_rule_has_a_flagged_and_a_quiet_example():
    lacking = [
        r.id
        for r in all_rules()
        if r.id != "flyway-missing-location"  # needs a configured location; tested in test_cli
        and not ({True, False} <= {ex.flagged for ex in r.examples})
    ]
    assert lacking == []


def test_rule_ids_are_unique_and_kebab_case():
    ids = [r.id for r in all_rules()]
    assert len(ids) == len(set(ids))
    assert all(i == i.lower() and " " not in i and "_" not in i for i in ids)


def test_docs_rules_md_is_in_sync():
    expected = markdown(all_rules())
    actual = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/rules.md is stale: run `flylint rules --format markdown > docs/rules.md`"
