"""MySQL and MariaDB: flylint's recognisers for what the stock sqlglot `mysql` dialect leaves as
`exp.Command`, raises on, or silently mis-reads.

There is no MariaDB dialect in sqlglot: MariaDB is the `mysql` dialect plus the forms recognised
here when `Ctx.mariadb` is set (`ALTER ONLINE TABLE`, `WAIT n`/`NOWAIT`, `IF [NOT] EXISTS` on
`ADD/DROP INDEX/COLUMN/PARTITION`, `CREATE OR REPLACE TRIGGER/PROCEDURE/...`). Under
`dialect="mysql"` those MariaDB-only forms are reported as unanalysed: MySQL rejects them, so
the migration would fail there.

The functions follow the conventions of `pg_ext`: return a result, None ("stock parser"), or
raise `Unanalysed`.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.tokens import TokenType

from . import nodes as n
from .guards import (
    AlterHeader,
    Ctx,
    Cursor,
    RestOfStatement,
    StockAction,
    Unanalysed,
    repair_prefix_key_parts,
    synthetic,
)


def _mariadb_only(ctx: Ctx, what: str, offset: int | None) -> None:
    if not ctx.mariadb:
        raise Unanalysed(f"{what} is MariaDB syntax; MySQL rejects it (use dialect mariadb for MariaDB)", offset)


def _wait_nowait(ctx: Ctx, cur: Cursor) -> tuple[int | None, bool]:
    """MariaDB `WAIT n` / `NOWAIT` (lock wait timeout for DDL)."""
    if cur.at("WAIT") and cur.peek(1) is not None and cur.peek(1).token_type is TokenType.NUMBER:
        _mariadb_only(ctx, "WAIT n", cur.offset())
        cur.i += 1
        return cur.integer("a number of seconds"), False
    if cur.at("NOWAIT"):
        _mariadb_only(ctx, "NOWAIT", cur.offset())
        cur.i += 1
        return None, True
    return None, False


_MARIADB_TYPES = {"INET6": TokenType.INET, "INET4": TokenType.INET}


def retag_mariadb_types(tokens) -> None:
    """MariaDB's INET6 (10.5+) and INET4 (10.10+) column types, which the stock tokenizer reads as
    plain words: retagged as a type where a type stands (after a column name, or CAST ... AS)."""
    for i in range(1, len(tokens)):
        tok = tokens[i]
        if tok.token_type is TokenType.VAR and tok.text.upper() in _MARIADB_TYPES:
            before = tokens[i - 1]
            if before.token_type in (TokenType.VAR, TokenType.IDENTIFIER, TokenType.ALIAS) or before.text.upper() == "AS":
                tok.token_type = _MARIADB_TYPES[tok.text.upper()]


def _skip_definer(cur: Cursor) -> None:
    """DEFINER = user | CURRENT_USER[()] (CREATE TRIGGER/PROCEDURE/FUNCTION/EVENT/VIEW)."""
    if not cur.accept("DEFINER"):
        return
    cur.expect("=")
    if cur.accept("CURRENT_USER"):
        if cur.word() == "(":
            cur.skip_group()
        return
    cur.next()
    if cur.word() == "@":
        cur.i += 1
        cur.next()
    elif cur.peek() is not None and cur.peek().text.startswith("@"):
        cur.i += 1


# ============================================================================================
# ALTER TABLE
# ============================================================================================


def is_alter_table(cur: Cursor) -> bool:
    if cur.word() != "ALTER":
        return False
    k = 1
    if cur.word(k) in ("ONLINE", "OFFLINE"):
        k += 1
    if cur.word(k) == "IGNORE":
        k += 1
    return cur.word() == "ALTER" and cur.word(k) == "TABLE"


def alter_table_header(ctx: Ctx, cur: Cursor) -> AlterHeader:
    toks = cur.toks
    stock = [toks[cur.i]]
    cur.expect("ALTER")
    extras: dict = {}
    trimmed = False
    if cur.word() in ("ONLINE", "OFFLINE"):
        word = cur.word()
        _mariadb_only(ctx, f"ALTER {word} TABLE", cur.offset())
        if word == "ONLINE":
            extras["online"] = True
        cur.i += 1
        trimmed = True
    if cur.accept("IGNORE"):
        extras["ignore"] = True
        trimmed = True
    first = cur.i
    cur.expect("TABLE")
    if_exists = cur.accept("IF", "EXISTS")
    if if_exists:
        _mariadb_only(ctx, "ALTER TABLE IF EXISTS", toks[first + 1].start)
    table_at = cur.skip_table()
    stock.extend(toks[first : cur.i])
    wait, nowait = _wait_nowait(ctx, cur)
    if wait is not None:
        extras["wait"] = wait
        trimmed = True
    if nowait:
        extras["nowait"] = True
        trimmed = True
    return AlterHeader(
        stock_tokens=stock, body=cur.i, if_exists=if_exists, extras=extras, trimmed=trimmed, table_at=table_at
    )


_INDEX_WORDS = ("INDEX", "KEY", "UNIQUE", "FULLTEXT", "SPATIAL", "CONSTRAINT", "FOREIGN KEY", "PRIMARY KEY")
_PARTITION_NAME_OPS = ("DROP", "TRUNCATE", "ANALYZE", "CHECK", "OPTIMIZE", "REBUILD", "REPAIR", "DISCARD", "IMPORT")


_PARTITION_OPS = frozenset((*_PARTITION_NAME_OPS, "ADD", "COALESCE", "REORGANIZE", "EXCHANGE", "CONVERT"))
_PARTITIONING_WORDS = frozenset({"REMOVE", "PARTITION", "CONVERT"})  # and CONVERT TO


def alter_table_action(ctx: Ctx, cur: Cursor, hdr: AlterHeader):
    w = cur.word()
    if w in _PARTITION_OPS and cur.word(1) == "PARTITION":
        return _partition(ctx, Cursor(ctx, cur.toks, cur.i, len(cur.toks)))
    converts = cur.may_start(_PARTITIONING_WORDS)
    if converts and (cur.at("REMOVE", "PARTITIONING") or cur.at("PARTITION", "BY") or cur.at("CONVERT", "TABLE")):
        return _partition(ctx, Cursor(ctx, cur.toks, cur.i, len(cur.toks)))
    if not ctx.mariadb and w in ("ADD", "DROP", "CHANGE", "MODIFY"):
        at = cur.find_word("IF", "NOT", "EXISTS")
        if at is None:
            at = cur.find_word("IF", "EXISTS")
        if at is not None:
            _mariadb_only(ctx, "IF [NOT] EXISTS inside ALTER TABLE", cur.toks[at].start)
    if w == "ADD":
        return _add(ctx, cur)
    if converts and cur.at("CONVERT", "TO"):
        cur.i += 2
        if not (cur.accept("CHARACTER", "SET") or cur.accept("CHARSET")):
            cur.fail("expected CHARACTER SET")
        charset = cur.next().text.lower()
        collation = None
        if cur.accept("COLLATE"):
            collation = cur.next().text.lower()
        cur.expect_end()
        return [n.ConvertCharset(charset=charset, collation=collation)]
    if w == "RENAME" and cur.word(1) not in ("COLUMN", "INDEX", "KEY"):
        # RENAME [TO|AS] new_table. (sqlglot reads `RENAME a TO b` as a table rename to `a` plus a
        # stray option; MySQL rejects it: columns are renamed with RENAME COLUMN or CHANGE.)
        cur.i += 1
        if not cur.accept("TO"):
            cur.accept("AS")
        new = cur.table("the new table name")
        if cur.at("TO"):
            cur.fail("MySQL renames a column with RENAME COLUMN a TO b (or CHANGE); expected the end of the action")
        cur.expect_end()
        return [exp.AlterRename(this=new)]
    if w in ("CHANGE", "MODIFY"):
        j = cur.i + (2 if cur.word(1) == "COLUMN" else 1)
        if cur.sub(j, cur.end).at("IF", "EXISTS"):
            toks = cur.toks
            edited = [toks[k] for k in range(cur.i, cur.end) if k not in (j, j + 1)]

            def fixup(actions: list) -> None:
                for action in actions:
                    if isinstance(action, exp.ModifyColumn):
                        action.set("exists", True)

            return StockAction(edited, fixup, edited=True)
    if w in ("DISABLE", "ENABLE") and cur.word(1) == "KEYS":
        cur.i += 2
        cur.expect_end()
        return [n.KeysState(enabled=w == "ENABLE")]
    return StockAction(list(cur.toks[cur.i : cur.end]))


def _add(ctx: Ctx, cur: Cursor):
    toks = cur.toks
    start = cur.i
    add = toks[start]
    cur.i += 1
    column_kw = cur.accept("COLUMN")
    ine = None
    if cur.at("IF", "NOT", "EXISTS"):
        ine = cur.i
        cur.i += 3
    if cur.word() == "(" and (column_kw or ine is not None or cur.is_name(1)):
        # ADD [COLUMN] [IF NOT EXISTS] (a INT, b INT): one ColumnDef per definition
        a, b = cur.skip_group()
        cur.expect_end()
        prefix = [add, synthetic(TokenType.COLUMN, "COLUMN", add)]
        if ine is not None:
            prefix.extend(toks[ine : ine + 3])
        out: list = []
        for s, e in cur.split_commas(a, b):
            if s == e:
                raise Unanalysed("syntax error: empty column definition", toks[s - 1].start if s else None)
            out.append(StockAction(prefix + list(toks[s:e]), edited=True))
        return out
    if column_kw or ine is not None and cur.word() not in _INDEX_WORDS:
        return StockAction(list(toks[start : cur.end]))
    cur.i = start + 1
    kw = cur.word()
    if kw in _INDEX_WORDS:
        # MariaDB: ADD {INDEX|KEY|UNIQUE [INDEX|KEY]|FULLTEXT ..|SPATIAL ..|CONSTRAINT|FOREIGN KEY} IF NOT EXISTS
        j = cur.i
        limit = min(cur.end, j + 4)
        at = cur.find_word("IF", "NOT", "EXISTS", i=j, end=min(cur.end, limit + 3))
        if at is not None:
            edited = [toks[k] for k in range(start, cur.end) if not at <= k < at + 3]

            def fixup(actions: list) -> None:
                for action in actions:
                    if isinstance(action, exp.AddConstraint):
                        action.set("exists", True)

            return StockAction(edited, fixup, edited=True)
    if kw == "CHECK":
        # unnamed CHECK: the stock parser only reads the named form; name it and unwrap again
        edited = [add, synthetic(TokenType.CONSTRAINT, "CONSTRAINT", add),
                  synthetic(TokenType.VAR, "flylint_unnamed", add), *toks[start + 1 : cur.end]]

        def unwrap(actions: list) -> None:
            for action in actions:
                inner = action.expressions if isinstance(action, exp.AddConstraint) else []
                if len(inner) == 1 and isinstance(inner[0], exp.Constraint):
                    action.set("expressions", list(inner[0].expressions))

        return StockAction(edited, unwrap, edited=True)
    return StockAction(list(toks[start : cur.end]))


def _names(cur: Cursor) -> tuple[tuple[exp.Identifier, ...], bool]:
    if cur.accept("ALL"):
        return (), True
    names = [cur.ident("a partition name")]
    while cur.accept(","):
        names.append(cur.ident("a partition name"))
    return tuple(names), False


def _partition(ctx: Ctx, cur: Cursor):
    w = cur.word()
    if cur.accept("REMOVE", "PARTITIONING"):
        cur.expect_end()
        return RestOfStatement([n.PartitionOperation(operation="REMOVE PARTITIONING")])
    if cur.accept("PARTITION", "BY"):
        if cur.done():
            cur.fail("expected the partitioning")
        return RestOfStatement([n.PartitionOperation(operation="PARTITION BY", definition=cur.rest_source())])
    if cur.accept("CONVERT", "TABLE"):
        _mariadb_only(ctx, "CONVERT TABLE ... TO PARTITION", cur.offset())
        return RestOfStatement([n.PartitionOperation(operation="CONVERT TABLE", definition=cur.rest_source())])
    cur.i += 2  # <op> PARTITION
    if w == "ADD":
        if_not_exists = cur.accept("IF", "NOT", "EXISTS")
        if if_not_exists:
            _mariadb_only(ctx, "ADD PARTITION IF NOT EXISTS", cur.offset())
        if cur.done():
            cur.fail("expected the partition definitions")
        node = n.PartitionOperation(operation="ADD", definition=cur.rest_source(), if_not_exists=if_not_exists)
        return RestOfStatement([node])
    if w == "COALESCE":
        count = cur.integer("the number of partitions")
        cur.expect_end()
        return RestOfStatement([n.PartitionOperation(operation="COALESCE", definition=str(count))])
    if w == "EXCHANGE":
        name = cur.ident("a partition name")
        if not cur.at("WITH", "TABLE"):
            cur.fail("expected WITH TABLE")
        return RestOfStatement([n.PartitionOperation(operation="EXCHANGE", partitions=(name,), definition=cur.rest_source())])
    if w == "CONVERT":
        _mariadb_only(ctx, "CONVERT PARTITION ... TO TABLE", cur.offset())
        name = cur.ident("a partition name")
        return RestOfStatement([n.PartitionOperation(operation="CONVERT PARTITION", partitions=(name,), definition=cur.rest_source())])
    if w == "REORGANIZE":
        names: tuple = ()
        definition = None
        if not cur.done():
            names, _ = _names(cur)
            cur.expect("INTO")
            definition = cur.rest_source()
        return RestOfStatement([n.PartitionOperation(operation="REORGANIZE", partitions=names, definition=definition)])
    if_exists = w == "DROP" and cur.accept("IF", "EXISTS")
    if if_exists:
        _mariadb_only(ctx, "DROP PARTITION IF EXISTS", cur.offset())
    names, all_ = _names(cur)
    if all_ and w == "DROP":
        cur.fail("expected partition names (DROP PARTITION ALL does not exist)")
    definition = None
    if w in ("DISCARD", "IMPORT"):
        cur.expect("TABLESPACE")
    cur.expect_end()
    node = n.PartitionOperation(operation=w, partitions=names, all=all_, definition=definition, if_exists=if_exists)
    return RestOfStatement([node])


# ============================================================================================
# Other statements
# ============================================================================================


def recognise(ctx: Ctx, cur: Cursor):
    w = cur.word()
    if w == "CREATE":
        return _create(ctx, cur)
    if w == "DROP":
        return _drop(ctx, cur)
    if w == "RENAME":
        return _rename_table(ctx)
    if w == "OPTIMIZE":
        return _optimize(ctx)
    if w in ("LOCK", "LOCK TABLES"):
        return _lock_tables(ctx)
    if w in ("UNLOCK", "UNLOCK TABLES", "UNLOCK TABLE"):
        return _unlock(ctx)
    if w == "REPLACE":
        return _replace(ctx)
    if w == "ALTER":
        return _alter_event(cur)
    if w == "SET" and cur.word(1) == "STATEMENT":
        return _set_statement(ctx, cur)
    return None


def _alter_event(cur: Cursor):
    """ALTER [DEFINER = ...] EVENT name [ON SCHEDULE ...] [ON COMPLETION ...] [RENAME TO new] [ENABLE | DISABLE
    [ON SLAVE]] [COMMENT '...'] [DO body]; None for any other ALTER."""
    mark = cur.i
    cur.i += 1
    _skip_definer(cur)
    if not cur.accept("EVENT"):
        cur.i = mark
        return None
    name = cur.table("an event name")
    do = cur.find_word("DO")
    end = do if do is not None else cur.end
    rename = cur.find_word("RENAME", "TO", end=end)
    new_name = None
    if rename is not None:
        after = Cursor(cur.ctx, cur.toks, rename + 2, end)
        new_name = after.table("the new event name")
    if do is None and rename is None and cur.i == cur.end:
        cur.fail("expected what to change in the event")
    body = None
    if do is not None:
        cur.i = do + 1
        if cur.done():
            cur.fail("expected the event body")
        body = cur.rest_source()
    return n.AlterEvent(name=name, new_name=new_name, body=body), "ALTER EVENT"



def _set_statement(ctx: Ctx, cur: Cursor):
    """MariaDB `SET STATEMENT var = value [, ...] FOR statement`: the statement, read as usual, with
    the settings it runs under in `tree.args["set_statement"]` ((name, value text) pairs)."""
    _mariadb_only(ctx, "SET STATEMENT ... FOR", ctx.tokens[0].start)
    cur.i += 2
    at = cur.find_word("FOR")
    if at is None or at + 1 >= len(ctx.tokens):
        cur.fail("expected FOR and the statement")
    settings = []
    for s, e in cur.split_commas(cur.i, at):
        if e - s < 3 or ctx.tokens[s + 1].text != "=":
            raise Unanalysed("syntax error: expected name = value in SET STATEMENT", ctx.tokens[s].start)
        settings.append((ctx.tokens[s].text.lower().removeprefix("@@session.").removeprefix("@@"),
                         ctx.source(ctx.tokens, s + 2, e).strip()))
    from .parser import _dispatch  # the inner statement is dispatched like a whole one

    inner_at = ctx.tokens[at + 1].start
    blanked = "".join(ch if ch == "\n" else " " for ch in ctx.text[:inner_at]) + ctx.text[inner_at:]
    inner = Ctx(blanked, ctx.dialect, ctx.sqlglot, list(ctx.tokens[at + 1 :]), ctx.max_depth)
    tree, kind = _dispatch(inner)
    ctx.maybe_command = ctx.maybe_command or inner.maybe_command
    if not isinstance(tree, exp.Expression):
        raise Unanalysed("flylint does not read this statement after SET STATEMENT ... FOR", inner_at)
    tree.set("set_statement", tuple(settings))
    return tree, kind


_CREATE_WORDS = frozenset(
    {"ONLINE", "OFFLINE", "UNIQUE", "FULLTEXT", "SPATIAL", "INDEX", "TABLE", "TEMPORARY", "DEFINER", "SQL",
     "AGGREGATE", "PROCEDURE", "FUNCTION", "TRIGGER", "EVENT"}
)


def _create(ctx: Ctx, cur: Cursor):
    cur.i += 1
    or_replace = cur.accept("OR", "REPLACE")
    if not cur.may_start(_CREATE_WORDS):
        return None  # none of the forms below
    online = None
    if cur.word() in ("ONLINE", "OFFLINE"):
        online = cur.word()
    k = 1 if online else 0
    if cur.word(k) in ("UNIQUE", "FULLTEXT", "SPATIAL"):
        k += 1
    if cur.word(k) == "INDEX":
        return _create_index(ctx, cur, or_replace)
    if cur.at("TABLE") or cur.at("TEMPORARY", "TABLE"):
        if or_replace:
            _mariadb_only(ctx, "CREATE OR REPLACE TABLE", ctx.tokens[1].start)
        return _create_partitioned_table(ctx, cur)
    # CREATE [DEFINER = ...] [SQL SECURITY ...] [AGGREGATE] {TRIGGER|PROCEDURE|FUNCTION|EVENT}
    mark = cur.i
    _skip_definer(cur)
    if cur.at("SQL", "SECURITY"):
        return None  # a view
    cur.accept("AGGREGATE")
    w = cur.word()
    if w in ("PROCEDURE", "FUNCTION"):
        if or_replace:
            _mariadb_only(ctx, f"CREATE OR REPLACE {w}", ctx.tokens[1].start)
        return _create_routine(ctx, cur, or_replace)
    if w == "TRIGGER":
        if or_replace:
            _mariadb_only(ctx, "CREATE OR REPLACE TRIGGER", ctx.tokens[1].start)
        return _create_trigger(cur, or_replace)
    if w == "EVENT":
        if or_replace:
            _mariadb_only(ctx, "CREATE OR REPLACE EVENT", ctx.tokens[1].start)
        return _create_event(cur, or_replace)
    cur.i = mark
    return None


def _create_partitioned_table(ctx: Ctx, cur: Cursor):
    """CREATE TABLE ... PARTITION BY ...: sqlglot reads some partitioning clauses (RANGE, LIST) and
    not others (HASH, KEY, RANGE COLUMNS, SUBPARTITION). flylint reads the table without the clause
    and keeps the clause as source text in `create.args["partition_by"]`, always, for one shape."""
    versioned = _system_versioning(ctx, cur)
    at = cur.find_word("PARTITION", "BY")
    if at is None or cur.find_word("SELECT", i=at) is not None:
        if versioned is None:
            return None
        tree = ctx.stock(ctx.tokens[:versioned])
        if not isinstance(tree, exp.Create) or str(tree.args.get("kind") or "").upper() != "TABLE":
            raise Unanalysed("syntax error: could not read CREATE TABLE", ctx.tokens[0].start)
        tree.set("system_versioning", True)
        return tree, "CREATE TABLE"
    if versioned is not None and versioned < at:
        raise Unanalysed("WITH SYSTEM VERSIONING before PARTITION BY: flylint reads it only at the end",
                         ctx.tokens[versioned].start)
    clause = Cursor(ctx, None, at)
    clause.accept("PARTITION", "BY")
    if clause.done():
        clause.fail("expected the partitioning after PARTITION BY")
    tree = ctx.stock(ctx.tokens[:at])
    if not isinstance(tree, exp.Create) or str(tree.args.get("kind") or "").upper() != "TABLE":
        raise Unanalysed("syntax error: could not read CREATE TABLE", ctx.tokens[0].start)
    tree.set("partition_by", clause.rest_source())
    return tree, "CREATE TABLE"


def _system_versioning(ctx: Ctx, cur: Cursor) -> int | None:
    """Where MariaDB's trailing table option WITH SYSTEM VERSIONING starts, or None."""
    toks = ctx.tokens
    k = len(toks) - 3
    if k > 0 and [t.text.upper() for t in toks[k:]] == ["WITH", "SYSTEM", "VERSIONING"]:
        _mariadb_only(ctx, "WITH SYSTEM VERSIONING", toks[k].start)
        return k
    return None


