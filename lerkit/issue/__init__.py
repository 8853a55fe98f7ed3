"""Issue credentials for workshops, demos and synthetic data: keys, signing, tampering,
negative corpora, revocation and baking.

Everything here is for demonstrations and test corpora: keys live in a local JSON file,
the issuer is a ``did:key``, and the demo data is invented. Verifying is not done here
(see :mod:`lerkit.proofs` and the verification pipeline).

>>> from lerkit import issue
>>> key = issue.generate_key(seed=bytes(32))  # a fixed DEMO key: never for real credentials
>>> [vc] = issue.demo_credentials(1, key, seed=1)
>>> vc.document["issuer"]["id"] == key.did, vc.document["proof"][0]["cryptosuite"]
(True, 'eddsa-rdfc-2022')
>>> tampered = issue.tamper_field(vc.document, "/credentialSubject/achievement/name", "PhD")
>>> tampered["proof"] == vc.document["proof"]
True
"""

from __future__ import annotations

from lerkit.issue._bake import bake
from lerkit.issue._builders import (
    achievement,
    achievement_credential,
    alignment,
    clr_credential,
    hashed_identity,
)
from lerkit.issue._corpus import Variant, corpus_options, negative_variants
from lerkit.issue._credentials import (
    IssuedCredential,
    JwtForm,
    ProofFormat,
    issue_credential,
)
from lerkit.issue._demo import (
    DEMO_STATUS_LIST_URL,
    DEMO_VALID_FROM,
    demo_credentials,
    demo_issuer_profile,
)
from lerkit.issue._errors import IssueError
from lerkit.issue._keys import IssuerKey, KeyType, generate_key, load_key, private_key_from_seed
from lerkit.issue._status import (
    StatusPurpose,
    revoke,
    status_entry,
    status_list_credential,
    suspend,
    unsuspend,
)
from lerkit.issue._tamper import (
    backdate,
    expired_credential,
    flip_signature_bit,
    jwt_with_alg,
    remove_field,
    resign_as,
    swap_key,
    tamper_field,
    tamper_jwt_payload,
)

__all__ = [
    "DEMO_STATUS_LIST_URL",
    "DEMO_VALID_FROM",
    "IssueError",
    "IssuedCredential",
    "IssuerKey",
    "JwtForm",
    "KeyType",
    "ProofFormat",
    "StatusPurpose",
    "Variant",
    "achievement",
    "achievement_credential",
    "alignment",
    "backdate",
    "bake",
    "clr_credential",
    "corpus_options",
    "demo_credentials",
    "demo_issuer_profile",
    "expired_credential",
    "flip_signature_bit",
    "generate_key",
    "hashed_identity",
    "issue_credential",
    "jwt_with_alg",
    "load_key",
    "negative_variants",
    "private_key_from_seed",
    "remove_field",
    "resign_as",
    "revoke",
    "status_entry",
    "status_list_credential",
    "suspend",
    "swap_key",
    "tamper_field",
    "tamper_jwt_payload",
    "unsuspend",
]
