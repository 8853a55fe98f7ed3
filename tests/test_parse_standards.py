"""The parser against the official examples, vectors and JSON Schemas in ../shared/standards.

Nothing under ``shared/standards`` is edited; expectations about the 1EdTech
validator fixtures come from ``MANIFEST.md`` section 5 (what the validator's own
JUnit tests assert about each file).
"""

from __future__ import annotations

import base64
import collections
import copy
import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import lerkit as lk

# The same folder the ``standards`` fixture returns; parametrization needs it at
# collection time. Listing a missing folder raises, so a broken checkout is a
# collection error rather than a silently empty parametrization.
_STANDARDS = Path(__file__).resolve().parents[1].parent / "shared" / "standards"
_VALIDATOR = "examples/digital-credentials-public-validator"
OB30 = f"{_VALIDATOR}/inspector-vc/src/test/resources/ob30"
CLR20 = f"{_VALIDATOR}/inspector-clr/src/test/resources/clr20"
TCP = f"{_VALIDATOR}/inspector-tcp-vc/src/test/resources/tcp"
VCDM = "examples/vc-data-model/schema"
OB_SCHEMAS = "schemas/openbadges-specification/docs/schema"
CLR_DRAFT4 = (
    "schemas/digital-credentials-public-validator/inspector-tcp-vc/src/main/resources/catalog/"
    "www.hropenstandards.org/recruiting/json/ler-rs/1EdTech/clr_v2p0_clrcredential_schema_draft4.json"
)
VC_V2 = "https://www.w3.org/ns/credentials/v2"

#: Credential documents among the signature vectors (the rest are keys, proof
#: configurations, canonical forms and intermediate values, not credentials).
VECTOR_CREDENTIALS = (
    "signed*.json",
    "unsigned.json",
    "employmentAuth.json",
    "prCredUnsigned.json",
    "addSignedSDBase.json",
    "derivedRevealDocument.json",
    "derivedUnsignedReveal.json",
    "proofChainTempDoc*.json",
)

#: Fixtures built to fail, with the exact problem the parser must report.
BROKEN: dict[str, tuple[str, str]] = {
    f"{OB30}/simple-err-context.json": (
        "unknown_context",
        "$.@context[0]: expected 'https://www.w3.org/ns/credentials/v2' (VC 2.0) or "
        "'https://www.w3.org/2018/credentials/v1' (VC 1.1) first, found "
        "'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'",
    ),
    f"{OB30}/simple-err-issuer.json": (
        "missing_field",
        "$.issuer: missing; every credential must name its issuer",
    ),
}


def _listed(folder: str, patterns: tuple[str, ...] = ("*",)) -> list[str]:
    root = _STANDARDS / folder
    if not root.is_dir():
        raise FileNotFoundError(f"shared standards folder missing: {root}")
    found = {
        path.relative_to(_STANDARDS).as_posix()
        for pattern in patterns
        for path in root.rglob(pattern)
        if path.is_file() and not path.name.startswith("LICENSE")
    }
    return sorted(found)


EXAMPLE_FILES = _listed("examples")
VECTOR_FILES = _listed("vectors", VECTOR_CREDENTIALS)


def _errors(found: lk.CredentialSet) -> list[lk.Problem]:
    return [problem for problem in found.problems if problem.severity == "error"]


def _shown(problems: list[lk.Problem]) -> str:
    return "; ".join(f"{p.source} [{p.severity} {p.code}] {p.message}" for p in problems)


def _top(found: lk.CredentialSet) -> list[lk.Credential]:
    return [credential for credential in found.credentials if credential.parent_record_id is None]


# -- every official example and vector --------------------------------------------


def test_the_collections_are_complete() -> None:
    # 62 example files (validator fixtures and VCDM examples) and 28 credential
    # vectors are in the shared folder; a changed count means the list moved.
    assert len(EXAMPLE_FILES) == 62
    assert len(VECTOR_FILES) == 28


