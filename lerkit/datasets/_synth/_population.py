"""Learners and their credentials, one chunk at a time (the README's "How the data were
generated" states the model in full):

* pathway from the scenario mix; age at enrolment by pathway; highest education by
  pathway; STARs = aged 25 or over, high school diploma or more, no bachelor's degree
  (every pilot learner is in the labour force);
* region, gender and race/ethnicity from the calibrated shares, independent of pathway;
  every military-pathway learner is a veteran and others are veterans at the rate that
  brings the pilot to the calibrated share;
* arm: logit P(LER) = logit(ler_share) + a_stars (stars - 0.6) + a_age (age - 33)/10 +
  a small pathway offset (bootcamp +0.3, university -0.4);
* credentials: one main credential from the pathway's issuers (same-region issuers four
  times as likely), sometimes an extra certification or a bootcamp badge, and a prior
  degree record for learners whose education is an associate or bachelor's degree earned
  outside the pilot; the LER arm's credentials become signed files, the comparison arm's
  are known from program records only (no file, proof ``none``, no LER events).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lerkit.datasets._synth import _calibration as cal
from lerkit.datasets._synth._catalogue import ENROL_END, ENROL_START, PATHWAY_ISSUERS, Catalogue
from lerkit.datasets._synth._scenario import PATHWAYS, VETERAN_TARGET, Scenario
from lerkit.datasets._synth._util import (
    choose_rows,
    day_number,
    logistic,
    permuted_ids,
    uuid_urns,
)
from lerkit.issue._demo import DEMO_FAMILY_NAMES, DEMO_GIVEN_NAMES

__all__ = ["Credentials", "Learners", "make_credentials", "make_learners"]

EDUCATION = (
    "less_than_high_school", "high_school", "some_college", "associate", "bachelor", "graduate",
)  # fmt: skip
# P(highest education | pathway), EDUCATION order (assumption)
_EDUCATION_P = {
    "community_college": (0.02, 0.30, 0.40, 0.22, 0.05, 0.01),
    "workforce_training": (0.08, 0.50, 0.27, 0.09, 0.05, 0.01),
    "bootcamp": (0.00, 0.15, 0.30, 0.15, 0.32, 0.08),
    "certificate": (0.03, 0.40, 0.30, 0.15, 0.10, 0.02),
    "military": (0.00, 0.40, 0.38, 0.14, 0.07, 0.01),
    "apprenticeship": (0.04, 0.55, 0.28, 0.09, 0.04, 0.00),
    "on_the_job": (0.10, 0.50, 0.25, 0.09, 0.05, 0.01),
    "university": (0.00, 0.00, 0.00, 0.00, 1.00, 0.00),
}
# age at enrolment by pathway: (mean, sd, minimum) of a normal, clipped to [min, 64]
_AGE = {
    "community_college": (29, 9, 18), "workforce_training": (36, 11, 18),
    "bootcamp": (31, 7, 19), "certificate": (35, 10, 18), "military": (34, 8, 21),
    "apprenticeship": (28, 7, 18), "on_the_job": (35, 11, 18), "university": (24, 5, 20),
}  # fmt: skip
_ARM_PATHWAY_OFFSET = {"bootcamp": 0.3, "university": -0.4}
_GIVEN, _FAMILY = DEMO_GIVEN_NAMES, DEMO_FAMILY_NAMES  # invented: see lerkit.issue
PILOT_YEAR = 2024
_DEGREES = frozenset({"AssociateDegree", "BachelorDegree"})


@dataclass
class Learners:
    """One chunk of learners: table columns and the model's arrays."""

    n: int
    learner_id: list[str]
    name: list[str]
    email: list[str]
    pathway: np.ndarray  # index into PATHWAYS
    education: np.ndarray  # index into EDUCATION
    age: np.ndarray
    stars: np.ndarray
    ler: np.ndarray
    enrol_day: np.ndarray
    region: np.ndarray  # index into DIVISION_STATES
    gender: np.ndarray
    race: np.ndarray
    veteran: list[bool | None]
    disability: list[bool | None]

    @property
    def bachelor(self) -> np.ndarray:
        return np.asarray(self.education >= 4)

    @property
    def below_high_school(self) -> np.ndarray:
        return np.asarray(self.education == 0)

    def table(self) -> dict[str, object]:
        regions = np.array(list(cal.DIVISION_STATES), dtype=object)
        return {
            "learner_id": self.learner_id,
            "name": self.name,
            "email": self.email,
            "birth_year": PILOT_YEAR - self.age,
            "gender": self.gender,
            "race_ethnicity": self.race,
            "veteran": self.veteran,
            "disability": self.disability,
            "region": regions[self.region],
            "highest_education": np.array(EDUCATION, dtype=object)[self.education],
            "pathway": np.array(PATHWAYS, dtype=object)[self.pathway],
            "stars": self.stars,
            "cohort": np.where(self.ler, "ler", "comparison").astype(object),
            "enrolled_on": self.enrol_day.astype("datetime64[D]"),
        }


