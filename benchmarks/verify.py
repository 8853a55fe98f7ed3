"""Benchmark: verify eddsa-rdfc-2022 OB 3.0 credentials and VC-JWTs, lerkit and its peers.

Issues ``--n`` Open Badges 3.0 AchievementCredentials (the generator of ``parse.py``,
fixed seed) from one did:key issuer, three ways: with an eddsa-rdfc-2022 Data Integrity
proof, as OB 3.0 native VC-JWTs (the payload is the credential, with ``iss``/``sub``/
``jti``/``nbf``/``exp`` beside its members) and as VC-JWTs with a ``vc`` claim. Then it
times, on the same credentials in the same run:

(a) lerkit's full pipeline, ``Verifier.verify`` (parse, schema, contexts, proof, DID
    resolution, dates, status, trust), on one CPU, after ``--warmup`` untimed calls;
(b) ``lerkit.verify_many(..., workers=os.cpu_count())`` on all cores (reading the
    inputs and starting the worker processes included: what a user waits for);
(c) ``lerkit.proofs.verify_proof`` alone on one CPU: the signature part, for reference;
(d) the Data Integrity peers of ``_peers.py`` (Digital Bazaar, verifier-core,
    openbadgeslib) on one CPU;
(e) lerkit's full pipeline on both JWT shapes, one CPU and all cores (and lerkit's
    ``verify_jws`` alone, for reference);
(f) the JWT peers: openbadgeslib on the OB 3.0 native tokens, DIDKit on the ``vc``
    claim tokens, on one CPU.

The table also shows, for lerkit's rows, CPU seconds over wall seconds: a one-core loop
well below 1.00 shared its CPU with other work and its rate says little.

Every verifier must accept every credential: the run exits 1 when lerkit or a peer
accepts fewer than ``--n`` (a peer that cannot read a form is left out, as ``_peers``
does), or when lerkit's RDFC-1.0 canonical form of a sample of the documents differs from
plain pyld's, byte for byte. The credentials carry no ``credentialStatus``: no peer can
check a status list offline (Digital Bazaar refuses a credential with one unless given a
status checker; verifier-core would fetch the list), so lerkit's ``status`` check is
skipped like theirs.

Run ``make bench-verify`` (installs the Node peers first) or
``.venv/bin/python benchmarks/verify.py``; ``--n 300`` for a quick run, ``--no-peers``
for lerkit alone, ``--profile 30`` for cProfile top lists of lerkit's one-core loops.
"""

from __future__ import annotations

import argparse
import base64
import copy
import cProfile
import hashlib
import json
import os
import pstats
import random
import resource
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, get_args

from _peers import PeerResult, _pinned, peer_versions, verify_documents, verify_jwts
from canon import inputs  # benchmarks/canon.py: what eddsa-rdfc-2022 canonicalizes
from parse import make_credential  # benchmarks/parse.py, beside this file
from pyld import jsonld

import lerkit
from lerkit.contexts import default_loader
from lerkit.issue import IssuerKey, JwtForm, generate_key, issue_credential
from lerkit.proofs import ProofError, canonicalize_rdfc, verify_proof
from lerkit.proofs._jose import sign_jws, verify_jws
from lerkit.verify import Verifier, VerifyOptions

TARGET_DI_PER_SECOND = 1_000  # lerkit full pipeline, eddsa-rdfc-2022, one core
TARGET_PEER_FACTOR = 2.5  # ... and this many times the fastest Data Integrity peer

DI = "DI eddsa-rdfc-2022"
JWT_OB3 = "JWT OB 3.0 native"
JWT_VC = "JWT vc claim"
# "vs fastest peer" compares with the fastest peer of the family: Data Integrity, or
# VC-JWT of either shape (DIDKit reads only one, openbadgeslib only the other).
FAMILY = {DI: "di", JWT_OB3: "jwt", JWT_VC: "jwt"}
LERKIT_FULL = "lerkit Verifier.verify"
LERKIT_MANY = "lerkit verify_many"


@dataclass(frozen=True)
class Row:
    """One timed verification of all the credentials of one kind."""

    implementation: str
    kind: str
    cores: int
    n_verified: int
    n_total: int
    seconds: float
    cpu_seconds: float | None = None  # measured for lerkit's rows only
    peer: bool = False

    @property
    def per_second(self) -> float:
        return self.n_total / self.seconds if self.seconds > 0 else float("inf")

    @property
    def cpu_per_wall(self) -> str:
        """About 1.00 for a one-core loop that had its CPU; less: it waited for it."""
        if self.cpu_seconds is None or self.seconds <= 0:
            return "-"
        return f"{self.cpu_seconds / self.seconds:.2f}"

    @property
    def all_verified(self) -> bool:
        return self.n_verified == self.n_total