@pytest.mark.parametrize("name", [n for n in EXAMPLE_FILES + VECTOR_FILES if n not in BROKEN])
def test_official_file_reads_without_error(standards: Path, name: str) -> None:
    found = lk.read(standards / name)
    assert not _errors(found), _shown(_errors(found))
    assert len(_top(found)) >= 1
    for credential in found.credentials:
        assert credential.source.path == str(standards / name)
    # Every warning belongs to a record that was read.
    ids = {credential.record_id for credential in found.credentials}
    for problem in found.problems:
        assert problem.severity == "warning"
        assert problem.record_id in ids


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_deliberately_broken_example(standards: Path, name: str) -> None:
    code, message = BROKEN[name]
    found = lk.read(standards / name)
    assert found.credentials == ()
    assert [(p.severity, p.code, p.message) for p in found.problems] == [("error", code, message)]
    assert found.problems[0].source == lk.SourceLocation(str(standards / name))
    with pytest.raises(lk.ParseError) as caught:
        lk.read_unverified(standards / name)
    assert caught.value.code == code
    assert str(caught.value) == f"{standards / name}: {message}"


# -- exact expectations -----------------------------------------------------------


def test_clr_complex_members_and_endorsement(standards: Path) -> None:
    found = lk.read(standards / CLR20 / "complex.json")
    assert found.problems == ()
    formats = collections.Counter(c.format.value for c in found.credentials)
    assert formats == {"clr2": 1, "ob3": 6, "ob3-endorsement": 1}
    clr, *nested = found.credentials
    assert clr.format is lk.CredentialFormat.CLR2
    assert clr.parent_record_id is None
    assert clr.source.pointer is None
    assert clr.vc_version == "1.1"
    assert clr.id == "http://example.edu/credentials/3732"

    members = [c for c in nested if c.format is lk.CredentialFormat.OB3]
    assert [m.source.pointer for m in members] == [
        f"/credentialSubject/verifiableCredential/{i}" for i in range(6)
    ]
    assert {m.parent_record_id for m in members} == {clr.record_id}
    assert all(m.types == ("VerifiableCredential", "AchievementCredential") for m in members)

    # The endorsement sits inside member 0's achievement, so member 0 is its parent.
    (endorsement,) = [c for c in nested if c.format is lk.CredentialFormat.OB3_ENDORSEMENT]
    assert endorsement.parent_record_id == members[0].record_id
    assert endorsement.source.pointer == (
        "/credentialSubject/verifiableCredential/0/credentialSubject/achievement/endorsement/0"
    )
    assert members[0].endorsement_record_ids == (endorsement.record_id,)
    assert endorsement.issuer.name == "Oregon State Board of Nursing"

    tables = found.tables()
    frame = tables["credentials"].set_index("record_id")
    assert frame.loc[members[3].record_id, "source_pointer"] == (
        "/credentialSubject/verifiableCredential/3"
    )
    assert frame.loc[members[3].record_id, "parent_record_id"] == clr.record_id
    assert len(tables["endorsements"]) == 1
    row = tables["endorsements"].iloc[0]
    assert row["record_id"] == members[0].record_id
    assert row["endorsement_record_id"] == endorsement.record_id
    assert row["endorsement_comment"].startswith("The Oregon State Board of Nursing endorses")
    assert len({c.record_id for c in found.credentials}) == 8


@pytest.mark.parametrize(
    ("name", "version", "envelope"),
    [
        ("simple.json", "2.0", "json"),
        ("simple_old_safesigned.json", "1.1", "json"),
        ("simple.jwt", "1.1", "vc-jwt"),
        ("simple-noproof.json", "1.1", "json"),
    ],
)
def test_clr_simple_has_one_member(standards: Path, name: str, version: str, envelope: str) -> None:
    found = lk.read(standards / CLR20 / name)
    top = _top(found)
    assert [c.format for c in top] == [lk.CredentialFormat.CLR2]
    members = [c for c in found.credentials if c.parent_record_id == top[0].record_id]
    assert [m.source.pointer for m in members] == ["/credentialSubject/verifiableCredential/0"]
    assert top[0].vc_version == version
    assert {c.envelope.value for c in found.credentials} == {envelope}


