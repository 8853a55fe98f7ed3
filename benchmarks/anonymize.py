"""k-anonymity with l-diversity at scale: lerkit's lattice search against anonypy (Mondrian).

Usage::

    .venv/bin/python benchmarks/anonymize.py                 # 1,000,000 rows, k=10, l=2
    .venv/bin/python benchmarks/anonymize.py --rows 100000   # quicker
    .venv/bin/python benchmarks/anonymize.py --only lerkit   # lerkit alone
    .venv/bin/python benchmarks/anonymize.py --budget 120    # anonypy's time limit per run

Data: the learners table of a synthetic pilot (``--data``, default the 1,000,000-learner
pilot ``benchmarks/analysis.py`` caches in ``benchmarks/.data/``, made with ``lerkit
datasets synth --learners 1000000 --seed 7 --no-files --no-csv`` when missing); with
fewer rows than asked, or no file, rows are drawn
with replacement from it or from pilot-default (a bootstrap keeps the joint
distribution but repeats people: say so when it happens). Five quasi-identifiers
(birth_year, gender, region, highest_education, enrolled_on), sensitive attribute
race_ethnicity, k=10, l=2 by default.

Each run happens in a fresh process (``spawn``) that first loads its rows, so the peak
resident memory (``ru_maxrss``) is that run's, and the time covers the anonymization
call only. lerkit runs :func:`lerkit.anonymize.k_anonymize` twice: ``lerkit-mondrian``
(``algorithm="mondrian"``: vectorized Mondrian partitioning, greedy among median and
half-of-the-values cuts, the comparison with anonypy's Mondrian) and
``lerkit-lattice`` (the default full-domain lattice search over the dictionary's
hierarchies: birth year bands and age groups, census region and national, month,
quarter and year; gender and education can only be kept or generalized to ``*``;
suppression budget ``--max-suppression``). Full-domain generalization recodes every
record of a column the same way, so it loses more than local recoding: it is reported,
not what the target is judged on. anonypy: ``Preserver(df, qi,
sensitive).anonymize_l_diversity(k, l)`` (Mondrian; numeric columns as numbers, dates as
day numbers, the others as pandas categories), stepped up through 10k, 30k, 100k, ...
until a run exceeds ``--budget`` seconds (10 minutes by default; that run is stopped
and ends the steps). lerkit runs at every size anonypy finished, and at ``--rows``.

Information loss, the same metric for both outputs: the normalized certainty penalty,
averaged over records and quasi-identifiers. Each published value is an interval
(numbers, dates: width / the column's range) or a set of categories ((members - 1) /
(distinct values - 1)); a suppressed record counts 1. For lerkit the widths come from its
result's ``class_table``, for anonypy from its "min-max" strings and "a,b,c" sets. Also the
discernibility metric (sum of class sizes squared, plus n per suppressed record), and
the achieved k and l measured on the output.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
FALLBACK = ROOT / "datasets" / "pilot-default" / "learners.parquet"
QUASI = ["birth_year", "gender", "region", "highest_education", "enrolled_on"]
NUMERIC = ["birth_year", "enrolled_on"]
SENSITIVE = "race_ethnicity"
HIERARCHIES = {
    "birth_year": ["5-year band", "10-year band", "<35 / 35-54 / 55+"],
    "region": ["census region", "national"],
    "enrolled_on": ["month", "quarter", "year"],
}
SIZES = (10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000)


def load_rows(data: Path, rows: int, seed: int = 2026) -> tuple[pd.DataFrame, str]:
    """``rows`` learners (quasi-identifiers and the sensitive column), and how drawn."""
    source = data if data.is_file() else FALLBACK
    frame = pd.read_parquet(source, columns=[*QUASI, SENSITIVE])
    rng = np.random.default_rng(seed)
    if rows <= len(frame):
        index = rng.permutation(len(frame))[:rows]
        how = f"{rows:,} of {len(frame):,} rows of {source}"
    else:
        index = rng.integers(0, len(frame), rows)
        how = f"{rows:,} rows drawn with replacement from {len(frame):,} of {source}"
    frame = frame.iloc[np.sort(index)].reset_index(drop=True)
    for column in ("gender", "region", "highest_education", SENSITIVE):
        frame[column] = frame[column].astype(str)
    return frame, how


def _days(values: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(values)
    return ((stamps - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)).to_numpy()


def _domains(frame: pd.DataFrame) -> dict[str, float]:
    """Range of each numeric column, number of distinct values of each category."""
    out: dict[str, float] = {}
    for column in QUASI:
        if column in NUMERIC:
            x = frame[column].to_numpy(float) if column != "enrolled_on" else _days(frame[column])
            out[column] = float(x.max() - x.min())
        else:
            out[column] = float(frame[column].nunique())
    return out


def ncp_of_classes(
    classes: pd.DataFrame, domains: dict[str, float], n: int, suppressed: int
) -> float:
    """NCP from one row per published class: ``count`` and each QI's width or set size."""
    q = len(QUASI)
    total = 0.0
    for column in QUASI:
        width = classes[column].to_numpy(float)
        if column in NUMERIC:
            penalty = width / domains[column] if domains[column] > 0 else np.zeros_like(width)
        else:
            d = domains[column]
            penalty = (width - 1) / (d - 1) if d > 1 else np.zeros_like(width)
        total += float(np.dot(classes["count"].to_numpy(float), penalty))
    return (total + suppressed * q) / (n * q)


