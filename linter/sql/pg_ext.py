"""PostgreSQL: flylint's recognisers for what the stock sqlglot `postgres` dialect leaves as
`exp.Command`, raises on, or silently mis-reads.

Every function here reads stock tokens with a `Cursor` and either returns a result, returns
None ("let the stock parser do it"), or raises `Unanalysed` with a plain reason. Sub-expressions
(a CHECK condition, a materialized view's query, a column definition) are parsed by the stock
parser on a slice of the same tokens (`Ctx.stock`), so their nodes are stock nodes and their
error positions point into the user's text.
"""

from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.tokens import TokenType

from . import nodes as n
from .guards import (
    STRING_TYPES,
    AlterHeader,
    Ctx,
    Cursor,
    StockAction,
    Unanalysed,
    WholeStatement,
    synthetic,
)

_LOCK_MODES = {
    "ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE",
    "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE",
}

# ALTER <kind> forms handled for SET SCHEMA / OWNER TO / RENAME TO, longest first.
_ALTER_KINDS = (
    ("MATERIALIZED", "VIEW"), ("FOREIGN", "TABLE"), ("VIEW",), ("SEQUENCE",), ("INDEX",),
    ("DOMAIN",), ("SCHEMA",), ("TYPE",), ("TABLE",),
)


# ============================================================================================
# ALTER TABLE
# ============================================================================================


def is_alter_table(cur: Cursor) -> bool:
    return cur.word() == "ALTER" and cur.word(1) == "TABLE" and cur.word(2) != "ALL"


def alter_table_header(ctx: Ctx, cur: Cursor) -> AlterHeader:
    cur.expect("ALTER", "TABLE")
    if_exists = cur.accept("IF", "EXISTS")
    only = cur.accept("ONLY")
    table_at = cur.skip_table()
    if cur.word() == "*":
        cur.i += 1
    return AlterHeader(
        stock_tokens=ctx.tokens[: cur.i], body=cur.i, if_exists=if_exists, only=only, table_at=table_at
    )


def alter_table_action(ctx: Ctx, cur: Cursor, hdr: AlterHeader):
    """One comma-separated action of ALTER TABLE: a list of actions, a StockAction or a WholeStatement."""
    w = cur.word()
    not_valid_at = cur.find_word("NOT", "VALID")
    if w == "ADD":
        return _add(ctx, cur, not_valid_at)
    if w in _PLAIN_ACTION_WORDS and not_valid_at is None:
        return StockAction(list(cur.toks[cur.i : cur.end]))
    if not_valid_at is not None:
        raise Unanalysed(
            "syntax error: NOT VALID applies only to ADD CONSTRAINT ... CHECK or FOREIGN KEY",
            cur.toks[not_valid_at].start,
        )
    if w == "VALIDATE":
        cur.i += 1
        cur.expect("CONSTRAINT")
        name = cur.ident("a constraint name")
        cur.expect_end()
        return [n.ValidateConstraint(name=name)]
    if w == "RENAME":
        return _rename(cur)
    if w == "ALTER":
        found = _alter_column(cur)
        if found is not None:
            return found
    if not cur.may_start(_LATER_ACTION_WORDS):
        return StockAction(list(cur.toks[cur.i : cur.end]))  # none of the forms below
    if cur.at("ATTACH", "PARTITION"):
        cur.i += 2
        part = cur.table("a partition name")
        if cur.accept("DEFAULT"):
            cur.expect_end()
            return [n.AttachPartition(partition=part, default=True)]
        cur.expect("FOR", "VALUES")
        if cur.done():
            cur.fail("expected the partition bound")
        return [n.AttachPartition(partition=part, bound=cur.rest_source())]
    if cur.at("DETACH", "PARTITION"):
        cur.i += 2
        part = cur.table("a partition name")
        concurrently = cur.accept("CONCURRENTLY")
        finalize = not concurrently and cur.accept("FINALIZE")
        cur.expect_end()
        return [n.DetachPartition(partition=part, concurrently=concurrently, finalize=finalize)]
    if w in ("ENABLE", "DISABLE"):
        found = _enable_disable(cur)
        if found is not None:
            return found
    if cur.at("FORCE", "ROW", "LEVEL", "SECURITY") or cur.at("NO", "FORCE", "ROW", "LEVEL", "SECURITY"):
        action = "NO FORCE" if cur.word() == "NO" else "FORCE"
        cur.i += 5 if action == "NO FORCE" else 4
        cur.expect_end()
        return [n.RowLevelSecurity(action=action)]
    if cur.at("OWNER", "TO"):
        cur.i += 2
        owner = cur.ident("a role name")
        cur.expect_end()
        return [n.ChangeOwner(owner=owner)]
    if cur.at("REPLICA", "IDENTITY"):
        cur.i += 2
        if cur.accept("USING", "INDEX"):
            index = cur.ident("an index name")
            cur.expect_end()
            return [n.ReplicaIdentity(kind="INDEX", index=index)]
        kind = cur.word()
        if kind not in ("DEFAULT", "FULL", "NOTHING"):
            cur.fail("expected DEFAULT, FULL, NOTHING or USING INDEX")
        cur.i += 1
        cur.expect_end()
        return [n.ReplicaIdentity(kind=kind)]
    if cur.at("SET", "SCHEMA"):
        cur.i += 2
        schema = cur.ident("a schema name")
        cur.expect_end()
        node = n.SetSchema(kind="TABLE", name=hdr.table, schema=schema, if_exists=hdr.if_exists)
        return WholeStatement(node, "ALTER TABLE")
    if w == "INHERIT" or cur.at("NO", "INHERIT"):
        inherit = w == "INHERIT"
        cur.i += 1 if inherit else 2
        parent = cur.table()
        cur.expect_end()
        return [n.Inherit(parent=parent, inherit=inherit)]
    if cur.at("CLUSTER", "ON"):
        cur.i += 2
        index = cur.ident("an index name")
        cur.expect_end()
        return [n.ClusterOn(index=index)]
    if cur.at("SET", "WITHOUT", "CLUSTER"):
        cur.i += 3
        cur.expect_end()
        return [n.ClusterOn(index=None)]
    return StockAction(list(cur.toks[cur.i : cur.end]))


