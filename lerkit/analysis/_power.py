"""Power and minimum detectable effects for a two-arm pilot (LER arm vs comparison).

``power_analysis`` answers the planning questions (how many learners does a pilot need
to detect an effect of a given size; what effect can it detect with n learners; what is
its power) with :mod:`statsmodels.stats.power`: ``NormalIndPower`` on Cohen's h
(``proportion_effectsize``) for a proportion, ``TTestIndPower`` on Cohen's d for a mean.
``detectable_effect`` fills in the arm sizes, the baseline and the standard deviation
from a dataset (aggregated by the engine: one row per arm) and returns this pilot's
minimum detectable effect.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from statsmodels.stats.power import (  # type: ignore[import-untyped, unused-ignore]
    NormalIndPower,
    TTestIndPower,
)
from statsmodels.stats.proportion import proportion_effectsize  # type: ignore[import-untyped, unused-ignore]

from lerkit.analysis._engine import EngineSource, as_engine
from lerkit.analysis._evaluation import _periods, _post_default
from lerkit.analysis._suppress import MIN_CELL
from lerkit.errors import LerkitError

__all__ = ["detectable_effect", "power_analysis"]

Outcome = Literal["proportion", "mean"]


def _h_to_p2(h: float, baseline: float) -> float:
    """Invert Cohen's h = 2 asin(sqrt(p2)) - 2 asin(sqrt(p1)) for p2 (clipped to [0, 1])."""
    phi = h + 2.0 * math.asin(math.sqrt(baseline))
    phi = min(max(phi, 0.0), math.pi)
    return math.sin(phi / 2.0) ** 2


