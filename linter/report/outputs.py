"""Several outputs in one run: `--format text --format sarif:flylint.sarif --format github`.

Each `--format` is `FORMAT` (standard output) or `FORMAT:FILE`. At most one format writes to
standard output, except that `github` may share it with `text`: workflow commands are lines the
runner picks out of the log, so the log stays readable. Files are written atomically (a temporary
file in the same folder, then `os.replace`), so a reader never sees half a report.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flylint.report import FORMATS, ReportOptions, render
_SHARE_STDOUT = {"text", "github"}


class OutputError(Exception):
    """A bad --format value or an output that cannot be written: one line, exit code 2."""


@dataclass(frozen=True)
class Output:
    fmt: str
    path: Path | None  # None: standard output


def parse_outputs(specs: tuple[str, ...], cwd: Path) -> list[Output]:
    outputs = []
    for spec in specs or ("text",):
        fmt, sep, file = spec.partition(":")
        if fmt not in FORMATS:
            raise OutputError(f"unknown --format '{fmt}' (choose from {', '.join(FORMATS)}; add :FILE to "
                              "write it to a file)")
        if sep and not file:
            raise OutputError(f"--format {spec}: the file name after ':' is missing")
        path = None
        if file:
            path = Path(file)
            path = path if path.is_absolute() else cwd / path
            if not path.parent.is_dir():
                raise OutputError(f"--format {spec}: folder {path.parent} does not exist")
            if path.is_dir():
                raise OutputError(f"--format {spec}: {file} is a folder")
        outputs.append(Output(fmt, path))
    to_stdout = [o.fmt for o in outputs if o.path is None]
    if len(to_stdout) > 1 and not (set(to_stdout) <= _SHARE_STDOUT and len(set(to_stdout)) == len(to_stdout)):
        raise OutputError(
            f"only one --format can write to standard output, got {' and '.join(to_stdout)}: give the "
            "others a file, e.g. --format sarif:flylint.sarif (text and github may share it)")
    files = [os.path.normcase(os.path.abspath(o.path)) for o in outputs if o.path is not None]
    if len(files) != len(set(files)):
        raise OutputError("two --format options write the same file")
    return outputs


def write_outputs(outputs: list[Output], result, options: ReportOptions) -> list[tuple[Output, str]]:
    """Render every output; stdout ones in order, files atomically. Raises OutputError on I/O errors.
    Returns what was written, for `replay_outputs`."""
    rendered = []
    for o in outputs:
        buf = io.StringIO()
        if o.path is None:
            render(o.fmt, result, buf, options)
        else:
            render(o.fmt, result, buf, ReportOptions(color=False, fail_on=options.fail_on, cwd=options.cwd,
                                                     baseline=options.baseline))
        rendered.append((o, buf.getvalue()))
    replay_outputs(rendered)
    return rendered


def replay_outputs(rendered: list[tuple[Output, str]]) -> None:
    """Write rendered outputs: standard output in order, files atomically."""
    for o, text in rendered:
        if o.path is None:
            sys.stdout.write(text)
            continue
        try:
            write_atomic(o.path, text)
        except OSError as e:
            raise OutputError(f"cannot write {o.path}: {e.strerror or e}") from None


def write_atomic(path: Path, text: str) -> None:
    """Write `text` (UTF-8, newlines as given) to `path` through a temporary file in the same folder."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        # the report is written next to its final name first: say which folder refused it
        raise OSError(e.errno, f"cannot create a file in {path.parent} ({e.strerror or e})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace", newline="") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a report is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
