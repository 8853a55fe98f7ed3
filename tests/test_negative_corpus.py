"""lerkit.issue.negative_variants: every tampered variant of a signed credential is refused
by the check it names. One corpus per proof kind for an OB 3.0 credential, a CLR 2.0 in
two securings, and 1EdTech's signed examples; zero false accepts is the bar."""

from __future__ import annotations

import copy
import functools
import json
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import lerkit.issue as issue
from lerkit.issue import IssuerKey, Variant
from lerkit.proofs import sign
from lerkit.status import MappingStatusLists
from lerkit.verify import Verifier, VerifyOptions

STANDARDS = Path(__file__).resolve().parents[2] / "shared" / "standards"
VALIDATOR = STANDARDS / "examples/digital-credentials-public-validator"
OB30 = VALIDATOR / "inspector-vc/src/test/resources/ob30"
CLR20 = VALIDATOR / "inspector-clr/src/test/resources/clr20"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
VALID_FROM = "2025-03-03T15:00:00Z"
LIST_URL = "https://college.example.edu/status/1"
KEY = issue.generate_key(seed=bytes(range(32)))
P256 = issue.generate_key("P-256")


def ob3(key: IssuerKey, *, number: int = 1, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "issuer": {"id": key.did, "name": "Example Valley College"},
        "subject_id": "did:example:learner-1",
        "achievement": issue.achievement(
            id="https://college.example.edu/achievements/welding-1",
            name="Welding Fundamentals",
            description="Shielded metal arc and MIG welding basics.",
            criteria="Pass the bend test for each process.",
            achievement_type="Certificate",
            alignments=[
                issue.alignment(
                    target_name="Welders, Cutters, Solderers, and Brazers",
                    target_url="https://www.onetonline.org/link/summary/51-4121.00",
                    target_code="51-4121.00",
                    target_framework="O*NET-SOC",
                    target_type="ext:Occupation",
                )
            ],
        ),
        "valid_from": VALID_FROM,
        "valid_until": "2028-03-03T15:00:00Z",
        "credential_id": f"urn:uuid:00000000-0000-4000-8000-{number:012d}",
        "identity_email": "learner-1@example.org",
        "identity_salt": "salt-1",
    }
    values.update(overrides)
    return issue.achievement_credential(**values)


def signed_ob3(key: IssuerKey, proof: Any, **options: Any) -> dict[str, Any] | str:
    issued = issue.issue_credential(
        ob3(key, **options.pop("build", {})), key, proof=proof, **options
    )
    return issued.document if issued.document is not None else str(issued.jwt)


def jcs_ob3() -> dict[str, Any]:
    # eddsa-jcs-2022 is verified but not issued by lerkit.issue: sign it directly.
    document, _ = sign(
        ob3(KEY), "eddsa-jcs-2022", KEY.private_key, KEY.verification_method, created=VALID_FROM
    )
    document["proof"] = [document["proof"]]  # as the OB 3.0 schema requires
    return document


def clr(proof: Any) -> dict[str, Any] | str:
    members = [issue.issue_credential(ob3(KEY, number=n), KEY) for n in (1, 2)]
    unsigned = issue.clr_credential(
        issuer={"id": KEY.did, "name": "Example Valley College"},
        subject_id="did:example:learner-1",
        credentials=members,
        valid_from="2025-06-01T00:00:00Z",
        credential_id="urn:uuid:00000000-0000-4000-8000-00000000c1c1",
    )
    issued = issue.issue_credential(unsigned, KEY, proof=proof)
    return issued.document if issued.document is not None else str(issued.jwt)


