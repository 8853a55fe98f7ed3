"""Reports equity-opportunity, skills-and-hiring and one-pager, and their helpers.

The notebooks run through papermill with non-default parameters on a second,
freshly synthesized dataset (another group column, an occupation filter, another
focus); their key numbers are checked against plain pandas / scipy / statsmodels
computed straight from the parquet files.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pytest
from report_helpers import checked_output
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

import lerkit as lk
from lerkit.analysis._descriptive import credential_attainment, ler_funnel, outcome_rates
from lerkit.analysis._engine import Engine, as_engine
from lerkit.errors import LerkitError, ParameterError
from lerkit.reports import read_parameters, run_report
from lerkit.reports._brief import (
    credential_sample,
    data_caveat,
    focus_engine,
    focus_title,
    headline_numbers,
    other_dimensions,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PILOT = ROOT / "datasets" / "pilot-default"
REPORTS = ("equity-opportunity", "skills-and-hiring", "one-pager")


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synth") / "pilot-800"
    lk.datasets.synthesize(800, 31, folder, files=False, csv=False, progress=False)
    return folder


def table(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(folder / f"{name}.parquet")


def count(engine: Engine, name: str) -> int:
    expr = engine.table(name).count().name("n").as_table()
    return int(engine.execute(expr)["n"].iloc[0])


def assert_report_ok(result: Any, dataset: Path) -> str:
    html = result.html_path.read_text(encoding="utf-8")
    assert result.html_path.is_file()
    assert "lerkit-provenance" in html
    assert f"sha256:{lk.fingerprint(dataset)[:16]}" in html
    assert "Traceback" not in html
    assert "Synthetic data." in html
    return html


# -- the notebooks' parameters -----------------------------------------------------


@pytest.mark.parametrize("name", REPORTS)
def test_reports_declare_shared_parameters(name: str) -> None:
    specs = read_parameters(NOTEBOOKS / f"{name}.ipynb")
    assert specs["dataset"].default == "pilot-default"
    assert specs["group"].default == "race_ethnicity"
    assert specs["min_cell"].default == 10
    assert specs["min_cell"].type_name == "int"


def test_one_pager_defaults_name_a_real_region() -> None:
    specs = read_parameters(NOTEBOOKS / "one-pager.ipynb")
    assert specs["focus"].default == "region"
    assert specs["value"].default in set(table(PILOT, "learners")["region"])


def test_invalid_parameters_are_refused_before_the_kernel_starts(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match=r"'min_cell' of report 'one-pager' expects int"):
        run_report("one-pager", {"min_cell": "ten"}, output_dir=tmp_path)
    with pytest.raises(ParameterError, match=r"unknown parameter 'groups'.*did you mean 'group'"):
        run_report("equity-opportunity", {"groups": "gender"}, output_dir=tmp_path)
    with pytest.raises(ParameterError, match=r"'occupation' of report 'skills-and-hiring'"):
        run_report("skills-and-hiring", {"occupation": 15}, output_dir=tmp_path)
    assert not any(tmp_path.iterdir())  # nothing ran, nothing was written


# -- papermill runs with other parameters --------------------------------------------


def test_equity_report_on_another_dataset_and_group(synth: Path, tmp_path: Path) -> None:
    result = run_report(
        "equity-opportunity",
        {"dataset": str(synth), "group": "gender", "intersect": "veteran", "verify_sample": 50},
        output_dir=tmp_path,
    )
    assert_report_ok(result, synth)
    printed = checked_output(result.notebook_path, "rep[")
    shown = pd.read_csv(io.StringIO(printed), sep=r"\s+")
    counts = table(synth, "learners")["gender"].value_counts()
    published = shown[~shown["suppressed"]]
    assert len(published) >= 2
    for row in published.itertuples():
        assert int(row.n) == counts[row.category]
        assert row.estimate == pytest.approx(counts[row.category] / counts.sum(), abs=5e-4)


def test_skills_report_with_occupation_filter(synth: Path, tmp_path: Path) -> None:
    result = run_report(
        "skills-and-hiring",
        {"dataset": str(synth), "group": "gender", "occupation": "43-4051.00"},
        output_dir=tmp_path,
    )
    html = assert_report_ok(result, synth)
    assert "43-4051.00" in html
    printed = checked_output(result.notebook_path, "hired[")
    shown = pd.read_csv(io.StringIO(printed), sep=r"\s+")
    apps = table(synth, "applications").merge(table(synth, "learners"), on="learner_id")
    expected = apps.groupby(["screen", "gender"]).size()
    published = shown.dropna(subset=["n"])
    assert len(published) >= 2
    for row in published.itertuples():
        assert int(row.n) == expected[(row.screen, row.category)]


def test_one_pager_for_a_program(synth: Path, tmp_path: Path) -> None:
    result = run_report(
        "one-pager",
        {"dataset": str(synth), "group": "gender", "focus": "program", "value": "bootcamp"},
        output_dir=tmp_path,
    )
    assert_report_ok(result, synth)
    printed = checked_output(result.notebook_path, "headlines")
    learners = table(synth, "learners")
    bootcamp = learners[learners["pathway"] == "bootcamp"]
    held = table(synth, "credentials").groupby("learner_id").size()
    per_learner = held.reindex(bootcamp["learner_id"], fill_value=0)
    line = next(x for x in printed.splitlines() if x.startswith("Credentials per learner"))
    assert f"{per_learner.mean():.2f} (" in line
    assert f"{len(bootcamp):,} people" in line


# -- the helpers -------------------------------------------------------------------


def test_focus_region_keeps_the_regions_learners_and_their_rows() -> None:
    engine = focus_engine(lk.datasets.load("pilot-default"), "region", "pacific")
    learners = table(PILOT, "learners")
    ids = set(learners.loc[learners["region"] == "pacific", "learner_id"])
    assert count(engine, "learners") == len(ids)
    for name in ("credentials", "ler_events", "outcomes", "applications"):
        rows = table(PILOT, name)
        assert count(engine, name) == int(rows["learner_id"].isin(ids).sum()), name
    assert count(engine, "postings") == len(table(PILOT, "postings"))


def test_focus_employer_keeps_its_postings_and_applicants() -> None:
    engine = focus_engine(as_engine(lk.datasets.load("pilot-default")), "employer", "emp-0002")
    postings = table(PILOT, "postings")
    mine = postings[postings["employer_id"] == "emp-0002"]
    apps = table(PILOT, "applications")
    applied = apps[apps["posting_id"].isin(mine["posting_id"])]
    assert len(applied) > 0
    assert count(engine, "postings") == len(mine)
    assert count(engine, "applications") == len(applied)
    assert count(engine, "learners") == applied["learner_id"].nunique()
    outcomes = table(PILOT, "outcomes")
    assert count(engine, "outcomes") == int(
        outcomes["learner_id"].isin(applied["learner_id"]).sum()
    )


def test_focus_rejects_unknown_focus_and_value() -> None:
    data = lk.datasets.load("pilot-default")
    with pytest.raises(LerkitError) as caught:
        focus_engine(data, "county", "x")
    assert caught.value.code == "invalid_focus"
    assert "not 'county'" in str(caught.value)
    with pytest.raises(LerkitError) as caught:
        focus_engine(data, "region", "atlantis")
    assert caught.value.code == "unknown_focus_value"
    assert str(caught.value).startswith("no region 'atlantis' in the dataset; region values: ")
    assert "pacific" in str(caught.value)


def test_credential_sample_is_the_first_files_by_id() -> None:
    engine = credential_sample(lk.datasets.load("pilot-default"), 25)
    kept = engine.execute(engine.table("credentials").select("credential_id"))["credential_id"]
    credentials = table(PILOT, "credentials")
    expected = sorted(credentials.loc[credentials["file"].notna(), "credential_id"])[:25]
    assert sorted(kept) == expected
    with pytest.raises(LerkitError, match="at least 1, not 0") as caught:
        credential_sample(engine, 0)
    assert caught.value.code == "invalid_argument"


def test_other_dimensions() -> None:
    assert other_dimensions("program", "gender") == ["region", "occupation", "gender"]
    assert other_dimensions("employer", "region") == ["region", "occupation", "pathway"]
    with pytest.raises(LerkitError, match="not 'town'"):
        other_dimensions("town", "gender")


def test_headline_numbers_match_an_independent_computation() -> None:
    engine = focus_engine(lk.datasets.load("pilot-default"), "region", "mountain")
    headlines = headline_numbers(
        outcome_rates(engine, by="cohort", reference_group="comparison"),
        credential_attainment(engine, by=None),
        ler_funnel(engine, by=None),
    ).set_index("measure")
    learners = table(PILOT, "learners")
    here = learners[learners["region"] == "mountain"]
    outcomes = table(PILOT, "outcomes")
    last = outcomes[outcomes["period"] == outcomes["period"].max()]
    ler = last[last["learner_id"].isin(here.loc[here["cohort"] == "ler", "learner_id"])]
    k, n = int(ler["employed"].sum()), len(ler)
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    row = headlines.loc["employment_rate"]
    assert (row["estimate"], row["n"]) == (pytest.approx(k / n), n)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert (
        f"{k / n * 100:.1f}% (95% interval {low * 100:.1f}% to {high * 100:.1f}%"
        in (row["statement"])
    )
    comparison = last[
        last["learner_id"].isin(here.loc[here["cohort"] == "comparison", "learner_id"])
    ]
    gap = headlines.loc["employment_gap"]
    assert gap["estimate"] == pytest.approx(k / n - comparison["employed"].mean())
    assert gap["ci_low"] < gap["estimate"] < gap["ci_high"]

    held = table(PILOT, "credentials").groupby("learner_id").size()
    per_learner = held.reindex(here["learner_id"], fill_value=0).to_numpy(dtype=float)
    t_low, t_high = stats.t.interval(
        0.95, len(per_learner) - 1, loc=per_learner.mean(), scale=stats.sem(per_learner)
    )
    mean = headlines.loc["credentials_per_learner"]
    assert mean["estimate"] == pytest.approx(per_learner.mean())
    assert (mean["ci_low"], mean["ci_high"]) == (pytest.approx(t_low), pytest.approx(t_high))

    events = table(PILOT, "ler_events")
    ler_ids = set(here.loc[here["cohort"] == "ler", "learner_id"])
    verified = events[(events["event"] == "verified") & events["learner_id"].isin(ler_ids)]
    share = headlines.loc["share_verified"]
    assert share["estimate"] == pytest.approx(verified["learner_id"].nunique() / len(ler_ids))
    assert not headlines["suppressed"].any()


def test_headline_numbers_hide_suppressed_cells() -> None:
    engine = focus_engine(lk.datasets.load("pilot-default"), "region", "new_england")
    headlines = headline_numbers(
        outcome_rates(engine, by="cohort", reference_group="comparison", min_cell=5000),
        credential_attainment(engine, by=None, min_cell=5000),
        ler_funnel(engine, by=None, min_cell=5000),
    )
    assert headlines["suppressed"].all()
    assert headlines["estimate"].isna().all()
    assert all(s.endswith("suppressed (too few people to publish)") for s in headlines["statement"])
    assert not any(np.isfinite(headlines["ci_low"]))


def test_data_caveat() -> None:
    data = lk.datasets.load("pilot-default")
    caveat = data_caveat(data)
    assert caveat._repr_markdown_().startswith("**Synthetic data.**")
    assert "'pilot-default'" in str(caveat)
    bare = Engine(ibis.duckdb.connect(), {})
    assert str(data_caveat(bare)) == ""


def test_focus_title_names_the_focus_and_counts_people() -> None:
    data = lk.datasets.load("pilot-default")
    employers = table(PILOT, "employers").set_index("employer_id")
    postings = table(PILOT, "postings")
    apps = table(PILOT, "applications")
    mine = apps[
        apps["posting_id"].isin(postings.loc[postings["employer_id"] == "emp-0002", "posting_id"])
    ]
    title = str(focus_title(data, "employer", "emp-0002"))
    name = employers.loc["emp-0002", "name"]
    assert title == f"## Employer: {name} (emp-0002) ({mine['learner_id'].nunique():,} applicants)"
    learners = table(PILOT, "learners")
    n = int((learners["pathway"] == "community_college").sum())
    assert str(focus_title(data, "program", "community_college")) == (
        f"## Program: community college ({n:,} learners)"
    )