# --- inputs -----------------------------------------------------------------------------


def unsigned_credentials(n: int, seed: int, issuer_did: str) -> list[dict[str, Any]]:
    """``n`` OB 3.0 credentials from ``issuer_did``, valid now, without proof or status."""
    rng = random.Random(seed)
    credentials = []
    for number in range(n):
        credential = make_credential(rng, number)
        del credential["proof"], credential["credentialStatus"]  # see the module docstring
        credential["issuer"]["id"] = issuer_did
        valid_from = datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00"))
        # parse.py's windows (2019-2030) have mostly ended; every verifier reads the clock
        valid_until = valid_from + timedelta(days=20 * 365)
        credential["validUntil"] = valid_until.strftime("%Y-%m-%dT%H:%M:%SZ")
        credentials.append(credential)
    return credentials


def _claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return claims


def _jwt_shape(claims: dict[str, Any]) -> str:
    if "vc" in claims:
        return JWT_VC
    if "iss" in claims and "nbf" in claims:  # OB 3.0 section 8.2: what openbadgeslib reads
        return JWT_OB3
    return "vc-jose-cose"  # payload = credential, no registered claims: no peer reads it


def _epoch(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())


def _ob3_native_jwt(credential: dict[str, Any], key: IssuerKey) -> str:
    """Built as tests/interop/test_interop_openbadgeslib.py's ``lerkit_jwt`` does."""
    claims = {
        **credential,
        "iss": key.did,
        "sub": credential["credentialSubject"]["id"],
        "jti": credential["id"],
        "nbf": _epoch(credential["validFrom"]),
        "exp": _epoch(credential["validUntil"]),
    }
    return sign_jws(claims, key.private_key, kid=key.verification_method, typ="JWT")


def issue_jwts(
    credentials: Sequence[dict[str, Any]], key: IssuerKey
) -> dict[str, tuple[list[str], str]]:
    """Tokens of both shapes peers read, and how each was made.

    Each form :func:`lerkit.issue.issue_credential` offers is classified by the claims
    it produces; a shape no form produces is built by hand (and says so).
    """
    forms: dict[str, str] = {}
    for form in get_args(JwtForm):
        token = issue_credential(credentials[0], key, proof="jwt", jwt_form=form).jwt
        assert token is not None
        forms.setdefault(_jwt_shape(_claims(token)), form)
    shapes: dict[str, tuple[list[str], str]] = {}
    for shape in (JWT_OB3, JWT_VC):
        form = forms.get(shape)
        if form is not None:
            tokens = [
                issue_credential(c, key, proof="jwt", jwt_form=form).jwt or "" for c in credentials
            ]
            shapes[shape] = (tokens, f"issue_credential(proof='jwt', jwt_form={form!r})")
        elif shape == JWT_OB3:
            tokens = [_ob3_native_jwt(c, key) for c in credentials]
            offered = ", ".join(f"{f!r}: {s}" for s, f in forms.items())
            shapes[shape] = (
                tokens,
                f"built by hand (sign_jws): no jwt_form of issue_credential gives it ({offered})",
            )
        else:
            raise SystemExit(f"no jwt_form of issue_credential gives a {shape} token ({forms})")
    return shapes


# --- timing -----------------------------------------------------------------------------


def _cpu_seconds() -> float:
    """CPU time of this process and of its ended children (verify_many's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _measured(run: Callable[[], Any]) -> tuple[Any, float, float]:
    """``run()``'s result, wall seconds and CPU seconds."""
    wall, cpu = time.perf_counter(), _cpu_seconds()
    result = run()
    return result, time.perf_counter() - wall, _cpu_seconds() - cpu


def _lerkit_loop(
    label: str, kind: str, items: Sequence[Any], *, cpu: int | None, warmup: int
) -> tuple[Row, list[str]]:
    """Verify every item with one Verifier on ``cpu``; the row and the first problems."""
    verifier = Verifier(VerifyOptions())
    with _pinned(cpu):
        for item in items[:warmup]:
            verifier.verify(item)
        reports, wall, used = _measured(lambda: [verifier.verify(item) for item in items])
    problems = [
        f"{r.status}: " + "; ".join(f"{c.name}: {c.detail}" for c in r.problems)
        for r in reports
        if r.status != "verified"
    ]
    row = Row(label, kind, 1, len(reports) - len(problems), len(items), wall, used)
    return row, problems[:3]


