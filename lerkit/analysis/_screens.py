"""Degree screens against skills screens, and whether dropped degree requirements stick.

``degree_vs_skills`` asks, for the candidate pools the applications form (who applied to
which posting), who qualifies on skills and who on a degree, how many skills-qualified
candidates a degree requirement shuts out (the *opportunity gap*), and how each screen
changes the make-up of the pool.

``degree_requirement_follow_through`` follows employers that drop a degree requirement
from their postings and asks whether their hiring changed, after Fuller, Langer and
Sigelman, *Skills-Based Hiring: The Long Road from Pronouncements to Practice* (Burning
Glass Institute / Harvard Business School, 2024).

Counting runs in the engine (ibis expressions over the dataset's tables); the tests,
change points and typology run on the small aggregated frames.
"""

from __future__ import annotations

import math
from typing import Any

import ibis  # type: ignore[import-untyped, unused-ignore]
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats  # type: ignore[import-untyped, unused-ignore]

from lerkit.analysis._engine import EngineSource, as_engine
from lerkit.analysis._result import finish, with_rates
from lerkit.analysis._suppress import MIN_CELL, suppress
from lerkit.errors import LerkitError

__all__ = [
    "DEGREE_LEVELS",
    "QUALIFIED_SHARE",
    "RISE_THRESHOLD",
    "degree_requirement_follow_through",
    "degree_vs_skills",
]

#: ``highest_education`` codes that satisfy a bachelor's-degree requirement.
DEGREE_LEVELS = ("bachelor", "graduate")
#: Default skill-match threshold: a candidate qualifies on skills when their credentials
#: cover at least this share of the posting's required skills (the bundled generator's
#: ``qualified_match``; postings ask for 3-4 skills, so 0.5 means "at least half").
QUALIFIED_SHARE = 0.5
#: Default rise in the share of hires without a bachelor's (after the drop minus before)
#: for a dropper to count as having followed through: 10 percentage points.
RISE_THRESHOLD = 0.10

_ALL = "all"


# --------------------------------------------------------------------------- analysis 6


