"""Verify a batch of credentials in parallel into one table."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from lerkit.model import Credential
from lerkit.parse import read
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

# Below this many credentials, starting worker processes costs more than it saves.
_PARALLEL_FROM = 64
_CHUNK = 32

_worker_verifier: Verifier | None = None


def _init_worker(options: VerifyOptions) -> None:
    global _worker_verifier
    _worker_verifier = Verifier(options)


def _payload(credential: Credential) -> tuple[str, Any]:
    # Records pickle with their whole source text; send only what verification needs.
    if credential.jws is not None:
        return (str(credential.source), credential.jws)
    return (str(credential.source), dict(credential.document))


def _verify_chunk(items: Sequence[tuple[str, Any]]) -> list[VerificationReport]:
    assert _worker_verifier is not None
    return [_worker_verifier.verify(item, source=source) for source, item in items]


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _row(report: VerificationReport, credential: Credential | None) -> dict[str, Any]:
    decisive = report.decisive
    row: dict[str, Any] = {
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


def _unreadable_row(source: str, code: str, message: str) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(REPORT_COLUMNS)
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
        nothing drops out of the table.

    Examples
    --------
    >>> table = verify_many([{"type": "not a credential"}], workers=1, progress=False)
    >>> table.loc[0, ["verdict", "parsed"]].tolist()
    ['not_verified', 'failed']
    """
    chosen = options or VerifyOptions(**settings)
    found = read(sources)
    top = [c for c in found.credentials if c.parent_record_id is None]
    rows: list[dict[str, Any]] = [
        _unreadable_row(str(problem.source), problem.code, problem.message)
        for problem in found.problems
        if problem.severity == "error" and problem.record_id is None
    ]
    count = workers or os.cpu_count() or 1
    bar = tqdm(
        total=len(top),
        desc="verifying",
        unit="credential",
        disable=None if progress is None else not progress,
    )
    reports: list[VerificationReport] = []
    try:
        if count <= 1 or len(top) < _PARALLEL_FROM:
            verifier = Verifier(chosen)
            for credential in top:
                reports.append(verifier.verify(credential))
                bar.update(1)
        else:
            payloads = [_payload(c) for c in top]
            with ProcessPoolExecutor(count, initializer=_init_worker, initargs=(chosen,)) as pool:
                for chunk_reports in pool.map(_verify_chunk, _chunks(payloads, _CHUNK)):
                    reports.extend(chunk_reports)
                    bar.update(len(chunk_reports))
    finally:
        bar.close()
    rows[:0] = [_row(report, credential) for report, credential in zip(reports, top, strict=True)]
    columns = [*REPORT_COLUMNS, *CHECK_NAMES]
    table = pd.DataFrame(rows, columns=columns)
    return table
