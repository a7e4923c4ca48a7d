"""Finding the migrations of a project the way Flyway's resolvers find them.

`discover(cfg, paths, cwd)` scans either the paths given on the command line (directories are
scanned like filesystem locations, files are taken as they are) or the configured locations, and
returns every migration Flyway would run, decoded, in Flyway's order, together with the facts
about the project Flyway would refuse, skip or trip over (`flylint.flyway.facts`).

Locations (`api/locations/LocationParser`, `internal/util/Locations`, `FileSystemScanner`):

* `filesystem:<path>`: relative to `cwd`. `classpath:<path>` and prefix-less locations are mapped
  to `src/main/resources/<path>` (where a Maven/Gradle project keeps them; flylint does not read
  jars or build output). `s3:` and `gcs:` raise FlywayConfigError (not supported), any other
  prefix raises Flyway's "Unknown prefix for location".
* Wildcards: the leading folders without `*`/`?` form the scan root; the rest becomes Flyway's
  regex: `**` -> `([^/]+/)*?`, `*` -> `[^/]+?` (one or more characters), `?` -> `[^/]`. When the
  last segment contains a `.` it is a file pattern, otherwise everything below the matched folder
  belongs to the location and `script` is relative to the matched folder. Flyway escapes only `.`
  in the pattern; flylint escapes every other character too. As in Flyway, a location ending in
  `/**` matches nothing (its regex needs a `//`).
* Locations are sorted; exact duplicates and (non-wildcard) sub-folders of another location are
  discarded. flylint compares the resolved folders, so `classpath:db/migration` and
  `filesystem:src/main/resources/db/migration` count as the same location.
* Scanning is recursive; hidden (dot) directories are skipped, hidden files are not. Only files
  ending with a configured suffix (case-insensitive) are looked at.

SQL callbacks (`beforeMigrate.sql`, `beforeEachMigrate__timeouts.sql`, ...: an event id, then an
optional separator and description, then a migration suffix) are not migrations. flylint reads the
one that matters to its rules, `beforeEachMigrate`, and records it as a `facts.SqlCallback`. Where
Flyway looks for them (flyway-core `FlywayExecutor.execute`: `callbackResourceProvider =
configuration.getCallbackLocations().length > 0 ? createScanner(configuration.getCallbackLocations())
: resourceProvider`, the same `Scanner` class as for `locations`; Flyway's "Callback Locations
Setting" page, documentation.red-gate.com/fd/reference/configuration/flyway-namespace/
flyway-callback-locations-setting: "If the callbackLocations setting is not set, then callbacks will
be scanned from migration locations"):

* `callbackLocations` empty (the default): in the migration locations (or the paths given).
* `callbackLocations` set: only there. Callbacks in `locations` are then not run, and files in a
  callback location are never migrations (the migration resolvers only see `locations`). The
  callback locations are parsed, de-duplicated and scanned like `locations`, and a missing one is a
  `MissingLocation` (the same Scanner logs it, or fails with failOnMissingLocations).
* `skipDefaultCallbacks=true`: Flyway runs no SQL callback (`prepareCallbacks` builds the
  `SqlScriptCallbackFactory` only when it is false), so none is recorded.

Flyway runs a callback like a migration script (`SqlScriptCallbackFactory` names it with
`ResourceNameParser` and builds it with `sqlScriptFactory.createSqlScript(resource, mixed,
resourceProvider)`, which reads `<script>.conf` through `SqlScriptMetadata.getMetadataResource`): its
`.sql.conf` applies (`encoding`, `placeholderReplacement`) and placeholders are replaced ("Placeholders are supported in versioned
migrations, repeatable migrations, and SQL callbacks", Flyway's "Migration placeholders" page,
documentation.red-gate.com/fd/migration-placeholders-275218550.html). So the
recorded text is the text Flyway runs, and a callback with an undefined placeholder, which Flyway
refuses to run, records no text (and an `UndefinedPlaceholder` fact, context "callback").

Two SQL callbacks of any event with the same name (event, separator, description; the suffix left
out) in the scanned locations are a `DuplicateCallback`: Flyway refuses to run (`_duplicate_callbacks`).
initSql is read as Flyway runs it too, placeholders replaced (`init_sql_replacement`); an undefined
one is an `UndefinedPlaceholder` with context "initSql", located in the configuration file.

Order of `sources`: versioned, baseline and undo migrations by version (baseline before versioned
before undo for equal versions), then repeatables by description. Flyway compares descriptions in
UTF-16 code-unit order and Python in code-point order; they differ only for characters outside the
Basic Multilingual Plane compared with U+E000..U+FFFF, which is good enough.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping, Sequence

from flylint.flyway import facts
from flylint.flyway.checksum import flyway_checksum
from flylint.flyway.config import FlywayConfig, FlywayConfigError, python_codec
from flylint.flyway import naming as _naming
from flylint.flyway.naming import InvalidName, ParsedName, is_sql_resource, parse_name
from flylint.flyway.placeholders import replace_placeholders, undefined_facts
from flylint.flyway.scriptconfig import load_script_config, script_config_path
from flylint.model import MigrationFile, ScriptConfig, Span
from flylint.text import LineIndex, display_path

ProjectFact = facts.ProjectFact


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A migration and its decoded text (BOM dropped; None when it could not be decoded)."""

    migration: MigrationFile
    text: str | None


