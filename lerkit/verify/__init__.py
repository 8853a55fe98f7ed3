"""Verify credentials: is this record genuine, unaltered, current and not revoked?

:func:`verify` checks one credential and returns a :class:`VerificationReport` of named
checks with a verdict in the three levels credential wallets show (``verified``,
``warning``, ``not_verified``), plus ``indeterminate`` when a check could not be
completed. :func:`verify_many` does a batch in parallel into a DataFrame, and
:func:`explain` returns every intermediate value of a signature check for teaching.

>>> import lerkit as lk
>>> lk.verify({"type": ["VerifiableCredential"]}).status
'not_verified'
"""

from __future__ import annotations

from lerkit.verify._explain import Explanation, explain
from lerkit.verify._many import REPORT_COLUMNS, verify_many
from lerkit.verify._report import (
    CHECK_NAMES,
    WARNING_CHECKS,
    Check,
    CheckStatus,
    Verdict,
    VerificationReport,
    overall_status,
)
from lerkit.verify._schemas import SCHEMAS, SchemaResult, check_schema
from lerkit.verify._trust import TrustedIssuer, TrustList, load_trust_list
from lerkit.verify._verifier import Verifier, VerifyOptions, verify

__all__ = [
    "CHECK_NAMES",
    "REPORT_COLUMNS",
    "SCHEMAS",
    "WARNING_CHECKS",
    "Check",
    "CheckStatus",
    "Explanation",
    "SchemaResult",
    "TrustList",
    "TrustedIssuer",
    "Verdict",
    "VerificationReport",
    "Verifier",
    "VerifyOptions",
    "check_schema",
    "explain",
    "load_trust_list",
    "overall_status",
    "verify",
    "verify_many",
]
