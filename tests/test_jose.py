"""JOSE (VC-JWT) signing and verification: policy, alg confusion, PyJWT cross-checks, and
the verification pipeline's checks that a VC-JWT's registered claims agree with its
credential."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import lerkit as lk
from lerkit._jws import b64url_decode, b64url_encode, encode_compact, split_compact
from lerkit.dids import public_key_from_jwk
from lerkit.issue import IssuerKey, generate_key, issue_credential
from lerkit.proofs._errors import ProofError
from lerkit.proofs._jose import (
    ALLOWED_ALGORITHMS,
    JoseArtifacts,
    algorithm_for_key,
    key_family,
    sign_jws,
    verify_jws,
)
from lerkit.verify import VerificationReport

CLR_JWT = Path(
    "examples/digital-credentials-public-validator/inspector-clr/src/test/resources/clr20/simple.jwt"
)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a test tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture(scope="module")
def keys() -> dict[str, Any]:
    return {
        "EdDSA": Ed25519PrivateKey.from_private_bytes(bytes(range(32))),
        "ES256": ec.derive_private_key(0x1234567890ABCDEF, ec.SECP256R1()),
        "ES384": ec.derive_private_key(0xFEDCBA0987654321, ec.SECP384R1()),
        "RS256": rsa.generate_private_key(public_exponent=65537, key_size=2048),
    }


CLAIMS = {
    "iss": "did:example:issuer",
    "sub": "did:example:learner",
    "nbf": 1700000000,
    "iat": 1700000000,
    "exp": 1900000000,
    "vc": {"type": ["VerifiableCredential", "OpenBadgeCredential"]},
}


def _forge(header: dict[str, Any], payload: dict[str, Any], signature: bytes) -> str:
    """Build a token byte by byte, bypassing every signer's policy."""
    head = b64url_encode(json.dumps(header, separators=(",", ":")).encode())
    body = b64url_encode(json.dumps(payload, separators=(",", ":")).encode())
    return f"{head}.{body}.{b64url_encode(signature)}"


def _code(excinfo: pytest.ExceptionInfo[ProofError]) -> str:
    return excinfo.value.code


# ------------------------------------------------------------------ interop with PyJWT


@pytest.mark.parametrize("alg", ["EdDSA", "ES256", "ES384", "RS256"])
def test_tokens_signed_by_pyjwt_verify(keys: dict[str, Any], alg: str) -> None:
    token = jwt.encode(CLAIMS, keys[alg], algorithm=alg, headers={"kid": "did:example:issuer#1"})
    result = verify_jws(token, keys[alg].public_key())
    assert isinstance(result, JoseArtifacts)
    assert result.alg == alg
    assert result.payload_json == CLAIMS
    assert result.kid == "did:example:issuer#1"
    assert result.typ == "JWT"
    assert result.key_family == {"EdDSA": "Ed25519", "ES256": "P-256", "ES384": "P-384"}.get(
        alg, "RSA"
    )


@pytest.mark.parametrize("alg", ["EdDSA", "ES256", "ES384", "RS256"])
def test_tokens_signed_by_lerkit_verify_with_pyjwt(keys: dict[str, Any], alg: str) -> None:
    token = sign_jws(CLAIMS, keys[alg], kid="did:example:issuer#1", typ="JWT")
    decoded = jwt.decode(
        token,
        keys[alg].public_key(),
        algorithms=[alg],
        options={"verify_exp": False, "verify_nbf": False, "verify_iat": False},
    )
    assert decoded == CLAIMS
    assert jwt.get_unverified_header(token) == {
        "alg": alg,
        "typ": "JWT",
        "kid": "did:example:issuer#1",
    }


@pytest.mark.parametrize("alg", ["EdDSA", "ES256", "ES384", "RS256"])
def test_signatures_are_deterministic_and_sized(keys: dict[str, Any], alg: str) -> None:
    first = sign_jws(CLAIMS, keys[alg])
    assert first == sign_jws(CLAIMS, keys[alg])
    expected = {"EdDSA": 64, "ES256": 64, "ES384": 96, "RS256": 256}[alg]
    assert len(split_compact(first).signature) == expected


