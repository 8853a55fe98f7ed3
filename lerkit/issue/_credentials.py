"""Sign a credential: Data Integrity proofs or a VC-JWT, checked against the issuer key."""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from lerkit._jws import split_compact
from lerkit.issue._errors import IssueError
from lerkit.issue._keys import IssuerKey, KeyType
from lerkit.proofs._jose import sign_jws
from lerkit.proofs._suites import sign

__all__ = [
    "IssuedCredential",
    "JwtForm",
    "ProofFormat",
    "format_datetime",
    "issue_credential",
]

#: How :func:`issue_credential` secures a credential.
ProofFormat = Literal["eddsa-rdfc-2022", "Ed25519Signature2020", "ecdsa-rdfc-2019", "jwt"]
#: The VC-JWT forms: Open Badges 3.0 / CLR 2.0 (the credential's members and the
#: registered claims, ``typ: JWT``), VC-JOSE-COSE (the credential alone, ``typ: vc+jwt``)
#: or the VC 1.1 ``vc`` claim.
JwtForm = Literal["ob3", "vc-jose", "vc-claim"]

PROOF_FORMATS: tuple[str, ...] = get_args(ProofFormat)
_JWT_FORMS: tuple[str, ...] = get_args(JwtForm)
# Which key each Data Integrity suite signs with.
_SUITE_KEY: dict[str, KeyType] = {
    "eddsa-rdfc-2022": "Ed25519",
    "Ed25519Signature2020": "Ed25519",
    "ecdsa-rdfc-2019": "P-256",
}
_VC1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
_VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
_DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v2"
# 1EdTech's Open Badges 3.0 and CLR 2.0 types: their JSON Schemas require "proof" to be
# an array, and their JWT proof format is the "ob3" form
_1EDTECH_TYPES = frozenset(
    {"AchievementCredential", "OpenBadgeCredential", "EndorsementCredential", "ClrCredential"}
)
# The JWT registered claims the OB 3.0 and VC 1.1 JWT forms set from credential members
_REGISTERED_CLAIMS = ("iss", "sub", "nbf", "jti", "exp")
_SLUG = re.compile(r"[^a-z0-9]+")
_DATETIME = re.compile(
    r"-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T"
    r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
)


def format_datetime(value: datetime | str, name: str = "date") -> str:
    """An XML Schema dateTime with a time zone, as credentials carry dates.

    A UTC datetime becomes ``YYYY-MM-DDThh:mm:ssZ`` (microseconds dropped); a string is
    checked and returned unchanged.

    Raises
    ------
    IssueError
        ``invalid_argument`` for a naive datetime or a string that is not a dateTime with
        a time zone.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> format_datetime(datetime(2025, 3, 1, 9, 30, tzinfo=UTC))
    '2025-03-01T09:30:00Z'
    """
    if isinstance(value, datetime):
        offset = value.utcoffset()
        if offset is None:
            raise IssueError(
                f"{name} {value.isoformat()!r} has no time zone; pass an aware datetime "
                "(e.g. tzinfo=datetime.UTC)",
                code="invalid_argument",
            )
        moment = value.replace(microsecond=0)
        if offset.total_seconds() == 0:
            return moment.replace(tzinfo=None).isoformat() + "Z"
        return moment.isoformat()
    if not isinstance(value, str) or _DATETIME.fullmatch(value) is None:
        raise IssueError(
            f"{name} {value!r} is not a date-time with a time zone (e.g. '2025-03-01T09:30:00Z')",
            code="invalid_argument",
        )
    return value


def parse_datetime(value: str, name: str = "date") -> datetime:
    """Parse a credential date (``Z`` or an offset required) into an aware datetime."""
    text = format_datetime(value, name)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True, slots=True)
