"""Database URLs: parsing, and keeping the password out of every message.

`postgresql://user:password@host:port/db`, `postgres://...`, `mysql://...`, `mariadb://...`.
The password is kept in `DbUrl.password` and nowhere else: `str(url)` and `url.redacted` show
`***`, and `redact(text)` takes it (and any `scheme://user:pass@` form) out of a message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, unquote, urlsplit

SCHEMES = {"postgresql": "postgres", "postgres": "postgres", "mysql": "mysql", "mariadb": "mariadb"}
DEFAULT_PORTS = {"postgres": 5432, "mysql": 3306, "mariadb": 3306}


class UrlError(ValueError):
    """A database URL flylint cannot use (the message never contains the password)."""


@dataclass(frozen=True)
class DbUrl:
    dialect: str  # postgres | mysql | mariadb
    host: str
    port: int
    user: str | None
    password: str | None = field(repr=False)
    database: str | None
    params: tuple[tuple[str, str], ...] = ()

    @property
    def redacted(self) -> str:
        scheme = {"postgres": "postgresql"}.get(self.dialect, self.dialect)
        auth = ""
        if self.user:
            auth = self.user + (":***" if self.password else "") + "@"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{auth}{host}:{self.port}/{self.database or ''}"

    def __str__(self) -> str:
        return self.redacted

    def with_database(self, name: str | None) -> "DbUrl":
        return replace(self, database=name)

    def redact(self, text: str) -> str:
        return redact(text, self.password)


def parse_url(raw: str) -> DbUrl:
    """Parse a database URL; UrlError for anything else (the message shows the URL redacted)."""
    text = (raw or "").strip()
    if text.lower().startswith("jdbc:"):
        text = text[5:]
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as e:
        raise UrlError(f"cannot read the database URL {redact(raw)!r}: {redact(str(e))}") from None
    dialect = SCHEMES.get(parts.scheme.lower())
    if dialect is None:
        raise UrlError(
            f"database URL {redact(raw)!r} must start with postgresql://, mysql:// or mariadb://"
        )
    params = tuple(parse_qsl(parts.query))
    host = parts.hostname or dict(params).get("host") or "127.0.0.1"
    user = unquote(parts.username) if parts.username else dict(params).get("user")
    password = unquote(parts.password) if parts.password is not None else dict(params).get("password")
    database = unquote(parts.path.lstrip("/")) or None
    return DbUrl(dialect, host, port or DEFAULT_PORTS[dialect], user, password, database,
                 tuple((k, v) for k, v in params if k not in ("user", "password", "host")))


_URL_AUTH = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/@\s]*):[^@\s]*@")
_KV_PASSWORD = re.compile(r"(?i)\b(password\s*=\s*)('[^']*'|\S+)")


def redact(text: str, password: str | None = None) -> str:
    """`text` with `scheme://user:pass@` shown as `scheme://user:***@`, `password=...` as
    `password=***`, and every occurrence of `password` (when given) replaced by `***`."""
    out = _URL_AUTH.sub(r"\1:***@", str(text))
    out = _KV_PASSWORD.sub(r"\1***", out)
    if password:
        out = out.replace(password, "***")
    return out
