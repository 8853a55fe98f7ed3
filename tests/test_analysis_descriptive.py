"""lerkit.analysis descriptive analyses on pilot-default, each checked against an
independent pandas / scipy / statsmodels computation on the same data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import (  # type: ignore[import-untyped]
    confint_proportions_2indep,
    proportion_confint,
)

import lerkit as lk
from lerkit.analysis import (
    RESULT_COLUMNS,
    Engine,
    connect,
    credential_attainment,
    ler_funnel,
    outcome_rates,
    representation,
    verification_summary,
)
from lerkit.errors import LerkitError

PILOT = Path(__file__).resolve().parents[1] / "datasets" / "pilot-default"


@pytest.fixture(scope="module")
def pilot() -> lk.datasets.Dataset:
    return lk.datasets.load("pilot-default")


@pytest.fixture(scope="module")
def engine(pilot: lk.datasets.Dataset) -> Engine:
    return connect(pilot)


@pytest.fixture(scope="module")
def learners(pilot: lk.datasets.Dataset) -> pd.DataFrame:
    return pilot.table("learners")


def _labels(series: pd.Series) -> pd.Series:
    """The categories the analyses use: text, booleans as true/false, empty as not_reported."""
    if str(series.dtype) == "boolean":
        text = series.map({True: "true", False: "false"}, na_action="ignore")
    else:
        text = series.astype("string")
    return text.astype("object").where(series.notna(), "not_reported")


def _standard(frame: pd.DataFrame, groups: list[str]) -> None:
    assert list(frame.columns[: len(groups) + len(RESULT_COLUMNS)]) == [*groups, *RESULT_COLUMNS]
    hidden = frame["suppressed"]
    assert frame.loc[hidden, ["estimate", "ci_low", "ci_high"]].isna().all().all()
    assert frame.loc[hidden, "n"].isna().all()
    assert (frame.loc[~hidden, "n"] >= frame.attrs["min_cell"]).all()


# -- 1. representation ---------------------------------------------------------------------


def test_representation_counts_and_intervals_match_pandas(
    engine: Engine, learners: pd.DataFrame
) -> None:
    table = representation(engine)
    _standard(table, ["attribute", "category"])
    assert table.attrs["analysis"] == "representation"
    assert list(dict.fromkeys(table["attribute"])) == list(lk.analysis.DEFAULT_ATTRIBUTES)
    for attribute, rows in table.groupby("attribute", sort=False):
        expected = _labels(learners[attribute]).value_counts()
        got = rows.set_index("category")["n"]
        assert got[got > 0].astype(int).to_dict() == expected.to_dict(), attribute
        assert (rows["total"] == len(learners)).all()
    low, high = proportion_confint(table["n"].astype(int), 5000, method="wilson")
    np.testing.assert_allclose(table["ci_low"], low, atol=1e-12)
    np.testing.assert_allclose(table["ci_high"], high, atol=1e-12)
    stars = table[table["attribute"] == "stars"].set_index("category")
    assert stars["n"].to_dict() == {"true": 2767, "false": 2233}
    assert stars.loc["true", "estimate"] == pytest.approx(0.5534)


def test_representation_covers_the_generating_pathway_mix(engine: Engine) -> None:
    effects = json.loads((PILOT / "ground_truth" / "effects.json").read_text())
    mix = effects["parameters"]["pathway_mix"]
    table = representation(engine, by="pathway").set_index("category")
    for pathway, share in mix.items():
        assert table.loc[pathway, "ci_low"] <= share <= table.loc[pathway, "ci_high"], pathway


def test_representation_against_a_reference(engine: Engine, learners: pd.DataFrame) -> None:
    reference = {
        "race_ethnicity": {
            "hispanic_latino": 0.19,
            "white": 0.58,
            "black": 0.12,
            "asian": 0.06,
            "native_hawaiian_pacific_islander": 0.002,
            "american_indian_alaska_native": 0.008,
            "two_or_more": 0.03,
        },
        "stars": {True: 0.5, False: 0.5},
    }
    table = representation(engine, by=["race_ethnicity", "stars"], reference=reference)
    race = table[table["attribute"] == "race_ethnicity"].set_index("category")
    counts = learners["race_ethnicity"].astype(str).value_counts()
    covered = counts.drop("unknown")
    base = int(covered.sum())
    assert race.loc["unknown", "reference_share"] != race.loc["unknown", "reference_share"]
    assert int(race.loc["white", "reference_base"]) == base
    # the shares add up to 0.99: they are rescaled to 1 over the categories they cover
    white = 0.58 / 0.99
    assert race.loc["white", "reference_share"] == pytest.approx(white)
    assert race.loc["white", "difference"] == pytest.approx(counts["white"] / base - white)
    low, high = proportion_confint(counts["white"], base, method="wilson")
    assert race.loc["white", "difference_low"] == pytest.approx(low - white)
    assert race.loc["white", "difference_high"] == pytest.approx(high - white)
    tests = {t["attribute"]: t for t in table.attrs["tests"]}
    order = list(reference["race_ethnicity"])
    expected = np.array([reference["race_ethnicity"][c] for c in order]) / 0.99 * base
    ref = stats.chisquare(covered[order].to_numpy(), expected)
    assert tests["race_ethnicity"]["statistic"] == pytest.approx(ref.statistic)
    assert tests["race_ethnicity"]["p_value"] == pytest.approx(ref.pvalue)
    assert tests["race_ethnicity"]["df"] == 6
    assert tests["stars"]["statistic"] == pytest.approx(
        stats.chisquare([2767, 2233], [2500, 2500]).statistic
    )


def test_representation_rejects_bad_references(engine: Engine) -> None:
    with pytest.raises(LerkitError, match="reference for 'gender' names category 'woman'"):
        representation(engine, by="gender", reference={"gender": {"woman": 0.5, "male": 0.5}})
    with pytest.raises(LerkitError, match=r"reference shares for 'gender' add up to 0\.7, not 1"):
        representation(engine, by="gender", reference={"gender": {"female": 0.4, "male": 0.3}})
    with pytest.raises(LerkitError, match="reference names attribute 'stars', which is not"):
        representation(engine, by="gender", reference={"stars": {True: 1.0}})
    with pytest.raises(LerkitError, match="learners has no column 'colour' to group by"):
        representation(engine, by="colour")


def test_representation_suppresses_small_categories_and_a_complement(engine: Engine) -> None:
    # gender: female 2280, male 2567, nonbinary 46, unknown 107
    table = representation(engine, by="gender", min_cell=50).set_index("category")
    assert table["suppressed"].to_dict() == {
        "female": False,
        "male": False,
        "nonbinary": True,
        "unknown": True,  # else 5000 - 2280 - 2567 - 107 gives nonbinary away
    }
    assert table.attrs["min_cell"] == 50
    # race: NHPI 16 is the one small cell at min_cell=20; the next smallest is hidden too
    race = representation(engine, by="race_ethnicity", min_cell=20).set_index("category")
    assert sorted(race.index[race["suppressed"]]) == [
        "american_indian_alaska_native",
        "native_hawaiian_pacific_islander",
    ]


# -- 2. credentials and the funnel ----------------------------------------------------------


@pytest.fixture(scope="module")
def per_learner(pilot: lk.datasets.Dataset, learners: pd.DataFrame) -> pd.DataFrame:
    credentials = pilot.table("credentials")
    alignments = pilot.table("alignments")
    counts = credentials.groupby("learner_id").size().rename("credentials")
    linked = credentials.merge(alignments, on="achievement_id")
    skills = (
        linked.drop_duplicates(["learner_id", "framework", "target_code"])
        .groupby("learner_id")
        .size()
        .rename("skills")
    )
    frame = learners[["learner_id", "pathway", "race_ethnicity", "cohort"]].copy()
    frame["pathway"] = frame["pathway"].astype(str)
    frame = frame.join(counts, on="learner_id").join(skills, on="learner_id")
    return frame.fillna({"credentials": 0, "skills": 0})


def test_credential_attainment_means_match_pandas(
    engine: Engine, per_learner: pd.DataFrame
) -> None:
    table = credential_attainment(engine)
    _standard(table, ["pathway", "dimension", "category"])
    for measure, column in (
        ("credentials_per_learner", "credentials"),
        ("skills_per_learner", "skills"),
    ):
        rows = table[table["measure"] == measure].set_index("pathway")
        expected = per_learner.groupby("pathway")[column].agg(["mean", "std", "size"])
        assert rows["n"].astype(int).to_dict() == expected["size"].to_dict()
        np.testing.assert_allclose(rows["estimate"], expected.loc[rows.index, "mean"])
        np.testing.assert_allclose(rows["sd"], expected.loc[rows.index, "std"])
        for pathway in ("bootcamp", "military", "community_college"):
            size, mean, sd = expected.loc[pathway, ["size", "mean", "std"]]
            low, high = stats.t.interval(0.95, size - 1, loc=mean, scale=sd / np.sqrt(size))
            assert (rows.loc[pathway, "ci_low"], rows.loc[pathway, "ci_high"]) == pytest.approx(
                (low, high)
            )
        # every university learner holds exactly one credential: sd 0, a zero-width interval
        assert rows.loc["university", "ci_low"] == rows.loc["university", "ci_high"]
    overall = credential_attainment(engine, by=None)
    first = overall.iloc[0]
    assert (first["population"], first["measure"], int(first["n"])) == (
        "all",
        "credentials_per_learner",
        5000,
    )
    assert first["estimate"] == pytest.approx(6574 / 5000)


def test_credential_attainment_holding_shares_match_pandas(
    engine: Engine, pilot: lk.datasets.Dataset, learners: pd.DataFrame
) -> None:
    table = credential_attainment(engine, by="pathway")
    shares = table[table["measure"] == "share_holding"]
    credentials = pilot.table("credentials").merge(
        pilot.table("achievements")[["achievement_id", "achievement_type", "level"]],
        on="achievement_id",
    )
    credentials = credentials.merge(
        pilot.table("issuers")[["issuer_id", "issuer_type"]], on="issuer_id"
    )
    credentials = credentials.merge(learners[["learner_id", "pathway"]], on="learner_id")
    sizes = learners["pathway"].astype(str).value_counts()
    for dimension in ("achievement_type", "level", "issuer_type"):
        holders = (
            credentials.assign(
                pathway=credentials["pathway"].astype(str), value=credentials[dimension].astype(str)
            )
            .drop_duplicates(["learner_id", "value"])
            .groupby(["pathway", "value"])
            .size()
        )
        got = shares[shares["dimension"] == dimension].set_index(["pathway", "category"])
        shown = got[~got["suppressed"]]
        assert shown["n"].astype(int).to_dict() == {key: int(holders[key]) for key in shown.index}
        for (pathway, value), row in shown.iterrows():
            assert row["estimate"] == pytest.approx(holders[(pathway, value)] / sizes[pathway])
        assert set(holders.index) == set(got.index)


def test_credential_attainment_suppresses_small_groups(
    engine: Engine, per_learner: pd.DataFrame
) -> None:
    table = credential_attainment(engine, by="race_ethnicity", cohort="ler")
    sizes = per_learner[per_learner["cohort"] == "ler"]["race_ethnicity"].astype(str).value_counts()
    means = table[table["measure"] == "credentials_per_learner"].set_index("race_ethnicity")
    small = set(sizes.index[sizes < 10])
    hidden = set(means.index[means["suppressed"]])
    assert small <= hidden
    if len(small) == 1:  # one small group would be recovered from the arm's total
        assert len(hidden) == 2
    shown = sizes.drop(list(hidden))
    assert means.loc[shown.index, "n"].astype(int).to_dict() == shown.to_dict()
    # every row of a hidden group is hidden
    assert table[table["race_ethnicity"].isin(hidden)]["suppressed"].all()
    # holders of one kind add up over the groups: never exactly one of them hidden
    per_kind = table.groupby(["measure", "dimension", "category"])["suppressed"].sum()
    assert not (per_kind == 1).any(), per_kind[per_kind == 1]


def _funnel_flags(pilot: lk.datasets.Dataset, learners: pd.DataFrame) -> pd.DataFrame:
    events = pilot.table("ler_events")
    events["event"] = events["event"].astype(str)
    applications = pilot.table("applications")
    ler = learners[learners["cohort"].astype(str) == "ler"][["learner_id", "pathway"]].copy()
    ler["pathway"] = ler["pathway"].astype(str)
    for stage in ("issued", "claimed", "shared", "verified"):
        ler[stage] = ler["learner_id"].isin(events.loc[events["event"] == stage, "learner_id"])
    ler["applied"] = ler["learner_id"].isin(applications["learner_id"])
    ler["hired"] = ler["learner_id"].isin(
        applications.loc[applications["hired"].fillna(False).astype(bool), "learner_id"]
    )
    return ler


def test_ler_funnel_matches_pandas(
    engine: Engine, pilot: lk.datasets.Dataset, learners: pd.DataFrame
) -> None:
    flags = _funnel_flags(pilot, learners)
    table = ler_funnel(engine)
    _standard(table, ["pathway", "stage"])
    stages = list(lk.analysis.FUNNEL_STAGES)
    for (pathway, stage), row in table.set_index(["pathway", "stage"]).iterrows():
        group = flags[flags["pathway"] == pathway]
        assert int(row["n"]) == int(group[stage].sum())
        assert int(row["total"]) == len(group)
        index = stages.index(stage)
        if index:
            previous = group[stages[index - 1]]
            assert int(row["previous_n"]) == int(previous.sum())
            converted = int((group[stage] & previous).sum())
            assert int(row["converted"]) == converted
            low, high = proportion_confint(converted, previous.sum(), method="wilson")
            assert (row["conversion_low"], row["conversion_high"]) == pytest.approx((low, high))
    overall = ler_funnel(engine, by=None).set_index("stage")
    assert overall["n"].astype(int).to_dict() == {s: int(flags[s].sum()) for s in stages}
    assert overall.loc["issued", "estimate"] == 1.0  # every LER learner got a credential
    assert overall.loc["claimed", "n"] == 2328


def test_ler_funnel_hides_small_conversions(engine: Engine) -> None:
    table = ler_funnel(engine, by="race_ethnicity", min_cell=60)
    shown = table[~table["suppressed"]]
    assert (shown["n"] >= 60).all()
    small = table["converted"].isna() & table["stage"].ne("issued")
    assert table.loc[small, "conversion"].isna().all()
    assert table["suppressed"].any()
    # a stage's counts add up to the arm's: never exactly one group hidden per stage
    per_stage = table.groupby("stage")["suppressed"].sum()
    assert not (per_stage == 1).any(), per_stage


# -- 3. verification -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def verified(engine: Engine) -> pd.DataFrame:
    return verification_summary(engine)


def test_verification_summary_counts_the_planted_faults(
    verified: pd.DataFrame, pilot: lk.datasets.Dataset
) -> None:
    _standard(verified, ["issuer", "format"])
    faults = pd.read_csv(PILOT / "ground_truth" / "credential_faults.csv")
    credentials = pilot.table("credentials").dropna(subset=["file"])
    merged = credentials.merge(faults, on="credential_id", how="left")
    merged["format"] = merged["format"].astype(str)
    expected = merged.groupby(["issuer_id", "format"]).agg(
        n=("credential_id", "size"),
        tampered=("fault", lambda f: int((f == "tampered").sum())),
        revoked=("fault", lambda f: int((f == "revoked").sum())),
        suspended=("fault", lambda f: int((f == "suspended").sum())),
        expired=("fault", lambda f: int((f == "expired").sum())),
    )
    got = verified.set_index(["issuer", "format"])
    assert sorted(got.index) == sorted(expected.index)
    for column in ("n", "tampered", "revoked", "suspended", "expired"):
        assert got[column].astype(int).to_dict() == expected[column].to_dict(), column
    verified_n = expected["n"] - expected[["tampered", "revoked", "suspended", "expired"]].sum(
        axis=1
    )
    assert got["verified"].astype(int).to_dict() == verified_n.to_dict()
    assert got["warning"].astype(int).to_dict() == expected["expired"].to_dict()
    assert int(got["n"].sum()) == 3296
    assert verified.attrs["parameters"]["by"] == ["issuer", "format"]
    assert verified.attrs["parameters"]["now"] == "2026-03-31T00:00:00+00:00"  # as_of


def test_verification_summary_reuses_a_verification_frame(verified: pd.DataFrame) -> None:
    frame = verified.attrs["verification"]
    again = verification_summary(frame)
    pd.testing.assert_frame_equal(again, verified)
    by_format = verification_summary(frame, by="format").set_index("format")
    assert by_format["n"].astype(int).to_dict() == {"clr2": 1473, "ob3": 1823}
    assert by_format.loc["clr2", "tampered"] == 12
    k = int(by_format.loc["ob3", "verified"])
    low, high = proportion_confint(k, 1823, method="wilson")
    assert (by_format.loc["ob3", "ci_low"], by_format.loc["ob3", "ci_high"]) == pytest.approx(
        (low, high)
    )
    hidden = verification_summary(frame, min_cell=150)
    small = hidden[hidden["suppressed"]]
    assert len(small) >= 2
    assert small[["verified", "tampered", "revoked"]].isna().all().all()
    with pytest.raises(LerkitError, match="the verification table has no column 'verdict'"):
        verification_summary(pd.DataFrame({"issuer": ["x"], "format": ["ob3"]}))


# -- 4. outcome rates ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def last_quarter(pilot: lk.datasets.Dataset, learners: pd.DataFrame) -> pd.DataFrame:
    outcomes = pilot.table("outcomes")
    last = outcomes[outcomes["period"] == outcomes["period"].max()]
    frame = last.merge(learners, on="learner_id")
    for column in ("race_ethnicity", "gender", "stars"):
        frame[column] = _labels(frame[column])
    return frame


def test_outcome_rates_match_pandas_and_statsmodels(
    engine: Engine, last_quarter: pd.DataFrame
) -> None:
    table = outcome_rates(engine)
    _standard(table, ["race_ethnicity"])
    assert table.attrs["parameters"]["period"] == "2025Q4"
    got = table.set_index("race_ethnicity")
    expected = last_quarter.groupby("race_ethnicity")["employed"].agg(["sum", "size"])
    # a rate is hidden when fewer than 10 people have, or lack, the outcome
    small = expected[
        (expected["sum"] < 10) | (expected["size"] - expected["sum"] < 10)
    ].index.tolist()
    assert small
    assert got.loc[small, "suppressed"].all()
    shown = got[~got["suppressed"]]
    assert len(shown) >= len(got) - 2 * len(small)  # at most one complement per small row
    assert shown["n"].astype(int).to_dict() == expected.loc[shown.index, "size"].to_dict()
    assert (
        shown["k"].astype(int).to_dict() == expected.loc[shown.index, "sum"].astype(int).to_dict()
    )
    assert (got["reference"] == "white").all()  # the largest group
    assert (int(got.loc["white", "n"]), int(got.loc["white", "k"])) == (2657, 2040)
    assert got.loc["white", "gap"] == 0.0
    for group in ("black", "hispanic_latino", "asian"):
        ref = confint_proportions_2indep(
            expected.loc[group, "sum"],
            expected.loc[group, "size"],
            expected.loc["white", "sum"],
            expected.loc["white", "size"],
            method="newcomb",
            compare="diff",
        )
        assert (got.loc[group, "gap_low"], got.loc[group, "gap_high"]) == pytest.approx(ref)
        assert got.loc[group, "gap"] == pytest.approx(
            expected.loc[group, "sum"] / expected.loc[group, "size"] - 2040 / 2657
        )


def test_outcome_rates_wage_above(engine: Engine, last_quarter: pd.DataFrame) -> None:
    table = outcome_rates(engine, "wage_above", by="gender", reference_group="female")
    median = float(last_quarter.loc[last_quarter["employed"].astype(bool), "hourly_wage"].median())
    assert table.attrs["parameters"]["threshold"] == pytest.approx(median)
    above = last_quarter["employed"].astype(bool) & (last_quarter["hourly_wage"] > median).fillna(
        False
    )
    expected = above.groupby(last_quarter["gender"]).sum()
    got = table.set_index("gender")
    assert got["k"].astype(int).to_dict() == expected.astype(int).to_dict()
    assert (got["reference"] == "female").all()
    fixed = outcome_rates(engine, "wage_above", by="stars", threshold=20.0, period="2025Q1")
    assert fixed.attrs["parameters"]["threshold"] == 20.0
    assert set(fixed["measure"]) == {"wage_above_rate"}


def test_outcome_rates_intersections_are_suppressed_on_both_margins(
    engine: Engine, last_quarter: pd.DataFrame
) -> None:
    table = outcome_rates(engine, by="race_ethnicity", intersect="gender")
    _standard(table, ["race_ethnicity", "gender"])
    sizes = last_quarter.groupby(["race_ethnicity", "gender"]).size()
    got = table.set_index(["race_ethnicity", "gender"])
    small = set(sizes.index[sizes < 10])
    hidden = set(got.index[got["suppressed"]])
    assert small <= hidden
    shown = got[~got["suppressed"]]
    assert shown["n"].astype(int).to_dict() == {key: int(sizes[key]) for key in shown.index}
    # no row or column of the two-way table has exactly one hidden cell
    for level in ("race_ethnicity", "gender"):
        per = got["suppressed"].groupby(level=level).sum()
        assert not (per == 1).any(), per
    assert got.loc[("white", "male"), "reference"] == "white × male"
    pinned = outcome_rates(
        engine, by="race_ethnicity", intersect="gender", reference_group=("black", "female")
    )
    assert (pinned["reference"] == "black × female").all()


def test_outcome_rates_rejects_bad_arguments(engine: Engine) -> None:
    with pytest.raises(
        LerkitError, match="outcome must be 'employed' or 'wage_above', not 'wages'"
    ):
        outcome_rates(engine, "wages")  # type: ignore[arg-type]
    with pytest.raises(LerkitError, match="reference_group 'martian' is not a group of the data"):
        outcome_rates(engine, reference_group="martian")
    with pytest.raises(LerkitError, match="no outcomes in period '1999Q1'"):
        outcome_rates(engine, period="1999Q1")
