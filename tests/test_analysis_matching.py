"""Skills matching: top occupations, skill gaps, skill distance, matcher fairness.

Every figure is recomputed independently in plain pandas/Python sets straight from the
parquet files of pilot-default; the matcher's rates, ratios and differences are checked
against fairlearn's MetricFrame(selection_rate), demographic_parity_ratio and
demographic_parity_difference; Wilson intervals against statsmodels.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    selection_rate,
)
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

import lerkit as lk
from lerkit.analysis._engine import connect
from lerkit.analysis._matching import (
    matcher_fairness,
    skill_distance,
    skill_gaps,
    top_occupations,
)
from lerkit.errors import LerkitError
from lerkit.plots._matching import (
    matcher_fairness_figure,
    skill_distance_figure,
    skill_gaps_figure,
)

DATA = Path(__file__).resolve().parents[1] / "datasets" / "pilot-default"
DEGREES = {"bachelor", "graduate"}


def _read(name: str) -> pd.DataFrame:
    return pd.read_parquet(DATA / f"{name}.parquet")


# ----------------------------------------------------------------- independent pandas


@pytest.fixture(scope="module")
def pilot() -> Any:
    return connect(lk.datasets.load("pilot-default"))


@pytest.fixture(scope="module")
def learners() -> pd.DataFrame:
    frame = _read("learners")
    return frame.set_index("learner_id")


@pytest.fixture(scope="module")
def skills_of() -> dict[str, frozenset[str]]:
    """learner -> the alignment targets of all their credentials' achievements."""
    cred = _read("credentials")[["learner_id", "achievement_id"]]
    al = _read("alignments")[["achievement_id", "target_code"]]
    pairs = cred.merge(al, on="achievement_id")
    out = {str(k): frozenset(map(str, v)) for k, v in pairs.groupby("learner_id")["target_code"]}
    return out


@pytest.fixture(scope="module")
def occupations() -> pd.DataFrame:
    occ = _read("occupations")
    occ["profile"] = occ["skills"].map(lambda v: frozenset(map(str, v)))
    return occ.set_index("occupation_soc")


def _top(skills: frozenset[str], occ: pd.DataFrame, k: int) -> list[dict[str, Any]]:
    rows = []
    profiles = occ.attrs.setdefault(
        "profiles", list(zip(occ.index, occ["profile"], occ["median_wage"], strict=True))
    )
    for soc, profile, wage in profiles:
        covered = len(skills & profile)
        if covered == 0:
            continue
        rows.append(
            {
                "occupation_soc": soc,
                "score": covered / len(profile),
                "covered": covered,
                "required": len(profile),
                "missing_skills": tuple(sorted(profile - skills)),
                "median_wage": wage,
            }
        )
    rows.sort(key=lambda r: (-r["score"], -r["median_wage"], r["occupation_soc"]))
    return [dict(r, rank=i + 1) for i, r in enumerate(rows[:k])]


@pytest.fixture(scope="module")
def expected_top(skills_of: dict[str, frozenset[str]], occupations: pd.DataFrame) -> pd.DataFrame:
    rows = [
        dict(r, learner_id=lid) for lid, s in skills_of.items() for r in _top(s, occupations, 3)
    ]
    return pd.DataFrame(rows).sort_values(["learner_id", "rank"], ignore_index=True)


# ---------------------------------------------------------------------- top occupations


def test_top_occupations_matches_pandas(pilot: Any, expected_top: pd.DataFrame) -> None:
    got = top_occupations(pilot, k=3)
    assert list(got.columns) == [
        "learner_id", "rank", "occupation_soc", "title", "score", "covered", "required",
        "missing_skills", "median_wage", "qualified",
    ]  # fmt: skip
    assert len(got) == len(expected_top)
    for column in ("learner_id", "rank", "occupation_soc", "covered", "required"):
        assert got[column].astype(str).tolist() == expected_top[column].astype(str).tolist()
    np.testing.assert_allclose(got["score"], expected_top["score"])
    assert got["missing_skills"].tolist() == expected_top["missing_skills"].tolist()
    assert got["qualified"].tolist() == (expected_top["score"] >= 0.5 - 1e-9).tolist()
    assert got.attrs["analysis"] == "top_occupations"


