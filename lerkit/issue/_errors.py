"""The error raised when a credential, key or status list cannot be issued.

::

    LerkitError
     └── IssueError   a key, credential, status list or tampered variant could not be made

It lives here rather than in :mod:`lerkit.errors` for now; the codes are stable either way.
"""

from __future__ import annotations

from lerkit.errors import LerkitError

__all__ = ["IssueError"]


class IssueError(LerkitError):
    """A key, credential, status list or tampered variant could not be made.

    Codes
    -----
    ``invalid_argument``
        An argument is out of range or of the wrong form (a seed of the wrong length,
        ``n < 1``, a date without a time zone, a missing required member, ...).
    ``issuer_mismatch``
        The credential names an issuer other than the signing key's DID.
    ``key_type_mismatch``
        The proof format needs another kind of key (``ecdsa-rdfc-2019`` with an Ed25519
        key, ``eddsa-rdfc-2022`` with a P-256 key).
    ``unsupported_proof``
        A proof format lerkit does not issue.
    ``already_signed``
        The credential already has a proof; remove it to sign again.
    ``key_file_exists``
        Saving a key would overwrite an existing file.
    ``key_file_unwritable``
        A key file cannot be created (missing folder, no permission).
    ``invalid_key_file``
        A key file cannot be read, is not the expected JSON, or does not match itself.
    ``key_file_permissions``
        A key file is readable by other users (POSIX permissions wider than 0600).
    ``invalid_pointer``
        A JSON Pointer is malformed or does not exist in the document.
    ``status_purpose_mismatch``
        Revoking on a suspension list, or suspending on a revocation list.

    Attributes
    ----------
    path : str or None
        The file concerned (key files), when there is one.
    """

    code = "issue_error"

    def __init__(self, message: str, *, code: str | None = None, path: str | None = None) -> None:
        super().__init__(message, code=code)
        self.path = path
