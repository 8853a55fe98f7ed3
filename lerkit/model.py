"""Immutable typed records for learning and employment records.

Every record is a frozen dataclass defined once here; the tidy pandas tables are
derived from them in :mod:`lerkit.tables`, so a column cannot drift from its type.

A :class:`Credential` is what a reader found, *not* a claim that it is genuine:
parsing never verifies a proof (see ``lerkit.verify`` for that).
"""

from __future__ import annotations

import enum
import hashlib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "Achievement",
    "Alignment",
    "Credential",
    "CredentialFormat",
    "CredentialReference",
    "CredentialStatusRef",
    "Envelope",
    "Evidence",
    "IdentityObject",
    "Issuer",
    "Problem",
    "ProofInfo",
    "Result",
    "SourceLocation",
    "Subject",
]


class CredentialFormat(enum.StrEnum):
    """Which data model a credential follows."""

    OB3 = "ob3"  #: Open Badges 3.0 OpenBadgeCredential / AchievementCredential
    OB3_ENDORSEMENT = "ob3-endorsement"  #: Open Badges 3.0 EndorsementCredential
    CLR2 = "clr2"  #: Comprehensive Learner Record 2.0 ClrCredential
    VC = "vc"  #: any other W3C Verifiable Credential
    OB2 = "ob2"  #: Open Badges 2.0 Assertion
    LER_RS = "ler-rs"  #: HR Open LER-RS resume document


