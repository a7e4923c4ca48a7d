"""flylint.sql.parser: the statement forms flylint must understand, the guards, and invalid SQL."""

from __future__ import annotations

import logging
import pickle

import pytest
from sqlglot import exp

from flylint.sql import nodes as n
from flylint.sql.parser import ParseResult, parse_statement, unwrap_executable_comments


def ok(sql: str, dialect: str = "postgres"):
    result = parse_statement(sql, dialect)
    assert isinstance(result, ParseResult)
    assert result.unanalysed is None, (sql, result.unanalysed, result.error_offset)
    assert result.tree is not None
    return result.tree


def bad(sql: str, dialect: str = "postgres") -> ParseResult:
    result = parse_statement(sql, dialect)
    assert result.tree is None, (sql, result.tree)
    assert result.unanalysed, sql
    return result


def actions(tree) -> list:
    assert isinstance(tree, exp.Alter), tree
    return list(tree.args.get("actions") or [])


def single(tree):
    acts = actions(tree)
    assert len(acts) == 1, acts
    return acts[0]


def kind_of(sql: str, dialect: str = "postgres") -> str:
    return parse_statement(sql, dialect).kind


# ============================================================================================
# Seed scenario (seeds/003): the last_name -> surname rename, both dialects
# ============================================================================================


class TestSeedMySQL:
    def test_add_surname(self):
        col = single(ok("ALTER TABLE users ADD surname varchar(255)", "mysql"))
        assert isinstance(col, exp.ColumnDef)
        assert col.name == "surname"
        assert col.args["kind"].this == exp.DataType.Type.VARCHAR

    def test_backfill(self):
        tree = ok("UPDATE users SET users.surname = users.last_name", "mysql")
        assert isinstance(tree, exp.Update)
        assert tree.this.name == "users"
        assert tree.args.get("where") is None

    def test_modify_last_name_nullable(self):
        tree = ok("ALTER TABLE users MODIFY COLUMN last_name varchar(255) NULL DEFAULT NULL", "mysql")
        mod = single(tree)
        assert isinstance(mod, exp.ModifyColumn)
        assert mod.this.name == "last_name"
        assert tree.this.name == "users"

    def test_drop_last_name(self):
        drop = single(ok("ALTER TABLE users DROP last_name", "mysql"))
        assert isinstance(drop, exp.Drop)
        assert drop.args["tables"][0].name == "last_name"

    def test_fill_nulls(self):
        tree = ok("UPDATE users SET surname='' WHERE surname IS NULL", "mysql")
        assert isinstance(tree, exp.Update)
        assert tree.args["where"] is not None

    def test_modify_surname_not_null(self):
        mod = single(ok("ALTER TABLE users MODIFY surname VARCHAR(255) NOT NULL", "mysql"))
        assert isinstance(mod, exp.ModifyColumn)
        assert mod.this.name == "surname"

    @pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
    def test_same_in_mariadb(self, dialect):
        assert isinstance(single(ok("ALTER TABLE users DROP last_name", dialect)), exp.Drop)


class TestSeedPostgres:
    def test_create_users(self):
        tree = ok(
            "CREATE TABLE users (\n id serial PRIMARY KEY not null,\n first_name varchar(255) not null,\n"
            " last_name varchar(255) not null\n)"
        )
        assert isinstance(tree, exp.Create)
        assert tree.args["kind"] == "TABLE"
        assert [c.name for c in tree.this.expressions] == ["id", "first_name", "last_name"]
        assert kind_of("CREATE TABLE t (id int)") == "CREATE TABLE"

    def test_insert(self):
        tree = ok("insert into users (first_name, last_name) values ('ahmet', 'atalay')")
        assert isinstance(tree, exp.Insert)

    def test_rename_column(self):
        ren = single(ok("ALTER TABLE users RENAME COLUMN last_name TO surname"))
        assert isinstance(ren, exp.RenameColumn)
        assert (ren.this.name, ren.args["to"].name) == ("last_name", "surname")

    def test_add_column(self):
        col = single(ok("ALTER TABLE users ADD surname varchar(255)"))
        assert isinstance(col, exp.ColumnDef) and col.name == "surname"

    def test_set_not_null(self):
        tree = ok("ALTER TABLE users ALTER COLUMN surname SET NOT NULL")
        alter_col = single(tree)
        assert isinstance(alter_col, exp.AlterColumn)
        assert alter_col.this.name == "surname"
        assert alter_col.args.get("allow_null") is False
        assert parse_statement("ALTER TABLE users ALTER COLUMN surname SET NOT NULL", "postgres").kind == "ALTER TABLE"

    def test_drop_not_null(self):
        alter_col = single(ok("ALTER TABLE users ALTER COLUMN last_name DROP NOT NULL"))
        assert alter_col.args.get("drop") and alter_col.args.get("allow_null")

    def test_drop_column(self):
        drop = single(ok("ALTER TABLE users DROP COLUMN last_name"))
        assert isinstance(drop, exp.Drop) and drop.args["kind"] == "COLUMN"

    def test_update(self):
        tree = ok("UPDATE users SET surname = last_name WHERE surname IS NULL")
        assert isinstance(tree, exp.Update)


# ============================================================================================
# PostgreSQL forms
# ============================================================================================


