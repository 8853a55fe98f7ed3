"""The query engine analyses aggregate in: Ibis over DuckDB (default) or another backend.

Every analysis builds Ibis expressions over :meth:`Engine.table` and brings back only
the small aggregated result with :meth:`Engine.execute`; statistics then run on that
frame with numpy/scipy/statsmodels. The same expressions run on any Ibis backend that
can read Parquet and CSV files: embedded DuckDB by default, Apache Spark through
``ibis.pyspark`` (``connect(dataset, backend="spark")``, the ``lerkit[spark]`` extra
and Java 17). There is one code path: the analyses never ask which backend they run on.

:func:`connect` opens an engine on a :class:`~lerkit.datasets.Dataset`: each table is a
lazy view over the file the dataset read for it (``dataset.sources[name].path``), so
nothing is materialized in pandas. Parquet columns keep their type when it is the
dictionary's (else they are cast to it); CSV files are read as text and typed per the
data dictionary by the loader's rules (:mod:`lerkit.datasets._sql`), in portable Ibis
so that every backend reads every cell alike: a value that does not read becomes
NULL, as in the dataset's own typed views; ``list`` columns are split on ``|``, blanks
around items and empty items dropped. Dictionary columns absent from a file are NULL
columns of the dictionary type.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import ibis  # type: ignore[import-untyped, unused-ignore]
import ibis.expr.datatypes as dt  # type: ignore[import-untyped, unused-ignore]
import ibis.expr.types as ir  # type: ignore[import-untyped, unused-ignore]
import pandas as pd

from lerkit.datasets import Dataset, load
from lerkit.errors import DatasetError, LerkitError

__all__ = ["SPARK_CONFIG", "SPARK_MASTER", "Engine", "EngineSource", "as_engine", "connect"]

#: Where the Spark session ``connect(backend="spark")`` starts runs: local mode, two
#: worker threads (CI machines and laptops; a cluster session is passed in instead).
SPARK_MASTER = "local[2]"

#: Settings of that session. The aggregated tables are small, so a few shuffle
#: partitions beat Spark's default 200 (each an empty task); no web UI (no port to
#: bind, nothing to serve in a test); timestamps are read and shown in UTC, as DuckDB
#: shows them; no console progress bars in notebooks and logs; results reach pandas
#: through Arrow (column-wise, not row by row).
SPARK_CONFIG: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "2",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}

_SPARK_MISSING = (
    "the Spark engine needs pyspark and Java 17: pip install 'lerkit[spark]' and install a "
    "Java 17 runtime (JAVA_HOME set, or java on PATH)"
)

#: How each backend reads every CSV cell as text, so that the dictionary casts below
#: decide the types (not each engine's own type sniffing). Spark: a doubled quote
#: inside a quoted cell is a quote (its default escape is a backslash) and a quoted cell
#: may span lines, as in DuckDB.
_CSV_AS_TEXT: dict[str, dict[str, Any]] = {
    "duckdb": {"all_varchar": True, "header": True},
    "pyspark": {"header": True, "inferSchema": False, "escape": '"', "multiLine": True},
}

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
    """Silence known deprecation warnings raised inside ibis 12 and pyspark, not by lerkit.

    ibis reads a view's schema with duckdb's deprecated ``fetch_arrow_table`` and
    converts results reading pandas' deprecated ``future.infer_string`` option;
    pyspark 4.0's ``toPandas`` passes ``copy=`` to ``astype``, deprecated in pandas 3,
    and leaves the socket it collected rows from for the garbage collector to close.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "fetch_arrow_table", DeprecationWarning)
        warnings.filterwarnings("ignore", ".*future.infer_string", Warning)
        warnings.filterwarnings("ignore", "The copy keyword is deprecated", Warning)
        warnings.filterwarnings("ignore", "unclosed <socket.socket", ResourceWarning)
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

    def require_original(self, table: str, *columns: str) -> None:
        """Refuse columns an anonymization generalized, for analyses that compute with
        their values (an age from ``birth_year``, a duration from a date).

        A no-op for an engine made without a dataset (its dictionary is unknown).

        Raises
        ------
        DatasetError
            ``generalized_column``, naming the column (see
            :meth:`lerkit.datasets.DataDictionary.require_original`).
        """
        if self.dataset is not None and table in self.dataset.dictionary.table_names:
            self.dataset.dictionary.require_original(table, *columns)

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
        if isinstance(result, pd.Series):
            result = result.to_frame()
        elif not isinstance(result, pd.DataFrame):
            return pd.DataFrame({"value": [result]})
        return _same_units(result)


