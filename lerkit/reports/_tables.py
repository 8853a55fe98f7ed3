"""Result frames as tables people and screen readers can read.

Every chart in a report is backed by a table: the same cells, with the interval written
out, hidden cells saying "suppressed" instead of a number, and a caption stating the
analysis, the interval level and the smallest cell shown.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from lerkit.errors import ReportError
from lerkit.plots import column_title, plain_label

__all__ = ["SUPPRESSED", "result_table"]

#: What a hidden cell shows instead of its number.
SUPPRESSED = "suppressed"

_TECHNICAL = ("measure", "estimate", "ci_low", "ci_high", "n", "suppressed")


def _number(value: object, percent: bool, digits: int) -> str:
    if value is None or value is pd.NA:
        return ""
    number = float(value)  # type: ignore[arg-type]
    if np.isnan(number):
        return ""
    if percent:
        return f"{number * 100:.{max(digits - 2, 0)}f}%"
    return f"{number:,.{digits}f}"


def _labels(frame: pd.DataFrame, column: str) -> list[str]:
    """A group column in plain words, as the charts label it."""
    values = frame[column].astype(object).tolist()
    if column in ("attribute", "dimension"):  # names of columns, "a × b" for intersections
        return [" × ".join(column_title(p) for p in str(v).split(" × ")) for v in values]
    if column == "category" and "attribute" in frame:  # the attribute says whose codes
        return [plain_label(v, str(a)) for v, a in zip(values, frame["attribute"], strict=True)]
    return [plain_label(v, column) for v in values]


def result_table(
    frame: pd.DataFrame,
    *,
    percent: bool = False,
    digits: int = 3,
    columns: Sequence[str] = (),
    caption: str | None = None,
) -> Styler:
    """A result frame of :mod:`lerkit.analysis` as a readable HTML table.

    Group columns come first, then the estimate, its interval as one text column
    ("0.712 to 0.801"), the number of people, and any ``columns`` asked for. In hidden
    rows every number reads ``suppressed``.

    Parameters
    ----------
    frame : DataFrame
        A result frame (``estimate``, ``ci_low``, ``ci_high``, ``n``, ``suppressed``).
    percent : bool, default False
        Estimates are shares: show them as percentages.
    digits : int, default 3
        Decimals for estimates (percentages get two fewer).
    columns : sequence of str
        Further columns of the frame to show after ``n``.
    caption : str, optional
        The table's caption; by default the analysis name and its privacy settings.

    Returns
    -------
    pandas.io.formats.style.Styler
        Renders as an HTML table with a caption in notebooks and exported reports.

    Raises
    ------
    ReportError
        When a column the table needs is missing.

    Examples
    --------
    >>> df = pd.DataFrame({"group": ["a", "b"], "measure": "rate", "estimate": [0.5, None],
    ...                    "ci_low": [0.4, None], "ci_high": [0.6, None],
    ...                    "n": pd.array([90, None], dtype="Int64"), "suppressed": [False, True]})
    >>> df.attrs.update(analysis="demo", min_cell=10, confidence=0.95)
    >>> table = result_table(df, percent=True).data
    >>> table.to_dict("records")[1]["Estimate"]
    'suppressed'
    >>> table.to_dict("records")[0]["95% interval"]
    '40.0% to 60.0%'
    """
    missing = [c for c in (*_TECHNICAL, *columns) if c not in frame]
    if missing:
        raise ReportError(
            f"result_table: the frame has no column {missing[0]!r} "
            f"(columns: {', '.join(map(str, frame.columns))})"
        )
    confidence = float(frame.attrs.get("confidence", 0.95))
    level = f"{confidence * 100:g}% interval"
    groups = [c for c in frame.columns if c not in _TECHNICAL and c not in columns]
    first = min((list(frame.columns).index(c) for c in _TECHNICAL), default=0)
    groups = [c for c in groups if list(frame.columns).index(c) < first]
    hidden = frame["suppressed"].fillna(False).astype(bool).to_numpy()
    out = pd.DataFrame({column_title(c): _labels(frame, c) for c in groups}, index=frame.index)
    if frame["measure"].nunique() > 1:
        out["Measure"] = frame["measure"].astype(str).str.replace("_", " ")
    out["Estimate"] = [_number(v, percent, digits) for v in frame["estimate"]]
    out[level] = [
        f"{_number(lo, percent, digits)} to {_number(hi, percent, digits)}"
        if not (pd.isna(lo) or pd.isna(hi))
        else ""
        for lo, hi in zip(frame["ci_low"], frame["ci_high"], strict=True)
    ]
    out["People (n)"] = ["" if pd.isna(v) else f"{int(v):,}" for v in frame["n"]]
    for column in columns:
        values = frame[column]
        if pd.api.types.is_float_dtype(values):
            out[column] = [_number(v, False, digits) for v in values]
        else:
            out[column] = ["" if pd.isna(v) else str(v) for v in values.astype(object)]
    numeric = ["Estimate", level, "People (n)", *columns]
    out.loc[hidden, numeric] = SUPPRESSED
    if caption is None:
        analysis = str(frame.attrs.get("analysis", "result")).replace("_", " ")
        min_cell = frame.attrs.get("min_cell")
        shown = f"; cells of fewer than {min_cell} people are suppressed" if min_cell else ""
        caption = f"{analysis.capitalize()}: estimates with {level}s{shown}."
    return (
        out.style.format(escape="html")
        .hide(axis="index")
        .set_caption(caption)
        .set_table_attributes('class="lerkit-table"')
        # element ids from the content, not random: re-runs give the same HTML
        .set_uuid(hashlib.sha256(out.to_csv().encode()).hexdigest()[:10])
    )
