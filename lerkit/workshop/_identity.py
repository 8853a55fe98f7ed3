"""What a hashed identity hides, and what it gives away to someone with a guess.

Open Badges 3.0 lets an issuer write the learner's e-mail address as
``sha256$`` + SHA-256(address + salt), with the salt beside it. Without a guess the
address cannot be read back; with a guess anyone can check it, because the salt is
published. A name printed beside the hash makes guessing easy.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from lerkit.workshop._errors import WorkshopError

__all__ = ["guess_identity", "hashed_identities", "likely_emails"]

_DOMAINS: tuple[str, ...] = ("example.org", "example.com", "mail.example.net")


def hashed_identities(credential: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The hashed ``IdentityObject`` entries of a credential's subject.

    Examples
    --------
    >>> hashed_identities({"credentialSubject": {"identifier": [
    ...     {"identityType": "name", "hashed": False, "identityHash": "Ada"}]}})
    []
    """
    subject = credential.get("credentialSubject")
    found = subject.get("identifier") if isinstance(subject, Mapping) else None
    items = found if isinstance(found, list) else [found] if isinstance(found, Mapping) else []
    return [dict(item) for item in items if isinstance(item, Mapping) and item.get("hashed")]


def likely_emails(name: str, domains: Iterable[str] = _DOMAINS) -> list[str]:
    """E-mail addresses someone who knows a person's name would try first.

    Parameters
    ----------
    name : str
        The person's name, e.g. ``"Ada Example"``.
    domains : iterable of str
        Mail domains to try (an employer's, a school's, common providers).

    Returns
    -------
    list of str
        ``first.last``, ``firstlast``, ``flast``, ``first_last``, ``first`` and
        ``last.first`` at each domain, lower case, without repeats.

    Raises
    ------
    WorkshopError
        ``invalid_argument`` when the name has no letters.

    Examples
    --------
    >>> likely_emails("Ada Example", ["example.org"])[:3]
    ['ada.example@example.org', 'adaexample@example.org', 'aexample@example.org']
    """
    parts = re.findall(r"[a-z0-9]+", name.lower()) if isinstance(name, str) else []
    if not parts:
        raise WorkshopError(f"name must contain letters, got {name!r}", code="invalid_argument")
    first, last = parts[0], parts[-1]
    locals_ = [
        f"{first}.{last}",
        f"{first}{last}",
        f"{first[0]}{last}",
        f"{first}_{last}",
        first,
        f"{last}.{first}",
    ]
    guesses = [f"{local}@{domain}" for domain in domains for local in locals_]
    return list(dict.fromkeys(guesses))


def guess_identity(identity: Mapping[str, Any], candidates: Iterable[str]) -> pd.DataFrame:
    """Hash each candidate with the identity's published salt and compare.

    Parameters
    ----------
    identity : Mapping
        A hashed ``IdentityObject`` (``identityHash`` ``"sha256$<hex>"`` and ``salt``).
    candidates : iterable of str
        Guesses of the plaintext identity.

    Returns
    -------
    pandas.DataFrame
        One row per candidate: ``candidate``, ``hash`` (the first 16 hex digits of the
        candidate's salted hash) and ``matches`` (True when it equals the credential's).

    Raises
    ------
    WorkshopError
        ``invalid_argument`` when the identity is not a salted SHA-256 hash.

    Examples
    --------
    >>> from lerkit.issue import hashed_identity
    >>> found = hashed_identity("ada@example.org", "pepper")
    >>> guess_identity(found, ["bob@example.org", "ada@example.org"])["matches"].tolist()
    [False, True]
    """
    value = identity.get("identityHash")
    if not isinstance(value, str) or not value.startswith("sha256$"):
        raise WorkshopError(
            f"identityHash must be 'sha256$<hex>', got {value!r}", code="invalid_argument"
        )
    salt = identity.get("salt") or ""
    if not isinstance(salt, str):
        raise WorkshopError(f"salt must be a string, got {salt!r}", code="invalid_argument")
    target = value.removeprefix("sha256$").lower()
    rows = []
    for candidate in candidates:
        digest = hashlib.sha256((candidate + salt).encode("utf-8")).hexdigest()
        rows.append({"candidate": candidate, "hash": digest[:16], "matches": digest == target})
    return pd.DataFrame(rows, columns=["candidate", "hash", "matches"])
