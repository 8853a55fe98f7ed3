"""What the report tests read back from an executed notebook, and papermill's warnings."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat


def checked_output(notebook: Path, marker: str) -> str:
    """The printed output of the executed nbval-checked cell whose source contains
    ``marker``."""
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if (
            cell.cell_type == "code"
            and marker in cell.source
            and "NBVAL_CHECK_OUTPUT" in cell.source
        ):
            return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    raise AssertionError(f"no checked cell with {marker!r} in {notebook.name}")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def papermill_warnings() -> Iterator[list[str]]:
    """The messages papermill logs at WARNING or above inside the ``with`` block."""
    handler = _Collect()
    logger = logging.getLogger("papermill")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
