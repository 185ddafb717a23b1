"""``fonder serve`` used as a person uses it, in Debian's Chromium, headless and offline.

The real server runs in a subprocess (``fonder.web.serve``) on a free port against a
temporary store. Playwright drives ``/usr/bin/chromium`` (it never downloads a browser);
every request the pages make is routed through the test, and anything that is not the
server's own ``127.0.0.1:port``, ``data:``, ``blob:`` or ``about:`` is refused and fails the
test, as do errors in the page and Content-Security-Policy violations. Screenshots go to
``tests/artifacts/web/`` (git-ignored) for a human look.

The journey: an empty store says how to export a chat; the demo export is dropped on the
page; fonder asks which one is you; the report (headline, three things, charts, findings)
reads on a phone without sideways scrolling; a date range narrows it; the shared copy
downloads without names; the week's plan; a draft checked as you type, then the kinder
version used; the same export chosen again adds nothing new; the chat is forgotten. At the
end the server's own output holds no message text.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fonder import api

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts" / "web"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
CHARTS = ["chart-messages", "chart-latency", "chart-starts", "chart-balance", "chart-longing"]
DRAFT = "are we ok?? you havent answered"

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``fonder serve`` on a fresh store; yields its address and, afterwards, checks its output."""
    pytest.importorskip("uvicorn", reason="the web extra is not installed (fastapi, uvicorn)")
    folder = tmp_path_factory.mktemp("serve")
    store = folder / "store" / "fonder.duckdb"
    out, err = folder / "stdout.log", folder / "stderr.log"
    code = (
        "import sys; from fonder.web import serve; "
        "serve(sys.argv[1], open_browser=False, on_ready=lambda s: print(s, flush=True), access_log=True)"
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(folder)}
    with out.open("w") as o, err.open("w") as e:
        proc = subprocess.Popen([sys.executable, "-c", code, str(store)], stdout=o, stderr=e, env=env)
    deadline = time.monotonic() + 30
    url = None
    while url is None and time.monotonic() < deadline and proc.poll() is None:
        found = re.search(r"http://127\.0\.0\.1:\d+/", out.read_text())
        url = found.group(0) if found else None
        time.sleep(0.05)
    assert url, f"the server did not start: {err.read_text()}"
    info = {"url": url.rstrip("/"), "store": store, "stdout": out, "stderr": err, "folder": folder}
    yield info
    proc.terminate()
    proc.wait(timeout=20)
    logs = out.read_text() + err.read_text()
    assert "Traceback" not in logs, logs[-2000:]
    for secret in info.get("secrets", []):
        assert secret not in logs, f"message text in the server's output: {secret!r}"
    assert not list(folder.glob("fonder-upload-*")), "an upload was left on disk"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Visit:
    """A browser context on the server, with every request leaving the machine refused and kept."""

    def __init__(self, browser: Any, origin: str, viewport: dict[str, int]) -> None:
        self.origin = origin
        self.context = browser.new_context(viewport=viewport, device_scale_factor=1, accept_downloads=True)
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.violations: list[str] = []
        self.context.route("**/*", self._route)
        # Kept across page loads. (Playwright's wait_for_function would trip 'unsafe-eval'
        # itself, so these tests wait with locators only.)
        self.context.expose_binding("__fonderViolation", lambda _src, v: self.violations.append(v))
        self.context.add_init_script(
            "document.addEventListener('securitypolicyviolation', function (e) {"
            " window.__fonderViolation(e.violatedDirective + ' ' + (e.blockedURI || '') + ' on '"
            " + document.location.pathname); });"
        )
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url == self.origin or url.startswith((self.origin + "/", "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def go(self, path: str) -> Any:
        self.page.goto(self.origin + path, wait_until="load")
        return self.page

    def policy_held(self) -> None:
        assert not self.violations, f"Content-Security-Policy violations: {self.violations}"

    def labelled(self) -> None:
        """Every form control a person can reach has a name a screen reader can say."""
        nameless = self.page.evaluate(
            """Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea, button'))
                 .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                               && !(el.tagName === 'BUTTON' && el.textContent.trim()))
                 .map(el => el.outerHTML.slice(0, 80))"""
        )
        assert not nameless, f"controls without a label: {nameless}"

    def fits(self) -> None:
        width = self.page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], f"the page scrolls sideways: {width}"

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 5_000
        return path

    def close(self) -> None:
        self.policy_held()
        self.context.close()
        assert not self.outside, f"requests left the machine: {self.outside}"
        assert not self.errors, f"errors in the page: {self.errors}"


@pytest.fixture
def visit(browser: Any, server: dict[str, Any]) -> Iterator[Any]:
    opened: list[Visit] = []

    def open_(viewport: dict[str, int] = DESKTOP) -> Visit:
        v = Visit(browser, server["url"], viewport)
        opened.append(v)
        return v

    yield open_
    for v in opened:
        v.close()


def drop(page: Any, path: Path) -> None:
    """Drag a file from the desktop onto the page, as the browser delivers it."""
    page.evaluate(
        """([b64, name]) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name, {type: 'application/zip'}));
            const target = document.querySelector('main');
            for (const type of ['dragenter', 'dragover', 'drop']) {
                target.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt}));
            }
        }""",
        [base64.b64encode(path.read_bytes()).decode(), path.name],
    )


def charts_drawn(page: Any) -> None:
    for cid in CHARTS:  # drawn in order: each waits for its own
        page.locator(f"#{cid}.js-plotly-plot .main-svg").first.wait_for(timeout=15_000)
        assert page.locator(f"#{cid}").bounding_box()["height"] >= 200, cid


def test_a_person_adds_reads_checks_and_forgets_a_chat(
    visit: Any, server: dict[str, Any], tmp_path: Path
) -> None:
    export = api.demo_export(tmp_path)
    phone = visit(PHONE)
    page = phone.go("/")

    # 1. Nothing yet: the page says how to export a chat.
    assert page.get_by_role("heading", name="No chats yet — here is how to export one").is_visible()
    phone.labelled()
    phone.fits()
    phone.shot("chats-empty-phone")

    # 2. The export is dropped on the page; fonder asks which one is you.
    drop(page, export)
    page.wait_for_url(re.compile(r".*/import/[\w-]+$"), timeout=15_000)
    who = page.get_by_role("radio", name="Maya")
    who.wait_for(timeout=30_000)
    assert page.get_by_role("radio", name="Daniel").is_visible()
    phone.labelled()
    phone.shot("import-who-phone")
    who.check()
    page.get_by_role("button", name="That's me").click()

    # 3. The report, on a phone: headline first, three things, charts, findings.
    page.wait_for_url(re.compile(r".*/chats/whatsapp:\w+$"), timeout=60_000)
    chat_path = page.url.removeprefix(server["url"])
    assert "Added the chat with Daniel: 4,398 messages" in page.locator(".notice").inner_text()
    assert page.get_by_role("heading", name="Does Daniel miss you?").is_visible()
    assert page.locator("#headline").bounding_box()["y"] < PHONE["height"] * 1.2  # near the top
    assert "misses you" in page.locator("#headline .sentence").inner_text()
    assert page.locator("#actions li").count() == 3
    assert page.locator("#findings .finding").count() >= 5
    assert page.locator("#findings .msg .bubble").count() >= 3
    charts_drawn(page)
    phone.fits()
    for cid in CHARTS:
        box = page.locator(f"#{cid} .main-svg").first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, cid
    phone.labelled()
    phone.shot("report-phone")

    # 4. On a laptop: a date range narrows it; the shared copy downloads without names.
    desk = visit(DESKTOP)
    page = desk.go(chat_path)
    charts_drawn(page)
    desk.shot("report-desktop")
    page.get_by_label("From", exact=True).fill("2026-08-01")
    page.get_by_label("To", exact=True).fill("2026-09-30")
    page.get_by_role("button", name="Show these dates").click()
    page.wait_for_url(re.compile(r".*since=2026-08-01.*"))
    assert "Only from 1 Aug 2026 until 30 Sep 2026." in page.locator(".reporthead").inner_text()
    charts_drawn(page)
    page.get_by_label("Shared copy: hide both names and every message").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the report").click()
    saved = download.value
    assert saved.suggested_filename == "fonder-report-shared.html"
    shared = Path(saved.path()).read_text(encoding="utf-8")
    words_in_it = re.sub(r"<script\b.*?</script>", "", shared, flags=re.DOTALL)  # Plotly has a "Mayan" calendar
    assert "Daniel" not in words_in_it and "Maya" not in words_in_it and "[message hidden]" in words_in_it

    # 5. This week's plan.
    page.get_by_role("link", name="This week").click()
    assert page.get_by_role("heading", name="Space for Daniel to reach you").is_visible()
    desk.labelled()
    desk.shot("week-desktop")

    # 6. Should I send this? Checked as you type; the kinder version replaces the draft.
    page = phone.page
    page.get_by_role("link", name="Should I send this?").click()
    box = page.get_by_label("Your message to Daniel")
    box.click()
    page.keyboard.type(DRAFT, delay=15)
    verdict = page.locator("#verdict .verdict")
    verdict.wait_for(timeout=15_000)
    assert verdict.get_attribute("data-verdict") == "rethink"
    assert "It asks him to confirm how he feels" in verdict.inner_text()
    assert page.locator("#verdict mark").count() >= 1
    assert page.url.endswith("/check")  # no page load: the draft never went into an address
    phone.labelled()
    phone.fits()
    phone.shot("check-phone")
    kinder = page.locator("[data-suggestion]").inner_text().strip()
    page.get_by_role("button", name="Use this instead").click()
    page.locator("#verdict .verdict:not([data-verdict=rethink])").wait_for(timeout=15_000)
    assert box.input_value() == kinder

    # 7. The same export, chosen with the file picker: nothing new, "me" remembered.
    page = desk.go("/")
    page.locator("#file").set_input_files(str(export))
    page.wait_for_url(re.compile(r".*/chats/whatsapp:\w+$"), timeout=60_000)
    assert "4,398 messages, 0 of them new." in page.locator(".notice").inner_text()

    # 8. Forget the chat, after a confirmation.
    page.get_by_role("link", name="Forget").click()
    assert page.get_by_role("heading", name="Forget this chat?").is_visible()
    desk.shot("forget-desktop")
    page.get_by_role("button", name="Forget this chat").click()
    page.wait_for_url(server["url"] + "/")
    assert "The chat with Daniel is gone" in page.locator(".notice").inner_text()
    assert page.get_by_role("heading", name="No chats yet — here is how to export one").is_visible()
    assert api.chats(db=server["store"]) == []
    desk.shot("chats-after-forget-desktop")

    # What the server printed must not quote the chat: keep some texts to look for at the end.
    server["secrets"] = [DRAFT, kinder, "are we ok?"]


def test_the_keyboard_reaches_everything(visit: Any) -> None:
    v = visit(DESKTOP)
    page = v.go("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    reached = []
    for _ in range(8):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
        if reached[-1] == "file":
            # the chooser is drawn as its label: the focus ring must show there
            ring = page.evaluate("getComputedStyle(document.querySelector('label[for=file]')).outlineStyle")
            assert ring == "solid"
    assert "file" in reached and "folder" in reached
