"""Whether employers that drop a degree requirement follow through (analysis 16).

After Sigelman, Fuller and Martin, *Skills-Based Hiring: The Long Road from
Pronouncements to Practice* (Burning Glass Institute / Harvard Business School, 2024):
of the firms that removed degree requirements from their postings, some hired more
people without a bachelor's (*leaders*), most changed nothing (*in name only*), and some
put the requirement back (*backsliders*).

An employer's drop is found in its monthly counts of postings requiring a degree as the
best *low segment* (Levin and Kline's epidemic change-point model): one rate inside
months ``[start, stop)``, another outside, the inside lower. A segment that runs to the
last month is a drop that held; one that ends earlier is a drop that was reversed. The
maximum over every segment is large even on noise, so its likelihood-ratio statistic is
calibrated by permutation (the postings' requirement flags shuffled across the
employer's months, which is exact under "no change"), not by a chi-squared table.

Counting runs in the engine; the scans run on the small employer-by-month frames.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from lerkit.analysis._engine import EngineSource, as_engine
from lerkit.analysis._intervals import newcombe
from lerkit.analysis._result import finish, with_rates
from lerkit.analysis._screens import DEGREE_LEVELS
from lerkit.analysis._suppress import MIN_CELL, suppress
from lerkit.errors import LerkitError

__all__ = [
    "RISE_THRESHOLD",
    "Segment",
    "degree_requirement_follow_through",
    "follow_through_table",
    "low_segment",
    "rise_point",
    "typology",
]

#: Default rise in the share of hires without a bachelor's (after the drop minus before)
#: for a dropper to count as having followed through: 10 percentage points.
RISE_THRESHOLD = 0.10

# exceedances after which a permutation test stops (its p-value is then >= 20 / 999)
_STOP_AFTER = 20


@dataclass(frozen=True)
class Segment:
    """The best segment of a binomial sequence and its permutation p-value.

    ``start`` and ``stop`` index the sequence's elements (``stop`` exclusive; ``None``
    when no segment qualifies). ``statistic`` is the log-likelihood-ratio gain of two
    rates over one; ``p_value`` is ``(1 + exceedances) / (1 + permutations)``, or, when
    a test stops early after 20 exceedances, Besag and Clifford's ``20 / drawn``.
    """

    start: int | None
    stop: int | None
    statistic: float
    p_value: float


def _loglik(k: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Bernoulli log-likelihood at the MLE of ``k`` successes in ``n`` trials (0 log 0 = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        no = n - k
        yes = np.where(k > 0, k * np.log(np.where(k > 0, k, 1.0)), 0.0)
        rest = np.where(no > 0, no * np.log(np.where(no > 0, no, 1.0)), 0.0)
        whole = np.where(n > 0, n * np.log(np.where(n > 0, n, 1.0)), 0.0)
    return np.asarray(yes + rest - whole, dtype=float)


def _best(
    ks: np.ndarray, ns: np.ndarray, starts: np.ndarray, stops: np.ndarray, *, direction: int,
    min_side: int,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Gain and index of the best candidate segment, per replicate.

    ``ks`` is replicates x strata x months, ``ns`` strata x months. Each stratum has its
    own rates inside and outside the segment (the log-likelihoods add up). With
    ``direction`` -1 a segment qualifies when fewer successes fall inside than the
    strata's overall rates predict, and fewer than their rates in the months before it.
    """
    zero_k = np.zeros((*ks.shape[:2], 1))
    ck = np.concatenate([zero_k, np.cumsum(ks, axis=2)], axis=2)
    cn = np.concatenate([np.zeros((len(ns), 1)), np.cumsum(ns, axis=1)], axis=1)
    k_in = ck[:, :, stops] - ck[:, :, starts]
    n_in = cn[:, stops] - cn[:, starts]
    k_all, n_all = ck[:, :, -1:], cn[:, -1:]
    k_out, n_out = k_all - k_in, n_all - n_in
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n_all > 0, k_all / np.where(n_all > 0, n_all, 1.0), 0.0)
    expected = (n_in * rate).sum(axis=1)
    ok = (n_in.sum(axis=0) >= min_side) & (n_out.sum(axis=0) >= min_side)
    ok = ok & (direction * (k_in.sum(axis=1) - expected) > 1e-9)
    # and differs the same way from the months before it: a rate that only rose later is
    # not a fall at its start (a stratum with nothing before counts at its overall rate)
    k_before, n_before = ck[:, :, starts], cn[:, starts]
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_before = np.where(n_before > 0, k_before / np.where(n_before > 0, n_before, 1.0),
                               rate)  # fmt: skip
    expected_before = (n_in * rate_before).sum(axis=1)
    ok = ok & (direction * (k_in.sum(axis=1) - expected_before) > 1e-9)
    whole = _loglik(k_all, np.broadcast_to(n_all, k_all.shape)).sum(axis=1)
    split = (_loglik(k_in, np.broadcast_to(n_in, k_in.shape))
             + _loglik(k_out, np.broadcast_to(n_out, k_out.shape))).sum(axis=1)  # fmt: skip
    gain = np.where(ok, split - whole, -np.inf)
    best = np.argmax(gain, axis=1)
    return gain[np.arange(len(gain)), best], best


