"""Baked badges: PNG iTXt/tEXt/zTXt and SVG openbadges elements, read and written."""

from __future__ import annotations

import codecs
import json
import struct
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lerkit import _baking
from lerkit._baking import (
    PNG_SIGNATURE,
    bake_png,
    bake_svg,
    extract_png,
    extract_svg,
    minimal_png,
)
from lerkit.errors import ParseError

CREDENTIAL = '{"@context": ["https://www.w3.org/ns/credentials/v2"], "name": "Ada Ëxample"}'
JWS = "eyJhbGciOiJFZERTQSJ9.eyJhIjoxfQ.c2lnbmF0dXJl"
URL = "https://example.org/assertions/1"
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<circle cx="5" cy="5" r="4"/></svg>\n'
)
# IHDR: 8 (signature) + 4 length + 4 type + 13 data + 4 CRC, so IDAT starts here
IDAT_OFFSET = 33


def chunk(ctype: bytes, data: bytes) -> bytes:
    """An independently built PNG chunk (length, type, data, CRC)."""
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def insert_before_iend(png: bytes, *chunks: bytes) -> bytes:
    assert png.endswith(chunk(b"IEND", b""))
    return png[:-12] + b"".join(chunks) + png[-12:]


def chunk_types(png: bytes) -> list[bytes]:
    types, pos = [], 8
    while pos < len(png):
        (length,) = struct.unpack_from(">I", png, pos)
        types.append(png[pos + 4 : pos + 8])
        pos += 12 + length
    return types


# ------------------------------------------------------------------ minimal_png


