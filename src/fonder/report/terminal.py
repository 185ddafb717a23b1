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
    if doc.get("safety"):
        print_safety(console, doc["safety"])
    headline = doc.get("headline")
    if headline:
        console.print()
        console.print(Text(headline["sentence"], style="bold"))
        for fact in headline.get("facts", [])[:3]:
            console.print(f"  · {fact}", markup=False)
    actions = doc.get("top_actions") or []
    if actions:
        console.print()
        console.print(Text("This week, three things", style="bold"))
        for i, action in enumerate(actions, 1):
            console.print(f"  {i}. {action}", markup=False)
    for render in _SECTIONS:
        render(console, sig, me, them)
    findings = doc.get("findings") or []
    if findings:
        console.print()
        console.rule("What fonder sees, principle by principle")
        for f in findings:
            print_finding(console, f, them)


_SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}


def _when(ts: str) -> str:
    moment = datetime.fromisoformat(ts)
    return f"{moment.day} {moment:%b %H:%M}"


def _examples(console: Console, examples: Sequence[dict[str, Any]], them: str) -> None:
    for ex in examples[:3]:
        who = "you" if ex.get("who") == "me" else them
        console.print(f"      {_when(ex['ts'])}  {who}: “{ex['text']}”", markup=False)


def print_finding(console: Console, f: dict[str, Any], them: str) -> None:
    """One finding: principle, severity, title, evidence, examples, what to do."""
    console.print()
    head = Text(f"{f['principle']} ", style="dim") + Text(
        f"[{f['severity']}] ", style=_SEVERITY_STYLE.get(f["severity"], "")
    ) + Text(f["title"], style="bold")
    console.print(head)
    evidence = f.get("evidence") or {}
    for fact in evidence.get("facts", []):
        console.print(f"    · {fact}", markup=False)
    _examples(console, evidence.get("examples", []), them)
    if f.get("advice"):
        console.print(Text("    → ") + Text(f["advice"]))
    if f.get("research"):
        console.print(Text(f"    research: {f['research']}", style="dim"))


def print_safety(console: Console, safety: dict[str, Any]) -> None:
    """The safety section: what was seen and where to get help. No coaching."""
    console.print()
    console.rule(Text(safety.get("title") or "Your safety comes first", style="bold red"))
    console.print(f"  {safety['sentence']}", markup=False)
    for ex in (safety.get("examples") or [])[:3]:
        console.print(f"      {_when(ex['ts'])}: “{ex['text']}”", markup=False)
    for line in safety.get("help") or []:
        console.print(Text(f"  {line}", style="bold"))
    if safety.get("note"):
        console.print(Text(f"  {safety['note']}", style="dim"))
    console.rule()


def print_plan(console: Console, plan: dict[str, Any]) -> None:
    """The next seven days."""
    them = (plan.get("chat") or {}).get("them") or "them"
    console.rule(f"Your next seven days · {day(plan.get('start'))} – {day(plan.get('end'))}")
    if plan.get("safety_first"):
        console.print(Text("Your safety comes first: see the safety section of your report.", style="bold red"))
    for note in plan.get("notes") or []:
        console.print(f"  {note}", markup=False)
    if plan.get("space"):
        console.print()
        console.print(Text(f"Space for {them} to reach you", style="bold"))
        for rule in plan["space"]:
            console.print(f"  · {rule['text']}", markup=False)
    if plan.get("own_life"):
        console.print()
        console.print(Text("For your own week", style="bold"))
        for item in plan["own_life"]:
            console.print(f"  · {item['title']} — {item['why']}", markup=False)
    if plan.get("date_ideas"):
        console.print()
        console.print(Text("Five things you haven't done together", style="bold"))
        for idea in plan["date_ideas"]:
            tags = ", ".join(str(idea[k]) for k in ("cost", "setting") if idea.get(k))
            console.print(f"  · {idea['title']} ({tags})", markup=False)


_VERDICT_STYLE = {"send": "bold green", "wait": "bold yellow", "rethink": "bold red"}


def print_check(console: Console, draft: str, verdict: dict[str, Any]) -> None:
    """The verdict on a draft, its reasons and a kinder version when there is one."""
    console.print(Text(verdict["verdict"].upper(), style=_VERDICT_STYLE.get(verdict["verdict"], "bold")))
    if verdict.get("wait_until"):
        console.print(f"  until {day(verdict['wait_until'])} {datetime.fromisoformat(verdict['wait_until']):%H:%M}", markup=False)
    for reason in verdict.get("reasons") or []:
        console.print(f"  · {reason}", markup=False)
    if verdict.get("labels"):
        console.print(Text(f"  labels: {', '.join(verdict['labels'])}", style="dim"))
    if verdict.get("suggestion"):
        console.print()
        console.print(Text("Kinder, and closer to what you mean:", style="bold"))
        console.print(f"  “{verdict['suggestion']}”", markup=False)


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


