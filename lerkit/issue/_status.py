"""Signed Bitstring Status List credentials: publish, revoke, suspend (immutable style)."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal, cast

from lerkit.issue._credentials import (
    IssuedCredential,
    ProofFormat,
    format_datetime,
    issue_credential,
)
from lerkit.issue._errors import IssueError
from lerkit.issue._keys import IssuerKey
from lerkit.status import (
    MIN_ENTRIES,
    StatusList,
    bitstring_status_list_credential,
    status_list_entry,
)

__all__ = [
    "StatusPurpose",
    "revoke",
    "status_entry",
    "status_list_credential",
    "suspend",
    "unsuspend",
]

#: The one-bit purposes a list can have.
StatusPurpose = Literal["revocation", "suspension"]
_PURPOSES: tuple[str, ...] = ("revocation", "suspension")


def _check_purpose(purpose: str) -> None:
    if purpose not in _PURPOSES:
        raise IssueError(
            f"purpose must be one of {list(_PURPOSES)}, got {purpose!r}", code="invalid_argument"
        )


def status_entry(url: str, index: int, purpose: StatusPurpose = "revocation") -> dict[str, Any]:
    """The ``credentialStatus`` entry that points a credential at entry ``index`` of a list.

    Parameters
    ----------
    url : str
        The status list credential's URL (its ``id``).
    index : int
        The credential's position in the list. Assign positions at random, not in issue
        order, so the position says nothing about when or to whom it was issued.
    purpose : {"revocation", "suspension"}

    Raises
    ------
    IssueError
        ``invalid_argument`` for a negative index or an unknown purpose.

    Examples
    --------
    >>> status_entry("https://example.org/status/1", 42)["statusListIndex"]
    '42'
    """
    _check_purpose(purpose)
    try:
        return status_list_entry(url, index, purpose=purpose)
    except ValueError as err:
        raise IssueError(str(err), code="invalid_argument") from err


def status_list_credential(
    key: IssuerKey,
    *,
    url: str,
    valid_from: datetime | str,
    purpose: StatusPurpose = "revocation",
    size: int = MIN_ENTRIES,
    revoked: Iterable[int] = (),
    proof: ProofFormat = "eddsa-rdfc-2022",
    valid_until: datetime | str | None = None,
    created: datetime | str | None = None,
) -> IssuedCredential:
    """Make a signed ``BitstringStatusListCredential``, issued by the key's DID.

    Parameters
    ----------
    key : IssuerKey
        The issuer of the credentials the list covers: verifiers expect the same issuer.
    url : str
        Where the list will be published; its ``id``.
    valid_from : datetime or str
        When this version of the list takes effect (no clock is read).
    purpose : {"revocation", "suspension"}
    size : int
        Entries in the list; at least 131,072 (the specification's minimum, so a holder
        hides in a crowd when the list is fetched).
    revoked : iterable of int
        Entries whose status is set (revoked, or suspended for a suspension list).
    proof : str
        As for :func:`issue_credential`.
    valid_until, created : datetime or str, optional

    Returns
    -------
    IssuedCredential

    Raises
    ------
    IssueError
        As for :func:`issue_credential`.
    StatusError
        ``status_list_too_short`` or ``status_index_out_of_range``.

    Examples
    --------
    >>> from lerkit.issue import generate_key
    >>> key = generate_key(seed=bytes(32))
    >>> lst = status_list_credential(key, url="https://example.org/status/1",
    ...                              valid_from="2025-01-01T00:00:00Z", revoked=[3])
    >>> lst.document["credentialSubject"]["statusPurpose"]
    'revocation'
    """
    _check_purpose(purpose)
    bits = StatusList(size)
    for index in revoked:
        bits.set(index, True)
    unsigned = bitstring_status_list_credential(
        bits,
        id=url,
        issuer=key.did,
        valid_from=format_datetime(valid_from, "valid_from"),
        purpose=purpose,
        valid_until=None if valid_until is None else format_datetime(valid_until, "valid_until"),
    )
    return issue_credential(unsigned, key, proof=proof, created=created)


def _update(
    status_list: IssuedCredential,
    index: int,
    key: IssuerKey,
    *,
    value: bool,
    purpose: StatusPurpose,
    action: str,
    valid_from: datetime | str | None,
    created: datetime | str | None,
) -> IssuedCredential:
    credential = status_list.credential
    credential.pop("proof", None)
    types = credential.get("type")
    subject = credential.get("credentialSubject")
    if (
        not isinstance(types, list)
        or "BitstringStatusListCredential" not in types
        or not isinstance(subject, dict)
        or not isinstance(subject.get("encodedList"), str)
    ):
        raise IssueError(
            "not a BitstringStatusListCredential with an encodedList", code="invalid_argument"
        )
    if subject.get("statusPurpose") != purpose:
        raise IssueError(
            f"cannot {action} on a list whose statusPurpose is {subject.get('statusPurpose')!r}; "
            f"{action} needs a {purpose!r} list",
            code="status_purpose_mismatch",
        )
    # Lists made elsewhere may be shorter than the minimum; updating one does not make it so.
    bits = StatusList.from_encoded(subject["encodedList"], minimum_entries=1)
    bits.set(index, value)
    updated = copy.deepcopy(credential)
    updated["credentialSubject"]["encodedList"] = bits.encode()
    if valid_from is not None:
        updated["validFrom"] = format_datetime(valid_from, "valid_from")
    # issue_credential checks the name against the formats it knows
    proof = cast(ProofFormat, status_list.proof_type)
    return issue_credential(
        updated, key, proof=proof, created=created, jwt_form=status_list.jwt_form or "vc-jose"
    )


def revoke(
    status_list: IssuedCredential,
    index: int,
    key: IssuerKey,
    *,
    valid_from: datetime | str | None = None,
    created: datetime | str | None = None,
) -> IssuedCredential:
    """A new signed revocation list with entry ``index`` set; the input is unchanged.

    Parameters
    ----------
    status_list : IssuedCredential
        A revocation list from :func:`status_list_credential` (or a previous update).
    index : int
        The revoked credential's ``statusListIndex``.
    key : IssuerKey
        The list's issuer.
    valid_from : datetime or str, optional
        The new version's ``validFrom``; default: unchanged.
    created : datetime or str, optional
        The proof's ``created``; default: the list's ``validFrom``.

    Raises
    ------
    IssueError
        ``status_purpose_mismatch`` for a suspension list, ``issuer_mismatch`` for another
        issuer's key, ``invalid_argument`` for something that is not a status list.
    StatusError
        ``status_index_out_of_range``.

    Examples
    --------
    >>> from lerkit.issue import generate_key
    >>> from lerkit.status import check_status
    >>> key = generate_key(seed=bytes(32))
    >>> url = "https://example.org/status/1"
    >>> lst = status_list_credential(key, url=url, valid_from="2025-01-01T00:00:00Z")
    >>> newer = revoke(lst, 7, key)
    >>> check_status(status_entry(url, 7), newer.document).value
    True
    """
    return _update(
        status_list,
        index,
        key,
        value=True,
        purpose="revocation",
        action="revoke",
        valid_from=valid_from,
        created=created,
    )


def suspend(
    status_list: IssuedCredential,
    index: int,
    key: IssuerKey,
    *,
    valid_from: datetime | str | None = None,
    created: datetime | str | None = None,
) -> IssuedCredential:
    """A new signed suspension list with entry ``index`` set (see :func:`revoke`).

    Examples
    --------
    >>> suspended = suspend(suspension_list, 7, key)  # doctest: +SKIP
    """
    return _update(
        status_list,
        index,
        key,
        value=True,
        purpose="suspension",
        action="suspend",
        valid_from=valid_from,
        created=created,
    )


def unsuspend(
    status_list: IssuedCredential,
    index: int,
    key: IssuerKey,
    *,
    valid_from: datetime | str | None = None,
    created: datetime | str | None = None,
) -> IssuedCredential:
    """A new signed suspension list with entry ``index`` cleared (see :func:`revoke`).

    Revocation is final, so there is no ``unrevoke``.

    Examples
    --------
    >>> reinstated = unsuspend(suspended, 7, key)  # doctest: +SKIP
    """
    return _update(
        status_list,
        index,
        key,
        value=False,
        purpose="suspension",
        action="unsuspend",
        valid_from=valid_from,
        created=created,
    )
