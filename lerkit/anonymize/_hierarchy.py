"""Generalization hierarchies: the steps ``dictionary.yaml`` declares per column.

A column's hierarchy is a list of step names, finest first (``hierarchy: [month,
quarter, year]``). Each name is a function here (:data:`HIERARCHY_STEPS`); an unknown
name raises :class:`~lerkit.errors.PrivacyError` (code ``unknown_hierarchy``).

:func:`build_hierarchy` applies the steps to the column's *distinct* values only and
returns integer code tables (``codes[level][value_code] -> group code``), so the
lattice search maps a million rows with one ``numpy.take`` per column. Every level is
computed from the groups of the level below (from each group's smallest member), so
the levels always nest: a group never splits when it is generalized further. A final
``*`` level (everything in one group, ARX's convention) is added unless the last
declared step already has a single group.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from lerkit.errors import PrivacyError

__all__ = [
    "CENSUS_REGIONS",
    "HIERARCHY_STEPS",
    "Hierarchy",
    "Kind",
    "build_hierarchy",
    "column_kind",
]

#: How a column's values are ordered: ``numeric`` (integers, numbers), ``temporal``
#: (dates, date-times) or ``categorical`` (codes, strings, booleans).
Kind = Literal["numeric", "temporal", "categorical"]

#: US Census Bureau regions and the divisions in each.
CENSUS_REGIONS: dict[str, tuple[str, ...]] = {
    "northeast": ("new_england", "middle_atlantic"),
    "midwest": ("east_north_central", "west_north_central"),
    "south": ("south_atlantic", "east_south_central", "west_south_central"),
    "west": ("mountain", "pacific"),
}
_DIVISION_REGION = {
    division: region for region, divisions in CENSUS_REGIONS.items() for division in divisions
}

#: Label of a missing value (its own group at every level below ``*``).
MISSING = "(missing)"
#: Label of the top level, where every value is one group.
ANY = "*"


@dataclass(frozen=True)
class _Step:
    """What one step needs and does: ``apply(values, ctx) -> labels[, lo, hi]``."""

    name: str
    kinds: tuple[Kind, ...]
    apply: Callable[[pd.Series, _Context], _Groups]
    #: data-defined groups (age groups, quartiles) are labelled by their final range
    relabel: bool = False


@dataclass(frozen=True)
class _Context:
    reference_year: int
    all_values: pd.Series  # the column's non-missing values (for data-driven steps)


@dataclass(frozen=True)
class _Groups:
    labels: npt.NDArray[np.object_]
    lo: npt.NDArray[np.float64] | None = None
    hi: npt.NDArray[np.float64] | None = None


def _as_float(values: pd.Series) -> npt.NDArray[np.float64]:
    """Numbers as floats; dates and date-times as days since 1970-01-01."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return np.asarray(values.to_numpy(dtype=np.float64), dtype=np.float64)
    stamps = pd.to_datetime(values, utc=True)
    epoch = pd.Timestamp("1970-01-01", tz="UTC")
    days = ((stamps - epoch) / pd.Timedelta(days=1)).to_numpy(dtype=np.float64)
    return np.asarray(days, dtype=np.float64)


def _band(width: float, unit: str = "") -> Callable[[pd.Series, _Context], _Groups]:
    def apply(values: pd.Series, _ctx: _Context) -> _Groups:
        x = _as_float(values)
        lo = np.asarray(np.floor(x / width) * width, dtype=np.float64)
        hi = np.asarray(lo + width, dtype=np.float64)
        integer = float(width).is_integer() and np.all(np.equal(np.mod(x, 1), 0))
        if integer:
            # an integer band [1980, 1984] holds 1980..1984: hi is its last member
            labels = [f"{unit}{int(a)}-{int(b) - 1}" for a, b in zip(lo, hi, strict=True)]
            hi = np.asarray(hi - 1, dtype=np.float64)
        else:
            labels = [f"{unit}{a:g}-<{b:g}" for a, b in zip(lo, hi, strict=True)]
        return _Groups(np.array(labels, dtype=object), lo, hi)

    return apply


def _age_groups(cutoffs: tuple[int, ...]) -> Callable[[pd.Series, _Context], _Groups]:
    """Birth year -> age group at the reference year (e.g. <35 / 35-54 / 55+)."""

    def apply(values: pd.Series, ctx: _Context) -> _Groups:
        ages = ctx.reference_year - _as_float(values)
        bins = np.searchsorted(np.array(cutoffs, dtype=np.float64), ages, side="right")
        # bounds come from the members (relabel): nesting may move a whole band
        return _Groups(np.array([f"age group {b}" for b in bins], dtype=object))

    return apply


