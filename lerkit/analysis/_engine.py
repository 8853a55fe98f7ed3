"""The query engine analyses aggregate in: Ibis over DuckDB (default) or another backend.

Every analysis builds Ibis expressions over :meth:`Engine.table` and brings back only
the small aggregated result with :meth:`Engine.execute`; statistics then run on that
frame with numpy/scipy/statsmodels. The same expressions run on any Ibis backend that
can read Parquet and CSV files (DuckDB here; Apache Spark through ``ibis.pyspark``).

:func:`connect` opens an engine on a :class:`~lerkit.datasets.Dataset`: each table is a
lazy view over the file the dataset read for it (``dataset.sources[name].path``), so
nothing is materialized in pandas. Parquet columns keep their type when it is the
dictionary's (else they are cast to it); CSV files are read as text and cast per the
data dictionary (a value that does not parse becomes NULL, as
in the dataset's own typed views; ``list`` columns are split on ``|``). Dictionary
columns absent from a file are NULL columns of the dictionary type.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import ibis  # type: ignore[import-untyped, unused-ignore]
import ibis.expr.datatypes as dt  # type: ignore[import-untyped, unused-ignore]
import ibis.expr.types as ir  # type: ignore[import-untyped, unused-ignore]
import pandas as pd

from lerkit.datasets import Dataset, load
from lerkit.errors import DatasetError, LerkitError

__all__ = ["Engine", "EngineSource", "as_engine", "connect"]

_TYPES: dict[str, dt.DataType] = {
    "string": dt.string,
    "category": dt.string,
    "integer": dt.int64,
    "number": dt.float64,
    "boolean": dt.boolean,
    "date": dt.date,
    "datetime": dt.Timestamp(timezone="UTC", scale=6),
    "list": dt.Array(dt.string),
}


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence two known deprecation warnings raised inside ibis 12, not by lerkit.

    ibis reads a view's schema with duckdb's deprecated ``fetch_arrow_table`` and
    converts results reading pandas' deprecated ``future.infer_string`` option.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "fetch_arrow_table", DeprecationWarning)
        warnings.filterwarnings("ignore", ".*future.infer_string", Warning)
        yield


class Engine:
    """A dataset's tables in an Ibis backend.

    Parameters
    ----------
    backend : ibis.BaseBackend
        The connection the expressions run on.
    tables : Mapping[str, ibis.Table]
        The registered tables by name.
    dataset : Dataset, optional
        The dataset the tables come from (kept alive while the engine is used).

    Examples
    --------
    >>> import lerkit as lk
    >>> from lerkit.analysis import connect
    >>> engine = connect(lk.datasets.load("pilot-default"))
    >>> learners = engine.table("learners")
    >>> int(engine.execute(learners.count().name("n").as_table())["n"].iloc[0])
    5000
    """

    def __init__(
        self,
        backend: ibis.BaseBackend,
        tables: Mapping[str, ir.Table],
        *,
        dataset: Dataset | None = None,
    ) -> None:
        self.backend = backend
        self._tables = dict(tables)
        self.dataset = dataset

    def __repr__(self) -> str:
        name = self.dataset.name if self.dataset is not None else "?"
        return f"<Engine {self.backend.name} on {name!r}: {', '.join(self._tables)}>"

    @property
    def tables(self) -> tuple[str, ...]:
        """Names of the tables registered."""
        return tuple(self._tables)

    def has_table(self, name: str) -> bool:
        """True when the table is registered."""
        return name in self._tables

    def table(self, name: str) -> ir.Table:
        """The table as a lazy Ibis expression.

        Raises
        ------
        DatasetError
            ``missing_table`` naming the tables there are.
        """
        try:
            return self._tables[name]
        except KeyError:
            raise DatasetError(
                f"the engine has no table {name!r}; tables: {', '.join(self._tables) or 'none'}",
                code="missing_table",
            ) from None

    def execute(self, expr: ir.Expr) -> pd.DataFrame:
        """Run an expression; the result as a pandas DataFrame (a scalar as one cell)."""
        with _quiet():
            result = self.backend.execute(expr)
        if isinstance(result, pd.DataFrame):
            return result
        if isinstance(result, pd.Series):
            return result.to_frame()
        return pd.DataFrame({"value": [result]})


#: What analyses accept as their data: an Engine, a Dataset, or a dataset folder / name.
EngineSource = Engine | Dataset | str | os.PathLike[str]


def connect(dataset: Dataset, *, backend: str | ibis.BaseBackend = "duckdb") -> Engine:
    """Open an engine on a dataset: each table a lazy view over its file.

    Parameters
    ----------
    dataset : Dataset
        A loaded dataset (:func:`lerkit.datasets.load`).
    backend : "duckdb" or ibis.BaseBackend
        ``"duckdb"`` opens a private in-memory DuckDB connection; an Ibis backend
        (e.g. ``ibis.pyspark.connect(session)``) is used as given.

    Returns
    -------
    Engine
    """
    if isinstance(backend, str):
        if backend != "duckdb":
            raise LerkitError(
                f"unknown engine backend {backend!r}: pass 'duckdb' or an ibis backend",
                code="invalid_argument",
            )
        con: Any = ibis.duckdb.connect()
    else:
        con = backend
    tables: dict[str, ir.Table] = {}
    for name, source in dataset.sources.items():
        spec = dataset.dictionary.table(name)
        view = f"lerkit_{name}"
        if source.format == "parquet":
            with _quiet():
                raw = con.read_parquet(source.path, table_name=view)
        else:
            with _quiet():
                raw = con.read_csv(source.path, table_name=view, all_varchar=True, header=True)
        columns: dict[str, ir.Value] = {}
        for column in spec.columns:
            target = _TYPES[column.type]
            if column.name not in raw.columns:
                columns[column.name] = ibis.null(target)
            elif source.format == "csv":
                columns[column.name] = _cast_text(raw[column.name], column.type)
            elif raw[column.name].type().copy(nullable=True) != target:
                # e.g. int32 for an integer column: the dictionary type, NULL if it fails
                columns[column.name] = raw[column.name].try_cast(target)
            else:
                columns[column.name] = raw[column.name]
        extra = {c: raw[c] for c in raw.columns if not spec.has_column(c)}
        tables[name] = raw.select(**columns, **extra)
    return Engine(con, tables, dataset=dataset)


def _cast_text(value: Any, kind: str) -> ir.Value:
    text = value.strip().nullif("")
    if kind in ("string", "category"):
        return value.nullif("")
    if kind == "list":
        return text.split("|")
    if kind == "boolean":
        lowered = text.lower()
        return ibis.cases(
            (lowered.isin(["true", "t", "1", "yes"]), True),
            (lowered.isin(["false", "f", "0", "no"]), False),
            else_=ibis.null(dt.boolean),
        )
    return text.try_cast(_TYPES[kind])


def as_engine(source: EngineSource) -> Engine:
    """An :class:`Engine` for what an analysis was given.

    An Engine is returned as it is; a Dataset is connected; a string or path is loaded
    with :func:`lerkit.datasets.load` (a dataset folder or a named dataset) first.
    """
    if isinstance(source, Engine):
        return source
    if isinstance(source, Dataset):
        return connect(source)
    if isinstance(source, str | os.PathLike):
        return connect(load(source))
    raise LerkitError(
        f"expected a Dataset, an Engine or a dataset folder/name, not {type(source).__name__}",
        code="invalid_argument",
    )
