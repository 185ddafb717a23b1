"""Findings for each principle (P0–P10, S1), the headline (P0) and the safety section (S1).

Each ``_p*`` function reads the prepared chat and the analysis ``signals`` and returns one
:class:`Finding` with its evidence, or ``None`` when there is nothing measured to say. The
rules and their numbers are listed in ``docs/coach.md``; the words live in
:mod:`fonder.coach.messages`.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any, Final

import polars as pl

from fonder.coach import messages as M
from fonder.coach.base import (
    RECENT_DAYS,
    SAFETY_LABELS,
    Chat,
    Evidence,
    Finding,
    Headline,
    Safety,
    cap_severity,
    flag,
    max_severity,
    prepare,
    severity_rank,
)

# --- thresholds (documented in docs/coach.md) ----------------------------------------------------

#: Headline trend: the recent window and the least earlier span it is compared with.
TREND_DAYS: Final[int] = 56
TREND_MIN_EARLIER_DAYS: Final[int] = 28
#: Down when recent < this × expected (and at least TREND_MIN_GAP fewer); up when > UP × expected.
TREND_DOWN: Final[float] = 0.6
TREND_UP: Final[float] = 1.5
TREND_MIN_GAP: Final[float] = 2.0
#: A silence is told in the headline when it is the longest and at least this long (hours).
HEADLINE_SILENCE_H: Final[float] = 48.0

#: S1 fires on one threat or insult from him, or this many control/jealousy messages.
SAFETY_MIN_CONTROL: Final[int] = 2

#: P1 thresholds.
FU_SHARE_HIGH, FU_RATE_HIGH = 0.75, 5.0
FU_SHARE_MEDIUM, FU_RATE_MEDIUM = 0.65, 3.0
FU_SHARE_LOW = 0.6
FU_PEAK_FACTOR = 2.0  # a past 4-week window at least this times her usual rate
STARTS_MEDIUM, STARTS_LOW, STARTS_MIN = 0.7, 0.6, 6
MESSAGES_MEDIUM, MESSAGES_LOW = 0.75, 0.65
REASSURE_MEDIUM, REASSURE_LOW = 5, 2
REASSURE_MEDIUM_SHARE = 0.01  # …and at least this share of her recent messages for "medium"
LATE_SHARE, LATE_FACTOR = 0.15, 2.0

#: P1 reasons in the order their titles win ties.
P1_KEYS: Final[tuple[str, ...]] = ("follow_ups", "follow_ups_past", "reassurance", "starts", "messages", "late")

#: P3: weeks in a row above the one-sided threshold.
P3_WEEKS_HIGH, P3_WEEKS_MEDIUM, P3_WEEKS_LOW = 8, 4, 2
P3_COMPOSITE_LOW = 0.58

#: P4: narration in the last 4 weeks and question share.
P4_NARRATION_RECENT, P4_NARRATION_FACTOR = 3, 3.0
P4_QUESTION_SHARE, P4_QUESTION_MIN = 0.7, 20

#: P5: her own-life share falls below this fraction of before, or is this thin overall.
P5_FADING, P5_MIN_EARLIER, P5_THIN, P5_THIN_MIN = 0.5, 0.05, 0.02, 200
P5_SOME = 0.05  # under this share (and above P5_THIN): "some of your own life comes through"

#: P6: her criticism/contempt/defensiveness/demands in the last 4 weeks.
P6_MEDIUM, P6_LOW = 4, 2
P6_CLASH_MIN = 2  # such messages in a day for a clash

#: P7: no thanks from her in this many weeks (with at least P7_MIN_MESSAGES of hers).
P7_WEEKS, P7_MIN_MESSAGES = 8, 100

#: P8: plans share and days since anything new.
P8_PLANS_SHARE, P8_PLANS_MIN, P8_STALE_DAYS = 0.75, 4, 60

#: P9: playfulness falling below this fraction of before (from at least P9_MIN_EARLIER).
P9_FADING, P9_MIN_EARLIER = 0.5, 0.05
P9_LITTLE = 0.02  # under this share of all messages: "not much playfulness so far"

#: P10: one side says it this many times more (and at least this many messages more).
P10_FACTOR, P10_MIN_GAP = 2.0, 5

#: Order among findings of the same severity: what matters most first.
PRIORITY: Final[tuple[str, ...]] = (
    "S1", "P2", "P3", "P1", "P0", "P6", "P10", "P8", "P5", "P7", "P4", "P9",
)

CONFLICT_LABELS: Final[tuple[str, ...]] = ("criticism", "contempt", "defensiveness", "demand")
WARM_LABELS: Final[tuple[str, ...]] = ("affection", "appreciation", "apology", "playful", "longing")


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


def findings(
    signals: dict[str, Any], messages: pl.DataFrame, labels: pl.DataFrame | None, *, me: str, them: str
) -> list[Finding]:
    """One finding per principle that has evidence, ranked (``rank`` 1 first)."""
    chat = prepare(messages, labels, me=me, them=them)
    return findings_of(chat, signals)


def findings_of(chat: Chat, signals: dict[str, Any]) -> list[Finding]:
    if chat.n == 0:
        return []
    saf = safety_of(chat)
    out: list[Finding] = []
    if saf is not None:
        out.append(_s1(chat, saf))
    safe_mode = saf is not None
    for fn in (_p0, _p1, _p2, _p3, _p4, _p5, _p6, _p7, _p8, _p9, _p10):
        f = fn(chat, signals)
        if f is not None:
            out.append(f)
    if safe_mode:
        # the safety section leads; no coaching of space, pace or the relationship meanwhile
        out = [
            f if f.principle in SAFE_MODE_KEEP else _replace(
                f, severity=cap_severity(f.severity, "low"), advice=M.SAFETY_OVERRIDE
            )
            for f in out
        ]
    if chat.short:
        note = M.SHORT_DATA.format(days=round(chat.days), n=chat.n)
        out = [
            f if f.principle == "S1" else _replace(
                f, severity=cap_severity(f.severity, "low"),
                evidence=Evidence([note, *f.evidence.facts], f.evidence.numbers, f.evidence.examples),
            )
            for f in out
        ]
    ranked = sorted(out, key=lambda f: (-severity_rank(f.severity), PRIORITY.index(f.principle)))
    return [_replace(f, rank=i + 1, name=M.PRINCIPLES[f.principle]) for i, f in enumerate(ranked)]


#: Findings whose advice stands when S1 fires (it is about her own life, not about him).
SAFE_MODE_KEEP: Final[tuple[str, ...]] = ("S1", "P5")

#: When fewer than three findings ask for change, these principles' advice fills the list.
EVERGREEN: Final[tuple[str, ...]] = ("P8", "P7", "P5", "P9")


def top_actions(found: list[Finding]) -> list[str]:
    """The three most important concrete actions, most important first."""
    actions: list[str] = []
    ranked = sorted(found, key=lambda f: f.rank or 99)
    if any(f.principle == "S1" for f in ranked):
        own = [f.advice for f in ranked if f.principle == "P5"]
        return [M.SAFETY_ACTION, M.SAFETY_ACTION_TRUST, *own][:3]
    for f in ranked:
        if f.principle != "S1" and f.severity != "info" and f.advice not in actions:
            actions.append(f.advice)
    by_p = {f.principle: f for f in ranked}
    for p in EVERGREEN:
        if p in by_p and by_p[p].advice not in actions:
            actions.append(by_p[p].advice)
    return actions[:3]


def headline(
    signals: dict[str, Any], messages: pl.DataFrame, labels: pl.DataFrame | None, *, me: str, them: str
) -> Headline:
    """Does he miss you? One sentence with its trend and the facts behind it (P0)."""
    chat = prepare(messages, labels, me=me, them=them)
    return headline_of(chat, signals)


def safety(messages: pl.DataFrame, labels: pl.DataFrame | None, *, them: str, me: str = "") -> Safety | None:
    """What his messages show of threats, insults, control or jealousy (S1); None when nothing."""
    chat = prepare(messages, labels, me=me, them=them)
    return safety_of(chat)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _replace(f: Finding, **kw: Any) -> Finding:
    from dataclasses import replace

    return replace(f, **kw)


def _div(a: float, b: float) -> float | None:
    return a / b if b else None


def _finding(
    principle: str, severity: str, title: str, facts: list[str], numbers: dict[str, Any],
    examples: list[dict[str, Any]], advice: str, research: str | None = None,
) -> Finding:
    return Finding(
        principle=principle, severity=severity, title=title,
        evidence=Evidence(facts=facts, numbers=numbers, examples=examples),
        advice=advice, research=research,
    )


def _recent(chat: Chat, days: int = RECENT_DAYS) -> datetime:
    return chat.since(days)  # type: ignore[return-value]


def _share(a: int, b: int) -> float | None:
    return _div(a, a + b)


def _r(x: float | None, d: int = 3) -> float | None:
    return None if x is None or not math.isfinite(x) else round(x, d)


# --------------------------------------------------------------------------------------------
# S1 — safety
# --------------------------------------------------------------------------------------------


def _label_words(counts: dict[str, int]) -> str:
    parts = []
    for name in SAFETY_LABELS:
        n = counts.get(name, 0)
        if n:
            one, many = M.SAFETY_LABEL_WORDS[name]
            parts.append(one if n == 1 else many)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def safety_of(chat: Chat) -> Safety | None:
    if not chat.has_labels or chat.n == 0:
        return None
    his = chat.msgs.filter(~pl.col("me"))
    counts = {name: int(his.get_column(flag(name)).sum()) for name in SAFETY_LABELS}
    severe = counts["threat"] + counts["insult"]
    controlling = int(his.filter(pl.col(flag("control")) | pl.col(flag("jealousy"))).height)
    if severe == 0 and controlling < SAFETY_MIN_CONTROL:
        return None
    any_flag = pl.any_horizontal([pl.col(flag(n)) for n in SAFETY_LABELS])
    hits = his.filter(any_flag)
    counts = {k: v for k, v in counts.items() if v}
    what = _label_words(counts)
    first, last = hits.get_column("ts").min(), hits.get_column("ts").max()
    return Safety(
        title=M.SAFETY_TITLE,
        sentence=M.SAFETY_SENTENCE.format(n=hits.height, them=chat.them_name or "him", what=what),
        counts=counts,
        messages=hits.height,
        first=chat.local(first) if first is not None else None,  # type: ignore[arg-type]
        last=chat.local(last) if last is not None else None,  # type: ignore[arg-type]
        examples=chat.examples(SAFETY_LABELS, who="them"),
        help=list(M.SAFETY_HELP),
        note=M.SAFETY_NOTE,
    )


def _s1(chat: Chat, saf: Safety) -> Finding:
    facts = [
        M.SAFETY_COUNT.format(
            n=n, what=M.SAFETY_LABEL_WORDS[k][0] if n == 1 else M.SAFETY_LABEL_WORDS[k][1]
        )
        for k, n in saf.counts.items()
    ]
    counted = "; ".join(facts)
    facts = [saf.sentence, counted[:1].upper() + counted[1:] + "."]
    if saf.first and saf.last:
        facts.append(M.SAFETY_SPAN.format(first=M.day(saf.first), last=M.day(saf.last)))
    return _finding(
        "S1", "high",
        M.SAFETY_FINDING_TITLE.format(them=chat.them_name or "His", what=_label_words(saf.counts)),
        facts, {"counts": saf.counts, "messages": saf.messages}, saf.examples,
        M.SAFETY_FINDING_ADVICE,
    )


# --------------------------------------------------------------------------------------------
# P0 — does he miss you? (also the headline)
# --------------------------------------------------------------------------------------------


def _longing_reading(chat: Chat, signals: dict[str, Any]) -> dict[str, Any]:
    """Everything the headline and P0 say: counts, windows, trend, silences."""
    key = ("longing", id(signals))
    if chat.memo.get("longing_key") == key:
        return {**chat.memo["longing"], "them_name": chat.them_name or "He"}
    out = _longing_reading_uncached(chat, signals)
    chat.memo["longing_key"], chat.memo["longing"] = key, out
    return out


def _longing_reading_uncached(chat: Chat, signals: dict[str, Any]) -> dict[str, Any]:
    them = chat.them_name or "He"
    out: dict[str, Any] = {"them_name": them}
    if chat.n == 0:
        out["state"] = "unknown"
        return out
    last, first = chat.last, chat.first
    cut = last - timedelta(days=TREND_DAYS)  # type: ignore[operator]
    earlier_days = max(0.0, (cut - first).total_seconds() / 86400.0)  # type: ignore[operator]
    out.update(days=round(chat.days), n=chat.n)
    if chat.has_labels:
        them_n, me_n = chat.count("longing", "them"), chat.count("longing", "me")
        recent = chat.count("longing", "them", start=cut)
        earlier = them_n - recent
        recent_days = min(float(TREND_DAYS), chat.days)
        out.update(them=them_n, me=me_n, recent=recent, earlier=earlier)
        out["recent_rate"] = _r(recent / recent_days * 30.0, 2) if recent_days else None
        out["earlier_rate"] = _r(earlier / earlier_days * 30.0, 2) if earlier_days >= 1 else None
        if chat.short or earlier_days < TREND_MIN_EARLIER_DAYS:
            trend = "unknown"
        else:
            expected = earlier / earlier_days * TREND_DAYS
            if recent < TREND_DOWN * expected and expected - recent >= TREND_MIN_GAP:
                trend = "down"
            elif recent > TREND_UP * expected and recent - expected >= TREND_MIN_GAP:
                trend = "up"
            else:
                trend = "steady"
            out["expected_recent"] = _r(expected, 2)
        out["trend"] = trend
        if chat.short:
            state = "short"
        elif them_n == 0:
            state = "never"
        elif trend == "down" and recent == 0:
            state = "stopped"
        else:
            state = trend
        out["state"] = state
    else:
        out["trend"] = "unknown"
        out["state"] = "no_labels"
    # absence response
    ab = signals.get("absence") or {}
    per = ab.get("per_silence") or []
    out["silences"] = len(per)
    out["reached"] = int(ab.get("they_reached_out") or 0)
    out["median_hours"] = ab.get("median_hours_to_reach_out")
    if per:
        longest = max(per, key=lambda s: s.get("hours") or 0.0)
        out["longest"] = longest
    # his longing that broke a silence of mine (computed here so it works without the flag)
    out["silence_longing"] = _silence_longing(chat, per)
    return out


def _silence_longing(chat: Chat, per: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The silences of hers during which he wrote a longing message, with the first such one."""
    if not chat.has_labels or not per:
        return []
    his = chat.msgs.filter(~pl.col("me") & pl.col(flag("longing"))).select("msg_id", "text", t="ts").sort("t")
    if his.height == 0:
        return []
    sil = pl.DataFrame({
        "i": list(range(len(per))),
        "start": [_parse(s.get("start")) for s in per],
        "end": [_parse(s.get("end")) or chat.last for s in per],
    }, schema={"i": pl.Int64, "start": pl.Datetime("us", "UTC"), "end": pl.Datetime("us", "UTC")}).sort("start")
    hit = sil.join_asof(his, left_on="start", right_on="t", strategy="forward", allow_exact_matches=False)
    hit = hit.filter(pl.col("t").is_not_null() & (pl.col("t") <= pl.col("end"))).sort("i")
    return [{**per[r["i"]], "msg": {"msg_id": r["msg_id"], "ts": r["t"], "text": r["text"]}}
            for r in hit.iter_rows(named=True)]


