"""Tidy tables: fixed columns, stable dtypes, and values derived from the records."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import lerkit as lk
from lerkit.tables import COLUMNS

SAMPLES = Path(__file__).resolve().parents[1] / "datasets" / "samples"
OB30 = "examples/digital-credentials-public-validator/inspector-vc/src/test/resources/ob30"
DATETIME_COLUMNS = {"issued", "valid_from", "valid_until"}
INT_COLUMNS = {
    "n_alignments",
    "n_results",
    "n_evidence",
    "n_endorsements",
    "source_line",
    "result_index",
}


@pytest.fixture(scope="module")
def samples() -> lk.CredentialSet:
    files = [path for path in SAMPLES.rglob("*") if path.is_file()] if SAMPLES.is_dir() else []
    assert files, f"no sample files in {SAMPLES} (make samples writes them)"
    found = lk.read(SAMPLES)
    assert found.credentials, "the samples gave no records"
    return found


@pytest.fixture(scope="module")
def examples(standards: Path) -> lk.CredentialSet:
    """Every official example: all formats, envelopes, nesting and a few problems."""
    return lk.read(standards / "examples")


@pytest.fixture(scope="module")
def empty() -> lk.CredentialSet:
    return lk.read([])


def _check_shape(found: lk.CredentialSet) -> None:
    tables = found.tables()
    assert list(tables) == list(COLUMNS)
    for name, frame in tables.items():
        assert tuple(frame.columns) == COLUMNS[name], name
        for column in frame.columns:
            dtype = frame[column].dtype
            if column in DATETIME_COLUMNS:
                assert isinstance(dtype, pd.DatetimeTZDtype), (name, column, dtype)
                assert str(dtype.tz) == "UTC", (name, column, dtype)
            elif column in INT_COLUMNS:
                assert dtype == "Int64", (name, column, dtype)
            elif column == "credits_available":
                assert dtype == "Float64", (name, column, dtype)
            else:
                assert isinstance(dtype, pd.StringDtype), (name, column, dtype)
    assert len(tables["credentials"]) == len(found.credentials)
    assert len(tables["problems"]) == len(found.problems)


def test_empty_read_has_every_table_with_its_columns(empty: lk.CredentialSet) -> None:
    _check_shape(empty)
    assert all(frame.empty for frame in empty.tables().values())


def test_sample_tables_have_their_columns_and_dtypes(samples: lk.CredentialSet) -> None:
    _check_shape(samples)


def test_example_tables_have_their_columns_and_dtypes(examples: lk.CredentialSet) -> None:
    _check_shape(examples)
    tables = examples.tables()
    # The examples exercise every table, so the checks above saw real values.
    for name in ("credentials", "achievements", "alignments", "results", "evidence"):
        assert not tables[name].empty, name
    for name in ("endorsements", "references", "problems"):
        assert not tables[name].empty, name


def test_dtypes_do_not_depend_on_the_data(
    empty: lk.CredentialSet, examples: lk.CredentialSet, standards: Path
) -> None:
    # Tables from different reads are concatenated in notebooks, so a column
    # must have one dtype whether it is empty, all missing or filled.
    no_valid_until = lk.read(standards / OB30 / "simple.json")
    reference = examples.tables()
    for found in (empty, no_valid_until):
        for name, frame in found.tables().items():
            for column in frame.columns:
                assert frame[column].dtype == reference[name][column].dtype, (
                    name,
                    column,
                    frame[column].dtype,
                    reference[name][column].dtype,
                )


def test_multi_valued_fields_are_joined_with_a_bar(standards: Path) -> None:
    found = lk.read(standards / OB30 / "simple.json")
    row = found.table("credentials").iloc[0]
    assert row["types"] == "VerifiableCredential|OpenBadgeCredential"
    assert row["proof_types"] == "DataIntegrityProof"
    assert row["cryptosuites"] == "eddsa-rdfc-2022"
    assert "|".join(found.credentials[0].types) == row["types"]


def _credential(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:7d5b6a44-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://example.edu/issuers/1", "type": ["Profile"], "name": "Ex U"},
        "validFrom": "2024-01-01T05:30:00+05:30",
        "validUntil": "2030-06-30",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.edu/achievements/1",
                "type": ["Achievement"],
                "name": "Statistics",
                "tag": ["math", "data"],
                "creditsAvailable": 3,
                "alignment": [
                    {"type": ["Alignment"], "targetName": "Stats", "targetUrl": "https://x/1"},
                    {"type": ["Alignment"], "targetName": "Data", "targetUrl": "https://x/2"},
                ],
            },
            "result": [
                {
                    "type": ["Result"],
                    "value": "A",
                    "alignment": [
                        {"type": ["Alignment"], "targetName": "R", "targetUrl": "https://x/3"}
                    ],
                },
                {"type": ["Result"], "status": "Completed"},
            ],
        },
        "proof": [
            {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"},
            {"type": "DataIntegrityProof", "cryptosuite": "ecdsa-rdfc-2019"},
        ],
    }
    document.update(changes)
    return document


def test_values_come_from_the_records() -> None:
    found = lk.read(json.dumps(_credential()))
    tables = found.tables()
    row = tables["credentials"].iloc[0]
    # Offsets become UTC; a date without a time is midnight UTC.
    assert row["issued"] == pd.Timestamp(datetime(2024, 1, 1, 0, 0, tzinfo=UTC))
    assert row["valid_until"] == pd.Timestamp("2030-06-30T00:00:00Z")
    assert row["cryptosuites"] == "eddsa-rdfc-2022|ecdsa-rdfc-2019"
    assert row["proof_types"] == "DataIntegrityProof|DataIntegrityProof"
    assert (row["n_alignments"], row["n_results"], row["n_evidence"]) == (2, 2, 0)
    assert pd.isna(row["source_line"])
    assert pd.isna(row["subject_id"])

    achievement = tables["achievements"].iloc[0]
    assert achievement["tags"] == "math|data"
    assert achievement["credits_available"] == 3.0

    alignments = tables["alignments"]
    assert alignments["target_name"].tolist() == ["Stats", "Data", "R"]
    assert alignments["result_index"].isna().tolist() == [True, True, False]
    assert alignments["result_index"].iloc[2] == 0
    assert set(alignments["achievement_id"]) == {"https://example.edu/achievements/1"}

    results = tables["results"]
    assert results["result_index"].tolist() == [0, 1]
    assert results["value"].iloc[0] == "A"
    assert results["status"].iloc[1] == "Completed"
    for name, frame in tables.items():
        if name != "problems" and not frame.empty:
            assert set(frame["record_id"]) == {found.credentials[0].record_id}, name


def test_warning_rows_name_their_record(standards: Path) -> None:
    found = lk.read(standards / OB30 / "simple-err-issuer-type.json")
    problems = found.table("problems")
    assert problems[["severity", "code"]].values.tolist() == [["warning", "nonconforming"]]
    assert problems["record_id"].iloc[0] == found.credentials[0].record_id


def test_tables_are_copies(standards: Path) -> None:
    found = lk.read(standards / OB30 / "simple.json")
    frame = found.table("credentials")
    frame.loc[0, "name"] = "changed"
    assert found.table("credentials").loc[0, "name"] == "Teamwork Badge"
    assert found.tables()["credentials"].loc[0, "name"] == "Teamwork Badge"


def test_unknown_table_name() -> None:
    with pytest.raises(KeyError, match="no table 'credential'; tables are credentials, "):
        lk.read([]).table("credential")
