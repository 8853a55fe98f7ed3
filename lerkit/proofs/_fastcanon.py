"""Speed-ups for RDFC-1.0 canonicalization through pyld, with pyld's exact results.

Three things, each an exact stand-in for work pyld would repeat (tests/test_canon_cache.py
compares the output with plain pyld, byte for byte):

* :class:`ContextMemo`: processed active contexts (and term expansions) reused across
  documents. pyld re-processes every type-scoped context at every node that has the
  type: the active context it applies it to is a fresh copy each time (a clone carrying
  ``previousContext``, with a new ``_uuid``), so pyld's own cache of processed contexts,
  keyed by that ``_uuid``, never hits; and each time it also re-serializes the scoped
  context with JCS to look it up.
* :func:`fast_copy`: the copy of the input that pyld's ``expand`` makes, for JSON data.
* :func:`canonical_nquads_simple`: pyld's ``_graph_to_rdf`` followed by URDNA2015 (RDFC-1.0)
  for the common case in which every blank node has a distinct first-degree hash; any
  other dataset is left to pyld's own algorithm (with the work limit).
"""

from __future__ import annotations

import hashlib
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from frozendict import frozendict
from pyld import jsonld
from pyld.nquads import escape

__all__ = [
    "ContextMemo",
    "canonical_nquads_simple",
    "fast_copy",
    "graph_quads",
    "memo_for",
]

# -- memo of JSON-LD context processing ------------------------------------------------


class _UnkeyableError(Exception):
    pass


def _content_key(value: Any) -> Any:
    """A hashable key, equal for two values exactly when they are the same JSON.

    Types are kept apart (``1``, ``1.0``, ``True`` and ``"1"`` differ) and so is member
    order; anything that is not plain JSON (tuples, frozendicts, non-string keys, ...)
    raises :class:`_UnkeyableError`, and is then processed without the memo.
    """
    kind = type(value)
    if kind is str:
        return value
    if kind is dict:
        items: list[Any] = ["{"]
        for name, member in value.items():
            if type(name) is not str:
                raise _UnkeyableError
            items.append(name)
            items.append(_content_key(member))
        return tuple(items)
    if kind is list:
        return ("[", *(_content_key(member) for member in value))
    if value is None or value is True or value is False:
        return (value,)
    if kind is int or kind is float:
        return (kind.__name__, repr(value))
    raise _UnkeyableError


#: Processed contexts kept per memo (least recently used first out).
MEMO_SIZE = 1024
#: Term expansions (and value plans) kept per memo before they are all forgotten.
_TERMS = 16384

#: Marks a local context keyed by identity (see ContextMemo).
_BY_ID = object()


