"""The workshop explainer: how a learning and employment record is issued, checked,
tampered with and revoked, step by step, for trainers and their audiences.

The logic is here; ``notebooks/how-lers-work.ipynb`` only calls it, and
``lerkit explain`` serves that notebook as an app with Voila. Everything is
deterministic (seeded keys, a fixed verifier clock) and works offline.

>>> from lerkit import workshop
>>> ws = workshop.Workshop(seed=2026)
>>> _ = ws.issue(workshop.CredentialForm(learner_name="Ada Example"))
>>> ws.check().verdict
'verified'
>>> _ = ws.tamper("achievement name", "PhD in Welding")
>>> ws.check().failed_check.name
'signature'
"""

from __future__ import annotations

from lerkit.workshop._didkey import DidKeyParts, decode_did_key
from lerkit.workshop._errors import WorkshopError
from lerkit.workshop._identity import guess_identity, hashed_identities, likely_emails
from lerkit.workshop._lab import (
    ACHIEVEMENT_TYPES,
    DEFAULT_NOW,
    TAMPER_FIELDS,
    VERDICT_WORDS,
    WORKSHOP_ISSUER_NAME,
    WORKSHOP_STATUS_URL,
    CredentialForm,
    Outcome,
    Workshop,
    signature_text,
    workshop_key,
)
from lerkit.workshop._serve import (
    DEFAULT_PORT,
    EXPLAINER_NAME,
    explainer_notebook,
    serve,
    voila_command,
    voila_environment,
)
from lerkit.workshop._widgets import CredentialLab, DidKeyLab, IdentityLab

__all__ = [
    "ACHIEVEMENT_TYPES",
    "DEFAULT_NOW",
    "DEFAULT_PORT",
    "EXPLAINER_NAME",
    "TAMPER_FIELDS",
    "VERDICT_WORDS",
    "WORKSHOP_ISSUER_NAME",
    "WORKSHOP_STATUS_URL",
    "CredentialForm",
    "CredentialLab",
    "DidKeyLab",
    "DidKeyParts",
    "IdentityLab",
    "Outcome",
    "Workshop",
    "WorkshopError",
    "decode_did_key",
    "explainer_notebook",
    "guess_identity",
    "hashed_identities",
    "likely_emails",
    "serve",
    "signature_text",
    "voila_command",
    "voila_environment",
    "workshop_key",
]