def _many(kind: str, items: Sequence[Any], workers: int) -> tuple[Row, list[str]]:
    """``lerkit.verify_many`` on ``workers`` processes; the row and the first problems."""
    table, wall, used = _measured(
        lambda: lerkit.verify_many(list(items), workers=workers, progress=False)
    )
    bad = table[table["verdict"] != "verified"]
    row = Row(LERKIT_MANY, kind, workers, len(table) - len(bad), len(items), wall, used)
    return row, [str(errors) for errors in bad["errors"].head(3)]


def _counted(
    label: str,
    kind: str,
    items: Sequence[Any],
    check: Callable[[Any], Any],
    *,
    cpu: int | None,
    warmup: int,
) -> Row:
    """A primitive that raises ProofError unless the item verifies, timed on ``cpu``."""

    def ok(item: Any) -> bool:
        try:
            check(item)
        except ProofError:
            return False
        return True

    with _pinned(cpu):
        for item in items[:warmup]:
            ok(item)
        verified, wall, used = _measured(lambda: sum(1 for item in items if ok(item)))
    return Row(label, kind, 1, verified, len(items), wall, used)


def _peer_rows(results: Iterable[PeerResult], kind: str) -> list[Row]:
    return [Row(r.name, kind, 1, r.n_verified, r.n_total, r.seconds, peer=True) for r in results]


def exact_sample(documents: Sequence[dict[str, Any]], count: int) -> int:
    """How many of the first ``count`` documents canonicalize unlike plain pyld."""
    loader = default_loader()
    options = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader}
    differing = 0
    for document in documents[:count]:
        single = {**document, "proof": document["proof"][0]}
        for part in inputs(single):
            if canonicalize_rdfc(part, loader) != jsonld.normalize(copy.deepcopy(part), options):
                differing += 1
                break
    return differing


# --- report -----------------------------------------------------------------------------


def _fastest_peers(rows: Sequence[Row]) -> dict[str, Row]:
    """The fastest peer of each family (Data Integrity, JWT) that verified everything."""
    fastest: dict[str, Row] = {}
    for row in rows:
        if not (row.peer and row.all_verified):
            continue
        family = FAMILY[row.kind]
        if family not in fastest or row.per_second > fastest[family].per_second:
            fastest[family] = row
    return fastest


def print_table(rows: Sequence[Row]) -> None:
    fastest = _fastest_peers(rows)
    print(
        f"{'implementation':34} {'kind':19} {'cores':>5} {'verified/n':>13} "
        f"{'seconds':>8} {'CPU/wall':>8} {'per second':>11}  vs fastest peer of its family"
    )
    for row in rows:
        best = fastest.get(FAMILY[row.kind])
        ratio = f"{row.per_second / best.per_second:6.2f}x {best.implementation}" if best else "-"
        counts = f"{row.n_verified:,}/{row.n_total:,}"
        print(
            f"{row.implementation:34} {row.kind:19} {row.cores:5} {counts:>13} "
            f"{row.seconds:8.2f} {row.cpu_per_wall:>8} {row.per_second:11,.0f}  {ratio}"
        )
    print(
        "CPU/wall: CPU seconds over wall seconds of lerkit's loops (verify_many: workers "
        "included); one core: below about 0.95 means the loop waited for a CPU busy with "
        "other work"
    )


def print_ratios(rows: Sequence[Row]) -> None:
    """lerkit's one-core rates over each peer's, on the same credentials."""
    peers = [r for r in rows if r.peer]
    if not peers:
        return
    print("\nlerkit / peer, same credentials, one core each:")
    for mine in rows:
        if mine.peer or mine.cores != 1:
            continue
        theirs = [p for p in peers if p.kind == mine.kind]
        if theirs:
            shown = ", ".join(
                f"{p.implementation} {mine.per_second / p.per_second:.2f}x" for p in theirs
            )
            print(f"  {mine.implementation:34} {mine.kind:19} vs {shown}")


def _rate(rows: Sequence[Row], implementation: str, kind: str, cores: int = 1) -> Row | None:
    for row in rows:
        if (row.implementation, row.kind, row.cores) == (implementation, kind, cores):
            return row
    return None