class ContextMemo:
    """Processed active contexts and term expansions, reused across documents.

    ``_process_context(active, local, flags)`` is a pure function of the active context,
    the local context's content, the flags, the options (``base``, ``processingMode``)
    and what the loader serves for the URLs involved. One memo is only ever used with one
    loader, one loader generation and one thread (see :func:`memo_for`), where a context
    URL always stands for the same pinned content.

    * Active contexts are pyld's frozen (``frozendict``) contexts: pyld never changes
      one after creating it, so identity stands for content. Every entry holds the
      objects whose ``id`` is part of its key, so an ``id`` cannot be reused while an
      entry names it, and a hit is checked with ``is``.
    * Local contexts are keyed by content (:func:`_content_key`), except the scoped
      contexts found in the term definitions of a memoized result, which are keyed by
      identity: those objects belong to pyld (parts of loader documents, or of its own
      deep copy of the input) and are never changed.
    * ``_expand_iri(active, value, vocab=True)`` outside context processing is a pure
      function of the active context, the value and ``base``: kept in :attr:`terms`,
      keyed by the context's identity (each entry holding the context).
    * What ``_expand_value`` reads from the context for a property (its IRI, type
      coercion, language, direction) likewise: kept in :attr:`values`.

    Every map is bounded; forgetting an entry only costs time.
    """

    def __init__(self, maxsize: int = MEMO_SIZE) -> None:
        self._entries: OrderedDict[Any, tuple[Any, Any, Any]] = OrderedDict()
        self._stable: dict[int, Any] = {}
        self.terms: dict[tuple[int, str, Any], tuple[Any, Any]] = {}
        self.values: dict[tuple[int, str], tuple[Any, ...]] = {}
        self._maxsize = maxsize
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    # contexts

    def key(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Mapping[str, Any],
        flags: tuple[bool, bool, bool],
    ) -> Any:
        """The memo key, or None when the local context cannot be keyed."""
        if type(local_ctx) in (dict, list) and self._stable.get(id(local_ctx)) is local_ctx:
            local_key: Any = (_BY_ID, id(local_ctx))
        else:
            try:
                local_key = _content_key(local_ctx)
            except _UnkeyableError:
                return None
        return (
            id(active_ctx),
            local_key,
            flags,
            options.get("base"),
            options.get("processingMode"),
        )

    def get(self, key: Any, active_ctx: Any, local_ctx: Any) -> Any:
        """The memoized result for ``key``, or None."""
        entry = self._entries.get(key)
        if (
            entry is None
            or entry[0] is not active_ctx
            or (type(key[1]) is tuple and key[1][0] is _BY_ID and entry[1] is not local_ctx)
        ):
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[2]

    def put(self, key: Any, active_ctx: Any, local_ctx: Any, result: Any) -> None:
        """Remember a processed context (only a frozen one: pyld returns a mutable copy
        for an empty local context, and that one is not shared)."""
        if type(result) is not frozendict:
            return
        self._entries[key] = (active_ctx, local_ctx, result)
        self._entries.move_to_end(key)
        while len(self._entries) > self._maxsize:
            self._entries.popitem(last=False)
        stable = self._stable
        if len(stable) > 8 * self._maxsize:
            stable.clear()  # identities only save time: content keys still work
        for mapping in result["mappings"].values():
            if mapping is not None and "@context" in mapping:
                scoped = mapping["@context"]
                if type(scoped) in (dict, list):
                    stable.setdefault(id(scoped), scoped)

    # term expansion

    def put_term(self, active_ctx: Any, value: str, base: Any, expanded: Any) -> None:
        """Remember a term expansion (holding the context, so its ``id`` stays unique)."""
        terms = self.terms
        if len(terms) >= _TERMS:
            terms.clear()
        terms[(id(active_ctx), value, base)] = (active_ctx, expanded)

    def put_value_plan(self, key: tuple[int, str], plan: tuple[Any, ...]) -> None:
        """Remember how string values of a property expand in a context (``plan[0]``)."""
        if len(self.values) >= _TERMS:
            self.values.clear()
        self.values[key] = plan


_memos: weakref.WeakKeyDictionary[Any, ContextMemo] = weakref.WeakKeyDictionary()
_memos_lock = threading.Lock()


def memo_for(options: Mapping[str, Any], shareable: bool) -> ContextMemo:
    """The memo to use with these pyld options.

    With ``shareable`` (a :class:`lerkit.contexts.DocumentLoader`), the memo lives as long
    as, and beside, the loader's resolved-context cache that
    :meth:`~lerkit.contexts.DocumentLoader.pyld_options` hands pyld: one per loader, per
    thread and per loader generation (``add_context`` starts a new one), which is the
    scope in which the loader serves one pinned content per URL. Otherwise (any other
    loader callable) the memo serves this call only.
    """
    shared = getattr(options.get("contextResolver"), "shared_cache", None)
    if not shareable or shared is None or isinstance(shared, dict):
        return ContextMemo()
    with _memos_lock:
        memo = _memos.get(shared)
        if memo is None:
            memo = _memos[shared] = ContextMemo()
        return memo


# -- the copy of the input -------------------------------------------------------------


def fast_copy(value: Any, deepcopy: Callable[[Any], Any]) -> Any:
    """A deep copy of JSON data (dicts, lists, strings, numbers, booleans, None).

    Anything else is copied with ``deepcopy`` (so what pyld would copy is copied the same
    way). Unlike ``copy.deepcopy``, an object reached twice is copied twice: JSON has no
    shared references, and pyld's expansion only reads the copy.
    """
    kind = type(value)
    if kind is dict:
        return {key: fast_copy(member, deepcopy) for key, member in value.items()}
    if kind is list:
        return [fast_copy(member, deepcopy) for member in value]
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    return deepcopy(value)


