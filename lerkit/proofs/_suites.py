"""Data Integrity suites: eddsa-rdfc-2022, eddsa-jcs-2022, ecdsa-rdfc-2019, ecdsa-jcs-2019
and the legacy Ed25519Signature2020, following W3C vc-di-eddsa and vc-di-ecdsa.

For every suite::

    proof configuration = the proof without proofValue, with the document's @context
    hash data          = H(canonical proof configuration) || H(canonical document)
    proofValue         = "z" + base58btc(signature over the hash data)

where canonical means RDFC-1.0 N-Quads (``*-rdfc-*``, Ed25519Signature2020) or JCS
(``*-jcs-*``), and H is SHA-256, or SHA-384 for ECDSA with a P-384 key. Ed25519 signs the
64 bytes of hash data; ECDSA signs them with the curve's hash, with the deterministic
nonce of RFC 6979 (so the same key and input give the same proofValue), and the signature
is the raw ``r || s``. Every intermediate value is returned in :class:`ProofArtifacts`.

A proof that carries its own ``@context`` is verified in one of two ways:

* it is a prefix of the document's ``@context`` (the cryptosuite specifications' rule,
  and what lerkit's JCS proofs carry): the document is read with that ``@context`` and
  the proof configuration gets it too. For JCS suites this is the only form accepted.
* otherwise, for the RDFC suites only, the proof adds contexts the document lacks (what
  DIDKit does when the document does not name the suite's context): the proof
  configuration is read with the document's ``@context`` followed by the proof's. Each
  added entry must be the URL of a context lerkit pins, so a proof cannot bring in term
  definitions of its own.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from lerkit.contexts import PINNED_CONTEXTS, DocumentLoader
from lerkit.proofs._canon import HashName, PyldLoader, canonicalize_jcs, canonicalize_rdfc
from lerkit.proofs._errors import ProofError
from lerkit.proofs._multikey import (
    KeyKind,
    PrivateKey,
    PublicKey,
    key_kind,
    private_key_from_multibase,
    public_key_from_multibase,
    public_key_raw,
)

__all__ = [
    "LEGACY_CRYPTOSUITES",
    "SUITES",
    "ProofArtifacts",
    "Suite",
    "sign",
    "suite_for_proof",
    "verify_proof",
]

ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v2"
# Contexts that already define DataIntegrityProof and its members: VC 2.0 includes the
# Data Integrity v2 terms; v1 (pre-Recommendation) defines them as @protected terms of its
# own, which appending v2 would redefine (a JSON-LD error).
_DATA_INTEGRITY_INCLUDED_IN = frozenset(
    {"https://www.w3.org/ns/credentials/v2", "https://w3id.org/security/data-integrity/v1"}
)


@dataclass(frozen=True, slots=True)
class Suite:
    """A proof suite lerkit implements.

    Attributes
    ----------
    name : str
        The cryptosuite name, or the proof type for Ed25519Signature2020.
    proof_type : str
        The proof ``type``.
    cryptosuite : str or None
        The proof ``cryptosuite`` (None for Ed25519Signature2020).
    canonicalization : {"RDFC-1.0", "JCS"}
    algorithm : {"Ed25519", "ECDSA"}
    suite_context : str or None
        A context that defines the proof's terms, which :func:`sign` appends to the
        document's ``@context`` when neither it nor a context including it is there:
        ``ed25519-2020/v1`` for Ed25519Signature2020, ``data-integrity/v2`` for the
        RDFC DataIntegrityProof suites (not appended next to the VC 2.0 context, which
        includes it, or ``data-integrity/v1``; VC 1.1's context does not define the
        terms). None for the JCS suites, which do not process JSON-LD.
    """

    name: str
    proof_type: str
    cryptosuite: str | None
    canonicalization: Literal["RDFC-1.0", "JCS"]
    algorithm: Literal["Ed25519", "ECDSA"]
    suite_context: str | None = None

    def accepts(self, kind: KeyKind | None) -> bool:
        """Whether a key of this kind is the one the suite names."""
        if self.algorithm == "Ed25519":
            return kind == "Ed25519"
        return kind in ("P-256", "P-384")


#: The suites lerkit signs and verifies, by name.
SUITES: Mapping[str, Suite] = {
    s.name: s
    for s in (
        Suite(
            "eddsa-rdfc-2022",
            "DataIntegrityProof",
            "eddsa-rdfc-2022",
            "RDFC-1.0",
            "Ed25519",
            suite_context=DATA_INTEGRITY_CONTEXT,
        ),
        Suite("eddsa-jcs-2022", "DataIntegrityProof", "eddsa-jcs-2022", "JCS", "Ed25519"),
        Suite(
            "ecdsa-rdfc-2019",
            "DataIntegrityProof",
            "ecdsa-rdfc-2019",
            "RDFC-1.0",
            "ECDSA",
            suite_context=DATA_INTEGRITY_CONTEXT,
        ),
        Suite("ecdsa-jcs-2019", "DataIntegrityProof", "ecdsa-jcs-2019", "JCS", "ECDSA"),
        Suite(
            "Ed25519Signature2020",
            "Ed25519Signature2020",
            None,
            "RDFC-1.0",
            "Ed25519",
            suite_context=ED25519_2020_CONTEXT,
        ),
    )
}

#: Pre-Recommendation cryptosuite names verified as their current suite (and flagged).
LEGACY_CRYPTOSUITES: Mapping[str, str] = {"eddsa-2022": "eddsa-rdfc-2022"}

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"sha256": hashes.SHA256, "sha384": hashes.SHA384}
_SIGNATURE_LENGTH: dict[KeyKind, int] = {"Ed25519": 64, "P-256": 64, "P-384": 96}
_XSD_DATETIME = re.compile(
    r"-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T"
    r"([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?"
)


@dataclass(frozen=True, slots=True)
class ProofArtifacts:
    """Every intermediate value of creating or verifying one proof.

    Attributes
    ----------
    suite : str
        The suite used (``"eddsa-rdfc-2022"``, ..., ``"Ed25519Signature2020"``).
    canonical_document : str
        The document without its proof, canonicalized (N-Quads or JCS text).
    canonical_proof_config : str
        The proof configuration, canonicalized.
    document_hash, proof_hash : bytes
        Hashes of the two canonical forms (UTF-8).
    combined : bytes
        ``proof_hash || document_hash``: what was signed.
    signature : bytes
        Raw signature (Ed25519: 64 bytes; ECDSA: ``r || s``).
    public_key : bytes
        Raw public key: 32 bytes for Ed25519, the compressed SEC1 point for P-256/P-384.
    proof_value : str
        ``"z"`` + base58btc(signature).
    hash_algorithm : {"sha256", "sha384"}
        The hash for the two hashes above and, for RDFC suites, inside RDFC-1.0.
    key_type : {"Ed25519", "P-256", "P-384"}
    canonicalization : {"RDFC-1.0", "JCS"}
    verification_method : str
        The proof's ``verificationMethod`` (not resolved here).
    legacy_name : str or None
        The legacy cryptosuite name the proof used (``"eddsa-2022"``), else None.
    """

    suite: str
    canonical_document: str
    canonical_proof_config: str
    document_hash: bytes
    proof_hash: bytes
    combined: bytes
    signature: bytes
    public_key: bytes
    proof_value: str
    hash_algorithm: HashName
    key_type: KeyKind
    canonicalization: str
    verification_method: str
    legacy_name: str | None = None


# -- helpers ---------------------------------------------------------------------------


def _hash_name(kind: KeyKind) -> HashName:
    return "sha384" if kind == "P-384" else "sha256"


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _format_created(created: datetime | str) -> str:
    if isinstance(created, datetime):
        if created.tzinfo is None:
            raise ProofError(
                f"created {created.isoformat()!r} has no time zone; pass an aware datetime",
                code="malformed_proof",
                field="created",
            )
        moment = created.astimezone(UTC)
        spec = "seconds" if moment.microsecond == 0 else "milliseconds"
        return moment.replace(tzinfo=None).isoformat(timespec=spec) + "Z"
    if not isinstance(created, str) or not _XSD_DATETIME.fullmatch(created):
        raise ProofError(
            f"created {created!r} is not an XML Schema dateTime",
            code="malformed_proof",
            field="created",
        )
    return created


def _lacks_suite_context(suite: Suite, contexts: list[Any]) -> bool:
    """Whether :func:`sign` must append the suite's context to these ``@context`` entries."""
    if suite.suite_context is None or suite.suite_context in contexts:
        return False
    if suite.suite_context == DATA_INTEGRITY_CONTEXT:
        return not any(isinstance(c, str) and c in _DATA_INTEGRITY_INCLUDED_IN for c in contexts)
    return True


