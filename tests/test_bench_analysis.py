"""benchmarks/analysis.py: the pandas baseline computes what lerkit computes.

The benchmark's speed and memory ratios only mean something if both paths produce the
same result; these tests run every case of the benchmark on the bundled pilot, lerkit's
engine path and the pandas implementation in ``benchmarks/_pandas_analyses.py``, and
require the same ``n``, ``estimate`` and ``suppressed`` on every row. The pandas path
is an independent implementation of each data step (read_parquet, merge, groupby), so
this also cross-checks lerkit's engine queries.
"""

from __future__ import annotations

import json
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import lerkit as lk
from lerkit.analysis import connect

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def bench() -> Iterator[Any]:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import analysis

        yield analysis
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture(scope="module")
def pilot() -> Any:
    return lk.datasets.load("pilot-default")


@pytest.fixture(scope="module")
def engine(pilot: Any) -> Any:
    return connect(pilot)


@pytest.fixture(scope="module")
def options(bench: Any, pilot: Any) -> Any:
    learners = pd.read_parquet(Path(pilot.path) / "learners.parquet", columns=["learner_id"])
    # few bootstrap replicates: the statistics are shared, the data step is under test
    return bench.Options(
        n_boot=5,
        learner_id=str(learners["learner_id"].iloc[0]),
        caseload=bench._caseload(Path(pilot.path)),
    )


CASE_NAMES = [
    "representation",
    "credential_attainment",
    "ler_funnel",
    "outcome_rates",
    "process_efficiency",
    "adverse_impact",
    "degree_vs_skills",
    "degree_requirement_follow_through",
    "time_to_employment",
    "detectable_effect",
    "pilot_evaluation",
    "gap_decomposition",
    "learner_profile",
    "wage_mobility",
    "where_to_act",
    "top_occupations",
    "skill_gaps",
    "skill_distance",
    "matcher_fairness",
    "wage_change_distribution",
    "occupation_transitions",
]


def _public_functions() -> set[str]:
    import inspect

    import lerkit.analysis as la

    return {name for name in la.__all__ if inspect.isfunction(getattr(la, name))}


def _uncovered(bench: Any, cases: list[str]) -> set[str]:
    """Public functions of lerkit.analysis neither a case, excluded nor a building block."""
    excluded = {name.split()[0] for name in bench.EXCLUDED}
    return _public_functions() - set(cases) - excluded - set(bench.BUILDING_BLOCKS)


def test_every_case_is_tested(bench: Any) -> None:
    names = [c.name for c in bench._cases()]
    assert names == CASE_NAMES
    assert len(set(names)) == len(names)


def test_every_public_analysis_is_a_case_or_excluded(bench: Any) -> None:
    names = [c.name for c in bench._cases()]
    assert _uncovered(bench, names) == set()
    # the lists name real public functions, so a renamed analysis cannot hide there
    public = _public_functions()
    assert set(names) <= public
    assert {name.split()[0] for name in bench.EXCLUDED} <= public
    assert set(bench.BUILDING_BLOCKS) <= public


def test_a_missing_case_is_caught(bench: Any) -> None:
    names = [c.name for c in bench._cases()]
    for dropped in ("matcher_fairness", "occupation_transitions", "top_occupations"):
        assert _uncovered(bench, [n for n in names if n != dropped]) == {dropped}


@pytest.fixture(scope="module")
def results(bench: Any, pilot: Any, engine: Any, options: Any) -> dict[str, tuple[Any, Any]]:
    out = {}
    for case in bench._cases():
        mine = case.frame(case.lerkit(engine, options))
        theirs = case.frame(case.pandas(Path(pilot.path), options))
        out[case.name] = (mine, theirs)
    return out


@pytest.mark.parametrize("name", CASE_NAMES)
def test_pandas_path_agrees_with_lerkit(
    bench: Any, results: dict[str, tuple[Any, Any]], name: str
) -> None:
    mine, theirs = results[name]
    assert len(mine) > 0
    assert bench.compare(name, mine, theirs) == []


