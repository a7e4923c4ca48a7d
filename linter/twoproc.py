"""Parse and replay a long history on two processes.

Parse trees are as expensive to send between processes as to build (docs/performance.md), so
the second process never sends trees. Instead the work is cut in two along the history:

    parent:  parse + analyse + replay files[:k]  --catalog-->  (waits)
    child:   parse + analyse files[k:]  ...................>  replay files[k:-1] --result-->

The child receives the parent's replay state (a catalog and change lists: small next to the
trees), replays its own part on top of it and sends back what rules and reporters need: its
files without trees, its facts, the replay state and, whole, the newest file (which the parent
replays itself, so that the snapshot in the cache keeps ending one migration early).

Only on platforms with fork (the child shares the parent's imported modules and discovery
results; nothing has to be pickled but the two results). Anything going wrong in the child
makes the parent do the child's work itself: the result is the same, only slower.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Callable

# Below this many bytes of SQL the fork costs more than it saves (measured: about 20 ms to fork
# and exchange results; 200 KiB of migrations take about 0.3 s to parse and replay).
MIN_BYTES = 200_000


def worthwhile(todo: list, cpu_count: int | None = None) -> bool:
    if not hasattr(os, "fork") or sys.platform not in ("linux", "darwin"):
        return False
    if os.environ.get("FLYLINT_JOBS", "") == "1":
        return False
    cpus = cpu_count if cpu_count is not None else len(os.sched_getaffinity(0)) if hasattr(
        os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cpus < 2 or len(todo) < 4:
        return False
    return sum(len(p.text or "") for p in todo) >= MIN_BYTES


def cut(todo: list, share: float = 0.42) -> int:
    """Index where the parent's part ends. The parent also replays its part while the child is
    still parsing, so it takes the smaller share (parse : replay is about 2.7 : 1)."""
    total = sum(len(p.text or "") for p in todo) or 1
    acc = 0
    for i, p in enumerate(todo):
        acc += len(p.text or "")
        if acc >= share * total:
            return max(1, min(i + 1, len(todo) - 1))
    return len(todo) - 1


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def run_split(
    done: int,
    todo: list,
    analyse: Callable[[list], tuple[list, list]],
    replay_from: Callable[[list, object], object],
    light: Callable[[object], object],
    history: object,
    files: list,
    per_file_facts: list,
    make_state: Callable[[object, list, list], object],
    make_file: Callable[[object, tuple, str | None], object],
) -> tuple[list, list, object] | None:
    """Analyse `todo` (the files after the `done` already in `files`) and replay all but the
    newest of them on top of `history`. Returns (files, per_file_facts, history) with the newest
    file not yet replayed, as the one-process path leaves it; None when forking is impossible.

    analyse(prepared list) -> (FileAnalysis list, facts list per file)
    replay_from(files, history) -> history replayed over every file in `files` it has not seen
    light(FileAnalysis) -> the same without parse trees
    make_state(catalog, changes, problems) -> a replay state; make_file(migration, statements, text)
    """
    k = cut(todo)
    to_child_r, to_child_w = os.pipe()
    to_parent_r, to_parent_w = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        for fd in (to_child_r, to_child_w, to_parent_r, to_parent_w):
            os.close(fd)
        return None
    if pid == 0:  # the child: never returns
        status = 0
        try:
            os.close(to_child_w)
            os.close(to_parent_r)
            mine, mine_facts = analyse(todo[k:])
            catalog, problems = pickle.loads(_read_all(to_child_r))
            before = done + k
            # replay reads only how many files it has replayed, never their changes or analyses
            state = make_state(catalog, [None] * before, problems)
            state = replay_from([None] * before + mine[:-1], state)
            payload = (
                # the parent has each file's migration and text: send only the statements
                [light(fa).statements for fa in mine[:-1]],
                mine[-1],
                mine_facts,
                state.catalog,
                state.changes[before:],
                state.problems,
            )
            _write_all(to_parent_w, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
        except BaseException:  # noqa: BLE001 - the parent notices the missing result and carries on
            status = 1
        finally:
            os._exit(status)

    os.close(to_child_r)
    os.close(to_parent_w)
    try:
        ours, ours_facts = analyse(todo[:k])
        files = files + ours
        per_file_facts = per_file_facts + ours_facts
        history = replay_from(files, history)
        try:
            _write_all(to_child_w, pickle.dumps((history.catalog, history.problems),
                                                protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # the child is gone: handled below
        os.close(to_child_w)
        to_child_w = -1
        data = _read_all(to_parent_r)
    except BaseException:  # e.g. Ctrl-C: do not wait for the child to finish its part
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        if to_child_w >= 0:
            os.close(to_child_w)
        os.close(to_parent_r)
        _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        # the child failed: do its part here (same result, one process)
        theirs, theirs_facts = analyse(todo[k:])
        files = files + theirs
        per_file_facts = per_file_facts + theirs_facts
        history = replay_from(files[:-1], history)
        return files, per_file_facts, history
    light_statements, newest, theirs_facts, catalog, changes, problems = pickle.loads(data)
    history.catalog = catalog
    history.changes.extend(changes)
    history.problems = problems
    light_files = [make_file(p.migration, stmts, p.text) for p, stmts in zip(todo[k:], light_statements)]
    return files + light_files + [newest], per_file_facts + theirs_facts, history
