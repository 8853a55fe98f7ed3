"""Time to employment: Kaplan-Meier curves from aggregated event counts.

The engine computes, for every learner, the start (the first credential issued on or
after enrolment, or the enrolment date) and the first employed quarter after the start's
quarter, and reduces them to counts per group and duration (learners entering, employed,
censored). The Kaplan-Meier estimator, Greenwood's variance, the median and the log-rank
test only need those counts, so no learner-level row leaves the engine.

Durations are whole quarters: ``1`` means employed in the quarter after the start's
quarter. A learner never employed afterwards is censored at the last observed quarter;
one whose start falls in the last observed quarter has no follow-up and is left out.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import ibis  # type: ignore[import-untyped, unused-ignore]
import numpy as np
import pandas as pd
from scipy import stats  # type: ignore[import-untyped, unused-ignore]

from lerkit.analysis._engine import Engine, EngineSource, as_engine
from lerkit.analysis._result import finish
from lerkit.analysis._suppress import MIN_CELL
from lerkit.errors import LerkitError

__all__ = ["kaplan_meier", "logrank", "time_to_employment"]


def _quarter_of_period(period: Any) -> Any:
    """ibis: ``"2025Q3"`` -> year * 4 + quarter - 1."""
    year = period.substr(0, 4).cast("int64")
    quarter = period.substr(5, 1).cast("int64")
    return year * 4 + quarter - 1


def _quarter_of_date(day: Any) -> Any:
    """ibis: a date -> year * 4 + (month - 1) // 3 (the same running quarter number)."""
    return day.year().cast("int64") * 4 + (day.month().cast("int64") - 1) // 3


def duration_counts(
    engine: Engine, *, by: str | None = "pathway", start: str = "credential"
) -> pd.DataFrame:
    """Counts per group and duration: ``group, duration, entered, events, censored``.

    ``entered`` learners have exactly this duration; ``events`` of them were employed
    at it, ``censored`` were followed to the last quarter without an employed quarter.
    """
    learners = engine.table("learners")
    outcomes = engine.table("outcomes")
    if by is not None and by not in learners.columns:
        raise LerkitError(f"time_to_employment: learners has no column {by!r}")
    engine.require_original("learners", "enrolled_on")
    if start == "credential":
        engine.require_original("credentials", "issued_on")
        credentials = engine.table("credentials")
        joined = credentials.join(learners.select("learner_id", "enrolled_on"), "learner_id")
        # records of degrees earned before the pilot are not the pilot's credential
        joined = joined.filter(joined.issued_on >= joined.enrolled_on)
        starts = joined.group_by("learner_id").aggregate(start=joined.issued_on.min())
    elif start == "enrolment":
        starts = learners.select("learner_id", start=learners.enrolled_on)
    else:
        raise LerkitError(
            f"time_to_employment: start must be 'credential' or 'enrolment', got {start!r}"
        )
    starts = starts.mutate(start_q=_quarter_of_date(starts.start))
    quarters = outcomes.mutate(q=_quarter_of_period(outcomes.period))
    last = quarters.q.max().as_scalar()
    employed = quarters.filter(quarters.employed).select("learner_id", "q")
    after = employed.join(starts, "learner_id")
    after = after.filter(after.q > after.start_q)
    first = after.group_by("learner_id").aggregate(first_q=after.q.min())
    label = learners[by].cast("string") if by is not None else ibis.literal("all")
    group = learners.select("learner_id", group=label)
    people = starts.join(group, "learner_id").left_join(first, "learner_id")
    people = people.mutate(
        event=people.first_q.notnull().cast("int64"),
        duration=people.first_q.fill_null(last) - people.start_q,
    )
    people = people.filter(people.duration > 0)
    counts = people.group_by(["group", "duration"]).aggregate(
        entered=people.count(),
        events=people.event.sum(),
    )
    frame = engine.execute(counts.order_by(["group", "duration"]))
    frame["group"] = frame["group"].astype(str)
    frame["duration"] = frame["duration"].astype("int64")
    frame["entered"] = frame["entered"].astype("int64")
    frame["events"] = frame["events"].astype("int64")
    frame["censored"] = frame["entered"] - frame["events"]
    return frame