def test_top_occupations_subset_and_k(pilot: Any, expected_top: pd.DataFrame) -> None:
    ids = sorted(expected_top["learner_id"].unique())[:25]
    got = top_occupations(pilot, learner_ids=ids, k=1)
    want = expected_top[expected_top["learner_id"].isin(ids) & (expected_top["rank"] == 1)]
    assert got["learner_id"].tolist() == want["learner_id"].tolist()
    assert got["occupation_soc"].tolist() == want["occupation_soc"].tolist()
    assert top_occupations(pilot, learner_ids=[], k=2).empty


# --------------------------------------------------------------------------- skill gaps


def _expected_gaps(
    skills_of: dict[str, frozenset[str]],
    occupations: pd.DataFrame,
    learners: pd.DataFrame,
    by: str,
    k: int,
    share: float,
) -> tuple[Counter[tuple[str, str]], dict[str, int]]:
    groups = learners[by].astype("string").fillna("unknown").astype(str)
    if learners[by].dtype == bool:
        groups = learners[by].map({True: "true", False: "false"})
    blocked: Counter[tuple[str, str]] = Counter()
    for lid, skills in skills_of.items():
        missing: set[str] = set()
        for row in _top(skills, occupations, k):
            if row["score"] < share - 1e-9:
                missing |= set(row["missing_skills"])
        for skill in missing:
            blocked[(skill, str(groups[lid]))] += 1
            blocked[(skill, "all")] += 1
    sizes = groups.value_counts().to_dict()
    sizes["all"] = len(learners)
    return blocked, {str(g): int(n) for g, n in sizes.items()}


@pytest.mark.parametrize(("by", "k"), [("stars", 3), ("race_ethnicity", 2)])
def test_skill_gaps_matches_pandas(
    pilot: Any,
    skills_of: dict[str, frozenset[str]],
    occupations: pd.DataFrame,
    learners: pd.DataFrame,
    by: str,
    k: int,
) -> None:
    got = skill_gaps(pilot, by=by, k=k, min_cell=1)
    blocked, sizes = _expected_gaps(skills_of, occupations, learners, by, k, 0.5)
    skills = {s for s, _ in blocked}
    assert set(got["skill_id"]) == skills
    assert set(got["group"]) == set(sizes)
    assert len(got) == len(skills) * len(sizes)
    # ordered by the overall count of blocked learners
    order = [s for s in dict.fromkeys(got["skill_id"])]
    totals = [blocked[(s, "all")] for s in order]
    assert totals == sorted(totals, reverse=True)
    shown = got[~got["suppressed"]]
    assert len(shown) > len(got) / 2
    for row in shown.itertuples():
        key = (row.skill_id, row.group)
        assert row.blocked == blocked[key], key
        assert row.n == sizes[row.group]
        low, high = proportion_confint(blocked[key], sizes[row.group], method="wilson")
        assert row.estimate == pytest.approx(blocked[key] / sizes[row.group])
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high), abs=1e-9)
    # with min_cell=1 only empty or full cells are primary-suppressed
    for row in got[got["suppressed"]].itertuples():
        assert row.blocked is pd.NA
        assert np.isnan(row.estimate)


def test_skill_gaps_share_threshold(pilot: Any) -> None:
    # qualifying needs every skill at share 1: more learners blocked than at 0.5
    loose = skill_gaps(pilot, min_cell=1).set_index(["skill_id", "group"])["blocked"]
    strict = skill_gaps(pilot, min_cell=1, qualified_share=1.0).set_index(["skill_id", "group"])
    both = loose.dropna().index.intersection(strict["blocked"].dropna().index)
    assert len(both) > 0
    assert (strict.loc[both, "blocked"] >= loose.loc[both]).all()


# ----------------------------------------------------------------------- skill distance


