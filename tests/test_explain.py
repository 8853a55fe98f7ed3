"""lk.explain: the intermediate values of a signature check, recomputed independently."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

import lerkit as lk
from lerkit.contexts import default_loader
from lerkit.dids import did_key_from_key
from lerkit.proofs import public_key_from_multibase, sign
from lerkit.proofs._jose import sign_jws

KEY = Ed25519PrivateKey.from_private_bytes(bytes([7]) * 32)
DID = did_key_from_key(KEY.public_key())
VM = f"{DID}#{DID.removeprefix('did:key:')}"


def _doc() -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:11111111-2222-4333-8444-555555555555",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": DID, "type": ["Profile"], "name": "Example Bootcamp"},
        "validFrom": "2025-03-01T00:00:00Z",
        "name": "Data Analytics",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://bootcamp.example/a/1",
                "type": ["Achievement"],
                "name": "Data Analytics",
                "description": "SQL and dashboards.",
                "criteria": {"narrative": "Capstone project."},
            },
        },
    }


def _pyld_nquads(document: dict[str, Any]) -> str:
    loader = default_loader()
    return str(
        jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": loader,
            },
        )
    )


def test_explain_data_integrity_matches_independent_recomputation() -> None:
    signed, _ = sign(_doc(), "eddsa-rdfc-2022", KEY, VM, created="2025-03-01T00:00:00Z")
    shown = lk.explain(signed)
    assert shown.verdict == "verified"
    unsecured = {k: v for k, v in signed.items() if k != "proof"}
    config = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    config["@context"] = unsecured["@context"]
    # plain pyld, not lerkit's canonicalizer
    assert shown.canonical_document == _pyld_nquads(unsecured)
    assert shown.canonical_proof_config == _pyld_nquads(config)
    assert shown.document_hash == hashlib.sha256(shown.canonical_document.encode()).hexdigest()
    assert shown.proof_hash == hashlib.sha256(shown.canonical_proof_config.encode()).hexdigest()
    assert shown.signed_bytes == bytes.fromhex(shown.proof_hash + shown.document_hash)
    assert shown.public_key is not None
    public = public_key_from_multibase(shown.public_key)
    assert isinstance(public, Ed25519PublicKey)
    public.verify(shown.signature, shown.signed_bytes)  # raises if the values do not fit
    steps = shown.steps()
    assert list(steps.columns) == ["step", "value"]
    assert steps.set_index("step").loc["verdict", "value"] == "verified"


def test_explain_a_proof_with_its_own_context() -> None:
    """DIDKit's form: the proof names the suite's context, the document does not.

    The proof configuration shown is read with the document's @context followed by the
    proof's, and its N-Quads are what the issuer signed.
    """
    suite_context = "https://w3id.org/security/suites/ed25519-2020/v1"
    document = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            {"name": "https://schema.org/name"},
        ],
        "id": "urn:uuid:11111111-2222-4333-8444-666666666666",
        "type": ["VerifiableCredential"],
        "issuer": DID,
        "issuanceDate": "2025-03-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner", "name": "Ada Example"},
    }
    options = {
        "type": "Ed25519Signature2020",
        "created": "2025-03-01T00:00:00Z",
        "verificationMethod": VM,
        "proofPurpose": "assertionMethod",
    }
    config = options | {"@context": [*document["@context"], suite_context]}
    expected_config = _pyld_nquads(config)
    signed_bytes = b"".join(
        hashlib.sha256(text.encode()).digest() for text in (expected_config, _pyld_nquads(document))
    )
    proof_value = "z" + base58.b58encode(KEY.sign(signed_bytes)).decode()
    signed = document | {
        "proof": {"@context": [suite_context], **options, "proofValue": proof_value}
    }
    shown = lk.explain(signed)
    assert shown.verdict == "verified", shown.report
    assert shown.canonical_proof_config == expected_config
    assert "<https://w3id.org/security#Ed25519Signature2020>" in expected_config
    assert shown.signed_bytes == signed_bytes


def test_explain_shows_why_a_tampered_credential_fails() -> None:
    signed, _ = sign(_doc(), "eddsa-rdfc-2022", KEY, VM, created="2025-03-01T00:00:00Z")
    original = lk.explain(signed)
    signed["name"] = "Data Science"
    shown = lk.explain(signed)
    assert shown.verdict == "not_verified"
    assert shown.report.check("signature").status == "failed"
    assert shown.proof_hash == original.proof_hash  # the proof configuration is untouched
    assert shown.document_hash != original.document_hash  # the document is not
    assert '"Data Science"' in (shown.canonical_document or "")
    assert shown.signature == original.signature


def test_explain_jwt() -> None:
    token = sign_jws({**_doc()}, KEY, kid=VM, typ="vc+jwt")
    shown = lk.explain(token)
    assert shown.verdict == "verified"
    assert shown.suite == "EdDSA"
    header, payload, _ = token.split(".")
    assert shown.signed_bytes == f"{header}.{payload}".encode()
    assert shown.payload is not None
    assert shown.payload["name"] == "Data Analytics"
    assert shown.public_key is not None
    assert json.loads(shown.public_key)["crv"] == "Ed25519"


def test_explain_without_a_proof_computes_nothing() -> None:
    shown = lk.explain(_doc())
    assert shown.verdict == "not_verified"
    assert shown.canonical_document is None
    assert shown.signature == b""
    assert shown.report.check("proof_present").code == "missing_proof"
