"""Descriptive analyses: who is in the pilot, what they hold, how LERs travel, who works.

- :func:`representation`: the share of learners in each category of each attribute,
  against a reference distribution when one is given (chi-square goodness of fit).
- :func:`credential_attainment`: credentials and skills per learner, and who holds
  which kinds of credential (type, level, issuer type), by group.
- :func:`ler_funnel`: how far LER-arm learners get from issued to hired, by group.
- :func:`verification_summary`: how many credentials verify, by issuer and format, and
  how many are revoked, suspended, expired or tampered with.
- :func:`outcome_rates`: employment (or a wage above a threshold) by group and by the
  intersection of two attributes, with the gap to a reference group.

Every count is made by the query engine (:func:`lerkit.analysis.connect`); the
intervals and tests run on the aggregated counts. Every function returns a result
frame (see :func:`lerkit.analysis.finish`) with small cells suppressed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import ibis  # type: ignore[import-untyped, unused-ignore]
import numpy as np
import pandas as pd
from scipy import stats  # type: ignore[import-untyped, unused-ignore]

from lerkit.analysis._engine import Engine, EngineSource, _quiet, as_engine
from lerkit.analysis._intervals import newcombe, t_interval, wilson
from lerkit.analysis._result import finish
from lerkit.analysis._suppress import MIN_CELL, suppress
from lerkit.errors import LerkitError

__all__ = [
    "DEFAULT_ATTRIBUTES",
    "FUNNEL_STAGES",
    "NOT_REPORTED",
    "credential_attainment",
    "ler_funnel",
    "outcome_rates",
    "representation",
    "verification_summary",
]

#: The learner attributes :func:`representation` describes by default.
DEFAULT_ATTRIBUTES: tuple[str, ...] = (
    "pathway",
    "stars",
    "gender",
    "race_ethnicity",
    "veteran",
    "disability",
    "highest_education",
)

#: The stages of :func:`ler_funnel`, in order.
FUNNEL_STAGES: tuple[str, ...] = ("issued", "claimed", "shared", "verified", "applied", "hired")

#: The category shown for an empty value (e.g. veteran status not reported).
NOT_REPORTED = "not_reported"

Outcome = Literal["employed", "wage_above"]


# -- helpers ------------------------------------------------------------------------------


def _attributes(engine: Engine, by: str | Sequence[str], table: str = "learners") -> list[str]:
    names = [by] if isinstance(by, str) else list(by)
    columns = engine.table(table).columns
    for name in names:
        if name not in columns:
            raise LerkitError(
                f"{table} has no column {name!r} to group by (columns: {', '.join(columns)})",
                code="invalid_argument",
            )
    if len(set(names)) != len(names):
        raise LerkitError(f"an attribute is named twice in {names!r}", code="invalid_argument")
    return names


def _label(value: Any) -> Any:
    """ibis: a column as category labels: text; booleans as "true"/"false"; empty as
    :data:`NOT_REPORTED`."""
    if value.type().is_boolean():
        # not ifelse: it would turn an empty value into "false"
        text = ibis.cases((value, "true"), (~value, "false"), else_=ibis.null("string"))
    else:
        text = value.cast("string")
    return ibis.coalesce(text, ibis.literal(NOT_REPORTED))


def _codes(engine: Engine, table: str, column: str) -> tuple[str, ...]:
    """The categories a column can take per the dictionary (empty if not known)."""
    if engine.dataset is None:
        return ()
    spec = engine.dataset.dictionary.table(table)
    if not spec.has_column(column):
        return ()
    kind = spec.column(column)
    if kind.type == "boolean":
        return ("true", "false")
    if kind.type == "category":
        return kind.codes
    return ()


def _check_common(min_cell: int, confidence: float) -> None:
    if not isinstance(min_cell, int | np.integer) or min_cell < 1:
        raise LerkitError(
            f"min_cell must be a positive integer, not {min_cell!r}", code="invalid_argument"
        )
    if not 0.0 < float(confidence) < 1.0:
        raise LerkitError(
            f"confidence must be between 0 and 1 (exclusive), not {confidence!r}",
            code="invalid_argument",
        )


def _proportion(frame: pd.DataFrame, k: str, n: str, confidence: float, prefix: str = "") -> None:
    """Add ``estimate``/``ci_low``/``ci_high`` (or prefixed names) for k / n, in place."""
    kk = frame[k].to_numpy(dtype=float)
    nn = frame[n].to_numpy(dtype=float)
    low, high = wilson(kk, nn, confidence)
    names = (
        ("estimate", "ci_low", "ci_high")
        if not prefix
        else (prefix, f"{prefix}_low", f"{prefix}_high")
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        frame[names[0]] = np.where(nn > 0, kk / nn, np.nan)
    frame[names[1]] = low
    frame[names[2]] = high


def _learners(engine: Engine, cohort: str | None) -> Any:
    learners = engine.table("learners")
    if cohort is not None:
        learners = learners.filter(learners.cohort == cohort)
    return learners


def _group_table(engine: Engine, learners: Any, by: str | None) -> tuple[Any, str]:
    """learners with a ``group`` label column; the name the column gets in the result."""
    if by is None:
        return learners.mutate(group=ibis.literal("all")), "population"
    _attributes(engine, by)
    return learners.mutate(group=_label(learners[by])), by


def _suppress_groups(frame: pd.DataFrame, totals: pd.DataFrame, *, min_cell: int) -> pd.DataFrame:
    """Suppress every row of a group whose size is small, or hidden to protect one.

    ``totals`` has ``group`` and ``n`` (people in the group); the groups partition the
    population, so complementary suppression runs over them.
    """
    hidden = suppress(totals, count="n", min_cell=min_cell)
    small = set(hidden.loc[hidden["suppressed"], "group"])
    out = frame.copy()
    flagged = out["group"].isin(small).to_numpy(dtype=bool)
    before = out["suppressed"].to_numpy(dtype=bool) if "suppressed" in out else False
    out["suppressed"] = flagged | before
    return out


# -- 1. representation ---------------------------------------------------------------------


def representation(
    dataset: EngineSource,
    by: str | Sequence[str] = DEFAULT_ATTRIBUTES,
    reference: Mapping[str, Mapping[Any, float]] | None = None,
    *,
    cohort: str | None = None,
    min_cell: int = MIN_CELL,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Share of learners in each category of each attribute, with Wilson intervals.

    Parameters
    ----------
    dataset : Dataset, Engine, or a dataset folder / name
    by : str or sequence of str
        Learner attributes (default :data:`DEFAULT_ATTRIBUTES`). Empty values are the
        category :data:`NOT_REPORTED`; booleans are ``"true"`` / ``"false"``.
    reference : mapping, optional
        ``{attribute: {category: share}}``, e.g. census shares of the region the pilot
        serves. For those attributes the result adds ``reference_share`` and
        ``difference`` (the pilot's share among the categories the reference covers,
        minus the reference share; its interval is the Wilson interval shifted by the
        fixed reference), and ``attrs["tests"]`` holds a chi-square goodness-of-fit test
        of the counts against the reference (scipy ``chisquare``).
    cohort : {"ler", "comparison"}, optional
        Only learners of this pilot arm (default: everyone).
    min_cell : int
        Categories with fewer learners are suppressed (with complementary suppression
        within each attribute).
    confidence : float
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        ``attribute, category, measure ("share"), estimate, ci_low, ci_high, n`` (learners
        in the category), ``suppressed, total`` (learners with the attribute in the
        population), and with a reference ``reference_share, reference_base,
        difference, difference_low, difference_high``.

    Examples
    --------
    >>> import lerkit as lk
    >>> table = representation(lk.datasets.load("pilot-default"), by="stars")
    >>> table[["category", "n"]].to_dict("records")
    [{'category': 'true', 'n': 2767}, {'category': 'false', 'n': 2233}]
    """
    _check_common(min_cell, confidence)
    engine = as_engine(dataset)
    attributes = _attributes(engine, by)
    if not attributes:
        raise LerkitError("representation needs at least one attribute", code="invalid_argument")
    learners = _learners(engine, cohort)
    parts = [
        learners.select(attribute=ibis.literal(a), category=_label(learners[a])) for a in attributes
    ]
    stacked = parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
    counts = engine.execute(stacked.group_by(["attribute", "category"]).agg(n=stacked.count()))

    rows: list[pd.DataFrame] = []
    for attribute in attributes:
        got = counts[counts["attribute"] == attribute]
        observed = dict(zip(got["category"], got["n"].astype(int), strict=True))
        codes = list(_codes(engine, "learners", attribute))
        order = codes + sorted(c for c in observed if c not in codes and c != NOT_REPORTED)
        if NOT_REPORTED in observed:
            order.append(NOT_REPORTED)
        rows.append(
            pd.DataFrame(
                {
                    "attribute": attribute,
                    "category": order,
                    "n": [observed.get(c, 0) for c in order],
                }
            )
        )
    frame = pd.concat(rows, ignore_index=True)
    frame["total"] = frame.groupby("attribute")["n"].transform("sum").astype("int64")
    frame["measure"] = "share"
    _proportion(frame, "n", "total", confidence)

    tests: list[dict[str, Any]] = []
    hide = ["total"]
    if reference:
        unknown = [a for a in reference if a not in attributes]
        if unknown:
            raise LerkitError(
                f"reference names attribute {unknown[0]!r}, which is not among {attributes!r}",
                code="invalid_argument",
            )
        frame["reference_share"] = np.nan
        frame["reference_base"] = pd.array([pd.NA] * len(frame), dtype="Int64")
        for attribute, shares in reference.items():
            tests.append(_against_reference(frame, attribute, shares))
        _shifted_difference(frame, confidence)
        hide += ["reference_base", "difference", "difference_low", "difference_high"]

    frame = suppress(frame, count="n", min_cell=min_cell, by=("attribute",))
    result = finish(
        frame,
        analysis="representation",
        parameters={
            "by": attributes,
            "reference": None if reference is None else {a: dict(s) for a, s in reference.items()},
            "cohort": cohort,
        },
        min_cell=min_cell,
        confidence=confidence,
        groups=["attribute", "category"],
        hide=[c for c in hide if c != "total"],
    )
    result.attrs["tests"] = tests
    return result


