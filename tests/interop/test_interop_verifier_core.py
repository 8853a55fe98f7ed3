"""DCC verifier-core verifies what lerkit signs: VC 1.1 and 2.0, both Data Integrity suites.

``@digitalcredentials/verifier-core`` is the Digital Credentials Consortium's verifier
(behind the Learner Credential Wallet and VerifierPlus). It verifies only, so the
direction here is lerkit -> verifier-core; it brings its own JSON-LD loader with its own
copies of the VC and Open Badges contexts, so agreement here also shows lerkit's pinned
contexts canonicalize like DCC's copies. Its network access is cut off by
``interop/peer.mjs`` (fetch replaced, sockets refused); its informational JSON Schema
check therefore cannot load the 1EdTech schema and is not asserted.
"""

from __future__ import annotations

import pytest
from _js import CASES, UNPINNED_CONTEXT, JsRun
from _support import assert_lerkit_accepts, assert_lerkit_rejects, lerkit_issue_module

pytestmark = pytest.mark.interop

CASE_IDS = [case for case, _, _ in CASES]


@pytest.mark.parametrize("case", CASE_IDS)
def test_verifier_core_verifies_what_lerkit_signs(js_run: JsRun, case: str) -> None:
    verdict = js_run.verdicts["vc-verify"][case]
    assert verdict["signature"] is True, verdict
    assert verdict["verified"] is True, verdict
    assert verdict["log"]["valid_signature"] is True
    assert verdict["log"]["expiration"] is True


@pytest.mark.parametrize("case", CASE_IDS)
def test_verifier_core_and_lerkit_reject_tampered(js_run: JsRun, case: str) -> None:
    verdict = js_run.verdicts["vc-verify"][f"{case}/tampered"]
    assert verdict["verified"] is False
    assert verdict["signature"] is False
    assert "invalid_signature" in verdict["error"], verdict
    assert_lerkit_rejects(js_run.lerkit_signed[case].tampered)


@pytest.mark.parametrize("case", CASE_IDS)
def test_js_peers_verify_lerkit_issue_credential(js_run: JsRun, case: str) -> None:
    """lerkit.issue's output, proof array included, verifies in both JS peers."""
    lerkit_issue_module()
    document = js_run.lerkit_issued[case]
    assert isinstance(document["proof"], list)
    assert js_run.verdicts["db-verify"][f"issue/{case}"] == {"verified": True, "error": None}
    assert js_run.verdicts["vc-verify"][f"issue/{case}"]["verified"] is True
    assert_lerkit_accepts(document)


def test_verifier_core_runs_offline(js_run: JsRun) -> None:
    """verifier-core's own loader would fetch unknown contexts: here the fetch is refused.

    Its reply names no cause (every signature-stage error becomes "The signature is not
    valid"), so the refused URL is read from the peer process's record of blocked loads.
    Besides the planted context, only the OB JSON Schemas its schema check wants were
    refused: no context lerkit pins was ever fetched.
    """
    verdict = js_run.verdicts["vc-verify"]["unpinned-context"]
    assert verdict["verified"] is False
    blocked = set(js_run.task("vc-verify")["blocked"])
    assert UNPINNED_CONTEXT in blocked
    others = blocked - {UNPINNED_CONTEXT}
    assert others <= {
        "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/schema/json-ld/ob_v3p0_anyachievementcredential_schema.json",
    }
