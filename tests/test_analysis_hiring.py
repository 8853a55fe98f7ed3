"""Adverse impact (LL144 layout) and degree vs skills screens.

Cross-checks: fairlearn's MetricFrame for selection rates and ratios, scipy / statsmodels
for the per-group tests, independent pandas computations for every count, and the
generator's ground truth (effects.json). Follow-through: test_analysis_follow_through.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, selection_rate
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest

import lerkit as lk
from lerkit.analysis._hiring import FOUR_FIFTHS, adverse_impact
from lerkit.analysis._screens import degree_vs_skills
from lerkit.errors import LerkitError

ROOT = Path(__file__).resolve().parents[1]
TRUTH = ROOT / "datasets" / "pilot-default" / "ground_truth"


@pytest.fixture(scope="module")
def pilot() -> lk.datasets.Dataset:
    return lk.datasets.load("pilot-default")


@pytest.fixture(scope="module")
def apps(pilot: lk.datasets.Dataset) -> pd.DataFrame:
    """Application-level frame built independently in pandas (the tests' reference)."""
    learners = pilot.table("learners")
    frame = pilot.table("applications").merge(
        learners[["learner_id", "gender", "race_ethnicity", "highest_education", "stars"]],
        on="learner_id",
    )
    for column in ("gender", "race_ethnicity", "screen"):
        frame[column] = frame[column].astype(str)
    return frame


@pytest.fixture(scope="module")
def hired_audit(pilot: lk.datasets.Dataset) -> pd.DataFrame:
    return adverse_impact(pilot, stage="hired")


# ------------------------------------------------------------------ adverse impact (5)


@pytest.mark.parametrize("screen", ["degree", "skills"])
@pytest.mark.parametrize("dimension", ["gender", "race_ethnicity"])
def test_selection_rates_and_ratios_match_fairlearn(
    hired_audit: pd.DataFrame, apps: pd.DataFrame, screen: str, dimension: str
) -> None:
    data = apps[(apps["screen"] == screen) & (apps[dimension] != "unknown")]
    y = data["hired"].astype(int)
    frame = MetricFrame(
        metrics=selection_rate, y_true=y, y_pred=y, sensitive_features=data[dimension]
    )
    rates = frame.by_group
    rows = hired_audit[
        (hired_audit["screen"] == screen) & (hired_audit["dimension"] == dimension)
    ].set_index("category")
    shown = rows[~rows["suppressed"] & ~rows["unknown_demographics"]]
    assert len(shown) >= 2
    np.testing.assert_allclose(shown["estimate"], rates.loc[shown.index], rtol=1e-12)
    # fairlearn's ratio is to the max over all groups; ours to the max over unsuppressed
    # ones: the same whenever the top group is big enough, as it is here
    counts = data.groupby(dimension).size()
    top = rates[counts.loc[rates.index] >= 10].idxmax()
    assert (shown["reference"] == top).all()
    np.testing.assert_allclose(
        shown["impact_ratio"], (rates / rates.loc[top]).loc[shown.index], rtol=1e-12
    )
    assert (shown["four_fifths"] == (shown["impact_ratio"] < FOUR_FIFTHS)).all()
    np.testing.assert_allclose(
        shown["difference"].astype(float), (rates - rates.loc[top]).loc[shown.index], atol=1e-12
    )
    assert rows.loc[top, "impact_ratio"] == 1.0


def test_intersection_matches_fairlearn(hired_audit: pd.DataFrame, apps: pd.DataFrame) -> None:
    data = apps[
        (apps["screen"] == "skills")
        & (apps["gender"] != "unknown")
        & (apps["race_ethnicity"] != "unknown")
    ]
    y = data["hired"].astype(int)
    frame = MetricFrame(
        metrics=selection_rate,
        y_true=y,
        y_pred=y,
        sensitive_features=data[["gender", "race_ethnicity"]],
    )
    rates = frame.by_group
    rates.index = [f"{g} × {r}" for g, r in rates.index]
    rows = hired_audit[
        (hired_audit["screen"] == "skills")
        & (hired_audit["dimension"] == "gender × race_ethnicity")
        & ~hired_audit["suppressed"]
        & ~hired_audit["unknown_demographics"]
    ].set_index("category")
    assert len(rows) >= 5
    np.testing.assert_allclose(rows["estimate"], rates.loc[rows.index], rtol=1e-12)


def test_tests_match_scipy_and_statsmodels(hired_audit: pd.DataFrame, apps: pd.DataFrame) -> None:
    rows = hired_audit[hired_audit["test"].notna() & ~hired_audit["suppressed"]]
    # Fisher's test is for cells too small for z; published cells have at least 10
    # selected and 10 not selected, so z is what they mostly get
    assert "two_proportion_z" in set(rows["test"])
    assert set(rows["test"]) <= {"fisher_exact", "two_proportion_z"}
    checked = 0
    for row in rows.itertuples():
        data = apps[apps["screen"] == row.screen]
        columns = row.dimension.split(" × ")

        def counts(
            label: str, data: pd.DataFrame = data, columns: list[str] = columns
        ) -> tuple[int, int]:
            mask = np.ones(len(data), dtype=bool)
            for column, value in zip(columns, label.split(" × "), strict=True):
                mask &= (data[column] == value).to_numpy()
            return int(data.loc[mask, "hired"].sum()), int(mask.sum())

        k1, n1 = counts(row.category)
        k2, n2 = counts(row.reference)
        assert (k1, n1) == (row.selected, row.n)
        table = np.array([[k1, n1 - k1], [k2, n2 - k2]])
        expected = stats.contingency.expected_freq(table)
        if expected.min() < 5:
            assert row.test == "fisher_exact"
            p = stats.fisher_exact(table).pvalue
        else:
            assert row.test == "two_proportion_z"
            p = proportions_ztest([k1, k2], [n1, n2])[1]
        assert row.p_value == pytest.approx(p, rel=1e-9)
        checked += 1
    assert checked > 20


def test_unknown_demographics_reported_and_excluded(
    hired_audit: pd.DataFrame, apps: pd.DataFrame
) -> None:
    unknown = hired_audit[hired_audit["unknown_demographics"]]
    assert unknown["impact_ratio"].isna().all()
    assert unknown["four_fifths"].isna().all()
    assert hired_audit.attrs["unknown"]["degree / gender"] == int(
        ((apps["screen"] == "degree") & (apps["gender"] == "unknown")).sum()
    )
    both = (apps["gender"] == "unknown") | (apps["race_ethnicity"] == "unknown")
    assert hired_audit.attrs["unknown"]["skills / gender × race_ethnicity"] == int(
        ((apps["screen"] == "skills") & both).sum()
    )
    # an unknown category is never the reference
    assert not hired_audit["reference"].fillna("").str.contains("unknown").any()


def test_small_cells_suppressed_and_small_samples_flagged(
    hired_audit: pd.DataFrame, apps: pd.DataFrame
) -> None:
    cells = apps.groupby(["screen", "gender", "race_ethnicity"]).size()
    small = cells[cells < 10]
    assert len(small) > 0
    rows = hired_audit.set_index(["screen", "category"])
    for (screen, gender, race), _ in small.items():
        assert rows.loc[(screen, f"{gender} × {race}"), "suppressed"]
    suppression = hired_audit.attrs["suppression"]
    assert suppression["primary"] >= len(small)
    assert suppression["complementary"] > 0
    hidden = hired_audit[hired_audit["suppressed"]]
    columns = ["estimate", "n", "impact_ratio", "p_value", "selected", "four_fifths"]
    assert hidden[columns].isna().all().all()
    shown = hired_audit[~hired_audit["suppressed"]]
    assert (shown["n"] >= 10).all()
    assert (shown["small_sample"] == (shown["n"] < 30)).all()
    # no published cell has fewer than 10 selected or 10 not selected
    assert (shown["selected"] >= 10).all()
    assert (shown["n"] - shown["selected"] >= 10).all()
    # the reference is always a published cell
    published = set(zip(shown["screen"], shown["category"], strict=True))
    references = hired_audit[["screen", "reference"]].dropna().drop_duplicates()
    assert all((s, r) in published for s, r in references.itertuples(index=False))
    assert any("1607.4(D)" in caveat for caveat in hired_audit.attrs["caveats"])
    assert "applications" in hired_audit.attrs["denominator"]


def test_degree_screen_shows_screen_stage_and_one_screen(pilot: lk.datasets.Dataset) -> None:
    audit = adverse_impact(pilot, stage="screened_in", screen="degree", intersection=False)
    assert set(audit["screen"]) == {"degree"}
    assert set(audit["dimension"]) == {"gender", "race_ethnicity"}
    assert set(audit["measure"]) == {"selection_rate_screened_in"}


def test_small_categories_can_be_left_out_of_the_ratios(
    pilot: lk.datasets.Dataset, apps: pd.DataFrame
) -> None:
    audit = adverse_impact(pilot, by=("race_ethnicity",), exclude_below=0.02)
    skills = apps[apps["screen"] == "skills"]
    share = skills["race_ethnicity"].value_counts(normalize=True)
    rows = audit[audit["screen"] == "skills"].set_index("category")
    small = [c for c in share.index if share[c] < 0.02 and c != "unknown"]
    assert "native_hawaiian_pacific_islander" in small
    for category in small:
        assert rows.loc[category, "excluded_small_category"]
        assert pd.isna(rows.loc[category, "impact_ratio"])
    assert not rows["reference"].dropna().isin(small).any()
    assert audit.attrs["parameters"]["exclude_below"] == 0.02


def test_bad_arguments_name_the_value(pilot: lk.datasets.Dataset) -> None:
    with pytest.raises(LerkitError, match="unknown stage 'offered'") as caught:
        adverse_impact(pilot, stage="offered")  # type: ignore[arg-type]
    assert caught.value.code == "invalid_argument"
    with pytest.raises(LerkitError, match="unknown screen 'ai'"):
        adverse_impact(pilot, screen="ai")  # type: ignore[arg-type]
    with pytest.raises(LerkitError, match="unknown learner column 'shoe_size'"):
        adverse_impact(pilot, by=("shoe_size",))


# ---------------------------------------------------------------- degree vs skills (6)


@pytest.fixture(scope="module")
def effects() -> dict[str, object]:
    return json.loads((TRUTH / "effects.json").read_text())  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def matched(pilot: lk.datasets.Dataset, apps: pd.DataFrame) -> pd.DataFrame:
    """Skill match per application, computed independently in pandas."""
    held = (
        pilot.table("credentials")[["learner_id", "achievement_id"]]
        .merge(pilot.table("alignments")[["achievement_id", "target_code"]])
        .drop_duplicates(["learner_id", "target_code"])
    )
    postings = pilot.table("postings")
    need = postings[["posting_id", "required_skills"]].explode("required_skills")
    need = need.rename(columns={"required_skills": "target_code"}).dropna()
    pairs = apps[["application_id", "learner_id", "posting_id"]].merge(need)
    pairs = pairs.merge(held[["learner_id", "target_code"]].assign(has=1), how="left")
    match = pairs.groupby("application_id").agg(req=("target_code", "size"), hit=("has", "sum"))
    out = apps.merge(match, left_on="application_id", right_index=True, how="left")
    out["match"] = (out["hit"] / out["req"]).fillna(0.0)
    return out.merge(postings[["posting_id", "requires_degree"]])


def test_degree_screen_excludes_qualified_stars_at_the_true_rate(
    pilot: lk.datasets.Dataset, effects: dict[str, dict[str, dict[str, float]]]
) -> None:
    truth = effects["effects"]["degree_screen_exclusion_qualified_stars"]
    share = effects["parameters"]["qualified_match"]
    table = degree_vs_skills(pilot, qualified_share=float(share))  # type: ignore[arg-type]
    row = table[
        (table["measure"] == "degree_screen_exclusion_qualified_stars") & (table["group"] == "all")
    ].iloc[0]
    assert row["n"] == truth["n_applications"]
    assert row["estimate"] == pytest.approx(truth["realized"], abs=5e-7)
    # the generator's parameter (1 - pass rate of non-degree candidates) is inside the CI
    assert row["ci_low"] <= truth["parameter"] <= row["ci_high"]


def test_degree_vs_skills_matches_pandas(pilot: lk.datasets.Dataset, matched: pd.DataFrame) -> None:
    table = degree_vs_skills(pilot, by="race_ethnicity", qualified_share=0.5)
    m = matched.assign(
        skills_ok=matched["match"] >= 0.5,
        degree_ok=matched["highest_education"].astype(str).isin(["bachelor", "graduate"]),
    )
    got = table.set_index(["measure", "group"])
    for group, data in m.groupby("race_ethnicity"):
        qualified = data[data["requires_degree"] & data["skills_ok"]]
        row = got.loc[("opportunity_gap", group)]
        k, n = int((~qualified["degree_ok"]).sum()), len(qualified)
        if min(k, n - k, n) < 10:
            assert row["suppressed"]  # a small count, with or without the outcome
        if row["suppressed"]:
            continue
        assert (row["n"], row["k"]) == (n, k)
        row = got.loc[("skills_qualified", group)]
        assert row["estimate"] == pytest.approx(data["skills_ok"].mean())
        passing = m[(m["screen"] == "skills") & m["screened_in"]]
        row = got.loc[("share_passing_skills_screen", group)]
        assert row["n"] == len(passing)
        if not row["suppressed"]:
            assert row["estimate"] == pytest.approx((passing["race_ethnicity"] == group).mean())
    for measure in ("share_of_applicants", "share_passing_degree_screen"):
        shares = table[(table["measure"] == measure) & ~table["suppressed"]]
        assert shares["estimate"].sum() <= 1.0 + 1e-12
    assert table.loc[table["suppressed"], "k"].isna().all()


def test_degree_vs_skills_rejects_bad_share(pilot: lk.datasets.Dataset) -> None:
    with pytest.raises(LerkitError, match="qualified_share must be in"):
        degree_vs_skills(pilot, qualified_share=1.5)
