"""The HTML report seen as a person sees it: Debian's Chromium opens the file, offline.

Playwright drives ``/usr/bin/chromium`` (it never downloads a browser). Every request the
page makes is intercepted: anything that is not the file itself, a ``data:`` or ``blob:``
URL fails the test. The charts must be drawn, the headline and findings visible, and a phone
(390×844) must not need to scroll sideways. Screenshots go to ``tests/artifacts/``
(git-ignored) for a human look.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fonder.report.html import render_html
from fonder.report.redact import HIDDEN, redact
from test_html_report import SECRET_TEXTS, demo_document, fixture_document

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCAL = ("file:", "data:", "about:", "blob:")
CHART_IDS = ["chart-messages", "chart-latency", "chart-starts", "chart-balance", "chart-longing"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's Chromium is not installed (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo report, the same with a safety section, and a redacted copy, as files."""
    folder = tmp_path_factory.mktemp("html")
    demo = demo_document()
    unsafe = demo_document()
    fixture = fixture_document()
    unsafe["safety"] = fixture["safety"]
    unsafe["findings"] = [fixture["findings"][0], *unsafe["findings"]]
    docs = {"demo": demo, "safety": unsafe, "redacted": redact(demo_document())}
    paths = {}
    for name, doc in docs.items():
        path = folder / f"{name}.html"
        path.write_text(render_html(doc), encoding="utf-8")
        paths[name] = path
    return paths


class Visit:
    """A page opened from a file, with every request leaving the machine refused and kept."""

    def __init__(self, browser: Any, path: Path, viewport: dict[str, int], *, charts: bool = True) -> None:
        self.context = browser.new_context(viewport=viewport, device_scale_factor=1)
        self.page = self.context.new_page()
        self.seen: list[str] = []
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri(), wait_until="load")
        assert path.as_uri() in self.seen  # the guard really sees the page's requests
        if charts:
            self.page.wait_for_function(
                f"document.querySelectorAll('.js-plotly-plot').length >= {len(CHART_IDS)}",
                timeout=15_000,
            )

    def _route(self, route: Any) -> None:
        url = route.request.url
        self.seen.append(url)
        if url.startswith(LOCAL):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
        return path

    def close(self) -> None:
        self.context.close()
        assert not self.outside, f"requests left the machine: {self.outside}"
        assert not self.errors, f"errors in the page: {self.errors}"


@pytest.fixture
def visit(browser: Any) -> Iterator[Any]:
    opened: list[Visit] = []

    def open_(path: Path, viewport: dict[str, int] = DESKTOP) -> Visit:
        v = Visit(browser, path, viewport)
        opened.append(v)
        return v

    yield open_
    for v in opened:
        v.close()


def test_charts_headline_and_findings_are_seen(visit: Any, reports: dict[str, Path]) -> None:
    v = visit(reports["demo"])
    page = v.page
    for cid in CHART_IDS:
        svgs = page.locator(f"#{cid}.js-plotly-plot .main-svg")
        assert svgs.count() >= 1, cid
        assert page.locator(f"#{cid}").bounding_box()["height"] >= 200, cid
    assert page.locator(".js-plotly-plot .main-svg").count() >= len(CHART_IDS)
    # lines and bars were really drawn, and the change point is on the reply-time chart
    assert page.locator("#chart-messages .scatterlayer .trace").count() == 2
    assert page.locator("#chart-starts .barlayer .trace").count() == 2
    assert page.locator("#chart-latency .shapelayer path").count() >= 1
    assert page.locator("#chart-latency .annotation-text", has_text="change").count() >= 1
    # no logo, no link to Plotly's cloud
    assert page.locator(".modebar-btn--logo, a[href*='plot.ly'], a[href*='plotly.com']").count() == 0

    headline = page.locator("#headline .sentence")
    assert headline.is_visible() and "misses you" in headline.inner_text()
    assert page.locator("#actions li").count() == 3
    findings = page.locator("#findings .finding")
    assert findings.count() >= 5
    first = findings.first
    first.scroll_into_view_if_needed()
    assert first.is_visible() and first.locator("h3").inner_text()
    assert page.locator("#findings .msg .bubble").count() >= 3
    assert page.locator("#findings .msg-meta time").count() >= 3
    assert page.locator("#plan").is_visible()
    v.screenshot("report-desktop")


def test_phone_reads_without_sideways_scrolling(visit: Any, reports: dict[str, Path]) -> None:
    v = visit(reports["demo"], PHONE)
    page = v.page
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1] == PHONE["width"], widths
    for cid in CHART_IDS:
        box = page.locator(f"#{cid} .main-svg").first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, (cid, box)
    # the headline is the first thing on the screen
    assert page.locator("#headline").bounding_box()["y"] < PHONE["height"] / 2
    v.screenshot("report-phone")


def test_safety_comes_first_and_stands_apart(visit: Any, reports: dict[str, Path]) -> None:
    v = visit(reports["safety"], PHONE)
    page = v.page
    safety = page.locator("#safety")
    assert safety.is_visible()
    assert safety.bounding_box()["y"] < page.locator("#headline").bounding_box()["y"]
    assert "1-800-799-7233" in safety.inner_text()
    assert page.evaluate(
        "getComputedStyle(document.querySelector('#safety')).backgroundColor"
    ) != page.evaluate("getComputedStyle(document.querySelector('#headline')).backgroundColor")
    assert page.locator("#findings .finding").first.get_attribute("id") == "finding-S1"
    v.screenshot("report-safety-phone")


def test_redacted_copy_shows_no_name_and_no_message(visit: Any, reports: dict[str, Path]) -> None:
    v = visit(reports["redacted"], PHONE)
    text = v.page.locator("body").inner_text()
    for name in ("Maya", "Daniel"):
        assert name not in text
    assert HIDDEN in text and "Shared copy" in text
    demo = demo_document()
    for f in demo["findings"]:
        for ex in f["evidence"]["examples"]:
            assert not any(line.strip() == ex["text"] for line in text.splitlines()), ex["text"]
    for secret in SECRET_TEXTS:
        assert secret not in text
    # the legend and the hover names come from the document too
    assert v.page.locator("#chart-messages-card .legend .key").all_inner_texts() == ["You", "Them"]
    v.screenshot("report-redacted-phone")


def test_the_guard_would_catch_a_request_leaving_the_machine(browser: Any, tmp_path: Path) -> None:
    """The check above is not vacuous: a page without fonder's policy that loads a remote
    image (a documentation-only address; the request is aborted, never sent) is caught."""
    path = tmp_path / "leaky.html"
    path.write_text('<!doctype html><img src="http://192.0.2.1/pixel.png" alt="">', encoding="utf-8")
    v = Visit(browser, path, PHONE, charts=False)
    v.page.wait_for_timeout(200)
    assert v.outside == ["http://192.0.2.1/pixel.png"]
    v.context.close()
