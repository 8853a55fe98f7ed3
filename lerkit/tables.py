"""Tidy pandas tables derived from model records, in one place.

Each table has a fixed column list (``COLUMNS``) so an empty input still gives
correctly shaped, typed tables, and a column cannot drift from the records.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
import pyarrow as pa

from lerkit._gc import gc_paused
from lerkit.model import Alignment, Credential, Problem

__all__ = ["COLUMNS", "credential_tables"]

COLUMNS: dict[str, tuple[str, ...]] = {
    "credentials": (
        "record_id",
        "parent_record_id",
        "credential_id",
        "format",
        "envelope",
        "vc_version",
        "types",
        "name",
        "issuer_id",
        "issuer_name",
        "subject_id",
        "achievement_id",
        "achievement_name",
        "achievement_type",
        "issued",
        "valid_from",
        "valid_until",
        "proof_types",
        "cryptosuites",
        "status_types",
        "n_alignments",
        "n_results",
        "n_evidence",
        "n_endorsements",
        "source_path",
        "source_member",
        "source_line",
        "source_pointer",
    ),
    "achievements": (
        "record_id",
        "achievement_id",
        "name",
        "achievement_type",
        "description",
        "criteria",
        "field_of_study",
        "specialization",
        "human_code",
        "credits_available",
        "tags",
        "creator_id",
        "creator_name",
    ),
    "alignments": (
        "record_id",
        "achievement_id",
        "result_index",
        "target_name",
        "target_code",
        "target_framework",
        "target_type",
        "target_url",
    ),
    "results": (
        "record_id",
        "result_index",
        "result_description",
        "value",
        "status",
        "achieved_level",
    ),
    "evidence": (
        "record_id",
        "evidence_id",
        "name",
        "description",
        "narrative",
        "genre",
        "audience",
    ),
    "endorsements": (
        "record_id",
        "endorsement_record_id",
        "endorser_id",
        "endorser_name",
        "endorsement_comment",
        "issued",
    ),
    "references": ("record_id", "pointer", "url", "name"),
    "problems": (
        "source_path",
        "source_member",
        "source_line",
        "source_pointer",
        "severity",
        "code",
        "message",
        "record_id",
    ),
}

_DATETIME_COLUMNS = {"issued", "valid_from", "valid_until"}
_INT_COLUMNS = {
    "n_alignments",
    "n_results",
    "n_evidence",
    "n_endorsements",
    "source_line",
    "result_index",
}


def _column(name: str, values: Sequence[Any]) -> Any:
    if name in _DATETIME_COLUMNS:
        # fixed unit: an empty column would otherwise come out as [s]
        return pd.to_datetime(pd.Series(values, dtype=object), utc=True).astype(
            "datetime64[us, UTC]"
        )
    if name in _INT_COLUMNS:
        return pd.array(values, dtype="Int64")
    if name == "credits_available":
        return pd.array(values, dtype="Float64")
    # pa.array converts in C; pd.array(..., dtype="string") checks each value in
    # Python first and was five times slower on a million strings.
    return pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()))


def _frame(name: str, rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    columns = COLUMNS[name]
    # Each column is built straight into its final dtype: going through
    # DataFrame.from_records would infer object dtypes first and convert twice.
    values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    return pd.DataFrame(
        {column: _column(column, list(data)) for column, data in zip(columns, values, strict=True)},
        columns=list(columns),
    )


def _join(values: Iterable[str | None]) -> str | None:
    present = [value for value in values if value]
    return "|".join(present) if present else None


def _alignment_row(
    record_id: str, achievement_id: str | None, index: int | None, item: Alignment
) -> tuple[Any, ...]:
    return (
        record_id,
        achievement_id,
        index,
        item.target_name,
        item.target_code,
        item.target_framework,
        item.target_type,
        item.target_url,
    )


def credential_tables(
    credentials: Sequence[Credential], problems: Sequence[Problem]
) -> dict[str, pd.DataFrame]:
    """Build the tidy tables for a set of records.

    Multi-valued fields in the ``credentials`` table (types, proof types) are
    joined with ``|``; alignments, results, evidence and endorsements get tables
    of their own, keyed by ``record_id``.
    """
    with gc_paused():
        return _build_tables(credentials, problems)


def _build_tables(
    credentials: Sequence[Credential], problems: Sequence[Problem]
) -> dict[str, pd.DataFrame]:
    by_id = {credential.record_id: credential for credential in credentials}
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in COLUMNS}
    for cred in credentials:
        ach = cred.achievement
        n_alignments = len(ach.alignments) if ach else 0
        rows["credentials"].append(
            (
                cred.record_id,
                cred.parent_record_id,
                cred.id,
                cred.format.value,
                cred.envelope.value,
                cred.vc_version,
                _join(cred.types),
                cred.name,
                cred.issuer.id,
                cred.issuer.name,
                cred.subject.id,
                ach.id if ach else None,
                ach.name if ach else None,
                ach.achievement_type if ach else None,
                cred.issued,
                cred.valid_from,
                cred.valid_until,
                _join(proof.type for proof in cred.proofs),
                _join(proof.cryptosuite for proof in cred.proofs),
                _join(status.type for status in cred.status),
                n_alignments,
                len(cred.results),
                len(cred.evidence),
                len(cred.endorsement_record_ids),
                cred.source.path,
                cred.source.member,
                cred.source.line,
                cred.source.pointer,
            )
        )
        if ach is not None:
            rows["achievements"].append(
                (
                    cred.record_id,
                    ach.id,
                    ach.name,
                    ach.achievement_type,
                    ach.description,
                    ach.criteria,
                    ach.field_of_study,
                    ach.specialization,
                    ach.human_code,
                    ach.credits_available,
                    _join(ach.tags),
                    ach.creator.id if ach.creator else None,
                    ach.creator.name if ach.creator else None,
                )
            )
            rows["alignments"].extend(
                _alignment_row(cred.record_id, ach.id, None, item) for item in ach.alignments
            )
        for index, result in enumerate(cred.results):
            rows["results"].append(
                (
                    cred.record_id,
                    index,
                    result.result_description,
                    result.value,
                    result.status,
                    result.achieved_level,
                )
            )
            aid = ach.id if ach else None
            rows["alignments"].extend(
                _alignment_row(cred.record_id, aid, index, item) for item in result.alignments
            )
        rows["evidence"].extend(
            (cred.record_id, ev.id, ev.name, ev.description, ev.narrative, ev.genre, ev.audience)
            for ev in cred.evidence
        )
        for endorsement_id in cred.endorsement_record_ids:
            endorsement = by_id.get(endorsement_id)
            if endorsement is None:
                continue
            rows["endorsements"].append(
                (
                    cred.record_id,
                    endorsement_id,
                    endorsement.issuer.id,
                    endorsement.issuer.name,
                    endorsement.endorsement_comment,
                    endorsement.issued,
                )
            )
        rows["references"].extend(
            (cred.record_id, ref.pointer, ref.url, ref.name) for ref in cred.references
        )
    for problem in problems:
        src = problem.source
        rows["problems"].append(
            (
                src.path,
                src.member,
                src.line,
                src.pointer,
                problem.severity,
                problem.code,
                problem.message,
                problem.record_id,
            )
        )
    return {name: _frame(name, table_rows) for name, table_rows in rows.items()}