def _parse(x: str | None) -> datetime | None:
    if not x:
        return None
    return datetime.fromisoformat(x)


def headline_of(chat: Chat, signals: dict[str, Any]) -> Headline:
    r = _longing_reading(chat, signals)
    them = r["them_name"]
    state = r.get("state", "unknown")
    weeks = TREND_DAYS // 7
    fields = dict(them=them, weeks=weeks, days=r.get("days", 0), n=r.get("n", 0))
    if chat.n == 0:
        main = M.HEADLINE_EMPTY.format(**fields)
    elif state == "no_labels":
        main = M.HEADLINE_NO_LABELS.format(**fields)
    elif state == "short":
        main = M.HEADLINE_SHORT.format(**fields)
    elif state == "never":
        main = M.HEADLINE_NEVER.format(**fields)
    elif state == "stopped":
        main = M.HEADLINE_STOPPED.format(earlier=M.rate(r["earlier_rate"]), **fields)
    elif state == "down":
        main = M.HEADLINE_DOWN.format(
            recent_n=M.times(r["recent"]), recent=M.rate(r["recent_rate"]),
            earlier=M.rate(r["earlier_rate"]), **fields
        )
    elif state == "up":
        main = M.HEADLINE_UP.format(
            recent_times=M.times(r["recent"]), recent=M.rate(r["recent_rate"]),
            earlier=M.rate(r["earlier_rate"]), **fields
        )
    elif state == "steady":
        per_month = (r["them"] / max(chat.days, 1.0)) * 30.0
        if per_month < 1.0:
            main = M.HEADLINE_STEADY_RARE.format(every=M.rate(30.0 / 7.0 / per_month), **fields)
        else:
            main = M.HEADLINE_STEADY.format(rate=M.rate(per_month), **fields)
    else:
        main = M.HEADLINE_SHORT.format(**fields)
    tail = ""
    longest = r.get("longest")
    if longest and (longest.get("hours") or 0) >= HEADLINE_SILENCE_H and state not in ("short", "unknown"):
        start = _parse(longest["start"])
        broke = [s for s in r["silence_longing"] if s.get("start") == longest.get("start")]
        tmpl = (
            M.HEADLINE_TAIL_LONGING if broke
            else M.HEADLINE_TAIL_FIRST if longest.get("they_reached_out")
            else M.HEADLINE_TAIL_NOT
        )
        tail = tmpl.format(hours=M.hours(longest["hours"]), day=M.day(chat.local(start)) if start else "")
    sentence = main + tail + M.HEADLINE_END
    facts = _p0_facts(chat, r)
    if chat.short and chat.n:
        facts.insert(0, M.SHORT_DATA.format(days=round(chat.days), n=chat.n))
    numbers = {k: r.get(k) for k in ("them", "me", "recent", "earlier", "recent_rate", "earlier_rate",
                                     "silences", "reached", "median_hours", "trend")}
    return Headline(sentence=sentence, trend=r.get("trend", "unknown"), facts=facts, numbers=numbers)


