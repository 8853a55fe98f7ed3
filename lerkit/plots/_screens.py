"""Figures for degree screens vs skills screens and dropped degree requirements.

- :func:`degree_vs_skills_figure`: a rate of :func:`lerkit.analysis.degree_vs_skills`
  (default: the opportunity gap) by group;
- :func:`degree_vs_skills_composition_figure`: each group's share of the applicants and
  of those each screen lets through;
- :func:`degree_requirement_follow_through_figure`: the share of postings requiring a
  degree, quarter by quarter;
- :func:`degree_requirement_hires_figure`: for employers that dropped the requirement,
  the share of hires without a degree before and after the drop;
- :func:`degree_requirement_typology_figure`: how many employers followed through.
"""

from __future__ import annotations

from typing import Literal

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

__all__ = [
    "degree_requirement_follow_through_figure",
    "degree_requirement_hires_figure",
    "degree_requirement_typology_figure",
    "degree_vs_skills_composition_figure",
    "degree_vs_skills_figure",
]

_RATES = {
    "opportunity_gap": (
        "Opportunity gap: skills-qualified applicants a degree requirement shuts out",
        "Skills-qualified applications without a degree, to postings requiring one (%)",
    ),
    "degree_screen_exclusion_qualified_stars": (
        "Skills-qualified STARs screened out by degree screens",
        "Applications not screened in (%)",
    ),
    "skills_qualified": ("Applications qualified on skills", "Applications (%)"),
    "degree_qualified": (
        "Applications from bachelor's or graduate degree holders",
        "Applications (%)",
    ),
}

_POOLS = {
    "share_of_applicants": "All applicants",
    "share_of_degree_screen_pool": "Met a degree screen",
    "share_passing_degree_screen": "Passed the degree screen",
    "share_of_skills_screen_pool": "Met a skills screen",
    "share_passing_skills_screen": "Passed the skills screen",
}

_TYPOLOGY = {
    "followed_through": "Followed through (hired more people without a degree)",
    "in_name_only": "In name only (hiring barely changed)",
    "backslid": "Backslid (requirement reinstated)",
    "unclear": "Unclear (hires changed, too few to tell how much)",
    "insufficient_hires": "Too few hires to tell",
    "no_drop": "No drop detected",
    "insufficient_postings": "Too few postings to tell",
}


def _group_labels(result: pd.DataFrame, rows: pd.DataFrame) -> pd.Series:
    by = str(result.attrs.get("parameters", {}).get("by", "group"))
    return rows["group"].map(lambda g: "All applications" if g == "all" else plain_label(g, by))


def degree_vs_skills_figure(
    result: pd.DataFrame,
    measure: Literal[
        "opportunity_gap",
        "degree_screen_exclusion_qualified_stars",
        "skills_qualified",
        "degree_qualified",
    ] = "opportunity_gap",
) -> go.Figure:
    """One rate of the degree-vs-skills analysis by group, all applications first.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.degree_vs_skills`.
    measure : str
        ``opportunity_gap`` (default: among skills-qualified applications to postings
        requiring a degree, the share without one), ``degree_screen_exclusion_qualified_stars``,
        ``skills_qualified`` or ``degree_qualified``.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis import degree_vs_skills
    >>> table = degree_vs_skills(lk.datasets.load("pilot-default"))
    >>> degree_vs_skills_figure(table).data[0].x[0]
    'All applications'
    """
    require_analysis(result, "degree_vs_skills")
    if measure not in _RATES:
        raise LerkitError(
            f"unknown measure {measure!r}; expected one of {', '.join(_RATES)}",
            code="invalid_argument",
        )
    by = str(result.attrs.get("parameters", {}).get("by", "group"))
    rows = result[result["measure"] == measure].copy()
    rows = pd.concat([rows[rows["group"] == "all"], rows[rows["group"] != "all"]])
    rows["label"] = _group_labels(result, rows)
    title, y_title = _RATES[measure]
    return result_bars(
        rows,
        "label",
        title=f"{title}, by {column_title(by).lower()}",
        x_title=column_title(by),
        y_title=y_title,
        percent=True,
        subtitle="Counted in applications (a candidate in a posting's pool), not people",
    )


