"""lerkit and DIDKit (Spruce's Rust ``ssi``, Python bindings from ``openedx-didkit``).

DIDKit is an implementation with nothing in common with the JSON-LD stacks of the other
peers: Rust, its own JSON-LD processor and RDF canonicalizer, and a fixed built-in set of
contexts (no network, no Open Badges contexts, no VC 2.0 data model in 0.3.x). So the
credentials here are VC 1.1 with an inline context for the subject's terms, secured
as Ed25519Signature2020 Data Integrity proofs and as VC-JWTs with a ``vc`` claim.

In 0.3.5 the binding's functions other than ``get_version``, ``generate_ed25519_key``
and ``key_to_did`` are coroutine functions (``async def``, run on a tokio runtime). They
are called in a separate process, ``interop/didkit_peer.py``, never in pytest's own.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import base58
import pytest
from _support import (
    CREATED,
    ED25519_2020,
    NOW,
    VC_V1,
    Issuer,
    assert_lerkit_accepts,
    assert_lerkit_rejects,
    issuer,
    jwt_claims,
    lerkit_issue_module,
    lerkit_sign,
    lerkit_sign_jwt,
    lerkit_verify_proof,
    tampered,
    tampered_jwt,
    vc11_plain_credential,
)
from cryptography.exceptions import InvalidSignature

from lerkit.proofs import canonicalize_rdfc

pytestmark = pytest.mark.interop

DIDKIT_PEER = Path(__file__).resolve().parents[2] / "interop" / "didkit_peer.py"
PEER = issuer(0x0C)
LERKIT = issuer(0x1C)
#: The field every negative control changes in these VC 1.1 credentials.
SUBJECT_NAME = ("credentialSubject", "name")
JWT_SUBJECT_NAME = ("vc", "credentialSubject", "name")
FORGED = "Mallory Example"


class DIDKitError(Exception):
    """DIDKit raised (``didkit.DIDKitException`` or ``ValueError``) in its process."""


def _didkit(function: str, *args: str) -> Any:
    """Call one DIDKit function in ``interop/didkit_peer.py`` and return its value.

    DIDKit is never imported into the test process: its tokio threads can crash the
    interpreter while it shuts down (see that script), which would fail the test run
    after every test passed.
    """
    request = {"calls": [{"fn": function, "args": list(args)}]}
    done = subprocess.run(
        [sys.executable, str(DIDKIT_PEER)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    reply = json.loads(done.stdout)
    assert reply["version"] == "0.3.5"
    (result,) = reply["results"]
    if "error" in result:
        raise DIDKitError(f"{result['type']}: {result['error']}")
    return result["value"]


def _didkit_issue(credential: dict[str, Any], who: Issuer, **options: str) -> str:
    proof_options = {
        "proofPurpose": "assertionMethod",
        "verificationMethod": who.verification_method,
        **options,
    }
    if options.get("proofFormat") != "jwt":  # a JWT has no "created" (DIDKit refuses it)
        proof_options["created"] = "2025-01-15T12:00:00Z"
    issued: str = _didkit(
        "issue_credential",
        json.dumps(credential),
        json.dumps(proof_options),
        json.dumps(who.private_jwk()),
    )
    return issued


def _didkit_verify(credential: dict[str, Any] | str) -> dict[str, Any]:
    if isinstance(credential, str):
        text, options = credential, {"proofFormat": "jwt"}
    else:
        text, options = json.dumps(credential), {"proofPurpose": "assertionMethod"}
    result: dict[str, Any] = json.loads(_didkit("verify_credential", text, json.dumps(options)))
    return result


def _assert_didkit_accepts(credential: dict[str, Any] | str) -> None:
    result = _didkit_verify(credential)
    assert result["errors"] == [], result
    assert result["checks"] == (["JWS"] if isinstance(credential, str) else ["proof"])


def _assert_didkit_rejects(credential: dict[str, Any] | str) -> None:
    result = _didkit_verify(credential)
    assert any("signature" in error for error in result["errors"]), result


def test_didkit_is_the_pinned_version() -> None:
    assert version("openedx-didkit") == "0.3.5"  # and _didkit checks the running one


def test_didkit_derives_the_same_did_key_as_lerkit() -> None:
    assert _didkit("key_to_did", "key", json.dumps(PEER.private_jwk())) == PEER.did
    method = _didkit("key_to_verification_method", "key", json.dumps(PEER.private_jwk()))
    assert method == PEER.verification_method


def test_didkit_is_offline() -> None:
    """DIDKit loads contexts only from its built-in set; anything else is an error."""
    credential = vc11_plain_credential(PEER.did) | {
        "@context": [VC_V1, "https://example.org/contexts/unpinned/v1"]
    }
    with pytest.raises(DIDKitError, match=r"DIDKitException: .*Unknown context"):
        _didkit_issue(credential, PEER, type="Ed25519Signature2020")


# --- DIDKit -> lerkit ------------------------------------------------------------------


@pytest.fixture(scope="module")
def didkit_ed2020() -> dict[str, Any]:
    """Ed25519Signature2020 on a VC 1.1 credential that names the suite's context."""
    credential = vc11_plain_credential(PEER.did, serial=1)
    credential["@context"] = [*credential["@context"], ED25519_2020]
    signed: dict[str, Any] = json.loads(
        _didkit_issue(credential, PEER, type="Ed25519Signature2020")
    )
    return signed


