"""Flyway hygiene: what Flyway would refuse, skip silently or fail on, reported before Flyway does."""

from __future__ import annotations

from flylint.flyway import facts as F
from flylint.model import Span
from flylint.rules import Example, rule

_V1 = "CREATE TABLE users (id int PRIMARY KEY);\n"


def _of(ctx, kind):
    return [f for f in ctx.facts if isinstance(f, kind)]


@rule(
    id="flyway-skipped-name",
    title="File name Flyway silently skips",
    severity="error",
    klass="flyway",
    rationale=(
        "Flyway only runs files named <prefix><version>__<description>.sql (V, U, B) or "
        "R__<description>.sql. Any other .sql file in a location is skipped with nothing more than "
        "an INFO log line (unless validateMigrationNaming is on), so a migration with a one-character "
        "typo in its name never runs, and nobody notices until the code that needs it is deployed."
    ),
    fix="Rename the file to Flyway's pattern, e.g. V2__add_surname.sql (two underscores).",
    examples=(
        Example({"V1__init.sql": _V1, "V2_add_surname.sql": "ALTER TABLE users ADD surname text;\n"}, True,
                title="one underscore instead of two"),
        Example({"V1__init.sql": _V1, "v2__add_surname.sql": "ALTER TABLE users ADD surname text;\n"}, True,
                title="lower-case prefix"),
        Example({"V1__init.sql": _V1, "V2__add_surname.sql": "ALTER TABLE users ADD surname text;\n"}, False),
    ),
)
def skipped_name(rule, ctx):
    for f in _of(ctx, F.SkippedName):
        name = f.path.name
        fix = f"Rename it to {f.suggestion}." if f.suggestion else rule.fix
        yield rule.finding(
            ctx.display(f.path),
            Span.file_level(),
            f"Flyway skips '{name}' without running it: {f.reason}.",
            fix=fix,
            object=name,
        )


@rule(
    id="flyway-reserved-version",
    title="Version is a Flyway keyword",
    severity="error",
    klass="flyway",
    rationale=(
        "Flyway reads the versions 'latest', 'current' and 'next' as markers, not as numbers, so a "
        "file such as Vlatest__x.sql passes name validation but sorts and targets unpredictably."
    ),
    fix="Give the migration a numeric version above the current highest one.",
    examples=(
        Example({"V1__init.sql": _V1, "Vlatest__x.sql": "SELECT 1;\n"}, True),
        Example({"V1__init.sql": _V1, "V2__x.sql": "SELECT 1;\n"}, False),
    ),
)
def reserved_version(rule, ctx):
    for f in _of(ctx, F.ReservedVersion):
        yield rule.finding(
            ctx.display(f.path),
            Span.file_level(),
            f"'{f.path.name}' uses the Flyway keyword '{f.word}' as its version.",
            fix=rule.fix,
            object=f.path.name,
        )


@rule(
    id="flyway-unusual-version",
    title="Version with a sign or non-ASCII digits",
    severity="warning",
    klass="flyway",
    rationale=(
        "Flyway reads each part of a version with Java's BigInteger, which also accepts a leading "
        "+ or - and non-ASCII digits. So V+1__x.sql runs as version 1 (and clashes with V1__x.sql), "
        "V-1__x.sql runs as version -1, before every other migration, and flyway_schema_history "
        "stores the text as written ('+1'). Other tools, and the people reading the folder, sort "
        "such names differently than Flyway does."
    ),
    fix="Rename the file with a plain version made of ASCII digits separated by '.' or '_'.",
    examples=(
        Example({"V1__init.sql": _V1, "V+2__x.sql": "SELECT 1;\n"}, True, title="a plus sign"),
        Example({"V1__init.sql": _V1, "V2__x.sql": "SELECT 1;\n"}, False),
    ),
)
def unusual_version(rule, ctx):
    for f in _of(ctx, F.UnusualVersion):
        number = ".".join(str(p) for p in f.version.parts)
        where = "before every migration with a positive version" if f.version.parts[0] < 0 else (
            f"exactly like V{number}")
        top = max((fa.migration.version.parts[0] for fa in ctx.files if fa.migration.version is not None), default=0)
        renamed = f.path.name.replace(f.text, str(max(top, 0) + 1), 1)
        yield rule.finding(
            ctx.display(f.path),
            Span.file_level(),
            f"Flyway runs '{f.path.name}' as version {number} ({where}) and records it as "
            f"'{f.version.text}' in flyway_schema_history.",
            fix=f"Rename it with a plain version: {renamed} if it is new, or the plain version matching its "
            "place in the history.",
            object=f.path.name,
        )