def test_rfc8037_ed25519_example() -> None:
    # RFC 8037 appendix A.1 (key) and A.4 (JWS of "Example of Ed25519 signing").
    private = Ed25519PrivateKey.from_private_bytes(
        b64url_decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
    )
    public, family = public_key_from_jwk(
        {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    )
    expected = (
        "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
    )
    assert family == "Ed25519"
    assert sign_jws(b"Example of Ed25519 signing", private) == expected
    result = verify_jws(expected, public)
    assert result.payload == b"Example of Ed25519 signing"
    assert result.payload_json is None
    assert result.signing_input == expected.rsplit(".", 1)[0].encode()


def test_1edtech_clr_rs256_jwt_verifies_with_its_key(standards: Path) -> None:
    token = (standards / CLR_JWT).read_text()
    header = split_compact(token).header
    # The key rides in the header; choosing to trust it is the caller's decision, and
    # verify_jws only ever uses the key it is given.
    key, family = public_key_from_jwk(header["jwk"])
    result = verify_jws(token, key)
    assert (result.alg, result.key_family, family) == ("RS256", "RSA", "RSA")
    assert result.nbf is not None
    assert result.payload_json is not None
    assert result.nbf == datetime.fromtimestamp(result.payload_json["nbf"], tz=UTC)
    head, payload, signature = token.strip().split(".")
    claims = json.loads(b64url_decode(payload))
    claims["sub"] = "did:example:someone-else"
    tampered = f"{head}.{b64url_encode(json.dumps(claims).encode())}.{signature}"
    with pytest.raises(ProofError) as excinfo:
        verify_jws(tampered, key)
    assert _code(excinfo) == "invalid_signature"


# ------------------------------------------------------------------ algorithm policy


def test_hs256_keyed_with_the_public_key_is_refused(keys: dict[str, Any]) -> None:
    # The classic confusion attack: HMAC "keyed" with the verifier's public key bytes.
    public = keys["RS256"].public_key()
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT"}
    token = encode_compact(
        header, CLAIMS, lambda data: hmac.new(pem, data, hashlib.sha256).digest()
    )
    with pytest.raises(ProofError) as excinfo:
        verify_jws(token, public)
    assert _code(excinfo) == "alg_not_allowed"
    assert "HMAC" in str(excinfo.value)
    # also when the "key" is the secret itself: the alg is refused before the key is looked at
    with pytest.raises(ProofError) as excinfo:
        verify_jws(token, pem)
    assert _code(excinfo) == "alg_not_allowed"


@pytest.mark.parametrize(
    "alg",
    ["none", "HS256", "HS384", "HS512", "PS256", "ES512", "ES256K", "RS512", "eddsa", "Ed25519"],
)
def test_algorithms_outside_the_policy_are_refused(keys: dict[str, Any], alg: str) -> None:
    signature = b"" if alg == "none" else b"\x01" * 64
    token = _forge({"alg": alg}, CLAIMS, signature)
    with pytest.raises(ProofError) as excinfo:
        verify_jws(token, keys["EdDSA"].public_key())
    assert _code(excinfo) == "alg_not_allowed"
    assert repr(alg) in str(excinfo.value)


def test_none_cannot_be_signed(keys: dict[str, Any]) -> None:
    with pytest.raises(ProofError) as excinfo:
        sign_jws(CLAIMS, keys["EdDSA"], alg="none")
    assert _code(excinfo) == "alg_not_allowed"


@pytest.mark.parametrize(
    ("signed_with", "verified_with"),
    [
        ("ES256", "ES384"),  # ES256 header, P-384 key
        ("ES384", "ES256"),
        ("EdDSA", "ES256"),  # EdDSA header, EC key
        ("RS256", "EdDSA"),  # RS256 header, Ed25519 key
        ("ES256", "RS256"),
        ("EdDSA", "RS256"),
    ],
)
def test_alg_must_match_the_key_type(
    keys: dict[str, Any], signed_with: str, verified_with: str
) -> None:
    token = sign_jws(CLAIMS, keys[signed_with])
    with pytest.raises(ProofError) as excinfo:
        verify_jws(token, keys[verified_with].public_key())
    assert _code(excinfo) == "key_type_mismatch"
    assert repr(signed_with) in str(excinfo.value)


def test_es256_header_over_a_p384_signature_is_refused(keys: dict[str, Any]) -> None:
    # A P-384 signature relabelled ES256 must not be checked with the P-384 key.
    genuine = sign_jws(CLAIMS, keys["ES384"])
    _, payload, signature = genuine.split(".")
    head = b64url_encode(b'{"alg":"ES256"}')
    with pytest.raises(ProofError) as excinfo:
        verify_jws(f"{head}.{payload}.{signature}", keys["ES384"].public_key())
    assert _code(excinfo) == "key_type_mismatch"


def test_small_rsa_keys_and_foreign_curves_are_refused() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    token = encode_compact(
        {"alg": "RS256"},
        CLAIMS,
        lambda data: small.sign(data, padding.PKCS1v15(), hashes.SHA256()),
    )
    with pytest.raises(ProofError) as excinfo:
        verify_jws(token, small.public_key())
    assert _code(excinfo) == "key_type_mismatch"
    assert "1024" in str(excinfo.value)
    with pytest.raises(ProofError) as excinfo:
        sign_jws(CLAIMS, small)
    assert _code(excinfo) == "key_type_mismatch"
    for foreign in (ec.generate_private_key(ec.SECP521R1()), Ed448PrivateKey.generate()):
        assert key_family(foreign) is None
        with pytest.raises(ProofError) as excinfo:
            algorithm_for_key(foreign)
        assert _code(excinfo) == "key_type_mismatch"


def test_signing_refuses_a_mismatched_alg(keys: dict[str, Any]) -> None:
    with pytest.raises(ProofError) as excinfo:
        sign_jws(CLAIMS, keys["ES384"], alg="ES256")
    assert _code(excinfo) == "key_type_mismatch"
    with pytest.raises(ProofError) as excinfo:
        sign_jws(CLAIMS, keys["EdDSA"].public_key(), alg="EdDSA")
    assert _code(excinfo) == "key_type_mismatch"


def test_algorithms_can_narrow_but_not_widen(keys: dict[str, Any]) -> None:
    token = sign_jws(CLAIMS, keys["ES256"])
    assert verify_jws(token, keys["ES256"].public_key(), algorithms={"ES256"}).alg == "ES256"
    with pytest.raises(ProofError) as excinfo:
        verify_jws(token, keys["ES256"].public_key(), algorithms={"EdDSA"})
    assert _code(excinfo) == "alg_not_allowed"
    with pytest.raises(ValueError, match="HS256"):
        verify_jws(token, keys["ES256"].public_key(), algorithms={"ES256", "HS256"})
    assert ALLOWED_ALGORITHMS == ("EdDSA", "ES256", "ES384", "RS256")


# ------------------------------------------------------------------ signatures and structure


@pytest.mark.parametrize("alg", ["EdDSA", "ES256", "ES384", "RS256"])
def test_tampered_payload_fails(keys: dict[str, Any], alg: str) -> None:
    token = sign_jws(CLAIMS, keys[alg])
    head, _, signature = token.split(".")
    forged = dict(CLAIMS, sub="did:example:mallory")
    body = b64url_encode(json.dumps(forged, separators=(",", ":")).encode())
    with pytest.raises(ProofError) as excinfo:
        verify_jws(f"{head}.{body}.{signature}", keys[alg].public_key())
    assert _code(excinfo) == "invalid_signature"
    assert excinfo.value.field == "signature"


def test_signature_from_another_key_fails(keys: dict[str, Any]) -> None:
    other = Ed25519PrivateKey.generate()
    token = sign_jws(CLAIMS, other)
    with pytest.raises(ProofError) as excinfo:
        verify_jws(token, keys["EdDSA"].public_key())
    assert _code(excinfo) == "invalid_signature"


def test_der_ecdsa_signature_is_refused(keys: dict[str, Any]) -> None:
    key = keys["ES256"]
    der = encode_compact(
        {"alg": "ES256"}, CLAIMS, lambda data: key.sign(data, ec.ECDSA(hashes.SHA256()))
    )
    with pytest.raises(ProofError) as excinfo:
        verify_jws(der, key.public_key())
    assert _code(excinfo) == "invalid_signature"
    assert "r || s" in str(excinfo.value)


def test_embedded_header_keys_are_never_used(keys: dict[str, Any]) -> None:
    attacker = Ed25519PrivateKey.generate()
    x = b64url_encode(attacker.public_key().public_bytes_raw())
    token = encode_compact(
        {"alg": "EdDSA", "jwk": {"kty": "OKP", "crv": "Ed25519", "x": x}}, CLAIMS, attacker.sign
    )
    with pytest.raises(ProofError) as excinfo:
        verify_jws(token, keys["EdDSA"].public_key())
    assert _code(excinfo) == "invalid_signature"


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("not a token", "malformed_jws"),
        ("eyJhbGciOiJFZERTQSJ9.e30", "malformed_jws"),
        ("eyJhbGciOiJFZERTQSIsImI2NCI6ZmFsc2V9.e30.c2ln", "unsupported_jws"),
    ],
)
def test_malformed_tokens(keys: dict[str, Any], token: str, code: str) -> None:
    with pytest.raises(ProofError) as excinfo:
        verify_jws(token, keys["EdDSA"].public_key())
    assert _code(excinfo) == code
    assert excinfo.value.__cause__ is not None