def _reference_key(key: Any) -> str:
    if isinstance(key, bool | np.bool_):
        return "true" if key else "false"
    return str(key)


def _against_reference(
    frame: pd.DataFrame, attribute: str, shares: Mapping[Any, float]
) -> dict[str, Any]:
    wanted = {_reference_key(k): float(v) for k, v in shares.items()}
    rows = frame["attribute"] == attribute
    present = set(frame.loc[rows, "category"])
    missing = [c for c in wanted if c not in present]
    if missing:
        raise LerkitError(
            f"reference for {attribute!r} names category {missing[0]!r}; its categories are "
            + ", ".join(sorted(present)),
            code="invalid_argument",
        )
    if any(not 0.0 <= v <= 1.0 for v in wanted.values()):
        raise LerkitError(
            f"reference shares for {attribute!r} must be between 0 and 1: {wanted!r}",
            code="invalid_argument",
        )
    total = sum(wanted.values())
    if not 0.98 <= total <= 1.02:
        raise LerkitError(
            f"reference shares for {attribute!r} add up to {total:.4g}, not 1",
            code="invalid_argument",
        )
    covered = rows & frame["category"].isin(list(wanted))
    base = int(frame.loc[covered, "n"].sum())
    frame.loc[covered, "reference_share"] = frame.loc[covered, "category"].map(
        {c: v / total for c, v in wanted.items()}
    )
    frame.loc[covered, "reference_base"] = base
    observed = frame.loc[covered, "n"].to_numpy(dtype=float)
    expected = frame.loc[covered, "reference_share"].to_numpy(dtype=float) * base
    keep = expected > 0
    if base > 0 and (observed[~keep] == 0).all() and keep.sum() >= 2:
        statistic, p_value = stats.chisquare(observed[keep], expected[keep])
        statistic, p_value = float(statistic), float(p_value)
    else:
        statistic = p_value = float("nan")
    return {
        "attribute": attribute,
        "test": "chi-square goodness of fit",
        "statistic": statistic,
        "df": int(keep.sum()) - 1,
        "p_value": p_value,
        "n": base,
        "min_expected": float(expected[keep].min()) if keep.any() else float("nan"),
        "categories": [c for c in frame.loc[covered, "category"]],
    }


