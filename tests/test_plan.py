"""`flylint plan`: every plan, on both dialects, written into a project, lints without errors,
with exactly the warnings it says are inherent; unknown names are a clear exit 2."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest

from conftest import FIXTURES, run_cli, write_project
from flylint.engine import Options, run
from flylint.expand import file_phase
from flylint.plan import PlanError, PlanOptions, lint_options, run_plan

SEED = FIXTURES / "rename-last-name"

MORE = {
    "postgres": "CREATE TABLE people (id bigint PRIMARY KEY, email varchar(255), age int NOT NULL DEFAULT 0, nick varchar(50), status varchar(10) DEFAULT 'new');\n"
                "CREATE TABLE orders (id bigint PRIMARY KEY, user_id integer);\n",
    "mysql": "CREATE TABLE people (id bigint PRIMARY KEY, email varchar(255), age int NOT NULL DEFAULT 0, nick varchar(50), status varchar(10) DEFAULT 'new');\n"
             "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint UNSIGNED);\n",
}

# (intent and arguments, warnings flylint lint must give on the written files, per dialect)
PLANS = [
    # the one-UPDATE backfill of a new column is unbatched-backfill: the files show the batched form
    (["rename-column", "users.last_name", "surname"],
     {"postgres": {"unbatched-backfill"}, "mysql": {"set-not-null", "unbatched-backfill"}}),
    (["rename-column", "people.email", "mail"], {"postgres": {"unbatched-backfill"}, "mysql": {"unbatched-backfill"}}),
    (["rename-column", "people.status", "state"], {"postgres": {"unbatched-backfill"}, "mysql": {"unbatched-backfill"}}),
    (["rename-column", "people.age", "years"],
     {"postgres": {"unbatched-backfill"}, "mysql": {"set-not-null", "unbatched-backfill"}}),
    (["set-not-null", "people.email"], {"postgres": set(), "mysql": {"set-not-null"}}),
    (["set-not-null", "people.email", "--backfill", "''"], {"postgres": set(), "mysql": {"set-not-null"}}),
    (["change-column-type", "people.age", "bigint"], {"postgres": set(), "mysql": {"change-column-type"}}),
    (["change-column-type", "people.email", "text"], {"postgres": set(), "mysql": {"change-column-type"}}),
    (["change-column-type", "people.email", "varchar(300)"], {"postgres": set(), "mysql": {"change-column-type"}}),
    (["change-column-type", "people.nick", "varchar(60)"], {"postgres": set(), "mysql": set()}),
    (["add-foreign-key", "orders.user_id", "users.id"], {"postgres": set(), "mysql": set()}),
    (["drop-column", "users.first_name"], {"postgres": set(), "mysql": set()}),
    (["rename-table", "orders", "purchases"], {"postgres": set(), "mysql": {"mysql-multiple-ddl"}}),
    (["add-not-null-column", "users.email", "varchar(255)", "--default", "''"], {"postgres": set(), "mysql": set()}),
    (["add-not-null-column", "users.email", "varchar(255)", "--backfill", "''"],
     {"postgres": {"unbatched-backfill"}, "mysql": {"set-not-null", "unbatched-backfill"}}),
]


def base_project(tmp_path, dialect):
    """The seed's V1 (users with last_name) plus a second live migration."""
    root = tmp_path / "proj"
    (root / "db" / "migration").mkdir(parents=True)
    shutil.copy(SEED / dialect / "V1__init.sql", root / "db" / "migration" / "V1__init.sql")
    write_project(root, {"db/migration/V2__more.sql": MORE[dialect]})
    return root


def lint(root, dialect):
    """`flylint lint` in this process (the same engine; no interpreter start per call)."""
    result = run(Options(cwd=root, dialect=dialect, cache=False))
    return {"findings": [f.to_json() for f in result.findings],
            "migrations": [{"path": fa.migration.display, "phase": file_phase(result.replay, i)}
                           for i, fa in enumerate(result.files)]}


def plan(root, dialect, args, *more):
    """The real command line (a subprocess)."""
    return run_cli(["plan", *args, "--dialect", dialect, "--no-cache", *more], cwd=root)


