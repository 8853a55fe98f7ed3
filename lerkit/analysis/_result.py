"""The one shape every analysis returns, and where suppression is applied to it.

A result is a tidy pandas DataFrame: its group columns, then

=========== =====================================================================
measure     what is estimated ("share", "employment_rate", ...)
estimate    the estimate
ci_low      lower confidence limit (``attrs["confidence"]``)
ci_high     upper confidence limit
n           people in the cell (the denominator)
suppressed  True when the cell is hidden: estimate, interval, n and the columns
            derived from n are missing
=========== =====================================================================

then the analysis's own columns. ``frame.attrs`` carries ``analysis``, ``parameters``,
``min_cell`` and ``confidence`` so that a report can say how each number was made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from lerkit.analysis._intervals import wilson
from lerkit.errors import LerkitError

__all__ = ["RESULT_COLUMNS", "finish", "with_rates"]

#: The columns every result frame has, in this order after its group columns.
RESULT_COLUMNS: tuple[str, ...] = ("measure", "estimate", "ci_low", "ci_high", "n", "suppressed")

_VALUES = ("estimate", "ci_low", "ci_high")


def with_rates(
    frame: pd.DataFrame, *, confidence: float, k: str = "k", n: str = "n"
) -> pd.DataFrame:
    """A copy of ``frame`` with ``estimate`` = k / n and its Wilson ``ci_low``/``ci_high``
    (NaN where n is 0).

    >>> with_rates(pd.DataFrame({"k": [3, 0], "n": [4, 0]}), confidence=0.95)["estimate"].tolist()
    [0.75, nan]
    """
    successes = frame[k].to_numpy(dtype=float)
    trials = frame[n].to_numpy(dtype=float)
    out = frame.copy()
    out["estimate"] = np.divide(
        successes, trials, out=np.full_like(trials, np.nan), where=trials > 0
    )
    low, high = wilson(successes, trials, confidence)
    out["ci_low"] = np.asarray(low, dtype=float)
    out["ci_high"] = np.asarray(high, dtype=float)
    return out


def finish(
    frame: pd.DataFrame,
    *,
    analysis: str,
    parameters: Mapping[str, Any],
    min_cell: int,
    confidence: float,
    groups: Sequence[str] | None = None,
    hide: Sequence[str] = (),
) -> pd.DataFrame:
    """Validate a result frame, apply suppression to it and record how it was made.

    Cells with ``n < min_cell`` are suppressed (primary suppression) on top of any
    ``suppressed`` flags already set (e.g. complementary suppression by
    :func:`lerkit.analysis.suppress`). In suppressed rows ``estimate``, ``ci_low``,
    ``ci_high``, ``n`` and the ``hide`` columns become missing.

    Parameters
    ----------
    frame : DataFrame
        Needs ``measure``, ``estimate``, ``ci_low``, ``ci_high`` and ``n``.
    analysis : str
        The analysis name (``attrs["analysis"]``).
    parameters : Mapping
        The parameters it ran with (``attrs["parameters"]``).
    min_cell : int
        Smallest cell shown.
    confidence : float
        Confidence level of the intervals.
    groups : sequence of str, optional
        The group columns, put first. Default: the columns before the first result
        column, in the frame's order.
    hide : sequence of str
        Further columns derived from the cell's count, blanked where suppressed.

    Returns
    -------
    DataFrame
        Columns: groups, :data:`RESULT_COLUMNS`, then the others.

    Raises
    ------
    LerkitError
        ``invalid_result`` naming a missing column; ``invalid_argument`` for a bad
        min_cell or confidence.

    Examples
    --------
    >>> raw = pd.DataFrame({"group": ["a", "b"], "measure": "share", "estimate": [0.9, 0.1],
    ...                     "ci_low": [0.8, 0.05], "ci_high": [0.95, 0.2], "n": [90, 9]})
    >>> finish(raw, analysis="demo", parameters={}, min_cell=10, confidence=0.95)["suppressed"].tolist()
    [False, True]
    """
    if not isinstance(min_cell, int | np.integer) or min_cell < 1:
        raise LerkitError(
            f"min_cell must be a positive integer, not {min_cell!r}", code="invalid_argument"
        )
    if not 0.0 < float(confidence) < 1.0:
        raise LerkitError(
            f"confidence must be between 0 and 1 (exclusive), not {confidence!r}",
            code="invalid_argument",
        )
    required = [c for c in RESULT_COLUMNS if c != "suppressed"]
    for column in (*required, *(groups or ()), *hide):
        if column not in frame.columns:
            raise LerkitError(
                f"result of {analysis!r} has no column {column!r} "
                f"(columns: {', '.join(map(str, frame.columns))})",
                code="invalid_result",
            )
    out = frame.copy()
    n = pd.to_numeric(out["n"], errors="coerce")
    small = (n < min_cell).fillna(False).to_numpy(dtype=bool)
    flagged = (
        out["suppressed"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        if "suppressed" in out
        else np.zeros(len(out), dtype=bool)
    )
    hidden = small | flagged
    out["suppressed"] = hidden
    for column in (*_VALUES, *hide):
        if pd.api.types.is_integer_dtype(out[column]) and column not in _VALUES:
            out[column] = out[column].astype("Int64")
            out.loc[hidden, column] = pd.NA
        elif column in _VALUES or pd.api.types.is_float_dtype(out[column]):
            out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
            out.loc[hidden, column] = np.nan
        else:
            out[column] = out[column].astype(object)
            out.loc[hidden, column] = pd.NA
    out["n"] = n.round().astype("Int64")
    out.loc[hidden, "n"] = pd.NA
    if groups is None:
        first = min(list(out.columns).index(c) for c in RESULT_COLUMNS)
        groups = [c for c in list(out.columns)[:first] if c not in RESULT_COLUMNS]
    rest = [c for c in out.columns if c not in (*groups, *RESULT_COLUMNS)]
    out = out[[*groups, *RESULT_COLUMNS, *rest]].reset_index(drop=True)
    attrs = dict(frame.attrs)
    attrs.update(
        analysis=analysis,
        parameters=dict(parameters),
        min_cell=int(min_cell),
        confidence=float(confidence),
    )
    out.attrs = attrs
    return out
