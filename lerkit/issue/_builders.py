"""Build unsigned Open Badges 3.0 and CLR 2.0 credentials that pass their JSON Schemas.

Every term used is defined by the contexts the builders list, so the documents
canonicalize (RDFC-1.0) in safe mode and can be signed with Data Integrity proofs.
"""

from __future__ import annotations

import copy
import hashlib
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from lerkit.issue._credentials import IssuedCredential, format_datetime
from lerkit.issue._errors import IssueError

__all__ = [
    "CLR_CONTEXT",
    "OB3_CONTEXT",
    "OB3_EXTENSIONS_CONTEXT",
    "VC2_CONTEXT",
    "achievement",
    "achievement_credential",
    "alignment",
    "clr_credential",
    "hashed_identity",
]

VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
#: Defines ``1EdTechJsonSchemaValidator2019``, the credentialSchema type 1EdTech validators use.
OB3_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
_OB3_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
_CLR_SCHEMA = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)
_SCHEMA_TYPE = "1EdTechJsonSchemaValidator2019"
_ASSOCIATION_TYPES = (
    "exactMatchOf",
    "isChildOf",
    "isParentOf",
    "isPartOf",
    "isPeerOf",
    "isRelatedTo",
    "precedes",
    "replacedBy",
)


def _types(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def _with_type(obj: Mapping[str, Any], type_name: str) -> dict[str, Any]:
    """A copy whose ``type`` includes ``type_name`` (added first, after any ``id``)."""
    types = _types(obj.get("type"))
    if type_name in types:
        return dict(obj)
    result: dict[str, Any] = {"id": obj["id"]} if "id" in obj else {}
    result["type"] = [type_name, *types]
    result.update((k, v) for k, v in obj.items() if k not in ("id", "type"))
    return result


def _require(obj: Mapping[str, Any], what: str, names: Iterable[str]) -> None:
    missing = [n for n in names if obj.get(n) in (None, "", [], {})]
    if missing:
        raise IssueError(
            f"{what} is missing required member(s): " + ", ".join(repr(m) for m in missing),
            code="invalid_argument",
        )


def hashed_identity(
    identity: str,
    salt: str | None = None,
    *,
    identity_type: str = "emailAddress",
) -> dict[str, Any]:
    """An Open Badges 3.0 ``IdentityObject`` holding a salted SHA-256 hash of an identity.

    ``identityHash`` is ``"sha256$"`` + hex SHA-256 of the UTF-8 identity followed by the
    salt, as Open Badges 3.0 defines it. The hash hides the address from casual readers
    only: with the salt published beside it, anyone who guesses the address can confirm
    it. Pseudonymous, not anonymous.

    Parameters
    ----------
    identity : str
        The plaintext identity (an e-mail address by default).
    salt : str, optional
        Default: 16 random hex characters. Pass one for reproducible output.
    identity_type : str
        ``"emailAddress"``, ``"sourcedId"``, ... (the OB 3.0 IdentifierTypeEnum).

    Examples
    --------
    >>> hashed_identity("a@example.com", "Kosher")["identityHash"]
    'sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399'
    """
    if not isinstance(identity, str) or not identity:
        raise IssueError("identity must be a non-empty string", code="invalid_argument")
    chosen = secrets.token_hex(8) if salt is None else salt
    digest = hashlib.sha256((identity + chosen).encode("utf-8")).hexdigest()
    return {
        "type": "IdentityObject",
        "identityType": identity_type,
        "hashed": True,
        "identityHash": f"sha256${digest}",
        "salt": chosen,
    }


def alignment(
    *,
    target_name: str,
    target_url: str,
    target_code: str | None = None,
    target_framework: str | None = None,
    target_type: str | None = None,
    target_description: str | None = None,
) -> dict[str, Any]:
    """An Open Badges 3.0 ``Alignment`` to an occupation, skill or competency.

    Examples
    --------
    >>> alignment(target_name="Electricians",
    ...           target_url="https://www.onetonline.org/link/summary/47-2111.00",
    ...           target_code="47-2111.00", target_framework="O*NET-SOC")["type"]
    ['Alignment']
    """
    result: dict[str, Any] = {
        "type": ["Alignment"],
        "targetName": target_name,
        "targetUrl": target_url,
    }
    for name, value in (
        ("targetDescription", target_description),
        ("targetCode", target_code),
        ("targetFramework", target_framework),
        ("targetType", target_type),
    ):
        if value is not None:
            result[name] = value
    return result


def achievement(
    *,
    id: str,
    name: str,
    description: str,
    criteria: str | Mapping[str, Any],
    achievement_type: str | None = None,
    alignments: Sequence[Mapping[str, Any]] = (),
    field_of_study: str | None = None,
    human_code: str | None = None,
    credits_available: float | None = None,
    tags: Sequence[str] = (),
    creator: str | Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An Open Badges 3.0 ``Achievement``: what was accomplished, and how it is earned.

    Parameters
    ----------
    id : str
        A URI for the achievement (the same for everyone who earns it).
    name, description : str
    criteria : str or Mapping
        A narrative (str), or a ``Criteria`` object (``{"narrative": ..., "id": ...}``).
    achievement_type : str, optional
        ``"Certificate"``, ``"Badge"``, ``"ApprenticeshipCertificate"``, ``"Course"``,
        ... or ``"ext:…"``.
    alignments : sequence of Mapping
        From :func:`alignment`.
    field_of_study, human_code : str, optional
    credits_available : float, optional
    tags : sequence of str
    creator : str or Mapping, optional
        The profile that defined the achievement (an id, or a Profile object).

    Examples
    --------
    >>> achievement(id="https://example.org/a/1", name="Forklift Operator",
    ...             description="Safe forklift operation.", criteria="Pass the test.")["criteria"]
    {'narrative': 'Pass the test.'}
    """
    result: dict[str, Any] = {"id": id, "type": ["Achievement"]}
    if achievement_type is not None:
        result["achievementType"] = achievement_type
    result["name"] = name
    result["description"] = description
    result["criteria"] = {"narrative": criteria} if isinstance(criteria, str) else dict(criteria)
    if creator is not None:
        result["creator"] = (
            {"id": creator, "type": ["Profile"]}
            if isinstance(creator, str)
            else _with_type(copy.deepcopy(dict(creator)), "Profile")
        )
    if field_of_study is not None:
        result["fieldOfStudy"] = field_of_study
    if human_code is not None:
        result["humanCode"] = human_code
    if credits_available is not None:
        result["creditsAvailable"] = credits_available
    if tags:
        result["tag"] = list(tags)
    if alignments:
        result["alignment"] = [_with_type(copy.deepcopy(dict(a)), "Alignment") for a in alignments]
    _require(result, "the achievement", ("id", "name", "description"))
    return result


def _normalize_achievement(value: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise IssueError(
            f"an achievement must be a JSON object, not {type(value).__name__}",
            code="invalid_argument",
        )
    result = _with_type(copy.deepcopy(dict(value)), "Achievement")
    _require(result, f"achievement {result.get('id')!r}", ("id", "name", "description", "criteria"))
    if isinstance(result["criteria"], str):
        result["criteria"] = {"narrative": result["criteria"]}
    if "alignment" in result:
        result["alignment"] = [_with_type(a, "Alignment") for a in result["alignment"]]
    return result


def _issuer_value(issuer: str | Mapping[str, Any] | None) -> str | dict[str, Any] | None:
    if issuer is None:
        return None
    if isinstance(issuer, str):
        if not issuer:
            raise IssueError("issuer must not be empty", code="invalid_argument")
        return issuer
    return _with_type(copy.deepcopy(dict(issuer)), "Profile")


def _identity(
    subject_id: str | None, identity_email: str | None, identity_salt: str | None, what: str
) -> list[dict[str, Any]]:
    if identity_email is None:
        if identity_salt is not None:
            raise IssueError(
                "identity_salt is given without identity_email", code="invalid_argument"
            )
        if subject_id is None:
            raise IssueError(
                f"a {what} needs a subject id or an identity (subject_id=... or "
                "identity_email=...): otherwise nothing says whose it is",
                code="invalid_argument",
            )
        return []
    return [hashed_identity(identity_email, identity_salt)]


def _base(
    *,
    contexts: list[str],
    credential_type: str,
    credential_id: str | None,
    name: str,
    description: str | None,
    issuer: str | Mapping[str, Any] | None,
    valid_from: datetime | str,
    valid_until: datetime | str | None,
) -> dict[str, Any]:
    credential: dict[str, Any] = {
        "@context": contexts,
        "id": credential_id if credential_id is not None else f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", credential_type],
        "name": name,
    }
    if description is not None:
        credential["description"] = description
    issuer_value = _issuer_value(issuer)
    if issuer_value is not None:
        credential["issuer"] = issuer_value
    start = format_datetime(valid_from, "valid_from")
    credential["validFrom"] = start
    if valid_until is not None:
        end = format_datetime(valid_until, "valid_until")
        if _instant(end) <= _instant(start):
            raise IssueError(
                f"valid_until {end} is not after valid_from {start}", code="invalid_argument"
            )
        credential["validUntil"] = end
    return credential


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _finish(
    credential: dict[str, Any],
    subject: dict[str, Any],
    status: Mapping[str, Any] | None,
    schema: str | None,
) -> dict[str, Any]:
    credential["credentialSubject"] = subject
    if status is not None:
        credential["credentialStatus"] = copy.deepcopy(dict(status))
    if schema is not None:
        credential["credentialSchema"] = [{"id": schema, "type": _SCHEMA_TYPE}]
    return credential


def achievement_credential(
    *,
    issuer: str | Mapping[str, Any] | None,
    subject_id: str | None,
    achievement: Mapping[str, Any],
    valid_from: datetime | str,
    valid_until: datetime | str | None = None,
    credential_id: str | None = None,
    name: str | None = None,
    description: str | None = None,
    identity_email: str | None = None,
    identity_salt: str | None = None,
    awarded_date: datetime | str | None = None,
    status: Mapping[str, Any] | None = None,
    credential_schema: bool = True,
) -> dict[str, Any]:
    """Build an unsigned Open Badges 3.0 ``AchievementCredential`` (VC 2.0).

    The result validates against the OB 3.0 AchievementCredential JSON Schema and
    canonicalizes with lerkit's pinned contexts; sign it with :func:`issue_credential`.

    Parameters
    ----------
    issuer : str, Mapping or None
        The issuer's id, or its ``Profile`` (``type`` is set to ``["Profile"]`` if
        missing). None leaves it for :func:`issue_credential` to fill in from the key.
    subject_id : str or None
        The learner's id (a DID, ``urn:uuid:…``). None needs ``identity_email``.
    achievement : Mapping
        An ``Achievement`` (see :func:`achievement`); ``id``, ``name``, ``description``
        and ``criteria`` are required.
    valid_from : datetime or str
        When the credential takes effect (also the default proof ``created``).
    valid_until : datetime or str, optional
    credential_id : str, optional
        Default: a random ``urn:uuid``. Pass one for reproducible output.
    name, description : str, optional
        For wallets; ``name`` defaults to the achievement's name.
    identity_email, identity_salt : str, optional
        Adds a hashed e-mail ``IdentityObject`` under ``identifier`` (see
        :func:`hashed_identity`; the salt is random when not given).
    awarded_date : datetime or str, optional
    status : Mapping, optional
        A ``credentialStatus`` entry (see :func:`status_entry`).
    credential_schema : bool
        Add the 1EdTech ``credentialSchema`` reference (and the OB 3.0 extensions
        context that defines its type), as 1EdTech's validator expects.

    Returns
    -------
    dict

    Raises
    ------
    IssueError
        ``invalid_argument`` for a missing achievement member, dates out of order, or a
        subject with neither id nor identity.

    Examples
    --------
    >>> vc = achievement_credential(
    ...     issuer="did:example:college", subject_id="did:example:ada",
    ...     achievement=achievement(id="https://example.org/a/1", name="Welding I",
    ...                             description="MIG basics.", criteria="Pass the bend test."),
    ...     valid_from="2025-05-01T00:00:00Z", credential_id="urn:uuid:1")
    >>> vc["type"], vc["credentialSubject"]["type"]
    (['VerifiableCredential', 'AchievementCredential'], ['AchievementSubject'])
    """
    normalized = _normalize_achievement(achievement)
    contexts = [VC2_CONTEXT, OB3_CONTEXT]
    if credential_schema:
        contexts.append(OB3_EXTENSIONS_CONTEXT)
    credential = _base(
        contexts=contexts,
        credential_type="AchievementCredential",
        credential_id=credential_id,
        name=name if name is not None else str(normalized["name"]),
        description=description,
        issuer=issuer,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    if awarded_date is not None:
        credential["awardedDate"] = format_datetime(awarded_date, "awarded_date")
    subject: dict[str, Any] = {}
    if subject_id is not None:
        subject["id"] = subject_id
    subject["type"] = ["AchievementSubject"]
    identifiers = _identity(subject_id, identity_email, identity_salt, "credential subject")
    if identifiers:
        subject["identifier"] = identifiers
    subject["achievement"] = normalized
    return _finish(credential, subject, status, _OB3_SCHEMA if credential_schema else None)


def _member_document(value: object, index: int) -> dict[str, Any]:
    if isinstance(value, IssuedCredential):
        if value.document is not None:
            return value.credential
        value = value.jwt
    if isinstance(value, str):
        raise IssueError(
            f"credential {index} is a VC-JWT; CLR 2.0 nests credentials as JSON objects "
            "(ClrSubject.verifiableCredential), so issue it with a Data Integrity proof",
            code="invalid_argument",
        )
    if not isinstance(value, Mapping):
        raise IssueError(
            f"credential {index} must be a JSON object, not {type(value).__name__}",
            code="invalid_argument",
        )
    return copy.deepcopy(dict(value))


def _association(value: Mapping[str, Any]) -> dict[str, Any]:
    result = {
        "type": "Association",
        **{k: copy.deepcopy(v) for k, v in value.items() if k != "type"},
    }
    _require(result, "an association", ("associationType", "sourceId", "targetId"))
    if result["associationType"] not in _ASSOCIATION_TYPES:
        raise IssueError(
            f"associationType must be one of {list(_ASSOCIATION_TYPES)}, got "
            f"{result['associationType']!r}",
            code="invalid_argument",
        )
    return result


def clr_credential(
    *,
    issuer: str | Mapping[str, Any] | None,
    subject_id: str | None,
    credentials: Sequence[Mapping[str, Any] | IssuedCredential],
    valid_from: datetime | str,
    achievements: Sequence[Mapping[str, Any]] | None = None,
    associations: Sequence[Mapping[str, Any]] = (),
    valid_until: datetime | str | None = None,
    credential_id: str | None = None,
    name: str = "Comprehensive Learner Record",
    description: str | None = None,
    identity_email: str | None = None,
    identity_salt: str | None = None,
    status: Mapping[str, Any] | None = None,
    credential_schema: bool = True,
) -> dict[str, Any]:
    """Build an unsigned CLR 2.0 ``ClrCredential`` (VC 2.0) around signed OB 3.0 credentials.

    Parameters
    ----------
    issuer : str, Mapping or None
        As for :func:`achievement_credential`.
    subject_id : str or None
        The learner's id; None needs ``identity_email``.
    credentials : sequence of Mapping or IssuedCredential
        The learner's credentials, usually signed AchievementCredentials, nested whole
        under ``credentialSubject.verifiableCredential`` (CLR 2.0 nests JSON objects, so
        VC-JWTs are refused).
    valid_from : datetime or str
    achievements : sequence of Mapping, optional
        ``credentialSubject.achievement``. Default: the achievements of the nested
        credentials, each once (by id), in order.
    associations : sequence of Mapping
        ``{"associationType": "isParentOf", "sourceId": ..., "targetId": ...}`` between
        achievement ids (e.g. a degree is the parent of its courses).
    valid_until, credential_id, description, identity_email, identity_salt, status,
    credential_schema
        As for :func:`achievement_credential`.
    name : str
        Required by CLR 2.0.

    Returns
    -------
    dict

    Raises
    ------
    IssueError
        ``invalid_argument`` for no credentials, a JWT member, a bad association or an
        achievement missing required members.

    Examples
    --------
    >>> from lerkit.issue import demo_credentials, generate_key
    >>> key = generate_key(seed=bytes(32))
    >>> members = demo_credentials(2, key)
    >>> clr = clr_credential(issuer=key.did, subject_id="did:example:ada",
    ...                      credentials=members, valid_from="2025-09-01T00:00:00Z")
    >>> clr["credentialSubject"]["type"], len(clr["credentialSubject"]["verifiableCredential"])
    (['ClrSubject'], 2)
    """
    if isinstance(credentials, str | Mapping) or not credentials:
        raise IssueError(
            "credentials must be a non-empty sequence of credentials", code="invalid_argument"
        )
    members = [_member_document(value, index) for index, value in enumerate(credentials)]
    if achievements is None:
        seen: set[str] = set()
        collected: list[dict[str, Any]] = []
        for member in members:
            subject = member.get("credentialSubject")
            found = subject.get("achievement") if isinstance(subject, Mapping) else None
            if isinstance(found, Mapping) and found.get("id") not in seen:
                seen.add(str(found.get("id")))
                collected.append(_normalize_achievement(found))
        chosen = collected
    else:
        chosen = [_normalize_achievement(a) for a in achievements]
    contexts = [VC2_CONTEXT, CLR_CONTEXT, OB3_CONTEXT]
    if credential_schema:
        contexts.append(OB3_EXTENSIONS_CONTEXT)
    credential = _base(
        contexts=contexts,
        credential_type="ClrCredential",
        credential_id=credential_id,
        name=name,
        description=description,
        issuer=issuer,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    subject_out: dict[str, Any] = {}
    if subject_id is not None:
        subject_out["id"] = subject_id
    subject_out["type"] = ["ClrSubject"]
    identifiers = _identity(subject_id, identity_email, identity_salt, "CLR subject")
    if identifiers:
        subject_out["identifier"] = identifiers
    subject_out["verifiableCredential"] = members
    if chosen:
        subject_out["achievement"] = chosen
    if associations:
        subject_out["association"] = [_association(a) for a in associations]
    return _finish(credential, subject_out, status, _CLR_SCHEMA if credential_schema else None)