def make_learners(
    rng: np.random.Generator, scenario: Scenario, count: int, first_number: int, key: np.ndarray
) -> Learners:
    """``count`` learners; ``first_number`` (1-based) numbers their e-mail addresses and,
    through the keyed permutation ``key``, their ids."""
    mix = np.array([scenario.pathway_mix[p] for p in PATHWAYS])
    pathway = rng.choice(len(PATHWAYS), size=count, p=mix / mix.sum())

    education_p = np.array([_EDUCATION_P[p] for p in PATHWAYS])
    education = choose_rows(rng, education_p[pathway])
    mean = np.array([_AGE[p][0] for p in PATHWAYS], dtype=float)[pathway]
    sd = np.array([_AGE[p][1] for p in PATHWAYS], dtype=float)[pathway]
    low = np.array([_AGE[p][2] for p in PATHWAYS])[pathway]
    age = np.clip(np.rint(rng.normal(mean, sd)), low, 64).astype(np.int64)
    stars = (age >= 25) & (education >= 1) & (education <= 3)

    regions = list(cal.DIVISION_STATES)
    region_p = np.array([cal.division_shares()[r] for r in regions])
    region = rng.choice(len(regions), size=count, p=region_p)
    genders = cal.pilot_gender_shares()
    gender = rng.choice(np.array(list(genders), dtype=object), size=count,
                        p=np.array(list(genders.values())))  # fmt: skip
    races = cal.pilot_race_shares()
    race = rng.choice(np.array(list(races), dtype=object), size=count,
                      p=np.array(list(races.values())))  # fmt: skip

    military = pathway == PATHWAYS.index("military")
    share = scenario.pathway_mix["military"]
    other_rate = max(0.0, (VETERAN_TARGET - share) / (1.0 - share))
    veteran_draw = rng.random(count) < other_rate
    veteran_hidden = rng.random(count) < scenario.veteran_not_reported
    veteran: list[bool | None] = [
        True if m else (None if h else bool(v))
        for m, v, h in zip(military, veteran_draw, veteran_hidden, strict=True)
    ]
    disability_draw = rng.random(count) < scenario.disability_share
    disability_hidden = rng.random(count) < scenario.disability_not_reported
    disability: list[bool | None] = [
        None if h else bool(d) for d, h in zip(disability_draw, disability_hidden, strict=True)
    ]

    offset = np.array([_ARM_PATHWAY_OFFSET.get(p, 0.0) for p in PATHWAYS])[pathway]
    base = np.log(scenario.ler_share / (1.0 - scenario.ler_share))
    arm_logit = (
        base
        + scenario.assignment_stars_log_odds * (stars - 0.6)
        + scenario.assignment_age_log_odds_per_decade * (age - 33) / 10.0
        + offset
    )
    ler = rng.random(count) < logistic(arm_logit)

    start, end = day_number(ENROL_START), day_number(ENROL_END)
    enrol_day = start + rng.integers(0, end - start + 1, size=count)

    learner_id = permuted_ids("lrn-", first_number - 1, count, key)
    given = rng.integers(0, len(_GIVEN), size=count)
    family = rng.integers(0, len(_FAMILY), size=count)
    names = [f"{_GIVEN[g]} {_FAMILY[f]}" for g, f in zip(given, family, strict=True)]
    emails = [
        f"{_GIVEN[g].lower()}.{_FAMILY[f].lower()}{first_number + k}@example.org"
        for k, (g, f) in enumerate(zip(given, family, strict=True))
    ]
    return Learners(
        n=count,
        learner_id=learner_id,
        name=names,
        email=emails,
        pathway=pathway,
        education=education,
        age=age,
        stars=stars,
        ler=ler,
        enrol_day=enrol_day,
        region=region,
        gender=gender,
        race=race,
        veteran=veteran,
        disability=disability,
    )


