"""lerkit.issue: keys, signing, OB 3.0 / CLR 2.0 builders, status lists, tampering, baking
and the demo generator. Every credential is checked by verifying it, every tampered one by
watching verification fail."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import os
import re
import stat
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from jsonschema import Draft4Validator, Draft201909Validator, FormatChecker

import lerkit
import lerkit.issue as issue
from lerkit._baking import extract_png, extract_svg, minimal_png
from lerkit._jws import b64url_decode, split_compact
from lerkit.dids import controller_matches_issuer, did_key_document, resolve_verification_method
from lerkit.errors import LerkitError
from lerkit.issue import IssueError, IssuerKey
from lerkit.proofs import ProofArtifacts, ProofError, verify_proof
from lerkit.proofs._jose import JoseArtifacts, verify_jws
from lerkit.status import check_status

OB3_SCHEMA = Path("schemas/openbadges-specification/docs/schema/achievementcredential.json")
CLR_SCHEMA = Path(
    "schemas/digital-credentials-public-validator/inspector-tcp-vc/src/main/resources/catalog/"
    "www.hropenstandards.org/recruiting/json/ler-rs/1EdTech/clr_v2p0_clrcredential_schema_draft4.json"
)
LIST_URL = "https://example.org/status/7"
OB_302 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
VALID_FROM = "2025-03-03T15:00:00Z"
# RFC 3339 date-time (time zone required); jsonschema checks "date-time" only when an
# optional package is installed, so the tests bring their own check.
RFC3339 = re.compile(
    r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:"
    r"([0-5][0-9]|60)(\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])",
    re.IGNORECASE,
)


# ------------------------------------------------------------------ fixtures and helpers


@pytest.fixture(scope="module")
def key() -> IssuerKey:
    return issue.generate_key(seed=bytes(range(32)))


@pytest.fixture(scope="module")
def other_key() -> IssuerKey:
    return issue.generate_key(seed=bytes([7]) * 32)


@pytest.fixture(scope="module")
def p256() -> IssuerKey:
    return issue.generate_key("P-256")


@pytest.fixture(scope="module")
def ob3_validator(standards: Path) -> Draft201909Validator:
    schema = json.loads((standards / OB3_SCHEMA).read_text(encoding="utf-8"))
    checker = FormatChecker()

    @checker.checks("date-time")
    def _date_time(value: object) -> bool:
        return not isinstance(value, str) or RFC3339.fullmatch(value) is not None

    return Draft201909Validator(schema, format_checker=checker)


@pytest.fixture(scope="module")
def clr_schema(standards: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((standards / CLR_SCHEMA).read_text(encoding="utf-8"))
    return schema


def schema_errors(validator: Any, document: Mapping[str, Any]) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def first_proof(document: Mapping[str, Any]) -> Mapping[str, Any]:
    proof = document["proof"]
    chosen: Mapping[str, Any] = proof[0] if isinstance(proof, list) else proof
    return chosen


def verify_di(document: Mapping[str, Any]) -> ProofArtifacts:
    """Verify the first proof with the key its did:key verification method resolves to."""
    proof = first_proof(document)
    method = resolve_verification_method(proof["verificationMethod"])
    public_key = method.public_key
    assert isinstance(public_key, Ed25519PublicKey | ec.EllipticCurvePublicKey)
    return verify_proof(document, proof, public_key)


def verify_token(token: str) -> JoseArtifacts:
    kid = split_compact(token).header["kid"]
    return verify_jws(token, resolve_verification_method(kid).public_key)


def sample_achievement(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": "https://college.example.edu/achievements/welding-1",
        "name": "Welding Fundamentals",
        "description": "Shielded metal arc and MIG welding basics.",
        "criteria": "Pass the bend test for each process.",
        "achievement_type": "Certificate",
        "alignments": [
            issue.alignment(
                target_name="Welders, Cutters, Solderers, and Brazers",
                target_url="https://www.onetonline.org/link/summary/51-4121.00",
                target_code="51-4121.00",
                target_framework="O*NET-SOC",
                target_type="ext:Occupation",
            )
        ],
    }
    values.update(overrides)
    return issue.achievement(**values)


def ob3(key: IssuerKey | None = None, *, number: int = 1, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "issuer": {"id": key.did, "name": "Example Valley College"} if key else None,
        "subject_id": "did:example:learner-1",
        "achievement": sample_achievement(),
        "valid_from": VALID_FROM,
        "valid_until": "2028-03-03T15:00:00Z",
        "credential_id": f"urn:uuid:00000000-0000-4000-8000-{number:012d}",
        "identity_email": "learner-1@example.org",
        "identity_salt": "salt-1",
    }
    values.update(overrides)
    return issue.achievement_credential(**values)


# ------------------------------------------------------------------ public API


def test_all_is_sorted_and_is_exactly_the_public_names() -> None:
    assert list(issue.__all__) == sorted(issue.__all__)
    public = {name for name in dir(issue) if not name.startswith("_")} - {"annotations"}
    assert public == set(issue.__all__)
    for name in issue.__all__:
        assert getattr(issue, name) is not None


def test_issue_error_is_a_lerkit_error_with_a_code() -> None:
    err = IssueError("x", code="issuer_mismatch")
    assert isinstance(err, LerkitError)
    assert (err.code, IssueError("y").code) == ("issuer_mismatch", "issue_error")


# ------------------------------------------------------------------ keys


def test_seeded_ed25519_key_is_the_did_key_of_its_seed() -> None:
    key = issue.generate_key(seed=bytes(32))
    assert key.did == "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
    assert key.verification_method == f"{key.did}#{key.did.removeprefix('did:key:')}"
    assert key.public_key_multibase == key.did.removeprefix("did:key:")
    assert key.kind == "Ed25519"
    assert key.did_document() == did_key_document(key.did)
    assert issue.generate_key(seed=bytes(32)) == key
    assert issue.generate_key().did != key.did


def test_repr_never_shows_the_secret(tmp_path: Path) -> None:
    key = issue.generate_key(seed=bytes(32))
    path = key.save(tmp_path / "k.json")
    secret = json.loads(path.read_text())["secretKeyMultibase"]
    assert secret not in repr(key)
    assert secret not in str(key)
    assert "private_key" not in repr(key)


def test_p256_key() -> None:
    key = issue.generate_key("P-256")
    assert key.kind == "P-256"
    assert key.did.startswith("did:key:zDn")
    assert resolve_verification_method(key.verification_method).key_family == "P-256"


def test_seeded_p256_key_is_reproducible_and_signs() -> None:
    one, two = (issue.generate_key("P-256", seed=bytes(range(32))) for _ in range(2))
    assert one.did == two.did
    assert one.did.startswith("did:key:zDn")
    assert one.did != issue.generate_key("P-256", seed=bytes(32)).did
    [demo] = issue.demo_credentials(1, issue.generate_key(seed=bytes(32)))
    assert demo.document is not None
    unsigned = {k: v for k, v in demo.document.items() if k != "proof"}
    unsigned["issuer"] = {"id": one.did, "type": ["Profile"], "name": "P-256 College"}
    made = issue.issue_credential(unsigned, one, proof="ecdsa-rdfc-2019")
    again = issue.issue_credential(unsigned, two, proof="ecdsa-rdfc-2019")
    assert made.serialize() == again.serialize()  # RFC 6979: same key, same proof
    report = lerkit.verify(made.document, now=datetime(2026, 6, 1, tzinfo=UTC))
    assert report.check("signature").status == "passed", str(report)


@pytest.mark.parametrize(
    ("kind", "seed", "message"),
    [
        ("Ed25519", bytes(31), "a key seed must be exactly 32 bytes, got 31 bytes"),
        ("P-256", "x" * 32, "a key seed must be exactly 32 bytes, got str"),
        ("RSA", None, "key kind must be one of ['Ed25519', 'P-256'], got 'RSA'"),
    ],
)
def test_generate_key_rejects_bad_arguments(kind: Any, seed: bytes | None, message: str) -> None:
    with pytest.raises(IssueError) as caught:
        issue.generate_key(kind, seed=seed)
    assert caught.value.code == "invalid_argument"
    assert caught.value.message == message


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.parametrize("kind", ["Ed25519", "P-256"])
def test_saved_key_is_owner_only_and_loads_back(tmp_path: Path, kind: Any) -> None:
    key = issue.generate_key(kind)
    path = key.save(tmp_path / "issuer-key.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text(encoding="utf-8"))
    assert list(data) == [
        "kind",
        "did",
        "verificationMethod",
        "publicKeyMultibase",
        "secretKeyMultibase",
    ]
    assert (data["kind"], data["did"]) == (kind, key.did)
    loaded = issue.load_key(path)
    assert loaded == key
    # the loaded secret signs credentials the original public key verifies
    signed = issue.issue_credential(
        ob3(), loaded, proof="eddsa-rdfc-2022" if kind == "Ed25519" else "ecdsa-rdfc-2019"
    )
    assert signed.document is not None
    verify_di(signed.document)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_save_refuses_to_overwrite_unless_asked(tmp_path: Path) -> None:
    first, second = issue.generate_key(), issue.generate_key()
    path = first.save(tmp_path / "k.json")
    before = path.read_bytes()
    with pytest.raises(IssueError) as caught:
        second.save(path)
    assert caught.value.code == "key_file_exists"
    assert str(path) in caught.value.message
    assert path.read_bytes() == before
    path.chmod(0o644)
    second.save(path, overwrite=True)
    # a replaced file is the new key, and private again whatever the old file's mode
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert issue.load_key(path).did == second.did
    assert [p.name for p in tmp_path.iterdir()] == ["k.json"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_load_refuses_a_key_file_others_can_read(tmp_path: Path, mode: int) -> None:
    path = issue.generate_key().save(tmp_path / "k.json")
    path.chmod(mode)
    with pytest.raises(IssueError) as caught:
        issue.load_key(path)
    assert caught.value.code == "key_file_permissions"
    assert caught.value.message == (
        f"key file {str(path)!r}: permissions {mode:04o} let other users read the secret key; "
        f"run 'chmod 600 {path}' if that is unintended"
    )


def _edited(data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**data, **changes}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (lambda d: b"{not json", "is not JSON (JSONDecodeError at line 1 column 2)"),
        (lambda d: b"\xff\xfe", "is not JSON (UnicodeDecodeError at byte 0)"),
        (lambda d: b"[]", "must hold a JSON object, not list"),
        (
            lambda d: json.dumps({k: v for k, v in d.items() if k != "did"}).encode(),
            "missing or non-string member(s): 'did'",
        ),
        (
            lambda d: json.dumps(_edited(d, kind="RSA")).encode(),
            "'kind' must be one of ['Ed25519', 'P-256'], got 'RSA'",
        ),
        (
            lambda d: json.dumps(_edited(d, secretKeyMultibase="not-multibase")).encode(),
            "'secretKeyMultibase' is not base58btc multibase ('z…')",
        ),
        (
            lambda d: json.dumps(_edited(d, secretKeyMultibase="z0OIl")).encode(),
            "'secretKeyMultibase' is not a valid Ed25519 or P-256 secret key",
        ),
        (
            lambda d: json.dumps(
                _edited(d, did="did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp")
            ).encode(),
            "'did' is 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp', but the "
            "secret key gives ",
        ),
    ],
)
def test_load_names_the_file_and_the_problem_never_the_secret(
    tmp_path: Path, content: Any, problem: str
) -> None:
    key = issue.generate_key(seed=bytes([9]) * 32)
    path = key.save(tmp_path / "k.json")
    data = json.loads(path.read_text())
    path.write_bytes(content(data))
    with pytest.raises(IssueError) as caught:
        issue.load_key(path)
    assert caught.value.code == "invalid_key_file"
    assert caught.value.path == str(path)
    assert caught.value.message.startswith(f"key file {str(path)!r}: {problem}")
    assert data["secretKeyMultibase"] not in caught.value.message


def test_save_into_a_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "k.json"
    for overwrite in (False, True):
        with pytest.raises(IssueError) as caught:
            issue.generate_key().save(target, overwrite=overwrite)
        assert caught.value.code == "key_file_unwritable"
        assert caught.value.message == (
            f"key file {str(target)!r} cannot be written: No such file or directory"
        )


def test_load_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(IssueError, match=r"'.*missing\.json': no such file$"):
        issue.load_key(tmp_path / "missing.json")
    with pytest.raises(IssueError, match=r"is a folder, not a key file$"):
        issue.load_key(tmp_path)


# ------------------------------------------------------------------ issue_credential


@pytest.mark.parametrize(
    ("suite", "key_name"),
    [
        ("eddsa-rdfc-2022", "key"),
        ("Ed25519Signature2020", "key"),
        ("ecdsa-rdfc-2019", "p256"),
    ],
)
def test_data_integrity_credentials_verify_with_the_did_key(
    suite: Any, key_name: str, request: pytest.FixtureRequest, ob3_validator: Any
) -> None:
    signer: IssuerKey = request.getfixturevalue(key_name)
    credential = ob3(signer)
    issued = issue.issue_credential(credential, signer, proof=suite)
    assert (issued.proof_type, issued.jwt, issued.jwt_form) == (suite, None, None)
    document = issued.document
    assert document is not None
    artifacts = verify_di(document)
    assert artifacts.suite == suite
    proof = first_proof(document)
    # 1EdTech's schema wants the proof as an array
    assert isinstance(document["proof"], list)
    assert proof["verificationMethod"] == signer.verification_method
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["created"] == VALID_FROM
    assert schema_errors(ob3_validator, document) == []
    assert credential == ob3(signer)  # the input is untouched


@pytest.mark.parametrize("key_name", ["key", "p256"])
def test_ob3_token_is_the_default_for_open_badges(
    key_name: str, request: pytest.FixtureRequest
) -> None:
    """OB 3.0 section 8.2: the credential's members beside iss/sub/nbf/jti/exp, typ JWT."""
    signer: IssuerKey = request.getfixturevalue(key_name)
    credential = ob3()
    issued = issue.issue_credential(credential, signer, proof="jwt")
    assert (issued.document, issued.proof_type, issued.jwt_form) == (None, "jwt", "ob3")
    assert issued.jwt is not None
    artifacts = verify_token(issued.jwt)
    alg = "EdDSA" if signer.kind == "Ed25519" else "ES256"
    # "Additional JOSE Headers are NOT allowed" (OB 3.0 section 8.2.3)
    assert artifacts.header == {"alg": alg, "typ": "JWT", "kid": signer.verification_method}
    claims = artifacts.payload_json
    assert claims is not None
    signed = {**credential, "issuer": signer.did}
    assert list(claims) == [*signed, "iss", "sub", "nbf", "jti", "exp"]
    assert claims == {
        **signed,
        "iss": signer.did,
        "sub": "did:example:learner-1",
        "nbf": int(datetime(2025, 3, 3, 15, tzinfo=UTC).timestamp()),
        "jti": credential["id"],
        "exp": int(datetime(2028, 3, 3, 15, tzinfo=UTC).timestamp()),
    }
    assert (artifacts.nbf, artifacts.exp) == (
        datetime(2025, 3, 3, 15, tzinfo=UTC),
        datetime(2028, 3, 3, 15, tzinfo=UTC),
    )
    # the credential without the claims issue_credential added
    assert issued.credential == signed
    report = lerkit.verify(issued.jwt, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert report.status == "verified", str(report)
    assert credential == ob3()  # the input is untouched


def test_ob3_token_of_a_clr_and_of_a_vc11_credential(key: IssuerKey) -> None:
    member = issue.issue_credential(ob3(key), key)
    clr = issue.clr_credential(
        issuer=key.did,
        subject_id="did:example:learner-1",
        credentials=[member],
        valid_from=VALID_FROM,
        credential_id="urn:uuid:00000000-0000-4000-8000-00000000c1c1",
    )
    issued = issue.issue_credential(clr, key, proof="jwt")
    assert issued.jwt_form == "ob3"
    assert issued.jwt is not None
    claims = verify_token(issued.jwt).payload_json or {}
    assert (claims["iss"], claims["jti"], claims["sub"]) == (
        key.did,
        clr["id"],
        "did:example:learner-1",
    )
    assert "exp" not in claims
    # VC 1.1: nbf and exp stand for issuanceDate and expirationDate
    vc11 = {
        "@context": ["https://www.w3.org/2018/credentials/v1", OB_302],
        "id": "urn:uuid:00000000-0000-4000-8000-000000000011",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": key.did,
        "issuanceDate": "2025-03-03T15:00:00.750Z",
        "validFrom": "2020-01-01T00:00:00Z",
        "expirationDate": "2026-03-03T15:00:00Z",
        "credentialSubject": {"type": ["AchievementSubject"]},
    }
    issued = issue.issue_credential(vc11, key, proof="jwt")
    assert issued.jwt is not None
    claims = verify_token(issued.jwt).payload_json or {}
    assert claims["nbf"] == int(datetime(2025, 3, 3, 15, tzinfo=UTC).timestamp())
    assert claims["exp"] == int(datetime(2026, 3, 3, 15, tzinfo=UTC).timestamp())
    assert "sub" not in claims  # the subject has no id (OB 3.0 allows an identifier)


def test_other_credentials_default_to_vc_jose(key: IssuerKey) -> None:
    plain = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "validFrom": VALID_FROM,
        "credentialSubject": {"id": "did:example:learner-1"},
    }
    assert issue.issue_credential(plain, key, proof="jwt").jwt_form == "vc-jose"
    status_list = issue.status_list_credential(
        key, url=LIST_URL, valid_from=VALID_FROM, proof="jwt"
    )
    assert status_list.jwt_form == "vc-jose"
    assert issue.revoke(status_list, 3, key).jwt_form == "vc-jose"


