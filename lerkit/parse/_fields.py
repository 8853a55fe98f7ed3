"""Typed accessors for JSON fields that record *where* a value was wrong.

Credentials arrive in many shapes (a value or a list of values, a string id or an
embedded object). These helpers accept the shapes the standards allow and raise
:class:`FieldError` naming the JSON path for anything else, so every problem
message points at the field to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "FieldError",
    "Notes",
    "as_list",
    "as_mapping_list",
    "expect_type",
    "opt_date",
    "opt_float",
    "opt_str",
    "types_of",
]


class FieldError(Exception):
    """A field is missing or has the wrong shape (converted to a Problem)."""

    def __init__(self, path: str, message: str, code: str = "wrong_type") -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message
        self.code = code


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def as_list(value: Any) -> list[Any]:
    """A JSON-LD value or set as a list (``None`` is the empty list)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def opt_str(obj: Mapping[str, Any], key: str, path: str) -> str | None:
    """``obj[key]`` as a string, ``None`` when absent; numbers are accepted as text."""
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    # JSON-LD language maps / value objects: {"@value": "..."} or {"en": "..."}
    if isinstance(value, Mapping):
        inner = value.get("@value")
        if isinstance(inner, str):
            return inner
    raise FieldError(f"{path}.{key}", f"expected a string, found {_describe(value)}")


def opt_float(obj: Mapping[str, Any], key: str, path: str) -> float | None:
    """``obj[key]`` as a number (numeric strings accepted)."""
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise FieldError(f"{path}.{key}", f"expected a number, found {_describe(value)}")


def parse_datetime(value: Any, path: str) -> datetime:
    """An ISO 8601 date or date-time (or a Unix timestamp, as OB 2.0 allows), in UTC."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, ValueError, OSError):
            raise FieldError(path, f"timestamp {value!r} is out of range") from None
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        if parsed is not None:
            # VC requires a time zone; a missing one is read as UTC rather than as
            # the reading machine's local time, so results do not depend on it.
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed
        raise FieldError(path, f"expected an ISO 8601 date-time, found {_describe(value)}")
    raise FieldError(path, f"expected an ISO 8601 date-time, found {_describe(value)}")


def opt_date(obj: Mapping[str, Any], key: str, path: str) -> datetime | None:
    """``obj[key]`` as a timezone-aware datetime, ``None`` when absent."""
    value = obj.get(key)
    if value is None:
        return None
    return parse_datetime(value, f"{path}.{key}")


def as_mapping_list(value: Any, path: str) -> list[Mapping[str, Any]]:
    """A value that must be an object or a list of objects."""
    items = as_list(value)
    for index, item in enumerate(items):
        # ``type(...) is dict`` first: isinstance against the Mapping ABC is slow
        # and decoded JSON objects are always dicts.
        if type(item) is not dict and not isinstance(item, Mapping):
            where = path if not isinstance(value, list) else f"{path}[{index}]"
            raise FieldError(where, f"expected an object, found {_describe(item)}")
    return items


def types_of(obj: Mapping[str, Any], path: str) -> tuple[str, ...]:
    """The ``type`` (or ``@type``) of an object as a tuple of strings."""
    value = obj.get("type", obj.get("@type"))
    items = as_list(value)
    for item in items:
        if not isinstance(item, str):
            raise FieldError(
                f"{path}.type", f"expected a string or list of strings, found {_describe(value)}"
            )
    return tuple(items)


#: conformance findings that do not stop a record from being read
Notes = list[FieldError]


def expect_type(
    obj: Mapping[str, Any], wanted: str, path: str, notes: Notes, *, required: bool = False
) -> None:
    """Note when an OB 3.0 / CLR 2.0 object's ``type`` lacks the class name ``wanted``.

    The OB 3.0 schemas require these class names and the 1EdTech validator fails
    credentials without them. The data is still readable, so the record is kept
    and the finding is reported as a warning (``nonconforming``) beside it.
    """
    found = types_of(obj, path)
    if not found:
        if required:
            notes.append(
                FieldError(f"{path}.type", f"missing; expected {wanted!r}", "nonconforming")
            )
        return
    if wanted not in found:
        notes.append(
            FieldError(
                f"{path}.type", f"expected {wanted!r}, found {list(found)!r}", "nonconforming"
            )
        )


def describe(value: Any) -> str:
    """A short human description of a JSON value, for messages."""
    return _describe(value)
