"""Parse and replay a long history on two processes.

Parse trees are as expensive to send between processes as to build (docs/performance.md), so
the second process never sends trees. Instead the history is cut in three parts, A, B and C:

    parent:  parse + replay A  --catalog-->  parse C .......  <--catalog--  replay C  <--rest--
    child:   parse B ..................  replay B on A's catalog  --catalog-->  pickle the rest -->

The child receives the parent's replay state after A (a catalog and problem list: small next to
the trees) and replays B on top of it, while the parent parses C. The child then answers in two
messages: first the catalog after B, which is all the parent needs to replay C (every file of C
but its newest, which the engine replays after taking the snapshot), then, pickled while the
parent replays C, what rules and reporters need of B: its files without trees, facts and changes.

Only on platforms with fork (the child shares the parent's imported modules and discovery
results; nothing has to be pickled but the two results). Anything going wrong in the child
makes the parent do the child's work itself: the result is the same, only slower.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
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


# Shares of the three parts, by bytes of SQL. Measured (wall time per process, both running) on
# the benchmark's history: parsing costs about 2.8 times replaying, and handing B's result over
# about 0.6 times replaying B. The child may start replaying B once it has parsed B and the parent
# has parsed and replayed A (B <= 1.46 A); its replay and hand-over of B should last as long as
# the parent's parse of C (C = 0.46 B); the parent replays C last. Minimising the parent's path
# gives A = 0.32, B = 0.47 (the optimum moves with the machine: measure before changing).
SHARES = (0.32, 0.46)


def cut(todo: list, shares: tuple[float, float] | None = None) -> tuple[int, int]:
    """Indexes where A ends and B ends (each part holds at least one file, C at least two: its
    newest file is replayed by the engine after the snapshot is taken)."""
    shares = shares or SHARES
    total = sum(len(p.text or "") for p in todo) or 1
    bounds = []
    acc = 0
    targets = [shares[0] * total, (shares[0] + shares[1]) * total]
    for i, p in enumerate(todo):
        acc += len(p.text or "")
        while targets and acc >= targets[0]:
            bounds.append(i + 1)
            targets.pop(0)
    while len(bounds) < 2:
        bounds.append(len(todo))
    a = max(1, min(bounds[0], len(todo) - 3))
    b = max(a + 1, min(bounds[1], len(todo) - 2))
    return a, b


def _fork(*fds: int) -> int | None:
    """os.fork(); None (the pipes `fds` closed) when the system refuses."""
    try:
        return os.fork()
    except OSError:
        for fd in fds:
            os.close(fd)
        return None


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


def _write_behind(fd: int, data: bytes) -> threading.Thread:
    """Write `data` on a thread: a pipe holds 64 KiB, so a plain write would wait for the reader,
    which is busy parsing (os.write releases the GIL while it waits). Join the thread before
    closing `fd`."""
    writer = threading.Thread(target=_write_quietly, args=(fd, data), daemon=True)
    writer.start()
    return writer


def _write_quietly(fd: int, data: bytes) -> None:
    try:
        _write_all(fd, data)
    except OSError:
        pass  # the reader is gone: it notices the missing message


def _message(obj: object) -> bytes:
    """One message for `_receive`: its length (8 bytes), then the pickle."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(8, "little") + data


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks = []
    while n > 0:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _receive(fd: int) -> object:
    """The next message of `_message`; None when the writer is gone before sending it whole."""
    head = _read_exact(fd, 8)
    if head is None:
        return None
    data = _read_exact(fd, int.from_bytes(head, "little"))
    return None if data is None else pickle.loads(data)


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
    """Analyse `todo` (the files after the `done` already in `files`) and replay it on top of
    `history`, all but its newest file. Returns (files, per_file_facts, history); None when
    forking is impossible.

    analyse(prepared list) -> (FileAnalysis list, facts list per file)
    replay_from(files, history) -> history replayed over every file in `files` it has not seen
    light(FileAnalysis) -> the same without parse trees
    make_state(catalog, changes, problems) -> a replay state; make_file(migration, statements, text)

    The child answers in two messages: first the catalog after B (what the replay of C needs),
    then B's statements, facts and changes, which it pickles while the parent replays C.
    """
    ka, kb = cut(todo)
    to_child_r, to_child_w = os.pipe()
    to_parent_r, to_parent_w = os.pipe()
    pid = _fork(to_child_r, to_child_w, to_parent_r, to_parent_w)
    if pid is None:
        return None
    if pid == 0:  # the child: never returns
        status = 0
        try:
            os.close(to_child_w)
            os.close(to_parent_r)
            mine, mine_facts = analyse(todo[ka:kb])
            catalog, problems = _receive(to_child_r)  # (None, the parent is gone: a TypeError ends the child)
            before = done + ka
            # replay reads only how many files it has replayed, never their changes or analyses
            state = make_state(catalog, [None] * before, problems)
            state = replay_from([None] * before + mine, state)
            first = _write_behind(to_parent_w, _message((state.catalog, state.problems)))
            # the parent has each file's migration and text: send only the statements
            rest = _message(([light(fa).statements for fa in mine], mine_facts, state.changes[before:]))
            first.join()
            _write_all(to_parent_w, rest)
        except BaseException:  # noqa: BLE001 - the parent notices the missing result and carries on
            status = 1
        finally:
            os._exit(status)

    os.close(to_child_r)
    os.close(to_parent_w)
    nb = kb - ka
    after_b = None
    rest = None
    writer = None
    try:
        ours, ours_facts = analyse(todo[:ka])
        files = files + ours
        per_file_facts = per_file_facts + ours_facts
        history = replay_from(files, history)
        after_a = _message((history.catalog, history.problems))
        writer = _write_behind(to_child_w, after_a)  # the child reads it once it has parsed B
        last, last_facts = analyse(todo[kb:])
        writer.join()
        os.close(to_child_w)
        to_child_w = -1
        after_b = _receive(to_parent_r)
        if after_b is not None:
            # replay C (but its newest file) on B's catalog while the child pickles the rest
            a_changes = len(history.changes)
            history.catalog, history.problems = after_b
            history.changes.extend([] for _ in range(nb))
            history = replay_from(files + [None] * nb + last[:-1], history)
            rest = _receive(to_parent_r)
    except BaseException:  # e.g. Ctrl-C: do not wait for the child to finish its part
        os.kill(pid, signal.SIGKILL)
        if writer is not None:
            writer.join()  # its write fails once the child is gone; only then may its pipe be closed
        raise
    finally:
        if to_child_w >= 0:
            os.close(to_child_w)
        os.close(to_parent_r)
        _, status = os.waitpid(pid, 0)
    if rest is None:
        # the child failed: do its part here (same result, one process)
        if after_b is not None:  # back to the state after A: B and C are replayed again
            history.catalog, history.problems = pickle.loads(after_a[8:])
            del history.changes[a_changes:]
        theirs, theirs_facts = analyse(todo[ka:kb])
        files = files + theirs
        history = replay_from(files, history)
        return files + last, per_file_facts + theirs_facts + last_facts, history
    light_statements, theirs_facts, changes = rest
    history.changes[a_changes : a_changes + nb] = changes
    light_files = [make_file(p.migration, stmts, p.text) for p, stmts in zip(todo[ka:kb], light_statements)]
    return files + light_files + last, per_file_facts + theirs_facts + last_facts, history


