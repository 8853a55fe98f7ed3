"""Where status list credentials come from: local folders, memory, or an opt-in download.

A verifier that fetches a status list tells the list's publisher that *some* credential
on it is being checked, and when; so lerkit never fetches by default. A
:class:`StatusListSource` maps the URL a credential names to a document: the folder
source reads local copies, and downloads only through a ``fetch`` function the caller
passes in.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from lerkit._fetch import fetch_bytes
from lerkit._jws import looks_like_compact_jws, split_compact
from lerkit.errors import ParseError
from lerkit.status._errors import StatusError

__all__ = [
    "MAX_LIST_DOCUMENT_BYTES",
    "FolderStatusLists",
    "MappingStatusLists",
    "RetrievedStatusList",
    "StatusListSource",
]

#: Largest status list document read from a file or a download.
MAX_LIST_DOCUMENT_BYTES = 32 * 1024 * 1024

_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")
_AUTHORITY = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?")


@dataclass(frozen=True, slots=True)
class RetrievedStatusList:
    """A status list credential as obtained, **not verified**.

    Attributes
    ----------
    url : str
        The URL that was asked for (a credential's ``statusListCredential``).
    credential : dict
        The list credential: the JSON document, or for a VC-JWT the payload's ``vc``
        claim (or the payload itself for a VC 2.0 JOSE-secured list). Its proof or JWS
        signature has not been checked.
    location : str
        The file or URL it was read from.
    jws : str or None
        The compact JWS when the list is a VC-JWT, for signature verification.
    raw : bytes
        The bytes as read.
    """

    url: str
    credential: dict[str, Any]
    location: str
    jws: str | None = None
    raw: bytes = field(default=b"", repr=False)


@runtime_checkable
class StatusListSource(Protocol):
    """Anything that can look up a status list credential by its URL."""

    def get(self, url: str) -> RetrievedStatusList:
        """Return the list credential published at ``url``.

        Raises
        ------
        StatusError
            ``status_list_unavailable`` when there is no copy (or the download failed);
            ``malformed_status_list`` when the copy is not a JSON object or a VC-JWT.
        """
        ...


def _parse(data: bytes, url: str, location: str) -> RetrievedStatusList:
    if len(data) > MAX_LIST_DOCUMENT_BYTES:
        raise StatusError(
            f"the status list document at {location} is {len(data)} bytes, more than the "
            f"limit of {MAX_LIST_DOCUMENT_BYTES}",
            code="status_list_too_large",
            url=url,
        )
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError as err:
        raise StatusError(
            f"the status list document at {location} is not UTF-8 text",
            code="malformed_status_list",
            url=url,
        ) from err
    if looks_like_compact_jws(text):
        try:
            decoded = split_compact(text)
        except ParseError as err:
            raise StatusError(
                f"the status list at {location} is not a usable JWS: {err.message}",
                code="malformed_status_list",
                url=url,
            ) from err
        claims = decoded.payload_json or {}
        credential = claims.get("vc", claims)
        if not isinstance(credential, dict):
            raise StatusError(
                f"the status list JWT at {location} has no credential in its payload",
                code="malformed_status_list",
                url=url,
            )
        credential = dict(credential)
        if "id" not in credential and isinstance(claims.get("jti"), str):
            credential["id"] = claims["jti"]  # VC 1.1 JWT encoding moves id to jti
        return RetrievedStatusList(url, credential, location, jws=decoded.token, raw=data)
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise StatusError(
            f"the status list document at {location} is neither JSON nor a JWS: {err}",
            code="malformed_status_list",
            url=url,
        ) from err
    if not isinstance(document, dict):
        raise StatusError(
            f"the status list document at {location} must be a JSON object",
            code="malformed_status_list",
            url=url,
        )
    return RetrievedStatusList(url, document, location, raw=data)


def _download(url: str, fetch: Callable[[str], bytes]) -> RetrievedStatusList:
    data = fetch_bytes(
        url,
        fetch,
        what="the status list",
        error=lambda message: StatusError(message, code="status_list_unavailable", url=url),
    )
    return _parse(data, url, url)


class FolderStatusLists:
    """Status list credentials stored in a local folder.

    A URL is looked up, in order:

    1. in ``<folder>/index.json``, a JSON object mapping list URLs to file paths relative
       to the folder (``{"https://example.edu/status/3": "lists/status-3.json"}``);
    2. by a file named after the URL: ``https://example.edu/status/3`` ->
       ``<folder>/example.edu/status/3``, then the same with ``.json`` or ``.jwt``
       appended.

    Files are JSON credentials or compact VC-JWTs. Nothing outside the folder is read.

    Parameters
    ----------
    directory : str or path-like
        The folder.
    fetch : callable, optional
        ``fetch(url) -> bytes``, called for an https URL with no local copy. Leave it
        None (the default) to stay offline.

    Examples
    --------
    >>> FolderStatusLists("lists").candidates("https://example.edu/status/3")[0].as_posix()
    'lists/example.edu/status/3'
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        fetch: Callable[[str], bytes] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.fetch = fetch

    def __repr__(self) -> str:
        online = ", fetch=..." if self.fetch is not None else ""
        return f"FolderStatusLists({str(self.directory)!r}{online})"

    def _index(self) -> dict[str, str]:
        index_path = self.directory / "index.json"
        if not index_path.is_file():
            return {}
        try:
            index = json.loads(index_path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as err:
            raise StatusError(
                f"{index_path} is not a JSON object mapping URLs to files: {err}",
                code="status_list_unavailable",
            ) from err
        if not isinstance(index, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in index.items()
        ):
            raise StatusError(
                f"{index_path} must be a JSON object mapping URLs to relative file paths",
                code="status_list_unavailable",
            )
        return index

    def candidates(self, url: str) -> list[Path]:
        """The files that may hold the list at ``url``, in lookup order."""
        found: list[Path] = []
        indexed = self._index().get(url)
        if indexed is not None:
            found.append(self.directory / indexed)
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        host = parts.netloc.lower()
        safe = (
            parts.scheme in ("http", "https")
            and _AUTHORITY.fullmatch(host) is not None
            and ".." not in host
            and not parts.query
            and all(_SEGMENT.fullmatch(s) and s not in (".", "..") for s in segments)
        )
        if safe and segments:
            base = self.directory.joinpath(host, *segments)
            found.extend(
                [base, base.with_name(base.name + ".json"), base.with_name(base.name + ".jwt")]
            )
        return found

    def get(self, url: str) -> RetrievedStatusList:
        """Return the local copy of the list at ``url`` (or download it, if allowed)."""
        root = self.directory.resolve()
        tried = self.candidates(url)
        for path in tried:
            if path.is_file() and path.resolve().is_relative_to(root):
                with path.open("rb") as handle:
                    data = handle.read(MAX_LIST_DOCUMENT_BYTES + 1)
                return _parse(data, url, str(path))
        if self.fetch is not None:
            return _download(url, self.fetch)
        listed = ", ".join(str(p) for p in tried) or "no file name can be derived from it"
        raise StatusError(
            f"no local copy of the status list {url} (looked for: {listed}; or add it to "
            f"{self.directory / 'index.json'}), and downloading is off",
            code="status_list_unavailable",
            url=url,
        )


class MappingStatusLists:
    """Status list credentials held in memory: ``{url: credential dict or VC-JWT}``.

    Examples
    --------
    >>> source = MappingStatusLists({"https://example.edu/s/1": {"id": "https://example.edu/s/1"}})
    >>> source.get("https://example.edu/s/1").location
    'memory'
    """

    def __init__(self, lists: Mapping[str, Mapping[str, Any] | str]) -> None:
        self.lists = dict(lists)

    def get(self, url: str) -> RetrievedStatusList:
        """Return the list registered for ``url``."""
        if url not in self.lists:
            raise StatusError(
                f"no status list is registered for {url}",
                code="status_list_unavailable",
                url=url,
            )
        value = self.lists[url]
        if isinstance(value, str):
            return _parse(value.encode("utf-8"), url, "memory")
        return RetrievedStatusList(url, dict(value), "memory")
