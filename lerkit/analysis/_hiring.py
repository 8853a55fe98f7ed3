"""Adverse impact of hiring screens, laid out as a NYC Local Law 144 bias audit.

``adverse_impact`` counts, per demographic category and per screen (degree / skills), the
applications that reached a funnel stage (screened in, interviewed, hired) among *all*
applications of that category: the selection rate has the applications as its
denominator, whatever the stage. The counting is one engine query per category set
(sex, race/ethnicity, their intersection); the rates, impact ratios and tests run on the
small aggregated frame.

Reading the table (as the rules of the NYC Department of Consumer and Worker Protection,
6 RCNY 5-301, lay an audit out):

- ``estimate`` is the selection rate, with a Wilson interval;
- ``impact_ratio`` = the category's rate / the rate of the most selected category of the
  same screen and dimension (the *reference*, chosen among the published, i.e. not
  suppressed, categories: a tiny category cannot become the yardstick, and a hidden rate
  cannot be recovered as rate / ratio); ``difference`` is the rate minus the
  reference's, with Newcombe's interval;
- ``four_fifths`` flags an impact ratio below 0.8 (the "four-fifths rule" of the Uniform
  Guidelines, 29 CFR 1607.4(D));
- ``test`` / ``p_value``: a two-sided test of the category against the reference, Fisher's
  exact test when an expected cell of the 2 x 2 table is below ``fisher_below`` (5),
  otherwise the pooled two-proportion z test;
- ``small_sample`` flags categories with fewer than ``small_n`` applications: there, as
  29 CFR 1607.4(D) says, a large difference may not be adverse impact when it is not
  significant (and a small one may be when it is);
- applications of people whose category is unknown are kept as rows with
  ``unknown_demographics`` true, their counts reported, and left out of every ratio.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats  # type: ignore[import-untyped, unused-ignore]
from statsmodels.stats.proportion import proportions_ztest  # type: ignore[import-untyped]

from lerkit.analysis._engine import EngineSource, as_engine
from lerkit.analysis._intervals import newcombe
from lerkit.analysis._result import finish, with_rates
from lerkit.analysis._suppress import MIN_CELL, suppress
from lerkit.errors import LerkitError

__all__ = ["CAVEATS", "FOUR_FIFTHS", "SMALL_SAMPLE_N", "adverse_impact"]

Stage = Literal["screened_in", "interviewed", "hired"]
Screen = Literal["degree", "skills"]

#: The Uniform Guidelines' threshold: an impact ratio below it is evidence of adverse impact.
FOUR_FIFTHS = 0.8
#: Categories with fewer applications than this carry the small-sample flag (a rule of
#: thumb: below about 30 the normal approximation and the four-fifths rule both mislead).
SMALL_SAMPLE_N = 30

_STAGES = ("screened_in", "interviewed", "hired")
_SCREENS = ("degree", "skills")
_DEMOGRAPHICS = ("gender", "race_ethnicity")
_UNKNOWN = "unknown"
_INTERSECTION_SEP = " × "

CAVEATS = (
    "29 CFR 1607.4(D): greater differences in selection rate may not constitute adverse "
    "impact where the differences are based on small numbers and are not statistically "
    "significant, and smaller differences may constitute adverse impact where they are "
    "significant; read the four_fifths flag together with p_value and small_sample.",
    "Selection rates count applications, not people: a person who applied several times "
    "counts several times, and their applications are not independent, so p-values are "
    "somewhat optimistic.",
    "Applications whose demographic category is unknown are reported separately "
    "(unknown_demographics) and excluded from every impact ratio, as NYC Local Law 144 "
    "audits require.",
)


def adverse_impact(
    dataset: EngineSource,
    stage: Stage = "hired",
    by: Sequence[str] = _DEMOGRAPHICS,
    screen: Screen | None = None,
    intersection: bool = True,
    *,
    min_cell: int = MIN_CELL,
    confidence: float = 0.95,
    small_n: int = SMALL_SAMPLE_N,
    fisher_below: float = 5.0,
    exclude_below: float = 0.0,
) -> pd.DataFrame:
    """Selection rates, impact ratios and four-fifths flags per category and screen.

    Parameters
    ----------
    dataset
        A :class:`lerkit.datasets.Dataset` (or anything ``as_engine`` accepts) with the
        ``applications`` and ``learners`` tables.
    stage
        The funnel stage counted as selected: ``"screened_in"``, ``"interviewed"`` or
        ``"hired"``. The denominator is always every application of the category.
    by
        Learner columns whose categories are audited, each on its own (default: sex and
        race/ethnicity, as Local Law 144 asks).
    screen
        ``"degree"`` or ``"skills"`` for one screen; ``None`` (default) for both, side by
        side (rows carry a ``screen`` column; each screen has its own reference).
    intersection
        Also audit the intersection of all ``by`` columns (with two or more of them).
    min_cell
        Cells with fewer applications, or with fewer than this many selected (or not
        selected), are suppressed (primary and complementary, within each screen and
        dimension and, for the intersection, along each margin) and cannot be the
        reference category.
    confidence
        Level of the Wilson intervals of the selection rates.
    small_n
        Categories with fewer applications get ``small_sample`` true (29 CFR 1607.4(D)).
    fisher_below
        Fisher's exact test is used when an expected cell count is below this.
    exclude_below
        Leave categories holding less than this share of the screen's applications out
        of the impact ratios (``excluded_small_category`` true; they are still counted
        and their selection rate shown). The NYC rules allow an auditor to do so below
        2% (``exclude_below=0.02``); the default 0 keeps every category.

    Returns
    -------
    pandas.DataFrame
        One row per screen, dimension and category: ``screen``, ``dimension``
        (``gender``, ``race_ethnicity``, ``gender × race_ethnicity``), ``category``
        (``female × black`` for the intersection), ``measure``
        (``selection_rate_<stage>``), ``estimate``, ``ci_low``, ``ci_high``, ``n``
        (applications), ``suppressed``, then one column per ``by`` column (the cell's
        category on that margin), ``selected``, ``unknown_demographics``,
        ``impact_ratio``, ``four_fifths``, ``reference`` (the reference category),
        ``excluded_small_category``, ``difference``, ``difference_ci_low``,
        ``difference_ci_high``, ``test``
        (``fisher_exact`` / ``two_proportion_z``), ``p_value``, ``small_sample``.
        Suppressed rows have every count-derived column blanked. ``attrs`` holds
        ``caveats``, ``denominator``, ``unknown`` (applications with unknown
        demographics, per screen and dimension, reported outside the ratios) and
        ``suppression``.

    Raises
    ------
    LerkitError
        On an unknown stage, screen or ``by`` column.

    Examples
    --------
    >>> import lerkit as lk
    >>> audit = lk.analysis.adverse_impact(lk.datasets.load("pilot-default"))  # doctest: +SKIP
    >>> audit[audit["dimension"] == "gender"][["screen", "category", "impact_ratio"]]  # doctest: +SKIP
    """
    if stage not in _STAGES:
        raise LerkitError(
            f"unknown stage {stage!r}; expected one of {', '.join(_STAGES)}",
            code="invalid_argument",
        )
    if screen is not None and screen not in _SCREENS:
        raise LerkitError(
            f"unknown screen {screen!r}; expected 'degree', 'skills' or None",
            code="invalid_argument",
        )
    by = tuple(by)
    if not by:
        raise LerkitError("by must name at least one learner column", code="invalid_argument")
    engine = as_engine(dataset)
    learners = engine.table("learners")
    for column in by:
        if column not in learners.columns:
            raise LerkitError(f"unknown learner column {column!r} in by", code="invalid_argument")
    apps = engine.table("applications")
    if screen is not None:
        apps = apps.filter(apps.screen == screen)
    people = learners.select("learner_id", *(learners[c].cast("string").name(c) for c in by))
    joined = apps.select("learner_id", "screen", apps[stage].name("_stage")).join(
        people, "learner_id"
    )
    dimensions: list[tuple[str, ...]] = [(c,) for c in by]
    if intersection and len(by) > 1:
        dimensions.append(by)

    parts = []
    for dims in dimensions:
        expr = joined.group_by(["screen", *dims]).aggregate(
            n=joined.count(),
            selected=joined._stage.fill_null(False).cast("int64").sum(),
        )
        counts = engine.execute(expr)
        labels = counts[list(dims)].astype("string").fillna(_UNKNOWN)
        counts = counts.assign(
            dimension=_INTERSECTION_SEP.join(dims),
            category=labels.agg(_INTERSECTION_SEP.join, axis=1),
            unknown_demographics=(labels == _UNKNOWN).any(axis=1).to_numpy(),
        )
        for column in dims:  # the margins an intersection cell adds up to
            counts[column] = labels[column]
        parts.append(counts)
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[["screen", "dimension", "category", *by, "n", "selected",
                   "unknown_demographics"]]  # fmt: skip
    frame["screen"] = frame["screen"].astype(str)
    frame["n"] = frame["n"].astype("int64")
    frame["selected"] = frame["selected"].astype("int64")
    frame = frame.sort_values(["screen", "dimension", "category"], ignore_index=True)

    unknown = (
        frame[frame["unknown_demographics"]]
        .groupby(["screen", "dimension"], sort=True)["n"]
        .sum()
        .astype(int)
    )
    # Suppress first, so that the reference is a published cell: a hidden reference rate
    # could be recovered as (a group's rate) / (its impact ratio).
    frame = suppress(
        frame,
        count="n",
        min_cell=min_cell,
        by=("screen", "dimension"),
        totals=[[c] for c in by] if len(by) > 1 else (),
        numerators=["selected"],
    )
    total = frame.groupby(["screen", "dimension"])["n"].transform("sum")
    frame["excluded_small_category"] = ~frame["unknown_demographics"] & (
        frame["n"] < exclude_below * total
    )
    frame = _ratios_and_tests(frame, confidence=confidence, fisher_below=fisher_below)
    frame["measure"] = f"selection_rate_{stage}"
    frame["small_sample"] = frame["n"] < small_n
    result = finish(
        frame,
        analysis="adverse_impact",
        parameters={
            "stage": stage,
            "by": list(by),
            "screen": screen,
            "intersection": intersection,
            "small_n": small_n,
            "fisher_below": fisher_below,
            "exclude_below": exclude_below,
            "four_fifths": FOUR_FIFTHS,
        },
        min_cell=min_cell,
        confidence=confidence,
        groups=["screen", "dimension", "category"],
        hide=[
            "selected",
            "impact_ratio",
            "four_fifths",
            "difference",
            "difference_ci_low",
            "difference_ci_high",
            "p_value",
            "test",
        ],
    )
    result.attrs["caveats"] = list(CAVEATS)
    result.attrs["denominator"] = (
        f"all applications of the category (to the screen), whatever the stage: selected = {stage}"
    )
    result.attrs["unknown"] = {
        f"{screen_} / {dimension}": int(count)
        for (screen_, dimension), count in zip(unknown.index, unknown.to_numpy(), strict=True)
    }
    return result


def _ratios_and_tests(
    frame: pd.DataFrame, *, confidence: float, fisher_below: float
) -> pd.DataFrame:
    """Rates, intervals, impact ratios and tests; statistics on the aggregated counts."""
    frame = with_rates(frame, confidence=confidence, k="selected")
    n = frame["n"].to_numpy(dtype=float)
    k = frame["selected"].to_numpy(dtype=float)
    rate = frame["estimate"].to_numpy(dtype=float)
    ratio = np.full(len(frame), np.nan)
    reference: list[str | None] = [None] * len(frame)
    ref_k, ref_n = np.full(len(frame), np.nan), np.full(len(frame), np.nan)
    tests: list[str | None] = [None] * len(frame)
    p_values = np.full(len(frame), np.nan)
    known = (
        ~frame["unknown_demographics"].to_numpy(dtype=bool)
        & ~frame["excluded_small_category"].to_numpy(dtype=bool)
        & (n > 0)
    )
    shown = known & ~frame["suppressed"].to_numpy(dtype=bool)
    categories = frame["category"].astype(str).tolist()
    for positions in frame.groupby(["screen", "dimension"], sort=False).indices.values():
        rows = np.asarray(positions)
        eligible = rows[shown[rows]]
        if len(eligible) == 0:
            continue
        ref = int(eligible[np.argmax(rate[eligible])])
        for i in rows[known[rows]]:
            reference[i] = categories[ref]
            ref_k[i], ref_n[i] = k[ref], n[ref]
            ratio[i] = rate[i] / rate[ref] if rate[ref] > 0 else math.nan
            if i != ref:
                tests[i], p_values[i] = _compare(
                    int(k[i]), int(n[i]), int(k[ref]), int(n[ref]), fisher_below=fisher_below
                )
    frame["impact_ratio"] = ratio
    flag = pd.array(np.where(np.isnan(ratio), False, ratio < FOUR_FIFTHS), dtype="boolean")
    flag[np.isnan(ratio)] = pd.NA
    frame["four_fifths"] = flag
    frame["reference"] = pd.array(reference, dtype="string")
    difference, diff_low, diff_high = newcombe(k, n, ref_k, ref_n, confidence)
    frame["difference"] = difference
    frame["difference_ci_low"] = diff_low
    frame["difference_ci_high"] = diff_high
    frame["test"] = pd.array(tests, dtype="string")
    frame["p_value"] = p_values
    return frame


def _compare(k1: int, n1: int, k2: int, n2: int, *, fisher_below: float) -> tuple[str, float]:
    """Two-sided test of two proportions: Fisher's exact for small expected counts, else z.

    >>> _compare(1, 10, 8, 10, fisher_below=5.0)[0]
    'fisher_exact'
    >>> _compare(200, 1000, 300, 1000, fisher_below=5.0)[0]
    'two_proportion_z'
    """
    table = np.array([[k1, n1 - k1], [k2, n2 - k2]], dtype=float)
    total = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / total
    if expected.min() < fisher_below:
        _, p = stats.fisher_exact(table.astype(int), alternative="two-sided")
        return "fisher_exact", float(p)
    if k1 + k2 in (0, n1 + n2):  # both rates 0 or both 1: no difference, z undefined
        return "two_proportion_z", 1.0
    _, p = proportions_ztest([k1, k2], [n1, n2], alternative="two-sided")
    return "two_proportion_z", float(p)
