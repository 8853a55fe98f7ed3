"""The bundled synthetic samples: reproducible, really signed, synthetic, as documented."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

import lerkit as lk
from lerkit._baking import extract_png, extract_svg
from lerkit._jws import looks_like_compact_jws, split_compact
from lerkit.datasets import _demo_keys, make_samples
from lerkit.datasets._samples import LEARNERS, OCCUPATIONS, SKILLS, build_samples
from lerkit.model import IdentityObject

SAMPLES = Path(__file__).resolve().parents[1] / "datasets" / "samples"
README = SAMPLES / "README.md"


def committed_files() -> dict[str, bytes]:
    return {
        p.relative_to(SAMPLES).as_posix(): p.read_bytes()
        for p in sorted(SAMPLES.rglob("*"))
        if p.is_file()
    }


def sample_texts() -> Iterator[tuple[str, str]]:
    """(where, text) of every credential-bearing text in the committed samples."""

    def from_file(name: str, data: bytes) -> Iterator[tuple[str, str]]:
        if name.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    yield from from_file(f"{name}!{member}", archive.read(member))
        elif name.endswith(".png"):
            text = extract_png(data)
            if text is not None:
                yield name, text
        elif name.endswith(".svg"):
            text = extract_svg(data)
            if text is not None:
                yield name, text
        elif name.endswith(".jsonl"):
            for number, line in enumerate(data.decode().splitlines(), start=1):
                yield f"{name}:{number}", line
        elif name.endswith((".json", ".jwt", ".jws")) and not name.startswith("broken/"):
            yield name, data.decode()

    for name, data in committed_files().items():
        yield from from_file(name, data)


def sample_jws() -> list[tuple[str, str]]:
    return [(where, text.strip()) for where, text in sample_texts() if looks_like_compact_jws(text)]


def sample_documents() -> Iterator[tuple[str, Any]]:
    """Every JSON document in the samples, JWS payloads included (broken lines skipped)."""
    for where, text in sample_texts():
        if looks_like_compact_jws(text):
            payload = split_compact(text).payload_json
            yield where, payload["vc"] if payload and "vc" in payload else payload
            continue
        try:
            yield where, json.loads(text)
        except ValueError:
            continue


def walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


# ----------------------------------------------------------------- reproducible


def test_regenerating_gives_byte_identical_files(tmp_path: Path) -> None:
    written = make_samples(tmp_path)
    regenerated = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in written}
    committed = committed_files()
    assert sorted(regenerated) == sorted(committed), "files added or removed: regenerate"
    changed = [name for name in committed if committed[name] != regenerated[name]]
    assert changed == [], f"regenerate with `python -m lerkit.datasets.samples`: {changed}"


def test_command_line_writes_the_same_files(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-W", "error", "-m", "lerkit.datasets.samples", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == f"wrote {len(committed_files())} files to {tmp_path}\n"
    assert (tmp_path / "README.md").read_bytes() == README.read_bytes()


def test_zip_members_are_stored_with_fixed_metadata() -> None:
    with zipfile.ZipFile(SAMPLES / "ob3_collection.zip") as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == [
        "credentials/gabe_forklift_certification.json",
        "credentials/farah_pre_apprenticeship.json",
        "credentials/dana_work_orders.jwt",
        "issuer_profile.json",
    ]
    assert {(i.compress_type, i.date_time, i.create_system) for i in infos} == {
        (zipfile.ZIP_STORED, (2026, 1, 1, 0, 0, 0), 3)
    }


# ----------------------------------------------------------------- signatures


def _ed25519_key_for(kid: str) -> Ed25519PublicKey:
    """Decode a did:key URL independently of the generator's encoder."""
    did, _, fragment = kid.partition("#")
    assert did.startswith("did:key:z")
    assert fragment == did.removeprefix("did:key:")
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    number = 0
    for char in did.removeprefix("did:key:z"):
        number = number * 58 + alphabet.index(char)
    raw = number.to_bytes(34, "big")
    assert raw[:2] == b"\xed\x01", "not an Ed25519 multikey"
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def test_every_jws_sample_verifies_with_its_demo_key() -> None:
    tokens = sample_jws()
    assert sorted(where for where, _ in tokens) == [
        "baked_ob3_credential.svg",
        "ob2_signed_assertion.jws",
        "ob3_collection.zip!credentials/dana_work_orders.jwt",
        "vcjose_ob3_bootcamp_course.jwt",
        "vcjwt11_ob3_military_training.jwt",
    ]
    rsa_public = _demo_keys.rsa_private_key().public_key()
    for where, token in tokens:
        jws = split_compact(token)
        if jws.alg == "EdDSA":
            key = _ed25519_key_for(jws.header["kid"])
            assert jws.header["kid"] in {
                _demo_keys.did_key_url(label) for label in _demo_keys.ED25519_SEEDS
            }, where
            key.verify(jws.signature, jws.signing_input)
            with pytest.raises(InvalidSignature):
                key.verify(jws.signature, jws.signing_input[:-1] + b"A")
        else:
            assert jws.alg == "RS256", where
            rsa_public.verify(jws.signature, jws.signing_input, padding.PKCS1v15(), hashes.SHA256())
            with pytest.raises(InvalidSignature):
                rsa_public.verify(
                    jws.signature, jws.signing_input + b"x", padding.PKCS1v15(), hashes.SHA256()
                )