# First words of actions flylint never reads itself (the stock parser does); ALTER and SET are
# not here: ALTER COLUMN ... ADD GENERATED and SET SCHEMA are flylint's.
_PLAIN_ACTION_WORDS = frozenset({"DROP"})
# the first words of the actions alter_table_action tests after ALTER [COLUMN]
_LATER_ACTION_WORDS = frozenset(
    {"ATTACH", "DETACH", "ENABLE", "DISABLE", "FORCE", "NO", "OWNER", "REPLICA", "SET", "INHERIT", "CLUSTER"}
)
# what may follow the column in the ALTER [COLUMN] c forms _alter_column reads
_ALTER_COLUMN_WORDS = frozenset({"ADD", "DROP", "SET", "RESET"})
_ALTER_COLUMN_SET_WORDS = frozenset({"STATISTICS", "STORAGE", "COMPRESSION", "("})

_CONSTRAINT_WORDS = ("CHECK", "UNIQUE", "PRIMARY KEY", "FOREIGN KEY", "EXCLUDE")


def _add(ctx: Ctx, cur: Cursor, not_valid_at: int | None):
    start = cur.i
    cur.i += 1  # ADD
    name = None
    if cur.accept("CONSTRAINT"):
        name = cur.ident("a constraint name")
    kw = cur.word()
    if name is None and kw not in _CONSTRAINT_WORDS:
        # ADD [COLUMN] ...: a column definition
        if not_valid_at is not None:
            raise Unanalysed(
                "syntax error: NOT VALID applies only to ADD CONSTRAINT ... CHECK or FOREIGN KEY",
                cur.toks[not_valid_at].start,
            )
        return StockAction(list(cur.toks[start : cur.end]))
    if kw not in _CONSTRAINT_WORDS:
        cur.fail("expected CHECK, UNIQUE, PRIMARY KEY, FOREIGN KEY or EXCLUDE")
    # ADD [CONSTRAINT c] {UNIQUE | PRIMARY KEY} USING INDEX i
    if cur.accept("UNIQUE", "USING", "INDEX") or cur.accept("PRIMARY", "KEY", "USING", "INDEX"):
        kind = "UNIQUE" if kw == "UNIQUE" else "PRIMARY KEY"
        index = cur.ident("an index name")
        deferrable = initially_deferred = False
        while not cur.done():
            if cur.accept("DEFERRABLE"):
                deferrable = True
            elif cur.accept("NOT", "DEFERRABLE"):
                deferrable = False
            elif cur.accept("INITIALLY", "DEFERRED"):
                initially_deferred = True
            elif cur.accept("INITIALLY", "IMMEDIATE"):
                initially_deferred = False
            else:
                cur.fail("expected the end of the constraint")
        return [
            n.AddConstraintUsingIndex(
                kind=kind, index=index, name=name, deferrable=deferrable,
                initially_deferred=initially_deferred,
            )
        ]
    toks = cur.toks
    remove: set[int] = set()
    not_valid = False
    if not_valid_at is not None:
        if kw not in ("CHECK", "FOREIGN KEY"):
            raise Unanalysed(
                f"syntax error: {kw} constraints cannot be NOT VALID; "
                "only CHECK and FOREIGN KEY can",
                toks[not_valid_at].start,
            )
        again = cur.find_word("NOT", "VALID", i=not_valid_at + 2)
        if again is not None:
            raise Unanalysed("syntax error: NOT VALID written twice", toks[again].start)
        remove.update((not_valid_at, not_valid_at + 1))
        not_valid = True
    no_inherit_at = cur.find_word("NO", "INHERIT")
    no_inherit = no_inherit_at is not None
    if no_inherit:
        remove.update((no_inherit_at, no_inherit_at + 1))
    edited = [toks[j] for j in range(start, cur.end) if j not in remove]
    unnamed = name is None and kw in ("CHECK", "EXCLUDE")
    if unnamed:
        # the stock parser only knows named CHECK/EXCLUDE here: name it, then unwrap the name again
        add = toks[start]
        edited[1:1] = [
            synthetic(TokenType.CONSTRAINT, "CONSTRAINT", add),
            synthetic(TokenType.VAR, "flylint_unnamed", add),
        ]

    def fixup(actions: list) -> None:
        for action in actions:
            if not isinstance(action, exp.AddConstraint):
                continue
            if unnamed:
                inner = action.expressions
                if len(inner) == 1 and isinstance(inner[0], exp.Constraint):
                    action.set("expressions", list(inner[0].expressions))
            if not_valid:
                action.set("not_valid", True)
            if no_inherit:
                action.set("no_inherit", True)

    return StockAction(edited, fixup, edited=bool(remove) or unnamed)


def _rename(cur: Cursor):
    cur.i += 1  # RENAME
    if cur.accept("TO"):
        new = cur.table("the new table name")
        cur.expect_end()
        return [exp.AlterRename(this=new)]
    if cur.accept("CONSTRAINT"):
        old = cur.ident("a constraint name")
        cur.expect("TO")
        new = cur.ident("the new constraint name")
        cur.expect_end()
        return [n.RenameConstraint(old=old, new=new)]
    # RENAME [COLUMN] a TO b: COLUMN is optional in PostgreSQL (sqlglot reads the short form as a
    # table rename; flylint reads it right, also for keyword names such as `type`)
    cur.accept("COLUMN")
    old = cur.ident("a column name")
    cur.expect("TO")
    new = cur.ident("the new column name")
    cur.expect_end()
    return [exp.RenameColumn(this=exp.Column(this=old), to=exp.Column(this=new), exists=False)]


