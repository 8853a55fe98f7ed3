"""Negative corpora: every way to alter one signed credential, with the check that must
refuse each.

:func:`negative_variants` takes a signed credential (a Data Integrity document or a
VC-JWT) and yields :class:`Variant` records: the altered credential, the named check of
:func:`lerkit.verify` that must reject it, and the verdict that follows. Verifying every
variant and comparing with :meth:`Variant.mismatch` tests that a verifier accepts no
forgery (zero false accepts) and rejects each one for the right reason.

Two kinds of variant, and why their verdicts differ:

* **Altered and not re-signed** (``field:``, ``add:``, ``remove:``, ``proofValue:``,
  ``validFrom:+1y``, ``validUntil:-1y``, ``issuer:other``, ``context:``, ``jwt-alg:``...).
  The proof no longer covers what the credential says, so a check that decides
  authenticity fails (``signature``, ``verification_method``, ``contexts_known``,
  ``parsed``, ``proof_type_supported``) and the verdict is ``not_verified``. That
  includes moving ``validUntil`` into the past: the dates are signed, so editing them is
  tampering, not expiry.
* **Re-signed with a real key** (``expired``, ``not-yet-valid``, ``revoked``,
  ``issuer:other-resigned``, ``nested[i]:...``). The credential is authentic; what is
  wrong with it is a fact the verifier must still notice. A correctly signed credential
  past its ``validUntil`` fails ``not_expired`` with the verdict ``warning`` (authentic,
  but out of date), as wallets show it; a revoked one fails ``status``
  (``not_verified``).

>>> from lerkit.issue import demo_credentials, generate_key
>>> key = generate_key(seed=bytes(32))
>>> [vc] = demo_credentials(1, key)
>>> variants = {v.name: v for v in negative_variants(vc, key=key)}
>>> edited = variants["field:credentialSubject.achievement.name"]
>>> edited.checks, edited.verdict
(('signature',), 'not_verified')
>>> variants["validFrom:+1y"].checks, variants["not-yet-valid"].checks
(('signature',), ('not_before',))
>>> variants["not-yet-valid"].verdict, variants["not-yet-valid"].resigned
('warning', True)
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import random
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, cast

import base58
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from lerkit._jws import b64url_encode, encode_compact, split_compact
from lerkit.contexts import ContextError
from lerkit.dids import DidError, resolve_verification_method
from lerkit.errors import ParseError
from lerkit.issue._credentials import IssuedCredential, JwtForm, issue_credential
from lerkit.issue._errors import IssueError
from lerkit.issue._keys import IssuerKey, KeyType, generate_key
from lerkit.issue._status import StatusPurpose, status_entry, status_list_credential
from lerkit.issue._tamper import flip_signature_bit, jwt_with_alg, tamper_jwt_payload
from lerkit.proofs import ProofError, suite_for_proof
from lerkit.proofs._suites import sign
from lerkit.status import MIN_ENTRIES, RetrievedStatusList, StatusError, StatusList

if TYPE_CHECKING:
    from lerkit.status import StatusListSource
    from lerkit.verify import VerificationReport, VerifyOptions

__all__ = ["Variant", "corpus_options", "negative_variants"]

#: The verdicts a variant may expect: never ``verified``.
ExpectedVerdict = Literal["not_verified", "warning", "indeterminate"]
#: The status the expected check must have.
ExpectedStatus = Literal["failed", "warning", "indeterminate"]

Path = tuple[str | int, ...]

_VC1 = "https://www.w3.org/2018/credentials/v1"
_VC2 = "https://www.w3.org/ns/credentials/v2"
_OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
_CLR = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
_OB3_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"
_CLR_PREFIX = "https://purl.imsglobal.org/spec/clr/v2p0/context"
_UNKNOWN_CONTEXT = "https://contexts.negative-corpus.example/unknown/v1"
_STATUS_HOST = "https://status.negative-corpus.example"
_YEAR = timedelta(days=365)
_PARSE_REQUIRED = ("@context", "type", "issuer", "credentialSubject")
# JWT claims that stand beside (VC-JOSE-COSE) or around (VC 1.1) the credential.
_REGISTERED_CLAIMS = frozenset({"iss", "sub", "aud", "nbf", "exp", "iat", "jti"})
# Members whose value is a named graph in JSON-LD (VC 2.0 context): statements inside are
# not the same statements as outside, even about the same node. The CLR 2.0 context
# redefines verifiableCredential inside a ClrSubject as a plain set: a CLR's nested
# credentials share its default graph.
_GRAPH_MEMBERS = ("verifiableCredential", "proof")
_CLR_GRAPH_MEMBERS = ("proof",)
_JCS_SWAP = {
    "eddsa-rdfc-2022": "eddsa-jcs-2022",
    "eddsa-jcs-2022": "eddsa-rdfc-2022",
    "ecdsa-rdfc-2019": "ecdsa-jcs-2019",
    "ecdsa-jcs-2019": "ecdsa-rdfc-2019",
}
_DATE_TIME = re.compile(
    r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})?"
)
_PLAIN_NAME = re.compile(r"[A-Za-z_@$][A-Za-z0-9_@$-]*")
# The variants nested_sample samples from, and how a nested credential's verdict shows
# in its CLR's nested_credentials check.
_WALK_KINDS = frozenset({"field", "add", "remove", "header-field", "header-add", "header-remove"})
_NESTED: dict[str, tuple[ExpectedStatus, str]] = {
    "not_verified": ("failed", "nested_not_verified"),
    "indeterminate": ("indeterminate", "nested_indeterminate"),
    "warning": ("warning", "nested_warning"),
}


@dataclass(frozen=True)
class _Expect:
    """Checks any one of which must have failed, and the codes it may carry (any if empty)."""

    checks: tuple[str, ...]
    codes: tuple[str, ...] = ()


PARSED = _Expect(("parsed",), ("unparseable",))
SIGNATURE = _Expect(("signature",), ("invalid_signature",))
# A Data Integrity document edited after signing: the hashes differ, or (in safe mode) a
# changed value no longer maps to an IRI and cannot be canonicalized at all.
EDITED = _Expect(("signature",), ("invalid_signature", "undefined_term"))
ISSUER_MISMATCH = _Expect(("verification_method",), ("issuer_mismatch",))
UNKNOWN_CONTEXT = _Expect(("contexts_known",), ("unknown_context",))
UNSUPPORTED_PROOF = _Expect(("proof_type_supported",), ("unsupported_proof",))
ALG_NOT_ALLOWED = _Expect(("proof_type_supported",), ("alg_not_allowed",))
MISSING_PROOF = _Expect(("proof_present",), ("missing_proof",))
# A Data Integrity document whose @context list was edited: also malformed_proof, when the
# proof carries the @context it was made with (JCS) and it is no longer a prefix.
CONTEXT_EDITED = _Expect(("signature",), ("invalid_signature", "undefined_term", "malformed_proof"))
NESTED = _Expect(("nested_credentials",), ("nested_not_verified",))
KEY_TYPE_MISMATCH = _Expect(("proof_type_supported",), ("key_type_mismatch",))
# The first @context is not the base context of the VC version the credential claims: not a
# conforming credential (VC Data Model 2.0 section 4.3, 1.1 section 4.1), so ``parsed``.
# The signature may fail too: a JWT's always (it covers the bytes), a Data Integrity
# proof's when its own terms came from the context that went. With RDFC the signed
# dataset may well be unchanged, so only ``parsed`` can refuse a reordered @context.
BASE_CONTEXT = _Expect(("parsed", "signature"))
# The base context's URL itself changed: not conforming, and a context no verifier knows
# (a JWT's signature, over the bytes, fails too).
BASE_CONTEXT_UNKNOWN = _Expect(("parsed", "contexts_known"))
BASE_CONTEXT_UNKNOWN_JOSE = _Expect(("parsed", "signature"))


@dataclass(frozen=True)
class Variant:
    """One altered credential and how a verifier must judge it.

    Attributes
    ----------
    name : str
        Stable and unique within a corpus, e.g. ``"field:credentialSubject.achievement.name"``,
        ``"remove:validFrom"``, ``"proofValue:bit17"``, ``"jwt-alg:none"``, ``"expired"``.
    credential : dict or str
        The altered credential: a document for Data Integrity, a compact JWS for a JWT.
    checks : tuple of str
        The checks of :data:`lerkit.verify.CHECK_NAMES` of which at least one must reject
        it; almost always one. (Two for a ``@context`` whose first entry is not the VC
        base context: ``parsed`` by the data model, or ``signature`` when the proof's own
        terms went with it.)
    verdict : {"not_verified", "warning", "indeterminate"}
        The verdict that must follow.
    codes : tuple of str
        The codes the rejecting check may carry (``invalid_signature``, ``revoked``...);
        empty when it depends on more than the variant (a resolver's error, say).
    check_status : {"failed", "warning", "indeterminate"}
        The status the rejecting check must have (``failed`` unless said otherwise).
    description : str
        What was done, for people.
    resigned : bool
        True when the variant carries a genuine signature (made with ``key`` or
        ``other_key``): the credential is authentic and something else is wrong with it.
    status_lists : mapping
        Status list credentials the verifier must be able to fetch, by URL (see
        :func:`corpus_options`).
    trusted_issuers : tuple of str
        Issuers the verifier must trust for the expectation to hold (``issuer_known``).
    inner : (int, Variant) or None
        For a CLR with nested credential ``i`` altered: ``i``, and that credential's own
        variant, which its nested report must match too.
    """

    name: str
    credential: dict[str, Any] | str
    checks: tuple[str, ...]
    verdict: ExpectedVerdict = "not_verified"
    codes: tuple[str, ...] = ()
    check_status: ExpectedStatus = "failed"
    description: str = ""
    resigned: bool = False
    status_lists: Mapping[str, Mapping[str, Any] | str] = field(default_factory=dict)
    trusted_issuers: tuple[str, ...] = ()
    inner: tuple[int, Variant] | None = None

    @property
    def check(self) -> str:
        """The first of :attr:`checks`: the one the specification points to."""
        return self.checks[0]

    def mismatch(self, report: VerificationReport) -> str | None:
        """How a verification report departs from this variant's expectation, or None.

        None means the verifier refused the variant as expected: the verdict matches and
        one of :attr:`checks` has the expected status and one of the expected codes.
        A verdict of ``verified`` is reported as a ``FALSE ACCEPT``.
        """
        problems: list[str] = []
        if report.status == "verified":
            problems.append("FALSE ACCEPT: verified")
        elif report.status != self.verdict:
            problems.append(f"verdict {report.status}, expected {self.verdict}")
        found = [report.check(name) for name in self.checks]
        if not any(
            c.status == self.check_status and (not self.codes or c.code in self.codes)
            for c in found
        ):
            seen = ", ".join(f"{c.name} {c.status} ({c.code})" for c in found)
            wanted = f"{' or '.join(self.checks)} {self.check_status}"
            if self.codes:
                wanted += f" ({' or '.join(self.codes)})"
            problems.append(f"{seen}; expected {wanted}")
        if self.inner is not None:
            index, member = self.inner
            if index >= len(report.nested):
                problems.append(f"no report for nested credential {index}")
            else:
                problem = member.mismatch(report.nested[index])
                if problem is not None:
                    problems.append(f"nested credential {index}: {problem}")
        if not problems:
            return None
        return f"{self.name}: {'; '.join(problems)} [{report.summary()}]"


# -- the signed input --------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """The signed credential, as a secured document or as the parts of a JWS."""

    document: dict[str, Any] | None
    token: str | None = None
    header: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, Any] = field(default_factory=dict)
    form: JwtForm | None = None

    @property
    def jose(self) -> bool:
        return self.token is not None

    @property
    def root(self) -> dict[str, Any]:
        """What the walk edits: the secured document, or the JWT claims."""
        return self.document if self.document is not None else self.claims

    @property
    def prefix(self) -> Path:
        """Where the credential sits in :attr:`root`."""
        return ("vc",) if self.form == "vc-claim" else ()

    @property
    def credential(self) -> dict[str, Any]:
        """The credential, without its proof or the JWT's registered claims (a copy)."""
        found = _get(self.root, self.prefix)
        dropped = _REGISTERED_CLAIMS if self.jose else {"proof"}
        return {k: copy.deepcopy(v) for k, v in found.items() if k not in dropped}

    @property
    def first_proof(self) -> dict[str, Any]:
        assert self.document is not None
        proof = self.document["proof"]
        chosen = proof[0] if isinstance(proof, list) else proof
        assert isinstance(chosen, dict)
        return chosen

    @property
    def proof_path(self) -> Path:
        assert self.document is not None
        return ("proof", 0) if isinstance(self.document["proof"], list) else ("proof",)

    def rebuild(self, root: dict[str, Any], header: Mapping[str, Any] | None = None) -> Any:
        """``root`` as the same kind of object: a document, or a JWS with the old signature."""
        if self.token is None:
            return root
        header_b64, payload_b64, signature_b64 = self.token.split(".")
        if header is not None:
            header_b64 = _b64_json(header)
        if root is not self.claims:
            payload_b64 = _b64_json(root)
        return f"{header_b64}.{payload_b64}.{signature_b64}"


def _b64_json(value: Mapping[str, Any]) -> str:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return b64url_encode(text.encode("utf-8"))


def _source(signed: Mapping[str, Any] | str | IssuedCredential) -> _Source:
    if isinstance(signed, IssuedCredential):
        signed = signed.document if signed.document is not None else cast(str, signed.jwt)
    if isinstance(signed, str):
        text = signed.strip()
        if text.startswith("{"):
            try:
                loaded = json.loads(text)
            except ValueError as err:
                raise IssueError(f"not valid JSON: {err}", code="invalid_argument") from err
            return _source(cast(Mapping[str, Any], loaded))
        try:
            decoded = split_compact(text)
        except ParseError as err:
            raise IssueError(
                f"neither a JSON credential nor a compact JWS: {err.message}",
                code="invalid_argument",
            ) from err
        claims = decoded.payload_json
        if not isinstance(claims, dict):
            raise IssueError("the JWS payload is not a JSON object", code="invalid_argument")
        # VC 1.1 (credential in a vc claim), Open Badges 3.0 (registered claims beside
        # the credential) or VC-JOSE-COSE (the payload is the credential alone)
        form: JwtForm = (
            "vc-claim"
            if isinstance(claims.get("vc"), dict)
            else "ob3"
            if _REGISTERED_CLAIMS.intersection(claims)
            else "vc-jose"
        )
        return _Source(None, text, dict(decoded.header), claims, form)
    if not isinstance(signed, Mapping):
        raise IssueError(
            f"expected a signed credential (dict, JSON text, compact JWS or IssuedCredential), "
            f"not {type(signed).__name__}",
            code="invalid_argument",
        )
    document = copy.deepcopy(dict(signed))
    proof = document.get("proof")
    first = proof[0] if isinstance(proof, list) and proof else proof
    if not isinstance(first, dict):
        raise IssueError(
            "the credential has no proof: a negative corpus starts from a signed credential",
            code="invalid_argument",
        )
    return _Source(document)


# -- JSON paths --------------------------------------------------------------------------


def _get(root: Any, path: Path) -> Any:
    node = root
    for token in path:
        node = node[token]
    return node


def _edited(root: dict[str, Any], path: Path, value: Any = None, *, remove: bool = False) -> Any:
    """A deep copy of ``root`` with the member at ``path`` set (or added, or removed)."""
    result = copy.deepcopy(root)
    parent = _get(result, path[:-1])
    if remove:
        del parent[path[-1]]
    else:
        parent[path[-1]] = copy.deepcopy(value)
    return result


def _dotted(path: Path) -> str:
    text = ""
    for token in path:
        if isinstance(token, int):
            text += f"[{token}]"
        elif _PLAIN_NAME.fullmatch(token):
            text += f".{token}" if text else token
        else:
            text += f"[{json.dumps(token)}]"
    return text


def _leaves(node: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    if isinstance(node, dict):
        for name, value in node.items():
            yield from _leaves(value, (*path, name))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))
    else:
        yield path, node


