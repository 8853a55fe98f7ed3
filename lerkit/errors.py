"""The lerkit exception hierarchy.

Every error lerkit raises on purpose derives from :class:`LerkitError`, so callers
can catch one type. Each class has a stable snake_case ``code`` that tables and
reports group by; an instance may carry a more specific code.

::

    LerkitError
     ├── ParseError          a credential or container could not be read
     ├── VerificationError   raised by ``report.raise_for_failure()``
     ├── DatasetError        a dataset folder does not match its dictionary
     ├── PrivacyError        a privacy guarantee or budget would be broken
     └── ReportError         a report could not be run or rendered
          └── ParameterError a report parameter is unknown or mistyped
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "DatasetError",
    "LerkitError",
    "ParameterError",
    "ParseError",
    "PrivacyError",
    "ReportError",
    "VerificationError",
]


class LerkitError(Exception):
    """Root of every error lerkit raises deliberately."""

    code: str = "lerkit_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class ParseError(LerkitError):
    """A credential, or a container of credentials, could not be read.

    ``location`` names the file and the position inside it (zip member, JSONL
    line, JSON pointer) so the message can be acted on.
    """

    code = "parse_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        location: Any = None,
    ) -> None:
        super().__init__(message, code=code)
        self.location = location

    def __str__(self) -> str:
        if self.location is not None and str(self.location):
            return f"{self.location}: {self.message}"
        return self.message


class VerificationError(LerkitError):
    """A credential did not verify (raised only on request)."""

    code = "verification_failed"


class DatasetError(LerkitError):
    """A dataset folder is missing a table or breaks its data dictionary."""

    code = "dataset_error"


class PrivacyError(LerkitError):
    """An operation would break a stated privacy guarantee or budget."""

    code = "privacy_error"


class ReportError(LerkitError):
    """A report notebook could not be run or exported."""

    code = "report_error"


class ParameterError(ReportError):
    """A report parameter is unknown or has the wrong type."""

    code = "invalid_parameter"
