"""Parsing and replaying a long history on two processes gives exactly the one-process result."""

from __future__ import annotations

import json
import os
import random

import pytest

from conftest import run_cli, write_project
from flylint import twoproc
from flylint.engine import Options, run

STEPS = [
    "ALTER TABLE t{m} ADD COLUMN c{n} integer;",
    "ALTER TABLE t{m} ADD COLUMN s{n} text NOT NULL DEFAULT 'x';",
    "ALTER TABLE t{m} ALTER COLUMN name SET NOT NULL;",
    "CREATE INDEX t{m}_i{n} ON t{m} (name);",
    "ALTER TABLE t{m} ADD CONSTRAINT t{m}_fk{n} FOREIGN KEY (id) REFERENCES t{k} (id);",
    "UPDATE t{m} SET name = upper(name) WHERE id < {n};",
    "DELETE FROM t{m};",
    "ALTER TABLE t{m} RENAME COLUMN name TO name{n};",
    "ALTER TABLE t{m} DROP COLUMN created_at;",
    "DROP TABLE t{m};",
    "CREATE OR REPLACE VIEW v{n} AS SELECT id FROM t{m};",
    "SELECT broken FROM;",
]


def history(files: int, seed: int = 3) -> dict[str, str]:
    """A PostgreSQL history whose later files alter, rename and drop what earlier ones created,
    so that replaying the second half depends on the catalog built by the first."""
    rnd = random.Random(seed)
    out = {}
    for v in range(1, files + 1):
        parts = [f"CREATE TABLE t{v} (id bigint PRIMARY KEY, name text, created_at timestamptz DEFAULT now());"]
        for _ in range(6):
            n, m, k = rnd.randint(1, 10**6), rnd.randint(1, v), rnd.randint(1, v)
            parts.append(rnd.choice(STEPS).format(n=n, m=m, k=k))
        out[f"V{v}__step.sql"] = "\n".join(parts) + "\n"
    return out


def _summary(result):
    return (
        [f.to_json() for f in result.findings],
        [[[(c.kind, c.klass, c.object, c.table, c.description) for c in st] for st in fa]
         for fa in result.replay.changes],
        sorted(result.replay.catalog.tables), sorted(result.replay.catalog.views),
        [(fa.migration.display, len(fa.statements)) for fa in result.files],
    )


def test_two_processes_give_the_one_process_result(tmp_path, monkeypatch):
    write_project(tmp_path, history(60))
    opts = Options(cwd=tmp_path, paths=(tmp_path,), dialect="postgres", cache=False)
    monkeypatch.setenv("FLYLINT_JOBS", "1")
    one = run(opts)
    monkeypatch.delenv("FLYLINT_JOBS")
    monkeypatch.setattr(twoproc, "MIN_BYTES", 0)
    assert twoproc.worthwhile(
        [type("P", (), {"text": "x"})()] * 60, cpu_count=2)
    two = run(opts)
    assert one.findings, "the history must produce findings, or the comparison proves little"
    assert _summary(two) == _summary(one)
    # parts A and C are analysed on the parent (with trees), part B arrives from the child without
    # them: the split path really ran, and cut where twoproc.cut says
    ka, kb = twoproc.cut(_prepared_like(tmp_path))
    with_tree = [fa.statements[0].parsed.tree is not None for fa in two.files]
    assert with_tree == [True] * ka + [False] * (kb - ka) + [True] * (len(two.files) - kb)
    assert 0 < ka < kb < len(two.files) - 1
    assert all(fa.statements[0].parsed.tree is not None for fa in one.files)


def _prepared_like(root):
    """Objects with the `text` twoproc.cut measures, in history order."""
    from flylint.engine import _natural

    paths = sorted(root.glob("*.sql"), key=lambda p: _natural(p.name))
    return [type("P", (), {"text": p.read_text()})() for p in paths]


