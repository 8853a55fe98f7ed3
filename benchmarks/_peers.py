"""Verification rates of independent implementations, for comparison with lerkit.

Given credentials lerkit (or anyone) issued, these functions have each peer verify all
of them and report how many it accepted and how long the verification loop took::

    from _peers import verify_documents, verify_jwts

    for r in verify_documents(docs, issuer_did):      # eddsa-rdfc-2022 OB 3.0 on VC 2.0
        print(r.name, r.kind, r.n_verified, r.n_total, r.seconds, r.per_second)
    verify_jwts(tokens, issuer_did)                    # VC-JWTs, same issuer did:key

Peers
-----
Data Integrity documents (``kind="data-integrity"``):

* ``digitalbazaar`` — ``@digitalbazaar/vc`` ``verifyCredential`` with the
  eddsa-rdfc-2022 and Ed25519Signature2020 suites (Node, ``interop/peer.mjs``);
* ``verifier-core`` — DCC ``@digitalcredentials/verifier-core`` ``verifyCredential``
  (Node; its whole pipeline, including an OB JSON Schema check whose schema fetch is
  refused offline, so that step fails fast on every credential);
* ``openbadgeslib`` — ``OB3LdpVerifier.for_issuer_did(did).verify`` (Python, in-process:
  context validation, proof, issuer binding, validity window).

DIDKit is not a Data Integrity peer here: it has no Open Badges contexts and no VC 2.0.

VC-JWTs (``kind="vc-jwt"``):

* ``openbadgeslib`` — ``OB3Verifier.for_issuer_did(did).verify``, for OB 3.0 native
  VC-JWTs (the payload *is* the credential, no ``vc`` claim);
* ``didkit`` — ``didkit.verify_credential(token, {"proofFormat": "jwt"})``, for VC 1.1
  JWTs with a ``vc`` claim.

A peer that cannot read the given form is left out of the result rather than reported
as verifying nothing. ``seconds`` is the wall time of the verification loop only:

* Node peers: measured inside the Node process with ``performance.now()``, all N
  credentials in one process; start-up, module loading, JSON transfer and the warm-up
  are excluded.
* Python peers: measured with ``time.perf_counter()`` around the loop, in-process for
  openbadgeslib; DIDKit runs in a Python process of its own (``interop/didkit_peer.py``:
  its tokio threads can crash an interpreter at exit) and is timed inside it the same way.

What "one core" means
---------------------
With ``cpu=0`` (the default) every peer is confined to that one logical CPU by its
affinity mask (``sched_setaffinity``). The Node process is started with the mask (its V8
and libuv threads inherit it) and with ``UV_THREADPOOL_SIZE=1``. For openbadgeslib the
mask of every thread of this process is set for the duration of the measurement and
restored afterwards. DIDKit's process pins all its threads (tokio's workers included)
and awaits the verifications one at a time. Background threads (V8's garbage collector
and compiler, tokio's workers) still exist, but they share that one CPU with the work.
``cpu=None`` leaves affinity alone.

Each loop first verifies ``warmup`` credentials untimed (default 1): the first call pays
for JIT compilation and for processing each JSON-LD context once. Node peers run offline:
their document loader serves lerkit's pinned contexts (written to a temporary file from
:data:`lerkit.contexts.PINNED_CONTEXTS`) and did:key only; see ``interop/peer.mjs``.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
INTEROP_DIR = ROOT / "interop"
PEER_SCRIPT = INTEROP_DIR / "peer.mjs"

DOCUMENT_PEERS: tuple[str, ...] = ("digitalbazaar", "verifier-core", "openbadgeslib")
JWT_PEERS: tuple[str, ...] = ("openbadgeslib", "didkit")
_NODE_PEERS = frozenset({"digitalbazaar", "verifier-core"})


class PeerResult(NamedTuple):
    """One peer's verification of a batch."""

    name: str
    kind: str  # "data-integrity" or "vc-jwt"
    n_verified: int
    n_total: int
    seconds: float

    @property
    def per_second(self) -> float:
        """Credentials verified (accepted or not) per second."""
        return self.n_total / self.seconds if self.seconds > 0 else float("inf")


# --- one core ---------------------------------------------------------------------------


def _threads() -> list[int]:
    try:
        return [int(tid) for tid in os.listdir("/proc/self/task")]
    except OSError:
        return [0]


