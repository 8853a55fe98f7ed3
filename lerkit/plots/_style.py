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

import functools
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from lerkit.errors import LerkitError

__all__ = ["PALETTE", "TEMPLATE", "bar", "estimates", "palette", "suppressed_note", "timeline"]

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


def suppressed_note(frame: pd.DataFrame, *, min_cell: int | None = None) -> str | None:
    """The subtitle line saying how many cells were hidden, or None when none were.

    ``min_cell`` defaults to the result frame's ``attrs["min_cell"]``.

    >>> df = pd.DataFrame({"suppressed": [False, True, True]})
    >>> suppressed_note(df, min_cell=10)
    '2 cells hidden: fewer than 10 people, or they would reveal such a cell'
    >>> suppressed_note(df.iloc[:1]) is None
    True
    """
    if "suppressed" not in frame:
        return None
    hidden = int(frame["suppressed"].fillna(False).astype(bool).sum())
    if hidden == 0:
        return None
    limit = min_cell if min_cell is not None else frame.attrs.get("min_cell")
    cells = "1 cell" if hidden == 1 else f"{hidden} cells"
    if limit is None:
        return f"{cells} hidden to protect small groups"
    return f"{cells} hidden: fewer than {limit} people, or they would reveal such a cell"


def _subtitle(*parts: str | None) -> str | None:
    text = " · ".join(p for p in parts if p)
    return text or None


def estimates(
    frame: pd.DataFrame,
    x: str,
    *,
    title: str,
    x_title: str,
    y_title: str,
    color: str | None = None,
    y: str = "estimate",
    low: str | None = "ci_low",
    high: str | None = "ci_high",
    percent: bool = False,
    reference: float | None = None,
    reference_label: str | None = None,
    horizontal: bool = False,
    subtitle: str | None = None,
) -> go.Figure:
    """Estimates with their confidence intervals, one bar per cell of a result frame.

    Suppressed cells (``suppressed`` true) keep their category on the axis but get no
    bar and no whisker, and the subtitle says how many were hidden: a hidden cell is
    never drawn as a zero.

    Parameters
    ----------
    frame : pandas.DataFrame
        A :mod:`lerkit.analysis` result frame (or any frame with ``y`` and the
        interval columns).
    x : str
        The category column.
    title, x_title, y_title : str
        Figure and axis titles; give the unit (``"Employment rate (%)"``).
    color : str, optional
        Column splitting the bars into side-by-side coloured groups.
    y, low, high : str
        Value and interval columns; ``low``/``high`` None for no whiskers.
    percent : bool, default False
        Values are shares in [0, 1]: the axis shows percent.
    reference : float, optional
        A horizontal reference line (e.g. 0.8 for the four-fifths rule, or 0).
    reference_label : str, optional
        Text for the reference line.
    horizontal : bool, default False
        Bars along the x axis; the first row at the top.
    subtitle : str, optional
        Extra line under the title; the suppression note is appended to it.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> df = pd.DataFrame({"group": ["a", "b"], "estimate": [0.5, None],
    ...                    "ci_low": [0.4, None], "ci_high": [0.6, None],
    ...                    "suppressed": [False, True]})
    >>> fig = estimates(df, "group", title="Rate", x_title="Group", y_title="Rate (%)",
    ...                 percent=True, subtitle=None)
    >>> fig.data[0].y[1] is None
    True
    """
    fig = go.Figure()
    hidden = (
        frame["suppressed"].fillna(False).astype(bool)
        if "suppressed" in frame
        else pd.Series(False, index=frame.index)
    )
    for name, part in _groups(frame, color):
        shown = ~hidden.loc[part.index]
        values = pd.to_numeric(part[y], errors="coerce").where(shown)
        error: dict[str, object] | None = None
        if low is not None and high is not None:
            lows = pd.to_numeric(part[low], errors="coerce").where(shown)
            highs = pd.to_numeric(part[high], errors="coerce").where(shown)
            error = {
                "type": "data",
                "symmetric": False,
                "array": _values((highs - values).to_frame("v"), "v"),
                "arrayminus": _values((values - lows).to_frame("v"), "v"),
                "color": "#444444",
                "thickness": 1.5,
            }
        categories = [str(v) for v in part[x].astype(object)]
        numbers = _values(values.to_frame("v"), "v")
        hover = ["suppressed (small cell)" if h else None for h in hidden.loc[part.index].tolist()]
        if horizontal:
            trace = go.Bar(
                x=numbers, y=categories, orientation="h", name=name, error_x=error,
                hovertext=hover,
            )  # fmt: skip
        else:
            trace = go.Bar(x=categories, y=numbers, name=name, error_y=error, hovertext=hover)
        fig.add_trace(trace)
    value_axis: dict[str, object] = {"title": {"text": y_title}}
    if percent:
        value_axis["tickformat"] = ".0%"
    category_axis = {"title": {"text": x_title}, "type": "category"}
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title, "subtitle": {"text": _subtitle(subtitle, suppressed_note(frame))}},
        barmode="group",
        showlegend=color is not None,
        legend_title_text=color,
    )
    if horizontal:
        fig.update_layout(
            xaxis=value_axis,
            yaxis={**category_axis, "autorange": "reversed"},
            height=max(300, 120 + 28 * frame[x].nunique() * max(1, len(fig.data))),
        )
    else:
        fig.update_layout(xaxis=category_axis, yaxis=value_axis)
    if reference is not None:
        line = {"line_dash": "dash", "line_color": "#444444", "annotation_text": reference_label}
        if horizontal:
            fig.add_vline(x=reference, **line)
        else:
            fig.add_hline(y=reference, **line)
    return fig