class IssuedCredential:
    """A signed credential: a JSON-LD document with a proof, or a compact VC-JWT.

    Attributes
    ----------
    document : dict or None
        The secured document (Data Integrity proofs); None for a JWT.
    jwt : str or None
        The compact token; None for a Data Integrity credential.
    proof_type : str
        ``"eddsa-rdfc-2022"``, ``"Ed25519Signature2020"``, ``"ecdsa-rdfc-2019"`` or
        ``"jwt"``.
    jwt_form : {"ob3", "vc-jose", "vc-claim"} or None
        For a JWT, which form it takes (see :func:`issue_credential`).

    Examples
    --------
    >>> from lerkit.issue import demo_credentials, generate_key
    >>> [issued] = demo_credentials(1, generate_key(seed=bytes(32)), seed=3)
    >>> issued.suggested_filename
    'powered-industrial-truck-operator-certification-042ceae3.json'
    """

    document: dict[str, Any] | None
    jwt: str | None
    proof_type: str
    jwt_form: JwtForm | None = None

    @property
    def credential(self) -> dict[str, Any]:
        """The credential itself, unverified.

        For a JWT: the payload (``vc-jose``), the ``vc`` claim (``vc-claim``), or the
        payload without the registered claims ``iss``, ``sub``, ``nbf``, ``jti`` and
        ``exp`` that :func:`issue_credential` added (``ob3``). A copy: changing it does
        not change what was signed.
        """
        if self.document is not None:
            return copy.deepcopy(self.document)
        assert self.jwt is not None
        payload = split_compact(self.jwt).payload_json or {}
        if self.jwt_form == "vc-claim":
            inner = payload.get("vc")
            return dict(inner) if isinstance(inner, dict) else {}
        if self.jwt_form == "ob3":
            return {k: v for k, v in payload.items() if k not in _REGISTERED_CLAIMS}
        return payload

    @property
    def extension(self) -> str:
        """``".json"`` for a document, ``".jwt"`` for a token."""
        return ".json" if self.document is not None else ".jwt"

    @property
    def suggested_filename(self) -> str:
        """A file name from the credential's name and a digest of its id.

        Deterministic: the same credential always gets the same name, and different
        credential ids get different names.
        """
        credential = self.credential
        name = credential.get("name")
        if not isinstance(name, str) or not name:
            name = "credential"
        slug = _SLUG.sub("-", name.lower()).strip("-")[:48].rstrip("-") or "credential"
        ident = credential.get("id")
        basis = ident if isinstance(ident, str) and ident else self.serialize().decode("utf-8")
        digest = hashlib.sha256(basis.encode("utf-8")).hexdigest()[:8]
        return f"{slug}-{digest}{self.extension}"

    def serialize(self) -> bytes:
        """The file contents: indented JSON, or the compact token, each with a final newline."""
        if self.document is not None:
            text = json.dumps(self.document, indent=2, ensure_ascii=False)
            return (text + "\n").encode("utf-8")
        assert self.jwt is not None
        return (self.jwt + "\n").encode("ascii")


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        value = issuer.get("id")
        return value if isinstance(value, str) else None
    return issuer if isinstance(issuer, str) else None


def _with_issuer(credential: dict[str, Any], key: IssuerKey) -> dict[str, Any]:
    issuer = credential.get("issuer")
    if issuer is None:
        credential["issuer"] = key.did
        return credential
    if isinstance(issuer, Mapping) and "id" not in issuer:
        credential["issuer"] = {"id": key.did, **issuer}
        return credential
    named = _issuer_id(credential)
    if named != key.did:
        raise IssueError(
            f"the credential's issuer is {named!r} but the signing key belongs to "
            f"{key.did!r}; a verifier would reject the mismatch (leave the issuer out to "
            "have it set from the key)",
            code="issuer_mismatch",
        )
    return credential


def created_default(credential: Mapping[str, Any]) -> str:
    """The proof ``created`` lerkit uses when none is given: the credential's own start."""
    for name in ("validFrom", "issuanceDate"):
        value = credential.get(name)
        if isinstance(value, str):
            return format_datetime(value, name)
    raise IssueError(
        "the credential has no validFrom (or issuanceDate) to date the proof from; "
        "pass created=...",
        code="invalid_argument",
    )