def _alter_column(cur: Cursor):
    """ALTER [COLUMN] c <forms the stock parser does not know>; None: leave it to the stock parser."""
    j = cur.i + (2 if cur.word(1) == "COLUMN" else 1)
    sub = cur.sub(j, cur.end)
    if not sub.is_name():
        return None
    # none of the forms below can follow the column: leave it to the stock parser
    if not sub.may_start(_ALTER_COLUMN_WORDS, 1) or (
        sub.word(1) == "SET" and not sub.may_start(_ALTER_COLUMN_SET_WORDS, 2)
    ):
        return None
    column = sub.ident("a column name")
    if sub.accept("ADD", "GENERATED"):
        if sub.accept("ALWAYS"):
            always = True
        else:
            sub.expect("BY", "DEFAULT")
            always = False
        sub.expect("AS", "IDENTITY")
        options = None
        if sub.word() == "(":
            a, b = sub.skip_group()
            options = sub.source(a, b)
        sub.expect_end()
        return [n.AddIdentity(column=column, always=always, sequence_options=options)]
    if sub.accept("DROP", "IDENTITY"):
        if_exists = sub.accept("IF", "EXISTS")
        sub.expect_end()
        return [n.DropIdentity(column=column, if_exists=if_exists)]
    if sub.accept("DROP", "EXPRESSION"):
        if_exists = sub.accept("IF", "EXISTS")
        sub.expect_end()
        return [n.DropExpression(column=column, if_exists=if_exists)]
    for setting in ("STATISTICS", "STORAGE", "COMPRESSION"):
        if sub.accept("SET", setting):
            if sub.done():
                sub.fail(f"expected a value after SET {setting}")
            return [n.AlterColumnSetting(column=column, setting=setting, value=sub.rest_source())]
    if sub.at("SET", "(") or sub.at("RESET", "("):
        setting = "OPTIONS" if sub.word() == "SET" else "RESET OPTIONS"
        sub.i += 1
        a, b = sub.skip_group()
        sub.expect_end()
        return [n.AlterColumnSetting(column=column, setting=setting, value=sub.source(a, b))]
    return None


def _enable_disable(cur: Cursor):
    enabled = cur.word() == "ENABLE"
    cur.i += 1
    mode = None
    if enabled and cur.word() in ("REPLICA", "ALWAYS") and cur.word(1) == "TRIGGER":
        mode = cur.word()
        cur.i += 1
    if cur.accept("TRIGGER"):
        if cur.accept("ALL"):
            scope, trigger = "ALL", None
        elif cur.accept("USER"):
            scope, trigger = "USER", None
        else:
            scope, trigger = "NAME", cur.ident("a trigger name")
        cur.expect_end()
        return [n.TriggerState(enabled=enabled, scope=scope, trigger=trigger, mode=mode)]
    if mode is None and cur.accept("ROW", "LEVEL", "SECURITY"):
        cur.expect_end()
        return [n.RowLevelSecurity(action="ENABLE" if enabled else "DISABLE")]
    cur.i -= 1 if mode is None else 2
    return None


# ============================================================================================
# Other statements
# ============================================================================================


def recognise(ctx: Ctx, cur: Cursor):
    """(tree, kind) for statements flylint reads itself; None to use the stock parser."""
    w = cur.word()
    handler = _STATEMENTS.get(w)  # type: ignore[arg-type]
    return None if handler is None else handler(ctx, cur)


_PRIVILEGES = frozenset(("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "USAGE",
                         "EXECUTE", "ALL", "MAINTAIN"))


def _privileges(ctx: Ctx, cur: Cursor):
    """GRANT/REVOKE forms the stock parser cannot read (it reads `GRANT p ON t TO r` itself):
    `... ON ALL TABLES IN SCHEMA s ...` and role membership (`GRANT r TO u`, no ON)."""
    verb = cur.word()
    to = "TO" if verb == "GRANT" else "FROM"
    on = cur.find_word("ON")
    if on is not None:
        sub = cur.sub(on + 1, cur.end)
        if not (sub.accept("ALL") and sub.word() in ("TABLES", "SEQUENCES", "FUNCTIONS", "PROCEDURES", "ROUTINES")):
            return None
        sub.i += 1
        privs = cur.sub(cur.i + 1, on)
        if verb == "REVOKE":
            privs.accept("GRANT", "OPTION", "FOR")
        for ps, pe in privs.split_commas():
            words = [t.text.upper() for t in privs.toks[ps:pe]]
            if not words or words[0] not in _PRIVILEGES or (words[0] == "ALL" and words[1:] not in ([], ["PRIVILEGES"])):
                privs.i = ps
                privs.fail("expected a privilege (SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER, "
                           "USAGE, EXECUTE or ALL)")
        sub.expect("IN", "SCHEMA")
        if not sub.is_name():
            sub.fail("expected a schema name")
        if sub.find_word(to) is None:
            sub.fail(f"expected {to}")
        return n.Privileges(verb=verb, scope="ALL IN SCHEMA"), verb
    at = cur.find_word(to)
    if at is None or at == cur.i + 1 or at + 1 >= cur.end:
        cur.i += 1
        cur.fail(f"expected ON or {to}")
    return n.Privileges(verb=verb, scope="ROLE"), verb


