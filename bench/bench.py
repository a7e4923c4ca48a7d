"""Benchmark: flylint against squawk on the same generated Flyway history.

    pip install -e '.[bench]' && python bench/bench.py [--files 400] [--repeat 5]

Generates a realistic PostgreSQL history (tables, columns with defaults, NOT NULL, indexes built
concurrently, foreign keys NOT VALID + VALIDATE, backfills, views, functions in dollar quotes),
then times, as whole commands in fresh processes (start-up included, as CI sees it):
flylint without cache, flylint with a warm cache and nothing changed (answered from the output
memo), flylint with a warm cache and the newest migration edited before each run (the usual edit
loop), and squawk when it is installed.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATES = [
    "CREATE TABLE t{n} (\n  id bigserial PRIMARY KEY,\n  name text NOT NULL,\n  created_at timestamptz NOT NULL DEFAULT now()\n);",
    "ALTER TABLE t{m} ADD COLUMN c{n} integer;",
    "ALTER TABLE t{m} ADD COLUMN s{n} text NOT NULL DEFAULT 'x';",
    "CREATE INDEX CONCURRENTLY t{m}_c{n}_idx ON t{m} (created_at);",
    "ALTER TABLE t{m} ADD CONSTRAINT t{m}_fk{n} FOREIGN KEY (id) REFERENCES t{k} (id) NOT VALID;",
    "UPDATE t{m} SET name = upper(name) WHERE id BETWEEN {n} AND {n} + 1000;",
    "CREATE OR REPLACE VIEW v{n} AS SELECT id, name FROM t{m} WHERE created_at > now() - interval '1 day';",
    "CREATE OR REPLACE FUNCTION f{n}() RETURNS integer LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN {n};\nEND;\n$$;",
    "COMMENT ON TABLE t{m} IS 'table number {m}; see ticket {n}';",
    "INSERT INTO t{m} (name) VALUES ('a'), ('b'), ('c');",
    "ALTER TABLE t{m} ALTER COLUMN name SET DEFAULT 'unnamed';",
]


def generate(root: Path, files: int, per_file: int, seed: int = 7) -> int:
    rnd = random.Random(seed)
    statements = 0
    pending: list[str] = []
    for v in range(1, files + 1):
        # validations of the previous migration's NOT VALID keys come first: the NOT VALID recipe
        # validates in a later migration (in the same transaction the validation would scan
        # under the lock NOT VALID avoided)
        parts, pending = pending + [TEMPLATES[0].format(n=v, m=v, k=v)], []
        for _ in range(per_file - 1):
            tpl = rnd.choice(TEMPLATES[1:])
            n, m, k = rnd.randint(1, 10**6), rnd.randint(1, v), rnd.randint(1, v)
            parts.append(tpl.format(n=n, m=m, k=k))
            if "NOT VALID" in tpl:
                pending.append(f"ALTER TABLE t{m} VALIDATE CONSTRAINT t{m}_fk{n};")
        # concurrent index builds must sit alone in their migration (Flyway transactions)
        parts = [p for p in parts if "CONCURRENTLY" not in p] or parts[:1]
        (root / f"V{v}__step_{v}.sql").write_text("\n\n".join(parts) + "\n")
        statements += len(parts)
    return statements


def compile_flylint() -> None:
    """Byte-compile flylint's modules, as `pip install` does: an editable install (a checkout) run
    with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module from source on every run
    (about 0.2 s), which no installed copy does."""
    import compileall

    import flylint
    import flylint.rules

    for package in (flylint, flylint.rules):
        compileall.compile_dir(Path(package.__file__).parent, quiet=1)


def timed(cmd: list[str], cwd: Path, repeat: int, before=None) -> list[float]:
    samples = []
    for i in range(repeat):
        if before is not None:
            before(i)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True)
        samples.append(time.perf_counter() - t0)
        if proc.returncode not in (0, 1):
            sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return samples


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=1500)
    ap.add_argument("--per-file", type=int, default=11)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="flylint-bench-"))
    try:
        n = generate(work, args.files, args.per_file)
        size = sum(p.stat().st_size for p in work.glob("*.sql"))
        print(f"history: {args.files} migrations, {n} statements, {size / 1024:.0f} KiB")
        compile_flylint()
        flylint = [sys.executable, "-m", "flylint", "lint", ".", "--dialect", "postgres", "--fail-on", "never",
                   "--format", "json"]
        squawk = shutil.which("squawk")
        squawk_cmd = [squawk, *sorted(str(p.name) for p in work.glob("*.sql"))] if squawk else None
        if not squawk:
            print("squawk not installed (pip install -e '.[bench]'): flylint only")
        # The cold runs and squawk's alternate (cold, squawk, cold, squawk, ...): the machine's speed
        # drifts within minutes, and alternating gives both the same conditions.
        cold: list[float] = []
        squawk_samples: list[float] = []
        for _ in range(args.repeat):
            cold += timed(flylint + ["--no-cache"], work, 1)
            if squawk_cmd:
                squawk_samples += timed(squawk_cmd, work, 1)
        rows = [("flylint, no cache", cold)]
        timed(flylint, work, 1)  # fill the cache
        rows.append(("flylint, warm cache", timed(flylint, work, args.repeat)))
        # the common edit loop: the newest migration changes between runs (the cache holds the
        # analysis of every other migration; the output memo cannot answer)
        newest = work / f"V{args.files}__step_{args.files}.sql"
        original = newest.read_text()

        def edit(i: int) -> None:
            newest.write_text(original + f"ALTER TABLE t{args.files} ADD COLUMN edit_{i} integer;\n")

        rows.append(("flylint, newest edited", timed(flylint, work, args.repeat, before=edit)))
        newest.write_text(original)
        if squawk_samples:
            rows.append(("squawk", squawk_samples))
        print(f"{'tool':24} {'median s':>9} {'best s':>8} {'statements/s':>13}")
        for name, samples in rows:
            med = statistics.median(samples)
            print(f"{name:24} {med:9.3f} {min(samples):8.3f} {n / med:13.0f}")
        if squawk_samples:
            base = statistics.median(squawk_samples)
            print("vs squawk: " + ", ".join(f"{name} {statistics.median(samples) / base:.2f}x" for name, samples in rows[:-1]))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
