"""Issuer keys: generate, save (owner-only) and load ``did:key`` signing keys."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import base58
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lerkit.dids import did_key_document, did_key_from_key
from lerkit.issue._errors import IssueError
from lerkit.proofs._errors import ProofError
from lerkit.proofs._multikey import (
    PrivateKey,
    PublicKey,
    key_kind,
    private_key_from_multibase,
    private_key_to_multibase,
    public_key_to_multibase,
)

__all__ = ["IssuerKey", "KeyType", "generate_key", "load_key", "private_key_from_seed"]

#: The key types lerkit issues with.
KeyType = Literal["Ed25519", "P-256"]

_KEY_TYPES: tuple[str, ...] = get_args(KeyType)
_FILE_MEMBERS = ("kind", "did", "verificationMethod", "publicKeyMultibase", "secretKeyMultibase")
# A key file is five short strings; anything much larger is not one.
_MAX_KEY_FILE_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class IssuerKey:
    """A signing key and the ``did:key`` that names it.

    The private key is left out of ``repr()`` and of comparisons, so printing a key in a
    notebook never shows the secret; it is written only by :meth:`save`.

    Attributes
    ----------
    kind : {"Ed25519", "P-256"}
    did : str
        The ``did:key`` of the public key; credentials signed with this key name it as
        their issuer.
    verification_method : str
        The DID URL of the key (``<did>#<multibase>``), used in proofs and as JWT ``kid``.
    private_key : Ed25519PrivateKey or EllipticCurvePrivateKey
        The secret key (not shown in ``repr``).
    public_key_multibase : str
        The public key as Multikey (``z6Mk…`` for Ed25519, ``zDn…`` for P-256).

    Examples
    --------
    >>> key = generate_key(seed=bytes(32))
    >>> key.did
    'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp'
    >>> "private_key" in repr(key)
    False
    """

    kind: KeyType
    did: str
    verification_method: str
    private_key: PrivateKey = field(repr=False, compare=False)
    public_key_multibase: str

    @property
    def public_key(self) -> PublicKey:
        """The public key (a ``cryptography`` object)."""
        return self.private_key.public_key()

    def did_document(self) -> dict[str, Any]:
        """The DID document of :attr:`did` (what a resolver generates for a ``did:key``)."""
        return did_key_document(self.did)

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the key, secret included, to a JSON file only its owner can read.

        The file holds ``kind``, ``did``, ``verificationMethod``, ``publicKeyMultibase``
        and ``secretKeyMultibase``. It is created with permissions 0600 and written
        atomically (a temporary file in the same folder, then renamed), so there is no
        moment when a partly written or wider-readable key is on disk.

        Parameters
        ----------
        path : str or path-like
            The file to write.
        overwrite : bool
            Replace an existing file. Off by default: losing an issuer key orphans every
            credential it signed.

        Returns
        -------
        Path
            ``path``.

        Raises
        ------
        IssueError
            ``key_file_exists`` when the file exists and ``overwrite`` is False;
        ``key_file_unwritable`` when the folder is missing or not writable.

        Examples
        --------
        >>> generate_key().save("issuer-key.json")  # doctest: +SKIP
        PosixPath('issuer-key.json')
        """
        target = Path(path)
        data = {
            "kind": self.kind,
            "did": self.did,
            "verificationMethod": self.verification_method,
            "publicKeyMultibase": self.public_key_multibase,
            "secretKeyMultibase": private_key_to_multibase(self.private_key),
        }
        payload = (json.dumps(data, indent=2) + "\n").encode("utf-8")
        try:
            if not overwrite:
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                _write_all(fd, payload)
                return target
            # mkstemp creates the file with mode 0600 and os.replace keeps it, whereas
            # truncating the old file in place would keep whatever mode it had.
            fd, temporary = tempfile.mkstemp(
                dir=target.parent, prefix=".issuer-key-", suffix=".tmp"
            )
            try:
                _write_all(fd, payload)
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            return target
        except FileExistsError:
            raise IssueError(
                f"key file {str(target)!r} already exists; refusing to overwrite it "
                "(pass overwrite=True to replace it)",
                code="key_file_exists",
                path=str(target),
            ) from None
        except OSError as err:
            raise IssueError(
                f"key file {str(target)!r} cannot be written: {err.strerror or err}",
                code="key_file_unwritable",
                path=str(target),
            ) from err


def _write_all(fd: int, payload: bytes) -> None:
    with os.fdopen(fd, "wb") as handle:
        if hasattr(os, "fchmod"):
            # the mode given to open() is filtered by the umask; make it exactly 0600
            os.fchmod(handle.fileno(), 0o600)
        handle.write(payload)


def _from_private(private_key: PrivateKey) -> IssuerKey:
    kind = key_kind(private_key)
    if kind not in _KEY_TYPES:
        raise IssueError(
            f"lerkit issues with Ed25519 or P-256 keys, not {kind or type(private_key).__name__}",
            code="key_type_mismatch",
        )
    public = private_key.public_key()
    multibase = public_key_to_multibase(public)
    did = did_key_from_key(public)
    return IssuerKey(
        kind="Ed25519" if kind == "Ed25519" else "P-256",
        did=did,
        verification_method=f"{did}#{multibase}",
        private_key=private_key,
        public_key_multibase=multibase,
    )


# the order n of the P-256 group (SEC 2, secp256r1)
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def generate_key(kind: KeyType = "Ed25519", *, seed: bytes | None = None) -> IssuerKey:
    """Make a new issuer key and its ``did:key``.

    Parameters
    ----------
    kind : {"Ed25519", "P-256"}
        Ed25519 signs ``eddsa-rdfc-2022`` / ``Ed25519Signature2020`` proofs and EdDSA
        JWTs; P-256 signs ``ecdsa-rdfc-2019`` proofs and ES256 JWTs.
    seed : bytes, optional
        32 bytes that fix the key (see :func:`private_key_from_seed`), for reproducible
        demo data. A seeded key is only as secret as its seed: never use one for real
        credentials.

    Returns
    -------
    IssuerKey

    Raises
    ------
    IssueError
        ``invalid_argument`` for an unknown kind or a seed that is not 32 bytes.

    Examples
    --------
    >>> generate_key(seed=bytes(32)).verification_method.split("#")[1][:8]
    'z6MkiTBz'
    >>> generate_key("P-256").did.startswith("did:key:zDn")
    True
    """
    if kind not in _KEY_TYPES:
        raise IssueError(
            f"key kind must be one of {list(_KEY_TYPES)}, got {kind!r}", code="invalid_argument"
        )
    if seed is not None:
        return _from_private(private_key_from_seed(kind, seed))
    if kind == "Ed25519":
        return _from_private(Ed25519PrivateKey.generate())
    return _from_private(ec.generate_private_key(ec.SECP256R1()))


def private_key_from_seed(
    kind: KeyType, seed: bytes
) -> Ed25519PrivateKey | ec.EllipticCurvePrivateKey:
    """The private key 32 seed bytes fix: the Ed25519 seed itself, or a P-256 scalar.

    The P-256 scalar is the seed read as a big-endian integer, reduced into [1, n - 1].
    A seeded key is only as secret as its seed: for demo and synthetic data only.

    >>> private_key_from_seed("P-256", bytes(32)).private_numbers().private_value
    1
    """
    if not isinstance(seed, bytes) or len(seed) != 32:
        got = f"{len(seed)} bytes" if isinstance(seed, bytes) else type(seed).__name__
        raise IssueError(f"a key seed must be exactly 32 bytes, got {got}", code="invalid_argument")
    if kind == "Ed25519":
        return Ed25519PrivateKey.from_private_bytes(seed)
    if kind == "P-256":
        return ec.derive_private_key(
            int.from_bytes(seed, "big") % (_P256_ORDER - 1) + 1, ec.SECP256R1()
        )
    raise IssueError(
        f"key kind must be one of {list(_KEY_TYPES)}, got {kind!r}", code="invalid_argument"
    )


def _key_file_error(path: Path, problem: str, code: str = "invalid_key_file") -> IssueError:
    return IssueError(f"key file {str(path)!r}: {problem}", code=code, path=str(path))


def _check_permissions(path: Path, mode: int) -> None:
    if os.name != "posix":
        return  # Windows ACLs are not expressed in st_mode
    wide = stat.S_IMODE(mode) & 0o077
    if wide:
        raise _key_file_error(
            path,
            f"permissions {stat.S_IMODE(mode):04o} let other users read the secret key; "
            f"run 'chmod 600 {path}' if that is unintended",
            code="key_file_permissions",
        )


def load_key(path: str | os.PathLike[str]) -> IssuerKey:
    """Read a key file written by :meth:`IssuerKey.save`.

    The file must be private to its owner (on POSIX, no group or other permissions), and
    its DID, verification method and public key must all follow from its secret key.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    IssuerKey

    Raises
    ------
    IssueError
        ``invalid_key_file`` (missing, unreadable, not JSON, a member missing or wrong,
        a secret that does not match the public values), ``key_file_permissions``. The
        message names the file and the problem, never the secret.

    Examples
    --------
    >>> key = load_key("issuer-key.json")  # doctest: +SKIP
    >>> key.did  # doctest: +SKIP
    'did:key:z6Mk…'
    """
    target = Path(path)
    try:
        with target.open("rb") as handle:
            _check_permissions(target, os.fstat(handle.fileno()).st_mode)
            raw = handle.read(_MAX_KEY_FILE_BYTES + 1)
    except FileNotFoundError:
        raise _key_file_error(target, "no such file") from None
    except IsADirectoryError:
        raise _key_file_error(target, "is a folder, not a key file") from None
    except OSError as err:
        raise _key_file_error(target, f"cannot be read: {err.strerror or err}") from err
    if len(raw) > _MAX_KEY_FILE_BYTES:
        raise _key_file_error(target, f"is larger than {_MAX_KEY_FILE_BYTES} bytes")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        # position only, never content: the file holds a secret
        raise _key_file_error(
            target, f"is not JSON ({type(err).__name__} at {_where(err)})"
        ) from None
    if not isinstance(data, dict):
        raise _key_file_error(target, f"must hold a JSON object, not {type(data).__name__}")
    missing = [name for name in _FILE_MEMBERS if not isinstance(data.get(name), str)]
    if missing:
        raise _key_file_error(
            target, "missing or non-string member(s): " + ", ".join(repr(m) for m in missing)
        )
    kind = data["kind"]
    if kind not in _KEY_TYPES:
        raise _key_file_error(target, f"'kind' must be one of {list(_KEY_TYPES)}, got {kind!r}")
    secret = data["secretKeyMultibase"]
    # Checked here too (the Multikey decoder never quotes a secret either): a secret must
    # never reach a message or a log, and this names the key file.
    if not secret.startswith("z") or len(secret) < 2:
        raise _key_file_error(target, "'secretKeyMultibase' is not base58btc multibase ('z…')")
    try:
        base58.b58decode(secret[1:])
        private_key = private_key_from_multibase(secret)
    except (ValueError, ProofError):
        raise _key_file_error(
            target, "'secretKeyMultibase' is not a valid Ed25519 or P-256 secret key"
        ) from None
    try:
        key = _from_private(private_key)
    except IssueError as err:
        raise _key_file_error(target, err.message) from None
    for name, expected in (
        ("kind", key.kind),
        ("did", key.did),
        ("verificationMethod", key.verification_method),
        ("publicKeyMultibase", key.public_key_multibase),
    ):
        if data[name] != expected:
            raise _key_file_error(
                target,
                f"{name!r} is {data[name]!r}, but the secret key gives {expected!r}",
            )
    return key


def _where(err: Exception) -> str:
    if isinstance(err, json.JSONDecodeError):
        return f"line {err.lineno} column {err.colno}"
    if isinstance(err, UnicodeDecodeError):
        return f"byte {err.start}"
    return "unknown position"
