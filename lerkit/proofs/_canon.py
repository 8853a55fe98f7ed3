"""Canonicalization: RDFC-1.0 (through pyld) and JCS (RFC 8785).

pyld's ``URDNA2015`` class is used unchanged for the algorithm itself. The thin subclass
here only adds what RDFC-1.0 asks of an implementation and pyld 3.3 lacks: a work limit on
the Hash N-Degree Quads step (so a "poison" graph fails fast instead of running for
minutes), a choice of hash function, and access to the issued identifiers map.

:func:`canonicalize_rdfc` gives exactly pyld's output, faster (:mod:`._fastcanon`): it
reuses processed contexts across documents, and when every blank node has a distinct
first-degree hash (the usual credential) it finishes toRdf and URDNA2015 itself, in which
case the algorithm never reaches Hash N-Degree Quads; otherwise pyld's algorithm runs.
tests/test_canon_cache.py compares the two with plain pyld, byte for byte.

pyld still serializes literals the URDNA2015 way, which differs from RDFC-1.0 for control
characters other than tab, newline and carriage return (see tests/test_rdf_canon.py).
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import rfc8785
from frozendict import frozendict
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver

from lerkit.contexts import ContextError, DocumentLoader, default_loader
from lerkit.contexts._validate import keyword_like_terms
from lerkit.proofs._errors import CanonicalizationError
from lerkit.proofs._fastcanon import (
    ContextMemo,
    canonical_nquads_simple,
    fast_copy,
    graph_quads,
    memo_for,
)

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

_KEYWORDS = frozenset(jsonld.KEYWORDS)

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

    def modify_first_degree_component(self, id_: str, component: Any, key: str) -> Any:
        # pyld deep-copies the component; it is a flat dict of strings, so a shallow copy
        # is the same copy, faster
        if component["type"] != "blank node":
            return component
        copied = dict(component)
        copied["value"] = "_:a" if component["value"] == id_ else "_:z"
        return copied

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
    """A pyld processor that, in safe mode, refuses to drop data silently.

    It also reuses processed contexts, term expansions and value coercions through a
    :class:`~lerkit.proofs._fastcanon.ContextMemo` (exact: see that class), copies the
    input faster, and :meth:`canonicalize` converts the node map to canonical N-Quads
    itself when no blank node needs Hash N-Degree Quads. Expansion and the node map are
    pyld's.
    """

    def __init__(self, safe: bool, memo: ContextMemo | None = None) -> None:
        super().__init__(on_property_dropped=self._dropped if safe else jsonld.noop)
        self._safe = safe
        self._memo = memo

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
            _check_graph(graph)
        return super()._graph_to_rdf(graph, issuer, options)

    # -- memoized context processing -------------------------------------------------------

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        memo = self._memo
        # Only top-level calls on a frozen (never changed) active context: pyld's nested
        # calls (cycles given) validate scoped contexts against a context being built.
        if memo is not None and cycles is None and type(active_ctx) is frozendict:
            flags = (override_protected, propagate, validate_scoped)
            key = memo.key(active_ctx, local_ctx, options, flags)
            if key is not None:
                found = memo.get(key, active_ctx, local_ctx)
                if found is not None:
                    return found
                result = super()._process_context(
                    active_ctx, local_ctx, options, override_protected, propagate, validate_scoped
                )
                memo.put(key, active_ctx, local_ctx, result)
                return result
        return super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
        )

    def _expand_iri(
        self,
        active_ctx: Any,
        value: Any,
        base: Any = None,
        vocab: bool = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        memo = self._memo
        # Outside context processing (no local context), a term's expansion depends only
        # on the (frozen) active context, the value and base.
        if (
            vocab
            and local_ctx is None
            and memo is not None
            and type(active_ctx) is frozendict
            and type(value) is str
        ):
            known = memo.terms.get((id(active_ctx), value, base))
            if known is not None and known[0] is active_ctx:
                return known[1]
            result = super()._expand_iri(active_ctx, value, base, vocab)
            memo.put_term(active_ctx, value, base, result)
            return result
        return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)

    def _expand_value(self, active_ctx: Any, active_property: Any, value: Any, options: Any) -> Any:
        memo = self._memo
        if (
            type(value) is not str
            or memo is None
            or type(active_ctx) is not frozendict
            or type(active_property) is not str
        ):
            return super()._expand_value(active_ctx, active_property, value, options)
        # A string: pyld's rules, with what they read from the context looked up once per
        # (frozen) context and property.
        key = (id(active_ctx), active_property)
        plan = memo.values.get(key)
        if plan is None or plan[0] is not active_ctx:
            expanded = self._expand_iri(active_ctx, active_property, vocab=True)
            get = jsonld.JsonLdProcessor.get_context_value
            type_ = get(active_ctx, active_property, "@type")
            plain = not (expanded in ("@id", "@type", "@graph") or type_ in ("@id", "@vocab"))
            plan = (
                active_ctx,
                plain,
                expanded in _KEYWORDS,
                type_ if type_ not in (None, "@id", "@vocab", "@none") else None,
                get(active_ctx, active_property, "@language"),
                get(active_ctx, active_property, "@direction"),
            )
            memo.put_value_plan(key, plan)
        _, plain, keyword, datatype, language, direction = plan
        if not plain:  # an IRI to expand against the base or the vocabulary
            return super()._expand_value(active_ctx, active_property, value, options)
        if keyword:
            return value
        rval: dict[str, Any] = {}
        if datatype is not None:
            rval["@type"] = datatype
        else:
            if language is not None:
                rval["@language"] = language
            if direction is not None:
                rval["@direction"] = direction
        rval["@value"] = value
        return rval

    # -- toRdf, then RDFC-1.0 ----------------------------------------------------------------

    def canonicalize(
        self, input_: dict[str, Any], options: dict[str, Any], hash_name: HashName, max_work: int
    ) -> str:
        """pyld's ``to_rdf`` followed by URDNA2015, with the simple case done faster.

        Raises pyld's errors as ``to_rdf`` does (JsonLdError), and CanonicalizationError.
        """
        # pyld's to_rdf, step by step (same defaults, same error wrapping)
        options = options.copy()
        options.setdefault("base", "")
        options.setdefault("produceGeneralizedRdf", False)
        options.setdefault("documentLoader", jsonld._default_document_loader)
        options.setdefault(
            "contextResolver",
            ContextResolver(jsonld._resolved_context_cache, options["documentLoader"]),
        )
        options.setdefault("extractAllScripts", True)
        options.setdefault("processingMode", "json-ld-1.1")
        options.setdefault("identifierIssuer", jsonld.IdentifierIssuer("_:b"))
        try:
            expanded = self.expand(_PreCopied(input_), options)
        except jsonld.JsonLdError as cause:
            raise jsonld.JsonLdError(
                "Could not expand input before serialization to RDF.", "jsonld.RdfError"
            ) from cause
        issuer = options["identifierIssuer"]
        node_map: dict[str, Any] = {"@default": {}}
        self._create_node_map(expanded, node_map, "@default", issuer)
        graphs = [
            (name, graph)
            for name, graph in sorted(node_map.items())
            if name == "@default" or _is_absolute(name)
        ]
        if self._safe:
            for _, graph in graphs:
                _check_graph(graph)
        quads = graph_quads(self, graphs, issuer.counter, options)
        if quads is not None:
            text = canonical_nquads_simple(quads, hash_name)
            if text is not None:
                return text
        # blank nodes that first-degree hashes do not tell apart: pyld's full algorithm
        dataset = {
            name: jsonld.JsonLdProcessor._graph_to_rdf(self, graph, issuer, options)
            for name, graph in graphs
        }
        return _run_urdna2015(dataset, hash_name, max_work)[0]


class _PreCopied(dict[str, Any]):
    """The input, handed to pyld's ``expand``, which deep-copies it first: this copies
    JSON data faster (``copy.deepcopy`` consults ``__deepcopy__``)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return {
            key: fast_copy(value, lambda other: copy.deepcopy(other, memo))
            for key, value in self.items()
        }


