"""Pilot evaluation, power, time to employment and gap decomposition.

Every estimate is checked against an independent computation: pandas on the raw
Parquet tables for the aggregation, statsmodels / lifelines for the statistics, and the
generator's ground truth (pilot-default plus freshly synthesized seeds) for the effects.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test, multivariate_logrank_test
from lifelines.utils import median_survival_times
from scipy import stats
from statsmodels.stats.oaxaca import OaxacaBlinder
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import proportion_effectsize

import lerkit as lk
from lerkit.analysis._decomposition import design, gap_decomposition, learner_frame, oaxaca_blinder
from lerkit.analysis._engine import as_engine
from lerkit.analysis._evaluation import pilot_evaluation
from lerkit.analysis._power import detectable_effect, power_analysis
from lerkit.analysis._survival import (
    duration_counts,
    kaplan_meier,
    logrank,
    median_time,
    time_to_employment,
)
from lerkit.errors import LerkitError

DEFAULT = Path(lk.__file__).parent.parent / "datasets" / "pilot-default"


@pytest.fixture(scope="module")
def pilot() -> Any:
    return lk.datasets.load("pilot-default")


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    out = {}
    for seed in (11, 22):
        root = tmp_path_factory.mktemp("eval") / f"pilot-{seed}"
        lk.datasets.synthesize(5000, seed, root, files=False, progress=False)
        out[seed] = root
    return out


def _raw(root: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(root / f"{name}.parquet")


def _truth(root: Path) -> dict[str, Any]:
    effects: dict[str, Any] = json.loads((root / "ground_truth" / "effects.json").read_text())[
        "effects"
    ]
    return effects


def _by_measure(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index("measure")


# -- pilot evaluation ---------------------------------------------------------------------------


def _manual_panel(root: Path, *, log: bool) -> pd.DataFrame:
    """Learner means of (log) wages in 2023 (pre) and 2025 (post), pandas only."""
    out = _raw(root, "outcomes")
    out = out[out["employed"] & out["period"].str[:4].isin(["2023", "2025"])]
    out = out.assign(
        post=(out["period"].str[:4] == "2025").astype(int),
        y=np.log(out["hourly_wage"]) if log else out["hourly_wage"],
    )
    panel = out.groupby(["learner_id", "post"])["y"].mean().unstack()
    cohort = _raw(root, "learners").set_index("learner_id")["cohort"]
    return panel.join(cohort)


def test_did_is_the_manual_two_by_two_difference_of_means(pilot: Any) -> None:
    panel = _manual_panel(DEFAULT, log=True)
    balanced = panel.dropna(subset=[0, 1])
    cells = balanced.groupby("cohort")[[0, 1]].mean()
    manual = (cells.loc["ler", 1] - cells.loc["ler", 0]) - (
        cells.loc["comparison", 1] - cells.loc["comparison", 0]
    )
    table = _by_measure(pilot_evaluation(pilot, log=True))
    assert table.loc["did", "estimate"] == pytest.approx(manual, abs=1e-12)
    assert table.loc["did", "n"] == len(balanced)
    assert table.loc["did", "n_ler"] == (balanced["cohort"] == "ler").sum()
    # unbalanced: the saturated 2x2 OLS reproduces the four cell means of learner means
    pooled = _by_measure(pilot_evaluation(pilot, log=True, balanced=False))
    long = panel.melt(id_vars="cohort", value_vars=[0, 1], var_name="post").dropna()
    means = long.groupby(["cohort", "post"])["value"].mean()
    manual = (means["ler", 1] - means["ler", 0]) - (means["comparison", 1] - means["comparison", 0])
    assert pooled.loc["did", "estimate"] == pytest.approx(manual, abs=1e-12)
    # the naive contrast is the post-period difference of learner means
    post = panel.dropna(subset=[1]).groupby("cohort")[1].mean()
    assert table.loc["naive", "estimate"] == pytest.approx(post["ler"] - post["comparison"])


def test_periods_default_to_before_and_after_enrolment(pilot: Any) -> None:
    table = pilot_evaluation(pilot, outcome="employed")
    parameters = table.attrs["parameters"]
    assert parameters["pre"] == [f"2023Q{q}" for q in range(1, 5)]
    assert parameters["post"] == [f"2025Q{q}" for q in range(1, 5)]
    same = pilot_evaluation(pilot, outcome="employed", pre="2023", post=["2025"])
    pd.testing.assert_series_equal(table["estimate"], same["estimate"])
    assert set(table["measure"]) == {"naive", "did", "did_adjusted", "regression"}
    assert {"estimate", "ci_low", "ci_high", "n", "p_value", "method", "suppressed"} <= set(
        table.columns
    )


@pytest.mark.parametrize("which", ["default", 11, 22])
def test_evaluation_recovers_the_true_effects(
    pilot: Any, seeds: dict[int, Path], which: Any
) -> None:
    root = DEFAULT if which == "default" else seeds[which]
    source = pilot if which == "default" else lk.datasets.load(root)
    truth = _truth(root)
    wage = _by_measure(pilot_evaluation(source, log=True))
    true_log = truth["ler_wage_log"]["realized_att"]
    for measure in ("did_adjusted", "regression"):
        assert wage.loc[measure, "ci_low"] <= true_log <= wage.loc[measure, "ci_high"], measure
    assert wage.loc["did_adjusted", "p_value"] < 0.05
    # LER arm: more STARs, younger, more bootcamp, fewer university learners -> the naive
    # contrast is biased down (README, test_synth): its interval misses the truth
    assert wage.loc["naive", "ci_high"] < true_log
    assert wage.loc["naive", "estimate"] < wage.loc["did_adjusted", "estimate"]
    dollars = _by_measure(pilot_evaluation(source))
    true_usd = truth["ler_wage_log"]["realized_att_dollars_per_hour"]
    assert (
        dollars.loc["did_adjusted", "ci_low"] <= true_usd <= dollars.loc["did_adjusted", "ci_high"]
    )
    employed = _by_measure(pilot_evaluation(source, outcome="employed"))
    true_p = truth["ler_employment_log_odds"]["realized_att_probability"]
    for measure in ("did", "did_adjusted"):
        assert employed.loc[measure, "ci_low"] <= true_p <= employed.loc[measure, "ci_high"]


def test_evaluation_suppresses_rows_with_a_small_arm(pilot: Any) -> None:
    table = pilot_evaluation(pilot, outcome="employed", min_cell=2499)
    rows = _by_measure(table)
    # 2,504 LER and 2,496 comparison learners: only the arm sizes decide
    assert rows["suppressed"].all()
    assert rows[["estimate", "ci_low", "ci_high", "p_value", "n_ler"]].isna().all().all()
    assert not pilot_evaluation(pilot, outcome="employed", min_cell=2496)["suppressed"].any()


def test_evaluation_rejects_bad_arguments(pilot: Any) -> None:
    with pytest.raises(LerkitError, match="log=True applies to outcome='hourly_wage' only"):
        pilot_evaluation(pilot, outcome="employed", log=True)
    with pytest.raises(LerkitError, match=r"pre and post share periods \['2024Q1'\]"):
        pilot_evaluation(pilot, pre=["2023", "2024Q1"], post=["2024Q1", "2025"])
    with pytest.raises(LerkitError, match="no outcomes in period '2031'"):
        pilot_evaluation(pilot, post="2031")
    with pytest.raises(LerkitError, match="learners has no column 'shoe_size'"):
        pilot_evaluation(pilot, covariates=["shoe_size"])


# -- power --------------------------------------------------------------------------------------


def test_sample_size_matches_statsmodels_and_the_normal_formula() -> None:
    row = power_analysis(effect=0.05, outcome="proportion", baseline=0.74, ratio=1.5).iloc[0]
    h = proportion_effectsize(0.79, 0.74)
    exact = NormalIndPower().solve_power(effect_size=h, alpha=0.05, power=0.8, ratio=1.5)
    assert row["n_ler"] == math.ceil(exact)
    assert row["n_comparison"] == pytest.approx(1.5 * row["n_ler"])
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    assert exact == pytest.approx(z**2 * (1 + 1 / 1.5) / h**2, rel=1e-3)
    mean = power_analysis(effect=1.5, outcome="mean", sd=8.0).iloc[0]
    exact = TTestIndPower().solve_power(effect_size=1.5 / 8, alpha=0.05, power=0.8)
    assert mean["n_ler"] == math.ceil(exact)
    assert exact == pytest.approx(2 * z**2 / (1.5 / 8) ** 2, rel=0.01)  # t vs normal


def test_detectable_effect_and_power_round_trip() -> None:
    row = power_analysis(n=2500, outcome="mean", sd=0.3).iloc[0]
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    assert row["effect"] == pytest.approx(z * 0.3 * math.sqrt(2 / 2500), rel=1e-3)
    back = power_analysis(effect=row["effect"], n=2500, power=None, outcome="mean", sd=0.3)
    assert back["power"].iloc[0] == pytest.approx(0.8, abs=1e-6)
    p = power_analysis(n=1000, outcome="proportion", baseline=0.6).iloc[0]
    h = proportion_effectsize(0.6 + p["effect"], 0.6)
    assert h == pytest.approx(z * math.sqrt(2 / 1000), rel=1e-3)
    with pytest.raises(LerkitError, match="give exactly two of effect, n and power"):
        power_analysis(effect=0.1, n=100, outcome="mean", sd=1.0)
    with pytest.raises(LerkitError, match="needs baseline in"):
        power_analysis(effect=0.1)


def test_this_pilots_minimum_detectable_effect(pilot: Any) -> None:
    panel = _manual_panel(DEFAULT, log=True).dropna(subset=[1])
    arms = panel.groupby("cohort")[1].agg(["count", "var"])
    n1, n2 = arms.loc["ler", "count"], arms.loc["comparison", "count"]
    sd = math.sqrt(
        ((n1 - 1) * arms.loc["ler", "var"] + (n2 - 1) * arms.loc["comparison", "var"])
        / (n1 + n2 - 2)
    )
    es = TTestIndPower().solve_power(nobs1=n1, ratio=n2 / n1, alpha=0.05, power=0.8)
    row = detectable_effect(pilot, "hourly_wage", log=True).iloc[0]
    assert row["n_ler"] == n1
    assert row["n_comparison"] == pytest.approx(n2)
    assert row["sd"] == pytest.approx(sd)
    assert row["effect"] == pytest.approx(es * sd)
    # a naive post-period comparison of this pilot cannot resolve the 0.06 log-point effect
    # from zero with much room: the MDE is of the same order
    assert 0.02 < row["effect"] < 0.06
    employed = detectable_effect(pilot, "employed").iloc[0]
    assert 0 < employed["effect"] < 0.06
    assert 0.6 < employed["baseline"] < 0.9


# -- time to employment --------------------------------------------------------------------------


def _manual_durations(root: Path, by: str | None, start_at: str = "credential") -> pd.DataFrame:
    learners = _raw(root, "learners").set_index("learner_id")
    if start_at == "credential":
        creds = _raw(root, "credentials").join(learners["enrolled_on"], on="learner_id")
        creds = creds[creds["issued_on"] >= creds["enrolled_on"]]
        start = pd.to_datetime(creds.groupby("learner_id")["issued_on"].min())
    else:
        start = pd.to_datetime(learners["enrolled_on"])
    start_q = start.dt.year * 4 + (start.dt.month - 1) // 3
    out = _raw(root, "outcomes")
    out["q"] = out["period"].str[:4].astype(int) * 4 + out["period"].str[5].astype(int) - 1
    last = out["q"].max()
    employed = out[out["employed"]].join(start_q.rename("start_q"), on="learner_id", how="inner")
    first = employed[employed["q"] > employed["start_q"]].groupby("learner_id")["q"].min()
    frame = pd.DataFrame({"start_q": start_q}).join(first.rename("first"))
    frame["event"] = frame["first"].notna().astype(int)
    frame["duration"] = frame["first"].fillna(last) - frame["start_q"]
    frame = frame[frame["duration"] > 0]
    if by is None:
        return frame.assign(group="all")
    return frame.join(learners[by].astype(str).str.lower().rename("group"))


# lifelines' log-rank calls pandas in a way pandas 3 warns about (not ours)
LIFELINES_PANDAS = "ignore:Starting with pandas version 4.0:pandas.errors.Pandas4Warning"


@pytest.mark.filterwarnings(LIFELINES_PANDAS)
def test_kaplan_meier_matches_lifelines(pilot: Any) -> None:
    manual = _manual_durations(DEFAULT, "pathway")
    table = time_to_employment(pilot, by="pathway", min_cell=1)
    for group, rows in manual.groupby("group"):
        kmf = KaplanMeierFitter().fit(rows["duration"], rows["event"])
        mine = table[(table["group"] == group) & (table["measure"] == "survival")]
        times = mine["time"].to_numpy()
        expected = kmf.survival_function_.loc[times].iloc[:, 0].to_numpy()
        np.testing.assert_allclose(mine["estimate"], expected, rtol=1e-10)
        bounds = kmf.confidence_interval_.loc[times].to_numpy()
        np.testing.assert_allclose(mine["ci_low"], bounds[:, 0], rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(mine["ci_high"], bounds[:, 1], rtol=1e-8, atol=1e-12)
        median = table[(table["group"] == group) & (table["measure"] == "median")].iloc[0]
        assert median["estimate"] == kmf.median_survival_time_
        ci = median_survival_times(kmf.confidence_interval_).iloc[0]
        assert (median["ci_low"], median["ci_high"]) == (ci.iloc[0], ci.iloc[1])
        assert median["n"] == len(rows)
    test = multivariate_logrank_test(manual["duration"], manual["group"], manual["event"])
    row = table[table["measure"] == "logrank"].iloc[0]
    assert row["estimate"] == pytest.approx(test.test_statistic, rel=1e-8)
    assert row["p_value"] == pytest.approx(test.p_value, rel=1e-6)
    assert row["df"] == manual["group"].nunique() - 1


@pytest.mark.filterwarnings(LIFELINES_PANDAS)
def test_two_group_logrank_and_a_toy_curve(pilot: Any) -> None:
    manual = _manual_durations(DEFAULT, "cohort")
    counts = duration_counts(as_engine(pilot), by="cohort")
    ler, comp = manual[manual["group"] == "ler"], manual[manual["group"] == "comparison"]
    test = logrank_test(ler["duration"], comp["duration"], ler["event"], comp["event"])
    statistic, df, p_value = logrank(counts)
    assert (statistic, df) == (pytest.approx(test.test_statistic, rel=1e-8), 1)
    assert p_value == pytest.approx(test.p_value, rel=1e-6)
    # a toy curve whose median falls at three quarters, against lifelines
    toy = pd.DataFrame({"duration": [1, 2, 3, 4], "events": [3, 4, 2, 1], "censored": [1, 2, 0, 2]})
    curve = kaplan_meier(toy)
    durations = np.repeat(toy["duration"], toy["events"] + toy["censored"])
    observed = np.concatenate(
        [[1] * e + [0] * c for e, c in zip(toy["events"], toy["censored"], strict=True)]
    )
    kmf = KaplanMeierFitter().fit(durations, observed)
    np.testing.assert_allclose(curve["survival"], kmf.survival_function_.iloc[1:, 0])
    np.testing.assert_allclose(curve[["ci_low", "ci_high"]], kmf.confidence_interval_.iloc[1:])
    assert median_time(curve) == (3.0, *median_survival_times(kmf.confidence_interval_).iloc[0])
    assert kmf.median_survival_time_ == 3


@pytest.mark.parametrize(("by", "start_at"), [(None, "credential"), ("stars", "enrolment")])
def test_other_groupings_and_clock_starts(pilot: Any, by: str | None, start_at: str) -> None:
    manual = _manual_durations(DEFAULT, by, start_at)
    table = time_to_employment(pilot, by=by, start=start_at, min_cell=1)
    assert table.attrs["parameters"]["start"] == start_at
    for group, rows in manual.groupby("group"):
        kmf = KaplanMeierFitter().fit(rows["duration"], rows["event"])
        mine = table[(table["group"] == group) & (table["measure"] == "survival")]
        expected = kmf.survival_function_.loc[mine["time"].to_numpy()].iloc[:, 0]
        np.testing.assert_allclose(mine["estimate"], expected, rtol=1e-10)
        assert mine["n"].iloc[0] == len(rows)
    assert (table["measure"] == "logrank").sum() == (0 if by is None else 1)


def test_small_groups_and_thin_tails_are_suppressed(pilot: Any) -> None:
    table = time_to_employment(pilot, by="pathway", min_cell=300)
    sizes = _manual_durations(DEFAULT, "pathway")["group"].value_counts()
    small = set(sizes[sizes < 300].index)
    assert small == {"military"}
    rows = table[table["group"].isin(small)]
    assert rows["suppressed"].all()
    assert rows["estimate"].isna().all()
    survival = table[(table["measure"] == "survival") & ~table["group"].isin(small)]
    full = time_to_employment(pilot, by="pathway", min_cell=1)
    at_risk = full.set_index(["group", "measure", "time"])["n"]
    thin = (
        at_risk.loc[
            [(g, "survival", t) for g, t in zip(survival["group"], survival["time"], strict=True)]
        ].to_numpy()
        < 300
    )
    assert thin.any()
    assert survival.loc[thin, "suppressed"].all()
    assert survival.loc[thin, "estimate"].isna().all()
    assert not survival.loc[~thin, "suppressed"].any()
    # the censored count just before a hidden tail would give the tail's at-risk away
    for _group, curve in survival.groupby("group"):
        shown = curve[~curve["suppressed"]]
        if curve["suppressed"].any():
            assert shown["censored"].iloc[:-1].notna().all()
            assert np.isnan(shown["censored"].iloc[-1])
    logrank_row = table[table["measure"] == "logrank"].iloc[0]
    assert logrank_row["df"] == len(sizes) - 1 - len(small)


# -- gap decomposition --------------------------------------------------------------------------


def test_decomposition_matches_statsmodels_and_two_ols_fits(pilot: Any) -> None:
    engine = as_engine(pilot)
    explanatory = ["credentials_count", "has_ler", "pathway", "highest_education", "age"]
    periods = [f"2025Q{q}" for q in range(1, 5)]
    frame = learner_frame(engine, group="race_ethnicity", explanatory=explanatory, periods=periods)
    table = _by_measure(
        oaxaca_blinder(
            frame,
            outcome="y",
            group="race_ethnicity",
            reference="white",
            comparison="black",
            explanatory=explanatory,
            n_boot=0,
        )
    )
    data = frame[frame["race_ethnicity"].isin(["white", "black"])].reset_index(drop=True)
    x, _owners = design(data, explanatory)
    exog = x.assign(cmp=(data["race_ethnicity"] == "black").astype(float))
    ob = OaxacaBlinder(data["y"], exog, "cmp", hasconst=True, swap=False)
    unexplained, explained, gap = ob.two_fold(two_fold_type="pooled").params
    assert table.loc["gap", "estimate"] == pytest.approx(gap, abs=1e-12)
    assert table.loc["explained", "estimate"] == pytest.approx(explained, abs=1e-10)
    assert table.loc["unexplained", "estimate"] == pytest.approx(unexplained, abs=1e-10)
    endow, coef, inter, _gap = ob.three_fold().params
    assert table.loc["endowments", "estimate"] == pytest.approx(endow, abs=1e-10)
    assert table.loc["coefficients", "estimate"] == pytest.approx(coef, abs=1e-10)
    assert table.loc["interaction", "estimate"] == pytest.approx(inter, abs=1e-10)
    # manual: two OLS fits, endowments at the comparison group's coefficients
    white, black = data["race_ethnicity"] == "white", data["race_ethnicity"] == "black"
    b_black = sm.OLS(data.loc[black, "y"], x[black]).fit().params
    b_white = sm.OLS(data.loc[white, "y"], x[white]).fit().params
    delta = x[white].mean() - x[black].mean()
    assert table.loc["endowments", "estimate"] == pytest.approx(delta @ b_black, abs=1e-10)
    assert table.loc["coefficients", "estimate"] == pytest.approx(
        x[black].mean() @ (b_white - b_black), abs=1e-10
    )
    parts = table.loc[[m for m in table.index if m.startswith("explained:")], "estimate"]
    assert parts.sum() == pytest.approx(table.loc["explained", "estimate"], abs=1e-12)


def test_decomposition_finds_a_planted_gap() -> None:
    rng = np.random.default_rng(5)
    n = 1500
    group = np.repeat(["a", "b"], n)
    credentials = np.r_[rng.poisson(3.0, n), rng.poisson(1.5, n)].astype(float)
    noise = rng.normal(0, 0.1, 2 * n)
    y = 2.5 + 0.05 * credentials + np.where(group == "a", 0.04, 0.0) + noise
    frame = pd.DataFrame({"g": group, "credentials_count": credentials, "y": y})
    table = _by_measure(
        oaxaca_blinder(
            frame,
            outcome="y",
            group="g",
            reference="a",
            comparison="b",
            explanatory=["credentials_count"],
            n_boot=200,
            random_state=1,
        )
    )
    true_explained = 0.05 * (credentials[:n].mean() - credentials[n:].mean())
    for measure, value in (("explained", true_explained), ("unexplained", 0.04)):
        assert table.loc[measure, "ci_low"] <= value <= table.loc[measure, "ci_high"], measure
    assert table.loc["explained:credentials_count", "share_of_gap"] == pytest.approx(
        table.loc["explained", "share_of_gap"]
    )
    again = oaxaca_blinder(
        frame,
        outcome="y",
        group="g",
        reference="a",
        comparison="b",
        explanatory=["credentials_count"],
        n_boot=200,
        random_state=1,
    )
    assert again["ci_low"].tolist() == table["ci_low"].tolist()


def test_gap_decomposition_on_the_pilot(pilot: Any) -> None:
    table = gap_decomposition(pilot, n_boot=100)
    rows = _by_measure(table)
    assert rows.loc["gap", "n_reference"] > rows.loc["gap", "n_comparison"] > 100
    assert not table["suppressed"].any()
    assert (table["ci_low"] <= table["estimate"]).all()
    assert (table["estimate"] <= table["ci_high"]).all()
    # the generator draws race independently of wages: no gap to explain
    assert rows.loc["gap", "ci_low"] < 0 < rows.loc["gap", "ci_high"]
    assert table.attrs["parameters"]["interval"].startswith("bootstrap")
    with pytest.raises(LerkitError, match="give reference= and comparison= for 'region'"):
        gap_decomposition(pilot, group="region")


def test_power_analysis_accepts_statsmodels_one_element_arrays() -> None:
    # statsmodels' root finder returns a 1-element array for these arguments
    from statsmodels.stats.power import TTestIndPower  # type: ignore[import-untyped]

    from lerkit.analysis import power_analysis

    solved = power_analysis(n=2222, effect=None, power=0.8, outcome="mean", sd=18.0, ratio=0.992323)
    expected = TTestIndPower().solve_power(
        effect_size=None, nobs1=2222, alpha=0.05, power=0.8, ratio=0.992323
    )
    expected_effect = float(np.asarray(expected).reshape(-1)[0]) * 18.0
    assert abs(float(solved["effect"].iloc[0]) - expected_effect) < 1e-9


def test_detectable_effect_refuses_arms_too_small_to_publish() -> None:
    from lerkit.analysis import detectable_effect
    from lerkit.errors import LerkitError

    pilot = lk.datasets.load("pilot-default")
    published = detectable_effect(pilot, min_cell=1).iloc[0]
    smallest = int(min(published["n_ler"], published["n_comparison"]))
    assert smallest > 1000
    # below the arm size: published as before
    assert len(detectable_effect(pilot, min_cell=smallest)) == 1
    with pytest.raises(LerkitError, match="arm has fewer than") as caught:
        detectable_effect(pilot, min_cell=smallest + 1)
    assert caught.value.code == "small_cell"