@pytest.fixture(scope="module")
def expected_moves(occupations: pd.DataFrame) -> pd.DataFrame:
    out = _read("outcomes")
    first, last = out["period"].min(), out["period"].max()
    working = out[out["employed"].fillna(False).astype(bool)]
    start = working[working["period"] == first].set_index("learner_id")["occupation_soc"]
    end = working[working["period"] == last].set_index("learner_id")["occupation_soc"]
    employed = end.value_counts()
    both = pd.concat([start.rename("o"), end.rename("d")], axis=1, join="inner")
    moved = both[both["o"] != both["d"]].value_counts()
    rows = []
    for o, orow in occupations.iterrows():
        for d, drow in occupations.iterrows():
            if o == d:
                continue
            lack = drow["profile"] - orow["profile"]
            union = drow["profile"] | orow["profile"]
            inter = drow["profile"] & orow["profile"]
            rows.append(
                {
                    "origin": o,
                    "destination": d,
                    "distance": len(lack) / len(drow["profile"]),
                    "jaccard": 1 - len(inter) / len(union),
                    "gain": drow["median_wage"] - orow["median_wage"],
                    "pct": 100 * (drow["median_wage"] / orow["median_wage"] - 1),
                    "employed": int(employed.get(o, 0)),
                    "moved": int(moved.get((o, d), 0)),
                }
            )
    return pd.DataFrame(rows)


def test_skill_distance_matches_pandas(pilot: Any, expected_moves: pd.DataFrame) -> None:
    got = skill_distance(pilot, min_cell=1)
    merged = got.merge(
        expected_moves.rename(columns={"moved": "true_moved"}),
        on=["origin", "destination"],
        validate="1:1",
    )
    assert len(merged) == len(expected_moves) == 11 * 10
    np.testing.assert_allclose(merged["estimate"], merged["distance"])
    np.testing.assert_allclose(merged["jaccard_distance"], merged["jaccard"])
    np.testing.assert_allclose(merged["wage_gain"], merged["gain"])
    np.testing.assert_allclose(merged["wage_gain_pct"], merged["pct"])
    assert merged["reachable"].tolist() == (merged["distance"] <= 0.5 + 1e-9).tolist()
    assert not got["suppressed"].any()
    assert got["estimate"].notna().all()
    shown = merged[~merged["employed_in_origin_suppressed"]]
    assert (shown["employed_in_origin"].astype(int) == shown["employed"]).all()
    shown = merged[~merged["moved_suppressed"]]
    assert len(shown) > 10
    assert (shown["moved"].astype(int) == shown["true_moved"]).all()


def test_skill_distance_people_counts(pilot: Any, expected_moves: pd.DataFrame) -> None:
    got = skill_distance(pilot, min_cell=1, reachable=0.8)
    merged = got.merge(
        expected_moves.rename(columns={"moved": "true_moved"}), on=["origin", "destination"]
    )
    shown = merged[~merged["moved_suppressed"]]
    assert (shown["moved"].astype(int) == shown["true_moved"]).all()
    # min_cell=1 hides the zero cells (and complements): never a positive count alone
    assert (merged.loc[merged["true_moved"] == 0, "moved_suppressed"]).all()
    assert merged["reachable"].tolist() == (merged["distance"] <= 0.8 + 1e-9).tolist()


def test_skill_distance_suppression_never_hides_distances(
    pilot: Any, expected_moves: pd.DataFrame
) -> None:
    got = skill_distance(pilot, min_cell=10**6)
    assert got["estimate"].notna().all()
    assert got["wage_gain"].notna().all()
    assert got["employed_in_origin"].isna().all()
    assert got["moved"].isna().all()
    default = skill_distance(pilot)
    merged = default.merge(
        expected_moves.rename(columns={"moved": "true_moved"}), on=["origin", "destination"]
    )
    assert merged.loc[merged["true_moved"] < 10, "moved_suppressed"].all()
    # along each origin and each destination: no single hidden cell, no all-zero hidden set
    for key in ("origin", "destination"):
        for _, part in merged.groupby(key):
            hidden = part[part["moved_suppressed"]]
            assert len(hidden) != 1
            if len(hidden) and len(hidden) < len(part):
                assert hidden["true_moved"].sum() > 0
    origins = merged.drop_duplicates("origin")
    hidden = origins[origins["employed_in_origin_suppressed"]]
    assert len(hidden) != 1


