"""The SQL the loader runs in DuckDB: typed column expressions and one query per rule.

Nothing here touches a connection; :mod:`lerkit.datasets._loader` runs the queries.
Each table file is a *raw view* (``_lerkit_raw_<table>``): the file's columns as read
(CSV: every column VARCHAR) plus ``__lerkit_row``, the 1-based data row number. For
each dictionary column a :class:`ColumnPlan` gives the SQL that turns the raw value
into the dictionary type, NULL when empty or unparseable; each rule is a ``SELECT``
yielding problem rows (severity, table, row, column, code, message, value).

How text is read (CSV files, and Parquet columns of another type than the dictionary's):

- empty: a cell that is empty or only blanks is missing (NULL) in every type;
- integer: optional sign and digits; a trailing ``.0`` (as pandas writes whole numbers
  of a float column) is accepted; anything else (``12.5``, ``1e3``, ``0x10``) is not;
- number: decimal or scientific notation (``12``, ``-0.5``, ``1.2e3``); no ``nan``/``inf``;
- boolean: ``true``/``false``, ``yes``/``no``, ``1``/``0``, any case, blanks around ignored;
- date: ISO 8601 ``YYYY-MM-DD`` and a real calendar date;
- datetime: ISO 8601 ``YYYY-MM-DDTHH:MM[:SS[.fff]]`` (``T`` or a space) with an optional
  ``Z`` or ``+HH:MM`` offset; without an offset the time is taken as UTC;
- list: items separated by ``|``, blanks around items ignored (``a|b``); an empty item
  (``a||b``) is a problem and is left out of the typed list;
- string and category values are kept exactly (no trimming).

Parquet columns already of the dictionary type are used as they are (a ``NaN`` float is
missing); a Parquet ``TIMESTAMP`` in a date column is accepted when it is at midnight.
"""

# Every query is built from the dictionary and file names, quoted by ident()/literal();
# DuckDB views cannot take bound parameters, so SQL text is assembled on purpose.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from lerkit.datasets._dictionary import Bound, ColumnSpec, ColumnType, TableSpec

__all__ = [
    "DUCKDB_TYPES",
    "ROW",
    "ColumnPlan",
    "Rule",
    "column_rules",
    "ident",
    "key_rule",
    "literal",
    "plan_column",
    "raw_view",
    "reference_rule",
    "show",
]

#: The DuckDB type of each dictionary type in the typed views.
DUCKDB_TYPES: dict[ColumnType, str] = {
    "string": "VARCHAR",
    "category": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMPTZ",
    "list": "VARCHAR[]",
}

#: The row-number column of every raw view.
ROW = "__lerkit_row"
#: How much of an offending value a problem keeps.
VALUE_LIMIT = 200
#: How much of it a message shows.
SHOW_LIMIT = 60

_INTEGERS = frozenset(
    {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}
)
_FLOATS = frozenset({"FLOAT", "DOUBLE"})
_TIMESTAMPS = frozenset(
    {"TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMP WITH TIME ZONE"}
)

_TYPE_PHRASES: dict[ColumnType, str] = {
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true/false, yes/no, 1/0)",
    "date": "an ISO 8601 date (YYYY-MM-DD)",
    "datetime": "an ISO 8601 date-time (YYYY-MM-DDTHH:MM:SS, optional Z or +HH:MM)",
}


