"""Drive Debian's headless Chromium with Playwright, and what every page must satisfy.

Reusable by any browser test: launch the browser the project installs (`make browser`,
never `playwright install`), watch a page's console and every request it makes, and
check a lerkit HTML report (every plotly chart drawn with data, nothing fetched from
another host, no console errors). Screenshots go to reports/screenshots/, which is
build output and not committed.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
# The flags known to work on this kind of machine, as root, with no network beyond the
# package registries: background networking would make Chromium try (and fail) to
# reach Google's hosts at every start.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SCREENSHOTS = ROOT / "reports" / "screenshots"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"


def require_chromium() -> Path:
    """The Chromium binary; fails (never skips) with the command that installs it."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} not found: run `make browser` (installs Debian's chromium and "
            "chromium-driver; `make test` does it for you)",
            pytrace=False,
        )
    return CHROMIUM


@contextlib.contextmanager
def chromium(playwright: Any) -> Iterator[Any]:
    """A headless Debian Chromium with a fresh profile, closed at the end.

    Playwright's ``launch`` gives every browser a new, empty user-data-dir of its own.
    """
    browser = playwright.chromium.launch(
        executable_path=str(require_chromium()), headless=True, args=list(CHROMIUM_ARGS)
    )
    try:
        yield browser
    finally:
        browser.close()


def is_outside(url: str) -> bool:
    """Whether loading ``url`` would leave this machine (http, https or ws to a host that
    is not the loopback). ``file:``, ``data:``, ``blob:`` and ``about:`` stay local."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss"):
        return False
    return (parts.hostname or "") not in LOCAL_HOSTS


@dataclass
class PageWatch:
    """Everything a page logged as an error, and every request it made."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    @property
    def outside_requests(self) -> list[str]:
        return [url for url in self.requests if is_outside(url)]

    def assert_clean(self) -> None:
        """No request left the machine, and nothing was logged as an error."""
        assert not self.outside_requests, f"requests left localhost: {self.outside_requests}"
        assert not self.page_errors, f"uncaught errors in the page: {self.page_errors}"
        assert not self.console_errors, f"console errors: {self.console_errors}"


def watched_page(browser: Any, *, width: int = 1280, height: int = 900) -> tuple[Any, PageWatch]:
    """A new page whose console and requests are recorded.

    Requests to other hosts are recorded, then aborted, so a page that tries to reach
    the network fails the test at once instead of waiting for a time-out.
    """
    context = browser.new_context(viewport={"width": width, "height": height})
    watch = PageWatch()

    def route(route: Any) -> None:
        if is_outside(route.request.url):
            route.abort()
        else:
            route.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page.on("request", lambda request: watch.requests.append(request.url))
    page.on(
        "console",
        lambda message: (
            watch.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
    return page, watch


def screenshot(page: Any, name: str, *, full_page: bool = False) -> Path:
    """Save a PNG of the page under reports/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


# -- HTML reports ------------------------------------------------------------------------

# For each plotly chart in the page: how many traces its data holds, and how many trace
# groups plotly drew in the SVG (bars, lines, markers, pies ...).
_CHARTS_JS = """
() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => ({
  id: gd.id,
  traces: Array.isArray(gd.data) ? gd.data.length : 0,
  points: Array.isArray(gd.data) ? gd.data.reduce((n, t) =>
      n + Math.max((t.x || []).length, (t.y || []).length, (t.values || []).length,
                   ((t.link || {}).value || []).length), 0) : 0,
  drawn: gd.querySelectorAll(
    'svg g.trace, svg g.slice, svg path.point, svg g.points path, svg g.sankey-link, svg .sankey-link'
  ).length,
}))
"""


def plotly_figures_in(executed_notebook: Path) -> int:
    """How many plotly figures the executed notebook holds: what the page must show."""
    nb = nbformat.read(executed_notebook, as_version=4)
    return sum(
        PLOTLY_MIMETYPE in output.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )


def check_html_report(browser: Any, html_path: Path, *, name: str) -> list[dict[str, Any]]:
    """Open a lerkit HTML report from disk and assert it is whole and self-contained.

    Every plotly chart the executed notebook beside it holds must be in the page and
    drawn with data (traces in ``gd.data`` and trace groups in the SVG); no console
    error; no request to another host. A screenshot of the top of the page is saved.

    Returns the charts found, for further assertions.
    """
    page, watch = watched_page(browser)
    try:
        page.goto(html_path.resolve().as_uri(), wait_until="load")
        charts: list[dict[str, Any]] = page.evaluate(_CHARTS_JS)
        executed = html_path.with_suffix(".ipynb")
        expected = plotly_figures_in(executed) if executed.is_file() else None
        if expected is not None:
            assert len(charts) == expected, (
                f"{html_path.name}: {len(charts)} charts in the page, {expected} in the notebook"
            )
        for chart in charts:
            assert chart["traces"] > 0, f"{html_path.name}: chart {chart['id']} has no data"
            assert chart["points"] > 0, f"{html_path.name}: chart {chart['id']} has no points"
            assert chart["drawn"] > 0, f"{html_path.name}: chart {chart['id']} drew nothing"
        screenshot(page, name)
        if charts:
            page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
            screenshot(page, f"{name}-first-chart")
        watch.assert_clean()
        return charts
    finally:
        page.context.close()


def lerkit_command() -> Path:
    """The ``lerkit`` script of the environment running the tests."""
    return Path(sys.executable).with_name("lerkit")


def run_reports(names: Sequence[str], output_dir: Path, *, at_once: int = 3) -> dict[str, Path]:
    """Run ``lerkit report NAME`` for each name into ``output_dir``; the HTML paths.

    A few runs go side by side (each spends much of its time starting a kernel), not
    all of them: the machines are 2-core.
    """
    found: dict[str, Path] = {}
    for start in range(0, len(names), at_once):
        runs = {
            name: subprocess.Popen(
                [str(lerkit_command()), "report", name, "--output-dir", str(output_dir / name)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in names[start : start + at_once]
        }
        for name, run in runs.items():
            stdout, stderr = run.communicate(timeout=300)
            assert run.returncode == 0, f"lerkit report {name} failed:\n{stderr[-3000:]}"
            match = re.search(rf"^{re.escape(name)}: (.+\.html)$", stdout, re.M)
            assert match, f"lerkit report {name} did not print the HTML path:\n{stdout}"
            found[name] = Path(match.group(1))
    return found


# -- a server in a subprocess ------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A server started by a test, in a process group of its own."""

    process: subprocess.Popen[str]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.is_file() else ""


@contextlib.contextmanager
def server(
    command: Sequence[str], port: int, log: Path, *, timeout: float = 90
) -> Iterator[Server]:
    """Start ``command`` (which must listen on ``port``), wait until it accepts
    connections, and stop it and everything it started at the end."""
    with log.open("w") as sink:
        process = subprocess.Popen(
            list(command), stdout=sink, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )
    started = Server(process, port, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"{command[0]} exited early ({process.returncode}):\n{started.log_tail()}"
                )
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"nothing listens on port {port} after {timeout} s:\n{started.log_tail()}"
                    )
                time.sleep(0.2)
        yield started
    finally:
        stop_group(process)


def stop_group(process: subprocess.Popen[str]) -> None:
    """SIGTERM the process group the test started (then SIGKILL if it lingers)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
