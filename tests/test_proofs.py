"""Data Integrity suites against the W3C vectors and 1EdTech's validator examples."""

from __future__ import annotations

import base64
import copy
import dataclasses
import hashlib
import json
import socket
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

import lerkit.proofs._suites as suites_module
from lerkit.contexts import DocumentLoader, UnknownContextError
from lerkit.errors import LerkitError
from lerkit.proofs import (
    SUITES,
    CanonicalizationError,
    ProofArtifacts,
    ProofError,
    canonicalize_jcs,
    canonicalize_nquads,
    canonicalize_rdfc,
    private_key_from_multibase,
    private_key_to_multibase,
    public_key_from_multibase,
    public_key_to_multibase,
    sign,
    verify_proof,
)

STANDARDS = Path(__file__).resolve().parents[1].parent / "shared" / "standards"
EDDSA = STANDARDS / "vectors/vc-di-eddsa/TestVectors"
ECDSA = STANDARDS / "vectors/vc-di-ecdsa/TestVectors"
EXAMPLES = STANDARDS / "examples/digital-credentials-public-validator"
OB30 = "inspector-vc/src/test/resources/ob30"
CLR20 = "inspector-clr/src/test/resources/clr20"
OB_VECTORS = STANDARDS / "vectors/openbadges-specification/ob_v3p0/impl/test-vectors"

#: Contexts the W3C vectors use that lerkit does not pin (examples, citizenship): tests
#: add them to a temporary user cache, which also exercises ``add_context``.
VECTOR_CONTEXTS = (
    "https://www.w3.org/ns/credentials/examples/v2",
    "https://www.w3.org/2018/credentials/examples/v1",
    "https://w3id.org/citizenship/v4rc1",
)


@pytest.fixture(scope="session")
def loader(standards: Path, tmp_path_factory: pytest.TempPathFactory) -> DocumentLoader:
    index = json.loads((standards / "contexts/index.json").read_text(encoding="utf-8"))
    result = DocumentLoader(cache_dir=tmp_path_factory.mktemp("contexts"))
    for url in VECTOR_CONTEXTS:
        result.add_context(url, standards / "contexts" / index[url]["file"])
    return result


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"network used: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _text(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def _proofs(document: dict[str, Any]) -> list[dict[str, Any]]:
    proof = document["proof"]
    return proof if isinstance(proof, list) else [proof]


def _key_of(verification_method: str) -> str:
    """The publicKeyMultibase in a method URL: its fragment, or a did:key's identifier."""
    if "#" in verification_method:
        return verification_method.rsplit("#", 1)[1]
    return verification_method.removeprefix("did:key:")


# -- W3C vc-di-eddsa: every artifact, and the exact proofValue --------------------------

EDDSA_CASES = [
    pytest.param("eddsa-rdfc-2022", "DataInt", "unsigned.json", id="eddsa-rdfc-2022"),
    pytest.param(
        "eddsa-rdfc-2022/employ", "DataInt", "employmentAuth.json", id="eddsa-rdfc-employ"
    ),
    pytest.param("eddsa-jcs-2022", "JCS", "unsigned.json", id="eddsa-jcs-2022"),
    pytest.param("Ed25519Signature2020", "EdSig", "unsigned.json", id="Ed25519Signature2020"),
]


@pytest.mark.parametrize(("folder", "suffix", "unsigned"), EDDSA_CASES)
def test_eddsa_vectors_are_reproduced_exactly(
    folder: str, suffix: str, unsigned: str, loader: DocumentLoader, no_network: None
) -> None:
    vectors = EDDSA / folder
    keys = _json(EDDSA / "keyPair.json")
    config = _json(vectors / f"proofConfig{suffix}.json")
    suite = config.get("cryptosuite", config["type"])
    document = _json(EDDSA / unsigned)
    original = copy.deepcopy(document)

    signed, art = sign(
        document,
        suite,
        keys["privateKeyMultibase"],
        config["verificationMethod"],
        created=config["created"],
        proof_purpose=config["proofPurpose"],
        loader=loader,
    )

    assert document == original
    assert art.suite == suite
    assert art.canonical_document == _text(vectors / f"canonDoc{suffix}.txt")
    assert art.canonical_proof_config == _text(vectors / f"proofCanon{suffix}.txt")
    assert art.document_hash.hex() == _text(vectors / f"docHash{suffix}.txt")
    assert art.proof_hash.hex() == _text(vectors / f"proofHash{suffix}.txt")
    assert art.combined.hex() == _text(vectors / f"combinedHash{suffix}.txt")
    assert art.signature.hex() == _text(vectors / f"sigHex{suffix}.txt")
    assert art.proof_value == _text(vectors / f"sigBTC58{suffix}.txt")
    assert signed == _json(vectors / f"signed{suffix}.json")
    public = public_key_from_multibase(keys["publicKeyMultibase"])
    assert isinstance(public, Ed25519PublicKey)
    assert art.public_key == public.public_bytes_raw()

    expected = _json(vectors / f"signed{suffix}.json")
    verified = verify_proof(expected, expected["proof"], keys["publicKeyMultibase"], loader=loader)
    assert verified == art


# -- W3C vc-di-ecdsa: every artifact; RFC 6979 reproduces the published signatures ------

ECDSA_CASES = [
    pytest.param(
        f"{suite}-{curve}{sub}", prefix + curve.upper(), unsigned, curve, id=f"{suite}-{curve}{sub}"
    )
    for suite, prefix in (("ecdsa-rdfc-2019", "ECDSA"), ("ecdsa-jcs-2019", "JCSECDSA"))
    for curve in ("p256", "p384")
    for sub, unsigned in (("", "unsigned.json"), ("/employ", "employmentAuth.json"))
    if not (suite == "ecdsa-jcs-2019" and sub)
]


