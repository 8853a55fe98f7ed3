"""Figures for the wage gap decomposition (:func:`lerkit.analysis.gap_decomposition`).

:func:`gap_decomposition_figure` shows the gap and its explained and unexplained parts
(twofold) or its endowments, coefficients and interaction (threefold);
:func:`gap_decomposition_variables_figure` splits the explained part by variable. All
with bootstrap intervals and a line at 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

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

__all__ = ["gap_decomposition_figure", "gap_decomposition_variables_figure"]

_PARTS = {
    "twofold": {
        "gap": "Whole gap",
        "explained": "Explained by measured differences",
        "unexplained": "Unexplained",
    },
    "threefold": {
        "gap": "Whole gap",
        "endowments": "Endowments (what the groups hold)",
        "coefficients": "Coefficients (how it is paid)",
        "interaction": "Interaction",
    },
}

_VARIABLES = {
    "credentials_count": "Credentials held",
    "has_ler": "In the LER arm",
    "age": "Age at enrolment",
}


def _context(result: pd.DataFrame) -> tuple[str, str, str]:
    """(unit, reference label, comparison label)."""
    parameters: Mapping[str, Any] = result.attrs.get("parameters", {})
    group = str(parameters.get("group", ""))
    unit = "log points, about % / 100" if parameters.get("log", True) else "USD per hour"
    return (
        unit,
        plain_label(parameters.get("reference"), group),
        plain_label(parameters.get("comparison"), group),
    )


def gap_decomposition_figure(
    result: pd.DataFrame, parts: Literal["twofold", "threefold"] = "twofold"
) -> go.Figure:
    """The wage gap between two groups, and how much of it is explained.

    The unexplained part is what the model's variables do not account for: groups paid
    differently for the same characteristics, plus everything the model leaves out; it
    is not a measure of discrimination on its own.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.gap_decomposition`.
    parts : {"twofold", "threefold"}
        Explained and unexplained (pooled coefficients), or endowments, coefficients
        and interaction.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    LerkitError
        ``invalid_argument`` for another frame or an unknown ``parts``.

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis import gap_decomposition
    >>> table = gap_decomposition(lk.datasets.load("pilot-default"), n_boot=20)
    >>> gap_decomposition_figure(table).layout.yaxis.title.text
    'Part of the gap'
    """
    require_analysis(result, "gap_decomposition")
    if parts not in _PARTS:
        raise LerkitError(
            f"unknown parts {parts!r}; expected 'twofold' or 'threefold'", code="invalid_argument"
        )
    unit, reference, comparison = _context(result)
    names = _PARTS[parts]
    rows = result[result["measure"].isin(list(names))].copy()
    order = {m: i for i, m in enumerate(names)}
    rows = rows.sort_values("measure", key=lambda s: s.map(order), kind="stable")
    rows["label"] = rows["measure"].map(names)
    return result_bars(
        rows,
        "label",
        title=f"Hourly wage gap, {reference} minus {comparison} learners: what explains it",
        x_title="Part of the gap",
        y_title=f"Wage gap ({unit})",
        reference=0.0,
        reference_label="no gap",
        horizontal=True,
        subtitle=join_subtitle(
            "The unexplained part is not by itself a measure of discrimination",
            f"{parts} decomposition, bootstrap intervals",
        ),
    )


def gap_decomposition_variables_figure(result: pd.DataFrame) -> go.Figure:
    """The explained part of the wage gap, split by variable, with intervals.

    Parameters
    ----------
    result : DataFrame
        The result of :func:`lerkit.analysis.gap_decomposition`.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    require_analysis(result, "gap_decomposition")
    unit, reference, comparison = _context(result)
    rows = result[result["measure"].astype(str).str.startswith("explained:")].copy()
    rows["label"] = rows["measure"].map(
        lambda m: _VARIABLES.get(str(m).split(":", 1)[1], column_title(str(m).split(":", 1)[1]))
    )
    return result_bars(
        rows,
        "label",
        title=(
            f"Which differences explain the wage gap between {reference} and {comparison} learners"
        ),
        x_title="Variable",
        y_title=f"Part of the gap explained ({unit})",
        reference=0.0,
        reference_label="explains nothing",
        horizontal=True,
        subtitle="Positive: the difference widens the gap; negative: it narrows it",
    )
