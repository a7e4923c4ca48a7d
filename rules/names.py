"""Names in the SQL that fixes suggest: quoted the way the dialect needs, so the SQL can be pasted.

`sql_name(ctx, "Order Items")` is `"Order Items"` on PostgreSQL and `` `Order Items` `` on
MySQL/MariaDB; a plain name (`users`) stays as it is. Prose around the SQL keeps the plain name.
"""

from __future__ import annotations

import re

_PG_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*")
_MY_PLAIN = re.compile(r"[A-Za-z0-9_$]*[A-Za-z_$][A-Za-z0-9_$]*")  # not all digits

# PostgreSQL's reserved key words (PostgreSQL docs: Appendix C, "reserved" in the PostgreSQL column);
# they cannot be column or table names unquoted.
PG_RESERVED = frozenset("""
all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create
current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc
distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral
leading limit localtime localtimestamp not null offset on only or order placing primary references returning
select session_user some symmetric system_user table then to trailing true union unique user using variadic when
where window with authorization binary collation concurrently cross current_schema freeze full ilike inner is
isnull join left like natural notnull outer overlaps right similar tablesample verbose
""".split())

# The MySQL 8.0 reserved words most likely to be used as names (MySQL manual: Keywords and Reserved Words).
MY_RESERVED = frozenset("""
add all alter and as asc between by call case change check column condition constraint create cross current_date
current_time current_timestamp current_user database default delete desc describe distinct div drop else exists
explain false fetch for force foreign from grant group groups having in index inner insert interval into is join
key keys kill leading left like limit lines load lock match mod natural not null on option or order outer
primary range read references rename repeat replace require restrict return revoke right row rows select set
show table then to trigger true union unique unlock update usage use using values when where while with write
""".split())


class TableName(str):
    """A table's bare name, as prose shows it, that remembers the table's schema: `sql_name` writes it
    schema-qualified when that schema is not the default one, where the bare name would find another
    table or none (`ALTER TABLE iam.realm ...`, not `ALTER TABLE realm ...`)."""

    schema: str | None = None


def table_name(ch) -> str:
    """The name of the table a change touches (a TableName), or its object when it has no table."""
    if not ch.table:
        return ch.object
    out = TableName(ch.table[1])
    out.schema = ch.table[0]
    return out


def sql_name(ctx_or_dialect, name: str | None) -> str:
    """`name` as it must be written in SQL for the dialect (a LintContext or a dialect name); a
    TableName outside the default schema is written schema-qualified (with a LintContext)."""
    if not name:
        return name or ""
    dialect = getattr(ctx_or_dialect, "dialect", ctx_or_dialect)
    schema = getattr(name, "schema", None)
    replay = getattr(ctx_or_dialect, "replay", None)
    if schema and replay is not None and schema != replay.catalog.default_schema:
        return sql_name(dialect, schema) + "." + sql_name(dialect, str(name))
    if dialect == "postgres":
        if _PG_PLAIN.fullmatch(name) and name not in PG_RESERVED:
            return name
        return '"' + name.replace('"', '""') + '"'
    if _MY_PLAIN.fullmatch(name) and name.lower() not in MY_RESERVED:
        return name
    return "`" + name.replace("`", "``") + "`"
