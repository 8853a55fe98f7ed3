"""Properties of the batch API: it never raises, and every input is accounted for.

Inputs are random bytes, random JSON, random text and mutations of the official
examples (a key dropped, a value replaced, the text truncated, a byte flipped).
The Hypothesis profile in ``conftest.py`` is derandomized, so every run tries the
same examples.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import re
import zipfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pandas.testing as pdt
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import lerkit as lk
from lerkit import _baking
from lerkit.tables import COLUMNS

_STANDARDS = Path(__file__).resolve().parents[1].parent / "shared" / "standards"
_VALIDATOR = _STANDARDS / "examples" / "digital-credentials-public-validator"
#: Real credentials of every shape the parser knows: OB 3.0 (1.1 and 2.0, JSON
#: and JWT), endorsements, CLR with nested members, LER-RS, presentations, plain VCs.
CORPUS_FILES = [
    _VALIDATOR / "inspector-vc/src/test/resources/ob30/simple.json",
    _VALIDATOR / "inspector-vc/src/test/resources/ob30/simple_v1.json",
    _VALIDATOR / "inspector-vc/src/test/resources/ob30/complete.json",
    _VALIDATOR / "inspector-vc/src/test/resources/ob30/endorsement-valid.json",
    _VALIDATOR
    / "inspector-vc/src/test/resources/ob30/bit-string-list/credential-status-revoked.json",
    _VALIDATOR
    / "inspector-vc/src/test/resources/ob30/simple-err-credential-subject-identifier-type.json",
    _VALIDATOR / "inspector-clr/src/test/resources/clr20/complex.json",
    _VALIDATOR / "inspector-clr/src/test/resources/clr20/simple.json",
    _VALIDATOR / "inspector-tcp-vc/src/test/resources/tcp/LER-RS_V2_VCwrapper.json",
    _VALIDATOR / "inspector-tcp-vc/src/test/resources/tcp/LER-RS_V2_UC008_portability.json",
    _STANDARDS / "examples/vc-data-model/schema/verifiable-presentation/example-45.json",
    _STANDARDS / "vectors/vc-di-eddsa/TestVectors/eddsa-rdfc-2022/signedDataInt.json",
]
JWT_FILES = [
    _VALIDATOR / "inspector-vc/src/test/resources/ob30/velocity.jwt",
    _VALIDATOR / "inspector-clr/src/test/resources/clr20/simple.jwt",
]
CORPUS: list[Any] = [json.loads(path.read_text("utf-8")) for path in CORPUS_FILES]
CORPUS_TEXT: list[bytes] = [path.read_bytes() for path in CORPUS_FILES + JWT_FILES]
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")

# -- strategies -------------------------------------------------------------------

#: keys and strings the parser looks for, so random documents get past the first checks
VOCABULARY = [
    "@context",
    "id",
    "type",
    "issuer",
    "credentialSubject",
    "validFrom",
    "validUntil",
    "issuanceDate",
    "expirationDate",
    "awardedDate",
    "name",
    "description",
    "achievement",
    "result",
    "evidence",
    "identifier",
    "endorsement",
    "endorsementJwt",
    "verifiableCredential",
    "proof",
    "credentialStatus",
    "statusListIndex",
    "alignment",
    "recipient",
    "badge",
    "issuedOn",
    "person",
    "skills",
    "verifications",
    "reference",
]
VALUES = [
    "https://www.w3.org/ns/credentials/v2",
    "https://www.w3.org/2018/credentials/v1",
    "https://w3id.org/openbadges/v2",
    "VerifiableCredential",
    "VerifiablePresentation",
    "OpenBadgeCredential",
    "AchievementCredential",
    "EndorsementCredential",
    "ClrCredential",
    "Assertion",
    "Profile",
    "2024-01-01T00:00:00Z",
    "eyJhbGciOiJub25lIn0.eyJhIjoxfQ.",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(VALUES)
)
keys = st.sampled_from(VOCABULARY) | st.text(max_size=8)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=6),
    max_leaves=40,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a dict key or list index below ``value``."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*prefix, key)
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield (*prefix, index)
            yield from _paths(child, (*prefix, index))


def _container(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        document = document[step]
    return document


@st.composite
def mutated_documents(draw: st.DrawFn) -> Any:
    """A real credential with one key dropped or one value replaced, anywhere in it."""
    document = copy.deepcopy(draw(st.sampled_from(CORPUS)))
    paths = list(_paths(document))
    if draw(st.booleans()):
        path = draw(
            st.sampled_from([p for p in paths if isinstance(_container(document, p), dict)])
        )
        del _container(document, path)[path[-1]]
    else:
        path = draw(st.sampled_from(paths))
        _container(document, path)[path[-1]] = draw(json_values)
    return document


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A real credential, changed in one random way, as the bytes of a file."""
    operation = draw(st.sampled_from(["structure", "truncate", "flip"]))
    if operation == "structure":
        return json.dumps(draw(mutated_documents())).encode("utf-8")
    text = draw(st.sampled_from(CORPUS_TEXT))
    if operation == "flip":
        position = draw(st.integers(0, len(text) - 1))
        data = bytearray(text)
        data[position] = draw(st.integers(0, 255).filter(lambda byte: byte != text[position]))
        return bytes(data)
    return text[: draw(st.integers(0, len(text) - 1))]