@dataclass(frozen=True, slots=True)
class Discovery:
    sources: tuple[SourceFile, ...]
    facts: tuple[ProjectFact, ...]


@dataclass(frozen=True, slots=True)
class Location:
    """A place to scan: a folder (optionally with a wildcard pattern) or a single file."""

    descriptor: str  # as configured / given
    root: Path  # absolute folder to scan (the file itself for a single file)
    pattern: re.Pattern[str] | None = None  # matched against the '/'-path relative to root
    single_file: bool = False

    @property
    def is_wildcard(self) -> bool:
        return self.pattern is not None


# ---------------------------------------------------------------------------------------------
# Locations.

_DRIVE_PATH = re.compile(r"^[A-Za-z]:[\\/]")
_FILE_URL = re.compile(r"^file:[\\/]{3}")
_CLOUD_PREFIXES = ("s3:", "gcs:")


def _absolute(path: Path, cwd: Path) -> Path:
    return Path(os.path.normpath(path if path.is_absolute() else cwd / path))


def parse_location(descriptor: str, cwd: Path) -> Location:
    """Parse a configured location (see the module docstring). Raises FlywayConfigError."""
    text = descriptor.strip()
    if ":" in text and not _DRIVE_PATH.match(text) and not _FILE_URL.match(text):
        prefix, raw = text[: text.index(":") + 1], text[text.index(":") + 1:]
    else:
        prefix, raw = "classpath:", text
    lowered = prefix.lower()
    if lowered == "filesystem:":
        base = cwd
    elif lowered == "classpath:":
        raw = raw.strip("/")
        base = cwd / "src" / "main" / "resources"
    elif lowered in _CLOUD_PREFIXES:
        raise FlywayConfigError(f"Location {descriptor!r}: {prefix} locations are not supported by flylint")
    else:
        raise FlywayConfigError(
            f"Unknown prefix for location (should be one of classpath:, filesystem:, s3:, gcs:): {text}"
        )
    if "*" in raw or "?" in raw:
        root_text, pattern = _wildcard(raw)
        root = _absolute(Path(root_text), base) if root_text else Path(os.path.normpath(base))
        return Location(descriptor, root, pattern)
    return Location(descriptor, _absolute(Path(raw) if raw else Path("."), base))


def _wildcard(raw: str) -> tuple[str, re.Pattern[str]]:
    """Split a wildcard path into its root folder and the regex for paths below it."""
    root_parts: list[str] = []
    pattern = ""
    in_pattern = skip_separator = ends_in_file = False
    for part in re.split(r"[\\/]", raw):
        ends_in_file = False
        if "*" in part or "?" in part:
            in_pattern = True
        if not in_pattern:
            root_parts.append(part)
            continue
        if skip_separator:
            skip_separator = False
        else:
            pattern += "/"
        if part == "**":
            pattern += "([^/]+/)*?"
            skip_separator = True
        else:
            ends_in_file = "." in part
            pattern += "".join(
                "[^/]+?" if ch == "*" else "[^/]" if ch == "?" else re.escape(ch) for ch in part
            )
    pattern = pattern[1:]
    if not ends_in_file:
        pattern += "/(?P<relpath>.*)"
    root = "/".join(root_parts)
    if root == "" and root_parts:
        root = "/"  # an absolute pattern such as /**/migrations
    return root, re.compile(pattern, re.DOTALL)


