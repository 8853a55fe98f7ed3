"""Load a pilot dataset folder, validating it against the data dictionary.

Layout of a dataset folder ``DIR``::

    DIR/dataset.yaml          optional metadata: name, description, synthetic, seed, as_of,
                              generator, counts ({table: rows})
    DIR/dictionary.yaml       the dictionary copy (optional; must be compatible, see
                              lerkit.datasets.dataset_dictionary); the packaged one otherwise
    DIR/<table>.parquet       one file per table ...
    DIR/<table>.csv           ... or a CSV (a pilot filled in from a template) ...
    DIR/csv/<table>.csv       ... or a CSV export beside the Parquet files
    DIR/credentials/          signed credential files (the credentials table's ``file``)
    DIR/ground_truth/, DIR/README.md   not tables; ignored by the loader

For each table the first file found of ``<table>.parquet``, ``<table>.csv``,
``csv/<table>.csv`` is read (``Dataset.sources`` says which). Nothing is loaded into
pandas: each file is a lazy DuckDB view, every rule is a SQL query over it, and only
counts and the first problems of each kind come back to Python, so a million-learner
pilot validates in bounded memory. ``Dataset.table(name)`` materializes a typed pandas
DataFrame when asked; ``Dataset.relation(name)`` / ``Dataset.sql(query)`` stay lazy.
"""

# Every query is built from the dictionary and file names, quoted by ident()/literal();
# DuckDB views cannot take bound parameters, so SQL text is assembled on purpose.
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import re
import shutil
import tempfile
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, get_args

import duckdb
import pandas as pd
import pyarrow as pa
import yaml

from lerkit._fingerprint import fingerprint as _file_fingerprint
from lerkit.datasets._dictionary import (
    DataDictionary,
    TableSpec,
    dataset_dictionary,
    default_dictionary,
)
from lerkit.datasets._problems import (
    PROBLEM_COLUMNS,
    DatasetProblem,
    Severity,
    ValidationReport,
    sort_key,
)
from lerkit.datasets._sql import (
    MACROS,
    ROW,
    ColumnPlan,
    Rule,
    column_rules,
    ident,
    key_rule,
    literal,
    plan_column,
    raw_view,
    reference_rule,
    show,
)
from lerkit.errors import DatasetError

__all__ = [
    "DATASETS_ENV_VAR",
    "AnalysisSupport",
    "CheckFiles",
    "Dataset",
    "DatasetMetadata",
    "TableSource",
    "available_datasets",
    "dataset_search_path",
    "load",
    "resolve_dataset",
]

#: Environment variable: folders (``os.pathsep``-separated) holding named datasets.
DATASETS_ENV_VAR = "LERKIT_DATASETS"

#: How far :func:`load` checks the files a table names (``file_path: true`` columns):
#: ``none``; ``exists`` (each file is there, inside the dataset folder); ``sha256``
#: (also the recorded SHA-256 of each file, reading every byte).
CheckFiles = Literal["none", "exists", "sha256"]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_BATCH = 10_000
_PROBLEMS_TABLE = "lerkit_static_problems"

# lerkit/datasets/_loader.py -> the source checkout holding lerkit/ and datasets/
_CHECKOUT = Path(__file__).resolve().parents[2]


# -- records ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DatasetMetadata:
    """What ``dataset.yaml`` says about a dataset (all optional but the name).

    Attributes
    ----------
    name : str
        ``name`` from dataset.yaml, else the folder name.
    description : str or None
    synthetic : bool or None
        True for generated data, False for a real pilot, None when not said.
    seed : int or None
        The generator's seed.
    as_of : datetime.date or None
        The date the data describes ("today" for the pilot).
    generator : Any
        Whatever dataset.yaml says generated the data (a string or a mapping).
    counts : Mapping[str, int]
        Rows per table the generator wrote; checked against the files.
    extra : Mapping[str, Any]
        Any other dataset.yaml field, as read.
    """

    name: str
    description: str | None = None
    synthetic: bool | None = None
    seed: int | None = None
    as_of: dt.date | None = None
    generator: Any = None
    counts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class TableSource:
    """The file a table was read from, and its shape.

    Attributes
    ----------
    name : str
        The table.
    path : pathlib.Path
        The file read.
    format : {"parquet", "csv"}
    columns : tuple of str
        The file's columns, in file order.
    types : tuple of str
        Their DuckDB types as read (``VARCHAR`` for every CSV column).
    n_rows : int
        Data rows.
    non_empty : Mapping[str, int]
        For each dictionary column the file has: how many rows have a value.
    ignored : tuple of pathlib.Path
        Other files for the same table that were not read (e.g. ``csv/<table>.csv``
        beside ``<table>.parquet``).
    """

    name: str
    path: Path
    format: Literal["parquet", "csv"]
    columns: tuple[str, ...]
    types: tuple[str, ...]
    n_rows: int
    non_empty: Mapping[str, int]
    ignored: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class AnalysisSupport:
    """Whether the dataset has what one analysis needs (dictionary ``analyses:``).

    ``missing`` names each absent need: ``table X is missing``, ``table X has no
    rows``, ``column X.c is missing``, ``column X.c has no values``.
    """

    name: str
    missing: tuple[str, ...] = ()

    @property
    def supported(self) -> bool:
        """True when nothing the analysis needs is missing."""
        return not self.missing

    @property
    def reason(self) -> str:
        """Why it is not supported (empty when it is)."""
        return "; ".join(self.missing)


