"""Small-cell suppression for published tables: primary and complementary.

*Primary* suppression hides every cell counting fewer than ``min_cell`` people
(:data:`MIN_CELL` = 10 by default; zero cells included, since "nobody in this group"
discloses as much as "three people").

*Complementary* suppression stops a hidden cell from being recovered by subtraction. The
cells of each table (each group of ``by``) add up to a total that is published or can be
derived (a share's denominator, the group size). When such a table has exactly one hidden
cell, or its hidden cells add up to zero, subtracting the published cells from the total
gives them away; so the smallest published cell with a positive count is hidden too.

A rate's cell is itself a small two-way table: the ``k`` people with the outcome and the
``n - k`` without. Publishing the rate and ``n`` publishes both, so with ``numerators``
a row is also hidden when either of them counts fewer than ``min_cell`` people ("4 of
the 60 veterans were hired" discloses as much as a cell of 4). With
``totals`` naming other margins (the columns of a two-way table), the same rule runs on
each margin in turn until nothing changes, since a cell hidden on one margin can leave a
single hidden cell on another.

What it does not protect against: totals of overlapping tables that are not passed in,
external knowledge of exact counts, and differencing between releases with different
populations. Each hidden cell keeps a feasible range of positive width under the margin
equations (non-negative counts), which ``tests/test_analysis_core.py`` checks with linear
programming on random tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linprog  # type: ignore[import-untyped, unused-ignore]

from lerkit.errors import LerkitError

__all__ = ["MIN_CELL", "suppress"]

#: Default minimum number of people in a published cell.
MIN_CELL = 10


def suppress(
    frame: pd.DataFrame,
    *,
    count: str = "n",
    min_cell: int = MIN_CELL,
    by: Sequence[str] = (),
    totals: Sequence[Sequence[str]] = (),
    numerators: Sequence[str] = (),
) -> pd.DataFrame:
    """Flag cells to hide: primary (count < min_cell) and complementary suppression.

    Parameters
    ----------
    frame : DataFrame
        One row per cell; a ``suppressed`` column already there is kept (those cells
        stay hidden and count as hidden for the complementary step).
    count : str
        The column with the number of people in the cell.
    min_cell : int
        Smallest count shown (default :data:`MIN_CELL`).
    by : sequence of str
        Columns whose groups are separate tables (each adds up to a published total);
        empty: the whole frame is one table.
    totals : sequence of sequences of str
        Further margins with published totals, each a list of columns: cells sharing
        their values (within the same ``by`` group) add up to a published total, as the
        columns of a two-way table do. Example: rows ``race``, columns ``gender`` of one
        table: ``by=(), totals=[["race"], ["gender"]]``.
    numerators : sequence of str
        Columns counting the people of the cell with an outcome (a rate's ``k``): a row
        is also a primary suppression when a numerator or its complement (``count``
        minus it) is below ``min_cell``.

    Returns
    -------
    DataFrame
        A copy with a boolean ``suppressed`` column; values are not blanked here
        (:func:`lerkit.analysis.finish` blanks them). ``attrs["suppression"]`` counts
        the primary and complementary cells.

    Examples
    --------
    >>> table = pd.DataFrame({"group": list("abcd"), "n": [120, 45, 7, 30]})
    >>> suppress(table)["suppressed"].tolist()
    [False, False, True, True]
    >>> rates = pd.DataFrame({"group": list("abc"), "n": [120, 45, 60], "k": [60, 40, 30]})
    >>> suppress(rates, numerators=["k"])["suppressed"].tolist()  # 45 - 40 = 5 without
    [False, True, True]
    """
    if not isinstance(min_cell, int | np.integer) or min_cell < 1:
        raise LerkitError(
            f"min_cell must be a positive integer, not {min_cell!r}", code="invalid_argument"
        )
    missing = [
        c for c in (count, *by, *(c for m in totals for c in m), *numerators) if c not in frame
    ]
    if missing:
        raise LerkitError(
            f"suppress: no column {missing[0]!r} in the frame (columns: {', '.join(frame.columns)})",
            code="invalid_argument",
        )
    out = frame.copy()
    counts = pd.to_numeric(out[count], errors="coerce").to_numpy(dtype=float)
    primary = ~np.isnan(counts) & (counts < min_cell)
    for numerator in numerators:
        k = pd.to_numeric(out[numerator], errors="coerce").to_numpy(dtype=float)
        known = ~np.isnan(k) & ~np.isnan(counts)
        primary |= known & ((k < min_cell) | (counts - k < min_cell))
    before = (
        out["suppressed"].fillna(False).to_numpy(dtype=bool)
        if "suppressed" in out
        else np.zeros(len(out), dtype=bool)
    )
    hidden = primary | before
    first = hidden.copy()
    values = np.nan_to_num(counts, nan=0.0)
    margins: list[list[str]] = [list(by)] + [[*by, *m] for m in totals]
    # a margin group of one cell is that cell, not a total published beside it (e.g. the
    # gender rows of a table whose other rows are gender x race cells)
    groupings = [_groups(out, margins[0])] + [
        [rows for rows in _groups(out, cols) if len(rows) > 1] for cols in margins[1:]
    ]
    _margin_rule(groupings, values, hidden)
    if len(groupings) > 1:
        _protect_links(groupings, values, hidden)
    out["suppressed"] = hidden
    out.attrs["suppression"] = {
        "min_cell": int(min_cell),
        "primary": int(first.sum()),
        "complementary": int((hidden & ~first).sum()),
    }
    return out


def _groups(frame: pd.DataFrame, columns: list[str]) -> list[np.ndarray]:
    if not columns:
        return [np.arange(len(frame))]
    keys = frame[columns].astype("string").fillna("\x00<NA>")
    return [np.asarray(v) for v in keys.groupby(columns, sort=False).indices.values()]


def _margin_rule(groupings: list[list[np.ndarray]], values: np.ndarray, hidden: np.ndarray) -> None:
    changed = True
    while changed:
        changed = False
        for groups in groupings:
            for rows in groups:
                changed |= _complement(rows, values, hidden)


def margin_equations(
    groupings: list[list[np.ndarray]], values: np.ndarray, hidden: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray], list[float]]:
    """What an adversary knows of the hidden cells: ``A x = b`` from the published totals.

    Returns the hidden cells' row numbers (the unknowns ``x``, in order), and one
    equation per group of each grouping that holds a hidden cell: the hidden cells of
    the group add up to its total minus its published cells.
    """
    index = np.flatnonzero(hidden)
    position = {cell: i for i, cell in enumerate(index)}
    a_eq: list[np.ndarray] = []
    b_eq: list[float] = []
    for groups in groupings:
        for rows in groups:
            inside = [position[r] for r in rows if hidden[r]]
            if inside:
                row = np.zeros(len(index))
                row[inside] = 1.0
                a_eq.append(row)
                b_eq.append(float(values[rows][hidden[rows]].sum()))
    return index, a_eq, b_eq


def _widths(
    groupings: list[list[np.ndarray]],
    values: np.ndarray,
    hidden: np.ndarray,
    cells: Sequence[int] | None = None,
) -> dict[int, float]:
    """Feasible range width of hidden cells (default: all) under the margin equations (LP)."""
    index, a_eq, b_eq = margin_equations(groupings, values, hidden)
    widths: dict[int, float] = {}
    bounds = [(0.0, None)] * len(index)
    wanted = None if cells is None else {int(c) for c in cells}
    for i, cell in enumerate(index):
        if wanted is not None and int(cell) not in wanted:
            continue
        c = np.zeros(len(index))
        c[i] = 1.0
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        widths[int(cell)] = float(-high.fun - low.fun) if low.success and high.success else 0.0
    return widths


def _protect_links(
    groupings: list[list[np.ndarray]], values: np.ndarray, hidden: np.ndarray
) -> None:
    """Two or more margins: hide more until no hidden cell is pinned by the equations.

    The margin rule leaves a cell recoverable when it is the only link between two
    blocks of hidden cells (a bridge); linear programming finds such cells and the
    cheapest published cell that frees each one is hidden too.

    Hiding a cell never narrows another's range (the old solutions stay feasible with
    the new cell at its true value), so a cell found free stays free: each hidden cell
    is checked once, and again only while it is being freed.
    """
    queue = [c for c, w in _widths(groupings, values, hidden).items() if w <= 1e-9]
    while queue:
        cell = queue.pop(0)
        if _widths(groupings, values, hidden, cells=[cell])[cell] > 1e-9:
            continue
        related = np.unique(
            np.concatenate([rows for groups in groupings for rows in groups if cell in rows])
        )
        # only cells of the cell's own table (its group of the first grouping) can help
        table = next(rows for rows in groupings[0] if cell in rows)
        candidates = [int(r) for r in related if not hidden[r]]
        others = [int(r) for r in table if not hidden[r] and r not in candidates]
        order = sorted(candidates, key=lambda r: (values[r], r)) + sorted(
            others, key=lambda r: (values[r], r)
        )
        trial = hidden.copy()
        for choice in order:
            trial = hidden.copy()
            trial[choice] = True
            _margin_rule(groupings, values, trial)
            if _widths(groupings, values, trial, cells=[cell])[cell] > 1e-9:
                break
        else:
            # no single cell frees it: hide its whole table rather than publish it
            trial = hidden.copy()
            trial[table] = True
        queue.extend(int(c) for c in np.flatnonzero(trial & ~hidden))
        hidden[:] = trial


def _complement(rows: np.ndarray, values: np.ndarray, hidden: np.ndarray) -> bool:
    """Hide more cells of one table until its hidden cells cannot be solved for."""
    changed = False
    while True:
        mask = hidden[rows]
        if not mask.any() or mask.all():
            return changed
        if mask.sum() >= 2 and values[rows][mask].sum() > 0:
            return changed
        shown = rows[~mask]
        positive = shown[values[shown] > 0]
        # only zero cells published: hide one of them (nothing else can help)
        pool = shown if len(positive) == 0 else positive
        pick = pool[np.lexsort((pool, values[pool]))[0]]
        hidden[pick] = True
        changed = True
