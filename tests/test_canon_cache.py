"""The fast RDFC-1.0 path (lerkit.proofs._fastcanon) gives plain pyld's output, byte for byte.

``canonicalize_rdfc`` reuses processed JSON-LD contexts and term expansions across
documents (a memo per loader, thread and loader generation), copies the input faster and
converts the node map to canonical N-Quads itself when every blank node has a distinct
first-degree hash. Every test here compares with plain pyld run from scratch:
``jsonld.normalize`` with a resolver cache of its own for each call, so nothing is reused
between documents. Documents come from the shared standards folder, from Hypothesis
(variations of an OB 3.0 credential) and from hand-made cases aimed at the caches: type-
and property-scoped contexts, ``@propagate``, ``@protected``, reverts to the previous
context, inline contexts that differ in one term, contexts changed in place, loaders
that serve different content for one URL, and orders in which an earlier document could
leave something behind for a later one.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from frozendict import frozendict
from hypothesis import given, settings
from hypothesis import strategies as st
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver

import lerkit.proofs._fastcanon as fastcanon
from lerkit.contexts import PINNED_CONTEXTS, ContextError, DocumentLoader
from lerkit.proofs import DEFAULT_MAX_WORK, CanonicalizationError, HashName, canonicalize_rdfc
from lerkit.proofs._canon import _run_urdna2015

STANDARDS = Path(__file__).resolve().parents[1].parent / "shared" / "standards"
RDF_CANON = STANDARDS / "rdf-canon" / "tests" / "rdfc10"
OB_VECTORS = STANDARDS / "vectors/openbadges-specification/ob_v3p0/impl/test-vectors"

VC1 = "https://www.w3.org/2018/credentials/v1"
VC2 = "https://www.w3.org/ns/credentials/v2"
OB301 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"
OB302 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
OB303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
EX = "https://ex.example/"


# -- the reference: plain pyld, nothing reused ------------------------------------------


class _PlainURDNA2015(URDNA2015):  # type: ignore[misc]  # pyld is untyped
    """pyld's URDNA2015 with the hash swapped, nothing else (for SHA-384)."""

    def __init__(self, hash_name: str) -> None:
        super().__init__()
        self._hash_name = hash_name

    def create_hash(self) -> Any:
        import hashlib

        return hashlib.new(self._hash_name)


def _plain(document: Any, loader: Any, hash_name: HashName = "sha256") -> str:
    """Plain pyld with canonicalize_rdfc's options: base None, JSON-LD 1.1."""
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": loader,
        "contextResolver": ContextResolver({}, loader),
        "base": None,
        "processingMode": "json-ld-1.1",
    }
    if hash_name == "sha256":
        result: str = jsonld.normalize(copy.deepcopy(document), options)
        return result
    del options["algorithm"], options["format"]
    dataset = jsonld.JsonLdProcessor().to_rdf(copy.deepcopy(document), options)
    text: str = _PlainURDNA2015(hash_name).main(dataset, {"format": "application/n-quads"})
    return text


def _outcome(run: Callable[[], str]) -> tuple[str, str]:
    try:
        return "ok", run()
    except (jsonld.JsonLdError, CanonicalizationError, ContextError) as err:
        return "error", type(err).__name__
    except (TypeError, KeyError, AttributeError) as err:  # pyld's own crashes, kept as is
        return "crash", type(err).__name__


def _same_as_pyld(document: Any, loader: Any, hash_name: HashName = "sha256") -> str | None:
    """Assert canonicalize_rdfc == plain pyld (unsafe mode), and that safe mode either
    refuses or agrees too. Returns the canonical N-Quads (None when pyld refuses)."""
    expected = _outcome(lambda: _plain(document, loader, hash_name))
    got = _outcome(
        lambda: canonicalize_rdfc(document, loader, safe=False, hash_algorithm=hash_name)
    )
    if expected[0] == "ok" or got[0] == "ok":
        assert got == expected
    else:
        assert got[0] == expected[0]
        if got[0] == "crash":
            assert got[1] == expected[1]
    safe = _outcome(lambda: canonicalize_rdfc(document, loader, hash_algorithm=hash_name))
    if safe[0] == "ok":
        assert safe == expected
    return expected[1] if expected[0] == "ok" else None


