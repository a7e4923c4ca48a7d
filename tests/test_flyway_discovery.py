"""Discovery of migrations on small real trees."""

from __future__ import annotations

from pathlib import Path

import pytest

from flylint.flyway import facts
from flylint.flyway.checksum import flyway_checksum
from flylint.flyway.config import FlywayConfig, FlywayConfigError, load_flyway_config
from flylint.flyway.discovery import Discovery, decode_text, discover, looks_empty, parse_location
from flylint.flyway.naming import NamingSettings
from flylint.model import Span, Version


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode("utf-8"))
    return path


def cfg(*locations: str, **kw) -> FlywayConfig:
    return FlywayConfig(locations=locations or ("filesystem:db/migration",), locations_configured=True, **kw)


def of(d: Discovery, kind):
    return [f for f in d.facts if isinstance(f, kind)]


def scripts(d: Discovery):
    return [s.migration.script for s in d.sources]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    m = tmp_path / "db" / "migration"
    write(m / "V1__init.sql", "CREATE TABLE t (id INT);\n")
    write(m / "V1.1__add_col.sql", "ALTER TABLE t ADD c INT;\n")
    write(m / "V10__later.sql", "SELECT 10;\n")
    write(m / "V2__two.sql", "SELECT 2;\n")
    write(m / "sub" / "V3__sub.sql", "SELECT 3;\n")
    write(m / "R__views.sql", "CREATE OR REPLACE VIEW v AS SELECT 1;\n")
    write(m / "R__a_b.sql", "SELECT 'ab';\n")
    write(m / "afterMigrate.sql", "SELECT 'callback';\n")
    write(m / "V4_typo.sql", "SELECT 4;\n")
    write(m / "notes.md", "# not a migration\n")
    write(m / "V5__x.sql.bak", "SELECT 5;\n")
    write(m / ".hidden" / "V6__hidden.sql", "SELECT 6;\n")
    write(m / "V7__empty.sql", "-- nothing here\n/* still\nnothing */\n\n")
    return tmp_path


def test_basic_tree(project):
    d = discover(cfg(), [], project)
    assert scripts(d) == [
        "V1__init.sql", "V1.1__add_col.sql", "V2__two.sql", "sub/V3__sub.sql", "V7__empty.sql", "V10__later.sql",
        "R__a_b.sql", "R__views.sql",
    ]
    first = d.sources[0].migration
    assert first.path == project / "db/migration/V1__init.sql"
    assert first.display == "db/migration/V1__init.sql"
    assert first.kind == "V" and first.version == Version.parse("1") and first.description == "init"
    assert first.checksum == 1556295178
    assert first.encoding == "UTF-8"
    assert d.sources[0].text == "CREATE TABLE t (id INT);\n"
    r = d.sources[-2].migration
    assert (r.kind, r.version, r.description) == ("R", None, "a b")

    [skipped] = of(d, facts.SkippedName)
    assert skipped.path == project / "db/migration/V4_typo.sql" and skipped.suggestion == "V4__typo.sql"
    assert "could not recognise version number 4_typo" in skipped.reason
    assert of(d, facts.EmptyMigration) == [facts.EmptyMigration(project / "db/migration/V7__empty.sql")]
    assert not of(d, facts.DuplicateVersion) and not of(d, facts.MissingLocation)


