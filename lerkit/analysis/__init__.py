"""Equity and opportunity analyses of LER pilot datasets.

Aggregation runs in a query engine through Ibis (embedded DuckDB by default, see
:func:`connect`); statistics run on the small aggregated frames. Every analysis returns
a tidy result frame (see :func:`finish`): group columns, ``measure``, ``estimate``,
``ci_low``, ``ci_high``, ``n``, ``suppressed``, then its own columns, with small cells
suppressed (:func:`suppress`, :data:`MIN_CELL`).
"""

from __future__ import annotations

from lerkit.analysis._decomposition import gap_decomposition
from lerkit.analysis._descriptive import (
    DEFAULT_ATTRIBUTES,
    FUNNEL_STAGES,
    NOT_REPORTED,
    credential_attainment,
    ler_funnel,
    outcome_rates,
    representation,
    verification_summary,
)
from lerkit.analysis._efficiency import process_efficiency
from lerkit.analysis._engine import Engine, EngineSource, as_engine, connect
from lerkit.analysis._evaluation import pilot_evaluation
from lerkit.analysis._follow_through import RISE_THRESHOLD, degree_requirement_follow_through
from lerkit.analysis._hiring import FOUR_FIFTHS, adverse_impact
from lerkit.analysis._intervals import newcombe, t_interval, wald_difference, wilson
from lerkit.analysis._matching import (
    REACHABLE_DISTANCE,
    held_skills,
    matcher_fairness,
    occupation_skills,
    required_skills,
    skill_distance,
    skill_gaps,
    skill_sets,
    top_occupations,
)
from lerkit.analysis._mobility import (
    MOBILITY_MEASURES,
    NOT_EMPLOYED,
    occupation_transitions,
    wage_change_distribution,
    wage_mobility,
)
from lerkit.analysis._power import detectable_effect, power_analysis
from lerkit.analysis._profile import LearnerProfile, learner_profile
from lerkit.analysis._result import RESULT_COLUMNS, finish
from lerkit.analysis._screens import QUALIFIED_SHARE, degree_vs_skills
from lerkit.analysis._suppress import MIN_CELL, suppress
from lerkit.analysis._survival import time_to_employment
from lerkit.analysis._targeting import NO_EARLIER_JOB, TARGET_OUTCOMES, where_to_act

__all__ = [
    "DEFAULT_ATTRIBUTES",
    "FOUR_FIFTHS",
    "FUNNEL_STAGES",
    "MIN_CELL",
    "MOBILITY_MEASURES",
    "NOT_EMPLOYED",
    "NOT_REPORTED",
    "NO_EARLIER_JOB",
    "QUALIFIED_SHARE",
    "REACHABLE_DISTANCE",
    "RESULT_COLUMNS",
    "RISE_THRESHOLD",
    "TARGET_OUTCOMES",
    "Engine",
    "EngineSource",
    "LearnerProfile",
    "adverse_impact",
    "as_engine",
    "connect",
    "credential_attainment",
    "degree_requirement_follow_through",
    "degree_vs_skills",
    "detectable_effect",
    "finish",
    "gap_decomposition",
    "held_skills",
    "learner_profile",
    "ler_funnel",
    "matcher_fairness",
    "newcombe",
    "occupation_skills",
    "occupation_transitions",
    "outcome_rates",
    "pilot_evaluation",
    "power_analysis",
    "process_efficiency",
    "representation",
    "required_skills",
    "skill_distance",
    "skill_gaps",
    "skill_sets",
    "suppress",
    "t_interval",
    "time_to_employment",
    "top_occupations",
    "verification_summary",
    "wage_change_distribution",
    "wage_mobility",
    "wald_difference",
    "where_to_act",
    "wilson",
]
