"""Anonymize a whole dataset folder: pseudonyms, redacted credentials, generalized tables.

What :func:`anonymize_dataset` writes (a new folder; the input is only read):

- every table as Parquet, with each ``direct_identifier`` column either replaced by
  keyed pseudonyms (identifier columns that join tables: ``learner_id`` maps to the
  same pseudonym in every table) or dropped (names, e-mails);
- ``learners`` made k-anonymous and distinct l-diverse over its quasi-identifiers by
  :func:`~lerkit.anonymize.k_anonymize` (full-domain lattice search or Mondrian); the
  learners it suppresses are removed from every table (and their credential files are
  not written);
- the quasi-identifiers of the other tables generalized too, along the hierarchies the
  data dictionary declares: every date and date-time column that declares one goes to
  ``dates`` (month, quarter or year: ``2025-03``, ``2025Q1``, ``2025``), whatever its
  privacy role (an expiry date follows the issue date, a posting date bounds an
  application's); every other quasi-identifier with a hierarchy goes to its last
  (coarsest) declared step unless ``generalize`` says otherwise
  (``outcomes.occupation_soc`` to SOC major groups, ``outcomes.employer_id`` to ``*``).
  The learners' dates start at ``dates`` and the lattice may coarsen them further;
- ``credentials/``: every credential file redacted (:func:`redact_credential_file`):
  no holder identifiers, no proofs, every date moved to the start of its ``dates``
  period; the table's ``file``, ``sha256`` and ``proof`` columns match the files
  (which no longer verify; ``redactions.csv`` says so);
- ``anonymization/``: ``provenance.json`` (k, l, algorithm, hierarchy levels, every
  generalized column, suppression; never the key), ``risk_before.json`` /
  ``risk_after.json`` and their class-size tables as CSV, ``info_loss.json``,
  ``redactions.csv`` and ``population_<column>.csv`` (the released learners counted
  by each quasi-identifier at its released level, with a ``suppressed`` flag: small
  cells hidden with complementary suppression by :func:`~lerkit.anonymize.publish_table`);
- nothing computed from the original data beyond the risk summaries: the utility
  table (key estimates on the original and the anonymized data, with their group
  sizes, from which the suppressed learners' values could be worked out by
  differencing) is for the team only, in ``internal_dir`` when one is given;
- ``dictionary.yaml`` and ``dataset.yaml`` so that :func:`lerkit.datasets.load` reads
  the folder with no errors.

How a generalized column is stored: in place, as its published label (``1980-1984``,
``northeast``, ``2025-03``, ``*``), and the folder's ``dictionary.yaml`` redefines it
as a ``category`` whose values are exactly the labels written, with a
``generalized:`` note naming the original column, the hierarchy and the level (see
:func:`lerkit.datasets.dataset_dictionary`). Analyses that group by a generalized
column get its labels as groups; code that needs the original values (an age from
``birth_year``) can ask ``dataset.dictionary.require_original(table, column)``, which
raises ``generalized_column`` naming the column. Hierarchies come from the
dataset's dictionary, and from the packaged one for a column the dataset's copy
declares none for.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from lerkit._fingerprint import fingerprint
from lerkit.analysis._suppress import MIN_CELL
from lerkit.anonymize._hierarchy import ANY, MISSING, build_hierarchy
from lerkit.anonymize._kanonymity import Anonymization, check_arguments, k_anonymize
from lerkit.anonymize._pseudonymize import (
    DATE_LEVELS,
    DateLevel,
    Pseudonymizer,
    Redaction,
    redact_credential_file,
)
from lerkit.anonymize._publish import publish_table
from lerkit.anonymize._risk import RiskReport, risk_report
from lerkit.datasets import ColumnSpec, DataDictionary, Dataset, default_dictionary, load
from lerkit.errors import DatasetError, PrivacyError

__all__ = ["DatasetAnonymization", "anonymize_dataset", "utility_report"]

_REPORTS = "anonymization"
_PERSON_TABLE = "learners"
Algorithm = Literal["lattice", "mondrian"]
_ORDER = {"day": 0, "month": 1, "quarter": 2, "year": 3}
_FREQ = {"day": "D", "month": "M", "quarter": "Q", "year": "Y"}
_TEMPORAL = ("date", "datetime")


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
    generalized : dict
        ``{"TABLE.COLUMN": step}`` for every column written generalized (learners'
        quasi-identifiers above their original level, other tables' columns).
    published : dict
        ``{file name: table}``: the published population tables written to
        ``anonymization/`` (``population_<column>.csv``, one per quasi-identifier of
        the learners, at its released level), from :func:`publish_table`.
    """

    path: Path
    anonymization: Anonymization
    risk_before: RiskReport
    risk_after: RiskReport
    utility: pd.DataFrame
    redactions: pd.DataFrame
    provenance: dict[str, Any] = field(default_factory=dict)
    generalized: dict[str, str] = field(default_factory=dict)
    published: dict[str, pd.DataFrame] = field(default_factory=dict)


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


