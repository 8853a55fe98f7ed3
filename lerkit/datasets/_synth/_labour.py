"""The labour market: postings (built once), and per chunk the applications (the hiring
funnel), the LER events that follow them, and quarterly outcomes.

Postings
    An employer (likelier the larger it is) posts an occupation of its industry on a day
    of 2023-2025. Before any change, a posting requires a bachelor's degree with a rate by
    the occupation's typical education (0.92 where a bachelor's is typical; otherwise
    ``k`` x 0.35 / 0.15 / 0.05 for some college / high school / less, ``k`` solved so that
    the share over the posting mix equals ``degree_postings_share_start``). A share
    ``drop_share`` of employers drops the requirement on a day between 2023-07-01 and
    2024-12-31 (then none for non-bachelor occupations, half the rate for bachelor ones);
    droppers are leaders, in-name-only or backsliders in the published proportions.
    The screen is ``degree`` when the posting requires a degree, and also for every posting
    of an in-name-only employer after its drop; otherwise ``skills``. Backsliders go back to
    their old requirement 180-365 days after the drop.
Applications
    Poisson(``applications_per_learner``) per learner, 30-540 days after enrolment (to the
    end of 2025), to a posting of the occupation of the learner's program (55%), of a prior
    degree (15%) or any occupation (30%) posted within the 45 days before. Skill match =
    share of the posting's required skills among the skills the learner's credentials align
    to; qualified = match >= ``qualified_match``.
    Degree screen: pass with ``degree_screen_degree_pass`` holding a bachelor's degree, else
    ``degree_screen_nondegree_pass`` (whatever the skills). Skills screen: logistic(1 + 8
    (match - qualified_match)). Interview: logit = -0.8 + 1.5 (match - 0.5) + 0.3 bachelor
    + ``ler_interview_log_odds`` LER. Hire: logit = -1.0 + 1.2 (match - 0.5) + 0.5 bachelor
    - 0.15 (age - 35)/10 + ``ler_hire_log_odds`` LER. Interviewed candidates' credentials are
    checked: from the LER (``ler_check_share`` of the LER arm's checks once a credential is
    claimed; exponential days, mean ``ler_check_mean_days``) or manually (gamma, shape 2,
    mean ``manual_check_mean_days``, capped at 120 days).
Outcomes
    12 quarters, 2023Q1-2025Q4; a quarter is "after" once it follows the enrolment quarter.
    Before: an origin occupation; after: the program's occupation for a share
    ``occupation_move_share`` of learners (both arms). log wage = log(occupation median) +
    person effect (N(0.10 bachelor - 0.06 below high school, 0.18)) + 0.0075 per quarter +
    after x (pathway gain - 0.02 (age - 35)/10 + ``ler_wage_log`` LER) + N(0, 0.05).
    Employed: logit = 1.0 + person propensity N(0, 0.8) + 0.3 bachelor - 0.4 below high
    school + 0.15 after + ``ler_employment_log_odds`` LER x after (independent of wages).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from lerkit.datasets._synth._catalogue import (
    INDUSTRIES,
    SIZE_POSTING_WEIGHT,
    WINDOW_END,
    WINDOW_START,
    Catalogue,
    occupation_titles,
)
from lerkit.datasets._synth._population import Credentials, Learners
from lerkit.datasets._synth._scenario import PATHWAYS, Scenario
from lerkit.datasets._synth._util import (
    choose_rows,
    day_number,
    logistic,
    masked,
    permuted_ids,
    popcount,
)

__all__ = [
    "PERIODS",
    "Postings",
    "Tally",
    "make_applications",
    "make_events",
    "make_outcomes",
    "make_postings",
]

PERIODS = tuple(f"{year}Q{q}" for year in (2023, 2024, 2025) for q in (1, 2, 3, 4))
_FIRST_PERIOD_YEAR = 2023
_EDU_RATE = {"some_college": 0.35, "associate": 0.35, "high_school": 0.15,
             "less_than_high_school": 0.05}  # fmt: skip
_BACHELOR_RATE = 0.92
_DROP_START = date(2023, 7, 1)
_DROP_END = date(2024, 12, 31)
TYPES = ("never", "leader", "in_name_only", "backslider")
# origin (pre-enrolment) occupation mix, occupation code -> weight (assumption)
_ORIGIN = {
    "53-7062.00": 0.25, "43-4051.00": 0.25, "31-1131.00": 0.12, "53-3032.00": 0.10,
    "15-1232.00": 0.08, "51-4121.00": 0.06, "49-9041.00": 0.04, "47-2111.00": 0.03,
    "29-1141.00": 0.03, "15-1252.00": 0.02, "15-1244.00": 0.02,
}  # fmt: skip
_ORIGIN_UNIVERSITY = {
    "43-4051.00": 0.35, "15-1232.00": 0.20, "53-7062.00": 0.20, "31-1131.00": 0.10,
    "15-1252.00": 0.05, "15-1244.00": 0.05, "29-1141.00": 0.05,
}  # fmt: skip


@dataclass(frozen=True)
class Postings:
    """All postings, sorted by day, with the index the applications search."""

    employer: np.ndarray
    occ: np.ndarray
    day: np.ndarray
    requires_degree: np.ndarray
    screen_degree: np.ndarray
    req_mask: np.ndarray
    wage: np.ndarray
    title: np.ndarray
    by_occ: dict[int, tuple[np.ndarray, np.ndarray]]
    occ_volume: np.ndarray
    base_rate: np.ndarray
    scale: float
    employer_type: np.ndarray
    drop_day: np.ndarray
    revert_day: np.ndarray
    occ_mix: np.ndarray  # employers x occupations


def _occ_mix(catalogue: Catalogue) -> np.ndarray:
    index = {soc: n for n, soc in enumerate(catalogue.soc)}
    mix = np.zeros((len(catalogue.employer_id), len(catalogue.soc)))
    for e, industry in enumerate(catalogue.employer_industry):
        for soc, share in INDUSTRIES[industry][2].items():
            mix[e, index[soc]] = share
    return mix


def _largest_remainder(total: int, shares: list[float]) -> list[int]:
    raw = [total * s for s in shares]
    counts = [int(np.floor(r)) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def make_postings(
    rng: np.random.Generator, scenario: Scenario, catalogue: Catalogue, n_learners: int
) -> Postings:
    """Employers' degree-requirement typology and every posting of the window."""
    n_emp, n_occ = len(catalogue.employer_id), len(catalogue.soc)
    size_weight = np.array([SIZE_POSTING_WEIGHT[s] for s in catalogue.employer_size])
    occ_mix = _occ_mix(catalogue)
    volume = (size_weight[:, None] * occ_mix).sum(axis=0)
    volume = volume / volume.sum()

    typical = catalogue.occupations["typical_education"].to_numpy(dtype=object)
    edu_rate = np.array([_EDU_RATE.get(str(t), 0.0) for t in typical])

    def start_share(scale: float) -> float:
        rate = np.where(catalogue.occ_bachelor, _BACHELOR_RATE, np.minimum(0.95, scale * edu_rate))
        return float((volume * rate).sum())

    low, high = 0.0, 2.7
    for _ in range(60):
        middle = (low + high) / 2
        if start_share(middle) < scenario.degree_postings_share_start:
            low = middle
        else:
            high = middle
    scale = (low + high) / 2
    base_rate = np.where(catalogue.occ_bachelor, _BACHELOR_RATE, np.minimum(0.95, scale * edu_rate))

    n_drop = round(scenario.drop_share * n_emp)
    shares = [scenario.sbh_typology[t] for t in TYPES[1:]]
    counts = _largest_remainder(n_drop, shares)
    employer_type = np.full(n_emp, "never", dtype=object)
    order = rng.permutation(n_emp)
    cursor = 0
    for kind, count in zip(TYPES[1:], counts, strict=True):
        employer_type[order[cursor : cursor + count]] = kind
        cursor += count
    drop_start, drop_end = day_number(_DROP_START), day_number(_DROP_END)
    drop_day = drop_start + rng.integers(0, drop_end - drop_start + 1, size=n_emp)
    revert_day = drop_day + rng.integers(180, 366, size=n_emp)
    drop_day = np.where(employer_type == "never", -1, drop_day)
    revert_day = np.where(employer_type == "backslider", revert_day, -1)

    n_post = max(1000, round(scenario.postings_per_learner * n_learners))
    employer = rng.choice(n_emp, size=n_post, p=size_weight / size_weight.sum())
    occ = choose_rows(rng, occ_mix[employer])
    first, last = day_number(WINDOW_START), day_number(WINDOW_END)
    day = first + rng.integers(0, last - first + 1, size=n_post)
    order = np.lexsort((np.arange(n_post), day))
    employer, occ, day = employer[order], occ[order], day[order]

    typology = employer_type[employer]
    dropped = (typology != "never") & (day >= drop_day[employer])
    reverted = (typology == "backslider") & (day >= revert_day[employer])
    active = dropped & ~reverted
    rate = base_rate[occ]
    rate = np.where(active, np.where(catalogue.occ_bachelor[occ], 0.5 * rate, 0.0), rate)
    requires = rng.random(n_post) < rate
    screen_degree = requires | (active & (typology == "in_name_only"))

    req_mask = np.zeros(n_post, dtype=np.uint32)
    titles = np.empty(n_post, dtype=object)
    title_map = occupation_titles()
    profiles = catalogue.occupations["skills"].tolist()
    from lerkit.datasets._synth._catalogue import skill_mask

    for o in range(n_occ):
        rows = np.flatnonzero(occ == o)
        profile = list(profiles[o])
        keys = rng.random((len(rows), len(profile)))
        size = (
            np.where(rng.random(len(rows)) < 0.5, 3, 4)
            if len(profile) >= 5
            else np.full(len(rows), 3)
        )
        rank = np.argsort(keys, axis=1)
        bits = np.array([skill_mask([s]) for s in profile], dtype=np.uint32)
        chosen = np.zeros(len(rows), dtype=np.uint32)
        for position in range(len(profile)):
            take = position < size
            chosen |= np.where(take, bits[rank[:, position]], np.uint32(0)).astype(np.uint32)
        req_mask[rows] = chosen
        options = title_map[str(catalogue.soc[o])]
        titles[rows] = np.array(options, dtype=object)[rng.integers(0, len(options), len(rows))]

    wage = np.round(catalogue.occ_wage[occ] * np.exp(rng.normal(0.0, 0.12, n_post)), 2)
    wage = np.where(rng.random(n_post) < 0.2, np.nan, np.minimum(wage, 500.0))

    by_occ = {}
    for o in range(n_occ):
        index = np.flatnonzero(occ == o)
        by_occ[o] = (day[index], index)
    return Postings(
        employer=employer,
        occ=occ,
        day=day,
        requires_degree=requires,
        screen_degree=screen_degree,
        req_mask=req_mask,
        wage=wage,
        title=titles,
        by_occ=by_occ,
        occ_volume=volume,
        base_rate=base_rate,
        scale=scale,
        employer_type=employer_type,
        drop_day=drop_day,
        revert_day=revert_day,
        occ_mix=occ_mix,
    )


