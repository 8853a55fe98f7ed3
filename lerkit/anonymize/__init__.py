"""Anonymization and disclosure control: pseudonyms, generalization, k-anonymity, risk.

- :func:`load_key`, :class:`Pseudonymizer`, :func:`redact_credential`: keyed HMAC-SHA256
  pseudonyms, consistent across tables, and credentials with their holder's direct
  identifiers removed (and their proofs, so they no longer verify).
- :func:`build_hierarchy`: the generalization steps ``dictionary.yaml`` declares;
  :func:`anonymization_plan`: a dataset's quasi-identifiers, sensitive columns and
  hierarchies as its dictionary declares them; :func:`coarsen_date_text`: a date
  moved to the start of its month, quarter or year.
- :func:`k_anonymize`: k-anonymity with distinct l-diversity (and optionally
  t-closeness) by an optimal full-domain lattice search with a suppression budget, or
  by Mondrian partitioning (``algorithm="mondrian"``), reporting information loss.
- :func:`risk_report`: re-identification risk (sample uniques, prosecutor and
  journalist risk, records at risk).
- :func:`anonymize_dataset`: all of it for a dataset folder (``lerkit anonymize``).
- :func:`publish_table`: aggregate tables for publication with primary and
  complementary suppression, totals included, checked by linear programming.
- :class:`PrivacyBudget`, :func:`dp_count`, :func:`dp_mean`, :func:`dp_table`:
  differentially private releases through OpenDP, refused beyond the report's budget,
  with a ledger for the report's provenance.
"""

from lerkit.anonymize._dataset import DatasetAnonymization, anonymize_dataset, utility_report
from lerkit.anonymize._dp import PrivacyBudget, Release, dp_count, dp_mean, dp_table
from lerkit.anonymize._hierarchy import CENSUS_REGIONS, Hierarchy, build_hierarchy
from lerkit.anonymize._kanonymity import Anonymization, InfoLoss, NodeResult, k_anonymize
from lerkit.anonymize._plan import AnonymizationPlan, anonymization_plan
from lerkit.anonymize._pseudonymize import (
    DATE_LEVELS,
    DateLevel,
    Pseudonymizer,
    Redaction,
    coarsen_date_text,
    load_key,
    redact_credential,
    redact_credential_file,
)
from lerkit.anonymize._publish import TOTAL, publish_table
from lerkit.anonymize._risk import RiskReport, risk_report

__all__ = [
    "CENSUS_REGIONS",
    "DATE_LEVELS",
    "TOTAL",
    "Anonymization",
    "AnonymizationPlan",
    "DatasetAnonymization",
    "DateLevel",
    "Hierarchy",
    "InfoLoss",
    "NodeResult",
    "PrivacyBudget",
    "Pseudonymizer",
    "Redaction",
    "Release",
    "RiskReport",
    "anonymization_plan",
    "anonymize_dataset",
    "build_hierarchy",
    "coarsen_date_text",
    "dp_count",
    "dp_mean",
    "dp_table",
    "k_anonymize",
    "load_key",
    "publish_table",
    "redact_credential",
    "redact_credential_file",
    "risk_report",
    "utility_report",
]
