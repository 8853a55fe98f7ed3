"""Typed wrappers around nbformat's reader and writer (nbformat has no type hints)."""

from __future__ import annotations

import os
from typing import Any

import nbformat

__all__ = ["read_notebook", "write_notebook"]


def read_notebook(path: str | os.PathLike[str]) -> Any:
    """The notebook at ``path`` as an nbformat v4 ``NotebookNode``."""
    return nbformat.read(os.fspath(path), as_version=4)  # type: ignore[no-untyped-call]


def write_notebook(nb: Any, path: str | os.PathLike[str]) -> None:
    """Validate ``nb`` and write it to ``path``."""
    nbformat.validate(nb)
    nbformat.write(nb, os.fspath(path))  # type: ignore[no-untyped-call]
