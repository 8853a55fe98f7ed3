"""Anonymize a whole dataset folder: pseudonyms, redacted credentials, k-anonymous learners.

What :func:`anonymize_dataset` writes (a new folder; the input is only read):

- every table as Parquet, with each ``direct_identifier`` column either replaced by
  keyed pseudonyms (identifier columns that join tables: ``learner_id`` maps to the
  same pseudonym in every table) or dropped (names, e-mails);
- ``learners`` made k-anonymous and distinct l-diverse over its quasi-identifiers by
  :func:`~lerkit.anonymize.k_anonymize`; the learners it suppresses are removed from
  every table (and their credential files are not written);
- ``credentials/``: every credential file redacted (:func:`redact_credential_file`),
  with the table's ``file``, ``sha256`` and ``proof`` columns updated to match (the
  files no longer verify: their proofs are removed, and ``redactions.csv`` says so);
- ``anonymization/``: ``provenance.json`` (k, l, algorithm, hierarchy levels,
  suppression; never the key), ``risk_before.json`` / ``risk_after.json`` and their
  class-size tables as CSV, ``info_loss.json``, ``utility.csv`` (key estimates on the
  original and the anonymized data) and ``redactions.csv``;
- ``dictionary.yaml`` and ``dataset.yaml`` so that :func:`lerkit.datasets.load` reads
  the folder.

Why the generalized columns look the way they do: the data dictionary fixes each
column's type and allowed codes, and a dataset's copy may not loosen them, so a
generalized value such as ``1980-1984`` or ``northeast`` cannot be stored in
``birth_year`` or ``region`` as the dictionary defines them. Each generalized
quasi-identifier therefore gets a companion column ``<column>_group`` (declared in the
folder's dictionary copy, type string) holding the published label, and the column
itself holds a value of its own type where one denotes the group exactly: the first
year of a band, the first day of a month, quarter or year. A category generalized
beyond its codes (``region`` to census region) keeps the label in the column, and a
column generalized to ``*`` is left empty; ``lerkit.datasets.load`` lists those values
as ``not_allowed_value`` / ``missing_value`` problems: they are the generalization,
not damage. Quasi-identifiers of other tables (dates of events, employers,
occupations) are not generalized; provenance lists them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from lerkit.anonymize._hierarchy import ANY
from lerkit.anonymize._kanonymity import Anonymization, check_arguments, k_anonymize
from lerkit.anonymize._pseudonymize import Pseudonymizer, Redaction, redact_credential_file
from lerkit.anonymize._risk import RiskReport, risk_report
from lerkit.datasets import ColumnSpec, DataDictionary, Dataset, load
from lerkit.errors import DatasetError, PrivacyError

__all__ = ["DatasetAnonymization", "anonymize_dataset", "utility_report"]

_REPORTS = "anonymization"
_PERSON_TABLE = "learners"


@dataclass(frozen=True)
class DatasetAnonymization:
    """What :func:`anonymize_dataset` wrote and measured.

    Attributes
    ----------
    path : pathlib.Path
        The anonymized dataset folder.
    anonymization : Anonymization
        The learners table's k-anonymization (levels, info loss, search).
    risk_before, risk_after : RiskReport
    utility : pandas.DataFrame
        Key estimates on the original and the anonymized data (:func:`utility_report`).
    redactions : pandas.DataFrame
        One row per credential file written.
    provenance : dict
        What ``anonymization/provenance.json`` holds.
    """

    path: Path
    anonymization: Anonymization
    risk_before: RiskReport
    risk_after: RiskReport
    utility: pd.DataFrame
    redactions: pd.DataFrame
    provenance: dict[str, Any] = field(default_factory=dict)


def _frame(dataset: Dataset, name: str) -> pd.DataFrame:
    """A table with the dictionary's types, category codes as plain strings."""
    arrow = dataset.relation(name).to_arrow_table()
    frame: pd.DataFrame = arrow.to_pandas(date_as_object=True)
    return frame


