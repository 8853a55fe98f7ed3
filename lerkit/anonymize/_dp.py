"""Differentially private counts, means and tables through OpenDP, under a per-report budget.

Every release draws its noise from OpenDP's measurements (``opendp.prelude``, with the
``contrib`` features): counts get discrete Laplace noise (integers), sums of clamped
values get Laplace noise. The noise scale is the smallest OpenDP certifies for the
epsilon asked (its privacy map at one person added or removed, ``d_in = 1`` under the
symmetric distance), so each release is ``epsilon``-differentially private with
``delta = 0``.

Each release spends from a :class:`PrivacyBudget`, one per report: the epsilons of the
releases add up (sequential composition) and a release that would go past the
budget's epsilon raises :class:`~lerkit.errors.PrivacyError` (``budget_exceeded``)
before any noise is drawn, so nothing is released and the ledger is unchanged.
``budget.ledger`` lists every release (query, epsilon, mechanism, noise scale, the
value released) for the report's provenance.

- :func:`dp_count`: the number of rows (people).
- :func:`dp_mean`: a bounded mean: values clamped to public ``bounds``, a noisy sum
  divided by a noisy count, each with half the epsilon.
- :func:`dp_table`: counts per cell of a cross-table over public categories. Each
  person is in exactly one cell, so adding or removing a person changes one cell by
  one: the whole table costs ``epsilon`` once, not once per cell (parallel
  composition).

Rows are people: one row per person is assumed (a person with several rows would
need a larger sensitivity). Bounds and categories must not be taken from the data
itself, since the smallest and largest value, or the list of categories present,
would be disclosed without noise.

Reproducibility. OpenDP's noise comes from the operating system's secure random
source and takes no seed, on purpose: a seeded generator would let anyone who knows
the seed subtract the noise. Reports are made reproducible by recording instead:
``PrivacyBudget(..., store=path)`` keeps every release in a JSON file keyed by the
query, its parameters and a digest of the data it read. Running the report again with
the same store gives back the same released values and spends nothing more (a value
published once can be published again at no privacy cost), while a changed query or
changed data is a new release that spends budget. Without a store, each run draws
fresh noise and the ledger records the values that run released. There is no
seeded mode.

Within one budget, asking the same query of the same data again (same label,
parameters and epsilon) gives back the first release and spends nothing: fresh noise
for a repeated question would let its answers be averaged.

A caveat: :func:`dp_count` and :func:`dp_mean` refuse empty data with an error, which
itself tells the caller the data is empty; call them on data known to be non-empty.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import opendp.prelude as dp  # type: ignore[import-untyped, unused-ignore]
import pandas as pd

from lerkit.anonymize._publish import _label
from lerkit.errors import LerkitError, PrivacyError

__all__ = ["PrivacyBudget", "Release", "dp_count", "dp_mean", "dp_table"]

dp.enable_features("contrib")

_DISCRETE = "discrete Laplace"
_LAPLACE = "Laplace"


@dataclass(frozen=True)
class Release:
    """One differentially private release, as recorded in a budget's ledger.

    Attributes
    ----------
    query : str
        ``"count"``, ``"mean"`` or ``"table"``.
    label : str
        What was released, in words (given by the caller or made from the query).
    epsilon : float
        The epsilon spent.
    delta : float
        The delta spent (0: every mechanism here is pure).
    mechanism : str
        The noise: ``"discrete Laplace"`` (counts) or ``"discrete Laplace + Laplace"``
        (a mean's count and sum).
    scale : tuple of float
        The noise scale of each mechanism, in its order.
    sensitivity : tuple of float
        How much one person can change each noised quantity.
    parameters : dict
        The query's parameters (column, bounds, categories ...).
    value : Any
        The released value (already public once released).
    key : str
        Digest of query, parameters and data: a store gives this release back for it.
    replayed : bool
        True when the value came from the budget's store (nothing new spent).
    """

    query: str
    label: str
    epsilon: float
    delta: float
    mechanism: str
    scale: tuple[float, ...]
    sensitivity: tuple[float, ...]
    parameters: dict[str, Any]
    value: Any
    key: str
    replayed: bool = False


@dataclass
class PrivacyBudget:
    """The privacy budget of one report: releases spend from it until it runs out.

    Parameters
    ----------
    epsilon : float
        Total epsilon the report may spend (positive, finite).
    delta : float
        Total delta (default 0; the mechanisms here spend none).
    store : str or Path, optional
        A JSON file recording every release (see the module notes on
        reproducibility). If it exists, its releases count as spent and a repeated
        query returns its recorded value; it must have been made with the same epsilon
        and delta.

    Raises
    ------
    LerkitError
        ``invalid_budget`` for a non-positive or infinite epsilon or a delta outside
        [0, 1).
    PrivacyError
        ``store_mismatch`` when the store was made for another budget.

    Examples
    --------
    >>> budget = PrivacyBudget(epsilon=1.0)
    >>> people = pd.DataFrame({"id": range(500)})
    >>> _ = dp_count(people, epsilon=0.25, budget=budget)
    >>> budget.spent, budget.remaining
    (0.25, 0.75)
    >>> budget.ledger[["query", "epsilon", "mechanism", "scale"]]
       query  epsilon         mechanism   scale
    0  count     0.25  discrete Laplace  (4.0,)
    """

    epsilon: float
    delta: float = 0.0
    store: str | os.PathLike[str] | None = None
    _records: list[Release] = field(default_factory=list, init=False, repr=False)
    _keys: dict[str, Release] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if (
            isinstance(self.epsilon, bool)
            or not isinstance(self.epsilon, int | float)
            or not math.isfinite(self.epsilon)
            or self.epsilon <= 0
        ):
            raise LerkitError(
                f"a privacy budget's epsilon must be a positive finite number, not {self.epsilon!r}",
                code="invalid_budget",
            )
        if not isinstance(self.delta, int | float) or not 0.0 <= self.delta < 1.0:
            raise LerkitError(
                f"a privacy budget's delta must be in [0, 1), not {self.delta!r}",
                code="invalid_budget",
            )
        self.epsilon = float(self.epsilon)
        self.delta = float(self.delta)
        if self.store is not None and Path(self.store).exists():
            saved = json.loads(Path(self.store).read_text(encoding="utf-8"))
            if (saved.get("epsilon"), saved.get("delta")) != (self.epsilon, self.delta):
                raise PrivacyError(
                    f"the release store {os.fspath(self.store)!r} belongs to a budget of "
                    f"epsilon={saved.get('epsilon')!r}, delta={saved.get('delta')!r}, "
                    f"not epsilon={self.epsilon!r}, delta={self.delta!r}",
                    code="store_mismatch",
                )
            for item in saved.get("releases", []):
                item["scale"] = tuple(item["scale"])
                item["sensitivity"] = tuple(item["sensitivity"])
                release = Release(**item)
                self._records.append(release)
                self._keys[release.key] = release

    @property
    def spent(self) -> float:
        """Epsilon spent so far (the sum over releases)."""
        return float(sum(r.epsilon for r in self._records if not r.replayed))

    @property
    def delta_spent(self) -> float:
        """Delta spent so far."""
        return float(sum(r.delta for r in self._records if not r.replayed))

    @property
    def remaining(self) -> float:
        """Epsilon left."""
        return max(0.0, self.epsilon - self.spent)

    @property
    def records(self) -> tuple[Release, ...]:
        """Every release, in order."""
        return tuple(self._records)

    @property
    def ledger(self) -> pd.DataFrame:
        """The releases as a table, one row each (the report's provenance)."""
        columns = [f.name for f in Release.__dataclass_fields__.values()]
        rows = [{**asdict(r), "parameters": dict(r.parameters)} for r in self._records]
        return pd.DataFrame(rows, columns=columns)

    def provenance(self) -> dict[str, Any]:
        """What a report's provenance block states about differential privacy."""
        return {
            "epsilon_budget": self.epsilon,
            "delta_budget": self.delta,
            "epsilon_spent": self.spent,
            "delta_spent": self.delta_spent,
            "releases": len(self._records),
        }

    # -- internal -----------------------------------------------------------------------

    def _find(self, key: str) -> Release | None:
        return self._keys.get(key)

    def _check(self, epsilon: float, label: str) -> None:
        # a relative tolerance so that e.g. ten releases of 0.1 fit a budget of 1.0
        if self.spent + epsilon > self.epsilon * (1 + 1e-12):
            raise PrivacyError(
                f"releasing {label} would spend epsilon={epsilon!r} but only "
                f"{self.remaining!r} of the budget's {self.epsilon!r} is left; nothing was released",
                code="budget_exceeded",
            )

    def _record(self, release: Release) -> None:
        self._records.append(release)
        self._keys[release.key] = release
        if self.store is not None:
            path = Path(self.store)
            payload = {
                "epsilon": self.epsilon,
                "delta": self.delta,
                "releases": [asdict(r) for r in self._records if not r.replayed],
            }
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(json.dumps(payload, indent=1, default=_jsonable), encoding="utf-8")
            tmp.replace(path)


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"not JSON serializable: {value!r}")


# -- checks and helpers -------------------------------------------------------------------------


def _check_epsilon(epsilon: float) -> float:
    if (
        isinstance(epsilon, bool)
        or not isinstance(epsilon, int | float)
        or not math.isfinite(epsilon)
        or epsilon <= 0
    ):
        raise LerkitError(
            f"epsilon must be a positive finite number, not {epsilon!r}", code="invalid_epsilon"
        )
    return float(epsilon)


def _check_budget(budget: Any) -> PrivacyBudget:
    if not isinstance(budget, PrivacyBudget):
        raise LerkitError(
            f"budget must be a PrivacyBudget, not {type(budget).__name__}",
            code="invalid_argument",
        )
    return budget


def _rows(data: Any, what: str) -> pd.DataFrame:
    if isinstance(data, pd.Series):
        data = data.to_frame()
    if not isinstance(data, pd.DataFrame):
        raise LerkitError(
            f"{what} needs a DataFrame of one row per person, not {type(data).__name__}",
            code="invalid_argument",
        )
    if len(data) == 0:
        raise LerkitError(f"{what}: the data is empty (no rows)", code="empty_data")
    return data


def _digest(*parts: Any) -> str:
    """A key for a release: the query, its parameters and the data the mechanism reads.

    Only a SHA-256 digest of the data goes into a store, not the data; still, treat a
    store like the data's other derived files, not as something to publish.
    """
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, pd.DataFrame | pd.Series):
            frame = part.to_frame() if isinstance(part, pd.Series) else part
            try:
                hashed = pd.util.hash_pandas_object(frame, index=False)
            except TypeError:  # unhashable cells (lists): their text
                hashed = pd.util.hash_pandas_object(frame.astype(str), index=False)
            h.update(hashed.to_numpy().tobytes())
            h.update(json.dumps([str(c) for c in frame.columns]).encode())
        else:
            h.update(json.dumps(part, sort_keys=True, default=_jsonable).encode())
        h.update(b"\x00")
    return h.hexdigest()


