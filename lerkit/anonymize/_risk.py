"""Re-identification risk of a table of records, by its equivalence classes.

An equivalence class is the set of records sharing one combination of
quasi-identifier values. Under the prosecutor model (the attacker knows their
target is in the data) a record in a class of size ``f`` is re-identified with
probability ``1/f``; under the journalist model (the attacker does not know) it is
``1/F``, ``F`` the size of the matching class in the population the sample was drawn
from. Without a population table the journalist risk cannot be told apart from the
prosecutor risk, and the report says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lerkit.errors import PrivacyError

__all__ = ["RiskReport", "risk_report"]


@dataclass(frozen=True)
class RiskReport:
    """Re-identification risk measures of one table.

    Attributes
    ----------
    n : int
        Records.
    quasi : tuple of str
    classes : int
        Equivalence classes.
    sample_uniques : int
        Records alone in their class.
    prosecutor_max, prosecutor_mean : float
        Highest and average (over records) of 1 / class size.
    journalist_max, journalist_mean : float
        The same with population class sizes (equal to the prosecutor figures when no
        population was given; ``journalist_basis`` says which).
    journalist_basis : str
        ``population`` or ``sample (no population table given: journalist risk
        equals prosecutor risk)``.
    threshold : float
        The risk above which a record counts as at risk.
    records_at_risk : int
        Records whose prosecutor risk is above ``threshold``.
    class_sizes : pandas.DataFrame
        ``class_size``, ``classes``, ``records``: the distribution of class sizes.
    """

    n: int
    quasi: tuple[str, ...]
    classes: int
    sample_uniques: int
    prosecutor_max: float
    prosecutor_mean: float
    journalist_max: float
    journalist_mean: float
    journalist_basis: str
    threshold: float
    records_at_risk: int
    class_sizes: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """The measures, JSON-ready (the class size table as a list of rows)."""
        return {
            "n": self.n,
            "quasi_identifiers": list(self.quasi),
            "classes": self.classes,
            "sample_uniques": self.sample_uniques,
            "sample_uniques_share": self.sample_uniques / self.n if self.n else 0.0,
            "smallest_class": int(self.class_sizes["class_size"].min()) if self.classes else 0,
            "prosecutor_risk_max": self.prosecutor_max,
            "prosecutor_risk_mean": self.prosecutor_mean,
            "journalist_risk_max": self.journalist_max,
            "journalist_risk_mean": self.journalist_mean,
            "journalist_basis": self.journalist_basis,
            "threshold": self.threshold,
            "records_at_risk": self.records_at_risk,
            "records_at_risk_share": self.records_at_risk / self.n if self.n else 0.0,
            "class_sizes": self.class_sizes.to_dict(orient="records"),
        }


def _class_size(frame: pd.DataFrame, quasi: Sequence[str]) -> pd.Series:
    """The size of each record's class (aligned with ``frame``)."""
    keys = frame[list(quasi)].astype(object).where(frame[list(quasi)].notna(), "\0missing")
    return keys.groupby(list(quasi), sort=False)[quasi[0]].transform("size")


def risk_report(
    data: pd.DataFrame,
    quasi: Sequence[str],
    *,
    population: pd.DataFrame | None = None,
    threshold: float = 0.1,
) -> RiskReport:
    """Measure the re-identification risk of a table.

    Parameters
    ----------
    data : pandas.DataFrame
        The records (one per person), quasi-identifiers as they would be released.
    quasi : sequence of str
        The quasi-identifier columns.
    population : pandas.DataFrame, optional
        The population the records come from, with the same quasi-identifier columns
        in the same representation (e.g. generalized the same way); it must include
        the sample. Gives the journalist risk.
    threshold : float
        A record is *at risk* when its prosecutor risk (1 / class size) is above this
        (0.1: a class of fewer than 10).

    Returns
    -------
    RiskReport

    Raises
    ------
    PrivacyError
        ``empty_table``, ``unknown_quasi_identifier``, ``invalid_argument``.

    Examples
    --------
    >>> frame = pd.DataFrame({"zip": ["1", "1", "2"], "age": [30, 30, 40]})
    >>> report = risk_report(frame, ["zip", "age"], threshold=0.5)
    >>> report.sample_uniques, report.prosecutor_max, report.records_at_risk
    (1, 1.0, 1)
    """
    quasi = tuple(quasi)
    if len(data) == 0:
        raise PrivacyError("the table is empty: no risk to measure", code="empty_table")
    if not quasi:
        raise PrivacyError("no quasi-identifiers given", code="no_quasi_identifiers")
    if not 0 < threshold <= 1:
        raise PrivacyError(
            f"threshold must be in (0, 1], not {threshold!r}", code="invalid_argument"
        )
    for column in quasi:
        if column not in data.columns:
            raise PrivacyError(
                f"quasi-identifier {column!r} is not a column of the table",
                code="unknown_quasi_identifier",
            )
        if population is not None and column not in population.columns:
            raise PrivacyError(
                f"quasi-identifier {column!r} is not a column of the population table",
                code="unknown_quasi_identifier",
            )
    size = _class_size(data, quasi).to_numpy(dtype=np.float64)
    risk = 1.0 / size
    counts = pd.Series(size.astype(np.int64)).value_counts().sort_index()
    class_sizes = pd.DataFrame(
        {
            "class_size": counts.index.astype(np.int64),
            "classes": (counts.to_numpy() // counts.index.to_numpy()).astype(np.int64),
            "records": counts.to_numpy().astype(np.int64),
        }
    )
    if population is not None:
        keys = [c for c in quasi]
        pop = population[keys].astype(object).where(population[keys].notna(), "\0missing")
        pop_sizes = pop.groupby(keys, sort=False).size().rename("_F").reset_index()
        sample = data[keys].astype(object).where(data[keys].notna(), "\0missing")
        joined = sample.merge(pop_sizes, on=keys, how="left")
        big_f = joined["_F"].to_numpy(dtype=np.float64)
        # a population that misses part of the sample: at least the sample's own class
        big_f = np.where(np.isnan(big_f) | (big_f < size), size, big_f)
        journalist = 1.0 / big_f
        basis = "population"
    else:
        journalist = risk
        basis = "sample (no population table given: journalist risk equals prosecutor risk)"
    return RiskReport(
        n=len(data),
        quasi=quasi,
        classes=int(class_sizes["classes"].sum()),
        sample_uniques=int((size == 1).sum()),
        prosecutor_max=float(risk.max()),
        prosecutor_mean=float(risk.mean()),
        journalist_max=float(journalist.max()),
        journalist_mean=float(journalist.mean()),
        journalist_basis=basis,
        threshold=threshold,
        records_at_risk=int((risk > threshold).sum()),
        class_sizes=class_sizes,
    )
