"""The workshop explainer's logic and widgets, without a browser.

Signatures, hashes, status bits, hashed identities and did:key bytes are recomputed
here with pyld, hashlib, base58, gzip and cryptography directly, not with lerkit.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyld import jsonld
from typer.testing import CliRunner

from lerkit.contexts import default_loader
from lerkit.workshop import (
    TAMPER_FIELDS,
    CredentialForm,
    CredentialLab,
    DidKeyLab,
    IdentityLab,
    Workshop,
    WorkshopError,
    decode_did_key,
    explainer_notebook,
    guess_identity,
    hashed_identities,
    likely_emails,
    signature_text,
    voila_command,
    voila_environment,
    workshop_key,
)
from lerkit.workshop._serve import JUPYTER_DATA, VOILA_TEMPLATE

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def issued() -> Workshop:
    ws = Workshop(seed=2026)
    ws.issue(CredentialForm())
    return ws


def _nquads(document: dict[str, Any]) -> str:
    return str(
        jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": default_loader(),
            },
        )
    )


def _proof(document: dict[str, Any]) -> dict[str, Any]:
    proof = document["proof"]
    return dict(proof[0] if isinstance(proof, list) else proof)


def _independent_check(document: dict[str, Any]) -> tuple[str, bytes]:
    """eddsa-rdfc-2022 by hand: canonicalize with pyld, hash, verify with cryptography.

    Returns the document hash and raises InvalidSignature when the signature is wrong.
    """
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    proof = _proof(document)
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = unsecured["@context"]
    doc_hash = hashlib.sha256(_nquads(unsecured).encode()).digest()
    proof_hash = hashlib.sha256(_nquads(config).encode()).digest()
    multibase = proof["verificationMethod"].split("#")[1]
    raw = base58.b58decode(multibase[1:])
    assert raw[:2] == b"\xed\x01"
    public = Ed25519PublicKey.from_public_bytes(raw[2:])
    signature = base58.b58decode(proof["proofValue"][1:])
    public.verify(signature, proof_hash + doc_hash)
    return doc_hash.hex(), signature


# -- issuing and explaining ------------------------------------------------------------


def test_signed_credential_verifies_by_hand_and_explains_the_same_values(
    issued: Workshop,
) -> None:
    assert issued.signed is not None
    document = issued.signed.credential
    doc_hash, signature = _independent_check(document)
    shown = issued.explain()
    assert shown.verdict == "verified"
    assert shown.document_hash == doc_hash
    assert shown.signature == signature
    assert shown.canonical_document == _nquads({k: v for k, v in document.items() if k != "proof"})
    text = signature_text(shown)
    assert doc_hash in text
    assert signature.hex() in text
    assert f"{shown.canonical_document.count(chr(10))} statements" in text
    assert issued.check().verdict == "verified"
    assert issued.check().failed_check is None


def test_credential_holds_the_form(issued: Workshop) -> None:
    assert issued.signed is not None
    document = issued.signed.credential
    form = CredentialForm()
    subject = document["credentialSubject"]
    assert subject["achievement"]["name"] == form.achievement_name
    assert subject["achievement"]["achievementType"] == form.achievement_type
    assert document["awardedDate"].startswith(form.awarded_on)
    assert document["issuer"]["id"] == issued.key.did
    names = [i for i in subject["identifier"] if i["identityType"] == "name"]
    assert names == [
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": form.learner_name,
        }
    ]
    # the e-mail address appears only hashed
    assert form.learner_email not in str(document)
    summary = issued.summary()
    assert form.learner_name in summary
    assert issued.key.did in summary
    # printed in a notebook cell that nbval checks: no timestamps
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", summary)


def test_same_seed_same_bytes_other_seed_other_key() -> None:
    one, two, other = Workshop(seed=5), Workshop(seed=5), Workshop(seed=6)
    first = one.issue(CredentialForm()).serialize()
    assert first == two.issue(CredentialForm()).serialize()
    assert one.key.did == workshop_key(5).did != other.key.did
    assert other.issue(CredentialForm()).serialize() != first


def test_outcome_text_counts_passed_checks(issued: Workshop) -> None:
    outcome = issued.check()
    passed = sum(1 for c in outcome.report.checks if c.status == "passed")
    assert outcome.text().splitlines() == [
        "Verdict: VERIFIED - every check passed",
        f"Checks passed: {passed} of {len(outcome.report.checks)} (the rest do not apply)",
    ]
    assert len(outcome.checks_text().splitlines()) == len(outcome.report.checks)


# -- tampering ------------------------------------------------------------------------


# a well-formed new value for each field, so only the signature can catch the change
NEW_VALUES = {
    "achievement name": "PhD in Welding",
    "learner name": "Someone Else",
    "awarded date": "2019-01-01T16:00:00Z",
    "issuer name": "Prestigious University",
}


def test_every_tamper_field_has_a_test_value() -> None:
    assert set(NEW_VALUES) == set(TAMPER_FIELDS)


@pytest.mark.parametrize("field", list(TAMPER_FIELDS))
def test_tampering_any_field_fails_at_the_signature(field: str) -> None:
    ws = Workshop(seed=11)
    ws.issue(CredentialForm())
    changed = ws.tamper(field, NEW_VALUES[field])
    assert ws.field_value(field) == NEW_VALUES[field]
    outcome = ws.check()
    assert outcome.verdict == "not_verified"
    assert outcome.failed_check is not None
    assert outcome.failed_check.name == "signature"
    assert outcome.failed_check.code == "invalid_signature"
    assert "Stopped at check: signature (Signature)" in outcome.text()
    assert changed["proof"] == ws.signed.credential["proof"]  # type: ignore[union-attr]
    assert f"the {field} from" in ws.describe_change()


def test_tampered_document_fails_an_independent_check_too() -> None:
    ws = Workshop(seed=12)
    ws.issue(CredentialForm())
    original_hash, _ = _independent_check(ws.signed.credential)  # type: ignore[union-attr]
    changed = ws.tamper("achievement name", "PhD in Welding")
    with pytest.raises(InvalidSignature):
        _independent_check(changed)
    shown = ws.explain()
    assert shown.document_hash != original_hash
    assert shown.report.check("signature").status == "failed"
    assert signature_text(shown).endswith("Signature check: failed")
    ws.restore()
    assert ws.check().verdict == "verified"
    assert ws.describe_change().startswith("Nothing has been changed")


# -- revoking -------------------------------------------------------------------------


def _bit(status_list_credential: dict[str, Any], index: int) -> int:
    encoded = status_list_credential["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")  # multibase base64url, no padding
    body = encoded[1:] + "=" * (-len(encoded[1:]) % 4)
    bits = gzip.decompress(base64.urlsafe_b64decode(body))
    return (bits[index // 8] >> (7 - index % 8)) & 1


def test_revoking_fails_at_status_and_sets_exactly_that_bit() -> None:
    ws = Workshop(seed=13)
    signed = ws.issue(CredentialForm())
    entry = signed.credential["credentialStatus"]
    assert entry["statusListIndex"] == str(ws.status_index)
    assert entry["statusListCredential"] == ws.status_url
    assert _bit(ws.status_list.credential, ws.status_index) == 0
    ws.revoke()
    assert ws.revoked
    new_list = ws.status_list.credential
    assert _bit(new_list, ws.status_index) == 1
    assert _bit(new_list, (ws.status_index + 1) % 131072) == 0
    outcome = ws.check()
    assert outcome.verdict == "not_verified"
    assert outcome.failed_check is not None
    assert outcome.failed_check.name == "status"
    assert outcome.failed_check.code == "revoked"
    # the credential itself was not touched: its signature still checks out by hand
    _independent_check(ws.presented)  # type: ignore[arg-type]
    # and the new list is signed by the same issuer
    _independent_check(ws.status_list.credential)
    ws.unrevoke()
    assert ws.check().verdict == "verified"
    ws.revoke()
    ws.issue(CredentialForm(learner_name="Bo Sample"))  # a new round starts unrevoked
    assert ws.check().verdict == "verified"


def test_status_index_is_spread_over_the_list() -> None:
    indices = {Workshop(seed=seed).status_index for seed in range(6)}
    assert len(indices) == 6
    assert all(0 <= i < 131072 for i in indices)


# -- the hashed identity --------------------------------------------------------------


def test_hashed_email_is_salted_sha256_and_a_guess_confirms_it(issued: Workshop) -> None:
    assert issued.signed is not None
    [identity] = hashed_identities(issued.signed.credential)
    email = CredentialForm().learner_email
    expected = hashlib.sha256((email + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"
    assert identity["salt"] == issued.salt
    guesses = likely_emails(CredentialForm().learner_name)
    assert email in guesses
    assert len(guesses) == len(set(guesses))
    found = guess_identity(identity, guesses)
    assert found.loc[found["matches"], "candidate"].tolist() == [email]
    assert found.loc[found["candidate"] == email, "hash"].item() == expected[:16]
    # without the right salt the same guess does not match
    unsalted = guess_identity({**identity, "salt": ""}, [email])
    assert not unsalted["matches"].any()


def test_identity_errors_name_the_value() -> None:
    with pytest.raises(WorkshopError, match="'md5\\$abc'") as caught:
        guess_identity({"identityHash": "md5$abc"}, ["a@example.org"])
    assert caught.value.code == "invalid_argument"
    with pytest.raises(WorkshopError, match="'---'"):
        likely_emails("---")


# -- did:key --------------------------------------------------------------------------


def test_decode_ed25519_did_key_matches_cryptography() -> None:
    private = Ed25519PrivateKey.from_private_bytes(bytes(32))
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    multibase = "z" + base58.b58encode(b"\xed\x01" + public).decode()
    parts = decode_did_key(f"did:key:{multibase}")
    assert parts.did == "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
    assert parts.public_key == public
    assert parts.prefix == b"\xed\x01"
    assert (parts.codec, parts.key_family) == ("ed25519-pub", "Ed25519")
    assert parts.verification_method == f"{parts.did}#{multibase}"
    assert "assertionMethod" in parts.relationships
    table = parts.table()
    assert table.loc[table["part"] == "public key (hex)", "value"].item() == public.hex()
    assert table.loc[table["part"] == "multicodec prefix", "value"].item() == "ed 01"


def test_decode_p256_did_key() -> None:
    key = ec.derive_private_key(12345, ec.SECP256R1()).public_key()
    point = key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    did = "did:key:z" + base58.b58encode(b"\x80\x24" + point).decode()
    parts = decode_did_key(did)
    assert (parts.key_family, parts.public_key, parts.prefix.hex()) == ("P-256", point, "8024")


def test_decode_the_workshop_issuer(issued: Workshop) -> None:
    parts = decode_did_key(issued.key.did)
    assert issued.signed is not None
    proof = _proof(issued.signed.credential)
    assert proof["verificationMethod"] == parts.verification_method


def test_decode_rejects_other_methods_and_broken_keys() -> None:
    with pytest.raises(WorkshopError, match=r"did:web:example\.org") as caught:
        decode_did_key("did:web:example.org")
    assert caught.value.code == "invalid_argument"
    from lerkit.dids import DidError

    with pytest.raises(DidError):
        decode_did_key("did:key:z6MkNOTAKEY")


# -- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"awarded_on": "June 1st"}, "'June 1st'"),
        ({"achievement_type": "Diploma"}, "'Diploma'"),
        ({"learner_name": "  "}, "'  '"),
        ({"learner_email": "ada"}, "'ada'"),
    ],
)
def test_bad_form_values_are_named(changes: dict[str, str], named: str) -> None:
    with pytest.raises(WorkshopError, match=named) as caught:
        CredentialForm(**changes)
    assert caught.value.code == "invalid_argument"


def test_steps_before_issuing_and_unknown_fields() -> None:
    ws = Workshop(seed=1)
    for step in (ws.check, ws.revoke, ws.restore, ws.summary):
        with pytest.raises(WorkshopError, match="issue") as caught:
            step()
        assert caught.value.code == "nothing_issued"
    ws.issue(CredentialForm())
    with pytest.raises(WorkshopError, match="'grade'") as caught:
        ws.tamper("grade", "A")
    assert caught.value.code == "unknown_field"
    with pytest.raises(WorkshopError, match="'soon'"):
        Workshop(now="soon")
    with pytest.raises(WorkshopError, match="'7'"):
        Workshop(seed="7")  # type: ignore[arg-type]


# -- widgets (clicked from Python, as a trainer would in the page) ----------------------


def test_credential_lab_buttons_change_the_verdict() -> None:
    lab = CredentialLab(Workshop(seed=21), CredentialForm())
    assert lab.outcome is not None
    assert lab.outcome.verdict == "verified"
    assert "VERIFIED - every check passed" in lab.verdict.value
    lab.tamper_field.value = "learner name"
    lab.tamper_value.value = "Eve Example"
    lab.tamper.click()
    assert lab.outcome.failed_check is not None
    assert lab.outcome.failed_check.name == "signature"
    assert "Stopped at check: signature" in lab.verdict.value
    lab.restore.click()
    assert lab.outcome.verdict == "verified"
    lab.revoke.click()
    assert lab.outcome.failed_check is not None
    assert lab.outcome.failed_check.name == "status"
    assert "revoked in the issuer" in lab.state.value
    before = lab.signature.value
    lab.inputs["achievement_name"].value = "Forklift Operator Certification"
    lab.sign.click()
    assert lab.outcome.verdict == "verified"
    assert lab.signature.value != before
    assert "Forklift Operator Certification" in lab.credential_json.value


def test_credential_lab_shows_mistakes_instead_of_raising() -> None:
    lab = CredentialLab(Workshop(seed=22))
    lab.inputs["awarded_on"].value = "yesterday"
    lab.sign.click()
    assert "&#x27;yesterday&#x27;" in lab.errors.value or "'yesterday'" in lab.errors.value
    assert lab.outcome is not None
    assert lab.outcome.verdict == "verified"  # unchanged


def test_identity_and_did_labs() -> None:
    ws = Workshop(seed=23)
    signed = ws.issue(CredentialForm())
    identity_lab = IdentityLab(signed.credential, "Ada Example")
    identity_lab.guess.click()
    assert identity_lab.results_frame["matches"].sum() == 1
    assert "Found it" in identity_lab.result.value
    identity_lab.candidates.value = "nobody@example.org"
    identity_lab.guess.click()
    assert "No match" in identity_lab.result.value
    did_lab = DidKeyLab(ws.key.did)
    did_lab.decode.click()
    assert ws.key.did in did_lab.result.value
    did_lab.did.value = "did:web:example.org"
    did_lab.decode.click()
    assert "not a did:key" in did_lab.errors.value
    bundle = did_lab._repr_mimebundle_()
    assert "lerkit explain" in bundle["text/plain"]


# -- serving ------------------------------------------------------------------------------


def test_voila_command_listens_on_loopback_only() -> None:
    command = voila_command("x.ipynb", port=8123, open_browser=False)
    assert "--port=8123" in command
    assert "--Voila.ip=127.0.0.1" in command
    assert "--no-browser" in command
    assert f"--template={VOILA_TEMPLATE}" in command
    assert "--no-browser" not in voila_command("x.ipynb", port=8123, open_browser=True)
    for bad in (0, 70000, True):
        with pytest.raises(WorkshopError, match=str(bad)):
            voila_command("x.ipynb", port=bad, open_browser=False)
    env = voila_environment({"JUPYTER_PATH": "/elsewhere"})
    assert env["JUPYTER_PATH"].split(":") == [str(JUPYTER_DATA), "/elsewhere"]


def test_voila_template_loads_nothing_from_the_network() -> None:
    folder = JUPYTER_DATA / "voila" / "templates" / VOILA_TEMPLATE
    assert (folder / "conf.json").read_text().strip() == '{"base_template": "lab"}'
    template = (folder / "index.html.j2").read_text()
    assert "http" not in template.lower()
    # the block it replaces is the one that links the CDN in Voila's own template
    from jupyter_core.paths import jupyter_path

    [lab, *_] = [
        Path(folder)
        for folder in jupyter_path("voila", "templates", "lab")
        if Path(folder).is_dir()
    ]
    original = (lab / "index.html.j2").read_text()
    assert "block notebook_css" in original
    assert "cdn.jsdelivr.net" in original  # if Voila drops the CDN links, so can lerkit


def test_explainer_notebook_is_found_and_a_missing_one_is_named(tmp_path: Path) -> None:
    assert explainer_notebook() == ROOT / "notebooks" / "how-lers-work.ipynb"
    with pytest.raises(WorkshopError, match=r"how-lers-work\.ipynb") as caught:
        explainer_notebook(tmp_path)
    assert caught.value.code == "explainer_missing"


def test_explain_command_passes_its_options(monkeypatch: pytest.MonkeyPatch) -> None:
    import lerkit.workshop
    from lerkit.cli import app

    calls: list[dict[str, Any]] = []

    def fake_serve(**kwargs: Any) -> int:
        calls.append(kwargs)
        return 0

    monkeypatch.setattr(lerkit.workshop, "serve", fake_serve)
    runner = CliRunner()
    done = runner.invoke(app, ["explain", "--port", "9123", "--no-browser"])
    assert done.exit_code == 0, done.output
    assert calls == [{"port": 9123, "open_browser": False, "notebooks_dir": None}]
    assert runner.invoke(app, ["explain", "--port", "70000"]).exit_code == 2


def test_notebook_parameters_match_the_form_defaults() -> None:
    from lerkit.reports import read_parameters

    params = read_parameters(ROOT / "notebooks" / "how-lers-work.ipynb")
    form = CredentialForm()
    assert params["learner_name"].default == form.learner_name
    assert params["achievement"].default == form.achievement_name
    assert params["seed"].type_name == "int"
    assert params["tamper_field"].default in TAMPER_FIELDS