# kind -> (signed credential, issuer key or None, the verdict it gets unmodified)
def _credentials() -> dict[str, tuple[dict[str, Any] | str, IssuerKey | None, str]]:
    status = {"status": issue.status_entry(LIST_URL, 4242)}
    return {
        "ob3-eddsa-rdfc-2022": (signed_ob3(KEY, "eddsa-rdfc-2022", build=status), KEY, "verified"),
        "ob3-Ed25519Signature2020": (signed_ob3(KEY, "Ed25519Signature2020"), KEY, "verified"),
        "ob3-ecdsa-rdfc-2019": (signed_ob3(P256, "ecdsa-rdfc-2019"), P256, "verified"),
        "ob3-eddsa-jcs-2022": (jcs_ob3(), KEY, "verified"),
        "ob3-jwt": (signed_ob3(KEY, "jwt"), KEY, "verified"),  # iss, nbf... beside it
        "ob3-jwt-vc-jose": (signed_ob3(KEY, "jwt", jwt_form="vc-jose"), KEY, "verified"),
        "ob3-jwt-vc-jose-P-256": (signed_ob3(P256, "jwt", jwt_form="vc-jose"), P256, "verified"),
        "ob3-jwt-vc-claim": (signed_ob3(KEY, "jwt", jwt_form="vc-claim"), KEY, "verified"),
        "clr-eddsa-rdfc-2022": (clr("eddsa-rdfc-2022"), KEY, "verified"),
        "clr-jwt": (clr("jwt"), KEY, "verified"),
        # 1EdTech's examples name their keys in HTTPS URL fragments, which lerkit trusts
        # only when asked, and then with a warning: that warning is their baseline.
        "1edtech-ob30-simple": (json.loads((OB30 / "simple.json").read_text()), None, "warning"),
        "1edtech-ob30-simple-eddsa-2022": (
            json.loads((OB30 / "simple-eddsa-2022.json").read_text()),
            None,
            "warning",
        ),
        "1edtech-clr20-simple": (json.loads((CLR20 / "simple.json").read_text()), None, "warning"),
    }


KINDS = [
    "ob3-eddsa-rdfc-2022",
    "ob3-Ed25519Signature2020",
    "ob3-ecdsa-rdfc-2019",
    "ob3-eddsa-jcs-2022",
    "ob3-jwt",
    "ob3-jwt-vc-jose",
    "ob3-jwt-vc-jose-P-256",
    "ob3-jwt-vc-claim",
    "clr-eddsa-rdfc-2022",
    "clr-jwt",
    "1edtech-ob30-simple",
    "1edtech-ob30-simple-eddsa-2022",
    "1edtech-clr20-simple",
]


@functools.cache
def corpora() -> dict[str, tuple[dict[str, Any] | str, str, list[Variant]]]:
    made = {}
    for kind, (credential, key, baseline) in _credentials().items():
        made[kind] = (credential, baseline, list(issue.negative_variants(credential, key=key)))
    return made


@functools.cache
def verifier() -> Verifier:
    """One verifier for every corpus: keys and status lists are resolved once."""
    status_list = issue.status_list_credential(KEY, url=LIST_URL, valid_from=VALID_FROM)
    assert status_list.document is not None
    base = VerifyOptions(
        now=NOW,
        trust_fragment_keys=True,
        status_lists=MappingStatusLists({LIST_URL: status_list.document}),
    )
    every = [v for _, _, variants in corpora().values() for v in variants]
    return Verifier(issue.corpus_options(every, base))


def leaves(node: Any) -> int:
    if isinstance(node, Mapping):
        return sum(leaves(v) for v in node.values())
    if isinstance(node, list):
        return sum(leaves(v) for v in node)
    return 1


def payload(credential: dict[str, Any] | str) -> dict[str, Any]:
    if isinstance(credential, dict):
        return {k: v for k, v in credential.items() if k != "proof"}
    from lerkit._jws import split_compact

    claims = split_compact(credential).payload_json
    assert claims is not None
    return claims


def test_the_examples_are_there(standards: Path) -> None:
    assert (OB30 / "simple.json").is_file()
    assert (CLR20 / "simple.json").is_file()


# -- the corpus ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_variant_is_refused_by_the_check_it_names(kind: str) -> None:
    credential, baseline, variants = corpora()[kind]
    check = verifier()
    original = check.verify(credential)
    assert original.status == baseline, str(original)  # so that the corpus test can fail
    assert original.check("signature").status == "passed"

    names = [v.name for v in variants]
    assert [n for n, c in Counter(names).items() if c > 1] == []
    assert len(variants) >= leaves(payload(credential))  # every leaf, and then some

    problems = [
        problem
        for variant in variants
        if (problem := variant.mismatch(check.verify(variant.credential))) is not None
    ]
    assert problems == [], f"{len(problems)} of {len(variants)} variants of {kind}:\n" + "\n".join(
        problems
    )


def test_corpus_sizes() -> None:
    sizes = {kind: len(variants) for kind, (_, _, variants) in corpora().items()}
    assert all(size >= 80 for size in sizes.values()), sizes
    assert sizes["clr-eddsa-rdfc-2022"] > 2 * sizes["ob3-eddsa-rdfc-2022"]


