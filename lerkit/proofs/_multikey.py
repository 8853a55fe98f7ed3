"""Multikey encoding: ``publicKeyMultibase`` / ``secretKeyMultibase`` <-> cryptography keys.

A Multikey value is ``"z"`` + base58btc(multicodec varint prefix + key bytes):

=============  =============  ==============  ==========================================
key            multicodec     varint prefix   key bytes
=============  =============  ==============  ==========================================
ed25519-pub    0xed           ``ed 01``       32-byte public key (``z6Mk…``)
p256-pub       0x1200         ``80 24``       33-byte compressed SEC1 point (``zDn…``)
p384-pub       0x1201         ``81 24``       49-byte compressed SEC1 point (``z82…``)
ed25519-priv   0x1300         ``80 26``       32-byte seed (``z3u2…``)
p256-priv      0x1306         ``86 26``       32-byte big-endian scalar (``z42…``)
p384-priv      0x1307         ``87 26``       48-byte big-endian scalar
=============  =============  ==============  ==========================================

Only these three algorithms are accepted; anything else raises
:class:`~lerkit.proofs.ProofError` with code ``invalid_key``.

>>> from lerkit.proofs import public_key_from_multibase, public_key_to_multibase
>>> key = public_key_from_multibase("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")
>>> public_key_to_multibase(key)
'z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2'
"""

from __future__ import annotations

from typing import Literal

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lerkit.proofs._errors import ProofError

__all__ = [
    "KeyKind",
    "PrivateKey",
    "PublicKey",
    "key_kind",
    "private_key_from_multibase",
    "private_key_to_multibase",
    "public_key_from_multibase",
    "public_key_raw",
    "public_key_to_multibase",
]

#: A public key lerkit can verify with.
PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey
#: A private key lerkit can sign with.
PrivateKey = Ed25519PrivateKey | ec.EllipticCurvePrivateKey
#: The algorithms a Multikey value can name.
KeyKind = Literal["Ed25519", "P-256", "P-384"]

_PUBLIC_PREFIX: dict[KeyKind, bytes] = {
    "Ed25519": b"\xed\x01",
    "P-256": b"\x80\x24",
    "P-384": b"\x81\x24",
}
_PRIVATE_PREFIX: dict[KeyKind, bytes] = {
    "Ed25519": b"\x80\x26",
    "P-256": b"\x86\x26",
    "P-384": b"\x87\x26",
}
_PUBLIC_LENGTH: dict[KeyKind, int] = {"Ed25519": 32, "P-256": 33, "P-384": 49}
_PRIVATE_LENGTH: dict[KeyKind, int] = {"Ed25519": 32, "P-256": 32, "P-384": 48}
_CURVES: dict[KeyKind, ec.EllipticCurve] = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1()}
_CURVE_KIND: dict[str, KeyKind] = {"secp256r1": "P-256", "secp384r1": "P-384"}


def key_kind(key: object) -> KeyKind | None:
    """Return ``"Ed25519"``, ``"P-256"`` or ``"P-384"`` for a supported key, else None."""
    if isinstance(key, Ed25519PublicKey | Ed25519PrivateKey):
        return "Ed25519"
    if isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey):
        return _CURVE_KIND.get(key.curve.name)
    return None


def public_key_raw(key: PublicKey) -> bytes:
    """The key bytes Multikey carries: 32 raw bytes (Ed25519) or the compressed SEC1 point."""
    if isinstance(key, Ed25519PublicKey):
        return key.public_bytes_raw()
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)


