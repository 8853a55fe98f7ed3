"""Every intermediate value of a signature check, for workshops and explainer notebooks."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from lerkit.dids import VerificationMethod, public_key_to_jwk
from lerkit.proofs import ProofArtifacts, public_key_to_multibase
from lerkit.proofs._jose import JoseArtifacts
from lerkit.verify._report import VerificationReport
from lerkit.verify._verifier import Verifier, VerifyOptions

__all__ = ["Explanation", "explain"]


@dataclass(frozen=True, slots=True)
class Explanation:
    """What lerkit computed to check one credential's signature, step by step.

    For a Data Integrity proof: the canonical N-Quads (or JCS text) of the document and
    of the proof configuration, their hashes, the bytes that were signed (proof hash then
    document hash), the signature and the public key. For a JWS: the header, the payload,
    the signing input (``header.payload``) and its SHA-256, the signature and the key.

    Attributes
    ----------
    report : VerificationReport
        The full verification, whose ``status`` is the verdict.
    securing : str
        ``data-integrity``, ``vc-jwt`` or ``vc-jose-cose``.
    suite : str or None
        The cryptosuite or JWS ``alg``.
    canonicalization : str or None
        ``RDFC-1.0``, ``JCS`` or, for a JWS, ``none (the bytes are signed as they are)``.
    canonical_document, canonical_proof_config : str or None
        The canonical forms (Data Integrity only).
    document_hash, proof_hash : str or None
        Hex digests of the canonical forms; for a JWS, ``document_hash`` is the SHA-256
        of the signing input, which the signature algorithm hashes itself.
    signed_bytes : bytes
        Exactly what the signature covers.
    signature : bytes
    public_key : str or None
        The verification key: ``publicKeyMultibase`` for Data Integrity keys, a JWK
        (JSON) for JWS keys.
    verification_method : str or None
    header, payload : dict or None
        The JWS header and payload (JWS only).
    """

    report: VerificationReport
    securing: str
    suite: str | None = None
    canonicalization: str | None = None
    canonical_document: str | None = None
    canonical_proof_config: str | None = None
    document_hash: str | None = None
    proof_hash: str | None = None
    signed_bytes: bytes = b""
    signature: bytes = b""
    public_key: str | None = None
    verification_method: str | None = None
    header: dict[str, Any] | None = field(default=None, repr=False)
    payload: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def verdict(self) -> str:
        """The verification verdict (``verified``, ``warning``, ...)."""
        return self.report.status

    def steps(self) -> pd.DataFrame:
        """The steps as a two-column table (step, value), long values shortened."""

        def short(value: str | None, limit: int = 120) -> str:
            if value is None:
                return "(not computed)"
            return value if len(value) <= limit else value[: limit - 1] + "…"

        rows = [
            ("securing", self.securing),
            ("suite / algorithm", short(self.suite)),
            ("canonicalization", short(self.canonicalization)),
            ("canonical document", short(self.canonical_document)),
            ("canonical proof configuration", short(self.canonical_proof_config)),
            ("document hash", short(self.document_hash)),
            ("proof configuration hash", short(self.proof_hash)),
            ("signed bytes (hex)", short(self.signed_bytes.hex() or None)),
            ("signature (hex)", short(self.signature.hex() or None)),
            ("public key", short(self.public_key)),
            ("verification method", short(self.verification_method)),
            ("verdict", self.verdict),
        ]
        return pd.DataFrame(rows, columns=["step", "value"])


def _key_text(method: VerificationMethod | None, artifacts: ProofArtifacts | None) -> str | None:
    if method is None:
        return None
    if artifacts is not None and not isinstance(method.public_key, RSAPublicKey):
        return public_key_to_multibase(method.public_key)
    return json.dumps(public_key_to_jwk(method.public_key), sort_keys=True)


def explain(
    credential: Any, *, options: VerifyOptions | None = None, **settings: Any
) -> Explanation:
    """Verify a credential and return every intermediate value of its signature check.

    Takes the same inputs and settings as :func:`~lerkit.verify.verify`. When the
    signature could not be checked (no proof, unknown key, unknown context), the
    computed fields are None and ``report`` says why.

    Examples
    --------
    >>> shown = explain({"type": ["VerifiableCredential"]})
    >>> shown.verdict, shown.canonical_document is None
    ('not_verified', True)
    """
    verifier = Verifier(options or VerifyOptions(**settings))
    report = verifier.verify(credential)
    artifacts = report.artifacts[0] if report.artifacts else None
    if isinstance(artifacts, ProofArtifacts):
        found = verifier.resolve_method(artifacts.verification_method)
        method = found if isinstance(found, VerificationMethod) else None
        return Explanation(
            report=report,
            securing=report.securing,
            suite=artifacts.suite,
            canonicalization=artifacts.canonicalization,
            canonical_document=artifacts.canonical_document,
            canonical_proof_config=artifacts.canonical_proof_config,
            document_hash=artifacts.document_hash.hex(),
            proof_hash=artifacts.proof_hash.hex(),
            signed_bytes=artifacts.combined,
            signature=artifacts.signature,
            public_key=_key_text(method, artifacts),
            verification_method=artifacts.verification_method,
        )
    if isinstance(artifacts, JoseArtifacts):
        method_id = report.verification_methods[-1] if report.verification_methods else None
        found_method = verifier.resolve_method(method_id) if method_id else None
        return Explanation(
            report=report,
            securing=report.securing,
            suite=artifacts.alg,
            canonicalization="none (the bytes are signed as they are)",
            document_hash=hashlib.sha256(artifacts.signing_input).hexdigest(),
            signed_bytes=artifacts.signing_input,
            signature=artifacts.signature,
            public_key=_key_text(
                found_method if isinstance(found_method, VerificationMethod) else None, None
            ),
            verification_method=method_id,
            header=artifacts.header,
            payload=artifacts.payload_json,
        )
    return Explanation(report=report, securing=report.securing)
