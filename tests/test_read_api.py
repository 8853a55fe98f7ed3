"""The read API beyond parsing: matching holders, single reads, table access."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import lerkit as lk

SAMPLES = Path(__file__).resolve().parents[1] / "datasets" / "samples"


def _ob3(email_hash: str, salt: str, subject_id: str | None = None) -> dict:
    subject: dict = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": email_hash,
                "salt": salt,
            }
        ],
        "achievement": {"id": "urn:example:a", "type": ["Achievement"], "name": "A"},
    }
    if subject_id:
        subject["id"] = subject_id
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:example:c",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://example.edu", "type": ["Profile"]},
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": subject,
    }


def test_held_by_matches_hashed_identities_without_storing_them() -> None:
    digest = "sha256$" + hashlib.sha256(b"zoe@example.org" + b"pepper").hexdigest()
    found = lk.read([_ob3(digest, "pepper"), _ob3(digest, "other-salt")])
    held = found.held_by("zoe@example.org")
    assert [c.source.path for c in held] == ["<memory>[0]"]
    assert found.held_by("zoe@example.com") == ()
    # the plaintext is nowhere in the records or tables
    assert "zoe@example.org" not in repr(found.credentials)
    assert (
        not found.table("credentials")
        .astype(str)
        .apply(lambda col: col.str.contains("zoe@"))
        .any()
        .any()
    )


def test_held_by_matches_a_subject_did() -> None:
    found = lk.read(_ob3("sha256$00", "x", subject_id="did:example:learner-1"))
    assert len(found.held_by("did:example:learner-1")) == 1
    assert found.held_by("did:example:learner-2") == ()


def test_held_by_on_the_samples_uses_the_documented_plaintext() -> None:
    found = lk.read(SAMPLES)
    names = sorted(c.name or "" for c in found.held_by("ada-example@example.org"))
    assert names  # the samples README documents Ada's address and salt
    assert found.held_by("ada-example@example.org ") == found.held_by("ADA-EXAMPLE@example.org")
    assert found.held_by("nobody@example.org") == ()


def test_read_unverified_returns_the_clr_itself() -> None:
    clr = lk.read_unverified(SAMPLES / "clr2_learner_record_community_college.json")
    assert clr.format is lk.CredentialFormat.CLR2
    assert clr.parent_record_id is None


def test_read_unverified_refuses_a_batch() -> None:
    with pytest.raises(lk.ParseError) as err:
        lk.read_unverified(SAMPLES / "ob3_batch.jsonl")
    assert err.value.code == "invalid_json"  # the broken line 3 comes first


def test_table_names_are_checked() -> None:
    found = lk.read(SAMPLES)
    with pytest.raises(KeyError, match="no table 'nope'; tables are credentials, achievements"):
        found.table("nope")
    copy = found.table("credentials")
    copy.loc[:, "name"] = "changed"
    assert (found.table("credentials")["name"] != "changed").any()


def _pointer(document: object, pointer: str) -> object:
    for part in pointer.split("/")[1:]:
        document = document[int(part)] if isinstance(document, list) else document[part]  # type: ignore[index]
    return document


def test_every_record_gives_back_its_exact_document() -> None:
    import json

    found = lk.read(SAMPLES)
    assert len(found.credentials) == 28
    for cred in found.credentials:
        doc = cred.document
        assert doc, cred.source
        if cred.raw is not None:  # read from JSON text: the object at the pointer
            assert doc == _pointer(json.loads(cred.raw), cred.raw_pointer)
            assert cred.raw_pointer == (cred.source.pointer or "")
        if cred.id is not None and cred.envelope is lk.Envelope.JSON:
            assert doc.get("id") == cred.id
    clr = next(c for c in found.credentials if c.format is lk.CredentialFormat.CLR2)
    members = [c for c in found.credentials if c.parent_record_id == clr.record_id]
    assert [m.document for m in members] == clr.document["credentialSubject"][
        "verifiableCredential"
    ]


def test_records_from_json_text_do_not_keep_decoded_objects() -> None:
    found = lk.read(SAMPLES / "ob3_batch.jsonl")
    assert all(c.decoded is None and c.raw for c in found.credentials)
    jwt = lk.read(SAMPLES / "vcjwt11_ob3_military_training.jwt").credentials[0]
    assert jwt.raw is None
    assert jwt.document["credentialSubject"]["id"] == jwt.subject.id  # rebuilt from the claims
