"""Run a report notebook with papermill and export it as self-contained HTML."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lerkit.errors import ReportError
from lerkit.reports._html import export_html
from lerkit.reports._index import MANIFEST_NAME, write_index
from lerkit.reports._nb import read_notebook, write_notebook
from lerkit.reports._params import REPORT_DIR, minimal_overrides, validate_parameters
from lerkit.reports._provenance import lerkit_version
from lerkit.reports._registry import (
    ReportNotebook,
    default_reports_dir,
    find_report,
)

__all__ = [
    "CHECK_MARKER",
    "ReportResult",
    "record_checked_outputs",
    "report_slug",
    "run_report",
]

#: cells whose source holds this comment keep their outputs and are checked by nbval
CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"

# Figures leave the kernel as plotly JSON whatever the user's environment would
# pick (a VS Code terminal, say, selects another renderer); the HTML export
# turns them into inline plotly.js.
_KERNEL_ENV = {"PLOTLY_RENDERER": "plotly_mimetype"}
_SLUG_TEXT = 40


@dataclass(frozen=True, slots=True)
class ReportResult:
    """What :func:`run_report` produced."""

    name: str  #: report name (the notebook's file name without ``.ipynb``)
    slug: str  #: folder name under ``reports/<name>/``, derived from the parameters
    notebook_path: Path  #: the executed notebook
    html_path: Path  #: the self-contained HTML report
    parameters: dict[str, Any]  #: every parameter in force (defaults, then overrides)
    started: datetime  #: UTC start time
    duration: float  #: wall-clock seconds for execution and export


def _slug_text(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _canonical(values: Mapping[str, Any]) -> str:
    return json.dumps(
        values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def report_slug(overrides: Mapping[str, Any]) -> str:
    """A short, readable, deterministic folder name for a set of parameter overrides.

    ``default`` when nothing is overridden; otherwise the names and (for paths,
    the last component of) the values, then 8 hex digits of a hash of all of them
    so that different values never share a folder.

    Parameters
    ----------
    overrides : mapping of str to object
        Parameters that differ from the notebook's defaults.

    Returns
    -------
    str

    Examples
    --------
    >>> report_slug({})
    'default'
    >>> report_slug({"source": "/data/pilot-2024"})
    'source-pilot-2024-19f444e5'
    """
    if not overrides:
        return "default"
    parts = []
    for name in sorted(overrides):
        value = overrides[name]
        if isinstance(value, str):
            text = value.rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1] or value
        else:
            text = json.dumps(value, sort_keys=True, default=str)
        parts.append(f"{name}-{text}")
    readable = _slug_text("-".join(parts))[:_SLUG_TEXT].strip("-") or "params"
    digest = hashlib.sha256(_canonical(overrides).encode("utf-8")).hexdigest()[:8]
    return f"{readable}-{digest}"


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables the kernel inherits, restoring them afterwards.

    Papermill offers no way to pass a kernel environment, so this changes the
    process's own for the length of a run (as papermill's ``cwd`` does for the
    working directory); report runs are therefore not thread-safe.
    """
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _kernel_config() -> Any:
    import zmq
    from traitlets.config import Config

    config = Config()
    # Encrypt kernel traffic when libzmq can (the ipykernel spec declares support);
    # otherwise the kernel warns on stderr that it talks in plain text over TCP.
    if zmq.has("curve"):
        config.KernelManager.transport_encryption = "auto"
    return config


def _execute(
    notebook: ReportNotebook,
    output: Path,
    parameters: Mapping[str, Any],
    *,
    report_mode: bool,
) -> None:
    import papermill
    from jupyter_client.kernelspec import NoSuchKernel
    from papermill.exceptions import PapermillExecutionError

    try:
        with _environment(_KERNEL_ENV):
            papermill.execute_notebook(
                str(notebook.path),
                str(output),
                parameters=dict(parameters),
                kernel_name=notebook.kernel_name,
                cwd=str(notebook.path.parent),
                progress_bar=False,
                log_output=False,
                report_mode=report_mode,
                config=_kernel_config(),
            )
    except PapermillExecutionError as err:
        evalue = str(err.evalue).strip().splitlines()
        summary = f"{err.ename}: {evalue[0]}" if evalue else str(err.ename)
        lines = [line.strip() for line in str(err.source).splitlines() if line.strip()]
        first_line = lines[0] if lines else ""
        if len(first_line) > 60:
            first_line = first_line[:57] + "..."
        raise ReportError(
            f"report {notebook.name!r} failed in cell [{err.exec_count}] ({first_line}): {summary} "
            f"(executed notebook kept at {str(output)!r})",
            code="report_cell_failed",
        ) from err
    except NoSuchKernel as err:
        raise ReportError(
            f"report {notebook.name!r} needs the Jupyter kernel {notebook.kernel_name!r}, "
            "which is not installed in this environment",
            code="report_kernel_missing",
        ) from err
    except (RuntimeError, TimeoutError, OSError) as err:
        raise ReportError(f"report {notebook.name!r} could not run: {err}") from err


