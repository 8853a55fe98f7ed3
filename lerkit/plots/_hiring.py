"""Figures for the adverse impact audit (:func:`lerkit.analysis.adverse_impact`).

Laid out as a NYC Local Law 144 bias audit presents it: the selection rate of each
category, the degree-based and the skills-based screen side by side
(:func:`adverse_impact_figure`), and each category's impact ratio against the 0.8
(four-fifths) line (:func:`adverse_impact_ratio_figure`). Bars run horizontally so that
long category names (and intersections) stay readable. Hidden cells are gaps, counted
in the subtitle.
"""

from __future__ import annotations

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

__all__ = ["adverse_impact_figure", "adverse_impact_ratio_figure"]

_STAGES = {"screened_in": "screened in", "interviewed": "interviewed", "hired": "hired"}
_SEP = " × "


def _rows(result: pd.DataFrame, dimension: str | None) -> tuple[str, pd.DataFrame]:
    dimensions = list(dict.fromkeys(result["dimension"]))
    by = list(result.attrs.get("parameters", {}).get("by", []))
    if dimension is None:
        dimension = "race_ethnicity" if "race_ethnicity" in dimensions else dimensions[0]
    if dimension not in dimensions:
        raise LerkitError(
            f"dimension {dimension!r} is not in this audit (it has {', '.join(dimensions)})",
            code="invalid_argument",
        )
    rows = result[result["dimension"] == dimension].copy()
    margins = [c for c in dimension.split(_SEP) if c in rows.columns] or by

    def label(row: pd.Series) -> str:
        return _SEP.join(plain_label(row[c], c) for c in margins)

    rows["label"] = rows.apply(label, axis=1) if len(rows) else pd.Series(dtype=str)
    rows["screen_label"] = rows["screen"].map(lambda s: plain_label(s, "screen"))
    return dimension, rows


def _dimension_title(dimension: str) -> str:
    return _SEP.join(column_title(c) for c in dimension.split(_SEP))


def _stage(result: pd.DataFrame) -> str:
    stage = str(result.attrs.get("parameters", {}).get("stage", "hired"))
    return _STAGES.get(stage, stage.replace("_", " "))


def adverse_impact_figure(result: pd.DataFrame, dimension: str | None = None) -> go.Figure:
    """Selection rates by category, degree-based and skills-based screens side by side.

    The rate is the share of the category's applications that reached the audited stage
    (the analysis's ``stage``), with its Wilson interval. Applications whose category is
    unknown are shown as "Not reported"; they are left out of the impact ratios.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.adverse_impact`.
    dimension : str, optional
        ``gender``, ``race_ethnicity`` or their intersection
        (``"gender × race_ethnicity"``); default race/ethnicity.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    LerkitError
        ``invalid_argument`` for another frame or a dimension the audit lacks.

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis import adverse_impact
    >>> audit = adverse_impact(lk.datasets.load("pilot-default"))
    >>> adverse_impact_figure(audit, "gender").layout.xaxis.title.text
    'Applications hired (%)'
    """
    require_analysis(result, "adverse_impact")
    dimension, rows = _rows(result, dimension)
    stage = _stage(result)
    screens = rows["screen"].nunique()
    return result_bars(
        rows,
        "label",
        title=(
            f"Selection rate (share {stage}) by {_dimension_title(dimension).lower()}"
            + (", degree vs skills screens" if screens > 1 else "")
        ),
        x_title=_dimension_title(dimension),
        y_title=f"Applications {stage} (%)",
        color="screen_label",
        color_title="Screen",
        percent=True,
        horizontal=True,
        subtitle="Rates count applications, not people",
    )


def adverse_impact_ratio_figure(result: pd.DataFrame, dimension: str | None = None) -> go.Figure:
    """Impact ratios by category and screen, against the four-fifths (0.8) line.

    The impact ratio is the category's selection rate divided by the rate of the most
    selected category of the same screen; below 0.8 is evidence of adverse impact under
    the Uniform Guidelines (read it with the p-value and sample size: 29 CFR 1607.4(D)).
    Categories left out of the ratios (unknown demographics, or excluded as too small)
    are not drawn; hidden cells keep their place with no bar.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.adverse_impact`.
    dimension : str, optional
        As for :func:`adverse_impact_figure`.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis import adverse_impact
    >>> audit = adverse_impact(lk.datasets.load("pilot-default"))
    >>> adverse_impact_ratio_figure(audit).layout.shapes[0].x0
    0.8
    """
    require_analysis(result, "adverse_impact")
    dimension, rows = _rows(result, dimension)
    rows = rows[
        ~rows["unknown_demographics"].astype(bool)
        & ~rows["excluded_small_category"].fillna(False).astype(bool)
    ]
    threshold = float(result.attrs.get("parameters", {}).get("four_fifths", 0.8))
    references = rows.groupby("screen_label")["reference"].first().dropna()
    labels = dict(zip(rows["category"].astype(str), rows["label"], strict=True))
    named = "; ".join(
        f"{screen}: {labels.get(str(ref), str(ref))}" for screen, ref in references.items()
    )
    return result_bars(
        rows,
        "label",
        title=(
            f"Impact ratio by {_dimension_title(dimension).lower()}: "
            f"selection rate ({_stage(result)}) relative to the most selected group"
        ),
        x_title=_dimension_title(dimension),
        y_title="Impact ratio (rate ÷ highest rate)",
        color="screen_label",
        color_title="Screen",
        low=None,
        high=None,
        y="impact_ratio",
        reference=threshold,
        reference_label=f"four-fifths rule ({threshold:g})",
        horizontal=True,
        subtitle=join_subtitle(f"Most selected group per screen: {named}" if named else None),
    )
