"""Figures for wage mobility and job transitions (:mod:`lerkit.analysis._mobility`).

- :func:`wage_mobility_figure`: one measure of wage change by group, with interval
  whiskers;
- :func:`wage_change_distribution_figure`: histogram bars per group from the binned
  counts;
- :func:`occupation_transitions_figure`: a Sankey diagram of the flows between
  occupations.

Suppressed cells are never drawn as zeros: bars become gaps and hidden flows are left
out of the Sankey; the subtitle says how many were hidden.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from lerkit.errors import LerkitError
from lerkit.plots._style import (
    TEMPLATE,
    column_title,
    hidden_note,
    join_subtitle,
    palette,
    plain_label,
    require_analysis,
    result_bars,
    rgba,
)

__all__ = [
    "occupation_transitions_figure",
    "wage_change_distribution_figure",
    "wage_mobility_figure",
]

_MEASURE_TITLES: dict[str, tuple[str, str, bool]] = {
    # measure: (what, axis title with unit, percent axis)
    "mean_change_usd": ("Mean wage change", "Mean wage change (USD per hour)", False),
    "mean_log_change_pct": ("Mean log wage change", "Mean wage change (log points, ≈ %)", False),
    "median_change_usd": ("Median wage change", "Median wage change (USD per hour)", False),
    "share_with_gain": ("Share with a wage gain", "Learners whose wage rose (%)", True),
}


def _windows(parameters: dict[str, object]) -> str:
    def text(value: object) -> str:
        if isinstance(value, list | tuple):
            return value[0] if len(value) == 1 else f"{value[0]}–{value[-1]}"
        return str(value)

    pre, post = parameters.get("pre"), parameters.get("post")
    if pre is None or post is None:
        return ""
    return f"{text(pre)} to {text(post)}"


def _group_columns(result: pd.DataFrame, first: str) -> list[str]:
    return list(result.columns[: list(result.columns).index(first)])


def wage_mobility_figure(result: pd.DataFrame, measure: str = "mean_change_usd") -> go.Figure:
    """Wage change by group, with interval whiskers; hidden groups are gaps.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.wage_mobility`.
    measure : str
        One of ``mean_change_usd`` (default), ``mean_log_change_pct``,
        ``median_change_usd``, ``share_with_gain``.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    LerkitError
        ``invalid_argument`` for another analysis's frame or an unknown measure.

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis._mobility import wage_mobility
    >>> table = wage_mobility(lk.datasets.load("pilot-default"), by="stars")
    >>> wage_mobility_figure(table).layout.yaxis.title.text
    'Mean wage change (USD per hour)'
    """
    require_analysis(result, "wage_mobility")
    if measure not in _MEASURE_TITLES:
        raise LerkitError(
            f"unknown measure {measure!r}; expected one of {', '.join(_MEASURE_TITLES)}",
            code="invalid_argument",
        )
    what, axis, percent = _MEASURE_TITLES[measure]
    groups = _group_columns(result, "measure")
    rows = result[result["measure"] == measure].copy()
    by = groups[0]
    rows["label"] = rows[by].map(lambda v: plain_label(v, by))
    color = None
    if len(groups) > 1:
        rows["colour"] = rows[groups[1]].map(lambda v: plain_label(v, groups[1]))
        color = "colour"
    parameters = dict(result.attrs.get("parameters", {}))
    window = _windows(parameters)
    who = {"same": "who kept their occupation", "changed": "who changed occupation"}.get(
        str(parameters.get("occupation")), "employed in both periods"
    )
    by_text = "" if by == "population" else f", by {column_title(by).lower()}"
    if color:
        by_text += f" and {column_title(groups[1]).lower()}"
    fig = result_bars(
        rows,
        "label",
        title=f"{what}{' ' + window if window else ''}{by_text}",
        x_title=column_title(by),
        y_title=axis,
        color=color,
        color_title=column_title(groups[1]) if color else None,
        percent=percent,
        reference=None if percent else 0.0,
        subtitle=f"Learners {who}; {int(result.attrs.get('confidence', 0.95) * 100)}% intervals",
    )
    return fig


def wage_change_distribution_figure(
    result: pd.DataFrame, groups: list[str] | None = None
) -> go.Figure:
    """Histogram of the wage change: people per USD bin, one bar series per group.

    Hidden bins are gaps (no bar), never zeros; the subtitle counts them.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.wage_change_distribution`.
    groups : list of str, optional
        Only these groups (codes of the first group column); default all.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis._mobility import wage_change_distribution
    >>> table = wage_change_distribution(lk.datasets.load("pilot-default"), by="stars")
    >>> wage_change_distribution_figure(table).layout.xaxis.title.text
    'Wage change (USD per hour)'
    """
    require_analysis(result, "wage_change_distribution")
    names = _group_columns(result, "bin")
    rows = result.copy()
    key = (
        rows[names].astype(str).agg(" × ".join, axis=1)
        if len(names) > 1
        else rows[names[0]].astype(str)
    )
    rows["_key"] = key
    if groups is not None:
        unknown = [g for g in groups if g not in set(rows["_key"])]
        if unknown:
            raise LerkitError(
                f"group {unknown[0]!r} is not in this result (it has "
                f"{', '.join(dict.fromkeys(rows['_key']))})",
                code="invalid_argument",
            )
        rows = rows[rows["_key"].isin(groups)]
    fig = go.Figure()
    keys = list(dict.fromkeys(rows["_key"]))
    for colour, name in zip(palette(len(keys)), keys, strict=True):
        part = rows[rows["_key"] == name]
        hidden = part["suppressed"].astype(bool)
        labels = [
            _bin_label(lo, hi) for lo, hi in zip(part["bin_low"], part["bin_high"], strict=True)
        ]
        counts = [
            None if h or pd.isna(v) else int(v) for v, h in zip(part["n"], hidden, strict=True)
        ]
        fig.add_trace(
            go.Bar(
                x=labels,
                y=counts,
                name=" × ".join(plain_label(v, c) for c, v in zip(names, name.split(" × "), strict=True))
                if len(names) > 1 else plain_label(name, names[0]),
                marker_color=colour,
                hovertext=["suppressed (small cell)" if h else None for h in hidden],
                customdata=[[i] for i in part.index],
            )
        )  # fmt: skip
    parameters = dict(result.attrs.get("parameters", {}))
    window = _windows(parameters)
    width = parameters.get("width")
    note = hidden_note(int(rows["suppressed"].astype(bool).sum()), result.attrs.get("min_cell"))
    fig.update_layout(
        template=TEMPLATE,
        title={
            "text": f"Wage change{' ' + window if window else ''}: learners per ${width:g} bin"
            if isinstance(width, int | float) else "Wage change: learners per bin",
            "subtitle": {"text": join_subtitle("Learners employed in both periods", note)},
        },
        barmode="group",
        showlegend=True,
        legend_title_text=column_title(names[0]),
        xaxis={"title": {"text": "Wage change (USD per hour)"}, "type": "category"},
        yaxis={"title": {"text": "Learners (count)"}},
    )  # fmt: skip
    return fig


def _bin_label(low: float, high: float) -> str:
    if math.isinf(low):
        return f"< {high:g}"
    if math.isinf(high):
        return f"≥ {low:g}"
    return f"{low:g} to {high:g}"


def occupation_transitions_figure(result: pd.DataFrame, group: str | None = None) -> go.Figure:
    """Sankey diagram of the flows from the first to the second period's occupation.

    Hidden flows are left out (never drawn with a count); the subtitle says how many,
    so the nodes' sizes cover the flows shown only.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.occupation_transitions`.
    group : str, optional
        With a per-group result: which group to draw (default: the first).

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis._mobility import occupation_transitions
    >>> flows = occupation_transitions(lk.datasets.load("pilot-default"))
    >>> occupation_transitions_figure(flows).data[0].type
    'sankey'
    """
    require_analysis(result, "occupation_transitions")
    names = _group_columns(result, "origin")
    rows = result
    title_group = ""
    if names:
        column = names[0]
        present = [str(v) for v in dict.fromkeys(rows[column])]
        chosen = present[0] if group is None else str(group)
        if chosen not in present:
            raise LerkitError(
                f"group {chosen!r} is not in this result (it has {', '.join(present)})",
                code="invalid_argument",
            )
        rows = rows[rows[column].astype(str) == chosen]
        title_group = f": {plain_label(chosen, column)}"
    hidden = rows["suppressed"].astype(bool)
    shown = rows[~hidden & (rows["n"].fillna(0) > 0)]
    origins = list(dict.fromkeys(shown["origin"]))
    destinations = list(dict.fromkeys(shown["destination"]))
    titles = dict(zip(rows["origin"], rows["origin_title"], strict=False))
    titles.update(zip(rows["destination"], rows["destination_title"], strict=False))
    colours = palette(max(len(origins), 1))
    node_colour = {s: colours[i] for i, s in enumerate(origins)}
    labels = [titles.get(s, s) for s in origins] + [titles.get(s, s) for s in destinations]
    link_colour = [rgba(node_colour[o], 0.35) for o in shown["origin"]]
    parameters = dict(result.attrs.get("parameters", {}))
    pre, post = parameters.get("pre"), parameters.get("post")
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": labels,
                "color": [node_colour[s] for s in origins] + ["#999999"] * len(destinations),
                "pad": 12,
                "customdata": [f"{_window(pre)}" for _ in origins]
                + [f"{_window(post)}" for _ in destinations],
                "hovertemplate": "%{label} (%{customdata}): %{value} learners<extra></extra>",
            },
            link={
                "source": [origins.index(o) for o in shown["origin"]],
                "target": [len(origins) + destinations.index(d) for d in shown["destination"]],
                "value": [int(v) for v in shown["n"]],
                "color": link_colour,
                "customdata": [[i] for i in shown.index],
                "hovertemplate": "%{source.label} → %{target.label}: %{value} learners"
                "<extra></extra>",
            },
        )
    )
    note = hidden_note(int(hidden.sum()), result.attrs.get("min_cell"))
    if note:
        note = note.replace("cells hidden", "flows left out").replace(
            "cell hidden", "flow left out"
        )
    window = f" from {_window(pre)} to {_window(post)}" if pre and post else ""
    fig.update_layout(
        template=TEMPLATE,
        title={
            "text": f"Occupation transitions{window}{title_group}",
            "subtitle": {
                "text": join_subtitle("Learners per flow (count); left: first period, right: second", note)
            },
        },
        font={"size": 12},
    )  # fmt: skip
    return fig


def _window(value: object) -> str:
    if isinstance(value, list | tuple):
        return str(value[0]) if len(value) == 1 else f"{value[0]}–{value[-1]}"
    return str(value)
