"""The normalized message: one row per message, the same for every platform.

Every importer produces a frame with exactly :data:`MESSAGE_SCHEMA`; the store keeps it;
analysis, tone and coach read it. Columns:

=========== ======================= ==========================================================
column      type                    meaning
=========== ======================= ==========================================================
chat_id     String                  stable id of the conversation: ``platform:`` + the
                                    platform's own id, or a digest of the participants
msg_id      String                  stable across re-imports of the same message (the
                                    platform's id, else a digest of platform, chat, instant,
                                    sender, text and occurrence number)
ts          Datetime(us, UTC)       the instant the message was sent
tz          String                  the IANA zone (or fixed offset) the source's local times
                                    were read in, e.g. ``Europe/Berlin``
sender      String                  display name as exported; null for system lines
is_me       Boolean                 true when "me" sent it; null for system lines
kind        String                  one of :data:`KINDS`
text        String                  body, newlines kept; null when the message has no text
media       String                  media type or file name for media, location for locations
call_s      Int32                   call length in seconds (``call``); null otherwise
reply_to    String                  msg_id this message replies to, when the platform says
edited      Boolean                 the sender edited the message after sending it
seq         Int64                   position in the source (ties on ``ts`` keep file order)
=========== ======================= ==========================================================
"""

from __future__ import annotations

import polars as pl

SCHEMA_VERSION = 1

#: What a row can be. ``text`` is an ordinary typed message; every other kind says why the row
#: is not (only) text. Analysis counts ``COUNTED_KINDS`` as messages.
KINDS: tuple[str, ...] = (
    "text",         # a typed message
    "media",        # photo, video, audio, voice note, document, GIF (``media`` says which)
    "sticker",      # a sticker
    "location",     # a shared location or live location
    "contact",      # a shared contact card
    "poll",         # a poll
    "call",         # a call that took place (``call_s`` is its length when known)
    "missed_call",  # a call that was not answered
    "deleted",      # "This message was deleted" and its kin
    "reaction",     # a tapback / emoji reaction to another message
    "system",       # notices from the app: encryption, number changes, group events
)

#: Kinds that count as "a message someone sent" in volume and shares.
COUNTED_KINDS: tuple[str, ...] = tuple(k for k in KINDS if k not in ("system", "reaction"))

MESSAGE_SCHEMA: dict[str, pl.DataType] = {
    "chat_id": pl.String(),
    "msg_id": pl.String(),
    "ts": pl.Datetime("us", "UTC"),
    "tz": pl.String(),
    "sender": pl.String(),
    "is_me": pl.Boolean(),
    "kind": pl.String(),
    "text": pl.String(),
    "media": pl.String(),
    "call_s": pl.Int32(),
    "reply_to": pl.String(),
    "edited": pl.Boolean(),
    "seq": pl.Int64(),
}

COLUMNS: tuple[str, ...] = tuple(MESSAGE_SCHEMA)


def empty_messages() -> pl.DataFrame:
    """An empty frame with the message schema."""
    return pl.DataFrame(schema=MESSAGE_SCHEMA)


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with exactly the message columns, in order and with their types.

    Missing optional columns are added as nulls (``edited`` as false).
    """
    exprs = []
    for name, dtype in MESSAGE_SCHEMA.items():
        if name in frame.columns:
            exprs.append(pl.col(name).cast(dtype))
        elif name == "edited":
            exprs.append(pl.lit(False, dtype).alias(name))
        else:
            exprs.append(pl.lit(None, dtype).alias(name))
    return frame.select(exprs)