def posting_ids(index: np.ndarray) -> list[str]:
    """Posting ids of posting indices (postings are numbered in date order)."""
    return [f"pst-{int(i) + 1:07d}" for i in index]


def postings_table(
    postings: Postings, catalogue: Catalogue, start: int, stop: int
) -> dict[str, object]:
    """The postings table's columns, rows ``start`` to ``stop`` (written in slices)."""
    part = slice(start, stop)
    employer = postings.employer[part]
    return {
        "posting_id": posting_ids(np.arange(start, stop)),
        "employer_id": catalogue.employer_id[employer],
        "posted_on": postings.day[part].astype("datetime64[D]"),
        "occupation_soc": catalogue.soc[postings.occ[part]],
        "title": postings.title[part],
        "region": catalogue.employer_region[employer],
        "requires_degree": postings.requires_degree[part],
        "required_skills": [_skill_list(int(m)) for m in postings.req_mask[part]],
        "wage": [None if np.isnan(w) else float(w) for w in postings.wage[part]],
    }


def _skill_list(mask: int) -> list[str]:
    from lerkit.datasets._synth._catalogue import mask_skills

    return mask_skills(mask)


# -- running totals for the ground truth --------------------------------------------------------


@dataclass
class Tally:
    """Sums over all chunks (bounded memory) behind the realized population values."""

    values: dict[str, float] = field(default_factory=dict)

    def add(self, key: str, value: float) -> None:
        self.values[key] = self.values.get(key, 0.0) + float(value)

    def get(self, key: str) -> float:
        return self.values.get(key, 0.0)

    def ratio(self, numerator: str, denominator: str) -> float | None:
        below = self.get(denominator)
        return None if below == 0 else self.get(numerator) / below


