"""Figures for process efficiency (:func:`lerkit.analysis.process_efficiency`).

:func:`process_efficiency_figure` compares the days taken to confirm a candidate's
credentials, LER verification against manual checks; :func:`process_efficiency_savings_figure`
shows the days saved (per check, or over the LER-checked hires). Hidden cells are gaps,
counted in the subtitle.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
import plotly.graph_objects as go

from lerkit.errors import LerkitError
from lerkit.plots._style import (
    column_title,
    join_subtitle,
    plain_label,
    require_analysis,
    result_bars,
)

__all__ = ["process_efficiency_figure", "process_efficiency_savings_figure"]

_CHECKS = {"ler": "LER verification", "manual": "Manual checks"}

_TIMES = {
    "mean_check_days": ("mean", "t intervals"),
    "median_check_days": ("median", "order-statistic intervals"),
}

_SAVINGS = {
    "difference_in_means": (
        "Days saved per credential check with LER verification",
        "Days saved per check (days, manual minus LER)",
    ),
    "hiring_days_saved": (
        "Hiring days saved across the hires checked through LERs",
        "Hiring days saved in total (days)",
    ),
}


def _strata(result: pd.DataFrame) -> list[str]:
    by = list(result.attrs.get("parameters", {}).get("by", ("credential_check",)))
    return [c for c in by if c != "credential_check" and c in result.columns]


def _stratum_label(rows: pd.DataFrame, strata: list[str]) -> pd.Series:
    if not strata:
        return pd.Series("All applications", index=rows.index)
    return rows.apply(lambda r: " · ".join(plain_label(r[c], c) for c in strata), axis=1)


def process_efficiency_figure(
    result: pd.DataFrame,
    measure: Literal["mean_check_days", "median_check_days"] = "mean_check_days",
) -> go.Figure:
    """Days to confirm a candidate's credentials, LER verification vs manual checks.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.process_efficiency`.
    measure : {"mean_check_days", "median_check_days"}
        The mean (t interval) or the median (order-statistic interval).

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    LerkitError
        ``invalid_argument`` for another frame or measure.

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis import process_efficiency
    >>> table = process_efficiency(lk.datasets.load("pilot-default"))
    >>> process_efficiency_figure(table).layout.yaxis.title.text
    'Days to confirm credentials (mean, days)'
    """
    require_analysis(result, "process_efficiency")
    if measure not in _TIMES:
        raise LerkitError(
            f"unknown measure {measure!r}; expected one of {', '.join(_TIMES)}",
            code="invalid_argument",
        )
    statistic, interval = _TIMES[measure]
    strata = _strata(result)
    rows = result[result["measure"] == measure].copy()
    rows["label"] = rows["credential_check"].map(lambda c: _CHECKS.get(str(c), plain_label(c)))
    color = None
    if strata:
        rows["stratum"] = _stratum_label(rows, strata)
        color = "stratum"
    return result_bars(
        rows,
        "label",
        title="How long it takes to confirm a candidate's credentials: LER vs manual checks",
        x_title="Credential check",
        y_title=f"Days to confirm credentials ({statistic}, days)",
        color=color,
        color_title=" · ".join(column_title(c) for c in strata) or None,
        subtitle=f"{interval}; applications with a recorded check",
    )


def process_efficiency_savings_figure(
    result: pd.DataFrame,
    measure: Literal["difference_in_means", "hiring_days_saved"] = "difference_in_means",
) -> go.Figure:
    """Days saved by LER verification, per check or over the hires, with Welch intervals.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.process_efficiency`.
    measure : {"difference_in_means", "hiring_days_saved"}
        Mean days saved per check (manual minus LER), or that times the hires among
        LER-checked applications.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    require_analysis(result, "process_efficiency")
    if measure not in _SAVINGS:
        raise LerkitError(
            f"unknown measure {measure!r}; expected one of {', '.join(_SAVINGS)}",
            code="invalid_argument",
        )
    title, axis = _SAVINGS[measure]
    strata = _strata(result)
    rows = result[result["measure"] == measure].copy()
    rows["label"] = _stratum_label(rows, strata)
    return result_bars(
        rows,
        "label",
        title=title,
        x_title=" · ".join(column_title(c) for c in strata) or "Applications",
        y_title=axis,
        reference=0.0,
        reference_label="no saving",
        horizontal=True,
        subtitle=join_subtitle("Welch t intervals"),
    )