def _quartile(values: pd.Series, ctx: _Context) -> _Groups:
    cuts = np.unique(np.quantile(_as_float(ctx.all_values), [0.25, 0.5, 0.75]))
    bins = np.searchsorted(cuts, _as_float(values), side="right")
    return _Groups(np.array([f"quartile {b + 1}" for b in bins], dtype=object))


def _period(freq: Literal["D", "M", "Q", "Y"]) -> Callable[[pd.Series, _Context], _Groups]:
    def apply(values: pd.Series, _ctx: _Context) -> _Groups:
        stamps = pd.to_datetime(values, utc=True).dt.tz_localize(None)
        periods = stamps.dt.to_period(freq)
        start = periods.dt.start_time.dt.tz_localize("UTC")
        end = periods.dt.end_time.dt.floor("D").dt.tz_localize("UTC")
        epoch = pd.Timestamp("1970-01-01", tz="UTC")
        lo = np.asarray(((start - epoch) / pd.Timedelta(days=1)).to_numpy(), dtype=np.float64)
        hi = np.asarray(((end - epoch) / pd.Timedelta(days=1)).to_numpy(), dtype=np.float64)
        labels = np.array([str(p) for p in periods], dtype=object)
        return _Groups(labels, lo, hi)

    return apply


def _census_region(values: pd.Series, _ctx: _Context) -> _Groups:
    codes = values.astype(str).to_numpy()
    unknown = sorted({c for c in codes if c not in _DIVISION_REGION})
    if unknown:
        raise PrivacyError(
            f"census region: {unknown[0]!r} is not a US Census division "
            f"(expected one of {', '.join(_DIVISION_REGION)})",
            code="hierarchy_value",
        )
    return _Groups(np.array([_DIVISION_REGION[c] for c in codes], dtype=object))


def _constant(label: str) -> Callable[[pd.Series, _Context], _Groups]:
    def apply(values: pd.Series, _ctx: _Context) -> _Groups:
        return _Groups(np.full(len(values), label, dtype=object))

    return apply


_SOC = re.compile(r"(\d{2})-(\d)(\d)(\d)(\d)(\.\d{2})?")


def _soc(level: Literal["broad", "minor", "major"]) -> Callable[[pd.Series, _Context], _Groups]:
    def apply(values: pd.Series, _ctx: _Context) -> _Groups:
        labels = []
        for code in values.astype(str):
            match = _SOC.fullmatch(code)
            if match is None:
                raise PrivacyError(
                    f"SOC {level} group: {code!r} is not an SOC or O*NET-SOC code "
                    "(NN-NNNN or NN-NNNN.NN)",
                    code="hierarchy_value",
                )
            major, d1, d2, d3 = match.group(1), match.group(2), match.group(3), match.group(4)
            # SOC 2018: major 15-0000, minor 15-1200, broad 15-1230, detailed 15-1232
            if level == "major":
                labels.append(f"{major}-0000")
            elif level == "minor":
                labels.append(f"{major}-{d1}{d2}00")
            else:
                labels.append(f"{major}-{d1}{d2}{d3}0")
        return _Groups(np.array(labels, dtype=object))

    return apply


_ORDERED: tuple[Kind, ...] = ("numeric", "temporal")

#: Every fixed step name (lower case) and the column kinds it applies to. Patterns also
#: accepted: ``N-year band``, ``USD N band``, age groups ``<A / A-B / C+``.
HIERARCHY_STEPS: dict[str, _Step] = {
    "census region": _Step("census region", ("categorical",), _census_region),
    "national": _Step("national", ("categorical",), _constant("national")),
    "day": _Step("day", ("temporal",), _period("D")),
    "month": _Step("month", ("temporal",), _period("M")),
    "quarter": _Step("quarter", ("temporal",), _period("Q")),
    "year": _Step("year", ("temporal",), _period("Y")),
    "quartile": _Step("quartile", ("numeric",), _quartile, relabel=True),
    "soc broad group": _Step("SOC broad group", ("categorical",), _soc("broad")),
    "soc minor group": _Step("SOC minor group", ("categorical",), _soc("minor")),
    "soc major group": _Step("SOC major group", ("categorical",), _soc("major")),
    "*": _Step("*", ("numeric", "temporal", "categorical"), _constant(ANY)),
}
_YEAR_BAND = re.compile(r"(\d+)-year band")
_USD_BAND = re.compile(r"usd (\d+(?:\.\d+)?) band")
_AGE_GROUPS = re.compile(r"<\s*(\d+)\s*((?:/\s*\d+\s*-\s*\d+\s*)*)/\s*(\d+)\s*\+")


