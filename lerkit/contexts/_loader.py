"""The offline JSON-LD document loader.

Resolution order for a context URL:

1. lerkit's pinned contexts (:data:`~lerkit.contexts.PINNED_CONTEXTS`), read from the
   installed packages and checked against their SHA-256 pins on first use;
2. the user context cache (``index.json`` plus files added with
   :meth:`DocumentLoader.add_context`), also checked against the pin stored there;
3. only when the loader was built with ``allow_network=True``: an ``https`` URL whose
   host is in the explicit allowlist, through the pluggable ``fetch`` callable.

Anything else raises :class:`~lerkit.contexts.UnknownContextError` before any network
traffic. A pyld ``documentLoader`` is any callable ``(url, options) -> RemoteDocument``;
a :class:`DocumentLoader` instance is one.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

from pyld.context_resolver import ContextResolver

from lerkit._fetch import fetch_bytes
from lerkit.contexts._errors import ContextError, UnknownContextError
from lerkit.contexts._registry import PINNED_CONTEXTS, check_pin
from lerkit.contexts._validate import parse_context_document

__all__ = [
    "CACHE_ENV_VAR",
    "CachedContext",
    "DocumentLoader",
    "Fetch",
    "default_cache_dir",
    "default_loader",
]

#: Environment variable naming the user context cache folder.
CACHE_ENV_VAR = "LERKIT_CONTEXT_CACHE"
_INDEX_NAME = "index.json"
_INDEX_FORMAT = "lerkit-context-cache/1"

#: ``fetch(url, timeout_seconds, max_bytes) -> body``: retrieves one context over HTTPS.
Fetch = Callable[[str, float, int], bytes]


def default_cache_dir() -> Path:
    """The user context cache: ``$LERKIT_CONTEXT_CACHE`` or ``~/.cache/lerkit/contexts``."""
    configured = os.environ.get(CACHE_ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "lerkit" / "contexts"


@dataclass(frozen=True, slots=True)
class CachedContext:
    """A context stored in the user cache.

    Attributes
    ----------
    url : str
        The context URL.
    sha256 : str
        Lowercase hex SHA-256 of the stored bytes (the pin).
    path : pathlib.Path
        The stored file.
    """

    url: str
    sha256: str
    path: Path


class _ResolvedContextCache:
    """A small LRU map with the ``get`` / ``[key] = value`` interface pyld's resolver uses."""

    def __init__(self, maxsize: int) -> None:
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._maxsize = maxsize

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self._items:
            return default
        self._items.move_to_end(key)
        return self._items[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._maxsize:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class _NoUnsafeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to an ``https`` URL whose host is allowlisted."""

    def __init__(self, allowlist: frozenset[str]) -> None:
        super().__init__()
        self._allowlist = allowlist

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        parts = urllib.parse.urlsplit(newurl)
        if parts.scheme != "https" or (parts.hostname or "").lower() not in self._allowlist:
            raise urllib.error.HTTPError(
                newurl, code, f"redirect to a URL that is not allowed: {newurl}", headers, fp
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class DocumentLoader:
    """Serve JSON-LD contexts offline, pinned by SHA-256; usable as pyld's ``documentLoader``.

    Parameters
    ----------
    cache_dir : str or os.PathLike, optional
        The user context cache. Default: ``$LERKIT_CONTEXT_CACHE`` or
        ``~/.cache/lerkit/contexts``. It is only read when a URL is not pinned, and only
        written by :meth:`add_context`.
    allow_network : bool, default False
        Allow retrieving contexts that are neither pinned nor cached. Even then only
        ``https`` URLs whose host is in ``allowlist`` are fetched.
    allowlist : iterable of str
        Host names (exact, case-insensitive) that may be fetched from.
    fetch : callable, optional
        ``fetch(url, timeout, max_bytes) -> bytes``. Default: urllib, following
        redirects only to allowlisted ``https`` hosts. A custom fetch is responsible for
        its own redirect policy.
    timeout : float, default 10.0
        Seconds allowed for one fetch.
    max_bytes : int, default 1_000_000
        Largest context accepted, from the network or via :meth:`add_context`.

    Notes
    -----
    Parsed documents are cached per loader; every caller gets its own deep copy, so
    pyld cannot alter what later calls see. The loader is safe to share between threads
    for reading. Fetched contexts are kept in memory only; use :meth:`add_context` to pin
    one in the user cache.

    Examples
    --------
    >>> from lerkit.contexts import DocumentLoader
    >>> loader = DocumentLoader(cache_dir="/nonexistent")
    >>> loader.load("https://www.w3.org/ns/credentials/v2")["@context"]["@protected"]
    True
    """

    def __init__(
        self,
        cache_dir: str | os.PathLike[str] | None = None,
        *,
        allow_network: bool = False,
        allowlist: Iterable[str] = (),
        fetch: Fetch | None = None,
        timeout: float = 10.0,
        max_bytes: int = 1_000_000,
    ) -> None:
        if isinstance(allowlist, str):
            raise TypeError("allowlist must be an iterable of host names, not one string")
        self._cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self._allow_network = allow_network
        self._allowlist = frozenset(host.lower() for host in allowlist)
        self._fetch: Fetch = fetch if fetch is not None else self._urllib_fetch
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._lock = threading.RLock()
        self._documents: dict[str, dict[str, Any]] = {}
        self._served: dict[str, str] = {}
        self._index: dict[str, CachedContext] | None = None
        self._generation = 0
        self._local = threading.local()

    def __getstate__(self) -> dict[str, Any]:
        # Sent to worker processes (verify_many): the settings travel, the locks and
        # in-memory caches are rebuilt on the other side.
        default_fetch = getattr(self._fetch, "__func__", None) is DocumentLoader._urllib_fetch
        return {
            "cache_dir": self._cache_dir,
            "allow_network": self._allow_network,
            "allowlist": self._allowlist,
            "fetch": None if default_fetch else self._fetch,
            "timeout": self._timeout,
            "max_bytes": self._max_bytes,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(  # type: ignore[misc]
            state["cache_dir"],
            allow_network=state["allow_network"],
            allowlist=state["allowlist"],
            fetch=state["fetch"],
            timeout=state["timeout"],
            max_bytes=state["max_bytes"],
        )

    # -- configuration -------------------------------------------------------------------

    @property
    def cache_dir(self) -> Path:
        """The user context cache folder (it may not exist yet)."""
        return self._cache_dir

    @property
    def allow_network(self) -> bool:
        """Whether allowlisted ``https`` contexts may be fetched."""
        return self._allow_network

    @property
    def allowlist(self) -> frozenset[str]:
        """Host names that may be fetched from (lowercase)."""
        return self._allowlist

    @property
    def served(self) -> Mapping[str, str]:
        """URL -> SHA-256 of every context this loader has served so far (provenance)."""
        with self._lock:
            return MappingProxyType(dict(self._served))

    # -- pyld interface ------------------------------------------------------------------

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Return a pyld ``RemoteDocument`` for ``url``.

        The document is tagged ``static``: pyld's context resolver may keep the processed
        context for reuse. :meth:`pyld_options` scopes that reuse to this loader.
        """
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": self.load(url),
            "tag": "static",
        }

    def pyld_options(self) -> dict[str, Any]:
        """Options to pass to pyld so that resolved contexts are cached per loader.

        pyld's default resolver caches processed contexts in one process-wide map keyed
        by URL; a document tagged ``static`` by *any* loader would then be reused by every
        other loader for that URL. The resolver returned here uses a private per-loader,
        per-thread cache instead.
        """
        local = self._local
        if getattr(local, "generation", None) != self._generation:
            local.cache = _ResolvedContextCache(maxsize=256)
            local.generation = self._generation
        return {"documentLoader": self, "contextResolver": ContextResolver(local.cache, self)}

    # -- loading -------------------------------------------------------------------------

    def load(self, url: str) -> dict[str, Any]:
        """Return the parsed context document for ``url`` (a fresh deep copy).

        Raises
        ------
        UnknownContextError
            The URL is not pinned, not cached, and may not be fetched.
        ContextError
            A pinned or cached file is missing or does not match its pin, or a fetch
            failed.
        """
        return copy.deepcopy(self._document(url))

    def require(self, url: str) -> None:
        """Make sure ``url`` can be served, as :meth:`load` would, without copying it.

        For checks that only need to know a context is available: the first call loads
        the document (checking its pin) exactly as :meth:`load` does, and later calls
        find it in this loader's memory. Nothing is remembered about a URL that failed,
        so it fails again each time, as it does with :meth:`load`.

        Raises
        ------
        UnknownContextError
            The URL is not pinned, not cached, and may not be fetched.
        ContextError
            A pinned or cached file is missing or does not match its pin, or a fetch
            failed.

        Examples
        --------
        >>> loader = DocumentLoader(cache_dir="/nonexistent")
        >>> loader.require("https://www.w3.org/ns/credentials/v2")
        >>> try:
        ...     loader.require("https://example.org/unknown/v1")
        ... except UnknownContextError as err:
        ...     print(err.code)
        unknown_context
        """
        if type(self).load is not DocumentLoader.load:
            self.load(url)  # a subclass decides what load serves, and whether it raises
            return
        self._document(url)

    def _document(self, url: str) -> dict[str, Any]:
        """The shared parsed document for ``url`` (never hand it out: callers copy it)."""
        document = self._documents.get(url)
        if document is None:
            with self._lock:
                document = self._documents.get(url)
                if document is None:
                    document = self._load_uncached(url)
        return document

    def _remember(self, url: str, document: dict[str, Any], sha256: str) -> dict[str, Any]:
        self._documents[url] = document
        self._served[url] = sha256
        return document

    def _load_uncached(self, url: str) -> dict[str, Any]:
        pinned = PINNED_CONTEXTS.get(url)
        if pinned is not None:
            data = pinned.read_bytes()
            return self._remember(url, self._parse(url, data, str(pinned.path)), pinned.sha256)
        cached = self._read_index().get(url)
        if cached is not None:
            try:
                data = cached.path.read_bytes()
            except OSError as err:
                raise ContextError(
                    f"cached context {url!r} is missing: cannot read {cached.path} ({err.strerror})",
                    code="context_missing",
                    url=url,
                    path=str(cached.path),
                ) from err
            check_pin(url, data, cached.sha256, path=str(cached.path))
            return self._remember(url, self._parse(url, data, str(cached.path)), cached.sha256)
        data = self._retrieve(url)
        digest = hashlib.sha256(data).hexdigest()
        return self._remember(url, self._parse(url, data, None), digest)

    @staticmethod
    def _parse(url: str, data: bytes, path: str | None) -> dict[str, Any]:
        try:
            return parse_context_document(data)
        except ValueError as err:
            where = f" ({path})" if path else ""
            raise ContextError(
                f"context {url!r}{where} is not a valid JSON-LD context document: {err}",
                code="invalid_context",
                url=url,
                path=path,
            ) from err

    # -- network -------------------------------------------------------------------------

    def _retrieve(self, url: str) -> bytes:
        if not self._allow_network:
            raise UnknownContextError(
                url,
                reason=(
                    "it is not pinned by lerkit, not in the context cache "
                    f"{str(self._cache_dir)!r}, and network retrieval is off"
                ),
            )
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "https":
            raise UnknownContextError(url, reason="only https URLs may be fetched")
        host = (parts.hostname or "").lower()
        if host not in self._allowlist:
            raise UnknownContextError(url, reason=f"host {host!r} is not in the allowlist")
        data = fetch_bytes(
            url,
            lambda target: self._fetch(target, self._timeout, self._max_bytes),
            what="the context",
            error=lambda message: ContextError(message, code="context_fetch_failed", url=url),
        )
        if len(data) > self._max_bytes:
            raise ContextError(
                f"context {url!r} is larger than {self._max_bytes} bytes",
                code="context_fetch_failed",
                url=url,
            )
        return data

    def _urllib_fetch(self, url: str, timeout: float, max_bytes: int) -> bytes:
        opener = urllib.request.build_opener(_NoUnsafeRedirects(self._allowlist))
        request = urllib.request.Request(  # noqa: S310 - scheme checked to be https above
            url, headers={"Accept": "application/ld+json, application/json;q=0.9"}
        )
        with opener.open(request, timeout=timeout) as response:
            data: bytes = response.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise ValueError(f"response is larger than {max_bytes} bytes")
        return data

    # -- user cache ----------------------------------------------------------------------

    def cached_contexts(self) -> Mapping[str, CachedContext]:
        """The contexts in the user cache, by URL (read-only)."""
        with self._lock:
            return MappingProxyType(dict(self._read_index()))

    def _read_index(self) -> dict[str, CachedContext]:
        if self._index is not None:
            return self._index
        path = self._cache_dir / _INDEX_NAME
        index: dict[str, CachedContext] = {}
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            self._index = index
            return index
        except OSError as err:
            raise ContextError(
                f"cannot read the context cache index {path} ({err.strerror})",
                code="context_cache_error",
                path=str(path),
            ) from err
        try:
            parsed = json.loads(raw)
            if not isinstance(parsed, dict) or parsed.get("format") != _INDEX_FORMAT:
                raise ValueError(f"expected an object with format {_INDEX_FORMAT!r}")
            entries = parsed.get("contexts")
            if not isinstance(entries, dict):
                raise ValueError("'contexts' must be an object")
            for url, entry in entries.items():
                if not isinstance(entry, dict):
                    raise ValueError(f"entry for {url!r} must be an object")
                file, sha = entry.get("file"), entry.get("sha256")
                if not isinstance(file, str) or not isinstance(sha, str):
                    raise ValueError(f"entry for {url!r} needs string 'file' and 'sha256'")
                if Path(file).name != file:
                    raise ValueError(f"entry for {url!r} names a file outside the cache")
                index[url] = CachedContext(url, sha, self._cache_dir / file)
        except ValueError as err:
            raise ContextError(
                f"the context cache index {path} is malformed: {err}",
                code="context_cache_error",
                path=str(path),
            ) from err
        self._index = index
        return index

    def add_context(self, url: str, path: str | os.PathLike[str]) -> CachedContext:
        """Pin a context file in the user cache, so that ``url`` can be served offline.

        The file must be a JSON object with an ``@context`` member. Its SHA-256 becomes
        the pin: a later change to the stored copy raises ``context_pin_mismatch``.

        Parameters
        ----------
        url : str
            The context URL, exactly as documents name it (``http`` or ``https``).
        path : str or os.PathLike
            The context document to store.

        Returns
        -------
        CachedContext

        Raises
        ------
        ContextError
            ``context_pinned`` when lerkit already pins ``url``; ``invalid_context`` when
            the file is not a context document; ``context_cache_error`` when it cannot be
            stored.

        Examples
        --------
        >>> loader = DocumentLoader(cache_dir=tmp_dir)  # doctest: +SKIP
        >>> loader.add_context("https://example.org/ctx/v1", "ctx-v1.jsonld")  # doctest: +SKIP
        """
        if url in PINNED_CONTEXTS:
            raise ContextError(
                f"context {url!r} is pinned by lerkit and cannot be replaced in the user cache",
                code="context_pinned",
                url=url,
            )
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ContextError(
                f"context URL {url!r} must be an absolute http(s) URL",
                code="invalid_context",
                url=url,
            )
        source = Path(path)
        try:
            data = source.read_bytes()
        except OSError as err:
            raise ContextError(
                f"cannot read context file {source} ({err.strerror})",
                code="invalid_context",
                url=url,
                path=str(source),
            ) from err
        if len(data) > self._max_bytes:
            raise ContextError(
                f"context file {source} is larger than {self._max_bytes} bytes",
                code="invalid_context",
                url=url,
                path=str(source),
            )
        document = self._parse(url, data, str(source))
        digest = hashlib.sha256(data).hexdigest()
        with self._lock:
            index = dict(self._read_index())
            target = self._cache_dir / f"{digest}.jsonld"
            entry = CachedContext(url, digest, target)
            index[url] = entry
            try:
                self._cache_dir.mkdir(parents=True, exist_ok=True)
                _atomic_write(target, data)
                payload = {
                    "format": _INDEX_FORMAT,
                    "contexts": {
                        key: {"file": value.path.name, "sha256": value.sha256}
                        for key, value in sorted(index.items())
                    },
                }
                text = json.dumps(payload, indent=2, sort_keys=True) + "\n"
                _atomic_write(self._cache_dir / _INDEX_NAME, text.encode("utf-8"))
            except OSError as err:
                raise ContextError(
                    f"cannot store context {url!r} in {self._cache_dir} ({err})",
                    code="context_cache_error",
                    url=url,
                    path=str(self._cache_dir),
                ) from err
            self._index = index
            self._remember(url, document, digest)
            self._generation += 1
        return entry


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_default_lock = threading.Lock()
_default: DocumentLoader | None = None


def default_loader() -> DocumentLoader:
    """The process-wide offline loader (pinned contexts + the default user cache).

    Created on first use. Network retrieval is off; build your own
    :class:`DocumentLoader` to change that.
    """
    global _default
    with _default_lock:
        if _default is None:
            _default = DocumentLoader()
        return _default