def _alter_other(ctx: Ctx, cur: Cursor):
    cur.i += 1  # ALTER
    if cur.at("DEFAULT", "PRIVILEGES"):
        sub = cur.sub(cur.i + 2, cur.end)
        if sub.find_word("GRANT") is None and sub.find_word("REVOKE") is None:
            sub.fail("expected GRANT or REVOKE")
        return n.Privileges(verb="ALTER DEFAULT PRIVILEGES", scope="DEFAULT"), "ALTER DEFAULT PRIVILEGES"
    if cur.at("TYPE"):
        return _alter_type(ctx, cur)
    for words in _ALTER_KINDS:
        if cur.at(*words):
            kind = " ".join(words)
            break
    else:
        return None
    start = cur.i
    cur.i += len(words)
    if_exists = cur.accept("IF", "EXISTS")
    if not cur.is_name():
        cur.i = start
        return None
    name = cur.table(f"a {kind.lower()} name")
    if kind != "INDEX" and cur.accept("SET", "SCHEMA"):
        schema = cur.ident("a schema name")
        cur.expect_end()
        return n.SetSchema(kind=kind, name=name, schema=schema, if_exists=if_exists), f"ALTER {kind}"
    if cur.accept("OWNER", "TO"):
        owner = cur.ident("a role name")
        cur.expect_end()
        return n.AlterOwner(kind=kind, name=name, owner=owner), f"ALTER {kind}"
    if kind in ("VIEW", "INDEX", "TABLE"):
        return None  # the stock parser reads ALTER VIEW/INDEX ... RENAME TO and friends
    if kind == "DOMAIN" and not cur.at("RENAME", "TO"):
        return _alter_domain(cur, name), "ALTER DOMAIN"
    if cur.accept("RENAME", "TO"):
        new = cur.table(f"the new {kind.lower()} name")
        cur.expect_end()
        alter = exp.Alter(this=name, kind=kind, exists=if_exists, actions=[exp.AlterRename(this=new)])
        return alter, f"ALTER {kind}"
    if kind == "SEQUENCE" and not cur.done():
        return n.AlterSequence(name=name, options=cur.rest_source(), if_exists=if_exists), "ALTER SEQUENCE"
    return None


def _alter_type(ctx: Ctx, cur: Cursor):
    cur.i += 1  # TYPE
    name = cur.table("a type name")
    if cur.accept("ADD", "VALUE"):
        if_not_exists = cur.accept("IF", "NOT", "EXISTS")
        value = cur.string("the new enum value (a string)")
        before = after = None
        if cur.accept("BEFORE"):
            before = cur.string("an existing enum value")
        elif cur.accept("AFTER"):
            after = cur.string("an existing enum value")
        cur.expect_end()
        node = n.AlterEnumAddValue(type=name, value=value, before=before, after=after, if_not_exists=if_not_exists)
        return node, "ALTER TYPE"
    if cur.accept("RENAME", "VALUE"):
        old = cur.string("the enum value to rename")
        cur.expect("TO")
        new = cur.string("the new enum value")
        cur.expect_end()
        return n.AlterEnumRenameValue(type=name, old=old, new=new), "ALTER TYPE"
    if cur.accept("RENAME", "TO"):
        new = cur.table("the new type name")
        cur.expect_end()
        return exp.Alter(this=name, kind="TYPE", actions=[exp.AlterRename(this=new)]), "ALTER TYPE"
    if cur.accept("OWNER", "TO"):
        owner = cur.ident("a role name")
        cur.expect_end()
        return n.AlterOwner(kind="TYPE", name=name, owner=owner), "ALTER TYPE"
    if cur.accept("SET", "SCHEMA"):
        schema = cur.ident("a schema name")
        cur.expect_end()
        return n.SetSchema(kind="TYPE", name=name, schema=schema), "ALTER TYPE"
    return None


def _create(ctx: Ctx, cur: Cursor):
    cur.i += 1  # CREATE
    or_replace = cur.accept("OR", "REPLACE")
    if not cur.may_start(_CREATE_WORDS):
        return None  # none of the forms below
    if cur.at("MATERIALIZED", "VIEW"):
        return _create_matview(ctx, cur)
    if cur.at("EXTENSION"):
        return _create_extension(cur)
    if cur.at_any("FUNCTION", "PROCEDURE"):
        return _create_function(cur, or_replace)
    if cur.at("TRIGGER") or cur.at("CONSTRAINT", "TRIGGER"):
        return _create_trigger(cur, or_replace)
    if cur.at("INDEX") or cur.at("UNIQUE", "INDEX"):
        return _create_index(ctx, cur)
    if cur.at("DOMAIN") and not or_replace:
        return _create_domain(cur)
    return None


_CREATE_WORDS = frozenset(
    {"MATERIALIZED", "EXTENSION", "FUNCTION", "PROCEDURE", "TRIGGER", "CONSTRAINT", "INDEX", "UNIQUE", "DOMAIN"}
)
# words that end a domain's type or DEFAULT expression
_DOMAIN_CLAUSE_WORDS = frozenset({"COLLATE", "DEFAULT", "CONSTRAINT", "NOT", "NULL", "CHECK"})


def _until_clause(cur: Cursor) -> int:
    """Index of the next depth-0 token starting a domain clause (or the end)."""
    j = cur.i
    while j < cur.end:
        tok = cur.toks[j]
        if tok.text == "(" or tok.text == "[":
            j = cur.matching_paren(j)
            continue
        if tok.text.upper() in _DOMAIN_CLAUSE_WORDS and tok.token_type not in STRING_TYPES:
            return j
        j += 1
    return cur.end


def _create_domain(cur: Cursor):
    cur.i += 1  # DOMAIN
    name = cur.table("a domain name")
    cur.accept("AS")
    stop = _until_clause(cur)
    if stop == cur.i:
        cur.fail("expected the domain's data type")
    type_text = cur.source(cur.i, stop)
    try:
        dtype = exp.DataType.build(type_text, dialect="postgres", udt=True)
    except Exception:  # noqa: BLE001 - an unreadable type stays unread, the domain is still known
        dtype = None
    cur.i = stop
    not_null = False
    default = None
    checks: list[tuple[str | None, str]] = []
    while not cur.done():
        cname = cur.ident("a constraint name").this if cur.accept("CONSTRAINT") else None
        if cur.accept("NOT", "NULL"):
            not_null = True
        elif cur.accept("NULL"):
            not_null = False
        elif cur.accept("CHECK"):
            a, b = cur.skip_group()
            checks.append((cname, cur.source(a, b)))
        elif cname is None and cur.accept("DEFAULT"):
            stop = _until_clause(cur)
            if stop == cur.i:
                cur.fail("expected the default value")
            default = cur.source(cur.i, stop)
            cur.i = stop
        elif cname is None and cur.accept("COLLATE"):
            cur.ident("a collation name")
        else:
            cur.fail("expected DEFAULT, COLLATE, NOT NULL, NULL or CHECK")
    node = n.CreateDomain(name=name, type=dtype, type_text=type_text, not_null=not_null, default=default,
                          checks=tuple(checks))
    return node, "CREATE DOMAIN"


