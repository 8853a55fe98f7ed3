"""Benchmark: RDFC-1.0 canonicalization and eddsa-rdfc-2022 verification on one core.

Signs ``--n`` Open Badges 3.0 AchievementCredentials (the generator of ``parse.py``,
fixed seed, so issuer, achievement, alignments, results and evidence vary) with
``lerkit.proofs.sign`` and one Ed25519 key derived from the seed, then measures, in this
process pinned to one CPU:

(a) plain pyld: ``jsonld.normalize`` (URDNA2015, N-Quads) of each credential's two
    inputs, the document without its proof and the proof configuration, with lerkit's
    offline loader and pyld's own context cache: the baseline;
(b) ``canonicalize_rdfc`` of the same two inputs;
(c) ``verify_proof``: the whole signature check (two canonicalizations, two hashes and
    the Ed25519 verification).

Every output of (b) is compared with (a), byte for byte, and every proof must verify;
the run exits 1 otherwise. Each phase first handles ``--warmup`` credentials untimed
(loading and processing the contexts once). Run ``.venv/bin/python benchmarks/canon.py``;
``--n 500`` for a quick run, ``--profile 25`` for a cProfile top list of (c).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from parse import make_credential  # benchmarks/parse.py, beside this file
from pyld import jsonld

from lerkit.contexts import DocumentLoader
from lerkit.proofs import (
    ProofError,
    canonicalize_rdfc,
    public_key_to_multibase,
    sign,
    verify_proof,
)

TARGET_PER_SECOND = 1_000  # verify_proof, one core


def build(n: int, seed: int, loader: DocumentLoader) -> tuple[list[dict[str, Any]], Any]:
    """``n`` signed credentials and the public key that verifies them."""
    rng = random.Random(seed)
    key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"lerkit {seed}".encode()).digest())
    public = key.public_key()
    multibase = public_key_to_multibase(public)
    method = f"did:key:{multibase}#{multibase}"
    start = datetime(2024, 1, 1, tzinfo=UTC)
    signed = []
    for number in range(n):
        credential = make_credential(rng, number)
        del credential["proof"]
        created = start + timedelta(seconds=rng.randint(0, 365 * 86400))
        document, _ = sign(
            credential, "eddsa-rdfc-2022", key, method, created=created, loader=loader
        )
        signed.append(document)
    return signed, public


def inputs(document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """What eddsa-rdfc-2022 canonicalizes: the unsecured document, the proof configuration."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    config = {key: value for key, value in document["proof"].items() if key != "proofValue"}
    config["@context"] = document["@context"]
    return unsecured, config


def _pin_to_one_cpu() -> int | None:
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def _timed(items: list[Any], warmup: int, run: Callable[[Any], Any]) -> tuple[float, list[Any]]:
    for item in items[:warmup]:
        run(item)
    start = time.perf_counter()
    results = [run(item) for item in items]
    return time.perf_counter() - start, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2_000, help="credentials (default 2000)")
    parser.add_argument("--seed", type=int, default=20240601, help="random seed")
    parser.add_argument("--warmup", type=int, default=20, help="untimed credentials per phase")
    parser.add_argument("--profile", type=int, metavar="TOP", help="cProfile top list of (c)")
    args = parser.parse_args(argv)

    cpu = _pin_to_one_cpu()
    loader = DocumentLoader()
    started = time.perf_counter()
    documents, public = build(args.n, args.seed, loader)
    pairs = [inputs(document) for document in documents]
    print(
        f"signed {args.n:,} OB 3.0 AchievementCredentials with eddsa-rdfc-2022 "
        f"(seed {args.seed}) in {time.perf_counter() - started:.1f} s"
    )
    where = f"CPU {cpu}" if cpu is not None else "no CPU pinning on this system"
    print(f"python {sys.version.split()[0]}, one process on {where}, {args.warmup} warm-up\n")

    pyld_options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": loader,
    }

    def plain(pair: tuple[dict[str, Any], dict[str, Any]]) -> tuple[str, str]:
        return (
            jsonld.normalize(copy.deepcopy(pair[0]), pyld_options),
            jsonld.normalize(copy.deepcopy(pair[1]), pyld_options),
        )

    def lerkit(pair: tuple[dict[str, Any], dict[str, Any]]) -> tuple[str, str]:
        return canonicalize_rdfc(pair[0], loader), canonicalize_rdfc(pair[1], loader)

    def verify(document: dict[str, Any]) -> bool:
        try:
            verify_proof(document, document["proof"], public, loader=loader)
        except ProofError:
            return False
        return True

    plain_s, expected = _timed(pairs, args.warmup, plain)
    canon_s, got = _timed(pairs, args.warmup, lerkit)
    verify_s, verified = _timed(documents, args.warmup, verify)

    rows = [
        ("(a) plain pyld normalize x2", plain_s),
        ("(b) canonicalize_rdfc x2", canon_s),
        ("(c) verify_proof", verify_s),
    ]
    print(f"{'phase':30} {'seconds':>8} {'credentials/s':>14} {'vs plain pyld':>14}")
    for label, seconds in rows:
        print(f"{label:30} {seconds:8.2f} {args.n / seconds:14,.0f} {plain_s / seconds:13.2f}x")

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for document in documents:
            verify(document)
        profiler.disable()
        print()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)

    rate = args.n / verify_s
    verdict = "meets" if rate >= TARGET_PER_SECOND else "MISSES"
    print(
        f"\ntarget: >= {TARGET_PER_SECOND:,} verify_proof/s on one core; measured "
        f"{rate:,.0f}/s: {verdict} the target"
    )

    failures = []
    differing = sum(1 for mine, theirs in zip(got, expected, strict=True) if mine != theirs)
    if differing:
        failures.append(f"{differing:,} canonicalizations differ from plain pyld")
    if not all(verified):
        failures.append(f"{verified.count(False):,} proofs did not verify")
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    if not failures:
        print(f"all {2 * args.n:,} canonical forms byte-identical to plain pyld; all proofs verify")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