class TestPostgresAlterTable:
    def test_validate_constraint(self):
        tree = ok("ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk")
        act = single(tree)
        assert isinstance(act, n.ValidateConstraint)
        assert act.name.this == "orders_user_fk"
        assert tree.this.name == "orders"

    def test_validate_quoted_name(self):
        act = single(ok('ALTER TABLE app.orders VALIDATE CONSTRAINT "Fk"'))
        assert act.name.this == "Fk" and act.name.args["quoted"] is True

    def test_schema_qualified_table(self):
        tree = ok("ALTER TABLE app.orders VALIDATE CONSTRAINT c")
        assert (tree.this.db, tree.this.name) == ("app", "orders")

    @pytest.mark.parametrize(
        "sql,kind,name",
        [
            ("ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx", "UNIQUE", "users_email_key"),
            ("ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_email_idx", "PRIMARY KEY", "users_pkey"),
            ("ALTER TABLE users ADD PRIMARY KEY USING INDEX users_email_idx", "PRIMARY KEY", None),
        ],
    )
    def test_add_constraint_using_index(self, sql, kind, name):
        act = single(ok(sql))
        assert isinstance(act, n.AddConstraintUsingIndex)
        assert act.kind == kind
        assert act.index.this == "users_email_idx"
        assert (act.name.this if act.name else None) == name

    def test_using_index_deferrable(self):
        act = single(ok("ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i DEFERRABLE INITIALLY DEFERRED"))
        assert act.deferrable and act.initially_deferred

    def test_attach_partition(self):
        tree = ok("ALTER TABLE orders ATTACH PARTITION orders_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')")
        act = single(tree)
        assert isinstance(act, n.AttachPartition)
        assert act.partition.name == "orders_2025"
        assert act.bound == "FROM ('2025-01-01') TO ('2026-01-01')"
        assert not act.default

    def test_attach_default_partition(self):
        act = single(ok("ALTER TABLE orders ATTACH PARTITION orders_other DEFAULT"))
        assert act.default and act.bound is None

    @pytest.mark.parametrize(
        "suffix,concurrently,finalize", [("", False, False), (" CONCURRENTLY", True, False), (" FINALIZE", False, True)]
    )
    def test_detach_partition(self, suffix, concurrently, finalize):
        act = single(ok(f"ALTER TABLE orders DETACH PARTITION orders_2023{suffix}"))
        assert isinstance(act, n.DetachPartition)
        assert act.partition.name == "orders_2023"
        assert (act.concurrently, act.finalize) == (concurrently, finalize)

    def test_set_schema_table(self):
        tree = ok("ALTER TABLE IF EXISTS users SET SCHEMA archive")
        assert isinstance(tree, n.SetSchema)
        assert (tree.kind, tree.name.name, tree.schema.this, tree.if_exists) == ("TABLE", "users", "archive", True)

    def test_set_schema_cannot_combine(self):
        bad("ALTER TABLE users SET SCHEMA archive, ADD COLUMN x int")

    def test_add_check_without_name(self):
        tree = ok("ALTER TABLE users ADD CHECK (age >= 0)")
        act = single(tree)
        assert isinstance(act, exp.AddConstraint)
        (check,) = act.expressions
        assert isinstance(check, exp.CheckColumnConstraint)
        assert isinstance(check.this, exp.GTE)
        assert check.this.this.name == "age"
        assert "flylint_unnamed" not in repr(tree)

    def test_add_check_with_name(self):
        act = single(ok("ALTER TABLE users ADD CONSTRAINT age_chk CHECK (age >= 0)"))
        (constraint,) = act.expressions
        assert isinstance(constraint, exp.Constraint) and constraint.name == "age_chk"

    def test_rename_constraint(self):
        act = single(ok("ALTER TABLE users RENAME CONSTRAINT a TO b"))
        assert isinstance(act, n.RenameConstraint)
        assert (act.old.this, act.new.this) == ("a", "b")

    def test_rename_table(self):
        act = single(ok("ALTER TABLE users RENAME TO customers"))
        assert isinstance(act, exp.AlterRename) and act.this.name == "customers"

    @pytest.mark.parametrize("always,words", [(True, "ALWAYS"), (False, "BY DEFAULT")])
    def test_add_identity(self, always, words):
        act = single(ok(f"ALTER TABLE users ALTER COLUMN id ADD GENERATED {words} AS IDENTITY"))
        assert isinstance(act, n.AddIdentity)
        assert act.column.this == "id" and act.always is always and act.sequence_options is None

    def test_add_identity_with_options(self):
        act = single(ok("ALTER TABLE users ALTER id ADD GENERATED ALWAYS AS IDENTITY (START WITH 1000)"))
        assert act.sequence_options == "START WITH 1000"

    def test_drop_identity_and_expression(self):
        assert isinstance(single(ok("ALTER TABLE t ALTER COLUMN id DROP IDENTITY IF EXISTS")), n.DropIdentity)
        act = single(ok("ALTER TABLE t ALTER COLUMN total DROP EXPRESSION"))
        assert isinstance(act, n.DropExpression) and act.column.this == "total"

    def test_column_settings(self):
        act = single(ok("ALTER TABLE t ALTER COLUMN x SET STATISTICS 100"))
        assert isinstance(act, n.AlterColumnSetting)
        assert (act.column.this, act.setting, act.value) == ("x", "STATISTICS", "100")
        act = single(ok("ALTER TABLE t ALTER COLUMN x SET STORAGE EXTERNAL"))
        assert (act.setting, act.value) == ("STORAGE", "EXTERNAL")

    @pytest.mark.parametrize(
        "sql,enabled,scope,name,mode",
        [
            ("ALTER TABLE users DISABLE TRIGGER ALL", False, "ALL", None, None),
            ("ALTER TABLE users ENABLE TRIGGER users_audit", True, "NAME", "users_audit", None),
            ("ALTER TABLE users DISABLE TRIGGER USER", False, "USER", None, None),
            ("ALTER TABLE users ENABLE REPLICA TRIGGER t1", True, "NAME", "t1", "REPLICA"),
            ("ALTER TABLE users ENABLE ALWAYS TRIGGER t1", True, "NAME", "t1", "ALWAYS"),
        ],
    )
    def test_enable_disable_trigger(self, sql, enabled, scope, name, mode):
        act = single(ok(sql))
        assert isinstance(act, n.TriggerState)
        assert (act.enabled, act.scope, act.trigger.this if act.trigger else None, act.mode) == (enabled, scope, name, mode)

    def test_owner_to(self):
        act = single(ok("ALTER TABLE users OWNER TO app_owner"))
        assert isinstance(act, n.ChangeOwner) and act.owner.this == "app_owner"

    @pytest.mark.parametrize("what,kind,index", [("FULL", "FULL", None), ("USING INDEX users_pkey", "INDEX", "users_pkey"), ("DEFAULT", "DEFAULT", None)])
    def test_replica_identity(self, what, kind, index):
        act = single(ok(f"ALTER TABLE users REPLICA IDENTITY {what}"))
        assert isinstance(act, n.ReplicaIdentity)
        assert (act.kind, act.index.this if act.index else None) == (kind, index)

    @pytest.mark.parametrize(
        "words,action", [("ENABLE", "ENABLE"), ("DISABLE", "DISABLE"), ("FORCE", "FORCE"), ("NO FORCE", "NO FORCE")]
    )
    def test_row_level_security(self, words, action):
        act = single(ok(f"ALTER TABLE users {words} ROW LEVEL SECURITY"))
        assert isinstance(act, n.RowLevelSecurity) and act.action == action

    def test_inherit_and_cluster_on(self):
        act = single(ok("ALTER TABLE c NO INHERIT p"))
        assert isinstance(act, n.Inherit) and not act.inherit and act.parent.name == "p"
        act = single(ok("ALTER TABLE c CLUSTER ON c_pkey"))
        assert isinstance(act, n.ClusterOn) and act.index.this == "c_pkey"
        assert single(ok("ALTER TABLE c SET WITHOUT CLUSTER")).index is None

    def test_mixed_stock_and_flylint_actions_keep_order(self):
        tree = ok("ALTER TABLE t ADD COLUMN a int, VALIDATE CONSTRAINT c, DROP COLUMN b, OWNER TO r")
        kinds = [type(a) for a in actions(tree)]
        assert kinds == [exp.ColumnDef, n.ValidateConstraint, exp.Drop, n.ChangeOwner]
        assert tree.this.name == "t"

    def test_if_exists_only(self):
        tree = ok("ALTER TABLE IF EXISTS ONLY users VALIDATE CONSTRAINT c")
        assert tree.args.get("exists") is True and tree.args.get("only") is True

    def test_multi_action_stock(self):
        tree = ok("ALTER TABLE users ADD COLUMN a int, ADD COLUMN b int DEFAULT 0, DROP COLUMN c")
        assert [type(a) for a in actions(tree)] == [exp.ColumnDef, exp.ColumnDef, exp.Drop]

    def test_alter_column_type_using(self):
        act = single(ok("ALTER TABLE users ALTER COLUMN age TYPE bigint USING age::bigint"))
        assert isinstance(act, exp.AlterColumn) and act.args["dtype"].this == exp.DataType.Type.BIGINT

    def test_alter_column_keyword_name(self):
        act = single(ok("ALTER TABLE users ALTER COLUMN type TYPE text"))
        assert isinstance(act, exp.AlterColumn) and act.this.name == "type"


