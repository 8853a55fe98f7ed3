"""Baked badges: Open Badges carried inside PNG and SVG images, both directions.

Open Badges 2.0 and 3.0 both bake into a PNG ``iTXt`` chunk with the keyword
``openbadges`` (Open Badges 1.0 used ``tEXt``, still accepted when reading). In
SVG, Open Badges 3.0 uses an ``<openbadges:credential>`` element in the namespace
``https://purl.imsglobal.org/ob/v3p0`` and 2.0 an ``<openbadges:assertion>``
element in ``http://openbadges.org``; the badge is the element's text (JSON,
usually in CDATA) or its ``verify`` attribute (a compact JWS, or for 2.0 the URL
of a hosted assertion).

Everything here is standard library except the XML parser: SVG is parsed with
``defusedxml``, which refuses DTDs, so entity-expansion bombs and external
entities never reach the parser. Nothing here verifies a badge.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import defusedxml
from defusedxml import ElementTree as DefusedElementTree

from lerkit._jws import looks_like_compact_jws
from lerkit.errors import ParseError

__all__ = [
    "MAX_BADGE_BYTES",
    "OB2_NAMESPACE",
    "OB3_NAMESPACE",
    "PNG_SIGNATURE",
    "bake_png",
    "bake_svg",
    "extract_png",
    "extract_svg",
    "minimal_png",
]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OB3_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
OB2_NAMESPACE = "http://openbadges.org"
#: Largest badge text accepted after decompression, and largest SVG accepted:
#: a compressed chunk of a few kilobytes could otherwise inflate to gigabytes.
MAX_BADGE_BYTES = 16 * 1024 * 1024

_KEYWORD = b"openbadges"
_TEXT_CHUNKS = (b"iTXt", b"zTXt", b"tEXt")
_MAX_CHUNK_LENGTH = 2**31 - 1  # PNG spec limit
_OB3_TAG = f"{{{OB3_NAMESPACE}}}credential"
_OB2_TAG = f"{{{OB2_NAMESPACE}}}assertion"
# Characters XML 1.0 cannot carry at all, not even in CDATA.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_URL = re.compile(r"https?://\S+")
# A start tag: name, then attributes whose quoted values may contain '>'.
_ATTRS = r"""(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*"""
_START_TAG = re.compile(rf"<(?P<name>[^\s/>!?]+){_ATTRS}(?P<close>/?)>")


# --------------------------------------------------------------------------- PNG


@dataclass(frozen=True, slots=True)
class _Chunk:
    offset: int  #: byte offset of the chunk's length field
    type: bytes
    data: bytes
    end: int  #: byte offset just after the CRC


def _png_error(message: str, code: str = "invalid_png") -> ParseError:
    return ParseError(message, code=code)


def _iter_chunks(png: bytes) -> Iterator[_Chunk]:
    """Yield every chunk up to and including IEND, checking lengths and CRCs."""
    if not png.startswith(PNG_SIGNATURE):
        raise _png_error(
            f"not a PNG: the first 8 bytes are {png[:8].hex(' ')!r} at byte offset 0, "
            f"expected {PNG_SIGNATURE.hex(' ')!r}"
        )
    pos = len(PNG_SIGNATURE)
    first = True
    while True:
        if pos + 12 > len(png):
            raise _png_error(
                f"truncated PNG: a chunk starts at byte offset {pos} but only "
                f"{len(png) - pos} bytes remain (IEND not reached)"
            )
        (length,) = struct.unpack_from(">I", png, pos)
        ctype = png[pos + 4 : pos + 8]
        if not (ctype.isascii() and ctype.isalpha()):
            raise _png_error(f"invalid PNG chunk type {ctype!r} at byte offset {pos}")
        name = ctype.decode("ascii")
        if length > _MAX_CHUNK_LENGTH:
            raise _png_error(
                f"PNG chunk {name} at byte offset {pos} declares length {length}, "
                f"more than the PNG limit {_MAX_CHUNK_LENGTH}"
            )
        end = pos + 12 + length
        if end > len(png):
            raise _png_error(
                f"truncated PNG: chunk {name} at byte offset {pos} declares {length} data "
                f"bytes but only {max(0, len(png) - pos - 12)} remain before the CRC"
            )
        data = png[pos + 8 : pos + 8 + length]
        (stored,) = struct.unpack_from(">I", png, pos + 8 + length)
        computed = zlib.crc32(data, zlib.crc32(ctype))
        if stored != computed:
            raise _png_error(
                f"PNG chunk {name} at byte offset {pos} has CRC 0x{stored:08x}, "
                f"expected 0x{computed:08x} (the file is corrupted)"
            )
        if first and (ctype != b"IHDR" or length != 13):
            raise _png_error(
                f"PNG must start with a 13-byte IHDR chunk, found {name} of {length} bytes "
                f"at byte offset {pos}"
            )
        first = False
        yield _Chunk(pos, ctype, data, end)
        if ctype == b"IEND":
            return  # anything after IEND is not part of the image
        pos = end


def _keyword(chunk: _Chunk) -> bytes:
    return chunk.data.split(b"\0", 1)[0]


def _inflate(data: bytes, *, where: str) -> bytes:
    decompressor = zlib.decompressobj()
    try:
        out = decompressor.decompress(data, MAX_BADGE_BYTES + 1)
    except zlib.error as err:
        raise _png_error(f"{where}: compressed text is not valid zlib data ({err})") from err
    if len(out) > MAX_BADGE_BYTES or decompressor.unconsumed_tail:
        raise _png_error(
            f"{where}: compressed text inflates to more than {MAX_BADGE_BYTES} bytes",
            code="badge_too_large",
        )
    if not decompressor.eof:
        raise _png_error(f"{where}: compressed text is truncated")
    if decompressor.unused_data:
        raise _png_error(f"{where}: {len(decompressor.unused_data)} bytes follow the zlib stream")
    return out


def _decode_text_chunk(chunk: _Chunk) -> str:
    where = f"PNG chunk {chunk.type.decode()} 'openbadges' at byte offset {chunk.offset}"
    data = chunk.data
    rest = data[len(_KEYWORD) + 1 :]
    if chunk.type == b"tEXt":
        return rest.decode("latin-1")
    if chunk.type == b"zTXt":
        if not rest or rest[0] != 0:
            raise _png_error(f"{where}: unknown compression method")
        return _inflate(rest[1:], where=where).decode("latin-1")
    # iTXt: compression flag, compression method, language tag\0, translated keyword\0, text
    if len(rest) < 2:
        raise _png_error(f"{where}: the iTXt header is truncated")
    flag, method = rest[0], rest[1]
    fields = rest[2:].split(b"\0", 2)
    if len(fields) != 3:
        raise _png_error(f"{where}: the iTXt language tag or translated keyword is unterminated")
    text = fields[2]
    if flag == 1:
        if method != 0:
            raise _png_error(f"{where}: unknown compression method {method}")
        text = _inflate(text, where=where)
    elif flag != 0:
        raise _png_error(f"{where}: invalid compression flag {flag}")
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _png_error(f"{where}: text is not UTF-8 ({err})") from err


def _badge_chunks(chunks: list[_Chunk]) -> list[_Chunk]:
    return [c for c in chunks if c.type in _TEXT_CHUNKS and _keyword(c) == _KEYWORD]


def extract_png(data: bytes) -> str | None:
    """Return the badge baked into a PNG, without verifying it.

    Reads the ``iTXt`` chunk with keyword ``openbadges`` (compressed or not); a
    legacy ``tEXt`` or ``zTXt`` chunk with that keyword is used only when there is
    no ``iTXt`` one. Every chunk's length and CRC is checked up to ``IEND``.

    Parameters
    ----------
    data : bytes
        The PNG file.

    Returns
    -------
    str or None
        The badge text (credential JSON, compact JWS, or an Open Badges 2.0
        assertion URL), or None when the PNG is valid but carries no badge.

    Raises
    ------
    ParseError
        Code ``invalid_png`` (the message names the byte offset) for a bad
        signature, a truncated file, a CRC mismatch, or a malformed badge chunk;
        ``multiple_badges`` when more than one chunk of the chosen kind holds a
        badge; ``badge_too_large`` when compressed text inflates past
        :data:`MAX_BADGE_BYTES`.

    Examples
    --------
    >>> extract_png(bake_png(minimal_png(1, 1, (0, 0, 0)), '{"id": "urn:x"}'))
    '{"id": "urn:x"}'
    >>> extract_png(minimal_png(1, 1, (0, 0, 0))) is None
    True
    """
    found = _badge_chunks(list(_iter_chunks(data)))
    international = [c for c in found if c.type == b"iTXt"]
    candidates = international or found
    if not candidates:
        return None
    if len(candidates) > 1:
        offsets = ", ".join(str(c.offset) for c in candidates)
        raise ParseError(
            f"PNG has {len(candidates)} 'openbadges' text chunks (at byte offsets {offsets}); "
            "a baked badge must have exactly one",
            code="multiple_badges",
        )
    return _decode_text_chunk(candidates[0])


def _png_chunk(ctype: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + ctype
        + data
        + struct.pack(">I", zlib.crc32(data, zlib.crc32(ctype)))
    )


def bake_png(png: bytes, text: str, *, compress: bool = False) -> bytes:
    """Bake badge text into a PNG as an ``iTXt`` chunk with keyword ``openbadges``.

    The chunk goes just before ``IEND``; any existing ``openbadges`` text chunk is
    removed first, and bytes after ``IEND`` are dropped. Other chunks are copied
    unchanged.

    Parameters
    ----------
    png : bytes
        A valid PNG.
    text : str
        The badge: credential JSON, a compact JWS, or (Open Badges 2.0) a URL.
    compress : bool
        Store the text zlib-compressed. Off by default because compressed output
        depends on the zlib build, which would make samples differ across machines.

    Returns
    -------
    bytes
        The baked PNG.

    Raises
    ------
    ParseError
        If ``png`` is not a valid PNG (see :func:`extract_png`).
    ValueError
        If ``text`` is empty.

    Examples
    --------
    >>> baked = bake_png(minimal_png(2, 2, (255, 0, 0)), "https://example.org/a/1")
    >>> extract_png(baked)
    'https://example.org/a/1'
    """
    if not text:
        raise ValueError("badge text must not be empty")
    chunks = list(_iter_chunks(png))
    stale = {c.offset for c in _badge_chunks(chunks)}
    payload = text.encode("utf-8")
    if compress:
        payload = zlib.compress(payload, 9)
    # keyword, NUL, compression flag, method 0 (zlib), empty language tag and
    # translated keyword (each NUL-terminated), then the text
    body = _KEYWORD + b"\0" + bytes([1 if compress else 0, 0]) + b"\0\0" + payload
    parts = [PNG_SIGNATURE]
    for chunk in chunks:
        if chunk.type == b"IEND":
            parts.append(_png_chunk(b"iTXt", body))
        if chunk.offset not in stale:
            parts.append(png[chunk.offset : chunk.end])
    return b"".join(parts)


def _zlib_stored(raw: bytes) -> bytes:
    """A zlib stream of uncompressed (stored) deflate blocks.

    Written by hand because ``zlib.compress`` output differs between zlib builds
    (zlib, zlib-ng), and the samples must be byte-identical everywhere.
    """
    out = [b"\x78\x01"]  # deflate, 32 KiB window, no dictionary; 0x7801 % 31 == 0
    pieces = [raw[i : i + 0xFFFF] for i in range(0, len(raw), 0xFFFF)] or [b""]
    for index, piece in enumerate(pieces):
        final = 1 if index == len(pieces) - 1 else 0
        out.append(struct.pack("<BHH", final, len(piece), len(piece) ^ 0xFFFF) + piece)
    out.append(struct.pack(">I", zlib.adler32(raw)))
    return b"".join(out)


def minimal_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """Make a small, valid, single-colour RGB PNG, byte-identical on every machine.

    Parameters
    ----------
    width, height : int
        Size in pixels, 1 to 1024.
    rgb : tuple of int
        The colour, each channel 0 to 255.

    Returns
    -------
    bytes
        The PNG file.

    Examples
    --------
    >>> minimal_png(1, 1, (255, 255, 255))[:8] == PNG_SIGNATURE
    True
    """
    if not (1 <= width <= 1024 and 1 <= height <= 1024):
        raise ValueError(f"width and height must be 1 to 1024, got {width}x{height}")
    if len(rgb) != 3 or not all(0 <= c <= 255 for c in rgb):
        raise ValueError(f"rgb must be three values 0 to 255, got {rgb!r}")
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    row = b"\x00" + bytes(rgb) * width  # filter type 0 (None) per scanline
    return b"".join(
        [
            PNG_SIGNATURE,
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", _zlib_stored(row * height)),
            _png_chunk(b"IEND", b""),
        ]
    )


# --------------------------------------------------------------------------- SVG


def _parse_svg(data: bytes) -> ElementTree.Element:
    if len(data) > MAX_BADGE_BYTES:
        raise ParseError(
            f"SVG is {len(data)} bytes, more than the limit of {MAX_BADGE_BYTES}",
            code="invalid_svg",
        )
    try:
        root: ElementTree.Element = DefusedElementTree.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DTDForbidden as err:
        raise ParseError(
            f"SVG has a DOCTYPE declaration ({err.name!r}); DTDs are refused because "
            "their entities can expand without bound (an 'XML bomb')",
            code="unsafe_xml",
        ) from err
    except defusedxml.DefusedXmlException as err:
        raise ParseError(
            f"SVG declares or references entities, which are refused: {err}", code="unsafe_xml"
        ) from err
    except ElementTree.ParseError as err:
        line, column = err.position
        raise ParseError(
            f"SVG is not well-formed XML at line {line}, column {column}: {err}",
            code="invalid_svg",
        ) from err
    if root.tag.rpartition("}")[2] != "svg":
        raise ParseError(f"root element is {root.tag!r}, not svg", code="invalid_svg")
    return root


def _badge_elements(root: ElementTree.Element) -> list[ElementTree.Element]:
    return [el for el in root.iter() if el.tag in (_OB3_TAG, _OB2_TAG)]


def _element_name(element: ElementTree.Element) -> str:
    return "openbadges:credential" if element.tag == _OB3_TAG else "openbadges:assertion"


def extract_svg(data: bytes) -> str | None:
    """Return the badge baked into an SVG, without verifying it.

    Looks for ``<openbadges:credential>`` (Open Badges 3.0, namespace
    ``https://purl.imsglobal.org/ob/v3p0``) and ``<openbadges:assertion>`` (2.0,
    namespace ``http://openbadges.org``); the prefix itself does not matter.

    Parameters
    ----------
    data : bytes
        The SVG file.

    Returns
    -------
    str or None
        The element's text (JSON) when it has any, otherwise its ``verify``
        attribute (a compact JWS, or an Open Badges 2.0 assertion URL); None when the
        SVG carries no badge element.

    Raises
    ------
    ParseError
        Code ``unsafe_xml`` for a DOCTYPE or entity declaration (refused before any
        expansion); ``invalid_svg`` for malformed XML, a root that is not ``svg``, or
        an empty badge element; ``multiple_badges`` for more than one badge element.

    Examples
    --------
    >>> svg = b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    >>> extract_svg(bake_svg(svg, '{"id": "urn:x"}', version="3.0"))
    '{"id": "urn:x"}'
    """
    root = _parse_svg(data)
    found = _badge_elements(root)
    if not found:
        return None
    if len(found) > 1:
        names = ", ".join(_element_name(el) for el in found)
        raise ParseError(
            f"SVG has {len(found)} badge elements ({names}); a baked badge must have exactly one",
            code="multiple_badges",
        )
    element = found[0]
    text = "".join(element.itertext()).strip()
    if text:
        return text
    verify = (element.get("verify") or "").strip()
    if verify:
        return verify
    raise ParseError(
        f"SVG element {_element_name(element)} has neither text nor a 'verify' attribute",
        code="invalid_svg",
    )


def _root_start_tag(text: str) -> re.Match[str]:
    """Find the root element's start tag, skipping the prolog (declaration, comments)."""
    pos = 0
    while True:
        pos = text.index("<", pos)
        if text.startswith("<?", pos):
            pos = text.index("?>", pos) + 2
        elif text.startswith("<!--", pos):
            pos = text.index("-->", pos) + 3
        else:
            match = _START_TAG.match(text, pos)
            if match is None:  # pragma: no cover - the document parsed, so this is a tag
                raise ParseError("could not find the SVG root start tag", code="invalid_svg")
            return match


def _remove_badge_elements(text: str) -> str:
    """Remove existing ``<x:credential>`` / ``<x:assertion>`` elements textually.

    A textual cut keeps the rest of the image byte-for-byte; the caller re-parses
    the result to make sure exactly the badge elements went away.
    """
    name = r"(?:[A-Za-z_][\w.-]*:)?(?:credential|assertion)"
    empty = re.compile(rf"<(?P<n>{name}){_ATTRS}/>")
    paired = re.compile(rf"<(?P<n>{name}){_ATTRS}>.*?</(?P=n)\s*>", re.DOTALL)
    text = empty.sub("", text)
    return paired.sub("", text)


def _cdata(text: str) -> str:
    # "]]>" cannot appear inside CDATA: close the section around its '>' and reopen.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def bake_svg(
    svg: bytes,
    text: str,
    *,
    version: Literal["3.0", "2.0"],
    verify: str | None = None,
) -> bytes:
    """Bake a badge into an SVG as the first child of its root element.

    A compact JWS or a URL goes into the ``verify`` attribute; anything else (JSON)
    becomes the element's CDATA text. Any existing badge element is replaced; the
    rest of the file is kept byte-for-byte.

    Parameters
    ----------
    svg : bytes
        A UTF-8 SVG document.
    text : str
        The badge: credential or assertion JSON, a compact JWS, or (2.0) a URL.
    version : {"3.0", "2.0"}
        ``"3.0"`` writes ``<openbadges:credential>``; ``"2.0"`` writes
        ``<openbadges:assertion>``.
    verify : str, optional
        A ``verify`` attribute to add next to JSON text, e.g. the URL of an Open
        Badges 2.0 hosted assertion.

    Returns
    -------
    bytes
        The baked SVG, UTF-8.

    Raises
    ------
    ParseError
        If ``svg`` is not a safe, well-formed UTF-8 SVG (see :func:`extract_svg`), or
        an existing badge element could not be removed cleanly.
    ValueError
        For an empty text, characters XML cannot carry, an unknown version, or a
        ``verify`` argument when ``text`` itself belongs in the attribute.

    Examples
    --------
    >>> svg = b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'
    >>> baked = bake_svg(svg, "https://example.org/a/1", version="2.0")
    >>> print(baked.decode().replace("><", ">\\n<"))
    <svg xmlns="http://www.w3.org/2000/svg">
    <openbadges:assertion xmlns:openbadges="http://openbadges.org" verify="https://example.org/a/1">
    </openbadges:assertion>
    </svg>
    """
    if version not in ("3.0", "2.0"):
        raise ValueError(f"version must be '3.0' or '2.0', got {version!r}")
    if not text.strip():
        raise ValueError("badge text must not be empty")
    for value in (text, verify or ""):
        bad = _XML_INVALID.search(value)
        if bad is not None:
            raise ValueError(
                f"badge text contains {bad.group()!r} at index {bad.start()}, "
                "which XML cannot carry"
            )
    in_attribute = looks_like_compact_jws(text) or _URL.fullmatch(text.strip()) is not None
    if in_attribute and verify is not None:
        raise ValueError("text is a JWS or URL and goes in 'verify'; do not pass verify too")

    root = _parse_svg(svg)
    try:
        document = svg.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ParseError(f"SVG to bake must be UTF-8: {err}", code="invalid_svg") from err

    existing = _badge_elements(root)
    if existing:
        removed = sum(len(list(el.iter())) for el in existing)
        before = len(list(root.iter()))
        document = _remove_badge_elements(document)
        after_root = _parse_svg(document.encode("utf-8"))
        if _badge_elements(after_root) or len(list(after_root.iter())) != before - removed:
            raise ParseError(
                "could not cleanly remove the existing badge element from the SVG",
                code="invalid_svg",
            )

    if version == "3.0":
        tag, namespace = "openbadges:credential", OB3_NAMESPACE
    else:
        tag, namespace = "openbadges:assertion", OB2_NAMESPACE
    attribute_value = text.strip() if in_attribute else verify
    attributes = f' xmlns:openbadges="{namespace}"'
    if attribute_value is not None:
        attributes += f' verify="{escape(attribute_value, {chr(34): "&quot;"})}"'
    body = "" if in_attribute else _cdata(text)
    element = f"<{tag}{attributes}>{body}</{tag}>"

    start = _root_start_tag(document)
    if start.group("close"):  # an empty root, <svg .../>: open it up
        opening = start.group(0)[:-2].rstrip() + ">"
        replacement = f"{opening}{element}</{start.group('name')}>"
    else:
        replacement = start.group(0) + element
    baked = (document[: start.start()] + replacement + document[start.end() :]).encode("utf-8")

    if extract_svg(baked) != text.strip():  # pragma: no cover - a bug guard, not a user error
        raise ParseError("baked SVG does not read back as the given badge", code="invalid_svg")
    return baked