@pytest.mark.parametrize(("folder", "suffix", "unsigned", "curve"), ECDSA_CASES)
def test_ecdsa_vectors(
    folder: str, suffix: str, unsigned: str, curve: str, loader: DocumentLoader, no_network: None
) -> None:
    vectors = ECDSA / folder
    keys = _json(ECDSA / f"{curve}KeyPair.json")
    config = _json(vectors / f"proofConfig{suffix}.json")
    expected = _json(vectors / f"signed{suffix}.json")

    # the published signed document verifies, and its proofValue is the published signature
    verified = verify_proof(expected, expected["proof"], keys["publicKeyMultibase"], loader=loader)
    assert verified.signature.hex() == _text(vectors / f"sigHex{suffix}.txt")
    assert verified.proof_value == _text(vectors / f"sigBTC58{suffix}.txt")
    assert verified.hash_algorithm == ("sha384" if curve == "p384" else "sha256")

    # Signing reproduces every artifact, the signature too: lerkit's ECDSA uses RFC 6979
    # deterministic nonces, and so (as this shows) did whoever made the W3C vectors.
    signed, art = sign(
        _json(ECDSA / unsigned),
        config["cryptosuite"],
        keys["secretKeyMultibase"],
        config["verificationMethod"],
        created=config["created"],
        loader=loader,
    )
    assert art.canonical_document == _text(vectors / f"canonDoc{suffix}.txt")
    assert art.canonical_proof_config == _text(vectors / f"proofCanon{suffix}.txt")
    assert art.document_hash.hex() == _text(vectors / f"docHash{suffix}.txt")
    assert art.proof_hash.hex() == _text(vectors / f"proofHash{suffix}.txt")
    assert art.combined.hex() == _text(vectors / f"combinedHash{suffix}.txt")
    assert len(art.signature) == (96 if curve == "p384" else 64)
    assert art.signature.hex() == _text(vectors / f"sigHex{suffix}.txt")
    assert art.proof_value == _text(vectors / f"sigBTC58{suffix}.txt")
    assert signed == expected
    assert verify_proof(signed, signed["proof"], keys["publicKeyMultibase"], loader=loader) == (
        verified
    )


# -- 1EdTech validator examples ---------------------------------------------------------

#: Signed correctly according to 1EdTech's validator tests (valid, warning, or revoked but
#: signed), with the key taken from the verification method URL.
VALIDATOR_SIGNED = [
    (f"{OB30}/simple.json", "eddsa-rdfc-2022", None),
    (f"{OB30}/simple.1ob", "eddsa-rdfc-2022", None),
    (f"{OB30}/simple-did-key-method.json", "eddsa-rdfc-2022", None),
    (f"{OB30}/simple-did-web-method.json", "eddsa-rdfc-2022", None),
    (f"{OB30}/simple-context-alias.json", "eddsa-rdfc-2022", None),
    (f"{OB30}/endorsement-valid.json", "eddsa-rdfc-2022", None),
    (f"{OB30}/simple_v1.json", "Ed25519Signature2020", None),
    (f"{OB30}/simple-eddsa-2022.json", "eddsa-rdfc-2022", "eddsa-2022"),
    (f"{OB30}/credential-status-revoked.json", "Ed25519Signature2020", None),
    (f"{OB30}/bit-string-list/credential-status-revoked.json", "eddsa-rdfc-2022", None),
    (f"{OB30}/bit-string-list/credential-status-revoked-blank-nodes.json", "eddsa-rdfc-2022", None),
    (f"{CLR20}/simple.json", "eddsa-rdfc-2022", None),
    (f"{CLR20}/simple_v1.json", "Ed25519Signature2020", None),
]


@pytest.mark.parametrize(("name", "suite", "legacy"), VALIDATOR_SIGNED)
def test_validator_examples_verify(
    name: str, suite: str, legacy: str | None, loader: DocumentLoader, no_network: None
) -> None:
    document = _json(EXAMPLES / name)
    (proof,) = _proofs(document)
    art = verify_proof(document, proof, _key_of(proof["verificationMethod"]), loader=loader)
    assert art.suite == suite
    assert art.legacy_name == legacy
    assert art.verification_method == proof["verificationMethod"]


def test_validator_proof_value_error_example_fails(loader: DocumentLoader) -> None:
    document = _json(EXAMPLES / OB30 / "simple-err-proof-value.json")
    (proof,) = _proofs(document)
    with pytest.raises(ProofError) as caught:
        verify_proof(document, proof, _key_of(proof["verificationMethod"]), loader=loader)
    assert caught.value.code == "invalid_signature"
    assert caught.value.artifacts is not None


