"""The report and other results as Rich terminal text. Renders only: computes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from fonder.coach import messages as M

SPARK = "▁▂▃▄▅▆▇█"


duration = M.duration_exact  # also read by the HTML report
percent = M.pct_or_none


def day(value: str | datetime | None) -> str:
    """A date as '3 May 2026' (an ISO string or a datetime)."""
    if value is None:
        return M.TERM_NONE
    return M.day_year(datetime.fromisoformat(value) if isinstance(value, str) else value)


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
        return Text(M.TERM_NONE)
    mine = int(round(share * width))
    return Text("█" * mine, style="magenta") + Text("░" * (width - mine), style="cyan")


def print_imported(console: Console, chat: Any) -> None:
    """One line per imported chat: what was read and what was new."""
    span = M.TERM_SPAN.format(first=day(chat.first), last=day(chat.last)) if chat.first else M.TERM_NO_MESSAGES
    who = " · ".join(f"{name} {n}" for name, n in chat.by_sender.items())
    console.print(
        M.TERM_IMPORTED.format(
            source=chat.source, them=chat.them or M.TERM_UNKNOWN_NAME, platform=chat.platform, span=span
        ),
        markup=False,
    )
    console.print(
        "  " + M.TERM_IMPORTED_COUNTS.format(
            messages=chat.messages, senders=who, added=chat.added, known=chat.already_known, me=chat.me
        ),
        markup=False,
    )


def print_chats(console: Console, chats: Sequence[Any]) -> None:
    """The stored chats as a table."""
    if not chats:
        console.print(M.TERM_NO_CHATS, markup=False)
        return
    table = Table(box=None, header_style="bold")
    for col in M.TERM_CHATS_COLUMNS:
        table.add_column(col)
    for c in chats:
        table.add_row(
            c.chat_id, c.them or M.TERM_NONE, c.me or M.TERM_NONE, c.platform, str(c.messages), day(c.first), day(c.last)
        )
    console.print(table)


def print_ledger(console: Console, rows: Sequence[dict[str, Any]]) -> None:
    """The import ledger as a table."""
    if not rows:
        console.print(M.TERM_NO_IMPORTS)
        return
    table = Table(box=None, header_style="bold")
    for col in M.TERM_LEDGER_COLUMNS:
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
        console.print(f"  {M.TERM_NO_TONE_LABELS}", style="dim")
    for lab in row["labels"]:
        start, end = lab["span"]
        console.print(f"  {lab['label']:<20} {M.quote(lab['match'])}  [{start}:{end}]", markup=False)
    if row.get("valence") is not None:
        console.print("  " + M.TERM_VALENCE.format(valence=row["valence"]), style="dim")


def print_report(console: Console, doc: dict[str, Any]) -> None:
    """The report: who is who, then each signal in plain words with its numbers."""
    chat = doc["chat"]
    sig = doc["signals"]
    me, them = chat["me"] or M.TERM_YOU, chat["them"] or M.TERM_THEM
    total = chat["messages"]["me"] + chat["messages"]["them"]
    console.rule(M.TERM_REPORT_TITLE.format(me=me, them=them))
    console.print(
        M.TERM_REPORT_SUBTITLE.format(
            platforms=", ".join(chat["platforms"]),
            span=M.TERM_SPAN.format(first=day(chat["first"]), last=day(chat["last"])),
            total=total,
            me_n=chat["messages"]["me"],
            them=them,
            them_n=chat["messages"]["them"],
        ),
        markup=False,
    )
    if total == 0:
        console.print(M.TERM_REPORT_EMPTY)
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
        console.print(Text(M.TERM_TOP_ACTIONS, style="bold"))
        for i, action in enumerate(actions, 1):
            console.print(f"  {i}. {action}", markup=False)
    for render in _SECTIONS:
        render(console, sig, me, them)
    findings = doc.get("findings") or []
    if findings:
        console.print()
        console.rule(M.TERM_FINDINGS_RULE)
        for f in findings:
            print_finding(console, f, them)


_SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}


def _when(ts: str) -> str:
    return M.day_clock(datetime.fromisoformat(ts))


def _examples(console: Console, examples: Sequence[dict[str, Any]], them: str) -> None:
    for ex in examples[:3]:
        who = M.TERM_YOU if ex.get("who") == "me" else them
        console.print(f"      {_when(ex['ts'])}  {who}: {M.quote(ex['text'])}", markup=False)


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
        console.print(Text("    " + M.TERM_RESEARCH.format(research=f["research"]), style="dim"))


def print_safety(console: Console, safety: dict[str, Any]) -> None:
    """The safety section: what was seen and where to get help. No coaching."""
    console.print()
    console.rule(Text(safety.get("title") or M.TERM_SAFETY_RULE, style="bold red"))
    console.print(f"  {safety['sentence']}", markup=False)
    for ex in (safety.get("examples") or [])[:3]:
        console.print(f"      {_when(ex['ts'])}: {M.quote(ex['text'])}", markup=False)
    for line in safety.get("help") or []:
        console.print(Text(f"  {line}", style="bold"))
    if safety.get("note"):
        console.print(Text(f"  {safety['note']}", style="dim"))
    console.rule()


def print_plan(console: Console, plan: dict[str, Any]) -> None:
    """The next seven days."""
    them = (plan.get("chat") or {}).get("them") or M.TERM_THEM
    console.rule(M.TERM_PLAN_TITLE.format(span=M.TERM_SPAN.format(first=day(plan.get("start")), last=day(plan.get("end")))))
    if plan.get("safety_first"):
        console.print(Text(M.TERM_PLAN_SAFETY, style="bold red"))
    for note in plan.get("notes") or []:
        console.print(f"  {note}", markup=False)
    if plan.get("space"):
        console.print()
        console.print(Text(M.TERM_PLAN_SPACE.format(them=them), style="bold"))
        for rule in plan["space"]:
            console.print(f"  · {rule['text']}", markup=False)
    if plan.get("own_life"):
        console.print()
        console.print(Text(M.TERM_PLAN_OWN_LIFE, style="bold"))
        for item in plan["own_life"]:
            console.print(f"  · {item['title']} — {item['why']}", markup=False)
    if plan.get("date_ideas"):
        console.print()
        console.print(Text(M.TERM_PLAN_DATE_IDEAS, style="bold"))
        for idea in plan["date_ideas"]:
            tags = ", ".join(str(idea[k]) for k in ("cost", "setting") if idea.get(k))
            console.print(f"  · {idea['title']} ({tags})", markup=False)


_VERDICT_STYLE = {"send": "bold green", "wait": "bold yellow", "rethink": "bold red"}


def print_check(console: Console, draft: str, verdict: dict[str, Any]) -> None:
    """The verdict on a draft, its reasons and a kinder version when there is one."""
    word = M.TERM_VERDICT.get(verdict["verdict"], verdict["verdict"].upper())
    console.print(Text(word, style=_VERDICT_STYLE.get(verdict["verdict"], "bold")))
    if verdict.get("wait_until"):
        until = datetime.fromisoformat(verdict["wait_until"])
        console.print("  " + M.TERM_CHECK_UNTIL.format(day=day(until), clock=M.clock(until)), markup=False)
    for reason in verdict.get("reasons") or []:
        console.print(f"  · {reason}", markup=False)
    if verdict.get("labels"):
        console.print(Text("  " + M.TERM_CHECK_LABELS.format(labels=", ".join(verdict["labels"])), style="dim"))
    if verdict.get("suggestion"):
        console.print()
        console.print(Text(M.TERM_CHECK_KINDER, style="bold"))
        console.print(f"  {M.quote(verdict['suggestion'])}", markup=False)


def _conversations(console: Console, sig: dict[str, Any], me: str, them: str) -> None:
    conv = sig.get("conversations")
    if not conv:
        return
    total = conv["total"]
    mine = conv["started_by"]["me"]
    share = mine / total if total else None
    console.print()
    console.print(Text(M.TERM_CONVERSATIONS, style="bold"))
    console.print(
        "  " + M.TERM_CONVERSATIONS_LINE.format(
            total=total, mine=mine, share=percent(share), them=them, theirs=conv["started_by"]["them"]
        ),
        markup=False,
    )


def _latency(console: Console, sig: dict[str, Any], me: str, them: str) -> None:
    lat = sig.get("latency_s")
    if not lat:
        return
    console.print()
    console.print(Text(M.TERM_LATENCY, style="bold"))
    for who, name in (("me", M.TERM_YOU), ("them", them)):
        console.print(
            "  " + M.TERM_LATENCY_LINE.format(
                name=name, median=duration(lat[who]["median"]), p75=duration(lat[who]["p75"])
            ),
            markup=False,
        )


def _follow_ups(console: Console, sig: dict[str, Any], me: str, them: str) -> None:
    fu = sig.get("follow_ups")
    if not fu:
        return
    console.print()
    console.print(Text(M.TERM_FOLLOW_UPS, style="bold"))
    for who, name in (("me", M.TERM_YOU), ("them", them)):
        console.print(
            "  " + M.TERM_FOLLOW_UPS_LINE.format(
                name=name, count=fu[who]["count"], streak=fu[who]["longest_streak"]
            ),
            markup=False,
        )


def _shares(console: Console, sig: dict[str, Any], me: str, them: str) -> None:
    sh = sig.get("shares")
    bal = sig.get("balance")
    if not sh:
        return
    console.print()
    console.print(Text(M.TERM_SHARES.format(them=them), style="bold"))
    rows = [(M.TERM_SHARE_ROWS[key], sh.get(key)) for key in ("messages", "words", "questions")]
    if bal and bal.get("composite") is not None:
        rows.append((M.TERM_SHARE_ROWS["composite"], bal["composite"]))
    for name, value in rows:
        line = Text(f"  {name:<15}") + bar(value) + Text(f"  {percent(value)}")
        console.print(line)


def _ratio_words(ratio: float | None, key: str) -> str | None:
    if ratio is None:
        return None
    more, less = M.TERM_PULL_CHANGES[key]
    if ratio >= 1.15:
        return M.TERM_RATIO_MORE.format(ratio=ratio, what=more)
    if ratio <= 0.87:
        return M.TERM_RATIO_LESS.format(pct=(1 - ratio) * 100, what=less)
    return None


def _pull_away(console: Console, sig: dict[str, Any], me: str, them: str) -> None:
    pa = sig.get("pull_away")
    if not pa:
        return
    console.print()
    console.print(Text(M.TERM_PULL_AWAY.format(them=them), style="bold"))
    if pa.get("status") != "ok":
        console.print(
            "  " + M.TERM_PULL_TOO_EARLY.format(reason=pa.get("reason") or M.TERM_PULL_TOO_FEW_WEEKS), markup=False
        )
        return
    weekly = sig.get("weekly") or {}
    his = weekly.get("them") or {}
    if pa.get("detected"):
        ch = pa.get("changes") or {}
        parts = [
            w
            for w in (_ratio_words(ch.get(key), key) for key in M.TERM_PULL_CHANGES)
            if w
        ]
        delta = ch.get("starts_share_delta")
        if delta is not None and abs(delta) >= 0.1:
            starts = M.TERM_PULL_STARTS_MORE if delta > 0 else M.TERM_PULL_STARTS_FEWER
            parts.append(starts.format(points=delta * 100))
        console.print(
            "  " + M.TERM_PULL_YES.format(
                since=day(pa["since"]),
                confidence=percent(pa.get("confidence")),
                changes=M.TERM_PULL_JOIN.join(parts) if parts else M.TERM_PULL_DIFFERENT,
            ),
            markup=False,
        )
    else:
        console.print("  " + M.TERM_PULL_NO.format(them=them), markup=False)
    if his:
        console.print(
            "  " + M.TERM_PULL_SPARK_LATENCY.format(spark=sparkline(his.get("latency_median_s") or [])), markup=False
        )
        console.print("  " + M.TERM_PULL_SPARK_MESSAGES.format(spark=sparkline(his.get("messages") or [])), markup=False)


def _longing(console: Console, sig: dict[str, Any], me: str, them: str) -> None:
    lg = sig.get("longing")
    if not lg or lg.get("status") != "ok":
        return
    console.print()
    console.print(Text(M.TERM_LONGING.format(them=them), style="bold"))
    months = lg.get("per_month") or []
    rate = (lg.get("per_month_rate") or {}).get("them")
    per_month = M.TERM_LONGING_RATE.format(rate=rate) if rate is not None else ""
    console.print(
        "  " + M.TERM_LONGING_LINE.format(
            them=them,
            them_n=lg["them"],
            per_month=per_month,
            me_n=lg["me"],
            first_them=lg["first_by"]["them"],
            first_me=lg["first_by"]["me"],
        ),
        markup=False,
    )
    if months:
        console.print(
            "  " + M.TERM_LONGING_MONTHS.format(
                spark=sparkline([m["them"] for m in months]), counts=", ".join(str(m["them"]) for m in months)
            ),
            markup=False,
        )
    ab = sig.get("absence")
    if ab and ab.get("silences"):
        hours = ab.get("median_hours_to_reach_out")
        after = M.TERM_ABSENCE_AFTER.format(median=duration(hours * 3600)) if hours is not None else ""
        console.print(
            "  " + M.TERM_ABSENCE_LINE.format(
                silences=ab["silences"], them=them, reached=ab["they_reached_out"], after=after
            ),
            markup=False,
        )


def _balance(console: Console, sig: dict[str, Any], me: str, them: str) -> None:
    bal = sig.get("balance")
    if not bal or not bal.get("weekly"):
        return
    values = [w.get("composite") for w in bal["weekly"]]
    console.print()
    console.print(Text(M.TERM_BALANCE, style="bold"))
    console.print(
        "  " + M.TERM_BALANCE_SPARK.format(
            spark=sparkline(values), now=percent(next((v for v in reversed(values) if v is not None), None))
        ),
        markup=False,
    )
    over = bal.get("weeks_over_threshold") or 0
    threshold = bal.get("threshold", 0.65)
    if over:
        span = M.TERM_BALANCE_LAST_WEEK if over == 1 else M.TERM_BALANCE_LAST_WEEKS.format(weeks=over)
        console.print("  " + M.TERM_BALANCE_OVER.format(span=span, threshold=percent(threshold)), markup=False)
    pw = sig.get("pursue_withdraw")
    if pw and pw.get("status") == "ok" and pw.get("reading") not in (None, "none"):
        console.print("  " + M.TERM_PURSUE.format(reading=pw["reading"], r=pw["r"]), markup=False)


def _style(console: Console, sig: dict[str, Any], me: str, them: str) -> None:
    st = sig.get("style")
    if not st or st.get("lsm") is None:
        return
    console.print()
    console.print(Text(M.TERM_STYLE, style="bold"))
    console.print(
        "  " + M.TERM_STYLE_LINE.format(
            lsm=st["lsm"], me_we=st["we_per_100"]["me"], them=them, them_we=st["we_per_100"]["them"]
        ),
        markup=False,
    )


_SECTIONS = [_pull_away, _longing, _conversations, _latency, _follow_ups, _shares, _balance, _style]