def _p0_facts(chat: Chat, r: dict[str, Any]) -> list[str]:
    facts: list[str] = []
    if chat.has_labels and "them" in r:
        facts.append(M.FACT_LONGING_TOTAL.format(
            days=r["days"], them_times=M.times(r["them"]), me_times=M.times(r["me"])
        ))
        if r.get("trend") not in (None, "unknown"):
            facts.append(M.FACT_LONGING_WINDOWS.format(
                weeks=TREND_DAYS // 7, recent_times=M.times(r["recent"]),
                recent_rate=M.rate(r["recent_rate"]), earlier_rate=M.rate(r["earlier_rate"]),
            ))
    elif not chat.has_labels:
        facts.append(M.NO_LABELS)
    if r.get("silences"):
        facts.append(M.FACT_ABSENCE.format(
            silences_times=M.times(r["silences"]), reached=r["reached"],
            median=M.hours(r["median_hours"]) if r.get("median_hours") is not None else "—",
        ))
    elif chat.days >= 7:
        facts.append(M.FACT_ABSENCE_NONE)
    for s in r.get("silence_longing", [])[-1:]:
        start = _parse(s["start"])
        facts.append(M.FACT_SILENCE_LONGING.format(
            hours=M.hours(s["hours"]), day=M.day(chat.local(start)) if start else ""
        ))
    return facts


def _p0(chat: Chat, signals: dict[str, Any]) -> Finding | None:
    r = _longing_reading(chat, signals)
    state = r.get("state", "unknown")
    if state == "no_labels" and not r.get("silences"):
        return None
    them = r["them_name"]
    key = {"short": "unknown", "no_labels": "unknown"}.get(state, state)
    title = M.P0_TITLE.get(key, M.P0_TITLE["unknown"]).format(them=them)
    severity = {"stopped": "medium", "never": "low", "down": "low"}.get(state, "info")
    if state in ("down", "stopped", "never"):
        advice = M.P0_ADVICE_COOL
    elif state in ("up", "steady"):
        advice = M.P0_ADVICE_WARM
    else:
        advice = M.P0_ADVICE_UNKNOWN
    # his longing messages: those that broke a silence first, then the most recent
    examples = []
    broke_ids = {s["msg"]["msg_id"] for s in r.get("silence_longing", [])}
    if broke_ids:
        ex = chat.examples("longing", who="them", k=10)
        examples = [e for e in ex if e["id"] in broke_ids][-1:]
    more = chat.examples("longing", who="them", start=_recent(chat, TREND_DAYS))
    more = more or chat.examples("longing", who="them")
    for e in reversed(more):
        if len(examples) >= 3:
            break
        if e["id"] not in {x["id"] for x in examples}:
            examples.append(e)
    examples.sort(key=lambda e: e["ts"])
    numbers = {k: r.get(k) for k in ("them", "me", "recent", "earlier", "recent_rate", "earlier_rate",
                                     "trend", "silences", "reached", "median_hours")}
    return _finding("P0", severity, title, _p0_facts(chat, r), numbers, examples, advice)


