"""lerkit and Digital Bazaar's @digitalbazaar/vc stack, in both directions.

Digital Bazaar's libraries (vc, data-integrity with eddsa-rdfc-2022-cryptosuite,
ed25519-signature-2020) are the reference implementation most of the ecosystem builds
on. Here they issue Open Badges 3.0 credentials on VC 2.0 and VC 1.1 with both suites
for lerkit to verify, and verify what lerkit signs. The peer runs offline: its document
loader serves lerkit's pinned contexts and did:key only (see ``interop/peer.mjs``).
"""

from __future__ import annotations

import copy

import pytest
from _js import CASES, UNPINNED_CONTEXT, JsRun
from _support import (
    CREATED,
    DI_V2,
    TAMPER_PATH,
    TAMPER_VALUE,
    assert_lerkit_accepts,
    assert_lerkit_rejects,
    get_path,
    lerkit_issue_module,
    lerkit_sign,
    single_proof,
)

pytestmark = pytest.mark.interop

CASE_IDS = [case for case, _, _ in CASES]


@pytest.mark.parametrize("case", CASE_IDS)
def test_lerkit_verifies_what_digitalbazaar_issues(js_run: JsRun, case: str) -> None:
    issued = js_run.issued_by(f"db-issue/{case.split('-', 1)[1]}", case)
    assert issued.self_verify == {"verified": True, "error": None}
    proof = issued.credential["proof"]
    expected_type = "DataIntegrityProof" if "eddsa" in case else "Ed25519Signature2020"
    assert proof["type"] == expected_type
    assert_lerkit_accepts(issued.credential)


@pytest.mark.parametrize("case", CASE_IDS)
def test_tampered_digitalbazaar_credential_is_rejected_by_both(js_run: JsRun, case: str) -> None:
    issued = js_run.issued_by(f"db-issue/{case.split('-', 1)[1]}", case)
    assert get_path(issued.tampered, TAMPER_PATH) == TAMPER_VALUE
    assert issued.tampered["proof"] == issued.credential["proof"]
    assert issued.tampered_self_verify["verified"] is False
    assert "Invalid signature" in issued.tampered_self_verify["error"]
    assert_lerkit_rejects(issued.tampered)


@pytest.mark.parametrize("case", CASE_IDS)
def test_digitalbazaar_verifies_what_lerkit_signs(js_run: JsRun, case: str) -> None:
    verdict = js_run.verdicts["db-verify"][case]
    assert verdict == {"verified": True, "error": None}
    assert_lerkit_accepts(js_run.lerkit_signed[case].credential)


@pytest.mark.parametrize("case", CASE_IDS)
def test_tampered_lerkit_credential_is_rejected_by_both(js_run: JsRun, case: str) -> None:
    verdict = js_run.verdicts["db-verify"][f"{case}/tampered"]
    assert verdict["verified"] is False
    assert "Invalid signature" in verdict["error"]
    assert_lerkit_rejects(js_run.lerkit_signed[case].tampered)


@pytest.mark.parametrize("case", CASE_IDS)
def test_lerkit_and_digitalbazaar_sign_byte_for_byte_alike(js_run: JsRun, case: str) -> None:
    """Same credential, key and time: Ed25519 is deterministic, so the proofs are equal.

    Equal proof values mean both canonicalized the credential and the proof options to
    the same N-Quads and hashed them the same way: agreement at every step, not just at
    the verdict.
    """
    suite = case.split("-", 1)[1]
    issued = js_run.issued_by(f"db-issue/{suite}", case)
    ours = lerkit_sign(js_run.db_unsigned[case], suite, js_run.db_issuer)
    assert ours == issued.credential


@pytest.mark.parametrize("case", CASE_IDS)
def test_lerkit_issue_credential_matches_digitalbazaar(js_run: JsRun, case: str) -> None:
    """lerkit's issuing API gives the very document Digital Bazaar's vc.issue gives.

    Except that lerkit.issue puts an OB 3.0 credential's proof in an array (1EdTech's
    JSON Schema asks for one), where vc.issue writes the object.
    """
    issue = lerkit_issue_module()
    suite = case.split("-", 1)[1]
    key = issue.generate_key(seed=js_run.db_issuer.seed)
    assert key.did == js_run.db_issuer.did
    issued = issue.issue_credential(js_run.db_unsigned[case], key, proof=suite, created=CREATED)
    assert isinstance(issued.document["proof"], list)
    document = issued.document | {"proof": single_proof(issued.document)}
    assert document == js_run.issued_by(f"db-issue/{suite}", case).credential


def test_lerkit_signs_vc11_with_eddsa_rdfc_2022_like_digitalbazaar(js_run: JsRun) -> None:
    """lerkit.proofs.sign appends the Data Integrity context VC 1.1 lacks, as vc.issue does."""
    case = "vc1.1-eddsa-rdfc-2022"
    unsigned = js_run.db_unsigned[case]
    before = copy.deepcopy(unsigned)
    assert DI_V2 not in unsigned["@context"]
    ours = lerkit_sign(unsigned, "eddsa-rdfc-2022", js_run.db_issuer)
    assert unsigned == before  # the input is not modified
    assert ours["@context"] == [*unsigned["@context"], DI_V2]
    assert ours == js_run.issued_by("db-issue/eddsa-rdfc-2022", case).credential


def test_digitalbazaar_adds_the_suite_contexts_itself(js_run: JsRun) -> None:
    """VC 1.1 does not define the proof's terms; the peer appends their context itself."""
    for case, context in (
        ("vc1.1-eddsa-rdfc-2022", DI_V2),
        ("vc2.0-Ed25519Signature2020", "https://w3id.org/security/suites/ed25519-2020/v1"),
    ):
        unsigned = js_run.db_unsigned[case]
        issued = js_run.issued_by(f"db-issue/{case.split('-', 1)[1]}", case)
        assert issued.credential["@context"] == [*unsigned["@context"], context]


def test_digitalbazaar_runs_offline(js_run: JsRun) -> None:
    """The peer's document loader refuses any URL outside lerkit's pinned store.

    In the whole Digital Bazaar verification run, the planted context is the only URL
    that was asked for and refused.
    """
    verdict = js_run.verdicts["db-verify"]["unpinned-context"]
    assert verdict["verified"] is False
    assert f"refusing to load {UNPINNED_CONTEXT}" in verdict["error"]
    assert js_run.task("db-verify")["blocked"] == [UNPINNED_CONTEXT]
    for name in ("db-issue/eddsa-rdfc-2022", "db-issue/Ed25519Signature2020"):
        assert js_run.task(name)["blocked"] == []


def test_peer_versions_are_the_pinned_ones(js_run: JsRun) -> None:
    versions = js_run.reply["versions"]
    assert versions["@digitalbazaar/vc"] == "7.3.0"
    assert versions["@digitalbazaar/eddsa-rdfc-2022-cryptosuite"] == "1.3.0"
    assert versions["@digitalbazaar/ed25519-signature-2020"] == "5.4.0"
    assert versions["@digitalcredentials/verifier-core"] == "1.0.0-beta.11"