def _same_units(frame: pd.DataFrame) -> pd.DataFrame:
    """Date-times in microseconds (the engines' own resolution), not nanoseconds.

    ibis hands DuckDB's timestamps to pandas in microseconds and Spark's in
    nanoseconds (dates come as seconds from both); one unit keeps result frames
    identical whichever engine ran.
    """
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values) and values.dt.unit == "ns":
            frame[column] = values.dt.as_unit("us")
    return frame


#: What analyses accept as their data: an Engine, a Dataset, or a dataset folder / name.
EngineSource = Engine | Dataset | str | os.PathLike[str]


def connect(dataset: Dataset, *, backend: str | Any = "duckdb") -> Engine:
    """Open an engine on a dataset: each table a lazy view over its file.

    Parameters
    ----------
    dataset : Dataset
        A loaded dataset (:func:`lerkit.datasets.load`).
    backend : "duckdb", "spark", ibis.BaseBackend or SparkSession
        ``"duckdb"`` (default) opens a private in-memory DuckDB connection.
        ``"spark"`` (or ``"pyspark"``) runs on Apache Spark: the active SparkSession is
        reused (a cluster's, say), else a local one is started (:data:`SPARK_MASTER`,
        :data:`SPARK_CONFIG`, log level ERROR) and kept for later calls. A SparkSession
        or an Ibis backend (e.g. ``ibis.pyspark.connect(session)``) is used as given;
        ibis sets a Spark session's time zone to UTC. Results are the same on every
        backend (floats to the last bits of a sum's order).

    Returns
    -------
    Engine

    Raises
    ------
    LerkitError
        ``invalid_argument`` for an unknown backend name; ``missing_dependency`` when
        ``"spark"`` is asked for and pyspark or Java is not installed.

    Examples
    --------
    >>> import lerkit as lk
    >>> connect(lk.datasets.load("pilot-default")).backend.name
    'duckdb'
    >>> engine = connect(lk.datasets.load("pilot-default"), backend="spark")  # doctest: +SKIP
    >>> engine.backend.name  # doctest: +SKIP
    'pyspark'
    """
    con = _backend(backend)
    # Spark's temporary views belong to the session, which other engines may share:
    # a name of this engine's own keeps a second dataset from replacing the first's.
    token = uuid.uuid4().hex[:12]
    tables: dict[str, ir.Table] = {}
    for name, source in dataset.sources.items():
        spec = dataset.dictionary.table(name)
        view = f"lerkit_{name}_{token}"
        if source.format == "parquet":
            with _quiet():
                raw = con.read_parquet(source.path, table_name=view)
        else:
            options = _CSV_AS_TEXT.get(con.name, {"header": True})
            with _quiet():
                raw = con.read_csv(source.path, table_name=view, **options)
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


def _backend(backend: Any) -> Any:
    """The Ibis backend ``connect`` was asked for."""
    if isinstance(backend, str):
        if backend == "duckdb":
            return ibis.duckdb.connect()
        if backend in ("spark", "pyspark"):
            return ibis.pyspark.connect(_spark_session())
        raise LerkitError(
            f"unknown engine backend {backend!r}: pass 'duckdb', 'spark' or an ibis backend",
            code="invalid_argument",
        )
    if type(backend).__name__ == "SparkSession" and type(backend).__module__.startswith("pyspark"):
        return ibis.pyspark.connect(backend)
    if not isinstance(backend, ibis.BaseBackend):
        raise LerkitError(
            f"engine backend must be 'duckdb', 'spark', an ibis backend or a SparkSession, "
            f"not {type(backend).__name__}",
            code="invalid_argument",
        )
    return backend


