"""``fonder plan``: the next seven days.

Three parts, each from this couple's own numbers:

- **space**: rules from his baseline (let him start at least half the conversations; no
  follow-up before his usual p75 reply time; quiet hours when he rarely writes; statements
  instead of reassurance questions; mirroring his pace while he is distant). None when the
  safety section fires: then the plan says so and leads with safety.
- **own life**: what she already mentions doing, her ``interests``, then the catalogue
  (``data/own_life.json``), varied by kind and fit for the season.
- **date ideas**: five from ``data/date_ideas.json`` that the chat shows no sign of (any of an
  idea's keywords in any message skips it), in season, favouring novelty and a little
  adrenaline (Aron et al. 2000), with a spread of costs and settings.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any, Final

import polars as pl

from fonder.coach import messages as M
from fonder.coach.base import RECENT_DAYS, Chat, Plan, Rule, prepare

PLAN_DAYS: Final[int] = 7
DATE_IDEAS: Final[int] = 5
OWN_LIFE_ITEMS: Final[int] = 6
#: Own-life items taken from what she already mentions in the chat, at most.
OWN_LIFE_FROM_CHAT: Final[int] = 2

#: Her share of starts above which the plan caps her starts for the week.
STARTS_CAP_FROM: Final[float] = 0.55
#: An hour is "quiet" when less than this share of his messages fall in it…
QUIET_SHARE: Final[float] = 0.01
#: …and a quiet window needs at least this many hours in a row.
QUIET_MIN_HOURS: Final[int] = 4
#: Latency rules read his last eight weeks when they hold this many replies, else everything.
LATENCY_WEEKS: Final[int] = 8
LATENCY_MIN_REPLIES: Final[int] = 10

SEASONS: Final[tuple[str, ...]] = ("winter", "spring", "summer", "autumn")
#: Zone prefixes of the southern hemisphere, where the seasons are the other way round.
SOUTHERN: Final[tuple[str, ...]] = (
    "Australia/", "Pacific/Auckland", "Pacific/Chatham", "America/Argentina", "America/Santiago",
    "America/Sao_Paulo", "America/Montevideo", "America/Asuncion", "America/La_Paz", "America/Lima",
    "Africa/Johannesburg", "Africa/Maputo", "Africa/Windhoek", "Africa/Harare", "Indian/Mauritius",
    "Antarctica/",
)
COST_ORDER: Final[dict[str, int]] = {"free": 0, "low": 1, "mid": 2, "high": 3}
OWN_LIFE_TAGS: Final[tuple[str, ...]] = (
    "social", "body", "creative", "outdoors", "learning", "rest", "solo", "giving",
)


# --------------------------------------------------------------------------------------------
# Catalogues
# --------------------------------------------------------------------------------------------


def _load(name: str) -> list[dict[str, Any]]:
    return json.loads(resources.files("fonder").joinpath("data", name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def date_ideas_catalogue() -> tuple[dict[str, Any], ...]:
    """Every date idea of ``data/date_ideas.json``."""
    return tuple(_load("date_ideas.json"))


@lru_cache(maxsize=1)
def own_life_catalogue() -> tuple[dict[str, Any], ...]:
    """Every own-life item of ``data/own_life.json``."""
    return tuple(_load("own_life.json"))


def season_of(day: date, tz: str | None = None) -> str:
    """Meteorological season of ``day`` (northern, unless ``tz`` is a southern-hemisphere zone)."""
    i = (day.month % 12) // 3  # Dec–Feb 0 (winter), Mar–May 1, Jun–Aug 2, Sep–Nov 3
    if tz and tz.startswith(SOUTHERN):
        i = (i + 2) % 4
    return SEASONS[i]


def _pattern(words: list[str]) -> str:
    return r"(?i)\b(?:" + "|".join(re.escape(w.lower()) for w in sorted(words, key=len, reverse=True)) + r")\b"


def mentioned(texts: pl.Series, words: list[str]) -> set[str]:
    """Which of ``words`` occur (whole words, any case) in ``texts`` (lower-cased already).

    A cheap substring pass (Aho–Corasick) keeps the few texts that may match; the word-boundary
    regex runs on those only."""
    words = sorted({w.lower() for w in words if w})
    if not words or texts.len() == 0:
        return set()
    maybe = texts.filter(texts.str.contains_any(words).fill_null(False))
    if maybe.len() == 0:
        return set()
    found = maybe.str.extract_all(_pattern(words)).explode().drop_nulls().unique().to_list()
    return {str(w) for w in found}


def _rotation(key: str, today: date) -> int:
    """A stable pseudo-random number per (item, week): the week's ideas differ from last week's."""
    week = today.isocalendar()
    return zlib.crc32(f"{key}:{week[0]}-{week[1]}".encode())


# --------------------------------------------------------------------------------------------
# Date ideas
# --------------------------------------------------------------------------------------------


def pick_date_ideas(chat: Chat, today: date, k: int = DATE_IDEAS) -> list[dict[str, Any]]:
    """``k`` date ideas new to this couple, in season, novel and a little thrilling, varied."""
    ideas = date_ideas_catalogue()
    season = season_of(today, chat.tz)
    if "ideas_seen" not in chat.memo:
        words = sorted({w.lower() for i in ideas for w in i["keywords"]})
        chat.memo["ideas_seen"] = mentioned(chat.lower_texts(), words)
    seen = chat.memo["ideas_seen"]
    fresh = [i for i in ideas if not (set(w.lower() for w in i["keywords"]) & seen)]
    in_season = [i for i in fresh if season in i["seasons"]]

    def score(i: dict[str, Any]) -> tuple[int, int]:
        return (2 * i["novelty"] + i["adrenaline"], _rotation(i["id"], today) % 1000)

    pool = sorted(in_season, key=score, reverse=True)
    # a spread, each slot taking the best idea that fits it: the most novel and thrilling;
    # a free or cheap one; one outdoors (or either); a calmer one; the best of the rest.
    # At most one "high" cost idea.
    slots = (
        lambda i: True,
        lambda i: COST_ORDER[i["cost"]] <= 1,
        lambda i: i["setting"] in ("outdoor", "either"),
        lambda i: i["adrenaline"] <= 2,
        lambda i: True,
    )
    chosen: list[dict[str, Any]] = []
    for want in slots:
        for i in pool:
            if i in chosen or not want(i):
                continue
            if i["cost"] == "high" and any(c["cost"] == "high" for c in chosen):
                continue
            chosen.append(i)
            break
    for i in pool:  # few ideas left after skipping: take what there is
        if len(chosen) >= k:
            break
        if i not in chosen:
            chosen.append(i)
    return [_idea_json(i, season) for i in chosen[:k]]


def _idea_json(i: dict[str, Any], season: str) -> dict[str, Any]:
    parts = M.DATE_IDEA_PARTS
    why = M.DATE_IDEA_WHY.format(parts=", ".join((
        parts["novelty"][i["novelty"]], parts["adrenaline"][i["adrenaline"]],
        parts["cost"][i["cost"]], parts["setting"][i["setting"]],
    )))
    return {
        "id": i["id"],
        "title": i["title"],
        "novelty": i["novelty"],
        "adrenaline": i["adrenaline"],
        "cost": i["cost"],
        "setting": i["setting"],
        "season": season,
        "why": why,
    }


# --------------------------------------------------------------------------------------------
# Her own life
# --------------------------------------------------------------------------------------------


def own_life_suggestions(
    chat: Chat, interests: list[str], today: date, k: int = OWN_LIFE_ITEMS
) -> list[dict[str, Any]]:
    """Things for her own week: what she already does (from the chat), her interests, then the
    catalogue, varied by kind and in season."""
    from fonder.coach.findings import own_life_mentions

    items = own_life_catalogue()
    by_mention = {i["mention"]: i for i in items}
    season = season_of(today, chat.tz)
    out: list[dict[str, Any]] = []
    used: set[str] = set()
    mentions = own_life_mentions(chat)
    for mention, n in mentions[:OWN_LIFE_FROM_CHAT]:
        item = by_mention[mention]
        out.append({"id": item["id"], "title": item["title"], "source": "chat",
                    "why": M.OWN_LIFE_FROM_CHAT.format(thing=mention, n_times=M.times(n))})
        used.add(item["id"])
    already = {by_mention[m]["id"] for m, _ in mentions}
    for interest in interests:
        text = interest.strip()
        if not text:
            continue
        item = _match_interest(text, items, used)
        if item is not None:
            out.append({"id": item["id"], "title": item["title"], "source": "interests",
                        "why": M.OWN_LIFE_FROM_INTEREST.format(interest=text)})
            used.add(item["id"])
        else:
            out.append({"id": None, "title": M.OWN_LIFE_GENERIC_TITLE.format(interest=text),
                        "source": "interests", "why": M.OWN_LIFE_FROM_INTEREST.format(interest=text)})
    # fill from the catalogue: one per kind in turn, in season, not something she already does
    fill = [i for i in items if i["id"] not in used and i["id"] not in already and season in i["seasons"]]
    fill.sort(key=lambda i: _rotation(i["id"], today))
    tags = list(OWN_LIFE_TAGS)
    start = today.toordinal() // 7 % len(tags)
    tags = tags[start:] + tags[:start]
    t = 0
    while len(out) < k and fill:
        tag = tags[t % len(tags)]
        t += 1
        pick = next((i for i in fill if i["tags"][0] == tag), None)
        if pick is None and t > len(tags):
            pick = fill[0]
        if pick is None:
            continue
        fill.remove(pick)
        out.append({"id": pick["id"], "title": pick["title"], "source": "catalogue",
                    "why": M.OWN_LIFE_FROM_CATALOGUE.format(why=M.OWN_LIFE_WHY_TAGS[pick["tags"][0]])})
    return out[: max(k, len([o for o in out if o["source"] != "catalogue"]))]


def _match_interest(text: str, items: tuple[dict[str, Any], ...], used: set[str]) -> dict[str, Any] | None:
    low = text.lower()
    for item in items:
        if item["id"] in used:
            continue
        names = [item["id"].replace("-", " "), item["mention"].lower(), *[w.lower() for w in item["keywords"]]]
        # the interest is one of the item's names, or a whole word of one ("salsa", "photo");
        # not the other way round: "underwater hockey" is not just any team sport
        if any(low in (n, n + "s") or re.search(r"\b" + re.escape(low) + r"\b", n) for n in names):
            return item
    return None


# --------------------------------------------------------------------------------------------
# Space rules
# --------------------------------------------------------------------------------------------


def his_latency(chat: Chat) -> tuple[float | None, float | None, int]:
    """His (median, p75, replies) reply latency: the last eight weeks when they hold enough
    replies, else the whole chat."""
    med, p75, n = chat.latency("them", start=chat.since(LATENCY_WEEKS * 7))
    if n < LATENCY_MIN_REPLIES:
        med, p75, n = chat.latency("them")
    return med, p75, n


def quiet_window(chat: Chat) -> tuple[int, int, float] | None:
    """(start hour, end hour, his share of messages inside) of the longest run of local hours in
    which he rarely writes, or None (too few messages, or no run of ``QUIET_MIN_HOURS``)."""
    his = chat.msgs.filter(~pl.col("me"))
    if his.height < 50:
        return None
    counts = his.group_by(pl.col("local").dt.hour().alias("h")).len()
    per = [0] * 24
    for h, n in counts.iter_rows():
        per[int(h)] = int(n)
    total = sum(per)
    quiet = [per[h] / total < QUIET_SHARE for h in range(24)]
    if all(quiet) or not any(quiet):
        return None
    best_len, best_start = 0, 0
    for s in range(24):
        if quiet[s] and not quiet[(s - 1) % 24]:
            n = 0
            while n < 24 and quiet[(s + n) % 24]:
                n += 1
            if n > best_len:
                best_len, best_start = n, s
    if best_len < QUIET_MIN_HOURS:
        return None
    inside = sum(per[(best_start + i) % 24] for i in range(best_len))
    return best_start, (best_start + best_len) % 24, inside / total


def in_window(hour: int, window: tuple[int, int, float]) -> bool:
    start, end, _ = window
    return (start <= hour < end) if start < end else (hour >= start or hour < end)


def space_rules(chat: Chat, signals: dict[str, Any]) -> list[Rule]:
    rules: list[Rule] = []
    cut = chat.since(RECENT_DAYS)
    rec = chat.window(cut)
    weeks = min(RECENT_DAYS, max(chat.days, 1.0)) / 7.0
    starts = rec.filter(pl.col("start"))
    s_me, s_all = int(starts.get_column("me").sum()), starts.height
    if s_all:
        per_week = s_all / weeks
        share = s_me / s_all
        cap = max(1, math.floor(per_week / 2))
        numbers = {"started_by_me": s_me, "conversations": s_all, "share": round(share, 3),
                   "per_week": round(per_week, 1), "max_starts": cap}
        if share > STARTS_CAP_FROM:
            text = M.PLAN_STARTS.format(me=s_me, total=s_all, share=M.pct(share),
                                        per_week=M.rate(per_week), cap=cap)
        else:
            text = M.PLAN_STARTS_OK.format(them=s_all - s_me, total=s_all)
        rules.append(Rule("starts", text, numbers))
    med, p75, n = his_latency(chat)
    if p75 is not None and n >= 5:
        rules.append(Rule("follow_up", M.PLAN_FOLLOW_UP.format(p75=M.duration(p75), median=M.duration(med)),
                          {"his_p75_latency_s": round(p75, 1), "his_median_latency_s": round(med or 0.0, 1),
                           "replies": n}))
    q = quiet_window(chat)
    if q is not None:
        start, end, share = q
        mine = rec.filter(pl.col("me")).get_column("local").dt.hour().to_list()
        n_mine = sum(1 for h in mine if in_window(h, q))
        tmpl = M.PLAN_QUIET if n_mine else M.PLAN_QUIET_KEPT
        rules.append(Rule("quiet_hours", tmpl.format(window=M.hour_range(start, end), share=M.pct_small(share),
                                                     mine=M.plural(n_mine, "message", "messages")),
                          {"start_hour": start, "end_hour": end, "his_share": round(share, 4),
                           "mine_recent": n_mine}))
    if chat.has_labels:
        r = chat.count("reassurance_seeking", "me", start=cut) + chat.count("compliment_fishing", "me", start=cut)
        if r:
            rules.append(Rule("reassurance", M.PLAN_REASSURANCE.format(times=M.times(r)), {"recent": r}))
    pa = signals.get("pull_away") or {}
    if pa.get("detected"):
        ratio = (pa.get("changes") or {}).get("latency_ratio")
        rmed, _, rn = chat.latency("them", start=cut)
        if ratio and rmed:
            rules.append(Rule("mirror", M.PLAN_MIRROR.format(x=M.ratio(ratio), median=M.duration(rmed)),
                              {"latency_ratio": ratio, "his_recent_median_s": round(rmed, 1)}))
    return rules


# --------------------------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------------------------


def plan(
    signals: dict[str, Any],
    messages: pl.DataFrame,
    labels: pl.DataFrame | None,
    *,
    me: str,
    them: str,
    interests: list[str] | tuple[str, ...] = (),
    today: date,
) -> Plan:
    """The next seven days from ``today``: space rules, her own life, five new date ideas."""
    chat = prepare(messages, labels, me=me, them=them)
    return plan_of(chat, signals, list(interests), today)


def plan_of(chat: Chat, signals: dict[str, Any], interests: list[str], today: date) -> Plan:
    from fonder.coach.findings import safety_of

    saf = safety_of(chat)
    notes: list[str] = []
    if saf is not None:
        space: list[Rule] = []
        notes.append(M.PLAN_SAFETY_NOTE)
    elif chat.n == 0:
        space = []
    else:
        space = space_rules(chat, signals)
        if chat.short:
            notes.append(M.PLAN_SHORT_NOTE.format(days=round(chat.days)))
    return Plan(
        start=today,
        end=today + timedelta(days=PLAN_DAYS - 1),
        space=space,
        own_life=own_life_suggestions(chat, interests, today),
        date_ideas=pick_date_ideas(chat, today),
        safety_first=saf is not None,
        notes=notes,
        days=PLAN_DAYS,
    )


