"""lerkit and openbadgeslib, in both directions, in-process.

openbadgeslib (PyPI, LGPL, written independently of lerkit) issues and verifies Open
Badges 3.0 credentials in the two proof formats the OB 3.0 spec allows: an embedded
eddsa-rdfc-2022 Data Integrity proof, and a VC-JWT whose payload *is* the credential
(registered claims ``iss``/``sub``/``jti``/``nbf``/``exp`` beside its members). Its
verifiers resolve did:key themselves and never fetch contexts.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

import pytest
from _js import SUPERSET_TERMS
from _support import (
    CREATED,
    SUITES,
    TAMPER_PATH,
    TAMPER_VALUE,
    Issuer,
    assert_lerkit_accepts,
    assert_lerkit_rejects,
    get_path,
    issuer,
    jwt_claims,
    lerkit_issue_module,
    lerkit_sign,
    lerkit_sign_jwt,
    ob3_credential,
    single_proof,
    tampered,
    tampered_jwt,
)
from openbadgeslib.ob3 import (
    Achievement,
    Alignment,
    OB3LdpSigner,
    OB3LdpVerifier,
    OB3Signer,
    OB3VerificationError,
    OB3Verifier,
    OpenBadgeCredential,
)
from openbadgeslib.ob3 import Issuer as OblIssuer

from lerkit.proofs import sign

pytestmark = pytest.mark.interop

PEER = issuer(0x0B)
LERKIT = issuer(0x1B)


def test_openbadgeslib_is_the_pinned_version() -> None:
    assert version("openbadgeslib") == "4.6.3"


def _obl_credential(who: Issuer, **extra: Any) -> OpenBadgeCredential:
    return OpenBadgeCredential(
        issuer=OblIssuer(
            id=who.did, name="Lakeside Workforce Board", url="https://lakeside.example"
        ),
        recipient_id="did:example:learner-0042",
        achievement=Achievement(
            id="https://lakeside.example/achievements/forklift",
            name="Forklift Operator Safety",
            description="OSHA 1910.178 powered industrial truck training.",
            criteria_narrative="Written test and observed practical evaluation.",
            achievement_type="License",
            alignments=[
                Alignment(
                    target_name="Industrial Truck and Tractor Operators",
                    target_url="https://www.onetonline.org/link/summary/53-7051.00",
                    target_framework="O*NET-SOC",
                    target_code="53-7051.00",
                )
            ],
        ),
        id="urn:uuid:9a7c1e52-4f0d-4d8e-b3a1-0000000000b1",
        issuance_date=datetime(2025, 1, 1, tzinfo=UTC),
        expiration_date=datetime(2035, 1, 1, tzinfo=UTC),
        **extra,
    )


@pytest.fixture(scope="module")
def obl_ldp() -> dict[str, Any]:
    signed: dict[str, Any] = OB3LdpSigner(PEER.private_key).sign(
        _obl_credential(PEER), created=datetime(2025, 1, 15, 12, tzinfo=UTC)
    )
    return signed


@pytest.fixture(scope="module")
def obl_jwt() -> str:
    return OB3Signer(PEER.private_key, algorithm="EdDSA").sign(_obl_credential(PEER))


def _obl_rejects_ldp(document: dict[str, Any]) -> None:
    with pytest.raises(OB3VerificationError, match="signature mismatch"):
        OB3LdpVerifier().verify(copy.deepcopy(document))


def _obl_rejects_jwt(token: str, who: Issuer) -> None:
    with pytest.raises(OB3VerificationError, match="Invalid signature"):
        OB3Verifier.for_issuer_did(who.did).verify(token)


# --- openbadgeslib -> lerkit -----------------------------------------------------------


def test_lerkit_verifies_openbadgeslib_data_integrity(obl_ldp: dict[str, Any]) -> None:
    assert obl_ldp["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    OB3LdpVerifier().verify(copy.deepcopy(obl_ldp))
    assert_lerkit_accepts(obl_ldp)


def test_lerkit_and_openbadgeslib_sign_byte_for_byte_alike(obl_ldp: dict[str, Any]) -> None:
    """Same document, key and time give the same proof value (Ed25519 is deterministic)."""
    unsigned = {k: v for k, v in obl_ldp.items() if k != "proof"}
    ours, _ = sign(
        unsigned,
        "eddsa-rdfc-2022",
        PEER.private_key,
        obl_ldp["proof"]["verificationMethod"],
        created=obl_ldp["proof"]["created"],
    )
    assert ours == obl_ldp


def test_tampered_openbadgeslib_data_integrity_is_rejected_by_both(
    obl_ldp: dict[str, Any],
) -> None:
    forged = tampered(obl_ldp, TAMPER_PATH, TAMPER_VALUE)
    _obl_rejects_ldp(forged)
    assert_lerkit_rejects(forged)


def test_lerkit_verifies_openbadgeslib_vc_jwt(obl_jwt: str) -> None:
    claims = jwt_claims(obl_jwt)
    # OB 3.0 native VC-JWT: the payload is the credential, no "vc" claim
    assert "vc" not in claims
    assert claims["iss"] == claims["issuer"]["id"] == PEER.did
    assert claims["jti"] == claims["id"]
    OB3Verifier.for_issuer_did(PEER.did).verify(obl_jwt)
    assert_lerkit_accepts(obl_jwt)


def test_tampered_openbadgeslib_vc_jwt_is_rejected_by_both(obl_jwt: str) -> None:
    forged = tampered_jwt(obl_jwt, TAMPER_PATH, TAMPER_VALUE)
    assert get_path(jwt_claims(forged), TAMPER_PATH) == TAMPER_VALUE
    _obl_rejects_jwt(forged, PEER)
    assert_lerkit_rejects(forged)


def test_lerkit_verifies_openbadgeslib_endorsement_jwt_member() -> None:
    """openbadgeslib signs ``endorsementJwt`` with the same OB 3.0.3 copy lerkit pins."""
    endorsement = SUPERSET_TERMS["endorsementJwt"]
    signed = OB3LdpSigner(PEER.private_key).sign(
        _obl_credential(PEER, endorsement_jwts=list(endorsement)),
        created=datetime(2025, 1, 15, 12, tzinfo=UTC),
    )
    assert signed["endorsementJwt"] == endorsement
    assert_lerkit_accepts(signed)


# --- lerkit -> openbadgeslib -----------------------------------------------------------


@pytest.fixture(scope="module")
def lerkit_ldp() -> dict[str, Any]:
    return lerkit_sign(ob3_credential(LERKIT.did, serial=301), SUITES[0], LERKIT)


@pytest.fixture(scope="module")
def lerkit_jwt() -> str:
    credential = ob3_credential(LERKIT.did, serial=302)
    claims = {
        **credential,
        "iss": LERKIT.did,
        "sub": credential["credentialSubject"]["id"],
        "jti": credential["id"],
        "nbf": int(datetime(2025, 1, 1, tzinfo=UTC).timestamp()),
        "exp": int(datetime(2035, 1, 1, tzinfo=UTC).timestamp()),
    }
    return lerkit_sign_jwt(claims, LERKIT)


def test_openbadgeslib_verifies_lerkit_data_integrity(lerkit_ldp: dict[str, Any]) -> None:
    assert lerkit_ldp["proof"]["created"] == CREATED
    credential = OB3LdpVerifier().verify(copy.deepcopy(lerkit_ldp))
    assert credential.achievement.name == "Welding Fundamentals"
    assert_lerkit_accepts(lerkit_ldp)


def test_tampered_lerkit_data_integrity_is_rejected_by_both(lerkit_ldp: dict[str, Any]) -> None:
    forged = tampered(lerkit_ldp, TAMPER_PATH, TAMPER_VALUE)
    _obl_rejects_ldp(forged)
    assert_lerkit_rejects(forged)


def test_openbadgeslib_verifies_lerkit_vc_jwt(lerkit_jwt: str) -> None:
    credential = OB3Verifier.for_issuer_did(LERKIT.did).verify(lerkit_jwt)
    assert credential.issuer.id == LERKIT.did
    assert credential.achievement.name == "Welding Fundamentals"
    assert_lerkit_accepts(lerkit_jwt)


def test_tampered_lerkit_vc_jwt_is_rejected_by_both(lerkit_jwt: str) -> None:
    forged = tampered_jwt(lerkit_jwt, TAMPER_PATH, TAMPER_VALUE)
    _obl_rejects_jwt(forged, LERKIT)
    assert_lerkit_rejects(forged)


def test_openbadgeslib_verifies_lerkit_issue_data_integrity() -> None:
    issue = lerkit_issue_module()
    key = issue.generate_key(seed=LERKIT.seed)
    issued = issue.issue_credential(ob3_credential(key.did, serial=304), key)
    assert single_proof(issued.document)["cryptosuite"] == "eddsa-rdfc-2022"
    OB3LdpVerifier().verify(copy.deepcopy(issued.document))
    assert_lerkit_accepts(issued.document)


@pytest.fixture(scope="module")
def lerkit_issue_jwt() -> str:
    issue = lerkit_issue_module()
    key = issue.generate_key(seed=LERKIT.seed)
    issued = issue.issue_credential(ob3_credential(key.did, serial=305), key, proof="jwt")
    assert issued.jwt_form == "ob3"  # the default for an OB 3.0 credential
    token: str = issued.jwt
    return token


def test_openbadgeslib_verifies_lerkit_issue_vc_jwt(lerkit_issue_jwt: str) -> None:
    """OB 3.0 section 8.2: the credential's members beside iss/sub/jti/nbf/exp."""
    claims = jwt_claims(lerkit_issue_jwt)
    assert "vc" not in claims
    assert claims["iss"] == claims["issuer"]["id"] == LERKIT.did
    assert claims["jti"] == claims["id"]
    assert claims["sub"] == claims["credentialSubject"]["id"]
    assert claims["nbf"] == int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
    assert claims["exp"] == int(datetime(2035, 1, 1, tzinfo=UTC).timestamp())
    credential = OB3Verifier.for_issuer_did(LERKIT.did).verify(lerkit_issue_jwt)
    assert credential.issuer.id == LERKIT.did
    assert credential.achievement.name == "Welding Fundamentals"
    assert_lerkit_accepts(lerkit_issue_jwt)


def test_tampered_lerkit_issue_vc_jwt_is_rejected_by_both(lerkit_issue_jwt: str) -> None:
    forged = tampered_jwt(lerkit_issue_jwt, TAMPER_PATH, TAMPER_VALUE)
    assert get_path(jwt_claims(forged), TAMPER_PATH) == TAMPER_VALUE
    _obl_rejects_jwt(forged, LERKIT)
    assert_lerkit_rejects(forged)


@pytest.mark.parametrize("term", list(SUPERSET_TERMS))
def test_openbadgeslib_verifies_lerkit_superset_terms(term: str) -> None:
    """Both pin the validator's OB 3.0.3 copy, so ``jti``/``endorsementJwt`` agree."""
    unsigned = ob3_credential(LERKIT.did, serial=303) | {term: SUPERSET_TERMS[term]}
    signed = lerkit_sign(unsigned, SUITES[0], LERKIT)
    OB3LdpVerifier().verify(copy.deepcopy(signed))
    _obl_rejects_ldp(tampered(signed, TAMPER_PATH, TAMPER_VALUE))
