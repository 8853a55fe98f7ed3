"""Writing tables chunk by chunk: Parquet (pyarrow.parquet.ParquetWriter) and CSV exports.

Columns are exactly the data dictionary's, in its order, with its types: category codes
and strings as ``string``, integers ``int64``, numbers ``double``, booleans ``bool``,
dates ``date32``, datetimes ``timestamp[us, tz=UTC]``, lists ``list<string>``. The CSV
export writes booleans as ``true``/``false``, lists ``|``-joined, dates ISO 8601 and
datetimes ``YYYY-MM-DDTHH:MM:SSZ``; an empty cell is a missing value. Nothing in either
file depends on the clock, so the same rows give the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from lerkit.datasets._dictionary import ColumnType, TableSpec
from lerkit.errors import DatasetError

__all__ = ["ARROW_TYPES", "TableSink", "arrow_schema"]

ARROW_TYPES: Mapping[ColumnType, pa.DataType] = {
    "string": pa.string(),
    "category": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us", tz="UTC"),
    "list": pa.list_(pa.string()),
}


def arrow_schema(spec: TableSpec) -> pa.Schema:
    """The Arrow schema of a dictionary table (columns in dictionary order)."""
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in spec.columns])


def _array(values: Any, kind: ColumnType, name: str) -> pa.Array:
    arrow_type = ARROW_TYPES[kind]
    if isinstance(values, pa.Array):
        return values.cast(arrow_type)
    if kind == "date" and isinstance(values, np.ndarray) and values.dtype.kind == "M":
        return pa.array(values.astype("datetime64[D]"), type=pa.date32())
    if kind == "datetime" and isinstance(values, np.ndarray) and values.dtype.kind == "M":
        return pa.array(values.astype("datetime64[us]"), type=pa.timestamp("us")).cast(arrow_type)
    try:
        return pa.array(values, type=arrow_type)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
        raise DatasetError(
            f"column {name!r}: cannot make {kind} values: {err}", code="invalid_value"
        ) from err


def _csv_column(array: pa.Array, kind: ColumnType) -> pa.Array:
    if kind == "list":
        joined = pc.binary_join(array, "|")
        return pc.if_else(pc.is_null(array), pa.scalar(None, pa.string()), joined)
    if kind == "datetime":
        return pc.strftime(array.cast(pa.timestamp("s", tz="UTC")), format="%Y-%m-%dT%H:%M:%SZ")
    return array


class TableSink:
    """One table's Parquet file and CSV export, appended to chunk by chunk."""

    def __init__(self, root: Path, spec: TableSpec, *, csv: bool = True) -> None:
        self.spec = spec
        self.schema = arrow_schema(spec)
        self.rows = 0
        self._parquet = pq.ParquetWriter(
            root / f"{spec.name}.parquet",
            self.schema,
            compression="zstd",
            compression_level=3,
            write_statistics=True,
        )
        self._csv: pacsv.CSVWriter | None = None
        self._csv_path = root / "csv" / f"{spec.name}.csv" if csv else None
        self._csv_schema = pa.schema(
            [
                pa.field(c.name, pa.string() if c.type in ("list", "datetime") else
                         ARROW_TYPES[c.type])
                for c in spec.columns
            ]
        )  # fmt: skip

    def write(self, columns: Mapping[str, Any]) -> None:
        """Append rows given as ``{column: values}`` (every dictionary column, same length)."""
        missing = [c for c in self.spec.column_names if c not in columns]
        extra = [c for c in columns if not self.spec.has_column(c)]
        if missing or extra:
            raise DatasetError(
                f"table {self.spec.name}: columns missing {missing}, unknown {extra}",
                code="invalid_value",
            )
        arrays = [_array(columns[c.name], c.type, c.name) for c in self.spec.columns]
        table = pa.Table.from_arrays(arrays, schema=self.schema)
        if table.num_rows == 0:
            return
        self._parquet.write_table(table)
        self.rows += table.num_rows
        if self._csv_path is not None:
            text = pa.Table.from_arrays(
                [_csv_column(a, c.type) for a, c in zip(arrays, self.spec.columns, strict=True)],
                schema=self._csv_schema,
            )
            if self._csv is None:
                self._csv_path.parent.mkdir(parents=True, exist_ok=True)
                self._csv = pacsv.CSVWriter(
                    str(self._csv_path),
                    self._csv_schema,
                    write_options=pacsv.WriteOptions(
                        include_header=True, quoting_style="needed", eol="\n"
                    ),
                )
            self._csv.write_table(text)

    def close(self) -> None:
        """Finish both files (an empty table still gets its Parquet file and CSV header)."""
        self._parquet.close()
        if self._csv_path is not None:
            if self._csv is None:
                self._csv_path.parent.mkdir(parents=True, exist_ok=True)
                self._csv_path.write_text(",".join(self.spec.column_names) + "\n", encoding="utf-8")
            else:
                self._csv.close()


def open_sinks(root: Path, specs: Sequence[TableSpec], *, csv: bool = True) -> dict[str, TableSink]:
    """A sink per table."""
    return {spec.name: TableSink(root, spec, csv=csv) for spec in specs}