def test_a_failing_child_leaves_the_parent_to_do_its_part(tmp_path, monkeypatch):
    from flylint import engine

    write_project(tmp_path, history(40))
    opts = Options(cwd=tmp_path, paths=(tmp_path,), dialect="postgres", cache=False)
    monkeypatch.setenv("FLYLINT_JOBS", "1")
    expected = run(opts)
    monkeypatch.delenv("FLYLINT_JOBS")
    monkeypatch.setattr(twoproc, "MIN_BYTES", 0)
    parent, real = os.getpid(), engine.analyse_file
    analysed = []

    def analyse_file(p, pieces):
        if os.getpid() != parent:
            raise RuntimeError("the child breaks")
        analysed.append(p.migration.display)
        return real(p, pieces)

    monkeypatch.setattr(engine, "analyse_file", analyse_file)
    got = run(opts)
    assert sorted(analysed) == sorted(fa.migration.display for fa in expected.files)
    assert _summary(got) == _summary(expected)


def test_a_child_failing_after_sending_its_catalog_leaves_the_parent_to_redo_b_and_c(tmp_path, monkeypatch):
    """The child sends B's catalog first (the parent replays C on it at once), then B's statements:
    when the second message never comes, the parent goes back to the state after A."""
    from flylint import engine

    write_project(tmp_path, history(40))
    opts = Options(cwd=tmp_path, paths=(tmp_path,), dialect="postgres", cache=False)
    monkeypatch.setenv("FLYLINT_JOBS", "1")
    expected = run(opts)
    monkeypatch.delenv("FLYLINT_JOBS")
    monkeypatch.setattr(twoproc, "MIN_BYTES", 0)
    parent, real_light, real_analyse = os.getpid(), engine._light, engine.analyse_file
    analysed = []

    def light(fa):
        if os.getpid() != parent:
            os._exit(3)  # after the first message, before the second
        return real_light(fa)

    def analyse_file(p, pieces):
        if os.getpid() == parent:
            analysed.append(p.migration.display)
        return real_analyse(p, pieces)

    monkeypatch.setattr(engine, "_light", light)
    monkeypatch.setattr(engine, "analyse_file", analyse_file)
    got = run(opts)
    assert sorted(analysed) == sorted(fa.migration.display for fa in expected.files)
    assert _summary(got) == _summary(expected)


def test_small_projects_and_the_opt_out_stay_on_one_process(monkeypatch):
    big = [type("P", (), {"text": "x" * 100_000})()] * 4
    assert twoproc.worthwhile(big, cpu_count=2)
    assert not twoproc.worthwhile(big, cpu_count=1)
    assert not twoproc.worthwhile(big[:1], cpu_count=2)
    assert not twoproc.worthwhile([type("P", (), {"text": "x"})()] * 50, cpu_count=2)
    monkeypatch.setenv("FLYLINT_JOBS", "1")
    assert not twoproc.worthwhile(big, cpu_count=2)


def test_cli_output_is_the_same_either_way(tmp_path):
    """A history above the threshold through the real command line, both ways."""
    files = history(600, seed=11)
    assert sum(len(t) for t in files.values()) >= twoproc.MIN_BYTES
    write_project(tmp_path, files)
    outputs = []
    for jobs in ("1", "2"):
        out = run_cli(["lint", ".", "--dialect", "postgres", "--format", "json", "--no-cache"], tmp_path,
                      env={"FLYLINT_JOBS": jobs})
        assert out.returncode == 1, out.stderr
        outputs.append(json.loads(out.stdout))
    assert outputs[0]["findings"] and outputs[0] == outputs[1]


