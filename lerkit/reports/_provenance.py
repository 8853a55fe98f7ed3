"""The provenance block every report opens with.

It says what a reader needs to trace a figure back to its inputs: which bytes
went in (a fingerprint), with which parameters, under which software versions,
when, and under which privacy settings.

Rendered values are easy to mask in ``nbval`` sanitizers: the time is one ISO
8601 UTC timestamp (``\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ``) and the input is in
the row labelled ``Input``.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from lerkit._fingerprint import fingerprint, short_fingerprint
from lerkit.reports._params import looks_inline

__all__ = ["Provenance", "lerkit_version", "provenance"]


def lerkit_version() -> str:
    """The installed lerkit version, or ``0.0.0+unknown`` from a bare source tree."""
    try:
        return version("lerkit")
    except PackageNotFoundError:  # pragma: no cover - not installed
        return "0.0.0+unknown"


def _format_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _format_mapping(values: Mapping[str, Any]) -> str:
    if not values:
        return "none"
    return ", ".join(f"{key}={_format_value(values[key])}" for key in values)


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a report's numbers come from; shows as a table in Jupyter.

    Build it with :func:`provenance`.
    """

    source: str  #: the input as given (a path, or a description of inline data)
    fingerprint: str  #: full SHA-256 hex of the input (see :func:`lerkit.fingerprint`)
    fingerprint_scope: str  #: "file", "folder" or "inline data"
    parameters: Mapping[str, Any] = field(default_factory=dict)
    lerkit_version: str = ""
    python_version: str = ""
    generated: datetime = field(default_factory=lambda: datetime.now(UTC))
    privacy: Mapping[str, Any] | None = None

    @property
    def timestamp(self) -> str:
        """The generation time as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC)."""
        return self.generated.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def rows(self) -> list[tuple[str, str]]:
        """The block as (label, value) rows, in display order."""
        rows = [
            ("Input", self.source),
            (
                "Input fingerprint",
                f"sha256:{short_fingerprint(self.fingerprint)} ({self.fingerprint_scope})",
            ),
            ("Parameters", _format_mapping(self.parameters)),
        ]
        if self.privacy is not None:
            rows.append(("Privacy settings", _format_mapping(self.privacy)))
        rows += [
            ("lerkit version", self.lerkit_version),
            ("Python version", self.python_version),
            ("Generated (UTC)", self.timestamp),
        ]
        return rows

    def __str__(self) -> str:
        rows = self.rows()
        width = max(len(label) for label, _ in rows)
        lines = ["Provenance"] + [f"  {label.ljust(width)}  {value}" for label, value in rows]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        def cell(text: str) -> str:
            return text.replace("|", "\\|").replace("\n", " ")

        lines = ["**Provenance**", "", "| | |", "|---|---|"]
        lines += [f"| {cell(label)} | {cell(value)} |" for label, value in self.rows()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><th>{html.escape(label)}</th><td>{html.escape(value)}</td></tr>"
            for label, value in self.rows()
        )
        return (
            '<table class="lerkit-provenance">'
            f"<caption>Provenance</caption><tbody>{body}</tbody></table>"
        )


def _inline_fingerprint(source: Any) -> str:
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str):
        data = source.encode("utf-8")
    else:
        data = json.dumps(source, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def provenance(
    source: Any,
    parameters: Mapping[str, Any] | None = None,
    *,
    privacy: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> Provenance:
    """The provenance block for a report: input fingerprint, parameters, versions, time.

    Parameters
    ----------
    source : path, str, bytes or mapping
        The report's input: a file or folder path (fingerprinted with
        :func:`lerkit.fingerprint`), or inline data (a JWS or JSON string, a
        dict), fingerprinted as its UTF-8 bytes or canonical JSON.
    parameters : mapping, optional
        The report parameters in force.
    privacy : mapping, optional
        Privacy settings in force (e.g. ``{"min_cell_size": 10, "k": 5}``);
        shown only when given.
    now : datetime, optional
        Time of generation (timezone-aware); the current UTC time by default.

    Returns
    -------
    Provenance
        Renders as an HTML or Markdown table in Jupyter and as text with ``str``.

    Raises
    ------
    FileNotFoundError
        If ``source`` is a path that does not exist.
    ValueError
        If ``now`` has no timezone.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> block = provenance({"a": 1}, {"top_n": 5}, now=datetime(2025, 1, 2, tzinfo=UTC))
    >>> block.timestamp
    '2025-01-02T00:00:00Z'
    """
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        raise ValueError("now must be timezone-aware, e.g. datetime.now(UTC)")
    if isinstance(source, os.PathLike) or (
        isinstance(source, str) and "\n" not in source and not looks_inline(source)
    ):
        path = Path(source)
        shown, digest = os.fspath(source), fingerprint(path)
        scope = "folder" if path.is_dir() else "file"
    else:
        digest, scope, shown = _inline_fingerprint(source), "inline data", "inline data"
    return Provenance(
        source=shown,
        fingerprint=digest,
        fingerprint_scope=scope,
        parameters=dict(parameters or {}),
        lerkit_version=lerkit_version(),
        python_version=platform.python_version(),
        generated=now,
        privacy=None if privacy is None else dict(privacy),
    )