def test_critical_extensions_are_refused(keys: dict[str, Any]) -> None:
    key = keys["EdDSA"]
    token = encode_compact({"alg": "EdDSA", "crit": ["exp"], "exp": 1}, CLAIMS, key.sign)
    with pytest.raises(ProofError) as excinfo:
        verify_jws(token, key.public_key())
    assert _code(excinfo) == "unsupported_jws"


def test_time_claims_are_decoded_not_checked(keys: dict[str, Any]) -> None:
    key = keys["EdDSA"]
    expired = {"nbf": 100, "iat": 100.5, "exp": 200}
    result = verify_jws(sign_jws(expired, key), key.public_key())
    assert result.nbf == datetime(1970, 1, 1, 0, 1, 40, tzinfo=UTC)
    assert result.iat == datetime(1970, 1, 1, 0, 1, 40, 500000, tzinfo=UTC)
    assert result.exp == datetime(1970, 1, 1, 0, 3, 20, tzinfo=UTC)
    plain = verify_jws(sign_jws({"iss": "x"}, key), key.public_key())
    assert (plain.nbf, plain.exp, plain.iat) == (None, None, None)


@pytest.mark.parametrize("bad", ["2030-01-01", True, None, 10**30, [1]])
def test_malformed_time_claims_fail(keys: dict[str, Any], bad: object) -> None:
    key = keys["EdDSA"]
    with pytest.raises(ProofError) as excinfo:
        verify_jws(sign_jws({"exp": bad}, key), key.public_key())
    assert _code(excinfo) == "malformed_jws"
    assert excinfo.value.field == "exp"