# --------------------------------------------------------------------------------------------
# P1 — not trying too hard
# --------------------------------------------------------------------------------------------


def _fu_weekly(chat: Chat) -> pl.DataFrame:
    """Her and his unanswered follow-ups per local week, every week of the span."""
    m = chat.msgs
    weeks = pl.DataFrame({"week": pl.date_range(m["week"].min(), m["week"].max(), "1w", eager=True)})
    per = m.group_by("week").agg(
        me=(pl.col("fu") & pl.col("me")).sum().cast(pl.Int64),
        them=(pl.col("fu") & ~pl.col("me")).sum().cast(pl.Int64),
    )
    return weeks.join(per, on="week", how="left").with_columns(pl.col("me", "them").fill_null(0)).sort("week")


def _p1(chat: Chat, signals: dict[str, Any]) -> Finding | None:
    cut = _recent(chat)
    rec = chat.window(cut)
    mine_fu = int(rec.filter(pl.col("me")).get_column("fu").sum())
    his_fu = int(rec.filter(~pl.col("me")).get_column("fu").sum())
    rec_weeks = min(RECENT_DAYS, max(chat.days, 1.0)) / 7.0
    fu_rate = mine_fu / rec_weeks
    fu_share = _share(mine_fu, his_fu)
    w = _fu_weekly(chat)
    usual_rate = float(w.get_column("me").median()) if w.height >= 8 else None  # type: ignore[arg-type]
    sev: dict[str, str] = {}
    facts: list[str] = []
    numbers: dict[str, Any] = {"follow_ups_recent": {"me": mine_fu, "them": his_fu},
                               "follow_up_rate_recent": _r(fu_rate, 2),
                               "follow_up_share_recent": _r(fu_share),
                               "follow_up_rate_usual": _r(usual_rate, 2)}
    if fu_share is not None and fu_share >= FU_SHARE_HIGH and fu_rate >= FU_RATE_HIGH:
        sev["follow_ups"] = "high"
    elif fu_share is not None and fu_share >= FU_SHARE_MEDIUM and fu_rate >= FU_RATE_MEDIUM:
        sev["follow_ups"] = "medium"
    elif usual_rate and fu_rate >= FU_PEAK_FACTOR * usual_rate and fu_rate >= FU_RATE_MEDIUM:
        sev["follow_ups"] = "medium"
    elif fu_share is not None and fu_share >= FU_SHARE_LOW and fu_rate >= FU_RATE_MEDIUM:
        sev["follow_ups"] = "low"
    if mine_fu + his_fu:
        facts.append(M.P1_FACT_FU_RECENT.format(
            me=mine_fu, me_rate=M.rate(fu_rate), them=his_fu, share=M.pct(fu_share)
        ))
        if usual_rate is not None:
            facts.append(M.P1_FACT_FU_USUAL.format(rate=M.rate(usual_rate)))

    # the worst 4-week stretch of her follow-ups, against her usual 4 weeks
    peak = None
    if w.height >= 8:
        w = w.with_columns(roll=pl.col("me").rolling_sum(4), roll_them=pl.col("them").rolling_sum(4))
        usual = w.get_column("roll").drop_nulls().median()
        top = w.filter(pl.col("roll").is_not_null()).sort("roll", descending=True).head(1)
        if usual and top.height and top["roll"][0] >= FU_PEAK_FACTOR * usual:
            # extend the stretch over neighbouring weeks that stay above her usual weekly pace
            usual_w = usual / 4.0
            end_i = w.get_column("week").to_list().index(top["week"][0])
            lo = end_i - 3
            flags = (w.get_column("me") > FU_PEAK_FACTOR * usual_w * 0.75).to_list()
            while lo > 0 and flags[lo - 1]:
                lo -= 1
            hi = end_i
            while hi + 1 < len(flags) and flags[hi + 1]:
                hi += 1
            seg = w.slice(lo, hi - lo + 1)
            n = int(seg["me"].sum())
            peak = {
                "start": seg["week"][0], "end": seg["week"][-1] + timedelta(days=6),
                "n": n, "rate": n / seg.height, "x": (n / seg.height) / usual_w,
            }
    if peak is not None:
        streak = int(chat.msgs.filter(
            pl.col("me") & (pl.col("week") >= peak["start"]) & (pl.col("week") <= peak["end"])
        ).get_column("fu_k").max() or 0)
        facts.append(M.P1_FACT_FU_PEAK.format(
            start=M.day(peak["start"]),
            end=M.day(min(peak["end"], chat.local(chat.last).date())),  # type: ignore[arg-type]
            n=peak["n"], rate=M.rate(peak["rate"]), x=M.ratio(peak["x"]), streak=streak,
        ))
        numbers["follow_up_peak"] = {"start": peak["start"].isoformat(), "end": peak["end"].isoformat(),
                                     "count": peak["n"], "per_week": _r(peak["rate"], 2),
                                     "times_usual": _r(peak["x"], 2), "longest_streak": streak}
        if "follow_ups" not in sev:
            sev["follow_ups_past"] = "low"

    # starts and messages
    starts = rec.filter(pl.col("start"))
    s_me, s_all = int(starts.get_column("me").sum()), starts.height
    s_share = _div(s_me, s_all)
    numbers["starts_recent"] = {"me": s_me, "total": s_all}
    if s_all >= STARTS_MIN and s_share is not None:
        if s_share >= STARTS_MEDIUM:
            sev["starts"] = "medium"
        elif s_share >= STARTS_LOW:
            sev["starts"] = "low"
        if s_share >= STARTS_LOW:
            facts.append(M.P1_FACT_STARTS.format(me=s_me, total=s_all, share=M.pct(s_share)))
    m_me = int(rec.get_column("me").sum())
    m_them = rec.height - m_me
    m_share = _share(m_me, m_them)
    numbers["messages_recent"] = {"me": m_me, "them": m_them}
    if m_share is not None and m_share >= MESSAGES_LOW and rec.height >= 20:
        sev["messages"] = "medium" if m_share >= MESSAGES_MEDIUM else "low"
        facts.append(M.P1_FACT_MESSAGES.format(share=M.pct(m_share), me=m_me, them=m_them))

    # reassurance seeking and compliment fishing
    if chat.has_labels:
        asking = ("reassurance_seeking", "compliment_fishing")
        r_recent = sum(chat.count(name, "me", start=cut) for name in asking)
        r_total = sum(chat.count(name, "me") for name in asking)
        numbers["reassurance"] = {"recent": r_recent, "total": r_total}
        mine_recent = max(1, int(rec.get_column("me").sum()))
        if r_recent >= REASSURE_MEDIUM and r_recent / mine_recent >= REASSURE_MEDIUM_SHARE:
            sev["reassurance"] = "medium"
        elif r_recent >= REASSURE_LOW:
            sev["reassurance"] = "low"
        if r_total:
            facts.append(M.P1_FACT_REASSURANCE.format(recent_times=M.times(r_recent), total=r_total))

    # late night
    lm = rec.filter(pl.col("me")).get_column("late").mean()
    lh = rec.filter(~pl.col("me")).get_column("late").mean()
    numbers["late_night_share_recent"] = {"me": _r(lm), "them": _r(lh)}
    if lm is not None and lm >= LATE_SHARE and lm >= LATE_FACTOR * (lh or 0.0):
        sev["late"] = "low"
        facts.append(M.P1_FACT_LATE.format(share=M.pct(lm), his=M.pct(lh or 0.0)))

    # calls
    if "kind" in chat.msgs.columns:  # pragma: no cover - timeline drops kind
        pass

    severity = max_severity(*sev.values())
    if sev:
        top = max(sev, key=lambda k: (severity_rank(sev[k]), -P1_KEYS.index(k)))
        low_key = f"{top}_low"
        title = M.P1_TITLE[low_key] if sev[top] == "low" and low_key in M.P1_TITLE else M.P1_TITLE[top]
    else:
        title = M.P1_TITLE["fine"]
        facts.append(M.P1_FACT_STARTS.format(me=s_me, total=s_all, share=M.pct(s_share)) if s_all else
                     M.P1_FACT_MESSAGES.format(share=M.pct(m_share), me=m_me, them=m_them))
    from fonder.coach.plan import his_latency

    _, p75, _ = his_latency(chat)  # the same yardstick as the plan and the draft check
    numbers["his_p75_latency_s"] = _r(p75, 1)
    if not sev:
        advice = M.P1_ADVICE_FINE
    else:
        advice = M.P1_ADVICE.format(p75=M.duration(p75)) if p75 else M.P1_ADVICE_NO_LATENCY
        if "reassurance" in sev:
            advice += M.P1_ADVICE_REASSURANCE
    examples = chat.examples(("reassurance_seeking", "compliment_fishing"), who="me", start=cut)
    if len(examples) < 3:
        fu_rows = chat.msgs.filter(
            pl.col("me") & pl.col("fu") & (pl.col("ts") >= cut) & pl.col("text").is_not_null()
        )
        if fu_rows.height:
            fu_rows = fu_rows.sort("fu_k", descending=True).head(3 - len(examples)).with_columns(
                label=pl.lit("follow_up")
            )
            examples += [chat.example(r) for r in fu_rows.iter_rows(named=True)]
        examples.sort(key=lambda e: e["ts"])
    research = M.RESEARCH["reassurance"] if "reassurance" in sev else None
    return _finding("P1", severity, title, facts, numbers, examples[:3], advice, research)


