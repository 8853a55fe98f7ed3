"""Bake an issued credential into a badge image (PNG ``iTXt`` chunk or SVG element)."""

from __future__ import annotations

import hashlib
import json
from typing import Literal
from xml.sax.saxutils import escape

from lerkit._baking import bake_png, bake_svg, minimal_png
from lerkit.issue._credentials import IssuedCredential
from lerkit.issue._errors import IssueError

__all__ = ["bake"]

# Dark enough for white text at WCAG AA contrast (4.5:1 or more).
_PALETTE: tuple[tuple[int, int, int], ...] = (
    (0x1F, 0x4E, 0x79),
    (0x7A, 0x2E, 0x0E),
    (0x2E, 0x5E, 0x1E),
    (0x5B, 0x2C, 0x6F),
    (0x8B, 0x1E, 0x3F),
    (0x0B, 0x5C, 0x5C),
)
_PNG_SIZE = 48


def _label(issued: IssuedCredential) -> str:
    name = issued.credential.get("name")
    return name if isinstance(name, str) and name else "Open Badge"


def _colour(label: str) -> tuple[int, int, int]:
    return _PALETTE[hashlib.sha256(label.encode("utf-8")).digest()[0] % len(_PALETTE)]


def _badge_svg(label: str) -> bytes:
    red, green, blue = _colour(label)
    shown = label if len(label) <= 28 else label[:27] + "…"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="0 0 200 200" '
        f'role="img" aria-label="{escape(label, {chr(34): "&quot;"})}">'
        f"<title>{escape(label)}</title>\n"
        f'  <circle cx="100" cy="100" r="92" fill="#{red:02x}{green:02x}{blue:02x}"/>\n'
        '  <text x="100" y="106" font-family="sans-serif" font-size="12" text-anchor="middle" '
        f'fill="#ffffff">{escape(shown)}</text>\n'
        "</svg>\n"
    ).encode()


def bake(
    issued: IssuedCredential,
    image: bytes | None = None,
    *,
    format: Literal["png", "svg"] = "png",
) -> bytes:
    """Bake a signed credential into a badge image, as Open Badges 3.0 describes.

    A PNG gets an ``iTXt`` chunk with keyword ``openbadges``; an SVG gets an
    ``<openbadges:credential>`` element (JSON as CDATA, a JWT in ``verify``). The
    credential is embedded exactly as signed (compact JSON), so it still verifies when
    extracted.

    Parameters
    ----------
    issued : IssuedCredential
    image : bytes, optional
        The badge image to bake into. Default: a small generated image coloured from the
        credential's name.
    format : {"png", "svg"}
        The image format (it must match ``image``).

    Returns
    -------
    bytes
        The baked image.

    Raises
    ------
    IssueError
        ``invalid_argument`` for an unknown format.
    ParseError
        When ``image`` is not a valid PNG or a safe, well-formed SVG.

    Examples
    --------
    >>> from lerkit._baking import extract_png
    >>> from lerkit.issue import demo_credentials, generate_key
    >>> [issued] = demo_credentials(1, generate_key(seed=bytes(32)), proof="jwt")
    >>> extract_png(bake(issued)) == issued.jwt
    True
    """
    if format not in ("png", "svg"):
        raise IssueError(f"format must be 'png' or 'svg', got {format!r}", code="invalid_argument")
    if issued.document is not None:
        text = json.dumps(issued.document, separators=(",", ":"), ensure_ascii=False)
    else:
        assert issued.jwt is not None
        text = issued.jwt
    label = _label(issued)
    if format == "png":
        base = image if image is not None else minimal_png(_PNG_SIZE, _PNG_SIZE, _colour(label))
        return bake_png(base, text)
    return bake_svg(image if image is not None else _badge_svg(label), text, version="3.0")