def test_duplicates(tmp_path):
    m = tmp_path / "db" / "migration"
    write(m / "V1__a.sql", "SELECT 1;")
    write(m / "V1.0__b.sql", "SELECT 1;")
    write(m / "x" / "V001__c.sql", "SELECT 1;")
    write(m / "V1_1__d.sql", "SELECT 1;")
    write(m / "V1.01__e.sql", "SELECT 1;")
    write(m / "B1__base.sql", "SELECT 1;")  # baselines only collide with baselines
    write(m / "U1__undo.sql", "SELECT 1;")  # undo only with undo
    write(m / "R__same name.sql", "SELECT 1;")
    write(m / "other" / "R__same_name.sql", "SELECT 1;")
    write(m / "R__Same_name.sql", "SELECT 1;")  # case-sensitive: no collision
    d = discover(cfg(), [], tmp_path)
    dups = of(d, facts.DuplicateVersion)
    assert [(f.kind, f.version, len(f.paths)) for f in dups] == [("V", Version.parse("1"), 3), ("V", Version.parse("1.1"), 2)]
    assert {p.name for p in dups[0].paths} == {"V1__a.sql", "V1.0__b.sql", "V001__c.sql"}
    [rep] = of(d, facts.DuplicateRepeatable)
    assert rep.description == "same name" and {p.name for p in rep.paths} == {"R__same name.sql", "R__same_name.sql"}
    kinds = [s.migration.kind for s in d.sources]
    assert kinds[:2] == ["B", "V"] and "U" in kinds


def test_signed_versions_run_as_flyway_reads_them(tmp_path):
    # BigInteger accepts a sign: Flyway runs V+1 as version 1 (clashing with V1) and V-2 first.
    m = tmp_path / "db" / "migration"
    write(m / "V+1__plus.sql", "SELECT 1;")
    write(m / "V1__one.sql", "SELECT 1;")
    write(m / "V-2__minus.sql", "SELECT 1;")
    write(m / "U+1__undo.sql", "SELECT 1;")
    d = discover(cfg(), [], tmp_path)
    assert [s.migration.script for s in d.sources if s.migration.kind == "V"] == [
        "V-2__minus.sql", "V+1__plus.sql", "V1__one.sql"]
    unusual = {f.path.name: (f.text, f.version.parts, f.version.text) for f in of(d, facts.UnusualVersion)}
    assert unusual == {"V+1__plus.sql": ("+1", (1,), "+1"), "V-2__minus.sql": ("-2", (-2,), "-2"),
                       "U+1__undo.sql": ("+1", (1,), "+1")}
    [dup] = of(d, facts.DuplicateVersion)
    assert dup.kind == "V" and {p.name for p in dup.paths} == {"V+1__plus.sql", "V1__one.sql"}
    assert not of(d, facts.SkippedName)
    assert [s.migration.description for s in d.sources if s.migration.kind == "U"] == ["undo"]


def test_version_longer_than_the_history_column(tmp_path):
    m = tmp_path / "db" / "migration"
    long_version = "1_" + "2" * 48  # 50 characters: fits
    write(m / f"V{long_version}__fits.sql", "SELECT 1;")
    write(m / f"V{long_version}1__too_long.sql", "SELECT 1;")
    d = discover(cfg(), [], tmp_path)
    assert of(d, facts.VersionTooLong) == [
        facts.VersionTooLong(m / f"V{long_version}1__too_long.sql", long_version.replace("_", ".") + "1")]


def test_reserved_versions_and_callbacks(tmp_path):
    m = tmp_path / "db" / "migration"
    write(m / "Vlatest__x.sql", "SELECT 1;")
    write(m / "beforeMigrate.sql", "SELECT 1;")
    write(m / "afterEachMigrate__log.sql", "SELECT 1;")
    d = discover(cfg(), [], tmp_path)
    assert d.sources == ()
    assert d.facts == (facts.ReservedVersion(m / "Vlatest__x.sql", "latest"),)


def test_script_config_and_encoding(tmp_path):
    m = tmp_path / "db" / "migration"
    write(m / "V1__latin.sql", "SELECT 'café';\n".encode("latin-1"))
    write(m / "V1__latin.sql.conf", "encoding=ISO-8859-1\nexecuteInTransaction=false\n")
    write(m / "V2__bad.sql", "SELECT 1;\n")
    write(m / "V2__bad.sql.conf", "flyway.executeInTransaction=false\n")
    d = discover(cfg(), [], tmp_path)
    latin = d.sources[0]
    assert latin.text == "SELECT 'café';\n"
    assert latin.migration.encoding == "ISO-8859-1"
    assert latin.migration.config.execute_in_transaction is False
    assert latin.migration.checksum == flyway_checksum("SELECT 'café';\n")
    [unknown] = of(d, facts.UnknownScriptConfigKey)
    assert unknown.path == m / "V2__bad.sql.conf" and unknown.key == "flyway.executeInTransaction"
    assert unknown.span == Span(1, 1, 1, 27)
    # the .conf files themselves are not migrations and not invalid names
    assert not of(d, facts.SkippedName)