# -- shared helpers for the analysis figure builders ----------------------------------------

#: learner attributes whose true/false codes read better as words than as "Yes"/"No"
_BOOLEAN_LABELS: dict[str, tuple[str, str]] = {
    "stars": ("STARs (skilled through alternative routes)", "Not STARs"),
    "veteran": ("Veteran", "Not a veteran"),
    "disability": ("Disability reported", "No disability reported"),
    "requires_degree": ("Requires a degree", "No degree required"),
    "employed": ("Employed", "Not employed"),
}

_COLUMN_TITLES: dict[str, str] = {
    "race_ethnicity": "Race/ethnicity",
    "stars": "STARs status",
    "highest_education": "Highest education",
    "credential_check": "Credential check",
    "issuer_type": "Issuer type",
    "achievement_type": "Credential type",
    "level": "Credential level",
    "cohort": "Pilot arm",
    "population": "Population",
}

#: codes that mean "we do not know" in every column
_NOT_REPORTED = frozenset({"", "not_reported", "unknown", "<NA>", "nan", "None"})


@functools.cache
def _dictionary_labels(column: str) -> dict[str, str]:
    # imported here: the data dictionary is parsed on first use, not on import of lk.plots
    from lerkit.datasets._dictionary import default_dictionary

    dictionary = default_dictionary()
    for table in dictionary.table_names:
        spec = dictionary.table(table)
        if spec.has_column(column) and spec.column(column).type == "category":
            return dict(spec.column(column).labels)
    return {}


def plain_label(value: object, column: str | None = None) -> str:
    """A category code in plain words, for legends and axes read by non-specialists.

    Uses the labels of the data dictionary when ``column`` is one of its category
    columns, words for the true/false codes of known flags, and otherwise turns the
    code's underscores into spaces.

    >>> plain_label("hispanic_latino", "race_ethnicity")
    'Hispanic or Latino'
    >>> plain_label("true", "stars")
    'STARs (skilled through alternative routes)'
    >>> plain_label("on_the_job")
    'On the job'
    """
    text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
    if value is pd.NA or text in _NOT_REPORTED:
        return "Not reported"
    if column is not None:
        if column in _BOOLEAN_LABELS and text in ("true", "false", "True", "False"):
            yes, no = _BOOLEAN_LABELS[column]
            return yes if text.lower() == "true" else no
        labels = _dictionary_labels(column)
        if text in labels:
            return labels[text]
    if text.lower() in ("true", "false"):
        return "Yes" if text.lower() == "true" else "No"
    text = text.replace("_", " ")
    return text[:1].upper() + text[1:]


def column_title(column: str) -> str:
    """A column name as an axis or legend title (``race_ethnicity`` -> ``Race/ethnicity``).

    >>> column_title("pathway")
    'Pathway'
    """
    if column in _COLUMN_TITLES:
        return _COLUMN_TITLES[column]
    text = column.replace("_", " ")
    return text[:1].upper() + text[1:]


