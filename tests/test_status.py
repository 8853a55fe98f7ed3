"""Status lists: the 1EdTech fixture, bit order, round trips, bounds, and every mismatch."""

from __future__ import annotations

import base64
import gzip
import json
import shutil
import socket
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from lerkit.proofs._jose import sign_jws
from lerkit.status import (
    MAX_DECODED_BYTES,
    MIN_ENTRIES,
    FolderStatusLists,
    MappingStatusLists,
    StatusError,
    StatusList,
    StatusListSource,
    StatusResult,
    bit_at,
    bitstring_status_list_credential,
    check_status,
    decode_list,
    encode_list,
    set_status,
    status_at,
    status_list_2021_credential,
    status_list_entry,
)

BITSTRING_DIR = Path(
    "examples/digital-credentials-public-validator/inspector-vc/src/test/resources/ob30/bit-string-list"
)
OB30 = BITSTRING_DIR.parent
LIST_URL = "https://example.edu/status/7"
ISSUER = "did:example:issuer"


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a test tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _list_vc(status_list: StatusList, purpose: str = "revocation") -> dict[str, Any]:
    return bitstring_status_list_credential(
        status_list, id=LIST_URL, issuer=ISSUER, valid_from="2025-01-01T00:00:00Z", purpose=purpose
    )


def _code(excinfo: pytest.ExceptionInfo[StatusError]) -> str:
    return excinfo.value.code


# ------------------------------------------------------------------ the 1EdTech fixture


