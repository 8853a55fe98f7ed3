"""Limits that keep hostile or broken input from exhausting memory or time."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "ReadLimits"]


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Upper bounds applied while reading.

    Anything over a bound becomes a row in the problems table; nothing is
    truncated silently.

    >>> ReadLimits(max_file_bytes=1_000_000).max_depth
    64
    """

    #: largest single file (or zip member, or JSONL line) read, in bytes
    max_file_bytes: int = 16 * 1024 * 1024
    #: deepest JSON nesting accepted (objects and arrays)
    max_depth: int = 64
    #: total bytes all members of one zip may expand to
    max_zip_bytes: int = 512 * 1024 * 1024
    #: members read from one zip
    max_zip_members: int = 100_000
    #: largest expansion ratio of one zip member (uncompressed / compressed)
    max_zip_ratio: float = 200.0
    #: credentials nested inside one another (CLR inside LER-RS inside JWS ...)
    max_nesting: int = 8


DEFAULT_LIMITS = ReadLimits()
