"""Status list credentials: build them (unsigned) and check a credential's status entry.

:func:`check_status` follows the validation algorithm of W3C Bitstring Status List v1.0
(section 3.2) from the point where the list credential is in hand: entry and list types,
the list's identity, purposes, ``statusSize`` / ``statusMessage``, expansion (bounded),
the minimum length and the index range. It does **not** verify the list credential's
proof, check that the list's issuer is the credential's issuer, or compare
``validFrom``/``validUntil`` with a clock: those belong to the verification pipeline,
which has the keys and the clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from lerkit.status._bitstring import MIN_ENTRIES, StatusList, decode_list, status_at
from lerkit.status._errors import StatusError

__all__ = [
    "BITSTRING_PURPOSES",
    "STATUS_LIST_2021_PURPOSES",
    "StatusKind",
    "StatusResult",
    "bitstring_status_list_credential",
    "check_status",
    "status_list_2021_credential",
    "status_list_entry",
]

#: Which status list specification an entry follows.
StatusKind = Literal["BitstringStatusList", "StatusList2021"]

#: statusPurpose values Bitstring Status List v1.0 defines.
BITSTRING_PURPOSES: tuple[str, ...] = ("revocation", "suspension", "refresh", "message")
#: statusPurpose values StatusList2021 defines.
STATUS_LIST_2021_PURPOSES: tuple[str, ...] = ("revocation", "suspension")

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
STATUS_LIST_2021_CONTEXT = "https://w3id.org/vc/status-list/2021/v1"

_ENTRY_KIND: dict[str, StatusKind] = {
    "BitstringStatusListEntry": "BitstringStatusList",
    "StatusList2021Entry": "StatusList2021",
}
_LIST_TYPES: dict[StatusKind, tuple[str, str]] = {
    # kind -> (credential type, credentialSubject type)
    "BitstringStatusList": ("BitstringStatusListCredential", "BitstringStatusList"),
    "StatusList2021": ("StatusList2021Credential", "StatusList2021"),
}
_DIGITS = re.compile(r"[0-9]{1,15}")
_HEX_STATUS = re.compile(r"0x[0-9A-Fa-f]+")


@dataclass(frozen=True, slots=True)
class StatusResult:
    """The status a list assigns to one credential.

    Attributes
    ----------
    purpose : str
        ``revocation``, ``suspension``, ``refresh`` or ``message``.
    index : int
        The entry's ``statusListIndex``.
    value : bool
        Whether the status is set (non-zero): for ``revocation``, True means revoked.
    status : int
        The raw status value (0 or 1 unless ``status_size`` > 1).
    status_size : int
        Bits per entry.
    message : str or None
        The ``statusMessage`` text for this value, when the list defines messages.
    list_url : str
        The entry's ``statusListCredential``.
    list_id : str or None
        The list credential's own ``id``.
    kind : {"BitstringStatusList", "StatusList2021"}
    entries : int
        How many entries the list holds.
    notes : tuple of str
        Tolerated deviations from the specification (a numeric index, a list whose ``id``
        differs from the URL it was retrieved from, ...), for reports to show.
    """

    purpose: str
    index: int
    value: bool
    status: int
    status_size: int
    message: str | None
    list_url: str
    list_id: str | None
    kind: StatusKind
    entries: int
    notes: tuple[str, ...] = ()


def _types(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str)]


def _string(entry: Mapping[str, Any], name: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip():
        raise StatusError(
            f"credentialStatus member {name!r} must be a non-empty string, got {value!r}",
            code="invalid_status_entry",
            field=name,
        )
    return value.strip()


def _index(entry: Mapping[str, Any], notes: list[str]) -> int:
    value = entry.get("statusListIndex")
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        # The spec says a base-10 string; 1EdTech's own fixtures use a JSON number.
        notes.append(f"statusListIndex is the number {value}, not the string {str(value)!r}")
        return value
    raise StatusError(
        f"statusListIndex must be a non-negative integer written as a base-10 string, "
        f"got {value!r}",
        code="invalid_status_entry",
        field="statusListIndex",
    )


def _status_size(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1 or value > 32:
        raise StatusError(
            f"statusSize in the {where} must be an integer from 1 to 32, got {value!r}",
            code="invalid_status_entry",
            field="statusSize",
        )
    return value


def _messages(value: Any, size: int, where: str) -> dict[int, str] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise StatusError(
            f"statusMessage in the {where} must be a list, got {type(value).__name__}",
            code="invalid_status_entry",
            field="statusMessage",
        )
    messages: dict[int, str] = {}
    for item in value:
        status = item.get("status") if isinstance(item, Mapping) else None
        text = item.get("message") if isinstance(item, Mapping) else None
        if not isinstance(status, str) or not _HEX_STATUS.fullmatch(status):
            raise StatusError(
                f"each statusMessage needs a 'status' like '0x1', got {item!r}",
                code="invalid_status_entry",
                field="statusMessage",
            )
        if not isinstance(text, str):
            raise StatusError(
                f"each statusMessage needs a string 'message', got {item!r}",
                code="invalid_status_entry",
                field="statusMessage",
            )
        messages[int(status, 16)] = text
    if len(messages) != 1 << size:
        raise StatusError(
            f"statusMessage in the {where} must define a message for each of the "
            f"{1 << size} values of a {size}-bit status, found {len(messages)}",
            code="invalid_status_entry",
            field="statusMessage",
        )
    return messages


def _subject(list_credential: Mapping[str, Any], url: str) -> Mapping[str, Any]:
    subject = list_credential.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if not isinstance(subject, Mapping):
        raise StatusError(
            f"the status list credential {url} must have one credentialSubject object, got "
            f"{type(subject).__name__}",
            code="status_list_type_mismatch",
            field="credentialSubject",
            url=url,
        )
    return subject


def check_status(
    credential_status_entry: Mapping[str, Any],
    status_list_credential: Mapping[str, Any],
    *,
    purpose: str | None = None,
    retrieved_from: str | None = None,
    minimum_entries: int = MIN_ENTRIES,
) -> StatusResult:
    """Read one credential's status from a status list credential, checking they match.

    Parameters
    ----------
    credential_status_entry : Mapping
        One ``credentialStatus`` entry of the credential (``BitstringStatusListEntry`` or
        ``StatusList2021Entry``).
    status_list_credential : Mapping
        The list credential (its proof should already have been verified by the caller).
    purpose : str, optional
        The question being asked (``"revocation"``, ``"suspension"``, ...); the entry
        must have this purpose. None accepts the entry's own purpose.
    retrieved_from : str, optional
        The URL the list credential was actually obtained from (as a
        :class:`~lerkit.status.StatusListSource` reports it). The entry's
        ``statusListCredential`` must equal the list's ``id``; the specification only
        says the list MAY carry that ``id``, so when the list's ``id`` is absent or
        different but ``retrieved_from`` equals the entry's URL, the list is accepted and
        the difference is recorded in :attr:`StatusResult.notes`.
    minimum_entries : int
        The herd-privacy floor (131,072 unless an ecosystem sets another).

    Returns
    -------
    StatusResult

    Raises
    ------
    StatusError
        ``unsupported_status_type``, ``invalid_status_entry``, ``status_purpose_mismatch``,
        ``status_list_id_mismatch``, ``status_list_type_mismatch``,
        ``malformed_status_list``, ``status_list_too_large``, ``status_list_too_short``,
        ``status_index_out_of_range``.

    Examples
    --------
    >>> status_list = StatusList()
    >>> status_list.set(7, True)
    >>> url = "https://example.edu/status/1"
    >>> list_vc = bitstring_status_list_credential(
    ...     status_list, id=url, issuer="did:example:1", valid_from="2024-01-01T00:00:00Z"
    ... )
    >>> entry = status_list_entry(url, 7, purpose="revocation")
    >>> check_status(entry, list_vc, purpose="revocation").value
    True
    """
    notes: list[str] = []
    if not isinstance(credential_status_entry, Mapping):
        raise StatusError(
            f"credentialStatus entry must be an object, got "
            f"{type(credential_status_entry).__name__}",
            code="invalid_status_entry",
        )
    entry = credential_status_entry
    kinds = [_ENTRY_KIND[t] for t in _types(entry.get("type")) if t in _ENTRY_KIND]
    if len(set(kinds)) != 1:
        raise StatusError(
            f"credentialStatus type {entry.get('type')!r} is not supported (expected "
            "'BitstringStatusListEntry' or 'StatusList2021Entry')",
            code="unsupported_status_type",
            field="type",
        )
    kind = kinds[0]
    entry_purpose = _string(entry, "statusPurpose")
    allowed_purposes = (
        BITSTRING_PURPOSES if kind == "BitstringStatusList" else STATUS_LIST_2021_PURPOSES
    )
    if entry_purpose not in allowed_purposes:
        notes.append(f"statusPurpose {entry_purpose!r} is not one the {kind} specification defines")
    if purpose is not None and purpose != entry_purpose:
        raise StatusError(
            f"asked about {purpose!r} status, but the credentialStatus entry has "
            f"statusPurpose {entry_purpose!r}",
            code="status_purpose_mismatch",
            field="statusPurpose",
        )
    index = _index(entry, notes)
    url = _string(entry, "statusListCredential")

    if not isinstance(status_list_credential, Mapping):
        raise StatusError(
            f"the status list credential must be an object, got "
            f"{type(status_list_credential).__name__}",
            code="status_list_type_mismatch",
            url=url,
        )
    list_credential = status_list_credential
    credential_type, subject_type = _LIST_TYPES[kind]
    if credential_type not in _types(list_credential.get("type")):
        raise StatusError(
            f"a {kind} entry needs a {credential_type}, but the list credential at {url} has "
            f"type {list_credential.get('type')!r}",
            code="status_list_type_mismatch",
            field="type",
            url=url,
        )
    list_id = list_credential.get("id")
    list_id = list_id if isinstance(list_id, str) else None
    if retrieved_from is not None and retrieved_from != url:
        raise StatusError(
            f"the status list was retrieved from {retrieved_from}, but the credential's "
            f"statusListCredential is {url}",
            code="status_list_id_mismatch",
            field="statusListCredential",
            url=url,
        )
    if list_id != url:
        if retrieved_from is None:
            raise StatusError(
                f"the credential's statusListCredential is {url}, but the status list "
                f"credential given has id {list_id!r}: it is not the list the credential "
                "names (pass retrieved_from= when the list was fetched from that URL)",
                code="status_list_id_mismatch",
                field="statusListCredential",
                url=url,
            )
        notes.append(f"the status list retrieved from {url} has id {list_id!r}, not its own URL")

    subject = _subject(list_credential, url)
    if subject_type not in _types(subject.get("type")):
        raise StatusError(
            f"the credentialSubject of the list at {url} must have type {subject_type!r}, got "
            f"{subject.get('type')!r}",
            code="status_list_type_mismatch",
            field="credentialSubject.type",
            url=url,
        )
    list_purposes = _types(subject.get("statusPurpose"))
    if entry_purpose not in [p.strip() for p in list_purposes]:
        raise StatusError(
            f"the credentialStatus entry has statusPurpose {entry_purpose!r}, but the status "
            f"list at {url} is for {subject.get('statusPurpose')!r}",
            code="status_purpose_mismatch",
            field="statusPurpose",
            url=url,
        )

    entry_size = _status_size(entry.get("statusSize"), "credentialStatus entry")
    list_size = _status_size(subject.get("statusSize"), "status list")
    if entry_size is not None and list_size is not None and entry_size != list_size:
        raise StatusError(
            f"statusSize is {entry_size} in the credentialStatus entry but {list_size} in the "
            f"status list at {url}",
            code="invalid_status_entry",
            field="statusSize",
            url=url,
        )
    size = entry_size or list_size or 1
    if kind == "StatusList2021" and size != 1:
        raise StatusError(
            f"StatusList2021 entries are one bit; statusSize {size} is not defined there",
            code="invalid_status_entry",
            field="statusSize",
            url=url,
        )
    messages = _messages(entry.get("statusMessage"), size, "credentialStatus entry")
    if messages is None:
        messages = _messages(subject.get("statusMessage"), size, "status list")
    if size > 1 and messages is None:
        # Bitstring Status List: statusMessage MUST be present when statusSize > 1.
        raise StatusError(
            f"statusSize is {size}, so statusMessage must define what each value means",
            code="invalid_status_entry",
            field="statusMessage",
            url=url,
        )

    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        raise StatusError(
            f"the status list at {url} has no string encodedList (got {type(encoded).__name__})",
            code="malformed_status_list",
            field="encodedList",
            url=url,
        )
    try:
        bits = decode_list(encoded, multibase=None)
    except StatusError as err:
        raise StatusError(err.message, code=err.code, field="encodedList", url=url) from err
    if kind == "BitstringStatusList" and not encoded.startswith("u"):
        notes.append("encodedList has no multibase 'u' prefix (pre-Recommendation form)")
    entries = len(bits) * 8 // size
    if entries < minimum_entries:
        raise StatusError(
            f"the status list at {url} has {entries} entries, fewer than the minimum "
            f"{minimum_entries} (STATUS_LIST_LENGTH_ERROR): a short list lets whoever serves "
            "it learn which credential is being checked",
            code="status_list_too_short",
            field="encodedList",
            url=url,
        )
    if index >= entries:
        raise StatusError(
            f"statusListIndex {index} is outside the status list at {url}, which has "
            f"{entries} entries (RANGE_ERROR)",
            code="status_index_out_of_range",
            field="statusListIndex",
            url=url,
        )
    status = status_at(bits, index, size)
    return StatusResult(
        purpose=entry_purpose,
        index=index,
        value=status != 0,
        status=status,
        status_size=size,
        message=messages.get(status) if messages is not None else None,
        list_url=url,
        list_id=list_id,
        kind=kind,
        entries=entries,
        notes=tuple(notes),
    )


def _date(value: datetime | str, name: str) -> str:
    if isinstance(value, str):
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")
    offset = value.utcoffset()
    if offset is not None and offset.total_seconds() == 0:
        return value.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.replace(microsecond=0).isoformat()


def _check_purpose(purpose: str, allowed: Sequence[str], kind: str) -> None:
    if purpose not in allowed:
        raise ValueError(f"{kind} statusPurpose must be one of {list(allowed)}, got {purpose!r}")


def bitstring_status_list_credential(
    status_list: StatusList,
    *,
    id: str,
    issuer: str | Mapping[str, Any],
    valid_from: datetime | str,
    purpose: str = "revocation",
    valid_until: datetime | str | None = None,
    ttl: int | None = None,
) -> dict[str, Any]:
    """Build an unsigned ``BitstringStatusListCredential`` (VC 2.0) for a list.

    Parameters
    ----------
    status_list : StatusList
        The list. For a multi-bit list (``status_size`` > 1), each credential's entry
        carries ``statusSize`` and ``statusMessage`` (see :func:`status_list_entry`).
    id : str
        The URL the list will be published at; credentials name it in
        ``statusListCredential``.
    issuer : str or Mapping
        The issuer (the same as that of the credentials the list covers).
    valid_from : datetime or str
        No hidden clock: the caller says when the list takes effect.
    purpose : str
        ``revocation`` (default), ``suspension``, ``refresh`` or ``message``.
    valid_until : datetime or str, optional
    ttl : int, optional
        Milliseconds a verifier may cache the list.

    Returns
    -------
    dict
        The credential, without a proof (signing is :mod:`lerkit.proofs`' job).
    """
    _check_purpose(purpose, BITSTRING_PURPOSES, "BitstringStatusList")
    subject: dict[str, Any] = {
        "id": f"{id}#list",
        "type": "BitstringStatusList",
        "statusPurpose": purpose,
        "encodedList": status_list.encode(multibase=True),
    }
    if ttl is not None:
        subject["ttl"] = ttl
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer if isinstance(issuer, str) else dict(issuer),
        "validFrom": _date(valid_from, "valid_from"),
    }
    if valid_until is not None:
        credential["validUntil"] = _date(valid_until, "valid_until")
    credential["credentialSubject"] = subject
    return credential


def status_list_2021_credential(
    status_list: StatusList,
    *,
    id: str,
    issuer: str | Mapping[str, Any],
    issuance_date: datetime | str,
    purpose: str = "revocation",
    expiration_date: datetime | str | None = None,
) -> dict[str, Any]:
    """Build an unsigned ``StatusList2021Credential`` (VC 1.1) for a one-bit list.

    The ``encodedList`` is plain base64url (no multibase prefix), as StatusList2021 has it.
    """
    _check_purpose(purpose, STATUS_LIST_2021_PURPOSES, "StatusList2021")
    if status_list.status_size != 1:
        raise ValueError("StatusList2021 lists have one bit per entry")
    credential: dict[str, Any] = {
        "@context": [VC_V1_CONTEXT, STATUS_LIST_2021_CONTEXT],
        "id": id,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": issuer if isinstance(issuer, str) else dict(issuer),
        "issuanceDate": _date(issuance_date, "issuance_date"),
    }
    if expiration_date is not None:
        credential["expirationDate"] = _date(expiration_date, "expiration_date")
    credential["credentialSubject"] = {
        "id": f"{id}#list",
        "type": "StatusList2021",
        "statusPurpose": purpose,
        "encodedList": status_list.encode(multibase=False),
    }
    return credential


def status_list_entry(
    list_url: str,
    index: int,
    *,
    purpose: str = "revocation",
    kind: StatusKind = "BitstringStatusList",
    entry_id: str | None = None,
    status_size: int | None = None,
    status_messages: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """Build the ``credentialStatus`` entry that points a credential at a list entry.

    ``statusListIndex`` is written as a base-10 string, as both specifications require;
    ``id`` defaults to ``<list_url>#<index>``.

    Examples
    --------
    >>> status_list_entry("https://example.edu/status/1", 94567)["statusListIndex"]
    '94567'
    """
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValueError(f"index must be a non-negative int, got {index!r}")
    allowed = BITSTRING_PURPOSES if kind == "BitstringStatusList" else STATUS_LIST_2021_PURPOSES
    _check_purpose(purpose, allowed, kind)
    entry: dict[str, Any] = {
        "id": entry_id or f"{list_url}#{index}",
        "type": "BitstringStatusListEntry"
        if kind == "BitstringStatusList"
        else "StatusList2021Entry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }
    if status_size is not None and status_size != 1:
        if kind != "BitstringStatusList":
            raise ValueError("only Bitstring Status List entries have a statusSize")
        entry["statusSize"] = status_size
        if status_messages is None or len(status_messages) != 1 << status_size:
            raise ValueError(
                f"statusSize {status_size} needs a message for each of its {1 << status_size} values"
            )
        entry["statusMessage"] = [
            {"status": hex(value), "message": text}
            for value, text in sorted(status_messages.items())
        ]
    return entry
