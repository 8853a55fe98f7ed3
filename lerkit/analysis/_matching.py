"""Skills matching: match scores, top occupations, skills gaps, skill distance, fairness.

Definitions
-----------
*A learner's skills* are the distinct alignment ``target_code`` values of the
achievements of all their credentials (as in :mod:`lerkit.analysis._screens`); codes
that are not skills (e.g. ``onet_soc`` occupation alignments) never equal a required
skill, so they never change a score.

*Match score* of a learner for a posting (or an occupation) is the **coverage** of its
required skills: the number of the posting's distinct ``required_skills`` (the
occupation's distinct ``skills`` profile) the learner holds, divided by the number of
them, a value in [0, 1]. Postings and occupations that require no skill have no score
and are left out. A learner *qualifies* when the score is at least ``qualified_share``
(default :data:`QUALIFIED_SHARE` = 0.5, with a 1e-9 tolerance so that 2/4 >= 0.5 is
not lost to floating point). When scores tie, the better-paid option ranks first
(posting ``wage``, occupation ``median_wage``), then the lower code.

*Skill distance* between occupations (in the style of Opportunity@Work's STARs
research on skills-based transitions) is ``skills_to_gain``: the share of the
destination's skills the origin profile lacks, ``|D - O| / |D|``. It is asymmetric
(moving from a broad occupation into a narrow one is short, the reverse may be long)
and equals one minus the score a worker holding exactly the origin's profile would have
for the destination. A move is *reachable* when it is at most
:data:`REACHABLE_DISTANCE` (0.5: the origin profile would qualify for the destination
at the default ``qualified_share``). The symmetric Jaccard distance
``1 - |O & D| / |O | D|`` is reported too.

Where the work runs
-------------------
Scores depend on a learner only through their set of relevant skills, so the engine
groups learners by skill set (:func:`skill_sets`) and scores the distinct sets: a join on
skill id of set skills x occupation skills (or x the distinct posting requirement sets),
never a Python loop over learners, nor learners x postings. Counts per group then come
from learners per (set, group). :func:`top_occupations` gets each distinct set's ranking
and one (learner, set) row per learner from the engine and expands them with vectorized
index arithmetic. :func:`held_skills`, :func:`required_skills`,
:func:`occupation_skills` and :func:`skill_sets` are the shared
engine expressions other analyses can reuse.

Privacy
-------
:func:`top_occupations` is per learner by nature: one person's data, not a published
table, so it is not suppressed. The other functions return published tables:
counts of people (group sizes, numerators, their complements) below ``min_cell`` are
hidden, with complementary suppression where a published total would reveal them.
Occupation-level figures (skill distances, wages) are not about people and are never
suppressed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis  # type: ignore[import-untyped, unused-ignore]
import numpy as np
import pandas as pd

from lerkit.analysis._engine import Engine, EngineSource, as_engine
from lerkit.analysis._hiring import FOUR_FIFTHS
from lerkit.analysis._intervals import t_interval
from lerkit.analysis._result import finish, with_rates
from lerkit.analysis._screens import DEGREE_LEVELS, QUALIFIED_SHARE
from lerkit.analysis._suppress import MIN_CELL, suppress
from lerkit.errors import LerkitError

__all__ = [
    "REACHABLE_DISTANCE",
    "held_skills",
    "matcher_fairness",
    "occupation_skills",
    "required_skills",
    "skill_distance",
    "skill_gaps",
    "skill_sets",
    "top_occupations",
]

#: Default largest ``skills_to_gain`` of a reachable occupation move: the origin's
#: profile covers at least half of the destination's skills.
REACHABLE_DISTANCE = 0.5

_ALL = "all"
#: Joins the skill ids of a skill-set key. Spark's ``split`` takes a regular expression,
#: so the separator must not be a regex metacharacter (``|`` is); the ASCII unit
#: separator is neither that nor ever part of a skill id.
_SEP = "\x1f"
#: The matcher's measures: any posting; postings without a degree requirement; and with
#: the degree screen applied (degree-requiring postings only for degree holders).
_FAIRNESS_MEASURES = ("recommended", "recommended_no_degree", "recommended_degree_screened")
_TOL = 1e-9
_UNKNOWN = "unknown"
# suffixes of matcher_fairness's per-posting aggregates
_SUM, _SQUARES, _SOME, _EVERY = "__sum", "__squares", "__some", "__every"

_TOP_COLUMNS = (
    "learner_id",
    "rank",
    "occupation_soc",
    "title",
    "score",
    "covered",
    "required",
    "missing_skills",
    "median_wage",
    "qualified",
)


# ------------------------------------------------------------ shared engine expressions


def held_skills(engine: Engine) -> Any:
    """Each learner's skills: distinct (``learner_id``, ``skill_id``) pairs, in the engine.

    A learner holds the alignment ``target_code`` of every achievement of each of their
    credentials (the definition of :mod:`lerkit.analysis._screens`).

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis import connect
    >>> engine = connect(lk.datasets.load("pilot-default"))
    >>> held_skills(engine).columns
    ('learner_id', 'skill_id')
    """
    return _held_skills(engine)


def _held_skills(engine: Engine, learners: Any = None, *, distinct: bool = True) -> Any:
    """:func:`held_skills`, of the learners in ``learners`` (a table with ``learner_id``).

    The learners are picked from the credentials before the join, so the engine reduces
    the big table first. ``distinct=False`` keeps repeated pairs (a learner with two
    credentials aligned to a skill): :func:`skill_sets` drops them in its own
    aggregation, which costs far less memory than a DISTINCT over every pair first
    (at 1,000,000 learners matcher_fairness peaked 370 MB lower and ran 2.8x faster).
    """
    credentials = engine.table("credentials").select("learner_id", "achievement_id")
    if learners is not None:
        credentials = credentials.semi_join(learners, "learner_id")
    alignments = engine.table("alignments")
    pairs = credentials.join(
        alignments.select("achievement_id", skill_id=alignments.target_code), "achievement_id"
    )
    pairs = pairs.filter(pairs.learner_id.notnull() & pairs.skill_id.notnull())
    pairs = pairs.select("learner_id", "skill_id")
    return pairs.distinct() if distinct else pairs


def required_skills(engine: Engine, postings: Any = None) -> Any:
    """Each posting's distinct required skills: (``posting_id``, ``skill_id``) pairs.

    Parameters
    ----------
    engine : Engine
    postings : ibis.Table, optional
        A filtered ``postings`` table; default all postings.

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis import connect
    >>> required_skills(connect(lk.datasets.load("pilot-default"))).columns
    ('posting_id', 'skill_id')
    """
    table = engine.table("postings") if postings is None else postings
    pairs = table.select("posting_id", skill_id=table.required_skills.unnest())
    return pairs.filter(pairs.skill_id.notnull()).distinct()


def occupation_skills(engine: Engine) -> Any:
    """Each occupation's skill profile: distinct (``occupation_soc``, ``skill_id``) pairs.

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis import connect
    >>> occupation_skills(connect(lk.datasets.load("pilot-default"))).columns
    ('occupation_soc', 'skill_id')
    """
    occupations = engine.table("occupations")
    pairs = occupations.select("occupation_soc", skill_id=occupations.skills.unnest())
    return pairs.filter(pairs.skill_id.notnull()).distinct()


def skill_sets(held: Any, relevant: Any) -> Any:
    """Each learner's set of relevant skills as one key: (``learner_id``, ``set_key``).

    ``set_key`` is the learner's skills among ``relevant`` (a table with ``skill_id``),
    sorted and joined with the ASCII unit separator (``\\x1f``). Learners with no
    relevant skill have no row. Scores depend on a learner only through this key, so
    matching runs once per distinct key.

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis import connect
    >>> engine = connect(lk.datasets.load("pilot-default"))
    >>> sets = skill_sets(held_skills(engine), occupation_skills(engine))
    >>> sets.columns
    ('learner_id', 'set_key')
    """
    kept = held.join(relevant.select("skill_id").distinct(), "skill_id")
    # distinct here, not in ``held``: repeated pairs may come in (see _held_skills)
    key = kept.skill_id.collect(distinct=True).sort().join(_SEP)
    return kept.group_by("learner_id").aggregate(set_key=key)


def _set_skills(sets: Any) -> Any:
    """(``set_key``, ``skill_id``) for each distinct key of :func:`skill_sets`."""
    keys = sets.select("set_key").distinct()
    return keys.select("set_key", skill_id=keys.set_key.split(_SEP).unnest())


def _ranked_occupations(engine: Engine, held: Any, k: int, qualified_share: float) -> Any:
    """The top ``k`` occupations of each skill set sharing at least one skill with it.

    ``held`` has ``set_key`` and ``skill_id`` (see :func:`_set_skills`).
    """
    profile = occupation_skills(engine)
    sizes = profile.group_by("occupation_soc").aggregate(required=profile.count())
    pairs = held.join(profile, "skill_id")
    covered = pairs.group_by("set_key", "occupation_soc").aggregate(covered=pairs.count())
    occupations = engine.table("occupations").select("occupation_soc", "title", "median_wage")
    scored = covered.join(sizes, "occupation_soc").join(occupations, "occupation_soc")
    scored = scored.mutate(score=scored.covered.cast("float64") / scored.required.cast("float64"))
    rank = ibis.row_number().over(
        group_by="set_key",
        order_by=[
            ibis.desc("score"),
            scored.median_wage.isnull(),  # unknown wages last
            ibis.desc("median_wage"),
            "occupation_soc",
        ],
    )
    ranked = scored.mutate(rank=(rank + 1).cast("int64"))
    ranked = ranked.filter(ranked.rank <= k)
    return ranked.mutate(qualified=ranked.score >= qualified_share - _TOL)


def _missing(engine: Engine, ranked: Any, held: Any) -> Any:
    """(set_key, occupation_soc, skill_id) for each profile skill the skill set lacks."""
    profile = occupation_skills(engine)
    wanted = ranked.select("set_key", "occupation_soc").join(profile, "occupation_soc")
    return wanted.anti_join(held, ["set_key", "skill_id"])


# -------------------------------------------------------------------------- validation


def _check_share(qualified_share: float) -> None:
    if not isinstance(qualified_share, int | float) or not 0.0 < float(qualified_share) <= 1.0:
        raise LerkitError(
            f"qualified_share must be in (0, 1], got {qualified_share!r}", code="invalid_argument"
        )


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise LerkitError(f"k must be a positive integer, got {k!r}", code="invalid_argument")


def _group_column(engine: Engine, by: str) -> Any:
    learners = engine.table("learners")
    if by not in learners.columns:
        raise LerkitError(
            f"unknown learner column {by!r} in by (columns: {', '.join(learners.columns)})",
            code="invalid_argument",
        )
    return learners.select("learner_id", group=learners[by].cast("string"))


def _as_list(value: str | Sequence[str] | None, name: str) -> list[str] | None:
    if value is None:
        return None
    values = [value] if isinstance(value, str) else list(value)
    if not values or not all(isinstance(v, str) for v in values):
        raise LerkitError(
            f"{name} must be a string or a non-empty list of strings, got {value!r}",
            code="invalid_argument",
        )
    return values


def _labels(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna(_UNKNOWN).astype(str)


# ------------------------------------------------------------------------- suppression


def _suppress_sizes(frame: pd.DataFrame, *, min_cell: int) -> pd.Series:
    """Hidden flags from the group sizes ``n`` alone (rows ``group``, ``n``, ``all`` too).

    The sizes repeat in every table, so they are one published table of their own
    (adding up to the ``all`` size): small ones and their complements are hidden.
    """
    hidden = pd.Series(False, index=frame.index)
    parts = frame["group"] != _ALL
    sizes = frame.loc[parts].drop_duplicates("group")[["group", "n"]].reset_index(drop=True)
    if len(sizes):
        flagged = suppress(sizes, count="n", min_cell=min_cell)
        small_groups = set(flagged.loc[flagged["suppressed"], "group"])
        hidden |= frame["group"].isin(small_groups)
    totals = frame.loc[~parts]
    hidden.loc[totals.index] |= totals["n"] < min_cell
    return hidden


def _suppress_rates(frame: pd.DataFrame, *, table: str, min_cell: int) -> pd.Series:
    """Hidden flags for rows (``table``, ``group``, ``k``, ``n``), ``all`` rows included.

    The group sizes ``n`` repeat in every table, so they are one published table of
    their own (adding up to the ``all`` size): small ones and their complements are
    hidden in every row. Then within each table a row is hidden when ``k`` or ``n - k``
    is small, and more rows are hidden until neither the hidden ``k`` nor the hidden
    ``n - k`` can be recovered from the ``all`` row (at least two hidden, each with a
    positive sum).
    """
    hidden = _suppress_sizes(frame, min_cell=min_cell)
    parts = frame["group"] != _ALL
    # primary on k and n - k only: each row is its own table here
    rows = frame.assign(suppressed=hidden, _row=np.arange(len(frame)))
    rows = suppress(rows, count="n", min_cell=min_cell, by=("_row",), numerators=["k"])
    hidden = rows["suppressed"].astype(bool)
    groups = rows.loc[parts].assign(suppressed=hidden[parts])
    if len(groups):
        # the k with the outcome and the n - k without each add up to the "all" row's:
        # neither set of hidden cells may be solvable (more hiding keeps the first safe)
        done = suppress(groups, count="k", min_cell=min_cell, by=(table,))
        done = suppress(done.assign(_rest=done["n"] - done["k"]), count="_rest",
                        min_cell=min_cell, by=(table,))  # fmt: skip
        hidden.loc[done.index] = done["suppressed"].astype(bool).to_numpy()
    return hidden


# ---------------------------------------------------------------------- top occupations


def top_occupations(
    dataset: EngineSource,
    learner_ids: Sequence[str] | None = None,
    k: int = 3,
    *,
    qualified_share: float = QUALIFIED_SHARE,
) -> pd.DataFrame:
    """Each learner's ``k`` best-matching occupations and the skills they still miss.

    Occupations are ranked by match score (coverage of the occupation's skill profile by
    the learner's skills, see the module docstring), then by higher ``median_wage``,
    then by code. Only occupations sharing at least one skill with the learner are
    ranked, so a learner with no matching skill has no rows. Scores are computed in the
    engine by joining learner skills with occupation skills on skill id.

    Per learner by nature (one person's data): **not suppressed, not for publication**.

    Parameters
    ----------
    dataset
        A dataset (or anything ``as_engine`` accepts) with ``credentials``,
        ``alignments`` and ``occupations``.
    learner_ids
        The learners to rank for; default every learner holding a skill of some
        occupation.
    k
        How many occupations per learner (>= 1).
    qualified_share
        The score at which ``qualified`` is true (0 < share <= 1).

    Returns
    -------
    pandas.DataFrame
        One row per learner and rank (1 = best): ``learner_id``, ``rank``,
        ``occupation_soc``, ``title``, ``score``, ``covered`` (skills held),
        ``required`` (skills in the profile), ``missing_skills`` (sorted tuple of
        skill ids, shared between learners with the same skills), ``median_wage``,
        ``qualified``; sorted by learner and rank.

    Raises
    ------
    LerkitError
        ``invalid_argument`` for ``k < 1`` or a share outside (0, 1].

    Examples
    --------
    >>> import lerkit as lk
    >>> pilot = lk.datasets.load("pilot-default")
    >>> top = top_occupations(pilot, k=2)
    >>> int(top["rank"].max())
    2
    """
    _check_k(k)
    _check_share(qualified_share)
    engine = as_engine(dataset)
    wanted = None
    if learner_ids is not None:
        ids = pd.Series([str(i) for i in learner_ids], dtype=object).drop_duplicates()
        if ids.empty:
            return _empty_top()
        # a join with a small table, not an IN list: ibis and sqlglot take longer to
        # compile thousands of literals than the engine takes to run the query
        wanted = ibis.memtable(pd.DataFrame({"learner_id": ids}), schema={"learner_id": "string"})
    held = _held_skills(engine, wanted, distinct=False)
    sets = skill_sets(held, occupation_skills(engine))
    # Everything but the learner id depends only on the skill set: the engine sends one
    # (learner, set) row per learner, then ranks only the distinct sets sent back to it
    # (a small table: the ranking does not scan the credentials again), and the two are
    # expanded here with index arithmetic instead of shipping millions of repeated
    # titles and lists.
    members = engine.execute(sets.order_by("learner_id"))
    if members.empty:
        frame = _empty_top()
    else:
        keys = pd.DataFrame({"set_key": sorted(members["set_key"].astype(str).unique())})
        distinct = ibis.memtable(keys, schema={"set_key": "string"})
        set_held = _set_skills(distinct)
        ranked = _ranked_occupations(engine, set_held, int(k), qualified_share)
        missing = _missing(engine, ranked, set_held)
        lists = missing.group_by("set_key", "occupation_soc").aggregate(
            missing_skills=missing.skill_id.collect().sort()
        )
        per_set = ranked.left_join(lists, ["set_key", "occupation_soc"]).select(
            "set_key", "rank", "occupation_soc", "title", "score", "covered", "required",
            "missing_skills", "median_wage", "qualified",
        )  # fmt: skip
        ranking = engine.execute(per_set.order_by("set_key", "rank"))
        frame = _expand(members, ranking)
    frame = frame.astype({"rank": "int64", "covered": "int64", "required": "int64"})
    frame["qualified"] = frame["qualified"].astype(bool)
    frame.attrs = {
        "analysis": "top_occupations",
        "parameters": {"k": int(k), "qualified_share": qualified_share},
        "suppressed": False,
        "note": "per-learner results: one person's data, not for publication",
    }
    return frame


def _expand(members: pd.DataFrame, ranking: pd.DataFrame) -> pd.DataFrame:
    """One row per learner and rank, from (learner_id, set_key) and each set's ranking."""
    keys = ranking["set_key"].astype(str).to_numpy()
    starts = np.r_[True, keys[1:] != keys[:-1]] if len(keys) else np.zeros(0, dtype=bool)
    first = np.flatnonzero(starts).astype(np.int64)
    sizes = np.diff(np.r_[first, len(keys)]).astype(np.int64)
    position = pd.Index(keys[first]).get_indexer(pd.Index(members["set_key"].astype(str)))
    # every set shares a skill with some occupation, so every set is ranked; kept safe
    keep = position >= 0
    members, position = members.iloc[np.flatnonzero(keep)], position[keep]
    counts = sizes[position]
    offsets = np.cumsum(counts) - counts
    within = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(offsets, counts)
    take = np.repeat(first[position], counts) + within
    frame = ranking.iloc[take].drop(columns="set_key").reset_index(drop=True)
    frame.insert(0, "learner_id", np.repeat(members["learner_id"].to_numpy(), counts))
    # shared between learners with the same set: immutable tuples, not lists
    lists = ranking["missing_skills"].map(
        lambda v: tuple(str(x) for x in v) if isinstance(v, list | tuple | np.ndarray) else ()
    )
    frame["missing_skills"] = lists.to_numpy(dtype=object)[take]
    out: pd.DataFrame = frame.loc[:, list(_TOP_COLUMNS)]
    return out


def _empty_top() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in _TOP_COLUMNS})
    return frame.astype({"rank": "int64", "covered": "int64", "required": "int64"})


