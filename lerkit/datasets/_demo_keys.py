"""DEMO-ONLY signing keys for the bundled synthetic sample credentials.

.. warning::

   These private keys are published in lerkit's source code: anyone can sign
   anything with them. They exist only so that ``make_samples`` produces real,
   verifiable signatures byte-for-byte reproducibly. Never issue a real credential
   with them, and never trust a signature because it verifies with one of them.

Each Ed25519 key is the 32-byte seed ``sha256(b"lerkit demo key: " + label)``
(the test suite checks the constants below against that rule). The RSA key for the
Open Badges 2.0 signed assertion was generated once with ``cryptography`` and
pasted here, because RSA key generation is not reproducible from a seed.
"""

from __future__ import annotations

from typing import Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

__all__ = [
    "ED25519_SEEDS",
    "RSA_PRIVATE_KEY_PEM",
    "did_key",
    "did_key_url",
    "ed25519_private_key",
    "ed25519_public_bytes",
    "rsa_private_key",
]

#: label -> hex seed, ``sha256(b"lerkit demo key: " + label)``. DEMO ONLY.
ED25519_SEEDS: Final = {
    "bootcamp": "e667d4c478822676c59b2112f92401ce1963d7b546b5d1f03942519ab9d2d1a7",
    "community-college": "e9b507cafd88af56ad6a6ce15fc18dd4c04a82a054e5f013ebb4d37c5ee779da",
    "employer": "685118ccbca560bca0346b56f7fe387df0e3c8f2708fca331bc6fa6bbe228473",
    "licensing-board": "8a3e245e44a48746929a5e8c2fcf21f8bca0485ecb4791a308469fbf9f889e1b",
    "military-training": "cbda15fdc5c67fa919f7a41d2335f08c172ab9234d04b319b66393540762e926",
    "resume-builder": "ddd880f0b7e84773a64ac920c0b5600d51f8892a71ef9dd7b9275f4c09f1fb94",
    "skills-council": "77e78a0f3605256451fa3141f1abb49dea031894f4bdba61e2be6388feecf482",
    "workforce-board": "4096414fb78347718a0d0ee078ad9ce675eb897e31e0b916ba8611d096d192c1",
}