@pytest.mark.parametrize(
    "name",
    [
        "LER-RS_V2_UC008_portability.json",
        "LER-RS_V2_UC009_exchanging.json",
        "LER-RS_V2_UC010_applying.json",
    ],
)
def test_ler_rs_embedded_credentials_become_nested_records(standards: Path, name: str) -> None:
    found = lk.read(standards / TCP / name)
    assert not _errors(found)
    resume, transcript, badge = found.credentials
    assert resume.format is lk.CredentialFormat.LER_RS
    assert resume.types == ("VerifiableCredential", "LER-RS VC")
    assert resume.id == "http://www.hropen.org"
    assert resume.issuer.id == "Resume Builder"
    assert resume.issued == datetime(2012, 5, 1, 19, 23, 24, tzinfo=UTC)
    assert (transcript.format, transcript.parent_record_id) == (
        lk.CredentialFormat.VC,
        resume.record_id,
    )
    assert transcript.source.pointer == "/credentialSubject/educationAndLearnings/0/verifications/0"
    assert transcript.id == "https://www.ncsu.edu/credentials/1872"
    assert (badge.format, badge.parent_record_id) == (lk.CredentialFormat.OB3, resume.record_id)
    assert badge.source.pointer == "/credentialSubject/certifications/0/verifications/0"
    assert found.table("references").empty


def test_ler_rs_reference_is_listed_not_read(standards: Path) -> None:
    found = lk.read(standards / TCP / "LER-RS_V2_VCwrapper.json")
    assert found.problems == ()
    resume, transcript = found.credentials
    assert resume.format is lk.CredentialFormat.LER_RS
    assert transcript.parent_record_id == resume.record_id
    assert transcript.source.pointer == "/credentialSubject/educationAndLearnings/1/verifications/0"
    references = found.table("references")
    assert references.to_dict("records") == [
        {
            "record_id": resume.record_id,
            "pointer": "/credentialSubject/certifications/0/verifications/0",
            "url": "https://online.cornell.edu/credentials/public/8798798798",
            "name": "Product Management Certificate",
        }
    ]
    # A reference is never fetched, so it is no record of its own.
    assert all("cornell" not in (c.id or "") for c in found.credentials)


def _payload(token: str) -> dict[str, Any]:
    segment = token.strip().split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    )
    return decoded


@pytest.mark.parametrize("name", ["simple.jwt", "velocity.jwt"])
def test_ob3_vc_jwt_takes_registered_claims(standards: Path, name: str) -> None:
    path = standards / OB30 / name
    claims = _payload(path.read_text())
    credential = lk.read_unverified(path)
    assert credential.envelope is lk.Envelope.VC_JWT
    assert credential.format is lk.CredentialFormat.OB3
    assert credential.vc_version == "1.1"
    assert credential.issuer.id == claims["iss"]
    assert credential.issued == datetime.fromtimestamp(claims["nbf"], tz=UTC)
    assert credential.id == claims["jti"]
    assert credential.subject.id == claims["sub"]
    assert credential.jws == path.read_text().strip()
    (proof,) = [p for p in credential.proofs if p.type == "JWS"]
    assert proof.cryptosuite == "RS256"