def _root_of(column: ColumnSpec, dictionary: DataDictionary) -> str:
    """The column an identifier ultimately names (``learners.learner_id``)."""
    seen = {column.qualified_name}
    while column.references is not None:
        column = dictionary.column(column.references)
        if column.qualified_name in seen:
            break
        seen.add(column.qualified_name)
    return column.qualified_name


def _referenced(dictionary: DataDictionary) -> set[str]:
    return {c.references for c in dictionary.columns() if c.references is not None}


def utility_report(
    learners_before: pd.DataFrame,
    learners_after: pd.DataFrame,
    outcomes: pd.DataFrame | None,
    *,
    id_before: str = "learner_id",
    id_after: str = "learner_id",
    groups: Sequence[str] = ("pathway", "race_ethnicity", "cohort"),
) -> pd.DataFrame:
    """Employment rate and mean wage by group, before and after anonymization.

    Computed directly from the tables (latest outcome period): the share employed
    and the mean hourly wage of the employed, overall and by each group column
    present in both tables.

    Returns
    -------
    pandas.DataFrame
        ``measure``, ``group_column``, ``group``, ``n_original``, ``original``,
        ``n_anonymized``, ``anonymized``, ``difference`` (anonymized - original).

    Examples
    --------
    >>> before = pd.DataFrame({"learner_id": ["a", "b"], "pathway": ["x", "x"]})
    >>> after = before.iloc[:1]
    >>> outcomes = pd.DataFrame({"learner_id": ["a", "b"], "period": ["2025Q1"] * 2,
    ...                          "employed": [True, False], "hourly_wage": [20.0, None]})
    >>> utility_report(before, after, outcomes, groups=["pathway"])["difference"].tolist()
    [0.5, 0.0, 0.5, 0.0]
    """
    columns = [
        "measure",
        "group_column",
        "group",
        "n_original",
        "original",
        "n_anonymized",
        "anonymized",
        "difference",
    ]
    if outcomes is None or outcomes.empty or "employed" not in outcomes.columns:
        return pd.DataFrame(columns=columns)
    latest = outcomes[outcomes["period"] == outcomes["period"].max()]
    rows: list[dict[str, Any]] = []

    def side(learners: pd.DataFrame, key: str) -> pd.DataFrame:
        ids = learners[[key, *[g for g in groups if g in learners.columns]]].rename(
            columns={key: "_id"}
        )
        merged = latest.assign(_id=latest["learner_id"].astype(str)).merge(
            ids.assign(_id=ids["_id"].astype(str)), on="_id", how="inner"
        )
        merged["_employed"] = merged["employed"].astype(float)
        merged["_wage"] = merged["hourly_wage"].where(merged["employed"].astype(bool))
        merged["_all"] = "all"
        result: pd.DataFrame = merged
        return result

    before = side(learners_before, id_before)
    after = side(learners_after, id_after)
    for group in ["_all", *[g for g in groups if g in before.columns and g in after.columns]]:
        for measure, column in (("employment_rate", "_employed"), ("mean_hourly_wage", "_wage")):
            b = before.groupby(before[group].astype(str))[column].agg(["mean", "count"])
            a = after.groupby(after[group].astype(str))[column].agg(["mean", "count"])
            for label in b.index:
                orig = float(b.loc[label, "mean"])
                anon = float(a.loc[label, "mean"]) if label in a.index else float("nan")
                rows.append(
                    {
                        "measure": measure,
                        "group_column": "overall" if group == "_all" else group,
                        "group": label,
                        "n_original": int(b.loc[label, "count"]),
                        "original": orig,
                        "n_anonymized": int(a.loc[label, "count"]) if label in a.index else 0,
                        "anonymized": anon,
                        "difference": anon - orig,
                    }
                )
    return pd.DataFrame(rows, columns=columns)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _representative(
    values: pd.Series, spec: ColumnSpec, anonymization: Anonymization
) -> tuple[pd.Series, pd.Series]:
    """The column's typed stand-in for its group, and the group label."""
    h = anonymization.hierarchies[spec.name]
    level = anonymization.levels[spec.name][0]
    groups = h.codes[level][h.value_codes(values)]
    labels = pd.Series(h.labels[level][groups], index=values.index, dtype=object)
    is_any = labels == ANY
    typed: pd.Series
    if spec.type in ("integer", "number", "date", "datetime") and h.lo is not None:
        lo = h.lo[level][groups]
        if spec.type == "integer":
            typed = pd.Series(lo, index=values.index).round().astype("Int64")
        elif spec.type == "number":
            typed = pd.Series(lo, index=values.index, dtype="float64")
        else:
            stamps = pd.Timestamp("1970-01-01", tz="UTC") + pd.to_timedelta(lo, unit="D")
            stamp_series = pd.Series(stamps, index=values.index)
            typed = (
                pd.Series(
                    [t.date() if pd.notna(t) else None for t in stamp_series],
                    index=values.index,
                    dtype=object,
                )
                if spec.type == "date"
                else stamp_series
            )
    else:
        typed = labels.copy()
    typed = typed.astype(object).where(~is_any & values.notna().to_numpy(), None)
    labels = labels.where(values.notna() | is_any, None)
    return typed, labels