# -- loaders ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def loader(standards: Path, tmp_path_factory: pytest.TempPathFactory) -> DocumentLoader:
    """Pinned contexts plus every other context in the standards folder."""
    index = json.loads((standards / "contexts/index.json").read_text(encoding="utf-8"))
    result = DocumentLoader(cache_dir=tmp_path_factory.mktemp("canon-cache-contexts"))
    for url, entry in index.items():
        if url not in PINNED_CONTEXTS:
            result.add_context(url, standards / "contexts" / entry["file"])
    return result


def _context_file(folder: Path, name: str, context: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(json.dumps({"@context": context}), encoding="utf-8")
    return path


# -- the standards corpus -------------------------------------------------------------------


def _corpus() -> list[Any]:
    found = []
    for folder in ("examples", "vectors"):
        for path in sorted((STANDARDS / folder).rglob("*.json")):
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, ValueError):
                continue
            if isinstance(document, dict):
                found.append(pytest.param(path, id=str(path.relative_to(STANDARDS))))
    return found


def _variants(document: dict[str, Any]) -> list[Any]:
    """The document, the document without its proofs, and each proof configuration."""
    variants: list[Any] = [document]
    if "proof" in document:
        unsecured = {key: value for key, value in document.items() if key != "proof"}
        variants.append(unsecured)
        proofs = document["proof"] if isinstance(document["proof"], list) else [document["proof"]]
        for proof in proofs:
            if isinstance(proof, dict):
                config = {key: value for key, value in proof.items() if key != "proofValue"}
                if "@context" in document:
                    config["@context"] = document["@context"]
                variants.append(config)
    return variants


CORPUS = _corpus()


def test_the_corpus_is_there() -> None:
    assert len(CORPUS) > 100


@pytest.mark.parametrize("path", CORPUS)
def test_standards_documents_canonicalize_as_plain_pyld(path: Path, loader: DocumentLoader) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    for variant in _variants(document):
        _same_as_pyld(variant, loader)
    # and again, now that the memo knows every context involved
    for variant in reversed(_variants(document)):
        _same_as_pyld(variant, loader)


#: The RDFC-1.0 poison graph: plain pyld, having no work limit, runs it for minutes.
POISON = "test074-in.nq"


def _nquads_files() -> list[Any]:
    files = [path for path in sorted(RDF_CANON.glob("*-in.nq")) if path.name != POISON]
    files += sorted(OB_VECTORS.glob("*/*-canon.txt"))
    return [pytest.param(path, id=f"{path.parent.name}/{path.name}") for path in files]


@pytest.mark.parametrize("path", _nquads_files())
def test_rdf_datasets_as_json_ld_canonicalize_as_plain_pyld(
    path: Path, loader: DocumentLoader
) -> None:
    # The W3C RDFC-1.0 inputs (made to be hard for blank node labelling) and the 1EdTech
    # vectors, turned into expanded JSON-LD: both sides see the same document.
    text = path.read_text(encoding="utf-8")
    try:
        expanded = jsonld.from_rdf(text, {"format": "application/n-quads"})
    except jsonld.JsonLdError:
        pytest.skip("pyld cannot read this N-Quads input")
    _same_as_pyld({"@graph": expanded}, loader)


def _tokens(dataset: dict[str, Any]) -> list[fastcanon.Quad]:
    def term(component: dict[str, Any]) -> str:
        if component["type"] == "IRI":
            return f"<{component['value']}>"
        if component["type"] == "blank node":
            return str(component["value"])
        return fastcanon._literal(
            component["value"], component["datatype"], component.get("language")
        )

    quads = []
    for name, triples in dataset.items():
        graph = None
        if name != "@default":
            graph = name if name.startswith("_:") else "<" + name + ">"
        for triple in triples:
            quads.append(
                (term(triple["subject"]), term(triple["predicate"]), term(triple["object"]), graph)
            )
    return quads


@pytest.mark.parametrize("path", sorted(RDF_CANON.glob("*-in.nq")), ids=lambda path: path.name)
@pytest.mark.parametrize("hash_name", ["sha256", "sha384"])
def test_simple_case_is_urdna2015_on_the_w3c_inputs(path: Path, hash_name: HashName) -> None:
    # The short cut must give pyld's result whenever it answers, and must answer exactly
    # when pyld needs no Hash N-Degree Quads call.
    text = path.read_text(encoding="utf-8")
    dataset = jsonld.JsonLdProcessor.parse_nquads(text)
    simple = fastcanon.canonical_nquads_simple(_tokens(dataset), hash_name)
    try:
        expected, _, work = _run_urdna2015(
            jsonld.JsonLdProcessor.parse_nquads(text), hash_name, DEFAULT_MAX_WORK
        )
    except CanonicalizationError:
        assert simple is None  # the poison graph
        return
    if work == 0:
        assert simple == expected
    else:
        assert simple is None