def kaplan_meier(counts: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier curve of one group from ``duration, events, censored`` counts.

    The interval is Greenwood's on the log(-log) scale (as lifelines and R's
    ``conf.type="log-log"``), so it stays inside [0, 1].

    Returns
    -------
    pandas.DataFrame
        ``time, at_risk, events, censored, survival, ci_low, ci_high, greenwood``
        (the Greenwood sum of d / (n (n - d))), one row per observed duration.

    Examples
    --------
    >>> c = pd.DataFrame({"duration": [1, 2], "events": [1, 1], "censored": [0, 2]})
    >>> kaplan_meier(c)["survival"].round(3).tolist()
    [0.75, 0.5]
    """
    table = counts.groupby("duration", as_index=False)[["events", "censored"]].sum()
    table = table.sort_values("duration").reset_index(drop=True)
    leaving = (table["events"] + table["censored"]).to_numpy()
    at_risk = leaving[::-1].cumsum()[::-1]
    d = table["events"].to_numpy().astype(float)
    n = at_risk.astype(float)
    survival = np.cumprod(1.0 - d / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(n > d, d / (n * (n - d)), 0.0)
    greenwood = np.cumsum(terms)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.log(survival)
        log_minus_log = np.log(-v)
        half = z * np.sqrt(greenwood) / v
        low = np.exp(-np.exp(log_minus_log - half))
        high = np.exp(-np.exp(log_minus_log + half))
    # S = 1 (no event yet): the interval degenerates to [1, 1]; S = 0: to [0, 0]
    low = np.where(survival >= 1.0, 1.0, np.where(survival <= 0.0, 0.0, low))
    high = np.where(survival >= 1.0, 1.0, np.where(survival <= 0.0, 0.0, high))
    return pd.DataFrame(
        {
            "time": table["duration"].to_numpy(),
            "at_risk": at_risk,
            "events": table["events"].to_numpy(),
            "censored": table["censored"].to_numpy(),
            "survival": survival,
            "ci_low": low,
            "ci_high": high,
            "greenwood": greenwood,
        }
    )


def _first_at_or_below(times: np.ndarray, curve: np.ndarray, q: float = 0.5) -> float:
    below = np.nonzero(curve <= q)[0]
    return float(times[below[0]]) if len(below) else math.inf


def median_time(curve: pd.DataFrame) -> tuple[float, float, float]:
    """Median time and its interval: where the curve and its bounds first reach 0.5
    (Brookmeyer-Crowley style, inverting the log(-log) band; inf = not reached)."""
    times = curve["time"].to_numpy()
    return (
        _first_at_or_below(times, curve["survival"].to_numpy()),
        _first_at_or_below(times, curve["ci_low"].to_numpy()),
        _first_at_or_below(times, curve["ci_high"].to_numpy()),
    )


def logrank(counts: pd.DataFrame) -> tuple[float, int, float]:
    """Log-rank test of equal curves across ``group`` from ``group, duration, events,
    censored`` counts: (chi-square statistic, degrees of freedom, p-value)."""
    wide = counts.pivot_table(
        index="duration", columns="group", values=["events", "censored"], aggfunc="sum",
        fill_value=0,
    ).sort_index()  # fmt: skip
    groups = list(wide["events"].columns)
    k = len(groups)
    if k < 2:
        raise LerkitError("logrank: needs at least two groups")
    d = wide["events"].to_numpy(dtype=float)
    c = wide["censored"].to_numpy(dtype=float)
    leaving = d + c
    at_risk = leaving[::-1].cumsum(axis=0)[::-1]
    n_total = at_risk.sum(axis=1)
    d_total = d.sum(axis=1)
    keep = n_total > 0
    d, at_risk, n_total, d_total = d[keep], at_risk[keep], n_total[keep], d_total[keep]
    expected = at_risk * (d_total / n_total)[:, None]
    observed_minus_expected = (d - expected).sum(axis=0)
    share = at_risk / n_total[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n_total > 1, d_total * (n_total - d_total) / (n_total - 1), 0.0)
    variance = np.zeros((k, k))
    for i in range(k):
        for j in range(k):
            delta = 1.0 if i == j else 0.0
            variance[i, j] = (factor * share[:, i] * (delta - share[:, j])).sum()
    # one group is redundant (the deviations sum to zero): drop the last
    u = observed_minus_expected[:-1]
    v = variance[:-1, :-1]
    statistic = float(u @ np.linalg.solve(v, u))
    df = k - 1
    return statistic, df, float(stats.chi2.sf(statistic, df))


def survival_table(counts: pd.DataFrame, *, min_cell: int, confidence: float) -> pd.DataFrame:
    """Kaplan-Meier curves, medians and the log-rank test from per-group duration counts
    (:func:`duration_counts`), with small groups and thin tails suppressed.

    The rows of :func:`time_to_employment` before :func:`~lerkit.analysis.finish`.
    """
    rows: list[dict[str, Any]] = []
    parts: list[pd.DataFrame] = []
    sizes = counts.groupby("group")["entered"].sum()
    for group, size in sizes.items():
        curve = kaplan_meier(counts[counts["group"] == group], confidence=confidence)
        small_group = int(size) < min_cell
        parts.append(
            pd.DataFrame(
                {
                    "group": group,
                    "measure": "survival",
                    "time": curve["time"].astype(float),
                    "estimate": curve["survival"],
                    "ci_low": curve["ci_low"],
                    "ci_high": curve["ci_high"],
                    "n": curve["at_risk"].astype("int64"),
                    "events": curve["events"].astype("int64"),
                    "censored": curve["censored"].astype("int64"),
                    "suppressed": small_group,
                }
            )
        )
        median, low, high = median_time(curve)
        rows.append(
            {
                "group": group,
                "measure": "median",
                "time": math.nan,
                "estimate": median,
                "ci_low": low,
                "ci_high": high,
                "n": int(size),
                "suppressed": small_group,
            }
        )
    shown = [str(g) for g, size in sizes.items() if int(size) >= min_cell]
    if len(shown) >= 2:
        statistic, df, p_value = logrank(counts[counts["group"].isin(shown)])
        rows.append(
            {
                "group": "(all)",
                "measure": "logrank",
                "time": math.nan,
                "estimate": statistic,
                "ci_low": math.nan,
                "ci_high": math.nan,
                "n": int(sizes[shown].sum()),
                "df": df,
                "p_value": p_value,
                "suppressed": False,
            }
        )
    frame = pd.concat([*parts, pd.DataFrame(rows)], ignore_index=True)
    frame = frame.sort_values(["group", "measure", "time"], kind="stable", ignore_index=True)
    # at-risk counts fall by events + censored: the censored count of the last point
    # shown before a suppressed tail would give the tail's at-risk count away
    curve_rows = frame["measure"] == "survival"
    thin = curve_rows & ((frame["n"] < min_cell) | frame["suppressed"].astype(bool))
    following = thin.groupby(frame["group"]).shift(-1, fill_value=False).astype(bool)
    frame.loc[curve_rows & ~thin & following, "censored"] = np.nan
    return frame


def time_to_employment(
    dataset: EngineSource,
    by: str | None = "pathway",
    *,
    start: Literal["credential", "enrolment"] = "credential",
    confidence: float = 0.95,
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """Quarters from a learner's first pilot credential to the first employed quarter.

    Parameters
    ----------
    dataset : Dataset, path, name or Engine
        Anything :func:`lerkit.analysis.as_engine` accepts; uses ``learners``,
        ``credentials`` (issued_on) and ``outcomes`` (period, employed).
    by : str or None
        A learners column to compare (``pathway``, ``cohort``, ``stars``...); None: one
        curve for everybody.
    start : {"credential", "enrolment"}
        The clock starts at the first credential issued on or after enrolment (records
        of degrees earned before the pilot do not count), or at enrolment.
    confidence : float
        Level of the Greenwood (log-log) intervals and of the median's interval.
    min_cell : int
        Groups with fewer learners are suppressed (and left out of the log-rank test);
        so is every time point with fewer learners at risk.

    Returns
    -------
    pandas.DataFrame
        Rows ``measure="survival"`` (share not yet employed; one per group and
        duration, ``time`` in quarters, ``n`` = at risk, plus ``events`` and
        ``censored``), ``measure="median"`` per group (``n`` = learners; ``inf`` when
        the curve does not reach one half) and one ``measure="logrank"`` row
        (``estimate`` = chi-square, ``p_value``, ``df``).

    Examples
    --------
    >>> import lerkit as lk
    >>> table = lk.analysis.time_to_employment(lk.datasets.load("pilot-default"))  # doctest: +SKIP
    >>> table[table["measure"] == "median"]  # doctest: +SKIP
    """
    if not 0 < confidence < 1:
        raise LerkitError(f"time_to_employment: confidence must be in (0, 1), got {confidence!r}")
    engine = as_engine(dataset)
    counts = duration_counts(engine, by=by, start=start)
    frame = survival_table(counts, min_cell=min_cell, confidence=confidence)
    parameters = {"by": by, "start": start, "unit": "quarters"}
    return finish(
        frame,
        analysis="time_to_employment",
        parameters=parameters,
        min_cell=min_cell,
        confidence=confidence,
        groups=["group"],
        hide=("events", "censored"),
    )
