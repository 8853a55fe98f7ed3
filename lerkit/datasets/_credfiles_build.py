"""Open Badges 3.0 objects from pilot tables: issuer profiles, achievements, alignments.

The tables name things (an achievement's type, field and credit hours; an alignment's
framework and code); an Open Badges 3.0 credential needs more (a description, criteria,
a target URL). This module fills those in the same way every time, from the row alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

import pandas as pd

from lerkit.errors import DatasetError
from lerkit.issue import achievement, alignment

__all__ = [
    "OB3_ACHIEVEMENT_TYPES",
    "achievement_object",
    "as_date",
    "issuer_profile",
    "moment",
    "number",
    "text",
]

#: Dictionary codes that are not Open Badges 3.0 AchievementType values, and what a
#: credential carries instead (extensions are written ``ext:<Name>``).
OB3_ACHIEVEMENT_TYPES: Mapping[str, str] = {
    "MilitaryTraining": "ext:MilitaryTraining",
}

_TYPE_NOUNS: Mapping[str, str] = {
    "Degree": "degree",
    "AssociateDegree": "associate degree",
    "BachelorDegree": "bachelor's degree",
    "Certificate": "certificate",
    "Certification": "industry certification",
    "License": "occupational license",
    "ApprenticeshipCertificate": "registered apprenticeship",
    "Course": "course",
    "MicroCredential": "micro-credential",
    "Badge": "digital badge",
    "Competency": "competency",
    "MilitaryTraining": "military training course",
}

_CRITERIA: Mapping[str, str] = {
    "Certificate": "Complete the required courses with a grade of C or better and pass the "
    "final assessment.",
    "Certification": "Pass the proctored certification examination.",
    "License": "Meet the licensing board's education and experience requirements and pass "
    "the licensing examination.",
    "ApprenticeshipCertificate": "Complete the required on-the-job learning hours and related technical "
    "instruction, with the journeyworker's sign-off.",
    "Course": "Complete the course with a grade of C or better.",
    "MicroCredential": "Complete the module and its performance-based assessment.",
    "Badge": "Submit evidence of the skill and pass the reviewer's assessment.",
    "Competency": "Demonstrate the competency in an observed performance assessment.",
    "MilitaryTraining": "Complete the course as recorded on the service member's Joint "
    "Services Transcript.",
}
_DEGREES = frozenset({"Degree", "AssociateDegree", "BachelorDegree"})

_ISSUER_TYPES: Mapping[str, str] = {
    "community_college": "A community college",
    "university": "A university",
    "bootcamp": "A technology and skills bootcamp",
    "workforce_board": "A workforce development board",
    "military": "A military transcript issuer",
    "employer": "An employer offering on-the-job training",
    "certification_body": "A certification body",
}

# framework code -> (targetFramework, targetType, targetUrl template for the code)
_FRAMEWORKS: Mapping[str, tuple[str, str, str]] = {
    "onet_soc": ("O*NET-SOC", "ext:Occupation", "https://www.onetonline.org/link/summary/{}"),
    "onet_element": (
        "O*NET Content Model",
        "ceasn:Competency",
        "https://www.onetonline.org/find/descriptor/result/{}",
    ),
    "esco": ("ESCO", "ceasn:Competency", "http://data.europa.eu/esco/skill/{}"),
    "lightcast": (
        "Lightcast Open Skills",
        "ceasn:Competency",
        "https://lightcast.io/open-skills/skills/{}",
    ),
    "custom": ("", "ceasn:Competency", ""),
}


def text(value: Any) -> str | None:
    """A table cell as a non-empty string, or None when it is empty (None, NaN, NA, "")."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    result = str(value)
    return result if result.strip() else None


def number(value: Any) -> int | float | None:
    """A numeric cell as an int when whole (so JSON shows ``24``, not ``24.0``), or None."""
    if value is None or value is pd.NA or isinstance(value, str | bool):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(result):
        return None
    return int(result) if result.is_integer() else result