# --------------------------------------------------------------------------------------------
# P2 — space, his signals (pull-away)
# --------------------------------------------------------------------------------------------


def _d(x: str | None) -> date | None:
    return date.fromisoformat(x) if x else None


def _window_stats(chat: Chat, lo: date, hi: date) -> dict[str, float | None]:
    m = chat.msgs.filter((pl.col("week") >= lo) & (pl.col("week") <= hi))
    his = m.filter(~pl.col("me"))
    days = max(1, (hi - lo).days + 1)
    if m.height:
        first_day = m.get_column("local").min().date()  # type: ignore[union-attr]
        last_day = m.get_column("local").max().date()  # type: ignore[union-attr]
        days = max(1, (last_day - first_day).days + 1)
    starts = m.filter(pl.col("start"))
    lat = his.get_column("lat_s").drop_nulls()
    return {
        "latency": float(lat.median()) if lat.len() else None,  # type: ignore[arg-type]
        "per_day": his.height / days,
        "words": float(his.get_column("words").mean()) if his.height else None,  # type: ignore[arg-type]
        "starts": _div(int((~starts.get_column("me")).sum()), starts.height),
    }


def _p2(chat: Chat, signals: dict[str, Any]) -> Finding | None:
    pa = signals.get("pull_away") or {}
    them = chat.them_name or "He"
    keys = ("status", "detected", "since", "confidence", "changes", "signs")
    numbers: dict[str, Any] = {k: pa.get(k) for k in keys}
    if pa.get("status") != "ok":
        from fonder.analysis import Params

        weeks = M.plural(int(pa.get("weeks") or 0), "week", "weeks")
        return _finding("P2", "info", M.P2_TITLE_SHORT.format(them=them),
                        [M.P2_FACT_SHORT.format(min_weeks=Params().min_weeks, weeks=weeks)],
                        numbers, [], M.P2_ADVICE_SHORT,
                        M.RESEARCH["reply_speed"])
    ch = pa.get("changes") or {}
    recent_lat = chat.latency("them", start=chat.since(RECENT_DAYS))
    if not pa.get("detected"):
        facts = [M.P2_FACT_STEADY.format(lat=M.ratio(ch.get("latency_ratio")), vol=M.ratio(ch.get("volume_ratio")))]
        return _finding("P2", "info", M.P2_TITLE_STEADY.format(them=them), facts, numbers, [],
                        M.P2_ADVICE_STEADY, M.RESEARCH["reply_speed"])
    since = _d(pa.get("since"))
    base = pa.get("baseline") or {}
    rec = pa.get("recent") or {}
    b = _window_stats(chat, _d(base.get("from")), _d(base.get("to"))) if base else {}  # type: ignore[arg-type]
    r = _window_stats(chat, _d(rec.get("from")), _d(rec.get("to"))) if rec else {}  # type: ignore[arg-type]
    signs = set(pa.get("signs") or [])
    facts: list[str] = []
    if ch.get("latency_ratio") and r.get("latency") and b.get("latency"):
        facts.append(M.P2_FACT_LATENCY.format(
            x=M.ratio(ch["latency_ratio"]), recent=M.duration(r["latency"]), since=M.day(since),
            base=M.duration(b["latency"]),
        ))
    if ch.get("volume_ratio") is not None and ch["volume_ratio"] < 1 and r.get("per_day") is not None:
        facts.append(M.P2_FACT_VOLUME.format(
            pct=M.pct(1 - ch["volume_ratio"]), recent=M.rate(r["per_day"]), base=M.rate(b.get("per_day")),
        ))
    if "length" in signs or (ch.get("length_ratio") or 1) < 0.8:
        if r.get("words") and b.get("words"):
            facts.append(M.P2_FACT_LENGTH.format(
                pct=M.pct(1 - ch["length_ratio"]), recent=M.rate(r["words"]), base=M.rate(b["words"])
            ))
    if "starts" in signs and r.get("starts") is not None and b.get("starts") is not None:
        facts.append(M.P2_FACT_STARTS.format(
            pts=round(-100 * (ch.get("starts_share_delta") or 0)),
            recent=M.pct(r["starts"]), base=M.pct(b["starts"]),
        ))
    if (ch.get("questions_ratio") or 1) < 0.75:
        facts.append(M.P2_FACT_QUESTIONS.format(pct=M.pct(1 - ch["questions_ratio"])))
    her = ch.get("her_latency_ratio")
    if her is not None and 0.8 <= her <= 1.25:
        facts.append(M.P2_FACT_HER.format(her=M.ratio(her)))
    if pa.get("confidence") is not None:
        facts.append(M.P2_FACT_CONFIDENCE.format(conf=M.pct(pa["confidence"])))
    pw = signals.get("pursue_withdraw") or {}
    if pw.get("reading") in ("clear", "some") and pw.get("r") is not None:
        facts.append(M.P2_FACT_PURSUE.format(r=f"{pw['r']:.2f}"))
        numbers["pursue_withdraw_r"] = pw["r"]
    numbers["baseline_window"] = {k: _r(v, 2) for k, v in b.items()}
    numbers["recent_window"] = {k: _r(v, 2) for k, v in r.items()}
    conf = pa.get("confidence") or 0.0
    severity = "high" if conf >= 0.99 and len(signs) >= 3 else "medium"
    advice = M.P2_ADVICE.format(median=M.duration(recent_lat[0]))
    start = datetime.combine(since, datetime.min.time(), tzinfo=chat.last.tzinfo) if since else None  # type: ignore[union-attr]
    examples = chat.examples("stonewall_reply", who="them", start=start)
    return _finding("P2", severity, M.P2_TITLE_DETECTED.format(them=them, since=M.day(since)),
                    facts, numbers, examples, advice, M.RESEARCH["reply_speed"])