def ident(name: str) -> str:
    """A quoted SQL identifier.

    >>> ident('a"b')
    '"a""b"'
    """
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A quoted SQL string literal.

    >>> literal("it's")
    "'it''s'"
    """
    return "'" + value.replace("'", "''") + "'"


def show(value: str | None) -> str:
    """A value as messages show it: quoted, cut after 60 characters (Python twin of
    the ``lerkit_show`` SQL macro).

    >>> show("abc"), show(None), show("x" * 70)[-6:]
    ("'abc'", 'an empty value', "xx...'")
    """
    if value is None:
        return "an empty value"
    if len(value) > SHOW_LIMIT:
        return "'" + value[: SHOW_LIMIT - 3] + "...'"
    return "'" + value + "'"


#: SQL macros every validation connection defines.
MACROS = (
    f"CREATE OR REPLACE MACRO lerkit_show(v) AS CASE WHEN v IS NULL THEN 'an empty value' "
    f"WHEN length(v) > {SHOW_LIMIT} THEN '''' || left(v, {SHOW_LIMIT - 3}) || '...''' "
    "ELSE '''' || v || '''' END",
)


def _blank(expr: str) -> str:
    return f"({expr} IS NULL OR trim({expr}) = '')"


def _parse(column_type: ColumnType, text: str) -> str:
    """SQL turning VARCHAR ``text`` into ``column_type``; NULL when it does not parse."""
    t = f"trim({text})"
    if column_type == "integer":
        return (
            f"CASE WHEN regexp_full_match({t}, '[+-]?[0-9]+(\\.0*)?') "
            f"THEN TRY_CAST(regexp_replace({t}, '\\.0*$', '') AS BIGINT) END"
        )
    if column_type == "number":
        return (
            f"CASE WHEN regexp_full_match({t}, '[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?') "
            f"THEN TRY_CAST({t} AS DOUBLE) END"
        )
    if column_type == "boolean":
        return (
            f"CASE WHEN lower({t}) IN ('true', 'yes', '1') THEN true "
            f"WHEN lower({t}) IN ('false', 'no', '0') THEN false END"
        )
    if column_type == "date":
        return (
            f"CASE WHEN regexp_full_match({t}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
            f"THEN TRY_CAST({t} AS DATE) END"
        )
    if column_type == "datetime":
        return (
            f"CASE WHEN regexp_full_match({t}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[T ][0-9]{{2}}:[0-9]{{2}}"
            f"(:[0-9]{{2}}(\\.[0-9]{{1,9}})?)?(Z|[+-][0-9]{{2}}(:?[0-9]{{2}})?)?') "
            f"THEN TRY_CAST({t} AS TIMESTAMPTZ) END"
        )
    raise AssertionError(column_type)  # pragma: no cover


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """How one dictionary column is read from its file.

    ``typed`` is the value in the dictionary's type (NULL when empty or unparseable);
    ``empty`` is true when the raw value is empty; ``text`` is the VARCHAR that was
    parsed (None when the file already holds the dictionary's type, so nothing can be
    unparseable); ``items`` (lists) is the list of items before empty ones are dropped;
    ``shown`` is the raw value as text, for messages.
    """

    spec: ColumnSpec
    source_type: str | None
    typed: str
    empty: str
    shown: str
    text: str | None = None
    items: str | None = None

    @property
    def present(self) -> bool:
        """Whether the file has this column."""
        return self.source_type is not None


def plan_column(spec: ColumnSpec, source_type: str | None) -> ColumnPlan:
    """The SQL reading column ``spec`` from a raw view column of DuckDB type ``source_type``
    (None when the file lacks the column: the typed value is then always NULL).

    >>> from lerkit.datasets._dictionary import default_dictionary
    >>> plan = plan_column(default_dictionary().column("learners.veteran"), "BOOLEAN")
    >>> plan.typed, plan.text
    ('CAST("veteran" AS BOOLEAN)', None)
    """
    kind = spec.type
    target = DUCKDB_TYPES[kind]
    if source_type is None:
        return ColumnPlan(spec, None, f"CAST(NULL AS {target})", "true", "CAST(NULL AS VARCHAR)")
    raw = ident(spec.name)
    varchar = source_type == "VARCHAR"
    as_text = raw if varchar else f"CAST({raw} AS VARCHAR)"
    if source_type in _FLOATS:
        # NaN is how pandas spells "missing" in a float column
        as_text = f"CASE WHEN isnan({raw}) THEN NULL ELSE CAST({raw} AS VARCHAR) END"
    native_empty = f"({raw} IS NULL)"
    if source_type in _FLOATS:
        native_empty = f"({raw} IS NULL OR isnan({raw}))"

    if kind in ("string", "category"):
        return ColumnPlan(
            spec,
            source_type,
            typed=f"CASE WHEN trim({as_text}) = '' THEN NULL ELSE {as_text} END",
            empty=_blank(as_text),
            shown=as_text,
        )
    if kind == "list":
        if source_type.endswith("[]"):
            items = (
                raw
                if source_type == "VARCHAR[]"
                else (f"list_transform({raw}, lambda i: CAST(i AS VARCHAR))")
            )
            empty = f"({raw} IS NULL OR len({raw}) = 0)"
            # shown as a CSV cell would be, so both formats give the same messages
            as_text = f"array_to_string(list_transform({items}, lambda i: coalesce(i, '')), '|')"
        else:
            items = (
                f"CASE WHEN trim({as_text}) = '' THEN NULL "
                f"ELSE list_transform(string_split({as_text}, '|'), lambda i: trim(i)) END"
            )
            empty = _blank(as_text)
        typed = f"list_filter({items}, lambda i: i IS NOT NULL AND trim(i) <> '')"
        return ColumnPlan(
            spec,
            source_type,
            typed=f"CASE WHEN {empty} THEN NULL ELSE {typed} END",
            empty=empty,
            shown=as_text,
            items=items,
        )
    native = (
        (kind == "integer" and source_type in _INTEGERS)
        or (
            kind == "number"
            and (source_type in _INTEGERS | _FLOATS or source_type.startswith("DECIMAL"))
        )
        or (kind == "boolean" and source_type == "BOOLEAN")
        or (kind == "date" and source_type == "DATE")
        or (kind == "datetime" and source_type in _TIMESTAMPS)
    )
    if native:
        typed = f"CAST({raw} AS {target})"
        if source_type in _FLOATS:
            typed = f"CASE WHEN isnan({raw}) THEN NULL ELSE {typed} END"
        return ColumnPlan(spec, source_type, typed=typed, empty=native_empty, shown=as_text)
    if kind == "date" and source_type in _TIMESTAMPS:
        # a pandas datetime64 column written to Parquet: fine when at midnight
        stamp = f"CAST({raw} AS TIMESTAMP)"
        as_text = (
            f"CASE WHEN {stamp} = date_trunc('day', {stamp}) THEN strftime({stamp}, '%Y-%m-%d') "
            f"ELSE CAST({raw} AS VARCHAR) END"
        )
    return ColumnPlan(
        spec,
        source_type,
        typed=f"CASE WHEN trim({as_text}) = '' THEN NULL ELSE {_parse(kind, as_text)} END",
        empty=_blank(as_text),
        shown=as_text,
        text=as_text,
    )


def raw_view(table: str) -> str:
    """The name of a table's raw view (quoted)."""
    return ident(f"_lerkit_raw_{table}")