def test_lerkit_verifies_didkit_ed25519signature2020(didkit_ed2020: dict[str, Any]) -> None:
    assert didkit_ed2020["proof"]["type"] == "Ed25519Signature2020"
    assert "@context" not in didkit_ed2020["proof"]
    _assert_didkit_accepts(didkit_ed2020)
    assert_lerkit_accepts(didkit_ed2020)


def test_tampered_didkit_ed25519signature2020_is_rejected_by_both(
    didkit_ed2020: dict[str, Any],
) -> None:
    forged = tampered(didkit_ed2020, SUBJECT_NAME, FORGED)
    _assert_didkit_rejects(forged)
    assert_lerkit_rejects(forged)


#: DIDKit proofs that carry their suite's context themselves (the document names only
#: credentials/v1): the legacy Ed25519Signature2020 suite and the pre-Recommendation
#: cryptosuite name eddsa-2022, which lerkit verifies as eddsa-rdfc-2022.
PROOF_CONTEXT_SUITES = {
    "Ed25519Signature2020": ({"type": "Ed25519Signature2020"}, ED25519_2020),
    "eddsa-2022": (
        {"type": "DataIntegrityProof", "cryptosuite": "eddsa-2022"},
        "https://w3id.org/security/data-integrity/v1",
    ),
}


@pytest.fixture(scope="module")
def didkit_proof_contexts() -> dict[str, dict[str, Any]]:
    issued = {}
    for serial, (name, (options, context)) in enumerate(PROOF_CONTEXT_SUITES.items(), start=20):
        signed = json.loads(
            _didkit_issue(vc11_plain_credential(PEER.did, serial=serial), PEER, **options)
        )
        assert signed["proof"]["@context"] == [context]
        assert context not in signed["@context"]
        _assert_didkit_accepts(signed)
        _assert_didkit_rejects(tampered(signed, SUBJECT_NAME, FORGED))
        issued[name] = signed
    return issued


@pytest.mark.parametrize("suite", list(PROOF_CONTEXT_SUITES))
def test_lerkit_verifies_didkit_proof_with_its_own_context(
    didkit_proof_contexts: dict[str, dict[str, Any]], suite: str
) -> None:
    """lerkit reads the proof configuration with the document's @context + the proof's."""
    signed = didkit_proof_contexts[suite]
    artifacts = lerkit_verify_proof(signed)
    assert artifacts.legacy_name == ("eddsa-2022" if suite == "eddsa-2022" else None)
    options = {k: v for k, v in signed["proof"].items() if k not in ("proofValue", "@context")}
    options["@context"] = [*signed["@context"], *signed["proof"]["@context"]]
    assert artifacts.canonical_proof_config == canonicalize_rdfc(options)
    assert_lerkit_accepts(signed)
    assert_lerkit_rejects(tampered(signed, SUBJECT_NAME, FORGED))


@pytest.mark.parametrize("suite", list(PROOF_CONTEXT_SUITES))
def test_didkit_proof_context_is_appended_to_the_documents(
    didkit_proof_contexts: dict[str, dict[str, Any]], suite: str
) -> None:
    """What lerkit does, spelled out with its primitives: the signature then verifies.

    hash data = SHA-256(RDFC(proof options with @context = document's + proof's))
              || SHA-256(RDFC(document without proof))
    """
    signed = didkit_proof_contexts[suite]
    options = {k: v for k, v in signed["proof"].items() if k not in ("proofValue", "@context")}
    options["@context"] = [*signed["@context"], *signed["proof"]["@context"]]
    document = {k: v for k, v in signed.items() if k != "proof"}
    data = b"".join(
        hashlib.sha256(canonicalize_rdfc(part).encode()).digest() for part in (options, document)
    )
    signature = base58.b58decode(signed["proof"]["proofValue"][1:])
    PEER.public_key.verify(signature, data)  # raises InvalidSignature if wrong
    forged = tampered(document, SUBJECT_NAME, FORGED)
    forged_data = b"".join(
        hashlib.sha256(canonicalize_rdfc(part).encode()).digest() for part in (options, forged)
    )
    with pytest.raises(InvalidSignature):
        PEER.public_key.verify(signature, forged_data)