def _step(name: str, column: str) -> _Step:
    key = " ".join(name.strip().lower().split())
    if key in HIERARCHY_STEPS:
        return HIERARCHY_STEPS[key]
    if match := _YEAR_BAND.fullmatch(key):
        return _Step(name, ("numeric",), _band(int(match.group(1))))
    if match := _USD_BAND.fullmatch(key):
        return _Step(name, ("numeric",), _band(float(match.group(1)), unit="USD "))
    if match := _AGE_GROUPS.fullmatch(key):
        first, middle, last = int(match.group(1)), match.group(2), int(match.group(3))
        inner = [int(a) for a, _b in re.findall(r"(\d+)\s*-\s*(\d+)", middle)]
        cutoffs = (first, *inner[1:], last) if inner and inner[0] == first else (first, last)
        return _Step(name, ("numeric",), _age_groups(tuple(sorted(set(cutoffs)))), relabel=True)
    raise PrivacyError(
        f"unknown hierarchy step {name!r} for column {column!r}; known: "
        + ", ".join(s.name for s in HIERARCHY_STEPS.values())
        + ", 'N-year band', 'USD N band', '<A / A-B / C+' (age groups)",
        code="unknown_hierarchy",
    )


def column_kind(values: pd.Series) -> Kind:
    """How a column's values are ordered, from its dtype.

    >>> column_kind(pd.Series([1980, 1990]))
    'numeric'
    """
    if pd.api.types.is_bool_dtype(values) or isinstance(values.dtype, pd.CategoricalDtype):
        return "categorical"
    if pd.api.types.is_numeric_dtype(values):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "temporal"
    sample = values.dropna()
    if len(sample) and isinstance(sample.iloc[0], dt.date):
        return "temporal"
    return "categorical"


@dataclass(frozen=True)
class Hierarchy:
    """A column's generalization levels, as integer code tables.

    Attributes
    ----------
    column : str
    kind : Kind
    steps : tuple of str
        Level names: ``original``, then the declared steps, then ``*`` if added.
    domain : pandas.Series
        The column's distinct values (missing last, if any); ``value_codes`` index it.
    codes : tuple of numpy arrays
        ``codes[level][i]``: the group of ``domain[i]`` at that level.
    labels : tuple of numpy arrays
        ``labels[level][g]``: the label of group ``g`` (``1980-1984``, ``northeast``).
    ncp : tuple of numpy arrays
        ``ncp[level][g]``: normalized certainty penalty of group ``g``: for ordered
        columns its width over the domain's width, for categories (members - 1) /
        (distinct values - 1); 0 for an original value, 1 for ``*``.
    lo, hi : tuple of numpy arrays or None
        Ordered columns: each group's bounds (dates as days since 1970-01-01).
    """

    column: str
    kind: Kind
    steps: tuple[str, ...]
    domain: pd.Series
    codes: tuple[npt.NDArray[np.int64], ...]
    labels: tuple[npt.NDArray[np.object_], ...]
    ncp: tuple[npt.NDArray[np.float64], ...]
    lo: tuple[npt.NDArray[np.float64], ...] | None = None
    hi: tuple[npt.NDArray[np.float64], ...] | None = None

    @property
    def height(self) -> int:
        """The highest level (0 = original values)."""
        return len(self.steps) - 1

    def value_codes(self, values: pd.Series) -> npt.NDArray[np.int64]:
        """Each value's index in ``domain`` (vectorized; unseen values raise)."""
        # hash the column once, then look its few distinct values up in the domain
        factor, uniques = pd.factorize(values, use_na_sentinel=True)
        present = self.domain.dropna()
        lookup = np.asarray(pd.Index(present).get_indexer(pd.Index(uniques)), dtype=np.int64)
        if (lookup < 0).any():
            bad = uniques[int(np.flatnonzero(lookup < 0)[0])]
            raise PrivacyError(
                f"column {self.column!r}: value {bad!r} is not in the hierarchy's domain",
                code="hierarchy_value",
            )
        has_missing = len(present) < len(self.domain)
        if (factor < 0).any() and not has_missing:
            raise PrivacyError(
                f"column {self.column!r}: a missing value, and the hierarchy's domain has none",
                code="hierarchy_value",
            )
        missing_code = len(self.domain) - 1
        codes = np.where(factor < 0, missing_code, lookup[np.maximum(factor, 0)])
        return np.asarray(codes, dtype=np.int64)

    def generalize(self, values: pd.Series, level: int) -> pd.Series:
        """The label of each value at ``level`` (level 0: the value as text).

        >>> h = build_hierarchy(pd.Series(["pacific", "mountain"]), ["census region"],
        ...                     column="region")
        >>> h.generalize(pd.Series(["pacific", "mountain"]), 1).tolist()
        ['west', 'west']
        """
        groups = self.codes[level][self.value_codes(values)]
        return pd.Series(self.labels[level][groups], index=values.index, name=values.name)