@pytest.mark.parametrize(("width", "height"), [(1, 1), (64, 64), (300, 200)])
def test_minimal_png_decodes_with_zlib_to_the_expected_pixels(width: int, height: int) -> None:
    png = minimal_png(width, height, (10, 20, 30))
    assert png.startswith(PNG_SIGNATURE)
    assert chunk_types(png) == [b"IHDR", b"IDAT", b"IEND"]
    ihdr = png[16:29]
    assert struct.unpack(">IIBBBBB", ihdr) == (width, height, 8, 2, 0, 0, 0)
    (idat_length,) = struct.unpack_from(">I", png, IDAT_OFFSET)
    idat = png[IDAT_OFFSET + 8 : IDAT_OFFSET + 8 + idat_length]
    # zlib itself, not our writer, checks the stored blocks (300x200 needs two)
    assert zlib.decompress(idat) == (b"\x00" + bytes([10, 20, 30]) * width) * height
    assert extract_png(png) is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 1, (0, 0, 0)), "width and height must be 1 to 1024, got 0x1"),
        ((1, 1025, (0, 0, 0)), "width and height must be 1 to 1024, got 1x1025"),
        ((1, 1, (0, 0, 256)), r"rgb must be three values 0 to 255, got \(0, 0, 256\)"),
    ],
)
def test_minimal_png_rejects_bad_arguments(
    args: tuple[int, int, tuple[int, int, int]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        minimal_png(*args)


# ------------------------------------------------------------------ PNG bake/extract


@pytest.mark.parametrize("text", [CREDENTIAL, JWS, URL, "x" * 100_000])
@pytest.mark.parametrize("compress", [False, True])
def test_png_round_trip(text: str, compress: bool) -> None:
    png = minimal_png(8, 8, (200, 0, 0))
    baked = bake_png(png, text, compress=compress)
    assert extract_png(baked) == text
    assert chunk_types(baked) == [b"IHDR", b"IDAT", b"iTXt", b"IEND"]
    assert baked.startswith(png[:-12])  # every original chunk copied unchanged


def test_png_itxt_layout_matches_the_png_spec() -> None:
    baked = bake_png(minimal_png(1, 1, (0, 0, 0)), "hello")
    expected = b"openbadges\x00\x00\x00\x00\x00hello"  # keyword, NUL, flag, method, 2 empty
    start = baked.index(b"iTXt")
    assert struct.unpack(">I", baked[start - 4 : start]) == (len(expected),)
    assert baked[start + 4 : start + 4 + len(expected)] == expected


def test_rebaking_replaces_the_existing_badge() -> None:
    png = minimal_png(4, 4, (0, 0, 255))
    twice = bake_png(bake_png(png, CREDENTIAL), URL)
    assert extract_png(twice) == URL
    assert twice == bake_png(png, URL)
    legacy = insert_before_iend(png, chunk(b"tEXt", b"openbadges\x00" + URL.encode()))
    assert chunk_types(bake_png(legacy, JWS)) == [b"IHDR", b"IDAT", b"iTXt", b"IEND"]


def test_reads_an_independently_built_compressed_itxt_with_language_tags() -> None:
    data = b"openbadges\x00\x01\x00en\x00Open Badges\x00" + zlib.compress(
        CREDENTIAL.encode("utf-8")
    )
    png = insert_before_iend(minimal_png(2, 2, (1, 2, 3)), chunk(b"iTXt", data))
    assert extract_png(png) == CREDENTIAL


def test_reads_legacy_text_and_ztxt_chunks() -> None:
    base = minimal_png(2, 2, (1, 2, 3))
    text = insert_before_iend(base, chunk(b"tEXt", b"openbadges\x00" + URL.encode("latin-1")))
    assert extract_png(text) == URL
    ztxt = insert_before_iend(
        base, chunk(b"zTXt", b"openbadges\x00\x00" + zlib.compress(URL.encode()))
    )
    assert extract_png(ztxt) == URL


def test_itxt_wins_over_a_legacy_text_chunk_and_other_keywords_are_ignored() -> None:
    png = insert_before_iend(
        minimal_png(2, 2, (1, 2, 3)),
        chunk(b"tEXt", b"openbadges\x00" + URL.encode()),
        chunk(b"tEXt", b"Comment\x00not a badge"),
        chunk(b"iTXt", b"openbadges\x00\x00\x00\x00\x00" + JWS.encode()),
    )
    assert extract_png(png) == JWS


def test_two_badge_chunks_are_refused_naming_both_offsets() -> None:
    base = minimal_png(1, 1, (0, 0, 0))
    first = chunk(b"iTXt", b"openbadges\x00\x00\x00\x00\x00" + URL.encode())
    second = chunk(b"iTXt", b"openbadges\x00\x00\x00\x00\x00" + JWS.encode())
    png = insert_before_iend(base, first, second)
    offset = len(base) - 12
    with pytest.raises(ParseError) as info:
        extract_png(png)
    assert info.value.code == "multiple_badges"
    assert info.value.message == (
        f"PNG has 2 'openbadges' text chunks (at byte offsets {offset}, "
        f"{offset + len(first)}); a baked badge must have exactly one"
    )


def test_crc_corruption_names_the_chunk_and_its_offset() -> None:
    baked = bytearray(bake_png(minimal_png(4, 4, (9, 9, 9)), CREDENTIAL))
    baked[IDAT_OFFSET + 8 + 3] ^= 0x01  # one bit inside the IDAT data
    with pytest.raises(ParseError) as info:
        extract_png(bytes(baked))
    assert info.value.code == "invalid_png"
    assert info.value.message.startswith(f"PNG chunk IDAT at byte offset {IDAT_OFFSET} has CRC 0x")
    assert info.value.message.endswith("(the file is corrupted)")


def test_truncated_png_names_the_offset() -> None:
    baked = bake_png(minimal_png(4, 4, (9, 9, 9)), CREDENTIAL)
    with pytest.raises(ParseError) as info:
        extract_png(baked[:-12])  # IEND missing
    assert info.value.code == "invalid_png"
    assert info.value.message == (
        f"truncated PNG: a chunk starts at byte offset {len(baked) - 12} but only 0 bytes "
        "remain (IEND not reached)"
    )
    with pytest.raises(ParseError) as info:
        extract_png(baked[: IDAT_OFFSET + 20])
    assert info.value.message.startswith(
        f"truncated PNG: chunk IDAT at byte offset {IDAT_OFFSET} declares"
    )


@given(st.data())
def test_every_truncation_is_a_parse_error(data: st.DataObject) -> None:
    baked = bake_png(minimal_png(3, 3, (5, 6, 7)), CREDENTIAL)
    cut = data.draw(st.integers(min_value=0, max_value=len(baked) - 1))
    with pytest.raises(ParseError) as info:
        extract_png(baked[:cut])
    assert info.value.code == "invalid_png"


@given(st.data())
def test_any_single_byte_change_is_detected(data: st.DataObject) -> None:
    baked = bytearray(bake_png(minimal_png(3, 3, (5, 6, 7)), CREDENTIAL))
    position = data.draw(st.integers(min_value=0, max_value=len(baked) - 1))
    baked[position] ^= data.draw(st.integers(min_value=1, max_value=255))
    # every byte is covered by the signature check, a CRC, or the chunk framing
    with pytest.raises(ParseError) as info:
        extract_png(bytes(baked))
    assert info.value.code == "invalid_png"


def test_trailing_bytes_after_iend_are_ignored_and_dropped_when_baking() -> None:
    png = minimal_png(2, 2, (0, 0, 0)) + b"trailing garbage"
    assert extract_png(png) is None
    assert bake_png(png, URL).endswith(chunk(b"IEND", b""))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a" + b"\x00" * 20, "not a PNG: the first 8 bytes are '47 49 46 38 39 61 00 00'"),
        (b"", "not a PNG: the first 8 bytes are ''"),
        (
            PNG_SIGNATURE + chunk(b"IDAT", b"") + chunk(b"IEND", b""),
            "PNG must start with a 13-byte IHDR chunk, found IDAT of 0 bytes at byte offset 8",
        ),
        (
            PNG_SIGNATURE + chunk(b"IH1R", b"\x00" * 13),
            "invalid PNG chunk type b'IH1R' at byte offset 8",
        ),
        (
            PNG_SIGNATURE + b"\xff\xff\xff\xffIHDR" + b"\x00" * 8,
            "PNG chunk IHDR at byte offset 8 declares length 4294967295",
        ),
    ],
)
def test_malformed_png_structure(data: bytes, message: str) -> None:
    with pytest.raises(ParseError) as info:
        extract_png(data)
    assert info.value.code == "invalid_png"
    assert info.value.message.startswith(message)


