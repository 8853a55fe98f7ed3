"""Plotly figure builders with one house style.

Every figure has a title, axis titles that name their unit, and the Okabe-Ito
palette, which stays distinguishable under the common colour-vision
deficiencies. Builders return a ``plotly.graph_objects.Figure``; notebooks show
it by leaving it as a cell's last expression.

>>> import pandas as pd
>>> df = pd.DataFrame({"format": ["ob3", "clr2"], "credentials": [3, 1]})
>>> fig = bar(df, "format", "credentials", title="Credentials by format",
...           x_title="Format", y_title="Credentials (count)")
>>> fig.layout.title.text
'Credentials by format'
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

__all__ = ["PALETTE", "TEMPLATE", "bar", "palette", "timeline"]

#: Okabe & Ito (2008) colour-blind-safe palette, most legible on white first
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
    "#000000",  # black
)

_FONT = "Source Sans Pro, Helvetica Neue, Arial, sans-serif"

#: the house template; pass ``template=TEMPLATE`` to figures built elsewhere
TEMPLATE = go.layout.Template(
    layout={
        "colorway": list(PALETTE),
        "font": {"family": _FONT, "size": 14, "color": "#222222"},
        "title": {"x": 0.0, "xanchor": "left", "font": {"size": 18}},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "margin": {"l": 80, "r": 30, "t": 70, "b": 70},
        "xaxis": {
            "showline": True,
            "linecolor": "#444444",
            "ticks": "outside",
            "gridcolor": "#e5e5e5",
            "automargin": True,
        },
        "yaxis": {
            "showline": True,
            "linecolor": "#444444",
            "ticks": "outside",
            "gridcolor": "#e5e5e5",
            "automargin": True,
            "rangemode": "tozero",
        },
        "legend": {"bgcolor": "rgba(255,255,255,0.8)"},
        "hoverlabel": {"font": {"family": _FONT}},
    }
)


def _groups(df: pd.DataFrame, color: str | None) -> list[tuple[str | None, pd.DataFrame]]:
    if color is None:
        return [(None, df)]
    return [(str(key), part) for key, part in df.groupby(color, sort=False, dropna=False)]


def _values(frame: pd.DataFrame, column: str) -> list[object]:
    return list(frame[column].astype(object).where(frame[column].notna(), None))


def bar(
    df: pd.DataFrame,
    x: str,
    y: str,
    *,
    title: str,
    x_title: str,
    y_title: str,
    color: str | None = None,
    horizontal: bool = False,
    subtitle: str | None = None,
) -> go.Figure:
    """A bar chart in the house style.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per bar (per bar and colour group when ``color`` is given).
    x, y : str
        Columns for the category and the value. With ``horizontal=True`` the
        bars run along the x axis, but ``x`` still names the category column.
    title : str
        Figure title; say what is counted.
    x_title, y_title : str
        Axis titles for the category and value axes; give the value's unit,
        e.g. ``"Credentials (count)"``.
    color : str, optional
        Column splitting each bar into stacked, coloured parts.
    horizontal : bool, default False
        Horizontal bars, better for long category names (issuers); the first
        row is drawn at the top.
    subtitle : str, optional
        A smaller line under the title (e.g. what was left out).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = go.Figure()
    for name, part in _groups(df, color):
        categories, values = _values(part, x), _values(part, y)
        if horizontal:
            trace = go.Bar(x=values, y=categories, orientation="h", name=name)
        else:
            trace = go.Bar(x=categories, y=values, name=name)
        fig.add_trace(trace)
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title, "subtitle": {"text": subtitle} if subtitle else None},
        barmode="stack",
        showlegend=color is not None,
        legend_title_text=color,
    )
    category_axis = {"title": {"text": x_title}, "type": "category"}
    value_axis = {"title": {"text": y_title}}
    if horizontal:
        fig.update_layout(
            xaxis=value_axis,
            yaxis={**category_axis, "autorange": "reversed"},
            height=max(300, 120 + 28 * df[x].nunique()),
        )
    else:
        fig.update_layout(xaxis=category_axis, yaxis=value_axis)
    return fig


def timeline(
    df: pd.DataFrame,
    x: str,
    y: str,
    *,
    title: str,
    x_title: str,
    y_title: str,
    color: str | None = None,
    period: str = "month",
    subtitle: str | None = None,
) -> go.Figure:
    """Counts per period over time, as stacked bars on a date axis.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per period (and colour group); ``x`` holds the period's start.
    x, y : str
        Columns for the period start (datetime) and the count.
    title, x_title, y_title : str
        Figure and axis titles; give units (``"Credentials issued (count)"``).
    color : str, optional
        Column splitting each period's bar into stacked, coloured parts.
    period : str, default "month"
        Period length, for the hover text.
    subtitle : str, optional
        A smaller line under the title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = go.Figure()
    for name, part in _groups(df, color):
        fig.add_trace(
            go.Bar(
                x=list(pd.to_datetime(part[x])),
                y=_values(part, y),
                name=name,
                hovertemplate=f"%{{x|%Y-%m}}: %{{y}} per {period}<extra>%{{fullData.name}}</extra>",
            )
        )
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title, "subtitle": {"text": subtitle} if subtitle else None},
        barmode="stack",
        showlegend=color is not None,
        legend_title_text=color,
        xaxis={"title": {"text": x_title}, "type": "date"},
        yaxis={"title": {"text": y_title}},
    )
    return fig


def palette(n: int) -> Sequence[str]:
    """``n`` house colours, repeating the palette when ``n`` exceeds it.

    >>> palette(2)
    ['#0072B2', '#E69F00']
    """
    return [PALETTE[i % len(PALETTE)] for i in range(n)]