def _require_string(proof: Mapping[str, Any], name: str) -> str:
    value = proof.get(name)
    if not isinstance(value, str) or not value:
        shown = "missing" if name not in proof else repr(value)
        raise ProofError(
            f"proof {name} must be a non-empty string ({shown})", code="malformed_proof", field=name
        )
    return value


def _resolve_suite(proof: Mapping[str, Any]) -> tuple[Suite, str | None]:
    proof_type = _require_string(proof, "type")
    if proof_type == "DataIntegrityProof":
        cryptosuite = _require_string(proof, "cryptosuite")
        legacy = LEGACY_CRYPTOSUITES.get(cryptosuite)
        suite = SUITES.get(legacy or cryptosuite)
        if suite is None or suite.proof_type != "DataIntegrityProof":
            raise ProofError(
                f"cryptosuite {cryptosuite!r} is not supported (supported: "
                + ", ".join(s.cryptosuite for s in SUITES.values() if s.cryptosuite)
                + ")",
                code="unsupported_cryptosuite",
                field="cryptosuite",
            )
        return suite, (cryptosuite if legacy else None)
    suite = SUITES.get(proof_type)
    if suite is None or suite.proof_type != proof_type:
        raise ProofError(
            f"proof type {proof_type!r} is not supported (supported: DataIntegrityProof, "
            "Ed25519Signature2020)",
            code="unsupported_cryptosuite",
            field="type",
        )
    return suite, None