def _with_badge_chunk(ctype: bytes, data: bytes) -> bytes:
    return insert_before_iend(minimal_png(1, 1, (0, 0, 0)), chunk(ctype, data))


@pytest.mark.parametrize(
    ("ctype", "data", "message"),
    [
        (b"iTXt", b"openbadges\x00\x00", "the iTXt header is truncated"),
        (
            b"iTXt",
            b"openbadges\x00\x00\x00en",
            "language tag or translated keyword is unterminated",
        ),
        (b"iTXt", b"openbadges\x00\x02\x00\x00\x00x", "invalid compression flag 2"),
        (b"iTXt", b"openbadges\x00\x01\x07\x00\x00x", "unknown compression method 7"),
        (b"iTXt", b"openbadges\x00\x01\x00\x00\x00not zlib", "compressed text is not valid zlib"),
        (
            b"iTXt",
            b"openbadges\x00\x01\x00\x00\x00" + zlib.compress(b"abc" * 50)[:-6],
            "compressed text is truncated",
        ),
        (
            b"iTXt",
            b"openbadges\x00\x01\x00\x00\x00" + zlib.compress(b"abc") + b"extra",
            "5 bytes follow the zlib stream",
        ),
        (b"iTXt", b"openbadges\x00\x00\x00\x00\x00\xff\xfe", "text is not UTF-8"),
        (b"zTXt", b"openbadges\x00\x01xyz", "unknown compression method"),
    ],
)
def test_malformed_badge_chunk(ctype: bytes, data: bytes, message: str) -> None:
    png = _with_badge_chunk(ctype, data)
    with pytest.raises(ParseError) as info:
        extract_png(png)
    assert info.value.code == "invalid_png"
    where = f"PNG chunk {ctype.decode()} 'openbadges' at byte offset {len(png) - 24 - len(data)}"
    assert info.value.message.startswith(f"{where}: ")
    assert message in info.value.message


def test_decompression_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_baking, "MAX_BADGE_BYTES", 1000)
    bomb = _with_badge_chunk(
        b"iTXt", b"openbadges\x00\x01\x00\x00\x00" + zlib.compress(b"\x00" * 1001)
    )
    with pytest.raises(ParseError) as info:
        extract_png(bomb)
    assert info.value.code == "badge_too_large"
    assert info.value.message.endswith("compressed text inflates to more than 1000 bytes")
    fits = _with_badge_chunk(
        b"iTXt", b"openbadges\x00\x01\x00\x00\x00" + zlib.compress(b"a" * 1000)
    )
    assert extract_png(fits) == "a" * 1000


