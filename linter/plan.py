"""`flylint plan`: turn a risky intent into the safe sequence of Flyway migrations.

`flylint plan rename-column users.last_name surname` reads the project as `flylint lint` does
(discovery, configuration, dialect, the replayed catalog), looks up the column's current type,
nullability and default, and writes the expand/contract sequence as numbered Flyway migrations
after the project's highest version, in its naming style, with the user's names and dialect. Each
file says, in SQL comments, which application version must run everywhere before it and which one
to deploy after it. Every plan lints clean with flylint (tests/test_plan.py proves it per intent
and dialect); the few warnings that are inherent (MySQL cannot tighten NOT NULL or add a foreign
key without a rebuild; dropping a column is destructive) are said in the plan itself.

Application versions are named relative to the one live now: N (live now), N+1, N+2.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flylint.catalog.model import Catalog, Column, Table
from flylint.catalog.types import compare, type_info


class PlanError(Exception):
    """The intent cannot be planned (unknown table or column, nothing to do): one line, exit 2."""


@dataclass(frozen=True)
class Step:
    """One migration of a plan."""

    slug: str  # the description part of the file name, e.g. "add_surname"
    phase: str  # expand | migrate | relax | contract
    before: str  # what must be true of the running application versions before it runs
    after: str  # what to deploy once it ran
    statements: tuple[str, ...]
    notes: tuple[str, ...] = ()
    no_transaction: bool = False  # CONCURRENTLY: a `.sql.conf` with executeInTransaction=false


@dataclass(frozen=True)
class PlannedFile:
    name: str
    text: str
    conf: str | None = None  # content of `<name>.conf`, when the step needs one


@dataclass(frozen=True)
class Plan:
    title: str
    files: tuple[PlannedFile, ...]
    warnings: tuple[str, ...] = ()  # the lint warnings this plan cannot avoid, said up front


INTENTS = {
    "rename-column": ("TABLE.COLUMN NEW_NAME", 2),
    "set-not-null": ("TABLE.COLUMN", 1),
    "change-column-type": ("TABLE.COLUMN NEW_TYPE", 2),
    "add-foreign-key": ("TABLE.COLUMN REFERENCED_TABLE.COLUMN", 2),
    "drop-column": ("TABLE.COLUMN", 1),
    "rename-table": ("TABLE NEW_NAME", 2),
    "add-not-null-column": ("TABLE.COLUMN TYPE", 2),
}

_LOCK_TIMEOUT = "SET lock_timeout = '5s';"
_LOCK_WAIT_TIMEOUT = "SET SESSION lock_wait_timeout = 5;"


def _suppress_last(statements: tuple[str, ...], comment: str) -> tuple[str, ...]:
    """The statements with `comment` on the line right above the last statement (where a
    suppression must stand), also when the last entry holds several lines."""
    *rest, last = statements
    head, sep, tail = last.rpartition("\n")
    return (*rest, f"{head}{sep}{comment}\n{tail}")
_SIMPLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


# ---------------------------------------------------------------------------------------------
# Entry point.


def make_plan(intent: str, args: Sequence[str], result, *, naming, next_version: Callable[[int], str],
              backfill: str | None = None, default: str | None = None) -> Plan:
    """The plan for `intent` on the project `result` (a flylint.engine.Result)."""
    if intent not in INTENTS:
        raise PlanError(f"unknown intent '{intent}' (choose from {', '.join(INTENTS)})")
    usage, count = INTENTS[intent]
    if len(args) != count:
        raise PlanError(f"usage: flylint plan {intent} {usage}")
    cat: Catalog = result.replay.catalog
    p = _Planner(cat, result.dialect, result.db_version, backfill)
    p.default = default
    title, steps = getattr(p, intent.replace("-", "_"))(*args)
    files = []
    for i, step in enumerate(steps):
        name = f"{naming.versioned_prefix}{next_version(i)}{naming.separator}{step.slug}{naming.suffixes[0]}"
        files.append(PlannedFile(name, _render(title, step, i, len(steps)),
                                 "executeInTransaction=false\n" if step.no_transaction else None))
    return Plan(title, tuple(files), tuple(p.inherent))


def _render(title: str, step: Step, i: int, total: int) -> str:
    lines = [
        f"-- flylint plan: {title}",
        f"-- Step {i + 1} of {total}, phase: {step.phase}",
        f"-- Before it runs: {step.before}",
        f"-- After it ran:   {step.after}",
    ]
    lines += [f"-- {n}" for n in step.notes]
    return "\n".join(lines) + "\n" + "\n".join(step.statements) + "\n"


# ---------------------------------------------------------------------------------------------
# The plans.


@dataclass
class _Target:
    table: Table
    column: Column | None
    key: tuple[str, str]


def _parses(sql: str, pg: bool) -> None:
    """Raise unless `sql` is exactly one statement that sqlglot reads without error."""
    import sqlglot

    trees = sqlglot.parse(sql, read="postgres" if pg else "mysql", error_level=sqlglot.ErrorLevel.RAISE)
    if len(trees) != 1 or trees[0] is None:
        raise ValueError(sql)


class _Planner:
    def __init__(self, cat: Catalog, dialect: str, db_version: str | None, backfill: str | None) -> None:
        self.cat, self.dialect, self.db_version, self.backfill = cat, dialect, db_version, backfill
        self.pg = dialect == "postgres"
        self.inherent: list[str] = []
        self.default: str | None = None  # add-not-null-column: the database default to give the column

    # -- names ----------------------------------------------------------------------------------
    def q(self, name: str) -> str:
        """An identifier as it must be written to mean the catalog's name."""
        if _SIMPLE.match(name) and (not self.pg or name == name.lower()):
            return name
        if self.pg:
            return '"' + name.replace('"', '""') + '"'
        return "`" + name.replace("`", "``") + "`"

    def tname(self, t: Table) -> str:
        qualified = t.schema != self.cat.default_schema
        return (self.q(t.schema) + "." if qualified else "") + self.q(t.name)

    def find(self, dotted: str, *, need_column: bool = True) -> _Target:
        parts = dotted.split(".")
        if need_column and len(parts) not in (2, 3) or not need_column and len(parts) not in (1, 2):
            form = "TABLE.COLUMN or SCHEMA.TABLE.COLUMN" if need_column else "TABLE or SCHEMA.TABLE"
            raise PlanError(f"'{dotted}' is not {form}")
        col_name = parts.pop() if need_column else None
        schema = self.cat.ident(parts[0]) if len(parts) == 2 else None
        name = self.cat.ident(parts[-1])
        candidates = [k for k in self.cat.tables if k[1] == name and (schema is None or k[0] == schema)]
        if schema is None and (self.cat.default_schema, name) in self.cat.tables:
            candidates = [(self.cat.default_schema, name)]
        shown = ".".join(parts)
        if not candidates:
            raise PlanError(f"table {shown} does not exist in the migrations' schema (after replaying every migration)")
        if len(candidates) > 1:
            raise PlanError(f"table {shown} exists in several schemas ({', '.join(k[0] for k in candidates)}): "
                            "qualify it as SCHEMA.TABLE.COLUMN")
        t = self.cat.tables[candidates[0]]
        if col_name is None:
            return _Target(t, None, candidates[0])
        col = t.columns.get(self.cat.col_key(col_name))
        if col is None:
            if not t.complete:
                raise PlanError(f"flylint does not know the columns of {shown} (created outside the migrations, or "
                                "by a statement it could not analyse), so it cannot plan a change of it")
            raise PlanError(f"column {col_name} does not exist in table {shown} (its columns: "
                            f"{', '.join(c.name for c in t.columns.values())})")
        return _Target(t, col, candidates[0])

    def free_column(self, target: _Target, name: str) -> None:
        if self.cat.col_key(name) in target.table.columns:
            raise PlanError(f"column {name} already exists in table {target.table.name}")

    def cname(self, *parts: str) -> str:
        """A constraint or index name made of parts, within PostgreSQL's 63 bytes."""
        name = "_".join(parts)
        return name[:63] if self.pg else name[:64]

    # -- statement pieces -----------------------------------------------------------------------
    def alter(self, t: Table, action: str, kind: str | None = None, **detail) -> str:
        """ALTER TABLE t action; on MySQL/MariaDB with the strongest ALGORITHM/LOCK the server accepts."""
        clause = self.my_clause(kind, **detail) if kind and not self.pg else ""
        statement = f"ALTER TABLE {self.tname(t)} {action}{clause};"
        # MySQL/MariaDB wait a year for a metadata lock by default: give up after 5 s instead
        return statement if self.pg else f"{_LOCK_WAIT_TIMEOUT}\n{statement}"

    def my_clause(self, kind: str, **detail) -> str:
        from flylint.dbfacts import cost

        for algorithm, lock in (("INSTANT", None), ("INPLACE", "NONE")):
            try:
                c = cost(self.dialect, kind, self.db_version, algorithm=algorithm, lock=lock, **detail)
            except (TypeError, ValueError):
                return ""
            if c is not None and not c.refused:
                return f", ALGORITHM={algorithm}" + (f", LOCK={lock}" if lock else "")
        return ""

    def coldef(self, name: str, col: Column, *, nullable: bool, type_text: str | None = None) -> str:
        """A MySQL column definition for MODIFY/CHANGE (which restate the whole column)."""
        d = f" DEFAULT {col.default}" if col.default is not None else ""
        return f"{self.q(name)} {type_text or col.type}{'' if nullable else ' NOT NULL'}{' NULL' if nullable else ''}{d}"

    def restated(self) -> str:
        return ("MODIFY restates the whole column: add its CHARACTER SET, COLLATE and COMMENT here if it has "
                "any (flylint only knows its type, nullability and default).")

    def tighten_pg(self, t: Table, col_name: str, default: str | None, *, before: str, after: str,
                   slug: str) -> list[Step]:
        """CHECK (col IS NOT NULL) NOT VALID, VALIDATE, then SET NOT NULL without a scan (PostgreSQL 12+)."""
        tn, c = self.tname(t), self.q(col_name)
        check = self.q(self.cname(t.name, col_name, "not_null"))
        first = [_LOCK_TIMEOUT]
        if default is not None:
            first.append(f"ALTER TABLE {tn} ALTER COLUMN {c} SET DEFAULT {default};")
        first.append(f"ALTER TABLE {tn} ADD CONSTRAINT {check} CHECK ({c} IS NOT NULL) NOT VALID;")
        old_pg = self.db_version is not None and int(self.db_version.split(".")[0]) < 12
        return [
            Step(f"check_{slug}_not_null", "contract", before,
                 f"nothing to deploy; new rows with NULL in {col_name} are refused from now on.", tuple(first),
                 ("NOT VALID: existing rows are not checked yet, so this takes its lock only for a moment.",)),
            Step(f"validate_{slug}_not_null", "contract", "the previous step ran.",
                 "nothing to deploy.", (f"ALTER TABLE {tn} VALIDATE CONSTRAINT {check};",),
                 ("VALIDATE scans the table without blocking reads or writes (SHARE UPDATE EXCLUSIVE). It fails "
                  f"if a row still has NULL: SELECT count(*) FROM {tn} WHERE {c} IS NULL; must be 0.",)),
            Step(f"set_{slug}_not_null", "contract", "the previous step ran.", after,
                 (_LOCK_TIMEOUT, f"ALTER TABLE {tn} ALTER COLUMN {c} SET NOT NULL;",
                  f"ALTER TABLE {tn} DROP CONSTRAINT {check};"),
                 ("The validated CHECK proves the column has no NULL, so SET NOT NULL does not scan the table"
                  + (" (from PostgreSQL 12 on: your --db-version scans anyway)." if old_pg else " (PostgreSQL 12+)."),)),
        ]

    # -- rename-column --------------------------------------------------------------------------
    def rename_column(self, dotted: str, new: str) -> tuple[str, list[Step]]:
        target = self.find(dotted)
        t, col = target.table, target.column
        if not new:
            raise PlanError("the new column name is empty")
        if not _SIMPLE.match(new):
            raise PlanError(f"'{new}' is not a plain column name (letters, digits and _, not starting with a digit)")
        self.free_column(target, new)
        if self.pg:
            new = self.cat.ident(new)
        tn, old, nw = self.tname(t), self.q(col.name), self.q(new)
        title = f"rename {t.name}.{col.name} to {new} by expand/contract"
        steps: list[Step] = []
        live = "version N (live now, uses only " + col.name + ")"
        both = (f"N+1, which writes both {col.name} and {new} and reads {new}, falling back to {col.name} "
                f"when {new} is NULL")
        if self.pg:
            add = (_LOCK_TIMEOUT, f"ALTER TABLE {tn} ADD COLUMN {nw} {col.type};")
        else:
            add = (self.alter(t, f"ADD COLUMN {nw} {col.type}", "add-column"),)
        steps.append(Step(f"add_{new}", "expand", f"{live} may be running.", f"deploy {both}.", add,
                          (f"{new} is nullable and without a default for now, so version N keeps inserting rows.",)))
        steps.append(Step(
            f"backfill_{new}", "migrate", f"every running instance is {both.split(',')[0]} (so no new row misses {new}).",
            f"nothing to deploy; {new} is complete.",
            (f"UPDATE {tn} SET {nw} = {old} WHERE {nw} IS NULL;",),
            (f"On a big table run this in batches instead (e.g. {self.batch_hint(t, f'{nw} = {old}', f'{nw} IS NULL')}), "
             "each its own migration or from a job, so no long transaction holds the rows; flylint warns about "
             "the single UPDATE (unbatched-backfill).",)))
        self.inherent.append("unbatched-backfill")
        if not col.nullable:
            if self.pg:
                steps += self.tighten_pg(t, new, col.default, before="the backfill ran; only N+1 is running.",
                                         after="nothing to deploy.", slug=new)
            else:
                steps.append(Step(f"make_{new}_not_null", "contract", "the backfill ran; only N+1 is running.",
                                  "nothing to deploy.",
                                  (self.alter(t, f"MODIFY {self.coldef(new, col, nullable=False)}", "set-not-null"),),
                                  (self.restated(),
                                   "MySQL/MariaDB rebuild the table for this (online: reads and writes go on); "
                                   "flylint warns about it (set-not-null).")))
                self.inherent.append("set-not-null")
            relax = (_LOCK_TIMEOUT, f"ALTER TABLE {tn} ALTER COLUMN {old} DROP NOT NULL;") if self.pg else (
                self.alter(t, f"MODIFY {self.coldef(col.name, col, nullable=True)}", "drop-not-null"),)
            steps.append(Step(f"relax_{col.name}", "relax", "only N+1 is running.",
                              f"deploy N+2, which reads and writes only {new} and never {col.name}.", relax,
                              (f"{col.name} becomes nullable so that N+2, which no longer writes it, can insert rows.",)))
            contract_before = f"every running instance is N+2 (none reads or writes {col.name} any more)."
        else:
            if col.default is not None:
                dflt = (_LOCK_TIMEOUT, f"ALTER TABLE {tn} ALTER COLUMN {nw} SET DEFAULT {col.default};") if self.pg \
                    else (self.alter(t, f"ALTER COLUMN {nw} SET DEFAULT {col.default}"),)
                steps.append(Step(f"default_{new}", "expand", "the backfill ran; only N+1 is running.", "",
                                  dflt, (f"{new} gets {col.name}'s default only now: earlier, version N's inserts "
                                         f"would have got it instead of NULL and the backfill would have missed them.",)))
            steps[-1] = Step(steps[-1].slug, steps[-1].phase, steps[-1].before,
                             f"deploy N+2, which reads and writes only {new} and never {col.name}.",
                             steps[-1].statements, steps[-1].notes)
            contract_before = f"every running instance is N+2 (none reads or writes {col.name} any more)."
        drop = (_LOCK_TIMEOUT, f"ALTER TABLE {tn} DROP COLUMN {old};") if self.pg else (
            self.alter(t, f"DROP COLUMN {old}", "drop-column"),)
        reason = f"flylint plan: contract step, only after every running version stopped using {t.name}.{col.name}"
        drop = _suppress_last(drop, f"-- flylint: ignore[drop-column] {reason}")
        notes = [f"The data of {col.name} is gone after this: take a backup first if you may need it.",
                 "flylint recognises this step as the contract step of the rename, but the migrations alone cannot "
                 "show that the code stopped using the column: the suppression above records that this plan ships "
                 "it after N+2 (check with --app-source)."]
        notes += self.index_notes(t, col, new)
        steps.append(Step(f"drop_{col.name}", "contract", contract_before, "nothing; the rename is complete.", drop,
                          tuple(notes)))
        return title, steps

    def index_notes(self, t: Table, col: Column, new: str) -> list[str]:
        ck = self.cat.col_key(col.name)
        used = [c.name for c in t.constraints.values() if ck in c.columns]
        used += [self.cat.indexes[k].name for k in self.cat.indexes_on((t.schema, t.name)) if ck in self.cat.indexes[k].columns]
        if not used:
            return []
        return [f"Dropping {col.name} drops {', '.join(sorted(set(used)))} with it: create the equivalent on {new} "
                "before this step (indexes CONCURRENTLY on PostgreSQL)."]

    def batch_hint(self, t: Table, assignment: str, where: str) -> str:
        pk = [c for c in t.constraints.values() if c.kind == "primary-key"]
        key = self.q(t.columns[pk[0].columns[0]].name) if pk and len(pk[0].columns) == 1 and pk[0].columns[0] in t.columns else None
        tn = self.tname(t)
        if self.pg and key:
            return (f"UPDATE {tn} SET {assignment} WHERE {key} IN (SELECT {key} FROM {tn} WHERE {where} LIMIT 10000); "
                    "repeated until it updates no row")
        if not self.pg:
            return f"UPDATE {tn} SET {assignment} WHERE {where} LIMIT 10000; repeated until it updates no row"
        return f"UPDATE {tn} SET {assignment} WHERE {where} AND <key range>; one range at a time"

    # -- set-not-null ---------------------------------------------------------------------------
    def set_not_null(self, dotted: str) -> tuple[str, list[Step]]:
        target = self.find(dotted)
        t, col = target.table, target.column
        if not col.nullable:
            raise PlanError(f"{t.name}.{col.name} is already NOT NULL")
        tn, c = self.tname(t), self.q(col.name)
        title = f"make {t.name}.{col.name} NOT NULL"
        if self.backfill is not None:
            try:
                _parses(f"SELECT {self.backfill}", self.pg)
            except Exception:
                raise PlanError(f"--backfill {self.backfill}: not a {self.dialect} SQL value or expression") from None
        value = self.backfill if self.backfill is not None else col.default
        live = f"every running instance is N+1, which never writes NULL into {col.name}"
        steps: list[Step] = []
        if value is not None:
            steps.append(Step(f"backfill_{col.name}", "migrate", f"{live}.", "nothing to deploy.",
                              (f"UPDATE {tn} SET {c} = {value} WHERE {c} IS NULL;",),
                              (f"On a big table run this in batches ({self.batch_hint(t, f'{c} = {value}', f'{c} IS NULL')}).",)))
            before = "the backfill ran."
        else:
            before = (f"{live}, and no row has NULL in {col.name} (backfill them first: flylint plan set-not-null "
                      f"{dotted} --backfill VALUE writes that step; without it the plan assumes none).")
        if self.pg:
            steps += self.tighten_pg(t, col.name, None, before=before, after="nothing; the column is NOT NULL.",
                                     slug=col.name)
        else:
            steps.append(Step(f"make_{col.name}_not_null", "contract", before, "nothing; the column is NOT NULL.",
                              (self.alter(t, f"MODIFY {self.coldef(col.name, col, nullable=False)}", "set-not-null"),),
                              (self.restated(), "MySQL/MariaDB rebuild the table for this (online: reads and writes "
                               "go on); flylint warns about it (set-not-null). It fails if a row still has NULL.")))
            self.inherent.append("set-not-null")
        return title, steps

    # -- change-column-type ---------------------------------------------------------------------
    def change_column_type(self, dotted: str, new_type: str) -> tuple[str, list[Step]]:
        import sqlglot
        from sqlglot import exp

        target = self.find(dotted)
        t, col = target.table, target.column
        try:
            _parses(f"SELECT CAST(NULL AS {new_type})", self.pg)  # the whole text, not a prefix of it
            dtype = exp.DataType.build(new_type, dialect="postgres" if self.pg else "mysql")
        except Exception:
            raise PlanError(f"cannot read '{new_type}' as a {self.dialect} column type") from None
        new = type_info(dtype, self.dialect)
        try:
            shown_type = dtype.sql(dialect="postgres" if self.pg else "mysql").lower()
        except sqlglot.errors.SqlglotError:
            shown_type = new_type
        verdict = compare(col.type, new, self.dialect)
        title = f"change {t.name}.{col.name} from {col.type} to {shown_type}"
        tn, c = self.tname(t), self.q(col.name)
        if verdict == "same":
            raise PlanError(f"{t.name}.{col.name} already is {col.type}")
        if verdict == "widen":
            if self.pg:
                stmts = (_LOCK_TIMEOUT, f"ALTER TABLE {tn} ALTER COLUMN {c} TYPE {shown_type};")
            else:
                stmts = (self.alter(t, f"MODIFY {self.coldef(col.name, col, nullable=col.nullable, type_text=shown_type)}",
                                    "change-column-type", verdict="widen", binary_coercible=True),)
            return title, [Step(f"change_{col.name}_type", "expand", "version N (live now) may be running.",
                                "nothing to deploy: every value N writes still fits.", stmts,
                                ("Every old value fits and the change needs no table rewrite.",))]
        if col.identity or col.generated:
            raise PlanError(f"{t.name}.{col.name} is an identity, serial, AUTO_INCREMENT or generated column: flylint "
                            "plan cannot move its sequence or expression to a new column")
        ck = self.cat.col_key(col.name)
        keyed = [c2.name for c2 in t.constraints.values() if ck in c2.columns and c2.kind in ("primary-key", "foreign-key", "unique")]
        if keyed:
            raise PlanError(f"{t.name}.{col.name} is part of {', '.join(keyed)}: flylint plan cannot swap a key column "
                            "(its constraints and the foreign keys that reference it must move too)")
        if not self.pg and verdict == "widen-rewrite":
            self.inherent.append("change-column-type")
            return title, [Step(
                f"change_{col.name}_type", "expand", "version N (live now) may be running.",
                "nothing to deploy: every value N writes still fits.",
                (_LOCK_WAIT_TIMEOUT,
                 f"ALTER TABLE {tn} MODIFY {self.coldef(col.name, col, nullable=col.nullable, type_text=shown_type)}, "
                 "ALGORITHM=COPY, LOCK=SHARED;",),
                (self.restated(),
                 "Every old value fits, but MySQL/MariaDB copy the table for this change and block writes meanwhile "
                 "(LOCK=SHARED says so; reads go on); flylint warns about it (change-column-type).",
                 "On a big table run it with gh-ost or pt-online-schema-change instead of this migration."))]
        if not self.pg:
            raise PlanError(
                f"changing {t.name}.{col.name} from {col.type} to {shown_type} may not keep every value and copies "
                "the table on MySQL/MariaDB: no sequence of migrations makes it safe for the live version. Deploy "
                "code that writes only values that fit first, then use gh-ost or pt-online-schema-change, or keep "
                "the old column and add a new one (flylint plan rename-column shows the steps)")
        tmp = self.cat.ident(f"{col.name}_new")
        self.free_column(target, tmp)
        old_name = self.cat.ident(f"{col.name}_old")
        self.free_column(target, old_name)
        fn = self.q(self.cname(t.name, col.name, "sync"))
        trig = fn
        nt, ot = self.q(tmp), self.q(old_name)
        cast = f"CAST({c} AS {shown_type})"
        narrow = verdict in ("narrow", "change")
        n_before = ("every running instance is N+1, which only writes values of " + c + " that fit " + shown_type
                    if narrow else "version N (live now) may be running")
        steps = [
            Step(f"add_{tmp}", "expand", f"{n_before}.", "nothing to deploy.",
                 (_LOCK_TIMEOUT, f"ALTER TABLE {tn} ADD COLUMN {nt} {shown_type};"),
                 (f"{tmp} takes the new type; the application never uses this name.",)
                 + ((f"{col.type} -> {shown_type} may not fit every value: deploy N+1 first, and check "
                     f"SELECT count(*) FROM {tn} WHERE {c} IS NOT NULL AND {cast} IS NULL; stays 0.",) if narrow else ())),
            Step(f"sync_{tmp}", "expand", "the previous step ran.", "nothing to deploy.",
                 (_LOCK_TIMEOUT, f"CREATE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
                  f"  NEW.{nt} := CAST(NEW.{c} AS {shown_type});\n  RETURN NEW;\nEND;\n$$;",
                  f"CREATE TRIGGER {trig} BEFORE INSERT OR UPDATE ON {tn} FOR EACH ROW EXECUTE FUNCTION {fn}();"),
                 (f"From now on every row written gets {tmp} = {col.name}, whatever version writes it.",)),
            Step(f"backfill_{tmp}", "migrate", "the trigger exists.", "nothing to deploy.",
                 (f"UPDATE {tn} SET {nt} = {cast} WHERE {nt} IS NULL AND {c} IS NOT NULL;",),
                 (f"On a big table run this in batches ({self.batch_hint(t, f'{nt} = {cast}', f'{nt} IS NULL AND {c} IS NOT NULL')}).",)),
        ]
        swap = [_LOCK_TIMEOUT, f"DROP TRIGGER {trig} ON {tn};"]
        if col.default is not None:
            swap.append(f"ALTER TABLE {tn} ALTER COLUMN {nt} SET DEFAULT {col.default};")
        if not col.nullable:
            steps += self.tighten_pg(t, tmp, None, before="the backfill ran.", after="nothing to deploy.", slug=tmp)[:2]
            check = self.q(self.cname(t.name, tmp, "not_null"))
            swap += [f"ALTER TABLE {tn} ALTER COLUMN {c} DROP NOT NULL;"]
        swap += [f"ALTER TABLE {tn} RENAME COLUMN {c} TO {ot};", f"ALTER TABLE {tn} RENAME COLUMN {nt} TO {c};"]
        if not col.nullable:
            swap += [f"ALTER TABLE {tn} ALTER COLUMN {c} SET NOT NULL;", f"ALTER TABLE {tn} DROP CONSTRAINT {check};"]
        steps.append(Step(f"swap_{col.name}", "migrate" if col.nullable else "contract",
                          "the previous steps ran; every running version can read " + col.name + f" as {shown_type}.",
                          f"nothing to deploy: {col.name} keeps its name and now is {shown_type}.", tuple(swap),
                          ("One short transaction: the trigger goes, the old column steps aside as "
                           f"{old_name} (nullable, so inserts that no longer fill it work) and {tmp} takes the name "
                           f"{col.name}.",
                           f"From here the live version reads {col.name} as {shown_type}: if its ORM validates or maps "
                           f"column types strictly, deploy a version that maps {col.name} as {shown_type} first.")
                          + tuple(self.index_notes(t, col, tmp))))
        steps.append(Step(f"drop_{old_name}", "contract", f"the swap ran and the application works with {shown_type} "
                          "(keep this step for later if you want a way back).", "nothing; the change is complete.",
                          (f"DROP FUNCTION {fn}();", _LOCK_TIMEOUT,
                           f"-- flylint: ignore[drop-column] flylint plan: no application version uses {old_name}",
                           f"ALTER TABLE {tn} DROP COLUMN {ot};"),
                          (f"No application version uses {old_name}; dropping it loses the old values.",)))
        return title, steps

    # -- add-foreign-key ------------------------------------------------------------------------
    def add_foreign_key(self, dotted: str, referenced: str) -> tuple[str, list[Step]]:
        target = self.find(dotted)
        ref = self.find(referenced)
        t, col, rt, rc = target.table, target.column, ref.table, ref.column
        rk = self.cat.col_key(rc.name)
        if ref.table.constraints_known and not any(
                c.kind in ("primary-key", "unique") and c.columns == (rk,) for c in rt.constraints.values()) and not any(
                i.unique and i.columns == (rk,) for i in (self.cat.indexes[k] for k in self.cat.indexes_on(ref.key))):
            raise PlanError(f"{rt.name}.{rc.name} has no primary key or unique constraint of its own: the database "
                            "refuses a foreign key to it")
        tn, c = self.tname(t), self.q(col.name)
        name = self.cname(t.name, col.name, "fkey")
        fk = f"FOREIGN KEY ({c}) REFERENCES {self.tname(rt)} ({self.q(rc.name)})"
        title = f"add a foreign key from {t.name}.{col.name} to {rt.name}.{rc.name}"
        orphans = (f"SELECT count(*) FROM {tn} x LEFT JOIN {self.tname(rt)} r ON r.{self.q(rc.name)} = x.{c} "
                   f"WHERE x.{c} IS NOT NULL AND r.{self.q(rc.name)} IS NULL; must be 0")
        live = (f"every running instance is N+1, which never writes a {col.name} missing from {rt.name} (nor deletes "
                f"a {rt.name} row still referenced)")
        ck = self.cat.col_key(col.name)
        for have in t.constraints.values():
            if have.kind == "foreign-key" and have.columns == (ck,) and have.references and \
                    have.references.split(".")[-1].strip('"`').lower() == rt.name.lower():
                raise PlanError(f"{t.name}.{col.name} already has a foreign key to {rt.name}: {have.name}")
        indexed = any(self.cat.indexes[k].columns[:1] == (ck,) for k in self.cat.indexes_on(target.key)) or any(
            c2.columns[:1] == (ck,) and c2.kind in ("primary-key", "unique") for c2 in t.constraints.values())
        steps: list[Step] = []
        idx = self.cname(t.name, col.name, "idx")
        if not indexed:
            if self.pg:
                steps.append(Step(f"index_{t.name}_{col.name}", "expand", "version N (live now) may be running.",
                                  "nothing to deploy.",
                                  (f"CREATE INDEX CONCURRENTLY {self.q(idx)} ON {tn} ({c});",),
                                  ("CONCURRENTLY does not block writes; it must run outside a transaction, hence the "
                                   ".sql.conf next to this file. If it fails, DROP INDEX CONCURRENTLY the INVALID "
                                   "index it leaves before running it again.",
                                   f"Without this index every delete or key update on {rt.name} scans {t.name}."),
                                  no_transaction=True))
            else:
                steps.append(Step(f"index_{t.name}_{col.name}", "expand", "version N (live now) may be running.",
                                  "nothing to deploy.",
                                  (self.alter(t, f"ADD INDEX {self.q(idx)} ({c})", "create-index"),),
                                  ("The foreign key needs an index on the column; built online.",)))
        if self.pg:
            steps.append(Step(f"add_{name}", "contract", f"{live}.", "nothing to deploy.",
                              (_LOCK_TIMEOUT, f"ALTER TABLE {tn} ADD CONSTRAINT {self.q(name)} {fk} NOT VALID;"),
                              ("NOT VALID: existing rows are not checked, so the lock on both tables is brief; new "
                               "writes are checked from now on.",)))
            steps.append(Step(f"validate_{name}", "contract", "the previous step ran.", "nothing; the key is in place.",
                              (f"ALTER TABLE {tn} VALIDATE CONSTRAINT {self.q(name)};",),
                              ("VALIDATE checks the existing rows without blocking writes. It fails on orphans: "
                               f"{orphans}.",)))
        else:
            steps.append(Step(f"add_{name}", "contract", f"{live}, and no orphan row exists ({orphans}).",
                              "nothing; the key is in place.",
                              ("SET foreign_key_checks = 0;",
                               self.alter(t, f"ADD CONSTRAINT {self.q(name)} {fk}", "add-foreign-key",
                                          foreign_key_checks=False),
                              "SET foreign_key_checks = 1;"),
                              ("With foreign_key_checks = 0 the server adds the key without checking existing rows "
                               "(in place, no table copy), so check for orphans yourself first: this is "
                               "MySQL's counterpart of PostgreSQL's NOT VALID.",)))
        return title, steps

    # -- rename-table ---------------------------------------------------------------------------
    def rename_table(self, dotted: str, new: str) -> tuple[str, list[Step]]:
        target = self.find(dotted, need_column=False)
        t = target.table
        new = self.cat.ident(new) if self.pg else new
        if not new.strip():
            raise PlanError("the new table name is empty")
        if self.cat.relation_exists((t.schema, new)):
            raise PlanError(f"{new} already exists")
        old_q = self.tname(t)
        new_q = (self.q(t.schema) + "." if t.schema != self.cat.default_schema else "") + self.q(new)
        title = f"rename table {t.name} to {new}, keeping {t.name} as a view until no version uses it"
        stmts = ((_LOCK_TIMEOUT,) if self.pg else (_LOCK_WAIT_TIMEOUT,)) + (
            f"ALTER TABLE {old_q} RENAME TO {new_q};" if self.pg else f"RENAME TABLE {old_q} TO {new_q};",
            f"CREATE VIEW {old_q} AS SELECT * FROM {new_q};")
        notes = ("The view keeps the old name working for version N: a simple view over one table is updatable, "
                 "so its INSERT, UPDATE and DELETE go through to the table.",)
        if not self.pg:
            notes += ("MySQL commits each DDL statement: if the CREATE VIEW fails, the table is already renamed; "
                      "rerun only the CREATE VIEW (flyway repair first). Between the two statements the old name "
                      "is missing for a moment; flylint warns about the two DDL statements (mysql-multiple-ddl), "
                      "but splitting them would make that gap as long as the time between two migrations.",
                      "SELECT * in a view is expanded when it is created: columns added to the table later do not "
                      "show in the view (the version that uses them uses the new name anyway).")
        steps = [
            Step(f"rename_{t.name}_to_{new}", "migrate", "version N (live now, uses the name " + t.name + ") may be running.",
                 f"deploy N+1, which uses only the name {new}.", stmts, notes),
            Step(f"drop_view_{t.name}", "contract", f"every running instance is N+1 (none uses the name {t.name}).",
                 "nothing; the rename is complete.",
                 (f"-- flylint: ignore[drop-object] flylint plan: the compatibility view of the rename to {new}, "
                  "unused once every running version is N+1",
                  f"DROP VIEW {old_q};"),
                 ("flylint cannot see from the migrations that the code stopped using the old name: the "
                  "suppression above records that this plan ships it after N+1 (check with --app-source).",)),
        ]
        if not self.pg:
            self.inherent.append("mysql-multiple-ddl")
        return title, steps

    # -- add-not-null-column --------------------------------------------------------------------
    def add_not_null_column(self, dotted: str, type_text: str) -> tuple[str, list[Step]]:
        from sqlglot import exp

        table_part, _, name = dotted.rpartition(".")
        if not table_part or not name:
            raise PlanError(f"'{dotted}' is not TABLE.COLUMN or SCHEMA.TABLE.COLUMN")
        target = self.find(table_part, need_column=False)
        t = target.table
        name = self.cat.ident(name) if self.pg else name
        self.free_column(target, name)
        try:
            exp.DataType.build(type_text, dialect="postgres" if self.pg else "mysql")
        except Exception:
            raise PlanError(f"cannot read '{type_text}' as a {self.dialect} column type") from None
        tn, c = self.tname(t), self.q(name)
        title = f"add {t.name}.{name} {type_text} NOT NULL"
        default = self.default
        if default is not None:
            stmt = (_LOCK_TIMEOUT, f"ALTER TABLE {tn} ADD COLUMN {c} {type_text} NOT NULL DEFAULT {default};") \
                if self.pg else (self.alter(t, f"ADD COLUMN {c} {type_text} NOT NULL DEFAULT {default}", "add-column",
                                            not_null=True, has_default=True),)
            return title, [Step(f"add_{name}", "expand", "version N (live now) may be running.",
                                f"deploy the version that uses {name}.", stmt,
                                (f"Version N's inserts leave {name} out and get the default; existing rows get it "
                                 "too, without a table rewrite (PostgreSQL 11+, MySQL 8.0.12+, MariaDB 10.3+) as long "
                                 "as the default is a constant.",))]
        if self.backfill is None:
            raise PlanError(f"say what {name} holds: --default VALUE (a database default, one migration) or "
                            "--backfill VALUE (the value for existing rows; the column gets no default)")
        add = (_LOCK_TIMEOUT, f"ALTER TABLE {tn} ADD COLUMN {c} {type_text};") if self.pg else (
            self.alter(t, f"ADD COLUMN {c} {type_text}", "add-column"),)
        steps = [
            Step(f"add_{name}", "expand", "version N (live now) may be running.",
                 f"deploy N+1, which writes {name} in every INSERT.", add,
                 (f"Nullable for now: version N's inserts leave {name} out.",)),
            Step(f"backfill_{name}", "migrate", f"every running instance is N+1 (no new row misses {name}).",
                 "nothing to deploy.", (f"UPDATE {tn} SET {c} = {self.backfill} WHERE {c} IS NULL;",),
                 (f"On a big table run this in batches ({self.batch_hint(t, f'{c} = {self.backfill}', f'{c} IS NULL')}); "
                  "flylint warns about the single UPDATE (unbatched-backfill).",)),
        ]
        self.inherent.append("unbatched-backfill")
        if self.pg:
            steps += self.tighten_pg(t, name, None, before="the backfill ran.", after="nothing; the column is NOT NULL.",
                                     slug=name)
        else:
            from flylint.catalog.model import Column as _Col

            col = _Col(name, type_info(exp.DataType.build(type_text, dialect="mysql"), self.dialect))
            steps.append(Step(f"make_{name}_not_null", "contract", "the backfill ran.", "nothing; the column is NOT NULL.",
                              (self.alter(t, f"MODIFY {self.coldef(name, col, nullable=False, type_text=type_text)}",
                                          "set-not-null"),),
                              ("MySQL/MariaDB rebuild the table for this (online: reads and writes go on); flylint "
                               "warns about it (set-not-null).",)))
            self.inherent.append("set-not-null")
        return title, steps

    # -- drop-column ----------------------------------------------------------------------------
    def drop_column(self, dotted: str) -> tuple[str, list[Step]]:
        target = self.find(dotted)
        t, col = target.table, target.column
        tn, c = self.tname(t), self.q(col.name)
        title = f"drop {t.name}.{col.name}"
        steps: list[Step] = []
        after = f"deploy N+1, which neither reads nor writes {col.name}."
        if not col.nullable and col.default is None and not col.identity:
            relax = (_LOCK_TIMEOUT, f"ALTER TABLE {tn} ALTER COLUMN {c} DROP NOT NULL;") if self.pg else (
                self.alter(t, f"MODIFY {self.coldef(col.name, col, nullable=True)}", "drop-not-null"),)
            steps.append(Step(f"relax_{col.name}", "relax", "version N (live now) may be running.", after, relax,
                              (f"{col.name} becomes nullable so that N+1, which no longer writes it, can insert rows.",)))
        else:
            steps.append(None)  # type: ignore[arg-type]
        drop = (_LOCK_TIMEOUT, f"ALTER TABLE {tn} DROP COLUMN {c};") if self.pg else (
            self.alter(t, f"DROP COLUMN {c}", "drop-column"),)
        reason = f"flylint plan: only after every running version stopped using {t.name}.{col.name}"
        steps.append(Step(f"drop_{col.name}", "contract",
                          f"every running instance is N+1 (none reads or writes {col.name}).",
                          "nothing; the column is gone.",
                          _suppress_last(drop, f"-- flylint: ignore[drop-column] {reason}"),
                          (f"The data of {col.name} is gone after this: take a backup first if you may need it.",
                           "flylint cannot see from the migrations that the code stopped using the column: the "
                           "suppression above records that this plan ships it after N+1 (check with --app-source).")
                          + tuple(self.index_notes(t, col, "another column"))))
        if steps[0] is None:
            steps = [Step(s.slug, s.phase, "version N (live now) may be running; first " + after, s.after,
                          s.statements, s.notes) for s in steps[1:]]
        return title, steps