def run_report(
    name: str,
    parameters: Mapping[str, Any] | None = None,
    *,
    output_dir: str | os.PathLike[str] | None = None,
    with_code: bool = False,
    notebooks_dir: str | os.PathLike[str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> ReportResult:
    """Run a report notebook into ``<output_dir>/<name>/<slug>/`` as .ipynb and HTML.

    Parameters are checked against the notebook's ``parameters`` cell before any
    kernel starts. The notebook runs with its own folder as working directory;
    relative path parameters are resolved against ``cwd`` first. A notebook that
    declares a ``report_dir`` parameter is given the report's folder in it
    (unless the caller sets it), to write files beside the report. Afterwards a
    ``run.json`` manifest is written beside the report and ``index.html`` in
    ``output_dir`` is regenerated.

    Parameters
    ----------
    name : str
        Report name: a notebook ``<name>.ipynb`` in the notebooks folder.
    parameters : mapping, optional
        Overrides for the notebook's defaults; strings are converted to the
        declared types (see :func:`validate_parameters`).
    output_dir : path, optional
        Root of the reports tree; ``reports/`` beside the notebooks by default.
    with_code : bool, default False
        Show code cells in the HTML.
    notebooks_dir : path, optional
        Where report notebooks live; the checkout's ``notebooks/`` by default.
    cwd : path, optional
        Folder relative path parameters are relative to; the current one by default.

    Returns
    -------
    ReportResult

    Raises
    ------
    ParameterError
        If a parameter is unknown or of the wrong type.
    ReportError
        If there is no such report, a cell fails (the message quotes the error)
        or the export fails.

    Examples
    --------
    >>> result = run_report("credential-inventory", {"source": "datasets/samples"})  # doctest: +SKIP
    >>> result.html_path.name  # doctest: +SKIP
    'credential-inventory.html'
    """
    notebook = find_report(name, notebooks_dir)
    run_dir = notebook.path.parent
    given = validate_parameters(
        name, notebook.parameters, parameters or {}, cwd=cwd, notebooks_dir=run_dir
    )
    overrides = minimal_overrides(notebook.parameters, given, run_dir)
    slug = report_slug(overrides)
    root = Path(output_dir) if output_dir is not None else default_reports_dir(run_dir)
    root = root.resolve()
    target = root / name / slug
    target.mkdir(parents=True, exist_ok=True)
    notebook_path = target / f"{name}.ipynb"
    html_path = target / f"{name}.html"

    # A notebook that writes files (anonymize-and-publish's publish/ folder) learns
    # its own output folder from REPORT_DIR; the folder is where the report goes,
    # not a choice that makes another report, so it stays out of the slug.
    run_values = dict(overrides)
    if REPORT_DIR in notebook.parameters and REPORT_DIR not in run_values:
        run_values[REPORT_DIR] = str(target)

    started = datetime.now(UTC)
    clock = time.perf_counter()
    _execute(notebook, notebook_path, run_values, report_mode=not with_code)
    export_html(notebook_path, html_path, with_code=with_code)
    duration = time.perf_counter() - clock

    effective = {key: spec.default for key, spec in notebook.parameters.items()}
    effective.update(run_values)
    result = ReportResult(
        name=name,
        slug=slug,
        notebook_path=notebook_path,
        html_path=html_path,
        parameters=effective,
        started=started,
        duration=duration,
    )
    manifest = {
        "name": name,
        "title": notebook.title,
        "slug": slug,
        "notebook": notebook_path.name,
        "html": html_path.name,
        "parameters": effective,
        "overrides": overrides,
        "with_code": with_code,
        "started": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration_seconds": round(duration, 3),
        "lerkit_version": lerkit_version(),
    }
    (target / MANIFEST_NAME).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    write_index(root)
    return result


def record_checked_outputs(
    name: str,
    *,
    notebooks_dir: str | os.PathLike[str] | None = None,
) -> Path:
    """Re-run a notebook on its defaults and store only the outputs nbval checks.

    For maintainers, after the sample data changes: cells containing
    :data:`CHECK_MARKER` get the fresh outputs and execution count (nbval only
    compares cells that have one); every other cell is stripped of outputs and
    execution count. The notebook is rewritten in place.

    Parameters
    ----------
    name : str
        Report name.
    notebooks_dir : path, optional
        Where report notebooks live.

    Returns
    -------
    pathlib.Path
        The rewritten notebook.

    Raises
    ------
    ReportError
        If the notebook fails to run.
    """
    notebook = find_report(name, notebooks_dir)
    original = read_notebook(notebook.path)
    with tempfile.TemporaryDirectory() as scratch:
        executed_path = Path(scratch) / notebook.path.name
        _execute(notebook, executed_path, {}, report_mode=False)
        executed = read_notebook(executed_path)
    if len(executed.cells) != len(original.cells):  # pragma: no cover - papermill injected a cell
        raise ReportError(f"{notebook.path.name}: cells changed while recording outputs")
    for cell, ran in zip(original.cells, executed.cells, strict=True):
        if cell.cell_type != "code":
            continue
        cell.execution_count = None
        cell.outputs = []
        if CHECK_MARKER in str(cell.source):
            # nbval skips (and fails) a cell with outputs but no execution count,
            # so checked cells keep the count of the recording run
            cell.execution_count = ran.execution_count
            cell.outputs = ran.outputs
    write_notebook(original, notebook.path)
    return notebook.path