@pytest.mark.parametrize("key_name", ["key", "p256"])
def test_vc_jose_token(key_name: str, request: pytest.FixtureRequest) -> None:
    signer: IssuerKey = request.getfixturevalue(key_name)
    credential = ob3()
    issued = issue.issue_credential(credential, signer, proof="jwt", jwt_form="vc-jose")
    assert issued.document is None
    assert issued.jwt is not None
    assert issued.jwt_form == "vc-jose"
    artifacts = verify_token(issued.jwt)
    assert artifacts.alg == ("EdDSA" if signer.kind == "Ed25519" else "ES256")
    assert artifacts.typ == "vc+jwt"
    assert artifacts.header["cty"] == "vc"
    assert artifacts.kid == signer.verification_method
    assert artifacts.payload_json == {**credential, "issuer": signer.did}
    assert issued.credential == artifacts.payload_json


def test_vc_claim_token(key: IssuerKey) -> None:
    credential = ob3(key)
    issued = issue.issue_credential(credential, key, proof="jwt", jwt_form="vc-claim")
    assert issued.jwt is not None
    assert issued.jwt_form == "vc-claim"
    artifacts = verify_token(issued.jwt)
    assert artifacts.typ == "JWT"
    claims = artifacts.payload_json
    assert claims is not None
    assert list(claims) == ["iss", "sub", "nbf", "jti", "exp", "vc"]
    assert claims["iss"] == key.did
    assert claims["sub"] == "did:example:learner-1"
    assert claims["jti"] == credential["id"]
    assert artifacts.nbf == datetime(2025, 3, 3, 15, tzinfo=UTC)
    assert artifacts.exp == datetime(2028, 3, 3, 15, tzinfo=UTC)
    assert claims["vc"] == credential
    assert issued.credential == credential


