"""The local web app: server-rendered pages over :mod:`fonder.api`, nothing more.

Every page is one or two library calls rendered with Jinja2; the few scripts (drop a file,
follow an import, check a draft as you type, draw the charts) only enhance pages that work
without them. The store is opened per request by the library itself and one call runs at a
time (DuckDB lets one process hold the file, and one configuration per file inside it), so a
``fonder`` command in a terminal can use the store between two page loads.

Security is in :mod:`fonder.web.security` (Host, origin, CSRF, headers) and
:mod:`fonder.web.uploads` (private, capped uploads).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from .. import api
from ..coach import messages as coach_words
from ..errors import (
    ChatNotFound,
    FonderError,
    InputError,
    StoreError,
    StoreLocked,
    UsageError,
)
from ..report import html as html_report
from ..report.redact import redact
from ..store import ChatInfo, default_path
from . import words
from .jobs import Job, Jobs
from .security import (
    CSRF_FIELD,
    CSRF_HEADER,
    Csrf,
    Forbidden,
    Guard,
    authority,
    loopback_host,
)
from .uploads import DEFAULT_MAX_BYTES, UploadTooLarge, receive

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

#: Chart colours (from the HTML report) as the CSS classes the legend uses; no inline styles.
KEY_CLASSES = {
    html_report.ME_COLOR: "me",
    html_report.THEM_COLOR: "them",
    html_report.THRESHOLD_COLOR: "threshold",
    html_report.EVEN_COLOR: "even",
    html_report.MARK_COLOR: "mark",
}


# ---------------------------------------------------------------------------------------------
# The library, one call at a time
# ---------------------------------------------------------------------------------------------


class Library:
    """:mod:`fonder.api` bound to one store, one call at a time, with recent reports kept.

    A report is kept until the store file changes (this server's imports and forgets, or a
    ``fonder`` command in a terminal), so moving between pages does not recompute it.
    """

    def __init__(self, db: Path) -> None:
        self.db = db
        self.lock = threading.Lock()
        self._reports: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], dict[str, Any]]] = OrderedDict()
        self._chats: tuple[tuple[Any, ...], list[ChatInfo]] | None = None
        self._checks = itertools.count(1)
        self.latest_check = 0

    def call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            return fn(*args, db=self.db, **kwargs)

    def _stamp(self) -> tuple[Any, ...]:
        out: list[Any] = []
        for p in (self.db, self.db.with_name(self.db.name + ".wal")):
            try:
                st = p.stat()
                out.append((st.st_mtime_ns, st.st_size, st.st_ino))
            except OSError:
                out.append(None)
        return tuple(out)

    def report(self, chat: str, since: date | None = None, until: date | None = None) -> dict[str, Any]:
        key = (chat, since, until)
        with self.lock:
            hit = self._reports.get(key)
            if hit is not None and hit[0] == self._stamp():
                self._reports.move_to_end(key)
                return hit[1]
            doc = api.report_for(chat, db=self.db, since=since, until=until)
            self._reports[key] = (self._stamp(), doc)
            while len(self._reports) > 8:
                self._reports.popitem(last=False)
            return doc

    def changed(self) -> None:
        with self.lock:
            self._reports.clear()
            self._chats = None

    def chats(self) -> list[ChatInfo]:
        with self.lock:
            if self._chats is not None and self._chats[0] == self._stamp():
                return self._chats[1]
            found = api.chats(db=self.db)
            self._chats = (self._stamp(), found)
            return found

    def chat(self, chat_id: str) -> ChatInfo:
        for c in self.chats():
            if c.chat_id == chat_id:
                return c
        raise ChatNotFound(
            f"There is no chat '{chat_id}' in your store — the address — open it from Your chats."
        )

    def check(self, draft: str, chat: str) -> dict[str, Any] | None:
        """The verdict on a draft; None if a newer draft arrived while this one waited."""
        mine = next(self._checks)
        self.latest_check = mine
        with self.lock:
            if mine != self.latest_check:
                return None
            return api.check(draft, chat, db=self.db)


# ---------------------------------------------------------------------------------------------
# Words and numbers on the page
# ---------------------------------------------------------------------------------------------


def local_day(value: str | None, tz: str) -> str:
    """An instant's day in the chat's zone, as ``YYYY-MM-DD`` (for the date picker)."""
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(ZoneInfo(tz)).date().isoformat()


def local_when(value: str | None, tz: str) -> str:
    """An instant in the chat's zone: 'Mon 23 Nov 2026, 07:00'."""
    if not value:
        return ""
    return html_report.when(datetime.fromisoformat(value).astimezone(ZoneInfo(tz)).isoformat())