def _index_options(ctx: Ctx, cur: Cursor, facts: dict) -> None:
    """Trailing index / DDL options of CREATE INDEX and DROP INDEX."""
    options: list[exp.Expression] = []
    while not cur.done():
        if cur.word() in ("ALGORITHM", "LOCK"):
            word = cur.next().text.upper()
            cur.accept("=")
            value = cur.next().text.upper()
            prop = exp.AlgorithmProperty if word == "ALGORITHM" else exp.LockProperty
            options.append(prop(this=exp.Var(this=value)))
        elif cur.at("WAIT") or cur.at("NOWAIT"):
            wait, nowait = _wait_nowait(ctx, cur)
            if wait is None and not nowait:
                cur.fail("expected a number after WAIT")
            if wait is not None:
                facts["wait"] = wait
            if nowait:
                facts["nowait"] = True
        elif facts.get("_create") and cur.accept("USING"):
            facts["using"] = cur.next().text.upper()
        elif facts.get("_create") and cur.accept("COMMENT"):
            facts["comment"] = cur.string("the comment text")
        elif facts.get("_create") and cur.word() in ("VISIBLE", "INVISIBLE", "IGNORED"):
            facts["visible"] = cur.next().text.upper() == "VISIBLE"
        elif facts.get("_create") and cur.accept("NOT", "IGNORED"):
            facts["visible"] = True
        elif facts.get("_create") and cur.word() in (
            "KEY_BLOCK_SIZE", "CLUSTERING", "ENGINE_ATTRIBUTE", "SECONDARY_ENGINE_ATTRIBUTE",
        ):
            cur.i += 1
            cur.accept("=")
            cur.next()
        elif facts.get("_create") and cur.accept("WITH", "PARSER"):
            cur.ident("a parser name")
        else:
            cur.fail("expected an index option (ALGORITHM, LOCK, USING, COMMENT, ...)")
    if options:
        facts["options"] = options