json_documents = json_values.map(lambda value: json.dumps(value).encode("utf-8"))
single_inputs = (
    st.binary(max_size=512)
    | json_documents
    | mutated()
    | st.dictionaries(keys, json_values, max_size=8)
)

# -- the invariants every read keeps ------------------------------------------------


def check(found: lk.CredentialSet, inputs: int, *, tables: bool = True) -> None:
    """What must hold for any read of ``inputs`` inputs, however broken.

    Building the tables costs about 15 ms whatever the input size, so the tests
    whose inputs rarely become records skip it to keep the suite fast.
    """
    assert isinstance(found, lk.CredentialSet)
    ids = [credential.record_id for credential in found.credentials]
    assert len(ids) == len(set(ids)), "record ids are not unique"
    for credential in found.credentials:
        assert credential.parent_record_id is None or credential.parent_record_id in ids, (
            f"orphan: {credential.source} names a parent that was not read"
        )
        assert set(credential.endorsement_record_ids) <= set(ids)
        # The record types promise text or None; a JSON object must not slip through.
        for text in (credential.id, credential.issuer.id, credential.subject.id, credential.name):
            assert text is None or isinstance(text, str), (credential.source, text)
        assert all(isinstance(kind, str) for kind in credential.types)
        for moment in (credential.issued, credential.valid_from, credential.valid_until):
            assert moment is None or moment.tzinfo is not None
    for problem in found.problems:
        assert problem.message.strip(), problem
        assert SNAKE_CASE.match(problem.code), problem.code
        assert problem.severity in ("error", "warning")
        if problem.severity == "warning":
            assert problem.record_id in ids, f"warning for a record that was not read: {problem}"
        else:
            assert problem.record_id is None
    errors = sum(problem.severity == "error" for problem in found.problems)
    top = sum(credential.parent_record_id is None for credential in found.credentials)
    # Files passed over on purpose (README.md in a zip) are listed, not lost.
    listed = len(found.skipped)
    assert errors + top + listed >= inputs, (
        f"{inputs} inputs gave {errors} errors, {top} records and {listed} skipped files"
    )
    if not tables:
        return
    frames = found.tables()
    for name, frame in frames.items():
        assert tuple(frame.columns) == COLUMNS[name]
    assert len(frames["credentials"]) == len(found.credentials)
    assert len(frames["problems"]) == len(found.problems)


@given(st.binary(max_size=2048))
def test_random_bytes(data: bytes) -> None:
    check(lk.read(data), 1, tables=False)


@given(json_documents)
def test_random_json_documents(data: bytes) -> None:
    check(lk.read(data), 1, tables=False)


@given(st.dictionaries(keys, json_values, max_size=8))
def test_random_json_objects_passed_as_dicts(document: dict[str, Any]) -> None:
    check(lk.read(document), 1, tables=False)


@given(mutated())
def test_mutated_real_credentials(data: bytes) -> None:
    check(lk.read(data), 1)


@pytest.fixture(scope="module")
def empty_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("empty")


@given(text=st.text(max_size=300))
def test_random_text(empty_dir: Path, text: str) -> None:
    # A short single line is taken as a file path: run where nothing exists, and
    # leave out strings naming a real path ("/", "..", ""), which would read it.
    with contextlib.chdir(empty_dir):
        assume(not _names_a_path(text))
        check(lk.read(text), 1, tables=False)


def _names_a_path(text: str) -> bool:
    try:
        return Path(text.strip()).exists()
    except (OSError, ValueError):  # e.g. a name too long for the file system
        return False


