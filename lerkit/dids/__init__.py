"""Resolve DIDs and verification methods to keys: did:key, did:jwk, did:web.

Nothing here touches the network unless asked: ``did:key`` and ``did:jwk`` documents are
generated from the identifier, ``did:web`` documents are read from a local folder
(:class:`DidWebFolder`), and a download happens only with ``allow_network=True`` and a
``fetch`` function the caller supplies.

>>> from lerkit.dids import resolve_verification_method
>>> did = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
>>> method = resolve_verification_method(f"{did}#{did[8:]}", purpose="assertionMethod")
>>> method.type, method.key_family
('Multikey', 'Ed25519')
"""

from __future__ import annotations

from lerkit.dids._document import RELATIONSHIPS, DidDocument, VerificationMethod
from lerkit.dids._errors import DidError
from lerkit.dids._jwk import public_key_from_jwk, public_key_to_jwk
from lerkit.dids._methods import (
    MAX_DOCUMENT_BYTES,
    DidWebFolder,
    Fetch,
    did_jwk_document,
    did_jwk_from_key,
    did_key_document,
    did_key_from_key,
    did_web_url,
    parse_did_url,
)
from lerkit.dids._resolve import controller_matches_issuer, resolve, resolve_verification_method

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "RELATIONSHIPS",
    "DidDocument",
    "DidError",
    "DidWebFolder",
    "Fetch",
    "VerificationMethod",
    "controller_matches_issuer",
    "did_jwk_document",
    "did_jwk_from_key",
    "did_key_document",
    "did_key_from_key",
    "did_web_url",
    "parse_did_url",
    "public_key_from_jwk",
    "public_key_to_jwk",
    "resolve",
    "resolve_verification_method",
]
