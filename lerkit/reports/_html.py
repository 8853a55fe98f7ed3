"""Export an executed notebook to one self-contained HTML file.

Figures arrive in the executed notebook as plotly's JSON mimetype (the kernel
runs with ``PLOTLY_RENDERER=plotly_mimetype``); here each becomes a ``<div>``
plus a small script, and plotly.js is inlined once in the page head, so the
file opens offline and loads nothing from a CDN.
"""

from __future__ import annotations

import copy
import html
import os
from pathlib import Path
from typing import Any

from lerkit.errors import ReportError
from lerkit.reports._nb import read_notebook

__all__ = ["PLOTLY_MIMETYPE", "export_html"]

PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"
_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_TEMPLATE_FILE = "report.html.j2"


def _figures_to_html(nb: Any) -> int:
    """Add a ``text/html`` rendering to every plotly output; return how many."""
    import plotly.io as pio

    count = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if PLOTLY_MIMETYPE not in data:
                continue
            figure: dict[str, Any] = dict(data[PLOTLY_MIMETYPE])
            config = figure.pop("config", None) or {}
            count += 1
            data["text/html"] = pio.to_html(
                figure,
                config=config,
                include_plotlyjs=False,
                include_mathjax=False,
                full_html=False,
                validate=False,
                # stable ids keep re-exports of the same notebook byte-identical
                div_id=f"lerkit-figure-{count}",
                default_width="100%",
                default_height=450,
            )
            del data[PLOTLY_MIMETYPE]
    return count


def _title(nb: Any, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in str(cell.source).splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return fallback


def export_html(
    notebook: str | os.PathLike[str],
    html_path: str | os.PathLike[str],
    *,
    with_code: bool = False,
) -> Path:
    """Write an executed notebook as one self-contained HTML file.

    Parameters
    ----------
    notebook : str or os.PathLike
        The executed ``.ipynb``.
    html_path : str or os.PathLike
        Where to write the HTML.
    with_code : bool, default False
        Show code cells' input; by default only Markdown and outputs are shown.

    Returns
    -------
    pathlib.Path
        ``html_path``.

    Raises
    ------
    ReportError
        If the notebook cannot be read or converted.
    """
    # imported here: nbconvert is slow to import and only exports need it
    from nbconvert import HTMLExporter
    from plotly.offline import get_plotlyjs

    source = Path(notebook)
    target = Path(html_path)
    try:
        nb = copy.deepcopy(read_notebook(source))
    except (OSError, ValueError) as err:
        raise ReportError(f"cannot read executed notebook {str(source)!r}: {err}") from err
    n_figures = _figures_to_html(nb)
    nb.metadata["title"] = _title(nb, source.stem)
    exporter = HTMLExporter(  # type: ignore[no-untyped-call]
        template_name="lab",
        extra_template_paths=[str(_TEMPLATES)],
        template_file=_TEMPLATE_FILE,
        exclude_input=not with_code,
        exclude_input_prompt=not with_code,
        exclude_output_prompt=True,
        embed_images=True,
    )
    resources = {
        "lerkit_plotlyjs": get_plotlyjs() if n_figures else "",
        "metadata": {"name": html.escape(source.stem)},
    }
    try:
        body, _ = exporter.from_notebook_node(nb, resources=resources)
    except Exception as err:  # nbconvert raises many kinds; all mean "cannot export"
        raise ReportError(f"cannot export {source.name} to HTML: {err}") from err
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body, encoding="utf-8")
    return target
