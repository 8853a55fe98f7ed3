"""Status list bitstrings: encoding, bounded decoding, bit order, and a mutable list.

Both W3C Bitstring Status List v1.0 and the older StatusList2021 store a bitstring,
GZIP-compressed and base64url-encoded without padding; Bitstring Status List adds the
multibase prefix ``u``. Entry ``i`` of a list with ``statusSize`` ``n`` occupies bits
``i*n`` to ``i*n + n - 1``; bit 0 is the most significant bit of the first byte (the
"left-most" bit), so index 0 is ``0x80`` of byte 0 and index 23 is ``0x01`` of byte 2.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import zlib
from collections.abc import Iterator

from lerkit.status._errors import StatusError

__all__ = [
    "MAX_DECODED_BYTES",
    "MAX_ENCODED_CHARS",
    "MIN_ENTRIES",
    "StatusList",
    "bit_at",
    "decode_list",
    "encode_list",
    "set_status",
    "status_at",
]

#: Fewest entries a list may have (the spec's 16 KiB minimum, for herd privacy).
MIN_ENTRIES = 131_072
#: Largest decompressed list accepted (16 MiB = 134 million one-bit entries).
MAX_DECODED_BYTES = 16 * 1024 * 1024
#: Longest ``encodedList`` accepted, in characters.
MAX_ENCODED_CHARS = 24 * 1024 * 1024

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_CHUNK = 64 * 1024


def _b64url(text: str) -> bytes:
    body = text.rstrip("=")  # some StatusList2021 issuers pad; padding is unambiguous
    if _BASE64URL.fullmatch(body) is None:
        bad = next(ch for ch in body if _BASE64URL.fullmatch(ch) is None)
        raise StatusError(
            f"encodedList is not base64url: character {bad!r} is not allowed",
            code="malformed_status_list",
            field="encodedList",
        )
    if len(body) % 4 == 1:
        raise StatusError(
            f"encodedList is not base64url: length {len(body)} is impossible",
            code="malformed_status_list",
            field="encodedList",
        )
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except binascii.Error as err:  # pragma: no cover - the checks above rule this out
        raise StatusError(
            f"encodedList is not base64url: {err}",
            code="malformed_status_list",
            field="encodedList",
        ) from err


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    """Decompress GZIP (possibly several members) without ever exceeding ``max_bytes``."""
    if data[:2] != b"\x1f\x8b":
        raise StatusError(
            "encodedList does not hold GZIP data (no 1f 8b header)",
            code="malformed_status_list",
            field="encodedList",
        )
    out = bytearray()
    rest = data
    while rest:
        decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
        pending = rest
        try:
            while not decompressor.eof:
                chunk = decompressor.decompress(pending, _CHUNK)
                out += chunk
                if len(out) > max_bytes:
                    raise StatusError(
                        f"encodedList expands to more than {max_bytes} bytes; refusing to "
                        "decompress further (a GZIP bomb, or a list far larger than any real one)",
                        code="status_list_too_large",
                        field="encodedList",
                    )
                pending = decompressor.unconsumed_tail
                if not chunk and not pending:
                    break  # all input used and no more output: the stream is cut short
        except zlib.error as err:
            raise StatusError(
                f"encodedList is not valid GZIP data: {err}",
                code="malformed_status_list",
                field="encodedList",
            ) from err
        if not decompressor.eof:
            raise StatusError(
                "encodedList GZIP data is truncated",
                code="malformed_status_list",
                field="encodedList",
            )
        rest = decompressor.unused_data
        if rest and rest[:2] != b"\x1f\x8b":
            raise StatusError(
                f"encodedList has {len(rest)} bytes of trailing data after the GZIP stream",
                code="malformed_status_list",
                field="encodedList",
            )
    return bytes(out)


def decode_list(
    encoded_list: str,
    *,
    multibase: bool | None = None,
    max_bytes: int = MAX_DECODED_BYTES,
) -> bytes:
    """Decode an ``encodedList`` into the uncompressed bitstring.

    Parameters
    ----------
    encoded_list : str
        ``"u"`` + base64url(GZIP(bitstring)) (Bitstring Status List), or base64url without
        the prefix (StatusList2021).
    multibase : bool or None
        True requires the ``u`` prefix, False forbids it, None accepts either. GZIP data
        encodes to text starting ``H4sI``, so the two forms cannot be confused.
    max_bytes : int
        Refuse lists that decompress to more than this.

    Returns
    -------
    bytes
        The bitstring.

    Raises
    ------
    StatusError
        ``malformed_status_list`` or ``status_list_too_large``.

    Examples
    --------
    >>> bits = decode_list(encode_list(bytes([0x80]) + bytes(16383)))
    >>> len(bits), bit_at(bits, 0), bit_at(bits, 1)
    (16384, True, False)
    """
    if not isinstance(encoded_list, str) or not encoded_list:
        raise StatusError(
            f"encodedList must be a non-empty string, got {encoded_list!r}",
            code="malformed_status_list",
            field="encodedList",
        )
    if len(encoded_list) > MAX_ENCODED_CHARS:
        raise StatusError(
            f"encodedList is {len(encoded_list)} characters long, more than the limit of "
            f"{MAX_ENCODED_CHARS}",
            code="status_list_too_large",
            field="encodedList",
        )
    prefixed = encoded_list.startswith("u")
    if multibase is True and not prefixed:
        raise StatusError(
            "a BitstringStatusList encodedList must be multibase base64url (start with 'u'), "
            f"got {encoded_list[:12]!r}...",
            code="malformed_status_list",
            field="encodedList",
        )
    if multibase is False and prefixed:
        raise StatusError(
            "a StatusList2021 encodedList is plain base64url, without a multibase prefix",
            code="malformed_status_list",
            field="encodedList",
        )
    return _gunzip(_b64url(encoded_list[1:] if prefixed else encoded_list), max_bytes)


def encode_list(bits: bytes | bytearray, *, multibase: bool = True) -> str:
    """Encode a bitstring as an ``encodedList`` (deterministic: the GZIP mtime is 0).

    Parameters
    ----------
    bits : bytes
        The uncompressed bitstring.
    multibase : bool
        Add the ``u`` prefix (Bitstring Status List); False for StatusList2021.

    Examples
    --------
    >>> encode_list(bytes(16384))[:5]
    'uH4sI'
    """
    text = base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).rstrip(b"=").decode()
    return ("u" + text) if multibase else text


def _check_index(bits: bytes | bytearray, index: int, size: int) -> None:
    if isinstance(index, bool) or not isinstance(index, int):
        raise TypeError(f"a status list index must be an int, got {type(index).__name__}")
    if size < 1:
        raise ValueError(f"statusSize must be at least 1, got {size}")
    entries = len(bits) * 8 // size
    if not 0 <= index < entries:
        raise StatusError(
            f"index {index} is outside the status list, which has {entries} entries "
            f"({len(bits)} bytes, statusSize {size})",
            code="status_index_out_of_range",
            field="statusListIndex",
        )


def status_at(bits: bytes | bytearray, index: int, size: int = 1) -> int:
    """The status value of entry ``index`` (``size`` bits, most significant bit first).

    Raises
    ------
    StatusError
        ``status_index_out_of_range``.

    Examples
    --------
    >>> status_at(bytes([0b0110_0000]), 0, size=2), status_at(bytes([0b0110_0000]), 1, size=2)
    (1, 2)
    """
    _check_index(bits, index, size)
    value = 0
    for position in range(index * size, index * size + size):
        value = (value << 1) | ((bits[position >> 3] >> (7 - (position & 7))) & 1)
    return value


def bit_at(bits: bytes | bytearray, index: int) -> bool:
    """Whether bit ``index`` is set; bit 0 is the most significant bit of byte 0.

    Raises
    ------
    StatusError
        ``status_index_out_of_range``.

    Examples
    --------
    >>> bit_at(bytes([0x00, 0x00, 0x01]), 23), bit_at(bytes([0x80]), 0)
    (True, True)
    """
    return status_at(bits, index, 1) == 1


class StatusList:
    """A status list being built or updated by an issuer (mutable).

    Parameters
    ----------
    size : int
        Number of entries; at least :data:`MIN_ENTRIES` (131,072) unless
        ``minimum_entries`` is lowered for a test.
    status_size : int
        Bits per entry (1 for revocation and suspension).
    minimum_entries : int
        The herd-privacy floor to enforce.

    Raises
    ------
    StatusError
        ``status_list_too_short`` when ``size`` is under the floor.

    Examples
    --------
    >>> status_list = StatusList()
    >>> set_status(status_list, 23, True)
    >>> status_list.to_bytes()[:3].hex(), status_list.get(23)
    ('000001', 1)
    """

    __slots__ = ("_bits", "status_size")

    def __init__(
        self,
        size: int = MIN_ENTRIES,
        *,
        status_size: int = 1,
        minimum_entries: int = MIN_ENTRIES,
    ) -> None:
        if isinstance(status_size, bool) or not isinstance(status_size, int) or status_size < 1:
            raise ValueError(f"status_size must be a positive int, got {status_size!r}")
        if size < minimum_entries:
            raise StatusError(
                f"a status list needs at least {minimum_entries} entries so that a holder "
                f"is not identifiable from which list is fetched; got {size}",
                code="status_list_too_short",
            )
        self.status_size = status_size
        self._bits = bytearray((size * status_size + 7) // 8)

    @classmethod
    def from_bytes(
        cls, bits: bytes, *, status_size: int = 1, minimum_entries: int = MIN_ENTRIES
    ) -> StatusList:
        """Wrap an existing bitstring (copied)."""
        status_list = cls(
            len(bits) * 8 // status_size,
            status_size=status_size,
            minimum_entries=minimum_entries,
        )
        status_list._bits[:] = bits
        return status_list

    @classmethod
    def from_encoded(
        cls, encoded_list: str, *, status_size: int = 1, minimum_entries: int = MIN_ENTRIES
    ) -> StatusList:
        """Decode an ``encodedList`` (either form) into a list that can be updated."""
        return cls.from_bytes(
            decode_list(encoded_list), status_size=status_size, minimum_entries=minimum_entries
        )

    def __len__(self) -> int:
        return len(self._bits) * 8 // self.status_size

    def __repr__(self) -> str:
        return (
            f"StatusList(size={len(self)}, status_size={self.status_size}, "
            f"set={sum(1 for _ in self.nonzero())})"
        )

    def get(self, index: int) -> int:
        """The status value of entry ``index``."""
        return status_at(self._bits, index, self.status_size)

    def set(self, index: int, value: int | bool) -> None:
        """Set entry ``index`` to ``value`` (True/False, or 0 .. 2**status_size - 1)."""
        _check_index(self._bits, index, self.status_size)
        number = int(value)
        if not 0 <= number < (1 << self.status_size):
            raise ValueError(
                f"status value {value!r} does not fit in statusSize {self.status_size} bits"
            )
        start = index * self.status_size
        for offset in range(self.status_size):
            position = start + offset
            mask = 0x80 >> (position & 7)
            bit = (number >> (self.status_size - 1 - offset)) & 1
            if bit:
                self._bits[position >> 3] |= mask
            else:
                self._bits[position >> 3] &= ~mask & 0xFF

    def nonzero(self) -> Iterator[int]:
        """Indices of the entries whose status is not 0, in order."""
        size = self.status_size
        total = len(self)
        last = -1
        for byte_index, byte in enumerate(self._bits):
            if not byte:
                continue
            for bit in range(8):
                if byte & (0x80 >> bit):
                    index = (byte_index * 8 + bit) // size
                    if index != last and index < total:
                        last = index
                        yield index

    def to_bytes(self) -> bytes:
        """The uncompressed bitstring."""
        return bytes(self._bits)

    def encode(self, *, multibase: bool = True) -> str:
        """The ``encodedList`` value (``multibase=False`` for StatusList2021)."""
        return encode_list(self._bits, multibase=multibase)


def set_status(status_list: StatusList, index: int, value: int | bool) -> None:
    """Set entry ``index`` of ``status_list`` in place (True = revoked / suspended).

    Raises
    ------
    StatusError
        ``status_index_out_of_range``.
    ValueError
        When ``value`` does not fit in the list's ``status_size``.
    """
    status_list.set(index, value)