def _decode(text: object, what: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z") or len(text) < 2:
        raise ProofError(
            f"{what} must be a base58btc multibase string starting with 'z', not {text!r}",
            code="invalid_key",
        )
    try:
        return base58.b58decode(text[1:])
    except ValueError as err:
        raise ProofError(
            f"{what} {text!r} is not valid base58btc: {err}", code="invalid_key"
        ) from err


def _split(
    data: bytes, prefixes: dict[KeyKind, bytes], lengths: dict[KeyKind, int], what: str, text: str
) -> tuple[KeyKind, bytes]:
    for kind, prefix in prefixes.items():
        if data.startswith(prefix):
            body = data[len(prefix) :]
            if len(body) != lengths[kind]:
                raise ProofError(
                    f"{what} {text!r} is a {kind} key of {len(body)} bytes; expected {lengths[kind]}",
                    code="invalid_key",
                )
            return kind, body
    raise ProofError(
        f"{what} {text!r} has multicodec prefix {data[:2].hex()}, which is not one of "
        + _expected_prefixes(prefixes),
        code="invalid_key",
    )


def _expected_prefixes(prefixes: dict[KeyKind, bytes]) -> str:
    return ", ".join(f"{p.hex()} ({k})" for k, p in prefixes.items())


def _decode_secret(text: object) -> tuple[KeyKind, bytes]:
    """Decode a ``secretKeyMultibase`` value; errors never show the value or a part of it.

    Not even the multibase character, an invalid base58 character or the leading bytes:
    a raw key pasted by mistake would otherwise leak there. Only its type, its length and
    which rule it broke are said.
    """
    what = "secretKeyMultibase"
    if not isinstance(text, str):
        raise ProofError(f"{what} must be a string, not {type(text).__name__}", code="invalid_key")
    shown = f"(value not shown: {len(text)} characters)"
    if not text.startswith("z") or len(text) < 2:
        raise ProofError(
            f"{what} must be a base58btc multibase string starting with 'z' {shown}",
            code="invalid_key",
        )
    try:
        data = base58.b58decode(text[1:])
    except ValueError:
        # from None: base58's own message quotes the offending character
        raise ProofError(
            f"{what} is not valid base58btc: it has a character outside the base58 "
            f"alphabet {shown}",
            code="invalid_key",
        ) from None
    for kind, prefix in _PRIVATE_PREFIX.items():
        if data.startswith(prefix):
            body = data[len(prefix) :]
            if len(body) != _PRIVATE_LENGTH[kind]:
                raise ProofError(
                    f"{what} is a {kind} private key of {len(body)} bytes; expected "
                    f"{_PRIVATE_LENGTH[kind]}",
                    code="invalid_key",
                )
            return kind, body
    # A public key pasted in its place is not secret, so say so; both prefix and length
    # must fit, so that no raw secret is described by its first bytes.
    public = next(
        (
            k
            for k, p in _PUBLIC_PREFIX.items()
            if data.startswith(p) and len(data) == len(p) + _PUBLIC_LENGTH[k]
        ),
        None,
    )
    if public is not None:
        found = f"the multicodec prefix of a {public} public key (publicKeyMultibase)"
    else:
        found = f"an unknown multicodec prefix {shown}"
    raise ProofError(
        f"{what} has {found}; a private key starts with one of "
        + _expected_prefixes(_PRIVATE_PREFIX),
        code="invalid_key",
    )


def public_key_from_multibase(text: str) -> PublicKey:
    """Decode a ``publicKeyMultibase`` value (Ed25519, P-256 or P-384).

    Parameters
    ----------
    text : str
        ``"z"`` + base58btc(multicodec prefix + key bytes), e.g. the fragment of a
        ``did:key`` verification method.

    Returns
    -------
    Ed25519PublicKey or EllipticCurvePublicKey

    Raises
    ------
    ProofError
        Code ``invalid_key`` for a malformed value, an unsupported multicodec, a wrong
        length or a point not on the curve.
    """
    data = _decode(text, "publicKeyMultibase")
    kind, body = _split(data, _PUBLIC_PREFIX, _PUBLIC_LENGTH, "publicKeyMultibase", text)
    try:
        if kind == "Ed25519":
            return Ed25519PublicKey.from_public_bytes(body)
        return ec.EllipticCurvePublicKey.from_encoded_point(_CURVES[kind], body)
    except ValueError as err:
        raise ProofError(
            f"publicKeyMultibase {text!r} is not a valid {kind} public key: {err}",
            code="invalid_key",
        ) from err


def public_key_to_multibase(key: PublicKey) -> str:
    """Encode a public key as ``publicKeyMultibase`` (compressed point for P-256/P-384).

    Raises
    ------
    ProofError
        Code ``invalid_key`` for a key type or curve Multikey does not cover here.
    """
    kind = key_kind(key)
    if kind is None or not isinstance(key, Ed25519PublicKey | ec.EllipticCurvePublicKey):
        raise ProofError(
            f"cannot encode {type(key).__name__} as Multikey: expected an Ed25519, P-256 "
            "or P-384 public key",
            code="invalid_key",
        )
    return "z" + base58.b58encode(_PUBLIC_PREFIX[kind] + public_key_raw(key)).decode("ascii")


def private_key_from_multibase(text: str) -> PrivateKey:
    """Decode a ``secretKeyMultibase`` value (Ed25519 seed, P-256 or P-384 scalar).

    Raises
    ------
    ProofError
        Code ``invalid_key`` for a malformed value, an unsupported multicodec, a wrong
        length or a scalar out of range. The message says which, and never contains the
        value or any part of it.
    """
    kind, body = _decode_secret(text)
    try:
        if kind == "Ed25519":
            return Ed25519PrivateKey.from_private_bytes(body)
        return ec.derive_private_key(int.from_bytes(body, "big"), _CURVES[kind])
    except ValueError:
        # from None: the cause would carry the scalar's bytes into tracebacks and logs
        raise ProofError(
            f"secretKeyMultibase is not a valid {kind} private key: the scalar is 0 or not "
            "less than the curve order",
            code="invalid_key",
        ) from None


def private_key_to_multibase(key: PrivateKey) -> str:
    """Encode a private key as ``secretKeyMultibase``.

    Raises
    ------
    ProofError
        Code ``invalid_key`` for a key type or curve Multikey does not cover here.
    """
    kind = key_kind(key)
    if isinstance(key, Ed25519PrivateKey):
        body = key.private_bytes_raw()
    elif isinstance(key, ec.EllipticCurvePrivateKey) and kind is not None:
        body = key.private_numbers().private_value.to_bytes(_PRIVATE_LENGTH[kind], "big")
    else:
        raise ProofError(
            f"cannot encode {type(key).__name__} as Multikey: expected an Ed25519, P-256 "
            "or P-384 private key",
            code="invalid_key",
        )
    assert kind is not None
    return "z" + base58.b58encode(_PRIVATE_PREFIX[kind] + body).decode("ascii")
