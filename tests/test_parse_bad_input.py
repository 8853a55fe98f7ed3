"""Bad input: each broken item is exactly one problem row, and the rest of the batch is read.

Every case is checked three ways: alone beside two good credentials (one
problem, right place, exact message), through ``read_unverified`` (the same
message and code, raised), and all together in one folder (exact counts, and no
file disappears).
"""

from __future__ import annotations

import base64
import collections
import io
import json
import random
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import lerkit as lk

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#: low enough that the oversized cases stay small and fast to build
LIMITS = lk.ReadLimits(max_file_bytes=1_000_000, max_zip_bytes=10_000_000, max_zip_members=20)
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def credential(number: int = 1, **changes: Any) -> dict[str, Any]:
    """A small, conforming OB 3.0 credential; ``changes`` replace or (None) drop keys."""
    document: dict[str, Any] = {
        "@context": [VC_V2, OB3_CONTEXT],
        "id": f"urn:uuid:6a9e1f0c-0000-4000-8000-{number:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": "https://example.edu/issuers/1",
            "type": ["Profile"],
            "name": "Example University",
        },
        "validFrom": "2024-01-01T00:00:00Z",
        "name": f"Badge {number}",
        "credentialSubject": {
            "id": f"did:example:learner-{number}",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.edu/achievements/teamwork",
                "type": ["Achievement"],
                "name": "Teamwork",
                "criteria": {"narrative": "Worked well in a team."},
            },
        },
    }
    for key, value in changes.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    return document


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _token(payload: bytes) -> str:
    """A compact JWS around ``payload``; any signature will do, reading never verifies."""
    header = _b64(json.dumps({"alg": "HS256"}).encode())
    return f"{header}.{_b64(payload)}.{_b64(b'sig')}"


def _dump(document: Any) -> bytes:
    return json.dumps(document, indent=2).encode("utf-8")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def plain_png() -> bytes:
    """A valid 1x1 RGB PNG with no text chunk at all."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")),
            _png_chunk(b"IEND", b""),
        ]
    )


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@cache
def zip_bomb() -> bytes:
    """One member of 50 MiB of zeros: about 50 KB on disk, a thousand-fold expansion."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("zeros.json", "w") as member,
    ):
        block = b"\0" * (1024 * 1024)
        for _ in range(50):
            member.write(block)
    return buffer.getvalue()


def deep_json(levels: int) -> bytes:
    return b'{"a": ' + b"[" * levels + b"]" * levels + b"}"


def jsonl_with_broken_third_line() -> bytes:
    lines = [json.dumps(credential(n)) for n in range(1, 6)]
    lines[2] = '{"@context": '
    return ("\n".join(lines) + "\n").encode("utf-8")


def clr_with_broken_second_member() -> bytes:
    members = [credential(10), credential(11, issuer=None), credential(12)]
    clr = {
        "@context": [VC_V2, "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"],
        "id": "urn:uuid:c1c1c1c1-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": "https://example.edu/issuers/1", "type": ["Profile"]},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Transcript",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["ClrSubject"],
            "verifiableCredential": members,
        },
    }
    return _dump(clr)


@dataclass(frozen=True)
class Case:
    """One bad input, written as ``name`` inside a folder, and the problem it must give."""

    name: str
    data: Callable[[], bytes]
    code: str
    message: str | re.Pattern[str]
    member: str | None = None
    line: int | None = None
    pointer: str | None = None
    #: good records read from the same input besides the problem
    records: int = 0