def suite_for_proof(proof: Mapping[str, Any]) -> Suite:
    """The suite that verifies ``proof``, from its ``type`` and ``cryptosuite``.

    Raises
    ------
    ProofError
        ``unsupported_cryptosuite`` for a proof type or cryptosuite lerkit does not
        implement, ``malformed_proof`` when ``type`` or ``cryptosuite`` is missing.

    >>> suite_for_proof({"type": "DataIntegrityProof", "cryptosuite": "eddsa-2022"}).name
    'eddsa-rdfc-2022'
    """
    return _resolve_suite(proof)[0]


def _check_key(suite: Suite, key: object, role: str) -> KeyKind:
    kind = key_kind(key)
    if not suite.accepts(kind):
        wanted = "an Ed25519 key" if suite.algorithm == "Ed25519" else "a P-256 or P-384 EC key"
        got = kind or type(key).__name__
        if kind is None and isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey):
            got = f"EC {key.curve.name}"
        raise ProofError(
            f"{suite.name} needs {wanted}; the {role} key is {got}",
            code="key_type_mismatch",
        )
    assert kind is not None
    return kind


def _proof_config_context(
    suite: Suite, unsecured: Mapping[str, Any], proof_context: Any
) -> list[Any] | None:
    """The proof configuration's ``@context`` for a proof that has one of its own.

    None when the proof's ``@context`` is a prefix of the document's: then, as the
    cryptosuite specifications say, both the document and the proof configuration take
    the proof's. Otherwise (RDFC suites only) the document's entries followed by the
    proof's, which is how DIDKit (Spruce ``ssi``) expands a proof that names the suite's
    context itself; each added entry must be a context lerkit pins.
    """
    proof_contexts = _as_list(proof_context)
    document_contexts = _as_list(unsecured.get("@context", []))
    if document_contexts[: len(proof_contexts)] == proof_contexts:
        return None
    if suite.canonicalization == "JCS":
        raise ProofError(
            "the proof's @context is not a prefix of the document's @context "
            f"({suite.name} requires it)",
            code="malformed_proof",
            field="@context",
        )
    for entry in proof_contexts:
        if not isinstance(entry, str) or entry not in PINNED_CONTEXTS:
            shown = repr(entry) if isinstance(entry, str) else f"an inline {type(entry).__name__}"
            raise ProofError(
                f"the proof's @context adds {shown} to the document's; a proof may add only "
                "contexts lerkit pins (see lerkit.contexts.PINNED_CONTEXTS)",
                code="malformed_proof",
                field="@context",
            )
    return [*document_contexts, *proof_contexts]


