"""Generate ``datasets/samples``: synthetic credentials in every format lerkit reads.

Everything here is invented: the people ("Ada Example" and friends), the
organizations, every identifier and e-mail address (``example.org`` /
``example.edu`` domains, ``did:example`` learners). Only the O*NET-SOC occupation
codes and O*NET skill element ids are real public codes, so alignments can be
joined to O*NET data.

The output is deterministic byte for byte: fixed dates, fixed identifiers
(UUID v5 of a fixed name), insertion-ordered JSON, PNG and zip files written
without compression, and signatures from the fixed DEMO-ONLY keys in
:mod:`lerkit.datasets._demo_keys` (Ed25519 and RSA PKCS#1 v1.5 signatures are
deterministic).

Run ``python -m lerkit.datasets.samples datasets/samples`` to regenerate.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from xml.sax.saxutils import escape

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from lerkit._baking import bake_png, bake_svg, extract_png, extract_svg, minimal_png
from lerkit._jws import encode_compact, looks_like_compact_jws, split_compact
from lerkit.datasets import _demo_keys as keys
from lerkit.errors import ParseError
from lerkit.issue._demo import ONET_SKILLS

__all__ = [
    "LEARNERS",
    "SampleFile",
    "build_samples",
    "main",
    "make_samples",
]

Json = dict[str, Any]

VC1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC2_EXAMPLES_CONTEXT = "https://www.w3.org/ns/credentials/examples/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
OB2_CONTEXT = "https://w3id.org/openbadges/v2"
LER_RS_CONTEXT = (
    "http://schema.hropenstandards.org/4.5/recruiting/json/VerifiableCredentialLER-RSType.json"
)
LER_RS_TYPE = "http://schema.hropenstandards.org/4.5/recruiting/json/LER-RSType.json"
_SCHEMA_BASE = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
OCCUPATION_FRAMEWORK = "O*NET-SOC"
SKILL_FRAMEWORK = "O*NET Content Model"
REGENERATE_COMMAND = "python -m lerkit.datasets.samples datasets/samples"

# Real O*NET-SOC 2019 codes and titles (public data from the O*NET program).
OCCUPATIONS: dict[str, str] = {
    "15-1232.00": "Computer User Support Specialists",
    "15-1244.00": "Network and Computer Systems Administrators",
    "15-1254.00": "Web Developers",
    "15-2051.00": "Data Scientists",
    "29-2042.00": "Emergency Medical Technicians",
    "31-1131.00": "Nursing Assistants",
    "43-4051.00": "Customer Service Representatives",
    "43-9061.00": "Office Clerks, General",
    "47-2111.00": "Electricians",
    "49-9041.00": "Industrial Machinery Mechanics",
    "49-9071.00": "Maintenance and Repair Workers, General",
    "51-4121.00": "Welders, Cutters, Solderers, and Brazers",
    "53-3032.00": "Heavy and Tractor-Trailer Truck Drivers",
    "53-7051.00": "Industrial Truck and Tractor Operators",
    "53-7065.00": "Stockers and Order Fillers",
}
# Real O*NET Content Model skill element ids and names (one table with the demo issuer's).
SKILLS: dict[str, str] = dict(ONET_SKILLS)


# ------------------------------------------------------------------ the cast


@dataclass(frozen=True, slots=True)
class Learner:
    """A synthetic learner. The e-mail is what the hashed IdentityObjects hide."""

    key: str
    name: str
    email: str
    salt: str

    @property
    def did(self) -> str:
        return f"did:example:{self.key}"

    @property
    def identity_hash(self) -> str:
        """``sha256$`` + hex SHA-256 of the e-mail followed by the salt (OB 2.0/3.0)."""
        return "sha256$" + hashlib.sha256((self.email + self.salt).encode()).hexdigest()


def _learner(given: str, family: str) -> Learner:
    key = f"{given}-{family}".lower()
    return Learner(key, f"{given} {family}", f"{key}@example.org", f"demo-salt-{given.lower()}")


ADA = _learner("Ada", "Example")
BASHIR = _learner("Bashir", "Sample")
CARMEN = _learner("Carmen", "Muestra")
DANA = _learner("Dana", "Placeholder")
ELI = _learner("Eli", "Demo")
FARAH = _learner("Farah", "Fixture")
GABE = _learner("Gabe", "Testcase")
HANA = _learner("Hana", "Mock")
#: Every synthetic learner in the samples, by key.
LEARNERS: dict[str, Learner] = {
    p.key: p for p in (ADA, BASHIR, CARMEN, DANA, ELI, FARAH, GABE, HANA)
}


@dataclass(frozen=True, slots=True)
class Org:
    """A synthetic issuer; ``key`` names its demo Ed25519 key and did:key id."""

    key: str
    name: str
    url: str
    kind: str
    description: str

    def profile(self) -> Json:
        return {
            "id": keys.did_key(self.key),
            "type": ["Profile"],
            "name": self.name,
            "url": self.url,
            "email": f"credentials@{self.url.removeprefix('https://')}",
            "description": self.description,
        }


COLLEGE = Org(
    "community-college",
    "Example Valley Community College",
    "https://evcc.example.edu",
    "community college",
    "A public two-year college offering degrees and short-term workforce certificates.",
)
BOOTCAMP = Org(
    "bootcamp",
    "Launchpad Example Coding Bootcamp",
    "https://launchpad.example.org",
    "bootcamp",
    "An intensive coding bootcamp with part-time and full-time cohorts.",
)
WORKFORCE = Org(
    "workforce-board",
    "Example County Workforce Development Board",
    "https://workforce.example.org",
    "workforce training",
    "Funds and certifies short-term training for county job seekers.",
)
EMPLOYER = Org(
    "employer",
    "Example Freight & Logistics Co.",
    "https://logistics.example.org",
    "on-the-job training",
    "A regional freight employer running a registered apprenticeship and on-the-job training.",
)
MILITARY = Org(
    "military-training",
    "Example Regional Military Training Center",
    "https://mtc.example.org",
    "military",
    "A (fictional) military schoolhouse that records completed courses for service members.",
)
LICENSING = Org(
    "licensing-board",
    "Example State Electrical Licensing Board",
    "https://electrical-licensing.example.org",
    "licensing",
    "Licenses electricians after verified apprenticeship hours and an examination.",
)
COUNCIL = Org(
    "skills-council",
    "Example Regional Industry Skills Council",
    "https://skills-council.example.org",
    "endorser",
    "Employers who review training programs against regional hiring needs.",
)
RESUME_SERVICE = Org(
    "resume-builder",
    "Example Career Portfolio Service",
    "https://portfolio.example.org",
    "resume service",
    "Helps job seekers assemble verifiable resumes (LER-RS).",
)


@dataclass(frozen=True, slots=True)
class Program:
    """An achievement an issuer awards (OB 3.0 ``Achievement``)."""

    key: str
    org: Org
    name: str
    achievement_type: str
    description: str
    criteria: str
    occupations: tuple[str, ...]
    skills: tuple[str, ...]
    field_of_study: str | None = None
    human_code: str | None = None
    credits: float | None = None
    tags: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.org.url}/achievements/{self.key}"


IT_CERT = Program(
    "it-support-certificate",
    COLLEGE,
    "IT Support Technician Certificate",
    "Certificate",
    "A two-semester certificate preparing learners for help-desk and desktop support roles.",
    "Complete 24 credit hours with a C or better, including the help-desk capstone.",
    ("15-1232.00",),
    ("2.B.3.k", "2.A.2.a", "2.B.1.f"),
    field_of_study="Information Technology",
    human_code="ITS-CERT",
    credits=24,
    tags=("it", "help desk", "stackable"),
)
NETWORKING = Program(
    "net-110",
    COLLEGE,
    "NET 110 Networking Fundamentals",
    "Course",
    "Cabling, addressing, switching and routing basics for small networks.",
    "Pass the course with a C or better and complete all lab practicals.",
    ("15-1244.00",),
    ("2.B.3.d", "2.B.3.k"),
    field_of_study="Information Technology",
    human_code="NET 110",
    credits=4,
)
AAS_IT = Program(
    "aas-information-technology",
    COLLEGE,
    "Associate of Applied Science in Information Technology",
    "AssociateDegree",
    "A 60-credit associate degree in IT support and network administration.",
    "Complete 60 credit hours with a cumulative GPA of 2.0 or better.",
    ("15-1232.00", "15-1244.00"),
    ("2.B.3.k", "2.B.3.d", "2.A.2.a"),
    field_of_study="Information Technology",
    human_code="AAS-IT",
    credits=60,
)
PRE_APPRENTICESHIP = Program(
    "electrical-pre-apprenticeship",
    COLLEGE,
    "Electrical Pre-Apprenticeship",
    "Course",
    "Safety, hand tools, basic circuits and blueprint reading ahead of an apprenticeship.",
    "Attend 120 contact hours and pass the hands-on wiring assessment.",
    ("47-2111.00",),
    ("2.B.3.d", "2.A.1.e"),
    credits=6,
)
NURSING_ASSISTANT = Program(
    "nursing-assistant",
    COLLEGE,
    "Nursing Assistant Training Program",
    "Certificate",
    "Classroom and clinical training for work as a nursing assistant.",
    "Complete 120 hours including 40 supervised clinical hours.",
    ("31-1131.00",),
    ("2.B.1.f", "2.A.1.b", "2.B.1.a"),
    credits=8,
)
WELDING = Program(
    "welding-technology",
    COLLEGE,
    "Welding Technology Certificate",
    "Certificate",
    "Shielded metal arc, MIG and TIG welding with weld inspection.",
    "Pass the bend tests for each process and the inspection module.",
    ("51-4121.00",),
    ("2.B.3.m", "2.B.3.h"),
    credits=30,
)
PYTHON_BADGE = Program(
    "python-data-wrangling",
    BOOTCAMP,
    "Python Data Wrangling",
    "Badge",
    "Cleaning, reshaping and summarizing tabular data in Python.",
    "Submit three graded data-cleaning notebooks.",
    ("15-2051.00",),
    ("2.B.3.e", "2.A.1.e"),
)
JS_BADGE = Program(
    "javascript-fundamentals",
    BOOTCAMP,
    "JavaScript Fundamentals",
    "Badge",
    "Core JavaScript: types, functions, the DOM and asynchronous code.",
    "Pass the timed coding assessment.",
    ("15-1254.00",),
    ("2.B.3.e",),
)
FULL_STACK = Program(
    "full-stack-immersive",
    BOOTCAMP,
    "Full-Stack Web Development Immersive",
    "Course",
    "A 16-week full-time course building and deploying web applications.",
    "Complete all projects and present a team capstone application.",
    ("15-1254.00",),
    ("2.B.3.e", "2.B.2.i"),
)
FORKLIFT = Program(
    "powered-industrial-truck-operator",
    WORKFORCE,
    "Powered Industrial Truck Operator Certification",
    "Certification",
    "Classroom and practical evaluation for operating counterbalance and reach trucks.",
    "Pass the written test and the observed practical evaluation.",
    ("53-7051.00",),
    ("2.B.3.h", "2.A.2.d"),
)
CUSTOMER_SERVICE = Program(
    "customer-service-fundamentals",
    WORKFORCE,
    "Customer Service Fundamentals",
    "MicroCredential",
    "De-escalation, active listening and service recovery in customer-facing roles.",
    "Complete the 20-hour module and a role-play assessment.",
    ("43-4051.00",),
    ("2.B.1.f", "2.A.1.b"),
)
APPRENTICESHIP = Program(
    "industrial-maintenance-apprenticeship",
    EMPLOYER,
    "Industrial Maintenance Mechanic Apprenticeship",
    "ApprenticeshipCertificate",
    "A two-year registered apprenticeship maintaining conveyors, sorters and dock equipment.",
    "Log 4,000 on-the-job hours and 288 hours of related technical instruction.",
    ("49-9041.00",),
    ("2.B.3.l", "2.B.3.j", "2.B.3.k"),
)
WAREHOUSE_OJT = Program(
    "warehouse-safety-ojt",
    EMPLOYER,
    "Warehouse Safety On-the-Job Training",
    "CertificateOfCompletion",
    "Supervised on-the-job training in safe picking, lifting and dock procedures.",
    "Complete 80 supervised hours and the supervisor sign-off checklist.",
    ("53-7065.00",),
    ("2.A.2.d", "2.B.5.a"),
)
CMMS = Program(
    "maintenance-work-orders",
    EMPLOYER,
    "Maintenance Work Order System Training",
    "CertificateOfCompletion",
    "Using the maintenance management system to plan, log and close work orders.",
    "Close ten supervised work orders in the system.",
    ("49-9071.00",),
    ("2.B.3.j", "2.B.5.a"),
)
MOTOR_TRANSPORT = Program(
    "motor-transport-operator",
    MILITARY,
    "Motor Transport Operator Course",
    "Course",
    "Operation and preventive maintenance of medium and heavy tactical trucks.",
    "Complete the course and the supervised road evaluation.",
    ("53-3032.00",),
    ("2.B.3.h", "2.B.3.j"),
)
LIFESAVER = Program(
    "combat-lifesaver",
    MILITARY,
    "Combat Lifesaver Course",
    "Course",
    "First-responder care beyond basic first aid for non-medical service members.",
    "Pass the written test and the hands-on trauma lanes.",
    ("29-2042.00",),
    ("2.A.2.d", "2.B.1.a"),
)
ELECTRICIAN_LICENSE = Program(
    "journeyworker-electrician",
    LICENSING,
    "Journeyworker Electrician License",
    "License",
    "Authorizes electrical work without direct supervision in the (fictional) state.",
    "Document 8,000 apprenticeship hours and pass the licensing examination.",
    ("47-2111.00",),
    ("2.B.3.d", "2.B.3.k"),
)


# ---------------------------------------------------------------- builders


def _urn(name: str) -> str:
    """A stable ``urn:uuid`` (UUID v5) for a sample object."""
    return (
        f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'https://lerkit.example.org/samples/' + name)}"
    )


def _timestamp(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp())


def _occupation_alignment(code: str) -> Json:
    return {
        "type": ["Alignment"],
        "targetName": OCCUPATIONS[code],
        "targetUrl": f"https://www.onetonline.org/link/summary/{code}",
        "targetCode": code,
        "targetFramework": OCCUPATION_FRAMEWORK,
        "targetType": "ext:Occupation",
    }


def _skill_alignment(code: str) -> Json:
    return {
        "type": ["Alignment"],
        "targetName": SKILLS[code],
        "targetUrl": f"https://www.onetonline.org/find/descriptor/result/{code}",
        "targetCode": code,
        "targetFramework": SKILL_FRAMEWORK,
        "targetType": "ceasn:Competency",
    }


def _identity(learner: Learner) -> Json:
    return {
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": True,
        "identityHash": learner.identity_hash,
        "salt": learner.salt,
    }


def _achievement(
    program: Program,
    *,
    result_descriptions: Sequence[Json] = (),
    endorsements: Sequence[Json] = (),
) -> Json:
    achievement: Json = {
        "id": program.id,
        "type": ["Achievement"],
        "achievementType": program.achievement_type,
        "name": program.name,
        "description": program.description,
        "criteria": {"narrative": program.criteria},
        "image": {
            "id": f"{program.id}/image.png",
            "type": "Image",
            "caption": program.name,
        },
        "creator": {"id": keys.did_key(program.org.key), "type": ["Profile"]},
    }
    if program.field_of_study:
        achievement["fieldOfStudy"] = program.field_of_study
    if program.human_code:
        achievement["humanCode"] = program.human_code
    if program.credits is not None:
        achievement["creditsAvailable"] = program.credits
    if program.tags:
        achievement["tag"] = list(program.tags)
    achievement["alignment"] = [_occupation_alignment(c) for c in program.occupations] + [
        _skill_alignment(c) for c in program.skills
    ]
    if result_descriptions:
        achievement["resultDescription"] = list(result_descriptions)
    if endorsements:
        achievement["endorsement"] = list(endorsements)
    return achievement


def _endorsement(name: str, endorser: Org, subject_id: str, comment: str, issued: str) -> Json:
    return {
        "@context": [VC2_CONTEXT, OB3_CONTEXT],
        "id": _urn(f"endorsement/{name}"),
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": f"{endorser.name} endorsement",
        "issuer": endorser.profile(),
        "validFrom": issued,
        "credentialSubject": {
            "id": subject_id,
            "type": ["EndorsementSubject"],
            "endorsementComment": comment,
        },
        "credentialSchema": [
            {
                "id": _SCHEMA_BASE + "ob_v3p0_endorsementcredential_schema.json",
                "type": "1EdTechJsonSchemaValidator2019",
            }
        ],
    }


def _ob3(
    name: str,
    program: Program,
    learner: Learner,
    issued: str,
    *,
    expires: str | None = None,
    vc_version: str = "2.0",
    credential_type: str = "AchievementCredential",
    subject_extra: Json | None = None,
    result_descriptions: Sequence[Json] = (),
    results: Sequence[Json] = (),
    evidence: Sequence[Json] = (),
    endorsements: Sequence[Json] = (),
    achievement_endorsements: Sequence[Json] = (),
) -> Json:
    """An Open Badges 3.0 credential (VC 2.0 ``validFrom`` or VC 1.1 ``issuanceDate``)."""
    subject: Json = {
        "id": learner.did,
        "type": ["AchievementSubject"],
        "identifier": [_identity(learner)],
    }
    subject.update(subject_extra or {})
    subject["achievement"] = _achievement(
        program, result_descriptions=result_descriptions, endorsements=achievement_endorsements
    )
    if results:
        subject["result"] = list(results)
    credential: Json = {
        "@context": [VC2_CONTEXT if vc_version == "2.0" else VC1_CONTEXT, OB3_CONTEXT],
        "id": _urn(f"credential/{name}"),
        "type": ["VerifiableCredential", credential_type],
        "name": program.name,
        "issuer": program.org.profile(),
    }
    if vc_version == "2.0":
        credential["validFrom"] = issued
        if expires:
            credential["validUntil"] = expires
        credential["awardedDate"] = issued
    else:
        credential["issuanceDate"] = issued
        if expires:
            credential["expirationDate"] = expires
    credential["credentialSubject"] = subject
    if evidence:
        credential["evidence"] = list(evidence)
    if endorsements:
        credential["endorsement"] = list(endorsements)
    credential["credentialSchema"] = [
        {
            "id": _SCHEMA_BASE + "ob_v3p0_achievementcredential_schema.json",
            "type": "1EdTechJsonSchemaValidator2019",
        }
    ]
    return credential


def _ed25519_signer(label: str) -> Callable[[bytes], bytes]:
    return keys.ed25519_private_key(label).sign


def _rs256_sign(data: bytes) -> bytes:
    return keys.rsa_private_key().sign(data, padding.PKCS1v15(), hashes.SHA256())


def _vc_jwt(credential: Json, label: str) -> str:
    """VC-JWT as in VC Data Model 1.1 (and Open Badges 3.0): the credential in ``vc``."""
    issued = credential.get("issuanceDate") or credential["validFrom"]
    expires = credential.get("expirationDate") or credential.get("validUntil")
    claims: Json = {
        "iss": credential["issuer"]["id"],
        "sub": credential["credentialSubject"]["id"],
        "nbf": _timestamp(issued),
        "jti": credential["id"],
    }
    if expires:
        claims["exp"] = _timestamp(expires)
    claims["vc"] = credential
    header = {"alg": "EdDSA", "typ": "JWT", "kid": keys.did_key_url(label)}
    return encode_compact(header, claims, _ed25519_signer(label))


def _vc_jose(credential: Json, label: str) -> str:
    """VC-JOSE-COSE (VC 2.0): the JWS payload is the credential itself."""
    header = {"alg": "EdDSA", "kid": keys.did_key_url(label), "typ": "vc+jwt", "cty": "vc"}
    return encode_compact(header, credential, _ed25519_signer(label))


_OB2_BASE = "https://workforce.example.org/ob2"
OB2_SIGNING_KEY_URL = f"{_OB2_BASE}/keys/signing-key-2024"


def _ob2_badge(
    key: str, name: str, description: str, occupation: str, skills: Sequence[str]
) -> Json:
    return {
        "type": "BadgeClass",
        "id": f"{_OB2_BASE}/badges/{key}",
        "name": name,
        "description": description,
        "image": f"{_OB2_BASE}/badges/{key}/image.png",
        "criteria": {"narrative": f"Complete the {name} workshop and its assessment."},
        "issuer": {
            "type": "Issuer",
            "id": f"{_OB2_BASE}/issuer",
            "name": WORKFORCE.name,
            "url": WORKFORCE.url,
            "email": "badges@workforce.example.org",
        },
        "alignment": [
            {
                "targetName": OCCUPATIONS[occupation],
                "targetUrl": f"https://www.onetonline.org/link/summary/{occupation}",
                "targetCode": occupation,
                "targetFramework": OCCUPATION_FRAMEWORK,
            }
        ]
        + [
            {
                "targetName": SKILLS[code],
                "targetUrl": f"https://www.onetonline.org/find/descriptor/result/{code}",
                "targetCode": code,
                "targetFramework": SKILL_FRAMEWORK,
            }
            for code in skills
        ],
        "tags": ["workforce", "short-term training"],
    }


def _ob2_assertion(key: str, learner: Learner, badge: Json, issued: str, *, signed: bool) -> Json:
    """An Open Badges 2.0 assertion with embedded badge and issuer and a hashed recipient."""
    return {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": _urn(f"ob2/{key}") if signed else f"{_OB2_BASE}/assertions/{key}",
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": learner.salt,
            "identity": learner.identity_hash,
        },
        "badge": badge,
        "issuedOn": issued,
        "verification": (
            {"type": "SignedBadge", "creator": OB2_SIGNING_KEY_URL}
            if signed
            else {"type": "HostedBadge"}
        ),
    }


def _svg_template(label: str, color: str) -> bytes:
    text = escape(label)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" '
        f'viewBox="0 0 200 200" role="img" aria-label="{escape(label, {chr(34): "&quot;"})}">'
        f"<title>{text}</title>\n"
        f'  <circle cx="100" cy="100" r="92" fill="{color}"/>\n'
        '  <text x="100" y="108" font-family="sans-serif" font-size="16" '
        f'text-anchor="middle" fill="#ffffff">{text}</text>\n'
        "</svg>\n"
    ).encode()


def _json_bytes(doc: object) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()


def _json_line(doc: object) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def _zip_bytes(members: Sequence[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED  # deflate output varies by zlib build
            info.create_system = 3  # fixed, whatever OS builds it
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


# ------------------------------------------------------- the credentials


def _ada_certificate() -> Json:
    gpa = {
        "id": _urn("result-description/it-cert-gpa"),
        "type": ["ResultDescription"],
        "name": "Certificate GPA",
        "resultType": "GradePointAverage",
    }
    capstone = {
        "id": _urn("result-description/it-cert-capstone"),
        "type": ["ResultDescription"],
        "name": "Help-desk capstone",
        "resultType": "Status",
    }
    credential_id = _urn("credential/ada-it-support-certificate")
    return _ob3(
        "ada-it-support-certificate",
        IT_CERT,
        ADA,
        "2024-05-17T16:00:00Z",
        subject_extra={
            "activityStartDate": "2023-08-21T00:00:00Z",
            "activityEndDate": "2024-05-10T00:00:00Z",
            "creditsEarned": 24,
        },
        result_descriptions=[gpa, capstone],
        results=[
            {"type": ["Result"], "resultDescription": gpa["id"], "value": "3.6"},
            {"type": ["Result"], "resultDescription": capstone["id"], "status": "Completed"},
        ],
        evidence=[
            {
                "id": "https://evcc.example.edu/portfolios/ada-example/help-desk-capstone",
                "type": ["Evidence"],
                "name": "Help-desk capstone project",
                "description": "Ticket log and write-up from a simulated 200-seat help desk.",
                "narrative": "Resolved 48 of 50 simulated tickets within the service levels.",
                "genre": "Project",
                "audience": "Employers",
            }
        ],
        endorsements=[
            _endorsement(
                "workforce-board-on-ada-certificate",
                WORKFORCE,
                credential_id,
                "Training funded by a county Individual Training Account; completion confirmed.",
                "2024-05-24T16:00:00Z",
            )
        ],
        achievement_endorsements=[
            _endorsement(
                "skills-council-on-it-certificate",
                COUNCIL,
                IT_CERT.id,
                "Reviewed by member employers: meets entry-level help-desk hiring needs.",
                "2023-11-01T16:00:00Z",
            )
        ],
    )


def _clr() -> Json:
    gpa = {
        "id": _urn("result-description/aas-gpa"),
        "type": ["ResultDescription"],
        "name": "Cumulative GPA",
        "resultType": "GradePointAverage",
    }
    nested = [
        _ob3("bashir-net-110", NETWORKING, BASHIR, "2023-12-15T16:00:00Z"),
        _ob3("bashir-it-support-certificate", IT_CERT, BASHIR, "2024-05-10T16:00:00Z"),
        _ob3(
            "bashir-aas-it",
            AAS_IT,
            BASHIR,
            "2025-05-16T16:00:00Z",
            result_descriptions=[gpa],
            results=[{"type": ["Result"], "resultDescription": gpa["id"], "value": "3.2"}],
        ),
    ]
    achievements = [vc["credentialSubject"]["achievement"] for vc in nested]
    return {
        "@context": [VC2_CONTEXT, CLR_CONTEXT, OB3_CONTEXT],
        "id": _urn("clr/bashir-sample"),
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": f"{BASHIR.name}: learner record from {COLLEGE.name}",
        "description": "A stackable pathway: a course, a certificate, then an associate degree.",
        "issuer": COLLEGE.profile(),
        "validFrom": "2025-05-20T16:00:00Z",
        "credentialSubject": {
            "id": BASHIR.did,
            "type": ["ClrSubject"],
            "identifier": [_identity(BASHIR)],
            "verifiableCredential": nested,
            "achievement": achievements,
            "association": [
                {
                    "type": "Association",
                    "associationType": "isParentOf",
                    "sourceId": AAS_IT.id,
                    "targetId": IT_CERT.id,
                },
                {
                    "type": "Association",
                    "associationType": "isParentOf",
                    "sourceId": IT_CERT.id,
                    "targetId": NETWORKING.id,
                },
            ],
        },
        "credentialSchema": [
            {
                "id": "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/"
                "clr_v2p0_clrcredential_schema.json",
                "type": "1EdTechJsonSchemaValidator2019",
            }
        ],
    }


def _employment_record() -> Json:
    return {
        "@context": [VC2_CONTEXT, VC2_EXAMPLES_CONTEXT],
        "id": _urn("employment/dana-placeholder"),
        "type": ["VerifiableCredential", "EmploymentCredential"],
        "name": "Employment verification",
        "description": "Confirms current employment, role and start date.",
        "issuer": {"id": keys.did_key(EMPLOYER.key), "name": EMPLOYER.name},
        "validFrom": "2025-06-01T16:00:00Z",
        "credentialSubject": {
            "id": DANA.did,
            "name": DANA.name,
            "employment": {
                "employer": EMPLOYER.name,
                "jobTitle": "Industrial Maintenance Mechanic",
                "occupation": {
                    "framework": OCCUPATION_FRAMEWORK,
                    "code": "49-9041.00",
                    "name": OCCUPATIONS["49-9041.00"],
                },
                "employmentType": "FullTime",
                "startDate": "2023-03-06",
                "current": True,
            },
        },
    }


def _ler_rs(embedded: Json) -> Json:
    """An HR Open LER-RS resume (VC 1.1 wrapper) embedding one credential."""
    return {
        "@context": [VC1_CONTEXT, LER_RS_CONTEXT],
        "id": _urn("ler-rs/eli-demo"),
        "type": ["VerifiableCredential", "LER-RS VC"],
        "issuer": {"id": keys.did_key(RESUME_SERVICE.key), "name": RESUME_SERVICE.name},
        "issuanceDate": "2026-03-02T16:00:00Z",
        "credentialSubject": {
            "id": ELI.did,
            "type": LER_RS_TYPE,
            "documentId": {"value": _urn("ler-rs/eli-demo/document").removeprefix("urn:uuid:")},
            "person": {"name": {"formattedName": ELI.name, "given": "Eli", "family": "Demo"}},
            "communication": {
                "email": [{"useCode": "personal", "address": ELI.email}],
                "web": [{"name": "Portfolio", "url": "https://portfolio.example.org/eli-demo"}],
            },
            "narratives": [
                {
                    "name": "Objective",
                    "texts": [
                        {
                            "name": "goal",
                            "lines": [
                                "Move from military motor transport into a commercial driving "
                                "or warehouse logistics role."
                            ],
                        }
                    ],
                }
            ],
            "skills": [
                {
                    "name": SKILLS["2.B.3.h"],
                    "comments": ["Four years operating medium and heavy trucks."],
                    "yearsOfExperience": 4,
                }
            ],
            "employmentHistories": [
                {
                    "organization": {"tradeName": "Example Military Service"},
                    "positionHistories": [
                        {
                            "title": "Motor Transport Operator",
                            "start": "2019-06-03",
                            "end": "2023-05-31",
                            "current": False,
                        }
                    ],
                }
            ],
            "educationAndLearnings": [
                {
                    "institution": {"name": MILITARY.name},
                    "start": "2023-09-18",
                    "end": "2023-09-29",
                    "verifications": [embedded],
                }
            ],
            "certifications": [
                {
                    "name": "Forklift Operator Safety Training",
                    "status": "Active",
                    "firstIssued": "2023-06-02",
                    "issuingAuthority": {"tradeName": WORKFORCE.name},
                    "verifications": [{"reference": f"{_OB2_BASE}/assertions/eli-forklift"}],
                }
            ],
        },
    }


#: path, bytes, format, description
_Raw = tuple[str, bytes, str, str]


@dataclass(frozen=True, slots=True)
class SampleFile:
    """One generated file and what a reader should find in it.

    ``records`` and ``problems`` are computed by reading the generated bytes back
    (see ``_expect_file``), not written by hand.
    """

    path: str  #: POSIX path relative to the samples folder
    data: bytes
    format: str  #: the format it demonstrates, for people
    description: str
    records: tuple[tuple[str, str], ...] = ()  #: (format, envelope) of each record
    problems: tuple[str, ...] = ()  #: why each unreadable part is unreadable


def _jsonld_files() -> Iterator[_Raw]:
    """Credentials as plain JSON / JSON-LD documents."""
    yield (
        "ob3_certificate_community_college.json",
        _json_bytes(_ada_certificate()),
        "OB 3.0 AchievementCredential, VC 2.0 JSON-LD (no proof)",
        f"{ADA.name}'s {IT_CERT.name}: O*NET-SOC and skill alignments, results, evidence, a "
        "hashed e-mail IdentityObject, one credential-level and one achievement-level "
        "endorsement.",
    )
    yield (
        "ob3_vc11_badge_bootcamp.json",
        _json_bytes(
            _ob3(
                "carmen-javascript-fundamentals",
                JS_BADGE,
                CARMEN,
                "2024-02-09T16:00:00Z",
                expires="2027-02-09T16:00:00Z",
                vc_version="1.1",
                credential_type="OpenBadgeCredential",
            )
        ),
        "OB 3.0 OpenBadgeCredential, VC 1.1 JSON-LD (issuanceDate/expirationDate)",
        f"{CARMEN.name}'s {JS_BADGE.name} badge from the bootcamp, in the VC 1.1 data model.",
    )
    yield (
        "ob3_endorsement_skills_council.json",
        _json_bytes(
            _endorsement(
                "skills-council-on-bootcamp",
                COUNCIL,
                keys.did_key(BOOTCAMP.key),
                "Graduates of this bootcamp have met member employers' entry-level bar.",
                "2024-01-15T16:00:00Z",
            )
        ),
        "OB 3.0 EndorsementCredential, VC 2.0 JSON-LD",
        "The skills council endorses the bootcamp as an issuer.",
    )
    yield (
        "clr2_learner_record_community_college.json",
        _json_bytes(_clr()),
        "CLR 2.0 ClrCredential, VC 2.0 JSON-LD",
        f"{BASHIR.name}'s record: 3 nested AchievementCredentials (course, certificate, "
        "associate degree) with isParentOf associations.",
    )
    yield (
        "vc2_employment_record.json",
        _json_bytes(_employment_record()),
        "W3C VC 2.0 (not a badge), JSON-LD",
        f"An employer's employment verification for {DANA.name}.",
    )


def _jws_files() -> Iterator[_Raw]:
    """Credentials carried as compact JWS (VC-JWT, VC-JOSE-COSE, OB 2.0 signed)."""
    military = _ob3(
        "eli-motor-transport-operator",
        MOTOR_TRANSPORT,
        ELI,
        "2023-04-21T16:00:00Z",
        vc_version="1.1",
        credential_type="OpenBadgeCredential",
    )
    yield (
        "vcjwt11_ob3_military_training.jwt",
        (_vc_jwt(military, MILITARY.key) + "\n").encode(),
        "VC-JWT (VC 1.1 form: credential in the 'vc' claim), EdDSA",
        f"{ELI.name}'s {MOTOR_TRANSPORT.name}; JWT claims iss, sub, nbf, jti.",
    )
    yield (
        "vcjose_ob3_bootcamp_course.jwt",
        (
            _vc_jose(
                _ob3("carmen-full-stack", FULL_STACK, CARMEN, "2025-08-22T16:00:00Z"),
                BOOTCAMP.key,
            )
            + "\n"
        ).encode(),
        "VC-JOSE-COSE (payload is the VC 2.0 credential; typ vc+jwt, cty vc), EdDSA",
        f"{CARMEN.name}'s {FULL_STACK.name}.",
    )
    yield (
        "ob2_hosted_assertion.json",
        _json_bytes(
            _ob2_assertion(
                "eli-forklift",
                ELI,
                _ob2_badge(
                    "forklift-safety",
                    "Forklift Operator Safety Training",
                    "Safe operation of powered industrial trucks in warehouses.",
                    "53-7051.00",
                    ["2.B.3.h"],
                ),
                "2023-06-02T16:00:00Z",
                signed=False,
            )
        ),
        "Open Badges 2.0 Assertion, hosted verification",
        f"{ELI.name}'s badge with embedded BadgeClass and Issuer and a hashed recipient.",
    )
    yield (
        "ob2_signed_assertion.jws",
        (
            encode_compact(
                {"alg": "RS256"},
                _ob2_assertion(
                    "farah-workplace-readiness",
                    FARAH,
                    _ob2_badge(
                        "workplace-readiness",
                        "Workplace Readiness Skills",
                        "Punctuality, teamwork and workplace communication.",
                        "43-9061.00",
                        ["2.B.5.a", "2.A.1.b"],
                    ),
                    "2024-10-04T16:00:00Z",
                    signed=True,
                ),
                _rs256_sign,
            )
            + "\n"
        ).encode(),
        "Open Badges 2.0 signed Assertion (compact JWS, RS256)",
        f"{FARAH.name}'s badge; the JWS payload is the assertion JSON.",
    )


def _baked_files() -> Iterator[_Raw]:
    """Badges baked into PNG and SVG images, and the LER-RS resume."""
    apprenticeship = _ob3(
        "dana-industrial-maintenance-apprenticeship",
        APPRENTICESHIP,
        DANA,
        "2025-03-28T16:00:00Z",
        subject_extra={
            "activityStartDate": "2023-03-06T00:00:00Z",
            "activityEndDate": "2025-03-21T00:00:00Z",
        },
    )
    yield (
        "baked_ob3_credential.png",
        bake_png(minimal_png(64, 64, (31, 111, 139)), json.dumps(apprenticeship)),
        "OB 3.0 credential JSON baked in a PNG iTXt chunk",
        f"{DANA.name}'s {APPRENTICESHIP.name} from the employer.",
    )
    yield (
        "baked_ob2_assertion.png",
        bake_png(
            minimal_png(64, 64, (153, 79, 0)),
            json.dumps(
                _ob2_assertion(
                    "gabe-blueprint-reading",
                    GABE,
                    _ob2_badge(
                        "blueprint-reading",
                        "Blueprint Reading Basics",
                        "Reading welding symbols and shop drawings.",
                        "51-4121.00",
                        ["2.B.3.m"],
                    ),
                    "2023-11-17T16:00:00Z",
                    signed=False,
                )
            ),
        ),
        "Open Badges 2.0 hosted assertion JSON baked in a PNG iTXt chunk",
        f"{GABE.name}'s badge from the workforce board.",
    )
    license_credential = _ob3(
        "farah-electrician-license",
        ELECTRICIAN_LICENSE,
        FARAH,
        "2026-01-12T16:00:00Z",
        expires="2029-01-12T16:00:00Z",
        vc_version="1.1",
        credential_type="OpenBadgeCredential",
        subject_extra={"licenseNumber": "EL-J-0000-DEMO"},
    )
    yield (
        "baked_ob3_credential.svg",
        bake_svg(
            _svg_template("Electrician License", "#5b2a86"),
            _vc_jwt(license_credential, LICENSING.key),
            version="3.0",
        ),
        "OB 3.0 VC-JWT baked in an SVG openbadges:credential verify attribute",
        f"{FARAH.name}'s {ELECTRICIAN_LICENSE.name} (expires 2029).",
    )
    digital_literacy = _ob2_assertion(
        "carmen-digital-literacy",
        CARMEN,
        _ob2_badge(
            "digital-literacy",
            "Digital Literacy Essentials",
            "E-mail, documents, spreadsheets and safe browsing.",
            "43-9061.00",
            ["2.A.2.a"],
        ),
        "2023-08-25T16:00:00Z",
        signed=False,
    )
    yield (
        "baked_ob2_assertion.svg",
        bake_svg(
            _svg_template("Digital Literacy", "#1a7340"),
            json.dumps(digital_literacy, indent=2),
            version="2.0",
            verify=digital_literacy["id"],
        ),
        "Open Badges 2.0 assertion baked in an SVG openbadges:assertion (CDATA JSON + verify URL)",
        f"{CARMEN.name}'s hosted badge from the workforce board.",
    )
    lifesaver = _ob3(
        "eli-combat-lifesaver",
        LIFESAVER,
        ELI,
        "2023-09-29T16:00:00Z",
        vc_version="1.1",
        credential_type="OpenBadgeCredential",
    )
    yield (
        "ler_rs_resume.json",
        _json_bytes(_ler_rs(lifesaver)),
        "HR Open LER-RS resume (VC 1.1 wrapper) embedding an OB 3.0 credential",
        f"{ELI.name}'s resume; educationAndLearnings[0].verifications[0] is a full credential.",
    )


def _container_files() -> Iterator[_Raw]:
    """Several credentials in one file: JSON Lines and zip."""
    lines = [
        _json_line(_ob3("ada-python-data-wrangling", PYTHON_BADGE, ADA, "2024-09-13T16:00:00Z")),
        _json_line(_ob3("dana-warehouse-safety", WAREHOUSE_OJT, DANA, "2023-07-14T16:00:00Z")),
    ]
    broken = _json_line(_ob3("broken-line", CUSTOMER_SERVICE, ELI, "2025-02-20T16:00:00Z"))
    lines.append(broken[: len(broken) // 3])  # cut mid-document: not JSON
    lines += [
        _json_line(_ob3("eli-customer-service", CUSTOMER_SERVICE, ELI, "2025-02-20T16:00:00Z")),
        _json_line(_ob3("hana-nursing-assistant", NURSING_ASSISTANT, HANA, "2023-10-27T16:00:00Z")),
        _json_line(_ob3("gabe-welding", WELDING, GABE, "2026-05-15T16:00:00Z")),
    ]
    yield (
        "ob3_batch.jsonl",
        ("\n".join(lines) + "\n").encode(),
        "JSON Lines, one OB 3.0 credential per line",
        "Five credentials from four issuers; line 3 is cut off mid-document (broken JSON).",
    )
    yield (
        "ob3_collection.zip",
        _zip_bytes(
            [
                (
                    "credentials/gabe_forklift_certification.json",
                    _json_bytes(_ob3("gabe-forklift", FORKLIFT, GABE, "2024-06-07T16:00:00Z")),
                ),
                (
                    "credentials/farah_pre_apprenticeship.json",
                    _json_bytes(
                        _ob3(
                            "farah-pre-apprenticeship",
                            PRE_APPRENTICESHIP,
                            FARAH,
                            "2023-05-12T16:00:00Z",
                        )
                    ),
                ),
                (
                    "credentials/dana_work_orders.jwt",
                    (
                        _vc_jose(
                            _ob3("dana-work-orders", CMMS, DANA, "2024-02-16T16:00:00Z"),
                            EMPLOYER.key,
                        )
                        + "\n"
                    ).encode(),
                ),
                ("issuer_profile.json", _json_bytes(WORKFORCE.profile())),
            ]
        ),
        "zip archive of credentials (stored, not compressed)",
        "Two OB 3.0 JSON credentials and one VC-JOSE-COSE .jwt under credentials/, plus an "
        "issuer Profile that is not a credential.",
    )


def _broken_files() -> Iterator[_Raw]:
    """Inputs a reader must report as problems, one each."""
    missing_issuer = _ob3("broken-missing-issuer", WELDING, GABE, "2026-05-15T16:00:00Z")
    del missing_issuer["issuer"]
    mistyped = _ob3("broken-mistyped-subject", FORKLIFT, GABE, "2024-06-07T16:00:00Z")
    mistyped["credentialSubject"] = 42
    truncated = _json_bytes(_ob3("broken-truncated", JS_BADGE, CARMEN, "2024-02-09T16:00:00Z"))
    yield (
        "broken/invalid_json.json",
        truncated[:200],
        "broken: invalid JSON",
        "The first 200 bytes of a credential: the JSON is cut off.",
    )
    yield (
        "broken/not_a_credential.json",
        _json_bytes({"title": "Pilot kickoff notes", "attendees": 12, "next_step": "enroll"}),
        "broken: JSON that is not a credential",
        "Valid JSON with no credential type.",
    )
    yield (
        "broken/ob3_missing_issuer.json",
        _json_bytes(missing_issuer),
        "broken: OB 3.0 credential without issuer",
        "Everything but the required issuer.",
    )
    yield (
        "broken/ob3_mistyped_subject.json",
        _json_bytes(mistyped),
        "broken: OB 3.0 credential with a mistyped field",
        "credentialSubject is the number 42 instead of an object.",
    )
    yield (
        "broken/png_without_badge.png",
        minimal_png(32, 32, (128, 128, 128)),
        "broken: PNG with no openbadges chunk",
        "A valid image that carries no badge.",
    )
    yield (
        "broken/random_bytes.bin",
        b"\x00" + hashlib.shake_256(b"lerkit samples: random bytes").digest(255),
        "broken: binary garbage",
        "256 deterministic pseudo-random bytes.",
    )
    yield ("broken/empty.json", b"", "broken: empty file", "Zero bytes.")


def _raw_samples() -> Iterator[_Raw]:
    for group in (_jsonld_files, _jws_files, _baked_files, _container_files, _broken_files):
        yield from group()


# ------------------------------------------- what a reader should find


def _types(doc: Json) -> set[str]:
    value = doc.get("type")
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {t for t in value if isinstance(t, str)}
    return set()


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _credential_problem(doc: object) -> str | None:
    """Why ``doc`` cannot be read as a credential, or None if it can."""
    if not isinstance(doc, dict):
        return "not a JSON object"
    types = _types(doc)
    if "Assertion" in types:  # Open Badges 2.0
        if isinstance(doc.get("recipient"), dict) and doc.get("badge"):
            return None
        return "OB 2.0 assertion without recipient or badge"
    if "VerifiableCredential" not in types:
        return "not a credential (no VerifiableCredential or Assertion type)"
    if not doc.get("issuer"):
        return "credential has no issuer"
    if not isinstance(doc.get("credentialSubject"), dict | list):
        return "credentialSubject is not an object"
    return None


def _record_format(doc: Json) -> str:
    types = _types(doc)
    subject_types: set[str] = set()
    for subject in _as_list(doc.get("credentialSubject")):
        if isinstance(subject, dict):
            subject_types |= _types(subject)
    if "Assertion" in types:
        return "ob2"
    if "ClrCredential" in types:
        return "clr2"
    if "EndorsementCredential" in types:
        return "ob3-endorsement"
    if types & {"AchievementCredential", "OpenBadgeCredential"}:
        return "ob3"
    if LER_RS_TYPE in subject_types:
        return "ler-rs"
    return "vc"


def _embedded_verifications(node: object) -> Iterator[Json]:
    """Credentials inside LER-RS ``verifications`` lists, anywhere in ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "verifications" and isinstance(value, list):
                yield from (
                    v for v in value if isinstance(v, dict) and "VerifiableCredential" in _types(v)
                )
            else:
                yield from _embedded_verifications(value)
    elif isinstance(node, list):
        for item in node:
            yield from _embedded_verifications(item)