def test_velocity_jwt_details(standards: Path) -> None:
    credential = lk.read_unverified(standards / OB30 / "velocity.jwt")
    # nbf (whole seconds) wins over the vc's own issuanceDate "2025-10-15T00:44:21.142Z".
    assert credential.issued == datetime(2025, 10, 15, 0, 44, 21, tzinfo=UTC)
    assert credential.proofs[-1].verification_method is not None
    assert credential.proofs[-1].verification_method.startswith("did:velocity:v2:")
    assert credential.achievement is not None
    assert credential.achievement.name == "Velocity Network Board Member 2022"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _token(payload: dict[str, Any], header: dict[str, Any] | None = None) -> str:
    head = header or {"alg": "HS256", "typ": "JWT", "kid": "urn:example:key-1"}
    signing_input = f"{_b64(json.dumps(head).encode())}.{_b64(json.dumps(payload).encode())}"
    # Any bytes do as a signature: reading never verifies.
    return f"{signing_input}.{_b64(hashlib.sha256(signing_input.encode()).digest())}"


def test_vc_jwt_registered_claims_win_over_the_vc_copy(standards: Path) -> None:
    vc = json.loads((standards / OB30 / "simple_v1.json").read_text())
    del vc["proof"]
    token = _token(
        {
            "vc": vc,
            "iss": "https://claims.example/issuer",
            "nbf": 1_700_000_000,
            "exp": 1_900_000_000,
            "jti": "urn:uuid:00000000-0000-4000-8000-000000000001",
            "sub": "did:example:from-sub",
        }
    )
    credential = lk.read_unverified(token)
    assert credential.issuer.id == "https://claims.example/issuer"
    assert credential.issuer.name == vc["issuer"]["name"]  # the rest of the profile is kept
    assert credential.issued == datetime.fromtimestamp(1_700_000_000, tz=UTC)
    assert credential.valid_until == datetime.fromtimestamp(1_900_000_000, tz=UTC)
    assert credential.id == "urn:uuid:00000000-0000-4000-8000-000000000001"
    assert credential.subject.id == "did:example:from-sub"
    assert credential.proofs[-1] == lk.ProofInfo(
        type="JWS", cryptosuite="HS256", verification_method="urn:example:key-1"
    )


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("verifiable-presentation/example-2.json", 1),
        ("verifiable-presentation/example-25.json", 1),
        ("verifiable-presentation/example-45.json", 2),
    ],
)
def test_presentation_members_are_read_without_a_presentation_record(
    standards: Path, name: str, count: int
) -> None:
    path = standards / VCDM / name
    document = json.loads(path.read_text())
    found = lk.read(path)
    assert found.problems == ()
    assert len(found.credentials) == count
    for index, credential in enumerate(found.credentials):
        assert "VerifiablePresentation" not in credential.types
        assert "VerifiableCredential" in credential.types
        assert credential.parent_record_id is None
        assert credential.source.pointer == f"/verifiableCredential/{index}"
        assert credential.types == tuple(document["verifiableCredential"][index]["type"])
    assert found.table("credentials")["types"].str.contains("VerifiablePresentation").sum() == 0


def test_bitstring_status_list_without_extension_is_a_vc(standards: Path) -> None:
    path = standards / OB30 / "bit-string-list" / "testlist"
    assert path.suffix == ""
    credential = lk.read_unverified(path)
    assert credential.format is lk.CredentialFormat.VC
    assert credential.types == ("VerifiableCredential", "BitstringStatusListCredential")
    assert credential.vc_version == "2.0"
    assert credential.issuer.id == "https://1edtech.edu/issuers/565049"
    assert credential.subject.type == ("BitstringStatusList",)


def test_revoked_credential_points_at_the_status_list(standards: Path) -> None:
    credential = lk.read_unverified(
        standards / OB30 / "bit-string-list" / "credential-status-revoked.json"
    )
    (status,) = credential.status
    assert status.type == "BitstringStatusListEntry"
    assert status.list_url is not None
    assert status.list_url.endswith("/ob30/bit-string-list/testlist")
    assert status.purpose == "revocation"
    assert status.index == 23


# -- agreement with the official OB 3.0 JSON Schemas ------------------------------