def _hash_and_canonicalize(
    suite: Suite,
    unsecured: Mapping[str, Any],
    proof_config: Mapping[str, Any],
    hash_name: HashName,
    loader: DocumentLoader | PyldLoader | None,
) -> tuple[str, str, bytes, bytes]:
    if suite.canonicalization == "JCS":
        canonical_document = canonicalize_jcs(unsecured)
        canonical_config = canonicalize_jcs(proof_config)
    else:
        # RDFC-1.0 runs with the suite's hash: SHA-384 only for ECDSA with P-384.
        canonical_document = canonicalize_rdfc(unsecured, loader, hash_algorithm=hash_name)
        canonical_config = canonicalize_rdfc(proof_config, loader, hash_algorithm=hash_name)
    document_hash = hashlib.new(hash_name, canonical_document.encode("utf-8")).digest()
    proof_hash = hashlib.new(hash_name, canonical_config.encode("utf-8")).digest()
    return canonical_document, canonical_config, document_hash, proof_hash


# -- signing ---------------------------------------------------------------------------


def sign(
    document: Mapping[str, Any],
    suite: str,
    private_key: PrivateKey | str,
    verification_method: str,
    *,
    created: datetime | str,
    proof_purpose: str = "assertionMethod",
    loader: DocumentLoader | PyldLoader | None = None,
) -> tuple[dict[str, Any], ProofArtifacts]:
    """Add a Data Integrity proof to a document.

    Parameters
    ----------
    document : Mapping
        The unsecured document (not modified). If it already has proofs, the new proof
        covers the document without them and is appended (a proof set). When the suite
        needs a context the document's ``@context`` lacks, the signed document has it
        appended (see :attr:`Suite.suite_context`): ``ed25519-2020/v1`` for
        Ed25519Signature2020, ``data-integrity/v2`` for eddsa-rdfc-2022 and
        ecdsa-rdfc-2019 on a document without the VC 2.0 context (a VC 1.1
        credential), as Digital Bazaar's ``vc.issue`` does.
    suite : str
        A key of :data:`SUITES`.
    private_key : Ed25519PrivateKey, EllipticCurvePrivateKey or str
        The signing key, or its ``secretKeyMultibase``. It must be the suite's algorithm.
    verification_method : str
        The proof's ``verificationMethod`` (e.g. a ``did:key`` URL).
    created : datetime or str
        The proof's ``created`` (an aware datetime, or an XML Schema dateTime string).
    proof_purpose : str, default "assertionMethod"
    loader : DocumentLoader or callable, optional
        Contexts for RDFC suites. Default: the offline default loader.

    Returns
    -------
    (dict, ProofArtifacts)
        The signed document and everything computed on the way.

    Raises
    ------
    ProofError
        ``unsupported_cryptosuite``, ``key_type_mismatch``, ``invalid_key`` or
        ``malformed_proof`` (also for an RDFC suite and a document without ``@context``);
        canonicalization and context errors as raised.

    Notes
    -----
    ECDSA signatures use RFC 6979 deterministic nonces: signing the same document with
    the same key, suite and ``created`` gives the same proofValue, as Ed25519 does.

    Examples
    --------
    >>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    >>> key = Ed25519PrivateKey.generate()
    >>> doc = {"@context": {"name": "https://schema.org/name"}, "name": "Ada"}
    >>> signed, art = sign(doc, "eddsa-jcs-2022", key, "did:key:z6Mk...#z6Mk...",
    ...                    created="2024-01-01T00:00:00Z")
    >>> art.combined == art.proof_hash + art.document_hash
    True
    """
    chosen = SUITES.get(suite)
    if chosen is None:
        hint = ""
        if suite in LEGACY_CRYPTOSUITES:
            hint = f"; {suite!r} is a legacy name, sign with {LEGACY_CRYPTOSUITES[suite]!r}"
        raise ProofError(
            f"suite {suite!r} is not supported (supported: {', '.join(SUITES)}){hint}",
            code="unsupported_cryptosuite",
        )
    key = private_key_from_multibase(private_key) if isinstance(private_key, str) else private_key
    kind = _check_key(chosen, key, "signing")
    if not isinstance(document, Mapping):
        raise ProofError(
            f"only a JSON object can be signed, not {type(document).__name__}",
            code="malformed_proof",
        )
    if not isinstance(verification_method, str) or not verification_method:
        raise ProofError(
            "verification_method must be a non-empty string",
            code="malformed_proof",
            field="verificationMethod",
        )
    unsecured = copy.deepcopy(dict(document))
    existing = unsecured.pop("proof", None)
    if chosen.suite_context is not None:
        if "@context" not in unsecured:
            raise ProofError(
                f"{chosen.name} signs JSON-LD documents; this one has no @context",
                code="malformed_proof",
            )
        contexts = _as_list(unsecured["@context"])
        if _lacks_suite_context(chosen, contexts):
            unsecured["@context"] = [*contexts, chosen.suite_context]

    proof: dict[str, Any] = {"type": chosen.proof_type}
    if chosen.cryptosuite is not None:
        proof["cryptosuite"] = chosen.cryptosuite
    proof["created"] = _format_created(created)
    proof["verificationMethod"] = verification_method
    proof["proofPurpose"] = proof_purpose
    proof_config = dict(proof)
    if "@context" in unsecured:
        proof_config["@context"] = copy.deepcopy(unsecured["@context"])
        if chosen.canonicalization == "JCS":
            # eddsa-jcs-2022 / ecdsa-jcs-2019: the proof itself carries the @context.
            proof["@context"] = copy.deepcopy(unsecured["@context"])

    hash_name = _hash_name(kind)
    canonical_document, canonical_config, document_hash, proof_hash = _hash_and_canonicalize(
        chosen, unsecured, proof_config, hash_name, loader
    )
    combined = proof_hash + document_hash
    public: PublicKey
    if isinstance(key, Ed25519PrivateKey):
        signature = key.sign(combined)
        public = key.public_key()
    else:
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        # RFC 6979: no random nonce, so issued credentials are reproducible
        der = key.sign(combined, ec.ECDSA(_HASHES[hash_name](), deterministic_signing=True))
        r, s = decode_dss_signature(der)
        size = _SIGNATURE_LENGTH[kind] // 2
        signature = r.to_bytes(size, "big") + s.to_bytes(size, "big")
        public = key.public_key()
    proof_value = "z" + base58.b58encode(signature).decode("ascii")
    proof["proofValue"] = proof_value

    signed = dict(unsecured)
    if existing is None:
        signed["proof"] = proof
    else:
        signed["proof"] = [*_as_list(existing), proof]
    artifacts = ProofArtifacts(
        suite=chosen.name,
        canonical_document=canonical_document,
        canonical_proof_config=canonical_config,
        document_hash=document_hash,
        proof_hash=proof_hash,
        combined=combined,
        signature=signature,
        public_key=public_key_raw(public),
        proof_value=proof_value,
        hash_algorithm=hash_name,
        key_type=kind,
        canonicalization=chosen.canonicalization,
        verification_method=verification_method,
    )
    return signed, artifacts


