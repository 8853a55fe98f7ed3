"""Figures for the descriptive analyses (:mod:`lerkit.analysis._descriptive`).

One builder per view: :func:`representation_figure` (and
:func:`representation_difference_figure` against a reference distribution),
:func:`credential_attainment_figure`, :func:`ler_funnel_figure`,
:func:`verification_summary_figure` (and :func:`verification_faults_figure`) and
:func:`outcome_rates_figure`. Each takes the result frame its analysis returns and draws
suppressed cells as gaps, counted in the subtitle, never as zeros.
"""

from __future__ import annotations

from collections.abc import Iterable
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
    "credential_attainment_figure",
    "ler_funnel_figure",
    "outcome_rates_figure",
    "representation_difference_figure",
    "representation_figure",
    "verification_faults_figure",
    "verification_summary_figure",
]

_STAGE_LABELS = {
    "issued": "Credential issued",
    "claimed": "Claimed by the learner",
    "shared": "Shared with an employer",
    "verified": "Verified by an employer",
    "applied": "Applied for a job",
    "hired": "Hired",
}

_FAULTS = {
    "revoked": "Revoked",
    "suspended": "Suspended",
    "expired": "Expired",
    "tampered": "Tampered with (signature fails)",
    "unreadable": "Unreadable",
}


def _choose(value: str, allowed: Iterable[str], what: str) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise LerkitError(
            f"unknown {what} {value!r}; expected one of {', '.join(map(repr, allowed))}",
            code="invalid_argument",
        )
    return value


def _labels(frame: pd.DataFrame, column: str) -> pd.Series:
    if column == "population":  # the analyses' one group when by=None
        return frame[column].map(lambda v: "All learners" if v == "all" else plain_label(v))
    return frame[column].map(lambda v: plain_label(v, column))


# -- representation -------------------------------------------------------------------------


def _attribute_rows(result: pd.DataFrame, attribute: str | None) -> tuple[str, pd.DataFrame]:
    attributes = list(dict.fromkeys(result["attribute"]))
    chosen = attributes[0] if attribute is None else attribute
    if chosen not in attributes:
        raise LerkitError(
            f"attribute {chosen!r} is not in this result (it has {', '.join(attributes)})",
            code="invalid_argument",
        )
    rows = result[result["attribute"] == chosen].copy()
    rows["label"] = _labels(rows.rename(columns={"category": chosen}), chosen)
    return chosen, rows


def representation_figure(result: pd.DataFrame, attribute: str | None = None) -> go.Figure:
    """Who is in the pilot: each category's share of learners, with its interval.

    With a reference distribution in the result, black diamonds mark the share each
    category would have if the pilot matched the reference (its share among the
    categories the reference covers, times their share of all learners); they are
    left out for hidden categories.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.representation`.
    attribute : str, optional
        Which attribute to draw (default: the result's first).

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    LerkitError
        ``invalid_argument`` for another analysis's frame or an attribute not in it.

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis import representation
    >>> table = representation(lk.datasets.load("pilot-default"), by="pathway")
    >>> representation_figure(table).layout.xaxis.title.text
    'Share of learners (%)'
    """
    require_analysis(result, "representation")
    attribute, rows = _attribute_rows(result, attribute)
    has_reference = "reference_share" in rows and rows["reference_share"].notna().any()
    cohort = result.attrs.get("parameters", {}).get("cohort")
    who = "learners" if cohort is None else f"learners in the {plain_label(cohort, 'cohort')}"
    fig = result_bars(
        rows,
        "label",
        title=f"Who is in the pilot: {who} by {column_title(attribute).lower()}",
        x_title=column_title(attribute),
        y_title="Share of learners (%)",
        percent=True,
        horizontal=True,
    )
    confidence = float(result.attrs.get("confidence", 0.95))
    fig.data[0].name = f"Pilot share ({confidence:.0%} interval)" if has_reference else None
    if has_reference:
        shown = ~rows["suppressed"].astype(bool)
        # the reference's shares are among the categories it covers; on the bars' scale
        # (all learners) the expected share is reference_share x covered / total
        base = pd.to_numeric(rows["reference_base"], errors="coerce").astype(float).max()
        total = pd.to_numeric(rows["total"], errors="coerce").astype(float)
        expected = (rows["reference_share"].astype(float) * float(base) / total).where(shown)
        fig.add_trace(
            go.Scatter(
                x=[None if pd.isna(v) else float(v) for v in expected],
                y=list(rows["label"]),
                mode="markers",
                marker={"symbol": "diamond", "size": 11, "color": PALETTE[7]},
                name="Share expected from the reference",
                customdata=[[i] for i in rows.index],
            )
        )
        fig.update_layout(showlegend=True)
        covered = rows["reference_share"].notna()
        if not covered.all():
            note = f"the reference covers {int(covered.sum())} of {len(rows)} categories"
            text = join_subtitle(fig.layout.title.subtitle.text, note)
            fig.update_layout(title_subtitle_text=text)
    return fig