# --------------------------------------------------------------------- matcher fairness


def _learner_frame(
    skills_of: dict[str, frozenset[str]],
    learners: pd.DataFrame,
    share: float,
    region: str | None = None,
) -> pd.DataFrame:
    """One row per learner: recommended, recommended_no_degree, recommended_degree_screened."""
    post = _read("postings")
    if region is not None:
        post = post[post["region"] == region]
    # the same (requirements, degree) pair twice cannot change "any posting matches"
    req = {
        (frozenset(map(str, r)), bool(d) if pd.notna(d) else False)
        for r, d in zip(post["required_skills"], post["requires_degree"], strict=True)
        if len(r)
    }
    people = learners if region is None else learners[learners["region"] == region]
    rows = []
    for lid, education in zip(people.index, people["highest_education"], strict=True):
        skills = skills_of.get(str(lid), frozenset())
        hits = [deg for r, deg in req if len(skills & r) / len(r) >= share - 1e-9]
        any_match = bool(hits)
        no_degree = any(not deg for deg in hits)
        has_degree = education in DEGREES
        rows.append(
            {
                "learner_id": lid,
                "recommended": int(any_match),
                "recommended_no_degree": int(no_degree),
                "recommended_degree_screened": int(any_match if has_degree else no_degree),
            }
        )
    return pd.DataFrame(rows).set_index("learner_id").join(people)


@pytest.mark.parametrize(
    ("by", "share", "region"),
    [("stars", 0.75, None), ("race_ethnicity", 1.0, None), ("stars", 0.75, "pacific")],
)
def test_matcher_fairness_against_fairlearn(
    pilot: Any,
    skills_of: dict[str, frozenset[str]],
    learners: pd.DataFrame,
    by: str,
    share: float,
    region: str | None,
) -> None:
    got = matcher_fairness(
        pilot, by=by, qualified_share=share, region=region, per="learner", min_cell=1
    )
    frame = _learner_frame(skills_of, learners, share, region)
    sensitive = frame[by].astype(str).str.lower()
    for measure in ("recommended", "recommended_no_degree", "recommended_degree_screened"):
        y = frame[measure].to_numpy()
        mf = MetricFrame(metrics=selection_rate, y_true=y, y_pred=y, sensitive_features=sensitive)
        rows = got[(got["measure"] == measure) & (got["group"] != "all")].set_index("group")
        assert not rows["suppressed"].any(), "pick a case where nothing is hidden"
        by_group = mf.by_group
        assert sorted(rows.index) == sorted(by_group.index)
        for group, rate in by_group.items():
            assert rows.loc[group, "estimate"] == pytest.approx(rate)
            assert rows.loc[group, "n"] == (sensitive == group).sum()
        overall = got[(got["measure"] == measure) & (got["group"] == "all")].iloc[0]
        assert overall["estimate"] == pytest.approx(mf.overall)
        ratio = demographic_parity_ratio(y, y, sensitive_features=sensitive)
        difference = demographic_parity_difference(y, y, sensitive_features=sensitive)
        assert rows["impact_ratio"].min() == pytest.approx(ratio)
        assert -rows["difference"].min() == pytest.approx(difference)
        assert got.attrs["disparity"][measure]["ratio"] == pytest.approx(ratio)
        assert got.attrs["disparity"][measure]["difference"] == pytest.approx(difference)
        per_group = by_group / by_group.max()
        for group, value in per_group.items():
            assert rows.loc[group, "impact_ratio"] == pytest.approx(value)
            assert bool(rows.loc[group, "four_fifths_flag"]) == (value < 0.8)