class TestPostgresGuards:
    """sqlglot.md section 2: silent mis-parses flylint must correct or refuse."""

    @pytest.mark.parametrize(
        "sql,old,new",
        [
            ("ALTER TABLE users RENAME last_name TO surname", "last_name", "surname"),
            ("ALTER TABLE users RENAME type TO kind", "type", "kind"),
            ('ALTER TABLE users RENAME "Type" TO kind', "Type", "kind"),
            ("ALTER TABLE users RENAME COLUMN type TO kind", "type", "kind"),
        ],
    )
    def test_rename_without_column_keyword_is_a_column_rename(self, sql, old, new):
        tree = ok(sql)
        ren = single(tree)
        assert isinstance(ren, exp.RenameColumn)
        assert isinstance(ren.this, exp.Column) and ren.this.name == old
        assert ren.args["to"].name == new
        assert tree.this.name == "users"
        assert not tree.args.get("options")  # no stray ToTableProperty
        assert not any(isinstance(a, exp.AlterRename) for a in actions(tree))

    def test_quoted_rename_keeps_quoting(self):
        ren = single(ok('ALTER TABLE users RENAME "Type" TO kind'))
        assert ren.this.this.args["quoted"] is True

    def test_not_valid_only_on_the_constraint_that_has_it(self):
        tree = ok(
            "ALTER TABLE t ADD CONSTRAINT a FOREIGN KEY (x) REFERENCES o (id), "
            "ADD CONSTRAINT b FOREIGN KEY (y) REFERENCES p (id) NOT VALID"
        )
        a, b = actions(tree)
        assert a.expressions[0].name == "a" and not a.args.get("not_valid")
        assert b.expressions[0].name == "b" and b.args.get("not_valid") is True
        assert not tree.args.get("not_valid")  # the wrong statement-level flag is cleared

    def test_not_valid_first_then_other_action_is_not_a_command(self):
        tree = ok("ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID, ADD COLUMN x int")
        con, col = actions(tree)
        assert isinstance(con, exp.AddConstraint) and con.args.get("not_valid") is True
        assert isinstance(col, exp.ColumnDef) and col.name == "x" and not col.args.get("not_valid")

    def test_single_not_valid(self):
        tree = ok("ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID")
        act = single(tree)
        assert act.args.get("not_valid") is True
        assert isinstance(act.expressions[0].expressions[0], exp.ForeignKey)

    def test_not_valid_then_validate_in_one_statement(self):
        tree = ok("ALTER TABLE users ADD CONSTRAINT c CHECK (a > 0) NOT VALID, VALIDATE CONSTRAINT d")
        con, val = actions(tree)
        assert con.args.get("not_valid") is True and isinstance(val, n.ValidateConstraint)

    def test_unnamed_check_not_valid(self):
        act = single(ok("ALTER TABLE users ADD CHECK (age >= 0) NOT VALID"))
        assert act.args.get("not_valid") is True
        assert isinstance(act.expressions[0], exp.CheckColumnConstraint)

    def test_no_inherit(self):
        act = single(ok("ALTER TABLE users ADD CONSTRAINT c CHECK (a > 0) NO INHERIT NOT VALID"))
        assert act.args.get("no_inherit") is True and act.args.get("not_valid") is True

    @pytest.mark.parametrize(
        "sql",
        [
            "ALTER TABLE users ADD COLUMN a int NOT VALID",
            "ALTER TABLE users ADD CONSTRAINT u UNIQUE (a) NOT VALID",
            "ALTER TABLE users DROP COLUMN a NOT VALID",
        ],
    )
    def test_not_valid_where_postgres_rejects_it(self, sql):
        result = bad(sql)
        assert "NOT VALID" in result.unanalysed
        assert sql[result.error_offset :].startswith("NOT VALID")

    def test_double_comma_is_a_syntax_error(self):
        result = bad("ALTER TABLE users ADD COLUMN x int,, ADD COLUMN y int")
        assert "empty" in result.unanalysed
        assert result.error_offset == len("ALTER TABLE users ADD COLUMN x int,")

    def test_trailing_comma_is_a_syntax_error(self):
        bad("ALTER TABLE users ADD COLUMN x int,")

    def test_command_nested_in_alter(self):
        result = bad("ALTER TABLE users DROP")
        assert result.kind == "ALTER TABLE"
        assert result.error_offset == len("ALTER TABLE users ")

    def test_unknown_leading_word_is_not_a_statement(self):
        for sql in ("SAVEPOINT sp1", "NOTIFY ch", "DISCARD ALL", "CHECKPOINT", "LISTEN ch"):
            result = bad(sql)
            assert "statement" in result.unanalysed or "sqlglot" in result.unanalysed, sql

    def test_cluster_and_start_transaction_recognised(self):
        tree = ok("CLUSTER users")
        assert isinstance(tree, n.Cluster) and tree.table.name == "users" and tree.index is None
        tree = ok("START TRANSACTION")
        assert isinstance(tree, exp.Transaction)

    def test_placeholder_is_refused(self):
        result = bad("ALTER TABLE users ADD COLUMN x int DEFAULT ${default_value}")
        assert "placeholder" in result.unanalysed
        assert result.error_offset == len("ALTER TABLE users ADD COLUMN x int DEFAULT ")
        bad("ALTER TABLE ${schema}.users ADD COLUMN x int")

    def test_placeholder_text_in_a_string_is_fine(self):
        ok("ALTER TABLE users ADD COLUMN x text DEFAULT '${not_a_placeholder}'")


