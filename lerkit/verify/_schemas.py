"""The ``schema`` check: Open Badges 3.0 and CLR 2.0 JSON Schemas, shipped with lerkit.

The schema files are vendored (no installed package ships them) and pinned by SHA-256;
see ``schemas/SOURCES.md``.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

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
    for _ in range(50):
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


def check_schema(document: Mapping[str, Any], vc_version: str | None) -> SchemaResult:
    """Validate an OB 3.0 or CLR 2.0 credential against its JSON Schema.

    Other credentials, and credentials of a VC version the schema does not describe,
    are skipped with a detail saying why.

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
