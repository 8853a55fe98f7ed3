"""The README.md of a generated dataset: provenance, model, calibration, ground truth."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lerkit.datasets._synth import _calibration as cal
from lerkit.datasets._synth._catalogue import Catalogue
from lerkit.datasets._synth._labour import Postings
from lerkit.datasets._synth._scenario import PARAMETER_NOTES

__all__ = ["render"]


def _cell(value: object) -> str:
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return text


def _number(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_number(v)}" for k, v in value.items())
    return str(value)


def _table(header: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


_MODEL = """\
### Learners

- **Pathway** from the scenario's `pathway_mix`; **age** at enrolment (2024) by pathway
  (normal, clipped to 18-64); **highest education** by pathway (university-pathway learners
  hold a bachelor's degree, conferred in the pilot's first months).
- **STARs** = aged 25 or over, high school diploma or more, no bachelor's degree (every
  pilot learner is in the labour force): `stars == (2024 - birth_year >= 25) and
  highest_education in (high_school, some_college, associate)`.
- **Region**, **gender** and **race/ethnicity** from the calibrated shares (below),
  independent of pathway. Every military-pathway learner is a **veteran**; others are
  veterans at the rate that brings the pilot to the calibrated share (2% do not report).
  **Disability** is an assumption (9% of those reporting; 6% do not report).
- **Arm**: logit P(LER) = logit(`ler_share`) + `assignment_stars_log_odds` x (stars -
  0.6) + `assignment_age_log_odds_per_decade` x (age - 33) / 10 + 0.3 for bootcamp, -0.4
  for university learners. STARs and younger learners join the LER arm more often.
- Names are invented given names with words for "example" as family names; e-mail
  addresses are under example.org.

### Credentials

- One **main credential** from the pathway's issuers (an issuer in the learner's region is
  four times as likely): community colleges, the university and the military transcript
  issuer award CLR 2.0 records nesting the program's courses; bootcamps, workforce boards,
  the certification body and employers (on-the-job training, apprenticeships) award Open
  Badges 3.0 credentials. Sometimes an **extra certification** in the same occupation
  (3-year validity) or a **bootcamp badge**, and a **prior degree** record for learners
  whose associate or bachelor's degree was earned outside the pilot (2-12 years before).
- Issued after enrolment by the program's length; credentials that would be issued after
  `as_of` are left out. Proofs follow `proof_mix`.
- **LER arm**: signed files (CredentialFileWriter), with `fault_shares` of them tampered,
  expired (non-degree credentials only, validUntil moved before `as_of`), revoked or
  suspended. **Comparison arm**: the same kinds of credentials, known to the pilot from
  program records (on paper): rows with no file, proof `none` and no LER events.
- **LER events**: `issued` (by the issuer; a prior degree record on the enrolment day),
  `claimed` (by the learner, `claim_share` of them, days later), `shared` (every claimed
  credential, with the employer, at each application whose credentials were checked from
  the LER), `verified` (by the employer, after the check's days, only for credentials
  without a fault), `revoked` (by the issuer, before `as_of`).

### Postings and employers

- `employers` fictional employers (plus the three on-the-job training issuers) in NAICS
  sectors;
  an employer posts the occupations of its sector, larger employers more often, on days of
  2023-2025 (`postings_per_learner` postings per learner, at least 1,000).
- Before any change a posting requires a bachelor's degree at a rate set by the
  occupation's typical entry-level education: 0.92 where a bachelor's degree is typical,
  otherwise k x 0.35 (some college / postsecondary award), k x 0.15 (high school), k x
  0.05 (no credential), with k solved so that the share over the posting mix is
  `degree_postings_share_start` (44%, the published 2021 share).
- A share `drop_share` of employers drop the requirement on a day between 2023-07-01 and
  2024-12-31 (afterwards none for non-bachelor occupations, half the rate for bachelor
  ones). Droppers are **leaders** (skills screens follow), **in name only** (postings stop
  asking for a degree, the screen stays a degree screen) or **backsliders** (skills screens
  for 180-365 days, then the old requirement returns), in the published proportions.
  ground_truth/employers.csv has each employer's type and dates.

### Applications (the hiring funnel)

- Poisson(`applications_per_learner`) applications per learner, 30-540 days after
  enrolment (to the end of 2025), to a posting of the occupation of the learner's program
  (55%), of a prior degree (15%) or of any occupation (30%), posted within the 45 days
  before.
- **Skill match** = share of the posting's `required_skills` among the O*NET skills the
  learner's credentials align to (alignments, framework onet_element); **qualified** =
  match >= `qualified_match`.
- **Screen**: a degree screen passes bachelor's holders with `degree_screen_degree_pass`
  and everyone else with `degree_screen_nondegree_pass`, whatever their skills; a skills
  screen passes with logistic(1 + 8 (match - `qualified_match`)).
- **Interview** (if screened in): logit = -0.8 + 1.5 (match - 0.5) + 0.3 bachelor +
  `ler_interview_log_odds` x LER.
