"""lerkit.analysis core: the engine, intervals, suppression and the result convention."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.optimize import linprog
from statsmodels.stats.proportion import (  # type: ignore[import-untyped]
    confint_proportions_2indep,
    proportion_confint,
)

import lerkit as lk
from lerkit.analysis import (
    MIN_CELL,
    RESULT_COLUMNS,
    Engine,
    as_engine,
    connect,
    finish,
    newcombe,
    suppress,
    t_interval,
    wald_difference,
    wilson,
)
from lerkit.errors import DatasetError, LerkitError

PILOT = Path(__file__).resolve().parents[1] / "datasets" / "pilot-default"


@pytest.fixture(scope="module")
def pilot() -> lk.datasets.Dataset:
    return lk.datasets.load("pilot-default")


# -- intervals ----------------------------------------------------------------------------


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99])
def test_wilson_matches_statsmodels(confidence: float) -> None:
    rng = np.random.default_rng(7)
    n = rng.integers(1, 500, size=300)
    k = rng.binomial(n, rng.uniform(0, 1, size=300))
    k[:5], k[5:10] = 0, n[5:10]  # the edges
    low, high = wilson(k, n, confidence)
    ref_low, ref_high = proportion_confint(k, n, alpha=1 - confidence, method="wilson")
    np.testing.assert_allclose(low, ref_low, atol=1e-12)
    np.testing.assert_allclose(high, ref_high, atol=1e-12)


def test_wilson_edges_and_empty_cells() -> None:
    low, high = wilson([0, 10, 0], [10, 10, 0])
    assert low[0] == 0.0
    assert high[1] == 1.0
    assert np.isnan(low[2])
    assert np.isnan(high[2])
    scalar_low, scalar_high = wilson(5, 10)
    assert scalar_low.shape == ()
    assert round(float(scalar_low), 4) == 0.2366
    assert round(float(scalar_high), 4) == 0.7634
    with pytest.raises(
        LerkitError, match=r"confidence must be between 0 and 1 \(exclusive\), not 1.5"
    ):
        wilson(1, 2, 1.5)


def test_newcombe_and_wald_match_statsmodels() -> None:
    rng = np.random.default_rng(11)
    for _ in range(200):
        n1, n2 = rng.integers(1, 400, size=2)
        k1, k2 = rng.binomial(n1, rng.uniform()), rng.binomial(n2, rng.uniform())
        d, low, high = newcombe(k1, n1, k2, n2)
        ref = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff")
        assert float(d) == pytest.approx(k1 / n1 - k2 / n2)
        assert float(low) == pytest.approx(ref[0], abs=1e-12)
        assert float(high) == pytest.approx(ref[1], abs=1e-12)
        if 0 < k1 < n1 and 0 < k2 < n2:
            _, wlow, whigh = wald_difference(k1, n1, k2, n2)
            wref = confint_proportions_2indep(k1, n1, k2, n2, method="wald", compare="diff")
            assert float(wlow) == pytest.approx(wref[0], abs=1e-12)
            assert float(whigh) == pytest.approx(wref[1], abs=1e-12)


def test_newcombe_known_value() -> None:
    # Newcombe (1998) table II example: 56/70 vs 48/80 -> 0.0524 to 0.3339
    d, low, high = newcombe(56, 70, 48, 80)
    assert (round(float(d), 4), round(float(low), 4), round(float(high), 4)) == (
        0.2,
        0.0524,
        0.3339,
    )


def test_t_interval_matches_scipy() -> None:
    low, high = t_interval([2.0, 5.0, 1.0], [1.5, 0.5, 1.0], [10, 200, 1])
    ref = stats.t.interval(0.95, 9, loc=2.0, scale=1.5 / np.sqrt(10))
    assert (float(low[0]), float(high[0])) == pytest.approx(ref)
    assert np.isnan(low[2])
    assert np.isnan(high[2])


# -- suppression ---------------------------------------------------------------------------


def test_suppress_primary_and_complementary() -> None:
    table = pd.DataFrame({"group": list("abcd"), "n": [120, 45, 7, 30]})
    out = suppress(table)
    assert out["suppressed"].tolist() == [False, False, True, True]
    assert out.attrs["suppression"] == {"min_cell": 10, "primary": 1, "complementary": 1}
    assert "suppressed" not in table  # a copy
    assert MIN_CELL == 10
    # min_cell is configurable; nothing below it: nothing hidden
    assert not suppress(table, min_cell=5)["suppressed"].any()
    # two small cells protect each other: no complementary cell needed
    two = suppress(pd.DataFrame({"n": [3, 4, 50, 60]}))
    assert two["suppressed"].tolist() == [True, True, False, False]


def test_suppress_zero_sum_hidden_cells_get_a_positive_complement() -> None:
    out = suppress(pd.DataFrame({"n": [0, 0, 40, 25]}))
    # two hidden zeros would be recovered as 0 from the total: hide the smallest positive
    assert out["suppressed"].tolist() == [True, True, False, True]


def test_suppress_by_group_and_existing_flags() -> None:
    frame = pd.DataFrame(
        {
            "dim": ["x", "x", "x", "y", "y"],
            "n": [5, 50, 60, 40, 30],
            "suppressed": [False, False, False, True, False],
        }
    )
    out = suppress(frame, by=["dim"])
    assert out["suppressed"].tolist() == [True, True, False, True, True]


def test_suppress_rejects_bad_arguments() -> None:
    with pytest.raises(LerkitError, match="min_cell must be a positive integer, not 0"):
        suppress(pd.DataFrame({"n": [1]}), min_cell=0)
    with pytest.raises(LerkitError, match="suppress: no column 'count' in the frame"):
        suppress(pd.DataFrame({"n": [1]}), count="count")


def _feasible_widths(
    counts: np.ndarray, hidden: np.ndarray, equations: list[np.ndarray]
) -> list[float]:
    """For each hidden cell: max - min of its value given the published cells and totals."""
    index = np.flatnonzero(hidden)
    a_eq, b_eq = [], []
    for members in equations:  # each: a boolean mask of cells adding to a published total
        row = members[index].astype(float)
        if row.any():
            a_eq.append(row)
            b_eq.append(counts[members].sum() - counts[members & ~hidden].sum())
    widths = []
    for position in range(len(index)):
        c = np.zeros(len(index))
        c[position] = 1.0
        bounds = [(0, None)] * len(index)
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        assert low.status == 0
        assert high.status == 0
        widths.append(-high.fun - low.fun)
    return widths


@pytest.mark.parametrize("seed", range(40))
def test_no_suppressed_cell_is_recoverable_one_way(seed: int) -> None:
    rng = np.random.default_rng(seed)
    groups = rng.integers(1, 4)
    cells = rng.integers(2, 8)
    counts = rng.choice([0, 1, 3, 8, 9, 12, 40, 150], size=groups * cells)
    frame = pd.DataFrame({"g": np.repeat(np.arange(groups), cells), "n": counts})
    hidden = suppress(frame, by=["g"])["suppressed"].to_numpy()
    assert (hidden | (counts >= MIN_CELL)).all()
    equations = [frame["g"].to_numpy() == g for g in range(groups)]
    for members in equations:
        if hidden[members].any() and counts[members].sum() > 0:
            assert min(_feasible_widths(counts, hidden & members, [members])) > 0


@pytest.mark.parametrize("seed", range(60))
def test_no_suppressed_cell_is_recoverable_two_way(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    rows, cols = rng.integers(2, 6), rng.integers(2, 6)
    counts = rng.choice([0, 2, 5, 9, 11, 25, 80, 300], size=rows * cols)
    frame = pd.DataFrame(
        {"r": np.repeat(np.arange(rows), cols), "c": np.tile(np.arange(cols), rows), "n": counts}
    )
    hidden = suppress(frame, totals=[["r"], ["c"]])["suppressed"].to_numpy()
    assert (hidden | (counts >= MIN_CELL)).all()
    if not hidden.any() or counts.sum() == 0:
        return
    r, c = frame["r"].to_numpy(), frame["c"].to_numpy()
    equations = [r == i for i in range(rows)] + [c == j for j in range(cols)]
    equations.append(np.ones(len(frame), dtype=bool))
    widths = _feasible_widths(counts, hidden, equations)
    recovered = [
        (int(r[i]), int(c[i]), int(counts[i]))
        for i, w in zip(np.flatnonzero(hidden), widths, strict=True)
        if w <= 1e-9
    ]
    assert recovered == [], recovered


def test_two_way_iterates_until_stable() -> None:
    # one small cell: its row and its column each need a complement, and the complements
    # then need their own partners on the other margin
    counts = np.array([[5, 50, 60], [40, 30, 70], [20, 80, 90]])
    frame = pd.DataFrame(
        [(i, j, counts[i, j]) for i, j in itertools.product(range(3), range(3))],
        columns=["r", "c", "n"],
    )
    hidden = suppress(frame, totals=[["r"], ["c"]])["suppressed"].to_numpy().reshape(3, 3)
    assert hidden.sum(axis=1).tolist() in ([2, 2, 0], [2, 0, 2])
    assert all(s in (0, 2) for s in hidden.sum(axis=0).tolist())
    assert hidden[0, 0]


# -- the result convention -------------------------------------------------------------------


def _raw() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": ["a", "b", "c"],
            "measure": "share",
            "estimate": [0.6, 0.35, 0.05],
            "ci_low": [0.5, 0.3, 0.01],
            "ci_high": [0.7, 0.4, 0.1],
            "n": [120, 70, 9],
            "k": [72.0, 24.5, 0.45],
            "label": ["A", "B", "C"],
        }
    )


def test_finish_orders_blanks_and_records() -> None:
    out = finish(
        _raw(),
        analysis="demo",
        parameters={"by": "group"},
        min_cell=10,
        confidence=0.9,
        hide=["k"],
    )
    assert list(out.columns) == ["group", *RESULT_COLUMNS, "k", "label"]
    assert out["suppressed"].tolist() == [False, False, True]
    assert out.loc[2, ["estimate", "ci_low", "ci_high", "k"]].isna().all()
    assert out["n"].isna().tolist() == [False, False, True]
    assert str(out["n"].dtype) == "Int64"
    assert out.loc[2, "label"] == "C"  # not derived from n: kept
    assert out.attrs == {
        "analysis": "demo",
        "parameters": {"by": "group"},
        "min_cell": 10,
        "confidence": 0.9,
    }


def test_finish_keeps_existing_suppression_flags() -> None:
    raw = _raw().assign(suppressed=[False, True, False])
    out = finish(raw, analysis="demo", parameters={}, min_cell=5, confidence=0.95)
    assert out["suppressed"].tolist() == [False, True, False]
    assert np.isnan(out.loc[1, "estimate"])
    assert out.loc[2, "estimate"] == 0.05


def test_finish_validates() -> None:
    with pytest.raises(LerkitError, match="result of 'demo' has no column 'ci_low'") as info:
        finish(
            _raw().drop(columns="ci_low"),
            analysis="demo",
            parameters={},
            min_cell=10,
            confidence=0.95,
        )
    assert info.value.code == "invalid_result"
    with pytest.raises(LerkitError, match="min_cell must be a positive integer, not -1"):
        finish(_raw(), analysis="demo", parameters={}, min_cell=-1, confidence=0.95)
    with pytest.raises(LerkitError, match="confidence must be between 0 and 1"):
        finish(_raw(), analysis="demo", parameters={}, min_cell=10, confidence=95)


# -- the engine ------------------------------------------------------------------------------


def _tiny(folder: Path, fmt: str) -> Path:
    folder.mkdir()
    (folder / "dataset.yaml").write_text("name: tiny\nsynthetic: false\n")
    learners = pd.DataFrame(
        {
            "learner_id": ["L1", "L2", "L3", "L4"],
            "birth_year": [1980, 1990, 1995, 2000],
            "gender": ["female", "male", "female", "nonbinary"],
            "race_ethnicity": ["black", "white", "hispanic_latino", "black"],
            "veteran": [True, False, None, False],
            "region": ["pacific"] * 4,
            "highest_education": ["high_school", "bachelor", "some_college", "associate"],
            "pathway": ["bootcamp", "university", "military", "bootcamp"],
            "stars": [True, False, True, True],
            "cohort": ["ler", "comparison", "ler", "ler"],
            "enrolled_on": pd.to_datetime(["2024-01-02"] * 4).date,
        }
    )
    outcomes = pd.DataFrame(
        {
            "learner_id": ["L1", "L1", "L2", "L3"],
            "period": ["2025Q1", "2025Q2", "2025Q2", "2025Q2"],
            "employed": [False, True, True, False],
            "hourly_wage": [None, 21.5, 30.0, None],
        }
    )
    if fmt == "csv":
        learners.to_csv(folder / "learners.csv", index=False)
        outcomes.to_csv(folder / "outcomes.csv", index=False)
    else:
        learners.to_parquet(folder / "learners.parquet", index=False)
        outcomes.to_parquet(folder / "outcomes.parquet", index=False)
    return folder


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_engine_on_a_tiny_dataset(tmp_path: Path, fmt: str) -> None:
    dataset = lk.datasets.load(_tiny(tmp_path / "tiny", fmt))
    engine = connect(dataset)
    assert engine.tables == ("learners", "outcomes")
    learners = engine.table("learners")
    assert learners.schema()["stars"].is_boolean()
    assert learners.schema()["birth_year"].is_integer()
    assert learners.schema()["enrolled_on"].is_date()
    assert "email" in learners.columns  # a dictionary column absent from the file: NULL
    counts = engine.execute(
        learners.group_by(["pathway", "stars"]).agg(n=learners.count()).order_by("pathway")
    )
    assert counts.to_dict("records") == [
        {"pathway": "bootcamp", "stars": True, "n": 2},
        {"pathway": "military", "stars": True, "n": 1},
        {"pathway": "university", "stars": False, "n": 1},
    ]
    veterans = engine.execute(learners.veteran.notnull().sum().name("n").as_table())
    assert int(veterans["n"].iloc[0]) == 3
    outcomes = engine.table("outcomes")
    wage = engine.execute(outcomes.hourly_wage.mean().name("w").as_table())
    assert float(wage["w"].iloc[0]) == pytest.approx(25.75)
    with pytest.raises(
        DatasetError, match="the engine has no table 'credentials'; tables: learners, outcomes"
    ):
        engine.table("credentials")


def test_engine_counts_equal_pandas_on_the_pilot(pilot: lk.datasets.Dataset) -> None:
    engine = connect(pilot)
    t = engine.table("outcomes")
    learners = engine.table("learners")
    joined = t.join(learners, "learner_id")
    counts = engine.execute(
        joined.group_by(["period", "cohort"])
        .agg(n=joined.count(), employed=joined.employed.sum(), wage=joined.hourly_wage.mean())
        .order_by(["period", "cohort"])
    )
    frame = pilot.table("outcomes").merge(pilot.table("learners"), on="learner_id")
    frame["cohort"] = frame["cohort"].astype(str)
    expected = (
        frame.groupby(["period", "cohort"])
        .agg(n=("learner_id", "size"), employed=("employed", "sum"), wage=("hourly_wage", "mean"))
        .reset_index()
    )
    assert counts["n"].tolist() == expected["n"].tolist()
    assert counts["employed"].tolist() == expected["employed"].astype(int).tolist()
    np.testing.assert_allclose(counts["wage"], expected["wage"])
    assert int(engine.execute(learners.count().name("n").as_table())["n"].iloc[0]) == 5000


def test_as_engine_accepts_datasets_names_paths_and_engines(
    pilot: lk.datasets.Dataset,
) -> None:
    engine = as_engine(pilot)
    assert isinstance(engine, Engine)
    assert engine.dataset is pilot
    assert as_engine(engine) is engine
    assert as_engine("pilot-default").tables == engine.tables
    assert as_engine(PILOT).dataset is not None
    with pytest.raises(
        LerkitError, match="expected a Dataset, an Engine or a dataset folder/name, not int"
    ):
        as_engine(3)  # type: ignore[arg-type]


def test_engine_reads_csv_tables_typed_like_the_parquet_ones(
    tmp_path: Path, pilot: lk.datasets.Dataset
) -> None:
    folder = tmp_path / "pilot-csv"
    folder.mkdir()
    for name in ("learners", "ler_events", "occupations", "outcomes"):
        (folder / f"{name}.csv").write_bytes((PILOT / "csv" / f"{name}.csv").read_bytes())
    (folder / "dataset.yaml").write_text("name: pilot-csv\nsynthetic: false\n")
    from_csv = connect(lk.datasets.load(folder, check_files="none"))
    from_parquet = connect(pilot)
    assert from_csv.dataset is not None
    assert from_csv.dataset.sources["learners"].format == "csv"
    for name in ("learners", "ler_events", "occupations", "outcomes"):
        a, b = from_csv.table(name), from_parquet.table(name)
        assert a.schema() == b.schema(), name
        keys = list(from_parquet.dataset.dictionary.table(name).primary_key)  # type: ignore[union-attr]
        left = from_csv.execute(a.order_by(keys))
        right = from_parquet.execute(b.order_by(keys))
        pd.testing.assert_frame_equal(left, right, check_dtype=False, obj=name)


def test_suppress_hides_small_numerators_and_their_complements() -> None:
    rates = pd.DataFrame(
        {"group": list("abcde"), "n": [200, 60, 60, 80, 300], "k": [100, 4, 55, 40, 150]}
    )
    out = suppress(rates, numerators=["k"])
    # b: 4 with the outcome; c: 60 - 55 = 5 without; both hidden, and together they
    # protect each other against the group total
    assert out["suppressed"].tolist() == [False, True, True, False, False]
    assert out.attrs["suppression"]["primary"] == 2
    # without the numerator rule only n is looked at: nothing is small
    assert not suppress(rates)["suppressed"].any()
    # one small numerator alone gets a complementary cell
    single = suppress(rates.iloc[[0, 1, 3, 4]], numerators=["k"])
    assert single["suppressed"].tolist() == [False, True, True, False]
    with pytest.raises(LerkitError, match="no column 'hits'"):
        suppress(rates, numerators=["hits"])
