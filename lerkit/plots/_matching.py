"""Figures for skills matching (:mod:`lerkit.analysis._matching`).

- :func:`skill_gaps_figure`: the share of each group blocked by each missing skill;
- :func:`skill_distance_figure`: reachable occupation moves, skills to gain against the
  wage gain, each point labelled origin -> destination;
- :func:`matcher_fairness_figure`: the matcher's recommendation rates by group, with
  confidence intervals and the four-fifths line of each measure.

Suppressed cells are drawn as gaps (never as zeros) and counted in the subtitle.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lerkit.errors import LerkitError
from lerkit.plots._style import (
    PALETTE,
    TEMPLATE,
    column_title,
    hidden_note,
    join_subtitle,
    plain_label,
    require_analysis,
    result_bars,
)

__all__ = ["matcher_fairness_figure", "skill_distance_figure", "skill_gaps_figure"]

_MEASURES = {
    "recommended": "Any matching posting",
    "recommended_degree_screened": "With the degree screen applied",
    "recommended_no_degree": "Postings not requiring a degree",
}


def _by(result: pd.DataFrame) -> str:
    return str(result.attrs.get("parameters", {}).get("by", "group"))


def _group_label(group: object, by: str) -> str:
    return "All learners" if group == "all" else plain_label(group, by)


def skill_gaps_figure(
    result: pd.DataFrame, *, top: int = 10, include_all: bool = False
) -> go.Figure:
    """The missing skills that block most learners from their top occupations, by group.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis._matching.skill_gaps`.
    top : int
        Show the ``top`` skills blocking the most learners overall (rows are ordered so).
    include_all : bool
        Also draw the ``all`` row of each skill.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    LerkitError
        ``invalid_argument`` for another analysis's frame or ``top < 1``.

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis._matching import skill_gaps
    >>> fig = skill_gaps_figure(skill_gaps(lk.datasets.load("pilot-default")), top=3)
    >>> fig.layout.xaxis.title.text
    'Learners in the group blocked by the skill (%)'
    """
    require_analysis(result, "skill_gaps")
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise LerkitError(f"top must be a positive integer, got {top!r}", code="invalid_argument")
    by = _by(result)
    k = result.attrs.get("parameters", {}).get("k", 3)
    skills = list(dict.fromkeys(result["skill_id"]))[:top]
    rows = result[result["skill_id"].isin(skills)]
    if not include_all:
        rows = rows[rows["group"] != "all"]
    rows = rows.copy()
    names = rows["skill_name"].astype(object).where(rows["skill_name"].notna(), rows["skill_id"])
    rows["skill"] = names.astype(str)
    rows["label"] = [_group_label(g, by) for g in rows["group"]]
    return result_bars(
        rows,
        "skill",
        title=f"Missing skills blocking learners from their top {k} occupations, "
        f"by {column_title(by).lower()}",
        x_title="Skill",
        y_title="Learners in the group blocked by the skill (%)",
        color="label",
        color_title=column_title(by),
        percent=True,
        horizontal=True,
        subtitle="Blocked: the skill is missing from a top occupation the learner does "
        "not yet qualify for",
    )


def skill_distance_figure(result: pd.DataFrame, *, reachable_only: bool = True) -> go.Figure:
    """Occupation moves: skills to gain (x) against the wage gain (y), one point a move.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis._matching.skill_distance`.
    reachable_only : bool
        Only the moves flagged reachable (default).

    Returns
    -------
    plotly.graph_objects.Figure
        Each point carries the row index of its move as ``customdata``; the hover text
        gives the people counts, or says they are suppressed.

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis._matching import skill_distance
    >>> fig = skill_distance_figure(skill_distance(lk.datasets.load("pilot-default")))
    >>> fig.layout.yaxis.title.text
    'Wage gain of the move (US$ per hour, median wages)'
    """
    require_analysis(result, "skill_distance")
    threshold = result.attrs.get("parameters", {}).get("reachable")
    rows = result[result["reachable"].astype(bool)] if reachable_only else result
    text = [
        f"{o} → {d}"
        for o, d in zip(rows["origin_title"].astype(str), rows["destination_title"], strict=True)
    ]
    hover = [
        f"{t}<br>employed in origin (last period): {_count(e)}"
        f"<br>moved origin → destination: {_count(m)}"
        for t, e, m in zip(text, rows["employed_in_origin"], rows["moved"], strict=True)
    ]
    fig = go.Figure(
        go.Scatter(
            x=[float(v) for v in rows["estimate"]],
            y=[float(v) for v in rows["wage_gain"]],
            mode="markers+text",
            text=text,
            textposition="top center",
            textfont={"size": 11},
            hovertext=hover,
            hoverinfo="text",
            customdata=[[i] for i in rows.index],
            marker={"color": PALETTE[0], "size": 10},
            name="Move",
        )
    )
    hidden = int(rows["employed_in_origin_suppressed"].astype(bool).sum()) + int(
        rows["moved_suppressed"].astype(bool).sum()
    )
    note = hidden_note(hidden, result.attrs.get("min_cell"))
    scope = (
        f"Reachable moves (at most {threshold:.0%} of the destination's skills to gain)"
        if reachable_only and threshold is not None
        else "All occupation moves"
    )
    people = f"people counts in the hover text; {note}" if note else None
    fig.update_layout(
        template=TEMPLATE,
        title={
            "text": "Skill distance and wage gain of occupation moves",
            "subtitle": {"text": join_subtitle(scope, people)},
        },
        showlegend=False,
        xaxis={
            "title": {"text": "Skills to gain (% of the destination's skills)"},
            "tickformat": ".0%",
            "rangemode": "tozero",
        },
        yaxis={
            "title": {"text": "Wage gain of the move (US$ per hour, median wages)"},
            "rangemode": "normal",
            "zeroline": True,
        },
    )
    fig.add_hline(y=0.0, line_dash="dot", line_color="#444444")
    return fig


def _count(value: object) -> str:
    return "suppressed (small cell)" if value is None or pd.isna(value) else f"{int(value):,}"  # type: ignore[call-overload]


def matcher_fairness_figure(result: pd.DataFrame, *, include_all: bool = False) -> go.Figure:
    """Recommendation rates by group, with intervals and each measure's four-fifths line.

    The rates are those of the result: the average share of postings a learner is
    recommended for (``per="posting"``) or the share of learners recommended for at
    least one posting (``per="learner"``).

    A dashed line per measure marks four fifths of the highest shown group rate: a bar
    below its line has an adverse impact ratio under 0.8.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis._matching.matcher_fairness`.
    include_all : bool
        Also draw the ``all`` rows.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis._matching import matcher_fairness
    >>> table = matcher_fairness(lk.datasets.load("pilot-default"), qualified_share=0.75)
    >>> matcher_fairness_figure(table).layout.yaxis.title.text
    'Postings recommended (%)'
    """
    require_analysis(result, "matcher_fairness")
    by = _by(result)
    parameters = result.attrs.get("parameters", {})
    share = parameters.get("qualified_share")
    per_posting = parameters.get("per", "learner") == "posting"
    rows = result if include_all else result[result["group"] != "all"]
    order = {m: i for i, m in enumerate(_MEASURES)}
    rows = rows.sort_values("measure", key=lambda s: s.map(order), kind="stable").copy()
    rows["label"] = [_group_label(g, by) for g in rows["group"]]
    rows["matcher"] = rows["measure"].map(_MEASURES).fillna(rows["measure"])
    what = (
        "the average share of postings per learner whose"
        if per_posting
        else "learners for whom some posting's"
    )
    subtitle = (
        f"Recommended: {what} required skills are at least {share:.0%} covered; "
        "dashed lines (bar colours): 0.8 × the highest group rate (four-fifths rule)"
        if isinstance(share, float | int)
        else None
    )
    fig = result_bars(
        rows,
        "label",
        title=f"Skills matcher recommendation rates, by {column_title(by).lower()}",
        x_title=column_title(by),
        # short: a long title runs past the plot, whose height the group labels take
        y_title="Postings recommended (%)" if per_posting else "Learners recommended (%)",
        color="matcher",
        color_title="Postings considered",
        percent=True,
        subtitle=subtitle,
    )
    for i, measure in enumerate(dict.fromkeys(rows["measure"])):
        reference = result.attrs.get("disparity", {}).get(measure, {}).get("reference_group")
        part = rows[(rows["measure"] == measure) & (rows["group"] == reference)]
        part = part[~part["suppressed"].astype(bool)]
        if part.empty:
            continue
        fig.add_hline(
            y=0.8 * float(part["estimate"].iloc[0]),
            line_dash="dash",
            # the colour of the measure's bars says which line is whose
            line_color=PALETTE[i % len(PALETTE)],
        )
    return fig