def _as_strata(values: ArrayLike) -> np.ndarray:
    array = np.asarray(values, dtype=np.int64)
    return array[None, :] if array.ndim == 1 else array


def _scan(
    k: ArrayLike, n: ArrayLike, starts: np.ndarray, stops: np.ndarray, *, direction: int,
    min_side: int, permutations: int, rng: np.random.Generator,
) -> Segment:  # fmt: skip
    ks, ns = _as_strata(k), _as_strata(n)
    if ks.shape != ns.shape or ks.ndim != 2 or (ks < 0).any() or (ks > ns).any():
        raise LerkitError(
            "k and n must have the same shape (months, or strata x months) with 0 <= k <= n"
        )
    if len(starts) == 0:
        return Segment(None, None, 0.0, 1.0)
    observed, at = _best(ks[None].astype(float), ns.astype(float), starts, stops,
                         direction=direction, min_side=min_side)  # fmt: skip
    if not np.isfinite(observed[0]):
        return Segment(None, None, 0.0, 1.0)
    exceed, done = 0, 0
    # chunks bound the memory (replicates x strata x candidate segments); small ones let
    # a clearly null series stop early
    chunk = max(1, min(50, 400_000 // (len(starts) * len(ns))))
    while done < permutations:
        size = min(chunk, permutations - done)
        # the requirement flags shuffled across each stratum's postings: with the month
        # sizes fixed, a stratum's monthly counts are multivariate hypergeometric
        shuffled = np.stack(
            [rng.multivariate_hypergeometric(row, int(total), size=size)
             for row, total in zip(ns, ks.sum(axis=1), strict=True)],
            axis=1,
        )  # fmt: skip
        gains, _ = _best(shuffled.astype(float), ns.astype(float), starts, stops,
                         direction=direction, min_side=min_side)  # fmt: skip
        # a tolerance so that a replicate equal to the observed statistic counts
        hits = np.cumsum(gains >= observed[0] - 1e-9)
        if exceed + hits[-1] >= _STOP_AFTER:
            # Besag and Clifford's sequential p-value: stop at the h-th exceedance,
            # p = h / replicates drawn; exact, and only ever far above any alpha
            drawn = done + 1 + int(np.argmax(exceed + hits >= _STOP_AFTER))
            return _segment(starts, stops, at, observed, _STOP_AFTER / drawn)
        exceed += int(hits[-1])
        done += size
    return _segment(starts, stops, at, observed, (1 + exceed) / (1 + done))


def _segment(
    starts: np.ndarray, stops: np.ndarray, at: np.ndarray, observed: np.ndarray, p: float
) -> Segment:
    best = int(at[0])
    return Segment(int(starts[best]), int(stops[best]), float(observed[0]), p)


def low_segment(
    k: ArrayLike,
    n: ArrayLike,
    *,
    min_side: int = 5,
    permutations: int = 999,
    seed: int | np.random.Generator = 0,
) -> Segment:
    """The best segment ``[start, stop)`` where the rate falls, tested by permutation.

    ``k[i]`` successes in ``n[i]`` trials, in time order. Candidates start after the first
    element and stop anywhere up to the end (``stop == len(k)``: the rate stayed low);
    each side of the segment (inside, and outside) must hold ``min_side`` trials, and
    the rate inside must be below the rate before it. ``k`` and ``n`` may also be
    strata x months (e.g. occupations): each stratum then keeps its own rates, and the
    permutations shuffle within strata, so a changing mix of strata is not a drop.

    >>> seg = low_segment([3, 3, 3, 0, 0, 0, 3, 3], [3] * 8, min_side=3, seed=1)
    >>> (seg.start, seg.stop, seg.p_value < 0.05)
    (3, 6, True)
    """
    m = _as_strata(n).shape[1]
    starts, stops = np.triu_indices(m + 1, k=1)
    keep = starts > 0
    return _scan(k, n, starts[keep], stops[keep], direction=-1, min_side=min_side,
                 permutations=permutations, rng=np.random.default_rng(seed))  # fmt: skip


def rise_point(
    k: ArrayLike,
    n: ArrayLike,
    *,
    min_side: int = 5,
    permutations: int = 999,
    seed: int | np.random.Generator = 0,
) -> Segment:
    """The best single point where the rate rises (segment ``[start, len(k))``).

    >>> rise_point([0, 0, 0, 2, 2, 2], [2] * 6, min_side=2, seed=1).start
    3
    """
    m = _as_strata(n).shape[1]
    starts = np.arange(1, m)
    stops = np.full_like(starts, m)
    return _scan(k, n, starts, stops, direction=1, min_side=min_side,
                 permutations=permutations, rng=np.random.default_rng(seed))  # fmt: skip


def degree_requirement_follow_through(
    dataset: EngineSource,
    *,
    rise_threshold: float = RISE_THRESHOLD,
    alpha: float = 0.01,
    reinstate_alpha: float = 0.05,
    min_postings: int = 40,
    min_side: int = 5,
    min_hires: int = 3,
    permutations: int = 999,
    seed: int = 0,
    min_cell: int = MIN_CELL,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Degree requirements over time, and what employers that dropped one did next.

    Two parts, stacked (``part`` column):

    ``"quarterly"``
        Per quarter of ``posted_on``: the share of postings requiring a degree
        (``estimate``, Wilson interval, ``n`` postings).
    ``"employers"``
        Per employer: whether its postings dropped the requirement, and its typology.
        Postings are counted per calendar month. The *drop* is the best low segment
        (:func:`low_segment`): the months from ``dropped_on`` in which the share
        requiring a degree is lower than before and after. It is kept when its
        permutation p-value is below ``alpha``. A *reinstatement* is the best rise
        (:func:`rise_point`) in the months from the drop on, kept below
        ``reinstate_alpha``; its own permutation test is exact under "the requirement
        stayed dropped". Hires are attributed to the month of the posting they were
        hired through; ``before`` / ``after`` are the shares of hires without a
        bachelor's on postings before the drop and from the drop on (up to a
        reinstatement). Typology:

        - ``backslid``: the requirement came back;
        - ``followed_through``: the rise (after - before) is at least
          ``rise_threshold`` and its Newcombe interval lies above zero;
        - ``in_name_only``: the interval lies below ``rise_threshold`` (any rise is
          smaller than that, or the share fell);
        - ``unclear``: neither (too few hires to tell a meaningful rise from none);
        - ``insufficient_hires``: fewer than ``min_hires`` hires before or after;
        - ``no_drop``: no drop detected;
        - ``insufficient_postings``: fewer than ``min_postings`` postings in all, too
          few to tell a drop from noise.

    Parameters
    ----------
    dataset
        A dataset with ``postings``, ``applications`` and ``learners``.
    rise_threshold
        The rise in the share of non-degree hires that counts as following through
        (default :data:`RISE_THRESHOLD`, 10 percentage points).
    alpha, reinstate_alpha
        Significance levels of the drop and the reinstatement. ``alpha`` is per
        employer: about ``alpha`` of the employers that never dropped are expected to
        show a drop by chance.
    min_postings
        Postings an employer needs to be judged at all. Drops are hard to see in few
        postings: in simulated employers with postings spread over 36 months and a fall
        halfway, a fall from 50% to 10% requiring a degree is found at ``alpha`` 0.01 in
        9% of employers with 20 postings and 25% with 40; a fall from 40% to 20% in 19%
        with 120. "no_drop" is therefore weak evidence that nothing changed.
    min_side
        Postings required inside and outside a segment.
    min_hires
        Hires required before and after the drop to classify a dropper.
    permutations, seed
        Permutations per test, and the seed. Each employer's generator is seeded from
        ``seed`` and its id, so its result does not depend on the other employers.
    min_cell, confidence
        Suppression threshold (quarterly shares on postings; employer hire shares on
        hires) and interval level.

    Returns
    -------
    pandas.DataFrame
        Columns ``part``, ``measure``, ``category`` (quarter ``2024Q1`` or employer id),
        ``estimate``, ``ci_low``, ``ci_high``, ``n``, ``suppressed``, and for employers
        ``typology``, ``n_postings``, ``dropped_on``, ``reinstated_on`` (first day of
        the month), ``p_drop``, ``p_reinstated``, ``hires_before``, ``hires_after``,
        ``nondegree_share_before``, ``nondegree_share_after`` (``estimate`` is then the
        rise, after minus before, with its Newcombe interval). Employer rows are
        suppressed when fewer than ``min_cell`` hires lie on either side of the drop;
        the typology stays visible.
        ``attrs["typology_counts"]`` tallies it.

    Examples
    --------
    >>> import lerkit as lk
    >>> table = lk.analysis.degree_requirement_follow_through(lk.datasets.load("pilot-default"))  # doctest: +SKIP
    >>> table[table["part"] == "employers"]["typology"].value_counts()  # doctest: +SKIP
    """
    if not 0 < alpha < 1 or not 0 < reinstate_alpha < 1:
        raise LerkitError("alpha and reinstate_alpha must be in (0, 1)")
    if permutations < 1 or min_side < 1:
        raise LerkitError("permutations and min_side must be at least 1")
    engine = as_engine(dataset)
    engine.require_original("postings", "posted_on")
    postings = engine.table("postings")
    quarter = (
        postings.posted_on.year()
        .cast("string")
        .concat("Q", postings.posted_on.quarter().cast("string"))
    )
    quarterly = engine.execute(
        postings.group_by(category=quarter).aggregate(
            n=postings.count(),
            k=postings.requires_degree.fill_null(False).cast("int64").sum(),
        )
    ).sort_values("category", ignore_index=True)
    quarterly = with_rates(quarterly, confidence=confidence).assign(
        part="quarterly", measure="share_postings_requiring_degree"
    )

    month = postings.posted_on.cast("date").truncate("M")
    monthly = engine.execute(
        postings.group_by("employer_id", month=month).aggregate(
            n=postings.count(),
            k=postings.requires_degree.fill_null(False).cast("int64").sum(),
        )
    )
    apps = engine.table("applications")
    learners = engine.table("learners")
    hired = (
        apps.filter(apps.hired.fill_null(False))
        .join(postings.select("posting_id", "employer_id", p_month=month), "posting_id")
        .join(learners.select("learner_id", "highest_education"), "learner_id")
    )
    nondegree = ~hired.highest_education.cast("string").isin(DEGREE_LEVELS)
    hires = engine.execute(
        hired.group_by("employer_id", month=hired.p_month).aggregate(
            hires=hired.count(), nondegree=nondegree.cast("int64").sum()
        )
    )
    employers = typology(
        monthly, hires, rise_threshold=rise_threshold, alpha=alpha,
        reinstate_alpha=reinstate_alpha, min_postings=min_postings, min_side=min_side,
        min_hires=min_hires, permutations=permutations, seed=seed, confidence=confidence,
    )  # fmt: skip
    parameters = {
        "rise_threshold": rise_threshold,
        "alpha": alpha,
        "reinstate_alpha": reinstate_alpha,
        "min_postings": min_postings,
        "min_side": min_side,
        "min_hires": min_hires,
        "permutations": permutations,
        "seed": seed,
    }
    return follow_through_table(
        quarterly, employers, parameters=parameters, min_cell=min_cell, confidence=confidence
    )


def follow_through_table(
    quarterly: pd.DataFrame,
    employers: pd.DataFrame,
    *,
    parameters: dict[str, Any],
    min_cell: int,
    confidence: float,
) -> pd.DataFrame:
    """The published result from the quarterly shares and :func:`typology`'s rows."""
    smaller_side = np.minimum(employers["hires_before"], employers["hires_after"])
    employers = employers.assign(suppressed_by=smaller_side)
    frame = pd.concat([quarterly.drop(columns="k"), employers], ignore_index=True)
    frame["cell"] = frame["n"].where(frame["part"] == "quarterly", frame["suppressed_by"])
    frame = frame.drop(columns="suppressed_by")
    # every employer is its own table (its hires add up to nothing published), so only
    # primary suppression applies; postings are not people, quarters are never small
    frame = suppress(frame, count="cell", min_cell=min_cell, by=("part", "category"))
    frame = frame.drop(columns="cell")
    result = finish(
        frame,
        analysis="degree_requirement_follow_through",
        parameters=parameters,
        min_cell=min_cell,
        confidence=confidence,
        groups=["part", "category"],
        hide=[
            "hires_before",
            "hires_after",
            "nondegree_share_before",
            "nondegree_share_after",
        ],
    )
    result.attrs["typology_counts"] = (
        employers["typology"].value_counts().sort_index().astype(int).to_dict()
    )
    result.attrs["caveats"] = [
        "Drops are inferred from postings: an employer with few postings cannot show "
        "one (insufficient_postings), and 'no_drop' means none was detected at the "
        "chosen alpha, not that the employer never dropped the requirement.",
        "Hires are only observed while the pilot's learners apply: an employer that "
        "dropped the requirement before then has no 'before' hires and is reported as "
        "insufficient_hires rather than guessed.",
        "Typology follows Burning Glass Institute / HBS (2024): leaders (followed "
        "through), in name only, backsliders; thresholds here are lerkit's, documented "
        "in the parameters.",
    ]
    return result


def _employer_rng(seed: int, employer: str) -> np.random.Generator:
    # seeded by the id, not the position, so a subset of employers keeps its p-values
    return np.random.default_rng([seed, zlib.crc32(employer.encode("utf-8"))])


def typology(
    monthly: pd.DataFrame,
    hires: pd.DataFrame,
    *,
    rise_threshold: float = RISE_THRESHOLD,
    alpha: float = 0.01,
    reinstate_alpha: float = 0.05,
    min_postings: int = 40,
    min_side: int = 5,
    min_hires: int = 3,
    permutations: int = 999,
    seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Per employer: drop, reinstatement, hire shares and typology.

    ``monthly`` has ``employer_id``, ``month``, ``n`` postings and ``k`` requiring a
    degree, and optionally ``stratum`` (e.g. the occupation: each stratum is then
    compared with itself, see :func:`low_segment`); ``hires`` has ``employer_id``,
    ``month`` (of the posting), ``hires`` and ``nondegree``. Months without postings are
    left out of the scan: they carry no evidence either way. Parameters as in
    :func:`degree_requirement_follow_through`.
    """
    monthly = monthly.assign(month=pd.to_datetime(monthly["month"]))
    if "stratum" not in monthly:
        monthly = monthly.assign(stratum="")
    hires = hires.assign(month=pd.to_datetime(hires["month"]))
    by_employer = dict(tuple(hires.groupby("employer_id")))
    empty = hires.iloc[:0]
    rows = []
    for employer, cells in monthly.groupby("employer_id", sort=True):
        grid = cells.pivot_table(
            index="stratum", columns="month", values=["k", "n"], aggfunc="sum",
            fill_value=0, observed=True,
        )  # fmt: skip
        k = grid["k"].to_numpy(dtype=np.int64)
        n = grid["n"].to_numpy(dtype=np.int64)
        month_starts = grid["n"].columns.to_numpy()
        row: dict[str, Any] = {
            "employer_id": employer,
            "n_postings": int(n.sum()),
            "p_drop": math.nan,
            "p_reinstated": math.nan,
            "dropped_on": pd.NaT,
            "reinstated_on": pd.NaT,
            "hires_before": 0,
            "hires_after": 0,
            "nondegree_share_before": math.nan,
            "nondegree_share_after": math.nan,
            "estimate": math.nan,
            "ci_low": math.nan,
            "ci_high": math.nan,
            "typology": "insufficient_postings",
        }
        rows.append(row)
        if n.sum() < min_postings:
            continue
        rng = _employer_rng(seed, str(employer))
        drop = low_segment(k, n, min_side=min_side, permutations=permutations, seed=rng)
        row.update(p_drop=drop.p_value, typology="no_drop")
        if drop.start is None or drop.p_value >= alpha:
            continue
        back = rise_point(k[:, drop.start :], n[:, drop.start :], min_side=min_side,
                          permutations=permutations, seed=rng)  # fmt: skip
        reinstated = back.start is not None and back.p_value < reinstate_alpha
        dropped_on = month_starts[drop.start]
        reinstated_on = (
            month_starts[drop.start + back.start] if reinstated and back.start else pd.NaT
        )
        mine = by_employer.get(employer, empty)
        before_h = mine[mine["month"] < dropped_on]
        after_mask = mine["month"] >= dropped_on
        if reinstated:
            after_mask &= mine["month"] < reinstated_on
        after_h = mine[after_mask]
        hb, ha = int(before_h["hires"].sum()), int(after_h["hires"].sum())
        sb = float(before_h["nondegree"].sum()) / hb if hb else math.nan
        sa = float(after_h["nondegree"].sum()) / ha if ha else math.nan
        rise, low, high = (float(x) for x in newcombe(
            after_h["nondegree"].sum(), ha, before_h["nondegree"].sum(), hb, confidence
        ))  # fmt: skip
        if reinstated:
            kind = "backslid"
        elif min(hb, ha) < min_hires:
            kind = "insufficient_hires"
        elif rise >= rise_threshold and low > 0:
            kind = "followed_through"
        elif high < rise_threshold:
            kind = "in_name_only"
        else:
            kind = "unclear"
        row.update(
            p_reinstated=back.p_value, dropped_on=dropped_on, reinstated_on=reinstated_on,
            hires_before=hb, hires_after=ha, nondegree_share_before=sb,
            nondegree_share_after=sa, estimate=rise, ci_low=low, ci_high=high, typology=kind,
        )  # fmt: skip
    out = pd.DataFrame(rows)
    return out.assign(
        part="employers",
        measure="nondegree_hire_share_rise",
        category=out["employer_id"],
        n=out["hires_before"] + out["hires_after"],
    ).drop(columns="employer_id")