def _members(node: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every object member and array element, parents before children."""
    if isinstance(node, dict):
        for name, value in node.items():
            yield (*path, name), value
            yield from _members(value, (*path, name))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*path, index), value
            yield from _members(value, (*path, index))


def _objects(node: Any, path: Path = ()) -> Iterator[tuple[Path, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for name, value in node.items():
            yield from _objects(value, (*path, name))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _objects(value, (*path, index))


# -- changing values ---------------------------------------------------------------------


def _rng(seed: int, *labels: object) -> random.Random:
    # A string seed is hashed with SHA-512: the same on every run and platform, and each
    # variant's choices depend only on the seed and its own name.
    return random.Random("|".join([str(seed), *map(str, labels)]))  # noqa: S311


def _shift_date(text: str, delta: timedelta) -> str | None:
    """``text`` moved by ``delta`` in the same notation, or None if it is not a date-time."""
    if _DATE_TIME.fullmatch(text) is None:
        return None
    try:
        moved = datetime.fromisoformat(text) + delta
    except (ValueError, OverflowError):
        return None
    result = moved.isoformat()
    if text[-1] in "Zz" and result.endswith("+00:00"):
        result = result[: -len("+00:00")] + "Z"
    return result


def _changed_string(text: str, rng: random.Random) -> str:
    """A different string of the same shape: a date moves a day, else one character changes
    within its class (digit, lower case, upper case), so an IRI stays an IRI."""
    moved = _shift_date(text, timedelta(days=1))
    if moved is not None:
        return moved
    positions = [i for i, c in enumerate(text) if c.isascii() and c.isalnum()]
    if not positions:
        return text + "x"
    index = rng.choice(positions)
    char = text[index]
    pool = (
        "0123456789"
        if char.isdigit()
        else "abcdefghijklmnopqrstuvwxyz"
        if char.islower()
        else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    )
    return text[:index] + rng.choice(pool.replace(char, "")) + text[index + 1 :]


def _changed(value: Any, path: Path, rng: random.Random) -> Any:
    """A different value of the same JSON type."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        if "@context" in path:
            # One changed character could land on another pinned version of the same
            # context (3.0.3 -> 3.0.2), which defines the same terms: not tampering.
            return value + "x"
        return _changed_string(value, rng)
    return "tampered"  # null: any value adds a statement


def _fresh_name(node: Mapping[str, Any]) -> str:
    name = "extra"
    while name in node:
        name += "x"
    return name


# -- expectations ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Judgement:
    expect: _Expect
    # For an edit inside nested credential i: (i, the path inside it, its own expectation)
    inner: tuple[int, Path, _Expect] | None = None


def _is_rdf(source: _Source) -> bool:
    """True when what is signed is an RDF dataset (an RDFC suite), not JSON bytes."""
    if source.jose:
        return False
    try:
        return suite_for_proof(source.first_proof).canonicalization != "JCS"
    except ProofError:
        return True


def _relative(source: _Source, path: Path) -> Path | None:
    """``path`` inside the credential, or None for a JWT claim outside ``vc`` (or ``vc``)."""
    prefix = source.prefix
    if path[: len(prefix)] != prefix or (prefix and path == prefix):
        return None
    return path[len(prefix) :]


def _judge(source: _Source, path: Path, value: Any, action: str) -> _Judgement | None:
    """The check that must refuse ``action`` ("change", "add", "remove") at ``path`` of the
    source's root, or None when the edit changes nothing that was signed."""
    root = source.root
    rdf = _is_rdf(source)
    if not source.jose and path[:1] == ("proof",):
        proof_path = source.proof_path
        if path[: len(proof_path)] == proof_path and len(path) > len(proof_path):
            inside = path[len(proof_path) :]
            if action == "remove" and inside == ("@context",) and value == root.get("@context"):
                return None  # the document's own @context takes its place: the same
            return _Judgement(_proof_rule(inside, action))
        if action != "remove":
            return None  # the other proofs of a proof set are not walked
        proofs = root["proof"]
        if path == ("proof",) or (isinstance(proofs, list) and len(proofs) == 1):
            return _Judgement(MISSING_PROOF)
        return None  # one proof of several: the rest still stand
    rel = _relative(source, path)
    if rel is None or (source.form == "ob3" and len(path) == 1 and path[0] in _REGISTERED_CLAIMS):
        return _Judgement(_claim_rule(path, action))
    if (
        rdf
        and len(rel) >= 2
        and rel[0] == "@context"
        and not isinstance(_get(root, (*source.prefix, *rel[:2])), str)
    ):
        return None  # an inline context: unused term definitions are not signed
    member = _member(source, rel)
    if member is not None:
        index, member_source, member_rel = member
        inner = _judge(member_source, member_rel, value, action)
        if inner is None:
            return None
        return _Judgement(NESTED, (index, member_rel, inner.expect))
    if rdf and action == "remove":
        if len(rel) == 2 and rel[0] == "@context" and rel[1] != 0:
            return None  # an unused context can go without changing the dataset
        if (
            value is None
            or value == []
            or _repeated(root, path)
            or _restated(root, path, _graph_members(root))
        ):
            return None  # no statement, or one still made elsewhere
    return _Judgement(_credential_rule(source, rel, value, action))


def _member(source: _Source, rel: Path) -> tuple[int, _Source, Path] | None:
    """For a path inside a signed nested credential of a CLR: which, and where in it."""
    if len(rel) < 4 or rel[:2] != ("credentialSubject", "verifiableCredential"):
        return None
    index = rel[2]
    if not isinstance(index, int):
        return None
    member = _get(source.root, (*source.prefix, *rel[:3]))
    if not isinstance(member, dict):
        return None
    try:
        return index, _source(member), rel[3:]
    except IssueError:
        return None  # not a signed credential: only the outer proof covers it


def _is_vc11(credential: Mapping[str, Any]) -> bool:
    contexts = credential.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    return bool(first == "https://www.w3.org/2018/credentials/v1")


def _credential_rule(source: _Source, rel: Path, value: Any, action: str) -> _Expect:
    """The check that refuses an edit at ``rel`` inside the credential."""
    edited = SIGNATURE if source.jose else EDITED
    top = rel[0] if rel else None
    if action == "remove":
        if len(rel) == 1 and top in _PARSE_REQUIRED:
            if top == "issuer" and source.form == "vc-claim":
                return SIGNATURE  # the iss claim stands in for it
            return PARSED
        if rel == ("issuer", "id"):
            return PARSED
        if rel == ("issuanceDate",) and _is_vc11(source.credential) and source.form != "vc-claim":
            return PARSED  # VC 1.1 requires it (in a vc-claim JWT, nbf stands in for it)
        if top == "type" and len(rel) == 2 and value == "VerifiableCredential":
            return PARSED
        if rel == ("@context", 0):
            return BASE_CONTEXT
        if top == "@context" and not source.jose:
            return CONTEXT_EDITED
        return edited
    if action == "add":
        return edited
    if rel == ("@context", 0) and isinstance(value, str):
        return BASE_CONTEXT_UNKNOWN_JOSE if source.jose else BASE_CONTEXT_UNKNOWN
    if "@context" in rel and not source.jose:
        # a context URL changed is one no verifier knows; anything else in it, a different
        # definition of the document's terms
        named = isinstance(value, str) and "@context" in rel[-2:]
        return UNKNOWN_CONTEXT if named else CONTEXT_EDITED
    if top == "type" and len(rel) <= 2 and value == "VerifiableCredential":
        return PARSED
    if rel in (("issuer",), ("issuer", "id")):
        return ISSUER_MISMATCH
    return edited


def _claim_rule(path: Path, action: str) -> _Expect:
    """For a JWT: the registered claims beside the credential, or around it (``vc``)."""
    if path == ("vc",):
        return PARSED  # without it, the claims are read as a VC-JOSE-COSE credential
    if path == ("iss",) and action == "change":
        return ISSUER_MISMATCH
    return SIGNATURE


def _proof_rule(rel: Path, action: str) -> _Expect:
    """The check that refuses an edit at ``rel`` inside the (first) proof."""
    name = rel[0]
    if name in ("type", "cryptosuite"):
        return UNSUPPORTED_PROOF
    if name == "verificationMethod":
        if action == "remove":
            return _Expect(("verification_method",), ("malformed_proof",))
        # A changed one names a key that does not resolve or is not the issuer's; or, for
        # a key written in a URL fragment, another key, which did not make the signature.
        return _Expect(("verification_method", "signature"))
    if name == "proofPurpose":
        return _Expect(("verification_method",), ("wrong_proof_purpose",))
    if name == "proofValue":
        return _Expect(("signature",), ("malformed_proof", "invalid_signature"))
    if name == "@context":
        return _Expect(("signature",), ("malformed_proof", "invalid_signature"))
    return EDITED if action == "add" else SIGNATURE


def _header_rule(source: _Source, name: str, action: str) -> _Expect:
    if name == "kid":
        if action == "remove":
            # Without a kid the key is the issuer DID's own, which did not sign this header.
            issuer = _issuer_id(source.credential) or ""
            return SIGNATURE if issuer.startswith("did:") else _Expect(("verification_method",))
        return _Expect(("verification_method",))
    if name == "crit":
        return _Expect(("proof_type_supported",), ("unsupported_jws",))
    return SIGNATURE


def _repeated(root: Any, path: Path) -> bool:
    """An array element that another element of the same array equals."""
    if not isinstance(path[-1], int):
        return False
    siblings = _get(root, path[:-1])
    return sum(1 for item in siblings if item == siblings[path[-1]]) > 1


def _graph_members(root: Mapping[str, Any]) -> tuple[str, ...]:
    contexts = root.get("@context")
    listed = contexts if isinstance(contexts, list) else [contexts]
    clr = any(isinstance(c, str) and c.startswith(_CLR_PREFIX) for c in listed)
    return _CLR_GRAPH_MEMBERS if clr else _GRAPH_MEMBERS


def _graph_of(path: Path, members: tuple[str, ...]) -> Path:
    graph: Path = ()
    for n, token in enumerate(path):
        if token in members:
            following = path[n + 1 : n + 2]
            graph = path[: n + 1] + (
                following if following and isinstance(following[0], int) else ()
            )
    return graph


def _restated(root: Any, path: Path, members: tuple[str, ...]) -> bool:
    """True when removing ``path`` removes statements that another occurrence of the same
    node (same ``id``, same graph) still makes: ``issuer.type`` when ``creator``, the same
    profile, repeats it."""
    if isinstance(path[-1], int):
        holder, name, values = path[:-2], path[-2], [_get(root, path)]
    else:
        holder, name = path[:-1], path[-1]
        value = _get(root, path)
        values = value if isinstance(value, list) else [value]
    if not isinstance(name, str) or name in ("id", "@id"):
        return False
    node = _get(root, holder)
    ident = node.get("id", node.get("@id")) if isinstance(node, dict) else None
    if not isinstance(ident, str):
        return False
    graph = _graph_of(holder, members)
    for other_path, other in _objects(root):
        if other_path == holder or other.get("id", other.get("@id")) != ident:
            continue
        if _graph_of(other_path, members) != graph:
            continue
        present = other.get(name)
        present = present if isinstance(present, list) else [present]
        if all(item in present for item in values):
            return True
    return False


# -- keys --------------------------------------------------------------------------------


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) and issuer else None