def plan_fast(root, dialect, args, *more):
    """`flylint plan ... --write` in this process: what the matrices below use."""
    intent, rest = args[0], list(args[1:])
    values = {}
    for flag in ("--backfill", "--default"):
        if flag in rest:
            i = rest.index(flag)
            values[flag[2:]] = rest[i + 1]
            del rest[i:i + 2]
    out = io.StringIO()
    try:
        run_plan(PlanOptions(intent, tuple(rest), lint_options(root, (), dialect, None, None, None, True),
                             write="--write" in more, **values), out)
    except PlanError as e:
        return subprocess.CompletedProcess(args, 2, out.getvalue(), str(e))
    return subprocess.CompletedProcess(args, 0, out.getvalue(), "")


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "mariadb"])
@pytest.mark.parametrize("args,warnings", PLANS, ids=[" ".join(p[0]) for p in PLANS])
def test_written_plan_lints_clean(tmp_path, dialect, args, warnings):
    warnings = warnings["postgres" if dialect == "postgres" else "mysql"]
    root = base_project(tmp_path, "postgres" if dialect == "postgres" else "mysql")
    before = {p.name for p in (root / "db" / "migration").iterdir()}
    proc = plan_fast(root, dialect, args, "--write")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    new = sorted((p for p in (root / "db" / "migration").iterdir() if p.name not in before),
                 key=lambda p: [int(x) if x.isdigit() else x for x in p.name.replace("__", "_").split("_")])
    sql = [p for p in new if p.suffix == ".sql"]
    assert sql and sql[0].name.startswith("V3__"), [p.name for p in new]
    assert all(p.name.startswith(f"V{3 + i}__") for i, p in enumerate(sql))
    for p in sql:
        text = p.read_text()
        assert "-- Before it runs: " in text and "-- After it ran: " in text and "phase: " in text
    doc = lint(root, dialect)
    phases = {m["path"]: m["phase"] for m in doc["migrations"]}
    for p in sql:  # the phase a plan file announces is the one flylint lint gives it
        said = p.read_text().split("phase: ")[1].split("\n")[0]
        got = phases[f"db/migration/{p.name}"]
        assert got == said or (got is None and p.name.split("__")[1].startswith("sync_")), (p.name, said, got)
    ours = [f for f in doc["findings"] if f["path"] in {f"db/migration/{p.name}" for p in new}]
    assert [f for f in ours if f["severity"] == "error"] == []
    assert {f["rule"] for f in ours if f["severity"] != "info"} == warnings, ours
    if warnings:
        assert "flylint lint will warn about: " + ", ".join(sorted(warnings)) in proc.stdout
    assert [f for f in doc["findings"] if f["path"] not in {f"db/migration/{p.name}" for p in new}
            and f["severity"] != "info"] == []


@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
@pytest.mark.parametrize("args,warnings", PLANS, ids=[" ".join(p[0]) for p in PLANS])
def test_plan_one_release_at_a_time(tmp_path, dialect, args, warnings):
    """Each step, shipped as the newest release on top of the previous ones, lints without errors."""
    warnings = warnings[dialect]
    root = base_project(tmp_path, dialect)
    folder = root / "db" / "migration"
    before = {p.name for p in folder.iterdir()}
    assert plan_fast(root, dialect, args, "--write").returncode == 0
    steps = [p for p in folder.iterdir() if p.name not in before]
    assert steps
    hold = tmp_path / "hold"
    hold.mkdir()
    for p in steps:
        shutil.move(str(p), hold / p.name)
    seen = set()
    for p in sorted(hold.iterdir(), key=lambda p: (int(p.name[1:].split("__")[0]), p.suffix)):
        shutil.move(str(p), folder / p.name)
        if p.suffix != ".sql":
            continue
        if (hold / (p.name + ".conf")).exists():
            shutil.move(str(hold / (p.name + ".conf")), folder / (p.name + ".conf"))
        doc = lint(root, dialect)
        mine = [f for f in doc["findings"] if f["path"].endswith(p.name)]
        assert [f for f in mine if f["severity"] == "error"] == [], (p.name, mine)
        seen |= {f["rule"] for f in mine if f["severity"] != "info"}
    assert seen == warnings


def test_plan_prints_files_with_the_projects_numbering_and_names(tmp_path):
    root = base_project(tmp_path, "postgres")
    write_project(root, {"db/migration/V7_1__later.sql": "SELECT 1;\n"})
    proc = plan(root, "postgres", ["rename-column", "users.last_name", "surname"])
    assert proc.returncode == 0, proc.stderr
    heads = [line for line in proc.stdout.splitlines() if line.startswith("==> ")]
    assert heads[0] == "==> db/migration/V8__add_surname.sql <=="
    assert heads[-1] == "==> db/migration/V14__drop_last_name.sql <=="
    assert "ALTER TABLE users ADD COLUMN surname varchar(255);" in proc.stdout
    assert "UPDATE users SET surname = last_name WHERE surname IS NULL;" in proc.stdout
    assert not list((root / "db" / "migration").glob("V8__*"))  # printing writes nothing


