"""Benchmark: every analysis on a large synthetic pilot, lerkit's engine path against pandas.

For each case of ``_cases()`` (an analysis of ``lerkit.analysis`` with its default
parameters) it times two implementations on the same tables-only synthetic pilot
(default 1,000,000 learners):

* **lerkit**: ``lk.datasets.load(DIR)`` (which validates the folder), ``connect(...)``
  (DuckDB through Ibis), then the analysis on that engine: aggregation in DuckDB,
  statistics on the small frames it returns;
* **pandas**: the straightforward pandas implementation of the same analysis in
  ``benchmarks/_pandas_analyses.py`` (``pd.read_parquet`` of the needed columns,
  ``merge``, ``groupby``), reusing lerkit's statistics helpers so that only the data
  step differs; except ``pilot_evaluation``, whose pandas path fits statsmodels on the
  learner-by-phase rows where lerkit fits the same regressions from cell sums.

Each path runs in its own fresh Python process (same interpreter, same data), every
case one after the other; ``--repeat`` runs each path that many times (a new process
each time, paths alternating) and the table shows medians. Imports are timed apart and
excluded from the per-analysis seconds; both paths import ``lerkit.analysis`` (the
pandas path for its statistics helpers), so both peak memories include the same
modules. Peak memory is the process's peak resident set size (``VmHWM`` of
``/proc/self/status``: DuckDB's native allocations, Arrow buffers and numpy arrays
included), reset before each phase by writing ``5`` to ``/proc/self/clear_refs`` so
that each case gets its own peak; the path's peak is the largest of them. Where the
reset is not possible (not Linux) only the whole run's peak (``ru_maxrss``) is shown.

The data step is timed apart too: for lerkit the seconds inside ``Engine.execute``
(query and transfer of the result to pandas), for pandas the seconds inside the data
blocks of ``_pandas_analyses`` (reading, merging, grouping). The rest is statistics and
result assembly, the same code in both but for ``pilot_evaluation``'s fits.

Before printing figures the run checks that both paths give the same ``n``,
``estimate`` and ``suppressed`` for every row of every result (estimates to a relative
1e-7) and exits with status 1 when they do not.

One case runs with the parameters a report uses rather than the defaults (its
``note``): ``top_occupations`` for a caseload of the first :data:`CASELOAD` learners (by
default it returns every learner's top occupations: a per-person export, not a report).

Cases left out on a tables-only pilot: ``verification_summary`` (verifies the signed
credential files, which a ``--no-files`` pilot does not have) and the verdicts of
``learner_profile`` (same reason: it runs with ``verify=False``);
``power_analysis`` reads no data. Every other public function of ``lerkit.analysis`` is
a case or one of the :data:`BUILDING_BLOCKS` the cases run (``--list`` names all three
kinds; ``tests/test_bench_analysis.py`` fails when a public analysis is none of them).

Run ``make bench-analysis`` (= ``.venv/bin/python benchmarks/analysis.py``); quicker:
``--learners 100000``, ``--only outcome_rates,ler_funnel``. The pilot is generated
with ``lerkit datasets synth --no-files --no-csv`` into ``benchmarks/.data/`` on first
use and reused; ``--data DIR`` uses an existing folder instead.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA_CACHE = HERE / ".data"

TARGET_SPEED = 3.0  # lerkit at least this many times faster than pandas
TARGET_MEMORY = 0.5  # lerkit's peak RSS at most this share of pandas'

LERKIT, PANDAS = "lerkit", "pandas"

#: learners of the top_occupations case: a caseload, the first this many of the table
CASELOAD = 1_000


@dataclass(frozen=True)
class Options:
    """What a case may need besides the data."""

    n_boot: int
    learner_id: str
    #: the learners of ``top_occupations`` (see :data:`CASELOAD`)
    caseload: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    """One analysis: the lerkit call, the pandas call and how to compare their results.

    ``lerkit(engine, options)`` and ``pandas(folder, options)`` return the analysis's
    result; ``frame(result)`` turns it into a frame with ``measure``, ``n``,
    ``estimate`` and ``suppressed`` (result frames as they are).
    """

    name: str
    lerkit: Callable[[Any, Options], Any]
    pandas: Callable[[Path, Options], Any]
    frame: Callable[[Any], Any] = field(default=lambda result: result)
    note: str = ""


def _profile_frame(profile: Any) -> Any:
    """A LearnerProfile as rows to compare: its skills and its matching postings."""
    import pandas as pd

    skills = profile.skills
    opportunities = profile.opportunities
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "measure": "skill:" + skills["target_code"].astype(str),
                    "estimate": float("nan"),
                    "n": skills["credentials"].astype("int64"),
                    "suppressed": False,
                }
            ),
            pd.DataFrame(
                {
                    "measure": "posting:" + opportunities["posting_id"].astype(str),
                    "estimate": opportunities["coverage"].astype(float),
                    "n": opportunities["covered"].astype("int64"),
                    "suppressed": False,
                }
            ),
        ],
        ignore_index=True,
    )


def _top_frame(result: Any) -> Any:
    """top_occupations' rows: occupation, qualified flag and missing skills in ``measure``."""
    import pandas as pd

    missing = result["missing_skills"].map(lambda v: ",".join(str(x) for x in v))
    return pd.DataFrame(
        {
            "learner_id": result["learner_id"].astype(str),
            "rank": result["rank"].astype("int64"),
            "measure": result["occupation_soc"].astype(str)
            + " qualified="
            + result["qualified"].astype(bool).astype(str)
            + " missing="
            + missing,
            "estimate": result["score"].astype(float),
            "n": result["covered"].astype("int64"),
            "suppressed": False,
        }
    )