def test_multiple_proofs_are_checked_one_by_one(loader: DocumentLoader) -> None:
    document = _json(EXAMPLES / OB30 / "simple-multiple-proofs.json")
    other, ours = _proofs(document)
    with pytest.raises(ProofError, match="'SomeProofType' is not supported") as caught:
        verify_proof(document, other, "z6Mk", loader=loader)
    assert caught.value.code == "unsupported_cryptosuite"
    assert verify_proof(document, ours, _key_of(ours["verificationMethod"]), loader=loader)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        (f"{OB30}/sd/derivedcredential.json", "unsupported_cryptosuite"),
        (
            "inspector-tcp-vc/src/test/resources/tcp/LER-RS_V2_VCwrapper.json",
            "unsupported_cryptosuite",
        ),
        # wrong types: type-scoped contexts do not apply, so properties would drop silently
        (f"{OB30}/simple-err-credential-subject-type.json", "undefined_term"),
        (f"{OB30}/simple-err-context.json", "undefined_term"),
        # a pre-release CLR context nobody pins
        (f"{CLR20}/simple_old_safesigned.json", "unknown_context"),
    ],
)
def test_validator_examples_that_cannot_verify_say_why(
    name: str, code: str, loader: DocumentLoader, no_network: None
) -> None:
    document = _json(EXAMPLES / name)
    (proof,) = _proofs(document)
    with pytest.raises(LerkitError) as caught:
        verify_proof(document, proof, _key_of(proof["verificationMethod"]), loader=loader)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("folder", "contexts"),
    [
        ("obv3p0", ["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]),
    ],
)
def test_1edtech_canon_vectors_round_trip_through_the_ob_contexts(
    folder: str, contexts: list[str], loader: DocumentLoader
) -> None:
    # The 1EdTech inputs are not published as files (MANIFEST §3.3). Rebuild a compact
    # document from the canonical N-Quads with lerkit's pinned contexts, then check that
    # canonicalizing it gives back exactly the published N-Quads.
    for name in ("document-canon.txt", "proof-canon.txt"):
        expected = _text(OB_VECTORS / folder / name)
        expanded = jsonld.from_rdf(expected, {"format": "application/n-quads"})
        context = {"@context": ["https://www.w3.org/ns/credentials/v2", *contexts]}
        compact = jsonld.compact(expanded, context, loader.pyld_options())
        assert not [key for key in _keys(compact) if key.startswith("http")]  # terms only
        assert canonicalize_rdfc(compact, loader) == expected


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [*value, *(key for member in value.values() for key in _keys(member))]
    if isinstance(value, list):
        return [key for member in value for key in _keys(member)]
    return []


@pytest.mark.parametrize("folder", ["obv3p0", "clrv2p0"])
def test_1edtech_canon_vectors_are_canonical(folder: str) -> None:
    for name in ("document-canon.txt", "proof-canon.txt"):
        expected = _text(OB_VECTORS / folder / name)
        assert canonicalize_nquads(expected).text == expected


# -- negative cases on the eddsa-rdfc-2022 vector ---------------------------------------


@pytest.fixture
def secured() -> dict[str, Any]:
    result: dict[str, Any] = _json(EDDSA / "eddsa-rdfc-2022/signedDataInt.json")
    return result


@pytest.fixture
def public_key() -> str:
    key: str = _json(EDDSA / "keyPair.json")["publicKeyMultibase"]
    return key


def _invalid(document: dict[str, Any], proof: Any, key: Any, loader: DocumentLoader) -> ProofError:
    with pytest.raises(ProofError) as caught:
        verify_proof(document, proof, key, loader=loader)
    return caught.value


def test_one_flipped_bit_in_the_signature_fails(
    secured: dict[str, Any], public_key: str, loader: DocumentLoader
) -> None:
    signature = bytearray(base58.b58decode(secured["proof"]["proofValue"][1:]))
    signature[17] ^= 0x04
    secured["proof"]["proofValue"] = "z" + base58.b58encode(bytes(signature)).decode()
    err = _invalid(secured, secured["proof"], public_key, loader)
    assert err.code == "invalid_signature"
    assert err.artifacts is not None
    assert err.artifacts.combined.hex() == _text(EDDSA / "eddsa-rdfc-2022/combinedHashDataInt.txt")
    assert "does not match" in str(err)


def test_one_flipped_bit_in_the_proof_value_text_fails(
    secured: dict[str, Any], public_key: str, loader: DocumentLoader
) -> None:
    value = secured["proof"]["proofValue"]
    alphabet = base58.alphabet.decode()
    # the first character whose lowest bit can flip without leaving the base58 alphabet
    at = next(i for i in range(10, len(value)) if chr(ord(value[i]) ^ 1) in alphabet)
    secured["proof"]["proofValue"] = value[:at] + chr(ord(value[at]) ^ 1) + value[at + 1 :]
    err = _invalid(secured, secured["proof"], public_key, loader)
    assert err.code in ("invalid_signature", "malformed_proof")


def test_a_changed_document_field_fails(
    secured: dict[str, Any], public_key: str, loader: DocumentLoader
) -> None:
    secured["credentialSubject"]["alumniOf"] = "The School of Forgery"
    err = _invalid(secured, secured["proof"], public_key, loader)
    assert err.code == "invalid_signature"
    assert err.artifacts is not None
    assert "The School of Forgery" in err.artifacts.canonical_document


def test_a_changed_proof_created_fails(
    secured: dict[str, Any], public_key: str, loader: DocumentLoader
) -> None:
    secured["proof"]["created"] = "2023-02-24T23:36:39Z"
    err = _invalid(secured, secured["proof"], public_key, loader)
    assert err.code == "invalid_signature"
    assert err.artifacts is not None
    assert "23:36:39Z" in err.artifacts.canonical_proof_config


def test_the_wrong_key_fails(secured: dict[str, Any], loader: DocumentLoader) -> None:
    other = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key()
    assert _invalid(secured, secured["proof"], other, loader).code == "invalid_signature"


def test_the_wrong_key_type_fails_before_any_work(
    secured: dict[str, Any], loader: DocumentLoader, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_run(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("canonicalization or cryptography ran")

    monkeypatch.setattr(suites_module, "_hash_and_canonicalize", must_not_run)
    monkeypatch.setattr(suites_module, "encode_dss_signature", must_not_run)
    p256 = public_key_from_multibase(_json(ECDSA / "p256KeyPair.json")["publicKeyMultibase"])
    err = _invalid(secured, secured["proof"], p256, loader)
    assert err.code == "key_type_mismatch"
    assert str(err) == "eddsa-rdfc-2022 needs an Ed25519 key; the verification key is P-256"

    ecdsa = _json(ECDSA / "ecdsa-rdfc-2019-p256/signedECDSAP256.json")
    ed = public_key_from_multibase(_json(EDDSA / "keyPair.json")["publicKeyMultibase"])
    assert _invalid(ecdsa, ecdsa["proof"], ed, loader).code == "key_type_mismatch"
    k256 = ec.generate_private_key(ec.SECP256K1()).public_key()
    err = _invalid(ecdsa, ecdsa["proof"], k256, loader)
    assert err.code == "key_type_mismatch"
    assert "secp256k1" in str(err)


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"cryptosuite": "bbs-2023"}, "unsupported_cryptosuite", "cryptosuite"),
        ({"type": "RsaSignature2018"}, "unsupported_cryptosuite", "type"),
        ({"type": None}, "malformed_proof", "type"),
        ({"cryptosuite": None}, "malformed_proof", "cryptosuite"),
        ({"proofValue": None}, "malformed_proof", "proofValue"),
        ({"proofValue": "u" + "A" * 86}, "malformed_proof", "proofValue"),
        ({"proofValue": "z0OIl"}, "malformed_proof", "proofValue"),
        (
            {"proofValue": "z" + base58.b58encode(bytes(63)).decode()},
            "malformed_proof",
            "proofValue",
        ),
        ({"verificationMethod": None}, "malformed_proof", "verificationMethod"),
        ({"proofPurpose": 7}, "malformed_proof", "proofPurpose"),
        ({"created": "yesterday"}, "malformed_proof", "created"),
        (
            {"@context": ["https://www.w3.org/ns/credentials/examples/v2"]},
            "malformed_proof",
            "@context",
        ),
    ],
)
def test_malformed_and_unsupported_proofs(
    secured: dict[str, Any],
    public_key: str,
    loader: DocumentLoader,
    change: dict[str, Any],
    code: str,
    field: str,
) -> None:
    proof = dict(secured["proof"])
    for name, value in change.items():
        if value is None:
            proof.pop(name)
        else:
            proof[name] = value
    err = _invalid(secured, proof, public_key, loader)
    assert err.code == code
    assert err.field == field