def test_non_string_kid_is_malformed(keys: dict[str, Any]) -> None:
    key = keys["EdDSA"]
    token = encode_compact({"alg": "EdDSA", "kid": 7}, CLAIMS, key.sign)
    with pytest.raises(ProofError) as excinfo:
        verify_jws(token, key.public_key())
    assert _code(excinfo) == "malformed_jws"


def test_sign_header_order_and_raw_payload(keys: dict[str, Any]) -> None:
    token = sign_jws(b"\x00\x01", keys["ES256"], kid="k", typ="vc+jwt", cty="vc")
    decoded = split_compact(token)
    assert list(decoded.header) == ["alg", "typ", "cty", "kid"]
    assert decoded.payload == b"\x00\x01"
    assert verify_jws(token, keys["ES256"].public_key()).typ == "vc+jwt"


# ------------------------------------------------------------------ VC-JWT claims in lerkit.verify

NOW = datetime(2026, 6, 1, tzinfo=UTC)
VALID_FROM = "2025-01-01T00:00:00Z"
VALID_UNTIL = "2030-01-01T00:00:00Z"
NBF = 1735689600  # VALID_FROM
EXP = 1893456000  # VALID_UNTIL
CREDENTIAL_ID = "urn:uuid:7d3c2b1a-0000-4000-8000-00000000c1a1"
LEARNER = "did:example:learner-1"
VC1 = "https://www.w3.org/2018/credentials/v1"
VC2 = "https://www.w3.org/ns/credentials/v2"
OB_302 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
OB_303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB30_JWTS = [
    "examples/digital-credentials-public-validator/inspector-vc/src/test/resources/ob30/simple.jwt",
    "examples/digital-credentials-public-validator/inspector-vc/src/test/resources/ob30/velocity.jwt",
    str(CLR_JWT),
]


