"""``fonder check "draft"``: should I send this?

The verdict reads the draft (its tone labels) and the moment (as of ``at``):

1. **Content.** Reassurance seeking, compliment fishing, criticism, contempt, defensiveness,
   demands, insults or threats in the draft → ``rethink``, with the reason and, for reassurance
   seeking, compliment fishing, criticism and demands, a kinder rewrite from our own templates
   (no network, no language model).
2. **Timing** (skipped when the safety section fires: fonder does not coach timing there).
   - She is answering him (his message is the last one): fine.
   - Her messages since his last one are unanswered: no follow-up before his usual p75 reply
     time has passed since the first of them → ``wait`` until that moment.
   - She has already followed up (two or more unanswered bursts): the next one waits a day
     after her last → ``wait``.
   - It is his quiet hours (he rarely writes then) and he is not writing right now → ``wait``
     until they end.
3. **Balance.** When her recent share of the effort is above the one-sided threshold, a reason
   says so (the verdict does not change).

``rethink`` outranks ``wait``, which outranks ``send``; ``wait_until`` is given whenever a
timing rule applies, also with ``rethink``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Final

import polars as pl

from fonder.coach import messages as M
from fonder.coach.base import Chat, Check, prepare
from fonder.coach.findings import _label_words, safety_of
from fonder.coach.plan import his_latency, in_window, quiet_window

#: Labels that make a draft worth rethinking, most serious first.
RETHINK_LABELS: Final[tuple[str, ...]] = (
    "threat", "insult", "contempt", "criticism", "demand", "defensiveness",
    "reassurance_seeking", "compliment_fishing",
)
#: After this many unanswered bursts of hers, the next message waits a day after her last.
MANY_BURSTS: Final[int] = 2
MANY_WAIT_H: Final[float] = 24.0
#: He is "writing right now" when his last message is at most this old: no quiet-hours wait.
ACTIVE_MIN: Final[float] = 30.0
#: Weeks of the balance series read for "lately".
BALANCE_WEEKS: Final[int] = 4


def label_draft(draft: str) -> list[dict[str, Any]]:
    """The draft's tone labels as ``{"label", "start", "end", "match"}`` (from :mod:`fonder.tone`)."""
    from fonder import tone

    raw = tone.label_text(draft)
    return _spans(raw, draft)


def _spans(raw: Any, text: str) -> list[dict[str, Any]]:
    """Normalize whatever the tone engine returns (frame, dicts, objects or tuples)."""
    if raw is None:
        return []
    if isinstance(raw, pl.DataFrame):
        rows = raw.to_dicts()
    else:
        rows = []
        for r in raw:
            if isinstance(r, dict):
                rows.append(r)
            elif isinstance(r, str):
                rows.append({"label": r})
            elif hasattr(r, "label"):
                rows.append({k: getattr(r, k, None) for k in ("label", "start", "end", "match")})
            else:  # a tuple (label, start, end, match)
                t = tuple(r)
                rows.append(dict(zip(("label", "start", "end", "match"), t, strict=False)))
    out = []
    for r in rows:
        label = r.get("label")
        if not label:
            continue
        start, end = r.get("start"), r.get("end")
        match = r.get("match")
        if match is None and start is not None and end is not None:
            match = text[start:end]
        out.append({"label": str(label), "start": start, "end": end, "match": match or text})
    return out


def check_draft(
    draft: str,
    messages: pl.DataFrame,
    labels: pl.DataFrame | None,
    signals: dict[str, Any],
    *,
    me: str,
    them: str,
    at: datetime,
) -> Check:
    """Send, wait (until when) or rethink ``draft`` at ``at`` (aware), with the reasons."""
    chat = prepare(messages, labels, me=me, them=them)
    return check_of(chat, signals, draft, at, label_draft(draft) if draft.strip() else [])


