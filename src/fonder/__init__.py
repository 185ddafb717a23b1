"""fonder: a local, private coach for one-to-one texting.

The public API. Every action the CLI and the web page offer is one call here::

    import fonder
    fonder.import_path("WhatsApp Chat with Daniel.zip", me="Maya")
    doc = fonder.report_for()      # the fonder.report/1 document
    chat = fonder.load()           # messages and tone labels as Polars frames
    fonder.plan_for()              # the next seven days
    fonder.check("are you mad at me?")   # send, wait or rethink
"""

from .api import (
    ImportedChat,
    ImportResult,
    Loaded,
    chats,
    check,
    export,
    forget,
    import_path,
    ledger,
    link,
    link_suggestions,
    load,
    plan_for,
    report_document,
    report_for,
    tone_of,
    unlink,
)
from .errors import FonderError
from .model import COUNTED_KINDS, KINDS, MESSAGE_SCHEMA, SCHEMA_VERSION

__version__ = "0.1.0"

__all__ = [
    "COUNTED_KINDS",
    "KINDS",
    "MESSAGE_SCHEMA",
    "SCHEMA_VERSION",
    "FonderError",
    "ImportResult",
    "ImportedChat",
    "Loaded",
    "__version__",
    "chats",
    "check",
    "export",
    "forget",
    "import_path",
    "ledger",
    "link",
    "link_suggestions",
    "load",
    "plan_for",
    "report_document",
    "report_for",
    "tone_of",
    "unlink",
]