def _dedupe(locations: list[Location]) -> list[Location]:
    """Flyway's `Locations`: sort, drop exact duplicates and sub-locations of non-wildcard ones."""
    ordered = sorted(locations, key=lambda loc: (loc.root.as_posix(), loc.pattern.pattern if loc.pattern else ""))
    kept: list[Location] = []
    for loc in ordered:
        if any(k.root == loc.root and _pattern(k) == _pattern(loc) and k.single_file == loc.single_file for k in kept):
            continue
        if not loc.is_wildcard and any(
            not k.is_wildcard and not k.single_file and k.root != loc.root and _inside(loc.root, k.root) for k in kept
        ):
            continue
        kept.append(loc)
    return kept


def _pattern(loc: Location) -> str | None:
    return loc.pattern.pattern if loc.pattern else None


def _inside(path: Path, folder: Path) -> bool:
    return (path.as_posix().rstrip("/") + "/").startswith(folder.as_posix().rstrip("/") + "/")


# ---------------------------------------------------------------------------------------------
# Scanning.


@dataclass(frozen=True, slots=True)
class _Found:
    path: Path  # absolute
    script: str  # relative to the location root, '/'-separated
    order: int  # index of the location (after sorting), for stable ordering
    has_conf: bool | None  # whether the folder lists `<name>.conf` (None: not known, look)


def _scan(loc: Location, index: int, cfg: FlywayConfig) -> list[_Found]:
    if loc.single_file:
        return [_Found(loc.root, loc.root.name, index, None)]
    out: list[_Found] = []
    seen_dirs: set[tuple[int, int]] = set()
    root = str(loc.root)

    def walk(folder: str, rel_dir: str) -> None:
        # os.scandir instead of os.walk: its entries know, mostly without a stat call, which are
        # files, and the folder's listing tells which migrations have a .conf next to them
        try:
            st = os.stat(folder)
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            return
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:  # a symlink cycle
            return
        seen_dirs.add(key)
        names = {e.name for e in entries}
        dirs = []
        for e in sorted(entries, key=lambda e: e.name):
            try:
                is_dir = e.is_dir()  # follows symlinks, like os.walk(followlinks=True)
            except OSError:
                is_dir = False
            if is_dir:
                if not e.name.startswith("."):
                    dirs.append(e)
                continue
            name = e.name
            if not is_sql_resource(name, cfg.naming):
                continue
            try:
                if not e.is_file():
                    continue
            except OSError:
                continue
            rel = name if not rel_dir else f"{rel_dir}/{name}"
            script = rel
            if loc.pattern is not None:
                m = loc.pattern.fullmatch(rel)
                if not m:
                    continue
                relpath = m.groupdict().get("relpath")
                if relpath:
                    script = relpath
            out.append(_Found(Path(os.path.normpath(e.path)), script, index, name + ".conf" in names))
        for d in dirs:
            walk(d.path, d.name if not rel_dir else f"{rel_dir}/{d.name}")

    walk(root, "")
    return out


# ---------------------------------------------------------------------------------------------
# Decoding.


def decode_text(data: bytes, encoding: str) -> str:
    """Decode like Java's strict decoder for `encoding`; drop a leading BOM.

    Java's `UTF-16`/`UTF-32` read big-endian when there is no byte-order mark (Python would read
    the machine's order). Raises UnicodeDecodeError or LookupError.
    """
    codec = python_codec(encoding)
    if codec in ("utf-16", "utf-32"):
        width = 2 if codec == "utf-16" else 4
        boms = (b"\xff\xfe", b"\xfe\xff") if width == 2 else (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
        if not data.startswith(boms):
            codec += "-be"
    text = data.decode(codec)
    return text[1:] if text.startswith("\ufeff") else text


def _undecodable(path: Path, data: bytes, encoding: str, exc: UnicodeDecodeError) -> facts.UndecodableFile:
    try:
        before = decode_text(data[: exc.start], encoding)
    except (UnicodeDecodeError, LookupError):
        before = data[: exc.start].decode("latin-1")
    line, column = LineIndex(before).position(len(before))
    bad = data[exc.start: exc.end] or data[exc.start: exc.start + 1]
    detail = f"{exc.reason}: byte{'s' if len(bad) > 1 else ''} {bad.hex(' ')} at offset {exc.start} is not valid {encoding}"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) and exc.start < 2:
        detail += "; it starts with a UTF-16 byte-order mark: the file is UTF-16"
    return facts.UndecodableFile(path, encoding, Span(line, column, line, column), detail)