def test_matcher_fairness_region_occupation_filter(
    pilot: Any, skills_of: dict[str, frozenset[str]], learners: pd.DataFrame
) -> None:
    # only nursing postings: far fewer learners are recommended than with every posting
    every = matcher_fairness(pilot, by="stars", qualified_share=0.75, per="learner", min_cell=1)
    nurses = matcher_fairness(
        pilot, by="stars", qualified_share=0.75, occupation_soc="29-1141.00", per="learner",
        min_cell=1,
    )  # fmt: skip
    post = _read("postings")
    post = post[post["occupation_soc"] == "29-1141.00"]
    req = [frozenset(map(str, r)) for r in post["required_skills"] if len(r)]
    want = sum(
        any(len(skills_of.get(str(lid), frozenset()) & r) / len(r) >= 0.75 - 1e-9 for r in req)
        for lid in learners.index
    )
    row = nurses[(nurses["measure"] == "recommended") & (nurses["group"] == "all")].iloc[0]
    assert round(row["estimate"] * row["n"]) == want
    base = every[(every["measure"] == "recommended") & (every["group"] == "all")].iloc[0]
    assert row["estimate"] < base["estimate"]


# -------------------------------------------------------------------------- suppression


def _not_recoverable(true_k: pd.Series, hidden: pd.Series) -> None:
    """The hidden cells of one table (adding up to a published total) cannot be solved."""
    if hidden.any() and not hidden.all():
        assert hidden.sum() >= 2
        assert true_k[hidden].sum() > 0


def test_skill_gaps_suppression(
    pilot: Any,
    skills_of: dict[str, frozenset[str]],
    occupations: pd.DataFrame,
    learners: pd.DataFrame,
) -> None:
    blocked, sizes = _expected_gaps(skills_of, occupations, learners, "race_ethnicity", 3, 0.5)
    tiny = skill_gaps(pilot, by="race_ethnicity", min_cell=1)
    default = skill_gaps(pilot, by="race_ethnicity", min_cell=20)
    huge = skill_gaps(pilot, by="race_ethnicity", min_cell=10**6)
    assert huge["suppressed"].all()
    assert huge["estimate"].isna().all()
    assert huge["blocked"].isna().all()
    assert huge["n"].isna().all()
    assert default["suppressed"].sum() > tiny["suppressed"].sum()
    # a group of 16 learners is hidden in every row, and so is a complement group
    small = default[default["group"] == "native_hawaiian_pacific_islander"]
    assert small["suppressed"].all()
    hidden_everywhere = {
        g for g, part in default[default["group"] != "all"].groupby("group")
        if part["suppressed"].all()
    }  # fmt: skip
    assert len(hidden_everywhere) >= 2
    # skills whose total is hidden come last, by id: the order hints at no hidden count
    coarse = skill_gaps(pilot, by="race_ethnicity", min_cell=100)
    totals = coarse[coarse["group"] == "all"]
    flags = totals["suppressed"].tolist()
    assert flags == sorted(flags)
    assert 0 < sum(flags) < len(flags)
    assert totals.loc[totals["suppressed"], "skill_id"].tolist() == sorted(
        totals.loc[totals["suppressed"], "skill_id"]
    )
    shown_totals = totals.loc[~totals["suppressed"], "blocked"].tolist()
    assert shown_totals == sorted(shown_totals, reverse=True)
    for row in default[~default["suppressed"]].itertuples():
        k = blocked[(row.skill_id, row.group)]
        assert k >= 20
        assert sizes[row.group] - k >= 20
    for skill, part in default[default["group"] != "all"].groupby("skill_id"):
        true_k = pd.Series([blocked[(skill, g)] for g in part["group"]], index=part.index)
        _not_recoverable(true_k, part["suppressed"])
        true_n = part["group"].map(sizes)
        _not_recoverable(true_n - true_k, part["suppressed"])


