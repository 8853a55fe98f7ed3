"""The verification pipeline: one credential in, a :class:`VerificationReport` out."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from lerkit._jws import DecodedJws, looks_like_compact_jws, split_compact
from lerkit.contexts import ContextError, DocumentLoader, default_loader
from lerkit.dids import (
    DidError,
    DidWebFolder,
    VerificationMethod,
    controller_matches_issuer,
    resolve_verification_method,
)
from lerkit.errors import ParseError, VerificationError
from lerkit.model import Credential, Envelope
from lerkit.proofs import ProofArtifacts, ProofError, suite_for_proof, verify_proof
from lerkit.proofs._jose import JoseArtifacts, verify_decoded_jws, verify_jws
from lerkit.status import FolderStatusLists, StatusError, StatusListSource, check_status
from lerkit.verify._report import (
    CHECK_NAMES,
    Check,
    CheckStatus,
    VerificationReport,
    overall_status,
)
from lerkit.verify._schemas import check_schema
from lerkit.verify._trust import TrustList

__all__ = ["Verifier", "VerifyOptions", "verify"]

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
_STATUS_TYPES = ("BitstringStatusListEntry", "StatusList2021Entry")
_NOT_ATTEMPTED = "not attempted: the credential could not be parsed"

Fetch = Callable[[str], bytes]


@dataclass(frozen=True)
class VerifyOptions:
    """How to verify: where keys, status lists and known issuers come from.

    Nothing here reaches the network unless ``allow_network`` is True *and* a ``fetch``
    function is given; lerkit has no HTTP client of its own.

    Attributes
    ----------
    trust : TrustList, optional
        Known issuers; the ``issuer_known`` check is skipped without one.
    status_lists : StatusListSource or path, optional
        Where status list credentials come from (a folder, see
        :class:`~lerkit.status.FolderStatusLists`). Without one, a credential that has a
        ``credentialStatus`` is ``indeterminate``: its status cannot be known.
    did_web : DidWebFolder or path, optional
        Local copies of ``did:web`` DID documents.
    issuer_profiles : mapping, optional
        Trusted copies of HTTPS issuer profiles (by profile URL) listing their keys.
    now : datetime, optional
        The moment to check dates against (default: the current time, per credential).
    allow_network : bool
        Let ``fetch`` download did:web documents, issuer profiles and status lists.
    fetch : callable, optional
        ``fetch(url) -> bytes`` for the downloads above (https only).
    trust_fragment_keys : bool
        Accept a key written in the fragment of an HTTPS verification method URL without
        checking the issuer's profile lists it (the check then shows a warning).
    schema : bool
        Run the OB 3.0 / CLR 2.0 JSON Schema check.
    loader : DocumentLoader, optional
        JSON-LD contexts (default: lerkit's pinned offline store).
    """

    trust: TrustList | None = None
    status_lists: StatusListSource | str | os.PathLike[str] | None = None
    did_web: DidWebFolder | str | os.PathLike[str] | None = None
    issuer_profiles: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    now: datetime | None = None
    allow_network: bool = False
    fetch: Fetch | None = None
    trust_fragment_keys: bool = False
    schema: bool = True
    loader: DocumentLoader | None = None


@dataclass
class _Input:
    document: Mapping[str, Any] | None
    jws: str | None = None
    securing: str = "none"
    source: str | None = None
    parse_error: str | None = None
    unsupported: str | None = None
    jwt_claims: Mapping[str, Any] = field(default_factory=dict)
    jwt_header: Mapping[str, Any] = field(default_factory=dict)
    #: the token as split_compact decoded it, so that the signature check need not again
    decoded: DecodedJws | None = None


@dataclass
class _Run:
    """Checks gathered while verifying one credential."""

    results: dict[str, Check] = field(default_factory=dict)
    artifacts: list[ProofArtifacts | JoseArtifacts] = field(default_factory=list)
    proof_types: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    nested: tuple[VerificationReport, ...] = ()

    def set(self, name: str, status: CheckStatus, detail: str, code: str | None = None) -> None:
        self.results[name] = Check(name, status, detail, code)

    def status_of(self, name: str) -> CheckStatus | None:
        found = self.results.get(name)
        return found.status if found else None


@dataclass
class _ListOutcome:
    credential: Mapping[str, Any] | None
    location: str | None
    problem: str | None
    code: str | None = None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _issuer_id(document: Mapping[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) and issuer else None


def _vc_version(document: Mapping[str, Any]) -> str | None:
    contexts = _as_list(document.get("@context"))
    if contexts and contexts[0] == VC_V2:
        return "2.0"
    if contexts and contexts[0] == VC_V1:
        return "1.1"
    return None


def _parse_date(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date-time string")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        # XML Schema dateTime without an offset: read as UTC, as other verifiers do.
        moment = moment.replace(tzinfo=UTC)
    return moment


def _from_epoch(value: Any) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{value!r} is not a NumericDate")
    return datetime.fromtimestamp(value, UTC)


def _jwt_credential(claims: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """The credential a VC-JWT carries, and which of the two shapes it used."""
    vc = claims.get("vc")
    if vc is None:
        return dict(claims), "vc-jose-cose"
    if not isinstance(vc, Mapping):
        raise ValueError("the JWT's vc claim is not a JSON object")
    credential = dict(vc)
    # VC 1.1 JWT encoding: registered claims stand in for credential properties.
    if "issuer" not in credential and isinstance(claims.get("iss"), str):
        credential["issuer"] = claims["iss"]
    if "id" not in credential and isinstance(claims.get("jti"), str):
        credential["id"] = claims["jti"]
    # (VC 1.1 section 6.3.1: nbf stands in for issuanceDate; an unreadable nbf is left
    # to the date checks, which report it)
    nbf = claims.get("nbf")
    if "issuanceDate" not in credential and isinstance(nbf, int | float):
        with contextlib.suppress(OverflowError, OSError, ValueError):
            stamp = datetime.fromtimestamp(nbf, UTC).isoformat().replace("+00:00", "Z")
            credential["issuanceDate"] = stamp
    subject = credential.get("credentialSubject")
    if isinstance(subject, Mapping) and "id" not in subject and isinstance(claims.get("sub"), str):
        credential["credentialSubject"] = {**subject, "id": claims["sub"]}
    return credential, "vc-jwt"


def _identity_claim_mismatches(claims: Mapping[str, Any], document: Mapping[str, Any]) -> list[str]:
    """Where the JWT's ``jti`` or ``sub`` names another credential or subject.

    Compared only when the credential has the member too: VC-JOSE-COSE makes the claims
    optional, and a VC 1.1 JWT may leave the member to the claim. ``sub`` is compared
    with the id of a single subject only.
    """
    found: list[str] = []
    jti = claims.get("jti")
    if jti is not None and "id" in document and document["id"] != jti:
        found.append(f"the JWT jti {jti!r} is not the credential's id {document['id']!r}")
    sub = claims.get("sub")
    subjects = _as_list(document.get("credentialSubject"))
    if sub is not None and len(subjects) == 1 and isinstance(subjects[0], Mapping):
        subject = subjects[0]
        if "id" in subject and subject["id"] != sub:
            found.append(f"the JWT sub {sub!r} is not the credentialSubject's id {subject['id']!r}")
    return found


def _date_claim_mismatch(
    claims: Mapping[str, Any], document: Mapping[str, Any], claim: str, names: tuple[str, str]
) -> str | None:
    """Where the JWT's ``nbf`` or ``exp`` is not the credential's own date, or None.

    ``names``: the members the claim stands for, the data model's own first (VC 1.1
    issuanceDate / expirationDate, VC 2.0 validFrom / validUntil); the first one the
    credential has is compared. They agree within a second: issuers make the NumericDate
    of a date with a fraction of a second by dropping or rounding the fraction. Raises
    ValueError (or OverflowError, OSError) for a date that cannot be read.
    """
    name = next((n for n in names if n in document), None)
    if claim not in claims or name is None:
        return None
    stated = _parse_date(document[name])
    moment = _from_epoch(claims[claim])
    if abs(stated.timestamp() - claims[claim]) < 1:
        return None
    return f"the JWT {claim} ({moment.isoformat()}) is not the credential's {name} {document[name]}"


def _decode_token(token: str, source: str | None) -> _Input:
    try:
        decoded = split_compact(token)
    except ParseError as err:
        return _Input(None, jws=token, securing="vc-jwt", source=source, parse_error=str(err))
    claims = decoded.payload_json
    if not isinstance(claims, Mapping):
        return _Input(
            None,
            jws=token,
            securing="vc-jwt",
            source=source,
            parse_error="the JWS payload is not a JSON object",
        )
    try:
        credential, securing = _jwt_credential(claims)
    except ValueError as err:
        return _Input(None, jws=token, securing="vc-jwt", source=source, parse_error=str(err))
    return _Input(
        credential,
        jws=token.strip(),
        securing=securing,
        source=source,
        jwt_claims=claims,
        jwt_header=decoded.header,
        decoded=decoded,
    )


def _normalize(credential: Any, source: str | None) -> _Input:
    if isinstance(credential, Credential):
        where = source or str(credential.source)
        if credential.envelope == Envelope.OB2_JWS or credential.format.value == "ob2":
            return _Input(
                credential.document,
                source=where,
                unsupported="Open Badges 2.0 assertions are not verified by lerkit "
                "(hosted ones need the issuer's server; signed ones an RSA key from it)",
            )
        if credential.jws is not None:
            return _decode_token(credential.jws, where)
        return _Input(credential.document, securing="data-integrity", source=where)
    if isinstance(credential, bytes):
        try:
            credential = credential.decode("utf-8")
        except UnicodeDecodeError as err:
            return _Input(None, source=source, parse_error=f"not UTF-8 text: {err}")
    if isinstance(credential, str):
        text = credential.strip()
        if text.startswith("{"):
            try:
                document = json.loads(text)
            except ValueError as err:
                return _Input(None, source=source, parse_error=f"not valid JSON: {err}")
            return _normalize(document, source)
        if looks_like_compact_jws(text):
            return _decode_token(text, source)
        return _Input(None, source=source, parse_error="neither a JSON object nor a compact JWS")
    if isinstance(credential, Mapping):
        return _Input(credential, securing="data-integrity", source=source)
    return _Input(
        None,
        source=source,
        parse_error=f"cannot verify a {type(credential).__name__}; pass a credential "
        "(dict, JSON text, compact JWT or a record from lerkit.read)",
    )


def _parse_problem(document: Mapping[str, Any]) -> str | None:
    if not isinstance(document, Mapping):
        return "the credential is not a JSON object"
    missing = [
        name for name in ("@context", "type", "issuer", "credentialSubject") if name not in document
    ]
    if missing:
        return "missing " + ", ".join(missing)
    if "VerifiableCredential" not in _as_list(document.get("type")):
        return "type does not include VerifiableCredential"
    if _issuer_id(document) is None:
        return "issuer has no id"
    # RDFC signs the RDF dataset, which reordering @context or relabelling the base
    # context need not change: the data model's own rules have to be checked here.
    version = _vc_version(document)
    if version is None:
        first = _as_list(document.get("@context"))[:1]
        return (
            f"the first @context must be {VC_V2} (VC 2.0) or {VC_V1} (VC 1.1), "
            f"not {first[0] if first else 'missing'!r}"
        )
    if version == "1.1" and "issuanceDate" not in document:
        return "a VC 1.1 credential must have an issuanceDate"
    return None


class Verifier:
    """Verifies credentials under one set of options, caching keys and status lists.

    Reuse one Verifier for a batch: DID documents and status list credentials (which
    many credentials share) are resolved and verified once.

    >>> verifier = Verifier(VerifyOptions())
    >>> verifier.verify({"type": "x"}).check("parsed").status
    'failed'
    """

    def __init__(self, options: VerifyOptions | None = None) -> None:
        self.options = options or VerifyOptions()
        self.loader = self.options.loader or default_loader()
        status = self.options.status_lists
        self._lists: StatusListSource | None = (
            FolderStatusLists(
                status, fetch=self.options.fetch if self.options.allow_network else None
            )
            if isinstance(status, str | os.PathLike)
            else status
        )
        self._methods: dict[str, VerificationMethod | DidError] = {}
        self._list_outcomes: dict[str, _ListOutcome] = {}

    # -- entry point -------------------------------------------------------------------

    def verify(self, credential: Any, *, source: str | None = None) -> VerificationReport:
        """Verify one credential; never raises for a bad credential.

        Parameters
        ----------
        credential
            A dict, JSON text, a compact VC-JWT (either shape), bytes of those, or a
            :class:`~lerkit.model.Credential` from :func:`lerkit.read`.
        source : str, optional
            Where it came from, for the report.
        """
        return self._verify(_normalize(credential, source), check_status=True, depth=0)

    def _verify(self, item: _Input, *, check_status: bool, depth: int) -> VerificationReport:
        run = _Run()
        now = self.options.now or datetime.now(UTC)
        document = item.document
        problem = item.parse_error or (None if document is None else _parse_problem(document))
        if document is None or problem is not None:
            run.set("parsed", "failed", problem or "no credential", "unparseable")
            return self._finish(run, item, None)
        if item.unsupported is not None:
            run.set("parsed", "passed", "readable")
            run.set("proof_type_supported", "failed", item.unsupported, "unsupported_format")
            return self._finish(run, item, document)
        run.set(
            "parsed", "passed", f"a VC {_vc_version(document) or '(unknown version)'} credential"
        )

        self._check_schema(run, document)
        self._check_contexts(run, item, document)
        if item.jws is not None:
            self._check_jws(run, item, document)
        else:
            self._check_data_integrity(run, document)
        self._check_dates(run, item, document, now)
        if check_status:
            self._check_status(run, document, now)
        else:
            run.set("status", "skipped", "not checked for a status list credential itself")
        self._check_issuer(run, document)
        if depth < 4:
            self._check_nested(run, item, document, depth)
        return self._finish(run, item, document)

    def _finish(
        self, run: _Run, item: _Input, document: Mapping[str, Any] | None
    ) -> VerificationReport:
        attempted = run.status_of("parsed") == "passed"
        checks = tuple(
            run.results.get(name)
            or Check(name, "skipped", "not applicable" if attempted else _NOT_ATTEMPTED)
            for name in CHECK_NAMES
        )
        credential_id = document.get("id") if isinstance(document, Mapping) else None
        return VerificationReport(
            status=overall_status(checks),
            checks=checks,
            credential_id=credential_id if isinstance(credential_id, str) else None,
            issuer=_issuer_id(document) if isinstance(document, Mapping) else None,
            securing=item.securing,
            proof_types=tuple(run.proof_types),
            verification_methods=tuple(run.methods),
            nested=run.nested,
            source=item.source,
            artifacts=tuple(run.artifacts),
        )

    # -- checks ------------------------------------------------------------------------

    def _check_schema(self, run: _Run, document: Mapping[str, Any]) -> None:
        if not self.options.schema:
            run.set("schema", "skipped", "schema checking is turned off")
            return
        result = check_schema(document, _vc_version(document))
        code = "schema_invalid" if result.status == "failed" else None
        run.set("schema", result.status, result.detail, code)

    def _check_contexts(self, run: _Run, item: _Input, document: Mapping[str, Any]) -> None:
        urls = [c for c in _as_list(document.get("@context")) if isinstance(c, str)]
        unknown: list[str] = []
        # Only availability matters here: require() loads and pin-checks like load(),
        # without handing out a deep copy of the context each time.
        require = getattr(self.loader, "require", self.loader.load)
        for url in urls:
            try:
                require(url)
            except ContextError as err:
                unknown.append(f"{url} ({err.code})" if getattr(err, "code", None) else url)
        if not unknown:
            run.set(
                "contexts_known", "passed", f"{len(urls)} context(s), all from the pinned store"
            )
            return
        detail = "not in the pinned store or local cache, not fetched: " + ", ".join(unknown)
        if item.jws is not None:
            # A JWS signs bytes, not RDF: an unknown context does not weaken the signature.
            run.set("contexts_known", "warning", detail, "unknown_context")
        else:
            run.set("contexts_known", "failed", detail, "unknown_context")

    def resolve_method(self, url: str) -> VerificationMethod | DidError:
        """The key ``url`` names, or the reason it cannot be used (cached per verifier)."""
        cached = self._methods.get(url)
        if cached is not None:
            return cached
        profile = self.options.issuer_profiles.get(url.split("#", 1)[0])
        try:
            found: VerificationMethod | DidError = resolve_verification_method(
                url,
                purpose="assertionMethod",
                web_dir=self.options.did_web,
                allow_network=self.options.allow_network,
                fetch=self.options.fetch,
                issuer_profile=profile,
                trust_fragment_keys=self.options.trust_fragment_keys,
            )
        except DidError as err:
            found = err
        if len(self._methods) < 10_000:
            self._methods[url] = found
        return found

    def _bind_method(self, run: _Run, url: str, issuer: str | None) -> VerificationMethod | None:
        found = self.resolve_method(url)
        if isinstance(found, DidError):
            run.set("verification_method", "failed", f"{url}: {found}", found.code)
            return None
        if issuer is None or not controller_matches_issuer(found, issuer):
            run.set(
                "verification_method",
                "failed",
                f"{url} is controlled by {found.controller}, not by the issuer {issuer}",
                "issuer_mismatch",
            )
            return None
        run.methods.append(found.id)
        if found.resolved_via == "fragment":
            run.set(
                "verification_method",
                "warning",
                f"{url}: key read from the URL fragment; that the issuer controls it was "
                "assumed, not checked",
                "fragment_key",
            )
        else:
            run.set(
                "verification_method",
                "passed",
                f"{found.key_family} key {url} via {found.resolved_via}, controlled by the issuer "
                "and authorized for assertionMethod",
            )
        return found

    def _check_data_integrity(self, run: _Run, document: Mapping[str, Any]) -> None:
        proofs = _as_list(document.get("proof"))
        if not proofs:
            run.set("proof_present", "failed", "the credential has no proof", "missing_proof")
            return
        run.set("proof_present", "passed", f"{len(proofs)} proof(s)")
        issuer = _issuer_id(document)
        unsupported: list[str] = []
        supported: list[Mapping[str, Any]] = []
        for proof in proofs:
            if not isinstance(proof, Mapping):
                unsupported.append("a proof that is not a JSON object")
                continue
            try:
                suite = suite_for_proof(proof)
            except ProofError as err:
                unsupported.append(str(err))
                continue
            supported.append(proof)
            run.proof_types.append(suite.name)
        if not supported:
            run.set("proof_type_supported", "failed", "; ".join(unsupported), "unsupported_proof")
            return
        if unsupported:
            # A proof set may carry proofs for other verifiers; the ones lerkit can check
            # must all hold, and the report says what was left unchecked.
            run.set(
                "proof_type_supported",
                "warning",
                f"checked {', '.join(run.proof_types)}; not checked: {'; '.join(unsupported)}",
                "unsupported_proof",
            )
        else:
            run.set("proof_type_supported", "passed", ", ".join(run.proof_types))

        signature_details: list[str] = []
        for proof in supported:
            purpose = proof.get("proofPurpose")
            if purpose != "assertionMethod":
                run.set(
                    "verification_method",
                    "failed",
                    f"proofPurpose is {purpose!r}; a credential proof must be assertionMethod",
                    "wrong_proof_purpose",
                )
                return
            url = proof.get("verificationMethod")
            if not isinstance(url, str) or not url:
                run.set(
                    "verification_method",
                    "failed",
                    "the proof has no verificationMethod",
                    "malformed_proof",
                )
                return
            method = self._bind_method(run, url, issuer)
            if method is None:
                return
            key = method.public_key
            if isinstance(key, RSAPublicKey):
                run.set(
                    "signature",
                    "failed",
                    f"{url} is an RSA key; Data Integrity suites sign with Ed25519 or ECDSA",
                    "key_type_mismatch",
                )
                return
            try:
                artifacts = verify_proof(document, proof, key, loader=self.loader)
            except ContextError as err:
                run.set("contexts_known", "failed", str(err), "unknown_context")
                run.set("signature", "skipped", "cannot canonicalize without the contexts")
                return
            except ProofError as err:
                if err.artifacts is not None:
                    run.artifacts.append(err.artifacts)
                run.set("signature", "failed", str(err), err.code)
                return
            run.artifacts.append(artifacts)
            signature_details.append(
                f"{artifacts.suite} signature by {artifacts.verification_method} matches"
            )
            expires = proof.get("expires")
            if expires is not None:
                self._proof_expiry(run, expires)
        run.set("signature", "passed", "; ".join(signature_details))

    def _proof_expiry(self, run: _Run, expires: Any) -> None:
        try:
            moment = _parse_date(expires)
        except ValueError:
            run.set(
                "signature", "failed", f"proof expires {expires!r} is not a date", "malformed_proof"
            )
            return
        if moment < (self.options.now or datetime.now(UTC)):
            run.set("not_expired", "failed", f"the proof expired at {expires}", "proof_expired")

    def _check_jws(self, run: _Run, item: _Input, document: Mapping[str, Any]) -> None:
        assert item.jws is not None
        run.set("proof_present", "passed", f"a compact JWS ({item.securing})")
        alg = item.jwt_header.get("alg")
        run.proof_types.append(str(alg))
        issuer = _issuer_id(document)
        mismatches = _identity_claim_mismatches(item.jwt_claims, document)
        if mismatches:
            # The token says two things about which credential it is, or whom it is
            # about, so it cannot be read as one credential. The key and signature are
            # still checked, to tell an issuer's mistake from a forgery.
            run.set("parsed", "failed", "; ".join(mismatches), "claim_mismatch")
        iss = item.jwt_claims.get("iss")
        if iss is not None and iss != issuer:
            run.set("proof_type_supported", "passed", f"JWS alg {alg}")
            run.set(
                "verification_method",
                "failed",
                f"the JWT iss {iss!r} is not the credential's issuer {issuer!r}",
                "issuer_mismatch",
            )
            return
        kid = item.jwt_header.get("kid")
        if isinstance(kid, str) and kid.startswith("#") and issuer:
            kid = issuer + kid
        url = kid if isinstance(kid, str) and kid else issuer
        if not url:
            run.set(
                "verification_method", "failed", "no kid and no issuer to find the key", "no_key"
            )
            return
        # The algorithm policy (no "none", no HMAC, alg must fit the key) is enforced
        # by verify_jws before any cryptography; report it under proof_type_supported.
        method = self._bind_method(run, url, issuer)
        if method is None:
            run.set("proof_type_supported", "passed", f"JWS alg {alg}")
            return
        try:
            artifacts = (
                verify_decoded_jws(item.decoded, method.public_key)
                if item.decoded is not None
                else verify_jws(item.jws, method.public_key)
            )
        except ProofError as err:
            if err.code in ("alg_not_allowed", "unsupported_jws", "key_type_mismatch"):
                run.set("proof_type_supported", "failed", str(err), err.code)
            else:
                run.set("proof_type_supported", "passed", f"JWS alg {alg}")
                run.set("signature", "failed", str(err), err.code)
            return
        run.artifacts.append(artifacts)
        run.set("proof_type_supported", "passed", f"JWS alg {artifacts.alg}")
        run.set("signature", "passed", f"{artifacts.alg} signature by {method.id} matches")

    def _check_dates(
        self, run: _Run, item: _Input, document: Mapping[str, Any], now: datetime
    ) -> None:
        starts: list[tuple[str, datetime]] = []
        ends: list[tuple[str, datetime]] = []
        vc1 = _vc_version(document) == "1.1"
        try:
            for name in ("validFrom", "issuanceDate"):
                if name in document:
                    starts.append((name, _parse_date(document[name])))
            for name in ("validUntil", "expirationDate"):
                if name in document:
                    ends.append((name, _parse_date(document[name])))
            if "nbf" in item.jwt_claims:
                starts.append(("JWT nbf", _from_epoch(item.jwt_claims["nbf"])))
            if "exp" in item.jwt_claims:
                ends.append(("JWT exp", _from_epoch(item.jwt_claims["exp"])))
            # Both a claim and its member are enforced (the stricter applies), and
            # they must agree: OB 3.0 section 8.2 and VC 1.1 map nbf/exp to them.
            start_mismatch = _date_claim_mismatch(
                item.jwt_claims,
                document,
                "nbf",
                ("issuanceDate", "validFrom") if vc1 else ("validFrom", "issuanceDate"),
            )
            end_mismatch = _date_claim_mismatch(
                item.jwt_claims,
                document,
                "exp",
                ("expirationDate", "validUntil") if vc1 else ("validUntil", "expirationDate"),
            )
        except (ValueError, OverflowError, OSError) as err:
            run.set("not_before", "failed", f"a date cannot be read: {err}", "malformed_date")
            run.set("not_expired", "failed", f"a date cannot be read: {err}", "malformed_date")
            return
        late = [(name, moment) for name, moment in starts if moment > now]
        if start_mismatch is not None:
            run.set("not_before", "failed", start_mismatch, "claim_mismatch")
        elif late:
            name, moment = late[0]
            run.set(
                "not_before",
                "failed",
                f"not valid until {name} {moment.isoformat()}",
                "not_yet_valid",
            )
        elif starts:
            run.set("not_before", "passed", ", ".join(f"{n} {m.isoformat()}" for n, m in starts))
        expired = [(name, moment) for name, moment in ends if moment <= now]
        if run.status_of("not_expired") == "failed":
            return  # the proof's own expiry already failed it
        if end_mismatch is not None:
            run.set("not_expired", "failed", end_mismatch, "claim_mismatch")
        elif expired:
            name, moment = expired[0]
            run.set("not_expired", "failed", f"expired: {name} {moment.isoformat()}", "expired")
        elif ends:
            run.set("not_expired", "passed", ", ".join(f"{n} {m.isoformat()}" for n, m in ends))
        else:
            run.set("not_expired", "passed", "no expiry date")

    def _status_list(self, url: str) -> _ListOutcome:
        cached = self._list_outcomes.get(url)
        if cached is not None:
            return cached
        outcome = self._load_list(url)
        if len(self._list_outcomes) < 10_000:
            self._list_outcomes[url] = outcome
        return outcome

    def _load_list(self, url: str) -> _ListOutcome:
        if self._lists is None:
            return _ListOutcome(
                None, None, "no status lists were given (use a status folder)", "status_unavailable"
            )
        try:
            retrieved = self._lists.get(url)
        except StatusError as err:
            return _ListOutcome(None, None, str(err), err.code)
        list_input = (
            _decode_token(retrieved.jws, retrieved.location)
            if retrieved.jws
            else _Input(retrieved.credential, securing="data-integrity", source=retrieved.location)
        )
        report = self._verify(list_input, check_status=False, depth=5)
        essential = (
            "parsed",
            "proof_present",
            "verification_method",
            "signature",
            "not_before",
            "not_expired",
        )
        bad = [c for c in report.checks if c.name in essential and c.status not in ("passed",)]
        if bad:
            first = bad[0]
            return _ListOutcome(
                None,
                retrieved.location,
                f"the status list credential from {retrieved.location} did not verify "
                f"({first.name}: {first.detail})",
                "status_list_unverified",
            )
        return _ListOutcome(retrieved.credential, retrieved.location, None)

    def _check_status(self, run: _Run, document: Mapping[str, Any], now: datetime) -> None:
        entries = _as_list(document.get("credentialStatus"))
        if not entries:
            run.set("status", "skipped", "the credential has no credentialStatus")
            return
        issuer = _issuer_id(document)
        found: list[str] = []
        for entry in entries:
            if not isinstance(entry, Mapping):
                run.set(
                    "status",
                    "failed",
                    "a credentialStatus entry is not an object",
                    "invalid_status_entry",
                )
                return
            kind = entry.get("type")
            if kind not in _STATUS_TYPES:
                run.set(
                    "status",
                    "indeterminate",
                    f"status type {kind!r} cannot be checked (supported: {', '.join(_STATUS_TYPES)})",
                    "unsupported_status_type",
                )
                return
            url = entry.get("statusListCredential")
            if not isinstance(url, str) or not url:
                run.set(
                    "status",
                    "failed",
                    "the status entry has no statusListCredential",
                    "invalid_status_entry",
                )
                return
            outcome = self._status_list(url)
            if outcome.credential is None:
                run.set("status", "indeterminate", f"{url}: {outcome.problem}", outcome.code)
                return
            list_issuer = _issuer_id(outcome.credential)
            if list_issuer != issuer:
                run.set(
                    "status",
                    "indeterminate",
                    f"the status list {url} is issued by {list_issuer}, not by the "
                    f"credential's issuer {issuer}",
                    "status_issuer_mismatch",
                )
                return
            try:
                result = check_status(entry, outcome.credential, retrieved_from=url)
            except StatusError as err:
                run.set("status", "failed", f"{url}: {err}", err.code)
                return
            if result.purpose in ("revocation", "suspension") and result.value:
                word = "revoked" if result.purpose == "revocation" else "suspended"
                run.set("status", "failed", f"{word}: entry {result.index} of {url} is set", word)
                return
            found.append(
                f"{result.purpose} entry {result.index} of {url}: {'set' if result.value else 'not set'}"
            )
        run.set("status", "passed", "; ".join(found))

    def _check_issuer(self, run: _Run, document: Mapping[str, Any]) -> None:
        trust = self.options.trust
        if trust is None:
            run.set("issuer_known", "skipped", "no trust list given")
            return
        issuer = _issuer_id(document)
        entry = trust.get(issuer)
        if entry is None:
            run.set("issuer_known", "failed", f"{issuer} is not on {trust.name}", "unknown_issuer")
        else:
            run.set("issuer_known", "passed", f"{entry.name or issuer} is on {trust.name}")

    def _check_nested(
        self, run: _Run, item: _Input, document: Mapping[str, Any], depth: int
    ) -> None:
        subject = document.get("credentialSubject")
        members = (
            _as_list(subject.get("verifiableCredential")) if isinstance(subject, Mapping) else []
        )
        if not members:
            return
        reports = tuple(
            self._verify(
                _normalize(
                    member,
                    f"{item.source or '<memory>'}#/credentialSubject/verifiableCredential/{n}",
                ),
                check_status=True,
                depth=depth + 1,
            )
            for n, member in enumerate(members)
        )
        run.nested = reports
        counts = {
            s: sum(r.status == s for r in reports)
            for s in ("verified", "warning", "not_verified", "indeterminate")
        }
        shown = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts.items() if n)
        if counts["not_verified"]:
            run.set("nested_credentials", "failed", shown, "nested_not_verified")
        elif counts["indeterminate"]:
            run.set("nested_credentials", "indeterminate", shown, "nested_indeterminate")
        elif counts["warning"]:
            run.set("nested_credentials", "warning", shown, "nested_warning")
        else:
            run.set("nested_credentials", "passed", shown)


def verify(
    credential: Any, *, options: VerifyOptions | None = None, **settings: Any
) -> VerificationReport:
    """Verify one credential and say why it is or is not to be trusted.

    Parameters
    ----------
    credential
        A dict, JSON text, compact VC-JWT, bytes, or a record from :func:`lerkit.read`.
    options : VerifyOptions, optional
        Or give its fields as keyword arguments (``trust=``, ``status_lists=``, ``now=``...).

    Returns
    -------
    VerificationReport
        Named checks and a verdict: ``verified``, ``warning``, ``not_verified`` or
        ``indeterminate``. Never raises for a bad credential.

    Examples
    --------
    >>> report = verify({"@context": [], "type": ["VerifiableCredential"]})
    >>> report.status, report.check("parsed").detail
    ('not_verified', 'missing issuer, credentialSubject')
    """
    if options is not None and settings:
        raise TypeError("give either options= or keyword settings, not both")
    try:
        chosen = options or VerifyOptions(**settings)
    except TypeError as err:
        raise VerificationError(f"unknown verification setting: {err}") from err
    return Verifier(chosen).verify(credential)