def test_a_proof_must_be_an_object(
    secured: dict[str, Any], public_key: str, loader: DocumentLoader
) -> None:
    assert _invalid(secured, "proof", public_key, loader).code == "malformed_proof"


def test_an_unknown_context_fails_without_network(
    secured: dict[str, Any], public_key: str, loader: DocumentLoader, no_network: None
) -> None:
    secured["@context"].append("https://contexts.example.org/not-pinned/v1")
    with pytest.raises(UnknownContextError) as caught:
        verify_proof(secured, secured["proof"], public_key, loader=loader)
    assert caught.value.code == "unknown_context"
    assert "https://contexts.example.org/not-pinned/v1" in str(caught.value)


# -- signing ----------------------------------------------------------------------------

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
VM = "did:key:z6Mk#z6Mk"
BADGE = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "urn:uuid:6f0b1e5c-0000-4000-8000-000000000001",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "https://example.org/issuer", "type": ["Profile"], "name": "Example"},
    "validFrom": "2024-01-01T00:00:00Z",
    "name": "Welding Level 1",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://example.org/achievements/welding-1",
            "type": ["Achievement"],
            "name": "Welding Level 1",
            "criteria": {"narrative": "Passed the practical assessment."},
        },
    },
}


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_every_suite_signs_and_verifies_an_open_badge(suite: str, loader: DocumentLoader) -> None:
    key: Any = (
        KEY if SUITES[suite].algorithm == "Ed25519" else ec.generate_private_key(ec.SECP384R1())
    )
    signed, art = sign(BADGE, suite, key, VM, created="2024-01-02T03:04:05Z", loader=loader)
    assert signed["proof"]["proofValue"] == art.proof_value
    assert art.combined == art.proof_hash + art.document_hash
    assert verify_proof(signed, signed["proof"], key.public_key(), loader=loader).proof_value == (
        art.proof_value
    )
    if suite == "Ed25519Signature2020":
        assert signed["@context"][-1] == "https://w3id.org/security/suites/ed25519-2020/v1"
    if SUITES[suite].canonicalization == "JCS":
        assert signed["proof"]["@context"] == BADGE["@context"]
    else:
        assert "@context" not in signed["proof"]


def test_signing_again_makes_a_proof_set(loader: DocumentLoader) -> None:
    other = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
    once, _ = sign(BADGE, "eddsa-rdfc-2022", KEY, VM, created="2024-01-01T00:00:00Z", loader=loader)
    twice, _ = sign(
        once, "eddsa-rdfc-2022", other, VM, created="2024-01-01T00:00:00Z", loader=loader
    )
    first, second = twice["proof"]
    assert first == once["proof"]
    verify_proof(twice, first, KEY.public_key(), loader=loader)
    verify_proof(twice, second, other.public_key(), loader=loader)


