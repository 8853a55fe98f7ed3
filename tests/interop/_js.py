"""The Node peers (``interop/peer.mjs``): running them, and the session's one run.

Node starts slowly (loading jsonld and the suites takes a few tenths of a second), so
everything the JS peers do — issuing with Digital Bazaar's stack, verifying lerkit's
credentials with it and with DCC verifier-core — is one request made by
:func:`build_js_run`; the tests then read their part of the reply.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from _support import (
    CREATED,
    DI_V2,
    NOW_ISO,
    OB_303,
    SUITES,
    TAMPER_PATH,
    TAMPER_VALUE,
    Issuer,
    issuer,
    lerkit_sign,
    ob3_credential,
    tampered,
)

from lerkit.issue import generate_key, issue_credential

ROOT = Path(__file__).resolve().parents[2]
INTEROP_DIR = ROOT / "interop"
PEER_SCRIPT = INTEROP_DIR / "peer.mjs"
NODE_MODULES = INTEROP_DIR / "node_modules"
SKIP_ENV = "LERKIT_SKIP_INTEROP"

#: The spec-repo copy of OB context 3.0.3 (without ``jti`` and ``endorsementJwt``); the
#: 1EdTech validator's superset is the one lerkit and openbadgeslib serve.
SPEC_REPO_OB_303 = "contexts/purl.imsglobal.org_spec_ob_v3p0_context-3.0.3.json"

#: A URL no loader in these tests may serve: the offline guard must refuse it.
UNPINNED_CONTEXT = "https://example.org/contexts/unpinned/v1"

#: The credential shapes both directions are tested on: (case id, VC version, suite).
CASES: tuple[tuple[str, str, str], ...] = tuple(
    (f"vc{vc}-{suite}", vc, suite) for vc in ("2.0", "1.1") for suite in SUITES
)
#: Top-level terms only the superset copy of OB 3.0.3 defines, with a value for each.
SUPERSET_TERMS: Mapping[str, Any] = {
    "endorsementJwt": [
        "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZTplbmRvcnNlciJ9.c2lnbmF0dXJl"
    ],
    "jti": "urn:uuid:6f1b6d1c-2a39-4c53-9d3e-00000000beef",
}


def node_peers_available() -> None:
    """Fail (or, with LERKIT_SKIP_INTEROP=1, skip) when the Node peers are not installed."""
    if (NODE_MODULES / "@digitalbazaar" / "vc" / "package.json").is_file():
        if shutil.which("node") is None:
            pytest.fail("interop/node_modules is installed but `node` is not on PATH", False)
        return
    message = (
        f"{NODE_MODULES} is missing: install the pinned JS peers with `make interop` "
        "(npm ci in interop/; `make test` does it first)"
    )
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{message}; skipped because {SKIP_ENV}=1")
    pytest.fail(f"{message}, or set {SKIP_ENV}=1 to skip the JS interop tests", False)


def run_node(request: Mapping[str, Any], *, timeout: float = 120) -> dict[str, Any]:
    """Send one request to ``interop/peer.mjs`` and return its JSON reply."""
    node_peers_available()
    env = {**os.environ, "UV_THREADPOOL_SIZE": "1", "NODE_OPTIONS": ""}
    done = subprocess.run(
        ["node", str(PEER_SCRIPT)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=INTEROP_DIR,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"interop/peer.mjs exited {done.returncode}:\n{done.stderr[-4000:]}", False)
    reply: dict[str, Any] = json.loads(done.stdout)
    for task in reply["tasks"]:
        if "error" in task:
            pytest.fail(f"peer task {task['name']!r} failed as a whole: {task['error']}", False)
    return reply


@dataclass
class Signed:
    """A credential and its tampered twin."""

    credential: dict[str, Any]
    tampered: dict[str, Any]


@dataclass
class PeerIssued:
    """What a JS peer issued, and what it said about its own output."""

    credential: dict[str, Any]
    self_verify: dict[str, Any]
    tampered: dict[str, Any]
    tampered_self_verify: dict[str, Any]


@dataclass
class JsRun:
    """The reply of the session's single Node run, indexed for the tests."""

    reply: dict[str, Any]
    #: the issuer Digital Bazaar signs with (a did:key from a fixed seed)
    db_issuer: Issuer
    #: what Digital Bazaar was asked to sign, by case id
    db_unsigned: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: credentials lerkit signed for the JS peers to verify, by case id
    lerkit_signed: dict[str, Signed] = field(default_factory=dict)
    #: credentials lerkit.issue.issue_credential made, by case id (empty without it)
    lerkit_issued: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: lerkit-signed credentials using a superset-only OB 3.0.3 term, by term
    lerkit_superset: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: what each peer said, by task name then by the credential's key in that task
    verdicts: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    #: credentials Digital Bazaar issued, by task name then key
    issued: dict[str, dict[str, PeerIssued]] = field(default_factory=dict)
    #: why Digital Bazaar refused to issue a credential, by task name then key
    issue_errors: dict[str, dict[str, str]] = field(default_factory=dict)

    def issued_by(self, task: str, key: str) -> PeerIssued:
        """The credential issued under ``key`` by ``task``; fails if the peer refused."""
        error = self.issue_errors.get(task, {}).get(key)
        if error is not None:
            pytest.fail(f"{task} could not issue {key}: {error}", False)
        return self.issued[task][key]

    def task(self, name: str) -> dict[str, Any]:
        """The reply to one task: ``results``, ``seconds`` and ``blocked`` URLs."""
        return next(t for t in self.reply["tasks"] if t["name"] == name)