def test_undecodable_file(tmp_path):
    m = tmp_path / "db" / "migration"
    write(m / "V1__bad.sql", "SELECT 1;\nSELECT 'ok é';\nSELECT 'caf".encode("utf-8") + b"\xe9';\n")
    d = discover(cfg(), [], tmp_path)
    [source] = d.sources
    assert source.text is None and source.migration.checksum is None
    [bad] = of(d, facts.UndecodableFile)
    assert bad.path == m / "V1__bad.sql" and bad.encoding == "UTF-8"
    assert bad.span == Span(3, 12, 3, 12)
    assert "e9" in bad.detail


def test_bom_is_dropped(tmp_path):
    m = tmp_path / "db" / "migration"
    write(m / "V1__bom.sql", b"\xef\xbb\xbfSELECT 1;\n")
    [s] = discover(cfg(), [], tmp_path).sources
    assert s.text == "SELECT 1;\n" and s.migration.checksum == 78787420


def test_utf16_without_bom_is_big_endian_like_java():
    assert decode_text("SELECT 1;".encode("utf-16-be"), "UTF-16") == "SELECT 1;"
    assert decode_text("SELECT 1;".encode("utf-16"), "UTF-16") == "SELECT 1;"


def test_repeatable_checksum_after_placeholder_replacement(tmp_path):
    m = tmp_path / "db" / "migration"
    write(m / "R__v.sql", "CREATE VIEW ${schema}.v AS SELECT 1;\n")
    write(m / "V1__t.sql", "CREATE TABLE ${schema}.t (id INT);\n")
    d = discover(cfg(placeholders={"schema": "app"}), [], tmp_path)
    by_kind = {s.migration.kind: s for s in d.sources}
    assert by_kind["R"].migration.checksum == flyway_checksum("CREATE VIEW app.v AS SELECT 1;\n")
    assert by_kind["V"].migration.checksum == flyway_checksum("CREATE TABLE ${schema}.t (id INT);\n")
    assert by_kind["R"].text == "CREATE VIEW ${schema}.v AS SELECT 1;\n"  # text stays raw
    off = discover(cfg(placeholders={"schema": "app"}, placeholder_replacement=False), [], tmp_path)
    assert [s.migration.checksum for s in off.sources if s.migration.kind == "R"] == [
        flyway_checksum("CREATE VIEW ${schema}.v AS SELECT 1;\n")]


# --- locations -------------------------------------------------------------------------------------


def test_missing_location_and_classpath(tmp_path):
    write(tmp_path / "src/main/resources/db/migration/V1__a.sql", "SELECT 1;")
    d = discover(cfg("classpath:db/migration", "db/migration", "filesystem:nowhere"), [], tmp_path)
    # classpath:db/migration and the prefix-less form are the same folder: scanned once
    assert scripts(d) == ["V1__a.sql"]
    assert of(d, facts.MissingLocation) == [facts.MissingLocation("filesystem:nowhere", tmp_path / "nowhere")]


def test_sub_locations_and_duplicates_are_discarded(tmp_path):
    write(tmp_path / "db/migration/V1__a.sql", "SELECT 1;")
    write(tmp_path / "db/migration/sub/V2__b.sql", "SELECT 2;")
    d = discover(cfg("filesystem:db/migration/sub", "filesystem:db/migration", "filesystem:./db/migration/"), [], tmp_path)
    assert scripts(d) == ["V1__a.sql", "sub/V2__b.sql"]
    assert not of(d, facts.DuplicateVersion)


