"""Statements flylint could not analyse. Never passed as safe: each one is reported with the reason."""

from __future__ import annotations

import re

from flylint.rules import Example, rule


# What is left of a BEGIN ... END body after Flyway cut it at an inner ';' (END IF, END, ELSE ...)
_BODY_FRAGMENT = re.compile(r"\s*(END|ELSE|ELSEIF|UNTIL|WHEN)\b", re.IGNORECASE)


@rule(
    id="unanalysed-statement",
    title="Statement not analysed",
    severity="warning",
    klass="unanalysed",
    rationale=(
        "flylint judges a migration by understanding every statement in it. When a statement does "
        "not parse, or parses only in part (sqlglot falls back to an opaque command), flylint cannot "
        "tell whether it breaks the live application or locks a table, so it says so instead of "
        "passing it as safe."
    ),
    fix=(
        "Check the statement for a typo first. If it is valid SQL that flylint does not understand "
        "yet, review it by hand and suppress this finding for that statement with the reason."
    ),
    examples=(
        Example({"V1__typo.sql": "CREATE TABEL users (id int);\n"}, flagged=True, title="a typo"),
        Example({"V1__ok.sql": "CREATE TABLE users (id int);\n"}, flagged=False),
        Example({"V1__do.sql": "DO $$ BEGIN EXECUTE 'DROP TABLE users'; END $$;\n"}, flagged=True,
                title="a DO block runs code flylint does not read"),
        Example(
            {"V1__vacuum.sql": "ALTER TABLE users FOO BAR;\n"},
            flagged=True,
            dialect="mysql",
            title="an ALTER TABLE clause that does not exist",
        ),
    ),
)
def unanalysed_statement(rule, ctx):
    # Statements that parse but run code flylint does not read (a DO block, a call of a function
    # the history created): the replay marks them unanalysed.
    for fa, st, ch in ctx.changes_of("unanalysed"):
        if st.split_error is None and st.parsed is not None and st.parsed.unanalysed is None:
            yield rule.finding(
                fa.migration.display,
                st.span,
                f"flylint did not analyse what this statement runs: {ch.description}. Its effect on the "
                "schema is not checked for blue/green safety or locking, and flylint stops claiming "
                "that objects are missing after it.",
                fix="Prefer plain DDL in migrations; if the block is needed, review it by hand and suppress "
                "this finding with the reason.",
                change="unanalysed",
            )
    for fa in ctx.files:
        path = fa.migration.display
        split_body = False
        for st in fa.statements:
            if st.split_error is not None:
                continue  # reported by flyway-incomplete-statement
            split_body = split_body or st.split_note is not None
            reason = st.parsed.unanalysed
            if reason is None:
                continue
            if split_body and _BODY_FRAGMENT.match(st.text):
                continue  # the rest of a stored-program body Flyway splits: flyway-split-pitfall says so
            kind = f" ({st.parsed.kind})" if st.parsed.kind else ""
            yield rule.finding(
                path,
                st.error_span or st.span,
                f"flylint could not analyse this statement{kind}: {reason}. It is not checked "
                "for blue/green safety or locking.",
                fix=rule.fix,
                change="unanalysed",
            )


@rule(
    id="flylint-suppression",
    title="Suppression comment without a reason, or without effect",
    severity="warning",
    klass="neutral",
    rationale=(
        "`-- flylint: ignore[rule-id] reason` on a statement's line or the line above it silences "
        "that rule there; `-- flylint: ignore-file[rule-id] reason` silences it for the file. The "
        "reason is required, so the next reader knows why the finding does not apply. A suppression "
        "that matches nothing is stale and hides the next real finding, so it is reported too."
    ),
    fix="Write why after the bracket, or remove the suppression.",
    examples=(
        Example({"V1__init.sql": "CREATE TABLE users (id int, c int);\n",
                 "V2__drop.sql": "-- flylint: ignore[drop-column]\nALTER TABLE users DROP COLUMN c;\n"},
                True, title="no reason given"),
        Example({"V1__init.sql": "CREATE TABLE users (id int, c int);\n",
                 "V2__drop.sql": "-- flylint: ignore[drop-table] not needed\nALTER TABLE users ADD COLUMN d int;\n"},
                True, title="suppresses nothing"),
        Example({"V1__init.sql": "CREATE TABLE users (id int, c int);\n",
                 "V2__drop.sql": "SET lock_timeout = '5s';\n"
                 "-- flylint: ignore[drop-column] c has been unused since release 4.2\n"
                 "ALTER TABLE users DROP COLUMN c;\n"}, False),
    ),
)
def suppression(rule, ctx):
    return ()  # the engine reports suppression problems while applying them (flylint.suppress)