# -- Hypothesis: variations of an OB 3.0 credential ---------------------------------------

_TEXT = st.text(max_size=12)
_IRI = st.one_of(
    st.from_regex(r"https://example\.(org|edu)/[a-z0-9_-]{0,8}(/[a-z0-9]{1,4})?", fullmatch=True),
    st.uuids().map(lambda value: f"urn:uuid:{value}"),
    st.from_regex(r"did:example:[a-z0-9]{1,8}", fullmatch=True),
)
_NODE_ID = st.one_of(_IRI, st.from_regex(r"_:[a-z][a-z0-9]{0,3}", fullmatch=True))
_DATE = st.sampled_from(
    ["2024-01-01T00:00:00Z", "2023-06-30T12:34:56.789Z", "2030-12-31T23:59:59+02:00", "2024-02-29"]
)
_NUMBER = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, 1, 10**21, 10**25, 0.5, -0.0]),
)


def _typed(name: str) -> st.SearchStrategy[Any]:
    return st.sampled_from([name, [name]])


def _one_or_many(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, st.lists(strategy, max_size=3))


def _with_duplicates(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    # identical nodes without an id are blank nodes that first-degree hashes cannot tell
    # apart: the full algorithm runs for them
    return st.lists(strategy, max_size=3).flatmap(
        lambda items: st.sampled_from([items, items + items[:1]])
    )


def _node(
    type_name: str, required: dict[str, Any], optional: dict[str, Any]
) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"type": _typed(type_name), **required},
        optional={
            key: value
            for key, value in {"id": _NODE_ID, "extraField": _TEXT, **optional}.items()
            if key not in required
        },
    )