- **Hire** (if interviewed): logit = -1.0 + 1.2 (match - 0.5) + 0.5 bachelor - 0.15 (age -
  35) / 10 + `ler_hire_log_odds` x LER, with age = 2024 - birth_year.
- **Credential check** (if interviewed): from the LER for `ler_check_share` of the LER
  arm's checks once the learner has claimed a credential, in exponential days with mean
  `ler_check_mean_days` (an automated signature and status check); otherwise manually
  (transcript requests, reference calls) in gamma(shape 2) days with mean
  `manual_check_mean_days`, capped at 120.

### Outcomes (quarterly, 2023Q1-2025Q4)

- A quarter is *after* once it follows the enrolment quarter (all of 2025 is after, all of
  2023 before).
- Occupation: an origin occupation before; after, the program's occupation for
  `occupation_move_share` of learners (both arms alike).
- log hourly wage = log(occupation median wage) + person effect N(0.10 bachelor - 0.06
  below high school, 0.18) + 0.0075 per quarter + after x (pathway gain - 0.02 (age - 35) /
  10 + `ler_wage_log` x LER) + N(0, 0.05).
- Employed: logit = 1.0 + person propensity N(0, 0.8) + 0.3 bachelor - 0.4 below high
  school + 0.15 after + `ler_employment_log_odds` x LER x after; employment is
  independent of the wage terms, so wages of the employed are not selected.
- Employer: one of the sector's employers posting the occupation (same region four times
  as likely); 70% keep their employer when their occupation does not change.
