"""Keyed pseudonyms (HMAC-SHA256) and redaction of direct identifiers in credentials.

A pseudonym is ``psn-`` and the first 32 hex digits (128 bits) of
HMAC-SHA256(key, domain NUL value): the same value gets the same pseudonym in every
table as long as the key and the domain (e.g. ``learners.learner_id``, which every
column referencing it shares) are the same, and without the key it can be neither
reversed nor recomputed from a guessed identifier. The key is read from a file or an
environment variable and is never written, logged or put in an error message.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from lerkit.errors import PrivacyError

__all__ = [
    "DATE_LEVELS",
    "MIN_KEY_BYTES",
    "DateLevel",
    "Pseudonymizer",
    "Redaction",
    "coarsen_date_text",
    "load_key",
    "redact_credential",
    "redact_credential_file",
]

#: The shortest key accepted (HMAC-SHA256 keys should carry at least 128 bits).
MIN_KEY_BYTES = 16
_PREFIX = "psn-"
_REDACTED = "[redacted]"
#: Keys of a credential subject that name or contact the person.
_SUBJECT_DROP = frozenset(
    {
        "name",
        "email",
        "identifier",
        "telephone",
        "phone",
        "address",
        "birthDate",
        "familyName",
        "givenName",
        "additionalName",
        "image",
        "source",
    }
)
_JWT_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "cnf"})
#: Keys dropped wherever they occur: salted identity hashes can be brute-forced.
_ANYWHERE_DROP = frozenset({"identityHash", "salt"})

#: How coarse the dates of an anonymized release are.
DateLevel = Literal["month", "quarter", "year"]
#: The date levels, finest first.
DATE_LEVELS: tuple[DateLevel, ...] = ("month", "quarter", "year")
# an ISO 8601 date or date-time (what VC validFrom / OB awardedDate / issuanceDate hold)
_ISO_DATE = re.compile(
    r"(?<![0-9])([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:([T ])[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?"
    r"(?![0-9])"
)
#: Keys whose values are identifiers or vocabulary, never dates to coarsen.
_NOT_DATES = frozenset({"id", "@context", "type", "@id", "@type"})


def coarsen_date_text(text: str, level: DateLevel) -> tuple[str, int]:
    """Every ISO date or date-time in ``text`` moved to the start of its month, quarter
    or year, keeping its shape (a date stays a date; a date-time becomes midnight UTC).

    Returns the new text and the number of dates changed. A string that merely looks
    like a date but is not one (month 13) is left alone.

    Examples
    --------
    >>> coarsen_date_text("2025-02-21T13:45:00Z", "quarter")
    ('2025-01-01T00:00:00Z', 1)
    >>> coarsen_date_text("awarded 2024-11-25, valid until 2027-11-25", "month")
    ('awarded 2024-11-01, valid until 2027-11-01', 2)
    """
    if level not in DATE_LEVELS:
        raise PrivacyError(
            f"unknown date level {level!r}; expected one of {', '.join(DATE_LEVELS)}",
            code="invalid_argument",
        )
    changed = 0

    def start(match: re.Match[str]) -> str:
        nonlocal changed
        year, month, day = (int(match.group(i)) for i in (1, 2, 3))
        try:
            dt.date(year, month, day)
        except ValueError:
            return match.group(0)
        if level == "quarter":
            month = 3 * ((month - 1) // 3) + 1
        elif level == "year":
            month = 1
        new = f"{year:04d}-{month:02d}-01"
        if match.group(4) is not None:
            # the time of day is finer than a day: midnight UTC carries no information
            new += f"{match.group(4)}00:00:00Z"
        if new != match.group(0):
            changed += 1
        return new

    return _ISO_DATE.sub(start, text), changed


def load_key(key_file: str | os.PathLike[str] | None = None, key_env: str | None = None) -> bytes:
    """Read the pseudonymization key from a file or an environment variable.

    Exactly one of ``key_file`` and ``key_env`` must be given. A file's bytes are
    used as they are, except surrounding whitespace (an editor's final newline).

    Raises
    ------
    PrivacyError
        ``no_key`` (neither or both given), ``key_unreadable`` (missing file, unset
        variable), ``weak_key`` (shorter than :data:`MIN_KEY_BYTES` bytes). Messages
        name the file or variable, never the key.

    Examples
    --------
    >>> import os
    >>> os.environ["LERKIT_DOCTEST_KEY"] = "correct horse battery staple"
    >>> len(load_key(key_env="LERKIT_DOCTEST_KEY"))
    28
    """
    if (key_file is None) == (key_env is None):
        raise PrivacyError(
            "give the pseudonymization key by exactly one of a key file or an environment variable",
            code="no_key",
        )
    if key_file is not None:
        try:
            key = Path(key_file).read_bytes().strip()
        except OSError as err:
            raise PrivacyError(
                f"cannot read the key file {str(key_file)!r}: {err.strerror}",
                code="key_unreadable",
            ) from None
        where = f"key file {str(key_file)!r}"
    else:
        assert key_env is not None
        value = os.environ.get(key_env)
        if value is None:
            raise PrivacyError(
                f"environment variable {key_env!r} is not set", code="key_unreadable"
            )
        key = value.strip().encode("utf-8")
        where = f"environment variable {key_env!r}"
    if len(key) < MIN_KEY_BYTES:
        raise PrivacyError(
            f"the key in {where} is {len(key)} bytes; at least {MIN_KEY_BYTES} are needed",
            code="weak_key",
        )
    return key


class Pseudonymizer:
    """Keyed, consistent pseudonyms for identifiers.

    Parameters
    ----------
    key : bytes
        At least :data:`MIN_KEY_BYTES` bytes (see :func:`load_key`).

    Examples
    --------
    >>> p = Pseudonymizer(b"0123456789abcdef")
    >>> p.pseudonym("lrn-1", "learner") == p.pseudonym("lrn-1", "learner")
    True
    >>> p.pseudonym("lrn-1", "learner").startswith("psn-")
    True
    """

    __slots__ = ("_cache", "_key")

    def __init__(self, key: bytes) -> None:
        if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
            raise PrivacyError(f"the key must be at least {MIN_KEY_BYTES} bytes", code="weak_key")
        self._key = key
        self._cache: dict[tuple[str, str], str] = {}

    def __repr__(self) -> str:
        return "<Pseudonymizer (key hidden)>"

    def pseudonym(self, value: str, domain: str) -> str:
        """The pseudonym of ``value`` within ``domain`` (e.g. ``learners.learner_id``)."""
        cached = self._cache.get((domain, value))
        if cached is not None:
            return cached
        digest = hmac.new(
            self._key, domain.encode("utf-8") + b"\0" + value.encode("utf-8"), hashlib.sha256
        ).hexdigest()
        result = _PREFIX + digest[:32]
        self._cache[(domain, value)] = result
        return result

    def series(self, values: pd.Series, domain: str) -> pd.Series:
        """Pseudonyms for a column (missing values stay missing).

        Distinct values are hashed once, then mapped back.
        """
        present = values.dropna()
        uniques = pd.unique(present.astype(str))
        mapping = {u: self.pseudonym(u, domain) for u in uniques}
        out = present.astype(str).map(mapping)
        result = pd.Series(pd.NA, index=values.index, dtype="string", name=values.name)
        result.loc[out.index] = out.astype("string")
        return result


@dataclass
class Redaction:
    """What :func:`redact_credential` changed in one credential."""

    proofs_removed: int = 0
    subject_ids_replaced: int = 0
    fields_removed: list[str] = field(default_factory=list)
    values_replaced: int = 0
    from_jwt: bool = False
    dates_coarsened: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "proofs_removed": self.proofs_removed,
            "subject_ids_replaced": self.subject_ids_replaced,
            "fields_removed": ";".join(sorted(set(self.fields_removed))),
            "values_replaced": self.values_replaced,
            "from_jwt": self.from_jwt,
            "dates_coarsened": self.dates_coarsened,
            "verifies": False,
        }


def redact_credential(
    document: Mapping[str, Any],
    pseudonymizer: Pseudonymizer,
    identifiers: Mapping[str, str] | Iterable[str] = (),
    *,
    dates: DateLevel | None = None,
) -> tuple[dict[str, Any], Redaction]:
    """A copy of a credential with the holder's direct identifiers removed.

    Removes every ``proof`` (the credential no longer verifies, by design: its
    signature covered the identifiers), replaces every ``credentialSubject.id`` with a
    keyed pseudonym (``urn:lerkit:pseudonym:...``, the same for the same holder),
    drops the subject's name, e-mail, ``identifier`` entries (salted identity hashes)
    and any ``identityHash``/``salt``, and replaces any string equal to one of
    ``identifiers`` (a mapping gives each value its replacement, e.g. a learner id's
    pseudonym; other values become ``[redacted]``). Nested credentials (a CLR's)
    are redacted the same way. With ``dates`` (``month``, ``quarter`` or ``year``),
    every date in a string value (``validFrom``, ``awardedDate``, ``issuanceDate``, a
    date inside a description...) moves to the start of its period
    (:func:`coarsen_date_text`); ids, types and contexts are left as they are.

    Examples
    --------
    >>> p = Pseudonymizer(b"0123456789abcdef")
    >>> doc = {"type": ["VerifiableCredential"], "credentialSubject": {"id": "did:key:z6Mk",
    ...        "name": "Ada", "identifier": [{"identityHash": "sha256$00", "salt": "ab"}]},
    ...        "proof": {"type": "DataIntegrityProof"}}
    >>> redacted, what = redact_credential(doc, p)
    >>> sorted(redacted["credentialSubject"]), "proof" in redacted, what.proofs_removed
    (['id'], False, 1)
    """
    replacements: Mapping[str, str] = (
        identifiers if isinstance(identifiers, Mapping) else dict.fromkeys(identifiers, _REDACTED)
    )
    # the holder's DID may recur outside credentialSubject (evidence, notes)
    holders = {
        holder: "urn:lerkit:pseudonym:" + pseudonymizer.pseudonym(holder, "holder")
        for holder in _subject_ids(document)
    }
    record = Redaction()
    # _redact builds new containers all the way down: the input is never modified
    result = _redact(dict(document), pseudonymizer, (holders, replacements), record, False)
    if dates is not None:
        result = _coarsen(result, dates, record)
    return result, record


def _coarsen(node: Any, level: DateLevel, record: Redaction, key: str | None = None) -> Any:
    if isinstance(node, dict):
        return {k: _coarsen(v, level, record, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_coarsen(item, level, record, key) for item in node]
    if isinstance(node, str) and key not in _NOT_DATES:
        text, changed = coarsen_date_text(node, level)
        record.dates_coarsened += changed
        return text
    return node


def _subject_ids(node: Any, is_subject: bool = False) -> Iterable[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if is_subject and key == "id" and isinstance(value, str):
                yield value
            else:
                yield from _subject_ids(value, key == "credentialSubject")
    elif isinstance(node, list):
        for item in node:
            yield from _subject_ids(item, is_subject)


def _redact(
    node: Any,
    pseudonymizer: Pseudonymizer,
    replacements: tuple[Mapping[str, str], ...],
    record: Redaction,
    is_subject: bool,
) -> Any:
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "proof":
                record.proofs_removed += len(value) if isinstance(value, list) else 1
                continue
            if key in _ANYWHERE_DROP or (is_subject and key in _SUBJECT_DROP):
                record.fields_removed.append(key)
                continue
            if is_subject and key == "id" and isinstance(value, str):
                out[key] = "urn:lerkit:pseudonym:" + pseudonymizer.pseudonym(value, "holder")
                record.subject_ids_replaced += 1
                continue
            out[key] = _redact(
                value, pseudonymizer, replacements, record, key == "credentialSubject"
            )
        return out
    if isinstance(node, list):
        return [_redact(item, pseudonymizer, replacements, record, is_subject) for item in node]
    if isinstance(node, str):
        for mapping in replacements:
            if node in mapping:
                record.values_replaced += 1
                return mapping[node]
    return node


def _jwt_payload(text: str) -> dict[str, Any]:
    parts = text.strip().split(".")
    if len(parts) != 3:
        raise PrivacyError(
            "not a compact JWS (three dot-separated parts)", code="unreadable_credential"
        )
    raw = parts[1] + "=" * (-len(parts[1]) % 4)
    payload = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
    if not isinstance(payload, dict):
        raise PrivacyError("the JWT payload is not a JSON object", code="unreadable_credential")
    # VC 1.1 JWTs carry the credential in "vc"; VC 2.0 (VC-JOSE) payloads are the credential
    vc = payload.get("vc")
    credential = dict(vc) if isinstance(vc, dict) else payload
    if isinstance(vc, dict):
        # VC 1.1 JWTs keep these in claims: restore them so the credential still parses
        if "jti" in payload:
            credential.setdefault("id", payload["jti"])
        if "iss" in payload:
            credential.setdefault("issuer", payload["iss"])
        if isinstance(payload.get("nbf"), int | float):
            moment = dt.datetime.fromtimestamp(payload["nbf"], dt.UTC)
            credential.setdefault("issuanceDate", moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
    # registered JWT claims are the envelope, not the credential; "sub" names the holder
    return {k: v for k, v in credential.items() if k not in _JWT_CLAIMS}


def redact_credential_file(
    source: Path,
    target: Path,
    pseudonymizer: Pseudonymizer,
    identifiers: Mapping[str, str] | Iterable[str] = (),
    *,
    dates: DateLevel | None = None,
) -> tuple[Path, Redaction]:
    """Redact one credential file (JSON or VC-JWT) into ``target``'s folder.

    A VC-JWT becomes the JSON credential it carries (``.json``: a JWT without its
    signature would not be a JWT). Returns the path written and what was changed.

    Raises
    ------
    PrivacyError
        ``unreadable_credential`` naming the file (never its contents).
    """
    try:
        text = source.read_text(encoding="utf-8")
        from_jwt = not text.lstrip().startswith("{")
        document = _jwt_payload(text) if from_jwt else json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise PrivacyError(
            f"cannot read the credential file {source.name!r}: {type(err).__name__}",
            code="unreadable_credential",
        ) from None
    if not isinstance(document, dict):
        raise PrivacyError(
            f"the credential file {source.name!r} does not hold a JSON object",
            code="unreadable_credential",
        )
    redacted, record = redact_credential(document, pseudonymizer, identifiers, dates=dates)
    record.from_jwt = from_jwt
    if from_jwt:
        record.proofs_removed += 1  # the JWS signature
        target = target.with_suffix(".json")
    target.parent.mkdir(parents=True, exist_ok=True)
    # compact: the C encoder (indent would fall back to pure Python, 5x slower)
    target.write_text(json.dumps(redacted, ensure_ascii=False) + "\n", encoding="utf-8")
    return target, record
