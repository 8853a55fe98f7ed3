"""datasets/pilot-default: the bundled default dataset is exactly what the generator writes,
it validates against the dictionary, and its credentials verify as the ground truth says."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

import lerkit as lk

ROOT = Path(__file__).resolve().parents[1]
PILOT = ROOT / "datasets" / "pilot-default"


def _make_variable(name: str) -> str:
    found = re.search(rf"^{name} := (\S+)$", (ROOT / "Makefile").read_text(), re.M)
    assert found, f"{name} is not set in the Makefile"
    return found.group(1)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pilot") / "pilot-default"
    lk.datasets.synthesize(
        int(_make_variable("PILOT_LEARNERS")),
        int(_make_variable("PILOT_SEED")),
        out,
        name="pilot-default",
        progress=False,
    )
    return out


def test_committed_pilot_equals_what_make_pilot_writes(regenerated: Path) -> None:
    committed, fresh = _files(PILOT), _files(regenerated)
    assert sorted(committed) == sorted(fresh), "files differ: run `make pilot`"
    changed = [name for name in committed if committed[name] != fresh[name]]
    assert changed == [], f"{len(changed)} files differ (run `make pilot`), e.g. {changed[:5]}"


def test_pilot_validates_with_every_analysis_supported() -> None:
    dataset = lk.datasets.load("pilot-default")
    assert dataset.path.resolve() == PILOT.resolve()
    assert dataset.validation.n_errors == 0, dataset.problems.head(20).to_string()
    assert dataset.validation.n_warnings == 0, dataset.problems.head(20).to_string()
    assert [a.name for a in dataset.unsupported_analyses()] == []
    learners = dataset.table("learners")
    assert 4_000 <= len(learners) <= 6_000
    assert set(learners["cohort"].astype(str)) == {"ler", "comparison"}


def test_every_credential_file_verifies_as_the_ground_truth_says() -> None:
    dataset = lk.datasets.load("pilot-default")
    as_of = datetime.combine(dataset.metadata.as_of, datetime.min.time(), UTC)
    options = lk.VerifyOptions(status_lists=PILOT / "status", did_web=PILOT / "dids", now=as_of)
    credentials = dataset.table("credentials")
    files = credentials.dropna(subset=["file"])
    assert len(files) > 2_000
    frame = lk.verify_many([PILOT / f for f in files["file"]], options=options, progress=False)
    assert len(frame) == len(files)  # one row per file: nothing lost, nothing added
    faults = pd.read_csv(PILOT / "ground_truth" / "credential_faults.csv")
    planted = dict(zip(faults["credential_id"], faults["fault"], strict=True))
    expected = {"tampered": "not_verified", "revoked": "not_verified"}
    expected |= {"suspended": "not_verified", "expired": "warning"}
    wrong = [
        (row.credential_id, row.verdict, planted.get(row.credential_id))
        for row in frame.itertuples()
        if row.verdict != expected.get(planted.get(row.credential_id, ""), "verified")
    ]
    assert wrong == [], wrong[:10]
    assert set(planted.values()) == set(expected)  # every kind of fault is planted
