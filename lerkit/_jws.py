"""Compact JWS (RFC 7515) helpers: sniff, split and build tokens.

Nothing here verifies a signature. :func:`split_compact` checks that a token is
well formed and decodes its parts so that callers can show them, or hand them to
the verification code together with the key.

The checks are deliberately strict (canonical base64url, no duplicate JSON
members, bounded sizes): a token that two libraries could read differently is
rejected rather than guessed at.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lerkit.errors import ParseError

__all__ = [
    "MAX_HEADER_CHARS",
    "MAX_TOKEN_CHARS",
    "DecodedJws",
    "b64url_decode",
    "b64url_encode",
    "encode_compact",
    "looks_like_compact_jws",
    "split_compact",
]

#: Largest token accepted, in characters. Credentials may embed images as data
#: URIs, so this is generous, but it keeps a hostile file from exhausting memory.
MAX_TOKEN_CHARS = 8 * 1024 * 1024
#: Largest encoded JOSE header accepted (room for an ``x5c`` certificate chain).
MAX_HEADER_CHARS = 64 * 1024

_SEGMENT_NAMES = ("header", "payload", "signature")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
# A JOSE header is a JSON object, so its encoding starts with "ey" ('{"' or '{ ')
# or "ew" ('{' then a newline or tab). Requiring that keeps host names such as
# "www.example.org" from looking like a token.
_COMPACT_JWS = re.compile(r"e[wy][A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_WHITESPACE = " \t\r\n"


@dataclass(frozen=True, slots=True)
class DecodedJws:
    """The decoded parts of a compact JWS. Nothing here has been verified.

    Attributes
    ----------
    header : dict
        The JOSE protected header (always has a string ``alg``).
    payload : bytes
        The decoded payload.
    payload_json : dict or None
        The payload parsed as a JSON object, or None when it is not one.
    signing_input : bytes
        ``ASCII(BASE64URL(header) || "." || BASE64URL(payload))``, the bytes a
        signature is computed over.
    signature : bytes
        The decoded signature (empty only for ``alg: none``).
    token : str
        The token itself, without surrounding whitespace.
    """

    header: dict[str, Any]
    payload: bytes
    payload_json: dict[str, Any] | None
    signing_input: bytes
    signature: bytes
    token: str

    @property
    def alg(self) -> str:
        """The ``alg`` header parameter, e.g. ``"EdDSA"`` or ``"RS256"``."""
        alg: str = self.header["alg"]
        return alg


def b64url_encode(data: bytes) -> str:
    """Encode bytes as base64url without padding (RFC 7515 section 2).

    Parameters
    ----------
    data : bytes
        The bytes to encode.

    Returns
    -------
    str
        The unpadded base64url text.

    Examples
    --------
    >>> b64url_encode(b'{"alg":"none"}')
    'eyJhbGciOiJub25lIn0'
    """
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str, *, what: str = "value") -> bytes:
    """Decode strict, unpadded, canonical base64url.

    Parameters
    ----------
    text : str
        The base64url text, without ``=`` padding.
    what : str
        What the text is, for the error message (e.g. ``"JWS header"``).

    Returns
    -------
    bytes
        The decoded bytes.

    Raises
    ------
    ParseError
        With code ``invalid_base64url`` when the text has padding, a character
        outside the base64url alphabet, an impossible length, or non-zero unused
        bits (a non-canonical encoding that other decoders might read differently).

    Examples
    --------
    >>> b64url_decode("eyJhbGciOiJub25lIn0")
    b'{"alg":"none"}'
    """
    if _BASE64URL.fullmatch(text) is None:
        bad = next(ch for ch in text if _BASE64URL.fullmatch(ch) is None)
        raise ParseError(
            f"{what} is not base64url: character {bad!r} is not allowed "
            "(padding '=' and the '+' '/' alphabet are not used)",
            code="invalid_base64url",
        )
    if len(text) % 4 == 1:
        raise ParseError(
            f"{what} is not base64url: length {len(text)} is impossible for base64",
            code="invalid_base64url",
        )
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as err:  # pragma: no cover - the checks above rule this out
        raise ParseError(f"{what} is not base64url: {err}", code="invalid_base64url") from err
    if b64url_encode(data) != text:
        raise ParseError(
            f"{what} is not canonical base64url: its last character {text[-1]!r} "
            "sets bits that decoders ignore",
            code="invalid_base64url",
        )
    return data


class _DuplicateMemberError(ValueError):
    pass


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateMemberError(key)
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; Python accepts them by default.
    raise ValueError(f"{name} is not valid JSON")


def _strict_json(data: bytes) -> Any:
    """Parse UTF-8 JSON, rejecting duplicate members and NaN/Infinity.

    Raises ``UnicodeDecodeError``, ``json.JSONDecodeError`` (a ``ValueError``) or
    ``_DuplicateMemberError``.
    """
    return json.loads(
        data.decode("utf-8"),
        object_pairs_hook=_object_without_duplicates,
        parse_constant=_reject_constant,
    )


def _too_deep(segment: str) -> ParseError:
    # json.loads recurses once per nesting level; a hostile token can exhaust the stack.
    return ParseError(f"JWS {segment} JSON nests too deeply to decode", code="too_deeply_nested")


def _excerpt(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def looks_like_compact_jws(text: str | bytes, *, max_chars: int = MAX_TOKEN_CHARS) -> bool:
    """Cheaply tell whether ``text`` has the shape of a compact JWS.

    Only the shape is checked (three base64url segments, the first starting like
    an encoded JSON object); use :func:`split_compact` to decode and validate.

    Parameters
    ----------
    text : str or bytes
        Candidate text; surrounding whitespace is ignored.
    max_chars : int
        Longer inputs are not considered tokens.

    Returns
    -------
    bool
        Whether the text looks like a compact JWS.

    Examples
    --------
    >>> looks_like_compact_jws("eyJhbGciOiJFZERTQSJ9.eyJhIjoxfQ.c2ln")
    True
    >>> looks_like_compact_jws("www.example.org")
    False
    """
    if len(text) > max_chars + 64:  # leave room for surrounding whitespace
        return False
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError:
            return False
    stripped = text.strip(_WHITESPACE)
    return len(stripped) <= max_chars and _COMPACT_JWS.fullmatch(stripped) is not None


def split_compact(token: str, *, max_chars: int = MAX_TOKEN_CHARS) -> DecodedJws:
    """Split and decode a compact JWS without verifying it.

    Parameters
    ----------
    token : str
        ``BASE64URL(header).BASE64URL(payload).BASE64URL(signature)``; surrounding
        whitespace (such as a file's final newline) is ignored.
    max_chars : int
        Largest token accepted.

    Returns
    -------
    DecodedJws
        The header, payload and signature, decoded.

    Raises
    ------
    ParseError
        Code ``jws_too_large`` when the token or its header exceeds the size
        bounds; ``too_deeply_nested`` when its JSON nests deeper than the
        interpreter can decode; ``unsupported_jws`` for an unencoded (``b64: false``) payload;
        ``invalid_jws`` when it is not a well-formed compact JWS: not exactly three
        segments, a segment that is not canonical base64url, a header that is not a
        JSON object with a string ``alg``, an empty (detached) payload, duplicate
        JSON members, or a signature that does not match ``alg`` being ``none``.

    Examples
    --------
    >>> jws = split_compact("eyJhbGciOiJFZERTQSJ9.eyJhIjoxfQ.c2ln")
    >>> jws.alg, jws.payload_json, jws.signature
    ('EdDSA', {'a': 1}, b'sig')
    """
    text = token.strip(_WHITESPACE)
    if len(text) > max_chars:
        raise ParseError(
            f"JWS is {len(text)} characters long, more than the limit of {max_chars}",
            code="jws_too_large",
        )
    segments = text.split(".")
    if len(segments) != 3:
        raise ParseError(
            f"a compact JWS has exactly 3 dot-separated segments, found {len(segments)} "
            f"in {_excerpt(text)}",
            code="invalid_jws",
        )
    header_b64, payload_b64, _ = segments
    if len(header_b64) > MAX_HEADER_CHARS:
        raise ParseError(
            f"JWS header is {len(header_b64)} characters long, more than the limit of "
            f"{MAX_HEADER_CHARS}",
            code="jws_too_large",
        )
    decoded: list[bytes] = []
    for name, segment in zip(_SEGMENT_NAMES, segments, strict=True):
        try:
            decoded.append(b64url_decode(segment, what=f"JWS {name} segment"))
        except ParseError as err:
            raise ParseError(err.message, code="invalid_jws") from err
    header_bytes, payload, signature = decoded

    if not header_bytes:
        raise ParseError("JWS header segment is empty", code="invalid_jws")
    try:
        header = _strict_json(header_bytes)
    except RecursionError as err:
        raise _too_deep("header") from err
    except _DuplicateMemberError as err:
        raise ParseError(
            f"JWS header has the member {err.args[0]!r} more than once", code="invalid_jws"
        ) from err
    except (UnicodeDecodeError, ValueError) as err:
        raise ParseError(f"JWS header is not UTF-8 JSON: {err}", code="invalid_jws") from err
    if not isinstance(header, dict):
        raise ParseError(
            f"JWS header must be a JSON object, got {type(header).__name__}", code="invalid_jws"
        )
    alg = header.get("alg")
    if not isinstance(alg, str) or not alg:
        raise ParseError(
            f"JWS header must have a non-empty string 'alg', got {alg!r}", code="invalid_jws"
        )
    if header.get("b64") is False:
        # RFC 7797: the payload segment would be raw bytes, not base64url.
        raise ParseError(
            "JWS header has 'b64': false (unencoded payload), which is not supported",
            code="unsupported_jws",
        )
    if not payload:
        raise ParseError(
            "JWS payload segment is empty (a detached payload); a credential must be inside "
            "the token",
            code="invalid_jws",
        )
    if alg == "none" and signature:
        raise ParseError(
            "JWS has 'alg': 'none' but a non-empty signature segment", code="invalid_jws"
        )
    if alg != "none" and not signature:
        raise ParseError(
            f"JWS signature segment is empty although 'alg' is {alg!r}", code="invalid_jws"
        )

    payload_json: dict[str, Any] | None = None
    try:
        parsed = _strict_json(payload)
    except RecursionError as err:
        raise _too_deep("payload") from err
    except _DuplicateMemberError as err:
        # Different JSON libraries keep different duplicates: refuse to pick one.
        raise ParseError(
            f"JWS payload has the member {err.args[0]!r} more than once", code="invalid_jws"
        ) from err
    except (UnicodeDecodeError, ValueError):
        parsed = None
    if isinstance(parsed, dict):
        payload_json = parsed

    return DecodedJws(
        header=header,
        payload=payload,
        payload_json=payload_json,
        signing_input=f"{header_b64}.{payload_b64}".encode("ascii"),
        signature=signature,
        token=text,
    )


def encode_compact(
    header: Mapping[str, Any],
    payload: Mapping[str, Any] | bytes,
    sign: Callable[[bytes], bytes],
) -> str:
    """Build a compact JWS, e.g. to make samples and test fixtures.

    Parameters
    ----------
    header : Mapping
        The JOSE header; must contain a string ``alg``. It is serialized as compact
        JSON in the given key order.
    payload : Mapping or bytes
        A JSON object (serialized as compact UTF-8 JSON) or raw payload bytes.
    sign : callable
        Called with the signing input; returns the signature bytes (``b""`` for
        ``alg: none``).

    Returns
    -------
    str
        The compact JWS.

    Raises
    ------
    ValueError
        If the header has no string ``alg`` or the payload is empty.
    ParseError
        If the result would not be accepted by :func:`split_compact` (for example a
        signature that does not fit ``alg``).

    Examples
    --------
    >>> encode_compact({"alg": "none"}, {"a": 1}, lambda data: b"")
    'eyJhbGciOiJub25lIn0.eyJhIjoxfQ.'
    """
    alg = header.get("alg")
    if not isinstance(alg, str) or not alg:
        raise ValueError(f"JWS header needs a non-empty string 'alg', got {alg!r}")
    header_bytes = json.dumps(dict(header), separators=(",", ":"), ensure_ascii=False).encode()
    if isinstance(payload, bytes):
        payload_bytes = payload
    else:
        payload_bytes = json.dumps(
            dict(payload), separators=(",", ":"), ensure_ascii=False
        ).encode()
    if not payload_bytes:
        raise ValueError("JWS payload must not be empty")
    signing_input = f"{b64url_encode(header_bytes)}.{b64url_encode(payload_bytes)}"
    signature = sign(signing_input.encode("ascii"))
    token = f"{signing_input}.{b64url_encode(signature)}"
    split_compact(token)  # never hand out a token our own reader would refuse
    return token
