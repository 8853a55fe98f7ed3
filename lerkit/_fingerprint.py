"""Content fingerprints of input files and folders.

A fingerprint lets a reader of a report check that it was computed from the
same bytes they hold: re-run :func:`fingerprint` on the input and compare.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

__all__ = ["fingerprint", "short_fingerprint"]

_CHUNK = 1024 * 1024


def _update_from_file(update: Callable[[bytes], object], path: Path) -> None:
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            update(chunk)


def fingerprint(path: str | os.PathLike[str]) -> str:
    """SHA-256 fingerprint of a file, or of every file under a folder.

    For a file this is the SHA-256 of its bytes (the same as ``sha256sum``).
    For a folder, every regular file below it (hidden files included, symbolic
    links to files followed) is visited in the order of its relative POSIX
    path; each contributes its relative path, a NUL byte, its size as 8
    big-endian bytes and its content, so that renaming, moving or editing any
    file changes the fingerprint.

    Parameters
    ----------
    path : str or os.PathLike
        A file or a folder.

    Returns
    -------
    str
        64 lower-case hex digits.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.json").write_text("{}")
    >>> len(fingerprint(folder))
    64
    """
    root = Path(path)
    if root.is_file():
        digest = hashlib.sha256()
        _update_from_file(digest.update, root)
        return digest.hexdigest()
    if not root.is_dir():
        raise FileNotFoundError(f"cannot fingerprint {str(root)!r}: no such file or folder")
    files: list[tuple[str, Path]] = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            full = Path(folder, name)
            if full.is_file():
                files.append((full.relative_to(root).as_posix(), full))
    digest = hashlib.sha256()
    for relative, full in sorted(files):
        digest.update(relative.encode("utf-8") + b"\0")
        digest.update(full.stat().st_size.to_bytes(8, "big"))
        _update_from_file(digest.update, full)
    return digest.hexdigest()


def short_fingerprint(value: str) -> str:
    """The first 16 hex digits of a fingerprint, as shown in reports.

    >>> short_fingerprint("0123456789abcdef" * 4)
    '0123456789abcdef'
    """
    return value[:16]
