"""The web app's pages and its guards, through a test client (no browser, no network).

Each test does what a person (or a hostile page) would do and checks what they would see:
the pages and their words, the import with "which one is you?", the report and its date
range, the downloads, the draft check, forgetting; and the guards — the Host check, CSRF,
origin, the CSP, the upload cap, the private upload folder, logs without message text, and
one server per store.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed (fastapi, uvicorn)")

from starlette.testclient import TestClient  # noqa: E402

from fonder import api  # noqa: E402
from fonder.errors import MeUnknown, StoreLocked, UsageError  # noqa: E402
from fonder.web import create_app, serve, words  # noqa: E402
from fonder.web.security import CSP, loopback_host  # noqa: E402
from fonder.web.server import lock_path, serve_lock  # noqa: E402
from fonder.web.uploads import safe_relative  # noqa: E402

PORT = 48123
BASE = f"http://127.0.0.1:{PORT}"
CHAT = "whatsapp:473522a58217a81f"
TOKEN_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return api.demo_export(tmp_path_factory.mktemp("export"))


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory, demo_zip: Path) -> Path:
    """The demo couple imported once; tests that change the store work on a copy."""
    db = tmp_path_factory.mktemp("store") / "fonder.duckdb"
    api.import_path(demo_zip, db=db, me="Maya", tz="Europe/London")
    return db


@pytest.fixture
def store_copy(demo_store: Path, tmp_path: Path) -> Path:
    db = tmp_path / "copy" / "fonder.duckdb"
    db.parent.mkdir()
    shutil.copy(demo_store, db)
    return db


class Web:
    """A test client at the printed address, with the page's CSRF token at hand."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.token = TOKEN_RE.search(client.get("/").text).group(1)  # type: ignore[union-attr]

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.client.post(path, **kw)


@pytest.fixture
def web() -> Iterator[Any]:
    """``web(db, **create_app options)``: a client of a fresh app on that store."""
    clients: list[TestClient] = []

    def make(db: Path, **options: Any) -> Web:
        client = TestClient(create_app(db, "127.0.0.1", PORT, **options), base_url=BASE)
        client.__enter__()
        clients.append(client)
        return Web(client)

    yield make
    for c in clients:
        c.__exit__(None, None, None)


def text_of(html: str) -> str:
    """A page's words as a person reads them (tags dropped, entities kept simple)."""
    plain = re.sub(r"<script\b.*?</script>", " ", html, flags=re.DOTALL)
    plain = re.sub(r"<[^>]+>", " ", plain).replace("&#39;", "'").replace("&amp;", "&")
    plain = plain.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
    return re.sub(r"\s+", " ", plain)