@pytest.mark.parametrize("suite", ["ecdsa-rdfc-2019", "ecdsa-jcs-2019"])
@pytest.mark.parametrize("curve", [ec.SECP256R1(), ec.SECP384R1()], ids=["P-256", "P-384"])
def test_ecdsa_signing_is_deterministic(
    suite: str, curve: ec.EllipticCurve, loader: DocumentLoader
) -> None:
    key = ec.derive_private_key(0x1E2C1D, curve)
    other = ec.derive_private_key(0x1E2C1E, curve)

    def proof_value(document: dict[str, Any], signer: ec.EllipticCurvePrivateKey) -> str:
        signed, art = sign(
            document, suite, signer, VM, created="2024-01-02T03:04:05Z", loader=loader
        )
        verify_proof(signed, signed["proof"], signer.public_key(), loader=loader)
        return art.proof_value

    first = proof_value(BADGE, key)
    assert proof_value(copy.deepcopy(BADGE), key) == first
    assert proof_value(BADGE | {"name": "Welding Level 2"}, key) != first
    assert proof_value(BADGE, other) != first


def test_created_accepts_aware_datetimes_only(loader: DocumentLoader) -> None:
    moment = datetime(2024, 5, 6, 9, 8, 7, tzinfo=timezone(timedelta(hours=2)))
    signed, _ = sign(BADGE, "eddsa-jcs-2022", KEY, VM, created=moment)
    assert signed["proof"]["created"] == "2024-05-06T07:08:07Z"
    signed, _ = sign(BADGE, "eddsa-jcs-2022", KEY, VM, created=moment.replace(microsecond=250000))
    assert signed["proof"]["created"] == "2024-05-06T07:08:07.250Z"
    with pytest.raises(ProofError, match="no time zone") as caught:
        sign(BADGE, "eddsa-jcs-2022", KEY, VM, created=datetime(2024, 1, 1))
    assert caught.value.code == "malformed_proof"
    with pytest.raises(ProofError, match="not an XML Schema dateTime"):
        sign(BADGE, "eddsa-jcs-2022", KEY, VM, created="2024-13-01T00:00:00Z")


@pytest.mark.parametrize(
    ("suite", "key", "code"),
    [
        ("eddsa-2022", KEY, "unsupported_cryptosuite"),
        ("bbs-2023", KEY, "unsupported_cryptosuite"),
        ("ecdsa-rdfc-2019", KEY, "key_type_mismatch"),
        ("eddsa-rdfc-2022", ec.derive_private_key(7, ec.SECP256R1()), "key_type_mismatch"),
        ("eddsa-rdfc-2022", "z42notakey", "invalid_key"),
    ],
)
def test_sign_refuses(suite: str, key: Any, code: str) -> None:
    with pytest.raises(ProofError) as caught:
        sign(BADGE, suite, key, VM, created="2024-01-01T00:00:00Z")
    assert caught.value.code == code


def test_artifacts_are_frozen(loader: DocumentLoader) -> None:
    _, art = sign(BADGE, "eddsa-jcs-2022", KEY, VM, created="2024-01-01T00:00:00Z")
    assert isinstance(art, ProofArtifacts)
    with pytest.raises(dataclasses.FrozenInstanceError):
        art.signature = b""  # type: ignore[misc]


def test_verification_does_not_modify_its_input(loader: DocumentLoader) -> None:
    signed, _ = sign(
        BADGE, "eddsa-rdfc-2022", KEY, VM, created="2024-01-01T00:00:00Z", loader=loader
    )
    before = copy.deepcopy(signed)
    verify_proof(signed, signed["proof"], KEY.public_key(), loader=loader)
    assert signed == before


# -- the suite's context: VC 1.1 does not define DataIntegrityProof ----------------------

VC_V1 = "https://www.w3.org/2018/credentials/v1"
DI_V1 = "https://w3id.org/security/data-integrity/v1"
DI_V2 = "https://w3id.org/security/data-integrity/v2"
ED2020 = "https://w3id.org/security/suites/ed25519-2020/v1"
P256 = ec.derive_private_key(0x1E2C1D, ec.SECP256R1())
VC11 = {
    "@context": [VC_V1, {"name": "https://schema.org/name"}],
    "id": "urn:uuid:6f0b1e5c-0000-4000-8000-000000000011",
    "type": ["VerifiableCredential"],
    "issuer": "did:example:issuer",
    "issuanceDate": "2024-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:learner", "name": "Ada Example"},
}


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "ecdsa-rdfc-2019"])
def test_rdfc_data_integrity_on_vc11_appends_the_data_integrity_context(
    suite: str, loader: DocumentLoader
) -> None:
    key: Any = KEY if suite.startswith("eddsa") else P256
    before = copy.deepcopy(VC11)
    signed, art = sign(VC11, suite, key, VM, created="2024-01-02T03:04:05Z", loader=loader)
    assert before == VC11  # the input is not modified
    assert signed["@context"] == [*VC11["@context"], DI_V2]
    assert "@context" not in signed["proof"]
    # the proof's terms are in what was signed, not dropped
    assert f'"{suite}"^^<https://w3id.org/security#cryptosuiteString>' in (
        art.canonical_proof_config
    )
    verify_proof(signed, signed["proof"], key.public_key(), loader=loader)
    again, _ = sign(signed, suite, key, VM, created="2024-01-02T03:04:05Z", loader=loader)
    assert again["@context"] == signed["@context"]  # appended once only


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (BADGE, BADGE["@context"]),  # the VC 2.0 context includes the Data Integrity terms
        (
            VC11 | {"@context": [VC_V1, DI_V2, VC11["@context"][1]]},
            [VC_V1, DI_V2, VC11["@context"][1]],
        ),
        # v1 defines the terms too, as protected terms: appending v2 would redefine them
        (
            VC11 | {"@context": [VC_V1, DI_V1, VC11["@context"][1]]},
            [VC_V1, DI_V1, VC11["@context"][1]],
        ),
        (
            VC11 | {"@context": VC_V1, "credentialSubject": {"id": "did:example:learner"}},
            [VC_V1, DI_V2],
        ),
    ],
    ids=["vc2", "vc11-with-di-v2", "vc11-with-di-v1", "single-string"],
)
def test_the_data_integrity_context_is_appended_only_when_missing(
    document: dict[str, Any], expected: list[Any], loader: DocumentLoader
) -> None:
    signed, _ = sign(
        document, "eddsa-rdfc-2022", KEY, VM, created="2024-01-01T00:00:00Z", loader=loader
    )
    assert signed["@context"] == expected
    verify_proof(signed, signed["proof"], KEY.public_key(), loader=loader)