@dataclass(frozen=True, slots=True)
class Rule:
    """One check: a query yielding its problem rows, and what it is about."""

    table: str
    column: str | None
    code: str
    severity: str
    sql: str


def _select(
    severity: str, table: str, column: str, code: str, message: str, value: str, source: str
) -> str:
    return (
        f'SELECT {literal(severity)} AS severity, {literal(table)} AS "table", '
        f'CAST({ROW} AS BIGINT) AS "row", {literal(column)} AS "column", '
        f"{literal(code)} AS code, {message} AS message, "
        f"left(CAST({value} AS VARCHAR), {VALUE_LIMIT}) AS value FROM {source}"
    )


def _prefix(table: str, column: str) -> str:
    return f"{literal(table + ' row ')} || {ROW} || {literal(': ' + column + ' ')}"


def _bound_sql(value: Bound) -> str:
    if isinstance(value, dt.datetime):
        return f"TIMESTAMPTZ {literal(value.isoformat())}"
    if isinstance(value, dt.date):
        return f"DATE {literal(value.isoformat())}"
    return repr(value)


def _codes_text(codes: Sequence[str]) -> str:
    shown = ", ".join(codes[:8]) + (f", ... ({len(codes)} codes)" if len(codes) > 8 else "")
    return f"allowed: {shown}"


def column_rules(table: TableSpec, plan: ColumnPlan) -> list[Rule]:
    """The per-row rules of one column present in the file (type, empty, values, range,
    pattern, unique, empty list items). References and keys are separate.
    """
    spec, view = plan.spec, raw_view(table.name)
    name, prefix = spec.name, _prefix(table.name, spec.name)
    rules: list[Rule] = []

    def add(code: str, message: str, value: str, where: str, source: str | None = None) -> None:
        sql = _select("error", table.name, name, code, message, value, source or view)
        rules.append(Rule(table.name, name, code, "error", f"{sql} WHERE {where}"))

    if plan.text is not None:
        add(
            "wrong_type",
            f"{prefix} || lerkit_show({plan.text}) || {literal(' is not ' + _TYPE_PHRASES[spec.type])}",
            plan.text,
            f"NOT {plan.empty} AND ({plan.typed}) IS NULL",
        )
    if spec.required:
        add("missing_value", f"{prefix} || 'is empty but required'", "NULL", plan.empty)
    if spec.codes:
        codes = ", ".join(literal(code) for code in spec.codes)
        add(
            "not_allowed_value",
            f"{prefix} || lerkit_show({plan.typed}) || "
            f"{literal(' is not an allowed value (' + _codes_text(spec.codes) + ')')}",
            plan.typed,
            f"({plan.typed}) IS NOT NULL AND ({plan.typed}) NOT IN ({codes})",
        )
    if spec.min is not None or spec.max is not None:
        checks, messages = [], []
        typed = f"({plan.typed})"
        if spec.min is not None:
            checks.append(f"{typed} < {_bound_sql(spec.min)}")
            messages.append(
                f"WHEN {typed} < {_bound_sql(spec.min)} THEN {literal(f' is below the minimum {spec.min}')}"
            )
        if spec.max is not None:
            checks.append(f"{typed} > {_bound_sql(spec.max)}")
            messages.append(
                f"WHEN {typed} > {_bound_sql(spec.max)} THEN {literal(f' is above the maximum {spec.max}')}"
            )
        add(
            "out_of_range",
            f"{prefix} || CAST({typed} AS VARCHAR) || CASE {' '.join(messages)} END",
            typed,
            " OR ".join(checks),
        )
    if spec.pattern is not None:
        pattern = literal(spec.pattern)
        tail = literal(f" does not match the pattern {spec.pattern}")
        if spec.type == "list":
            items = f"(SELECT {ROW}, unnest({plan.typed}) AS item FROM {view})"
            add(
                "pattern_mismatch",
                f"{prefix} || 'item ' || lerkit_show(item) || {tail}",
                "item",
                f"NOT regexp_full_match(item, {pattern})",
                items,
            )
        else:
            add(
                "pattern_mismatch",
                f"{prefix} || lerkit_show({plan.typed}) || {tail}",
                plan.typed,
                f"({plan.typed}) IS NOT NULL AND NOT regexp_full_match({plan.typed}, {pattern})",
            )
    if spec.type == "list" and plan.items is not None:
        add(
            "empty_list_item",
            f"{prefix} || lerkit_show({plan.shown}) || ' has an empty item'",
            plan.shown,
            f"NOT {plan.empty} AND len({plan.items}) <> len({plan.typed})",
        )
    if spec.unique and spec.type != "list":
        rules.append(_duplicates(table, (plan,), "duplicate_value"))
    return rules