CASES = [
    Case(
        "broken.json",
        lambda: b'{\n  "id": "urn:x",\n  "type": \n}\n',
        "invalid_json",
        "invalid JSON: Expecting value (line 4, column 1)",
    ),
    Case(
        "note.json",
        lambda: _dump({"hello": "world", "count": 3}),
        "not_a_credential",
        "JSON object is not a credential: no 'VerifiableCredential' type, OB 2.0 Assertion or "
        "LER-RS document (found keys: count, hello)",
    ),
    Case(
        "no-issuer.json",
        lambda: _dump(credential(issuer=None)),
        "missing_field",
        "$.issuer: missing; every credential must name its issuer",
    ),
    Case(
        "subject-number.json",
        lambda: _dump(credential(credentialSubject=42)),
        "wrong_type",
        "$.credentialSubject: expected an object, found the number 42",
    ),
    Case(
        "issuer-number.json",
        lambda: _dump(credential(issuer=7)),
        "wrong_type",
        "$.issuer: expected a URL or a Profile object, found the number 7",
    ),
    Case(
        "valid-from-yesterday.json",
        lambda: _dump(credential(validFrom="yesterday")),
        "wrong_type",
        "$.validFrom: expected an ISO 8601 date-time, found the string 'yesterday'",
    ),
    Case(
        "notes",
        lambda: b"hello, this is not a credential\nsecond line\n",
        "unknown_format",
        "text is not JSON or a compact JWS (starts with 'hello, this is not a credential second l')",
    ),
    Case(
        "photo.png",
        plain_png,
        "no_badge_in_image",
        "PNG image has no 'openbadges' iTXt chunk: it is not a baked badge",
    ),
    Case(
        "garbage.bin",
        lambda: random.Random(1).randbytes(4096),
        "unknown_format",
        "binary data that is not a PNG or SVG badge, JSON or a compact JWS",
    ),
    Case("empty.json", lambda: b"", "empty", "input is empty"),
    Case(
        "huge.json",
        lambda: _dump(credential(description="x" * 1_500_000)),
        "file_too_large",
        re.compile(r"file is 1,500,\d{3} bytes, over the 1,000,000-byte limit"),
    ),
    Case(
        "deep-100.json",
        lambda: deep_json(100),
        "too_deeply_nested",
        "JSON nests deeper than 64 levels",
    ),
    Case(
        "deep-100000.json",
        lambda: deep_json(100_000),
        "too_deeply_nested",
        "JSON nests deeper than 64 levels",
    ),
    Case(
        "bomb.zip",
        zip_bomb,
        "zip_too_large",
        "zip members would expand to 52,428,800 bytes, over the 10,000,000-byte limit",
    ),
    Case(
        "many.zip",
        lambda: _zip({f"c{n:02d}.json": _dump(credential(n)) for n in range(25)}),
        "zip_too_large",
        "zip has 25 members, over the limit of 20",
    ),
    Case(
        "nested.zip",
        lambda: _zip(
            {"good.json": _dump(credential(30)), "inner.zip": _zip({"c.json": _dump(credential())})}
        ),
        "nested_archive",
        "zip archives inside zip archives are not read; extract it first",
        member="inner.zip",
        records=1,
    ),
    Case(
        "lines.jsonl",
        jsonl_with_broken_third_line,
        "invalid_json",
        "invalid JSON: Expecting value (column 14)",
        line=3,
        records=4,
    ),
    Case(
        "transcript.json",
        clr_with_broken_second_member,
        "missing_field",
        "$.issuer: missing; every credential must name its issuer",
        pointer="/credentialSubject/verifiableCredential/1",
        records=3,
    ),
    Case(
        "token.jwt",
        lambda: b"eyJhbGciOiJIUzI1NiJ9.abcde.c2ln\n",
        "invalid_jws",
        "JWS payload segment is not base64url: length 5 is impossible for base64",
    ),
]
CASE_IDS = [case.name for case in CASES]


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _write_good(folder: Path) -> list[Path]:
    return [
        _write(folder, "a-good.json", _dump(credential(101))),
        _write(folder, "z-good.json", _dump(credential(102))),
    ]


def _message_ok(case: Case, message: str) -> bool:
    if isinstance(case.message, re.Pattern):
        return case.message.fullmatch(message) is not None
    return message == case.message


def _errors(found: lk.CredentialSet) -> list[lk.Problem]:
    return [problem for problem in found.problems if problem.severity == "error"]


def test_cases_are_distinct() -> None:
    assert len(set(CASE_IDS)) == len(CASES)


def test_deep_case_really_overflows_the_json_module() -> None:
    # Otherwise the 100,000-level case would not test the RecursionError path.
    with pytest.raises(RecursionError):
        json.loads(deep_json(100_000))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_bad_input_is_one_problem_and_the_batch_goes_on(tmp_path: Path, case: Case) -> None:
    good = _write_good(tmp_path)
    bad = _write(tmp_path, case.name, case.data())
    found = lk.read(tmp_path, limits=LIMITS)

    assert len(found.problems) == 1, [(p.code, p.message) for p in found.problems]
    (problem,) = found.problems
    assert (problem.severity, problem.code) == ("error", case.code)
    assert _message_ok(case, problem.message), problem.message
    assert problem.record_id is None
    assert problem.source == lk.SourceLocation(str(bad), case.member, case.line, case.pointer)

    sources = collections.Counter(c.source.path for c in found.credentials)
    assert sources[str(good[0])] == 1
    assert sources[str(good[1])] == 1
    assert sources[str(bad)] == case.records
    assert len(found.credentials) == 2 + case.records

    row = found.table("problems").iloc[0]
    assert (row["source_path"], row["code"], row["message"]) == (
        str(bad),
        case.code,
        problem.message,
    )
    line = row["source_line"]
    assert (None if pd.isna(line) else int(line)) == case.line


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_read_unverified_raises_the_same_problem(tmp_path: Path, case: Case) -> None:
    bad = _write(tmp_path, case.name, case.data())
    (problem,) = _errors(lk.read(bad, limits=LIMITS))
    with pytest.raises(lk.ParseError) as caught:
        lk.read_unverified(bad, limits=LIMITS)
    error = caught.value
    assert error.code == problem.code == case.code
    assert error.message == problem.message
    assert error.location == problem.source
    assert str(problem.source) in str(error)
    assert str(error) == f"{problem.source}: {problem.message}"


