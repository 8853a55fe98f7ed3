"""Plotly figure builders with one house style (:mod:`lerkit.plots._style`).

Every figure has a title, axis titles that name their unit, and the Okabe-Ito palette.
The general builders (:func:`bar`, :func:`timeline`, :func:`estimates`) take any tidy
frame; the analysis builders (``<analysis>_figure``) take the result frames of
:mod:`lerkit.analysis` and draw suppressed cells as gaps with a note, never as zeros.
"""

from __future__ import annotations

from lerkit.plots._decomposition import (
    gap_decomposition_figure,
    gap_decomposition_variables_figure,
)
from lerkit.plots._descriptive import (
    credential_attainment_figure,
    ler_funnel_figure,
    outcome_rates_figure,
    representation_difference_figure,
    representation_figure,
    verification_faults_figure,
    verification_summary_figure,
)
from lerkit.plots._efficiency import process_efficiency_figure, process_efficiency_savings_figure
from lerkit.plots._evaluation import (
    detectable_effect_figure,
    pilot_evaluation_figure,
    power_analysis_figure,
)
from lerkit.plots._hiring import adverse_impact_figure, adverse_impact_ratio_figure
from lerkit.plots._matching import (
    matcher_fairness_figure,
    skill_distance_figure,
    skill_gaps_figure,
)
from lerkit.plots._mobility import (
    occupation_transitions_figure,
    wage_change_distribution_figure,
    wage_mobility_figure,
)
from lerkit.plots._profile import learner_profile_figure, learner_profile_opportunities_figure
from lerkit.plots._screens import (
    degree_requirement_follow_through_figure,
    degree_requirement_hires_figure,
    degree_requirement_typology_figure,
    degree_vs_skills_composition_figure,
    degree_vs_skills_figure,
)
from lerkit.plots._style import (
    PALETTE,
    TEMPLATE,
    bar,
    column_title,
    estimates,
    palette,
    plain_label,
    suppressed_note,
    timeline,
)
from lerkit.plots._survival import time_to_employment_figure
from lerkit.plots._targeting import where_to_act_figure

__all__ = [
    "PALETTE",
    "TEMPLATE",
    "adverse_impact_figure",
    "adverse_impact_ratio_figure",
    "bar",
    "column_title",
    "credential_attainment_figure",
    "degree_requirement_follow_through_figure",
    "degree_requirement_hires_figure",
    "degree_requirement_typology_figure",
    "degree_vs_skills_composition_figure",
    "degree_vs_skills_figure",
    "detectable_effect_figure",
    "estimates",
    "gap_decomposition_figure",
    "gap_decomposition_variables_figure",
    "learner_profile_figure",
    "learner_profile_opportunities_figure",
    "ler_funnel_figure",
    "matcher_fairness_figure",
    "occupation_transitions_figure",
    "outcome_rates_figure",
    "palette",
    "pilot_evaluation_figure",
    "plain_label",
    "power_analysis_figure",
    "process_efficiency_figure",
    "process_efficiency_savings_figure",
    "representation_difference_figure",
    "representation_figure",
    "skill_distance_figure",
    "skill_gaps_figure",
    "suppressed_note",
    "time_to_employment_figure",
    "timeline",
    "verification_faults_figure",
    "verification_summary_figure",
    "wage_change_distribution_figure",
    "wage_mobility_figure",
    "where_to_act_figure",
]
