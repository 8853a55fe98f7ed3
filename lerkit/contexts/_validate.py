"""Strict parsing and sanity checks for JSON-LD context documents.

Shared with :mod:`lerkit.proofs`, which applies :func:`keyword_like_terms` to the inline
contexts of a document before canonicalizing it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pyld.jsonld import KEYWORDS

__all__ = ["keyword_like_terms", "parse_context_document"]

_KEYWORD_LIKE = re.compile(r"^@[a-zA-Z]+$")
_KEYWORDS = frozenset(KEYWORDS)


def _is_reserved(value: object) -> bool:
    return isinstance(value, str) and bool(_KEYWORD_LIKE.match(value)) and value not in _KEYWORDS


def keyword_like_terms(context: Any, where: str = "@context") -> list[str]:
    """Return the places in a context value that use a reserved, non-keyword ``@name``.

    JSON-LD 1.1 says such terms and IRI mappings are ignored; pyld ignores them with a
    ``SyntaxWarning``. A context that relies on being partly ignored is rejected instead,
    so that what is signed never depends on a warning filter.
    """
    found: list[str] = []
    if isinstance(context, list):
        for index, item in enumerate(context):
            found.extend(keyword_like_terms(item, f"{where}[{index}]"))
        return found
    if not isinstance(context, dict):
        return found
    for term, definition in context.items():
        if _is_reserved(term):
            found.append(f"{where}: term {term!r}")
        if _is_reserved(definition):
            found.append(f"{where}: {term!r} maps to {definition!r}")
        if isinstance(definition, dict):
            for key in ("@id", "@reverse"):
                if _is_reserved(definition.get(key)):
                    found.append(f"{where}: {term!r} has {key} {definition[key]!r}")
            if "@context" in definition:
                found.extend(keyword_like_terms(definition["@context"], f"{where}.{term}"))
    return found


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate member {key!r}")
        result[key] = value
    return result


def parse_context_document(data: bytes) -> dict[str, Any]:
    """Parse bytes as a JSON-LD context document, strictly.

    Raises
    ------
    ValueError
        When the bytes are not UTF-8 JSON, have duplicate members or NaN/Infinity, are
        not a JSON object with an ``@context`` member, or use reserved ``@`` terms.
    """
    text = data.decode("utf-8")
    document = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    if not isinstance(document, dict):
        raise ValueError(f"a context document must be a JSON object, not {type(document).__name__}")
    if "@context" not in document:
        raise ValueError("a context document must have an '@context' member")
    if not isinstance(document["@context"], dict | list | str):
        raise ValueError("'@context' must be an object, an array or a string")
    reserved = keyword_like_terms(document["@context"])
    if reserved:
        raise ValueError("reserved '@' names that JSON-LD would ignore: " + "; ".join(reserved))
    return document