# -- toRdf and URDNA2015 for the simple case -------------------------------------------

# pyld's own test for absolute IRIs (jsonld._is_absolute_iri), blank node labels included.
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")
_KEYWORDS = frozenset(jsonld.KEYWORDS)
_FIRST = "<" + jsonld.RDF_FIRST + ">"
_REST = "<" + jsonld.RDF_REST + ">"
_NIL = "<" + jsonld.RDF_NIL + ">"
_XSD_STRING = jsonld.XSD_STRING
_XSD_DOUBLE = jsonld.XSD_DOUBLE
_RDF_LANGSTRING = jsonld.RDF_LANGSTRING
_OBJECT_TYPES = (dict, frozendict)

#: A quad as N-Quads terms: subject, predicate, object, graph name (None: default graph).
#: Blank nodes are their labels (``_:b0``), IRIs ``<...>``, literals start with ``"``.
Quad = tuple[str, str, str, str | None]


class _FallbackError(Exception):
    """The dataset needs something the fast path does not do: let pyld do all of it."""


def _literal(value: Any, datatype: Any, language: Any) -> str:
    # pyld nquads.serialize_nquad for a literal object
    term: str = '"' + escape(value) + '"'
    if datatype == _RDF_LANGSTRING:
        if language:
            term += "@" + language
    elif datatype != _XSD_STRING:
        term += "^^<" + datatype + ">"
    return term


class _Converter:
    """pyld's ``_graph_to_rdf`` / ``_object_to_rdf`` / ``_list_to_rdf`` (JSON-LD 1.1, no
    generalized RDF, no ``rdfDirection``), producing N-Quads terms instead of dicts and
    without changing the node map."""

    def __init__(self, processor: Any, counter: int, options: Any) -> None:
        self._processor = processor
        self._counter = counter  # continues pyld's "_:b" issuer, without touching it
        self._options = options

    def _new_blank_node(self) -> str:
        label = "_:b" + str(self._counter)
        self._counter += 1
        return label

    def graph(self, graph: Mapping[str, Any], name: str | None, quads: list[Quad]) -> None:
        for id_, node in sorted(graph.items()):
            subject_ok = isinstance(id_, str) and _ABSOLUTE_IRI.match(id_) is not None
            subject = ""
            if subject_ok:
                subject = id_ if id_.startswith("_:") else "<" + id_ + ">"
            for prop, items in sorted(node.items()):
                if prop == "@type":
                    prop = jsonld.RDF_TYPE
                elif prop in _KEYWORDS:
                    continue
                if not items or not subject_ok or _ABSOLUTE_IRI.match(prop) is None:
                    continue
                if prop.startswith("_:"):
                    continue  # a blank node predicate: only in generalized RDF
                predicate = "<" + prop + ">"
                for item in items:
                    term = self.object(item, name, quads)
                    if term is not None:
                        quads.append((subject, predicate, term, name))

    def object(self, item: Any, name: str | None, quads: list[Quad]) -> str | None:
        if isinstance(item, _OBJECT_TYPES):
            if "@value" in item:
                value = item["@value"]
                datatype = item.get("@type")
                if type(value) is str and datatype != "@json" and datatype != _XSD_DOUBLE:
                    if "@language" in item:
                        return _literal(value, datatype or _RDF_LANGSTRING, item["@language"])
                    return _literal(value, datatype or _XSD_STRING, None)
                # booleans, numbers, @json, xsd:double: pyld's own conversion
                sink: list[Any] = []
                found = self._processor._object_to_rdf(item, None, sink, self._options)
                if sink or found is None or found.get("type") != "literal":
                    raise _FallbackError
                return _literal(found["value"], found["datatype"], found.get("language"))
            if "@list" in item:
                return self.list(item["@list"], name, quads)
            id_: str = item["@id"]
        else:
            id_ = item
        if id_.startswith("_:"):
            return id_
        if _ABSOLUTE_IRI.match(id_) is None:
            return None  # a relative IRI: pyld drops the statement
        return "<" + id_ + ">"

    def list(self, members: list[Any], name: str | None, quads: list[Quad]) -> str:
        # pyld pops the last member off the node map's list; the same, read-only
        last = members[-1] if members else None
        head = self._new_blank_node() if last else _NIL
        subject = head
        for member in members[:-1]:
            term = self.object(member, name, quads)
            following = self._new_blank_node()
            if term is None:
                raise _FallbackError  # pyld would emit a quad without an object
            quads.append((subject, _FIRST, term, name))
            quads.append((subject, _REST, following, name))
            subject = following
        if last:
            term = self.object(last, name, quads)
            if term is None:
                raise _FallbackError
            quads.append((subject, _FIRST, term, name))
            quads.append((subject, _REST, _NIL, name))
        return head