def _power_frame(result: Any) -> Any:
    """detectable_effect's power_analysis row: the effect and the arm sizes."""
    import pandas as pd

    row = result.iloc[0]
    return pd.DataFrame(
        {
            "measure": ["minimum_detectable_effect", "mean_ler", "mean_comparison"],
            "estimate": [row["effect"], row["mean_ler"], row["mean_comparison"]],
            "n": [int(row["n_ler"]), int(row["n_ler"]), int(row["n_comparison"])],
            "suppressed": False,
        }
    )


def _cases() -> list[Case]:
    """The benchmark's cases; one entry per analysis (lerkit call, pandas call)."""
    import _pandas_analyses as pa

    import lerkit.analysis as la

    cases = [
        Case(
            "representation", lambda e, o: la.representation(e), lambda d, o: pa.representation(d)
        ),
        Case(
            "credential_attainment",
            lambda e, o: la.credential_attainment(e),
            lambda d, o: pa.credential_attainment(d),
        ),
        Case("ler_funnel", lambda e, o: la.ler_funnel(e), lambda d, o: pa.ler_funnel(d)),
        Case("outcome_rates", lambda e, o: la.outcome_rates(e), lambda d, o: pa.outcome_rates(d)),
        Case(
            "process_efficiency",
            lambda e, o: la.process_efficiency(e),
            lambda d, o: pa.process_efficiency(d),
        ),
        Case(
            "adverse_impact", lambda e, o: la.adverse_impact(e), lambda d, o: pa.adverse_impact(d)
        ),
        Case(
            "degree_vs_skills",
            lambda e, o: la.degree_vs_skills(e),
            lambda d, o: pa.degree_vs_skills(d),
        ),
        Case(
            "degree_requirement_follow_through",
            lambda e, o: la.degree_requirement_follow_through(e),
            lambda d, o: pa.degree_requirement_follow_through(d),
        ),
        Case(
            "time_to_employment",
            lambda e, o: la.time_to_employment(e),
            lambda d, o: pa.time_to_employment(d),
        ),
        Case(
            "detectable_effect",
            lambda e, o: la.detectable_effect(e),
            lambda d, o: pa.detectable_effect(d),
            frame=_power_frame,
        ),
        Case(
            "pilot_evaluation",
            lambda e, o: la.pilot_evaluation(e),
            lambda d, o: pa.pilot_evaluation(d),
        ),
        Case(
            "gap_decomposition",
            lambda e, o: la.gap_decomposition(e, n_boot=o.n_boot),
            lambda d, o: pa.gap_decomposition(d, n_boot=o.n_boot),
            note="n_boot=--boot",
        ),
        Case(
            "learner_profile",
            lambda e, o: la.learner_profile(e, o.learner_id, verify=False),
            lambda d, o: pa.learner_profile(d, o.learner_id),
            frame=_profile_frame,
            note="verify=False",
        ),
        Case("wage_mobility", lambda e, o: la.wage_mobility(e), lambda d, o: pa.wage_mobility(d)),
        Case("where_to_act", lambda e, o: la.where_to_act(e), lambda d, o: pa.where_to_act(d)),
        Case(
            "top_occupations",
            lambda e, o: la.top_occupations(e, learner_ids=o.caseload),
            lambda d, o: pa.top_occupations(d, learner_ids=o.caseload),
            frame=_top_frame,
            note=f"learner_ids=a caseload of the first {CASELOAD:,} learners; the default "
            "(every learner) is a per-person export, not a report",
        ),
        Case("skill_gaps", lambda e, o: la.skill_gaps(e), lambda d, o: pa.skill_gaps(d)),
        Case(
            "skill_distance", lambda e, o: la.skill_distance(e), lambda d, o: pa.skill_distance(d)
        ),
        Case(
            "matcher_fairness",
            lambda e, o: la.matcher_fairness(e),
            lambda d, o: pa.matcher_fairness(d),
        ),
        Case(
            "wage_change_distribution",
            lambda e, o: la.wage_change_distribution(e),
            lambda d, o: pa.wage_change_distribution(d),
        ),
        Case(
            "occupation_transitions",
            lambda e, o: la.occupation_transitions(e),
            lambda d, o: pa.occupation_transitions(d),
        ),
    ]
    return cases