def check_of(chat: Chat, signals: dict[str, Any], draft: str, at: datetime, spans: list[dict[str, Any]]) -> Check:
    if at.tzinfo is None:
        raise ValueError("check_draft needs an aware datetime for `at`")
    if not draft.strip():
        return Check("rethink", [M.CHECK_EMPTY], [], [], None, None)
    chat = chat.until(at)
    found = sorted({s["label"] for s in spans})
    first_span = {}
    for s in spans:
        first_span.setdefault(s["label"], s)
    reasons: list[str] = []
    numbers: dict[str, Any] = {}
    verdict = "send"
    suggestion = None

    saf = safety_of(chat)
    if saf is not None:
        reasons.append(M.CHECK_SAFETY.format(what=_label_words(saf.counts)))

    bad = [name for name in RETHINK_LABELS if name in found]
    for name in bad:
        reasons.append(M.CHECK_LABEL_REASONS[name].format(match=M.quote(first_span[name]["match"])))
    if "narration" in found:
        reasons.append(M.CHECK_LABEL_REASONS["narration"])

    # the moment, as of `at`
    m = chat.msgs
    his = m.filter(~pl.col("me"))
    wait_until: datetime | None = None
    unanswered = 0
    if saf is None:
        med, p75, _ = his_latency(chat)
        numbers["his_p75_latency_s"] = None if p75 is None else round(p75, 1)
        numbers["his_median_latency_s"] = None if med is None else round(med, 1)
        if his.height == 0:
            reasons.append(M.CHECK_NO_HIM)
        else:
            his_last = his.get_column("ts").max()
            mine_after = m.filter(pl.col("me") & (pl.col("ts") > his_last))
            unanswered = mine_after.height
            numbers["unanswered"] = unanswered
            numbers["since_his_last_s"] = round((at - his_last).total_seconds(), 1)  # type: ignore[operator]
            if unanswered == 0:
                if not bad:
                    ago = (at - his_last).total_seconds()  # type: ignore[operator]
                    reasons.append(M.CHECK_REPLYING.format(ago=M.duration(ago)))
            else:
                first = mine_after.get_column("ts").min()
                last = mine_after.get_column("ts").max()
                # her first message after his, plus each follow-up burst (≥ 15 min later)
                bursts = 1 + int(mine_after.slice(1).get_column("fu").sum())
                numbers["unanswered_bursts"] = bursts
                elapsed = (at - first).total_seconds()  # type: ignore[operator]
                if bursts >= MANY_BURSTS and at < last + timedelta(hours=MANY_WAIT_H):  # type: ignore[operator]
                    wait_until = _ceil_minute(last + timedelta(hours=MANY_WAIT_H))  # type: ignore[operator]
                    reasons.append(M.CHECK_UNANSWERED_MANY.format(
                        n=M.plural(unanswered, "message", "messages"),
                        last_his=M.when(chat.local(his_last)),  # type: ignore[arg-type]
                        until=M.when(chat.local(wait_until)),
                    ))
                elif p75 is not None and elapsed < p75:
                    wait_until = _ceil_minute(first + timedelta(seconds=p75))  # type: ignore[operator]
                    reasons.append(M.CHECK_UNANSWERED.format(
                        first=M.clock(chat.local(first)), p75=M.duration(p75),  # type: ignore[arg-type]
                        until=M.clock(chat.local(wait_until)),
                    ))
                elif p75 is not None:
                    reasons.append(M.CHECK_UNANSWERED_OK.format(elapsed=M.duration(elapsed), p75=M.duration(p75)))
            # quiet hours: he rarely writes now, and he isn't writing right now
            q = quiet_window(chat)
            local_at = chat.local(at)
            if q is not None and in_window(local_at.hour, q) and \
                    (at - his_last).total_seconds() > ACTIVE_MIN * 60:  # type: ignore[operator]
                end = local_at.replace(hour=q[1], minute=0, second=0, microsecond=0)
                if end <= local_at:
                    end += timedelta(days=1)
                if wait_until is None or end > wait_until:
                    wait_until = end
                reasons.append(M.CHECK_LATE.format(clock=M.clock(local_at), window=M.hour_range(q[0], q[1]),
                                                   until=M.clock(end)))
        share = _recent_balance(signals)
        numbers["recent_balance"] = share
        threshold = (signals.get("balance") or {}).get("threshold") or 0.65
        if share is not None and share > threshold:
            reasons.append(M.CHECK_BALANCE.format(share=M.pct(share)))

    if bad:
        verdict = "rethink"
        suggestion = rewrite(draft, found)
    elif wait_until is not None:
        verdict = "wait"
    if verdict == "send":
        good = [M.CHECK_GOOD_LABELS[name] for name in found if name in M.CHECK_GOOD_LABELS]
        reasons.extend(good[:1] or ([] if reasons else [M.CHECK_FINE]))
    return Check(
        verdict=verdict,
        reasons=reasons,
        labels=found,
        spans=spans,
        wait_until=chat.local(_ceil_minute(wait_until)) if wait_until is not None else None,
        suggestion=suggestion,
        numbers=numbers,
    )