def _hierarchy_of(ds: Dataset, column: ColumnSpec) -> tuple[str, ...]:
    """The column's hierarchy: the dataset's dictionary's, else the packaged one's."""
    if column.hierarchy:
        return column.hierarchy
    packaged = default_dictionary()
    if packaged.has_table(column.table) and packaged.table(column.table).has_column(column.name):
        return packaged.table(column.table).column(column.name).hierarchy
    return ()


def _date_steps(steps: Sequence[str], dates: DateLevel) -> tuple[tuple[str, ...], int]:
    """A date column's steps and the index of the finest one at least as coarse as
    ``dates`` (``dates`` itself appended when the declared steps stop short of it: a
    coarser period is always a valid generalization of a date)."""
    for index, step in enumerate(steps):
        key = step.strip().lower()
        if key in _ORDER and _ORDER[key] >= _ORDER[dates]:
            return tuple(steps), index
    kept = tuple(s for s in steps if s.strip() != ANY)
    return (*kept, dates), len(kept)


def _period_start(values: pd.Series, step: str, spec_type: str) -> pd.Series:
    """Each date moved to the first day of its period (same type: dates stay dates)."""
    stamps = pd.to_datetime(values, utc=True).dt.tz_localize(None)
    starts = stamps.dt.to_period(_FREQ[step.strip().lower()]).dt.start_time
    if spec_type == "date":
        return pd.Series(
            [t.date() if pd.notna(t) else None for t in starts], index=values.index, dtype=object
        )
    return starts.dt.tz_localize("UTC")


def _period_labels(values: pd.Series, step: str) -> pd.Series:
    """``2025-03``, ``2025Q1``, ``2025``: the label of each date's period."""
    stamps = pd.to_datetime(values, utc=True).dt.tz_localize(None)
    periods = stamps.dt.to_period(_FREQ[step.strip().lower()])
    text = periods.astype(str).astype(object)
    return text.where(periods.notna(), None)