_COMMENTS = re.compile(r"--[^\r\n]*|/\*.*?(?:\*/|\Z)", re.DOTALL)
_COMMENTS_MYSQL = re.compile(r"--[^\r\n]*|#[^\r\n]*|/\*.*?(?:\*/|\Z)", re.DOTALL)


def looks_empty(text: str, dialect: str | None = None) -> bool:
    """Light check: nothing but whitespace and comments (the engine re-checks after splitting)."""
    pattern = _COMMENTS_MYSQL if dialect in ("mysql", "mariadb") else _COMMENTS
    return not pattern.sub(" ", text).strip()


# ---------------------------------------------------------------------------------------------
# Discovery.

_KIND_RANK = {"B": 0, "V": 1, "U": 2}


def discover(
    cfg: FlywayConfig,
    paths: Sequence[Path],
    cwd: Path,
    *,
    env: Mapping[str, str] | None = None,
) -> Discovery:
    """Find and read the migrations (see the module docstring).

    `paths`: when non-empty, the directories (scanned as filesystem locations) and single files to
    lint instead of the configured locations. `env` is used to expand `${NAME}` in script
    configuration files (default: `os.environ`). Raises FlywayConfigError for a location flylint
    cannot scan (unknown or cloud prefixes).
    """
    cwd = Path(os.path.abspath(cwd))
    env = os.environ if env is None else env
    found_facts: list[ProjectFact] = []

    locations: list[Location] = []
    if paths:
        for given in paths:
            p = _absolute(Path(given), cwd)
            if p.is_file():
                locations.append(Location(str(given), p, single_file=True))
            elif p.is_dir():
                locations.append(Location(str(given), p))
            else:
                found_facts.append(facts.MissingLocation(str(given), p))
    else:
        for descriptor in cfg.locations:
            locations.append(parse_location(descriptor, cwd))

    files: list[_Found] = []
    for index, loc in enumerate(_dedupe(locations)):
        if not loc.single_file and not loc.root.is_dir():
            found_facts.append(facts.MissingLocation(loc.descriptor, loc.root))
            continue
        files.extend(_scan(loc, index, cfg))

    builtins = cfg.builtin_placeholders(cwd)
    # callbacks in the migration locations count only when no callbackLocations are configured
    callbacks_here = not cfg.callback_locations and not cfg.skip_default_callbacks
    callbacks: list[tuple[str, str, Path]] = []  # (Flyway's name, event, path) of each SQL callback
    entries: list[tuple[tuple, SourceFile]] = []
    for f in files:
        parsed = parse_name(f.path.name, cfg.naming)
        if parsed is None:
            continue
        if isinstance(parsed, InvalidName) and parsed.flyway_accepts:
            # Flyway runs it: BigInteger reads "+1" as 1, "-1" as -1. Lint it as Flyway runs it.
            parsed = _as_flyway_runs_it(f.path, parsed, cfg.naming, found_facts)
        if isinstance(parsed, InvalidName):
            found_facts.append(facts.SkippedName(f.path, parsed.reason, parsed.suggestion))
            continue
        assert isinstance(parsed, ParsedName)
        if parsed.kind == "callback":
            if callbacks_here:
                callbacks.append((callback_name(parsed, cfg), parsed.event or parsed.prefix, f.path))
                if parsed.event == "beforeEachMigrate":  # its settings hold for every migration
                    found_facts.append(_sql_callback(f.path, parsed, cfg, builtins, env, found_facts))
            continue  # valid, but not a migration
        if parsed.reserved_word is not None:
            found_facts.append(facts.ReservedVersion(f.path, parsed.reserved_word))
            continue
        if parsed.version is not None and len(parsed.version.text) > HISTORY_VERSION_LENGTH:
            found_facts.append(facts.VersionTooLong(f.path, parsed.version.text))

        script_config, conf_facts = _script_config(f.path, cfg, builtins, env, listed=f.has_conf)
        found_facts.extend(conf_facts)
        encoding = script_config.encoding or cfg.encoding

        text: str | None
        checksum: int | None
        try:
            data = f.path.read_bytes()
        except OSError as exc:
            found_facts.append(facts.UndecodableFile(f.path, encoding, Span.file_level(), f"cannot read: {exc.strerror or exc}"))
            text = checksum = None
        else:
            try:
                text = decode_text(data, encoding)
            except UnicodeDecodeError as exc:
                found_facts.append(_undecodable(f.path, data, encoding, exc))
                text = None
            except LookupError:
                found_facts.append(facts.UndecodableFile(f.path, encoding, Span.file_level(), f"unknown encoding {encoding}"))
                text = None
            checksum = None if text is None else _checksum(parsed, text, cfg, script_config, builtins)

        if text is not None and looks_empty(text, cfg.dialect):
            found_facts.append(facts.EmptyMigration(f.path))

        migration = MigrationFile(
            path=f.path,
            display=display_path(f.path, cwd),
            script=f.script,
            kind=parsed.kind,
            version=parsed.version,
            description=parsed.description,
            checksum=checksum,
            config=script_config,
            encoding=encoding,
        )
        if parsed.kind == "R":
            key: tuple = (1, (), 0, parsed.description, f.order, f.script)
        else:
            assert parsed.version is not None
            key = (0, parsed.version.parts, _KIND_RANK[parsed.kind], "", f.order, f.script)
        entries.append((key, SourceFile(migration, text)))

    entries.sort(key=lambda e: e[0])
    sources = tuple(source for _, source in entries)
    found_facts.extend(_duplicates(sources))
    found_facts.extend(_duplicate_callbacks(callbacks))
    if cfg.callback_locations:
        found_facts.extend(_callback_location_facts(cfg, cwd, builtins, env))
    found_facts.extend(_init_sql_facts(cfg, cwd, builtins))
    return Discovery(sources, tuple(found_facts))


