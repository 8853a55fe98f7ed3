"""Compact JWS helpers: strict splitting, cheap sniffing, building signed tokens."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from lerkit._jws import (
    MAX_HEADER_CHARS,
    b64url_decode,
    b64url_encode,
    encode_compact,
    looks_like_compact_jws,
    split_compact,
)
from lerkit.errors import ParseError

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def _seg(value: object) -> str:
    """Base64url of compact JSON (or of raw bytes)."""
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


GOOD_HEADER = _seg({"alg": "EdDSA"})
GOOD_PAYLOAD = _seg({"iss": "did:example:issuer"})
GOOD_SIG = _seg(b"\x01" * 64)


def test_round_trip_signs_the_signing_input_with_ed25519() -> None:
    header = {"alg": "EdDSA", "kid": "did:example:issuer#key-1", "typ": "vc+jwt"}
    payload = {"@context": ["https://www.w3.org/ns/credentials/v2"], "name": "Ada Ëxample"}
    token = encode_compact(header, payload, KEY.sign)

    jws = split_compact(token)

    assert jws.header == header
    assert jws.alg == "EdDSA"
    assert jws.payload_json == payload
    assert json.loads(jws.payload) == payload
    assert jws.signing_input == token.rsplit(".", 1)[0].encode("ascii")
    assert jws.token == token
    KEY.public_key().verify(jws.signature, jws.signing_input)  # raises if wrong
    with pytest.raises(InvalidSignature):
        KEY.public_key().verify(jws.signature, jws.signing_input + b"x")


def test_encode_compact_serializes_compact_json_in_key_order() -> None:
    token = encode_compact({"alg": "none"}, {"b": 1, "a": 2}, lambda _: b"")
    assert token == "eyJhbGciOiJub25lIn0.eyJiIjoxLCJhIjoyfQ."


def test_encode_compact_accepts_raw_payload_bytes() -> None:
    jws = split_compact(encode_compact({"alg": "EdDSA"}, b"not json", KEY.sign))
    assert jws.payload == b"not json"
    assert jws.payload_json is None


@pytest.mark.parametrize(
    ("header", "payload", "message"),
    [
        ({"typ": "JWT"}, {"a": 1}, "JWS header needs a non-empty string 'alg', got None"),
        ({"alg": ""}, {"a": 1}, "JWS header needs a non-empty string 'alg', got ''"),
        ({"alg": "EdDSA"}, b"", "JWS payload must not be empty"),
    ],
)
def test_encode_compact_rejects_bad_input(
    header: dict[str, object], payload: dict[str, object] | bytes, message: str
) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(") + "$"):
        encode_compact(header, payload, KEY.sign)


def test_encode_compact_refuses_a_token_its_own_reader_would_refuse() -> None:
    with pytest.raises(ParseError) as info:
        encode_compact({"alg": "EdDSA"}, {"a": 1}, lambda _: b"")
    assert info.value.code == "invalid_jws"


def test_split_reads_the_official_ob3_and_clr_jwt_examples(standards: Path) -> None:
    base = standards / "examples" / "digital-credentials-public-validator"
    ob3 = base / "inspector-vc/src/test/resources/ob30/simple.jwt"
    clr = base / "inspector-clr/src/test/resources/clr20/simple.jwt"
    for path in (ob3, clr):
        text = path.read_text()
        assert looks_like_compact_jws(text)
        jws = split_compact(text)
        assert jws.alg == "RS256"
        assert jws.payload_json is not None
        assert "VerifiableCredential" in jws.payload_json["vc"]["type"]
        assert len(jws.signature) == 256  # RSA-2048


def test_split_ignores_surrounding_whitespace() -> None:
    token = f"{GOOD_HEADER}.{GOOD_PAYLOAD}.{GOOD_SIG}"
    assert split_compact(f"\n {token}\r\n").token == token


def test_payload_that_is_not_a_json_object_has_no_payload_json() -> None:
    assert split_compact(f"{GOOD_HEADER}.{_seg([1, 2])}.{GOOD_SIG}").payload_json is None
    assert split_compact(f"{GOOD_HEADER}.{_NOT_UTF8}.{GOOD_SIG}").payload_json is None


def test_alg_none_with_empty_signature_is_split_not_verified() -> None:
    jws = split_compact(f"{_seg({'alg': 'none'})}.{GOOD_PAYLOAD}.")
    assert jws.alg == "none"
    assert jws.signature == b""


_NAN_HEADER = _seg(b'{"alg": NaN}')
_NEWLINE_HEADER = _seg(b'{\n"alg": "EdDSA"}')
_NOT_UTF8 = _seg(b"\xff\xfe")
_NOT_JSON = _seg(b"not json")
_DUP_HEADER = base64.urlsafe_b64encode(b'{"alg":"EdDSA","alg":"none"}').rstrip(b"=").decode()
_DUP_PAYLOAD = base64.urlsafe_b64encode(b'{"iss":"a","iss":"b"}').rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("token", "code", "message"),
    [
        (
            f"{GOOD_HEADER}.{GOOD_PAYLOAD}",
            "invalid_jws",
            "a compact JWS has exactly 3 dot-separated segments, found 2",
        ),
        (
            f"{GOOD_HEADER}.{GOOD_PAYLOAD}.{GOOD_SIG}.x",
            "invalid_jws",
            "a compact JWS has exactly 3 dot-separated segments, found 4",
        ),
        (
            f"{GOOD_HEADER}.{GOOD_PAYLOAD}=.{GOOD_SIG}",
            "invalid_jws",
            "JWS payload segment is not base64url: character '=' is not allowed",
        ),
        (
            f"{GOOD_HEADER}.{GOOD_PAYLOAD}.ab+c",
            "invalid_jws",
            "JWS signature segment is not base64url: character '+' is not allowed",
        ),
        (
            f"{GOOD_HEADER}.{GOOD_PAYLOAD}.abcde",
            "invalid_jws",
            "JWS signature segment is not base64url: length 5 is impossible for base64",
        ),
        (
            # "eyJhIjoxfR" decodes like "eyJhIjoxfQ" but sets the ignored low bits
            f"{GOOD_HEADER}.eyJhIjoxfR.{GOOD_SIG}",
            "invalid_jws",
            "JWS payload segment is not canonical base64url: its last character 'R'",
        ),
        (f".{GOOD_PAYLOAD}.{GOOD_SIG}", "invalid_jws", "JWS header segment is empty"),
        (
            f"{_NOT_JSON}.{GOOD_PAYLOAD}.{GOOD_SIG}",
            "invalid_jws",
            "JWS header is not UTF-8 JSON",
        ),
        (
            f"{_seg(['alg'])}.{GOOD_PAYLOAD}.{GOOD_SIG}",
            "invalid_jws",
            "JWS header must be a JSON object, got list",
        ),
        (
            f"{_seg({'typ': 'JWT'})}.{GOOD_PAYLOAD}.{GOOD_SIG}",
            "invalid_jws",
            "JWS header must have a non-empty string 'alg', got None",
        ),
        (
            f"{_seg({'alg': 256})}.{GOOD_PAYLOAD}.{GOOD_SIG}",
            "invalid_jws",
            "JWS header must have a non-empty string 'alg', got 256",
        ),
        (
            f"{_DUP_HEADER}.{GOOD_PAYLOAD}.{GOOD_SIG}",
            "invalid_jws",
            "JWS header has the member 'alg' more than once",
        ),
        (
            f"{_NAN_HEADER}.{GOOD_PAYLOAD}.{GOOD_SIG}",
            "invalid_jws",
            "JWS header is not UTF-8 JSON: NaN is not valid JSON",
        ),
        (
            f"{_seg({'alg': 'EdDSA', 'b64': False})}.{GOOD_PAYLOAD}.{GOOD_SIG}",
            "unsupported_jws",
            "JWS header has 'b64': false (unencoded payload), which is not supported",
        ),
        (
            f"{GOOD_HEADER}..{GOOD_SIG}",
            "invalid_jws",
            "JWS payload segment is empty (a detached payload)",
        ),
        (
            f"{_seg({'alg': 'none'})}.{GOOD_PAYLOAD}.{GOOD_SIG}",
            "invalid_jws",
            "JWS has 'alg': 'none' but a non-empty signature segment",
        ),
        (
            f"{GOOD_HEADER}.{GOOD_PAYLOAD}.",
            "invalid_jws",
            "JWS signature segment is empty although 'alg' is 'EdDSA'",
        ),
        (
            f"{GOOD_HEADER}.{_DUP_PAYLOAD}.{GOOD_SIG}",
            "invalid_jws",
            "JWS payload has the member 'iss' more than once",
        ),
    ],
)
def test_split_rejects_malformed_tokens(token: str, code: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        split_compact(token)
    assert info.value.code == code
    assert info.value.message.startswith(message)


@pytest.mark.parametrize("segment", ["header", "payload"])
def test_hostile_nesting_is_a_parse_error_not_a_recursion_error(segment: str) -> None:
    # 20,000 levels: far past the interpreter's recursion limit, inside the header bound
    deep = _seg(b"[" * 20_000 + b"]" * 20_000)
    token = (
        f"{deep}.{GOOD_PAYLOAD}.{GOOD_SIG}"
        if segment == "header"
        else f"{GOOD_HEADER}.{deep}.{GOOD_SIG}"
    )
    with pytest.raises(ParseError) as info:
        split_compact(token)
    assert info.value.code == "too_deeply_nested"
    assert info.value.message == f"JWS {segment} JSON nests too deeply to decode"


def test_split_bounds_the_token_and_header_size() -> None:
    token = f"{GOOD_HEADER}.{GOOD_PAYLOAD}.{GOOD_SIG}"
    with pytest.raises(ParseError) as info:
        split_compact(token, max_chars=20)
    assert info.value.code == "jws_too_large"
    assert info.value.message == f"JWS is {len(token)} characters long, more than the limit of 20"

    big_header = _seg({"alg": "EdDSA", "x": "a" * MAX_HEADER_CHARS})
    with pytest.raises(ParseError) as info:
        split_compact(f"{big_header}.{GOOD_PAYLOAD}.{GOOD_SIG}")
    assert info.value.code == "jws_too_large"
    assert info.value.message.startswith("JWS header is ")


@pytest.mark.parametrize(
    "text",
    [
        f"{GOOD_HEADER}.{GOOD_PAYLOAD}.{GOOD_SIG}",
        f"  {GOOD_HEADER}.{GOOD_PAYLOAD}.{GOOD_SIG}\n",
        f"{GOOD_HEADER}.{GOOD_PAYLOAD}.{GOOD_SIG}".encode(),
        f"{_seg({'alg': 'none'})}.{GOOD_PAYLOAD}.",
        # a header serialized with a newline after "{" encodes as "ew..."
        f"{_NEWLINE_HEADER}.{GOOD_PAYLOAD}.{GOOD_SIG}",
    ],
)
def test_looks_like_compact_jws_accepts_tokens(text: str | bytes) -> None:
    assert looks_like_compact_jws(text)


@pytest.mark.parametrize(
    "text",
    [
        "www.example.org",  # three dot-separated words, but not a JOSE header
        "a.b.c",
        '{"alg": "EdDSA"}',
        "",
        f"{GOOD_HEADER}.{GOOD_PAYLOAD}",
        f"{GOOD_HEADER}..{GOOD_SIG}",
        f"{GOOD_HEADER}.{GOOD_PAYLOAD}.{GOOD_SIG}\n{GOOD_HEADER}.{GOOD_PAYLOAD}.{GOOD_SIG}",
        "eyJ\u00e9.eyJ.x".encode(),
        b"\xff\xfe",
    ],
)
def test_looks_like_compact_jws_rejects_other_text(text: str | bytes) -> None:
    assert not looks_like_compact_jws(text)


def test_looks_like_compact_jws_respects_the_size_bound() -> None:
    token = f"{GOOD_HEADER}.{GOOD_PAYLOAD}.{GOOD_SIG}"
    assert looks_like_compact_jws(token, max_chars=len(token))
    assert not looks_like_compact_jws(token, max_chars=len(token) - 1)


@given(st.binary(max_size=200))
def test_b64url_round_trips(data: bytes) -> None:
    text = b64url_encode(data)
    assert "=" not in text
    assert b64url_decode(text) == data


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=10), json_values, min_size=1, max_size=6))
def test_any_json_object_payload_round_trips(payload: dict[str, object]) -> None:
    jws = split_compact(encode_compact({"alg": "EdDSA"}, payload, KEY.sign))
    assert jws.payload_json == payload
    KEY.public_key().verify(jws.signature, jws.signing_input)


@given(st.text(alphabet="eyJhbGciOiJFZERTQSJ9.abc_-=+/ \n{}", max_size=120))
def test_split_either_decodes_or_raises_parse_error(text: str) -> None:
    codes = set()
    try:
        jws = split_compact(text)
    except ParseError as err:  # anything else escaping is the bug this test hunts
        codes.add(err.code)
    else:
        assert isinstance(jws.header["alg"], str)
        # anything split_compact accepts with a usual header start is also sniffed
        assert looks_like_compact_jws(text) or not jws.token.startswith(("ey", "ew"))
    assert codes <= {"invalid_jws", "unsupported_jws", "jws_too_large", "too_deeply_nested"}