def anonymize_dataset(
    dataset: str | os.PathLike[str] | Dataset,
    out: str | os.PathLike[str],
    *,
    key: bytes,
    k: int = 10,
    l: int = 2,  # noqa: E741
    quasi: Sequence[str] | None = None,
    sensitive: Sequence[str] | None = None,
    max_suppression: float = 0.05,
    risk_threshold: float = 0.1,
    population: pd.DataFrame | None = None,
    reference_year: int | None = None,
    t: float | None = None,
) -> DatasetAnonymization:
    """Write an anonymized copy of a dataset folder, with its risk and loss reports.

    Parameters
    ----------
    dataset : str, os.PathLike or Dataset
        The dataset (a folder, a name such as ``"pilot-default"``, or a loaded one).
    out : str or os.PathLike
        The folder to create (it must not exist, nor lie inside the input).
    key : bytes
        The pseudonymization key (:func:`~lerkit.anonymize.load_key`); never written.
    k, l : int
        k-anonymity and distinct l-diversity for the learners table.
    quasi : sequence of str, optional
        Quasi-identifiers of the learners table (default: the dictionary's).
    sensitive : sequence of str, optional
        Sensitive attributes (default: the dictionary's for the learners table).
    max_suppression : float
        Largest share of learners that may be suppressed.
    risk_threshold : float
        Prosecutor risk above which a record counts as at risk in the risk reports.
    population : pandas.DataFrame, optional
        A population table with the quasi-identifier columns, for journalist risk.
    reference_year : int, optional
        For age-group hierarchy steps (default: the dataset's ``as_of`` year).
    t : float, optional
        Also t-closeness of the sensitive attributes (see :func:`k_anonymize`).

    Returns
    -------
    DatasetAnonymization

    Raises
    ------
    PrivacyError
        ``missing_table``, ``empty_table``, ``unknown_quasi_identifier``,
        ``k_too_large``, ``unknown_hierarchy``, ``no_solution``, ``output_exists``,
        ``output_inside_input`` ...; nothing is written when one is raised before
        the output folder is created, and a half-written folder is removed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "anon"
    >>> result = anonymize_dataset("pilot-default", out, key=b"0123456789abcdef" * 2,
    ...     k=10, l=2, quasi=["birth_year", "gender", "region"])  # doctest: +SKIP
    """
    ds = dataset if isinstance(dataset, Dataset) else load(dataset, check_files="none")
    dictionary = ds.dictionary
    target = Path(out).resolve()
    source = ds.path.resolve()
    if target == source or source in target.parents:
        raise PrivacyError(
            f"the output folder {str(target)!r} must not be the input folder or inside it",
            code="output_inside_input",
        )
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise PrivacyError(
            f"the output folder {str(target)!r} already exists and is not empty",
            code="output_exists",
        )
    if _PERSON_TABLE not in ds.tables:
        raise PrivacyError(
            f"dataset {ds.name!r} has no {_PERSON_TABLE} table to anonymize",
            code="missing_table",
        )
    learners = _frame(ds, _PERSON_TABLE)
    spec = dictionary.table(_PERSON_TABLE)
    present = [c for c in spec.columns if c.name in learners.columns]
    if quasi is None:
        quasi = [
            c.name
            for c in present
            if c.privacy == "quasi_identifier" and learners[c.name].notna().any()
        ]
    if sensitive is None:
        sensitive = [
            c.name for c in present if c.privacy == "sensitive" and learners[c.name].notna().any()
        ]
    quasi, sensitive = list(quasi), list(sensitive)
    check_arguments(
        learners, quasi, sensitive, k, l, max_suppression, table=f"table {_PERSON_TABLE!r}"
    )
    hierarchies = {c: list(spec.column(c).hierarchy) if spec.has_column(c) else [] for c in quasi}
    if reference_year is None:
        as_of = ds.metadata.as_of
        reference_year = as_of.year if as_of is not None else dt.date.today().year
    risk_before = risk_report(learners, quasi, population=population, threshold=risk_threshold)
    anonymization = k_anonymize(
        learners,
        quasi,
        k=k,
        l=l,
        sensitive=sensitive,
        hierarchies=hierarchies,
        max_suppression=max_suppression,
        reference_year=reference_year,
        t=t,
    )
    risk_after = risk_report(
        anonymization.data,
        quasi,
        population=anonymization.generalize(population) if population is not None else None,
        threshold=risk_threshold,
    )
    staging = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        staging.mkdir(parents=True)
        result = _write(
            ds,
            staging,
            target,
            Pseudonymizer(key),
            learners,
            anonymization,
            risk_before,
            risk_after,
            risk_threshold,
        )
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def _write(
    ds: Dataset,
    staging: Path,
    target: Path,
    pseudonymizer: Pseudonymizer,
    learners: pd.DataFrame,
    anonymization: Anonymization,
    risk_before: RiskReport,
    risk_after: RiskReport,
    risk_threshold: float,
) -> DatasetAnonymization:
    dictionary = ds.dictionary
    referenced = _referenced(dictionary)
    person_key = f"{_PERSON_TABLE}.learner_id"
    suppressed_ids = set(learners.loc[anonymization.suppressed, "learner_id"].astype(str))
    # every direct identifier value of a person, and what replaces it inside credentials
    replacements: dict[str, str] = {}
    for column in dictionary.table(_PERSON_TABLE).columns:
        if column.privacy != "direct_identifier" or column.name not in learners.columns:
            continue
        values = learners[column.name].dropna().astype(str)
        if column.qualified_name in referenced or column.name == "learner_id":
            domain = _root_of(column, dictionary)
            replacements.update({v: pseudonymizer.pseudonym(v, domain) for v in values})
        else:
            replacements.update(dict.fromkeys(values, "[redacted]"))
    counts: dict[str, int] = {}
    dropped_columns: dict[str, list[str]] = {}
    pseudonymized: dict[str, list[str]] = {}
    not_generalized: list[str] = []
    redaction_rows: list[dict[str, Any]] = []
    added_columns: dict[str, dict[str, Any]] = {}
    released_learners = pd.DataFrame()
    for name in ds.tables:
        table = dictionary.table(name)
        frame = learners if name == _PERSON_TABLE else _frame(ds, name)
        person_columns = [
            c.name
            for c in table.columns
            if c.name in frame.columns
            and (c.qualified_name == person_key or c.references == person_key)
        ]
        if person_columns and suppressed_ids and name != _PERSON_TABLE:
            keep = np.ones(len(frame), dtype=bool)
            for person_column in person_columns:
                keep &= ~frame[person_column].astype(str).isin(suppressed_ids).to_numpy()
            frame = frame.loc[keep]
        frame = frame.copy()
        if name == _PERSON_TABLE:
            frame = frame.loc[~anonymization.suppressed].copy()
            for qi in anonymization.quasi:
                level, step = anonymization.levels[qi]
                if level == 0:
                    continue
                typed, labels = _representative(frame[qi], table.column(qi), anonymization)
                frame[qi] = typed
                frame[f"{qi}_group"] = labels
                added_columns[f"{qi}_group"] = {
                    "type": "string",
                    "required": False,
                    "privacy": "quasi_identifier",
                    "description": (
                        f"{qi} generalized to {step!r} (hierarchy level {level}) by lerkit "
                        "anonymize; the published value"
                    ),
                }
        else:
            not_generalized += [
                c.qualified_name
                for c in table.columns
                if c.privacy == "quasi_identifier" and c.name in frame.columns
            ]
        for column in table.columns:
            if column.privacy != "direct_identifier" or column.name not in frame.columns:
                continue
            joins = (
                column.qualified_name in referenced
                or column.references is not None
                or column.name in table.primary_key
            )
            if joins or column.required:
                domain = _root_of(column, dictionary)
                frame[column.name] = pseudonymizer.series(frame[column.name], domain)
                pseudonymized.setdefault(name, []).append(column.name)
            else:
                frame = frame.drop(columns=[column.name])
                dropped_columns.setdefault(name, []).append(column.name)
        if name == "credentials" and "file" in frame.columns:
            frame, rows = _redact_files(ds, staging, frame, pseudonymizer, replacements)
            redaction_rows += rows
        if name == _PERSON_TABLE:
            released_learners = frame
        pq.write_table(
            pa.Table.from_pandas(frame, preserve_index=False), staging / f"{name}.parquet"
        )
        counts[name] = len(frame)
    if "outcomes" in ds.tables:
        utility = _utility_pseudonymized(
            learners,
            released_learners,
            _frame(ds, "outcomes"),
            pd.read_parquet(staging / "outcomes.parquet"),
        )
    else:
        utility = utility_report(learners, released_learners, None)
    _write_dictionary(ds, staging, added_columns)
    provenance: dict[str, Any] = {
        "tool": "lerkit anonymize",
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source_dataset": ds.name,
        "source_fingerprint": _fingerprint(ds),
        "k_anonymity": anonymization.provenance(),
        "pseudonymization": {
            "method": "HMAC-SHA256, keyed; pseudonym = 'psn-' + first 32 hex digits",
            "key": "not recorded",
            "pseudonymized_columns": pseudonymized,
            "dropped_columns": dropped_columns,
        },
        "credentials": {
            "files_written": len(redaction_rows),
            "proofs_removed": True,
            "verifies": False,
            "note": "proofs removed with the identifiers they signed; see redactions.csv",
        },
        "suppressed_learners": int(anonymization.suppressed.sum()),
        "not_generalized_quasi_identifiers": sorted(set(not_generalized)),
        "risk_threshold": risk_threshold,
        "representation": (
            "generalized learner columns: <column>_group holds the published label; the "
            "column holds the group's first value where its type allows, the label for a "
            "category generalized beyond its codes, empty for '*'"
        ),
        "counts": counts,
    }
    reports = staging / _REPORTS
    reports.mkdir()
    _json(reports / "provenance.json", provenance)
    _json(reports / "risk_before.json", risk_before.to_dict())
    _json(reports / "risk_after.json", risk_after.to_dict())
    risk_before.class_sizes.to_csv(reports / "class_sizes_before.csv", index=False)
    risk_after.class_sizes.to_csv(reports / "class_sizes_after.csv", index=False)
    _json(reports / "info_loss.json", anonymization.info_loss.to_dict())
    utility.to_csv(reports / "utility.csv", index=False)
    redactions = pd.DataFrame(redaction_rows)
    redactions.to_csv(reports / "redactions.csv", index=False)
    _write_metadata(ds, staging, counts, provenance)
    _write_readme(staging, ds.name, anonymization, risk_before, risk_after, provenance)
    return DatasetAnonymization(
        path=target,
        anonymization=anonymization,
        risk_before=risk_before,
        risk_after=risk_after,
        utility=utility,
        redactions=redactions,
        provenance=provenance,
    )