@pytest.mark.parametrize("form", ["ob3", "vc-claim"])
def test_jwt_without_expiry_has_no_exp(key: IssuerKey, form: Any) -> None:
    issued = issue.issue_credential(ob3(valid_until=None), key, proof="jwt", jwt_form=form)
    assert issued.jwt is not None
    assert "exp" not in (verify_token(issued.jwt).payload_json or {})


@pytest.mark.parametrize("form", ["ob3", "vc-jose", "vc-claim"])
def test_jwt_needs_a_start_date(key: IssuerKey, form: Any) -> None:
    undated = {k: v for k, v in ob3().items() if k != "validFrom"}
    if form == "vc-jose":
        assert issue.issue_credential(undated, key, proof="jwt", jwt_form=form).jwt
        return
    with pytest.raises(IssueError) as caught:
        issue.issue_credential(undated, key, proof="jwt", jwt_form=form)
    assert caught.value.code == "invalid_argument"
    assert caught.value.message == (
        "a VC-JWT needs the credential's validFrom (or issuanceDate) for its nbf claim"
    )


def test_ob3_refuses_a_member_the_claims_would_contradict(key: IssuerKey) -> None:
    credential = ob3()
    # the OB 3.0.3 context variant 1EdTech's validator uses defines a "jti" term
    same = issue.issue_credential({**credential, "jti": credential["id"]}, key, proof="jwt")
    assert same.jwt is not None
    assert (verify_token(same.jwt).payload_json or {})["jti"] == credential["id"]
    with pytest.raises(IssueError) as caught:
        issue.issue_credential({**credential, "jti": "urn:uuid:other"}, key, proof="jwt")
    assert caught.value.code == "invalid_argument"
    assert caught.value.message.startswith(
        "the credential has its own 'jti' member ('urn:uuid:other'), but an Open Badges 3.0 "
        f"VC-JWT sets the 'jti' claim beside the credential's members to {credential['id']!r}"
    )
    with pytest.raises(IssueError, match="its own 'nbf' member"):
        issue.issue_credential({**credential, "nbf": 0}, key, proof="jwt")
    # VC-JOSE-COSE adds no claims, so it has nothing to contradict
    issued = issue.issue_credential(
        {**credential, "jti": "urn:uuid:other"}, key, proof="jwt", jwt_form="vc-jose"
    )
    assert issued.jwt is not None