class TestPostgresStatements:
    def test_alter_enum_add_value(self):
        tree = ok("ALTER TYPE mood ADD VALUE 'ecstatic'")
        assert isinstance(tree, n.AlterEnumAddValue)
        assert (tree.type.name, tree.value, tree.before, tree.after, tree.if_not_exists) == ("mood", "ecstatic", None, None, False)
        assert kind_of("ALTER TYPE mood ADD VALUE 'x'") == "ALTER TYPE"

    def test_alter_enum_add_value_positioned(self):
        tree = ok("ALTER TYPE app.mood ADD VALUE IF NOT EXISTS 'meh' BEFORE 'ok'")
        assert (tree.type.db, tree.value, tree.before, tree.if_not_exists) == ("app", "meh", "ok", True)
        tree = ok("ALTER TYPE mood ADD VALUE 'zen' AFTER 'happy'")
        assert (tree.after, tree.before) == ("happy", None)

    def test_alter_enum_rename_value(self):
        tree = ok("ALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy'")
        assert isinstance(tree, n.AlterEnumRenameValue)
        assert (tree.type.name, tree.old, tree.new) == ("mood", "sad", "unhappy")

    def test_alter_type_rename_to(self):
        tree = ok("ALTER TYPE mood RENAME TO feeling")
        assert isinstance(tree, exp.Alter) and tree.args["kind"] == "TYPE" and tree.this.name == "mood"
        assert single(tree).this.name == "feeling"

    @pytest.mark.parametrize(
        "sql,kind,name",
        [
            ("ALTER VIEW v SET SCHEMA archive", "VIEW", "v"),
            ("ALTER SEQUENCE s SET SCHEMA archive", "SEQUENCE", "s"),
            ("ALTER TYPE mood SET SCHEMA archive", "TYPE", "mood"),
            ("ALTER MATERIALIZED VIEW mv SET SCHEMA archive", "MATERIALIZED VIEW", "mv"),
        ],
    )
    def test_set_schema(self, sql, kind, name):
        tree = ok(sql)
        assert isinstance(tree, n.SetSchema)
        assert (tree.kind, tree.name.name, tree.schema.this) == (kind, name, "archive")

    def test_alter_owner_of_other_objects(self):
        tree = ok("ALTER VIEW v OWNER TO bob")
        assert isinstance(tree, n.AlterOwner) and (tree.kind, tree.owner.this) == ("VIEW", "bob")

    def test_rename_sequence_and_matview(self):
        tree = ok("ALTER SEQUENCE s RENAME TO t")
        assert tree.args["kind"] == "SEQUENCE" and single(tree).this.name == "t"
        tree = ok("ALTER MATERIALIZED VIEW mv RENAME TO mv2")
        assert tree.args["kind"] == "MATERIALIZED VIEW"

    def test_alter_sequence_options(self):
        tree = ok("ALTER SEQUENCE order_seq RESTART WITH 5000")
        assert isinstance(tree, n.AlterSequence) and tree.options == "RESTART WITH 5000"

    @pytest.mark.parametrize(
        "sql,kind,name,concurrently,options",
        [
            ("REINDEX INDEX CONCURRENTLY idx_users_email", "INDEX", "idx_users_email", True, ()),
            ("REINDEX TABLE users", "TABLE", "users", False, ()),
            ("REINDEX (VERBOSE) TABLE users", "TABLE", "users", False, ("VERBOSE",)),
            ("REINDEX (CONCURRENTLY, VERBOSE) SCHEMA app", "SCHEMA", "app", True, ("CONCURRENTLY", "VERBOSE")),
            ("REINDEX DATABASE app", "DATABASE", "app", False, ()),
        ],
    )
    def test_reindex(self, sql, kind, name, concurrently, options):
        tree = ok(sql)
        assert isinstance(tree, n.Reindex)
        assert (tree.kind, tree.name.name, tree.concurrently, tree.options) == (kind, name, concurrently, options)
        assert kind_of(sql) == "REINDEX"

    def test_create_materialized_view(self):
        tree = ok("CREATE MATERIALIZED VIEW user_stats AS SELECT count(*) AS n FROM users WITH NO DATA")
        assert isinstance(tree, n.CreateMaterializedView)
        assert tree.name.name == "user_stats" and tree.with_data is False
        assert isinstance(tree.query, exp.Select)
        assert tree.query.find(exp.Table).name == "users"
        assert kind_of("CREATE MATERIALIZED VIEW v AS SELECT 1") == "CREATE MATERIALIZED VIEW"

    def test_create_materialized_view_with_data(self):
        tree = ok("CREATE MATERIALIZED VIEW IF NOT EXISTS s.mv (a, b) AS SELECT 1, 2 WITH DATA")
        assert tree.with_data and tree.if_not_exists and [c.this for c in tree.columns] == ["a", "b"]
        assert tree.name.db == "s"
        assert ok("CREATE MATERIALIZED VIEW mv AS SELECT 1").with_data is True

    def test_create_materialized_view_bad_query(self):
        bad("CREATE MATERIALIZED VIEW mv AS SELEC 1")

    @pytest.mark.parametrize(
        "sql,concurrently,with_data",
        [
            ("REFRESH MATERIALIZED VIEW CONCURRENTLY user_stats", True, True),
            ("REFRESH MATERIALIZED VIEW user_stats", False, True),
            ("REFRESH MATERIALIZED VIEW user_stats WITH NO DATA", False, False),
        ],
    )
    def test_refresh(self, sql, concurrently, with_data):
        tree = ok(sql)
        assert isinstance(tree, n.RefreshMaterializedView)
        assert (tree.name.name, tree.concurrently, tree.with_data) == ("user_stats", concurrently, with_data)

    def test_create_extension(self):
        tree = ok("CREATE EXTENSION IF NOT EXISTS pgcrypto")
        assert isinstance(tree, n.CreateExtension) and tree.name.this == "pgcrypto" and tree.if_not_exists
        tree = ok('CREATE EXTENSION "uuid-ossp" WITH SCHEMA ext VERSION \'1.1\' CASCADE')
        assert (tree.name.this, tree.schema.this, tree.version, tree.cascade) == ("uuid-ossp", "ext", "1.1", True)

    def test_drop_extension(self):
        tree = ok("DROP EXTENSION IF EXISTS pgcrypto CASCADE")
        assert isinstance(tree, exp.Drop) and tree.args["kind"] == "EXTENSION"
        assert tree.args["exists"] and tree.args["cascade"] and tree.args["tables"][0].name == "pgcrypto"

    @pytest.mark.parametrize(
        "sql,tables,mode,nowait",
        [
            ("LOCK TABLE users IN ACCESS EXCLUSIVE MODE", ["users"], "ACCESS EXCLUSIVE", False),
            ("LOCK users", ["users"], "ACCESS EXCLUSIVE", False),
            ("LOCK TABLE a, b IN SHARE ROW EXCLUSIVE MODE NOWAIT", ["a", "b"], "SHARE ROW EXCLUSIVE", True),
        ],
    )
    def test_lock_table(self, sql, tables, mode, nowait):
        tree = ok(sql)
        assert isinstance(tree, n.LockTable)
        assert ([t.name for t in tree.tables], tree.mode, tree.nowait) == (tables, mode, nowait)

    def test_lock_bad_mode(self):
        bad("LOCK TABLE users IN SUPER MODE")

    @pytest.mark.parametrize(
        "sql,tables,full,analyze",
        [
            ("VACUUM FULL users", ["users"], True, False),
            ("VACUUM ANALYZE users", ["users"], False, True),
            ("VACUUM (FULL, ANALYZE) users, orders", ["users", "orders"], True, True),
            ("VACUUM", [], False, False),
            ("VACUUM (FULL false) users (a, b)", ["users"], False, False),
        ],
    )
    def test_vacuum(self, sql, tables, full, analyze):
        tree = ok(sql)
        assert isinstance(tree, n.Vacuum)
        assert ([t.name for t in tree.tables], tree.full, tree.analyze) == (tables, full, analyze)

    def test_cluster(self):
        tree = ok("CLUSTER users USING users_pkey")
        assert isinstance(tree, n.Cluster) and tree.table.name == "users" and tree.index.this == "users_pkey"
        tree = ok("CLUSTER VERBOSE")
        assert tree.table is None and tree.verbose
        tree = ok("CLUSTER users_pkey ON users")
        assert tree.table.name == "users" and tree.index.this == "users_pkey"

    def test_start_transaction_modes(self):
        tree = ok("START TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE")
        assert tree.args["modes"] == ["ISOLATION LEVEL SERIALIZABLE", "READ WRITE"]

    def test_set_search_path(self):
        tree = ok("SET search_path TO app, public")
        assert isinstance(tree, exp.Set)
        item = tree.expressions[0]
        assert item.this.this.name == "search_path"
        assert [v.name for v in item.this.expression.expressions] == ["app", "public"]

    def test_set_search_path_single_and_quoted(self):
        tree = ok("SET search_path = app")
        assert tree.expressions[0].this.this.name == "search_path"
        tree = ok("SET LOCAL search_path TO \"$user\", 'public'")
        item = tree.expressions[0]
        assert item.args.get("kind") == "LOCAL"
        assert [v.name for v in item.this.expression.expressions] == ["$user", "public"]

    def test_set_time_zone_and_role(self):
        item = ok("SET TIME ZONE 'UTC'").expressions[0]
        assert (item.this.this.name, item.this.expression.name) == ("timezone", "UTC")
        item = ok("SET ROLE app_owner").expressions[0]
        assert (item.this.this.name, item.this.expression.name) == ("role", "app_owner")

    def test_set_plain(self):
        item = ok("SET lock_timeout = '2s'").expressions[0]
        assert item.this.this.name == "lock_timeout" and item.this.expression.name == "2s"

    @pytest.mark.parametrize(
        "sql,name,all_", [("RESET lock_timeout", "lock_timeout", False), ("RESET ALL", None, True), ("RESET search_path", "search_path", False)]
    )
    def test_reset(self, sql, name, all_):
        tree = ok(sql)
        assert isinstance(tree, n.Reset) and (tree.name, tree.all) == (name, all_)

    def test_create_trigger_function(self):
        sql = (
            "CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN NEW.updated_at := now(); RETURN NEW; END; $$"
        )
        tree = ok(sql)
        assert isinstance(tree, n.CreateFunction)
        assert tree.name.name == "set_updated_at" and tree.kind == "FUNCTION" and tree.or_replace
        assert tree.returns == "trigger" and tree.language == "plpgsql"
        assert tree.opaque_body is True and "NEW.updated_at := now()" in tree.body
        assert kind_of(sql) == "CREATE FUNCTION"

    def test_create_function_variants(self):
        tree = ok("CREATE FUNCTION add(a integer, b integer) RETURNS integer AS 'select a + b' LANGUAGE SQL IMMUTABLE")
        assert (tree.parameters, tree.returns, tree.language, tree.body) == ("a integer, b integer", "integer", "sql", "select a + b")
        tree = ok("CREATE FUNCTION app.f() RETURNS TABLE (id int, name text) LANGUAGE sql AS $body$ SELECT 1, 'x' $body$")
        assert tree.name.db == "app" and tree.returns == "TABLE (id int, name text)" and "SELECT 1" in tree.body
        tree = ok("CREATE FUNCTION one() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END")
        assert tree.body == "BEGIN ATOMIC SELECT 1; END" and tree.opaque_body
        tree = ok("CREATE OR REPLACE PROCEDURE backfill() LANGUAGE plpgsql AS $$ BEGIN UPDATE users SET x = 0; COMMIT; END $$")
        assert tree.kind == "PROCEDURE" and tree.returns is None

    def test_create_function_without_body(self):
        bad("CREATE FUNCTION f() RETURNS int LANGUAGE sql")

    def test_do_block(self):
        sql = "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN CREATE TYPE mood AS ENUM ('a'); END IF; END $$"
        tree = ok(sql)
        assert isinstance(tree, n.DoBlock)
        assert tree.opaque_body is True and tree.language == "plpgsql" and "CREATE TYPE mood" in tree.body
        assert kind_of(sql) == "DO"
        assert ok("DO LANGUAGE plpgsql $body$ BEGIN NULL; END $body$").language == "plpgsql"
        assert ok("DO 'BEGIN NULL; END' LANGUAGE plperl").language == "plperl"

    def test_create_trigger(self):
        tree = ok("CREATE TRIGGER users_updated BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at()")
        assert isinstance(tree, n.CreateTrigger)
        assert (tree.name.name, tree.table.name, tree.timing, tree.events, tree.for_each) == (
            "users_updated", "users", "BEFORE", ("UPDATE",), "ROW"
        )
        assert tree.function.name == "set_updated_at" and tree.opaque_body is False

    def test_create_trigger_complex(self):
        tree = ok(
            "CREATE CONSTRAINT TRIGGER t AFTER INSERT OR UPDATE OF a, b ON app.users DEFERRABLE INITIALLY DEFERRED "
            "FOR EACH ROW WHEN (NEW.a IS NOT NULL) EXECUTE PROCEDURE f(1, 'x')"
        )
        assert tree.constraint and tree.events == ("INSERT", "UPDATE") and tree.table.db == "app"

    def test_create_index_nulls_not_distinct(self):
        tree = ok("CREATE UNIQUE INDEX idx ON users (email) NULLS NOT DISTINCT")
        assert isinstance(tree, exp.Create) and tree.args["unique"]
        assert tree.args.get("nulls_not_distinct") is True
        assert tree.this.args["table"].name == "users"
        assert ok("CREATE UNIQUE INDEX idx ON users (email) NULLS DISTINCT").args.get("nulls_not_distinct") is False

    def test_create_index_concurrently(self):
        tree = ok("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx_users_email ON users (lower(email))")
        assert tree.args["concurrently"] and tree.args["exists"] and tree.args["unique"]
        assert kind_of("CREATE INDEX CONCURRENTLY i ON t (a)") == "CREATE INDEX"

    def test_create_index_on_only(self):
        tree = ok("CREATE INDEX idx ON ONLY users (email)")
        assert tree.args.get("only") is True and tree.this.args["table"].name == "users"

    def test_drop_several_indexes(self):
        tree = ok("DROP INDEX CONCURRENTLY IF EXISTS idx1, app.idx2")
        assert isinstance(tree, exp.Drop)
        assert [t.name for t in tree.args["tables"]] == ["idx1", "idx2"]
        assert tree.args["concurrently"] and tree.args["exists"]

    def test_comment_on(self):
        tree = ok("COMMENT ON COLUMN users.email IS 'primary email'")
        assert isinstance(tree, exp.Comment) and tree.args["kind"] == "COLUMN"
        tree = ok("COMMENT ON TABLE users IS NULL")
        assert isinstance(tree.expression, exp.Null)
        tree = ok("COMMENT ON CONSTRAINT c ON users IS 'x'")
        assert tree.args["kind"] == "CONSTRAINT" and tree.args["on"].name == "users"

    def test_stock_statements_still_work(self):
        assert isinstance(ok("DROP TABLE IF EXISTS users, accounts CASCADE"), exp.Drop)
        assert isinstance(ok("TRUNCATE TABLE audit_log RESTART IDENTITY CASCADE"), exp.TruncateTable)
        assert isinstance(ok("CREATE TYPE mood AS ENUM ('sad', 'ok')"), exp.Create)
        assert isinstance(ok("BEGIN"), exp.Transaction)
        assert isinstance(ok("COMMIT"), exp.Commit)
        assert isinstance(ok("ANALYZE users"), exp.Analyze)
        assert isinstance(ok("GRANT SELECT ON users TO r"), exp.Grant)
        assert isinstance(ok("SELECT 1"), exp.Select)
        assert isinstance(ok("DELETE FROM sessions WHERE created_at < now() - interval '30 days'"), exp.Delete)


