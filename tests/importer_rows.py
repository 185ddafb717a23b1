"""Shared by the importer tests: parsed chats as the plain rows their golden files hold."""

from __future__ import annotations

from fonder import ingest
from fonder.ingest.base import ParsedChat

#: The fields an importer golden row holds.
GOLDEN_KEYS = ("chat_key", "ts", "sender", "kind", "text", "media", "call_s", "reply_to", "edited", "msg_id")


def golden_rows(chats: list[ParsedChat]) -> list[dict]:
    """Every message of the parsed chats, in source order, as a golden row."""
    rows = []
    for chat in chats:
        for r in chat.messages.sort("seq").iter_rows(named=True):
            r["chat_key"] = chat.chat_key
            r["ts"] = r["ts"].isoformat()
            rows.append({k: r[k] for k in GOLDEN_KEYS})
    return rows


def rows_of(chats: list[ingest.ReadChat]) -> list[dict]:
    """The same, for chats as ``fonder.ingest.read`` returns them."""
    return golden_rows([rc.parsed for rc in chats])