def power_analysis(
    effect: float | None = None,
    n: float | None = None,
    *,
    alpha: float = 0.05,
    power: float | None = 0.8,
    outcome: Outcome = "proportion",
    baseline: float | None = None,
    sd: float | None = None,
    ratio: float = 1.0,
    alternative: Literal["two-sided", "larger", "smaller"] = "two-sided",
) -> pd.DataFrame:
    """Sample size, minimum detectable effect or power of a two-arm comparison.

    Give two of ``effect``, ``n`` and ``power``; the third is solved for (``power=None``
    with both ``effect`` and ``n`` computes the power).

    Parameters
    ----------
    effect : float, optional
        The effect on the outcome's own scale: a difference in proportions (LER arm
        minus comparison, e.g. 0.05 for five percentage points) or a difference in means
        (e.g. 1.5 USD/hour, or 0.06 log points).
    n : float, optional
        Learners in the LER arm (``nobs1``); the comparison arm has ``n * ratio``.
    alpha : float
        Significance level.
    power : float or None
        Target power (1 - type II error).
    outcome : {"proportion", "mean"}
        ``"proportion"``: normal test on Cohen's h (needs ``baseline``, the comparison
        arm's proportion); ``"mean"``: two-sample t test on Cohen's d (needs ``sd``).
    baseline : float, optional
        Comparison-arm proportion (``outcome="proportion"``).
    sd : float, optional
        Standard deviation of the outcome (``outcome="mean"``).
    ratio : float
        Comparison-arm size over LER-arm size.
    alternative : {"two-sided", "larger", "smaller"}
        The test's alternative hypothesis.

    Returns
    -------
    pandas.DataFrame
        One row, columns ``outcome, effect, effect_size, n_ler, n_comparison, n_total,
        alpha, power, ratio, baseline, sd, solved`` (``solved`` names the quantity
        solved for). Sample sizes are rounded up to whole learners when solved for.

    Raises
    ------
    LerkitError
        Not exactly one of effect/n/power left open, a missing ``baseline``/``sd``, or
        values out of range.

    Examples
    --------
    >>> row = power_analysis(effect=0.05, outcome="proportion", baseline=0.74).iloc[0]
    >>> int(row["n_ler"])
    1126
    """
    missing = [name for name, v in (("effect", effect), ("n", n), ("power", power)) if v is None]
    if len(missing) != 1:
        raise LerkitError(
            f"power_analysis: give exactly two of effect, n and power (open: {missing or 'none'})"
        )
    if not 0 < alpha < 1:
        raise LerkitError(f"power_analysis: alpha must be in (0, 1), got {alpha!r}")
    if power is not None and not alpha < power < 1:
        raise LerkitError(f"power_analysis: power must be in (alpha, 1), got {power!r}")
    if ratio <= 0:
        raise LerkitError(f"power_analysis: ratio must be positive, got {ratio!r}")
    if n is not None and n <= 1:
        raise LerkitError(f"power_analysis: n must be greater than 1, got {n!r}")
    solver: Any
    if outcome == "proportion":
        if baseline is None or not 0 < baseline < 1:
            raise LerkitError(
                f"power_analysis: outcome='proportion' needs baseline in (0, 1), got {baseline!r}"
            )
        solver = NormalIndPower()
        es = None if effect is None else float(proportion_effectsize(baseline + effect, baseline))
        if effect is not None and not 0 <= baseline + effect <= 1:
            raise LerkitError(
                f"power_analysis: baseline + effect = {baseline + effect!r} is not a proportion"
            )
    elif outcome == "mean":
        if sd is None or sd <= 0:
            raise LerkitError(f"power_analysis: outcome='mean' needs sd > 0, got {sd!r}")
        solver = TTestIndPower()
        es = None if effect is None else effect / sd
    else:
        raise LerkitError(
            f"power_analysis: outcome must be 'proportion' or 'mean', got {outcome!r}"
        )
    if es is not None and es == 0:
        raise LerkitError("power_analysis: effect must not be zero")
    solved = missing[0]
    # statsmodels solves for a positive effect size; the sign is put back afterwards
    sign = -1.0 if es is not None and es < 0 and alternative == "two-sided" else 1.0
    es_arg = None if es is None else (abs(es) if alternative == "two-sided" else es)
    solution = solver.solve_power(
        effect_size=es_arg,
        nobs1=n,
        alpha=alpha,
        power=power,
        ratio=ratio,
        alternative=alternative,
    )
    # statsmodels returns a scalar or, from some of its root finders, a 1-element array
    value = float(np.asarray(solution, dtype=float).reshape(-1)[0])
    if solved == "n":
        n = float(math.ceil(value - 1e-9))
    elif solved == "power":
        power = value
    else:
        es = value if alternative != "smaller" else -abs(value)
        if outcome == "proportion":
            assert baseline is not None
            effect = _h_to_p2(es, baseline) - baseline
        else:
            assert sd is not None
            effect = es * sd
    assert n is not None
    assert es is not None
    return pd.DataFrame(
        [
            {
                "outcome": outcome,
                "effect": effect,
                "effect_size": sign * abs(es) if solved != "effect" else es,
                "n_ler": n,
                "n_comparison": n * ratio,
                "n_total": n * (1 + ratio),
                "alpha": alpha,
                "power": power,
                "ratio": ratio,
                "baseline": baseline,
                "sd": sd,
                "solved": solved,
            }
        ]
    )


