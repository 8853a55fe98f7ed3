"""where_to_act (analysis 15) on pilot-default, recomputed from the parquet files with
pandas, scipy and statsmodels."""

from __future__ import annotations

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
from lerkit.analysis._engine import Engine, connect
from lerkit.analysis._targeting import where_to_act
from lerkit.errors import LerkitError
from lerkit.plots._targeting import where_to_act_figure

PILOT = Path(__file__).resolve().parents[1] / "datasets" / "pilot-default"
LAST = "2025Q4"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return connect(lk.datasets.load("pilot-default"))


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    """One row per learner: attributes, the last quarter's outcome, previous occupation."""
    outcomes = pd.read_parquet(PILOT / "outcomes.parquet")
    learners = pd.read_parquet(PILOT / "learners.parquet")
    learners["stars"] = learners["stars"].map({True: "true", False: "false"})
    now = outcomes[outcomes["period"] == LAST].set_index("learner_id")
    earlier = outcomes[
        (outcomes["period"] < LAST) & outcomes["employed"] & outcomes["occupation_soc"].notna()
    ].sort_values("period")
    previous = earlier.groupby("learner_id")["occupation_soc"].last()
    frame = learners.set_index("learner_id").join(now[["employed", "hourly_wage"]], how="inner")
    frame["occupation"] = previous.reindex(frame.index).fillna("no_earlier_job")
    return frame


def _check_rank(table: pd.DataFrame) -> None:
    shown = table[~table["suppressed"]]
    expected = np.maximum(0.0, -shown["ci_high"].to_numpy()) * shown["n"].to_numpy(dtype=float)
    assert shown["score"].to_numpy() == pytest.approx(expected)
    assert shown["rank"].tolist() == list(range(1, len(shown) + 1))
    assert (np.diff(shown["score"].to_numpy()) <= 1e-12).all()
    assert table[table["suppressed"]]["rank"].isna().all()


def test_employment_gap_to_the_overall_rate(engine: Engine, people: pd.DataFrame) -> None:
    table = where_to_act(engine)
    assert table.attrs["analysis"] == "where_to_act"
    assert table.attrs["parameters"]["period"] == LAST
    overall = people["employed"].mean()
    total = len(people)
    for dimension in ("region", "occupation", "pathway"):
        rows = table[table["dimension"] == dimension].set_index("category")
        for category, part in people.groupby(dimension):
            row = rows.loc[category]
            n, k = len(part), int(part["employed"].sum())
            if row["suppressed"]:
                assert min(n, k, n - k) < 10 or pd.isna(row["estimate"])
                continue
            others = people[people[dimension] != category]
            low, high = confint_proportions_2indep(
                k, n, int(others["employed"].sum()), len(others), method="newcomb"
            )
            scale = 1 - n / total
            assert row["n"] == n
            assert row["k"] == k
            assert row["estimate"] == pytest.approx(k / n - overall)
            assert (row["ci_low"], row["ci_high"]) == pytest.approx((low * scale, high * scale))
            assert row["reference_value"] == pytest.approx(overall)
            value_low, value_high = proportion_confint(k, n, alpha=0.05, method="wilson")
            assert (row["value_low"], row["value_high"]) == pytest.approx((value_low, value_high))
    occupations = table[table["dimension"] == "occupation"]
    assert "no_earlier_job" in set(occupations["category"])
    titles = pd.read_parquet(PILOT / "occupations.parquet").set_index("occupation_soc")["title"]
    for record in occupations.itertuples():
        if record.category != "no_earlier_job":
            assert record.label == titles[record.category]
    _check_rank(table)


def test_mean_wage_gap_to_everyone_else_is_welch(engine: Engine, people: pd.DataFrame) -> None:
    table = where_to_act(engine, dimensions=["pathway"], outcome="mean_wage", reference="others")
    paid = people[people["employed"] & (people["hourly_wage"] > 0)]
    for record in table.itertuples():
        mine = paid[paid["pathway"] == record.category]["hourly_wage"]
        rest = paid[paid["pathway"] != record.category]["hourly_wage"]
        test = stats.ttest_ind(mine, rest, equal_var=False)
        ci = test.confidence_interval(0.95)
        assert record.n == len(mine)
        assert record.estimate == pytest.approx(mine.mean() - rest.mean())
        assert (record.ci_low, record.ci_high) == pytest.approx((ci.low, ci.high))
        assert pd.isna(record.k)
    _check_rank(table)
    # the lowest-paid pathways in the generator are ranked first
    assert table["rank"].iloc[0] == 1