# ---------------------------------------------------------------------------------------------
# Project: naming, numbering, where to write.


def next_versions(result) -> Callable[[int], str]:
    """Version numbers after the project's highest one: its first part plus one, two, ..."""
    highest = max((fa.migration.version for fa in result.files
                   if fa.migration.version is not None and fa.migration.kind in ("V", "B")), default=None)
    base = highest.parts[0] if highest is not None else 0
    return lambda i: str(base + 1 + i)


def write_plan(plan: Plan, folder: Path) -> list[Path]:
    """Write the plan's files into `folder`; refuses to overwrite anything (PlanError)."""
    written = []
    targets = [(folder / f.name, f.text) for f in plan.files] + [
        (folder / (f.name + ".conf"), f.conf) for f in plan.files if f.conf is not None]
    for path, _ in targets:
        if path.exists():
            raise PlanError(f"{path} already exists: nothing written")
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in targets:
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


@dataclass
class PlanOptions:
    intent: str
    args: tuple[str, ...]
    lint: object  # flylint.engine.Options
    write: bool = False
    backfill: str | None = None
    default: str | None = None


def run_plan(opts: PlanOptions, out) -> list[Path]:
    """Discover and replay the project, make the plan, print it or write it. Raises PlanError or
    flylint.engine.UsageError for the command line to turn into exit code 2."""
    import os

    from flylint.engine import run
    from flylint.flyway.config import load_flyway_config
    from flylint.flyway.discovery import parse_location

    if opts.intent not in INTENTS:
        raise PlanError(f"unknown intent '{opts.intent}' (choose from {', '.join(INTENTS)})")
    lint = opts.lint
    result = run(lint)
    if not result.files:
        raise PlanError("no Flyway migrations found: flylint plan needs the project's history to know the schema")
    cfg = load_flyway_config(lint.cwd, lint.flyway_config, os.environ)
    plan = make_plan(opts.intent, opts.args, result, naming=cfg.naming, next_version=next_versions(result),
                     backfill=opts.backfill, default=opts.default)
    folder = None
    for p in lint.paths:
        if p.is_dir():
            folder = p
            break
    if folder is None:
        folder = parse_location(cfg.locations[0], lint.cwd).root
    if opts.write:
        written = write_plan(plan, folder)
        for path in written:
            out.write(f"wrote {_shown(path, lint.cwd)}\n")
        _say_inherent(plan, out)
        return written
    for f in plan.files:
        out.write(f"==> {_shown(folder / f.name, lint.cwd)} <==\n{f.text}\n")
        if f.conf is not None:
            out.write(f"==> {_shown(folder / (f.name + '.conf'), lint.cwd)} <==\n{f.conf}\n")
    _say_inherent(plan, out)
    return []


