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
        # version-gated-syntax's fix is the same change in a form every version has: a rename of a live column
        # written as CHANGE COLUMN is still that rename, which rename-column reports
        same_change = {"rename-column"} if rule.id == "version-gated-syntax" else set()
        errors = [f for f in second.findings if f.severity == "error" and f.path.rsplit("/", 1)[-1] in added
                  and f.rule not in same_change]
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


# -- names in the fix SQL are quoted the way the dialect needs ------------------------------------

_PG = 'CREATE TABLE "Order" (id bigint PRIMARY KEY, "userId" bigint, "Note" text);\n'
_MY = "CREATE TABLE `order` (id bigint PRIMARY KEY, `group` varchar(50), note varchar(50));\n"
_PARTS = 'CREATE TABLE "Events" (id bigint NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);\n'

QUOTING = [
    ("unbatched-backfill", "postgres", {"V1__init.sql": _PG, "V2__fill.sql": 'UPDATE "Order" SET "Note" = lower("Note");\n'},
     ['UPDATE "Order" SET "Note" = ...']),
    ("unbatched-backfill", "mysql", {"V1__init.sql": _MY, "V2__fill.sql": "UPDATE `order` SET `group` = 'x';\n"},
     ["UPDATE `order` SET `group` = ..."]),
    ("foreign-key-without-index", "postgres",
     {"V1__init.sql": 'CREATE TABLE "User" (id bigint PRIMARY KEY);\n' + _PG,
      "V2__fk.sql": 'ALTER TABLE "Order" ADD CONSTRAINT "Order_user_fk" FOREIGN KEY ("userId") REFERENCES "User" (id) '
                    'NOT VALID;\n'},
     ['ON "Order" ("userId")']),
    ("rename-table", "postgres", {"V1__init.sql": _PG, "V2__rename.sql": 'ALTER TABLE "Order" RENAME TO "Purchase";\n'},
     ['CREATE VIEW "Order" AS SELECT * FROM "Purchase";']),
    ("rename-table", "mysql", {"V1__init.sql": _MY, "V2__rename.sql": "RENAME TABLE `order` TO purchase;\n"},
     ["CREATE VIEW `order` AS SELECT * FROM purchase;"]),
    ("change-column-type", "postgres",
     {"V1__init.sql": _PG, "V2__type.sql": 'ALTER TABLE "Order" ALTER COLUMN "Note" TYPE int USING 0;\n'},
     ['ALTER TABLE "Order" ADD COLUMN "Note_new" int;']),
    ("destructive-data-change", "mysql", {"V1__init.sql": _MY, "V2__del.sql": "DELETE FROM `order`;\n"},
     ["DELETE FROM `order` WHERE"]),
    ("constraint-on-live-table", "postgres",
     {"V1__init.sql": _PG, "V2__check.sql": 'ALTER TABLE "Order" ADD CONSTRAINT "Note_set" CHECK ("Note" <> \'\') '
      "NOT VALID;\nALTER TABLE \"Order\" VALIDATE CONSTRAINT \"Note_set\";\n"},
     ['ALTER TABLE "Order" VALIDATE CONSTRAINT "Note_set";']),
    ("constraint-on-live-table", "postgres",
     {"V1__init.sql": 'CREATE TABLE "User" (id bigint PRIMARY KEY);\n' + _PG,
      "V2__col.sql": 'ALTER TABLE "Order" ADD COLUMN "buyerId" bigint DEFAULT 1 REFERENCES "User" (id);\n'},
     ['ALTER TABLE "Order" ADD COLUMN "buyerId" bigint DEFAULT 1;',
      'ALTER TABLE "Order" ADD CONSTRAINT "Order_buyerId_fkey" FOREIGN KEY ("buyerId") REFERENCES "User" (id) NOT VALID;']),
    ("mysql-inline-references", "mysql",
     {"V1__init.sql": _MY + "CREATE TABLE item (id bigint PRIMARY KEY, `group` bigint REFERENCES `order` (id));\n"},
     ["FOREIGN KEY (`group`) REFERENCES `order`"]),
    ("index-without-concurrently", "postgres",
     {"V1__init.sql": _PARTS, "V2__idx.sql": 'CREATE INDEX "Events_at" ON "Events" (at);\n'},
     ['CREATE INDEX "Events_at" ON ONLY "Events" (at);']),
    ("detach-partition", "postgres",
     {"V1__init.sql": _PARTS + 'CREATE TABLE "Events_2025" PARTITION OF "Events" FOR VALUES FROM (\'2025-01-01\') '
                               "TO ('2026-01-01');\n",
      "V2__detach.sql": 'ALTER TABLE "Events" DETACH PARTITION "Events_2025";\n'},
     ['ALTER TABLE "Events" DETACH PARTITION "Events_2025" CONCURRENTLY;']),
    ("domain-constraint", "postgres",
     {"V1__init.sql": 'CREATE DOMAIN qty AS int;\nCREATE TABLE "Items" (id bigint PRIMARY KEY, "N" qty);\n',
      "V2__check.sql": "ALTER DOMAIN qty ADD CONSTRAINT qty_positive CHECK (VALUE > 0);\n"},
     ['ALTER TABLE "Items" VALIDATE CONSTRAINT "Items_N_check";']),
]


@pytest.mark.parametrize("rule_id,dialect,files,wanted", QUOTING, ids=[f"{q[0]}-{q[1]}-{i}" for i, q in enumerate(QUOTING)])
def test_fix_sql_quotes_the_users_names(tmp_path, rule_id, dialect, files, wanted):
    from flylint.sql.parser import parse_statement

    root = write_project(tmp_path, files)
    result = run(Options(cwd=root, paths=(root,), dialect=dialect, cache=False, db_version="15" if dialect == "postgres"
                         else "8.0.35"))
    fixes = [f.fix for f in result.findings if f.rule == rule_id]
    assert fixes, f"{rule_id} did not fire"
    for want in wanted:
        assert any(want in fix for fix in fixes), (want, fixes)
    for fix in fixes:  # every complete statement of the fix is SQL the database reads
        for sql in fix_statements(fix):
            parsed = parse_statement(sql.rstrip(";"), dialect)
            assert parsed.unanalysed is None, (sql, parsed.unanalysed)
