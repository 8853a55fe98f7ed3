"""Kaplan-Meier curves of :func:`lerkit.analysis.time_to_employment`.

:func:`time_to_employment_figure` draws one step curve per group (the share not yet
employed, quarter by quarter) with its confidence band. Hidden points (a small group, or
too few people still at risk) end the curve there: nothing is drawn for them.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from lerkit.plots._style import (
    TEMPLATE,
    column_title,
    hidden_note,
    join_subtitle,
    palette,
    plain_label,
    require_analysis,
    rgba,
)

__all__ = ["time_to_employment_figure"]

_STARTS = {
    "credential": "Quarters since the first pilot credential",
    "enrolment": "Quarters since enrolment",
}


def _number(value: object) -> float | None:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return None if pd.isna(number) else float(number)


def _curve(
    rows: pd.DataFrame, column: str, shown: pd.Series, origin: float | None
) -> list[float | None]:
    numbers = pd.to_numeric(rows[column], errors="coerce").where(shown)
    return [origin, *(None if pd.isna(v) else float(v) for v in numbers)]


def time_to_employment_figure(result: pd.DataFrame, *, bands: bool = True) -> go.Figure:
    """Kaplan-Meier step curves: the share of each group not yet employed, over time.

    Every curve starts at 100% at time 0 (nobody is employed before the clock starts)
    unless its group is hidden; its band is the Greenwood (log-log) interval. The
    legend gives each group's median time where the curve reaches one half, and the
    subtitle the log-rank test of equal curves.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.time_to_employment`.
    bands : bool, default True
        Draw the confidence bands.

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
    >>> from lerkit.analysis import time_to_employment
    >>> table = time_to_employment(lk.datasets.load("pilot-default"), by="stars")
    >>> time_to_employment_figure(table).layout.yaxis.title.text
    'Not yet employed (%)'
    """
    require_analysis(result, "time_to_employment")
    parameters = result.attrs.get("parameters", {})
    by = parameters.get("by")
    start = str(parameters.get("start", "credential"))
    curves = result[result["measure"] == "survival"]
    groups = list(dict.fromkeys(curves["group"]))
    colours = palette(len(groups))
    hidden = int(curves["suppressed"].astype(bool).sum())
    fig = go.Figure()
    for group, colour in zip(groups, colours, strict=True):
        rows = curves[curves["group"] == group].sort_values("time", kind="stable")
        shown = ~rows["suppressed"].astype(bool)
        label = "All learners" if by is None else plain_label(group, str(by))
        median = result[(result["measure"] == "median") & (result["group"] == group)]
        if len(median) and not bool(median["suppressed"].iloc[0]):
            value = _number(median["estimate"].iloc[0])
            if value is not None and math.isfinite(value):
                label += f" (median {value:g} quarter{'' if value == 1 else 's'})"
            elif value is not None:
                label += " (median not reached)"
        # the curve is 1 at time 0 by definition, but not for a group that is hidden
        origin = 1.0 if shown.any() else None
        times = [0.0, *(float(t) for t in rows["time"])]
        ids = [[None], *([i] for i in rows.index)]

        if bands:
            fig.add_trace(
                go.Scatter(
                    x=times, y=_curve(rows, "ci_high", shown, origin), mode="lines", line={"width": 0,
                    "shape": "hv"}, legendgroup=label, showlegend=False, hoverinfo="skip",
                    customdata=ids, name=f"{label}: upper limit",
                )
            )  # fmt: skip
            fig.add_trace(
                go.Scatter(
                    x=times, y=_curve(rows, "ci_low", shown, origin), mode="lines", line={"width": 0,
                    "shape": "hv"}, fill="tonexty", fillcolor=rgba(colour, 0.18),
                    legendgroup=label, showlegend=False, hoverinfo="skip", customdata=ids,
                    name=f"{label}: lower limit",
                )
            )  # fmt: skip
        fig.add_trace(
            go.Scatter(
                x=times,
                y=_curve(rows, "estimate", shown, origin),
                mode="lines+markers",
                line={"shape": "hv", "color": colour, "width": 2.5},
                marker={"size": 6, "color": colour},
                name=label,
                legendgroup=label,
                customdata=ids,
                hovertemplate="%{x} quarters: %{y:.1%} not yet employed<extra>%{fullData.name}</extra>",
            )
        )
    logrank = result[result["measure"] == "logrank"]
    test = None
    if len(logrank) and not bool(logrank["suppressed"].iloc[0]):
        p_value = _number(logrank["p_value"].iloc[0]) if "p_value" in logrank else None
        if p_value is not None:
            test = f"log-rank test of equal curves: p = {p_value:.3g}"
    confidence = result.attrs.get("confidence")
    band_note = (
        f"bands: {confidence:.0%} intervals" if bands and isinstance(confidence, float) else None
    )
    who = "" if by is None else f", by {column_title(str(by)).lower()}"
    since = "the first pilot credential" if start == "credential" else "enrolment"
    fig.update_layout(
        template=TEMPLATE,
        title={
            "text": f"Time to a first job after {since}{who}",
            "subtitle": {
                "text": join_subtitle(
                    test, band_note, hidden_note(hidden, result.attrs.get("min_cell"))
                )
            },
        },
        xaxis={
            "title": {"text": _STARTS.get(start, "Quarters")},
            "dtick": 1,
            "rangemode": "tozero",
        },
        yaxis={"title": {"text": "Not yet employed (%)"}, "tickformat": ".0%", "range": [0, 1.02]},
        legend_title_text=column_title(str(by)) if by is not None else None,
        showlegend=True,
    )
    return fig
