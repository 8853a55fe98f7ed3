"""Read learning and employment records in every format they arrive in.

``read`` is the batch entry point: it never raises for bad input, it puts every
unreadable item in ``problems`` with its place and a message. ``read_unverified``
reads exactly one credential and raises :class:`~lerkit.errors.ParseError`.
Neither checks a signature: that is ``lerkit.verify``'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from lerkit.errors import ParseError
from lerkit.model import Credential, Problem
from lerkit.parse._limits import DEFAULT_LIMITS, ReadLimits
from lerkit.parse._reader import read_into
from lerkit.tables import credential_tables

__all__ = ["CredentialSet", "ReadLimits", "read", "read_unverified"]


@dataclass(frozen=True)
class CredentialSet:
    """What a read found: records, problems, and files passed over on purpose.

    The records are *unverified*: parsing says what a credential claims, not
    whether the claim is genuine.
    """

    credentials: tuple[Credential, ...]
    problems: tuple[Problem, ...]
    #: files not read because they are not credentials (README.md, CSV, ...)
    skipped: tuple[str, ...] = ()
    source: str = field(default="", compare=False)

    def __len__(self) -> int:
        return len(self.credentials)

    @cached_property
    def _tables(self) -> dict[str, pd.DataFrame]:
        return credential_tables(self.credentials, self.problems)

    def tables(self) -> dict[str, pd.DataFrame]:
        """All tidy tables, by name (copies, safe to modify).

        Names: credentials, achievements, alignments, results, evidence,
        endorsements, references, problems.
        """
        return {name: frame.copy() for name, frame in self._tables.items()}

    def table(self, name: str) -> pd.DataFrame:
        """One tidy table by name (a copy)."""
        if name not in self._tables:
            raise KeyError(f"no table {name!r}; tables are {', '.join(self._tables)}")
        return self._tables[name].copy()

    def held_by(self, identifier: str) -> tuple[Credential, ...]:
        """Records whose subject is ``identifier`` (an email, student id or DID).

        Hashed identities (OB 3.0 ``IdentityObject``, OB 2.0 recipients) are
        tested by hashing the candidate with each record's salt; the identifier
        itself is not stored anywhere.
        """
        return tuple(
            credential
            for credential in self.credentials
            if credential.subject.id == identifier
            or any(identity.matches(identifier) for identity in credential.subject.identifiers)
        )

    def __repr__(self) -> str:
        return f"CredentialSet({len(self.credentials)} credentials, {len(self.problems)} problems)"


def read(source: Any, *, limits: ReadLimits | None = None) -> CredentialSet:
    """Read every credential in ``source`` without verifying any of them.

    Parameters
    ----------
    source
        A path to a file (JSON, JSON-LD, JWT, PNG, SVG), a folder (read
        recursively), a ``.jsonl`` or ``.zip`` file, a compact JWS or JSON
        string, a dict, or an iterable of any of these.
    limits
        Size and depth limits; :data:`DEFAULT_LIMITS` when omitted.

    Returns
    -------
    CredentialSet
        Records (CLR members and endorsements as records of their own) and a
        problem for every input that could not be read. Never raises for bad input.

    Examples
    --------
    >>> found = read({"@context": "https://w3id.org/openbadges/v2", "type": "Assertion"})
    >>> len(found.credentials), found.problems[0].code
    (0, 'missing_field')
    """
    credentials, problems, skipped = read_into(source, limits or DEFAULT_LIMITS)
    shown = str(source) if not isinstance(source, dict | bytes) else "<memory>"
    return CredentialSet(tuple(credentials), tuple(problems), tuple(skipped), shown[:200])


def read_unverified(source: Any, *, limits: ReadLimits | None = None) -> Credential:
    """Read exactly one credential (plus any nested in it); raise if it cannot be read.

    Returns the top-level record: for a CLR, the ``ClrCredential`` itself (its
    members are available through :func:`read`). A credential that departs from
    its standard but is readable is returned, with ``credential.warnings`` set.

    Raises
    ------
    ParseError
        With the same message and code as the problem :func:`read` would report.
    """
    found = read(source, limits=limits)
    errors = [problem for problem in found.problems if problem.severity == "error"]
    if errors:
        first = errors[0]
        raise ParseError(first.message, code=first.code, location=first.source)
    top = [credential for credential in found.credentials if credential.parent_record_id is None]
    if len(top) != 1:
        raise ParseError(f"expected one credential, found {len(top)}", code="not_one_credential")
    return top[0]
