"""The ``schema`` check: Open Badges 3.0 and CLR 2.0 JSON Schemas, shipped with lerkit.

The schema files are vendored (no installed package ships them) and pinned by SHA-256;
see ``schemas/SOURCES.md``.

Two validators hold each schema. ``jsonschema`` is the reference: it gives the error
messages, and its verdict is the check's. A ``fastjsonschema`` compilation of the same
schema answers the common case, a credential that conforms, about 20 times faster; it is
built so that it never accepts what ``jsonschema`` rejects (see :func:`_compile` and
:class:`_ArrayPlan`), and every document it does not accept is validated again by
``jsonschema``. So the fast path can
only save time, never change a verdict or a message; ``tests/test_schemas_fast.py``
compares the two on the official examples and on mutated documents.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

import fastjsonschema
import jsonschema

from lerkit.errors import VerificationError

__all__ = ["SCHEMAS", "SchemaResult", "check_schema"]


@dataclass(frozen=True, slots=True)
class _Schema:
    file: str
    sha256: str
    credential_type: str
    vc_version: str  # the VC data model the schema describes
    note: str = ""


SCHEMAS: Mapping[str, _Schema] = {
    s.credential_type: s
    for s in (
        _Schema(
            "ob_v3p0_achievementcredential.json",
            "5753fb3ecf7d024ed273dd364bd683f483eb47257e718e6618832cf89eb2083a",
            "AchievementCredential",
            "2.0",
        ),
        _Schema(
            "ob_v3p0_endorsementcredential.json",
            "4627e1878848d0192c3f9e26f09ef88a96ad48a46f5fca11b80b679ece0de345",
            "EndorsementCredential",
            "2.0",
        ),
        _Schema(
            "clr_v2p0_clrcredential_schema_draft4.json",
            "afaf415f32d639eb300c1207b99438b7261673e162aa940f497cbb283bd39e40",
            "ClrCredential",
            "1.1",
            note=" (a Draft-04 conversion; no official CLR 2.0 schema was available)",
        ),
    )
}
# OpenBadgeCredential is the OB 3.0 alias of AchievementCredential.
_ALIASES = {"OpenBadgeCredential": "AchievementCredential"}

# After this many nested wraps, _with_arrays gives up (so does the fast path).
_MAX_ROUNDS = 50


@dataclass(frozen=True, slots=True)
class SchemaResult:
    """Outcome of the schema check: status ``passed``, ``failed`` or ``skipped``."""

    status: Literal["passed", "failed", "skipped"]
    detail: str


@cache
def _validator(credential_type: str) -> Any:
    spec = SCHEMAS[credential_type]
    data = resources.files("lerkit.verify").joinpath("schemas", spec.file).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != spec.sha256:
        raise VerificationError(
            f"the shipped schema {spec.file} has SHA-256 {digest}, not the pinned "
            f"{spec.sha256}; the installation is damaged"
        )
    schema = json.loads(data)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _types(document: Mapping[str, Any]) -> list[str]:
    value = document.get("type")
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str)]


def _error_path(error: jsonschema.ValidationError) -> str:
    return "/" + "/".join(str(part) for part in error.absolute_path)


def _wants_array(error: jsonschema.ValidationError) -> bool:
    wanted = error.validator_value
    return (
        error.validator == "type"
        and (wanted == "array" or (isinstance(wanted, list) and "array" in wanted))
        and not isinstance(error.instance, list)
    )


def _with_arrays(
    validator: Any, document: Mapping[str, Any]
) -> tuple[Any, list[jsonschema.ValidationError]]:
    """Validate, reading a single value as a one-item array where the schema wants one.

    JSON-LD treats ``"proof": {...}`` and ``"proof": [{...}]`` alike, and the OB 3.0
    specification lets issuers write either; its generated schemas accept only arrays.
    1EdTech's validator wraps such values before validating, and so does lerkit.
    """
    current: Any = copy.deepcopy(dict(document))
    for _ in range(_MAX_ROUNDS):
        errors = sorted(validator.iter_errors(current), key=lambda e: list(e.absolute_path))
        fixable = [e for e in errors if _wants_array(e) and e.absolute_path]
        if not fixable:
            return current, errors
        for error in fixable:
            *parents, last = list(error.absolute_path)
            target = current
            for part in parents:
                target = target[part]
            if not isinstance(target[last], list):
                target[last] = [target[last]]
    return current, sorted(validator.iter_errors(current), key=lambda e: list(e.absolute_path))


# -- the fast path ------------------------------------------------------------------------
#
# fastjsonschema implements drafts 04, 06 and 07; for a 2019-09 schema it runs its
# draft-07 generator. lerkit compiles the OB 3.0 schemas as draft-07 explicitly, which
# is sound because they use only the keywords below, whose meaning 2019-09 did not change,
# and no $ref has sibling keywords (2019-09 applies them, draft-07 ignores them).
# tests/test_schemas_fast.py pins this list against the shipped schemas.

#: Keywords that validate an instance (and how _ArrayPlan treats them).
_DESCENDING = frozenset(
    {"$ref", "allOf", "properties", "additionalProperties", "items", "additionalItems"}
)
_LOCAL = frozenset({"type", "enum", "pattern", "format", "minItems", "required"})
# Keywords that validate through subschemas, but whose errors jsonschema reports as one
# error of their own: a value wrapped nowhere inside them.
_ENCLOSING = frozenset({"oneOf", "anyOf", "contains"})
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description"})
#: Every keyword the fast path understands; a schema with another one is never compiled.
FAST_KEYWORDS = _DESCENDING | _LOCAL | _ENCLOSING | _ANNOTATIONS
_DRAFT_07 = "http://json-schema.org/draft-07/schema#"
_DRAFT_04 = "http://json-schema.org/draft-04/schema#"
_DRAFT_2019_09 = "https://json-schema.org/draft/2019-09/schema#"


class _UnsupportedError(Exception):
    """The fast path cannot answer for this schema or document: use jsonschema."""


def _subschemas(schema: Any, *, keyword: str | None = None) -> Iterator[tuple[str, Any]]:
    """Every (keyword, schema object) under ``schema``, itself included."""
    yield (keyword or "", schema)
    if not isinstance(schema, dict):
        return
    for name, value in schema.items():
        if name in ("properties", "$defs"):
            for child in value.values():
                yield from _subschemas(child, keyword=name)
        elif name in ("items", "allOf", "oneOf", "anyOf") and isinstance(value, list):
            for child in value:
                yield from _subschemas(child, keyword=name)
        elif name in ("additionalProperties", "additionalItems", "items", "contains"):
            yield from _subschemas(value, keyword=name)


def schema_keywords(schema: Mapping[str, Any]) -> frozenset[str]:
    """The keywords used anywhere in ``schema`` (property names excluded)."""
    found: set[str] = set()
    for _, node in _subschemas(schema):
        if isinstance(node, dict):
            found.update(node)
    return frozenset(found)


def _format_names(schema: Mapping[str, Any]) -> set[str]:
    return {
        node["format"]
        for _, node in _subschemas(schema)
        if isinstance(node, dict) and isinstance(node.get("format"), str)
    }


_ITEM_NAME = re.compile(
    r"(\bvalidate\w*\(\w+, custom_formats, )\(name_prefix or \"data\"\) \+ \"[^\"]*\"\.format\(\*\*locals\(\)\)\)"
)


def _no_remote_refs(uri: str) -> Any:
    raise _UnsupportedError(f"the schema refers to {uri}; lerkit resolves only local references")


def _compile(schema: Mapping[str, Any], checker: Any) -> Callable[[Any], Any]:
    """A fastjsonschema validator that accepts exactly what ``jsonschema`` accepts.

    Three departures of fastjsonschema from jsonschema are undone:

    * ``format``: each format the schema names calls the same ``FormatChecker`` the
      jsonschema validator uses, so ``date-time`` (rfc3339-validator), ``date``, and
      formats jsonschema does not check agree;
    * ``type: array`` and the array keywords also accept tuples in fastjsonschema;
      jsonschema only lists. The generated code is rewritten to test for lists only;
    * ``pattern``: fastjsonschema turns ``$`` into ``\\Z`` (no newline before the end);
      the patterns are compiled again as written, to match with ``re.search`` as
      jsonschema does.
    """
    keywords = schema_keywords(schema)
    if not keywords <= FAST_KEYWORDS:
        raise _UnsupportedError(f"keywords {sorted(keywords - FAST_KEYWORDS)}")
    for _, node in _subschemas(schema):
        if not isinstance(node, dict) or "$ref" not in node:
            continue
        if not str(node["$ref"]).startswith("#"):
            raise _UnsupportedError(f"remote reference {node['$ref']}")
        if set(node) - _ANNOTATIONS - {"$ref"}:
            raise _UnsupportedError("a $ref with sibling keywords")
    draft = schema.get("$schema")
    if draft not in (_DRAFT_04, _DRAFT_07, _DRAFT_2019_09):
        raise _UnsupportedError(f"JSON Schema draft {draft!r}")
    # A copy: fastjsonschema rewrites each $ref in place, and the schema is jsonschema's.
    definition = copy.deepcopy(dict(schema))
    if draft == _DRAFT_2019_09:
        definition["$schema"] = _DRAFT_07

    def conforms(name: str) -> Callable[[Any], bool]:
        return lambda value: bool(checker.conforms(value, name))

    formats = {name: conforms(name) for name in sorted(_format_names(schema))}
    code = fastjsonschema.compile_to_code(
        definition,
        handlers={scheme: _no_remote_refs for scheme in ("http", "https", "file", "ftp")},
        formats=formats,
        use_default=False,
        detailed_exceptions=False,
    )
    code = code.replace("(list, tuple)", "(list,)")
    # The name of an array item, for error messages lerkit never shows, costs a
    # locals() call per item: pass the array's name instead.
    code = _ITEM_NAME.sub(r"\1name_prefix)", code)
    names = re.findall(r"^def (validate\w*)\(", code, flags=re.MULTILINE)
    if "tuple" in code or not names:
        raise _UnsupportedError("fastjsonschema generated code lerkit does not recognize")
    namespace: dict[str, Any] = {}
    # fastjsonschema.compile() execs the same generated code; lerkit execs it itself to
    # apply the rewrites above. The schema is lerkit's own, pinned by SHA-256.
    exec(compile(code, f"<fastjsonschema {schema.get('$id')}>", "exec"), namespace)  # noqa: S102
    namespace["REGEX_PATTERNS"] = {
        pattern: re.compile(pattern) for pattern in namespace["REGEX_PATTERNS"]
    }
    function = namespace[names[0]]

    def validate(document: Any) -> Any:
        return function(document, custom_formats=formats)

    return validate


@dataclass(eq=False, slots=True)
class _Node:
    """One subschema, as far as reading single values as arrays is concerned."""

    wrap_types: tuple[str, ...] | None = None  # its ``type``, when that includes array
    properties: dict[str, _Node] = field(default_factory=dict)
    additional: _Node | None = None
    items: _Node | None = None
    item_list: tuple[_Node, ...] | None = None
    additional_items: _Node | None = None
    objects: bool = False  # it validates objects' members (properties, additionalProperties)
    applied: list[_Node] = field(default_factory=list)  # allOf members and $ref targets
    flat: tuple[_Node, ...] = ()  # itself and everything applied, transitively


class _ArrayPlan:
    """Where :func:`_with_arrays` would wrap a single value, found without jsonschema.

    ``_with_arrays`` repeats jsonschema validation, wrapping each value that fails a
    ``type`` that includes ``array``, until no such error is left. jsonschema reports
    such an error where the schema reaches the value through ``properties``,
    ``additionalProperties``, ``items``, ``additionalItems``, ``allOf`` and ``$ref``
    (``oneOf``, ``anyOf`` and ``contains`` report one error of their own instead). The
    plan follows the document along those keywords and wraps the same values, in one
    pass. Where it cannot be sure of giving the same document it gives up, and the
    check falls back to ``_with_arrays``.
    """

    def __init__(self, schema: Mapping[str, Any], validator: Any) -> None:
        self._schema = schema
        self._is_type = validator.is_type
        self._nodes: dict[int, _Node] = {}
        self.root = self._node(schema)
        for node in list(self._nodes.values()):
            node.flat = self._flatten(node)

    def _resolve(self, ref: str) -> Any:
        target: Any = self._schema
        for part in ref.removeprefix("#").split("/")[1:]:
            target = target[part.replace("~1", "/").replace("~0", "~")]
        return target

    def _node(self, schema: Any) -> _Node:
        known = self._nodes.get(id(schema))
        if known is not None:
            return known
        node = _Node()
        self._nodes[id(schema)] = node
        if not isinstance(schema, dict):  # true or false: no member to wrap under it
            return node
        wanted = schema.get("type")
        types = tuple(wanted) if isinstance(wanted, list) else (wanted,)
        if "array" in types:
            node.wrap_types = tuple(t for t in types if t != "array")
        node.properties = {k: self._node(v) for k, v in schema.get("properties", {}).items()}
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            node.additional = self._node(extra)
        node.objects = "properties" in schema or node.additional is not None
        items = schema.get("items")
        if isinstance(items, list):
            node.item_list = tuple(self._node(item) for item in items)
            if isinstance(schema.get("additionalItems"), dict):
                node.additional_items = self._node(schema["additionalItems"])
        elif items is not None:
            node.items = self._node(items)
        node.applied = [self._node(part) for part in schema.get("allOf", [])]
        if "$ref" in schema:
            node.applied.append(self._node(self._resolve(schema["$ref"])))
        return node

    @staticmethod
    def _flatten(node: _Node) -> tuple[_Node, ...]:
        found: dict[int, _Node] = {}
        pending = [node]
        while pending:
            current = pending.pop()
            if id(current) not in found:
                found[id(current)] = current
                pending.extend(current.applied)
        return tuple(found.values())

    def normalize(self, document: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """The document ``_with_arrays`` would validate, and whether it differs."""
        seen: list[int] = []
        result = self._walk(document, self.root.flat, 0, seen, root=True)
        if result is document:
            return document, False
        if len(seen) != len(set(seen)):
            # A shared object: _with_arrays, on a deep copy, wraps once for all places.
            raise _UnsupportedError("the document shares an object between two places")
        return result, True

    def _wants_array(self, value: Any, nodes: tuple[_Node, ...]) -> bool:
        for node in nodes:
            others = node.wrap_types
            if others is not None and not any(self._is_type(value, t) for t in others):
                return True
        return False

    def _walk(
        self, value: Any, nodes: tuple[_Node, ...], rounds: int, seen: list[int], root: bool
    ) -> Any:
        if not root and not isinstance(value, list) and self._wants_array(value, nodes):
            if any(node.objects for node in nodes):
                # _with_arrays would wrap inside the object in the same round.
                raise _UnsupportedError("a schema wants an array or an object at one place")
            rounds += 1
            if rounds > _MAX_ROUNDS:
                raise _UnsupportedError("too many nested arrays")
            wrapped = [value]
            return self._walk_list(wrapped, wrapped, nodes, rounds, seen)
        if isinstance(value, dict):
            seen.append(id(value))
            return self._walk_dict(value, nodes, rounds, seen)
        if isinstance(value, list):
            seen.append(id(value))
            return self._walk_list(value, None, nodes, rounds, seen)
        return value

    def _walk_dict(
        self, value: dict[str, Any], nodes: tuple[_Node, ...], rounds: int, seen: list[int]
    ) -> Any:
        changed: dict[str, Any] | None = None
        for key, member in value.items():
            applied: list[_Node] = []
            for node in nodes:
                child = node.properties.get(key)
                if child is None:
                    child = node.additional
                if child is not None:
                    applied.extend(child.flat)
            if not applied:
                continue
            new = self._walk(member, tuple(applied), rounds, seen, root=False)
            if new is not member:
                if changed is None:
                    changed = dict(value)
                changed[key] = new
        return value if changed is None else changed

    def _walk_list(
        self,
        value: list[Any],
        fresh: list[Any] | None,
        nodes: tuple[_Node, ...],
        rounds: int,
        seen: list[int],
    ) -> Any:
        # ``fresh``: a list this plan made (a wrapped value); changed in place.
        changed = fresh
        for index, member in enumerate(value):
            applied: list[_Node] = []
            for node in nodes:
                if node.items is not None:
                    applied.extend(node.items.flat)
                elif node.item_list is not None:
                    if index < len(node.item_list):
                        applied.extend(node.item_list[index].flat)
                    elif node.additional_items is not None:
                        applied.extend(node.additional_items.flat)
            if not applied:
                continue
            new = self._walk(member, tuple(applied), rounds, seen, root=False)
            if new is not member:
                if changed is None:
                    changed = list(value)
                changed[index] = new
        return value if changed is None else changed


@dataclass(frozen=True, slots=True)
class _Fast:
    validate: Callable[[Any], Any]
    plan: _ArrayPlan


@cache
def _fast(credential_type: str) -> _Fast | None:
    """The compiled validator and array plan of a schema, or None to always use jsonschema."""
    validator = _validator(credential_type)
    try:
        return _Fast(
            _compile(validator.schema, validator.format_checker),
            _ArrayPlan(validator.schema, validator),
        )
    except Exception:  # _UnsupportedError, or fastjsonschema could not compile it
        return None  # tests/test_schemas_fast.py makes sure this is not the shipped schemas


def _accepts(fast: _Fast, document: dict[str, Any]) -> bool:
    try:
        fast.validate(document)
    except Exception:
        return False  # not valid, or any doubt
    return True


def _fast_result(fast: _Fast, document: Mapping[str, Any], spec: _Schema) -> SchemaResult | None:
    """The result when the fast path can vouch for it (a conforming document), else None."""
    if type(document) is not dict:
        return None  # jsonschema reads other mappings through dict(); leave them to it
    conforms = f"conforms to {spec.file}{spec.note}"
    if _accepts(fast, document):
        return SchemaResult("passed", conforms)
    # Not valid as it is: perhaps with single values read as arrays.
    try:
        normalized, wrapped = fast.plan.normalize(document)
    except Exception:
        return None  # any doubt: jsonschema decides, as without this path
    if not wrapped or not _accepts(fast, normalized):
        return None
    return SchemaResult("passed", f"{conforms}, single values read as arrays")


def check_schema(
    document: Mapping[str, Any], vc_version: str | None, *, fast: bool = True
) -> SchemaResult:
    """Validate an OB 3.0 or CLR 2.0 credential against its JSON Schema.

    Other credentials, and credentials of a VC version the schema does not describe,
    are skipped with a detail saying why.

    Parameters
    ----------
    document : Mapping
        The credential.
    vc_version : str or None
        Its VC data model version (``"1.1"`` or ``"2.0"``).
    fast : bool, default True
        Let a compiled validator (fastjsonschema) accept conforming credentials. It
        gives the same result as jsonschema alone (``fast=False``), in less time.

    >>> check_schema({"type": ["VerifiableCredential"]}, "2.0").status
    'skipped'
    """
    chosen = None
    for name in _types(document):
        chosen = SCHEMAS.get(_ALIASES.get(name, name))
        if chosen is not None:
            break
    if chosen is None:
        return SchemaResult("skipped", "no JSON Schema applies to this credential type")
    if vc_version != chosen.vc_version:
        return SchemaResult(
            "skipped",
            f"the {chosen.credential_type} schema describes VC {chosen.vc_version} "
            f"credentials; this one is VC {vc_version or 'of unknown version'}",
        )
    compiled = _fast(chosen.credential_type) if fast else None
    if compiled is not None:
        result = _fast_result(compiled, document, chosen)
        if result is not None:
            return result
    validator = _validator(chosen.credential_type)
    if validator.is_valid(document):
        return SchemaResult("passed", f"conforms to {chosen.file}{chosen.note}")
    document, errors = _with_arrays(validator, document)
    if not errors:
        return SchemaResult(
            "passed", f"conforms to {chosen.file}{chosen.note}, single values read as arrays"
        )
    shown = "; ".join(f"{_error_path(e)}: {e.message[:160]}" for e in errors[:3])
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return SchemaResult(
        "failed", f"{len(errors)} error(s) against {chosen.file}{chosen.note}: {shown}{more}"
    )