def _callback_location_facts(cfg: FlywayConfig, cwd: Path, builtins: Mapping[str, str], env: Mapping[str, str]) -> list:
    """The beforeEachMigrate callbacks of the configured callbackLocations, the missing ones, and
    the callbacks (of any event) that share a name.

    Only callbacks are looked at: a migration (or any other file) in a callback location is not one
    Flyway runs, and a name Flyway cannot parse there is not reported (Flyway validates the names
    of the migration locations only)."""
    out: list = []
    callbacks: list[tuple[str, str, Path]] = []
    locations = [parse_location(descriptor, cwd) for descriptor in cfg.callback_locations]
    for index, loc in enumerate(_dedupe(locations)):
        if not loc.root.is_dir():
            out.append(facts.MissingLocation(loc.descriptor, loc.root, callbacks=True))
            continue
        if cfg.skip_default_callbacks:
            continue
        for f in _scan(loc, index, cfg):
            parsed = parse_name(f.path.name, cfg.naming)
            if isinstance(parsed, ParsedName) and parsed.kind == "callback":
                callbacks.append((callback_name(parsed, cfg), parsed.event or parsed.prefix, f.path))
                if parsed.event == "beforeEachMigrate":
                    out.append(_sql_callback(f.path, parsed, cfg, builtins, env, out))
    out.extend(_duplicate_callbacks(callbacks))
    return out


def callback_name(parsed: ParsedName, cfg: FlywayConfig) -> str:
    """The name Flyway files a SQL callback under (`ResourceName.getFilenameWithoutSuffix`: the
    event id, then the separator and the description when there is one, its `_` read as spaces).
    The suffix is not part of it, and Flyway strips it case-insensitively, so `beforeEachMigrate.sql`
    and `beforeEachMigrate.SQL` (or `.pgsql` among several suffixes) share one name."""
    event = parsed.event or parsed.prefix
    return event + cfg.naming.separator + parsed.description if parsed.description else event


def _duplicate_callbacks(callbacks: Sequence[tuple[str, str, Path]]) -> list[ProjectFact]:
    """SQL callbacks that share a name. flyway-core `SqlScriptCallbackFactory` keeps a map from
    that name to the script and, on a second script of the same name anywhere in the scanned
    (callback) locations, throws a FlywayException "Found more than 1 SQL callback script called
    <name>!", followed by "Offenders:" and the two paths. The factory is built for every
    command (`FlywayExecutor.prepareCallbacks`, unless skipDefaultCallbacks), so Flyway runs
    nothing at all. Every event counts, not only beforeEachMigrate."""
    groups: dict[tuple[str, str], list[Path]] = {}
    for name, event, path in callbacks:
        groups.setdefault((name, event), []).append(path)
    return [facts.DuplicateCallback(name, event, tuple(paths)) for (name, event), paths in groups.items()
            if len(paths) > 1]


