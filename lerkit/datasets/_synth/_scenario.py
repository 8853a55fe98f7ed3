"""The scenario of a synthetic pilot: every parameter, its default and what it means.

``synthesize(n, seed, **scenario)`` takes any of these as keywords. Parameters that set
a *true effect* (the ``ler_*`` effects, ``degree_screen_nondegree_pass``, the pathway
wage gains) are what analyses on the generated data should recover; ground_truth/
effects.json records them with the realized population-level values. Defaults that
are not published figures are assumptions of the scenario; the README says so.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from lerkit.datasets._synth import _calibration as cal
from lerkit.errors import DatasetError

__all__ = ["PARAMETER_NOTES", "PATHWAYS", "Scenario", "make_scenario"]

PATHWAYS = (
    "community_college",
    "workforce_training",
    "bootcamp",
    "certificate",
    "military",
    "apprenticeship",
    "on_the_job",
    "university",
)


def _frozen(mapping: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Scenario:
    """The parameters of one synthetic pilot (see :data:`PARAMETER_NOTES`)."""

    # -- the pilot population --------------------------------------------------------------
    pathway_mix: Mapping[str, float] = field(
        default_factory=lambda: _frozen(
            {
                "community_college": 0.24,
                "workforce_training": 0.15,
                "bootcamp": 0.09,
                "certificate": 0.09,
                "military": 0.05,
                "apprenticeship": 0.07,
                "on_the_job": 0.13,
                "university": 0.18,
            }
        )
    )
    ler_share: float = 0.5
    assignment_stars_log_odds: float = 0.8
    assignment_age_log_odds_per_decade: float = -0.3
    disability_share: float = 0.09
    disability_not_reported: float = 0.06
    veteran_not_reported: float = 0.02
    # -- true effects ----------------------------------------------------------------------
    ler_interview_log_odds: float = 0.40
    ler_hire_log_odds: float = 0.60
    ler_wage_log: float = 0.06
    ler_employment_log_odds: float = 0.30
    degree_screen_nondegree_pass: float = 0.04
    degree_screen_degree_pass: float = 0.90
    pathway_wage_gain: Mapping[str, float] = field(
        default_factory=lambda: _frozen(
            {
                "community_college": 0.05,
                "workforce_training": 0.04,
                "bootcamp": 0.08,
                "certificate": 0.04,
                "military": 0.03,
                "apprenticeship": 0.09,
                "on_the_job": 0.03,
                "university": 0.06,
            }
        )
    )
    occupation_move_share: float = 0.35
    qualified_match: float = 0.5
    # -- labour market ---------------------------------------------------------------------
    employers: int = 160
    postings_per_learner: float = 0.5
    applications_per_learner: float = 3.5
    drop_share: float = 0.46
    sbh_typology: Mapping[str, float] = field(
        default_factory=lambda: _frozen({"leader": 0.37, "in_name_only": 0.45, "backslider": 0.18})
    )
    degree_postings_share_start: float = 0.44
    ler_check_share: float = 0.85
    ler_check_mean_days: float = 0.3
    manual_check_mean_days: float = 11.0
    # -- credentials -----------------------------------------------------------------------
    proof_mix: Mapping[str, float] = field(
        default_factory=lambda: _frozen(
            {"eddsa-rdfc-2022": 0.80, "Ed25519Signature2020": 0.10, "jwt": 0.10}
        )
    )
    fault_shares: Mapping[str, float] = field(
        default_factory=lambda: _frozen(
            {"tampered": 0.01, "expired": 0.01, "revoked": 0.01, "suspended": 0.005}
        )
    )
    claim_share: float = 0.9
    # -- dates -----------------------------------------------------------------------------
    as_of: date = date(2026, 3, 31)

    def to_dict(self) -> dict[str, Any]:
        """Plain values (mappings as dicts, dates as ISO text), in field order."""
        out: dict[str, Any] = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if isinstance(value, Mapping):
                value = {str(k): float(v) for k, v in value.items()}
            elif isinstance(value, date):
                value = value.isoformat()
            out[item.name] = value
        return out

    # -- validation ------------------------------------------------------------------------

    def validate(self) -> None:
        """Raise DatasetError (``invalid_parameter``) for an out-of-range parameter."""
        _shares("pathway_mix", self.pathway_mix, PATHWAYS)
        _shares("sbh_typology", self.sbh_typology, ("leader", "in_name_only", "backslider"))
        _shares("proof_mix", self.proof_mix, ("eddsa-rdfc-2022", "Ed25519Signature2020",
                                              "ecdsa-rdfc-2019", "jwt"), exact=False)  # fmt: skip
        if set(self.pathway_wage_gain) != set(PATHWAYS):
            raise _bad("pathway_wage_gain", dict(self.pathway_wage_gain), "a value per pathway")
        faults = dict(self.fault_shares)
        if not set(faults) <= {"tampered", "expired", "revoked", "suspended"} or any(
            not 0 <= v <= 0.2 for v in faults.values()
        ):
            raise _bad("fault_shares", faults, "tampered/expired/revoked/suspended, each 0-0.2")
        for name in (
            "ler_share", "disability_share", "disability_not_reported", "veteran_not_reported",
            "degree_screen_nondegree_pass", "degree_screen_degree_pass", "occupation_move_share",
            "qualified_match", "drop_share", "degree_postings_share_start", "ler_check_share",
            "claim_share",
        ):  # fmt: skip
            value = getattr(self, name)
            if not (isinstance(value, int | float) and 0.0 <= value <= 1.0):
                raise _bad(name, value, "a share from 0 to 1")
        if not 0.01 <= self.ler_share <= 0.99:
            raise _bad("ler_share", self.ler_share, "from 0.01 to 0.99")
        for name in ("applications_per_learner", "postings_per_learner"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and 0.05 <= value <= 50):
                raise _bad(name, value, "a number from 0.05 to 50")
        if not (isinstance(self.employers, int) and 20 <= self.employers <= 100_000):
            raise _bad("employers", self.employers, "an integer from 20 to 100000")
        for name in ("ler_check_mean_days", "manual_check_mean_days"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and 0.01 <= value <= 60):
                raise _bad(name, value, "a number of days from 0.01 to 60")
        for name in (
            "ler_interview_log_odds", "ler_hire_log_odds", "ler_wage_log",
            "ler_employment_log_odds", "assignment_stars_log_odds",
            "assignment_age_log_odds_per_decade",
        ):  # fmt: skip
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and abs(value) <= 5):
                raise _bad(name, value, "a finite number from -5 to 5")
        if not (
            isinstance(self.as_of, date) and date(2026, 1, 1) <= self.as_of <= date(2030, 12, 31)
        ):
            raise _bad("as_of", self.as_of, "a date from 2026-01-01 to 2030-12-31")


def _bad(name: str, value: object, wanted: str) -> DatasetError:
    return DatasetError(
        f"scenario parameter {name}={value!r} is not {wanted}", code="invalid_parameter"
    )


def _shares(
    name: str, mapping: Mapping[str, float], keys: tuple[str, ...], *, exact: bool = True
) -> None:
    given = dict(mapping)
    if (exact and set(given) != set(keys)) or not set(given) <= set(keys):
        raise _bad(name, given, f"shares keyed by {', '.join(keys)}")
    if any(not (isinstance(v, int | float) and v >= 0) for v in given.values()):
        raise _bad(name, given, "non-negative shares")
    if abs(sum(given.values()) - 1.0) > 1e-6:
        raise _bad(name, given, "shares summing to 1")


def make_scenario(**parameters: Any) -> Scenario:
    """A validated :class:`Scenario` from keyword parameters.

    Raises
    ------
    DatasetError
        ``unknown_parameter`` for a name that is not a scenario parameter (the message
        lists them), ``invalid_parameter`` for a value out of range.

    Examples
    --------
    >>> make_scenario(ler_hire_log_odds=0.8).ler_hire_log_odds
    0.8
    >>> make_scenario(ler_hire=1)
    Traceback (most recent call last):
    ...
    lerkit.errors.DatasetError: unknown scenario parameter 'ler_hire'; ...
    """
    names = [item.name for item in dataclasses.fields(Scenario)]
    for name in parameters:
        if name not in names:
            raise DatasetError(
                f"unknown scenario parameter {name!r}; the parameters are {', '.join(names)}",
                code="unknown_parameter",
            )
    converted: dict[str, Any] = {
        key: _frozen(value) if isinstance(value, Mapping) else value
        for key, value in parameters.items()
    }
    if isinstance(converted.get("as_of"), str):
        converted["as_of"] = date.fromisoformat(converted["as_of"])
    scenario = Scenario(**converted)
    scenario.validate()
    return scenario


#: What each parameter means and where its default comes from (for the README).
PARAMETER_NOTES: Mapping[str, str] = MappingProxyType(
    {
        "pathway_mix": "share of learners by main pathway (assumption: a regional pilot "
        "recruiting mostly alternative-route learners, with a university arm for contrast)",
        "ler_share": "target share of learners in the LER arm (assumption; realized share "
        "varies with the covariates below)",
        "assignment_stars_log_odds": "log-odds of joining the LER arm for STARs versus others "
        "(assumption: outreach targets STARs, so naive arm comparisons are confounded)",
        "assignment_age_log_odds_per_decade": "log-odds of joining the LER arm per decade of age "
        "(assumption: younger learners opt in more)",
        "disability_share": "share with a self-identified disability among those reporting "
        "(assumption)",
        "disability_not_reported": "share not reporting disability (assumption)",
        "veteran_not_reported": "share of non-military-pathway learners not reporting veteran "
        "status (assumption)",
        "ler_interview_log_odds": "TRUE EFFECT: log-odds ratio of an interview, given screened "
        "in, for LER holders",
        "ler_hire_log_odds": "TRUE EFFECT: log-odds ratio of a hire, given interviewed, for LER "
        "holders",
        "ler_wage_log": "TRUE EFFECT: log-point change in hourly wage after enrolment for the "
        "LER arm (0.06 = about 6%)",
        "ler_employment_log_odds": "TRUE EFFECT: log-odds ratio of being employed in a quarter "
        "after enrolment for the LER arm",
        "degree_screen_nondegree_pass": "TRUE EFFECT: probability that a degree screen lets "
        "through an applicant without a bachelor's degree, qualified or not (1 minus it is the "
        "exclusion rate of qualified STARs; assumption)",
        "degree_screen_degree_pass": "probability that a degree screen passes a bachelor's "
        "holder (assumption)",
        "pathway_wage_gain": "log-point wage gain after enrolment by pathway, common to both "
        "arms (assumption: the training itself pays off)",
        "occupation_move_share": "share of learners whose post-enrolment job is in the "
        "occupation their program aligns to (both arms; assumption)",
        "qualified_match": "skill match (share of a posting's required skills the applicant's "
        "credentials align to) at which an applicant counts as qualified (assumption)",
        "employers": "number of employers (assumption)",
        "postings_per_learner": "postings per learner, at least 1,000 (assumption)",
        "applications_per_learner": "mean applications per learner (assumption)",
        "drop_share": "share of employers that drop degree requirements during the window "
        "(assumption informed by the 46% of middle-skill occupations with a degree reset)",
        "sbh_typology": "what droppers do: leader / in_name_only / backslider (published: "
        "Burning Glass Institute & HBS 2024)",
        "degree_postings_share_start": "share of postings requiring a bachelor's degree before "
        "any drop (published: 44% in 2021, Emsi Burning Glass)",
        "ler_check_share": "share of the LER arm's credential checks done from the LER when one "
        "was claimed (assumption)",
        "ler_check_mean_days": "mean days to confirm credentials from an LER: exponential, "
        "minutes to hours (assumption: an automated signature and status check)",
        "manual_check_mean_days": "mean days to confirm credentials by transcript requests and "
        "phone/e-mail reference checks: gamma, shape 2, capped at 120 (assumption)",
        "proof_mix": "share of LER credentials by proof format (assumption)",
        "fault_shares": "share of LER credentials written tampered / expired / revoked / "
        "suspended (assumption), so verification has something to find",
        "claim_share": "share of issued LERs the learner claims into a wallet (assumption)",
        "as_of": "the reference 'today' for verification (expiry, status)",
    }
)

#: The pilot's veteran share (derived from published figures, see _calibration).
VETERAN_TARGET = cal.pilot_veteran_share()