def _key_kind(source: _Source) -> KeyType | None:
    """The type of the issuer's key, so that a forger's key can be of the same type."""
    if source.jose:
        alg = source.header.get("alg")
        return "Ed25519" if alg == "EdDSA" else "P-256" if alg == "ES256" else None
    try:
        suite = suite_for_proof(source.first_proof)
    except ProofError:
        return None
    if suite.algorithm == "Ed25519":
        return "Ed25519"
    method = source.first_proof.get("verificationMethod")
    if isinstance(method, str):
        try:
            found = resolve_verification_method(method, purpose=None)
        except DidError:
            return "P-256"
        return "P-256" if found.key_family == "P-256" else None
    return "P-256"


def _derived_key(kind: KeyType, seed: int) -> IssuerKey:
    """A forger's key, fixed by the seed (it needs no secrecy: it only signs forgeries)."""
    digest = hashlib.sha256(f"lerkit negative corpus other key {seed}".encode()).digest()
    return generate_key(kind, seed=digest)


def _suite_name(source: _Source) -> str | None:
    try:
        return suite_for_proof(source.first_proof).name
    except ProofError:
        return None


def _suite_for(key: IssuerKey, source: _Source) -> str:
    """The original suite if ``key`` can sign it, else the same canonicalization for ``key``."""
    try:
        suite = suite_for_proof(source.first_proof)
    except ProofError:
        return "eddsa-rdfc-2022" if key.kind == "Ed25519" else "ecdsa-rdfc-2019"
    if (suite.algorithm == "Ed25519") == (key.kind == "Ed25519"):
        return suite.name
    jcs = suite.canonicalization == "JCS"
    if key.kind == "Ed25519":
        return "eddsa-jcs-2022" if jcs else "eddsa-rdfc-2022"
    return "ecdsa-jcs-2019" if jcs else "ecdsa-rdfc-2019"


