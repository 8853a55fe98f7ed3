"""What is in a pile of credentials: counts by format, issuer, type, framework, month.

Everything here counts what the credentials *claim*; nothing is verified.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
from pandas.io.formats.style import Styler

from lerkit import plots

__all__ = ["InventorySummary", "inventory_summary"]

NOT_STATED = "(not stated)"

_FIGURES = ("by_format", "by_issuer", "by_achievement_type", "by_framework", "issued_by_month")
_TABLES = (*_FIGURES, "problems_by_code", "problems")


class _HasTables(Protocol):
    def tables(self) -> dict[str, pd.DataFrame]: ...


@dataclass(frozen=True)
class InventorySummary:
    """Tidy count tables describing a set of credentials.

    Every table is sorted by count (largest first), then by label, so it reads
    the same on every run. Counts cover every record, including credentials
    nested inside a CLR and endorsements, which are records of their own.
    """

    n_credentials: int  #: every record read
    n_top_level: int  #: records not nested inside another one
    n_problems: int  #: inputs (or parts of inputs) that could not be read
    n_undated: int  #: records without an issuance date
    by_format: pd.DataFrame  #: format, credentials, percent
    by_issuer: pd.DataFrame  #: issuer, issuer_id, credentials
    by_achievement_type: pd.DataFrame  #: achievement_type, credentials
    by_framework: pd.DataFrame  #: framework, alignments, credentials
    issued_by_month: pd.DataFrame  #: month (first day, UTC), format, credentials
    problems_by_code: pd.DataFrame  #: code, severity, problems
    problems: pd.DataFrame  #: location, code, message (one row per problem)

    @property
    def summary(self) -> str:
        """The key numbers as plain text (stable across runs, no paths or times).

        >>> print(inventory_summary(_Empty()).summary)
        Credentials read: 0 (0 top-level, 0 nested in a CLR or attached as endorsements)
        Problems: 0
        """
        nested = self.n_credentials - self.n_top_level
        return (
            f"Credentials read: {self.n_credentials} ({self.n_top_level} top-level, "
            f"{nested} nested in a CLR or attached as endorsements)\n"
            f"Problems: {self.n_problems}"
        )

    def show(self, table: str) -> Styler:
        """One of the tables, styled for reading: no index column, no truncated text.

        Parameters
        ----------
        table : str
            ``by_format``, ``by_issuer``, ``by_achievement_type``,
            ``by_framework``, ``issued_by_month``, ``problems_by_code`` or
            ``problems``.

        Returns
        -------
        pandas.io.formats.style.Styler
            Renders as an HTML table in Jupyter and in exported reports.

        Raises
        ------
        ValueError
            If ``table`` is not one of those.
        """
        if table not in _TABLES:
            raise ValueError(f"no table {table!r}; choose one of {', '.join(_TABLES)}")
        frame: pd.DataFrame = getattr(self, table)
        styler = frame.style.format(escape="html").hide(axis="index")
        if "percent" in frame.columns:
            styler = styler.format({"percent": "{:.1f}"})
        if "month" in frame.columns:
            styler = styler.format({"month": lambda value: f"{value:%Y-%m}"})
        return styler.set_table_attributes('class="lerkit-table"')

    def figure(self, table: str) -> Any:
        """A house-style plotly figure of one of the count tables.

        Parameters
        ----------
        table : str
            ``by_format``, ``by_issuer``, ``by_achievement_type``,
            ``by_framework`` or ``issued_by_month``.

        Returns
        -------
        plotly.graph_objects.Figure

        Raises
        ------
        ValueError
            If ``table`` is not one of those.
        """
        if table == "by_format":
            return plots.bar(
                self.by_format,
                "format",
                "credentials",
                title="Credentials by format",
                x_title="Format",
                y_title="Credentials (count)",
            )
        if table == "by_issuer":
            return plots.bar(
                self.by_issuer,
                "issuer",
                "credentials",
                title="Credentials by issuer (as the credentials name them)",
                x_title="Issuer",
                y_title="Credentials (count)",
                horizontal=True,
            )
        if table == "by_achievement_type":
            return plots.bar(
                self.by_achievement_type,
                "achievement_type",
                "credentials",
                title="Credentials by achievement type",
                x_title="Achievement type",
                y_title="Credentials (count)",
                horizontal=True,
            )
        if table == "by_framework":
            return plots.bar(
                self.by_framework,
                "framework",
                "alignments",
                title="Skill and occupation alignments by framework",
                x_title="Framework",
                y_title="Alignments (count)",
                horizontal=True,
            )
        if table == "issued_by_month":
            undated = f"{self.n_undated} credentials without an issuance date are not shown"
            return plots.timeline(
                self.issued_by_month,
                "month",
                "credentials",
                title="Credentials by month of issue",
                x_title="Month of issue (UTC)",
                y_title="Credentials issued (count)",
                color="format",
                subtitle=undated if self.n_undated else None,
            )
        raise ValueError(f"no figure for {table!r}; choose one of {', '.join(_FIGURES)}")


def _text(series: pd.Series[Any]) -> pd.Series[str]:
    """Strings with missing and blank values labelled, never NA (so groupby keeps them)."""
    text = series.astype("string").str.strip()
    return text.where(text.notna() & (text != ""), NOT_STATED).astype(str)


def _count(labels: pd.DataFrame, by: list[str], name: str) -> pd.DataFrame:
    if labels.empty:
        return pd.DataFrame({**{column: pd.Series(dtype=str) for column in by}, name: []}).astype(
            {name: "int64"}
        )
    counted = labels.groupby(by, sort=False).size().rename(name).reset_index()
    counted[name] = counted[name].astype("int64")
    return counted.sort_values([name, *by], ascending=[False] + [True] * len(by)).reset_index(
        drop=True
    )


def _by_issuer(credentials: pd.DataFrame, top_n: int) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"issuer": _text(credentials["issuer_name"]), "issuer_id": _text(credentials["issuer_id"])}
    )
    counted = _count(frame, ["issuer", "issuer_id"], "credentials")
    # Two issuers may share a display name; keep them apart in the chart.
    duplicated = counted["issuer"].duplicated(keep=False)
    counted.loc[duplicated, "issuer"] = (
        counted.loc[duplicated, "issuer"] + " (" + counted.loc[duplicated, "issuer_id"] + ")"
    )
    if len(counted) > top_n:
        rest = counted.iloc[top_n:]
        other = pd.DataFrame(
            {
                "issuer": [f"Other issuers ({len(rest)})"],
                "issuer_id": [""],
                "credentials": [int(rest["credentials"].sum())],
            }
        )
        counted = pd.concat([counted.iloc[:top_n], other], ignore_index=True)
    return counted


def _by_framework(alignments: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"framework": _text(alignments["target_framework"]), "record_id": alignments["record_id"]}
    )
    counted = _count(frame[["framework"]], ["framework"], "alignments")
    distinct = frame.groupby("framework")["record_id"].nunique()
    counted["credentials"] = counted["framework"].map(distinct).fillna(0).astype("int64")
    return counted


def _issued_by_month(credentials: pd.DataFrame) -> pd.DataFrame:
    issued = pd.to_datetime(credentials["issued"], utc=True)
    dated = issued.notna()
    months = issued[dated].dt.tz_localize(None).dt.to_period("M").dt.start_time
    frame = pd.DataFrame({"month": months, "format": _text(credentials.loc[dated, "format"])})
    if frame.empty:
        return pd.DataFrame(
            {
                "month": pd.Series(dtype="datetime64[ns]"),
                "format": pd.Series(dtype=str),
                "credentials": pd.Series(dtype="int64"),
            }
        )
    counted = frame.groupby(["month", "format"]).size().rename("credentials").reset_index()
    counted["credentials"] = counted["credentials"].astype("int64")
    return counted.sort_values(["month", "format"]).reset_index(drop=True)


def _location(problems: pd.DataFrame, root: Path | None) -> pd.Series[str]:
    def one(row: pd.Series[Any]) -> str:
        path = str(row["source_path"]) if pd.notna(row["source_path"]) else "<memory>"
        if root is not None:
            with contextlib.suppress(ValueError, OSError):
                path = Path(path).resolve().relative_to(root).as_posix()
        if pd.notna(row["source_member"]):
            path += f"!{row['source_member']}"
        if pd.notna(row["source_line"]):
            path += f":{row['source_line']}"
        if pd.notna(row["source_pointer"]) and str(row["source_pointer"]):
            path += f"#{row['source_pointer']}"
        return path

    if problems.empty:
        return pd.Series([], dtype=str)
    return problems.apply(one, axis=1).astype(str)


def inventory_summary(
    credential_set: _HasTables,
    *,
    top_n: int = 20,
    root: str | os.PathLike[str] | None = None,
) -> InventorySummary:
    """Count what a set of credentials contains.

    Parameters
    ----------
    credential_set : CredentialSet
        What :func:`lerkit.read` returned.
    top_n : int, default 20
        Issuers shown by name; the rest are added up as "Other issuers".
    root : path, optional
        Folder the problem locations are shown relative to (usually the source
        folder); absolute paths otherwise.

    Returns
    -------
    InventorySummary
        Tidy count tables, plain-text key numbers (``.summary``) and figures
        (``.figure(name)``).

    Examples
    --------
    >>> summary = inventory_summary(_Empty())
    >>> summary.n_credentials, list(summary.by_format.columns)
    (0, ['format', 'credentials', 'percent'])
    """
    tables = credential_set.tables()
    credentials = tables["credentials"]
    alignments = tables["alignments"]
    problems = tables["problems"]

    by_format = _count(
        pd.DataFrame({"format": _text(credentials["format"])}), ["format"], "credentials"
    )
    total = int(by_format["credentials"].sum())
    by_format["percent"] = (
        (100 * by_format["credentials"] / total).round(1)
        if total
        else by_format["credentials"] * 0.0
    ).astype("float64")

    has_achievement = (
        credentials["achievement_id"].notna() | credentials["achievement_name"].notna()
    )
    by_type = _count(
        pd.DataFrame(
            {"achievement_type": _text(credentials.loc[has_achievement, "achievement_type"])}
        ),
        ["achievement_type"],
        "credentials",
    )

    severity = (
        _text(problems["severity"])
        if "severity" in problems.columns
        else pd.Series("error", index=problems.index)
    )
    problem_frame = pd.DataFrame({"code": _text(problems["code"]), "severity": severity})
    root_path = Path(root).resolve() if root is not None else None
    if root_path is not None and root_path.is_file():
        root_path = root_path.parent
    listed = pd.DataFrame(
        {
            "location": _location(problems, root_path).to_numpy(),
            "code": problem_frame["code"].to_numpy(),
            "message": problems["message"].astype(str).to_numpy(),
        }
    )
    listed = listed.sort_values(["location", "code"], kind="stable").reset_index(drop=True)

    return InventorySummary(
        n_credentials=len(credentials),
        n_top_level=int(credentials["parent_record_id"].isna().sum()),
        n_problems=len(problems),
        n_undated=int(credentials["issued"].isna().sum()),
        by_format=by_format,
        by_issuer=_by_issuer(credentials, top_n),
        by_achievement_type=by_type,
        by_framework=_by_framework(alignments),
        issued_by_month=_issued_by_month(credentials),
        problems_by_code=_count(problem_frame, ["code", "severity"], "problems"),
        problems=listed,
    )


class _Empty:
    """A credential set with nothing in it (for the doctests)."""

    def tables(self) -> dict[str, pd.DataFrame]:
        from lerkit.tables import COLUMNS

        return {name: pd.DataFrame({c: [] for c in columns}) for name, columns in COLUMNS.items()}
