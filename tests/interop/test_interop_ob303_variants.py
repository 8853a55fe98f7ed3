"""The two copies of the Open Badges 3.0.3 context, and credentials made with either.

Two different files circulate under ``https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json``:
the 1EdTech spec repository's, and the 1EdTech validator's, which adds the terms ``jti``
and ``endorsementJwt``. lerkit and openbadgeslib serve the validator's superset; DCC's
verifier-core bundles the spec repository's. A Data Integrity signature covers the RDF
the credential expands to, so which copy a peer holds matters exactly when a credential
uses one of the two extra terms.

What these tests establish (all peers run in JSON-LD safe mode):

* without the two terms, both copies give the same RDF: credentials signed with either
  verify in lerkit, and what lerkit signs verifies with either;
* with a superset term, a peer holding the spec-repo copy cannot issue at all (the term
  would be dropped from what is signed, and safe mode refuses), and cannot verify what a
  superset holder (lerkit) signed. That is a property of the copies, not of lerkit: such
  credentials from lerkit will not verify in DCC's verifier until it updates its copy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _js import SUPERSET_TERMS, JsRun
from _support import OB_303, assert_lerkit_accepts, assert_lerkit_rejects, pinned_contexts

from lerkit.contexts import PINNED_CONTEXTS
from lerkit.proofs import CanonicalizationError, canonicalize_rdfc

pytestmark = pytest.mark.interop

ISSUE_TASK = "db-issue/spec-repo-ob303"
TERMS = list(SUPERSET_TERMS)


def test_lerkit_serves_the_validator_superset(
    standards: Path, spec_repo_ob_303: dict[str, Any]
) -> None:
    index = json.loads((standards / "contexts/index.json").read_text(encoding="utf-8"))
    entry = index[OB_303]
    (variant,) = entry["variants"]
    assert PINNED_CONTEXTS[OB_303].sha256 == variant["sha256"]
    assert PINNED_CONTEXTS[OB_303].sha256 != entry["sha256"]
    served = pinned_contexts()[OB_303]["@context"]
    spec = spec_repo_ob_303["@context"]
    assert set(served) - set(spec) == set(SUPERSET_TERMS)
    assert {k: v for k, v in served.items() if k in spec} == spec


def _loader_with(documents: dict[str, Any]) -> Any:
    def load(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"contextUrl": None, "documentUrl": url, "document": documents[url]}

    return load


def test_both_copies_give_the_same_rdf_without_the_extra_terms(
    js_run: JsRun, spec_repo_ob_303: dict[str, Any]
) -> None:
    document = {k: v for k, v in js_run.lerkit_superset["plain"].items() if k != "proof"}
    contexts = pinned_contexts()
    superset = canonicalize_rdfc(document, _loader_with(contexts))
    spec_repo = canonicalize_rdfc(document, _loader_with(contexts | {OB_303: spec_repo_ob_303}))
    assert superset == spec_repo
    assert '"Welding Fundamentals"' in superset


@pytest.mark.parametrize("term", TERMS)
def test_lerkit_with_the_spec_repo_copy_refuses_a_superset_term(
    js_run: JsRun, spec_repo_ob_303: dict[str, Any], term: str
) -> None:
    """lerkit canonicalizes in safe mode too: a term its copy lacks is an error, not a drop."""
    document = {k: v for k, v in js_run.lerkit_superset[term].items() if k != "proof"}
    contexts = pinned_contexts()
    assert canonicalize_rdfc(document, _loader_with(contexts))
    with pytest.raises(CanonicalizationError, match=term):
        canonicalize_rdfc(document, _loader_with(contexts | {OB_303: spec_repo_ob_303}))


def test_lerkit_verifies_a_credential_signed_with_the_spec_repo_copy(js_run: JsRun) -> None:
    issued = js_run.issued_by(ISSUE_TASK, "plain")
    assert issued.credential["@context"][1] == OB_303
    assert issued.self_verify["verified"] is True
    assert_lerkit_accepts(issued.credential)
    assert issued.tampered_self_verify["verified"] is False
    assert_lerkit_rejects(issued.tampered)


def test_spec_repo_copy_holders_verify_what_lerkit_signs(js_run: JsRun) -> None:
    assert js_run.verdicts["db-verify/spec-repo-ob303"]["superset/plain"]["verified"] is True
    assert js_run.verdicts["vc-verify"]["superset/plain"]["verified"] is True


@pytest.mark.parametrize("term", TERMS)
def test_superset_term_verifies_in_lerkit_and_with_the_superset(js_run: JsRun, term: str) -> None:
    signed = js_run.lerkit_superset[term]
    assert term in signed
    assert_lerkit_accepts(signed)
    assert js_run.verdicts["db-verify"][f"superset/{term}"] == {"verified": True, "error": None}


@pytest.mark.parametrize("term", TERMS)
def test_superset_term_does_not_verify_with_the_spec_repo_copy(js_run: JsRun, term: str) -> None:
    """Observed with the pinned peers: DCC's verifier-core rejects these credentials."""
    verdict = js_run.verdicts["db-verify/spec-repo-ob303"][f"superset/{term}"]
    assert verdict["verified"] is False
    assert f'"property":"{term}"' in verdict["error"], verdict
    assert "Safe mode validation error" in verdict["error"]
    assert js_run.verdicts["vc-verify"][f"superset/{term}"]["verified"] is False


@pytest.mark.parametrize("term", TERMS)
def test_spec_repo_copy_cannot_sign_a_superset_term(js_run: JsRun, term: str) -> None:
    """So no safe-mode issuer produces a credential lerkit's copy would read differently."""
    error = js_run.issue_errors[ISSUE_TASK][term]
    assert "Safe mode validation error" in error
    assert f'"property":"{term}"' in error