def _resolve(schema: Any, root: dict[str, Any]) -> dict[str, Any]:
    while isinstance(schema, dict) and "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/"), ref  # the OB schemas only use local references
        node: Any = root
        for part in ref[2:].split("/"):
            node = node[part]
        schema = node
    assert isinstance(schema, dict)
    return schema


def _branches(schema: Any, root: dict[str, Any]) -> list[dict[str, Any]]:
    """The schema and every schema it combines with allOf/anyOf/oneOf, resolved."""
    resolved = _resolve(schema, root)
    found = [resolved]
    for keyword in ("allOf", "anyOf", "oneOf"):
        for sub in resolved.get(keyword, []):
            found.extend(_branches(sub, root))
    return found


def _expects_array(schema: Any, root: dict[str, Any]) -> bool:
    types = [branch["type"] for branch in _branches(schema, root) if "type" in branch]
    return bool(types) and all(kind == "array" for kind in types)


def normalize(value: Any, schema: Any, root: dict[str, Any]) -> Any:
    """Wrap single values in arrays where the schema says ``type: array``.

    JSON-LD lets a one-element set be written as the bare value (``"type":
    "Profile"``) and the 1EdTech validator normalizes such values into arrays
    before it applies the OB 3.0 schemas, which declare those properties as
    arrays. This does the same, driven by the schema itself: wherever the schema
    (through ``$ref``, ``allOf``, ``anyOf`` and ``oneOf``) only allows an array
    and the instance holds a single value, the value is wrapped; everything else
    is left exactly as it was.
    """
    if _expects_array(schema, root) and not isinstance(value, list):
        value = [value]
    branches = _branches(schema, root)
    if isinstance(value, list):
        items = []
        for index, item in enumerate(value):
            for branch in branches:
                each = branch.get("items")
                if isinstance(each, list):  # tuple validation (@context)
                    each = each[index] if index < len(each) else branch.get("additionalItems")
                if isinstance(each, dict):
                    item = normalize(item, each, root)
            items.append(item)
        return items
    if isinstance(value, dict):
        result = dict(value)
        for branch in branches:
            if branch.get("type", "object") != "object":
                continue
            for key, sub in branch.get("properties", {}).items():
                if key in result:
                    result[key] = normalize(result[key], sub, root)
        return result
    return value


def test_normalize_wraps_only_where_the_schema_wants_an_array(standards: Path) -> None:
    schema = json.loads((standards / OB_SCHEMAS / "achievementcredential.json").read_text())
    document = {
        "type": "OpenBadgeCredential",
        "issuer": {"id": "x", "type": "Profile", "name": "N"},
        "credentialSubject": {
            "type": "AchievementSubject",
            "identifier": {"type": "IdentityObject"},
        },
        "proof": {"type": "DataIntegrityProof"},
    }
    assert normalize(document, schema, schema) == {
        "type": ["OpenBadgeCredential"],
        "issuer": {"id": "x", "type": ["Profile"], "name": "N"},
        # IdentityObject.type is a plain string in the schema: not wrapped
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject"}],
        },
        "proof": [{"type": "DataIntegrityProof"}],
    }
    assert normalize("did:example:1", schema["$defs"]["ProfileRef"], schema) == "did:example:1"


def _schema_for(document: dict[str, Any], standards: Path) -> dict[str, Any]:
    name = (
        "endorsementcredential.json"
        if "EndorsementCredential" in document["type"]
        else "achievementcredential.json"
    )
    schema: dict[str, Any] = json.loads((standards / OB_SCHEMAS / name).read_text())
    assert schema["$schema"].startswith("https://json-schema.org/draft/2019-09/")
    return schema


def _leaf_paths(error: jsonschema.ValidationError) -> Iterator[tuple[str | int, ...]]:
    """Where an error really is: into oneOf/anyOf branches, and naming missing keys."""
    if error.context:
        for sub in error.context:
            yield from _leaf_paths(sub)
        return
    path = tuple(error.absolute_path)
    if error.validator == "required":
        missing = re.match(r"'([^']+)' is a required property", error.message)
        assert missing is not None
        path += (missing.group(1),)
    yield path


