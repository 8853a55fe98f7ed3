"""Helpers for short briefs: one region, program or employer, a few headline numbers.

:func:`focus_engine` narrows a dataset's tables to the learners of one region, one
program (training pathway) or one employer's applicants, so that any analysis of
:mod:`lerkit.analysis` run on the result describes only them. :func:`credential_sample`
keeps a fixed sample of the credential files, so that a report verifies a few hundred
credentials instead of every one. :func:`headline_numbers` turns analysis results into
the handful of sentences a one-page brief opens with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from lerkit.errors import LerkitError

if TYPE_CHECKING:  # lerkit.analysis loads Ibis: imported where used, not with lerkit.reports
    import ibis.expr.types as ir  # type: ignore[import-untyped, unused-ignore]

    from lerkit.analysis._engine import Engine, EngineSource

__all__ = [
    "FOCUS_KINDS",
    "Note",
    "credential_sample",
    "data_caveat",
    "focus_engine",
    "focus_title",
    "headline_numbers",
    "other_dimensions",
]

#: What a brief can be about, and the column that picks its people.
FOCUS_KINDS: Final[Mapping[str, str]] = {
    "region": "region",  # learners.region
    "program": "pathway",  # learners.pathway: the route they trained through
    "employer": "employer_id",  # postings.employer_id: the employer's applicants
}

# tables whose rows belong to one learner and follow the learners kept
_PER_LEARNER = ("credentials", "ler_events", "outcomes", "applications")
_WHERE_TO_ACT = ("region", "occupation", "pathway")


def _values(engine: Engine, table: ir.Table, column: str) -> list[str]:
    frame = engine.execute(table.select(table[column].name("value")).distinct())
    return sorted(str(v) for v in frame["value"].dropna())


def focus_engine(dataset: EngineSource, focus: str, value: str) -> Engine:
    """The dataset's tables restricted to one region, program or employer.

    ``region``: learners living in the region. ``program``: learners whose pathway
    (community college, bootcamp, ...) is ``value``. ``employer``: learners who applied
    to one of the employer's postings, and only those postings and applications. The
    learners' credentials, LER events, outcomes and applications follow them. The
    tables stay lazy Ibis expressions on the same backend (semi-joins, which DuckDB and
    Spark both run), so analyses still aggregate in the engine.

    Parameters
    ----------
    dataset : Dataset, Engine, or a dataset folder / name
    focus : {"region", "program", "employer"}
        What the brief is about (see :data:`FOCUS_KINDS`).
    value : str
        A region code (``"pacific"``), a pathway (``"bootcamp"``) or an employer id
        (``"emp-0002"``) as the data spells it.

    Returns
    -------
    Engine
        Same backend and dataset, narrowed tables.

    Raises
    ------
    LerkitError
        ``invalid_focus`` for another ``focus``; ``unknown_focus_value`` when no row has
        ``value`` (the message lists the values there are).

    Examples
    --------
    >>> import lerkit as lk
    >>> engine = focus_engine(lk.datasets.load("pilot-default"), "region", "pacific")
    >>> learners = engine.table("learners")
    >>> int(engine.execute(learners.count().name("n").as_table())["n"].iloc[0])
    797
    """
    from lerkit.analysis._engine import Engine, as_engine

    if focus not in FOCUS_KINDS:
        raise LerkitError(
            f"focus must be one of {', '.join(map(repr, FOCUS_KINDS))}, not {focus!r}",
            code="invalid_focus",
        )
    engine = as_engine(dataset)
    column = FOCUS_KINDS[focus]
    tables = {name: engine.table(name) for name in engine.tables}
    learners = tables["learners"]
    picked = tables["postings"] if focus == "employer" else learners
    text = picked[column].cast("string")
    if engine.execute(picked.filter(text == value).count().name("n").as_table())["n"].iloc[0] == 0:
        known = _values(engine, picked, column)
        shown = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "")
        raise LerkitError(
            f"no {focus} {value!r} in the dataset; {focus} values: {shown}",
            code="unknown_focus_value",
        )
    if focus == "employer":
        postings = picked.filter(text == value)
        applications = tables["applications"].semi_join(postings, "posting_id")
        tables["postings"] = postings
        tables["applications"] = applications
        learners = learners.semi_join(applications, "learner_id")
    else:
        learners = learners.filter(text == value)
    tables["learners"] = learners
    for name in _PER_LEARNER:
        if name in tables:
            tables[name] = tables[name].semi_join(learners, "learner_id")
    return Engine(engine.backend, tables, dataset=engine.dataset)


def credential_sample(dataset: EngineSource, size: int) -> Engine:
    """The dataset with at most ``size`` of its credential files, for a quick verification.

    Verifying every signed credential of a large pilot takes minutes;
    :func:`lerkit.analysis.verification_summary` on this engine verifies a sample. The
    sample is the ``size`` credentials with files that come first by ``credential_id``:
    the ids are random UUIDs, so this is a simple random sample, and the same one on
    every run. Credentials without a file are dropped (nothing to verify).

    Parameters
    ----------
    dataset : Dataset, Engine, or a dataset folder / name
    size : int
        Largest number of credentials kept (>= 1).

    Returns
    -------
    Engine

    Raises
    ------
    LerkitError
        ``invalid_argument`` when ``size`` is below 1.

    Examples
    --------
    >>> import lerkit as lk
    >>> engine = credential_sample(lk.datasets.load("pilot-default"), 50)
    >>> credentials = engine.table("credentials")
    >>> int(engine.execute(credentials.count().name("n").as_table())["n"].iloc[0])
    50
    """
    from lerkit.analysis._engine import Engine, as_engine

    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise LerkitError(
            f"the sample size must be a whole number of at least 1, not {size!r}",
            code="invalid_argument",
        )
    engine = as_engine(dataset)
    tables = {name: engine.table(name) for name in engine.tables}
    credentials = tables["credentials"]
    tables["credentials"] = (
        credentials.filter(credentials.file.notnull()).order_by("credential_id").limit(size)
    )
    return Engine(engine.backend, tables, dataset=engine.dataset)


def other_dimensions(focus: str, group: str) -> list[str]:
    """Dimensions a brief ranks with :func:`~lerkit.analysis.where_to_act`.

    Region, occupation and pathway, less the one the brief is about, then ``group``.

    Examples
    --------
    >>> other_dimensions("region", "race_ethnicity")
    ['occupation', 'pathway', 'race_ethnicity']
    """
    if focus not in FOCUS_KINDS:
        raise LerkitError(
            f"focus must be one of {', '.join(map(repr, FOCUS_KINDS))}, not {focus!r}",
            code="invalid_focus",
        )
    dims = [d for d in _WHERE_TO_ACT if d != FOCUS_KINDS[focus]]
    return dims + ([group] if group not in dims else [])


def _row(frame: pd.DataFrame, **where: Any) -> pd.Series[Any]:
    mask = pd.Series(True, index=frame.index)
    for column, wanted in where.items():
        mask &= frame[column].astype(str) == str(wanted)
    rows = frame[mask]
    if len(rows) != 1:
        raise LerkitError(
            f"expected one row where {where}, found {len(rows)}",
            code="invalid_argument",
        )
    return rows.iloc[0]


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def _points(value: float) -> str:
    return f"{value * 100:+.1f} points"


def _number(value: float) -> str:
    return f"{value:.2f}"


def headline_numbers(
    outcomes_by_cohort: pd.DataFrame,
    attainment: pd.DataFrame,
    funnel: pd.DataFrame,
) -> pd.DataFrame:
    """The headline numbers of a brief, each with its interval and a plain sentence.

    Parameters
    ----------
    outcomes_by_cohort : DataFrame
        :func:`~lerkit.analysis.outcome_rates` with ``by="cohort"`` and
        ``reference_group="comparison"``.
    attainment : DataFrame
        :func:`~lerkit.analysis.credential_attainment` with ``by=None``.
    funnel : DataFrame
        :func:`~lerkit.analysis.ler_funnel` with ``by=None``.

    Returns
    -------
    DataFrame
        One row per number: ``headline``, ``measure``, ``estimate``, ``ci_low``,
        ``ci_high``, ``n`` (people behind it), ``suppressed`` and ``statement`` (the
        sentence, or why the number is hidden). In order: employment rate of the LER
        arm, its difference from the comparison group, credentials per learner, share
        of the LER arm with a credential verified by an employer, share of the LER arm
        hired.

    Raises
    ------
    LerkitError
        ``invalid_argument`` when a frame lacks a row it needs.

    Examples
    --------
    >>> import lerkit as lk
    >>> ds = lk.datasets.load("pilot-default")
    >>> table = headline_numbers(
    ...     lk.analysis.outcome_rates(ds, by="cohort", reference_group="comparison"),
    ...     lk.analysis.credential_attainment(ds, by=None),
    ...     lk.analysis.ler_funnel(ds, by=None),
    ... )
    >>> table["measure"].tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['employment_rate', 'employment_gap', 'credentials_per_learner',
     'share_verified', 'share_hired']
    """
    level = float(outcomes_by_cohort.attrs.get("confidence", 0.95))
    interval = f"{level * 100:g}% interval"
    ler = _row(outcomes_by_cohort, cohort="ler")
    mean = _row(attainment, measure="credentials_per_learner")
    verified = _row(funnel, stage="verified")
    hired = _row(funnel, stage="hired")
    specs = [
        (
            "Employed in the last quarter (LER arm)",
            "employment_rate",
            ler["estimate"],
            ler["ci_low"],
            ler["ci_high"],
            ler["n"],
            ler["suppressed"],
            _percent,
        ),
        (
            "Employment, LER arm minus comparison group",
            "employment_gap",
            ler["gap"],
            ler["gap_low"],
            ler["gap_high"],
            ler["n"],
            bool(ler["suppressed"]) or pd.isna(ler["gap"]),
            _points,
        ),
        (
            "Credentials per learner",
            "credentials_per_learner",
            mean["estimate"],
            mean["ci_low"],
            mean["ci_high"],
            mean["n"],
            mean["suppressed"],
            _number,
        ),
        (
            "LER arm with a credential verified by an employer",
            "share_verified",
            verified["estimate"],
            verified["ci_low"],
            verified["ci_high"],
            verified["total"],
            verified["suppressed"],
            _percent,
        ),
        (
            "LER arm hired through an application",
            "share_hired",
            hired["estimate"],
            hired["ci_low"],
            hired["ci_high"],
            hired["total"],
            hired["suppressed"],
            _percent,
        ),
    ]
    rows = []
    for headline, measure, estimate, low, high, n, hidden, fmt in specs:
        hidden = bool(hidden) or pd.isna(estimate)
        if hidden:
            statement = f"{headline}: suppressed (too few people to publish)"
        else:
            people = f"{int(n):,} people" if not pd.isna(n) else "people not shown"
            bounds = (
                f"{interval} {fmt(float(low))} to {fmt(float(high))}"
                if not (pd.isna(low) or pd.isna(high))
                else "no interval"
            )
            statement = f"{headline}: {fmt(float(estimate))} ({bounds}; {people})"
        rows.append(
            {
                "headline": headline,
                "measure": measure,
                "estimate": None if hidden else float(estimate),
                "ci_low": None if hidden or pd.isna(low) else float(low),
                "ci_high": None if hidden or pd.isna(high) else float(high),
                "n": None if pd.isna(n) else int(n),
                "suppressed": hidden,
                "statement": statement,
            }
        )
    table = pd.DataFrame(rows)
    table["estimate"] = table["estimate"].astype("float64")
    table["ci_low"] = table["ci_low"].astype("float64")
    table["ci_high"] = table["ci_high"].astype("float64")
    table["n"] = table["n"].astype("Int64")
    table.attrs.update(
        analysis="headline_numbers",
        min_cell=outcomes_by_cohort.attrs.get("min_cell"),
        confidence=level,
    )
    return table


@dataclass(frozen=True, slots=True)
class Note:
    """A piece of report text; renders as Markdown in a notebook, as text with ``str``."""

    text: str  #: the note; empty when there is nothing to say

    def _repr_markdown_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def data_caveat(dataset: EngineSource) -> Note:
    """The caveat a report shows when its dataset is synthetic (else an empty note).

    Parameters
    ----------
    dataset : Dataset, Engine, or a dataset folder / name

    Returns
    -------
    Note

    Examples
    --------
    >>> import lerkit as lk
    >>> str(data_caveat(lk.datasets.load("pilot-default"))).startswith("**Synthetic data.**")
    True
    """
    from lerkit.analysis._engine import as_engine

    engine = as_engine(dataset)
    data = engine.dataset
    if data is None or not data.metadata.synthetic:
        return Note("")
    return Note(
        f"**Synthetic data.** The dataset {data.metadata.name!r} was generated by a "
        "computer program: no real person is in it. Its numbers show how the method "
        "works and what the report looks like; they are not evidence about real "
        "learners, programs, employers or places."
    )


def focus_title(dataset: EngineSource, focus: str, value: str) -> Note:
    """The heading of a brief: what it is about, in words, and how many learners.

    Parameters
    ----------
    dataset : Dataset, Engine, or a dataset folder / name
        The whole dataset, or an engine from :func:`focus_engine`.
    focus, value
        As for :func:`focus_engine`; an employer is named from the ``employers`` table
        when the dataset has one.

    Returns
    -------
    Note

    Examples
    --------
    >>> import lerkit as lk
    >>> str(focus_title(lk.datasets.load("pilot-default"), "region", "new_england"))
    '## Region: new england (215 learners)'
    """
    engine = focus_engine(dataset, focus, value)
    learners = engine.execute(engine.table("learners").count().name("n").as_table())
    n = int(learners["n"].iloc[0])
    label = value.replace("_", " ")
    if focus == "employer" and engine.has_table("employers"):
        employers = engine.table("employers")
        names = engine.execute(
            employers.filter(employers.employer_id == value).select("name").limit(1)
        )["name"]
        if len(names):
            label = f"{names.iloc[0]} ({value})"
    people = "applicant" if focus == "employer" else "learner"
    return Note(f"## {focus.capitalize()}: {label} ({n:,} {people}{'s' if n != 1 else ''})")