# -- applications --------------------------------------------------------------------------------


@dataclass
class Applications:
    """One chunk's applications (sorted by learner, then day)."""

    owner: np.ndarray
    posting: np.ndarray
    day: np.ndarray
    application_id: list[str]
    screen_degree: np.ndarray
    screened: np.ndarray
    interviewed: np.ndarray
    hired: np.ndarray
    check: np.ndarray  # "ler" / "manual" / None
    check_days: np.ndarray  # nan when not checked

    def table(self, learners: Learners, postings: Postings) -> dict[str, object]:
        return {
            "application_id": self.application_id,
            "learner_id": np.array(learners.learner_id, dtype=object)[self.owner],
            "posting_id": posting_ids(self.posting),
            "applied_on": self.day.astype("datetime64[D]"),
            "screen": np.where(self.screen_degree, "degree", "skills").astype(object),
            "screened_in": self.screened,
            "interviewed": self.interviewed,
            "hired": self.hired,
            "credential_check": self.check,
            "check_days": [None if np.isnan(d) else float(d) for d in self.check_days],
        }


def make_applications(
    rng: np.random.Generator,
    scenario: Scenario,
    catalogue: Catalogue,
    postings: Postings,
    learners: Learners,
    credentials: Credentials,
    first_claim: np.ndarray,
    tally: Tally,
    ids: tuple[int, np.ndarray],
) -> Applications:
    """The chunk's applications and their funnel; adds the funnel's totals to ``tally``."""
    n_occ = len(catalogue.soc)
    counts = rng.poisson(scenario.applications_per_learner, size=learners.n)
    owner = np.repeat(np.arange(learners.n), counts)
    total = len(owner)
    last = day_number(WINDOW_END)
    low = learners.enrol_day[owner] + 30
    high = np.minimum(learners.enrol_day[owner] + 540, last)
    day = low + (rng.random(total) * (high - low + 1)).astype(np.int64)

    pick = rng.random(total)
    anywhere = rng.choice(n_occ, size=total, p=postings.occ_volume)
    target = credentials.main_occ[owner]
    prior = credentials.prior_occ[owner]
    occ = np.where(pick < 0.55, target, np.where(pick < 0.70, np.where(prior >= 0, prior, target),
                                                 anywhere))  # fmt: skip
    draw = rng.random(total)
    posting = np.zeros(total, dtype=np.int64)
    for o in range(n_occ):
        rows = np.flatnonzero(occ == o)
        days, index = postings.by_occ[o]
        if len(rows) == 0:
            continue
        if len(index) == 0:  # no posting of this occupation at all: any posting
            posting[rows] = (draw[rows] * len(postings.day)).astype(np.int64)
            continue
        upper = np.searchsorted(days, day[rows], side="right")
        lower = np.searchsorted(days, day[rows] - 45, side="left")
        width = upper - lower
        chosen = np.where(
            width > 0,
            lower + (draw[rows] * np.maximum(width, 1)).astype(np.int64),
            np.maximum(upper - 1, 0),
        )
        posting[rows] = index[np.minimum(chosen, len(index) - 1)]
    day = np.maximum(day, postings.day[posting])
    order = np.lexsort((np.arange(total), day, owner))
    owner, posting, day = owner[order], posting[order], day[order]

    bachelor = learners.bachelor[owner]
    ler = learners.ler[owner]
    age = learners.age[owner]
    required = postings.req_mask[posting]
    match = popcount(credentials.skill_mask[owner] & required) / np.maximum(popcount(required), 1)
    screen_degree = postings.screen_degree[posting]
    theta = scenario.qualified_match
    p_screen = np.where(
        screen_degree,
        np.where(
            bachelor, scenario.degree_screen_degree_pass, scenario.degree_screen_nondegree_pass
        ),
        logistic(1.0 + 8.0 * (match - theta)),
    )
    interview = -0.8 + 1.5 * (match - 0.5) + 0.3 * bachelor
    p_int0, p_int1 = logistic(interview), logistic(interview + scenario.ler_interview_log_odds)
    hire = -1.0 + 1.2 * (match - 0.5) + 0.5 * bachelor - 0.15 * (age - 35) / 10.0
    p_hire0, p_hire1 = logistic(hire), logistic(hire + scenario.ler_hire_log_odds)
    u_screen, u_interview, u_hire = rng.random(total), rng.random(total), rng.random(total)
    screened = u_screen < p_screen
    interviewed = screened & (u_interview < np.where(ler, p_int1, p_int0))
    hired = interviewed & (u_hire < np.where(ler, p_hire1, p_hire0))

    claimed = first_claim[owner] <= day + 10.0 / 24.0
    u_check = rng.random(total)
    by_ler = interviewed & ler & claimed & (u_check < scenario.ler_check_share)
    manual = interviewed & ~by_ler
    ler_days = rng.exponential(scenario.ler_check_mean_days, size=total)
    manual_days = np.clip(rng.gamma(2.0, scenario.manual_check_mean_days / 2.0, size=total),
                          0.5, 120.0)  # fmt: skip
    check = masked(np.where(by_ler, "ler", "manual"), interviewed)
    check_days = np.where(by_ler, np.round(ler_days, 2), np.where(manual, np.round(manual_days, 2),
                                                                  np.nan))  # fmt: skip

    qualified = match >= theta
    stars = learners.stars[owner]
    focus = qualified & stars & screen_degree
    tally.add("degree_screen_qualified_stars", focus.sum())
    tally.add("degree_screen_qualified_stars_out", (focus & ~screened).sum())
    tally.add("applications", total)
    tally.add("applications_ler", ler.sum())
    p_funnel0 = p_screen * p_int0 * p_hire0
    p_funnel1 = p_screen * p_int1 * p_hire1
    tally.add("hire_att_sum", (p_funnel1 - p_funnel0)[ler].sum())
    tally.add("hire_p0_treated_sum", p_funnel0[ler].sum())
    tally.add("interview_att_sum", (p_int1 - p_int0)[ler & screened].sum())
    tally.add("screened_ler", (ler & screened).sum())
    tally.add("hire_given_interview_att_sum", (p_hire1 - p_hire0)[ler & interviewed].sum())
    tally.add("interviewed_ler", (ler & interviewed).sum())
    tally.add("check_ler_n", by_ler.sum())
    tally.add("check_ler_days", np.round(ler_days, 2)[by_ler].sum())
    tally.add("check_manual_n", manual.sum())
    tally.add("check_manual_days", np.round(manual_days, 2)[manual].sum())
    tally.add("hired", hired.sum())
    return Applications(
        owner=owner,
        posting=posting,
        day=day,
        application_id=permuted_ids("app-", ids[0], total, ids[1]),
        screen_degree=screen_degree,
        screened=screened,
        interviewed=interviewed,
        hired=hired,
        check=check,
        check_days=check_days,
    )