# -- verification ----------------------------------------------------------------------


def verify_proof(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    public_key: PublicKey | str,
    *,
    loader: DocumentLoader | PyldLoader | None = None,
) -> ProofArtifacts:
    """Verify one Data Integrity proof of a document with a given public key.

    Only the signature is checked here: resolving the verification method, the proof
    purpose, dates and status are the verification pipeline's job.

    Parameters
    ----------
    document : Mapping
        The secured document. All of its proofs are removed before canonicalization.
    proof : Mapping
        The proof to check (one member of ``document["proof"]``).
    public_key : Ed25519PublicKey, EllipticCurvePublicKey or str
        The key, or its ``publicKeyMultibase``.
    loader : DocumentLoader or callable, optional
        Contexts for RDFC suites. Default: the offline default loader.

    Returns
    -------
    ProofArtifacts
        Only when the signature is valid.

    Raises
    ------
    ProofError
        ``invalid_signature`` (with ``.artifacts``), ``unsupported_cryptosuite``,
        ``malformed_proof``, ``key_type_mismatch`` (checked before any hashing or
        cryptography) or ``invalid_key``; canonicalization and context errors as raised.

    Examples
    --------
    >>> signed, _ = sign(doc, "eddsa-jcs-2022", key, vm, created=now)  # doctest: +SKIP
    >>> verify_proof(signed, signed["proof"], key.public_key()).suite  # doctest: +SKIP
    'eddsa-jcs-2022'
    """
    if not isinstance(proof, Mapping):
        raise ProofError(
            f"a proof must be a JSON object, not {type(proof).__name__}", code="malformed_proof"
        )
    suite, legacy_name = _resolve_suite(proof)
    key = public_key_from_multibase(public_key) if isinstance(public_key, str) else public_key
    kind = _check_key(suite, key, "verification")
    assert isinstance(key, Ed25519PublicKey | ec.EllipticCurvePublicKey)
    if not isinstance(document, Mapping):
        raise ProofError(
            f"a secured document must be a JSON object, not {type(document).__name__}",
            code="malformed_proof",
        )

    verification_method = _require_string(proof, "verificationMethod")
    _require_string(proof, "proofPurpose")
    if "created" in proof:
        _format_created(proof["created"])
    proof_value = _require_string(proof, "proofValue")
    if not proof_value.startswith("z"):
        raise ProofError(
            f"proofValue must be base58btc multibase (starting with 'z'), not {proof_value[:12]!r}…",
            code="malformed_proof",
            field="proofValue",
        )
    try:
        signature = base58.b58decode(proof_value[1:])
    except ValueError as err:
        raise ProofError(
            f"proofValue is not valid base58btc: {err}", code="malformed_proof", field="proofValue"
        ) from err
    if len(signature) != _SIGNATURE_LENGTH[kind]:
        raise ProofError(
            f"proofValue decodes to {len(signature)} bytes; a {kind} signature has "
            f"{_SIGNATURE_LENGTH[kind]}",
            code="malformed_proof",
            field="proofValue",
        )

    unsecured = {name: value for name, value in document.items() if name != "proof"}
    proof_config = {name: value for name, value in proof.items() if name != "proofValue"}
    if "@context" in proof:
        config_context = _proof_config_context(suite, unsecured, proof["@context"])
        if config_context is None:  # a prefix: the specifications' rule
            unsecured["@context"] = proof["@context"]
            proof_config["@context"] = proof["@context"]
        else:
            proof_config["@context"] = config_context
    elif "@context" in unsecured:
        proof_config["@context"] = unsecured["@context"]

    hash_name = _hash_name(kind)
    canonical_document, canonical_config, document_hash, proof_hash = _hash_and_canonicalize(
        suite, unsecured, proof_config, hash_name, loader
    )
    combined = proof_hash + document_hash
    artifacts = ProofArtifacts(
        suite=suite.name,
        canonical_document=canonical_document,
        canonical_proof_config=canonical_config,
        document_hash=document_hash,
        proof_hash=proof_hash,
        combined=combined,
        signature=signature,
        public_key=public_key_raw(key),
        proof_value=proof_value,
        hash_algorithm=hash_name,
        key_type=kind,
        canonicalization=suite.canonicalization,
        verification_method=verification_method,
        legacy_name=legacy_name,
    )
    try:
        if isinstance(key, Ed25519PublicKey):
            key.verify(signature, combined)
        else:
            half = len(signature) // 2
            der = encode_dss_signature(
                int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
            )
            key.verify(der, combined, ec.ECDSA(_HASHES[hash_name]()))
    except InvalidSignature:
        raise ProofError(
            f"the {suite.name} signature does not match the document and the key "
            f"(verification method {verification_method!r})",
            code="invalid_signature",
            artifacts=artifacts,
        ) from None
    return artifacts
