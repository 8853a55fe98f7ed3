"""Verify a batch of credentials in parallel into one table."""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from lerkit._gc import gc_paused
from lerkit.model import Credential, Envelope, Problem
from lerkit.parse._documents import Sink
from lerkit.parse._limits import DEFAULT_LIMITS
from lerkit.parse._reader import (
    Item,
    _decode_jws,
    _depth_exceeds,
    _read_bytes,
    _read_value,
    iter_source,
)
from lerkit.verify._report import CHECK_NAMES, VerificationReport
from lerkit.verify._verifier import Verifier, VerifyOptions

__all__ = ["REPORT_COLUMNS", "verify_many"]

#: Columns of :func:`verify_many`'s table, before the one-per-check columns.
REPORT_COLUMNS: tuple[str, ...] = (
    "source",
    "record_id",
    "credential_id",
    "issuer",
    "format",
    "securing",
    "proof_types",
    "verdict",
    "reason",
    "errors",
)

# Below this many inputs (or credentials), starting worker processes costs more than it
# saves.
_PARALLEL_FROM = 64
_CHUNK = 32

_Row = dict[str, Any]

_worker_verifier: Verifier | None = None


#: Workers start from a fresh interpreter, not a fork: forking copies the parent's
#: threads' locks in whatever state they are (DuckDB, pyarrow and OpenMP pools in a
#: notebook that has run analyses), and a worker could hang or die on them
#: (BrokenProcessPool seen after DuckDB-heavy tests).
_START = multiprocessing.get_context("forkserver")


def _pool(count: int, options: VerifyOptions) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        count, mp_context=_START, initializer=_init_worker, initargs=(options,)
    )


def _init_worker(options: VerifyOptions) -> None:
    global _worker_verifier
    _worker_verifier = Verifier(options)


@dataclass(frozen=True, slots=True)
class _Read:
    """What one input holds: its top-level records and the problems that are rows."""

    credentials: list[Credential]
    problems: list[Problem]


def _read_item(item: Item) -> _Read:
    """Read one input exactly as :func:`lerkit.read` reads it (``read_into``'s loop)."""
    limits = DEFAULT_LIMITS
    sink = Sink(decode_jws=_decode_jws, limits=limits)
    with gc_paused():
        if item.has_value:
            if _depth_exceeds(item.value, limits.max_depth):
                sink.problem(
                    item.location,
                    "too_deeply_nested",
                    f"JSON nests deeper than {limits.max_depth} levels",
                )
            else:
                _read_value(item.value, item.location, sink, Envelope.JSON)
        elif item.data is not None:
            _read_bytes(item.data, item.location, sink)
    return _Read(
        [c for c in sink.credentials if c.parent_record_id is None], _error_rows(sink.problems)
    )


def _error_rows(problems: Sequence[Problem]) -> list[Problem]:
    # Warnings belong to a record that is in the table; an error with a record id too.
    return [p for p in problems if p.severity == "error" and p.record_id is None]


def _row(report: VerificationReport, credential: Credential | None) -> _Row:
    decisive = report.decisive
    row: _Row = {
        "source": report.source,
        "record_id": credential.record_id if credential else None,
        "credential_id": report.credential_id,
        "issuer": report.issuer,
        "format": credential.format.value if credential else None,
        "securing": report.securing,
        "proof_types": ", ".join(report.proof_types),
        "verdict": report.status,
        "reason": f"{decisive.name}: {decisive.detail}" if decisive else None,
        "errors": "; ".join(f"{c.name}: {c.detail}" for c in report.problems) or None,
    }
    for check in report.checks:
        row[check.name] = check.status
    return row


def _unreadable_row(source: str, code: str, message: str) -> _Row:
    row: _Row = dict.fromkeys(REPORT_COLUMNS)
    row.update(
        source=source,
        securing="none",
        proof_types="",
        verdict="not_verified",
        reason=f"parsed: {message} ({code})",
        errors=f"parsed: {message} ({code})",
    )
    row.update(dict.fromkeys(CHECK_NAMES, "skipped"))
    row["parsed"] = "failed"
    return row


def _problem_row(problem: Problem) -> _Row:
    return _unreadable_row(str(problem.source), problem.code, problem.message)


def _verify_items(items: Sequence[Item]) -> list[tuple[list[_Row], list[_Row]]]:
    """In a worker: read and verify inputs; per input its credential and problem rows."""
    assert _worker_verifier is not None
    return [_item_rows(item, _worker_verifier) for item in items]


def _item_rows(item: Item, verifier: Verifier) -> tuple[list[_Row], list[_Row]]:
    found = _read_item(item)
    return (
        [_row(verifier.verify(c), c) for c in found.credentials],
        [_problem_row(p) for p in found.problems],
    )


def _verify_records(credentials: Sequence[Credential]) -> list[_Row]:
    """In a worker: verify records read by the parent."""
    assert _worker_verifier is not None
    return [_row(_worker_verifier.verify(c), c) for c in credentials]