@rule(
    id="flyway-version-too-long",
    title="Version longer than flyway_schema_history can store",
    severity="error",
    klass="flyway",
    rationale=(
        "flyway_schema_history.version is VARCHAR(50) on PostgreSQL and MySQL. Flyway runs the "
        "migration and then fails to record it: on PostgreSQL the insert fails and the migration's "
        "transaction is rolled back; on MySQL in strict mode the insert fails after the DDL was "
        "already committed, leaving the schema changed but the migration not recorded (and without "
        "strict mode the version is silently cut to 50 characters)."
    ),
    fix="Use a version of at most 50 characters (Flyway stores it with '_' replaced by '.').",
    examples=(
        Example({"V1__init.sql": _V1, "V2." + "0" * 60 + "1__x.sql": "SELECT 1;\n"}, True),
        Example({"V1__init.sql": _V1, "V20261121080000__x.sql": "SELECT 1;\n"}, False,
                title="a timestamp version"),
    ),
)
def version_too_long(rule, ctx):
    for f in _of(ctx, F.VersionTooLong):
        yield rule.finding(
            ctx.display(f.path),
            Span.file_level(),
            f"The version of '{f.path.name}' is {len(f.text)} characters long; flyway_schema_history.version "
            "holds 50, so Flyway cannot record the migration after running it.",
            fix=rule.fix,
            object=f.text,
        )


def _path_label(ctx, paths):
    """How to name each of these files: by file name, or by path when two share a name (the same
    name in two folders: show where)."""
    return (lambda p: p.name) if len({p.name for p in paths}) == len(paths) else ctx.display


@rule(
    id="flyway-duplicate-version",
    title="Two migrations with the same version",
    severity="error",
    klass="flyway",
    rationale=(
        "Flyway compares versions numerically (1.1 == 1.01 == 1_1 == 1.1.0) and refuses to migrate "
        "when two files share a version: \"Found more than one migration with version ...\". This "
        "usually happens when two branches each add the next number."
    ),
    fix="Renumber the newer migration above the highest existing version.",
    examples=(
        Example({"V1__init.sql": _V1, "V1.1__a.sql": "SELECT 1;\n", "V1_1__b.sql": "SELECT 2;\n"}, True,
                title="1.1 and 1_1 are the same version"),
        Example({"V1__init.sql": _V1, "V1.1__a.sql": "SELECT 1;\n", "V1.10__b.sql": "SELECT 2;\n"}, False,
                title="1.1 and 1.10 differ"),
    ),
)
def duplicate_version(rule, ctx):
    for f in _of(ctx, F.DuplicateVersion):
        label = _path_label(ctx, f.paths)
        names = ", ".join(label(p) for p in f.paths)
        first = f.paths[0]
        for other in f.paths[1:]:
            yield rule.finding(
                ctx.display(other),
                Span.file_level(),
                f"Version {f.version} is used by more than one migration ({names}); Flyway refuses "
                "to migrate.",
                fix=f"Give '{label(other)}' a version above the highest existing one; '{label(first)}' "
                "keeps its version.",
                object=str(f.version),
            )


@rule(
    id="flyway-duplicate-repeatable",
    title="Two repeatable migrations with the same description",
    severity="error",
    klass="flyway",
    rationale=(
        "Repeatable migrations are identified by their description (underscores read as spaces), "
        "in every location: two with the same one make Flyway refuse to migrate."
    ),
    fix="Give each repeatable migration a distinct description.",
    examples=(
        Example({"R__views.sql": "SELECT 1;\n", "sub/R__views.sql": "SELECT 2;\n"}, True),
        Example({"R__views.sql": "SELECT 1;\n", "R__functions.sql": "SELECT 2;\n"}, False),
    ),
)
def duplicate_repeatable(rule, ctx):
    for f in _of(ctx, F.DuplicateRepeatable):
        for other in f.paths[1:]:
            yield rule.finding(
                ctx.display(other),
                Span.file_level(),
                f"The repeatable description '{f.description}' is used by more than one file "
                f"({', '.join(ctx.display(p) for p in f.paths)}); Flyway refuses to migrate.",
                fix=f"Rename '{ctx.display(other)}' so its description differs.",
                object=f.description,
            )