def as_date(value: Any, what: str = "date") -> date | None:
    """A date cell (date, datetime, Timestamp or ISO text) as a ``date``; None when empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime):  # pandas Timestamp included
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError as err:
            raise DatasetError(f"{what} {value!r} is not a date", code="invalid_date") from err
    raise DatasetError(f"{what} {value!r} is not a date", code="invalid_date")


def moment(day: date) -> str:
    """The credential dateTime of a table date: midnight UTC, e.g. ``2025-03-01T00:00:00Z``."""
    return f"{day.isoformat()}T00:00:00Z"


def issuer_profile(issuer_id: str, name: str, issuer_type: str | None, url: str) -> dict[str, Any]:
    """An Open Badges 3.0 issuer ``Profile``.

    Examples
    --------
    >>> issuer_profile("did:web:cc.example.edu", "Example CC", "community_college",
    ...                "https://cc.example.edu")["description"]
    'A community college (fictional: synthetic pilot data).'
    """
    profile: dict[str, Any] = {"id": issuer_id, "type": ["Profile"], "name": name, "url": url}
    kind = _ISSUER_TYPES.get(issuer_type or "")
    if kind is not None:
        profile["description"] = f"{kind} (fictional: synthetic pilot data)."
    return profile


def _description(name: str, kind: str | None, field: str | None, credits: float | None) -> str:
    noun = _TYPE_NOUNS.get(kind or "")
    if noun is None:
        return f"{name}." if not field else f"{name}, in {field}."
    article = "An" if noun[0] in "aeiou" else "A"
    words = f"{article} {noun}"
    if field:
        words += f" in {field}"
    if credits:
        words += f", {credits:g} credit hours"
    return words + "."


def _criteria(kind: str | None, credits: float | None) -> str:
    if kind in _DEGREES:
        size = f"{credits:g}-credit " if credits else ""
        return (
            f"Complete the {size}program of study, including its general education "
            "requirements, with a cumulative GPA of 2.0 or better."
        )
    return _CRITERIA.get(kind or "", "Meet the issuer's published requirements for the award.")


def _alignment(
    row: Mapping[str, Any], achievement_id: str, creator_name: str | None
) -> dict[str, Any]:
    framework = text(row.get("framework")) or "custom"
    code = text(row.get("target_code"))
    name = text(row.get("target_name"))
    if code is None or name is None:
        raise DatasetError(
            f"an alignment of {achievement_id} lacks target_code or target_name",
            code="invalid_alignment",
        )
    label, target_type, template = _FRAMEWORKS.get(framework, _FRAMEWORKS["custom"])
    url = text(row.get("target_url"))
    if url is None:
        if framework == "esco" and code.startswith(("http://", "https://")):
            url = code
        elif template:
            url = template.format(quote(code, safe=".-_"))
        else:
            url = f"{achievement_id}#alignment-{quote(code, safe='.-_')}"
    if framework == "esco" and "/occupation/" in url:
        target_type = "ext:Occupation"
    if not label:
        label = f"{creator_name} skills framework" if creator_name else "Issuer skills framework"
    return alignment(
        target_name=name,
        target_url=url,
        target_code=code,
        target_framework=label,
        target_type=target_type,
    )


def achievement_object(
    row: Mapping[str, Any],
    alignments: Sequence[Mapping[str, Any]],
    creator: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """An Open Badges 3.0 ``Achievement`` from an achievements row and its alignments.

    Parameters
    ----------
    row : Mapping
        achievement_id, name, achievement_type, field, level, credit_hours.
    alignments : sequence of Mapping
        The alignments rows of this achievement (framework, target_code, target_name,
        target_url), in table order.
    creator : Mapping, optional
        The Profile of the issuer that defined the achievement (``issuer_id`` column).

    Examples
    --------
    >>> a = achievement_object(
    ...     {"achievement_id": "https://cc.example.edu/a/weld", "name": "Welding I",
    ...      "achievement_type": "Course", "field": "Welding", "credit_hours": 4.0},
    ...     [{"framework": "onet_soc", "target_code": "51-4121.00",
    ...       "target_name": "Welders, Cutters, Solderers, and Brazers"}], None)
    >>> a["description"], a["creditsAvailable"], a["alignment"][0]["targetType"]
    ('A course in Welding, 4 credit hours.', 4, 'ext:Occupation')
    """
    achievement_id = text(row.get("achievement_id"))
    name = text(row.get("name"))
    if achievement_id is None or name is None:
        raise DatasetError(
            f"achievement {row.get('achievement_id')!r} needs an achievement_id and a name",
            code="invalid_achievement",
        )
    kind = text(row.get("achievement_type"))
    field = text(row.get("field"))
    credits = number(row.get("credit_hours"))
    creator_name = text(creator.get("name")) if creator is not None else None
    return achievement(
        id=achievement_id,
        name=name,
        description=_description(name, kind, field, credits),
        criteria=_criteria(kind, credits),
        achievement_type=OB3_ACHIEVEMENT_TYPES.get(kind, kind) if kind else None,
        alignments=[_alignment(a, achievement_id, creator_name) for a in alignments],
        field_of_study=field,
        credits_available=credits,
        creator=creator,
    )