def run_halves(items: list, work: Callable[[list], list]) -> list | None:
    """`work(items)` (one result per item) shared by this process and a child: used for the rules,
    which only read the finished replay and return findings (small to send). The two take the
    next item from a shared queue (a pipe holding one byte per item: a read of one byte is atomic
    between processes), so an expensive item does not leave one of them idle. Results come back
    in item order; None when forking is impossible or there are too few or too many items. A
    child that fails leaves its items to the parent, so an error in `work` surfaces as it would
    on one process."""
    n = len(items)
    if n < 2 or n > 255:
        return None
    queue_r, queue_w = os.pipe()
    _write_all(queue_w, bytes(range(n)))  # 255 bytes: always fits the pipe's buffer
    os.close(queue_w)
    read_fd, write_fd = os.pipe()
    pid = _fork(queue_r, read_fd, write_fd)
    if pid is None:
        return None

    def take() -> dict[int, object]:
        done: dict[int, object] = {}
        while True:
            b = os.read(queue_r, 1)
            if not b:
                return done
            done[b[0]] = work([items[b[0]]])[0]

    if pid == 0:  # the child: never returns
        status = 0
        try:
            os.close(read_fd)
            _write_all(write_fd, pickle.dumps(take(), protocol=pickle.HIGHEST_PROTOCOL))
        except BaseException:  # noqa: BLE001 - the parent does the child's items itself
            status = 1
        finally:
            os._exit(status)
    os.close(write_fd)
    try:
        ours = take()
        data = _read_all(read_fd)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        os.close(read_fd)
        os.close(queue_r)
        _, status = os.waitpid(pid, 0)
    if status == 0 and data:
        ours.update(pickle.loads(data))
    missing = [i for i in range(n) if i not in ours]  # a failed child's items (taken, never sent back)
    for i, result in zip(missing, work([items[i] for i in missing]) if missing else ()):
        ours[i] = result
    return [ours[i] for i in range(n)]