@given(st.lists(single_inputs, min_size=1, max_size=6))
def test_batches(inputs: list[Any]) -> None:
    check(lk.read(inputs), len(inputs))


@given(st.dictionaries(keys, json_values, max_size=8) | mutated_documents())
def test_object_and_its_text_read_alike(document: dict[str, Any]) -> None:
    # Objects are depth-checked by walking them, text by scanning it before
    # decoding; both must come to the same records and the same problems.
    as_object = lk.read(document)
    as_text = lk.read(json.dumps(document))
    assert [(p.code, p.message) for p in as_object.problems] == [
        (p.code, p.message) for p in as_text.problems
    ]
    assert [(c.format, c.id, c.types, c.source.pointer) for c in as_object.credentials] == [
        (c.format, c.id, c.types, c.source.pointer) for c in as_text.credentials
    ]


# Two reads and two sets of tables per example: fewer examples keep it quick.
@settings(max_examples=60)
@given(st.lists(single_inputs, min_size=1, max_size=4))
def test_reading_is_deterministic(inputs: list[Any]) -> None:
    first = lk.read(inputs)
    second = lk.read(inputs)
    assert first.credentials == second.credentials
    assert first.problems == second.problems
    first_tables, second_tables = first.tables(), second.tables()
    assert list(first_tables) == list(second_tables)
    for name, frame in first_tables.items():
        pdt.assert_frame_equal(frame, second_tables[name], check_exact=True)


@cache
def containers() -> dict[str, bytes]:
    """A baked PNG, a baked SVG and a zip of several kinds, built from the corpus."""
    simple, jwt = json.dumps(CORPUS[0]), CORPUS_TEXT[-1].decode("ascii").strip()
    png = _baking.bake_png(_baking.minimal_png(2, 2, (10, 20, 30)), simple, compress=True)
    svg_base = b'<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>'
    svg = _baking.bake_svg(svg_base, simple, version="3.0")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.json", CORPUS_TEXT[1])
        archive.writestr("b.jsonl", json.dumps(CORPUS[0]) + "\n" + json.dumps(CORPUS[3]) + "\n")
        archive.writestr("sub/c.jwt", jwt)
        archive.writestr("README.md", "# notes\n")
    return {"png": png, "svg": svg, "zip": buffer.getvalue()}


@pytest.fixture(scope="module")
def scratch_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("containers")


@given(data=st.data())
def test_mutated_images_and_archives(scratch_dir: Path, data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(["png", "svg", "zip"]))
    content = bytearray(containers()[kind])
    if data.draw(st.booleans()):
        for _ in range(data.draw(st.integers(1, 3))):
            position = data.draw(st.integers(0, len(content) - 1))
            content[position] = data.draw(st.integers(0, 255))
    else:
        del content[data.draw(st.integers(0, len(content) - 1)) :]
    path = scratch_dir / f"input.{kind}"
    path.write_bytes(bytes(content))
    check(lk.read(path), 1, tables=False)


def test_unchanged_containers_are_read(scratch_dir: Path) -> None:
    for kind, content in containers().items():
        path = scratch_dir / f"original.{kind}"
        path.write_bytes(content)
        found = lk.read(path)
        assert found.problems == (), (kind, found.problems)
        # zip: a.json, two JSONL lines, and c.jwt (a CLR with one member)
        expected = {"png": 1, "svg": 1, "zip": 5}[kind]
        assert len(found.credentials) == expected, kind
        assert found.skipped == ((f"{path}!README.md",) if kind == "zip" else ())


def test_check_catches_a_lost_input() -> None:
    # The invariant itself must be able to fail.
    with pytest.raises(AssertionError, match="1 inputs gave 0 errors, 0 records"):
        check(lk.CredentialSet((), ()), 1)


CLR_COMPLEX = _VALIDATOR / "inspector-clr/src/test/resources/clr20/complex.json"


def test_orphans_are_not_left_behind_when_the_parent_fails() -> None:
    # The no-orphan invariant of check(), pinned on one case: a CLR whose own
    # "name" is not a string failed only *after* its members had been read, so
    # they stayed behind naming a parent that was never recorded.
    document = copy.deepcopy(CORPUS[CORPUS_FILES.index(CLR_COMPLEX)])
    document["name"] = ["not", "a", "string"]
    found = lk.read(document)
    assert [(p.severity, p.code) for p in found.problems] == [("error", "wrong_type")]
    assert found.credentials == ()