def _alter_domain(cur: Cursor, name: exp.Table) -> n.AlterDomain:
    if cur.accept("ADD"):
        cname = cur.ident("a constraint name").this if cur.accept("CONSTRAINT") else None
        if cur.accept("NOT", "NULL"):
            cur.expect_end()
            return n.AlterDomain(name=name, action="add-not-null", constraint=cname)
        cur.expect("CHECK")
        a, b = cur.skip_group()
        not_valid = cur.accept("NOT", "VALID")
        cur.expect_end()
        return n.AlterDomain(name=name, action="add-check", constraint=cname, check=cur.source(a, b),
                             not_valid=not_valid)
    if cur.accept("DROP", "CONSTRAINT"):
        if_exists = cur.accept("IF", "EXISTS")
        cname = cur.ident("a constraint name").this
        cascade = cur.accept("CASCADE")
        if not cascade:
            cur.accept("RESTRICT")
        cur.expect_end()
        return n.AlterDomain(name=name, action="drop-constraint", constraint=cname, if_exists=if_exists,
                             cascade=cascade)
    if cur.accept("VALIDATE", "CONSTRAINT"):
        cname = cur.ident("a constraint name").this
        cur.expect_end()
        return n.AlterDomain(name=name, action="validate-constraint", constraint=cname)
    if cur.accept("RENAME", "CONSTRAINT"):
        old = cur.ident("a constraint name").this
        cur.expect("TO")
        new = cur.ident("the new constraint name").this
        cur.expect_end()
        return n.AlterDomain(name=name, action="rename-constraint", constraint=old, new_name=new)
    if cur.accept("SET", "DEFAULT"):
        if cur.done():
            cur.fail("expected the default value")
        return n.AlterDomain(name=name, action="set-default", value=cur.rest_source())
    for words, action in ((("DROP", "DEFAULT"), "drop-default"), (("SET", "NOT", "NULL"), "set-not-null"),
                          (("DROP", "NOT", "NULL"), "drop-not-null")):
        if cur.accept(*words):
            cur.expect_end()
            return n.AlterDomain(name=name, action=action)
    cur.fail("expected ADD, DROP, VALIDATE, RENAME, SET, OWNER TO or SET SCHEMA")


def _create_matview(ctx: Ctx, cur: Cursor):
    cur.i += 2
    if_not_exists = cur.accept("IF", "NOT", "EXISTS")
    name = cur.table("a materialized view name")
    columns: list[exp.Identifier] = []
    if cur.word() == "(":
        a, b = cur.skip_group()
        for s, e in cur.split_commas(a, b):
            sub = cur.sub(s, e)
            columns.append(sub.ident("a column name"))
            sub.expect_end()
    while not cur.at("AS"):
        if cur.accept("USING"):
            cur.ident("an access method")
        elif cur.accept("WITH") and cur.word() == "(":
            cur.skip_group()
        elif cur.accept("TABLESPACE"):
            cur.ident("a tablespace name")
        else:
            cur.fail("expected AS")
    cur.i += 1
    end = cur.end
    with_data = True
    if cur.sub(end - 3, end).at("WITH", "NO", "DATA") and end - 3 >= cur.i:
        with_data, end = False, end - 3
    elif cur.sub(end - 2, end).at("WITH", "DATA") and end - 2 >= cur.i:
        end -= 2
    if end <= cur.i:
        cur.fail("expected the view's query")
    query = ctx.stock(cur.toks[cur.i : end])
    if not isinstance(query, exp.Query):
        raise Unanalysed("syntax error: expected a query after AS", cur.toks[cur.i].start)
    node = n.CreateMaterializedView(
        name=name, query=query, with_data=with_data, if_not_exists=if_not_exists, columns=tuple(columns)
    )
    return node, "CREATE MATERIALIZED VIEW"


def _create_extension(cur: Cursor):
    cur.i += 1
    if_not_exists = cur.accept("IF", "NOT", "EXISTS")
    name = cur.ident("an extension name")
    cur.accept("WITH")
    schema = version = None
    cascade = False
    while not cur.done():
        if cur.accept("SCHEMA"):
            schema = cur.ident("a schema name")
        elif cur.accept("VERSION"):
            tok = cur.next()
            version = tok.text
        elif cur.accept("CASCADE"):
            cascade = True
        else:
            cur.fail("expected SCHEMA, VERSION or CASCADE")
    node = n.CreateExtension(name=name, if_not_exists=if_not_exists, schema=schema, version=version, cascade=cascade)
    return node, "CREATE EXTENSION"


_FUNCTION_CLAUSES = frozenset(
    "LANGUAGE TRANSFORM WINDOW IMMUTABLE STABLE VOLATILE NOT LEAKPROOF CALLED RETURNS STRICT "
    "EXTERNAL SECURITY PARALLEL COST ROWS SUPPORT SET AS RETURN BEGIN".split()
)


