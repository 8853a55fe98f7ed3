"""The one way lerkit calls a caller-supplied downloader.

lerkit has no HTTP client of its own: contexts, did:web documents, issuer profiles and
status lists are downloaded only by a ``fetch`` function the caller passes in, and only
when the caller allowed network use. This helper holds the rules every such call
follows, so each module turns a failure into its own error class and code.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from lerkit.errors import LerkitError

__all__ = ["fetch_bytes"]


def fetch_bytes(
    url: str,
    fetch: Callable[[str], bytes],
    *,
    what: str,
    error: Callable[[str], LerkitError],
) -> bytes:
    """Call ``fetch(url)`` for an https URL and insist on bytes back.

    Parameters
    ----------
    url : str
        What to download; anything but ``https`` is refused before ``fetch`` is called.
    fetch : callable
        The caller's downloader. Whatever it raises becomes ``error(message)``, except a
        :class:`~lerkit.errors.LerkitError`, which passes through unchanged.
    what : str
        What is being downloaded, for messages (``"the status list"``).
    error : callable
        Builds the module's own exception from a message.

    Examples
    --------
    >>> fetch_bytes("http://x.example/a", bytes, what="a file", error=LerkitError)
    Traceback (most recent call last):
    ...
    lerkit.errors.LerkitError: refusing to download a file 'http://x.example/a': only https URLs are fetched
    """
    if urlsplit(url).scheme != "https":
        raise error(f"refusing to download {what} {url!r}: only https URLs are fetched")
    try:
        data = fetch(url)
    except LerkitError:
        raise
    except Exception as err:  # the caller's downloader may raise anything
        raise error(f"downloading {what} {url} failed: {type(err).__name__}: {err}") from err
    if not isinstance(data, bytes):
        raise error(f"the fetch function returned {type(data).__name__} for {url}, expected bytes")
    return data
