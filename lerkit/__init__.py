"""lerkit: read, verify, analyze and report on Learning and Employment Records.

Notebooks use the public API only::

    import lerkit as lk

    found = lk.read("datasets/samples")
    found.table("credentials")
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version
from typing import Any as _Any

# report machinery (see lerkit.reports); lk.plots is the figure module, lk.issue the
# issuing toolkit for workshops and synthetic data, lk.datasets the pilot datasets
# (load, validate, synthesize): modules, not in __all__. lk.analysis (the equity and
# opportunity analyses) is imported on first use: ibis and statsmodels take about a
# second to import, which every `lerkit` command would otherwise pay.
from lerkit import datasets as datasets
from lerkit import issue as issue
from lerkit import plots as plots
from lerkit._fingerprint import fingerprint
from lerkit._inventory import InventorySummary, inventory_summary
from lerkit.errors import (
    DatasetError,
    LerkitError,
    ParameterError,
    ParseError,
    PrivacyError,
    ReportError,
    VerificationError,
)
from lerkit.model import (
    Achievement,
    Alignment,
    Credential,
    CredentialFormat,
    CredentialReference,
    CredentialStatusRef,
    Envelope,
    Evidence,
    IdentityObject,
    Issuer,
    Problem,
    ProofInfo,
    Result,
    SourceLocation,
    Subject,
)
from lerkit.parse import CredentialSet, ReadLimits, read, read_unverified
from lerkit.reports import Provenance, ReportResult, provenance, run_report
from lerkit.verify import (
    Check,
    Explanation,
    TrustList,
    VerificationReport,
    VerifyOptions,
    explain,
    load_trust_list,
    verify,
    verify_many,
)

try:
    __version__ = _version("lerkit")
except _PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "Achievement",
    "Alignment",
    "Check",
    "Credential",
    "CredentialFormat",
    "CredentialReference",
    "CredentialSet",
    "CredentialStatusRef",
    "DatasetError",
    "Envelope",
    "Evidence",
    "Explanation",
    "IdentityObject",
    "InventorySummary",
    "Issuer",
    "LerkitError",
    "ParameterError",
    "ParseError",
    "PrivacyError",
    "Problem",
    "ProofInfo",
    "Provenance",
    "ReadLimits",
    "ReportError",
    "ReportResult",
    "Result",
    "SourceLocation",
    "Subject",
    "TrustList",
    "VerificationError",
    "VerificationReport",
    "VerifyOptions",
    "__version__",
    "explain",
    "fingerprint",
    "inventory_summary",
    "load_trust_list",
    "provenance",
    "read",
    "read_unverified",
    "run_report",
    "verify",
    "verify_many",
]


def __getattr__(name: str) -> _Any:
    # heavy sub-packages load on first use: lk.analysis (Ibis, statsmodels), lk.workshop
    # (ipywidgets), lk.anonymize (OpenDP)
    if name in ("analysis", "workshop", "anonymize"):
        import importlib

        return importlib.import_module(f"lerkit.{name}")
    raise AttributeError(f"module 'lerkit' has no attribute {name!r}")