def test_results_are_not_all_suppressed(results: dict[str, tuple[Any, Any]]) -> None:
    # agreement on fully hidden tables would prove nothing
    for name, (mine, _) in results.items():
        assert (~mine["suppressed"].astype(bool)).any(), name


@pytest.mark.parametrize("column", ["n", "estimate", "suppressed", "row"])
def test_compare_catches_a_difference(
    bench: Any, results: dict[str, tuple[Any, Any]], column: str
) -> None:
    mine, theirs = results["outcome_rates"]
    changed = theirs.copy()
    shown = int(np.flatnonzero(~changed["suppressed"].to_numpy(dtype=bool))[0])
    if column == "n":
        changed.loc[shown, "n"] = changed.loc[shown, "n"] + 1
    elif column == "estimate":
        changed.loc[shown, "estimate"] = changed.loc[shown, "estimate"] * (1 + 1e-5)
    elif column == "suppressed":
        changed.loc[shown, "suppressed"] = True
    else:
        changed = changed.drop(index=shown).reset_index(drop=True)
    problems = bench.compare("outcome_rates", mine, changed)
    assert problems
    assert "outcome_rates" in problems[0]


def test_outcome_rates_counts_match_the_raw_tables(
    pilot: Any, results: dict[str, tuple[Any, Any]]
) -> None:
    """Independent of both paths: learners with an outcome in the last quarter."""
    outcomes = pd.read_parquet(Path(pilot.path) / "outcomes.parquet")
    last = outcomes[outcomes["period"] == outcomes["period"].max()]
    mine, _ = results["outcome_rates"]
    shown = mine[~mine["suppressed"].astype(bool)]
    assert int(shown["n"].sum()) <= last["learner_id"].nunique()
    white = mine.set_index("race_ethnicity").loc["white"]
    learners = pd.read_parquet(Path(pilot.path) / "learners.parquet")
    ids = set(learners.loc[learners["race_ethnicity"] == "white", "learner_id"])
    rows = last[last["learner_id"].isin(ids)]
    assert int(white["n"]) == len(rows)
    assert float(white["estimate"]) == pytest.approx(rows["employed"].mean())


def test_child_and_report_in_process(
    bench: Any, pilot: Any, options: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The child's measurements and the printed table (the subprocesses run this code)."""
    from lerkit.analysis import Engine

    original = Engine.execute
    runs = {}
    results = {}
    for path in (bench.LERKIT, bench.PANDAS):
        out = tmp_path / f"{path}.pkl"
        figures = bench.child(path, Path(pilot.path), ["outcome_rates"], options, None, out)
        runs[path] = [json.loads(json.dumps(figures))]  # what the parent process reads
        with out.open("rb") as handle:
            results[path] = pickle.load(handle)
    assert Engine.execute is original
    for path in (bench.LERKIT, bench.PANDAS):
        case = runs[path][0]["cases"]["outcome_rates"]
        assert 0 < case["data_s"] <= case["seconds"]
        assert case["peak_mb"] > 0
    assert "open_s" in runs[bench.LERKIT][0]
    mine, theirs = results[bench.LERKIT]["outcome_rates"], results[bench.PANDAS]["outcome_rates"]
    assert bench.compare("outcome_rates", mine, theirs) == []
    bench.report(["outcome_rates"], runs, None)
    printed = capsys.readouterr().out
    for needle in ("outcome_rates", "analyses (sum)", "open (lerkit)", "peak RSS", "target:"):
        assert needle in printed


def test_list_names_every_case_and_the_exclusions(
    bench: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench.main(["--list"]) == 0
    printed = capsys.readouterr().out
    listed = [
        line.split()[0]
        for line in printed.splitlines()
        if not line.startswith(("excluded", "not an"))
    ]
    assert listed == CASE_NAMES
    assert "excluded: verification_summary" in printed
    assert "excluded: power_analysis" in printed
