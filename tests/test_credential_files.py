"""CredentialFileWriter: a synthetic pilot's credential files verify offline, faults and all."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import lerkit
from lerkit._jws import split_compact
from lerkit.cli import app
from lerkit.datasets._credential_files import (
    CredentialFileWriter,
    as_of_moment,
    did_web_document,
    issuer_key,
    learner_did,
    synthetic_did_key,
    verify_options,
)
from lerkit.datasets._credential_files import _position as position
from lerkit.errors import DatasetError
from lerkit.issue import achievement, achievement_credential, hashed_identity, issue_credential
from lerkit.status import MIN_ENTRIES
from lerkit.verify import VerificationReport, Verifier

SEED = 20250630
AS_OF = date(2025, 6, 30)

CC = "did:web:cc.example.edu"
ACADEMY = "did:web:academy.example.com"
BOARD_NAME = "Example County Workforce Board"
CRANE_NAME = "Example Crane Certification Board"
BOARD = synthetic_did_key(SEED, BOARD_NAME)
CRANE = synthetic_did_key(SEED, CRANE_NAME, "P-256")

AAS = "https://cc.example.edu/achievements/aas-information-technology"
NET = "https://cc.example.edu/achievements/net-101"
SEC = "https://cc.example.edu/achievements/sec-110"
WEB = "https://academy.example.com/achievements/full-stack-web"
WELD = "https://board.example.org/achievements/welding-apprenticeship"
MIL = "https://board.example.org/achievements/military-logistics"
LIFT = "https://crane.example.org/achievements/forklift-operator"
PARTS = {AAS: [NET, SEC]}

ISSUERS = pd.DataFrame(
    {
        "issuer_id": [CC, ACADEMY, BOARD, CRANE],
        "name": [
            "Example Valley Community College",
            "Example Code Academy",
            BOARD_NAME,
            CRANE_NAME,
        ],
        "issuer_type": ["community_college", "bootcamp", "workforce_board", "certification_body"],
        "region": ["pacific", "mountain", "pacific", "south_atlantic"],
    }
)
ACHIEVEMENTS = pd.DataFrame(
    {
        "achievement_id": [AAS, NET, SEC, WEB, WELD, MIL, LIFT],
        "issuer_id": [CC, CC, CC, ACADEMY, BOARD, BOARD, CRANE],
        "name": [
            "AAS Information Technology",
            "Networking Fundamentals",
            "Security Essentials",
            "Full-Stack Web Development",
            "Welding Apprenticeship",
            "Military Logistics Specialist Course",
            "Forklift Operator Certification",
        ],
        "achievement_type": [
            "AssociateDegree",
            "Course",
            "Course",
            "Certificate",
            "ApprenticeshipCertificate",
            "MilitaryTraining",
            "Certification",
        ],
        "field": ["Information Technology"] * 3 + ["Software", "Welding", None, None],
        "level": ["associate", "course", "course", "certificate", "certificate", "course", "skill"],
        "credit_hours": [60.0, 4.0, 3.0, None, None, 6.5, None],
    }
)
ALIGNMENTS = pd.DataFrame(
    {
        "achievement_id": [AAS, NET, NET, WEB, WELD, MIL, LIFT],
        "framework": [
            "onet_soc",
            "onet_element",
            "lightcast",
            "esco",
            "onet_soc",
            "custom",
            "onet_soc",
        ],
        "target_code": [
            "15-1232.00",
            "2.B.3.k",
            "KS1200364C9C1LK3V5Q1",
            "http://data.europa.eu/esco/occupation/c40a2919-48a9-40ea-b506-1f34f693496d",
            "51-4121.00",
            "LOG-3",
            "53-7051.00",
        ],
        "target_name": [
            "Computer User Support Specialists",
            "Troubleshooting",
            "Computer Networking",
            "Web developer",
            "Welders, Cutters, Solderers, and Brazers",
            "Supply chain coordination",
            "Industrial Truck and Tractor Operators",
        ],
        "target_url": [None] * 7,
    }
)
LEARNERS = pd.DataFrame(
    {
        "learner_id": [f"L{n:03d}" for n in range(8)],
        "name": [f"Learner{n} Example" for n in range(8)],
        "email": [f"learner{n}.example@example.org" for n in range(7)] + [None],
        "birth_year": [1990 + n for n in range(8)],
    }
)

# issuer, achievement, format, proof, expires_on, fault
SPECS: list[tuple[str, str, str, str, date | None, str | None]] = [
    (CC, NET, "ob3", "eddsa-rdfc-2022", None, None),
    (CC, AAS, "clr2", "eddsa-rdfc-2022", None, None),
    (CC, AAS, "clr2", "jwt", None, None),
    (CC, AAS, "clr2", "ecdsa-rdfc-2019", None, None),
    (ACADEMY, WEB, "ob3", "jwt", None, None),
    (ACADEMY, WEB, "ob3", "Ed25519Signature2020", None, None),
    (ACADEMY, WEB, "ob3", "ecdsa-rdfc-2019", date(2028, 1, 1), None),
    (BOARD, WELD, "ob3", "eddsa-rdfc-2022", None, None),
    (BOARD, MIL, "ob3", "jwt", None, None),
    (CRANE, LIFT, "ob3", "ecdsa-rdfc-2019", date(2027, 1, 1), None),
    (CRANE, LIFT, "ob3", "jwt", date(2027, 1, 1), None),
    (CC, NET, "ob3", "eddsa-rdfc-2022", None, "tampered"),
    (ACADEMY, WEB, "ob3", "jwt", None, "tampered"),
    (CC, AAS, "clr2", "eddsa-rdfc-2022", None, "tampered"),
    (ACADEMY, WEB, "ob3", "Ed25519Signature2020", date(2025, 3, 1), "expired"),
    (CRANE, LIFT, "ob3", "jwt", None, "expired"),
    (CC, AAS, "clr2", "ecdsa-rdfc-2019", date(2025, 5, 1), "expired"),
    (CC, NET, "ob3", "eddsa-rdfc-2022", None, "revoked"),
    (BOARD, WELD, "ob3", "jwt", None, "revoked"),
    (CC, AAS, "clr2", "jwt", None, "revoked"),
    (CRANE, LIFT, "ob3", "ecdsa-rdfc-2019", date(2027, 1, 1), "suspended"),
    (ACADEMY, WEB, "ob3", "eddsa-rdfc-2022", None, "suspended"),
    (CC, AAS, "clr2", "eddsa-rdfc-2022", None, "suspended"),
    (BOARD, MIL, "ob3", "eddsa-rdfc-2022", None, None),  # creditsAvailable 6.5, signed as RDF
]
SPLIT = 12  # the first chunk: the genuine credentials and one fault


def credential_id(number: int) -> str:
    return f"urn:uuid:6f1c0a8e-2b4d-4c3e-9a7f-{number:012d}"


CREDENTIALS = pd.DataFrame(
    [
        {
            "credential_id": credential_id(n),
            "learner_id": f"L{n % 8:03d}",
            "issuer_id": issuer,
            "achievement_id": achieved,
            "format": kind,
            "proof": proof,
            "issued_on": date(2024, 1 + n % 12, 1 + n),
            "expires_on": expires,
            "file": "",
            "sha256": "",
        }
        for n, (issuer, achieved, kind, proof, expires, _) in enumerate(SPECS)
    ]
)
FAULTS = pd.DataFrame(
    [
        {"credential_id": credential_id(n), "fault": fault}
        for n, (*_, fault) in enumerate(SPECS)
        if fault is not None
    ]
)
FAULT_OF = dict(zip(FAULTS["credential_id"], FAULTS["fault"], strict=True))
NO_FAULTS = pd.DataFrame(columns=["credential_id", "fault"])


def write(
    out: Path, *, chunks: tuple[slice, ...] = (slice(0, SPLIT), slice(SPLIT, None)), **options: Any
) -> pd.DataFrame:
    written = []
    with CredentialFileWriter(out, ISSUERS, seed=SEED, as_of=AS_OF, **options) as writer:
        for chunk in chunks:
            rows = CREDENTIALS.iloc[chunk]
            written.append(
                writer.write(
                    rows,
                    learners=LEARNERS[LEARNERS["learner_id"].isin(rows["learner_id"])],
                    achievements=ACHIEVEMENTS,
                    alignments=ALIGNMENTS,
                    parts=PARTS,
                    faults=FAULTS,
                )
            )
    return pd.concat(written)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@dataclass(frozen=True)
class Written:
    out: Path
    table: pd.DataFrame
    reports: dict[str, VerificationReport]


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> Written:
    out = tmp_path_factory.mktemp("pilot")
    table = write(out)
    verifier = Verifier(verify_options(out, AS_OF))
    reports = {
        row.credential_id: verifier.verify((out / row.file).read_bytes(), source=row.file)
        for row in table.itertuples()
    }
    return Written(out, table, reports)


def check(report: VerificationReport, name: str) -> tuple[str, str | None]:
    found = report.check(name)
    return found.status, found.code


def genuine(pilot: Written) -> Iterator[tuple[str, VerificationReport]]:
    return ((cid, r) for cid, r in pilot.reports.items() if cid not in FAULT_OF)


# -- verification -----------------------------------------------------------------------


def test_every_genuine_credential_verifies(pilot: Written) -> None:
    outcomes = {cid: (r.status, r.summary()) for cid, r in genuine(pilot)}
    assert len(outcomes) == len(SPECS) - len(FAULTS) == 12
    assert {cid: status for cid, (status, _) in outcomes.items()} == dict.fromkeys(
        outcomes, "verified"
    ), outcomes
    for _, report in genuine(pilot):
        assert report.check("status").status == "passed"  # lists found, signed, bit clear
        assert report.check("verification_method").status == "passed"
        if report.nested:
            # lerkit's CLR 2.0 JSON Schema is the VC 1.1 one: a VC 2.0 CLR is not checked
            # against it, but every credential it nests is an OB 3.0 one
            assert report.check("schema").status == "skipped"
            assert {n.check("schema").status for n in report.nested} == {"passed"}
        else:
            assert report.check("schema").status == "passed"


@pytest.mark.parametrize(
    ("fault", "check_name", "verdict", "code"),
    [
        ("tampered", "signature", "not_verified", None),
        ("expired", "not_expired", "warning", "expired"),
        ("revoked", "status", "not_verified", "revoked"),
        ("suspended", "status", "not_verified", "suspended"),
    ],
)
def test_each_fault_is_detected_by_its_check(
    pilot: Written, fault: str, check_name: str, verdict: str, code: str | None
) -> None:
    faulted = [cid for cid, f in FAULT_OF.items() if f == fault]
    assert len(faulted) == 3
    for cid in faulted:
        report = pilot.reports[cid]
        assert report.status == verdict, (cid, report.summary())
        status, found_code = check(report, check_name)
        assert status == "failed", (cid, report.check(check_name))
        if code is not None:
            assert found_code == code
        others = [
            c.name
            for c in report.checks
            if c.status == "failed" and c.name != check_name and c.name != "nested_credentials"
        ]
        assert others == [], (cid, others)


def test_a_tampered_file_is_a_genuine_signature_over_the_original(pilot: Written) -> None:
    """Undoing the edit makes the signature verify: the fault is the edit, nothing else."""
    row = pilot.table.set_index("credential_id").loc[credential_id(11)]
    document = json.loads((pilot.out / row.file).read_text("utf-8"))
    assert document["credentialSubject"]["achievement"]["name"] == (
        "Networking Fundamentals with Honors"
    )
    document["credentialSubject"]["achievement"]["name"] = "Networking Fundamentals"
    assert lerkit.verify(document, options=verify_options(pilot.out, AS_OF)).status == "verified"


def test_revoked_and_suspended_use_the_issuers_lists(pilot: Written) -> None:
    for cid, fault in FAULT_OF.items():
        if fault not in ("revoked", "suspended"):
            continue
        detail = pilot.reports[cid].check("status").detail
        purpose = "revocation" if fault == "revoked" else "suspension"
        assert f"/status/{purpose} is set" in detail
    lists = sorted(p.relative_to(pilot.out).as_posix() for p in (pilot.out / "status").rglob("*"))
    assert "status/cc.example.edu/status/revocation.json" in lists
    assert "status/cc.example.edu/status/suspension.json" in lists
    key_home = BOARD.removeprefix("did:key:")
    assert f"status/issuers.example.org/{key_home}/status/revocation.json" in lists


def test_clr_nested_credentials_verify(pilot: Written) -> None:
    clrs = pilot.table[pilot.table["format"] == "clr2"]
    assert set(clrs["proof"]) == {"eddsa-rdfc-2022", "jwt", "ecdsa-rdfc-2019"}
    for row in clrs.itertuples():
        report = pilot.reports[row.credential_id]
        assert len(report.nested) == len(PARTS[AAS]) + 1
        fault = FAULT_OF.get(row.credential_id)
        if fault == "expired":  # the main member carries the record's expiry too
            assert [n.status for n in report.nested] == ["verified", "verified", "warning"]
            assert report.check("nested_credentials").status == "warning"
        else:
            assert [n.status for n in report.nested] == ["verified"] * 3, row.credential_id
            assert report.check("nested_credentials").status == "passed"


def test_clr_follows_the_clr_2_data_model(pilot: Written) -> None:
    row = pilot.table.set_index("credential_id").loc[credential_id(1)]
    clr = json.loads((pilot.out / row.file).read_text("utf-8"))
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    subject = clr["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    members = subject["verifiableCredential"]
    assert [m["credentialSubject"]["achievement"]["id"] for m in members] == [NET, SEC, AAS]
    assert all(m["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022" for m in members)
    assert [a["id"] for a in subject["achievement"]] == [NET, SEC, AAS]
    assert subject["association"] == [
        {"type": "Association", "associationType": "isParentOf", "sourceId": AAS, "targetId": NET},
        {"type": "Association", "associationType": "isParentOf", "sourceId": AAS, "targetId": SEC},
    ]
    # courses come before the degree they make up
    starts = [m["validFrom"] for m in members]
    assert starts == sorted(starts)
    assert starts[-1] == clr["validFrom"]
    jwt_row = pilot.table.set_index("credential_id").loc[credential_id(2)]
    assert jwt_row.file.endswith(".jwt")
    claims = split_compact((pilot.out / jwt_row.file).read_text("ascii").strip()).payload_json
    assert claims is not None
    nested = claims["credentialSubject"]["verifiableCredential"]
    assert {m["proof"][0]["cryptosuite"] for m in nested} == {"eddsa-rdfc-2022"}


# -- content ----------------------------------------------------------------------------


def test_ob3_content_follows_the_tables(pilot: Written) -> None:
    row = pilot.table.set_index("credential_id").loc[credential_id(0)]
    vc = json.loads((pilot.out / row.file).read_text("utf-8"))
    assert vc["type"] == ["VerifiableCredential", "AchievementCredential"]
    assert vc["issuer"] == {
        "id": CC,
        "type": ["Profile"],
        "name": "Example Valley Community College",
        "url": "https://cc.example.edu",
        "description": "A community college (fictional: synthetic pilot data).",
    }
    assert vc["validFrom"] == "2024-01-01T00:00:00Z" == vc["proof"][0]["created"]
    assert "validUntil" not in vc
    achieved = vc["credentialSubject"]["achievement"]
    assert achieved["id"] == NET
    assert achieved["achievementType"] == "Course"
    assert achieved["creditsAvailable"] == 4
    assert achieved["criteria"] == {"narrative": "Complete the course with a grade of C or better."}
    assert [
        (a["targetFramework"], a["targetCode"], a["targetType"]) for a in achieved["alignment"]
    ] == [
        ("O*NET Content Model", "2.B.3.k", "ceasn:Competency"),
        ("Lightcast Open Skills", "KS1200364C9C1LK3V5Q1", "ceasn:Competency"),
    ]
    assert achieved["alignment"][0]["targetUrl"] == (
        "https://www.onetonline.org/find/descriptor/result/2.B.3.k"
    )
    assert vc["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert (
        vc["credentialStatus"]["statusListCredential"] == "https://cc.example.edu/status/revocation"
    )


def test_dictionary_types_map_to_ob3_achievement_types(pilot: Written) -> None:
    types = {}
    for row in pilot.table.itertuples():
        if row.file.endswith(".json") and row.format == "ob3":
            vc = json.loads((pilot.out / row.file).read_text("utf-8"))
            achieved = vc["credentialSubject"]["achievement"]
            types[achieved["id"]] = achieved["achievementType"]
    assert types[WELD] == "ApprenticeshipCertificate"
    assert types[LIFT] == "Certification"


def test_subject_is_a_holder_did_and_a_salted_email_hash_only(pilot: Written) -> None:
    for row in pilot.table.itertuples():
        data = (pilot.out / row.file).read_bytes()
        learner = LEARNERS.set_index("learner_id").loc[row.learner_id]
        assert learner["name"].encode() not in data
        if isinstance(learner["email"], str):
            assert learner["email"].encode() not in data
        assert row.learner_id.encode() not in data
    row = pilot.table.set_index("credential_id").loc[credential_id(0)]
    subject = json.loads((pilot.out / row.file).read_text("utf-8"))["credentialSubject"]
    assert subject["id"] == learner_did(SEED, "L000")
    [identity] = subject["identifier"]
    assert identity == hashed_identity("learner0.example@example.org", identity["salt"])
    no_email = pilot.table.set_index("credential_id").loc[credential_id(7)]  # learner L007
    subject = json.loads((pilot.out / no_email.file).read_text("utf-8"))["credentialSubject"]
    assert "identifier" not in subject
    assert subject["id"] == learner_did(SEED, "L007")


# -- the returned table and the files ---------------------------------------------------


def test_table_gets_file_and_sha256_of_the_bytes(pilot: Written) -> None:
    table = pilot.table
    assert list(table.columns) == list(CREDENTIALS.columns)
    assert list(table["credential_id"]) == list(CREDENTIALS["credential_id"])
    for row in table.itertuples():
        data = (pilot.out / row.file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row.sha256
        assert data.endswith(b"\n")
        assert not data.endswith(b"\n\n")
        stem = row.credential_id.removeprefix("urn:uuid:")
        expected = ".jwt" if row.proof == "jwt" else ".json"
        assert row.file.startswith("credentials/")
        assert row.file.endswith(stem + expected)
    assert table.set_index("credential_id").loc[credential_id(0), "file"] == (
        f"credentials/cc.example.edu/{credential_id(0).removeprefix('urn:uuid:')}.json"
    )
    assert (table["proof"] == CREDENTIALS["proof"]).all()


def test_an_expired_fault_without_a_past_expiry_gets_one(pilot: Written) -> None:
    rows = pilot.table.set_index("credential_id")
    assert rows.loc[credential_id(15), "expires_on"] == date(2025, 6, 29)  # was empty
    assert rows.loc[credential_id(14), "expires_on"] == date(2025, 3, 1)  # kept
    assert pd.isna(CREDENTIALS.loc[15, "expires_on"])  # the input is not changed


def test_no_private_key_is_written_and_keys_can_be_derived_again(pilot: Written) -> None:
    files = tree(pilot.out)
    assert not [name for name, data in files.items() if b"secretKey" in data or b"PRIVATE" in data]
    assert json.loads(files["dids/cc.example.edu/.well-known/did.json"]) == did_web_document(
        SEED, CC
    )
    assert "dids/academy.example.com/.well-known/did.json" in files
    assert not [name for name in files if name.startswith("dids/") and "did:key" in name]
    # a workshop signs one more credential with a re-derived key; it verifies
    for key in (
        issuer_key(SEED, CC, "P-256"),
        issuer_key(SEED, BOARD, name=BOARD_NAME),
        issuer_key(SEED, CRANE, "P-256", name=CRANE_NAME),
    ):
        extra = achievement_credential(
            issuer=key.did,
            subject_id=learner_did(SEED, "L001"),
            achievement=achievement(
                id=NET, name="Networking Fundamentals", description="x", criteria="y"
            ),
            valid_from="2025-01-01T00:00:00Z",
            credential_id="urn:uuid:00000000-0000-4000-8000-00000000abcd",
        )
        proof = "ecdsa-rdfc-2019" if key.kind == "P-256" else "eddsa-rdfc-2022"
        signed = issue_credential(extra, key, proof=proof)
        report = lerkit.verify(signed.document, options=verify_options(pilot.out, AS_OF))
        assert report.status == "verified", report.summary()


def test_status_list_positions_are_distinct_and_in_range() -> None:
    key = b"k" * 32
    first = [position(n, key) for n in range(20_000)]
    assert len(set(first)) == len(first)
    assert all(0 <= p < MIN_ENTRIES for p in first)
    assert first[:50] != sorted(first[:50])  # not in issue order
    beyond = [position(MIN_ENTRIES + n, key) for n in range(100)]
    assert all(MIN_ENTRIES <= p < 2 * MIN_ENTRIES for p in beyond)
    assert len(set(beyond)) == 100


# -- determinism and the signed share ---------------------------------------------------


def test_same_seed_and_inputs_give_identical_bytes(pilot: Written, tmp_path: Path) -> None:
    again = write(tmp_path / "again", chunks=(slice(0, 5), slice(5, 17), slice(17, None)))
    assert tree(tmp_path / "again") == tree(pilot.out)  # other chunk sizes, same order
    pd.testing.assert_frame_equal(again, pilot.table)
    other_seed = tmp_path / "other"
    with CredentialFileWriter(other_seed, ISSUERS.iloc[:2], seed=SEED + 1, as_of=AS_OF) as writer:
        rows = CREDENTIALS[CREDENTIALS["issuer_id"].isin([CC, ACADEMY])].iloc[:2]
        writer.write(
            rows,
            learners=LEARNERS,
            achievements=ACHIEVEMENTS,
            alignments=ALIGNMENTS,
            parts=PARTS,
            faults=NO_FAULTS,
        )
    first = sorted((other_seed / "credentials" / "cc.example.edu").iterdir())[0]
    assert first.read_bytes() != (pilot.out / first.relative_to(other_seed)).read_bytes()


def test_sign_share_writes_the_rest_unsigned(tmp_path: Path) -> None:
    half = write(tmp_path / "half", sign_share=0.5)
    none = write(tmp_path / "none", sign_share=0.0, chunks=(slice(None),))
    for table in (half, none):
        faulted = table["credential_id"].isin(FAULT_OF)
        # faults always keep their proof: a fault is about a signature or a status
        assert (table.loc[faulted, "proof"] == CREDENTIALS.loc[faulted, "proof"]).all()
    assert (none.loc[~none["credential_id"].isin(FAULT_OF), "proof"] == "none").all()
    unsigned = half[half["proof"] == "none"]
    assert 0 < len(unsigned) < len(SPECS) - len(FAULTS)
    # the selection depends on the seed and the credential id, not on chunking
    assert list(half["proof"]) == list(
        write(tmp_path / "half-again", sign_share=0.5, chunks=(slice(None),))["proof"]
    )
    verifier = Verifier(verify_options(tmp_path / "half", AS_OF))
    for row in half.itertuples():
        data = (tmp_path / "half" / row.file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row.sha256
        report = verifier.verify(data)
        if row.proof == "none":
            assert row.file.endswith(".json")
            document = json.loads(data)
            assert "proof" not in document
            members = document["credentialSubject"].get("verifiableCredential", [])
            assert all("proof" not in m for m in members)
            assert report.status == "not_verified"
            assert check(report, "proof_present") == ("failed", "missing_proof")
        elif row.credential_id not in FAULT_OF:
            assert report.status == "verified", report.summary()


# -- other verifiers --------------------------------------------------------------------


def test_lerkit_verify_cli_checks_the_folder(pilot: Written) -> None:
    base = [
        "verify",
        "--status-dir",
        str(pilot.out / "status"),
        "--did-web-dir",
        str(pilot.out / "dids"),
        "--now",
        as_of_moment(AS_OF).isoformat(),
        "--workers",
        "1",
    ]
    result = CliRunner().invoke(app, [*base, "--format", "json", str(pilot.out / "credentials")])
    assert result.exit_code == 1, result.output  # the faulted credentials do not pass
    records = json.loads(result.stdout)
    verdicts = {r["credential_id"]: r["verdict"] for r in records}
    assert verdicts == {cid: report.status for cid, report in pilot.reports.items()}
    samples = [str(pilot.out / pilot.reports[cid].source) for cid, _ in genuine(pilot)][:4]
    result = CliRunner().invoke(app, [*base, *samples])
    assert result.exit_code == 0, result.output
    assert "4 credential(s): 4 verified" in result.stdout


@pytest.mark.interop
def test_openbadgeslib_agrees_on_did_web_credentials(pilot: Written) -> None:
    from openbadgeslib.ob3 import OB3LdpVerifier, OB3VerificationError, OB3Verifier

    def download(url: str) -> bytes:
        """The https:// URLs openbadgeslib asks for, from the written folder."""
        assert url.startswith("https://"), url
        rest = url.removeprefix("https://")
        did_document = pilot.out / "dids" / rest
        if did_document.is_file():
            return did_document.read_bytes()
        return (pilot.out / "status" / (rest + ".json")).read_bytes()

    rows = pilot.table.set_index("credential_id")

    def document(number: int) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(
            (pilot.out / rows.loc[credential_id(number)].file).read_text()
        )
        return loaded

    credential = OB3LdpVerifier().verify(
        document(0), download=download, check_status=True, verify_status_list=False
    )
    assert credential.achievement.name == "Networking Fundamentals"
    with pytest.raises(OB3VerificationError, match="signature mismatch"):
        OB3LdpVerifier().verify(document(11), download=download)
    with pytest.raises(OB3VerificationError, match="'revocation' is set"):
        OB3LdpVerifier().verify(
            copy.deepcopy(document(17)),
            download=download,
            check_status=True,
            verify_status_list=False,
        )
    token = (pilot.out / rows.loc[credential_id(4)].file).read_text("ascii").strip()
    verified = OB3Verifier.for_issuer_did(ACADEMY, download=download).verify(token)
    assert verified.achievement.name == "Full-Stack Web Development"