def test_jcs_suites_leave_the_context_as_it_is() -> None:
    # JCS signs the JSON text, not its RDF: nothing the proof says would drop out
    signed, _ = sign(VC11, "eddsa-jcs-2022", KEY, VM, created="2024-01-01T00:00:00Z")
    assert signed["@context"] == signed["proof"]["@context"] == VC11["@context"]


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "ecdsa-rdfc-2019", "Ed25519Signature2020"])
def test_rdfc_suites_refuse_a_document_without_context(suite: str) -> None:
    key: Any = P256 if suite.startswith("ecdsa") else KEY
    document = {name: value for name, value in VC11.items() if name != "@context"}
    with pytest.raises(ProofError, match="this one has no @context") as caught:
        sign(document, suite, key, VM, created="2024-01-01T00:00:00Z")
    assert caught.value.code == "malformed_proof"


# -- proofs that carry their own @context ------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _sign_like_didkit(
    document: dict[str, Any], options: dict[str, str], proof_context: str
) -> dict[str, Any]:
    """A proof that names the suite's context itself, as DIDKit writes one.

    Its configuration is read with the document's @context followed by the proof's
    (tests/interop/test_interop_didkit.py checks that DIDKit signs exactly this).
    """
    config = {**options, "@context": [*_as_list(document["@context"]), proof_context]}
    data = b"".join(
        hashlib.sha256(canonicalize_rdfc(part).encode()).digest() for part in (config, document)
    )
    value = "z" + base58.b58encode(KEY.sign(data)).decode()
    return {**document, "proof": {"@context": [proof_context], **options, "proofValue": value}}


def _options(**members: str) -> dict[str, str]:
    return members | {
        "created": "2024-01-02T03:04:05Z",
        "verificationMethod": VM,
        "proofPurpose": "assertionMethod",
    }


PROOF_CONTEXT_CASES = [
    pytest.param(_options(type="Ed25519Signature2020"), ED2020, None, id="Ed25519Signature2020"),
    pytest.param(
        _options(type="DataIntegrityProof", cryptosuite="eddsa-2022"),
        DI_V1,
        "eddsa-2022",
        id="eddsa-2022",
    ),
    pytest.param(
        _options(type="DataIntegrityProof", cryptosuite="eddsa-rdfc-2022"),
        DI_V2,
        None,
        id="eddsa-rdfc-2022",
    ),
]


@pytest.mark.parametrize(("options", "context", "legacy"), PROOF_CONTEXT_CASES)
def test_an_rdfc_proof_context_is_appended_to_the_documents(
    options: dict[str, str], context: str, legacy: str | None
) -> None:
    signed = _sign_like_didkit(VC11, options, context)
    art = verify_proof(signed, signed["proof"], KEY.public_key())
    assert art.legacy_name == legacy
    config = options | {"@context": [*VC11["@context"], context]}
    assert art.canonical_proof_config == canonicalize_rdfc(config)
    assert art.canonical_document == canonicalize_rdfc(VC11)

    forged = copy.deepcopy(signed)
    forged["credentialSubject"]["name"] = "Mallory Example"
    with pytest.raises(ProofError) as caught:
        verify_proof(forged, forged["proof"], KEY.public_key())
    assert caught.value.code == "invalid_signature"


@pytest.mark.parametrize(
    ("options", "context", "swapped", "code"),
    [
        (_options(type="Ed25519Signature2020"), ED2020, DI_V2, "undefined_term"),
        (_options(type="DataIntegrityProof", cryptosuite="eddsa-2022"), DI_V1, DI_V2, None),
        (_options(type="DataIntegrityProof", cryptosuite="eddsa-rdfc-2022"), DI_V2, DI_V1, None),
    ],
    ids=["Ed25519Signature2020", "eddsa-2022", "eddsa-rdfc-2022"],
)
def test_an_rdfc_proof_context_cannot_be_dropped_or_swapped(
    options: dict[str, str], context: str, swapped: str, code: str | None
) -> None:
    signed = _sign_like_didkit(VC11, options, context)
    dropped = {name: value for name, value in signed["proof"].items() if name != "@context"}
    with pytest.raises(CanonicalizationError, match="'created'") as caught:
        verify_proof(signed, dropped, KEY.public_key())
    assert caught.value.code == "undefined_term"
    # another pinned context: the type is undefined, or (data-integrity v1 <-> v2, whose
    # cryptosuite datatypes differ) the N-Quads are not the ones signed
    with pytest.raises(ProofError) as caught:
        verify_proof(signed, signed["proof"] | {"@context": [swapped]}, KEY.public_key())
    assert caught.value.code == (code or "invalid_signature")


