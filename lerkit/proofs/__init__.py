"""Data Integrity proofs, with every intermediate artifact exposed.

Suites: ``eddsa-rdfc-2022``, ``eddsa-jcs-2022``, ``ecdsa-rdfc-2019`` (P-256 / P-384),
``ecdsa-jcs-2019`` and the legacy ``Ed25519Signature2020``; the pre-Recommendation name
``eddsa-2022`` verifies as ``eddsa-rdfc-2022`` and is flagged in
:attr:`ProofArtifacts.legacy_name`.

:func:`verify_proof` returns the artifacts or raises :class:`ProofError`; it never returns
False. It checks the signature only: resolving the verification method, proof purpose,
dates and status belong to the verification pipeline.
"""

from __future__ import annotations

from lerkit.proofs._canon import (
    DEFAULT_MAX_WORK,
    CanonicalNQuads,
    HashName,
    canonicalize_jcs,
    canonicalize_nquads,
    canonicalize_rdfc,
)
from lerkit.proofs._errors import CanonicalizationError, ProofError
from lerkit.proofs._multikey import (
    KeyKind,
    PrivateKey,
    PublicKey,
    private_key_from_multibase,
    private_key_to_multibase,
    public_key_from_multibase,
    public_key_to_multibase,
)
from lerkit.proofs._suites import (
    LEGACY_CRYPTOSUITES,
    SUITES,
    ProofArtifacts,
    Suite,
    sign,
    suite_for_proof,
    verify_proof,
)

__all__ = [
    "DEFAULT_MAX_WORK",
    "LEGACY_CRYPTOSUITES",
    "SUITES",
    "CanonicalNQuads",
    "CanonicalizationError",
    "HashName",
    "KeyKind",
    "PrivateKey",
    "ProofArtifacts",
    "ProofError",
    "PublicKey",
    "Suite",
    "canonicalize_jcs",
    "canonicalize_nquads",
    "canonicalize_rdfc",
    "private_key_from_multibase",
    "private_key_to_multibase",
    "public_key_from_multibase",
    "public_key_to_multibase",
    "sign",
    "suite_for_proof",
    "verify_proof",
]