def _problem_path(problem: lk.Problem) -> tuple[str | int, ...]:
    """``$.credentialSubject.result[1].type: ...`` -> ("credentialSubject", "result", 1, "type")."""
    where = problem.message.split(": ", 1)[0]
    assert where.startswith("$."), problem.message
    return tuple(int(part) if part.isdigit() else part for part in re.findall(r"[^.\[\]$]+", where))


def _is_vc2_ob3(name: str) -> bool:
    try:
        document = json.loads((_STANDARDS / name).read_text())
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    if not isinstance(document, dict):
        return False
    contexts = document.get("@context")
    types = document.get("type", [])
    return (
        isinstance(contexts, list)
        and contexts[:1] == [VC_V2]
        and bool(
            {"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential"} & set(types)
        )
    )


VC2_OB3_EXAMPLES = [name for name in _listed(OB30) if _is_vc2_ob3(name)]


def test_vc2_ob3_selection_is_what_we_think() -> None:
    names = [name.rsplit("/", 1)[-1] for name in VC2_OB3_EXAMPLES]
    assert len(names) == 29
    assert {"simple.json", "simple.1ob", "complete.json", "endorsement-valid.json"} <= set(names)
    assert "simple-err-type.json" not in names  # its type names no OB 3.0 class
    assert "simple_v1.json" not in names  # VC 1.1


@pytest.mark.parametrize("name", VC2_OB3_EXAMPLES)
def test_parser_agrees_with_official_ob3_schema(standards: Path, name: str) -> None:
    """Schema finds no error <=> lerkit reports no problem (error or warning).

    Compared over the whole document: for these fixtures no restriction to the
    parts the parser reads turned out to be needed (the parser does not check
    @context entries beyond the first or proof shapes, but none of these files
    breaks the schema there). Formats are not asserted: in draft 2019-09
    ``format`` is an annotation, and the schemas are applied as published.
    """
    document = json.loads((standards / name).read_text())
    schema = _schema_for(document, standards)
    validator = jsonschema.Draft201909Validator(schema)
    errors = list(validator.iter_errors(normalize(copy.deepcopy(document), schema, schema)))
    found = lk.read(standards / name)
    schema_paths = {path for error in errors for path in _leaf_paths(error)}
    assert (not errors) == (not found.problems), (
        f"disagreement on {name}: schema errors "
        f"{[('/'.join(map(str, e.absolute_path)), e.message[:120]) for e in errors]}; "
        f"lerkit problems {_shown(list(found.problems))}"
    )
    # Stronger: every field lerkit flags is one the schema flags too.
    for problem in found.problems:
        assert _problem_path(problem) in schema_paths, (problem.message, sorted(schema_paths))


# -- agreement with the validator's recorded outcomes (MANIFEST section 5) --------

VALIDATOR_VALID = [
    "simple.json",
    "simple.1ob",
    "simple-did-key-method.json",
    "simple-did-web-method.json",
    "simple-context-alias.json",
    "endorsement-valid.json",
    "sd/derivedcredential.json",
]
VALIDATOR_WARNING = ["simple_v1.json", "simple-eddsa-2022.json"]


@pytest.mark.parametrize("name", VALIDATOR_VALID)
def test_validator_valid_files_read_cleanly(standards: Path, name: str) -> None:
    found = lk.read(standards / OB30 / name)
    assert found.problems == (), _shown(list(found.problems))
    assert len(_top(found)) == 1


@pytest.mark.parametrize("name", VALIDATOR_WARNING)
def test_validator_warning_files_read_without_error(standards: Path, name: str) -> None:
    # The validator warns about the VC 1.1 context and the legacy cryptosuite
    # name; neither is a parse matter, so the record is read.
    found = lk.read(standards / OB30 / name)
    assert not _errors(found)
    assert [c.format for c in _top(found)] == [lk.CredentialFormat.OB3]


