"""Records: immutability, locations, hashed identities."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

import lerkit as lk


def _hashed(identifier: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((identifier + salt).encode()).hexdigest()


def test_records_are_frozen() -> None:
    issuer = lk.Issuer(id="https://example.edu")
    with pytest.raises(dataclasses.FrozenInstanceError):
        issuer.name = "changed"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("location", "text"),
    [
        (lk.SourceLocation("a.json"), "a.json"),
        (lk.SourceLocation("a.jsonl", line=3), "a.jsonl:3"),
        (lk.SourceLocation("a.zip", member="x/b.jsonl", line=2), "a.zip!x/b.jsonl:2"),
        (
            lk.SourceLocation("c.json", pointer="/credentialSubject/verifiableCredential/1"),
            "c.json#/credentialSubject/verifiableCredential/1",
        ),
    ],
)
def test_source_location_text(location: lk.SourceLocation, text: str) -> None:
    assert str(location) == text


def test_location_at_appends_pointer() -> None:
    loc = lk.SourceLocation("c.json", pointer="/a").at("/b/0")
    assert loc.pointer == "/a/b/0"


def test_hashed_identity_matches_only_the_right_email() -> None:
    obj = lk.IdentityObject("emailAddress", True, _hashed("ada@example.org", "pepper"), "pepper")
    assert obj.matches("ada@example.org")
    assert obj.matches("  Ada@Example.org ")  # emails compare case-insensitively
    assert not obj.matches("ada@example.com")
    assert not obj.matches("pepperada@example.org")


def test_hashed_identity_without_salt_and_uppercase_hex() -> None:
    digest = hashlib.sha256(b"student-42").hexdigest().upper()
    obj = lk.IdentityObject("studentId", True, "sha256$" + digest)
    assert obj.matches("student-42")
    assert not obj.matches("STUDENT-42")  # identifiers other than email are exact


def test_unhashed_identity_compares_plainly() -> None:
    obj = lk.IdentityObject("emailAddress", False, "ada@example.org")
    assert obj.matches("ADA@example.org")
    assert not obj.matches("bob@example.org")


def test_unknown_hash_algorithm_never_matches() -> None:
    obj = lk.IdentityObject("emailAddress", True, "sha1$" + hashlib.sha1(b"a@b.org").hexdigest())
    assert not obj.matches("a@b.org")
