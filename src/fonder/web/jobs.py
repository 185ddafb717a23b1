"""Imports started from the page: one at a time, in a worker thread, with live progress.

A job owns an :class:`~fonder.web.uploads.Upload`. It runs the library's import; when the
library needs an answer (who is "me", which date order) the job waits, keeping the upload,
until the page sends it; then it runs again. When the job ends — saved, failed or cancelled —
the upload is deleted. Jobs left waiting are deleted after :data:`WAIT_S`; every upload left
is deleted when the server stops.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..api import ImportResult
from ..errors import DateOrderUnknown, FonderError, MeUnknown
from . import words
from .security import where
from .uploads import Upload

log = logging.getLogger("fonder.web")

WAIT_S = 30 * 60  # how long an import waits for "who are you?" before its file is deleted
KEEP_S = 10 * 60  # how long a finished job's page stays reachable

#: The library's import, bound to the store: (path, me, date_order, progress) -> result.
Importer = Callable[[Any, "str | None", "str | None", Callable[[int, "int | None", str], None]], ImportResult]

RUNNING = ("queued", "running")


@dataclass
class Job:
    """One import as the page sees it."""

    id: str
    upload: Upload
    state: str = "queued"  # queued, running, needs_me, needs_date_order, done, failed, cancelled
    stage: str = "queued"
    fraction: float = 0.0
    error: str | None = None
    participants: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    me: str | None = None
    date_order: str | None = None
    result: ImportResult | None = None
    touched: float = field(default_factory=time.monotonic)

    @property
    def name(self) -> str:
        return self.upload.display

    def status(self) -> dict[str, Any]:
        """What the page's script polls (no names, no text: a stage and a fraction)."""
        return {
            "state": self.state,
            "stage": self.stage,
            "label": words.STAGE_WORDS.get(self.stage, words.STAGE_WORDS["working"]),
            "fraction": round(self.fraction, 3),
        }


def stage_of(what: str, done: int, total: int | None) -> tuple[str, float]:
    """The library's progress words as one of the page's stages and an overall fraction."""
    w = what.strip().lower()
    if w.startswith("label"):
        return "labelling", 0.7
    if w.startswith("sav"):
        return "saving", 0.85
    if w.startswith("read"):
        part = min(1.0, done / total) if total else 0.5
        return "reading", 0.05 + 0.55 * part
    return "working", 0.5


class Jobs:
    """The jobs of one server; imports run one after the other."""

    def __init__(self, importer: Importer, after: Callable[[ImportResult], None]) -> None:
        self._importer = importer
        self._after = after
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fonder-import")

    def start(self, upload: Upload) -> Job:
        job = Job(secrets.token_urlsafe(12), upload)
        with self._lock:
            self._expire()
            self._jobs[job.id] = job
        self._pool.submit(self._run, job)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            self._expire()
            return self._jobs.get(job_id)

    def answer(self, job: Job, *, me: str | None = None, date_order: str | None = None) -> bool:
        """Resume a waiting job with the person's answer; False if it was not waiting."""
        with self._lock:
            if job.state not in ("needs_me", "needs_date_order"):
                return False
            if me is not None:
                if me not in job.participants:
                    return False
                job.me = me
            if date_order is not None:
                if date_order not in words.DATE_ORDERS:
                    return False
                job.date_order = date_order
            job.state, job.stage, job.fraction = "queued", "queued", 0.0
            job.touched = time.monotonic()
        self._pool.submit(self._run, job)
        return True

    def cancel(self, job: Job) -> None:
        with self._lock:
            if job.state in RUNNING:
                return
            job.state = "cancelled"
            job.upload.delete()

    def close(self) -> None:
        """Stop taking work and delete every upload still on disk."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            for job in self._jobs.values():
                job.upload.delete()
            self._jobs.clear()

    # -- the worker ---------------------------------------------------------------------------
    def _run(self, job: Job) -> None:
        def progress(done: int, total: int | None, what: str) -> None:
            stage, fraction = stage_of(what, done, total)
            job.stage, job.fraction = stage, max(job.fraction, fraction)

        job.state, job.stage = "running", "reading"
        keep_upload = False
        try:
            result = self._importer(job.upload.path, job.me, job.date_order, progress)
            job.stage, job.fraction = "report", 0.95
            try:
                self._after(result)
            except FonderError:
                pass  # the report page will say what is wrong, in its own words
            job.result = result
            job.state, job.fraction = "done", 1.0
        except MeUnknown as exc:
            if exc.participants and job.me is None:
                job.participants = list(exc.participants)
                job.state = "needs_me"
                keep_upload = True
            else:
                job.error, job.state = str(exc), "failed"
        except DateOrderUnknown as exc:
            if job.date_order is None:
                job.candidates = list(exc.candidates)
                job.state = "needs_date_order"
                keep_upload = True
            else:
                job.error, job.state = str(exc), "failed"
        except FonderError as exc:
            job.error, job.state = str(exc), "failed"
        except Exception as exc:  # a bug: say so, log where (never the message: it may quote a chat)
            log.error("Unexpected %s while importing, at %s", type(exc).__name__, where(exc))
            job.error, job.state = words.IMPORT_BUG, "failed"
        finally:
            job.touched = time.monotonic()
            if not keep_upload:
                job.upload.delete()

    def _expire(self) -> None:
        now = time.monotonic()
        for job_id, job in list(self._jobs.items()):
            if job.state in RUNNING:
                continue
            limit = WAIT_S if job.state.startswith("needs_") else KEEP_S
            if now - job.touched > limit:
                job.upload.delete()
                del self._jobs[job_id]
