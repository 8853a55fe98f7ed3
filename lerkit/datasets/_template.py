"""Empty dataset templates for an organization to fill in with its own pilot data."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from lerkit.datasets._dictionary import (
    ColumnSpec,
    DataDictionary,
    default_dictionary,
    default_dictionary_path,
)
from lerkit.errors import DatasetError

__all__ = ["dictionary_markdown", "write_template"]

_HOW_TO = """\
## How to fill it in

- One CSV file per table, UTF-8, comma-separated, the header row kept as it is
  (columns may be left out when optional, and extra columns are kept but not checked).
- Leave a cell empty when the value is unknown; a *required* column must never be empty.
- Dates: `YYYY-MM-DD`. Date-times: `YYYY-MM-DDTHH:MM:SSZ` (UTC unless an offset is given).
- Booleans: `true`/`false` (also `yes`/`no`, `1`/`0`).
- Lists: items separated by `|`, e.g. `2.A.1.a|2.B.3.e`.
- Categories: use the codes listed below (the first column of each list), not the labels.
- Identifiers must match across tables (each *references* below is checked).
- Put the signed credential files in `credentials/` and name each one, relative to this
  folder, in the `file` column of `credentials.csv`.
- Tables you do not have can be deleted: the check says which analyses then cannot run.
- Describe the data in `dataset.yaml` (what the pilot is, who collected it, when).

Check the folder with:

    lerkit datasets check {folder}

It lists every problem with its table, row and column, and the analyses the data supports.
Privacy roles: *direct identifiers* are dropped or pseudonymized before anything leaves
the kit; *quasi-identifiers* are generalized for k-anonymity; *sensitive* attributes are
protected by l-diversity. Do not share this folder once it holds real data.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _rule(column: ColumnSpec) -> str:
    parts: list[str] = []
    if column.values:
        parts.append("codes: " + ", ".join(f"`{code}` ({label})" for code, label in column.values))
    if column.min is not None:
        parts.append(f"min {column.min}")
    if column.max is not None:
        parts.append(f"max {column.max}")
    if column.unit:
        parts.append(column.unit)
    if column.pattern:
        parts.append(f"pattern `{column.pattern}`")
    if column.unique:
        parts.append("unique")
    if column.references:
        parts.append(f"references {column.references}")
    if column.file_path:
        parts.append("file path in this folder")
    if column.sha256_of:
        parts.append(f"SHA-256 of the {column.sha256_of} file")
    return "; ".join(parts)


def dictionary_markdown(dictionary: DataDictionary) -> str:
    """Every table and column of ``dictionary`` as Markdown (the template's README body).

    >>> text = dictionary_markdown(default_dictionary())
    >>> "| gender | category | yes |" in text
    True
    """
    lines: list[str] = []
    for table in dictionary.tables:
        needed = "required" if table.required else "optional"
        lines += [f"### {table.name} ({needed})", "", table.description, ""]
        if table.primary_key:
            lines += [f"Primary key: {', '.join(table.primary_key)}.", ""]
        lines += [
            "| column | type | required | rules | privacy | description |",
            "|---|---|---|---|---|---|",
        ]
        for column in table.columns:
            lines.append(
                f"| {column.name} | {column.type} | {'yes' if column.required else 'no'} | "
                f"{_cell(_rule(column))} | {column.privacy} | {_cell(column.description)} |"
            )
        lines.append("")
    lines += ["## What each analysis needs", ""]
    for analysis in dictionary.analyses:
        needs = "; ".join(f"{table}: {', '.join(columns)}" for table, columns in analysis.needs)
        lines.append(f"- **{analysis.name}**: {needs}")
    return "\n".join(lines) + "\n"


def write_template(folder: str | os.PathLike[str], *, force: bool = False) -> tuple[Path, ...]:
    """Write an empty dataset for an organization to fill in.

    Writes one CSV per table of the packaged dictionary with its header row only
    (columns in dictionary order), a copy of ``dictionary.yaml``, a ``dataset.yaml``
    with ``synthetic: false``, an empty ``credentials/`` folder and a ``README.md``
    describing every column (type, allowed values, privacy role). An empty template
    checks without errors (``lerkit datasets check``) but supports no analysis until
    it has rows.

    Parameters
    ----------
    folder : str or os.PathLike
        Created if missing.
    force : bool
        Write into a folder that is not empty, replacing the template's own files
        (nothing else is deleted).

    Returns
    -------
    tuple of pathlib.Path
        The files written.

    Raises
    ------
    DatasetError
        ``folder_not_empty`` (without ``force``), ``not_a_folder``, ``write_failed``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "my-pilot"
    >>> written = write_template(folder)
    >>> (folder / "learners.csv").read_text().split(",")[:3]
    ['learner_id', 'name', 'email']
    """
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise DatasetError(f"{str(target)!r} is a file, not a folder", code="not_a_folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise DatasetError(
            f"{str(target)!r} is not empty; choose an empty folder or pass force "
            "(--force) to overwrite the template files in it",
            code="folder_not_empty",
        )
    dictionary = default_dictionary()
    written: list[Path] = []
    try:
        target.mkdir(parents=True, exist_ok=True)
        for table in dictionary.tables:
            path = target / f"{table.name}.csv"
            with path.open("w", encoding="utf-8", newline="") as handle:
                csv.writer(handle, lineterminator="\n").writerow(table.column_names)
            written.append(path)
        copy = target / "dictionary.yaml"
        copy.write_bytes(default_dictionary_path().read_bytes())
        written.append(copy)
        metadata = target / "dataset.yaml"
        metadata.write_text(
            "# About this dataset; see README.md. lerkit reads name, description, synthetic,\n"
            "# as_of (the date the data describes, YYYY-MM-DD) and counts ({table: rows}).\n"
            f"name: {json.dumps(target.name)}\n"
            'description: ""\n'
            "synthetic: false\n",
            encoding="utf-8",
        )
        written.append(metadata)
        (target / "credentials").mkdir(exist_ok=True)
        readme = target / "README.md"
        readme.write_text(
            f"# {target.name}: a pilot dataset to fill in\n\n"
            "Made by `lerkit datasets template`. Fill in the CSV files with the pilot's data,\n"
            "one row per record, following the data dictionary below (`dictionary.yaml`).\n\n"
            + _HOW_TO.format(folder=target.name)
            + "\n## The tables\n\n"
            + dictionary_markdown(dictionary),
            encoding="utf-8",
        )
        written.append(readme)
    except OSError as err:
        raise DatasetError(
            f"cannot write the template into {str(target)!r}: {err.strerror or err}",
            code="write_failed",
        ) from err
    return tuple(written)
