"""Committed notebooks carry no stray outputs and follow the report conventions.

Only cells marked ``# NBVAL_CHECK_OUTPUT`` keep outputs, and with them their
execution count, without which nbval would refuse to compare them;
``lerkit.reports.record_checked_outputs`` refreshes them after the samples change.
"""

from __future__ import annotations

import ast
import logging
import re
import warnings
from pathlib import Path
from typing import Any

import nbformat
import papermill
import pytest

from lerkit.reports import CHECK_MARKER, read_parameters

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def load(path: Path) -> Any:
    return nbformat.read(path, as_version=4)


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_only_checked_cells_keep_outputs(path: Path) -> None:
    for index, cell in enumerate(load(path).cells):
        if cell.cell_type != "code":
            continue
        where = f"{path.name} cell {index}"
        if CHECK_MARKER in cell.source:
            # nbval fails a cell that has outputs but no execution count
            assert cell.outputs, f"{where} is checked by nbval but has no stored output"
            assert cell.execution_count is not None, f"{where} needs its execution count"
        else:
            assert not cell.outputs, f"{where} has outputs; strip them"
            assert cell.execution_count is None, f"{where} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_exactly_one_parameters_cell(path: Path) -> None:
    tagged = [
        cell
        for cell in load(path).cells
        if "parameters" in cell.get("metadata", {}).get("tags", [])
    ]
    assert len(tagged) == 1
    assert tagged[0].cell_type == "code"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_kernelspec_is_python3(path: Path) -> None:
    assert load(path).metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_is_valid_and_starts_with_a_title(path: Path) -> None:
    nb = load(path)
    nbformat.validate(nb)
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith("# ")
    assert "papermill" not in nb.metadata


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_checked_outputs_hold_no_times_paths_or_plot_ids(path: Path) -> None:
    for cell in load(path).cells:
        if cell.cell_type != "code" or CHECK_MARKER not in cell.source:
            continue
        for output in cell.outputs:
            text = output.get("text") or "".join(output.get("data", {}).get("text/plain", ""))
            assert "T" not in text or not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text)
            assert not re.search(r"(^|[\s'\"])(/|[A-Za-z]:\\)\w", text), text
            assert not set(output.get("data", {})) - {"text/plain"}, "only plain text is checked"


def papermill_type(annotation: str) -> tuple[str, bool]:
    """``Optional[int]`` -> ("int", True), ``list[str]`` -> ("list", False)."""
    optional = re.fullmatch(r"Optional\[(\w+)\]", annotation)
    if optional:
        return optional.group(1), True
    return re.sub(r"\[.*\]$", "", annotation), False


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_papermill_reads_every_parameter_with_its_type(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # papermill reports problems through its logger, some libraries through warnings
    with warnings.catch_warnings(), caplog.at_level(logging.DEBUG, logger="papermill"):
        warnings.simplefilter("error")
        found = papermill.inspect_notebook(str(path))
    complaints = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert complaints == []
    specs = read_parameters(path)
    assert list(found) == list(specs)
    for name, parameter in found.items():
        spec = specs[name]
        assert parameter["inferred_type_name"] != "None", f"{name} has no type papermill sees"
        type_name, optional = papermill_type(parameter["inferred_type_name"])
        assert (type_name, optional or spec.default is None) == (spec.type_name, spec.optional)
        assert ast.literal_eval(parameter["default"]) == spec.default
        assert parameter["help"] == spec.help