@rule(
    id="flyway-duplicate-callback",
    title="Two SQL callbacks with the same name",
    severity="error",
    klass="flyway",
    rationale=(
        "Flyway files each SQL callback under its event and description (beforeEachMigrate, "
        "beforeEachMigrate__timeouts, ...), without the suffix, which it matches in any case. Two "
        "files with the same name in the scanned locations, e.g. beforeEachMigrate.sql in two "
        "folders, or beforeEachMigrate.sql next to beforeEachMigrate.SQL, make Flyway refuse to run "
        "any command: \"Found more than 1 SQL callback script called beforeEachMigrate\". This "
        "usually happens when two modules each bring their own callbacks."
    ),
    fix="Keep one of the files, or give each a description of its own (beforeEachMigrate__timeouts.sql, "
    "beforeEachMigrate__search_path.sql): Flyway then runs both, ordered by description.",
    examples=(
        Example({"V1__init.sql": _V1, "beforeEachMigrate.sql": "SET lock_timeout = '5s';\n",
                 "shared/beforeEachMigrate.sql": "SET statement_timeout = '60s';\n"}, True,
                title="the same callback in two folders"),
        Example({"V1__init.sql": _V1, "beforeEachMigrate__timeouts.sql": "SET lock_timeout = '5s';\n",
                 "shared/beforeEachMigrate__search_path.sql": "SET search_path = app;\n"}, False,
                title="two descriptions"),
    ),
)
def duplicate_callback(rule, ctx):
    for f in _of(ctx, F.DuplicateCallback):
        label = _path_label(ctx, f.paths)
        first = f.paths[0]
        for other in f.paths[1:]:
            yield rule.finding(
                ctx.display(other),
                Span.file_level(),
                f"More than one SQL callback is called '{f.name}' ({', '.join(label(p) for p in f.paths)}); "
                "Flyway refuses to run any command.",
                fix=f"Remove '{label(other)}' or merge it into '{label(first)}', or give each a description of "
                f"its own (e.g. {f.event}__<what_it_does>.sql).",
                object=f.name,
            )


@rule(
    id="flyway-undefined-placeholder",
    title="Placeholder without a value",
    severity="error",
    klass="flyway",
    rationale=(
        "Flyway replaces ${name} everywhere in a script, comments and strings included, and fails "
        "with \"No value provided for placeholder\" when no value is configured. It does so in "
        "migrations, in SQL callbacks and in initSql: a beforeEachMigrate callback fails before the "
        "first pending migration, so migrate applies none, and initSql fails as soon as Flyway "
        "connects, so every command fails."
    ),
    fix="Define the placeholder (flyway.placeholders.<name> or [flyway.placeholders]), or turn "
    "placeholder replacement off for this script in its .sql.conf.",
    examples=(
        Example({"V1__init.sql": "CREATE TABLE ${schema}.users (id int);\n"}, True),
        Example({"V1__init.sql": _V1, "beforeEachMigrate.sql": "SET lock_timeout = '${lock_timeout}';\n"}, True,
                title="in a beforeEachMigrate callback"),
        Example({"V1__init.sql": "CREATE TABLE users (id int); -- ${flyway:timestamp}\n"}, False,
                title="built-in placeholders are defined"),
    ),
)
def undefined_placeholder(rule, ctx):
    for f in _of(ctx, F.UndefinedPlaceholder):
        what = f"No value is configured for the placeholder '{f.name}'"
        fix = (f"Set flyway.placeholders.{f.name} in the Flyway configuration, or write "
               "placeholderReplacement=false in this script's .sql.conf if the text is meant literally.")
        if f.context == "callback":
            # flyway-core: a SQL callback's script is parsed (placeholders replaced) when it is first
            # run (ParserSqlScript parses lazily); DbMigrate.doMigrateGroup calls the beforeEachMigrate
            # callbacks before each pending migration, outside the try that records a failed migration,
            # so the exception ends migrate before the first pending migration runs.
            message = (f"{what}; Flyway fails on this callback, which runs before every migration: migrate "
                       "stops before the first pending migration and applies none.")
        elif f.context == "initSql":
            # flyway-core FlywayExecutor: initSql is run as a SQL script (placeholders replaced) on every
            # connection Flyway opens, before any command does its work.
            where = f" (set by the {f.origin})" if f.origin else ""
            message = (f"{what} in initSql{where}; Flyway fails as soon as it connects: every command "
                       "(migrate, info, validate) fails before it does anything.")
            fix = (f"Set flyway.placeholders.{f.name} in the Flyway configuration, or write the value into "
                   "initSql.")
        else:
            message = f"{what}; Flyway fails this migration."
        yield rule.finding(ctx.display(f.path), f.span, message, fix=fix, object=f.name)