def detectable_effect(
    dataset: EngineSource,
    outcome: Literal["employed", "hourly_wage"] = "hourly_wage",
    *,
    period: str | list[str] | None = None,
    log: bool = False,
    alpha: float = 0.05,
    power: float = 0.8,
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """The minimum detectable effect of this pilot, given its arm sizes and variance.

    The engine reduces the outcomes to one value per learner over ``period`` (the mean
    wage, or log wage, of the employed quarters; for ``employed`` the learner's status in
    the last quarter of ``period``, so each learner is one Bernoulli trial: a conservative
    choice, averaging quarters would lower the variance), then to one row per arm (n,
    mean, variance). The MDE is solved with :func:`power_analysis` (``n`` = LER-arm
    learners, ``ratio`` = comparison/LER; ``sd`` = pooled standard deviation; the
    baseline of a proportion = the comparison arm's rate).

    Parameters
    ----------
    dataset : Dataset, path, name or Engine
        Anything :func:`lerkit.analysis.as_engine` accepts.
    outcome : {"hourly_wage", "employed"}
    period : str or list of str, optional
        Periods (``"2025Q3"``) or years (``"2025"``); default: the quarters after the
        last enrolment quarter (as in :func:`pilot_evaluation`).
    log : bool
        Wages on the log scale (the MDE is then in log points).
    alpha, power : float
    min_cell : int
        The result publishes each arm's size and mean: an arm of fewer learners (for
        ``employed``, fewer employed or not employed) is refused.

    Returns
    -------
    pandas.DataFrame
        The :func:`power_analysis` row (``solved == "effect"``), plus ``mean_ler``,
        ``mean_comparison`` and ``period``.

    Raises
    ------
    LerkitError
        ``small_cell`` for an arm too small to publish; ``invalid_argument`` for a bad
        outcome or a dataset without both arms.
    """
    if outcome not in ("employed", "hourly_wage"):
        raise LerkitError(
            f"detectable_effect: outcome must be 'employed' or 'hourly_wage', got {outcome!r}",
            code="invalid_argument",
        )
    if log and outcome == "employed":
        raise LerkitError(
            "detectable_effect: log=True applies to hourly_wage only", code="invalid_argument"
        )
    engine = as_engine(dataset)
    learners = engine.table("learners")
    outcomes = engine.table("outcomes")
    periods = _post_default(engine) if period is None else _periods(engine, period)
    rows = outcomes.filter(outcomes.period.isin(periods))
    if outcome == "employed":
        last = max(periods)
        rows = rows.filter(rows.period == last)
        value = rows.employed.cast("float64")
    else:
        rows = rows.filter(rows.employed & rows.hourly_wage.notnull() & (rows.hourly_wage > 0))
        value = rows.hourly_wage.log() if log else rows.hourly_wage
    per_learner = rows.group_by("learner_id").aggregate(y=value.mean())
    joined = per_learner.join(learners.select("learner_id", "cohort"), "learner_id")
    arms = joined.group_by("cohort").aggregate(
        n=joined.y.count(), mean=joined.y.mean(), var=joined.y.var(how="sample")
    )
    frame = engine.execute(arms).set_index("cohort")
    if not {"ler", "comparison"} <= set(frame.index):
        raise LerkitError(
            "detectable_effect: the dataset needs learners in both arms", code="invalid_argument"
        )
    ler: Mapping[Any, Any] = frame.loc["ler"].to_dict()
    comp: Mapping[Any, Any] = frame.loc["comparison"].to_dict()
    n1, n2 = float(ler["n"]), float(comp["n"])
    # the result publishes each arm's size and mean (for "employed", its count employed)
    for arm, row in (("ler", ler), ("comparison", comp)):
        n = int(row["n"])
        counts = [n]
        if outcome == "employed":
            k = round(float(row["mean"]) * n)
            counts += [k, n - k]
        if min(counts) < min_cell:
            raise LerkitError(
                f"detectable_effect: the {arm} arm has fewer than {min_cell} learners "
                "(or employed / not employed) to publish",
                code="small_cell",
            )
    pooled = math.sqrt(((n1 - 1) * ler["var"] + (n2 - 1) * comp["var"]) / (n1 + n2 - 2))
    if outcome == "employed":
        result = power_analysis(
            n=n1,
            alpha=alpha,
            power=power,
            outcome="proportion",
            baseline=float(comp["mean"]),
            ratio=n2 / n1,
            alternative="two-sided",
            effect=None,
        )
    else:
        result = power_analysis(
            n=n1,
            alpha=alpha,
            power=power,
            outcome="mean",
            sd=pooled,
            ratio=n2 / n1,
            effect=None,
        )
    result["mean_ler"] = float(ler["mean"])
    result["mean_comparison"] = float(comp["mean"])
    result["period"] = ",".join(periods)
    return result
