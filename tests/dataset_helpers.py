"""Small copies of the bundled pilot for tests that rewrite or anonymize a dataset."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import yaml

PILOT = Path(__file__).resolve().parents[1] / "datasets" / "pilot-default"


def sample_pilot(folder: Path, *, learners: int, seed: int, name: str) -> Path:
    """pilot-default cut down to a random sample of ``learners`` (every table, their
    credential files), written to ``folder`` (created) as dataset ``name``."""
    folder.mkdir(parents=True)
    people = pd.read_parquet(PILOT / "learners.parquet").sample(learners, random_state=seed)
    ids = set(people["learner_id"])
    for path in sorted(PILOT.glob("*.parquet")):
        frame = people if path.stem == "learners" else pd.read_parquet(path)
        if path.stem != "learners" and "learner_id" in frame.columns:
            frame = frame[frame["learner_id"].isin(ids)]
        frame.to_parquet(folder / path.name, index=False)
        if path.stem == "credentials":
            for relative in frame["file"].dropna():
                target = folder / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(PILOT / relative, target)
    shutil.copyfile(PILOT / "dictionary.yaml", folder / "dictionary.yaml")
    meta = yaml.safe_load((PILOT / "dataset.yaml").read_text())
    meta.pop("counts", None)
    meta["name"] = name
    (folder / "dataset.yaml").write_text(yaml.safe_dump(meta))
    return folder
