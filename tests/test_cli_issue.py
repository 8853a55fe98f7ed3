"""``lerkit issue --demo N --out DIR``: files written, signatures, the key kept private,
determinism with --key, and one-line errors with exit status 2."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from typer.testing import CliRunner

import lerkit.issue as issue
from lerkit._jws import split_compact
from lerkit.cli import app
from lerkit.dids import did_key_document, resolve_verification_method
from lerkit.proofs import verify_proof
from lerkit.proofs._jose import verify_jws
from lerkit.status import FolderStatusLists, check_status

runner = CliRunner()
LIST_PATH = Path("training.example.org", "status", "revocation-1")


def verify_document(document: Mapping[str, Any]) -> None:
    proof = document["proof"]
    proof = proof[0] if isinstance(proof, list) else proof
    public_key = resolve_verification_method(proof["verificationMethod"]).public_key
    assert isinstance(public_key, Ed25519PublicKey | ec.EllipticCurvePublicKey)
    verify_proof(document, proof, public_key)


def verify_token(token: str) -> dict[str, Any]:
    kid = split_compact(token).header["kid"]
    payload = verify_jws(token, resolve_verification_method(kid).public_key).payload_json
    assert payload is not None
    return payload


def credential_files(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / "credentials").iterdir() if p.is_file())


def test_help_lists_the_issue_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "issue" in result.output
    result = runner.invoke(app, ["issue", "--help"])
    assert result.exit_code == 0
    assert "--demo" in result.output
    assert "--seed" in result.output


@pytest.mark.parametrize(
    ("proof", "suffix"),
    [("eddsa-rdfc-2022", ".json"), ("Ed25519Signature2020", ".json"), ("jwt", ".jwt")],
)
def test_demo_writes_signed_credentials_did_document_and_status_list(
    tmp_path: Path, proof: str, suffix: str
) -> None:
    out = tmp_path / "demo"
    result = runner.invoke(app, ["issue", "--demo", "4", "--out", str(out), "--proof", proof])
    assert result.exit_code == 0, result.output
    key_path = out / "issuer-key.json"
    key = issue.load_key(key_path)
    assert result.stdout.splitlines() == [
        f"issued 4 credential(s) into {out / 'credentials'}",
        f"issuer: {key.did}",
        f"key: {key_path} (new; keep it private)",
        f"DID document: {out / 'did.json'}",
        f"status list: {out / LIST_PATH}{suffix} (published as "
        "https://training.example.org/status/revocation-1)",
    ]
    files = credential_files(out)
    assert len(files) == 4
    assert {p.suffix for p in files} == {suffix}
    for path in files:
        text = path.read_text(encoding="utf-8")
        credential = verify_token(text.strip()) if suffix == ".jwt" else json.loads(text)
        if suffix == ".json":
            verify_document(credential)
        else:
            # an Open Badges 3.0 VC-JWT: typ JWT, the registered claims beside the members
            assert split_compact(text.strip()).header["typ"] == "JWT"
            assert credential["iss"] == key.did
            assert credential["jti"] == credential["id"]
            assert credential["sub"] == credential["credentialSubject"]["id"]
            assert isinstance(credential["nbf"], int)
        assert credential["issuer"]["id"] == key.did
        assert credential["credentialStatus"]["statusListCredential"] == (
            "https://training.example.org/status/revocation-1"
        )
    assert json.loads((out / "did.json").read_text(encoding="utf-8")) == did_key_document(key.did)

    # the status list is where a --status-dir lookup expects it, signed by the issuer
    retrieved = FolderStatusLists(out).get("https://training.example.org/status/revocation-1")
    list_credential = retrieved.credential
    if suffix == ".json":
        verify_document(list_credential)
    else:
        verify_token((out / LIST_PATH).with_suffix(".jwt").read_text().strip())
    assert list_credential["issuer"] == key.did
    entry = json.loads(files[0].read_text())["credentialStatus"] if suffix == ".json" else None
    if entry is not None:
        assert check_status(entry, list_credential, purpose="revocation").value is False


@pytest.mark.parametrize("proof", ["eddsa-rdfc-2022", "ecdsa-rdfc-2019", "jwt"])
def test_lerkit_verify_accepts_what_lerkit_issue_wrote(tmp_path: Path, proof: str) -> None:
    out = tmp_path / "demo"
    result = runner.invoke(app, ["issue", "--demo", "6", "--out", str(out), "--proof", proof])
    assert result.exit_code == 0, result.output
    folder = str(out / "credentials")
    # after the last award date, so that no credential is reported as not yet valid
    now = ["--now", "2025-08-01T00:00:00Z"]
    result = runner.invoke(app, ["verify", folder, "--status-dir", str(out), *now])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app, ["verify", folder, "--status-dir", str(out), *now, "--format", "json"]
    )
    rows = json.loads(result.stdout)
    assert len(rows) == 6
    for row in rows:
        for check in ("parsed", "verification_method", "signature", "not_before", "status"):
            assert row[check] == "passed", row
        # a credential past its validUntil is a warning, never a failure of authenticity
        assert row["verdict"] in ("verified", "warning"), row


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_secret_is_only_in_the_owner_only_key_file(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = runner.invoke(app, ["issue", "--demo", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    key_path = out / "issuer-key.json"
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    secret = json.loads(key_path.read_text())["secretKeyMultibase"]
    assert secret.startswith("z")
    assert secret not in result.stdout
    assert secret not in result.stderr
    written = [p for p in out.rglob("*") if p.is_file()]
    assert len(written) == 3 + 3  # credentials, did.json, key, status list
    for path in written:
        if path != key_path:
            assert secret.encode() not in path.read_bytes(), path


def test_same_key_and_seed_give_identical_files(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    assert (
        runner.invoke(app, ["issue", "--demo", "5", "--out", str(first), "--seed", "9"]).exit_code
        == 0
    )
    key_path = first / "issuer-key.json"
    result = runner.invoke(
        app, ["issue", "--demo", "5", "--out", str(second), "--seed", "9", "--key", str(key_path)]
    )
    assert result.exit_code == 0, result.output
    assert f"key: {key_path}\n" in result.stdout  # loaded, not new
    assert not (second / "issuer-key.json").exists()
    first_files = {p.relative_to(first): p.read_bytes() for p in first.rglob("*") if p.is_file()}
    second_files = {p.relative_to(second): p.read_bytes() for p in second.rglob("*") if p.is_file()}
    del first_files[Path("issuer-key.json")]
    assert first_files == second_files
    other_seed = tmp_path / "third"
    runner.invoke(
        app,
        ["issue", "--demo", "5", "--out", str(other_seed), "--seed", "10", "--key", str(key_path)],
    )
    assert {p.name for p in credential_files(other_seed)} != {
        p.name for p in credential_files(first)
    }


def test_ecdsa_makes_a_p256_key(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = runner.invoke(
        app, ["issue", "--demo", "1", "--out", str(out), "--proof", "ecdsa-rdfc-2019"]
    )
    assert result.exit_code == 0, result.output
    assert issue.load_key(out / "issuer-key.json").kind == "P-256"
    [path] = credential_files(out)
    verify_document(json.loads(path.read_text()))


def _p256_key(tmp_path: Path) -> str:
    return str(issue.generate_key("P-256").save(tmp_path / "p256.json"))


def _open_key(tmp_path: Path) -> str:
    path = issue.generate_key().save(tmp_path / "open.json")
    path.chmod(0o644)
    return str(path)


def _existing_key(tmp_path: Path) -> str:
    (tmp_path / "out").mkdir()
    issue.generate_key().save(tmp_path / "out" / "issuer-key.json")
    return ""


@pytest.mark.parametrize(
    ("args", "setup", "message"),
    [
        (
            ["--out", "{out}"],
            None,
            "error: lerkit issue only makes demo credentials for now: pass --demo N --out DIR",
        ),
        (["--demo", "0", "--out", "{out}"], None, "error: --demo N must be at least 1, got 0"),
        (["--demo", "2"], None, "error: --out DIR is required: the folder to write into"),
        (
            ["--demo", "2", "--out", "{out}", "--proof", "RS256"],
            None,
            "error: --proof 'RS256' is not one of eddsa-rdfc-2022, Ed25519Signature2020, "
            "ecdsa-rdfc-2019, jwt",
        ),
        (
            ["--demo", "2", "--out", "{out}", "--key", "{tmp}/missing.json"],
            None,
            "error: key file '{tmp}/missing.json': no such file",
        ),
        (
            ["--demo", "2", "--out", "{out}", "--key", "{key}"],
            _p256_key,
            "error: eddsa-rdfc-2022 signs with an Ed25519 key, but the key did:key:zDn",
        ),
        (
            ["--demo", "2", "--out", "{out}", "--key", "{key}"],
            _open_key,
            "error: key file '{key}': permissions 0644 let other users read the secret key",
        ),
        (
            ["--demo", "2", "--out", "{out}"],
            _existing_key,
            "error: {out}/issuer-key.json already exists; pass --key {out}/issuer-key.json "
            "to sign with it again, or choose another --out",
        ),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    tmp_path: Path, args: list[str], setup: Any, message: str
) -> None:
    if os.name != "posix" and setup is _open_key:
        pytest.skip("POSIX permissions")
    key = setup(tmp_path) if setup is not None else ""
    values = {"out": str(tmp_path / "out"), "tmp": str(tmp_path), "key": key}
    before = sorted(tmp_path.rglob("*"))
    result = runner.invoke(app, ["issue", *[a.format(**values) for a in args]])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(message.format(**values))
    assert "Traceback" not in result.output
    assert sorted(tmp_path.rglob("*")) == before  # nothing written