def _calibrate(
    build: Callable[[float], Any], sensitivity: float, epsilon: float
) -> tuple[Any, float]:
    """The measurement with (about) the smallest scale OpenDP certifies at (1, epsilon).

    The scale starts at ``sensitivity / epsilon``; OpenDP's privacy map (which rounds
    conservatively in floating point) has the last word.
    """
    scale = sensitivity / epsilon
    for _ in range(8):
        measurement = build(scale)
        loss = float(measurement.map(1))
        if loss <= epsilon:
            return measurement, scale
        # rounding put the loss a hair above epsilon: scale up in proportion
        scale *= (loss / epsilon) * (1 + 1e-12)
    scale = float(dp.binary_search_param(build, d_in=1, d_out=epsilon, T=float))
    return build(scale), scale


def _count_measurement(scale: float) -> Any:
    space = dp.vector_domain(dp.atom_domain(T=bool)), dp.symmetric_distance()
    return space >> dp.t.then_count(TO="i64") >> dp.m.then_laplace(scale)


def _release(
    budget: PrivacyBudget,
    key: str,
    epsilon: float,
    label: str,
    run: Callable[[], tuple[Any, str, tuple[float, ...], tuple[float, ...]]],
    query: str,
    parameters: dict[str, Any],
) -> Release:
    """Replay a stored release, or check the budget, run the mechanisms and record."""
    stored = budget._find(key)
    if stored is not None:
        replay = Release(**{**asdict(stored), "replayed": True})
        budget._records.append(replay)
        return replay
    budget._check(epsilon, label)
    value, mechanism, scale, sensitivity = run()
    release = Release(
        query=query,
        label=label,
        epsilon=epsilon,
        delta=0.0,
        mechanism=mechanism,
        scale=scale,
        sensitivity=sensitivity,
        parameters=parameters,
        value=value,
        key=key,
    )
    budget._record(release)
    return release


