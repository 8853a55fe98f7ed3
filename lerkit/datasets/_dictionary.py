"""The data dictionary of a pilot dataset: every table and column, its type and rules.

``dictionary.yaml`` (packaged beside this module, copied into every dataset folder)
is parsed into frozen records: :class:`DataDictionary` holds :class:`TableSpec` s,
each holding :class:`ColumnSpec` s, plus the :class:`AnalysisSpec` s naming what each
analysis needs. The dictionary itself is checked when it is read: an unknown type, a
``references`` or ``values_from`` pointing nowhere, a pattern DuckDB cannot compile,
a misspelt rule name... each raises :class:`~lerkit.errors.DatasetError` (code
``invalid_dictionary``) naming the file and the path inside it, e.g.
``tables.learners.columns.gender.type``.

A dataset's own copy must be *compatible* with the packaged dictionary (see
:func:`dataset_dictionary`): the same ``version``, and no rule of the packaged
dictionary loosened. It may add tables and columns, and tighten rules.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast, get_args

import yaml

from lerkit.errors import DatasetError

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "COLUMN_TYPES",
    "PRIVACY_ROLES",
    "AnalysisSpec",
    "ColumnSpec",
    "ColumnType",
    "DataDictionary",
    "Generalization",
    "PrivacyRole",
    "TableSpec",
    "dataset_dictionary",
    "default_dictionary",
    "default_dictionary_path",
    "load_dictionary",
    "parse_dictionary",
]

ColumnType = Literal[
    "string", "integer", "number", "boolean", "date", "datetime", "category", "list"
]
PrivacyRole = Literal["direct_identifier", "quasi_identifier", "sensitive", "none"]

#: Every column type a dictionary may use.
COLUMN_TYPES: tuple[ColumnType, ...] = get_args(ColumnType)
#: Every privacy role, from the most to the least protected.
PRIVACY_ROLES: tuple[PrivacyRole, ...] = get_args(PrivacyRole)

#: A range bound: a number for integer/number columns, a date for date columns,
#: a date-time for datetime columns.
Bound = int | float | dt.date | dt.datetime

_COLUMN_KEYS = frozenset(
    {
        "type",
        "required",
        "privacy",
        "description",
        "values",
        "values_from",
        "min",
        "max",
        "pattern",
        "unique",
        "references",
        "unit",
        "hierarchy",
        "file_path",
        "sha256_of",
        "generalized",
    }
)
_GENERALIZED_KEYS = frozenset({"column", "step", "level", "hierarchy"})
#: Steps a generalized column may name besides its hierarchy's: everything in one
#: group, and Mondrian's per-class ranges (computed along the same hierarchy).
_ANY_STEPS = frozenset({"*", "mondrian"})
_TABLE_KEYS = frozenset({"description", "primary_key", "required", "columns"})
_TOP_KEYS = frozenset({"version", "tables", "analyses"})
_RANGED = frozenset({"integer", "number", "date", "datetime"})
_PATTERNED = frozenset({"string", "list"})
_KEY_TYPES = frozenset({"string", "integer", "category", "date"})


@dataclass(frozen=True, slots=True)
class Generalization:
    """How an anonymizer generalized a column (the ``generalized:`` note of a column).

    Attributes
    ----------
    column : str
        The original column (of the same table) whose values were generalized.
    step : str
        The hierarchy step applied (``5-year band``, ``census region``, ``month``), or
        ``*`` (everything one group) or ``mondrian`` (Mondrian's per-class ranges).
    level : int
        The step's level in the hierarchy (0 = original values; -1 for Mondrian).
    hierarchy : tuple of str
        The hierarchy the level counts in, as the source dictionary declared it.
    """

    column: str
    step: str
    level: int
    hierarchy: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column of a table, as the dictionary defines it.

    Attributes
    ----------
    table, name : str
        Where the column lives.
    type : ColumnType
        ``string``, ``integer``, ``number``, ``boolean``, ``date``, ``datetime``,
        ``category`` or ``list`` (a list of strings).
    required : bool
        The column must be present and never empty.
    privacy : PrivacyRole
        ``direct_identifier``, ``quasi_identifier``, ``sensitive`` or ``none``.
    description : str
        What the column means, for the people filling in a template.
    values : tuple of (code, label) pairs
        The allowed codes of a category column, in dictionary order, with their labels
        (copied from the other column when the dictionary says ``values_from``).
    values_from : str or None
        ``TABLE.COLUMN`` the codes were copied from.
    min, max : int, float, datetime.date, datetime.datetime or None
        The allowed range, inclusive.
    pattern : str or None
        A regular expression every value (every item of a list) must match in full.
    unique : bool
        No two rows share a value.
    references : str or None
        ``TABLE.COLUMN`` every non-empty value (every list item) must exist in.
    unit : str or None
        What a number counts.
    hierarchy : tuple of str
        Generalization steps for anonymization, finest first.
    file_path : bool
        The value is a file path relative to the dataset folder; the file must exist.
    sha256_of : str or None
        The value is the SHA-256 of the file named by this other column of the row.
    generalized : Generalization or None
        Set in an anonymized dataset's dictionary: the column holds the labels of a
        hierarchy level (its ``values``), not the original values. Analyses that need
        the original values (an age from ``birth_year``) cannot use it.
    """

    table: str
    name: str
    type: ColumnType
    required: bool
    privacy: PrivacyRole
    description: str = ""
    values: tuple[tuple[str, str], ...] = ()
    values_from: str | None = None
    min: Bound | None = None
    max: Bound | None = None
    pattern: str | None = None
    unique: bool = False
    references: str | None = None
    unit: str | None = None
    hierarchy: tuple[str, ...] = ()
    file_path: bool = False
    sha256_of: str | None = None
    generalized: Generalization | None = None

    @property
    def qualified_name(self) -> str:
        """``TABLE.COLUMN``.

        >>> default_dictionary().table("learners").column("gender").qualified_name
        'learners.gender'
        """
        return f"{self.table}.{self.name}"

    @property
    def codes(self) -> tuple[str, ...]:
        """The allowed codes of a category column, in dictionary order (else empty).

        >>> default_dictionary().table("learners").column("cohort").codes
        ('ler', 'comparison')
        """
        return tuple(code for code, _label in self.values)

    @property
    def labels(self) -> dict[str, str]:
        """``{code: label}`` for a category column, for reports."""
        return dict(self.values)

    @property
    def reference(self) -> tuple[str, str] | None:
        """``(table, column)`` this column references, or None."""
        if self.references is None:
            return None
        table, column = self.references.split(".", 1)
        return table, column


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One table of a dataset: its columns (in dictionary order) and primary key."""

    name: str
    description: str
    primary_key: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    #: a dataset without this table is incomplete (a warning for a partial pilot)
    required: bool = True

    @property
    def column_names(self) -> tuple[str, ...]:
        """Column names in dictionary order (the order of template headers)."""
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> ColumnSpec:
        """The column called ``name``.

        Raises
        ------
        DatasetError
            If the table has no such column (code ``unknown_column``).
        """
        for column in self.columns:
            if column.name == name:
                return column
        raise DatasetError(
            f"table {self.name!r} has no column {name!r}; columns: {', '.join(self.column_names)}",
            code="unknown_column",
        )

    def has_column(self, name: str) -> bool:
        """Whether the dictionary defines column ``name`` for this table."""
        return any(column.name == name for column in self.columns)


@dataclass(frozen=True, slots=True)
class AnalysisSpec:
    """What one analysis (``lerkit.analysis``) needs: tables and, in each, columns."""

    name: str
    needs: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def tables(self) -> tuple[str, ...]:
        """The tables the analysis reads."""
        return tuple(table for table, _columns in self.needs)


@dataclass(frozen=True, slots=True)
class DataDictionary:
    """A parsed, checked data dictionary.

    Examples
    --------
    >>> dictionary = default_dictionary()
    >>> dictionary.table("learners").primary_key
    ('learner_id',)
    >>> [c.qualified_name for c in dictionary.columns_with_role("sensitive")][:2]
    ['learners.race_ethnicity', 'learners.disability']
    """

    version: int
    tables: tuple[TableSpec, ...]
    analyses: tuple[AnalysisSpec, ...]
    #: the YAML file it was read from (None when parsed from a mapping)
    source: Path | None = None

    @property
    def table_names(self) -> tuple[str, ...]:
        """Table names in dictionary order."""
        return tuple(table.name for table in self.tables)

    def table(self, name: str) -> TableSpec:
        """The table called ``name``.

        Raises
        ------
        DatasetError
            If the dictionary has no such table (code ``unknown_table``).
        """
        for table in self.tables:
            if table.name == name:
                return table
        raise DatasetError(
            f"the data dictionary has no table {name!r}; tables: {', '.join(self.table_names)}",
            code="unknown_table",
        )

    def has_table(self, name: str) -> bool:
        """Whether the dictionary defines table ``name``."""
        return any(table.name == name for table in self.tables)

    def column(self, qualified_name: str) -> ColumnSpec:
        """The column ``TABLE.COLUMN``.

        >>> default_dictionary().column("outcomes.hourly_wage").unit
        'USD per hour'
        """
        table, _, column = qualified_name.partition(".")
        return self.table(table).column(column)

    def columns(self) -> tuple[ColumnSpec, ...]:
        """Every column of every table, in dictionary order."""
        return tuple(column for table in self.tables for column in table.columns)

    def columns_with_role(self, role: PrivacyRole) -> tuple[ColumnSpec, ...]:
        """Every column with privacy role ``role``, for anonymization.

        >>> [c.name for c in default_dictionary().columns_with_role("quasi_identifier")][:3]
        ['birth_year', 'gender', 'veteran']
        """
        if role not in PRIVACY_ROLES:
            raise DatasetError(
                f"unknown privacy role {role!r}; expected one of {', '.join(PRIVACY_ROLES)}",
                code="unknown_privacy_role",
            )
        return tuple(column for column in self.columns() if column.privacy == role)

    def hierarchies(self) -> dict[str, tuple[str, ...]]:
        """``{"TABLE.COLUMN": generalization steps}`` for every column that has some.

        >>> default_dictionary().hierarchies()["learners.region"]
        ('census region', 'national')
        """
        return {
            column.qualified_name: column.hierarchy for column in self.columns() if column.hierarchy
        }

    def generalized_columns(self) -> tuple[ColumnSpec, ...]:
        """Every column an anonymizer generalized (``generalized:`` set), in order."""
        return tuple(column for column in self.columns() if column.generalized is not None)

    def require_original(self, table: str, *columns: str) -> None:
        """Check that columns hold original values, for analyses that compute with them.

        An anonymized dataset's generalized columns hold group labels (``1980-1984``,
        ``2025-03``): an age computed from ``birth_year`` or a duration from a date
        cannot be. Analyses call this before building such expressions, so the user
        gets this message instead of a type error from the query engine.

        Raises
        ------
        DatasetError
            ``generalized_column`` naming the column, its step and the original.

        Examples
        --------
        >>> default_dictionary().require_original("learners", "birth_year", "enrolled_on")
        """
        spec = self.table(table)
        for name in columns:
            if not spec.has_column(name):
                continue
            found = spec.column(name).generalized
            if found is not None:
                raise DatasetError(
                    f"column {table}.{name} is generalized ({found.step!r}, level "
                    f"{found.level} of the hierarchy of {table}.{found.column}): it holds "
                    "group labels, and this analysis needs the original values",
                    code="generalized_column",
                )

    def analysis(self, name: str) -> AnalysisSpec:
        """The analysis called ``name``.

        Raises
        ------
        DatasetError
            If the dictionary names no such analysis (code ``unknown_analysis``).
        """
        for analysis in self.analyses:
            if analysis.name == name:
                return analysis
        raise DatasetError(
            f"the data dictionary names no analysis {name!r}; analyses: "
            + ", ".join(a.name for a in self.analyses),
            code="unknown_analysis",
        )

    def analyses_needing(self, table: str, column: str | None = None) -> tuple[str, ...]:
        """Names of the analyses that read ``table`` (or its ``column``)."""
        return tuple(
            analysis.name
            for analysis in self.analyses
            for name, columns in analysis.needs
            if name == table and (column is None or column in columns)
        )


# -- reading --------------------------------------------------------------------------------


def default_dictionary_path() -> Path:
    """The dictionary packaged with lerkit (``lerkit/datasets/dictionary.yaml``)."""
    return Path(str(resources.files("lerkit.datasets").joinpath("dictionary.yaml")))


_DEFAULT: list[DataDictionary] = []


def default_dictionary() -> DataDictionary:
    """The packaged data dictionary, parsed once.

    >>> default_dictionary().version
    1
    """
    if not _DEFAULT:
        _DEFAULT.append(load_dictionary(default_dictionary_path()))
    return _DEFAULT[0]


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise DatasetError(
            f"no data dictionary at {str(path)!r}", code="invalid_dictionary"
        ) from err
    except (OSError, UnicodeDecodeError) as err:
        raise DatasetError(
            f"cannot read the data dictionary {str(path)!r}: {err}", code="invalid_dictionary"
        ) from err
    try:
        return yaml.load(text, Loader=_YamlLoader)  # noqa: S506  # a safe loader
    except yaml.YAMLError as err:
        raise DatasetError(
            f"{path}: not valid YAML: {_yaml_error(err)}", code="invalid_dictionary"
        ) from err


_YamlLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml_error(err: yaml.YAMLError) -> str:
    """``problem (line L, column C)`` from a PyYAML error, on one line."""
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    mark = getattr(err, "problem_mark", None)
    if mark is not None:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    return str(problem)


def load_dictionary(path: str | os.PathLike[str]) -> DataDictionary:
    """Read and check a ``dictionary.yaml`` on its own (no compatibility check).

    Parameters
    ----------
    path : str or os.PathLike
        The YAML file.

    Returns
    -------
    DataDictionary

    Raises
    ------
    DatasetError
        ``invalid_dictionary`` if the file is missing, is not YAML or breaks the rule
        format; the message names the file and the path inside it.

    Examples
    --------
    >>> load_dictionary(default_dictionary_path()).table("outcomes").primary_key
    ('learner_id', 'period')
    """
    source = Path(path)
    return parse_dictionary(_read_yaml(source), source=source)


def parse_dictionary(data: Any, *, source: str | os.PathLike[str] | None = None) -> DataDictionary:
    """Check a dictionary already read from YAML (a mapping) and build the records.

    Examples
    --------
    >>> d = parse_dictionary({"version": 1, "tables": {"t": {"primary_key": ["id"],
    ...     "columns": {"id": {"type": "string", "required": True, "privacy": "none"}}}}})
    >>> d.table("t").column("id").type
    'string'
    >>> parse_dictionary({"version": 1, "tables": {"t": {"columns": {"id": {"type": "text",
    ...     "required": True, "privacy": "none"}}}}}, source="d.yaml")
    Traceback (most recent call last):
    ...
    lerkit.errors.DatasetError: d.yaml: tables.t.columns.id.type: unknown type 'text'; expected one of string, integer, number, boolean, date, datetime, category, list
    """
    return _Parser(Path(source) if source is not None else None).parse(data)


class _Parser:
    def __init__(self, source: Path | None) -> None:
        self.source = source
        self._con: duckdb.DuckDBPyConnection | None = None

    def fail(self, where: str, message: str) -> DatasetError:
        prefix = f"{self.source}: " if self.source is not None else ""
        return DatasetError(f"{prefix}{where}: {message}", code="invalid_dictionary")

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a mapping, got {_kind(value)}")
        for key in value:
            if not isinstance(key, str):
                raise self.fail(where, f"key {key!r} is not a string (quote it in the YAML)")
        return cast("dict[str, Any]", value)

    def check_keys(self, value: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise self.fail(
                where,
                f"unknown field {unknown[0]!r}; expected some of {', '.join(sorted(allowed))}",
            )

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise self.fail(where, f"expected a string, got {_kind(value)}")
        return value

    def flag(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, f"expected true or false, got {_kind(value)}")
        return value

    def names(self, value: Any, where: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list, got {_kind(value)}")
        return tuple(self.text(item, f"{where}[{i}]") for i, item in enumerate(value))

    def parse(self, data: Any) -> DataDictionary:
        try:
            return self._parse(data)
        finally:
            if self._con is not None:
                self._con.close()
                self._con = None

    def _parse(self, data: Any) -> DataDictionary:
        top = self.mapping(data, "top level")
        self.check_keys(top, _TOP_KEYS, "top level")
        version = top.get("version")
        if isinstance(version, bool) or not isinstance(version, int):
            raise self.fail("version", f"expected an integer, got {_kind(version)}")
        raw_tables = self.mapping(top.get("tables"), "tables")
        if not raw_tables:
            raise self.fail("tables", "no tables")
        raw_columns: dict[str, dict[str, dict[str, Any]]] = {}
        for table_name, raw_table in raw_tables.items():
            where = f"tables.{table_name}"
            table = self.mapping(raw_table, where)
            self.check_keys(table, _TABLE_KEYS, where)
            columns = self.mapping(table.get("columns"), f"{where}.columns")
            if not columns:
                raise self.fail(f"{where}.columns", "no columns")
            raw_columns[table_name] = {
                name: self.mapping(spec, f"{where}.columns.{name}")
                for name, spec in columns.items()
            }
        tables = tuple(
            self.table(name, self.mapping(raw_tables[name], f"tables.{name}"), raw_columns)
            for name in raw_tables
        )
        dictionary = DataDictionary(version=version, tables=tables, analyses=(), source=self.source)
        self.check_links(dictionary)
        analyses = self.analyses(top.get("analyses", {}), dictionary)
        return DataDictionary(version=version, tables=tables, analyses=analyses, source=self.source)

    def table(
        self, name: str, raw: dict[str, Any], raw_columns: dict[str, dict[str, dict[str, Any]]]
    ) -> TableSpec:
        where = f"tables.{name}"
        if not _IDENTIFIER.fullmatch(name):
            raise self.fail(where, f"table name {name!r} is not a lower-case identifier")
        columns = tuple(
            self.column(name, column, spec, raw_columns)
            for column, spec in raw_columns[name].items()
        )
        names = {column.name for column in columns}
        key = self.names(raw.get("primary_key", []), f"{where}.primary_key")
        for i, part in enumerate(key):
            if part not in names:
                raise self.fail(
                    f"{where}.primary_key[{i}]", f"no column {part!r} in table {name!r}"
                )
            spec = next(column for column in columns if column.name == part)
            if not spec.required:
                raise self.fail(
                    f"{where}.primary_key[{i}]",
                    f"primary key column {part!r} must be required: true",
                )
            if spec.type not in _KEY_TYPES:
                raise self.fail(
                    f"{where}.primary_key[{i}]",
                    f"primary key column {part!r} has type {spec.type!r}; keys must be "
                    + ", ".join(sorted(_KEY_TYPES)),
                )
        if len(set(key)) != len(key):
            raise self.fail(f"{where}.primary_key", "names a column twice")
        return TableSpec(
            name=name,
            description=self.text(raw.get("description", ""), f"{where}.description").strip(),
            primary_key=key,
            columns=columns,
            required=self.flag(raw.get("required", True), f"{where}.required"),
        )

    def column(
        self,
        table: str,
        name: str,
        raw: dict[str, Any],
        raw_columns: dict[str, dict[str, dict[str, Any]]],
    ) -> ColumnSpec:
        where = f"tables.{table}.columns.{name}"
        if not _IDENTIFIER.fullmatch(name):
            raise self.fail(where, f"column name {name!r} is not a lower-case identifier")
        self.check_keys(raw, _COLUMN_KEYS, where)
        kind = raw.get("type")
        if kind not in COLUMN_TYPES:
            raise self.fail(
                f"{where}.type",
                f"unknown type {kind!r}; expected one of {', '.join(COLUMN_TYPES)}",
            )
        column_type = cast("ColumnType", kind)
        if "required" not in raw:
            raise self.fail(where, "no 'required' field (true or false)")
        required = self.flag(raw["required"], f"{where}.required")
        privacy = raw.get("privacy")
        if privacy not in PRIVACY_ROLES:
            raise self.fail(
                f"{where}.privacy",
                f"unknown privacy role {privacy!r}; expected one of {', '.join(PRIVACY_ROLES)}",
            )
        values = self.values(table, name, raw, raw_columns, column_type)
        low = self.bound(raw, "min", column_type, where)
        high = self.bound(raw, "max", column_type, where)
        if low is not None and high is not None and _gt(low, high):
            raise self.fail(where, f"min {low!r} is greater than max {high!r}")
        pattern = raw.get("pattern")
        if pattern is not None:
            pattern = self.text(pattern, f"{where}.pattern")
            if column_type not in _PATTERNED:
                raise self.fail(
                    f"{where}.pattern", f"a pattern needs type string or list, not {kind}"
                )
            self.check_pattern(pattern, f"{where}.pattern")
        references = raw.get("references")
        if references is not None:
            references = self.text(references, f"{where}.references")
        hierarchy = self.names(raw.get("hierarchy", []), f"{where}.hierarchy")
        unit = raw.get("unit")
        if unit is not None:
            unit = self.text(unit, f"{where}.unit")
        file_path = self.flag(raw.get("file_path", False), f"{where}.file_path")
        if file_path and column_type != "string":
            raise self.fail(f"{where}.file_path", f"file_path needs type string, not {kind}")
        sha256_of = raw.get("sha256_of")
        if sha256_of is not None:
            sha256_of = self.text(sha256_of, f"{where}.sha256_of")
            target = raw_columns[table].get(sha256_of)
            if target is None or not target.get("file_path", False):
                raise self.fail(
                    f"{where}.sha256_of",
                    f"{sha256_of!r} is not a column of {table!r} with file_path: true",
                )
        values_from = raw.get("values_from")
        generalized = self.generalization(raw, name, column_type, where)
        return ColumnSpec(
            table=table,
            name=name,
            type=column_type,
            required=required,
            privacy=cast("PrivacyRole", privacy),
            description=self.text(raw.get("description", ""), f"{where}.description").strip(),
            values=values,
            values_from=values_from,
            min=low,
            max=high,
            pattern=pattern,
            unique=self.flag(raw.get("unique", False), f"{where}.unique"),
            references=references,
            unit=unit,
            hierarchy=hierarchy,
            file_path=file_path,
            sha256_of=sha256_of,
            generalized=generalized,
        )

    def generalization(
        self, raw: Mapping[str, Any], name: str, column_type: ColumnType, where: str
    ) -> Generalization | None:
        if "generalized" not in raw:
            return None
        field = f"{where}.generalized"
        note = self.mapping(raw["generalized"], field)
        self.check_keys(note, _GENERALIZED_KEYS, field)
        for key in ("column", "step", "level"):
            if key not in note:
                raise self.fail(field, f"no {key!r} field")
        column = self.text(note["column"], f"{field}.column")
        if column != name:
            # generalized in place: the label column takes the original's name
            raise self.fail(f"{field}.column", f"names {column!r}, not the column {name!r}")
        level = note["level"]
        if isinstance(level, bool) or not isinstance(level, int) or level < -1:
            raise self.fail(f"{field}.level", f"expected an integer >= -1, got {_kind(level)}")
        if column_type != "category":
            raise self.fail(
                field, f"a generalized column has type category (its labels), not {column_type}"
            )
        for rule in ("references", "pattern", "min", "max", "file_path", "sha256_of"):
            if rule in raw:
                raise self.fail(
                    f"{where}.{rule}",
                    f"a generalized column holds labels: {rule} describes original values",
                )
        return Generalization(
            column=column,
            step=self.text(note["step"], f"{field}.step"),
            level=level,
            hierarchy=self.names(note.get("hierarchy", []), f"{field}.hierarchy"),
        )

    def values(
        self,
        table: str,
        name: str,
        raw: dict[str, Any],
        raw_columns: dict[str, dict[str, dict[str, Any]]],
        column_type: ColumnType,
    ) -> tuple[tuple[str, str], ...]:
        where = f"tables.{table}.columns.{name}"
        has_values, has_from = "values" in raw, "values_from" in raw
        if column_type != "category":
            if has_values or has_from:
                field = "values" if has_values else "values_from"
                raise self.fail(f"{where}.{field}", f"only category columns have {field}")
            return ()
        if has_values == has_from:
            raise self.fail(where, "a category column needs exactly one of values, values_from")
        seen = [f"{table}.{name}"]
        while "values_from" in raw:
            field = f"{where}.values_from"
            target = self.text(raw["values_from"], field)
            other_table, _, other_column = target.partition(".")
            found = raw_columns.get(other_table, {}).get(other_column)
            if found is None:
                raise self.fail(field, f"{target!r} is not a column of the dictionary")
            if found.get("type") != "category":
                raise self.fail(field, f"{target!r} is not a category column")
            if target in seen:
                raise self.fail(field, f"values_from loops: {' -> '.join([*seen, target])}")
            seen.append(target)
            raw, where = found, f"tables.{other_table}.columns.{other_column}"
        codes = self.mapping(raw.get("values"), f"{where}.values")
        if not codes:
            raise self.fail(f"{where}.values", "no allowed values")
        return tuple(
            (code, self.text(label, f"{where}.values.{code}")) for code, label in codes.items()
        )

    def bound(
        self, raw: Mapping[str, Any], field: str, column_type: str, where: str
    ) -> Bound | None:
        if field not in raw:
            return None
        value = raw[field]
        if column_type not in _RANGED:
            raise self.fail(
                f"{where}.{field}",
                f"{field} needs type integer, number, date or datetime, not {column_type}",
            )
        if column_type in ("integer", "number"):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if column_type == "integer":
                ok = ok and isinstance(value, int)
        elif column_type == "date":
            ok = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
        else:
            ok = isinstance(value, dt.datetime)
        if not ok:
            raise self.fail(f"{where}.{field}", f"{value!r} is not a valid {column_type} bound")
        return cast("Bound", value)

    def check_pattern(self, pattern: str, where: str) -> None:
        try:
            re.compile(pattern)
        except re.error as err:
            raise self.fail(where, f"invalid regular expression {pattern!r}: {err}") from err
        # the loader matches in DuckDB (RE2 syntax: no look-around, no back-references)
        import duckdb

        if self._con is None:
            self._con = duckdb.connect()
        try:
            self._con.execute("SELECT regexp_full_match('', ?)", [pattern]).fetchall()
        except duckdb.Error as err:
            raise self.fail(
                where, f"regular expression {pattern!r} is not RE2 syntax: {err}"
            ) from err

    def check_links(self, dictionary: DataDictionary) -> None:
        for table in dictionary.tables:
            for column in table.columns:
                if column.references is None:
                    continue
                where = f"tables.{table.name}.columns.{column.name}.references"
                target_table, _, target_name = column.references.partition(".")
                if not dictionary.has_table(target_table) or not dictionary.table(
                    target_table
                ).has_column(target_name):
                    raise self.fail(
                        where, f"{column.references!r} is not a column of the dictionary"
                    )
                target = dictionary.table(target_table).column(target_name)
                key = dictionary.table(target_table).primary_key
                if key != (target_name,) and not target.unique:
                    raise self.fail(
                        where,
                        f"{column.references!r} is neither the primary key of {target_table!r} "
                        "nor unique: true",
                    )
                item_type = "string" if column.type == "list" else column.type
                if item_type != target.type:
                    raise self.fail(
                        where,
                        f"{column.qualified_name} ({column.type}) cannot reference "
                        f"{target.qualified_name} ({target.type})",
                    )

    def analyses(self, raw: Any, dictionary: DataDictionary) -> tuple[AnalysisSpec, ...]:
        found = self.mapping(raw, "analyses")
        specs = []
        for name, needs in found.items():
            where = f"analyses.{name}"
            tables = self.mapping(needs, where)
            parts = []
            for table, columns in tables.items():
                if not dictionary.has_table(table):
                    raise self.fail(f"{where}.{table}", f"no table {table!r} in the dictionary")
                names = self.names(columns, f"{where}.{table}")
                for i, column in enumerate(names):
                    if not dictionary.table(table).has_column(column):
                        raise self.fail(
                            f"{where}.{table}[{i}]", f"no column {column!r} in {table!r}"
                        )
                parts.append((table, names))
            specs.append(AnalysisSpec(name=name, needs=tuple(parts)))
        return tuple(specs)


_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f"the string {value!r}"
    return f"{type(value).__name__} {value!r}"[:80]


def _gt(low: Bound, high: Bound) -> bool:
    return bool(low > high)  # type: ignore[operator]  # same type: checked by bound()


# -- a dataset's own copy -------------------------------------------------------------------


def dataset_dictionary(
    path: str | os.PathLike[str], base: DataDictionary | None = None
) -> DataDictionary:
    """The dictionary a dataset is validated with: its own copy merged over the packaged one.

    A dataset folder's ``dictionary.yaml`` is *compatible* with the packaged dictionary
    (``base``) when:

    - it has the same ``version``;
    - every table and column it shares with ``base`` keeps its type, primary key,
      ``references``, ``pattern``, ``file_path`` and ``sha256_of``; allows no category code
      ``base`` does not; keeps ``min``/``max`` within ``base``'s; does not turn
      ``required`` or ``unique`` off; and changes a privacy role only from ``none`` or
      to ``direct_identifier`` (never loosening what anonymization protects).

    One exception, for anonymized datasets: a column with a ``generalized:`` note
    (``column``, ``step``, ``level``, ``hierarchy``; written by
    :func:`lerkit.anonymize.anonymize_dataset`) holds the labels of a hierarchy level
    instead of original values. It must be type ``category`` listing those labels as
    its ``values``, name a step of the column's hierarchy in ``base`` (or ``*``, or
    ``mondrian``), and carry no ``references``, ``pattern``, ``min``/``max``,
    ``file_path`` or ``sha256_of`` (they describe original values); ``required``,
    ``unique`` and the privacy role are checked as for any column. Every other column
    is checked as above.

    It may add tables and columns (a pilot's own data, then validated by their rules)
    and tighten rules (e.g. fewer allowed codes, ``required: true``). Tables and
    columns it leaves out are kept from ``base``, so a shortened copy narrows nothing
    silently; ``analyses`` always come from ``base`` (they describe this lerkit's
    analyses). A column entry in the copy replaces ``base``'s entry for that column.

    Parameters
    ----------
    path : str or os.PathLike
        The dataset's ``dictionary.yaml``.
    base : DataDictionary, optional
        What it must be compatible with (default: the packaged dictionary).

    Raises
    ------
    DatasetError
        ``invalid_dictionary`` if the copy is not a valid dictionary;
        ``incompatible_dictionary`` (listing every loosened rule) if it is not compatible.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> copy = pathlib.Path(tempfile.mkdtemp()) / "dictionary.yaml"
    >>> _ = copy.write_text("version: 1\\ntables:\\n  learners:\\n    columns:\\n"
    ...     "      birth_year: {type: integer, required: true, privacy: quasi_identifier}\\n")
    >>> dataset_dictionary(copy)
    Traceback (most recent call last):
    ...
    lerkit.errors.DatasetError: .../dictionary.yaml is not compatible with the packaged data dictionary (version 1): learners.birth_year: min 1940 removed; learners.birth_year: max 2010 removed
    """
    base = base if base is not None else default_dictionary()
    source = Path(path)
    raw = _read_yaml(source)
    parser = _Parser(source)
    top = parser.mapping(raw, "top level")
    version = top.get("version")
    if version != base.version:
        raise DatasetError(
            f"{source} has dictionary version {version!r}; this lerkit reads version "
            f"{base.version} (regenerate the dataset or use a matching lerkit)",
            code="incompatible_dictionary",
        )
    base_raw = _read_yaml(base.source) if base.source is not None else None
    if not isinstance(base_raw, dict):
        raise DatasetError(
            "the base dictionary must be read from a file to merge a copy over it",
            code="invalid_dictionary",
        )
    merged = _merge(base_raw, top, parser)
    dictionary = parser.parse(merged)
    loosened = list(_loosened(base, dictionary))
    if loosened:
        base_name = (
            "the packaged data dictionary"
            if base.source == default_dictionary_path()
            else str(base.source)
        )
        raise DatasetError(
            f"{source} is not compatible with {base_name} (version {base.version}): "
            + "; ".join(loosened),
            code="incompatible_dictionary",
        )
    return dictionary


def _merge(base: dict[str, Any], copy_top: dict[str, Any], parser: _Parser) -> dict[str, Any]:
    parser.check_keys(copy_top, _TOP_KEYS, "top level")
    merged = copy.deepcopy(base)
    tables: dict[str, Any] = merged["tables"]
    for name, raw_table in parser.mapping(copy_top.get("tables", {}), "tables").items():
        table = parser.mapping(raw_table, f"tables.{name}")
        if name not in tables:
            tables[name] = copy.deepcopy(table)
            continue
        target = tables[name]
        for key, value in table.items():
            if key == "columns":
                columns = parser.mapping(value, f"tables.{name}.columns")
                target.setdefault("columns", {}).update(copy.deepcopy(columns))
            else:
                target[key] = copy.deepcopy(value)
    return merged


def _loosened(base: DataDictionary, merged: DataDictionary) -> Iterable[str]:
    for table in base.tables:
        other = merged.table(table.name)
        if other.primary_key != table.primary_key:
            yield (
                f"{table.name}: primary key changed from {list(table.primary_key)} "
                f"to {list(other.primary_key)}"
            )
        if table.required and not other.required:
            yield f"{table.name}: required changed to false"
        for column in table.columns:
            yield from _column_loosened(column, other.column(column.name))


def _step_key(step: str) -> str:
    return " ".join(step.strip().lower().split())


def _step_loosened(base: ColumnSpec, other: ColumnSpec) -> Iterable[str]:
    """A generalized column holds labels of one of ``base``'s own hierarchy steps."""
    note = other.generalized
    assert note is not None
    # '*' and Mondrian's ranges need no declared step: every column has a top level
    if _step_key(note.step) not in {_step_key(s) for s in base.hierarchy} | _ANY_STEPS:
        yield (
            f"{base.qualified_name}: generalized to {note.step!r}, which is not a step of "
            f"its hierarchy {list(base.hierarchy)}"
        )


def _column_loosened(base: ColumnSpec, other: ColumnSpec) -> Iterable[str]:
    name = base.qualified_name
    # a generalized column's step stands for its type, codes, range and pattern rules
    # (they describe original values); required, unique and privacy hold as for any
    generalized = other.generalized is not None
    if generalized:
        yield from _step_loosened(base, other)
    elif other.type != base.type:
        yield f"{name}: type changed from {base.type} to {other.type}"
        return
    if base.required and not other.required:
        yield f"{name}: required changed to false"
    if base.unique and not other.unique:
        yield f"{name}: unique changed to false"
    if not generalized:
        yield from _value_rules_loosened(base, other)
    if other.privacy != base.privacy and not (
        base.privacy == "none" or other.privacy == "direct_identifier"
    ):
        yield f"{name}: privacy changed from {base.privacy} to {other.privacy}"


def _value_rules_loosened(base: ColumnSpec, other: ColumnSpec) -> Iterable[str]:
    """Allowed codes, range, pattern, references and file rules widened or dropped."""
    name = base.qualified_name
    extra = [code for code in other.codes if code not in base.codes]
    if extra:
        yield f"{name}: allows codes not in the packaged dictionary: {', '.join(extra)}"
    for field in ("min", "max"):
        old, new = getattr(base, field), getattr(other, field)
        if old is None:
            continue
        if new is None:
            yield f"{name}: {field} {old} removed"
        elif (field == "min" and _gt(old, new)) or (field == "max" and _gt(new, old)):
            yield f"{name}: {field} widened from {old} to {new}"
    for field in ("pattern", "references", "sha256_of"):
        old, new = getattr(base, field), getattr(other, field)
        if old is not None and new != old:
            yield f"{name}: {field} changed from {old!r} to {new!r}"
    if base.file_path and not other.file_path:
        yield f"{name}: file_path changed to false"
