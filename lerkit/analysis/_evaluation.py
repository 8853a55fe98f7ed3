"""Pilot evaluation: did the LER arm do better than the comparison arm?

A learner's outcome in a phase (pre / post) is the mean wage, log wage or employment of
its quarters in the phase. The engine groups learners into cells (arm, covariates, the
phases they are seen in) and sums their outcomes, squares and pre-by-post products; the
regressions below are fitted exactly from those sums (:mod:`lerkit.analysis._ols`),
with the same coefficients and standard errors statsmodels gives on one row per learner
and phase, at a fraction of the memory:

- ``naive``: post-period difference of means between the arms (HC3 standard errors), the
  comparison a quick dashboard would show. The arms were not randomized, so it is biased
  whenever arm membership goes with the outcome's drivers (in the synthetic pilots STARs
  status, age and pathway).
- ``did``: the two-by-two difference in differences, ``y ~ ler * post`` on the
  learner-by-phase panel with standard errors clustered by learner; it removes fixed
  differences between the arms but assumes their trends would have been parallel.
- ``did_adjusted``: the difference in differences under *conditional* parallel trends:
  covariates and covariate-by-post interactions added (clustered by learner).
- ``regression``: post-period OLS of the outcome on the arm and the covariates with HC3
  standard errors (selection on observables, no use of the pre period).

With ``log=True`` wages are analysed as log hourly wages, so a multiplicative effect
(``exp(effect) - 1`` is the proportional wage gain) reads off directly.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from lerkit.analysis._engine import Engine, EngineSource, as_engine
from lerkit.analysis._ols import CellSums, OLSFit, cell_ols
from lerkit.analysis._result import finish
from lerkit.analysis._suppress import MIN_CELL
from lerkit.errors import LerkitError

__all__ = ["DEFAULT_COVARIATES", "pilot_evaluation"]

#: The confounders of arm assignment named in the synthetic pilots' ground truth, plus
#: education (it moves wages and employment and STARs status is defined by it).
DEFAULT_COVARIATES: tuple[str, ...] = ("stars", "pathway", "age", "highest_education")

_PERIOD = re.compile(r"(\d{4})Q([1-4])")
_YEAR = re.compile(r"\d{4}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def quarter_index(period: str) -> int:
    """``"2025Q3"`` -> a running quarter number (``year * 4 + quarter - 1``)."""
    match = _PERIOD.fullmatch(period)
    if match is None:
        raise LerkitError(f"not a period (YYYYQn): {period!r}")
    return int(match[1]) * 4 + int(match[2]) - 1


def _date_quarter(day: dt.date) -> int:
    return day.year * 4 + (day.month - 1) // 3


def _all_periods(engine: Engine) -> list[str]:
    outcomes = engine.table("outcomes")
    frame = engine.execute(outcomes.select("period").distinct())
    return sorted(str(p) for p in frame["period"])


def _periods(engine: Engine, spec: str | Sequence[str]) -> list[str]:
    """Resolve periods (``"2025Q3"``) and years (``"2025"``) against the outcomes table."""
    items = [spec] if isinstance(spec, str) else list(spec)
    available = _all_periods(engine)
    chosen: list[str] = []
    for item in items:
        if _YEAR.fullmatch(item):
            found = [p for p in available if p.startswith(item)]
        elif _PERIOD.fullmatch(item):
            found = [item] if item in available else []
        else:
            raise LerkitError(f"not a period (YYYYQn) or year (YYYY): {item!r}")
        if not found:
            raise LerkitError(f"no outcomes in period {item!r}")
        chosen.extend(p for p in found if p not in chosen)
    return sorted(chosen)


def _enrolment_range(engine: Engine) -> tuple[int, int]:
    engine.require_original("learners", "enrolled_on")
    learners = engine.table("learners")
    frame = engine.execute(
        learners.aggregate(first=learners.enrolled_on.min(), last=learners.enrolled_on.max())
    )
    first, last = frame["first"].iloc[0], frame["last"].iloc[0]
    return _date_quarter(pd.Timestamp(first).date()), _date_quarter(pd.Timestamp(last).date())


def _pre_default(engine: Engine) -> list[str]:
    """Quarters before the first enrolment quarter (no learner treated yet)."""
    first, _last = _enrolment_range(engine)
    periods = [p for p in _all_periods(engine) if quarter_index(p) < first]
    if not periods:
        raise LerkitError("no outcome period precedes the first enrolment: pass pre=")
    return periods


def _post_default(engine: Engine) -> list[str]:
    """Quarters after the last enrolment quarter (every learner past enrolment)."""
    _first, last = _enrolment_range(engine)
    periods = [p for p in _all_periods(engine) if quarter_index(p) > last]
    if not periods:
        raise LerkitError("no outcome period follows the last enrolment: pass post=")
    return periods


def _learner_columns(engine: Engine, learners: Any, covariates: Sequence[str], cluster: str) -> Any:
    """The learner-level frame: arm indicator, covariates (``age`` at enrolment), cluster."""
    columns: dict[str, Any] = {
        "learner_id": learners.learner_id,
        "ler": (learners.cohort == "ler").cast("int64"),
    }
    available = set(learners.columns)
    for name in [*covariates, cluster]:
        if name in columns:
            continue
        if not _NAME.fullmatch(name):
            raise LerkitError(f"not a column name: {name!r}")
        if name == "age" and "age" not in available:
            engine.require_original("learners", "birth_year", "enrolled_on")
            columns["age"] = (learners.enrolled_on.year() - learners.birth_year).cast("float64")
        elif name in available:
            columns[name] = learners[name]
        else:
            raise LerkitError(f"learners has no column {name!r}")
    return learners.select(**columns)


def learner_cells(
    engine: Engine,
    outcome: str,
    *,
    pre: Sequence[str],
    post: Sequence[str],
    covariates: Sequence[str] = (),
    cluster: str = "learner_id",
    log: bool = False,
) -> pd.DataFrame:
    """The regression's cell sums, computed in the engine.

    A learner's outcome in a phase is the mean over its quarters (wages: the employed
    quarters with a wage; employment: every quarter). Learners are grouped by arm
    (``ler``), covariates, cluster (unless clustering by learner) and the phases they
    are seen in (``has_pre``, ``has_post``); each cell carries ``n`` learners and the sums
    ``s0``/``s1`` of the pre/post outcomes, ``q0``/``q1`` of their squares and ``c01`` of
    their products. Learners with a missing covariate are left out.
    """
    outcomes = engine.table("outcomes")
    learners = engine.table("learners")
    rows = outcomes.filter(outcomes.period.isin([*pre, *post]))
    if outcome == "employed":
        value = rows.employed.cast("float64")
    elif outcome == "hourly_wage":
        rows = rows.filter(rows.employed & rows.hourly_wage.notnull() & (rows.hourly_wage > 0))
        value = rows.hourly_wage.log() if log else rows.hourly_wage
    else:
        raise LerkitError(f"outcome must be 'hourly_wage' or 'employed', got {outcome!r}")
    rows = rows.mutate(y=value, is_post=rows.period.isin(list(post)))
    phases = rows.group_by("learner_id").aggregate(
        y0=rows.y.mean(where=~rows.is_post), y1=rows.y.mean(where=rows.is_post)
    )
    people = _learner_columns(engine, learners, covariates, cluster)
    joined = phases.join(people, "learner_id")
    for name in [*covariates, cluster]:
        joined = joined.filter(joined[name].notnull())
    keys = ["ler", *dict.fromkeys(c for c in covariates if c != "ler")]
    if cluster != "learner_id" and cluster not in keys:
        keys.append(cluster)
    joined = joined.mutate(has_pre=joined.y0.notnull(), has_post=joined.y1.notnull())
    cells = joined.group_by([*keys, "has_pre", "has_post"]).aggregate(
        n=joined.count(),
        s0=joined.y0.sum(),
        s1=joined.y1.sum(),
        q0=(joined.y0 * joined.y0).sum(),
        q1=(joined.y1 * joined.y1).sum(),
        c01=(joined.y0 * joined.y1).sum(),
    )
    frame = engine.execute(cells.order_by([*keys, "has_pre", "has_post"]))
    for name in ("s0", "s1", "q0", "q1", "c01"):
        frame[name] = frame[name].astype(float).fillna(0.0)
    frame["n"] = frame["n"].astype("int64")
    return frame


def _covariate_columns(
    cells: pd.DataFrame, covariates: Sequence[str]
) -> tuple[np.ndarray, list[str]]:
    """The covariates' design columns: numbers as they are, categories as dummies of the
    levels present (the first, sorted, left out), as statsmodels' ``C()`` codes them."""
    columns: list[np.ndarray] = []
    names: list[str] = []
    for name in covariates:
        column = cells[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            columns.append(column.to_numpy(dtype=float))
            names.append(name)
            continue
        values = column.astype(str)
        for level in sorted(values.unique())[1:]:
            columns.append((values == level).to_numpy(dtype=float))
            names.append(f"{name}[{level}]")
    if not columns:
        return np.zeros((len(cells), 0)), names
    return np.column_stack(columns), names


def _after_fit(cells: pd.DataFrame, covariates: Sequence[str]) -> OLSFit:
    """Post-period OLS of y on the arm (and covariates), HC3."""
    base, names = _covariate_columns(cells, covariates)
    ler = cells["ler"].to_numpy(dtype=float)
    design = np.column_stack([np.ones(len(cells)), ler, base])[None]
    sums = CellSums(
        design,
        count=cells["n"].to_numpy()[None],
        total=cells["s1"].to_numpy()[None],
        squares=cells["q1"].to_numpy()[None],
    )
    return cell_ols(sums, ["Intercept", "ler", *names], "HC3")


def _did_fit(cells: pd.DataFrame, covariates: Sequence[str], cluster: str) -> OLSFit:
    """``y ~ ler * post`` (plus covariates and covariates x post) on the learner-by-phase
    panel, standard errors clustered by ``cluster``."""
    base, names = _covariate_columns(cells, covariates)
    ones = np.ones(len(cells))
    ler = cells["ler"].to_numpy(dtype=float)
    design = np.stack(
        [
            np.column_stack([ones, ler, 0 * ones, 0 * ler, base, 0 * base]),
            np.column_stack([ones, ler, ones, ler, base, base]),
        ]
    )
    n = cells["n"].to_numpy()
    seen = cells[["has_pre", "has_post"]].to_numpy(dtype=bool).T
    cross = np.zeros((2, 2, len(cells)))
    cross[0, 1] = cross[1, 0] = cells["c01"].to_numpy()
    sums = CellSums(
        design,
        count=np.where(seen, n, 0),
        total=cells[["s0", "s1"]].to_numpy().T,
        squares=cells[["q0", "q1"]].to_numpy().T,
        cross=cross,
        cluster=None if cluster == "learner_id" else pd.factorize(cells[cluster])[0],
    )
    labels = ["Intercept", "ler", "post", "ler:post", *names, *(f"{c}:post" for c in names)]
    return cell_ols(sums, labels, "cluster")


def _row(
    fit: OLSFit,
    *,
    name: str,
    method: str,
    cells: pd.DataFrame,
    confidence: float,
) -> dict[str, Any]:
    term = "ler:post" if "ler:post" in fit.names else "ler"
    low, high = fit.conf_int(term, confidence)
    n_ler = int(cells.loc[cells["ler"] == 1, "n"].sum())
    n_comp = int(cells.loc[cells["ler"] == 0, "n"].sum())
    return {
        "measure": name,
        "estimate": fit.estimate(term),
        "ci_low": low,
        "ci_high": high,
        "n": n_ler + n_comp,
        "se": fit.se(term),
        "p_value": fit.p_value(term),
        "n_ler": n_ler,
        "n_comparison": n_comp,
        "method": method,
    }


def pilot_evaluation(
    dataset: EngineSource,
    outcome: Literal["hourly_wage", "employed"] = "hourly_wage",
    *,
    pre: str | Sequence[str] | None = None,
    post: str | Sequence[str] | None = None,
    covariates: Sequence[str] = DEFAULT_COVARIATES,
    cluster: str = "learner_id",
    log: bool = False,
    balanced: bool = True,
    confidence: float = 0.95,
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """Estimate the LER arm's effect on wages or employment, four ways.

    Parameters
    ----------
    dataset : Dataset, path, name or Engine
        Anything :func:`lerkit.analysis.as_engine` accepts; uses ``learners`` (cohort,
        enrolled_on, the covariates) and ``outcomes``.
    outcome : {"hourly_wage", "employed"}
        Mean hourly wage over a learner's employed quarters, or the share of quarters
        employed (a linear probability model: effects in percentage points / 100).
    pre, post : str or list of str, optional
        Periods (``"2023Q1"``) or whole years (``"2023"``). Default: the quarters before
        the first enrolment quarter and after the last one.
    covariates : sequence of str
        Learner columns to adjust for (``age`` = age at enrolment, computed); strings and
        booleans enter as categories. Rows with a missing covariate are dropped.
    cluster : str
        Learner column to cluster the difference-in-differences standard errors by.
    log : bool
        Analyse log hourly wages (effects in log points).
    balanced : bool
        Difference in differences on the learners with outcomes in both phases (default):
        then it equals the two-way fixed-effects (learner, phase) estimate, and each
        learner's fixed wage level cancels. False keeps every learner-phase row (pooled
        OLS without learner effects: more rows, but the fixed levels no longer cancel).
    confidence : float
        Confidence level of the intervals.
    min_cell : int
        Rows whose smaller arm has fewer learners are suppressed.

    Returns
    -------
    pandas.DataFrame
        One row per estimator (``measure``: naive, did, did_adjusted, regression) with
        estimate, ci_low, ci_high, n (learners), suppressed, se, p_value, n_ler,
        n_comparison, method; ``attrs`` records the periods and parameters.

    Examples
    --------
    >>> import lerkit as lk
    >>> table = lk.analysis.pilot_evaluation(lk.datasets.load("pilot-default"), log=True)  # doctest: +SKIP
    >>> table.set_index("measure").loc["did_adjusted", "estimate"]  # doctest: +SKIP
    0.06...
    """
    if log and outcome != "hourly_wage":
        raise LerkitError("pilot_evaluation: log=True applies to outcome='hourly_wage' only")
    if not 0 < confidence < 1:
        raise LerkitError(f"pilot_evaluation: confidence must be in (0, 1), got {confidence!r}")
    engine = as_engine(dataset)
    pre_periods = _pre_default(engine) if pre is None else _periods(engine, pre)
    post_periods = _post_default(engine) if post is None else _periods(engine, post)
    if set(pre_periods) & set(post_periods):
        raise LerkitError(
            f"pilot_evaluation: pre and post share periods {sorted(set(pre_periods) & set(post_periods))}"
        )
    covariates = list(covariates)
    cells = learner_cells(
        engine,
        outcome,
        pre=pre_periods,
        post=post_periods,
        covariates=covariates,
        cluster=cluster,
        log=log,
    )
    after = cells[cells["has_post"]].reset_index(drop=True)
    # learners seen in both phases: pooled OLS on a balanced two-period panel equals the
    # two-way (learner and phase) fixed-effects estimate, i.e. first differences
    panel = cells[cells["has_pre"] & cells["has_post"]] if balanced else cells
    panel = panel.reset_index(drop=True)
    if (
        after["ler"].nunique() < 2
        or not panel["has_pre"].any()
        or not panel["has_post"].any()
        or panel["ler"].nunique() < 2
    ):
        raise LerkitError("pilot_evaluation: both arms need outcomes in both phases")
    rows = [
        _row(
            _after_fit(after, []),
            name="naive",
            method="post-period difference of means, HC3",
            cells=after,
            confidence=confidence,
        ),
        _row(
            _did_fit(panel, [], cluster),
            name="did",
            method=f"2x2 difference in differences, SE clustered by {cluster}",
            cells=panel,
            confidence=confidence,
        ),
    ]
    if covariates:
        rows.append(
            _row(
                _did_fit(panel, covariates, cluster),
                name="did_adjusted",
                method=f"difference in differences, covariates x post, SE clustered by {cluster}",
                cells=panel,
                confidence=confidence,
            )
        )
        rows.append(
            _row(
                _after_fit(after, covariates),
                name="regression",
                method="post-period OLS with covariates, HC3",
                cells=after,
                confidence=confidence,
            )
        )
    frame = pd.DataFrame(rows)
    # a row is only as safe as its smaller arm
    frame["suppressed"] = np.minimum(frame["n_ler"], frame["n_comparison"]) < min_cell
    parameters = {
        "outcome": outcome,
        "log": log,
        "pre": pre_periods,
        "post": post_periods,
        "covariates": covariates,
        "cluster": cluster,
        "balanced": balanced,
    }
    return finish(
        frame,
        analysis="pilot_evaluation",
        parameters=parameters,
        min_cell=min_cell,
        confidence=confidence,
        hide=("se", "p_value", "n_ler", "n_comparison"),
    )