def _timestamp(credential: Mapping[str, Any], *names: str) -> int | None:
    for name in names:
        value = credential.get(name)
        if isinstance(value, str):
            # a NumericDate of whole seconds: any fraction is dropped
            return math.floor(parse_datetime(value, name).timestamp())
    return None


def _date_names(credential: Mapping[str, Any]) -> tuple[tuple[str, str], tuple[str, str]]:
    """Which members ``nbf`` and ``exp`` stand for, the data model's own names first.

    VC 1.1 (and its JWT encoding) has issuanceDate and expirationDate; VC 2.0, and OB 3.0
    written for it, validFrom and validUntil.
    """
    contexts = credential.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    if first == _VC1_CONTEXT:
        return ("issuanceDate", "validFrom"), ("expirationDate", "validUntil")
    return ("validFrom", "issuanceDate"), ("validUntil", "expirationDate")


def _subject_id(credential: Mapping[str, Any]) -> str | None:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if isinstance(subject, Mapping) and isinstance(subject.get("id"), str):
        return str(subject["id"])
    return None


def _registered_claims(credential: Mapping[str, Any], issuer: str) -> dict[str, Any]:
    """``iss``, ``sub``, ``nbf``, ``jti`` and ``exp`` from the credential's members.

    As VC Data Model 1.1 section 6.3.1 and Open Badges 3.0 section 8.2 map them: the
    issuer id, the (single) subject's id, the start and end dates as NumericDates, and
    the credential id. ``sub``, ``jti`` and ``exp`` are left out when the credential has
    no such member; ``nbf`` is required.
    """
    claims: dict[str, Any] = {"iss": issuer}
    subject = _subject_id(credential)
    if subject is not None:
        claims["sub"] = subject
    starts, ends = _date_names(credential)
    nbf = _timestamp(credential, *starts)
    if nbf is None:
        raise IssueError(
            "a VC-JWT needs the credential's validFrom (or issuanceDate) for its nbf claim",
            code="invalid_argument",
        )
    claims["nbf"] = nbf
    if isinstance(credential.get("id"), str):
        claims["jti"] = credential["id"]
    exp = _timestamp(credential, *ends)
    if exp is not None:
        claims["exp"] = exp
    return claims


def _vc_claims(credential: dict[str, Any], issuer: str) -> dict[str, Any]:
    """The VC 1.1 JWT claims (VC Data Model 1.1, section 6.3.1)."""
    return {**_registered_claims(credential, issuer), "vc": credential}


def _ob3_claims(credential: dict[str, Any], issuer: str) -> dict[str, Any]:
    """The OB 3.0 VC-JWT payload: the credential's members, then the registered claims."""
    claims = _registered_claims(credential, issuer)
    for name, value in claims.items():
        if name in credential and credential[name] != value:
            raise IssueError(
                f"the credential has its own {name!r} member ({credential[name]!r}), but an "
                f"Open Badges 3.0 VC-JWT sets the {name!r} claim beside the credential's "
                f"members to {value!r}; the two would disagree (remove the member, or use "
                "jwt_form='vc-jose')",
                code="invalid_argument",
            )
    return {**credential, **claims}


def _is_1edtech(credential: Mapping[str, Any]) -> bool:
    types = credential.get("type")
    listed = types if isinstance(types, list) else [types]
    return any(isinstance(t, str) and t in _1EDTECH_TYPES for t in listed)