# ============================================================================================
# MySQL / MariaDB forms
# ============================================================================================


class TestMySQL:
    def test_rename_table(self):
        tree = ok("RENAME TABLE a TO b, c TO d", "mysql")
        assert isinstance(tree, n.RenameTable)
        assert [(o.name, m.name) for o, m in tree.pairs] == [("a", "b"), ("c", "d")]
        assert kind_of("RENAME TABLE a TO b", "mysql") == "RENAME TABLE"

    def test_rename_table_qualified_and_quoted(self):
        tree = ok("RENAME TABLE `app`.`users` TO app.users_old", "mysql")
        (old, new), = tree.pairs
        assert (old.db, old.name, old.this.args["quoted"], new.name) == ("app", "users", True, "users_old")

    def test_create_index_algorithm_lock(self):
        tree = ok("CREATE INDEX idx_email ON users (email) ALGORITHM=INPLACE LOCK=NONE", "mysql")
        assert isinstance(tree, exp.Create) and tree.this.args["table"].name == "users"
        opts = tree.args["options"]
        assert isinstance(opts[0], exp.AlgorithmProperty) and opts[0].name == "INPLACE"
        assert isinstance(opts[1], exp.LockProperty) and opts[1].name == "NONE"
        assert kind_of("CREATE INDEX i ON t (a) LOCK=NONE", "mysql") == "CREATE INDEX"

    @pytest.mark.parametrize("sql", [
        "CREATE UNIQUE INDEX idx ON users (email) USING BTREE",
        "CREATE UNIQUE INDEX idx USING BTREE ON users (email)",
    ])
    def test_create_index_using(self, sql):
        tree = ok(sql, "mysql")
        assert tree.args["unique"]
        assert tree.this.args["params"].args["using"].name == "BTREE"

    @pytest.mark.parametrize("kind", ["FULLTEXT", "SPATIAL"])
    def test_create_fulltext_spatial(self, kind):
        tree = ok(f"CREATE {kind} INDEX ft ON docs (body)", "mysql")
        assert tree.args["index_kind"] == kind and not tree.args.get("unique")

    def test_create_index_other_options(self):
        tree = ok("CREATE INDEX i ON t (a) COMMENT 'x' INVISIBLE ALGORITHM INPLACE", "mysql")
        assert tree.args["comment"] == "x" and tree.args["visible"] is False
        bad("CREATE INDEX i ON t (a) FROBNICATE", "mysql")

    def test_prefix_index_keeps_column(self):
        tree = ok("CREATE UNIQUE INDEX idx_email ON users (email(20))", "mysql")
        (ordered,) = tree.this.args["params"].args["columns"]
        prefix = ordered.this
        assert isinstance(prefix, exp.ColumnPrefix)
        assert prefix.name == "email" and prefix.expression.to_py() == 20
        assert tree.find(exp.Anonymous) is None

    def test_prefix_index_mixed_parts(self):
        tree = ok("CREATE INDEX i ON users (email(20), `Name`(10) DESC, plain, (lower(x)))", "mysql")
        parts = [o.this for o in tree.this.args["params"].args["columns"]]
        assert isinstance(parts[0], exp.ColumnPrefix) and parts[0].name == "email"
        assert isinstance(parts[1], exp.ColumnPrefix) and parts[1].this.args["quoted"] and parts[1].name == "Name"
        assert isinstance(parts[2], exp.Column) and parts[2].name == "plain"
        assert isinstance(parts[3], exp.Paren)  # functional key part stays an expression

    def test_prefix_in_alter_and_create_table_is_a_column_prefix(self):
        act = single(ok("ALTER TABLE users ADD INDEX idx (email(20))", "mysql"))
        assert isinstance(act.find(exp.ColumnPrefix), exp.ColumnPrefix)
        tree = ok("CREATE TABLE t (email varchar(255), UNIQUE KEY u (email(10)))", "mysql")
        assert tree.find(exp.ColumnPrefix).name == "email" and tree.find(exp.Anonymous) is None

    def test_drop_index_algorithm_lock(self):
        tree = ok("DROP INDEX idx_email ON users ALGORITHM=INPLACE LOCK=NONE", "mysql")
        assert isinstance(tree, exp.Drop) and tree.args["kind"] == "INDEX"
        assert tree.args["tables"][0].name == "idx_email"
        assert tree.args["cluster"].this.name == "users"
        assert [o.name for o in tree.args["options"]] == ["INPLACE", "NONE"]
        plain = ok("DROP INDEX idx_email ON users", "mysql")
        assert isinstance(plain, exp.Drop) and not plain.args.get("options")

    def test_convert_charset(self):
        act = single(ok("ALTER TABLE users CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", "mysql"))
        assert isinstance(act, n.ConvertCharset)
        assert (act.charset, act.collation) == ("utf8mb4", "utf8mb4_unicode_ci")
        assert single(ok("ALTER TABLE users CONVERT TO CHARSET latin1", "mysql")).collation is None

    @pytest.mark.parametrize(
        "sql,op,names,definition",
        [
            ("ALTER TABLE logs DROP PARTITION p2019", "DROP", ["p2019"], None),
            ("ALTER TABLE logs DROP PARTITION p2019, p2020", "DROP", ["p2019", "p2020"], None),
            ("ALTER TABLE t TRUNCATE PARTITION p0", "TRUNCATE", ["p0"], None),
            ("ALTER TABLE logs ADD PARTITION (PARTITION p2025 VALUES LESS THAN (2026))", "ADD", [], "(PARTITION p2025 VALUES LESS THAN (2026))"),
            ("ALTER TABLE t REORGANIZE PARTITION p0, p1 INTO (PARTITION p2 VALUES LESS THAN (10))", "REORGANIZE", ["p0", "p1"], "(PARTITION p2 VALUES LESS THAN (10))"),
            ("ALTER TABLE t COALESCE PARTITION 2", "COALESCE", [], "2"),
            ("ALTER TABLE t EXCHANGE PARTITION p0 WITH TABLE t2 WITHOUT VALIDATION", "EXCHANGE", ["p0"], "WITH TABLE t2 WITHOUT VALIDATION"),
            ("ALTER TABLE t REMOVE PARTITIONING", "REMOVE PARTITIONING", [], None),
            ("ALTER TABLE t PARTITION BY HASH(id) PARTITIONS 4", "PARTITION BY", [], "HASH(id) PARTITIONS 4"),
        ],
    )
    def test_partitions(self, sql, op, names, definition):
        act = single(ok(sql, "mysql"))
        assert isinstance(act, n.PartitionOperation)
        assert (act.operation, [p.this for p in act.partitions], act.definition) == (op, names, definition)

    @pytest.mark.parametrize("clause", [
        "HASH(id) PARTITIONS 4",
        "KEY(id) PARTITIONS 4",
        "RANGE COLUMNS (id) (PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN MAXVALUE)",
        "LIST (id) (PARTITION p0 VALUES IN (1, 2))",
        "RANGE (id) SUBPARTITION BY HASH (id) SUBPARTITIONS 2 (PARTITION p0 VALUES LESS THAN (2000))",
    ])
    def test_create_partitioned_table(self, clause):
        tree = ok(f"CREATE TABLE t (id INT NOT NULL, PRIMARY KEY (id)) ENGINE=InnoDB PARTITION BY {clause}", "mysql")
        assert isinstance(tree, exp.Create) and tree.this.this.name == "t"
        assert [c.name for c in tree.this.expressions if isinstance(c, exp.ColumnDef)] == ["id"]
        assert tree.args["partition_by"] == clause

    def test_create_partitioned_table_from_a_dump(self):
        tree = ok("CREATE TABLE t (id INT) ENGINE=InnoDB\n/*!50100 PARTITION BY HASH (id) PARTITIONS 2 */", "mysql")
        assert tree.args["partition_by"] == "HASH (id) PARTITIONS 2"

    def test_window_partition_by_is_not_table_partitioning(self):
        tree = ok("CREATE TABLE t AS SELECT a, row_number() OVER (PARTITION BY b) AS n FROM s", "mysql")
        assert not tree.args.get("partition_by")

    def test_truncate_partition_all(self):
        act = single(ok("ALTER TABLE t TRUNCATE PARTITION ALL", "mysql"))
        assert act.all and act.partitions == ()

    def test_add_column_list(self):
        tree = ok("ALTER TABLE users ADD COLUMN (a INT, b INT NOT NULL DEFAULT 0)", "mysql")
        a, b = actions(tree)
        assert isinstance(a, exp.ColumnDef) and a.name == "a"
        assert isinstance(b, exp.ColumnDef) and b.name == "b"
        assert len(actions(ok("ALTER TABLE users ADD (a INT, b INT)", "mysql"))) == 2

    def test_add_check_without_name(self):
        act = single(ok("ALTER TABLE t ADD CHECK (x > 0)", "mysql"))
        assert isinstance(act.expressions[0], exp.CheckColumnConstraint)

    def test_rename_as_and_to(self):
        for sql in ("ALTER TABLE users RENAME AS users_old", "ALTER TABLE users RENAME TO users_old", "ALTER TABLE users RENAME users_old"):
            act = single(ok(sql, "mysql"))
            assert isinstance(act, exp.AlterRename) and act.this.name == "users_old", sql

    def test_rename_old_to_new_is_not_a_table_rename(self):
        # MySQL has no `RENAME a TO b` for columns; sqlglot reads it as a table rename to `a`
        result = bad("ALTER TABLE users RENAME last_name TO surname", "mysql")
        assert "RENAME COLUMN" in result.unanalysed
        assert result.error_offset == len("ALTER TABLE users RENAME last_name ")

    def test_rename_column_and_index(self):
        ren = single(ok("ALTER TABLE t RENAME COLUMN a TO b", "mysql"))
        assert isinstance(ren, exp.RenameColumn)
        assert isinstance(single(ok("ALTER TABLE t RENAME INDEX a TO b", "mysql")), exp.RenameIndex)

    def test_algorithm_lock_options(self):
        tree = ok("ALTER TABLE users ADD COLUMN x INT, ALGORITHM=INPLACE, LOCK=NONE", "mysql")
        assert isinstance(single(tree), exp.ColumnDef)
        assert [type(o) for o in tree.args["options"]] == [exp.AlgorithmProperty, exp.LockProperty]

    def test_algorithm_with_flylint_action(self):
        tree = ok("ALTER TABLE users CONVERT TO CHARACTER SET utf8mb4, ALGORITHM=COPY", "mysql")
        assert isinstance(single(tree), n.ConvertCharset)
        assert tree.args["options"][0].name == "COPY"

    def test_create_trigger(self):
        tree = ok("CREATE TRIGGER trg_users BEFORE INSERT ON users FOR EACH ROW SET NEW.created_at = NOW()", "mysql")
        assert isinstance(tree, n.CreateTrigger)
        assert (tree.name.name, tree.table.name, tree.timing, tree.events) == ("trg_users", "users", "BEFORE", ("INSERT",))
        assert tree.opaque_body is True and tree.body == "SET NEW.created_at = NOW()"

    def test_create_trigger_definer_block(self):
        tree = ok(
            "CREATE DEFINER=`root`@`localhost` TRIGGER t AFTER UPDATE ON users FOR EACH ROW FOLLOWS t0 "
            "BEGIN INSERT INTO audit VALUES (OLD.id); UPDATE x SET y = 1; END",
            "mysql",
        )
        assert tree.timing == "AFTER" and tree.body.startswith("BEGIN") and tree.body.endswith("END")

    def test_optimize(self):
        tree = ok("OPTIMIZE TABLE users, orders", "mysql")
        assert isinstance(tree, n.OptimizeTable) and [t.name for t in tree.tables] == ["users", "orders"]
        assert kind_of("OPTIMIZE TABLE users", "mysql") == "OPTIMIZE TABLE"

    def test_lock_unlock_tables(self):
        tree = ok("LOCK TABLES users WRITE, orders AS o READ LOCAL, x LOW_PRIORITY WRITE", "mysql")
        assert isinstance(tree, n.LockTables)
        assert [(l.table.name, l.mode, l.alias.this if l.alias else None) for l in tree.locks] == [
            ("users", "WRITE", None), ("orders", "READ LOCAL", "o"), ("x", "LOW_PRIORITY WRITE", None)
        ]
        assert isinstance(ok("LOCK TABLE users READ", "mysql"), n.LockTables)
        assert isinstance(ok("UNLOCK TABLES", "mysql"), n.UnlockTables)

    def test_replace_into(self):
        tree = ok("REPLACE INTO t (a) VALUES (1)", "mysql")
        assert isinstance(tree, exp.Insert) and tree.args["alternative"] == "REPLACE"
        assert tree.this.find(exp.Table).name == "t"
        assert kind_of("REPLACE INTO t (a) VALUES (1)", "mysql") == "REPLACE"
        assert ok("REPLACE LOW_PRIORITY INTO t SELECT * FROM s", "mysql").args["alternative"] == "REPLACE"

    def test_create_procedure(self):
        tree = ok("CREATE PROCEDURE backfill() BEGIN UPDATE users SET x = 1; UPDATE users SET y = 2; END", "mysql")
        assert isinstance(tree, n.CreateFunction)
        assert (tree.kind, tree.name.name, tree.parameters) == ("PROCEDURE", "backfill", "")
        assert tree.opaque_body and tree.body.startswith("BEGIN UPDATE users") and tree.body.endswith("END")

    def test_create_function(self):
        tree = ok(
            "CREATE DEFINER=CURRENT_USER FUNCTION f(a INT) RETURNS VARCHAR(10) CHARACTER SET utf8mb4 "
            "DETERMINISTIC READS SQL DATA BEGIN RETURN 'x'; END",
            "mysql",
        )
        assert (tree.kind, tree.returns, tree.parameters) == ("FUNCTION", "VARCHAR(10) CHARACTER SET utf8mb4", "a INT")
        assert tree.body == "BEGIN RETURN 'x'; END"
        tree = ok("CREATE FUNCTION f(a INT) RETURNS INT RETURN a + 1", "mysql")
        assert tree.body == "RETURN a + 1"

    def test_create_event(self):
        tree = ok("CREATE EVENT IF NOT EXISTS e ON SCHEDULE EVERY 1 DAY ON COMPLETION PRESERVE DO DELETE FROM t", "mysql")
        assert isinstance(tree, n.CreateEvent)
        assert (tree.name.name, tree.schedule, tree.body, tree.if_not_exists) == (
            "e", "EVERY 1 DAY ON COMPLETION PRESERVE", "DELETE FROM t", True
        )
        assert tree.opaque_body
        drop = ok("DROP EVENT IF EXISTS e", "mysql")
        assert isinstance(drop, exp.Drop) and drop.args["kind"] == "EVENT"

    def test_set_names_and_variables(self):
        item = ok("SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci", "mysql").expressions[0]
        assert item.args["kind"] == "NAMES" and item.this.name == "utf8mb4"
        item = ok("SET foreign_key_checks = 0", "mysql").expressions[0]
        assert item.this.this.name == "foreign_key_checks" and item.this.expression.to_py() == 0

    def test_disable_keys(self):
        act = single(ok("ALTER TABLE t DISABLE KEYS", "mysql"))
        assert isinstance(act, n.KeysState) and not act.enabled