def _check_graph(graph: Mapping[str, Any]) -> None:
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


def _has_inline_context_problems(value: Any) -> bool:
    # _inline_context_problems(value) != [], without building paths for every member
    if isinstance(value, dict):
        if "@context" in value and keyword_like_terms(value["@context"]):
            return True
        members: Any = value.values()
    elif isinstance(value, list):
        members = value
    else:
        return False
    for member in members:
        if isinstance(member, dict | list) and _has_inline_context_problems(member):
            return True
    return False


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
    if _has_inline_context_problems(document):
        problems = _inline_context_problems(document)
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
    shareable = isinstance(loader, DocumentLoader)
    resolver = options["contextResolver"]
    options["contextResolver"] = _ImportGuard(resolver.shared_cache, resolver.document_loader)
    try:
        try:
            processor = _Processor(safe, memo_for(options, shareable))
            return processor.canonicalize(dict(document), options, hash_algorithm, max_work)
        except Exception as err:
            if not _caused_by_import(err):
                raise
        # A context with @import: pyld merges the importing context into the imported
        # one in place, changing the resolver's cached copy (and a memo would keep what
        # comes of it). Such a document is canonicalized on its own: a resolver cache for
        # this call only and no memo, as plain pyld would.
        options["contextResolver"] = ContextResolver({}, resolver.document_loader)
        return _Processor(safe).canonicalize(dict(document), options, hash_algorithm, max_work)
    except jsonld.JsonLdError as err:
        context_error = _find_context_error(err)
        if context_error is not None:
            # the loader's own error, unwrapped: pyld's wrappers add nothing to it
            raise context_error from None
        raise CanonicalizationError(f"JSON-LD processing failed: {_describe(err)}") from err


class _ImportFoundError(Exception):
    pass


class _ImportGuard(ContextResolver):  # type: ignore[misc]  # pyld is untyped
    """pyld's resolver, stopping at a context that uses ``@import`` before pyld acts on it."""

    def resolve(self, active_ctx: Any, context: Any, base: Any, cycles: Any = None) -> Any:
        resolved = super().resolve(active_ctx, context, base, cycles)
        for item in resolved:
            document = item.document
            if isinstance(document, Mapping) and isinstance(document.get("@context"), Mapping):
                document = document["@context"]  # as pyld's _process_context reads it
            if isinstance(document, Mapping) and "@import" in document:
                raise _ImportFoundError
        return resolved


def _caused_by_import(err: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        if isinstance(current, _ImportFoundError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


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
