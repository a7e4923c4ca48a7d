"""Typed schema changes: what one statement does to the schema, classified for the live version."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flylint.model import quick_init

# The `change` vocabulary of the JSON contract (docs/output.md). Fixed: rules and consumers rely on it.
KINDS = (
    "create-table", "drop-table", "rename-table", "truncate-table", "add-column", "drop-column",
    "rename-column", "change-column-type", "set-not-null", "drop-not-null", "set-default",
    "drop-default", "add-primary-key", "add-unique", "add-check", "add-foreign-key",
    "drop-constraint", "validate-constraint", "create-index", "drop-index", "reindex",
    "create-view", "replace-view", "drop-view", "create-type", "add-enum-value",
    "rename-enum-value", "drop-type", "create-sequence", "drop-sequence", "drop-function",
    "drop-schema", "set-schema", "rewrite-table", "backfill", "delete-all", "lock-table",
    "session-setting", "other", "unanalysed",
)

# What a change means for the application version that is live while it runs, when nothing more
# specific is known (replay refines some: a NOT NULL column without default, a narrowing type
# change, a replaced view that loses columns).
DEFAULT_CLASS = {
    "create-table": "additive", "drop-table": "destructive", "rename-table": "incompatible",
    "truncate-table": "destructive", "add-column": "additive", "drop-column": "destructive",
    "rename-column": "incompatible", "change-column-type": "neutral", "set-not-null": "incompatible",
    "drop-not-null": "additive", "set-default": "additive", "drop-default": "incompatible",
    "add-primary-key": "incompatible", "add-unique": "incompatible", "add-check": "incompatible",
    "add-foreign-key": "incompatible", "drop-constraint": "neutral", "validate-constraint": "neutral",
    "create-index": "additive", "drop-index": "neutral", "reindex": "neutral",
    "create-view": "additive", "replace-view": "additive", "drop-view": "destructive",
    "create-type": "additive", "add-enum-value": "additive", "rename-enum-value": "incompatible",
    "drop-type": "destructive", "create-sequence": "additive", "drop-sequence": "destructive",
    "drop-function": "destructive", "drop-schema": "destructive", "set-schema": "incompatible",
    "rewrite-table": "neutral", "backfill": "data", "delete-all": "destructive",
    "lock-table": "neutral", "session-setting": "neutral", "other": "neutral",
    "unanalysed": "unanalysed",
}
CLASS_ORDER = ("additive", "incompatible", "destructive", "data", "neutral", "unanalysed")


@quick_init
@dataclass(frozen=True)
class Change:
    """One schema change made by one statement.

    `born` is True when the object it touches was created in the release being judged (for now:
    the same migration), so the live application cannot be using it yet. `detail` holds the facts
    rules need, captured at replay time (the state before the change included).
    """

    kind: str
    klass: str
    object: str  # e.g. "users.last_name", shown to the user with their own names
    table: tuple[str, str] | None
    born: bool
    description: str
    file: int  # index of the migration in Flyway order
    statement: int  # index of the statement in its file
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def live(self) -> bool:
        return not self.born
