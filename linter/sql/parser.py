"""Parse one SQL statement into a tree flylint can reason about, or say honestly why not.

How flylint extends sqlglot
===========================

sqlglot is meant to be extended by subclassing a dialect's Parser and Tokenizer. flylint cannot do
that: it runs the mypyc-compiled build (`sqlglotc`), in which `Parser`, `Tokenizer`, the dialect
parsers (`PostgresParser`, `MySQLParser`) and even `exp.Expression` are compiled classes. A Python
class may name them as bases, but instantiating it raises `TypeError: interpreted classes cannot
inherit from compiled` (sqlglot PR #7265 removed `allow_interpreted_subclasses`; issue #7923 says
it stays so). The "dialect subclasses" of the design are therefore built by composition:

    flylint dialect = the stock compiled dialect, unchanged (the fast path)
                    + flylint's own recognisers (`pg_ext`, `mysql_ext`), which read the stock
                      tokenizer's tokens (type, text, offsets) for the statements the stock parser
                      leaves as `exp.Command`, raises on, or silently mis-reads
                    + guards (`guards`) for the known silent mis-parses and for what must never
                      reach the compiled parser (deep nesting).

A recogniser either builds the whole answer itself or edits the token list (drops a clause the
stock parser does not know, e.g. `NOT VALID` or MySQL `ALGORITHM=INPLACE`, or inserts a synthetic
token) and hands it to the stock parser, then records the dropped fact on the stock node with
`node.set("not_valid", True)` (extra args survive copying and pickling). Because sub-parses run on
the user's own tokens, every error position is an offset into the user's text.

Results are stock sqlglot nodes wherever one expresses the meaning exactly (`exp.Alter` with
`exp.RenameColumn`, `exp.Create`, `exp.Drop`, `exp.Insert`, `exp.Transaction`, ...) and flylint's
frozen dataclasses from `flylint.sql.nodes` where none fits (`ValidateConstraint`, `Reindex`,
`RenameTable`, `CreateFunction(opaque_body=True)`, ...). One `ALTER TABLE` statement is always one
`exp.Alter(kind="TABLE")` whose `actions` may mix stock actions and flylint action nodes. Names
inside flylint nodes are stock `exp.Table` / `exp.Identifier`. See `nodes` for the full list and
for the extra args flylint sets on stock nodes.

What comes back unanalysed (never silently "safe"): any `exp.Command` anywhere in the result, a
top-level node that is not a statement (`exp.Alias` for an unknown leading word), a syntax error,
a WARNING logged by sqlglot, an unreplaced `${placeholder}`, nesting deeper than `max_depth`, and
anything the recognisers reject.

`parse_statement` never raises, never prints, never raises the recursion limit, and never lets
input nested deeper than `max_depth` reach the compiled parser (8000 nested sub-queries crash it
with SIGSEGV instead of raising RecursionError).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.errors import TokenError

from . import mysql_ext, nodes, pg_ext
from .guards import (
    STATEMENT_CLASSES,
    AlterHeader,
    Ctx,
    Cursor,
    RestOfStatement,
    StockAction,
    Unanalysed,
    WholeStatement,
    begin_capture,
    end_capture,
    command_reason,
    depth_reason,
    find_command,
    forget_warnings_after,
    warnings_so_far,
    nesting_depth,
    placeholder_offset,
    quick_depth_bound,
    stock_dialect,
    _local,
)

DIALECTS = {"postgres": "postgres", "mysql": "mysql", "mariadb": "mysql"}


@dataclass(frozen=True)  # no slots: pickles (cache) twice as fast
class ParseResult:
    tree: "exp.Expression | nodes.Node | None"  # None when unanalysed
    unanalysed: str | None  # the reason, in plain words, when flylint did not fully understand the statement
    error_offset: int | None = None  # offset into the statement text of the first problem, when known
    kind: str = ""  # short statement kind for humans/debugging, e.g. "ALTER TABLE", "CREATE INDEX"


def parse_statement(text: str, dialect: str, *, max_depth: int = 100) -> ParseResult:
    """Parse ONE statement (already split, no trailing delimiter) of `dialect`.

    `dialect` is "postgres", "mysql" or "mariadb". Never raises.
    """
    kind = ""
    try:
        capture = begin_capture()
        try:
            result = _parse(text, dialect, max_depth)
        finally:
            end_capture(capture)
        warnings = capture[0]
        if warnings and result.unanalysed is None:
            return ParseResult(None, f"sqlglot did not fully understand it: {warnings[0]}", None, result.kind)
        return result
    except Exception as error:  # noqa: BLE001 - the contract is: never raise
        reason = f"internal error while parsing ({type(error).__name__}: {str(error)[:200]})"
        if isinstance(error, RecursionError):
            reason = "the statement is nested too deeply for the parser"
        return ParseResult(None, reason, None, kind)


# --------------------------------------------------------------------------------------------


def _parse(text: str, dialect: str, max_depth: int) -> ParseResult:
    if not isinstance(text, str):
        return ParseResult(None, "the statement is not text")
    base = DIALECTS.get(dialect)
    if base is None:
        return ParseResult(None, f"unknown dialect {dialect!r} (expected postgres, mysql or mariadb)")
    work = text
    if work.startswith("\ufeff"):
        work = " " + work[1:]
    if base == "mysql" and "/*" in work:
        work = unwrap_executable_comments(work, mariadb=dialect == "mariadb")
    try:
        sqlglot_dialect = _local.dialects[base]
    except (AttributeError, KeyError):
        sqlglot_dialect = stock_dialect(base)
    try:
        tokens = sqlglot_dialect.tokenize(work)
    except TokenError as error:
        return ParseResult(
            None,
            "could not split the statement into tokens (an unterminated string, quoted name or "
            f"$$ body?): {str(error)[:120]}",
        )
    except Exception as error:  # sqlglot's own bugs
        return ParseResult(None, f"sqlglot's tokenizer failed ({type(error).__name__}: {str(error)[:160]})")
    if not tokens:
        return ParseResult(None, "empty statement (only comments or whitespace)")
    if base == "mysql" and tokens[0].text.upper() in ("CREATE", "ALTER") and mysql_ext.may_have_spatial(work):
        if dialect == "mariadb":
            at = mysql_ext.srid_offset(tokens)
            if at is not None:  # measured on MariaDB 10.11.19: error 1064 near the SRID number
                return ParseResult(None, "the column attribute SRID n is MySQL 8.0 syntax; MariaDB rejects it (a "
                                   "syntax error, 1064)", at, _guess_kind(tokens))
        tokens = mysql_ext.spatial_types(tokens)
    if "\x00" in work:  # sqlglot skips it; PostgreSQL rejects it, MySQL reads it as part of the text
        return ParseResult(None, "it contains a NUL byte (\\x00), which the database rejects or misreads",
                           work.index("\x00"), _guess_kind(tokens))
    # each nesting level needs a token, so short statements need no check at all
    if len(tokens) > max_depth and quick_depth_bound(work) > max_depth and nesting_depth(tokens) > max_depth:
        return ParseResult(None, depth_reason(max_depth), None, _guess_kind(tokens))
    if "${" in work:
        at = placeholder_offset(tokens)
        if at is not None:
            return ParseResult(
                None, "unreplaced Flyway placeholder ${...}; flylint parses statements after placeholder replacement",
                at, _guess_kind(tokens),
            )
    if dialect == "mariadb" and ("INET" in work or "inet" in work or "Inet" in work):
        mysql_ext.retag_mariadb_types(tokens)
    ctx = Ctx(work, dialect, sqlglot_dialect, tokens, max_depth)
    try:
        tree, kind = _dispatch(ctx)
    except Unanalysed as problem:
        return ParseResult(None, problem.reason, problem.offset, _guess_kind(tokens))
    if not kind:
        kind = _guess_kind(tokens)
    # only a stock parse can put an exp.Command in the result; skip the walk when none may have
    command = find_command(tree) if ctx.maybe_command else None
    if command is not None:
        return ParseResult(None, command_reason(command, tree), None, kind)
    statement = _IS_STATEMENT.get(type(tree))
    if statement is None:
        statement = _IS_STATEMENT[type(tree)] = (
            not isinstance(tree, exp.Expression) or isinstance(tree, STATEMENT_CLASSES)
        )
    if not statement:
        return ParseResult(
            None,
            f"not a statement flylint knows: {tokens[0].text!r} was read as an expression "
            f"({type(tree).__name__})",
            tokens[0].start,
            kind,
        )
    # ParseResult(tree, None, None, kind), built without the frozen dataclass's __setattr__ calls
    result = _new_result(ParseResult)
    result.__dict__.update(tree=tree, unanalysed=None, error_offset=None, kind=kind)
    return result


_new_result = object.__new__
# type of a result -> whether it is a statement (not an expression standing for an unknown one)
_IS_STATEMENT: dict[type, bool] = {}


def _dispatch(ctx: Ctx) -> tuple[object, str]:
    if ctx.postgres and _PLAIN_PG_ALTER.match(ctx.text) is not None and not ctx.mentions("VALID"):
        tree = _plain_alter(ctx)
        if tree is not None:
            return tree, "ALTER TABLE"
    ext = pg_ext if ctx.postgres else mysql_ext
    cur = Cursor(ctx)
    if ext.is_alter_table(cur):
        return _alter_table(ctx, cur, ext), "ALTER TABLE"
    found = ext.recognise(ctx, cur)
    if found is not None:
        return found
    tree = ctx.stock(ctx.tokens)
    return tree, _kind_of(tree)


# The most frequent PostgreSQL ALTER TABLE statements: one action, ADD [COLUMN] of a column, or
# ALTER [COLUMN] c SET/DROP DEFAULT, SET/DROP NOT NULL or [SET DATA] TYPE. For these `_alter_table`
# below always ends in its plain case (each action is a stock action, the stock parser reads the
# statement whole), so the stock parser is asked at once, without reading header and actions
# first. No comma (one action), no semicolon, and no NOT VALID (checked apart: "VALID" anywhere);
# anything else, or a stock result `_alter_table` would not accept as it is, takes the full way.
_NAME = r'(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")'
_PLAIN_PG_ALTER = re.compile(
    rf"""\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?!(?:ALL|IF|ONLY)\b){_NAME}(?:\s*\.\s*{_NAME}){{0,2}}\s+
    (?:ADD\s+(?!(?:CONSTRAINT|CHECK|UNIQUE|PRIMARY|FOREIGN|EXCLUDE)\b)
      |ALTER\s+(?:COLUMN\s+)?{_NAME}\s+(?:SET\s+DEFAULT|DROP\s+DEFAULT|SET\s+NOT\s+NULL|DROP\s+NOT\s+NULL
                                         |(?:SET\s+DATA\s+)?TYPE)\b)
    [^;,]*\Z""",
    re.IGNORECASE | re.VERBOSE,
)


def _plain_alter(ctx: Ctx):
    """The stock tree of a statement `_PLAIN_PG_ALTER` matches, as `_alter_table` would give it;
    None (and nothing recorded) when the full way must decide (it then says what is wrong)."""
    logged = warnings_so_far()
    try:
        tree = _whole_alter(ctx, ctx.tokens, 1, _NO_HEADER)
    except Unanalysed:
        tree = None
    if tree is None:
        forget_warnings_after(logged)
    return tree


def _whole_alter(ctx: Ctx, tokens, actions: int, hdr: AlterHeader):
    """The stock parser's tree of a whole ALTER TABLE statement of `actions` actions, finished;
    None when it did not read it as one (not an exp.Alter, or a Command in it)."""
    tree = ctx.stock(tokens)
    if not isinstance(tree, exp.Alter) or (ctx.last_maybe_command and find_command(tree) is not None):
        return None
    if len(tree.args.get("actions") or []) + len(tree.args.get("options") or []) < actions:
        raise Unanalysed("sqlglot lost an ALTER TABLE action; flylint does not trust the result", ctx.tokens[0].start)
    _finish_alter(tree, hdr)
    return tree


_NO_HEADER = AlterHeader()


# --------------------------------------------------------------------------------------------
# ALTER TABLE: split into actions, let the dialect recognise each, stock-parse the rest
# --------------------------------------------------------------------------------------------


def _alter_table(ctx: Ctx, cur: Cursor, ext) -> object:
    hdr: AlterHeader = ext.alter_table_header(ctx, cur)
    toks = ctx.tokens
    if cur.done():
        if ctx.postgres:
            cur.fail("expected an ALTER TABLE action")
        tree = ctx.stock(hdr.stock_tokens)
        _finish_alter(tree, hdr)
        return tree
    results: list = []
    parts = cur.split_commas()
    k = 0
    while k < len(parts):
        s, e = parts[k]
        k += 1
        if s == e:
            at = toks[s].start if s < len(toks) else toks[-1].start
            raise Unanalysed("syntax error: an empty ALTER TABLE action (two commas in a row, or a trailing comma)", at)
        found = ext.alter_table_action(ctx, cur.sub(s, e), hdr)
        if isinstance(found, WholeStatement):
            if len(parts) != 1:
                raise Unanalysed(f"syntax error: {found.kind} ... cannot be combined with other actions", toks[s].start)
            return found.tree
        results.append(found)
        if isinstance(found, RestOfStatement):
            break
    flat: list = []
    for found in results:
        flat.extend(found if isinstance(found, list) else [found])
    plain = len(flat) == len(parts)
    if plain:
        for r in flat:
            if not (isinstance(r, StockAction) and not r.edited and r.fixup is None):
                plain = False
                break
    if plain:
        # fast path: the stock parser reads the whole statement at once
        logged = warnings_so_far()
        tree = _whole_alter(ctx, list(hdr.stock_tokens) + list(toks[hdr.body :]) if hdr.trimmed else toks,
                            len(parts), hdr)
        if tree is not None:
            return tree
        # otherwise read action by action below, to say which action is the problem (that
        # attempt's log records are not evidence any more: each action is checked on its own)
        forget_warnings_after(logged)
    actions: list = []
    options: list = []
    for found in flat:
        if not isinstance(found, StockAction):
            actions.append(found)
            continue
        part = ctx.stock(list(hdr.stock_tokens) + list(found.tokens))
        got = list(part.args.get("actions") or []) if isinstance(part, exp.Alter) else []
        opts = list(part.args.get("options") or []) if isinstance(part, exp.Alter) else []
        if (not got and not opts) or (ctx.last_maybe_command and find_command(part) is not None):
            raise Unanalysed(
                "invalid or unsupported ALTER TABLE action: neither flylint nor sqlglot can read it",
                found.tokens[0].start,
            )
        if found.fixup is not None:
            found.fixup(got)
        actions.extend(got)
        options.extend(opts)
    tree = exp.Alter(this=hdr.table, kind="TABLE", actions=actions, exists=hdr.if_exists, only=hdr.only)
    if options:
        tree.set("options", options)
    _finish_alter(tree, hdr)
    return tree


def _finish_alter(tree: exp.Expression, hdr: AlterHeader) -> None:
    for option in tree.args.get("options") or ():
        if isinstance(option, exp.ToTableProperty):  # sqlglot's misreading of `RENAME a TO b`
            raise Unanalysed("ambiguous RENAME: sqlglot read part of it as a stray TO option")
    # sqlglot's statement-level NOT VALID is wrong with several constraints; flylint keeps it per
    # AddConstraint (args["not_valid"]) and clears the statement-level flag.
    if tree.args.get("not_valid") is not None:
        tree.set("not_valid", None)
    for key, value in hdr.extras.items():
        tree.set(key, value)


# --------------------------------------------------------------------------------------------
# MySQL executable comments
# --------------------------------------------------------------------------------------------

_MYSQL_SCAN = re.compile(
    r"""'(?:[^'\\]|\\.|'')*'?
      | "(?:[^"\\]|\\.|"")*"?
      | `(?:[^`]|``)*`?
      | --(?=\s|\Z)[^\n]*
      | \#[^\n]*
      | /\*(?P<exec>M?!)\d{0,6}
      | /\*.*?(?:\*/|\Z)
      | \*/""",
    re.S | re.X,
)


def unwrap_executable_comments(text: str, *, mariadb: bool = False) -> str:
    """Blank the markers of MySQL executable comments (`/*!40101 SET NAMES utf8 */`).

    MySQL runs the inside of `/*! ... */` (and `/*!NNNNN ... */` on version NNNNN or later);
    MariaDB also runs `/*M! ... */`. The markers become spaces, so every offset stays the
    user's and the inside is parsed like ordinary SQL.
    """
    if "/*!" not in text and not (mariadb and "/*M!" in text):
        return text
    spans: list[tuple[int, int]] = []
    pos = 0
    inside = False
    search = _MYSQL_SCAN.search
    while True:
        match = search(text, pos)
        if match is None:
            break
        marker = match.group("exec")
        if marker is not None:
            if inside or (marker == "M!" and not mariadb):
                close = text.find("*/", match.end())
                pos = len(text) if close < 0 else close + 2
                continue
            spans.append((match.start(), match.end()))
            inside = True
        elif match.group(0) == "*/" and inside:
            spans.append((match.start(), match.end()))
            inside = False
        pos = max(match.end(), pos + 1)
    if not spans:
        return text
    out = []
    last = 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(" " * (end - start))
        last = end
    out.append(text[last:])
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Statement kinds
# --------------------------------------------------------------------------------------------

_CLASS_KINDS = {
    "Insert": "INSERT", "Update": "UPDATE", "Delete": "DELETE", "Merge": "MERGE",
    "TruncateTable": "TRUNCATE", "Set": "SET", "Transaction": "BEGIN", "Commit": "COMMIT",
    "Rollback": "ROLLBACK", "Copy": "COPY", "Comment": "COMMENT ON", "Grant": "GRANT",
    "Revoke": "REVOKE", "Analyze": "ANALYZE", "Use": "USE", "Describe": "DESCRIBE", "Show": "SHOW",
}

_TWO_WORD = {"ALTER", "CREATE", "DROP", "RENAME", "LOCK", "REFRESH", "COMMENT", "START", "OPTIMIZE", "UNLOCK"}


_HEADS = {exp.Create: "CREATE", exp.Alter: "ALTER", exp.Drop: "DROP"}


def _kind_of(tree: object) -> str:
    if isinstance(tree, (exp.Create, exp.Alter, exp.Drop)):
        head = _HEADS[type(tree)]
        sub = str(tree.args.get("kind") or "").upper()
        return f"{head} {sub}".strip()
    if isinstance(tree, exp.Query):
        return "SELECT"
    return _CLASS_KINDS.get(type(tree).__name__, "")


def _guess_kind(tokens) -> str:
    words = []
    for tok in tokens[:4]:
        if not tok.text.replace("_", "").replace(" ", "").isalpha() or not tok.text.isascii():
            break
        words.append(" ".join(tok.text.upper().split()))
    if not words:
        return ""
    first = words[0]
    if first in _TWO_WORD and len(words) > 1:
        rest = [w for w in words[1:] if w not in ("OR", "REPLACE", "UNIQUE", "ONLINE", "IGNORE", "TEMPORARY", "TEMP")]
        if rest:
            if rest[0] == "MATERIALIZED" and len(rest) > 1:
                return f"{first} MATERIALIZED {rest[1]}"
            return f"{first} {rest[0]}"
    return first