def representation_difference_figure(
    result: pd.DataFrame, attribute: str | None = None
) -> go.Figure:
    """The pilot's share of each category minus the reference share, with its interval.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.representation` run with a ``reference``.
    attribute : str, optional
        An attribute the reference covers (default: the first one).

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    LerkitError
        ``invalid_argument`` for another frame, or when there is no reference for the
        attribute.

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis import representation
    >>> table = representation(lk.datasets.load("pilot-default"), by="stars",
    ...                        reference={"stars": {"true": 0.5, "false": 0.5}})
    >>> representation_difference_figure(table).layout.xaxis.title.text
    'Pilot share minus reference share (percentage points)'
    """
    require_analysis(result, "representation")
    reference = result.attrs.get("parameters", {}).get("reference") or {}
    if attribute is None and reference:
        attribute = next(iter(reference))
    if not reference or attribute not in reference:
        raise LerkitError(
            f"this representation result has no reference distribution for {attribute!r}: "
            "run representation(..., reference={attribute: {category: share}})",
            code="invalid_argument",
        )
    attribute, rows = _attribute_rows(result, attribute)
    rows = rows[rows["reference_share"].notna()]
    return result_bars(
        rows,
        "label",
        title=(
            f"Over- and under-representation by {column_title(attribute).lower()}, "
            "against the reference"
        ),
        x_title=column_title(attribute),
        y_title="Pilot share minus reference share (percentage points)",
        y="difference",
        low="difference_low",
        high="difference_high",
        percent=True,
        reference=0.0,
        reference_label="same as reference",
        horizontal=True,
    )


# -- credentials held -----------------------------------------------------------------------

_ATTAINMENT = {
    "credentials_per_learner": ("Credentials per learner", "Credentials per learner (mean count)"),
    "skills_per_learner": (
        "Skills and occupations per learner",
        "Distinct skills per learner (mean count)",
    ),
    "share_holding": ("Learners holding each kind of credential", "Learners holding one (%)"),
}


def credential_attainment_figure(
    result: pd.DataFrame,
    measure: Literal[
        "credentials_per_learner", "skills_per_learner", "share_holding"
    ] = "credentials_per_learner",
    dimension: Literal["achievement_type", "level", "issuer_type"] = "achievement_type",
) -> go.Figure:
    """Credentials (or skills) per learner by group, or the share holding each kind.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.credential_attainment`.
    measure : str
        ``credentials_per_learner`` or ``skills_per_learner`` (means with t intervals),
        or ``share_holding`` (share of the group holding at least one credential of each
        category of ``dimension``, one colour per category).
    dimension : {"achievement_type", "level", "issuer_type"}
        The kind of credential for ``share_holding``.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis import credential_attainment
    >>> table = credential_attainment(lk.datasets.load("pilot-default"))
    >>> credential_attainment_figure(table).layout.yaxis.title.text
    'Credentials per learner (mean count)'
    """
    require_analysis(result, "credential_attainment")
    _choose(measure, _ATTAINMENT, "measure")
    group = str(result.columns[0])
    rows = result[result["measure"] == measure].copy()
    rows["label"] = _labels(rows, group)
    title, y_title = _ATTAINMENT[measure]
    if measure != "share_holding":
        return result_bars(
            rows,
            "label",
            title=f"{title}, by {column_title(group).lower()}",
            x_title=column_title(group),
            y_title=y_title,
        )
    _choose(dimension, ("achievement_type", "level", "issuer_type"), "dimension")
    rows = rows[rows["dimension"] == dimension].copy()
    rows["kind"] = rows["category"].map(lambda v: plain_label(v, dimension))
    return result_bars(
        rows,
        "label",
        title=f"{title} ({column_title(dimension).lower()}), by {column_title(group).lower()}",
        x_title=column_title(group),
        y_title=y_title,
        color="kind",
        color_title=column_title(dimension),
        percent=True,
    )


