"""What a dataset's data dictionary says to protect: quasi-identifiers, sensitive columns, hierarchies.

:func:`anonymization_plan` reads the roles ``dictionary.yaml`` gives a table's columns
(``privacy: quasi_identifier`` / ``sensitive``) and builds each quasi-identifier's
declared generalization hierarchy on the table's values, so that a notebook, the
command line and a test all start :func:`~lerkit.anonymize.k_anonymize` from the same
plan instead of each assembling it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import pandas as pd

from lerkit.anonymize._hierarchy import Hierarchy, build_hierarchy
from lerkit.datasets import Dataset, load
from lerkit.errors import PrivacyError

__all__ = ["AnonymizationPlan", "anonymization_plan"]


@dataclass(frozen=True)
class AnonymizationPlan:
    """The columns to protect in one table and how each quasi-identifier may be coarsened.

    Attributes
    ----------
    table : str
        The table the plan is for (``learners``).
    quasi : tuple of str
        Quasi-identifiers, in dictionary order (or as given).
    sensitive : tuple of str
        Sensitive columns, in dictionary order (or as given).
    steps : mapping of str to tuple of str
        Each quasi-identifier's declared hierarchy steps, finest first (empty when the
        dictionary declares none: the column can then only be kept or withheld).
    hierarchies : mapping of str to Hierarchy
        Each quasi-identifier's hierarchy, built on the table's values (read-only).
    reference_year : int
        The year age-group steps are computed at (the dataset's ``as_of`` year).
    """

    table: str
    quasi: tuple[str, ...]
    sensitive: tuple[str, ...]
    steps: Mapping[str, tuple[str, ...]]
    hierarchies: Mapping[str, Hierarchy]
    reference_year: int

    def summary(self) -> pd.DataFrame:
        """One row per planned column: ``column``, ``role``, ``hierarchy`` (steps as text).

        >>> plan = anonymization_plan("pilot-default", quasi=["birth_year"], sensitive=[])
        >>> plan.summary().to_dict("records")[0]["hierarchy"]
        'original > 5-year band > 10-year band > <35 / 35-54 / 55+ > *'
        """
        rows = [
            {
                "column": name,
                "role": "quasi-identifier",
                "hierarchy": " > ".join(self.hierarchies[name].steps),
            }
            for name in self.quasi
        ]
        rows += [
            {"column": name, "role": "sensitive", "hierarchy": "not generalized"}
            for name in self.sensitive
        ]
        return pd.DataFrame(rows, columns=["column", "role", "hierarchy"])


def _columns(
    given: Sequence[str] | None,
    declared: list[str],
    known: Sequence[str],
    *,
    what: str,
    code: str,
    table: str,
) -> tuple[str, ...]:
    if given is None:
        return tuple(declared)
    if isinstance(given, str):
        raise PrivacyError(
            f"give the {what}s as a list of column names, not the string {given!r}",
            code="invalid_argument",
        )
    for name in given:
        if name not in known:
            raise PrivacyError(
                f"{what} {name!r} is not a column of table {table!r}; columns: " + ", ".join(known),
                code=code,
            )
    if len(set(given)) != len(given):
        raise PrivacyError(f"a {what} is listed twice in {list(given)!r}", code="invalid_argument")
    return tuple(given)


def anonymization_plan(
    dataset: str | os.PathLike[str] | Dataset,
    quasi: Sequence[str] | None = None,
    sensitive: Sequence[str] | None = None,
    *,
    table: str = "learners",
    reference_year: int | None = None,
) -> AnonymizationPlan:
    """The quasi-identifiers, sensitive columns and built hierarchies a dataset declares.

    Roles and hierarchy steps come from the dataset's data dictionary; columns that
    are declared but absent from the data, or wholly empty in it, are left out of
    the defaults (as :func:`~lerkit.anonymize.anonymize_dataset` does). Hierarchies
    are built on the values of ``dataset.table(table)``: pass that same frame to
    :func:`~lerkit.anonymize.k_anonymize` with ``hierarchies=dict(plan.hierarchies)``.

    Parameters
    ----------
    dataset : str, os.PathLike or Dataset
        A dataset name (``"pilot-default"``), a dataset folder or a loaded dataset.
    quasi : sequence of str, optional
        Quasi-identifiers to use instead of the dictionary's; any column of the
        table may be named (its declared hierarchy is used, if it has one).
    sensitive : sequence of str, optional
        Sensitive columns to use instead of the dictionary's.
    table : str, default "learners"
        The table to plan for.
    reference_year : int, optional
        Year for age-group steps; by default the dataset's ``as_of`` year (else
        the current year).

    Returns
    -------
    AnonymizationPlan
        Immutable.

    Raises
    ------
    PrivacyError
        ``missing_table`` (no such table in the dataset),
        ``unknown_quasi_identifier`` / ``unknown_sensitive_attribute`` (a named
        column the table does not have), ``invalid_argument`` (a column named as
        both, twice, or a bare string instead of a list), ``no_quasi_identifiers``,
        and the hierarchy codes of :func:`~lerkit.anonymize.build_hierarchy`
        (``unknown_hierarchy``, ``hierarchy_type_mismatch``).
    DatasetError
        If the dataset cannot be found.

    Examples
    --------
    >>> plan = anonymization_plan("pilot-default")
    >>> plan.quasi[:3], plan.sensitive
    (('birth_year', 'gender', 'veteran'), ('race_ethnicity', 'disability'))
    >>> plan.steps["region"]
    ('census region', 'national')
    """
    ds = dataset if isinstance(dataset, Dataset) else load(dataset, check_files="none")
    if table not in ds.tables:
        raise PrivacyError(
            f"dataset {ds.name!r} has no table {table!r}; tables: {', '.join(ds.tables)}",
            code="missing_table",
        )
    frame = ds.table(table)
    spec = ds.dictionary.table(table)
    known = [str(name) for name in frame.columns]

    def declared(role: str) -> list[str]:
        return [
            c.name
            for c in spec.columns
            if c.privacy == role and c.name in frame.columns and frame[c.name].notna().any()
        ]

    quasi_columns = _columns(
        quasi,
        declared("quasi_identifier"),
        known,
        what="quasi-identifier",
        code="unknown_quasi_identifier",
        table=table,
    )
    sensitive_columns = _columns(
        sensitive,
        declared("sensitive"),
        known,
        what="sensitive attribute",
        code="unknown_sensitive_attribute",
        table=table,
    )
    if not quasi_columns:
        raise PrivacyError(
            f"table {table!r} has no quasi-identifiers to plan for", code="no_quasi_identifiers"
        )
    both = [name for name in quasi_columns if name in sensitive_columns]
    if both:
        raise PrivacyError(
            f"{both[0]!r} is given both as a quasi-identifier and as sensitive",
            code="invalid_argument",
        )
    if reference_year is None:
        as_of = ds.metadata.as_of
        reference_year = as_of.year if as_of is not None else dt.date.today().year
    steps = {
        name: tuple(spec.column(name).hierarchy) if spec.has_column(name) else ()
        for name in quasi_columns
    }
    hierarchies = {
        name: build_hierarchy(
            frame[name], list(steps[name]), column=name, reference_year=reference_year
        )
        for name in quasi_columns
    }
    return AnonymizationPlan(
        table=table,
        quasi=quasi_columns,
        sensitive=sensitive_columns,
        steps=MappingProxyType(steps),
        hierarchies=MappingProxyType(hierarchies),
        reference_year=reference_year,
    )