def _sign_document(
    source: _Source,
    unsecured: Mapping[str, Any],
    key: IssuerKey,
    *,
    method: str | None = None,
    proof_set: bool = False,
) -> dict[str, Any]:
    """Sign as the original was signed: suite, ``created``, purpose, proof array or not.

    With ``proof_set``, the new proof is added to the original's proofs.
    """
    assert source.document is not None
    proof = source.first_proof
    created = proof.get("created")
    document = dict(unsecured)
    if proof_set:
        document["proof"] = copy.deepcopy(source.document["proof"])
    signed, _ = sign(
        document,
        _suite_for(key, source),
        key.private_key,
        method or key.verification_method,
        created=created if isinstance(created, str) else "2025-01-01T00:00:00Z",
        proof_purpose=str(proof.get("proofPurpose") or "assertionMethod"),
    )
    if not proof_set and isinstance(source.document["proof"], list):
        signed["proof"] = [signed["proof"]]
    return signed


def _sign_token(header: Mapping[str, Any], claims: Mapping[str, Any], key: IssuerKey) -> str:
    """A JWS with exactly this header, signed by ``key``."""
    private = key.private_key

    def signer(data: bytes) -> bytes:
        if isinstance(private, ec.EllipticCurvePrivateKey):
            der = private.sign(data, ec.ECDSA(SHA256(), deterministic_signing=True))
            r, s = decode_dss_signature(der)
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return private.sign(data)

    return encode_compact(header, claims, signer)


