"""Figure builders of the analyses: house style, numbers traced to the result, small cells.

Every analysis runs once per module on pilot-default (and once more with a minimum cell
so large that every cell is hidden). Each figure's plotted numbers are checked against
the result frame through the row ids the builders put in ``customdata``, and a few
against numbers computed straight from the parquet files or statsmodels.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import proportion_effectsize

import lerkit as lk
from lerkit.analysis._decomposition import gap_decomposition
from lerkit.analysis._descriptive import (
    credential_attainment,
    ler_funnel,
    outcome_rates,
    representation,
    verification_summary,
)
from lerkit.analysis._efficiency import process_efficiency
from lerkit.analysis._evaluation import pilot_evaluation
from lerkit.analysis._follow_through import degree_requirement_follow_through
from lerkit.analysis._hiring import adverse_impact
from lerkit.analysis._power import detectable_effect, power_analysis
from lerkit.analysis._profile import learner_profile
from lerkit.analysis._screens import degree_vs_skills
from lerkit.analysis._survival import time_to_employment
from lerkit.errors import LerkitError
from lerkit.plots._decomposition import (
    gap_decomposition_figure,
    gap_decomposition_variables_figure,
)
from lerkit.plots._descriptive import (
    credential_attainment_figure,
    ler_funnel_figure,
    outcome_rates_figure,
    representation_difference_figure,
    representation_figure,
    verification_faults_figure,
    verification_summary_figure,
)
from lerkit.plots._efficiency import process_efficiency_figure, process_efficiency_savings_figure
from lerkit.plots._evaluation import (
    detectable_effect_figure,
    pilot_evaluation_figure,
    power_analysis_figure,
)
from lerkit.plots._hiring import adverse_impact_figure, adverse_impact_ratio_figure
from lerkit.plots._profile import learner_profile_figure, learner_profile_opportunities_figure
from lerkit.plots._screens import (
    degree_requirement_follow_through_figure,
    degree_requirement_hires_figure,
    degree_requirement_typology_figure,
    degree_vs_skills_composition_figure,
    degree_vs_skills_figure,
)
from lerkit.plots._style import TEMPLATE
from lerkit.plots._survival import time_to_employment_figure
from lerkit.verify import VerifyOptions, verify_many

HUGE = 10**6
DATA = Path(__file__).resolve().parents[1] / "datasets" / "pilot-default"
#: a census-like reference for race/ethnicity (covers 5 of the 8 categories)
REFERENCE = {
    "race_ethnicity": {
        "white": 0.55,
        "black": 0.15,
        "hispanic_latino": 0.20,
        "asian": 0.06,
        "two_or_more": 0.04,
    }
}
UNITS = ("%", "count", "days", "quarters", "USD", "log points", "percentage points", "÷")


#: credential files verified per issuer folder: three full cells and two small ones
SAMPLE = {
    "brightpath.example.com": 12,
    "certify.example.org": 12,
    "forge-academy.example.com": 12,
    "workforce-east.example.org": 6,
    "riverbend.example.edu": 6,
}


def _verified(dataset: Any) -> pd.DataFrame:
    """verify_many over a sample of the dataset's credential files, with the options
    verification_summary uses for a whole dataset (its status lists, DID documents and
    as_of date): all ~3,300 files take a minute on a busy shared machine."""
    credentials = pd.read_parquet(DATA / "credentials.parquet")
    files = pd.Series(sorted(credentials["file"].dropna()))
    folder = files.str.split("/").str[1]
    picked = [f for name, k in SAMPLE.items() for f in files[folder == name].head(k)]
    options = VerifyOptions(
        now=dt.datetime.combine(dataset.metadata.as_of, dt.time(), dt.UTC),
        status_lists=DATA / "status",
        did_web=DATA / "dids",
    )
    return verify_many([DATA / f for f in picked], options=options, workers=1, progress=False)


def _run(dataset: Any, min_cell: int, verified: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every analysis once, at the given minimum cell size."""
    return {
        "representation": representation(dataset, reference=REFERENCE, min_cell=min_cell),
        "credential_attainment": credential_attainment(dataset, min_cell=min_cell),
        "ler_funnel": ler_funnel(dataset, min_cell=min_cell),
        "verification_summary": verification_summary(verified, min_cell=min_cell),
        "outcome_rates": outcome_rates(dataset, intersect="gender", min_cell=min_cell),
        "adverse_impact": adverse_impact(dataset, min_cell=min_cell),
        "degree_vs_skills": degree_vs_skills(dataset, min_cell=min_cell),
        "follow_through": degree_requirement_follow_through(dataset, min_cell=min_cell),
        # a 5,000-learner pilot has no employer with 10 hires on both sides of a drop, so
        # the hires figure is drawn from looser settings (suppression is tested elsewhere)
        "follow_through_hires": degree_requirement_follow_through(
            dataset, alpha=0.05, min_postings=20, min_cell=5 if min_cell < HUGE else min_cell
        ),
        "time_to_employment": time_to_employment(dataset, min_cell=min_cell),
        "pilot_evaluation": pilot_evaluation(dataset, min_cell=min_cell),
        "gap_decomposition": gap_decomposition(
            dataset, n_boot=20 if min_cell < HUGE else 0, min_cell=min_cell
        ),
        "process_efficiency": process_efficiency(dataset, min_cell=min_cell),
        "process_efficiency_screen": process_efficiency(
            dataset, by=("credential_check", "screen"), min_cell=min_cell
        ),
    }