def test_focus_population_within_each_cell(engine: Engine, people: pd.DataFrame) -> None:
    table = where_to_act(engine, dimensions=["region"], focus={"stars": True})
    for record in table.itertuples():
        cell = people[people["region"] == record.category]
        mine, rest = cell[cell["stars"] == "true"], cell[cell["stars"] == "false"]
        counts = [len(mine), int(mine["employed"].sum()), len(rest), int(rest["employed"].sum())]
        if record.suppressed:
            assert pd.isna(record.estimate)
            assert pd.isna(record.reference_value)
            continue
        assert min(counts[0], counts[1], counts[0] - counts[1]) >= 10
        assert min(counts[2], counts[3], counts[2] - counts[3]) >= 10
        low, high = confint_proportions_2indep(counts[1], counts[0], counts[3], counts[2],
                                               method="newcomb")  # fmt: skip
        assert record.n == counts[0]
        assert record.others_n == counts[2]
        assert record.estimate == pytest.approx(counts[1] / counts[0] - counts[3] / counts[2])
        assert (record.ci_low, record.ci_high) == pytest.approx((low, high))
    _check_rank(table)


def test_fixed_target_and_wage_threshold(engine: Engine, people: pd.DataFrame) -> None:
    table = where_to_act(engine, dimensions=["pathway"], reference=0.8)
    for record in table.itertuples():
        part = people[people["pathway"] == record.category]
        n, k = len(part), int(part["employed"].sum())
        low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
        assert (record.estimate, record.ci_low, record.ci_high) == pytest.approx(
            (k / n - 0.8, low - 0.8, high - 0.8)
        )
    above = where_to_act(engine, dimensions=["pathway"], outcome="wage_above")
    threshold = above.attrs["parameters"]["threshold"]
    assert threshold == pytest.approx(people.loc[people["employed"], "hourly_wage"].median())
    flag = people["employed"] & (people["hourly_wage"] > threshold)
    got = above.set_index("category")["k"]
    assert got.to_dict() == flag.groupby(people["pathway"]).sum().to_dict()


def test_small_cells_are_suppressed_and_not_recoverable(
    engine: Engine, people: pd.DataFrame
) -> None:
    min_cell = 150
    table = where_to_act(engine, dimensions=["region", "pathway"], min_cell=min_cell)
    for dimension in ("region", "pathway"):
        rows = table[table["dimension"] == dimension].set_index("category")
        sizes = people.groupby(dimension).size()
        employed = people.groupby(dimension)["employed"].sum()
        small = (sizes < min_cell) | (employed < min_cell) | (sizes - employed < min_cell)
        hidden = rows["suppressed"].reindex(sizes.index)
        assert hidden[small].all()
        assert hidden.any()
        assert not hidden.all()
        assert rows.loc[hidden[hidden].index, ["estimate", "n", "k", "score"]].isna().all().all()
        # with the dimension's total known, each hidden cell can still take a range
        values = sizes.to_numpy(dtype=float)
        mask = hidden.to_numpy()
        index = np.flatnonzero(mask)
        a_eq = [np.ones(len(index))]
        b_eq = [values[mask].sum()]
        for i in range(len(index)):
            c = np.zeros(len(index))
            c[i] = 1
            low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
            high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
            assert -high.fun - low.fun > 0
    _check_rank(table)


def test_figure_draws_the_ranked_cells(engine: Engine) -> None:
    table = where_to_act(engine, min_cell=150)
    figure = where_to_act_figure(table, top=5)
    assert figure.layout.title.text == "Where to act: the largest gaps in employment rate (2025Q4)"
    assert figure.layout.xaxis.title.text == "Gap in employment rate (percentage points)"
    assert "hidden" in figure.layout.title.subtitle.text
    bars = figure.data[0]
    ranked = table[~table["suppressed"]].head(5)
    assert list(bars.x) == pytest.approx(list(ranked["estimate"] * 100))
    assert bars.y[0].startswith("1. ")
    assert bars.error_x.array is not None
    drawn = [i for (i,) in bars.customdata]
    assert not table.loc[drawn, "suppressed"].any()
    with pytest.raises(LerkitError, match="top must be a positive integer, not 0"):
        where_to_act_figure(table, top=0)


@pytest.mark.parametrize(
    ("kwargs", "code", "text"),
    [
        ({"dimensions": ["shoe_size"]}, "invalid_argument", "'shoe_size'"),
        ({"dimensions": []}, "invalid_argument", "at least one dimension"),
        ({"period": "2031Q2"}, "unknown_period", "'2031Q2'"),
        ({"outcome": "happiness"}, "invalid_argument", "'happiness'"),
        ({"reference": "median"}, "invalid_argument", "'median'"),
        ({"focus": {"shoe_size": 9}}, "invalid_argument", "'shoe_size'"),
        ({"focus": {"stars": "maybe"}}, "empty_selection", "'maybe'"),
        ({"cohort": "nobody"}, "empty_selection", "'2025Q4'"),
    ],
)
def test_bad_input_raises_lerkit_errors(
    engine: Engine, kwargs: dict[str, object], code: str, text: str
) -> None:
    with pytest.raises(LerkitError) as caught:
        where_to_act(engine, **kwargs)  # type: ignore[arg-type]
    assert caught.value.code == code
    assert text in str(caught.value)