class TestMariaDB:
    def test_alter_online(self):
        tree = ok("ALTER ONLINE TABLE t ADD COLUMN x INT", "mariadb")
        assert tree.args.get("online") is True and isinstance(single(tree), exp.ColumnDef)
        assert tree.this.name == "t"

    @pytest.mark.parametrize("sql,wait,nowait", [
        ("ALTER TABLE t WAIT 5 ADD COLUMN x INT", 5, None),
        ("ALTER TABLE t NOWAIT ADD COLUMN x INT", None, True),
    ])
    def test_wait_nowait(self, sql, wait, nowait):
        tree = ok(sql, "mariadb")
        assert tree.args.get("wait") == wait and tree.args.get("nowait") == nowait
        assert isinstance(single(tree), exp.ColumnDef)

    def test_add_index_if_not_exists(self):
        act = single(ok("ALTER TABLE t ADD INDEX IF NOT EXISTS idx (x)", "mariadb"))
        assert isinstance(act, exp.AddConstraint) and act.args.get("exists") is True
        act = single(ok("ALTER TABLE t ADD UNIQUE KEY IF NOT EXISTS u (email)", "mariadb"))
        assert act.args.get("exists") is True
        act = single(ok("ALTER TABLE t ADD CONSTRAINT IF NOT EXISTS fk FOREIGN KEY (a) REFERENCES b (id)", "mariadb"))
        assert act.args.get("exists") is True and act.find(exp.ForeignKey) is not None

    def test_add_drop_column_if_exists(self):
        col = single(ok("ALTER TABLE t ADD COLUMN IF NOT EXISTS x INT", "mariadb"))
        assert isinstance(col, exp.ColumnDef) and col.args.get("exists")
        drop = single(ok("ALTER TABLE t DROP COLUMN IF EXISTS x", "mariadb"))
        assert drop.args.get("exists")
        drop = single(ok("ALTER TABLE t DROP INDEX IF EXISTS i", "mariadb"))
        assert drop.args.get("exists") and drop.args["kind"] == "INDEX"
        mod = single(ok("ALTER TABLE t CHANGE COLUMN IF EXISTS a b int", "mariadb"))
        assert isinstance(mod, exp.ModifyColumn) and mod.args.get("exists") is True

    def test_add_column_list_if_not_exists(self):
        tree = ok("ALTER TABLE t ADD COLUMN IF NOT EXISTS (a INT, b INT)", "mariadb")
        assert [c.args.get("exists") for c in actions(tree)] == [True, True]

    def test_create_or_replace(self):
        assert isinstance(ok("CREATE OR REPLACE TABLE t (id INT)", "mariadb"), exp.Create)
        trig = ok("CREATE OR REPLACE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1", "mariadb")
        assert trig.or_replace
        proc = ok("CREATE OR REPLACE PROCEDURE p() BEGIN SELECT 1; END", "mariadb")
        assert proc.or_replace and proc.kind == "PROCEDURE"

    def test_drop_partition_if_exists(self):
        act = single(ok("ALTER TABLE t DROP PARTITION IF EXISTS p0", "mariadb"))
        assert act.if_exists and act.partitions[0].this == "p0"

    def test_create_index_wait(self):
        tree = ok("CREATE INDEX i ON t (a) WAIT 10 ALGORITHM=INPLACE", "mariadb")
        assert tree.args["wait"] == 10 and tree.args["options"][0].name == "INPLACE"

    def test_rename_table_wait(self):
        tree = ok("RENAME TABLE a WAIT 3 TO b", "mariadb")
        assert tree.wait == 3 and tree.pairs[0][1].name == "b"

    @pytest.mark.parametrize("sql", [
        "ALTER ONLINE TABLE t ADD COLUMN x INT",
        "ALTER TABLE t WAIT 5 ADD COLUMN x INT",
        "ALTER TABLE t ADD INDEX IF NOT EXISTS idx (x)",
        "ALTER TABLE t ADD COLUMN IF NOT EXISTS x INT",
        "CREATE OR REPLACE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1",
    ])
    def test_mariadb_only_syntax_is_refused_for_mysql(self, sql):
        result = bad(sql, "mysql")
        assert "MariaDB" in result.unanalysed


