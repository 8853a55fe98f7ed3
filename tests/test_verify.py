"""lerkit.verify: the pipeline's named checks and verdicts, on credentials signed here and
on 1EdTech's validator examples."""

from __future__ import annotations

import copy
import json
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import lerkit as lk
from lerkit.dids import did_key_from_key
from lerkit.proofs import sign
from lerkit.proofs._jose import sign_jws
from lerkit.status import StatusList, bitstring_status_list_credential, status_list_entry
from lerkit.verify import CHECK_NAMES, Check, TrustList, Verifier, VerifyOptions, overall_status

STANDARDS = Path(__file__).resolve().parents[2] / "shared" / "standards"
OB30 = (
    STANDARDS / "examples/digital-credentials-public-validator/inspector-vc/src/test/resources/ob30"
)
NOW = datetime(2026, 6, 1, tzinfo=UTC)
CREATED = "2025-01-01T00:00:00Z"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
VC2 = "https://www.w3.org/ns/credentials/v2"


def _key(n: int) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes([n]) * 32)


def _did(key: Any) -> str:
    return did_key_from_key(key.public_key())


def _vm(key: Any) -> str:
    did = _did(key)
    return f"{did}#{did.removeprefix('did:key:')}"


def _credential(issuer: str, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [VC2, OB_CONTEXT],
        "id": "urn:uuid:6a0ea0a5-3b34-4f86-8a0c-1f4f6b0f6c11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example Community College"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Welding Fundamentals",
        "credentialSubject": {
            "id": "did:example:learner-1",
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
    doc.update(extra)
    return doc


def _signed(key: Any = None, suite: str = "eddsa-rdfc-2022", **extra: Any) -> dict[str, Any]:
    key = key or _key(1)
    signed, _ = sign(_credential(_did(key), **extra), suite, key, _vm(key), created=CREATED)
    return signed


def _verify(credential: Any, **settings: Any) -> lk.VerificationReport:
    settings.setdefault("now", NOW)
    return lk.verify(credential, **settings)


def _failed(report: lk.VerificationReport) -> set[str]:
    return {c.name for c in report.checks if c.status == "failed"}


# -- verdicts --------------------------------------------------------------------------


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020"])
def test_signed_credential_is_verified(suite: str) -> None:
    report = _verify(_signed(suite=suite))
    assert report.status == "verified", str(report)
    assert report.check("signature").status == "passed"
    assert report.check("schema").status == "passed"
    assert report.verification_methods == (_vm(_key(1)),)
    assert [c.name for c in report.checks] == list(CHECK_NAMES)


def test_ecdsa_p256_credential_is_verified() -> None:
    key = ec.derive_private_key(12345, ec.SECP256R1())
    report = _verify(_signed(key, suite="ecdsa-rdfc-2019"))
    assert report.status == "verified", str(report)
    assert report.proof_types == ("ecdsa-rdfc-2019",)


def test_tampered_field_fails_the_signature_check() -> None:
    doc = _signed()
    doc["credentialSubject"]["achievement"]["name"] = "Master Welder"
    report = _verify(doc)
    assert report.status == "not_verified"
    assert _failed(report) == {"signature"}
    assert report.check("signature").code == "invalid_signature"


def test_key_of_another_did_is_not_bound_to_the_issuer() -> None:
    doc = _credential(_did(_key(1)))
    signed, _ = sign(doc, "eddsa-rdfc-2022", _key(2), _vm(_key(2)), created=CREATED)
    report = _verify(signed)
    assert report.status == "not_verified"
    assert report.check("verification_method").code == "issuer_mismatch"


def test_missing_proof_and_unsupported_proof_type() -> None:
    assert _verify(_credential(_did(_key(1)))).check("proof_present").code == "missing_proof"
    doc = _signed()
    doc["proof"]["cryptosuite"] = "bbs-2023"
    report = _verify(doc)
    assert report.status == "not_verified"
    assert report.check("proof_type_supported").status == "failed"


def test_extra_unsupported_proof_is_a_warning_but_the_supported_one_must_hold() -> None:
    doc = _signed()
    doc["proof"] = [doc["proof"], {"type": "SomeProofType", "proofValue": "x"}]
    report = _verify(doc)
    assert report.status == "warning"
    assert report.check("proof_type_supported").status == "warning"
    doc["name"] = "changed"
    assert _verify(doc).status == "not_verified"


def test_wrong_proof_purpose_is_refused() -> None:
    key = _key(1)
    signed, _ = sign(
        _credential(_did(key)),
        "eddsa-rdfc-2022",
        key,
        _vm(key),
        created=CREATED,
        proof_purpose="authentication",
    )
    report = _verify(signed)
    assert report.check("verification_method").code == "wrong_proof_purpose"
    assert report.status == "not_verified"


def test_expired_and_not_yet_valid_are_warnings() -> None:
    expired = _verify(_signed(validUntil="2026-01-01T00:00:00Z"))
    assert expired.status == "warning"
    assert expired.check("not_expired").code == "expired"
    assert expired.authentic
    assert not expired.verified
    future = _verify(_signed(validFrom="2027-01-01T00:00:00Z"))
    assert future.status == "warning"
    assert future.check("not_before").code == "not_yet_valid"


def test_trust_list() -> None:
    doc = _signed()
    known = TrustList.of([_did(_key(1))], name="pilot registry")
    assert _verify(doc, trust=known).check("issuer_known").status == "passed"
    stranger = _verify(doc, trust=TrustList.of(["did:web:other.example"]))
    assert stranger.status == "warning"
    assert stranger.check("issuer_known").code == "unknown_issuer"


def test_load_trust_list_shapes(tmp_path: Path) -> None:
    did = _did(_key(1))
    (tmp_path / "a.yaml").write_text(f"name: Pilot\nissuers:\n  - id: {did}\n    name: CC\n")
    (tmp_path / "b.json").write_text(json.dumps({"registry": {did: {"name": "CC"}}}))
    (tmp_path / "c.json").write_text(json.dumps([did]))
    for name in ("a.yaml", "b.json", "c.json"):
        trust = lk.load_trust_list(tmp_path / name)
        assert trust.get(did) is not None
        assert trust.get("did:web:nobody") is None
    (tmp_path / "bad.json").write_text(json.dumps({"issuers": [{"name": "no id"}]}))
    with pytest.raises(lk.VerificationError, match="entry 0"):
        lk.load_trust_list(tmp_path / "bad.json")


def test_overall_status_rules() -> None:
    ok = Check("signature", "passed", "")
    assert overall_status([ok]) == "verified"
    assert overall_status([ok, Check("status", "indeterminate", "")]) == "indeterminate"
    assert overall_status([ok, Check("issuer_known", "failed", "")]) == "warning"
    assert overall_status([Check("status", "failed", ""), Check("x", "indeterminate", "")]) == (
        "not_verified"
    )


@pytest.mark.parametrize("stamp", ["2025-02-30T00:00:00Z", "2025-02-03 10:00", "yesterday"])
def test_schema_checks_date_time_formats(stamp: str) -> None:
    # jsonschema checks "format": "date-time" only with rfc3339-validator installed
    report = _verify(_signed(awardedDate=stamp))
    assert report.status == "not_verified"
    schema = report.check("schema")
    assert schema.status == "failed"
    assert f"/awardedDate: '{stamp}' is not a 'date-time'" in schema.detail
    assert report.check("signature").status == "passed"  # signed as it is: only the schema fails


def test_schema_accepts_a_valid_date_time() -> None:
    report = _verify(_signed(awardedDate="2025-02-28T10:00:00.5+02:00"))
    assert report.check("schema").status == "passed", str(report)


def test_reordered_contexts_are_refused_although_the_signature_holds() -> None:
    # RDFC signs the RDF dataset, which swapping the @context entries leaves unchanged
    signed = _signed()
    signed["@context"] = [OB_CONTEXT, VC2]
    report = _verify(signed)
    assert report.status == "not_verified"
    parsed = report.check("parsed")
    assert parsed.status == "failed"
    assert "the first @context must be https://www.w3.org/ns/credentials/v2" in parsed.detail


def test_vc11_credential_needs_an_issuance_date() -> None:
    signed = _signed(suite="Ed25519Signature2020")
    signed["@context"] = ["https://www.w3.org/2018/credentials/v1", *signed["@context"][1:]]
    report = _verify(signed)
    assert report.status == "not_verified"
    assert report.check("parsed").detail == "a VC 1.1 credential must have an issuanceDate"


# -- contexts: no network --------------------------------------------------------------


def test_unknown_context_fails_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    doc = _signed()
    doc["@context"] = [*doc["@context"], "https://contexts.example/unknown/v1"]
    report = _verify(doc)
    assert report.status == "not_verified"
    assert report.check("contexts_known").code == "unknown_context"
    assert "https://contexts.example/unknown/v1" in report.check("contexts_known").detail


# -- JWTs ------------------------------------------------------------------------------


def _jwt(key: Any, *, form: str = "vc-jose", **claims: Any) -> str:
    credential = _credential(_did(key))
    if form == "vc-jose":
        payload: dict[str, Any] = {**credential, **claims}
        return sign_jws(payload, key, kid=_vm(key), typ="vc+jwt")
    payload = {"iss": _did(key), "nbf": 1735689600, "jti": credential["id"], "vc": credential}
    payload.update(claims)
    return sign_jws(payload, key, kid=_vm(key), typ="JWT")


@pytest.mark.parametrize("form", ["vc-jose", "vc-claim"])
@pytest.mark.parametrize("curve", ["Ed25519", "P-256"])
def test_jwt_both_shapes_verify(form: str, curve: str) -> None:
    key = _key(3) if curve == "Ed25519" else ec.derive_private_key(777, ec.SECP256R1())
    report = _verify(_jwt(key, form=form))
    assert report.status == "verified", str(report)
    assert report.securing == ("vc-jose-cose" if form == "vc-jose" else "vc-jwt")
    assert report.proof_types == ("EdDSA" if curve == "Ed25519" else "ES256",)


def test_jwt_exp_claim_expires() -> None:
    report = _verify(_jwt(_key(3), form="vc-claim", exp=1767225600))  # 2026-01-01
    assert report.status == "warning"
    assert "JWT exp" in report.check("not_expired").detail


def _b64(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_jwt_alg_none_and_hmac_key_confusion_are_refused() -> None:
    import hashlib
    import hmac

    key = _key(3)
    token = _jwt(key)
    _, payload, _ = token.split(".")
    none = _b64(json.dumps({"alg": "none", "kid": _vm(key)}).encode()) + "." + payload + "."
    assert _verify(none).status == "not_verified"
    header = _b64(json.dumps({"alg": "HS256", "kid": _vm(key)}).encode())
    public = key.public_key().public_bytes_raw()
    mac = hmac.new(public, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    report = _verify(f"{header}.{payload}.{_b64(mac)}")
    assert report.status == "not_verified"
    assert report.check("proof_type_supported").code == "alg_not_allowed"


def test_jwt_iss_must_be_the_issuer() -> None:
    key = _key(3)
    report = _verify(_jwt(key, form="vc-claim", iss=_did(_key(4))))
    assert report.check("verification_method").code == "issuer_mismatch"


def test_jwt_tampered_payload() -> None:
    token = _jwt(_key(3))
    header, payload, signature = token.split(".")
    import base64

    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["name"] = "Forged"
    forged = ".".join([header, _b64(json.dumps(claims).encode()), signature])
    report = _verify(forged)
    assert report.status == "not_verified"
    assert report.check("signature").code == "invalid_signature"


# -- status lists ----------------------------------------------------------------------

LIST_URL = "https://college.example/status/1"


def _status_folder(tmp_path: Path, *, revoked: tuple[int, ...] = (), signer: Any = None) -> Path:
    issuer_key = _key(1)
    signer = signer or issuer_key
    bits = StatusList()
    for index in revoked:
        bits.set(index, True)
    unsigned = bitstring_status_list_credential(
        bits, id=LIST_URL, issuer=_did(signer), valid_from="2025-01-01T00:00:00Z"
    )
    signed, _ = sign(unsigned, "eddsa-rdfc-2022", signer, _vm(signer), created=CREATED)
    folder = tmp_path / "lists"
    target = folder / "college.example" / "status" / "1.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(signed))
    return folder


def _with_status(index: int) -> dict[str, Any]:
    return _signed(credentialStatus=status_list_entry(LIST_URL, index, purpose="revocation"))


def test_status_not_revoked_revoked_and_unavailable(tmp_path: Path) -> None:
    folder = _status_folder(tmp_path, revoked=(7,))
    fine = _verify(_with_status(3), status_lists=folder)
    assert fine.status == "verified", str(fine)
    revoked = _verify(_with_status(7), status_lists=folder)
    assert revoked.status == "not_verified"
    assert revoked.check("status").code == "revoked"
    unknown = _verify(_with_status(3))
    assert unknown.status == "indeterminate"
    assert unknown.check("status").status == "indeterminate"


def test_status_list_from_another_issuer_is_not_trusted(tmp_path: Path) -> None:
    folder = _status_folder(tmp_path, signer=_key(9))
    report = _verify(_with_status(3), status_lists=folder)
    assert report.status == "indeterminate"
    assert report.check("status").code == "status_issuer_mismatch"


def test_tampered_status_list_is_not_trusted(tmp_path: Path) -> None:
    folder = _status_folder(tmp_path, revoked=(7,))
    path = folder / "college.example" / "status" / "1.json"
    doc = json.loads(path.read_text())
    fresh = bitstring_status_list_credential(
        StatusList(), id=LIST_URL, issuer=doc["issuer"], valid_from="2025-01-01T00:00:00Z"
    )
    # un-revoke entry 7 by swapping in an empty list under the old signature
    doc["credentialSubject"]["encodedList"] = fresh["credentialSubject"]["encodedList"]
    path.write_text(json.dumps(doc))
    report = _verify(_with_status(7), status_lists=folder)
    assert report.status == "indeterminate"
    assert report.check("status").code == "status_list_unverified"


# -- CLR nesting -----------------------------------------------------------------------


def test_clr_nested_credentials_are_verified_in_turn() -> None:
    key = _key(1)
    inner = _signed(key)
    broken = copy.deepcopy(inner)
    broken["name"] = "Altered"
    clr: dict[str, Any] = {
        "@context": [
            VC2,
            "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
            OB_CONTEXT,
        ],
        "id": "urn:uuid:2f1d8c7e-8b8e-4a55-9a4f-2b8f55a2b6c1",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": _did(key), "type": ["Profile"], "name": "Example Community College"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Transcript",
        "credentialSubject": {"id": "did:example:learner-1", "type": ["ClrSubject"]},
    }
    good_clr = copy.deepcopy(clr)
    good_clr["credentialSubject"]["verifiableCredential"] = [inner]
    signed, _ = sign(good_clr, "eddsa-rdfc-2022", key, _vm(key), created=CREATED)
    report = _verify(signed)
    assert report.check("nested_credentials").status == "passed", str(report)
    assert [r.status for r in report.nested] == ["verified"]

    bad_clr = copy.deepcopy(clr)
    bad_clr["credentialSubject"]["verifiableCredential"] = [inner, broken]
    signed, _ = sign(bad_clr, "eddsa-rdfc-2022", key, _vm(key), created=CREATED)
    report = _verify(signed)
    assert report.check("signature").status == "passed"
    assert report.status == "not_verified"
    assert report.check("nested_credentials").code == "nested_not_verified"
    assert [r.status for r in report.nested] == ["verified", "not_verified"]


# -- inputs ----------------------------------------------------------------------------


def test_inputs_in_every_shape_give_the_same_verdict(tmp_path: Path) -> None:
    doc = _signed()
    text = json.dumps(doc)
    record = lk.read_unverified(doc)
    for item in (doc, text, text.encode(), record):
        assert _verify(item).status == "verified"
    for bad in ("not a credential", b"\xff\xfe", 42, "{broken json"):
        report = _verify(bad)
        assert report.status == "not_verified"
        assert report.check("parsed").status == "failed"
        assert report.check("signature").detail.startswith("not attempted")


def test_unknown_setting_is_a_clear_error() -> None:
    with pytest.raises(lk.VerificationError, match="unknown verification setting"):
        lk.verify({}, trusted=True)


# -- 1EdTech validator examples --------------------------------------------------------

# file -> (check that must fail, or None for an authentic credential)
EXPECTED = {
    "simple.json": None,
    "simple-context-alias.json": None,
    "simple-context-version.json": None,
    "simple-eddsa-2022.json": None,
    "simple_v1.json": None,
    "simple-err-proof-value.json": "signature",
    "simple-err-expired.json": "not_expired",
    "simple-noproof.json": "proof_present",
    "simple-err-issuer.json": "parsed",
    "simple-err-credential-subject-type.json": "schema",
    "simple-err-credential-subject-identifier-type.json": "schema",
    "simple-err-evidence-type.json": "schema",
    "simple-err-issuer-type.json": "schema",
    "simple-err-proof-method-unknown-did-method.json": "verification_method",
    "simple-err-proof-method-unknown-scheme.json": "verification_method",
    "simple-err-proof-method-no-scheme.json": "verification_method",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_1edtech_validator_examples(name: str) -> None:
    # The examples name keys by HTTPS URL with the key in the fragment; the 1EdTech
    # validator trusts such keys, which lerkit does only when asked (and then warns).
    verifier = Verifier(VerifyOptions(trust_fragment_keys=True, now=NOW))
    report = verifier.verify((OB30 / name).read_text(), source=name)
    expected = EXPECTED[name]
    if expected is None:
        assert report.check("signature").status == "passed", str(report)
        assert report.status == "warning"  # the fragment-key warning, nothing else
        assert [c.name for c in report.problems] == ["verification_method"]
    else:
        assert report.check(expected).status == "failed", str(report)


def test_fragment_keys_are_not_trusted_by_default() -> None:
    report = _verify((OB30 / "simple.json").read_text())
    assert report.status == "not_verified"
    assert report.check("verification_method").code == "fragment_key_not_trusted"