@pytest.mark.parametrize(
    "kind", ["ob3-eddsa-rdfc-2022", "ob3-jwt", "ob3-jwt-vc-claim", "clr-eddsa-rdfc-2022"]
)
def test_the_corpus_has_every_kind_of_variant(kind: str) -> None:
    names = {v.name for v in corpora()[kind][2]}
    jwt = kind.startswith("ob3-jwt")
    inner = "vc." if kind == "ob3-jwt-vc-claim" else ""
    expected = {
        f"field:{inner}credentialSubject.achievement.name",
        f"field:{inner}issuer.id",
        f"add:{inner}credentialSubject.extra",
        f"remove:{inner}validFrom",
        "key:other",
        "key:other-method",
        "issuer:other",
        "issuer:other-resigned",
        "context:unknown-appended",
        "validFrom:+1y",
        "validUntil:-1y",
        "expired",
        "not-yet-valid",
        "revoked",
        "suspended",
        "revoked:list-tampered",
    }
    if jwt:
        expected |= {"jwt-alg:none", "jwt-alg:HS256-public-key", "jws-signature:bit0"}
        expected |= {"exp:+1y", "nbf:+1y", "header-field:kid", "field:iss"}
    else:
        expected |= {"proofValue:bit0", "remove:proof", "field:proof[0].created"}
        expected |= {"proof:cryptosuite-swap", "proof:add-forged", "context:swap-ob3-to-clr"}
    if kind.startswith("clr"):
        expected |= {"nested[0]:proofValue:bit0", "nested[1]:revoked", "context:swap-clr-to-ob3"}
        expected = {n.replace("validUntil:-1y", "validFrom:-1y") for n in expected}
        expected = {n.replace("achievement.name", "achievement[0].name") for n in expected}
    assert expected <= names, sorted(expected - names)


def test_clr_nested_variants_expect_the_nested_check_and_the_members_own() -> None:
    _, _, variants = corpora()["clr-eddsa-rdfc-2022"]
    by_name = {v.name: v for v in variants}
    resigned = by_name["nested[1]:proofValue:bit0"]
    assert resigned.checks == ("nested_credentials",)
    assert resigned.resigned
    assert resigned.inner is not None
    assert resigned.inner[0] == 1
    assert resigned.inner[1].name == "proofValue:bit0"
    sampled = [n for n in by_name if n.startswith("nested[1]:") and n.split(":")[1] == "field"]
    assert 0 < len(sampled) <= 8  # nested_sample of each member's field/add/remove variants
    report = verifier().verify(resigned.credential)
    assert report.check("signature").status == "passed"  # the CLR itself is genuine
    assert report.check("nested_credentials").code == "nested_not_verified"
    # edited inside a member without re-signing: the member's signature and the CLR's fail
    edited = by_name["field:credentialSubject.verifiableCredential[0].credentialSubject.id"]
    assert edited.checks == ("nested_credentials",)
    assert not edited.resigned
    assert edited.inner is not None
    assert edited.inner[1].name == "field:credentialSubject.id"
    assert verifier().verify(edited.credential).check("signature").status == "failed"


# -- what the variants mean ------------------------------------------------------------


def test_an_edited_validuntil_is_tampering_a_resigned_one_is_expiry() -> None:
    _, _, variants = corpora()["ob3-Ed25519Signature2020"]
    by_name = {v.name: v for v in variants}
    edited, expired = by_name["validUntil:-1y"], by_name["expired"]
    assert (edited.verdict, edited.resigned) == ("not_verified", False)
    assert (expired.verdict, expired.resigned) == ("warning", True)
    tampered = verifier().verify(edited.credential)
    assert tampered.check("signature").code == "invalid_signature"
    genuine = verifier().verify(expired.credential)
    assert genuine.check("signature").status == "passed"
    assert genuine.check("not_expired").code == "expired"
    assert genuine.authentic
    assert genuine.status == "warning"


def test_revoked_variants_carry_their_status_list() -> None:
    _, _, variants = corpora()["ob3-jwt-vc-jose"]
    revoked = next(v for v in variants if v.name == "revoked")
    [listed] = revoked.status_lists.values()
    assert isinstance(listed, str)  # a JWT issuer's list is a JWT too
    assert revoked.credential != corpora()["ob3-jwt-vc-jose"][0]
    assert "credentialStatus" in payload(revoked.credential)
    report = Verifier(VerifyOptions(now=NOW)).verify(revoked.credential)
    assert report.check("status").status == "indeterminate"  # without the list: unknown
    report = Verifier(issue.corpus_options([revoked], now=NOW)).verify(revoked.credential)
    assert report.check("status").code == "revoked"