def test_nonexistent_path_in_a_batch(tmp_path: Path) -> None:
    good = _write_good(tmp_path)
    missing = tmp_path / "nowhere" / "missing.json"
    found = lk.read([good[0], missing, good[1]], limits=LIMITS)
    assert len(found.credentials) == 2
    assert [(p.severity, p.code, p.message) for p in found.problems] == [
        ("error", "not_found", "no such file or folder")
    ]
    assert found.problems[0].source == lk.SourceLocation(str(missing))
    with pytest.raises(lk.ParseError, match="no such file or folder") as caught:
        lk.read_unverified(missing)
    assert caught.value.code == "not_found"
    assert str(missing) in str(caught.value)


@pytest.fixture(scope="module")
def everything(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    folder = tmp_path_factory.mktemp("everything")
    paths = {case.name: _write(folder, case.name, case.data()) for case in CASES}
    _write_good(folder)
    _write(folder, "README.md", b"# Not a credential\n")
    _write(folder, ".hidden/c.json", _dump(credential(7)))
    _write(folder, "sub/c.json", _dump(credential(8)))
    return folder, paths


def test_folder_with_everything_at_once(everything: tuple[Path, dict[str, Path]]) -> None:
    folder, paths = everything
    found = lk.read(folder, limits=LIMITS)
    assert len(found.problems) == len(CASES)
    assert all(problem.severity == "error" for problem in found.problems)
    assert collections.Counter(p.code for p in found.problems) == collections.Counter(
        case.code for case in CASES
    )
    by_path = {problem.source.path: problem for problem in found.problems}
    for case in CASES:
        problem = by_path[str(paths[case.name])]
        assert problem.code == case.code
        assert _message_ok(case, problem.message), problem.message
    # 2 good files, sub/c.json, and the good parts of the nested zip, JSONL and CLR
    assert len(found.credentials) == 3 + sum(case.records for case in CASES)
    assert sorted(found.skipped) == sorted(
        [str(folder / ".hidden" / "c.json"), str(folder / "README.md")]
    )
    assert len(found.tables()["problems"]) == len(CASES)


def test_nothing_disappears(everything: tuple[Path, dict[str, Path]]) -> None:
    folder, _ = everything
    found = lk.read(folder, limits=LIMITS)
    accounted = (
        {c.source.path for c in found.credentials}
        | {p.source.path for p in found.problems}
        | set(found.skipped)
    )
    files = {str(path) for path in folder.rglob("*") if path.is_file()}
    assert files - accounted == set()


def test_every_problem_message_is_actionable(everything: tuple[Path, dict[str, Path]]) -> None:
    folder, _ = everything
    for problem in lk.read(folder, limits=LIMITS).problems:
        assert SNAKE_CASE.match(problem.code), problem.code
        assert problem.message.strip() == problem.message
        assert len(problem.message) >= 12
        assert "Traceback" not in problem.message
        assert "Error(" not in problem.message  # no bare exception reprs


# -- the depth limit, exactly at the boundary ----------------------------------------

#: brackets, an escaped quote and a trailing backslash inside strings must not count
_TRICKY = 'x]]]}}} [[[{{{ \\" \\'


def _nested(depth: int) -> dict[str, Any]:
    """A credential-shaped object whose deepest point is exactly ``depth`` levels down."""
    value: Any = [_TRICKY]  # the object is level 1, this list level 2
    for _ in range(depth - 2):
        value = [value]
    return {"a": value, _TRICKY: "[" * 200}


@pytest.mark.parametrize("depth", [63, 64, 65, 66])
@pytest.mark.parametrize("form", ["dict", "text"])
def test_depth_limit_is_the_same_for_objects_and_text(depth: int, form: str) -> None:
    document = _nested(depth)
    source: Any = document if form == "dict" else json.dumps(document)
    codes = [p.code for p in lk.read(source).problems]
    # Within the limit the object is read and found not to be a credential.
    assert codes == (["too_deeply_nested"] if depth > 64 else ["not_a_credential"])


# -- zip bombs, more ways -----------------------------------------------------------


def test_zip_bomb_caught_by_ratio_even_under_a_generous_size_limit(tmp_path: Path) -> None:
    bomb = _write(tmp_path, "bomb.zip", zip_bomb())
    generous = lk.ReadLimits(max_file_bytes=100_000_000, max_zip_bytes=1_000_000_000)
    found = lk.read(bomb, limits=generous)
    assert found.credentials == ()
    (problem,) = found.problems
    assert (problem.code, problem.source) == (
        "zip_too_large",
        lk.SourceLocation(str(bomb), member="zeros.json"),
    )
    assert re.fullmatch(
        r"member expands [\d,]+-fold \(52,428,800 bytes\), over the ratio limit of 200: "
        r"possible zip bomb",
        problem.message,
    ), problem.message


def _lie_about_size(archive: bytes, name: bytes, size: int) -> bytes:
    """Rewrite the central directory so ``name`` claims to be ``size`` bytes."""
    data = bytearray(archive)
    entry = data.index(b"PK\x01\x02")
    while True:
        name_length = struct.unpack_from("<H", data, entry + 28)[0]
        if bytes(data[entry + 46 : entry + 46 + name_length]) == name:
            struct.pack_into("<I", data, entry + 24, size)
            return bytes(data)
        entry = data.index(b"PK\x01\x02", entry + 4)


def test_zip_member_larger_than_its_header_declares(tmp_path: Path) -> None:
    honest = _zip({"a.json": _dump(credential(1)), "b.json": _dump(credential(2))})
    path = _write(tmp_path, "liar.zip", _lie_about_size(honest, b"a.json", 10))
    found = lk.read(path, limits=LIMITS)
    assert [c.source.member for c in found.credentials] == ["b.json"]
    (problem,) = found.problems
    assert problem.severity == "error"
    assert problem.source == lk.SourceLocation(str(path), member="a.json")
    assert problem.code in {"zip_too_large", "invalid_zip"}


# -- defects found while writing these tests ---------------------------------------
# Each test below failed against the parser as first written; the report that
# came with these tests gives the fix for each.


def _corrupt_member(method: int) -> bytes:
    payload = _dump(credential(description="x " * 4000 + " ".join(map(str, range(3000)))))
    archive = bytearray(_zip_with(method, {"c.json": payload, "ok.json": _dump(credential(2))}))
    start = 30 + len("c.json")  # first local header, then the compressed bytes
    for offset in range(start + 16, start + 64):
        archive[offset] ^= 0x5A
    return bytes(archive)


def _zip_with(method: int, members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_LZMA], ids=["deflate", "lzma"]
)
def test_zip_member_with_corrupt_compressed_stream(tmp_path: Path, method: int) -> None:
    path = _write(tmp_path, "corrupt.zip", _corrupt_member(method))
    found = lk.read(path, limits=LIMITS)  # zlib.error / LZMAError escaped here
    assert [c.source.member for c in found.credentials] == ["ok.json"]
    (problem,) = found.problems
    assert (problem.code, problem.source.member) == ("invalid_zip", "c.json")


