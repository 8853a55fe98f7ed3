"""Oaxaca-Blinder decomposition of a wage gap between two groups of learners.

How much of the gap between a reference group (say white learners) and a comparison
group (say Black learners) is *explained* by differences in what the model measures
(credentials held, being in the LER arm, pathway, education, age), and how much is
*unexplained* (the groups are paid differently for the same characteristics, plus
whatever the model leaves out: the unexplained part is not a measure of discrimination
on its own).

The engine builds one row per learner (mean log wage over the employed quarters of the
period, credential count, arm, learner columns); the decomposition runs on that frame:

- twofold, pooled (Neumark / Jann): a pooled regression with a group indicator gives the
  reference coefficients b*; explained = (mean x_ref - mean x_cmp) b*, unexplained =
  gap - explained; the explained part is split by variable (a categorical variable's
  dummies summed, so its split does not depend on the baseline category);
- threefold: endowments (mean x_ref - mean x_cmp) b_cmp, coefficients
  mean x_cmp (b_ref - b_cmp), interaction (mean x_ref - mean x_cmp)(b_ref - b_cmp).

Intervals are bootstrap percentile intervals (learners resampled within each group,
``n_boot`` replicates, seeded by ``random_state``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from lerkit.analysis._engine import Engine, EngineSource, as_engine
from lerkit.analysis._evaluation import _periods, _post_default
from lerkit.analysis._result import finish
from lerkit.analysis._suppress import MIN_CELL
from lerkit.errors import LerkitError

__all__ = ["DEFAULT_EXPLANATORY", "gap_decomposition", "oaxaca_blinder"]

DEFAULT_EXPLANATORY: tuple[str, ...] = (
    "credentials_count",
    "has_ler",
    "pathway",
    "highest_education",
    "age",
)

_DEFAULT_GROUPS = {"race_ethnicity": ("white", "black"), "gender": ("male", "female")}


def design(frame: pd.DataFrame, explanatory: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """Design matrix (constant first; categories one-hot, first level dropped) and the
    variable each column belongs to (``"const"`` for the constant)."""
    parts = [pd.DataFrame({"const": np.ones(len(frame))}, index=frame.index)]
    owners = ["const"]
    for name in explanatory:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            parts.append(column.astype(float).to_frame(name))
            owners.append(name)
        else:
            dummies = pd.get_dummies(column.astype(str), prefix=name, prefix_sep="=", dtype=float)
            dummies = dummies[sorted(dummies.columns)].iloc[:, 1:]
            parts.append(dummies)
            owners.extend([name] * dummies.shape[1])
    x = pd.concat(parts, axis=1)
    varying = (x.nunique() > 1) | (x.columns == "const")
    keep = [bool(v) for v in varying]
    return x.loc[:, keep], [o for o, k in zip(owners, keep, strict=True) if k]


def _fit(count: np.ndarray, total: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Least squares from the patterns' counts and sums of y: the normal equations of the
    rows, solved for the minimum-norm coefficients when they are singular (as lstsq on
    the rows would)."""
    xtx = x.T @ (count[:, None] * x)
    beta, *_ = np.linalg.lstsq(xtx, x.T @ total, rcond=None)
    return np.asarray(beta)


def _decompose(
    count: np.ndarray,
    total: np.ndarray,
    x: np.ndarray,
    is_ref: np.ndarray,
    owners: Sequence[str],
) -> dict[str, float]:
    """The decomposition from each design pattern's learner count and sum of y."""
    ref, cmp_ = is_ref, ~is_ref
    b_ref = _fit(count[ref], total[ref], x[ref])
    b_cmp = _fit(count[cmp_], total[cmp_], x[cmp_])
    pooled = _fit(count, total, np.column_stack([x, is_ref.astype(float)]))[:-1]
    n_ref, n_cmp = count[ref].sum(), count[cmp_].sum()
    m_ref, m_cmp = count[ref] @ x[ref] / n_ref, count[cmp_] @ x[cmp_] / n_cmp
    gap = float(total[ref].sum() / n_ref - total[cmp_].sum() / n_cmp)
    delta = m_ref - m_cmp
    explained = float(delta @ pooled)
    out = {
        "gap": gap,
        "explained": explained,
        "unexplained": gap - explained,
        "endowments": float(delta @ b_cmp),
        "coefficients": float(m_cmp @ (b_ref - b_cmp)),
        "interaction": float(delta @ (b_ref - b_cmp)),
    }
    for name in dict.fromkeys(owners):
        if name == "const":
            continue
        cols = np.array([o == name for o in owners])
        out[f"explained:{name}"] = float(delta[cols] @ pooled[cols])
    return out


