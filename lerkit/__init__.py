"""lerkit: read, verify, analyze and report on Learning and Employment Records.

Notebooks use the public API only::

    import lerkit as lk

    found = lk.read("datasets/samples")
    found.table("credentials")
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from lerkit.errors import (
    DatasetError,
    LerkitError,
    ParameterError,
    ParseError,
    PrivacyError,
    ReportError,
    VerificationError,
)
from lerkit.model import (
    Achievement,
    Alignment,
    Credential,
    CredentialFormat,
    CredentialReference,
    CredentialStatusRef,
    Envelope,
    Evidence,
    IdentityObject,
    Issuer,
    Problem,
    ProofInfo,
    Result,
    SourceLocation,
    Subject,
)
from lerkit.parse import CredentialSet, ReadLimits, read, read_unverified

try:
    __version__ = version("lerkit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "Achievement",
    "Alignment",
    "Credential",
    "CredentialFormat",
    "CredentialReference",
    "CredentialSet",
    "CredentialStatusRef",
    "DatasetError",
    "Envelope",
    "Evidence",
    "IdentityObject",
    "Issuer",
    "LerkitError",
    "ParameterError",
    "ParseError",
    "PrivacyError",
    "Problem",
    "ProofInfo",
    "ReadLimits",
    "ReportError",
    "Result",
    "SourceLocation",
    "Subject",
    "VerificationError",
    "__version__",
    "read",
    "read_unverified",
]
