"""DID resolution: did:key, did:jwk, did:web (local folders) and HTTPS fragment keys."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lerkit._jws import b64url_encode
from lerkit.dids import (
    DidError,
    DidWebFolder,
    VerificationMethod,
    controller_matches_issuer,
    did_jwk_from_key,
    did_key_document,
    did_key_from_key,
    did_web_url,
    parse_did_url,
    public_key_from_jwk,
    public_key_to_jwk,
    resolve,
    resolve_verification_method,
)
from lerkit.proofs import private_key_from_multibase, verify_proof

EDDSA_VECTORS = Path("vectors/vc-di-eddsa/TestVectors")
ECDSA_VECTORS = Path("vectors/vc-di-ecdsa/TestVectors")
OB30 = Path("examples/digital-credentials-public-validator/inspector-vc/src/test/resources/ob30")

# did:key method specification test vectors: the Ed25519 key of the all-zero seed, and a
# P-256 key, with the JWK coordinates the specification (and independent libraries) give.
ZERO_SEED_DID = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
ZERO_SEED_X = "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik"
P256_DID = "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169"
P256_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "fyNYMN0976ci7xqiSdag3buk-ZCwgXU4kz9XNkBlNUI",
    "y": "hW2ojTNfH7Jbi8--CJUo3OCbH3y5n91g-IMA9MLMbTU",
}
# did:jwk method specification examples.
SPEC_JWK_DID = (
    "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6"
    "OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"
)
SPEC_JWK = {
    "crv": "P-256",
    "kty": "EC",
    "x": "acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0",
    "y": "_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE",
}
SPEC_X25519_DID = (
    "did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJYMjU1MTkiLCJ1c2UiOiJlbmMiLCJ4IjoiM3A3YmZYdDl3YlRUVzJIQzdP"
    "UTFOei1EUThoYmVHZE5yZngtRkctSUswOCJ9"
)
FRAGMENT_KEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a test tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def _raw(key: Any) -> bytes:
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
    return bytes(key.public_bytes_raw())


def _multikey_body(multibase: str) -> bytes:
    """Key bytes of a Multikey value, decoded here independently of lerkit."""
    return bytes(base58.b58decode(multibase[1:])[2:])


def _signed_vectors(standards: Path) -> list[tuple[Path, dict[str, Any], dict[str, Any]]]:
    found = []
    for folder in (EDDSA_VECTORS, ECDSA_VECTORS):
        for path in sorted((standards / folder).rglob("*.json")):
            document = json.loads(path.read_text())
            if not isinstance(document, dict):
                continue
            proofs = document.get("proof")
            for proof in proofs if isinstance(proofs, list) else [proofs]:
                if isinstance(proof, dict) and "verificationMethod" in proof:
                    found.append((path, document, proof))
    return found


# ------------------------------------------------------------------ did:key


@pytest.mark.parametrize(
    ("key_file", "family"),
    [
        (EDDSA_VECTORS / "keyPair.json", "Ed25519"),
        (ECDSA_VECTORS / "p256KeyPair.json", "P-256"),
        (ECDSA_VECTORS / "p384KeyPair.json", "P-384"),
    ],
)
def test_did_key_of_vector_key_pairs(standards: Path, key_file: Path, family: str) -> None:
    pair = json.loads((standards / key_file).read_text())
    multibase = pair["publicKeyMultibase"]
    did = f"did:key:{multibase}"
    document = resolve(did)
    assert (document.id, document.method, document.source) == (did, "key", "generated")
    (method,) = document.verification_methods
    assert method.id == f"{did}#{multibase}"
    assert (method.type, method.controller, method.key_family) == ("Multikey", did, family)
    assert _raw(method.public_key) == _multikey_body(multibase)
    secret = pair.get("secretKeyMultibase") or pair["privateKeyMultibase"]
    assert _raw(private_key_from_multibase(secret).public_key()) == _raw(method.public_key)
    assert did_key_from_key(method.public_key) == did  # type: ignore[arg-type]


def test_did_key_document_follows_the_spec() -> None:
    multibase = ZERO_SEED_DID.removeprefix("did:key:")
    method_id = f"{ZERO_SEED_DID}#{multibase}"
    assert did_key_document(ZERO_SEED_DID) == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": ZERO_SEED_DID,
        "verificationMethod": [
            {
                "id": method_id,
                "type": "Multikey",
                "controller": ZERO_SEED_DID,
                "publicKeyMultibase": multibase,
            }
        ],
        "authentication": [method_id],
        "assertionMethod": [method_id],
        "capabilityInvocation": [method_id],
        "capabilityDelegation": [method_id],
    }
    method = resolve(ZERO_SEED_DID).find(method_id)
    assert {"assertionMethod", "authentication"} <= method.relationships
    assert "keyAgreement" not in method.relationships


def test_did_key_spec_vectors_match_their_jwks() -> None:
    zero = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key()
    assert did_key_from_key(zero) == ZERO_SEED_DID
    ed = resolve_verification_method(ZERO_SEED_DID + "#" + ZERO_SEED_DID[8:])
    assert public_key_to_jwk(ed.public_key) == {"crv": "Ed25519", "kty": "OKP", "x": ZERO_SEED_X}
    p256 = resolve_verification_method(P256_DID + "#" + P256_DID[8:])
    assert p256.key_family == "P-256"
    assert public_key_to_jwk(p256.public_key) == dict(sorted(P256_JWK.items()))


def test_verification_methods_of_the_signed_vectors(standards: Path) -> None:
    vectors = _signed_vectors(standards)
    assert len(vectors) >= 20
    expected_family = {"zDn": "P-256", "z82": "P-384", "z6M": "Ed25519"}
    for path, document, proof in vectors:
        method = resolve_verification_method(proof["verificationMethod"], purpose="assertionMethod")
        fragment = proof["verificationMethod"].split("#")[1]
        assert method.key_family == expected_family[fragment[:3]], path
        assert _raw(method.public_key) == _multikey_body(fragment), path
        assert controller_matches_issuer(method, method.controller)
        if "jcs" in proof.get("cryptosuite", ""):
            # end to end: the resolved key verifies the vector's signature
            verify_proof(document, proof, method.public_key)  # type: ignore[arg-type]


def test_bare_did_key_names_its_only_method() -> None:
    method = resolve_verification_method("did:key:z6Mks4vZNz8Jwyb85odUeZrissHSY7JeJcXkNTDCcXLhYAZ4")
    assert method.id.endswith("#z6Mks4vZNz8Jwyb85odUeZrissHSY7JeJcXkNTDCcXLhYAZ4")


@pytest.mark.parametrize(
    ("did", "code"),
    [
        ("did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme", "invalid_did"),  # secp256k1
        ("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooW", "invalid_did"),  # short
        ("did:key:f6d6b6579206e6f74206d756c746962617365", "invalid_did"),  # not base58btc
        ("did:key:z0OIl", "invalid_did"),
        ("did:KEY:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", "invalid_did"),
        ("did:key:", "invalid_did"),
        ("https://example.com/issuers/1", "invalid_did"),
        ("did:example:123", "unsupported_did_method"),
        ("did:ion:EiClkZMDxPKqC9c-umQfTkR8vvZ9JPhl_xLDI9Nfk38w5w", "unsupported_did_method"),
        ("did:web:example.com/path", "invalid_did"),
        ("did:web:example.com?versionId=1", "invalid_did"),
    ],
)
def test_bad_dids(did: str, code: str) -> None:
    with pytest.raises(DidError) as excinfo:
        resolve(did)
    assert excinfo.value.code == code
    assert did[:16] in str(excinfo.value)


def test_fragment_must_name_the_key() -> None:
    with pytest.raises(DidError) as excinfo:
        resolve_verification_method(ZERO_SEED_DID + "#key-1")
    assert excinfo.value.code == "verification_method_not_found"
    assert "#key-1" in str(excinfo.value)


def test_parse_did_url() -> None:
    assert parse_did_url(ZERO_SEED_DID) == (ZERO_SEED_DID, "key", None)
    assert parse_did_url("did:web:example.com%3A3000:u#k") == (
        "did:web:example.com%3A3000:u",
        "web",
        "k",
    )


# ------------------------------------------------------------------ did:jwk


def test_did_jwk_spec_example() -> None:
    document = resolve(SPEC_JWK_DID)
    method_id = SPEC_JWK_DID + "#0"
    assert document.document["verificationMethod"] == [
        {
            "id": method_id,
            "type": "JsonWebKey2020",
            "controller": SPEC_JWK_DID,
            "publicKeyJwk": SPEC_JWK,
        }
    ]
    for relationship in (
        "assertionMethod",
        "authentication",
        "capabilityInvocation",
        "capabilityDelegation",
        "keyAgreement",
    ):
        assert document.document[relationship] == [method_id]
    method = resolve_verification_method(method_id)
    assert method.key_family == "P-256"
    assert did_jwk_from_key(method.public_key) == SPEC_JWK_DID


def test_did_jwk_x25519_resolves_but_cannot_sign() -> None:
    document = resolve(SPEC_X25519_DID)
    method_id = SPEC_X25519_DID + "#0"
    assert document.document["keyAgreement"] == [method_id]
    assert "assertionMethod" not in document.document
    assert document.verification_methods == ()
    assert "X25519" in document.unsupported_methods[method_id]
    with pytest.raises(DidError) as excinfo:
        resolve_verification_method(method_id)
    assert excinfo.value.code == "unsupported_verification_method"


@pytest.mark.parametrize(
    "key",
    [
        Ed25519PrivateKey.from_private_bytes(bytes(range(32))).public_key(),
        ec.derive_private_key(7, ec.SECP256R1()).public_key(),
        ec.derive_private_key(7, ec.SECP384R1()).public_key(),
        rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key(),
    ],
    ids=["Ed25519", "P-256", "P-384", "RSA"],
)
def test_did_jwk_round_trip(key: Any) -> None:
    did = did_jwk_from_key(key)
    method = resolve_verification_method(did + "#0")
    assert method.public_key == key
    assert public_key_to_jwk(method.public_key) == public_key_to_jwk(key)
    assert public_key_from_jwk(public_key_to_jwk(key))[0] == key
    assert method.controller == did


def test_did_jwk_use_sig_is_not_for_key_agreement() -> None:
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": ZERO_SEED_X, "use": "sig"}
    did = "did:jwk:" + b64url_encode(json.dumps(jwk).encode())
    method = resolve_verification_method(did + "#0")
    assert "keyAgreement" not in method.relationships
    assert "assertionMethod" in method.relationships


@pytest.mark.parametrize(
    ("jwk", "fragment"),
    [
        ({"kty": "OKP", "crv": "Ed25519", "x": ZERO_SEED_X, "d": ZERO_SEED_X}, "private key"),
        ({"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(bytes(31))}, "32 bytes"),
        ({"kty": "EC", "crv": "P-256", "x": P256_JWK["x"], "y": P256_JWK["x"]}, "curve"),
        ({"kty": "EC", "crv": "P-256", "x": P256_JWK["x"]}, "'y'"),
    ],
)
def test_did_jwk_with_bad_keys(jwk: dict[str, str], fragment: str) -> None:
    did = "did:jwk:" + b64url_encode(json.dumps(jwk).encode())
    with pytest.raises(DidError) as excinfo:
        resolve(did)
    assert excinfo.value.code == "invalid_did"
    assert fragment in str(excinfo.value)


def test_did_jwk_that_is_not_json() -> None:
    with pytest.raises(DidError) as excinfo:
        resolve("did:jwk:" + b64url_encode(b"not json"))
    assert excinfo.value.code == "invalid_did"
    duplicate = b'{"kty":"OKP","kty":"EC"}'
    with pytest.raises(DidError, match="more than once"):
        resolve("did:jwk:" + b64url_encode(duplicate))


# ------------------------------------------------------------------ did:web


@pytest.mark.parametrize(
    ("did", "url", "path"),
    [
        (
            "did:web:example.com",
            "https://example.com/.well-known/did.json",
            "example.com/.well-known/did.json",
        ),
        (
            "did:web:example.com:user:alice",
            "https://example.com/user/alice/did.json",
            "example.com/user/alice/did.json",
        ),
        (
            "did:web:localhost%3A8443",
            "https://localhost:8443/.well-known/did.json",
            "localhost:8443/.well-known/did.json",
        ),
        ("did:web:Example.COM:u", "https://example.com/u/did.json", "example.com/u/did.json"),
        (
            "did:web:dc.1edtech.org:wellspring2022:wellspring-portal:org:da1e96e9-afcc-4eed-b9a2-2ddf7353214c",
            "https://dc.1edtech.org/wellspring2022/wellspring-portal/org/da1e96e9-afcc-4eed-b9a2-2ddf7353214c/did.json",
            "dc.1edtech.org/wellspring2022/wellspring-portal/org/da1e96e9-afcc-4eed-b9a2-2ddf7353214c/did.json",
        ),
    ],
)
def test_did_web_mapping(did: str, url: str, path: str) -> None:
    assert did_web_url(did) == url
    assert DidWebFolder("web").relative_path(did).as_posix() == path


@pytest.mark.parametrize(
    "did",
    [
        "did:web:example.com:..",
        "did:web:example.com:.",
        "did:web:example.com:%2E%2E",
        "did:web:example.com:a%2Fb",
        "did:web:example.com%3A0",
        "did:web:example.com%3Ahttp",
        "did:web:-bad-.com",
        "did:web:example.com::x",
    ],
)
def test_did_web_refuses_unsafe_identifiers(did: str, tmp_path: Path) -> None:
    with pytest.raises(DidError) as excinfo:
        resolve(did, web_dir=tmp_path)
    assert excinfo.value.code == "invalid_did"


def _web_document(did: str) -> dict[str, Any]:
    p256 = ec.derive_private_key(11, ec.SECP256R1()).public_key()
    return {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": "#key-1",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": ZERO_SEED_DID[8:],
            },
            {
                "id": f"{did}#jwk-1",
                "type": "JsonWebKey2020",
                "controller": did,
                "publicKeyJwk": public_key_to_jwk(p256),
            },
            {
                "id": f"{did}#legacy",
                "type": "Ed25519VerificationKey2020",
                "controller": did,
                "publicKeyMultibase": ZERO_SEED_DID[8:],
            },
            {
                "id": f"{did}#wrong-type",
                "type": "Ed25519VerificationKey2020",
                "controller": did,
                "publicKeyMultibase": P256_DID[8:],
            },
            {
                "id": f"{did}#x25519",
                "type": "X25519KeyAgreementKey2020",
                "controller": did,
                "publicKeyMultibase": "z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc",
            },
        ],
        "assertionMethod": ["#key-1", f"{did}#legacy"],
        "authentication": [f"{did}#jwk-1"],
        "keyAgreement": [f"{did}#x25519"],
    }


@pytest.fixture
def web_dir(tmp_path: Path) -> Path:
    did = "did:web:example.com:issuers:1"
    target = tmp_path / "example.com" / "issuers" / "1" / "did.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(_web_document(did)))
    return tmp_path


def test_did_web_from_a_local_folder(web_dir: Path) -> None:
    did = "did:web:example.com:issuers:1"
    document = resolve(did, web_dir=web_dir)
    assert document.source == str(web_dir / "example.com/issuers/1/did.json")
    assert [m.id.split("#")[1] for m in document] == ["key-1", "jwk-1", "legacy"]
    assert set(document.unsupported_methods) == {f"{did}#wrong-type", f"{did}#x25519"}

    key1 = resolve_verification_method(f"{did}#key-1", web_dir=web_dir)
    assert (key1.type, key1.key_family, key1.resolved_via) == ("Multikey", "Ed25519", "did:web")
    assert key1.relationships == frozenset({"assertionMethod"})
    assert controller_matches_issuer(key1, {"id": did, "type": "Profile"})
    legacy = resolve_verification_method(f"{did}#legacy", web_dir=DidWebFolder(web_dir))
    assert legacy.type == "Ed25519VerificationKey2020"

    jwk1 = resolve_verification_method(f"{did}#jwk-1", web_dir=web_dir, purpose="authentication")
    assert jwk1.key_family == "P-256"
    with pytest.raises(DidError) as excinfo:
        resolve_verification_method(f"{did}#jwk-1", web_dir=web_dir)
    assert excinfo.value.code == "not_authorized_for_assertion"
    assert "authentication" in str(excinfo.value)
    assert resolve_verification_method(f"{did}#jwk-1", web_dir=web_dir, purpose=None) == jwk1

    with pytest.raises(DidError) as excinfo:
        resolve_verification_method(f"{did}#wrong-type", web_dir=web_dir)
    assert excinfo.value.code == "unsupported_verification_method"
    assert "P-256" in str(excinfo.value)
    with pytest.raises(DidError) as excinfo:
        resolve_verification_method(f"{did}#nope", web_dir=web_dir)
    assert excinfo.value.code == "verification_method_not_found"
    with pytest.raises(DidError) as excinfo:
        resolve_verification_method(did, web_dir=web_dir)
    assert excinfo.value.code == "verification_method_not_found"


def test_did_web_unresolved_names_the_expected_file(tmp_path: Path) -> None:
    did = "did:web:example.org:people:ana"
    with pytest.raises(DidError) as excinfo:
        resolve(did, web_dir=tmp_path)
    err = excinfo.value
    expected = str(tmp_path / "example.org" / "people" / "ana" / "did.json")
    assert err.code == "did_web_unresolved"
    assert err.path == expected
    assert err.url == "https://example.org/people/ana/did.json"
    assert expected in str(err)
    assert "allow_network=False" in str(err)
    with pytest.raises(DidError) as excinfo:
        resolve(did)
    assert "example.org/people/ana/did.json" in str(excinfo.value)


def test_did_web_network_only_when_allowed(tmp_path: Path) -> None:
    did = "did:web:example.net"
    calls: list[str] = []

    def fetch(url: str) -> bytes:
        calls.append(url)
        return json.dumps(_web_document(did)).encode()

    with pytest.raises(DidError) as excinfo:
        resolve(did, web_dir=tmp_path, fetch=fetch)
    assert excinfo.value.code == "did_web_unresolved"
    assert calls == []
    with pytest.raises(DidError, match="without a fetch function"):
        resolve(did, allow_network=True)

    document = resolve(did, web_dir=tmp_path, allow_network=True, fetch=fetch)
    assert calls == ["https://example.net/.well-known/did.json"]
    assert document.source == "https://example.net/.well-known/did.json"

    def broken(url: str) -> bytes:
        raise OSError("connection refused")

    with pytest.raises(DidError) as excinfo:
        resolve(did, allow_network=True, fetch=broken)
    assert excinfo.value.code == "did_web_unresolved"
    assert "connection refused" in str(excinfo.value)


def test_did_web_document_must_describe_its_own_did(tmp_path: Path) -> None:
    target = tmp_path / "example.com" / ".well-known" / "did.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(_web_document("did:web:evil.example")))
    with pytest.raises(DidError) as excinfo:
        resolve("did:web:example.com", web_dir=tmp_path)
    assert excinfo.value.code == "invalid_did_document"
    assert "did:web:evil.example" in str(excinfo.value)
    target.write_text("[1, 2]")
    with pytest.raises(DidError) as excinfo:
        resolve("did:web:example.com", web_dir=tmp_path)
    assert excinfo.value.code == "invalid_did_document"


def test_did_web_port_folder_spellings(tmp_path: Path) -> None:
    did = "did:web:localhost%3A8443"
    target = tmp_path / "localhost%3A8443" / ".well-known" / "did.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(_web_document(did)))
    assert resolve(did, web_dir=tmp_path).source == str(target)


def test_1edtech_did_web_credential_with_local_document(standards: Path, tmp_path: Path) -> None:
    # The 1EdTech validator fetches this issuer's DID document; here a local copy stands in.
    credential = json.loads((standards / OB30 / "credential-status-revoked.json").read_text())
    method_id = credential["proof"]["verificationMethod"]
    did = method_id.split("#")[0]
    assert did.startswith("did:web:dc.1edtech.org:")
    document = {
        "id": did,
        "verificationMethod": [
            {
                "id": method_id,
                "type": "Ed25519VerificationKey2020",
                "controller": did,
                "publicKeyMultibase": method_id.split("#")[1],
            }
        ],
        "assertionMethod": [method_id],
    }
    with pytest.raises(DidError) as excinfo:
        resolve_verification_method(method_id, web_dir=tmp_path)
    assert excinfo.value.code == "did_web_unresolved"
    target = DidWebFolder(tmp_path).path_for(did)
    assert excinfo.value.path == str(target)
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(document))
    method = resolve_verification_method(method_id, web_dir=tmp_path)
    assert method.key_family == "Ed25519"
    assert controller_matches_issuer(method, credential["issuer"])


# ------------------------------------------------------------------ HTTPS fragment keys


HTTPS_METHOD = f"https://1edtech.edu/issuers/565049#{FRAGMENT_KEY}"


def test_fragment_keys_are_not_trusted_by_default() -> None:
    with pytest.raises(DidError) as excinfo:
        resolve_verification_method(HTTPS_METHOD)
    assert excinfo.value.code == "fragment_key_not_trusted"
    assert "issuer_profile" in str(excinfo.value)
    assert "trust_fragment_keys=True" in str(excinfo.value)


def test_fragment_keys_when_trusted_explicitly(standards: Path) -> None:
    status_list = json.loads((standards / OB30 / "bit-string-list" / "testlist").read_text())
    method = resolve_verification_method(
        status_list["proof"][0]["verificationMethod"], trust_fragment_keys=True
    )
    assert method.resolved_via == "fragment"
    assert method.controller == "https://1edtech.edu/issuers/565049"
    assert method.did is None
    assert _raw(method.public_key) == _multikey_body(FRAGMENT_KEY)
    assert controller_matches_issuer(method, status_list["issuer"])
    assert not controller_matches_issuer(method, "https://other.edu/issuers/1")
    with pytest.raises(DidError) as excinfo:
        resolve_verification_method(
            HTTPS_METHOD, trust_fragment_keys=True, purpose="authentication"
        )
    assert excinfo.value.code == "not_authorized_for_purpose"
    urn = f"urn:uuid:319b0e91-9fb2-4f41-aff8-810f24aff284#{FRAGMENT_KEY}"
    assert resolve_verification_method(urn, trust_fragment_keys=True).controller.startswith(
        "urn:uuid:"
    )


def _profile(keys: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "https://1edtech.edu/issuers/565049",
        "type": "Profile",
        "name": "1EdTech University",
        "verificationMethod": keys,
        **extra,
    }


def test_fragment_key_listed_in_the_issuer_profile() -> None:
    listed = _profile(
        [{"id": HTTPS_METHOD, "type": "Multikey", "publicKeyMultibase": FRAGMENT_KEY}]
    )
    method = resolve_verification_method(HTTPS_METHOD, issuer_profile=listed)
    assert method.resolved_via == "issuer-profile"
    assert method.controller == "https://1edtech.edu/issuers/565049"
    assert method.relationships == frozenset({"assertionMethod"})

    other_id = _profile(
        [
            {
                "id": "https://1edtech.edu/issuers/565049#key-1",
                "type": "JsonWebKey2020",
                "controller": "https://1edtech.edu/issuers/565049",
                "publicKeyJwk": public_key_to_jwk(
                    public_key_from_jwk(
                        {
                            "kty": "OKP",
                            "crv": "Ed25519",
                            "x": b64url_encode(_multikey_body(FRAGMENT_KEY)),
                        }
                    )[0]
                ),
            }
        ]
    )
    assert resolve_verification_method(HTTPS_METHOD, issuer_profile=other_id).id.endswith("#key-1")

    elsewhere = _profile(
        [{"id": HTTPS_METHOD, "type": "Multikey", "publicKeyMultibase": ZERO_SEED_DID[8:]}]
    )
    with pytest.raises(DidError) as excinfo:
        resolve_verification_method(HTTPS_METHOD, issuer_profile=elsewhere)
    assert excinfo.value.code == "verification_method_not_found"

    not_listed = _profile([])
    with pytest.raises(DidError) as excinfo:
        resolve_verification_method(HTTPS_METHOD, issuer_profile=not_listed)
    assert excinfo.value.code == "verification_method_not_found"

    auth_only = _profile(
        [{"id": HTTPS_METHOD, "type": "Multikey", "publicKeyMultibase": FRAGMENT_KEY}],
        authentication=[HTTPS_METHOD],
    )
    with pytest.raises(DidError) as excinfo:
        resolve_verification_method(HTTPS_METHOD, issuer_profile=auth_only)
    assert excinfo.value.code == "not_authorized_for_assertion"

    with pytest.raises(DidError) as excinfo:
        resolve_verification_method(
            "https://evil.example/issuers/1#" + FRAGMENT_KEY, issuer_profile=listed
        )
    assert excinfo.value.code == "issuer_profile_mismatch"


def test_issuer_profile_download_is_opt_in() -> None:
    calls: list[str] = []
    listed = _profile(
        [{"id": HTTPS_METHOD, "type": "Multikey", "publicKeyMultibase": FRAGMENT_KEY}]
    )

    def fetch(url: str) -> bytes:
        calls.append(url)
        return json.dumps(listed).encode()

    with pytest.raises(DidError):
        resolve_verification_method(HTTPS_METHOD, fetch=fetch)
    assert calls == []
    method = resolve_verification_method(HTTPS_METHOD, allow_network=True, fetch=fetch)
    assert calls == ["https://1edtech.edu/issuers/565049"]
    assert method.resolved_via == "issuer-profile"
    with pytest.raises(DidError) as excinfo:
        resolve_verification_method(
            "http://1edtech.edu/issuers/565049#key-1", allow_network=True, fetch=fetch
        )
    assert excinfo.value.code == "verification_method_not_found"
    assert len(calls) == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://1edtech.edu/issuers/565049#key-1",
        "z6MkrvfzkMnvCroEUP2DVc9SHPE48CRsvHiVSusHioxTYu1x",
        "",
    ],
)
def test_unresolvable_method_urls(url: str) -> None:
    with pytest.raises(DidError) as excinfo:
        resolve_verification_method(url, trust_fragment_keys=True)
    assert excinfo.value.code in {"verification_method_not_found", "invalid_did"}


def test_controller_matches_issuer() -> None:
    method = resolve_verification_method(ZERO_SEED_DID)
    assert isinstance(method, VerificationMethod)
    assert controller_matches_issuer(method, ZERO_SEED_DID)
    assert controller_matches_issuer(method, {"id": ZERO_SEED_DID, "name": "x"})
    assert not controller_matches_issuer(method, P256_DID)
    assert not controller_matches_issuer(method, {"name": "no id"})
    assert not controller_matches_issuer(method, ZERO_SEED_DID.upper())
