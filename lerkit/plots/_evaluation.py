"""Figures for the pilot's evaluation and its power.

- :func:`pilot_evaluation_figure`: the LER arm's estimated effect, four ways (naive,
  difference in differences, adjusted, regression), with intervals and a line at 0;
- :func:`power_analysis_figure` / :func:`detectable_effect_figure`: the power curve,
  sample size against the smallest effect a two-arm comparison detects, marking the
  planned (or this pilot's) size.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from statsmodels.stats.power import (  # type: ignore[import-untyped, unused-ignore]
    NormalIndPower,
    TTestIndPower,
)

from lerkit.errors import LerkitError
from lerkit.plots._style import PALETTE, TEMPLATE, join_subtitle, require_analysis, result_bars

__all__ = ["detectable_effect_figure", "pilot_evaluation_figure", "power_analysis_figure"]

_ESTIMATORS = {
    "naive": "Simple difference after the pilot",
    "did": "Difference in differences",
    "did_adjusted": "Difference in differences, adjusted",
    "regression": "Regression after the pilot, adjusted",
}


def _effect_unit(parameters: Mapping[str, Any]) -> tuple[str, str, bool]:
    """(what, unit, percent) of an evaluation's effect."""
    if parameters.get("outcome") == "employed":
        return "share of quarters employed", "percentage points", True
    if parameters.get("log"):
        return "hourly wage", "log points, about % / 100", False
    return "hourly wage", "USD per hour", False


def pilot_evaluation_figure(result: pd.DataFrame) -> go.Figure:
    """The LER arm's estimated effect by estimator, with confidence intervals.

    The difference in differences compares the change from before to after the pilot in
    the LER arm with the change in the comparison group; the simple difference compares
    the arms after the pilot only. An interval that crosses the line at 0 does not rule
    out no effect.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.pilot_evaluation`.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    LerkitError
        ``invalid_argument`` for another analysis's frame.

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis import pilot_evaluation
    >>> table = pilot_evaluation(lk.datasets.load("pilot-default"))
    >>> pilot_evaluation_figure(table).layout.xaxis.title.text
    'Effect on hourly wage (USD per hour)'
    """
    require_analysis(result, "pilot_evaluation")
    parameters = result.attrs.get("parameters", {})
    what, unit, percent = _effect_unit(parameters)
    rows = result.copy()
    rows["label"] = rows["measure"].map(lambda m: _ESTIMATORS.get(str(m), str(m)))
    pre, post = parameters.get("pre") or [], parameters.get("post") or []
    periods = f"before: {pre[0]}–{pre[-1]}, after: {post[0]}–{post[-1]}" if pre and post else None
    fig = result_bars(
        rows,
        "label",
        title=f"Estimated effect of the LER pilot on {what}",
        x_title="Estimator",
        y_title=f"Effect on {what} ({unit})",
        percent=percent,
        reference=0.0,
        reference_label="no effect",
        horizontal=True,
        subtitle=join_subtitle("LER arm minus comparison group", periods),
    )
    if percent:
        fig.update_xaxes(tickformat="+.0%")
    return fig


# -- power ----------------------------------------------------------------------------------

_POWER_COLUMNS = ("outcome", "effect", "n_ler", "alpha", "power", "ratio", "solved")


def _power_row(result: object, name: str) -> pd.Series:
    # power_analysis / detectable_effect return a plain one-row frame without attrs
    if not isinstance(result, pd.DataFrame):
        raise LerkitError(
            f"expected the one-row result of {name!r}, got {type(result).__name__}",
            code="invalid_argument",
        )
    if result.attrs.get("analysis") is not None:
        require_analysis(result, name)
    missing = [c for c in _POWER_COLUMNS if c not in result.columns]
    if missing:
        raise LerkitError(
            f"expected the result of {name!r}, got a frame without column {missing[0]!r}",
            code="invalid_argument",
        )
    if len(result) != 1:
        raise LerkitError(
            f"expected the one-row result of {name!r}, got {len(result)} rows",
            code="invalid_argument",
        )
    return result.iloc[0]


def _curve(row: pd.Series, n: np.ndarray) -> list[float]:
    """The smallest effect detectable at each sample size (two-sided test).

    Solved with statsmodels directly, as :func:`lerkit.analysis.power_analysis` does:
    for some sample sizes ``solve_power`` returns a one-element array, which
    ``power_analysis`` cannot yet turn into a float.
    """
    # lerkit.analysis loads Ibis: imported on use, not on `import lerkit`
    from lerkit.analysis._power import _h_to_p2

    proportion = row["outcome"] == "proportion"
    solver = NormalIndPower() if proportion else TTestIndPower()
    effects = []
    for size in n:
        value = solver.solve_power(
            effect_size=None,
            nobs1=float(size),
            alpha=float(row["alpha"]),
            power=float(row["power"]),
            ratio=float(row["ratio"]),
            alternative="two-sided",
        )
        es = float(np.asarray(value, dtype=float).reshape(-1)[0])
        if proportion:
            baseline = float(row["baseline"])
            effects.append(abs(_h_to_p2(es, baseline) - baseline))
        else:
            effects.append(abs(es * float(row["sd"])))
    return effects