def _utility_pseudonymized(
    learners: pd.DataFrame,
    released: pd.DataFrame,
    outcomes: pd.DataFrame,
    released_outcomes: pd.DataFrame,
) -> pd.DataFrame:
    """Utility with each side's own ids: original ids before, pseudonyms after."""
    before = utility_report(learners, learners, outcomes)
    after = utility_report(released, released, released_outcomes)
    merged = before.drop(columns=["n_anonymized", "anonymized", "difference"]).merge(
        after[["measure", "group_column", "group", "n_original", "original"]].rename(
            columns={"n_original": "n_anonymized", "original": "anonymized"}
        ),
        on=["measure", "group_column", "group"],
        how="left",
    )
    merged["n_anonymized"] = merged["n_anonymized"].fillna(0).astype(int)
    merged["difference"] = merged["anonymized"] - merged["original"]
    return merged


def _redact_files(
    ds: Dataset,
    staging: Path,
    frame: pd.DataFrame,
    pseudonymizer: Pseudonymizer,
    replacements: Mapping[str, str],
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    files = frame["file"].astype(object).to_numpy()
    new_files = files.copy()
    hashes = frame["sha256"].astype(object).to_numpy().copy() if "sha256" in frame else None
    proofs = frame["proof"].astype(object).to_numpy().copy() if "proof" in frame else None
    rows: list[dict[str, Any]] = []
    root = ds.path.resolve()
    ids = frame["credential_id"].astype(object).to_numpy() if "credential_id" in frame else files
    for i, relative in enumerate(files):
        if (
            relative is None
            or (isinstance(relative, float) and np.isnan(relative))
            or relative is pd.NA
        ):
            continue
        source = (root / str(relative)).resolve()
        if root not in source.parents or not source.is_file():
            raise PrivacyError(
                f"credential file {str(relative)!r} is missing or outside the dataset folder",
                code="missing_credential_file",
            )
        written, record = redact_credential_file(
            source, staging / str(relative), pseudonymizer, replacements
        )
        new_relative = written.relative_to(staging).as_posix()
        new_files[i] = new_relative
        if hashes is not None:
            hashes[i] = _sha256(written)
        if proofs is not None:
            proofs[i] = "none"
        rows.append({"credential_id": ids[i], "file": new_relative, **_record(record)})
    frame = frame.copy()
    frame["file"] = pd.Series(new_files, index=frame.index, dtype=object)
    if hashes is not None:
        frame["sha256"] = pd.Series(hashes, index=frame.index, dtype=object)
    if proofs is not None:
        frame["proof"] = pd.Series(proofs, index=frame.index, dtype=object)
    return frame, rows


def _record(record: Redaction) -> dict[str, Any]:
    return record.to_dict()


def _json(path: Path, payload: Any) -> None:
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")


def _fingerprint(ds: Dataset) -> str | None:
    try:
        return ds.fingerprint
    except (DatasetError, OSError):  # pragma: no cover - fingerprint is best effort
        return None


def _write_dictionary(ds: Dataset, staging: Path, added: Mapping[str, dict[str, Any]]) -> None:
    source = ds.path / "dictionary.yaml"
    if source.is_file():
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    else:
        raw = {"version": ds.dictionary.version, "tables": {}}
    if added:
        tables = raw.setdefault("tables", {})
        learners = tables.setdefault(_PERSON_TABLE, {})
        learners.setdefault("columns", {}).update({k: dict(v) for k, v in added.items()})
    text = (
        "# Data dictionary of an anonymized dataset written by `lerkit anonymize`:\n"
        "# the source dataset's copy plus the <column>_group columns of generalized\n"
        "# quasi-identifiers (see anonymization/provenance.json).\n"
    ) + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True, width=100)
    (staging / "dictionary.yaml").write_text(text, encoding="utf-8")