def _reissue(source: _Source, credential: Mapping[str, Any], key: IssuerKey) -> Any:
    """The credential signed again by ``key``, in the original's format."""
    if not source.jose:
        return _sign_document(source, credential, key)
    return issue_credential(credential, key, proof="jwt", jwt_form=source.form).jwt


def _jwk(key: IssuerKey) -> dict[str, str]:
    public = key.private_key.public_key()
    if isinstance(public, Ed25519PublicKey):
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(public.public_bytes_raw())}
    assert isinstance(public, ec.EllipticCurvePublicKey)
    numbers = public.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url_encode(numbers.x.to_bytes(32, "big")),
        "y": b64url_encode(numbers.y.to_bytes(32, "big")),
    }


# -- the corpus --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    source: _Source
    issuer: str
    key: IssuerKey | None
    other: IssuerKey | None
    seed: int
    nested_sample: int | None

    def variant(
        self,
        name: str,
        credential: Any,
        expect: _Expect,
        description: str,
        inner: tuple[int, Variant] | None = None,
    ) -> Variant:
        return Variant(
            name,
            credential,
            expect.checks,
            "not_verified",
            expect.codes,
            description=description,
            inner=inner,
        )


def negative_variants(
    signed: Mapping[str, Any] | str | IssuedCredential,
    *,
    key: IssuerKey | None = None,
    other_key: IssuerKey | None = None,
    seed: int = 0,
    nested_sample: int | None = 8,
) -> Iterator[Variant]:
    """Every tampered variant of a signed credential, each with the check that must refuse it.

    Works on Data Integrity documents (``eddsa-rdfc-2022``, ``eddsa-jcs-2022``,
    ``Ed25519Signature2020``, ``ecdsa-rdfc-2019``...) and on VC-JWTs in each form: the
    payload the credential alone (VC-JOSE-COSE), the credential with ``iss``, ``nbf``...
    beside it (Open Badges 3.0), or in a ``vc`` claim (VC 1.1); for Open Badges 3.0, CLR
    2.0 and plain W3C credentials. The variants come in this order, with these names:

    ``field:PATH``
        Each leaf of the credential changed in turn, keeping its JSON type: a string
        gets one character changed within its class (a date-time moves one day), a
        number +1, a boolean flips. The proof's own members too (``field:proof[0].created``);
        and a CLR's nested credentials, which ``nested_credentials`` must refuse (their
        own expectation is in :attr:`Variant.inner`).
    ``add:PATH.extra``, ``remove:PATH``
        A member added to each object; each member and array element removed.
    ``header-field:NAME``, ``header-add:extra``, ``header-remove:NAME`` (JWT)
        The same for the JOSE header (``alg`` has variants of its own).
    ``proofValue:bitN`` / ``jws-signature:bitN``
        One signature bit flipped: the first and last bits and six chosen by ``seed``.
    ``proof:cryptosuite-swap``, ``jwt-alg:none``, ``jwt-alg:HS256-public-key``,
    ``jwt-alg:HS256-public-key-multibase``, ``jwt-alg:<other>``, ``jwt-header:crit``,
    ``jwt-header:kid-other``
        Suite and algorithm confusion.
    ``key:other``, ``key:other-method``, ``proof:add-forged``, ``jwt-header:jwk-other-key``
        Signed by another key: naming the issuer's key, naming its own, added to a
        proof set, or carried in the header.
    ``issuer:other``, ``issuer:other-resigned``
        The issuer changed without re-signing (refused), and a genuine copy re-issued by
        another issuer (authentic; refused only by a verifier with a trust list:
        ``issuer_known``, verdict ``warning``).
    ``context:unknown-appended``, ``context:swap-ob3-to-clr`` (and back), ``context:drop-ob3``,
    ``context:swap-vc2-to-vc1`` (and back), ``context:reordered``
        An unknown context (``contexts_known``); a context the document uses swapped or
        dropped (``signature``); the first context no longer the VC base context, which
        makes a non-conforming credential (``parsed``; for Data Integrity also
        ``signature`` when the proof's terms went with it).
    ``validFrom:+1y``, ``validFrom:-1y``, ``validUntil:+1y``, ``validUntil:-1y``,
    ``validUntil:added``, ``nbf:+1y``, ``exp:+1y``
        Dates edited without re-signing (VC 1.1 names where the credential uses them):
        tampering, refused by ``signature``.
    ``expired``, ``not-yet-valid``
        Re-signed with ``validUntil`` one second after ``validFrom``, or ``validFrom``
        100 years later: authentic, verdict ``warning`` from ``not_expired`` /
        ``not_before``. Not the same as editing the dates without re-signing.
    ``revoked``, ``suspended``, ``revoked:list-tampered``
        Re-signed with a status entry in a list (in :attr:`Variant.status_lists`) that has
        its bit set; and the revoked list with the bit cleared after signing (status
        ``indeterminate``: the list no longer verifies).
    ``nested[i]:NAME``
        For a CLR: nested credential ``i`` replaced by one of its own variants and the CLR
        re-signed, so only ``nested_credentials`` can notice.

    Edits that change nothing that was signed are left out, because a verifier is right to
    accept them. With an RDFC suite what is signed is the RDF dataset, so these are not
    tampering: removing a ``null`` or ``[]`` member, a repeated array element, a statement
    another occurrence of the same node still makes (a CLR's issuer restated by its nested
    credentials, which the CLR 2.0 context puts in the CLR's own graph), a ``@context``
    entry other than the first (it may be unused; the named ``context:`` variants drop and
    swap the contexts the document does use), or editing an inline context. With a JCS
    suite, removing the proof's ``@context`` when it equals the document's is a no-op too.

    Parameters
    ----------
    signed : dict, str or IssuedCredential
        The signed credential (a document, JSON text or a compact JWS).
    key : IssuerKey, optional
        The issuer's key. Needed for every re-signed variant (``expired``,
        ``not-yet-valid``, ``revoked``, ``suspended``, ``revoked:list-tampered``,
        ``nested[i]:...``): without it those are skipped.
    other_key : IssuerKey, optional
        The forger's key for ``key:``, ``issuer:other...``, ``proof:add-forged`` and
        ``jwt-header:`` variants. Default: a key of the issuer's key type derived from
        ``seed`` (forgeries need no secret); those variants are skipped only when the
        issuer's key type is neither Ed25519 nor P-256 and no ``other_key`` is given.
    seed : int
        Fixes every choice (which character changes, which bits flip, the status index,
        the derived key, the nested sample): the same input and seed give the same
        variants, document for document.
    nested_sample : int or None
        For a CLR, how many of each nested credential's ``field:``/``add:``/``remove:``
        variants to nest (all the other kinds are always nested); None nests all.

    Yields
    ------
    Variant

    Raises
    ------
    IssueError
        ``invalid_argument`` for something that is not a signed credential or has no
        issuer id; ``issuer_mismatch`` when ``key`` is not the issuer's key or
        ``other_key`` is.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> from lerkit.issue import demo_credentials, generate_key
    >>> from lerkit.verify import Verifier
    >>> key = generate_key(seed=bytes(32))
    >>> [vc] = demo_credentials(1, key, proof="jwt", jwt_form="vc-claim")
    >>> names = [v.name for v in negative_variants(vc.jwt)]
    >>> "field:vc.issuer.id" in names, "jwt-alg:none" in names, "expired" in names
    (True, True, False)
    >>> variants = list(negative_variants(vc.jwt, key=key))
    >>> verifier = Verifier(corpus_options(variants, now=datetime(2026, 6, 1, tzinfo=UTC)))
    >>> problems = [v.mismatch(verifier.verify(v.credential)) for v in variants]
    >>> [problem for problem in problems if problem is not None]
    []
    """
    source = _source(signed)
    issuer = _issuer_id(source.credential)
    if issuer is None:
        raise IssueError("the credential has no issuer id", code="invalid_argument")
    if key is not None and key.did != issuer:
        raise IssueError(
            f"key {key.did} is not the issuer's ({issuer}); pass the issuer's key, or none",
            code="issuer_mismatch",
        )
    kind = _key_kind(source)
    other = other_key or (_derived_key(kind, seed) if kind is not None else None)
    if other is not None and other.did == issuer:
        raise IssueError("other_key must not be the issuer's key", code="issuer_mismatch")
    return _variants(_Plan(source, issuer, key, other, seed, nested_sample))


