"""Chats for the coach tests: hand-made rhythms, injected messages, and their analysis."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

import polars as pl

from fonder.analysis import report_signals
from fonder.model import MESSAGE_SCHEMA, conform
from fonder.tone import label_frame

ME, THEM = "Maya", "Daniel"
TZ = "Europe/London"
#: A Monday in winter (London = UTC), so local and UTC clocks agree.
T0 = datetime(2025, 1, 6, tzinfo=timezone.utc)

#: His reply latencies in the rhythm chat, in turn: half 10 minutes, half 20 minutes.
#: The linear 75th percentile of many such replies is 20 minutes; the median 15.
HIS_LATENCIES_S = (600, 1200, 1200, 600)
HIS_P75_S = 1200.0


def frame(rows: list[tuple[datetime, str, str]], *, tz: str = TZ, chat_id: str = "test:coach") -> pl.DataFrame:
    """A chat from ``(instant, "me"|"them", text)`` rows (MESSAGE_SCHEMA)."""
    out = []
    for i, (ts, who, text) in enumerate(sorted(rows, key=lambda r: r[0])):
        out.append({
            "chat_id": chat_id,
            "msg_id": f"{chat_id}:{i}",
            "ts": ts,
            "tz": tz,
            "sender": ME if who == "me" else THEM,
            "is_me": who == "me",
            "kind": "text",
            "text": text,
            "seq": i,
        })
    if not out:
        return pl.DataFrame(schema=MESSAGE_SCHEMA)
    return conform(pl.DataFrame(out))


def add(messages: pl.DataFrame, rows: list[tuple[datetime, str, str]]) -> pl.DataFrame:
    """``messages`` with ``rows`` added (new ids, re-sorted)."""
    base = messages.height
    extra = []
    for i, (ts, who, text) in enumerate(rows):
        extra.append({
            "chat_id": messages["chat_id"][0],
            "msg_id": f"added:{i}",
            "ts": ts,
            "tz": messages["tz"][0],
            "sender": ME if who == "me" else THEM,
            "is_me": who == "me",
            "kind": "text",
            "text": text,
            "seq": base + i,
        })
    return conform(pl.concat([messages, conform(pl.DataFrame(extra))]).sort("ts", "seq"))


def rhythm(days: int = 42, *, t0: datetime = T0) -> list[tuple[datetime, str, str]]:
    """A calm couple: each morning she writes at 09:00 and he answers; each evening he writes
    at 19:00 and she answers. His replies take 10 or 20 minutes (see HIS_LATENCIES_S)."""
    rows: list[tuple[datetime, str, str]] = []
    k = 0
    for d in range(days):
        day = t0 + timedelta(days=d)
        am = day.replace(hour=9)
        rows.append((am, "me", "morning! how did you sleep?"))
        lat = HIS_LATENCIES_S[k % len(HIS_LATENCIES_S)]
        k += 1
        rows.append((am + timedelta(seconds=lat), "them", "morning, slept well thanks. busy day ahead"))
        rows.append((am + timedelta(seconds=lat + 120), "me", "good luck with it"))
        pm = day.replace(hour=19)
        rows.append((pm, "them", "home now, how was your day?"))
        rows.append((pm + timedelta(minutes=5), "me", "good! just got back from pottery class"))
        lat = HIS_LATENCIES_S[k % len(HIS_LATENCIES_S)]
        k += 1
        rows.append((pm + timedelta(minutes=5, seconds=lat), "them", "nice, send a photo of the bowl"))
    return rows


def analyse(messages: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, Any]]:
    """(tone labels, signals) of ``messages``, as the lead's pipeline computes them."""
    labels = label_frame(messages.filter(pl.col("kind") == "text"))
    return labels, report_signals(messages, labels)


@lru_cache(maxsize=4)
def demo() -> tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]]:
    """The demo couple (Maya and Daniel): messages, labels, signals."""
    from fonder.demo import demo_messages

    m = demo_messages()
    labels, signals = analyse(m)
    return m, labels, signals


@lru_cache(maxsize=4)
def steady(seed: int) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]]:
    """A steady simulated couple with texts: messages, labels, signals."""
    from fonder.simulate import steady as simulate_steady

    m = simulate_steady(seed, texts=True)
    labels, signals = analyse(m)
    return m, labels, signals


#: What "give him space" advice looks like, in any of the coach's words.
SPACE_WORDS = ("match his pace", "give him space", "don't chase", "let him start", "wait at least",
               "no follow-up before", "quiet hours")


def all_text(obj: Any) -> str:
    """Every string inside a JSON-ready object, lower-cased, joined."""
    if isinstance(obj, str):
        return obj.lower()
    if isinstance(obj, dict):
        return " ".join(all_text(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return " ".join(all_text(v) for v in obj)
    return ""