def _create_function(cur: Cursor, or_replace: bool):
    kind = cur.word()
    cur.i += 1
    name = cur.table(f"a {kind.lower()} name")
    if cur.word() != "(":
        cur.fail("expected ( and the parameter list")
    a, b = cur.skip_group()
    parameters = cur.source(a, b)
    returns = language = body = None
    while not cur.done():
        w = cur.word()
        if w == "RETURNS" and not cur.at("RETURNS", "NULL", "ON", "NULL", "INPUT"):
            cur.i += 1
            start = cur.i
            while not cur.done() and cur.word() not in _FUNCTION_CLAUSES:
                if cur.word() == "(":
                    cur.skip_group()
                else:
                    cur.i += 1
            if cur.i == start:
                cur.fail("expected the return type")
            returns = cur.source(start, cur.i)
        elif w == "LANGUAGE":
            cur.i += 1
            language = cur.next().text.lower()
        elif w == "AS":
            cur.i += 1
            body = cur.string("the function body (a string or $$ ... $$)")
            if cur.word() == ",":  # AS 'obj_file', 'link_symbol'
                cur.i += 1
                cur.string("the link symbol")
        elif w in ("RETURN", "BEGIN"):
            body = cur.rest_source()
            cur.i = cur.end
        elif cur.word() == "(":
            cur.skip_group()
        else:
            cur.i += 1
    if body is None:
        raise Unanalysed(
            f"syntax error: the {kind.lower()} has no body (AS '...', AS $$...$$, RETURN or BEGIN ATOMIC)",
            cur.offset(),
        )
    node = n.CreateFunction(
        name=name, kind=kind, or_replace=or_replace, parameters=parameters, returns=returns,
        language=language, body=body, opaque_body=True,
    )
    return node, f"CREATE {kind}"


def _create_trigger(cur: Cursor, or_replace: bool):
    constraint = cur.accept("CONSTRAINT")
    cur.expect("TRIGGER")
    name = exp.Table(this=cur.ident("a trigger name"))
    if cur.accept("BEFORE"):
        timing = "BEFORE"
    elif cur.accept("AFTER"):
        timing = "AFTER"
    elif cur.accept("INSTEAD", "OF"):
        timing = "INSTEAD OF"
    else:
        cur.fail("expected BEFORE, AFTER or INSTEAD OF")
    events = []
    while True:
        event = cur.word()
        if event not in ("INSERT", "UPDATE", "DELETE", "TRUNCATE"):
            cur.fail("expected INSERT, UPDATE, DELETE or TRUNCATE")
        cur.i += 1
        events.append(event)
        if event == "UPDATE" and cur.accept("OF"):
            cur.ident("a column name")
            while cur.accept(","):
                cur.ident("a column name")
        if not cur.accept("OR"):
            break
    cur.expect("ON")
    table = cur.table()
    for_each = None
    function = None
    while not cur.done():
        if cur.accept("FOR"):
            cur.accept("EACH")
            if cur.word() not in ("ROW", "STATEMENT"):
                cur.fail("expected ROW or STATEMENT")
            for_each = cur.next().text.upper()
        elif cur.word() == "(":
            cur.skip_group()
        elif cur.accept("EXECUTE"):
            if cur.word() not in ("FUNCTION", "PROCEDURE"):
                cur.fail("expected FUNCTION or PROCEDURE")
            cur.i += 1
            function = cur.table("a function name")
            if cur.word() != "(":
                cur.fail("expected (")
            cur.skip_group()
            cur.expect_end()
        else:
            cur.i += 1
    if function is None:
        raise Unanalysed("syntax error: expected EXECUTE FUNCTION name(...)", cur.offset())
    node = n.CreateTrigger(
        name=name, table=table, timing=timing, events=tuple(events), for_each=for_each,
        or_replace=or_replace, constraint=constraint, function=function,
    )
    return node, "CREATE TRIGGER"


def _create_index(ctx: Ctx, cur: Cursor):
    toks = ctx.tokens
    remove: set[int] = set()
    nulls_not_distinct = None
    at = cur.find_word("NULLS", "NOT", "DISTINCT", i=0)
    if at is not None:
        remove.update(range(at, at + 3))
        nulls_not_distinct = True
    else:
        at = cur.find_word("NULLS", "DISTINCT", i=0)
        if at is not None:
            remove.update(range(at, at + 2))
            nulls_not_distinct = False
    only_at = cur.find_word("ON", "ONLY", i=0)
    if only_at is not None:
        remove.add(only_at + 1)
    if not remove:
        return None
    tree = ctx.stock([t for j, t in enumerate(toks) if j not in remove])
    if not isinstance(tree, exp.Create) or str(tree.args.get("kind") or "").upper() != "INDEX":
        raise Unanalysed("syntax error: could not read CREATE INDEX", toks[0].start)
    if nulls_not_distinct is not None:
        tree.set("nulls_not_distinct", nulls_not_distinct)
    if only_at is not None:
        tree.set("only", True)
    return tree, "CREATE INDEX"


_SIMPLE_DROP_KINDS = (("EXTENSION",), ("DOMAIN",), ("INDEX",))


def _drop(ctx: Ctx, cur: Cursor):
    """DROP kinds the stock parser fails on: EXTENSION, DOMAIN, INDEX a, b (several names)."""
    cur.i += 1
    for words in _SIMPLE_DROP_KINDS:
        if cur.at(*words):
            break
    else:
        return None
    kind = " ".join(words)
    if kind == "INDEX" and cur.find_word(",") is None:
        return None  # one index: the stock parser reads it
    cur.i += len(words)
    concurrently = kind == "INDEX" and cur.accept("CONCURRENTLY")
    exists = cur.accept("IF", "EXISTS")
    tables = [cur.table(f"a {kind.lower()} name")]
    while cur.accept(","):
        tables.append(cur.table(f"a {kind.lower()} name"))
    cascade = cur.accept("CASCADE")
    restrict = not cascade and cur.accept("RESTRICT")
    cur.expect_end()
    drop = exp.Drop(
        kind=kind, tables=tables, exists=exists, cascade=cascade, restrict=restrict, concurrently=concurrently
    )
    return drop, f"DROP {kind}"