class TestExecutableComments:
    def test_unwrap_keeps_offsets(self):
        text = "/*!40101 SET NAMES utf8 */"
        out = unwrap_executable_comments(text)
        assert len(out) == len(text) and out.strip() == "SET NAMES utf8"

    def test_set_names(self):
        tree = ok("/*!40101 SET NAMES utf8 */", "mysql")
        assert isinstance(tree, exp.Set) and tree.expressions[0].args["kind"] == "NAMES"

    def test_comments_around(self):
        tree = ok("-- dump header\n/*!40000 ALTER TABLE `t` DISABLE KEYS */ -- trailing", "mysql")
        assert isinstance(single(tree), n.KeysState)

    def test_dump_trigger(self):
        tree = ok(
            "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER t BEFORE INSERT ON x "
            "FOR EACH ROW SET NEW.a = 1 */",
            "mysql",
        )
        assert isinstance(tree, n.CreateTrigger) and tree.table.name == "x"

    def test_marker_in_string_is_not_a_comment(self):
        tree = ok("INSERT INTO t VALUES ('/*!40101 x */')", "mysql")
        assert tree.find(exp.Literal).name == "/*!40101 x */"

    def test_mariadb_marker(self):
        tree = ok("/*M!100100 SET NAMES utf8 */", "mariadb")
        assert isinstance(tree, exp.Set)
        bad("/*M!100100 SET NAMES utf8 */", "mysql")  # a plain comment for MySQL: nothing left

    def test_postgres_does_not_unwrap(self):
        bad("/*!40101 SET NAMES utf8 */", "postgres")


