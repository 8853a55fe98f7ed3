"""Small helpers for the pilot-profile and verification-audit report notebooks.

They keep the notebooks thin: describing what a dataset folder holds (tables, rows,
validation problems counted without their values), and turning a folder of
credentials into the inputs of :func:`lerkit.verify_many` and its result into the
audit's tables (by check, by reason, the failing files).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lerkit.datasets import Dataset
from lerkit.datasets import load as load_dataset
from lerkit.errors import LerkitError
from lerkit.reports._brief import Note
from lerkit.verify import CHECK_NAMES, VerifyOptions, load_trust_list

__all__ = [
    "CHECK_STATUSES",
    "AuditSource",
    "audit_source",
    "check_counts",
    "failed_credentials",
    "failure_reasons",
    "problem_counts",
    "source_caveat",
    "table_overview",
]

#: the statuses a verification check can have, in the order the tables show them
CHECK_STATUSES = ("passed", "failed", "indeterminate", "skipped")
# how far up from a credentials folder to look for the dataset it belongs to
_DATASET_DEPTH = 3


def table_overview(dataset: Dataset) -> pd.DataFrame:
    """The tables of a dataset: rows, columns and the file each was read from.

    Parameters
    ----------
    dataset : Dataset
        A dataset from :func:`lerkit.datasets.load`.

    Returns
    -------
    DataFrame
        ``table, rows, columns, file`` (relative to the dataset folder), ``format``,
        one row per table read, in data-dictionary order.

    Examples
    --------
    >>> import lerkit as lk
    >>> overview = table_overview(lk.datasets.load("pilot-default"))
    >>> int(overview.set_index("table").loc["learners", "rows"])
    5000
    """
    rows = []
    for name, source in dataset.sources.items():
        try:
            file = source.path.relative_to(dataset.path).as_posix()
        except ValueError:  # pragma: no cover - a table read from outside the folder
            file = source.path.as_posix()
        rows.append(
            {
                "table": name,
                "rows": int(source.n_rows),
                "columns": len(source.columns),
                "file": file,
                "format": source.format,
            }
        )
    frame = pd.DataFrame(rows, columns=["table", "rows", "columns", "file", "format"])
    return frame.astype({"rows": "int64", "columns": "int64"})


def problem_counts(dataset: Dataset) -> pd.DataFrame:
    """How many validation problems of each kind loading the dataset found.

    Only counts: the offending values are left out, because a bad value can be
    personal data (a mistyped e-mail address, a birth year).

    Parameters
    ----------
    dataset : Dataset
        A dataset from :func:`lerkit.datasets.load`.

    Returns
    -------
    DataFrame
        ``severity, table, column, code, problems`` (exact count), most severe
        first; empty (with these columns) when the dataset is clean.

    Examples
    --------
    >>> import lerkit as lk
    >>> len(problem_counts(lk.datasets.load("pilot-default")))
    0
    """
    columns = ["severity", "table", "column", "code", "problems"]
    rows = [
        {"severity": severity, "table": table, "column": column, "code": code, "problems": n}
        for severity, table, column, code, n in dataset.validation.group_counts
    ]
    frame = pd.DataFrame(rows, columns=columns)
    if frame.empty:
        return frame.astype({"problems": "int64"})
    order = {"error": 0, "warning": 1, "info": 2}
    frame = frame.fillna({"table": "", "column": ""}).astype({"problems": "int64"})
    rank = frame["severity"].map(order).fillna(len(order))
    return (
        frame.assign(_rank=rank)
        .sort_values(
            ["_rank", "problems", "table", "column", "code"],
            ascending=[True, False, True, True, True],
        )
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


@dataclass(frozen=True, slots=True)
class AuditSource:
    """What a verification audit verifies, and with which options.

    Attributes
    ----------
    paths : tuple of Path
        Inputs for :func:`lerkit.verify_many` (files or folders).
    root : Path
        The folder (or file) the audit describes: fingerprinted in the provenance
        block, and the base of the file names in the tables.
    dataset : Path or None
        The dataset folder the credentials belong to, if any; its ``status/``,
        ``dids/`` and ``as_of`` date are the defaults of the options.
    options : VerifyOptions
        Trust list, status lists, did:web folder and verification time.
    """

    paths: tuple[Path, ...]
    root: Path
    dataset: Path | None
    options: VerifyOptions


def _sample(paths: tuple[Path, ...], size: int, seed: int) -> tuple[Path, ...]:
    if size < 1:
        raise LerkitError(f"sample {size!r} must be 1 or more", code="invalid_argument")
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        else:
            files.append(path)
    files = sorted(set(files))
    if len(files) <= size:
        return tuple(files)
    picked = np.random.default_rng(seed).choice(len(files), size=size, replace=False)
    return tuple(files[i] for i in sorted(picked))


def _enclosing_dataset(path: Path) -> Path | None:
    candidates = [path] if path.is_dir() else []
    candidates += list(path.parents)[:_DATASET_DEPTH]
    for folder in candidates:
        if (folder / "dataset.yaml").is_file():
            return folder
    return None


def _moment(now: str | dt.datetime | None) -> dt.datetime | None:
    if now is None or isinstance(now, dt.datetime):
        moment = now
    else:
        try:
            moment = dt.datetime.fromisoformat(now)
        except ValueError as err:
            raise LerkitError(
                f"now {now!r} is not an ISO 8601 date-time", code="invalid_argument"
            ) from err
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def _existing(value: str | os.PathLike[str] | None, what: str) -> Path | None:
    if value is None:
        return None
    path = Path(value).expanduser()
    if not path.exists():
        raise LerkitError(f"{what} {str(value)!r} does not exist", code="audit_input_not_found")
    return path


def audit_source(
    source: str | os.PathLike[str],
    *,
    trust_file: str | os.PathLike[str] | None = None,
    status_dir: str | os.PathLike[str] | None = None,
    did_web_dir: str | os.PathLike[str] | None = None,
    now: str | dt.datetime | None = None,
    sample: int | None = None,
    seed: int = 0,
) -> AuditSource:
    """Resolve a verification audit's input and options, as ``lerkit verify`` takes them.

    ``source`` is a credential file or folder (anything :func:`lerkit.read` reads),
    or a dataset (a name such as ``"pilot-default"`` or a folder with a
    ``dataset.yaml``): then the files its ``credentials`` table names are verified.
    When the source is, or lies inside, a dataset folder, that dataset's
    ``status/`` and ``dids/`` folders and its ``as_of`` date (00:00 UTC) are the
    defaults for ``status_dir``, ``did_web_dir`` and ``now``, so that its
    credentials are checked as they were written to be. Nothing is fetched from
    the network.

    Parameters
    ----------
    source : path or dataset name
    trust_file : path, optional
        Trust list of known issuers (JSON/YAML, see :func:`lerkit.load_trust_list`).
    status_dir : path, optional
        Folder of status list credentials.
    did_web_dir : path, optional
        Local copies of did:web documents.
    now : str or datetime, optional
        Verification time, ISO 8601 (a time without a zone is UTC). Default: the
        dataset's ``as_of``, else the current time.
    sample : int, optional
        Verify a simple random sample of this many of the files (drawn with
        ``seed``; all of them when there are fewer). Default: every file. A sample
        keeps a large audit quick; the intervals of
        :func:`lerkit.analysis.verification_summary` then describe the whole folder.
    seed : int
        Seed of the sample.

    Returns
    -------
    AuditSource

    Raises
    ------
    LerkitError
        ``audit_input_not_found`` for a source or folder that does not exist,
        ``invalid_argument`` for a bad ``now`` or ``sample``.

    Examples
    --------
    >>> audit = audit_source("pilot-default")
    >>> audit.options.now.isoformat(), audit.dataset.name
    ('2026-03-31T00:00:00+00:00', 'pilot-default')
    """
    text = os.fspath(source)
    path = Path(text).expanduser()
    dataset: Dataset | None = None
    if not path.exists():
        try:
            dataset = load_dataset(text, check_files="none")
        except LerkitError as err:
            raise LerkitError(
                f"source {text!r} is neither a credential file or folder nor a dataset: {err}",
                code="audit_input_not_found",
            ) from err
        folder: Path | None = dataset.path
    else:
        folder = _enclosing_dataset(path.resolve())
        if folder is not None and folder == path.resolve():
            dataset = load_dataset(folder, check_files="none")
    if dataset is not None:
        files = dataset.table("credentials", ["file"])["file"].dropna()
        paths = tuple(dataset.path / f for f in sorted(set(files.astype(str))))
        root = dataset.path
    else:
        paths = (path,)
        root = path
    if sample is not None:
        paths = _sample(paths, sample, seed)
    status = _existing(status_dir, "status_dir")
    dids = _existing(did_web_dir, "did_web_dir")
    trust = _existing(trust_file, "trust_file")
    moment = _moment(now)
    if folder is not None:
        if status is None and (folder / "status").is_dir():
            status = folder / "status"
        if dids is None and (folder / "dids").is_dir():
            dids = folder / "dids"
        if moment is None:
            meta = (dataset or load_dataset(folder, check_files="none")).metadata
            if meta.as_of is not None:
                moment = dt.datetime.combine(meta.as_of, dt.time(), dt.UTC)
    options = VerifyOptions(
        trust=load_trust_list(trust) if trust is not None else None,
        status_lists=status,
        did_web=dids,
        now=moment,
    )
    return AuditSource(paths=paths, root=root, dataset=folder, options=options)


def source_caveat(audit: AuditSource) -> Note:
    """The note a verification audit shows when its credentials come from a synthetic pilot.

    Parameters
    ----------
    audit : AuditSource
        From :func:`audit_source`.

    Returns
    -------
    Note
        Renders as Markdown; empty when the credentials are not part of a dataset
        or the dataset is not synthetic.

    Examples
    --------
    >>> str(source_caveat(audit_source("pilot-default"))).startswith("**Synthetic data.**")
    True
    """
    # imported here: the report-brief helpers load the analysis engine (Ibis)
    from lerkit.reports._brief import data_caveat

    if audit.dataset is None:
        return Note("")
    caveat = str(data_caveat(load_dataset(audit.dataset, check_files="none")))
    if not caveat:
        return Note("")
    return Note(
        caveat + " Its generator damages, expires, revokes and suspends a small share "
        "of the credentials on purpose, so that the audit has something to find."
    )


def _first(row: pd.Series, checks: Sequence[str], status: str) -> str | None:
    for check in checks:
        if row.get(check) == status:
            return check
    return None


def _fault(verification: pd.DataFrame) -> pd.Series:
    """The check that decided each credential's verdict: its first failed check, else
    its first indeterminate one ("" for a verified credential)."""
    checks = [c for c in CHECK_NAMES if c in verification.columns]
    return verification.apply(
        lambda row: _first(row, checks, "failed") or _first(row, checks, "indeterminate") or "",
        axis=1,
    ).astype(str)


def _check_frame(verification: pd.DataFrame) -> None:
    missing = [c for c in ("verdict", "reason", "issuer") if c not in verification.columns]
    if missing:
        raise LerkitError(
            f"the verification table has no column {missing[0]!r} (is it a verify_many result?)",
            code="invalid_argument",
        )


def check_counts(verification: pd.DataFrame) -> pd.DataFrame:
    """How many credentials passed, failed, were indeterminate or skipped each check.

    Parameters
    ----------
    verification : DataFrame
        A :func:`lerkit.verify_many` result.

    Returns
    -------
    DataFrame
        ``check`` (in pipeline order, see :data:`lerkit.verify.CHECK_NAMES`), then
        one count column per status (:data:`CHECK_STATUSES`) and ``credentials``.
        Counts of credentials, not of people.

    Examples
    --------
    >>> import lerkit as lk
    >>> table = lk.verify_many([{"type": "not a credential"}], workers=1, progress=False)
    >>> int(check_counts(table).set_index("check").loc["parsed", "failed"])
    1
    """
    _check_frame(verification)
    rows = []
    for check in CHECK_NAMES:
        if check not in verification.columns:
            continue
        values = verification[check].astype("string")
        row: dict[str, object] = {"check": check}
        for status in CHECK_STATUSES:
            row[status] = int((values == status).sum())
        row["credentials"] = len(values)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["check", *CHECK_STATUSES, "credentials"])
    return frame.astype({c: "int64" for c in (*CHECK_STATUSES, "credentials")})


def _reason(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        return ""
    return value.strip().splitlines()[0]


def failure_reasons(verification: pd.DataFrame) -> pd.DataFrame:
    """What failed and why: credentials not verified, by issuer, deciding check and reason.

    Parameters
    ----------
    verification : DataFrame
        A :func:`lerkit.verify_many` result.

    Returns
    -------
    DataFrame
        ``issuer, verdict, check`` (the first failed check, else the first
        indeterminate one), ``reason`` (first line), ``credentials`` (count), most
        frequent first; empty when every credential verified.

    Examples
    --------
    >>> import lerkit as lk
    >>> table = lk.verify_many([{"type": "not a credential"}], workers=1, progress=False)
    >>> failure_reasons(table)[["verdict", "check", "credentials"]].to_dict("records")
    [{'verdict': 'not_verified', 'check': 'parsed', 'credentials': 1}]
    """
    _check_frame(verification)
    columns = ["issuer", "verdict", "check", "reason", "credentials"]
    bad = verification[verification["verdict"].astype(str) != "verified"]
    if bad.empty:
        return pd.DataFrame(columns=columns).astype({"credentials": "int64"})
    frame = pd.DataFrame(
        {
            "issuer": bad["issuer"].astype("string").fillna("(unknown)").astype(str),
            "verdict": bad["verdict"].astype(str),
            "check": _fault(bad),
            "reason": [_reason(v) for v in bad["reason"]],
        }
    )
    counts = frame.groupby(columns[:-1], sort=False).size().rename("credentials").reset_index()
    counts = counts.sort_values(
        ["credentials", "issuer", "check", "reason"], ascending=[False, True, True, True]
    )
    return counts.reset_index(drop=True).astype({"credentials": "int64"})


def failed_credentials(
    verification: pd.DataFrame,
    root: str | os.PathLike[str] | None = None,
    *,
    limit: int | None = None,
) -> pd.DataFrame:
    """The credentials that did not verify, one row each, for someone to look into.

    Parameters
    ----------
    verification : DataFrame
        A :func:`lerkit.verify_many` result.
    root : path, optional
        Show file names relative to this folder (e.g. :attr:`AuditSource.root`).
    limit : int, optional
        At most this many rows (not verified before warnings, then by file).

    Returns
    -------
    DataFrame
        ``file, issuer, verdict, check, reason``.

    Raises
    ------
    LerkitError
        ``invalid_argument`` for a negative ``limit``.

    Examples
    --------
    >>> import lerkit as lk
    >>> table = lk.verify_many([{"type": "not a credential"}], workers=1, progress=False)
    >>> failed_credentials(table)["check"].tolist()
    ['parsed']
    """
    _check_frame(verification)
    if limit is not None and limit < 0:
        raise LerkitError(f"limit {limit!r} must be 0 or more", code="invalid_argument")
    bad = verification[verification["verdict"].astype(str) != "verified"]
    base = Path(root).resolve() if root is not None else None

    def shown(value: object) -> str:
        text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
        if base is not None and text:
            try:
                return Path(text).resolve().relative_to(base).as_posix()
            except ValueError:
                return text
        return text

    sources = bad["source"] if "source" in bad.columns else pd.Series("", index=bad.index)
    frame = pd.DataFrame(
        {
            "file": [shown(v) for v in sources],
            "issuer": bad["issuer"].astype("string").fillna("(unknown)").astype(str),
            "verdict": bad["verdict"].astype(str),
            "check": _fault(bad) if not bad.empty else pd.Series(dtype=str),
            "reason": [_reason(v) for v in bad["reason"]],
        }
    )
    rank = (frame["verdict"] != "not_verified").astype(int)
    frame = (
        frame.assign(_rank=rank)
        .sort_values(["_rank", "file", "issuer"])
        .drop(columns="_rank")
        .reset_index(drop=True)
    )
    return frame if limit is None else frame.head(limit)
