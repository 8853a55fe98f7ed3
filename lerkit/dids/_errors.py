"""The error raised when a DID or a verification method cannot be resolved.

::

    LerkitError
     └── DidError   a DID, DID document or verification method could not be resolved

It lives here rather than in :mod:`lerkit.errors` for now; the codes are stable either way.
"""

from __future__ import annotations

from lerkit.errors import LerkitError

__all__ = ["DidError"]


class DidError(LerkitError):
    """A DID, a DID document or a verification method could not be resolved or used.

    Codes
    -----
    ``invalid_did``
        The text is not a DID (or DID URL) lerkit accepts, or its method-specific part
        does not decode (a bad multikey, a bad JWK).
    ``unsupported_did_method``
        A well-formed DID whose method is not ``key``, ``jwk`` or ``web``.
    ``did_web_unresolved``
        A ``did:web`` document was not found locally and the network was not allowed
        (or the download failed). The message names the expected file and URL.
    ``invalid_did_document``
        A DID document (or issuer profile) is not a JSON object, or its ``id`` is not the
        DID that was resolved.
    ``verification_method_not_found``
        The document has no verification method with that id, or the URL cannot be
        dereferenced without more information.
    ``unsupported_verification_method``
        The method exists but its type or key (X25519, secp256k1, private key material,
        ...) cannot be used to verify.
    ``not_authorized_for_assertion``
        The method exists but is not listed under ``assertionMethod``, so it may not
        sign credentials. ``not_authorized_for_purpose`` is the same for other purposes.
    ``fragment_key_not_trusted``
        An HTTPS verification method URL carries a key in its fragment, and nothing
        binds that key to the URL's owner (see
        :func:`lerkit.dids.resolve_verification_method`).
    ``issuer_profile_mismatch``
        The issuer profile given is not the document the verification method URL names.
    ``invalid_jwk``
        A JSON Web Key is malformed or holds private key material.

    Attributes
    ----------
    did : str or None
        The DID or URL concerned.
    path : str or None
        For ``did_web_unresolved``: the local file that was expected.
    url : str or None
        For ``did_web_unresolved``: the HTTPS URL the DID maps to.
    """

    code = "did_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        did: str | None = None,
        path: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.did = did
        self.path = path
        self.url = url
