"""Report anonymize-and-publish: run with non-default parameters, checked against pandas.

The notebook runs through papermill with another k and another group column; its
printed key numbers are checked against plain pandas computed straight from the
parquet files, and bad parameters are refused before any kernel starts.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import lerkit as lk
from lerkit.errors import ParameterError
from lerkit.reports import run_report

ROOT = Path(__file__).resolve().parents[1]
PILOT = ROOT / "datasets" / "pilot-default"
REPORT = "anonymize-and-publish"
# the learners columns dictionary.yaml marks quasi_identifier (asserted below)
QUASI = ["birth_year", "gender", "veteran", "region", "highest_education", "enrolled_on"]


def checked_text(notebook: Path, marker: str) -> str:
    """The printed output of the executed checked cell whose source contains ``marker``."""
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if (
            cell.cell_type == "code"
            and marker in cell.source
            and "NBVAL_CHECK_OUTPUT" in cell.source
        ):
            return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    raise AssertionError(f"no checked cell with {marker!r} in {notebook.name}")


def number(text: str, label: str) -> float:
    found = re.search(rf"^{re.escape(label)}:\s+([0-9.]+)", text, flags=re.MULTILINE)
    assert found, f"{label!r} not in {text!r}"
    return float(found.group(1))


def test_quasi_identifiers_are_the_dictionary_ones() -> None:
    spec = lk.datasets.load("pilot-default").dictionary.table("learners")
    assert [c.name for c in spec.columns if c.privacy == "quasi_identifier"] == QUASI


def test_report_runs_with_other_k_and_group(tmp_path: Path) -> None:
    result = run_report(REPORT, {"k": 5, "l": 2, "group": "gender"}, output_dir=tmp_path)
    html = result.html_path.read_text(encoding="utf-8")
    assert result.html_path.is_file()
    assert "lerkit-provenance" in html
    assert f"sha256:{lk.fingerprint(PILOT)[:16]}" in html
    assert "epsilon budget" in html
    assert "Traceback" not in html
    assert "Synthetic data." in html

    learners = pd.read_parquet(PILOT / "learners.parquet")
    n = len(learners)
    sizes = learners[QUASI].groupby(QUASI, dropna=False).size()

    before = checked_text(result.notebook_path, "risk_before.n")
    assert number(before, "records") == n
    assert number(before, "classes") == len(sizes)
    assert number(before, "sample uniques") == int((sizes == 1).sum())
    assert number(before, "records at risk") == int(sizes[sizes < 10].sum())

    anon = checked_text(result.notebook_path, "anon.achieved_k")
    achieved_k = number(anon, "k achieved")
    suppressed = number(anon, "records suppressed")
    assert achieved_k >= 5
    assert number(anon, "l achieved") >= 2
    assert suppressed <= 0.05 * n

    after = checked_text(result.notebook_path, "risk_after.n")
    assert number(after, "records") == n - suppressed
    assert number(after, "sample uniques") == 0
    assert number(after, "highest risk") == pytest.approx(1 / achieved_k, abs=1e-4)

    # every inner cell of gender x pathway with 1..9 learners must be hidden
    small = pd.crosstab(learners["gender"].fillna("not_reported"), learners["pathway"])
    primary = int(((small > 0) & (small < 10)).to_numpy().sum())
    hidden = re.search(
        r"cells hidden: (\d+) of (\d+)", checked_text(result.notebook_path, "cells hidden")
    )
    assert hidden
    assert primary > 0  # the check below must be able to fail
    assert int(hidden.group(1)) >= primary


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"k": "ten"}, r"'k' of report 'anonymize-and-publish' expects int"),
        ({"epsilon": "lots"}, r"'epsilon' of report 'anonymize-and-publish' expects float"),
        ({"kk": 5}, r"unknown parameter 'kk'"),
    ],
)
def test_bad_parameters_refused_before_the_kernel(
    tmp_path: Path, parameters: dict[str, object], message: str
) -> None:
    with pytest.raises(ParameterError, match=message):
        run_report(REPORT, parameters, output_dir=tmp_path)
    assert not (tmp_path / REPORT).exists()
