"""`--app-source DIR`: evidence from the deployed code (linter/appsource.py)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli, write_project
from flylint.appsource import AppSource, compile_forms, forms, search
from flylint.release import Release
from gitrepo import Repo

M = "db/migration"
USERS = "CREATE TABLE users (id bigint PRIMARY KEY, first_name text NOT NULL, last_name text NOT NULL);\n"
DROP = "ALTER TABLE users DROP COLUMN last_name;\n"

# The seed article's entity at step 2 (both columns) and step 3 (surname only).
USER_V2 = """@Entity
class User {
    @Column(name="first_name")
    private String firstName;

    @Column(name="last_name")
    private String lastName;

    @Column(name="surname")
    private String surname;

    public String getSurname() {
        return this.surname != null ? this.surname : this.lastName;
    }
}
"""
USER_V3 = """@Entity
class User {
    @Column(name="first_name")
    private String firstName;

    @Column(name="surname")
    private String surname;

    public String getSurname() {
        return this.surname;
    }
}
"""


def test_forms():
    assert forms("last_name") == ("last_name", "lastName", "LastName")
    assert forms("lastName") == ("lastName", "last_name", "LastName")
    assert forms("users") == ("users", "Users")
    assert forms("HTTPStatus") == ("HTTPStatus", "http_status", "httpStatus", "HttpStatus")


@pytest.mark.parametrize("text,hit", [
    ("String last_name;", "last_name"),
    ("private String lastName;", "lastName"),
    ("getLastName()", "LastName"),
    ("this.lastNameField", "lastName"),
    ("last_names", None),
    ("old_last_name", None),
    ("xlastName", None),
    ("LAST_NAME", None),
    ("$last_name", None),
])
def test_word_boundaries(text, hit):
    m = compile_forms(forms("last_name")).search(text)
    assert (m.group() if m else None) == hit


def _lint(repo: Repo, *args, cwd=None):
    return repo.lint_json(M, "--dialect", "postgres", *args, cwd=cwd)


def _drop_finding(doc):
    [f] = [f for f in doc["findings"] if f["rule"] == "drop-column"]
    return f


@pytest.fixture
def deployed(tmp_path):
    """Deployed: V1 and the code of the seed's step 2 (which still reads last_name)."""
    repo = Repo(tmp_path)
    repo.write({f"{M}/V1__init.sql": USERS, "app/src/main/java/User.java": USER_V2}).commit()
    return repo


def test_drop_still_referenced_by_the_deployed_code_is_an_error_naming_the_places(deployed):
    # the release also moves the code on: what counts is the code as deployed, read from git
    deployed.write({f"{M}/V2__drop.sql": DROP, "app/src/main/java/User.java": USER_V3})
    doc = _lint(deployed, "--since", "main", "--app-source", "app")
    f = _drop_finding(doc)
    assert f["severity"] == "error"
    assert ("the deployed code still references last_name: app/src/main/java/User.java:6, "
            "app/src/main/java/User.java:7 (lastName), app/src/main/java/User.java:13 (lastName)") in f["message"]
    assert doc["app_source"]["files"] == 1
    assert doc["app_source"]["revision"] == deployed.git("rev-parse", "HEAD").strip()


def test_the_same_drop_after_the_code_moved_on_is_a_warning(deployed):
    deployed.write({"app/src/main/java/User.java": USER_V3}).commit("code no longer uses last_name")
    deployed.write({f"{M}/V2__drop.sql": DROP})
    doc = _lint(deployed, "--since", "main", "--app-source", "app")
    f = _drop_finding(doc)
    assert f["severity"] == "warning"
    assert "no longer references last_name (searched last_name, lastName, LastName in 1 file" in f["message"]
    assert "contract step" in f["message"] and "The data is still lost." in f["message"]


def test_without_since_the_working_tree_is_searched(tmp_path):
    write_project(tmp_path, {f"{M}/V1__init.sql": USERS, f"{M}/V2__drop.sql": DROP, "app/User.java": USER_V3})
    proc = run_cli(["lint", M, "--dialect", "postgres", "--app-source", "app", "--no-cache"], cwd=tmp_path)
    assert "warning[drop-column]" in proc.stdout and "(working tree)" in proc.stdout
    assert "Searched 1 file of the deployed code in app (working tree)." in proc.stdout
    (tmp_path / "app" / "User.java").write_text(USER_V2)
    proc = run_cli(["lint", M, "--dialect", "postgres", "--app-source", "app", "--no-cache"], cwd=tmp_path)
    assert "error[drop-column]" in proc.stdout and "app/User.java:6" in proc.stdout


