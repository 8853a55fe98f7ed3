"""Keys of synthetic issuers and learners, derived from a seed: nothing secret is stored.

A synthetic pilot's credential files must verify, and a workshop must be able to sign
more (or forge some) with the same issuers, without the dataset folder holding a private
key. So every key is derived from the generator's ``seed`` and a public name:

* a ``did:web`` issuer has two keys, an Ed25519 key (``<did>#key-ed25519``: signs
  ``eddsa-rdfc-2022``, ``Ed25519Signature2020`` and EdDSA VC-JWTs) and a P-256 key
  (``<did>#key-p256``: ``ecdsa-rdfc-2019``), both listed in its DID document under
  ``assertionMethod`` (:func:`did_web_document`);
* a ``did:key`` issuer has the one key its DID encodes; since a ``did:key`` cannot be
  chosen, only derived, the generator makes it with :func:`synthetic_did_key` from the
  issuer's name, and :func:`issuer_key` derives it again from the same name;
* a learner's holder DID (the credential subject's ``id``) is a ``did:key`` derived from
  the learner id (:func:`learner_did`).

.. warning::

   These keys are only as secret as the seed, which is a small published integer. They
   make synthetic data reproducible; they must never sign a real credential.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lerkit.dids import DidError, DidWebFolder, did_key_from_key
from lerkit.errors import DatasetError
from lerkit.issue import IssuerKey, KeyType, private_key_from_seed
from lerkit.proofs._multikey import PrivateKey, public_key_to_multibase

__all__ = [
    "DID_CONTEXTS",
    "FRAGMENTS",
    "derive_bytes",
    "did_document",
    "did_web_document",
    "issuer_key",
    "learner_did",
    "synthetic_did_key",
]

#: The contexts of the DID documents written for ``did:web`` issuers.
DID_CONTEXTS = ("https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1")
#: The fragment of each key in a ``did:web`` issuer's DID document.
FRAGMENTS: dict[KeyType, str] = {"Ed25519": "key-ed25519", "P-256": "key-p256"}

_DOMAIN = "lerkit synthetic credential files"


def derive_bytes(seed: int, *labels: str) -> bytes:
    """32 bytes fixed by the seed and the labels (SHA-256 of an unambiguous encoding)."""
    text = "\x1f".join((_DOMAIN, str(int(seed)), *labels))
    return hashlib.sha256(text.encode("utf-8")).digest()


def _private_key(kind: KeyType, secret: bytes) -> PrivateKey:
    return private_key_from_seed(kind, secret)


def _check_kind(kind: str) -> KeyType:
    if kind == "Ed25519":
        return "Ed25519"
    if kind == "P-256":
        return "P-256"
    raise DatasetError(
        f"key kind must be 'Ed25519' or 'P-256', got {kind!r}", code="invalid_argument"
    )


def _did_key(private_key: PrivateKey) -> IssuerKey:
    public = private_key.public_key()
    multibase = public_key_to_multibase(public)
    did = did_key_from_key(public)
    kind: KeyType = "Ed25519" if isinstance(private_key, Ed25519PrivateKey) else "P-256"
    return IssuerKey(
        kind=kind,
        did=did,
        verification_method=f"{did}#{multibase}",
        private_key=private_key,
        public_key_multibase=multibase,
    )


def _check_did_web(issuer_id: str) -> None:
    try:
        DidWebFolder(".").relative_path(issuer_id)
    except DidError as err:
        raise DatasetError(
            f"issuer {issuer_id!r} is not a valid did:web DID: {err.message}",
            code="invalid_issuer_did",
        ) from err


def synthetic_did_key(seed: int, name: str, kind: KeyType = "Ed25519") -> str:
    """The ``did:key`` of a synthetic issuer, derived from the seed and its name.

    Use it for the ``issuer_id`` of a ``did:key`` issuer in a synthetic issuers table:
    :func:`issuer_key` (and :class:`~lerkit.datasets._credential_files.CredentialFileWriter`)
    derive the signing key again from the same seed and name.

    Parameters
    ----------
    seed : int
        The generator's seed.
    name : str
        The issuer's ``name`` in the issuers table.
    kind : {"Ed25519", "P-256"}
        Ed25519 (``did:key:z6Mk…``) signs eddsa-rdfc-2022, Ed25519Signature2020 and
        VC-JWTs; P-256 (``did:key:zDn…``) signs ecdsa-rdfc-2019 and VC-JWTs.

    Examples
    --------
    >>> synthetic_did_key(7, "Lakeshore Welding Academy")[:16]
    'did:key:z6MksNAe'
    >>> synthetic_did_key(7, "Lakeshore Welding Academy", "P-256")[:11]
    'did:key:zDn'
    """
    chosen = _check_kind(kind)
    if not isinstance(name, str) or not name:
        raise DatasetError("a did:key issuer needs a non-empty name", code="invalid_argument")
    return _did_key(_private_key(chosen, derive_bytes(seed, "did:key issuer", name, chosen))).did


def issuer_key(
    seed: int, issuer_id: str, kind: KeyType = "Ed25519", *, name: str | None = None
) -> IssuerKey:
    """Derive a synthetic issuer's signing key again from the seed.

    Parameters
    ----------
    seed : int
        The seed the credential files were written with.
    issuer_id : str
        ``did:web:<host>[:<path>]``, or a ``did:key`` made by :func:`synthetic_did_key`.
    kind : {"Ed25519", "P-256"}
        Which of a ``did:web`` issuer's two keys. For a ``did:key`` it must be the kind
        the DID encodes.
    name : str, optional
        The issuer's name; required for a ``did:key`` (its key is derived from it).

    Returns
    -------
    IssuerKey
        A :class:`lerkit.issue.IssuerKey` whose ``did`` is ``issuer_id``, so
        :func:`lerkit.issue.issue_credential` signs with it. For a ``did:web`` key the
        verification method is ``<did>#key-ed25519`` or ``<did>#key-p256``, and its DID
        document is :func:`did_web_document` (not ``IssuerKey.did_document()``, which
        only knows ``did:key``).

    Raises
    ------
    DatasetError
        ``invalid_issuer_did`` for a malformed DID or one of another method;
        ``issuer_key_unknown`` when a ``did:key`` was not made from this seed and name;
        ``invalid_argument``.

    Examples
    --------
    >>> key = issuer_key(7, "did:web:cc.example.edu")
    >>> key.verification_method, key.kind
    ('did:web:cc.example.edu#key-ed25519', 'Ed25519')
    >>> issuer_key(7, "did:web:cc.example.edu", "P-256").public_key_multibase[:3]
    'zDn'
    """
    chosen = _check_kind(kind)
    if not isinstance(issuer_id, str):
        raise DatasetError(
            f"issuer_id must be a string, got {type(issuer_id).__name__}",
            code="invalid_issuer_did",
        )
    if issuer_id.startswith("did:web:"):
        _check_did_web(issuer_id)
        private_key = _private_key(chosen, derive_bytes(seed, "did:web issuer", issuer_id, chosen))
        return IssuerKey(
            kind=chosen,
            did=issuer_id,
            verification_method=f"{issuer_id}#{FRAGMENTS[chosen]}",
            private_key=private_key,
            public_key_multibase=public_key_to_multibase(private_key.public_key()),
        )
    if issuer_id.startswith("did:key:"):
        encoded = "P-256" if issuer_id.startswith("did:key:zDn") else "Ed25519"
        if encoded != chosen:
            raise DatasetError(
                f"issuer {issuer_id} has a {encoded} key, not a {chosen} key",
                code="key_type_mismatch",
            )
        if name is None:
            raise DatasetError(
                f"the key of did:key issuer {issuer_id} is derived from the issuer's name: "
                "pass name=...",
                code="issuer_key_unknown",
            )
        key = _did_key(_private_key(chosen, derive_bytes(seed, "did:key issuer", name, chosen)))
        if key.did != issuer_id:
            raise DatasetError(
                f"issuer {issuer_id} ({name!r}) was not made with synthetic_did_key(seed={seed}, "
                f"name={name!r}), so its private key cannot be derived; make did:key issuer ids "
                "with synthetic_did_key, or pass the key itself (keys={issuer_id: key})",
                code="issuer_key_unknown",
            )
        return key
    raise DatasetError(
        f"issuer {issuer_id!r} must be a did:web or did:key DID", code="invalid_issuer_did"
    )


def did_web_document(seed: int, issuer_id: str) -> dict[str, Any]:
    """The DID document of a synthetic ``did:web`` issuer: its two keys, for assertions.

    Examples
    --------
    >>> doc = did_web_document(7, "did:web:cc.example.edu")
    >>> doc["assertionMethod"]
    ['did:web:cc.example.edu#key-ed25519', 'did:web:cc.example.edu#key-p256']
    """
    if not isinstance(issuer_id, str) or not issuer_id.startswith("did:web:"):
        raise DatasetError(
            f"only did:web issuers have DID documents to publish, not {issuer_id!r}",
            code="invalid_issuer_did",
        )
    kinds: tuple[KeyType, ...] = ("Ed25519", "P-256")
    return did_document(issuer_id, [issuer_key(seed, issuer_id, kind) for kind in kinds])


def did_document(did: str, keys: Sequence[IssuerKey]) -> dict[str, Any]:
    """A DID document listing ``keys`` as Multikey methods for assertion and authentication."""
    methods = [key.verification_method for key in keys]
    return {
        "@context": list(DID_CONTEXTS),
        "id": did,
        "verificationMethod": [
            {
                "id": key.verification_method,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": key.public_key_multibase,
            }
            for key in keys
        ],
        "authentication": list(methods),
        "assertionMethod": list(methods),
    }


def learner_did(seed: int, learner_id: str) -> str:
    """The holder DID of a synthetic learner (a ``did:key``, as a wallet would present).

    The same learner has the same DID in every credential, whoever issued it; the DID
    does not contain the learner id.

    Examples
    --------
    >>> learner_did(7, "L00001") == learner_did(7, "L00001") != learner_did(8, "L00001")
    True
    """
    secret = derive_bytes(seed, "learner holder key", str(learner_id))
    return did_key_from_key(Ed25519PrivateKey.from_private_bytes(secret).public_key())
