"""Errors raised by the JSON-LD context store.

::

    LerkitError
     └── ContextError            a context could not be served as pinned
          └── UnknownContextError   a URL the loader may not serve (offline, not allowlisted)

They live here rather than in :mod:`lerkit.errors` for now; the codes are stable either way.
"""

from __future__ import annotations

from lerkit.errors import LerkitError

__all__ = ["ContextError", "UnknownContextError"]


class ContextError(LerkitError):
    """A JSON-LD context could not be served exactly as pinned.

    Codes: ``context_pin_mismatch`` (the bytes' SHA-256 differs from the pin),
    ``context_missing`` (the file a pin points to is absent), ``invalid_context``
    (not a JSON object with ``@context``), ``context_fetch_failed`` (an allowed
    network fetch failed), ``context_cache_error`` (the user cache index is unreadable
    or a write failed), ``context_pinned`` (``add_context`` for a URL lerkit pins itself).

    Attributes
    ----------
    url : str or None
        The context URL concerned.
    path : str or None
        The file read, when there was one.
    expected, actual : str or None
        The pinned and the computed SHA-256 (hex) for a pin mismatch.
    """

    code = "context_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        url: str | None = None,
        path: str | None = None,
        expected: str | None = None,
        actual: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.url = url
        self.path = path
        self.expected = expected
        self.actual = actual


class UnknownContextError(ContextError):
    """A context URL the loader will not serve.

    Raised without any network traffic for every URL that is neither pinned by lerkit,
    nor in the user cache, nor allowed for retrieval (``allow_network=True``, an
    ``https`` URL, and its host in the allowlist). ``reason`` says which of these failed.
    """

    code = "unknown_context"

    def __init__(self, url: str, *, reason: str) -> None:
        super().__init__(
            f"JSON-LD context {url!r} is not available offline: {reason}",
            url=url,
        )
        self.reason = reason