def _create_index(ctx: Ctx, cur: Cursor, or_replace: bool):
    toks = ctx.tokens
    keep = list(toks[: cur.i])  # CREATE [OR REPLACE]
    facts: dict = {"_create": True}
    if cur.word() in ("ONLINE", "OFFLINE"):
        facts["online"] = cur.next().text.upper()
    if cur.word() in ("FULLTEXT", "SPATIAL"):
        facts["index_kind"] = cur.next().text.upper()
    elif cur.word() == "UNIQUE":
        keep.append(cur.next())
    keep.append(cur.next())  # INDEX
    if cur.at("IF", "NOT", "EXISTS"):
        _mariadb_only(ctx, "CREATE INDEX IF NOT EXISTS", cur.offset())
        keep.extend(toks[cur.i : cur.i + 3])
        cur.i += 3
    start = cur.i
    cur.ident("an index name")
    keep.extend(toks[start : cur.i])
    if cur.accept("USING"):
        facts["using"] = cur.next().text.upper()
    start = cur.i
    cur.expect("ON")
    cur.table()
    if cur.word() != "(":
        cur.fail("expected ( and the key parts")
    cur.skip_group()
    keep.extend(toks[start : cur.i])
    _index_options(ctx, cur, facts)
    tree = ctx.stock(keep)
    if not isinstance(tree, exp.Create) or not isinstance(tree.this, exp.Index):
        raise Unanalysed("syntax error: could not read CREATE INDEX", toks[0].start)
    repair_prefix_key_parts(tree)
    facts.pop("_create")
    using = facts.pop("using", None)
    if using:
        params = tree.this.args.get("params")
        if params is None:
            params = exp.IndexParameters()
            tree.this.set("params", params)
        params.set("using", exp.Var(this=using))
    for key, value in facts.items():
        tree.set(key, value)
    return tree, "CREATE INDEX"