def _reindex(ctx: Ctx):
    cur = ctx.retokenize()
    options: list[str] = []
    concurrently = False
    if cur.word() == "(":
        a, b = cur.skip_group()
        for s, e in cur.split_commas(a, b):
            sub = cur.sub(s, e)
            text = " ".join(t.text.upper() for t in sub.toks[s:e])
            options.append(text)
            if sub.word() == "CONCURRENTLY" and (e - s == 1 or sub.word(1) in ("TRUE", "ON", "1")):
                concurrently = True
    kind = cur.word()
    if kind not in ("INDEX", "TABLE", "SCHEMA", "DATABASE", "SYSTEM"):
        cur.fail("expected INDEX, TABLE, SCHEMA, DATABASE or SYSTEM")
    cur.i += 1
    if cur.accept("CONCURRENTLY"):
        concurrently = True
    name = None
    if not cur.done() or kind not in ("DATABASE", "SYSTEM"):
        name = cur.table(f"a {kind.lower()} name")
    cur.expect_end()
    return n.Reindex(kind=kind, name=name, concurrently=concurrently, options=tuple(options)), "REINDEX"


def _refresh(ctx: Ctx):
    cur = ctx.retokenize()
    cur.expect("MATERIALIZED", "VIEW")
    concurrently = cur.accept("CONCURRENTLY")
    name = cur.table("a materialized view name")
    with_data = True
    if cur.accept("WITH", "NO", "DATA"):
        with_data = False
    else:
        cur.accept("WITH", "DATA")
    cur.expect_end()
    if concurrently and not with_data:
        raise Unanalysed("syntax error: REFRESH ... CONCURRENTLY cannot be combined with WITH NO DATA")
    return n.RefreshMaterializedView(name=name, concurrently=concurrently, with_data=with_data), "REFRESH MATERIALIZED VIEW"


def _lock(ctx: Ctx):
    cur = ctx.retokenize()
    cur.accept("TABLE")
    only = cur.accept("ONLY")
    tables = []
    while True:
        tables.append(cur.table())
        if cur.word() == "*":
            cur.i += 1
        if not cur.accept(","):
            break
    mode = "ACCESS EXCLUSIVE"
    if cur.accept("IN"):
        words = []
        while not cur.done() and cur.word() not in ("MODE",):
            words.append(cur.next().text.upper())
        cur.expect("MODE")
        mode = " ".join(words)
        if mode not in _LOCK_MODES:
            raise Unanalysed(f"syntax error: unknown lock mode {mode!r}", cur.offset())
    nowait = cur.accept("NOWAIT")
    cur.expect_end()
    return n.LockTable(tables=tuple(tables), mode=mode, nowait=nowait, only=only), "LOCK TABLE"


_TRUE = ("TRUE", "ON", "1", "YES")


def _vacuum(ctx: Ctx):
    cur = ctx.retokenize()
    flags = {"FULL": False, "FREEZE": False, "VERBOSE": False, "ANALYZE": False, "ANALYSE": False}
    options: list[str] = []
    if cur.word() == "(":
        a, b = cur.skip_group()
        for s, e in cur.split_commas(a, b):
            sub = cur.sub(s, e)
            word = sub.word()
            if word is None:
                sub.fail("expected a VACUUM option")
            options.append(" ".join(t.text.upper() for t in sub.toks[s:e]))
            if word in flags and (e - s == 1 or sub.word(1) in _TRUE):
                flags[word] = True
    else:
        while cur.word() in flags:
            flags[cur.next().text.upper()] = True
    tables = []
    if not cur.done():
        while True:
            tables.append(cur.table())
            if cur.word() == "(":
                cur.skip_group()
            if not cur.accept(","):
                break
    cur.expect_end()
    node = n.Vacuum(
        tables=tuple(tables), full=flags["FULL"], freeze=flags["FREEZE"], verbose=flags["VERBOSE"],
        analyze=flags["ANALYZE"] or flags["ANALYSE"], options=tuple(options),
    )
    return node, "VACUUM"


def _cluster(ctx: Ctx):
    cur = ctx.retokenize()
    verbose = False
    if cur.word() == "(":
        a, b = cur.skip_group()
        verbose = any(cur.toks[j].text.upper() == "VERBOSE" for j in range(a, b))
    elif cur.accept("VERBOSE"):
        verbose = True
    table = index = None
    if not cur.done():
        first = cur.table()
        if cur.accept("ON"):  # pre-8.3 syntax: CLUSTER index ON table
            index = first.this
            table = cur.table()
        else:
            table = first
            if cur.accept("USING"):
                index = cur.ident("an index name")
    cur.expect_end()
    return n.Cluster(table=table, index=index, verbose=verbose), "CLUSTER"


def _start_transaction(cur: Cursor):
    cur.i += 2
    modes = []
    if not cur.done():
        for s, e in cur.split_commas():
            words = " ".join(t.text.upper() for t in cur.toks[s:e])
            if not words:
                cur.sub(s, e).fail("expected a transaction mode")
            modes.append(words)
    return exp.Transaction(modes=modes or None), "START TRANSACTION"


def _do(ctx: Ctx):
    cur = ctx.retokenize()
    language = None
    if cur.accept("LANGUAGE"):
        language = cur.next().text.lower()
    body = cur.string("the DO block body ($$ ... $$ or a string)")
    if language is None and cur.accept("LANGUAGE"):
        language = cur.next().text.lower()
    cur.expect_end()
    language = language or "plpgsql"
    control = plpgsql_transaction_control(body) if language == "plpgsql" and isinstance(body, str) else None
    return n.DoBlock(body=body, language=language, transaction_control=control), "DO"


# What a PL/pgSQL body says apart from comments and literals: '...' strings, "..." identifiers,
# nested $tag$...$tag$ strings, -- and /* */ comments.
_PLPGSQL_NOISE = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|(\$[A-Za-z_0-9]*\$).*?\1|--[^\n]*|/\*.*?\*/", re.S)
# COMMIT / ROLLBACK as a PL/pgSQL statement: at the start of the body, or after `;` or a keyword
# that opens a statement list (BEGIN, LOOP, THEN, ELSE); not ROLLBACK TO (savepoints are refused anyway).
_PLPGSQL_TXN = re.compile(r"(?:^|;|\bBEGIN|\bLOOP|\bTHEN|\bELSE)\s*(COMMIT|ROLLBACK)\b(?!\s+TO\b)\s*(?:AND\s+(?:NO\s+)?CHAIN\s*)?;",
                          re.I)