def _ratio_words(ratio: float | None, more: str, less: str) -> str | None:
    if ratio is None:
        return None
    if ratio >= 1.15:
        return f"{ratio:.1f}× {more}"
    if ratio <= 0.87:
        return f"{(1 - ratio) * 100:.0f}% {less}"
    return None


def _pull_away(console: Console, sig: dict[str, Any], me: str, them: str) -> None:
    pa = sig.get("pull_away")
    if not pa:
        return
    console.print()
    console.print(Text(f"Is {them} pulling away?", style="bold"))
    if pa.get("status") != "ok":
        console.print(f"  Not enough data to say yet ({pa.get('reason') or 'too few weeks'}).", markup=False)
        return
    weekly = sig.get("weekly") or {}
    his = weekly.get("them") or {}
    if pa.get("detected"):
        ch = pa.get("changes") or {}
        parts = [
            w
            for w in (
                _ratio_words(ch.get("latency_ratio"), "longer to reply", "faster replies"),
                _ratio_words(ch.get("volume_ratio"), "more messages", "fewer messages"),
                _ratio_words(ch.get("length_ratio"), "longer messages", "shorter messages"),
            )
            if w
        ]
        delta = ch.get("starts_share_delta")
        if delta is not None and abs(delta) >= 0.1:
            parts.append(f"{'more' if delta > 0 else 'fewer'} of the conversations started by him ({delta * 100:+.0f} points)")
        console.print(
            f"  Yes, since {day(pa['since'])} (confidence {percent(pa.get('confidence'))}): "
            + ("; ".join(parts) if parts else "he writes differently")
            + ", compared with his own earlier weeks.",
            markup=False,
        )
    else:
        console.print(f"  No: {them}'s pace is steady against his own earlier weeks.", markup=False)
    if his:
        console.print(f"  his reply time, weekly   {sparkline(his.get('latency_median_s') or [])}", markup=False)
        console.print(f"  his messages, weekly     {sparkline(his.get('messages') or [])}", markup=False)


def _longing(console: Console, sig: dict[str, Any], me: str, them: str) -> None:
    lg = sig.get("longing")
    if not lg or lg.get("status") != "ok":
        return
    console.print()
    console.print(Text(f"Does {them} miss you?", style="bold"))
    months = lg.get("per_month") or []
    rate = (lg.get("per_month_rate") or {}).get("them")
    per_month = f" ({rate:.1f} a month)" if rate is not None else ""
    console.print(
        f"  {them} wrote that he misses you or can't wait to see you {lg['them']} times"
        f"{per_month}; you did {lg['me']} times. "
        f"He said it first {lg['first_by']['them']} times, you {lg['first_by']['me']}.",
        markup=False,
    )
    if months:
        console.print(
            f"  his, month by month      {sparkline([m['them'] for m in months])}  "
            f"({', '.join(str(m['them']) for m in months)})",
            markup=False,
        )
    ab = sig.get("absence")
    if ab and ab.get("silences"):
        hours = ab.get("median_hours_to_reach_out")
        after = f", after {duration(hours * 3600)} (median)" if hours is not None else ""
        console.print(
            f"  {ab['silences']} times you went quiet for a day or more; {them} reached out "
            f"first {ab['they_reached_out']} times{after}.",
            markup=False,
        )


def _balance(console: Console, sig: dict[str, Any], me: str, them: str) -> None:
    bal = sig.get("balance")
    if not bal or not bal.get("weekly"):
        return
    values = [w.get("composite") for w in bal["weekly"]]
    console.print()
    console.print(Text("Is the effort mutual?", style="bold"))
    console.print(
        f"  your share of the effort, weekly  {sparkline(values)}  "
        f"(now {percent(next((v for v in reversed(values) if v is not None), None))})",
        markup=False,
    )
    over = bal.get("weeks_over_threshold") or 0
    threshold = bal.get("threshold", 0.65)
    if over:
        span = "This last week" if over == 1 else f"The last {over} weeks in a row"
        console.print(f"  {span} you carried more than {percent(threshold)} of it.", markup=False)
    pw = sig.get("pursue_withdraw")
    if pw and pw.get("status") == "ok" and pw.get("reading") not in (None, "none"):
        console.print(
            f"  When his replies slowed, your follow-ups rose ({pw['reading']} link, r = {pw['r']:.2f}).",
            markup=False,
        )


def _style(console: Console, sig: dict[str, Any], me: str, them: str) -> None:
    st = sig.get("style")
    if not st or st.get("lsm") is None:
        return
    console.print()
    console.print(Text("How you write to each other", style="bold"))
    console.print(
        f"  style matching {st['lsm']:.2f} (1 = the same small words in the same measure); "
        f"'we/us/our' per 100 words: you {st['we_per_100']['me']:.1f}, {them} {st['we_per_100']['them']:.1f}.",
        markup=False,
    )


_SECTIONS = [_pull_away, _longing, _conversations, _latency, _follow_ups, _shares, _balance, _style]