def test_jws_headers_and_claims_follow_each_envelope() -> None:
    tokens = dict(sample_jws())
    jwt = split_compact(tokens["vcjwt11_ob3_military_training.jwt"])
    assert jwt.header["typ"] == "JWT"
    claims = jwt.payload_json
    assert claims is not None
    vc = claims["vc"]
    assert claims["iss"] == vc["issuer"]["id"] == jwt.header["kid"].split("#")[0]
    assert claims["sub"] == vc["credentialSubject"]["id"]
    assert claims["jti"] == vc["id"]
    issued = datetime.fromisoformat(vc["issuanceDate"])
    assert claims["nbf"] == int(issued.timestamp())
    assert vc["@context"][0] == "https://www.w3.org/2018/credentials/v1"

    jose = split_compact(tokens["vcjose_ob3_bootcamp_course.jwt"])
    assert (jose.header["typ"], jose.header["cty"]) == ("vc+jwt", "vc")
    assert jose.payload_json is not None
    assert jose.payload_json["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "vc" not in jose.payload_json

    license_jwt = split_compact(tokens["baked_ob3_credential.svg"])
    assert license_jwt.payload_json is not None
    assert license_jwt.payload_json["exp"] == int(datetime(2029, 1, 12, 16, tzinfo=UTC).timestamp())

    ob2 = split_compact(tokens["ob2_signed_assertion.jws"])
    assert ob2.header == {"alg": "RS256"}
    assert ob2.payload_json is not None
    assert ob2.payload_json["verification"]["type"] == "SignedBadge"


def test_demo_seeds_follow_the_documented_derivation() -> None:
    assert len(_demo_keys.ED25519_SEEDS) == 8
    for label, seed in _demo_keys.ED25519_SEEDS.items():
        assert seed == hashlib.sha256(b"lerkit demo key: " + label.encode()).hexdigest()
    assert _demo_keys.rsa_private_key().key_size == 2048


# ----------------------------------------------------------------- identities


def _documented_identities() -> dict[str, tuple[str, str, str]]:
    rows = re.findall(
        r"^\| (?P<name>[^|]+) \| `(?P<email>[^`]+)` \| `(?P<salt>[^`]+)` \| `(?P<hash>[^`]+)` \|$",
        README.read_text(),
        flags=re.M,
    )
    return {name: (email, salt, digest) for name, email, salt, digest in rows}


def test_readme_documents_each_hashed_identity_correctly() -> None:
    documented = _documented_identities()
    assert sorted(documented) == sorted(learner.name for learner in LEARNERS.values())
    for email, salt, digest in documented.values():
        assert digest == "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()
        assert email.endswith("@example.org")


def test_every_hashed_identity_matches_a_documented_email() -> None:
    emails = [email for email, _, _ in _documented_identities().values()]
    found = 0
    for where, document in sample_documents():
        for node in walk(document):
            if not isinstance(node, dict):
                continue
            if node.get("type") == "IdentityObject":
                identity = IdentityObject(
                    node["identityType"], node["hashed"], node["identityHash"], node["salt"]
                )
            elif isinstance(node.get("recipient"), dict):  # OB 2.0
                recipient = node["recipient"]
                identity = IdentityObject(
                    recipient["type"], recipient["hashed"], recipient["identity"], recipient["salt"]
                )
            else:
                continue
            assert identity.hashed, where
            assert sum(identity.matches(email) for email in emails) == 1, where
            found += 1
    assert found >= 20


def test_ada_example_certificate_identity() -> None:
    document = json.loads((SAMPLES / "ob3_certificate_community_college.json").read_text())
    (identifier,) = document["credentialSubject"]["identifier"]
    identity = IdentityObject(
        identifier["identityType"], True, identifier["identityHash"], identifier["salt"]
    )
    assert identity.matches("ada-example@example.org")
    assert identity.matches("Ada-Example@Example.org")
    assert not identity.matches("bashir-sample@example.org")


# ----------------------------------------------------------------- synthetic content

_ALLOWED_HOSTS = re.compile(
    r"([a-z0-9-]+\.)*example\.(org|edu)|www\.w3\.org|w3id\.org|purl\.imsglobal\.org"
    r"|www\.onetonline\.org|schema\.hropenstandards\.org"
)


def test_only_example_domains_and_standards_hosts_appear() -> None:
    for where, document in sample_documents():
        text = json.dumps(document)
        for host in re.findall(r"https?://([^/\"#?]+)", text):
            assert _ALLOWED_HOSTS.fullmatch(host), f"{where}: {host}"
        for address in re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text):
            assert address.split("@")[1].endswith(("example.org", "example.edu")), address
        for did in re.findall(r"did:[a-z]+:[\w.:-]+", text):
            assert did.startswith(("did:example:", "did:key:z6Mk")), f"{where}: {did}"


