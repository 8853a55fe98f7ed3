"""``reports/index.html``: one page linking every report run found under ``reports/``."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

__all__ = ["MANIFEST_NAME", "read_manifests", "write_index"]

#: the small JSON file written next to every report
MANIFEST_NAME = "run.json"

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.4em 0.8em; border-bottom: 1px solid #ddd;
  vertical-align: top; }
code { font-size: 0.9em; }
"""


def read_manifests(root: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every readable ``<root>/<name>/<slug>/run.json``, sorted by name then slug.

    Each manifest gets a ``dir`` key: its folder relative to ``root``. Unreadable
    manifests are skipped (a half-written run must not break the index).
    """
    base = Path(root)
    found: list[dict[str, Any]] = []
    for path in sorted(base.glob(f"*/*/{MANIFEST_NAME}")):
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(manifest, dict):
            continue
        manifest["dir"] = path.parent.relative_to(base).as_posix()
        found.append(manifest)
    return found


def _parameters_html(manifest: dict[str, Any]) -> str:
    parameters = manifest.get("parameters") or {}
    overrides = manifest.get("overrides") or {}
    if not isinstance(parameters, dict) or not parameters:
        return "none"
    items = []
    for key, value in parameters.items():
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        entry = f"<code>{html.escape(str(key))} = {html.escape(str(text))}</code>"
        if isinstance(overrides, dict) and key in overrides:
            entry = f"<strong>{entry}</strong>"
        items.append(entry)
    return "<br>".join(items)


def write_index(root: str | os.PathLike[str]) -> Path:
    """Regenerate ``<root>/index.html`` from the manifests under ``root``.

    Parameters
    ----------
    root : str or os.PathLike
        The reports folder.

    Returns
    -------
    pathlib.Path
        The index file.
    """
    base = Path(root)
    base.mkdir(parents=True, exist_ok=True)
    rows = []
    for manifest in read_manifests(base):
        link = f"{manifest['dir']}/{manifest.get('html', '')}"
        title = str(manifest.get("title") or manifest.get("name") or manifest["dir"])
        rows.append(
            "<tr>"
            f'<td><a href="{html.escape(link, quote=True)}">{html.escape(title)}</a>'
            f"<br><code>{html.escape(manifest['dir'])}</code></td>"
            f"<td>{_parameters_html(manifest)}</td>"
            f"<td>{html.escape(str(manifest.get('started', '')))}</td>"
            f"<td>{html.escape(str(manifest.get('lerkit_version', '')))}</td>"
            "</tr>"
        )
    table = (
        "<table><thead><tr><th>Report</th><th>Parameters (overrides in bold)</th>"
        "<th>Run at (UTC)</th><th>lerkit</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else "<p>No reports yet. Run <code>lerkit report all</code>.</p>"
    )
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>lerkit reports</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n<h1>lerkit reports</h1>\n"
        f"{table}\n</body>\n</html>\n"
    )
    index = base / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