def _nested_credentials(doc: Json) -> Iterator[Json]:
    """Credentials that count as records of their own inside ``doc``.

    Endorsements of the credential and of its achievement, CLR
    ``verifiableCredential`` members, and credentials embedded in LER-RS
    ``verifications``.
    """
    yield from (e for e in _as_list(doc.get("endorsement")) if isinstance(e, dict))
    for subject in _as_list(doc.get("credentialSubject")):
        if not isinstance(subject, dict):
            continue
        achievement = subject.get("achievement")
        if isinstance(achievement, dict):
            yield from (e for e in _as_list(achievement.get("endorsement")) if isinstance(e, dict))
        yield from (
            vc for vc in _as_list(subject.get("verifiableCredential")) if isinstance(vc, dict)
        )
        if LER_RS_TYPE in _types(subject):
            yield from _embedded_verifications(subject)


def _expect_document(doc: object, envelope: str) -> tuple[list[tuple[str, str]], list[str]]:
    problem = _credential_problem(doc)
    if problem is not None or not isinstance(doc, dict):
        return [], [problem or "not a JSON object"]
    records = [(_record_format(doc), envelope)]
    problems: list[str] = []
    for nested in _nested_credentials(doc):
        more, bad = _expect_document(nested, envelope)
        records += more
        problems += bad
    return records, problems