# -- LER funnel -----------------------------------------------------------------------------


def ler_funnel_figure(
    result: pd.DataFrame, measure: Literal["share_reaching", "conversion"] = "share_reaching"
) -> go.Figure:
    """How far the LER arm's learners get, stage by stage, one colour per group.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.ler_funnel`.
    measure : {"share_reaching", "conversion"}
        The share of the group's learners reaching each stage, or the share of those
        who reached the previous stage that reached this one (a conversion blanked by
        the analysis because its counts are small is a gap, counted in the subtitle).

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis import ler_funnel
    >>> funnel = ler_funnel(lk.datasets.load("pilot-default"), by=None)
    >>> ler_funnel_figure(funnel).layout.yaxis.title.text
    'LER-arm learners reaching the stage (%)'
    """
    require_analysis(result, "ler_funnel")
    _choose(measure, ("share_reaching", "conversion"), "measure")
    group = str(result.columns[0])
    rows = result.copy()
    rows["stage_label"] = rows["stage"].map(lambda s: _STAGE_LABELS.get(str(s), plain_label(s)))
    rows["label"] = _labels(rows, group)
    color = None if rows[group].nunique() == 1 else "label"
    if measure == "share_reaching":
        return result_bars(
            rows,
            "stage_label",
            title="How far LER-arm learners get, from credential issued to hired",
            x_title="Stage",
            y_title="LER-arm learners reaching the stage (%)",
            color=color,
            color_title=column_title(group),
            percent=True,
        )
    first = rows["stage"].iloc[0]
    rows = rows[rows["stage"] != first]
    hidden = rows["suppressed"].astype(bool) | rows["conversion"].isna()
    return result_bars(
        rows,
        "stage_label",
        title="Conversion from each stage to the next, LER arm",
        x_title="Stage",
        y_title="Of those at the previous stage, share reaching this one (%)",
        color=color,
        color_title=column_title(group),
        y="conversion",
        low="conversion_low",
        high="conversion_high",
        percent=True,
        hidden=hidden,
    )


# -- verification ---------------------------------------------------------------------------


def _verification_rows(result: pd.DataFrame) -> pd.DataFrame:
    by = list(result.attrs.get("parameters", {}).get("by", []))
    rows = result.copy()
    if not by:
        rows["label"] = "All credentials"
        return rows

    def name(row: pd.Series) -> str:
        parts = []
        for column in by:
            value = row[column]
            if column == "issuer" and isinstance(value, str):
                parts.append(value.removeprefix("did:web:"))
            else:
                parts.append(plain_label(value, column))
        return " · ".join(parts)

    rows["label"] = rows.apply(name, axis=1) if len(rows) else pd.Series(dtype=str)
    return rows


def _by_title(result: pd.DataFrame) -> str:
    by = list(result.attrs.get("parameters", {}).get("by", []))
    return " and ".join(column_title(c).lower() for c in by) or "all credentials"


def _by_axis(result: pd.DataFrame) -> str:
    by = list(result.attrs.get("parameters", {}).get("by", []))
    return " · ".join(column_title(c) for c in by) or "Credentials"


def verification_summary_figure(result: pd.DataFrame) -> go.Figure:
    """Share of credentials that verify, by issuer and format, with intervals.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.verification_summary`.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> from lerkit.analysis import verification_summary
    >>> checks = pd.DataFrame({"issuer": ["did:web:a"] * 12, "format": "ob3",
    ...     "verdict": ["verified"] * 11 + ["not_verified"], "parsed": "passed",
    ...     "signature": ["passed"] * 11 + ["failed"], "status": "passed",
    ...     "not_expired": "passed", "reason": ""})
    >>> verification_summary_figure(verification_summary(checks)).data[0].y
    ('a · Open Badges 3.0 AchievementCredential',)
    """
    require_analysis(result, "verification_summary")
    rows = _verification_rows(result)
    by = _by_title(result)
    return result_bars(
        rows,
        "label",
        title=f"Credentials that verify, by {by}",
        x_title=_by_axis(result),
        y_title="Credentials verified (%)",
        percent=True,
        horizontal=True,
        subtitle="Authentic but expired credentials (warnings) are not counted as verified",
    )


