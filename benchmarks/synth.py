"""Benchmark: generate synthetic pilots of growing size; rate and peak memory.

For each ``--n`` (default 10,000 and 100,000 learners) it runs
``lerkit.datasets.synthesize(n, seed, out)`` in a fresh Python process and reports
learners per second, rows written per second, the bytes written, and peak memory two
ways (as in ``parse.py``):

* peak RSS (``resource.getrusage``): what the operating system saw, interpreter, numpy,
  pandas and pyarrow included; also shown as growth over the RSS after imports;
* peak traced allocations (``tracemalloc``), in a separate run of the same size, since
  tracing slows Python down (its timing is not used). ``--trace-max-n`` (default 100,000)
  skips the traced run above that size.

Signing dominates the time: every credential of the LER arm is a signed Open Badges 3.0
credential or a CLR 2.0 record nesting a signed credential per course. ``--sign-share``
signs only that share and writes the rest unsigned, referenced by SHA-256 (what a
million-learner run does); ``--no-files`` writes the tables only. Memory must not grow
with ``n``: tables are written chunk by chunk (10,000 learners), only the small tables
are held whole.

Run ``.venv/bin/python benchmarks/synth.py`` (10k and 100k, all signed),
``--n 1000000 --sign-share 0.01`` for a million learners, ``--n 1000000 --no-files`` for
the tables alone, ``--keep DIR`` to keep the folders. Exits 1 when a run wrote another
number of learners than asked.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any


def _disk(root: Path) -> tuple[int, int]:
    size = files = 0
    for path in root.rglob("*"):
        if path.is_file():
            size += path.stat().st_size
            files += 1
    return size, files


def run(
    n: int, seed: int, out: Path, *, files: bool, sign_share: float, trace: bool
) -> dict[str, Any]:
    """One synthesis in this process; the measurements as a dict."""
    from lerkit.datasets import synthesize

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if trace:
        tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    pilot = synthesize(n, seed, out, files=files, sign_share=sign_share, progress=False)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu
    result: dict[str, Any] = {
        "n": n,
        "files": files,
        "sign_share": sign_share,
        "seconds": wall,
        "cpu_seconds": cpu,
        "learners": pilot.counts["learners"],
        "rows": sum(pilot.counts.values()),
        "credentials": pilot.counts["credentials"],
        "rss_before": rss_before,
    }
    if trace:
        result["traced_peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    result["rss_peak"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result["bytes"], result["file_count"] = _disk(out)
    return result


def _child(
    n: int, seed: int, out: Path, files: bool, sign_share: float, trace: bool
) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", "--n", str(n), "--seed", str(seed),
               "--sign-share", str(sign_share), "--out", str(out)]  # fmt: skip
    if not files:
        command.append("--no-files")
    if trace:
        command.append("--trace")
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _mb(value: float) -> str:
    return f"{value / 2**20:,.0f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="learners (repeatable)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--sign-share", type=float, default=1.0)
    parser.add_argument("--no-files", action="store_true", help="tables only")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the traced runs")
    parser.add_argument("--trace-max-n", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="keep the generated folders here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    files = not args.no_files

    if args.child:
        result = run(args.n[0], args.seed, args.out, files=files, sign_share=args.sign_share,
                     trace=args.trace)  # fmt: skip
        print(json.dumps(result))
        return 0

    sizes = args.n or [10_000, 100_000]
    base = args.keep or Path(tempfile.mkdtemp(prefix="lerkit-synth-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    print(f"lerkit synthesize benchmark: seed {args.seed}, credential files {files}, "
          f"sign share {args.sign_share}, {os.cpu_count()} CPUs")  # fmt: skip
    rows: list[dict[str, Any]] = []
    failed = False
    try:
        for n in sizes:
            out = base / f"pilot-{n}"
            result = _child(n, args.seed, out, files, args.sign_share, trace=False)
            if not args.no_tracemalloc and n <= args.trace_max_n:
                traced_out = base / f"pilot-{n}-traced"
                traced = _child(n, args.seed, traced_out, files, args.sign_share, trace=True)
                result["traced_peak"] = traced["traced_peak"]
                shutil.rmtree(traced_out, ignore_errors=True)
            if not args.keep:
                shutil.rmtree(out, ignore_errors=True)
            failed |= result["learners"] != n
            rows.append(result)
            print(
                f"  n={n:>9,}: {result['seconds']:8.1f} s  "
                f"{n / result['seconds']:>9,.0f} learners/s  "
                f"{result['rows'] / result['seconds']:>10,.0f} rows/s  "
                f"peak RSS {_mb(result['rss_peak'])} (+{_mb(result['rss_peak'] - result['rss_before'])})"
                + (f"  traced peak {_mb(result['traced_peak'])}" if "traced_peak" in result else "")
                + f"  {_mb(result['bytes'])} in {result['file_count']:,} files",
                flush=True,
            )
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)

    print("\n| learners | credentials | rows | seconds | learners/s | peak RSS | RSS growth | "
          "traced peak | written |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        traced = _mb(r["traced_peak"]) if "traced_peak" in r else "-"
        print(
            f"| {r['n']:,} | {r['credentials']:,} | {r['rows']:,} | {r['seconds']:.1f} | "
            f"{r['n'] / r['seconds']:,.0f} | {_mb(r['rss_peak'])} | "
            f"{_mb(r['rss_peak'] - r['rss_before'])} | {traced} | "
            f"{_mb(r['bytes'])}, {r['file_count']:,} files |"
        )
    if failed:
        print("FAILED: a run wrote another number of learners than asked")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