_ALIGNMENT = _node(
    "Alignment",
    {"targetName": _TEXT, "targetUrl": _IRI},
    {
        "targetCode": _TEXT,
        "targetDescription": _TEXT,
        "targetFramework": _TEXT,
        "targetType": st.sampled_from(["ceasn:Competency", "CFItem", "ext:Custom", "Skill"]),
    },
)
_RUBRIC_LEVEL = _node(
    "RubricCriterionLevel",
    {"name": _TEXT},
    {"level": _TEXT, "points": _TEXT, "description": _TEXT, "alignment": _one_or_many(_ALIGNMENT)},
)
_RESULT_DESCRIPTION = _node(
    "ResultDescription",
    {"name": _TEXT, "resultType": st.sampled_from(["GradePointAverage", "LetterGrade", "Status"])},
    {
        "allowedValue": st.lists(_TEXT, max_size=3),
        "requiredValue": _TEXT,
        "valueMax": _TEXT,
        "rubricCriterionLevel": _with_duplicates(_RUBRIC_LEVEL),
        "alignment": _one_or_many(_ALIGNMENT),
    },
)
_IMAGE = st.one_of(_IRI, _node("Image", {"id": _IRI}, {"caption": _TEXT}))
_ADDRESS = _node(
    "Address",
    {"addressCountry": _TEXT},
    {
        "addressLocality": _TEXT,
        "postalCode": _TEXT,
        "geo": _node("GeoCoordinates", {"latitude": _NUMBER, "longitude": _NUMBER}, {}),
    },
)
_IDENTIFIER_ENTRY = _node("IdentifierEntry", {"identifier": _TEXT, "identifierType": _TEXT}, {})
_PROFILE_FIELDS = {
    "name": _TEXT,
    "url": _IRI,
    "email": _TEXT,
    "phone": _TEXT,
    "description": _TEXT,
    "image": _IMAGE,
    "address": _ADDRESS,
    "otherIdentifier": _one_or_many(_IDENTIFIER_ENTRY),
    "official": _TEXT,
}
_PARENT = _node("Profile", {"id": _IRI}, _PROFILE_FIELDS)
_PROFILE = _node("Profile", {"id": _IRI}, {**_PROFILE_FIELDS, "parentOrg": _PARENT})
_ACHIEVEMENT = _node(
    "Achievement",
    {
        "name": _TEXT,
        "criteria": st.fixed_dictionaries({}, optional={"id": _IRI, "narrative": _TEXT}),
    },
    {
        "description": _TEXT,
        "achievementType": st.sampled_from(["Badge", "Certificate", "ext:Custom", "Course"]),
        "alignment": st.one_of(_ALIGNMENT, _with_duplicates(_ALIGNMENT)),
        "creditsAvailable": _NUMBER,
        "tag": st.lists(_TEXT, max_size=3),
        "image": _IMAGE,
        "inLanguage": st.sampled_from(["en", "es-MX", "EN"]),
        "version": _TEXT,
        "humanCode": _TEXT,
        "fieldOfStudy": _TEXT,
        "creator": _PROFILE,
        "resultDescription": _one_or_many(_RESULT_DESCRIPTION),
        "related": _one_or_many(_node("Related", {"id": _IRI}, {"version": _TEXT})),
        "otherIdentifier": _one_or_many(_IDENTIFIER_ENTRY),
    },
)
_RESULT = _node(
    "Result",
    {},
    {
        "resultDescription": _IRI,  # an anyURI literal here, a node in an Achievement
        "value": _TEXT,
        "status": st.sampled_from(["Completed", "Enrolled", "Failed", "InProgress"]),
        "achievedLevel": _IRI,
        "alignment": _one_or_many(_ALIGNMENT),
    },
)
_IDENTITY = _node(
    "IdentityObject",
    {"identityHash": _TEXT, "hashed": st.booleans()},
    {"identityType": st.sampled_from(["emailAddress", "sourcedId", "ext:Other"]), "salt": _TEXT},
)
_SUBJECT = _node(
    "AchievementSubject",
    {"achievement": _ACHIEVEMENT},
    {
        "result": _one_or_many(_RESULT),
        "identifier": _one_or_many(_IDENTITY),
        "creditsEarned": _NUMBER,
        "activityStartDate": _DATE,
        "licenseNumber": _TEXT,
        "role": _TEXT,
        "term": _TEXT,
        "source": _PROFILE,
        "image": _IMAGE,
        "name": _TEXT,
    },
)
_EVIDENCE = _node(
    "Evidence",
    {},
    {"name": _TEXT, "narrative": _TEXT, "description": _TEXT, "genre": _TEXT, "audience": _TEXT},
)
_ENDORSEMENT = st.fixed_dictionaries(
    {
        "type": st.just(["VerifiableCredential", "EndorsementCredential"]),
        "id": _IRI,
        "issuer": st.one_of(_IRI, _PROFILE),
        "credentialSubject": _node(
            "EndorsementSubject", {"id": _IRI}, {"endorsementComment": _TEXT}
        ),
    },
    optional={"name": _TEXT, "validFrom": _DATE},
)
CREDENTIALS = st.fixed_dictionaries(
    {
        "@context": st.sampled_from(
            [[VC2, OB303], [VC2, OB303], [VC2, OB302], [VC1, OB301], [VC1, OB302]]
        ),
        "type": st.sampled_from(
            [
                ["VerifiableCredential", "AchievementCredential"],
                ["VerifiableCredential", "OpenBadgeCredential"],
                ["OpenBadgeCredential", "VerifiableCredential"],
                "VerifiableCredential",
            ]
        ),
        "issuer": st.one_of(_IRI, _PROFILE),
        "credentialSubject": _one_or_many(_SUBJECT),
    },
    optional={
        "id": _IRI,
        "name": _TEXT,
        "description": _TEXT,
        "validFrom": _DATE,
        "validUntil": _DATE,
        "issuanceDate": _DATE,
        "awardedDate": _DATE,
        "image": _IMAGE,
        "evidence": _one_or_many(_EVIDENCE),
        "endorsement": _one_or_many(_ENDORSEMENT),
        "credentialStatus": _node(
            "BitstringStatusListEntry",
            {"statusPurpose": st.sampled_from(["revocation", "suspension"])},
            {"statusListIndex": _TEXT, "statusListCredential": _IRI},
        ),
        "extraTopLevel": _TEXT,
    },
)


@given(document=CREDENTIALS)
def test_generated_credentials_canonicalize_as_plain_pyld(
    document: dict[str, Any], loader: DocumentLoader
) -> None:
    _same_as_pyld(document, loader)


