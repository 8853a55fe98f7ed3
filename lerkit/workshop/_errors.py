"""The workshop explainer's error."""

from __future__ import annotations

from lerkit.errors import LerkitError

__all__ = ["WorkshopError"]


class WorkshopError(LerkitError):
    """A workshop step was asked for something it cannot do.

    Codes: ``invalid_argument`` (a form value or seed that cannot be used),
    ``nothing_issued`` (a step that needs a credential before one was issued),
    ``unknown_field`` (a field the tamper step does not offer),
    ``explainer_missing`` (the explainer notebook is not where ``lerkit explain`` looks).
    """

    code = "workshop_error"
