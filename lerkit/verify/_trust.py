"""Trust lists: the issuers a verifier knows, as verifier registries publish them."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lerkit.errors import VerificationError

__all__ = ["TrustList", "TrustedIssuer", "load_trust_list"]


@dataclass(frozen=True, slots=True)
class TrustedIssuer:
    """One issuer on a trust list."""

    id: str
    name: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class TrustList:
    """Issuers a verifier recognizes, by issuer id (a DID or URL).

    >>> trust = TrustList.of(["did:web:college.example"], name="demo")
    >>> trust.get("did:web:college.example") is not None, trust.get("did:web:x")
    (True, None)
    """

    issuers: Mapping[str, TrustedIssuer] = field(default_factory=dict)
    name: str = "trust list"

    @classmethod
    def of(cls, issuers: Iterable[str | TrustedIssuer], *, name: str = "trust list") -> TrustList:
        """A trust list from issuer ids or :class:`TrustedIssuer` records."""
        entries = [TrustedIssuer(i) if isinstance(i, str) else i for i in issuers]
        return cls({entry.id: entry for entry in entries}, name)

    def get(self, issuer_id: str | None) -> TrustedIssuer | None:
        """The entry for ``issuer_id``, or None."""
        return self.issuers.get(issuer_id) if issuer_id else None

    def __len__(self) -> int:
        return len(self.issuers)


def _entry(item: Any, where: str) -> TrustedIssuer:
    if isinstance(item, str) and item:
        return TrustedIssuer(item)
    if isinstance(item, Mapping) and isinstance(item.get("id"), str) and item["id"]:
        name = item.get("name")
        url = item.get("url")
        return TrustedIssuer(
            item["id"],
            name if isinstance(name, str) else None,
            url if isinstance(url, str) else None,
        )
    raise VerificationError(f"{where}: an issuer must be an id string or an object with an 'id'")


def load_trust_list(path: str | os.PathLike[str]) -> TrustList:
    """Read a trust list file (JSON or YAML).

    Accepted shapes: ``{"issuers": [{"id": ..., "name": ...}, ...]}`` (lerkit's own, with
    an optional ``"name"``), a plain list of issuer ids, or a Digital Credentials
    Consortium style registry ``{"registry": {"did:...": {"name": ...}}}``.

    Raises
    ------
    VerificationError
        When the file cannot be read or has none of these shapes.
    """
    location = Path(path)
    try:
        text = location.read_text(encoding="utf-8")
    except OSError as err:
        raise VerificationError(f"cannot read trust list {location}: {err.strerror}") from err
    try:
        data: Any = json.loads(text) if location.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as err:
        raise VerificationError(f"trust list {location} is not valid JSON or YAML: {err}") from err
    name = location.name
    if isinstance(data, Mapping) and isinstance(data.get("name"), str):
        name = data["name"]
    if isinstance(data, list):
        items: list[Any] = data
    elif isinstance(data, Mapping) and isinstance(data.get("issuers"), list):
        items = data["issuers"]
    elif isinstance(data, Mapping) and isinstance(data.get("registry"), Mapping):
        items = [
            {"id": key, **(value if isinstance(value, Mapping) else {})}
            for key, value in data["registry"].items()
        ]
    else:
        raise VerificationError(
            f"trust list {location} must be a list of issuer ids, an object with an "
            "'issuers' list, or a registry object with a 'registry' mapping"
        )
    entries = [_entry(item, f"trust list {location}, entry {n}") for n, item in enumerate(items)]
    return TrustList.of(entries, name=name)