def _drop(ctx: Ctx, cur: Cursor):
    cur.i += 1
    if cur.accept("EVENT"):
        exists = cur.accept("IF", "EXISTS")
        name = cur.table("an event name")
        cur.expect_end()
        return exp.Drop(kind="EVENT", tables=[name], exists=exists), "DROP EVENT"
    if not cur.at("INDEX"):
        return None
    on = cur.find_word("ON")
    if on is None:
        return None
    after = Cursor(ctx, None, on + 1)
    after.table()
    if after.done():
        return None
    facts: dict = {}
    _index_options(ctx, after, facts)
    tree = ctx.stock(ctx.tokens[: _table_end(ctx, on)])
    if not isinstance(tree, exp.Drop):
        raise Unanalysed("syntax error: could not read DROP INDEX", ctx.tokens[0].start)
    for key, value in facts.items():
        tree.set(key, value)
    return tree, "DROP INDEX"


def _table_end(ctx: Ctx, on: int) -> int:
    c = Cursor(ctx, None, on + 1)
    c.table()
    return c.i


def _rename_table(ctx: Ctx):
    cur = ctx.retokenize()
    if not (cur.accept("TABLE") or cur.accept("TABLES")):
        return None
    if_exists = cur.accept("IF", "EXISTS")
    if if_exists:
        _mariadb_only(ctx, "RENAME TABLE IF EXISTS", cur.offset())
    pairs = []
    wait = None
    nowait = False
    while True:
        old = cur.table()
        if not pairs:
            wait, nowait = _wait_nowait(ctx, cur)
        cur.expect("TO")
        new = cur.table("the new table name")
        pairs.append((old, new))
        if not cur.accept(","):
            break
    cur.expect_end()
    return n.RenameTable(pairs=tuple(pairs), if_exists=if_exists, wait=wait, nowait=nowait), "RENAME TABLE"