@dataclass
class Credentials:
    """One chunk of credentials, with what the labour model needs per learner."""

    owner: np.ndarray  # learner index in the chunk
    achievement: np.ndarray  # main achievement index of the catalogue
    credential_id: list[str]
    issued_day: np.ndarray
    expires_day: np.ndarray  # -1: does not expire
    proof: np.ndarray
    fault: np.ndarray  # "" when none
    prior: np.ndarray  # a record of a degree earned before the pilot
    # per learner
    skill_mask: np.ndarray
    main_occ: np.ndarray
    prior_occ: np.ndarray

    @property
    def count(self) -> int:
        return len(self.credential_id)


def _issuer_weighted(
    rng: np.random.Generator,
    catalogue: Catalogue,
    options: np.ndarray,
    weights: np.ndarray,
    region: np.ndarray,
) -> np.ndarray:
    regions = np.array(list(cal.DIVISION_STATES), dtype=object)
    same = (
        catalogue.issuer_region[catalogue.ach_issuer[options]][None, :] == regions[region][:, None]
    )
    matrix = weights[None, :] * np.where(same, 4.0, 1.0)
    chosen: np.ndarray = options[choose_rows(rng, matrix)]
    return chosen


def make_credentials(
    rng: np.random.Generator, scenario: Scenario, catalogue: Catalogue, learners: Learners
) -> Credentials:
    """The chunk's credentials (rows grouped by learner, in learner order)."""
    n = learners.n
    as_of = day_number(scenario.as_of)
    main = np.empty(n, dtype=np.int64)
    for p, pathway in enumerate(PATHWAYS):
        rows = np.flatnonzero(learners.pathway == p)
        options, weights = catalogue.offers[pathway]
        main[rows] = _issuer_weighted(rng, catalogue, options, weights, learners.region[rows])

    extra_p = np.array([PATHWAY_ISSUERS[p][1] for p in PATHWAYS])[learners.pathway]
    certification = catalogue.cert_for_occ[catalogue.ach_occ[main]]
    extra = np.where((rng.random(n) < extra_p) & (certification >= 0), certification, -1)
    bootcamp = learners.pathway == PATHWAYS.index("bootcamp")
    badge_pick = rng.integers(0, 3, size=n)
    badge = np.full(n, -1, dtype=np.int64)
    wants_badge = bootcamp & (rng.random(n) < 0.6)
    for issuer in np.unique(catalogue.ach_issuer[catalogue.badges]):
        own = catalogue.badges[catalogue.ach_issuer[catalogue.badges] == issuer]
        rows = wants_badge & (catalogue.ach_issuer[main] == issuer)
        badge[rows] = own[badge_pick[rows] % len(own)]

    university = learners.pathway == PATHWAYS.index("university")
    college = learners.pathway == PATHWAYS.index("community_college")
    prior = np.full(n, -1, dtype=np.int64)
    assoc_pick = rng.integers(0, len(catalogue.prior_associate), size=n)
    bach_pick = rng.integers(0, len(catalogue.prior_bachelor), size=n)
    has_assoc = (learners.education == 3) & ~college
    has_bach = (learners.education >= 4) & ~university
    prior[has_assoc] = catalogue.prior_associate[assoc_pick[has_assoc]]
    prior[has_bach] = catalogue.prior_bachelor[bach_pick[has_bach]]
    prior_years = rng.integers(2, 13, size=n)

    # one row per (learner, credential): prior record, main, extra, badge
    owner_parts, ach_parts, kind_parts = [], [], []
    for label, column in (("prior", prior), ("main", main), ("extra", extra), ("badge", badge)):
        rows = np.flatnonzero(column >= 0)
        owner_parts.append(rows)
        ach_parts.append(column[rows])
        kind_parts.append(np.full(len(rows), label, dtype=object))
    owner = np.concatenate(owner_parts)
    achievement = np.concatenate(ach_parts)
    kind = np.concatenate(kind_parts)
    order = np.lexsort((np.arange(len(owner)), owner))
    owner, achievement, kind = owner[order], achievement[order], kind[order]
    total = len(owner)

    lo = catalogue.ach_days[achievement, 0]
    hi = catalogue.ach_days[achievement, 1]
    offset = lo + (rng.random(total) * (hi - lo + 1)).astype(np.int64)
    issued = learners.enrol_day[owner] + offset
    main_issued = np.zeros(n, dtype=np.int64)
    is_main = kind == "main"
    main_issued[owner[is_main]] = issued[is_main]
    follows = (kind == "extra") | (kind == "badge")
    issued = np.where(follows, np.maximum(issued, main_issued[owner] + 10), issued)
    is_prior = kind == "prior"
    issued = np.where(
        is_prior,
        learners.enrol_day[owner] - 365 * prior_years[owner] - rng.integers(0, 200, size=total),
        issued,
    )
    # a credential that would only be issued after as_of does not exist yet
    keep = issued <= as_of - 7
    owner, achievement, kind, issued, is_prior = (
        owner[keep], achievement[keep], kind[keep], issued[keep], is_prior[keep]
    )  # fmt: skip
    total = len(owner)
    valid = catalogue.ach_valid_years[achievement]
    expires = np.where(valid > 0, issued + 365 * valid, -1)

    ler = learners.ler[owner]
    proof_names = np.array(list(scenario.proof_mix), dtype=object)
    proof_p = np.array(list(scenario.proof_mix.values()), dtype=float)
    proof_draw = proof_names[rng.choice(len(proof_names), size=total, p=proof_p / proof_p.sum())]
    proof = np.where(ler, proof_draw, "none").astype(object)

    fault = np.full(total, "", dtype=object)
    fault_u = rng.random(total)
    expiry_u = rng.random(total)
    shares = dict(scenario.fault_shares)
    eligible_expired = ler & ~np.isin(catalogue.ach_kind[achievement], list(_DEGREES))
    expired_rate = 0.0
    if eligible_expired.any() and ler.any():
        expired_rate = min(1.0, shares.get("expired", 0.0) * ler.sum() / eligible_expired.sum())
    edge = 0.0
    for name in ("tampered", "revoked", "suspended"):
        rate = shares.get(name, 0.0)
        hit = ler & (fault == "") & (fault_u >= edge) & (fault_u < edge + rate)
        fault[hit] = name
        edge += rate
    expired = eligible_expired & (fault == "") & (fault_u >= edge) & (fault_u < edge + expired_rate)
    fault[expired] = "expired"
    span = np.maximum(as_of - issued - 1, 1)
    expires = np.where(expired, issued + 1 + (expiry_u * span).astype(np.int64), expires)
    expires = np.where(expired & (expires >= as_of), as_of - 1, expires)

    skill_mask = np.zeros(n, dtype=np.uint32)
    np.bitwise_or.at(skill_mask, owner, catalogue.ach_skill_mask[achievement])
    prior_occ = np.where(prior >= 0, catalogue.ach_occ[np.maximum(prior, 0)], -1)
    return Credentials(
        owner=owner,
        achievement=achievement,
        credential_id=uuid_urns(rng, total),
        issued_day=issued,
        expires_day=expires,
        proof=proof,
        fault=fault,
        prior=is_prior,
        skill_mask=skill_mask,
        main_occ=catalogue.ach_occ[main],
        prior_occ=prior_occ,
    )
