"""Resolve DIDs and verification method URLs to keys, offline by default."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from lerkit._fetch import fetch_bytes
from lerkit.dids._document import DidDocument, VerificationMethod, parse_document
from lerkit.dids._errors import DidError
from lerkit.dids._methods import (
    DidWebFolder,
    Fetch,
    did_jwk_document,
    did_key_document,
    did_web_url,
    load_json_document,
    parse_did_url,
    read_did_web_file,
)
from lerkit.proofs._errors import ProofError
from lerkit.proofs._jose import JosePublicKey, key_family
from lerkit.proofs._multikey import PublicKey, public_key_from_multibase

__all__ = ["controller_matches_issuer", "resolve", "resolve_verification_method"]

_SUPPORTED_METHODS = ("key", "jwk", "web")


def _web_folder(web_dir: DidWebFolder | str | os.PathLike[str] | None) -> DidWebFolder | None:
    if web_dir is None or isinstance(web_dir, DidWebFolder):
        return web_dir
    return DidWebFolder(web_dir)


def _download(url: str, fetch: Fetch, *, what: str, did: str) -> dict[str, Any]:
    # did:web URLs are always built as https; issuer profile URLs are checked here too.
    body = fetch_bytes(
        url,
        fetch,
        what=what,
        error=lambda message: DidError(message, code="did_web_unresolved", did=did, url=url),
    )
    return load_json_document(body, what=f"{what} downloaded from {url}", did=did)


def resolve(
    did_or_url: str,
    *,
    web_dir: DidWebFolder | str | os.PathLike[str] | None = None,
    allow_network: bool = False,
    fetch: Fetch | None = None,
) -> DidDocument:
    """Resolve a DID (or a DID URL; its fragment is ignored) to its DID document.

    Parameters
    ----------
    did_or_url : str
        ``did:key:…``, ``did:jwk:…`` or ``did:web:…``, optionally with ``#fragment``.
    web_dir : DidWebFolder or path, optional
        Local copies of ``did:web`` documents (see :class:`DidWebFolder` for the layout).
    allow_network : bool
        Download a ``did:web`` document that is not in ``web_dir``. Off by default.
    fetch : callable, optional
        ``fetch(url) -> bytes``, the downloader used when ``allow_network`` is True. lerkit
        has no HTTP client of its own; it only ever passes ``https://`` URLs.

    Returns
    -------
    DidDocument

    Raises
    ------
    DidError
        ``invalid_did``, ``unsupported_did_method``, ``did_web_unresolved`` (naming the
        expected file and URL), ``invalid_did_document``.

    Examples
    --------
    >>> doc = resolve("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp")
    >>> [m.type for m in doc], sorted(doc.verification_methods[0].relationships)[:2]
    (['Multikey'], ['assertionMethod', 'authentication'])
    """
    did, method, _ = parse_did_url(did_or_url)
    if method == "key":
        return parse_document(
            did_key_document(did),
            expected_id=did,
            method="key",
            source="generated",
            resolved_via="did:key",
        )
    if method == "jwk":
        return parse_document(
            did_jwk_document(did),
            expected_id=did,
            method="jwk",
            source="generated",
            resolved_via="did:jwk",
        )
    if method != "web":
        raise DidError(
            f"DID method {method!r} of {did!r} is not supported (supported: "
            f"{', '.join('did:' + m for m in _SUPPORTED_METHODS)})",
            code="unsupported_did_method",
            did=did,
        )

    url = did_web_url(did)
    folder = _web_folder(web_dir)
    if folder is not None:
        found = folder.find(did)
        if found is not None:
            return parse_document(
                read_did_web_file(found, did),
                expected_id=did,
                method="web",
                source=str(found),
                resolved_via="did:web",
            )
    if allow_network and fetch is not None:
        document = _download(url, fetch, what="DID document", did=did)
        return parse_document(
            document, expected_id=did, method="web", source=url, resolved_via="did:web"
        )
    expected = str(folder.path_for(did)) if folder is not None else None
    if expected is not None:
        where = f"expected a local copy at {expected}"
    else:
        where = f"no web_dir was given (a local copy would be <web_dir>/{DidWebFolder('.').relative_path(did).as_posix()})"
    network = (
        "allow_network=True was given without a fetch function"
        if allow_network
        else "network resolution is off (allow_network=False)"
    )
    raise DidError(
        f"cannot resolve {did}: its document is {url}; {where}, and {network}",
        code="did_web_unresolved",
        did=did,
        path=expected,
        url=url,
    )


def _check_purpose(method: VerificationMethod, purpose: str | None) -> VerificationMethod:
    if purpose is None or method.authorized_for(purpose):
        return method
    listed = ", ".join(sorted(method.relationships)) or "no relationship"
    code = (
        "not_authorized_for_assertion"
        if purpose == "assertionMethod"
        else "not_authorized_for_purpose"
    )
    raise DidError(
        f"verification method {method.id!r} is not authorized for {purpose} (its controller "
        f"lists it under: {listed})",
        code=code,
        did=method.did,
    )


def _fragment_key(fragment: str | None) -> PublicKey | None:
    """The public key a ``#z…`` fragment encodes, or None when it is not a multikey."""
    if not fragment or not fragment.startswith("z"):
        return None
    try:
        return public_key_from_multibase(fragment)
    except ProofError:
        return None