def init_sql_replacement(cfg: FlywayConfig, builtins: Mapping[str, str] | None = None):
    """initSql as Flyway runs it: placeholders replaced (a `placeholders.Replacement`), or None
    when no initSql is set.

    Flyway runs initSql as a SQL script: flyway-core `FlywayExecutor.execute` sets a connection
    initializer that wraps it in `new StringResource(configuration.getInitSql())` and runs
    `sqlScriptFactory.createSqlScript(resource, true, resourceProvider)`; the script's parser reads
    every resource through `Parser.replacePlaceholders` (a `PlaceholderReplacingReader` when
    placeholderReplacement is on). So `${name}` in initSql is replaced like in a migration, and an
    undefined one fails ("No value provided for placeholder") as soon as Flyway opens a connection.
    (In flyway.conf, `${NAME}` made of letters, digits and `_` is first expanded as an environment
    variable when the file is read; see flylint.flyway.config.expand_env.) Built-ins count as
    defined, with flylint's offline stand-ins; `flyway:filename` is empty (a StringResource)."""
    if cfg.init_sql is None:
        return None
    return replace_placeholders(
        cfg.init_sql, cfg.placeholders, prefix=cfg.placeholder_prefix, suffix=cfg.placeholder_suffix,
        separator=cfg.placeholder_separator, enabled=cfg.placeholder_replacement, filename="",
        builtins=cfg.builtin_placeholders() if builtins is None else builtins,
    )


_ORIGIN_LINE = re.compile(r"^(.*):(\d+)$")


def _init_sql_facts(cfg: FlywayConfig, cwd: Path, builtins: Mapping[str, str]) -> list[ProjectFact]:
    """An `UndefinedPlaceholder` (context "initSql") per placeholder of initSql without a value,
    located at the line of the configuration file that sets initSql (at the placeholder itself when
    it is found on that line), or at the project folder when an environment variable sets it."""
    rep = init_sql_replacement(cfg, builtins)
    if rep is None or not rep.undefined:
        return []
    origin = cfg.init_sql_origin or "the Flyway configuration"
    path, line, label = cwd, None, origin
    m = _ORIGIN_LINE.match(origin)
    if m and Path(m.group(1)).is_file():
        path, line, label = Path(m.group(1)), int(m.group(2)), None
    elif Path(origin).is_file():
        path, label = Path(origin), None
    lines: list[str] = []
    if line is not None:
        try:
            lines = decode_text(path.read_bytes(), "UTF-8").splitlines()
        except (OSError, UnicodeDecodeError):
            lines = []
    out: list[ProjectFact] = []
    for u in rep.undefined:
        span = Span.file_level() if line is None else Span(line, 1, line, 1)
        written = cfg.init_sql[u.start:u.end]
        if line is not None and 0 < line <= len(lines) and "\n" not in written:
            col = lines[line - 1].find(written)
            if col >= 0:
                span = Span(line, col + 1, line, col + len(written))
        out.append(facts.UndefinedPlaceholder(path, u.name, span, context="initSql", origin=label))
    return out


def _script_config(path: Path, cfg: FlywayConfig, builtins: Mapping[str, str], env: Mapping[str, str],
                   listed: bool | None = None) -> tuple[ScriptConfig, list]:
    """The script's `<name>.conf` (Flyway's script configuration) and what is wrong in it; the
    defaults when there is none. `listed` False: the folder listing showed none (no stat needed)."""
    conf = script_config_path(path)
    if listed is False or not conf.is_file():
        return ScriptConfig(), []
    return load_script_config(
        conf,
        encoding=cfg.encoding,
        env=env,
        placeholders=cfg.placeholders if cfg.placeholder_replacement else None,
        placeholder_prefix=cfg.placeholder_prefix,
        placeholder_suffix=cfg.placeholder_suffix,
        placeholder_separator=cfg.placeholder_separator,
        builtins=builtins,
        migration_filename=path.name,
    )