def test_plan_follows_flyway_naming_settings(tmp_path):
    root = base_project(tmp_path, "mysql")
    write_project(root, {"flyway.conf": "flyway.sqlMigrationSeparator=-\nflyway.locations=filesystem:db/migration\n"})
    (root / "db/migration/V1__init.sql").rename(root / "db/migration/V1-init.sql")
    (root / "db/migration/V2__more.sql").rename(root / "db/migration/V2-more.sql")
    proc = plan(root, "mysql", ["add-foreign-key", "orders.user_id", "users.id"], "--write")
    assert proc.returncode == 0, proc.stderr
    assert "wrote db/migration/V3-index_orders_user_id.sql" in proc.stdout
    text = (root / "db/migration/V4-add_orders_user_id_fkey.sql").read_text()
    assert "ALGORITHM=INPLACE, LOCK=NONE" in text and "SET foreign_key_checks = 0;" in text


def test_postgres_concurrent_index_gets_its_script_config(tmp_path):
    root = base_project(tmp_path, "postgres")
    assert plan(root, "postgres", ["add-foreign-key", "orders.user_id", "users.id"], "--write").returncode == 0
    folder = root / "db" / "migration"
    assert "CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);" in (folder / "V3__index_orders_user_id.sql").read_text()
    assert (folder / "V3__index_orders_user_id.sql.conf").read_text() == "executeInTransaction=false\n"
    assert "NOT VALID;" in (folder / "V4__add_orders_user_id_fkey.sql").read_text()
    assert "VALIDATE CONSTRAINT orders_user_id_fkey;" in (folder / "V5__validate_orders_user_id_fkey.sql").read_text()


@pytest.mark.parametrize("args,message", [
    (["rename-column", "userz.last_name", "surname"], "table userz does not exist"),
    (["rename-column", "users.lastname", "surname"], "column lastname does not exist in table users"),
    (["rename-column", "users.last_name", "first_name"], "column first_name already exists in table users"),
    (["set-not-null", "users.last_name"], "users.last_name is already NOT NULL"),
    (["set-not-null", "users"], "'users' is not TABLE.COLUMN"),
    (["frobnicate", "users.x"], "unknown intent 'frobnicate'"),
    (["rename-column", "users.last_name"], "usage: flylint plan rename-column TABLE.COLUMN NEW_NAME"),
    (["add-foreign-key", "orders.user_id", "users.first_name"], "users.first_name has no primary key or unique"),
    (["change-column-type", "people.age", "notatype("], "cannot read 'notatype(' as a postgres column type"),
    (["add-not-null-column", "users.email", "text"], "say what email holds: --default VALUE"),
    (["add-not-null-column", "users.last_name", "text", "--default", "''"], "column last_name already exists"),
])
def test_bad_intents_exit_2_with_a_clear_message(tmp_path, args, message):
    root = base_project(tmp_path, "postgres")
    proc = plan(root, "postgres", args)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_set_not_null_backfill_step_uses_the_given_value(tmp_path):
    root = base_project(tmp_path, "postgres")
    proc = plan(root, "postgres", ["set-not-null", "people.email", "--backfill", "'unknown'"])
    assert proc.returncode == 0, proc.stderr
    assert "UPDATE people SET email = 'unknown' WHERE email IS NULL;" in proc.stdout
    assert proc.stdout.index("V3__backfill_email.sql") < proc.stdout.index("V4__check_email_not_null.sql")
    assert "ALTER TABLE people ADD CONSTRAINT people_email_not_null CHECK (email IS NOT NULL) NOT VALID;" in proc.stdout


def test_write_never_overwrites(tmp_path):
    root = base_project(tmp_path, "postgres")
    stale = root / "db/migration/V3__index_orders_user_id.sql.conf"
    stale.write_text("executeInTransaction=true\n")
    proc = plan(root, "postgres", ["add-foreign-key", "orders.user_id", "users.id"], "--write")
    assert proc.returncode == 2 and "V3__index_orders_user_id.sql.conf already exists: nothing written" in proc.stderr
    assert sorted(p.name for p in (root / "db/migration").iterdir()) == [
        "V1__init.sql", "V2__more.sql", "V3__index_orders_user_id.sql.conf"]


# -- the plans run on real databases ---------------------------------------------------------------

ROWS = {
    "people": "INSERT INTO people (id, email, age, nick) VALUES (1, 'a@x', 30, 'a'), (2, 'b@x', 40, 'b');\n"
              "INSERT INTO people (id, email, status) VALUES (3, 'c@x', 'old');\n",
    "orders": "INSERT INTO orders (id, user_id) VALUES (10, 1), (11, 2), (12, NULL);\n",
}