def _java() -> str | None:
    """The java executable Spark would start (``$JAVA_HOME/bin/java``, else PATH)."""
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / ("java.exe" if os.name == "nt" else "java")
        return str(candidate) if candidate.is_file() else None
    return shutil.which("java")


def _spark_session() -> Any:
    """The active SparkSession, else a new local one configured for small machines.

    Raises
    ------
    LerkitError
        ``missing_dependency`` without pyspark or Java.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as err:
        raise LerkitError(f"{_SPARK_MISSING} (pyspark: {err})", code="missing_dependency") from err
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    if _java() is None:
        raise LerkitError(f"{_SPARK_MISSING} (no java found)", code="missing_dependency")
    builder = SparkSession.builder.master(SPARK_MASTER).appName("lerkit")
    for key, value in SPARK_CONFIG.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as err:
        # pyspark only says that its Java gateway exited: no or too old a Java
        if "JAVA_GATEWAY_EXITED" in str(err) or "Java gateway" in str(err):
            raise LerkitError(
                f"{_SPARK_MISSING} (Java did not start: {err})", code="missing_dependency"
            ) from err
        raise
    session.sparkContext.setLogLevel("ERROR")
    return session


#: Blanks around a CSV cell (Python's whitespace). A regex, not ``strip()``: ibis 12
#: writes strip's character set for Spark SQL with ``\v`` and ``\f`` escapes that
#: Spark reads as the letters v and f, so ``"false"`` became ``"alse"``.
_BLANKS = r"^[ \t\n\r\x0b\x0c]+|[ \t\n\r\x0b\x0c]+$"

#: What a CSV cell must look like to be read as each type (the loader's rules, see
#: :mod:`lerkit.datasets._sql`); the engines' own casts are more lenient, and each
#: differently (DuckDB reads ``"1e3"`` as the integer 1000, Spark as NULL).
_PATTERNS: dict[str, str] = {
    "integer": r"^[+-]?[0-9]+(\.0*)?$",
    "number": r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$",
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "datetime": (
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}"
        r"(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$"
    ),
}


def _cast_text(value: Any, kind: str) -> ir.Value:
    """A CSV cell (text) in the dictionary type ``kind``, NULL when it does not read.

    Only portable Ibis: regex matches and replaces, ``try_cast`` of text that already
    has the shape of the type, so every backend reads every cell the same way.
    """
    if not value.type().is_string():
        # a backend without a read-as-text option typed the cell itself: start from text
        value = value.cast("string")
    trimmed = value.re_replace(_BLANKS, "")
    if kind in ("string", "category"):
        # kept as written, only a blank cell is missing; a line break inside a quoted
        # cell is "\n" (Spark's CSV reader turns "\r\n" into "\n" in a CRLF file)
        return ibis.ifelse(trimmed == "", ibis.null(dt.string), value.re_replace("\r\n", "\n"))
    text = trimmed.nullif("")
    if kind == "list":
        # blanks around items and empty items (``a||b``) are dropped, as the loader does
        joined = (
            text.re_replace(r"[ \t]*\|[ \t]*", "|")
            .re_replace(r"\|+", "|")
            .re_replace(r"^\||\|$", "")
        )
        return ibis.ifelse(
            joined == "", ibis.literal([], type=_TYPES["list"]), joined.re_split(r"\|")
        )
    if kind == "boolean":
        lowered = text.lower()
        return ibis.cases(
            (lowered.isin(["true", "yes", "1"]), True),
            (lowered.isin(["false", "no", "0"]), False),
            else_=ibis.null(dt.boolean),
        )
    number = text
    if kind == "integer":
        # a whole number written with ".0" (pandas writes a float column so) is read
        number = text.re_replace(r"\.0*$", "")
    return ibis.ifelse(
        text.re_search(_PATTERNS[kind]), number.try_cast(_TYPES[kind]), ibis.null(_TYPES[kind])
    )


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