def test_matcher_fairness_suppression(pilot: Any) -> None:
    default = matcher_fairness(pilot, qualified_share=0.75, per="learner")
    tiny = matcher_fairness(pilot, qualified_share=0.75, per="learner", min_cell=1)
    assert default["suppressed"].sum() > tiny["suppressed"].sum()
    hidden = default[default["suppressed"]]
    assert hidden["estimate"].isna().all()
    assert hidden["impact_ratio"].isna().all()
    assert hidden["four_fifths_flag"].isna().all()
    for measure, part in default[default["group"] != "all"].groupby("measure"):
        truth = tiny.set_index(["measure", "group"])
        n = truth.loc[[(measure, g) for g in part["group"]], "n"].to_numpy()
        rate = truth.loc[[(measure, g) for g in part["group"]], "estimate"].to_numpy()
        k = pd.Series(np.rint(n.astype(float) * rate.astype(float)), index=part.index)
        # where min_cell=1 hid a cell (a full group) the count is unknown: skip the check
        if not np.isnan(k).any():
            _not_recoverable(k, part["suppressed"])
            _not_recoverable(pd.Series(n.astype(float), index=part.index) - k, part["suppressed"])
        # the reference group is a shown one, so no ratio reveals a hidden rate
        shown = part[~part["suppressed"]]
        reference = set(shown["reference_group"].dropna())
        assert reference <= set(shown["group"])
    huge = matcher_fairness(pilot, qualified_share=0.75, per="learner", min_cell=10**6)
    assert huge["suppressed"].all()
    assert huge["estimate"].isna().all()


def _pair_frame(
    skills_of: dict[str, frozenset[str]], learners: pd.DataFrame, share: float, region: str
) -> pd.DataFrame:
    """One row per (learner, posting) of a region: what the matcher recommends."""
    post = _read("postings")
    post = post[(post["region"] == region) & (post["required_skills"].map(len) > 0)]
    people = learners[learners["region"] == region]
    rows = []
    for lid, education in zip(people.index, people["highest_education"], strict=True):
        skills = skills_of.get(str(lid), frozenset())
        for pid, required, degree in zip(
            post["posting_id"], post["required_skills"], post["requires_degree"], strict=True
        ):
            need = frozenset(map(str, required))
            hit = len(skills & need) / len(need) >= share - 1e-9
            open_to_all = not (bool(degree) if pd.notna(degree) else False)
            rows.append({
                "learner_id": lid, "posting_id": pid, "recommended": int(hit),
                "recommended_no_degree": int(hit and open_to_all),
                "recommended_degree_screened": int(
                    hit and (open_to_all or education in DEGREES)
                ),
            })  # fmt: skip
    return pd.DataFrame(rows).merge(people, left_on="learner_id", right_index=True)


@pytest.mark.parametrize(("by", "share"), [("stars", 0.5), ("race_ethnicity", 0.75)])
def test_matcher_fairness_per_posting_against_fairlearn(
    pilot: Any,
    skills_of: dict[str, frozenset[str]],
    learners: pd.DataFrame,
    by: str,
    share: float,
) -> None:
    got = matcher_fairness(pilot, by=by, qualified_share=share, region="pacific", min_cell=1)
    assert got.attrs["parameters"]["per"] == "posting"
    pairs = _pair_frame(skills_of, learners, share, "pacific")
    assert got.attrs["matchable_postings"] == pairs["posting_id"].nunique()
    sensitive = pairs[by].astype(str).str.lower()
    for measure in ("recommended", "recommended_no_degree", "recommended_degree_screened"):
        y = pairs[measure].to_numpy()
        # fairlearn's selection rate over (learner, posting) pairs
        mf = MetricFrame(metrics=selection_rate, y_true=y, y_pred=y, sensitive_features=sensitive)
        rows = got[(got["measure"] == measure) & (got["group"] != "all")].set_index("group")
        assert not rows["suppressed"].any(), "pick a case where nothing is hidden"
        assert sorted(rows.index) == sorted(mf.by_group.index)
        for group, rate in mf.by_group.items():
            assert rows.loc[group, "estimate"] == pytest.approx(rate, rel=1e-12)
        overall = got[(got["measure"] == measure) & (got["group"] == "all")].iloc[0]
        assert overall["estimate"] == pytest.approx(mf.overall, rel=1e-12)
        ratio = demographic_parity_ratio(y, y, sensitive_features=sensitive)
        assert rows["impact_ratio"].min() == pytest.approx(ratio)
        # the interval is over learners: each learner's share of postings is one value
        per_learner = pairs.groupby("learner_id").agg(share=(measure, "mean"), group=(by, "first"))
        for group, values in per_learner.groupby(per_learner["group"].astype(str).str.lower()):
            low, high = DescrStatsW(values["share"].to_numpy()).tconfint_mean(alpha=0.05)
            assert rows.loc[group, "n"] == len(values)
            assert rows.loc[group, "ci_low"] == pytest.approx(max(low, 0.0), abs=1e-12)
            assert rows.loc[group, "ci_high"] == pytest.approx(min(high, 1.0), abs=1e-12)


