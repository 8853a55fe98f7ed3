"""Map one decoded JSON document to model records.

Recognizes W3C VC 1.1 and 2.0, Open Badges 3.0 (achievement and endorsement
credentials), CLR 2.0 (each nested credential becomes its own record), Open
Badges 2.0 assertions and HR Open LER-RS documents. Nothing here verifies a
proof; it only reads what a document claims.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lerkit.model import (
    Achievement,
    Alignment,
    Credential,
    CredentialFormat,
    CredentialReference,
    CredentialStatusRef,
    Envelope,
    Evidence,
    IdentityObject,
    Issuer,
    Problem,
    ProofInfo,
    Result,
    SourceLocation,
    Subject,
)
from lerkit.parse._fields import (
    FieldError,
    Notes,
    as_list,
    as_mapping_list,
    describe,
    expect_type,
    opt_date,
    opt_float,
    opt_str,
    types_of,
)
from lerkit.parse._limits import DEFAULT_LIMITS, ReadLimits

__all__ = ["Sink", "read_document"]

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB2_CONTEXT = "https://w3id.org/openbadges/v2"
OB3_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
LER_RS_MARKERS = ("certifications", "educationAndLearnings", "employmentHistories", "skills")


@dataclass
class Sink:
    """Collects the records and problems found in one input.

    ``decode_jws`` turns a compact JWS met inside a document (a CLR member or an
    ``endorsementJwt``) back into records; it is injected by the reader so this
    module does not depend on the envelope code.
    """

    credentials: list[Credential] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: files passed over on purpose (documentation, data tables), listed not dropped
    skipped: list[str] = field(default_factory=list)
    limits: ReadLimits = DEFAULT_LIMITS
    #: JSON text of the input being read; records point into it instead of
    #: keeping decoded objects (None while reading decoded values)
    raw: bytes | None = None
    decode_jws: Callable[[str, SourceLocation, Sink, str | None, int], str | None] | None = None

    def problem(self, location: SourceLocation, code: str, message: str) -> None:
        self.problems.append(Problem(location, code, message))

    def document_fields(self, doc: Mapping[str, Any], location: SourceLocation) -> dict[str, Any]:
        """How a record keeps its document: a pointer into the raw text, or the object."""
        if self.raw is not None:
            return {"raw": self.raw, "raw_pointer": location.pointer or ""}
        return {"decoded": doc}


def record_id_for(location: SourceLocation) -> str:
    """A stable key for a record: a digest of where it was found."""
    return hashlib.sha256(str(location).encode("utf-8")).hexdigest()[:20]


# -- small object readers -------------------------------------------------------


def _profile(value: Any, path: str, notes: Notes | None) -> Issuer:
    if isinstance(value, str):
        return Issuer(id=value)
    if not isinstance(value, Mapping):
        raise FieldError(path, f"expected a URL or a Profile object, found {describe(value)}")
    if notes is not None:
        expect_type(value, "Profile", path, notes)
        for key in ("parentOrg",):
            if isinstance(value.get(key), Mapping):
                expect_type(value[key], "Profile", f"{path}.{key}", notes)
        for index, entry in enumerate(
            as_mapping_list(value.get("otherIdentifier"), f"{path}.otherIdentifier")
        ):
            expect_type(
                entry, "IdentifierEntry", f"{path}.otherIdentifier[{index}]", notes, required=True
            )
    issuer_id = value.get("id")
    if issuer_id is not None and not isinstance(issuer_id, str):
        raise FieldError(f"{path}.id", f"expected a string, found {describe(issuer_id)}")
    email = value.get("email")
    return Issuer(
        id=issuer_id,
        name=opt_str(value, "name", path),
        type=types_of(value, path),
        url=value.get("url") if isinstance(value.get("url"), str) else None,
        email=email if isinstance(email, str) else None,
        description=opt_str(value, "description", path),
    )


def _alignments(value: Any, path: str, notes: Notes | None) -> tuple[Alignment, ...]:
    found = []
    for index, item in enumerate(as_mapping_list(value, path)):
        where = f"{path}[{index}]"
        if notes is not None:
            expect_type(item, "Alignment", where, notes)
        found.append(
            Alignment(
                target_name=opt_str(item, "targetName", where),
                target_url=opt_str(item, "targetUrl", where),
                target_code=opt_str(item, "targetCode", where),
                target_framework=opt_str(item, "targetFramework", where),
                target_type=opt_str(item, "targetType", where),
                target_description=opt_str(item, "targetDescription", where),
            )
        )
    return tuple(found)


def _criteria(value: Any, path: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return opt_str(value, "narrative", path) or opt_str(value, "id", path)
    raise FieldError(path, f"expected a URL or a Criteria object, found {describe(value)}")


def _tags(value: Any, path: str) -> tuple[str, ...]:
    tags = as_list(value)
    if not all(isinstance(tag, str) for tag in tags):
        raise FieldError(path, "expected a list of strings")
    return tuple(tags)


def _achievement(value: Any, path: str, notes: Notes | None) -> Achievement:
    if isinstance(value, str):  # a reference only (allowed in OB 2.0 and some VCs)
        return Achievement(id=value, name=None)
    if not isinstance(value, Mapping):
        raise FieldError(path, f"expected an Achievement object, found {describe(value)}")
    if notes is not None:
        expect_type(value, "Achievement", path, notes, required=True)
        for index, item in enumerate(
            as_mapping_list(value.get("resultDescription"), f"{path}.resultDescription")
        ):
            where = f"{path}.resultDescription[{index}]"
            expect_type(item, "ResultDescription", where, notes, required=True)
            _alignments(item.get("alignment"), f"{where}.alignment", notes=notes)
    creator = value.get("creator")
    achievement_id = value.get("id")
    if achievement_id is not None and not isinstance(achievement_id, str):
        raise FieldError(f"{path}.id", f"expected a string, found {describe(achievement_id)}")
    return Achievement(
        id=achievement_id,
        name=opt_str(value, "name", path),
        achievement_type=opt_str(value, "achievementType", path),
        description=opt_str(value, "description", path),
        criteria=_criteria(value.get("criteria"), f"{path}.criteria"),
        field_of_study=opt_str(value, "fieldOfStudy", path),
        specialization=opt_str(value, "specialization", path),
        human_code=opt_str(value, "humanCode", path),
        credits_available=opt_float(value, "creditsAvailable", path),
        tags=_tags(value.get("tag", value.get("tags")), f"{path}.tag"),
        alignments=_alignments(value.get("alignment"), f"{path}.alignment", notes=notes),
        creator=_profile(creator, f"{path}.creator", notes=notes) if creator is not None else None,
    )


def _results(value: Any, path: str, notes: Notes | None) -> tuple[Result, ...]:
    found = []
    for index, item in enumerate(as_mapping_list(value, path)):
        where = f"{path}[{index}]"
        if notes is not None:
            expect_type(item, "Result", where, notes, required=True)
        found.append(
            Result(
                result_description=opt_str(item, "resultDescription", where),
                value=opt_str(item, "value", where),
                status=opt_str(item, "status", where),
                achieved_level=opt_str(item, "achievedLevel", where),
                alignments=_alignments(item.get("alignment"), f"{where}.alignment", notes=notes),
            )
        )
    return tuple(found)


def _evidence(value: Any, path: str, notes: Notes | None) -> tuple[Evidence, ...]:
    found = []
    for index, item in enumerate(as_list(value)):
        where = f"{path}[{index}]" if isinstance(value, list) else path
        if isinstance(item, str):  # OB 2.0 allows a bare URL
            found.append(Evidence(id=item))
            continue
        if not isinstance(item, Mapping):
            raise FieldError(where, f"expected an Evidence object or URL, found {describe(item)}")
        if notes is not None:
            expect_type(item, "Evidence", where, notes, required=True)
        found.append(
            Evidence(
                id=opt_str(item, "id", where),
                name=opt_str(item, "name", where),
                description=opt_str(item, "description", where),
                narrative=opt_str(item, "narrative", where),
                genre=opt_str(item, "genre", where),
                audience=opt_str(item, "audience", where),
            )
        )
    return tuple(found)


def _identity_objects(value: Any, path: str, notes: Notes | None) -> tuple[IdentityObject, ...]:
    found = []
    for index, item in enumerate(as_mapping_list(value, path)):
        where = f"{path}[{index}]"
        if notes is not None:
            expect_type(item, "IdentityObject", where, notes, required=True)
        identity_hash = item.get("identityHash", item.get("identity"))
        if not isinstance(identity_hash, str):
            raise FieldError(
                f"{where}.identityHash",
                f"expected a string, found {describe(identity_hash)}",
                "missing_field",
            )
        hashed = item.get("hashed", False)
        if not isinstance(hashed, bool):
            raise FieldError(f"{where}.hashed", f"expected true or false, found {describe(hashed)}")
        found.append(
            IdentityObject(
                identity_type=opt_str(item, "identityType", where) or opt_str(item, "type", where),
                hashed=hashed,
                identity_hash=identity_hash,
                salt=opt_str(item, "salt", where),
            )
        )
    return tuple(found)


def _proofs(value: Any, path: str) -> tuple[ProofInfo, ...]:
    found = []
    for index, item in enumerate(as_mapping_list(value, path)):
        where = f"{path}[{index}]" if isinstance(value, list) else path
        proof_type = item.get("type")
        if not isinstance(proof_type, str):
            raise FieldError(
                f"{where}.type",
                f"expected a proof type string, found {describe(proof_type)}",
                "missing_field",
            )
        found.append(
            ProofInfo(
                type=proof_type,
                cryptosuite=opt_str(item, "cryptosuite", where),
                verification_method=opt_str(item, "verificationMethod", where),
                proof_purpose=opt_str(item, "proofPurpose", where),
                created=opt_date(item, "created", where),
            )
        )
    return tuple(found)


def _status(value: Any, path: str) -> tuple[CredentialStatusRef, ...]:
    found = []
    for index, item in enumerate(as_mapping_list(value, path)):
        where = f"{path}[{index}]" if isinstance(value, list) else path
        index_value = item.get("statusListIndex")
        list_index: int | None = None
        if isinstance(index_value, int) and not isinstance(index_value, bool):
            list_index = index_value
        elif isinstance(index_value, str) and index_value.isascii() and index_value.isdecimal():
            list_index = int(index_value)
        elif index_value is not None:
            raise FieldError(
                f"{where}.statusListIndex",
                f"expected a non-negative integer, found {describe(index_value)}",
            )
        found.append(
            CredentialStatusRef(
                type=opt_str(item, "type", where) or "",
                purpose=opt_str(item, "statusPurpose", where),
                list_url=opt_str(item, "statusListCredential", where) or opt_str(item, "id", where),
                index=list_index,
            )
        )
    return tuple(found)


def _contexts(doc: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(item for item in as_list(doc.get("@context")) if isinstance(item, str))


# -- documents ------------------------------------------------------------------


def classify(doc: Mapping[str, Any]) -> CredentialFormat | None:
    """Which data model a JSON object follows, or ``None`` if it is no credential."""
    raw_types = doc.get("type", doc.get("@type"))
    types = {t for t in as_list(raw_types) if isinstance(t, str)}
    if "VerifiableCredential" in types or (doc.get("@context") and "credentialSubject" in doc):
        if "ClrCredential" in types:
            return CredentialFormat.CLR2
        if "EndorsementCredential" in types:
            return CredentialFormat.OB3_ENDORSEMENT
        if types & OB3_TYPES:
            return CredentialFormat.OB3
        subject = doc.get("credentialSubject")
        if isinstance(subject, Mapping) and _is_ler_rs(subject):
            return CredentialFormat.LER_RS
        if isinstance(subject, Mapping) and "AchievementSubject" in as_list(subject.get("type")):
            # An Open Badge in all but its type: read it as one and flag the type.
            return CredentialFormat.OB3
        return CredentialFormat.VC
    if "Assertion" in types or (OB2_CONTEXT in as_list(doc.get("@context")) and "recipient" in doc):
        return CredentialFormat.OB2
    if _is_ler_rs(doc):
        return CredentialFormat.LER_RS
    return None


def _is_ler_rs(obj: Mapping[str, Any]) -> bool:
    subject_type = " ".join(t for t in as_list(obj.get("type")) if isinstance(t, str))
    if "LER-RS" in subject_type:
        return True
    return "person" in obj and any(key in obj for key in LER_RS_MARKERS)


def read_document(
    doc: Any,
    location: SourceLocation,
    sink: Sink,
    *,
    envelope: Envelope = Envelope.JSON,
    parent_record_id: str | None = None,
    jws: str | None = None,
    depth: int = 0,
    max_nesting: int = 8,
) -> str | None:
    """Read one JSON document into ``sink``; return the new record's id, if any.

    Problems go to ``sink.problems``; this function does not raise for bad input.
    """
    if not isinstance(doc, Mapping):
        sink.problem(location, "not_a_credential", f"expected a JSON object, found {describe(doc)}")
        return None
    if depth > max_nesting:
        sink.problem(
            location,
            "nested_too_deeply",
            f"credentials nested more than {max_nesting} levels deep were not read",
        )
        return None
    if _is_presentation(doc):
        _read_presentation(doc, location, sink, parent_record_id, depth, max_nesting)
        return None
    kind = classify(doc)
    if kind is None:
        keys = ", ".join(sorted(str(k) for k in doc)[:8]) or "no keys"
        sink.problem(
            location,
            "not_a_credential",
            "JSON object is not a credential: no 'VerifiableCredential' type, OB 2.0 Assertion "
            f"or LER-RS document (found keys: {keys})",
        )
        return None
    try:
        if kind is CredentialFormat.OB2:
            return _read_ob2(doc, location, sink, envelope, parent_record_id, jws)
        if kind is CredentialFormat.LER_RS and "credentialSubject" not in doc:
            return _read_bare_ler_rs(doc, location, sink, parent_record_id, depth, max_nesting)
        return _read_vc(
            doc, kind, location, sink, envelope, parent_record_id, jws, depth, max_nesting
        )
    except FieldError as err:
        sink.problem(location, err.code, f"{err.path}: {err.message}")
        return None


def _is_presentation(doc: Mapping[str, Any]) -> bool:
    types = as_list(doc.get("type"))
    return "VerifiablePresentation" in types and "credentialSubject" not in doc


def _read_presentation(
    doc: Mapping[str, Any],
    location: SourceLocation,
    sink: Sink,
    parent_record_id: str | None,
    depth: int,
    max_nesting: int,
) -> None:
    """A Verifiable Presentation is a wrapper: read each credential it holds.

    The presentation's own proof binds the holder, not the issuer; it is not a
    learning record and gets no row of its own.
    """
    members = as_list(doc.get("verifiableCredential"))
    if not members:
        sink.problem(
            location, "empty_presentation", "Verifiable Presentation holds no verifiableCredential"
        )
    for index, item in enumerate(members):
        where = location.at(f"/verifiableCredential/{index}")
        if isinstance(item, Mapping) and item.get("type") == "EnvelopedVerifiableCredential":
            item = _enveloped(item, where, sink)
            if item is None:
                continue
        if isinstance(item, str) and sink.decode_jws is not None:
            sink.decode_jws(item, where, sink, parent_record_id, depth + 1)
            continue
        read_document(
            item,
            where,
            sink,
            parent_record_id=parent_record_id,
            depth=depth + 1,
            max_nesting=max_nesting,
        )


def _enveloped(item: Mapping[str, Any], location: SourceLocation, sink: Sink) -> str | None:
    """The JWS inside a VC 2.0 ``EnvelopedVerifiableCredential`` data: URL."""
    url = item.get("id")
    if isinstance(url, str) and url.startswith("data:") and "," in url:
        return url.split(",", 1)[1]
    sink.problem(location, "unknown_format", "EnvelopedVerifiableCredential without a data: URL id")
    return None


def _vc_version(doc: Mapping[str, Any], location: SourceLocation) -> str:
    contexts = as_list(doc.get("@context"))
    if not contexts:
        raise FieldError("@context", "missing; a Verifiable Credential needs one", "missing_field")
    first = contexts[0]
    if first == VC_V2:
        return "2.0"
    if first == VC_V1:
        return "1.1"
    found = repr(first) if isinstance(first, str) else describe(first)
    raise FieldError(
        "$.@context[0]",
        f"expected {VC_V2!r} (VC 2.0) or {VC_V1!r} (VC 1.1) first, found {found}",
        "unknown_context",
    )


def _read_vc(
    doc: Mapping[str, Any],
    kind: CredentialFormat,
    location: SourceLocation,
    sink: Sink,
    envelope: Envelope,
    parent_record_id: str | None,
    jws: str | None,
    depth: int,
    max_nesting: int,
) -> str | None:
    version = _vc_version(doc, location)
    types = types_of(doc, "$")
    if "VerifiableCredential" not in types:
        raise FieldError("$.type", f"must include 'VerifiableCredential', found {list(types)!r}")
    ob3 = kind in (CredentialFormat.OB3, CredentialFormat.OB3_ENDORSEMENT, CredentialFormat.CLR2)
    # OB 3.0 / CLR 2.0 class-name checks collect here; other VCs are not held to them.
    ob3_notes: Notes = []
    notes: Notes | None = ob3_notes if ob3 else None
    if kind is CredentialFormat.OB3 and not set(types) & OB3_TYPES:
        ob3_notes.append(
            FieldError(
                "$.type",
                "an Open Badges 3.0 credential (its subject is an AchievementSubject) must include "
                f"'OpenBadgeCredential' or 'AchievementCredential', found {list(types)!r}",
                "nonconforming",
            )
        )
    credential_id = doc.get("id")
    if credential_id is not None and not isinstance(credential_id, str):
        raise FieldError("$.id", f"expected a string, found {describe(credential_id)}")
    if "issuer" not in doc:
        raise FieldError(
            "$.issuer", "missing; every credential must name its issuer", "missing_field"
        )
    issuer = _profile(doc["issuer"], "$.issuer", notes=notes)
    if "credentialSubject" not in doc:
        raise FieldError(
            "$.credentialSubject", "missing; every credential must have a subject", "missing_field"
        )
    subjects = as_mapping_list(doc["credentialSubject"], "$.credentialSubject")
    if not subjects:
        raise FieldError("$.credentialSubject", "is empty", "missing_field")
    subject_doc = subjects[0]
    spath = "$.credentialSubject"

    valid_from = opt_date(doc, "validFrom", "$")
    valid_until = opt_date(doc, "validUntil", "$")
    issuance = opt_date(doc, "issuanceDate", "$")
    if version == "1.1":
        valid_from = valid_from or issuance
        valid_until = valid_until or opt_date(doc, "expirationDate", "$")
    awarded = opt_date(doc, "awardedDate", "$")

    achievement: Achievement | None = None
    results: tuple[Result, ...] = ()
    identifiers: tuple[IdentityObject, ...] = ()
    if kind is CredentialFormat.OB3:
        expect_type(subject_doc, "AchievementSubject", spath, ob3_notes, required=True)
        if "achievement" in subject_doc:
            achievement = _achievement(
                subject_doc["achievement"], f"{spath}.achievement", notes=notes
            )
        else:
            ob3_notes.append(
                FieldError(
                    f"{spath}.achievement",
                    "missing; an Open Badges 3.0 credential must name its achievement",
                    "nonconforming",
                )
            )
        results = _results(subject_doc.get("result"), f"{spath}.result", notes=notes)
        source = subject_doc.get("source")
        if source is not None:
            _profile(source, f"{spath}.source", notes=notes)
    elif kind is CredentialFormat.OB3_ENDORSEMENT:
        expect_type(subject_doc, "EndorsementSubject", spath, ob3_notes, required=True)
    elif kind is CredentialFormat.CLR2:
        expect_type(subject_doc, "ClrSubject", spath, ob3_notes, required=True)
    elif isinstance(subject_doc.get("achievement"), Mapping):
        achievement = _achievement(subject_doc["achievement"], f"{spath}.achievement", notes=None)
    if ob3 or "identifier" in subject_doc:
        identifiers = _identity_objects(
            subject_doc.get("identifier"), f"{spath}.identifier", notes=notes
        )

    subject_id = subject_doc.get("id")
    if subject_id is not None and not isinstance(subject_id, str):
        raise FieldError(f"{spath}.id", f"expected a string, found {describe(subject_id)}")
    subject = Subject(
        id=subject_id,
        type=types_of(subject_doc, spath),
        name=opt_str(subject_doc, "name", spath),
        identifiers=identifiers,
    )
    evidence = _evidence(doc.get("evidence"), "$.evidence", notes=notes)
    proofs = _proofs(doc.get("proof"), "$.proof")
    status = _status(doc.get("credentialStatus"), "$.credentialStatus")

    name = opt_str(doc, "name", "$")
    description = opt_str(doc, "description", "$")
    endorsement_comment = (
        opt_str(subject_doc, "endorsementComment", spath)
        if kind is CredentialFormat.OB3_ENDORSEMENT
        else None
    )
    references = (
        ler_rs_references(subject_doc, "/credentialSubject")
        if kind is CredentialFormat.LER_RS
        else ()
    )
    record_id = record_id_for(location)
    warnings = tuple(f"{note.path}: {note.message}" for note in notes or ())
    for warning in warnings:
        sink.problems.append(
            Problem(location, "nonconforming", warning, severity="warning", record_id=record_id)
        )
    # Nested records are read after this one's own fields have passed, so a bad
    # parent does not leave orphans behind, and before the record is built, so
    # it can list the endorsements it carries; the parent keeps its place first.
    position = len(sink.credentials)
    endorsements: list[str] = []
    if depth < max_nesting:
        endorsements = _read_endorsements(
            doc, subject_doc, location, sink, record_id, depth, max_nesting
        )
        if kind is CredentialFormat.CLR2:
            _read_clr_members(subject_doc, location, sink, record_id, depth, max_nesting)
        if kind is CredentialFormat.LER_RS:
            _read_ler_rs_members(
                subject_doc, location.at("/credentialSubject"), sink, record_id, depth, max_nesting
            )
    else:
        sink.problem(
            location,
            "nested_too_deeply",
            f"nested credentials below level {max_nesting} were not read",
        )

    sink.credentials.insert(
        position,
        Credential(
            record_id=record_id,
            id=credential_id,
            format=kind,
            envelope=envelope,
            types=types,
            issuer=issuer,
            subject=subject,
            source=location,
            vc_version=version,
            name=name,
            description=description,
            achievement=achievement,
            results=results,
            evidence=evidence,
            issued=issuance or valid_from or awarded,
            valid_from=valid_from,
            valid_until=valid_until,
            awarded=awarded,
            proofs=proofs,
            status=status,
            contexts=_contexts(doc),
            parent_record_id=parent_record_id,
            endorsement_record_ids=tuple(endorsements),
            references=references,
            warnings=warnings,
            endorsement_comment=endorsement_comment,
            jws=jws,
            **sink.document_fields(doc, location),
        ),
    )
    return record_id


def _nested(
    item: Any,
    location: SourceLocation,
    sink: Sink,
    parent: str,
    depth: int,
    max_nesting: int,
) -> str | None:
    """Read a credential embedded in another, as JSON or as a compact JWS."""
    if isinstance(item, str) and sink.decode_jws is not None:
        return sink.decode_jws(item, location, sink, parent, depth + 1)
    return read_document(
        item, location, sink, parent_record_id=parent, depth=depth + 1, max_nesting=max_nesting
    )


def _read_endorsements(
    doc: Mapping[str, Any],
    subject_doc: Mapping[str, Any],
    location: SourceLocation,
    sink: Sink,
    record_id: str,
    depth: int,
    max_nesting: int,
) -> list[str]:
    found: list[str] = []
    holders: list[tuple[Any, str]] = [(doc, "")]
    achievement = subject_doc.get("achievement")
    if isinstance(achievement, Mapping):
        holders.append((achievement, "/credentialSubject/achievement"))
    issuer = doc.get("issuer")
    if isinstance(issuer, Mapping):
        holders.append((issuer, "/issuer"))
    for holder, pointer in holders:
        for key in ("endorsement", "endorsementJwt"):
            items = as_list(holder.get(key))
            for index, item in enumerate(items):
                where = location.at(f"{pointer}/{key}/{index}")
                nested = _nested(item, where, sink, record_id, depth, max_nesting)
                if nested is not None:
                    found.append(nested)
    return found


def _read_clr_members(
    subject_doc: Mapping[str, Any],
    location: SourceLocation,
    sink: Sink,
    record_id: str,
    depth: int,
    max_nesting: int,
) -> None:
    members = subject_doc.get("verifiableCredential")
    for index, item in enumerate(as_list(members)):
        where = location.at(f"/credentialSubject/verifiableCredential/{index}")
        _nested(item, where, sink, record_id, depth, max_nesting)


def _read_ler_rs_members(
    body: Mapping[str, Any],
    location: SourceLocation,
    sink: Sink,
    record_id: str,
    depth: int,
    max_nesting: int,
) -> None:
    """Read credentials embedded in an LER-RS document's ``verifications`` lists.

    A verification is an embedded credential (JSON or JWS) or a ``reference`` to
    one held elsewhere; references are listed on the record, never fetched.
    """
    for section in (
        "educationAndLearnings",
        "certifications",
        "employmentHistories",
        "licenses",
        "skills",
    ):
        for index, entry in enumerate(as_list(body.get(section))):
            if not isinstance(entry, Mapping):
                continue
            for vindex, item in enumerate(as_list(entry.get("verifications"))):
                where = location.at(f"/{section}/{index}/verifications/{vindex}")
                if isinstance(item, Mapping) and set(item) <= {"reference", "name", "type"}:
                    continue  # a reference, recorded in the LER-RS references table
                _nested(item, where, sink, record_id, depth, max_nesting)


def ler_rs_references(body: Mapping[str, Any], prefix: str) -> tuple[CredentialReference, ...]:
    """Every credential an LER-RS document references by URL instead of embedding."""
    found = []
    for section in (
        "educationAndLearnings",
        "certifications",
        "employmentHistories",
        "licenses",
        "skills",
    ):
        for index, entry in enumerate(as_list(body.get(section))):
            if not isinstance(entry, Mapping):
                continue
            for vindex, item in enumerate(as_list(entry.get("verifications"))):
                if isinstance(item, Mapping) and isinstance(item.get("reference"), str):
                    name = entry.get("name")
                    found.append(
                        CredentialReference(
                            f"{prefix}/{section}/{index}/verifications/{vindex}",
                            item["reference"],
                            name if isinstance(name, str) else None,
                        )
                    )
    return tuple(found)


def _person_name(body: Mapping[str, Any]) -> str | None:
    person = body.get("person")
    if isinstance(person, Mapping) and isinstance(person.get("name"), Mapping):
        formatted = person["name"].get("formattedName")
        if isinstance(formatted, str):
            return formatted
    return None


def _read_bare_ler_rs(
    doc: Mapping[str, Any],
    location: SourceLocation,
    sink: Sink,
    parent_record_id: str | None,
    depth: int,
    max_nesting: int,
) -> str:
    """An LER-RS resume document not wrapped in a Verifiable Credential."""
    # Own fields first, so a bad document leaves no nested records behind.
    types = types_of(doc, "$")
    document_id = doc.get("documentId")
    resume_id = (
        opt_str(document_id, "value", "$.documentId") if isinstance(document_id, Mapping) else None
    )
    references = ler_rs_references(doc, "")
    record_id = record_id_for(location)
    position = len(sink.credentials)
    _read_ler_rs_members(doc, location, sink, record_id, depth, max_nesting)
    sink.credentials.insert(
        position,
        Credential(
            record_id=record_id,
            id=resume_id,
            format=CredentialFormat.LER_RS,
            envelope=Envelope.JSON,
            types=types,
            issuer=Issuer(id=None),
            subject=Subject(id=None, name=_person_name(doc)),
            source=location,
            name="LER-RS resume",
            parent_record_id=parent_record_id,
            references=references,
            **sink.document_fields(doc, location),
        ),
    )
    return record_id


def _read_ob2(
    doc: Mapping[str, Any],
    location: SourceLocation,
    sink: Sink,
    envelope: Envelope,
    parent_record_id: str | None,
    jws: str | None,
) -> str:
    """An Open Badges 2.0 Assertion (hosted JSON or the payload of a signed one)."""
    assertion_id = doc.get("id")
    if assertion_id is not None and not isinstance(assertion_id, str):
        raise FieldError("$.id", f"expected a string, found {describe(assertion_id)}")
    if "recipient" not in doc:
        raise FieldError(
            "$.recipient",
            "missing; an Open Badges 2.0 assertion must name its recipient",
            "missing_field",
        )
    recipient = doc["recipient"]
    if not isinstance(recipient, Mapping):
        raise FieldError("$.recipient", f"expected an IdentityObject, found {describe(recipient)}")
    identity = recipient.get("identity")
    if not isinstance(identity, str):
        raise FieldError(
            "$.recipient.identity",
            f"expected a string, found {describe(identity)}",
            "missing_field",
        )
    hashed = recipient.get("hashed", False)
    if not isinstance(hashed, bool):
        raise FieldError("$.recipient.hashed", f"expected true or false, found {describe(hashed)}")
    if "badge" not in doc:
        raise FieldError(
            "$.badge",
            "missing; an Open Badges 2.0 assertion must name its BadgeClass",
            "missing_field",
        )
    badge = doc["badge"]
    achievement = _achievement(badge, "$.badge", notes=None)
    issuer = Issuer(id=None)
    if isinstance(badge, Mapping) and "issuer" in badge:
        issuer = _profile(badge["issuer"], "$.badge.issuer", notes=None)
    if "issuedOn" not in doc:
        raise FieldError(
            "$.issuedOn",
            "missing; an Open Badges 2.0 assertion must say when it was issued",
            "missing_field",
        )
    issued = opt_date(doc, "issuedOn", "$")
    verification = doc.get("verification")
    verification_type = None
    if isinstance(verification, Mapping):
        verification_type = opt_str(verification, "type", "$.verification")
    proofs: tuple[ProofInfo, ...] = ()
    if verification_type is not None:
        proofs = (ProofInfo(type=f"OB2 {verification_type}"),)
    record_id = record_id_for(location)
    sink.credentials.append(
        Credential(
            record_id=record_id,
            id=assertion_id,
            format=CredentialFormat.OB2,
            envelope=envelope,
            types=types_of(doc, "$"),
            issuer=issuer,
            subject=Subject(
                id=None,
                identifiers=(
                    IdentityObject(
                        identity_type=opt_str(recipient, "type", "$.recipient"),
                        hashed=hashed,
                        identity_hash=identity,
                        salt=opt_str(recipient, "salt", "$.recipient"),
                    ),
                ),
            ),
            source=location,
            name=achievement.name,
            description=achievement.description,
            achievement=achievement,
            evidence=_evidence(doc.get("evidence"), "$.evidence", notes=None),
            issued=issued,
            valid_from=issued,
            valid_until=opt_date(doc, "expires", "$"),
            proofs=proofs,
            contexts=_contexts(doc),
            parent_record_id=parent_record_id,
            jws=jws,
            **sink.document_fields(doc, location),
        )
    )
    return record_id
