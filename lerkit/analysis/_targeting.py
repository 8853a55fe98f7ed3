"""Where to act: the regions, occupations and pathways with the largest outcome gaps, ranked.

:func:`where_to_act` measures, for every category of each dimension, the gap in an
outcome (employment in a quarter, a wage above a threshold, or the mean wage) to a
reference, with its interval, and ranks the cells by how many people the gap affects,
using the end of the interval nearest to no gap so that a noisy small cell does not
come first. With a ``focus`` population the gap is the focus group's against everyone
else *within the same cell* ("STARs vs others within this region").

Counts and sums are made by the query engine; intervals and the ranking run on the
aggregated table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import ibis  # type: ignore[import-untyped, unused-ignore]
import numpy as np
import pandas as pd
from scipy import stats  # type: ignore[import-untyped, unused-ignore]

from lerkit.analysis._descriptive import (
    _attributes,
    _check_common,
    _label,
    _learners,
    _reference_key,
)
from lerkit.analysis._engine import Engine, EngineSource, as_engine
from lerkit.analysis._intervals import newcombe, t_interval, wilson
from lerkit.analysis._result import finish
from lerkit.analysis._suppress import MIN_CELL, suppress
from lerkit.errors import LerkitError

__all__ = ["NO_EARLIER_JOB", "TARGET_OUTCOMES", "where_to_act"]

#: The outcomes :func:`where_to_act` can rank on.
TARGET_OUTCOMES: tuple[str, ...] = ("employed", "wage_above", "mean_wage")

#: The ``occupation`` category of learners with no job before the outcome quarter.
NO_EARLIER_JOB = "no_earlier_job"

Outcome = Literal["employed", "wage_above", "mean_wage"]
Reference = Literal["overall", "others"] | float

_MEASURES = {
    "employed": "employment_rate_gap",
    "wage_above": "wage_above_rate_gap",
    "mean_wage": "mean_wage_gap",
}


def _period(engine: Engine, period: str | None) -> str:
    outcomes = engine.table("outcomes")
    known = sorted(
        str(p) for p in engine.execute(outcomes.select("period").distinct())["period"].dropna()
    )
    if not known:
        raise LerkitError("the outcomes table has no periods", code="empty_selection")
    if period is None:
        return known[-1]
    if period not in known:
        raise LerkitError(
            f"period {period!r} is not in the outcomes (periods {known[0]}..{known[-1]})",
            code="unknown_period",
        )
    return period


def _focus(
    engine: Engine, focus: Mapping[str, Any] | tuple[str, Any] | None
) -> tuple[str, str] | None:
    if focus is None:
        return None
    items = list(focus.items()) if isinstance(focus, Mapping) else [tuple(focus)]
    if len(items) != 1 or len(items[0]) != 2:
        raise LerkitError(
            f"focus must name one attribute and one value, e.g. {{'stars': True}}, not {focus!r}",
            code="invalid_argument",
        )
    attribute, value = items[0]
    _attributes(engine, [str(attribute)])
    return str(attribute), _reference_key(value)


def _dimension_value(name: str, learners: Any, previous: Any) -> Any:
    if name == "occupation":
        return previous
    return _label(learners[name])


def where_to_act(
    dataset: EngineSource,
    dimensions: Sequence[str] = ("region", "occupation", "pathway"),
    outcome: Outcome = "employed",
    reference: Reference = "overall",
    *,
    threshold: float | None = None,
    period: str | None = None,
    focus: Mapping[str, Any] | tuple[str, Any] | None = None,
    cohort: str | None = None,
    min_cell: int = MIN_CELL,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Rank the places to intervene: the cells with the largest outcome gaps.

    For each category of each dimension: the outcome in ``period``, its gap to the
    reference with an interval, the people in the cell, and a ranking score.

    The score is the number of people who would need to change state to close the gap,
    counted conservatively: ``shortfall`` is the distance from no gap to the end of
    the gap's interval nearest to it (0 when the interval reaches no gap or the cell
    does better than the reference), and ``score = shortfall x n``. For
    ``mean_wage`` the score is in USD per hour summed over the cell's people. Cells are
    ranked by score (ties by the gap), published cells only.

    Parameters
    ----------
    dataset : Dataset, Engine, or a dataset folder / name
    dimensions : sequence of str
        ``"occupation"``, and learner attributes (default region, occupation, pathway).
        The occupation of a learner is their **last occupation before the outcome
        quarter**: the occupation of the latest earlier quarter they were employed in
        (:data:`NO_EARLIER_JOB` when none). It is where they come from, so it says
        which occupations' workers to reach; it is not the job held in the quarter,
        which would make the employment gap trivial.
    outcome : {"employed", "wage_above", "mean_wage"}
        Employed in the quarter; employed at an hourly wage above ``threshold``
        (others count as not above); or the mean hourly wage (USD per hour) of those
        employed with a positive wage.
    reference : "overall", "others" or float
        What the gap is measured against: the whole population's value (the default;
        the cell is part of it, so the interval is that of cell minus everyone else,
        scaled by ``1 - n / N``); everyone outside the cell; or a fixed target (e.g.
        0.8, or a wage in USD per hour). Ignored with ``focus``.
    threshold : float, optional
        USD per hour for ``wage_above`` (default: the median wage of those employed in
        the quarter; recorded in ``attrs["parameters"]``).
    period : str, optional
        The quarter (default the last one in the data).
    focus : mapping or (attribute, value), optional
        E.g. ``{"stars": True}``: in each cell, the gap is the focus group's outcome
        minus that of the cell's other learners, ``n`` counts the focus group and the
        score the focus group's people.
    cohort : {"ler", "comparison"}, optional
        Only learners of this arm.
    min_cell, confidence
        Cells (and with ``focus`` each side of a cell) of fewer learners, or fewer than
        ``min_cell`` with or without the outcome, are suppressed, with complementary
        suppression within each dimension; interval level.

    Returns
    -------
    DataFrame
        ``dimension, category, measure, estimate`` (the gap: percentage points as a
        share for rates, USD per hour for ``mean_wage``), ``ci_low, ci_high, n,
        suppressed, label`` (plain title: occupation titles), ``value, value_low,
        value_high`` (the cell's outcome and interval), ``reference_value, k`` (people
        with the outcome), ``others_n`` (with focus), ``shortfall, score, rank``;
        sorted by rank, hidden cells last.

    Raises
    ------
    LerkitError
        ``invalid_argument`` (unknown dimension, outcome, reference or focus),
        ``unknown_period``, ``empty_selection`` (nobody in the selection).

    Examples
    --------
    >>> import lerkit as lk
    >>> ranked = where_to_act(lk.datasets.load("pilot-default"), dimensions=["pathway"])
    >>> list(ranked.columns[:4])
    ['dimension', 'category', 'measure', 'estimate']
    """
    _check_common(min_cell, confidence)
    if outcome not in TARGET_OUTCOMES:
        raise LerkitError(
            f"outcome must be one of {', '.join(TARGET_OUTCOMES)}, not {outcome!r}",
            code="invalid_argument",
        )
    fixed: float | None = None
    if isinstance(reference, str):
        if reference not in ("overall", "others"):
            raise LerkitError(
                f"reference must be 'overall', 'others' or a number, not {reference!r}",
                code="invalid_argument",
            )
    elif isinstance(reference, int | float) and not isinstance(reference, bool):
        fixed = float(reference)
        if not np.isfinite(fixed):
            raise LerkitError(
                f"reference must be finite, not {reference!r}", code="invalid_argument"
            )
    else:
        raise LerkitError(
            f"reference must be 'overall', 'others' or a number, not {reference!r}",
            code="invalid_argument",
        )
    engine = as_engine(dataset)
    names = [dimensions] if isinstance(dimensions, str) else list(dimensions)
    if not names:
        raise LerkitError("where_to_act needs at least one dimension", code="invalid_argument")
    if len(set(names)) != len(names):
        raise LerkitError(f"a dimension is named twice in {names!r}", code="invalid_argument")
    _attributes(engine, [n for n in names if n != "occupation"])
    chosen_focus = _focus(engine, focus)
    quarter = _period(engine, period)

    outcomes = engine.table("outcomes")
    now = outcomes.filter(outcomes.period == quarter).select(
        "learner_id", "employed", "hourly_wage"
    )
    learners = _learners(engine, cohort)
    rows = learners.join(now, "learner_id")
    if "occupation" in names:
        earlier = outcomes.filter(
            (outcomes.period < quarter)
            & outcomes.employed.fill_null(False)
            & outcomes.occupation_soc.notnull()
        )
        last = earlier.group_by("learner_id").agg(
            previous=earlier.occupation_soc.argmax(earlier.period)
        )
        rows = rows.left_join(last, "learner_id")
        previous = rows.previous.fill_null(NO_EARLIER_JOB)
    else:
        previous = ibis.literal(NO_EARLIER_JOB)
    working = rows.employed.fill_null(False)
    if outcome == "wage_above" and threshold is None:
        paid = rows.filter(working & rows.hourly_wage.notnull())
        median = engine.execute(paid.hourly_wage.median().name("m").as_table())["m"].iloc[0]
        if pd.isna(median):
            raise LerkitError(f"nobody was employed in {quarter!r}", code="empty_selection")
        threshold = float(median)
    if outcome == "mean_wage":
        keep = working & rows.hourly_wage.notnull() & (rows.hourly_wage > 0)
        y = rows.hourly_wage
    else:
        keep = ibis.literal(True)
        flag = working if outcome == "employed" else working & (rows.hourly_wage > threshold)
        y = flag.fill_null(False).cast("int64")
    side = (
        ibis.literal("all")
        if chosen_focus is None
        else ibis.ifelse(_label(rows[chosen_focus[0]]) == chosen_focus[1], "focus", "others")
    )
    parts = [
        rows.filter(keep).select(
            dimension=ibis.literal(name),
            category=_dimension_value(name, rows, previous).name("category"),
            side=side,
            y=y.cast("float64"),
        )
        for name in names
    ]
    stacked = parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
    counts = engine.execute(
        stacked.group_by(["dimension", "category", "side"]).agg(
            n=stacked.count(), s=stacked.y.sum(), ss=(stacked.y * stacked.y).sum()
        )
    )
    if counts.empty:
        raise LerkitError(
            f"nobody in the selection has an outcome in {quarter!r}", code="empty_selection"
        )
    counts = counts.astype({"n": "int64", "s": float, "ss": float})
    if chosen_focus is not None and "focus" not in set(counts["side"]):
        raise LerkitError(
            f"nobody has {chosen_focus[0]} = {chosen_focus[1]!r} in the selection",
            code="empty_selection",
        )
    rate = outcome != "mean_wage"
    table = _gaps(counts, names, chosen_focus is not None, reference, fixed, rate, confidence)
    table = _hide(table, chosen_focus is not None, rate, min_cell)
    table = _rank(table)
    table["label"] = _labels(engine, table)
    table["measure"] = _MEASURES[outcome]
    columns = ["dimension", "category", "measure", "estimate", "ci_low", "ci_high", "n",
               "suppressed", "label", "value", "value_low", "value_high", "reference_value",
               "k", "others_n", "shortfall", "score", "rank"]  # fmt: skip
    result = finish(
        table[columns],
        analysis="where_to_act",
        parameters={
            "dimensions": names,
            "outcome": outcome,
            "reference": reference,
            "threshold": threshold,
            "period": quarter,
            "focus": None if chosen_focus is None else dict([chosen_focus]),
            "cohort": cohort,
            "occupation": "last occupation before the period",
        },
        min_cell=min_cell,
        confidence=confidence,
        groups=["dimension", "category"],
        hide=["value", "value_low", "value_high", "k", "others_n", "shortfall", "score"],
    )
    # the reference of a hidden cell is the population's and stays; with focus it is the
    # cell's other learners' value, so it goes with the cell
    if chosen_focus is not None:
        result.loc[result["suppressed"], "reference_value"] = np.nan
    result["rank"] = result["rank"].astype("Int64")
    return result


