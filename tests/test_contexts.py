"""The offline context store: pins, the user cache, the allowlisted fetch, no network."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import socket
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

import lerkit.contexts._registry as registry
from lerkit.contexts import (
    CACHE_ENV_VAR,
    PINNED_CONTEXTS,
    ContextError,
    DocumentLoader,
    UnknownContextError,
    default_cache_dir,
)
from lerkit.contexts._loader import _NoUnsafeRedirects
from lerkit.errors import LerkitError
from lerkit.proofs import canonicalize_rdfc, verify_proof

V2 = "https://www.w3.org/ns/credentials/v2"
OB303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB300 = "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
UNKNOWN = "https://contexts.example.org/unknown/v1"
DATA_DIR = Path(registry.__file__).parent / "data"

#: SHA-256 digests W3C Recommendations publish for their contexts (MANIFEST §2), as the
#: manifest abbreviates them: first and last hex digits.
W3C_PUBLISHED = {
    "https://www.w3.org/2018/credentials/v1": ("ab4ddd9a", "cdcc"),
    V2: ("59955ced", "2734"),
    "https://w3id.org/security/data-integrity/v2": ("67f21e6e", "e8f4"),
    "https://w3id.org/security/multikey/v1": ("ba2c182d", "8597"),
    "https://www.w3.org/ns/credentials/status/v1": ("fda5add3", "d9f7"),
    "https://w3id.org/security/jwk/v1": ("0f14b62f", "bece"),
}


class NetworkUsedError(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything opens a socket, resolves a name or calls urllib."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise NetworkUsedError(f"network used: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)


@pytest.fixture
def loader(tmp_path: Path) -> DocumentLoader:
    return DocumentLoader(cache_dir=tmp_path / "cache")


def _index(standards: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(
        (standards / "contexts" / "index.json").read_text(encoding="utf-8")
    )
    return result


def _standards_json(standards: Path, relative: str) -> Any:
    return json.loads((standards / "contexts" / relative).read_text(encoding="utf-8"))


# -- pins ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", sorted(PINNED_CONTEXTS))
def test_every_served_context_matches_its_pin(url: str, loader: DocumentLoader) -> None:
    pinned = PINNED_CONTEXTS[url]
    assert hashlib.sha256(pinned.path.read_bytes()).hexdigest() == pinned.sha256
    document = loader.load(url)
    assert "@context" in document
    assert loader.served[url] == pinned.sha256


def test_the_required_contexts_are_all_pinned() -> None:
    required = {
        "https://www.w3.org/2018/credentials/v1",
        V2,
        "https://w3id.org/security/data-integrity/v2",
        "https://w3id.org/security/multikey/v1",
        "https://w3id.org/security/suites/ed25519-2020/v1",
        "https://w3id.org/vc/status-list/2021/v1",
        "https://www.w3.org/ns/did/v1",
        OB300,
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        OB303,
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        "https://purl.imsglobal.org/spec/clr/v2p0/context.json",
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
        "https://www.w3.org/ns/credentials/status/v1",
        "https://w3id.org/security/jwk/v1",
    }
    assert required <= set(PINNED_CONTEXTS)


def test_packages_are_used_where_they_ship_the_context() -> None:
    origins = {url: pinned.origin for url, pinned in PINNED_CONTEXTS.items()}
    vendored = {url for url, origin in origins.items() if origin == "lerkit"}
    assert vendored == {
        "https://w3id.org/vc/status-list/2021/v1",
        "https://www.w3.org/ns/credentials/status/v1",
        "https://w3id.org/security/jwk/v1",
        "https://w3id.org/security/data-integrity/v1",
        OB300,
        "https://purl.imsglobal.org/spec/clr/v2p0/context.json",
    }


def test_pins_agree_with_the_standards_copies_as_json(standards: Path) -> None:
    index = _index(standards)
    compared = 0
    for url, pinned in PINNED_CONTEXTS.items():
        entry = index.get(url)
        if entry is None:
            continue  # security v1/v2: pyld ships them, the standards store has no copy
        compared += 1
        served = json.loads(pinned.path.read_bytes())
        if url == OB303:
            variant = entry["variants"][0]
            assert pinned.sha256 == variant["sha256"]
            assert served == _standards_json(standards, variant["file"])
            continue
        # Canonicalization depends only on the JSON value: where the bytes differ
        # (whitespace), the parsed values must be equal.
        assert served == _standards_json(standards, entry["file"]), url
        if pinned.sha256 != entry["sha256"]:
            assert pinned.origin in ("pyld", "openbadgeslib"), url
    assert compared == len(PINNED_CONTEXTS) - 2


def test_pins_agree_with_the_digests_w3c_publishes(standards: Path) -> None:
    index = _index(standards)
    for url, (head, tail) in W3C_PUBLISHED.items():
        published = index[url]["sha256"]
        assert published.startswith(head), url
        assert published.endswith(tail), url
        pinned = PINNED_CONTEXTS[url]
        if pinned.sha256 != published:
            # pyld's credentials/v1 differs in whitespace only
            assert url == "https://www.w3.org/2018/credentials/v1"
            assert json.loads(pinned.path.read_bytes()) == _standards_json(
                standards, index[url]["file"]
            )


def test_vendored_files_are_the_standards_bytes_and_are_documented(standards: Path) -> None:
    index = _index(standards)
    sources = (DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
    for url, pinned in PINNED_CONTEXTS.items():
        if pinned.origin != "lerkit":
            continue
        entry = index[url]
        assert pinned.resource == entry["file"]
        assert pinned.path.read_bytes() == (standards / "contexts" / entry["file"]).read_bytes()
        assert pinned.sha256 == entry["sha256"]
        for needle in (url, pinned.resource, pinned.sha256, entry["source"]["commit"]):
            assert needle in sources, needle
    vendored = {path.name for path in DATA_DIR.iterdir() if path.is_file()} - {"SOURCES.md"}
    assert vendored == {p.resource for p in PINNED_CONTEXTS.values() if p.origin == "lerkit"}


def test_the_ob_303_context_served_is_the_superset_variant(standards: Path) -> None:
    index = _index(standards)
    spec = _standards_json(standards, index[OB303]["file"])["@context"]
    served = json.loads(PINNED_CONTEXTS[OB303].path.read_bytes())["@context"]

    def extra_terms(small: Any, large: Any, path: str = "") -> set[str]:
        if isinstance(small, dict) and isinstance(large, dict):
            assert set(small) <= set(large), path
            found = {f"{path}/{key}" for key in set(large) - set(small)}
            for key in small:
                found |= extra_terms(small[key], large[key], f"{path}/{key}")
            return found
        assert small == large, path
        return set()

    extras = extra_terms(spec, served)
    assert {path.rsplit("/", 1)[1] for path in extras} == {"jti", "endorsementJwt"}


def test_a_credential_without_the_new_terms_canonicalizes_the_same_under_both_303_files(
    standards: Path, loader: DocumentLoader
) -> None:
    index = _index(standards)
    spec_document = _standards_json(standards, index[OB303]["file"])

    def spec_loader(url: str, options: dict[str, Any]) -> dict[str, Any]:
        if url == OB303:
            return {
                "contextUrl": None,
                "documentUrl": url,
                "document": copy.deepcopy(spec_document),
            }
        return loader(url, options)

    examples = standards / "examples/digital-credentials-public-validator"
    for name in (
        "inspector-vc/src/test/resources/ob30/complete.json",
        "inspector-clr/src/test/resources/clr20/simple.json",
    ):
        credential = json.loads((examples / name).read_text(encoding="utf-8"))
        credential.pop("proof")
        assert canonicalize_rdfc(credential, loader) == canonicalize_rdfc(credential, spec_loader)


def test_ob_300_is_served_as_the_real_300_file(standards: Path, loader: DocumentLoader) -> None:
    # openbadgeslib aliases context.json to its 3.0.3 file; lerkit serves the real 3.0.0
    # bytes, which the validator's VC 1.1 example was signed against.
    assert PINNED_CONTEXTS[OB300].sha256 == _index(standards)[OB300]["sha256"]
    example = json.loads(
        (
            standards
            / "examples/digital-credentials-public-validator/inspector-vc/src/test/resources/ob30/simple_v1.json"
        ).read_text(encoding="utf-8")
    )
    assert OB300 in example["@context"]
    (proof,) = example["proof"]
    key = proof["verificationMethod"].split("#")[1]
    assert verify_proof(example, proof, key, loader=loader).suite == "Ed25519Signature2020"


def test_a_changed_package_file_raises_the_pin_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pinned = PINNED_CONTEXTS[V2]
    fake_dir = tmp_path / "pkg"
    fake_dir.mkdir()
    (fake_dir / pinned.resource).write_bytes(pinned.path.read_bytes() + b"\n")
    monkeypatch.setattr(registry, "_origin_dir", lambda origin: fake_dir)
    with pytest.raises(ContextError) as caught:
        DocumentLoader(cache_dir=tmp_path / "cache").load(V2)
    err = caught.value
    assert isinstance(err, LerkitError)
    assert err.code == "context_pin_mismatch"
    assert err.url == V2
    assert err.expected == pinned.sha256
    assert err.actual == hashlib.sha256((fake_dir / pinned.resource).read_bytes()).hexdigest()
    assert f"pinned to {pinned.sha256}" in str(err)


def test_a_missing_package_file_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "_origin_dir", lambda origin: tmp_path)
    with pytest.raises(ContextError) as caught:
        DocumentLoader(cache_dir=tmp_path / "cache").load(V2)
    assert caught.value.code == "context_missing"


# -- loading ---------------------------------------------------------------------------


def test_loaded_documents_are_private_copies(loader: DocumentLoader) -> None:
    first = loader.load(V2)
    first["@context"]["VerifiableCredential"] = "tampered"
    assert loader.load(V2)["@context"]["VerifiableCredential"] != "tampered"
    remote = loader(V2, {})
    assert remote["documentUrl"] == V2
    assert remote["contextUrl"] is None
    assert remote["document"] == loader.load(V2)


def test_the_loader_can_be_shared_between_threads(loader: DocumentLoader) -> None:
    urls = sorted(PINNED_CONTEXTS) * 8
    with ThreadPoolExecutor(max_workers=8) as pool:
        documents = list(pool.map(loader.load, urls))
    for url, document in zip(urls, documents, strict=True):
        assert document == loader.load(url)


def test_unknown_context_is_refused_without_network(
    loader: DocumentLoader, no_network: None
) -> None:
    with pytest.raises(UnknownContextError) as caught:
        loader.load(UNKNOWN)
    err = caught.value
    assert err.code == "unknown_context"
    assert err.url == UNKNOWN
    assert UNKNOWN in str(err)
    assert "network retrieval is off" in str(err)


def test_unknown_context_during_canonicalization_keeps_its_code(
    loader: DocumentLoader, no_network: None
) -> None:
    document = {"@context": [V2, UNKNOWN], "type": "VerifiableCredential"}
    with pytest.raises(UnknownContextError) as caught:
        canonicalize_rdfc(document, loader)
    assert caught.value.code == "unknown_context"
    assert caught.value.url == UNKNOWN


def test_pyld_global_resolver_cache_cannot_change_what_lerkit_serves(
    standards: Path, loader: DocumentLoader
) -> None:
    # openbadgeslib tags its documents "static", which pyld then keeps in a process-wide
    # cache keyed by URL. lerkit resolves through its own cache, so such an entry (here:
    # an empty context for the OB 3.0.0 URL) cannot change lerkit's result.
    def impostor(url: str, options: dict[str, Any]) -> dict[str, Any]:
        document = {"@context": {}} if url == OB300 else loader.load(url)
        return {"contextUrl": None, "documentUrl": url, "document": document, "tag": "static"}

    credential = {
        "@context": ["https://www.w3.org/2018/credentials/v1", OB300],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
    }
    expected = canonicalize_rdfc(credential, loader)
    plain = {"algorithm": "URDNA2015", "format": "application/n-quads"}
    try:
        jsonld.normalize(credential, {**plain, "documentLoader": impostor})
        # pyld on its own now uses the impostor's definitions, even with lerkit's loader...
        assert jsonld.normalize(credential, {**plain, "documentLoader": loader}) != expected
        # ...but lerkit's canonicalization does not, with a DocumentLoader or a plain callable.
        assert canonicalize_rdfc(credential, DocumentLoader(cache_dir=loader.cache_dir)) == expected
        assert canonicalize_rdfc(credential, lambda url, options: loader(url, options)) == expected
    finally:
        jsonld._resolved_context_cache.clear()


# -- the user cache --------------------------------------------------------------------


def _context_file(tmp_path: Path, name: str = "ctx.jsonld", term: str = "shoeSize") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"@context": {term: f"https://vocab.example.org/#{term}"}}))
    return path


def test_add_context_round_trip(tmp_path: Path, no_network: None) -> None:
    cache = tmp_path / "cache"
    source = _context_file(tmp_path)
    entry = DocumentLoader(cache_dir=cache).add_context(UNKNOWN, source)
    assert entry.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert entry.path.read_bytes() == source.read_bytes()
    index = json.loads((cache / "index.json").read_text())
    assert index["contexts"][UNKNOWN] == {"file": entry.path.name, "sha256": entry.sha256}

    fresh = DocumentLoader(cache_dir=cache)
    assert fresh.load(UNKNOWN) == json.loads(source.read_text())
    assert fresh.cached_contexts()[UNKNOWN] == entry
    assert fresh.served[UNKNOWN] == entry.sha256
    document = {"@context": UNKNOWN, "@id": "urn:ex:1", "shoeSize": "42"}
    assert canonicalize_rdfc(document, fresh) == (
        '<urn:ex:1> <https://vocab.example.org/#shoeSize> "42" .\n'
    )


def test_the_cache_folder_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV_VAR, str(tmp_path / "env-cache"))
    assert default_cache_dir() == tmp_path / "env-cache"
    DocumentLoader().add_context(UNKNOWN, _context_file(tmp_path))
    assert (tmp_path / "env-cache" / "index.json").is_file()
    monkeypatch.delenv(CACHE_ENV_VAR)
    assert default_cache_dir() == Path.home() / ".cache" / "lerkit" / "contexts"
    assert DocumentLoader(cache_dir=tmp_path / "arg").cache_dir == tmp_path / "arg"


def test_a_tampered_cache_file_raises_the_pin_error(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    entry = DocumentLoader(cache_dir=cache).add_context(UNKNOWN, _context_file(tmp_path))
    entry.path.write_text(json.dumps({"@context": {"shoeSize": "https://evil.example/#x"}}))
    with pytest.raises(ContextError) as caught:
        DocumentLoader(cache_dir=cache).load(UNKNOWN)
    assert caught.value.code == "context_pin_mismatch"
    assert caught.value.expected == entry.sha256
    assert caught.value.path == str(entry.path)


def test_a_deleted_cache_file_is_reported(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    entry = DocumentLoader(cache_dir=cache).add_context(UNKNOWN, _context_file(tmp_path))
    entry.path.unlink()
    with pytest.raises(ContextError) as caught:
        DocumentLoader(cache_dir=cache).load(UNKNOWN)
    assert caught.value.code == "context_missing"


def test_a_malformed_cache_index_is_reported(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "index.json").write_text('{"format": "something else"}')
    with pytest.raises(ContextError) as caught:
        DocumentLoader(cache_dir=cache).load(UNKNOWN)
    assert caught.value.code == "context_cache_error"
    (cache / "index.json").write_text(
        json.dumps(
            {
                "format": "lerkit-context-cache/1",
                "contexts": {UNKNOWN: {"file": "../x", "sha256": "0"}},
            }
        )
    )
    with pytest.raises(ContextError, match="outside the cache"):
        DocumentLoader(cache_dir=cache).load(UNKNOWN)


@pytest.mark.parametrize(
    ("url", "content", "code", "message"),
    [
        (V2, '{"@context": {}}', "context_pinned", "pinned by lerkit"),
        ("ftp://example.org/ctx", '{"@context": {}}', "invalid_context", r"absolute http\(s\) URL"),
        (UNKNOWN, "[1, 2]", "invalid_context", "must be a JSON object"),
        (UNKNOWN, '{"name": "x"}', "invalid_context", "must have an '@context' member"),
        (UNKNOWN, '{"@context": {"a": 1, "a": 2}}', "invalid_context", "duplicate member"),
        (UNKNOWN, "{not json", "invalid_context", "not a valid JSON-LD context"),
        (UNKNOWN, '{"@context": {"@foo": "https://x.example/"}}', "invalid_context", "reserved"),
    ],
)
def test_add_context_refuses_bad_input(
    tmp_path: Path, url: str, content: str, code: str, message: str
) -> None:
    source = tmp_path / "bad.jsonld"
    source.write_text(content)
    loader = DocumentLoader(cache_dir=tmp_path / "cache")
    with pytest.raises(ContextError, match=message) as caught:
        loader.add_context(url, source)
    assert caught.value.code == code
    assert not (tmp_path / "cache" / "index.json").exists()


def test_add_context_replaces_what_an_earlier_call_resolved(tmp_path: Path) -> None:
    loader = DocumentLoader(cache_dir=tmp_path / "cache")
    document = {"@context": UNKNOWN, "@id": "urn:ex:1", "shoeSize": "42"}
    loader.add_context(UNKNOWN, _context_file(tmp_path, "a.jsonld"))
    assert "#shoeSize" in canonicalize_rdfc(document, loader)
    replacement = tmp_path / "b.jsonld"
    replacement.write_text(json.dumps({"@context": {"shoeSize": "https://other.example/#size"}}))
    loader.add_context(UNKNOWN, replacement)
    assert "https://other.example/#size" in canonicalize_rdfc(document, loader)


# -- network: only allowlisted https, only through the fetch callable ------------------


class FakeFetch:
    def __init__(self, body: bytes) -> None:
        self.body = body
        self.calls: list[tuple[str, float, int]] = []

    def __call__(self, url: str, timeout: float, max_bytes: int) -> bytes:
        self.calls.append((url, timeout, max_bytes))
        return self.body


CONTEXT_BODY = json.dumps(
    {"@context": {"shoeSize": "https://vocab.example.org/#shoeSize"}}
).encode()


def test_allowlisted_https_context_is_fetched_once(tmp_path: Path, no_network: None) -> None:
    fetch = FakeFetch(CONTEXT_BODY)
    loader = DocumentLoader(
        cache_dir=tmp_path,
        allow_network=True,
        allowlist=["Contexts.Example.org"],
        fetch=fetch,
        timeout=3.0,
        max_bytes=10_000,
    )
    assert loader.load(UNKNOWN) == json.loads(CONTEXT_BODY)
    assert loader.load(UNKNOWN) == json.loads(CONTEXT_BODY)
    assert fetch.calls == [(UNKNOWN, 3.0, 10_000)]
    assert loader.served[UNKNOWN] == hashlib.sha256(CONTEXT_BODY).hexdigest()
    assert not (tmp_path / "index.json").exists()  # fetched contexts are not persisted


@pytest.mark.parametrize(
    ("url", "allow", "reason"),
    [
        ("https://other.example.org/ctx", True, "not in the allowlist"),
        ("http://contexts.example.org/ctx", True, "only https URLs"),
        (UNKNOWN, False, "network retrieval is off"),
    ],
)
def test_other_urls_are_refused_before_fetching(
    tmp_path: Path, url: str, allow: bool, reason: str, no_network: None
) -> None:
    fetch = FakeFetch(CONTEXT_BODY)
    loader = DocumentLoader(
        cache_dir=tmp_path, allow_network=allow, allowlist={"contexts.example.org"}, fetch=fetch
    )
    with pytest.raises(UnknownContextError, match=reason) as caught:
        loader.load(url)
    assert caught.value.code == "unknown_context"
    assert reason in caught.value.reason
    assert fetch.calls == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"x" * 101, "context_fetch_failed"),
        (b"<html>not json</html>", "invalid_context"),
    ],
)
def test_bad_fetched_contexts_are_refused(tmp_path: Path, body: bytes, code: str) -> None:
    loader = DocumentLoader(
        cache_dir=tmp_path,
        allow_network=True,
        allowlist={"contexts.example.org"},
        fetch=FakeFetch(body),
        max_bytes=100,
    )
    with pytest.raises(ContextError) as caught:
        loader.load(UNKNOWN)
    assert caught.value.code == code


def test_a_failing_fetch_is_wrapped(tmp_path: Path) -> None:
    def broken(url: str, timeout: float, max_bytes: int) -> bytes:
        raise OSError("connection reset")

    loader = DocumentLoader(
        cache_dir=tmp_path, allow_network=True, allowlist={"contexts.example.org"}, fetch=broken
    )
    with pytest.raises(ContextError, match="connection reset") as caught:
        loader.load(UNKNOWN)
    assert caught.value.code == "context_fetch_failed"
    assert isinstance(caught.value.__cause__, OSError)


def test_the_default_fetch_follows_redirects_only_to_allowlisted_https() -> None:
    handler = _NoUnsafeRedirects(frozenset({"w3id.org", "w3c.github.io"}))
    request = urllib.request.Request("https://w3id.org/security/v9")
    body = io.BytesIO(b"")
    allowed = handler.redirect_request(
        request, body, 302, "Found", {}, "https://w3c.github.io/ctx.jsonld"
    )
    assert allowed is not None
    assert allowed.full_url == "https://w3c.github.io/ctx.jsonld"
    for target in ("http://w3c.github.io/ctx.jsonld", "https://evil.example/ctx.jsonld"):
        with pytest.raises(urllib.error.HTTPError, match="not allowed"):
            handler.redirect_request(request, body, 302, "Found", {}, target)


def test_allowlist_must_not_be_a_single_string() -> None:
    with pytest.raises(TypeError):
        DocumentLoader(allowlist="w3id.org")


@pytest.fixture(autouse=True)
def _no_default_cache_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests never touch the real ~/.cache: the default folder points into tmp_path.
    monkeypatch.setenv(CACHE_ENV_VAR, str(tmp_path / "default-cache"))
