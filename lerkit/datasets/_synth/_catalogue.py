"""The fixed catalogue of a synthetic pilot: occupations, skills, issuers, achievements,
alignments and employers (the small tables, built once before any learner).

Only the O*NET-SOC 2019 occupation codes and titles and the O*NET Content Model skill
element ids and names are real public codes (so alignments join to O*NET data); the
skill *profiles* of occupations are the generator's choice, not O*NET importance
ratings. Every organization is fictional, and every host is under a reserved example
domain (``example.edu``, ``example.org``, ``example.com``, or the ``.example`` TLD).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from lerkit.datasets._synth import _calibration as cal
from lerkit.datasets._synth._scenario import PATHWAYS, Scenario

__all__ = [
    "INDUSTRIES",
    "SKILLS",
    "Catalogue",
    "build_catalogue",
]

# Real O*NET Content Model skill element ids and names, with their O*NET skill family.
SKILLS: tuple[tuple[str, str, str], ...] = (
    ("2.A.1.a", "Reading Comprehension", "Basic Skills: Content"),
    ("2.A.1.b", "Active Listening", "Basic Skills: Content"),
    ("2.A.1.d", "Speaking", "Basic Skills: Content"),
    ("2.A.1.e", "Mathematics", "Basic Skills: Content"),
    ("2.A.2.a", "Critical Thinking", "Basic Skills: Process"),
    ("2.A.2.d", "Monitoring", "Basic Skills: Process"),
    ("2.B.1.a", "Social Perceptiveness", "Social Skills"),
    ("2.B.1.b", "Coordination", "Social Skills"),
    ("2.B.1.c", "Persuasion", "Social Skills"),
    ("2.B.1.f", "Service Orientation", "Social Skills"),
    ("2.B.2.i", "Complex Problem Solving", "Complex Problem Solving Skills"),
    ("2.B.3.b", "Technology Design", "Technical Skills"),
    ("2.B.3.d", "Installation", "Technical Skills"),
    ("2.B.3.e", "Programming", "Technical Skills"),
    ("2.B.3.g", "Operations Monitoring", "Technical Skills"),
    ("2.B.3.h", "Operation and Control", "Technical Skills"),
    ("2.B.3.j", "Equipment Maintenance", "Technical Skills"),
    ("2.B.3.k", "Troubleshooting", "Technical Skills"),
    ("2.B.3.l", "Repairing", "Technical Skills"),
    ("2.B.3.m", "Quality Control Analysis", "Technical Skills"),
    ("2.B.4.e", "Judgment and Decision Making", "Systems Skills"),
    ("2.B.4.g", "Systems Analysis", "Systems Skills"),
    ("2.B.4.h", "Systems Evaluation", "Systems Skills"),
    ("2.B.5.a", "Time Management", "Resource Management Skills"),
)
_SKILL_INDEX = {skill_id: n for n, (skill_id, _name, _family) in enumerate(SKILLS)}
_SKILL_NAME = {skill_id: name for skill_id, name, _family in SKILLS}

# occupation -> skill profile used for matching (the generator's choice), posting titles,
# posting volume weight within an industry is set in INDUSTRIES
_PROFILES: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "15-1232.00": (("2.B.3.k", "2.A.2.a", "2.B.1.f", "2.A.1.b", "2.B.3.d"),
                   ("IT Support Specialist", "Help Desk Technician", "Desktop Support Technician")),
    "15-1244.00": (("2.B.3.k", "2.B.4.g", "2.B.4.h", "2.B.3.g", "2.B.3.d"),
                   ("Systems Administrator", "Network Administrator")),
    "15-1252.00": (("2.B.3.e", "2.B.2.i", "2.B.3.b", "2.B.4.g", "2.A.1.e"),
                   ("Software Developer", "Web Application Developer", "Junior Software Engineer")),
    "29-1141.00": (("2.A.1.b", "2.B.1.a", "2.B.1.f", "2.A.2.d", "2.B.4.e"),
                   ("Registered Nurse", "Staff Nurse, Medical-Surgical")),
    "31-1131.00": (("2.B.1.f", "2.A.1.b", "2.B.1.a", "2.A.2.d", "2.B.5.a"),
                   ("Certified Nursing Assistant", "Patient Care Assistant")),
    "43-4051.00": (("2.B.1.f", "2.A.1.b", "2.A.1.d", "2.B.1.c", "2.B.1.a"),
                   ("Customer Service Representative", "Member Services Associate")),
    "47-2111.00": (("2.B.3.d", "2.B.3.k", "2.B.3.l", "2.A.1.e", "2.B.3.m"),
                   ("Electrician", "Maintenance Electrician")),
    "49-9041.00": (("2.B.3.l", "2.B.3.j", "2.B.3.k", "2.B.3.g", "2.B.3.h"),
                   ("Industrial Maintenance Mechanic", "Maintenance Technician")),
    "51-4121.00": (("2.B.3.m", "2.B.3.h", "2.A.1.e", "2.B.3.g"),
                   ("Welder", "Production Welder", "Welder/Fabricator")),
    "53-3032.00": (("2.B.3.h", "2.A.2.d", "2.B.5.a", "2.B.3.g"),
                   ("CDL-A Truck Driver", "Regional Truck Driver")),
    "53-7062.00": (("2.A.2.d", "2.B.5.a", "2.B.1.b", "2.B.3.h"),
                   ("Warehouse Associate", "Material Handler", "Order Picker")),
}  # fmt: skip

# NAICS sector -> (share of employers, name nouns, {occupation: share of its postings})
INDUSTRIES: Mapping[str, tuple[float, tuple[str, ...], Mapping[str, float]]] = {
    "62": (0.20, ("Health System", "Medical Center", "Care Partners"),
           {"29-1141.00": 0.35, "31-1131.00": 0.45, "43-4051.00": 0.10, "15-1232.00": 0.10}),
    "31-33": (0.16, ("Manufacturing", "Fabrication", "Industries"),
              {"51-4121.00": 0.30, "49-9041.00": 0.30, "53-7062.00": 0.25, "47-2111.00": 0.05,
               "53-3032.00": 0.10}),
    "48-49": (0.12, ("Logistics", "Freight", "Distribution"),
              {"53-3032.00": 0.45, "53-7062.00": 0.45, "49-9041.00": 0.10}),
    "44-45": (0.12, ("Retail Group", "Markets", "Home Stores"),
              {"53-7062.00": 0.40, "43-4051.00": 0.50, "53-3032.00": 0.10}),
    "54": (0.12, ("Software", "Technology Services", "Digital"),
           {"15-1252.00": 0.40, "15-1244.00": 0.25, "15-1232.00": 0.25, "43-4051.00": 0.10}),
    "52": (0.08, ("Credit Union", "Insurance", "Bank"),
           {"43-4051.00": 0.45, "15-1232.00": 0.20, "15-1252.00": 0.20, "15-1244.00": 0.15}),
    "23": (0.10, ("Builders", "Electric", "Construction"),
           {"47-2111.00": 0.55, "51-4121.00": 0.20, "53-7062.00": 0.25}),
    "56": (0.10, ("Staffing", "Contact Centers", "Business Services"),
           {"43-4051.00": 0.50, "53-7062.00": 0.30, "15-1232.00": 0.20}),
}  # fmt: skip

_EMPLOYER_PREFIXES = (
    "Harbor", "Summit", "Prairie", "Redwood", "Bluewater", "Ironwood", "Maple Ridge",
    "Cedar Point", "Granite", "Lakeshore", "Riverside", "Northstar", "Sunbelt", "Copperline",
    "Evergreen", "Keystone", "Meadowbrook", "Pinecrest", "Silverline", "Tidewater",
    "Canyon", "Frontier", "Heartland", "Highland", "Juniper", "Lighthouse", "Oakmont",
    "Pioneer", "Sandstone", "Westfield", "Aspen", "Bayview", "Clearwater", "Driftwood",
    "Foxhollow", "Goldleaf", "Hawthorne", "Ivybridge", "Larkspur", "Millbrook",
)  # fmt: skip

_SIZES = ("small", "medium", "large")
_SIZE_SHARES = (0.5, 0.3, 0.2)
#: relative number of postings by employer size
SIZE_POSTING_WEIGHT = {"small": 1.0, "medium": 4.0, "large": 15.0}


# -- programs ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Course:
    key: str
    name: str
    credits: float
    skills: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Program:
    key: str
    name: str
    kind: str  # achievements.achievement_type code
    field: str
    level: str
    credits: float | None
    soc: str | None
    skills: tuple[str, ...]
    courses: tuple[_Course, ...] = ()
    valid_years: int = 0  # 0: does not expire
    days: tuple[int, int] = (90, 300)  # time from enrolment to award
    weight: float = 1.0


def _c(key: str, name: str, credits: float, *skills: str) -> _Course:
    return _Course(key, name, credits, skills)


_NETWORKING = _c("networking-fundamentals", "Networking Fundamentals", 4, "2.B.3.d", "2.B.4.g")
_CC_PROGRAMS = (
    _Program("it-support-certificate", "IT Support Technician Certificate", "Certificate",
             "Information Technology", "certificate", 24, "15-1232.00",
             ("2.B.3.k", "2.A.2.a", "2.B.1.f", "2.A.1.b", "2.B.3.d"),
             (_c("computer-hardware", "Computer Hardware Essentials", 4, "2.B.3.d", "2.B.3.k"),
              _c("os-support", "Operating Systems Support", 4, "2.B.3.k", "2.A.2.a"),
              _c("help-desk-practices", "Help Desk Practices", 3, "2.B.1.f", "2.A.1.b"),
              _NETWORKING), weight=3),
    _Program("aas-network-administration",
             "Associate of Applied Science in Network Administration", "AssociateDegree",
             "Information Technology", "associate", 60, "15-1244.00",
             ("2.B.3.k", "2.B.4.g", "2.B.4.h", "2.B.3.g", "2.B.3.d", "2.A.2.a"),
             (_NETWORKING,
              _c("server-administration", "Server Administration", 4, "2.B.3.g", "2.B.4.h"),
              _c("network-security", "Network Security Basics", 3, "2.B.4.g", "2.A.2.a"),
              _c("cloud-infrastructure", "Cloud Infrastructure", 3, "2.B.3.d", "2.B.4.h"),
              _c("troubleshooting-lab", "Systems Troubleshooting Lab", 2, "2.B.3.k")),
             days=(120, 400), weight=2),
    _Program("nursing-assistant-certificate", "Nursing Assistant Certificate", "Certificate",
             "Health Care", "certificate", 8, "31-1131.00",
             ("2.B.1.f", "2.A.1.b", "2.B.1.a", "2.A.2.d", "2.B.5.a"),
             (_c("nurse-aide-fundamentals", "Nurse Aide Fundamentals", 4, "2.B.1.f", "2.A.1.b"),
              _c("nurse-aide-clinical", "Nurse Aide Clinical Practicum", 4, "2.A.2.d", "2.B.1.a",
                 "2.B.5.a")), days=(60, 180), weight=3),
    _Program("adn-nursing", "Associate Degree in Nursing", "AssociateDegree", "Nursing",
             "associate", 68, "29-1141.00",
             ("2.A.1.b", "2.B.1.a", "2.B.1.f", "2.A.2.d", "2.B.4.e", "2.A.2.a"),
             (_c("nursing-foundations", "Foundations of Nursing Practice", 6, "2.B.1.f", "2.A.1.b"),
              _c("med-surg-1", "Medical-Surgical Nursing I", 8, "2.A.2.d", "2.B.4.e"),
              _c("pharmacology", "Pharmacology for Nurses", 3, "2.A.2.a", "2.A.1.e"),
              _c("maternal-child", "Maternal and Child Nursing", 6, "2.B.1.a", "2.B.1.f")),
             days=(120, 400), weight=2),
    _Program("welding-technology-certificate", "Welding Technology Certificate", "Certificate",
             "Welding", "certificate", 30, "51-4121.00",
             ("2.B.3.m", "2.B.3.h", "2.A.1.e", "2.B.3.g"),
             (_c("smaw", "Shielded Metal Arc Welding", 6, "2.B.3.h", "2.B.3.m"),
              _c("gmaw", "Gas Metal Arc Welding", 6, "2.B.3.h", "2.B.3.g"),
              _c("blueprint-reading", "Blueprint Reading for Welders", 3, "2.A.1.e"),
              _c("weld-inspection", "Weld Inspection and Testing", 3, "2.B.3.m")), weight=2),
    _Program("aas-industrial-maintenance",
             "Associate of Applied Science in Industrial Maintenance Technology",
             "AssociateDegree", "Industrial Maintenance", "associate", 60, "49-9041.00",
             ("2.B.3.l", "2.B.3.j", "2.B.3.k", "2.B.3.g", "2.B.3.h"),
             (_c("industrial-electricity", "Industrial Electricity", 4, "2.B.3.k", "2.B.3.d"),
              _c("hydraulics-pneumatics", "Hydraulics and Pneumatics", 4, "2.B.3.j", "2.B.3.l"),
              _c("mechanical-drives", "Mechanical Drives", 3, "2.B.3.l", "2.B.3.j"),
              _c("plc", "Programmable Logic Controllers", 4, "2.B.3.g", "2.B.3.h")),
             days=(120, 400), weight=2),
)  # fmt: skip

_UNIVERSITY_PROGRAMS = (
    _Program("bs-computer-science", "Bachelor of Science in Computer Science", "BachelorDegree",
             "Computer Science", "bachelor", 120, "15-1252.00",
             ("2.B.3.e", "2.B.2.i", "2.B.3.b", "2.B.4.g", "2.A.1.e", "2.A.2.a"),
             (_c("data-structures", "Data Structures and Algorithms", 4, "2.B.3.e", "2.B.2.i"),
              _c("software-engineering", "Software Engineering", 4, "2.B.3.b", "2.B.3.e"),
              _c("database-systems", "Database Systems", 3, "2.B.4.g", "2.B.3.e"),
              _c("discrete-math", "Discrete Mathematics", 3, "2.A.1.e", "2.A.2.a"),
              _c("computer-networks", "Computer Networks", 3, "2.B.4.g", "2.B.3.d")),
             days=(120, 400), weight=2),
    _Program("bsn-nursing", "Bachelor of Science in Nursing", "BachelorDegree", "Nursing",
             "bachelor", 120, "29-1141.00",
             ("2.A.1.b", "2.B.1.a", "2.B.1.f", "2.A.2.d", "2.B.4.e", "2.A.2.a"),
             (_c("health-assessment", "Health Assessment", 4, "2.A.2.d", "2.A.1.b"),
              _c("evidence-based-practice", "Evidence-Based Nursing Practice", 3, "2.A.2.a",
                 "2.B.4.e"),
              _c("community-health", "Community Health Nursing", 4, "2.B.1.a", "2.B.1.f"),
              _c("nursing-pharmacology", "Pharmacology", 3, "2.A.2.a", "2.A.1.e")),
             days=(120, 400), weight=2),
    _Program("bs-information-technology", "Bachelor of Science in Information Technology",
             "BachelorDegree", "Information Technology", "bachelor", 120, "15-1244.00",
             ("2.B.3.k", "2.B.4.g", "2.B.4.h", "2.B.3.g", "2.B.3.d", "2.A.2.a"),
             (_c("systems-administration", "Systems Administration", 4, "2.B.3.g", "2.B.4.h"),
              _c("network-design", "Network Design", 4, "2.B.4.g", "2.B.3.d"),
              _c("information-security", "Information Security", 3, "2.A.2.a", "2.B.4.g"),
              _c("it-support-practicum", "IT Support Practicum", 3, "2.B.3.k", "2.B.1.f")),
             days=(120, 400), weight=1),
)  # fmt: skip

_BOOTCAMP_PROGRAMS = (
    _Program("full-stack-web-development", "Full-Stack Web Development Certificate",
             "Certificate", "Software Development", "certificate", 12, "15-1252.00",
             ("2.B.3.e", "2.B.2.i", "2.B.3.b", "2.A.2.a"), days=(90, 200), weight=3),
    _Program("it-support-bootcamp", "IT Support Bootcamp Certificate", "Certificate",
             "Information Technology", "certificate", 6, "15-1232.00",
             ("2.B.3.k", "2.B.3.d", "2.B.1.f", "2.A.1.b"), days=(60, 150), weight=2),
    _Program("javascript-fundamentals", "JavaScript Fundamentals", "Badge",
             "Software Development", "skill", None, "15-1252.00", ("2.B.3.e",),
             days=(20, 90), weight=0),
    _Program("python-data-wrangling", "Python Data Wrangling", "Badge", "Software Development",
             "skill", None, "15-1252.00", ("2.B.3.e", "2.A.1.e"), days=(20, 90), weight=0),
    _Program("network-troubleshooting", "Network Troubleshooting", "Badge",
             "Information Technology", "skill", None, "15-1244.00", ("2.B.3.k", "2.B.4.g"),
             days=(20, 90), weight=0),
)  # fmt: skip

_WORKFORCE_PROGRAMS = (
    _Program("warehouse-logistics", "Warehouse and Logistics Fundamentals", "Certificate",
             "Logistics", "certificate", 3, "53-7062.00", ("2.A.2.d", "2.B.5.a", "2.B.1.b"),
             days=(30, 120), weight=3),
    _Program("customer-service-fundamentals", "Customer Service Fundamentals",
             "MicroCredential", "Customer Service", "course", 1, "43-4051.00",
             ("2.B.1.f", "2.A.1.b", "2.A.1.d", "2.B.1.a"), days=(20, 90), weight=3),
    _Program("cdl-class-a-training", "Commercial Driver Training Program (Class A)",
             "Certificate", "Transportation", "certificate", 6, "53-3032.00",
             ("2.B.3.h", "2.A.2.d", "2.B.5.a", "2.B.3.g"), days=(40, 120), weight=2),
    _Program("electrical-pre-apprenticeship", "Electrical Pre-Apprenticeship", "Certificate",
             "Construction Trades", "certificate", 4, "47-2111.00",
             ("2.B.3.d", "2.A.1.e", "2.B.3.k"), days=(60, 150), weight=2),
)  # fmt: skip

_MILITARY_PROGRAMS = (
    _Program("motor-transport-operator",
             "Military Occupational Training: Motor Transport Operator", "MilitaryTraining",
             "Transportation", "certificate", 9, "53-3032.00",
             ("2.B.3.h", "2.A.2.d", "2.B.5.a", "2.B.3.g"),
             (_c("tactical-vehicle-operations", "Tactical Vehicle Operations", 3, "2.B.3.h"),
              _c("preventive-maintenance", "Vehicle Preventive Maintenance", 2, "2.B.3.j",
                 "2.A.2.d"),
              _c("convoy-planning", "Convoy Operations Planning", 2, "2.B.5.a", "2.B.3.g")),
             days=(0, 30), weight=2),
    _Program("information-technology-specialist",
             "Military Occupational Training: Information Technology Specialist",
             "MilitaryTraining", "Information Technology", "certificate", 12, "15-1232.00",
             ("2.B.3.k", "2.B.3.d", "2.B.4.g", "2.B.1.f", "2.A.2.a"),
             (_c("network-operations", "Network Operations", 4, "2.B.4.g", "2.B.3.d"),
              _c("help-desk-operations", "Help Desk Operations", 3, "2.B.1.f", "2.B.3.k"),
              _c("information-assurance", "Information Assurance Fundamentals", 3, "2.A.2.a")),
             days=(0, 30), weight=2),
    _Program("power-generation-repairer",
             "Military Occupational Training: Power Generation Equipment Repairer",
             "MilitaryTraining", "Industrial Maintenance", "certificate", 10, "49-9041.00",
             ("2.B.3.l", "2.B.3.j", "2.B.3.k", "2.B.3.g"),
             (_c("generator-maintenance", "Generator Maintenance", 4, "2.B.3.j", "2.B.3.l"),
              _c("electrical-troubleshooting", "Electrical Systems Troubleshooting", 3,
                 "2.B.3.k", "2.B.3.g")), days=(0, 30), weight=1),
)  # fmt: skip

_CERTIFICATIONS = (
    _Program("it-support-professional", "Certified IT Support Professional", "Certification",
             "Information Technology", "certificate", None, "15-1232.00",
             ("2.B.3.k", "2.B.3.d", "2.A.2.a"), valid_years=3, days=(30, 180), weight=3),
    _Program("powered-industrial-truck-operator",
             "Powered Industrial Truck Operator Certification", "Certification", "Logistics",
             "certificate", None, "53-7062.00", ("2.B.3.h", "2.A.2.d"), valid_years=3,
             days=(20, 90), weight=3),
    _Program("structural-welder", "Certified Structural Welder", "Certification", "Welding",
             "certificate", None, "51-4121.00", ("2.B.3.m", "2.B.3.h"), valid_years=3,
             days=(30, 180), weight=2),
    _Program("nurse-aide-registry", "Certified Nurse Aide (state registry examination)",
             "License", "Health Care", "certificate", None, "31-1131.00",
             ("2.B.1.f", "2.A.2.d"), valid_years=3, days=(30, 120), weight=2),
)  # fmt: skip

# employer issuers: (employer index, programs)
_EMPLOYER_PROGRAMS: tuple[tuple[int, tuple[_Program, ...]], ...] = (
    (0, (
        _Program("warehouse-safety-ojt", "Warehouse Safety On-the-Job Training", "Competency",
                 "Logistics", "skill", None, "53-7062.00", ("2.A.2.d", "2.B.5.a", "2.B.1.b"),
                 days=(30, 120), weight=3),
        _Program("cdl-apprenticeship", "Truck Driver Registered Apprenticeship",
                 "ApprenticeshipCertificate", "Transportation", "certificate", 8, "53-3032.00",
                 ("2.B.3.h", "2.A.2.d", "2.B.5.a", "2.B.3.g"), days=(180, 400), weight=1),
    )),
    (1, (
        _Program("patient-care-skills", "Patient Care Technician Skills Validation",
                 "Competency", "Health Care", "skill", None, "31-1131.00",
                 ("2.B.1.f", "2.A.1.b", "2.B.1.a", "2.A.2.d"), days=(30, 120), weight=3),
        _Program("patient-access-service", "Patient Access Service Excellence", "Badge",
                 "Customer Service", "skill", None, "43-4051.00",
                 ("2.B.1.f", "2.A.1.d", "2.A.1.b"), days=(20, 90), weight=1),
    )),
    (2, (
        _Program("industrial-maintenance-apprenticeship",
                 "Industrial Maintenance Mechanic Apprenticeship", "ApprenticeshipCertificate",
                 "Industrial Maintenance", "certificate", 10, "49-9041.00",
                 ("2.B.3.l", "2.B.3.j", "2.B.3.k", "2.B.3.g", "2.B.3.h"), days=(180, 400),
                 weight=2),
        _Program("electrician-apprenticeship", "Electrician Registered Apprenticeship",
                 "ApprenticeshipCertificate", "Construction Trades", "certificate", 12, "47-2111.00",
                 ("2.B.3.d", "2.B.3.k", "2.B.3.l", "2.A.1.e", "2.B.3.m"), days=(180, 400),
                 weight=2),
        _Program("production-welding-skills", "Production Welding Skills Validation",
                 "Competency", "Welding", "skill", None, "51-4121.00",
                 ("2.B.3.m", "2.B.3.h", "2.B.3.g"), days=(30, 120), weight=2),
    )),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _IssuerSpec:
    host: str
    name: str
    kind: str
    region: str
    programs: tuple[_Program, ...]


_ISSUERS: tuple[_IssuerSpec, ...] = (
    _IssuerSpec("northgate.example.edu", "Northgate Community College", "community_college",
                "east_north_central", _CC_PROGRAMS),
    _IssuerSpec("riverbend.example.edu", "Riverbend Community College", "community_college",
                "south_atlantic", _CC_PROGRAMS),
    _IssuerSpec("mesa-valley.example.edu", "Mesa Valley Community College",
                "community_college", "west_south_central", _CC_PROGRAMS),
    _IssuerSpec("coastal.example.edu", "Coastal Pacific Community College", "community_college",
                "pacific", _CC_PROGRAMS),
    _IssuerSpec("state-university.example.edu", "Example State University", "university",
                "middle_atlantic", _UNIVERSITY_PROGRAMS),
    _IssuerSpec("brightpath.example.com", "Brightpath Tech Bootcamp", "bootcamp",
                "pacific", _BOOTCAMP_PROGRAMS),
    _IssuerSpec("forge-academy.example.com", "Forge Skills Academy", "bootcamp",
                "south_atlantic", _BOOTCAMP_PROGRAMS),
    _IssuerSpec("workforce-east.example.org", "Eastern Region Workforce Development Board",
                "workforce_board", "south_atlantic", _WORKFORCE_PROGRAMS),
    _IssuerSpec("workforce-central.example.org", "Central Plains Workforce Development Board",
                "workforce_board", "west_north_central", _WORKFORCE_PROGRAMS),
    _IssuerSpec("transcripts.military.example", "Military Training Transcript Office",
                "military", "south_atlantic", _MILITARY_PROGRAMS),
    _IssuerSpec("certify.example.org", "National Skills Certification Council",
                "certification_body", "middle_atlantic", _CERTIFICATIONS),
)  # fmt: skip
_EMPLOYER_ISSUERS = (
    ("learning.northwind-logistics.example.com", "Northwind Logistics", "48-49",
     "east_north_central", "large"),
    ("academy.harbor-health.example.com", "Harbor Health System", "62", "south_atlantic",
     "large"),
    ("training.keystone-manufacturing.example.com", "Keystone Manufacturing", "31-33",
     "middle_atlantic", "large"),
)  # fmt: skip

# pathway -> (issuer kinds offering its main credential, chance of an extra certification)
PATHWAY_ISSUERS: Mapping[str, tuple[tuple[str, ...], float]] = {
    "community_college": (("community_college",), 0.25),
    "workforce_training": (("workforce_board",), 0.30),
    "bootcamp": (("bootcamp",), 0.25),
    "certificate": (("certification_body",), 0.30),
    "military": (("military",), 0.30),
    "apprenticeship": (("employer",), 0.20),
    "on_the_job": (("employer",), 0.10),
    "university": (("university",), 0.0),
}
_APPRENTICESHIP_KINDS = frozenset({"ApprenticeshipCertificate"})


@dataclass(frozen=True)
class Catalogue:
    """The small tables and the lookup arrays the chunk generators sample from."""

    occupations: pd.DataFrame
    skills: pd.DataFrame
    issuers: pd.DataFrame
    achievements: pd.DataFrame
    alignments: pd.DataFrame
    employers: pd.DataFrame
    parts: Mapping[str, tuple[str, ...]]
    # occupations
    soc: np.ndarray  # codes, occupation index order
    occ_wage: np.ndarray
    occ_bachelor: np.ndarray  # typical education is bachelor's
    occ_skill_mask: np.ndarray
    # achievements (main achievements only are sampled)
    ach_id: np.ndarray
    ach_issuer: np.ndarray  # issuer index
    ach_format: np.ndarray
    ach_kind: np.ndarray
    ach_occ: np.ndarray  # occupation index, -1 for none
    ach_skill_mask: np.ndarray
    ach_days: np.ndarray  # (n, 2)
    ach_valid_years: np.ndarray
    # pathway -> (achievement indices, weights) for the main credential
    offers: Mapping[str, tuple[np.ndarray, np.ndarray]]
    # extra credentials: certification achievement index by occupation index (-1 none)
    cert_for_occ: np.ndarray
    badges: np.ndarray  # bootcamp badge achievement indices
    prior_associate: np.ndarray  # AssociateDegree achievements (community colleges)
    prior_bachelor: np.ndarray  # BachelorDegree achievements (university)
    issuer_id: np.ndarray
    issuer_region: np.ndarray
    # employers
    employer_id: np.ndarray
    employer_region: np.ndarray
    employer_industry: np.ndarray
    employer_size: np.ndarray


def skill_mask(skill_ids: Sequence[str]) -> int:
    """The bit mask of a set of O*NET skill ids (bit n = SKILLS[n])."""
    mask = 0
    for skill_id in skill_ids:
        mask |= 1 << _SKILL_INDEX[skill_id]
    return mask


def mask_skills(mask: int) -> list[str]:
    """The skill ids of a bit mask, in SKILLS order."""
    return [skill_id for n, (skill_id, _a, _b) in enumerate(SKILLS) if mask >> n & 1]


def occupation_titles() -> Mapping[str, tuple[str, ...]]:
    """Posting titles used for each occupation."""
    return {soc: titles for soc, (_skills, titles) in _PROFILES.items()}


def _employers(scenario: Scenario, rng: np.random.Generator) -> pd.DataFrame:
    regions = list(cal.DIVISION_STATES)
    region_p = np.array([cal.division_shares()[r] for r in regions])
    industries = list(INDUSTRIES)
    industry_p = np.array([INDUSTRIES[i][0] for i in industries])
    industry_p = industry_p / industry_p.sum()
    rows: list[dict[str, str]] = []
    used: set[str] = set()
    for n, (_host, name, industry, region, size) in enumerate(_EMPLOYER_ISSUERS):
        rows.append(
            {"employer_id": f"emp-{n + 1:04d}", "name": name, "industry": industry,
             "region": region, "size": size}
        )  # fmt: skip
        used.add(name)
    count = scenario.employers
    drawn_industry = rng.choice(len(industries), size=count, p=industry_p)
    drawn_region = rng.choice(len(regions), size=count, p=region_p)
    drawn_size = rng.choice(len(_SIZES), size=count, p=np.array(_SIZE_SHARES))
    prefix_order = rng.permutation(len(_EMPLOYER_PREFIXES))
    width = len(prefix_order)
    for k in range(count):
        industry = industries[drawn_industry[k]]
        nouns = INDUSTRIES[industry][1]
        prefix = _EMPLOYER_PREFIXES[prefix_order[k % width]]
        base = f"{prefix} {nouns[(k // width) % len(nouns)]}"
        name, suffix = base, 2
        while name in used:
            name, suffix = f"{base} {suffix}", suffix + 1
        used.add(name)
        rows.append(
            {"employer_id": f"emp-{len(rows) + 1:04d}", "name": name, "industry": industry,
             "region": regions[drawn_region[k]], "size": _SIZES[drawn_size[k]]}
        )  # fmt: skip
    return pd.DataFrame(rows, columns=["employer_id", "name", "industry", "region", "size"])


def build_catalogue(scenario: Scenario, rng: np.random.Generator) -> Catalogue:
    """Build the catalogue (deterministic for a given generator state)."""
    occ_figures = cal.OCCUPATION_FIGURES
    soc = np.array([o.soc for o in occ_figures], dtype=object)
    occ_index = {o.soc: n for n, o in enumerate(occ_figures)}
    occupations = pd.DataFrame(
        {
            "occupation_soc": [o.soc for o in occ_figures],
            "title": [o.title for o in occ_figures],
            "median_wage": [o.median_hourly for o in occ_figures],
            "typical_education": [o.typical_education for o in occ_figures],
            "skills": [list(_PROFILES[o.soc][0]) for o in occ_figures],
        }
    )
    skills = pd.DataFrame(
        {
            "skill_id": [s[0] for s in SKILLS],
            "name": [s[1] for s in SKILLS],
            "framework": ["onet_element"] * len(SKILLS),
            "category": [s[2] for s in SKILLS],
        }
    )

    employers = _employers(scenario, rng)

    issuer_specs: list[_IssuerSpec] = list(_ISSUERS)
    for n, (host, name, _industry, region, _size) in enumerate(_EMPLOYER_ISSUERS):
        programs = dict(_EMPLOYER_PROGRAMS)[n]
        issuer_specs.append(_IssuerSpec(host, name, "employer", region, programs))
    issuers = pd.DataFrame(
        {
            "issuer_id": [f"did:web:{s.host}" for s in issuer_specs],
            "name": [s.name for s in issuer_specs],
            "issuer_type": [s.kind for s in issuer_specs],
            "region": [s.region for s in issuer_specs],
        }
    )

    ach_rows: list[dict[str, object]] = []
    align_rows: list[dict[str, object]] = []
    parts: dict[str, tuple[str, ...]] = {}
    main: list[dict[str, object]] = []

    def add_alignments(achievement_id: str, occ: str | None, skill_ids: Sequence[str]) -> None:
        if occ is not None:
            align_rows.append(
                {"achievement_id": achievement_id, "framework": "onet_soc", "target_code": occ,
                 "target_name": occ_figures[occ_index[occ]].title,
                 "target_url": f"https://www.onetonline.org/link/summary/{occ}"}
            )  # fmt: skip
        for skill_id in sorted(set(skill_ids), key=_SKILL_INDEX.__getitem__):
            align_rows.append(
                {"achievement_id": achievement_id, "framework": "onet_element",
                 "target_code": skill_id, "target_name": _SKILL_NAME[skill_id],
                 "target_url": f"https://www.onetonline.org/find/descriptor/result/{skill_id}"}
            )  # fmt: skip

    for issuer_n, spec in enumerate(issuer_specs):
        issuer_id = f"did:web:{spec.host}"
        clr = spec.kind in ("community_college", "university", "military")
        for program in spec.programs:
            achievement_id = f"https://{spec.host}/achievements/{program.key}"
            ach_rows.append(
                {"achievement_id": achievement_id, "issuer_id": issuer_id, "name": program.name,
                 "achievement_type": program.kind, "field": program.field,
                 "level": program.level, "credit_hours": program.credits}
            )  # fmt: skip
            program_skills = set(program.skills)
            course_ids: list[str] = []
            for course in program.courses:
                course_id = f"{achievement_id}/{course.key}"
                course_ids.append(course_id)
                program_skills.update(course.skills)
                course_type = "MilitaryTraining" if spec.kind == "military" else "Course"
                ach_rows.append(
                    {"achievement_id": course_id, "issuer_id": issuer_id, "name": course.name,
                     "achievement_type": course_type, "field": program.field,
                     "level": "course", "credit_hours": course.credits}
                )  # fmt: skip
                add_alignments(course_id, None, course.skills)
            add_alignments(achievement_id, program.soc, sorted(program_skills))
            if clr and course_ids:
                parts[achievement_id] = tuple(course_ids)
            main.append(
                {"id": achievement_id, "issuer": issuer_n, "kind_issuer": spec.kind,
                 "format": "clr2" if clr else "ob3", "kind": program.kind,
                 "occ": occ_index[program.soc] if program.soc else -1,
                 "mask": skill_mask(sorted(program_skills)), "days": program.days,
                 "valid": program.valid_years, "weight": program.weight}
            )  # fmt: skip

    achievements = pd.DataFrame(
        ach_rows,
        columns=["achievement_id", "issuer_id", "name", "achievement_type", "field", "level",
                 "credit_hours"],
    )  # fmt: skip
    alignments = pd.DataFrame(
        align_rows,
        columns=["achievement_id", "framework", "target_code", "target_name", "target_url"],
    )

    ach_id = np.array([m["id"] for m in main], dtype=object)
    ach_kind = np.array([m["kind"] for m in main], dtype=object)
    kind_issuer = np.array([m["kind_issuer"] for m in main], dtype=object)
    ach_occ = np.array([m["occ"] for m in main], dtype=np.int64)
    weights = np.array([m["weight"] for m in main], dtype=float)

    offers: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for pathway in PATHWAYS:
        kinds, _extra = PATHWAY_ISSUERS[pathway]
        ok = np.isin(kind_issuer, kinds) & (weights > 0)
        if pathway == "apprenticeship":
            ok &= np.isin(ach_kind, list(_APPRENTICESHIP_KINDS))
        elif pathway == "on_the_job":
            ok &= ~np.isin(ach_kind, list(_APPRENTICESHIP_KINDS))
        index = np.flatnonzero(ok)
        offers[pathway] = (index, weights[index] / weights[index].sum())

    cert_for_occ = np.full(len(occ_figures), -1, dtype=np.int64)
    for position in np.flatnonzero(kind_issuer == "certification_body"):
        cert_for_occ[ach_occ[position]] = position

    return Catalogue(
        occupations=occupations,
        skills=skills,
        issuers=issuers,
        achievements=achievements,
        alignments=alignments,
        employers=employers,
        parts=parts,
        soc=soc,
        occ_wage=np.array([o.median_hourly for o in occ_figures]),
        occ_bachelor=np.array([o.typical_education == "bachelor" for o in occ_figures]),
        occ_skill_mask=np.array(
            [skill_mask(_PROFILES[o.soc][0]) for o in occ_figures], dtype=np.uint32
        ),
        ach_id=ach_id,
        ach_issuer=np.array([m["issuer"] for m in main], dtype=np.int64),
        ach_format=np.array([m["format"] for m in main], dtype=object),
        ach_kind=ach_kind,
        ach_occ=ach_occ,
        ach_skill_mask=np.array([m["mask"] for m in main], dtype=np.uint32),
        ach_days=np.array([m["days"] for m in main], dtype=np.int64),
        ach_valid_years=np.array([m["valid"] for m in main], dtype=np.int64),
        offers=offers,
        cert_for_occ=cert_for_occ,
        badges=np.flatnonzero((kind_issuer == "bootcamp") & (ach_kind == "Badge")),
        prior_associate=np.flatnonzero(
            (kind_issuer == "community_college") & (ach_kind == "AssociateDegree")
        ),
        prior_bachelor=np.flatnonzero(kind_issuer == "university"),
        issuer_id=issuers["issuer_id"].to_numpy(dtype=object),
        issuer_region=issuers["region"].to_numpy(dtype=object),
        employer_id=employers["employer_id"].to_numpy(dtype=object),
        employer_region=employers["region"].to_numpy(dtype=object),
        employer_industry=employers["industry"].to_numpy(dtype=object),
        employer_size=employers["size"].to_numpy(dtype=object),
    )


#: The pilot window (enrolment), outcome quarters and application window.
ENROL_START = date(2024, 1, 1)
ENROL_END = date(2024, 12, 31)
WINDOW_START = date(2023, 1, 1)
WINDOW_END = date(2025, 12, 31)