def _run_lerkit(
    frame: pd.DataFrame, k: int, l_div: int, max_suppression: float, algorithm: str
) -> dict[str, Any]:
    from lerkit.anonymize._kanonymity import k_anonymize

    started = time.perf_counter()
    result = k_anonymize(
        frame,
        QUASI,
        k=k,
        l=l_div,
        sensitive=[SENSITIVE],
        hierarchies=HIERARCHIES,
        max_suppression=max_suppression,
        reference_year=2026,
        algorithm=algorithm,  # type: ignore[arg-type]
    )
    seconds = time.perf_counter() - started
    assert result.class_table is not None
    detail = (
        ", ".join(f"{c}: {s}" for c, (_lv, s) in result.levels.items())
        if algorithm == "lattice"
        else f"{result.search['partitions']:,} partitions"
    )
    return {
        "seconds": seconds,
        # one row per class: count, and each QI's published interval width or set size
        "classes": result.class_table,
        "suppressed": int(result.suppressed.sum()),
        "achieved_k": result.achieved_k,
        "achieved_l": result.achieved_l,
        "own_ncp": result.info_loss.ncp,
        "detail": detail,
    }


def _width(text: str, numeric: bool) -> float:
    if numeric:
        parts = str(text).split("-")
        return float(parts[-1]) - float(parts[0]) if len(parts) == 2 else 0.0
    return float(len(str(text).split(",")))


def _run_anonypy(frame: pd.DataFrame, k: int, l_div: int) -> dict[str, Any]:
    import anonypy

    df = frame.copy()
    df["enrolled_on"] = _days(df["enrolled_on"]).astype(np.int64)
    for column in ("gender", "region", "highest_education", SENSITIVE):
        df[column] = df[column].astype("category")
    started = time.perf_counter()
    rows = anonypy.Preserver(df, QUASI, SENSITIVE).anonymize_l_diversity(k, l_div)
    seconds = time.perf_counter() - started
    out = pd.DataFrame(rows)
    for column in QUASI:  # each published value comes wrapped in a one-item list
        out[column] = [v[0] if isinstance(v, list) else v for v in out[column]]
    keys = [out[c].astype(str) for c in QUASI]
    grouped = out.groupby(keys, sort=False)
    sizes = grouped["count"].sum()
    distinct = grouped[SENSITIVE].nunique()
    classes = sizes.rename("count").reset_index()
    for column in QUASI:
        classes[column] = [_width(v, column in NUMERIC) for v in classes[column]]
    return {
        "seconds": seconds,
        "classes": classes,
        "suppressed": len(frame) - int(sizes.sum()),
        "achieved_k": int(sizes.min()),
        "achieved_l": int(distinct.min()),
        "own_ncp": float("nan"),
        "detail": f"{len(sizes):,} partitions",
    }


def _child(tool: str, path: str, k: int, l_div: int, share: float, queue: Any) -> None:
    try:
        # import the tool first: the memory measured over the base is the work itself
        if tool.startswith("lerkit"):
            import lerkit.anonymize._kanonymity  # noqa: F401
        else:
            import anonypy  # noqa: F401
        frame = pd.read_parquet(path)
        rows = len(frame)
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if tool.startswith("lerkit"):
            result = _run_lerkit(frame, k, l_div, share, tool.split("-")[1])
        else:
            result = _run_anonypy(frame, k, l_div)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        domains = _domains(frame)
        classes = result.pop("classes")
        result["ncp"] = ncp_of_classes(classes, domains, rows, result["suppressed"])
        counts = classes["count"].to_numpy(float)
        result["discernibility"] = float(np.dot(counts, counts)) + result["suppressed"] * rows
        result["peak_mb"] = peak / 1024
        result["peak_over_data_mb"] = (peak - base) / 1024
        queue.put(("ok", result))
    except BaseException as err:  # report any failure to the parent
        queue.put(("error", f"{type(err).__name__}: {err}"))


_PREPARED: dict[int, Path] = {}


def prepare(data: Path, rows: int, folder: Path) -> Path:
    """Write the rows of one size once, so each child loads only what it measures."""
    if rows not in _PREPARED:
        frame, how = load_rows(data, rows)
        path = folder / f"rows-{rows}.parquet"
        frame.to_parquet(path, index=False)
        print(f"  data: {how}", flush=True)
        _PREPARED[rows] = path
    return _PREPARED[rows]