def graph_quads(
    processor: Any, graphs: list[tuple[str, Mapping[str, Any]]], counter: int, options: Any
) -> list[Quad] | None:
    """The quads pyld's ``to_rdf`` makes of these (sorted, absolute or default) graphs.

    ``counter`` is the next number of pyld's ``_:b`` issuer (for list nodes). Returns None
    when the fast path does not apply (then pyld converts the untouched node map).
    """
    if (
        options.get("produceGeneralizedRdf")
        or options.get("rdfDirection") is not None
        or options.get("processingMode") != "json-ld-1.1"
    ):
        return None
    converter = _Converter(processor, counter, options)
    quads: list[Quad] = []
    try:
        for graph_name, graph in graphs:
            if graph_name == "@default":
                name = None
            else:
                name = graph_name if graph_name.startswith("_:") else "<" + graph_name + ">"
            converter.graph(graph, name, quads)
    except _FallbackError:
        return None
    return quads


def _line(s: str, p: str, o: str, g: str | None) -> str:
    if g is None:
        return s + " " + p + " " + o + " .\n"
    return s + " " + p + " " + o + " " + g + " .\n"


def canonical_nquads_simple(quads: list[Quad], hash_name: str) -> str | None:
    """RDFC-1.0 (URDNA2015, as pyld runs it) when every blank node has a distinct
    first-degree hash; None otherwise (then the full algorithm must run).

    In that case the algorithm issues canonical labels in the order of the sorted
    first-degree hashes and never reaches Hash N-Degree Quads.
    """
    mentions: dict[str, list[Quad]] = {}
    for quad in quads:
        s, _, o, g = quad
        # one entry per occurrence, as pyld's blank node to quads map has
        if s.startswith("_:"):
            mentions.setdefault(s, []).append(quad)
        if o.startswith("_:"):
            mentions.setdefault(o, []).append(quad)
        if g is not None and g.startswith("_:"):
            mentions.setdefault(g, []).append(quad)
    if not mentions:
        lines = [_line(*quad) for quad in quads]
        lines.sort()
        return "".join(lines)

    by_hash: dict[str, str] = {}
    for label, found in mentions.items():
        lines = []
        for s, p, o, g in found:
            if s.startswith("_:"):
                s = "_:a" if s == label else "_:z"
            if o.startswith("_:"):
                o = "_:a" if o == label else "_:z"
            if g is not None and g.startswith("_:"):
                g = "_:a" if g == label else "_:z"
            lines.append(_line(s, p, o, g))
        lines.sort()
        digest = hashlib.new(hash_name, "".join(lines).encode("utf-8")).hexdigest()
        if digest in by_hash:
            return None
        by_hash[digest] = label

    canonical = {
        by_hash[digest]: f"_:c14n{number}" for number, digest in enumerate(sorted(by_hash))
    }
    out = []
    for s, p, o, g in quads:
        if s.startswith("_:"):
            s = canonical[s]
        if o.startswith("_:"):
            o = canonical[o]
        if g is not None and g.startswith("_:"):
            g = canonical[g]
        out.append(_line(s, p, o, g))
    out.sort()
    return "".join(out)