def _write_metadata(
    ds: Dataset, staging: Path, counts: Mapping[str, int], provenance: Mapping[str, Any]
) -> None:
    source = ds.path / "dataset.yaml"
    raw: dict[str, Any] = {}
    if source.is_file():
        loaded = yaml.safe_load(source.read_text(encoding="utf-8"))
        raw = dict(loaded) if isinstance(loaded, dict) else {}
    raw["name"] = f"{ds.name}-anonymized"
    raw["description"] = (
        f"Anonymized copy of {ds.name!r} written by `lerkit anonymize`: pseudonymized "
        "identifiers, redacted credentials (no longer verifiable), k-anonymous learners. "
        "See anonymization/provenance.json."
    )
    raw["counts"] = dict(counts)
    kanon = provenance["k_anonymity"]
    raw["anonymization"] = {
        "k": kanon["k"],
        "l": kanon["l"],
        "algorithm": kanon["algorithm"],
        "max_suppression": kanon["max_suppression"],
        "suppressed": kanon["suppressed"],
        "levels": {c: v["step"] for c, v in kanon["levels"].items()},
    }
    (staging / "dataset.yaml").write_text(
        yaml.safe_dump(raw, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8"
    )


def _write_readme(
    staging: Path,
    name: str,
    anonymization: Anonymization,
    before: RiskReport,
    after: RiskReport,
    provenance: Mapping[str, Any],
) -> None:
    loss = anonymization.info_loss
    levels = "\n".join(
        f"- `{column}`: {step} (level {level})"
        for column, (level, step) in anonymization.levels.items()
    )
    others = ", ".join(f"`{c}`" for c in provenance["not_generalized_quasi_identifiers"])
    text = f"""# {name}-anonymized

Written by `lerkit anonymize` from `{name}`. What was done:

- Identifiers: every column the data dictionary marks `direct_identifier` is replaced by
  a keyed pseudonym (HMAC-SHA256; the same learner has the same pseudonym in every
  table) or dropped (names, e-mails). The key is not stored anywhere in this folder.
- Credentials: each file in `credentials/` lost its holder's identifiers (subject id,
  name, e-mail, salted identity hashes) and its proof. **They no longer verify**: the
  signatures covered what was removed. `anonymization/redactions.csv` lists each file.
- Learners: {anonymization.k}-anonymous and distinct {anonymization.l}-diverse over
  {", ".join(f"`{c}`" for c in anonymization.quasi)} (sensitive:
  {", ".join(f"`{c}`" for c in anonymization.sensitive) or "none"}). Generalization levels:

{levels}

  {loss.suppressed} of {loss.n} learners ({loss.suppressed / loss.n:.1%}) were suppressed:
  removed from every table. A generalized column's published value is in
  `<column>_group`; the column itself holds the group's first value where its type
  allows (see anonymization/provenance.json).
- Re-identification risk (prosecutor, highest): {before.prosecutor_max:.3f} before,
  {after.prosecutor_max:.3f} after; sample uniques {before.sample_uniques} before,
  {after.sample_uniques} after.
- Not generalized: quasi-identifiers of other tables ({others or "none"}). Treat the
  linked tables with the same care as the learners table.

Reports: `anonymization/` (risk before and after, information loss, utility: how key
estimates changed, provenance).
"""
    (staging / "README.md").write_text(text, encoding="utf-8")
