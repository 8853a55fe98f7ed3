"""Canonicalization: RDFC-1.0 (through pyld) and JCS (RFC 8785).

pyld's ``URDNA2015`` class is used unchanged for the algorithm itself. The thin subclass
here only adds what RDFC-1.0 asks of an implementation and pyld 3.3 lacks: a work limit on
the Hash N-Degree Quads step (so a "poison" graph fails fast instead of running for
minutes), a choice of hash function, and access to the issued identifiers map.

pyld still serializes literals the URDNA2015 way, which differs from RDFC-1.0 for control
characters other than tab, newline and carriage return (see tests/test_rdf_canon.py).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import rfc8785
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver

from lerkit.contexts import ContextError, DocumentLoader, default_loader
from lerkit.contexts._validate import keyword_like_terms
from lerkit.proofs._errors import CanonicalizationError

__all__ = [
    "DEFAULT_MAX_WORK",
    "CanonicalNQuads",
    "HashName",
    "canonicalize_jcs",
    "canonicalize_nquads",
    "canonicalize_rdfc",
]

#: Default limit on Hash N-Degree Quads calls per canonicalization. The most demanding
#: non-poison case in the W3C RDFC-1.0 suite needs 468, and n identical blank nodes in a
#: credential need about 2n; the suite's 10-node clique (poison) test runs past 200,000.
DEFAULT_MAX_WORK = 2000

#: Hash functions RDFC-1.0 may be run with.
HashName = Literal["sha256", "sha384"]

#: A pyld document loader: ``(url, options) -> RemoteDocument``.
PyldLoader = Callable[[str, dict[str, Any]], dict[str, Any]]

# Same pattern as pyld's _is_absolute_iri; blank node labels ("_:b0") count as absolute.
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")


class _WorkLimitExceededError(Exception):
    pass


class _URDNA2015(URDNA2015):  # type: ignore[misc]  # pyld is untyped
    """pyld's URDNA2015 with a work limit and a selectable hash."""

    def __init__(self, hash_name: HashName, max_work: int) -> None:
        super().__init__()
        self._hash_name = hash_name
        self._max_work = max_work
        self.work = 0

    def create_hash(self) -> Any:
        return hashlib.new(self._hash_name)

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        self.work += 1
        if self.work > self._max_work:
            raise _WorkLimitExceededError
        return super().hash_n_degree_quads(id_, issuer)


def _run_urdna2015(
    dataset: Any, hash_name: HashName, max_work: int
) -> tuple[str, dict[str, str], int]:
    algorithm = _URDNA2015(hash_name, max_work)
    try:
        text = algorithm.main(dataset, {"format": "application/n-quads"})
    except _WorkLimitExceededError:
        raise CanonicalizationError(
            f"RDFC-1.0 work limit exceeded: more than {max_work} Hash N-Degree Quads calls "
            "(a graph of many indistinguishable blank nodes, possibly a poison graph)",
            code="canonicalization_limit",
        ) from None
    issued = {
        old.removeprefix("_:"): new.removeprefix("_:")
        for old, new in algorithm.canonical_issuer.existing.items()
    }
    return text, issued, algorithm.work


@dataclass(frozen=True, slots=True)
class CanonicalNQuads:
    """The result of canonicalizing an RDF dataset.

    Attributes
    ----------
    text : str
        Canonical N-Quads, one quad per line, each ending in ``\\n``.
    issued_identifiers : dict
        Input blank node label -> canonical label, without ``_:`` (``{"e0": "c14n0"}``).
    work : int
        Hash N-Degree Quads calls made (0 when every blank node is distinguishable).
    """

    text: str
    issued_identifiers: Mapping[str, str] = field(default_factory=dict)
    work: int = 0


