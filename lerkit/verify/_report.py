"""What a verification found: named checks and an overall verdict."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from lerkit.proofs import ProofArtifacts
from lerkit.proofs._jose import JoseArtifacts

__all__ = [
    "CHECK_NAMES",
    "WARNING_CHECKS",
    "Check",
    "CheckStatus",
    "Verdict",
    "VerificationReport",
    "overall_status",
]

CheckStatus = Literal["passed", "failed", "warning", "skipped", "indeterminate"]
Verdict = Literal["verified", "warning", "not_verified", "indeterminate"]

#: Every check a report holds, in the order they run.
CHECK_NAMES: tuple[str, ...] = (
    "parsed",
    "schema",
    "contexts_known",
    "proof_present",
    "proof_type_supported",
    "verification_method",
    "signature",
    "not_before",
    "not_expired",
    "status",
    "issuer_known",
    "nested_credentials",
)

#: Checks whose failure leaves the credential authentic: a failure here makes the
#: verdict "warning" (expired, not yet valid, issuer not on the trust list), as
#: credential wallets show it, never "not_verified".
WARNING_CHECKS: frozenset[str] = frozenset({"not_before", "not_expired", "issuer_known"})

_LABELS: Mapping[str, str] = {
    "parsed": "Parsed",
    "schema": "JSON Schema",
    "contexts_known": "Contexts known",
    "proof_present": "Proof present",
    "proof_type_supported": "Proof type supported",
    "verification_method": "Key resolved and bound to issuer",
    "signature": "Signature",
    "not_before": "Valid from",
    "not_expired": "Not expired",
    "status": "Status (revocation / suspension)",
    "issuer_known": "Issuer known",
    "nested_credentials": "Nested credentials",
}


@dataclass(frozen=True, slots=True)
class Check:
    """One named step of a verification.

    Attributes
    ----------
    name : str
        One of :data:`CHECK_NAMES`.
    status : {"passed", "failed", "warning", "skipped", "indeterminate"}
        ``indeterminate`` means the check could not be completed (a status list that
        cannot be obtained, say); it never counts as passed.
    detail : str
        What was checked and what was found, for people.
    code : str or None
        A stable machine-readable reason when the check did not pass
        (``invalid_signature``, ``revoked``, ``unknown_context``, ...).
    """

    name: str
    status: CheckStatus
    detail: str
    code: str | None = None

    @property
    def label(self) -> str:
        """A short human title for the check."""
        return _LABELS.get(self.name, self.name)


def overall_status(checks: Iterable[Check]) -> Verdict:
    """The verdict a list of checks adds up to.

    Any failed check outside :data:`WARNING_CHECKS` makes it ``not_verified``; then any
    indeterminate check makes it ``indeterminate``; then any failure in
    :data:`WARNING_CHECKS` or any check with status ``warning`` makes it ``warning``.

    >>> overall_status([Check("signature", "passed", ""), Check("not_expired", "failed", "")])
    'warning'
    >>> overall_status([Check("signature", "failed", ""), Check("status", "indeterminate", "")])
    'not_verified'
    """
    checks = list(checks)
    if any(c.status == "failed" and c.name not in WARNING_CHECKS for c in checks):
        return "not_verified"
    if any(c.status == "indeterminate" for c in checks):
        return "indeterminate"
    if any(c.status == "warning" or c.status == "failed" for c in checks):
        return "warning"
    return "verified"


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """The result of verifying one credential.

    Attributes
    ----------
    status : {"verified", "warning", "not_verified", "indeterminate"}
        The verdict, from :func:`overall_status`.
    checks : tuple of Check
        Every check of :data:`CHECK_NAMES`, in order (skipped ones included).
    credential_id, issuer : str or None
        What the credential claims (unverified when the verdict is not ``verified``).
    securing : {"data-integrity", "vc-jwt", "vc-jose-cose", "none"}
        How the credential was secured.
    proof_types : tuple of str
        The proof types or cryptosuites found (``eddsa-rdfc-2022``, ``EdDSA`` for a JWS).
    verification_methods : tuple of str
        The keys resolved and bound to the issuer, by method id.
    nested : tuple of VerificationReport
        Reports of the credentials a CLR holds, in order.
    source : str or None
        Where the credential came from, when known.
    artifacts : tuple
        The :class:`~lerkit.proofs.ProofArtifacts` or ``JoseArtifacts`` computed while
        checking signatures (also for a signature that did not match), for explainers.
    """

    status: Verdict
    checks: tuple[Check, ...]
    credential_id: str | None = None
    issuer: str | None = None
    securing: str = "none"
    proof_types: tuple[str, ...] = ()
    verification_methods: tuple[str, ...] = ()
    nested: tuple[VerificationReport, ...] = ()
    source: str | None = None
    artifacts: tuple[ProofArtifacts | JoseArtifacts, ...] = field(
        default=(), repr=False, compare=False
    )

    @property
    def verified(self) -> bool:
        """True only for the verdict ``verified``."""
        return self.status == "verified"

    @property
    def authentic(self) -> bool:
        """True for ``verified`` and ``warning``: signed by its issuer, unaltered, not revoked."""
        return self.status in ("verified", "warning")

    def check(self, name: str) -> Check:
        """The check called ``name``.

        Raises
        ------
        KeyError
            If there is no such check.
        """
        for item in self.checks:
            if item.name == name:
                return item
        raise KeyError(f"no check {name!r}; checks are {', '.join(CHECK_NAMES)}")

    @property
    def problems(self) -> tuple[Check, ...]:
        """The checks that did not pass or get skipped."""
        return tuple(c for c in self.checks if c.status not in ("passed", "skipped"))

    @property
    def decisive(self) -> Check | None:
        """The check that set the verdict: the first fatal failure, else the first
        indeterminate check, else the first warning; None when verified."""
        order = (
            [c for c in self.checks if c.status == "failed" and c.name not in WARNING_CHECKS],
            [c for c in self.checks if c.status == "indeterminate"],
            [c for c in self.checks if c.status in ("failed", "warning")],
        )
        return next((group[0] for group in order if group), None)

    def summary(self) -> str:
        """One line: the verdict and the check that decided it, if any."""
        first = self.decisive
        if first is None:
            return self.status
        return f"{self.status}: {first.name}: {first.detail}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (artifacts left out)."""
        return {
            "status": self.status,
            "credential_id": self.credential_id,
            "issuer": self.issuer,
            "securing": self.securing,
            "proof_types": list(self.proof_types),
            "verification_methods": list(self.verification_methods),
            "source": self.source,
            "checks": [
                {"name": c.name, "status": c.status, "detail": c.detail, "code": c.code}
                for c in self.checks
            ],
            "nested": [report.to_dict() for report in self.nested],
        }

    def __str__(self) -> str:
        lines = [f"{self.status.upper()}  {self.credential_id or '(no id)'}"]
        for c in self.checks:
            lines.append(f"  [{c.status:>13}] {c.label}: {c.detail}")
        return "\n".join(lines)
