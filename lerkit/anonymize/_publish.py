"""Aggregate tables for publication: counts (and sums, means) with small-cell suppression.

:func:`publish_table` cross-classifies people by one to three (or more) attributes,
adds the totals rows and columns (every margin of the table, down to the grand total)
and hides every cell counting fewer than ``min_cell`` people. Hiding a small cell is
not enough when totals are published: a row total minus the published cells of the
row gives it back. So the protection runs in three steps:

1. the inner cells go through :func:`lerkit.analysis._suppress.suppress` with every
   next-lower margin as a published total (primary and complementary suppression,
   checked there by linear programming);
2. each table of totals (e.g. the row totals, or a two-way margin of a three-way
   table) gets the same treatment, since a total can itself count fewer than
   ``min_cell`` people and be recovered from the grand total;
3. the whole published table is then attacked as an adversary would: with the
   published cells and totals as equations over the unknown inner counts (each at
   least zero), linear programming gives every hidden cell its smallest and largest
   possible value. While a hidden cell's range is narrower than ``protection``,
   another published cell sharing an equation with it is hidden (the cheapest one
   that widens it enough). Step 3 is what :func:`~lerkit.analysis._suppress.suppress`
   cannot do alone: there a total is always published, while here a total may be
   hidden and so is itself an unknown.

Sums of a value per cell (e.g. hourly wages) are published with the same pattern, and
step 3 also checks that no hidden sum can be solved for (ranges of positive width)
from the published sums. Means are the sums divided by the counts of known values.

What this does not protect against: other tables of the same people that overlap this
one (pass their margins into one call instead), exact counts known from outside,
differencing between releases of different populations, and a value dominated by
one or two people in a cell of many (no dominance or p% rule on sums). The ranges are
those of the linear-programming relaxation; for two-way tables its bounds are
integers, for three-way and larger ones a range of width ``protection`` may hold fewer
integer values than that.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import ibis.expr.types as ir  # type: ignore[import-untyped, unused-ignore]
import numpy as np
import pandas as pd
from scipy.optimize import linprog  # type: ignore[import-untyped, unused-ignore]

from lerkit.analysis._engine import _quiet
from lerkit.analysis._suppress import MIN_CELL, suppress
from lerkit.errors import LerkitError, PrivacyError

__all__ = ["NOT_REPORTED", "TOTAL", "publish_table"]

#: The label of a totals row or column (default of ``total_label``).
TOTAL = "Total"

#: The category an empty value is counted in (as in the analyses).
NOT_REPORTED = "not_reported"

_TINY = 1e-9


def publish_table(
    data: pd.DataFrame | ir.Table,
    *,
    by: str | Sequence[str],
    count: str | None = None,
    values: str | Sequence[str] = (),
    margins: bool = True,
    min_cell: int = MIN_CELL,
    protection: float = 1.0,
    categories: Mapping[str, Sequence[Any]] | None = None,
    total_label: str = TOTAL,
) -> pd.DataFrame:
    """A cross-table for publication: small cells hidden so no total gives them away.

    Parameters
    ----------
    data : DataFrame or ibis.Table
        One row per person (the default), or one row per group of people when
        ``count`` names the column holding how many. An Ibis table is aggregated in
        its engine; only the cell counts and sums come back.
    by : str or sequence of str
        The attributes cross-classified (the table's dimensions). Empty values are
        counted under :data:`NOT_REPORTED`; booleans read ``"true"``/``"false"``; every
        label is text.
    count : str, optional
        Column with the number of people each row stands for (pre-aggregated data).
        Default: each row is one person.
    values : str or sequence of str
        Numeric columns to sum per cell (``<value>_sum``) and average
        (``<value>_mean``, over the people whose value is known). With ``count``,
        these columns already hold sums per row and the mean divides by the count.
    margins : bool
        Add the totals rows and columns (every margin down to the grand total), computed
        from the true values. Either way, the inner cells are protected as if every
        margin were known, since totals are often published elsewhere (group sizes).
    min_cell : int
        Smallest count shown (default :data:`~lerkit.analysis._suppress.MIN_CELL`);
        zero cells are hidden too.
    protection : float
        Smallest width of the range a hidden count must keep when solved for from the
        published cells and totals (counts at least zero). Default 1: never pinned
        to one value.
    categories : mapping, optional
        ``{attribute: [labels]}``: categories to show even when nobody is in them (and
        the order they come in); categories found in the data but not listed follow.
    total_label : str
        The label of totals rows/columns (default :data:`TOTAL`).

    Returns
    -------
    DataFrame
        One row per cell, inner cells first then the totals from the most to the least
        detailed: the ``by`` columns (text), ``n`` (``Int64``, missing where hidden),
        ``<value>_sum`` and ``<value>_mean`` (missing where hidden), ``suppressed``
        and ``total`` (True on totals rows). ``attrs["suppression"]`` holds
        ``min_cell``, ``protection`` and the numbers of cells hidden as ``primary`` and
        ``complementary``; ``attrs["parameters"]`` the arguments.

    Raises
    ------
    LerkitError
        ``invalid_argument`` naming a missing column, a bad ``min_cell`` or
        ``protection``, or a category labelled like the totals.
    PrivacyError
        ``empty_table`` when there is nobody to count.

    Examples
    --------
    >>> people = pd.DataFrame({"pathway": ["bootcamp"] * 30 + ["military"] * 4 + ["university"] * 25})
    >>> table = publish_table(people, by="pathway")
    >>> print(table[["pathway", "n", "suppressed"]].to_string(index=False))
       pathway    n  suppressed
      bootcamp   30       False
      military <NA>        True
    university <NA>        True
         Total   59       False
    """
    dims = [by] if isinstance(by, str) else list(by)
    value_columns = [values] if isinstance(values, str) else list(values)
    _check_arguments(data, dims, count, value_columns, min_cell, protection)
    parameters = {
        "by": list(dims),
        "count": count,
        "values": list(value_columns),
        "margins": bool(margins),
        "min_cell": int(min_cell),
        "protection": float(protection),
        "total_label": total_label,
    }
    cells = _aggregate(data, dims, count, value_columns)
    inner = _complete(cells, dims, value_columns, categories, total_label)
    if int(inner["n"].sum()) == 0:
        raise PrivacyError(
            f"publish_table: nobody to count by {dims!r} (empty data)", code="empty_table"
        )
    cube = _cube(inner, dims, value_columns, total_label)
    support = _support(cube, inner, dims, total_label)
    is_total = cube["total"].to_numpy(dtype=bool)
    # without published margins the adversary is still assumed to know them all
    known = is_total if not margins else np.zeros(len(cube), dtype=bool)
    counts = cube["n"].to_numpy(dtype=float)
    hidden = (counts < min_cell) & ~known
    primary = hidden.copy()
    _suppress_levels(cube, dims, total_label, hidden, min_cell, inner_only=not margins)
    systems: list[tuple[np.ndarray, float, bool]] = [(counts, float(protection), True)]
    for value in value_columns:
        sums = inner[f"{value}_sum"].to_numpy(dtype=float)
        systems.append((cube[f"{value}_sum"].to_numpy(dtype=float), _TINY, bool((sums >= 0).all())))
    _protect(support, systems, hidden, known=known)
    out = _blank(cube, dims, value_columns, hidden)
    if not margins:
        out = out[~is_total].reset_index(drop=True)
        primary, hidden = primary[~is_total], hidden[~is_total]
    out.attrs = {
        "parameters": parameters,
        "min_cell": int(min_cell),
        "suppression": {
            "min_cell": int(min_cell),
            "protection": float(protection),
            "primary": int(primary.sum()),
            "complementary": int((hidden & ~primary).sum()),
        },
    }
    return out


# -- building the table ---------------------------------------------------------------------


def _check_arguments(
    data: Any,
    dims: list[str],
    count: str | None,
    value_columns: list[str],
    min_cell: int,
    protection: float,
) -> None:
    if not isinstance(min_cell, int | np.integer) or isinstance(min_cell, bool) or min_cell < 1:
        raise LerkitError(
            f"min_cell must be a positive integer, not {min_cell!r}", code="invalid_argument"
        )
    if not isinstance(protection, int | float) or not np.isfinite(protection) or protection <= 0:
        raise LerkitError(
            f"protection must be a positive number, not {protection!r}", code="invalid_argument"
        )
    if not dims:
        raise LerkitError("publish_table: by names no column", code="invalid_argument")
    if len(set(dims)) != len(dims):
        raise LerkitError(f"a column is named twice in by={dims!r}", code="invalid_argument")
    if not isinstance(data, pd.DataFrame | ir.Table):
        raise LerkitError(
            f"publish_table needs a DataFrame or an ibis Table, not {type(data).__name__}",
            code="invalid_argument",
        )
    columns = list(data.columns)
    wanted = [*dims, *([count] if count is not None else []), *value_columns]
    for column in wanted:
        if column not in columns:
            raise LerkitError(
                f"publish_table: no column {column!r} in the data (columns: {', '.join(map(str, columns))})",
                code="invalid_argument",
            )


def _aggregate(
    data: pd.DataFrame | ir.Table, dims: list[str], count: str | None, value_columns: list[str]
) -> pd.DataFrame:
    """One row per observed combination: dims, n, <v>_sum, <v>_known."""
    if isinstance(data, ir.Table):
        metrics: dict[str, Any] = {"n": data[count].sum() if count else data.count()}
        for v in value_columns:
            metrics[f"{v}_sum"] = data[v].sum()
            metrics[f"{v}_known"] = data[count].sum() if count else data[v].count()
        with _quiet():
            result = data.group_by(dims).aggregate(**metrics).execute()
        frame = pd.DataFrame(result)
        for column in frame.columns:
            if column not in dims:
                frame[column] = pd.to_numeric(frame[column]).fillna(0).astype(float)
        return frame
    frame = data[[*dims]].copy()
    frame["n"] = pd.to_numeric(data[count]).astype(float) if count else 1.0
    for v in value_columns:
        numbers = pd.to_numeric(data[v], errors="coerce").astype(float)
        frame[f"{v}_sum"] = numbers.fillna(0.0)
        frame[f"{v}_known"] = frame["n"] if count else numbers.notna().astype(float)
    return frame.groupby(dims, dropna=False, sort=False).sum().reset_index()


def _label(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return NOT_REPORTED
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    return str(value)


def _complete(
    cells: pd.DataFrame,
    dims: list[str],
    value_columns: list[str],
    categories: Mapping[str, Sequence[Any]] | None,
    total_label: str,
) -> pd.DataFrame:
    """Every combination of the categories (zeros included), labels as text."""
    cells = cells.copy()
    levels: list[list[str]] = []
    for dim in dims:
        raw = list(pd.unique(cells[dim]))
        try:
            raw = sorted(raw, key=lambda v: (pd.isna(v), v))
        except TypeError:
            raw = sorted(raw, key=lambda v: (pd.isna(v), str(v)))
        seen = [_label(v) for v in raw]
        given = [_label(v) for v in (categories or {}).get(dim, ())]
        order = list(dict.fromkeys([*given, *seen]))
        if total_label in order:
            raise LerkitError(
                f"publish_table: {dim!r} has a category {total_label!r}, the label of the totals; "
                "pass another total_label",
                code="invalid_argument",
            )
        levels.append(order)
        cells[dim] = [_label(v) for v in cells[dim]]
    measures = [c for c in cells.columns if c not in dims]
    cells = cells.groupby(dims, sort=False)[measures].sum()
    grid = (
        pd.MultiIndex.from_product(levels, names=dims)
        if len(dims) > 1
        else pd.Index(levels[0], name=dims[0])
    )
    full = cells.reindex(grid, fill_value=0.0).reset_index()
    return full


def _cube(
    inner: pd.DataFrame, dims: list[str], value_columns: list[str], total_label: str
) -> pd.DataFrame:
    """The inner cells, then every margin (dims summed over labelled ``total_label``)."""
    measures = ["n", *(f"{v}_{s}" for v in value_columns for s in ("sum", "known"))]
    parts = [inner.assign(total=False)]
    for size in range(len(dims) - 1, -1, -1):
        for kept in itertools.combinations(dims, size):
            if kept:
                part = inner.groupby(list(kept), sort=False)[measures].sum().reset_index()
            else:
                part = inner[measures].sum().to_frame().T
            for dim in dims:
                if dim not in kept:
                    part[dim] = total_label
            parts.append(part.assign(total=True))
    cube = pd.concat(parts, ignore_index=True)
    return cube[[*dims, *measures, "total"]]


def _support(
    cube: pd.DataFrame, inner: pd.DataFrame, dims: list[str], total_label: str
) -> np.ndarray:
    """Boolean matrix: which inner cells each published cell adds up."""
    labels = cube[dims].to_numpy(dtype=object)
    inner_labels = inner[dims].to_numpy(dtype=object)
    support = np.ones((len(cube), len(inner)), dtype=bool)
    for j in range(len(dims)):
        fixed = labels[:, j] != total_label
        match = labels[:, j][:, None] == inner_labels[:, j][None, :]
        support &= ~fixed[:, None] | match
    return support


def _suppress_levels(
    cube: pd.DataFrame,
    dims: list[str],
    total_label: str,
    hidden: np.ndarray,
    min_cell: int,
    *,
    inner_only: bool,
) -> None:
    """Steps 1 and 2: :func:`suppress` on the inner cells and on each table of totals."""
    labels = cube[dims].to_numpy(dtype=object) == total_label
    for size in range(len(dims), len(dims) - 1 if inner_only else 0, -1):
        for kept in itertools.combinations(range(len(dims)), size):
            rows = np.flatnonzero(
                (~labels[:, list(kept)]).all(axis=1) & (labels.sum(axis=1) == len(dims) - size)
            )
            if len(rows) == 0:
                continue
            names = [dims[k] for k in kept]
            table = cube.iloc[rows][[*names, "n"]].reset_index(drop=True)
            flags = hidden[rows].copy()
            # one margin per call: suppress's margin rule; its linear-programming pass
            # over several margins at once is left to step 3, which checks each hidden
            # cell once instead of all of them after every change
            lower = [list(m) for m in itertools.combinations(names, size - 1)]
            changed = True
            while changed:
                changed = False
                for margin in lower:
                    table["suppressed"] = flags
                    step = suppress(table, count="n", min_cell=min_cell, by=margin)
                    now = step["suppressed"].to_numpy(dtype=bool)
                    changed |= bool((now & ~flags).any())
                    flags = now
            hidden[rows] |= flags


# -- step 3: the adversary's linear programs ------------------------------------------------


def _widths(
    support: np.ndarray,
    values: np.ndarray,
    hidden: np.ndarray,
    cells: Sequence[int],
    nonnegative: bool,
) -> dict[int, float]:
    """Feasible range width of ``cells`` (hidden) given the published cells' values.

    Unknowns are the hidden inner cells; every published cell is an equation over them.
    """
    n_inner = support.shape[1]
    inner_rows = np.arange(n_inner)  # inner cells come first in the cube, in order
    unknown = hidden[inner_rows]
    inner_values = values[inner_rows]
    known = np.flatnonzero(~hidden)
    a = support[known][:, unknown].astype(float)
    b = values[known] - support[known][:, ~unknown].astype(float) @ inner_values[~unknown]
    useful = a.any(axis=1)
    a_eq, b_eq = (a[useful], b[useful]) if useful.any() else (None, None)
    bounds = [(0.0, None) if nonnegative else (None, None)] * int(unknown.sum())
    widths: dict[int, float] = {}
    for cell in cells:
        c = support[cell][unknown].astype(float)
        if not c.any():
            # a hidden cell adding up no unknown cell: its value is the sum of known ones
            widths[int(cell)] = 0.0 if hidden[cell] else float("inf")
            continue
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if low.status == 3 or high.status == 3:  # unbounded: no constraint pins it
            widths[int(cell)] = float("inf")
        elif low.status == 0 and high.status == 0:
            widths[int(cell)] = float(-high.fun - low.fun)
        else:  # pragma: no cover - the true values are always feasible
            widths[int(cell)] = 0.0
    return widths


def _protect(
    support: np.ndarray,
    systems: list[tuple[np.ndarray, float, bool]],
    hidden: np.ndarray,
    *,
    known: np.ndarray,
) -> None:
    """Step 3: hide more until every hidden cell keeps a wide enough range.

    ``known`` cells are assumed known to the adversary and are never hidden. Hiding a
    cell removes an equation, so ranges only grow: a cell found wide enough stays so
    and each hidden cell is checked once (cells hidden on the way join the queue).
    """
    queue = [int(c) for c in np.flatnonzero(hidden)]
    while queue:
        cell = queue[0]
        narrow = None
        for values, threshold, nonnegative in systems:
            width = _widths(support, values, hidden, [cell], nonnegative)[cell]
            if width < threshold - _TINY:
                narrow = (values, threshold, nonnegative)
                break
        if narrow is None:
            queue.pop(0)
            continue
        values, threshold, nonnegative = narrow
        shown = np.flatnonzero(~hidden & ~known)
        if len(shown) == 0:
            queue.pop(0)  # nothing left to hide: its value is a total assumed known
            continue
        overlaps = (support[shown] & support[cell]).any(axis=1)
        counts = systems[0][0]
        # related cells first, cheapest first; the grand total last of its kind, since
        # it is the one number every reader expects
        order = sorted(
            range(len(shown)),
            key=lambda i: (not overlaps[i], bool(support[shown[i]].all()), counts[shown[i]], i),
        )
        choice = int(shown[order[0]])
        for i in order:
            if not overlaps[i]:
                break
            trial = hidden.copy()
            trial[shown[i]] = True
            if _widths(support, values, trial, [cell], nonnegative)[cell] >= threshold - _TINY:
                choice = int(shown[i])
                break
        hidden[choice] = True
        queue.append(choice)


def _blank(
    cube: pd.DataFrame, dims: list[str], value_columns: list[str], hidden: np.ndarray
) -> pd.DataFrame:
    out = cube[dims].copy()
    out["n"] = cube["n"].round().astype("Int64").where(~hidden)
    for v in value_columns:
        sums = cube[f"{v}_sum"].astype(float)
        known = cube[f"{v}_known"].astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            means = np.where(known > 0, sums / known, np.nan)
        out[f"{v}_sum"] = sums.where(~hidden, np.nan)
        out[f"{v}_mean"] = pd.Series(means, index=cube.index).where(~hidden, np.nan)
    out["suppressed"] = hidden
    out["total"] = cube["total"].to_numpy(dtype=bool)
    return out.reset_index(drop=True)
