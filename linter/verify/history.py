"""`flylint validate`: compare Flyway's history table with the migrations on disk, as
`flyway validate` does, without changing anything (read-only connection).

What is compared (Flyway's MigrationInfo states):
* an applied versioned migration whose file is gone: `validate-missing` (unless
  ignoreMigrationPatterns covers `versioned:missing`; applied versions above every file are
  "future", ignored by Flyway's default pattern `*:future`);
* an applied migration whose file has another checksum or description: `validate-checksum` /
  `validate-description`, with both values;
* a row with success = false: `validate-failed` (Flyway refuses to migrate until it is repaired);
* a file not applied yet: `validate-pending` (warning; Flyway's validate fails on it unless
  `*:pending` is ignored), a changed repeatable counts as pending too;
* a file with a version below the latest applied one: `validate-out-of-order` (error: Flyway
  ignores it unless outOfOrder=true; a warning with outOfOrder=true: it will be applied out of
  order).
"""

from __future__ import annotations

from dataclasses import dataclass

from flylint.model import Span, Version
from flylint.verify.measured import verify_finding

SKIPPED_TYPES = {"SCHEMA", "DELETE", "UNDO_SQL", "UNDO_JDBC", "UNDO_SCRIPT"}
BASELINE_TYPES = {"BASELINE", "SQL_BASELINE", "JDBC_BASELINE"}


@dataclass(frozen=True)
class AppliedRow:
    installed_rank: int
    version: str | None
    description: str
    type: str
    script: str
    checksum: int | None
    success: bool


class HistoryError(Exception):
    pass


def read_history(url, schema: str | None, table: str) -> tuple[str, list[AppliedRow] | None]:
    """(schema used, rows in installed_rank order); rows is None when there is no history table."""
    cols = "installed_rank, version, description, type, script, checksum, success"
    if url.dialect == "postgres":
        import psycopg
        from psycopg import sql

        from flylint.verify.pg import connect, error_text

        try:
            conn = connect(url, url.database, autocommit=False, statement_timeout=30, lock_timeout=5,
                           application="flylint validate")
        except psycopg.Error as e:
            raise HistoryError(error_text(e, url)) from None
        try:
            conn.read_only = True
            schema = schema or conn.execute("SELECT current_schema()").fetchone()[0]
            exists = conn.execute("SELECT to_regclass(%s)", (sql.Identifier(schema, table).as_string(conn),)).fetchone()[0]
            if exists is None:
                return schema, None
            rows = conn.execute(sql.SQL("SELECT " + cols + " FROM {} ORDER BY installed_rank").format(
                sql.Identifier(schema, table))).fetchall()
        except psycopg.Error as e:
            raise HistoryError(error_text(e, url)) from None
        finally:
            conn.close()
    else:
        import pymysql

        from flylint.verify.mysql import connect, error_text

        try:
            conn = connect(url, url.database, statement_timeout=30, lock_timeout=5, autocommit=False)
        except pymysql.err.MySQLError as e:
            raise HistoryError(error_text(e, url)) from None
        try:
            schema = schema or url.database
            if not schema:
                raise HistoryError("the database URL names no database and the Flyway configuration no schema: "
                                   "add the database to the URL (mysql://host/DATABASE)")
            with conn.cursor() as cur:
                cur.execute("START TRANSACTION READ ONLY")
                cur.execute("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s",
                            (schema, table))
                if cur.fetchone() is None:
                    return schema, None
                cur.execute(f"SELECT {cols} FROM `{schema}`.`{table}` ORDER BY installed_rank")
                rows = cur.fetchall()
                conn.rollback()
        except pymysql.err.MySQLError as e:
            raise HistoryError(error_text(e, url)) from None
        finally:
            conn.close()
    return schema, [AppliedRow(int(r[0]), r[1], r[2] or "", r[3] or "", r[4] or "",
                               None if r[5] is None else int(r[5]), bool(r[6])) for r in rows]


def _ignored(patterns, kind: str, status: str) -> bool:
    for p in patterns:
        t, _, s = p.strip().lower().partition(":")
        if t in ("*", kind) and s in ("*", status):
            return True
    return False