# --------------------------------------------------------------------------------------------
# P3 — reciprocity
# --------------------------------------------------------------------------------------------


def _p3(chat: Chat, signals: dict[str, Any]) -> Finding | None:
    bal = signals.get("balance") or {}
    comp = bal.get("composite")
    if comp is None:
        return None
    threshold = bal.get("threshold") or 0.65
    run = int(bal.get("weeks_over_threshold") or 0)
    longest = int(bal.get("longest_over_threshold") or 0)
    components = bal.get("components") or {}
    used = bal.get("used") or [k for k, v in components.items() if v is not None]
    parts = ", ".join(
        f"{M.P3_PART_NAMES.get(k, k)} {M.pct(components[k])}" for k in used if components.get(k) is not None
    )
    facts = [M.P3_FACT_COMPOSITE.format(days=round(chat.days), share=M.pct(comp)),
             M.P3_FACT_PARTS.format(parts=parts)]
    if run:
        tmpl = M.P3_FACT_RUN_ONE if run == 1 else M.P3_FACT_RUN
        facts.append(tmpl.format(threshold=M.pct(threshold), weeks=M.plural(run, "week", "weeks")))
    until = None
    if longest > run and longest >= P3_WEEKS_LOW:
        until = _longest_until(bal.get("weekly") or [], threshold, longest)
        facts.append(M.P3_FACT_LONGEST.format(threshold=M.pct(threshold), weeks=M.plural(longest, "week", "weeks"),
                                              until=M.day(until) if until else "?"))
    if run >= P3_WEEKS_HIGH:
        severity, key = "high", "high"
    elif run >= P3_WEEKS_MEDIUM:
        severity, key = "medium", "medium"
    elif comp >= threshold or run >= P3_WEEKS_LOW or comp >= P3_COMPOSITE_LOW:
        severity, key = "low", "low"
    elif longest >= P3_WEEKS_MEDIUM:
        severity, key = "info", "past"
    else:
        severity, key = "info", "info"
    if severity in ("high", "medium"):
        advice = M.P3_ADVICE_HIGH.format(weeks=run)
    elif severity == "low":
        advice = M.P3_ADVICE_LOW
    else:
        advice = M.P3_ADVICE_INFO
    numbers = {"composite": comp, "components": components, "weeks_over_threshold": run,
               "longest_over_threshold": longest, "threshold": threshold}
    return _finding("P3", severity, M.P3_TITLE[key].format(weeks=run), facts, numbers, [], advice,
                    M.RESEARCH["unequal"])


def _longest_until(weekly: list[dict[str, Any]], threshold: float, longest: int) -> date | None:
    run, best_end = 0, None
    for row in weekly:
        c = row.get("composite")
        if c is None:
            continue
        run = run + 1 if c > threshold else 0
        if run == longest:
            best_end = _d(row["week"])
    return best_end


# --------------------------------------------------------------------------------------------
# P4 — mystery, narration
# --------------------------------------------------------------------------------------------


def _p4(chat: Chat, signals: dict[str, Any]) -> Finding | None:
    cut = _recent(chat)
    counts = (signals.get("counts") or {}).get("questions") or {}
    q_me, q_them = int(counts.get("me") or 0), int(counts.get("them") or 0)
    q_share = _share(q_me, q_them)
    facts: list[str] = []
    keys: list[str] = []
    numbers: dict[str, Any] = {"questions": {"me": q_me, "them": q_them}}
    if chat.has_labels:
        n_me, n_them = chat.count("narration", "me"), chat.count("narration", "them")
        n_recent = chat.count("narration", "me", start=cut)
        numbers["narration"] = {"me": n_me, "them": n_them, "recent": n_recent}
        if n_me or n_them:
            facts.append(M.P4_FACT_NARRATION.format(me=n_me, recent=n_recent, them=n_them))
        if n_recent >= P4_NARRATION_RECENT and n_me >= P4_NARRATION_FACTOR * max(n_them, 1):
            keys.append("narration")
        o_me = _div(chat.count("own_life", "me"), chat.sent("me"))
        o_them = _div(chat.count("own_life", "them"), chat.sent("them"))
        numbers["own_life_share"] = {"me": _r(o_me), "them": _r(o_them)}
        if o_me is not None and o_them is not None:
            facts.append(M.P4_FACT_OWN.format(me=M.pct(o_me), them=M.pct(o_them)))
    if q_share is not None and q_me + q_them >= P4_QUESTION_MIN:
        facts.append(M.P4_FACT_QUESTIONS.format(share=M.pct(q_share), me=q_me, them=q_them))
        if q_share >= P4_QUESTION_SHARE:
            keys.append("questions")
    if not facts:
        return None
    if len(keys) == 2:
        key, severity = "both", "medium"
    elif keys:
        key, severity = keys[0], "low"
    else:
        key, severity = "info", "info"
    advice = {"questions": M.P4_ADVICE_QUESTIONS, "info": M.P4_ADVICE_INFO}.get(key, M.P4_ADVICE)
    examples = chat.examples("narration", who="me", start=cut) or chat.examples("narration", who="me")
    return _finding("P4", severity, M.P4_TITLE[key], facts, numbers, examples if keys else examples[:1], advice)


# --------------------------------------------------------------------------------------------
# P5 — her own life
# --------------------------------------------------------------------------------------------


def own_life_mentions(chat: Chat) -> list[tuple[str, int]]:
    """Things of her own she mentions (catalogue keywords in her own-life messages), most first."""
    from fonder.coach.plan import _pattern, mentioned, own_life_catalogue

    if "own_life_mentions" in chat.memo:
        return chat.memo["own_life_mentions"]
    out: list[tuple[str, int]] = []
    if chat.has_labels:
        texts = chat.msgs.filter(pl.col("me") & pl.col(flag("own_life"))).get_column("text").drop_nulls()
        low = texts.str.to_lowercase()
        items = own_life_catalogue()
        seen = mentioned(low, [w for i in items for w in i["keywords"]])
        for item in items:
            words = [w for w in item["keywords"] if w.lower() in seen]
            if words:
                n = int(low.str.contains(_pattern(words)).sum())
                if n:
                    out.append((item["mention"], n))
        out.sort(key=lambda t: -t[1])
    chat.memo["own_life_mentions"] = out
    return out