def _variants(plan: _Plan) -> Iterator[Variant]:
    key = plan.key
    yield from _walked(plan)
    yield from _signature_bits(plan)
    yield from _algorithms(plan)
    yield from _other_keys(plan)
    yield from _contexts(plan)
    yield from _dates(plan)
    if key is not None:
        yield from _resigned_dates(plan, key)
        yield from _statuses(plan, key)
        yield from _nested(plan, key)


def _walked(plan: _Plan) -> Iterator[Variant]:
    """``field:``, ``add:`` and ``remove:`` variants of the credential and of its proof."""
    source = plan.source
    root = source.root

    def variant(
        kind: str, path: Path, tampered: dict[str, Any], found: _Judgement, text: str
    ) -> Variant:
        inner: tuple[int, Variant] | None = None
        if found.inner is not None:
            index, member_path, expect = found.inner
            at = (*source.prefix, "credentialSubject", "verifiableCredential", index)
            inner = (
                index,
                Variant(
                    f"{kind}:{_dotted(member_path)}",
                    _get(tampered, at),
                    expect.checks,
                    codes=expect.codes,
                    description=text,
                ),
            )
        return plan.variant(
            f"{kind}:{_dotted(path)}", source.rebuild(tampered), found.expect, text, inner
        )

    for path, value in _leaves(root):
        found = _judge(source, path, value, "change")
        if found is None:
            continue
        new = _changed(value, path, _rng(plan.seed, "field", path))
        text = f"{_dotted(path)} changed from {value!r} to {new!r}, not re-signed"
        yield variant("field", path, _edited(root, path, new), found, text)
    for path, node in _objects(root):
        target = (*path, _fresh_name(node))
        found = _judge(source, target, "added", "add")
        if found is None:
            continue
        text = f"member {target[-1]!r} added to {_dotted(path) or 'the top level'}, not re-signed"
        yield variant("add", target, _edited(root, target, "added"), found, text)
    for path, value in _members(root):
        found = _judge(source, path, value, "remove")
        if found is None:
            continue
        text = f"{_dotted(path)} removed, not re-signed"
        yield variant("remove", path, _edited(root, path, remove=True), found, text)
    if source.jose:
        yield from _header_walk(plan)


def _header_walk(plan: _Plan) -> Iterator[Variant]:
    source = plan.source
    header = source.header
    for name, value in header.items():
        if name == "alg":
            continue
        new = _changed(value, (name,), _rng(plan.seed, "header", name))
        yield plan.variant(
            f"header-field:{name}",
            source.rebuild(source.claims, {**header, name: new}),
            _header_rule(source, name, "change"),
            f"JOSE header {name} changed from {value!r} to {new!r}, not re-signed",
        )
    extra = _fresh_name(header)
    yield plan.variant(
        f"header-add:{extra}",
        source.rebuild(source.claims, {**header, extra: "added"}),
        SIGNATURE,
        f"JOSE header member {extra!r} added, not re-signed",
    )
    for name in header:
        if name == "alg":
            continue
        yield plan.variant(
            f"header-remove:{name}",
            source.rebuild(source.claims, {k: v for k, v in header.items() if k != name}),
            _header_rule(source, name, "remove"),
            f"JOSE header {name} removed, not re-signed",
        )


def _signature_bits(plan: _Plan) -> Iterator[Variant]:
    source = plan.source
    if source.token is not None:
        size = len(split_compact(source.token).signature) * 8
        label = "jws-signature"
    else:
        value = source.first_proof.get("proofValue")
        if not isinstance(value, str) or not value.startswith("z"):
            return
        try:
            size = len(base58.b58decode(value[1:])) * 8
        except ValueError:
            return
        label = "proofValue"
    if size < 16:
        return
    rng = _rng(plan.seed, label)
    bits = sorted({0, size - 1, *rng.sample(range(1, size - 1), 6)})
    for bit in bits:
        flipped: Any = (
            flip_signature_bit(source.token, bit)
            if source.token is not None
            else flip_signature_bit(source.root, bit)
        )
        yield plan.variant(f"{label}:bit{bit}", flipped, SIGNATURE, f"signature bit {bit} flipped")


def _algorithms(plan: _Plan) -> Iterator[Variant]:
    source = plan.source
    if source.token is None:
        proof = source.first_proof
        swapped = _JCS_SWAP.get(str(proof.get("cryptosuite")))
        if proof.get("type") == "DataIntegrityProof" and swapped is not None:
            path = (*source.proof_path, "cryptosuite")
            yield plan.variant(
                "proof:cryptosuite-swap",
                _edited(source.root, path, swapped),
                SIGNATURE,
                f"cryptosuite {proof['cryptosuite']} relabelled {swapped}, signature kept",
            )
        return
    token = source.token
    yield plan.variant(
        "jwt-alg:none", jwt_with_alg(token, "none"), ALG_NOT_ALLOWED, "alg none, no signature"
    )
    public = _public_key_forms(plan)
    for label, secret in public.items():
        yield plan.variant(
            f"jwt-alg:HS256-{label}",
            jwt_with_alg(token, "HS256", secret),
            ALG_NOT_ALLOWED,
            f"HS256 with an HMAC keyed by the issuer's {label.replace('-', ' ')}",
        )
    alg = source.header.get("alg")
    other_alg = {"EdDSA": "ES256", "ES256": "EdDSA"}.get(str(alg))
    if other_alg is not None:
        yield plan.variant(
            f"jwt-alg:{other_alg}",
            source.rebuild(source.claims, {**source.header, "alg": other_alg}),
            KEY_TYPE_MISMATCH,
            f"alg {alg} relabelled {other_alg}, signature kept",
        )
    yield plan.variant(
        "jwt-header:crit",
        source.rebuild(source.claims, {**source.header, "crit": ["exp"]}),
        _Expect(("proof_type_supported",), ("unsupported_jws",)),
        "a critical header extension no verifier implements",
    )


def _public_key_forms(plan: _Plan) -> dict[str, bytes]:
    """The issuer's public key as an attacker would feed it to HMAC."""
    kid = plan.source.header.get("kid")
    public: Any = None
    multibase: str | None = None
    if plan.key is not None:
        public = plan.key.private_key.public_key()
        multibase = plan.key.public_key_multibase
    elif isinstance(kid, str):
        try:
            public = resolve_verification_method(kid, purpose=None).public_key
        except DidError:
            public = None
        if kid.startswith("did:key:") and "#" in kid:
            multibase = kid.split("#", 1)[1]
    forms: dict[str, bytes] = {}
    if isinstance(public, Ed25519PublicKey):
        forms["public-key"] = public.public_bytes_raw()
    elif isinstance(public, ec.EllipticCurvePublicKey):
        forms["public-key"] = public.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    else:
        forms["public-key"] = str(kid or plan.issuer).encode("utf-8")
    if multibase:
        forms["public-key-multibase"] = multibase.encode("ascii")
    return forms


