"""DID documents and verification methods as frozen records.

A DID document (or a controller document such as an issuer profile) lists verification
methods and, under each *verification relationship* (``assertionMethod``,
``authentication``, ...), which of them may be used for what. A credential's proof names
a method and a purpose (``proofPurpose: assertionMethod``); the method may sign
credentials only if the document lists it under that relationship.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lerkit.dids._errors import DidError
from lerkit.dids._jwk import public_key_from_jwk
from lerkit.proofs._errors import ProofError
from lerkit.proofs._jose import JosePublicKey, KeyFamily, key_family
from lerkit.proofs._multikey import public_key_from_multibase

__all__ = [
    "RELATIONSHIPS",
    "DidDocument",
    "VerificationMethod",
    "parse_document",
]

#: The verification relationships of DID Core (section 5.3).
RELATIONSHIPS: tuple[str, ...] = (
    "assertionMethod",
    "authentication",
    "capabilityDelegation",
    "capabilityInvocation",
    "keyAgreement",
)

# Method types whose key must be of one family.
_TYPE_FAMILIES: dict[str, frozenset[str]] = {
    "Ed25519VerificationKey2020": frozenset({"Ed25519"}),
    "Ed25519VerificationKey2018": frozenset({"Ed25519"}),
    "EcdsaSecp256r1VerificationKey2019": frozenset({"P-256"}),
}
_MULTIBASE_TYPES = frozenset(
    {"Multikey", "Ed25519VerificationKey2020", "EcdsaSecp256r1VerificationKey2019"}
)
_JWK_TYPES = frozenset({"JsonWebKey2020", "JsonWebKey", "EcdsaSecp256r1VerificationKey2019"})
_BASE58_TYPES = frozenset({"Ed25519VerificationKey2018"})
_KEY_MEMBERS = ("publicKeyMultibase", "publicKeyJwk", "publicKeyBase58")


@dataclass(frozen=True, slots=True)
class VerificationMethod:
    """A usable verification key, and what its controller authorized it for.

    Attributes
    ----------
    id : str
        The absolute method id (a DID URL such as ``did:key:z6Mk…#z6Mk…``, or an HTTPS URL).
    type : str
        ``Multikey``, ``JsonWebKey2020``, ``Ed25519VerificationKey2020``, ...
    controller : str
        Who controls the key, as the document states it.
    public_key : Ed25519PublicKey, EllipticCurvePublicKey or RSAPublicKey
        The key itself.
    key_family : {"Ed25519", "P-256", "P-384", "RSA"}
        The key's algorithm family.
    relationships : frozenset of str
        The verification relationships of the document that list this method
        (``assertionMethod`` is the one that allows signing credentials).
    resolved_via : str
        How the key was obtained: ``"did:key"``, ``"did:jwk"``, ``"did:web"``,
        ``"issuer-profile"`` or ``"fragment"`` (trusted from the URL alone, on request).
    data : dict
        The method as written in the document.
    """

    id: str
    type: str
    controller: str
    public_key: JosePublicKey
    key_family: KeyFamily
    relationships: frozenset[str]
    resolved_via: str
    data: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def did(self) -> str | None:
        """The DID the method id belongs to, or None when the id is not a DID URL."""
        base = self.id.split("#", 1)[0]
        return base if base.startswith("did:") else None

    def authorized_for(self, relationship: str) -> bool:
        """Whether the document lists this method under ``relationship``."""
        return relationship in self.relationships


@dataclass(frozen=True, slots=True)
class DidDocument:
    """A resolved DID document.

    Attributes
    ----------
    id : str
        The DID.
    method : str
        The DID method (``"key"``, ``"jwk"``, ``"web"``).
    document : dict
        The DID document JSON (generated for ``did:key``/``did:jwk``, read for ``did:web``).
    verification_methods : tuple of VerificationMethod
        Every method lerkit can use, in document order.
    unsupported_methods : dict
        Method id -> why it cannot be used (an X25519 key-agreement key, an unknown type,
        private key material, ...). Such methods are skipped, not fatal.
    source : str
        Where the document came from: ``"generated"``, a file path or a URL.
    """

    id: str
    method: str
    document: dict[str, Any] = field(compare=False, repr=False)
    verification_methods: tuple[VerificationMethod, ...]
    unsupported_methods: dict[str, str] = field(compare=False)
    source: str

    def __iter__(self) -> Iterator[VerificationMethod]:
        return iter(self.verification_methods)

    def find(self, method_id: str) -> VerificationMethod:
        """Return the method with this id (absolute, or a ``#fragment`` of this DID).

        Raises
        ------
        DidError
            ``unsupported_verification_method`` when the method exists but cannot be used;
            ``verification_method_not_found`` when the document does not have it.
        """
        wanted = absolute_id(method_id, self.id)
        for method in self.verification_methods:
            if method.id == wanted:
                return method
        if wanted in self.unsupported_methods:
            raise DidError(
                f"verification method {wanted!r} cannot be used: "
                f"{self.unsupported_methods[wanted]}",
                code="unsupported_verification_method",
                did=self.id,
            )
        known = [m.id for m in self.verification_methods] + list(self.unsupported_methods)
        raise DidError(
            f"the DID document of {self.id!r} has no verification method {wanted!r} "
            f"(it has: {', '.join(known) or 'none'})",
            code="verification_method_not_found",
            did=self.id,
        )


def absolute_id(method_id: str, base: str) -> str:
    """Resolve a relative method reference (``#key-1``) against a document id."""
    if method_id.startswith("#"):
        return base.split("#", 1)[0] + method_id
    return method_id


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _key_from_method(data: Mapping[str, Any]) -> tuple[JosePublicKey, KeyFamily]:
    """Decode the key of one method object; raise DidError(unsupported_...) on failure."""
    method_type = data.get("type")
    present = [name for name in _KEY_MEMBERS if name in data]
    if len(present) != 1:
        raise DidError(
            "a verification method must carry exactly one of "
            f"{', '.join(_KEY_MEMBERS)}; found {present or 'none'}",
            code="unsupported_verification_method",
        )
    member = present[0]
    if "secretKeyMultibase" in data or "privateKeyMultibase" in data:
        raise DidError(
            "the method publishes private key material", code="unsupported_verification_method"
        )
    allowed = {
        "publicKeyMultibase": _MULTIBASE_TYPES,
        "publicKeyJwk": _JWK_TYPES,
        "publicKeyBase58": _BASE58_TYPES,
    }[member]
    if method_type not in allowed:
        raise DidError(
            f"method type {method_type!r} with {member} is not supported (supported: "
            f"{', '.join(sorted(allowed))})",
            code="unsupported_verification_method",
        )
    key: JosePublicKey
    family: KeyFamily | None
    if member == "publicKeyMultibase":
        try:
            key = public_key_from_multibase(data[member])
        except ProofError as err:
            raise DidError(err.message, code="unsupported_verification_method") from err
        family = key_family(key)
    elif member == "publicKeyBase58":
        raw = data[member]
        try:
            decoded = base58.b58decode(raw) if isinstance(raw, str) else b""
        except ValueError:
            decoded = b""
        if len(decoded) != 32:
            raise DidError(
                f"publicKeyBase58 {raw!r} is not a 32-byte Ed25519 key",
                code="unsupported_verification_method",
            )
        key, family = Ed25519PublicKey.from_public_bytes(decoded), "Ed25519"
    else:
        try:
            key, family = public_key_from_jwk(data[member])
        except DidError as err:
            raise DidError(err.message, code="unsupported_verification_method") from err
    assert family is not None  # every decoder above yields a supported family
    families = _TYPE_FAMILIES.get(str(method_type))
    if families is not None and family not in families:
        raise DidError(
            f"method type {method_type!r} must hold a {' or '.join(sorted(families))} key, "
            f"but it holds a {family} key",
            code="unsupported_verification_method",
        )
    return key, family


def parse_document(
    document: Mapping[str, Any],
    *,
    expected_id: str,
    method: str,
    source: str,
    resolved_via: str,
    default_relationships: frozenset[str] | None = None,
    default_controller: str | None = None,
) -> DidDocument:
    """Read a DID (or controller) document into a :class:`DidDocument`.

    ``default_relationships``, when given, applies to listed methods if the document has
    none of the relationship properties at all (an OB 3.0 issuer profile that lists its
    keys has no relationship vocabulary); ``default_controller`` is the controller of a
    listed method that names none (the profile itself).

    Raises
    ------
    DidError
        ``invalid_did_document`` when the document is not an object or its ``id`` is not
        ``expected_id``.
    """
    if not isinstance(document, Mapping):
        raise DidError(
            f"the document for {expected_id!r} must be a JSON object, got "
            f"{type(document).__name__}",
            code="invalid_did_document",
            did=expected_id,
        )
    doc_id = document.get("id")
    if doc_id != expected_id:
        raise DidError(
            f"the document at {source} has id {doc_id!r}, not {expected_id!r}; a document "
            "may only describe its own identifier",
            code="invalid_did_document",
            did=expected_id,
        )

    objects: list[dict[str, Any]] = []
    relationships: dict[str, set[str]] = {}
    for name in ("verificationMethod", "publicKey"):
        objects.extend(item for item in _as_list(document.get(name)) if isinstance(item, dict))
    has_relationships = any(name in document for name in RELATIONSHIPS)
    for relationship in RELATIONSHIPS:
        for item in _as_list(document.get(relationship)):
            if isinstance(item, str):
                relationships.setdefault(absolute_id(item, expected_id), set()).add(relationship)
            elif isinstance(item, dict):
                objects.append(item)
                item_id = item.get("id")
                if isinstance(item_id, str):
                    relationships.setdefault(absolute_id(item_id, expected_id), set()).add(
                        relationship
                    )

    methods: list[VerificationMethod] = []
    unsupported: dict[str, str] = {}
    seen: set[str] = set()
    for index, data in enumerate(objects):
        raw_id = data.get("id")
        if not isinstance(raw_id, str) or not raw_id:
            unsupported[f"{expected_id}#<method {index} without an id>"] = "the method has no id"
            continue
        method_id = absolute_id(raw_id, expected_id)
        if method_id in seen:
            continue
        seen.add(method_id)
        controller = data.get("controller", default_controller)
        if not isinstance(controller, str) or not controller:
            unsupported[method_id] = f"the method has no controller (got {controller!r})"
            continue
        try:
            key, family = _key_from_method(data)
        except DidError as err:
            unsupported[method_id] = err.message
            continue
        granted = relationships.get(method_id, set())
        if not has_relationships and default_relationships is not None:
            granted = set(default_relationships)
        methods.append(
            VerificationMethod(
                id=method_id,
                type=str(data.get("type")),
                controller=controller,
                public_key=key,
                key_family=family,
                relationships=frozenset(granted),
                resolved_via=resolved_via,
                data=dict(data),
            )
        )
    return DidDocument(
        id=expected_id,
        method=method,
        document=dict(document),
        verification_methods=tuple(methods),
        unsupported_methods=unsupported,
        source=source,
    )