def check_key_for_proof(key: IssuerKey, proof: str) -> None:
    """Raise unless ``proof`` is a format lerkit issues and ``key`` can sign it."""
    if proof not in PROOF_FORMATS:
        raise IssueError(
            f"proof {proof!r} is not one lerkit issues (choose from {', '.join(PROOF_FORMATS)})",
            code="unsupported_proof",
        )
    needed = _SUITE_KEY.get(proof)
    if needed is not None and key.kind != needed:
        raise IssueError(
            f"{proof} signs with an {needed} key, but the key {key.did} is {key.kind}; "
            + (
                "use ecdsa-rdfc-2019 or jwt with a P-256 key"
                if key.kind == "P-256"
                else "use eddsa-rdfc-2022, Ed25519Signature2020 or jwt with an Ed25519 key"
            ),
            code="key_type_mismatch",
        )


def _issue_jwt(unsigned: dict[str, Any], key: IssuerKey, form: JwtForm | None) -> IssuedCredential:
    chosen: JwtForm = form or ("ob3" if _is_1edtech(unsigned) else "vc-jose")
    if chosen != "vc-claim":
        clash = [name for name in ("vc", "vp") if name in unsigned]
        if clash:
            # VC-JOSE-COSE forbids these claims: a verifier would take the payload for a
            # VC 1.1 JWT and read the credential from them
            raise IssueError(
                f"the credential has a top-level {clash[0]!r} member; a VC-JWT whose payload "
                f"is the credential cannot carry it (a verifier would read the {clash[0]!r} "
                "claim as a VC 1.1 JWT's credential)",
                code="invalid_argument",
            )
    kid = key.verification_method
    if chosen == "ob3":
        claims = _ob3_claims(unsigned, key.did)
        token = sign_jws(claims, key.private_key, kid=kid, typ="JWT")
    elif chosen == "vc-jose":
        token = sign_jws(unsigned, key.private_key, kid=kid, typ="vc+jwt", cty="vc")
    else:
        token = sign_jws(_vc_claims(unsigned, key.did), key.private_key, kid=kid, typ="JWT")
    return IssuedCredential(document=None, jwt=token, proof_type="jwt", jwt_form=chosen)


