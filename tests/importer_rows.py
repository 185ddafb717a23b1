"""Shared by the importer tests: parsed chats as the plain rows their golden files hold."""

from __future__ import annotations

from fonder import ingest


def rows_of(chats: list[ingest.ReadChat]) -> list[dict]:
    """Every message of the chats, in source order, as a golden row."""
    out = []
    for rc in chats:
        for r in rc.parsed.messages.sort("seq").iter_rows(named=True):
            out.append(
                {
                    "chat_key": rc.parsed.chat_key, "ts": r["ts"].isoformat(), "sender": r["sender"],
                    "kind": r["kind"], "text": r["text"], "media": r["media"], "call_s": r["call_s"],
                    "reply_to": r["reply_to"], "edited": r["edited"], "msg_id": r["msg_id"],
                }
            )
    return out
