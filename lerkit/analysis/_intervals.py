"""Confidence intervals on aggregated counts (vectorized with numpy).

- :func:`wilson`: the Wilson score interval for a proportion k / n (Wilson 1927); it
  stays inside [0, 1] and behaves at k = 0 and k = n, where the Wald interval collapses.
- :func:`newcombe`: Newcombe's hybrid score interval for a difference of two independent
  proportions p1 - p2 (Newcombe 1998, method 10), built from the two Wilson intervals.
- :func:`wald_difference`: the plain Wald interval for the same difference (for
  comparison; it undercovers with small counts or extreme rates).
- :func:`t_interval`: Student's t interval for a mean from its sd and n.

Cells with n = 0 get NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats  # type: ignore[import-untyped, unused-ignore]

from lerkit.errors import LerkitError

__all__ = ["newcombe", "t_interval", "wald_difference", "wilson", "z_value"]

Floats = NDArray[np.float64]


def z_value(confidence: float) -> float:
    """The two-sided standard normal quantile for a confidence level (1.96 for 0.95)."""
    if not 0.0 < confidence < 1.0:
        raise LerkitError(
            f"confidence must be between 0 and 1 (exclusive), not {confidence!r}",
            code="invalid_argument",
        )
    return float(stats.norm.ppf(0.5 + confidence / 2.0))


def _floats(value: ArrayLike) -> Floats:
    return np.asarray(value, dtype=np.float64)


def wilson(k: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> tuple[Floats, Floats]:
    """Wilson score interval for k successes out of n (arrays broadcast).

    Parameters
    ----------
    k, n : array-like
        Successes and trials; n = 0 gives NaN.
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    (low, high) : tuple of numpy arrays

    Examples
    --------
    >>> low, high = wilson([0, 5], [10, 10])
    >>> [round(float(x), 4) for x in low], [round(float(x), 4) for x in high]
    ([0.0, 0.2366], [0.2775, 0.7634])
    """
    z = z_value(confidence)
    k_, n_ = np.broadcast_arrays(_floats(k), _floats(n))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n_ > 0, k_ / n_, np.nan)
        denom = 1.0 + z * z / n_
        centre = (p + z * z / (2.0 * n_)) / denom
        half = z * np.sqrt(p * (1.0 - p) / n_ + z * z / (4.0 * n_ * n_)) / denom
    low = np.where(n_ > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(n_ > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    # exact bounds at the edges (rounding can leave 1e-17 instead of 0)
    low = np.where(k_ == 0, 0.0, low)
    high = np.where((k_ == n_) & (n_ > 0), 1.0, high)
    low = np.where(n_ > 0, low, np.nan)
    return low, high


def newcombe(
    k1: ArrayLike,
    n1: ArrayLike,
    k2: ArrayLike,
    n2: ArrayLike,
    confidence: float = 0.95,
) -> tuple[Floats, Floats, Floats]:
    """Newcombe's hybrid score interval for p1 - p2 (two independent proportions).

    Returns
    -------
    (difference, low, high) : tuple of numpy arrays

    Examples
    --------
    >>> d, low, high = newcombe(56, 70, 48, 80)
    >>> round(float(d), 4), round(float(low), 4), round(float(high), 4)
    (0.2, 0.0524, 0.3339)
    """
    a1, b1, a2, b2 = np.broadcast_arrays(_floats(k1), _floats(n1), _floats(k2), _floats(n2))
    l1, u1 = wilson(a1, b1, confidence)
    l2, u2 = wilson(a2, b2, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1 = np.where(b1 > 0, a1 / b1, np.nan)
        p2 = np.where(b2 > 0, a2 / b2, np.nan)
    d = p1 - p2
    low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, low, high


def wald_difference(
    k1: ArrayLike,
    n1: ArrayLike,
    k2: ArrayLike,
    n2: ArrayLike,
    confidence: float = 0.95,
) -> tuple[Floats, Floats, Floats]:
    """Wald interval for p1 - p2: d ± z·sqrt(p1(1-p1)/n1 + p2(1-p2)/n2)."""
    z = z_value(confidence)
    a1, b1, a2, b2 = np.broadcast_arrays(_floats(k1), _floats(n1), _floats(k2), _floats(n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        p1 = np.where(b1 > 0, a1 / b1, np.nan)
        p2 = np.where(b2 > 0, a2 / b2, np.nan)
        se = np.sqrt(p1 * (1 - p1) / b1 + p2 * (1 - p2) / b2)
    d = p1 - p2
    return d, d - z * se, d + z * se


def t_interval(
    mean: ArrayLike, sd: ArrayLike, n: ArrayLike, confidence: float = 0.95
) -> tuple[Floats, Floats]:
    """Student's t interval for a mean: mean ± t(n-1)·sd/sqrt(n) (NaN when n < 2)."""
    z_value(confidence)  # validates
    m, s, size = np.broadcast_arrays(_floats(mean), _floats(sd), _floats(n))
    ok = size >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        df: Any = np.where(ok, size - 1.0, np.nan)
        t = stats.t.ppf(0.5 + confidence / 2.0, df)
        half = t * s / np.sqrt(size)
    low = np.where(ok, m - half, np.nan)
    high = np.where(ok, m + half, np.nan)
    return low, high