# ============================================================================================
# Invalid SQL and the unanalysed contract
# ============================================================================================


class TestInvalid:
    @pytest.mark.parametrize("dialect", ["postgres", "mysql", "mariadb"])
    @pytest.mark.parametrize(
        "sql",
        [
            "CREATE TABEL t (id int)",
            "ALTER TABLE users ADD COLUMN",
            "ALTER TABLE users FOO BAR",
            "ALTER TABLE users ADD COLUMN x int DEFAUL 1",
            "ALTER TABLE users ADD COLUMN x int NOT NUL",
            "ALTER TABLE users ADD COLUMN x int,, ADD COLUMN y int",
            "ALTER TABLE users DROP",
            "CREATE TABLE b (id int, name text",
            "DROP TABLE c d",
            "SELEC 1",
            "ALTER TABLE",
            "ALTER TYPE mood ADD VALUE",
            "REFRESH MATERIALIZED VIEW",
            "RENAME TABLE a TO",
            "LOCK TABLE",
        ],
    )
    def test_invalid_is_unanalysed_with_a_reason(self, sql, dialect):
        result = bad(sql, dialect)
        assert len(result.unanalysed) > 10
        if result.error_offset is not None:
            assert 0 <= result.error_offset <= len(sql)

    def test_error_offset_points_into_the_statement(self):
        sql = "CREATE TABLE t (\n  id int,\n  name text\n  email text\n)"
        result = bad(sql)
        assert result.unanalysed.startswith("syntax error")
        assert sql[result.error_offset :].startswith("email")

    def test_error_offset_of_action(self):
        sql = "ALTER TABLE users ADD COLUMN a int, ADD COLUMN b int DEFAUL 1"
        result = bad(sql)
        assert result.error_offset == sql.index("ADD COLUMN b")

    def test_unterminated_string(self):
        result = bad("SELECT 'abc")
        assert "token" in result.unanalysed

    def test_unknown_dialect(self):
        assert "dialect" in bad("SELECT 1", "oracle").unanalysed

    def test_empty(self):
        assert "empty" in bad("   -- nothing\n").unanalysed
        assert "empty" in bad("").unanalysed

    def test_two_statements_refused(self):
        bad("SELECT 1; SELECT 2")

    def test_kind_is_set_for_unanalysed(self):
        assert parse_statement("ALTER TABLE users FOO BAR", "postgres").kind == "ALTER TABLE"
        assert parse_statement("CREATE TABEL t (id int)", "postgres").kind == "CREATE TABEL"


class TestContract:
    def test_no_output_and_no_log_propagation(self, capsys, caplog):
        caplog.set_level(logging.DEBUG)
        parse_statement("ALTER TABLE users FOO BAR", "postgres")
        parse_statement("CREATE TABEL t (id int)", "mysql")
        captured = capsys.readouterr()
        assert captured.out == "" and captured.err == ""
        assert not [r for r in caplog.records if r.name.startswith("sqlglot")]

    def test_sqlglot_records_outside_flylint_pass_through(self, caplog):
        caplog.set_level(logging.WARNING)
        parse_statement("CREATE TABEL t (id int)", "postgres")
        logging.getLogger("sqlglot").warning("outside flylint")
        assert [r.getMessage() for r in caplog.records if r.name == "sqlglot"] == ["outside flylint"]

    def test_logger_is_restored(self):
        logger = logging.getLogger("sqlglot")
        before = (list(logger.handlers), logger.propagate, logger.level)
        logger.setLevel(logging.ERROR)
        try:
            result = parse_statement("CREATE TABEL t (id int)", "postgres")
            assert result.unanalysed
            assert logger.level == logging.ERROR
        finally:
            logger.setLevel(before[2])
        assert (list(logger.handlers), logger.propagate) == before[:2]

    def test_results_pickle(self):
        for sql, dialect in [
            ("ALTER TABLE t ADD CONSTRAINT a CHECK (x > 0) NOT VALID, VALIDATE CONSTRAINT b", "postgres"),
            ("RENAME TABLE a TO b", "mysql"),
            ("ALTER TABLE orders DETACH PARTITION p CONCURRENTLY", "postgres"),
        ]:
            result = parse_statement(sql, dialect)
            again = pickle.loads(pickle.dumps(result))
            assert again == result

    def test_not_valid_survives_pickling(self):
        tree = ok("ALTER TABLE t ADD CONSTRAINT a CHECK (x > 0) NOT VALID")
        assert single(pickle.loads(pickle.dumps(tree))).args["not_valid"] is True

    def test_walk_reaches_into_flylint_nodes(self):
        tree = ok("ALTER TABLE t ATTACH PARTITION p DEFAULT, VALIDATE CONSTRAINT c")
        names = [x.name for x in n.walk(tree) if isinstance(x, exp.Table)]
        assert names == ["t", "p"]
        tree = ok("RENAME TABLE a TO b, c TO d", "mysql")
        assert [x.name for x in n.walk(tree) if isinstance(x, exp.Table)] == ["a", "b", "c", "d"]

    def test_bom_is_ignored(self):
        assert isinstance(ok("\ufeffSELECT 1"), exp.Select)

    def test_frozen_nodes(self):
        tree = ok("REINDEX TABLE users")
        with pytest.raises(Exception):
            tree.kind = "INDEX"  # type: ignore[misc]