class Envelope(enum.StrEnum):
    """How the credential was carried when it was read."""

    JSON = "json"  #: plain JSON / JSON-LD (embedded proof, if any)
    VC_JWT = "vc-jwt"  #: VC 1.1 JWT: the credential in the ``vc`` claim
    VC_JOSE = "vc-jose-cose"  #: VC-JOSE-COSE: the JWS payload is the credential
    OB2_JWS = "ob2-jws"  #: Open Badges 2.0 signed assertion
    PNG = "png"  #: baked into a PNG iTXt chunk
    SVG = "svg"  #: baked into an SVG element


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where a record or problem was found.

    >>> str(SourceLocation("badges.zip", member="a/b.jsonl", line=3))
    'badges.zip!a/b.jsonl:3'
    """

    path: str  #: file path, or ``"<memory>"`` for in-memory input
    member: str | None = None  #: zip member name
    line: int | None = None  #: 1-based JSONL line
    #: JSON pointer of a nested credential, e.g. ``/credentialSubject/verifiableCredential/0``
    pointer: str | None = None

    def __str__(self) -> str:
        text = self.path
        if self.member is not None:
            text += f"!{self.member}"
        if self.line is not None:
            text += f":{self.line}"
        if self.pointer:
            text += f"#{self.pointer}"
        return text

    def at(self, pointer: str) -> SourceLocation:
        """The same place, deeper inside the document."""
        return SourceLocation(self.path, self.member, self.line, (self.pointer or "") + pointer)


@dataclass(frozen=True, slots=True)
class Problem:
    """One input that could not be read as a credential (or read with a warning), and why."""

    source: SourceLocation
    code: str  #: stable snake_case code, e.g. ``invalid_json``
    message: str  #: what was wrong, for a person to act on
    #: ``error``: nothing was read from this input; ``warning``: the record was
    #: read (see ``record_id``) but does not conform to its standard
    severity: str = "error"
    record_id: str | None = None


@dataclass(frozen=True, slots=True)
class Issuer:
    """An issuer, creator or endorser profile (OB 3.0 ``Profile``)."""

    id: str | None
    name: str | None = None
    type: tuple[str, ...] = ()
    url: str | None = None
    email: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Alignment:
    """A link from an achievement or result to a skill, competency or occupation."""

    target_name: str | None
    target_url: str | None = None
    target_code: str | None = None
    target_framework: str | None = None
    target_type: str | None = None
    target_description: str | None = None


@dataclass(frozen=True, slots=True)
class Achievement:
    """What was accomplished (OB 3.0 ``Achievement``, OB 2.0 ``BadgeClass``)."""

    id: str | None
    name: str | None
    achievement_type: str | None = None
    description: str | None = None
    criteria: str | None = None  #: criteria narrative, or its URL when only that is given
    field_of_study: str | None = None
    specialization: str | None = None
    human_code: str | None = None
    credits_available: float | None = None
    tags: tuple[str, ...] = ()
    alignments: tuple[Alignment, ...] = ()
    creator: Issuer | None = None


@dataclass(frozen=True, slots=True)
class Result:
    """An assessed result attached to an achievement subject."""

    result_description: str | None  #: id of the ResultDescription it answers
    value: str | None = None
    status: str | None = None
    achieved_level: str | None = None
    alignments: tuple[Alignment, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    """Evidence offered for an achievement."""

    id: str | None
    name: str | None = None
    description: str | None = None
    narrative: str | None = None
    genre: str | None = None
    audience: str | None = None


@dataclass(frozen=True, slots=True)
class IdentityObject:
    """An OB 3.0 ``IdentityObject`` (or OB 2.0 recipient): who the subject is.

    When ``hashed`` is true, ``identity_hash`` is ``sha256$<hex>`` of the identifier
    followed by ``salt``; :meth:`matches` tests a candidate without storing it.

    >>> obj = IdentityObject("emailAddress", True, "sha256$" + hashlib.sha256(b"a@b.orgx").hexdigest(), "x")
    >>> obj.matches("a@b.org"), obj.matches("c@d.org")
    (True, False)
    """

    identity_type: str | None
    hashed: bool
    identity_hash: str
    salt: str | None = None

    def matches(self, candidate: str) -> bool:
        """Whether ``candidate`` is the identifier this object stands for.

        Email addresses are compared case-insensitively (OB 2.0 recipients are
        hashed lower-cased); other identifiers exactly, after Unicode NFC.
        """
        value = unicodedata.normalize("NFC", candidate.strip())
        candidates = {value}
        if self.identity_type in (None, "email", "emailAddress"):
            candidates.add(value.lower())
        if not self.hashed:
            return self.identity_hash in candidates
        algorithm, _, expected = self.identity_hash.partition("$")
        algorithm = algorithm.lower()
        if algorithm not in ("sha256", "md5") or not expected:
            return False
        for text in candidates:
            data = (text + (self.salt or "")).encode("utf-8")
            # md5 appears only in legacy OB 2.0 recipients; it is matched, never produced.
            digest = hashlib.new(algorithm, data, usedforsecurity=False).hexdigest()
            if digest == expected.lower():
                return True
        return False


@dataclass(frozen=True, slots=True)
class Subject:
    """Who the credential is about."""

    id: str | None
    type: tuple[str, ...] = ()
    name: str | None = None
    identifiers: tuple[IdentityObject, ...] = ()


@dataclass(frozen=True, slots=True)
class ProofInfo:
    """What a proof *says* about itself; nothing here has been checked."""

    type: str  #: e.g. ``DataIntegrityProof``, ``Ed25519Signature2020``, ``JWS``
    cryptosuite: str | None = None  #: e.g. ``eddsa-rdfc-2022``; JOSE ``alg`` for JWS
    verification_method: str | None = None  #: DID URL, or the JOSE ``kid``
    proof_purpose: str | None = None
    created: datetime | None = None


@dataclass(frozen=True, slots=True)
class CredentialStatusRef:
    """A pointer to a status list entry (not yet resolved)."""

    type: str
    purpose: str | None = None
    list_url: str | None = None
    index: int | None = None


@dataclass(frozen=True, slots=True)
class CredentialReference:
    """A credential named by URL but not embedded (LER-RS ``verifications``)."""

    pointer: str  #: JSON pointer of the reference inside the document
    url: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Credential:
    """One learning or employment record as read from its source.

    Nested CLR credentials and endorsements are records of their own;
    ``parent_record_id`` links a nested record to the one that contains it.
    """

    record_id: str  #: stable key for tables: a digest of the source and position
    id: str | None
    format: CredentialFormat
    envelope: Envelope
    types: tuple[str, ...]
    issuer: Issuer
    subject: Subject
    source: SourceLocation
    vc_version: str | None = None  #: "1.1" or "2.0" for W3C VCs
    name: str | None = None
    description: str | None = None
    achievement: Achievement | None = None
    results: tuple[Result, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    issued: datetime | None = None  #: issuanceDate (VC 1.1), else validFrom, else awardedDate
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    awarded: datetime | None = None
    proofs: tuple[ProofInfo, ...] = ()
    status: tuple[CredentialStatusRef, ...] = ()
    contexts: tuple[str, ...] = ()
    parent_record_id: str | None = None
    #: records of the endorsements attached to this credential or its achievement
    endorsement_record_ids: tuple[str, ...] = ()
    #: credentials this one points to without embedding them (never fetched)
    references: tuple[CredentialReference, ...] = ()
    #: ways the document departs from its standard (also in the problems table)
    warnings: tuple[str, ...] = ()
    #: what an endorsement says about what it endorses (EndorsementSubject)
    endorsement_comment: str | None = None
    #: the JSON text this record was read from (shared by every record of one
    #: input) and where in it the record's object sits; see :attr:`document`
    raw: bytes | None = field(default=None, repr=False, compare=False)
    raw_pointer: str = field(default="", repr=False, compare=False)
    #: the document itself, for records that did not come from JSON text
    #: (dicts handed to ``read``, JWS payloads, credentials rebuilt from JWT claims)
    decoded: Mapping[str, Any] | None = field(default=None, repr=False, compare=False)
    #: the compact JWS, when the credential arrived as one
    jws: str | None = field(default=None, repr=False, compare=False)

    @property
    def document(self) -> Mapping[str, Any]:
        """The credential's JSON object, exactly as read (decoded on each access).

        Records keep the compact JSON text rather than the decoded object: a
        decoded credential takes four to five times the memory, and most
        analyses never look at it again after reading.
        """
        if self.decoded is not None:
            return self.decoded
        if self.raw is None:
            return {}
        value: Any = json.loads(self.raw)
        for part in self.raw_pointer.split("/")[1:]:
            key = part.replace("~1", "/").replace("~0", "~")
            value = value[int(key)] if isinstance(value, list) else value[key]
        if not isinstance(value, Mapping):  # pragma: no cover - pointers come from the reader
            raise TypeError(f"{self.source}: pointer {self.raw_pointer!r} is not an object")
        return value
