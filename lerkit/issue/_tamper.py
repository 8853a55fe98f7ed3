"""Tampered and otherwise bad credentials, for training and for negative tests.

Every helper returns a new object and leaves its input alone. Each one models a real
attack or mistake:

========================  ==================================================  ===========
helper                    what it models                                      verifies?
========================  ==================================================  ===========
``tamper_field``          a claim edited after signing (a grade, a name)      no
``remove_field``          a claim deleted after signing (an expiry date)      no
``backdate``              dates moved after signing                           no
``swap_key``              signed by a key other than the one it names         no
``flip_signature_bit``    a signature damaged in transit                      no
``tamper_jwt_payload``    a VC-JWT claim edited after signing                 no
``jwt_with_alg``          ``alg: none`` / HS256 key-confusion forgeries       no
``resign_as``             re-issued, correctly signed, by another issuer      yes
``expired_credential``    correctly signed, but past its ``validUntil``       yes (then
                                                                              expired)
========================  ==================================================  ===========
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, cast, overload

import base58

from lerkit._jws import b64url_decode, b64url_encode, encode_compact, split_compact
from lerkit.errors import ParseError
from lerkit.issue._credentials import (
    IssuedCredential,
    JwtForm,
    ProofFormat,
    check_key_for_proof,
    created_default,
    format_datetime,
    issue_credential,
    parse_datetime,
)
from lerkit.issue._errors import IssueError
from lerkit.issue._keys import IssuerKey
from lerkit.proofs._suites import sign

__all__ = [
    "backdate",
    "expired_credential",
    "flip_signature_bit",
    "jwt_with_alg",
    "remove_field",
    "resign_as",
    "swap_key",
    "tamper_field",
    "tamper_jwt_payload",
]

_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")
_BAD_ESCAPE = re.compile(r"~(?![01])")
_DI_SUITES = ("eddsa-rdfc-2022", "Ed25519Signature2020", "ecdsa-rdfc-2019")

# -- JSON Pointer (RFC 6901) -------------------------------------------------------------


def _tokens(pointer: str) -> list[str]:
    if not isinstance(pointer, str) or not pointer.startswith("/"):
        raise IssueError(
            f"JSON Pointer {pointer!r} must start with '/' (the empty pointer, the whole "
            "document, cannot be tampered with or removed)",
            code="invalid_pointer",
        )
    if _BAD_ESCAPE.search(pointer):
        raise IssueError(
            f"JSON Pointer {pointer!r} has a '~' not followed by 0 or 1 (write '~0' for '~' "
            "and '~1' for '/')",
            code="invalid_pointer",
        )
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _missing(pointer: str, where: str, detail: str) -> IssueError:
    return IssueError(
        f"JSON Pointer {pointer!r} does not exist: {detail} at {where or '/'}",
        code="invalid_pointer",
    )


def _parent(document: Any, tokens: list[str], pointer: str) -> Any:
    """The container the last token refers into (walking the existing members only)."""
    node = document
    walked = ""
    for token in tokens[:-1]:
        if isinstance(node, dict):
            if token not in node:
                raise _missing(pointer, walked, f"no member {token!r}")
            node = node[token]
        elif isinstance(node, list):
            if not _ARRAY_INDEX.fullmatch(token) or int(token) >= len(node):
                raise _missing(pointer, walked, f"no array index {token!r} (length {len(node)})")
            node = node[int(token)]
        else:
            raise _missing(pointer, walked, f"{type(node).__name__} value has no members")
        walked += "/" + token.replace("~", "~0").replace("/", "~1")
    return node


def _apply(
    document: Any, pointer: str, *, value: Any = None, add: bool = False, remove: bool = False
) -> None:
    tokens = _tokens(pointer)
    parent = _parent(document, tokens, pointer)
    last = tokens[-1]
    where = pointer[: pointer.rfind("/")]
    if isinstance(parent, dict):
        if last not in parent and (remove or not add):
            hint = "" if remove else " (pass add=True to create it)"
            raise _missing(pointer, where, f"no member {last!r}{hint}")
        if remove:
            del parent[last]
        else:
            parent[last] = value
        return
    if isinstance(parent, list):
        if last == "-" and add and not remove:
            parent.append(value)
            return
        if not _ARRAY_INDEX.fullmatch(last):
            raise _missing(pointer, where, f"{last!r} is not an array index")
        index = int(last)
        limit = len(parent) + (1 if add and not remove else 0)
        if index >= limit:
            raise _missing(pointer, where, f"no array index {index} (length {len(parent)})")
        if remove:
            del parent[index]
        elif add:
            parent.insert(index, value)
        else:
            parent[index] = value
        return
    raise _missing(pointer, where, f"{type(parent).__name__} value has no members")


def tamper_field(
    document: Mapping[str, Any], pointer: str, value: Any, *, add: bool = False
) -> dict[str, Any]:
    """A copy of a signed document with one value changed, and the proof left as it was.

    Parameters
    ----------
    document : Mapping
        The signed credential.
    pointer : str
        A JSON Pointer (RFC 6901) to the value, e.g.
        ``"/credentialSubject/achievement/name"``; ``~1`` stands for ``/`` in a name.
    value : Any
        The new value (deep-copied).
    add : bool
        Create the member if it does not exist (for an array: insert at the index, or
        append with ``-``), as JSON Patch ``add`` does.

    Returns
    -------
    dict
        The tampered copy. Its proof no longer matches: verification must fail.

    Raises
    ------
    IssueError
        ``invalid_pointer`` when the pointer is malformed or does not exist (and
        ``add`` is False).

    Examples
    --------
    >>> doc = {"credentialSubject": {"achievement": {"name": "Welding I"}}}
    >>> tamper_field(doc, "/credentialSubject/achievement/name", "Welding III")
    {'credentialSubject': {'achievement': {'name': 'Welding III'}}}
    >>> doc["credentialSubject"]["achievement"]["name"]
    'Welding I'
    """
    result = copy.deepcopy(dict(document))
    _apply(result, pointer, value=copy.deepcopy(value), add=add)
    return result


def remove_field(document: Mapping[str, Any], pointer: str) -> dict[str, Any]:
    """A copy of a signed document with one member removed, and the proof left as it was.

    Raises
    ------
    IssueError
        ``invalid_pointer`` when the pointer is malformed or does not exist.

    Examples
    --------
    >>> remove_field({"validFrom": "2025-01-01T00:00:00Z", "validUntil": "2026-01-01T00:00:00Z"},
    ...              "/validUntil")
    {'validFrom': '2025-01-01T00:00:00Z'}
    """
    result = copy.deepcopy(dict(document))
    _apply(result, pointer, remove=True)
    return result


# -- Data Integrity ----------------------------------------------------------------------


def _first_proof(document: Mapping[str, Any]) -> Mapping[str, Any]:
    proof = document.get("proof")
    if isinstance(proof, list) and proof:
        proof = proof[0]
    if not isinstance(proof, Mapping):
        raise IssueError("the document has no proof to work on", code="invalid_argument")
    return proof


def _suite_of(proof: Mapping[str, Any]) -> str:
    name = (
        proof.get("cryptosuite") if proof.get("type") == "DataIntegrityProof" else proof.get("type")
    )
    if name not in _DI_SUITES:
        raise IssueError(
            f"the proof's suite {name!r} is not one lerkit issues ({', '.join(_DI_SUITES)})",
            code="unsupported_proof",
        )
    return str(name)


def _unsecured(document: Mapping[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in document.items() if k != "proof"}


def swap_key(
    document: Mapping[str, Any],
    other_key: IssuerKey,
    *,
    suite: ProofFormat | None = None,
) -> dict[str, Any]:
    """Re-sign a document with another key while still naming the original key.

    The proof keeps its ``verificationMethod`` (and ``created``), but the signature is
    made by ``other_key``: what a forger without the issuer's key produces. Verifying
    with the named key must fail.

    Parameters
    ----------
    document : Mapping
        A credential with a Data Integrity proof (the first proof is used).
    other_key : IssuerKey
        The wrong key.
    suite : str, optional
        Default: the original proof's suite (``other_key`` must suit it).

    Raises
    ------
    IssueError
        ``invalid_argument`` for a document without a proof, ``unsupported_proof``,
        ``key_type_mismatch``.

    Examples
    --------
    >>> from lerkit.issue import demo_credentials, generate_key
    >>> signed = demo_credentials(1, generate_key(seed=bytes(32)))[0].document
    >>> forged = swap_key(signed, generate_key())
    >>> forged["proof"][0]["verificationMethod"] == signed["proof"][0]["verificationMethod"]
    True
    """
    proof = _first_proof(document)
    chosen = suite if suite is not None else _suite_of(proof)
    if chosen == "jwt":
        raise IssueError("swap_key works on Data Integrity proofs", code="unsupported_proof")
    check_key_for_proof(other_key, chosen)
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method:
        raise IssueError("the proof has no verificationMethod", code="invalid_argument")
    unsecured = _unsecured(document)
    created = proof.get("created")
    signed, _ = sign(
        unsecured,
        chosen,
        other_key.private_key,
        method,
        created=created if isinstance(created, str) else created_default(unsecured),
        proof_purpose=str(proof.get("proofPurpose") or "assertionMethod"),
    )
    if isinstance(document.get("proof"), list):
        signed["proof"] = [signed["proof"]]
    return signed


def resign_as(
    document: Mapping[str, Any],
    other_key: IssuerKey,
    *,
    suite: ProofFormat | None = None,
    created: datetime | str | None = None,
) -> dict[str, Any]:
    """Re-issue a credential as another issuer: issuer id and key both become ``other_key``'s.

    The result is a *valid* credential, from a different issuer. It shows why verifying
    a signature is not enough: a verifier must also decide whether it trusts the issuer
    (the issuer's name, copied from the original, proves nothing).

    Parameters
    ----------
    document : Mapping
        A credential with a Data Integrity proof.
    other_key : IssuerKey
        The new issuer.
    suite : str, optional
        Default: the original proof's suite.
    created : datetime or str, optional
        Default: the original proof's ``created``.

    Raises
    ------
    IssueError
        As for :func:`swap_key`.

    Examples
    --------
    >>> from lerkit.issue import demo_credentials, generate_key
    >>> signed = demo_credentials(1, generate_key(seed=bytes(32)))[0].document
    >>> other = generate_key()
    >>> copycat = resign_as(signed, other)
    >>> copycat["issuer"]["id"] == other.did, copycat["issuer"]["name"] == signed["issuer"]["name"]
    (True, True)
    """
    proof = _first_proof(document)
    chosen = suite if suite is not None else _suite_of(proof)
    if chosen == "jwt":
        raise IssueError("resign_as works on Data Integrity proofs", code="unsupported_proof")
    unsecured = _unsecured(document)
    issuer = unsecured.get("issuer")
    if isinstance(issuer, dict):
        issuer["id"] = other_key.did
    else:
        unsecured["issuer"] = other_key.did
    when: datetime | str | None = created
    if when is None and isinstance(proof.get("created"), str):
        when = str(proof["created"])
    issued = issue_credential(unsecured, other_key, proof=cast(ProofFormat, chosen), created=when)
    assert issued.document is not None
    return issued.document


def backdate(
    document: Mapping[str, Any],
    *,
    valid_from: datetime | str | None = None,
    valid_until: datetime | str | None = None,
) -> dict[str, Any]:
    """A copy with its validity dates changed and NOT re-signed, so verification fails.

    Edits ``validFrom`` / ``validUntil``, or ``issuanceDate`` / ``expirationDate`` in a
    VC 1.1 credential. (For a correctly signed credential that has expired, use
    :func:`expired_credential`.)

    Raises
    ------
    IssueError
        ``invalid_argument`` when neither date is given, or a date has no time zone.

    Examples
    --------
    >>> backdate({"validFrom": "2025-01-01T00:00:00Z"}, valid_from="2019-01-01T00:00:00Z")
    {'validFrom': '2019-01-01T00:00:00Z'}
    """
    if valid_from is None and valid_until is None:
        raise IssueError("give valid_from, valid_until or both", code="invalid_argument")
    result = copy.deepcopy(dict(document))
    vc11 = "validFrom" not in result and "issuanceDate" in result
    if valid_from is not None:
        result["issuanceDate" if vc11 else "validFrom"] = format_datetime(valid_from, "valid_from")
    if valid_until is not None:
        result["expirationDate" if vc11 else "validUntil"] = format_datetime(
            valid_until, "valid_until"
        )
    return result


def expired_credential(
    credential: Mapping[str, Any] | IssuedCredential,
    key: IssuerKey,
    *,
    valid_until: datetime | str,
    valid_from: datetime | str | None = None,
    proof: ProofFormat = "eddsa-rdfc-2022",
    created: datetime | str | None = None,
    jwt_form: JwtForm | None = None,
) -> IssuedCredential:
    """Issue a genuinely signed credential whose ``validUntil`` is the given (past) date.

    (``expirationDate`` in a VC 1.1 credential.)

    The signature verifies; only a date check against the verifier's clock (a time after
    ``valid_until``) finds the problem.

    Parameters
    ----------
    credential : Mapping or IssuedCredential
        The credential (any existing proof is dropped). Its issuer must be ``key``'s DID.
    key : IssuerKey
    valid_until : datetime or str
        The expiry: choose a time before the verification time.
    valid_from : datetime or str, optional
        Default: the credential's own ``validFrom``.
    proof, created, jwt_form
        As for :func:`issue_credential`; ``jwt_form`` defaults to that of ``credential``
        when it is an issued JWT.

    Raises
    ------
    IssueError
        ``invalid_argument`` when ``valid_until`` is not after ``validFrom``; as for
        :func:`issue_credential` otherwise.

    Examples
    --------
    >>> from lerkit.issue import demo_credentials, generate_key
    >>> key = generate_key(seed=bytes(32))
    >>> [vc] = demo_credentials(1, key)
    >>> old = expired_credential(vc, key, valid_until="2025-12-31T23:59:59Z")
    >>> old.document["validUntil"]
    '2025-12-31T23:59:59Z'
    """
    source = credential.credential if isinstance(credential, IssuedCredential) else credential
    if jwt_form is None and isinstance(credential, IssuedCredential):
        jwt_form = credential.jwt_form
    unsigned = _unsecured(source)
    vc11 = "validFrom" not in unsigned and "issuanceDate" in unsigned
    start_name, end_name = (
        ("issuanceDate", "expirationDate") if vc11 else ("validFrom", "validUntil")
    )
    if valid_from is not None:
        unsigned[start_name] = format_datetime(valid_from, "valid_from")
    end = format_datetime(valid_until, "valid_until")
    start = unsigned.get(start_name)
    if isinstance(start, str) and parse_datetime(end, "valid_until") <= parse_datetime(
        start, start_name
    ):
        raise IssueError(
            f"valid_until {end} is not after validFrom {start}: that credential would never "
            "be valid, which is a different mistake from being expired",
            code="invalid_argument",
        )
    unsigned[end_name] = end
    return issue_credential(unsigned, key, proof=proof, created=created, jwt_form=jwt_form)


# -- JWT ---------------------------------------------------------------------------------


def _segments(token: str) -> tuple[str, str, str]:
    try:
        decoded = split_compact(token)
    except ParseError as err:
        raise IssueError(f"not a compact JWS: {err.message}", code="invalid_argument") from err
    header_b64, payload_b64, signature_b64 = decoded.token.split(".")
    return header_b64, payload_b64, signature_b64


def tamper_jwt_payload(token: str, pointer: str, value: Any, *, add: bool = False) -> str:
    """A copy of a VC-JWT with one payload value changed; header and signature kept.

    Parameters
    ----------
    token : str
        The compact JWS.
    pointer : str
        A JSON Pointer into the payload: ``"/credentialSubject/achievement/name"`` for a
        VC-JOSE-COSE token, ``"/vc/credentialSubject/achievement/name"`` or ``"/exp"`` for
        a VC 1.1 JWT.
    value : Any
    add : bool
        As for :func:`tamper_field`.

    Raises
    ------
    IssueError
        ``invalid_argument`` when the token is not a JWS with a JSON object payload;
        ``invalid_pointer``.

    Examples
    --------
    >>> from lerkit.issue import demo_credentials, generate_key
    >>> [vc] = demo_credentials(1, generate_key(seed=bytes(32)), proof="jwt", jwt_form="vc-claim")
    >>> forged = tamper_jwt_payload(vc.jwt, "/vc/credentialSubject/id", "did:example:mallory")
    >>> forged.split(".")[2] == vc.jwt.split(".")[2]
    True
    """
    header_b64, _, signature_b64 = _segments(token)
    payload = split_compact(token).payload_json
    if payload is None:
        raise IssueError("the token's payload is not a JSON object", code="invalid_argument")
    _apply(payload, pointer, value=copy.deepcopy(value), add=add)
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return f"{header_b64}.{b64url_encode(text.encode('utf-8'))}.{signature_b64}"


def jwt_with_alg(token: str, alg: Literal["none", "HS256"], hmac_key: bytes | None = None) -> str:
    """A copy of a VC-JWT re-signed under an algorithm a verifier must refuse.

    ``"none"`` gives an unsigned token (empty signature). ``"HS256"`` gives the classic
    key-confusion forgery: an HMAC keyed with bytes the attacker knows, such as the
    issuer's *public* key, hoping the verifier feeds its public key to HMAC.

    Parameters
    ----------
    token : str
    alg : {"none", "HS256"}
    hmac_key : bytes, optional
        The HMAC key, required for HS256, e.g. ``key.public_key.public_bytes_raw()``.

    Raises
    ------
    IssueError
        ``invalid_argument`` for another ``alg``, HS256 without a key, or a key with
        ``none``.

    Examples
    --------
    >>> from lerkit.issue import demo_credentials, generate_key
    >>> [vc] = demo_credentials(1, generate_key(seed=bytes(32)), proof="jwt")
    >>> jwt_with_alg(vc.jwt, "none").endswith(".")
    True
    """
    if alg not in ("none", "HS256"):
        raise IssueError(f"alg must be 'none' or 'HS256', got {alg!r}", code="invalid_argument")
    if alg == "HS256" and not hmac_key:
        raise IssueError(
            "HS256 needs hmac_key (e.g. the issuer's public key bytes)", code="invalid_argument"
        )
    if alg == "none" and hmac_key is not None:
        raise IssueError("alg 'none' takes no hmac_key", code="invalid_argument")
    _segments(token)
    decoded = split_compact(token)
    header = {**decoded.header, "alg": alg}

    def signer(data: bytes) -> bytes:
        if hmac_key is None:
            return b""
        return hmac.new(hmac_key, data, hashlib.sha256).digest()

    return encode_compact(header, decoded.payload, signer)


@overload
def flip_signature_bit(signed: str, bit: int = 0) -> str: ...
@overload
def flip_signature_bit(signed: Mapping[str, Any], bit: int = 0) -> dict[str, Any]: ...
def flip_signature_bit(signed: Mapping[str, Any] | str, bit: int = 0) -> dict[str, Any] | str:
    """A copy with one bit of the signature flipped (the first proof's, or the JWS's).

    Parameters
    ----------
    signed : Mapping or str
        A document with a Data Integrity proof, or a compact JWS.
    bit : int
        Which bit: 0 is the most significant bit of the first signature byte.

    Returns
    -------
    dict or str
        The same kind of object as given.

    Raises
    ------
    IssueError
        ``invalid_argument`` when there is no signature, or ``bit`` is outside it.

    Examples
    --------
    >>> damaged = flip_signature_bit({"proof": {"proofValue": "z3"}}, bit=7)
    >>> damaged["proof"]["proofValue"]
    'z4'
    """
    if isinstance(signed, str):
        header_b64, payload_b64, signature_b64 = _segments(signed)
        signature = b64url_decode(signature_b64, what="JWS signature")
        flipped = _flip(signature, bit)
        return f"{header_b64}.{payload_b64}.{b64url_encode(flipped)}"
    result = copy.deepcopy(dict(signed))
    proof = result.get("proof")
    target = proof[0] if isinstance(proof, list) and proof else proof
    value = target.get("proofValue") if isinstance(target, dict) else None
    if not isinstance(value, str) or not value.startswith("z"):
        raise IssueError(
            "the document has no base58btc proofValue to damage", code="invalid_argument"
        )
    assert isinstance(target, dict)
    try:
        raw = base58.b58decode(value[1:])
    except ValueError as err:
        raise IssueError(f"proofValue is not base58btc: {err}", code="invalid_argument") from err
    target["proofValue"] = "z" + base58.b58encode(_flip(raw, bit)).decode("ascii")
    return result


def _flip(signature: bytes, bit: int) -> bytes:
    if not signature:
        raise IssueError("there is no signature to damage (empty)", code="invalid_argument")
    if isinstance(bit, bool) or not isinstance(bit, int) or not 0 <= bit < len(signature) * 8:
        raise IssueError(
            f"bit must be 0 to {len(signature) * 8 - 1} for a {len(signature)}-byte "
            f"signature, got {bit!r}",
            code="invalid_argument",
        )
    data = bytearray(signature)
    data[bit // 8] ^= 0x80 >> (bit % 8)
    return bytes(data)
