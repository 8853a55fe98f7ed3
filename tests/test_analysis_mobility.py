"""Wage mobility and occupation transitions (analysis 8) on pilot-default, every number
recomputed from the parquet files with pandas, scipy and statsmodels."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.optimize import linprog
from statsmodels.stats.proportion import proportion_confint  # type: ignore[import-untyped]

import lerkit as lk
from lerkit.analysis._engine import Engine, connect
from lerkit.analysis._mobility import (
    occupation_transitions,
    wage_change_distribution,
    wage_mobility,
)
from lerkit.errors import LerkitError
from lerkit.plots._mobility import (
    occupation_transitions_figure,
    wage_change_distribution_figure,
    wage_mobility_figure,
)

PILOT = Path(__file__).resolve().parents[1] / "datasets" / "pilot-default"

#: approx_median (DuckDB's reservoir/t-digest sketch) against the exact median on the
#: pilot: the sketch is documented as approximate; half a dollar an hour is far below
#: the spread of the changes (sd of several USD) and would catch a wrong column or sign
APPROX_MEDIAN_TOLERANCE_USD = 0.5


@pytest.fixture(scope="module")
def engine() -> Engine:
    return connect(lk.datasets.load("pilot-default"))


@pytest.fixture(scope="module")
def outcomes() -> pd.DataFrame:
    return pd.read_parquet(PILOT / "outcomes.parquet")


@pytest.fixture(scope="module")
def learners() -> pd.DataFrame:
    frame = pd.read_parquet(PILOT / "learners.parquet")
    frame["stars"] = frame["stars"].map({True: "true", False: "false"})
    return frame


def _window(outcomes: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    """Per learner over the window: mean positive wage, occupation of the latest job."""
    rows = outcomes[outcomes["period"].isin(periods)]
    paid = rows[rows["employed"] & rows["hourly_wage"].notna() & (rows["hourly_wage"] > 0)]
    wage = paid.groupby("learner_id")["hourly_wage"].mean()
    jobs = rows[rows["employed"] & rows["occupation_soc"].notna()].sort_values("period")
    occupation = jobs.groupby("learner_id")["occupation_soc"].last()
    seen = pd.Index(rows["learner_id"].unique(), name="learner_id")
    return pd.DataFrame({"wage": wage, "occupation": occupation}).reindex(seen)


def _pairs(
    outcomes: pd.DataFrame, learners: pd.DataFrame, pre: list[str], post: list[str]
) -> pd.DataFrame:
    before = _window(outcomes, pre).add_prefix("pre_")
    after = _window(outcomes, post).add_prefix("post_")
    both = before.join(after, how="inner")
    return both.join(learners.set_index("learner_id"), how="inner")


def _changes(pairs: pd.DataFrame) -> pd.DataFrame:
    rows = pairs[pairs["pre_wage"].notna() & pairs["post_wage"].notna()].copy()
    rows["change"] = rows["post_wage"] - rows["pre_wage"]
    rows["log_change"] = np.log(rows["post_wage"]) - np.log(rows["pre_wage"])
    return rows


# -- wage_mobility ------------------------------------------------------------------------


def test_wage_mobility_matches_pandas(
    engine: Engine, outcomes: pd.DataFrame, learners: pd.DataFrame
) -> None:
    table = wage_mobility(engine, by="pathway")
    assert table.attrs["analysis"] == "wage_mobility"
    assert table.attrs["parameters"]["pre"] == ["2023Q1"]
    assert table.attrs["parameters"]["post"] == ["2025Q4"]
    rows = _changes(_pairs(outcomes, learners, ["2023Q1"], ["2025Q4"]))
    for pathway, part in rows.groupby("pathway"):
        got = table[table["pathway"] == pathway].set_index("measure")
        n = len(part)
        assert (got["n"] == n).all(), pathway
        x = part["change"].to_numpy()
        mean = got.loc["mean_change_usd"]
        low, high = stats.t.interval(0.95, n - 1, loc=x.mean(), scale=stats.sem(x))
        assert mean["estimate"] == pytest.approx(x.mean(), rel=1e-9)
        assert (mean["ci_low"], mean["ci_high"]) == pytest.approx((low, high), rel=1e-9)
        logs = part["log_change"].to_numpy() * 100
        log_row = got.loc["mean_log_change_pct"]
        low, high = stats.t.interval(0.95, n - 1, loc=logs.mean(), scale=stats.sem(logs))
        assert log_row["estimate"] == pytest.approx(logs.mean(), rel=1e-9)
        assert (log_row["ci_low"], log_row["ci_high"]) == pytest.approx((low, high), rel=1e-9)
        median = got.loc["median_change_usd"]
        assert median["estimate"] == pytest.approx(np.median(x), abs=1e-9)
        ci = stats.quantile_test(x, q=float(np.median(x)), p=0.5).confidence_interval(0.95)
        assert (median["ci_low"], median["ci_high"]) == pytest.approx((ci.low, ci.high))
        share = got.loc["share_with_gain"]
        gains = int((x > 0).sum())
        if min(gains, n - gains) < 10:
            assert share["suppressed"]
            assert pd.isna(share["estimate"])
            assert pd.isna(share["gains"])
        else:
            low, high = proportion_confint(gains, n, alpha=0.05, method="wilson")
            assert share["gains"] == gains
            assert (share["estimate"], share["ci_low"], share["ci_high"]) == pytest.approx(
                (gains / n, low, high)
            )
    # at least one share is hidden on its numerator here (near-everyone gained)
    hidden = table[(table["measure"] == "share_with_gain") & table["suppressed"]]
    assert len(hidden) >= 1
    # and hiding a share does not hide the group's other measures
    assert not table[table["measure"] == "mean_change_usd"]["suppressed"].any()


def test_wage_mobility_windows_of_several_quarters_and_intersections(
    engine: Engine, outcomes: pd.DataFrame, learners: pd.DataFrame
) -> None:
    pre, post = ["2023Q1", "2023Q2"], ["2025Q3", "2025Q4"]
    table = wage_mobility(engine, by="stars", intersect="gender", pre=pre, post=post)
    rows = _changes(_pairs(outcomes, learners, pre, post))
    means = table[table["measure"] == "mean_change_usd"]
    expected = rows.groupby(["stars", "gender"])["change"].agg(["mean", "size"])
    shown = means[~means["suppressed"]]
    assert len(shown) >= 4
    for record in shown.itertuples():
        mean, size = expected.loc[(record.stars, record.gender)]
        assert record.n == size
        assert record.estimate == pytest.approx(mean, rel=1e-9)
    for record in means[means["suppressed"]].itertuples():
        assert pd.isna(record.estimate)


def test_wage_mobility_matches_the_generators_pathway_gains(
    engine: Engine, outcomes: pd.DataFrame, learners: pd.DataFrame
) -> None:
    """Among learners who kept their occupation, the generator's log wage change from
    2023Q1 (t=0, before every enrolment) to 2025Q4 (t=11, after every enrolment) is
    0.0075 x 11 + pathway gain - 0.02 (age - 35) / 10 + ler_wage_log x LER + noise.
    So the mean log change of each pathway's stayers should cover that expectation,
    computed from the same stayers' ages and arms; with 8 pathways the intervals are at
    99.5% (Bonferroni-like). The two pathways with the largest true gains
    (apprenticeship 0.09, bootcamp 0.08) must also be the top two estimates."""
    truth = json.loads((PILOT / "ground_truth" / "effects.json").read_text())
    gains = truth["parameters"]["pathway_wage_gain"]
    ler_wage = truth["parameters"]["ler_wage_log"]
    table = wage_mobility(engine, by="pathway", occupation="same", confidence=0.995)
    logs = table[table["measure"] == "mean_log_change_pct"].set_index("pathway")
    rows = _changes(_pairs(outcomes, learners, ["2023Q1"], ["2025Q4"]))
    stayers = rows[rows["pre_occupation"] == rows["post_occupation"]]
    age = (2024 - stayers["birth_year"] - 35) / 10
    stayers = stayers.assign(
        expected=0.0075 * 11
        + stayers["pathway"].map(gains)
        - 0.02 * age
        + ler_wage * (stayers["cohort"] == "ler")
    )
    expected = stayers.groupby("pathway")["expected"].mean() * 100
    assert set(expected.index) == set(gains)
    for pathway, value in expected.items():
        row = logs.loc[pathway]
        assert row["n"] == (stayers["pathway"] == pathway).sum()
        assert row["ci_low"] <= value <= row["ci_high"], (pathway, value, row.to_dict())
    top_true = sorted(gains, key=gains.__getitem__, reverse=True)[:2]
    top_estimated = list(logs["estimate"].sort_values(ascending=False).index[:2])
    assert set(top_estimated) == set(top_true)


def test_approximate_median_is_close_to_the_exact_one(
    engine: Engine, outcomes: pd.DataFrame, learners: pd.DataFrame
) -> None:
    table = wage_mobility(engine, by=None, approximate=True)
    rows = _changes(_pairs(outcomes, learners, ["2023Q1"], ["2025Q4"]))
    median = table[table["measure"] == "median_change_usd"]["estimate"].iloc[0]
    exact = float(np.median(rows["change"]))
    assert abs(median - exact) <= APPROX_MEDIAN_TOLERANCE_USD
    assert table["population"].tolist() == ["all"] * 4


# -- the distribution ---------------------------------------------------------------------


def _feasible_widths(
    values: np.ndarray, hidden: np.ndarray, margins: list[np.ndarray]
) -> list[float]:
    """Range of each hidden cell given every margin total (LP, counts >= 0)."""
    index = np.flatnonzero(hidden)
    a_eq, b_eq = [], []
    for rows in margins:
        inside = [i for i, cell in enumerate(index) if cell in set(rows)]
        if inside:
            row = np.zeros(len(index))
            row[inside] = 1
            a_eq.append(row)
            b_eq.append(values[rows][hidden[rows]].sum())
    widths = []
    for i in range(len(index)):
        c = np.zeros(len(index))
        c[i] = 1
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        widths.append(-high.fun - low.fun)
    return widths


def test_wage_change_distribution_counts_and_suppression(
    engine: Engine, outcomes: pd.DataFrame, learners: pd.DataFrame
) -> None:
    table = wage_change_distribution(engine, by="stars", width=2.0)
    rows = _changes(_pairs(outcomes, learners, ["2023Q1"], ["2025Q4"]))
    x = rows["change"].to_numpy()
    low = math.floor(np.quantile(x, 0.05) / 2.0) * 2.0
    high = math.ceil(np.quantile(x, 0.95) / 2.0) * 2.0
    assert table.attrs["parameters"]["limits"] == [low, high]
    edges = np.arange(low, high + 1e-9, 2.0)
    bins = np.digitize(rows["change"], edges) - 1  # -1 below, len(edges)-1 at/above top
    rows = rows.assign(bin=bins)
    expected = rows.groupby(["stars", "bin"]).size()
    for group, part in table.groupby("stars"):
        assert len(part) == len(edges) + 1  # every bin listed, empty ones too
        values = np.array([expected.get((group, b), 0) for b in part["bin"]], dtype=float)
        shown = ~part["suppressed"].to_numpy()
        assert (part.loc[shown, "n"].to_numpy() == values[shown]).all()
        assert (values[shown] >= 10).all()
        total = (rows["stars"] == group).sum()
        assert (part.loc[shown, "group_n"] == total).all()
        assert part["estimate"][shown].to_numpy() == pytest.approx(values[shown] / total)
        # every small bin is hidden, and with the group total published none is recoverable
        assert part["suppressed"].to_numpy()[values < 10].all()
        hidden = part["suppressed"].to_numpy()
        if hidden.any():
            widths = _feasible_widths(values, hidden, [np.arange(len(values))])
            assert min(widths) > 0
    figure = wage_change_distribution_figure(table)
    assert figure.layout.title.text.startswith("Wage change")
    assert figure.layout.xaxis.title.text == "Wage change (USD per hour)"
    assert figure.layout.yaxis.title.text == "Learners (count)"
    assert "hidden" in figure.layout.title.subtitle.text
    for trace in figure.data:
        for (i,), y in zip(trace.customdata, trace.y, strict=True):
            if table.loc[i, "suppressed"]:
                assert y is None  # a gap, not a zero
            else:
                assert y == table.loc[i, "n"]


# -- transitions --------------------------------------------------------------------------


def test_occupation_transitions_match_pandas_and_protect_margins(
    engine: Engine, outcomes: pd.DataFrame, learners: pd.DataFrame
) -> None:
    flows = occupation_transitions(engine, by="stars")
    pairs = _pairs(outcomes, learners, ["2023Q1"], ["2025Q4"])
    pairs["origin"] = pairs["pre_occupation"].fillna("not_employed")
    pairs["destination"] = pairs["post_occupation"].fillna("not_employed")
    pairs["change"] = pairs["post_wage"] - pairs["pre_wage"]
    titles = pd.read_parquet(PILOT / "occupations.parquet").set_index("occupation_soc")["title"]
    for group, table in flows.groupby("stars"):
        part = pairs[pairs["stars"] == group]
        counts = part.groupby(["origin", "destination"]).size()
        values = np.array(
            [counts.get((o, d), 0) for o, d in zip(table["origin"], table["destination"], strict=True)],
            dtype=float,
        )  # fmt: skip
        states = sorted(set(pairs["origin"]) | set(pairs["destination"]))
        assert len(table) == len(states) ** 2
        hidden = table["suppressed"].to_numpy()
        assert hidden[values < 10].all()
        shown = table[~hidden]
        assert (shown["n"].to_numpy() == values[~hidden]).all()
        origin_n = part.groupby("origin").size()
        for record in shown.itertuples():
            k, n = record.n, origin_n[record.origin]
            low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
            assert (record.estimate, record.ci_low, record.ci_high) == pytest.approx(
                (k / n, low, high)
            )
            assert record.origin_n == n
            movers = part[
                (part["origin"] == record.origin) & (part["destination"] == record.destination)
            ]
            wages = movers["change"].dropna()
            assert record.wage_n == len(wages)
            if len(wages) > 1:
                assert record.wage_change == pytest.approx(wages.mean())
                ci = stats.t.interval(
                    0.95, len(wages) - 1, loc=wages.mean(), scale=stats.sem(wages)
                )
                assert (record.wage_change_low, record.wage_change_high) == pytest.approx(ci)
            if record.origin != "not_employed":
                assert record.origin_title == titles[record.origin]
        # no hidden flow is pinned by the row and column totals (nor the table's total)
        origins = table["origin"].to_numpy()
        destinations = table["destination"].to_numpy()
        margins = [np.arange(len(table))]
        margins += [np.flatnonzero(origins == s) for s in states]
        margins += [np.flatnonzero(destinations == s) for s in states]
        widths = _feasible_widths(values, hidden, margins)
        assert min(widths) > 1e-9, "a hidden flow follows from the published totals"


def test_occupation_transitions_one_group_and_figure(engine: Engine) -> None:
    flows = occupation_transitions(engine, by="stars", group=True)
    assert set(flows["stars"]) == {"true"}
    figure = occupation_transitions_figure(flows)
    sankey = figure.data[0]
    assert sankey.type == "sankey"
    assert figure.layout.title.text == (
        "Occupation transitions from 2023Q1 to 2025Q4: STARs (skilled through alternative routes)"
    )
    assert "flows left out" in figure.layout.title.subtitle.text
    drawn = [i for (i,) in sankey.link.customdata]
    assert drawn, "no flow drawn"
    assert not flows.loc[drawn, "suppressed"].any()
    assert list(sankey.link.value) == [int(v) for v in flows.loc[drawn, "n"]]
    assert min(sankey.link.value) >= 10
    expected = flows[~flows["suppressed"] & (flows["n"] > 0)]
    assert sorted(drawn) == sorted(expected.index)


def test_wage_mobility_figure(engine: Engine) -> None:
    table = wage_mobility(engine, by="pathway")
    figure = wage_mobility_figure(table)
    assert figure.layout.title.text == "Mean wage change 2023Q1 to 2025Q4, by pathway"
    assert figure.layout.yaxis.title.text == "Mean wage change (USD per hour)"
    bars = figure.data[0]
    means = table[table["measure"] == "mean_change_usd"]
    assert list(bars.y) == pytest.approx(list(means["estimate"]))
    assert bars.error_y.array is not None
    shares = wage_mobility_figure(table, "share_with_gain")
    assert shares.layout.yaxis.tickformat == ".0%"
    hidden = table[(table["measure"] == "share_with_gain")]["suppressed"].tolist()
    assert any(hidden)
    for y, gone in zip(shares.data[0].y, hidden, strict=True):
        assert (y is None) == gone
    assert "hidden" in shares.layout.title.subtitle.text
    with pytest.raises(LerkitError, match="unknown measure 'mode'"):
        wage_mobility_figure(table, "mode")


# -- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "code", "text"),
    [
        (lambda e: wage_mobility(e, by="shoe_size"), "invalid_argument", "'shoe_size'"),
        (lambda e: wage_mobility(e, pre="2019Q1"), "unknown_period", "'2019Q1'"),
        (
            lambda e: wage_mobility(e, pre="2025Q4", post="2023Q1"),
            "invalid_periods",
            "pre ['2025Q4'], post ['2023Q1']",
        ),
        (lambda e: wage_mobility(e, post=[]), "invalid_argument", "post names no period"),
        (lambda e: wage_mobility(e, cohort="nobody"), "empty_selection", "nobody was employed"),
        (lambda e: wage_mobility(e, occupation="sideways"), "invalid_argument", "'sideways'"),
        (
            lambda e: wage_change_distribution(e, width=0),
            "invalid_argument",
            "width must be a positive number, not 0",
        ),
        (
            lambda e: wage_change_distribution(e, cohort="nobody"),
            "empty_selection",
            "nobody was employed",
        ),
        (lambda e: occupation_transitions(e, by="shoe_size"), "invalid_argument", "'shoe_size'"),
        (lambda e: occupation_transitions(e, group="true"), "invalid_argument", "group needs by"),
        (
            lambda e: occupation_transitions(e, by="stars", group="maybe"),
            "empty_selection",
            "'maybe'",
        ),
        (lambda e: occupation_transitions(e, post="2030Q1"), "unknown_period", "'2030Q1'"),
    ],
)
def test_bad_input_raises_lerkit_errors(engine: Engine, call, code: str, text: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LerkitError) as caught:
        call(engine)
    assert caught.value.code == code
    assert text in str(caught.value)
