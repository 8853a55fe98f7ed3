"""The verifier's fast paths give the results of the slow ones.

* The ``schema`` check: the compiled validator (fastjsonschema) against jsonschema alone
  (``check_schema(..., fast=False)``), on the official examples, lerkit's own demo
  credentials and CLRs, and Hypothesis-mutated documents.
* The ``contexts_known`` check: ``DocumentLoader.require`` against ``load``.
* VC-JWTs decoded once: ``verify_decoded_jws`` against ``verify_jws``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import event, given, settings
from hypothesis import strategies as st

import lerkit as lk
from lerkit._jws import b64url_encode, split_compact
from lerkit.contexts import ContextError, DocumentLoader
from lerkit.issue import clr_credential, demo_credentials, generate_key
from lerkit.proofs._errors import ProofError
from lerkit.proofs._jose import sign_jws, verify_decoded_jws, verify_jws
from lerkit.verify import SCHEMAS, Verifier, VerifyOptions, check_schema
from lerkit.verify import _schemas as schemas

STANDARDS = Path(__file__).resolve().parents[2] / "shared" / "standards"
VERSIONS = ("1.1", "2.0")

# -- the schemas the fast path compiles ---------------------------------------------------

# Every keyword each shipped schema uses. fastjsonschema compiles the OB 3.0 schemas
# (draft 2019-09) with its draft-07 generator; these keywords mean the same in both
# drafts. A schema update that brings another keyword (unevaluatedProperties,
# dependentRequired, $anchor, ...) must be looked at before this list is extended:
# lerkit then falls back to jsonschema for that schema (see the last test below).
KEYWORDS = {
    "ob_v3p0_achievementcredential.json": {
        "$comment", "$defs", "$id", "$ref", "$schema", "additionalItems",
        "additionalProperties", "allOf", "contains", "description", "enum", "format",
        "items", "minItems", "oneOf", "pattern", "properties", "required", "title", "type",
    },
    "ob_v3p0_endorsementcredential.json": {
        "$comment", "$defs", "$id", "$ref", "$schema", "additionalItems",
        "additionalProperties", "allOf", "contains", "description", "enum", "format",
        "items", "minItems", "oneOf", "pattern", "properties", "required", "title", "type",
    },
    "clr_v2p0_clrcredential_schema_draft4.json": {
        "$comment", "$defs", "$id", "$ref", "$schema", "additionalProperties", "anyOf",
        "description", "enum", "format", "items", "minItems", "oneOf", "pattern",
        "properties", "required", "title", "type",
    },
}  # fmt: skip
DRAFTS = {
    "ob_v3p0_achievementcredential.json": "https://json-schema.org/draft/2019-09/schema#",
    "ob_v3p0_endorsementcredential.json": "https://json-schema.org/draft/2019-09/schema#",
    "clr_v2p0_clrcredential_schema_draft4.json": "http://json-schema.org/draft-04/schema#",
}


@pytest.mark.parametrize("credential_type", sorted(SCHEMAS))
def test_schema_keywords_are_those_the_fast_path_understands(credential_type: str) -> None:
    spec = SCHEMAS[credential_type]
    schema = schemas._validator(credential_type).schema
    assert schema["$schema"] == DRAFTS[spec.file]
    assert schemas.schema_keywords(schema) == KEYWORDS[spec.file]
    assert schemas.schema_keywords(schema) <= schemas.FAST_KEYWORDS
    for _, node in schemas._subschemas(schema):
        if isinstance(node, dict) and "$ref" in node:
            # 2019-09 applies a $ref's sibling keywords; draft-07 and draft-04 ignore them
            assert set(node) <= {"$ref", "description", "title", "$comment"}, node
            assert node["$ref"].startswith("#/$defs/")
    assert schemas._fast(credential_type) is not None


def test_compiling_leaves_the_reference_schema_untouched() -> None:
    # fastjsonschema rewrites $ref values in place; it must work on a copy
    for credential_type in SCHEMAS:
        schemas._fast(credential_type)
        spec = SCHEMAS[credential_type]
        shipped = json.loads((Path(schemas.__file__).parent / "schemas" / spec.file).read_text())
        assert schemas._validator(credential_type).schema == shipped


# -- differential: fast path against jsonschema alone ------------------------------------


def _same(document: Any, version: str | None) -> lk.verify.SchemaResult:
    fast = check_schema(document, version)
    slow = check_schema(document, version, fast=False)
    assert fast == slow, (fast, slow)
    return fast


def _event(result: lk.verify.SchemaResult) -> None:
    arrays = result.detail.endswith("single values read as arrays")
    event(f"{result.status}{', single values read as arrays' if arrays else ''}")


def _corpus() -> list[tuple[str, dict[str, Any], str | None]]:
    found = []
    for folder in ("examples", "vectors"):
        for record in lk.read(STANDARDS / folder).credentials:
            found.append((str(record.source), dict(record.document), record.vc_version))
    return found


CORPUS = _corpus()


def test_the_corpus_has_every_kind() -> None:
    kinds = {t for _, doc, _ in CORPUS for t in schemas._types(doc)}
    assert {"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential"} <= kinds
    assert "ClrCredential" in kinds
    assert len(CORPUS) > 100


@pytest.mark.parametrize(("source", "document", "version"), CORPUS, ids=[c[0] for c in CORPUS])
def test_official_examples_agree(source: str, document: dict[str, Any], version: str) -> None:
    for asked in {version, *VERSIONS}:
        result = _same(document, asked)
        if result.status == "passed":
            # conforming documents are what the fast path is for: it must answer them
            chosen = next(
                SCHEMAS[schemas._ALIASES.get(t, t)]
                for t in schemas._types(document)
                if schemas._ALIASES.get(t, t) in SCHEMAS
            )
            fast = schemas._fast(chosen.credential_type)
            assert fast is not None
            assert schemas._fast_result(fast, document, chosen) == result


def test_both_outcomes_occur_in_the_corpus() -> None:
    statuses = {_same(doc, SCHEMAS_VERSION.get(_kind(doc))).status for _, doc, _ in CORPUS}
    assert statuses == {"passed", "failed", "skipped"}


def _kind(document: dict[str, Any]) -> str | None:
    for name in schemas._types(document):
        name = schemas._ALIASES.get(name, name)
        if name in SCHEMAS:
            return name
    return None


SCHEMAS_VERSION = {name: spec.vc_version for name, spec in SCHEMAS.items()}


@pytest.fixture(scope="module")
def demo() -> list[dict[str, Any]]:
    key = generate_key(seed=bytes(32))
    issued = demo_credentials(12, key, seed=3)
    documents = [dict(c.document or {}) for c in issued]
    clr = clr_credential(
        issuer=None,
        subject_id="did:example:learner",
        credentials=issued[:3],
        valid_from="2025-01-01T00:00:00Z",
        credential_id="urn:uuid:00000000-0000-4000-8000-000000000001",
    )
    return [*documents, clr]


def test_demo_credentials_and_clrs_agree(demo: list[dict[str, Any]]) -> None:
    for document in demo:
        assert _same(document, "2.0").status in ("passed", "skipped")
        for version in VERSIONS:
            _same(document, version)
        # a lerkit CLR is VC 2.0; the CLR schema describes VC 1.1: validate it anyway
        _same({**document, "@context": ["https://www.w3.org/2018/credentials/v1"]}, "1.1")


def test_single_values_read_as_arrays_on_the_fast_path(demo: list[dict[str, Any]]) -> None:
    document = copy.deepcopy(demo[0])
    document["proof"] = document["proof"][0]
    subject = document["credentialSubject"]
    subject["achievement"]["alignment"] = subject["achievement"]["alignment"][0]
    result = _same(document, "2.0")
    assert result.status == "passed"
    assert result.detail.endswith(", single values read as arrays")
    spec = SCHEMAS["AchievementCredential"]
    fast = schemas._fast("AchievementCredential")
    assert fast is not None
    assert schemas._fast_result(fast, document, spec) == result


def test_documents_the_fast_path_leaves_to_jsonschema(demo: list[dict[str, Any]]) -> None:
    spec = SCHEMAS["AchievementCredential"]
    fast = schemas._fast("AchievementCredential")
    assert fast is not None
    # not a dict: jsonschema reads a copy made with dict()
    proxy = MappingProxyType(demo[0])
    assert schemas._fast_result(fast, proxy, spec) is None
    assert _same(proxy, "2.0").detail.endswith(", single values read as arrays")
    # one object in two places (jsonschema's deep copy keeps it one), and a value to wrap
    shared = copy.deepcopy(demo[1])
    evidence = {"id": "https://example.org/e/1", "type": ["Evidence"], "name": "Log"}
    shared["evidence"] = [evidence, evidence]
    shared["proof"] = shared["proof"][0]
    assert schemas._fast_result(fast, shared, spec) is None
    assert _same(shared, "2.0").status == "passed"
    # tuples are not JSON arrays for jsonschema: not for the fast path either
    tupled = {**demo[2], "@context": tuple(demo[2]["@context"])}
    assert _same(tupled, "2.0").status == "failed"
    # patterns: '$' matches before a final newline in Python's re, as in jsonschema
    newline = copy.deepcopy(demo[2])
    newline["credentialSubject"]["achievement"]["inLanguage"] = "en\n"
    assert _same(newline, "2.0").status == "passed"


# -- Hypothesis: mutated documents --------------------------------------------------------

BAD_DATES = [
    "2024-13-01T00:00:00Z",
    "2024-02-30T00:00:00Z",
    "2024-01-01",
    "2024-01-01T00:00:00",
    "2024-01-01T00:00:00Z\n",
    "2024-01-01t00:00:00z",
    "2024-01-01T25:00:00Z",
    "yesterday",
    "2024-W01",
]
BAD_URIS = ["not a uri", "", "http://", "urn:", "https://example.org/a b", "//x", "\n"]
VALUES = [0, -1, 1.5, True, False, None, "text", [], {}, ["a"], {"id": "x"}, [1, "a"]]
DATE_KEYS = ["validFrom", "validUntil", "awardedDate", "created", "issuanceDate", "endDate"]
URI_KEYS = ["id", "type", "url", "targetUrl", "image", "evidence", "issuer"]


def _bases() -> list[tuple[dict[str, Any], str]]:
    wanted = {
        "simple.json",
        "complete.json",
        "endorsement-valid.json",
        "complex.json",
        "simple_v1.json",
        "simple-eddsa-2022.json",
    }
    bases = []
    for source, document, _ in CORPUS:
        kind = _kind(document)
        if kind is not None and Path(source.split("#")[0].split(":")[0]).name in wanted:
            bases.append((document, SCHEMAS_VERSION[kind]))
    key = generate_key(seed=bytes(range(32)))
    for issued in demo_credentials(3, key, seed=5):
        bases.append((dict(issued.document or {}), "2.0"))
    return bases


BASES = _bases()


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, member in value.items():
            found.extend(_paths(member, (*prefix, key)))
    elif isinstance(value, list):
        for index, member in enumerate(value):
            found.extend(_paths(member, (*prefix, index)))
    return found


def _containers(value: Any) -> list[Any]:
    found = []
    if isinstance(value, dict):
        found.append(value)
        for member in value.values():
            found.extend(_containers(member))
    elif isinstance(value, list):
        for member in value:
            found.extend(_containers(member))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    base, version = draw(st.sampled_from(BASES))
    document = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(
            st.sampled_from(
                ["delete", "retype", "wrap", "unwrap", "date", "uri", "extra", "tuple", "nl"]
            )
        )
        if operation in ("date", "uri", "extra"):
            target = draw(st.sampled_from(_containers(document)))
            if operation == "date":
                target[draw(st.sampled_from(DATE_KEYS))] = draw(st.sampled_from(BAD_DATES))
            elif operation == "uri":
                target[draw(st.sampled_from(URI_KEYS))] = draw(st.sampled_from(BAD_URIS))
            else:
                name = draw(st.sampled_from(["extra", "@context", "type", "proof", "x:y"]))
                target[name] = draw(st.sampled_from(VALUES))
            continue
        paths = _paths(document)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = document
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        value = parent[last]
        if operation == "delete":
            del parent[last]
        elif operation == "retype":
            parent[last] = copy.deepcopy(draw(st.sampled_from(VALUES)))
        elif operation == "wrap":
            parent[last] = [value]
        elif operation == "unwrap" and isinstance(value, list) and value:
            parent[last] = value[0]
        elif operation == "tuple" and isinstance(value, list):
            parent[last] = tuple(value)
        elif operation == "nl" and isinstance(value, str):
            parent[last] = value + "\n"
    return document, version


@settings(max_examples=500)
@given(mutated())
def test_mutated_documents_agree(case: tuple[dict[str, Any], str]) -> None:
    document, version = case
    _event(_same(document, version))


@given(st.sampled_from(BASES), st.data())
def test_unwrapped_arrays_agree(base: tuple[dict[str, Any], str], data: st.DataObject) -> None:
    # the "single values read as arrays" path, several values at once
    document = copy.deepcopy(base[0])
    lists = [p for p in _paths(document) if isinstance(_at(document, p), list)]
    for path in data.draw(st.lists(st.sampled_from(lists), max_size=6, unique=True)):
        try:
            parent = _at(document, path[:-1])
            value = parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier unwrap moved it
        if isinstance(value, list) and value:
            parent[path[-1]] = value[0]
    _event(_same(document, base[1]))


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        document = document[part]
    return document


def test_an_unknown_keyword_turns_the_fast_path_off() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2019-09/schema#",
        "type": "object",
        "unevaluatedProperties": False,
    }
    with pytest.raises(schemas._UnsupportedError):
        schemas._compile(schema, None)


# -- contexts: require() is load() without the copy --------------------------------------

V2 = "https://www.w3.org/ns/credentials/v2"
PILOT = "https://contexts.example/pilot/v1"


def _outcome(call: Any, url: str) -> tuple[str, str] | None:
    try:
        call(url)
    except ContextError as err:
        return (type(err).__name__, f"{err.code}: {err}")
    return None


def test_require_fails_exactly_as_load(tmp_path: Path) -> None:
    context = tmp_path / "pilot.jsonld"
    context.write_text(json.dumps({"@context": {"cohort": "https://contexts.example/c"}}))
    loader = DocumentLoader(cache_dir=tmp_path / "cache")
    fresh = DocumentLoader(cache_dir=tmp_path / "cache")
    urls = [V2, PILOT, "https://contexts.example/unknown/v1", "http://[bad"]
    assert [_outcome(loader.require, u) for u in urls] == [_outcome(fresh.load, u) for u in urls]
    stored = loader.add_context(PILOT, context)
    fresh = DocumentLoader(cache_dir=tmp_path / "cache")
    assert _outcome(fresh.require, PILOT) is None
    # a cached file that no longer matches its pin fails, every time, for both
    stored.path.write_text(json.dumps({"@context": {"cohort": "https://evil.example/c"}}))
    for _ in range(2):
        tampered = [_outcome(DocumentLoader(cache_dir=tmp_path / "cache").require, PILOT)]
        assert tampered == [_outcome(DocumentLoader(cache_dir=tmp_path / "cache").load, PILOT)]
        assert tampered[0] is not None
        assert "context_pin_mismatch" in tampered[0][1]
    stored.path.unlink()
    missing = DocumentLoader(cache_dir=tmp_path / "cache")
    assert _outcome(missing.require, PILOT) == _outcome(missing.load, PILOT)
    assert "context_missing" in str(_outcome(missing.require, PILOT))


def test_the_contexts_check_on_a_tampered_cache(tmp_path: Path) -> None:
    context = tmp_path / "pilot.jsonld"
    context.write_text(json.dumps({"@context": {"cohort": "https://contexts.example/c"}}))
    loader = DocumentLoader(cache_dir=tmp_path / "cache")
    stored = loader.add_context(PILOT, context)
    document = {
        "@context": [V2, PILOT],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:learner"},
    }
    verifier = Verifier(VerifyOptions(loader=DocumentLoader(cache_dir=tmp_path / "cache")))
    assert verifier.verify(document).check("contexts_known").status == "passed"
    stored.path.write_text(json.dumps({"@context": {"cohort": "https://evil.example/c"}}))
    verifier = Verifier(VerifyOptions(loader=DocumentLoader(cache_dir=tmp_path / "cache")))
    for _ in range(2):
        check = verifier.verify(document).check("contexts_known")
        assert (check.status, check.code) == ("failed", "unknown_context")
        assert check.detail.endswith(f"{PILOT} (context_pin_mismatch)")


def test_require_defers_to_a_subclass_load() -> None:
    class Refusing(DocumentLoader):
        def load(self, url: str) -> dict[str, Any]:
            raise ContextError(f"refused {url}", code="refused", url=url)

    loader = Refusing(cache_dir="/nonexistent")
    with pytest.raises(ContextError, match="refused"):
        loader.require(V2)
    report = Verifier(VerifyOptions(loader=loader)).verify({"@context": [V2]})
    assert report.check("parsed").status == "failed"  # not a credential; contexts unchecked


# -- VC-JWTs: decoded once --------------------------------------------------------------

ED = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
P256 = ec.derive_private_key(0x1234567890ABCDEF, ec.SECP256R1())


def _forge(header: dict[str, Any], payload: dict[str, Any], signature: bytes) -> str:
    head = b64url_encode(json.dumps(header).encode())
    body = b64url_encode(json.dumps(payload).encode())
    return f"{head}.{body}.{b64url_encode(signature)}"


def _tokens() -> list[tuple[str, str, Any]]:
    good = sign_jws({"iss": "did:example:1", "nbf": 1700000000}, ED, kid="did:example:1#k")
    head, _, sig = good.split(".")
    return [
        ("valid", good, ED.public_key()),
        ("none", _forge({"alg": "none"}, {"a": 1}, b""), ED.public_key()),
        ("hs256", _forge({"alg": "HS256"}, {"a": 1}, b"x" * 32), ED.public_key()),
        ("es512", _forge({"alg": "ES512"}, {"a": 1}, b"x" * 132), ED.public_key()),
        ("wrong key type", sign_jws({"a": 1}, P256), ED.public_key()),
        ("crit", _forge({"alg": "EdDSA", "crit": ["x"], "x": 1}, {}, b"x" * 64), ED.public_key()),
        ("tampered", f"{head}.{b64url_encode(b'{}')}.{sig}", ED.public_key()),
        ("other key", good, Ed25519PrivateKey.generate().public_key()),
        ("bad kid", _forge({"alg": "EdDSA", "kid": 7}, {"a": 1}, b"x" * 64), ED.public_key()),
        ("bad nbf", sign_jws({"nbf": "soon"}, ED), ED.public_key()),
        ("es256", sign_jws({"a": 1}, P256), P256.public_key()),
        ("short es256", _forge({"alg": "ES256"}, {"a": 1}, b"x" * 70), P256.public_key()),
    ]


@pytest.mark.parametrize(("name", "token", "key"), _tokens(), ids=[t[0] for t in _tokens()])
def test_verify_decoded_jws_matches_verify_jws(name: str, token: str, key: Any) -> None:
    def run(call: Any, *args: Any) -> Any:
        try:
            return call(*args)
        except ProofError as err:
            return ("error", err.code, str(err), err.field)

    assert run(verify_decoded_jws, split_compact(token), key) == run(verify_jws, token, key)
    with pytest.raises(ValueError, match="outside lerkit's JWS policy"):
        verify_decoded_jws(split_compact(token), key, algorithms={"HS256"})