def test_bake_png_refuses_empty_text_and_broken_images() -> None:
    with pytest.raises(ValueError, match="badge text must not be empty"):
        bake_png(minimal_png(1, 1, (0, 0, 0)), "")
    with pytest.raises(ParseError) as info:
        bake_png(b"not a png", URL)
    assert info.value.code == "invalid_png"


# ------------------------------------------------------------------ SVG


@pytest.mark.parametrize(
    ("text", "version", "element", "in_verify"),
    [
        (CREDENTIAL, "3.0", b"<openbadges:credential", False),
        (JWS, "3.0", b"<openbadges:credential", True),
        (URL, "2.0", b"<openbadges:assertion", True),
        (CREDENTIAL, "2.0", b"<openbadges:assertion", False),
    ],
)
def test_svg_round_trip(text: str, version: str, element: bytes, in_verify: bool) -> None:
    baked = bake_svg(SVG, text, version=version)  # type: ignore[arg-type]
    assert extract_svg(baked) == text
    assert element in baked
    assert (f'verify="{text}"'.encode() in baked) is in_verify
    assert (b"<![CDATA[" in baked) is not in_verify
    # the rest of the image is kept byte for byte
    inserted_at = baked.index(element)
    assert baked[:inserted_at] == SVG[: SVG.index(b"<circle")]
    assert baked.endswith(SVG[SVG.index(b"<circle") :])


def test_svg_namespaces_follow_the_specs() -> None:
    v3 = bake_svg(SVG, CREDENTIAL, version="3.0")
    v2 = bake_svg(SVG, URL, version="2.0")
    assert b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in v3
    assert b'xmlns:openbadges="http://openbadges.org"' in v2


def test_ob2_hosted_svg_keeps_json_body_and_verify_url() -> None:
    baked = bake_svg(SVG, CREDENTIAL, version="2.0", verify=URL)
    assert f'verify="{URL}"'.encode() in baked
    assert extract_svg(baked) == CREDENTIAL  # the embedded JSON is what a reader wants


def test_cdata_terminator_inside_json_survives() -> None:
    text = '{"note": "a]]>b", "x": "<&>"}'
    assert extract_svg(bake_svg(SVG, text, version="3.0")) == text


def test_svg_rebake_replaces_the_existing_element() -> None:
    once = bake_svg(SVG, CREDENTIAL, version="3.0")
    twice = bake_svg(once, URL, version="2.0")
    assert twice == bake_svg(SVG, URL, version="2.0")
    assert b"openbadges:credential" not in twice
    self_closing = SVG.replace(
        b"<circle",
        b'<ob:assertion xmlns:ob="http://openbadges.org" verify="https://x.org/1"/><circle',
    )
    assert extract_svg(bake_svg(self_closing, JWS, version="3.0")) == JWS


def test_bake_into_an_empty_root_element() -> None:
    baked = bake_svg(b'<svg xmlns="http://www.w3.org/2000/svg" />', URL, version="2.0")
    assert baked.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"><openbadges:assertion')
    assert baked.endswith(b"</openbadges:assertion></svg>")
    assert extract_svg(baked) == URL


def test_reads_any_prefix_bound_to_the_right_namespace() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="https://purl.imsglobal.org/ob/v3p0">'
        b"<ob:credential>\n  " + CREDENTIAL.encode() + b"\n</ob:credential></svg>"
    )
    assert extract_svg(svg) == CREDENTIAL


@pytest.mark.parametrize(
    "svg",
    [
        SVG,
        # right local name, wrong namespace: not a badge
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://example.org/ns">'
        b'<openbadges:credential verify="x"/></svg>',
    ],
)
def test_svg_without_badge_gives_none(svg: bytes) -> None:
    assert extract_svg(svg) is None


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><openbadges:credential
  xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">&lol3;</openbadges:credential></svg>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&secret;</text></svg>