# -- LER events ---------------------------------------------------------------------------------

_US_PER_DAY = 86_400_000_000


@dataclass
class Events:
    """One chunk's ler_events table columns."""

    columns: dict[str, object]
    count: int


def claim_times(
    rng: np.random.Generator, scenario: Scenario, learners: Learners, credentials: Credentials
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Issued and claimed moments (days, fractional) of each LER credential, and each
    learner's first claim (inf when none)."""
    total = credentials.count
    ler = learners.ler[credentials.owner]
    issued_base = np.where(
        credentials.prior,
        learners.enrol_day[credentials.owner],
        credentials.issued_day,
    ).astype(float)
    issued_at = issued_base + (9.0 + 8.0 * rng.random(total)) / 24.0
    claimed = ler & (rng.random(total) < scenario.claim_share)
    claim_at = issued_at + rng.exponential(3.0, size=total)
    as_of = float(day_number(scenario.as_of))
    claimed &= claim_at < as_of
    claim_at = np.where(claimed, claim_at, np.inf)
    first = np.full(learners.n, np.inf)
    np.minimum.at(first, credentials.owner, claim_at)
    return issued_at, claim_at, first


def _moment(days: np.ndarray) -> np.ndarray:
    micros = np.round(days * _US_PER_DAY / 1_000_000).astype(np.int64) * 1_000_000
    return micros.astype("datetime64[us]")


def make_events(
    rng: np.random.Generator,
    scenario: Scenario,
    catalogue: Catalogue,
    postings: Postings,
    learners: Learners,
    credentials: Credentials,
    applications: Applications,
    issued_at: np.ndarray,
    claim_at: np.ndarray,
    ids: tuple[int, np.ndarray],
) -> Events:
    """issued / claimed / revoked per LER credential, shared / verified per LER check."""
    ler_rows = np.flatnonzero(learners.ler[credentials.owner])
    owners: list[np.ndarray] = []
    creds: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    moments: list[np.ndarray] = []
    employers: list[np.ndarray] = []

    def add(rows: np.ndarray, kind: str, at: np.ndarray, employer: np.ndarray | None) -> None:
        owners.append(credentials.owner[rows])
        creds.append(rows)
        kinds.append(np.full(len(rows), kind, dtype=object))
        moments.append(at)
        employers.append(employer if employer is not None else np.full(len(rows), -1))

    add(ler_rows, "issued", issued_at[ler_rows], None)
    claimed = ler_rows[np.isfinite(claim_at[ler_rows])]
    add(claimed, "claimed", claim_at[claimed], None)

    as_of = float(day_number(scenario.as_of))
    revoked = ler_rows[credentials.fault[ler_rows] == "revoked"]
    share = 0.2 + 0.7 * rng.random(len(revoked))
    add(revoked, "revoked", issued_at[revoked] + share * (as_of - issued_at[revoked]), None)

    # shared and verified: every credential claimed before an LER-checked application
    checked = np.flatnonzero(applications.check == "ler")
    if len(checked):
        offsets = np.zeros(learners.n + 1, dtype=np.int64)
        np.add.at(offsets, credentials.owner + 1, 1)
        starts = np.cumsum(offsets)
        app_rows = []
        cred_rows = []
        for a in checked:
            learner = applications.owner[a]
            span = np.arange(starts[learner], starts[learner + 1])
            app_rows.append(np.full(len(span), a))
            cred_rows.append(span)
        app_idx = np.concatenate(app_rows)
        cred_idx = np.concatenate(cred_rows)
        shared_at = applications.day[app_idx] + (10.0 + 6.0 * rng.random(len(app_idx))) / 24.0
        ok = claim_at[cred_idx] <= shared_at
        app_idx, cred_idx, shared_at = app_idx[ok], cred_idx[ok], shared_at[ok]
        employer = postings.employer[applications.posting[app_idx]]
        add(cred_idx, "shared", shared_at, employer)
        good = credentials.fault[cred_idx] == ""
        verified_at = shared_at + applications.check_days[app_idx]
        add(cred_idx[good], "verified", verified_at[good], employer[good])

    owner = np.concatenate(owners)
    cred = np.concatenate(creds)
    kind = np.concatenate(kinds)
    at = np.concatenate(moments)
    employer = np.concatenate(employers)
    rank = {"issued": 0, "claimed": 1, "shared": 2, "verified": 3, "revoked": 4}
    kind_rank = np.array([rank[k] for k in kind], dtype=np.int64)
    order = np.lexsort((np.arange(len(owner)), kind_rank, at, cred, owner))
    owner, cred, kind, at, employer = (
        owner[order], cred[order], kind[order], at[order], employer[order]
    )  # fmt: skip
    actor = np.where(kind == "issued", "issuer",
                     np.where(kind == "revoked", "issuer",
                              np.where(kind == "verified", "employer", "learner"))).astype(object)  # fmt: skip
    count = len(owner)
    employer_id = masked(catalogue.employer_id[np.maximum(employer, 0)], employer >= 0)
    columns = {
        "event_id": permuted_ids("evt-", ids[0], count, ids[1]),
        "learner_id": np.array(learners.learner_id, dtype=object)[owner],
        "credential_id": np.array(credentials.credential_id, dtype=object)[cred],
        "event": kind,
        "at": _moment(at),
        "actor": actor,
        "employer_id": employer_id,
    }
    return Events(columns=columns, count=count)


# -- outcomes ------------------------------------------------------------------------------------


def _employer_for(
    rng: np.random.Generator,
    catalogue: Catalogue,
    postings: Postings,
    occ: np.ndarray,
    region: np.ndarray,
) -> np.ndarray:
    import lerkit.datasets._synth._calibration as cal

    regions = np.array(list(cal.DIVISION_STATES), dtype=object)
    size_weight = np.array([SIZE_POSTING_WEIGHT[s] for s in catalogue.employer_size])
    chosen = np.zeros(len(occ), dtype=np.int64)
    draw_u = rng.random(len(occ))
    for o in range(len(catalogue.soc)):
        rows = np.flatnonzero(occ == o)
        if len(rows) == 0:
            continue
        candidates = np.flatnonzero(postings.occ_mix[:, o] > 0)
        if len(candidates) == 0:
            candidates = np.arange(len(catalogue.employer_id))
        weight = size_weight[candidates] * np.maximum(postings.occ_mix[candidates, o], 1e-3)
        same = catalogue.employer_region[candidates][None, :] == regions[region[rows]][:, None]
        matrix = weight[None, :] * np.where(same, 4.0, 1.0)
        cumulative = np.cumsum(matrix, axis=1)
        index = (cumulative <= (draw_u[rows] * cumulative[:, -1])[:, None]).sum(axis=1)
        chosen[rows] = candidates[np.minimum(index, len(candidates) - 1)]
    return chosen


def make_outcomes(
    rng: np.random.Generator,
    scenario: Scenario,
    catalogue: Catalogue,
    postings: Postings,
    learners: Learners,
    credentials: Credentials,
    tally: Tally,
) -> dict[str, object]:
    """Quarterly employment, occupation, wage and employer, 2023Q1-2025Q4."""
    n, periods = learners.n, len(PERIODS)
    months = learners.enrol_day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    enrol_quarter = (months // 12 - (_FIRST_PERIOD_YEAR - 1970)) * 4 + (months % 12) // 3
    t = np.arange(periods)
    after = t[None, :] > enrol_quarter[:, None]

    soc_index = {s: i for i, s in enumerate(catalogue.soc)}
    origin = np.zeros((2, len(catalogue.soc)))
    for row, table in enumerate((_ORIGIN, _ORIGIN_UNIVERSITY)):
        for soc, weight in table.items():
            origin[row, soc_index[soc]] = weight
    university = learners.pathway == PATHWAYS.index("university")
    before_occ = choose_rows(rng, origin[university.astype(np.int64)])
    move = rng.random(n) < scenario.occupation_move_share
    after_occ = np.where(move & (credentials.main_occ >= 0), credentials.main_occ, before_occ)

    bachelor = learners.bachelor.astype(float)
    below = learners.below_high_school.astype(float)
    person = rng.normal(0.10 * bachelor - 0.06 * below, 0.18)
    propensity = rng.normal(0.0, 0.8, n)
    noise = rng.normal(0.0, 0.05, (n, periods))
    u_employed = rng.random((n, periods))
    gain = np.array([scenario.pathway_wage_gain[p] for p in PATHWAYS])[learners.pathway]
    age_c = (learners.age - 35) / 10.0

    occ = np.where(after, after_occ[:, None], before_occ[:, None])
    log_wage0 = (
        np.log(catalogue.occ_wage[occ])
        + person[:, None]
        + 0.0075 * t[None, :]
        + after * (gain - 0.02 * age_c)[:, None]
        + noise
    )
    log_wage1 = log_wage0 + after * scenario.ler_wage_log
    employ = (1.0 + propensity + 0.3 * bachelor - 0.4 * below)[:, None] + 0.15 * after
    p_emp0 = logistic(employ)
    p_emp1 = logistic(employ + after * scenario.ler_employment_log_odds)
    ler = learners.ler[:, None]
    employed = u_employed < np.where(ler, p_emp1, p_emp0)
    log_wage = np.where(ler, log_wage1, log_wage0)
    wage = np.minimum(np.round(np.exp(log_wage), 2), 500.0)

    before_employer = _employer_for(rng, catalogue, postings, before_occ, learners.region)
    fresh = _employer_for(rng, catalogue, postings, after_occ, learners.region)
    stay = (after_occ == before_occ) & (rng.random(n) < 0.7)
    after_employer = np.where(stay, before_employer, fresh)
    employer = np.where(after, after_employer[:, None], before_employer[:, None])

    treated_after = ler & after
    tally.add("employment_att_sum", (p_emp1 - p_emp0)[treated_after].sum())
    tally.add("employment_p0_treated_sum", p_emp0[treated_after].sum())
    tally.add("treated_after_quarters", treated_after.sum())
    tally.add("log_wage_att_sum", (log_wage1 - log_wage0)[treated_after].sum())
    seen = treated_after & employed
    dollars = np.exp(log_wage1) - np.exp(log_wage0)
    tally.add("wage_att_dollars_sum", dollars[seen].sum())
    tally.add("treated_after_employed", seen.sum())
    tally.add("quarters", n * periods)
    tally.add("employed_quarters", employed.sum())

    flat_employed = employed.ravel()
    flat_occ = occ.ravel()
    flat_employer = employer.ravel()
    return {
        "learner_id": np.repeat(np.array(learners.learner_id, dtype=object), periods),
        "period": np.tile(np.array(PERIODS, dtype=object), n),
        "employed": flat_employed,
        "occupation_soc": masked(catalogue.soc[flat_occ], flat_employed),
        "hourly_wage": [
            float(w) if e else None for w, e in zip(wage.ravel(), flat_employed, strict=True)
        ],
        "employer_id": masked(catalogue.employer_id[flat_employer], flat_employed),
    }
