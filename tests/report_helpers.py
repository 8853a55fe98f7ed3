"""What the report tests read back from an executed notebook."""

from __future__ import annotations

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
