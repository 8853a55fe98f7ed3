"""Run report notebooks with papermill, export them as HTML, record provenance.

A report is a notebook in ``notebooks/`` with one cell tagged ``parameters``::

    from lerkit.reports import run_report

    result = run_report("credential-inventory", {"source": "datasets/samples"})
    result.html_path  # reports/credential-inventory/source-samples-<hash>/...
"""

from __future__ import annotations

from lerkit.reports._audit import (
    CHECK_STATUSES,
    AuditSource,
    audit_source,
    check_counts,
    failed_credentials,
    failure_reasons,
    problem_counts,
    source_caveat,
    table_overview,
)
from lerkit.reports._brief import (
    FOCUS_KINDS,
    Note,
    credential_sample,
    data_caveat,
    focus_engine,
    focus_title,
    headline_numbers,
    other_dimensions,
)
from lerkit.reports._html import export_html
from lerkit.reports._index import MANIFEST_NAME, read_manifests, write_index
from lerkit.reports._params import (
    REPORT_DIR,
    ParameterSpec,
    describe_parameters,
    read_parameters,
    validate_parameters,
)
from lerkit.reports._provenance import Provenance, provenance
from lerkit.reports._publish import (
    DEMO_KEY_FILE,
    MANIFEST_FILE,
    PUBLISH_FOLDER,
    Publication,
    write_publication,
)
from lerkit.reports._registry import (
    ReportNotebook,
    available_reports,
    default_notebooks_dir,
    default_reports_dir,
    find_report,
)
from lerkit.reports._runner import (
    CHECK_MARKER,
    ReportResult,
    record_checked_outputs,
    report_slug,
    run_report,
)
from lerkit.reports._tables import SUPPRESSED, result_table

__all__ = [
    "CHECK_MARKER",
    "CHECK_STATUSES",
    "DEMO_KEY_FILE",
    "FOCUS_KINDS",
    "MANIFEST_FILE",
    "MANIFEST_NAME",
    "PUBLISH_FOLDER",
    "REPORT_DIR",
    "SUPPRESSED",
    "AuditSource",
    "Note",
    "ParameterSpec",
    "Provenance",
    "Publication",
    "ReportNotebook",
    "ReportResult",
    "audit_source",
    "available_reports",
    "check_counts",
    "credential_sample",
    "data_caveat",
    "default_notebooks_dir",
    "default_reports_dir",
    "describe_parameters",
    "export_html",
    "failed_credentials",
    "failure_reasons",
    "find_report",
    "focus_engine",
    "focus_title",
    "headline_numbers",
    "other_dimensions",
    "problem_counts",
    "provenance",
    "read_manifests",
    "read_parameters",
    "record_checked_outputs",
    "report_slug",
    "result_table",
    "run_report",
    "source_caveat",
    "table_overview",
    "validate_parameters",
    "write_index",
    "write_publication",
]