def _optimize(ctx: Ctx):
    cur = ctx.retokenize()
    no_binlog = cur.accept("NO_WRITE_TO_BINLOG") or cur.accept("LOCAL")
    if not (cur.accept("TABLE") or cur.accept("TABLES")):
        cur.fail("expected TABLE")
    tables = [cur.table()]
    while cur.accept(","):
        tables.append(cur.table())
    _wait_nowait(ctx, cur)
    cur.expect_end()
    return n.OptimizeTable(tables=tuple(tables), no_write_to_binlog=no_binlog), "OPTIMIZE TABLE"


def _lock_tables(ctx: Ctx):
    cur = ctx.retokenize()
    if cur.toks[0].text.upper() == "LOCK" and not (cur.accept("TABLES") or cur.accept("TABLE")):
        return None
    locks = []
    while True:
        table = cur.table()
        alias = None
        if cur.accept("AS"):
            alias = cur.ident("an alias")
        elif cur.is_name() and cur.word() not in ("READ", "WRITE", "LOW_PRIORITY"):
            alias = cur.ident("an alias")
        if cur.accept("READ"):
            mode = "READ LOCAL" if cur.accept("LOCAL") else "READ"
        elif cur.accept("LOW_PRIORITY", "WRITE"):
            mode = "LOW_PRIORITY WRITE"
        elif cur.accept("WRITE"):
            mode = "WRITE CONCURRENT" if cur.accept("CONCURRENT") else "WRITE"
        else:
            cur.fail("expected READ or WRITE")
        locks.append(n.TableLock(table=table, mode=mode, alias=alias))
        if not cur.accept(","):
            break
    wait, nowait = _wait_nowait(ctx, cur)
    cur.expect_end()
    return n.LockTables(locks=tuple(locks), wait=wait, nowait=nowait), "LOCK TABLES"