@pytest.fixture(scope="module")
def issuer() -> IssuerKey:
    return generate_key(seed=bytes([0x3E]) * 32)


def _credential(issuer: IssuerKey, *, vc: str = "2.0", **members: Any) -> dict[str, Any]:
    """An OB 3.0 AchievementCredential; ``None`` for a member leaves it out."""
    dates = (
        {"validFrom": VALID_FROM, "validUntil": VALID_UNTIL}
        if vc == "2.0"
        else {"issuanceDate": VALID_FROM, "expirationDate": VALID_UNTIL}
    )
    credential: dict[str, Any] = {
        "@context": [VC2, OB_303] if vc == "2.0" else [VC1, OB_302],
        "id": CREDENTIAL_ID,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer.did, "type": ["Profile"], "name": "Example Valley College"},
        **dates,
        "name": "Welding Fundamentals",
        "credentialSubject": {
            "id": LEARNER,
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://college.example/achievements/weld-101",
                "type": ["Achievement"],
                "name": "Welding Fundamentals",
                "description": "Completed 120 hours of shop practice.",
                "criteria": {"narrative": "Pass the practical exam."},
            },
        },
    }
    credential.update(members)
    return {k: v for k, v in credential.items() if v is not None}


def _token(
    issuer: IssuerKey, credential: dict[str, Any], *, form: str = "ob3", **claims: Any
) -> str:
    """A VC-JWT with the agreeing registered claims, ``claims`` over them (None drops one).

    ``ob3``: the claims beside the credential's members; ``vc-claim``: the VC 1.1 JWT.
    """
    payload: dict[str, Any] = {
        "iss": issuer.did,
        "sub": LEARNER,
        "nbf": NBF,
        "jti": CREDENTIAL_ID,
        "exp": EXP,
    }
    for name, value in claims.items():
        if value is None:
            payload.pop(name, None)
        else:
            payload[name] = value
    payload = {**credential, **payload} if form == "ob3" else {**payload, "vc": credential}
    return sign_jws(payload, issuer.private_key, kid=issuer.verification_method, typ="JWT")


def _statuses(report: VerificationReport) -> dict[str, str]:
    return {c.name: c.status for c in report.checks}


def test_lerkit_issue_ob3_jwt_verifies_with_both_dates(issuer: IssuerKey) -> None:
    issued = issue_credential(_credential(issuer), issuer, proof="jwt")
    assert issued.jwt_form == "ob3"
    assert issued.jwt == _token(issuer, _credential(issuer))
    report = lk.verify(issued.jwt, now=NOW)
    assert report.status == "verified", str(report)
    assert report.check("not_before").detail == (
        "validFrom 2025-01-01T00:00:00+00:00, JWT nbf 2025-01-01T00:00:00+00:00"
    )
    assert report.check("not_expired").detail == (
        "validUntil 2030-01-01T00:00:00+00:00, JWT exp 2030-01-01T00:00:00+00:00"
    )