def degree_vs_skills_composition_figure(result: pd.DataFrame) -> go.Figure:
    """Each group's share of the applicants, and of those each screen meets and passes.

    A group whose share shrinks from "Met a degree screen" to "Passed the degree
    screen" loses ground to that screen; compare with the skills screen's pair.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.degree_vs_skills`.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    require_analysis(result, "degree_vs_skills")
    by = str(result.attrs.get("parameters", {}).get("by", "group"))
    rows = result[result["measure"].isin(list(_POOLS))].copy()
    order = {m: i for i, m in enumerate(_POOLS)}
    rows = rows.sort_values(["measure"], key=lambda s: s.map(order), kind="stable")
    rows["label"] = _group_labels(result, rows)
    rows["pool"] = rows["measure"].map(_POOLS)
    return result_bars(
        rows,
        "label",
        title=f"Who gets through each screen: share of each pool, by {column_title(by).lower()}",
        x_title=column_title(by),
        y_title="Share of the pool (%)",
        color="pool",
        color_title="Pool",
        percent=True,
        subtitle="Counted in applications, not people",
    )


def degree_requirement_follow_through_figure(result: pd.DataFrame) -> go.Figure:
    """The share of job postings requiring a degree, quarter by quarter, with intervals.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.degree_requirement_follow_through`.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis import degree_requirement_follow_through
    >>> table = degree_requirement_follow_through(lk.datasets.load("pilot-default"))
    >>> degree_requirement_follow_through_figure(table).layout.xaxis.title.text
    'Quarter posted'
    """
    require_analysis(result, "degree_requirement_follow_through")
    rows = result[result["part"] == "quarterly"].copy()
    return result_bars(
        rows,
        "category",
        title="Share of job postings requiring a bachelor's degree, by quarter",
        x_title="Quarter posted",
        y_title="Postings requiring a degree (%)",
        percent=True,
    )


def degree_requirement_hires_figure(result: pd.DataFrame) -> go.Figure:
    """Hires without a degree before and after each employer dropped the requirement.

    One pair of bars per employer whose postings dropped the degree requirement
    (those with a ``dropped_on`` month); employers hidden for having fewer hires than the
    minimum cell on either side keep their place with no bars.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.degree_requirement_follow_through`.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    require_analysis(result, "degree_requirement_follow_through")
    rows = result[(result["part"] == "employers") & result["dropped_on"].notna()].copy()
    rows["label"] = [
        f"{e} ({_TYPOLOGY.get(str(t), str(t)).split(' (')[0].lower()})"
        for e, t in zip(rows["category"], rows["typology"], strict=True)
    ]
    shown = ~rows["suppressed"].astype(bool)
    fig = go.Figure()
    for column, name, colour in (
        ("nondegree_share_before", "Before the drop", PALETTE[1]),
        ("nondegree_share_after", "After the drop", PALETTE[0]),
    ):
        values = pd.to_numeric(rows[column], errors="coerce").where(shown)
        fig.add_trace(
            go.Bar(
                x=list(rows["label"]),
                y=[None if pd.isna(v) else float(v) for v in values],
                name=name,
                marker_color=colour,
                customdata=[[i] for i in rows.index],
                hovertext=["suppressed (small cell)" if not s else None for s in shown],
            )
        )
    fig.update_layout(
        template=TEMPLATE,
        barmode="group",
        title={
            "text": "Employers that dropped a degree requirement: hires without a degree",
            "subtitle": {
                "text": join_subtitle(
                    hidden_note(int((~shown).sum()), result.attrs.get("min_cell"))
                )
            },
        },
        xaxis={"title": {"text": "Employer (what it did)"}, "type": "category"},
        yaxis={"title": {"text": "Hires without a bachelor's degree (%)"}, "tickformat": ".0%"},
        legend_title_text="Period",
    )
    return fig


def degree_requirement_typology_figure(result: pd.DataFrame) -> go.Figure:
    """How many employers followed through on dropping a degree requirement.

    Counts employers (not people), as the analysis publishes them in
    ``attrs["typology_counts"]``; no cell of people is involved.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.degree_requirement_follow_through`.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    require_analysis(result, "degree_requirement_follow_through")
    counts = dict(result.attrs.get("typology_counts", {}))
    order = [t for t in _TYPOLOGY if t in counts] + sorted(t for t in counts if t not in _TYPOLOGY)
    fig = go.Figure(
        go.Bar(
            x=[int(counts[t]) for t in order],
            y=[_TYPOLOGY.get(t, plain_label(t)) for t in order],
            orientation="h",
            marker_color=PALETTE[0],
            customdata=[[t] for t in order],
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title={
            "text": "What employers did after dropping a degree requirement",
            "subtitle": {"text": "Employers, not people; 'no drop' means none was detected"},
        },
        xaxis={"title": {"text": "Employers (count)"}},
        yaxis={"title": {"text": "Typology"}, "type": "category", "autorange": "reversed"},
        showlegend=False,
        height=max(300, 120 + 40 * len(order)),
    )
    return fig
