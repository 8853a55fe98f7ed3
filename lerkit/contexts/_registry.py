"""The pinned contexts: URL -> SHA-256 of the exact bytes served, and where they come from.

lerkit ships no copy of a context that an installed dependency already ships: pyld's
bundled contexts and openbadgeslib's contexts are read from those packages' own files.
Only the contexts no dependency ships are vendored in ``lerkit/contexts/data/`` (see
``data/SOURCES.md``). Every file is checked against its pin the first time it is
loaded, so a dependency upgrade that changes a context fails loudly
(``context_pin_mismatch``) instead of silently changing what signatures cover.

Where a package's bytes differ from the W3C/1EdTech published file (whitespace, key
order), the pin is the digest of the bytes actually served. Canonicalization depends
only on the parsed JSON value, which the test suite proves equal to the published one.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from lerkit.contexts._errors import ContextError

__all__ = ["PINNED_CONTEXTS", "Origin", "PinnedContext"]

#: Where a pinned file lives: a dependency's package data, or lerkit's own ``data/``.
Origin = Literal["pyld", "openbadgeslib", "lerkit"]

# Package-relative folders; located with importlib's finder, without importing the
# packages themselves (importing openbadgeslib would run its initialisation code).
_ORIGIN_DIRS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "pyld": ("pyld", ("documentloader", "frozen", "bundled")),
    "openbadgeslib": ("openbadgeslib", ("ob3", "contexts")),
    "lerkit": ("lerkit", ("contexts", "data")),
}


def _origin_dir(origin: str) -> Path:
    package, parts = _ORIGIN_DIRS[origin]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ContextError(
            f"package {package!r}, which ships pinned JSON-LD contexts, is not installed",
            code="context_missing",
        )
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)


@dataclass(frozen=True, slots=True)
class PinnedContext:
    """One context lerkit serves offline.

    Attributes
    ----------
    url : str
        The context URL, exactly as credentials name it.
    sha256 : str
        Lowercase hex SHA-256 of the exact bytes served.
    origin : {"pyld", "openbadgeslib", "lerkit"}
        The package whose file is served.
    resource : str
        The file name inside that package's context folder.
    note : str
        Provenance, and how the bytes relate to the published file.
    """

    url: str
    sha256: str
    origin: Origin
    resource: str
    note: str = ""

    @property
    def path(self) -> Path:
        """The file on disk (it is read, and checked against the pin, on first use)."""
        return _origin_dir(self.origin) / self.resource

    def read_bytes(self) -> bytes:
        """Return the file's bytes after checking them against the pin.

        Raises
        ------
        ContextError
            ``context_missing`` when the file is absent, ``context_pin_mismatch`` when
            its SHA-256 differs from :attr:`sha256`.
        """
        path = self.path
        try:
            data = path.read_bytes()
        except OSError as err:
            raise ContextError(
                f"pinned context {self.url!r} is missing: cannot read {path} ({err.strerror})",
                code="context_missing",
                url=self.url,
                path=str(path),
            ) from err
        check_pin(self.url, data, self.sha256, path=str(path))
        return data


def check_pin(url: str, data: bytes, expected: str, *, path: str | None = None) -> str:
    """Return the SHA-256 of ``data``; raise ``context_pin_mismatch`` if it is not ``expected``."""
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        where = f" (file {path})" if path else ""
        raise ContextError(
            f"context {url!r}{where} has SHA-256 {actual}, but it is pinned to {expected}",
            code="context_pin_mismatch",
            url=url,
            path=path,
            expected=expected,
            actual=actual,
        )
    return actual


_W3C_DIGEST = "equal to the SHA-256 published in the W3C Recommendation"
_JSON_EQUAL = "JSON-equal to the published file (SHA-256 {published}); only whitespace differs"

_PINS: tuple[PinnedContext, ...] = (
    # --- W3C Verifiable Credentials -------------------------------------------------
    PinnedContext(
        "https://www.w3.org/2018/credentials/v1",
        "00d7dd6d3ad8b920e3e550dd3a3d9090bffcac84cdbf943da6924b3e0a5c8bb8",
        "pyld",
        "credentials-v1.jsonld",
        "VC Data Model 1.1. "
        + _JSON_EQUAL.format(published="ab4ddd9a…cdcc, stated in the VCDM 1.1 REC"),
    ),
    PinnedContext(
        "https://www.w3.org/ns/credentials/v2",
        "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
        "openbadgeslib",
        "credentials-v2.json",
        f"VC Data Model 2.0; {_W3C_DIGEST} (pyld's copy differs in whitespace only).",
    ),
    PinnedContext(
        "https://www.w3.org/ns/credentials/status/v1",
        "fda5add353231e6a6884a46b12e6c75464281900cb348284d9c360f62381d9f7",
        "lerkit",
        "www.w3.org_ns_credentials_status_v1.jsonld",
        f"Bitstring Status List 1.0; {_W3C_DIGEST}.",
    ),
    PinnedContext(
        "https://w3id.org/vc/status-list/2021/v1",
        "6dd06a52bedb771e059c1083ba8ba7848dce22f6b4a8cfa0b98ba3fc188870e4",
        "lerkit",
        "w3id.org_vc_status-list_2021_v1.jsonld",
        "StatusList2021 (w3c/vc-bitstring-status-list contexts/2021/v1.jsonld, where "
        "w3id.org redirects); no published digest.",
    ),
    # --- Data Integrity and key formats ---------------------------------------------
    PinnedContext(
        "https://w3id.org/security/data-integrity/v2",
        "67f21e6e33a6c14e5ccfd2fc7865f7474fb71a04af7e94136cb399dfac8ae8f4",
        "openbadgeslib",
        "security-data-integrity-v2.json",
        f"VC Data Integrity 1.0; {_W3C_DIGEST}.",
    ),
    PinnedContext(
        "https://w3id.org/security/data-integrity/v1",
        "b5d829bd09aa7c42abc6efa0c8ed7635313b5487f37ccfce3ecd149ca9418554",
        "lerkit",
        "w3id.org_security_data-integrity_v1.jsonld",
        "Pre-REC Data Integrity context, used with the legacy 'eddsa-2022' cryptosuite; "
        "no published digest.",
    ),
    PinnedContext(
        "https://w3id.org/security/multikey/v1",
        "ba2c182de2d92f7e47184bcca8fcf0beaee6d3986c527bf664c195bbc7c58597",
        "openbadgeslib",
        "security-multikey-v1.json",
        f"Multikey; {_W3C_DIGEST} (VC Data Integrity 1.0).",
    ),
    PinnedContext(
        "https://w3id.org/security/jwk/v1",
        "0f14b62f6071aafe00df265770ea0c7508e118247d79b7d861a406d2aa00bece",
        "lerkit",
        "w3id.org_security_jwk_v1.jsonld",
        f"JsonWebKey; {_W3C_DIGEST} (VC Data Integrity 1.0).",
    ),
    PinnedContext(
        "https://w3id.org/security/suites/ed25519-2020/v1",
        "b9e1ab971fd8bf2c7553e0c4a9438e0b9450afde1ea1ca5b2492368b9f549588",
        "pyld",
        "security-ed25519-2020-v1.jsonld",
        "Ed25519Signature2020 suite context (Digital Bazaar file where w3id.org redirects); "
        "byte-identical to the standards copy.",
    ),
    PinnedContext(
        "https://w3id.org/security/suites/jws-2020/v1",
        "00ee65bb7307f9a01c3170b823083b0d4de68223520834b2c5eb7a09bae5dea6",
        "pyld",
        "security-jws-2020-v1.jsonld",
        "JsonWebSignature2020 suite context. "
        + _JSON_EQUAL.format(published="d648e05d… of w3c/vc-jws-2020"),
    ),
    PinnedContext(
        "https://w3id.org/security/v1",
        "e2d146cd556f6fa5f14996c6f1749667d5a14073fa30f0643990068e2c0b1bac",
        "pyld",
        "security-v1.jsonld",
        "Legacy security vocabulary v1 (pyld's bundled copy); no published digest.",
    ),
    PinnedContext(
        "https://w3id.org/security/v2",
        "4cb186bc29c08af6e40c58178c22dd84d542f2871a063afed6e648b47abc3cf6",
        "pyld",
        "security-v2.jsonld",
        "Legacy security vocabulary v2 (pyld's bundled copy); no published digest.",
    ),
    PinnedContext(
        "https://www.w3.org/ns/did/v1",
        "62c1054bf404d6dd3a4b26b64f830fd72095f6a26edc4469908c94351352ce5f",
        "pyld",
        "did-v1.jsonld",
        "DID Core v1 (Digital Bazaar did-context copy); no published digest.",
    ),
    # --- 1EdTech Open Badges 3.0 ------------------------------------------------------
    PinnedContext(
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        "b077fa134d909d92c1dcd1c153f2af1b244aeb415967fdc1467d7fc5dd48ac10",
        "lerkit",
        "purl.imsglobal.org_spec_ob_v3p0_context.json",
        "OB 3.0.0, the original unversioned context (for VC 1.1 credentials: it redefines "
        "'name' and 'description', which the VC 2.0 context protects). openbadgeslib serves "
        "its 3.0.3 file under this URL instead; lerkit serves the real 3.0.0 bytes.",
    ),
    PinnedContext(
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        "5f3d9dd6288ef437ff8286cf95ffbff609c748a66f24a1e9450c45ca64be1571",
        "openbadgeslib",
        "ob-v3p0-context-3.0.1.json",
        "OB 3.0.1. "
        + _JSON_EQUAL.format(published="d582f356… of 1EdTech/openbadges-specification"),
    ),
    PinnedContext(
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        "00666ad080ba407687ed1846b7f5e7495f5019042b202a727de47c48a1755c53",
        "openbadgeslib",
        "ob-v3p0-context-3.0.2.json",
        "OB 3.0.2; byte-identical to 1EdTech/openbadges-specification.",
    ),
    PinnedContext(
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "3d34f4d4ef1bce691106e63798beb5e7b862ba841423f5ee1e53ab7ddf3bca84",
        "openbadgeslib",
        "ob-v3p0-context-3.0.3.json",
        "OB 3.0.3, the superset variant (1EdTech validator's copy, adds 'jti' and "
        "'endorsementJwt' to the spec-repo file ef2fa9c7…); documents using neither term "
        "canonicalize the same under both.",
    ),
    PinnedContext(
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        "87c06c81bc2317663bf288d740d94fddd2818c4342b186270ff6371dfaa63f93",
        "openbadgeslib",
        "ob-v3p0-extensions.json",
        "OB 3.0 extensions. "
        + _JSON_EQUAL.format(published="146f85aa… of the 1EdTech validator's copy"),
    ),
    # --- 1EdTech CLR 2.0 --------------------------------------------------------------
    PinnedContext(
        "https://purl.imsglobal.org/spec/clr/v2p0/context.json",
        "e198d7b517d74c5036434ce495086f67b10244709e9a3df9dcb7f8b1579b6167",
        "lerkit",
        "purl.imsglobal.org_spec_clr_v2p0_context.json",
        "CLR 2.0 original context (1EdTech validator's cached copy, Apache-2.0).",
    ),
    PinnedContext(
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
        "880f1902d4158f2f33ce06af41b90719977cd1ea337a9de2e41edb3ff5e543d6",
        "openbadgeslib",
        "clr_context_2.0.1.json",
        "CLR 2.0.1; byte-identical to the 1EdTech validator's cached copy.",
    ),
)

#: Every context lerkit serves offline, by URL (read-only).
PINNED_CONTEXTS: Mapping[str, PinnedContext] = MappingProxyType({p.url: p for p in _PINS})
