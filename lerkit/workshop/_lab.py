"""The credential lab: issue, explain, tamper with and revoke one credential.

Everything is deterministic: the issuer key, the salt of the hashed e-mail address, the
credential id and the position in the revocation list all come from one integer seed,
and the verifier's clock is a parameter. The same seed and form give byte-identical
credentials, hashes and signatures, so notebook outputs can be checked in CI.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import Any

from lerkit.issue import (
    IssuedCredential,
    IssuerKey,
    achievement,
    achievement_credential,
    generate_key,
    issue_credential,
    revoke,
    status_entry,
    status_list_credential,
    tamper_field,
)
from lerkit.status import MIN_ENTRIES, MappingStatusLists
from lerkit.verify import Check, Explanation, VerificationReport, explain, verify
from lerkit.workshop._errors import WorkshopError

__all__ = [
    "ACHIEVEMENT_TYPES",
    "DEFAULT_NOW",
    "TAMPER_FIELDS",
    "VERDICT_WORDS",
    "WORKSHOP_ISSUER_NAME",
    "WORKSHOP_STATUS_URL",
    "CredentialForm",
    "Outcome",
    "Workshop",
    "signature_text",
    "workshop_key",
]

WORKSHOP_ISSUER_NAME = "Example Community College (workshop demo)"
WORKSHOP_ISSUER_URL = "https://college.example.org"
#: Where the workshop's revocation list would be published. Nothing is fetched: the
#: verifier is handed the list (as a wallet or employer would hold a downloaded copy).
WORKSHOP_STATUS_URL = f"{WORKSHOP_ISSUER_URL}/status/workshop-revocations"
#: The verifier's clock by default: a fixed moment, so every run gives the same verdicts.
DEFAULT_NOW = "2025-09-01T12:00:00Z"
# The status list is older than any credential the default form makes.
_LIST_VALID_FROM = "2024-01-01T00:00:00Z"
# Hour of day the credential is awarded: a date alone would make a midnight timestamp.
_AWARD_TIME = "T16:00:00Z"

#: Achievement types offered in the form (Open Badges 3.0 AchievementType values).
ACHIEVEMENT_TYPES: tuple[str, ...] = (
    "Certificate",
    "Certification",
    "Badge",
    "Course",
    "MicroCredential",
    "ApprenticeshipCertificate",
    "License",
)

#: Fields the tamper step can change: label -> (JSON Pointer, what it means to a reader).
TAMPER_FIELDS: Mapping[str, tuple[str, str]] = {
    "achievement name": (
        "/credentialSubject/achievement/name",
        "what the learner earned",
    ),
    "learner name": (
        "/credentialSubject/identifier/0/identityHash",
        "who the credential was awarded to",
    ),
    "awarded date": ("/awardedDate", "when it was awarded"),
    "issuer name": ("/issuer/name", "who says they issued it"),
}

#: Plain words for each verdict, as a trainer would read them out.
VERDICT_WORDS: Mapping[str, str] = {
    "verified": "VERIFIED - every check passed",
    "warning": "WARNING - genuine and unaltered, but see the check below",
    "not_verified": "NOT VERIFIED - do not trust this credential",
    "indeterminate": "CANNOT TELL - a check could not be completed",
}


def _digest(seed: int, purpose: str) -> bytes:
    return hashlib.sha256(f"lerkit-workshop:{purpose}:{seed}".encode()).digest()


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise WorkshopError(f"seed must be an integer, got {seed!r}", code="invalid_argument")
    return seed


def workshop_key(seed: int) -> IssuerKey:
    """The workshop issuer's Ed25519 key, fixed by ``seed``.

    A seeded key is as public as its seed: it signs demonstration credentials only.

    Parameters
    ----------
    seed : int
        Any integer; the same seed gives the same key and ``did:key``.

    Returns
    -------
    IssuerKey

    Raises
    ------
    WorkshopError
        ``invalid_argument`` when ``seed`` is not an integer.

    Examples
    --------
    >>> workshop_key(7).did == workshop_key(7).did != workshop_key(8).did
    True
    """
    return generate_key("Ed25519", seed=_digest(_check_seed(seed), "key"))


def _moment(value: datetime | str, what: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError as err:
            raise WorkshopError(
                f"{what} must be an ISO 8601 date-time such as {DEFAULT_NOW!r}, got {value!r}",
                code="invalid_argument",
            ) from err
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "achievement"


@dataclass(frozen=True, slots=True)
class CredentialForm:
    """What a trainer types into the form: who earned what, and when.

    Attributes
    ----------
    learner_name : str
        Written into the credential in plain text (an ``IdentityObject`` of type
        ``name``, not hashed), as many issuers do.
    learner_email : str
        Written only as a salted SHA-256 hash (``identityType`` ``emailAddress``).
    achievement_name, description, criteria : str
        The achievement: its name, what it is, and what the learner had to do.
    achievement_type : str
        One of :data:`ACHIEVEMENT_TYPES`.
    awarded_on : str
        The award date, ``YYYY-MM-DD``; the credential is valid from 16:00 UTC that day.
    """

    learner_name: str = "Ada Example"
    learner_email: str = "ada.example@example.org"
    achievement_name: str = "Welding Technology Certificate"
    achievement_type: str = "Certificate"
    description: str = "Shielded metal arc, MIG and TIG welding with weld inspection."
    criteria: str = "Pass the bend tests for each process and the inspection module."
    awarded_on: str = "2025-06-01"

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, str) or not value.strip():
                raise WorkshopError(
                    f"{item.name} must be a non-empty string, got {value!r}",
                    code="invalid_argument",
                )
        if self.achievement_type not in ACHIEVEMENT_TYPES:
            raise WorkshopError(
                f"achievement_type must be one of {list(ACHIEVEMENT_TYPES)}, "
                f"got {self.achievement_type!r}",
                code="invalid_argument",
            )
        if "@" not in self.learner_email:
            raise WorkshopError(
                f"learner_email must be an e-mail address, got {self.learner_email!r}",
                code="invalid_argument",
            )
        try:
            date.fromisoformat(self.awarded_on)
        except ValueError as err:
            raise WorkshopError(
                f"awarded_on must be a date written YYYY-MM-DD, got {self.awarded_on!r}",
                code="invalid_argument",
            ) from err


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a verifier concluded about the credential it was shown.

    Attributes
    ----------
    report : VerificationReport
        Every check, as :func:`lerkit.verify` returns it.
    """

    report: VerificationReport

    @property
    def verdict(self) -> str:
        """``verified``, ``warning``, ``not_verified`` or ``indeterminate``."""
        return self.report.status

    @property
    def failed_check(self) -> Check | None:
        """The check that decided a verdict other than ``verified``; None when verified."""
        return self.report.decisive

    def text(self) -> str:
        """The verdict and the deciding check in plain words (stable, for checked output).

        Examples
        --------
        >>> ws = Workshop(seed=1)
        >>> _ = ws.issue(CredentialForm())
        >>> print(ws.check().text().splitlines()[0])
        Verdict: VERIFIED - every check passed
        """
        lines = [f"Verdict: {VERDICT_WORDS.get(self.verdict, self.verdict)}"]
        failed = self.failed_check
        if failed is None:
            passed = sum(1 for c in self.report.checks if c.status == "passed")
            lines.append(
                f"Checks passed: {passed} of {len(self.report.checks)} (the rest do not apply)"
            )
        else:
            lines.append(f"Stopped at check: {failed.name} ({failed.label})")
            lines.append(f"Why: {failed.detail}")
        return "\n".join(lines)

    def checks_text(self) -> str:
        """Every check on its own line: status, name and label."""
        return "\n".join(f"{c.status:>13}  {c.name} ({c.label})" for c in self.report.checks)

    def __str__(self) -> str:
        return self.text()