def test_alignments_use_the_onet_tables_and_dates_span_2023_to_2026() -> None:
    years = set()
    frameworks = set()
    for where, document in sample_documents():
        for node in walk(document):
            if not isinstance(node, dict):
                continue
            if node.get("targetFramework") == "O*NET-SOC":
                assert re.fullmatch(r"\d{2}-\d{4}\.\d{2}", node["targetCode"]), where
                assert OCCUPATIONS[node["targetCode"]] == node["targetName"], where
            elif node.get("targetFramework") == "O*NET Content Model":
                assert SKILLS[node["targetCode"]] == node["targetName"], where
            frameworks.add(node.get("targetFramework"))
            for key in ("validFrom", "issuanceDate", "issuedOn"):
                if key in node:
                    years.add(int(node[key][:4]))
    assert {"O*NET-SOC", "O*NET Content Model"} <= frameworks
    assert years == {2023, 2024, 2025, 2026}


def test_achievement_types_and_issuers_cover_the_alternative_routes() -> None:
    kinds = set()
    issuers = set()
    for _, document in sample_documents():
        for node in walk(document):
            if isinstance(node, dict) and "achievementType" in node:
                kinds.add(node["achievementType"])
            if isinstance(node, dict) and isinstance(node.get("issuer"), dict):
                issuers.add(node["issuer"].get("name"))
    assert {
        "AssociateDegree",
        "ApprenticeshipCertificate",
        "Badge",
        "Certificate",
        "Certification",
        "Course",
        "License",
    } <= kinds
    assert {
        "Example Valley Community College",
        "Launchpad Example Coding Bootcamp",
        "Example County Workforce Development Board",
        "Example Freight & Logistics Co.",
        "Example Regional Military Training Center",
    } <= issuers


# ----------------------------------------------------------------- documented counts


def _readme_totals() -> tuple[int, int]:
    text = README.read_text()
    records = re.search(r"\*\*(\d+) credential records\*\*", text)
    problems = re.search(r"\*\*(\d+) problems\*\*", text)
    assert records
    assert problems
    return int(records.group(1)), int(problems.group(1))


def test_readme_totals_match_the_generator() -> None:
    samples = build_samples()
    assert _readme_totals() == (
        sum(len(s.records) for s in samples),
        sum(len(s.problems) for s in samples),
    )
    by_path = {s.path: s for s in samples}
    assert len(by_path["clr2_learner_record_community_college.json"].records) == 4
    assert len(by_path["ob3_certificate_community_college.json"].records) == 3
    assert len(by_path["ler_rs_resume.json"].records) == 2
    assert [len(s.problems) for s in samples if s.path.startswith("broken/")] == [1] * 7


def test_lerkit_reader_finds_the_documented_counts() -> None:
    records, problems = _readme_totals()
    found = lk.read(SAMPLES)
    assert (len(found.credentials), len(found.problems)) == (records, problems)
    assert found.skipped == (str(README),)