def _same_key(a: JosePublicKey, b: PublicKey) -> bool:
    # cryptography compares key material; keys of different types are never equal
    return bool(a == b)


def _from_profile(
    url: str, profile: Mapping[str, Any], purpose: str | None, source: str
) -> VerificationMethod:
    base, _, fragment = url.partition("#")
    profile_id = profile.get("id") if isinstance(profile, Mapping) else None
    if profile_id != base:
        raise DidError(
            f"the issuer profile given has id {profile_id!r}, but the verification method "
            f"{url!r} belongs to {base!r}",
            code="issuer_profile_mismatch",
            did=url,
        )
    document = parse_document(
        profile,
        expected_id=base,
        method="https",
        source=source,
        resolved_via="issuer-profile",
        default_relationships=frozenset({"assertionMethod"}),
        default_controller=base,
    )
    fragment_key = _fragment_key(fragment)
    chosen: VerificationMethod | None = None
    for method in document.verification_methods:
        if method.id == url:
            chosen = method
            break
    if chosen is None and fragment_key is not None:
        # The profile may list the key under another id; the key itself is what matters.
        chosen = next(
            (m for m in document.verification_methods if _same_key(m.public_key, fragment_key)),
            None,
        )
    if chosen is None:
        if url in document.unsupported_methods:
            return document.find(url)  # raises unsupported_verification_method
        raise DidError(
            f"the issuer profile {base!r} does not list the key {url!r} (it lists: "
            f"{', '.join(m.id for m in document.verification_methods) or 'no usable keys'})",
            code="verification_method_not_found",
            did=url,
        )
    if fragment_key is not None and not _same_key(chosen.public_key, fragment_key):
        raise DidError(
            f"the verification method URL {url!r} names a key in its fragment that differs "
            f"from the key the issuer profile lists under that id",
            code="verification_method_not_found",
            did=url,
        )
    return _check_purpose(chosen, purpose)