def _generalize_column(
    values: pd.Series, steps: Sequence[str], index: int, name: str, reference_year: int
) -> pd.Series:
    """Labels of ``steps[index]`` (missing stays missing)."""
    labels = pd.Series([None] * len(values), index=values.index, dtype=object)
    present = values.notna()
    if not present.any():
        return labels
    h = build_hierarchy(
        values[present],
        list(steps[: index + 1]),
        column=name,
        reference_year=reference_year,
        add_top=False,
    )
    labels[present] = h.generalize(values[present], index + 1).astype(object)
    return labels


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
    algorithm: Algorithm = "lattice",
    dates: DateLevel = "month",
    generalize: Mapping[str, str] | None = None,
    min_cell: int = MIN_CELL,
    internal_dir: str | os.PathLike[str] | None = None,
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
        Largest share of learners that may be suppressed (lattice only: Mondrian
        suppresses nobody).
    risk_threshold : float
        Prosecutor risk above which a record counts as at risk in the risk reports.
    population : pandas.DataFrame, optional
        A population table with the quasi-identifier columns, for journalist risk
        (lattice only: Mondrian's classes are local to the data).
    reference_year : int, optional
        For age-group hierarchy steps (default: the dataset's ``as_of`` year).
    t : float, optional
        Also t-closeness of the sensitive attributes (see :func:`k_anonymize`).
    algorithm : {"lattice", "mondrian"}
        The learners' k-anonymization: full-domain lattice search (default) or
        Mondrian multidimensional partitioning.
    dates : {"month", "quarter", "year"}
        The finest resolution of every released date (default ``"month"``): dates of
        every table and inside the credential files. The learners' dates may be
        coarsened further by the k-anonymization.
    generalize : mapping, optional
        ``{"TABLE.COLUMN": step}`` for quasi-identifiers of tables other than learners
        (not dates): a step of the column's hierarchy, or ``"*"``. Default: each
        column's last declared step (``outcomes.occupation_soc`` to ``SOC major
        group``, ``outcomes.employer_id`` to ``*``).
    min_cell : int
        Smallest count shown in the published population table.
    internal_dir : str or os.PathLike, optional
        A folder (created if missing, outside ``out``) for ``utility.csv``: estimates
        before and after by group, with group sizes, for the team that holds the
        original data and never for release. Without it the table is only in the
        result's ``utility``.

    Returns
    -------
    DatasetAnonymization

    Raises
    ------
    PrivacyError
        ``missing_table``, ``empty_table``, ``unknown_quasi_identifier``,
        ``k_too_large``, ``unknown_hierarchy``, ``no_solution``, ``output_exists``,
        ``output_inside_input``, ``invalid_argument`` ...; nothing is written when one
        is raised before the output folder is created, and a half-written folder is
        removed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "anon"
    >>> result = anonymize_dataset("pilot-default", out, key=b"0123456789abcdef" * 2,
    ...     k=10, l=2, quasi=["birth_year", "gender", "region"])  # doctest: +SKIP
    >>> result.generalized["outcomes.occupation_soc"]  # doctest: +SKIP
    'SOC major group'
    """
    if algorithm not in get_args(Algorithm):
        raise PrivacyError(
            f"unknown algorithm {algorithm!r}; expected lattice or mondrian",
            code="invalid_argument",
        )
    if dates not in DATE_LEVELS:
        raise PrivacyError(
            f"unknown date level {dates!r}; expected one of {', '.join(DATE_LEVELS)}",
            code="invalid_argument",
        )
    if population is not None and algorithm == "mondrian":
        raise PrivacyError(
            "journalist risk needs full-domain levels to generalize the population: "
            "population= works with algorithm='lattice' only",
            code="invalid_argument",
        )
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
    if internal_dir is not None:
        internal = Path(internal_dir).resolve()
        if internal == target or target in internal.parents:
            raise PrivacyError(
                f"the internal folder {str(internal)!r} must not be inside the output "
                f"folder {str(target)!r}, which is for release",
                code="internal_inside_output",
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
    if reference_year is None:
        as_of = ds.metadata.as_of
        reference_year = as_of.year if as_of is not None else dt.date.today().year
    plan = _plan_columns(ds, quasi, dates, generalize or {})
    hierarchies: dict[str, list[str]] = {}
    searched = learners.copy()
    for c in quasi:
        steps = list(_hierarchy_of(ds, spec.column(c))) if spec.has_column(c) else []
        if c in plan.date_start:
            # the lattice starts at the release's date level: coarser steps only
            declared, index = plan.date_start[c]
            searched[c] = _period_start(learners[c], declared[index], spec.column(c).type)
            steps = list(declared[index + 1 :])
        hierarchies[c] = steps
    risk_before = risk_report(learners, quasi, population=population, threshold=risk_threshold)
    anonymization = k_anonymize(
        searched,
        quasi,
        k=k,
        l=l,
        sensitive=sensitive,
        hierarchies=hierarchies,
        max_suppression=max_suppression,
        reference_year=reference_year,
        t=t,
        algorithm=algorithm,
    )
    if population is not None:
        population = population.copy()
        for c, (declared, index) in plan.date_start.items():
            population[c] = _period_start(population[c], declared[index], spec.column(c).type)
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
            searched,
            anonymization,
            risk_before,
            risk_after,
            risk_threshold,
            plan,
            reference_year,
            min_cell,
        )
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if internal_dir is not None:
        Path(internal_dir).mkdir(parents=True, exist_ok=True)
        result.utility.to_csv(Path(internal_dir) / "utility.csv", index=False)
    return result


@dataclass(frozen=True)
class _Plan:
    """Which columns are generalized how, decided before anything is written."""

    dates: DateLevel
    #: learners' date quasi-identifiers: their steps, and the one the lattice starts from
    date_start: dict[str, tuple[tuple[str, ...], int]]
    #: other columns: ``{(table, column): (steps, index of the step applied)}``
    other: dict[tuple[str, str], tuple[tuple[str, ...], int]]
    #: quasi-identifiers left as they are (no hierarchy declared, or not in quasi=)
    not_generalized: list[str]


def _plan_columns(
    ds: Dataset, quasi: Sequence[str], dates: DateLevel, generalize: Mapping[str, str]
) -> _Plan:
    dictionary = ds.dictionary
    date_start: dict[str, tuple[tuple[str, ...], int]] = {}
    other: dict[tuple[str, str], tuple[tuple[str, ...], int]] = {}
    not_generalized: list[str] = []
    asked = dict(generalize)
    for name in ds.tables:
        table = dictionary.table(name)
        for column in table.columns:
            steps = _hierarchy_of(ds, column)
            qualified = column.qualified_name
            if name == _PERSON_TABLE and column.name in quasi:
                if column.type in _TEMPORAL:
                    date_start[column.name] = _date_steps(steps, dates)
                continue
            if column.type in _TEMPORAL:
                if qualified in asked:
                    raise PrivacyError(
                        f"{qualified} is a date: its level is set by dates= ({dates!r}), "
                        "not by generalize=",
                        code="invalid_argument",
                    )
                other[(name, column.name)] = _date_steps(steps, dates)
            elif column.privacy == "quasi_identifier" and name == _PERSON_TABLE:
                not_generalized.append(qualified)  # left out of quasi= by the caller
            elif column.privacy == "quasi_identifier":
                if not steps:
                    not_generalized.append(qualified)
                    continue
                step = asked.pop(qualified, steps[-1])
                keys = [s.strip().lower() for s in steps]
                if step.strip().lower() in keys:
                    other[(name, column.name)] = (steps, keys.index(step.strip().lower()))
                elif step == ANY:
                    other[(name, column.name)] = ((*steps, ANY), len(steps))
                else:
                    raise PrivacyError(
                        f"generalize: {step!r} is not a step of the hierarchy of {qualified} "
                        f"({list(steps)}) nor '*'",
                        code="unknown_hierarchy",
                    )
    if asked:
        first = sorted(asked)[0]
        raise PrivacyError(
            f"generalize: {first!r} is not a quasi-identifier of a table other than "
            f"{_PERSON_TABLE} in dataset {ds.name!r}",
            code="unknown_quasi_identifier",
        )
    return _Plan(dates, date_start, other, not_generalized)


def _learner_labels(
    column: str,
    original: pd.Series,
    searched: pd.Series,
    anonymization: Anonymization,
    start_step: str | None,
) -> pd.Series | None:
    """The written values of a learners' quasi-identifier (None: left as it is).

    ``searched`` is what the k-anonymization saw (dates already at their period start);
    ``anonymization.data`` holds its labels for the rows released.
    """
    level, _step = anonymization.levels[column]
    kept = ~anonymization.suppressed
    labels = anonymization.data[column].astype(object)
    before = original.loc[kept]
    if start_step is not None:
        if anonymization.algorithm == "lattice" and level == 0:
            return _period_labels(before, start_step)
        if anonymization.algorithm == "mondrian":
            # Mondrian names a range by its ends, here period starts: name the periods
            starts = searched.loc[kept].dropna()
            names = dict(zip(starts.map(str), _period_labels(starts, start_step), strict=True))
            labels = labels.map(
                lambda text: "..".join(names.get(part, part) for part in str(text).split(".."))
            )
    elif anonymization.algorithm == "lattice" and level == 0:
        return None
    labels = labels.where(labels != MISSING, None)
    return labels.where(before.notna().to_numpy() | (labels == ANY).to_numpy(), None)


def _write(
    ds: Dataset,
    staging: Path,
    target: Path,
    pseudonymizer: Pseudonymizer,
    learners: pd.DataFrame,
    searched: pd.DataFrame,
    anonymization: Anonymization,
    risk_before: RiskReport,
    risk_after: RiskReport,
    risk_threshold: float,
    plan: _Plan,
    reference_year: int,
    min_cell: int,
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
    redaction_rows: list[dict[str, Any]] = []
    #: (table, column) -> (labels written, step, level in the declared hierarchy, steps)
    written: dict[tuple[str, str], tuple[set[str], str, int, tuple[str, ...]]] = {}
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
                steps = _hierarchy_of(ds, table.column(qi)) if table.has_column(qi) else ()
                start: int | None = None
                if qi in plan.date_start:
                    steps, start = plan.date_start[qi]
                start_step = steps[start] if start is not None else None
                labels = _learner_labels(qi, learners[qi], searched[qi], anonymization, start_step)
                if labels is None:
                    continue
                frame[qi] = labels
                if anonymization.algorithm == "mondrian":
                    step, full_level = "mondrian", -1
                elif start is not None:
                    # the lattice's level 0 is the release's date level
                    full_level = start + 1 + level
                    step = start_step if level == 0 and start_step is not None else step
                else:
                    full_level = level
                written[(name, qi)] = (_labels_of(labels), step, full_level, tuple(steps))
        for (table_name, column_name), (steps, index) in plan.other.items():
            if table_name != name or column_name not in frame.columns:
                continue
            labels = _generalize_column(
                frame[column_name], steps, index, f"{name}.{column_name}", reference_year
            )
            frame[column_name] = labels
            written[(name, column_name)] = (_labels_of(labels), steps[index], index + 1, steps)
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
            frame, rows = _redact_files(ds, staging, frame, pseudonymizer, replacements, plan.dates)
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
    _write_dictionary(ds, staging, written)
    generalized = {f"{t}.{c}": step for (t, c), (_l, step, _lv, _s) in written.items()}
    # one table per quasi-identifier: a full cross-classification of them all is mostly
    # empty cells, which complementary suppression would hide nearly entirely
    published = {
        f"population_{qi}.csv": publish_table(released_learners[[qi]], by=qi, min_cell=min_cell)
        for qi in anonymization.quasi
    }
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
            "dates": f"every date moved to the start of its {plan.dates}",
            "note": "proofs removed with the identifiers they signed; see redactions.csv",
        },
        "dates": plan.dates,
        # the k-anonymization's level 0 ("original") of these columns is this step
        "learner_dates_searched_from": {
            c: steps[index] for c, (steps, index) in plan.date_start.items()
        },
        "generalized_columns": generalized,
        "suppressed_learners": int(anonymization.suppressed.sum()),
        "not_generalized_quasi_identifiers": sorted(set(plan.not_generalized)),
        "risk_threshold": risk_threshold,
        "representation": (
            "a generalized column holds its published label (1980-1984, northeast, "
            "2025-03, *) in place; dictionary.yaml redefines it as a category of those "
            "labels with a 'generalized' note (original column, hierarchy, level)"
        ),
        "published_tables": {
            file: {"by": list(table.columns[:1]), **table.attrs.get("suppression", {})}
            for file, table in published.items()
        },
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
    redactions = pd.DataFrame(redaction_rows)
    redactions.to_csv(reports / "redactions.csv", index=False)
    for file, frame in published.items():
        frame.to_csv(reports / file, index=False)
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
        generalized=generalized,
        published=published,
    )


def _labels_of(labels: pd.Series) -> set[str]:
    return {str(v) for v in labels.dropna().unique()}


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
    dates: DateLevel,
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
            source, staging / str(relative), pseudonymizer, replacements, dates=dates
        )
        new_relative = written.relative_to(staging).as_posix()
        new_files[i] = new_relative
        if hashes is not None:
            hashes[i] = fingerprint(written)
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


def _write_dictionary(
    ds: Dataset,
    staging: Path,
    written: Mapping[tuple[str, str], tuple[set[str], str, int, tuple[str, ...]]],
) -> None:
    """The source's dictionary copy, each generalized column redefined by its labels."""
    source = ds.path / "dictionary.yaml"
    if source.is_file():
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    else:
        raw = {"version": ds.dictionary.version, "tables": {}}
    tables = raw.setdefault("tables", {})
    dictionary = ds.dictionary
    for (table, column), (labels, step, level, steps) in written.items():
        spec = dictionary.table(table).column(column)
        codes = sorted(labels) or [ANY]
        entry: dict[str, Any] = {
            "type": "category",
            "required": spec.required,
            "privacy": spec.privacy,
            "values": {code: code for code in codes},
            "generalized": {
                "column": column,
                "step": step,
                "level": level,
                "hierarchy": list(steps),
            },
            "description": (
                f"{spec.description} Generalized by lerkit anonymize to {step!r}: "
                "each value is the label of its group."
            ).strip(),
        }
        table_raw = tables.setdefault(table, {})
        table_raw.setdefault("columns", {})[column] = entry
    # a column taking its codes from a generalized one keeps the original codes
    changed = {f"{t}.{c}" for t, c in written}
    for spec in dictionary.columns():
        if spec.values_from is None or (spec.table, spec.name) in written:
            continue
        if spec.values_from in changed or _chain_reaches(dictionary, spec, changed):
            columns = tables.setdefault(spec.table, {}).setdefault("columns", {})
            entry = dict(columns.get(spec.name) or _packaged_entry(spec))
            entry.pop("values_from", None)
            entry["values"] = dict(spec.values)
            columns[spec.name] = entry
    text = (
        "# Data dictionary of an anonymized dataset written by `lerkit anonymize`: the\n"
        "# source dataset's copy, each generalized column redefined as a category of the\n"
        "# labels written, with a 'generalized' note (see anonymization/provenance.json).\n"
    ) + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True, width=100)
    (staging / "dictionary.yaml").write_text(text, encoding="utf-8")


