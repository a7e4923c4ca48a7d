"""flylint.dbfacts: the lock / rewrite / algorithm facts per dialect and version."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flylint import dbfacts
from flylint.dbfacts import (
    CHANGES,
    DETAIL_DEFAULTS,
    DIALECTS,
    NO_OPERATION,
    OLDEST,
    PG_LOCK_MODES,
    TABLES,
    Cost,
    cost,
    describe,
    lock_blocks,
    parse_version,
)
from flylint.dbfacts.rows import version_at_least

AE = "ACCESS EXCLUSIVE"


# ---- PostgreSQL -------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["11", "11.0", "12", "15.4", "17"])
def test_pg_add_column_constant_default_is_catalog_only_from_11(version):
    c = cost("postgres", "add-column", version, has_default=True, not_null=True)
    assert (c.lock, c.blocks, c.rewrite, c.scan, c.duration) == (AE, "reads and writes", False, False, "instant")
    assert c.since == "11"
    assert c.algorithm is None


@pytest.mark.parametrize("version", ["9.6", "10", "10.23"])
def test_pg_add_column_default_rewrites_before_11(version):
    c = cost("postgres", "add-column", version, has_default=True)
    assert c.lock == AE and c.rewrite and c.scan and c.duration == "rewrite"


@pytest.mark.parametrize("version", ["9.6", "11", "12", "15", "17.2"])
def test_pg_volatile_default_rewrites_on_every_version(version):
    c = cost("postgres", "add-column", version, has_default=True, default_volatile=True)
    assert c.lock == AE and c.rewrite and c.duration == "rewrite"


@pytest.mark.parametrize("flag", ["generated_stored", "identity"])
def test_pg_stored_generated_and_identity_columns_rewrite(flag):
    c = cost("postgres", "add-column", "15", **{flag: True})
    assert c.rewrite and c.lock == AE


def test_pg_add_nullable_column_is_catalog_only():
    c = cost("postgres", "add-column", "15")
    assert c.lock == AE and not c.rewrite and not c.scan and c.duration == "instant"


def test_pg_add_not_null_column_without_default_warns_it_fails_on_rows():
    c = cost("postgres", "add-column", "15", not_null=True)
    assert "fails" in c.note and not c.rewrite


def test_pg_set_not_null_scans_under_access_exclusive():
    c = cost("postgres", "set-not-null", "15")
    assert (c.lock, c.scan, c.rewrite, c.duration) == (AE, True, False, "scan")
    assert "CHECK" in c.note


@pytest.mark.parametrize("version", ["12", "13", "16.1"])
def test_pg_set_not_null_proven_by_check_skips_the_scan_from_12(version):
    c = cost("postgres", "set-not-null", version, proven_by_check=True)
    assert c.lock == AE and not c.scan and c.duration == "instant" and c.since == "12"


def test_pg_set_not_null_proven_by_check_still_scans_on_11():
    c = cost("postgres", "set-not-null", "11", proven_by_check=True)
    assert c.scan and c.duration == "scan"


def test_pg_create_index_takes_share_and_blocks_writes():
    c = cost("postgres", "create-index", "15")
    assert (c.lock, c.blocks, c.scan, c.rewrite) == ("SHARE", "writes", True, False)


def test_pg_create_index_concurrently_takes_share_update_exclusive():
    c = cost("postgres", "create-index", "15", concurrently=True)
    assert c.lock == "SHARE UPDATE EXCLUSIVE"
    assert c.blocks == "other DDL and VACUUM"
    assert "transaction" in c.note


def test_pg_create_index_concurrently_warns_about_the_14_0_to_14_3_corruption():
    assert "corrupt" in cost("postgres", "create-index", "14.3", concurrently=True).note
    assert "corrupt" not in cost("postgres", "create-index", "14.4", concurrently=True).note
    assert "corrupt" not in cost("postgres", "create-index", "13", concurrently=True).note


def test_pg_add_foreign_key_takes_share_row_exclusive_and_scans_unless_not_valid():
    c = cost("postgres", "add-foreign-key", "15")
    assert (c.lock, c.blocks, c.scan) == ("SHARE ROW EXCLUSIVE", "writes", True)
    nv = cost("postgres", "add-foreign-key", "15", not_valid=True)
    assert (nv.lock, nv.scan, nv.duration) == ("SHARE ROW EXCLUSIVE", False, "instant")


def test_pg_validate_constraint_scans_under_share_update_exclusive():
    c = cost("postgres", "validate-constraint", "15")
    assert c.lock == "SHARE UPDATE EXCLUSIVE" and c.scan and not c.rewrite


def test_pg_add_check_scans_unless_not_valid():
    assert cost("postgres", "add-check", "15").scan
    assert not cost("postgres", "add-check", "15", not_valid=True).scan


def test_pg_change_column_type_rewrites_unless_binary_coercible():
    c = cost("postgres", "change-column-type", "15")
    assert c.lock == AE and c.rewrite and c.duration == "rewrite"
    b = cost("postgres", "change-column-type", "15", binary_coercible=True)
    assert b.lock == AE and not b.rewrite and b.duration == "instant"


def test_pg_unique_and_primary_key_using_index():
    assert not cost("postgres", "add-unique", "15", using_index=True).scan
    assert cost("postgres", "add-unique", "15").scan
    assert not cost("postgres", "add-primary-key", "15", using_index=True, not_null=True).scan
    assert cost("postgres", "add-primary-key", "15", using_index=True).scan


def test_pg_drop_index_concurrently_and_drop_fk_on_referenced_table():
    assert cost("postgres", "drop-index", "15").lock == AE
    assert cost("postgres", "drop-index", "15", concurrently=True).lock == "SHARE UPDATE EXCLUSIVE"
    assert "referenced table" in cost("postgres", "drop-constraint", "15", constraint_kind="foreign-key").note


def test_pg_reindex_concurrently_from_12_and_refused_before():
    c = cost("postgres", "reindex", "15", concurrently=True)
    assert c.lock == "SHARE UPDATE EXCLUSIVE" and c.refused is None
    old = cost("postgres", "reindex", "11", concurrently=True)
    assert old.refused and "12" in old.refused
    assert describe(old).startswith("fails: ")
    assert cost("postgres", "reindex", "15").lock == "SHARE"


def test_pg_rewrite_table_and_plain_vacuum():
    assert cost("postgres", "rewrite-table", "15").lock == AE
    assert cost("postgres", "rewrite-table", "15", full=True).rewrite
    vacuum = cost("postgres", "rewrite-table", "15", full=False)
    assert vacuum.lock == "SHARE UPDATE EXCLUSIVE" and not vacuum.rewrite


def test_pg_create_table_and_enum_value_take_no_table_lock():
    assert cost("postgres", "create-table", "15").lock is None
    assert cost("postgres", "create-table", "15").blocks == "nothing"
    assert cost("postgres", "add-enum-value", "15").lock is None
    assert "transaction block" in cost("postgres", "add-enum-value", "11").note


@pytest.mark.parametrize("mode", PG_LOCK_MODES)
def test_pg_lock_table_takes_the_named_mode(mode):
    c = cost("postgres", "lock-table", "15", mode=mode.lower())
    assert c.lock == mode and c.blocks == lock_blocks(mode)


def test_pg_lock_table_defaults_to_access_exclusive_and_reads_pg_locks_names():
    assert cost("postgres", "lock-table", "15").lock == AE
    assert cost("postgres", "lock-table", "15", mode="ShareRowExclusiveLock").lock == "SHARE ROW EXCLUSIVE"


# ---- MySQL ------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["8.0.12", "8.0.28", "8.0.35", "8.4.0", "9.1"])
def test_mysql_add_column_instant_from_8_0_12(version):
    c = cost("mysql", "add-column", version, has_default=True, not_null=True)
    assert (c.algorithm, c.lock, c.rewrite, c.duration) == ("INSTANT", "NONE", False, "instant")
    assert describe(c) == "INSTANT: no table copy (MySQL 8.0.12+)"


@pytest.mark.parametrize("version", ["5.6.40", "5.7", "5.7.44", "8.0", "8.0.11"])
def test_mysql_add_column_rebuilds_inplace_before_8_0_12(version):
    c = cost("mysql", "add-column", version)
    assert (c.algorithm, c.lock, c.blocks, c.rewrite) == ("INPLACE", "NONE", "nothing", True)


def test_mysql_add_column_with_position_rebuilds_before_8_0_29():
    c = cost("mysql", "add-column", "8.0.28", position=True)
    assert (c.algorithm, c.rewrite) == ("INPLACE", True)
    new = cost("mysql", "add-column", "8.0.29", position=True)
    assert (new.algorithm, new.rewrite, new.since) == ("INSTANT", False, "8.0.29")


def test_mysql_stored_generated_and_auto_increment_columns_block_writes():
    gen = cost("mysql", "add-column", "8.0.35", generated_stored=True)
    assert (gen.algorithm, gen.lock, gen.blocks) == ("COPY", "SHARED", "writes")
    ai = cost("mysql", "add-column", "8.0.35", identity=True)
    assert (ai.algorithm, ai.lock, ai.rewrite) == ("INPLACE", "SHARED", True)


def test_mysql_drop_and_rename_column_gates():
    assert cost("mysql", "drop-column", "8.0.28").algorithm == "INPLACE"
    assert cost("mysql", "drop-column", "8.0.29").algorithm == "INSTANT"
    assert cost("mysql", "rename-column", "8.0.27").algorithm == "INPLACE"
    assert not cost("mysql", "rename-column", "8.0.27").rewrite
    assert cost("mysql", "rename-column", "8.0.28").algorithm == "INSTANT"


def test_mysql_change_column_type_is_copy():
    c = cost("mysql", "change-column-type", "8.0.35")
    assert (c.algorithm, c.lock, c.blocks, c.rewrite) == ("COPY", "SHARED", "writes", True)
    assert describe(c) == "COPY with LOCK=SHARED: copies the table, blocks writes"


def test_mysql_varchar_extension_is_inplace_metadata_not_instant():
    c = cost("mysql", "change-column-type", "8.0.35", binary_coercible=True)
    assert (c.algorithm, c.rewrite) == ("INPLACE", False)


def test_mysql_enum_append_is_instant_and_reorder_copies():
    assert cost("mysql", "add-enum-value", "8.0.35", enum_append=True).algorithm == "INSTANT"
    assert cost("mysql", "add-enum-value", "5.7.40", enum_append=True).algorithm == "INPLACE"
    assert cost("mysql", "add-enum-value", "8.0.35").algorithm == "COPY"
    assert cost("mysql", "change-column-type", "8.0.35", enum_append=True).algorithm == "INSTANT"


def test_mysql_foreign_key_is_copy_with_checks_on_and_inplace_with_checks_off():
    on = cost("mysql", "add-foreign-key", "8.0.35")
    assert (on.algorithm, on.lock, on.rewrite) == ("COPY", "SHARED", True)
    off = cost("mysql", "add-foreign-key", "8.0.35", foreign_key_checks=False)
    assert (off.algorithm, off.lock, off.rewrite) == ("INPLACE", "NONE", False)
    assert "not checked" in off.note


def test_mysql_check_constraint_is_copy_from_8_0_16_and_ignored_before():
    assert cost("mysql", "add-check", "8.0.16").algorithm == "COPY"
    old = cost("mysql", "add-check", "8.0.15")
    assert old.algorithm is None and "ignore" in old.note


def test_mysql_set_not_null_rebuilds_online():
    c = cost("mysql", "set-not-null", "8.0.35")
    assert (c.algorithm, c.lock, c.rewrite) == ("INPLACE", "NONE", True)
    assert "strict" in c.note


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_drop_primary_key_is_copy(dialect):
    c = cost(dialect, "drop-constraint", "10.11" if dialect == "mariadb" else "8.0.35", constraint_kind="primary key")
    assert (c.algorithm, c.lock, c.blocks, c.rewrite) == ("COPY", "SHARED", "writes", True)
    fk = cost(dialect, "drop-constraint", "10.11" if dialect == "mariadb" else "8.0.35", constraint_kind="foreign-key")
    assert fk.algorithm != "COPY" and not fk.rewrite


@pytest.mark.parametrize("dialect, version", [("mysql", "8.0.35"), ("mariadb", "10.11")])
def test_rewrite_table_charset_conversion_copies(dialect, version):
    c = cost(dialect, "rewrite-table", version, reason="charset")
    assert (c.algorithm, c.lock, c.rewrite) == ("COPY", "SHARED", True)
    assert cost(dialect, "rewrite-table", version, reason="optimize").algorithm == "INPLACE"


def test_catalog_detail_names_are_understood():
    # the catalog passes its whole detail dict: names the rows use, and others to ignore
    c = cost("mariadb", "drop-constraint", "10.11", constraint_kind="primary-key", born=False, options=())
    assert c.algorithm == "COPY"
    assert cost("postgres", "lock-table", "15", mode="IN SOME ODD MODE").lock == AE


def test_mysql_lock_tables():
    assert cost("mysql", "lock-table", "8.0.35", mode="read local").lock == "SHARED"
    assert cost("mysql", "lock-table", "8.0.35", mode="WRITE").blocks == "reads and writes"
    assert cost("mysql", "lock-table", "8.0.35").lock == "EXCLUSIVE"


def test_mysql_has_no_validate_or_reindex():
    assert cost("mysql", "validate-constraint", "8.0.35") is None
    assert cost("mariadb", "reindex", "10.11") is None


# ---- MariaDB ----------------------------------------------------------------------------------


def test_mariadb_instant_add_column_from_10_3_2():
    assert cost("mariadb", "add-column", "10.3.1").rewrite
    c = cost("mariadb", "add-column", "10.3.2")
    assert not c.rewrite and c.since == "10.3.2"
    assert c.algorithm == "INPLACE"  # the name INSTANT exists from 10.3.7
    assert cost("mariadb", "add-column", "10.3.7").algorithm == "INSTANT"
    assert describe(cost("mariadb", "add-column", "10.11")) == "INSTANT: no table copy (MariaDB 10.3.2+)"


def test_mariadb_add_column_anywhere_and_drop_column_instant_from_10_4():
    assert cost("mariadb", "add-column", "10.3.39", position=True).rewrite
    assert cost("mariadb", "add-column", "10.4", position=True).algorithm == "INSTANT"
    assert cost("mariadb", "drop-column", "10.3.39").rewrite
    # 10.11 > 10.4 numerically (not as text)
    assert cost("mariadb", "drop-column", "10.11").algorithm == "INSTANT"


def test_mariadb_differs_from_mysql_on_varchar_extension():
    assert cost("mariadb", "change-column-type", "10.11", binary_coercible=True).algorithm == "INSTANT"
    assert cost("mysql", "change-column-type", "8.0.35", binary_coercible=True).algorithm == "INPLACE"


def test_mariadb_measured_rows():
    assert cost("mariadb", "change-column-type", "10.11").algorithm == "COPY"
    assert cost("mariadb", "create-index", "10.11").algorithm == "NOCOPY"
    assert cost("mariadb", "drop-index", "10.11").algorithm == "NOCOPY"
    assert cost("mariadb", "add-check", "10.11").algorithm == "COPY"
    assert cost("mariadb", "add-foreign-key", "10.11").algorithm == "COPY"
    assert cost("mariadb", "add-foreign-key", "10.11", foreign_key_checks=False).algorithm == "NOCOPY"
    assert cost("mariadb", "add-column", "10.11", default_volatile=True).algorithm == "COPY"
    assert cost("mariadb", "add-column", "10.11", identity=True).lock == "SHARED"
    assert cost("mariadb", "set-not-null", "10.11").rewrite
    assert cost("mariadb", "rename-table", "10.11").algorithm == "INSTANT"
    assert cost("mariadb", "replace-view", "10.11").lock == "EXCLUSIVE"
    assert cost("mariadb", "create-view", "10.11").blocks == "nothing"


def test_mariadb_nocopy_is_called_inplace_before_10_3_7():
    assert cost("mariadb", "create-index", "10.2.44").algorithm == "INPLACE"


def test_mariadb_online_copy_from_11_2():
    old = cost("mariadb", "change-column-type", "11.1")
    assert (old.lock, old.blocks) == ("SHARED", "writes")
    new = cost("mariadb", "change-column-type", "11.4")
    assert (new.algorithm, new.lock, new.blocks, new.rewrite) == ("COPY", "NONE", "nothing", True)
    assert "online" in new.note


# ---- explicit ALGORITHM= / LOCK= clauses -------------------------------------------------------


def test_algorithm_better_than_possible_is_refused():
    c = cost("mysql", "change-column-type", "8.0.35", algorithm="INSTANT")
    assert c.refused and "INSTANT" in c.refused
    m = cost("mariadb", "change-column-type", "10.11", algorithm="inplace")
    assert m.refused


def test_mariadb_algorithm_is_a_minimum_but_copy_forces_a_copy():
    # measured on MariaDB 10.11: ADD COLUMN ..., ALGORITHM=INPLACE stayed instant
    assert cost("mariadb", "add-column", "10.11", algorithm="INPLACE").algorithm == "INSTANT"
    forced = cost("mariadb", "add-column", "10.11", algorithm="COPY")
    assert (forced.algorithm, forced.lock, forced.rewrite) == ("COPY", "SHARED", True)


def test_mysql_inplace_on_an_instant_add_column_rebuilds():
    c = cost("mysql", "add-column", "8.0.35", algorithm="INPLACE")
    assert (c.algorithm, c.rewrite) == ("INPLACE", True)
    rename = cost("mysql", "rename-column", "8.0.35", algorithm="INPLACE")
    assert (rename.algorithm, rename.rewrite) == ("INPLACE", False)


def test_mysql_lock_clause_on_instant_change():
    c = cost("mysql", "add-column", "8.0.35", lock="NONE")
    assert (c.algorithm, c.rewrite, c.refused) == ("INPLACE", True, None)
    assert cost("mysql", "add-column", "8.0.35", algorithm="INSTANT", lock="NONE").refused


def test_lock_clause_weaker_than_needed_is_refused_stronger_is_taken():
    assert cost("mariadb", "change-column-type", "10.11", lock="NONE").refused
    assert cost("mariadb", "change-column-type", "11.4", lock="NONE").refused is None
    assert cost("mysql", "create-index", "8.0.35", lock="EXCLUSIVE").blocks == "reads and writes"
    assert cost("mysql", "create-index", "8.0.35", lock="DEFAULT").lock == "NONE"


def test_mysql_has_no_nocopy():
    assert cost("mysql", "create-index", "8.0.35", algorithm="NOCOPY").refused


# ---- versions and assumptions -----------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
def test_assumed_version_is_set_only_without_db_version(dialect):
    c = cost(dialect, "add-column")
    assert c.assumed_version == OLDEST[dialect]
    assert cost(dialect, "add-column", OLDEST[dialect]) == dataclasses.replace(c, assumed_version=None)
    assert cost(dialect, "add-column", "99").assumed_version is None


def test_oldest_versions():
    assert OLDEST == {"postgres": "12", "mysql": "5.7", "mariadb": "10.5"}
    # the canonical NOT NULL recipe is clean without configuration
    assert not cost("postgres", "set-not-null", proven_by_check=True).scan


@pytest.mark.parametrize(
    "text, parsed",
    [
        ("15", (15,)),
        ("15.4", (15, 4)),
        ("8.0.35", (8, 0, 35)),
        ("10.11", (10, 11)),
        ("10.11.6-MariaDB-0+deb12u1", (10, 11, 6)),
        ("PostgreSQL 15.4 (Debian 15.4-1)", (15, 4)),
        (16, (16,)),
    ],
)
def test_parse_version(text, parsed):
    assert parse_version(text) == parsed


def test_versions_compare_numerically_and_short_means_first_release():
    assert version_at_least((10, 11), (10, 4))
    assert not version_at_least((10, 3), (10, 3, 2))
    assert version_at_least((8, 0, 12), (8, 0, 12))
    assert not version_at_least((8, 0), (8, 0, 12))
    with pytest.raises(ValueError):
        parse_version("latest")


def test_unknown_change_and_dialect():
    assert cost("postgres", "frobnicate", "15") is None
    with pytest.raises(ValueError):
        cost("oracle", "add-column", "19")
    assert cost("postgresql", "add-column", "15").dialect == "postgres"


def test_unknown_detail_keys_are_ignored():
    assert cost("postgres", "add-column", "15", colour="blue") == cost("postgres", "add-column", "15")


# ---- lock vocabulary ----------------------------------------------------------------------------


def test_lock_blocks():
    assert lock_blocks("ACCESS EXCLUSIVE") == "reads and writes"
    assert lock_blocks("AccessExclusiveLock") == "reads and writes"
    assert lock_blocks("exclusive") == "writes and SELECT FOR UPDATE/SHARE"
    assert lock_blocks("SHARE ROW EXCLUSIVE") == "writes"
    assert lock_blocks("share") == "writes"
    assert lock_blocks("ShareUpdateExclusiveLock") == "other DDL and VACUUM"
    for weak in ("ROW EXCLUSIVE", "ROW SHARE", "ACCESS SHARE"):
        assert lock_blocks(weak) == "nothing"
    with pytest.raises(ValueError):
        lock_blocks("SUPER EXCLUSIVE")


def test_conflict_matrix_is_symmetric():
    for a in PG_LOCK_MODES:
        for b in PG_LOCK_MODES:
            assert (b in dbfacts.PG_CONFLICTS[a]) == (a in dbfacts.PG_CONFLICTS[b])


def test_describe():
    c = cost("postgres", "change-column-type", "15")
    assert describe(c) == "takes an ACCESS EXCLUSIVE lock (blocks reads and writes) and rewrites the table"
    assert describe(cost("postgres", "set-not-null", "15")).endswith("scans the whole table while holding it")
    assert describe(cost("postgres", "add-column", "15", has_default=True)).endswith("(PostgreSQL 11+)")
    assert describe(cost("mysql", "add-column", "8.0.35")) == "INSTANT: no table copy (MySQL 8.0.12+)"
    assert describe(cost("mysql", "add-column", "5.7")).startswith("INPLACE with LOCK=NONE: rebuilds the table")
    assert "metadata lock" in describe(cost("mariadb", "drop-table", "10.11"))


# ---- the tables themselves --------------------------------------------------------------------


def _rows():
    for dialect, rows in TABLES.items():
        for index, row in enumerate(rows):
            yield pytest.param(dialect, row, id=f"{dialect}-{index}-{row.change}")


@pytest.mark.parametrize("dialect, row", list(_rows()))
def test_every_row_is_well_formed(dialect, row):
    assert row.source.strip(), "every fact needs a source"
    assert row.change in CHANGES
    assert row.duration in ("instant", "scan", "rewrite")
    assert row.duration == ("rewrite" if row.rewrite else "scan" if row.scan else "instant")
    for key, _value in row.when:
        assert key in DETAIL_DEFAULTS
    if row.since:
        parse_version(row.since)
    if row.until:
        parse_version(row.until)
    if dialect == "postgres":
        assert row.algorithm is None
        assert row.lock is None or row.lock in PG_LOCK_MODES
        assert row.blocks == ("nothing" if row.lock is None else lock_blocks(row.lock))
    else:
        assert row.algorithm in (None, "INSTANT", "NOCOPY", "INPLACE", "COPY")
        assert row.algorithm != "NOCOPY" or dialect == "mariadb"
        assert row.lock in (None, "NONE", "SHARED", "EXCLUSIVE")
        assert row.algorithm != "COPY" or row.lock in ("SHARED", "EXCLUSIVE")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_change_has_a_fallback_row_and_no_row_is_unreachable(dialect):
    rows = TABLES[dialect]
    for change in CHANGES:
        mine = [r for r in rows if r.change == change]
        if change in NO_OPERATION[dialect]:
            assert not mine
            continue
        fallbacks = [i for i, r in enumerate(mine) if not r.when and r.since is None and r.until is None]
        assert fallbacks, f"{dialect} {change}: no unconditional row"
        assert fallbacks[0] == len(mine) - 1, f"{dialect} {change}: rows after the fallback are dead"


_details = st.fixed_dictionaries(
    {},
    optional={
        key: (
            st.sampled_from(["INSTANT", "NOCOPY", "INPLACE", "COPY", "DEFAULT", None])
            if key == "algorithm"
            else st.sampled_from(["NONE", "SHARED", "EXCLUSIVE", "DEFAULT", None])
            if key == "lock"
            else st.sampled_from([None, "READ", "WRITE", "share", "nonsense"])
            if key == "mode"
            else st.sampled_from([None, "charset", "engine", "cluster"])
            if key == "reason"
            else st.sampled_from([None, "primary-key", "unique", "check", "foreign-key"])
            if key == "constraint_kind"
            else st.one_of(st.none(), st.booleans())
        )
        for key in DETAIL_DEFAULTS
    },
)


@settings(max_examples=300, deadline=None)
@given(
    dialect=st.sampled_from(DIALECTS),
    change=st.sampled_from(CHANGES),
    version=st.one_of(st.none(), st.sampled_from(["9.6", "5.7.30", "8.0.11", "8.0.29", "10.2", "10.3.2", "10.11", "11.4", "12", "15.4", "17"])),
    details=_details,
)
def test_any_question_gets_a_well_formed_answer(dialect, change, version, details):
    c = cost(dialect, change, version, **details)
    if change in NO_OPERATION[dialect]:
        assert c is None
        return
    assert isinstance(c, Cost)
    assert c.dialect == dialect and c.source
    assert c.duration in ("instant", "scan", "rewrite")
    assert (c.assumed_version is None) == (version is not None)
    assert c.rewrite <= c.scan  # a rewrite reads every row
    assert describe(c)
    if dialect == "postgres":
        assert c.algorithm is None
    elif c.refused is None and c.algorithm == "COPY":
        assert c.rewrite


def test_alter_domain_locks_the_tables_using_it():
    # measured on PostgreSQL 15.20: ADD CONSTRAINT / VALIDATE / SET NOT NULL on a domain hold SHARE on
    # each table with a column of the domain; NOT VALID takes no table lock
    for change in ("add-check", "validate-constraint", "set-not-null"):
        c = cost("postgres", change, "15", domain=True)
        assert (c.lock, c.scan, c.blocks) == ("SHARE", True, "writes"), change
    assert cost("postgres", "add-check", "15", domain=True, not_valid=True).lock is None
    assert cost("postgres", "validate-constraint", "15").lock == "SHARE UPDATE EXCLUSIVE"  # a table's


# ---- version-gated syntax ----------------------------------------------------------------------

def test_syntax_gates_by_version_and_their_sources():
    from flylint.dbfacts import syntax_gate
    from flylint.dbfacts.mysql import SYNTAX_SINCE

    gate = syntax_gate("mysql", "rename-column")  # MySQL 5.7 assumed
    assert (gate.since, gate.version, gate.assumed_version) == ("8.0", "5.7", "5.7")
    assert syntax_gate("mysql", "rename-column", "8.0") is None  # every 8.0 GA release has it
    assert syntax_gate("mariadb", "rename-column") is None  # MariaDB 10.5 assumed: has it
    assert syntax_gate("mariadb", "rename-column", "10.4.34").since == "10.5"
    assert syntax_gate("mysql", "drop-constraint", "8.0.18").since == "8.0.19"
    assert syntax_gate("mysql", "drop-constraint", "8.0.19") is None
    assert syntax_gate("mariadb", "drop-check", "11.4").since is None  # never: MariaDB drops a CHECK with DROP CONSTRAINT
    assert syntax_gate("postgres", "rename-column", "9.6") is None
    assert syntax_gate("mysql", "no-such-feature") is None
    for feature, per in SYNTAX_SINCE.items():
        for dialect, (_since, syntax, source) in per.items():
            assert syntax.startswith("ALTER TABLE"), feature
            assert "[manual]" in source or "measured" in source, (feature, dialect)