def test_1edtech_testlist_decodes_with_index_23_set(standards: Path) -> None:
    status_list = json.loads((standards / BITSTRING_DIR / "testlist").read_text())
    encoded = status_list["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    bits = decode_list(encoded)
    assert len(bits) == 16384  # exactly the 131,072-entry minimum
    assert {i: b for i, b in enumerate(bits) if b} == {2: 0x01}
    assert bit_at(bits, 23)
    assert [i for i in range(64) if bit_at(bits, i)] == [23]
    assert not bit_at(bits, MIN_ENTRIES - 1)


@pytest.mark.parametrize(
    "name", ["credential-status-revoked.json", "credential-status-revoked-blank-nodes.json"]
)
def test_1edtech_revoked_credentials_are_revoked(
    standards: Path, tmp_path: Path, name: str
) -> None:
    credential = json.loads((standards / BITSTRING_DIR / name).read_text())
    entry = credential["credentialStatus"]
    url = entry["statusListCredential"]
    # The list's own id (https://example.com/credentials/status/3) is not the URL the
    # credentials point to, so a list handed over without provenance is refused...
    status_list = json.loads((standards / BITSTRING_DIR / "testlist").read_text())
    with pytest.raises(StatusError) as excinfo:
        check_status(entry, status_list, purpose="revocation")
    assert _code(excinfo) == "status_list_id_mismatch"
    assert "https://example.com/credentials/status/3" in str(excinfo.value)

    # ...but a list obtained from that URL (here: a local copy registered for it) is the
    # list the credential names, which is how the 1EdTech validator reads it: revoked.
    shutil.copy(standards / BITSTRING_DIR / "testlist", tmp_path / "testlist")
    (tmp_path / "index.json").write_text(json.dumps({url: "testlist"}))
    source = FolderStatusLists(tmp_path)
    retrieved = source.get(url)
    result = check_status(
        entry, retrieved.credential, purpose="revocation", retrieved_from=retrieved.url
    )
    assert isinstance(result, StatusResult)
    assert (result.purpose, result.index, result.value, result.status) == (
        "revocation",
        23,
        True,
        1,
    )
    assert result.list_url == url
    assert result.list_id == "https://example.com/credentials/status/3"
    assert result.entries == MIN_ENTRIES
    assert any("number 23" in note for note in result.notes)
    assert any("has id" in note for note in result.notes)


def test_1edtech_revocation_list_type_is_not_a_status_list(standards: Path) -> None:
    credential = json.loads((standards / OB30 / "credential-status-revoked.json").read_text())
    status_list = json.loads((standards / BITSTRING_DIR / "testlist").read_text())
    with pytest.raises(StatusError) as excinfo:
        check_status(credential["credentialStatus"], status_list)
    assert _code(excinfo) == "unsupported_status_type"
    assert "1EdTechRevocationList" in str(excinfo.value)


# ------------------------------------------------------------------ bit order


def test_bit_order_hand_computed() -> None:
    status_list = StatusList()
    for index in (0, 7, 8, 23, MIN_ENTRIES - 1):
        set_status(status_list, index, True)
    bits = status_list.to_bytes()
    assert len(bits) == 16384
    # index 0 -> 0x80 of byte 0; 7 -> 0x01 of byte 0; 8 -> 0x80 of byte 1; 23 -> 0x01 of byte 2
    assert bits[:4] == bytes([0x81, 0x80, 0x01, 0x00])
    assert bits[-1] == 0x01
    assert sum(1 for b in bits if b) == 4
    assert list(status_list.nonzero()) == [0, 7, 8, 23, MIN_ENTRIES - 1]
    set_status(status_list, 7, False)
    assert status_list.to_bytes()[0] == 0x80
    assert bit_at(bytes([0b0100_0000]), 1)
    assert not bit_at(bytes([0b0100_0000]), 0)


def test_multi_bit_status_values() -> None:
    assert [status_at(bytes([0b0110_1100]), i, 2) for i in range(4)] == [1, 2, 3, 0]
    assert status_at(bytes([0x0F, 0xF0]), 1, 8) == 0xF0
    status_list = StatusList(MIN_ENTRIES, status_size=2)
    status_list.set(1, 3)
    status_list.set(2, 2)
    assert status_list.to_bytes()[0] == 0b0011_1000
    assert (status_list.get(0), status_list.get(1), status_list.get(2)) == (0, 3, 2)
    assert list(status_list.nonzero()) == [1, 2]
    with pytest.raises(ValueError, match="does not fit"):
        status_list.set(0, 4)


@pytest.mark.parametrize("index", [-1, 16, 100])
def test_index_out_of_range(index: int) -> None:
    with pytest.raises(StatusError) as excinfo:
        bit_at(bytes(2), index)
    assert _code(excinfo) == "status_index_out_of_range"
    with pytest.raises(StatusError) as excinfo:
        StatusList().set(MIN_ENTRIES + max(index, 0), True)
    assert _code(excinfo) == "status_index_out_of_range"


# ------------------------------------------------------------------ encoding round trips


@given(st.sets(st.integers(min_value=0, max_value=MIN_ENTRIES - 1), max_size=40))
def test_encode_decode_round_trip(indices: set[int]) -> None:
    status_list = StatusList()
    expected = bytearray(MIN_ENTRIES // 8)
    for index in indices:
        status_list.set(index, True)
        expected[index >> 3] |= 0x80 >> (index & 7)  # the spec's order, computed here
    for multibase in (True, False):
        encoded = status_list.encode(multibase=multibase)
        assert encoded.startswith("uH4sI" if multibase else "H4sI")
        bits = decode_list(encoded, multibase=multibase)
        assert bits == expected
        assert all(bit_at(bits, i) for i in indices)
    assert StatusList.from_encoded(status_list.encode()).to_bytes() == status_list.to_bytes()


def test_encoding_is_deterministic_and_compact() -> None:
    empty = StatusList()
    assert empty.encode() == empty.encode()
    assert len(empty.encode()) < 100
    assert encode_list(bytes(16384), multibase=False) == empty.encode(multibase=False)


def test_padded_status_list_2021_text_is_accepted() -> None:
    bits = bytes([0x40]) + bytes(16383)
    padded = base64.urlsafe_b64encode(gzip.compress(bits)).decode()
    assert decode_list(padded) == bits


def test_multi_member_gzip() -> None:
    data = gzip.compress(bytes([0xFF]) * 10) + gzip.compress(bytes(10))
    assert decode_list("u" + _b64(data)) == bytes([0xFF]) * 10 + bytes(10)


@pytest.mark.parametrize(
    ("encoded", "fragment"),
    [
        ("", "non-empty"),
        ("u!!!!", "not base64url"),
        ("u" + _b64(b"not gzip at all"), "GZIP"),
        ("u" + _b64(gzip.compress(bytes(100))[:-12]), "truncated"),
        ("u" + _b64(gzip.compress(bytes(100)) + b"junk"), "trailing"),
        ("u" + _b64(b"\x1f\x8b" + bytes(30)), "not valid GZIP"),
        ("uA", "impossible"),
    ],
)
def test_malformed_lists(encoded: str, fragment: str) -> None:
    with pytest.raises(StatusError) as excinfo:
        decode_list(encoded)
    assert _code(excinfo) == "malformed_status_list"
    assert fragment in str(excinfo.value)


def test_prefix_rules() -> None:
    encoded = StatusList().encode()
    with pytest.raises(StatusError, match="without a multibase prefix"):
        decode_list(encoded, multibase=False)
    with pytest.raises(StatusError, match="start with 'u'"):
        decode_list(encoded[1:], multibase=True)


def test_gzip_bomb_is_refused_with_bounded_memory() -> None:
    bomb = gzip.compress(bytes(MAX_DECODED_BYTES + 1024 * 1024), compresslevel=9)
    assert len(bomb) < 64 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(StatusError) as excinfo:
            decode_list("u" + _b64(bomb))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert _code(excinfo) == "status_list_too_large"
    assert peak < 3 * MAX_DECODED_BYTES
    with pytest.raises(StatusError) as excinfo:
        decode_list(StatusList().encode(), max_bytes=1024)
    assert _code(excinfo) == "status_list_too_large"


def test_minimum_size() -> None:
    with pytest.raises(StatusError) as excinfo:
        StatusList(MIN_ENTRIES - 8)
    assert _code(excinfo) == "status_list_too_short"
    assert "131072" in str(excinfo.value)
    small = StatusList(64, minimum_entries=8)
    small.set(3, True)
    list_vc = _list_vc(small)
    entry = status_list_entry(LIST_URL, 3)
    with pytest.raises(StatusError) as excinfo:
        check_status(entry, list_vc)
    assert _code(excinfo) == "status_list_too_short"
    assert check_status(entry, list_vc, minimum_entries=8).value is True


# ------------------------------------------------------------------ credentials and checks


def test_bitstring_status_list_credential_document() -> None:
    status_list = StatusList()
    list_vc = bitstring_status_list_credential(
        status_list,
        id=LIST_URL,
        issuer={"id": ISSUER, "name": "Example College"},
        valid_from=datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
        valid_until="2026-03-01T00:00:00Z",
        purpose="suspension",
        ttl=300000,
    )
    assert list_vc == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": ISSUER, "name": "Example College"},
        "validFrom": "2025-03-01T12:00:00Z",
        "validUntil": "2026-03-01T00:00:00Z",
        "credentialSubject": {
            "id": LIST_URL + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "suspension",
            "encodedList": status_list.encode(),
            "ttl": 300000,
        },
    }
    with pytest.raises(ValueError, match="timezone"):
        bitstring_status_list_credential(
            status_list, id=LIST_URL, issuer=ISSUER, valid_from=datetime(2025, 1, 1)
        )
    with pytest.raises(ValueError, match="statusPurpose"):
        bitstring_status_list_credential(
            status_list, id=LIST_URL, issuer=ISSUER, valid_from="x", purpose="revoked"
        )


def test_status_list_entry_document() -> None:
    assert status_list_entry(LIST_URL, 94567, purpose="suspension") == {
        "id": LIST_URL + "#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }


def test_round_trip_through_documents() -> None:
    status_list = StatusList()
    status_list.set(94567, True)
    list_vc = _list_vc(status_list)
    revoked = check_status(status_list_entry(LIST_URL, 94567), list_vc, purpose="revocation")
    assert (revoked.value, revoked.kind, revoked.notes) == (True, "BitstringStatusList", ())
    fine = check_status(status_list_entry(LIST_URL, 94566), list_vc, purpose="revocation")
    assert (fine.value, fine.status, fine.message) == (False, 0, None)


def test_status_list_2021_round_trip() -> None:
    status_list = StatusList()
    status_list.set(3, True)
    list_vc = status_list_2021_credential(
        status_list, id=LIST_URL, issuer=ISSUER, issuance_date="2021-04-05T14:27:40Z"
    )
    assert list_vc["@context"] == [
        "https://www.w3.org/2018/credentials/v1",
        "https://w3id.org/vc/status-list/2021/v1",
    ]
    assert list_vc["type"] == ["VerifiableCredential", "StatusList2021Credential"]
    assert list_vc["credentialSubject"]["type"] == "StatusList2021"
    assert list_vc["credentialSubject"]["encodedList"].startswith("H4sI")
    entry = status_list_entry(LIST_URL, 3, kind="StatusList2021")
    assert entry["type"] == "StatusList2021Entry"
    result = check_status(entry, list_vc, purpose="revocation")
    assert (result.value, result.kind) == (True, "StatusList2021")
    # a StatusList2021 entry cannot be answered from a Bitstring list, nor vice versa
    with pytest.raises(StatusError) as excinfo:
        check_status(entry, _list_vc(status_list))
    assert _code(excinfo) == "status_list_type_mismatch"
    with pytest.raises(StatusError) as excinfo:
        check_status(status_list_entry(LIST_URL, 3), list_vc)
    assert _code(excinfo) == "status_list_type_mismatch"


def test_status_messages_for_multi_bit_entries() -> None:
    status_list = StatusList(status_size=2)
    status_list.set(5, 2)
    list_vc = _list_vc(status_list, purpose="message")
    messages = {0: "pending", 1: "accepted", 2: "rejected", 3: "undefined"}
    entry = status_list_entry(
        LIST_URL, 5, purpose="message", status_size=2, status_messages=messages
    )
    assert entry["statusMessage"][2] == {"status": "0x2", "message": "rejected"}
    result = check_status(entry, list_vc, purpose="message")
    assert (result.status, result.value, result.message, result.status_size) == (
        2,
        True,
        "rejected",
        2,
    )
    assert result.entries == MIN_ENTRIES
    without = {k: v for k, v in entry.items() if k != "statusMessage"}
    with pytest.raises(StatusError) as excinfo:
        check_status(without, list_vc)
    assert _code(excinfo) == "invalid_status_entry"
    assert "statusMessage" in str(excinfo.value)
    short = dict(entry, statusMessage=entry["statusMessage"][:3])
    with pytest.raises(StatusError) as excinfo:
        check_status(short, list_vc)
    assert _code(excinfo) == "invalid_status_entry"


def _entry(**changes: Any) -> dict[str, Any]:
    entry = status_list_entry(LIST_URL, 3)
    entry.update(changes)
    return {k: v for k, v in entry.items() if v is not None}


@pytest.mark.parametrize(
    ("entry", "purpose", "code"),
    [
        (_entry(statusPurpose="suspension"), None, "status_purpose_mismatch"),
        (_entry(), "suspension", "status_purpose_mismatch"),
        (_entry(type="RevocationList2020Status"), None, "unsupported_status_type"),
        (_entry(type=None), None, "unsupported_status_type"),
        (_entry(statusListIndex="-1"), None, "invalid_status_entry"),
        (_entry(statusListIndex="0x17"), None, "invalid_status_entry"),
        (_entry(statusListIndex="1.5"), None, "invalid_status_entry"),
        (_entry(statusListIndex=True), None, "invalid_status_entry"),
        (_entry(statusListIndex=None), None, "invalid_status_entry"),
        (_entry(statusListIndex=str(MIN_ENTRIES)), None, "status_index_out_of_range"),
        (_entry(statusListCredential=None), None, "invalid_status_entry"),
        (
            _entry(statusListCredential="https://example.edu/status/8"),
            None,
            "status_list_id_mismatch",
        ),
        (_entry(statusSize=0), None, "invalid_status_entry"),
        (_entry(statusPurpose=None), None, "invalid_status_entry"),
    ],
)
def test_entry_mismatches(entry: dict[str, Any], purpose: str | None, code: str) -> None:
    list_vc = _list_vc(StatusList())
    with pytest.raises(StatusError) as excinfo:
        check_status(entry, list_vc, purpose=purpose)
    assert _code(excinfo) == code


def _mutated(**changes: Any) -> dict[str, Any]:
    list_vc = _list_vc(StatusList())
    subject_changes = changes.pop("subject", {})
    list_vc.update(changes)
    list_vc["credentialSubject"] = dict(list_vc["credentialSubject"], **subject_changes)
    return list_vc


@pytest.mark.parametrize(
    ("list_vc", "code"),
    [
        (_mutated(type=["VerifiableCredential"]), "status_list_type_mismatch"),
        (_mutated(type="BitstringStatusListCredential"), None),
        (_mutated(id="https://example.edu/status/other"), "status_list_id_mismatch"),
        (_mutated(subject={"type": "StatusList2021"}), "status_list_type_mismatch"),
        (_mutated(subject={"statusPurpose": "suspension"}), "status_purpose_mismatch"),
        (_mutated(subject={"statusPurpose": ["suspension", "revocation"]}), None),
        (_mutated(subject={"encodedList": 12}), "malformed_status_list"),
        (_mutated(subject={"encodedList": "u" + _b64(b"nope")}), "malformed_status_list"),
        (_mutated(subject={"statusSize": 2}), "invalid_status_entry"),
        (_mutated(credentialSubject=[]), "status_list_type_mismatch"),
    ],
)
def test_list_mismatches(list_vc: dict[str, Any], code: str | None) -> None:
    if code is None:
        assert check_status(_entry(), list_vc).value is False
        return
    with pytest.raises(StatusError) as excinfo:
        check_status(_entry(), list_vc)
    assert _code(excinfo) == code
    assert excinfo.value.url == LIST_URL


def test_retrieved_from_must_be_the_entry_url() -> None:
    list_vc = _list_vc(StatusList())
    with pytest.raises(StatusError) as excinfo:
        check_status(_entry(), list_vc, retrieved_from="https://example.edu/status/8")
    assert _code(excinfo) == "status_list_id_mismatch"
    anonymous = {k: v for k, v in list_vc.items() if k != "id"}
    with pytest.raises(StatusError) as excinfo:
        check_status(_entry(), anonymous)
    assert _code(excinfo) == "status_list_id_mismatch"
    result = check_status(_entry(), anonymous, retrieved_from=LIST_URL)
    assert result.list_id is None
    assert result.notes


# ------------------------------------------------------------------ sources


def test_folder_source_by_url_derived_name(tmp_path: Path) -> None:
    list_vc = _list_vc(StatusList())
    target = tmp_path / "example.edu" / "status" / "7.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(list_vc))
    source = FolderStatusLists(tmp_path)
    assert isinstance(source, StatusListSource)
    retrieved = source.get(LIST_URL)
    assert retrieved.credential == list_vc
    assert retrieved.location == str(target)
    assert retrieved.jws is None
    assert check_status(_entry(), retrieved.credential, retrieved_from=retrieved.url).value is False


def test_folder_source_reads_vc_jwt_lists(tmp_path: Path) -> None:
    list_vc = _list_vc(StatusList())
    key = Ed25519PrivateKey.from_private_bytes(bytes(32))
    token = sign_jws(
        {"iss": ISSUER, "jti": LIST_URL, "vc": {k: v for k, v in list_vc.items() if k != "id"}}, key
    )
    target = tmp_path / "example.edu" / "status" / "7.jwt"
    target.parent.mkdir(parents=True)
    target.write_text(token + "\n")
    retrieved = FolderStatusLists(tmp_path).get(LIST_URL)
    assert retrieved.jws == token
    assert retrieved.credential["id"] == LIST_URL
    assert check_status(_entry(), retrieved.credential).value is False


def test_folder_source_stays_inside_its_folder(tmp_path: Path) -> None:
    inside = tmp_path / "lists"
    inside.mkdir()
    (tmp_path / "secret.json").write_text(json.dumps(_list_vc(StatusList())))
    (inside / "index.json").write_text(json.dumps({LIST_URL: "../secret.json"}))
    source = FolderStatusLists(inside)
    with pytest.raises(StatusError) as excinfo:
        source.get(LIST_URL)
    assert _code(excinfo) == "status_list_unavailable"
    assert source.candidates("https://example.edu/../secret") == []
    assert source.candidates("https://example.edu/status?list=1") == []
    assert source.candidates("https://../secret") == []
    assert source.candidates("https://user@example.edu/secret") == []
    assert str(inside / "index.json") in str(excinfo.value)


def test_folder_source_fetch_is_opt_in(tmp_path: Path) -> None:
    calls: list[str] = []
    body = json.dumps(_list_vc(StatusList())).encode()

    def fetch(url: str) -> bytes:
        calls.append(url)
        return body

    with pytest.raises(StatusError) as excinfo:
        FolderStatusLists(tmp_path).get(LIST_URL)
    assert _code(excinfo) == "status_list_unavailable"
    assert "downloading is off" in str(excinfo.value)
    online = FolderStatusLists(tmp_path, fetch=fetch)
    assert online.get(LIST_URL).location == LIST_URL
    assert calls == [LIST_URL]
    with pytest.raises(StatusError) as excinfo:
        online.get("http://example.edu/status/7")
    assert _code(excinfo) == "status_list_unavailable"
    assert calls == [LIST_URL]


def test_mapping_source() -> None:
    list_vc = _list_vc(StatusList())
    source = MappingStatusLists({LIST_URL: list_vc})
    assert isinstance(source, StatusListSource)
    assert source.get(LIST_URL).credential == list_vc
    with pytest.raises(StatusError) as excinfo:
        source.get("https://example.edu/none")
    assert _code(excinfo) == "status_list_unavailable"
    with pytest.raises(StatusError) as excinfo:
        MappingStatusLists({LIST_URL: "[1]"}).get(LIST_URL)
    assert _code(excinfo) == "malformed_status_list"