def _say_inherent(plan: Plan, out) -> None:
    if plan.warnings:
        out.write(f"flylint lint will warn about: {', '.join(sorted(set(plan.warnings)))} (inherent to this plan, "
                  "explained in the files).\n")


def _shown(path: Path, cwd: Path) -> str:
    from flylint.text import display_path

    return display_path(path, cwd)


def lint_options(cwd: Path, paths, dialect, db_version, config_file, flyway_config, no_cache):
    """The project as `flylint lint` sees it with the same options (flylint.engine.Options)."""
    from flylint.engine import Options
    from flylint.settings import SettingsError, load_settings

    try:
        settings = load_settings(cwd, config_file)
    except SettingsError as e:
        raise PlanError(str(e)) from None
    base = settings.source.parent if settings.source else cwd
    paths = tuple(paths)
    if not paths and settings.paths:
        paths = tuple(base / p for p in settings.paths)
    fw = flyway_config or (base / settings.flyway_config if settings.flyway_config else None)
    if fw is not None and not fw.is_file():
        raise PlanError(f"Flyway configuration file not found: {fw}")
    return Options(cwd=cwd, paths=tuple(cwd / p if not p.is_absolute() else p for p in paths),
                   dialect=dialect or settings.dialect, db_version=db_version or settings.db_version,
                   flyway_config=fw, cache=settings.cache and not no_cache)