def _power_figure(row: pd.Series, *, title: str, marker: str, unit: str | None) -> go.Figure:
    n_ler = float(row["n_ler"])
    low = max(10.0, n_ler / 20.0)
    sizes = np.unique(np.round(np.geomspace(low, max(n_ler * 5.0, low * 10.0), 60)))
    sizes = np.unique(np.append(sizes, n_ler))
    effects = _curve(row, sizes)
    proportion = row["outcome"] == "proportion"
    unit = unit or ("percentage points" if proportion else "outcome units")
    effect = abs(float(row["effect"]))
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[float(s) for s in sizes],
            y=effects,
            mode="lines",
            line={"color": PALETTE[0], "width": 2.5},
            name=f"Smallest detectable effect at {float(row['power']):.0%} power",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[n_ler],
            y=[effect],
            mode="markers+text",
            marker={"color": PALETTE[3], "size": 12, "symbol": "diamond"},
            text=[marker],
            textposition="top right",
            name=marker,
        )
    )
    ratio = float(row["ratio"])
    baseline = (
        f"comparison rate {float(row['baseline']):.0%}"
        if proportion and row.get("baseline") is not None
        else (f"standard deviation {float(row['sd']):.3g}" if row.get("sd") is not None else None)
    )
    fig.update_layout(
        template=TEMPLATE,
        title={
            "text": title,
            "subtitle": {
                "text": join_subtitle(
                    f"two-sided test at {float(row['alpha']):g} significance",
                    "arms of about equal size"
                    if abs(ratio - 1.0) < 0.05
                    else f"{ratio:.2f} comparison learners per LER learner",
                    baseline,
                )
            },
        },
        xaxis={"title": {"text": "Learners in the LER arm (count, log scale)"}, "type": "log"},
        yaxis={
            "title": {"text": f"Smallest detectable effect ({unit})"},
            "tickformat": ".1%" if proportion else None,
        },
        showlegend=True,
    )
    return fig


def power_analysis_figure(result: pd.DataFrame, *, unit: str | None = None) -> go.Figure:
    """Power curve: the smallest detectable effect against the LER arm's size.

    The curve keeps the result's significance level, power, arm ratio and baseline (or
    standard deviation); the diamond marks the result's own size and effect. The curve
    is for a two-sided test (the result does not record the alternative).

    Parameters
    ----------
    result : DataFrame
        The one-row result of :func:`lerkit.analysis.power_analysis`.
    unit : str, optional
        The effect's unit for a mean (e.g. ``"USD per hour"``); proportions are in
        percentage points.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    LerkitError
        ``invalid_argument`` for anything but a power_analysis row.

    Examples
    --------
    >>> from lerkit.analysis import power_analysis
    >>> plan = power_analysis(effect=0.05, outcome="proportion", baseline=0.74)
    >>> power_analysis_figure(plan).data[1].x
    (1126.0,)
    """
    row = _power_row(result, "power_analysis")
    n_ler = float(row["n_ler"])
    return _power_figure(
        row,
        title="How many learners a pilot needs: sample size against detectable effect",
        marker=f"planned: {n_ler:,.0f} LER learners",
        unit=unit,
    )


def detectable_effect_figure(result: pd.DataFrame, *, unit: str | None = None) -> go.Figure:
    """Power curve marking this pilot: the smallest effect it can detect at its size.

    Parameters
    ----------
    result : DataFrame
        The one-row result of :func:`lerkit.analysis.detectable_effect`.
    unit : str, optional
        The effect's unit for a mean outcome; default ``"USD per hour"`` (pass
        ``"log points"`` for a result computed with ``log=True``: the result does not
        record it). Employment effects are in percentage points.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis import detectable_effect
    >>> mde = detectable_effect(lk.datasets.load("pilot-default"))
    >>> detectable_effect_figure(mde).layout.yaxis.title.text
    'Smallest detectable effect (USD per hour)'
    """
    row = _power_row(result, "detectable_effect")
    if "period" not in row.index or row["solved"] != "effect":
        raise LerkitError(
            "expected the result of 'detectable_effect' (a power_analysis row solved for "
            f"the effect, with its period), got one solved for {row['solved']!r}",
            code="invalid_argument",
        )
    if row["outcome"] != "proportion" and unit is None:
        unit = "USD per hour"
    n_ler = float(row["n_ler"])
    effect = float(row["effect"])
    shown = (
        f"{effect * 100:.1f} percentage points"
        if row["outcome"] == "proportion"
        else f"{effect:.3g} {unit}"
    )
    fig = _power_figure(
        row,
        title="What this pilot can detect: sample size against detectable effect",
        marker=f"this pilot: {n_ler:,.0f} LER learners, {shown}",
        unit=unit,
    )
    if not math.isnan(n_ler):
        fig.add_vline(x=n_ler, line_dash="dot", line_color="#444444")
    return fig
