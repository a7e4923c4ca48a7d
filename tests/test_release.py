"""`--since REF`: the migrations added or changed since the merge base form one release."""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest

from conftest import FIXTURES, run_cli
from gitrepo import Repo, rules_at

M = "db/migration"
USERS = "CREATE TABLE users (id bigint PRIMARY KEY, first_name text NOT NULL, last_name text NOT NULL);\n"


@pytest.fixture
def repo(tmp_path):
    return Repo(tmp_path)


def test_table_created_and_changed_across_the_release_is_quiet(repo):
    repo.write({f"{M}/V1__init.sql": USERS}).commit()
    repo.write({
        f"{M}/V2__orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n",
        f"{M}/V3__orders_total.sql": "ALTER TABLE orders ADD COLUMN total numeric NOT NULL;\n",
        f"{M}/V4__orders_fk.sql": "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) "
                                  "REFERENCES users (id) NOT VALID;\n",
        f"{M}/V5__orders_idx.sql": "CREATE INDEX orders_user_idx ON orders (user_id);\n",
        f"{M}/V6__orders_rename.sql": "ALTER TABLE orders RENAME COLUMN total TO amount;\n",
    })
    per_file = repo.lint_json(M, "--dialect", "postgres")
    # each file on its own: orders is live from V3 on, so the later files are judged against it
    assert {"add-not-null-column", "index-without-concurrently", "rename-column"} <= {f["rule"] for f in per_file["findings"]}
    released = repo.lint_json(M, "--dialect", "postgres", "--since", "main")
    assert released["findings"] == []
    assert released["release"]["migrations"] == [f"{M}/V{i}__{n}.sql" for i, n in (
        (2, "orders"), (3, "orders_total"), (4, "orders_fk"), (5, "orders_idx"), (6, "orders_rename"))]


def test_live_objects_stay_protected_and_deployed_files_are_not_judged_again(repo):
    repo.write({
        f"{M}/V1__init.sql": USERS,
        f"{M}/V2__old_drop.sql": "ALTER TABLE users DROP COLUMN first_name;\n",
    }).commit()
    repo.write({f"{M}/V3__drop.sql": "ALTER TABLE users DROP COLUMN last_name;\n"})
    doc = repo.lint_json(M, "--dialect", "postgres", "--since", "main")
    assert rules_at(doc) == [("drop-column", "error", f"{M}/V3__drop.sql"),
                             ("lock-timeout", "warning", f"{M}/V3__drop.sql")]
    # without --since the deployed V2 is reported as well
    assert ("drop-column", "error", f"{M}/V2__old_drop.sql") in rules_at(repo.lint_json(M, "--dialect", "postgres"))


def test_committed_uncommitted_and_untracked_files_all_count(repo):
    repo.write({f"{M}/V1__init.sql": USERS}).commit()
    repo.git("checkout", "-q", "-b", "feature")
    repo.write({f"{M}/V2__a.sql": "ALTER TABLE users ADD COLUMN a text;\n"}).commit("committed on the branch")
    repo.write({f"{M}/V3__b.sql": "ALTER TABLE users ADD COLUMN b text;\n"})
    repo.git("add", f"{M}/V3__b.sql")  # staged, not committed
    repo.write({f"{M}/V4__c.sql": "ALTER TABLE users DROP COLUMN c;\n"})  # untracked
    doc = repo.lint_json(M, "--dialect", "postgres", "--since", "main")
    assert doc["release"]["migrations"] == [f"{M}/V2__a.sql", f"{M}/V3__b.sql", f"{M}/V4__c.sql"]


def test_the_merge_base_is_the_deployed_state(repo):
    repo.write({f"{M}/V1__init.sql": USERS})
    base = repo.commit()
    repo.git("checkout", "-q", "-b", "feature")
    repo.write({f"{M}/V2__drop.sql": "ALTER TABLE users DROP COLUMN last_name;\n"}).commit("feature")
    repo.git("checkout", "-q", "main")
    repo.write({"README": "main moved on\n"}).commit("main moved on")
    repo.git("checkout", "-q", "feature")
    doc = repo.lint_json(M, "--dialect", "postgres", "--since", "main")
    assert doc["release"]["base"] == base
    assert doc["release"]["migrations"] == [f"{M}/V2__drop.sql"]
    assert ("drop-column", "error", f"{M}/V2__drop.sql") in rules_at(doc)


