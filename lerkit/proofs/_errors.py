"""Errors raised by the Data Integrity proof suites.

::

    LerkitError
     └── ProofError                a proof could not be created or did not verify
          └── CanonicalizationError   a document could not be canonicalized

They live here rather than in :mod:`lerkit.errors` for now; the codes are stable either way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lerkit.errors import LerkitError

if TYPE_CHECKING:
    from lerkit.proofs._suites import ProofArtifacts

__all__ = ["CanonicalizationError", "ProofError"]


class ProofError(LerkitError):
    """A Data Integrity proof could not be created, or did not verify.

    Codes: ``invalid_signature`` (the signature does not match the document and key),
    ``unsupported_cryptosuite`` (a proof type or cryptosuite lerkit does not implement),
    ``malformed_proof`` (a missing or ill-formed proof member), ``key_type_mismatch``
    (the key is not the algorithm or curve the suite names), ``invalid_key`` (a key or
    Multikey value that cannot be decoded).

    Attributes
    ----------
    artifacts : ProofArtifacts or None
        For ``invalid_signature``: everything computed before the signature check failed
        (canonical forms, hashes, the signature bytes), so an explainer can show it.
    field : str or None
        The proof member concerned, when there is one.
    """

    code = "proof_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        artifacts: ProofArtifacts | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.field = field
        self.artifacts = artifacts


class CanonicalizationError(ProofError):
    """A document could not be canonicalized.

    Codes: ``canonicalization_failed`` (JSON-LD processing failed, e.g. a protected term
    redefined), ``undefined_term`` (safe mode: a property or type that expands to no
    absolute IRI and would silently drop out of what is signed), ``canonicalization_limit``
    (RDFC-1.0 work limit exceeded: a poison graph).
    """

    code = "canonicalization_failed"