def resolve_verification_method(
    url: str,
    *,
    purpose: str | None = "assertionMethod",
    web_dir: DidWebFolder | str | os.PathLike[str] | None = None,
    allow_network: bool = False,
    fetch: Fetch | None = None,
    issuer_profile: Mapping[str, Any] | None = None,
    trust_fragment_keys: bool = False,
) -> VerificationMethod:
    """Find the key a proof's ``verificationMethod`` names, and check it may be used.

    DID URLs (``did:key``, ``did:jwk``, ``did:web``) are resolved with :func:`resolve`.
    A bare DID without a fragment is accepted when its document has exactly one usable
    method.

    HTTPS URLs are what Open Badges 3.0 issuers often use, typically with the key in the
    fragment: ``https://example.com/issuers/876543#z6Mk…`` (some use ``urn:uuid:…#z6Mk…``,
    which is handled the same way, except that it can never be downloaded). **Such a fragment proves
    nothing.** Anyone can write any key after the ``#`` of any URL; a signature that
    verifies with that key only shows that the credential was signed by whoever holds the
    key the credential itself names. A forger can generate a key pair, name
    ``https://real-college.edu/issuers/1`` as the issuer and
    ``https://real-college.edu/issuers/1#<the forger's public key>`` as the verification
    method: the signature verifies and the "controller" equals the issuer. The key is the
    issuer's only if the document at the URL, the issuer's profile, lists it. So by default the key is taken from an
    ``issuer_profile`` the caller supplies (a local, trusted copy whose ``id`` is the URL
    without the fragment, listing the key under ``verificationMethod``, ``assertionMethod``
    or the older ``publicKey``), or downloaded with ``fetch`` when ``allow_network`` is
    True. ``trust_fragment_keys=True`` restores the shortcut some validators take (the
    1EdTech validator does): the key is decoded from the fragment, the controller is
    taken to be the URL without the fragment, and ``resolved_via`` is ``"fragment"`` so
    reports can say the binding was assumed, not checked.

    Parameters
    ----------
    url : str
        The ``verificationMethod`` value.
    purpose : str or None
        The proof purpose the method must be authorized for (``"assertionMethod"`` for
        credentials, ``"authentication"`` for presentations); None skips the check.
    web_dir, allow_network, fetch
        As for :func:`resolve`; ``fetch`` is also used for an HTTPS issuer profile.
    issuer_profile : Mapping, optional
        A local issuer profile (controller document) for an HTTPS method URL. If it lists
        no verification relationships, listed keys count as ``assertionMethod``.
    trust_fragment_keys : bool
        Accept a key from an HTTPS URL fragment without any profile (see above).

    Returns
    -------
    VerificationMethod

    Raises
    ------
    DidError
        Any code of :func:`resolve`, plus ``verification_method_not_found``,
        ``unsupported_verification_method``, ``not_authorized_for_assertion`` (or
        ``not_authorized_for_purpose``), ``fragment_key_not_trusted`` and
        ``issuer_profile_mismatch``.

    Examples
    --------
    >>> did = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
    >>> method = resolve_verification_method(did + "#" + did[8:])
    >>> method.key_family, method.controller == did
    ('Ed25519', True)
    """
    if not isinstance(url, str) or not url:
        raise DidError(
            f"a verification method must be a URL string, got {url!r}", code="invalid_did"
        )
    if url.startswith("did:"):
        document = resolve(url, web_dir=web_dir, allow_network=allow_network, fetch=fetch)
        if "#" not in url:
            if len(document.verification_methods) != 1:
                raise DidError(
                    f"verification method {url!r} names no key (no #fragment), and its DID "
                    f"document has {len(document.verification_methods)} usable methods",
                    code="verification_method_not_found",
                    did=url,
                )
            return _check_purpose(document.verification_methods[0], purpose)
        return _check_purpose(document.find(url), purpose)

    base, _, fragment = url.partition("#")
    if ":" not in base:
        raise DidError(
            f"verification method {url!r} is not a URL (no scheme)",
            code="verification_method_not_found",
            did=url,
        )
    if issuer_profile is not None:
        return _from_profile(url, issuer_profile, purpose, source="issuer profile (given)")
    if allow_network and fetch is not None and url.startswith("https://"):
        profile = _download(base, fetch, what="issuer profile", did=url)
        return _from_profile(url, profile, purpose, source=base)
    fragment_key = _fragment_key(fragment)
    if fragment_key is not None and trust_fragment_keys:
        family = key_family(fragment_key)
        assert family is not None
        method = VerificationMethod(
            id=url,
            type="Multikey",
            controller=base,
            public_key=fragment_key,
            key_family=family,
            relationships=frozenset({"assertionMethod"}),
            resolved_via="fragment",
            data={
                "id": url,
                "type": "Multikey",
                "controller": base,
                "publicKeyMultibase": fragment,
            },
        )
        return _check_purpose(method, purpose)
    if fragment_key is not None:
        raise DidError(
            f"verification method {url!r} carries a key in its fragment, but nothing shows "
            f"that {base!r} controls that key: pass the issuer profile (issuer_profile=...), "
            "allow the download of it (allow_network=True, fetch=...), or accept the "
            "fragment as is (trust_fragment_keys=True)",
            code="fragment_key_not_trusted",
            did=url,
        )
    raise DidError(
        f"verification method {url!r} is not a DID URL; its key can only be found in the "
        "issuer profile: pass issuer_profile=..., or for an https URL allow_network=True "
        "with fetch=...",
        code="verification_method_not_found",
        did=url,
    )


def controller_matches_issuer(method: VerificationMethod, issuer: str | Mapping[str, Any]) -> bool:
    """Whether the credential's issuer is the one who controls ``method``.

    True when the issuer id (a string, or the ``id`` of an issuer object) equals the
    method's ``controller`` or the DID the method id belongs to (a DID document that lists
    a method authorizes it, whoever it names as controller). Comparison is exact.

    Examples
    --------
    >>> did = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
    >>> m = resolve_verification_method(did)
    >>> controller_matches_issuer(m, {"id": did}), controller_matches_issuer(m, "did:web:x")
    (True, False)
    """
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(issuer_id, str) or not issuer_id:
        return False
    return issuer_id in (method.controller, method.did)