def validate(rows: list[AppliedRow] | None, migrations, cfg, history_name: str) -> list:
    """Findings for the history rows against the resolved migrations (MigrationFile, Flyway order)."""
    rows = rows or []
    patterns = cfg.ignore_migration_patterns
    findings = []
    here = Span.file_level()
    versioned = {m.version: m for m in migrations if m.kind == "V" and m.version is not None}
    repeatables = {m.description: m for m in migrations if m.kind == "R"}

    applied_versions: dict[Version, AppliedRow] = {}
    latest_repeatable: dict[str, AppliedRow] = {}
    baseline: Version | None = None
    for r in rows:
        if r.type in SKIPPED_TYPES:
            continue
        if not r.success:
            m = versioned.get(_version(r.version)) if r.version else repeatables.get(r.description)
            what = f"version {r.version}" if r.version else f"repeatable '{r.description}'"
            findings.append(verify_finding(
                "validate-failed", "error", m.display if m else history_name, here,
                f"{history_name} records a failed migration to {what} (installed_rank {r.installed_rank}, "
                f"script {r.script}): Flyway refuses to migrate until it is repaired.",
                fix="Fix what the failed migration left behind (on MySQL/MariaDB its DDL up to the failure stays "
                    "applied), then run flyway repair to remove the failed row.", klass="flyway"))
            continue
        if r.type in BASELINE_TYPES:
            v = _version(r.version)
            if v is not None:
                baseline = v if baseline is None or v > baseline else baseline
            continue
        if r.version:
            v = _version(r.version)
            if v is not None:
                applied_versions[v] = r
        else:
            latest_repeatable[r.description] = r

    max_applied = max(list(applied_versions) + ([baseline] if baseline else []), default=None)
    max_resolved = max(versioned, default=None)
    for v, r in applied_versions.items():
        m = versioned.get(v)
        if m is None:
            future = max_resolved is None or v > max_resolved
            status = "future" if future else "missing"
            if _ignored(patterns, "versioned", status):
                continue
            findings.append(verify_finding(
                "validate-missing", "error", history_name, here,
                f"Detected applied migration not resolved locally: {r.version} ({r.description}, script "
                f"{r.script}){' - newer than every local migration' if future else ''}.",
                fix="Restore the migration file (never delete applied migrations), or add "
                    f"'versioned:{status}' to ignoreMigrationPatterns if that is intended.", klass="flyway"))
            continue
        _compare(findings, r, m, history_name)
    for desc, r in latest_repeatable.items():
        m = repeatables.get(desc)
        if m is None:
            if not _ignored(patterns, "repeatable", "missing"):
                findings.append(verify_finding(
                    "validate-missing", "error", history_name, here,
                    f"Detected applied repeatable migration not resolved locally: {desc} (script {r.script}).",
                    fix="Restore the repeatable migration file, or add 'repeatable:missing' to "
                        "ignoreMigrationPatterns.", klass="flyway"))
            continue
        if m.checksum is not None and r.checksum != m.checksum and not _ignored(patterns, "repeatable", "pending"):
            findings.append(verify_finding(
                "validate-pending", "warning", m.display, here,
                f"Repeatable migration '{desc}' changed since it was applied (checksum in {history_name}: "
                f"{r.checksum}, local: {m.checksum}): Flyway will run it again.", klass="flyway"))
    for m in migrations:
        if m.kind == "R" and m.description not in latest_repeatable:
            if not _ignored(patterns, "repeatable", "pending"):
                findings.append(verify_finding(
                    "validate-pending", "warning", m.display, here,
                    f"Repeatable migration '{m.description}' has not been applied yet.", klass="flyway"))
        if m.kind != "V" or m.version is None or m.version in applied_versions:
            continue
        if baseline is not None and m.version <= baseline:
            continue  # below the baseline: Flyway never runs it
        if max_applied is not None and m.version < max_applied:
            if cfg.out_of_order:
                if not _ignored(patterns, "versioned", "pending"):
                    findings.append(verify_finding(
                        "validate-out-of-order", "warning", m.display, here,
                        f"Migration {m.version} is below the latest applied version {max_applied.text}: with "
                        "outOfOrder=true Flyway will apply it out of order.", klass="flyway"))
            elif not _ignored(patterns, "versioned", "ignored"):
                findings.append(verify_finding(
                    "validate-out-of-order", "error", m.display, here,
                    f"Detected resolved migration not applied to database: {m.version}, which is below the latest "
                    f"applied version {max_applied.text}: Flyway ignores it (outOfOrder is false).",
                    fix=f"Give it a version above {max_applied.text}, or set outOfOrder=true if it may run out of order.",
                    klass="flyway"))
            continue
        if not _ignored(patterns, "versioned", "pending"):
            findings.append(verify_finding(
                "validate-pending", "warning", m.display, here,
                f"Migration {m.version} ({m.description}) has not been applied yet: the next flyway migrate runs "
                "it (flyway validate fails on pending migrations unless ignoreMigrationPatterns has '*:pending').",
                klass="flyway"))
    return findings


def _compare(findings, r: AppliedRow, m, history_name: str) -> None:
    here = Span.file_level()
    if m.checksum is not None and r.checksum != m.checksum:
        findings.append(verify_finding(
            "validate-checksum", "error", m.display, here,
            f"Migration checksum mismatch for migration version {r.version}: applied to database: {r.checksum}, "
            f"resolved locally: {m.checksum}. The file was changed after it was applied.",
            fix="Undo the change to the applied migration and put it in a new migration; if the change is only "
                "cosmetic, run flyway repair to store the new checksum.", klass="flyway"))
    if r.description != m.description:
        findings.append(verify_finding(
            "validate-description", "error", m.display, here,
            f"Migration description mismatch for migration version {r.version}: applied to database: "
            f"'{r.description}', resolved locally: '{m.description}'.",
            fix="Rename the file back, or run flyway repair to store the new description.", klass="flyway"))


def _version(text: str | None) -> Version | None:
    if not text:
        return None
    try:
        return Version.parse(text)
    except ValueError:
        return None
