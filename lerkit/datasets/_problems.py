"""Problems found in a dataset folder, and the bounded summary the loader keeps of them.

Every rule the loader checks (see :mod:`lerkit.datasets._validate`) yields problems:
one per offending row (or list item, or file), or one per table for table-level
findings. A systematic error on a million-row table gives a million problems, so the
loader keeps all of them *queryable* but materializes only a bounded part:

- ``counts``: exact totals for every group (severity, table, column, code);
- ``records`` / ``problems``: the first ``max_examples`` problems of each group, in
  row order;
- the full list stays a lazy DuckDB relation (``Dataset.problem_relation()``), which
  ``Dataset.write_problems(path)`` streams to Parquet or CSV.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

__all__ = [
    "PROBLEM_CODES",
    "PROBLEM_COLUMNS",
    "DatasetProblem",
    "Severity",
    "ValidationReport",
]

Severity = Literal["error", "warning", "info"]

#: The columns of a problems table, in order.
PROBLEM_COLUMNS = ("severity", "table", "row", "column", "code", "message", "value")

#: Every problem code the loader emits, with what it means. Stable: tables and
#: reports group by them.
PROBLEM_CODES: dict[str, str] = {
    "missing_table": "a required table has no file (error; a warning for a partial pilot)",
    "missing_optional_table": "a table marked required: false has no file (info)",
    "unknown_table": "a .parquet/.csv file that is no table of the dictionary; not read (info)",
    "unreadable_file": "a table file (the table is then left out) or a named file could not be read (error)",
    "empty_table": "a table has a header but no rows (info)",
    "missing_column": "a required column is absent from the table's file (error)",
    "missing_optional_column": "an optional column is absent from the table's file (info)",
    "extra_column": "a column the dictionary does not define; kept as read (info)",
    "wrong_type": "a value that cannot be read as the column's type (error)",
    "missing_value": "an empty value in a required column (error)",
    "not_allowed_value": "a category value that is not one of the allowed codes (error)",
    "out_of_range": "a value below min or above max (error)",
    "pattern_mismatch": "a value (or list item) that does not match the pattern (error)",
    "empty_list_item": "an empty item in a list, e.g. 'a||b' (error)",
    "duplicate_key": "a primary key already used by an earlier row (error)",
    "duplicate_value": "a value of a unique: true column already used by an earlier row (error)",
    "dangling_reference": "a value (or list item) not found in the column it references (error)",
    "reference_not_checked": "references into a table that is absent could not be checked (info)",
    "missing_file": "a file the table names does not exist (error)",
    "file_outside_dataset": "a file path that leaves the dataset folder (error)",
    "sha256_mismatch": "a file whose SHA-256 differs from the one recorded (error)",
    "invalid_metadata": "dataset.yaml is unreadable or has a field of the wrong type (warning)",
    "count_mismatch": "dataset.yaml counts differ from the rows found (warning)",
}


@dataclass(frozen=True, slots=True)
class DatasetProblem:
    """One thing wrong (or worth knowing) about a dataset folder.

    Attributes
    ----------
    severity : {"error", "warning", "info"}
        ``error``: the data breaks the dictionary; ``warning``: the data is usable but
        incomplete or inconsistent with its metadata; ``info``: worth knowing.
    table : str or None
        The table (None for the dataset as a whole).
    row : int or None
        1-based data row number (the first row after a CSV header is row 1; Parquet
        rows in file order), or None for a table-level problem.
    column : str or None
        The column (``a,b`` for a composite key), or None.
    code : str
        Stable snake_case code, one of :data:`PROBLEM_CODES`.
    message : str
        What is wrong and where, naming the value.
    value : str or None
        The offending value as text (truncated to 200 characters), if any.
    """

    severity: Severity
    table: str | None
    row: int | None
    column: str | None
    code: str
    message: str
    value: str | None = None


def problems_frame(records: Iterable[DatasetProblem]) -> pd.DataFrame:
    """The problems as a DataFrame with :data:`PROBLEM_COLUMNS` (row as nullable Int64)."""
    rows = [(p.severity, p.table, p.row, p.column, p.code, p.message, p.value) for p in records]
    frame = pd.DataFrame(rows, columns=list(PROBLEM_COLUMNS), dtype=object)
    frame["row"] = frame["row"].astype("Int64")
    return frame


_COUNT_COLUMNS = ("severity", "table", "column", "code", "count", "shown")


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """What validating a dataset found: exact counts, and the first problems of each kind.

    Attributes
    ----------
    records : tuple of DatasetProblem
        The first ``max_examples`` problems of each (severity, table, column, code)
        group, in row order; ordered by table (dictionary order), row, column.
    group_counts : tuple of (severity, table, column, code, count)
        The exact number of problems in every group.
    max_examples : int
        How many problems of each group ``records`` keeps.
    """

    records: tuple[DatasetProblem, ...]
    group_counts: tuple[tuple[Severity, str | None, str | None, str, int], ...]
    max_examples: int

    @property
    def problems(self) -> pd.DataFrame:
        """``records`` as a DataFrame (columns :data:`PROBLEM_COLUMNS`)."""
        return problems_frame(self.records)

    @property
    def counts(self) -> pd.DataFrame:
        """One row per group: severity, table, column, code, count (exact), shown."""
        shown: dict[tuple[str, str | None, str | None, str], int] = {}
        for p in self.records:
            key = (p.severity, p.table, p.column, p.code)
            shown[key] = shown.get(key, 0) + 1
        rows = [
            (severity, table, column, code, n, shown.get((severity, table, column, code), 0))
            for severity, table, column, code, n in self.group_counts
        ]
        frame = pd.DataFrame(rows, columns=list(_COUNT_COLUMNS), dtype=object)
        frame["count"] = frame["count"].astype("int64")
        frame["shown"] = frame["shown"].astype("int64")
        return frame

    def count(self, severity: Severity | None = None) -> int:
        """The exact number of problems (of one severity, or all)."""
        return sum(n for s, _t, _c, _code, n in self.group_counts if severity in (None, s))

    @property
    def n_errors(self) -> int:
        """Problems of severity ``error``."""
        return self.count("error")

    @property
    def n_warnings(self) -> int:
        """Problems of severity ``warning``."""
        return self.count("warning")

    @property
    def n_info(self) -> int:
        """Problems of severity ``info``."""
        return self.count("info")

    @property
    def total(self) -> int:
        """Every problem found, shown or not."""
        return self.count()

    @property
    def omitted(self) -> int:
        """Problems counted but not in ``records`` (see ``Dataset.problem_relation()``)."""
        return self.total - len(self.records)

    @property
    def ok(self) -> bool:
        """True when there is no ``error`` problem (warnings and info allowed)."""
        return self.n_errors == 0

    @property
    def summary(self) -> str:
        """One line: how many problems of each severity, and how many are not shown.

        >>> ValidationReport((), (("error", "t", "c", "wrong_type", 3),), 0).summary
        '3 errors, 0 warnings, 0 info (3 more not shown: Dataset.problem_relation() has all)'
        """
        text = (
            f"{self.n_errors} error{'s' * (self.n_errors != 1)}, "
            f"{self.n_warnings} warning{'s' * (self.n_warnings != 1)}, {self.n_info} info"
        )
        if self.omitted:
            text += f" ({self.omitted} more not shown: Dataset.problem_relation() has all)"
        return text

    def examples(
        self, table: str | None, column: str | None, code: str
    ) -> tuple[DatasetProblem, ...]:
        """The kept problems of one group."""
        return tuple(
            p for p in self.records if (p.table, p.column, p.code) == (table, column, code)
        )


_SortKey = tuple[int, str, int, int, str, str, str]


def sort_key(
    table_order: Sequence[str], column_order: Mapping[str, Sequence[str]]
) -> Callable[[DatasetProblem], _SortKey]:
    """A key ordering problems by table (dictionary order), row, column, code."""

    def key(p: DatasetProblem) -> _SortKey:
        tables = list(table_order)
        t_index = (
            tables.index(p.table) + 1
            if p.table in tables
            else (0 if p.table is None else len(tables) + 1)
        )
        columns = list(column_order.get(p.table or "", ()))
        first = (p.column or "").split(",")[0]
        c_index = columns.index(first) if first in columns else len(columns)
        return (
            t_index,
            p.table or "",
            -1 if p.row is None else p.row,
            c_index,
            p.column or "",
            p.code,
            p.value or "",
        )

    return key