def test_unsupported_locations(tmp_path):
    with pytest.raises(FlywayConfigError, match="not supported"):
        discover(cfg("s3:bucket/migrations"), [], tmp_path)
    with pytest.raises(FlywayConfigError, match="Unknown prefix for location"):
        discover(cfg("ftp:host/x"), [], tmp_path)


def test_wildcards(tmp_path):
    write(tmp_path / "db/a/migrations/V1__a.sql", "SELECT 1;")
    write(tmp_path / "db/b/c/migrations/deep/V2__b.sql", "SELECT 2;")
    write(tmp_path / "db/migrations/V3__c.sql", "SELECT 3;")
    write(tmp_path / "db/a/other/V4__d.sql", "SELECT 4;")
    d = discover(cfg("filesystem:db/**/migrations"), [], tmp_path)
    assert scripts(d) == ["V1__a.sql", "deep/V2__b.sql", "V3__c.sql"]
    d = discover(cfg("filesystem:db/*/migrations"), [], tmp_path)
    assert scripts(d) == ["V1__a.sql"]
    d = discover(cfg("filesystem:db/a/*/V?__*.sql"), [], tmp_path)
    assert scripts(d) == ["migrations/V1__a.sql", "other/V4__d.sql"]
    # As in Flyway, a trailing /** needs an (impossible) empty folder name: it matches nothing.
    assert discover(cfg("filesystem:db/**"), [], tmp_path).sources == ()
    loc = parse_location("filesystem:db/**/migrations", tmp_path)
    assert loc.root == tmp_path / "db" and loc.is_wildcard


def test_explicit_paths(tmp_path):
    write(tmp_path / "db/migration/V1__a.sql", "SELECT 1;")
    write(tmp_path / "db/migration/V2__b.sql", "SELECT 2;")
    single = write(tmp_path / "elsewhere/V9__z.sql", "SELECT 9;")
    d = discover(cfg("filesystem:ignored"), [Path("db/migration/V2__b.sql")], tmp_path)
    assert scripts(d) == ["V2__b.sql"]
    d = discover(cfg(), [Path("db/migration"), single, Path("db/migration/V1__a.sql"), Path("missing")], tmp_path)
    assert scripts(d) == ["V1__a.sql", "V2__b.sql", "V9__z.sql"]
    assert of(d, facts.MissingLocation) == [facts.MissingLocation("missing", tmp_path / "missing")]


def test_display_outside_cwd_is_absolute(tmp_path):
    f = write(tmp_path / "outside/V1__a.sql", "SELECT 1;")
    cwd = tmp_path / "project"
    cwd.mkdir()
    [s] = discover(cfg(), [f], cwd).sources
    assert s.migration.display == f.as_posix()


def test_custom_naming(tmp_path):
    write(tmp_path / "sql/M1-first.pgsql", "SELECT 1;")
    write(tmp_path / "sql/V2__ignored.sql", "SELECT 2;")
    c = cfg("filesystem:sql", naming=NamingSettings(versioned_prefix="M", separator="-", suffixes=(".pgsql",)))
    d = discover(c, [], tmp_path)
    assert scripts(d) == ["M1-first.pgsql"] and d.facts == ()


def test_end_to_end_with_config_file(tmp_path):
    write(tmp_path / "flyway.conf", "flyway.locations=filesystem:migrations\nflyway.url=jdbc:mysql://h/db\n")
    write(tmp_path / "migrations/V1__a.sql", "# only a MySQL comment\n")
    config = load_flyway_config(tmp_path, None, {})
    d = discover(config, [], tmp_path)
    assert of(d, facts.EmptyMigration) == [facts.EmptyMigration(tmp_path / "migrations/V1__a.sql")]


def test_looks_empty():
    assert looks_empty("")
    assert looks_empty("  \n-- a\n/* b */ /* c\n*/\n")
    assert not looks_empty("SELECT 1")
    assert not looks_empty("-- x\nSELECT '/*' ;")
    assert not looks_empty("# x\n")  # not a comment in PostgreSQL
    assert looks_empty("# x\n", "mysql")
