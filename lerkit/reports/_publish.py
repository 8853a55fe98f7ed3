"""The files a report publishes: an anonymized dataset, tables, DP releases and a MANIFEST.

:func:`write_publication` writes ``<report folder>/publish/``::

    publish/
      MANIFEST.json           every file below: sha256, bytes, rows; the k, l and epsilon
                              claimed; the fingerprints of the input and of dataset/
      dataset/                lerkit.anonymize.anonymize_dataset: pseudonyms, redacted
                              credentials, k-anonymous l-diverse learners, risk reports
      tables/<name>.csv       published tables, ``suppressed`` flag on every cell
      dp/<name>.csv           differentially private releases, ``epsilon`` on every row

and ``<report folder>/internal/`` for what the team needs but must not publish
(``utility.csv``: estimates before and after anonymization, whose differences and
counts describe the few suppressed people of a group).

The pseudonymization key is read from a key file or an environment variable and
never written anywhere; the MANIFEST names where it came from. The key file in
:data:`DEMO_KEY_FILE` is public (it ships with lerkit), so pseudonyms made with it
protect nothing: it is refused for any dataset not marked ``synthetic: true``.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow.parquet as pq

from lerkit._fingerprint import fingerprint
from lerkit.datasets import Dataset
from lerkit.errors import ReportError
from lerkit.reports._provenance import lerkit_version

if TYPE_CHECKING:
    # lerkit.anonymize imports lerkit.analysis (Ibis): loaded when a publication is
    # written, not by `import lerkit` (every CLI command imports lerkit.reports)
    from lerkit.anonymize import AnonymizationPlan, DatasetAnonymization, PrivacyBudget

__all__ = [
    "DEMO_KEY_FILE",
    "MANIFEST_FILE",
    "PUBLISH_FOLDER",
    "Publication",
    "write_publication",
]

#: DEMO ONLY: a public pseudonymization key for the bundled synthetic datasets.
DEMO_KEY_FILE = Path(__file__).resolve().with_name("demo-only-pseudonym.key")
PUBLISH_FOLDER = "publish"
INTERNAL_FOLDER = "internal"
MANIFEST_FILE = "MANIFEST.json"
_GENERATOR = "lerkit write_publication"
# anonymize_dataset's reports the team needs and that must not leave it
_TEAM_ONLY = ("utility.csv",)


@dataclass(frozen=True)
class Publication:
    """What :func:`write_publication` wrote.

    Attributes
    ----------
    folder : pathlib.Path
        The ``publish/`` folder.
    internal : pathlib.Path
        The folder of team-only files (not for publication).
    files : pandas.DataFrame
        One row per published file: ``file`` (relative to ``folder``), ``kind``,
        ``rows`` (tables; empty otherwise), ``epsilon`` (DP releases), ``sha256``.
    manifest : dict
        What ``MANIFEST.json`` holds.
    anonymization : DatasetAnonymization
        The anonymized dataset's result (levels, risk, loss).
    """

    folder: Path
    internal: Path
    files: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    anonymization: DatasetAnonymization | None = None

    def overview(self) -> pd.DataFrame:
        """Files by kind: how many, and their rows (what the report's last section lists)."""
        grouped = self.files.groupby("kind", sort=False).agg(
            files=("file", "size"), rows=("rows", "sum")
        )
        return grouped.reset_index()


def _slug(name: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not text:
        raise ReportError(f"cannot make a file name from {name!r}", code="invalid_argument")
    return text


def _rows(path: Path) -> int | None:
    if path.suffix == ".parquet":
        return int(pq.read_metadata(path).num_rows)
    if path.suffix == ".csv":
        return len(pd.read_csv(path, dtype=str, keep_default_na=False))
    return None


def _kind(relative: str) -> str:
    if relative.startswith("tables/"):
        return "published table"
    if relative.startswith("dp/"):
        return "DP release"
    if relative.startswith("dataset/credentials/"):
        return "redacted credential"
    if relative.startswith("dataset/anonymization/"):
        return "risk and loss report"
    if relative.endswith(".parquet"):
        return "anonymized table"
    return "dataset metadata"


def _key(dataset: Dataset, key_file: str, key_env: str) -> tuple[bytes, dict[str, Any]]:
    from lerkit.anonymize import load_key

    if key_env:
        key = load_key(key_env=key_env)
        source: dict[str, Any] = {"from": "environment variable", "name": key_env}
    elif key_file:
        key = load_key(key_file=key_file)
        source = {"from": "key file", "name": Path(key_file).name}
    else:
        raise ReportError(
            "no pseudonymization key: give key_env (an environment variable holding the key) "
            "or key_file (a file holding it)",
            code="no_key",
        )
    # compared by value: a copy of the demo key, or the key in a variable, is as public
    demo = key == load_key(key_file=DEMO_KEY_FILE)
    if demo and dataset.metadata.synthetic is not True:
        raise ReportError(
            f"the key given is the demo key {str(DEMO_KEY_FILE)!r}, which is public and may "
            f"only pseudonymize synthetic data; dataset {dataset.name!r} is not marked "
            "synthetic: give key_env or key_file with a secret key",
            code="demo_key_refused",
        )
    source["demo"] = demo
    if demo:
        source["warning"] = "DEMO ONLY: this key is public; the pseudonyms protect nothing"
    return key, source


def _csv(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")


def _dp_frame(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    info = frame.attrs.get("dp")
    if not isinstance(info, Mapping) or "epsilon" not in info:
        raise ReportError(
            f"DP release {name!r} records no epsilon (make it with lerkit.anonymize.dp_table)",
            code="invalid_argument",
        )
    out = frame.copy()
    out["epsilon"] = float(info["epsilon"])
    out["mechanism"] = str(info.get("mechanism", ""))
    out["noise_scale"] = info.get("scale", math.nan)
    return out


def _check_replaceable(target: Path) -> None:
    """Refuse to overwrite a ``publish/`` folder that an earlier run did not write."""
    if not target.exists():
        return
    try:
        manifest = json.loads((target / MANIFEST_FILE).read_text("utf-8"))
        made_here = isinstance(manifest, dict) and manifest.get("generator") == _GENERATOR
    except (OSError, ValueError):
        made_here = False
    if not made_here:
        raise ReportError(
            f"{str(target)!r} exists and was not written by lerkit; move it away first",
            code="publish_folder_exists",
        )


def _replace(staging: Path, target: Path) -> None:
    """Put ``staging`` at ``target``, replacing only an earlier publication."""
    _check_replaceable(target)
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)


def write_publication(
    report_dir: str | os.PathLike[str] | None,
    dataset: Dataset,
    *,
    plan: AnonymizationPlan,
    k: int,
    l: int,  # noqa: E741
    max_suppression: float,
    min_cell: int,
    tables: Mapping[str, pd.DataFrame],
    dp_releases: Mapping[str, pd.DataFrame],
    budget: PrivacyBudget,
    key_file: str = "",
    key_env: str = "",
    report: str = "anonymize-and-publish",
) -> Publication:
    """Write the publishable files of a report into ``<report_dir>/publish/``.

    Parameters
    ----------
    report_dir : path or None
        The report's own output folder (``lerkit report`` sets the notebook's
        ``report_dir`` parameter to it); empty or None: ``lerkit-reports/<report>``
        in the system's temporary folder, replaced on each run.
    dataset : Dataset
        The input dataset.
    plan : AnonymizationPlan
        Quasi-identifiers and sensitive columns (:func:`lerkit.anonymize.anonymization_plan`).
    k, l, max_suppression : int, int, float
        Passed to :func:`lerkit.anonymize.anonymize_dataset`.
    min_cell : int
        The minimum cell size the published tables were made with (recorded).
    tables : mapping of str to pandas.DataFrame
        Published tables (:func:`lerkit.anonymize.publish_table`), by name; each
        must have a ``suppressed`` column.
    dp_releases : mapping of str to pandas.DataFrame
        Differentially private tables (:func:`lerkit.anonymize.dp_table`), by name.
    budget : PrivacyBudget
        The report's budget (its spending goes into the MANIFEST).
    key_file, key_env : str
        Where the pseudonymization key is: an environment variable (used when
        ``key_env`` is not empty) or a file. :data:`DEMO_KEY_FILE` is accepted only
        for synthetic datasets.
    report : str
        Report name, for the MANIFEST.

    Returns
    -------
    Publication

    Raises
    ------
    ReportError
        ``no_key``, ``demo_key_refused``, ``publish_folder_exists`` (a ``publish/``
        not written by lerkit), ``invalid_argument`` (a table without a
        ``suppressed`` column, a DP release without an epsilon).
    PrivacyError
        From :func:`~lerkit.anonymize.load_key` and
        :func:`~lerkit.anonymize.anonymize_dataset`.

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.anonymize._plan import anonymization_plan
    >>> data = lk.datasets.load("pilot-default")
    >>> budget = lk.anonymize.PrivacyBudget(epsilon=1.0)
    >>> out = write_publication(None, data, plan=anonymization_plan(data), k=10, l=2,
    ...     max_suppression=0.05, min_cell=10, tables={}, dp_releases={}, budget=budget,
    ...     key_file=str(DEMO_KEY_FILE))  # doctest: +SKIP
    >>> (out.folder / "MANIFEST.json").is_file()  # doctest: +SKIP
    True
    """
    from lerkit.anonymize import anonymize_dataset

    # Outside `lerkit report` (nbval, a Jupyter session) one scratch folder per report
    # name is reused, so repeated runs replace their files instead of piling them up.
    root = (
        Path(report_dir)
        if report_dir
        else Path(tempfile.gettempdir()) / "lerkit-reports" / _slug(report)
    ).resolve()
    for name, table in tables.items():
        if "suppressed" not in table.columns:
            raise ReportError(
                f"published table {name!r} has no 'suppressed' column "
                "(make it with lerkit.anonymize.publish_table)",
                code="invalid_argument",
            )
    dp_frames = {name: _dp_frame(name, frame) for name, frame in dp_releases.items()}
    _check_replaceable(root / PUBLISH_FOLDER)
    key, key_source = _key(dataset, key_file, key_env)
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".{PUBLISH_FOLDER}-{uuid.uuid4().hex[:8]}"
    internal = root / INTERNAL_FOLDER
    try:
        staging.mkdir()
        result = anonymize_dataset(
            dataset,
            staging / "dataset",
            key=key,
            k=k,
            l=l,
            quasi=list(plan.quasi),
            sensitive=list(plan.sensitive),
            max_suppression=max_suppression,
            reference_year=plan.reference_year,
            internal_dir=internal,
        )
        for name, table in tables.items():
            _csv(table, staging / "tables" / f"{_slug(name)}.csv")
        for name, frame in dp_frames.items():
            _csv(frame, staging / "dp" / f"{_slug(name)}.csv")
        epsilons = {
            f"dp/{_slug(name)}.csv": float(frame["epsilon"].iloc[0]) if len(frame) else 0.0
            for name, frame in dp_frames.items()
        }
        rows: list[dict[str, Any]] = []
        written = {p.relative_to(staging).as_posix(): p for p in staging.rglob("*") if p.is_file()}
        for relative, path in sorted(written.items()):
            rows.append(
                {
                    "file": relative,
                    "kind": _kind(relative),
                    "rows": _rows(path),
                    "epsilon": epsilons.get(relative),
                    "bytes": path.stat().st_size,
                    "sha256": fingerprint(path),
                }
            )
        anon = result.anonymization
        manifest: dict[str, Any] = {
            "generator": _GENERATOR,
            "lerkit_version": lerkit_version(),
            "report": report,
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "input": {
                "dataset": dataset.name,
                "synthetic": dataset.metadata.synthetic,
                "fingerprint": f"sha256:{fingerprint(dataset.path)}",
            },
            "dataset_fingerprint": f"sha256:{fingerprint(staging / 'dataset')}",
            "pseudonymization_key": key_source,
            "claims": {
                "k": k,
                "l": l,
                "achieved_k": anon.achieved_k,
                "achieved_l": anon.achieved_l,
                "quasi_identifiers": list(plan.quasi),
                "sensitive": list(plan.sensitive),
                "records_suppressed": anon.info_loss.suppressed,
                "max_suppression": max_suppression,
                "min_cell": min_cell,
                "epsilon_budget": budget.epsilon,
                "epsilon_spent": budget.spent,
                "epsilon_by_file": epsilons,
            },
            "not_published": [f"../{INTERNAL_FOLDER}/{name}" for name in _TEAM_ONLY],
            "files": rows,
        }
        (staging / MANIFEST_FILE).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n",
            encoding="utf-8",
        )
        target = root / PUBLISH_FOLDER
        _replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    files = pd.DataFrame(rows, columns=["file", "kind", "rows", "epsilon", "bytes", "sha256"])
    files["rows"] = files["rows"].astype("Int64")
    return Publication(
        folder=target,
        internal=internal,
        files=files,
        manifest=manifest,
        anonymization=result,
    )