@pytest.fixture(scope="module")
def dataset() -> Any:
    return lk.datasets.load("pilot-default")


@pytest.fixture(scope="module")
def verified(dataset: Any) -> pd.DataFrame:
    return _verified(dataset)


@pytest.fixture(scope="module")
def results(dataset: Any, verified: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return _run(dataset, 10, verified)


@pytest.fixture(scope="module")
def hidden_results(dataset: Any, verified: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return _run(dataset, HUGE, verified)


# -- the cases: which builder draws which rows, and which column each trace shows --------

Value = str | Callable[[pd.Series], float]


@dataclass(frozen=True)
class Case:
    id: str
    key: str
    build: Callable[..., go.Figure]
    kwargs: dict[str, Any] = field(default_factory=dict)
    select: Callable[[pd.DataFrame], pd.Series] = lambda f: pd.Series(True, index=f.index)
    value: Value | Callable[[str], Value] = "estimate"
    interval: tuple[str, str] | None = ("ci_low", "ci_high")


def _expected_reference(row: pd.Series) -> float:
    # independent of the builder: the reference's share among covered categories,
    # rescaled to all learners by covered / total
    return float(row["reference_share"]) * float(row["_base"]) / float(row["total"])


def _by_name(mapping: dict[str, Value], default: Value = "estimate") -> Callable[[str], Value]:
    def pick(name: str) -> Value:
        for key, value in mapping.items():
            if name.startswith(key) or name.endswith(key):
                return value
        return default

    return pick


CASES = [
    Case(
        "representation_race",
        "representation",
        representation_figure,
        {"attribute": "race_ethnicity"},
        lambda f: f["attribute"] == "race_ethnicity",
        _by_name({"Share expected from the reference": _expected_reference}),
    ),
    Case(
        "representation_default",
        "representation",
        representation_figure,
        {},
        lambda f: f["attribute"] == f["attribute"].iloc[0],
    ),
    Case(
        "representation_difference",
        "representation",
        representation_difference_figure,
        {},
        lambda f: (f["attribute"] == "race_ethnicity") & f["reference_share"].notna(),
        "difference",
        ("difference_low", "difference_high"),
    ),
    Case(
        "credentials_per_learner",
        "credential_attainment",
        credential_attainment_figure,
        {},
        lambda f: f["measure"] == "credentials_per_learner",
    ),
    Case(
        "share_holding_level",
        "credential_attainment",
        credential_attainment_figure,
        {"measure": "share_holding", "dimension": "level"},
        lambda f: (f["measure"] == "share_holding") & (f["dimension"] == "level"),
    ),
    Case("funnel", "ler_funnel", ler_funnel_figure),
    Case(
        "funnel_conversion",
        "ler_funnel",
        ler_funnel_figure,
        {"measure": "conversion"},
        lambda f: f["stage"] != "issued",
        "conversion",
        ("conversion_low", "conversion_high"),
    ),
    Case("verification", "verification_summary", verification_summary_figure),
    Case(
        "verification_faults",
        "verification_summary",
        verification_faults_figure,
        value=_by_name(
            {
                "Revoked": "revoked",
                "Suspended": "suspended",
                "Expired": "expired",
                "Tampered with (signature fails)": "tampered",
                "Unreadable": "unreadable",
            }
        ),
        interval=None,
    ),
    Case("outcome_rates", "outcome_rates", outcome_rates_figure),
    Case(
        "outcome_gaps",
        "outcome_rates",
        outcome_rates_figure,
        {"view": "gap"},
        value="gap",
        interval=("gap_low", "gap_high"),
    ),
    Case(
        "adverse_impact_race",
        "adverse_impact",
        adverse_impact_figure,
        {},
        lambda f: f["dimension"] == "race_ethnicity",
    ),
    Case(
        "adverse_impact_intersection",
        "adverse_impact",
        adverse_impact_figure,
        {"dimension": "gender × race_ethnicity"},
        lambda f: f["dimension"] == "gender × race_ethnicity",
    ),
    Case(
        "impact_ratio",
        "adverse_impact",
        adverse_impact_ratio_figure,
        {"dimension": "gender"},
        lambda f: (
            (f["dimension"] == "gender")
            & ~f["unknown_demographics"].astype(bool)
            & ~f["excluded_small_category"].astype(bool)
        ),
        "impact_ratio",
        None,
    ),
    Case(
        "opportunity_gap",
        "degree_vs_skills",
        degree_vs_skills_figure,
        {},
        lambda f: f["measure"] == "opportunity_gap",
    ),
    Case(
        "screen_composition",
        "degree_vs_skills",
        degree_vs_skills_composition_figure,
        {},
        lambda f: f["measure"].str.startswith("share_"),
    ),
    Case(
        "degree_postings",
        "follow_through",
        degree_requirement_follow_through_figure,
        {},
        lambda f: f["part"] == "quarterly",
    ),
    Case(
        "degree_hires",
        "follow_through_hires",
        degree_requirement_hires_figure,
        {},
        lambda f: (f["part"] == "employers") & f["dropped_on"].notna(),
        _by_name(
            {
                "Before the drop": "nondegree_share_before",
                "After the drop": "nondegree_share_after",
            }
        ),
        None,
    ),
    Case(
        "time_to_employment",
        "time_to_employment",
        time_to_employment_figure,
        {},
        lambda f: f["measure"] == "survival",
        _by_name({": upper limit": "ci_high", ": lower limit": "ci_low"}),
        None,
    ),
    Case("pilot_evaluation", "pilot_evaluation", pilot_evaluation_figure),
    Case(
        "gap_twofold",
        "gap_decomposition",
        gap_decomposition_figure,
        {},
        lambda f: f["measure"].isin(["gap", "explained", "unexplained"]),
    ),
    Case(
        "gap_threefold",
        "gap_decomposition",
        gap_decomposition_figure,
        {"parts": "threefold"},
        lambda f: f["measure"].isin(["gap", "endowments", "coefficients", "interaction"]),
    ),
    Case(
        "gap_variables",
        "gap_decomposition",
        gap_decomposition_variables_figure,
        {},
        lambda f: f["measure"].str.startswith("explained:"),
    ),
    Case(
        "check_days",
        "process_efficiency",
        process_efficiency_figure,
        {},
        lambda f: f["measure"] == "mean_check_days",
    ),
    Case(
        "check_days_median_by_screen",
        "process_efficiency_screen",
        process_efficiency_figure,
        {"measure": "median_check_days"},
        lambda f: f["measure"] == "median_check_days",
    ),
    Case(
        "days_saved",
        "process_efficiency",
        process_efficiency_savings_figure,
        {},
        lambda f: f["measure"] == "difference_in_means",
    ),
    Case(
        "hiring_days_saved_by_screen",
        "process_efficiency_screen",
        process_efficiency_savings_figure,
        {"measure": "hiring_days_saved"},
        lambda f: f["measure"] == "hiring_days_saved",
    ),
]


# -- reading a figure back ----------------------------------------------------------------


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _numeric_axis(trace: Any) -> str:
    if getattr(trace, "orientation", None) == "h":
        return "x"
    ys = [v for v in (trace.y or ()) if not _missing(v)]
    return "x" if ys and all(isinstance(v, str) for v in ys) else "y"


def _points(fig: go.Figure) -> Iterator[tuple[Any, int | None, Any, int]]:
    """(trace, row id, plotted value, point position) for every point of every trace."""
    for trace in fig.data:
        values = list(getattr(trace, _numeric_axis(trace)) or ())
        ids = list(trace.customdata) if trace.customdata is not None else [None] * len(values)
        for position, (value, row) in enumerate(zip(values, ids, strict=True)):
            row_id = None if row is None or _missing(row[0]) else row[0]
            yield trace, row_id, value, position


def _same(plotted: Any, expected: Any) -> bool:
    if _missing(plotted) or _missing(expected):
        return _missing(plotted) and _missing(expected)
    return math.isclose(float(plotted), float(expected), rel_tol=1e-9, abs_tol=1e-12)


def _frame(case: Case, results: dict[str, pd.DataFrame]) -> pd.DataFrame:
    frame = results[case.key].copy()
    if "reference_base" in frame:
        base = pd.to_numeric(frame["reference_base"], errors="coerce")
        frame["_base"] = base.groupby(frame["attribute"]).transform("max")
    return frame


def _expected(case: Case, trace_name: str, row: pd.Series) -> Any:
    value: Any = case.value
    if value in (_by_name,) or getattr(value, "__name__", "") == "pick":
        value = value(trace_name)
    if callable(value):
        if bool(row["suppressed"]):
            return None
        return value(row)
    return row[value]


def _figure(case: Case, results: dict[str, pd.DataFrame]) -> go.Figure:
    return case.build(results[case.key], **case.kwargs)


# -- the tests ----------------------------------------------------------------------------


def _has_unit(text: str | None) -> bool:
    return bool(text) and any(unit in str(text) for unit in UNITS) and "(" in str(text)


def _check_style(fig: go.Figure) -> None:
    assert fig.layout.title.text
    x, y = fig.layout.xaxis.title.text, fig.layout.yaxis.title.text
    assert x
    assert y
    assert _has_unit(x) or _has_unit(y), (x, y)
    assert list(fig.layout.template.layout.colorway) == list(TEMPLATE.layout.colorway)
    assert fig.data


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_figure_shows_the_result(case: Case, results: dict[str, pd.DataFrame]) -> None:
    frame = _frame(case, results)
    fig = _figure(case, results)
    _check_style(fig)
    plotted = list(_points(fig))
    assert any(not _missing(v) for _t, _r, v, _p in plotted), "no trace shows a number"
    expected_rows = set(frame.index[case.select(frame).to_numpy(dtype=bool)])
    drawn_rows = {r for _t, r, _v, _p in plotted if r is not None}
    assert drawn_rows == expected_rows
    for trace, row_id, value, position in plotted:
        if row_id is None:
            continue
        row = frame.loc[row_id]
        want = _expected(case, trace.name or "", row)
        assert _same(value, want), (trace.name, row_id, value, want)
        if bool(row["suppressed"]):
            assert _missing(value)
        error = trace.error_y if _numeric_axis(trace) == "y" else trace.error_x
        if case.interval is not None and error is not None and error.array is not None:
            low, high = case.interval
            plus, minus = error.array[position], error.arrayminus[position]
            if _missing(value):
                assert _missing(plus)
                assert _missing(minus)
            else:
                # an estimate without an interval (e.g. the reference group's gap of 0)
                # has no whisker
                upper = None if _missing(plus) else float(value) + float(plus)
                lower = None if _missing(minus) else float(value) - float(minus)
                assert _same(upper, row[high])
                assert _same(lower, row[low])
    hidden = frame[case.select(frame).to_numpy(dtype=bool) & frame["suppressed"].astype(bool)]
    subtitle = fig.layout.title.subtitle.text or ""
    if len(hidden):
        assert f"{len(hidden)} cell" in subtitle
        assert "hidden" in subtitle
    else:
        assert "hidden" not in subtitle


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_everything_hidden(case: Case, hidden_results: dict[str, pd.DataFrame]) -> None:
    frame = hidden_results[case.key]
    assert frame["suppressed"].all()
    fig = _figure(case, hidden_results)
    assert fig.layout.title.text
    assert "hidden" in (fig.layout.title.subtitle.text or "")
    for trace in fig.data:
        for axis in ("x", "y"):
            values = list(getattr(trace, axis) or ())
            if _numeric_axis(trace) == axis:
                assert all(_missing(v) for v in values), (trace.name, values)
        for error in (trace.error_x, trace.error_y):
            if error is not None and error.array is not None:
                assert all(_missing(v) for v in error.array)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_wrong_frame_is_refused(case: Case, results: dict[str, pd.DataFrame]) -> None:
    other = "pilot_evaluation" if case.key != "pilot_evaluation" else "outcome_rates"
    with pytest.raises(LerkitError) as caught:
        case.build(results[other], **case.kwargs)
    assert caught.value.code == "invalid_argument"
    expected = {
        "follow_through": "degree_requirement_follow_through",
        "follow_through_hires": "degree_requirement_follow_through",
    }.get(case.key, case.key)
    expected = expected.removesuffix("_screen")
    assert repr(expected) in str(caught.value)
    with pytest.raises(LerkitError):
        case.build(pd.DataFrame({"estimate": [1.0]}), **case.kwargs)


#: one case per builder: each writes one HTML file
ONE_PER_BUILDER = list({c.build: c for c in reversed(CASES)}.values())[::-1]


@pytest.mark.parametrize("case", ONE_PER_BUILDER, ids=[c.id for c in ONE_PER_BUILDER])
def test_writes_self_contained_html(
    case: Case, results: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    fig = _figure(case, results)
    path = tmp_path / f"{case.id}.html"
    fig.write_html(path, include_plotlyjs=True)
    text = path.read_text(encoding="utf-8")
    assert len(text) > 1_000_000  # plotly.js is embedded: no CDN needed offline
    assert not re.search(r"<script[^>]*\bsrc=", text)  # nothing is fetched from a CDN
    assert fig.layout.title.text[:12] in text


# -- cross-checks against numbers computed without lerkit --------------------------------


def test_representation_bars_match_the_parquet(results: dict[str, pd.DataFrame]) -> None:
    learners = pd.read_parquet(DATA / "learners.parquet")
    shares = learners["pathway"].astype(str).value_counts(normalize=True)
    fig = representation_figure(results["representation"], "pathway")
    frame = results["representation"]
    bars = fig.data[0]
    assert len(bars.x) == learners["pathway"].nunique()
    for value, (row_id,) in zip(bars.x, bars.customdata, strict=True):
        assert value == pytest.approx(shares[frame.loc[row_id, "category"]])


def test_outcome_rate_bars_match_the_parquet(results: dict[str, pd.DataFrame]) -> None:
    learners = pd.read_parquet(DATA / "learners.parquet")
    outcomes = pd.read_parquet(DATA / "outcomes.parquet")
    last = outcomes[outcomes["period"] == outcomes["period"].max()]
    joined = last.merge(learners, on="learner_id")
    joined["employed"] = joined["employed"].fillna(False).astype(bool)
    cells = joined.groupby([joined["race_ethnicity"].astype(str), joined["gender"].astype(str)])[
        "employed"
    ].agg(["mean", "size"])
    frame = results["outcome_rates"]
    fig = outcome_rates_figure(frame)
    seen = 0
    for trace in fig.data:
        for value, (row_id,) in zip(trace.y, trace.customdata, strict=True):
            row = frame.loc[row_id]
            mean, size = cells.loc[(row["race_ethnicity"], row["gender"])]
            if size < 10:
                assert _missing(value)  # a small cell is a gap, never a zero
            if not _missing(value):
                assert value == pytest.approx(mean)
                seen += 1
    assert seen >= 10


def test_check_days_match_the_parquet(results: dict[str, pd.DataFrame]) -> None:
    apps = pd.read_parquet(DATA / "applications.parquet").dropna(subset=["check_days"])
    means = apps.groupby(apps["credential_check"].astype(str))["check_days"].mean()
    fig = process_efficiency_figure(results["process_efficiency"])
    plotted = dict(zip(fig.data[0].x, fig.data[0].y, strict=True))
    assert plotted["LER verification"] == pytest.approx(means["ler"])
    assert plotted["Manual checks"] == pytest.approx(means["manual"])


def test_survival_curves_start_at_one_and_step(results: dict[str, pd.DataFrame]) -> None:
    fig = time_to_employment_figure(results["time_to_employment"])
    curves = [t for t in fig.data if not t.name.endswith("limit")]
    assert len(curves) == results["time_to_employment"]["group"].nunique() - 1  # no "(all)"
    for trace in curves:
        assert trace.line.shape == "hv"
        assert trace.x[0] == 0
        assert trace.y[0] == 1.0
        values = [v for v in trace.y if not _missing(v)]
        assert values == sorted(values, reverse=True)  # a survival curve never rises
    bands = [t for t in fig.data if t.name.endswith("lower limit")]
    assert bands
    assert all(t.fill == "tonexty" for t in bands)


def test_power_curve_matches_statsmodels() -> None:
    plan = power_analysis(effect=0.05, outcome="proportion", baseline=0.74)
    fig = power_analysis_figure(plan)
    _check_style(fig)
    curve, marker = fig.data
    assert marker.x == (float(plan["n_ler"].iloc[0]),)
    assert marker.y == (pytest.approx(0.05),)
    solver = NormalIndPower()
    for n, effect in list(zip(curve.x, curve.y, strict=True))[::7]:
        h = proportion_effectsize(0.74 + effect, 0.74)
        assert solver.power(h, nobs1=n, alpha=0.05, ratio=1.0) == pytest.approx(0.8, abs=1e-4)
    assert list(curve.y) == sorted(curve.y, reverse=True)  # bigger pilots see smaller effects


def test_detectable_effect_marks_this_pilot(dataset: Any, tmp_path: Path) -> None:
    mde = detectable_effect(dataset)
    row = mde.iloc[0]
    fig = detectable_effect_figure(mde)
    _check_style(fig)
    assert fig.layout.yaxis.title.text == "Smallest detectable effect (USD per hour)"
    curve, marker = fig.data
    assert marker.x == (float(row["n_ler"]),)
    assert marker.y[0] == pytest.approx(abs(float(row["effect"])))
    learners = pd.read_parquet(DATA / "learners.parquet")
    assert float(row["n_ler"]) <= (learners["cohort"] == "ler").sum()
    # the curve passes through the pilot's own point
    at = list(curve.x).index(float(row["n_ler"]))
    assert curve.y[at] == pytest.approx(abs(float(row["effect"])), rel=1e-6)
    d = TTestIndPower().power(
        curve.y[0] / float(row["sd"]), nobs1=curve.x[0], alpha=0.05, ratio=float(row["ratio"])
    )
    assert d == pytest.approx(0.8, abs=1e-4)
    fig.write_html(tmp_path / "mde.html", include_plotlyjs=True)
    assert (tmp_path / "mde.html").stat().st_size > 1_000_000
    power_analysis_figure(mde).write_html(tmp_path / "plan.html", include_plotlyjs=True)
    assert (tmp_path / "plan.html").stat().st_size > 1_000_000


def test_power_figures_refuse_other_frames(results: dict[str, pd.DataFrame]) -> None:
    plan = power_analysis(effect=0.05, outcome="proportion", baseline=0.74)
    for build in (power_analysis_figure, detectable_effect_figure):
        with pytest.raises(LerkitError) as caught:
            build(results["outcome_rates"])
        assert caught.value.code == "invalid_argument"
        with pytest.raises(LerkitError, match="without column 'solved'"):
            build(plan.drop(columns="solved"))
    with pytest.raises(LerkitError, match="'detectable_effect'"):
        detectable_effect_figure(plan)  # a plan solved for n is not this pilot's MDE


def test_typology_counts_employers(results: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    frame = results["follow_through"]
    fig = degree_requirement_typology_figure(frame)
    _check_style(fig)
    employers = frame[frame["part"] == "employers"]
    tally = employers["typology"].value_counts()
    plotted = {t[0]: x for t, x in zip(fig.data[0].customdata, fig.data[0].x, strict=True)}
    assert plotted == {k: int(v) for k, v in tally.items()}
    fig.write_html(tmp_path / "typology.html", include_plotlyjs=True)
    assert (tmp_path / "typology.html").stat().st_size > 1_000_000
    with pytest.raises(LerkitError, match="degree_requirement_follow_through"):
        degree_requirement_typology_figure(results["outcome_rates"])


def test_learner_profile_figures(dataset: Any, tmp_path: Path) -> None:
    credentials = pd.read_parquet(DATA / "credentials.parquet")
    learner = str(credentials["learner_id"].value_counts().index[0])
    profile = learner_profile(dataset, learner, verify=False)
    skills = learner_profile_figure(profile)
    _check_style(skills)
    alignments = pd.read_parquet(DATA / "alignments.parquet")
    held = credentials[credentials["learner_id"] == learner][["credential_id", "achievement_id"]]
    counts = (
        held.merge(alignments, on="achievement_id")
        .groupby("target_code")["credential_id"]
        .nunique()
    )
    plotted = {
        profile.skills.loc[i, "target_code"]: x
        for trace in skills.data
        for (i,), x in zip(trace.customdata, trace.x, strict=True)
    }
    assert plotted == {k: int(v) for k, v in counts.items()}
    assert "not for publication" in skills.layout.title.subtitle.text
    jobs = learner_profile_opportunities_figure(profile)
    _check_style(jobs)
    assert list(jobs.data[0].x) == pytest.approx(list(profile.opportunities["coverage"]))
    assert all(0 < x <= 1 for x in jobs.data[0].x)
    for fig, name in ((skills, "skills"), (jobs, "jobs")):
        fig.write_html(tmp_path / f"{name}.html", include_plotlyjs=True)
        assert (tmp_path / f"{name}.html").stat().st_size > 1_000_000
    with pytest.raises(LerkitError, match="LearnerProfile"):
        learner_profile_figure(profile.skills)  # type: ignore[arg-type]


def test_builder_options_are_checked(results: dict[str, pd.DataFrame]) -> None:
    with pytest.raises(LerkitError, match="'nonsense'"):
        credential_attainment_figure(results["credential_attainment"], "nonsense")  # type: ignore[arg-type]
    with pytest.raises(LerkitError, match="'religion'"):
        adverse_impact_figure(results["adverse_impact"], "religion")
    with pytest.raises(LerkitError, match="'shoe_size'"):
        representation_figure(results["representation"], "shoe_size")
    with pytest.raises(LerkitError, match="no reference"):
        representation_difference_figure(results["representation"], "pathway")
    with pytest.raises(LerkitError, match="'fourfold'"):
        gap_decomposition_figure(results["gap_decomposition"], "fourfold")  # type: ignore[arg-type]


def test_labels_are_plain_words(results: dict[str, pd.DataFrame]) -> None:
    fig = adverse_impact_figure(results["adverse_impact"])
    assert {t.name for t in fig.data} == {"Degree-based screen", "Skills-based screen"}
    assert "Hispanic or Latino" in fig.data[0].y
    assert not any("_" in str(y) for t in fig.data for y in t.y)
    ratio = adverse_impact_ratio_figure(results["adverse_impact"])
    assert [s.x0 for s in ratio.layout.shapes] == [0.8]
    assert "Not reported" not in ratio.data[0].y  # unknown demographics: not in the ratios
    funnel = ler_funnel_figure(results["ler_funnel"])
    assert funnel.layout.legend.title.text == "Pathway"
    assert "Community college" in {t.name for t in funnel.data}


def test_suppressed_cell_is_a_gap_not_a_zero(results: dict[str, pd.DataFrame]) -> None:
    frame = results["outcome_rates"]
    hidden = frame[frame["suppressed"]]
    assert len(hidden) >= 1
    fig = outcome_rates_figure(frame)
    values = {r: v for _t, r, v, _p in _points(fig)}
    assert all(values[i] is None for i in hidden.index)
    assert not any(v == 0 for v in values.values())
    np.testing.assert_array_equal(sorted(values), sorted(frame.index))


# -- other parameters of the analyses ------------------------------------------------------


@pytest.fixture(scope="module")
def variant_results(dataset: Any) -> dict[str, pd.DataFrame]:
    return {
        "representation": representation(dataset, by="stars", cohort="ler"),
        "credential_attainment": credential_attainment(dataset, by=None),
        "ler_funnel": ler_funnel(dataset, by=None),
        "outcome_rates": outcome_rates(dataset, "wage_above", by="veteran"),
        "time_to_employment": time_to_employment(dataset, by=None, start="enrolment"),
        "pilot_evaluation": pilot_evaluation(dataset, "employed", covariates=()),
        "gap_decomposition": gap_decomposition(dataset, group="gender", log=False, n_boot=0),
    }


VARIANTS = [
    Case("stars_in_ler_arm", "representation", representation_figure),
    Case("attainment_everyone", "credential_attainment", credential_attainment_figure, {},
         lambda f: f["measure"] == "credentials_per_learner"),
    Case("funnel_everyone", "ler_funnel", ler_funnel_figure),
    Case("wage_above_by_veteran", "outcome_rates", outcome_rates_figure),
    Case("time_since_enrolment", "time_to_employment", time_to_employment_figure, {},
         lambda f: f["measure"] == "survival",
         _by_name({": upper limit": "ci_high", ": lower limit": "ci_low"}), None),
    Case("employment_effect", "pilot_evaluation", pilot_evaluation_figure),
    Case("gender_gap_in_dollars", "gap_decomposition", gap_decomposition_figure, {},
         lambda f: f["measure"].isin(["gap", "explained", "unexplained"])),
]  # fmt: skip


@pytest.mark.parametrize("case", VARIANTS, ids=[c.id for c in VARIANTS])
def test_other_parameters(case: Case, variant_results: dict[str, pd.DataFrame]) -> None:
    test_figure_shows_the_result(case, variant_results)
    fig = _figure(case, variant_results)
    text = " ".join(
        str(t)
        for t in (fig.layout.title.text, fig.layout.xaxis.title.text, fig.layout.yaxis.title.text)
    )
    assert "_" not in text  # codes are put in words


def test_variant_titles_say_what_is_shown(variant_results: dict[str, pd.DataFrame]) -> None:
    wage = outcome_rates_figure(variant_results["outcome_rates"])
    threshold = variant_results["outcome_rates"].attrs["parameters"]["threshold"]
    assert f"${threshold:.2f}" in wage.layout.title.text
    assert {"Veteran", "Not a veteran"} <= {*wage.data[0].x}
    gap = gap_decomposition_figure(variant_results["gap_decomposition"])
    assert "Male minus Female" in gap.layout.title.text
    assert gap.layout.xaxis.title.text == "Wage gap (USD per hour)"
    employed = pilot_evaluation_figure(variant_results["pilot_evaluation"])
    assert "percentage points" in employed.layout.xaxis.title.text
    clock = time_to_employment_figure(variant_results["time_to_employment"])
    assert clock.layout.xaxis.title.text == "Quarters since enrolment"
    assert next(t.name for t in clock.data if not t.name.endswith("limit")).startswith(
        "All learners"
    )
    stars = representation_figure(variant_results["representation"])
    assert "LER pilot arm" in stars.layout.title.text
