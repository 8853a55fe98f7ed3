"""Pilot datasets: load and validate a dataset folder, templates, bundled samples.

``load(name_or_path)`` validates a folder against the data dictionary
(``dictionary.yaml``) and returns a :class:`Dataset`; ``write_template(folder)`` writes
empty tables for an organization to fill in; ``make_samples`` regenerates the bundled
sample credentials.

Folder layout: ``dataset.yaml`` (optional metadata), ``dictionary.yaml`` (optional
copy; see :func:`dataset_dictionary` for what "compatible" means), one file per table,
``<table>.parquet`` preferred over ``<table>.csv`` over ``csv/<table>.csv``, and
``credentials/`` for the signed files the credentials table names. A name such as
``"pilot-default"`` is looked up in ``datasets_dir``, else ``$LERKIT_DATASETS``, else the
source checkout's ``datasets/`` folder (:func:`dataset_search_path`).

How CSV cells are read: an empty (or blank) cell is missing; integers are digits with
an optional sign (``1985.0`` accepted); numbers decimal or scientific; booleans
``true``/``false``, ``yes``/``no``, ``1``/``0`` in any case; dates ``YYYY-MM-DD``;
date-times ISO 8601 (UTC unless an offset is given); lists ``|``-separated; category
codes and strings exactly as written. A value that does not read is a ``wrong_type``
problem (with its row and value), never a crash.

Problems (:data:`PROBLEM_CODES`) are never dropped: ``Dataset.validation.counts`` has
exact totals, ``Dataset.problems`` the first ``max_examples`` of each kind, and
``Dataset.problem_relation()`` every one, computed lazily in DuckDB, so memory stays
bounded even for a systematic error on a million rows.
"""

from lerkit.datasets._dictionary import (
    COLUMN_TYPES,
    PRIVACY_ROLES,
    AnalysisSpec,
    ColumnSpec,
    ColumnType,
    DataDictionary,
    Generalization,
    PrivacyRole,
    TableSpec,
    dataset_dictionary,
    default_dictionary,
    default_dictionary_path,
    load_dictionary,
    parse_dictionary,
)
from lerkit.datasets._loader import (
    DATASETS_ENV_VAR,
    AnalysisSupport,
    CheckFiles,
    Dataset,
    DatasetMetadata,
    TableSource,
    available_datasets,
    dataset_search_path,
    load,
    resolve_dataset,
)
from lerkit.datasets._problems import (
    PROBLEM_CODES,
    DatasetProblem,
    Severity,
    ValidationReport,
)
from lerkit.datasets._samples import make_samples
from lerkit.datasets._synth import SyntheticPilot, synthesize
from lerkit.datasets._template import dictionary_markdown, write_template
from lerkit.errors import DatasetError

__all__ = [
    "COLUMN_TYPES",
    "DATASETS_ENV_VAR",
    "PRIVACY_ROLES",
    "PROBLEM_CODES",
    "AnalysisSpec",
    "AnalysisSupport",
    "CheckFiles",
    "ColumnSpec",
    "ColumnType",
    "DataDictionary",
    "Dataset",
    "DatasetError",
    "DatasetMetadata",
    "DatasetProblem",
    "Generalization",
    "PrivacyRole",
    "Severity",
    "SyntheticPilot",
    "TableSource",
    "TableSpec",
    "ValidationReport",
    "available_datasets",
    "dataset_dictionary",
    "dataset_search_path",
    "default_dictionary",
    "default_dictionary_path",
    "dictionary_markdown",
    "load",
    "load_dictionary",
    "make_samples",
    "parse_dictionary",
    "resolve_dataset",
    "synthesize",
    "write_template",
]