@pytest.mark.parametrize("vc", ["2.0", "1.1"])
@pytest.mark.parametrize("form", ["ob3", "vc-claim"])
def test_agreeing_claims_verify(issuer: IssuerKey, vc: str, form: str) -> None:
    report = lk.verify(_token(issuer, _credential(issuer, vc=vc), form=form), now=NOW)
    assert report.status == "verified", str(report)


OTHER_ISSUER = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
DISAGREEMENTS = {
    # claim: (value, check, code, detail for VC 2.0 members, for VC 1.1 members)
    "iss": (
        OTHER_ISSUER,
        "verification_method",
        "issuer_mismatch",
        f"the JWT iss {OTHER_ISSUER!r} is not the credential's issuer '{{did}}'",
        None,
    ),
    "jti": (
        "urn:uuid:other",
        "parsed",
        "claim_mismatch",
        f"the JWT jti 'urn:uuid:other' is not the credential's id {CREDENTIAL_ID!r}",
        None,
    ),
    "sub": (
        "did:example:mallory",
        "parsed",
        "claim_mismatch",
        f"the JWT sub 'did:example:mallory' is not the credentialSubject's id {LEARNER!r}",
        None,
    ),
    "nbf": (
        NBF + 86400,
        "not_before",
        "claim_mismatch",
        "the JWT nbf (2025-01-02T00:00:00+00:00) is not the credential's validFrom "
        "2025-01-01T00:00:00Z",
        "the JWT nbf (2025-01-02T00:00:00+00:00) is not the credential's issuanceDate "
        "2025-01-01T00:00:00Z",
    ),
    "exp": (
        EXP + 86400 * 365,
        "not_expired",
        "claim_mismatch",
        "the JWT exp (2031-01-01T00:00:00+00:00) is not the credential's validUntil "
        "2030-01-01T00:00:00Z",
        "the JWT exp (2031-01-01T00:00:00+00:00) is not the credential's expirationDate "
        "2030-01-01T00:00:00Z",
    ),
}


@pytest.mark.parametrize("claim", list(DISAGREEMENTS))
@pytest.mark.parametrize(("form", "vc"), [("ob3", "2.0"), ("ob3", "1.1"), ("vc-claim", "1.1")])
def test_a_claim_that_disagrees_with_the_credential_fails_a_named_check(
    issuer: IssuerKey, claim: str, form: str, vc: str
) -> None:
    value, check, code, detail, detail_vc1 = DISAGREEMENTS[claim]
    token = _token(issuer, _credential(issuer, vc=vc), form=form, **{claim: value})
    report = lk.verify(token, now=NOW)
    found = report.check(check)
    assert (found.status, found.code) == ("failed", code), str(report)
    expected = detail_vc1 if vc == "1.1" and detail_vc1 is not None else detail
    assert found.detail == expected.replace("{did}", issuer.did)
    failed = {name for name, status in _statuses(report).items() if status == "failed"}
    assert failed == {check}, str(report)
    if claim in ("nbf", "exp"):
        # both dates are signed by the issuer: the credential is authentic, its period
        # unclear, as for a credential that has expired
        assert report.status == "warning"
        assert report.check("signature").status == "passed"
    else:
        assert report.status == "not_verified"
    if claim in ("jti", "sub"):
        # still checked, to tell an issuer's inconsistency from a forgery
        assert report.check("signature").status == "passed"


def test_a_forged_disagreement_fails_the_signature_too(issuer: IssuerKey) -> None:
    token = _token(issuer, _credential(issuer))
    head, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["sub"] = "did:example:mallory"
    forged = f"{head}.{b64url_encode(json.dumps(claims).encode())}.{signature}"
    report = lk.verify(forged, now=NOW)
    assert report.check("parsed").code == "claim_mismatch"
    assert report.check("signature").code == "invalid_signature"
    assert report.status == "not_verified"


def test_jti_and_sub_disagreeing_are_both_named(issuer: IssuerKey) -> None:
    token = _token(issuer, _credential(issuer), jti="urn:uuid:other", sub="did:example:x")
    detail = lk.verify(token, now=NOW).check("parsed").detail
    assert detail.startswith("the JWT jti 'urn:uuid:other' is not the credential's id")
    assert "; the JWT sub 'did:example:x' is not the credentialSubject's id" in detail


