"""Process efficiency: how long confirming a candidate's credentials takes, LER vs manual.

:func:`process_efficiency` compares ``applications.check_days`` (days from the request
to confirmed credentials) between applications checked through LER verification
(``credential_check == "ler"``) and manual checks (``"manual"``). Applications without a
check (``check_days`` missing) are left out.

Per check method (and per stratum of the other ``by`` columns):

- ``mean_check_days``: the mean, with Student's t interval;
- ``median_check_days``: the median, with the distribution-free **order-statistic**
  (binomial) interval: with ``l`` the ``(1 - confidence)/2`` quantile of
  Binomial(n, 1/2), the interval is ``[x_(l), x_(n-l+1)]`` of the sorted values
  (coverage at least ``confidence``; missing when ``l < 1``, i.e. n too small);

and between them:

- ``difference_in_means``: mean manual minus mean LER (days saved per check), with the
  Welch (unequal variances) t interval (:func:`scipy.stats.ttest_ind`), ``p_value`` its
  Welch test;
- ``hiring_days_saved``: that difference times the hires among LER-checked applications
  (``hires``): hiring-cycle days saved across those hires, interval scaled likewise.

Cells count applications; a comparison row is suppressed when either method has fewer
than ``min_cell`` applications.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats  # type: ignore[import-untyped, unused-ignore]

from lerkit.analysis._engine import EngineSource, as_engine
from lerkit.analysis._intervals import t_interval, z_value
from lerkit.analysis._result import finish
from lerkit.analysis._suppress import MIN_CELL
from lerkit.errors import LerkitError

__all__ = ["efficiency_table", "median_interval", "process_efficiency"]

_CHECK = "credential_check"
_LER, _MANUAL = "ler", "manual"
_DIFFERENCE = "manual - ler"


def median_interval(
    values: Sequence[float] | np.ndarray, confidence: float = 0.95
) -> tuple[float, float]:
    """Distribution-free order-statistic confidence interval for a median.

    ``[x_(l), x_(n-l+1)]`` (1-based order statistics) with ``l`` the
    ``(1 - confidence)/2`` quantile of Binomial(n, 1/2); its coverage is at least
    ``confidence``. ``(nan, nan)`` when ``l < 1`` (too few values).

    Examples
    --------
    >>> median_interval(range(1, 101))
    (40.0, 61.0)
    """
    z_value(confidence)  # validates
    x = np.sort(np.asarray(values, dtype=float))
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return float("nan"), float("nan")
    low = int(stats.binom.ppf((1.0 - confidence) / 2.0, n, 0.5))
    if low < 1:
        return float("nan"), float("nan")
    return float(x[low - 1]), float(x[n - low])


def efficiency_table(
    raw: pd.DataFrame, strata: Sequence[str], *, min_cell: int, confidence: float
) -> pd.DataFrame:
    """The statistics of :func:`process_efficiency` from its application rows.

    ``raw`` has ``credential_check``, ``check_days``, ``hired`` (bool) and the
    ``strata`` columns; returns the result's rows and columns, before :func:`finish`.
    """
    strata = list(strata)
    rows: list[dict[str, object]] = []
    groups = raw.groupby(strata, sort=True, dropna=False) if strata else [((), raw)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        label = dict(zip(strata, key, strict=True))
        arms: dict[str, np.ndarray] = {}
        hires: dict[str, int] = {}
        for check in (_LER, _MANUAL):
            sub = part[part[_CHECK] == check]
            x = sub["check_days"].to_numpy(dtype=float)
            arms[check], hires[check] = x, int(sub["hired"].sum())
            n = len(x)
            mean = float(x.mean()) if n else float("nan")
            sd = float(x.std(ddof=1)) if n >= 2 else float("nan")
            lo, hi = t_interval(mean, sd, n, confidence)
            base = {**label, _CHECK: check, "n": n, "hires": hires[check]}
            rows.append(
                base
                | {
                    "measure": "mean_check_days",
                    "estimate": mean,
                    "ci_low": float(lo),
                    "ci_high": float(hi),
                    "interval": "t",
                }
            )
            mlo, mhi = median_interval(x, confidence)
            rows.append(
                base
                | {
                    "measure": "median_check_days",
                    "estimate": float(np.median(x)) if n else float("nan"),
                    "ci_low": mlo,
                    "ci_high": mhi,
                    "interval": "order_statistic",
                }
            )
        ler, manual = arms[_LER], arms[_MANUAL]
        small = min(len(ler), len(manual)) < min_cell
        if len(ler) >= 2 and len(manual) >= 2:
            test = stats.ttest_ind(manual, ler, equal_var=False)
            ci = test.confidence_interval(confidence_level=confidence)
            diff = float(manual.mean() - ler.mean())
            dlo, dhi, p = float(ci.low), float(ci.high), float(test.pvalue)
        else:
            diff = dlo = dhi = p = float("nan")
        base = {
            **label,
            _CHECK: _DIFFERENCE,
            "n": len(ler) + len(manual),
            "hires": hires[_LER],
            "suppressed": small,
            "interval": "welch_t",
            "p_value": p,
        }
        h = hires[_LER]
        rows.append(
            base
            | {"measure": "difference_in_means", "estimate": diff, "ci_low": dlo, "ci_high": dhi}
        )
        rows.append(
            base
            | {
                "measure": "hiring_days_saved",
                "estimate": diff * h,
                "ci_low": dlo * h,
                "ci_high": dhi * h,
            }
        )
    frame = pd.DataFrame(rows)
    if "suppressed" not in frame:
        frame["suppressed"] = False
    frame["suppressed"] = frame["suppressed"].astype("boolean").fillna(False).astype(bool)
    if "p_value" not in frame:
        frame["p_value"] = np.nan
    frame["p_value"] = pd.to_numeric(frame["p_value"], errors="coerce").astype(float)
    frame["hires"] = frame["hires"].astype("int64")
    # hires are people too (and hiring_days_saved / difference_in_means gives them
    # away): a row is hidden when fewer than min_cell were hired, or not hired
    arm = frame[_CHECK] != _DIFFERENCE
    few = (frame["hires"] < min_cell) | (arm & (frame["n"] - frame["hires"] < min_cell))
    frame["suppressed"] = frame["suppressed"] | few.to_numpy(dtype=bool)
    frame = frame[
        [
            *strata,
            _CHECK,
            "measure",
            "estimate",
            "ci_low",
            "ci_high",
            "n",
            "suppressed",
            "hires",
            "interval",
            "p_value",
        ]
    ]
    return frame


def process_efficiency(
    dataset: EngineSource,
    by: Sequence[str] = (_CHECK,),
    *,
    min_cell: int = MIN_CELL,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Time to confirm credentials with LER verification vs manual checks.

    Parameters
    ----------
    dataset
        A :class:`lerkit.datasets.Dataset` (or anything ``as_engine`` accepts) with the
        ``applications`` table.
    by
        Application columns to group by; must include ``credential_check``. Other
        columns (e.g. ``screen``) stratify: each stratum gets its own comparison.
    min_cell
        Cells with fewer applications, or fewer than this many hires (or applications
        not hired), are suppressed.
    confidence
        Level of every interval.

    Returns
    -------
    pandas.DataFrame
        Strata columns, ``credential_check`` (``ler``, ``manual`` or ``manual - ler``),
        ``measure`` (``mean_check_days``, ``median_check_days``,
        ``difference_in_means``, ``hiring_days_saved``), ``estimate``, ``ci_low``,
        ``ci_high``, ``n`` (applications with a check; both arms for comparisons),
        ``suppressed``, then ``hires`` (hires among those applications; LER hires on
        comparison rows), ``interval`` (``t``, ``order_statistic`` or ``welch_t``) and
        ``p_value`` (Welch's test, comparison rows).

    Raises
    ------
    LerkitError
        ``invalid_argument`` when ``by`` lacks ``credential_check``; ``unknown_column``
        for a column the applications table does not have.
    """
    by = list(dict.fromkeys(by))
    if _CHECK not in by:
        raise LerkitError(f"by must include {_CHECK!r}, got {by!r}", code="invalid_argument")
    z_value(confidence)
    engine = as_engine(dataset)
    apps = engine.table("applications")
    for column in by:
        if column not in apps.columns:
            raise LerkitError(f"applications has no column {column!r}", code="unknown_column")
    strata = [c for c in by if c != _CHECK]
    expr = apps.filter(apps.check_days.notnull() & apps[_CHECK].notnull()).select(
        *by, "check_days", "hired"
    )
    raw = engine.execute(expr)
    raw["hired"] = raw["hired"].astype("boolean").fillna(False).astype(bool)
    for column in by:
        raw[column] = raw[column].astype(object)

    frame = efficiency_table(raw, strata, min_cell=min_cell, confidence=confidence)
    return finish(
        frame,
        analysis="process_efficiency",
        parameters={"by": tuple(by)},
        min_cell=min_cell,
        confidence=confidence,
        groups=[*strata, _CHECK],
        hide=("hires", "p_value"),
    )