@rule(
    id="flyway-unknown-script-config",
    title="Unknown key in a script configuration file",
    severity="error",
    klass="flyway",
    rationale=(
        "A <migration>.sql.conf file accepts only executeInTransaction, encoding, "
        "placeholderReplacement and shouldExecute, without the 'flyway.' prefix some docs show; "
        "Flyway rejects any other key."
    ),
    fix="Use one of the supported keys, without a 'flyway.' prefix.",
    examples=(
        Example({"V1__init.sql": _V1, "V1__init.sql.conf": "flyway.executeInTransaction=false\n"}, True),
        Example({"V1__init.sql": _V1, "V1__init.sql.conf": "executeInTransaction=false\n"}, False),
    ),
)
def unknown_script_config(rule, ctx):
    for f in _of(ctx, F.UnknownScriptConfigKey):
        bare = f.key.removeprefix("flyway.")
        known = ("executeInTransaction", "encoding", "placeholderReplacement", "shouldExecute")
        fix = f"Write '{bare}' without the prefix." if bare in known else rule.fix
        yield rule.finding(
            ctx.display(f.path),
            f.span,
            f"Flyway rejects the script configuration key '{f.key}'.",
            fix=fix,
            object=f.key,
        )


@rule(
    id="flyway-invalid-script-config",
    title="Invalid value in a script configuration file",
    severity="error",
    klass="flyway",
    rationale="Flyway fails to load a .sql.conf file whose values it cannot read, e.g. a boolean "
    "other than true or false or an unknown encoding.",
    fix="Use true or false for booleans and a charset name Java knows for encoding.",
    examples=(
        Example({"V1__init.sql": _V1, "V1__init.sql.conf": "executeInTransaction=no\n"}, True),
        Example({"V1__init.sql": _V1, "V1__init.sql.conf": "executeInTransaction=FALSE\n"}, False),
    ),
)
def invalid_script_config(rule, ctx):
    for f in _of(ctx, F.InvalidScriptConfigValue):
        yield rule.finding(
            ctx.display(f.path),
            f.span,
            f"Flyway cannot read {f.key}={f.value}: {f.reason}.",
            fix=rule.fix,
            object=f.key,
        )


@rule(
    id="flyway-undecodable",
    title="File not readable in the configured encoding",
    severity="error",
    klass="flyway",
    rationale=(
        "Flyway decodes every migration with the configured encoding (UTF-8 unless set) and fails "
        "with \"Unable to calculate checksum\" on bytes it cannot decode. flylint cannot analyse the "
        "file either."
    ),
    fix="Save the file in the configured encoding, or set encoding for it in its .sql.conf.",
    examples=(
        Example({"V1__init.sql": "-- caf\udce9\nSELECT 1;\n"}, True, title="a Latin-1 byte in a UTF-8 project"),
        Example({"V1__init.sql": "-- café\nSELECT 1;\n"}, False),
    ),
)
def undecodable(rule, ctx):
    for f in _of(ctx, F.UndecodableFile):
        yield rule.finding(
            ctx.display(f.path),
            f.span,
            f"This file is not valid {f.encoding} ({f.detail}); Flyway cannot checksum or run it and "
            "flylint did not analyse it.",
            fix=rule.fix,
            change="unanalysed",
        )


@rule(
    id="flyway-empty-migration",
    title="Migration without statements",
    severity="warning",
    klass="flyway",
    rationale=(
        "A migration that holds only comments or whitespace is recorded as applied without doing "
        "anything; it is usually a file saved before its SQL was written, and its version can no "
        "longer be used once it is applied."
    ),
    fix="Write the migration's statements, or delete the file before it is applied anywhere.",
    examples=(
        Example({"V1__init.sql": _V1, "V2__todo.sql": "-- TODO\n"}, True),
        Example({"V1__init.sql": _V1}, False),
    ),
)
def empty_migration(rule, ctx):
    for f in _of(ctx, F.EmptyMigration):
        yield rule.finding(
            ctx.display(f.path),
            Span.file_level(),
            f"'{f.path.name}' contains no SQL statement.",
            fix=rule.fix,
        )


