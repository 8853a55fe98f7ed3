"""JOSE compact JWS (VC-JWT) signing and verification, with a fixed algorithm policy.

Only four algorithms are accepted, each bound to one key type:

=========  ==========================  =================================================
``alg``    key                          signature
=========  ==========================  =================================================
EdDSA      Ed25519                      64 bytes (RFC 8037)
ES256      EC P-256                     raw ``r || s``, 64 bytes (RFC 7518 section 3.4)
ES384      EC P-384                     raw ``r || s``, 96 bytes
RS256      RSA, modulus >= 2048 bits    RSASSA-PKCS1-v1_5 with SHA-256
=========  ==========================  =================================================

Everything else (``none``, the HMAC algorithms ``HS256``/``HS384``/``HS512``, ``PS256``,
``ES512``, ``ES256K``, ...) is refused from the header alone, before any cryptography runs.
The key type must match ``alg``: the caller's key decides which algorithm may be used, the
token's header only claims one. That closes the classic confusion attacks, for example an
``HS256`` token "keyed" with the bytes of an RSA public key, or an ``ES256`` header on a
token checked with a P-384 key.

Keys carried in the token (``jwk``, ``jku``, ``x5c``, ``x5u`` headers) are never used;
``kid`` is reported so that the caller can resolve the key. :func:`verify_jws` returns the
artifacts or raises :class:`~lerkit.proofs.ProofError`; it never returns False. Checking
``nbf``/``exp``/``iat`` against a clock is the verification pipeline's job: they are only
decoded here.

>>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
>>> key = Ed25519PrivateKey.from_private_bytes(bytes(32))
>>> token = sign_jws({"iss": "did:example:1"}, key, kid="did:example:1#k")
>>> verify_jws(token, key.public_key()).payload_json
{'iss': 'did:example:1'}
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from lerkit._jws import DecodedJws, encode_compact, split_compact
from lerkit.errors import ParseError
from lerkit.proofs._errors import ProofError

__all__ = [
    "ALLOWED_ALGORITHMS",
    "MIN_RSA_BITS",
    "JoseArtifacts",
    "JosePrivateKey",
    "JosePublicKey",
    "KeyFamily",
    "algorithm_for_key",
    "key_family",
    "sign_jws",
    "verify_decoded_jws",
    "verify_jws",
]

#: The key families lerkit can verify with.
KeyFamily = Literal["Ed25519", "P-256", "P-384", "RSA"]
#: A public key :func:`verify_jws` accepts.
JosePublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
#: A private key :func:`sign_jws` accepts.
JosePrivateKey = Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

#: The only ``alg`` values accepted, in the order they are documented.
ALLOWED_ALGORITHMS: tuple[str, ...] = ("EdDSA", "ES256", "ES384", "RS256")
#: Smallest RSA modulus accepted, in bits (RFC 7518 section 3.3 requires 2048).
MIN_RSA_BITS = 2048

_ALG_FAMILY: dict[str, KeyFamily] = {
    "EdDSA": "Ed25519",
    "ES256": "P-256",
    "ES384": "P-384",
    "RS256": "RSA",
}
_FAMILY_ALG: dict[KeyFamily, str] = {family: alg for alg, family in _ALG_FAMILY.items()}
_EC_COORDINATE_BYTES = {"ES256": 32, "ES384": 48}
_EC_HASH: dict[str, type[hashes.SHA256] | type[hashes.SHA384]] = {
    "ES256": hashes.SHA256,
    "ES384": hashes.SHA384,
}
_CURVE_FAMILY: dict[str, KeyFamily] = {"secp256r1": "P-256", "secp384r1": "P-384"}
_TIME_CLAIMS = ("nbf", "exp", "iat")


@dataclass(frozen=True, slots=True)
class JoseArtifacts:
    """Everything :func:`verify_jws` computed, for reports and explainers.

    Attributes
    ----------
    header : dict
        The protected header.
    payload : bytes
        The payload bytes that were signed.
    payload_json : dict or None
        The payload as a JSON object (a VC-JWT's claims), or None when it is not one.
    signing_input : bytes
        ``BASE64URL(header) "." BASE64URL(payload)``, the exact bytes signed.
    signature : bytes
        The signature (raw ``r || s`` for ES256/ES384).
    alg : str
        The algorithm, one of :data:`ALLOWED_ALGORITHMS`.
    key_family : {"Ed25519", "P-256", "P-384", "RSA"}
        The family of the key the signature was checked with.
    kid : str or None
        The ``kid`` header, a hint for finding the key; never trusted on its own.
    typ : str or None
        The ``typ`` header (``"JWT"``, ``"vc+jwt"``, ...).
    nbf, exp, iat : datetime or None
        The JWT time claims (UTC), decoded but not checked against any clock.
    token : str
        The compact token.
    """

    header: dict[str, Any]
    payload: bytes
    payload_json: dict[str, Any] | None
    signing_input: bytes
    signature: bytes
    alg: str
    key_family: KeyFamily
    kid: str | None
    typ: str | None
    nbf: datetime | None
    exp: datetime | None
    iat: datetime | None
    token: str


def key_family(key: object) -> KeyFamily | None:
    """Name the family of a public or private key, or None when lerkit does not use it.

    Parameters
    ----------
    key : object
        A ``cryptography`` key object.

    Returns
    -------
    {"Ed25519", "P-256", "P-384", "RSA"} or None

    Examples
    --------
    >>> from cryptography.hazmat.primitives.asymmetric import ec
    >>> key_family(ec.generate_private_key(ec.SECP384R1()).public_key())
    'P-384'
    """
    if isinstance(key, Ed25519PublicKey | Ed25519PrivateKey):
        return "Ed25519"
    if isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey):
        return _CURVE_FAMILY.get(key.curve.name)
    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey):
        return "RSA"
    return None


def algorithm_for_key(key: object) -> str:
    """The one JWS ``alg`` lerkit pairs with a key.

    Raises
    ------
    ProofError
        Code ``key_type_mismatch`` for a key outside the policy (an Ed448 key, a P-521 key,
        an RSA key under 2048 bits, a ``bytes`` secret, ...).

    Examples
    --------
    >>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    >>> algorithm_for_key(Ed25519PrivateKey.generate())
    'EdDSA'
    """
    family = key_family(key)
    if family is None:
        raise ProofError(
            f"a {_describe_key(key)} cannot be used for JWS: lerkit accepts Ed25519 (EdDSA), "
            "P-256 (ES256), P-384 (ES384) and RSA >= 2048 bits (RS256) keys only",
            code="key_type_mismatch",
        )
    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey) and key.key_size < MIN_RSA_BITS:
        raise ProofError(
            f"RSA key of {key.key_size} bits is too small for RS256; at least {MIN_RSA_BITS} "
            "bits are required",
            code="key_type_mismatch",
        )
    return _FAMILY_ALG[family]


def _describe_key(key: object) -> str:
    if isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey):
        return f"EC key on curve {key.curve.name}"
    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey):
        return f"{key.key_size}-bit RSA key"
    if isinstance(key, bytes | bytearray | str):
        return f"{type(key).__name__} value (a shared secret, not a public key)"
    return type(key).__name__


def _check_alg_allowed(alg: str, allowed: Collection[str]) -> None:
    if alg not in allowed:
        if alg == "none":
            reason = "unsigned tokens ('alg': 'none') are never accepted"
        elif alg.startswith("HS"):
            reason = (
                "HMAC algorithms use a shared secret, so anyone who can verify can also forge; "
                "a credential must be signed with a private key"
            )
        elif alg in ALLOWED_ALGORITHMS:
            reason = "the caller restricted the algorithms for this token"
        else:
            reason = "it is not in lerkit's algorithm policy"
        raise ProofError(
            f"JWS algorithm {alg!r} is not allowed: {reason} (allowed: {', '.join(allowed)})",
            code="alg_not_allowed",
            field="alg",
        )


def _check_key_matches(alg: str, key: object, *, private: bool) -> KeyFamily:
    expected = _ALG_FAMILY[alg]
    wanted: tuple[type, ...]
    if private:
        wanted = (Ed25519PrivateKey, ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)
    else:
        wanted = (Ed25519PublicKey, ec.EllipticCurvePublicKey, rsa.RSAPublicKey)
    family = key_family(key)
    if not isinstance(key, wanted) or family != expected:
        role = "private" if private else "public"
        raise ProofError(
            f"JWS algorithm {alg!r} needs an {expected} {role} key, but a "
            f"{_describe_key(key)} was given",
            code="key_type_mismatch",
            field="alg",
        )
    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey) and key.key_size < MIN_RSA_BITS:
        raise ProofError(
            f"RSA key of {key.key_size} bits is too small for RS256; at least {MIN_RSA_BITS} "
            "bits are required",
            code="key_type_mismatch",
            field="alg",
        )
    return family


def _numeric_date(claims: Mapping[str, Any], name: str) -> datetime | None:
    value = claims.get(name)
    if value is None and name not in claims:
        return None
    # bool is an int in Python, but true/false is not a NumericDate
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProofError(
            f"JWT claim {name!r} must be a NumericDate (seconds since 1970), got {value!r}",
            code="malformed_jws",
            field=name,
        )
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError) as err:
        raise ProofError(
            f"JWT claim {name!r} is out of range for a date: {value!r}",
            code="malformed_jws",
            field=name,
        ) from err


def _optional_string(header: Mapping[str, Any], name: str) -> str | None:
    value = header.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProofError(
            f"JWS header {name!r} must be a string, got {value!r}",
            code="malformed_jws",
            field=name,
        )
    return value


def verify_jws(
    token: str,
    public_key: JosePublicKey,
    *,
    algorithms: Collection[str] | None = None,
) -> JoseArtifacts:
    """Verify a compact JWS with a known public key; raise if it does not verify.

    Parameters
    ----------
    token : str
        The compact JWS (e.g. a VC-JWT); surrounding whitespace is ignored.
    public_key : Ed25519PublicKey, EllipticCurvePublicKey or RSAPublicKey
        The key the caller trusts for this token's issuer. Its type decides which ``alg``
        is acceptable.
    algorithms : collection of str, optional
        Narrow the policy further (e.g. ``{"EdDSA"}``); it cannot widen it.

    Returns
    -------
    JoseArtifacts
        The decoded header, payload, signature and time claims.

    Raises
    ------
    ProofError
        ``malformed_jws`` (not a well-formed compact JWS, a non-string ``kid``/``typ``, a
        time claim that is not a NumericDate), ``unsupported_jws`` (``crit`` extensions or
        an unencoded payload), ``alg_not_allowed`` (``none``, ``HS256``, anything outside
        the policy; checked before any cryptography), ``key_type_mismatch`` (the key is
        not the type ``alg`` names, or RSA under 2048 bits), ``invalid_signature``.
    ValueError
        If ``algorithms`` names an algorithm outside :data:`ALLOWED_ALGORITHMS`.

    Examples
    --------
    >>> from cryptography.hazmat.primitives.asymmetric import ec
    >>> key = ec.generate_private_key(ec.SECP256R1())
    >>> token = sign_jws({"exp": 2000000000}, key)
    >>> result = verify_jws(token, key.public_key())
    >>> result.alg, result.key_family, result.exp.year
    ('ES256', 'P-256', 2033)
    """
    allowed = _allowed_algorithms(algorithms)
    try:
        decoded = split_compact(token)
    except ParseError as err:
        code = "unsupported_jws" if err.code == "unsupported_jws" else "malformed_jws"
        raise ProofError(f"not a usable compact JWS: {err.message}", code=code) from err
    return _verify_decoded(decoded, public_key, allowed)


def verify_decoded_jws(
    decoded: DecodedJws,
    public_key: JosePublicKey,
    *,
    algorithms: Collection[str] | None = None,
) -> JoseArtifacts:
    """:func:`verify_jws` for a token already split by :func:`lerkit._jws.split_compact`.

    For a caller that has read the token's claims before knowing the key (the
    verification pipeline): the token is not decoded a second time. Every check of
    :func:`verify_jws` after decoding applies, with the same errors.

    Parameters
    ----------
    decoded : DecodedJws
        What ``split_compact`` returned for the token (it checked the encoding).
    public_key : Ed25519PublicKey, EllipticCurvePublicKey or RSAPublicKey
        The key the caller trusts for this token's issuer.
    algorithms : collection of str, optional
        Narrow the policy further; it cannot widen it.

    Returns
    -------
    JoseArtifacts

    Raises
    ------
    ProofError
        As :func:`verify_jws`, except ``malformed_jws`` for the encoding, which
        ``split_compact`` checked.
    ValueError
        If ``algorithms`` names an algorithm outside :data:`ALLOWED_ALGORITHMS`.

    Examples
    --------
    >>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    >>> from lerkit._jws import split_compact
    >>> key = Ed25519PrivateKey.from_private_bytes(bytes(32))
    >>> decoded = split_compact(sign_jws({"iss": "did:example:1"}, key))
    >>> verify_decoded_jws(decoded, key.public_key()).alg
    'EdDSA'
    """
    return _verify_decoded(decoded, public_key, _allowed_algorithms(algorithms))


def _allowed_algorithms(algorithms: Collection[str] | None) -> tuple[str, ...]:
    if algorithms is None:
        return ALLOWED_ALGORITHMS
    extra = sorted(set(algorithms) - set(ALLOWED_ALGORITHMS))
    if extra:
        raise ValueError(
            f"algorithms {extra} are outside lerkit's JWS policy {list(ALLOWED_ALGORITHMS)}"
        )
    return tuple(alg for alg in ALLOWED_ALGORITHMS if alg in set(algorithms))


def _verify_decoded(
    decoded: DecodedJws, public_key: JosePublicKey, allowed: tuple[str, ...]
) -> JoseArtifacts:
    alg = decoded.alg
    _check_alg_allowed(alg, allowed)
    if "crit" in decoded.header:
        # RFC 7515 section 4.1.11: a recipient that does not understand a listed
        # extension must reject the token, and lerkit implements none.
        raise ProofError(
            f"JWS header lists critical extensions {decoded.header['crit']!r}, which lerkit "
            "does not implement",
            code="unsupported_jws",
            field="crit",
        )
    family = _check_key_matches(alg, public_key, private=False)
    kid = _optional_string(decoded.header, "kid")
    typ = _optional_string(decoded.header, "typ")

    signature = decoded.signature
    data = decoded.signing_input
    try:
        if isinstance(public_key, Ed25519PublicKey):
            if len(signature) != 64:
                raise InvalidSignature
            public_key.verify(signature, data)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            size = _EC_COORDINATE_BYTES[alg]
            if len(signature) != 2 * size:
                raise ProofError(
                    f"{alg} signature must be the raw r || s form of {2 * size} bytes, got "
                    f"{len(signature)} bytes (a DER-encoded signature is not valid in JWS)",
                    code="invalid_signature",
                    field="signature",
                )
            r = int.from_bytes(signature[:size], "big")
            s = int.from_bytes(signature[size:], "big")
            public_key.verify(encode_dss_signature(r, s), data, ec.ECDSA(_EC_HASH[alg]()))
        else:
            public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as err:
        raise ProofError(
            f"JWS signature does not verify: the {alg} signature over the header and payload "
            f"does not match the {family} key (the token was altered, or signed by another key)",
            code="invalid_signature",
            field="signature",
        ) from err

    claims = decoded.payload_json or {}
    nbf, exp, iat = (_numeric_date(claims, name) for name in _TIME_CLAIMS)
    return JoseArtifacts(
        header=decoded.header,
        payload=decoded.payload,
        payload_json=decoded.payload_json,
        signing_input=decoded.signing_input,
        signature=signature,
        alg=alg,
        key_family=family,
        kid=kid,
        typ=typ,
        nbf=nbf,
        exp=exp,
        iat=iat,
        token=decoded.token,
    )


def sign_jws(
    payload: Mapping[str, Any] | bytes,
    private_key: JosePrivateKey,
    *,
    alg: str | None = None,
    kid: str | None = None,
    typ: str | None = None,
    cty: str | None = None,
) -> str:
    """Sign a payload as a compact JWS under the same policy :func:`verify_jws` enforces.

    EdDSA and RS256 signatures are deterministic; ES256/ES384 use deterministic ECDSA
    (RFC 6979), so the same inputs always give the same token. The header is
    ``{"alg", "typ", "cty", "kid"}`` in that order, without the members left as None.

    Parameters
    ----------
    payload : Mapping or bytes
        JWT claims (serialized as compact UTF-8 JSON in the given key order) or raw bytes.
    private_key : Ed25519PrivateKey, EllipticCurvePrivateKey or RSAPrivateKey
        The signing key.
    alg : str, optional
        Defaults to the algorithm the key implies (:func:`algorithm_for_key`).
    kid : str, optional
        Key id for the header, e.g. a DID URL.
    typ : str, optional
        e.g. ``"JWT"`` (VC 1.1 JWT) or ``"vc+jwt"`` (VC-JOSE-COSE).
    cty : str, optional
        e.g. ``"vc"``.

    Returns
    -------
    str
        The compact JWS.

    Raises
    ------
    ProofError
        ``alg_not_allowed`` or ``key_type_mismatch`` as for :func:`verify_jws`.

    Examples
    --------
    >>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    >>> key = Ed25519PrivateKey.from_private_bytes(bytes(32))
    >>> sign_jws(b"hi", key) == sign_jws(b"hi", key)
    True
    """
    if alg is None:
        alg = algorithm_for_key(private_key)
    _check_alg_allowed(alg, ALLOWED_ALGORITHMS)
    _check_key_matches(alg, private_key, private=True)
    header: dict[str, str] = {"alg": alg}
    for name, value in (("typ", typ), ("cty", cty), ("kid", kid)):
        if value is not None:
            header[name] = value

    def sign(data: bytes) -> bytes:
        if isinstance(private_key, Ed25519PrivateKey):
            return private_key.sign(data)
        if isinstance(private_key, ec.EllipticCurvePrivateKey):
            size = _EC_COORDINATE_BYTES[alg]
            der = private_key.sign(data, ec.ECDSA(_EC_HASH[alg](), deterministic_signing=True))
            r, s = decode_dss_signature(der)
            return r.to_bytes(size, "big") + s.to_bytes(size, "big")
        return private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    return encode_compact(header, payload, sign)
