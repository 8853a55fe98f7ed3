"""Analyses 13 (learner_profile) and 14 (process_efficiency) against pandas/scipy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import lerkit as lk
from lerkit.analysis._efficiency import median_interval, process_efficiency
from lerkit.analysis._profile import LearnerProfile, learner_profile
from lerkit.errors import LerkitError


@pytest.fixture(scope="module")
def dataset() -> lk.datasets.Dataset:
    return lk.datasets.load("pilot-default")


def _faulty_learner(dataset: lk.datasets.Dataset) -> str:
    """A learner holding a credential file with a planted fault (and others)."""
    faults = pd.read_csv(Path(dataset.path) / "ground_truth" / "credential_faults.csv")
    creds = dataset.table("credentials").dropna(subset=["file"])
    creds = creds[creds["credential_id"].isin(faults["credential_id"])]
    counts = dataset.table("credentials").groupby("learner_id").size()
    ranked = counts.loc[creds["learner_id"].unique()].sort_values(ascending=False, kind="stable")
    return str(ranked.index[0])


def test_profile_credentials_and_verdicts(dataset: lk.datasets.Dataset) -> None:
    lid = _faulty_learner(dataset)
    profile = learner_profile(dataset, lid)
    assert isinstance(profile, LearnerProfile)
    assert profile.learner_id == lid
    creds = dataset.table("credentials")
    mine = creds[creds["learner_id"] == lid]
    got = profile.credentials
    assert sorted(got["credential_id"]) == sorted(mine["credential_id"])
    merged = got.merge(mine, on="credential_id", suffixes=("", "_x"))
    for column in ("achievement_id", "issuer_id", "file"):
        assert merged[column].fillna("").tolist() == merged[f"{column}_x"].fillna("").tolist()
    assert (merged["issued_on"] == merged["issued_on_x"]).all()
    names = dataset.table("achievements").set_index("achievement_id")["name"]
    assert got["achievement_name"].tolist() == names.loc[got["achievement_id"]].tolist()
    assert {"name", "email"}.isdisjoint(got.columns)
    faults = pd.read_csv(Path(dataset.path) / "ground_truth" / "credential_faults.csv")
    planted = dict(zip(faults["credential_id"], faults["fault"], strict=True))
    expected = {"tampered": "not_verified", "revoked": "not_verified"}
    expected |= {"suspended": "not_verified", "expired": "warning"}
    with_file = got.dropna(subset=["file"])
    assert len(with_file) >= 1
    assert any(c in planted for c in with_file["credential_id"])
    for row in with_file.itertuples():
        assert row.verdict == expected.get(planted.get(row.credential_id, ""), "verified")
    assert got.loc[got["file"].isna(), "verdict"].isna().all()


def test_profile_skills_and_opportunities(dataset: lk.datasets.Dataset) -> None:
    lid = _faulty_learner(dataset)
    profile = learner_profile(dataset, lid, verify=False)
    held = dataset.table("credentials").query("learner_id == @lid")["achievement_id"]
    al = dataset.table("alignments")
    skills = set(al[al["achievement_id"].isin(held)]["target_code"])
    assert set(profile.skills["target_code"]) == skills
    assert profile.skills["target_code"].is_unique
    postings = dataset.table("postings").copy()
    req = postings["required_skills"].map(lambda v: set(v) if v is not None else set())
    postings["coverage"] = [len(r & skills) / len(r) if r else np.nan for r in req]
    match = postings[postings["coverage"] >= 0.5].sort_values(
        ["coverage", "wage", "posting_id"], ascending=[False, False, True]
    )
    expected = match.head(10)
    assert profile.opportunities["posting_id"].tolist() == expected["posting_id"].tolist()
    assert np.allclose(profile.opportunities["coverage"], expected["coverage"])
    assert (profile.opportunities["coverage"] >= 0.5).all()


def test_profile_errors(dataset: lk.datasets.Dataset) -> None:
    with pytest.raises(LerkitError):
        learner_profile(dataset, "no-such-learner")
    with pytest.raises(LerkitError):
        learner_profile(dataset, "x", qualified_share=0)


def test_median_interval_order_statistic() -> None:
    x = np.arange(1, 101, dtype=float)
    low = int(stats.binom.ppf(0.025, 100, 0.5))
    assert median_interval(x) == (x[low - 1], x[100 - low])
    assert 1 - 2 * stats.binom.cdf(low - 1, 100, 0.5) >= 0.95
    assert all(np.isnan(median_interval([1.0, 2.0, 3.0])))


@pytest.fixture(scope="module")
def checks(dataset: lk.datasets.Dataset) -> pd.DataFrame:
    apps = dataset.table("applications")
    return apps.dropna(subset=["check_days", "credential_check"])


def test_efficiency_against_scipy(dataset: lk.datasets.Dataset, checks: pd.DataFrame) -> None:
    result = process_efficiency(dataset)
    assert result.attrs["analysis"] == "process_efficiency"
    row = result.set_index(["credential_check", "measure"])
    arms = {}
    for check in ("ler", "manual"):
        sub = checks[checks["credential_check"] == check]
        x = sub["check_days"].to_numpy(float)
        arms[check] = x
        mean = row.loc[(check, "mean_check_days")]
        assert mean["n"] == len(x)
        assert mean["hires"] == int(sub["hired"].sum())
        assert np.isclose(mean["estimate"], x.mean())
        lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
        assert np.isclose(mean["ci_low"], lo)
        assert np.isclose(mean["ci_high"], hi)
        med = row.loc[(check, "median_check_days")]
        assert np.isclose(med["estimate"], np.median(x))
        assert med["ci_low"] <= np.median(x) <= med["ci_high"]
    test = stats.ttest_ind(arms["manual"], arms["ler"], equal_var=False)
    ci = test.confidence_interval(0.95)
    diff = row.loc[("manual - ler", "difference_in_means")]
    assert np.isclose(diff["estimate"], arms["manual"].mean() - arms["ler"].mean())
    assert np.isclose(diff["ci_low"], ci.low)
    assert np.isclose(diff["ci_high"], ci.high)
    saved = row.loc[("manual - ler", "hiring_days_saved")]
    hires = int(checks.loc[checks["credential_check"] == "ler", "hired"].sum())
    assert np.isclose(saved["estimate"], diff["estimate"] * hires)
    assert np.isclose(saved["ci_low"], ci.low * hires)
    assert not result["suppressed"].any()


@pytest.mark.parametrize("min_cell", [300, 1000])
def test_efficiency_strata_and_suppression(
    dataset: lk.datasets.Dataset, checks: pd.DataFrame, min_cell: int
) -> None:
    result = process_efficiency(dataset, by=("screen", "credential_check"), min_cell=min_cell)
    assert 0 < result["suppressed"].sum() <= len(result)
    counts = checks.groupby(["screen", "credential_check"], observed=True).size()
    hired = checks.groupby(["screen", "credential_check"], observed=True)["hired"].sum()
    for row in result.itertuples():
        if row.credential_check == "manual - ler":
            small = min(counts[(row.screen, "ler")], counts[(row.screen, "manual")]) < min_cell
            # the LER hires it carries are a count of people too
            small |= hired[(row.screen, "ler")] < min_cell
        else:
            key = (row.screen, row.credential_check)
            small = min(counts[key], hired[key], counts[key] - hired[key]) < min_cell
        assert row.suppressed == small
        if small:
            assert pd.isna(row.estimate)
            assert pd.isna(row.n)
    with pytest.raises(LerkitError):
        process_efficiency(dataset, by=("screen",))
