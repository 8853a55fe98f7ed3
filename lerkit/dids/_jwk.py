"""Public JSON Web Keys (RFC 7517/7518/8037) <-> ``cryptography`` key objects.

Only verification keys lerkit can use are read: OKP Ed25519, EC P-256 and P-384, RSA.
A JWK holding private key material (``d``, or the RSA CRT members) is refused: a DID
document or ``did:jwk`` that publishes a private key is broken, and using it would hide
that.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lerkit._jws import b64url_decode, b64url_encode
from lerkit.dids._errors import DidError
from lerkit.errors import ParseError
from lerkit.proofs._jose import JosePublicKey, KeyFamily, key_family

__all__ = ["public_key_from_jwk", "public_key_to_jwk"]

_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
_EC_CURVES: dict[str, tuple[ec.EllipticCurve, int]] = {
    "P-256": (ec.SECP256R1(), 32),
    "P-384": (ec.SECP384R1(), 48),
}
_CURVE_NAMES = {"secp256r1": "P-256", "secp384r1": "P-384"}


def _member(jwk: Mapping[str, Any], name: str) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise DidError(
            f"JWK member {name!r} must be a base64url string, got {value!r}", code="invalid_jwk"
        )
    try:
        return b64url_decode(value, what=f"JWK member {name!r}")
    except ParseError as err:
        raise DidError(err.message, code="invalid_jwk") from err


def public_key_from_jwk(jwk: Mapping[str, Any]) -> tuple[JosePublicKey, KeyFamily]:
    """Read a public JWK.

    Parameters
    ----------
    jwk : Mapping
        ``{"kty": "OKP", "crv": "Ed25519", "x": ...}``, ``{"kty": "EC", "crv": "P-256" or
        "P-384", "x": ..., "y": ...}`` or ``{"kty": "RSA", "n": ..., "e": ...}``.

    Returns
    -------
    (key, family)
        The ``cryptography`` public key and ``"Ed25519"``, ``"P-256"``, ``"P-384"`` or
        ``"RSA"``.

    Raises
    ------
    DidError
        Code ``invalid_jwk`` for private key material, a missing or non-canonical member,
        a coordinate of the wrong length, a point not on the curve; code
        ``unsupported_verification_method`` for a key type or curve lerkit does not verify
        with (X25519, Ed448, secp256k1, P-521, symmetric ``oct`` keys).

    Examples
    --------
    >>> key, family = public_key_from_jwk(
    ...     {"kty": "OKP", "crv": "Ed25519", "x": "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik"}
    ... )
    >>> family
    'Ed25519'
    """
    if not isinstance(jwk, Mapping):
        raise DidError(f"a JWK must be a JSON object, got {jwk!r}", code="invalid_jwk")
    private = [name for name in _PRIVATE_MEMBERS if name in jwk]
    if private:
        raise DidError(
            f"JWK contains private key material ({', '.join(private)}); only public keys may "
            "be published",
            code="invalid_jwk",
        )
    kty = jwk.get("kty")
    crv = jwk.get("crv")
    if kty == "OKP":
        if crv != "Ed25519":
            raise DidError(
                f"OKP JWK with curve {crv!r} cannot verify signatures here (only Ed25519)",
                code="unsupported_verification_method",
            )
        x = _member(jwk, "x")
        if len(x) != 32:
            raise DidError(f"Ed25519 JWK 'x' must be 32 bytes, got {len(x)}", code="invalid_jwk")
        return Ed25519PublicKey.from_public_bytes(x), "Ed25519"
    if kty == "EC":
        if not isinstance(crv, str) or crv not in _EC_CURVES:
            raise DidError(
                f"EC JWK with curve {crv!r} is not supported (only P-256 and P-384)",
                code="unsupported_verification_method",
            )
        curve, size = _EC_CURVES[crv]
        x, y = _member(jwk, "x"), _member(jwk, "y")
        if len(x) != size or len(y) != size:
            raise DidError(
                f"{crv} JWK coordinates must be {size} bytes each, got {len(x)} and {len(y)}",
                code="invalid_jwk",
            )
        numbers = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), curve
        )
        try:
            ec_key = numbers.public_key()
        except ValueError as err:
            raise DidError(
                f"{crv} JWK is not a point on the curve: {err}", code="invalid_jwk"
            ) from err
        return ec_key, "P-384" if crv == "P-384" else "P-256"
    if kty == "RSA":
        n, e = _member(jwk, "n"), _member(jwk, "e")
        if not n or not e or n[0] == 0 or e[0] == 0:
            raise DidError(
                "RSA JWK 'n' and 'e' must be non-empty and use the minimum number of octets",
                code="invalid_jwk",
            )
        try:
            rsa_key = rsa.RSAPublicNumbers(
                int.from_bytes(e, "big"), int.from_bytes(n, "big")
            ).public_key()
        except ValueError as err:
            raise DidError(f"RSA JWK is not a valid key: {err}", code="invalid_jwk") from err
        return rsa_key, "RSA"
    if kty == "oct":
        raise DidError(
            "symmetric ('oct') JWK cannot be a public verification key",
            code="unsupported_verification_method",
        )
    raise DidError(
        f"JWK key type {kty!r} is not supported (OKP, EC and RSA are)",
        code="unsupported_verification_method",
    )


def _fixed(value: int, size: int) -> str:
    return b64url_encode(value.to_bytes(size, "big"))


def _minimal(value: int) -> str:
    return b64url_encode(value.to_bytes((value.bit_length() + 7) // 8 or 1, "big"))


def public_key_to_jwk(key: JosePublicKey) -> dict[str, str]:
    """Write a public key as a JWK with only the required members, in JCS (sorted) order.

    Raises
    ------
    DidError
        Code ``unsupported_verification_method`` for a key outside Ed25519, P-256, P-384
        and RSA.

    Examples
    --------
    >>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    >>> public_key_to_jwk(Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key())
    {'crv': 'Ed25519', 'kty': 'OKP', 'x': 'O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik'}
    """
    family = key_family(key)
    if isinstance(key, Ed25519PublicKey):
        return {"crv": "Ed25519", "kty": "OKP", "x": b64url_encode(key.public_bytes_raw())}
    if isinstance(key, ec.EllipticCurvePublicKey) and family in ("P-256", "P-384"):
        size = 48 if family == "P-384" else 32
        numbers = key.public_numbers()
        crv = _CURVE_NAMES[key.curve.name]
        return {"crv": crv, "kty": "EC", "x": _fixed(numbers.x, size), "y": _fixed(numbers.y, size)}
    if isinstance(key, rsa.RSAPublicKey):
        rsa_numbers = key.public_numbers()
        return {"e": _minimal(rsa_numbers.e), "kty": "RSA", "n": _minimal(rsa_numbers.n)}
    raise DidError(
        f"cannot write a {type(key).__name__} as a JWK (Ed25519, P-256, P-384 and RSA only)",
        code="unsupported_verification_method",
    )
