"""Shared pieces of the interop tests: keys, credential templates, lerkit's side.

Every credential here is built from fixed seeds and dates, so a failure can be
reproduced byte for byte. The peers (Digital Bazaar's JS stack, DCC verifier-core,
openbadgeslib, DIDKit) are driven by the test modules; this module only holds what
lerkit does and what all of them share.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

import lerkit
from lerkit.contexts import PINNED_CONTEXTS, DocumentLoader
from lerkit.dids import did_key_from_key, resolve_verification_method
from lerkit.proofs import ProofArtifacts, ProofError, sign, verify_proof
from lerkit.proofs._jose import JoseArtifacts, sign_jws, verify_jws

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
DI_V2 = "https://w3id.org/security/data-integrity/v2"
ED25519_2020 = "https://w3id.org/security/suites/ed25519-2020/v1"
OB_302 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
OB_303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)

#: The clock every verifier is given (credentials are valid 2025-01-01 .. 2035-01-01).
NOW = datetime(2025, 6, 1, tzinfo=UTC)
NOW_ISO = "2025-06-01T00:00:00Z"
CREATED = "2025-01-15T12:00:00Z"
VALID_FROM = "2025-01-01T00:00:00Z"
VALID_UNTIL = "2035-01-01T00:00:00Z"

#: The change every negative control makes after signing: one achievement's name.
TAMPER_PATH = ("credentialSubject", "achievement", "name")
TAMPER_VALUE = "Forged Achievement"

SUITES = ("eddsa-rdfc-2022", "Ed25519Signature2020")


# --- keys -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issuer:
    """An Ed25519 issuer identified by its did:key, from a fixed 32-byte seed."""

    seed: bytes

    @property
    def private_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def did(self) -> str:
        return did_key_from_key(self.public_key)

    @property
    def verification_method(self) -> str:
        return f"{self.did}#{self.did.removeprefix('did:key:')}"

    @property
    def seed_hex(self) -> str:
        return self.seed.hex()

    def private_jwk(self) -> dict[str, str]:
        """The key as an OKP JWK with its private part (what DIDKit signs with)."""
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": b64url(self.public_key.public_bytes_raw()),
            "d": b64url(self.private_key.private_bytes_raw()),
        }


def issuer(n: int) -> Issuer:
    """Issuer number ``n`` (a different key for each peer keeps mix-ups visible)."""
    return Issuer(bytes([n]) * 32)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- contexts ---------------------------------------------------------------------------


def pinned_contexts() -> dict[str, Any]:
    """Every context lerkit pins, parsed, by URL: what the JS peers' loader may serve."""
    loader = DocumentLoader(cache_dir="/nonexistent-lerkit-interop-cache")
    return {url: loader.load(url) for url in PINNED_CONTEXTS}


# --- credentials ------------------------------------------------------------------------


def ob3_credential(
    issuer_did: str,
    *,
    vc: str = "2.0",
    ob_context: str | None = None,
    serial: int = 1,
    extra_contexts: Sequence[str] = (),
) -> dict[str, Any]:
    """An Open Badges 3.0 AchievementCredential (VC 2.0 or VC 1.1), unsigned.

    VC 2.0 names OB context 3.0.3 by default; VC 1.1 names 3.0.2 (3.0.3 was written
    for VC 2.0). No ``credentialStatus``: status lists are not what these tests are about,
    and a status entry would make every peer try to fetch a list.
    """
    ob = ob_context or (OB_303 if vc == "2.0" else OB_302)
    # extensions.json defines 1EdTechJsonSchemaValidator2019, the credentialSchema type
    context: list[Any] = [VC_V2 if vc == "2.0" else VC_V1, ob, OB_EXTENSIONS, *extra_contexts]
    credential: dict[str, Any] = {
        "@context": context,
        "id": f"urn:uuid:6f1b6d1c-2a39-4c53-9d3e-{serial:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Certified Welder, Level 1",
        "issuer": {
            "id": issuer_did,
            "type": ["Profile"],
            "name": "Riverside Community College",
            "url": "https://riverside.example.edu",
        },
        "credentialSubject": {
            "id": "did:example:learner-0042",
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": "sha256$8c1a23f0a2e4b0e5c2e6f5a9b3c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": "pepper-0042",
                }
            ],
            "achievement": {
                "id": "https://riverside.example.edu/achievements/welding-1",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": "Welding Fundamentals",
                "description": "Shielded metal arc welding in flat and horizontal positions.",
                "criteria": {"narrative": "Pass the practical bend test and 120 shop hours."},
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": "Welders, Cutters, Solderers, and Brazers",
                        "targetUrl": "https://www.onetonline.org/link/summary/51-4121.00",
                        "targetFramework": "O*NET-SOC",
                        "targetCode": "51-4121.00",
                    }
                ],
            },
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if vc == "2.0":
        credential["validFrom"] = VALID_FROM
        credential["validUntil"] = VALID_UNTIL
    else:
        credential["issuanceDate"] = VALID_FROM
        credential["expirationDate"] = VALID_UNTIL
    return credential


