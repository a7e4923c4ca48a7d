"""The live application's queries (`--app-queries PATH`), checked against the schema after the migrations.

The engine reads the files (`load`): each `.sql` file is split with flylint's own splitter, so
every query keeps its file and line. The rule `app-query-broken` calls `check` for each query
with the replayed catalog and the history's changes. A query is parsed with sqlglot and its
columns qualified with `sqlglot.optimizer.qualify` against a schema built from the catalog; then:

- a table or view it reads that no longer exists, or a column that no longer exists in its table,
  is broken, and the finding goes to the migration statement that dropped or renamed it;
- an INSERT whose column list leaves out a column that is now NOT NULL without a default is
  broken, located at the statement that made the column so (a NOT NULL column added without a
  default, SET NOT NULL, a dropped default);
- a query that does not parse, or names a table the migrations never created, cannot be checked
  and is listed (`app-query-unchecked`), never passed as fine.

Nothing here raises: every failure of sqlglot on one query makes that query "unchecked".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flylint.model import Span


class QueryFileError(Exception):
    """An --app-queries path that does not exist or cannot be read: one line, exit code 2."""


@dataclass(frozen=True)
class AppQuery:
    path: str  # display path of the query file
    span: Span  # where the query is in it
    text: str


@dataclass(frozen=True)
class Issue:
    kind: str  # "gone" (table/column removed), "not-null" (INSERT omits a required column), "unchecked"
    query: AppQuery
    object: str | None = None  # e.g. users.last_name
    change: object = None  # flylint.catalog.changes.Change that caused it ("gone", "not-null")
    reason: str = ""  # for "unchecked": why; for "not-null": the column


# ---------------------------------------------------------------------------------------------
# Reading (the engine's part).


def load(paths: Sequence[Path], dialect: str, display: Callable[[Path], str]) -> tuple[AppQuery, ...]:
    """Every query of the given `.sql` files and folders (searched recursively), in path order."""
    from flylint.sql.splitter import split
    from flylint.text import LineIndex

    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*.sql") if f.is_file()))
        elif p.is_file():
            files.append(p)
        else:
            raise QueryFileError(f"--app-queries path does not exist: {p}")
    out: list[AppQuery] = []
    for f in files:
        try:
            text = f.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as e:
            raise QueryFileError(f"cannot read --app-queries file {f}: {e}") from None
        lines = LineIndex(text)
        try:
            statements = split(text, dialect).statements
        except Exception:  # the splitter never should; one bad file must not hide the others
            statements = []
        for raw in statements:
            body = text[raw.start: raw.end]
            if body.strip():
                out.append(AppQuery(display(f), lines.span(raw.start, max(raw.end, raw.start + 1)), body))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Checking (the rule's part).


class History:
    """What removed or tightened each table and column, from the replay's changes (latest wins)."""

    def __init__(self, cat, changes: Iterable) -> None:
        self.cat = cat
        self.removed_table: dict[str, object] = {}  # table name (folded) -> change
        self.removed_column: dict[tuple[str, str], object] = {}  # (table name, column key) -> change
        self.required: dict[tuple[str, str], object] = {}  # (table name, column key) -> change
        for ch in changes:
            k = ch.kind
            table = ch.table[1] if ch.table else None
            if k in ("drop-table", "rename-table", "drop-view") and table:
                self.removed_table[table] = ch
            elif k in ("drop-column", "rename-column") and table:
                col = ch.detail.get("column") or ch.object.split(".")[-1]
                self.removed_column[(table, cat.col_key(col))] = ch
            elif table and k in ("add-column", "set-not-null", "drop-default", "change-column-type"):
                col = ch.detail.get("column") or ch.object.split(".")[-1]
                key = (table, cat.col_key(col))
                d = ch.detail
                if (k == "add-column" and d.get("not_null") and not d.get("has_default") and not d.get("identity")
                        and not d.get("generated")) or k == "set-not-null" or (
                        k == "drop-default" and d.get("nullable") is False) or (
                        k == "change-column-type" and d.get("not_null") and not d.get("has_default")):
                    self.required[key] = ch