@rule(
    id="flyway-missing-location",
    title="Configured location does not exist",
    severity="warning",
    klass="flyway",
    rationale="Flyway logs an error for a location that does not exist and goes on without it "
    "(unless failOnMissingLocations is set), so migrations expected there never run. The same holds "
    "for a callback location (callbackLocations): its callbacks, such as a beforeEachMigrate.sql that "
    "sets lock_timeout, never run.",
    fix="Fix the path in flyway.locations (or flyway.callbackLocations), or create the folder.",
)
def missing_location(rule, ctx):
    fail = bool(ctx.settings.get("fail_on_missing_locations"))
    for f in _of(ctx, F.MissingLocation):
        yield rule.finding(
            ctx.display(f.path),
            Span.file_level(),
            f"The {'callback ' if f.callbacks else ''}location '{f.location}' does not exist"
            + ("; Flyway fails (failOnMissingLocations is set)." if fail else "; Flyway skips it."),
            fix=rule.fix,
            severity="error" if fail else None,
            object=f.location,
        )


@rule(
    id="flyway-incomplete-statement",
    title="Statement never ends",
    severity="error",
    klass="flyway",
    rationale="An unterminated string, quoted identifier, comment or dollar quote, or unbalanced "
    "parentheses, make the rest of the file one statement: Flyway fails with \"Incomplete "
    "statement\" and flylint cannot analyse anything after it.",
    fix="Close the string, comment or parenthesis that starts at the reported position.",
    examples=(
        Example({"V1__init.sql": "INSERT INTO t VALUES ('it''s);\nSELECT 1;\n"}, True),
        Example({"V1__init.sql": "SELECT 1;\n/* commented out:\nDROP TABLE t;\n"}, True,
                title="a comment that never closes"),
        Example({"V1__init.sql": "INSERT INTO t VALUES ('it''s');\nSELECT 1;\n"}, False),
    ),
)
def incomplete_statement(rule, ctx):
    for f in _of(ctx, F.UnterminatedTail):
        yield rule.finding(
            ctx.display(f.path),
            f.span,
            f"Incomplete script: {f.detail}; Flyway runs nothing from here to the end of the file.",
            fix=rule.fix,
            change="unanalysed",
        )
    for fa in ctx.files:
        for st in fa.statements:
            if st.split_error is None:
                continue
            yield rule.finding(
                fa.migration.display,
                st.error_span or st.span,
                f"Incomplete statement: {st.split_error}; Flyway fails this migration and flylint "
                "did not analyse the rest of the file.",
                fix=rule.fix,
                change="unanalysed",
            )


@rule(
    id="flyway-split-pitfall",
    title="Flyway splits this statement where you do not expect",
    severity="error",
    klass="flyway",
    rationale=(
        "Flyway recognises a MySQL stored-program body (BEGIN ... END) only for CREATE PROCEDURE, "
        "FUNCTION, EVENT and TRIGGER written in a few exact forms. Others, such as CREATE OR "
        "REPLACE PROCEDURE or CREATE DEFINER=CURRENT_USER TRIGGER, are cut at the first ';' of the "
        "body and the migration fails halfway, which MySQL cannot roll back."
    ),
    fix="Put the statement between 'DELIMITER $$' and 'DELIMITER ;' lines and end it with $$.",
    examples=(
        Example(
            {"V1__proc.sql": "CREATE OR REPLACE PROCEDURE p() BEGIN UPDATE t SET a = 1; END;\n"},
            True,
            dialect="mariadb",
        ),
        Example(
            {"V1__proc.sql": "DELIMITER $$\nCREATE OR REPLACE PROCEDURE p() BEGIN UPDATE t SET a = 1; END$$\n"
             "DELIMITER ;\n"},
            False,
            dialect="mariadb",
        ),
    ),
)
def split_pitfall(rule, ctx):
    for fa in ctx.files:
        for st in fa.statements:
            if st.split_note:
                yield rule.finding(fa.migration.display, st.span, st.split_note, fix=rule.fix)


