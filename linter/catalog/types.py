"""Column types: normalisation from sqlglot's DataType, and how a type change affects the live app."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

from flylint.catalog.model import TypeInfo

_FAMILY = {
    "VARCHAR": "varchar", "NVARCHAR": "varchar", "CHAR": "char", "NCHAR": "char", "TEXT": "text",
    "MEDIUMTEXT": "text", "LONGTEXT": "text", "TINYTEXT": "text",
    "TINYINT": "int1", "SMALLINT": "int2", "MEDIUMINT": "int3", "INT": "int4", "BIGINT": "int8",
    "UTINYINT": "uint1", "USMALLINT": "uint2", "UMEDIUMINT": "uint3", "UINT": "uint4", "UBIGINT": "uint8",
    "SERIAL": "int4", "SMALLSERIAL": "int2", "BIGSERIAL": "int8",
    "DECIMAL": "numeric", "NUMERIC": "numeric", "UDECIMAL": "numeric", "BIGDECIMAL": "numeric",
    "FLOAT": "float4", "DOUBLE": "float8",
    "TIMESTAMP": "timestamp", "TIMESTAMPTZ": "timestamptz", "DATETIME": "timestamp", "DATE": "date",
    "TIME": "time", "TIMETZ": "timetz", "BOOLEAN": "bool", "JSON": "json", "JSONB": "jsonb", "UUID": "uuid",
    "ENUM": "enum", "SET": "set",
}
# Value ranges of the integer families: a change keeps every old value when the new range holds the old.
_INT_RANGE = {
    "int1": (-(2**7), 2**7 - 1), "int2": (-(2**15), 2**15 - 1), "int3": (-(2**23), 2**23 - 1),
    "int4": (-(2**31), 2**31 - 1), "int8": (-(2**63), 2**63 - 1),
    "uint1": (0, 2**8 - 1), "uint2": (0, 2**16 - 1), "uint3": (0, 2**24 - 1), "uint4": (0, 2**32 - 1),
    "uint8": (0, 2**64 - 1),
}
# MySQL/MariaDB TINYTEXT .. LONGTEXT: their capacity in bytes, kept as the type's only parameter.
_MYSQL_TEXT = {"TINYTEXT": 255, "TEXT": 65535, "MEDIUMTEXT": 16777215, "LONGTEXT": 4294967295}
_TEMPORAL = {"time", "timetz", "timestamp", "timestamptz"}


def type_info(dtype: exp.Expression | None, dialect: str) -> TypeInfo:
    if not isinstance(dtype, exp.DataType):
        return TypeInfo("unknown", (), "unknown")
    key = _simple_key(dtype, dialect)
    if key is None:
        return _type_info(dtype, dialect)
    info = _SIMPLE.get(key)
    if info is None:
        info = _SIMPLE[key] = _type_info(dtype, dialect)
    return info


# TypeInfo of the simple types seen so far (a type name with literal parameters): most columns of a
# history share a handful of types, and printing a type is the costly part of reading it.
_SIMPLE: dict[tuple, TypeInfo] = {}
_SIMPLE_ARGS = frozenset({"this", "expressions", "nested"})


def _simple_key(dtype: exp.DataType, dialect: str) -> tuple | None:
    """A key that determines the TypeInfo completely, or None for anything but a type name with
    literal parameters (user-defined, nested, arrays, ...)."""
    args = dtype.args
    if dtype.this == exp.DataType.Type.USERDEFINED or args.get("nested"):
        return None
    for name, value in args.items():
        if value and name not in _SIMPLE_ARGS:
            return None
    params = []
    for p in dtype.expressions:
        inner = p.this if isinstance(p, exp.DataTypeParam) else p
        if type(inner) is not exp.Literal or (isinstance(p, exp.DataTypeParam) and p.args.get("expression")):
            return None
        params.append((inner.this, inner.is_string))
    return dtype.this, tuple(params), dialect == "postgres"


def _type_info(dtype: exp.DataType, dialect: str) -> TypeInfo:
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
        kind = dtype.args.get("kind")
        family = (kind.name if isinstance(kind, exp.Expression) else kind) or dtype.name or "user-defined"
    if dialect != "postgres":
        if name == "SERIAL":
            family = "uint8"  # MySQL/MariaDB: SERIAL is BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE
        if name in _MYSQL_TEXT:
            # TEXT(M) is the smallest of the four that holds M bytes
            want = params[0] if params and isinstance(params[0], int) else _MYSQL_TEXT[name]
            params = [next((c for c in sorted(_MYSQL_TEXT.values()) if c >= want), _MYSQL_TEXT["LONGTEXT"])]
        elif family == "bool":
            family, params = "int1", []  # BOOL is TINYINT(1)
        elif family == "numeric" and not params:
            params = [10, 0]  # DECIMAL means DECIMAL(10, 0)
        elif family == "numeric" and len(params) == 1:
            params.append(0)
    if family in _INT_RANGE:
        params = []  # MySQL display widths (INT(11)) do not change what a column holds
    text = render(dtype, dialect).lower() or family
    return TypeInfo(family, tuple(params), text)


_NEEDS_COPY = (exp.Query, exp.Subquery)
_DIALECTS: dict[str, Dialect] = {}


def render(e: exp.Expression, dialect: str) -> str:
    """SQL text of a small expression (a type, a default) for display and comparison.

    sqlglot copies the whole tree before generating; types and defaults are never rewritten by
    the PostgreSQL/MySQL generators, so they are printed in place (a third of the replay's time
    otherwise). Anything holding a query is copied as usual.
    """
    target = "postgres" if dialect == "postgres" else "mysql"
    # literals and argument-less calls (the usual defaults: 'x', 0, now()) are printed once
    if e.comments:
        key = None
    elif type(e) is exp.Literal:
        key = (target, e.this, e.is_string)
    elif not any(e.args.values()):
        key = (target, type(e))
    else:
        key = None
    if key is not None:
        text = _PRINTED.get(key)
        if text is None:
            text = _PRINTED[key] = _render(e, target)
        return text
    return _render(e, target)


_PRINTED: dict[tuple, str] = {}


def _render(e: exp.Expression, target: str) -> str:
    try:
        gen = _DIALECTS.get(target)
        if gen is None:
            gen = _DIALECTS[target] = Dialect.get_or_raise(target)
        return gen.generate(e, copy=e.find(*_NEEDS_COPY) is not None)
    except Exception:  # noqa: BLE001 - something sqlglot cannot print: show it plainly
        try:
            return e.sql()
        except Exception:  # noqa: BLE001
            return ""


def _int_digits(family: str) -> int:
    lo, hi = _INT_RANGE[family]
    return max(len(str(abs(lo))), len(str(hi)))


def _varchar_bytes_class_same(n1: int, n2: int) -> bool:
    """MySQL/MariaDB extend a VARCHAR in place only when its length prefix stays 1 or 2 bytes.

    The prefix is 1 byte up to 255 bytes. The character set is not known here (1 to 4 bytes per
    character), so say yes only when the answer is the same for every character set.
    """
    return all((n1 * width <= 255) == (n2 * width <= 255) for width in (1, 2, 3, 4))


def compare(old: TypeInfo, new: TypeInfo, dialect: str = "postgres") -> str:
    """How a type change affects the live application and the table.

    'same'      nothing changes
    'widen'     every old value fits and the change needs no rewrite (PostgreSQL: binary-coercible;
                MySQL/MariaDB: in place, e.g. a longer VARCHAR with the same length prefix)
    'widen-rewrite'  every old value fits, but the table is rewritten or copied (int -> bigint)
    'narrow'    some old values may no longer fit, or old writes may fail (varchar(200) -> varchar(100))
    'reinterpret'  PostgreSQL timestamp <-> timestamptz (precision kept or raised): every value
                converts, read in the session TimeZone; the table is rewritten unless that zone is UTC
                (PostgreSQL 12+), see dbfacts
    'change'    a different kind of type: old reads and writes may break
    """
    postgres = dialect == "postgres"
    if (old.family, old.params) == (new.family, new.params):
        return "same"
    f1, f2 = old.family, new.family
    widen = "widen" if postgres else "widen-rewrite"  # MySQL copies the table for most widenings
    text_like = {"varchar", "text"}
    if f1 in text_like and f2 in text_like:
        l1 = old.params[0] if old.params else None
        l2 = new.params[0] if new.params else None
        if l1 is not None and not isinstance(l1, int) or l2 is not None and not isinstance(l2, int):
            return "change"
        if l2 is not None and (l1 is None or l2 < l1):
            return "narrow"
        if postgres:
            return "widen"
        if f1 == f2 == "varchar" and _varchar_bytes_class_same(l1, l2):
            return "widen"
        return "widen-rewrite"
    if f1 == "char" and f2 in text_like | {"char"}:
        l1 = old.params[0] if old.params else 1
        l2 = new.params[0] if new.params else (None if f2 != "char" else 1)
        if isinstance(l1, int) and (l2 is None or isinstance(l2, int) and l2 >= l1):
            return "widen-rewrite"
        return "narrow"
    if f1 in _INT_RANGE and f2 in _INT_RANGE:
        (lo1, hi1), (lo2, hi2) = _INT_RANGE[f1], _INT_RANGE[f2]
        if f1 == f2:
            return "same"
        return "widen-rewrite" if lo2 <= lo1 and hi2 >= hi1 else "narrow"
    if f1 == "numeric" and f2 == "numeric":
        p1, s1 = (list(old.params) + [None, None])[:2]
        p2, s2 = (list(new.params) + [None, None])[:2]
        if p2 is None:  # PostgreSQL numeric without a typmod holds everything
            return widen
        if p1 is None or not all(isinstance(x, int) for x in (p1, p2)):
            return "narrow" if p1 is None else "change"
        s1, s2 = s1 or 0, s2 or 0
        if p2 - s2 < p1 - s1 or s2 < s1:
            return "narrow"
        return widen if s1 == s2 else "widen-rewrite"
    if f1 in _INT_RANGE and f2 == "numeric":
        p2, s2 = (list(new.params) + [None, None])[:2]
        if p2 is None or isinstance(p2, int) and p2 - (s2 or 0) >= _int_digits(f1):
            return "widen-rewrite"
        return "narrow"
    if f1 == "numeric" and f2 in _INT_RANGE:
        return "narrow"  # fractions are rounded away
    if f1 in _TEMPORAL and f1 == f2:
        default = 6 if postgres else 0
        p1 = old.params[0] if old.params else default
        p2 = new.params[0] if new.params else default
        if not (isinstance(p1, int) and isinstance(p2, int)):
            return "change"
        return ("widen" if postgres else "widen-rewrite") if p2 >= p1 else "narrow"
    if {f1, f2} == {"timestamp", "timestamptz"}:
        if not postgres:
            return "change"
        # measured on PostgreSQL 15: every value converts (read as a time in the session TimeZone);
        # fewer fractional digits round the stored values, like timestamp(6) -> timestamp(3)
        p1 = old.params[0] if old.params else 6
        p2 = new.params[0] if new.params else 6
        if not (isinstance(p1, int) and isinstance(p2, int)):
            return "change"
        return "reinterpret" if p2 >= p1 else "narrow"
    if f1 == "json" and f2 == "jsonb":
        return "widen-rewrite"
    if f1 in ("enum", "set") and f2 == f1:
        old_vals, new_vals = list(old.params), list(new.params)
        if new_vals[: len(old_vals)] == old_vals:
            return "widen"  # values appended at the end
        return "narrow" if not set(old_vals) <= set(new_vals) else "change"
    if f1 == "float4" and f2 == "float8":
        return "widen-rewrite"
    if f1 == "float8" and f2 == "float4":
        return "narrow"
    return "change"


def enum_append(old: TypeInfo, new: TypeInfo) -> bool:
    """A MySQL ENUM/SET change that only appends values at the end."""
    return (
        old.family in ("enum", "set")
        and new.family == old.family
        and len(new.params) > len(old.params)
        and list(new.params[: len(old.params)]) == list(old.params)
    )
