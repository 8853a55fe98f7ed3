"""k-anonymity with distinct l-diversity by an optimal full-domain lattice search.

Full-domain generalization (ARX, Flash, OLA): every quasi-identifier is generalized to
one level of its hierarchy for all records; a *node* of the lattice is one level per
quasi-identifier. A node is *valid* when, after suppressing the records of every
equivalence class smaller than ``k`` or with fewer than ``l`` distinct values of a
sensitive attribute, at most ``max_suppression`` of the records are suppressed.

The search is a best-first branch and bound with predictive tagging:

- validity is monotone (generalizing merges classes, and a merged class is at least as
  large and as diverse as its parts), so once a node is found invalid every node below
  it is tagged invalid without being evaluated;
- the loss (normalized certainty penalty, suppressed records counting as fully
  generalized) is bounded below by the loss the node would have with no suppression,
  which needs no grouping; nodes are visited in order of that bound and the search
  stops when the bound reaches the best loss found, so the result is the node of least
  loss among all valid nodes (a brute-force test checks this).

``algorithm="mondrian"`` instead partitions the records (Mondrian, LeFevre et al.
2006): median (or half-of-the-values) cuts, the one leaving the least loss among the
widest dimensions, no suppression; each class then publishes its own ranges.

Evaluation is vectorized: the records are first collapsed to their distinct
combinations of quasi-identifier and sensitive codes (with counts), and each node is a
few ``numpy.take`` / ``bincount`` calls on that small table.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from lerkit.anonymize._hierarchy import Hierarchy, build_hierarchy
from lerkit.errors import PrivacyError

__all__ = ["ALGORITHM", "Anonymization", "InfoLoss", "NodeResult", "k_anonymize"]

#: The name provenance records for the search.
ALGORITHM = "full-domain lattice search, best-first branch and bound with predictive tagging"
#: The name provenance records for Mondrian.
MONDRIAN = "Mondrian multidimensional partitioning (strict, median splits)"

_DENSE_LIMIT = 1 << 25
_GREEDY = 3


@dataclass(frozen=True)
class InfoLoss:
    """How much a release lost, by three standard measures.

    Attributes
    ----------
    ncp : float
        Normalized certainty penalty (Xu et al. 2006) averaged over records and
        quasi-identifiers, 0 (nothing lost) to 1 (everything generalized away);
        suppressed records count 1.
    ncp_by_column : dict
        The same per quasi-identifier.
    generalization_intensity : float
        Mean of level / hierarchy height over the quasi-identifiers (ARX).
    discernibility : float
        Sum over equivalence classes of size squared, plus n for each suppressed record
        (Bayardo and Agrawal 2005); lower is better.
    suppressed : int
        Records suppressed.
    n : int
        Records in the input.
    """

    ncp: float
    ncp_by_column: dict[str, float]
    generalization_intensity: float
    discernibility: float
    suppressed: int
    n: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "ncp": self.ncp,
            "ncp_by_column": dict(self.ncp_by_column),
            "generalization_intensity": self.generalization_intensity,
            "discernibility": self.discernibility,
            "discernibility_normalized": self.discernibility / float(self.n) ** 2
            if self.n
            else 0.0,
            "suppressed": self.suppressed,
            "suppressed_share": self.suppressed / self.n if self.n else 0.0,
            "n": self.n,
        }


@dataclass(frozen=True)
class NodeResult:
    """One lattice node, evaluated."""

    levels: tuple[int, ...]
    valid: bool
    suppressed: int
    loss: float
    discernibility: float


@dataclass(frozen=True)
class Anonymization:
    """The result of :func:`k_anonymize`.

    Attributes
    ----------
    data : pandas.DataFrame
        The released records: suppressed rows removed, every quasi-identifier replaced
        by its group label at the chosen level (the index is the input's).
    suppressed : numpy.ndarray of bool
        Which input rows were suppressed.
    quasi, sensitive : tuple of str
    k, l : int
        What was asked.
    achieved_k, achieved_l : int
        The smallest class size and distinct-sensitive count in ``data``.
    levels : dict
        ``{column: (level, step name)}`` chosen.
    hierarchies : dict
        ``{column: Hierarchy}``.
    info_loss : InfoLoss
    search : dict
        Nodes in the lattice, evaluated, tagged invalid without evaluation, left by the
        bound; seconds spent.
    evaluated : tuple of NodeResult
        Every node the search evaluated, in order.
    """

    data: pd.DataFrame
    suppressed: npt.NDArray[np.bool_]
    quasi: tuple[str, ...]
    sensitive: tuple[str, ...]
    k: int
    l: int  # noqa: E741  # the standard name
    max_suppression: float
    achieved_k: int
    achieved_l: int
    levels: dict[str, tuple[int, str]]
    hierarchies: dict[str, Hierarchy]
    info_loss: InfoLoss
    search: dict[str, Any] = field(default_factory=dict)
    evaluated: tuple[NodeResult, ...] = ()
    #: one row per released class: ``count`` and, per quasi-identifier, the width of
    #: its published interval (ordered columns, in value units; dates in days) or the
    #: number of categories in its published set
    class_table: pd.DataFrame | None = None
    algorithm: str = "lattice"
    #: t-closeness asked (None: not asked) and the largest distance of a released
    #: class's sensitive distribution from the whole table's (equal ground distance)
    t: float | None = None
    achieved_t: float | None = None

    def generalize(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Apply the chosen levels to another frame's quasi-identifiers (labels).

        Full-domain results only: Mondrian's classes have no levels to apply.
        """
        if self.algorithm != "lattice":
            raise PrivacyError(
                "a Mondrian result cannot generalize other data: its classes are local",
                code="invalid_argument",
            )
        out = frame.copy()
        for column in self.quasi:
            out[column] = self.hierarchies[column].generalize(frame[column], self.levels[column][0])
        return out

    def provenance(self) -> dict[str, Any]:
        """What was done, JSON-ready (no data)."""
        return {
            "algorithm": ALGORITHM if self.algorithm == "lattice" else MONDRIAN,
            "k": self.k,
            "l": self.l,
            "l_diversity": "distinct",
            "max_suppression": self.max_suppression,
            "quasi_identifiers": list(self.quasi),
            "sensitive": list(self.sensitive),
            "achieved_k": self.achieved_k,
            "achieved_l": self.achieved_l,
            "t": self.t,
            "achieved_t": self.achieved_t,
            "levels": {
                column: {
                    "level": level,
                    "step": step,
                    "hierarchy": list(self.hierarchies[column].steps),
                }
                for column, (level, step) in self.levels.items()
            },
            "suppressed": int(self.suppressed.sum()),
            "search": dict(self.search),
        }


class _Lattice:
    """The records collapsed to distinct code combinations, and node evaluation."""

    def __init__(
        self,
        hierarchies: Sequence[Hierarchy],
        codes: Sequence[npt.NDArray[np.int64]],
        sensitive: Sequence[npt.NDArray[np.int64]],
        sensitive_sizes: Sequence[int],
        k: int,
        l: int,  # noqa: E741
        limit: int,
        t: float | None = None,
    ) -> None:
        self.hierarchies = list(hierarchies)
        self.k, self.l, self.limit, self.t = k, l, limit, t
        self.sensitive_sizes = list(sensitive_sizes)
        columns = [*codes, *sensitive]
        sizes = [len(h.domain) for h in hierarchies] + list(sensitive_sizes)
        self.n = len(columns[0]) if columns else 0
        if math.prod(sizes) < (1 << 62):
            key = _mixed_radix(columns, sizes)
            unique, self.row_group, weights = np.unique(
                key, return_inverse=True, return_counts=True
            )
            decoded = _decode(unique, sizes)
        else:
            stacked = np.stack(columns, axis=1)
            rows, self.row_group, weights = np.unique(
                stacked, axis=0, return_inverse=True, return_counts=True
            )
            decoded = [rows[:, i] for i in range(rows.shape[1])]
        self.row_group = self.row_group.reshape(-1)
        self.weights = weights.astype(np.float64)
        q = len(hierarchies)
        self.codes = decoded[:q]
        self.sensitive = decoded[q:]
        # each sensitive attribute's distribution over the whole table (t-closeness)
        self.overall = [
            np.bincount(v, weights=self.weights, minlength=ns) / self.n
            for v, ns in zip(self.sensitive, self.sensitive_sizes, strict=True)
        ]
        # mean NCP per column and level with no suppression: the search's lower bound
        self.mean_ncp = [
            [
                float(np.dot(self.weights, h.ncp[lv][h.codes[lv][c]])) / self.n
                for lv in range(h.height + 1)
            ]
            for h, c in zip(self.hierarchies, self.codes, strict=True)
        ]

    def bound(self, node: tuple[int, ...]) -> float:
        q = len(node)
        return sum(self.mean_ncp[i][lv] for i, lv in enumerate(node)) / q if q else 0.0

    def classes(self, node: tuple[int, ...]) -> tuple[npt.NDArray[np.int64], int]:
        """Class id of each distinct row at ``node``, and the number of classes."""
        group = [
            h.codes[lv][c] for h, lv, c in zip(self.hierarchies, node, self.codes, strict=True)
        ]
        sizes = [len(h.labels[lv]) for h, lv in zip(self.hierarchies, node, strict=True)]
        key = _mixed_radix(group, sizes) if group else np.zeros(len(self.weights), np.int64)
        total = math.prod(sizes)
        # a dense table of all combinations only when it is not much larger than the data
        if total <= max(4 * len(key), 1 << 16):
            present = np.zeros(total, dtype=np.int32)
            present[key] = 1
            dense = np.cumsum(present, dtype=np.int32) - 1
            return dense[key].astype(np.int64), int(dense[-1]) + 1
        unique, inverse = np.unique(key, return_inverse=True)
        return inverse.reshape(-1).astype(np.int64), len(unique)

    def bad_classes(self, cls: npt.NDArray[np.int64], n_classes: int) -> npt.NDArray[np.bool_]:
        size = np.bincount(cls, weights=self.weights, minlength=n_classes)
        bad = size < self.k
        if self.l > 1:
            for values, n_values in zip(self.sensitive, self.sensitive_sizes, strict=True):
                pair = cls * n_values + values
                if n_classes * n_values <= _DENSE_LIMIT:
                    seen = np.zeros(n_classes * n_values, dtype=np.bool_)
                    seen[pair] = True
                    distinct = seen.reshape(n_classes, n_values).sum(axis=1)
                else:
                    distinct = np.bincount(np.unique(pair) // n_values, minlength=n_classes)
                bad |= distinct < self.l
        if self.t is not None:
            bad |= self.distances(cls, n_classes) > self.t + 1e-12
        return np.asarray(bad, dtype=np.bool_)

    def distances(
        self,
        cls: npt.NDArray[np.int64],
        n_classes: int,
        index: npt.NDArray[np.int64] | None = None,
    ) -> npt.NDArray[np.float64]:
        """Largest distance (equal ground distance: half the L1) of each class's
        sensitive distribution from the whole table's, over the sensitive attributes.

        ``cls`` gives the class of each distinct row (of ``index``'s rows if given).
        """
        worst = np.zeros(n_classes)
        weights = self.weights if index is None else self.weights[index]
        for values, n_values, overall in zip(
            self.sensitive, self.sensitive_sizes, self.overall, strict=True
        ):
            if index is not None:
                values = values[index]
            counts = np.bincount(
                cls * n_values + values, weights=weights, minlength=n_classes * n_values
            ).reshape(n_classes, n_values)
            size = np.maximum(counts.sum(axis=1, keepdims=True), 1e-300)
            worst = np.maximum(worst, 0.5 * np.abs(counts / size - overall).sum(axis=1))
        return worst

    def evaluate(self, node: tuple[int, ...]) -> tuple[NodeResult, npt.NDArray[np.bool_]]:
        cls, n_classes = self.classes(node)
        bad = self.bad_classes(cls, n_classes)
        dropped = bad[cls]
        suppressed = round(float(self.weights[dropped].sum()))
        kept_weight = np.where(dropped, 0.0, self.weights)
        q = len(node)
        ncp = np.zeros(len(self.weights))
        for h, lv, c in zip(self.hierarchies, node, self.codes, strict=True):
            ncp += h.ncp[lv][h.codes[lv][c]]
        penalty = float(np.dot(kept_weight, ncp))
        loss = (penalty + suppressed * q) / (self.n * q) if q and self.n else 0.0
        size = np.bincount(cls, weights=kept_weight, minlength=n_classes)
        discern = float(np.dot(size, size)) + float(suppressed) * self.n
        valid = suppressed <= self.limit and suppressed < self.n
        return NodeResult(node, valid, suppressed, loss, discern), dropped

    def achieved(self, node: tuple[int, ...], dropped: npt.NDArray[np.bool_]) -> tuple[int, int]:
        """Smallest class size and distinct-sensitive count among the kept classes."""
        cls, n_classes = self.classes(node)
        kept = ~dropped
        if not kept.any():
            return 0, 0
        size = np.bincount(cls[kept], weights=self.weights[kept], minlength=n_classes)
        used = size > 0
        achieved_k = int(size[used].min())
        achieved_l = 0
        for index, (values, n_values) in enumerate(
            zip(self.sensitive, self.sensitive_sizes, strict=True)
        ):
            pair = np.unique(cls[kept] * n_values + values[kept])
            distinct = np.bincount(pair // n_values, minlength=n_classes)[used]
            achieved_l = int(distinct.min()) if index == 0 else min(achieved_l, int(distinct.min()))
        return achieved_k, achieved_l


def _mixed_radix(
    columns: Sequence[npt.NDArray[np.int64]], sizes: Sequence[int]
) -> npt.NDArray[np.int64]:
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column, size in zip(columns, sizes, strict=True):
        key *= max(size, 1)
        key += column
    return key


def _decode(key: npt.NDArray[np.int64], sizes: Sequence[int]) -> list[npt.NDArray[np.int64]]:
    out: list[npt.NDArray[np.int64]] = []
    rest = key.copy()
    for size in reversed(sizes):
        out.append(rest % max(size, 1))
        rest //= max(size, 1)
    return out[::-1]


def check_arguments(
    data: pd.DataFrame,
    quasi: Sequence[str],
    sensitive: Sequence[str],
    k: int,
    l: int,  # noqa: E741
    max_suppression: float,
    table: str = "the table",
) -> None:
    """The bad-input checks of :func:`k_anonymize` (shared with the dataset writer)."""
    if len(data) == 0:
        raise PrivacyError(f"{table} is empty: there is nothing to anonymize", code="empty_table")
    if not quasi:
        raise PrivacyError("no quasi-identifiers given", code="no_quasi_identifiers")
    for column in quasi:
        if column not in data.columns:
            raise PrivacyError(
                f"quasi-identifier {column!r} is not a column of {table}; columns: "
                + ", ".join(map(str, data.columns)),
                code="unknown_quasi_identifier",
            )
    for column in sensitive:
        if column not in data.columns:
            raise PrivacyError(
                f"sensitive attribute {column!r} is not a column of {table}; columns: "
                + ", ".join(map(str, data.columns)),
                code="unknown_sensitive_attribute",
            )
        if column in quasi:
            raise PrivacyError(
                f"{column!r} is given both as a quasi-identifier and as sensitive",
                code="invalid_argument",
            )
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise PrivacyError(f"k must be a positive integer, not {k!r}", code="invalid_argument")
    if isinstance(l, bool) or not isinstance(l, int) or l < 1:
        raise PrivacyError(f"l must be a positive integer, not {l!r}", code="invalid_argument")
    if not 0 <= max_suppression < 1:
        raise PrivacyError(
            f"max_suppression must be in [0, 1), not {max_suppression!r}",
            code="invalid_argument",
        )
    if k > len(data):
        raise PrivacyError(
            f"k = {k} is larger than {table} ({len(data)} records): no release can be "
            f"{k}-anonymous",
            code="k_too_large",
        )
    if l > 1 and not sensitive:
        raise PrivacyError(f"l = {l} needs a sensitive attribute", code="no_sensitive_attribute")


def k_anonymize(
    data: pd.DataFrame,
    quasi: Sequence[str],
    *,
    k: int,
    l: int = 1,  # noqa: E741
    sensitive: Sequence[str] = (),
    hierarchies: Mapping[str, Sequence[str] | Hierarchy] | None = None,
    max_suppression: float = 0.05,
    reference_year: int | None = None,
    algorithm: Literal["lattice", "mondrian"] = "lattice",
    t: float | None = None,
) -> Anonymization:
    """Make a table k-anonymous (and distinct l-diverse) with the least information loss.

    ``algorithm="lattice"`` (default) is full-domain generalization along the declared
    hierarchies, the node of least loss found by the optimal lattice search: every
    record of a column is generalized to the same level, so the released columns have
    a fixed, documented meaning. ``algorithm="mondrian"`` is Mondrian multidimensional
    partitioning (LeFevre et al. 2006; vectorized, on the distinct combinations): local
    recoding to the intervals and category sets of median splits, usually far less
    loss, but each class has its own ranges and no suppression is needed.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per person.
    quasi : sequence of str
        The quasi-identifiers to generalize.
    k : int
        Minimum equivalence class size.
    l : int
        Minimum number of distinct values of each sensitive attribute in every class.
    sensitive : sequence of str
        The sensitive attributes (required when ``l > 1``).
    hierarchies : mapping, optional
        ``{column: step names or Hierarchy}``; a quasi-identifier without one can only
        be kept or generalized to ``*``.
    max_suppression : float
        The largest share of records that may be suppressed (0 to <1).
    reference_year : int, optional
        For age-group steps (default: this year).
    algorithm : {"lattice", "mondrian"}
        Full-domain lattice search, or Mondrian partitioning.
    t : float, optional
        Also t-closeness: every class's distribution of each sensitive attribute within
        ``t`` of the whole table's (equal ground distance, i.e. half the L1 distance;
        monotone, so the lattice search stays exact).

    Returns
    -------
    Anonymization

    Raises
    ------
    PrivacyError
        ``empty_table``, ``unknown_quasi_identifier``, ``unknown_sensitive_attribute``,
        ``k_too_large``, ``invalid_argument``, ``no_sensitive_attribute``,
        ``unknown_hierarchy`` (and the other hierarchy codes), ``no_solution`` when no
        node meets k and l within the suppression budget.

    Examples
    --------
    >>> frame = pd.DataFrame({"age": [21, 22, 23, 24, 35, 36, 37, 38],
    ...                       "disease": ["a", "b", "a", "b", "a", "b", "b", "a"]})
    >>> result = k_anonymize(frame, ["age"], k=4, l=2, sensitive=["disease"],
    ...                      hierarchies={"age": ["10-year band"]}, max_suppression=0)
    >>> sorted(set(result.data["age"]))
    ['20-29', '30-39']
    >>> result.achieved_k, result.achieved_l
    (4, 2)
    """
    started = time.perf_counter()
    quasi = tuple(quasi)
    sensitive = tuple(sensitive)
    check_arguments(data, quasi, sensitive, k, l, max_suppression)
    if t is not None and not (0 < t <= 1 and sensitive):
        raise PrivacyError(
            f"t must be in (0, 1] and needs a sensitive attribute, not {t!r}",
            code="invalid_argument",
        )
    given = dict(hierarchies or {})
    built: dict[str, Hierarchy] = {}
    for column in quasi:
        spec = given.get(column, ())
        built[column] = (
            spec
            if isinstance(spec, Hierarchy)
            else build_hierarchy(
                data[column], list(spec), column=column, reference_year=reference_year
            )
        )
    hs = [built[c] for c in quasi]
    codes = [h.value_codes(data[c]) for h, c in zip(hs, quasi, strict=True)]
    sens_codes: list[npt.NDArray[np.int64]] = []
    sens_sizes: list[int] = []
    for column in sensitive:
        values = data[column].astype(object).where(data[column].notna(), None)
        factor, uniques = pd.factorize(values, use_na_sentinel=False)
        sens_codes.append(factor.astype(np.int64))
        sens_sizes.append(max(len(uniques), 1))
        if len(uniques) < l:
            raise PrivacyError(
                f"sensitive attribute {column!r} has only {len(uniques)} distinct value(s) "
                f"in the whole table: l = {l} cannot be met",
                code="no_solution",
            )
    n = len(data)
    limit = math.floor(max_suppression * n + 1e-9)
    lattice = _Lattice(hs, codes, sens_codes, sens_sizes, k, l, limit, t)
    if algorithm == "mondrian":
        return _mondrian(data, quasi, sensitive, k, l, max_suppression, built, lattice, started)
    if algorithm != "lattice":
        raise PrivacyError(
            f"unknown algorithm {algorithm!r}; expected lattice or mondrian",
            code="invalid_argument",
        )
    nodes = list(itertools.product(*(range(h.height + 1) for h in hs)))
    top = tuple(h.height for h in hs)
    top_result, _ = lattice.evaluate(top)
    evaluated = [top_result]
    if not top_result.valid:
        raise PrivacyError(
            f"no generalization meets k = {k}, l = {l} with at most "
            f"{max_suppression:.1%} of {n} records suppressed, not even the most general "
            f"({top_result.suppressed} would be suppressed)",
            code="no_solution",
        )
    best = top_result
    bounds = {node: lattice.bound(node) for node in nodes}
    order = sorted(nodes, key=lambda node: (bounds[node], sum(node), node))
    invalid: list[tuple[int, ...]] = []
    tagged = 0
    left_by_bound = 0
    for position, node in enumerate(order):
        if bounds[node] >= best.loss:
            left_by_bound = len(order) - position
            break
        if node == top:
            continue
        if any(all(a <= b for a, b in zip(node, bad, strict=True)) for bad in invalid):
            tagged += 1  # below an invalid node: invalid too (monotonicity)
            continue
        result, _ = lattice.evaluate(node)
        evaluated.append(result)
        if not result.valid:
            invalid = [b for b in invalid if not all(x <= y for x, y in zip(b, node, strict=True))]
            invalid.append(node)
        elif (result.loss, result.discernibility, sum(node)) < (
            best.loss,
            best.discernibility,
            sum(best.levels),
        ):
            best = result
    _final, dropped_groups = lattice.evaluate(best.levels)
    suppressed = dropped_groups[lattice.row_group]
    levels = {
        column: (level, h.steps[level])
        for column, level, h in zip(quasi, best.levels, hs, strict=True)
    }
    kept = ~suppressed
    # the untouched columns are taken once; the quasi-identifiers come from the labels
    released = data.drop(columns=list(quasi)).loc[kept]
    for column, h in zip(quasi, hs, strict=True):
        level = levels[column][0]
        groups = h.codes[level][codes[quasi.index(column)][kept]]
        released[column] = pd.Series(h.labels[level][groups], index=released.index, dtype=object)
    released = released[list(data.columns)]
    achieved_k, achieved_l = lattice.achieved(best.levels, dropped_groups)
    by_column = {}
    for column, h, level, c in zip(quasi, hs, best.levels, codes, strict=True):
        penalty = float(h.ncp[level][h.codes[level][c[kept]]].sum()) + float(suppressed.sum())
        by_column[column] = penalty / n
    info = InfoLoss(
        ncp=best.loss,
        ncp_by_column=by_column,
        generalization_intensity=float(
            np.mean(
                [lv / h.height if h.height else 0.0 for lv, h in zip(best.levels, hs, strict=True)]
            )
        ),
        discernibility=best.discernibility,
        suppressed=int(suppressed.sum()),
        n=n,
    )
    search = {
        "lattice_nodes": len(nodes),
        "evaluated": len(evaluated),
        "tagged_invalid": tagged,
        "left_by_bound": left_by_bound,
        "distinct_combinations": len(lattice.weights),
        "seconds": round(time.perf_counter() - started, 4),
    }
    class_table = _lattice_classes(hs, best.levels, [c[kept] for c in codes])
    achieved_t = None
    if t is not None:
        cls, n_classes = lattice.classes(best.levels)
        keep = np.flatnonzero(~dropped_groups)
        achieved_t = float(lattice.distances(cls[keep], n_classes, keep).max())
    return Anonymization(
        t=t,
        achieved_t=achieved_t,
        class_table=class_table,
        data=released,
        suppressed=np.asarray(suppressed, dtype=np.bool_),
        quasi=quasi,
        sensitive=sensitive,
        k=k,
        l=l,
        max_suppression=max_suppression,
        achieved_k=achieved_k,
        achieved_l=achieved_l,
        levels=levels,
        hierarchies=built,
        info_loss=info,
        search=search,
        evaluated=tuple(evaluated),
    )


def _widths(h: Hierarchy, level: int) -> npt.NDArray[np.float64]:
    """Published width (ordered) or category count of each group at ``level``."""
    if h.lo is not None and h.hi is not None:
        low, high = np.nanmin(h.lo[0]), np.nanmax(h.hi[0])
        width = np.clip(h.hi[level], low, high) - np.clip(h.lo[level], low, high)
        return np.asarray(np.nan_to_num(width), dtype=np.float64)
    present = len(h.domain.dropna())
    counts = np.bincount(h.codes[level][:present], minlength=len(h.labels[level]))
    return np.asarray(np.maximum(counts, 1), dtype=np.float64)


def _lattice_classes(
    hs: Sequence[Hierarchy], node: tuple[int, ...], codes: Sequence[npt.NDArray[np.int64]]
) -> pd.DataFrame:
    groups = pd.DataFrame(
        {h.column: h.codes[lv][c] for h, lv, c in zip(hs, node, codes, strict=True)}
    )
    table = groups.value_counts().rename("count").reset_index()
    for h, lv in zip(hs, node, strict=True):
        table[h.column] = _widths(h, lv)[table[h.column].to_numpy()]
    return table


def _off_median(
    index: npt.NDArray[np.int64],
    scores: Sequence[tuple[float, int, int, int]],
    ranks: Sequence[npt.NDArray[np.int64]],
    weights: npt.NDArray[np.float64],
    k: int,
    diverse: Any,
    penalty: Any,
) -> tuple[float, npt.NDArray[np.int64], npt.NDArray[np.int64]] | None:
    """A valid cut other than the median (anonypy stops where the median fails)."""
    best: tuple[float, npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None
    for _width, dim, lo, _hi in scores:
        r = ranks[dim][index] - lo
        cum = np.cumsum(np.bincount(r, weights=weights[index]))
        total = cum[-1]
        valid = np.flatnonzero((cum >= k) & (total - cum >= k))
        if not len(valid):
            continue
        # the valid cuts nearest the middle, from both sides
        middle = np.argsort(np.abs(cum[valid] - total / 2), kind="stable")[:2]
        for cut in valid[middle]:
            left = r <= cut
            a, b = index[left], index[~left]
            if diverse(a) and diverse(b):
                cost = penalty(a) + penalty(b)
                if best is None or cost < best[0]:
                    best = (cost, a, b)
    return best


def _mondrian(
    data: pd.DataFrame,
    quasi: tuple[str, ...],
    sensitive: tuple[str, ...],
    k: int,
    l: int,  # noqa: E741
    max_suppression: float,
    built: dict[str, Hierarchy],
    lattice: _Lattice,
    started: float,
) -> Anonymization:
    hs = [built[c] for c in quasi]
    n = lattice.n
    weights = lattice.weights
    # order each column's values so that splits keep hierarchy groups together
    ranks: list[npt.NDArray[np.int64]] = []
    rank_to_domain: list[npt.NDArray[np.int64]] = []
    values: list[npt.NDArray[np.float64]] = []
    spans: list[float] = []
    for h, c in zip(hs, lattice.codes, strict=True):
        size = len(h.domain)
        if h.lo is not None:
            order = np.arange(size)
            base = np.nan_to_num(h.lo[0], nan=np.nanmax(h.lo[0]) if size else 0.0)
            span = float(np.nanmax(h.lo[0]) - np.nanmin(h.lo[0])) if size else 0.0
        else:
            keys = [h.codes[lv][:size] for lv in range(h.height - 1, 0, -1)]
            order = np.lexsort([np.arange(size), *keys[::-1]]) if keys else np.arange(size)
            base = np.zeros(size)
            span = float(max(len(h.domain.dropna()) - 1, 0))
        rank = np.empty(size, dtype=np.int64)
        rank[order] = np.arange(size)
        ranks.append(rank[c])
        rank_to_domain.append(order.astype(np.int64))
        values.append(base[order])
        spans.append(span)
    ordered = [h.lo is not None for h in hs]
    n_sens = lattice.sensitive_sizes

    def diverse(index: npt.NDArray[np.int64]) -> bool:
        if l > 1 and not all(
            np.count_nonzero(np.bincount(sv[index], minlength=ns)) >= l
            for sv, ns in zip(lattice.sensitive, n_sens, strict=True)
        ):
            return False
        if lattice.t is None:
            return True
        one = np.zeros(len(index), dtype=np.int64)
        return bool(lattice.distances(one, 1, index)[0] <= lattice.t + 1e-12)

    def penalty(index: npt.NDArray[np.int64]) -> float:
        """Weight times the summed NCP of the class these rows would form."""
        total = 0.0
        for dim, rank in enumerate(ranks):
            r = rank[index]
            lo, hi = int(r.min()), int(r.max())
            if lo == hi or not spans[dim]:
                continue
            if ordered[dim]:
                total += (values[dim][hi] - values[dim][lo]) / spans[dim]
            else:
                total += (np.count_nonzero(np.bincount(r - lo)) - 1) / spans[dim]
        return total * float(weights[index].sum())

    stack = [np.arange(len(weights), dtype=np.int64)]
    finals: list[npt.NDArray[np.int64]] = []
    while stack:
        index = stack.pop()
        if float(weights[index].sum()) < 2 * k:  # no split can leave k on both sides
            finals.append(index)
            continue
        scores = []
        for dim, rank in enumerate(ranks):
            r = rank[index]
            lo, hi = int(r.min()), int(r.max())
            if lo == hi:
                continue
            if ordered[dim]:
                width = (values[dim][hi] - values[dim][lo]) / spans[dim] if spans[dim] else 0.0
            else:
                width = len(np.unique(r)) / (spans[dim] + 1)
            scores.append((width, dim, lo, hi))
        # of the valid median splits, keep the one leaving the least loss (greedy)
        best_split: tuple[float, npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None
        found = 0
        for _width, dim, lo, _hi in sorted(scores, reverse=True):
            if found == _GREEDY:
                break
            r = ranks[dim][index] - lo
            cum = np.cumsum(np.bincount(r, weights=weights[index]))
            total = cum[-1]
            cuts = [int(np.searchsorted(cum, total / 2))]  # the weighted median
            # also half of the distinct values present on each side
            present = np.flatnonzero(np.diff(cum, prepend=0.0) > 0)
            cuts.append(int(present[len(present) // 2 - 1]))
            counted = False
            for cut in dict.fromkeys(cuts):
                if cum[cut] >= total:  # everything at or below the median: one lower
                    below = np.flatnonzero(cum < total)
                    if not len(below):
                        continue
                    cut = int(below[-1])
                if cum[cut] < k or total - cum[cut] < k:
                    continue
                left = r <= cut
                a, b = index[left], index[~left]
                if diverse(a) and diverse(b):
                    if not counted:
                        found += 1
                        counted = True
                    cost = penalty(a) + penalty(b)
                    if best_split is None or cost < best_split[0]:
                        best_split = (cost, a, b)
        if best_split is None:
            # no median split is valid: try the most balanced valid cut off the median
            best_split = _off_median(index, scores, ranks, weights, k, diverse, penalty)
        if best_split is None:
            finals.append(index)
        else:
            stack.append(best_split[1])
            stack.append(best_split[2])
    # published values: each class's interval or category set, per quasi-identifier
    group = np.empty(len(weights), dtype=np.int64)
    for number, index in enumerate(finals):
        group[index] = number
    table: dict[str, Any] = {
        "count": np.array([weights[i].sum() for i in finals]).round().astype(np.int64)
    }
    labels: dict[str, list[str]] = {}
    total_penalty = 0.0
    by_column: dict[str, float] = {}
    for dim, (h, rank) in enumerate(zip(hs, ranks, strict=True)):
        widths = np.empty(len(finals))
        names: list[str] = []
        domain_text = [str(v) for v in h.domain]
        for number, index in enumerate(finals):
            present = np.unique(rank[index])
            if ordered[dim]:
                lo, hi = present[0], present[-1]
                widths[number] = values[dim][hi] - values[dim][lo]
                a = domain_text[rank_to_domain[dim][lo]]
                b = domain_text[rank_to_domain[dim][hi]]
                names.append(a if lo == hi else f"{a}..{b}")
            else:
                widths[number] = len(present)
                names.append(",".join(domain_text[rank_to_domain[dim][p]] for p in present))
        table[h.column] = widths
        labels[h.column] = names
        if ordered[dim]:
            ncp = widths / spans[dim] if spans[dim] else np.zeros(len(finals))
        else:
            ncp = (widths - 1) / spans[dim] if spans[dim] else np.zeros(len(finals))
        by_column[h.column] = float(np.dot(table["count"], ncp)) / n
        total_penalty += by_column[h.column] * n
    q = len(hs)
    row_class = group[lattice.row_group]
    released = data.copy()
    for column in quasi:
        released[column] = pd.Series(
            np.asarray(labels[column], dtype=object)[row_class], index=data.index, dtype=object
        )
    counts = table["count"].astype(np.float64)
    achieved_k = int(counts.min())
    achieved_l = min(
        (
            min(int(np.count_nonzero(np.bincount(sv[i], minlength=ns))) for i in finals)
            for sv, ns in zip(lattice.sensitive, n_sens, strict=True)
        ),
        default=0,
    )
    info = InfoLoss(
        ncp=total_penalty / (n * q) if q else 0.0,
        ncp_by_column=by_column,
        generalization_intensity=float("nan"),
        discernibility=float(np.dot(counts, counts)),
        suppressed=0,
        n=n,
    )
    return Anonymization(
        data=released,
        suppressed=np.zeros(n, dtype=np.bool_),
        quasi=quasi,
        sensitive=sensitive,
        k=k,
        l=l,
        max_suppression=max_suppression,
        achieved_k=achieved_k,
        achieved_l=achieved_l,
        levels={c: (-1, "mondrian") for c in quasi},
        hierarchies=built,
        info_loss=info,
        search={
            "partitions": len(finals),
            "distinct_combinations": len(weights),
            "seconds": round(time.perf_counter() - started, 4),
        },
        class_table=pd.DataFrame(table),
        algorithm="mondrian",
        t=lattice.t,
        achieved_t=float(lattice.distances(group, len(finals)).max())
        if lattice.t is not None
        else None,
    )