def canonicalize_nquads(
    nquads: str, *, hash_algorithm: HashName = "sha256", max_work: int = DEFAULT_MAX_WORK
) -> CanonicalNQuads:
    """Canonicalize an N-Quads document with RDFC-1.0.

    Parameters
    ----------
    nquads : str
        The input dataset as N-Quads.
    hash_algorithm : {"sha256", "sha384"}
        The hash RDFC-1.0 uses internally (SHA-256 unless a suite says otherwise).
    max_work : int
        Limit on Hash N-Degree Quads calls.

    Returns
    -------
    CanonicalNQuads

    Raises
    ------
    CanonicalizationError
        ``canonicalization_failed`` when the N-Quads do not parse;
        ``canonicalization_limit`` when the work limit is exceeded.

    Examples
    --------
    >>> canonicalize_nquads('_:x <urn:ex:p> "v" .\\n').text
    '_:c14n0 <urn:ex:p> "v" .\\n'
    """
    try:
        dataset = jsonld.JsonLdProcessor.parse_nquads(nquads)
    except jsonld.JsonLdError as err:
        raise CanonicalizationError(f"cannot parse N-Quads: {err}") from err
    text, issued, work = _run_urdna2015(dataset, hash_algorithm, max_work)
    return CanonicalNQuads(text, issued, work)


def _is_absolute(iri: object) -> bool:
    # pyld's own test (jsonld._is_absolute_iri), so "absolute" means what pyld keeps.
    return isinstance(iri, str) and _ABSOLUTE_IRI.match(iri) is not None


class _Processor(jsonld.JsonLdProcessor):  # type: ignore[misc]  # pyld is untyped
    """A pyld processor that, in safe mode, refuses to drop data silently."""

    def __init__(self, safe: bool) -> None:
        super().__init__(on_property_dropped=self._dropped if safe else jsonld.noop)
        self._safe = safe

    @staticmethod
    def _dropped(expanded: str | None) -> None:
        if expanded is None:
            what = "a property that its @context maps to null"
        else:
            what = f"property {expanded!r}, which is not defined by any @context,"
        raise CanonicalizationError(
            f"{what} would be dropped from what is signed (safe mode)",
            code="undefined_term",
        )

    def _graph_to_rdf(self, graph: Any, issuer: Any, options: Any) -> Any:
        if self._safe:
            for node_id, node in graph.items():
                if not _is_absolute(node_id):
                    raise CanonicalizationError(
                        f"node id {node_id!r} is a relative IRI; its statements would be "
                        "dropped from what is signed (safe mode)",
                        code="undefined_term",
                    )
                for prop, items in node.items():
                    if prop != "@type" and prop.startswith("@"):
                        continue
                    if prop != "@type" and not _is_absolute(prop):
                        raise CanonicalizationError(
                            f"property {prop!r} of {node_id!r} is not an absolute IRI (safe mode)",
                            code="undefined_term",
                        )
                    for item in items:
                        _check_object(item, prop, node_id)
        return super()._graph_to_rdf(graph, issuer, options)


def _check_object(item: Any, prop: str, node_id: str) -> None:
    if isinstance(item, str):  # an @type value
        if not _is_absolute(item):
            raise CanonicalizationError(
                f"type {item!r} of {node_id!r} is not defined by any @context (safe mode)",
                code="undefined_term",
            )
        return
    if not isinstance(item, dict):
        return
    # (pyld itself refuses value objects whose datatype is not an absolute IRI)
    if "@list" in item:
        for member in item["@list"]:
            _check_object(member, prop, node_id)
    elif "@id" in item and not _is_absolute(item["@id"]):
        raise CanonicalizationError(
            f"value of {prop!r} on {node_id!r} is the relative IRI {item['@id']!r} (safe mode)",
            code="undefined_term",
        )


def _inline_context_problems(value: Any, path: str = "$") -> list[str]:
    found: list[str] = []
    if isinstance(value, dict):
        for key, member in value.items():
            if key == "@context":
                found.extend(keyword_like_terms(member, f"{path}.@context"))
            found.extend(_inline_context_problems(member, f"{path}.{key}"))
    elif isinstance(value, list):
        for index, member in enumerate(value):
            found.extend(_inline_context_problems(member, f"{path}[{index}]"))
    return found