"""


def render(
    name: str,
    metadata: Mapping[str, Any],
    truth: Mapping[str, Any],
    catalogue: Catalogue,
    postings: Postings,
) -> str:
    """The README text (deterministic for the same inputs)."""
    counts = metadata["counts"]
    effects = truth["effects"]
    realized = truth["realized"]
    parts: list[str] = [
        f"# {name}",
        "",
        "A **synthetic** Learning and Employment Record (LER) pilot: every person, "
        "organization, identifier, e-mail address (example.org) and signing key is invented. "
        "Only public codes are real: O*NET-SOC 2019 occupation codes and titles, O*NET "
        "Content Model skill element ids and names, NAICS sector codes and Census divisions. "
        "The keys are derived from the seed (a small published number): they must never "
        "sign a real credential.",
        "",
        "## Provenance",
        "",
        _table(
            ("field", "value"),
            [
                ("generator", metadata["generator"]),
                ("seed", metadata["seed"]),
                ("as_of (reference date for verification)", metadata["as_of"]),
                ("chunk size (learners)", metadata["chunk_size"]),
                ("credential files written", metadata["credential_files"]),
                ("share of credential files signed", metadata["sign_share"]),
                ("licence", "synthetic data, no personal data; Apache-2.0 like lerkit"),
            ],
        ),
        "",
        "Regenerate byte for byte with "
        f"`lerkit.datasets.synthesize({truth['n_learners']}, {metadata['seed']}, out_dir, "
        f"sign_share={metadata['sign_share']}, files={metadata['credential_files']}, "
        "**scenario)` and the scenario in dataset.yaml, with the same lerkit version.",
        "",
        "### Rows per table",
        "",
        _table(("table", "rows"), [(t, f"{n:,}") for t, n in counts.items()]),
        "",
        "## Layout",
        "",
        "- `<table>.parquet`: every table of the data dictionary (columns in dictionary order "
        "and types); `csv/<table>.csv`: the same rows as CSV (booleans true/false, lists "
        "`|`-joined, ISO dates, UTC datetimes).",
        "- `credentials/<issuer host>/<uuid>.json|.jwt`: the LER arm's Open Badges 3.0 and "
        "CLR 2.0 credentials; `status/`: each issuer's revocation and suspension status "
        "lists; `dids/`: each issuer's did:web DID document.",
        "- `ground_truth/effects.json`: the true effects (parameters and realized "
        "population values); `ground_truth/credential_faults.csv`: every planted fault; "
        "`ground_truth/employers.csv`: each employer's degree-requirement typology.",
        "- `dataset.yaml`: metadata, the full scenario and row counts; `dictionary.yaml`: "
        "the data dictionary.",
        "",
        "Verify the credential files offline, as of the dataset's reference date (expiry "
        "is judged against it, so the verdicts do not change with the calendar), with "
        "`lerkit verify DIR/credentials --status-dir DIR/status --did-web-dir DIR/dids "
        f"--now {metadata['as_of']}T00:00:00Z`.",
        "",
        "## How the data were generated",
        "",
        _MODEL,
        "",
        "The arm assignment depends on STARs status, age and pathway, which also move hiring "
        "and wages: a naive comparison of the arms is biased, one adjusting for the "
        "covariates named in ground_truth/effects.json recovers the true effects.",
        "",
        "## Calibration figures",
        "",
        "Status: **published** (quoted from the source), **derived** (computed from "
        "published figures as stated), **assumption** (see the scenario parameters).",
        "",
        _table(
            ("figure", "value", "status", "what", "source", "where", "used for"),
            [
                (
                    f.key,
                    _number(f.value),
                    f.status,
                    f.what,
                    f"{f.source} {f.url}".strip(),
                    f.locator,
                    f.used_for,
                )
                for f in cal.figures()
            ],
        ),
        "",
        "Wages are national medians of the vintage shown, not adjusted for inflation; the "
        "generator uses them as the relative wage levels of occupations. The skill profiles "
        "of occupations (occupations.skills) are the generator's choice of O*NET skills, "
        "not O*NET importance ratings.",
        "",
        "### Realized against calibration",
        "",
        _table(
            ("quantity", "target", "generated"),
            [
                (
                    "share of postings requiring a bachelor's degree, 2023H1",
                    _number(metadata["scenario"]["degree_postings_share_start"]),
                    _number(realized["degree_postings_share_2023h1"]),
                ),
                (
                    "share of postings requiring a bachelor's degree, 2025",
                    "falls as employers drop requirements",
                    _number(realized["degree_postings_share_2025"]),
                ),
                (
                    "employer typology (never / leader / in name only / backslider)",
                    _number(dict(metadata["scenario"]["sbh_typology"])),
                    _number(realized["employer_typology"]),
                ),
                (
                    "STARs share of learners",
                    "for comparison: 50% of US workers are STARs",
                    _number(realized["stars_share"]),
                ),
                (
                    "LER arm share",
                    _number(metadata["scenario"]["ler_share"]),
                    _number(realized["ler_share"]),
                ),
            ],
        ),
        "",
        "## Scenario parameters",
        "",
        _table(
            ("parameter", "value", "meaning and source"),
            [
                (key, _number(value), PARAMETER_NOTES.get(key, ""))
                for key, value in metadata["scenario"].items()
            ],
        ),
        "",
        "## True effects",
        "",
        _table(
            ("effect", "scale", "parameter", "realized (population)"),
            [
                (
                    "LER -> hire (given interview)",
                    effects["ler_hire_log_odds"]["scale"],
                    _number(effects["ler_hire_log_odds"]["parameter"]),
                    "ATT on P(hire | interview): "
                    f"{_number(effects['ler_hire_log_odds']['realized_att_probability_given_interview'])}",
                ),
                (
                    "LER -> interview (given screened in)",
                    effects["ler_interview_log_odds"]["scale"],
                    _number(effects["ler_interview_log_odds"]["parameter"]),
                    "ATT on P(interview | screened in): "
                    f"{_number(effects['ler_interview_log_odds']['realized_att_probability_given_screened_in'])}",
                ),
                (
                    "LER -> hire per application",
                    effects["hire_per_application"]["scale"],
                    "",
                    f"ATT {_number(effects['hire_per_application']['realized_att'])} on a baseline "
                    f"of {_number(effects['hire_per_application']['realized_baseline_without_ler'])}",
                ),
                (
                    "LER -> wage",
                    effects["ler_wage_log"]["scale"],
                    _number(effects["ler_wage_log"]["parameter"]),
                    f"ATT {_number(effects['ler_wage_log']['realized_att'])} log points, "
                    f"{_number(effects['ler_wage_log']['realized_att_dollars_per_hour'])} USD/hour",
                ),
                (
                    "LER -> employment",
                    effects["ler_employment_log_odds"]["scale"],
                    _number(effects["ler_employment_log_odds"]["parameter"]),
                    "ATT on P(employed): "
                    f"{_number(effects['ler_employment_log_odds']['realized_att_probability'])}",
                ),
                (
                    "degree screen excludes qualified STARs",
                    effects["degree_screen_exclusion_qualified_stars"]["scale"],
                    _number(effects["degree_screen_exclusion_qualified_stars"]["parameter"]),
                    _number(effects["degree_screen_exclusion_qualified_stars"]["realized"]),
                ),
                (
                    "days to confirm credentials, LER",
                    "days",
                    _number(effects["credential_check_days"]["ler"]["parameter_mean"]),
                    _number(effects["credential_check_days"]["ler"]["realized_mean"]),
                ),
                (
                    "days to confirm credentials, manual",
                    "days",
                    _number(
                        effects["credential_check_days"]["manual"]["parameter_mean_before_cap"]
                    ),
                    _number(effects["credential_check_days"]["manual"]["realized_mean"]),
                ),
            ],
        ),
        "",
        "## Planted credential faults",
        "",
        _table(
            ("fault", "credentials", "share of LER credentials"),
            [
                (
                    f,
                    realized["fault_counts"][f],
                    _number(realized["fault_shares_of_ler_credentials"][f]),
                )
                for f in realized["fault_counts"]
            ],
        ),
        "",
        "A tampered credential fails its signature check, an expired one its validity "
        "dates, a revoked or suspended one its status check; every other signed credential "
        f"verifies as of {metadata['as_of']}. With a sign share below 1 the unsigned files "
        "(proof `none`) are referenced by their SHA-256 in the credentials table.",
        "",
        f"Catalogue: {len(catalogue.issuers)} issuers, {len(catalogue.achievements)} "
        f"achievements, {len(catalogue.employers)} employers, {len(postings.day):,} postings.",
        "",
    ]
    return "\n".join(parts)