# --------------------------------------------------------------------------- skill gaps


def skill_gaps(
    dataset: EngineSource,
    by: str = "stars",
    k: int = 3,
    *,
    qualified_share: float = QUALIFIED_SHARE,
    min_cell: int = MIN_CELL,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The missing skills that most often block learners from their best occupations.

    A learner is *blocked by* a skill when it is in the profile of one of their top
    ``k`` occupations (as :func:`top_occupations` ranks them) that they do not yet
    qualify for (score < ``qualified_share``), and they do not hold it. Each learner
    counts once per skill, however many of their occupations need it.

    Parameters
    ----------
    dataset
        A dataset with ``learners``, ``credentials``, ``alignments``, ``occupations``
        (and optionally ``skills`` for skill names).
    by
        The learner column to group by (default ``stars``).
    k
        How many top occupations per learner to look at (>= 1).
    qualified_share
        The qualifying score (0 < share <= 1).
    min_cell
        Counts of people below this are hidden (see below).
    confidence
        Level of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        One row per skill and group (``group`` = a category of ``by`` or ``"all"``):
        ``skill_id``, ``group``, ``measure`` = ``"blocked_share"``, ``estimate`` =
        learners blocked / learners in the group, ``ci_low``, ``ci_high`` (Wilson),
        ``n`` (learners in the group), ``suppressed``, ``blocked`` (learners blocked),
        ``skill_name``. Sorted by the skill's overall count of blocked learners, most
        first (skills whose overall count is hidden last, by id). Hidden: groups with
        fewer than ``min_cell`` learners (and a complement, since the sizes add up to
        the ``all`` row), rows with fewer than ``min_cell`` blocked or not blocked, and
        more rows per skill so that a hidden count cannot be recovered from the ``all``
        row.

    Raises
    ------
    LerkitError
        ``invalid_argument`` for an unknown ``by`` column, ``k < 1`` or a bad share.

    Examples
    --------
    >>> import lerkit as lk
    >>> gaps = skill_gaps(lk.datasets.load("pilot-default"))
    >>> sorted(gaps["group"].unique())
    ['all', 'false', 'true']
    """
    _check_k(k)
    _check_share(qualified_share)
    engine = as_engine(dataset)
    people = _group_column(engine, by)
    sets = skill_sets(_held_skills(engine, distinct=False), occupation_skills(engine))
    set_held = _set_skills(sets)
    ranked = _ranked_occupations(engine, set_held, int(k), qualified_share)
    blocking = _missing(engine, ranked.filter(~ranked.qualified), set_held)
    blocking = blocking.select("set_key", "skill_id").distinct()
    # learners per skill set and group, then each set's blocking skills: no per-learner join
    members = sets.join(people, "learner_id")
    members = members.group_by("set_key", "group").aggregate(learners=members.count())
    blocked = blocking.join(members, "set_key")
    per_group = engine.execute(
        blocked.group_by("skill_id", "group").aggregate(blocked=blocked.learners.sum())
    )
    sizes = engine.execute(people.group_by("group").aggregate(n=people.count()))
    per_group["group"] = _labels(per_group["group"])
    sizes["group"] = _labels(sizes["group"])
    sizes = sizes.groupby("group", as_index=False).agg(n=("n", "sum"))
    # every learner is in exactly one group: the overall counts are the groups' sums
    overall = per_group.groupby("skill_id", as_index=False).agg(blocked=("blocked", "sum"))
    overall = overall.sort_values(["blocked", "skill_id"], ascending=[False, True])
    skills = overall["skill_id"].astype(str).tolist()
    groups = [*sorted(sizes["group"]), _ALL]
    grid = pd.MultiIndex.from_product([skills, groups], names=["skill_id", "group"])
    counts = pd.concat([per_group, overall.assign(group=_ALL)], ignore_index=True)
    counts["skill_id"] = counts["skill_id"].astype(str)
    frame = (
        counts.groupby(["skill_id", "group"])["blocked"].sum().reindex(grid, fill_value=0)
    ).reset_index()
    size = dict(zip(sizes["group"], sizes["n"].astype(int), strict=True))
    size[_ALL] = int(sizes["n"].sum())
    frame["n"] = frame["group"].map(size).astype("int64")
    frame["k"] = frame["blocked"].astype("int64")
    frame = with_rates(frame, confidence=confidence)
    frame["measure"] = "blocked_share"
    frame["suppressed"] = _suppress_rates(frame, table="skill_id", min_cell=min_cell)
    # most blocking skills first; skills whose total is hidden last, by id, so that the
    # order does not hint at a hidden count
    overall_rows = frame[frame["group"] == _ALL].set_index("skill_id")
    shown_total = overall_rows["k"].where(~overall_rows["suppressed"].astype(bool))
    order = sorted(
        skills,
        key=lambda s: (bool(pd.isna(shown_total[s])), -float(np.nan_to_num(shown_total[s])), s),
    )
    rank = {skill: i for i, skill in enumerate(order)}
    frame = frame.sort_values(
        "skill_id", key=lambda c: c.map(rank), kind="stable", ignore_index=True
    )
    frame["skill_name"] = frame["skill_id"].map(_skill_names(engine)).astype(object)
    frame = frame.drop(columns="k")
    result = finish(
        frame,
        analysis="skill_gaps",
        parameters={"by": by, "k": int(k), "qualified_share": qualified_share},
        min_cell=min_cell,
        confidence=confidence,
        groups=["skill_id", "group"],
        hide=["blocked"],
    )
    result.attrs["unit"] = "learner"
    result.attrs["definitions"] = {
        "blocked": f"the skill is missing from an occupation among the learner's top {k} "
        f"that they do not yet qualify for (score < {qualified_share})",
        "n": f"learners in the group (by {by!r})",
    }
    return result


def _skill_names(engine: Engine) -> dict[str, str]:
    if not engine.has_table("skills"):
        return {}
    skills = engine.execute(engine.table("skills").select("skill_id", "name"))
    return {str(s): str(n) for s, n in zip(skills["skill_id"], skills["name"], strict=True)}


# ----------------------------------------------------------------------- skill distance


def distance_pairs(
    infos: pd.DataFrame, common: pd.DataFrame, reachable: float
) -> tuple[list[str], pd.DataFrame]:
    """Every ordered pair of distinct occupations with its skill distance and wage gain.

    ``infos``: one row per occupation (``occupation_soc``, ``title``, ``median_wage``,
    ``size`` = its skills); ``common``: skills shared by ``origin`` and ``destination``
    (``shared``). Returns the sorted occupation codes and the pairs.
    """
    infos = infos.astype({"occupation_soc": str})
    infos = infos.drop_duplicates("occupation_soc").set_index("occupation_soc")
    codes = sorted(infos.index)
    pairs = pd.DataFrame(
        [(o, d) for o in codes for d in codes if o != d], columns=["origin", "destination"]
    )
    common = common.astype({"origin": str, "destination": str})
    pairs = pairs.merge(common, on=["origin", "destination"], how="left")
    pairs["shared"] = pairs["shared"].fillna(0).astype("int64")
    o_size = pairs["origin"].map(infos["size"]).astype("int64")
    d_size = pairs["destination"].map(infos["size"]).astype("int64")
    pairs["origin_title"] = pairs["origin"].map(infos["title"]).astype(object)
    pairs["destination_title"] = pairs["destination"].map(infos["title"]).astype(object)
    pairs["skills_to_gain"] = (d_size - pairs["shared"]).astype("int64")
    pairs["destination_skills"] = d_size
    distance = pairs["skills_to_gain"] / d_size
    pairs["jaccard_distance"] = 1.0 - pairs["shared"] / (o_size + d_size - pairs["shared"])
    pairs["origin_wage"] = pairs["origin"].map(infos["median_wage"]).astype(float)
    pairs["destination_wage"] = pairs["destination"].map(infos["median_wage"]).astype(float)
    pairs["wage_gain"] = pairs["destination_wage"] - pairs["origin_wage"]
    pairs["wage_gain_pct"] = 100.0 * pairs["wage_gain"] / pairs["origin_wage"]
    pairs["reachable"] = (distance <= reachable + _TOL).to_numpy(dtype=bool)
    pairs["measure"] = "skills_to_gain"
    pairs["estimate"] = distance.astype(float)
    pairs["ci_low"] = np.nan
    pairs["ci_high"] = np.nan
    pairs["n"] = np.nan
    return codes, pairs


def skill_distance(
    dataset: EngineSource,
    reachable: float = REACHABLE_DISTANCE,
    *,
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """Occupation-to-occupation skill distance, wage gain and the people behind each move.

    For every ordered pair of different occupations with a skill profile: the skills to
    gain (see the module docstring), the Jaccard distance, the wage gain of the move,
    whether it is reachable, how many learners worked in the origin in the last period
    of ``outcomes``, and how many moved from the origin (employed there in the first
    period) to the destination (employed there in the last period).

    Parameters
    ----------
    dataset
        A dataset with ``occupations`` (and ``outcomes`` for the people counts).
    reachable
        Largest ``skills_to_gain`` of a reachable move, in [0, 1] (default
        :data:`REACHABLE_DISTANCE`).
    min_cell
        People counts below this are hidden.

    Returns
    -------
    pandas.DataFrame
        One row per ordered pair: ``origin``, ``destination``, ``measure`` =
        ``"skills_to_gain"``, ``estimate`` (the skills to gain, never suppressed),
        ``ci_low``/``ci_high``/``n`` (missing: no sampling), ``suppressed`` (false), then
        ``origin_title``, ``destination_title``, ``skills_to_gain`` (count of skills),
        ``destination_skills``, ``jaccard_distance``, ``origin_wage``,
        ``destination_wage``, ``wage_gain`` (destination minus origin median wage,
        dollars per hour), ``wage_gain_pct``, ``reachable``, ``employed_in_origin`` and
        ``moved`` (people counts, missing where hidden) with
        ``employed_in_origin_suppressed`` and ``moved_suppressed``. Employment counts by
        origin are hidden below ``min_cell`` with a complement (they add up to the
        employed total); move counts (zero included) are hidden below ``min_cell``, with
        complements along origins and destinations (the counts of a two-way table).

    Raises
    ------
    LerkitError
        ``invalid_argument`` for ``reachable`` outside [0, 1].

    Examples
    --------
    >>> import lerkit as lk
    >>> moves = skill_distance(lk.datasets.load("pilot-default"))
    >>> bool((moves["origin"] != moves["destination"]).all())
    True
    """
    if (
        isinstance(reachable, bool)
        or not isinstance(reachable, int | float)
        or not 0.0 <= reachable <= 1.0
    ):
        raise LerkitError(
            f"reachable must be a distance in [0, 1], got {reachable!r}", code="invalid_argument"
        )
    engine = as_engine(dataset)
    profile = occupation_skills(engine)
    sizes = profile.group_by("occupation_soc").aggregate(size=profile.count())
    left = profile.select(origin="occupation_soc", skill_id="skill_id")
    right = profile.select(destination="occupation_soc", skill_id="skill_id")
    shared = left.join(right, "skill_id")
    shared = shared.group_by("origin", "destination").aggregate(shared=shared.count())
    occupations = engine.table("occupations").select("occupation_soc", "title", "median_wage")
    infos = engine.execute(occupations.join(sizes, "occupation_soc"))
    common = engine.execute(shared)

    codes, pairs = distance_pairs(infos, common, reachable)

    employed, moved = _people(engine, codes, pairs, min_cell)
    pairs = pairs.merge(employed, on="origin", how="left").merge(
        moved, on=["origin", "destination"], how="left"
    )
    pairs = pairs.drop(columns="shared")
    result = finish(
        pairs,
        analysis="skill_distance",
        parameters={"reachable": reachable},
        min_cell=min_cell,
        confidence=0.95,
        groups=["origin", "destination"],
    )
    result.attrs["definitions"] = {
        "skills_to_gain": "share of the destination's skills the origin profile lacks",
        "jaccard_distance": "1 - shared skills / skills of either occupation",
        "reachable": f"skills_to_gain <= {reachable}",
        "employed_in_origin": "learners employed in the origin in the last outcomes period",
        "moved": "learners employed in the origin in the first period and in the "
        "destination in the last period",
    }
    return result


def _people(
    engine: Engine, codes: list[str], pairs: pd.DataFrame, min_cell: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Suppressed counts of people employed in each origin and of each move."""
    empty_employed = pd.DataFrame({"origin": codes, "employed_in_origin": 0})
    empty_moved = pairs[["origin", "destination"]].assign(moved=0)
    if engine.has_table("outcomes"):
        outcomes = engine.table("outcomes")
        bounds = engine.execute(
            outcomes.aggregate(first=outcomes.period.min(), last=outcomes.period.max())
        )
        first, last = bounds["first"].iloc[0], bounds["last"].iloc[0]
    else:
        first = last = None
    if first is None or pd.isna(first):
        employed, moved = empty_employed, empty_moved
    else:
        working = outcomes.filter(outcomes.employed.fill_null(False))
        at_end = working.filter(working.period == str(last)).select(
            "learner_id", destination="occupation_soc"
        )
        at_start = working.filter(working.period == str(first)).select(
            "learner_id", origin="occupation_soc"
        )
        counted = engine.execute(
            at_end.group_by("destination").aggregate(employed_in_origin=at_end.count())
        ).rename(columns={"destination": "origin"})
        movers = at_start.join(at_end, "learner_id")
        movers = movers.filter(movers.origin != movers.destination)
        counted_moves = engine.execute(
            movers.group_by("origin", "destination").aggregate(moved=movers.count())
        )
        counted = counted.dropna(subset=["origin"]).astype({"origin": str})
        counted_moves = counted_moves.dropna(subset=["origin", "destination"])
        counted_moves = counted_moves.astype({"origin": str, "destination": str})
        employed = empty_employed[["origin"]].merge(counted, on="origin", how="left")
        moved = empty_moved[["origin", "destination"]].merge(
            counted_moves, on=["origin", "destination"], how="left"
        )
    employed["employed_in_origin"] = employed["employed_in_origin"].fillna(0).astype("int64")
    moved["moved"] = moved["moved"].fillna(0).astype("int64")

    return suppress_people(employed, moved, min_cell)


def suppress_people(
    employed: pd.DataFrame, moved: pd.DataFrame, min_cell: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hide small counts of people employed in an origin and of people making a move
    (moves complementarily, their origin and destination totals being published);
    the counts become nullable with the hidden ones missing, beside a ``_suppressed``
    flag."""
    flagged = suppress(employed, count="employed_in_origin", min_cell=min_cell)
    employed["employed_in_origin_suppressed"] = flagged["suppressed"].astype(bool)
    flagged = suppress(
        moved, count="moved", min_cell=min_cell, totals=[["origin"], ["destination"]]
    )
    moved["moved_suppressed"] = flagged["suppressed"].astype(bool)
    for frame, column in ((employed, "employed_in_origin"), (moved, "moved")):
        frame[column] = frame[column].astype("Int64")
        frame.loc[frame[f"{column}_suppressed"], column] = pd.NA
    return employed, moved


# --------------------------------------------------------------------- matcher fairness


def matcher_fairness(
    dataset: EngineSource,
    by: str = "race_ethnicity",
    qualified_share: float = QUALIFIED_SHARE,
    *,
    region: str | Sequence[str] | None = None,
    occupation_soc: str | Sequence[str] | None = None,
    per: str = "posting",
    min_cell: int = MIN_CELL,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """How often the skills matcher recommends learners of each group, and how evenly.

    The matcher *recommends* a learner for a posting when their match score for it is at
    least ``qualified_share`` (``recommended``). Two more measures make the effect of
    degree requirements visible: ``recommended_no_degree`` counts only postings that do
    not require a degree, and ``recommended_degree_screened`` applies the degree screen
    (postings requiring a degree are offered only to learners with a bachelor's or
    graduate degree).

    ``per="posting"`` (the default): the rate is the share of the matchable postings
    (in scope, with at least one required skill) a learner is recommended for, averaged
    over the group's learners: the *selection rate* of fairlearn's ``MetricFrame`` over
    (learner, posting) pairs, with a Student's t interval over learners. It stays
    telling in a pilot where nearly everyone matches some posting. ``per="learner"``:
    the share of learners recommended for at least one posting, with a Wilson
    interval (the selection rate over learners).

    Per group and measure: the rate, its ratio to the highest published group rate (the
    adverse impact ratio; its minimum is fairlearn's ``demographic_parity_ratio`` when
    nothing is hidden), the difference from it, and the four-fifths flag (ratio < 0.8).

    Matching runs in the engine on the distinct learner skill sets x the distinct
    posting requirement sets (not learners x postings), so it scales to millions of
    learners.

    Parameters
    ----------
    dataset
        A dataset with ``learners``, ``credentials``, ``alignments`` and ``postings``.
    by
        The learner column to group by (default race/ethnicity).
    qualified_share
        The match score needed for a recommendation (0 < share <= 1).
    region
        Only postings in this region (or these regions), matched to the learners living
        there: the matcher of a regional workforce board.
    occupation_soc
        Only postings for this occupation (or these occupations).
    per
        ``"posting"`` (share of postings recommended, per learner) or ``"learner"``
        (recommended for at least one posting).
    min_cell
        Counts of people below this are hidden. Per posting, a group is also hidden
        when fewer than ``min_cell`` of its learners are recommended for any posting (or
        fewer than ``min_cell`` are not recommended for every one).
    confidence
        Level of the intervals (Wilson per learner, Student's t per posting).

    Returns
    -------
    pandas.DataFrame
        One row per measure (``recommended``, ``recommended_degree_screened``,
        ``recommended_no_degree``) and group
        (categories of ``by`` and ``"all"``): ``estimate`` (rate), ``ci_low``,
        ``ci_high``, ``n`` (learners), ``suppressed``, ``impact_ratio`` (to the highest
        published rate of the measure), ``difference`` (from it), ``four_fifths_flag``
        and ``reference_group``. Groups are hidden as ``min_cell`` says (per learner:
        fewer than ``min_cell`` learners, recommended or not), with complements (group
        sizes, counts and sums of shares add up to the ``all`` row); the reference is
        chosen among shown groups so that no ratio reveals a hidden rate. ``attrs["disparity"]`` holds each
        measure's lowest ratio and largest difference over the shown groups,
        ``attrs["matchable_postings"]`` the number of postings scored.

    Raises
    ------
    LerkitError
        ``invalid_argument`` for an unknown ``by`` column, a share outside (0, 1], or a
        region or occupation no posting has.

    Examples
    --------
    >>> import lerkit as lk
    >>> table = matcher_fairness(lk.datasets.load("pilot-default"), by="stars")
    >>> sorted(table["measure"].unique())
    ['recommended', 'recommended_degree_screened', 'recommended_no_degree']
    """
    _check_share(qualified_share)
    if per not in ("posting", "learner"):
        raise LerkitError(
            f"per must be 'posting' or 'learner', got {per!r}", code="invalid_argument"
        )
    regions = _as_list(region, "region")
    occupations = _as_list(occupation_soc, "occupation_soc")
    engine = as_engine(dataset)
    people = _group_column(engine, by)
    learners = engine.table("learners")
    degrees = learners.select(
        "learner_id",
        has_degree=learners.highest_education.cast("string").isin(DEGREE_LEVELS).fill_null(False),
    )
    people = people.join(degrees, "learner_id")
    if regions is not None:
        local = learners.filter(learners.region.isin(regions)).select("learner_id")
        people = people.join(local, "learner_id")

    flags, matchable = _recommendations(engine, qualified_share, regions, occupations)
    scored = people.left_join(flags, "learner_id")
    measures = _FAIRNESS_MEASURES
    if per == "learner":
        recommended = scored.any_match.fill_null(False)
        no_degree = scored.any_no_degree.fill_null(False)
        screened = ibis.ifelse(scored.has_degree, recommended, no_degree)
        values = dict(zip(measures, (recommended, no_degree, screened), strict=True))
        aggregates = {m: v.cast("int64").sum() for m, v in values.items()}
    else:
        matched = scored.matched.fill_null(0)
        no_degree_count = scored.matched_no_degree.fill_null(0)
        screened_count = ibis.ifelse(scored.has_degree, matched, no_degree_count)
        counted = dict(zip(measures, (matched, no_degree_count, screened_count), strict=True))
        aggregates = {}
        for m, v in counted.items():
            aggregates |= {
                f"{m}{_SUM}": v.sum(),
                f"{m}{_SQUARES}": (v * v).sum(),
                f"{m}{_SOME}": (v > 0).cast("int64").sum(),
                f"{m}{_EVERY}": (v >= matchable).cast("int64").sum(),
            }
    counts = engine.execute(scored.group_by("group").aggregate(n=scored.count(), **aggregates))
    counts["group"] = _labels(counts["group"])
    columns = ["n", *aggregates]
    counts = counts.groupby("group", as_index=False)[columns].sum()
    total = counts[columns].sum().to_frame().T
    counts = pd.concat([counts, total.assign(group=_ALL)], ignore_index=True)
    counts[columns] = counts[columns].fillna(0)
    if per == "learner":
        frame = pd.concat(
            [counts[["group", "n"]].assign(measure=m, k=counts[m]) for m in measures],
            ignore_index=True,
        )
        frame["n"] = frame["n"].astype("int64")
        frame["k"] = frame["k"].astype("int64")
        frame = with_rates(frame, confidence=confidence)
        frame["suppressed"] = _suppress_rates(frame, table="measure", min_cell=min_cell)
    else:
        frame = _posting_shares(counts, measures, matchable, min_cell, confidence)

    disparity = _impact_ratios(frame, measures)
    frame = frame.drop(columns="k", errors="ignore")
    frame = frame.sort_values(["measure", "group"], ignore_index=True)
    result = finish(
        frame,
        analysis="matcher_fairness",
        parameters={
            "by": by,
            "qualified_share": qualified_share,
            "region": regions,
            "occupation_soc": occupations,
            "per": per,
        },
        min_cell=min_cell,
        confidence=confidence,
        groups=["group"],
        hide=["impact_ratio", "difference", "four_fifths_flag"],
    )
    result.attrs["unit"] = "learner"
    result.attrs["matchable_postings"] = matchable
    result.attrs["disparity"] = disparity
    if per == "learner":
        recommended = f"some posting has match score >= {qualified_share}"
        no_degree_text = f"some posting not requiring a degree has match score >= {qualified_share}"
    else:
        recommended = (
            f"mean over learners of the share of the {matchable} matchable postings "
            f"with match score >= {qualified_share}"
        )
        no_degree_text = f"{recommended}, counting only postings not requiring a degree"
    result.attrs["definitions"] = {
        "recommended": recommended,
        "recommended_no_degree": no_degree_text,
        "recommended_degree_screened": "as recommended for degree holders "
        f"(highest_education in {list(DEGREE_LEVELS)}), else as recommended_no_degree",
        "impact_ratio": "rate / highest shown group rate of the measure",
        "four_fifths_flag": f"impact_ratio < {FOUR_FIFTHS}",
    }
    return result


def _impact_ratios(frame: pd.DataFrame, measures: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Add ``impact_ratio``, ``difference``, ``reference_group`` and
    ``four_fifths_flag`` to ``frame`` in place, per measure against its highest shown
    group rate; return each measure's lowest ratio and largest difference."""
    disparity: dict[str, dict[str, Any]] = {}
    frame["impact_ratio"] = np.nan
    frame["difference"] = np.nan
    frame["reference_group"] = pd.Series(pd.NA, index=frame.index, dtype=object)
    for measure in measures:
        rows = (frame["measure"] == measure) & (frame["group"] != _ALL)
        shown = rows & ~frame["suppressed"]
        if not shown.any():
            disparity[measure] = {"reference_group": None, "ratio": None, "difference": None}
            continue
        best = frame.loc[shown, "estimate"].max()
        reference = str(frame.loc[shown & (frame["estimate"] == best), "group"].iloc[0])
        ratio = frame.loc[rows, "estimate"] / best if best > 0 else np.nan
        frame.loc[rows, "impact_ratio"] = ratio
        frame.loc[rows, "difference"] = frame.loc[rows, "estimate"] - best
        frame.loc[rows, "reference_group"] = reference
        disparity[measure] = {
            "reference_group": reference,
            "ratio": float(frame.loc[shown, "impact_ratio"].min()),
            "difference": float(-frame.loc[shown, "difference"].min()),
        }
    below = frame["impact_ratio"].to_numpy(dtype=float) < FOUR_FIFTHS - _TOL
    known = frame["impact_ratio"].notna().to_numpy(dtype=bool)
    frame["four_fifths_flag"] = pd.array(
        [bool(b) if ok else None for b, ok in zip(below, known, strict=True)], dtype="boolean"
    )
    return disparity


def _posting_shares(
    counts: pd.DataFrame,
    measures: Sequence[str],
    matchable: int,
    min_cell: int,
    confidence: float,
) -> pd.DataFrame:
    """Per group and measure: the mean share of matchable postings recommended.

    Each learner is one observation (their share), so the interval is Student's t over
    learners, clipped to [0, 1]; the (learner, posting) pairs are not independent.
    """
    parts = []
    for m in measures:
        n = counts["n"].astype("int64")
        total, squares = counts[f"{m}{_SUM}"], counts[f"{m}{_SQUARES}"]
        scale = float(max(matchable, 1))
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(n > 0, total / n / scale, np.nan)
            variance = np.where(n > 1, (squares - total**2 / n) / (n - 1), np.nan)
        sd = np.sqrt(np.clip(variance, 0.0, None)) / scale
        low, high = t_interval(mean, sd, n, confidence)
        parts.append(
            pd.DataFrame({
                "group": counts["group"], "measure": m, "n": n, "estimate": mean,
                "ci_low": np.clip(low, 0.0, 1.0), "ci_high": np.clip(high, 0.0, 1.0),
                "some": counts[f"{m}{_SOME}"], "every": counts[f"{m}{_EVERY}"],
            })
        )  # fmt: skip
    frame = pd.concat(parts, ignore_index=True)
    # a mean over a group says little about any one member unless nearly all of them
    # share an extreme: fewer than min_cell recommended for any posting (or fewer than
    # min_cell short of every posting) hides the group, as a small k would a rate
    primary = _suppress_sizes(frame, min_cell=min_cell)
    primary |= frame["some"] < min_cell
    primary |= (frame["n"] - frame["every"]) < min_cell
    groups = frame["group"] != _ALL
    # the groups' sums of shares add up to the "all" row's: one hidden group alone
    # could be solved from it, so each measure hides at least two
    done = suppress(
        frame.loc[groups].assign(suppressed=primary[groups]),
        count="n", min_cell=min_cell, by=("measure",),
    )  # fmt: skip
    primary.loc[done.index] = done["suppressed"].astype(bool).to_numpy()
    return frame.assign(suppressed=primary).drop(columns=["some", "every"])


def _recommendations(
    engine: Engine,
    qualified_share: float,
    regions: list[str] | None,
    occupations: list[str] | None,
) -> tuple[Any, int]:
    """Per learner with a relevant skill: what the matcher recommends them for.

    ``any_match`` / ``any_no_degree``: some posting (without a degree requirement);
    ``matched`` / ``matched_no_degree``: how many. Also returns the number of postings
    the matcher can score (in scope, with at least one required skill).
    """
    postings = engine.table("postings")
    for column, values in (("region", regions), ("occupation_soc", occupations)):
        if values is None:
            continue
        known = engine.execute(postings.select(column).distinct())[column]
        unknown = sorted(set(values) - {str(v) for v in known.dropna()})
        if unknown:
            # a typo would otherwise read as "the matcher recommends nobody"
            raise LerkitError(f"no posting has {column} {unknown[0]!r}", code="invalid_argument")
        postings = postings.filter(postings[column].isin(values))
    needs = required_skills(engine, postings)
    # distinct requirement sets, each with whether a posting without a degree asks it
    sets = needs.group_by("posting_id").aggregate(
        req_key=needs.skill_id.collect().sort().join(_SEP), required=needs.count()
    )
    degree = postings.select("posting_id", degree=postings.requires_degree.fill_null(False))
    sets = sets.join(degree, "posting_id")
    sets = sets.group_by("req_key", "required").aggregate(
        no_degree=(~sets.degree).cast("int64").max(),
        postings=sets.count(),
        postings_no_degree=(~sets.degree).cast("int64").sum(),
    )
    req_skills = (
        sets.select("req_key", skill_id=sets.req_key.split(_SEP).unnest())
        .distinct()
        .join(sets, "req_key")
    )
    # only skills some posting asks for can change a score: they define a skill set
    learner_sets = skill_sets(_held_skills(engine, distinct=False), needs)
    pairs = _set_skills(learner_sets).join(req_skills, "skill_id")
    covered = pairs.group_by(
        "set_key", "req_key", "required", "no_degree", "postings", "postings_no_degree"
    ).aggregate(covered=pairs.count())
    share = covered.covered.cast("float64") / covered.required.cast("float64")
    hits = covered.filter(share >= qualified_share - _TOL)
    per_set = hits.group_by("set_key").aggregate(
        any_match=hits.count() > 0,
        any_no_degree=hits.no_degree.max() == 1,
        matched=hits.postings.sum(),
        matched_no_degree=hits.postings_no_degree.sum(),
    )
    flags = learner_sets.join(per_set, "set_key").select(
        "learner_id", "any_match", "any_no_degree", "matched", "matched_no_degree"
    )
    matchable = engine.execute(sets.aggregate(postings=sets.postings.sum()))["postings"]
    return flags, int(matchable.fillna(0).iloc[0])
