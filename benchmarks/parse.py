"""Benchmark: read Open Badges 3.0 credentials from JSONL into records and tables.

Generates ``--n`` realistic AchievementCredentials (about 1.5-3 KB each: issuer
profile, achievement with 2-4 alignments, results, evidence, status, hashed
identifier and a proof object) into a temporary JSONL file with a fixed seed,
then measures, each phase in a fresh Python process pinned to one CPU:

(a) ``json.loads`` of every line: the floor no parser can beat;
(b) ``lk.read(path)`` to records;
(c) ``.tables()`` on those records (and (b)+(c) together, the target).

Memory is reported two ways, because they answer different questions:

* peak RSS (``resource.getrusage``): what the operating system saw, including
  the interpreter, pandas and freed-but-not-returned memory; shown as the peak
  and as the growth over the process's RSS just before the phase;
* peak traced (``tracemalloc``): Python allocations only, in separate runs
  because tracing slows Python down several-fold (its timings are not used).

Run ``.venv/bin/python benchmarks/parse.py`` (``make bench``); ``--n 10000``
for a quick run. Exits 1 when the number of records read differs from ``--n``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

TARGET_PER_SECOND = 10_000  # read to records + tables, one core
PHASES = ("json", "read", "tables")

_SUBJECTS = [
    "Data Analysis",
    "Welding Safety",
    "Patient Care",
    "Cloud Security",
    "Project Management",
    "Bookkeeping",
    "Spanish for Healthcare",
    "Machine Learning",
    "Forklift Operation",
    "Early Childhood Education",
    "Network Administration",
    "Technical Writing",
]
_LEVELS = ["Foundations", "Practitioner", "Advanced", "Capstone", "Level 1", "Level 2"]
_ACHIEVEMENT_TYPES = ["Badge", "Certificate", "Course", "Competency", "MicroCredential", "License"]
_FRAMEWORKS = [
    ("O*NET-SOC", "https://www.onetonline.org/link/summary/", "ceterms:Credential"),
    ("ESCO Skills", "http://data.europa.eu/esco/skill/", "ceasn:Competency"),
    ("Lightcast Open Skills", "https://lightcast.io/open-skills/skills/", "CFItem"),
    ("CASE Competencies", "https://case.example.org/uri/", "CFItem"),
]
_ISSUERS = [
    ("Northfield Community College", "northfield.edu"),
    ("Riverside Technical Institute", "rti.example.org"),
    ("Lakeshore University", "lakeshore.example.edu"),
    ("Metro Workforce Board", "metro-workforce.example.gov"),
    ("Summit Health Academy", "summit-health.example.com"),
]
_WORDS = [
    "learner",
    "demonstrated",
    "applied",
    "skills",
    "assessment",
    "project",
    "team",
    "safety",
    "quality",
    "analysis",
    "report",
    "evidence",
    "practice",
    "standard",
    "industry",
    "workplace",
    "competency",
    "outcome",
    "review",
    "module",
    "portfolio",
    "supervisor",
    "observed",
    "completed",
    "hours",
    "lab",
    "field",
]
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(_WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_credential(rng: random.Random, number: int) -> dict[str, Any]:
    """One OB 3.0 AchievementCredential, deterministic for a given generator state."""
    issuer_name, domain = rng.choice(_ISSUERS)
    issuer_id = f"https://{domain}/issuers/{rng.randint(1, 40)}"
    subject = rng.choice(_SUBJECTS)
    level = rng.choice(_LEVELS)
    slug = f"{subject} {level}".lower().replace(" ", "-")
    credential_uuid = uuid.UUID(int=rng.getrandbits(128), version=4)
    issued = datetime(2019, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 6 * 365 * 86400))
    alignments = []
    for _ in range(rng.choice([2, 2, 3, 3, 4])):
        framework, base, target_type = rng.choice(_FRAMEWORKS)
        code = f"{rng.randint(10, 99)}-{rng.randint(1000, 9999)}.{rng.randint(0, 99):02d}"
        alignment = {
            "type": ["Alignment"],
            "targetName": rng.choice(_SUBJECTS),
            "targetUrl": base + code,
            "targetCode": code,
            "targetFramework": framework,
            "targetType": target_type,
        }
        if rng.random() < 0.3:
            alignment["targetDescription"] = _sentence(rng, rng.randint(3, 7))
        alignments.append(alignment)
    results = [
        {
            "type": ["Result"],
            "resultDescription": f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}",
            "value": rng.choice(["A", "B", "C", "Pass", "92", "87.5"]),
            "status": rng.choice(["Completed", "Completed", "InProgress"]),
        }
        for _ in range(rng.randint(1, 2))
    ]
    evidence = [
        {
            "id": f"https://{domain}/evidence/{rng.getrandbits(48):x}",
            "type": ["Evidence"],
            "name": f"{subject} {rng.choice(['project', 'portfolio', 'exam', 'log'])}",
            "narrative": _sentence(rng, rng.randint(4, 10)),
            "genre": rng.choice(["Project", "Assessment", "Observation"]),
        }
        for _ in range(1 if rng.random() < 0.8 else 2)
    ]
    email = f"learner{number}@example.org"
    salt = base64.b32encode(rng.randbytes(10)).decode("ascii").lower()
    identity_hash = "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"urn:uuid:{credential_uuid}",
        "type": ["VerifiableCredential", "AchievementCredential"],
        "name": f"{subject} {level}",
        "issuer": {
            "id": issuer_id,
            "type": ["Profile"],
            "name": issuer_name,
            "url": f"https://{domain}",
            "email": f"registrar@{domain}",
        },
        "validFrom": _stamp(issued),
        "validUntil": _stamp(issued + timedelta(days=rng.choice([365, 730, 1095, 1825]))),
        "credentialSubject": {
            "id": f"did:example:{rng.getrandbits(96):024x}",
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "identityHash": identity_hash,
                    "salt": salt,
                }
            ],
            "achievement": {
                "id": f"https://{domain}/achievements/{slug}",
                "type": ["Achievement"],
                "achievementType": rng.choice(_ACHIEVEMENT_TYPES),
                "name": f"{subject} {level}",
                "description": _sentence(rng, rng.randint(5, 10)),
                "criteria": {"narrative": _sentence(rng, rng.randint(5, 10))},
                "creditsAvailable": rng.choice([1, 2, 3, 4]),
                "tag": rng.sample(_WORDS, 3),
                "alignment": alignments,
            },
            "result": results,
        },
        "evidence": evidence,
        "credentialStatus": {
            "id": f"https://{domain}/status/1#{number}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(number),
            "statusListCredential": f"https://{domain}/status/1",
        },
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": _stamp(issued),
            "verificationMethod": f"{issuer_id}#key-1",
            "proofPurpose": "assertionMethod",
            "proofValue": "z" + "".join(rng.choice(_BASE58) for _ in range(87)),
        },
    }


def generate(path: Path, n: int, seed: int) -> list[int]:
    """Write ``n`` credentials as JSONL; return the size of each line in bytes."""
    rng = random.Random(seed)
    sizes = []
    with path.open("w", encoding="utf-8") as handle:
        for number in range(n):
            line = json.dumps(make_credential(rng, number), separators=(",", ":"))
            sizes.append(len(line.encode("utf-8")))
            handle.write(line + "\n")
    return sizes


# -- one phase, in its own process ---------------------------------------------------


def _pin_to_one_cpu() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def run_phase(phase: str, path: Path, trace: bool) -> dict[str, Any]:
    """Run one phase; return counts, seconds and memory figures."""
    import lerkit as lk  # imported before measuring, as a notebook would have it

    _pin_to_one_cpu()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if trace:
        tracemalloc.start()
    result: dict[str, Any] = {"phase": phase}
    start = time.perf_counter()
    if phase == "json":
        count = 0
        with path.open("rb") as handle:
            for line in handle:
                json.loads(line)
                count += 1
        result["records"] = count
    else:
        found = lk.read(path)
        result["read_seconds"] = time.perf_counter() - start
        result["records"] = len(found.credentials)
        result["problems"] = len(found.problems)
        if phase == "tables":
            tables_start = time.perf_counter()
            tables = found.tables()
            result["tables_seconds"] = time.perf_counter() - tables_start
            result["rows"] = {name: len(frame) for name, frame in tables.items()}
    result["seconds"] = time.perf_counter() - start
    if trace:
        result["traced_peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    result["rss_before"] = rss_before
    result["rss_peak"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return result


def _child(phase: str, path: Path, trace: bool) -> dict[str, Any]:
    command = [sys.executable, __file__, "--phase", phase, "--input", str(path)]
    if trace:
        command.append("--trace")
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def profile(path: Path, top: int) -> None:
    """cProfile of read + tables, by internal time."""
    import cProfile
    import pstats

    import lerkit as lk

    profiler = cProfile.Profile()
    profiler.enable()
    lk.read(path).tables()
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(top)


# -- report ----------------------------------------------------------------------------


def _mb(value: float) -> str:
    return f"{value / 1e6:,.0f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="credentials (default 100000)")
    parser.add_argument("--seed", type=int, default=20240601, help="random seed")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the traced runs")
    parser.add_argument("--profile", type=int, metavar="TOP", help="print a cProfile top list")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase:  # child process: one measurement, as JSON on stdout
        print(json.dumps(run_phase(args.phase, args.input, args.trace)))
        return 0

    with tempfile.TemporaryDirectory(prefix="lerkit-bench-") as folder:
        path = Path(folder) / "credentials.jsonl"
        started = time.perf_counter()
        sizes = generate(path, args.n, args.seed)
        print(
            f"generated {args.n:,} OB 3.0 AchievementCredentials (seed {args.seed}) in "
            f"{time.perf_counter() - started:.1f} s: {path.stat().st_size / 1e6:,.1f} MB, "
            f"{statistics.mean(sizes):,.0f} bytes each on average "
            f"(min {min(sizes):,}, max {max(sizes):,})"
        )
        print(f"python {sys.version.split()[0]}, each phase in a fresh process on one CPU\n")

        timed = {phase: _child(phase, path, trace=False) for phase in PHASES}
        traced = (
            {}
            if args.no_tracemalloc
            else {phase: _child(phase, path, trace=True) for phase in PHASES}
        )
        if args.profile:
            profile(path, args.profile)

    json_s = timed["json"]["seconds"]
    read_s = timed["read"]["read_seconds"]
    tables_s = timed["tables"]["tables_seconds"]
    both_s = timed["tables"]["seconds"]
    rows = [
        ("(a) json.loads per line", json_s),
        ("(b) lk.read -> records", read_s),
        ("(c) .tables() alone", tables_s),
        ("(b)+(c) read -> records + tables", both_s),
    ]
    print(f"{'phase':36} {'seconds':>8} {'credentials/s':>14} {'vs json.loads':>14}")
    for label, seconds in rows:
        rate = args.n / seconds
        print(f"{label:36} {seconds:8.2f} {rate:14,.0f} {json_s / seconds:13.2f}x")
    print(
        f"\nlerkit read is {read_s / json_s:.1f}x the json.loads floor; "
        f"read + tables is {both_s / json_s:.1f}x"
    )

    print("\nmemory (peak RSS from getrusage; growth = peak - RSS after imports)")
    for phase in PHASES:
        result = timed[phase]
        growth = result["rss_peak"] - result["rss_before"]
        print(f"  {phase:8} peak {_mb(result['rss_peak']):>9}   growth {_mb(growth):>9}")
    if traced:
        print("memory (peak traced Python allocations from tracemalloc, separate runs)")
        for phase in PHASES:
            print(f"  {phase:8} peak {_mb(traced[phase]['traced_peak']):>9}")

    rate = args.n / both_s
    verdict = "meets" if rate >= TARGET_PER_SECOND else "MISSES"
    print(
        f"\ntarget: >= {TARGET_PER_SECOND:,} credentials/s for read to records + tables on one "
        f"core; measured {rate:,.0f}/s: {verdict} the target"
    )
    print(f"rows: {timed['tables']['rows']}")

    failures = []
    for phase in PHASES:
        if timed[phase]["records"] != args.n:
            failures.append(
                f"{phase}: read {timed[phase]['records']:,} records, expected {args.n:,}"
            )
        if timed[phase].get("problems"):
            failures.append(f"{phase}: {timed[phase]['problems']:,} problems, expected none")
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
