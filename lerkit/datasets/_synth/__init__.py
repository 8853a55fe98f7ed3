"""Synthetic LER pilots: a complete, calibrated, deterministic dataset folder.

``synthesize(n_learners, seed, out_dir, **scenario)`` writes every table of the data
dictionary, the signed credential files, status lists and DID documents, the ground
truth and a README that lists every calibration figure with its source.
"""

from lerkit.datasets._synth._calibration import Figure, figures
from lerkit.datasets._synth._pipeline import DEFAULT_CHUNK_SIZE, SyntheticPilot, synthesize
from lerkit.datasets._synth._scenario import PARAMETER_NOTES, Scenario, make_scenario

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "PARAMETER_NOTES",
    "Figure",
    "Scenario",
    "SyntheticPilot",
    "figures",
    "make_scenario",
    "synthesize",
]