def test_five_places_and_n_more(tmp_path):
    code = "".join(f"row.get(\"last_name\"); // {i}\n" for i in range(8))
    write_project(tmp_path, {f"{M}/V1__init.sql": USERS, f"{M}/V2__drop.sql": DROP, "app/a.py": code})
    doc = json_lint(tmp_path, "--app-source", "app")
    msg = _drop_finding(doc)["message"]
    assert "app/a.py:1, app/a.py:2, app/a.py:3, app/a.py:4, app/a.py:5 and 3 more" in msg


def json_lint(cwd: Path, *args):
    import json

    proc = run_cli(["lint", M, "--dialect", "postgres", "--format", "json", "--no-cache", "--fail-on", "never", *args],
                   cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_what_is_not_searched(tmp_path):
    write_project(tmp_path, {
        f"{M}/V1__init.sql": USERS, f"{M}/V2__drop.sql": DROP,
        "app/node_modules/lib/x.js": "last_name\n",
        "app/build/gen/X.java": "last_name\n",
        "app/target/X.java": "last_name\n",
        "app/.idea/x.xml": "last_name\n",
        "app/README.md": "last_name\n",  # not a source or resource extension
        "app/src/ok.kt": "val name = 1\n",
    })
    (tmp_path / "app" / "src" / "blob.json").write_bytes(b"last_name\0\1\2")  # binary
    (tmp_path / "app" / "src" / "huge.sql").write_text("-- last_name\n" + "x" * (1 << 20))
    doc = json_lint(tmp_path, "--app-source", "app")
    assert _drop_finding(doc)["severity"] == "warning"
    assert doc["app_source"]["files"] == 1  # only src/ok.kt


def test_rename_table_and_drop_view(tmp_path):
    write_project(tmp_path, {
        f"{M}/V1__init.sql": USERS + "CREATE VIEW user_names AS SELECT id, first_name FROM users;\n",
        f"{M}/V2__rename.sql": "ALTER TABLE users RENAME TO customers;\n",
        f"{M}/V3__view.sql": "DROP VIEW user_names;\n",
        "app/repo.ts": "const q = `SELECT * FROM users`;\n",
        "app/Names.cs": "class UserNames {}\n",
    })
    doc = json_lint(tmp_path, "--app-source", "app")
    by_rule = {f["rule"]: f for f in doc["findings"]}
    assert by_rule["rename-table"]["severity"] == "error" and "app/repo.ts:1" in by_rule["rename-table"]["message"]
    assert by_rule["drop-object"]["severity"] == "error" and "app/Names.cs:1 (UserNames)" in by_rule["drop-object"]["message"]


def test_set_not_null_without_references_keeps_its_severity(tmp_path):
    write_project(tmp_path, {
        f"{M}/V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
        f"{M}/V2__nn.sql": "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n",
        "app/User.java": "class User { long id; }\n",
    })
    doc = json_lint(tmp_path, "--app-source", "app")
    [f] = [f for f in doc["findings"] if f["rule"] == "set-not-null"]
    assert f["severity"] == "warning" and "never names email" in f["message"]  # the rule's own severity


def test_configured_severity_wins(tmp_path):
    write_project(tmp_path, {
        f"{M}/V1__init.sql": USERS, f"{M}/V2__drop.sql": DROP, "app/a.py": "last_name = 1\n",
        "flylint.toml": "[severity]\n\"drop-column\" = \"info\"\n",
    })
    doc = json_lint(tmp_path, "--app-source", "app")
    f = _drop_finding(doc)
    assert f["severity"] == "info" and "still references last_name" in f["message"]


def test_missing_folder_is_a_usage_error(tmp_path):
    write_project(tmp_path, {f"{M}/V1__init.sql": USERS})
    proc = run_cli(["lint", M, "--dialect", "postgres", "--app-source", "nope", "--no-cache"], cwd=tmp_path)
    assert proc.returncode == 2 and "--app-source: not a folder" in proc.stderr


def test_a_folder_without_source_files_is_a_usage_error(deployed):
    # a typo must not turn every finding into "no longer referenced"
    deployed.write({f"{M}/V2__drop.sql": DROP})
    proc = deployed.lint(M, "--dialect", "postgres", "--since", "main", "--app-source", "ap")
    assert proc.returncode == 2 and "--app-source: no source files in ap at " in proc.stderr
    (deployed.root / "docs").mkdir()
    (deployed.root / "docs" / "notes.md").write_text("last_name\n")
    proc = deployed.lint(M, "--dialect", "postgres", "--app-source", "docs")
    assert proc.returncode == 2 and "--app-source: no source files in docs (searched: " in proc.stderr


def test_without_evidence_kinds_nothing_is_searched_but_files_are_counted(tmp_path):
    write_project(tmp_path, {f"{M}/V1__init.sql": USERS, "app/a.py": "x = 1\n", "app/b.go": "package b\n"})
    doc = json_lint(tmp_path, "--app-source", "app")
    assert doc["app_source"] == {"dirs": ["app"], "revision": None, "files": 2, "names": []}
    assert json_lint(tmp_path)["app_source"] is None


def test_seed_contract_step_with_the_code_of_step_three(tmp_path):
    """The seed article: V1-V3 and the step-3 code are deployed; V4 drops last_name."""
    repo = Repo(tmp_path)
    src = FIXTURES / "rename-last-name" / "mysql"
    (tmp_path / "db").mkdir()
    for name in ("V1__init.sql", "V2__Add_surname.sql", "V3__Final_migration.sql"):
        shutil.copy(src / name, tmp_path / "db" / name)
    repo.write({"app/User.java": USER_V3}).commit()
    shutil.copy(src / "V4__Remove_lastname.sql", tmp_path / "db")
    doc = repo.lint_json("db", "--dialect", "mysql", "--since", "main", "--app-source", "app")
    f = _drop_finding(doc)
    assert f["severity"] == "warning" and "contract step" in f["message"]


def test_many_files_in_a_few_seconds(tmp_path):
    """Benchmark: FLYLINT_BENCH=1 searches 10,000 files (about 2.5 KB each, one in a hundred
    referencing the column; docs/performance.md has the figures); the suite uses 1,000, because
    creating the files costs more than searching them on a slow disk."""
    n = 10_000 if os.environ.get("FLYLINT_BENCH") else 1_000
    app = tmp_path / "app"
    filler = "".join(f"    public int field{i}() {{ return {i} * factor + offset; }}\n" for i in range(40))
    for i in range(n):
        d = app / f"pkg{i // 100}"
        if i % 100 == 0:
            d.mkdir(parents=True)
        body = filler + ("    String lastName;\n" if i % 100 == 7 else "")
        (d / f"C{i}.java").write_text(f"class C{i} {{\n{body}}}\n")

    class Ctx:
        release = Release()

        @staticmethod
        def changes():
            from flylint.catalog.changes import Change
            from flylint.model import FileAnalysis, MigrationFile

            m = MigrationFile(tmp_path / "V2__x.sql", "V2__x.sql", "V2__x.sql", "V", None, "x", 0)
            ch = Change("drop-column", "destructive", "users.last_name", ("public", "users"), False, "", 1, 0,
                        {"column": "last_name"})
            return [(FileAnalysis(m, (), ""), None, ch)]

    t0 = time.perf_counter()
    result = search([app], Ctx, tmp_path)
    elapsed = time.perf_counter() - t0
    assert isinstance(result, AppSource)
    assert result.files == n and result.count("last_name") == n // 100
    assert elapsed < n / 1000, elapsed  # a second per thousand files at most; about 0.1 s per thousand here
    if os.environ.get("FLYLINT_BENCH"):
        print(f"\nsearched {n} files in {elapsed:.2f} s")


def test_a_folder_deleted_since_the_base_is_read_from_git(deployed):
    # the release removes the old code entirely; the deployed version still has it
    shutil.rmtree(deployed.root / "app")
    deployed.write({f"{M}/V2__drop.sql": DROP})
    doc = _lint(deployed, "--since", "main", "--app-source", "app/src")
    f = _drop_finding(doc)
    assert f["severity"] == "error" and "app/src/main/java/User.java:6" in f["message"]