def _issue_task(
    name: str, suite: str, who: Issuer, credentials: dict[str, dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "op": "issue",
        "peer": "digitalbazaar",
        "suite": suite,
        "seed": who.seed_hex,
        "created": CREATED,
        "keys": list(credentials),
        "credentials": list(credentials.values()),
        "tamper": {"path": list(TAMPER_PATH), "value": TAMPER_VALUE},
        **extra,
    }


def _verify_task(
    name: str, peer: str, credentials: dict[str, dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "op": "verify",
        "peer": peer,
        "keys": list(credentials),
        "credentials": list(credentials.values()),
        **extra,
    }


def _case_credential(
    who: Issuer, vc: str, suite: str, serial: int, *, lerkit: bool
) -> dict[str, Any]:
    # VC 1.1 does not define the Data Integrity proof terms. Digital Bazaar's vc.issue
    # appends their context itself; lerkit's sign() does not, so lerkit's issuer adds it.
    add = lerkit and vc == "1.1" and suite != "Ed25519Signature2020"
    return ob3_credential(who.did, vc=vc, serial=serial, extra_contexts=(DI_V2,) if add else ())


def build_js_run(contexts_file: Path, spec_repo_ob_303: dict[str, Any]) -> JsRun:
    """Everything the JS peers do in this session, in one Node process."""
    node_peers_available()
    db_issuer, lerkit_issuer = issuer(0x0D), issuer(0x1E)
    run = JsRun(reply={}, db_issuer=db_issuer)

    # lerkit -> peers: each case signed, plus its tampered twin.
    to_verify: dict[str, dict[str, Any]] = {}
    for serial, (case, vc, suite) in enumerate(CASES, start=100):
        signed = lerkit_sign(
            _case_credential(lerkit_issuer, vc, suite, serial, lerkit=True), suite, lerkit_issuer
        )
        run.lerkit_signed[case] = Signed(signed, tampered(signed, TAMPER_PATH, TAMPER_VALUE))
        to_verify[case] = signed
        to_verify[f"{case}/tampered"] = run.lerkit_signed[case].tampered
    plain = lerkit_sign(ob3_credential(lerkit_issuer.did, serial=200), SUITES[0], lerkit_issuer)
    run.lerkit_superset["plain"] = plain
    for serial, (term, value) in enumerate(SUPERSET_TERMS.items(), start=201):
        unsigned = ob3_credential(lerkit_issuer.did, serial=serial) | {term: value}
        run.lerkit_superset[term] = lerkit_sign(unsigned, SUITES[0], lerkit_issuer)
    superset_docs = {f"superset/{k}": v for k, v in run.lerkit_superset.items()}
    # lerkit's issuing API (an OB 3.0 proof comes as an array)
    issuer_key = generate_key(seed=lerkit_issuer.seed)
    for serial, (case, vc, suite) in enumerate(CASES, start=400):
        unsigned = ob3_credential(issuer_key.did, vc=vc, serial=serial)
        made = issue_credential(unsigned, issuer_key, proof=suite, created=CREATED)
        run.lerkit_issued[case] = made.document
        to_verify[f"issue/{case}"] = made.document
    unpinned = dict(run.lerkit_signed["vc2.0-eddsa-rdfc-2022"].credential)
    unpinned["@context"] = [*unpinned["@context"], UNPINNED_CONTEXT]
    guard = {"unpinned-context": unpinned}

    # peers -> lerkit: Digital Bazaar issues each case (and tampers with a copy).
    issue_tasks = []
    for suite in SUITES:
        credentials = {
            case: _case_credential(db_issuer, vc, s, serial, lerkit=False)
            for serial, (case, vc, s) in enumerate(CASES, start=1)
            if s == suite
        }
        run.db_unsigned.update(credentials)
        issue_tasks.append(_issue_task(f"db-issue/{suite}", suite, db_issuer, credentials))
    spec_repo_credentials = {"plain": ob3_credential(db_issuer.did, serial=10)} | {
        term: ob3_credential(db_issuer.did, serial=11 + i) | {term: value}
        for i, (term, value) in enumerate(SUPERSET_TERMS.items())
    }
    spec_repo = {OB_303: spec_repo_ob_303}
    issue_tasks.append(
        _issue_task(
            "db-issue/spec-repo-ob303",
            "eddsa-rdfc-2022",
            db_issuer,
            spec_repo_credentials,
            context_overrides=spec_repo,
        )
    )

    tasks = [
        *issue_tasks,
        _verify_task("db-verify", "digitalbazaar", to_verify | superset_docs | guard),
        _verify_task(
            "db-verify/spec-repo-ob303", "digitalbazaar", superset_docs, context_overrides=spec_repo
        ),
        _verify_task("vc-verify", "verifier-core", to_verify | superset_docs | guard),
    ]
    request = {"contexts_file": str(contexts_file), "now": NOW_ISO, "tasks": tasks}
    run.reply = run_node(request)
    for sent, got in zip(tasks, run.reply["tasks"], strict=True):
        assert sent["name"] == got["name"]
        keys, results = sent["keys"], got["results"]
        if sent["op"] == "verify":
            run.verdicts[sent["name"]] = dict(zip(keys, results, strict=True))
            continue
        issued = run.issued.setdefault(sent["name"], {})
        errors = run.issue_errors.setdefault(sent["name"], {})
        for key, entry in zip(keys, results, strict=True):
            if "error" in entry:
                errors[key] = entry["error"]
                continue
            issued[key] = PeerIssued(
                entry["credential"],
                entry["self_verify"],
                entry["tampered"],
                entry["tampered_self_verify"],
            )
    return run