#: Each ``simple-err-*type*.json`` breaks one class name; the warning must name it.
TYPE_ERRORS = {
    "simple-err-credential-subject-achievement-result-description-type.json": (
        "$.credentialSubject.achievement.resultDescription[2].type"
    ),
    "simple-err-credential-subject-identifier-type.json": "$.credentialSubject.identifier[0].type",
    "simple-err-credential-subject-profile-type.json": "$.credentialSubject.source.type",
    "simple-err-credential-subject-result-type.json": "$.credentialSubject.result[1].type",
    "simple-err-credential-subject-type.json": "$.credentialSubject.type",
    "simple-err-evidence-type.json": "$.evidence[1].type",
    "simple-err-issuer-otheridentifier-type.json": "$.issuer.otherIdentifier[1].type",
    "simple-err-issuer-parentorg-type.json": "$.issuer.parentOrg.type",
    "simple-err-issuer-type.json": "$.issuer.type",
    "simple-err-type.json": "$.type",
}


def test_every_type_fixture_is_covered() -> None:
    on_disk = {n.rsplit("/", 1)[-1] for n in _listed(OB30, ("simple-err-*type*.json",))}
    assert on_disk == set(TYPE_ERRORS)


#: fixtures that break a second rule besides their type (the official schema
#: reports both): simple-err-type.json also lacks credentialSubject.achievement
EXTRA_WARNINGS = {"simple-err-type.json": ["$.credentialSubject.achievement"]}


@pytest.mark.parametrize("name", sorted(TYPE_ERRORS))
def test_type_fixture_gives_nonconforming_warnings(standards: Path, name: str) -> None:
    paths = [TYPE_ERRORS[name], *EXTRA_WARNINGS.get(name, [])]
    found = lk.read(standards / OB30 / name)
    (credential,) = found.credentials
    assert [(p.severity, p.code) for p in found.problems] == [("warning", "nonconforming")] * len(
        paths
    ), _shown(list(found.problems))
    for problem, path in zip(found.problems, paths, strict=True):
        assert problem.message.startswith(f"{path}: "), problem.message
        assert problem.record_id == credential.record_id
    assert credential.warnings == tuple(problem.message for problem in found.problems)
    table = found.table("problems")
    assert table["severity"].tolist() == ["warning"] * len(paths)
    assert table["record_id"].tolist() == [credential.record_id] * len(paths)


# -- CLR 2.0 against the derived (not official) draft-04 schema -------------------


@pytest.mark.parametrize("name", ["simple.json", "complex.json"])
def test_clr_against_derived_draft4_schema(standards: Path, name: str) -> None:
    """A secondary check only.

    No official CLR 2.0 JSON Schema exists in the shared standards; this one is a
    draft-04 conversion made for HR Open's LER-RS catalog (MANIFEST section 4:
    "DERIVED, NOT OFFICIAL") and describes the VC 1.1 shape (``issuanceDate``
    required). So: the parser reads both files cleanly, and every schema error
    is confined to what the derived schema gets wrong for VC 2.0 or to parts the
    parser does not read, never to the issuer, subject, members or types.
    """
    schema = json.loads((standards / CLR_DRAFT4).read_text())
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    document = json.loads((standards / CLR20 / name).read_text())
    validator = jsonschema.Draft4Validator(schema)
    errors = list(validator.iter_errors(normalize(copy.deepcopy(document), schema, schema)))
    vc11_shape = "'issuanceDate' is a required property"
    read_parts = {"issuer", "credentialSubject", "type"}
    confined = [
        e
        for e in errors
        if e.message != vc11_shape and (not e.absolute_path or e.absolute_path[0] in read_parts)
    ]
    assert confined == [], [(list(e.absolute_path), e.message[:200]) for e in confined]
    if document["@context"][0] == VC_V2:
        # The CLR and its one member use validFrom, as VC 2.0 requires.
        assert sorted("/".join(map(str, e.absolute_path)) for e in errors) == [
            "",
            "credentialSubject/verifiableCredential/0",
        ]
    else:
        assert errors == []
    found = lk.read(standards / CLR20 / name)
    assert found.problems == ()
    assert _top(found)[0].format is lk.CredentialFormat.CLR2