def vc11_plain_credential(issuer_did: str, *, serial: int = 1) -> dict[str, Any]:
    """A VC 1.1 credential whose only remote context is credentials/v1.

    DIDKit serves contexts from a fixed built-in set that holds no Open Badges context,
    so its tests use a VC 1.1 credential with an embedded (inline) context for the
    subject's terms.
    """
    return {
        "@context": [
            VC_V1,
            {
                "name": "https://schema.org/name",
                "description": "https://schema.org/description",
                "hasCredential": "https://schema.org/hasCredential",
            },
        ],
        "id": f"urn:uuid:0d9f3c4e-8b6a-4e51-a0c2-{serial:012d}",
        "type": ["VerifiableCredential"],
        "issuer": issuer_did,
        "issuanceDate": VALID_FROM,
        "expirationDate": VALID_UNTIL,
        "credentialSubject": {
            "id": "did:example:learner-0042",
            "name": "Ada Example",
            "hasCredential": {"name": "Welding Fundamentals", "description": "SMAW, flat."},
        },
    }


def tampered(document: Mapping[str, Any], path: Sequence[str], value: Any) -> dict[str, Any]:
    """A deep copy of ``document`` with one field changed (the proof left as it was)."""
    copy_ = copy.deepcopy(dict(document))
    node: Any = copy_
    for step in path[:-1]:
        node = node[step]
    assert node[path[-1]] != value, "the tamper must change the value"
    node[path[-1]] = value
    return copy_


def tampered_jwt(token: str, path: Sequence[str], value: Any) -> str:
    """The token with one payload field changed and the original signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    changed = tampered(claims, path, value)
    return ".".join((header, b64url(json.dumps(changed).encode()), signature))


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a compact JWS, decoded without verifying (for assertions)."""
    return dict(json.loads(b64url_decode(token.split(".")[1])))


def get_path(document: Mapping[str, Any], path: Sequence[str]) -> Any:
    node: Any = document
    for step in path:
        node = node[step]
    return node


# --- lerkit's side ----------------------------------------------------------------------


def lerkit_sign(document: Mapping[str, Any], suite: str, who: Issuer) -> dict[str, Any]:
    """Sign with lerkit (low level: :func:`lerkit.proofs.sign`)."""
    signed, _ = sign(document, suite, who.private_key, who.verification_method, created=CREATED)
    return signed


def lerkit_sign_jwt(claims: Mapping[str, Any], who: Issuer, *, typ: str = "JWT") -> str:
    """Sign VC-JWT claims with lerkit (EdDSA, ``kid`` = the did:key verification method)."""
    return sign_jws(claims, who.private_key, kid=who.verification_method, typ=typ)


def lerkit_verify_proof(document: Mapping[str, Any]) -> ProofArtifacts:
    """Verify a document's single Data Integrity proof the way a verifier would.

    The key comes from resolving the proof's ``verificationMethod`` (did:key, offline,
    authorized for ``assertionMethod``), and the method must belong to the issuer.
    Raises :class:`ProofError` (or a DID / context error) when it does not verify.
    """
    proof = single_proof(document)  # OB 3.0's JSON Schema wants an array, even of one
    method = resolve_verification_method(proof["verificationMethod"], purpose="assertionMethod")
    issuer_field = document.get("issuer")
    issuer_id = issuer_field.get("id") if isinstance(issuer_field, dict) else issuer_field
    assert method.did == issuer_id, f"{method.id} does not belong to issuer {issuer_id}"
    public_key = method.public_key
    assert isinstance(public_key, Ed25519PublicKey)
    return verify_proof(document, proof, public_key)


def lerkit_verify_jwt(token: str) -> JoseArtifacts:
    """Verify a VC-JWT: the key is the issuer's did:key, never one the header carries.

    The issuer is ``iss`` (VC 1.1 JWTs, OB 3.0 VC-JWTs) or, without it (VC-JOSE-COSE),
    the credential's own ``issuer``; ``iss`` must agree with the credential when both exist.
    """
    claims = jwt_claims(token)
    credential = claims.get("vc", claims)
    stated = credential.get("issuer")
    issuer_id = stated.get("id") if isinstance(stated, dict) else stated
    iss = claims.get("iss", issuer_id)
    assert iss == issuer_id, f"iss {iss} is not the credential's issuer {issuer_id}"
    method = resolve_verification_method(iss, purpose="assertionMethod")
    public_key = method.public_key
    assert isinstance(public_key, Ed25519PublicKey)
    result = verify_jws(token, public_key, algorithms={"EdDSA"})
    kid = result.kid
    if kid is not None:
        assert kid.split("#", 1)[0] == iss, f"kid {kid} is not a key of issuer {iss}"
    return result


def single_proof(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document's one proof, whether ``proof`` is an object or an array of one."""
    proof = document["proof"]
    if isinstance(proof, list):
        (proof,) = proof
    assert isinstance(proof, dict)
    return proof


def lerkit_issue_module() -> Any:
    """``lerkit.issue``, the issuing toolkit the tests drive as a user would."""
    return lerkit.issue


def assert_lerkit_accepts(credential: Mapping[str, Any] | str) -> None:
    """lerkit verifies the credential (a Data Integrity document or a VC-JWT)."""
    if isinstance(credential, str):
        lerkit_verify_jwt(credential)
    else:
        lerkit_verify_proof(credential)
    report = lerkit.verify(credential, now=NOW)
    assert report.check("signature").status == "passed", str(report)
    assert report.status == "verified", str(report)


def assert_lerkit_rejects(credential: Mapping[str, Any] | str) -> None:
    """lerkit refuses the (tampered) credential: the signature does not match."""
    check = lerkit_verify_jwt if isinstance(credential, str) else lerkit_verify_proof
    with pytest.raises(ProofError) as caught:
        check(credential)  # type: ignore[arg-type]
    assert caught.value.code == "invalid_signature", caught.value
    report = lerkit.verify(credential, now=NOW)
    assert report.check("signature").status == "failed", str(report)
    assert report.status == "not_verified", str(report)