def _pg():
    psycopg = pytest.importorskip("psycopg")
    try:
        return psycopg.connect("host=127.0.0.1 port=5432 user=postgres connect_timeout=3", autocommit=True)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")


def _maria():
    pymysql = pytest.importorskip("pymysql")
    try:
        return pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", autocommit=True,
                               connect_timeout=3)
    except pymysql.MySQLError:
        pytest.skip("no MariaDB on 127.0.0.1:3306")


def _apply(folder, dialect, run_sql):
    """Run every migration like Flyway: in version order, statement by statement as flylint splits them."""
    from flylint.sql.splitter import split

    files = sorted((p for p in folder.iterdir() if p.suffix == ".sql"), key=lambda p: int(p.name[1:].split("__")[0]))
    for p in files:
        text = p.read_text()
        no_tx = (folder / (p.name + ".conf")).exists()
        stmts = [text[s.start:s.end] for s in split(text, "postgres" if dialect == "postgres" else "mysql").statements]
        run_sql(p.name, stmts, no_tx)


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "mariadb"])
@pytest.mark.parametrize("args", [p[0] for p in PLANS], ids=[" ".join(p[0]) for p in PLANS])
def test_plan_runs_on_a_real_database(tmp_path, dialect, args):
    """The plan's SQL is not only lint-clean: PostgreSQL 15 / MariaDB 10.11 run it, and the data survives."""
    seed = "postgres" if dialect == "postgres" else "mysql"
    root = base_project(tmp_path, seed)
    write_project(root, {"db/migration/V2__more.sql": MORE[seed] + ROWS["people"] + ROWS["orders"]})
    proc = plan_fast(root, dialect, args, "--write")
    if proc.returncode == 2 and dialect != "postgres" and args[0] == "change-column-type":
        assert "gh-ost" in proc.stderr
        return
    assert proc.returncode == 0, proc.stderr
    db = f"flylint_plan_{abs(hash((dialect, tuple(args)))) % 10**8}"
    if dialect == "postgres":
        admin = _pg()
        admin.execute(f"DROP DATABASE IF EXISTS {db}")
        admin.execute(f"CREATE DATABASE {db}")
        import psycopg

        conn = psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={db}")

        def run_sql(name, stmts, no_tx):
            conn.autocommit = no_tx
            with conn.cursor() as cur:
                for s in stmts:
                    cur.execute(s)
            if not no_tx:
                conn.commit()
        try:
            _apply(root / "db" / "migration", dialect, run_sql)
            with conn.cursor() as cur:
                cur.execute("SELECT * FROM users ORDER BY id")
                users = cur.fetchall()
                if args[1].startswith("people.") and args[0] in ("rename-column", "change-column-type"):
                    cur.execute(f"SELECT {args[2] if args[0] == 'rename-column' else args[1][7:]} FROM people ORDER BY id")
                    moved = [r[0] for r in cur.fetchall()]
        finally:
            conn.close()
            admin.execute(f"DROP DATABASE IF EXISTS {db}")
            admin.close()
    else:
        admin = _maria()
        cur = admin.cursor()
        cur.execute(f"DROP DATABASE IF EXISTS {db}")
        cur.execute(f"CREATE DATABASE {db}")
        cur.execute(f"USE {db}")

        def run_sql(name, stmts, no_tx):
            for s in stmts:
                cur.execute(s)
        try:
            _apply(root / "db" / "migration", dialect, run_sql)
            cur.execute("SELECT * FROM users ORDER BY id")
            users = cur.fetchall()
            if args[1].startswith("people.") and args[0] in ("rename-column", "change-column-type"):
                cur.execute(f"SELECT {args[2] if args[0] == 'rename-column' else args[1][7:]} FROM people ORDER BY id")
                moved = [r[0] for r in cur.fetchall()]
        finally:
            cur.execute(f"DROP DATABASE IF EXISTS {db}")
            admin.close()
    assert len(users) == 2
    if args[:2] == ["rename-column", "users.last_name"]:
        assert [u[-1] for u in users] == ["atalay", "yilmaz"]  # surname, backfilled from last_name
    expected = {"people.status": ["new", "new", "old"], "people.age": [30, 40, 0],
                "people.email": ["a@x", "b@x", "c@x"]}
    if args[0] in ("rename-column", "change-column-type") and args[1] in expected:
        assert moved == expected[args[1]]  # the data survived the plan