@rule(
    id="flyway-mixed-transaction",
    title="Transactional and non-transactional statements in one migration",
    severity="error",
    klass="flyway",
    rationale=(
        "On PostgreSQL, Flyway runs a migration in one transaction, but statements such as CREATE "
        "INDEX CONCURRENTLY cannot run in one. A migration that mixes both kinds fails with "
        "\"Detected both transactional and non-transactional statements within the same "
        "migration\" unless mixed=true (which runs the whole migration outside a transaction) or "
        "the script's .sql.conf sets executeInTransaction."
    ),
    fix="Move the non-transactional statement into a migration of its own.",
    examples=(
        Example({"V1__init.sql": _V1 + "CREATE INDEX CONCURRENTLY users_id_idx ON users (id);\n"}, True),
        Example({"V1__init.sql": _V1, "V2__idx.sql": "CREATE INDEX CONCURRENTLY users_id_idx ON users (id);\n"},
                False),
        Example({"V1__init.sql": _V1, "V2__idx.sql": "CREATE INDEX CONCURRENTLY users_id_idx ON users (id);\n",
                 "V2__idx.sql.conf": "executeInTransaction=true\n"}, True,
                title="a script configuration that forces a transaction"),
    ),
)
def mixed_transaction(rule, ctx):
    if ctx.dialect != "postgres" or ctx.settings.get("mixed"):
        return
    if ctx.settings.get("execute_in_transaction") is False:
        return
    for fa in ctx.files:
        if fa.migration.config.execute_in_transaction is True:
            forced = next((st for st in fa.statements if not st.transactional), None)
            if forced is not None:
                yield rule.finding(
                    fa.migration.display,
                    forced.span,
                    f"{fa.migration.path.name}.conf sets executeInTransaction=true, but PostgreSQL cannot run "
                    "this statement inside a transaction: the migration fails.",
                    fix=f"Remove executeInTransaction=true from {fa.migration.path.name}.conf (Flyway then runs "
                    "it outside a transaction), and keep this statement alone in its migration.",
                )
            continue
        if fa.migration.config.execute_in_transaction is not None:
            continue
        kinds = {st.transactional for st in fa.statements}
        if kinds != {True, False}:
            continue
        first = next(st for st in fa.statements if not st.transactional)
        name = fa.migration.path.name
        yield rule.finding(
            fa.migration.display,
            first.span,
            f"'{name}' mixes transactional statements with this one, which PostgreSQL cannot run "
            "inside a transaction; Flyway refuses to run the migration.",
            fix="Move this statement into a migration of its own (e.g. the next version), so "
            f"'{name}' stays transactional.",
        )


@rule(
    id="flyway-transaction-control",
    title="BEGIN, COMMIT or ROLLBACK inside a migration",
    severity="warning",
    klass="flyway",
    rationale=(
        "Flyway runs each migration in a transaction of its own (on PostgreSQL) and records it as "
        "applied when that transaction commits. A COMMIT in the script ends Flyway's transaction "
        "early: the statements after it run outside it, so a failure there leaves the first part "
        "applied and the migration marked failed. BEGIN and ROLLBACK confuse the same bookkeeping. "
        "On MySQL/MariaDB, DDL commits implicitly anyway; an explicit transaction only around DML "
        "is fine there."
    ),
    fix="Remove the transaction statements and let Flyway own the transaction; split the script into "
    "several migrations where it needs several transactions.",
    examples=(
        Example({"V1__init.sql": "CREATE TABLE t (id int);\n",
                 "V2__x.sql": "BEGIN;\nALTER TABLE t ADD COLUMN a int;\nCOMMIT;\n"}, True),
        Example({"V1__init.sql": "CREATE TABLE t (id int);\n", "V2__x.sql": "ALTER TABLE t ADD COLUMN a int;\n"},
                False),
        Example({"V1__init.sql": "CREATE TABLE t (id int);\n",
                 "V2__x.sql": "START TRANSACTION;\nUPDATE t SET id = 1 WHERE id = 0;\nCOMMIT;\n"}, False,
                dialect="mysql", title="an explicit transaction around DML on MySQL"),
    ),
)
def transaction_control(rule, ctx):
    for fa, st, ch in ctx.changes_of("other"):
        verb = ch.detail.get("transaction")
        if verb is None:
            continue
        if ctx.dialect != "postgres":
            continue  # MySQL/MariaDB commit each DDL statement anyway (see mysql-multiple-ddl)
        yield rule.finding(
            fa.migration.display,
            st.span,
            f"{verb.upper()} inside {fa.migration.path.name} interferes with the transaction Flyway runs the "
            "migration in: statements after it are no longer rolled back together if one fails.",
            fix=rule.fix,
        )
