"""Offline JSON-LD contexts, pinned by SHA-256.

Verifying a Data Integrity proof canonicalizes the credential, which needs every
``@context`` it names. Fetching them at verification time would let a context host change
what a signature means, and leak which credentials are being checked, so lerkit serves
contexts from pinned local copies and never fetches an arbitrary URL.

>>> from lerkit.contexts import DocumentLoader, PINNED_CONTEXTS
>>> loader = DocumentLoader()
>>> "https://www.w3.org/ns/credentials/v2" in PINNED_CONTEXTS
True
"""

from __future__ import annotations

from lerkit.contexts._errors import ContextError, UnknownContextError
from lerkit.contexts._loader import (
    CACHE_ENV_VAR,
    CachedContext,
    DocumentLoader,
    Fetch,
    default_cache_dir,
    default_loader,
)
from lerkit.contexts._registry import PINNED_CONTEXTS, Origin, PinnedContext

__all__ = [
    "CACHE_ENV_VAR",
    "PINNED_CONTEXTS",
    "CachedContext",
    "ContextError",
    "DocumentLoader",
    "Fetch",
    "Origin",
    "PinnedContext",
    "UnknownContextError",
    "default_cache_dir",
    "default_loader",
]