#: RSA-2048 key (PKCS#8) of the Example County Workforce Development Board's
#: Open Badges 2.0 signing key. DEMO ONLY: published, never use it for real.
RSA_PRIVATE_KEY_PEM: Final = b"""\
-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCkiut8NWQ8tOpr
b8bNCxgpE+cGgIQ1Z8N8r8oS4Py5+2vjDE62fwkUSdnHPxay/MhH0CafqeEXG0ik
htjYaf3prxXhGHx+pdJtxAWdoK6xuqiwg7Jen4brIotCbZCVfzyc5sgifR3dsc3T
cVt/fiPl1dYxXzvctPEsxgJwny1rf9QAVqZePu9lmZfBBiu0CwuU9Fc3MRu0cdkR
sGALPqPevvzctQlpbq1Dm0BxK/NDKqhc0HVYdUDG/u2fySVVyc1oArG88chinVWX
GEsbXw1zQ2ArDPpq7yGckFlArcaNBbVEWP6eF9bbXbm+fP0Jxz7Ljy9MLzeaovGA
NYrs+WznAgMBAAECggEACkrkUxc153Q7q6/IxD+66arkiywT2RFeEZkfb1HijTG0
fHXjIJhOtZWvCT8hiN22G4PiPp+ORHdA8oW638K1jt4UZMm20+dEg/g8j7Ei7Fws
PCpoyHF7K480Hdojrq5QWNI416ty6FC8esr++bkmvrRDG0CFSpeI9I+ITIoweaZi
ChFcAR7t185zU4KiO40Jf1Td4LVVIsV62NE523g167jYrlyPVxvfMD7WrPRV5SEt
WpG4zivx+T0znbNV/VVDlEp+5A66+CwjF/mi1KRVx9r0/mFM9iNFmFceTW/x8idy
KugIwK079NjSEpGV8KJuFYqo0xALmWzzV+9jA6q5tQKBgQDjG0L2PZa8g3XdIDcY
HVpsg9neLbLVt8d7ta6p/hkqjWykob0DdY43I2+nj1aVpi9t1z82M5FlDu8XUXkH
jcbmk3Jp68Yi8X9Xx0Sf3G1Alp6QyAcRS/LnyQlGLr4lXrjQ3w7dRl2LFNtoxl9z
awNenTrB+jQ+QzkoAV2EIVLRowKBgQC5efy7/mDDFtOCDc/fhx+1/jDIzte86PzR
bdyjXhqtbv+T4pd/1oN9tKKwGBFS5+GwX9hJnE26PHATknn5lTn0MMLp1ODlXLDB
czw/ehI3AmDAsNgtqPpOhTTKyNuna1lEip68SnVotuFNeqZziBLrZFS3ZjihQyVs
JRf5nazT7QKBgF7+pzrCtktyHZn6ALGYjZs4Z6hUqypULh/j9gRrIfG3qEsQ0DQj
NvJ/YxPOlCQSmGI0l98/IMEJxx6U2LA9MIaABGqj0YQKSf7Yfi70D8rldbwPv00P
3LHxWGy/3o9ZGKtdsiUCatxjRAeGeqSXjZhE4jADTVkB22WNdKVxHuhLAoGAWjiL
hsrTOLK2ydF8J2gsNbPi+RsceCkBKcJ+C/2vjmOq8L3NIgMvzQr8BBqA+soOz2Of
6xab/JZ/khWzPYOoQC8j8Oh7STaQSFmMmfgAOj/u3mxni7Zho6ZKKsYPit29+4hO
dJrnh7tF1xFtPE+ZnGUejGOt8kuePX/BrMtVEXUCgYBIf4Zf0kiDFNI0cX/v6SPr
cdvNgE2YkcuK/sz9fx6HF0w2tod8WdSsqltz3BCpWRnuc74MVwB52/u5/K/zUW9u
CQZVjU0Yz7+Q9JvkSsssLWZB9EyGYiCmnU6iAf57T0H0BN2oFi9rd2H0vJjzILQr
D9Wco3Lfv2X+oo5TWVHDYA==
-----END PRIVATE KEY-----
"""

_BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ED25519_MULTICODEC = b"\xed\x01"  # multicodec varint for ed25519-pub


def ed25519_private_key(label: str) -> Ed25519PrivateKey:
    """The demo Ed25519 key called ``label`` (DEMO ONLY).

    Parameters
    ----------
    label : str
        One of the keys of :data:`ED25519_SEEDS`, e.g. ``"bootcamp"``.

    Returns
    -------
    Ed25519PrivateKey
        The private key.

    Raises
    ------
    KeyError
        For an unknown label.
    """
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(ED25519_SEEDS[label]))


def ed25519_public_bytes(label: str) -> bytes:
    """The raw 32-byte public key of the demo key ``label``."""
    return (
        ed25519_private_key(label)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def _base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_BASE58_ALPHABET[remainder])
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(digits))


def did_key(label: str) -> str:
    """The ``did:key`` DID of the demo Ed25519 key ``label``.

    Examples
    --------
    >>> did_key("bootcamp").startswith("did:key:z6Mk")
    True
    """
    return "did:key:z" + _base58btc(_ED25519_MULTICODEC + ed25519_public_bytes(label))


def did_key_url(label: str) -> str:
    """The verification-method DID URL (``did:key:z...#z...``) of the demo key ``label``."""
    did = did_key(label)
    return f"{did}#{did.removeprefix('did:key:')}"


def rsa_private_key() -> RSAPrivateKey:
    """The demo RSA key that signs the Open Badges 2.0 sample (DEMO ONLY)."""
    key = serialization.load_pem_private_key(RSA_PRIVATE_KEY_PEM, password=None)
    if not isinstance(key, RSAPrivateKey):  # pragma: no cover - the constant is RSA
        raise TypeError("RSA_PRIVATE_KEY_PEM does not hold an RSA key")
    return key
