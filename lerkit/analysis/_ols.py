"""Ordinary least squares from cell sums, with robust and clustered standard errors.

When every regressor is constant within a *cell* (a combination of arm, phase and
categorical or integer covariates), the normal equations and the sandwich covariance
depend on the observations only through each cell's count, sum of ``y`` and sum of
``y**2`` and, for units seen in two phases, the sum of the products of their two ``y``
values. The engine computes those sums, so a million learners come back as a few
thousand cells and the fit is exact: the same coefficients and standard errors as
statsmodels on the observation-level rows (the tests hold them to 1e-9), without the
observation-level design matrix that would set the analysis's peak memory.

Written here because statsmodels fits need one row per observation (its ``WLS`` with
frequency weights gives the coefficients but not the cluster-robust covariance).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats  # type: ignore[import-untyped, unused-ignore]

from lerkit.errors import LerkitError

__all__ = ["CellSums", "OLSFit", "cell_ols"]

CovType = Literal["HC1", "HC3", "cluster"]


@dataclass(frozen=True)
class CellSums:
    """Sufficient statistics of a regression, per cell and phase.

    ``design[t, c]`` is the regressor row shared by the observations of cell ``c`` in
    phase ``t``; ``count[t, c]`` how many there are (0: none), ``total`` and ``squares``
    the sums of their ``y`` and ``y**2``. A *unit* (a learner) belongs to one cell and
    has one observation in each phase where its cell's count is positive: every unit of
    a cell is seen in the same phases. ``cross[t, u, c]`` is the sum over the cell's
    units of ``y_t * y_u`` (only needed when standard errors are clustered by unit).
    ``cluster[c]`` is the cell's cluster code when clusters are groups of units (e.g. a
    region); ``None`` clusters by unit.
    """

    design: np.ndarray
    count: np.ndarray
    total: np.ndarray
    squares: np.ndarray
    cross: np.ndarray | None = None
    cluster: np.ndarray | None = None

    def __post_init__(self) -> None:
        phases, cells, _k = self.design.shape
        for name in ("count", "total", "squares"):
            if getattr(self, name).shape != (phases, cells):
                raise LerkitError(f"cell sums: {name} must have shape {(phases, cells)}")
        if self.cross is not None and self.cross.shape != (phases, phases, cells):
            raise LerkitError(f"cell sums: cross must have shape {(phases, phases, cells)}")
        if self.cluster is not None and self.cluster.shape != (cells,):
            raise LerkitError(f"cell sums: cluster must have shape {(cells,)}")


@dataclass(frozen=True)
class OLSFit:
    """Coefficients and their covariance; inference on the normal distribution, as
    statsmodels does for robust covariances."""

    names: tuple[str, ...]
    params: np.ndarray
    cov: np.ndarray
    n_obs: int
    cov_type: str

    def _index(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            raise LerkitError(f"no coefficient {name!r} (have {list(self.names)})") from None

    def estimate(self, name: str) -> float:
        """The coefficient of ``name``."""
        return float(self.params[self._index(name)])

    def se(self, name: str) -> float:
        """Its standard error."""
        i = self._index(name)
        return float(np.sqrt(self.cov[i, i]))

    def conf_int(self, name: str, confidence: float = 0.95) -> tuple[float, float]:
        """Normal (Wald) interval at ``confidence``."""
        z = float(stats.norm.ppf(0.5 + confidence / 2))
        estimate, se = self.estimate(name), self.se(name)
        return estimate - z * se, estimate + z * se

    def p_value(self, name: str) -> float:
        """Two-sided p-value of the coefficient being zero."""
        return float(2 * stats.norm.sf(abs(self.estimate(name) / self.se(name))))


def cell_ols(cells: CellSums, names: Sequence[str], cov_type: CovType) -> OLSFit:
    """OLS of ``y`` on the cells' design rows, from their sums.

    ``cov_type``: ``"HC1"`` or ``"HC3"`` (heteroskedasticity-robust, each observation on
    its own) or ``"cluster"`` (CR1 with statsmodels' small-sample factor
    ``G/(G-1) * (N-1)/(N-K)``; by unit, or by ``cells.cluster``).

    Examples
    --------
    >>> x = np.array([[[1.0, 0.0], [1.0, 1.0]]])       # one phase, two cells
    >>> cells = CellSums(x, count=np.array([[2, 2]]), total=np.array([[2.0, 6.0]]),
    ...                  squares=np.array([[2.5, 18.5]]))  # y = 0.5, 1.5 | 2.5, 3.5
    >>> fit = cell_ols(cells, ["const", "x"], "HC1")
    >>> round(fit.estimate("x"), 6), round(fit.se("x"), 4)
    (2.0, 0.7071)
    """
    k = cells.design.shape[2]
    if len(names) != k:
        raise LerkitError(f"cell_ols: {len(names)} names for {k} design columns")
    present = cells.count > 0
    x = cells.design[present]
    w = cells.count[present].astype(float)
    s = cells.total[present]
    q = cells.squares[present]
    n_obs = int(w.sum())
    rank = int(np.linalg.matrix_rank(x)) if len(x) else 0
    if n_obs <= k or rank == 0:
        raise LerkitError(f"cell_ols: {n_obs} observations for {k} coefficients")
    xtx = x.T @ (w[:, None] * x)
    # pinv as statsmodels does: a collinear design gives the minimum-norm solution
    bread = np.linalg.pinv(xtx)
    params = bread @ (x.T @ s)
    fitted_all = cells.design @ params  # (T, C)
    if cov_type in ("HC1", "HC3"):
        fitted = fitted_all[present]
        sq_resid = q - 2 * fitted * s + w * fitted**2
        if cov_type == "HC3":
            leverage = np.einsum("ij,jk,ik->i", x, bread, x)
            sq_resid = sq_resid / (1 - leverage) ** 2
        meat = x.T @ (sq_resid[:, None] * x)
        cov = bread @ meat @ bread
        if cov_type == "HC1":
            cov = cov * n_obs / (n_obs - rank)
    elif cov_type == "cluster":
        meat, n_groups = _cluster_meat(cells, fitted_all)
        cov = bread @ meat @ bread
        cov = cov * (n_groups / (n_groups - 1)) * ((n_obs - 1) / (n_obs - k))
    else:
        raise LerkitError(f"cell_ols: unknown cov_type {cov_type!r}")
    return OLSFit(tuple(names), params, cov, n_obs, cov_type)


def _cluster_meat(cells: CellSums, fitted: np.ndarray) -> tuple[np.ndarray, int]:
    """Sum over clusters of the outer product of each cluster's score."""
    design, count = cells.design, cells.count.astype(float)
    phases, _cells, k = design.shape
    # a cell's summed score: sum over phases of x_t * (sum of y_t - count_t * fitted_t)
    resid_sum = cells.total - count * fitted  # (T, C)
    if cells.cluster is not None:
        scores = np.einsum("tck,tc->ck", design, resid_sum)
        codes, inverse = np.unique(cells.cluster, return_inverse=True)
        grouped = np.zeros((len(codes), k))
        np.add.at(grouped, inverse, scores)
        has_units = np.zeros(len(codes), dtype=bool)
        np.logical_or.at(has_units, inverse, count.max(axis=0) > 0)
        return grouped.T @ grouped, int(has_units.sum())
    if cells.cross is None and phases > 1:
        raise LerkitError("cell_ols: clustering by unit over several phases needs cross sums")
    units = count.max(axis=0)  # units per cell: each has one observation per present phase
    if np.any((count > 0) & (count != units)):
        raise LerkitError("cell_ols: the units of a cell must be seen in the same phases")
    meat = np.zeros((k, k))
    for t in range(phases):
        for u in range(phases):
            if t == u:
                e = cells.squares[t] - 2 * fitted[t] * cells.total[t] + count[t] * fitted[t] ** 2
            else:
                assert cells.cross is not None
                both = (count[t] > 0) & (count[u] > 0)
                e = np.where(
                    both,
                    cells.cross[t, u]
                    - fitted[u] * cells.total[t]
                    - fitted[t] * cells.total[u]
                    + units * fitted[t] * fitted[u],
                    0.0,
                )
            meat += design[t].T @ (e[:, None] * design[u])
    return meat, int(units.sum())