def _other_keys(plan: _Plan) -> Iterator[Variant]:
    source = plan.source
    other = plan.other
    credential = source.credential
    issuer_path = (*source.prefix, "issuer")
    issuer_value = _get(source.root, issuer_path)
    other_issuer: Any = (
        {**issuer_value, "id": other.did if other else "did:example:other-issuer"}
        if isinstance(issuer_value, dict)
        else other.did
        if other
        else "did:example:other-issuer"
    )
    moved = _edited(source.root, issuer_path, other_issuer)
    if source.jose and "iss" in moved:
        moved["iss"] = _issuer_id({"issuer": other_issuer})
    yield plan.variant(
        "issuer:other",
        source.rebuild(moved),
        ISSUER_MISMATCH,
        "the issuer changed to another DID, not re-signed",
    )
    if other is None:
        return
    if source.token is None:
        unsecured = credential
        yield plan.variant(
            "key:other",
            _sign_document(
                source, unsecured, other, method=str(source.first_proof.get("verificationMethod"))
            ),
            SIGNATURE
            if _suite_for(other, source) == _suite_name(source)
            else _Expect(("signature",)),
            "signed by another key, naming the issuer's key",
        )
        yield plan.variant(
            "key:other-method",
            _sign_document(source, unsecured, other),
            ISSUER_MISMATCH,
            "signed by another key, naming that key",
        )
        yield plan.variant(
            "proof:add-forged",
            _sign_document(source, unsecured, other, proof_set=True),
            ISSUER_MISMATCH,
            "a second proof, by another key, added to the proof set",
        )
    else:
        header = {**source.header, "alg": "EdDSA" if other.kind == "Ed25519" else "ES256"}
        same_alg = header["alg"] == source.header.get("alg")
        yield plan.variant(
            "key:other",
            _sign_token(header, source.claims, other),
            SIGNATURE if same_alg else KEY_TYPE_MISMATCH,
            "signed by another key, naming the issuer's key",
        )
        yield plan.variant(
            "key:other-method",
            _sign_token({**header, "kid": other.verification_method}, source.claims, other),
            ISSUER_MISMATCH,
            "signed by another key, naming that key",
        )
        embedded = {k: v for k, v in header.items() if k != "kid"}
        embedded["jwk"] = _jwk(other)
        yield plan.variant(
            "jwt-header:jwk-other-key",
            _sign_token(embedded, source.claims, other),
            SIGNATURE if plan.issuer.startswith("did:") else _Expect(("verification_method",)),
            "signed by another key carried in the header (jwk), no kid",
        )
        yield plan.variant(
            "jwt-header:kid-other",
            source.rebuild(source.claims, {**source.header, "kid": other.verification_method}),
            ISSUER_MISMATCH,
            "kid pointed at another key, signature kept",
        )
    copycat = copy.deepcopy(credential)
    if isinstance(copycat.get("issuer"), dict):
        copycat["issuer"]["id"] = other.did
    else:
        copycat["issuer"] = other.did
    copycat.pop("credentialStatus", None)  # the issuer's list would not cover the copy
    yield Variant(
        "issuer:other-resigned",
        _reissue(source, copycat, other),
        ("issuer_known",),
        "warning",
        ("unknown_issuer",),
        description="re-issued, correctly signed, by another issuer: authentic, but only a "
        "trust list shows it is not from the original issuer",
        resigned=True,
        trusted_issuers=(plan.issuer,),
    )


def _contexts(plan: _Plan) -> Iterator[Variant]:
    source = plan.source
    path = (*source.prefix, "@context")
    contexts = _get(source.root, path)
    if not isinstance(contexts, list):
        contexts = [contexts]
    edited = SIGNATURE if source.jose else CONTEXT_EDITED
    base = BASE_CONTEXT

    def variant(name: str, value: list[Any], expect: _Expect, description: str) -> Variant:
        return plan.variant(
            name, source.rebuild(_edited(source.root, path, value)), expect, description
        )

    yield variant(
        "context:unknown-appended",
        [*contexts, _UNKNOWN_CONTEXT],
        SIGNATURE if source.jose else UNKNOWN_CONTEXT,
        "an unknown context appended",
    )
    families = {"ob3": (_OB3_PREFIX, _OB3), "clr": (_CLR_PREFIX, _CLR)}

    def belongs(context: Any, family: str) -> bool:
        return isinstance(context, str) and context.startswith(families[family][0])

    present = sorted(name for name in families if any(belongs(c, name) for c in contexts))
    for name in present:
        for target in sorted(set(families) - {name}):
            replacement = families[target][1]
            yield variant(
                f"context:swap-{name}-to-{target}",
                [replacement if belongs(c, name) else c for c in contexts],
                edited,
                f"the {name} context replaced by {replacement}",
            )
        yield variant(
            f"context:drop-{name}",
            [c for c in contexts if not belongs(c, name)],
            edited,
            f"the {name} context removed: its terms fall back to other definitions",
        )
    if contexts[:1] == [_VC2]:
        yield variant(
            "context:swap-vc2-to-vc1",
            [_VC1, *contexts[1:]],
            base,
            "the VC 2.0 base context replaced by VC 1.1",
        )
    elif contexts[:1] == [_VC1]:
        yield variant(
            "context:swap-vc1-to-vc2",
            [_VC2, *contexts[1:]],
            base,
            "the VC 1.1 base context replaced by VC 2.0",
        )
    if len(contexts) >= 2:
        yield variant(
            "context:reordered",
            [contexts[1], contexts[0], *contexts[2:]],
            base,
            "the first two contexts swapped",
        )


def _date_names(credential: Mapping[str, Any]) -> tuple[str, str]:
    vc11 = "validFrom" not in credential and "issuanceDate" in credential
    return ("issuanceDate", "expirationDate") if vc11 else ("validFrom", "validUntil")


def _dates(plan: _Plan) -> Iterator[Variant]:
    source = plan.source
    credential = source.credential
    start, end = _date_names(credential)
    for name, years in ((start, 1), (start, -1), (end, 1), (end, -1)):
        value = credential.get(name)
        moved = _shift_date(value, years * _YEAR) if isinstance(value, str) else None
        if moved is None:
            continue
        yield plan.variant(
            f"{name}:{years:+d}y",
            source.rebuild(_edited(source.root, (*source.prefix, name), moved)),
            SIGNATURE,
            f"{name} moved {years:+d} year to {moved}, not re-signed",
        )
    begins = credential.get(start)
    if end not in credential and isinstance(begins, str):
        until = _shift_date(begins, timedelta(seconds=1))
        if until is not None:
            yield plan.variant(
                f"{end}:added",
                source.rebuild(_edited(source.root, (*source.prefix, end), until)),
                SIGNATURE if source.jose else EDITED,
                f"{end} {until} added (already past), not re-signed",
            )
    if source.jose:
        for claim in ("nbf", "exp"):
            number = source.claims.get(claim)
            if isinstance(number, int) and not isinstance(number, bool):
                yield plan.variant(
                    f"{claim}:+1y",
                    source.rebuild(_edited(source.claims, (claim,), number + 365 * 86400)),
                    SIGNATURE,
                    f"JWT {claim} moved a year later, not re-signed",
                )


def _start_of(source: _Source) -> str:
    credential = source.credential
    start, _ = _date_names(credential)
    value = credential.get(start)
    if isinstance(value, str) and _shift_date(value, timedelta(0)) is not None:
        return value
    if not source.jose:
        created = source.first_proof.get("created")
        if isinstance(created, str) and _shift_date(created, timedelta(0)) is not None:
            return created
    return "2025-01-01T00:00:00Z"