def test_flyway_locations_from_the_config_and_a_subfolder_as_cwd(repo):
    repo.write({
        "service/flyway.conf": "flyway.url=jdbc:postgresql://localhost/app\nflyway.locations=filesystem:sql\n",
        "service/sql/V1__init.sql": USERS,
    }).commit()
    repo.write({"service/sql/V2__drop.sql": "ALTER TABLE users DROP COLUMN last_name;\n"})
    doc = repo.lint_json("--since", "HEAD", cwd=repo.root / "service")
    assert doc["release"]["migrations"] == ["sql/V2__drop.sql"]
    assert ("drop-column", "error", "sql/V2__drop.sql") in rules_at(doc)


def test_text_output_names_the_release(repo):
    repo.write({f"{M}/V1__init.sql": USERS}).commit()
    repo.write({f"{M}/V2__add.sql": "ALTER TABLE users ADD COLUMN nick text;\n"})
    proc = repo.lint(M, "--dialect", "postgres", "--since", "main")
    assert "Release since main (merge base " in proc.stdout
    assert "1 migration added or changed, 1 deployed." in proc.stdout


def test_unknown_revision_is_a_usage_error(repo):
    repo.write({f"{M}/V1__init.sql": USERS}).commit()
    proc = repo.lint(M, "--dialect", "postgres", "--since", "origin/nope")
    assert proc.returncode == 2
    assert "unknown git revision 'origin/nope'" in proc.stderr
    assert "fetch-depth: 0" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_not_a_git_repository_is_a_usage_error(tmp_path):
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "V1__init.sql").write_text(USERS)
    proc = run_cli(["lint", "db", "--dialect", "postgres", "--since", "main", "--no-cache"], cwd=tmp_path,
                   env={"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)})
    assert proc.returncode == 2
    assert "is not inside a git repository (--since reads the deployed state from git)" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_git_missing_is_a_usage_error(repo, tmp_path_factory):
    repo.write({f"{M}/V1__init.sql": USERS}).commit()
    empty = tmp_path_factory.mktemp("nogit")
    proc = run_cli(["lint", M, "--dialect", "postgres", "--since", "main", "--no-cache"], cwd=repo.root,
                   env={"PATH": str(empty)})
    assert proc.returncode == 2
    assert "need git, which is not installed" in proc.stderr


def test_snapshot_cache_stays_correct_between_per_file_and_release_runs(repo):
    repo.write({f"{M}/V1__init.sql": USERS}).commit()
    repo.write({
        f"{M}/V2__orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
        f"{M}/V3__orders.sql": "ALTER TABLE orders ADD COLUMN total numeric NOT NULL;\n",
        f"{M}/V4__more.sql": "ALTER TABLE orders ADD COLUMN note text;\n",
    })

    def rules(*extra):
        proc = run_cli(["lint", M, "--dialect", "postgres", "--format", "json", "--fail-on", "never", *extra],
                       cwd=repo.root)
        assert proc.returncode == 0, proc.stderr
        return sorted(f["rule"] for f in json.loads(proc.stdout)["findings"])

    first = rules()  # writes the snapshot
    assert "add-not-null-column" in first
    assert rules("--since", "main") == []
    assert rules() == first  # served from the snapshot again, per file
    assert rules("--since", "main") == []


def test_changed_repeatable_is_in_the_release_but_what_it_created_before_is_live(repo):
    repo.write({
        f"{M}/V1__init.sql": USERS,
        f"{M}/R__views.sql": "CREATE OR REPLACE VIEW user_names AS SELECT id, first_name, last_name FROM users;\n",
    }).commit()
    repo.write({f"{M}/R__views.sql": "DROP VIEW IF EXISTS user_names;\n"
                "CREATE VIEW user_names AS SELECT id, first_name FROM users;\n"})
    doc = repo.lint_json(M, "--dialect", "postgres", "--since", "main")
    assert doc["release"]["migrations"] == [f"{M}/R__views.sql"]
    assert not [f for f in doc["findings"] if f["rule"].startswith("flyway-applied")]  # re-running is normal


# -- the seed scenario (fixtures/rename-last-name) as releases on top of a deployed base ------------

SEED_EXPECTED = {
    d: json.loads((FIXTURES / "rename-last-name" / d / "expected.json").read_text()) for d in ("postgres", "mysql")
}


@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
@pytest.mark.parametrize("step", [2, 3, 4])
def test_seed_steps_as_releases(repo, dialect, step):
    src = FIXTURES / "rename-last-name" / dialect
    files = sorted(p.name for p in src.glob("V*.sql"))
    (repo.root / "db").mkdir()
    for name in files[: step - 1]:
        shutil.copy(src / name, repo.root / "db" / name)
    repo.commit()
    shutil.copy(src / files[step - 1], repo.root / "db" / files[step - 1])
    doc = repo.lint_json("db", "--dialect", dialect, "--since", "main")
    got = sorted([f["rule"], f["path"].split("/")[-1], f["line"], f["column"]] for f in doc["findings"])
    want = sorted(e for e in SEED_EXPECTED[dialect] if e[1] == files[step - 1])
    assert got == want  # one migration per release: the same findings as the per-file run


def test_since_is_fast_on_a_long_history(repo):
    """A release on top of 400 deployed migrations (bench/bench.py's default size), no cache."""
    import importlib.util
    from conftest import REPO

    spec = importlib.util.spec_from_file_location("bench", REPO / "bench" / "bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    (repo.root / M).mkdir(parents=True)
    bench.generate(repo.root / M, 400, 8)
    repo.commit()
    repo.write({f"{M}/V401__drop.sql": "ALTER TABLE t1 DROP COLUMN name;\n"})
    t0 = time.perf_counter()
    doc = repo.lint_json(M, "--dialect", "postgres", "--since", "main")
    elapsed = time.perf_counter() - t0
    assert doc["release"]["migrations"] == [f"{M}/V401__drop.sql"]
    # views of the deployed history read t1.name: PostgreSQL refuses the drop, and a statement that fails
    # carries only that error (flylint.rules.drop_after_failure)
    assert ("dependent-objects", "error", f"{M}/V401__drop.sql") in rules_at(doc)
    assert elapsed < 20, elapsed  # about 2 s here; generous for a shared machine
    os.environ.get("FLYLINT_TIMINGS") and print(f"--since on 400 migrations: {elapsed:.2f} s")


def test_release_object_per_file_and_since():
    from types import SimpleNamespace

    from flylint.release import Release

    per_file = Release()
    m = SimpleNamespace(display="db/V3__x.sql")
    assert per_file.per_file and per_file.contains(m)
    assert per_file.born(3, 3) and not per_file.born(2, 3) and not per_file.born(-1, 3)
    assert per_file.is_live(SimpleNamespace(origin=2), at=3) and not per_file.is_live(SimpleNamespace(origin=3), at=3)
    since = Release(since="main", base="0" * 40, members=frozenset({"db/V3__x.sql", "db/V4__y.sql"}),
                    new=frozenset({2, 3}), deployed=frozenset({"db/V1__a.sql", "db/V2__b.sql"}))
    assert since.contains(m) and not since.contains(SimpleNamespace(display="db/V2__b.sql"))
    assert since.born(2, 3) and since.born(3, 3) and not since.born(1, 3) and not since.born(-1, 3)
    assert not since.is_live(SimpleNamespace(origin=2), at=3)
    finding = SimpleNamespace(path="db/V2__b.sql", rule="drop-column")
    assert not since.keep(finding) and per_file.keep(finding)
    assert since.keep(SimpleNamespace(path="db/V2__b.sql", rule="flyway-applied-migration-edited"))


def test_validate_in_a_later_file_of_the_same_release_is_not_the_same_transaction(tmp_path):
    """NOT VALID in one migration and VALIDATE in the next, both in one --since release: the
    recipe followed, not 'VALIDATE in the same transaction'."""
    import json
    import subprocess

    from conftest import run_cli, write_project

    write_project(tmp_path, {"V1__init.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, currency text);\n"})
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "deployed"], check=True)
    write_project(tmp_path, {
        "V2__check.sql": "SET lock_timeout = '5s';\nALTER TABLE orders ADD CONSTRAINT orders_currency_nn "
                         "CHECK (currency IS NOT NULL) NOT VALID;\n",
        "V3__validate.sql": "ALTER TABLE orders VALIDATE CONSTRAINT orders_currency_nn;\n",
    })
    proc = run_cli(["lint", ".", "--dialect", "postgres", "--since", "HEAD", "--format", "json", "--no-cache"],
                   tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [f["rule"] for f in json.loads(proc.stdout)["findings"]] == []
    write_project(tmp_path, {"V3__validate.sql": "SELECT 1;\n",
                             "V2__check.sql": "SET lock_timeout = '5s';\nALTER TABLE orders ADD CONSTRAINT "
                             "orders_currency_nn CHECK (currency IS NOT NULL) NOT VALID;\n"
                             "ALTER TABLE orders VALIDATE CONSTRAINT orders_currency_nn;\n"})
    proc = run_cli(["lint", ".", "--dialect", "postgres", "--since", "HEAD", "--format", "json", "--no-cache"],
                   tmp_path)
    assert [(f["rule"], f["path"], f["line"]) for f in json.loads(proc.stdout)["findings"]] == [
        ("constraint-on-live-table", "V2__check.sql", 3)]