def oaxaca_blinder(
    frame: pd.DataFrame,
    *,
    outcome: str,
    group: str,
    reference: Any,
    comparison: Any,
    explanatory: Sequence[str],
    n_boot: int = 500,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
) -> pd.DataFrame:
    """Twofold (pooled) and threefold decomposition of ``outcome`` on a learner frame.

    Returns one row per component (``measure``: gap, explained, unexplained, endowments,
    coefficients, interaction, explained:<variable>) with ``estimate``, bootstrap
    percentile ``ci_low``/``ci_high``, ``share_of_gap`` and ``n``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = np.r_[rng.normal(2, 1, 400), rng.normal(1, 1, 400)]
    >>> df = pd.DataFrame({"g": ["a"] * 400 + ["b"] * 400, "x": x})
    >>> df["y"] = 1 + 0.5 * df["x"] + rng.normal(0, 0.1, 800)
    >>> t = oaxaca_blinder(df, outcome="y", group="g", reference="a", comparison="b",
    ...                    explanatory=["x"], n_boot=50).set_index("measure")
    >>> float(round(t.loc["explained", "estimate"] / t.loc["gap", "estimate"], 1))
    1.0
    """
    data = frame[frame[group].isin([reference, comparison])]
    data = data.dropna(subset=[outcome, *explanatory]).reset_index(drop=True)
    is_ref = (data[group] == reference).to_numpy()
    n_ref, n_cmp = int(is_ref.sum()), int((~is_ref).sum())
    if n_ref < 2 or n_cmp < 2:
        raise LerkitError(
            f"gap_decomposition: too few learners with an outcome ({group}={reference!r}: "
            f"{n_ref}, {group}={comparison!r}: {n_cmp})"
        )
    x_frame, owners = design(data, explanatory)
    # Every regressor is constant within a design pattern (group included), so each fit
    # needs only the patterns' learner counts and sums of y: a bootstrap replicate costs
    # two bincounts over the resampled learners instead of three regressions on them.
    keys = [data[group], *(data[name] for name in explanatory)]
    pattern_of = data.groupby(keys, dropna=False, sort=True).ngroup().to_numpy()
    first = np.unique(pattern_of, return_index=True)[1]
    x = x_frame.to_numpy(dtype=float)[first]
    pattern_is_ref = is_ref[first]
    y = data[outcome].to_numpy(dtype=float)
    n_patterns = len(first)

    def sums(idx: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        which = pattern_of if idx is None else pattern_of[idx]
        values = y if idx is None else y[idx]
        count = np.bincount(which, minlength=n_patterns).astype(float)
        return count, np.bincount(which, weights=values, minlength=n_patterns)

    point = _decompose(*sums(None), x, pattern_is_ref, owners)
    rng = np.random.default_rng(random_state)
    ref_idx, cmp_idx = np.nonzero(is_ref)[0], np.nonzero(~is_ref)[0]
    draws: dict[str, list[float]] = {key: [] for key in point}
    for _ in range(n_boot):
        idx = np.r_[rng.choice(ref_idx, n_ref), rng.choice(cmp_idx, n_cmp)]
        sample = _decompose(*sums(idx), x, pattern_is_ref, owners)
        for key, value in sample.items():
            draws[key].append(value)
    tail = (1 - confidence) / 2 * 100
    rows = []
    for key, value in point.items():
        low, high = np.percentile(draws[key], [tail, 100 - tail]) if n_boot else (np.nan, np.nan)
        rows.append(
            {
                "measure": key,
                "estimate": value,
                "ci_low": float(low),
                "ci_high": float(high),
                "n": n_ref + n_cmp,
                "share_of_gap": value / point["gap"] if point["gap"] else np.nan,
                "n_reference": n_ref,
                "n_comparison": n_cmp,
            }
        )
    return pd.DataFrame(rows)


def learner_frame(
    engine: Engine,
    *,
    group: str,
    explanatory: Sequence[str],
    periods: Sequence[str],
    log: bool = True,
) -> pd.DataFrame:
    """One row per learner with a wage in ``periods``: ``y`` (mean wage or log wage over
    the employed quarters), ``group`` and the explanatory variables."""
    learners = engine.table("learners")
    outcomes = engine.table("outcomes")
    credentials = engine.table("credentials")
    rows = outcomes.filter(
        outcomes.period.isin(list(periods))
        & outcomes.employed
        & outcomes.hourly_wage.notnull()
        & (outcomes.hourly_wage > 0)
    )
    value = rows.hourly_wage.log() if log else rows.hourly_wage
    wages = rows.mutate(v=value).group_by("learner_id").aggregate(y=lambda t: t.v.mean())
    columns: dict[str, Any] = {"learner_id": learners.learner_id, group: learners[group]}
    derived = {"credentials_count", "has_ler", "age"}
    for name in explanatory:
        if name == "has_ler":
            columns[name] = (learners.cohort == "ler").cast("int64")
        elif name == "age" and "age" not in learners.columns:
            engine.require_original("learners", "birth_year", "enrolled_on")
            columns[name] = (learners.enrolled_on.year() - learners.birth_year).cast("float64")
        elif name in learners.columns:
            columns[name] = learners[name]
        elif name not in derived:
            raise LerkitError(f"gap_decomposition: learners has no column {name!r}")
    people = learners.select(**columns)
    joined = wages.join(people, "learner_id")
    if "credentials_count" in explanatory:
        engine.require_original("credentials", "issued_on")
        # credentials held by the end of the period (earlier degree records included)
        end = max(periods)
        year, quarter = int(end[:4]), int(end[5])
        cutoff = pd.Timestamp(year=year, month=quarter * 3, day=1) + pd.offsets.MonthEnd(0)
        held = credentials.filter(credentials.issued_on <= cutoff.date())
        count = held.group_by("learner_id").aggregate(credentials_count=held.count())
        joined = joined.left_join(count, "learner_id").drop("learner_id_right")
        joined = joined.mutate(credentials_count=joined.credentials_count.fill_null(0))
    frame = engine.execute(joined.order_by("learner_id"))
    if "credentials_count" in frame:
        frame["credentials_count"] = frame["credentials_count"].astype(float)
    return frame


def gap_decomposition(
    dataset: EngineSource,
    outcome: str = "hourly_wage",
    *,
    group: str = "race_ethnicity",
    reference: Any = None,
    comparison: Any = None,
    explanatory: Sequence[str] = DEFAULT_EXPLANATORY,
    period: str | Sequence[str] | None = None,
    log: bool = True,
    n_boot: int = 500,
    confidence: float = 0.95,
    random_state: int | None = 0,
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """Decompose the wage gap between two groups: how much do credentials explain?

    Parameters
    ----------
    dataset : Dataset, path, name or Engine
        Anything :func:`lerkit.analysis.as_engine` accepts.
    outcome : {"hourly_wage"}
        The learner's mean hourly wage over the employed quarters of ``period``.
    group : str
        The learners column that defines the groups.
    reference, comparison : category codes
        The two groups; the gap is reference minus comparison. Defaults: white / black
        for race_ethnicity, male / female for gender.
    explanatory : sequence of str
        ``credentials_count`` (credentials issued by the end of the period),
        ``has_ler`` (LER arm), ``age`` (at enrolment) and any learners column;
        strings and booleans enter as categories.
    period : str or list of str, optional
        Periods or years; default: the quarters after the last enrolment quarter.
    log : bool
        Decompose the gap in log wages (default; components in log points).
    n_boot : int
        Bootstrap replicates for the percentile intervals (0: no intervals).
    confidence : float
    random_state : int or None
        Seeds the bootstrap.
    min_cell : int
        Everything is suppressed when either group has fewer learners.

    Returns
    -------
    pandas.DataFrame
        One row per component (gap, explained, unexplained, endowments, coefficients,
        interaction, explained:<variable>): estimate, ci_low, ci_high, n, suppressed,
        share_of_gap, n_reference, n_comparison.

    Examples
    --------
    >>> import lerkit as lk
    >>> lk.analysis.gap_decomposition(lk.datasets.load("pilot-default"))  # doctest: +SKIP
    """
    if outcome != "hourly_wage":
        raise LerkitError(f"gap_decomposition: outcome must be 'hourly_wage', got {outcome!r}")
    if reference is None or comparison is None:
        if group not in _DEFAULT_GROUPS:
            raise LerkitError(f"gap_decomposition: give reference= and comparison= for {group!r}")
        default_ref, default_cmp = _DEFAULT_GROUPS[group]
        reference = default_ref if reference is None else reference
        comparison = default_cmp if comparison is None else comparison
    if reference == comparison:
        raise LerkitError(f"gap_decomposition: reference and comparison are both {reference!r}")
    engine = as_engine(dataset)
    periods = _post_default(engine) if period is None else _periods(engine, period)
    explanatory = list(explanatory)
    frame = learner_frame(engine, group=group, explanatory=explanatory, periods=periods, log=log)
    if frame[group].dtype == bool:
        frame[group] = frame[group].astype(object)
    table = oaxaca_blinder(
        frame,
        outcome="y",
        group=group,
        reference=reference,
        comparison=comparison,
        explanatory=explanatory,
        n_boot=n_boot,
        confidence=confidence,
        random_state=random_state,
    )
    table["method"] = np.where(
        table["measure"].isin(["endowments", "coefficients", "interaction"]),
        "threefold (comparison-group coefficients)",
        "twofold, pooled with group indicator",
    )
    table["suppressed"] = np.minimum(table["n_reference"], table["n_comparison"]) < min_cell
    parameters = {
        "outcome": outcome,
        "log": log,
        "group": group,
        "reference": reference,
        "comparison": comparison,
        "explanatory": explanatory,
        "periods": list(periods),
        "n_boot": n_boot,
        "random_state": random_state,
        "interval": "bootstrap percentile, resampled within group",
    }
    return finish(
        table,
        analysis="gap_decomposition",
        parameters=parameters,
        min_cell=min_cell,
        confidence=confidence,
        hide=("share_of_gap", "n_reference", "n_comparison"),
    )