def _duplicates(table: TableSpec, plans: Sequence[ColumnPlan], code: str) -> Rule:
    names = [plan.spec.name for plan in plans]
    keys = [f"k{i}" for i in range(len(plans))]
    inner = ", ".join(f"({plan.typed}) AS {key}" for plan, key in zip(plans, keys, strict=True))
    not_null = " AND ".join(f"{key} IS NOT NULL" for key in keys)
    partition = ", ".join(keys)
    hashed = f"hash({partition})"
    rows = f"(SELECT {ROW}, {inner}, {hashed} AS h FROM {raw_view(table.name)}) AS s"
    # A hash aggregation finds the repeated key hashes first (usually none); only their
    # rows are then sorted by the window, on the keys themselves (so a hash collision is
    # no false alarm). Sorting every row in the window took 5 s of a 1,000,000-learner
    # pilot's 11 s validation for the outcomes' (learner_id, period).
    repeated = (
        f"(SELECT h FROM (SELECT {hashed} AS h FROM (SELECT {inner} FROM "
        f"{raw_view(table.name)}) WHERE {not_null}) GROUP BY h HAVING count(*) > 1) AS d"
    )
    source = (
        f"(SELECT {ROW}, {', '.join(keys)}, min({ROW}) OVER w AS first_row, "
        f"row_number() OVER (w ORDER BY {ROW}) AS nth "
        f"FROM {rows} SEMI JOIN {repeated} ON s.h = d.h WHERE {not_null} "
        f"WINDOW w AS (PARTITION BY {partition}))"
    )
    value = " || ', ' || ".join(f"CAST({key} AS VARCHAR)" for key in keys)
    column = ",".join(names)
    if code == "duplicate_key":
        what = "key " + ", ".join(names) if len(names) > 1 else names[0]
        message = (
            f"{literal(table.name + ' row ')} || {ROW} || {literal(': duplicate ' + what + ' ')} "
            f"|| lerkit_show({value}) || ', first in row ' || first_row"
        )
    else:
        message = (
            f"{_prefix(table.name, column)} || lerkit_show({value}) || "
            f"' is already used in row ' || first_row || ' (unique: true)'"
        )
    sql = _select("error", table.name, column, code, message, value, source) + " WHERE nth > 1"
    return Rule(table.name, column, code, "error", sql)


def key_rule(table: TableSpec, plans: Sequence[ColumnPlan]) -> Rule:
    """Duplicate primary keys: every row whose key an earlier row already has."""
    return _duplicates(table, plans, "duplicate_key")


def reference_rule(table: TableSpec, plan: ColumnPlan, target: ColumnPlan) -> Rule:
    """Values (list items) of ``plan`` missing from the referenced column ``target``."""
    spec = plan.spec
    assert spec.references is not None
    keys = f"(SELECT ({target.typed}) AS k FROM {raw_view(target.spec.table)})"
    if spec.type == "list":
        values = f"(SELECT {ROW}, unnest({plan.typed}) AS v FROM {raw_view(table.name)})"
        what = "item "
    else:
        values = f"(SELECT {ROW}, ({plan.typed}) AS v FROM {raw_view(table.name)})"
        what = ""
    source = (
        f"(SELECT s.* FROM {values} AS s ANTI JOIN {keys} AS t ON s.v = t.k WHERE s.v IS NOT NULL)"
    )
    message = (
        f"{_prefix(table.name, spec.name)} || {literal(what)} || lerkit_show(CAST(v AS VARCHAR)) "
        f"|| {literal(' not found in ' + spec.references)}"
    )
    sql = _select("error", table.name, spec.name, "dangling_reference", message, "v", source)
    return Rule(table.name, spec.name, "dangling_reference", "error", sql)