def run(
    tool: str, data: Path, rows: int, args: argparse.Namespace, timeout: float | None
) -> dict[str, Any] | None:
    path = prepare(data, rows, args.workdir)
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(
        target=_child, args=(tool, str(path), args.k, args.l, args.max_suppression, queue)
    )
    started = time.perf_counter()
    process.start()
    deadline = None if timeout is None else started + timeout + 60  # + start-up, loading
    while True:
        try:
            status, payload = queue.get(timeout=5)
            break
        except Exception:  # queue.Empty: still running
            if not process.is_alive():
                print(f"  {tool} at {rows:,}: the process died", flush=True)
                return None
            if deadline is not None and time.perf_counter() > deadline:
                process.kill()
                process.join()
                print(f"  {tool} at {rows:,}: stopped after {timeout:.0f} s", flush=True)
                return None
    process.join()
    if status != "ok":
        print(f"  {tool} at {rows:,}: failed: {payload}", flush=True)
        return None
    payload["rows"] = rows
    payload["tool"] = tool
    print(
        f"  {tool:15} {rows:>9,} rows: {payload['seconds']:9.2f} s, peak {payload['peak_mb']:7.0f} MB "
        f"(+{payload['peak_over_data_mb']:.0f} over the loaded rows), NCP {payload['ncp']:.4f}, "
        f"DM {payload['discernibility']:.3g}, k {payload['achieved_k']}, "
        f"l {payload['achieved_l']}, suppressed "
        f"{payload['suppressed']:,} ({payload['detail']})",
        flush=True,
    )
    return payload


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--l", type=int, default=2)
    parser.add_argument("--max-suppression", type=float, default=0.05)
    parser.add_argument(
        "--only", choices=("lerkit", "anonypy"), default=None, help="run one side only"
    )
    parser.add_argument("--budget", type=float, default=600.0, help="seconds per anonypy run")
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(x) for x in text.split(",")],
        default=None,
        help="comma-separated sizes to try anonypy at instead of 10k, 30k, ... (e.g. 300000)",
    )
    args = parser.parse_args(argv)
    if args.data is None:
        # the pilot benchmarks/analysis.py caches (generated when missing)
        from analysis import _dataset

        pilot = _dataset(argparse.Namespace(data=None, learners=1_000_000, seed=7))
        args.data = pilot / "learners.parquet"
    with tempfile.TemporaryDirectory(prefix="lerkit-bench-anonymize-") as workdir:
        args.workdir = Path(workdir)
        return _main(args)


def _main(args: argparse.Namespace) -> int:
    print(
        f"k={args.k}, l={args.l}, quasi-identifiers: {', '.join(QUASI)}; sensitive: {SENSITIVE}; "
        f"lerkit suppression budget {args.max_suppression:.0%}",
        flush=True,
    )
    sizes = sorted({s for s in SIZES if s < args.rows} | {args.rows})
    if args.sizes:
        sizes = sorted(args.sizes)
    results: dict[tuple[str, int], dict[str, Any]] = {}
    anonypy_sizes: list[int] = []
    if args.only != "lerkit":
        print("anonypy (Mondrian), stepping up:", flush=True)
        for size in sizes:
            # each size is tried; a run over the budget is stopped and ends the steps
            got = run("anonypy", args.data, size, args, args.budget)
            if got is None:
                break
            results[("anonypy", size)] = got
            anonypy_sizes.append(size)
    lerkit_tools = ("lerkit-mondrian", "lerkit-lattice")
    if args.only != "anonypy":
        print("lerkit (Mondrian, and the full-domain lattice search):", flush=True)
        for size in sorted(set(anonypy_sizes) | {args.rows}):
            for tool in lerkit_tools:
                got = run(tool, args.data, size, args, None)
                if got is not None:
                    results[(tool, size)] = got
    common = [s for s in anonypy_sizes if ("lerkit-mondrian", s) in results]
    if common:
        print("ratios (anonypy / lerkit) at the same size:")
        for size in common:
            a = results[("anonypy", size)]
            for tool in lerkit_tools:
                b = results.get((tool, size))
                if b is None:
                    continue
                print(
                    f"  {size:>9,} rows, {tool:15}: time x{a['seconds'] / b['seconds']:.1f}, "
                    f"peak memory x{a['peak_mb'] / b['peak_mb']:.2f}; NCP {b['ncp']:.4f} vs "
                    f"anonypy {a['ncp']:.4f} (ratio {b['ncp'] / a['ncp']:.3f}); discernibility "
                    f"ratio {b['discernibility'] / a['discernibility']:.2f}"
                )
        size = common[-1]
        a, b = results[("anonypy", size)], results[("lerkit-mondrian", size)]
        fast = a["seconds"] / b["seconds"] >= 10
        loss = b["ncp"] <= a["ncp"]
        print(
            f"target at {size:,} rows (largest anonypy finished), lerkit-mondrian: >= 10x "
            f"faster: {'met' if fast else 'NOT met'}; information loss no greater: "
            f"{'met' if loss else 'NOT met'}"
        )
    for tool in lerkit_tools:
        if (tool, args.rows) in results:
            b = results[(tool, args.rows)]
            print(
                f"{tool} at {args.rows:,} rows: {b['seconds']:.2f} s, peak {b['peak_mb']:.0f} MB, "
                f"NCP {b['ncp']:.4f} (its own report: {b['own_ncp']:.4f})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
