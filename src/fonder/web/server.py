"""``fonder serve``: bind to this computer, print the address, open the browser, serve.

One server per store: a lock file beside the store (``<store>.serve``) is held for the
server's lifetime, with the server's address in it, so a second ``fonder serve`` on the same
store says where the first one is instead of fighting over the store. The lock is an OS
lock (``flock``), released by the kernel if the server dies, so a crash leaves nothing stale.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import signal
import socket
import threading
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ..errors import StoreLocked, UsageError
from ..store import default_path
from . import words
from .security import authority, loopback_host

log = logging.getLogger("fonder.web")


def lock_path(store: Path) -> Path:
    """Where the serve lock of ``store`` lives."""
    return store.with_name(store.name + ".serve")


@contextmanager
def serve_lock(store: Path) -> Iterator[IO[str]]:
    """Hold the store's serve lock, or raise :class:`StoreLocked` naming the other server."""
    path = lock_path(store)
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        handle = os.fdopen(fd, "r+", encoding="utf-8")
        if not _try_lock(handle):
            other = _read(handle)
            handle.close()
            url = other.get("url")
            if url:
                raise StoreLocked(words.ALREADY_SERVING.format(url=url, store=store))
            raise StoreLocked(words.ALREADY_SERVING_UNKNOWN.format(store=store))
        try:  # the file we locked must still be the one at the path (see release below)
            same = os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        handle.close()
    try:
        yield handle
    finally:
        try:
            path.unlink()  # while still locked: a waiting server then makes a fresh file
        except OSError:
            pass
        handle.close()


def _try_lock(handle: IO[str]) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return False
        raise
    return True


def _read(handle: IO[str]) -> dict[str, object]:
    try:
        handle.seek(0)
        value = json.loads(handle.read() or "{}")
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _write(handle: IO[str], url: str) -> None:
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps({"pid": os.getpid(), "url": url}))
    handle.flush()


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (0: a free port), or one sentence saying why not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if os.name != "nt":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(words.PORT_IN_USE.format(port=port)) from exc
        raise UsageError(
            words.PORT_REFUSED.format(host=host, port=port, reason=exc.strerror or "refused")
        ) from exc
    sock.set_inheritable(True)
    return sock


def serve(
    db: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    open_browser: bool = True,
    on_ready: Callable[[str], object] = print,
    *,
    access_log: bool = False,
    max_upload: int | None = None,
) -> None:
    """Serve the web app for ``db`` on ``host:port`` until Ctrl+C.

    Refuses any address but this computer's, and a store another ``fonder serve`` holds
    (:class:`~fonder.errors.UsageError`, :class:`~fonder.errors.StoreLocked`, one sentence
    each). Calls ``on_ready`` with one line naming the address once it accepts connections,
    then opens the browser there unless ``open_browser`` is false.
    """
    import uvicorn

    from .. import api
    from .app import create_app
    from .uploads import DEFAULT_MAX_BYTES

    host = loopback_host(host)
    store = Path(db) if db is not None else default_path()
    with serve_lock(store) as lock:
        api.chats(db=store)  # a damaged store, or one a terminal command holds, says so now
        sock = bind(host, port)
        try:
            port = sock.getsockname()[1]
            url = f"http://{authority(host, port)}/"
            _write(lock, url)
            app = create_app(store, host, port, max_upload=max_upload or DEFAULT_MAX_BYTES)
            config = uvicorn.Config(
                app,
                log_level="info" if access_log else "warning",
                access_log=access_log,
                proxy_headers=False,  # nobody stands between the browser and this server
                server_header=False,
                lifespan="on",
                timeout_graceful_shutdown=5,
            )
            server = uvicorn.Server(config)
            with _exit_on_sigterm():
                # The socket already listens: a browser opened now waits in its queue.
                on_ready(words.READY.format(url=url))
                if open_browser:
                    threading.Thread(target=_open, args=(url,), daemon=True).start()
                server.run(sockets=[sock])
        finally:
            sock.close()


@contextmanager
def _exit_on_sigterm() -> Iterator[None]:
    """SIGTERM ends the server like Ctrl+C does: uploads deleted, the lock file removed.

    (Uvicorn shuts down gracefully on it, then raises it again with the handler it found:
    this one, instead of the default that would end the process on the spot.)
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    before = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def _open(url: str) -> None:
    try:
        webbrowser.open(url, new=2)
    except Exception:  # no browser on this machine: the printed address is enough
        log.info("No browser could be opened; the address is printed above.")