# -- bad input --------------------------------------------------------------------------


def one_row(**changes: Any) -> pd.DataFrame:
    row = CREDENTIALS.iloc[[0]].copy()
    for name, value in changes.items():
        row[name] = [value]
    return row


def write_one(tmp_path: Path, rows: pd.DataFrame, faults: pd.DataFrame = NO_FAULTS) -> pd.DataFrame:
    writer = CredentialFileWriter(tmp_path, ISSUERS, seed=SEED, as_of=AS_OF)
    return writer.write(
        rows,
        learners=LEARNERS,
        achievements=ACHIEVEMENTS,
        alignments=ALIGNMENTS,
        parts=PARTS,
        faults=faults,
    )


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        (
            {"issued_on": date(2025, 7, 1)},
            "invalid_date",
            "is issued on 2025-07-01, after as_of 2025-06-30",
        ),
        (
            {"expires_on": date(2025, 6, 30)},
            "invalid_date",
            "expires on 2025-06-30, not after as_of 2025-06-30, but its fault is not 'expired'",
        ),
        ({"learner_id": "L999"}, "unknown_reference", "learner(s) L999 of the credentials chunk"),
        ({"issuer_id": "did:web:nowhere.example"}, "unknown_reference", "is not in the issuers"),
        ({"achievement_id": "https://x.example/a"}, "unknown_reference", "achievement https://x"),
        ({"format": "ob2"}, "invalid_value", "format 'ob2' is not one of ob3, clr2"),
        ({"proof": "RsaSignature2018"}, "invalid_value", "proof 'RsaSignature2018' is not one of"),
        (
            {"issuer_id": BOARD, "proof": "ecdsa-rdfc-2019"},
            "key_type_mismatch",
            "has a Ed25519 key, which cannot sign ecdsa-rdfc-2019",
        ),
    ],
)
def test_bad_rows_are_refused_with_the_value_named(
    tmp_path: Path, changes: dict[str, Any], code: str, message: str
) -> None:
    with pytest.raises(DatasetError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        write_one(tmp_path, one_row(**changes))
    assert err.value.code == code


def test_bad_faults_and_closed_writers_are_refused(tmp_path: Path) -> None:
    bad = pd.DataFrame({"credential_id": [credential_id(0)], "fault": ["forged"]})
    with pytest.raises(DatasetError, match="fault 'forged' is not one of") as err:
        write_one(tmp_path, one_row(), bad)
    assert err.value.code == "invalid_value"
    writer = CredentialFileWriter(tmp_path, ISSUERS, seed=SEED, as_of=AS_OF)
    writer.close()
    writer.close()  # twice is fine
    with pytest.raises(DatasetError, match="the writer is closed") as err:
        writer.write(
            one_row(),
            learners=LEARNERS,
            achievements=ACHIEVEMENTS,
            alignments=ALIGNMENTS,
            parts=PARTS,
            faults=NO_FAULTS,
        )
    assert err.value.code == "writer_closed"


def test_did_key_issuers_must_come_from_synthetic_did_key(tmp_path: Path) -> None:
    stranger = lerkit.issue.generate_key(seed=bytes(32)).did
    issuers = pd.DataFrame({"issuer_id": [stranger], "name": ["Somebody Else"]})
    with pytest.raises(DatasetError, match="was not made with synthetic_did_key") as err:
        CredentialFileWriter(tmp_path, issuers, seed=SEED, as_of=AS_OF)
    assert err.value.code == "issuer_key_unknown"
    explicit = lerkit.issue.generate_key(seed=bytes(32))
    writer = CredentialFileWriter(
        tmp_path, issuers, seed=SEED, as_of=AS_OF, keys={stranger: explicit}
    )
    writer.close()
    assert (tmp_path / "status" / "issuers.example.org").is_dir()


def test_writer_arguments_are_checked(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"sign_share must be a number from 0 to 1, got 1\.5"):
        CredentialFileWriter(tmp_path, ISSUERS, seed=SEED, as_of=AS_OF, sign_share=1.5)
    with pytest.raises(DatasetError, match=r"as_of must be a datetime\.date"):
        CredentialFileWriter(tmp_path, ISSUERS, seed=SEED, as_of="2025-06-30")  # type: ignore[arg-type]
    with pytest.raises(DatasetError, match="the issuers table lacks column"):
        CredentialFileWriter(tmp_path, ISSUERS[["issuer_id"]], seed=SEED, as_of=AS_OF)
    with pytest.raises(DatasetError, match="appears twice in the issuers table"):
        CredentialFileWriter(
            tmp_path, pd.concat([ISSUERS, ISSUERS.iloc[:1]]), seed=SEED, as_of=AS_OF
        )


@pytest.mark.parametrize(
    ("issued", "expires", "written"),
    [
        ("2024-03-01", "", "2025-06-29"),
        (pd.Timestamp("2024-03-01"), pd.NaT, pd.Timestamp("2025-06-29")),
    ],
)
def test_dates_may_be_text_or_timestamps(
    tmp_path: Path, issued: Any, expires: Any, written: Any
) -> None:
    rows = one_row(issued_on=issued, expires_on=expires)
    faults = pd.DataFrame({"credential_id": [credential_id(0)], "fault": ["expired"]})
    table = write_one(tmp_path, rows, faults)
    assert table["expires_on"].iloc[0] == written
    assert table["expires_on"].dtype == rows["expires_on"].dtype
    vc = json.loads((tmp_path / table["file"].iloc[0]).read_text("utf-8"))
    assert (vc["validFrom"], vc["validUntil"]) == ("2024-03-01T00:00:00Z", "2025-06-29T00:00:00Z")


def test_a_did_web_issuer_with_a_path_is_laid_out_as_its_urls(tmp_path: Path) -> None:
    did = "did:web:example.org:issuers:night-school"
    issuers = pd.DataFrame({"issuer_id": [did], "name": ["Example Night School"]})
    rows = one_row(issuer_id=did, proof="ecdsa-rdfc-2019")
    with CredentialFileWriter(tmp_path, issuers, seed=SEED, as_of=AS_OF) as writer:
        table = writer.write(
            rows,
            learners=LEARNERS,
            achievements=ACHIEVEMENTS,
            alignments=ALIGNMENTS,
            parts=PARTS,
            faults=NO_FAULTS,
        )
    assert table["file"].iloc[0].startswith("credentials/example.org/issuers/night-school/")
    assert sorted(tree(tmp_path)) == [
        table["file"].iloc[0],
        "dids/example.org/issuers/night-school/did.json",
        "status/example.org/issuers/night-school/status/revocation.json",
        "status/example.org/issuers/night-school/status/suspension.json",
    ]
    vc = json.loads((tmp_path / table["file"].iloc[0]).read_text("utf-8"))
    assert vc["issuer"]["url"] == "https://example.org/issuers/night-school"
    report = lerkit.verify(vc, options=verify_options(tmp_path, AS_OF))
    assert report.status == "verified", report.summary()
