"""fonder's local web app: ``fonder serve`` opens the library in a browser, on this computer.

- :func:`create_app` builds the FastAPI app for one store, answering only at the loopback
  address it was given;
- :func:`serve` binds that address (a free port by default), prints it, opens the browser,
  and serves until Ctrl+C.

Pages are server-rendered over :mod:`fonder.api`; see ``docs/web.md``.
"""

from __future__ import annotations

from .app import create_app
from .server import serve

__all__ = ["create_app", "serve"]
