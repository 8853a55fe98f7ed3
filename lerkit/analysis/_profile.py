"""One learner's profile: credentials (verified), skills, and matching opportunities.

:func:`learner_profile` gathers, for one ``learner_id``, what an advisor or the learner
would look at: the credentials they hold (with the achievement, its issuer, the dates
and, for a credential that has a file, the verdict of :func:`lerkit.verify` as of the
dataset's ``as_of``), the skills those credentials align to, and the job postings whose
required skills they cover best.

.. warning::
   This is **one person's data**: nothing is aggregated and no small-cell suppression is
   applied. It is meant for the learner and the people serving them, never for
   publication or for a report. Direct identifiers (``name``, ``email``) are left out;
   the pseudonymous ``learner_id`` is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import ibis  # type: ignore[import-untyped, unused-ignore]
import pandas as pd

from lerkit.analysis._engine import Engine, EngineSource, as_engine
from lerkit.analysis._matching import required_skills
from lerkit.errors import LerkitError

__all__ = ["LearnerProfile", "learner_profile"]

_CREDENTIAL_COLUMNS = (
    "credential_id",
    "achievement_id",
    "achievement_name",
    "achievement_type",
    "issuer_id",
    "issuer_name",
    "format",
    "proof",
    "issued_on",
    "expires_on",
    "file",
    "verdict",
)
_SKILL_COLUMNS = ("framework", "target_code", "target_name", "credentials")
_OPPORTUNITY_COLUMNS = (
    "posting_id",
    "employer_id",
    "title",
    "occupation_soc",
    "region",
    "posted_on",
    "wage",
    "requires_degree",
    "required",
    "covered",
    "coverage",
    "missing_skills",
)


@dataclass(frozen=True)
class LearnerProfile:
    """One learner's credentials, skills and opportunities (never to be published).

    Attributes
    ----------
    learner_id : str
        The pseudonymous learner identifier.
    credentials : DataFrame
        One row per credential held: ``credential_id``, ``achievement_id``,
        ``achievement_name``, ``achievement_type``, ``issuer_id``, ``issuer_name``,
        ``format``, ``proof``, ``issued_on``, ``expires_on``, ``file`` and ``verdict``
        (``verified`` / ``warning`` / ``not_verified`` / ``indeterminate``; missing when
        the credential has no file), ordered by ``issued_on`` then ``credential_id``.
    skills : DataFrame
        One row per distinct alignment target of the held achievements: ``framework``,
        ``target_code``, ``target_name``, ``credentials`` (how many held credentials
        align to it), ordered by ``target_code``.
    opportunities : DataFrame
        Postings the learner qualifies for, best first (see :func:`learner_profile`):
        posting columns then ``required``, ``covered``, ``coverage``,
        ``missing_skills``.
    """

    learner_id: str
    credentials: pd.DataFrame
    skills: pd.DataFrame
    opportunities: pd.DataFrame


def learner_profile(
    dataset: EngineSource,
    learner_id: str,
    *,
    now: datetime | None = None,
    qualified_share: float = 0.5,
    k: int = 10,
    verify: bool = True,
) -> LearnerProfile:
    """One learner's credentials with verdicts, their skills, and postings they qualify for.

    Parameters
    ----------
    dataset
        A :class:`lerkit.datasets.Dataset` (or anything ``as_engine`` accepts, an Engine
        only when it keeps its dataset: the credential files are read from its folder).
    learner_id
        The learner.
    now
        The moment credentials are verified at; default the dataset's ``as_of`` at
        00:00 UTC (as the files were written to be checked).
    qualified_share
        A posting is a match when the learner's skills cover at least this share of its
        ``required_skills`` (postings requiring no skill are left out).
    k
        Keep the ``k`` best matches: highest coverage first, then highest wage, then
        ``posting_id``.
    verify
        Verify credential files (with the dataset's ``status`` lists and ``dids``
        folder, offline); ``False`` leaves ``verdict`` missing.

    Returns
    -------
    LearnerProfile
        Not suppressed and not for publication: it is one person's data.

    Raises
    ------
    LerkitError
        ``invalid_argument`` for a bad share or ``k``; ``unknown_learner`` when the
        learner is not in the ``learners`` table.
    """
    if not 0.0 < float(qualified_share) <= 1.0:
        raise LerkitError(
            f"qualified_share must be in (0, 1], not {qualified_share!r}", code="invalid_argument"
        )
    if int(k) < 1:
        raise LerkitError(f"k must be a positive integer, not {k!r}", code="invalid_argument")
    engine = as_engine(dataset)
    learners = engine.table("learners")
    found = engine.execute(learners.filter(learners.learner_id == learner_id).select("learner_id"))
    if found.empty:
        raise LerkitError(f"no learner {learner_id!r} in the dataset", code="unknown_learner")

    credentials = _credentials(engine, learner_id)
    if verify and len(credentials) and credentials["file"].notna().any():
        credentials["verdict"] = pd.Series(
            _verdicts(engine, credentials["file"], now), index=credentials.index, dtype=object
        )
    skills = _skills(engine, credentials)
    opportunities = _opportunities(engine, set(skills["target_code"]), qualified_share, int(k))
    return LearnerProfile(str(learner_id), credentials, skills, opportunities)


def _credentials(engine: Engine, learner_id: str) -> pd.DataFrame:
    cred = engine.table("credentials")
    cred = cred.filter(cred.learner_id == learner_id)
    ach = engine.table("achievements").select(
        "achievement_id", achievement_name="name", achievement_type="achievement_type"
    )
    expr = cred.left_join(ach, "achievement_id").drop("achievement_id_right")
    if engine.has_table("issuers"):
        iss = engine.table("issuers").select("issuer_id", issuer_name="name")
        expr = expr.left_join(iss, "issuer_id").drop("issuer_id_right")
    frame = engine.execute(expr)
    if "issuer_name" not in frame:
        frame["issuer_name"] = pd.NA
    frame["verdict"] = pd.Series(pd.NA, index=frame.index, dtype=object)
    for column in ("issued_on", "expires_on"):
        frame[column] = pd.to_datetime(frame[column])
    frame = frame.sort_values(["issued_on", "credential_id"], kind="stable")
    return frame[list(_CREDENTIAL_COLUMNS)].reset_index(drop=True)


def _verdicts(engine: Engine, files: pd.Series, now: datetime | None) -> list[object]:
    import lerkit as lk
    from lerkit.datasets._credential_files import as_of_moment

    dataset = engine.dataset
    if dataset is None:
        raise LerkitError(
            "verifying credential files needs the engine's dataset (its folder)",
            code="invalid_argument",
        )
    root = Path(dataset.path)
    if now is None and dataset.metadata.as_of is not None:
        now = as_of_moment(dataset.metadata.as_of)
    options = lk.VerifyOptions(status_lists=root / "status", did_web=root / "dids", now=now)
    out: list[object] = []
    for file in files:
        if pd.isna(file):
            out.append(pd.NA)
        else:
            out.append(lk.verify((root / str(file)).read_bytes(), options=options).status)
    return out


def _skills(engine: Engine, credentials: pd.DataFrame) -> pd.DataFrame:
    held = credentials["achievement_id"].dropna().tolist()
    if not held:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in _SKILL_COLUMNS}).astype(
            {"credentials": "int64"}
        )
    al = engine.table("alignments")
    frame = engine.execute(
        al.filter(al.achievement_id.isin(sorted(set(held)))).select(
            "achievement_id", "framework", "target_code", "target_name"
        )
    )
    per = credentials.groupby("achievement_id").size().rename("held")
    frame = frame.join(per, on="achievement_id")
    frame["framework"] = frame["framework"].astype(object)
    out = (
        frame.groupby("target_code", sort=True)
        .agg(
            framework=("framework", "first"),
            target_name=("target_name", "first"),
            credentials=("held", "sum"),
        )
        .reset_index()
    )
    out["credentials"] = out["credentials"].astype("int64")
    return out[list(_SKILL_COLUMNS)]


def _opportunities(engine: Engine, skills: set[str], share: float, k: int) -> pd.DataFrame:
    # scored in the engine: only the k best postings come back (a pilot may post 500k)
    required = required_skills(engine)
    held = sorted(skills)
    covered = required.skill_id.isin(held).cast("int64") if held else ibis.literal(0, type="int64")
    counts = required.group_by("posting_id").aggregate(
        required=required.count(), covered=covered.sum()
    )
    postings = engine.table("postings")
    scored = postings.join(counts, "posting_id").mutate(
        coverage=ibis._.covered.cast("float64") / ibis._.required.cast("float64")
    )
    best = (
        scored.filter(scored.coverage >= share - 1e-12)
        .order_by(
            [
                ibis.desc("coverage"),
                ibis.desc("wage", nulls_first=False),
                ibis.asc("posting_id"),
            ]
        )
        .limit(k)
    )
    match = engine.execute(best).reset_index(drop=True)
    match = match.astype({"required": "int64", "covered": "int64"})
    match["missing_skills"] = match["required_skills"].map(
        lambda v: [] if _isna(v) else [s for s in sorted(set(v)) if s not in skills]
    )
    if "posted_on" in match:
        match["posted_on"] = pd.to_datetime(match["posted_on"])
    return match[[c for c in _OPPORTUNITY_COLUMNS if c in match]]


def _isna(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