def issue_credential(
    credential: Mapping[str, Any],
    key: IssuerKey,
    *,
    proof: ProofFormat = "eddsa-rdfc-2022",
    created: datetime | str | None = None,
    jwt_form: JwtForm | None = None,
) -> IssuedCredential:
    """Sign a credential with an issuer key.

    Parameters
    ----------
    credential : Mapping
        The unsigned credential (not modified). A missing ``issuer`` is set to
        ``key.did``; an issuer object without ``id`` gets ``key.did`` as its id. A VC 1.1
        credential signed with a Data Integrity cryptosuite gets the Data Integrity
        context (``https://w3id.org/security/data-integrity/v2``) appended, as VC 1.1
        issuers do, because its own context does not define the proof's terms.
    key : IssuerKey
        The issuer's key.
    proof : {"eddsa-rdfc-2022", "Ed25519Signature2020", "ecdsa-rdfc-2019", "jwt"}
        A Data Integrity proof embedded in the document, or a compact VC-JWT. The first
        two need an Ed25519 key, ``ecdsa-rdfc-2019`` a P-256 key; ``jwt`` signs EdDSA or
        ES256 to match the key.
    created : datetime or str, optional
        The proof's ``created``. Default: the credential's ``validFrom`` (or
        ``issuanceDate``), so the same input always gives the same output; no clock is
        read.
    jwt_form : {"ob3", "vc-jose", "vc-claim"}, optional
        For ``proof="jwt"``, which VC-JWT to make; the header ``kid`` is the key's
        verification method in each.

        - ``"ob3"``: Open Badges 3.0 section 8.2 (and CLR 2.0, which uses it). The payload
          is the credential's members plus the registered claims ``iss`` (issuer id),
          ``sub`` (the subject's id, when it has one), ``nbf`` (``validFrom``, or
          ``issuanceDate`` for VC 1.1, as a NumericDate), ``jti`` (``id``) and ``exp``
          (``validUntil`` / ``expirationDate``, when there is one); header ``alg``,
          ``typ: JWT`` and ``kid`` only, as OB 3.0 allows no other header.
        - ``"vc-jose"``: VC-JOSE-COSE. The payload is the credential alone; header
          ``typ: vc+jwt``, ``cty: vc``.
        - ``"vc-claim"``: the VC 1.1 JWT. Claims ``iss``, ``sub``, ``nbf``, ``jti``,
          ``exp`` and the credential in ``vc``; header ``typ: JWT``.

        Default: ``"ob3"`` for Open Badges 3.0 and CLR 2.0 credentials
        (``AchievementCredential``, ``OpenBadgeCredential``, ``EndorsementCredential``,
        ``ClrCredential``), which is what OB 3.0 verifiers accept; ``"vc-jose"`` for any
        other credential. Ignored for Data Integrity proofs.

    Returns
    -------
    IssuedCredential
        Open Badges 3.0 and CLR 2.0 credentials carry their proof as a one-element array,
        as 1EdTech's JSON Schemas require; other credentials carry a single proof object.

    Raises
    ------
    IssueError
        ``issuer_mismatch``, ``key_type_mismatch``, ``unsupported_proof``,
        ``already_signed``; ``invalid_argument`` (among others: a JWT of a credential
        without ``validFrom``/``issuanceDate`` for ``nbf``, a credential whose own
        ``iss``/``sub``/``nbf``/``jti``/``exp`` member disagrees with the claim ``"ob3"``
        sets, or a ``vc``/``vp`` member in a payload that is the credential).
    ProofError
        When the document cannot be canonicalized (e.g. a term no ``@context`` defines:
        it would silently drop out of what is signed).

    Examples
    --------
    >>> from lerkit.issue import generate_key
    >>> key = generate_key(seed=bytes(32))
    >>> vc = {"@context": ["https://www.w3.org/ns/credentials/v2"],
    ...       "type": ["VerifiableCredential"], "validFrom": "2025-01-01T00:00:00Z",
    ...       "credentialSubject": {"id": "did:example:learner"}}
    >>> issued = issue_credential(vc, key)
    >>> issued.document["issuer"] == key.did, issued.document["proof"]["cryptosuite"]
    (True, 'eddsa-rdfc-2022')
    >>> issue_credential(vc, key, proof="jwt").jwt_form
    'vc-jose'
    """
    check_key_for_proof(key, proof)
    if not isinstance(credential, Mapping):
        raise IssueError(
            f"a credential must be a JSON object, not {type(credential).__name__}",
            code="invalid_argument",
        )
    if "proof" in credential:
        raise IssueError(
            "the credential already has a proof; remove it before signing again",
            code="already_signed",
        )
    if jwt_form is not None and jwt_form not in _JWT_FORMS:
        raise IssueError(
            f"jwt_form must be one of {list(_JWT_FORMS)}, got {jwt_form!r}",
            code="invalid_argument",
        )
    unsigned = _with_issuer(copy.deepcopy(dict(credential)), key)
    if proof == "jwt":
        return _issue_jwt(unsigned, key, jwt_form)
    contexts = unsigned.get("@context")
    listed = contexts if isinstance(contexts, list) else [contexts]
    if (
        proof in ("eddsa-rdfc-2022", "ecdsa-rdfc-2019")
        and _VC1_CONTEXT in listed
        and _VC2_CONTEXT not in listed
        and _DATA_INTEGRITY_CONTEXT not in listed
    ):
        # The VC 1.1 context predates DataIntegrityProof and does not define its terms;
        # without this context they would drop out of what is signed.
        unsigned["@context"] = [*listed, _DATA_INTEGRITY_CONTEXT]
    when = format_datetime(created, "created") if created is not None else None
    signed, _ = sign(
        unsigned,
        proof,
        key.private_key,
        key.verification_method,
        created=when if when is not None else created_default(unsigned),
    )
    if _is_1edtech(unsigned):
        signed["proof"] = [signed["proof"]]
    return IssuedCredential(document=signed, jwt=None, proof_type=proof)