@pytest.mark.parametrize(
    ("context", "shown"),
    [
        (
            "https://contexts.example.org/not-pinned/v1",
            "'https://contexts.example.org/not-pinned/v1'",
        ),
        ({"Ed25519Signature2020": "urn:example:mine"}, "an inline dict"),
    ],
    ids=["unpinned-url", "inline"],
)
def test_a_proof_may_add_only_pinned_contexts(context: Any, shown: str, no_network: None) -> None:
    signed = _sign_like_didkit(VC11, _options(type="Ed25519Signature2020"), ED2020)
    proof = signed["proof"] | {"@context": [ED2020, context]}
    with pytest.raises(ProofError) as caught:
        verify_proof(signed, proof, KEY.public_key())
    assert caught.value.code == "malformed_proof"
    assert caught.value.field == "@context"
    assert str(caught.value) == (
        f"the proof's @context adds {shown} to the document's; a proof may add only "
        "contexts lerkit pins (see lerkit.contexts.PINNED_CONTEXTS)"
    )


def test_an_rdfc_proof_context_that_is_a_prefix_follows_the_specification(
    loader: DocumentLoader,
) -> None:
    signed, art = sign(
        BADGE, "eddsa-rdfc-2022", KEY, VM, created="2024-01-01T00:00:00Z", loader=loader
    )
    proof = signed["proof"] | {"@context": BADGE["@context"]}
    assert verify_proof(signed, proof, KEY.public_key(), loader=loader) == art


@pytest.mark.parametrize("suite", ["eddsa-jcs-2022", "ecdsa-jcs-2019"])
def test_a_jcs_proof_context_must_be_a_prefix(suite: str) -> None:
    key: Any = P256 if suite.startswith("ecdsa") else KEY
    signed, _ = sign(BADGE, suite, key, VM, created="2024-01-01T00:00:00Z")
    proof = signed["proof"] | {"@context": [*BADGE["@context"], DI_V2]}
    with pytest.raises(ProofError, match="is not a prefix of the document's @context") as caught:
        verify_proof(signed, proof, key.public_key())
    assert caught.value.code == "malformed_proof"
    assert caught.value.field == "@context"


# -- canonicalization: safe mode ---------------------------------------------------------


def test_safe_mode_refuses_an_undefined_property(loader: DocumentLoader) -> None:
    document = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:example:1", "secretlyAdded": "not covered by a context"},
    }
    with pytest.raises(CanonicalizationError, match="'secretlyAdded'") as caught:
        canonicalize_rdfc(document, loader)
    assert caught.value.code == "undefined_term"
    unsafe = canonicalize_rdfc(document, loader, safe=False)
    assert "secretlyAdded" not in unsafe


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"@context": {"@vocab": "urn:v:"}, "@type": "x", "@id": "relative/id"}, "relative IRI"),
        (
            {"@context": {"p": "urn:ex:p"}, "@id": "urn:ex:s", "@type": "Undefined"},
            "type 'Undefined'",
        ),
        (
            {"@context": {"p": {"@id": "urn:ex:p", "@type": "@id"}}, "@id": "urn:ex:s", "p": "rel"},
            "relative IRI 'rel'",
        ),
    ],
)
def test_safe_mode_refuses_relative_iris(document: dict[str, Any], message: str) -> None:
    with pytest.raises(CanonicalizationError, match=message) as caught:
        canonicalize_rdfc(document)
    assert caught.value.code == "undefined_term"


def test_reserved_at_terms_in_inline_contexts_are_refused() -> None:
    document = {"@context": {"@fancy": "urn:ex:fancy", "p": "urn:ex:p"}, "p": "v"}
    with pytest.raises(CanonicalizationError, match="reserved '@' names") as caught:
        canonicalize_rdfc(document)
    assert caught.value.code == "canonicalization_failed"


def test_ob_300_with_vc_20_is_a_processing_error(loader: DocumentLoader) -> None:
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        ],
        "type": ["VerifiableCredential"],
    }
    with pytest.raises(CanonicalizationError, match="protected term redefinition") as caught:
        canonicalize_rdfc(document, loader)
    assert caught.value.code == "canonicalization_failed"


def test_canonicalize_jcs() -> None:
    assert canonicalize_jcs({"b": [1.0, "é"], "a": None}) == '{"a":null,"b":[1,"é"]}'
    with pytest.raises(CanonicalizationError):
        canonicalize_jcs({"x": float("nan")})


# -- Multikey ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "secret_name", "prefix"),
    [
        (EDDSA / "keyPair.json", "privateKeyMultibase", "z6Mk"),
        (ECDSA / "p256KeyPair.json", "secretKeyMultibase", "zDn"),
        (ECDSA / "p384KeyPair.json", "secretKeyMultibase", "z82"),
    ],
)
def test_multikey_round_trips_with_the_vector_keys(
    path: Path, secret_name: str, prefix: str
) -> None:
    pair = _json(path)
    public = public_key_from_multibase(pair["publicKeyMultibase"])
    secret = private_key_from_multibase(pair[secret_name])
    assert public_key_to_multibase(public) == pair["publicKeyMultibase"]
    assert public_key_to_multibase(secret.public_key()) == pair["publicKeyMultibase"]
    assert private_key_to_multibase(secret) == pair[secret_name]
    assert pair["publicKeyMultibase"].startswith(prefix)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "starting with 'z'"),
        ("z6Mk0OIl", "not valid base58btc"),
        ("z" + base58.b58encode(b"\xe7\x01" + bytes(33)).decode(), "multicodec prefix e701"),
        ("z" + base58.b58encode(b"\xed\x01" + bytes(31)).decode(), "expected 32"),
        ("z" + base58.b58encode(b"\x80\x24\x02" + b"\xff" * 32).decode(), "not a valid P-256"),
    ],
)
def test_bad_multikey_values_are_refused(text: str, message: str) -> None:
    with pytest.raises(ProofError, match=message) as caught:
        public_key_from_multibase(text)
    assert caught.value.code == "invalid_key"


