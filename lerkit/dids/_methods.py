"""The three DID methods lerkit resolves: ``did:key``, ``did:jwk`` and ``did:web``.

``did:key`` and ``did:jwk`` carry the key in the identifier, so their documents are
generated, never fetched. ``did:web`` documents are read from a local folder laid out like
the web server would be (:class:`DidWebFolder`); the network is used only when the caller
allows it and supplies the function that downloads.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lerkit._jws import b64url_decode, b64url_encode
from lerkit.dids._errors import DidError
from lerkit.dids._jwk import public_key_from_jwk, public_key_to_jwk
from lerkit.errors import ParseError
from lerkit.proofs._errors import ProofError
from lerkit.proofs._jose import JosePublicKey
from lerkit.proofs._multikey import PublicKey, public_key_from_multibase, public_key_to_multibase

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "DidWebFolder",
    "Fetch",
    "did_jwk_document",
    "did_jwk_from_key",
    "did_key_document",
    "did_key_from_key",
    "did_web_url",
    "load_json_document",
    "parse_did_url",
]

#: Largest DID document or issuer profile read from a file or a download.
MAX_DOCUMENT_BYTES = 1024 * 1024
#: Downloads a URL and returns the body; only ever called with ``https://`` URLs.
Fetch = Callable[[str], bytes]

_DID = re.compile(
    r"did:(?P<method>[a-z0-9]+):"
    r"(?P<msid>(?:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*:)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+)"
)
_HOST = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)
_PATH_SEGMENT = re.compile(r"[A-Za-z0-9._-]+")
_DID_CONTEXT = "https://www.w3.org/ns/did/v1"
_MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
_JWS_2020_CONTEXT = "https://w3id.org/security/suites/jws-2020/v1"
_ALL_RELATIONSHIPS = (
    "authentication",
    "assertionMethod",
    "capabilityInvocation",
    "capabilityDelegation",
)


def parse_did_url(text: str) -> tuple[str, str, str | None]:
    """Split a DID URL into ``(did, method, fragment)``.

    Raises
    ------
    DidError
        ``invalid_did`` when ``text`` is not a DID, or is a DID URL with a path, query or
        parameters (which lerkit does not dereference).

    Examples
    --------
    >>> parse_did_url("did:web:example.com#key-1")
    ('did:web:example.com', 'web', 'key-1')
    """
    if not isinstance(text, str):
        raise DidError(f"a DID must be a string, got {type(text).__name__}", code="invalid_did")
    base, sep, fragment = text.partition("#")
    match = _DID.match(base)
    if match is None:
        raise DidError(
            f"{text!r} is not a DID (expected 'did:<method>:<method-specific-id>')",
            code="invalid_did",
            did=text,
        )
    if match.end() != len(base):
        rest = base[match.end() :]
        raise DidError(
            f"{text!r} is a DID URL with {rest[:1]!r}{rest[1:20]!r}...: paths, queries and "
            "parameters are not supported, only a DID with an optional #fragment",
            code="invalid_did",
            did=text,
        )
    return base, match.group("method"), (fragment if sep else None)


# ---------------------------------------------------------------- did:key


def did_key_from_key(key: PublicKey) -> str:
    """The ``did:key`` of an Ed25519, P-256 or P-384 public key.

    Examples
    --------
    >>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    >>> did_key_from_key(Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key())
    'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp'
    """
    try:
        return "did:key:" + public_key_to_multibase(key)
    except ProofError as err:
        raise DidError(err.message, code="unsupported_verification_method") from err


def did_key_document(did: str) -> dict[str, Any]:
    """Generate the DID document of a ``did:key`` (W3C CCG did:key, Multikey form).

    The single verification method has the id ``<did>#<multibase>`` and type ``Multikey``
    and is listed under authentication, assertionMethod, capabilityInvocation and
    capabilityDelegation. (The optional X25519 ``keyAgreement`` key derived from an
    Ed25519 key is not generated: lerkit never encrypts.)

    Raises
    ------
    DidError
        ``invalid_did`` when the method-specific id is not a canonical Ed25519, P-256 or
        P-384 multikey.
    """
    _, method, _ = parse_did_url(did)
    if method != "key":
        raise DidError(f"{did!r} is not a did:key", code="invalid_did", did=did)
    multibase = did[len("did:key:") :]
    try:
        key = public_key_from_multibase(multibase)
    except ProofError as err:
        raise DidError(
            f"{did!r} does not hold a usable key: {err.message}", code="invalid_did", did=did
        ) from err
    if public_key_to_multibase(key) != multibase:
        raise DidError(
            f"{did!r} is not the canonical encoding of its key", code="invalid_did", did=did
        )
    method_id = f"{did}#{multibase}"
    document: dict[str, Any] = {
        "@context": [_DID_CONTEXT, _MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [
            {
                "id": method_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multibase,
            }
        ],
    }
    for relationship in _ALL_RELATIONSHIPS:
        document[relationship] = [method_id]
    return document


# ---------------------------------------------------------------- did:jwk


def did_jwk_from_key(key: JosePublicKey) -> str:
    """The ``did:jwk`` of a public key: base64url of its JWK with sorted members (JCS).

    Examples
    --------
    >>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    >>> did_jwk_from_key(Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key())[:30]
    'did:jwk:eyJjcnYiOiJFZDI1NTE5Ii'
    """
    jwk = public_key_to_jwk(key)
    text = json.dumps(jwk, sort_keys=True, separators=(",", ":"))
    return "did:jwk:" + b64url_encode(text.encode("utf-8"))


def _strict_object(data: bytes, what: str, did: str) -> dict[str, Any]:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, value in pairs:
            if name in result:
                raise ValueError(f"member {name!r} appears more than once")
            result[name] = value
        return result

    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise DidError(f"{what} is not JSON: {err}", code="invalid_did", did=did) from err
    if not isinstance(value, dict):
        raise DidError(f"{what} must be a JSON object", code="invalid_did", did=did)
    return value


def did_jwk_document(did: str) -> dict[str, Any]:
    """Generate the DID document of a ``did:jwk`` (did:jwk method specification).

    The single method ``<did>#0`` has type ``JsonWebKey2020``. A JWK with ``"use": "sig"``
    is not listed under keyAgreement, one with ``"use": "enc"`` only there.

    Raises
    ------
    DidError
        ``invalid_did`` when the identifier is not base64url JSON, or the JWK is malformed
        or holds private key material.
    """
    _, method, _ = parse_did_url(did)
    if method != "jwk":
        raise DidError(f"{did!r} is not a did:jwk", code="invalid_did", did=did)
    encoded = did[len("did:jwk:") :]
    try:
        raw = b64url_decode(encoded, what="did:jwk identifier")
    except ParseError as err:
        raise DidError(err.message, code="invalid_did", did=did) from err
    jwk = _strict_object(raw, "the did:jwk identifier", did)
    try:
        public_key_from_jwk(jwk)
    except DidError as err:
        if err.code != "unsupported_verification_method":
            raise DidError(
                f"{did!r} holds an unusable JWK: {err.message}", code="invalid_did", did=did
            ) from err
        # e.g. an X25519 key-agreement key: the document exists, it just cannot verify.
    method_id = f"{did}#0"
    document: dict[str, Any] = {
        "@context": [_DID_CONTEXT, _JWS_2020_CONTEXT],
        "id": did,
        "verificationMethod": [
            {"id": method_id, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk}
        ],
    }
    use = jwk.get("use")
    if use != "enc":
        for relationship in _ALL_RELATIONSHIPS:
            document[relationship] = [method_id]
    if use != "sig":
        document["keyAgreement"] = [method_id]
    return document


# ---------------------------------------------------------------- did:web


def _web_parts(did: str) -> tuple[str, list[str]]:
    """Return (host[:port], path segments) of a did:web, validated."""
    _, method, _ = parse_did_url(did)
    if method != "web":
        raise DidError(f"{did!r} is not a did:web", code="invalid_did", did=did)
    segments = did[len("did:web:") :].split(":")
    host = segments[0]
    port = None
    lowered = host.lower()
    if "%3a" in lowered:
        host, port = host[: lowered.index("%3a")], host[lowered.index("%3a") + 3 :]
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise DidError(f"{did!r} has an invalid port {port!r}", code="invalid_did", did=did)
    if "%" in host or _HOST.fullmatch(host) is None:
        raise DidError(f"{did!r} does not name a valid host: {host!r}", code="invalid_did", did=did)
    path = segments[1:]
    for segment in path:
        # "." and ".." would climb out of the folder (and are not a web path either);
        # percent-escapes could smuggle "/" in.
        if _PATH_SEGMENT.fullmatch(segment) is None or segment in (".", ".."):
            raise DidError(
                f"{did!r} has a path segment {segment!r} that lerkit does not map to a file "
                "(letters, digits, '.', '-' and '_' only; not '.' or '..')",
                code="invalid_did",
                did=did,
            )
    authority = host.lower() + (f":{int(port)}" if port is not None else "")
    return authority, path


def did_web_url(did: str) -> str:
    """The HTTPS URL of a ``did:web`` document (did:web method specification, Read).

    Examples
    --------
    >>> did_web_url("did:web:example.com")
    'https://example.com/.well-known/did.json'
    >>> did_web_url("did:web:example.com:user:alice")
    'https://example.com/user/alice/did.json'
    >>> did_web_url("did:web:localhost%3A8443")
    'https://localhost:8443/.well-known/did.json'
    """
    authority, path = _web_parts(did)
    return f"https://{authority}/{'/'.join(path or ['.well-known'])}/did.json"


def load_json_document(data: bytes, *, what: str, did: str) -> dict[str, Any]:
    """Parse a downloaded or stored DID document / profile (size-bounded, strict JSON)."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DidError(
            f"{what} is {len(data)} bytes, more than the limit of {MAX_DOCUMENT_BYTES}",
            code="invalid_did_document",
            did=did,
        )
    try:
        return _strict_object(data, what, did)
    except DidError as err:
        raise DidError(err.message, code="invalid_did_document", did=did) from err


