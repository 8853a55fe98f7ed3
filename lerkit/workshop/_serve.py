"""Serve the workshop explainer as an app with Voila (``lerkit explain``)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from lerkit.workshop._errors import WorkshopError

__all__ = [
    "DEFAULT_PORT",
    "EXPLAINER_NAME",
    "explainer_notebook",
    "serve",
    "voila_command",
    "voila_environment",
]

#: The notebook ``lerkit explain`` serves (in the checkout's ``notebooks/``).
EXPLAINER_NAME = "how-lers-work"
#: Voila's usual port.
DEFAULT_PORT = 8866
#: A Jupyter data folder holding lerkit's Voila template (``voila/templates/lerkit``):
#: Voila's "lab" template without the two stylesheets it links from a CDN.
JUPYTER_DATA = Path(__file__).resolve().parent / "jupyter"
VOILA_TEMPLATE = "lerkit"


def explainer_notebook(notebooks_dir: str | os.PathLike[str] | None = None) -> Path:
    """The explainer notebook's path.

    Parameters
    ----------
    notebooks_dir : path, optional
        Where to look; the checkout's ``notebooks/`` by default.

    Raises
    ------
    WorkshopError
        ``explainer_missing`` when the notebook is not there.

    Examples
    --------
    >>> explainer_notebook().name
    'how-lers-work.ipynb'
    """
    if notebooks_dir is None:
        # lerkit/workshop/_serve.py -> the checkout holding lerkit/ and notebooks/
        folder = Path(__file__).resolve().parents[2] / "notebooks"
    else:
        folder = Path(notebooks_dir)
    path = folder / f"{EXPLAINER_NAME}.ipynb"
    if not path.is_file():
        raise WorkshopError(
            f"the explainer notebook {str(path)!r} does not exist; lerkit explain needs a "
            "lerkit checkout (pass notebooks_dir to point at its notebooks/ folder)",
            code="explainer_missing",
        )
    return path


def voila_command(notebook: str | os.PathLike[str], *, port: int, open_browser: bool) -> list[str]:
    """The command line that serves ``notebook`` with Voila on this machine only.

    Voila listens on 127.0.0.1 (never on other interfaces: the app runs code on the
    trainer's machine), hides code cells, and runs the notebook with the Python that
    runs lerkit.

    Raises
    ------
    WorkshopError
        ``invalid_argument`` for a port outside 1-65535.

    Examples
    --------
    >>> voila_command("how-lers-work.ipynb", port=8866, open_browser=False)[1:4]
    ['-m', 'voila', 'how-lers-work.ipynb']
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise WorkshopError(f"port must be 1-65535, got {port!r}", code="invalid_argument")
    command = [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        f"--port={port}",
        # a busy port is an error, not a reason to serve somewhere the trainer did not ask
        "--Voila.port_retries=0",
        "--Voila.ip=127.0.0.1",
        f"--template={VOILA_TEMPLATE}",
        "--strip_sources=True",
        "--theme=light",
        # run the notebook in a waiting kernel before anyone opens the page, so the app
        # answers at once (Voila keeps one such kernel ready)
        "--preheat_kernel=True",
    ]
    if not open_browser:
        command.append("--no-browser")
    return command


def voila_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment Voila runs in: ``base`` (default: this process's) with lerkit's
    template folder first on ``JUPYTER_PATH``.

    Examples
    --------
    >>> voila_environment({})["JUPYTER_PATH"] == str(JUPYTER_DATA)
    True
    """
    env = dict(os.environ if base is None else base)
    rest = env.get("JUPYTER_PATH")
    env["JUPYTER_PATH"] = os.pathsep.join([str(JUPYTER_DATA), *([rest] if rest else [])])
    return env


def serve(
    *,
    port: int = DEFAULT_PORT,
    open_browser: bool = True,
    notebooks_dir: str | os.PathLike[str] | None = None,
) -> int:
    """Run Voila on the explainer until it is stopped (Ctrl-C); return its exit code.

    Works offline: Voila serves its own copies of the widget scripts.

    Raises
    ------
    WorkshopError
        ``explainer_missing`` or ``invalid_argument``.
    """
    notebook = explainer_notebook(notebooks_dir)
    command = voila_command(notebook, port=port, open_browser=open_browser)
    try:
        # the notebook's relative paths are relative to its own folder, as in Jupyter
        return subprocess.call(command, cwd=notebook.parent, env=voila_environment())
    except KeyboardInterrupt:
        return 0