def _unlock(ctx: Ctx):
    words = " ".join(t.text.upper() for t in ctx.tokens).split()
    if words in (["UNLOCK", "TABLES"], ["UNLOCK", "TABLE"]):
        return n.UnlockTables(), "UNLOCK TABLES"
    return None


def _replace(ctx: Ctx):
    cur = ctx.retokenize()
    first = ctx.tokens[0]
    if cur.word() in ("LOW_PRIORITY", "DELAYED"):
        cur.i += 1
    tree = ctx.stock([synthetic(TokenType.INSERT, "INSERT", first), *ctx.tokens[cur.i :]])
    if not isinstance(tree, exp.Insert):
        raise Unanalysed("syntax error: could not read REPLACE", first.start)
    tree.set("alternative", "REPLACE")
    return tree, "REPLACE"


_CHARACTERISTICS = frozenset(
    "COMMENT LANGUAGE NOT DETERMINISTIC CONTAINS NO READS MODIFIES SQL".split()
)
_BODY_START = frozenset(
    "BEGIN RETURN SELECT INSERT UPDATE DELETE SET IF CASE DECLARE WHILE REPEAT LOOP CALL REPLACE "
    "CREATE DROP ALTER WITH DO TRUNCATE LEAVE ITERATE SIGNAL RESIGNAL OPEN CLOSE FETCH".split()
)