def _shippable(credentials: Sequence[Credential]) -> list[Credential]:
    """Records without their input's whole text (which every record of it shares).

    The text is decoded once per input, not once per record.
    """
    decoded: dict[int, Any] = {}
    light = []
    for credential in credentials:
        raw = credential.raw
        if raw is None:
            light.append(credential)
            continue
        if id(raw) not in decoded:
            decoded[id(raw)] = json.loads(raw)
        value = decoded[id(raw)]
        for part in credential.raw_pointer.split("/")[1:]:
            key = part.replace("~1", "/").replace("~0", "~")
            value = value[int(key)] if isinstance(value, list) else value[key]
        light.append(replace(credential, raw=None, raw_pointer="", decoded=value))
    return light


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _inputs(sources: Any) -> tuple[list[Item], list[list[Problem]]]:
    """Every input of ``sources`` (files read, nothing parsed) and the problems found
    while listing them: ``problems[k]`` came up before input ``k`` (the last, after all).
    """
    sink = Sink(limits=DEFAULT_LIMITS)
    items: list[Item] = []
    problems: list[list[Problem]] = []
    for item in iter_source(sources, DEFAULT_LIMITS, sink):
        problems.append(_error_rows(sink.problems))
        sink.problems.clear()
        items.append(item)
    problems.append(_error_rows(sink.problems))
    return items, problems


def verify_many(
    sources: Any,
    *,
    workers: int | None = None,
    options: VerifyOptions | None = None,
    progress: bool | None = None,
    **settings: Any,
) -> pd.DataFrame:
    """Verify every credential found in ``sources``: one row per credential.

    Parameters
    ----------
    sources
        Anything :func:`lerkit.read` accepts: files, folders, zips, JSONL, JWTs, dicts,
        or a list of them.
    workers : int, optional
        Processes to use (default: every core). ``1`` verifies in this process.
    options : VerifyOptions, optional
        Or its fields as keyword arguments (``trust=``, ``status_lists=``, ...). With
        ``workers > 1`` the options are sent to each worker, so a ``fetch`` function must
        be picklable (a module-level function).
    progress : bool, optional
        Show a progress bar (default: only on a terminal or in a notebook).

    Returns
    -------
    DataFrame
        Columns :data:`REPORT_COLUMNS` (``verdict`` is the report's status) then one
        column per check of
        :data:`~lerkit.verify.CHECK_NAMES` holding its status. Nested CLR members are
        verified inside their CLR (its ``nested_credentials`` column); inputs that could
        not be read are rows with ``parsed`` failed and the reason in ``errors``, so
        nothing drops out of the table. The rows are those of the credentials in the
        order :func:`lerkit.read` finds them, then those of the unreadable inputs; the
        table is the same for any number of workers.

    Notes
    -----
    Files are listed, and read as bytes, in this process; the worker processes parse
    them, verify the credentials and send back only table rows.

    Examples
    --------
    >>> table = verify_many([{"type": "not a credential"}], workers=1, progress=False)
    >>> table.loc[0, ["verdict", "parsed"]].tolist()
    ['not_verified', 'failed']
    """
    chosen = options or VerifyOptions(**settings)
    items, listing_problems = _inputs(sources)
    count = workers or os.cpu_count() or 1
    bar = tqdm(
        total=len(items),
        desc="verifying",
        unit="input",
        disable=None if progress is None else not progress,
    )
    outcomes: list[tuple[list[_Row], list[_Row]]] = []
    try:
        if count > 1 and len(items) >= _PARALLEL_FROM:
            with _pool(count, chosen) as pool:
                for chunk in pool.map(_verify_items, _chunks(items, _CHUNK)):
                    outcomes.extend(chunk)
                    bar.update(len(chunk))
        else:
            outcomes = _verify_few(items, chosen, count, bar)
    finally:
        bar.close()
    rows: list[_Row] = [row for credential_rows, _ in outcomes for row in credential_rows]
    for position, found in enumerate(listing_problems):
        rows.extend(_problem_row(problem) for problem in found)
        if position < len(outcomes):
            rows.extend(outcomes[position][1])
    columns = [*REPORT_COLUMNS, *CHECK_NAMES]
    return pd.DataFrame(rows, columns=columns)


def _verify_few(
    items: Sequence[Item], options: VerifyOptions, count: int, bar: Any
) -> list[tuple[list[_Row], list[_Row]]]:
    """Few inputs: read them here; verify here too, unless they hold many credentials."""
    verifier = Verifier(options)
    if count <= 1:
        outcomes = []
        for item in items:
            outcomes.append(_item_rows(item, verifier))
            bar.update(1)
        return outcomes
    found = [_read_item(item) for item in items]
    credentials = [c for read in found for c in read.credentials]
    if len(credentials) < _PARALLEL_FROM:
        rows = [_row(verifier.verify(c), c) for c in credentials]
    else:
        # A few inputs that hold many credentials (a JSON array, a CLR...): one task per
        # chunk of credentials.
        rows = []
        with _pool(count, options) as pool:
            for chunk in pool.map(_verify_records, _chunks(_shippable(credentials), _CHUNK)):
                rows.extend(chunk)
    outcomes = []
    start = 0
    for read in found:
        end = start + len(read.credentials)
        outcomes.append((rows[start:end], [_problem_row(p) for p in read.problems]))
        start = end
    bar.update(len(items))
    return outcomes
