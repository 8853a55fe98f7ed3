"""The HTML reports and the Voila explainer in a real browser (headless Chromium).

Debian's chromium, driven by Playwright (`make browser` installs it; it is never
downloaded by Playwright). Every page must render with no console error and load
nothing from another host; every plotly chart must be drawn with data; and clicking
the explainer's buttons must change the verifier's verdict. Screenshots are saved
under reports/screenshots/ for people to look at.

To cover a new HTML report, add its name to ``HTML_REPORTS``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import (
    Server,
    check_html_report,
    chromium,
    free_port,
    lerkit_command,
    require_chromium,
    run_reports,
    screenshot,
    server,
    watched_page,
)

from lerkit.workshop import CredentialForm, Workshop

pytestmark = pytest.mark.browser

#: Reports opened in the browser, each run on its defaults with `lerkit report NAME`.
HTML_REPORTS = (
    "credential-inventory",
    "how-lers-work",
    "equity-opportunity",
    "skills-and-hiring",
    "one-pager",
    "pilot-profile",
    "pilot-evaluation",
    "learner-profile",
    "verification-audit",
    "anonymize-and-publish",
)

# Voila runs the whole notebook before it shows the page; on a loaded 2-core machine
# a kernel start and `import lerkit` alone have taken 20 s.
PAGE_TIMEOUT_MS = 150_000
CLICK_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, chromium(playwright) as launched:
        yield launched


@pytest.fixture(scope="module")
def explainer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`lerkit explain` on a free port, stopped (with its kernels) after the module."""
    port = free_port()
    command = [str(lerkit_command()), "explain", "--port", str(port), "--no-browser"]
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    with server(command, port, log) as app:
        yield app
    assert app.process.returncode is not None


@pytest.fixture(scope="module")
def report_pages(tmp_path_factory: pytest.TempPathFactory, explainer: Server) -> dict[str, Path]:
    # (the explainer starts first: Voila runs its notebook in a waiting kernel while the
    # reports run, which halves the wall time of this module on two cores)
    out = tmp_path_factory.mktemp("reports")
    return run_reports(HTML_REPORTS, out)


@pytest.mark.parametrize("name", HTML_REPORTS)
def test_html_report_renders_offline(
    browser: Any, report_pages: dict[str, Path], name: str
) -> None:
    charts = check_html_report(browser, report_pages[name], name=f"report-{name}")
    if name == "credential-inventory":
        # the inventory always charts credentials by format, issuer, type, framework, month
        assert len(charts) >= 4


@pytest.mark.parametrize("name", HTML_REPORTS)
def test_index_page_links_the_report(
    browser: Any, report_pages: dict[str, Path], name: str
) -> None:
    # reports/<name>/<slug>/<name>.html -> reports/index.html
    index = report_pages[name].parents[2] / "index.html"
    check_html_report(browser, index, name=f"index-{name}")
    page, watch = watched_page(browser)
    try:
        page.goto(index.as_uri(), wait_until="load")
        links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        assert any(link.endswith(report_pages[name].name) for link in links), links
        watch.assert_clean()
    finally:
        page.context.close()


def test_a_plot_free_page_and_an_outside_request_are_caught(browser: Any, tmp_path: Path) -> None:
    """The checks can fail: a chart with no data, a CDN script and a console error."""
    from browser_helpers import PageWatch, is_outside

    assert is_outside("https://cdn.example.net/x.js")
    assert not is_outside("http://127.0.0.1:8866/voila/static/x.js")
    assert not is_outside("file:///tmp/x.html")
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<html><body><script src='https://cdn.example.net/plotly.js'></script>"
        "<script>console.error('boom')</script></body></html>"
    )
    page, watch = watched_page(browser)
    try:
        page.goto(bad.as_uri(), wait_until="load")
    finally:
        page.context.close()
    assert isinstance(watch, PageWatch)
    assert watch.outside_requests == ["https://cdn.example.net/plotly.js"]
    assert "boom" in watch.console_errors
    with pytest.raises(AssertionError, match="requests left localhost"):
        watch.assert_clean()


# -- the Voila explainer -------------------------------------------------------------------


def _verdict_contains(page: Any, text: str) -> None:
    page.wait_for_function(
        "text => { const v = document.querySelector('.lerkit-verdict');"
        " return v !== null && v.innerText.includes(text); }",
        arg=text,
        timeout=CLICK_TIMEOUT_MS,
    )


def test_explainer_app_changes_verdict_when_tampered_or_revoked(
    browser: Any, explainer: Server
) -> None:
    # the verdicts the page must show, computed without a browser or a kernel
    expected = Workshop(seed=2026)
    expected.issue(CredentialForm())
    first_line = expected.check().text().splitlines()[0]
    app = explainer
    page, watch = watched_page(browser, height=1000)
    try:
        page.goto(app.url, timeout=PAGE_TIMEOUT_MS)
        verdict = page.locator(".lerkit-verdict")
        verdict.wait_for(timeout=PAGE_TIMEOUT_MS)
        _verdict_contains(page, first_line)
        assert "Stopped at check" not in verdict.inner_text()
        screenshot(page, "explainer-start")
        signature_before = page.locator(".lerkit-signature").inner_text()

        page.locator("button.lerkit-tamper").click()
        _verdict_contains(page, "Stopped at check: signature")
        assert "NOT VERIFIED" in verdict.inner_text()
        verdict.scroll_into_view_if_needed()
        screenshot(page, "explainer-tampered")

        page.locator("button.lerkit-restore").click()
        _verdict_contains(page, first_line)
        page.locator("button.lerkit-revoke").click()
        _verdict_contains(page, "Stopped at check: status")
        verdict.scroll_into_view_if_needed()
        screenshot(page, "explainer-revoked")

        # a new form value, signed again: a different credential, verified again
        name_box = page.locator(".lerkit-input-achievement_name input")
        name_box.fill("Forklift Operator Certification")
        page.locator("button.lerkit-sign").click()
        _verdict_contains(page, first_line)
        page.wait_for_function(
            "before => document.querySelector('.lerkit-signature').innerText !== before",
            arg=signature_before,
            timeout=CLICK_TIMEOUT_MS,
        )
        screenshot(page, "explainer-signed-again")
        watch.assert_clean()
    finally:
        page.context.close()
    log = app.log_tail(20_000)
    assert "Traceback" not in log, log
