"""The error raised when a status list cannot be read, built or checked.

::

    LerkitError
     └── StatusError   a status list or status entry is unusable, or does not match

It lives here rather than in :mod:`lerkit.errors` for now; the codes are stable either way.
"""

from __future__ import annotations

from lerkit.errors import LerkitError

__all__ = ["StatusError"]


class StatusError(LerkitError):
    """A status list, or a credential's status entry, is unusable or does not match.

    Codes
    -----
    ``malformed_status_list``
        ``encodedList`` is not (multibase) base64url of GZIP data.
    ``status_list_too_large``
        The list decompresses to more than the bound (a GZIP bomb, or simply too big).
    ``status_list_too_short``
        Fewer than the minimum number of entries (131,072 by default): the spec's
        STATUS_LIST_LENGTH_ERROR. Short lists give holders no crowd to hide in.
    ``status_index_out_of_range``
        ``statusListIndex`` (times ``statusSize``) falls outside the list: RANGE_ERROR.
    ``invalid_status_entry``
        The ``credentialStatus`` entry is missing a member or has a malformed one.
    ``unsupported_status_type``
        The entry is not a ``BitstringStatusListEntry`` or ``StatusList2021Entry``.
    ``status_list_type_mismatch``
        The list credential or its subject does not have the type the entry requires.
    ``status_list_id_mismatch``
        The list credential is not the one the entry's ``statusListCredential`` names.
    ``status_purpose_mismatch``
        The purposes of the verifier's question, the entry and the list disagree.
    ``status_list_unavailable``
        A :class:`~lerkit.status.StatusListSource` has no copy of the list.

    Attributes
    ----------
    field : str or None
        The member concerned (``"statusListIndex"``, ``"encodedList"``, ...).
    url : str or None
        The status list URL concerned.
    """

    code = "status_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.field = field
        self.url = url
