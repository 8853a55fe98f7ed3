"""Degree screens against skills screens, and whether dropped degree requirements stick.

``degree_vs_skills`` asks, for the candidate pools the applications form (who applied to
which posting), who qualifies on skills and who on a degree, how many skills-qualified
candidates a degree requirement shuts out (the *opportunity gap*), and how each screen
changes the make-up of the pool.

Whether employers that drop a degree requirement follow through is
:mod:`lerkit.analysis._follow_through`.

Counting runs in the engine (ibis expressions over the dataset's tables); the
statistics run on the small aggregated frames.
"""

from __future__ import annotations

from typing import Any

import ibis  # type: ignore[import-untyped, unused-ignore]
import pandas as pd

from lerkit.analysis._engine import EngineSource, as_engine
from lerkit.analysis._result import finish, with_rates
from lerkit.analysis._suppress import MIN_CELL, suppress
from lerkit.errors import LerkitError

__all__ = [
    "DEGREE_LEVELS",
    "QUALIFIED_SHARE",
    "degree_vs_skills",
]

#: ``highest_education`` codes that satisfy a bachelor's-degree requirement.
DEGREE_LEVELS = ("bachelor", "graduate")
#: Default skill-match threshold: a candidate qualifies on skills when their credentials
#: cover at least this share of the posting's required skills (the bundled generator's
#: ``qualified_match``; postings ask for 3-4 skills, so 0.5 means "at least half").
QUALIFIED_SHARE = 0.5

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
    >>> table = lk.analysis.degree_vs_skills(lk.datasets.load("pilot-default"))  # doctest: +SKIP
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
