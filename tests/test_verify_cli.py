"""``lerkit verify`` and ``lerkit contexts``, and verify_many's table."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

import lerkit as lk
from lerkit.cli import app
from lerkit.dids import did_key_from_key
from lerkit.proofs import sign
from lerkit.verify import CHECK_NAMES, REPORT_COLUMNS

runner = CliRunner()
KEY = Ed25519PrivateKey.from_private_bytes(bytes([5]) * 32)
DID = did_key_from_key(KEY.public_key())
VM = f"{DID}#{DID.removeprefix('did:key:')}"


def _credential(n: int, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": DID, "type": ["Profile"], "name": "Example Workforce Board"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": f"Badge {n}",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": f"https://board.example/achievements/{n}",
                "type": ["Achievement"],
                "name": f"Skill {n}",
                "description": "A demonstrated skill.",
                "criteria": {"narrative": "Observed on the job."},
            },
        },
    }
    doc.update(extra)
    signed, _ = sign(doc, "eddsa-rdfc-2022", KEY, VM, created="2025-01-01T00:00:00Z")
    return signed


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "creds"
    root.mkdir()
    for n in range(3):
        (root / f"good-{n}.json").write_text(json.dumps(_credential(n)))
    return root


def test_all_valid_exits_0(folder: Path) -> None:
    result = runner.invoke(app, ["verify", str(folder), "--now", "2026-01-01T00:00:00Z"])
    assert result.exit_code == 0, result.output
    assert "3 credential(s): 3 verified" in result.output


def test_one_tampered_exits_1_and_is_named(folder: Path) -> None:
    bad = _credential(9)
    bad["name"] = "Changed after signing"
    (folder / "bad.json").write_text(json.dumps(bad))
    (folder / "broken.json").write_text("{not json")
    result = runner.invoke(app, ["verify", str(folder), "--format", "json"])
    assert result.exit_code == 1, result.output
    rows = {Path(r["source"]).name: r for r in json.loads(result.stdout)}
    assert rows["bad.json"]["verdict"] == "not_verified"
    assert rows["bad.json"]["signature"] == "failed"
    assert rows["broken.json"]["parsed"] == "failed"
    assert [rows[f"good-{n}.json"]["verdict"] for n in range(3)] == ["verified"] * 3


def test_expired_is_a_warning_unless_strict(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps(_credential(1, validUntil="2025-06-01T00:00:00Z")))
    assert runner.invoke(app, ["verify", str(path)]).exit_code == 0
    assert runner.invoke(app, ["verify", str(path), "--strict"]).exit_code == 1


def test_csv_output_has_a_column_per_check(folder: Path) -> None:
    result = runner.invoke(app, ["verify", str(folder), "--format", "csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 3
    assert list(rows[0]) == [*REPORT_COLUMNS, *CHECK_NAMES]


def test_trust_list_option(folder: Path, tmp_path: Path) -> None:
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps({"issuers": [{"id": "did:web:someone.example"}]}))
    result = runner.invoke(app, ["verify", str(folder), "--trust", str(trust), "--strict"])
    assert result.exit_code == 1
    assert "issuer_known" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "--format", "xml", "."],
        ["verify", "/nonexistent/path"],
        ["verify", ".", "--now", "yesterday"],
        ["verify"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert runner.invoke(app, args).exit_code == 2


def test_bad_trust_file_exits_2(folder: Path, tmp_path: Path) -> None:
    trust = tmp_path / "trust.json"
    trust.write_text("{}")
    result = runner.invoke(app, ["verify", str(folder), "--trust", str(trust)])
    assert result.exit_code == 2
    assert "trust list" in result.output


def test_empty_folder_exits_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["verify", str(tmp_path)])
    assert result.exit_code == 1
    assert "no credentials found" in result.output


def test_contexts_add_then_verify_uses_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LERKIT_CONTEXT_CACHE", str(tmp_path / "cache"))
    from lerkit.contexts import _loader

    monkeypatch.setattr(_loader, "_default", None)
    url = "https://contexts.example/pilot/v1"
    context = tmp_path / "pilot.jsonld"
    context.write_text(
        json.dumps({"@context": {"pilotCohort": "https://contexts.example/pilot#cohort"}})
    )
    doc = _credential(1)
    doc.pop("proof")
    doc["@context"].append(url)
    doc["pilotCohort"] = "2026-spring"
    unknown = lk.verify(doc)
    assert unknown.check("contexts_known").code == "unknown_context"

    result = runner.invoke(app, ["contexts", "add", url, str(context)])
    assert result.exit_code == 0, result.output
    assert "sha256" in result.output
    listed = runner.invoke(app, ["contexts", "list"])
    assert url in listed.output
    # the process-wide loader, the one the CLI used, now serves it from the cache
    signed, _ = sign(doc, "eddsa-rdfc-2022", KEY, VM, created="2025-01-01T00:00:00Z")
    report = lk.verify(signed)
    assert report.status == "verified", str(report)
    assert "from the pinned store" in report.check("contexts_known").detail


def test_verify_many_parallel_matches_serial(tmp_path: Path) -> None:
    lines = []
    for n in range(80):
        doc = _credential(n)
        if n % 10 == 3:
            doc["name"] = "tampered"
        lines.append(json.dumps(doc))
    lines.append('{"broken": ')
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n")
    serial = lk.verify_many(path, workers=1, progress=False)
    parallel = lk.verify_many(path, workers=2, progress=False)
    assert len(serial) == 81
    assert serial.equals(parallel)
    assert (serial["verdict"] == "not_verified").sum() == 9
    assert (serial["signature"] == "failed").sum() == 8
    assert (serial["parsed"] == "failed").sum() == 1