def test_unsupported_keys_cannot_be_encoded() -> None:
    k1 = ec.generate_private_key(ec.SECP256K1())
    with pytest.raises(ProofError) as caught:
        public_key_to_multibase(k1.public_key())
    assert caught.value.code == "invalid_key"
    with pytest.raises(ProofError) as caught:
        private_key_to_multibase(k1)
    assert caught.value.code == "invalid_key"
    with pytest.raises(ProofError, match="not a valid P-384") as caught2:
        private_key_from_multibase("z" + base58.b58encode(b"\x87\x26" + b"\xff" * 48).decode())
    assert "ff" * 8 not in str(caught2.value)  # secrets are never echoed


#: A real P-256 secret (the W3C vectors' key), then broken in the ways a key file can be.
SECRET = "z42twTcNeSYcnqg1FLuSFs2bsGH3ZqbRHFmvS9XMsYhjxvHN"
SECRET_BYTES = base58.b58decode(SECRET[1:])


def _b58(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode()


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        (
            SECRET[1:],
            "secretKeyMultibase must be a base58btc multibase string starting with 'z' "
            "(value not shown: 47 characters)",
        ),
        (
            SECRET[:20] + "0" + SECRET[21:],
            "secretKeyMultibase is not valid base58btc: it has a character outside the "
            "base58 alphabet (value not shown: 48 characters)",
        ),
        (
            _b58(SECRET_BYTES[:-1]),
            "secretKeyMultibase is a P-256 private key of 31 bytes; expected 32",
        ),
        (
            _b58(SECRET_BYTES[2:]),  # the raw scalar without its multicodec prefix
            "secretKeyMultibase has an unknown multicodec prefix (value not shown: "
            f"{len(_b58(SECRET_BYTES[2:]))} characters); a private key starts with one of "
            "8026 (Ed25519), 8626 (P-256), 8726 (P-384)",
        ),
        (
            _b58(b"\x80\x24" + b"\x02" + SECRET_BYTES[2:]),
            "secretKeyMultibase has the multicodec prefix of a P-256 public key "
            "(publicKeyMultibase); a private key starts with one of 8026 (Ed25519), "
            "8626 (P-256), 8726 (P-384)",
        ),
        (
            _b58(b"\x86\x26" + b"\xff" * 32),
            "secretKeyMultibase is not a valid P-256 private key: the scalar is 0 or not "
            "less than the curve order",
        ),
        (SECRET.encode(), "secretKeyMultibase must be a string, not bytes"),
    ],
    ids=["no-z", "bad-character", "short", "no-prefix", "public-key", "scalar-range", "bytes"],
)
def test_a_malformed_secret_key_is_never_echoed(secret: Any, message: str) -> None:
    with pytest.raises(ProofError) as caught:
        private_key_from_multibase(secret)
    err = caught.value
    assert err.code == "invalid_key"
    assert str(err) == message
    text = secret if isinstance(secret, str) else secret.decode()
    for shown in (str(err), repr(err)):
        # no run of 6 characters of the value, and not the bad base58 character
        assert not [text[i : i + 6] for i in range(len(text) - 5) if text[i : i + 6] in shown]
        assert "'0'" not in shown
    assert err.__cause__ is None  # a chained exception would print the value
    assert err.__suppress_context__ or err.__context__ is None
    # nor through sign(), which accepts a secretKeyMultibase too
    if isinstance(secret, str):
        with pytest.raises(ProofError) as again:
            sign(BADGE, "ecdsa-rdfc-2019", secret, VM, created="2024-01-01T00:00:00Z")
        assert str(again.value) == message


def test_a_base64url_multibase_key_is_refused() -> None:
    # Multikey is base58btc only; a base64url ("u") multibase value is refused.
    text = "u" + base64.urlsafe_b64encode(b"\xed\x01" + bytes(32)).decode().rstrip("=")
    with pytest.raises(ProofError, match="starting with 'z'"):
        public_key_from_multibase(text)


def test_safe_mode_refuses_a_property_mapped_to_null() -> None:
    document = {"@context": {"p": "urn:ex:p", "q": None}, "p": "1", "q": "2"}
    with pytest.raises(CanonicalizationError, match="maps to null") as caught:
        canonicalize_rdfc(document)
    assert caught.value.code == "undefined_term"
    assert canonicalize_rdfc(document, safe=False) == '_:c14n0 <urn:ex:p> "1" .\n'


def test_verification_can_share_a_loader_between_threads(loader: DocumentLoader) -> None:
    from concurrent.futures import ThreadPoolExecutor

    jobs = []
    for name in (f"{OB30}/simple.json", f"{CLR20}/simple.json", f"{OB30}/simple_v1.json"):
        document = _json(EXAMPLES / name)
        (proof,) = _proofs(document)
        jobs.append((document, proof, _key_of(proof["verificationMethod"])))
    shared = DocumentLoader(cache_dir=loader.cache_dir)
    expected = [verify_proof(*job, loader=loader) for job in jobs]

    def run(index: int) -> ProofArtifacts:
        return verify_proof(*jobs[index % len(jobs)], loader=shared)

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(run, range(36)))
    assert results == [expected[i % len(jobs)] for i in range(36)]