def print_goals(rows: Sequence[Row]) -> None:
    def verdict(ok: bool) -> str:
        return "meets" if ok else "MISSES"

    full = _rate(rows, LERKIT_FULL, DI)
    alone = _rate(rows, "lerkit verify_proof alone", DI)
    assert full is not None
    assert alone is not None
    print()
    print(
        f"goal: >= {TARGET_DI_PER_SECOND:,} eddsa-rdfc-2022 credentials/s on one core, "
        f"full pipeline: {full.per_second:,.0f}/s, {verdict(full.per_second >= TARGET_DI_PER_SECOND)} "
        f"it (verify_proof alone: {alone.per_second:,.0f}/s, "
        f"{verdict(alone.per_second >= TARGET_DI_PER_SECOND)} it)"
    )
    best = _fastest_peers(rows).get("di")
    if best is None:
        print(f"goal: >= {TARGET_PEER_FACTOR}x the fastest DI peer: not measured (no peers)")
    else:
        needed = TARGET_PEER_FACTOR * best.per_second
        print(
            f"goal: >= {TARGET_PEER_FACTOR}x the fastest DI peer ({best.implementation} "
            f"{best.per_second:,.0f}/s, so {needed:,.0f}/s): full pipeline "
            f"{full.per_second / best.per_second:.2f}x, {verdict(full.per_second >= needed)} it "
            f"(verify_proof alone {alone.per_second / best.per_second:.2f}x, "
            f"{verdict(alone.per_second >= needed)} it)"
        )
    didkit = _rate(rows, "didkit", JWT_VC)
    if didkit is None:
        print("goal: >= DIDKit's JWT rate on one core: not measured (no DIDKit)")
    else:
        for kind in (JWT_VC, JWT_OB3):
            mine = _rate(rows, LERKIT_FULL, kind)
            assert mine is not None
            print(
                f"goal: >= DIDKit's JWT rate on one core ({didkit.per_second:,.0f}/s): "
                f"full pipeline on {kind} {mine.per_second:,.0f}/s "
                f"({mine.per_second / didkit.per_second:.2f}x), "
                f"{verdict(mine.per_second >= didkit.per_second)} it"
            )


# Functions whose cumulative time the profile breakdown shows, by (file suffix, name).
_STAGES = (
    ("verify/_verifier.py", "_normalize"),
    ("verify/_verifier.py", "_check_schema"),
    ("verify/_verifier.py", "_check_contexts"),
    ("verify/_verifier.py", "_check_data_integrity"),
    ("verify/_verifier.py", "_check_jws"),
    ("verify/_verifier.py", "resolve_method"),
    ("proofs/_suites.py", "verify_proof"),
    ("proofs/_jose.py", "verify_jws"),
    ("verify/_verifier.py", "_check_dates"),
    ("verify/_verifier.py", "_check_status"),
    ("verify/_verifier.py", "_check_issuer"),
    ("verify/_verifier.py", "_check_nested"),
    ("verify/_verifier.py", "_finish"),
)


def profile(
    label: str, verifier: Verifier, items: Sequence[Any], top: int, cpu: int | None
) -> None:
    """cProfile of one lerkit one-core loop: a per-stage breakdown, then top lists."""
    profiler = cProfile.Profile()
    with _pinned(cpu):
        profiler.enable()
        for item in items:
            verifier.verify(item)
        profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    total = sum(tt for (_, _, tt, _, _) in stats.stats.values())
    print(f"\n=== profile: {label}, {len(items):,} credentials, {total:.2f} s under cProfile ===")
    print(f"{'stage (cumulative)':48} {'seconds':>8} {'us/credential':>14} {'share':>6}")
    for suffix, name in _STAGES:
        found = [
            (calls, cumulative)
            for (path, _, function), (_, calls, _, cumulative, _) in stats.stats.items()
            if function == name and path.replace(os.sep, "/").endswith(suffix)
        ]
        if not found:
            continue
        seconds = sum(c for _, c in found)
        print(
            f"{suffix + ':' + name:48} {seconds:8.3f} {1e6 * seconds / len(items):14,.0f} "
            f"{seconds / total:6.1%}"
        )
    for order in ("cumulative", "tottime"):
        print(f"\n--- {label}: top {top} by {order} ---")
        stats.sort_stats(order).print_stats(top)