def marked(text: str, spans: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """The draft cut into pieces, each with the labels whose span covers it."""
    cuts = {0, len(text)}
    for s in spans:
        cuts.update((max(0, min(len(text), int(s["start"]))), max(0, min(len(text), int(s["end"])))))
    points = sorted(cuts)
    out: list[tuple[str, list[str]]] = []
    for a, b in itertools.pairwise(points):
        if a == b:
            continue
        labels = sorted({s["label"] for s in spans if s["start"] <= a and b <= s["end"]})
        out.append((text[a:b], labels))
    return out


def label_words(label: str) -> str:
    return label.replace("_", " ")


def slug(name: str | None) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name or "").strip("-").lower() or "chat"


def script_json(value: Any) -> str:
    """JSON safe inside ``<script type="application/json">``."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def _day_param(value: str | None, field: str) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(words.BAD_DAY.format(value=value[:40], field=field)) from None


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        day=html_report.day,
        span=html_report.span,
        when=html_report.when,
        number=html_report.number,
        duration=html_report.duration,
        percent=html_report.percent,
        platform=lambda p: html_report.PLATFORM_NAMES.get(str(p), str(p)),
        label_words=label_words,
    )
    env.globals.update(
        w=words,
        severity_words=coach_words.SEVERITY_WORDS,
        principles=coach_words.PRINCIPLES,
        safety_label_words=html_report.SAFETY_LABEL_WORDS,
        key_classes=KEY_CLASSES,
    )
    return env


def plotly_bundle() -> Path:
    """Plotly's JavaScript as the installed ``plotly`` package ships it (no CDN)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


_RULES = re.compile(r'\{"X,X div":.*?\};for\(', re.DOTALL)
_RULE = re.compile(r'"((?:[^"\\]|\\.)*)":(?:"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\')')
_MAPLIBRE = re.compile(r'getElementById\("([0-9a-f]{32,64})"\)\)\{var \w+=document\.createElement\("style"\)')


def plotly_css(bundle: str) -> tuple[str, list[str]]:
    """Plotly's own CSS as a stylesheet, and the ids of the style elements it would inject.

    Plotly writes its rules into an inline ``<style>`` (and its map library another), which a
    strict CSP refuses. Both step aside when an element with their id is already on the page
    (Plotly's only if it has the class ``no-inline-styles``); so the page links this sheet
    under Plotly's id and places an empty element under the map library's.
    """
    found = _RULES.search(bundle)
    rules: list[str] = []
    if found:
        for m in _RULE.finditer(found.group(0)):
            selector = re.sub(r"^,", " ,", m.group(1))
            selector = selector.replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
            body = m.group(2) if m.group(2) is not None else m.group(3)
            rules.append(f"{selector}{{{body}}}")
    rules.reverse()  # Plotly inserts each rule at the top of its sheet: the last one comes first
    return "\n".join(rules) + "\n", _MAPLIBRE.findall(bundle)


def _static_files() -> dict[str, tuple[Path, str]]:
    return {
        "app.css": (STATIC / "app.css", "text/css; charset=utf-8"),
        "app.js": (STATIC / "app.js", "text/javascript; charset=utf-8"),
        "report.css": (html_report.TEMPLATES / "report.css", "text/css; charset=utf-8"),
        "plotly.min.js": (plotly_bundle(), "text/javascript; charset=utf-8"),
    }


