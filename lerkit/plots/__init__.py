"""Plotly figure builders with one house style (:mod:`lerkit.plots._style`).

Every figure has a title, axis titles that name their unit, and the Okabe-Ito palette.
The general builders (:func:`bar`, :func:`timeline`) take any tidy frame; the analysis
builders take the result frames of :mod:`lerkit.analysis` and draw suppressed cells as
gaps with a note, never as zeros.
"""

from __future__ import annotations

from lerkit.plots._style import (
    PALETTE,
    TEMPLATE,
    bar,
    estimates,
    palette,
    suppressed_note,
    timeline,
)

__all__ = ["PALETTE", "TEMPLATE", "bar", "estimates", "palette", "suppressed_note", "timeline"]