# -- the releases -------------------------------------------------------------------------------


def dp_count(
    data: pd.DataFrame | pd.Series,
    *,
    epsilon: float,
    budget: PrivacyBudget,
    label: str | None = None,
) -> int:
    """The number of rows (people), with discrete Laplace noise: epsilon-DP.

    Parameters
    ----------
    data : DataFrame or Series
        One row per person.
    epsilon : float
        Epsilon this release spends (scale = 1 / epsilon).
    budget : PrivacyBudget
        Where it is spent and recorded.
    label : str, optional
        What is counted, for the ledger.

    Returns
    -------
    int
        The noisy count (may be negative or above the true count; unbiased).

    Raises
    ------
    LerkitError
        ``invalid_epsilon``, ``empty_data``, ``invalid_argument``.
    PrivacyError
        ``budget_exceeded``: nothing released, the ledger unchanged.

    Examples
    --------
    >>> budget = PrivacyBudget(epsilon=1.0)
    >>> noisy = dp_count(pd.DataFrame({"id": range(1000)}), epsilon=0.5, budget=budget)
    >>> isinstance(noisy, int), budget.spent
    (True, 0.5)
    """
    eps = _check_epsilon(epsilon)
    budget = _check_budget(budget)
    frame = _rows(data, "dp_count")
    name = label or "count of rows"
    key = _digest("count", eps, name, frame)

    def run() -> tuple[Any, str, tuple[float, ...], tuple[float, ...]]:
        measurement, scale = _calibrate(_count_measurement, 1.0, eps)
        return int(measurement([True] * len(frame))), _DISCRETE, (scale,), (1.0,)

    release = _release(budget, key, eps, name, run, "count", {})
    return int(release.value)