def test_matcher_fairness_per_posting_is_telling_where_per_learner_is_not(pilot: Any) -> None:
    # in pilot-default nearly every learner matches some posting: per learner, too few
    # are *not* recommended to publish; per posting the rates show, and the degree
    # screen's gap for STARs (no degree by definition) is flagged
    learner = matcher_fairness(pilot, by="stars", per="learner")
    posting = matcher_fairness(pilot, by="stars")
    assert learner.loc[learner["group"] != "all", "suppressed"].all()
    shown = posting[~posting["suppressed"]]
    assert len(shown) == len(posting)
    screened = shown[shown["measure"] == "recommended_degree_screened"].set_index("group")
    assert bool(screened.loc["true", "four_fifths_flag"])
    no_degree = shown[shown["measure"] == "recommended_no_degree"].set_index("group")
    assert screened.loc["true", "estimate"] == pytest.approx(no_degree.loc["true", "estimate"])


def test_matcher_fairness_per_posting_suppression(pilot: Any) -> None:
    tiny = matcher_fairness(pilot, by="race_ethnicity", qualified_share=1.0, min_cell=1)
    default = matcher_fairness(pilot, by="race_ethnicity", qualified_share=1.0, min_cell=60)
    assert default["suppressed"].sum() > 0
    hidden = default[default["suppressed"]]
    assert hidden["estimate"].isna().all()
    assert hidden["impact_ratio"].isna().all()
    truth = tiny.set_index(["measure", "group"])
    for measure, part in default[default["group"] != "all"].groupby("measure"):
        n = truth.loc[[(measure, g) for g in part["group"]], "n"]
        assert part.loc[(n < 60).to_numpy(), "suppressed"].all()
        # one hidden group's sum of shares would follow from the "all" row's
        assert part["suppressed"].sum() != 1
        shown = part[~part["suppressed"]]
        assert set(shown["reference_group"].dropna()) <= set(shown["group"])


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("call", "text"),
    [
        (lambda p: skill_gaps(p, by="shoe_size"), "'shoe_size'"),
        (lambda p: matcher_fairness(p, by="shoe_size"), "'shoe_size'"),
        (lambda p: skill_gaps(p, k=0), "k must be a positive integer, got 0"),
        (lambda p: top_occupations(p, k=0), "got 0"),
        (lambda p: top_occupations(p, k=-2), "got -2"),
        (lambda p: matcher_fairness(p, qualified_share=0.0), "got 0.0"),
        (lambda p: matcher_fairness(p, qualified_share=1.5), "got 1.5"),
        (lambda p: skill_gaps(p, qualified_share=-0.1), "got -0.1"),
        (lambda p: top_occupations(p, qualified_share=2), "got 2"),
        (lambda p: skill_distance(p, reachable=1.5), "got 1.5"),
        (lambda p: matcher_fairness(p, region=[]), "got []"),
        (lambda p: matcher_fairness(p, per="pair"), "per must be 'posting' or 'learner'"),
        (lambda p: matcher_fairness(p, region="pacfic"), "no posting has region 'pacfic'"),
        (
            lambda p: matcher_fairness(p, occupation_soc=["15-1232.00", "99-9999.00"]),
            "'99-9999.00'",
        ),
        (lambda p: skill_gaps(p, min_cell=0), "not 0"),
    ],
)
def test_bad_input(pilot: Any, call: Any, text: str) -> None:
    with pytest.raises(LerkitError) as info:
        call(pilot)
    assert info.value.code == "invalid_argument"
    assert text in str(info.value)


