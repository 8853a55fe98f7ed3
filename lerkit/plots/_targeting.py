"""Figure for :func:`lerkit.analysis.where_to_act`: the ranked places to intervene."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lerkit.errors import LerkitError
from lerkit.plots._style import (
    column_title,
    hidden_note,
    join_subtitle,
    plain_label,
    require_analysis,
    result_bars,
)

__all__ = ["where_to_act_figure"]

_WHAT = {
    "employed": "employment rate",
    "wage_above": "share earning above the threshold",
    "mean_wage": "mean hourly wage",
}


def where_to_act_figure(result: pd.DataFrame, top: int = 15) -> go.Figure:
    """The ``top`` ranked cells as horizontal bars of their gap, with interval whiskers.

    The first-ranked cell is at the top. Hidden cells are not ranked and not drawn; the
    subtitle says how many there were.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.where_to_act`.
    top : int
        How many ranked cells to show (default 15).

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    LerkitError
        ``invalid_argument`` for another frame or a bad ``top``.

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis._targeting import where_to_act
    >>> ranked = where_to_act(lk.datasets.load("pilot-default"), dimensions=["pathway"])
    >>> where_to_act_figure(ranked).layout.xaxis.title.text
    'Gap in employment rate (percentage points)'
    """
    require_analysis(result, "where_to_act")
    if not isinstance(top, int) or top < 1:
        raise LerkitError(f"top must be a positive integer, not {top!r}", code="invalid_argument")
    parameters = dict(result.attrs.get("parameters", {}))
    outcome = str(parameters.get("outcome", "employed"))
    rate = outcome != "mean_wage"
    hidden = result["suppressed"].astype(bool)
    rows = result[~hidden & result["rank"].notna()].sort_values("rank").head(top).copy()
    rows["bar"] = [
        f"{int(r)}. {column_title(str(d))}: "
        + (str(lab) if d == "occupation" else plain_label(c, str(d)))
        for r, d, c, lab in zip(rows["rank"], rows["dimension"], rows["category"], rows["label"],
                                strict=True)
    ]  # fmt: skip
    # result_bars draws percent axes from shares: percentage points for rate gaps
    what = _WHAT.get(outcome, outcome)
    unit = "percentage points" if rate else "USD per hour"
    focus = parameters.get("focus")
    reference = parameters.get("reference")
    if focus:
        ((attribute, value),) = dict(focus).items()
        against = f"{plain_label(value, str(attribute))} vs others in the same cell"
    elif reference == "others":
        against = "each cell vs everyone else"
    elif isinstance(reference, int | float):
        against = f"each cell vs a target of {reference:.0%}" if rate else f"vs ${reference:g}"
    else:
        against = "each cell vs the whole population"
    score = "people affected" if rate else "USD per hour x people"
    note = hidden_note(int(hidden.sum()), result.attrs.get("min_cell"))
    fig = result_bars(
        rows,
        "bar",
        title=f"Where to act: the largest gaps in {what}"
        + (f" ({parameters['period']})" if parameters.get("period") else ""),
        x_title="Ranked cell",
        y_title=f"Gap in {what} ({unit})",
        percent=False,
        reference=0.0,
        horizontal=True,
        subtitle=join_subtitle(
            f"{against}; ranked by {score} at the interval's end nearest no gap", note
        ),
    )
    if rate:
        # plot shares as percentage points rather than with a % axis (a gap is not a share)
        trace = fig.data[0]
        trace.x = tuple(None if v is None else 100.0 * v for v in trace.x)
        for key in ("array", "arrayminus"):
            values = getattr(trace.error_x, key)
            if values is not None:
                setattr(trace.error_x, key, tuple(None if v is None else 100.0 * v for v in values))
    fig.data[0].text = [f"{s:,.0f}" for s in rows["score"].astype(float)]
    fig.data[0].hovertemplate = "%{y}: %{x:.2f}<br>score %{text}<extra></extra>"
    fig.data[0].textposition = "none"
    return fig