def test_invalid_json_line_counts_leading_blank_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, "lead.json", b'\n\n\n{\n "a": }\n')
    (problem,) = lk.read(path).problems
    # The error is on line 5 of the file; stripping before parsing said line 2.
    assert problem.message == "invalid JSON: Expecting value (line 5, column 7)"


@pytest.mark.parametrize("text", ["[]", "[[]]"])
def test_json_array_without_credentials_is_reported(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, "list.json", text.encode())
    found = lk.read(path)
    assert found.credentials == ()
    assert len(_errors(found)) == 1  # it vanished without a trace
    assert found.problems[0].source.path == str(path)


def test_empty_jsonl_file_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, "empty.jsonl", b"\n\n")
    found = lk.read(path)
    assert [p.code for p in found.problems] == ["empty"]
    assert found.problems[0].source.path == str(path)


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_string_is_not_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    _write_good(tmp_path)
    monkeypatch.chdir(tmp_path)
    found = lk.read(text)
    assert found.credentials == ()  # read("") read every file in the working folder
    assert len(_errors(found)) == 1


@pytest.mark.parametrize("value", ["1e20", "-1e20", "1e300", "NaN", "Infinity"])
def test_out_of_range_numeric_date_is_a_problem(value: str) -> None:
    text = json.dumps(credential(validFrom="@@")).replace('"@@"', value)
    found = lk.read(text)  # OverflowError / ValueError escaped here
    assert found.credentials == ()
    (problem,) = found.problems
    assert problem.code == "wrong_type"
    assert problem.message.startswith("$.validFrom: ")