def _p5(chat: Chat, signals: dict[str, Any]) -> Finding | None:
    if not chat.has_labels:
        return None
    from fonder.coach.plan import own_life_suggestions

    cut = _recent(chat)
    total = chat.count("own_life", "me")
    mine = chat.sent("me")
    if mine == 0:
        return None
    share = total / mine
    rec_n, rec_sent = chat.count("own_life", "me", start=cut), chat.sent("me", start=cut)
    earlier_n, earlier_sent = total - rec_n, mine - rec_sent
    rec_share = _div(rec_n, rec_sent)
    earlier_share = _div(earlier_n, earlier_sent) if chat.days >= 2 * RECENT_DAYS else None
    things = own_life_mentions(chat)
    what = M.P5_FACT_WHAT.format(things=", ".join(t for t, _ in things[:4])) if things else ""
    facts = [M.P5_FACT_SHARE.format(share=M.pct(share), n=total, what=what)]
    if earlier_share is not None and rec_share is not None:
        facts.append(M.P5_FACT_TREND.format(recent=M.pct(rec_share), earlier=M.pct(earlier_share)))
    if (earlier_share is not None and rec_share is not None and earlier_share >= P5_MIN_EARLIER
            and rec_share < P5_FADING * earlier_share and rec_sent >= 20):
        key, severity = "fading", "low"
    elif share < P5_THIN:
        key, severity = "thin", ("low" if mine >= P5_THIN_MIN else "info")
    elif share < P5_SOME:
        key, severity = "some", "info"
    else:
        key, severity = "info", "info"
    if severity == "info":
        kept = [t for t, _ in things[:2]]
        advice = M.P5_ADVICE_INFO.format(things=" and ".join(kept)) if kept else M.P5_ADVICE_INFO_NONE
    else:
        today = chat.local(chat.last).date()  # type: ignore[arg-type]
        ideas = [i for i in own_life_suggestions(chat, [], today, k=4) if i["source"] != "chat"][:2]
        advice = M.P5_ADVICE.format(ideas=" and ".join(i["title"].lower() for i in ideas))
    numbers = {"own_life": total, "share": _r(share), "recent_share": _r(rec_share),
               "earlier_share": _r(earlier_share), "things": dict(things[:6])}
    examples = chat.examples("own_life", who="me", start=cut) or chat.examples("own_life", who="me")
    return _finding("P5", severity, M.P5_TITLE[key], facts, numbers, examples, advice)


# --------------------------------------------------------------------------------------------
# P6 — anger, criticism, conflict by text
# --------------------------------------------------------------------------------------------


def _p6(chat: Chat, signals: dict[str, Any]) -> Finding | None:
    if not chat.has_labels:
        return None
    cut = _recent(chat)
    m = chat.msgs.with_columns(
        conflict=pl.any_horizontal([pl.col(flag(n)) for n in CONFLICT_LABELS]),
        warm=pl.any_horizontal([pl.col(flag(n)) for n in WARM_LABELS]),
        day=pl.col("local").dt.date(),
    )
    mine = m.filter(pl.col("me") & pl.col("conflict"))
    his = m.filter(~pl.col("me") & pl.col("conflict"))
    n_me, n_them = mine.height, his.height
    r_me = mine.filter(pl.col("ts") >= cut).height
    r_them = his.filter(pl.col("ts") >= cut).height
    days = m.filter(pl.col("conflict")).group_by("day").len().filter(pl.col("len") >= P6_CLASH_MIN)
    facts: list[str] = []
    numbers: dict[str, Any] = {"mine": n_me, "mine_recent": r_me, "his": n_them, "his_recent": r_them,
                               "clash_days": days.height}
    if n_me:
        facts.append(M.P6_FACT_MINE.format(n=n_me, recent=r_me))
    if n_them:
        facts.append(M.P6_FACT_HIS.format(n=M.plural(n_them, "such message", "such messages"), recent=r_them))
    if days.height:
        facts.append(M.P6_FACT_DAYS.format(days=days.height))
        repair = _repair_hours(m, days)
        if repair is not None:
            facts.append(M.P6_FACT_REPAIR.format(median=M.hours(repair)))
            numbers["repair_median_hours"] = _r(repair, 1)
    recent_clashes = days.filter(pl.col("day") >= chat.local(cut).date()).height
    numbers["clash_days_recent"] = recent_clashes
    if r_me >= P6_MEDIUM or (recent_clashes >= 2 and r_me >= P6_LOW):
        key, severity = "medium", "medium"
    elif r_me >= P6_LOW:
        key, severity = "low", "low"
    elif r_them >= P6_MEDIUM:
        key, severity = "his", "low"
    else:
        key, severity = ("rare" if n_me else "info"), "info"
        if not n_me:
            facts.insert(0, M.P6_FACT_NONE.format(days=round(chat.days)))
    advice = M.P6_ADVICE if severity != "info" else M.P6_ADVICE_INFO
    who = "them" if key == "his" else "me"
    examples = chat.examples(CONFLICT_LABELS, who=who, start=cut) or chat.examples(CONFLICT_LABELS, who=who)
    return _finding("P6", severity, M.P6_TITLE[key], facts, numbers, examples, advice, M.RESEARCH["horsemen"])


def _repair_hours(m: pl.DataFrame, days: pl.DataFrame) -> float | None:
    """Median hours from the last clash message of each clash day to the next warm message."""
    clash = (
        m.filter(pl.col("conflict") & pl.col("day").is_in(days.get_column("day").implode()))
        .group_by("day").agg(pl.col("ts").max().alias("t0")).sort("t0")
    )
    warm = m.filter(pl.col("warm") & ~pl.col("conflict")).select(t1="ts").sort("t1")
    if clash.height == 0 or warm.height == 0:
        return None
    j = clash.join_asof(warm, left_on="t0", right_on="t1", strategy="forward", allow_exact_matches=False)
    h = j.select(h=(pl.col("t1") - pl.col("t0")).dt.total_seconds() / 3600.0).get_column("h").drop_nulls()
    return float(h.median()) if h.len() else None  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# P7 — appreciation, asking for help
# --------------------------------------------------------------------------------------------


def _p7(chat: Chat, signals: dict[str, Any]) -> Finding | None:
    if not chat.has_labels:
        return None
    a_me, a_them = chat.count("appreciation", "me"), chat.count("appreciation", "them")
    cut = chat.since(P7_WEEKS * 7)
    ra_me, ra_them = chat.count("appreciation", "me", start=cut), chat.count("appreciation", "them", start=cut)
    h_me, h_them = chat.count("help_request", "me"), chat.count("help_request", "them")
    facts = [M.P7_FACT.format(me_times=M.times(a_me), them_times=M.times(a_them))]
    if chat.days >= P7_WEEKS * 7 * 1.5:
        facts.append(M.P7_FACT_RECENT.format(weeks=P7_WEEKS, me_times=M.times(ra_me), them_times=M.times(ra_them)))
    facts.append(M.P7_FACT_HELP.format(me_times=M.times(h_me), them_times=M.times(h_them)))
    if ra_me == 0 and chat.sent("me", start=cut) >= P7_MIN_MESSAGES:
        key, severity = "low", "low"
    elif a_them == 0 and a_me >= 3 and chat.sent("them") >= P7_MIN_MESSAGES:
        key, severity = "his", "info"
    elif a_me + a_them == 0:
        key, severity = "none", "info"
    else:
        key, severity = "info", "info"
    advice = M.P7_ADVICE + (M.P7_ADVICE_HELP if h_me == 0 else "")
    numbers = {"appreciation": {"me": a_me, "them": a_them}, "appreciation_recent": {"me": ra_me, "them": ra_them},
               "help_request": {"me": h_me, "them": h_them}}
    examples = chat.examples("appreciation", who="me") if key != "his" else []
    return _finding("P7", severity, M.P7_TITLE[key], facts, numbers, examples, advice, M.RESEARCH["gratitude"])