class Workshop:
    """One issuer, one learner's credential, one revocation list, one verifier.

    The steps of the workshop are methods: :meth:`issue` signs a credential from a
    :class:`CredentialForm`, :meth:`check` and :meth:`explain` verify what the verifier
    is shown, :meth:`tamper` changes a field after signing, :meth:`restore` puts the
    original back, and :meth:`revoke` publishes a new revocation list with the
    credential's entry set.

    Parameters
    ----------
    seed : int
        Fixes the issuer key, the e-mail salt, the credential id and the credential's
        position in the revocation list.
    now : datetime or str
        The verifier's clock (default :data:`DEFAULT_NOW`).
    issuer_name : str
        The issuer profile's name.

    Examples
    --------
    >>> ws = Workshop(seed=2026)
    >>> _ = ws.issue(CredentialForm())
    >>> ws.check().verdict
    'verified'
    >>> _ = ws.tamper("achievement name", "PhD in Welding")
    >>> ws.check().failed_check.name
    'signature'
    >>> _ = ws.restore(); _ = ws.revoke()
    >>> ws.check().failed_check.name
    'status'
    """

    def __init__(
        self,
        seed: int = 2026,
        *,
        now: datetime | str = DEFAULT_NOW,
        issuer_name: str = WORKSHOP_ISSUER_NAME,
    ) -> None:
        self.seed = _check_seed(seed)
        self.now = _moment(now, "now")
        self.issuer_name = issuer_name
        self.key = workshop_key(seed)
        self.status_url = WORKSHOP_STATUS_URL
        #: the credential's entry in the revocation list, chosen at random by the seed as
        #: issuers should (an index in issue order would tell when it was issued)
        self.status_index = int.from_bytes(_digest(seed, "status-index")[:8], "big") % MIN_ENTRIES
        self._fresh_list = status_list_credential(
            self.key, url=self.status_url, valid_from=_LIST_VALID_FROM
        )
        self.status_list: IssuedCredential = self._fresh_list
        self.signed: IssuedCredential | None = None
        self.presented: dict[str, Any] | None = None
        self.changed: str | None = None

    def __repr__(self) -> str:
        state = "no credential yet" if self.signed is None else self.describe_state()
        return f"Workshop(seed={self.seed}, issuer={self.key.did!r}: {state})"

    @property
    def salt(self) -> str:
        """The salt of the hashed e-mail address (published in the credential)."""
        return _digest(self.seed, "salt")[:8].hex()

    @property
    def revoked(self) -> bool:
        """Whether the current revocation list has the credential's entry set."""
        return self.status_list is not self._fresh_list

    def issuer_profile(self) -> dict[str, Any]:
        """The issuer's Open Badges 3.0 ``Profile``, identified by its ``did:key``."""
        return {
            "id": self.key.did,
            "type": ["Profile"],
            "name": self.issuer_name,
            "url": WORKSHOP_ISSUER_URL,
            "description": "A fictional college that issues demonstration credentials.",
        }

    def draft(self, form: CredentialForm) -> dict[str, Any]:
        """The unsigned Open Badges 3.0 credential the form describes.

        Raises
        ------
        WorkshopError
            ``invalid_argument`` when ``form`` is not a :class:`CredentialForm`.
        """
        if not isinstance(form, CredentialForm):
            raise WorkshopError(
                f"form must be a CredentialForm, got {type(form).__name__}",
                code="invalid_argument",
            )
        awarded = form.awarded_on + _AWARD_TIME
        fingerprint = hashlib.sha256(repr((self.seed, form)).encode()).digest()
        draft = achievement_credential(
            issuer=self.issuer_profile(),
            subject_id=f"did:example:learner-{fingerprint[16:22].hex()}",
            achievement=achievement(
                id=f"{WORKSHOP_ISSUER_URL}/achievements/{_slug(form.achievement_name)}",
                name=form.achievement_name,
                description=form.description,
                criteria=form.criteria,
                achievement_type=form.achievement_type,
                creator=self.key.did,
            ),
            valid_from=awarded,
            awarded_date=awarded,
            credential_id=f"urn:uuid:{uuid.UUID(bytes=fingerprint[:16], version=4)}",
            identity_email=form.learner_email,
            identity_salt=self.salt,
            status=status_entry(self.status_url, self.status_index),
        )
        # The name travels in plain text, the e-mail address only as a salted hash: the
        # contrast is what the identity step of the workshop is about.
        draft["credentialSubject"]["identifier"].insert(
            0,
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": form.learner_name,
            },
        )
        return draft

    def issue(self, form: CredentialForm) -> IssuedCredential:
        """Sign the form's credential (``eddsa-rdfc-2022``) and show it to the verifier.

        Starts a new round: the revocation list is reset to the one with no entry set,
        and any tampering is forgotten.
        """
        self.signed = issue_credential(self.draft(form), self.key, proof="eddsa-rdfc-2022")
        self.presented = self.signed.credential
        self.status_list = self._fresh_list
        self.changed = None
        return self.signed

    def _signed(self) -> IssuedCredential:
        if self.signed is None:
            raise WorkshopError(
                "no credential has been issued yet: call issue(CredentialForm(...)) first",
                code="nothing_issued",
            )
        return self.signed

    def _document(self, document: Mapping[str, Any] | None) -> Mapping[str, Any]:
        if document is not None:
            return document
        self._signed()
        assert self.presented is not None
        return self.presented

    def _options(self) -> dict[str, Any]:
        return {
            "status_lists": MappingStatusLists({self.status_url: self.status_list.credential}),
            "now": self.now,
        }

    def check(self, document: Mapping[str, Any] | None = None) -> Outcome:
        """Verify what the verifier is shown (or ``document``) against the current list.

        Raises
        ------
        WorkshopError
            ``nothing_issued`` before :meth:`issue`, when no ``document`` is given.
        """
        return Outcome(verify(self._document(document), **self._options()))

    def explain(self, document: Mapping[str, Any] | None = None) -> Explanation:
        """Verify as :meth:`check` does, keeping every intermediate value of the signature
        check (canonical N-Quads, hashes, signed bytes, signature, key)."""
        return explain(self._document(document), **self._options())

    def tamper(self, field: str, value: str) -> dict[str, Any]:
        """Change one field of the signed credential, leaving its proof as it was.

        Parameters
        ----------
        field : str
            A key of :data:`TAMPER_FIELDS`.
        value : str
            The new value.

        Returns
        -------
        dict
            The altered credential, which the verifier is now shown.

        Raises
        ------
        WorkshopError
            ``unknown_field`` for a field not offered, ``nothing_issued`` before
            :meth:`issue`.
        """
        if field not in TAMPER_FIELDS:
            raise WorkshopError(
                f"field must be one of {list(TAMPER_FIELDS)}, got {field!r}", code="unknown_field"
            )
        pointer, _ = TAMPER_FIELDS[field]
        original = self._signed().credential
        self.presented = tamper_field(original, pointer, value)
        self.changed = field
        return self.presented

    def restore(self) -> dict[str, Any]:
        """Show the verifier the credential exactly as it was signed again."""
        self.presented = self._signed().credential
        self.changed = None
        return self.presented

    def revoke(self) -> IssuedCredential:
        """Publish a new revocation list, signed by the issuer, with this credential's
        entry set. The credential itself does not change.

        Raises
        ------
        WorkshopError
            ``nothing_issued`` before :meth:`issue`.
        """
        self._signed()
        self.status_list = revoke(self._fresh_list, self.status_index, self.key)
        return self.status_list

    def unrevoke(self) -> IssuedCredential:
        """Go back to the list with no entry set (for re-running a workshop step; a real
        issuer cannot take a revocation back)."""
        self.status_list = self._fresh_list
        return self.status_list

    def field_value(self, field: str, document: Mapping[str, Any] | None = None) -> Any:
        """The current value of a :data:`TAMPER_FIELDS` field in what the verifier sees."""
        if field not in TAMPER_FIELDS:
            raise WorkshopError(
                f"field must be one of {list(TAMPER_FIELDS)}, got {field!r}", code="unknown_field"
            )
        node: Any = self._document(document)
        for part in TAMPER_FIELDS[field][0].strip("/").split("/"):
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def summary(self) -> str:
        """Who issued what to whom, in plain lines (no dates, so the text is stable).

        Raises
        ------
        WorkshopError
            ``nothing_issued`` before :meth:`issue`.
        """
        credential = self._signed().credential
        subject = credential["credentialSubject"]
        earned = subject["achievement"]
        names = [i["identityHash"] for i in subject["identifier"] if i["identityType"] == "name"]
        hashed = [i["identityType"] for i in subject["identifier"] if i.get("hashed")]
        lines = [
            f"Issuer: {credential['issuer']['name']}",
            f"Issuer's identifier: {credential['issuer']['id']}",
            f"Learner's name (plain text): {', '.join(names) or '(none)'}",
            f"Written only as a salted hash: {', '.join(hashed) or '(nothing)'}",
            f"Achievement: {earned['name']} ({earned['achievementType']})",
            f"Credential id: {credential['id']}",
            f"Revocation list entry: {self.status_index} of {self.status_url}",
        ]
        return "\n".join(lines)

    def describe_change(self) -> str:
        """What was changed after signing, old and new value, in one line."""
        original = self._signed().credential
        if self.changed is None:
            return "Nothing has been changed since the credential was signed."
        before = self.field_value(self.changed, original)
        after = self.field_value(self.changed)
        return (
            f"Changed the {self.changed} from {before!r} to {after!r} after signing; "
            "the proof was copied over unchanged."
        )

    def describe_state(self) -> str:
        """One line: whether the credential shown is as signed, and whether it is revoked."""
        self._signed()
        shown = (
            "the credential as signed"
            if self.changed is None
            else f"the credential with its {self.changed} changed after signing"
        )
        listed = "revoked in the issuer's list" if self.revoked else "not revoked"
        return f"The verifier is shown {shown}; it is {listed}."