def _expect_text(text: str, envelope: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Records in a badge or file that is JSON or a compact JWS."""
    if looks_like_compact_jws(text):
        try:
            jws = split_compact(text)
        except ParseError as err:
            return [], [err.message]
        payload = jws.payload_json
        if payload is None:
            return [], ["JWS payload is not a JSON object"]
        if "vc" in payload:
            inner, env = payload["vc"], "vc-jwt"
        elif "Assertion" in _types(payload):
            inner, env = payload, "ob2-jws"
        else:
            inner, env = payload, "vc-jose-cose"
        return _expect_document(inner, envelope if envelope in ("png", "svg") else env)
    try:
        doc = json.loads(text)
    except ValueError:
        return [], ["not valid JSON"]
    return _expect_document(doc, envelope)


def _expect_file(name: str, data: bytes) -> tuple[list[tuple[str, str]], list[str]]:
    suffix = PurePosixPath(name).suffix
    if not data:
        return [], ["empty file"]
    if suffix == ".zip":
        records: list[tuple[str, str]] = []
        problems: list[str] = []
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                more, bad = _expect_file(member, archive.read(member))
                records += more
                problems += [f"member {member}: {p}" for p in bad]
        return records, problems
    if suffix in (".png", ".svg"):
        try:
            text = extract_png(data) if suffix == ".png" else extract_svg(data)
        except ParseError as err:
            return [], [err.message]
        if text is None:
            return [], ["image carries no badge"]
        return _expect_text(text, suffix[1:])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return [], ["not UTF-8 text (binary garbage)"]
    if suffix == ".jsonl":
        records, problems = [], []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                more, bad = _expect_text(line, "json")
                records += more
                problems += [f"line {number}: {p}" for p in bad]
        return records, problems
    return _expect_text(text, "json")


def build_samples() -> list[SampleFile]:
    """Build every sample file in memory, with what a reader should find in each.

    Returns
    -------
    list of SampleFile
        In a fixed order; README.md is not included.
    """
    samples = []
    for path, data, fmt, description in _raw_samples():
        records, problems = _expect_file(path, data)
        samples.append(SampleFile(path, data, fmt, description, tuple(records), tuple(problems)))
    return samples


# ------------------------------------------------------------ README


def _readme(samples: Sequence[SampleFile]) -> str:
    total_records = sum(len(s.records) for s in samples)
    total_problems = sum(len(s.problems) for s in samples)
    formats = Counter(fmt for s in samples for fmt, _ in s.records)
    envelopes = Counter(env for s in samples for _, env in s.records)
    lines = [
        "# Sample credentials (synthetic)",
        "",
        "Hand-made, **fully synthetic** Learning and Employment Records in every format",
        "lerkit reads. Every person, organization, identifier and e-mail address is invented",
        "(`example.org` / `example.edu` domains, `did:example` learners, `did:key` issuers).",
        "Only the O*NET-SOC occupation codes and O*NET skill element ids in the alignments",
        "are real public codes, so alignments can be joined to O*NET data.",
        "",
        "These files are generated by `lerkit.datasets.make_samples`; do not edit them by",
        "hand. Regenerate (deterministic, byte-for-byte) with:",
        "",
        "```",
        REGENERATE_COMMAND,
        "```",
        "",
        "## Demo keys: do not trust these signatures",
        "",
        "The JWS samples are really signed (EdDSA/Ed25519 and RS256), but with **demo keys",
        "whose private halves are published** in `lerkit/datasets/_demo_keys.py`. Anyone can",
        "forge a credential that verifies with them. They exist so that verification can",
        "be demonstrated offline; never use them for anything real. Each issuer's `did:key`",
        "id is derived from its demo key, so `kid` headers resolve without a network.",
        "The JSON-LD credentials carry no Data Integrity proof yet.",
        "",
        "## Files",
        "",
        "| file | format | what it shows | records | problems |",
        "|---|---|---|---:|---:|",
    ]
    for s in samples:
        lines.append(
            f"| `{s.path}` | {s.format} | {s.description} | {len(s.records)} | {len(s.problems)} |"
        )
    lines += [
        "",
        "## What a reader should find",
        "",
        "Reading every file in this folder except this README (zip members and JSONL lines",
        "each on their own):",
        "",
        f"- **{total_records} credential records**, counting as separate records the",
        "  credentials nested in a CLR (`credentialSubject.verifiableCredential`), the",
        "  endorsements attached to a credential or to its achievement (`endorsement`), and",
        "  the credential embedded in the LER-RS resume (`verifications`);",
        f"- **{total_problems} problems**: one per broken file in `broken/`, the broken",
        "  JSONL line, and the zip member that is an issuer profile, not a credential.",
        "",
        "Records by format: " + ", ".join(f"{fmt} {n}" for fmt, n in sorted(formats.items())) + ".",
        "",
        "Records by envelope (nested records take the envelope of the file that carries",
        "them): " + ", ".join(f"{env} {n}" for env, n in sorted(envelopes.items())) + ".",
        "",
        "Problems:",
        "",
    ]
    for s in samples:
        for problem in s.problems:
            lines.append(f"- `{s.path}`: {problem}")
    lines += [
        "",
        "## Hashed identities",
        "",
        "Each OB 3.0 `IdentityObject` and OB 2.0 `recipient` hides an e-mail address as",
        "`sha256$` + hex SHA-256 of the address followed by the salt. The plaintexts, so",
        "tests and explainers can match them:",
        "",
        "| learner | e-mail | salt | identityHash |",
        "|---|---|---|---|",
    ]
    for learner in LEARNERS.values():
        lines.append(
            f"| {learner.name} | `{learner.email}` | `{learner.salt}` | `{learner.identity_hash}` |"
        )
    lines += [
        "",
        "## Alignments",
        "",
        f'Occupations use `targetFramework` "{OCCUPATION_FRAMEWORK}" (`targetType`',
        '"ext:Occupation", `targetCode` an O*NET-SOC code such as `15-1232.00`); skills',
        f'use "{SKILL_FRAMEWORK}" (`targetType` "ceasn:Competency", `targetCode` an O*NET',
        "element id such as `2.B.3.k`). `targetUrl` points at O*NET OnLine.",
        "",
    ]
    return "\n".join(lines)


def make_samples(out_dir: Path) -> list[Path]:
    """Write the synthetic sample credentials and their README into ``out_dir``.

    Files are overwritten; files the generator does not make are left alone.

    Parameters
    ----------
    out_dir : Path
        The folder to write, usually ``datasets/samples``; created if missing.

    Returns
    -------
    list of Path
        Every file written, sorted.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = make_samples(Path(tmp))
    >>> any(p.name == "README.md" for p in paths)
    True
    """
    samples = build_samples()
    written = []
    for path, data in [(s.path, s.data) for s in samples] + [
        ("README.md", _readme(samples).encode())
    ]:
        target = out_dir.joinpath(*PurePosixPath(path).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return sorted(written)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m lerkit.datasets.samples OUT_DIR``."""
    parser = argparse.ArgumentParser(
        prog="python -m lerkit.datasets.samples",
        description="Write lerkit's synthetic sample credentials (deterministic).",
    )
    parser.add_argument("out_dir", type=Path, help="folder to write, e.g. datasets/samples")
    args = parser.parse_args(argv)
    paths = make_samples(args.out_dir)
    print(f"wrote {len(paths)} files to {args.out_dir}")
    return 0