# --------------------------------------------------------------------------------------------
# P8 — new experiences together
# --------------------------------------------------------------------------------------------


def _p8(chat: Chat, signals: dict[str, Any]) -> Finding | None:
    if not chat.has_labels:
        return None
    from fonder.coach.plan import pick_date_ideas

    p_me, p_them = chat.count("plan_proposal", "me"), chat.count("plan_proposal", "them")
    p_share = _share(p_me, p_them)
    novel = chat.msgs.filter(pl.col(flag("novelty")))
    facts = []
    keys = []
    numbers: dict[str, Any] = {"plans": {"me": p_me, "them": p_them}, "novelty_mentions": novel.height}
    if p_me + p_them:
        facts.append(M.P8_FACT_PLANS.format(me=p_me, them=p_them, share=M.pct(p_share)))
        if p_share is not None and p_share >= P8_PLANS_SHARE and p_me >= P8_PLANS_MIN:
            keys.append("plans")
    if novel.height:
        last = novel.get_column("ts").max()
        days_since = (chat.last - last).total_seconds() / 86400.0  # type: ignore[operator]
        facts.append(M.P8_FACT_NOVEL_COUNT.format(n_times=M.times(novel.height)))
        when = chat.local(last)  # type: ignore[arg-type]
        facts.append(M.P8_FACT_NOVEL.format(days=round(days_since), day=M.day(when)))
        numbers["days_since_novelty"] = round(days_since)
        if days_since >= P8_STALE_DAYS:
            keys.append("stale")
    elif chat.days >= P8_STALE_DAYS:
        facts.append(M.P8_FACT_NOVEL_NEVER.format(days=round(chat.days)))
        keys.append("stale")
    if not facts:
        return None
    key = "both" if len(keys) == 2 else (keys[0] if keys else ("info" if novel.height else "plans_only"))
    severity = {"both": "medium", "plans": "low", "stale": "low"}.get(key, "info")
    ideas = pick_date_ideas(chat, chat.local(chat.last).date(), k=1)  # type: ignore[arg-type]
    idea = ideas[0]["title"].lower() if ideas else ""
    advice = M.P8_ADVICE.format(idea=idea) + (M.P8_ADVICE_PLANS if "plans" in keys else "")
    examples = chat.examples(("novelty", "plan_proposal"), who=None)
    return _finding("P8", severity, M.P8_TITLE[key], facts, numbers, examples, advice, M.RESEARCH["novelty"])


# --------------------------------------------------------------------------------------------
# P9 — lightness, saying no
# --------------------------------------------------------------------------------------------


def _p9(chat: Chat, signals: dict[str, Any]) -> Finding | None:
    if not chat.has_labels:
        return None
    cut = _recent(chat)
    pl_me = _div(chat.count("playful", "me"), chat.sent("me"))
    pl_them = _div(chat.count("playful", "them"), chat.sent("them")) or 0.0
    rec = chat.window(cut)
    earlier = chat.window(end=cut)
    r_share = _div(int(rec.get_column(flag("playful")).sum()), rec.height)
    e_share = None
    if chat.days >= 2 * RECENT_DAYS:
        e_share = _div(int(earlier.get_column(flag("playful")).sum()), earlier.height)
    b_me, b_them = chat.count("boundary", "me"), chat.count("boundary", "them")
    facts = [M.P9_FACT_PLAYFUL.format(me=M.pct(pl_me), them=M.pct(pl_them))]
    if r_share is not None and e_share is not None:
        facts.append(M.P9_FACT_TREND.format(recent=M.pct(r_share), earlier=M.pct(e_share)))
    facts.append(M.P9_FACT_BOUNDARY.format(times=M.times(b_me), his=M.times(b_them)))
    if (r_share is not None and e_share is not None and e_share >= P9_MIN_EARLIER
            and r_share < P9_FADING * e_share and rec.height >= 30):
        key, severity, advice = "fading", "low", M.P9_ADVICE_FADING
    elif (_div(chat.count("playful"), chat.n) or 0.0) < P9_LITTLE:
        key, severity, advice = "little", "info", M.P9_ADVICE_FADING
    elif b_me == 0 and chat.sent("me") >= 300:
        key, severity, advice = "no_boundary", "info", M.P9_ADVICE_BOUNDARY
    else:
        key, severity, advice = "info", "info", M.P9_ADVICE_INFO
    numbers = {"playful_share": {"me": _r(pl_me), "them": _r(pl_them)}, "recent_share": _r(r_share),
               "earlier_share": _r(e_share), "boundary": {"me": b_me, "them": b_them}}
    examples = chat.examples("playful", start=cut) if key != "no_boundary" else []
    return _finding("P9", severity, M.P9_TITLE[key], facts, numbers, examples[:2], advice)


# --------------------------------------------------------------------------------------------
# P10 — missing goes both ways
# --------------------------------------------------------------------------------------------


def _p10(chat: Chat, signals: dict[str, Any]) -> Finding | None:
    if not chat.has_labels:
        return None
    me_n, them_n = chat.count("longing", "me"), chat.count("longing", "them")
    af_me, af_them = chat.count("affection", "me"), chat.count("affection", "them")
    facts = [M.P10_FACT.format(me_times=M.times(me_n), them_times=M.times(them_n)) if me_n + them_n
             else M.P10_FACT_NONE,
             M.P10_FACT_AFFECTION.format(me_times=M.times(af_me), them_times=M.times(af_them))]
    lon = signals.get("longing") or {}
    fb = lon.get("first_by") or {}
    if fb.get("me") is not None and (fb.get("me") or 0) + (fb.get("them") or 0) > 0:
        facts.append(M.FACT_LONGING_FIRST.format(me=fb["me"], them=fb["them"]))
    if me_n >= P10_FACTOR * them_n and me_n - them_n >= P10_MIN_GAP:
        key, severity, advice = "me_more", "low", M.P10_ADVICE_ME
    elif them_n >= P10_FACTOR * me_n and them_n - me_n >= P10_MIN_GAP:
        key, severity, advice = "them_more", "info", M.P10_ADVICE_THEM
    elif me_n + them_n == 0:
        key, severity, advice = "none", "info", M.P10_ADVICE_THEM
    else:
        key, severity, advice = "mutual", "info", M.P10_ADVICE_MUTUAL
    numbers = {"longing": {"me": me_n, "them": them_n}, "affection": {"me": af_me, "them": af_them},
               "first_by": fb}
    examples = chat.examples("longing", who="me", start=_recent(chat, TREND_DAYS)) if key == "me_more" else []
    return _finding("P10", severity, M.P10_TITLE[key], facts, numbers, examples, advice)
