"""Differential privacy: noise of the scale OpenDP certifies, and a budget that holds.

The noise checks draw thousands of releases and compare them, by chi-square and
Kolmogorov-Smirnov tests at a fixed significance (0.001), with distributions written
here from their formulas (discrete Laplace: P(k) ∝ exp(-|k| / scale); Laplace from
scipy). Each check also shows that it rejects a scale 30% off, so it can fail.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import lerkit.anonymize._dp as dpmod
from lerkit.anonymize._dp import PrivacyBudget, dp_count, dp_mean, dp_table
from lerkit.errors import LerkitError, PrivacyError

ALPHA = 0.001


def _discrete_laplace_pmf(k: np.ndarray, scale: float) -> np.ndarray:
    q = math.exp(-1.0 / scale)
    return (1 - q) / (1 + q) * q ** np.abs(k)


def _chisquare_p(noise: np.ndarray, scale: float) -> float:
    """Goodness of fit of integer noise to the discrete Laplace of ``scale``."""
    # one bin per integer while the expected count is at least 5, the tails pooled
    support = np.arange(-200, 201)
    expected = _discrete_laplace_pmf(support, scale) * len(noise)
    inside = support[expected >= 5]
    low, high = inside.min(), inside.max()
    observed = [np.sum(noise < low)] + [np.sum(noise == k) for k in inside]
    observed.append(np.sum(noise > high))
    probs = _discrete_laplace_pmf(inside, scale)
    tail = (1 - probs.sum()) / 2
    expected_counts = np.concatenate([[tail], probs, [tail]]) * len(noise)
    return float(stats.chisquare(observed, expected_counts).pvalue)


def _discrete_laplace_variance(scale: float) -> float:
    q = math.exp(-1.0 / scale)
    return 2 * q / (1 - q) ** 2


# -- counts -----------------------------------------------------------------------------------


def test_count_noise_is_discrete_laplace_of_the_certified_scale() -> None:
    people = pd.DataFrame({"id": range(137)})
    epsilon, draws = 0.5, 2000
    budget = PrivacyBudget(epsilon=epsilon * draws)
    released = np.array(
        [dp_count(people, epsilon=epsilon, budget=budget, label=f"draw {i}") for i in range(draws)]
    )
    noise = released - len(people)
    ledger = budget.ledger
    assert (ledger["mechanism"] == "discrete Laplace").all()
    scale = ledger["scale"].iloc[0][0]
    # the scale recorded is the one the epsilon calls for: sensitivity 1 / epsilon
    assert scale == pytest.approx(1 / epsilon, rel=1e-6)
    assert scale >= 1 / epsilon  # never less noise than the guarantee needs
    assert _chisquare_p(noise, scale) > ALPHA
    assert _chisquare_p(noise, scale * 1.3) < ALPHA  # the test can tell a wrong scale
    # unbiased, with the variance of the distribution
    sd = math.sqrt(_discrete_laplace_variance(scale))
    assert abs(noise.mean()) < 4 * sd / math.sqrt(draws)
    assert np.var(noise) == pytest.approx(sd**2, rel=0.15)
    assert budget.spent == pytest.approx(epsilon * draws)


def test_table_noise_per_cell_and_parallel_composition() -> None:
    rng = np.random.default_rng(1)
    people = pd.DataFrame(
        {"g": rng.choice(["a", "b", "c"], 400), "v": rng.choice([True, False], 400).astype(object)}
    )
    people.loc[:9, "v"] = None
    categories = {"g": ["a", "b", "c"], "v": [True, False, None]}
    truth = (
        people.assign(v=people["v"].map({True: "true", False: "false"}).fillna("not_reported"))
        .groupby(["g", "v"])
        .size()
    )
    epsilon, draws = 1.0, 400
    budget = PrivacyBudget(epsilon=epsilon * draws)
    noise = []
    true = None
    for i in range(draws):
        table = dp_table(
            people, ["g", "v"], categories=categories, epsilon=epsilon, budget=budget, label=str(i)
        )
        if true is None:
            assert len(table) == 9  # every combination, empty ones too
            cells = list(zip(table["g"], table["v"], strict=True))
            true = np.array([truth.get(cell, 0) for cell in cells])
        noise.extend((table["n"].to_numpy(dtype=int) - true).tolist())
    # one epsilon per table, not one per cell
    assert budget.spent == pytest.approx(epsilon * draws)
    assert table.attrs["dp"]["scale"] == pytest.approx(1 / epsilon)
    assert _chisquare_p(np.array(noise), 1 / epsilon) > ALPHA
    assert _chisquare_p(np.array(noise), 1.3 / epsilon) < ALPHA


def test_table_leaves_out_values_outside_the_categories() -> None:
    people = pd.DataFrame({"g": ["a"] * 50 + ["zzz"] * 5000})
    budget = PrivacyBudget(epsilon=10.0)
    table = dp_table(people, "g", categories={"g": ["a"]}, epsilon=10.0, budget=budget)
    assert table["g"].tolist() == ["a"]
    assert abs(int(table["n"].iloc[0]) - 50) < 10  # scale 0.1: far from 5,050


# -- means ------------------------------------------------------------------------------------


def test_mean_is_centred_with_the_spread_its_two_mechanisms_give() -> None:
    rng = np.random.default_rng(7)
    wages = pd.DataFrame({"wage": rng.uniform(10, 50, 250)})
    lower, upper = 0.0, 60.0
    epsilon, draws = 1.0, 1000
    budget = PrivacyBudget(epsilon=epsilon * draws)
    released = np.array(
        [
            dp_mean(
                wages, "wage", bounds=(lower, upper), epsilon=epsilon, budget=budget, label=str(i)
            )
            for i in range(draws)
        ]
    )
    count_scale, sum_scale = budget.ledger["scale"].iloc[0]
    # half the epsilon each: count sensitivity 1, sum sensitivity max(|lower|, |upper|)
    assert count_scale == pytest.approx(1 / (epsilon / 2), rel=1e-6)
    assert sum_scale == pytest.approx(upper / (epsilon / 2), rel=1e-6)
    n, true_mean = len(wages), float(wages["wage"].mean())
    # delta method for (S + e_s) / (n + e_c)
    var = (2 * sum_scale**2 + true_mean**2 * _discrete_laplace_variance(count_scale)) / n**2
    assert abs(released.mean() - true_mean) < 4 * math.sqrt(var / draws)
    assert np.var(released) == pytest.approx(var, rel=0.25)


def test_mean_clamps_to_the_bounds() -> None:
    high = pd.Series([500.0] * 2000, name="wage")
    budget = PrivacyBudget(epsilon=5.0)
    released = dp_mean(high, bounds=(0.0, 40.0), epsilon=5.0, budget=budget)
    assert 39.0 < released <= 40.0


def test_sum_noise_is_laplace_of_the_certified_scale() -> None:
    # the sum mechanism dp_mean uses, on its own: KS test against scipy's Laplace
    values = [3.0, 9.5, 14.0] * 20
    measurement, scale = dpmod._calibrate(
        lambda s: (
            (
                dpmod.dp.vector_domain(dpmod.dp.atom_domain(T=float, nan=False)),
                dpmod.dp.symmetric_distance(),
            )
            >> dpmod.dp.t.then_clamp((0.0, 10.0))
            >> dpmod.dp.t.then_sum()
            >> dpmod.dp.m.then_laplace(s)
        ),
        10.0,
        0.8,
    )
    assert measurement.map(1) <= 0.8
    assert scale == pytest.approx(10.0 / 0.8, rel=1e-6)
    true = sum(min(v, 10.0) for v in values)
    noise = np.array([measurement(values) for _ in range(3000)]) - true
    assert stats.kstest(noise, stats.laplace(scale=scale).cdf).pvalue > ALPHA
    assert stats.kstest(noise, stats.laplace(scale=scale * 1.3).cdf).pvalue < ALPHA


# -- the budget ---------------------------------------------------------------------------------


def test_budget_refuses_beyond_epsilon_and_releases_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people = pd.DataFrame({"id": range(100)})
    budget = PrivacyBudget(epsilon=1.0)
    dp_count(people, epsilon=0.6, budget=budget)
    before = budget.ledger.copy()
    calls = []
    original = dpmod._count_measurement
    monkeypatch.setattr(dpmod, "_count_measurement", lambda s: calls.append(s) or original(s))
    with pytest.raises(PrivacyError, match=r"would spend epsilon=0\.5 but only 0\.4") as err:
        dp_count(people, epsilon=0.5, budget=budget, label="second")
    assert err.value.code == "budget_exceeded"
    with pytest.raises(PrivacyError, match="nothing was released"):
        dp_mean(people, "id", bounds=(0, 100), epsilon=0.5, budget=budget)
    assert calls == []  # no mechanism was even built
    pd.testing.assert_frame_equal(budget.ledger, before)
    assert budget.spent == pytest.approx(0.6)
    # what is left can still be spent, to the last bit
    dp_count(people, epsilon=0.4, budget=budget, label="third")
    assert budget.remaining == pytest.approx(0.0)


def test_many_small_releases_fit_exactly() -> None:
    people = pd.DataFrame({"id": range(50)})
    budget = PrivacyBudget(epsilon=1.0)
    for i in range(10):
        dp_count(people, epsilon=0.1, budget=budget, label=str(i))
    assert len(budget.records) == 10
    with pytest.raises(PrivacyError):
        dp_count(people, epsilon=1e-6, budget=budget, label="one more")


def test_repeated_query_gives_the_same_release_without_spending() -> None:
    people = pd.DataFrame({"id": range(80)})
    budget = PrivacyBudget(epsilon=1.0)
    first = dp_count(people, epsilon=0.5, budget=budget)
    again = dp_count(people, epsilon=0.5, budget=budget)
    assert again == first
    assert budget.spent == pytest.approx(0.5)
    assert budget.ledger["replayed"].tolist() == [False, True]


def test_store_makes_a_report_reproducible(tmp_path) -> None:
    store = tmp_path / "releases.json"
    people = pd.DataFrame({"g": ["a", "b"] * 60, "w": np.linspace(10, 30, 120)})
    categories = {"g": ["a", "b"]}
    budget = PrivacyBudget(epsilon=2.0, store=store)
    c = dp_count(people, epsilon=0.5, budget=budget)
    m = dp_mean(people, "w", bounds=(0, 50), epsilon=0.5, budget=budget)
    t = dp_table(people, "g", categories=categories, epsilon=0.5, budget=budget)
    saved = json.loads(store.read_text())
    assert [r["query"] for r in saved["releases"]] == ["count", "mean", "table"]
    assert "g" not in store.read_text().split('"parameters"')[0]  # no data, only digests
    rerun = PrivacyBudget(epsilon=2.0, store=store)
    assert rerun.spent == pytest.approx(1.5)
    assert dp_count(people, epsilon=0.5, budget=rerun) == c
    assert dp_mean(people, "w", bounds=(0, 50), epsilon=0.5, budget=rerun) == m
    pd.testing.assert_frame_equal(
        dp_table(people, "g", categories=categories, epsilon=0.5, budget=rerun), t
    )
    assert rerun.spent == pytest.approx(1.5)
    # changed data is a new release: it spends
    dp_count(people.iloc[1:], epsilon=0.5, budget=rerun)
    assert rerun.spent == pytest.approx(2.0)
    with pytest.raises(PrivacyError, match=r"belongs to a budget of epsilon=2\.0") as err:
        PrivacyBudget(epsilon=3.0, store=store)
    assert err.value.code == "store_mismatch"


def test_provenance_and_ledger_columns() -> None:
    budget = PrivacyBudget(epsilon=1.0)
    dp_count(pd.DataFrame({"id": range(30)}), epsilon=0.25, budget=budget, label="learners")
    assert budget.provenance() == {
        "epsilon_budget": 1.0,
        "delta_budget": 0.0,
        "epsilon_spent": 0.25,
        "delta_spent": 0.0,
        "releases": 1,
    }
    row = budget.ledger.iloc[0]
    assert row["label"] == "learners"
    assert row["sensitivity"] == (1.0,)
    assert isinstance(budget.records[0].value, int)


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("epsilon", [-1.0, 0.0, math.nan, math.inf, True, "1"])
def test_bad_epsilon(epsilon: object) -> None:
    budget = PrivacyBudget(epsilon=1.0)
    with pytest.raises(LerkitError, match="epsilon must be a positive finite number") as err:
        dp_count(pd.DataFrame({"id": [1]}), epsilon=epsilon, budget=budget)  # type: ignore[arg-type]
    assert err.value.code == "invalid_epsilon"
    with pytest.raises(LerkitError) as err:
        PrivacyBudget(epsilon=epsilon)  # type: ignore[arg-type]
    assert err.value.code == "invalid_budget"
    assert budget.records == ()


def test_bad_bounds_empty_data_and_missing_categories() -> None:
    budget = PrivacyBudget(epsilon=1.0)
    wages = pd.DataFrame({"wage": [10.0, 20.0]})
    with pytest.raises(LerkitError, match=r"lower < upper, not \(50.0, 10.0\)") as err:
        dp_mean(wages, "wage", bounds=(50.0, 10.0), epsilon=0.5, budget=budget)
    assert err.value.code == "invalid_bounds"
    with pytest.raises(LerkitError, match="two numbers") as err:
        dp_mean(wages, "wage", bounds=(1.0,), epsilon=0.5, budget=budget)  # type: ignore[arg-type]
    assert err.value.code == "invalid_bounds"
    with pytest.raises(LerkitError, match="the data is empty") as err:
        dp_count(wages.iloc[:0], epsilon=0.5, budget=budget)
    assert err.value.code == "empty_data"
    with pytest.raises(LerkitError, match="the data is empty"):
        dp_mean(wages.iloc[:0], "wage", bounds=(0, 1), epsilon=0.5, budget=budget)
    with pytest.raises(LerkitError, match="no column 'salary'"):
        dp_mean(wages, "salary", bounds=(0, 1), epsilon=0.5, budget=budget)
    with pytest.raises(LerkitError, match="no categories for 'wage'") as err:
        dp_table(wages, "wage", categories={}, epsilon=0.5, budget=budget)
    assert err.value.code == "missing_categories"
    with pytest.raises(LerkitError, match="delta must be in"):
        PrivacyBudget(epsilon=1.0, delta=1.5)
    assert budget.spent == 0.0