def _shifted_difference(frame: pd.DataFrame, confidence: float) -> None:
    base = frame["reference_base"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    n = frame["n"].to_numpy(dtype=float)
    low, high = wilson(n, base, confidence)
    ref = frame["reference_share"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(base > 0, n / base, np.nan)
    frame["difference"] = share - ref
    frame["difference_low"] = low - ref
    frame["difference_high"] = high - ref


# -- 2. credentials held and the LER funnel ------------------------------------------------


def credential_attainment(
    dataset: EngineSource,
    by: str | None = "pathway",
    *,
    cohort: str | None = None,
    min_cell: int = MIN_CELL,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Credentials and skills per learner, and the kinds of credential held, by group.

    Measures (column ``measure``):

    - ``credentials_per_learner``: mean credentials per learner (learners without any
      count as 0), Student's t interval on the per-learner counts (the group sizes
      here are large enough for the mean to be near normal; ``sd`` is in its column);
    - ``skills_per_learner``: mean number of distinct alignment targets (skills and
      occupations the achievements align to) per learner, t interval;
    - ``share_holding``: the share of the group's learners holding at least one
      credential of a kind, ``dimension`` ∈ {achievement_type, level, issuer_type} and
      ``category`` its value, Wilson interval (learners are independent; counting
      credentials instead would not be).

    Parameters
    ----------
    dataset : Dataset, Engine, or a dataset folder / name
    by : str or None
        A learner attribute (default ``pathway``); None: one group, ``population="all"``.
    cohort : {"ler", "comparison"}, optional
        Only learners of this arm.
    min_cell, confidence
        Suppression threshold (groups of fewer learners, with complementary suppression
        across groups; holder counts below it) and interval level.

    Returns
    -------
    DataFrame
        ``<by>, measure, dimension, category, estimate, ci_low, ci_high, n`` (learners in
        the group for means, holders for shares), ``suppressed, total`` (learners in
        the group), ``sd`` (means only).

    Examples
    --------
    >>> import lerkit as lk
    >>> table = credential_attainment(lk.datasets.load("pilot-default"), by=None)
    >>> row = table[table["measure"] == "credentials_per_learner"].iloc[0]
    >>> int(row["n"]), round(float(row["estimate"]), 4)
    (5000, 1.3148)
    """
    _check_common(min_cell, confidence)
    engine = as_engine(dataset)
    learners, name = _group_table(engine, _learners(engine, cohort), by)
    people = learners.select("learner_id", "group")
    credentials = engine.table("credentials")

    held = credentials.group_by("learner_id").agg(credentials=credentials.count())
    alignments = engine.table("alignments")
    linked = credentials.select("learner_id", "achievement_id").join(
        alignments.select("achievement_id", "framework", "target_code"), "achievement_id"
    )
    targets = linked.select("learner_id", "framework", "target_code").distinct()
    targets = targets.group_by("learner_id").agg(skills=targets.count())
    per = people.left_join(held, "learner_id").left_join(targets, "learner_id")
    per = per.select(
        "group",
        credentials=per.credentials.fill_null(0).cast("float64"),
        skills=per.skills.fill_null(0).cast("float64"),
    )
    means = engine.execute(
        per.group_by("group").agg(
            n=per.count(),
            credentials_mean=per.credentials.mean(),
            credentials_sd=per.credentials.std(),
            skills_mean=per.skills.mean(),
            skills_sd=per.skills.std(),
        )
    )
    means = means.sort_values("group", ignore_index=True)

    achievements = engine.table("achievements").select(
        "achievement_id", "achievement_type", "level"
    )
    issuers = engine.table("issuers").select("issuer_id", "issuer_type")
    kinds = credentials.select("learner_id", "achievement_id", "issuer_id")
    kinds = kinds.left_join(achievements, "achievement_id").left_join(issuers, "issuer_id")
    kinds = people.join(kinds, "learner_id")
    parts = [
        kinds.select("learner_id", "group", dimension=ibis.literal(d), category=_label(kinds[d]))
        for d in ("achievement_type", "level", "issuer_type")
    ]
    holding = ibis.union(*parts, distinct=False).distinct()
    shares = engine.execute(
        holding.group_by(["group", "dimension", "category"]).agg(n=holding.count())
    )

    rows: list[pd.DataFrame] = []
    for measure, column in (
        ("credentials_per_learner", "credentials"),
        ("skills_per_learner", "skills"),
    ):
        part = means[["group", "n"]].copy()
        part["measure"] = measure
        part["dimension"] = ""
        part["category"] = ""
        part["estimate"] = means[f"{column}_mean"].astype(float)
        part["sd"] = means[f"{column}_sd"].astype(float)
        low, high = t_interval(part["estimate"], part["sd"], part["n"], confidence)
        part["ci_low"], part["ci_high"] = low, high
        part["total"] = part["n"]
        rows.append(part)
    sizes = dict(zip(means["group"], means["n"].astype(int), strict=True))
    shares["total"] = shares["group"].map(sizes).astype("int64")
    shares["measure"] = "share_holding"
    shares["sd"] = np.nan
    _proportion(shares, "n", "total", confidence)
    order = {"achievement_type": 0, "level": 1, "issuer_type": 2}
    shares = (
        shares.assign(_d=shares["dimension"].map(order))
        .sort_values(["group", "_d", "category"], ignore_index=True)
        .drop(columns="_d")
    )
    rows.append(shares)
    frame = pd.concat(rows, ignore_index=True)
    frame = _suppress_groups(frame, means[["group", "n"]], min_cell=min_cell)
    # holders of a kind add up over the groups to the holders in the population:
    # protect a small group's count from that total too
    frame = suppress(frame, count="n", min_cell=min_cell, by=("measure", "dimension", "category"))
    frame = frame.rename(columns={"group": name})
    return finish(
        frame[
            [
                name,
                "measure",
                "dimension",
                "category",
                "estimate",
                "ci_low",
                "ci_high",
                "n",
                "suppressed",
                "total",
                "sd",
            ]
        ],
        analysis="credential_attainment",
        parameters={"by": by, "cohort": cohort, "interval": "t (means), Wilson (shares)"},
        min_cell=min_cell,
        confidence=confidence,
        groups=[name, "dimension", "category"],
        hide=["total", "sd"],
    )


def funnel_table(counts: pd.DataFrame, *, min_cell: int, confidence: float) -> pd.DataFrame:
    """The funnel's rows from per-group counts (``group``, ``total``, each stage and
    ``<stage>__converted``): shares reaching each stage and conversion from the one
    before, with Wilson intervals, small cells suppressed.

    The rows of :func:`ler_funnel` before :func:`~lerkit.analysis.finish`.
    """
    rows = []
    for record in counts.to_dict("records"):
        for i, stage in enumerate(FUNNEL_STAGES):
            previous = FUNNEL_STAGES[i - 1] if i else None
            rows.append(
                {
                    "group": record["group"],
                    "stage": stage,
                    "n": int(record[stage]),
                    "total": int(record["total"]),
                    "previous_n": int(record[previous]) if previous else np.nan,
                    "converted": int(record[f"{stage}__converted"]) if previous else np.nan,
                }
            )
    frame = pd.DataFrame(rows)
    frame["measure"] = "share_reaching"
    frame = frame.astype({"previous_n": "Int64", "converted": "Int64"})
    _proportion(frame, "n", "total", confidence)
    _proportion(frame, "converted", "previous_n", confidence, prefix="conversion")
    small = (frame["converted"] < min_cell) | (frame["previous_n"] < min_cell)
    frame.loc[small, ["conversion", "conversion_low", "conversion_high"]] = np.nan
    frame.loc[small, "converted"] = pd.NA
    frame = _suppress_groups(
        frame, counts[["group", "total"]].rename(columns={"total": "n"}), min_cell=min_cell
    )
    # a stage's counts add up over the groups to the arm's (published by by=None)
    frame = suppress(frame, count="n", min_cell=min_cell, by=("stage",))
    return frame


def ler_funnel(
    dataset: EngineSource,
    by: str | None = "pathway",
    *,
    min_cell: int = MIN_CELL,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """How far the LER arm's learners get: issued, claimed, shared, verified, applied, hired.

    A learner reaches a stage when at least one of their credentials has that
    ``ler_events`` event (issued, claimed, shared, verified), when they made an
    application (applied), when an application ended in a hire (hired). The share
    reaching a stage has all LER-arm learners of the group as denominator (Wilson
    interval); ``conversion`` is the share of those who reached the previous stage
    that also reached this one (``converted`` of ``previous_n``, Wilson interval).

    Parameters
    ----------
    dataset : Dataset, Engine, or a dataset folder / name
    by : str or None
        A learner attribute (default ``pathway``); None: one group ``population="all"``.
    min_cell, confidence
        Cells (learners reaching a stage; groups, with complementary suppression across
        groups; conversions whose counts are small) below ``min_cell`` are hidden.

    Returns
    -------
    DataFrame
        ``<by>, stage, measure ("share_reaching"), estimate, ci_low, ci_high, n``
        (learners reaching the stage), ``suppressed, total`` (LER-arm learners in the
        group), ``previous_n, converted, conversion, conversion_low, conversion_high``.

    Examples
    --------
    >>> import lerkit as lk
    >>> funnel = ler_funnel(lk.datasets.load("pilot-default"), by=None)
    >>> funnel[["stage", "n"]].head(2).to_dict("records")
    [{'stage': 'issued', 'n': 2504}, {'stage': 'claimed', 'n': 2328}]
    """
    _check_common(min_cell, confidence)
    engine = as_engine(dataset)
    learners, name = _group_table(engine, _learners(engine, "ler"), by)
    people = learners.select("learner_id", "group")
    events = engine.table("ler_events")
    reached = events.group_by("learner_id").agg(
        **{s: (events.event == s).any() for s in FUNNEL_STAGES[:4]}
    )
    applications = engine.table("applications")
    applied = applications.group_by("learner_id").agg(
        applied=ibis.literal(True), hired=applications.hired.fill_null(False).any()
    )
    flags = people.left_join(reached, "learner_id").left_join(applied, "learner_id")
    flags = flags.select("group", **{s: flags[s].fill_null(False) for s in FUNNEL_STAGES})
    aggregates: dict[str, Any] = {"total": flags.count()}
    for i, stage in enumerate(FUNNEL_STAGES):
        aggregates[stage] = flags[stage].sum()
        if i:
            before = FUNNEL_STAGES[i - 1]
            aggregates[f"{stage}__converted"] = (flags[stage] & flags[before]).sum()
    counts = engine.execute(flags.group_by("group").agg(**aggregates)).sort_values(
        "group", ignore_index=True
    )
    frame = funnel_table(counts, min_cell=min_cell, confidence=confidence)
    frame = frame.rename(columns={"group": name})
    return finish(
        frame,
        analysis="ler_funnel",
        parameters={"by": by, "cohort": "ler", "stages": list(FUNNEL_STAGES)},
        min_cell=min_cell,
        confidence=confidence,
        groups=[name, "stage"],
        hide=[
            "total",
            "previous_n",
            "converted",
            "conversion",
            "conversion_low",
            "conversion_high",
        ],
    )


# -- 3. verification -----------------------------------------------------------------------


def verification_summary(
    source: EngineSource | pd.DataFrame,
    by: str | Sequence[str] = ("issuer", "format"),
    *,
    now: dt.datetime | None = None,
    workers: int | None = None,
    min_cell: int = MIN_CELL,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Share of credentials that verify, and the faults found, by issuer and format.

    Parameters
    ----------
    source : Dataset, Engine, dataset folder / name, or DataFrame
        A dataset: every credential file its ``credentials`` table names is verified
        with :func:`lerkit.verify_many`, with the dataset's ``status/`` folder as the
        status lists, its ``dids/`` folder for did:web and ``now`` = the dataset's
        ``as_of`` date (00:00 UTC). A DataFrame: a :func:`lerkit.verify_many` result
        computed before (so that a report does not verify twice).
    by : str or sequence of str
        Columns of the verification table (``issuer``, ``format``, ``securing``,
        ``proof_types``); empty: one row for everything.
    now : datetime, optional
        The verification time (default: the dataset's ``as_of``).
    workers : int, optional
        Processes for verify_many.
    min_cell, confidence
        Cells of fewer credentials are suppressed (complementary suppression over the
        table); interval level.

    Returns
    -------
    DataFrame
        ``<by>, measure ("verified_share"), estimate, ci_low, ci_high, n`` (credentials),
        ``suppressed, verified, warning, not_verified, revoked, suspended, expired,
        tampered, unreadable``. ``verified`` counts the verdict "verified"; a credential
        that is authentic but expired is a ``warning``. ``revoked`` / ``suspended``: its
        status check failed with that status; ``expired``: the not_expired check failed;
        ``tampered``: the signature check failed; ``unreadable``: it did not parse.
        ``attrs["verification"]`` is the frame the counts come from.

    Examples
    --------
    >>> frame = pd.DataFrame({"issuer": ["did:web:a"] * 12, "format": "ob3",
    ...     "verdict": ["verified"] * 11 + ["not_verified"], "parsed": "passed",
    ...     "signature": ["passed"] * 11 + ["failed"], "status": "passed",
    ...     "not_expired": "passed", "reason": ""})
    >>> verification_summary(frame)[["n", "estimate", "tampered"]].to_dict("records")
    [{'n': 12, 'estimate': 0.9166666666666666, 'tampered': 1}]
    """
    _check_common(min_cell, confidence)
    columns = [by] if isinstance(by, str) else list(by)
    if isinstance(source, pd.DataFrame):
        verification = source
    else:
        engine = as_engine(source)
        now = _verification_time(engine, now)
        verification = _verify_dataset(engine, now=now, workers=workers)
    needed = ["verdict", "parsed", "signature", "status", "not_expired", "reason", *columns]
    missing = [c for c in needed if c not in verification.columns]
    if missing:
        raise LerkitError(
            f"the verification table has no column {missing[0]!r} (is it a verify_many result?)",
            code="invalid_argument",
        )
    con = ibis.duckdb.connect()
    with _quiet():
        table = ibis.memtable(verification[needed].astype({c: "string" for c in needed}))
    engine = Engine(con, {"verification": table})
    reason = table.reason.fill_null("")
    status_failed = table.status == "failed"
    aggregates = {
        "n": table.count(),
        "verified": (table.verdict == "verified").sum(),
        "warning": (table.verdict == "warning").sum(),
        "not_verified": (table.verdict == "not_verified").sum(),
        "revoked": (status_failed & reason.contains("revoked")).sum(),
        "suspended": (status_failed & reason.contains("suspended")).sum(),
        "expired": (table.not_expired == "failed").sum(),
        "tampered": (table.signature == "failed").sum(),
        "unreadable": (table.parsed == "failed").sum(),
    }
    if columns:
        grouped = table.group_by([table[c].fill_null(NOT_REPORTED).name(c) for c in columns])
        counts = engine.execute(grouped.agg(**aggregates)).sort_values(columns, ignore_index=True)
    else:
        counts = engine.execute(table.agg(**aggregates))
    counts = counts.astype({c: "int64" for c in aggregates})
    counts["measure"] = "verified_share"
    _proportion(counts, "verified", "n", confidence)
    counts = suppress(counts, count="n", min_cell=min_cell)
    tallies = [c for c in aggregates if c != "n"]
    result = finish(
        counts[[*columns, "measure", "estimate", "ci_low", "ci_high", "n", "suppressed", *tallies]],
        analysis="verification_summary",
        parameters={"by": columns, "now": None if now is None else now.isoformat()},
        min_cell=min_cell,
        confidence=confidence,
        groups=columns,
        hide=tallies,
    )
    result.attrs["verification"] = verification
    return result


def _verification_time(engine: Engine, now: dt.datetime | None) -> dt.datetime:
    if now is not None:
        return now
    dataset = engine.dataset
    if dataset is None or dataset.metadata.as_of is None:
        name = "the data" if dataset is None else f"dataset {dataset.name!r}"
        raise LerkitError(f"{name} has no as_of date: pass now=", code="invalid_argument")
    return dt.datetime.combine(dataset.metadata.as_of, dt.time(), dt.UTC)


def _verify_dataset(engine: Engine, *, now: dt.datetime, workers: int | None) -> pd.DataFrame:
    # imported here: lerkit.verify sits below analysis, but loading it is not free
    from lerkit.verify import VerifyOptions, verify_many

    dataset = engine.dataset
    if dataset is None:
        raise LerkitError(
            "verification_summary needs a dataset (or a verify_many table) to verify",
            code="invalid_argument",
        )
    credentials = engine.table("credentials")
    files = engine.execute(
        credentials.filter(credentials.file.notnull()).select("file").order_by("file")
    )["file"]
    folder: Path = dataset.path
    options: dict[str, Any] = {"now": now}
    if (folder / "status").is_dir():
        options["status_lists"] = folder / "status"
    if (folder / "dids").is_dir():
        options["did_web"] = folder / "dids"
    return verify_many(
        [folder / f for f in files],
        options=VerifyOptions(**options),
        workers=workers,
        progress=False,
    )


# -- 4. outcome rates ----------------------------------------------------------------------


def outcome_table(
    counts: pd.DataFrame,
    attributes: Sequence[str],
    *,
    measure: str,
    reference_group: str | Sequence[str] | None = None,
    min_cell: int,
    confidence: float,
) -> pd.DataFrame:
    """The statistics of :func:`outcome_rates` from its counts (``attributes``, ``n``,
    ``k``): rates, gaps to the reference group and suppression, before :func:`finish`.
    """
    attributes = list(attributes)
    counts = counts.astype({"n": "int64", "k": "int64"}).sort_values(attributes, ignore_index=True)
    counts["measure"] = measure
    _proportion(counts, "k", "n", confidence)

    if reference_group is None:
        ref_index = int(counts["n"].to_numpy().argmax())
    else:
        wanted = (reference_group,) if isinstance(reference_group, str) else tuple(reference_group)
        if len(wanted) != len(attributes):
            raise LerkitError(
                f"reference_group {reference_group!r} must name one category of each of {attributes!r}",
                code="invalid_argument",
            )
        match = np.ones(len(counts), dtype=bool)
        for column, value in zip(attributes, wanted, strict=True):
            match &= (counts[column] == _reference_key(value)).to_numpy()
        if not match.any():
            raise LerkitError(
                f"reference_group {reference_group!r} is not a group of the data",
                code="invalid_argument",
            )
        ref_index = int(np.flatnonzero(match)[0])
    ref = counts.iloc[ref_index]
    counts["reference"] = " × ".join(str(ref[a]) for a in attributes)
    gap, low, high = newcombe(counts["k"], counts["n"], ref["k"], ref["n"], confidence)
    counts["gap"], counts["gap_low"], counts["gap_high"] = gap, low, high
    # the reference against itself: a gap of 0 by definition, no interval
    counts.loc[ref_index, ["gap_low", "gap_high"]] = np.nan

    # one attribute: one table; two: a two-way table whose margins are published
    totals = [[a] for a in attributes] if len(attributes) > 1 else []
    counts = suppress(counts, count="n", min_cell=min_cell, totals=totals, numerators=["k"])
    if bool(counts["suppressed"].iloc[ref_index]):
        counts[["gap", "gap_low", "gap_high"]] = np.nan
    columns = [*attributes, "measure", "estimate", "ci_low", "ci_high", "n", "suppressed",
               "k", "reference", "gap", "gap_low", "gap_high"]  # fmt: skip
    return counts[columns]


def outcome_rates(
    dataset: EngineSource,
    outcome: Outcome = "employed",
    by: str = "race_ethnicity",
    *,
    threshold: float | None = None,
    period: str | None = None,
    reference_group: str | tuple[str, str] | None = None,
    intersect: str | None = None,
    cohort: str | None = None,
    min_cell: int = MIN_CELL,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Employment (or wage above a threshold) rate by group, and each group's gap.

    Parameters
    ----------
    dataset : Dataset, Engine, or a dataset folder / name
    outcome : {"employed", "wage_above"}
        ``employed``: employed in the quarter. ``wage_above``: employed at an hourly
        wage above ``threshold`` (learners not employed count as not above).
    by : str
        Learner attribute.
    threshold : float, optional
        USD per hour for ``wage_above`` (default: the median hourly wage of the
        learners employed in the period; recorded in ``attrs["parameters"]``).
    period : str, optional
        The quarter (``"2025Q4"``; default the last one in the data).
    reference_group : str or (str, str), optional
        The group gaps are measured against (default: the largest group; with
        ``intersect`` a pair of categories).
    intersect : str, optional
        A second attribute: cells are the intersections of both.
    cohort : {"ler", "comparison"}, optional
        Only learners of this arm.
    min_cell, confidence
        Cells of fewer learners, or with fewer than ``min_cell`` learners with (or
        without) the outcome, are suppressed, with complementary suppression (over
        both margins for an intersection); interval level.

    Returns
    -------
    DataFrame
        ``<by>[, <intersect>], measure ("employment_rate" / "wage_above_rate"),
        estimate, ci_low, ci_high, n`` (learners in the cell), ``suppressed, k``
        (learners with the outcome), ``reference, gap, gap_low, gap_high`` (rate minus
        the reference group's, Newcombe hybrid score interval).

    Examples
    --------
    >>> import lerkit as lk
    >>> rates = outcome_rates(lk.datasets.load("pilot-default"), by="stars")
    >>> rates[["stars", "n", "k"]].to_dict("records")
    [{'stars': 'false', 'n': 2233, 'k': 1721}, {'stars': 'true', 'n': 2767, 'k': 2096}]
    """
    _check_common(min_cell, confidence)
    if outcome not in ("employed", "wage_above"):
        raise LerkitError(
            f"outcome must be 'employed' or 'wage_above', not {outcome!r}", code="invalid_argument"
        )
    engine = as_engine(dataset)
    attributes = _attributes(engine, [by] if intersect is None else [by, intersect])
    outcomes = engine.table("outcomes")
    if period is None:
        period = str(engine.execute(outcomes.period.max().name("p").as_table())["p"].iloc[0])
    quarter = outcomes.filter(outcomes.period == period)
    learners = _learners(engine, cohort)
    joined = quarter.join(learners, "learner_id")
    if outcome == "wage_above":
        if threshold is None:
            employed = joined.filter(joined.employed & joined.hourly_wage.notnull())
            median = engine.execute(employed.hourly_wage.median().name("m").as_table())["m"].iloc[0]
            threshold = float(median)
        flag = (joined.employed.fill_null(False) & (joined.hourly_wage > threshold)).fill_null(
            False
        )
        measure = "wage_above_rate"
    else:
        flag = joined.employed.fill_null(False)
        measure = "employment_rate"
    cells = joined.select(**{a: _label(joined[a]) for a in attributes}, flag=flag)
    counts = engine.execute(cells.group_by(attributes).agg(n=cells.count(), k=cells.flag.sum()))
    if counts.empty:
        raise LerkitError(f"no outcomes in period {period!r}", code="invalid_argument")
    table = outcome_table(
        counts, attributes, measure=measure, reference_group=reference_group,
        min_cell=min_cell, confidence=confidence,
    )  # fmt: skip
    return finish(
        table,
        analysis="outcome_rates",
        parameters={
            "outcome": outcome,
            "by": by,
            "intersect": intersect,
            "threshold": threshold,
            "period": period,
            "reference_group": reference_group,
            "cohort": cohort,
        },
        min_cell=min_cell,
        confidence=confidence,
        groups=attributes,
        hide=["k", "gap", "gap_low", "gap_high"],
    )
