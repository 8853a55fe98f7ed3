"""Find the report notebooks: every ``*.ipynb`` directly in the notebooks folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from lerkit.errors import ReportError
from lerkit.reports._nb import read_notebook
from lerkit.reports._params import ParameterSpec, read_parameters

__all__ = [
    "ReportNotebook",
    "available_reports",
    "default_notebooks_dir",
    "default_reports_dir",
    "find_report",
]

# lerkit/reports/_registry.py -> the checkout holding lerkit/ and notebooks/
_PROJECT_ROOT = Path(__file__).resolve().parents[2]


def default_notebooks_dir() -> Path:
    """The ``notebooks/`` folder of the lerkit source checkout.

    Raises
    ------
    ReportError
        If lerkit is not installed from a checkout that has one (pass
        ``notebooks_dir`` explicitly then).
    """
    folder = _PROJECT_ROOT / "notebooks"
    if not folder.is_dir():
        raise ReportError(
            f"no notebooks folder next to the lerkit package (looked for {str(folder)!r}); "
            "pass notebooks_dir (--notebooks-dir on the command line)"
        )
    return folder


def default_reports_dir(notebooks_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where reports go by default: ``reports/`` beside the notebooks folder."""
    folder = Path(notebooks_dir) if notebooks_dir is not None else default_notebooks_dir()
    return folder.resolve().parent / "reports"


@dataclass(frozen=True, slots=True)
class ReportNotebook:
    """A report notebook and what it accepts."""

    name: str  #: the file name without ``.ipynb``; what ``lerkit report NAME`` takes
    path: Path
    title: str  #: the first Markdown ``# heading``, or the name
    kernel_name: str  #: from the notebook's kernelspec (``python3`` by default)
    parameters: dict[str, ParameterSpec]


def _load(path: Path) -> ReportNotebook:
    try:
        nb = read_notebook(path)
    except (OSError, ValueError) as err:
        raise ReportError(f"cannot read notebook {str(path)!r}: {err}") from err
    title = path.stem
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            heading = next(
                (
                    line[2:].strip()
                    for line in str(cell.source).splitlines()
                    if line.startswith("# ")
                ),
                None,
            )
            if heading:
                title = heading
                break
    kernel = str(nb.metadata.get("kernelspec", {}).get("name") or "python3")
    return ReportNotebook(
        name=path.stem,
        path=path.resolve(),
        title=title,
        kernel_name=kernel,
        parameters=read_parameters(path),
    )


def _candidates(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise ReportError(f"notebooks folder {str(folder)!r} does not exist")
    return sorted(
        path
        for path in folder.glob("*.ipynb")
        if not path.name.startswith((".", "_")) and path.is_file()
    )


def available_reports(
    notebooks_dir: str | os.PathLike[str] | None = None,
) -> dict[str, ReportNotebook]:
    """Every report notebook, by name.

    Parameters
    ----------
    notebooks_dir : path, optional
        Folder to look in; the checkout's ``notebooks/`` by default. Files
        starting with ``.`` or ``_`` are skipped.

    Returns
    -------
    dict of str to ReportNotebook
        Sorted by name.

    Raises
    ------
    ReportError
        If the folder or a notebook in it cannot be read.
    """
    folder = Path(notebooks_dir) if notebooks_dir is not None else default_notebooks_dir()
    return {path.stem: _load(path) for path in _candidates(folder)}


def find_report(name: str, notebooks_dir: str | os.PathLike[str] | None = None) -> ReportNotebook:
    """The report notebook called ``name``.

    Raises
    ------
    ReportError
        If there is none; the message lists the reports there are.
    """
    folder = Path(notebooks_dir) if notebooks_dir is not None else default_notebooks_dir()
    candidates = {path.stem: path for path in _candidates(folder)}
    if name not in candidates:
        listed = ", ".join(candidates) or "none"
        raise ReportError(f"no report named {name!r}; available reports: {listed}")
    return _load(candidates[name])