def _ceil_minute(t: datetime) -> datetime:
    """``t`` rounded up to the whole minute (a time to show a person)."""
    if t.second == 0 and t.microsecond == 0:
        return t
    return t.replace(second=0, microsecond=0) + timedelta(minutes=1)


def _recent_balance(signals: dict[str, Any]) -> float | None:
    weekly = (signals.get("balance") or {}).get("weekly") or []
    vals = [w["composite"] for w in weekly if w.get("composite") is not None][-BALANCE_WEEKS:]
    return round(sum(vals) / len(vals), 3) if vals else None


# --------------------------------------------------------------------------------------------
# Kinder rewrites (templates of our own, filled from the draft where a pattern allows)
# --------------------------------------------------------------------------------------------

_CRIT = re.compile(
    r"\byou(?P<are>'re|’re| are)?\s+(?P<freq>always|never)\s+(?P<action>[^.!?\n]+)", re.IGNORECASE
)
_DEMAND = re.compile(
    r"^\s*(?:you\s+(?:need|have|must)\s+(?:to\s+)?|you\s+better\s+)?(?P<action>[^.!?\n]+?)"
    r"(?:\s+(?:right\s+)?now|\s+immediately|\s+asap)?\s*[.!?]*\s*$",
    re.IGNORECASE,
)
#: A filled-in action must look like a short plain verb phrase.
_ACTION_OK = re.compile(r"^[a-z][a-z' ’]{1,60}$")
_ACTION_MAX_WORDS: Final[int] = 8


#: Time words that fit a complaint ("you never call anymore") but not a wish ("if you'd call").
_TRAILING_TIME = re.compile(r"(?:\s+(?:anymore|any more|lately|these days|at all|ever|again))+$")


def _clean(action: str) -> str | None:
    a = re.sub(r"[^\w\s'’]", "", action).strip().lower()
    a = re.sub(r"\s+", " ", a)
    a = _TRAILING_TIME.sub("", a)
    if not a or len(a.split()) > _ACTION_MAX_WORDS or not _ACTION_OK.match(a):
        return None
    return a


def rewrite(draft: str, labels: list[str]) -> str | None:
    """A kinder version of ``draft`` for criticism, demands, reassurance seeking and compliment
    fishing; None for the rest."""
    if "criticism" in labels:
        m = _CRIT.search(draft)
        if m:
            action = _clean(m.group("action"))
            if action:
                never = m.group("freq").lower() == "never"
                if m.group("are"):
                    tmpl = M.REWRITE_CRITICISM_NEVER_ARE if never else M.REWRITE_CRITICISM_ALWAYS_ARE
                else:
                    tmpl = M.REWRITE_CRITICISM_NEVER if never else M.REWRITE_CRITICISM_ALWAYS
                return tmpl.format(action=action)
        return M.REWRITE_CRITICISM
    if "demand" in labels:
        m = _DEMAND.match(draft)
        action = _clean(m.group("action")) if m else None
        if action:
            return M.REWRITE_DEMAND.format(action=action)
        return M.REWRITE_DEMAND_GENERIC
    if "reassurance_seeking" in labels:
        return M.REWRITE_REASSURANCE
    if "compliment_fishing" in labels:
        return M.REWRITE_COMPLIMENT
    return None