def test_mismatch_reports_a_false_accept() -> None:
    credential, _, _ = corpora()["ob3-eddsa-jcs-2022"]
    report = verifier().verify(credential)
    untouched = Variant("untouched", credential, ("signature",), codes=("invalid_signature",))
    assert untouched.mismatch(report) == (
        "untouched: FALSE ACCEPT: verified; signature passed (None); expected signature "
        "failed (invalid_signature) [verified]"
    )
    wrong_check = Variant("wrong", credential, ("parsed",), verdict="warning")
    problem = wrong_check.mismatch(verifier().verify(issue.flip_signature_bit(credential)))
    assert problem is not None
    assert problem.startswith(
        "wrong: verdict not_verified, expected warning; parsed passed (None); expected parsed failed"
    )


# -- arguments -------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_corpus() -> None:
    credential = signed_ob3(KEY, "eddsa-rdfc-2022")
    first = list(issue.negative_variants(credential, key=KEY, seed=3))
    again = list(issue.negative_variants(copy.deepcopy(credential), key=KEY, seed=3))
    assert [(v.name, v.credential) for v in first] == [(v.name, v.credential) for v in again]
    other = list(issue.negative_variants(credential, key=KEY, seed=4))
    assert [v.name for v in first] != [v.name for v in other]  # other bits flipped
    assert {v.name for v in first if v.name.startswith("field:")} == {
        v.name for v in other if v.name.startswith("field:")
    }


def test_variants_that_need_the_issuers_key_are_skipped_without_it() -> None:
    credential = signed_ob3(KEY, "jwt")
    names = {v.name for v in issue.negative_variants(credential)}
    assert not names & {"expired", "not-yet-valid", "revoked", "suspended"}
    # a forger's key is derived from the seed: those variants need no secret
    assert {"key:other", "issuer:other-resigned", "jwt-header:jwk-other-key"} <= names
    mine = issue.generate_key(seed=bytes([9]) * 32)
    forged = {v.name: v for v in issue.negative_variants(credential, other_key=mine)}
    assert mine.did in json.dumps(payload(forged["issuer:other-resigned"].credential))


@pytest.mark.parametrize(
    ("signed", "options", "code", "message"),
    [
        ({"type": ["VerifiableCredential"]}, {}, "invalid_argument", "the credential has no proof"),
        ("not a credential", {}, "invalid_argument", "neither a JSON credential nor a compact"),
        ("SIGNED", {"key": P256}, "issuer_mismatch", "is not the issuer's"),
        ("SIGNED", {"other_key": KEY}, "issuer_mismatch", "must not be the issuer's key"),
    ],
)
def test_argument_errors(signed: Any, options: dict[str, Any], code: str, message: str) -> None:
    if signed == "SIGNED":
        signed = signed_ob3(KEY, "eddsa-rdfc-2022")
    with pytest.raises(issue.IssueError, match=message) as caught:
        list(issue.negative_variants(signed, **options))
    assert caught.value.code == code


def test_corpus_options_keep_the_callers_lists_and_trust() -> None:
    from lerkit.verify import TrustList

    _, _, variants = corpora()["ob3-jwt-vc-claim"]
    base = VerifyOptions(
        now=NOW,
        trust=TrustList.of(["did:example:friend"], name="pilot"),
        status_lists=MappingStatusLists({"https://example.org/other": {}}),
    )
    options = issue.corpus_options(variants, base)
    assert options.trust is not None
    assert options.trust.name == "pilot"
    assert options.trust.get("did:example:friend") is not None
    assert options.trust.get(KEY.did) is not None
    revoked = next(v for v in variants if v.name == "revoked")
    [url] = revoked.status_lists
    assert options.status_lists is not None
    assert options.status_lists.get(url).url == url  # type: ignore[union-attr]
    assert options.status_lists.get("https://example.org/other").location == "memory"  # type: ignore[union-attr]
    with pytest.raises(TypeError, match="either base= or keyword settings"):
        issue.corpus_options(variants, base, now=NOW)
