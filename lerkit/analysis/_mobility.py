"""Wage mobility and job transitions: how pay and occupations change between two windows.

- :func:`wage_mobility`: wage change (USD per hour and log points) from a *pre* window
  to a *post* window for learners employed in both, with intervals, by group.
- :func:`wage_change_distribution`: the same changes as a histogram of people per
  fixed-width USD bin, by group (for the figure).
- :func:`occupation_transitions`: flows from each pre-window state (an occupation, or
  "not employed") to each post-window state, the share of the origin with a Wilson
  interval and the wage change of the people in the flow.

Windows. ``pre`` and ``post`` are a quarter (``"2023Q1"``) or a list of quarters; the
defaults are the first and the last quarter in ``outcomes``. Over a window a learner's
wage is the mean hourly wage of the quarters they were employed in it (wages that are
missing or not positive are ignored), and their state is the occupation of the latest
quarter of the window they were employed in ("not employed" when none). Learners
without an outcome row in a window are left out.

Everything per learner is computed by the query engine (Ibis over DuckDB, or Spark):
only per-group means, standard deviations, counts, quantiles, a few order statistics
and binned counts come back to Python.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import ibis  # type: ignore[import-untyped, unused-ignore]
import numpy as np
import pandas as pd
from scipy import stats  # type: ignore[import-untyped, unused-ignore]
from scipy.optimize import linprog  # type: ignore[import-untyped, unused-ignore]

from lerkit.analysis._descriptive import _attributes, _check_common, _label, _learners
from lerkit.analysis._engine import Engine, EngineSource, as_engine
from lerkit.analysis._intervals import t_interval, wilson
from lerkit.analysis._result import finish
from lerkit.analysis._suppress import (
    MIN_CELL,
    _groups,
    _margin_rule,
    margin_equations,
    suppress,
)
from lerkit.errors import LerkitError

__all__ = [
    "MOBILITY_MEASURES",
    "NOT_EMPLOYED",
    "occupation_transitions",
    "wage_change_distribution",
    "wage_mobility",
]

#: The measures :func:`wage_mobility` reports for each group, in order.
MOBILITY_MEASURES: tuple[str, ...] = (
    "mean_change_usd",
    "mean_log_change_pct",
    "median_change_usd",
    "share_with_gain",
)

#: The state of a learner not employed in any quarter of a window.
NOT_EMPLOYED = "not_employed"

Periods = str | Sequence[str] | None
OccupationFilter = Literal["all", "same", "changed"]


# -- windows and per-learner states -------------------------------------------------------


def _all_periods(engine: Engine) -> list[str]:
    outcomes = engine.table("outcomes")
    got = engine.execute(outcomes.select("period").distinct())
    return sorted(str(p) for p in got["period"].dropna())


def _window(value: Periods, default: str, known: list[str], name: str) -> list[str]:
    if value is None:
        return [default]
    chosen = [value] if isinstance(value, str) else list(value)
    if not chosen:
        raise LerkitError(f"{name} names no period", code="invalid_argument")
    for period in chosen:
        if period not in known:
            raise LerkitError(
                f"{name} period {period!r} is not in the outcomes "
                f"(periods {known[0]}..{known[-1]})",
                code="unknown_period",
            )
    return sorted(set(chosen))


def _windows(engine: Engine, pre: Periods, post: Periods) -> tuple[list[str], list[str]]:
    known = _all_periods(engine)
    if not known:
        raise LerkitError("the outcomes table has no periods", code="empty_selection")
    before = _window(pre, known[0], known, "pre")
    after = _window(post, known[-1], known, "post")
    if max(before) >= min(after):
        raise LerkitError(
            f"the pre window must end before the post window starts: pre {before!r}, "
            f"post {after!r}",
            code="invalid_periods",
        )
    return before, after


def _states(engine: Engine, periods: list[str]) -> Any:
    """ibis: per learner over a window: mean positive wage and latest occupation."""
    outcomes = engine.table("outcomes")
    rows = outcomes.filter(outcomes.period.isin(periods))
    working = rows.employed.fill_null(False)
    paid = working & rows.hourly_wage.notnull() & (rows.hourly_wage > 0)
    return rows.group_by("learner_id").agg(
        wage=rows.hourly_wage.mean(where=paid),
        occupation=rows.occupation_soc.argmax(
            rows.period, where=working & rows.occupation_soc.notnull()
        ),
    )


def _pairs(
    engine: Engine,
    pre: list[str],
    post: list[str],
    groups: list[str],
    cohort: str | None,
) -> Any:
    """ibis: one row per learner with rows in both windows: group labels, wages, states."""
    before = _states(engine, pre).rename(pre_wage="wage", pre_occupation="occupation")
    after = _states(engine, post).rename(post_wage="wage", post_occupation="occupation")
    learners = _learners(engine, cohort)
    # no attribute: one group "all", so that every query has the same shape
    columns = {f"g_{i}": _label(learners[g]) for i, g in enumerate(groups)} or {
        "g_0": ibis.literal("all")
    }
    labels = learners.select("learner_id", **columns)
    joined = labels.join(before, "learner_id").join(after, "learner_id")
    return joined.select(
        *columns,
        "pre_wage",
        "post_wage",
        "pre_occupation",
        "post_occupation",
    )


def _employed_both(pairs: Any, occupation: OccupationFilter) -> Any:
    rows = pairs.filter(pairs.pre_wage.notnull() & pairs.post_wage.notnull())
    if occupation == "same":
        rows = rows.filter(rows.pre_occupation == rows.post_occupation)
    elif occupation == "changed":
        rows = rows.filter(rows.pre_occupation != rows.post_occupation)
    elif occupation != "all":
        raise LerkitError(
            f"occupation must be 'all', 'same' or 'changed', not {occupation!r}",
            code="invalid_argument",
        )
    return rows.mutate(
        change=rows.post_wage - rows.pre_wage,
        log_change=rows.post_wage.ln() - rows.pre_wage.ln(),
    )


def _group_names(engine: Engine, by: str | None, intersect: str | None) -> list[str]:
    names = [] if by is None else [by]
    if intersect is not None:
        if by is None:
            raise LerkitError("intersect needs a first attribute in by", code="invalid_argument")
        names.append(intersect)
    return _attributes(engine, names) if names else []


def _keys(groups: list[str]) -> list[str]:
    return [f"g_{i}" for i in range(len(groups))]


def _rename(frame: pd.DataFrame, groups: list[str]) -> pd.DataFrame:
    return frame.rename(columns={f"g_{i}": g for i, g in enumerate(groups)})


def _group_cells(counts: pd.DataFrame, keys: list[str], min_cell: int) -> pd.DataFrame:
    """Group-level suppression: primary, and complementary over the published margins.

    The groups partition the learners employed in both windows; with two attributes
    both margins count as published.
    """
    totals = [[k] for k in keys] if len(keys) == 2 else []
    return suppress(counts, count="n", min_cell=min_cell, totals=totals)


# -- 8a. wage mobility --------------------------------------------------------------------


def _median_bounds(n: int, confidence: float) -> tuple[int, int] | None:
    """1-based ranks (j, k) of the distribution-free interval [X_(j), X_(k)] for a median.

    P(X_(j) <= median < X_(k)) = P(j <= B <= k - 1), B ~ Binomial(n, 1/2); j is the
    largest rank with P(B <= j - 1) <= alpha / 2 and k = n + 1 - j by symmetry, so the
    coverage is at least ``confidence``. None when n is too small for any such j.
    """
    alpha = 1.0 - confidence
    j = int(stats.binom.ppf(alpha / 2.0, n, 0.5))
    if stats.binom.cdf(j, n, 0.5) <= alpha / 2.0:
        j += 1
    if j < 1:
        return None
    return j, n + 1 - j


def _order_statistics(
    engine: Engine, rows: Any, keys: list[str], wanted: dict[tuple[str, ...], tuple[int, int]]
) -> dict[tuple[str, ...], dict[int, float]]:
    """The change at given 1-based ranks within each group, ranked in the engine."""
    if not wanted:
        return {}
    ranked = rows.mutate(rank=ibis.row_number().over(group_by=keys, order_by=rows.change) + 1)
    tests = []
    for key, ranks in wanted.items():
        test = ranked["rank"].isin(list(ranks))
        for column, value in zip(keys, key, strict=True):
            test &= ranked[column] == value
        tests.append(test)
    picked = ranked.filter(ibis.or_(*tests)).select(*keys, "rank", "change")
    got = engine.execute(picked)
    out: dict[tuple[str, ...], dict[int, float]] = {}
    for values in got.to_dict("records"):
        key = tuple(str(values[k]) for k in keys)
        out.setdefault(key, {})[int(values["rank"])] = float(values["change"])
    return out


def wage_mobility(
    dataset: EngineSource,
    by: str | None = "pathway",
    *,
    intersect: str | None = None,
    pre: Periods = None,
    post: Periods = None,
    occupation: OccupationFilter = "all",
    cohort: str | None = None,
    approximate: bool = False,
    min_cell: int = MIN_CELL,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Wage change from a pre window to a post window, by group, with intervals.

    For the learners employed (with a positive hourly wage) in both windows, four
    measures per group (column ``measure``):

    - ``mean_change_usd``: mean of post minus pre wage, USD per hour, Student's t
      interval (``sd`` in its column);
    - ``mean_log_change_pct``: 100 x the mean of ln(post / pre), in log points (close
      to a percent change for small changes), t interval;
    - ``median_change_usd``: median change, USD per hour, with the distribution-free
      interval [X_(j), X_(n+1-j)] from the order statistics (binomial ranks; coverage
      at least the confidence level);
    - ``share_with_gain``: the share whose wage went up (change > 0), Wilson interval.

    Parameters
    ----------
    dataset : Dataset, Engine, or a dataset folder / name
    by : str or None
        Learner attribute to group by (default ``"pathway"``); None: everyone together
        (group column ``population``).
    intersect : str, optional
        A second learner attribute: groups are the intersections of both.
    pre, post : str or sequence of str, optional
        The windows: a quarter or a list of quarters (default: the first and the last
        quarter of ``outcomes``). Over several quarters a learner's wage is the mean of
        the quarters they were employed in. ``pre`` must end before ``post`` starts.
    occupation : {"all", "same", "changed"}
        ``"same"``: only learners whose occupation (the latest of each window) did not
        change; ``"changed"``: only those whose did.
    cohort : {"ler", "comparison"}, optional
        Only learners of this pilot arm.
    approximate : bool
        Median by the engine's approximate quantile (``approx_median``: DuckDB's
        t-digest, Spark's ``percentile_approx``) instead of the exact one (DuckDB
        ``quantile_cont``, Spark ``percentile``); for very large data. On pilot-default
        the approximate medians are within 0.03 USD of the exact ones (the tests allow
        0.5 USD). The interval's order statistics are exact either way. The two
        engines approximate differently, so approximate medians differ between DuckDB
        and Spark; exact ones are identical.
    min_cell, confidence
        Groups of fewer learners are suppressed, with complementary suppression over
        the groups (both margins with ``intersect``); a group's ``share_with_gain`` row
        also when fewer than ``min_cell`` of them gained (or did not); interval level.

    Returns
    -------
    DataFrame
        ``<by>[, <intersect>], measure, estimate, ci_low, ci_high, n`` (learners
        employed in both windows), ``suppressed, sd`` (of the change; log points for
        the log measure), ``gains`` (learners with a gain, on the share rows; the share
        is hidden when fewer than ``min_cell`` people gained or did not).
        ``attrs["parameters"]`` records the windows used.

    Raises
    ------
    LerkitError
        ``invalid_argument`` (unknown column, bad option), ``unknown_period``,
        ``invalid_periods`` (pre not before post), ``empty_selection`` (nobody
        employed in both windows).

    Examples
    --------
    >>> import lerkit as lk
    >>> table = wage_mobility(lk.datasets.load("pilot-default"), by="stars")
    >>> table[table["measure"] == "share_with_gain"][["stars", "n"]].to_dict("records")
    [{'stars': 'false', 'n': 1270}, {'stars': 'true', 'n': 1537}]
    """
    _check_common(min_cell, confidence)
    engine = as_engine(dataset)
    groups = _group_names(engine, by, intersect)
    before, after = _windows(engine, pre, post)
    rows = _employed_both(_pairs(engine, before, after, groups, cohort), occupation)
    names = groups or ["population"]
    keys = _keys(names)
    change, log_change = rows.change, rows.log_change
    median = change.approx_median() if approximate else change.quantile(0.5)
    counts = engine.execute(
        rows.group_by(keys).agg(
            n=rows.count(),
            gains=(change > 0).sum(),
            mean=change.mean(),
            sd=change.std(),
            log_mean=log_change.mean(),
            log_sd=log_change.std(),
            median=median,
        )
    )
    if counts.empty:
        raise LerkitError(
            f"nobody was employed in both windows (pre {before!r}, post {after!r})",
            code="empty_selection",
        )
    counts = counts.astype({"n": "int64", "gains": "int64", **{k: str for k in keys}})
    counts = counts.sort_values(keys, ignore_index=True)

    wanted: dict[tuple[str, ...], tuple[int, int]] = {}
    for key, n in zip(counts[keys].itertuples(index=False, name=None), counts["n"], strict=True):
        ranks = _median_bounds(int(n), confidence)
        if ranks is not None:
            wanted[tuple(key)] = ranks
    order = _order_statistics(engine, rows, keys, wanted)

    counts = _group_cells(counts, keys, min_cell)
    records: list[dict[str, Any]] = []
    for values in counts.to_dict("records"):
        label = {name: values[k] for name, k in zip(names, keys, strict=True)}
        n = int(values["n"])
        common = {**label, "n": n, "suppressed": bool(values["suppressed"]), "gains": None}
        low, high = t_interval(values["mean"], values["sd"], n, confidence)
        records.append(
            {**common, "measure": "mean_change_usd", "estimate": values["mean"],
             "ci_low": float(low), "ci_high": float(high), "sd": values["sd"]}
        )  # fmt: skip
        low, high = t_interval(values["log_mean"], values["log_sd"], n, confidence)
        records.append(
            {**common, "measure": "mean_log_change_pct", "estimate": 100.0 * values["log_mean"],
             "ci_low": 100.0 * float(low), "ci_high": 100.0 * float(high),
             "sd": 100.0 * values["log_sd"]}
        )  # fmt: skip
        key = tuple(values[k] for k in keys)
        ranks = wanted.get(key)
        got = order.get(key, {})
        if ranks is not None and ranks[0] in got and ranks[1] in got:
            m_low, m_high = got[ranks[0]], got[ranks[1]]
        else:
            m_low = m_high = float("nan")
        records.append(
            {**common, "measure": "median_change_usd", "estimate": values["median"],
             "ci_low": m_low, "ci_high": m_high, "sd": float("nan")}
        )  # fmt: skip
        w_low, w_high = wilson(values["gains"], n, confidence)
        # the share publishes the people with and without a gain: both must be >= min_cell
        few = min(values["gains"], n - values["gains"]) < min_cell
        records.append(
            {**common, "measure": "share_with_gain", "estimate": values["gains"] / n,
             "ci_low": float(w_low), "ci_high": float(w_high), "sd": float("nan"),
             "suppressed": common["suppressed"] or few, "gains": values["gains"]}
        )  # fmt: skip
    frame = pd.DataFrame.from_records(records)
    frame = frame[[*names, "measure", "estimate", "ci_low", "ci_high", "n", "suppressed", "sd",
                   "gains"]]  # fmt: skip
    frame["gains"] = frame["gains"].astype("Int64")
    return finish(
        frame,
        analysis="wage_mobility",
        parameters={
            "by": by,
            "intersect": intersect,
            "pre": before,
            "post": after,
            "occupation": occupation,
            "cohort": cohort,
            "approximate": approximate,
        },
        min_cell=min_cell,
        confidence=confidence,
        groups=names,
        hide=["sd", "gains"],
    )


