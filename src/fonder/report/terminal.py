"""The report and other results as Rich terminal text. Renders only: computes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

SPARK = "▁▂▃▄▅▆▇█"


def duration(seconds: float | None) -> str:
    """A duration in words a person reads at a glance: 45 s, 12 min, 3 h 5 min, 2 d 4 h."""
    if seconds is None:
        return "—"
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    m = s // 60
    if m < 60:
        return f"{m} min"
    h, m = divmod(m, 60)
    if h < 48:
        return f"{h} h {m} min" if m else f"{h} h"
    d, h = divmod(h, 24)
    return f"{d} d {h} h" if h else f"{d} d"


def percent(share: float | None) -> str:
    """A 0–1 share as a whole percentage."""
    return "—" if share is None else f"{share * 100:.0f}%"


def day(value: str | datetime | None) -> str:
    """A date as '3 May 2026'."""
    if value is None:
        return "—"
    ts = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{ts.day} {ts:%b %Y}"


def sparkline(values: Sequence[float | None]) -> str:
    """A small trend line; gaps (None) are spaces."""
    nums = [v for v in values if v is not None]
    if not nums:
        return ""
    lo, hi = min(nums), max(nums)
    span = (hi - lo) or 1.0
    return "".join(
        " " if v is None else SPARK[min(len(SPARK) - 1, int((v - lo) / span * (len(SPARK) - 1) + 0.5))]
        for v in values
    )


def bar(share: float | None, width: int = 20) -> Text:
    """A two-colour bar: my share on the left, theirs on the right."""
    if share is None:
        return Text("—")
    mine = int(round(share * width))
    return Text("█" * mine, style="magenta") + Text("░" * (width - mine), style="cyan")


def print_imported(console: Console, chat: Any) -> None:
    """One line per imported chat: what was read and what was new."""
    span = f"{day(chat.first)} – {day(chat.last)}" if chat.first else "no messages"
    who = " · ".join(f"{name} {n}" for name, n in chat.by_sender.items())
    console.print(
        f"Imported {chat.source}: chat with {chat.them or '?'} ({chat.platform}), {span}.",
        markup=False,
    )
    console.print(
        f"  {chat.messages} messages ({who}); {chat.added} new, {chat.already_known} already known. "
        f"You are {chat.me}.",
        markup=False,
    )


def print_chats(console: Console, chats: Sequence[Any]) -> None:
    """The stored chats as a table."""
    if not chats:
        console.print(
            "No chats yet. Export one from your phone and run: "
            "fonder import \"WhatsApp Chat with NAME.zip\" --me YOUR_NAME",
            markup=False,
        )
        return
    table = Table(box=None, header_style="bold")
    for col in ("chat", "with", "you", "platform", "messages", "from", "to"):
        table.add_column(col)
    for c in chats:
        table.add_row(
            c.chat_id, c.them or "—", c.me or "—", c.platform, str(c.messages), day(c.first), day(c.last)
        )
    console.print(table)


def print_ledger(console: Console, rows: Sequence[dict[str, Any]]) -> None:
    """The import ledger as a table."""
    if not rows:
        console.print("No imports yet.")
        return
    table = Table(box=None, header_style="bold")
    for col in ("when", "file", "format", "chat", "rows", "new", "known", "sha256"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            f"{r['imported_at']:%Y-%m-%d %H:%M}", r["file_name"], r["importer"], r["chat_id"],
            str(r["rows_read"]), str(r["added"]), str(r["already_known"]), r["file_sha256"][:12],
        )
    console.print(table)


def print_tone(console: Console, row: dict[str, Any]) -> None:
    """A message with its labels and the words that triggered each."""
    text = row["text"]
    styled = Text(text)
    for lab in row["labels"]:
        start, end = lab["span"]
        styled.stylize("bold underline", start, end)
    console.print(styled)
    if not row["labels"]:
        console.print("  no labels", style="dim")
    for lab in row["labels"]:
        start, end = lab["span"]
        console.print(f"  {lab['label']:<20} “{lab['match']}”  [{start}:{end}]", markup=False)
    if row.get("valence") is not None:
        console.print(f"  valence {row['valence']:+.2f}", style="dim")


def print_report(console: Console, doc: dict[str, Any]) -> None:
    """The report: who is who, then each signal in plain words with its numbers."""
    chat = doc["chat"]
    sig = doc["signals"]
    me, them = chat["me"] or "you", chat["them"] or "them"
    total = chat["messages"]["me"] + chat["messages"]["them"]
    console.rule(f"fonder · you ({me}) and {them}")
    console.print(
        f"{', '.join(chat['platforms'])} · {day(chat['first'])} – {day(chat['last'])} · "
        f"{total} messages (you {chat['messages']['me']}, {them} {chat['messages']['them']})",
        markup=False,
    )
    if total == 0:
        console.print("There are no messages in this window.")
        return
    for render in _SECTIONS:
        render(console, sig, me, them)


def _conversations(console: Console, sig: dict[str, Any], me: str, them: str) -> None:
    conv = sig.get("conversations")
    if not conv:
        return
    total = conv["total"]
    mine = conv["started_by"]["me"]
    share = mine / total if total else None
    console.print()
    console.print(Text("Who reaches out", style="bold"))
    console.print(
        f"  {total} conversations; you started {mine} ({percent(share)}), {them} started "
        f"{conv['started_by']['them']}.",
        markup=False,
    )


def _latency(console: Console, sig: dict[str, Any], me: str, them: str) -> None:
    lat = sig.get("latency_s")
    if not lat:
        return
    console.print()
    console.print(Text("How long replies take", style="bold"))
    for who, name in (("me", "you"), ("them", them)):
        console.print(
            f"  {name}: usually {duration(lat[who]['median'])}; one in four replies takes longer "
            f"than {duration(lat[who]['p75'])}.",
            markup=False,
        )


def _follow_ups(console: Console, sig: dict[str, Any], me: str, them: str) -> None:
    fu = sig.get("follow_ups")
    if not fu:
        return
    console.print()
    console.print(Text("Messages sent again before a reply", style="bold"))
    for who, name in (("me", "you"), ("them", them)):
        console.print(
            f"  {name}: {fu[who]['count']} follow-ups with no reply in between; longest run "
            f"{fu[who]['longest_streak']} in a row.",
            markup=False,
        )


def _shares(console: Console, sig: dict[str, Any], me: str, them: str) -> None:
    sh = sig.get("shares")
    bal = sig.get("balance")
    if not sh:
        return
    console.print()
    console.print(Text("Your share (you ◀ ▶ " + them + ")", style="bold"))
    rows = [("messages", sh.get("messages")), ("words", sh.get("words")), ("questions", sh.get("questions"))]
    if bal and bal.get("composite") is not None:
        rows.append(("effort overall", bal["composite"]))
    for name, value in rows:
        line = Text(f"  {name:<15}") + bar(value) + Text(f"  {percent(value)}")
        console.print(line)


_SECTIONS = [_conversations, _latency, _follow_ups, _shares]
