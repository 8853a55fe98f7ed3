"""Report anonymize-and-publish: run with non-default parameters, checked against pandas.

The notebook runs once through papermill with another k and another group column;
its printed key numbers and the files it writes into ``publish/`` are checked
against plain pandas, pyarrow and hashlib computed straight from the parquet files,
and bad parameters are refused before any kernel starts.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from pycanon import anonymity
from report_helpers import checked_output, papermill_warnings

import lerkit as lk
from lerkit.errors import LerkitError, ParameterError, ReportError
from lerkit.reports import DEMO_KEY_FILE, ReportResult, run_report, write_publication

ROOT = Path(__file__).resolve().parents[1]
PILOT = ROOT / "datasets" / "pilot-default"
REPORT = "anonymize-and-publish"
# the learners columns dictionary.yaml marks quasi_identifier (asserted below)
QUASI = ["birth_year", "gender", "veteran", "region", "highest_education", "enrolled_on"]
SENSITIVE = ["race_ethnicity", "disability"]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReportResult, list[str]]:
    """One run with k=5 and group=gender; and what papermill warned about meanwhile."""
    with papermill_warnings() as messages:
        result = run_report(
            REPORT, {"k": 5, "l": 2, "group": "gender"}, output_dir=tmp_path_factory.mktemp("r")
        )
    return result, messages


@pytest.fixture(scope="module")
def publish(run: tuple[ReportResult, list[str]]) -> Path:
    return run[0].html_path.parent / "publish"


@pytest.fixture(scope="module")
def manifest(publish: Path) -> dict[str, object]:
    loaded = json.loads((publish / "MANIFEST.json").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def number(text: str, label: str) -> float:
    found = re.search(rf"^{re.escape(label)}:\s+([0-9.]+)", text, flags=re.MULTILINE)
    assert found, f"{label!r} not in {text!r}"
    return float(found.group(1))


def test_quasi_identifiers_are_the_dictionary_ones() -> None:
    spec = lk.datasets.load("pilot-default").dictionary.table("learners")
    assert [c.name for c in spec.columns if c.privacy == "quasi_identifier"] == QUASI


def test_report_runs_with_other_k_and_group(run: tuple[ReportResult, list[str]]) -> None:
    result, papermill_warnings = run
    assert papermill_warnings == []
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

    before = checked_output(result.notebook_path, "risk_before.n")
    assert number(before, "records") == n
    assert number(before, "classes") == len(sizes)
    assert number(before, "sample uniques") == int((sizes == 1).sum())
    assert number(before, "records at risk") == int(sizes[sizes < 10].sum())

    anon = checked_output(result.notebook_path, "anon.achieved_k")
    achieved_k = number(anon, "k achieved")
    suppressed = number(anon, "records suppressed")
    assert achieved_k >= 5
    assert number(anon, "l achieved") >= 2
    assert suppressed <= 0.05 * n

    after = checked_output(result.notebook_path, "risk_after.n")
    assert number(after, "records") == n - suppressed
    assert number(after, "sample uniques") == 0
    assert number(after, "highest risk") == pytest.approx(1 / achieved_k, abs=1e-4)

    # every inner cell of gender x pathway with 1..9 learners must be hidden
    small = pd.crosstab(learners["gender"].fillna("not_reported"), learners["pathway"])
    primary = int(((small > 0) & (small < 10)).to_numpy().sum())
    hidden = re.search(
        r"cells hidden: (\d+) of (\d+)", checked_output(result.notebook_path, "cells hidden")
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
        ({"key_file": "no-such.key"}, r"'key_file' of report 'anonymize-and-publish': no such"),
        ({"dataset": "no-such-pilot"}, r"no dataset 'no-such-pilot'"),
    ],
)
def test_bad_parameters_refused_before_the_kernel(
    tmp_path: Path, parameters: dict[str, object], message: str
) -> None:
    with pytest.raises(ParameterError, match=message):
        run_report(REPORT, parameters, output_dir=tmp_path)
    assert not (tmp_path / REPORT).exists()


# -- the publish/ folder ------------------------------------------------------------


def test_publish_folder_holds_the_dataset_tables_dp_and_manifest(
    run: tuple[ReportResult, list[str]], publish: Path
) -> None:
    folder = run[0].html_path.parent
    assert sorted(p.name for p in publish.iterdir()) == ["MANIFEST.json", "dataset", "dp", "tables"]
    assert (publish / "dataset" / "learners.parquet").is_file()
    assert [p.name for p in (publish / "tables").iterdir()] == [
        "learners-by-gender-and-pathway.csv"
    ]
    assert [p.name for p in (publish / "dp").iterdir()] == ["learners-by-pathway.csv"]
    # the team's before/after estimates are kept out of publish/
    assert (folder / "internal" / "utility.csv").is_file()
    assert not list(publish.rglob("utility.csv"))
    assert lk.datasets.load(publish / "dataset").tables  # a dataset lerkit can read


def test_manifest_lists_every_file_with_its_sha256_and_rows(
    publish: Path, manifest: dict[str, object]
) -> None:
    files = manifest["files"]
    assert isinstance(files, list)
    on_disk = sorted(
        p.relative_to(publish).as_posix()
        for p in publish.rglob("*")
        if p.is_file() and p.name != "MANIFEST.json"
    )
    assert [f["file"] for f in files] == on_disk
    for entry in files:
        path = publish / entry["file"]
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), entry["file"]
        assert entry["bytes"] == path.stat().st_size
        if path.suffix == ".parquet":
            assert entry["rows"] == pq.ParquetFile(path).metadata.num_rows
        elif path.suffix == ".csv":
            assert entry["rows"] == len(pd.read_csv(path, dtype=str))
        else:
            assert entry["rows"] is None


def test_manifest_claims_and_fingerprints(publish: Path, manifest: dict[str, object]) -> None:
    claims = manifest["claims"]
    assert isinstance(claims, dict)
    assert (claims["k"], claims["l"]) == (5, 2)
    assert claims["achieved_k"] >= 5
    assert claims["achieved_l"] >= 2
    assert claims["quasi_identifiers"] == QUASI
    assert claims["sensitive"] == SENSITIVE
    assert claims["epsilon_budget"] == 1.0
    assert claims["epsilon_by_file"] == {"dp/learners-by-pathway.csv": 1.0}
    assert sum(claims["epsilon_by_file"].values()) <= claims["epsilon_budget"]
    assert manifest["input"] == {
        "dataset": "pilot-default",
        "synthetic": True,
        "fingerprint": f"sha256:{lk.fingerprint(PILOT)}",
    }
    assert manifest["dataset_fingerprint"] == f"sha256:{lk.fingerprint(publish / 'dataset')}"


def test_published_learners_meet_the_claimed_k_and_l(
    publish: Path, manifest: dict[str, object]
) -> None:
    claims = manifest["claims"]
    assert isinstance(claims, dict)
    released = pd.read_parquet(publish / "dataset" / "learners.parquet")
    original = pd.read_parquet(PILOT / "learners.parquet")
    assert len(released) == len(original) - claims["records_suppressed"]
    # generalized labels live in the column or, where the layout has one, in <column>_group;
    # a missing value ("not reported") counts as a value of its own, as lerkit counts it
    columns = [f"{c}_group" if f"{c}_group" in released else c for c in QUASI]
    frame = pd.DataFrame(
        {
            c: released[c].astype(object).where(released[c].notna(), "<missing>").astype(str)
            for c in [*columns, *SENSITIVE]
        }
    )
    sizes = frame.groupby(columns).size()
    assert int(sizes.min()) == claims["achieved_k"]
    assert anonymity.k_anonymity(frame, columns) == claims["achieved_k"]
    assert anonymity.l_diversity(frame, columns, SENSITIVE) >= claims["achieved_l"]


def test_published_table_hides_small_cells(publish: Path) -> None:
    table = pd.read_csv(publish / "tables" / "learners-by-gender-and-pathway.csv", dtype=str)
    learners = pd.read_parquet(PILOT / "learners.parquet")
    counts = learners.assign(gender=learners["gender"].fillna("not_reported")).value_counts(
        ["gender", "pathway"]
    )
    inner = table[table["total"] == "False"].set_index(["gender", "pathway"])
    small = counts[(counts > 0) & (counts < 10)]
    assert len(small) > 0  # the check below must be able to fail
    for cell in small.index:
        assert inner.loc[cell, "suppressed"] == "True"
        assert pd.isna(inner.loc[cell, "n"])
    shown = inner[inner["suppressed"] == "False"]
    assert len(shown) > 0
    for cell, row in shown.iterrows():
        assert int(row["n"]) == int(counts.get(cell, 0))
        assert int(row["n"]) == 0 or int(row["n"]) >= 10


def test_dp_release_has_its_epsilon_and_the_dictionarys_categories(publish: Path) -> None:
    release = pd.read_csv(publish / "dp" / "learners-by-pathway.csv")
    raw = yaml.safe_load((PILOT / "dictionary.yaml").read_text(encoding="utf-8"))
    pathway = raw["tables"]["learners"]["columns"]["pathway"]
    assert sorted(release["pathway"]) == sorted(pathway["values"])
    assert (release["epsilon"] == 1.0).all()
    # the noisy counts themselves are random: only their type is checked
    assert pd.api.types.is_integer_dtype(release["n"])


def test_no_identifier_or_key_leaves_in_any_file(
    run: tuple[ReportResult, list[str]], publish: Path, manifest: dict[str, object]
) -> None:
    key = DEMO_KEY_FILE.read_bytes().strip()
    ids = set(pd.read_parquet(PILOT / "learners.parquet")["learner_id"].astype(str))
    sample = sorted(ids)[:200]
    folder = run[0].html_path.parent
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        assert key not in data, path
        if path.is_relative_to(publish):
            text = data.decode("utf-8", errors="ignore")
            assert not any(learner in text for learner in sample), path
    released = pd.read_parquet(publish / "dataset" / "learners.parquet")
    assert not ids & set(released["learner_id"].astype(str))
    source = manifest["pseudonymization_key"]
    assert isinstance(source, dict)
    assert source["demo"] is True
    assert "DEMO ONLY" in source["warning"]


def test_notebook_lists_what_can_and_cannot_be_published(
    run: tuple[ReportResult, list[str]],
) -> None:
    nb = nbformat.read(run[0].notebook_path, as_version=4)
    headings = [
        line
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("## ")
    ]
    assert headings[-1] == "## 10. What you can publish and what you cannot"
    last = next(c for c in reversed(nb.cells) if c.cell_type == "markdown").source
    for name in ("MANIFEST.json", "dataset/", "tables/", "dp/", "internal/utility.csv"):
        assert name in last


def test_demo_key_is_refused_for_data_not_marked_synthetic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "real"
    folder.mkdir()
    (folder / "learners.csv").write_text("learner_id,birth_year\nL1,1980\nL2,1981\n")
    data = lk.datasets.load(folder)
    assert data.metadata.synthetic is not True
    from lerkit.anonymize._plan import AnonymizationPlan

    plan = AnonymizationPlan("learners", ("birth_year",), (), {}, {}, 2026)
    budget = lk.anonymize.PrivacyBudget(epsilon=1.0)
    common = {
        "plan": plan,
        "k": 2,
        "l": 1,
        "max_suppression": 0.0,
        "min_cell": 10,
        "tables": {},
        "dp_releases": {},
        "budget": budget,
    }
    with pytest.raises(ReportError) as caught:
        write_publication(tmp_path / "out", data, key_file=str(DEMO_KEY_FILE), **common)
    assert caught.value.code == "demo_key_refused"
    assert "is not marked synthetic" in str(caught.value)
    # a copy of the demo key, or the demo key in a variable, is refused as well
    copy = tmp_path / "my.key"
    copy.write_bytes(DEMO_KEY_FILE.read_bytes())
    with pytest.raises(ReportError) as copied:
        write_publication(tmp_path / "out", data, key_file=str(copy), **common)
    assert copied.value.code == "demo_key_refused"
    monkeypatch.setenv("LERKIT_TEST_DEMO_KEY", DEMO_KEY_FILE.read_text())
    with pytest.raises(ReportError) as from_env:
        write_publication(tmp_path / "out", data, key_env="LERKIT_TEST_DEMO_KEY", **common)
    assert from_env.value.code == "demo_key_refused"
    with pytest.raises(LerkitError) as unset:
        write_publication(tmp_path / "out", data, key_env="LERKIT_TEST_SURELY_UNSET_KEY", **common)
    assert unset.value.code == "key_unreadable"
    assert "LERKIT_TEST_SURELY_UNSET_KEY" in str(unset.value)
    assert not (tmp_path / "out" / "publish").exists()


def test_a_publish_folder_lerkit_did_not_write_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "publish").mkdir()
    (tmp_path / "publish" / "notes.txt").write_text("mine")
    data = lk.datasets.load("pilot-default")
    from lerkit.anonymize._plan import anonymization_plan

    with pytest.raises(ReportError) as caught:
        write_publication(
            tmp_path,
            data,
            plan=anonymization_plan(data),
            k=10,
            l=2,
            max_suppression=0.05,
            min_cell=10,
            tables={},
            dp_releases={},
            budget=lk.anonymize.PrivacyBudget(epsilon=1.0),
            key_file=str(DEMO_KEY_FILE),
        )
    assert caught.value.code == "publish_folder_exists"
    assert (tmp_path / "publish" / "notes.txt").read_text() == "mine"
