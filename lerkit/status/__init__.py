"""Credential status: Bitstring Status List v1.0 (W3C REC) and StatusList2021.

Decode, check and create status lists. Lists are read from local copies
(:class:`FolderStatusLists`, :class:`MappingStatusLists`); downloading needs an explicit
``fetch`` function, because fetching a list tells its publisher that someone is checking.

>>> from lerkit.status import StatusList, bitstring_status_list_credential, check_status
>>> from lerkit.status import status_list_entry
>>> revocations = StatusList()
>>> revocations.set(42, True)
>>> url = "https://example.edu/status/1"
>>> list_vc = bitstring_status_list_credential(
...     revocations, id=url, issuer="did:example:1", valid_from="2025-01-01T00:00:00Z"
... )
>>> check_status(status_list_entry(url, 42), list_vc, purpose="revocation").value
True
"""

from __future__ import annotations

from lerkit.status._bitstring import (
    MAX_DECODED_BYTES,
    MAX_ENCODED_CHARS,
    MIN_ENTRIES,
    StatusList,
    bit_at,
    decode_list,
    encode_list,
    set_status,
    status_at,
)
from lerkit.status._check import (
    BITSTRING_PURPOSES,
    STATUS_LIST_2021_PURPOSES,
    StatusKind,
    StatusResult,
    bitstring_status_list_credential,
    check_status,
    status_list_2021_credential,
    status_list_entry,
)
from lerkit.status._errors import StatusError
from lerkit.status._sources import (
    MAX_LIST_DOCUMENT_BYTES,
    FolderStatusLists,
    MappingStatusLists,
    RetrievedStatusList,
    StatusListSource,
)

__all__ = [
    "BITSTRING_PURPOSES",
    "MAX_DECODED_BYTES",
    "MAX_ENCODED_CHARS",
    "MAX_LIST_DOCUMENT_BYTES",
    "MIN_ENTRIES",
    "STATUS_LIST_2021_PURPOSES",
    "FolderStatusLists",
    "MappingStatusLists",
    "RetrievedStatusList",
    "StatusError",
    "StatusKind",
    "StatusList",
    "StatusListSource",
    "StatusResult",
    "bit_at",
    "bitstring_status_list_credential",
    "check_status",
    "decode_list",
    "encode_list",
    "set_status",
    "status_at",
    "status_list_2021_credential",
    "status_list_entry",
]