@pytest.fixture(scope="module")
def didkit_jwt() -> str:
    return _didkit_issue(vc11_plain_credential(PEER.did, serial=3), PEER, proofFormat="jwt")


def test_lerkit_verifies_didkit_vc_jwt(didkit_jwt: str) -> None:
    claims = jwt_claims(didkit_jwt)
    assert claims["iss"] == claims["vc"]["issuer"] == PEER.did
    assert claims["jti"] == claims["vc"]["id"]
    _assert_didkit_accepts(didkit_jwt)
    assert_lerkit_accepts(didkit_jwt)


def test_tampered_didkit_vc_jwt_is_rejected_by_both(didkit_jwt: str) -> None:
    forged = tampered_jwt(didkit_jwt, JWT_SUBJECT_NAME, FORGED)
    _assert_didkit_rejects(forged)
    assert_lerkit_rejects(forged)


# --- lerkit -> DIDKit ------------------------------------------------------------------


@pytest.fixture(scope="module")
def lerkit_ed2020() -> dict[str, Any]:
    return lerkit_sign(vc11_plain_credential(LERKIT.did, serial=11), "Ed25519Signature2020", LERKIT)


@pytest.fixture(scope="module")
def lerkit_jwt() -> str:
    credential = vc11_plain_credential(LERKIT.did, serial=12)
    claims = {
        "iss": LERKIT.did,
        "sub": credential["credentialSubject"]["id"],
        "jti": credential["id"],
        "nbf": int(NOW.replace(year=2025, month=1, day=1).timestamp()),
        "vc": credential,
    }
    return lerkit_sign_jwt(claims, LERKIT)


def test_didkit_verifies_lerkit_ed25519signature2020(lerkit_ed2020: dict[str, Any]) -> None:
    assert lerkit_ed2020["@context"][-1] == ED25519_2020
    _assert_didkit_accepts(lerkit_ed2020)
    assert_lerkit_accepts(lerkit_ed2020)


def test_tampered_lerkit_ed25519signature2020_is_rejected_by_both(
    lerkit_ed2020: dict[str, Any],
) -> None:
    forged = tampered(lerkit_ed2020, SUBJECT_NAME, FORGED)
    _assert_didkit_rejects(forged)
    assert_lerkit_rejects(forged)


def test_didkit_verifies_lerkit_vc_jwt(lerkit_jwt: str) -> None:
    _assert_didkit_accepts(lerkit_jwt)
    assert_lerkit_accepts(lerkit_jwt)


def test_tampered_lerkit_vc_jwt_is_rejected_by_both(lerkit_jwt: str) -> None:
    forged = tampered_jwt(lerkit_jwt, JWT_SUBJECT_NAME, FORGED)
    _assert_didkit_rejects(forged)
    assert_lerkit_rejects(forged)


@pytest.mark.parametrize("form", ["Ed25519Signature2020", "jwt"])
def test_didkit_verifies_lerkit_issue_credential(form: str) -> None:
    """lerkit's issuing API: Ed25519Signature2020 and the VC 1.1 ``vc``-claim JWT."""
    issue = lerkit_issue_module()
    key = issue.generate_key(seed=LERKIT.seed)
    credential = vc11_plain_credential(key.did, serial=13)
    if form == "jwt":
        issued = issue.issue_credential(credential, key, proof="jwt", jwt_form="vc-claim")
        assert jwt_claims(issued.jwt)["vc"]["id"] == credential["id"]
        secured: dict[str, Any] | str = issued.jwt
        forged: dict[str, Any] | str = tampered_jwt(issued.jwt, JWT_SUBJECT_NAME, FORGED)
    else:
        issued = issue.issue_credential(credential, key, proof=form, created=CREATED)
        secured = issued.document
        forged = tampered(issued.document, SUBJECT_NAME, FORGED)
    _assert_didkit_accepts(secured)
    assert_lerkit_accepts(secured)
    _assert_didkit_rejects(forged)
    assert_lerkit_rejects(forged)