def _moments(n: np.ndarray, s: np.ndarray, ss: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample variance from count, sum and sum of squares."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, s / n, np.nan)
        var = np.where(n > 1, np.maximum(ss - n * mean * mean, 0.0) / (n - 1), np.nan)
    return mean, var


def _welch(
    m1: np.ndarray, v1: np.ndarray, n1: np.ndarray, m2: np.ndarray, v2: np.ndarray,
    n2: np.ndarray, confidence: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Welch's interval for a difference of two independent means."""
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = v1 / n1, v2 / n2
        se = np.sqrt(a + b)
        df = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n2 - 1))
        t = stats.t.ppf(0.5 + confidence / 2.0, df)
    d = m1 - m2
    return d, d - t * se, d + t * se


def _gaps(
    counts: pd.DataFrame,
    names: list[str],
    focused: bool,
    reference: Reference,
    fixed: float | None,
    rate: bool,
    confidence: float,
) -> pd.DataFrame:
    keys = ["dimension", "category"]
    if focused:
        wide = counts.pivot_table(
            index=keys, columns="side", values=["n", "s", "ss"], aggfunc="sum", fill_value=0
        )

        def side(column: str, which: str) -> Any:
            return wide[(column, which)] if (column, which) in wide.columns else 0

        frame = pd.DataFrame(
            {
                "n": side("n", "focus"),
                "s": side("s", "focus"),
                "ss": side("ss", "focus"),
                "others_n": side("n", "others"),
                "others_s": side("s", "others"),
                "others_ss": side("ss", "others"),
            }
        ).reset_index()
    else:
        frame = counts.groupby(keys, as_index=False)[["n", "s", "ss"]].sum()
        totals = frame.groupby("dimension")[["n", "s", "ss"]].transform("sum")
        frame["others_n"] = totals["n"] - frame["n"]
        frame["others_s"] = totals["s"] - frame["s"]
        frame["others_ss"] = totals["ss"] - frame["ss"]
    frame = frame.astype({"n": "int64", "others_n": "int64"})
    order = {name: i for i, name in enumerate(names)}
    frame = frame.sort_values(
        ["dimension", "category"], key=lambda c: c.map(order) if c.name == "dimension" else c
    ).reset_index(drop=True)
    n = frame["n"].to_numpy(dtype=float)
    n2 = frame["others_n"].to_numpy(dtype=float)
    s, s2 = frame["s"].to_numpy(dtype=float), frame["others_s"].to_numpy(dtype=float)
    mean, var = _moments(n, s, frame["ss"].to_numpy(dtype=float))
    mean2, var2 = _moments(n2, s2, frame["others_ss"].to_numpy(dtype=float))
    frame["k"] = (
        pd.array(np.rint(s).astype("int64"), dtype="Int64")
        if rate
        else pd.array([pd.NA] * len(frame), dtype="Int64")
    )
    frame["value"] = mean
    if rate:
        frame["value_low"], frame["value_high"] = wilson(s, n, confidence)
        d, low, high = newcombe(s, n, s2, n2, confidence)
    else:
        frame["value_low"], frame["value_high"] = t_interval(mean, np.sqrt(var), n, confidence)
        d, low, high = _welch(mean, var, n, mean2, var2, n2, confidence)
    if focused or reference == "others":
        frame["reference_value"] = mean2
        frame["estimate"], frame["ci_low"], frame["ci_high"] = d, low, high
    elif fixed is not None:
        frame["reference_value"] = fixed
        frame["estimate"] = mean - fixed
        frame["ci_low"] = frame["value_low"] - fixed
        frame["ci_high"] = frame["value_high"] - fixed
    else:
        # cell minus the whole population = (1 - n / N) x (cell minus everyone else)
        total = n + n2
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(total > 0, n2 / total, np.nan)
            frame["reference_value"] = (s + s2) / total
        frame["estimate"], frame["ci_low"], frame["ci_high"] = d * scale, low * scale, high * scale
    if not focused:
        frame["others_n"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    return frame


def _hide(frame: pd.DataFrame, focused: bool, rate: bool, min_cell: int) -> pd.DataFrame:
    """Suppress the cells (both sides with focus) and protect them within each dimension."""
    numerators = ["k"] if rate else []
    if not focused:
        return suppress(
            frame, count="n", min_cell=min_cell, by=("dimension",), numerators=numerators
        )
    k = np.rint(frame["s"].to_numpy(dtype=float)).astype("int64")
    k2 = np.rint(frame["others_s"].to_numpy(dtype=float)).astype("int64")
    long = pd.concat(
        [
            pd.DataFrame({"dimension": frame["dimension"], "category": frame["category"],
                          "side": "focus", "n": frame["n"], "k": k, "row": frame.index}),
            pd.DataFrame({"dimension": frame["dimension"], "category": frame["category"],
                          "side": "others", "n": frame["others_n"].astype("int64"), "k": k2,
                          "row": frame.index}),
        ],
        ignore_index=True,
    )  # fmt: skip
    # a two-way table per dimension: categories x (focus, others), both margins published
    hidden = suppress(
        long,
        count="n",
        min_cell=min_cell,
        by=("dimension",),
        totals=[["side"], ["category"]],
        numerators=numerators,
    )
    rows = set(hidden.loc[hidden["suppressed"], "row"])
    out = frame.copy()
    out["suppressed"] = out.index.isin(list(rows))
    return out


def _rank(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    high = out["ci_high"].to_numpy(dtype=float)
    shortfall = np.where(np.isnan(high), np.nan, np.maximum(0.0, -high))
    out["shortfall"] = shortfall
    out["score"] = shortfall * out["n"].to_numpy(dtype=float)
    shown = ~out["suppressed"].to_numpy(dtype=bool) & ~np.isnan(shortfall)
    order = out[shown].sort_values(["score", "estimate"], ascending=[False, True], kind="stable")
    out["rank"] = np.nan
    out.loc[order.index, "rank"] = np.arange(1, len(order) + 1, dtype=float)
    out["_hidden"] = ~shown
    out = out.sort_values(["_hidden", "rank"], kind="stable").drop(columns="_hidden")
    return out.reset_index(drop=True)


def _labels(engine: Engine, frame: pd.DataFrame) -> pd.Series:
    titles: dict[str, str] = {}
    if (frame["dimension"] == "occupation").any() and engine.has_table("occupations"):
        occupations = engine.table("occupations")
        got = engine.execute(occupations.select("occupation_soc", "title"))
        titles = dict(zip(got["occupation_soc"].astype(str), got["title"].astype(str), strict=True))
    titles[NO_EARLIER_JOB] = "No earlier job"
    return pd.Series(
        [
            titles.get(str(c), str(c)) if d == "occupation" else str(c)
            for d, c in zip(frame["dimension"], frame["category"], strict=True)
        ],
        index=frame.index,
    )