def dp_mean(
    data: pd.DataFrame | pd.Series,
    column: str | None = None,
    *,
    bounds: tuple[float, float],
    epsilon: float,
    budget: PrivacyBudget,
    label: str | None = None,
) -> float:
    """A bounded mean with differential privacy: a noisy clamped sum over a noisy count.

    Values are clamped to ``bounds`` (so one person moves the sum by at most
    ``max(|lower|, |upper|)``); half of ``epsilon`` buys a Laplace-noised sum, half a
    discrete-Laplace-noised count of the values, and the mean is their ratio, clamped
    to ``bounds`` (post-processing, free). Missing values are left out (each person's
    row is kept or dropped on its own, which does not change the guarantee).

    Parameters
    ----------
    data : DataFrame or Series
        One row per person.
    column : str, optional
        The column averaged (required with a DataFrame of several columns).
    bounds : (float, float)
        Public clamping bounds ``(lower, upper)``, ``lower < upper``. They must come
        from outside the data (the dictionary, a published wage range, domain
        knowledge): the data's own minimum and maximum would be disclosed exactly.
        Narrow bounds mean less noise but clamp more values (bias).
    epsilon : float
        Epsilon this release spends in total.
    budget : PrivacyBudget
        Where it is spent and recorded.
    label : str, optional
        What is averaged, for the ledger.

    Returns
    -------
    float
        The noisy mean, within ``bounds``. As a ratio of noisy numbers it is slightly
        biased for small groups.

    Raises
    ------
    LerkitError
        ``invalid_bounds`` (not two finite numbers, or reversed), ``invalid_epsilon``,
        ``empty_data``, ``invalid_argument`` (unknown column).
    PrivacyError
        ``budget_exceeded``: nothing released, the ledger unchanged.

    Examples
    --------
    >>> budget = PrivacyBudget(epsilon=1.0)
    >>> wages = pd.DataFrame({"hourly_wage": [18.0, 22.5, 30.0] * 400})
    >>> mean = dp_mean(wages, "hourly_wage", bounds=(7.25, 80.0), epsilon=1.0, budget=budget)
    >>> 7.25 <= mean <= 80.0, budget.ledger["mechanism"].item()
    (True, 'discrete Laplace + Laplace')
    """
    eps = _check_epsilon(epsilon)
    budget = _check_budget(budget)
    frame = _rows(data, "dp_mean")
    lower, upper = _check_bounds(bounds)
    if column is None:
        if frame.shape[1] != 1:
            raise LerkitError(
                f"dp_mean: name the column to average (columns: {', '.join(map(str, frame.columns))})",
                code="invalid_argument",
            )
        column = str(frame.columns[0])
    if column not in frame:
        raise LerkitError(
            f"dp_mean: no column {column!r} (columns: {', '.join(map(str, frame.columns))})",
            code="invalid_argument",
        )
    numbers = pd.to_numeric(frame[column], errors="coerce").astype(float)
    values = numbers[numbers.notna()].tolist()
    name = label or f"mean of {column}"
    parameters = {"column": column, "bounds": [lower, upper]}
    key = _digest("mean", eps, name, parameters, numbers)
    sensitivity = max(abs(lower), abs(upper))

    def build_sum(scale: float) -> Any:
        space = dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.symmetric_distance()
        clamped = space >> dp.t.then_clamp((lower, upper))
        summed = clamped >> dp.t.then_sum()  # type: ignore[no-untyped-call, unused-ignore]
        return summed >> dp.m.then_laplace(scale)

    def run() -> tuple[Any, str, tuple[float, ...], tuple[float, ...]]:
        half = eps / 2
        summer, sum_scale = _calibrate(build_sum, sensitivity, half)
        counter, count_scale = _calibrate(_count_measurement, 1.0, half)
        noisy_sum = float(summer(values))
        noisy_count = int(counter([True] * len(values)))
        mean = min(max(noisy_sum / max(noisy_count, 1), lower), upper)
        return (
            mean,
            f"{_DISCRETE} + {_LAPLACE}",
            (count_scale, sum_scale),
            (1.0, sensitivity),
        )

    release = _release(budget, key, eps, name, run, "mean", parameters)
    return float(release.value)