# ---------------------------------------------------------------------------------------------
# The app
# ---------------------------------------------------------------------------------------------


def create_app(
    db: Path | None,
    host: str,
    port: int,
    *,
    max_upload: int = DEFAULT_MAX_BYTES,
    upload_root: Path | None = None,
) -> FastAPI:
    """The web app for the store ``db`` (default: the user's store), answering only at
    ``host:port`` — the loopback address ``fonder serve`` bound and printed."""
    host = loopback_host(host)
    store = Path(db) if db is not None else default_path()
    lib = Library(store)
    csrf = Csrf()
    env = _environment()
    static = _static_files()
    assets: dict[str, tuple[bytes, str]] = {
        name: (path.read_bytes() if path.exists() else b"", media)
        for name, (path, media) in static.items()
    }
    css, plotly_ids = plotly_css(assets["plotly.min.js"][0].decode("utf-8", "replace"))
    assets["plotly.css"] = (css.encode(), "text/css; charset=utf-8")
    versions = {name: hashlib.sha256(body).hexdigest()[:12] for name, (body, _m) in assets.items()}
    notices: list[str] = []

    def warm(result: api.ImportResult) -> None:
        lib.changed()
        if len(result.chats) == 1:
            lib.report(result.chats[0].chat_id)

    def run_import(path: Path, me: str | None, date_order: str | None, progress: Any) -> api.ImportResult:
        return lib.call(api.import_path, path, me=me, date_order=date_order, progress=progress)

    jobs = Jobs(run_import, warm)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.close()  # every upload still on disk goes with the server

    app = FastAPI(
        title="fonder",
        docs_url=None,  # FastAPI's docs pages load scripts from a CDN: never here
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.library = lib
    app.state.csrf = csrf
    app.state.jobs = jobs
    app.state.store = store
    app.state.origin = f"http://{authority(host, port)}"

    def static_url(name: str) -> str:
        return f"/static/{name}?v={versions[name]}"

    env.globals["static_url"] = static_url
    env.globals["plotly_ids"] = plotly_ids

    def render(name: str, request: Request | None = None, status: int = 200, **ctx: Any) -> HTMLResponse:
        ctx.setdefault("notice", notices.pop() if notices and request is not None and request.method == "GET" else None)
        ctx.setdefault("chat", None)
        ctx.setdefault("tab", None)
        ctx.setdefault("nav", None)
        html = env.get_template(name).render(csrf=csrf.token, **ctx)
        return HTMLResponse(html, status_code=status)

    def error_page(status: int, sentence: str) -> bytes:
        return env.get_template("error.html").render(
            csrf=csrf.token, notice=None, chat=None, tab=None, nav=None, sentence=sentence,
            status=status,
        ).encode()

    def check_token(request: Request, value: str | None) -> None:
        if not (csrf.valid(value) or csrf.valid(request.headers.get(CSRF_HEADER))):
            raise Forbidden(words.CSRF_FAILED.format(path=request.url.path))

    async def form(request: Request) -> Any:
        data = await request.form(max_files=0, max_fields=200, max_part_size=256 * 1024)
        check_token(request, data.get(CSRF_FIELD))  # type: ignore[arg-type]
        return data

    def wants_json(request: Request) -> bool:
        return "application/json" in request.headers.get("accept", "")

    # -- errors -------------------------------------------------------------------------------
    def status_of(exc: FonderError) -> int:
        if isinstance(exc, ChatNotFound):
            return 404
        if isinstance(exc, StoreLocked):
            return 503
        if isinstance(exc, UploadTooLarge):
            return 413
        if isinstance(exc, Forbidden):
            return 403
        if isinstance(exc, StoreError):
            return 500
        return 400 if isinstance(exc, UsageError | InputError) else 500

    @app.exception_handler(FonderError)
    async def _fonder_error(request: Request, exc: FonderError) -> Response:
        status = status_of(exc)
        sentence = words.BUSY if isinstance(exc, StoreLocked) else str(exc)
        if wants_json(request):
            return JSONResponse({"error": sentence}, status_code=status)
        return HTMLResponse(error_page(status, sentence), status_code=status)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        sentence = words.NOT_FOUND.format(path=request.url.path[:80])
        if wants_json(request):
            return JSONResponse({"error": sentence}, status_code=exc.status_code)
        return HTMLResponse(error_page(exc.status_code, sentence), status_code=exc.status_code)

    # -- static files -------------------------------------------------------------------------
    @app.get("/static/{name}")
    def static_file(name: str) -> Response:
        if name not in assets or not assets[name][0]:
            raise HTTPException(404)
        body, media = assets[name]
        return Response(body, media_type=media,
                        headers={"cache-control": "private, max-age=31536000, immutable"})

    # -- your chats ---------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse)
    def chats_page(request: Request) -> HTMLResponse:
        found = lib.chats()
        return render("chats.html", request, nav="chats", chats=found, max_upload=max_upload,
                      limit=words.size(max_upload))

    @app.post("/import")
    async def import_upload(request: Request) -> Response:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > max_upload + 1_000_000:
            raise UploadTooLarge(words.UPLOAD_TOO_LARGE.format(limit=words.size(max_upload), name="the file"))
        upload = await receive(
            request.headers.get("content-type", ""),
            request.stream(),
            token_ok=csrf.valid,
            header_token=request.headers.get(CSRF_HEADER),
            max_bytes=max_upload,
            root=upload_root,
        )
        job = jobs.start(upload)
        where = f"/import/{job.id}"
        if wants_json(request):
            return JSONResponse({"next": where}, status_code=202)
        return RedirectResponse(where, status_code=303)

    def job_or_gone(job_id: str) -> Job:
        job = jobs.get(job_id)
        if job is None or job.state == "cancelled":
            raise UsageError(words.IMPORT_GONE)
        return job

    @app.get("/import/{job_id}", response_class=HTMLResponse)
    def import_page(request: Request, job_id: str) -> Response:
        job = job_or_gone(job_id)
        if job.state == "done" and job.result is not None:
            result = job.result
            lines = []
            for c in result.chats:
                lines.append(words.IMPORTED_ONE.format(
                    them=c.them or "?", messages=html_report.number(c.messages),
                    added=html_report.number(c.added)))
            if result.skipped_groups:
                lines.append(words.SKIPPED_GROUPS.format(n=result.skipped_groups))
            notices.append(" ".join(lines) if len(result.chats) == 1 else
                           " ".join([words.IMPORTED_MANY.format(n=len(result.chats)), *lines[len(result.chats):]]))
            target = f"/chats/{result.chats[0].chat_id}" if len(result.chats) == 1 else "/"
            return RedirectResponse(target, status_code=303)
        return render("import.html", request, job=job, status_url=f"/import/{job.id}/status",
                      max_upload=max_upload, limit=words.size(max_upload))

    @app.get("/import/{job_id}/status")
    def import_status(job_id: str) -> JSONResponse:
        job = jobs.get(job_id)
        if job is None:
            return JSONResponse({"state": "gone"}, status_code=404)
        return JSONResponse(job.status())

    @app.post("/import/{job_id}")
    async def import_answer(request: Request, job_id: str) -> Response:
        data = await form(request)
        job = job_or_gone(job_id)
        if data.get("cancel"):
            jobs.cancel(job)
            notices.append(words.CANCELLED)
            return RedirectResponse("/", status_code=303)
        me = data.get("me")
        order = data.get("date_order")
        jobs.answer(job, me=str(me) if me else None, date_order=str(order) if order else None)
        return RedirectResponse(f"/import/{job.id}", status_code=303)

    # -- one chat -----------------------------------------------------------------------------
    @app.get("/chats/{chat_id}", response_class=HTMLResponse)
    def report_page(request: Request, chat_id: str, since: str | None = None, until: str | None = None) -> HTMLResponse:
        lo, hi = _day_param(since, words.RANGE_FROM), _day_param(until, words.RANGE_TO)
        if lo is not None and hi is not None and lo > hi:
            raise UsageError(words.EMPTY_RANGE)
        doc = lib.report(chat_id, lo, hi)
        chat = lib.chat(chat_id)
        return render("report.html", request, **report_context(doc, chat, lo, hi))

    def report_context(doc: dict[str, Any], chat: ChatInfo, lo: date | None, hi: date | None) -> dict[str, Any]:
        c = doc["chat"]
        them = c.get("them") or "them"
        sig = doc.get("signals") or {}
        total = int(c["messages"]["me"]) + int(c["messages"]["them"])
        charts = html_report.chart_specs(sig, them) if total else []
        window = [
            words.WINDOW_FROM.format(day=html_report.day(lo)) if lo else "",
            words.WINDOW_UNTIL.format(day=html_report.day(hi)) if hi else "",
        ]
        return {
            "tab": "report",
            "chat": chat,
            "doc": doc,
            "them": them,
            "total": total,
            "headline": doc.get("headline"),
            "safety": doc.get("safety"),
            "top_actions": list(doc.get("top_actions") or [])[:3],
            "findings": sorted(doc.get("findings") or [], key=lambda f: f.get("rank") or 0),
            "glance": html_report.glance(sig) if total else [],
            "charts": charts,
            "charts_json": script_json({x["id"]: {"data": x["data"], "layout": x["layout"]} for x in charts}),
            "config_json": script_json(html_report.PLOTLY_CONFIG),
            "since": lo.isoformat() if lo else "",
            "until": hi.isoformat() if hi else "",
            "window": " ".join(p for p in window if p),
            "first_day": local_day(api.iso(chat.first), chat.tz),
            "last_day": local_day(api.iso(chat.last), chat.tz),
        }

    @app.get("/chats/{chat_id}/download")
    def download(chat_id: str, since: str | None = None, until: str | None = None, redacted: str | None = None) -> Response:
        lo, hi = _day_param(since, words.RANGE_FROM), _day_param(until, words.RANGE_TO)
        if lo is not None and hi is not None and lo > hi:
            raise UsageError(words.EMPTY_RANGE)
        doc = lib.report(chat_id, lo, hi)
        shared = bool(redacted)
        page = html_report.render_html(redact(doc) if shared else doc)
        name = "fonder-report-shared.html" if shared else f"fonder-report-{slug(doc['chat'].get('them'))}.html"
        return Response(
            page,
            media_type="text/html; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )

    @app.get("/chats/{chat_id}/week", response_class=HTMLResponse)
    def week_page(request: Request, chat_id: str, interests: str | None = None) -> HTMLResponse:
        chat = lib.chat(chat_id)
        wanted = [i.strip() for i in (interests or "").split(",") if i.strip()][:20]
        plan = lib.call(api.plan_for, chat_id, interests=wanted)
        return render("week.html", request, tab="week", chat=chat, plan=plan,
                      them=chat.them or "them", interests=", ".join(wanted))

    def verdict_context(chat: ChatInfo, draft: str, verdict: dict[str, Any] | None, error: str | None) -> dict[str, Any]:
        return {
            "verdict": verdict,
            "error": error,
            "draft": draft,
            "pieces": marked(draft, verdict.get("spans") or []) if verdict else [],
            "wait_until": local_when(verdict.get("wait_until"), chat.tz) if verdict else "",
            "them": chat.them or "them",
        }

    def run_check(chat: ChatInfo, draft: str) -> tuple[dict[str, Any] | None, str | None, bool]:
        try:
            verdict = lib.check(draft, chat.chat_id)
        except UsageError as exc:
            return None, str(exc), False
        return verdict, None, verdict is None

    @app.get("/chats/{chat_id}/check", response_class=HTMLResponse)
    def check_page(request: Request, chat_id: str) -> HTMLResponse:
        chat = lib.chat(chat_id)
        return render("check.html", request, tab="check", chat=chat,
                      **verdict_context(chat, "", None, None))

    @app.post("/chats/{chat_id}/check", response_class=HTMLResponse)
    async def check_post(request: Request, chat_id: str) -> HTMLResponse:
        data = await form(request)
        draft = str(data.get("draft") or "")[:5000]

        def work() -> HTMLResponse:
            chat = lib.chat(chat_id)
            verdict, error, _stale = run_check(chat, draft)
            return render("check.html", request, tab="check", chat=chat,
                          **verdict_context(chat, draft, verdict, error))

        return await run_in_threadpool(work)

    @app.post("/chats/{chat_id}/check/verdict")
    async def check_fragment(request: Request, chat_id: str) -> Response:
        """The verdict alone, for the page's script: always a fragment, errors included."""
        fragment = env.get_template("_verdict.html")
        try:
            data = await form(request)
            draft = str(data.get("draft") or "")[:5000]
            if not draft.strip():
                return HTMLResponse("")
            chat = await run_in_threadpool(lib.chat, chat_id)
            verdict, error, stale = await run_in_threadpool(run_check, chat, draft)
        except FonderError as exc:
            sentence = words.BUSY if isinstance(exc, StoreLocked) else str(exc)
            html = fragment.render(verdict=None, error=sentence, draft="", pieces=[], wait_until="", them="")
            return HTMLResponse(html, status_code=status_of(exc))
        if stale:
            return Response(status_code=204)
        return HTMLResponse(fragment.render(**verdict_context(chat, draft, verdict, error)))

    @app.get("/chats/{chat_id}/forget", response_class=HTMLResponse)
    def forget_page(request: Request, chat_id: str) -> HTMLResponse:
        chat = lib.chat(chat_id)
        return render("forget.html", request, tab="forget", chat=chat)

    @app.post("/chats/{chat_id}/forget")
    async def forget_post(request: Request, chat_id: str) -> Response:
        await form(request)
        info, _rows = await run_in_threadpool(lib.call, api.forget, chat_id)
        lib.changed()
        notices.append(words.FORGOTTEN.format(them=info.them or info.chat_id))
        return RedirectResponse("/", status_code=303)

    # -- joining chats ------------------------------------------------------------------------
    def linking() -> bool:
        return all(callable(getattr(api, f, None)) for f in ("link", "unlink", "link_suggestions"))

    @app.get("/together", response_class=HTMLResponse)
    def together_page(request: Request) -> HTMLResponse:
        found = lib.chats()
        suggested = lib.call(api.link_suggestions) if linking() and len(found) > 1 else []
        return render("together.html", request, nav="together", chats=found,
                      available=linking(), suggested=suggested)

    @app.post("/together")
    async def together_post(request: Request) -> Response:
        data = await form(request)
        if not linking():
            raise UsageError(words.TOGETHER_UNAVAILABLE)
        picked = list(dict.fromkeys(str(v) for v in data.getlist("chat_id")))
        if len(picked) < 2:
            raise UsageError(words.TOGETHER_NEED_TWO)
        joined = await run_in_threadpool(lib.call, api.link, picked)
        lib.changed()
        parts = [words.TOGETHER_PART.format(platform=html_report.PLATFORM_NAMES.get(c["platform"], c["platform"]),
                                            messages=html_report.number(c["messages"]))
                 for c in joined.get("chats") or []]
        notices.append(words.TOGETHER_DONE.format(chats=", ".join(parts)))
        return RedirectResponse("/together", status_code=303)

    @app.post("/together/separate")
    async def separate_post(request: Request) -> Response:
        data = await form(request)
        if not linking():
            raise UsageError(words.TOGETHER_UNAVAILABLE)
        rest = await run_in_threadpool(lib.call, api.unlink, str(data.get("chat_id") or ""))
        lib.changed()
        notices.append(words.SEPARATED if rest else words.NOT_JOINED)
        return RedirectResponse("/together", status_code=303)

    # Outermost of the app's own layers: before routing, and around every handler.
    app.add_middleware(Guard, host=host, port=port, render_error=error_page)
    return app