def rgba(color: str, alpha: float) -> str:
    """A ``#rrggbb`` colour with transparency, for confidence bands.

    >>> rgba("#0072B2", 0.2)
    'rgba(0, 114, 178, 0.2)'
    """
    code = color.lstrip("#")
    red, green, blue = (int(code[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red}, {green}, {blue}, {alpha:g})"


def require_analysis(result: object, *names: str) -> pd.DataFrame:
    """``result`` itself, checked to be the result frame of one of the named analyses.

    Raises
    ------
    LerkitError
        ``invalid_argument`` naming the expected analysis and what was given.

    >>> frame = pd.DataFrame({"estimate": [0.5]})
    >>> frame.attrs["analysis"] = "outcome_rates"
    >>> require_analysis(frame, "outcome_rates") is frame
    True
    """
    expected = " or ".join(repr(name) for name in names)
    if not isinstance(result, pd.DataFrame):
        raise LerkitError(
            f"expected the result frame of {expected}, got {type(result).__name__}",
            code="invalid_argument",
        )
    got = result.attrs.get("analysis")
    if got not in names:
        given = "a frame without attrs['analysis']" if got is None else f"the result of {got!r}"
        raise LerkitError(
            f"expected the result of {expected}, got {given}", code="invalid_argument"
        )
    return result


def tag_rows(fig: go.Figure, frame: pd.DataFrame, color: str | None = None) -> go.Figure:
    """Give each trace of :func:`estimates` the frame's index labels as ``customdata``.

    ``estimates`` draws one trace per ``color`` group, in order of appearance; tagging the
    points with the rows they come from lets a report (or a test) trace every bar back
    to its row of the result frame.
    """
    for trace, (_name, part) in zip(fig.data, _groups(frame, color), strict=True):
        trace.customdata = [[i] for i in part.index]
    return fig


def hidden_note(hidden: int, min_cell: int | None) -> str | None:
    """The suppression note for ``hidden`` cells counted by a builder itself.

    >>> hidden_note(3, 10)
    '3 cells hidden: fewer than 10 people, or they would reveal such a cell'
    """
    return suppressed_note(pd.DataFrame({"suppressed": [True] * hidden}), min_cell=min_cell)


def join_subtitle(*parts: str | None) -> str | None:
    """Subtitle parts joined with a middle dot; None when all are empty."""
    return _subtitle(*parts)


def result_bars(
    frame: pd.DataFrame,
    x: str,
    *,
    title: str,
    x_title: str,
    y_title: str,
    color: str | None = None,
    color_title: str | None = None,
    y: str = "estimate",
    low: str | None = "ci_low",
    high: str | None = "ci_high",
    percent: bool = False,
    reference: float | None = None,
    reference_label: str | None = None,
    horizontal: bool = False,
    subtitle: str | None = None,
    hidden: pd.Series | None = None,
) -> go.Figure:
    """:func:`estimates` for (a slice of) a result frame, with every bar traced to its row.

    ``hidden`` overrides the frame's ``suppressed`` flags (e.g. a rate blanked on its own
    small numerator), so that such cells become gaps counted in the note too; the bars
    carry the frame's index labels as ``customdata`` (:func:`tag_rows`).
    """
    data = frame.copy()
    if hidden is not None:
        data["suppressed"] = hidden.reindex(data.index).fillna(True).astype(bool)
    fig = estimates(
        data, x, title=title, x_title=x_title, y_title=y_title, color=color, y=y, low=low,
        high=high, percent=percent, reference=reference, reference_label=reference_label,
        horizontal=horizontal, subtitle=subtitle,
    )  # fmt: skip
    tag_rows(fig, data, color)
    # hover in the axis's own format (a share as a percentage), not as a raw fraction
    category, value = ("y", "x") if horizontal else ("x", "y")
    number = ".1%" if percent else ",.4~g"
    extra = "%{fullData.name}" if color is not None else ""
    fig.update_traces(hovertemplate=f"%{{{category}}}: %{{{value}:{number}}}<extra>{extra}</extra>")
    if color is not None:
        fig.update_layout(legend_title_text=color_title or column_title(color))
    return fig