# -- the dataset ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Dataset:
    """A validated dataset folder: typed tables, the problems found, what it supports.

    Made by :func:`load`. The tables stay in their files: ``relation``/``sql`` query
    them lazily through DuckDB (views named after the tables, typed per the
    dictionary); ``table`` materializes one as pandas. In the typed views and tables,
    a value that broke a type rule is missing (NULL/NA) and every such value is listed
    in the problems; values breaking other rules (allowed codes aside, see ``table``)
    are kept as read.

    Attributes
    ----------
    path : pathlib.Path
        The dataset folder.
    dictionary : DataDictionary
        The dictionary it was validated with.
    metadata : DatasetMetadata
    sources : Mapping[str, TableSource]
        The tables read, in dictionary order, with the file each came from.
    validation : ValidationReport
        Exact problem counts and the first problems of each kind.
    analyses : tuple of AnalysisSupport
        For every analysis of the dictionary, what is missing for it.
    """

    path: Path
    dictionary: DataDictionary
    metadata: DatasetMetadata
    sources: Mapping[str, TableSource]
    validation: ValidationReport
    analyses: tuple[AnalysisSupport, ...]
    _con: duckdb.DuckDBPyConnection = field(repr=False)
    _tmp: Path | None = field(default=None, repr=False)
    _problems_sql: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        # close the connection and remove the private folder when the Dataset goes
        weakref.finalize(self, _release, self._con, self._tmp)

    def __repr__(self) -> str:
        return (
            f"<Dataset {self.name!r} at {str(self.path)!r}: {len(self.tables)} table(s), "
            f"{self.validation.summary}>"
        )

    @property
    def name(self) -> str:
        """The dataset's name (dataset.yaml ``name``, else the folder name)."""
        return self.metadata.name

    @property
    def tables(self) -> tuple[str, ...]:
        """Names of the tables present and readable, in dictionary order."""
        return tuple(self.sources)

    @property
    def problems(self) -> pd.DataFrame:
        """The problems kept (first ``max_examples`` of each kind) as a DataFrame.

        Columns: severity, table, row (1-based, NA for table-level), column, code,
        message, value. ``validation.counts`` has the exact totals and
        ``problem_relation()`` every problem.
        """
        return self.validation.problems

    @property
    def ok(self) -> bool:
        """True when validation found no ``error`` problem."""
        return self.validation.ok

    @property
    def summary(self) -> str:
        """A plain-language line: tables, problems, analyses supported."""
        supported = len(self.supported_analyses())
        synthetic = {True: "synthetic", False: "real pilot", None: "provenance not stated"}
        return (
            f"Dataset {self.name!r} ({synthetic[self.metadata.synthetic]}): "
            f"{len(self.tables)} of {len(self.dictionary.tables)} tables; "
            f"{self.validation.summary}; {supported} of {len(self.analyses)} analyses supported."
        )

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 over every file in the folder (see :func:`lerkit.fingerprint`).

        Computed on first use: it reads every byte (tables, credentials, metadata).
        """
        return _file_fingerprint(self.path)

    def _check_table(self, name: str) -> None:
        if name in self.sources:
            return
        if not self.dictionary.has_table(name):
            self.dictionary.table(name)  # raises unknown_table with the list
        raise DatasetError(
            f"dataset {self.name!r} has no readable table {name!r}; tables: "
            + (", ".join(self.tables) or "none"),
            code="missing_table",
        )

    def relation(self, name: str) -> duckdb.DuckDBPyRelation:
        """The table as a lazy DuckDB relation, typed per the dictionary.

        Dictionary columns come first (in dictionary order; absent ones as NULL), then
        the file's extra columns as read. Relations stop working once the Dataset is
        closed (or garbage-collected): keep the Dataset while you use them.

        Raises
        ------
        DatasetError
            ``unknown_table`` / ``missing_table`` if the dictionary or the dataset has
            no such table.
        """
        self._check_table(name)
        return self._con.sql(f"SELECT * FROM {ident(name)}")

    def sql(self, query: str, params: Sequence[object] | None = None) -> duckdb.DuckDBPyRelation:
        """Run SQL over the tables (views named after them); lazy until fetched.

        Examples
        --------
        ``dataset.sql("SELECT pathway, count(*) AS n FROM learners GROUP BY ALL").df()``
        """
        if params is None:
            return self._con.sql(query)
        return self._con.sql(query, params=list(params))

    def table(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """One table as a typed pandas DataFrame (materialized: mind large tables).

        Types: string as ``str``, integer as ``Int64``, number as ``float64``, boolean
        as ``boolean``, date as ``datetime64``, datetime as ``datetime64`` in UTC,
        category as ``pandas.Categorical`` whose categories are the dictionary's codes
        in dictionary order (a value not among them becomes NA; it is listed as a
        ``not_allowed_value`` problem), list as Python lists. Extra columns as read.

        Parameters
        ----------
        name : str
            The table.
        columns : sequence of str, optional
            Only these columns (default: all).
        """
        self._check_table(name)
        spec = self.dictionary.table(name)
        selected = "*" if columns is None else ", ".join(ident(c) for c in columns)
        try:
            arrow = self._con.sql(f"SELECT {selected} FROM {ident(name)}").to_arrow_table()
        except duckdb.Error as err:
            raise DatasetError(f"cannot read table {name!r}: {err}", code="unknown_column") from err
        return _to_pandas(arrow, spec)

    def analysis_support(self, name: str) -> AnalysisSupport:
        """What is missing for one analysis (DatasetError ``unknown_analysis`` if none)."""
        for support in self.analyses:
            if support.name == name:
                return support
        self.dictionary.analysis(name)  # raises unknown_analysis
        raise AssertionError(name)  # pragma: no cover

    def supported_analyses(self) -> tuple[AnalysisSupport, ...]:
        """The analyses whose tables and columns are all present, with rows and values."""
        return tuple(a for a in self.analyses if a.supported)

    def unsupported_analyses(self) -> tuple[AnalysisSupport, ...]:
        """The other analyses, each with ``reason`` (what is missing)."""
        return tuple(a for a in self.analyses if not a.supported)

    def problem_relation(self) -> duckdb.DuckDBPyRelation:
        """Every problem found, as a lazy DuckDB relation (re-runs the row checks).

        Nothing is capped here: use it to count, filter or export problems when
        ``validation.omitted`` says some were not kept.
        """
        return self._con.sql(self._all_problems_sql())

    def _all_problems_sql(self) -> str:
        return (
            f'SELECT * FROM ({self._problems_sql}) ORDER BY "table" NULLS FIRST, '
            '"row" NULLS FIRST, "column", code, value'
        )

    def write_problems(self, path: str | os.PathLike[str]) -> Path:
        """Stream every problem to a ``.parquet`` or ``.csv`` file; returns the path."""
        target = Path(path)
        kind = target.suffix.lower()
        if kind not in (".parquet", ".csv"):
            raise DatasetError(
                f"write_problems writes .parquet or .csv, not {str(target)!r}",
                code="invalid_argument",
            )
        options = "FORMAT parquet" if kind == ".parquet" else "FORMAT csv, HEADER true"
        self._con.execute(
            f"COPY ({self._all_problems_sql()}) TO {literal(str(target))} ({options})"
        )
        return target

    def close(self) -> None:
        """Close the DuckDB connection and remove the temporary CSV copies.

        ``relation``/``sql``/``table`` stop working. Also done when the Dataset is
        garbage-collected, or at the end of a ``with load(...) as dataset:`` block.
        """
        _release(self._con, self._tmp)

    def __enter__(self) -> Dataset:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _release(con: duckdb.DuckDBPyConnection, tmp: Path | None) -> None:
    con.close()
    if tmp is not None:
        shutil.rmtree(tmp, ignore_errors=True)


def _to_pandas(arrow: pa.Table, spec: TableSpec) -> pd.DataFrame:
    mapper = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get
    data: dict[str, Any] = {}
    for name in arrow.column_names:
        column = arrow.column(name)
        kind = spec.column(name).type if spec.has_column(name) else None
        if kind == "list":
            data[name] = pd.Series(column.to_pylist(), dtype=object, name=name)
            continue
        if kind in ("integer", "boolean", "date"):
            series = column.to_pandas(types_mapper=mapper, date_as_object=False)
        else:
            series = column.to_pandas()
        if kind == "category":
            codes = list(spec.column(name).codes)
            allowed = series.where(series.isin(codes))  # the others are not_allowed_value problems
            series = pd.Series(pd.Categorical(allowed, categories=codes), name=name)
        data[name] = series
    return pd.DataFrame(data, columns=list(arrow.column_names))


# -- finding a dataset ------------------------------------------------------------------------


def dataset_search_path(datasets_dir: str | os.PathLike[str] | None = None) -> tuple[Path, ...]:
    """Where a dataset *name* is looked for, in order.

    ``datasets_dir`` alone when given; otherwise each folder of ``$LERKIT_DATASETS``
    (``os.pathsep``-separated), then the ``datasets/`` folder of the lerkit source
    checkout (found next to the package; an installed package has none, so set
    ``LERKIT_DATASETS`` or pass ``datasets_dir``).
    """
    if datasets_dir is not None:
        return (Path(datasets_dir),)
    folders = [
        Path(entry).expanduser()
        for entry in os.environ.get(DATASETS_ENV_VAR, "").split(os.pathsep)
        if entry
    ]
    if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "datasets").is_dir():
        folders.append(_CHECKOUT / "datasets")
    return tuple(folders)


def available_datasets(datasets_dir: str | os.PathLike[str] | None = None) -> dict[str, Path]:
    """``{name: folder}`` of the named datasets on the search path (first one wins).

    A dataset is a sub-folder holding a ``dataset.yaml`` or a ``dictionary.yaml``.
    """
    found: dict[str, Path] = {}
    for folder in dataset_search_path(datasets_dir):
        if not folder.is_dir():
            continue
        for child in sorted(folder.iterdir()):
            marker = (child / "dataset.yaml").is_file() or (child / "dictionary.yaml").is_file()
            if child.is_dir() and marker:
                found.setdefault(child.name, child)
    return found


def resolve_dataset(
    name_or_path: str | os.PathLike[str], *, datasets_dir: str | os.PathLike[str] | None = None
) -> Path:
    """The folder ``name_or_path`` means: an existing folder, else a named dataset.

    A path (``os.PathLike``, or a string naming an existing folder) is used as it is;
    a bare name (letters, digits, ``.``, ``_``, ``-``) is looked up in
    :func:`dataset_search_path`.

    Raises
    ------
    DatasetError
        ``dataset_not_found`` naming where it looked and the datasets available.

    Examples
    --------
    >>> resolve_dataset("no-such-dataset", datasets_dir="/nonexistent")
    Traceback (most recent call last):
    ...
    lerkit.errors.DatasetError: no dataset 'no-such-dataset': not a folder, and not a dataset name in /nonexistent (available: none)
    """
    text = os.fspath(name_or_path)
    path = Path(text).expanduser()
    if path.is_dir():
        return path
    if path.exists():
        raise DatasetError(f"{text!r} is a file, not a dataset folder", code="dataset_not_found")
    if isinstance(name_or_path, str) and _NAME.fullmatch(text):
        for folder in dataset_search_path(datasets_dir):
            if (folder / text).is_dir():
                return folder / text
        where = ", ".join(str(f) for f in dataset_search_path(datasets_dir)) or "no datasets folder"
        names = ", ".join(available_datasets(datasets_dir)) or "none"
        raise DatasetError(
            f"no dataset {text!r}: not a folder, and not a dataset name in {where} "
            f"(available: {names})",
            code="dataset_not_found",
        )
    raise DatasetError(f"no dataset folder {text!r}", code="dataset_not_found")


# -- loading ----------------------------------------------------------------------------------


def load(
    name_or_path: str | os.PathLike[str],
    *,
    datasets_dir: str | os.PathLike[str] | None = None,
    partial: bool | None = None,
    check_files: CheckFiles = "exists",
    max_examples: int = 100,
) -> Dataset:
    """Load a dataset folder and validate it against its data dictionary.

    Problems never stop the load and nothing is dropped silently: each is listed
    with table, row, column and a stable code (see
    :data:`lerkit.datasets.PROBLEM_CODES`). Only a dictionary that is invalid or not
    compatible with lerkit's raises.

    Parameters
    ----------
    name_or_path : str or os.PathLike
        A dataset folder, or a dataset name (see :func:`resolve_dataset`).
    datasets_dir : str or os.PathLike, optional
        Where to look a name up instead of ``$LERKIT_DATASETS`` and the checkout.
    partial : bool, optional
        Whether a subset of the tables is acceptable: a missing required table is then
        a ``warning`` (naming the analyses that cannot run), else an ``error``.
        Default: acceptable unless dataset.yaml says ``synthetic: true`` (a generator
        writes every table; a real pilot may have only some).
    check_files : {"exists", "sha256", "none"}
        For columns with ``file_path: true`` (the credentials' ``file``): check each
        named file exists inside the folder (default), also its SHA-256 when the row
        records one (reads every file), or neither.
    max_examples : int
        How many problems of each (severity, table, column, code) group to keep in
        ``Dataset.problems``; counts are always exact and ``problem_relation()`` has
        them all.

    Returns
    -------
    Dataset

    Raises
    ------
    DatasetError
        ``dataset_not_found``; ``invalid_dictionary`` / ``incompatible_dictionary`` for
        the folder's dictionary.yaml; ``invalid_argument``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "learners.csv").write_text("learner_id,birth_year\\nL1,1890\\n")
    >>> dataset = load(folder)
    >>> dataset.tables
    ('learners',)
    >>> dataset.problems.query("code == 'out_of_range'")["message"].tolist()
    ['learners row 1: birth_year 1890 is below the minimum 1940']
    """
    if check_files not in get_args(CheckFiles):
        raise DatasetError(
            f"check_files must be one of {', '.join(get_args(CheckFiles))}, not {check_files!r}",
            code="invalid_argument",
        )
    if max_examples < 0:
        raise DatasetError(
            f"max_examples must be >= 0, not {max_examples}", code="invalid_argument"
        )
    root = resolve_dataset(name_or_path, datasets_dir=datasets_dir).resolve()
    copy = root / "dictionary.yaml"
    dictionary = dataset_dictionary(copy) if copy.is_file() else default_dictionary()
    loader = _Loader(root, dictionary, check_files)
    try:
        return loader.run(partial, max_examples)
    except BaseException:
        _release(loader.con, loader.tmp)
        raise


#: DuckDB's memory cap while a folder is validated. The rules are streaming queries
#: (aggregations and anti-joins that spill to the dataset's private temp folder), but
#: DuckDB's default cap is 80% of the machine's memory and its buffer pool grows into
#: it: a 1,000,000-learner pilot peaked at 2.6 GB uncapped and at 1.3 GB with 1 GB, for
#: about 8% more time (`make bench-analysis`). Lifted once validation is done, so
#: ``Dataset.table()`` can materialize a large table.
VALIDATION_MEMORY_LIMIT = "1GB"


class _Loader:
    def __init__(self, root: Path, dictionary: DataDictionary, check_files: CheckFiles) -> None:
        self.root = root
        self.dictionary = dictionary
        self.check_files = check_files
        self.static: list[DatasetProblem] = []
        # a private folder for CSV copies and DuckDB spill files, removed with the Dataset
        self.tmp = Path(tempfile.mkdtemp(prefix="lerkit-dataset-"))
        self.con = duckdb.connect(
            ":memory:",
            config={
                "preserve_insertion_order": True,
                "temp_directory": str(self.tmp / "spill"),
                "memory_limit": VALIDATION_MEMORY_LIMIT,
            },
        )
        self.con.execute("SET TimeZone = 'UTC'")
        for macro in MACROS:
            self.con.execute(macro)
        self.con.execute(
            f'CREATE TABLE {_PROBLEMS_TABLE} (severity VARCHAR, "table" VARCHAR, "row" BIGINT, '
            '"column" VARCHAR, code VARCHAR, message VARCHAR, value VARCHAR)'
        )

    def problem(
        self,
        severity: Severity,
        table: str | None,
        code: str,
        message: str,
        *,
        column: str | None = None,
        row: int | None = None,
        value: str | None = None,
    ) -> None:
        self.static.append(DatasetProblem(severity, table, row, column, code, message, value))

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def run(self, partial: bool | None, max_examples: int) -> Dataset:
        metadata = self.metadata()
        partial_ok = partial if partial is not None else metadata.synthetic is not True
        sources: dict[str, TableSource] = {}
        plans: dict[str, dict[str, ColumnPlan]] = {}
        for table in self.dictionary.tables:
            found = self.open_table(table, partial_ok)
            if found is not None:
                sources[table.name], plans[table.name] = found
        self.unknown_files()
        rules: list[Rule] = []
        for name, source in sources.items():
            rules.extend(self.table_rules(self.dictionary.table(name), plans, sources))
            self.count_check(metadata, source)
        self.flush(self.static)
        self.static.clear()
        for name in sources:
            self.file_checks(self.dictionary.table(name), plans[name])
        # every problem: the row rules (re-run when queried) and the stored ones
        union = "\nUNION ALL\n".join(
            [rule.sql for rule in rules] + [f"SELECT * FROM {_PROBLEMS_TABLE}"]
        )
        report = self.report(union, max_examples)
        self.con.execute("RESET memory_limit")
        return Dataset(
            path=self.root,
            dictionary=self.dictionary,
            metadata=metadata,
            sources=MappingProxyType(sources),
            validation=report,
            analyses=self.support(sources),
            _con=self.con,
            _tmp=self.tmp,
            _problems_sql=union,
        )

    # -- metadata ---------------------------------------------------------------------------

    def metadata(self) -> DatasetMetadata:
        path = self.root / "dataset.yaml"
        if not path.is_file():
            return DatasetMetadata(name=self.root.name)
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
            first = str(err).splitlines()[0] if str(err) else type(err).__name__
            self.problem(
                "warning", None, "invalid_metadata", f"dataset.yaml: cannot read it: {first}"
            )
            return DatasetMetadata(name=self.root.name)
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            self.problem("warning", None, "invalid_metadata", "dataset.yaml: not a mapping")
            return DatasetMetadata(name=self.root.name)
        fields = dict(raw)

        def take(key: str, kinds: tuple[type, ...], what: str) -> Any:
            value = fields.pop(key, None)
            if value is None:
                return None
            bad = not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool))
            if bad:
                self.problem(
                    "warning",
                    None,
                    "invalid_metadata",
                    f"dataset.yaml: {key} {show(str(value))} is not {what}; ignored",
                    value=str(value)[:200],
                )
                return None
            return value

        name = take("name", (str,), "a string")
        description = take("description", (str,), "a string")
        synthetic = take("synthetic", (bool,), "true or false")
        seed = take("seed", (int,), "an integer")
        as_of = fields.pop("as_of", None)
        if isinstance(as_of, str):
            with contextlib.suppress(ValueError):
                as_of = dt.date.fromisoformat(as_of)
        if isinstance(as_of, dt.datetime):
            as_of = as_of.date()
        if as_of is not None and not isinstance(as_of, dt.date):
            self.problem(
                "warning",
                None,
                "invalid_metadata",
                f"dataset.yaml: as_of {show(str(as_of))} is not an ISO 8601 date; ignored",
                value=str(as_of)[:200],
            )
            as_of = None
        counts: dict[str, int] = {}
        raw_counts = fields.pop("counts", None)
        if isinstance(raw_counts, dict):
            for key, value in raw_counts.items():
                if isinstance(value, int) and not isinstance(value, bool):
                    counts[str(key)] = value
                else:
                    self.problem(
                        "warning",
                        None,
                        "invalid_metadata",
                        f"dataset.yaml: counts.{key} {show(str(value))} is not an integer; ignored",
                        value=str(value)[:200],
                    )
        elif raw_counts is not None:
            self.problem(
                "warning",
                None,
                "invalid_metadata",
                "dataset.yaml: counts is not a mapping; ignored",
            )
        generator = fields.pop("generator", None)
        return DatasetMetadata(
            name=name or self.root.name,
            description=description,
            synthetic=synthetic,
            seed=seed,
            as_of=as_of,
            generator=generator,
            counts=MappingProxyType(counts),
            extra=MappingProxyType({str(k): v for k, v in fields.items()}),
        )

    def count_check(self, metadata: DatasetMetadata, source: TableSource) -> None:
        expected = metadata.counts.get(source.name)
        if expected is not None and expected != source.n_rows:
            self.problem(
                "warning",
                source.name,
                "count_mismatch",
                f"dataset.yaml counts {expected} {source.name} rows; {self.rel(source.path)} "
                f"has {source.n_rows}",
                value=str(source.n_rows),
            )

    # -- tables -----------------------------------------------------------------------------

    def candidates(self, table: str) -> list[tuple[Path, Literal["parquet", "csv"]]]:
        return [
            (self.root / f"{table}.parquet", "parquet"),
            (self.root / f"{table}.csv", "csv"),
            (self.root / "csv" / f"{table}.csv", "csv"),
        ]

    def open_table(
        self, table: TableSpec, partial_ok: bool
    ) -> tuple[TableSource, dict[str, ColumnPlan]] | None:
        candidates = self.candidates(table.name)
        found = [(path, kind) for path, kind in candidates if path.is_file()]
        if not found:
            looked = ", ".join(self.rel(path) for path, _kind in candidates)
            needing = self.dictionary.analyses_needing(table.name)
            cannot = f"; analyses that cannot run: {', '.join(needing)}" if needing else ""
            if table.required:
                self.problem(
                    "warning" if partial_ok else "error",
                    table.name,
                    "missing_table",
                    f"required table {table.name!r} is missing (looked for {looked}){cannot}",
                )
            else:
                self.problem(
                    "info",
                    table.name,
                    "missing_optional_table",
                    f"optional table {table.name!r} is absent (looked for {looked}){cannot}",
                )
            return None
        path, kind = found[0]
        try:
            file_columns = self.raw_view(table.name, path, kind)
            plans = {
                spec.name: plan_column(spec, dict(file_columns).get(spec.name))
                for spec in table.columns
            }
            present = [plan for plan in plans.values() if plan.present]
            counts = ", ".join(
                ["count(*)"] + [f"count(*) FILTER (WHERE NOT {plan.empty})" for plan in present]
            )
            row = self.con.execute(f"SELECT {counts} FROM {raw_view(table.name)}").fetchone()
        except (duckdb.Error, _UnreadableError) as err:
            self.con.execute(f"DROP VIEW IF EXISTS {raw_view(table.name)}")
            self.problem(
                "error",
                table.name,
                "unreadable_file",
                f"cannot read {self.rel(path)}: {_first_lines(str(err))}; table left out",
            )
            return None
        assert row is not None
        source = TableSource(
            name=table.name,
            path=path,
            format=kind,
            columns=tuple(name for name, _type in file_columns),
            types=tuple(kind_ for _name, kind_ in file_columns),
            n_rows=int(row[0]),
            non_empty=MappingProxyType(
                {plan.spec.name: int(n) for plan, n in zip(present, row[1:], strict=True)}
            ),
            ignored=tuple(path for path, _kind in found[1:]),
        )
        self.columns_check(table, source, plans)
        self.typed_view(table, source, plans)
        if source.n_rows == 0:
            self.problem(
                "info", table.name, "empty_table", f"{self.rel(path)} has a header but no rows"
            )
        return source, plans

    def raw_view(
        self, table: str, path: Path, kind: Literal["parquet", "csv"]
    ) -> list[tuple[str, str]]:
        view = raw_view(table)
        if kind == "parquet":
            source = f"read_parquet({literal(str(path))}, file_row_number = true)"
            self.con.execute(
                f"CREATE OR REPLACE VIEW {view} AS SELECT * EXCLUDE (file_row_number), "
                f"file_row_number + 1 AS {ROW} FROM {source}"
            )
        else:
            header = _csv_header(path)
            columns = ", ".join(f"{literal(name)}: 'VARCHAR'" for name in header)
            alias = ", ".join(ident(name) for name in header)
            source = (
                f"read_csv({literal(str(path))}, columns = {{{columns}}}, header = true, "
                "auto_detect = false, delim = ',', quote = '\"', escape = '\"')"
            )
            # Parsed once into a Parquet copy (every column VARCHAR, plus the row number):
            # each rule then scans columnar data instead of re-parsing the CSV, and
            # memory stays bounded. WITH ORDINALITY numbers rows in file order.
            copy = self.tmp / f"{table}.parquet"
            self.con.execute(
                f"COPY (SELECT * FROM {source} WITH ORDINALITY AS _source({alias}, {ROW})) "
                f"TO {literal(str(copy))} (FORMAT parquet)"
            )
            self.con.execute(
                f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM read_parquet({literal(str(copy))})"
            )
        described = self.con.execute(f"DESCRIBE SELECT * FROM {view}").fetchall()
        return [(str(name), str(kind_)) for name, kind_, *_rest in described if name != ROW]

    def columns_check(
        self, table: TableSpec, source: TableSource, plans: dict[str, ColumnPlan]
    ) -> None:
        file_name = self.rel(source.path)
        extras = [name for name in source.columns if not table.has_column(name)]
        for spec in table.columns:
            if plans[spec.name].present:
                continue
            near = [name for name in extras if name.strip().lower() == spec.name]
            hint = f" (the file has {near[0]!r}; names are case-sensitive)" if near else ""
            if spec.required:
                self.problem(
                    "error",
                    table.name,
                    "missing_column",
                    f"required column {spec.name!r} is missing from {file_name}{hint}",
                    column=spec.name,
                )
            else:
                needing = self.dictionary.analyses_needing(table.name, spec.name)
                cannot = f"; analyses that cannot run: {', '.join(needing)}" if needing else ""
                self.problem(
                    "info",
                    table.name,
                    "missing_optional_column",
                    f"optional column {spec.name!r} is absent from {file_name}{hint}{cannot}",
                    column=spec.name,
                )
        for name in extras:
            self.problem(
                "info",
                table.name,
                "extra_column",
                f"column {name!r} of {file_name} is not in the dictionary; kept as read",
                column=name,
            )

    def typed_view(
        self, table: TableSpec, source: TableSource, plans: dict[str, ColumnPlan]
    ) -> None:
        parts = [f"{plans[spec.name].typed} AS {ident(spec.name)}" for spec in table.columns]
        parts += [ident(name) for name in source.columns if not table.has_column(name)]
        self.con.execute(
            f"CREATE OR REPLACE VIEW {ident(table.name)} AS SELECT {', '.join(parts)} "
            f"FROM {raw_view(table.name)}"
        )

    def unknown_files(self) -> None:
        known = set(self.dictionary.table_names)
        files = [*self.root.glob("*.parquet"), *self.root.glob("*.csv")]
        files += list((self.root / "csv").glob("*.csv")) if (self.root / "csv").is_dir() else []
        for path in sorted(files):
            if path.stem not in known and path.is_file():
                self.problem(
                    "info",
                    None,
                    "unknown_table",
                    f"{self.rel(path)} is not a table of the data dictionary; not read",
                    value=self.rel(path),
                )

    # -- rules ------------------------------------------------------------------------------

    def table_rules(
        self,
        table: TableSpec,
        plans: dict[str, dict[str, ColumnPlan]],
        sources: Mapping[str, TableSource],
    ) -> list[Rule]:
        mine = plans[table.name]
        rules: list[Rule] = []
        for spec in table.columns:
            plan = mine[spec.name]
            if not plan.present:
                continue
            rules.extend(column_rules(table, plan))
            reference = spec.reference
            if reference is None:
                continue
            target_table, target_column = reference
            target = plans.get(target_table, {}).get(target_column)
            if target is not None and target.present:
                rules.append(reference_rule(table, plan, target))
                continue
            why = (
                f"table {target_table!r} is absent"
                if target_table not in sources
                else f"{self.rel(sources[target_table].path)} has no column {target_column!r}"
            )
            self.problem(
                "info",
                table.name,
                "reference_not_checked",
                f"{spec.qualified_name} references {spec.references}, but {why}: not checked",
                column=spec.name,
            )
        key = [mine[name] for name in table.primary_key]
        if key and all(plan.present for plan in key):
            rules.append(key_rule(table, key))
        return rules

    # -- files ------------------------------------------------------------------------------

    def file_checks(self, table: TableSpec, plans: dict[str, ColumnPlan]) -> None:
        if self.check_files == "none":
            return
        for spec in table.columns:
            plan = plans[spec.name]
            if not spec.file_path or not plan.present:
                continue
            sha = next(
                (
                    p
                    for p in plans.values()
                    if p.spec.sha256_of == spec.name and p.present and self.check_files == "sha256"
                ),
                None,
            )
            self.check_files_of(table, plan, sha)

    def check_files_of(self, table: TableSpec, plan: ColumnPlan, sha: ColumnPlan | None) -> None:
        name = plan.spec.name
        sha_sql = sha.typed if sha is not None else "CAST(NULL AS VARCHAR)"
        cursor = self.con.cursor()
        try:
            cursor.execute(
                f"SELECT {ROW}, {plan.typed}, {sha_sql} FROM {raw_view(table.name)} "
                f"WHERE ({plan.typed}) IS NOT NULL ORDER BY {ROW}"
            )
            batch: list[DatasetProblem] = []
            while rows := cursor.fetchmany(_BATCH):
                for row, value, recorded in rows:
                    found = self.check_one_file(table.name, name, int(row), str(value), recorded)
                    if found is not None:
                        batch.append(found)
                if len(batch) >= _BATCH:
                    self.flush(batch)
                    batch = []
            self.flush(batch)
        finally:
            cursor.close()

    def check_one_file(
        self, table: str, column: str, row: int, value: str, recorded: str | None
    ) -> DatasetProblem | None:
        prefix = f"{table} row {row}: {column} {show(value)}"
        normal = os.path.normpath(value)
        if os.path.isabs(value) or normal == ".." or normal.startswith(".." + os.sep):
            return DatasetProblem(
                "error",
                table,
                row,
                column,
                "file_outside_dataset",
                f"{prefix} is outside the dataset folder (paths are relative to it)",
                value[:200],
            )
        path = self.root / value
        try:
            present = path.is_file()
        except (OSError, ValueError):  # a name too long for the file system, a NUL byte
            present = False
        if not present:
            return DatasetProblem(
                "error", table, row, column, "missing_file", f"{prefix}: no such file", value[:200]
            )
        if recorded is None or not _HEX64.fullmatch(recorded):
            return None  # no SHA-256 recorded, or a malformed one (a pattern_mismatch)
        try:
            actual = _file_fingerprint(path)
        except OSError as err:
            return DatasetProblem(
                "error",
                table,
                row,
                column,
                "unreadable_file",
                f"{prefix}: cannot be read: {err.strerror or err}",
                value[:200],
            )
        if actual == recorded:
            return None
        return DatasetProblem(
            "error",
            table,
            row,
            column,
            "sha256_mismatch",
            f"{prefix}: SHA-256 is {actual}, the table records {recorded}",
            value[:200],
        )

    def flush(self, problems: Sequence[DatasetProblem]) -> None:
        if not problems:
            return
        arrow = pa.table(
            {name: [getattr(p, name) for p in problems] for name in PROBLEM_COLUMNS},
            schema=pa.schema(
                [(name, pa.int64() if name == "row" else pa.string()) for name in PROBLEM_COLUMNS]
            ),
        )
        self.con.register("_lerkit_batch", arrow)
        try:
            self.con.execute(f"INSERT INTO {_PROBLEMS_TABLE} SELECT * FROM _lerkit_batch")
        finally:
            self.con.unregister("_lerkit_batch")

    # -- summary ----------------------------------------------------------------------------

    def report(self, union: str, max_examples: int) -> ValidationReport:
        # one streaming aggregation: exact counts, and the first rows of each group via
        # min_by(..., n), so memory grows with the groups, not with the problems
        keep = max(max_examples, 1)
        rows = self.con.execute(
            'SELECT severity, "table", "column", code, count(*) AS n, '
            'min_by(struct_pack(r := "row", m := message, v := value), '
            "struct_pack(r := coalesce(\"row\", -1), v := coalesce(value, ''), m := message), "
            f"{keep}) AS first FROM ({union}) GROUP BY ALL"
        ).fetchall()
        groups: dict[tuple[Severity, str | None, str | None, str], int] = {}
        records: list[DatasetProblem] = []
        for severity, table, column, code, n, first in rows:
            groups[(severity, table, column, code)] = int(n)
            for item in first[:max_examples]:
                row = item["r"]
                records.append(
                    DatasetProblem(
                        severity,
                        table,
                        None if row is None else int(row),
                        column,
                        code,
                        item["m"],
                        item["v"],
                    )
                )
        order = self.dictionary.table_names
        columns = {t.name: t.column_names for t in self.dictionary.tables}
        key = sort_key(order, columns)
        records.sort(key=key)
        rank = {"error": 0, "warning": 1, "info": 2}
        counted = sorted(
            groups.items(),
            key=lambda item: (
                order.index(item[0][1]) + 1 if item[0][1] in order else 0,
                rank[item[0][0]],
                item[0][3],
                item[0][2] or "",
            ),
        )
        return ValidationReport(
            records=tuple(records),
            group_counts=tuple((*group, n) for group, n in counted),
            max_examples=max_examples,
        )

    def _generalized_value(self, table: str, column: str) -> bool:
        """Whether an anonymizer replaced a date or number column by group labels (a
        generalized category column is still fine to group by)."""
        spec = self.dictionary.table(table)
        if not spec.has_column(column) or spec.column(column).generalized is None:
            return False
        original = default_dictionary()
        if table not in original.table_names or not original.table(table).has_column(column):
            return False
        return original.table(table).column(column).type in (
            "date",
            "datetime",
            "integer",
            "number",
        )

    def support(self, sources: Mapping[str, TableSource]) -> tuple[AnalysisSupport, ...]:
        result = []
        for analysis in self.dictionary.analyses:
            missing: list[str] = []
            for table, columns in analysis.needs:
                source = sources.get(table)
                if source is None:
                    missing.append(f"table {table} is missing")
                    continue
                if source.n_rows == 0:
                    missing.append(f"table {table} has no rows")
                    continue
                for column in columns:
                    if column not in source.columns:
                        missing.append(f"column {table}.{column} is missing")
                    elif source.non_empty.get(column, 0) == 0:
                        missing.append(f"column {table}.{column} has no values")
                    elif self._generalized_value(table, column):
                        missing.append(
                            f"column {table}.{column} is generalized (group labels); the "
                            "analysis computes with its original values"
                        )
            result.append(AnalysisSupport(analysis.name, tuple(missing)))
        return tuple(result)


class _UnreadableError(Exception):
    """A table file that cannot be opened at all (before DuckDB reads it)."""


def _csv_header(path: Path) -> list[str]:
    # the first line only: DuckDB reads (and reports on) the rest
    try:
        with path.open("rb") as handle:
            first = handle.readline().decode("utf-8-sig")
        header = next(csv.reader([first]), None)
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise _UnreadableError(f"cannot read the header row: {err}") from err
    if not header:
        raise _UnreadableError("no header row (the file is empty)")
    for position, name in enumerate(header, start=1):
        if not name.strip():
            raise _UnreadableError(f"header column {position} has no name")
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise _UnreadableError(f"the header names column {name!r} twice")
        seen.add(name)
    return header


def _first_lines(message: str) -> str:
    """A DuckDB error on one line, without its "possible fixes" advice."""
    lines: list[str] = []
    message = re.sub(r"^[A-Za-z ]+ Error: ", "", message.strip())
    for line in message.splitlines():
        text = line.strip()
        if not text:
            continue
        if text.lower().startswith(("possible fix", "possible solution", "file =")):
            break
        lines.append(text)
    return "; ".join(lines)[:300]