@contextlib.contextmanager
def _pinned(cpu: int | None) -> Iterator[None]:
    """Confine every thread of this process to ``cpu`` for the block (Linux)."""
    if cpu is None or not hasattr(os, "sched_setaffinity"):
        yield
        return
    before = {tid: os.sched_getaffinity(tid) for tid in _threads()}
    try:
        for tid in before:
            with contextlib.suppress(OSError):  # a thread may have ended meanwhile
                os.sched_setaffinity(tid, {cpu})
        yield
    finally:
        for tid, mask in before.items():
            with contextlib.suppress(OSError):
                os.sched_setaffinity(tid, mask)
        original = before.get(os.getpid()) or next(iter(before.values()))
        for tid in set(_threads()) - set(before):  # threads started while pinned
            with contextlib.suppress(OSError):
                os.sched_setaffinity(tid, original)


def _timed(
    items: Sequence[Any], check: Callable[[Any], bool], *, cpu: int | None, warmup: int
) -> tuple[int, float]:
    with _pinned(cpu):
        for item in items[:warmup]:
            check(item)
        start = time.perf_counter()
        verified = sum(1 for item in items if check(item))
        seconds = time.perf_counter() - start
    return verified, seconds


# --- Node peers -------------------------------------------------------------------------


def _pinned_contexts() -> dict[str, Any]:
    from lerkit.contexts import PINNED_CONTEXTS, DocumentLoader

    loader = DocumentLoader(cache_dir=os.devnull)
    return {url: loader.load(url) for url in PINNED_CONTEXTS}


