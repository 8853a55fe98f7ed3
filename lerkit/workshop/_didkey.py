"""Take a ``did:key`` apart: the identifier is the public key itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import base58
import pandas as pd

from lerkit.dids import parse_did_url, resolve
from lerkit.proofs._multikey import _PUBLIC_LENGTH, _PUBLIC_PREFIX
from lerkit.workshop._errors import WorkshopError

__all__ = ["DidKeyParts", "decode_did_key"]

# multicodec varint prefix -> (codec name, key family, key length in bytes), from the
# one table lerkit's Multikey code uses
_CODEC_NAMES = {"Ed25519": "ed25519-pub", "P-256": "p256-pub", "P-384": "p384-pub"}
_CODECS: dict[bytes, tuple[str, str, int]] = {
    prefix: (_CODEC_NAMES[kind], kind, _PUBLIC_LENGTH[kind])
    for kind, prefix in _PUBLIC_PREFIX.items()
}


@dataclass(frozen=True, slots=True)
class DidKeyParts:
    """The pieces of a ``did:key`` and the DID document generated from it.

    Attributes
    ----------
    did : str
    multibase : str
        What follows ``did:key:``: ``z`` (base58btc) then the encoded bytes.
    codec : str
        The multicodec name (``ed25519-pub``, ``p256-pub``, ``p384-pub``).
    prefix : bytes
        The multicodec varint prefix (``ed 01`` for Ed25519).
    key_family : str
        ``Ed25519``, ``P-256`` or ``P-384``.
    public_key : bytes
        The raw public key.
    verification_method : str
        The id a proof's ``verificationMethod`` uses for this key.
    relationships : tuple of str
        What the generated document authorizes the key for.
    document : dict
        The generated DID document.
    """

    did: str
    multibase: str
    codec: str
    prefix: bytes
    key_family: str
    public_key: bytes
    verification_method: str
    relationships: tuple[str, ...]
    document: dict[str, Any]

    def table(self) -> pd.DataFrame:
        """The parts as rows of (part, value, meaning), for people."""
        rows = [
            ("method", "key", "the DID method: the identifier is the key itself"),
            ("multibase prefix", "z", "the rest is written in base58 (Bitcoin alphabet)"),
            (
                "multicodec prefix",
                self.prefix.hex(" "),
                f"the bytes that follow are an {self.codec} key",
            ),
            ("key type", self.key_family, "the signature algorithm the key belongs to"),
            (
                "public key (hex)",
                self.public_key.hex(),
                f"{len(self.public_key)} bytes: what checks the issuer's signatures",
            ),
            (
                "verification method",
                self.verification_method,
                "what a proof names to say which key signed it",
            ),
            (
                "authorized for",
                ", ".join(self.relationships),
                "assertionMethod lets the key sign credentials",
            ),
        ]
        return pd.DataFrame(rows, columns=["part", "value", "meaning"])


def decode_did_key(did: str) -> DidKeyParts:
    """Decode a ``did:key`` into its bytes and generate its DID document, offline.

    Parameters
    ----------
    did : str
        A ``did:key`` (``did:key:z6Mk...``), optionally with a ``#fragment``.

    Returns
    -------
    DidKeyParts

    Raises
    ------
    WorkshopError
        ``invalid_argument`` for a DID of another method.
    DidError
        ``invalid_did`` when the identifier does not hold a usable key.

    Examples
    --------
    >>> parts = decode_did_key("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp")
    >>> parts.key_family, parts.prefix.hex(), len(parts.public_key)
    ('Ed25519', 'ed01', 32)
    """
    base, method, _ = parse_did_url(did.strip() if isinstance(did, str) else did)
    if method != "key":
        raise WorkshopError(
            f"{did!r} is a did:{method}, not a did:key: only did:key holds its key in the "
            "identifier",
            code="invalid_argument",
        )
    # resolving first: it rejects identifiers that do not hold a valid key
    document = resolve(base)
    multibase = base.removeprefix("did:key:")
    raw = base58.b58decode(multibase[1:])
    prefix = raw[:2]
    if prefix not in _CODECS:
        raise WorkshopError(
            f"{did!r} holds a key type this explainer does not describe (prefix {prefix.hex()})",
            code="invalid_argument",
        )
    codec, family, _ = _CODECS[prefix]
    [first, *_rest] = document.verification_methods
    return DidKeyParts(
        did=base,
        multibase=multibase,
        codec=codec,
        prefix=prefix,
        key_family=family,
        public_key=raw[2:],
        verification_method=first.id,
        relationships=tuple(sorted(first.relationships)),
        document=document.document,
    )