def wait_for(web: Web, job: str, until: tuple[str, ...]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = web.get(f"{job}/status").json()
        if status["state"] in until:
            return status
        time.sleep(0.1)
    raise AssertionError(f"the import did not reach {until}: {status}")


def upload(web: Web, name: str, body: bytes, *, token: str | None = "page") -> Any:
    data = {"csrf": web.token if token == "page" else token} if token else {}
    return web.post("/import", data=data, files={"file": (name, body, "application/octet-stream")},
                    follow_redirects=False)


# ---------------------------------------------------------------------------------------------
# Your chats
# ---------------------------------------------------------------------------------------------


def test_an_empty_store_says_how_to_export_a_chat(web: Any, tmp_path: Path) -> None:
    page = web(tmp_path / "new.duckdb").get("/")
    assert page.status_code == 200
    words_seen = text_of(page.text)
    assert words.EMPTY_TITLE in words_seen
    assert "Choose Without media" in words_seen  # the WhatsApp steps
    assert '<label class="button primary" for="file">' in page.text  # a labelled file chooser
    assert 'webkitdirectory' in page.text  # and a folder chooser


def test_the_chats_list_shows_each_chat_with_its_span_and_size(web: Any, demo_store: Path) -> None:
    seen = text_of(web(demo_store).get("/").text)
    assert "You and Daniel" in seen
    assert "WhatsApp · 1 May – 29 Oct 2026 · 4,398 messages" in seen
    assert "You are Maya in this chat." in seen
    assert words.ADD_TITLE in seen


# ---------------------------------------------------------------------------------------------
# Guards
# ---------------------------------------------------------------------------------------------

PAGES = ["/", f"/chats/{CHAT}", f"/chats/{CHAT}/week", f"/chats/{CHAT}/check",
         f"/chats/{CHAT}/forget", "/together"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_strict_policy_and_nothing_remote(web: Any, demo_store: Path, path: str) -> None:
    page = web(demo_store).get(path)
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert csp == CSP
    assert "http" not in csp and "*" not in csp and "unsafe" not in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"  # "no-referrer" makes forms send Origin: null
    assert page.headers["cache-control"] == "no-store"  # chats are not kept in the disk cache
    assert not re.search(r'(?:src|href|action)="(?:https?:)?//', page.text), "a remote reference"
    assert "<script>" not in page.text and " style=" not in page.text  # nothing inline


@pytest.mark.parametrize(
    "host", ["evil.example", f"evil.example:{PORT}", f"localhost:{PORT}", "127.0.0.1:1", "127.0.0.1"]
)
def test_a_request_for_another_host_is_turned_away(web: Any, demo_store: Path, host: str) -> None:
    page = web(demo_store).get(f"/chats/{CHAT}", headers={"host": host})
    assert page.status_code == 421
    assert page.text.strip() == words.BAD_HOST.format(got=host, expected=f"127.0.0.1:{PORT}")
    assert "Daniel" not in page.text  # a rebinding page learns nothing


def test_changes_need_the_pages_token(web: Any, store_copy: Path) -> None:
    w = web(store_copy)
    for data in ({}, {"csrf": "guessed"}):
        refused = w.post(f"/chats/{CHAT}/forget", data=data)
        assert refused.status_code == 403
        assert words.CSRF_FAILED.format(path=f"/chats/{CHAT}/forget") in text_of(refused.text)
    assert [c.chat_id for c in api.chats(db=store_copy)] == [CHAT]


def test_changes_sent_from_another_site_are_refused(web: Any, store_copy: Path) -> None:
    w = web(store_copy)
    refused = w.post(f"/chats/{CHAT}/forget", data={"csrf": w.token},
                     headers={"origin": "http://evil.example"})
    assert refused.status_code == 403
    assert "another website" in text_of(refused.text)
    refused = w.post(f"/chats/{CHAT}/forget", data={"csrf": w.token},
                     headers={"sec-fetch-site": "cross-site"})
    assert refused.status_code == 403
    assert [c.chat_id for c in api.chats(db=store_copy)] == [CHAT]


def test_fastapis_own_pages_which_load_from_a_cdn_are_off(web: Any, demo_store: Path) -> None:
    w = web(demo_store)
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert w.get(path).status_code == 404


def test_plotly_comes_from_the_installed_package(web: Any, demo_store: Path) -> None:
    w = web(demo_store)
    page = w.get(f"/chats/{CHAT}").text
    js = re.search(r'src="(/static/plotly\.min\.js\?v=\w+)"', page).group(1)  # type: ignore[union-attr]
    css = re.search(r'href="(/static/plotly\.css\?v=\w+)"', page).group(1)  # type: ignore[union-attr]
    body = w.get(js)
    assert body.status_code == 200 and "plotly.js" in body.text[:500]
    assert "immutable" in body.headers["cache-control"]
    sheet = w.get(css).text
    assert ".js-plotly-plot .plotly .modebar{" in sheet  # Plotly's rules, as a stylesheet
    assert 'id="plotly.js-style-global" class="no-inline-styles"' in page
    assert w.get("/static/../app.py").status_code == 404
    assert w.get("/static/nothing.js").status_code == 404


# ---------------------------------------------------------------------------------------------
# Adding a chat
# ---------------------------------------------------------------------------------------------


def test_import_through_the_page_asks_who_you_are_then_deletes_the_file(
    web: Any, tmp_path: Path, demo_zip: Path
) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    db = tmp_path / "store" / "fonder.duckdb"
    w = web(db, upload_root=uploads)
    sent = upload(w, demo_zip.name, demo_zip.read_bytes())
    assert sent.status_code == 303
    job = sent.headers["location"]
    status = wait_for(w, job, ("needs_me", "failed"))
    assert status["state"] == "needs_me"
    assert set(status) == {"state", "stage", "label", "fraction"}  # no names in what is polled

    asking = text_of(w.get(job).text)
    assert words.WHO_TITLE in asking and "Daniel" in asking and "Maya" in asking
    kept = [p for p in uploads.rglob("*") if p.is_file()]
    assert [p.name for p in kept] == [demo_zip.name]  # waiting: the file is kept, privately
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(next(uploads.iterdir()).stat().st_mode) == 0o700

    answered = w.post(job, data={"csrf": w.token, "me": "Maya"}, follow_redirects=False)
    assert answered.status_code == 303
    assert wait_for(w, job, ("done", "failed"))["state"] == "done"
    report = w.get(job)  # follows to the report
    assert report.url.path == f"/chats/{CHAT}"
    seen = text_of(report.text)
    assert "Added the chat with Daniel: 4,398 messages, 4,398 of them new." in seen
    assert "Does Daniel miss you?" in seen
    assert list(uploads.iterdir()) == []  # deleted after the import
    assert api.chats(db=db)[0].me == "Maya"

    again = upload(w, demo_zip.name, demo_zip.read_bytes())  # "me" is remembered now
    job = again.headers["location"]
    assert wait_for(w, job, ("done", "failed", "needs_me"))["state"] == "done"
    assert "4,398 messages, 0 of them new." in text_of(w.get(job).text)
    assert list(uploads.iterdir()) == []


def test_cancelling_the_question_deletes_the_file(web: Any, tmp_path: Path, demo_zip: Path) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    w = web(tmp_path / "fonder.duckdb", upload_root=uploads)
    job = upload(w, demo_zip.name, demo_zip.read_bytes()).headers["location"]
    wait_for(w, job, ("needs_me",))
    back = w.post(job, data={"csrf": w.token, "cancel": "1"})
    assert back.url.path == "/"
    assert words.CANCELLED in text_of(back.text)
    assert list(uploads.iterdir()) == []
    assert api.chats(db=tmp_path / "fonder.duckdb") == []
    assert words.IMPORT_GONE in text_of(w.get(job).text)


def test_stopping_the_server_deletes_an_upload_still_waiting(tmp_path: Path, demo_zip: Path) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    app = create_app(tmp_path / "fonder.duckdb", "127.0.0.1", PORT, upload_root=uploads)
    with TestClient(app, base_url=BASE) as client:
        w = Web(client)
        job = upload(w, demo_zip.name, demo_zip.read_bytes()).headers["location"]
        wait_for(w, job, ("needs_me",))
        assert list(uploads.iterdir())  # kept while fonder waits for the answer
    assert list(uploads.iterdir()) == []  # the server stopped: gone


def test_an_ambiguous_date_order_is_asked_on_the_page(web: Any, tmp_path: Path) -> None:
    export = Path(__file__).parent / "data" / "whatsapp" / "android_ambiguous_date.txt"
    w = web(tmp_path / "fonder.duckdb", upload_root=tmp_path)
    job = upload(w, export.name, export.read_bytes()).headers["location"]
    assert wait_for(w, job, ("needs_date_order", "needs_me", "done", "failed"))["state"] == "needs_date_order"
    asking = text_of(w.get(job).text)
    assert words.DATE_ORDER_TITLE in asking and words.DATE_ORDERS["dmy"] in asking
    w.post(job, data={"csrf": w.token, "date_order": "dmy"})
    state = wait_for(w, job, ("needs_me", "done", "failed"))["state"]
    if state == "needs_me":
        who = re.search(r'name="me" value="([^"]+)"', w.get(job).text).group(1)  # type: ignore[union-attr]
        w.post(job, data={"csrf": w.token, "me": who})
        state = wait_for(w, job, ("done", "failed"))["state"]
    assert state == "done"
    assert len(api.chats(db=tmp_path / "fonder.duckdb")) == 1


def test_a_file_fonder_cannot_read_ends_in_one_sentence(web: Any, tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    w = web(tmp_path / "fonder.duckdb", upload_root=uploads)
    job = upload(w, "shopping list.txt", b"eggs\nmilk\nbread\n").headers["location"]
    assert wait_for(w, job, ("done", "failed"))["state"] == "failed"
    seen = text_of(w.get(job).text)
    assert words.IMPORT_FAILED_TITLE in seen
    sentence = seen.split(words.IMPORT_FAILED_TITLE, 1)[1]
    assert "shopping list.txt" in sentence and "—" in sentence
    assert "Traceback" not in seen
    assert list(uploads.iterdir()) == []


def test_an_upload_without_the_token_writes_nothing(web: Any, tmp_path: Path, demo_zip: Path) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    w = web(tmp_path / "fonder.duckdb", upload_root=uploads)
    for token in (None, "guessed"):
        refused = upload(w, demo_zip.name, demo_zip.read_bytes(), token=token)
        assert refused.status_code == 403
    assert list(uploads.iterdir()) == []


def test_an_upload_over_the_cap_stops_and_is_removed(web: Any, tmp_path: Path, demo_zip: Path) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    w = web(tmp_path / "fonder.duckdb", upload_root=uploads, max_upload=20_000)
    refused = upload(w, demo_zip.name, demo_zip.read_bytes())
    assert refused.status_code == 413
    assert words.UPLOAD_TOO_LARGE.format(limit="20 KB", name=demo_zip.name) in text_of(refused.text)
    assert list(uploads.iterdir()) == []
    too_big = w.post("/import", content=b"x" * 1_100_000,
                     headers={"content-type": "multipart/form-data; boundary=b", "x-csrf-token": w.token})
    assert too_big.status_code == 413  # refused from its declared length, before reading it
    assert list(uploads.iterdir()) == []


def test_file_names_cannot_climb_out_of_the_private_folder(web: Any, tmp_path: Path) -> None:
    assert safe_relative("../../etc/passwd") == Path("etc/passwd")
    assert safe_relative("/abs/chat.txt") == Path("abs/chat.txt")
    assert safe_relative("Chat\\..\\..\\x.txt") == Path("Chat/x.txt")
    assert safe_relative("..") is None and safe_relative("") is None
    uploads = tmp_path / "up" / "loads"
    uploads.mkdir(parents=True)
    w = web(tmp_path / "fonder.duckdb", upload_root=uploads)
    sent = w.post("/import", data={"csrf": w.token},
                  files=[("file", ("../../escape.txt", b"hello", "text/plain")),
                         ("file", ("../../../escape2.txt", b"hello", "text/plain"))],
                  follow_redirects=False)
    assert sent.status_code == 303
    wait_for(w, sent.headers["location"], ("done", "failed"))
    assert not list(tmp_path.rglob("escape*.txt"))


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------


def test_the_report_page_says_what_the_terminal_report_says(web: Any, demo_store: Path) -> None:
    doc = api.report_for(CHAT, db=demo_store)
    page = web(demo_store).get(f"/chats/{CHAT}")
    seen = text_of(page.text)
    assert "Does Daniel miss you?" in seen
    assert doc["headline"]["sentence"] in seen
    assert "This week, three things" in seen
    for action in doc["top_actions"]:
        assert action in seen
    assert "What fonder sees, principle by principle" in seen
    for finding in doc["findings"]:
        assert finding["title"] in seen
        for fact in finding["evidence"]["facts"]:
            assert fact in seen
    assert seen.count("What to do") >= 5
    charts = json.loads(re.search(r'<script type="application/json" id="fonder-charts">(.*?)</script>',
                                  page.text, re.DOTALL).group(1))  # type: ignore[union-attr]
    assert set(charts) == {"chart-messages", "chart-latency", "chart-starts", "chart-balance",
                           "chart-longing"}
    for cid in charts:
        assert f'<div class="plot" id="{cid}" role="img"' in page.text
    assert 'min="2026-05-01" max="2026-10-29"' in page.text  # the date picker spans the chat


def test_a_date_range_narrows_the_report(web: Any, demo_store: Path) -> None:
    w = web(demo_store)
    page = w.get(f"/chats/{CHAT}", params={"since": "2026-08-01", "until": "2026-09-30"})
    assert page.status_code == 200
    seen = text_of(page.text)
    assert "Only from 1 Aug 2026 until 30 Sep 2026." in seen
    assert "4,398 messages (you" not in seen
    assert 'value="2026-08-01"' in page.text and 'value="2026-09-30"' in page.text
    bad = w.get(f"/chats/{CHAT}", params={"since": "soon"})
    assert bad.status_code == 400
    assert words.BAD_DAY.format(value="soon", field="From") in text_of(bad.text)
    backwards = w.get(f"/chats/{CHAT}", params={"since": "2026-09-30", "until": "2026-08-01"})
    assert backwards.status_code == 400
    assert words.EMPTY_RANGE in text_of(backwards.text)


def test_the_report_downloads_as_one_file_and_as_a_shared_copy(web: Any, demo_store: Path) -> None:
    w = web(demo_store)
    full = w.get(f"/chats/{CHAT}/download")
    assert full.status_code == 200
    assert full.headers["content-disposition"] == 'attachment; filename="fonder-report-daniel.html"'
    assert "Daniel" in full.text and "<script src=" not in full.text  # self-contained
    shared = w.get(f"/chats/{CHAT}/download", params={"redacted": "1", "since": "2026-08-01"})
    assert shared.headers["content-disposition"] == 'attachment; filename="fonder-report-shared.html"'
    body = text_of(shared.text)
    assert "Daniel" not in body and "Maya" not in body
    assert "[message hidden]" in body and "Shared copy" in body
    for f in api.report_for(CHAT, db=demo_store)["findings"]:
        for ex in f["evidence"]["examples"]:
            assert f">{ex['text']}<" not in shared.text


# ---------------------------------------------------------------------------------------------
# This week, Should I send this?, Forget
# ---------------------------------------------------------------------------------------------


def test_this_week_shows_the_plan(web: Any, demo_store: Path) -> None:
    w = web(demo_store)
    plan = api.plan_for(CHAT, db=demo_store)
    seen = text_of(w.get(f"/chats/{CHAT}/week").text)
    assert "Your next seven days" in seen and "Space for Daniel to reach you" in seen
    for rule in plan["space"]:
        assert rule["text"] in seen
    assert "Five things you haven't done together" in seen
    with_interest = w.get(f"/chats/{CHAT}/week", params={"interests": "pottery, choir"})
    assert 'value="pottery, choir"' in with_interest.text


def test_a_draft_is_checked_with_reasons_and_a_kinder_version(web: Any, demo_store: Path) -> None:
    w = web(demo_store)
    verdict = w.post(f"/chats/{CHAT}/check/verdict", data={"draft": "are we ok?"},
                     headers={"x-csrf-token": w.token})
    assert verdict.status_code == 200
    assert 'data-verdict="rethink"' in verdict.text
    seen = text_of(verdict.text)
    assert "Rethink" in seen and "It asks him to confirm how he feels" in seen
    assert words.SUGGESTION_TITLE in seen
    # the words that ask for reassurance are highlighted and named (spans are the tone engine's)
    assert re.search(r'<mark title="[^"]*reassurance seeking[^"]*">are we[^<]*</mark>', verdict.text)
    # without JavaScript: the form posts and the whole page comes back with the verdict
    page = w.post(f"/chats/{CHAT}/check", data={"csrf": w.token, "draft": "are we ok?"})
    assert page.status_code == 200 and 'data-verdict="rethink"' in page.text
    assert ">are we ok?</textarea>" in page.text
    assert w.post(f"/chats/{CHAT}/check/verdict", data={"draft": "  "},
                  headers={"x-csrf-token": w.token}).text == ""
    refused = w.post(f"/chats/{CHAT}/check/verdict", data={"draft": "hi"})
    assert refused.status_code == 403 and 'role="alert"' in refused.text


def test_forgetting_asks_first_then_removes_the_chat(web: Any, store_copy: Path) -> None:
    w = web(store_copy)
    ask = text_of(w.get(f"/chats/{CHAT}/forget").text)
    assert "Forget this chat?" in ask and "4,398 messages" in ask and "cannot be undone" in ask
    assert [c.chat_id for c in api.chats(db=store_copy)] == [CHAT]  # asking changes nothing
    done = w.post(f"/chats/{CHAT}/forget", data={"csrf": w.token})
    assert done.url.path == "/"
    seen = text_of(done.text)
    assert words.FORGOTTEN.format(them="Daniel") in seen
    assert words.EMPTY_TITLE in seen
    assert api.chats(db=store_copy) == []
    gone = w.get(f"/chats/{CHAT}")
    assert gone.status_code == 404 and "Your chats" in text_of(gone.text)


def test_unknown_pages_and_chats_answer_in_plain_words(web: Any, demo_store: Path) -> None:
    w = web(demo_store)
    page = w.get("/nowhere")
    assert page.status_code == 404
    assert words.NOT_FOUND.format(path="/nowhere") in text_of(page.text)
    assert w.get("/chats/whatsapp:nobody").status_code == 404
    assert w.get("/import/nojob").status_code == 400


# ---------------------------------------------------------------------------------------------
# Joining chats
# ---------------------------------------------------------------------------------------------


def test_joining_chats_says_when_it_is_not_there_yet(web: Any, demo_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(api, "link", raising=False)
    w = web(demo_store)
    assert words.TOGETHER_UNAVAILABLE in text_of(w.get("/together").text)
    refused = w.post("/together", data={"csrf": w.token, "chat_id": [CHAT, CHAT]})
    assert refused.status_code == 400 and words.TOGETHER_UNAVAILABLE in text_of(refused.text)


def test_joining_chats_calls_the_library(web: Any, store_copy: Path) -> None:
    if not all(callable(getattr(api, f, None)) for f in ("link", "unlink", "link_suggestions")):
        pytest.skip("fonder.api.link, unlink and link_suggestions are not in the library yet")
    telegram = Path(__file__).parent / "data" / "telegram" / "media.json"
    try:
        api.import_path(telegram, db=store_copy)
    except MeUnknown as exc:
        api.import_path(telegram, db=store_copy, me=exc.participants[0])
    other = next(c for c in api.chats(db=store_copy) if c.chat_id != CHAT)
    w = web(store_copy)
    page = w.get("/together")
    assert f'value="{CHAT}"' in page.text and f'value="{other.chat_id}"' in page.text
    assert words.TOGETHER_PICK in text_of(page.text)
    one = w.post("/together", data={"csrf": w.token, "chat_id": [CHAT]})
    assert one.status_code == 400 and words.TOGETHER_NEED_TWO in text_of(one.text)

    joined = text_of(w.post("/together", data={"csrf": w.token, "chat_id": [CHAT, other.chat_id]}).text)
    assert "Joined into one timeline: " in joined and "WhatsApp (" in joined and "Telegram (" in joined
    report = text_of(w.get(f"/chats/{CHAT}").text)
    assert "Telegram, WhatsApp ·" in report or "WhatsApp, Telegram ·" in report  # one timeline now

    separated = w.post("/together/separate", data={"csrf": w.token, "chat_id": CHAT})
    assert words.SEPARATED in text_of(separated.text)
    again = w.post("/together/separate", data={"csrf": w.token, "chat_id": CHAT})
    assert words.NOT_JOINED in text_of(again.text)


# ---------------------------------------------------------------------------------------------
# Privacy in the logs, a busy store, one server per store
# ---------------------------------------------------------------------------------------------


def test_no_message_text_reaches_the_logs(
    web: Any, demo_store: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    w = web(demo_store)
    secret = "meet me at the blue door at nine"
    w.post(f"/chats/{CHAT}/check/verdict", data={"draft": secret}, headers={"x-csrf-token": w.token})

    def broken(*_a: Any, **_k: Any) -> None:
        raise KeyError(secret)  # an unexpected error quoting a message

    monkeypatch.setattr(api, "plan_for", broken)
    page = w.get(f"/chats/{CHAT}/week")
    assert page.status_code == 500
    assert "it is a bug" in text_of(page.text) and secret not in page.text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Unexpected KeyError in GET" in logged
    assert secret not in logged
    for f in api.report_for(CHAT, db=demo_store)["findings"]:
        for ex in f["evidence"]["examples"]:
            assert ex["text"] not in logged


def test_a_busy_store_says_so(web: Any, demo_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    w = web(demo_store)

    def locked(*_a: Any, **_k: Any) -> None:
        raise StoreLocked("The store is in use by another fonder process — x — close it.")

    monkeypatch.setattr(api, "plan_for", locked)
    page = w.get(f"/chats/{CHAT}/week")
    assert page.status_code == 503
    assert words.BUSY in text_of(page.text)


def test_only_this_computer_is_served() -> None:
    assert loopback_host("127.0.0.1") == "127.0.0.1"
    assert loopback_host("localhost") == "127.0.0.1"
    assert loopback_host("[::1]") == "::1"
    for host in ("0.0.0.0", "192.168.1.20", "::", "example.com"):
        with pytest.raises(UsageError) as refused:
            serve(None, host=host, open_browser=False, on_ready=lambda _s: None)
        assert str(refused.value) == words.NOT_LOOPBACK.format(host=host)
    with pytest.raises(UsageError):
        create_app(None, "0.0.0.0", 8000)


def test_a_second_server_on_the_same_store_says_where_the_first_is(demo_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "fonder.duckdb"
    shutil.copy(demo_store, store)
    code = (
        "import sys; from fonder.web import serve; "
        "serve(sys.argv[1], open_browser=False, on_ready=lambda s: print(s, flush=True))"
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    first = subprocess.Popen([sys.executable, "-c", code, str(store)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = first.stdout.readline()  # type: ignore[union-attr]
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)  # type: ignore[union-attr]
        assert line.strip() == words.READY.format(url=url)
        with pytest.raises(StoreLocked) as second:
            serve(store, open_browser=False, on_ready=lambda _s: None)
        assert str(second.value) == words.ALREADY_SERVING.format(url=url, store=store)
    finally:
        first.terminate()
        first.communicate(timeout=20)
    assert first.returncode == 128 + 15
    assert not lock_path(store).exists()  # the first server cleaned up after itself
    with serve_lock(store):  # and the store is free again
        pass


def test_a_taken_port_is_refused_in_one_sentence(tmp_path: Path) -> None:
    from fonder.web.server import bind

    taken = bind("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        with pytest.raises(UsageError) as refused:
            serve(tmp_path / "fonder.duckdb", port=port, open_browser=False, on_ready=lambda _s: None)
        assert str(refused.value) == words.PORT_IN_USE.format(port=port)
    finally:
        taken.close()