# --- main -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2_000, help="credentials (default 2000)")
    parser.add_argument("--seed", type=int, default=20240601, help="random seed")
    parser.add_argument("--warmup", type=int, default=20, help="untimed credentials per loop")
    parser.add_argument("--no-peers", action="store_true", help="time lerkit only")
    parser.add_argument("--profile", type=int, metavar="TOP", help="cProfile top lists")
    parser.add_argument("--cpu", type=int, help="the CPU of one-core runs (default: lowest)")
    parser.add_argument(
        "--exact", type=int, default=100, metavar="K", help="compare K canonical forms with pyld"
    )
    args = parser.parse_args(argv)

    mask = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    cpu = args.cpu if args.cpu is not None else (min(mask) if mask else None)
    workers = os.cpu_count() or 1

    started = time.perf_counter()
    key = generate_key(seed=hashlib.sha256(f"lerkit {args.seed}".encode()).digest())
    credentials = unsigned_credentials(args.n, args.seed, key.did)
    documents = [issue_credential(c, key).document or {} for c in credentials]
    jwts = issue_jwts(credentials, key)
    sizes = [len(json.dumps(d, separators=(",", ":"))) for d in documents]
    print(
        f"issued {args.n:,} OB 3.0 AchievementCredentials (seed {args.seed}, issuer "
        f"{key.did[:24]}..., {min(sizes):,}-{max(sizes):,} bytes signed) as eddsa-rdfc-2022 "
        f"and two JWT shapes in {time.perf_counter() - started:.1f} s"
    )
    for shape, (_, how) in jwts.items():
        print(f"  {shape}: {how}")
    where = f"CPU {cpu}" if cpu is not None else "no CPU pinning on this system"
    print(
        f"python {sys.version.split()[0]}, lerkit {lerkit.__version__}; one core = {where}; "
        f"all cores = {workers} worker processes (affinity {sorted(mask) if mask else '?'}); "
        f"{args.warmup} warm-up"
    )
    if not args.no_peers:
        versions = peer_versions()
        print("peers: " + ", ".join(f"{name} {v}" for name, v in versions.items()))
    print()

    rows: list[Row] = []
    problems: dict[Row, list[str]] = {}
    public = key.public_key
    loader = default_loader()

    def lerkit_rows(kind: str, items: Sequence[Any]) -> None:
        for row, first in (
            _lerkit_loop(LERKIT_FULL, kind, items, cpu=cpu, warmup=args.warmup),
            _many(kind, items, workers),
        ):
            rows.append(row)
            problems[row] = first

    # (a), (b), (c): Data Integrity, lerkit
    lerkit_rows(DI, documents)
    rows.append(
        _counted(
            "lerkit verify_proof alone",
            DI,
            documents,
            lambda d: verify_proof(d, d["proof"][0], public, loader=loader),
            cpu=cpu,
            warmup=args.warmup,
        )
    )
    # (d) Data Integrity peers
    if not args.no_peers:
        rows += _peer_rows(verify_documents(documents, key.did, cpu=cpu, warmup=args.warmup), DI)
    # (e), (f): JWTs
    for shape in (JWT_OB3, JWT_VC):
        tokens = jwts[shape][0]
        lerkit_rows(shape, tokens)
        rows.append(
            _counted(
                "lerkit verify_jws alone",
                shape,
                tokens,
                lambda t: verify_jws(t, public),
                cpu=cpu,
                warmup=args.warmup,
            )
        )
        if not args.no_peers:
            rows += _peer_rows(verify_jwts(tokens, key.did, cpu=cpu, warmup=args.warmup), shape)

    print_table(rows)
    print_ratios(rows)
    print_goals(rows)

    if args.profile:
        profile(DI, Verifier(VerifyOptions()), documents, args.profile, cpu)
        for shape in (JWT_OB3, JWT_VC):
            profile(shape, Verifier(VerifyOptions()), jwts[shape][0], args.profile, cpu)

    failures = [
        f"{row.implementation} ({row.kind}, {row.cores} core(s)) verified "
        f"{row.n_verified:,} of {row.n_total:,}"
        + "".join(f"\n    {p}" for p in problems.get(row, []))
        for row in rows
        if not row.all_verified
    ]
    differing = exact_sample(documents, min(args.exact, args.n))
    if differing:
        failures.append(f"{differing:,} of {args.exact:,} canonical forms differ from plain pyld")
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    if not failures:
        print(
            f"\nevery implementation verified all {args.n:,} credentials of each kind it reads; "
            f"RDFC-1.0 canonical forms of {min(args.exact, args.n):,} documents byte-identical "
            "to plain pyld"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