def test_out_of_range_jwt_nbf_is_a_problem() -> None:
    payload = {"vc": credential(), "iss": "https://example.edu/issuers/1", "nbf": 1e20}
    found = lk.read(
        _token(json.dumps(payload).encode())
    )  # OverflowError escaped from _vc_from_jwt_claims
    assert found.credentials == ()
    assert len(_errors(found)) == 1


def test_non_ascii_digit_status_index_is_a_problem() -> None:
    status = {
        "id": "https://example.edu/status/1#5",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "\u00b2",  # str.isdigit() is true for "²", int() refuses it
        "statusListCredential": "https://example.edu/status/1",
    }
    found = lk.read(credential(credentialStatus=status))  # ValueError escaped here
    assert [p.code for p in found.problems] == ["wrong_type"]
    assert found.problems[0].message.startswith("$.credentialStatus.statusListIndex: ")


def test_deeply_nested_jws_payload_is_a_problem() -> None:
    found = lk.read(_token(deep_json(100_000)))  # RecursionError escaped from lerkit._jws
    assert [p.code for p in found.problems] == ["too_deeply_nested"]


def test_long_text_is_a_problem_not_an_os_error() -> None:
    # A one-line string is tried as a path; 300 characters is too long a file
    # name for Linux, and Path.is_dir() raises OSError(ENAMETOOLONG) for it.
    found = lk.read("a" * 300)
    assert found.credentials == ()
    assert len(_errors(found)) == 1


def test_empty_zip_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, "empty.zip", _zip({}))
    found = lk.read(path)
    assert [p.code for p in found.problems] == ["empty"]
    assert found.problems[0].source == lk.SourceLocation(str(path))


def _bare_ler_rs(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "documentId": {"value": "resume-1"},
        "person": {"name": {"formattedName": "Ada Lovelace"}},
        "skills": [{"name": "Teamwork", "verifications": [credential(40)]}],
    }
    document.update(changes)
    return document


def test_bare_ler_rs_resume_and_its_embedded_credential() -> None:
    found = lk.read(_bare_ler_rs())
    assert found.problems == ()
    resume, badge = found.credentials
    assert (resume.format, resume.id, resume.subject.name) == (
        lk.CredentialFormat.LER_RS,
        "resume-1",
        "Ada Lovelace",
    )
    assert badge.parent_record_id == resume.record_id
    assert badge.source.pointer == "/skills/0/verifications/0"


def test_bare_ler_rs_with_bad_type_leaves_no_orphan() -> None:
    # The resume's own "type" was checked only after its embedded credentials
    # were read, so they stayed behind naming a parent that was never recorded.
    found = lk.read(_bare_ler_rs(type=[1]))
    assert [(p.severity, p.code) for p in found.problems] == [("error", "wrong_type")]
    assert found.credentials == ()


def test_bare_ler_rs_document_id_must_be_text() -> None:
    found = lk.read(_bare_ler_rs(documentId={"value": {"nested": "object"}}))
    assert all(c.id is None or isinstance(c.id, str) for c in found.credentials)


@pytest.mark.parametrize(
    ("text", "shown"), [("5", "the number 5"), ('"abc"', "the string 'abc'"), ("null", "null")]
)
def test_json_scalar_is_not_a_credential(text: str, shown: str) -> None:
    found = lk.read(text.encode())
    assert [(p.code, p.message) for p in found.problems] == [
        ("not_a_credential", f"JSON value is {shown}, not a credential object")
    ]


def test_symlink_to_a_folder_is_reported_not_followed(tmp_path: Path) -> None:
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "a.txt").write_text("notes")
    root = tmp_path / "root"
    root.mkdir()
    (root / "loop").symlink_to(inner, target_is_directory=True)
    found = lk.read(root)
    assert [(p.source.path, p.code) for p in found.problems] == [
        (str(root / "loop"), "symlink_not_followed")
    ]