def _sql_callback(
    path: Path, parsed: ParsedName, cfg: FlywayConfig, builtins: Mapping[str, str], env: Mapping[str, str], found_facts: list
) -> facts.SqlCallback:
    """A SQL callback with the text Flyway runs: its `.sql.conf` applied, placeholders replaced
    (None when it cannot be read or has an undefined placeholder, which Flyway refuses to run)."""
    script_config, conf_facts = _script_config(path, cfg, builtins, env)
    found_facts.extend(_as_callbacks(conf_facts))
    try:
        text = decode_text(path.read_bytes(), script_config.encoding or cfg.encoding)
    except (OSError, UnicodeDecodeError, LookupError):
        return facts.SqlCallback(path, parsed.event or "", None)
    enabled = cfg.placeholder_replacement
    if script_config.placeholder_replacement is not None:
        enabled = script_config.placeholder_replacement
    rep = replace_placeholders(
        text, cfg.placeholders, prefix=cfg.placeholder_prefix, suffix=cfg.placeholder_suffix,
        separator=cfg.placeholder_separator, enabled=enabled, filename=path.name, builtins=builtins,
    )
    if rep.undefined:
        found_facts.extend(_as_callbacks(undefined_facts(path, text, rep)))
        return facts.SqlCallback(path, parsed.event or "", None)
    return facts.SqlCallback(path, parsed.event or "", rep.text)


def _as_callbacks(found: Sequence[object]) -> list:
    """The facts about a callback (or its .sql.conf), its undefined placeholders marked as a
    callback's: Flyway fails on the callback, not on one migration."""
    return [replace(f, context="callback") if isinstance(f, facts.UndefinedPlaceholder) else f for f in found]


# flyway_schema_history.version is VARCHAR(50) on PostgreSQL and MySQL (research/flyway.md §7.1).
HISTORY_VERSION_LENGTH = 50


def _as_flyway_runs_it(path: Path, invalid: InvalidName, naming, found_facts: list) -> ParsedName | InvalidName:
    """A name whose version only BigInteger accepts, parsed the way Flyway runs it."""
    name = invalid.filename
    suffix = _naming.matching_suffix(name, naming)
    kinds = [(k, p) for k, p in naming.prefixes.items() if k != "R" and p and name.startswith(p)]
    if suffix is None or not kinds:
        return invalid
    kind, prefix = max(kinds, key=lambda kp: len(kp[1]))  # Flyway tries the longest prefix first
    rest = name[len(prefix): len(name) - len(suffix)]
    index = rest.find(naming.separator) if naming.separator else -1
    left, right = (rest[:index], rest[index + len(naming.separator):]) if index >= 0 else (rest, "")
    try:
        version = _naming.java_version(left)
    except ValueError:
        return invalid
    found_facts.append(facts.UnusualVersion(path, left, version))
    return ParsedName(name, kind, prefix, version, left, right.replace("_", " "), suffix)


def _checksum(parsed: ParsedName, text: str, cfg: FlywayConfig, sc: ScriptConfig, builtins: Mapping[str, str]) -> int:
    """Flyway checksums repeatables after placeholder replacement (when enabled), others raw."""
    if parsed.kind == "R" and cfg.placeholder_replacement and sc.placeholder_replacement is not False:
        replaced = replace_placeholders(
            text,
            cfg.placeholders,
            prefix=cfg.placeholder_prefix,
            suffix=cfg.placeholder_suffix,
            separator=cfg.placeholder_separator,
            filename=parsed.filename,
            builtins=builtins,
        )
        return flyway_checksum(replaced.text)
    return flyway_checksum(text)


def _duplicates(sources: Sequence[SourceFile]) -> list[ProjectFact]:
    out: list[ProjectFact] = []
    versions: dict[tuple[str, tuple[int, ...]], list[MigrationFile]] = {}
    descriptions: dict[str, list[MigrationFile]] = {}
    for source in sources:
        m = source.migration
        if m.kind == "R":
            descriptions.setdefault(m.description, []).append(m)
        elif m.version is not None:
            versions.setdefault((m.kind, m.version.parts), []).append(m)
    for (kind, _), group in versions.items():
        if len(group) > 1:
            out.append(facts.DuplicateVersion(group[0].version, kind, tuple(m.path for m in group)))
    for description, group in descriptions.items():
        if len(group) > 1:
            out.append(facts.DuplicateRepeatable(description, tuple(m.path for m in group)))
    return out