@settings(max_examples=60)
@given(documents=st.lists(CREDENTIALS, min_size=2, max_size=4))
def test_generated_credentials_in_sequence_do_not_leak_into_each_other(
    documents: list[dict[str, Any]], loader: DocumentLoader
) -> None:
    expected = [_same_as_pyld(document, loader) for document in documents]
    # the other way round, with everything the first pass left in the memo
    for document, text in reversed(list(zip(documents, expected, strict=True))):
        assert _same_as_pyld(document, loader) == text


@settings(max_examples=40)
@given(document=CREDENTIALS)
def test_generated_credentials_with_sha384(
    document: dict[str, Any], loader: DocumentLoader
) -> None:
    _same_as_pyld(document, loader, "sha384")


@settings(max_examples=40)
@given(document=CREDENTIALS)
def test_proof_configurations_canonicalize_as_plain_pyld(
    document: dict[str, Any], loader: DocumentLoader
) -> None:
    config = {
        "@context": document["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2024-01-01T00:00:00Z",
        "verificationMethod": document["issuer"]
        if isinstance(document["issuer"], str)
        else document["issuer"]["id"],
        "proofPurpose": "assertionMethod",
    }
    _same_as_pyld(config, loader)


# -- hand-made cases aimed at the caches ----------------------------------------------------


def _thing(scoped: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "@context": {
            "@vocab": EX + "vocab#",
            "Thing": {"@id": EX + "Thing", "@context": scoped},
            "Other": {"@id": EX + "Other"},
            "child": {"@id": EX + "child"},
            "children": {"@id": EX + "children", "@container": "@list"},
        },
        "@id": EX + "thing/1",
        "@type": "Thing",
        "name": "outer",
        "child": {"name": "inner", "@type": "Other", "child": {"name": "innermost"}},
        "children": [{"name": "a"}, {"@type": "Thing", "name": "b"}, "c"],
        **extra,
    }


OB_ACHIEVEMENT = {
    "@context": [VC2, OB303],
    "id": "urn:uuid:a1",
    "type": "Achievement",
    "name": "A",
    "criteria": {"narrative": "do it", "tag": ["not in scope here"]},
    "resultDescription": [{"id": "urn:uuid:rd1", "type": "ResultDescription", "name": "grade"}],
    "creditsAvailable": 3,
    "tag": ["x", "y"],
}
OB_RESULT = {
    "@context": [VC2, OB303],
    "id": "urn:uuid:r1",
    "type": "Result",
    "resultDescription": "urn:uuid:rd1",
    "value": "A",
    "tag": "not defined for a Result",
}
OB_UNTYPED = {
    "@context": [VC2, OB303],
    "id": "urn:uuid:u1",
    "resultDescription": "urn:uuid:rd1",
    "creditsAvailable": 3,
    "name": "untyped",
}

HAND_MADE: dict[str, Any] = {
    "type-scoped": _thing({"name": EX + "thingName"}),
    "type-scoped, one term differs": _thing({"name": EX + "otherName"}),
    "type-scoped @propagate true": _thing({"@propagate": True, "name": EX + "thingName"}),
    "type-scoped @protected": _thing({"@protected": True, "name": EX + "thingName"}),
    "embedded @propagate false": {
        "@context": {"@vocab": EX},
        "a": {
            "@context": {"@propagate": False, "name": EX + "n2"},
            "name": "x",
            "b": {"name": "y"},
        },
    },
    "protected term redefined (error)": {
        "@context": [{"@protected": True, "name": EX + "name"}, {"name": EX + "other"}],
        "name": "x",
    },
    "property-scoped overrides protected": {
        "@context": {
            "@protected": True,
            "name": EX + "name",
            "p": {"@id": EX + "p", "@context": {"name": EX + "pname"}},
        },
        "name": "a",
        "p": {"name": "b", "p": {"name": "c"}},
    },
    "null context resets": {
        "@context": {"name": EX + "name", "q": EX + "q"},
        "name": "a",
        "q": {"@context": None, "@id": EX + "x", EX + "raw": "b", "name": "dropped"},
    },
    "null context over protected terms (error)": {
        "@context": {"@protected": True, "name": EX + "name", "q": EX + "q"},
        "q": {"@context": None, "name": "b"},
    },
    "empty context array": {
        "@context": {"name": EX + "name", "q": EX + "q"},
        "q": {"@context": [], "name": "b", "q": {"@context": [], "name": "c"}},
    },
    "@import": {
        "@context": {"@version": 1.1, "@import": OB303, "extra": EX + "extra"},
        "id": "urn:uuid:i1",
        "type": "Achievement",
        "extra": "x",
        "name": "imported",
    },
    "@import, other extra term": {
        "@context": {"@version": 1.1, "@import": OB303, "extra": EX + "different"},
        "id": "urn:uuid:i1",
        "type": "Achievement",
        "extra": "x",
        "name": "imported",
    },
    "@type-scoped in a type map": {
        "@context": {
            "@vocab": EX,
            "byType": {"@id": EX + "byType", "@container": "@type"},
            "Thing": {"@id": EX + "Thing", "@context": {"name": EX + "thingName"}},
        },
        "byType": {"Thing": {"name": "t"}, "Other": {"name": "o"}},
    },
    "nested @context objects": {
        "@context": [VC2, OB303],
        "id": "urn:uuid:n1",
        "type": "Achievement",
        "name": "n",
        "alignment": [
            {
                "@context": {"targetName": EX + "redefined"},
                "type": "Alignment",
                "targetName": "x",
            }
        ],
    },
    "lists, numbers, @json, language, direction": {
        "@context": {
            "@vocab": EX,
            "l": {"@id": EX + "l", "@container": "@list"},
            "j": {"@id": EX + "j", "@type": "@json"},
            "d": {"@id": EX + "d", "@type": "http://www.w3.org/2001/XMLSchema#double"},
            "fr": {"@id": EX + "fr", "@language": "FR", "@direction": "rtl"},
        },
        "l": [[1, 2.5, [True]], [], {"v": "x"}, 10**22, -0.0, {"@value": "t", "@language": "EN"}],
        "j": {"b": [1, None, "x"], "a": 1.0},
        "d": ["1.50", "abc", 2],
        "fr": ["bonjour", {"@value": "hello", "@language": "en"}],
        "@type": "_:bnodeType",
        "bn": {"@id": "_:x", "self": {"@id": "_:x"}},
    },
    "named graphs": {
        "@context": {"@vocab": EX, "g": {"@id": EX + "g", "@container": "@graph"}},
        "@id": EX + "doc",
        "g": [{"name": "in a graph", "same": {"name": "n"}}, {"name": "in a graph"}],
        "@graph": [{"@id": EX + "x", "name": "y"}],
    },
    "identical blank nodes": {
        "@context": [VC2, OB303],
        "id": "urn:uuid:b1",
        "type": "Achievement",
        "name": "twins",
        "alignment": [
            {"type": "Alignment", "targetName": "t", "targetUrl": "https://a.example/t"},
            {"type": "Alignment", "targetName": "t", "targetUrl": "https://a.example/t"},
            {"type": "Alignment", "targetName": "u", "targetUrl": "https://a.example/u"},
        ],
    },
    "OB Achievement": OB_ACHIEVEMENT,
    "OB Result": OB_RESULT,
    "OB untyped": OB_UNTYPED,
}


def test_hand_made_cases_in_every_order(loader: DocumentLoader) -> None:
    names = list(HAND_MADE)
    expected = {name: _same_as_pyld(HAND_MADE[name], loader) for name in names}
    for order in (reversed(names), names[1::2] + names[0::2]):
        for name in order:
            assert _same_as_pyld(HAND_MADE[name], loader) == expected[name], name
    # the cases meant to differ do differ
    assert expected["type-scoped"] != expected["type-scoped, one term differs"]
    assert expected["type-scoped"] != expected["type-scoped @propagate true"]
    assert expected["@import"] != expected["@import, other extra term"]
    assert expected["protected term redefined (error)"] is None
    assert expected["null context over protected terms (error)"] is None


def test_a_type_scoped_term_does_not_follow_into_other_nodes(loader: DocumentLoader) -> None:
    # resultDescription is a node in an Achievement and an anyURI in a Result; an untyped
    # node has neither. The memo must keep the three apart whatever comes first.
    achievement = _same_as_pyld(OB_ACHIEVEMENT, loader)
    result = _same_as_pyld(OB_RESULT, loader)
    untyped = _same_as_pyld(OB_UNTYPED, loader)
    assert achievement is not None
    assert result is not None
    assert untyped is not None
    assert "<urn:uuid:rd1>" in achievement
    assert '"urn:uuid:rd1"^^<https://www.w3.org/2001/XMLSchema#anyURI>' in result  # (sic: https)
    assert "rd1" not in untyped  # undefined outside those types: dropped
    assert "not in scope here" not in achievement  # criteria reverts to the outer context
    for document in (OB_UNTYPED, OB_RESULT, OB_ACHIEVEMENT, OB_RESULT, OB_UNTYPED):
        _same_as_pyld(document, loader)
    with pytest.raises(CanonicalizationError) as caught:
        canonicalize_rdfc(OB_UNTYPED, loader)
    assert caught.value.code == "undefined_term"


def test_inline_contexts_that_differ_in_one_term_give_different_output(
    loader: DocumentLoader,
) -> None:
    first = {"@context": {"name": "https://schema.org/name"}, "@id": EX + "s", "name": "Ada"}
    second = {
        "@context": {"name": "https://schema.org/alternateName"},
        "@id": EX + "s",
        "name": "Ada",
    }
    outputs = [canonicalize_rdfc(document, loader) for document in (first, second, first, second)]
    assert outputs[0] == outputs[2] == _plain(first, loader)
    assert outputs[1] == outputs[3] == _plain(second, loader)
    assert outputs[0] != outputs[1]


def test_a_wrongly_keyed_memo_would_be_caught(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Key every local context the same (as a cache keyed by too little would): the check
    # above must then fail, so it does test the key.
    broken = DocumentLoader(cache_dir=tmp_path)
    monkeypatch.setattr(fastcanon, "_content_key", lambda value: "same for everything")
    first = {"@context": {"name": "https://schema.org/name"}, "@id": EX + "s", "name": "Ada"}
    second = {
        "@context": {"name": "https://schema.org/alternateName"},
        "@id": EX + "s",
        "name": "Ada",
    }
    assert canonicalize_rdfc(first, broken) == _plain(first, broken)
    assert canonicalize_rdfc(second, broken) != _plain(second, broken)
    with pytest.raises(AssertionError):
        _same_as_pyld(second, broken)


def test_a_context_changed_in_place_is_seen(loader: DocumentLoader) -> None:
    context: dict[str, Any] = {
        "name": EX + "one",
        "Thing": {"@id": EX + "Thing", "@context": {"label": EX + "l1"}},
    }
    document = {"@context": context, "@id": EX + "s", "@type": "Thing", "name": "n", "label": "l"}
    before = canonicalize_rdfc(document, loader)
    context["name"] = EX + "two"
    context["Thing"]["@context"]["label"] = EX + "l2"
    after = canonicalize_rdfc(document, loader)
    assert before != after
    assert after == _plain(document, loader)
    assert EX + "two" in after
    assert EX + "l2" in after


def test_a_new_loader_generation_is_not_served_from_the_old_memo(tmp_path: Path) -> None:
    url = "https://contexts.example/thing/v1"
    loader = DocumentLoader(cache_dir=tmp_path / "cache")
    thing = {"@id": EX + "Thing", "@context": {"label": EX + "label1"}}
    loader.add_context(
        url, _context_file(tmp_path, "v1a.json", {"name": EX + "name", "Thing": thing})
    )
    document = {"@context": url, "@id": EX + "s", "@type": "Thing", "name": "n", "label": "l"}
    first = canonicalize_rdfc(document, loader)
    assert first == _plain(document, loader)
    thing2 = {"@id": EX + "Thing", "@context": {"label": EX + "label2"}}
    loader.add_context(
        url, _context_file(tmp_path, "v1b.json", {"name": EX + "name", "Thing": thing2})
    )
    second = canonicalize_rdfc(document, loader)
    assert second == _plain(document, loader)
    assert first != second


def test_two_loaders_with_different_content_for_one_url(tmp_path: Path) -> None:
    url = "https://contexts.example/thing/v1"
    loaders = []
    for number in (1, 2):
        loader = DocumentLoader(cache_dir=tmp_path / f"cache{number}")
        context = {"name": EX + f"name{number}"}
        loader.add_context(url, _context_file(tmp_path, f"c{number}.json", context))
        loaders.append(loader)
    document = {"@context": url, "@id": EX + "s", "name": "n"}
    outputs = [canonicalize_rdfc(document, loader) for loader in loaders + loaders]
    assert outputs[0] == outputs[2] == _plain(document, loaders[0])
    assert outputs[1] == outputs[3] == _plain(document, loaders[1])
    assert outputs[0] != outputs[1]


def test_a_plain_loader_callable_is_asked_again_on_every_call() -> None:
    # Not a DocumentLoader: nothing is known about what it serves, so nothing is kept
    # between calls.
    served = {"@context": {"name": EX + "first"}}

    def loader(url: str, options: Any = None) -> dict[str, Any]:
        return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(served)}

    document = {"@context": "https://contexts.example/changing", "@id": EX + "s", "name": "n"}
    first = canonicalize_rdfc(document, loader)
    assert first == _plain(document, loader)
    served["@context"] = {"name": EX + "second"}
    second = canonicalize_rdfc(document, loader)
    assert second == _plain(document, loader)
    assert EX + "first" in first
    assert EX + "second" in second


def test_an_import_cannot_change_later_documents(loader: DocumentLoader) -> None:
    # pyld merges an @import-ing context into the imported one in place; lerkit runs such
    # documents on a resolver of their own, so what later documents see stays the same.
    victim = {
        "@context": [{"other": EX + "other"}, OB303],
        "id": "urn:uuid:v1",
        "type": "Achievement",
        "name": "v",
        "extra": "must stay undefined",
    }
    before = _same_as_pyld(victim, loader)
    _same_as_pyld(HAND_MADE["@import"], loader)
    _same_as_pyld(HAND_MADE["@import, other extra term"], loader)
    assert _same_as_pyld(victim, loader) == before
    assert before is not None
    assert "must stay undefined" not in before


def test_the_memo_is_used_and_bounded(loader: DocumentLoader) -> None:
    memo = fastcanon.memo_for(loader.pyld_options(), True)
    assert memo is fastcanon.memo_for(loader.pyld_options(), True)  # per loader and thread
    canonicalize_rdfc(OB_ACHIEVEMENT, loader, safe=False)
    hits = memo.hits
    canonicalize_rdfc({**OB_ACHIEVEMENT, "name": "another"}, loader, safe=False)
    assert memo.hits > hits
    assert 0 < len(memo) <= fastcanon.MEMO_SIZE

    small = fastcanon.ContextMemo(maxsize=3)
    active: frozendict[str, Any] = frozendict({"mappings": {}})
    for number in range(10):
        key = small.key(active, {"n": str(number)}, {}, (False, True, True))
        small.put(key, active, {"n": str(number)}, frozendict({"mappings": {}, "n": number}))
    assert len(small) == 3


def test_content_keys_tell_json_values_apart() -> None:
    key = fastcanon._content_key
    values = [
        1,
        1.0,
        True,
        "1",
        None,
        [1],
        {"a": 1},
        {"a": 1.0},
        {"b": 1, "a": 2},
        {"a": 2, "b": 1},
    ]
    assert len({key(value) for value in values}) == len(values)
    for odd in ((1, 2), {1: "a"}, frozendict(a=1), b"x"):
        with pytest.raises(fastcanon._UnkeyableError):
            key(odd)


def test_threads_share_nothing_they_should_not(loader: DocumentLoader) -> None:
    documents = [
        {**OB_ACHIEVEMENT, "id": f"urn:uuid:t{number}", "name": f"name {number}"}
        for number in range(8)
    ] + list(HAND_MADE.values())
    expected = [_outcome(partial(_plain, document, loader)) for document in documents]
    failures: list[str] = []

    def work(offset: int) -> None:
        for round_ in range(3):
            for index in range(len(documents)):
                position = (index + offset + round_) % len(documents)
                document = documents[position]
                got = _outcome(lambda: canonicalize_rdfc(document, loader, safe=False))  # noqa: B023
                if (got[0] == "ok" or expected[position][0] == "ok") and got != expected[position]:
                    failures.append(f"document {position} in thread {offset}")

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_the_work_limit_still_applies_to_json_ld(loader: DocumentLoader) -> None:
    # eight identical blank nodes, all linked to each other: the full algorithm runs
    members = [{"@id": f"_:n{number}"} for number in range(8)]
    nodes = [
        {"@id": f"_:n{number}", EX + "p": [m for m in members if m["@id"] != f"_:n{number}"]}
        for number in range(8)
    ]
    document = {"@graph": nodes}
    with pytest.raises(CanonicalizationError) as caught:
        canonicalize_rdfc(document, loader, max_work=50)
    assert caught.value.code == "canonicalization_limit"