def _resigned_dates(plan: _Plan, key: IssuerKey) -> Iterator[Variant]:
    source = plan.source
    credential = source.credential
    start_name, end_name = _date_names(credential)
    begins = _start_of(source)
    expired = copy.deepcopy(credential)
    expired[end_name] = _shift_date(begins, timedelta(seconds=1))
    yield Variant(
        "expired",
        _reissue(source, expired, key),
        ("not_expired",),
        "warning",
        ("expired",),
        description=f"re-signed by the issuer with {end_name} one second after {begins}: "
        "authentic, but expired",
        resigned=True,
    )
    future = copy.deepcopy(credential)
    later = _shift_date(begins, timedelta(days=36525))
    future[start_name] = later
    if end_name in future:
        future[end_name] = _shift_date(cast(str, later), _YEAR)
    yield Variant(
        "not-yet-valid",
        _reissue(source, future, key),
        ("not_before",),
        "warning",
        ("not_yet_valid",),
        description=f"re-signed by the issuer with {start_name} {later}: authentic, not yet valid",
        resigned=True,
    )


def _statuses(plan: _Plan, key: IssuerKey) -> Iterator[Variant]:
    source = plan.source
    credential = source.credential
    contexts = credential.get("@context")
    if not isinstance(contexts, list) or contexts[:1] != [_VC2]:
        return  # Bitstring Status List entries are VC 2.0 terms
    begins = _start_of(source)
    proof_format: Any = (
        "jwt" if source.jose else ("ecdsa-rdfc-2019" if key.kind == "P-256" else "eddsa-rdfc-2022")
    )
    basis = f"{plan.issuer}|{begins}|{plan.seed}|{proof_format}"
    digest = hashlib.sha256(basis.encode()).hexdigest()[:16]
    index = _rng(plan.seed, "status").randrange(MIN_ENTRIES)
    purposes: tuple[tuple[str, StatusPurpose, str, bool], ...] = (
        ("revoked", "revocation", "revoked", False),
        ("suspended", "suspension", "suspended", False),
        ("revoked:list-tampered", "revocation", "status_list_unverified", True),
    )
    for name, purpose, code, tampered in purposes:
        url = f"{_STATUS_HOST}/{digest}/{purpose}-{index}{'-tampered' if tampered else ''}"
        issued = status_list_credential(
            key, url=url, valid_from=begins, purpose=purpose, revoked=[index], proof=proof_format
        )
        listed: Mapping[str, Any] | str
        if issued.document is not None:
            listed = copy.deepcopy(issued.document)
            if tampered:
                listed["credentialSubject"]["encodedList"] = StatusList().encode()
        else:
            assert issued.jwt is not None
            listed = issued.jwt
            if tampered:
                listed = tamper_jwt_payload(
                    listed, "/credentialSubject/encodedList", StatusList().encode()
                )
        entry = status_entry(url, index, purpose)
        marked = {**credential, "credentialStatus": entry}
        yield Variant(
            name,
            _reissue(source, marked, key),
            ("status",),
            "indeterminate" if tampered else "not_verified",
            (code,),
            "indeterminate" if tampered else "failed",
            description=(
                f"re-signed by the issuer with entry {index} of {url}, whose {purpose} bit "
                + ("was set, then cleared without re-signing the list" if tampered else "is set")
            ),
            resigned=True,
            status_lists={url: listed},
        )


def _nested(plan: _Plan, key: IssuerKey) -> Iterator[Variant]:
    source = plan.source
    credential = source.credential
    subject = credential.get("credentialSubject")
    members = subject.get("verifiableCredential") if isinstance(subject, dict) else None
    if not isinstance(members, list):
        return
    for index, member in enumerate(members):
        if not isinstance(member, dict | str):
            continue
        try:
            member_source = _source(member)
        except IssueError:
            continue
        member_issuer = _issuer_id(member_source.credential)
        member_key = key if member_issuer == key.did else None
        found = list(
            negative_variants(
                member, key=member_key, other_key=None, seed=plan.seed, nested_sample=0
            )
        )
        walked = [v for v in found if v.name.split(":", 1)[0] in _WALK_KINDS]
        others = [v for v in found if v.name.split(":", 1)[0] not in _WALK_KINDS]
        if plan.nested_sample is not None and len(walked) > plan.nested_sample:
            chosen = set(
                _rng(plan.seed, "nested", index).sample(range(len(walked)), plan.nested_sample)
            )
            walked = [v for n, v in enumerate(walked) if n in chosen]
        for inner in walked + others:
            changed = copy.deepcopy(credential)
            changed["credentialSubject"]["verifiableCredential"][index] = inner.credential
            try:
                outer = _reissue(source, changed, key)
            except (ProofError, ContextError):
                # The CLR cannot be signed over it (an unknown context, an undefined term
                # inside the member): no issuer could have produced this CLR.
                continue
            status, code = _NESTED[inner.verdict]
            trusted = inner.trusted_issuers
            yield Variant(
                f"nested[{index}]:{inner.name}",
                outer,
                ("nested_credentials",),
                inner.verdict,
                (code,),
                status,
                description=f"nested credential {index}: {inner.description}; the CLR re-signed",
                resigned=True,
                status_lists=inner.status_lists,
                trusted_issuers=(*trusted, plan.issuer) if trusted else (),
                inner=(index, inner),
            )


# -- verifying a corpus ------------------------------------------------------------------


class _ChainedStatusLists:
    """The corpus's own lists first, then the caller's."""

    def __init__(self, first: StatusListSource, then: StatusListSource) -> None:
        self.first = first
        self.then = then

    def get(self, url: str) -> RetrievedStatusList:
        try:
            return self.first.get(url)
        except StatusError:
            return self.then.get(url)


def corpus_options(
    variants: Iterable[Variant], base: VerifyOptions | None = None, **settings: Any
) -> VerifyOptions:
    """Verification options under which every variant's expectation holds.

    Adds the status lists the variants point at and trusts the issuers they name in
    :attr:`Variant.trusted_issuers`, on top of ``base`` (or of ``VerifyOptions(**settings)``).

    Examples
    --------
    >>> from lerkit.issue import demo_credentials, generate_key
    >>> key = generate_key(seed=bytes(32))
    >>> [vc] = demo_credentials(1, key)
    >>> options = corpus_options(negative_variants(vc, key=key))
    >>> options.trust.get(key.did) is not None
    True
    """
    from lerkit.status import FolderStatusLists, MappingStatusLists
    from lerkit.verify import TrustedIssuer, TrustList, VerifyOptions

    if base is not None and settings:
        raise TypeError("give either base= or keyword settings, not both")
    options = base if base is not None else VerifyOptions(**settings)
    lists: dict[str, Mapping[str, Any] | str] = {}
    trusted: list[str] = []
    pending = list(variants)
    while pending:
        variant = pending.pop()
        for url, listed in variant.status_lists.items():
            lists.setdefault(url, listed)
        trusted.extend(variant.trusted_issuers)
        if variant.inner is not None:
            pending.append(variant.inner[1])
    changes: dict[str, Any] = {}
    if lists:
        own = MappingStatusLists(lists)
        given = options.status_lists
        if given is None:
            changes["status_lists"] = own
        else:
            fallback: StatusListSource = (
                FolderStatusLists(given, fetch=options.fetch if options.allow_network else None)
                if isinstance(given, str | os.PathLike)
                else given
            )
            changes["status_lists"] = _ChainedStatusLists(own, fallback)
    if trusted:
        entries = dict(options.trust.issuers) if options.trust is not None else {}
        for issuer in trusted:
            entries.setdefault(issuer, TrustedIssuer(issuer))
        name = options.trust.name if options.trust is not None else "negative corpus issuers"
        changes["trust"] = TrustList(entries, name)
    return replace(options, **changes)