def degree_vs_skills(
    dataset: EngineSource,
    by: str = "race_ethnicity",
    *,
    qualified_share: float = QUALIFIED_SHARE,
    min_cell: int = MIN_CELL,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Who qualifies on skills and on a degree, the opportunity gap, and pool composition.

    The unit is the application (a candidate in a posting's pool). A candidate's skills
    are the alignment targets of the achievements of all their credentials; their skill
    match is the share of the posting's ``required_skills`` among them, and they qualify
    on skills when it is at least ``qualified_share``. They qualify on a degree when
    their ``highest_education`` is a bachelor's or graduate degree.

    Parameters
    ----------
    dataset
        A :class:`lerkit.datasets.Dataset` (or anything ``as_engine`` accepts) with
        ``applications``, ``postings``, ``learners``, ``credentials`` and ``alignments``.
    by
        The learner column to group by (default race/ethnicity).
    qualified_share
        The skill-match threshold (0 < share <= 1), default :data:`QUALIFIED_SHARE`.
    min_cell
        Cells with fewer than this many (see ``cell`` below), or a rate whose ``k`` or
        ``n - k`` is smaller, are suppressed.
    confidence
        Level of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        One row per measure and group (``group`` = a category of ``by``, or ``"all"``),
        with ``k`` (numerator), ``n`` (denominator), ``estimate`` = k / n, ``ci_low``,
        ``ci_high`` and ``suppressed``. Measures:

        - ``skills_qualified``: share of applications qualified on skills;
        - ``degree_qualified``: share of applications by bachelor's/graduate holders;
        - ``opportunity_gap``: among skills-qualified applications to postings that
          require a degree, the share without a degree (whom the requirement excludes);
        - ``degree_screen_exclusion_qualified_stars``: among applications of
          skills-qualified STARs that met a degree screen, the share not screened in;
        - ``share_of_applicants``, ``share_of_degree_screen_pool``,
          ``share_passing_degree_screen``, ``share_of_skills_screen_pool``,
          ``share_passing_skills_screen``: the group's share of each pool (composition).

        Rates are suppressed on their denominator, composition shares on their
        numerator (the group's count in the pool).

    Examples
    --------
    >>> import lerkit as lk
    >>> table = lk.degree_vs_skills(lk.datasets.load("pilot-default"))  # doctest: +SKIP
    >>> table[table["measure"] == "opportunity_gap"]  # doctest: +SKIP
    """
    if not 0.0 < qualified_share <= 1.0:
        raise LerkitError(
            f"qualified_share must be in (0, 1], got {qualified_share!r}", code="invalid_argument"
        )
    engine = as_engine(dataset)
    learners = engine.table("learners")
    if by not in learners.columns:
        raise LerkitError(f"unknown learner column {by!r} in by", code="invalid_argument")
    pool = _candidate_pool(engine, by=by, qualified_share=qualified_share)

    def totals(table: ibis.Table) -> dict[str, Any]:
        screen_degree = table.screen == "degree"
        screen_skills = table.screen == "skills"
        focus = table.stars & table.skills_ok & screen_degree
        required = table.requires_degree & table.skills_ok

        def count(flag: ibis.expr.types.BooleanValue) -> Any:
            return flag.fill_null(False).cast("int64").sum()

        return {
            "applications": table.count(),
            "skills_qualified": count(table.skills_ok),
            "degree_qualified": count(table.degree_ok),
            "req_skills_qualified": count(required),
            "req_gap": count(required & ~table.degree_ok),
            "stars_focus": count(focus),
            "stars_focus_out": count(focus & ~table.screened_in),
            "degree_pool": count(screen_degree),
            "degree_pass": count(screen_degree & table.screened_in),
            "skills_pool": count(screen_skills),
            "skills_pass": count(screen_skills & table.screened_in),
        }

    grouped = engine.execute(pool.group_by("group").aggregate(**totals(pool)))
    # every total is a count, so the overall row is the groups' sum (the pool is the
    # costliest query of the analyses: a join of applications to required and held skills)
    overall = grouped.drop(columns="group").sum().to_frame().T.assign(group=_ALL)
    counts = pd.concat([grouped, overall], ignore_index=True)
    counts["group"] = counts["group"].astype("string").fillna("unknown").astype(str)
    counts = counts.set_index("group")

    rates = {
        "skills_qualified": ("skills_qualified", "applications"),
        "degree_qualified": ("degree_qualified", "applications"),
        "opportunity_gap": ("req_gap", "req_skills_qualified"),
        "degree_screen_exclusion_qualified_stars": ("stars_focus_out", "stars_focus"),
    }
    shares = {
        "share_of_applicants": "applications",
        "share_of_degree_screen_pool": "degree_pool",
        "share_passing_degree_screen": "degree_pass",
        "share_of_skills_screen_pool": "skills_pool",
        "share_passing_skills_screen": "skills_pass",
    }
    rows: list[dict[str, Any]] = []
    records: dict[Any, dict[Any, Any]] = counts.to_dict("index")
    for group, row in records.items():
        for measure, (num, den) in rates.items():
            k, n = int(row[num]), int(row[den])
            rows.append({"measure": measure, "group": group, "k": k, "n": n, "cell": n})
        if group == _ALL:
            continue
        for measure, column in shares.items():
            k, n = int(row[column]), int(records[_ALL][column])
            rows.append({"measure": measure, "group": group, "k": k, "n": n, "cell": k})
    frame = pd.DataFrame(rows)
    frame = with_rates(frame, confidence=confidence)
    frame = frame.sort_values(["measure", "group"], ignore_index=True)
    # each measure's cells add up to its "all" row / pool total: complementary suppression
    # a rate (cell = n) is also hidden when its k or n - k is small; a share's cell is
    # its k already
    frame["rate_k"] = frame["k"].where(frame["cell"] == frame["n"])
    frame = suppress(frame, count="cell", min_cell=min_cell, by=("measure",), numerators=["rate_k"])
    frame = frame.drop(columns=["cell", "rate_k"])
    result = finish(
        frame,
        analysis="degree_vs_skills",
        parameters={"by": by, "qualified_share": qualified_share},
        min_cell=min_cell,
        confidence=confidence,
        groups=["group"],
        hide=["k"],
    )
    result.attrs["unit"] = "application (a candidate in a posting's pool)"
    result.attrs["definitions"] = {
        "skills": "alignment targets of the achievements of the learner's credentials",
        "skills_qualified": f"skill match >= {qualified_share} of the posting's required_skills",
        "degree_qualified": f"highest_education in {list(DEGREE_LEVELS)}",
        "opportunity_gap": "skills-qualified, no degree, posting requires a degree; "
        "denominator: skills-qualified applications to postings requiring a degree",
    }
    return result


def _candidate_pool(engine: Any, *, by: str, qualified_share: float) -> ibis.Table:
    """One row per application: group, skills_ok, degree_ok, stars, requires_degree, ..."""
    apps = engine.table("applications")
    postings = engine.table("postings")
    learners = engine.table("learners")
    credentials = engine.table("credentials")
    alignments = engine.table("alignments")

    required = postings.select(
        r_posting=postings.posting_id, r_skill=postings.required_skills.unnest()
    ).distinct()
    held = (
        credentials.join(alignments, "achievement_id")
        .select(h_learner="learner_id", h_skill="target_code")
        .distinct()
    )
    wanted = apps.select(a_id=apps.application_id, a_learner=apps.learner_id,
                         a_posting=apps.posting_id).join(
        required, ibis._.a_posting == required.r_posting
    )  # fmt: skip
    matched = wanted.left_join(
        held, (wanted.a_learner == held.h_learner) & (wanted.r_skill == held.h_skill)
    )
    match = matched.group_by("a_id").aggregate(
        m_required=matched.count(),
        m_held=matched.h_learner.notnull().cast("int64").sum(),
    )
    people = learners.select(
        "learner_id",
        group=learners[by].cast("string"),
        degree_ok=learners.highest_education.cast("string").isin(DEGREE_LEVELS),
        stars=learners.stars.fill_null(False),
    )
    jobs = postings.select("posting_id", requires_degree=postings.requires_degree.fill_null(False))
    pool = (
        apps.left_join(match, apps.application_id == match.a_id)
        .join(people, "learner_id")
        .join(jobs, "posting_id")
    )
    share = (pool.m_held.cast("float64") / pool.m_required.cast("float64")).fill_null(0.0)
    return pool.select(
        "group",
        "screen",
        "degree_ok",
        "stars",
        "requires_degree",
        screened_in=pool.screened_in.fill_null(False),
        # a tolerance so that 2/4 >= 0.5 is not lost to floating point
        skills_ok=share >= qualified_share - 1e-9,
    )


# -------------------------------------------------------------------------- analysis 16


def degree_requirement_follow_through(
    dataset: EngineSource,
    *,
    rise_threshold: float = RISE_THRESHOLD,
    alpha: float = 0.01,
    reinstate_alpha: float = 0.05,
    min_postings: int = 2,
    min_hires: int = 3,
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
        A *drop* is the most likely single change point in the employer's sequence of
        postings (ordered by ``posted_on``) at which the share requiring a degree falls,
        kept when a likelihood-ratio test (chi-squared, 1 df) rejects "no change" at
        ``alpha`` and each side has ``min_postings`` postings; single postings toggling
        true/false are not a drop, since an employer's requirement varies by occupation.
        A *reinstatement* is a change point after the drop at which the share rises
        again (test at ``reinstate_alpha``). Hires are attributed to the date of the
        posting they were hired through; ``before`` / ``after`` are the shares of hires
        without a bachelor's on postings before the drop and from the drop on (up to a
        reinstatement). Typology:

        - ``backslid``: the requirement was reinstated later;
        - ``followed_through``: after - before >= ``rise_threshold``;
        - ``in_name_only``: a smaller rise (or a fall);
        - ``insufficient_hires``: fewer than ``min_hires`` hires before or after;
        - ``no_drop``: no drop detected (including employers with too few postings).

    Parameters
    ----------
    dataset
        A dataset with ``postings``, ``applications`` and ``learners``.
    rise_threshold
        The rise in the share of non-degree hires that counts as following through
        (default :data:`RISE_THRESHOLD`, 10 percentage points).
    alpha, reinstate_alpha
        Significance levels of the drop and reinstatement change points. The drop test
        is strict (0.01) because it is the maximum over every split, which inflates the
        chance of a spurious change.
    min_postings
        Postings required on each side of a change point.
    min_hires
        Hires required before and after the drop to classify an employer.
    min_cell, confidence
        Suppression threshold (quarterly shares on postings; employer hire shares on
        hires) and interval level.

    Returns
    -------
    pandas.DataFrame
        Columns ``part``, ``measure``, ``category`` (quarter ``2024Q1`` or employer id),
        ``estimate``, ``ci_low``, ``ci_high``, ``n``, ``suppressed``, and for employers
        ``typology``, ``dropped_on``, ``reinstated_on``, ``p_drop``, ``hires_before``,
        ``hires_after``, ``nondegree_share_before``, ``nondegree_share_after``
        (``estimate`` is then the rise, after minus before). Employer rows are
        suppressed when fewer than ``min_cell`` hires lie on either side of the drop;
        the typology stays visible. ``attrs["typology_counts"]`` tallies it.

    Examples
    --------
    >>> import lerkit as lk
    >>> table = lk.degree_requirement_follow_through(lk.datasets.load("pilot-default"))  # doctest: +SKIP
    >>> table[table["part"] == "employers"]["typology"].value_counts()  # doctest: +SKIP
    """
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

    day = postings.posted_on.cast("date")
    daily = engine.execute(
        postings.group_by("employer_id", day=day).aggregate(
            n=postings.count(),
            k=postings.requires_degree.fill_null(False).cast("int64").sum(),
        )
    )
    apps = engine.table("applications")
    learners = engine.table("learners")
    hired = (
        apps.filter(apps.hired.fill_null(False))
        .join(postings.select("posting_id", "employer_id", p_day=day), "posting_id")
        .join(learners.select("learner_id", "highest_education"), "learner_id")
    )
    nondegree = ~hired.highest_education.cast("string").isin(DEGREE_LEVELS)
    hires = engine.execute(
        hired.group_by("employer_id", day=hired.p_day).aggregate(
            hires=hired.count(), nondegree=nondegree.cast("int64").sum()
        )
    )
    employers = _typology(
        daily, hires, rise_threshold=rise_threshold, alpha=alpha,
        reinstate_alpha=reinstate_alpha, min_postings=min_postings, min_hires=min_hires,
    )  # fmt: skip
    employers["suppressed_by"] = np.minimum(employers["hires_before"], employers["hires_after"])

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
        parameters={
            "rise_threshold": rise_threshold,
            "alpha": alpha,
            "reinstate_alpha": reinstate_alpha,
            "min_postings": min_postings,
            "min_hires": min_hires,
        },
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
        "Drops are inferred from postings, so an employer with few postings cannot show "
        "one; employer hire shares are small-sample estimates.",
        "Hires are only observed while the pilot's learners apply: an employer that "
        "dropped the requirement before then has no 'before' hires and is reported as "
        "insufficient_hires rather than guessed.",
        "Typology follows Burning Glass Institute / HBS (2024): leaders (followed "
        "through), in name only, backsliders; thresholds here are lerkit's, documented "
        "in the parameters.",
    ]
    return result


def _loglik(k: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Bernoulli log-likelihood at the MLE of k successes in n trials (0 log 0 = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, k / np.where(n > 0, n, 1.0), 0.0)
        yes = np.where(k > 0, k * np.log(np.where(p > 0, p, 1.0)), 0.0)
        no = np.where(n - k > 0, (n - k) * np.log(np.where(p < 1, 1.0 - p, 1.0)), 0.0)
    return np.asarray(yes + no, dtype=float)


def change_point(
    k: ArrayLike, n: ArrayLike, *, direction: int, min_side: int
) -> tuple[int | None, float]:
    """The best single change point of a binomial sequence, and its LR-test p-value.

    ``k[i]`` successes in ``n[i]`` trials, in time order; ``direction`` -1 looks for a
    fall in the rate, +1 for a rise. Returns the index of the first element after the
    change (``None`` when no split qualifies) and the chi-squared (1 df) p-value.

    >>> change_point([1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1], direction=-1, min_side=2)[0]
    3
    """
    ks = np.asarray(k, dtype=float)
    ns = np.asarray(n, dtype=float)
    if len(ks) < 2:
        return None, 1.0
    ck, cn = np.cumsum(ks), np.cumsum(ns)
    k1, n1 = ck[:-1], cn[:-1]
    k2, n2 = ck[-1] - k1, cn[-1] - n1
    ok = (n1 >= min_side) & (n2 >= min_side)
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = k2 / n2 - k1 / n1
    ok &= direction * np.nan_to_num(diff) > 0
    if not ok.any():
        return None, 1.0
    whole = _loglik(ck[-1:], cn[-1:])[0]
    gain = np.where(ok, _loglik(k1, n1) + _loglik(k2, n2) - whole, -np.inf)
    best = int(np.argmax(gain))
    return best + 1, float(stats.chi2.sf(2.0 * max(gain[best], 0.0), 1))


def _typology(
    daily: pd.DataFrame,
    hires: pd.DataFrame,
    *,
    rise_threshold: float,
    alpha: float,
    reinstate_alpha: float,
    min_postings: int,
    min_hires: int,
) -> pd.DataFrame:
    """Per employer: drop, reinstatement, hire shares and typology (aggregated input)."""
    daily = daily.assign(day=pd.to_datetime(daily["day"])).sort_values(["employer_id", "day"])
    hires = hires.assign(day=pd.to_datetime(hires["day"]))
    by_employer = dict(tuple(hires.groupby("employer_id")))
    empty = hires.iloc[:0]
    rows = []
    for employer, days in daily.groupby("employer_id", sort=True):
        at, p_drop = change_point(days["k"], days["n"], direction=-1, min_side=min_postings)
        row: dict[str, Any] = {
            "employer_id": employer,
            "n_postings": int(days["n"].sum()),
            "p_drop": p_drop,
            "dropped_on": pd.NaT,
            "reinstated_on": pd.NaT,
            "hires_before": 0,
            "hires_after": 0,
            "nondegree_share_before": math.nan,
            "nondegree_share_after": math.nan,
            "typology": "no_drop",
        }
        if at is None or p_drop >= alpha:
            rows.append(row)
            continue
        dropped_on = days["day"].iloc[at]
        after = days.iloc[at:]
        back, p_back = change_point(after["k"], after["n"], direction=1, min_side=min_postings)
        reinstated_on = (
            after["day"].iloc[back] if back is not None and p_back < reinstate_alpha else pd.NaT
        )
        mine = by_employer.get(employer, empty)
        before_h = mine[mine["day"] < dropped_on]
        after_mask = mine["day"] >= dropped_on
        if not pd.isna(reinstated_on):
            after_mask &= mine["day"] < reinstated_on
        after_h = mine[after_mask]
        hb, ha = int(before_h["hires"].sum()), int(after_h["hires"].sum())
        sb = float(before_h["nondegree"].sum()) / hb if hb else math.nan
        sa = float(after_h["nondegree"].sum()) / ha if ha else math.nan
        if not pd.isna(reinstated_on):
            kind = "backslid"
        elif min(hb, ha) < min_hires:
            kind = "insufficient_hires"
        elif sa - sb >= rise_threshold:
            kind = "followed_through"
        else:
            kind = "in_name_only"
        row.update(
            dropped_on=dropped_on, reinstated_on=reinstated_on, hires_before=hb,
            hires_after=ha, nondegree_share_before=sb, nondegree_share_after=sa,
            typology=kind,
        )  # fmt: skip
        rows.append(row)
    out = pd.DataFrame(rows)
    rise = out["nondegree_share_after"] - out["nondegree_share_before"]
    return out.assign(
        part="employers",
        measure="nondegree_hire_share_rise",
        category=out["employer_id"],
        estimate=rise,
        ci_low=math.nan,
        ci_high=math.nan,
        n=out["hires_before"] + out["hires_after"],
    ).drop(columns="employer_id")