@pytest.mark.parametrize("form", ["ob3", "vc-jose"])
def test_payload_forms_refuse_vc_and_vp_members(key: IssuerKey, form: Any) -> None:
    for name in ("vc", "vp"):
        with pytest.raises(IssueError) as caught:
            issue.issue_credential({**ob3(), name: {}}, key, proof="jwt", jwt_form=form)
        assert caught.value.code == "invalid_argument"
        assert f"top-level {name!r} member" in caught.value.message


def test_unknown_jwt_form_is_refused(key: IssuerKey) -> None:
    with pytest.raises(IssueError) as caught:
        issue.issue_credential(ob3(), key, proof="jwt", jwt_form="ob2")  # type: ignore[arg-type]
    assert caught.value.code == "invalid_argument"
    assert caught.value.message == (
        "jwt_form must be one of ['ob3', 'vc-jose', 'vc-claim'], got 'ob2'"
    )


def test_ob3_token_can_be_reissued_from_its_credential(key: IssuerKey) -> None:
    issued = issue.issue_credential(ob3(key), key, proof="jwt")
    old = issue.expired_credential(issued, key, valid_until="2025-12-31T23:59:59Z", proof="jwt")
    assert old.jwt is not None
    claims = verify_token(old.jwt).payload_json or {}
    assert claims["exp"] == int(datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())
    assert claims["validUntil"] == "2025-12-31T23:59:59Z"


def test_missing_issuer_is_set_from_the_key(key: IssuerKey) -> None:
    issued = issue.issue_credential(ob3(), key)
    assert issued.document is not None
    assert issued.document["issuer"] == key.did
    profile = ob3(issuer={"name": "Example Valley College"})
    issued = issue.issue_credential(profile, key)
    assert issued.document is not None
    assert issued.document["issuer"] == {
        "id": key.did,
        "type": ["Profile"],
        "name": "Example Valley College",
    }
    verify_di(issued.document)


@pytest.mark.parametrize("issuer", ["did:example:someone-else", {"id": "did:example:x"}])
def test_an_issuer_other_than_the_key_is_refused(key: IssuerKey, issuer: Any) -> None:
    with pytest.raises(IssueError) as caught:
        issue.issue_credential(ob3(issuer=issuer), key)
    assert caught.value.code == "issuer_mismatch"
    assert caught.value.message.startswith(
        f"the credential's issuer is {(issuer if isinstance(issuer, str) else issuer['id'])!r} "
        f"but the signing key belongs to {key.did!r}"
    )


@pytest.mark.parametrize(
    ("key_name", "proof", "code"),
    [
        ("key", "ecdsa-rdfc-2019", "key_type_mismatch"),
        ("p256", "eddsa-rdfc-2022", "key_type_mismatch"),
        ("p256", "Ed25519Signature2020", "key_type_mismatch"),
        ("key", "eddsa-jcs-2022", "unsupported_proof"),
        ("key", "RS256", "unsupported_proof"),
    ],
)
def test_proof_and_key_must_match(
    key_name: str, proof: str, code: str, request: pytest.FixtureRequest
) -> None:
    signer: IssuerKey = request.getfixturevalue(key_name)
    with pytest.raises(IssueError) as caught:
        issue.issue_credential(ob3(), signer, proof=proof)  # type: ignore[arg-type]
    assert caught.value.code == code


def test_signed_credentials_are_not_signed_twice(key: IssuerKey) -> None:
    issued = issue.issue_credential(ob3(), key)
    assert issued.document is not None
    with pytest.raises(IssueError) as caught:
        issue.issue_credential(issued.document, key)
    assert caught.value.code == "already_signed"


def test_created(key: IssuerKey) -> None:
    moment = datetime(2025, 4, 1, 8, 30, 15, 999, tzinfo=UTC)
    issued = issue.issue_credential(ob3(), key, created=moment)
    assert issued.document is not None
    assert first_proof(issued.document)["created"] == "2025-04-01T08:30:15Z"
    with pytest.raises(IssueError, match="has no time zone"):
        issue.issue_credential(ob3(), key, created=datetime(2025, 4, 1))
    no_date = {k: v for k, v in ob3().items() if k != "validFrom"}
    with pytest.raises(IssueError, match="pass created="):
        issue.issue_credential(no_date, key)


@pytest.mark.parametrize(
    ("suite", "key_name", "added"),
    [
        ("eddsa-rdfc-2022", "key", True),
        ("ecdsa-rdfc-2019", "p256", True),
        ("Ed25519Signature2020", "key", False),
    ],
)
def test_vc11_credentials_get_the_context_their_proof_needs(
    suite: Any, key_name: str, added: bool, request: pytest.FixtureRequest
) -> None:
    signer: IssuerKey = request.getfixturevalue(key_name)
    vc11 = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "issuanceDate": VALID_FROM,
        "credentialSubject": {"id": "did:example:learner-1"},
    }
    issued = issue.issue_credential(vc11, signer, proof=suite)
    assert issued.document is not None
    verify_di(issued.document)
    contexts = issued.document["@context"]
    assert ("https://w3id.org/security/data-integrity/v2" in contexts) is added
    assert isinstance(issued.document["proof"], dict)  # not an OB 3.0 / CLR type


def test_undefined_terms_cannot_be_signed(key: IssuerKey) -> None:
    # safe-mode canonicalization: a term no context defines would not be signed at all
    with pytest.raises(ProofError) as caught:
        issue.issue_credential({**ob3(), "favouriteColour": "green"}, key)
    assert caught.value.code == "undefined_term"


def test_serialize_and_suggested_filename(key: IssuerKey) -> None:
    document = issue.issue_credential(ob3(), key)
    data = document.serialize()
    assert data.endswith(b"}\n")
    assert json.loads(data) == document.document
    assert re.fullmatch(r"welding-fundamentals-[0-9a-f]{8}\.json", document.suggested_filename)
    token = issue.issue_credential(ob3(), key, proof="jwt")
    assert token.serialize() == (token.jwt or "").encode() + b"\n"
    assert token.suggested_filename == document.suggested_filename.replace(".json", ".jwt")
    other = issue.issue_credential(ob3(number=2), key)
    assert other.suggested_filename != document.suggested_filename


# ------------------------------------------------------------------ builders


def test_hashed_identity_matches_the_open_badges_example() -> None:
    identity = issue.hashed_identity("a@example.com", "Kosher")
    assert identity == {
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": True,
        "identityHash": "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399",
        "salt": "Kosher",
    }
    random_salts = {issue.hashed_identity("a@example.com")["salt"] for _ in range(3)}
    assert len(random_salts) == 3


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"subject_id": None},
        {"identity_email": None, "identity_salt": None},
        {"valid_until": None, "credential_schema": False},
        {"status": issue.status_entry(LIST_URL, 94567)},
        {"issuer": "did:example:college", "awarded_date": datetime(2025, 3, 1, tzinfo=UTC)},
        {"achievement": sample_achievement(alignments=(), achievement_type=None)},
    ],
)
def test_achievement_credentials_validate_and_sign(
    overrides: dict[str, Any], ob3_validator: Any, key: IssuerKey
) -> None:
    credential = ob3(key, **overrides)
    assert schema_errors(ob3_validator, credential) == []
    assert credential["@context"][:2] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "AchievementCredential"]
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert {"id", "type", "name", "description", "criteria"} <= set(subject["achievement"])
    if credential["issuer"] == "did:example:college":
        return  # not this key's credential to sign
    issued = issue.issue_credential(credential, key)
    assert issued.document is not None
    verify_di(issued.document)
    assert schema_errors(ob3_validator, issued.document) == []