def dp_table(
    data: pd.DataFrame,
    by: str | Sequence[str],
    *,
    categories: Mapping[str, Sequence[Any]],
    epsilon: float,
    budget: PrivacyBudget,
    label: str | None = None,
) -> pd.DataFrame:
    """Counts per cell of a cross-table, with discrete Laplace noise: epsilon-DP in all.

    Each person is in exactly one cell (people whose values are outside the listed
    categories are in none), so adding or removing one person changes one count by
    one: the table is one release of L1 sensitivity 1 and costs ``epsilon`` however
    many cells it has (parallel composition); each cell's noise has scale
    ``1 / epsilon``. Every combination of the categories is a row, including those
    nobody is in, since which cells are empty is itself private.

    Parameters
    ----------
    data : DataFrame
        One row per person.
    by : str or sequence of str
        The columns cross-classified.
    categories : mapping
        ``{column: [labels]}`` for every ``by`` column: the public list of categories
        (e.g. from the data dictionary), never read off the data. Empty values are
        the category ``"not_reported"``; booleans read ``"true"``/``"false"``.
    epsilon : float
        Epsilon this release spends.
    budget : PrivacyBudget
        Where it is spent and recorded.
    label : str, optional
        What is counted, for the ledger.

    Returns
    -------
    DataFrame
        The ``by`` columns (text) and ``n`` (noisy counts, may be negative: clip or
        round them afterwards if a report needs to, which costs no privacy but adds
        bias). ``attrs["dp"]`` holds epsilon, mechanism and scale.

    Raises
    ------
    LerkitError
        ``missing_categories`` for a ``by`` column without categories,
        ``invalid_epsilon``, ``empty_data``, ``invalid_argument``.
    PrivacyError
        ``budget_exceeded``: nothing released, the ledger unchanged.

    Examples
    --------
    >>> people = pd.DataFrame({"veteran": [True] * 40 + [False] * 300 + [None] * 20})
    >>> budget = PrivacyBudget(epsilon=1.0)
    >>> table = dp_table(people, "veteran", categories={"veteran": [True, False, None]},
    ...                  epsilon=0.5, budget=budget)
    >>> table["veteran"].tolist(), budget.spent
    (['true', 'false', 'not_reported'], 0.5)
    """
    eps = _check_epsilon(epsilon)
    budget = _check_budget(budget)
    frame = _rows(data, "dp_table")
    dims = [by] if isinstance(by, str) else list(by)
    if not dims or len(set(dims)) != len(dims):
        raise LerkitError(f"dp_table: bad by={dims!r}", code="invalid_argument")
    for dim in dims:
        if dim not in frame:
            raise LerkitError(
                f"dp_table: no column {dim!r} (columns: {', '.join(map(str, frame.columns))})",
                code="invalid_argument",
            )
        if dim not in categories or len(categories[dim]) == 0:
            raise LerkitError(
                f"dp_table: no categories for {dim!r}: list them from outside the data "
                "(the data dictionary); read off the data they would disclose which occur",
                code="missing_categories",
            )
    levels = [list(dict.fromkeys(_label(v) for v in categories[dim])) for dim in dims]
    cells = [str(i) for i in range(math.prod(len(level) for level in levels))]
    keys = _cell_keys(frame, dims, levels)
    name = label or f"counts by {', '.join(dims)}"
    parameters = {"by": dims, "categories": levels}
    key = _digest("table", eps, name, parameters, pd.Series(keys, name="cell"))

    def build(scale: float) -> Any:
        space = dp.vector_domain(dp.atom_domain(T=str)), dp.symmetric_distance()
        return (
            space
            >> dp.t.then_count_by_categories(categories=cells, null_category=False, TOA="i64")
            >> dp.m.then_laplace(scale)
        )

    def run() -> tuple[Any, str, tuple[float, ...], tuple[float, ...]]:
        measurement, scale = _calibrate(build, 1.0, eps)
        return [int(v) for v in measurement(keys)], _DISCRETE, (scale,), (1.0,)

    release = _release(budget, key, eps, name, run, "table", parameters)
    out = pd.DataFrame(list(itertools.product(*levels)), columns=dims)
    out["n"] = pd.array(release.value, dtype="Int64")
    out.attrs["dp"] = {
        "epsilon": release.epsilon,
        "mechanism": release.mechanism,
        "scale": release.scale[0],
        "composition": "parallel: each person in one cell",
    }
    return out


