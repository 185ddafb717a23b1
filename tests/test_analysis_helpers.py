"""Tiny hand-made chats for the analysis tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import polars as pl

from fonder.model import MESSAGE_SCHEMA, conform

T0 = datetime(2024, 1, 1, 9, 0, tzinfo=timezone.utc)  # a Monday


def chat(rows: list[tuple], *, t0: datetime = T0, tz: str = "Europe/London") -> pl.DataFrame:
    """A chat from ``(minutes after t0, "me"|"them"|"sys", text[, kind])`` rows."""
    out = []
    for i, row in enumerate(rows):
        minutes, who, text = row[:3]
        kind = row[3] if len(row) > 3 else ("system" if who == "sys" else "text")
        out.append(
            {
                "chat_id": "test:1",
                "msg_id": f"m{i}",
                "ts": t0 + timedelta(minutes=minutes),
                "tz": tz,
                "sender": {"me": "Maya", "them": "Daniel"}.get(who),
                "is_me": {"me": True, "them": False}.get(who),
                "kind": kind,
                "text": text,
                "seq": i,
            }
        )
    if not out:
        return pl.DataFrame(schema=MESSAGE_SCHEMA)
    return conform(pl.DataFrame(out))


def labels(pairs: list[tuple[str, str]]) -> pl.DataFrame:
    """A label frame from ``(msg_id, label)`` pairs."""
    return pl.DataFrame(
        {
            "msg_id": [m for m, _ in pairs],
            "label": [lab for _, lab in pairs],
            "start": [0] * len(pairs),
            "end": [1] * len(pairs),
            "match": [""] * len(pairs),
        },
        schema={"msg_id": pl.String, "label": pl.String, "start": pl.Int64, "end": pl.Int64, "match": pl.String},
    )
