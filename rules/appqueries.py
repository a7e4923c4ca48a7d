"""The live application's queries (`--app-queries`): which ones the migrations break.

The engine reads the query files; flylint.appqueries parses and qualifies each query against the
catalog after the migrations. A broken query is reported at the migration statement that breaks
it, naming the query's file and line; a query flylint cannot check is listed at the query.
"""

from __future__ import annotations

from flylint.appqueries import check
from flylint.rules import Example, rule

_INIT = "CREATE TABLE users (id bigint PRIMARY KEY, first_name text NOT NULL, last_name text);\n"
_Q = "SELECT id, first_name, last_name FROM users WHERE id = 1;\n"


def _issues(ctx):
    cached = ctx.__dict__.get("_app_issues")
    if cached is None:
        queries = getattr(ctx, "app_queries", ())
        cached = check(queries, ctx.replay.catalog, (ch for _, _, ch in ctx.changes()), ctx.dialect) \
            if queries and ctx.replay is not None else []
        object.__setattr__(ctx, "_app_issues", cached)
    return cached


@rule(
    id="app-query-broken",
    title="Migration breaks a query of the live application",
    severity="error",
    klass="incompatible",
    rationale=(
        "The queries given with --app-queries are the ones the application version that is live "
        "during the rollout actually runs. If a migration drops or renames a table or column one of "
        "them uses, or makes a column NOT NULL without a default that one of its INSERTs leaves out, "
        "that query fails from the moment the migration commits. This is evidence, not a guess: the "
        "finding names the query's file and line."
    ),
    fix="Ship the change in expand/contract steps: keep the old table or column (or give the new "
    "column a default) until no running version issues the query.",
    examples=(
        Example({"V1__init.sql": _INIT, "V2__drop.sql": "ALTER TABLE users DROP COLUMN last_name;\n",
                 "app/queries.sql": _Q}, True, title="a dropped column a query reads"),
        Example({"V1__init.sql": _INIT, "V2__add.sql": "ALTER TABLE users ADD COLUMN email text NOT NULL;\n",
                 "app/queries.sql": "INSERT INTO users (id, first_name) VALUES (1, 'a');\n"}, True,
                title="an INSERT that leaves out a new NOT NULL column"),
        Example({"V1__init.sql": _INIT, "V2__add.sql": "ALTER TABLE users ADD COLUMN email text;\n",
                 "app/queries.sql": _Q + "INSERT INTO users (id, first_name) VALUES (1, 'a');\n"}, False,
                title="queries that still work"),
    ),
)
def app_query_broken(rule, ctx):
    for issue in _issues(ctx):
        if issue.kind not in ("gone", "not-null"):
            continue
        ch = issue.change
        fa = ctx.files[ch.file]
        st = fa.statements[ch.statement]
        where = f"{issue.query.path}:{issue.query.span.line}"
        if issue.kind == "gone":
            verb = "renames" if ch.kind.startswith("rename") else "drops"
            msg = (f"The live application's query at {where} uses {issue.object}, which this statement {verb}: "
                   "that query fails as soon as the migration commits.")
            fix = (f"Keep {issue.object} until no running version issues the query at {where}: ship code that "
                   "no longer uses it first, and remove it in a later release.")
        else:
            msg = (f"The live application's INSERT at {where} leaves out {issue.object}, which this statement "
                   "makes NOT NULL without a default: that INSERT fails once the migration commits.")
            fix = (f"Give {issue.object} a default, or keep it nullable until every running version's INSERT "
                   f"sets {issue.reason}.")
        yield rule.finding(fa.migration.display, st.span, msg, fix=fix, object=issue.object, change=ch.kind)


@rule(
    id="app-query-unchecked",
    title="Query of the live application flylint could not check",
    severity="warning",
    klass="unanalysed",
    rationale=(
        "A query given with --app-queries that does not parse, or that names a table or column the "
        "migrations never created, cannot be checked against the schema. flylint lists it instead "
        "of passing it as fine."
    ),
    fix="Fix the query file (one statement per query, in the project's SQL dialect), or remove "
    "queries that are not the application's.",
    examples=(
        Example({"V1__init.sql": _INIT, "app/queries.sql": "SELEC id FROM users;\n"}, True,
                title="a query that does not parse"),
        Example({"V1__init.sql": _INIT, "app/queries.sql": "SELECT id FROM accounts;\n"}, True,
                title="a table the migrations never created"),
        Example({"V1__init.sql": _INIT, "app/queries.sql": _Q}, False),
    ),
)
def app_query_unchecked(rule, ctx):
    for issue in _issues(ctx):
        if issue.kind == "unchecked":
            yield rule.finding(issue.query.path, issue.query.span,
                               f"This query of the live application was not checked: {issue.reason}.",
                               fix=rule.fix, change="unanalysed")