def _characteristics(cur: Cursor) -> str | None:
    language = None
    while not cur.done():
        if cur.accept("COMMENT"):
            cur.string("the comment text")
        elif cur.accept("LANGUAGE"):
            language = cur.next().text.lower()
        elif cur.accept("NOT", "DETERMINISTIC") or cur.accept("DETERMINISTIC"):
            pass
        elif cur.accept("CONTAINS", "SQL") or cur.accept("NO", "SQL"):
            pass
        elif cur.accept("READS", "SQL", "DATA") or cur.accept("MODIFIES", "SQL", "DATA"):
            pass
        elif cur.accept("SQL", "SECURITY"):
            cur.next()
        else:
            break
    return language


def _create_routine(ctx: Ctx, cur: Cursor, or_replace: bool):
    kind = cur.next().text.upper()
    if_not_exists = cur.accept("IF", "NOT", "EXISTS")
    name = cur.table(f"a {kind.lower()} name")
    if cur.word() != "(":
        cur.fail("expected ( and the parameter list")
    a, b = cur.skip_group()
    parameters = cur.source(a, b)
    returns = None
    if kind == "FUNCTION":
        cur.expect("RETURNS")
        start = cur.i
        while not cur.done():
            if cur.accept("CHARACTER", "SET"):
                cur.next()
                continue
            w = cur.word()
            if w in _CHARACTERISTICS or w in _BODY_START or (cur.is_name() and cur.word(1) == ":"):
                break
            if w == "(":
                cur.skip_group()
            else:
                cur.i += 1
        if cur.i == start:
            cur.fail("expected the return type")
        returns = cur.source(start, cur.i)
    language = _characteristics(cur)
    if cur.done():
        cur.fail(f"expected the {kind.lower()} body")
    node = n.CreateFunction(
        name=name, kind=kind, or_replace=or_replace, if_not_exists=if_not_exists, parameters=parameters,
        returns=returns, language=language, body=cur.rest_source(), opaque_body=True,
    )
    return node, f"CREATE {kind}"


