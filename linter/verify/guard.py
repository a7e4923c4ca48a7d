"""What verify refuses to run: statements that would reach beyond the scratch database.

The replay runs the user's migrations on a server that also holds other databases, roles and
settings. A statement that acts on the server as a whole (databases, roles and users, tablespaces,
server settings, files on the server, other sessions) or, on MySQL/MariaDB, names another database
(`other_db.table`, `USE other_db`) is not run: the trace says why and verify reports
`verify-refused`. Everything else runs inside the scratch database only.
"""

from __future__ import annotations

import re

_COMMON = [
    (r"^\s*(CREATE|ALTER|DROP)\s+DATABASE\b", "it creates, changes or drops a database"),
]
_PG = _COMMON + [
    (r"^\s*(CREATE|ALTER|DROP)\s+(ROLE|USER|GROUP|TABLESPACE)\b", "roles and tablespaces belong to the whole server"),
    (r"^\s*ALTER\s+SYSTEM\b", "ALTER SYSTEM changes the server's configuration"),
    (r"^\s*GRANT\s+(?:(?!\bON\b)[^;])*\bTO\b", "role membership belongs to the whole server"),
    (r"^\s*REVOKE\s+(?:(?!\bON\b)[^;])*\bFROM\b", "role membership belongs to the whole server"),
    (r"^\s*COPY\b.*\b(TO|FROM)\s+(PROGRAM\b|')", "COPY to or from a server file or program"),
    (r"\b(pg_terminate_backend|pg_cancel_backend|pg_reload_conf|pg_rotate_logfile|pg_promote|lo_import|lo_export|"
     r"pg_read_file|pg_read_binary_file|pg_ls_dir|pg_file_write|dblink\w*|pg_switch_wal)\s*\(",
     "it calls a function that acts outside the database"),
    (r"^\s*(CHECKPOINT|LOAD)\b", "it acts on the whole server"),
]
_MY = _COMMON + [
    (r"^\s*(CREATE|ALTER|DROP)\s+SCHEMA\b", "a MySQL schema is a database"),
    (r"^\s*(CREATE|ALTER|DROP|RENAME)\s+(USER|ROLE|SERVER|TABLESPACE|LOGFILE\s+GROUP)\b",
     "users, roles, servers and tablespaces belong to the whole server"),
    (r"^\s*(GRANT|REVOKE)\b", "privileges belong to the whole server"),
    (r"^\s*SET\s+(GLOBAL|PERSIST|PERSIST_ONLY|@@GLOBAL|@@PERSIST)\b", "it changes a server-wide setting"),
    (r"\b@@GLOBAL\s*\.", "it changes a server-wide setting"),
    (r"^\s*USE\b", "USE switches to another database"),
    (r"^\s*(INSTALL|UNINSTALL)\s+(PLUGIN|SONAME|COMPONENT)\b", "plugins belong to the whole server"),
    (r"^\s*(KILL|FLUSH|RESET|PURGE|SHUTDOWN|RESTART)\b", "it acts on the whole server"),
    (r"^\s*(CHANGE\s+(MASTER|REPLICATION)|START\s+(SLAVE|REPLICA)|STOP\s+(SLAVE|REPLICA))\b",
     "replication belongs to the whole server"),
    (r"\bLOAD\s+DATA\b.*\bINFILE\b|\bINTO\s+(OUTFILE|DUMPFILE)\b|\bLOAD_FILE\s*\(", "it reads or writes server files"),
]
_COMPILED = {d: [(re.compile(p, re.I | re.S), why) for p, why in rules] for d, rules in
             (("postgres", _PG), ("mysql", _MY), ("mariadb", _MY))}

# Code that runs later or dynamically (DO blocks, routine bodies, EXECUTE '...'): searched anywhere,
# strings included, for the clearest cases.
_ROUTINE = re.compile(r"^\s*(DO\b|CREATE\s+(OR\s+REPLACE\s+)?(DEFINER\s*=\s*\S+\s+)?"
                      r"(FUNCTION|PROCEDURE|TRIGGER|EVENT)\b)", re.I)
_ANYWHERE = [(re.compile(p, re.I | re.S), why) for p, why in (
    (r"\b(CREATE|ALTER|DROP)\s+(DATABASE|ROLE|USER|TABLESPACE)\b",
     "its code creates, changes or drops a database, role or user"),
    (r"\bALTER\s+SYSTEM\b", "its code changes the server's configuration"),
    (r"\bSET\s+(GLOBAL|PERSIST)\b|@@GLOBAL\s*\.", "its code changes a server-wide setting"),
)]

_STRINGS = re.compile(r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.)*\"|--[^\n]*|#[^\n]*|/\*.*?\*/", re.S)
_QUALIFIED = re.compile(
    r"\b(?:TABLE|INTO|FROM|JOIN|UPDATE|REFERENCES|VIEW|TRIGGER|PROCEDURE|FUNCTION|EXISTS|TABLES)\s+"
    r"(?:`([^`]+)`|([A-Za-z_$][\w$]*))\s*\.\s*(?:`[^`]+`|[A-Za-z_$][\w$]*)", re.I)


def refusal(statement, dialect: str, database: str) -> str | None:
    """Why verify must not run this statement (None: it stays inside the scratch database)."""
    text = statement.text
    bare = _STRINGS.sub(lambda m: " " if m.group(0)[0] in "-#/" else m.group(0)[:1] + m.group(0)[-1:], text)
    for pattern, why in _COMPILED.get(dialect, ()):
        target = text if "'" in pattern.pattern and "COPY" in pattern.pattern else bare
        if pattern.search(target):
            return why
    if _ROUTINE.match(bare):
        for pattern, why in _ANYWHERE:
            if pattern.search(text):
                return why
    if dialect != "postgres":
        others = sorted(q for q in _qualifiers(statement, bare) if q.lower() != database.lower())
        if others:
            return f"it names another database ({', '.join(others)}); use unqualified names in migrations"
    return None


def _qualifiers(statement, bare: str) -> set[str]:
    out = set()
    parsed = getattr(statement, "parsed", None)
    tree = getattr(parsed, "tree", None)
    if tree is not None:
        from sqlglot import exp

        from flylint.sql.nodes import walk

        for node in walk(tree):
            if isinstance(node, exp.Table):
                db = node.args.get("db")
                if db is not None:
                    out.add(db.name if hasattr(db, "name") else str(db))
    for m in _QUALIFIED.finditer(bare):
        out.add(m.group(1) or m.group(2))
    return out