def verification_faults_figure(result: pd.DataFrame) -> go.Figure:
    """What went wrong: revoked, suspended, expired, tampered and unreadable credentials.

    One stacked bar per row of the result (issuer and format); hidden rows keep their
    place with no bar.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.verification_summary`.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    require_analysis(result, "verification_summary")
    rows = _verification_rows(result)
    shown = ~rows["suppressed"].astype(bool)
    fig = go.Figure()
    for (column, name), colour in zip(_FAULTS.items(), PALETTE[3:], strict=False):
        values = pd.to_numeric(rows[column], errors="coerce").where(shown)
        fig.add_trace(
            go.Bar(
                x=[None if pd.isna(v) else float(v) for v in values],
                y=list(rows["label"]),
                orientation="h",
                name=name,
                marker_color=colour,
                customdata=[[i] for i in rows.index],
            )
        )
    fig.update_layout(
        template=TEMPLATE,
        barmode="stack",
        title={
            "text": f"Problems found when verifying credentials, by {_by_title(result)}",
            "subtitle": {
                "text": join_subtitle(
                    "A credential can have more than one problem",
                    hidden_note(int((~shown).sum()), result.attrs.get("min_cell")),
                )
            },
        },
        xaxis={"title": {"text": "Credentials (count)"}},
        yaxis={
            "title": {"text": _by_axis(result)},
            "type": "category",
            "autorange": "reversed",
        },
        legend_title_text="Problem",
        height=max(300, 120 + 28 * len(rows)),
    )
    return fig


# -- outcomes -------------------------------------------------------------------------------


def outcome_rates_figure(result: pd.DataFrame, view: Literal["rate", "gap"] = "rate") -> go.Figure:
    """Employment (or wage above a threshold) rate by group, or each group's gap.

    With ``intersect`` in the analysis, the second attribute is the colour.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.outcome_rates`.
    view : {"rate", "gap"}
        The rates with Wilson intervals, or the difference from the reference group
        with Newcombe intervals (a line at 0).

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis import outcome_rates
    >>> rates = outcome_rates(lk.datasets.load("pilot-default"), by="stars")
    >>> outcome_rates_figure(rates).layout.yaxis.title.text
    'Employed in 2025Q4 (%)'
    """
    require_analysis(result, "outcome_rates")
    _choose(view, ("rate", "gap"), "view")
    parameters = result.attrs.get("parameters", {})
    by = str(parameters.get("by", result.columns[0]))
    intersect = parameters.get("intersect")
    period = parameters.get("period")
    rows = result.copy()
    rows["label"] = _labels(rows, by)
    color = None
    if intersect:
        rows["colour"] = _labels(rows, str(intersect))
        color = "colour"
    if parameters.get("outcome") == "wage_above":
        threshold = parameters.get("threshold")
        what = f"Earning over ${threshold:.2f} an hour" if threshold is not None else "Wage above"
        short = "earning above the threshold"
    else:
        what, short = "Employed", "employment"
    in_period = f" in {period}" if period else ""
    groups = column_title(by).lower() + (
        f" and {column_title(str(intersect)).lower()}" if intersect else ""
    )
    if view == "rate":
        return result_bars(
            rows,
            "label",
            title=f"{what}{in_period}, by {groups}",
            x_title=column_title(by),
            y_title=f"{what}{in_period} (%)",
            color=color,
            color_title=column_title(str(intersect)) if intersect else None,
            percent=True,
        )
    reference = str(rows["reference"].dropna().iloc[0]) if rows["reference"].notna().any() else ""
    names = [by, str(intersect)] if intersect else [by]
    parts = reference.split(" × ")
    plain_reference = " × ".join(plain_label(p, c) for p, c in zip(parts, names, strict=False))
    fig = result_bars(
        rows,
        "label",
        title=f"Gap in {short}{in_period} against {plain_reference}, by {groups}",
        x_title=column_title(by),
        y_title=f"Difference from {plain_reference} (percentage points)",
        color=color,
        color_title=column_title(str(intersect)) if intersect else None,
        y="gap",
        low="gap_low",
        high="gap_high",
        percent=True,
        reference=0.0,
        reference_label="no gap",
    )
    fig.update_yaxes(tickformat="+.0%")
    return fig