def test_claims_are_compared_only_with_members_that_exist(issuer: IssuerKey) -> None:
    # no credential id, no subject id, no validUntil: nothing for jti, sub, exp to contradict
    credential = _credential(
        issuer,
        id=None,
        validUntil=None,
        credentialSubject={"type": ["AchievementSubject"], "name": "A. Learner"},
    )
    report = lk.verify(_token(issuer, credential, exp=EXP + 1), now=NOW)
    statuses = _statuses(report)
    assert [statuses[n] for n in ("parsed", "signature", "not_before", "not_expired")] == [
        "passed"
    ] * 4, str(report)
    # sub is compared with the id of a single subject only
    two = _credential(issuer, credentialSubject=[{"id": LEARNER}, {"id": "did:example:b"}])
    assert lk.verify(_token(issuer, two), now=NOW).check("parsed").status == "passed"


@pytest.mark.parametrize(("nbf", "agrees"), [(NBF, True), (NBF + 1, True), (NBF + 2, False)])
def test_dates_agree_to_the_second(issuer: IssuerKey, nbf: int, agrees: bool) -> None:
    # 0.9 s past NBF: dropping the fraction gives NBF, rounding it NBF + 1
    credential = _credential(issuer, validFrom="2025-01-01T00:00:00.900Z")
    report = lk.verify(_token(issuer, credential, nbf=nbf), now=NOW)
    assert (report.check("not_before").code != "claim_mismatch") is agrees, str(report)


def test_both_nbf_and_valid_from_are_enforced(issuer: IssuerKey) -> None:
    credential = _credential(issuer, validFrom="2025-01-01T00:00:00.900Z")
    token = _token(issuer, credential)
    # past nbf but before validFrom: the stricter of the two applies
    report = lk.verify(token, now=datetime(2025, 1, 1, 0, 0, 0, 500000, tzinfo=UTC))
    found = report.check("not_before")
    assert (found.status, found.code) == ("failed", "not_yet_valid")
    assert found.detail == "not valid until validFrom 2025-01-01T00:00:00.900000+00:00"
    # a VC 1.1 JWT whose vc claim leaves the start to nbf: nbf stands in for the
    # issuanceDate (VC 1.1 section 6.3.1), and applies
    undated = _credential(issuer, vc="1.1", issuanceDate=None)
    report = lk.verify(_token(issuer, undated, form="vc-claim", nbf=EXP), now=NOW)
    assert report.check("parsed").status == "passed", str(report)
    assert report.check("not_before").detail == (
        "not valid until issuanceDate 2030-01-01T00:00:00+00:00"
    )
    # and a token without nbf has its validFrom checked
    later = _credential(issuer, validFrom="2027-01-01T00:00:00Z")
    report = lk.verify(_token(issuer, later, nbf=None), now=NOW)
    assert report.check("not_before").detail == (
        "not valid until validFrom 2027-01-01T00:00:00+00:00"
    )


def test_malformed_nbf_is_a_malformed_date(issuer: IssuerKey) -> None:
    report = lk.verify(_token(issuer, _credential(issuer), nbf="2025-01-01"), now=NOW)
    assert report.check("not_before").code == "malformed_date"


@pytest.mark.parametrize(
    "path", OB30_JWTS, ids=lambda p: p.rsplit("/", 2)[-2] + "/" + p.rsplit("/", 1)[-1]
)
def test_1edtech_jwt_examples_have_agreeing_claims(standards: Path, path: str) -> None:
    # velocity.jwt (VC 1.1) has an issuanceDate with milliseconds (nbf drops them) and a
    # validFrom two years earlier: nbf stands for issuanceDate in VC 1.1
    report = lk.verify((standards / path).read_text(), now=NOW)
    for name in ("parsed", "not_before", "not_expired"):
        assert report.check(name).status == "passed", str(report)