def signature_text(explanation: Explanation) -> str:
    """The signature check step by step, as plain text without dates or paths.

    Parameters
    ----------
    explanation : Explanation
        From :meth:`Workshop.explain` (or :func:`lerkit.explain`).

    Returns
    -------
    str
        One line per step: the canonical form's size, the two SHA-256 hashes, what was
        signed, the signature and the public key.

    Examples
    --------
    >>> ws = Workshop(seed=1)
    >>> _ = ws.issue(CredentialForm())
    >>> print(signature_text(ws.explain()).splitlines()[0])
    Securing: data-integrity proof, cryptosuite eddsa-rdfc-2022
    """
    ex = explanation
    if ex.canonical_document is None or ex.document_hash is None:
        return f"The signature could not be checked: {ex.report.summary()}"
    statements = ex.canonical_document.count("\n")
    lines = [
        f"Securing: {ex.securing} proof, cryptosuite {ex.suite}",
        f"Canonical form ({ex.canonicalization}): {statements} statements, "
        f"{len(ex.canonical_document.encode())} bytes",
        f"Document hash (SHA-256 of the canonical form): {ex.document_hash}",
        f"Proof options hash (SHA-256): {ex.proof_hash}",
        f"Signed: the proof options hash then the document hash ({len(ex.signed_bytes)} bytes)",
        f"Signature ({len(ex.signature)} bytes): {ex.signature.hex()}",
        f"Public key (multibase): {ex.public_key}",
        f"Signature check: {ex.report.check('signature').status}",
    ]
    return "\n".join(lines)