def run_node(request: Mapping[str, Any], *, cpu: int | None = 0) -> dict[str, Any]:
    """Run ``interop/peer.mjs`` on one request (see its header) and return its reply.

    The ``contexts_file`` member is filled in with lerkit's pinned contexts when absent.
    """
    if not (INTEROP_DIR / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        raise RuntimeError(f"{INTEROP_DIR / 'node_modules'} is missing: run `make interop`")
    with tempfile.TemporaryDirectory(prefix="lerkit-peers-") as tmp:
        body = dict(request)
        if "contexts_file" not in body:
            contexts = Path(tmp) / "contexts.json"
            contexts.write_text(json.dumps(_pinned_contexts()), encoding="utf-8")
            body["contexts_file"] = str(contexts)

        def confine() -> None:
            if cpu is not None and hasattr(os, "sched_setaffinity"):
                os.sched_setaffinity(0, {cpu})

        done = subprocess.run(
            ["node", str(PEER_SCRIPT)],
            input=json.dumps(body),
            capture_output=True,
            text=True,
            cwd=INTEROP_DIR,
            env={**os.environ, "UV_THREADPOOL_SIZE": "1", "NODE_OPTIONS": ""},
            preexec_fn=confine,  # only sets the CPU mask: safe between fork and exec
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"interop/peer.mjs exited {done.returncode}: {done.stderr[-2000:]}")
    reply: dict[str, Any] = json.loads(done.stdout)
    return reply


def _node_documents(
    documents: Sequence[Mapping[str, Any]],
    peers: Sequence[str],
    *,
    cpu: int | None,
    warmup: int,
    now: str | None,
) -> list[PeerResult]:
    tasks = [
        {
            "name": peer,
            "op": "verify",
            "peer": peer,
            "credentials": list(documents),
            "warmup": warmup,
        }
        for peer in peers
    ]
    request: dict[str, Any] = {"tasks": tasks}
    if now is not None:
        request["now"] = now
    reply = run_node(request, cpu=cpu)
    results = []
    for task in reply["tasks"]:
        if "error" in task:
            raise RuntimeError(f"{task['name']} failed: {task['error']}")
        verified = sum(1 for r in task["results"] if r["verified"] is True)
        results.append(
            PeerResult(task["name"], "data-integrity", verified, len(documents), task["seconds"])
        )
    return results


# --- Python peers -----------------------------------------------------------------------


def _openbadgeslib_documents(
    documents: Sequence[Mapping[str, Any]], issuer_did: str, *, cpu: int | None, warmup: int
) -> PeerResult:
    from openbadgeslib.ob3 import OB3LdpVerifier, OB3VerificationError

    verifier = OB3LdpVerifier.for_issuer_did(issuer_did)
    # the verifier parses a dict by deep-copying it; hand it a fresh copy outside the timing
    copies = [copy.deepcopy(dict(d)) for d in documents]

    def check(document: dict[str, Any]) -> bool:
        try:
            verifier.verify(document)
        except OB3VerificationError:
            return False
        return True

    verified, seconds = _timed(copies, check, cpu=cpu, warmup=warmup)
    return PeerResult("openbadgeslib", "data-integrity", verified, len(documents), seconds)


def _openbadgeslib_jwts(
    tokens: Sequence[str], issuer_did: str, *, cpu: int | None, warmup: int
) -> PeerResult:
    from openbadgeslib.ob3 import OB3VerificationError, OB3Verifier

    verifier = OB3Verifier.for_issuer_did(issuer_did)

    def check(token: str) -> bool:
        try:
            verifier.verify(token)
        except OB3VerificationError:
            return False
        return True

    verified, seconds = _timed(tokens, check, cpu=cpu, warmup=warmup)
    return PeerResult("openbadgeslib", "vc-jwt", verified, len(tokens), seconds)


def _didkit_jwts(tokens: Sequence[str], *, cpu: int | None, warmup: int) -> PeerResult:
    # In a process of its own (interop/didkit_peer.py): DIDKit's tokio threads can crash
    # the interpreter at exit, which must not take the caller's process down with it.
    options = json.dumps({"proofFormat": "jwt"})
    call = {
        "fn": "verify_credential",
        "batch": [[token, options] for token in tokens],
        "warmup": warmup,
        "cpu": cpu,
    }
    done = subprocess.run(
        [sys.executable, str(INTEROP_DIR / "didkit_peer.py")],
        input=json.dumps({"calls": [call]}),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"interop/didkit_peer.py exited {done.returncode}: {done.stderr[-2000:]}"
        )
    (result,) = json.loads(done.stdout)["results"]
    verified = sum(
        1
        for value in result["values"]
        if isinstance(value, str) and not json.loads(value)["errors"]
    )
    return PeerResult("didkit", "vc-jwt", verified, len(tokens), result["seconds"])


def _payload(token: str) -> dict[str, Any]:
    import base64

    part = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


# --- public -----------------------------------------------------------------------------


def verify_documents(
    documents: Sequence[Mapping[str, Any]],
    issuer_did: str,
    *,
    peers: Sequence[str] = DOCUMENT_PEERS,
    cpu: int | None = 0,
    warmup: int = 1,
    now: str | None = None,
) -> list[PeerResult]:
    """Have each peer verify Data Integrity credentials (eddsa-rdfc-2022 OB 3.0, VC 2.0).

    Parameters
    ----------
    documents : sequence of dict
        The secured credentials, all issued by ``issuer_did``.
    issuer_did : str
        Their issuer's did:key (openbadgeslib anchors its verifier to it).
    peers : sequence of str
        Any of :data:`DOCUMENT_PEERS`.
    cpu : int or None
        The CPU every peer is confined to (see the module docstring); None: no pinning.
    warmup : int
        Credentials verified untimed before each timed loop.
    now : str, optional
        The clock for Digital Bazaar's date checks (the others use the real clock).

    Returns
    -------
    list of PeerResult
        In the order of ``peers``.
    """
    unknown = set(peers) - set(DOCUMENT_PEERS)
    if unknown:
        raise ValueError(f"unknown document peers {sorted(unknown)}; choose from {DOCUMENT_PEERS}")
    found: dict[str, PeerResult] = {}
    node_peers = [p for p in peers if p in _NODE_PEERS]
    if node_peers and documents:
        for result in _node_documents(documents, node_peers, cpu=cpu, warmup=warmup, now=now):
            found[result.name] = result
    if "openbadgeslib" in peers:
        found["openbadgeslib"] = _openbadgeslib_documents(
            documents, issuer_did, cpu=cpu, warmup=warmup
        )
    return [found[p] for p in peers if p in found]


def verify_jwts(
    tokens: Sequence[str],
    issuer_did: str,
    *,
    peers: Sequence[str] = JWT_PEERS,
    cpu: int | None = 0,
    warmup: int = 1,
) -> list[PeerResult]:
    """Have each peer that reads this VC-JWT form verify the tokens.

    OB 3.0 native tokens (payload = credential) go to openbadgeslib; VC 1.1 tokens with
    a ``vc`` claim go to DIDKit. The form is read from the first token; a peer that does
    not read it is left out of the result.
    """
    unknown = set(peers) - set(JWT_PEERS)
    if unknown:
        raise ValueError(f"unknown JWT peers {sorted(unknown)}; choose from {JWT_PEERS}")
    if not tokens:
        return []
    has_vc_claim = "vc" in _payload(tokens[0])
    results = []
    for peer in peers:
        if peer == "openbadgeslib" and not has_vc_claim:
            results.append(_openbadgeslib_jwts(tokens, issuer_did, cpu=cpu, warmup=warmup))
        elif peer == "didkit" and has_vc_claim:
            results.append(_didkit_jwts(tokens, cpu=cpu, warmup=warmup))
    return results


def peer_versions() -> dict[str, str]:
    """The version of every peer, for the benchmark's report."""
    from importlib.metadata import version

    versions = {"openbadgeslib": version("openbadgeslib"), "didkit": version("openedx-didkit")}
    package_lock = json.loads((INTEROP_DIR / "package-lock.json").read_text(encoding="utf-8"))
    for name in ("@digitalbazaar/vc", "@digitalcredentials/verifier-core"):
        versions[name] = package_lock["packages"][f"node_modules/{name}"]["version"]
    return versions