def _cell_keys(frame: pd.DataFrame, dims: list[str], levels: list[list[str]]) -> list[str]:
    """Each row's cell as the text of its position in the grid ("" if outside it)."""
    flat = np.zeros(len(frame), dtype=np.int64)
    inside = np.ones(len(frame), dtype=bool)
    for dim, level in zip(dims, levels, strict=True):
        codes, uniques = pd.factorize(frame[dim], use_na_sentinel=False)
        where = {label: i for i, label in enumerate(level)}
        position = np.array([where.get(_label(u), -1) for u in uniques], dtype=np.int64)
        at = position[codes] if len(codes) else np.zeros(0, dtype=np.int64)
        inside &= at >= 0
        flat = flat * len(level) + np.maximum(at, 0)
    keys: list[str] = np.where(inside, flat.astype(str), "").tolist()
    return keys


def _check_bounds(bounds: Any) -> tuple[float, float]:
    try:
        lower, upper = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise LerkitError(
            f"bounds must be two numbers (lower, upper), not {bounds!r}", code="invalid_bounds"
        ) from None
    if not (math.isfinite(lower) and math.isfinite(upper)) or lower >= upper:
        raise LerkitError(
            f"bounds must be finite with lower < upper, not {bounds!r}", code="invalid_bounds"
        )
    return lower, upper
