"""Realistic, deterministic, entirely synthetic Open Badges 3.0 credentials for demos.

Learners, e-mail addresses (``example.org``), identifiers and the issuer are invented.
Only the O*NET-SOC occupation codes and titles and the O*NET Content Model skill ids
and names are real public codes, so alignments join to O*NET data.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lerkit.issue._builders import achievement, achievement_credential, alignment
from lerkit.issue._credentials import (
    IssuedCredential,
    JwtForm,
    ProofFormat,
    check_key_for_proof,
    format_datetime,
    issue_credential,
    parse_datetime,
)
from lerkit.issue._errors import IssueError
from lerkit.issue._keys import IssuerKey
from lerkit.issue._status import status_entry
from lerkit.status import MIN_ENTRIES

__all__ = [
    "DEMO_FAMILY_NAMES",
    "DEMO_GIVEN_NAMES",
    "DEMO_ISSUER_NAME",
    "DEMO_ISSUER_URL",
    "DEMO_STATUS_LIST_URL",
    "DEMO_VALID_FROM",
    "ONET_SKILLS",
    "demo_credentials",
    "demo_issuer_profile",
]

DEMO_ISSUER_NAME = "Example Regional Workforce Training Center"
DEMO_ISSUER_URL = "https://training.example.org"
DEMO_STATUS_LIST_URL = f"{DEMO_ISSUER_URL}/status/revocation-1"
#: The default start of the demo issuing period (credentials spread over 18 months).
DEMO_VALID_FROM = "2024-01-15T16:00:00Z"
_SPREAD_DAYS = 540

# Real O*NET-SOC 2019 codes and titles (public data from the O*NET program).
_OCCUPATIONS: dict[str, str] = {
    "15-1232.00": "Computer User Support Specialists",
    "15-1244.00": "Network and Computer Systems Administrators",
    "15-1254.00": "Web Developers",
    "15-2051.00": "Data Scientists",
    "31-1131.00": "Nursing Assistants",
    "43-4051.00": "Customer Service Representatives",
    "47-2111.00": "Electricians",
    "49-9041.00": "Industrial Machinery Mechanics",
    "51-4121.00": "Welders, Cutters, Solderers, and Brazers",
    "53-7051.00": "Industrial Truck and Tractor Operators",
    "53-7065.00": "Stockers and Order Fillers",
}
#: Real O*NET Content Model skill element ids and names.
ONET_SKILLS: dict[str, str] = {
    "2.A.1.b": "Active Listening",
    "2.A.1.e": "Mathematics",
    "2.A.2.a": "Critical Thinking",
    "2.A.2.d": "Monitoring",
    "2.B.1.a": "Social Perceptiveness",
    "2.B.1.f": "Service Orientation",
    "2.B.2.i": "Complex Problem Solving",
    "2.B.3.d": "Installation",
    "2.B.3.e": "Programming",
    "2.B.3.h": "Operation and Control",
    "2.B.3.j": "Equipment Maintenance",
    "2.B.3.k": "Troubleshooting",
    "2.B.3.l": "Repairing",
    "2.B.3.m": "Quality Control Analysis",
    "2.B.5.a": "Time Management",
}


@dataclass(frozen=True, slots=True)
class _Program:
    key: str
    name: str
    achievement_type: str
    description: str
    criteria: str
    occupations: tuple[str, ...]
    skills: tuple[str, ...]
    credits: float | None = None
    #: years until the credential must be renewed, None when it does not expire
    valid_years: int | None = None
    #: how often the program is awarded relative to the others
    weight: int = 1


_PROGRAMS: tuple[_Program, ...] = (
    _Program(
        "it-support-certificate",
        "IT Support Technician Certificate",
        "Certificate",
        "A two-semester certificate preparing learners for help-desk and desktop support roles.",
        "Complete 24 credit hours with a C or better, including the help-desk capstone.",
        ("15-1232.00",),
        ("2.B.3.k", "2.A.2.a", "2.B.1.f"),
        credits=24,
        weight=3,
    ),
    _Program(
        "networking-fundamentals",
        "Networking Fundamentals",
        "Course",
        "Cabling, addressing, switching and routing basics for small networks.",
        "Pass the course with a C or better and complete all lab practicals.",
        ("15-1244.00",),
        ("2.B.3.d", "2.B.3.k"),
        credits=4,
        weight=2,
    ),
    _Program(
        "nursing-assistant",
        "Nursing Assistant Training Program",
        "Certificate",
        "Classroom and clinical training for work as a nursing assistant.",
        "Complete 120 hours including 40 supervised clinical hours.",
        ("31-1131.00",),
        ("2.B.1.f", "2.A.1.b", "2.B.1.a"),
        credits=8,
        weight=3,
    ),
    _Program(
        "welding-technology",
        "Welding Technology Certificate",
        "Certificate",
        "Shielded metal arc, MIG and TIG welding with weld inspection.",
        "Pass the bend tests for each process and the inspection module.",
        ("51-4121.00",),
        ("2.B.3.m", "2.B.3.h"),
        credits=30,
        weight=2,
    ),
    _Program(
        "python-data-wrangling",
        "Python Data Wrangling",
        "Badge",
        "Cleaning, reshaping and summarizing tabular data in Python.",
        "Submit three graded data-cleaning notebooks.",
        ("15-2051.00",),
        ("2.B.3.e", "2.A.1.e"),
        weight=2,
    ),
    _Program(
        "javascript-fundamentals",
        "JavaScript Fundamentals",
        "Badge",
        "Core JavaScript: types, functions, the DOM and asynchronous code.",
        "Pass the timed coding assessment.",
        ("15-1254.00",),
        ("2.B.3.e",),
        weight=2,
    ),
    _Program(
        "powered-industrial-truck-operator",
        "Powered Industrial Truck Operator Certification",
        "Certification",
        "Classroom and practical evaluation for operating counterbalance and reach trucks.",
        "Pass the written test and the observed practical evaluation.",
        ("53-7051.00",),
        ("2.B.3.h", "2.A.2.d"),
        # operators are re-evaluated at least every three years
        valid_years=3,
        weight=3,
    ),
    _Program(
        "customer-service-fundamentals",
        "Customer Service Fundamentals",
        "MicroCredential",
        "De-escalation, active listening and service recovery in customer-facing roles.",
        "Complete the 20-hour module and a role-play assessment.",
        ("43-4051.00",),
        ("2.B.1.f", "2.A.1.b"),
        weight=2,
    ),
    _Program(
        "industrial-maintenance-apprenticeship",
        "Industrial Maintenance Mechanic Apprenticeship",
        "ApprenticeshipCertificate",
        "A two-year registered apprenticeship maintaining conveyors, sorters and dock equipment.",
        "Log 4,000 on-the-job hours and 288 hours of related technical instruction.",
        ("49-9041.00",),
        ("2.B.3.l", "2.B.3.j", "2.B.3.k"),
    ),
    _Program(
        "electrical-pre-apprenticeship",
        "Electrical Pre-Apprenticeship",
        "CertificateOfCompletion",
        "Safety, hand tools, basic circuits and blueprint reading ahead of an apprenticeship.",
        "Attend 120 contact hours and pass the hands-on wiring assessment.",
        ("47-2111.00",),
        ("2.B.3.d", "2.A.1.e"),
        credits=6,
        weight=2,
    ),
    _Program(
        "warehouse-safety-ojt",
        "Warehouse Safety On-the-Job Training",
        "CertificateOfCompletion",
        "Supervised on-the-job training in safe picking, lifting and dock procedures.",
        "Complete 80 supervised hours and the supervisor sign-off checklist.",
        ("53-7065.00",),
        ("2.A.2.d", "2.B.5.a"),
        weight=2,
    ),
    _Program(
        "full-stack-web-development",
        "Full-Stack Web Development Course",
        "Course",
        "A 16-week course building and deploying web applications.",
        "Complete all projects and present a team capstone application.",
        ("15-1254.00",),
        ("2.B.3.e", "2.B.2.i"),
    ),
)

# Invented names; the family names are words for "example" so none is a real person's.
#: Given names of invented learners (demo credentials and synthetic pilots).
DEMO_GIVEN_NAMES = (
    "Ada", "Bashir", "Carmen", "Dana", "Eli", "Farah", "Gabe", "Hana", "Imani", "Jorge",
    "Keanu", "Lin", "Malik", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq",
    "Uma", "Vic", "Wen", "Xavier", "Yara", "Zoe",
)  # fmt: skip
#: Family names of invented learners: words for "example" in several languages.
DEMO_FAMILY_NAMES = (
    "Example", "Sample", "Muestra", "Placeholder", "Demo", "Fixture", "Testcase", "Mock",
    "Ejemplo", "Exemplo", "Beispiel", "Specimen",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Learner:
    subject_id: str
    email: str
    salt: str


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February in a year that has none
        return moment.replace(year=moment.year + years, day=28)


def demo_issuer_profile(key: IssuerKey, name: str = DEMO_ISSUER_NAME) -> dict[str, Any]:
    """The demo issuer's Open Badges 3.0 ``Profile``, identified by the key's DID.

    Examples
    --------
    >>> from lerkit.issue import generate_key
    >>> demo_issuer_profile(generate_key(seed=bytes(32)))["type"]
    ['Profile']
    """
    return {
        "id": key.did,
        "type": ["Profile"],
        "name": name,
        "url": DEMO_ISSUER_URL,
        "email": "credentials@training.example.org",
        "description": "A (fictional) training provider offering certificates, badges, "
        "courses and apprenticeships to job seekers and incumbent workers.",
    }


def _uuid(rng: random.Random) -> str:
    return f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}"


def _learners(rng: random.Random, count: int) -> list[_Learner]:
    learners = []
    for number in range(count):
        given = rng.choice(DEMO_GIVEN_NAMES)
        family = rng.choice(DEMO_FAMILY_NAMES)
        email = f"{given}.{family}{number + 1}@example.org".lower()
        learners.append(
            _Learner(
                subject_id=f"did:example:learner-{rng.getrandbits(48):012x}",
                email=email,
                salt=f"{rng.getrandbits(64):016x}",
            )
        )
    return learners


def _achievement(program: _Program, key: IssuerKey) -> dict[str, Any]:
    alignments = [
        alignment(
            target_name=_OCCUPATIONS[code],
            target_url=f"https://www.onetonline.org/link/summary/{code}",
            target_code=code,
            target_framework="O*NET-SOC",
            target_type="ext:Occupation",
        )
        for code in program.occupations
    ] + [
        alignment(
            target_name=ONET_SKILLS[code],
            target_url=f"https://www.onetonline.org/find/descriptor/result/{code}",
            target_code=code,
            target_framework="O*NET Content Model",
            target_type="ceasn:Competency",
        )
        for code in program.skills
    ]
    return achievement(
        id=f"{DEMO_ISSUER_URL}/achievements/{program.key}",
        name=program.name,
        description=program.description,
        criteria=program.criteria,
        achievement_type=program.achievement_type,
        alignments=alignments,
        credits_available=program.credits,
        creator=key.did,
    )


def demo_credentials(
    n: int,
    key: IssuerKey,
    *,
    proof: ProofFormat = "eddsa-rdfc-2022",
    seed: int = 0,
    valid_from: datetime | str = DEMO_VALID_FROM,
    status_list_url: str | None = None,
    jwt_form: JwtForm | None = None,
    issuer_name: str = DEMO_ISSUER_NAME,
) -> list[IssuedCredential]:
    """Issue ``n`` varied, realistic, synthetic Open Badges 3.0 AchievementCredentials.

    Certificates, badges, a certification that must be renewed, course completions and
    an apprenticeship, each aligned to real O*NET-SOC occupations and O*NET skills, and
    awarded to invented learners (some earn several) identified by a DID and a salted
    hash of an ``example.org`` e-mail address.

    The output depends only on the arguments: the same ``seed``, ``key`` and options
    give byte-identical credentials (proof ``created`` is each credential's
    ``validFrom``; Ed25519 signs deterministically, and ECDSA does too, with the
    nonces of RFC 6979).

    Parameters
    ----------
    n : int
        How many credentials (at least 1).
    key : IssuerKey
        The issuer.
    proof : str
        As for :func:`issue_credential`.
    seed : int
        Chooses learners, achievements, dates and identifiers.
    valid_from : datetime or str
        Start of the 18-month period over which the credentials are issued.
    status_list_url : str, optional
        When given, each credential gets a revocation ``credentialStatus`` entry in that
        list, at a distinct, randomly chosen index (see :func:`status_list_credential`).
    jwt_form : {"ob3", "vc-jose", "vc-claim"}, optional
        For ``proof="jwt"``, as for :func:`issue_credential`; by default ``"ob3"``, the
        Open Badges 3.0 VC-JWT that OB 3.0 verifiers accept.
    issuer_name : str
        The issuer profile's name.

    Returns
    -------
    list of IssuedCredential

    Raises
    ------
    IssueError
        ``invalid_argument`` for ``n < 1``; ``key_type_mismatch``, ``unsupported_proof``.

    Examples
    --------
    >>> from lerkit.issue import generate_key
    >>> key = generate_key(seed=bytes(32))
    >>> first = demo_credentials(3, key, seed=7)
    >>> [c.serialize() for c in first] == [c.serialize() for c in demo_credentials(3, key, seed=7)]
    True
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise IssueError(f"n must be a positive integer, got {n!r}", code="invalid_argument")
    check_key_for_proof(key, proof)
    start = parse_datetime(format_datetime(valid_from, "valid_from"), "valid_from")
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
    learners = _learners(rng, max(1, (n * 2 + 2) // 3))
    weights = [p.weight for p in _PROGRAMS]
    indices = rng.sample(range(MIN_ENTRIES), n) if status_list_url is not None else []
    issuer = demo_issuer_profile(key, issuer_name)
    issued: list[IssuedCredential] = []
    for number in range(n):
        program = rng.choices(_PROGRAMS, weights=weights)[0]
        learner = learners[number] if number < len(learners) else rng.choice(learners)
        awarded = start + timedelta(days=rng.randrange(_SPREAD_DAYS), minutes=rng.randrange(480))
        expires = (
            _add_years(awarded, program.valid_years) if program.valid_years is not None else None
        )
        credential = achievement_credential(
            issuer=issuer,
            subject_id=learner.subject_id,
            achievement=_achievement(program, key),
            valid_from=awarded,
            valid_until=expires,
            credential_id=_uuid(rng),
            identity_email=learner.email,
            identity_salt=learner.salt,
            awarded_date=awarded,
            status=status_entry(status_list_url, indices[number]) if status_list_url else None,
        )
        issued.append(issue_credential(credential, key, proof=proof, jwt_form=jwt_form))
    return issued
