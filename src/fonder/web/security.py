"""What keeps the local web app private: loopback only, the right Host, CSRF, a strict CSP.

- :func:`loopback_host` refuses any bind address that is not this computer.
- :class:`Guard` (plain ASGI, outermost) answers only requests whose ``Host`` is exactly the
  address the server printed — a web page that re-points its own name at 127.0.0.1 (DNS
  rebinding) sends its own name and is turned away; refuses state changes sent from other
  origins; adds the security headers (a Content-Security-Policy with no remote source at all);
  and turns an unexpected exception into a plain page while logging only where it happened,
  never its message (which could quote a chat).
- :class:`Csrf` holds the per-process token every form and script sends back with a change.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import secrets
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ..errors import UsageError
from . import words

log = logging.getLogger("fonder.web")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: No remote source of any kind: scripts, styles and images from the app itself only; charts'
#: images as data:/blob: (Plotly's "download as PNG"); no frames, no plugins, no <base>.
CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "frame-src 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "manifest-src 'none'",
        "worker-src 'none'",
    )
)

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


class Forbidden(UsageError):
    """A change without this server's CSRF token, or from another site (HTTP 403)."""


def loopback_host(host: str) -> str:
    """The loopback address to bind, or :class:`UsageError` for anything else.

    ``localhost`` is read as 127.0.0.1 (a name can be re-pointed; the address cannot).
    """
    bare = host.strip()
    if bare.startswith("[") and bare.endswith("]"):
        bare = bare[1:-1]
    if bare.lower() == "localhost":
        return "127.0.0.1"
    try:
        ip = ipaddress.ip_address(bare)
    except ValueError:
        raise UsageError(words.NOT_LOOPBACK.format(host=host)) from None
    if not ip.is_loopback:
        raise UsageError(words.NOT_LOOPBACK.format(host=host))
    return str(ip)


def authority(host: str, port: int) -> str:
    """``127.0.0.1:8765`` or ``[::1]:8765``: what the browser sends as ``Host``."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Csrf:
    """The per-process token a state change must carry (form field or header)."""

    def __init__(self) -> None:
        self.token = secrets.token_urlsafe(32)

    def valid(self, value: object) -> bool:
        return isinstance(value, str) and bool(value) and hmac.compare_digest(
            value.encode(), self.token.encode()
        )


class Guard:
    """Host check, origin check, security headers and a privacy-safe last resort (ASGI)."""

    def __init__(self, app: ASGIApp, *, host: str, port: int, render_error: Any) -> None:
        self.app = app
        self.expected = authority(host, port)
        self.origin = f"http://{self.expected}"
        self.render_error = render_error  # (status, sentence) -> bytes of an HTML page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        got = headers.get("host", "")
        if got.lower() != self.expected:
            await self._plain(send, 421, words.BAD_HOST.format(got=got or "no address", expected=self.expected))
            return
        if scope["method"] not in SAFE_METHODS:
            origin = headers.get("origin")
            fetch_site = headers.get("sec-fetch-site", "")
            if (origin is not None and origin != self.origin) or fetch_site in ("cross-site", "same-site"):
                sentence = words.BAD_ORIGIN.format(origin=origin or "another site")
                await self._page(send, 403, sentence)
                return

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                if b"cache-control" not in present:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:  # the last resort: a page, and a log line without the message
            log.error("Unexpected %s in %s %s at %s", type(exc).__name__, scope["method"],
                      scope["path"], where(exc))
            if not started:
                await self._page(send_with_headers, 500, words.BUG.format(path=scope["path"]))

    async def _page(self, send: Send, status: int, sentence: str) -> None:
        body = self.render_error(status, sentence)
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            *SECURITY_HEADERS,
            (b"cache-control", b"no-store"),
        ]})
        await send({"type": "http.response.body", "body": body})

    async def _plain(self, send: Send, status: int, sentence: str) -> None:
        # A page for a stranger's Host: no token, no template, nothing of the store.
        body = (sentence + "\n").encode()
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            *SECURITY_HEADERS,
            (b"cache-control", b"no-store"),
        ]})
        await send({"type": "http.response.body", "body": body})


def where(exc: BaseException) -> str:
    """The innermost frame of an exception as ``file:line in function`` (no message, no locals)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "unknown place"
    last = frames[-1]
    return f"{last.filename}:{last.lineno} in {last.name}"