def _create_trigger(cur: Cursor, or_replace: bool):
    cur.expect("TRIGGER")
    if_not_exists = cur.accept("IF", "NOT", "EXISTS")
    name = cur.table("a trigger name")
    timing = cur.word()
    if timing not in ("BEFORE", "AFTER"):
        cur.fail("expected BEFORE or AFTER")
    cur.i += 1
    events = [cur.word()]
    if events[0] not in ("INSERT", "UPDATE", "DELETE"):
        cur.fail("expected INSERT, UPDATE or DELETE")
    cur.i += 1
    while cur.accept("OR"):  # MariaDB 11.? multiple events
        event = cur.word()
        if event not in ("INSERT", "UPDATE", "DELETE"):
            cur.fail("expected INSERT, UPDATE or DELETE")
        cur.i += 1
        events.append(event)
    cur.expect("ON")
    table = cur.table()
    cur.expect("FOR", "EACH", "ROW")
    if cur.word() in ("FOLLOWS", "PRECEDES"):
        cur.i += 1
        cur.ident("a trigger name")
    if cur.done():
        cur.fail("expected the trigger body")
    node = n.CreateTrigger(
        name=name, table=table, timing=timing, events=tuple(events), for_each="ROW", or_replace=or_replace,
        if_not_exists=if_not_exists, body=cur.rest_source(), opaque_body=True,
    )
    return node, "CREATE TRIGGER"


def _create_event(cur: Cursor, or_replace: bool):
    cur.expect("EVENT")
    if_not_exists = cur.accept("IF", "NOT", "EXISTS")
    name = cur.table("an event name")
    cur.expect("ON", "SCHEDULE")
    do = cur.find_word("DO")
    if do is None or do == cur.i:
        cur.fail("expected the schedule and DO")
    schedule = cur.source(cur.i, do)
    cur.i = do + 1
    if cur.done():
        cur.fail("expected the event body")
    node = n.CreateEvent(
        name=name, schedule=schedule, body=cur.rest_source(), or_replace=or_replace, if_not_exists=if_not_exists
    )
    return node, "CREATE EVENT"


# ============================================================================================
# Spatial column types
# ============================================================================================

# MySQL/MariaDB spatial types the stock `mysql` tokenizer reads as plain words (only GEOMETRY is a type
# there), so `pos point NOT NULL` is a syntax error. In a column definition they become the stock type
# token of the same name, or GEOMETRY where sqlglot has none (MULTIPOINT, GEOMETRYCOLLECTION).
def may_have_spatial(text: str) -> bool:
    """Cheap pre-check (substrings of the lower-cased text; a regex costs several times more on every
    statement): whether `spatial_types` may have anything to do."""
    low = text.lower()
    return "point" in low or "polygon" in low or "linestring" in low or "collection" in low or "srid" in low
_SPATIAL = {
    "POINT": TokenType.POINT, "LINESTRING": TokenType.LINESTRING, "POLYGON": TokenType.POLYGON,
    "MULTILINESTRING": TokenType.MULTILINESTRING, "MULTIPOLYGON": TokenType.MULTIPOLYGON,
    "MULTIPOINT": TokenType.GEOMETRY, "GEOMETRYCOLLECTION": TokenType.GEOMETRY, "GEOMCOLLECTION": TokenType.GEOMETRY,
}
_NAME_TOKENS = (TokenType.VAR, TokenType.IDENTIFIER)
_BEFORE_NAME = frozenset({"(", ",", "COLUMN", "ADD", "MODIFY"})


def srid_offset(tokens: list) -> int | None:
    """Where a column attribute `SRID n` (MySQL 8.0) starts, or None."""
    for i in range(2, len(tokens) - 1):
        tok = tokens[i]
        if tok.token_type is TokenType.VAR and tok.text.upper() == "SRID" and \
                tokens[i + 1].token_type is TokenType.NUMBER:
            return tok.start
    return None


def spatial_types(tokens: list) -> list:
    """The tokens with each spatial type word of a column definition (`name point`, `ADD COLUMN name
    point`, `MODIFY name point`, `CHANGE old new point`) turned into a type token, and MySQL 8.0's column
    attribute `SRID n` dropped (it restricts the values, not the type's storage)."""
    out = list(tokens)
    i = 0
    while i < len(out):
        tok = out[i]
        word = tok.text.upper() if tok.token_type is TokenType.VAR else None
        if word == "SRID" and i + 1 < len(out) and out[i + 1].token_type is TokenType.NUMBER and i >= 2:
            del out[i:i + 2]
            continue
        if word in _SPATIAL and i >= 2 and out[i - 1].token_type in _NAME_TOKENS and not (
                i + 1 < len(out) and out[i + 1].token_type is TokenType.L_PAREN):
            before = out[i - 2]
            b = before.text.upper() if before.token_type is not TokenType.IDENTIFIER else None
            changed = before.token_type in _NAME_TOKENS and i >= 3 and out[i - 3].text.upper() in ("CHANGE", "COLUMN")
            if b in _BEFORE_NAME or changed:
                out[i] = synthetic(_SPATIAL[word], tok.text, tok)
        i += 1
    return out