def test_two_processes_respect_the_release_of_since(tmp_path, monkeypatch):
    """With --since the child replays with the same release: objects born in it stay quiet."""
    import subprocess

    files = history(40)
    write_project(tmp_path, files)
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "deployed"], check=True)
    write_project(tmp_path, {
        "V41__new.sql": "CREATE TABLE audit (id bigint PRIMARY KEY, note text);\n",
        "V42__more.sql": "ALTER TABLE audit DROP COLUMN note;\n",
        "V43__last.sql": "ALTER TABLE t1 DROP COLUMN name;\n",
    })
    opts = Options(cwd=tmp_path, paths=(tmp_path,), dialect="postgres", cache=False, since="HEAD")
    monkeypatch.setenv("FLYLINT_JOBS", "1")
    one = run(opts)
    monkeypatch.delenv("FLYLINT_JOBS")
    monkeypatch.setattr(twoproc, "MIN_BYTES", 0)
    monkeypatch.setattr(twoproc, "SHARES", (0.5, 0.5))  # C is the last two files: V41 and V42 on the child
    two = run(opts)
    assert _summary(two) == _summary(one)
    assert [fa.statements[0].parsed.tree is None for fa in two.files[-4:]] == [True, True, False, False]
    rules = {(f.path, f.rule) for f in two.findings}
    assert ("V43__last.sql", "drop-column") in rules  # t1 is deployed: live
    drops = [f for f in two.findings if f.rule == "drop-column"]
    assert all("audit" not in f.message for f in drops)  # audit was born in the release


def test_ctrl_c_stops_a_long_run_with_exit_code_130(tmp_path):
    """An interrupted run says so and exits 130 (not 1, which means findings), promptly, and
    leaves no child process behind."""
    import signal
    import subprocess
    import sys
    import time

    write_project(tmp_path, history(1500, seed=5))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYWAY", "FLYLINT"))}
    proc = subprocess.Popen([sys.executable, "-m", "flylint", "lint", ".", "--dialect", "postgres", "--no-cache"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)  # imports done, parsing under way
    proc.send_signal(signal.SIGINT)
    started = time.monotonic()
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "flylint: interrupted" in err and "Traceback" not in err
    assert time.monotonic() - started < 5
    time.sleep(0.2)
    left = []
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and os.readlink(f"/proc/{pid}/cwd") == str(tmp_path):
                left.append(pid)
        except OSError:
            pass
    assert left == []  # neither flylint nor its second process runs on in the project


def test_the_cut_leaves_every_part_something():
    for n in range(4, 12):
        todo = [type("P", (), {"text": "x" * (1 + i % 3)})() for i in range(n)]
        ka, kb = twoproc.cut(todo)
        assert 1 <= ka < kb <= n - 2, (n, ka, kb)
    # large even history: the shares by bytes
    todo = [type("P", (), {"text": "x" * 100})()] * 1000
    assert twoproc.cut(todo) == (320, 780)


def test_run_halves_keeps_item_order_and_survives_a_failing_child():
    import time

    parent = os.getpid()

    def square(some):
        time.sleep(0.01)  # long enough for the child to take items too
        return [(n * n, os.getpid() == parent) for n in some]

    squares = twoproc.run_halves(list(range(20)), square)
    assert [v for v, _ in squares] == [n * n for n in range(20)]
    # both processes took items from the shared queue
    assert any(on_parent for _, on_parent in squares) and not all(on_parent for _, on_parent in squares)

    def breaks_on_child(some):
        if os.getpid() != parent:
            raise RuntimeError("the child breaks")
        time.sleep(0.01)
        return [n + 1 for n in some]

    assert twoproc.run_halves(list(range(5)), breaks_on_child) == [1, 2, 3, 4, 5]
    assert twoproc.run_halves([1], breaks_on_child) is None  # nothing to share
    assert twoproc.run_halves(list(range(300)), breaks_on_child) is None  # more than the queue holds


def test_an_error_in_a_rule_surfaces_as_on_one_process(tmp_path, monkeypatch):
    from flylint.engine import select_rules
    from flylint.rules import all_rules

    write_project(tmp_path, history(30))
    monkeypatch.setattr(twoproc, "MIN_BYTES", 0)
    broken = select_rules(all_rules(), (), ())[1]  # an odd position: its half runs on the child
    original = broken.check

    def boom(ctx):
        raise ValueError("rule bug")

    object.__setattr__(broken, "check", boom)  # Rule is frozen
    try:
        with pytest.raises(ValueError, match="rule bug"):
            run(Options(cwd=tmp_path, paths=(tmp_path,), dialect="postgres", cache=False))
    finally:
        object.__setattr__(broken, "check", original)