# -------------------------------------------------------------------------------- figures


def _bar_values(fig: Any) -> list[Any]:
    values: list[Any] = []
    for trace in fig.data:
        values.extend(trace.x if trace.orientation == "h" else trace.y)
    return values


def test_skill_gaps_figure(pilot: Any) -> None:
    result = skill_gaps(pilot, by="race_ethnicity", min_cell=20)
    fig = skill_gaps_figure(result, top=24)
    assert fig.layout.title.text.startswith("Missing skills blocking learners")
    assert fig.layout.xaxis.title.text
    assert fig.layout.yaxis.title.text == "Skill"
    rows = result[result["group"] != "all"]
    values = _bar_values(fig)
    assert len(values) == len(rows)
    assert sum(v is None for v in values) == int(rows["suppressed"].sum()) > 0
    shown = sorted(float(v) for v in values if v is not None)
    assert shown == pytest.approx(sorted(rows.loc[~rows["suppressed"], "estimate"]))
    assert "hidden" in fig.layout.title.subtitle.text
    with pytest.raises(LerkitError, match="skill_gaps"):
        skill_gaps_figure(matcher_fairness(pilot, qualified_share=0.75))


def test_skill_distance_figure(pilot: Any) -> None:
    result = skill_distance(pilot)
    fig = skill_distance_figure(result)
    reachable = result[result["reachable"]]
    (trace,) = fig.data
    assert len(trace.x) == len(reachable) > 0
    assert [c[0] for c in trace.customdata] == list(reachable.index)
    assert list(trace.x) == pytest.approx(list(reachable["estimate"]))
    assert list(trace.y) == pytest.approx(list(reachable["wage_gain"]))
    first = reachable.iloc[0]
    assert trace.text[0] == f"{first['origin_title']} → {first['destination_title']}"
    assert "US$ per hour" in fig.layout.yaxis.title.text
    assert "%" in fig.layout.xaxis.title.text
    assert fig.layout.title.text
    # hidden people counts are said to be hidden, never drawn as numbers
    for hover, (_, row) in zip(trace.hovertext, reachable.iterrows(), strict=True):
        if row["moved_suppressed"]:
            assert "moved origin → destination: suppressed" in hover
        else:
            assert f"moved origin → destination: {int(row['moved']):,}" in hover
    if reachable["moved_suppressed"].any():
        assert "hidden" in fig.layout.title.subtitle.text


def test_matcher_fairness_figure(pilot: Any) -> None:
    result = matcher_fairness(pilot, qualified_share=0.75, per="learner")
    fig = matcher_fairness_figure(result)
    rows = result[result["group"] != "all"]
    values = _bar_values(fig)
    assert len(fig.data) == 3
    assert len(values) == len(rows)
    assert sum(v is None for v in values) == int(rows["suppressed"].sum()) > 0
    for trace in fig.data:
        for value, plus in zip(trace.y, trace.error_y.array, strict=True):
            assert (value is None) == (plus is None)
    assert fig.layout.title.text
    assert fig.layout.xaxis.title.text
    assert fig.layout.yaxis.title.text
    lines = [s for s in fig.layout.shapes if s.line.dash == "dash"]
    assert len(lines) == 3
    for line, measure in zip(
        lines, result["measure"].drop_duplicates().sort_values(), strict=False
    ):
        assert line.y0 is not None
        part = result[(result["measure"] == measure) & ~result["suppressed"]]
        assert line.y0 <= part["estimate"].max()
    best = rows.loc[~rows["suppressed"] & (rows["measure"] == "recommended"), "estimate"].max()
    assert any(s.y0 == pytest.approx(0.8 * best) for s in lines)