def _chain_reaches(dictionary: DataDictionary, spec: ColumnSpec, targets: set[str]) -> bool:
    seen: set[str] = set()
    current: ColumnSpec | None = spec
    while current is not None and current.values_from is not None:
        if current.values_from in targets:
            return True
        if current.values_from in seen:
            return False
        seen.add(current.values_from)
        current = dictionary.column(current.values_from)
    return False


def _packaged_entry(spec: ColumnSpec) -> dict[str, Any]:
    """A column's entry as the packaged dictionary file writes it."""
    packaged = default_dictionary()
    assert packaged.source is not None
    raw = yaml.safe_load(packaged.source.read_text(encoding="utf-8"))
    entry: dict[str, Any] = raw["tables"][spec.table]["columns"][spec.name]
    return entry


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
    mondrian = anonymization.algorithm == "mondrian"
    levels = (
        "  Mondrian: each class publishes its own ranges or sets of values."
        if mondrian
        else "\n".join(
            f"- `{column}`: {step} (level {level})"
            for column, (level, step) in anonymization.levels.items()
        )
    )
    others = ", ".join(f"`{c}`" for c in provenance["not_generalized_quasi_identifiers"])
    elsewhere = "\n".join(
        f"  - `{column}`: {step}"
        for column, step in provenance["generalized_columns"].items()
        if not column.startswith(f"{_PERSON_TABLE}.")
    )
    tables = ", ".join(f"`{file}`" for file in provenance["published_tables"])
    text = f"""# {name}-anonymized

Written by `lerkit anonymize` from `{name}`. What was done:

- Identifiers: every column the data dictionary marks `direct_identifier` is replaced by
  a keyed pseudonym (HMAC-SHA256; the same learner has the same pseudonym in every
  table) or dropped (names, e-mails). The key is not stored anywhere in this folder.
- Credentials: each file in `credentials/` lost its holder's identifiers (subject id,
  name, e-mail, salted identity hashes) and its proof, and every date in it was moved
  to the start of its {provenance["dates"]}. **They no longer verify**: the signatures
  covered what was removed. `anonymization/redactions.csv` lists each file.
- Learners: {anonymization.k}-anonymous and distinct {anonymization.l}-diverse over
  {", ".join(f"`{c}`" for c in anonymization.quasi)} (sensitive:
  {", ".join(f"`{c}`" for c in anonymization.sensitive) or "none"}), by
  {"Mondrian partitioning" if mondrian else "full-domain lattice search"}.
  Generalization levels:

{levels}

  {loss.suppressed} of {loss.n} learners ({loss.suppressed / loss.n:.1%}) were suppressed:
  removed from every table.
- Other tables: dates to the {provenance["dates"]} and quasi-identifiers along their
  declared hierarchies:
{elsewhere or "  (none)"}
- A generalized column holds its published label (`1980-1984`, `northeast`,
  `2025-03`, `*`) in place of the original value; `dictionary.yaml` redefines it as a
  category of exactly those labels with a `generalized` note (original column,
  hierarchy, level), so `lerkit datasets check` reads the folder cleanly. Analyses that
  need the original values (an age from `birth_year`, days between two dates) cannot
  run on this folder; analyses that group by a generalized column group by its labels.
- Re-identification risk (prosecutor, highest): {before.prosecutor_max:.3f} before,
  {after.prosecutor_max:.3f} after; sample uniques {before.sample_uniques} before,
  {after.sample_uniques} after.
- Quasi-identifiers not generalized (no hierarchy declared, or left out of the
  k-anonymization): {others or "none"}. Dates and codes in the
  other tables are generalized, not k-anonymized: a person's combination of several
  credential months can still be unique. Share the linked tables with the same care
  as the learners table.
- Published tables: {tables}: the released learners counted by each
  quasi-identifier; `n` is empty and `suppressed` true where a count is hidden (fewer
  than the minimum cell size, or hidden so that the totals cannot reveal another).

Reports: `anonymization/` (risk before and after, information loss, utility: how key
estimates changed, provenance).
"""
    (staging / "README.md").write_text(text, encoding="utf-8")