def build_hierarchy(
    values: pd.Series,
    steps: Sequence[str],
    *,
    column: str | None = None,
    reference_year: int | None = None,
    add_top: bool = True,
) -> Hierarchy:
    """Build a column's generalization levels from its declared steps.

    Parameters
    ----------
    values : pandas.Series
        The column (all its values: data-driven steps such as ``quartile`` use them).
    steps : sequence of str
        Step names, finest first, as ``dictionary.yaml`` declares them.
    column : str, optional
        Name for messages (default: ``values.name``).
    reference_year : int, optional
        The year age groups are computed at (default: the current year).
    add_top : bool
        Add a final ``*`` level unless the last step already has a single group.

    Returns
    -------
    Hierarchy

    Raises
    ------
    PrivacyError
        ``unknown_hierarchy`` for a step name lerkit does not implement;
        ``hierarchy_type_mismatch`` for a step that does not fit the column's values
        (``month`` on numbers); ``hierarchy_value`` for a value the step cannot map.

    Examples
    --------
    >>> h = build_hierarchy(pd.Series([1981, 1987, 1993]), ["5-year band", "10-year band"],
    ...                     column="birth_year")
    >>> h.steps
    ('original', '5-year band', '10-year band', '*')
    >>> h.generalize(pd.Series([1981, 1987]), 2).tolist()
    ['1980-1989', '1980-1989']
    """
    name = column if column is not None else str(values.name)
    kind = column_kind(values)
    resolved = [_step(step, name) for step in steps]
    for step in resolved:
        if kind not in step.kinds:
            raise PrivacyError(
                f"hierarchy step {step.name!r} does not apply to column {name!r} "
                f"({kind} values; the step needs {' or '.join(step.kinds)})",
                code="hierarchy_type_mismatch",
            )
    ctx = _Context(
        reference_year=reference_year if reference_year is not None else dt.date.today().year,
        all_values=values.dropna(),
    )
    present = pd.Series(pd.unique(values.dropna()))
    if kind != "categorical" or pd.api.types.is_numeric_dtype(present):
        present = present.sort_values(ignore_index=True)
    else:
        present = pd.Series(sorted(present, key=str))
    has_missing = bool(values.isna().any())
    domain = (
        pd.concat([present, pd.Series([None], dtype=object)], ignore_index=True)
        if has_missing
        else present
    )
    n_present = len(present)
    ordered = kind in _ORDERED
    base = _as_float(present) if ordered and n_present else np.zeros(n_present)
    span = float(base.max() - base.min()) if n_present else 0.0

    names = ["original"]
    codes = [np.arange(len(domain), dtype=np.int64)]
    labels = [np.array([*(str(v) for v in present), *([MISSING] * has_missing)], dtype=object)]
    ncps = [np.zeros(len(domain))]
    los = [np.append(base, np.nan) if has_missing else base]
    his = [los[0].copy()]
    # each level maps the previous level's groups, through each group's smallest member
    group_min = np.arange(n_present)
    all_steps = list(resolved)
    for index, step in enumerate(all_steps):
        representatives = present.iloc[group_min] if n_present else present
        groups = step.apply(representatives.reset_index(drop=True), ctx)
        new_labels, inverse = np.unique(groups.labels.astype(str), return_inverse=True)
        previous = codes[-1][:n_present]
        member_group = inverse[previous] if n_present else previous
        order = _first_member_order(member_group, len(new_labels))
        remap = np.empty(len(new_labels), dtype=np.int64)
        remap[order] = np.arange(len(order))
        member_group = remap[member_group]
        level_labels = new_labels[order].astype(object)
        n_groups = len(level_labels)
        level_codes = member_group.astype(np.int64)
        if has_missing:
            level_codes = np.append(level_codes, n_groups)
            level_labels = np.append(level_labels, MISSING)
        sizes = np.bincount(member_group, minlength=n_groups) if n_present else np.zeros(0)
        if ordered and n_present:
            lo_g, hi_g = _level_bounds(groups, inverse, remap, base, member_group, n_groups)
            width = np.clip(hi_g, base.min(), base.max()) - np.clip(lo_g, base.min(), base.max())
            ncp = width / span if span > 0 else np.zeros(n_groups)
        else:
            lo_g = hi_g = np.zeros(n_groups)
            ncp = (sizes - 1) / (n_present - 1) if n_present > 1 else np.zeros(n_groups)
        if ordered and n_present and step.relabel:
            # a group computed from its smallest member may reach past its nominal
            # label (a 10-year band straddling an age cut): name it by what it covers
            level_labels = np.array(
                [*(f"{_show(a)}-{_show(b)}" for a, b in zip(lo_g, hi_g, strict=True))],
                dtype=object,
            )
            if has_missing:
                level_labels = np.append(level_labels, MISSING)
        if groups.labels.size and step.name == ANY:
            ncp = np.ones(n_groups)
        names.append(step.name)
        codes.append(level_codes)
        labels.append(level_labels)
        ncps.append(np.append(ncp, 0.0) if has_missing else ncp.astype(np.float64))
        los.append(np.append(lo_g, np.nan) if has_missing else lo_g)
        his.append(np.append(hi_g, np.nan) if has_missing else hi_g)
        group_min = np.array(
            [np.flatnonzero(member_group == g)[0] for g in range(n_groups)], dtype=np.int64
        )
        if index == len(all_steps) - 1 and add_top and step.name != ANY:
            single = n_groups <= 1 and not has_missing
            if not single:
                all_steps.append(HIERARCHY_STEPS["*"])
    if add_top and len(names) == 1:
        names.append(ANY)
        codes.append(np.zeros(len(domain), dtype=np.int64))
        labels.append(np.array([ANY], dtype=object))
        ncps.append(np.ones(1))
        los.append(np.array([base.min() if n_present else np.nan]))
        his.append(np.array([base.max() if n_present else np.nan]))
    if names[-1] == ANY:
        # '*' hides missingness too: one group for everything
        codes[-1] = np.zeros(len(domain), dtype=np.int64)
        labels[-1] = np.array([ANY], dtype=object)
        ncps[-1] = np.ones(1)
        los[-1] = np.array([base.min() if n_present else np.nan])
        his[-1] = np.array([base.max() if n_present else np.nan])
    return Hierarchy(
        column=name,
        kind=kind,
        steps=tuple(names),
        domain=domain,
        codes=tuple(codes),
        labels=tuple(labels),
        ncp=tuple(np.asarray(n, dtype=np.float64) for n in ncps),
        lo=tuple(los) if ordered else None,
        hi=tuple(his) if ordered else None,
    )


def _show(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _first_member_order(member_group: npt.NDArray[np.intp], n: int) -> npt.NDArray[np.int64]:
    """Group ids ordered by their first (smallest) member, so codes follow the domain."""
    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, member_group, np.arange(len(member_group), dtype=np.int64))
    return np.argsort(first, kind="stable").astype(np.int64)


def _level_bounds(
    groups: _Groups,
    inverse: npt.NDArray[np.intp],
    remap: npt.NDArray[np.int64],
    base: npt.NDArray[np.float64],
    member_group: npt.NDArray[np.int64],
    n_groups: int,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Bounds of each group: the step's declared bounds, widened to cover its members."""
    lo = np.full(n_groups, np.inf)
    hi = np.full(n_groups, -np.inf)
    np.minimum.at(lo, member_group, base)
    np.maximum.at(hi, member_group, base)
    if groups.lo is not None and groups.hi is not None:
        ids = remap[inverse]
        np.minimum.at(lo, ids, groups.lo)
        np.maximum.at(hi, ids, groups.hi)
    return lo, hi