# -- hashed identities read from documents ----------------------------------------


def _salted(identifier: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((identifier + salt).encode("utf-8")).hexdigest()


def test_identity_object_read_from_a_credential_matches(standards: Path) -> None:
    document = json.loads((standards / OB30 / "simple.json").read_text())
    del document["proof"]
    document["credentialSubject"]["identifier"] = [
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": True,
            "identityHash": _salted("grace@example.org", "s4lt"),
            "salt": "s4lt",
        },
        {
            "type": "IdentityObject",
            "identityType": "studentId",
            "hashed": False,
            "identityHash": "S-1906",
        },
    ]
    credential = lk.read_unverified(document)
    hashed, plain = credential.subject.identifiers
    assert (hashed.hashed, hashed.salt, hashed.identity_type) == (True, "s4lt", "emailAddress")
    assert hashed.matches("grace@example.org")
    assert hashed.matches("Grace@Example.org")
    assert not hashed.matches("grace@example.com")
    assert not hashed.matches("s4ltgrace@example.org")
    assert plain.matches("S-1906")
    assert not plain.matches("s-1906")
    assert not plain.matches(_salted("S-1906", ""))


SAMPLES = Path(__file__).resolve().parents[1] / "datasets" / "samples"
_IDENTITY_ROW = re.compile(
    r"^\|[^|]*\|\s*`(?P<email>[^`]+@[^`]+)`\s*\|\s*`(?P<salt>[^`]*)`\s*\|\s*`(?P<hash>sha256\$[0-9a-f]{64})`"
)


def _documented_identities() -> list[tuple[str, str, str]]:
    """(email, salt, identityHash) rows of the samples README's hashed-identity table."""
    readme = SAMPLES / "README.md"
    assert readme.is_file(), f"{readme} is missing"
    rows = [
        (match["email"], match["salt"], match["hash"])
        for line in readme.read_text("utf-8").splitlines()
        if (match := _IDENTITY_ROW.match(line))
    ]
    assert rows, f"{readme} documents no plaintext e-mail for a hashed identity"
    return rows


def test_samples_readme_emails_match_their_hashed_identities() -> None:
    found = lk.read(SAMPLES)
    hashed = {
        identity.identity_hash: identity
        for credential in found.credentials
        for identity in credential.subject.identifiers
        if identity.hashed
    }
    assert hashed, "the samples carry no hashed identity"
    rows = _documented_identities()
    used = [row for row in rows if row[2] in hashed]
    assert used, "no documented identityHash occurs in the samples"
    for email, salt, identity_hash in rows:
        # The README is self-consistent: sha256(email + salt).
        assert _salted(email, salt) == identity_hash, email
    for email, salt, identity_hash in used:
        identity = hashed[identity_hash]
        assert identity.salt == salt
        assert identity.matches(email)
        assert identity.matches(email.upper())  # e-mail addresses ignore case
        assert not identity.matches("x" + email)
        others = [other for other, _, digest in rows if digest != identity_hash]
        assert not any(identity.matches(other) for other in others)
    assert len(found.held_by(used[0][0])) >= 1


def test_folders_lose_nothing(standards: Path) -> None:
    """Every file is a record's source, a problem's source, or listed as skipped."""
    for folder in (standards / "examples", standards / "vectors", SAMPLES):
        found = lk.read(folder)
        accounted = (
            {c.source.path for c in found.credentials}
            | {p.source.path for p in found.problems}
            | set(found.skipped)
        )
        files = {str(path) for path in folder.rglob("*") if path.is_file()}
        assert files, folder
        assert files - accounted == set(), folder