class DidWebFolder:
    """A local folder that stands in for the web servers of ``did:web`` DIDs.

    The layout mirrors the URLs: the document of ``did:web:example.com`` is
    ``<root>/example.com/.well-known/did.json``, that of
    ``did:web:example.com:user:alice`` is ``<root>/example.com/user/alice/did.json``, and
    a port becomes part of the host folder (``<root>/localhost:8443/...``; the
    percent-encoded spelling ``localhost%3A8443`` is accepted too, for file systems that
    forbid ``:``). Host names are lower-cased.

    Parameters
    ----------
    root : str or path-like
        The folder.

    Examples
    --------
    >>> DidWebFolder("web").relative_path("did:web:example.com:user:alice").as_posix()
    'example.com/user/alice/did.json'
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"DidWebFolder({str(self.root)!r})"

    def relative_path(self, did: str) -> Path:
        """The document's path relative to :attr:`root`."""
        authority, path = _web_parts(did)
        return Path(authority, *(path or [".well-known"]), "did.json")

    def path_for(self, did: str) -> Path:
        """The file where the document of ``did`` is expected."""
        return self.root / self.relative_path(did)

    def find(self, did: str) -> Path | None:
        """The existing document file for ``did``, or None."""
        primary = self.path_for(did)
        candidates = [primary]
        relative = self.relative_path(did)
        if ":" in relative.parts[0]:
            alternative = relative.parts[0].replace(":", "%3A")
            candidates.append(self.root.joinpath(alternative, *relative.parts[1:]))
        root = self.root.resolve()
        for candidate in candidates:
            if candidate.is_file() and candidate.resolve().is_relative_to(root):
                return candidate
        return None


def read_did_web_file(path: Path, did: str) -> dict[str, Any]:
    """Read one local did:web document (size-bounded)."""
    with path.open("rb") as handle:
        data = handle.read(MAX_DOCUMENT_BYTES + 1)
    return load_json_document(data, what=f"DID document file {str(path)!r}", did=did)