# -- 8b. distribution of the change -------------------------------------------------------


def wage_change_distribution(
    dataset: EngineSource,
    by: str | None = "pathway",
    *,
    intersect: str | None = None,
    pre: Periods = None,
    post: Periods = None,
    width: float = 2.0,
    limits: tuple[float, float] | None = None,
    occupation: OccupationFilter = "all",
    cohort: str | None = None,
    min_cell: int = MIN_CELL,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Histogram of the wage change (USD per hour): people per fixed-width bin, by group.

    The same learners and windows as :func:`wage_mobility`. Bins are ``[low, low +
    width)`` from ``limits[0]`` to ``limits[1]``, plus two open-ended bins for the
    tails (``bin_low`` -inf and ``bin_high`` +inf). Every bin of every group is listed,
    empty ones too.

    Parameters
    ----------
    dataset : Dataset, Engine, or a dataset folder / name
    by, intersect, pre, post, occupation, cohort
        As for :func:`wage_mobility`.
    width : float
        Bin width in USD per hour (default 2.0).
    limits : (float, float), optional
        Where the fixed-width bins start and end (USD per hour). Default: the 5th and
        95th percentiles of everyone's change, rounded outwards to a multiple of
        ``width`` (recorded in ``attrs["parameters"]``), so the sparse tails are pooled.
    min_cell, confidence
        Bins counting fewer people are suppressed, with complementary suppression
        inside each group's histogram (its total is published), and every bin of a
        group :func:`wage_mobility` hides is hidden; interval level of the shares.

    Returns
    -------
    DataFrame
        ``<groups>, bin, measure ("share_of_group"), estimate, ci_low, ci_high`` (share
        of the group's learners in the bin, Wilson interval), ``n`` (learners in the
        bin), ``suppressed, bin_low, bin_high, group_n``.

    Examples
    --------
    >>> import lerkit as lk
    >>> table = wage_change_distribution(lk.datasets.load("pilot-default"), by=None,
    ...                                  width=5.0, limits=(-10.0, 20.0))
    >>> table["bin_low"].tolist()[:3]
    [-inf, -10.0, -5.0]
    """
    _check_common(min_cell, confidence)
    if not (isinstance(width, int | float) and math.isfinite(width) and width > 0):
        raise LerkitError(
            f"width must be a positive number, not {width!r}", code="invalid_argument"
        )
    engine = as_engine(dataset)
    groups = _group_names(engine, by, intersect)
    before, after = _windows(engine, pre, post)
    rows = _employed_both(_pairs(engine, before, after, groups, cohort), occupation)
    if limits is None:
        q = engine.execute(
            rows.aggregate(low=rows.change.quantile(0.05), high=rows.change.quantile(0.95))
        )
        if q["low"].isna().all():
            raise LerkitError(
                f"nobody was employed in both windows (pre {before!r}, post {after!r})",
                code="empty_selection",
            )
        low = math.floor(float(q["low"].iloc[0]) / width) * width
        high = math.ceil(float(q["high"].iloc[0]) / width) * width
        if high <= low:
            high = low + width
    else:
        low, high = (float(v) for v in limits)
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise LerkitError(
                f"limits must be two finite numbers, low < high, not {limits!r}",
                code="invalid_argument",
            )
    count = math.ceil((high - low) / width - 1e-9)
    names = groups or ["population"]
    keys = _keys(names)
    top = low + count * width
    # float rounding can put a value just under the top edge into bin `count`: clamp
    inside = ibis.least(((rows.change - low) / width).floor().cast("int64"), count - 1)
    binned = rows.mutate(
        bin=ibis.cases((rows.change < low, -1), (rows.change >= top, count), else_=inside)
    )
    got = engine.execute(binned.group_by([*keys, "bin"]).agg(n=binned.count()))
    if got.empty:
        raise LerkitError(
            f"nobody was employed in both windows (pre {before!r}, post {after!r})",
            code="empty_selection",
        )
    totals = engine.execute(rows.group_by(keys).agg(n=rows.count()))
    totals = totals.astype({"n": "int64", **{k: str for k in keys}})
    got = got.astype({"n": "int64", "bin": "int64", **{k: str for k in keys}})
    group_flags = _group_cells(totals.sort_values(keys, ignore_index=True), keys, min_cell)

    bins = pd.DataFrame({"bin": np.arange(-1, count + 1, dtype="int64")})
    grid = group_flags[[*keys, "n", "suppressed"]].rename(columns={"n": "group_n"})
    grid = grid.merge(bins, how="cross")
    grid = grid.merge(got, on=[*keys, "bin"], how="left")
    grid["n"] = grid["n"].fillna(0).astype("int64")
    grid["bin_low"] = np.where(grid["bin"] < 0, -np.inf, low + grid["bin"] * width)
    grid["bin_high"] = np.where(grid["bin"] >= count, np.inf, low + (grid["bin"] + 1) * width)
    grid = grid.sort_values([*keys, "bin"], ignore_index=True)
    grid = suppress(grid, count="n", min_cell=min_cell, by=keys)
    grid["measure"] = "share_of_group"
    share_low, share_high = wilson(grid["n"], grid["group_n"], confidence)
    grid["estimate"] = grid["n"] / grid["group_n"]
    grid["ci_low"], grid["ci_high"] = share_low, share_high
    grid = _rename(grid, names)
    return finish(
        grid[[*names, "bin", "measure", "estimate", "ci_low", "ci_high", "n", "suppressed",
              "bin_low", "bin_high", "group_n"]],
        analysis="wage_change_distribution",
        parameters={
            "by": by,
            "intersect": intersect,
            "pre": before,
            "post": after,
            "width": float(width),
            "limits": [low, low + count * width],
            "occupation": occupation,
            "cohort": cohort,
        },
        min_cell=min_cell,
        confidence=confidence,
        groups=[*names, "bin"],
        hide=["group_n"],
    )  # fmt: skip


# -- 8c. occupation transitions -----------------------------------------------------------


def _titles(engine: Engine) -> dict[str, str]:
    if not engine.has_table("occupations"):
        return {}
    occupations = engine.table("occupations")
    got = engine.execute(occupations.select("occupation_soc", "title"))
    return {str(s): str(t) for s, t in zip(got["occupation_soc"], got["title"], strict=True)}


def occupation_transitions(
    dataset: EngineSource,
    by: str | None = None,
    group: Any = None,
    *,
    pre: Periods = None,
    post: Periods = None,
    cohort: str | None = None,
    min_cell: int = MIN_CELL,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Flows from the pre-window state to the post-window state, optionally per group.

    A state is the occupation of the latest quarter of the window a learner was
    employed in (O*NET-SOC code and title), or :data:`NOT_EMPLOYED`. Every pair of
    states seen anywhere in the data is listed for every group, empty flows too.

    Parameters
    ----------
    dataset : Dataset, Engine, or a dataset folder / name
    by : str, optional
        A learner attribute: one flow table per category (group column ``<by>``).
    group : optional
        With ``by``: keep only this category's table (e.g. ``by="stars", group=True``).
    pre, post : str or sequence of str, optional
        The windows, as for :func:`wage_mobility` (default: first and last quarter).
    cohort : {"ler", "comparison"}, optional
        Only learners of this arm.
    min_cell, confidence
        Flows of fewer people are suppressed, with complementary suppression so that
        neither the origin (row) nor the destination (column) totals of each group's
        flow table reveal a hidden flow; interval level.

    Returns
    -------
    DataFrame
        ``[<by>,] origin, destination, measure ("share_of_origin"), estimate, ci_low,
        ci_high`` (share of the origin's learners who are in the flow, Wilson), ``n``
        (learners in the flow), ``suppressed, origin_title, destination_title,
        origin_n, wage_n`` (learners in the flow with a wage in both windows),
        ``wage_change, wage_change_low, wage_change_high`` (their mean change, USD per
        hour, t interval), ``log_change_pct`` (100 x mean log change).

    Examples
    --------
    >>> import lerkit as lk
    >>> flows = occupation_transitions(lk.datasets.load("pilot-default"))
    >>> int(flows["n"].sum() > 0), flows["origin"].nunique() == flows["destination"].nunique()
    (1, True)
    """
    _check_common(min_cell, confidence)
    engine = as_engine(dataset)
    groups = _group_names(engine, by, None)
    if group is not None and by is None:
        raise LerkitError("group needs by (the attribute it is a category of)",
                          code="invalid_argument")  # fmt: skip
    before, after = _windows(engine, pre, post)
    pairs = _pairs(engine, before, after, groups, cohort)
    wanted: str | None = None
    if group is not None:
        wanted = ("true" if group else "false") if isinstance(group, bool) else str(group)
        pairs = pairs.filter(pairs.g_0 == wanted)
    flows = pairs.mutate(
        origin=pairs.pre_occupation.fill_null(NOT_EMPLOYED),
        destination=pairs.post_occupation.fill_null(NOT_EMPLOYED),
        change=pairs.post_wage - pairs.pre_wage,
        log_change=pairs.post_wage.ln() - pairs.pre_wage.ln(),
    )
    keys = _keys(groups)
    got = engine.execute(
        flows.group_by([*keys, "origin", "destination"]).agg(
            n=flows.count(),
            wage_n=flows.change.count(),
            wage_change=flows.change.mean(),
            wage_sd=flows.change.std(),
            log_change=flows.log_change.mean(),
        )
    )
    if got.empty:
        what = f" in group {wanted!r} of {by!r}" if wanted is not None else ""
        raise LerkitError(
            f"no learner has outcomes in both windows{what} (pre {before!r}, post {after!r})",
            code="empty_selection",
        )
    names = groups or []
    for key in keys:
        got[key] = got[key].astype(str)
    grid = flow_table(got, keys, min_cell=min_cell, confidence=confidence)
    titles = _titles(engine)
    grid["origin_title"] = grid["origin"].map(lambda s: _state_title(s, titles))
    grid["destination_title"] = grid["destination"].map(lambda s: _state_title(s, titles))
    grid = _rename(grid, names)
    columns = [*names, "origin", "destination", "measure", "estimate", "ci_low", "ci_high", "n",
               "suppressed", "origin_title", "destination_title", "origin_n", "wage_n",
               "wage_change", "wage_change_low", "wage_change_high", "log_change_pct"]  # fmt: skip
    return finish(
        grid[columns],
        analysis="occupation_transitions",
        parameters={"by": by, "group": wanted, "pre": before, "post": after, "cohort": cohort},
        min_cell=min_cell,
        confidence=confidence,
        groups=[*names, "origin", "destination"],
        hide=["origin_n", "wage_n", "wage_change", "wage_change_low", "wage_change_high",
              "log_change_pct"],
    )  # fmt: skip


def flow_table(
    got: pd.DataFrame, keys: Sequence[str], *, min_cell: int, confidence: float
) -> pd.DataFrame:
    """Square flow tables from per-(``keys``, origin, destination) aggregates.

    ``got`` has ``n``, ``wage_n``, ``wage_change``, ``wage_sd`` and ``log_change`` per
    flow. Every pair of states is a row (absent flows count 0), each group's table is
    suppressed on its own, and shares of origin (Wilson) and wage changes (t) get their
    intervals.
    """
    keys = list(keys)
    states = sorted(set(got["origin"]) | set(got["destination"]), key=_state_order)
    grid = pd.DataFrame({"origin": states}).merge(
        pd.DataFrame({"destination": states}), how="cross"
    )
    if keys:
        grid = got[keys].drop_duplicates().merge(grid, how="cross")
    grid = grid.merge(got, on=[*keys, "origin", "destination"], how="left")
    grid["n"] = grid["n"].fillna(0).astype("int64")
    grid["wage_n"] = grid["wage_n"].fillna(0).astype("int64")
    grid = grid.sort_values(keys, kind="stable", ignore_index=True) if keys else grid
    grid["origin_n"] = grid.groupby([*keys, "origin"])["n"].transform("sum").astype("int64")

    # each group's flow table is separate (the groups partition the learners), so the
    # margin equations - and the linear programs checking them - stay per table
    parts = []
    for _, part in grid.groupby(keys, sort=False) if keys else [((), grid)]:
        parts.append(_suppress_flows(part, min_cell))
    grid = pd.concat(parts).sort_index()
    grid["measure"] = "share_of_origin"
    share_low, share_high = wilson(grid["n"], grid["origin_n"], confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        grid["estimate"] = np.where(grid["origin_n"] > 0, grid["n"] / grid["origin_n"], np.nan)
    grid["ci_low"], grid["ci_high"] = share_low, share_high
    low, high = t_interval(grid["wage_change"], grid["wage_sd"], grid["wage_n"], confidence)
    grid["wage_change_low"], grid["wage_change_high"] = low, high
    grid["log_change_pct"] = 100.0 * grid["log_change"]
    return grid


def _suppress_flows(table: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Suppress one flow table so that no hidden flow follows from its row/column totals.

    The result is what ``suppress(table, totals=[["origin"], ["destination"]])`` aims
    at, made fast enough for the sparse square tables of flows (there, its search over
    candidate cells solves thousands of linear programs): the margin rule runs on rows
    and columns until nothing changes; then linear programming (the same feasible-range
    check as :mod:`lerkit.analysis._suppress`) finds any hidden flow still pinned by the
    equations, and the smallest published positive flow in its row or column is hidden
    too, until none is pinned.
    """
    out = table.reset_index(drop=True)
    values = out["n"].to_numpy(dtype=float)
    hidden = values < min_cell
    groupings = [_groups(out, []), _groups(out, ["origin"]), _groups(out, ["destination"])]
    while True:
        _margin_rule(groupings, values, hidden)
        pinned = _pinned(groupings, values, hidden)
        if not pinned:
            break
        origins = out["origin"].to_numpy()
        destinations = out["destination"].to_numpy()
        touched: set[object] = set()
        for cell in pinned:
            # one fix per row/column and round: a fix can free its neighbours too
            if origins[cell] in touched or destinations[cell] in touched:
                continue
            near = (origins == origins[cell]) | (destinations == destinations[cell])
            pool = np.flatnonzero(near & ~hidden & (values > 0))
            if len(pool) == 0:
                pool = np.flatnonzero(~hidden & (values > 0))
            if len(pool) == 0:
                hidden[:] = True
                break
            pick = pool[np.lexsort((pool, values[pool]))[0]]
            hidden[pick] = True
            touched.update((origins[cell], destinations[cell], origins[pick], destinations[pick]))
        if hidden.all():
            break
    out["suppressed"] = hidden
    out.index = table.index
    return out


def _pinned(groupings: list[list[np.ndarray]], values: np.ndarray, hidden: np.ndarray) -> list[int]:
    """Hidden cells whose value the margin equations (and counts >= 0) determine.

    A cell is free when two feasible tables differ in it. The true table is one; a few
    linear programs pushing all the cells not yet seen to move up (then down) together
    show most free cells moving, so only the cells that never moved get the exact
    two-LP range check (which :mod:`lerkit.analysis._suppress` runs for every cell).
    """
    index, a_eq, b_eq = margin_equations(groupings, values, hidden)
    if len(index) == 0:
        return []
    truth = values[index]
    bounds = [(0.0, None)] * len(index)

    def solve(objective: np.ndarray) -> np.ndarray | None:
        got = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        return np.asarray(got.x) if got.success else None

    moved = np.zeros(len(index), dtype=bool)
    # push the still-unmoved cells up together, then down together: every cell that
    # moves in a solution is free; repeat until a round frees nothing
    for sign in (-1.0, 1.0):
        while True:
            todo = ~moved if sign < 0 else ~moved & (truth > 0)
            if not todo.any():
                break
            x = solve(np.where(todo, sign, 0.0))
            if x is None:
                break
            newly = todo & (np.abs(x - truth) > 1e-6)
            if not newly.any():
                break
            moved |= newly
    pinned: list[int] = []
    for i in np.flatnonzero(~moved):
        if moved[i]:
            continue  # seen moving in an earlier cell's solution
        c = np.zeros(len(index))
        c[i] = 1.0
        low, high = solve(c), solve(-c)
        if low is None or high is None or high[i] - low[i] <= 1e-9:
            pinned.append(int(index[i]))
        for x in (low, high):
            if x is not None:
                moved |= np.abs(x - truth) > 1e-6
    return pinned


def _state_order(state: str) -> tuple[int, str]:
    return (1, state) if state == NOT_EMPLOYED else (0, state)


def _state_title(state: str, titles: dict[str, str]) -> str:
    if state == NOT_EMPLOYED:
        return "Not employed"
    return titles.get(state, state)