def plpgsql_transaction_control(body: str) -> str | None:
    """"COMMIT" or "ROLLBACK" when a PL/pgSQL body runs one itself, else None."""
    m = _PLPGSQL_TXN.search(_PLPGSQL_NOISE.sub(" ", body))
    return m.group(1).upper() if m else None


def _reset(ctx: Ctx):
    cur = ctx.retokenize()
    if cur.accept("ALL"):
        cur.expect_end()
        return n.Reset(name=None, all=True), "RESET"
    if cur.accept("TIME", "ZONE"):
        name = "timezone"
    elif cur.accept("SESSION", "AUTHORIZATION"):
        name = "session_authorization"
    elif cur.accept("TRANSACTION", "ISOLATION", "LEVEL"):
        name = "transaction_isolation"
    else:
        parts = [cur.ident("a parameter name").this]
        while cur.accept("."):
            parts.append(cur.ident("a parameter name").this)
        name = ".".join(parts).lower()
    cur.expect_end()
    return n.Reset(name=name), "RESET"


def _set(ctx: Ctx, cur: Cursor):
    """SET forms the stock parser turns into a Command: value lists (search_path), TIME ZONE, ROLE."""
    cur.i += 1
    kind = None
    if cur.word() in ("SESSION", "LOCAL") and cur.word(1) != "AUTHORIZATION":
        kind = cur.next().text.upper()
    special = None
    if cur.accept("TIME", "ZONE"):
        special = "timezone"
    elif cur.accept("ROLE"):
        special = "role"
    elif cur.accept("SESSION", "AUTHORIZATION"):
        special = "session_authorization"
    if special is None:
        if cur.find_word(",") is None:
            return None  # a single value: the stock parser reads it
        if not cur.is_name():
            return None
        parts = [cur.ident("a parameter name").this]
        while cur.accept("."):
            parts.append(cur.ident("a parameter name").this)
        name = ".".join(parts)
        if not (cur.accept("TO") or cur.accept("=")):
            cur.fail("expected TO or =")
    else:
        name = special
    values: list[exp.Expression] = []
    for s, e in cur.split_commas():
        sub = cur.sub(s, e)
        tok = sub.peek()
        if tok is None or e - s != 1:
            if e - s == 2 and sub.word() == "-" and sub.peek(1).token_type is TokenType.NUMBER:
                values.append(exp.Literal.number("-" + sub.peek(1).text))
                continue
            return None if special is None else sub.fail("expected a simple value")
        if tok.token_type is TokenType.NUMBER:
            values.append(exp.Literal.number(tok.text))
        elif tok.token_type in STRING_TYPES:
            values.append(exp.Literal.string(tok.text))
        elif tok.token_type is TokenType.IDENTIFIER:
            values.append(exp.Identifier(this=tok.text, quoted=True))
        elif sub.is_name():
            values.append(exp.Var(this=tok.text))
        else:
            return None if special is None else sub.fail("expected a simple value")
    value = values[0] if len(values) == 1 else exp.Tuple(expressions=values)
    item = exp.SetItem(this=exp.EQ(this=exp.column(name), expression=value), kind=kind)
    return exp.Set(expressions=[item]), "SET"


def _start(ctx: Ctx, cur: Cursor):
    return _start_transaction(cur) if cur.at("START", "TRANSACTION") else None


def _comment_on(ctx: Ctx, cur: Cursor):
    return _comment(ctx, cur) if cur.at("COMMENT", "ON") else None


def _comment(ctx: Ctx, cur: Cursor):
    """COMMENT ON ... IS NULL and COMMENT ON CONSTRAINT c ON t (the stock parser fails on both)."""
    is_at = cur.find_word("IS")
    if is_at is None:
        return None
    toks = ctx.tokens
    is_null = is_at + 2 == len(toks) and cur.sub(is_at + 1, len(toks)).at("NULL")
    if cur.at("COMMENT", "ON", "CONSTRAINT"):
        c = cur.sub(3, is_at)
        name = c.ident("a constraint name")
        c.expect("ON")
        c.accept("DOMAIN")
        table = c.table()
        c.expect_end()
        tail = cur.sub(is_at + 1, len(toks))
        if is_null:
            text_node: exp.Expression = exp.Null()
        else:
            text_node = exp.Literal.string(tail.string("the comment text"))
            tail.expect_end()
        tree = exp.Comment(this=exp.Table(this=name), kind="CONSTRAINT", expression=text_node)
        tree.set("on", table)
        return tree, "COMMENT ON"
    if not is_null:
        return None
    edited = list(toks)
    edited[-1] = synthetic(TokenType.STRING, "", toks[-1])
    tree = ctx.stock(edited)
    if not isinstance(tree, exp.Comment):
        raise Unanalysed("syntax error: could not read COMMENT ON", toks[0].start)
    tree.set("expression", exp.Null())
    return tree, "COMMENT ON"


_STATEMENTS = {
    "ALTER": _alter_other,
    "CREATE": _create,
    "DROP": _drop,
    "REINDEX": lambda ctx, cur: _reindex(ctx),
    "REFRESH": lambda ctx, cur: _refresh(ctx),
    "LOCK": lambda ctx, cur: _lock(ctx),
    "VACUUM": lambda ctx, cur: _vacuum(ctx),
    "CLUSTER": lambda ctx, cur: _cluster(ctx),
    "START": _start,
    "DO": lambda ctx, cur: _do(ctx),
    "RESET": lambda ctx, cur: _reset(ctx),
    "SET": _set,
    "COMMENT": _comment_on,
    "GRANT": _privileges,
    "REVOKE": _privileges,
}