def _ident(node) -> tuple[str, bool]:
    from sqlglot import exp

    if isinstance(node, exp.Identifier):
        return node.this, bool(node.args.get("quoted"))
    if node is None:
        return "", False
    return getattr(node, "name", str(node)), False


def _schema(cat) -> dict:
    """{schema: {table: {column: type}}} of every table and view whose columns are known."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for (schema, name), t in cat.tables.items():
        if t.complete:
            out.setdefault(schema, {})[name] = {c.name: "text" for c in t.columns.values()}
    for (schema, name), v in cat.views.items():
        if v.columns:
            out.setdefault(schema, {})[name] = {c: "text" for c in v.columns}
    return out


def check(queries: Sequence[AppQuery], cat, changes: Iterable, dialect: str) -> list[Issue]:
    history = History(cat, changes)
    schema = _schema(cat)
    issues: list[Issue] = []
    for q in queries:
        try:
            issues.extend(_check_one(q, cat, history, schema, dialect))
        except Exception as e:  # sqlglot (compiled) may fail in many ways: the query is unchecked
            issues.append(Issue("unchecked", q, reason=f"{type(e).__name__}: {str(e).splitlines()[0][:120] if str(e) else ''}"))
    return issues


def _read(dialect: str) -> str:
    return "postgres" if dialect == "postgres" else "mysql"


def _check_one(q: AppQuery, cat, history: History, schema: dict, dialect: str) -> list[Issue]:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.qualify import qualify

    from flylint.sql.guards import capture_sqlglot_warnings

    try:
        with capture_sqlglot_warnings() as warned:  # sqlglot's "falling back to Command" must not reach stderr
            tree = sqlglot.parse_one(q.text, read=_read(dialect))
    except SqlglotError as e:
        first = str(e).splitlines()[0] if str(e) else "parse error"
        return [Issue("unchecked", q, reason=f"does not parse: {first[:120]}")]
    if tree is None or isinstance(tree, exp.Command):
        why = f" ({warned[0][:100]})" if warned else ""
        return [Issue("unchecked", q, reason=f"not a statement flylint can read{why}")]
    if not isinstance(tree, (exp.Query, exp.Insert, exp.Update, exp.Delete, exp.Merge)):
        return [Issue("unchecked", q, reason=f"{type(tree).__name__.upper()} is not a query")]

    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    issues: list[Issue] = []
    aliases: dict[str, object] = {}  # alias or name (lower) -> Table (catalog) or None (derived)
    targets: list = []
    for t in tree.find_all(exp.Table):
        name, quoted = _ident(t.this)
        if not name:
            continue
        if not t.args.get("db") and name.lower() in ctes:
            aliases[(t.alias or name).lower()] = None
            continue
        folded = cat.ident(name, quoted)
        db = t.args.get("db")
        key = (cat.ident(*_ident(db)) if db is not None else cat.default_schema, folded)
        found = cat.tables.get(key) or cat.views.get(key)
        if found is None and db is None:
            found = next((o for k, o in list(cat.tables.items()) + list(cat.views.items()) if k[1] == folded), None)
        if found is None:
            removed = history.removed_table.get(folded)
            if removed is not None:
                issues.append(Issue("gone", q, folded, removed))
            else:
                issues.append(Issue("unchecked", q, reason=f"table {name} is not created by the migrations"))
            continue
        aliases[(t.alias or name).lower()] = found
        targets.append(found)
    if issues:
        return issues

    try:
        qualified = qualify(tree.copy(), schema=schema, dialect=_read(dialect), db=cat.default_schema,
                            validate_qualify_columns=False, quote_identifiers=False, identify=False)
    except SqlglotError:
        qualified = tree  # e.g. "Unknown column" for a qualified reference: the checks below say which
    output_names = {a.alias.lower() for a in qualified.find_all(exp.Alias) if a.alias}
    output_names |= {a.alias.lower() for a in tree.find_all(exp.Alias) if a.alias}
    reported: set = set()
    for col in qualified.find_all(exp.Column):
        cname, cquoted = _ident(col.this)
        if not cname or isinstance(col.this, exp.Star):
            continue
        ck = cat.col_key(cname, cquoted)
        owner = col.table.lower() if col.table else None
        if owner is not None:
            if owner not in aliases:
                continue  # a subquery or a source flylint did not resolve
            t = aliases[owner]
            candidates = [t] if t is not None else []
        else:
            candidates = [t for t in aliases.values() if t is not None]
        if not candidates:
            continue
        if any(_has(t, ck) for t in candidates):
            continue
        hit = next((history.removed_column.get((t.name, ck)) for t in candidates
                    if (t.name, ck) in history.removed_column), None)
        label = f"{candidates[0].name}.{cname}" if len(candidates) == 1 else cname
        if (label, ck) in reported:
            continue
        reported.add((label, ck))
        if hit is not None:
            tname = hit.table[1] if hit.table else candidates[0].name
            issues.append(Issue("gone", q, f"{tname}.{cname}", hit))
        elif owner is None and ck in output_names:
            continue
        elif all(getattr(t, "complete", True) for t in candidates):
            issues.append(Issue("unchecked", q, reason=f"column {cname} is not in "
                                f"{' or '.join(sorted(t.name for t in candidates))} and no migration removed it"))
    if isinstance(tree, exp.Insert):
        issues.extend(_insert_listed(q, tree, cat, history, reported))
        issues.extend(_insert_required(q, tree, cat, history))
    return issues


def _insert_target(tree, cat):
    from sqlglot import exp

    target = tree.this
    if not isinstance(target, exp.Schema) or not isinstance(target.this, exp.Table):
        return None, None
    name, quoted = _ident(target.this.this)
    folded = cat.ident(name, quoted)
    return target, next((o for k, o in cat.tables.items() if k[1] == folded), None)


def _insert_listed(q: AppQuery, tree, cat, history: History, reported: set) -> list[Issue]:
    """The INSERT's own column list (identifiers, not column references) against its table."""
    from sqlglot import exp

    target, t = _insert_target(tree, cat)
    if t is None:
        return []
    out = []
    for e in target.expressions:
        name, quoted = _ident(e if isinstance(e, exp.Identifier) else e.this)
        ck = cat.col_key(name, quoted)
        if _has(t, ck) or (f"{t.name}.{name}", ck) in reported:
            continue
        hit = history.removed_column.get((t.name, ck))
        if hit is not None:
            out.append(Issue("gone", q, f"{t.name}.{name}", hit))
        else:
            out.append(Issue("unchecked", q, reason=f"column {name} is not in {t.name} and no migration removed it"))
    return out


def _has(t, ck: str) -> bool:
    columns = getattr(t, "columns", None)
    if isinstance(columns, dict):
        return ck in columns or not t.complete
    if columns is None:
        return True
    return ck in {c.lower() for c in columns}


def _insert_required(q: AppQuery, tree, cat, history: History) -> list[Issue]:
    """An INSERT with a column list that leaves out a column now NOT NULL without a default."""
    from sqlglot import exp

    target, t = _insert_target(tree, cat)
    if t is None or not t.complete:
        return []
    listed = {cat.col_key(*_ident(e if isinstance(e, exp.Identifier) else e.this)) for e in target.expressions}
    out = []
    for ck, col in t.columns.items():
        if ck in listed or col.nullable or col.default is not None or col.identity or col.generated:
            continue
        ch = history.required.get((t.name, ck))
        if ch is not None:
            out.append(Issue("not-null", q, f"{t.name}.{col.name}", ch, reason=col.name))
    return out