"""
BARE_DOCTYPE = (
    b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    b'<svg xmlns="http://www.w3.org/2000/svg"/>'
)


@pytest.mark.parametrize(
    "svg",
    [
        BILLION_LAUGHS,
        EXTERNAL_ENTITY,
        BARE_DOCTYPE,
        # a byte-level scan for "<!DOCTYPE" would miss this; the parser does not
        codecs.BOM_UTF16_LE
        + BILLION_LAUGHS.replace(b'"1.0"?>', b'"1.0" encoding="UTF-16"?>')
        .decode()
        .encode("utf-16-le"),
    ],
    ids=["billion-laughs", "external-entity", "bare-doctype", "utf-16"],
)
def test_dtds_and_entities_are_refused(svg: bytes) -> None:
    with pytest.raises(ParseError) as info:
        extract_svg(svg)
    assert info.value.code == "unsafe_xml"
    assert "DOCTYPE" in info.value.message
    with pytest.raises(ParseError):
        bake_svg(svg, URL, version="2.0")


@pytest.mark.parametrize(
    ("svg", "code", "message"),
    [
        (b"<svg><g></svg>", "invalid_svg", "SVG is not well-formed XML at line 1, column "),
        (b"", "invalid_svg", "SVG is not well-formed XML at line 1, column 0"),
        (
            b'<html xmlns="http://www.w3.org/1999/xhtml"/>',
            "invalid_svg",
            "root element is '{http://www.w3.org/1999/xhtml}html', not svg",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="http://openbadges.org">'
            b"<o:assertion>  </o:assertion></svg>",
            "invalid_svg",
            "SVG element openbadges:assertion has neither text nor a 'verify' attribute",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="http://openbadges.org" '
            b'xmlns:n="https://purl.imsglobal.org/ob/v3p0">'
            b'<n:credential verify="a"/><o:assertion verify="b"/></svg>',
            "multiple_badges",
            "SVG has 2 badge elements (openbadges:credential, openbadges:assertion); "
            "a baked badge must have exactly one",
        ),
    ],
)
def test_malformed_svg(svg: bytes, code: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        extract_svg(svg)
    assert info.value.code == code
    assert info.value.message.startswith(message)


def test_svg_size_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_baking, "MAX_BADGE_BYTES", len(SVG) - 1)
    with pytest.raises(ParseError) as info:
        extract_svg(SVG)
    assert info.value.message == f"SVG is {len(SVG)} bytes, more than the limit of {len(SVG) - 1}"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "  ", "version": "3.0"}, "badge text must not be empty"),
        ({"text": CREDENTIAL, "version": "4.0"}, "version must be '3.0' or '2.0', got '4.0'"),
        ({"text": "a\x00b", "version": "3.0"}, r"badge text contains '\\x00' at index 1"),
        ({"text": JWS, "version": "3.0", "verify": URL}, "text is a JWS or URL and goes in"),
    ],
)
def test_bake_svg_rejects_bad_arguments(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bake_svg(SVG, **kwargs)  # type: ignore[arg-type]


def test_bake_svg_requires_utf8() -> None:
    latin1 = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>'
        '<svg xmlns="http://www.w3.org/2000/svg"><title>é</title></svg>'
    )
    with pytest.raises(ParseError) as info:
        bake_svg(latin1.encode("latin-1"), URL, version="2.0")
    assert info.value.code == "invalid_svg"
    assert info.value.message.startswith("SVG to bake must be UTF-8")


@given(st.text(min_size=1, max_size=200).filter(lambda t: t.strip()))
def test_svg_round_trips_any_json_string(value: str) -> None:
    text = json.dumps({"v": value})
    assert extract_svg(bake_svg(SVG, text, version="3.0")) == text


# -- cross-check with an independent PNG implementation (Pillow) ------------------


@pytest.mark.parametrize("compress", [False, True])
def test_pillow_reads_the_badge_we_bake(compress: bool) -> None:
    from io import BytesIO

    from PIL import Image

    text = json.dumps({"type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "Grüße ✓"})
    baked = bake_png(minimal_png(3, 2, (10, 20, 30)), text, compress=compress)
    with Image.open(BytesIO(baked)) as image:
        image.load()  # checks every chunk's CRC and the pixel data
        assert image.size == (3, 2)
        assert image.text["openbadges"] == text


def test_we_read_the_badge_pillow_bakes() -> None:
    from io import BytesIO

    from PIL import Image, PngImagePlugin

    text = '{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion"}'
    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadges", text, zip=True)
    buffer = BytesIO()
    Image.new("RGB", (4, 4), (200, 100, 50)).save(buffer, format="PNG", pnginfo=info)
    assert extract_png(buffer.getvalue()) == text
