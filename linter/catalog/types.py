"""Column types: normalisation from sqlglot's DataType, and how a type change affects the live app."""

from __future__ import annotations

from sqlglot import exp

from flylint.catalog.model import TypeInfo

_FAMILY = {
    "VARCHAR": "varchar", "NVARCHAR": "varchar", "CHAR": "char", "NCHAR": "char", "TEXT": "text",
    "MEDIUMTEXT": "text", "LONGTEXT": "text", "TINYTEXT": "text",
    "TINYINT": "int1", "SMALLINT": "int2", "MEDIUMINT": "int3", "INT": "int4", "BIGINT": "int8",
    "UTINYINT": "int1", "USMALLINT": "int2", "UMEDIUMINT": "int3", "UINT": "int4", "UBIGINT": "int8",
    "SERIAL": "int4", "SMALLSERIAL": "int2", "BIGSERIAL": "int8",
    "DECIMAL": "numeric", "NUMERIC": "numeric", "UDECIMAL": "numeric",
    "FLOAT": "float4", "DOUBLE": "float8",
    "TIMESTAMP": "timestamp", "TIMESTAMPTZ": "timestamptz", "DATETIME": "timestamp", "DATE": "date",
    "TIME": "time", "BOOLEAN": "bool", "JSON": "json", "JSONB": "jsonb", "UUID": "uuid",
    "ENUM": "enum", "SET": "set",
}
_INT_RANK = {"int1": 1, "int2": 2, "int3": 3, "int4": 4, "int8": 5}
_UNBOUNDED_TEXT = {"text"}


def type_info(dtype: exp.Expression | None, dialect: str) -> TypeInfo:
    if not isinstance(dtype, exp.DataType):
        return TypeInfo("unknown", (), "unknown")
    name = dtype.this.name if hasattr(dtype.this, "name") else str(dtype.this)
    family = _FAMILY.get(name, name.lower())
    params: list = []
    for p in dtype.expressions:
        inner = p.this if isinstance(p, exp.DataTypeParam) else p
        if isinstance(inner, exp.Literal):
            params.append(int(inner.this) if not inner.is_string and inner.this.isdigit() else inner.this)
        elif isinstance(inner, exp.Expression):
            params.append(inner.name)
    if dtype.this == exp.DataType.Type.USERDEFINED:
        family = dtype.args.get("kind") or dtype.name or "user-defined"
    try:
        text = dtype.sql(dialect="postgres" if dialect == "postgres" else "mysql").lower()
    except Exception:  # a type sqlglot cannot print: show the family
        text = family
    return TypeInfo(family, tuple(params), text)


def compare(old: TypeInfo, new: TypeInfo) -> str:
    """How a type change affects the live application and the table.

    'same'      nothing changes
    'widen'     every old value fits and PostgreSQL needs no rewrite (binary-coercible)
    'widen-rewrite'  every old value fits, but the table is rewritten (int -> bigint)
    'narrow'    some old values may no longer fit, or old writes may fail (varchar(200) -> varchar(100))
    'change'    a different kind of type: old reads and writes may break
    """
    if (old.family, old.params) == (new.family, new.params):
        return "same"
    f1, f2 = old.family, new.family
    text_like = {"varchar", "text"}
    if f1 in text_like and f2 in text_like:
        l1 = old.params[0] if f1 == "varchar" and old.params else None
        l2 = new.params[0] if f2 == "varchar" and new.params else None
        if l2 is None:
            return "widen"
        if l1 is None:
            return "narrow"
        if isinstance(l1, int) and isinstance(l2, int):
            return "widen" if l2 >= l1 else "narrow"
        return "change"
    if f1 == "char" and f2 in text_like:
        return "widen-rewrite"
    if f1 in _INT_RANK and f2 in _INT_RANK:
        if _INT_RANK[f2] > _INT_RANK[f1]:
            return "widen-rewrite"
        return "narrow"
    if f1 == "numeric" and f2 == "numeric":
        p1, s1 = (list(old.params) + [None, None])[:2]
        p2, s2 = (list(new.params) + [None, None])[:2]
        if p2 is None:
            return "widen"
        if p1 is None:
            return "narrow"
        if (s1 or 0) == (s2 or 0) and p2 >= p1:
            return "widen"
        return "narrow" if p2 < p1 or (s2 or 0) < (s1 or 0) else "widen-rewrite"
    if f1 in _INT_RANK and f2 == "numeric":
        return "widen-rewrite"
    if {f1, f2} == {"timestamp", "timestamptz"}:
        return "change"
    if f1 == "json" and f2 == "jsonb":
        return "widen-rewrite"
    if f1 in ("enum", "set") and f2 == f1:
        old_vals, new_vals = list(old.params), list(new.params)
        if new_vals[: len(old_vals)] == old_vals:
            return "widen"  # values appended at the end
        return "narrow" if not set(old_vals) <= set(new_vals) else "change"
    if f1 == "float4" and f2 == "float8":
        return "widen-rewrite"
    return "change"