EXCLUDED = {
    "verification_summary": "verifies the signed credential files; a tables-only pilot has none",
    "learner_profile verdicts": "same: run with verify=False",
    "power_analysis": "reads no data (a formula)",
}

#: Public functions of ``lerkit.analysis`` that are building blocks, not analyses: each
#: runs inside the cases above (``tests/test_bench_analysis.py`` requires every other
#: public function to be a case or in :data:`EXCLUDED`).
BUILDING_BLOCKS = {
    "as_engine": "engine",
    "connect": "engine",
    "finish": "result assembly",
    "suppress": "small-cell suppression",
    "wilson": "interval",
    "newcombe": "interval",
    "t_interval": "interval",
    "wald_difference": "interval",
    "held_skills": "engine expression of the matching analyses",
    "required_skills": "engine expression of the matching analyses",
    "occupation_skills": "engine expression of the matching analyses",
    "skill_sets": "engine expression of the matching analyses",
}


# --- measuring, in the child process --------------------------------------------------


def _status(field_name: str) -> float | None:
    """A ``/proc/self/status`` figure in MB (None where there is no /proc)."""
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return None
    found = re.search(rf"^{field_name}:\s+(\d+) kB", text, re.MULTILINE)
    return int(found[1]) / 1024 if found else None


def _reset_peak() -> bool:
    """Reset the peak RSS (Linux >= 4.0); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak() -> float:
    hwm = _status("VmHWM")
    if hwm is not None:
        return hwm
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KB elsewhere
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def _rss() -> float:
    return _status("VmRSS") or float("nan")


class _Timer:
    def __init__(self) -> None:
        self.seconds = 0.0

    @contextmanager
    def __call__(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds += time.perf_counter() - started


def child(
    path: str, data: Path, names: list[str], options: Options, threads: int | None, out: Path
) -> dict[str, Any]:
    """Run the cases of one path in this (fresh) process; figures as a dict."""
    can_reset = _reset_peak()
    started = time.perf_counter()
    sys.path.insert(0, str(HERE))
    import _pandas_analyses as pa
    import pandas as pd  # noqa: F401  (timed with the other imports)

    import lerkit as lk
    import lerkit.analysis as la

    cases = {c.name: c for c in _cases()}
    figures: dict[str, Any] = {
        "path": path,
        "pid": os.getpid(),
        "can_reset": can_reset,
        "import_s": time.perf_counter() - started,
        "import_peak_mb": _peak(),
        "import_rss_mb": _rss(),
        "cases": {},
    }
    engine_time = _Timer()
    engine: Any = None
    execute = la.Engine.execute
    results: dict[str, Any] = {}
    try:
        if path == LERKIT:

            def timed(self: Any, expr: Any) -> Any:
                with engine_time():
                    return execute(self, expr)

            la.Engine.execute = timed  # type: ignore[method-assign]
            _reset_peak()
            started, cpu = time.perf_counter(), time.process_time()
            dataset = lk.datasets.load(data)
            engine = la.connect(dataset)
            if threads:
                engine.backend.raw_sql(f"SET threads = {int(threads)}")
            figures["open_s"] = time.perf_counter() - started
            figures["open_cpu_s"] = time.process_time() - cpu
            figures["open_peak_mb"] = _peak()
            figures["open_rss_mb"] = _rss()
        for name in names:
            case = cases[name]
            engine_time.seconds = 0.0
            pa.DATA.reset()
            rss_before = _rss()
            _reset_peak()
            started, cpu = time.perf_counter(), time.process_time()
            result = case.lerkit(engine, options) if path == LERKIT else case.pandas(data, options)
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu
            figures["cases"][name] = {
                "seconds": seconds,
                "cpu_s": cpu,
                "data_s": engine_time.seconds if path == LERKIT else pa.DATA.seconds,
                "peak_mb": _peak(),
                "rss_before_mb": rss_before,
            }
            results[name] = case.frame(result)
            del result
    finally:
        # the child runs in its own process; in-process callers (tests) get it back
        la.Engine.execute = execute  # type: ignore[method-assign]
    figures["end_peak_mb"] = _peak()
    with out.open("wb") as handle:
        pickle.dump(results, handle)
    return figures


# --- the parent ----------------------------------------------------------------------------


def _run_child(
    path: str, args: argparse.Namespace, names: list[str], learner_id: str, out: Path
) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        path,
        "--data",
        str(args.data),
        "--only",
        ",".join(names),
        "--boot",
        str(args.boot),
        "--learner-id",
        learner_id,
        "--out",
        str(out),
    ]
    if args.threads:
        command += ["--threads", str(args.threads)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-8000:])
        raise SystemExit(f"the {path} process failed (exit {done.returncode})")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _dataset(args: argparse.Namespace) -> Path:
    """The pilot folder: --data, or the cached synthetic pilot (generated when missing)."""
    if args.data is not None:
        folder = Path(args.data)
        if not (folder / "learners.parquet").is_file():
            raise SystemExit(f"--data {folder}: no learners.parquet there")
        return folder
    folder = DATA_CACHE / f"pilot-{args.learners}-seed{args.seed}"
    if (folder / "dataset.yaml").is_file() and (folder / "learners.parquet").is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    script = Path(sys.executable).with_name("lerkit")
    runner = (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from lerkit.cli import main; main()"]
    )
    command = [
        *runner,
        "datasets",
        "synth",
        "--learners",
        str(args.learners),
        "--seed",
        str(args.seed),
        "--no-files",
        "--no-csv",
        "--out",
        str(folder),
    ]
    print(f"generating the pilot: {' '.join(command[-10:])}", flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit("lerkit datasets synth failed")
    print(f"  done in {time.perf_counter() - started:.0f} s: {folder}", flush=True)
    return folder


def _caseload(folder: Path) -> tuple[str, ...]:
    """The first :data:`CASELOAD` learner ids of the pilot (top_occupations' learners)."""
    import pyarrow.parquet as pq

    table = pq.read_table(folder / "learners.parquet", columns=["learner_id"])
    return tuple(str(v) for v in table.column(0).slice(0, CASELOAD).to_pylist())


def _first_learner(folder: Path) -> str:
    import pyarrow.parquet as pq

    table = pq.read_table(folder / "learners.parquet", columns=["learner_id"])
    return str(table.column(0)[0].as_py())


def compare(name: str, mine: Any, theirs: Any) -> list[str]:
    """Differences in n, estimate or suppressed between two result frames (empty: none)."""
    import numpy as np
    import pandas as pd

    problems: list[str] = []
    for column in ("measure", "n", "estimate", "suppressed"):
        for label, frame in ((LERKIT, mine), (PANDAS, theirs)):
            if column not in frame.columns:
                problems.append(f"{name}: the {label} result has no column {column!r}")
    if problems:
        return problems
    if len(mine) != len(theirs):
        return [f"{name}: {len(mine)} rows from lerkit, {len(theirs)} from pandas"]
    first = list(mine.columns).index("measure")
    keys = [*list(mine.columns)[:first], "measure"]
    keys += [c for c in ("stage", "dimension", "category", "time") if c in mine and c not in keys]
    missing = [k for k in keys if k not in theirs.columns]
    if missing:
        return [f"{name}: the pandas result has no key column {missing[0]!r}"]

    def text_of(frame: Any) -> Any:
        return frame[keys].apply(lambda c: c.map(lambda v: "<NA>" if pd.isna(v) else str(v)))

    def ordered(frame: Any) -> Any:
        text = text_of(frame)
        return frame.iloc[np.lexsort([text[k].to_numpy() for k in reversed(keys)])].reset_index(
            drop=True
        )

    a, b = ordered(mine), ordered(theirs)
    key_a, key_b = text_of(a), text_of(b)
    differs = (key_a != key_b).any(axis=1).to_numpy()
    if differs.any():
        i = int(np.flatnonzero(differs)[0])
        return [
            f"{name}: rows differ, lerkit {key_a.iloc[i].tolist()} vs pandas "
            f"{key_b.iloc[i].tolist()}"
        ]
    n_a = pd.to_numeric(a["n"], errors="coerce").to_numpy(dtype=float)
    n_b = pd.to_numeric(b["n"], errors="coerce").to_numpy(dtype=float)
    s_a = a["suppressed"].astype(bool).to_numpy()
    s_b = b["suppressed"].astype(bool).to_numpy()
    e_a = pd.to_numeric(a["estimate"], errors="coerce").to_numpy(dtype=float)
    e_b = pd.to_numeric(b["estimate"], errors="coerce").to_numpy(dtype=float)
    checks = {
        "n": ~((n_a == n_b) | (np.isnan(n_a) & np.isnan(n_b))),
        "suppressed": s_a != s_b,
        "estimate": ~np.isclose(e_a, e_b, rtol=1e-7, atol=1e-10, equal_nan=True),
    }
    for column, bad in checks.items():
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            row = key_a.iloc[i].tolist()
            problems.append(
                f"{name}: {int(bad.sum())} row(s) differ in {column}, first {row}: lerkit "
                f"{a[column].iloc[i]!r}, pandas {b[column].iloc[i]!r}"
            )
    return problems


def _median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def _machine() -> str:
    cores = os.cpu_count() or 0
    try:
        allowed = len(os.sched_getaffinity(0))
    except AttributeError:
        allowed = cores
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    memory = ""
    try:
        total = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
        available = re.search(r"MemAvailable:\s+(\d+)", Path("/proc/meminfo").read_text())
        if total and available:
            memory = (
                f", memory {int(total[1]) / 2**20:.0f} GB "
                f"({int(available[1]) / 2**20:.0f} GB available)"
            )
    except OSError:
        pass
    return (
        f"{cores} cores ({allowed} usable), load average {load[0]:.2f} / {load[1]:.2f} / "
        f"{load[2]:.2f} (1 / 5 / 15 min){memory}"
    )


def _versions() -> str:
    import duckdb
    import ibis  # type: ignore[import-untyped, unused-ignore]
    import pandas as pd
    import pyarrow

    import lerkit

    return (
        f"python {sys.version.split()[0]}, lerkit {lerkit.__version__}, pandas {pd.__version__}, "
        f"pyarrow {pyarrow.__version__}, duckdb {duckdb.__version__}, ibis {ibis.__version__}"
    )


def report(names: list[str], runs: dict[str, list[dict[str, Any]]], threads: int | None) -> bool:
    """Print the table and the verdict; True when the target is met."""

    def per_case(path: str, name: str, key: str) -> float:
        return _median([r["cases"][name][key] for r in runs[path]])

    def per_run(path: str, key: str) -> float:
        return _median([r[key] for r in runs[path] if key in r])

    width = max(len(n) for n in [*names, "analyses (sum)"]) + 1
    print(
        f"\n{'analysis':{width}} {'lerkit s':>9} {'engine s':>9} {'pandas s':>9} {'data s':>8} "
        f"{'speed':>7} {'CPU':>7}   {'lerkit MB':>9} {'pandas MB':>9} {'memory':>7}"
    )
    print(
        f"{'':{width}} {'':>9} {'(in it)':>9} {'':>9} {'(in it)':>8} {'ratio':>7} {'ratio':>7}   "
        f"{'peak RSS':>9} {'peak RSS':>9} {'ratio':>7}"
    )
    total = {LERKIT: 0.0, PANDAS: 0.0}
    data = {LERKIT: 0.0, PANDAS: 0.0}
    cpu = {LERKIT: 0.0, PANDAS: 0.0}
    for name in names:
        s_l, s_p = per_case(LERKIT, name, "seconds"), per_case(PANDAS, name, "seconds")
        d_l, d_p = per_case(LERKIT, name, "data_s"), per_case(PANDAS, name, "data_s")
        m_l, m_p = per_case(LERKIT, name, "peak_mb"), per_case(PANDAS, name, "peak_mb")
        c_l, c_p = per_case(LERKIT, name, "cpu_s"), per_case(PANDAS, name, "cpu_s")
        cpu[LERKIT] += c_l
        cpu[PANDAS] += c_p
        total[LERKIT] += s_l
        total[PANDAS] += s_p
        data[LERKIT] += d_l
        data[PANDAS] += d_p
        print(
            f"{name:{width}} {s_l:9.2f} {d_l:9.2f} {s_p:9.2f} {d_p:8.2f} {s_p / s_l:6.2f}x "
            f"{c_p / c_l:6.2f}x   {m_l:9,.0f} {m_p:9,.0f} {m_l / m_p:6.2f}x"
        )
    open_s = per_run(LERKIT, "open_s")
    open_mb = per_run(LERKIT, "open_peak_mb")
    print(
        f"{'analyses (sum)':{width}} {total[LERKIT]:9.2f} {data[LERKIT]:9.2f} {total[PANDAS]:9.2f} "
        f"{data[PANDAS]:8.2f} {total[PANDAS] / total[LERKIT]:6.2f}x "
        f"{cpu[PANDAS] / cpu[LERKIT]:6.2f}x"
    )
    open_cpu = per_run(LERKIT, "open_cpu_s")
    print(
        f"{'open (lerkit)':{width}} {open_s:9.2f} {'':>9} {'-':>9} {'':>8} {'':>7} {'':>7}   "
        f"{open_mb:9,.0f}   (lk.datasets.load: validation; then connect)"
    )
    with_open = total[LERKIT] + open_s
    print(
        f"{'with open':{width}} {with_open:9.2f} {'':>9} {total[PANDAS]:9.2f} {'':>8} "
        f"{total[PANDAS] / with_open:6.2f}x {cpu[PANDAS] / (cpu[LERKIT] + open_cpu):6.2f}x"
    )
    print(
        f"CPU seconds (every thread of the process): lerkit {cpu[LERKIT]:.2f} (+ {open_cpu:.2f} "
        f"open), pandas {cpu[PANDAS]:.2f}; on a busy machine the CPU ratio moves less than "
        "the wall-clock one"
    )
    stats_l, stats_p = total[LERKIT] - data[LERKIT], total[PANDAS] - data[PANDAS]
    print(
        f"statistics and assembly (the rest): lerkit {stats_l:.2f} s, pandas "
        f"{stats_p:.2f} s; data step alone: pandas / lerkit = "
        f"{data[PANDAS] / data[LERKIT]:.2f}x"
    )
    # Amdahl: the statistics are (nearly all) the same code, so they bound the ratio
    print(
        f"even with lerkit's data step taking no time, the analyses could be at most "
        f"{total[PANDAS] / max(stats_l, 1e-9):.2f}x faster than pandas here"
    )

    peak: dict[str, float] = {}
    for path in (LERKIT, PANDAS):
        peaks = []
        for r in runs[path]:
            phases = [r["import_peak_mb"], r.get("open_peak_mb", 0.0), r["end_peak_mb"]]
            phases += [c["peak_mb"] for c in r["cases"].values()]
            peaks.append(max(phases))
        peak[path] = _median(peaks)
    peak_cases = {
        path: _median([max(c["peak_mb"] for c in r["cases"].values()) for r in runs[path]])
        for path in (LERKIT, PANDAS)
    }
    print("\npeak RSS of the whole process (imports included), MB:")
    print(
        f"  lerkit {peak[LERKIT]:,.0f} (imports {per_run(LERKIT, 'import_rss_mb'):,.0f}, "
        f"after open {per_run(LERKIT, 'open_rss_mb'):,.0f}, analyses alone "
        f"{peak_cases[LERKIT]:,.0f})"
    )
    print(f"  pandas {peak[PANDAS]:,.0f} (imports {per_run(PANDAS, 'import_rss_mb'):,.0f})")
    for path in (LERKIT, PANDAS):
        ranked = sorted(names, key=lambda n: per_case(path, n, "peak_mb"), reverse=True)[:3]
        shown = ", ".join(f"{n} {per_case(path, n, 'peak_mb'):,.0f}" for n in ranked)
        print(f"  largest per-case peaks, {path}: {shown}")
    print(
        f"  lerkit / pandas: {peak[LERKIT] / peak[PANDAS]:.2f}x with open, "
        f"{peak_cases[LERKIT] / peak_cases[PANDAS]:.2f}x analyses alone"
    )
    print(
        f"imports (excluded from the seconds above): lerkit {per_run(LERKIT, 'import_s'):.2f} s, "
        f"pandas {per_run(PANDAS, 'import_s'):.2f} s"
    )
    if not all(r["can_reset"] for rs in runs.values() for r in rs):
        print(
            "note: the peak RSS could not be reset per phase (no /proc/self/clear_refs): "
            "each figure is the process's peak so far"
        )
    print(f"DuckDB threads: {threads or 'default (one per core)'}; pandas: one thread")

    def verdict(ok: bool) -> str:
        return "meets" if ok else "MISSES"

    speed = total[PANDAS] / with_open
    speed_alone = total[PANDAS] / total[LERKIT]
    memory = peak[LERKIT] / peak[PANDAS]
    memory_alone = peak_cases[LERKIT] / peak_cases[PANDAS]
    met = speed >= TARGET_SPEED and memory <= TARGET_MEMORY
    print(
        f"\ntarget: >= {TARGET_SPEED:g}x faster than pandas and <= {TARGET_MEMORY:g}x its peak RSS"
    )
    print(
        f"  as a user runs it (load + connect + every analysis): {speed:.2f}x faster, "
        f"{memory:.2f}x the memory: {verdict(speed >= TARGET_SPEED)} the speed target, "
        f"{verdict(memory <= TARGET_MEMORY)} the memory target"
    )
    print(
        f"  analyses alone (dataset already open): {speed_alone:.2f}x faster, "
        f"{memory_alone:.2f}x the memory: {verdict(speed_alone >= TARGET_SPEED)} the speed "
        f"target, {verdict(memory_alone <= TARGET_MEMORY)} the memory target"
    )
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--learners",
        type=int,
        default=1_000_000,
        help="learners in the synthetic pilot (default 1,000,000)",
    )
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic pilot")
    parser.add_argument("--data", type=Path, help="use this pilot folder (no generation)")
    parser.add_argument("--only", help="comma-separated case names (see --list)")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument(
        "--repeat",
        type=int,
        help="processes per path; the table shows medians (default 1 at "
        ">= 500,000 learners, else 3)",
    )
    parser.add_argument(
        "--boot",
        type=int,
        default=50,
        help="bootstrap replicates of gap_decomposition (default 50; lerkit's "
        "default is 500, the same statistics in both paths)",
    )
    parser.add_argument("--threads", type=int, help="DuckDB threads (default: one per core)")
    parser.add_argument("--child", choices=[LERKIT, PANDAS], help=argparse.SUPPRESS)
    parser.add_argument("--learner-id", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(HERE))
    if args.child:
        options = Options(
            n_boot=args.boot, learner_id=args.learner_id, caseload=_caseload(args.data)
        )
        figures = child(
            args.child, args.data, args.only.split(","), options, args.threads, args.out
        )
        print(json.dumps(figures))
        return 0

    every = [c.name for c in _cases()]
    if args.list:
        for case in _cases():
            print(case.name + (f"  ({case.note})" if case.note else ""))
        for name, why in EXCLUDED.items():
            print(f"excluded: {name}: {why}")
        for name, why in BUILDING_BLOCKS.items():
            print(f"not an analysis: {name}: {why}")
        return 0
    names = every if not args.only else [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in every]
    if unknown:
        raise SystemExit(f"unknown case {unknown[0]!r}; cases: {', '.join(every)}")
    args.data = _dataset(args)
    learners = _count_learners(args.data)
    repeat = args.repeat or (1 if learners >= 500_000 else 3)
    learner_id = _first_learner(args.data)

    print(
        f"lerkit analyses vs pandas on {args.data} ({learners:,} learners); "
        f"{len(names)} case(s), {repeat} process(es) per path"
    )
    print(f"{_versions()}; {_machine()}")
    print("excluded: " + "; ".join(f"{k} ({v})" for k, v in EXCLUDED.items()))

    runs: dict[str, list[dict[str, Any]]] = {LERKIT: [], PANDAS: []}
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="lerkit-bench-analysis-") as tmp:
        for i in range(repeat):
            order = (LERKIT, PANDAS) if i % 2 == 0 else (PANDAS, LERKIT)
            for path in order:
                out = Path(tmp) / f"{path}-{i}.pkl"
                started = time.perf_counter()
                figures = _run_child(path, args, names, learner_id, out)
                runs[path].append(figures)
                print(
                    f"  run {i + 1} {path}: {time.perf_counter() - started:.1f} s in its process",
                    flush=True,
                )
                if i == 0:
                    with out.open("rb") as handle:
                        results[path] = pickle.load(handle)

    problems = [p for n in names for p in compare(n, results[LERKIT][n], results[PANDAS][n])]
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    if problems:
        print(
            f"\n{len(problems)} difference(s) between the paths: no figures are shown",
            file=sys.stderr,
        )
        return 1
    print(
        f"both paths agree on n, estimate and suppressed of every row of the {len(names)} results"
    )
    report(names, runs, args.threads)
    print(f"load now: {_machine()}")
    return 0


def _count_learners(folder: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(folder / "learners.parquet").metadata.num_rows)


if __name__ == "__main__":
    sys.exit(main())