def test_the_schema_check_is_not_vacuous(ob3_validator: Any) -> None:
    broken = copy.deepcopy(ob3())
    del broken["credentialSubject"]["achievement"]["criteria"]
    broken["validFrom"] = "2025-03-03"
    errors = schema_errors(ob3_validator, broken)
    assert "credentialSubject/achievement: 'criteria' is a required property" in errors
    assert "validFrom: '2025-03-03' is not a 'date-time'" in errors


def test_status_entry_lands_in_credential_status() -> None:
    credential = ob3(status=issue.status_entry(LIST_URL, 12, "suspension"))
    assert credential["credentialStatus"] == {
        "id": f"{LIST_URL}#12",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension",
        "statusListIndex": "12",
        "statusListCredential": LIST_URL,
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"achievement": {"id": "urn:x", "name": "X", "criteria": "c"}},
            "achievement 'urn:x' is missing required member(s): 'description'",
        ),
        (
            {"subject_id": None, "identity_email": None, "identity_salt": None},
            "a credential subject needs a subject id or an identity",
        ),
        (
            {"valid_until": "2025-03-03T14:00:00Z"},
            "valid_until 2025-03-03T14:00:00Z is not after valid_from 2025-03-03T15:00:00Z",
        ),
        ({"valid_from": "2025-03-03"}, "valid_from '2025-03-03' is not a date-time"),
        ({"identity_email": None}, "identity_salt is given without identity_email"),
    ],
)
def test_builder_errors(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(IssueError) as caught:
        ob3(**overrides)
    assert caught.value.code == "invalid_argument"
    assert caught.value.message.startswith(message)


def _drop_issuance_date(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {
            k: (
                [r for r in v if r != "issuanceDate"]
                if k == "required" and isinstance(v, list)
                else _drop_issuance_date(v)
            )
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_drop_issuance_date(v) for v in schema]
    return schema


def test_clr_credential_verifies_and_matches_the_clr_schema(
    key: IssuerKey, clr_schema: dict[str, Any]
) -> None:
    members = [issue.issue_credential(ob3(key, number=n), key) for n in (1, 2)]
    cert = issue.achievement(
        id="https://college.example.edu/achievements/welding-certificate",
        name="Welding Technology Certificate",
        description="Three welding processes and inspection.",
        criteria="Pass every module.",
        achievement_type="Certificate",
    )
    members.append(issue.issue_credential(ob3(key, number=3, achievement=cert), key))
    clr = issue.clr_credential(
        issuer={"id": key.did, "name": "Example Valley College"},
        subject_id="did:example:learner-1",
        credentials=members,
        valid_from="2025-06-01T00:00:00Z",
        credential_id="urn:uuid:00000000-0000-4000-8000-00000000c1c1",
        identity_email="learner-1@example.org",
        identity_salt="salt-1",
        associations=[
            {
                "associationType": "isParentOf",
                "sourceId": cert["id"],
                "targetId": sample_achievement()["id"],
            }
        ],
    )
    assert clr["@context"][:3] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    subject = clr["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    # two members share an achievement: it is listed once
    assert [a["id"] for a in subject["achievement"]] == [sample_achievement()["id"], cert["id"]]
    assert subject["association"][0]["type"] == "Association"

    issued = issue.issue_credential(clr, key)
    assert issued.document is not None
    verify_di(issued.document)
    for member in issued.document["credentialSubject"]["verifiableCredential"]:
        verify_di(member)

    # The only CLR 2.0 schema available is a Draft-04 derivative written for VC 1.1: it
    # requires issuanceDate, which VC 2.0 (and its context) replaced with validFrom.
    # Everything else must pass, and issuanceDate must be the only complaint.
    unpatched = [
        (list(e.absolute_path), e.message)
        for e in Draft4Validator(clr_schema).iter_errors(issued.document)
    ]
    expected: list[tuple[list[Any], str]] = [([], "'issuanceDate' is a required property")] + [
        (["credentialSubject", "verifiableCredential", i], "'issuanceDate' is a required property")
        for i in range(3)
    ]
    assert sorted(unpatched, key=str) == sorted(expected, key=str)
    patched = Draft4Validator(_drop_issuance_date(clr_schema))
    assert schema_errors(patched, issued.document) == []


def test_clr_refuses_jwt_members_and_empty_lists(key: IssuerKey) -> None:
    token = issue.issue_credential(ob3(), key, proof="jwt")
    with pytest.raises(IssueError, match=r"credential 0 is a VC-JWT; CLR 2\.0 nests"):
        issue.clr_credential(
            issuer=key.did, subject_id="did:example:a", credentials=[token], valid_from=VALID_FROM
        )
    with pytest.raises(IssueError, match="non-empty sequence"):
        issue.clr_credential(
            issuer=key.did, subject_id="did:example:a", credentials=[], valid_from=VALID_FROM
        )
    with pytest.raises(IssueError, match="associationType must be one of"):
        issue.clr_credential(
            issuer=key.did,
            subject_id="did:example:a",
            credentials=[ob3()],
            valid_from=VALID_FROM,
            associations=[{"associationType": "isCousinOf", "sourceId": "a", "targetId": "b"}],
        )


# ------------------------------------------------------------------ status lists


def test_status_list_revoke_sets_the_bit_and_keeps_the_old_list(key: IssuerKey) -> None:
    original = issue.status_list_credential(key, url=LIST_URL, valid_from=VALID_FROM, revoked=[5])
    assert original.document is not None
    snapshot = copy.deepcopy(original.document)
    verify_di(original.document)
    assert original.document["issuer"] == key.did
    assert original.document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    entry = issue.status_entry(LIST_URL, 94567)
    assert check_status(entry, original.document, purpose="revocation").value is False
    assert check_status(issue.status_entry(LIST_URL, 5), original.document).value is True

    revoked = issue.revoke(original, 94567, key, valid_from="2025-04-01T00:00:00Z")
    assert revoked.document is not None
    verify_di(revoked.document)
    assert check_status(entry, revoked.document, purpose="revocation").value is True
    assert check_status(issue.status_entry(LIST_URL, 5), revoked.document).value is True
    assert check_status(issue.status_entry(LIST_URL, 94566), revoked.document).value is False
    assert revoked.document["validFrom"] == "2025-04-01T00:00:00Z"
    assert original.document == snapshot


def test_a_credential_and_its_list(key: IssuerKey) -> None:
    credential = issue.issue_credential(
        ob3(key, status=issue.status_entry(LIST_URL, 31)), key
    ).document
    assert credential is not None
    status_list = issue.status_list_credential(key, url=LIST_URL, valid_from=VALID_FROM)
    after = issue.revoke(status_list, 31, key)
    assert after.document is not None
    assert check_status(credential["credentialStatus"], after.document).value is True


def test_suspension_lists(key: IssuerKey) -> None:
    suspensions = issue.status_list_credential(
        key, url=LIST_URL, valid_from=VALID_FROM, purpose="suspension", proof="jwt"
    )
    entry = issue.status_entry(LIST_URL, 3, "suspension")
    suspended = issue.suspend(suspensions, 3, key)
    assert suspended.jwt is not None
    verify_token(suspended.jwt)
    assert check_status(entry, suspended.credential, purpose="suspension").value is True
    lifted = issue.unsuspend(suspended, 3, key)
    assert check_status(entry, lifted.credential, purpose="suspension").value is False
    with pytest.raises(IssueError) as caught:
        issue.revoke(suspensions, 3, key)
    assert caught.value.code == "status_purpose_mismatch"
    assert caught.value.message == (
        "cannot revoke on a list whose statusPurpose is 'suspension'; revoke needs a "
        "'revocation' list"
    )


def test_only_the_list_issuer_can_update_it(key: IssuerKey, other_key: IssuerKey) -> None:
    status_list = issue.status_list_credential(key, url=LIST_URL, valid_from=VALID_FROM)
    with pytest.raises(IssueError) as caught:
        issue.revoke(status_list, 1, other_key)
    assert caught.value.code == "issuer_mismatch"


@pytest.mark.parametrize(
    ("url", "index", "purpose"),
    [(LIST_URL, -1, "revocation"), (LIST_URL, 1, "refresh")],
)
def test_status_entry_errors(url: str, index: int, purpose: Any) -> None:
    with pytest.raises(IssueError) as caught:
        issue.status_entry(url, index, purpose)
    assert caught.value.code == "invalid_argument"


# ------------------------------------------------------------------ tampering


@pytest.fixture(scope="module")
def signed_docs(key: IssuerKey, p256: IssuerKey) -> dict[str, dict[str, Any]]:
    docs = {}
    for suite, signer in (
        ("eddsa-rdfc-2022", key),
        ("Ed25519Signature2020", key),
        ("ecdsa-rdfc-2019", p256),
    ):
        issued = issue.issue_credential(ob3(signer), signer, proof=suite)  # type: ignore[arg-type]
        assert issued.document is not None
        verify_di(issued.document)
        docs[suite] = issued.document
    return docs


TAMPERS: dict[str, Any] = {
    "tamper_field": lambda d, k: issue.tamper_field(
        d, "/credentialSubject/achievement/name", "Welding Master"
    ),
    "tamper_alignment": lambda d, k: issue.tamper_field(
        d, "/credentialSubject/achievement/alignment/0/targetCode", "29-1141.00"
    ),
    "tamper_add": lambda d, k: issue.tamper_field(
        d, "/credentialSubject/achievement/creditsAvailable", 60, add=True
    ),
    "remove_field": lambda d, k: issue.remove_field(d, "/validUntil"),
    "remove_identifier": lambda d, k: issue.remove_field(d, "/credentialSubject/identifier/0"),
    "backdate_from": lambda d, k: issue.backdate(d, valid_from="2019-01-01T00:00:00Z"),
    "backdate_until": lambda d, k: issue.backdate(d, valid_until=datetime(2035, 1, 1, tzinfo=UTC)),
    "swap_key": lambda d, k: issue.swap_key(d, k),
    "flip_bit_0": lambda d, k: issue.flip_signature_bit(d),
    "flip_bit_300": lambda d, k: issue.flip_signature_bit(d, 300),
    "flip_last_bit": lambda d, k: issue.flip_signature_bit(d, 511),
}


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "Ed25519Signature2020", "ecdsa-rdfc-2019"])
@pytest.mark.parametrize("name", list(TAMPERS))
def test_every_tampered_document_fails_verification(
    name: str,
    suite: str,
    signed_docs: dict[str, dict[str, Any]],
    key: IssuerKey,
    p256: IssuerKey,
) -> None:
    document = signed_docs[suite]
    snapshot = copy.deepcopy(document)
    wrong = issue.generate_key(seed=bytes([3]) * 32) if suite != "ecdsa-rdfc-2019" else None
    wrong = wrong or issue.generate_key("P-256")
    tampered = TAMPERS[name](document, wrong)
    assert tampered != document
    assert document == snapshot  # the input is never modified
    with pytest.raises(ProofError) as caught:
        verify_di(tampered)
    assert caught.value.code == "invalid_signature"


def test_swap_key_keeps_the_named_key_and_is_signed_by_the_other(
    signed_docs: dict[str, dict[str, Any]], other_key: IssuerKey
) -> None:
    document = signed_docs["eddsa-rdfc-2022"]
    forged = issue.swap_key(document, other_key)
    proof = first_proof(forged)
    assert proof["verificationMethod"] == first_proof(document)["verificationMethod"]
    assert proof["created"] == first_proof(document)["created"]
    assert proof["proofValue"] != first_proof(document)["proofValue"]
    # the signature is a real one, by the other key
    verify_proof(forged, proof, other_key.public_key)


def test_resign_as_is_valid_but_from_another_issuer(
    signed_docs: dict[str, dict[str, Any]], key: IssuerKey, other_key: IssuerKey
) -> None:
    document = signed_docs["eddsa-rdfc-2022"]
    copycat = issue.resign_as(document, other_key)
    verify_di(copycat)
    assert copycat["issuer"]["id"] == other_key.did != key.did
    assert copycat["issuer"]["name"] == document["issuer"]["name"]
    method = resolve_verification_method(first_proof(copycat)["verificationMethod"])
    assert controller_matches_issuer(method, copycat["issuer"])
    assert not controller_matches_issuer(method, document["issuer"])
    assert copycat["credentialSubject"] == document["credentialSubject"]


def test_resign_as_with_another_suite(
    signed_docs: dict[str, dict[str, Any]], p256: IssuerKey
) -> None:
    with pytest.raises(IssueError) as caught:
        issue.resign_as(signed_docs["eddsa-rdfc-2022"], p256)
    assert caught.value.code == "key_type_mismatch"
    copycat = issue.resign_as(signed_docs["eddsa-rdfc-2022"], p256, suite="ecdsa-rdfc-2019")
    assert verify_di(copycat).suite == "ecdsa-rdfc-2019"


def test_expired_credential_is_genuine_and_expired(
    signed_docs: dict[str, dict[str, Any]], key: IssuerKey
) -> None:
    document = signed_docs["eddsa-rdfc-2022"]
    old = issue.expired_credential(document, key, valid_until="2025-06-30T23:59:59Z")
    assert old.document is not None
    verify_di(old.document)
    assert old.document["validUntil"] == "2025-06-30T23:59:59Z"
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert datetime.fromisoformat(old.document["validUntil"]) < now
    with pytest.raises(IssueError, match="is not after validFrom"):
        issue.expired_credential(document, key, valid_until="2025-01-01T00:00:00Z")
    again = issue.expired_credential(
        old, key, valid_from="2020-01-01T00:00:00Z", valid_until="2021-01-01T00:00:00Z"
    )
    assert again.document is not None
    verify_di(again.document)


def test_backdate_edits_vc11_names() -> None:
    vc11 = {"issuanceDate": "2025-01-01T00:00:00Z", "expirationDate": "2026-01-01T00:00:00Z"}
    assert issue.backdate(vc11, valid_from="2019-01-01T00:00:00Z", valid_until=VALID_FROM) == {
        "issuanceDate": "2019-01-01T00:00:00Z",
        "expirationDate": VALID_FROM,
    }
    with pytest.raises(IssueError, match="give valid_from, valid_until or both"):
        issue.backdate(vc11)


@pytest.mark.parametrize(
    ("pointer", "value", "add", "expected"),
    [
        ("/a~1b", 1, False, {"a/b": 1, "m~n": [1, 2], "o": {"p": None}}),
        ("/m~0n/1", 9, False, {"a/b": 0, "m~n": [1, 9], "o": {"p": None}}),
        ("/m~0n/0", 9, True, {"a/b": 0, "m~n": [9, 1, 2], "o": {"p": None}}),
        ("/m~0n/-", 9, True, {"a/b": 0, "m~n": [1, 2, 9], "o": {"p": None}}),
        ("/o/p", {"q": 1}, False, {"a/b": 0, "m~n": [1, 2], "o": {"p": {"q": 1}}}),
        ("/o/new", "x", True, {"a/b": 0, "m~n": [1, 2], "o": {"p": None, "new": "x"}}),
    ],
)
def test_json_pointer_follows_rfc_6901(pointer: str, value: Any, add: bool, expected: Any) -> None:
    document = {"a/b": 0, "m~n": [1, 2], "o": {"p": None}}
    assert issue.tamper_field(document, pointer, value, add=add) == expected
    assert document == {"a/b": 0, "m~n": [1, 2], "o": {"p": None}}


@pytest.mark.parametrize(
    ("pointer", "message"),
    [
        ("a", "JSON Pointer 'a' must start with '/'"),
        ("", "JSON Pointer '' must start with '/'"),
        ("/a~2", "JSON Pointer '/a~2' has a '~' not followed by 0 or 1"),
        (
            "/missing",
            "JSON Pointer '/missing' does not exist: no member 'missing' (pass add=True to "
            "create it) at /",
        ),
        ("/o/x/y", "JSON Pointer '/o/x/y' does not exist: no member 'x' at /o"),
        ("/m~0n/2", "JSON Pointer '/m~0n/2' does not exist: no array index 2 (length 2) at /m~0n"),
        ("/m~0n/01", "JSON Pointer '/m~0n/01' does not exist: '01' is not an array index at /m~0n"),
        ("/a~1b/c", "JSON Pointer '/a~1b/c' does not exist: int value has no members at /a~1b"),
    ],
)
def test_json_pointer_errors(pointer: str, message: str) -> None:
    document = {"a/b": 0, "m~n": [1, 2], "o": {"p": None}}
    with pytest.raises(IssueError) as caught:
        issue.tamper_field(document, pointer, 1)
    assert caught.value.code == "invalid_pointer"
    assert caught.value.message.startswith(message)


def test_remove_field_needs_an_existing_member() -> None:
    assert issue.remove_field({"a": [1, 2]}, "/a/0") == {"a": [2]}
    with pytest.raises(IssueError, match=r"no member 'b' at /$"):
        issue.remove_field({"a": 1}, "/b")
    with pytest.raises(IssueError, match="no array index 2"):
        issue.remove_field({"a": [1, 2]}, "/a/2")


@pytest.fixture(scope="module")
def tokens(key: IssuerKey, p256: IssuerKey) -> dict[str, str]:
    made = {}
    for form in ("ob3", "vc-jose", "vc-claim"):
        for signer in (key, p256):
            token = issue.issue_credential(
                ob3(),
                signer,
                proof="jwt",
                jwt_form=form,
            ).jwt
            assert token is not None
            verify_token(token)
            made[f"{form}-{signer.kind}"] = token
    return made


@pytest.mark.parametrize(
    "name",
    [
        "ob3-Ed25519",
        "ob3-P-256",
        "vc-jose-Ed25519",
        "vc-jose-P-256",
        "vc-claim-Ed25519",
        "vc-claim-P-256",
    ],
)
def test_tampered_tokens_fail(name: str, tokens: dict[str, str]) -> None:
    token = tokens[name]
    inner = "/vc" if name.startswith("vc-claim") else ""
    edited = issue.tamper_jwt_payload(token, f"{inner}/credentialSubject/id", "did:example:mallory")
    assert split_compact(edited).payload_json is not None
    assert edited.split(".")[0] == token.split(".")[0]
    assert edited.split(".")[2] == token.split(".")[2]
    for bad in (edited, issue.flip_signature_bit(token), issue.flip_signature_bit(token, 100)):
        with pytest.raises(ProofError) as caught:
            verify_token(bad)
        assert caught.value.code == "invalid_signature"


def test_exp_can_be_extended_but_not_silently(tokens: dict[str, str]) -> None:
    token = tokens["vc-claim-Ed25519"]
    extended = issue.tamper_jwt_payload(token, "/exp", 4102444800)
    assert split_compact(extended).payload_json["exp"] == 4102444800  # type: ignore[index]
    with pytest.raises(ProofError, match="does not verify"):
        verify_token(extended)


def test_alg_none_and_hs256_confusion_are_refused(tokens: dict[str, str], key: IssuerKey) -> None:
    token = tokens["vc-jose-Ed25519"]
    unsigned = issue.jwt_with_alg(token, "none")
    assert unsigned.endswith(".")
    assert split_compact(unsigned).header == {**split_compact(token).header, "alg": "none"}
    public_bytes = key.public_key.public_bytes_raw()  # type: ignore[union-attr]
    confused = issue.jwt_with_alg(token, "HS256", public_bytes)
    header_b64, payload_b64, signature_b64 = confused.split(".")
    # a real HMAC over the token, keyed with the issuer's public key: the actual attack
    expected = hmac.new(
        public_bytes, f"{header_b64}.{payload_b64}".encode(), hashlib.sha256
    ).digest()
    assert b64url_decode(signature_b64) == expected
    assert payload_b64 == token.split(".")[1]
    for forged in (unsigned, confused):
        with pytest.raises(ProofError) as caught:
            verify_token(forged)
        assert caught.value.code == "alg_not_allowed"


@pytest.mark.parametrize(
    ("alg", "hmac_key", "message"),
    [
        ("HS256", None, "HS256 needs hmac_key"),
        ("none", b"k", "alg 'none' takes no hmac_key"),
        ("RS256", None, "alg must be 'none' or 'HS256', got 'RS256'"),
    ],
)
def test_jwt_with_alg_arguments(
    alg: Any, hmac_key: bytes | None, message: str, tokens: dict[str, str]
) -> None:
    with pytest.raises(IssueError, match=re.escape(message)):
        issue.jwt_with_alg(tokens["vc-jose-Ed25519"], alg, hmac_key)


def test_flip_signature_bit_bounds(
    signed_docs: dict[str, dict[str, Any]], tokens: dict[str, str]
) -> None:
    with pytest.raises(IssueError, match="bit must be 0 to 511 for a 64-byte signature, got 512"):
        issue.flip_signature_bit(signed_docs["eddsa-rdfc-2022"], 512)
    with pytest.raises(IssueError, match="got -1"):
        issue.flip_signature_bit(tokens["vc-jose-Ed25519"], -1)
    with pytest.raises(IssueError, match="no signature to damage"):
        issue.flip_signature_bit(issue.jwt_with_alg(tokens["vc-jose-Ed25519"], "none"))
    with pytest.raises(IssueError, match="no base58btc proofValue"):
        issue.flip_signature_bit({"proof": {}})
    # flipping twice restores the original
    once = issue.flip_signature_bit(tokens["vc-claim-P-256"], 17)
    assert issue.flip_signature_bit(once, 17) == tokens["vc-claim-P-256"]


# ------------------------------------------------------------------ baking


@pytest.mark.parametrize("image_format", ["png", "svg"])
@pytest.mark.parametrize("proof", ["eddsa-rdfc-2022", "jwt"])
def test_baked_badges_are_read_back_and_still_verify(
    tmp_path: Path, key: IssuerKey, image_format: Any, proof: Any
) -> None:
    issued = issue.issue_credential(ob3(key), key, proof=proof)
    baked = issue.bake(issued, format=image_format)
    path = tmp_path / f"badge.{image_format}"
    path.write_bytes(baked)
    found = lerkit.read(tmp_path)
    assert found.problems == ()
    [credential] = found.credentials
    assert credential.id == ob3()["id"]
    assert credential.envelope.value == image_format
    text = extract_png(baked) if image_format == "png" else extract_svg(baked)
    assert text is not None
    if issued.jwt is not None:
        assert text == issued.jwt
        verify_token(text)
    else:
        assert json.loads(text) == issued.document
        verify_di(json.loads(text))


def test_bake_into_a_given_image(key: IssuerKey) -> None:
    issued = issue.issue_credential(ob3(key), key)
    image = minimal_png(3, 2, (1, 2, 3))
    baked = issue.bake(issued, image)
    assert baked[:33] == image[:33]  # signature and IHDR (3 x 2) kept
    assert extract_png(baked) is not None
    with pytest.raises(IssueError, match="format must be 'png' or 'svg'"):
        issue.bake(issued, format="gif")  # type: ignore[arg-type]


# ------------------------------------------------------------------ demo data


def test_demo_credentials_are_deterministic(key: IssuerKey) -> None:
    first = [c.serialize() for c in issue.demo_credentials(6, key, seed=11)]
    assert first == [c.serialize() for c in issue.demo_credentials(6, key, seed=11)]
    assert first != [c.serialize() for c in issue.demo_credentials(6, key, seed=12)]
    tokens = [c.serialize() for c in issue.demo_credentials(3, key, seed=11, proof="jwt")]
    assert tokens == [c.serialize() for c in issue.demo_credentials(3, key, seed=11, proof="jwt")]


ONET_SOC = re.compile(r"[0-9]{2}-[0-9]{4}\.[0-9]{2}")
ONET_SKILL = re.compile(r"2\.[AB]\.[0-9]\.[a-z]")


def test_demo_credentials_are_valid_varied_and_synthetic(
    key: IssuerKey, ob3_validator: Any
) -> None:
    issued = issue.demo_credentials(24, key, seed=5, status_list_url=LIST_URL)
    documents = [c.document for c in issued]
    types, learners, indices, days = set(), set(), set(), set()
    for document in documents:
        assert document is not None
        verify_di(document)
        assert schema_errors(ob3_validator, document) == []
        assert first_proof(document)["created"] == document["validFrom"]
        subject = document["credentialSubject"]
        achievement = subject["achievement"]
        types.add(achievement["achievementType"])
        learners.add(subject["id"])
        days.add(document["validFrom"][:10])
        indices.add(document["credentialStatus"]["statusListIndex"])
        occupations = [a for a in achievement["alignment"] if a["targetFramework"] == "O*NET-SOC"]
        skills = [a for a in achievement["alignment"] if a["targetFramework"] != "O*NET-SOC"]
        assert occupations
        assert skills
        for alignment in occupations:
            assert ONET_SOC.fullmatch(alignment["targetCode"])
            assert alignment["targetUrl"].endswith(alignment["targetCode"])
        for alignment in skills:
            assert ONET_SKILL.fullmatch(alignment["targetCode"])
        [identity] = subject["identifier"]
        assert identity["hashed"] is True
        assert identity["identityHash"].startswith("sha256$")
        text = json.dumps(document)
        # the only plaintext address is the (invented) issuer's
        assert re.findall(r"[\w.+-]+@[\w.-]+", text) == ["credentials@training.example.org"]
        if achievement["achievementType"] == "Certification":
            assert "validUntil" in document
    assert {"Certificate", "Badge", "Course", "CertificateOfCompletion"} <= types
    assert len(types) >= 5
    assert 8 <= len(learners) < 24  # some learners earn more than one credential
    assert len(indices) == 24  # every credential has its own status entry
    assert len(days) > 12


def test_the_real_occupation_titles_are_used(key: IssuerKey) -> None:
    known = {
        "15-1232.00": "Computer User Support Specialists",
        "31-1131.00": "Nursing Assistants",
        "47-2111.00": "Electricians",
        "51-4121.00": "Welders, Cutters, Solderers, and Brazers",
        "53-7051.00": "Industrial Truck and Tractor Operators",
    }
    seen = {}
    for credential in issue.demo_credentials(40, key, seed=1):
        for alignment in credential.credential["credentialSubject"]["achievement"]["alignment"]:
            if alignment["targetFramework"] == "O*NET-SOC":
                seen[alignment["targetCode"]] = alignment["targetName"]
    assert len(set(seen) & set(known)) >= 3
    for code, title in seen.items():
        assert known.get(code, title) == title


@pytest.mark.parametrize("n", [0, -3, True])
def test_demo_credentials_needs_a_positive_count(key: IssuerKey, n: Any) -> None:
    with pytest.raises(IssueError, match="n must be a positive integer"):
        issue.demo_credentials(n, key)


def test_demo_credentials_with_each_proof(key: IssuerKey, p256: IssuerKey) -> None:
    for signer, proof in ((p256, "ecdsa-rdfc-2019"), (key, "Ed25519Signature2020")):
        [credential] = issue.demo_credentials(1, signer, proof=proof)  # type: ignore[arg-type]
        assert credential.document is not None
        assert verify_di(credential.document).suite == proof
    for signer in (key, p256):
        for form in ("ob3", "vc-jose", "vc-claim"):
            [token] = issue.demo_credentials(1, signer, proof="jwt", jwt_form=form)
            assert token.jwt is not None
            verify_token(token.jwt)
        [default] = issue.demo_credentials(1, signer, proof="jwt")
        assert default.jwt_form == "ob3"
    with pytest.raises(IssueError) as caught:
        issue.demo_credentials(1, p256)
    assert caught.value.code == "key_type_mismatch"


def test_demo_valid_from_moves_the_dates(key: IssuerKey) -> None:
    start = datetime(2030, 1, 1, tzinfo=UTC)
    for credential in issue.demo_credentials(5, key, valid_from=start):
        moment = datetime.fromisoformat(credential.credential["validFrom"])
        assert start <= moment < start + timedelta(days=541)


@pytest.mark.parametrize("form", ["ob3", "vc-jose", "vc-claim"])
def test_expired_credential_keeps_the_jwt_form(form: str) -> None:
    key = issue.generate_key(seed=bytes(32))
    [made] = issue.demo_credentials(1, key, proof="jwt", jwt_form=form)
    old = issue.expired_credential(made, key, valid_until="2025-12-31T23:59:59Z", proof="jwt")
    assert old.jwt_form == form
    report = lerkit.verify(old.jwt, now=datetime(2026, 6, 1, tzinfo=UTC))
    assert report.check("signature").status == "passed", str(report)
    assert report.check("not_expired").status == "failed", str(report)
    assert report.status == "warning"


def test_expired_credential_uses_vc11_member_names() -> None:
    key = issue.generate_key(seed=bytes(32))
    vc11 = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "issuer": key.did,
        "issuanceDate": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner"},
    }
    old = issue.expired_credential(vc11, key, valid_until="2025-12-31T23:59:59Z")
    assert old.document is not None
    assert old.document["expirationDate"] == "2025-12-31T23:59:59Z"
    assert "validUntil" not in old.document
    report = lerkit.verify(old.document, now=datetime(2026, 6, 1, tzinfo=UTC))
    assert report.check("not_expired").status == "failed", str(report)
    assert report.status == "warning", str(report)