def _find_context_error(err: BaseException) -> ContextError | None:
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        if isinstance(current, ContextError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def canonicalize_rdfc(
    document: Mapping[str, Any],
    loader: DocumentLoader | PyldLoader | None = None,
    *,
    safe: bool = True,
    hash_algorithm: HashName = "sha256",
    max_work: int = DEFAULT_MAX_WORK,
) -> str:
    """Canonicalize a JSON-LD document with RDFC-1.0 (URDNA2015) into N-Quads.

    Parameters
    ----------
    document : Mapping
        A JSON-LD document (e.g. a credential without its proof). Not modified.
    loader : DocumentLoader or callable, optional
        Where contexts come from. Default: :func:`lerkit.contexts.default_loader`
        (offline). With a :class:`DocumentLoader`, processed contexts are reused across
        calls on that loader.
    safe : bool, default True
        Refuse data that JSON-LD would silently drop (undefined properties or types,
        relative IRIs), as Data Integrity implementations do: otherwise such data could be
        changed without breaking the signature.
    hash_algorithm : {"sha256", "sha384"}
        The hash RDFC-1.0 uses internally: SHA-256, except ``ecdsa-rdfc-2019`` with a
        P-384 key, which uses SHA-384 (as the W3C test vectors require).
    max_work : int
        RDFC-1.0 work limit (Hash N-Degree Quads calls).

    Returns
    -------
    str
        Canonical N-Quads (empty string for an empty dataset).

    Raises
    ------
    UnknownContextError, ContextError
        A context could not be served (re-raised as is, so its code is kept).
    CanonicalizationError
        ``canonicalization_failed``, ``undefined_term`` or ``canonicalization_limit``.

    Examples
    --------
    >>> doc = {"@context": {"name": "https://schema.org/name"}, "name": "Ada"}
    >>> canonicalize_rdfc(doc)
    '_:c14n0 <https://schema.org/name> "Ada" .\\n'
    """
    if not isinstance(document, Mapping):
        raise CanonicalizationError(
            f"a JSON-LD document must be a JSON object, not {type(document).__name__}"
        )
    problems = _inline_context_problems(document)
    if problems:
        raise CanonicalizationError(
            "inline @context uses reserved '@' names that JSON-LD would ignore: "
            + "; ".join(problems)
        )
    if loader is None:
        loader = default_loader()
    options: dict[str, Any]
    if isinstance(loader, DocumentLoader):
        options = loader.pyld_options()
    else:
        # A fresh resolver cache per call: never pyld's process-wide one, where another
        # library's loader may have left different definitions for the same URL.
        options = {"documentLoader": loader, "contextResolver": ContextResolver({}, loader)}
    # base None: relative IRIs stay relative (and are dropped, or refused in safe mode)
    # instead of pyld resolving them against its placeholder "http://example.org/base/".
    options.update(base=None, produceGeneralizedRdf=False, processingMode="json-ld-1.1")
    try:
        dataset = _Processor(safe).to_rdf(dict(document), options)
    except jsonld.JsonLdError as err:
        context_error = _find_context_error(err)
        if context_error is not None:
            # the loader's own error, unwrapped: pyld's wrappers add nothing to it
            raise context_error from None
        raise CanonicalizationError(f"JSON-LD processing failed: {_describe(err)}") from err
    text, _, _ = _run_urdna2015(dataset, hash_algorithm, max_work)
    return text


def _describe(err: BaseException) -> str:
    parts: list[str] = []
    current: BaseException | None = err
    while current is not None and len(parts) < 4:
        message = current.args[0] if current.args else type(current).__name__
        details = getattr(current, "details", None)
        code = getattr(current, "code", None)
        part = str(message).strip()
        if code:
            part += f" [{code}]"
        if isinstance(details, dict) and details.get("term"):
            part += f" (term {details['term']!r})"
        parts.append(part)
        current = current.__cause__
    return " <- ".join(parts)


def canonicalize_jcs(document: Any) -> str:
    """Canonicalize a JSON value with the JSON Canonicalization Scheme (RFC 8785).

    Raises
    ------
    CanonicalizationError
        For values JSON cannot represent (NaN, infinities, non-string keys, ...).

    Examples
    --------
    >>> canonicalize_jcs({"b": 1, "a": [True, None]})
    '{"a":[true,null],"b":1}'
    """
    try:
        return rfc8785.dumps(document).decode("utf-8")
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as err:
        raise CanonicalizationError(f"cannot canonicalize with JCS: {err}") from err
