"""A seeded storyline simulator of a couple texting, with the truth known.

fonder's signals (pull-away, follow-ups, absence response, …) are measured on chats whose
ground truth nobody knows. This module makes chats whose truth we *do* know: a couple texts
along a storyline of abrupt :class:`Change` s (from a date on, one person replies slower, sends
less, starts fewer conversations, writes shorter messages, double-texts more) and
:class:`Silence` s (one person goes quiet; the other may break it with a "miss you").
Detectors are evaluated against it, and the demo couple (:mod:`fonder.demo`) is one storyline.

How a couple texts (every number below is drawn per seed and per person, so couples differ):

- **Sleep and days.** Each person has a wake and a bed time that wobble from day to day, later
  at weekends and on Friday and Saturday nights. Nobody texts asleep: a message that would
  fall in someone's night is sent after they wake, except rarely (a late-night text within an
  hour or so after bedtime). Nothing is sent between 02:00 and 07:00 local time.
- **Threads.** A thread opens at a time drawn from a daily rhythm (mornings, lunch, evenings;
  flatter at weekends), by each person in proportion to their own start rate. The other
  replies with a per-person probability, after a latency drawn lognormally around a personal
  median (minutes) with a heavy tail, a small chance of an hours-long wait, and a slower pace in
  weekday working hours. Replies alternate until someone does not reply; the chat then idles
  until the next opening. Conversations in fonder's sense (after ≥ 6 h of quiet) emerge from
  this: mostly one or two a day, started by whoever writes first after the night or a lull.
- **Turns.** A turn is a burst of 1–4 messages seconds apart; its size is drawn per person.
- **Follow-ups.** When the other has not answered after a person's patience (≥ 16 minutes,
  around her personal median) she may write again — more readily when the other is slow, and
  scaled by ``followup_factor``; a streak grows less likely with each unanswered burst.
- **Texts.** With ``texts=True`` every message is drawn from template banks (greetings,
  logistics, own-life news, questions, plans, jokes, affection, longing, thanks, apologies for
  slow replies, reassurance-seeking, the odd mild complaint). The mix follows the story: the
  one who pulls away writes shorter, cooler replies; the other asks more "are we ok?" and
  chases more; a broken silence opens with a longing message. With ``texts=False`` the text is
  a cheap placeholder of the right number of words (ending in "?" for questions).

A change in one person echoes in the other's numbers, as it would in life: when he replies
less and later, threads are shorter, so she sends fewer messages too (but her share rises) and
double-texts more; his replies that come after a night or a long lull open the next
conversation, so a slower person does not automatically start fewer conversations (that is
``starts_factor``).

Everything is deterministic per seed: the same arguments give the same frame. Typical cost:
about 30 ms per couple-half-year with ``texts=False``.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Final, Literal

import numpy as np
import polars as pl

from fonder.model import conform

__all__ = [
    "DEFAULT_START",
    "Case",
    "Change",
    "Silence",
    "cases",
    "couple",
    "factors_at",
    "pull_away",
    "steady",
]

Who = Literal["me", "them"]

#: The start of the presets' timelines (a Monday), fixed so that runs are reproducible.
DEFAULT_START: Final[datetime] = datetime(2025, 1, 6, tzinfo=UTC)

# How volume_factor acts: on burst sizes (messages per turn) and on the chance to reply at all.
_VOLUME_BURST_EXP: Final[float] = 1.5
_VOLUME_REPLY_EXP: Final[float] = 0.5
# A thread that died (no reply coming) invites fewer follow-ups than a reply that is late.
_DEAD_THREAD_FOLLOWUP: Final[float] = 0.5
SLOT_S: Final[int] = 300  # the time grid on which rhythms, sleep and factors are tabulated
_ME, _THEM = 0, 1

# What a turn is, for the texts.
OPEN, REPLY, FOLLOW, BREAK = 0, 1, 2, 3


@dataclass(frozen=True)
class Change:
    """From ``at`` on, ``who`` behaves differently (abrupt; factors multiply their baseline).

    Several changes of the same person compose by multiplication, so a later
    ``Change(latency_factor=1/3)`` undoes an earlier ``latency_factor=3``.
    """

    at: datetime
    """When the change starts (aware; compared as an instant)."""
    who: Who
    latency_factor: float = 1.0
    """Multiplies that person's reply latency (every part of it: typical, busy, working hours)."""
    volume_factor: float = 1.0
    """Multiplies how many messages they send: fewer replies, smaller bursts."""
    length_factor: float = 1.0
    """Multiplies words per message (and, with texts, favours short replies)."""
    starts_factor: float = 1.0
    """Multiplies how often they open a thread (start a conversation)."""
    followup_factor: float = 1.0
    """Multiplies their propensity to write again when their last message is unanswered."""


@dataclass(frozen=True)
class Silence:
    """``who`` goes quiet for ``hours`` from ``start``.

    The whole chat is quiet in that window (nothing from either side). When it ends, the other
    person breaks it with a longing message ("miss you…") if ``broken_with_longing``, and ``who``
    answers; otherwise ``who`` comes back with an ordinary message (the other never reached
    out). Either message is moved past the writer's night if the window ends while they sleep.
    """

    start: datetime
    hours: float
    who: Who = "me"
    broken_with_longing: bool = True


@dataclass(frozen=True)
class _Persona:
    """One person's habits, drawn per seed."""

    latency_s: float  # median reply latency
    latency_sigma: float  # lognormal spread of it
    busy_p: float  # chance a reply waits on something (an hours-long wait)
    busy_s: float  # median of such a wait
    work_factor: float  # latency multiplier in weekday working hours
    reply_p: float  # chance to answer the other's turn within a thread
    burst_mean: float  # messages per turn
    open_rate: float  # thread openings per waking hour at the rhythm's peak
    followup_p: float  # chance to write again when the other is slower than her patience
    patience_s: float  # median wait before a follow-up
    words: float  # median words per message
    question_p: float  # chance a message asks something
    late_p: float  # chance a message that would fall after bedtime is sent anyway
    wake_h: float  # local wake hour on weekdays
    bed_h: float  # local bed hour (above 24 means after midnight)
    weekend_wake_h: float  # how much later they wake at weekends
    media_p: float  # chance a message is a photo, video or voice note
    # tone propensities (relative), used by the texts
    affection: float
    longing: float
    playful: float
    own_life: float


def _personas(rng: np.random.Generator) -> tuple[_Persona, _Persona]:
    """Two people of one steady couple: shared couple habits, each with personal variation."""
    c_lat = math.exp(rng.normal(math.log(170.0), 0.45))
    c_reply = rng.uniform(0.80, 0.89)
    c_burst = rng.uniform(1.45, 2.1)
    c_open = rng.uniform(0.22, 0.42)
    c_words = rng.uniform(4.5, 7.5)
    c_wake = rng.uniform(7.1, 7.8)
    c_bed = rng.uniform(23.0, 24.2)
    c_follow = rng.uniform(0.15, 0.35)
    c_busy = rng.uniform(0.03, 0.07)
    c_weekend = rng.uniform(0.5, 1.6)
    c_work = rng.uniform(1.3, 2.6)
    people = []
    for _ in range(2):
        people.append(
            _Persona(
                latency_s=c_lat * math.exp(rng.normal(0.0, 0.25)),
                latency_sigma=rng.uniform(1.0, 1.4),
                busy_p=c_busy * math.exp(rng.normal(0.0, 0.1)),
                busy_s=rng.uniform(50, 120) * 60.0,
                work_factor=c_work * math.exp(rng.normal(0.0, 0.08)),
                reply_p=min(0.93, c_reply + rng.normal(0.0, 0.012)),
                burst_mean=c_burst * math.exp(rng.normal(0.0, 0.06)),
                open_rate=c_open * math.exp(rng.normal(0.0, 0.05)),
                followup_p=c_follow * math.exp(rng.normal(0.0, 0.2)),
                patience_s=rng.uniform(30, 70) * 60.0,
                words=c_words * math.exp(rng.normal(0.0, 0.12)),
                question_p=rng.uniform(0.18, 0.28),
                late_p=rng.uniform(0.01, 0.05),
                wake_h=c_wake + rng.uniform(-0.15, 0.15),
                bed_h=c_bed + rng.uniform(-0.15, 0.15),
                weekend_wake_h=c_weekend + rng.uniform(-0.2, 0.2),
                media_p=rng.uniform(0.01, 0.03),
                affection=math.exp(rng.normal(0.0, 0.3)),
                longing=math.exp(rng.normal(0.0, 0.3)),
                playful=math.exp(rng.normal(0.0, 0.3)),
                own_life=math.exp(rng.normal(0.0, 0.3)),
            )
        )
    return people[0], people[1]


# Relative thread-opening rhythm per local hour (weekdays: mornings, lunch, evenings).
_RHYTHM_WEEKDAY = np.array(
    [0.5, 0.3, 0.2, 0.2, 0.2, 0.2, 0.3, 0.9, 0.9, 0.45, 0.45, 0.55,
     0.9, 0.8, 0.45, 0.45, 0.55, 0.8, 0.8, 0.9, 1.0, 1.0, 0.9, 0.6]
)  # fmt: skip
_RHYTHM_WEEKEND = np.array(
    [0.6, 0.4, 0.2, 0.2, 0.2, 0.2, 0.2, 0.4, 0.6, 0.8, 0.75, 0.7,
     0.7, 0.65, 0.6, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.85, 0.8, 0.7]
)  # fmt: skip


@dataclass(frozen=True)
class _Grid:
    """Local calendar facts per 5-minute slot of the timeline."""

    hour: np.ndarray  # local hour with fraction, 0–24
    weekend: np.ndarray  # local Saturday or Sunday
    work: np.ndarray  # weekday working hours (09:00–17:30)
    night_day: np.ndarray  # index of the day a night belongs to (local time minus 4 h)
    night_hour: np.ndarray  # local hour on that day, 4–28
    night_weekday: np.ndarray  # weekday of that day, 0 = Monday
    days: int


@lru_cache(maxsize=8)
def _grid(start_us: int, slots: int, tz: str) -> _Grid:
    begin = datetime.fromtimestamp(start_us / 1e6, UTC)
    utc = pl.datetime_range(
        begin, begin + timedelta(seconds=SLOT_S * slots), f"{SLOT_S}s",
        closed="left", eager=True, time_zone="UTC",
    )  # fmt: skip
    local = utc.dt.convert_time_zone(tz).dt.replace_time_zone(None)
    hour = (local.dt.hour().cast(pl.Float64) + local.dt.minute().cast(pl.Float64) / 60.0).to_numpy()
    weekday = local.dt.weekday().to_numpy() - 1  # polars: 1 = Monday
    shifted = local - timedelta(hours=4)
    sdate = shifted.dt.date()
    night_day = (sdate - sdate.min()).dt.total_days().to_numpy().astype(np.int64)
    night_hour = (
        shifted.dt.hour().cast(pl.Float64) + shifted.dt.minute().cast(pl.Float64) / 60.0
    ).to_numpy() + 4.0
    night_weekday = shifted.dt.weekday().to_numpy() - 1
    grid = _Grid(
        hour=hour,
        weekend=weekday >= 5,
        work=(weekday < 5) & (hour >= 9.0) & (hour < 17.5),
        night_day=night_day,
        night_hour=night_hour,
        night_weekday=night_weekday,
        days=int(night_day.max()) + 1,
    )
    for arr in (grid.hour, grid.weekend, grid.work, grid.night_day, grid.night_hour):
        arr.flags.writeable = False
    return grid


def _awake(grid: _Grid, p: _Persona, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(awake, may text late) per slot for one person, with day-to-day wobble."""
    days = grid.days
    wd = (np.arange(days) + int(grid.night_weekday[0])) % 7
    wake = p.wake_h + rng.normal(0.0, 0.35, days) + np.where(wd >= 5, p.weekend_wake_h, 0.0)
    wake = np.clip(wake, 7.0, 11.5)
    bed = p.bed_h + rng.normal(0.0, 0.4, days) + np.where((wd == 4) | (wd == 5), 0.6, 0.0)
    bed = np.clip(bed, 21.5, 25.0)
    w = wake[grid.night_day]
    b = bed[grid.night_day]
    h = grid.night_hour
    awake = (h >= w) & (h < b)
    late = (h >= b) & (h < np.minimum(b + 1.25, 26.0))
    return awake, late


def _factor_arrays(
    changes: Sequence[Change], start: datetime, slots: int
) -> dict[str, np.ndarray]:
    """Per person and factor, the multiplier in force in each slot: shape (2, slots)."""
    out = {
        name: np.ones((2, slots))
        for name in ("latency", "volume", "length", "starts", "followup")
    }
    for ch in changes:
        if ch.at.tzinfo is None:
            raise ValueError("Change.at must be an aware datetime (add a tzinfo)")
        who = _ME if ch.who == "me" else _THEM
        idx = math.ceil((ch.at - start).total_seconds() / SLOT_S)
        idx = min(max(idx, 0), slots)
        for name in out:
            f = float(getattr(ch, f"{name}_factor"))
            if f <= 0 or not math.isfinite(f):
                raise ValueError(f"Change.{name}_factor must be a positive number, got {f}")
            if f != 1.0:
                out[name][who, idx:] *= f
    return out


def _silences(silences: Sequence[Silence], start: datetime, end_s: float) -> list[tuple]:
    """Silences as (start_s, end_s, who, broken), sorted, within the timeline."""
    out = []
    for s in silences:
        if s.start.tzinfo is None:
            raise ValueError("Silence.start must be an aware datetime (add a tzinfo)")
        if s.hours <= 0:
            raise ValueError(f"Silence.hours must be positive, got {s.hours}")
        a = (s.start - start).total_seconds()
        b = a + s.hours * 3600.0
        if b <= 0 or a >= end_s:
            continue
        out.append((max(a, 0.0), b, _ME if s.who == "me" else _THEM, s.broken_with_longing))
    out.sort()
    for (_, b1, _, _), (a2, _, _, _) in zip(out, out[1:], strict=False):
        if a2 < b1:
            raise ValueError("silences must not overlap")
    return out


@dataclass
class _Timeline:
    """The simulated messages before texts: parallel lists, one entry per message."""

    t: list[float]
    sender: list[int]
    turn: list[int]
    pos: list[int]
    # per turn
    flag: list[int]
    latency: list[float]  # seconds since the other's last message (replies), else -1
    after_break: list[bool]  # the reply to a broken silence


def _simulate(
    people: tuple[_Persona, _Persona],
    grid: _Grid,
    awake: tuple[np.ndarray, np.ndarray],
    late: tuple[np.ndarray, np.ndarray],
    factors: dict[str, np.ndarray],
    silences: list[tuple],
    end_s: float,
    rnd: random.Random,
) -> _Timeline:
    """The event loop: one iteration per turn (Python; everything per slot is precomputed)."""
    slots = len(grid.hour)
    work = grid.work.tolist()
    aw = [a.tolist() for a in awake]
    lt = late  # read rarely (only for a message that would fall in someone's night)
    # first awake slot at or after each slot, per person (read rarely too)
    nxt = []
    for a in awake:
        idx = np.flatnonzero(a)
        pos = np.searchsorted(idx, np.arange(slots))
        nxt.append(np.append(idx, slots)[pos])

    def per_slot(arr: np.ndarray) -> list[float]:
        return [float(arr[0])] * slots if arr.min() == arr.max() else arr.tolist()

    lat_f = [per_slot(factors["latency"][i]) for i in (0, 1)]
    vol_f = [per_slot(factors["volume"][i]) for i in (0, 1)]
    fol_f = [per_slot(factors["followup"][i]) for i in (0, 1)]
    weekend = grid.weekend
    hour_i = grid.hour.astype(np.int64)
    rhythm = np.where(weekend, _RHYTHM_WEEKEND[hour_i], _RHYTHM_WEEKDAY[hour_i])
    rates = [
        people[i].open_rate / 3600.0 * rhythm * awake[i] * factors["starts"][i]
        for i in (0, 1)
    ]
    total = rates[0] + rates[1]
    lam = np.concatenate([[0.0], np.cumsum(total * SLOT_S)]).tolist()
    rate_me = rates[0]
    rate_all = total.tolist()

    P = people
    tl = _Timeline([], [], [], [], [], [], [])
    rand = rnd.random
    pool = np.random.default_rng(rnd.getrandbits(64))

    def normals() -> Iterator[float]:
        while True:  # numpy draws normals in bulk far faster than random.gauss one by one
            yield from pool.standard_normal(8192).tolist()

    gauss = normals().__next__

    last = slots - 1

    def next_opening(t0: float) -> tuple[float, int] | None:
        g = int(t0 // SLOT_S)
        if g >= slots:
            return None
        target = lam[g] + rate_all[g] * (t0 - g * SLOT_S) + rnd.expovariate(1.0)
        j = bisect.bisect_right(lam, target) - 1
        if j >= slots:
            return None
        t = j * SLOT_S + (target - lam[j]) / rate_all[j]
        who = _ME if rand() * rate_all[j] < float(rate_me[j]) else _THEM
        return t, who

    def wake_up(p: int, t: float) -> float:
        """``t`` if ``p`` is awake (or texts late this once), else a little after they wake."""
        g = int(t // SLOT_S)
        if g >= slots or aw[p][g]:
            return t
        if lt[p][g] and rand() < P[p].late_p:
            return t
        n = int(nxt[p][g])
        if n >= slots:
            return end_s + 1.0
        return n * SLOT_S + 120.0 + 900.0 * math.exp(0.7 * gauss())

    def latency(p: int, t: float) -> float:
        q = P[p]
        g = min(int(t // SLOT_S), last)
        if rand() < q.busy_p:
            x = q.busy_s * math.exp(0.8 * gauss())
        else:
            x = q.latency_s * math.exp(q.latency_sigma * gauss())
        if work[g]:
            x *= q.work_factor
        return max(x * lat_f[p][g], 4.0 + 8.0 * rand())

    def burst(p: int, t: float, cap: int) -> int:
        extra = (P[p].burst_mean - 1.0) * vol_f[p][min(int(t // SLOT_S), last)] ** _VOLUME_BURST_EXP
        cont = extra / (1.0 + extra)  # geometric with mean 1 + extra, capped
        n = 1
        while n < cap and rand() < cont:
            n += 1
        return n

    def times(t0: float, n: int) -> list[float]:
        """When the ``n`` messages of a burst starting at ``t0`` are sent (seconds apart)."""
        out = [t0]
        if n == 1:
            return out
        for _ in range(n - 1):
            out.append(out[-1] + max(3.0, min(240.0, 22.0 * math.exp(0.8 * gauss()))))
        return out

    def emit(p: int, ts: list[float], flag: int, lat: float, after_break: bool) -> float:
        k = len(tl.flag)
        tl.flag.append(flag)
        tl.latency.append(lat)
        tl.after_break.append(after_break)
        tl.t.extend(ts)
        tl.sender.extend([p] * len(ts))
        tl.turn.extend([k] * len(ts))
        tl.pos.extend(range(len(ts)))
        return ts[-1]

    def hits_silence(t_end: float) -> bool:
        return sil_i < len(silences) and t_end >= silences[sil_i][0]

    sil_i = 0
    # the next turn: (time, person, flag, latency, after_break, burst cap)
    first = next_opening(0.0)
    if first is None:
        return tl
    event = (first[0], first[1], OPEN, -1.0, False, 4)
    streak = 0  # unanswered follow-ups in a row by the one waiting
    while True:
        t0, p, flag, lat, after_break, cap = event
        if t0 >= end_s:
            break
        ts = times(t0, burst(p, t0, cap))
        if hits_silence(ts[-1]):
            # the chat goes quiet until the silence ends; then it is broken
            _, s_end, who, broken = silences[sil_i]
            sil_i += 1
            opener = 1 - who if broken else who
            t_open = wake_up(opener, s_end + 2400.0 * rand())
            event = (t_open, opener, BREAK if broken else OPEN, -1.0, False, 1 if broken else 4)
            streak = 0
            continue
        t_a = emit(p, ts, flag, lat, after_break)
        a, b = p, 1 - p
        if flag != FOLLOW:
            streak = 0
        # does the other answer within the thread, and when?
        forced = flag == BREAK  # a broken silence is always answered
        g = min(int(t_a // SLOT_S), last)
        if forced or rand() < P[b].reply_p * vol_f[b][g] ** _VOLUME_REPLY_EXP:
            t_b = wake_up(b, t_a + latency(b, t_a))
            nxt_event = (t_b, b, REPLY, t_b - t_a, forced, 2 if forced else 4)
        else:
            op = next_opening(t_a + 1200.0 + 1800.0 * rand())
            if op is None:
                break
            nxt_event = (op[0], op[1], OPEN, -1.0, False, 4)
        # while waiting, may she write again (and again)?
        while streak < 4:
            pat = max(P[a].patience_s * math.exp(0.5 * gauss()), 960.0 + 300.0 * rand())
            t_f = t_a + pat * 1.8**streak
            g = min(int(t_f // SLOT_S), last)
            if t_f >= nxt_event[0] or not aw[a][g]:
                break
            alive = nxt_event[2] == REPLY
            chance = P[a].followup_p * fol_f[a][g] * 0.55**streak
            if not alive:
                chance *= _DEAD_THREAD_FOLLOWUP
            if rand() >= min(chance, 0.95):
                break
            streak += 1
            if not alive:  # the follow-up opens the thread again; the other may answer it
                nxt_event = (t_f, a, FOLLOW, -1.0, False, 2)
                break
            ts = times(t_f, burst(a, t_f, 2))
            if hits_silence(ts[-1]):
                break
            t_a = emit(a, ts, FOLLOW, -1.0, False)
            # the pending reply still comes when it would have, after her follow-up
            t_b = max(nxt_event[0], t_a + 5.0 + 20.0 * rand())
            nxt_event = (t_b, b, REPLY, t_b - t_a, nxt_event[4], 4)
        event = nxt_event
    return tl


# --------------------------------------------------------------------------------------------
# texts


# Template banks, all made up. ``{slot}`` s are filled per message from the vocabularies below
# (per role: her friends and hobbies are not his). "both" templates suit either person.
_BANK: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "greet_am": {
        "both": (
            "morning", "morning ☀️", "good morning!", "morninggg", "mornin x", "hey you, morning",
            "good morning {pet} ❤️", "morning! sleep ok?", "morning, how did you sleep?",
            "ugh mornings. hi", "morning 😴", "up and at it. morning!",
            "good morning, have a good day today x",
            "morning! I slept terribly, the neighbours were at it again",
            "morning ☀️ it's actually sunny for once",
            "morning! coffee first, then words",
            "good morning, hope {day} treats you well",
            "hiya, morning. already on the train",
        ),
        "me": (
            "morning! off to {activity} before work, wish me luck",
            "good morning 🥰 dreamt about you lol",
        ),
        "them": (
            "morning. gym done, feeling smug", "morning babe, on my way in",
        ),
    },
    "greet_pm": {
        "both": (
            "night x", "night ❤️", "going to sleep, night", "night night 😴", "sleep well x",
            "ok I'm falling asleep, night {pet}", "night, talk tomorrow", "nighty night",
            "heading to bed. sweet dreams", "so tired. bed. love you, night",
            "night! big day tomorrow", "sleep tight x", "gn 😴",
            "ok bed for real now. night",
        ),
        "me": ("night ❤️ thanks for tonight", "in bed with a book, night x"),
        "them": ("night, speak tomorrow", "crashing. night"),
    },
    "checkin": {
        "both": (
            "hey", "hey you", "hiii", "hi 🙂", "how's your day going?", "how's it going?",
            "how are you doing today?", "you alive? 😄", "hey, how's work?", "what are you up to?",
            "wyd", "hey! surviving?", "how's your day looking?", "thinking of you. how's the day?",
            "hey stranger", "how did it go today?", "heyyy", "you good?",
        ),
        "me": ("hey, how's the day treating you?",),
        "them": ("how's your day been?", "alright?"),
    },
    "own_life": {
        "both": (
            "just got back from {activity}", "drinks with {friend} tonight",
            "work was crazy today", "{work} went well actually!", "{work} ran over again 🙄",
            "so tired, {work} took forever", "had lunch with {friend}, says hi to you",
            "finally finished {work}", "on the train home", "home now",
            "made {food} for dinner, pretty proud of it", "my {family} called, all good",
            "walking home, it's freezing", "just did a big shop",
            "booked {activity} for next week", "spent the whole afternoon on {work}",
            "{friend} is moving house, I'm helping {day}", "new personal best at {activity}!!",
            "at {activity} till 8, phone off", "seeing my {family} {day}",
            "I think I'm getting a cold", "watched {show} last night, so good",
            "the office is freezing today", "just had the best {food}",
            "trying to get through my inbox", "{friend} just told me the funniest story, later",
            "rained all the way home, soaked", "ordered a new bike light finally",
            "cleaning the flat, send help",
            "so first the train was cancelled, then {work} overran, and then I realised I left my keys at the office. what a day",
            "quiet one tonight, need it",
        ),
        "me": (
            "pottery class was so fun, my bowl is wonky but I love it",
            "signed up for the 10k with {friend}!", "my sister's coming to stay this weekend",
            "book club tonight, haven't finished the book 🙈", "Spanish class was hard today",
            "got asked to lead the client workshop!!", "bought plants for the balcony",
            "my run club did 8k this morning, legs are dead",
            "Karen liked my proposal 🎉", "choir concert is in 3 weeks eek",
        ),
        "them": (
            "won 4-2 at five-a-side", "band practice ran late", "site visit was a mess",
            "fixed the bike finally", "the deploy went fine, phew", "Josh wants to go cycling sunday",
            "cooking for the boys tonight", "got a new climbing shoe, feels weird",
        ),
    },
    "question": {
        "both": (
            "how was your day?", "how did {their_work} go?", "did you eat?", "what time are you done?",
            "what are you up to tonight?", "how was {their_activity}?", "are you home yet?",
            "what do you want for dinner?", "did you sleep ok?", "how's your {their_family}?",
            "have you seen {show}?", "what are you doing this weekend?", "how was the gym?",
            "did you hear back about the flat?", "are you feeling better?", "what did {their_friend} say?",
            "is your thing still {day}?", "do you want to call later?", "what's the plan for {day}?",
            "how's the week going so far?", "did you get my parcel?", "is it raining there too?",
            "what was the name of that {food} place?", "how are you feeling about {their_work}?",
        ),
        "me": ("what should I wear {day}?",),
        "them": ("how was {their_activity} in the end?",),
    },
    "logistics": {
        "both": (
            "I'll be there at {time}", "running 10 min late sorry", "train delayed again",
            "can you grab milk on the way?", "leaving now", "here!", "at the station",
            "I'm outside", "meet at {place}?", "ok see you at {time}", "table's booked for {time}",
            "just parked", "5 mins away", "do you have my charger?", "bring a jacket, it's cold",
            "I left my umbrella at yours", "got the tickets!", "on the bus now",
            "can we do {time} instead?", "I'll pick up {food} on the way",
            "ok so:\n1. tickets booked\n2. train at 9:40\n3. don't forget your charger",
            "shopping list:\nmilk\neggs\nbread\nsomething nice",
        ),
        "me": ("I'll text when I'm leaving {friend}'s",),
        "them": ("parking is a nightmare, circling",),
    },
    "plan": {
        "both": (
            "let's get dinner {day}", "want to go to {place} {day}?", "we should try {place}",
            "movie night {day}? 🍿", "fancy a walk {day}?", "let's do {food} and {show} tonight",
            "want to come to mine {day}?", "shall we book {place} for {day}?",
            "we should go away for a weekend soon", "let's do brunch {day}",
            "are we still on for {day}?", "drinks {day}? {friend} might come",
            "want to cook together {day}?", "picnic {day} if it's sunny?",
        ),
        "me": ("my friend {friend} is having people over {day}, want to come?",),
        "them": ("game's on {day}, come watch at the pub?",),
    },
    "novelty": {
        "both": (
            "let's try {new_thing}, never done it", "there's {new_thing} near us, want to go?",
            "we should do something we've never done. {new_thing}?",
            "ok hear me out: {new_thing} on {day}", "saw an offer for {new_thing}, I'm in if you are",
        ),
        "me": (),
        "them": (),
    },
    "reply_short": {
        "both": (
            "ok", "okay", "yeah", "yes", "yep", "sure", "haha", "lol", "👍", "nice", "cool",
            "same", "oh no", "sounds good", "ok see you then", "yeah def", "perfect", "aw",
            "haha yes", "omg", "true", "fair", "ok cool", "np", "love that", "ha!", "mhm",
            "yes please", "oh nice", "ahh ok", "ok 👍", "🥰", "😂",
        ),
        "me": ("aww", "yay"),
        "them": ("nice one", "sweet"),
    },
    "reply_med": {
        "both": (
            "haha that's so you", "oh no, that sucks", "that sounds amazing", "ugh, I'm sorry",
            "no way! what did they say?", "honestly same", "that's actually really good news",
            "hahaha I can picture it", "wait really?", "ok that's hilarious", "proud of you",
            "sounds like a long day", "I'd be so annoyed", "oh that's lovely",
            "fair enough, get some rest", "lol classic {their_friend}", "yes! finally",
            "I was just thinking the same thing", "omg tell me everything later",
            "that's so annoying, you ok?", "good luck, you'll smash it",
            "hmm not sure, let me check", "makes sense", "you deserve it",
            "oh that reminds me, I need to call my {family}",
        ),
        "me": ("stoppp that's so cute",),
        "them": ("mate that's brutal",),
    },
    "playful": {
        "both": (
            "haha you nerd", "lol you wish 😜", "😂😂😂", "you're ridiculous", "hahaha stop",
            "typical", "that's the most you thing ever", "I'm telling everyone",
            "who even are you", "bold of you to assume I'm up 😂", "rude 😂",
            "ok weirdo", "you're such a dork", "I'm screaming",
            "that meme you sent 😂 I can't", "lmao", "cheeky",
        ),
        "me": ("I'm literally crying 😂",),
        "them": ("banter 😂",),
    },
    "affection": {
        "both": (
            "love you", "love you ❤️", "ily", "you're the best", "❤️", "xx", "love you lots",
            "you make me so happy", "I love you", "lucky to have you", "😘", "you're the sweetest",
            "love you, have a good day", "big hug", "you're my favourite person",
        ),
        "me": ("love you so much 🥰",),
        "them": ("love ya",),
    },
    "longing": {
        "both": (
            "miss you", "miss you 🥺", "I miss you", "wish you were here", "can't wait to see you",
            "counting the days", "miss you already", "bed's too big without you",
            "can't wait for {day}, miss you", "wish I was with you right now",
            "been thinking about you all day", "miss your face",
        ),
        "me": ("miss youuu",),
        "them": ("miss you loads",),
    },
    "appreciation": {
        "both": (
            "thank you for {thing_done}", "thanks for {thing_done} ❤️", "ty ❤️",
            "I really appreciate you", "that was so sweet of you", "thank you, you're a star",
            "thanks for listening yesterday, it helped", "thank you for being so patient with me",
            "honestly thank you for {thing_done}, it meant a lot",
        ),
        "me": (),
        "them": (),
    },
    "help": {
        "both": (
            "can you help me move {day}?", "what do you think I should do about {work}?",
            "could you look at my CV?", "can you help me pick a present for my {family}?",
            "what should I say to {friend}?", "can you check the train times for me?",
        ),
        "me": (),
        "them": (),
    },
    "boundary": {
        "both": (
            "I can't tonight, I need a night in", "not tonight, I'm wiped",
            "I need an early night, sorry", "I'd rather not talk about it over text",
        ),
        "me": (),
        "them": (),
    },
    "busy": {
        "both": (
            "busy rn", "at work", "can't talk", "later", "will call you later", "mm",
            "yeah, busy", "in a meeting", "can't really text now", "sorry swamped today",
            "ok.", "yeah fine", "sure, whatever works", "not sure yet", "maybe",
        ),
        "me": (),
        "them": ("with the boys, speak later", "at the gym"),
    },
    "apology": {
        "both": (
            "sorry just seeing this!", "sorry, was in a meeting", "sorry phone died",
            "sorry, crazy day", "sorry only just saw this", "ah sorry, got distracted",
            "sorry! was driving", "my bad, didn't see this", "sorry sorry, mad day",
        ),
        "me": (),
        "them": ("sorry, was at the gym",),
    },
    "woke": {
        "both": (
            "sorry I fell asleep 🙈", "oops fell asleep, morning", "sorry, passed out last night",
            "morning! sorry, fell asleep on the sofa", "lol I fell asleep mid-text",
        ),
        "me": (),
        "them": (),
    },
    "followup": {
        "both": (
            "?", "hello?", "hellooo", "you there?", "did you see my message?", "??",
            "just checking you got my message", "hey, did you get this?", "hey",
            "busy day?", "ok I'll take that as a yes 😅", "earth to {name}",
            "no worries if you're busy", "call me when you can?",
        ),
        "me": ("hello?? 🙃",),
        "them": (),
    },
    "reassurance": {
        "both": (
            "are you mad at me?", "are we ok?", "did I do something wrong?",
            "you've been quiet, is everything ok with us?",
            "you'd tell me if something was wrong right?", "do you still want to see me {day}?",
            "are you upset with me?", "is everything ok? you seem off",
            "did I say something wrong last night?", "are you annoyed with me?",
        ),
        "me": ("do you still like me? 🥺",),
        "them": (),
    },
    "complaint": {
        "both": (
            "you never reply when you're out", "you could've told me you'd be late",
            "it'd be nice if you replied sometimes", "you always say that",
            "you said you'd call", "I waited ages for you to text back",
        ),
        "me": ("feels like I'm always the one texting first",),
        "them": (),
    },
    "break_longing": {
        "both": (
            "hey… I miss you", "haven't heard from you in a few days. miss you",
            "I miss you. are you ok?", "been thinking about you all week. miss you x",
            "hey stranger 🥺 I miss you", "miss you. can I see you this week?",
            "hey, I really miss you. hope you're ok",
        ),
        "me": (),
        "them": (),
    },
    "break_reply": {
        "both": (
            "hey :) I'm ok, just needed a few days", "miss you too",
            "hi. needed a bit of space, I'm ok", "aw. I missed you too x",
            "hey you. yeah I'm good, been busy with my own stuff",
        ),
        "me": (),
        "them": (),
    },
}

_VOCAB: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "friend": {
        "me": ("Jess", "Priya", "Hannah", "Chloe", "Leah", "Amira"),
        "them": ("Tom", "Sam", "Raj", "Ollie", "Marcus", "Ben"),
    },
    "activity": {
        "me": ("pottery", "run club", "yoga", "book club", "choir", "Spanish class", "swimming"),
        "them": ("five-a-side", "the gym", "band practice", "cycling", "padel", "climbing"),
    },
    "work": {
        "me": ("the Henderson pitch", "the quarterly report", "the 1:1 with Karen",
               "the client workshop", "the new intern's onboarding", "the budget meeting"),
        "them": ("the site visit", "the deploy", "the client call", "the planning meeting",
                 "the audit", "the interview panel"),
    },  # fmt: skip
    "family": {
        "me": ("sister", "mum", "dad", "gran"),
        "them": ("brother", "mum", "dad", "nan"),
    },
    "place": {
        "both": ("that ramen place", "the Italian on Church St", "the pub by the canal",
                 "the Thai place", "the market", "the cinema", "the new bakery", "the park"),
    },  # fmt: skip
    "day": {"both": ("friday", "saturday", "sunday", "tomorrow", "tonight", "thursday")},
    "time": {"both": ("7", "half 7", "8", "6:30", "7:15", "1")},
    "food": {"both": ("pizza", "tacos", "curry", "pasta", "ramen", "sushi", "dumplings")},
    "show": {"both": ("the new season", "that documentary", "the film everyone's talking about")},
    "new_thing": {
        "both": ("rock climbing", "an escape room", "a salsa class", "a cooking class",
                 "paddleboarding", "axe throwing", "a night hike", "a comedy open mic",
                 "the VR arcade", "a pottery date"),
    },  # fmt: skip
    "thing_done": {
        "both": ("dinner", "picking me up", "the flowers", "sorting the boiler", "last night",
                 "the coffee this morning", "walking me home", "the playlist"),
    },  # fmt: skip
    "pet": {"both": ("babe", "you", "love", "sleepyhead")},
}

_CATS: Final[tuple[str, ...]] = tuple(_BANK)
_C = {name: i for i, name in enumerate(_CATS)}

# Row types: what a message is doing, which sets its category weights.
(_R_OPEN_AM, _R_OPEN, _R_NIGHT, _R_REPLY, _R_SLOW, _R_WOKE, _R_FOLLOW, _R_CONT, _R_BREAK,
 _R_BREAK_REPLY, _R_BREAK_CONT) = range(11)  # fmt: skip

_WEIGHTS: Final[dict[int, dict[str, float]]] = {
    _R_OPEN_AM: dict(greet_am=6, checkin=1, own_life=1, longing=0.5, affection=0.4,
                     logistics=0.6, question=0.5, plan=0.3),
    _R_OPEN: dict(checkin=2, own_life=2.5, question=1.5, logistics=1.2, plan=0.8, novelty=0.25,
                  playful=1, longing=0.5, affection=0.4, appreciation=0.3, help=0.3,
                  complaint=0.03, reassurance=0.02),
    _R_NIGHT: dict(greet_pm=5, affection=1.5, longing=0.6, reply_short=1, playful=0.4,
                   question=0.3),
    _R_REPLY: dict(reply_short=3, reply_med=3, own_life=1.2, question=1.2, playful=1.5,
                   logistics=0.6, plan=0.4, affection=0.4, longing=0.15, appreciation=0.3,
                   busy=0.05, complaint=0.02, reassurance=0.02, boundary=0.05, help=0.1),
    _R_SLOW: dict(apology=4, reply_short=1.5, reply_med=1.5, own_life=0.8, question=0.6,
                  busy=0.1),
    _R_WOKE: dict(woke=3, greet_am=3, reply_med=1),
    _R_FOLLOW: dict(followup=3, reassurance=0.3, own_life=1.2, question=0.8, checkin=1,
                    complaint=0.1, longing=0.2, playful=0.3),
    _R_CONT: dict(own_life=2.5, question=2, playful=1.2, reply_med=1, logistics=0.8, plan=0.6,
                  affection=0.5, longing=0.2, appreciation=0.2, help=0.2, novelty=0.1),
    _R_BREAK: dict(break_longing=1),
    _R_BREAK_REPLY: dict(break_reply=1),
    _R_BREAK_CONT: dict(own_life=2, question=1, longing=0.5, affection=0.5),
}  # fmt: skip

_COOL_DOWN = ("affection", "longing")  # withdrawn: far less warmth
_COOL_LESS = ("question", "plan", "novelty", "playful", "appreciation", "own_life", "help")


@dataclass(frozen=True)
class _Bank:
    templates: tuple[tuple[str, ...], ...]  # [category] -> templates, by length
    lengths: tuple[np.ndarray, ...]  # [category] -> word counts, ascending
    prior: tuple[np.ndarray, ...]  # [category] -> how common each template is


@lru_cache(maxsize=2)
def _bank(role: str) -> _Bank:
    templates, lengths, prior = [], [], []
    for cat in _CATS:
        pool = sorted(
            set(_BANK[cat]["both"] + _BANK[cat][role]),
            key=lambda s: (len(s.split()), s),
        )
        templates.append(tuple(pool))
        lengths.append(np.array([len(s.split()) for s in pool], dtype=np.int64))
        # lists and long stories are memorable precisely because they are rare
        prior.append(np.array([0.08 if "\n" in s or len(s.split()) > 16 else 1.0 for s in pool]))
    return _Bank(tuple(templates), tuple(lengths), tuple(prior))


def _texts(
    *,
    seed: int,
    is_me: np.ndarray,
    pos: np.ndarray,
    flag: np.ndarray,
    latency: np.ndarray,
    after_break: np.ndarray,
    hour: np.ndarray,
    words: np.ndarray,
    factors: dict[str, np.ndarray],
    people: tuple[_Persona, _Persona],
    me: str,
    them: str,
) -> np.ndarray:
    """A text per message, drawn from the banks by what the message does and the story's state."""
    n = len(is_me)
    rng = np.random.default_rng([seed, 3])
    first = pos == 0
    late = (hour >= 22.5) | (hour < 4.0)
    row = np.select(
        [
            ~first & after_break,
            ~first,
            flag == BREAK,
            (flag == REPLY) & after_break,
            flag == FOLLOW,
            (flag == REPLY) & (latency > 5 * 3600) & (hour < 12.0),
            late,
            (flag == REPLY) & (latency > 45 * 60),
            flag == REPLY,
            hour < 11.0,
        ],
        [_R_BREAK_CONT, _R_CONT, _R_BREAK, _R_BREAK_REPLY, _R_FOLLOW, _R_WOKE, _R_NIGHT, _R_SLOW,
         _R_REPLY, _R_OPEN_AM],
        _R_OPEN,
    )  # fmt: skip
    base = np.zeros((len(_WEIGHTS), len(_CATS)))
    for r, ws in _WEIGHTS.items():
        for cat, w in ws.items():
            base[r, _C[cat]] = w
    w = base[row]

    # the story: the one who withdraws cools; the other grows anxious
    own = np.where(is_me, 0, 1)
    idx = np.arange(n)

    def f(name: str, who: np.ndarray) -> np.ndarray:
        return factors[name][who, idx]

    def cool(who: np.ndarray) -> np.ndarray:
        x = (
            np.log(f("latency", who))
            - np.log(f("volume", who))
            - np.log(f("length", who))
            - np.log(f("starts", who))
        )
        return np.clip(x / 2.0, 0.0, 1.0)

    c = cool(own)
    a = np.clip(0.8 * cool(1 - own) + np.log(f("followup", own)) / math.log(3.0), 0.0, 1.0)
    lf = f("length", own)
    for name in _COOL_DOWN:
        w[:, _C[name]] *= 1.0 - 0.8 * c
    for name in _COOL_LESS:
        w[:, _C[name]] *= 1.0 - 0.5 * c
    w[:, _C["reply_med"]] *= (1.0 - 0.4 * c) * np.minimum(lf, 1.5)
    w[:, _C["reply_short"]] *= (1.0 + 1.5 * c) / np.clip(lf, 0.3, 3.0) ** 1.5
    w[:, _C["busy"]] *= 1.0 + 40.0 * c
    w[:, _C["reassurance"]] *= 1.0 + 10.0 * a
    w[:, _C["complaint"]] *= 1.0 + 6.0 * a
    for name in ("affection", "longing", "playful", "own_life"):
        w[:, _C[name]] *= np.where(is_me, getattr(people[0], name), getattr(people[1], name))

    cat = _sample(w, rng)
    # about half of the long messages are two pieces ("haha yes. how was the gym?")
    two = (words >= 9) & (rng.random(n) < 0.7) & (row != _R_BREAK) & (row != _R_BREAK_REPLY)
    w2 = base[np.full(n, _R_CONT)]
    for name in _COOL_DOWN:
        w2[:, _C[name]] *= 1.0 - 0.8 * c
    cat2 = _sample(w2, rng)
    target = np.where(two, np.maximum(words // 2, 1), words)
    tpl1 = _pick(cat, target, is_me, rng)
    tpl2 = _pick(cat2, np.maximum(words - target, 1), is_me, rng)
    joint = np.array([". ", ". ", ". ", "! ", ", ", "\n"])[rng.integers(0, 6, n)]

    rr = random.Random(seed * 31 + 5)
    names = (them, me)  # the other person's name, from each side
    out = np.empty(n, dtype=object)
    for i in range(n):
        role = "me" if is_me[i] else "them"
        text = _fill(tpl1[i], role, names[0 if is_me[i] else 1], rr)
        if two[i]:
            sep = joint[i] if text[-1:].isalnum() or joint[i] == "\n" else " "
            text = text + sep + _fill(tpl2[i], role, names[0 if is_me[i] else 1], rr)
        out[i] = text
    return out


def _sample(w: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One category per row, with probabilities proportional to the row's weights."""
    cum = np.cumsum(w, axis=1)
    u = rng.random(len(w)) * cum[:, -1]
    return np.minimum((cum <= u[:, None]).sum(axis=1), w.shape[1] - 1)


def _pick(cat: np.ndarray, target: np.ndarray, is_me: np.ndarray, rng: np.random.Generator) -> list:
    """A template per row from its category, favouring lengths near the target word count."""
    out: list[str] = [""] * len(cat)
    u = rng.random(len(cat))
    for role, mask in (("me", is_me), ("them", ~is_me)):
        bank = _bank(role)
        for k in np.unique(cat[mask]):
            rows = np.flatnonzero(mask & (cat == k))
            w = bank.prior[k][None, :] * np.exp(
                -np.abs(bank.lengths[k][None, :] - target[rows, None]) / 4.0
            )
            cum = np.cumsum(w, axis=1)
            j = (cum <= (u[rows] * cum[:, -1])[:, None]).sum(axis=1)
            j = np.minimum(j, w.shape[1] - 1)
            pool = bank.templates[k]
            for r, t in zip(rows.tolist(), j.tolist(), strict=True):
                out[r] = pool[t]
    return out


def _fill(template: str, role: str, other: str, rr: random.Random) -> str:
    if "{" not in template:
        return template
    other_role = "them" if role == "me" else "me"

    class Slots(dict):
        def __missing__(self, key: str) -> str:
            if key == "name":
                return other
            if key.startswith("their_"):
                vocab = _VOCAB[key[6:]]
                return rr.choice(vocab.get(other_role) or vocab["both"])
            vocab = _VOCAB[key]
            return rr.choice(vocab.get(role) or vocab["both"])

    return template.format_map(Slots())


_PLACEHOLDER_TOP: Final[int] = 60
_PLAIN: Final[np.ndarray] = np.array(
    [" ".join(["la"] * k) for k in range(_PLACEHOLDER_TOP + 1)], dtype=object
)
_ASKED: Final[np.ndarray] = np.array([s + "?" for s in _PLAIN], dtype=object)


def _placeholders(words: np.ndarray, question: np.ndarray) -> np.ndarray:
    """Cheap texts of the right length: 'la la la', with '?' on questions."""
    k = np.clip(words, 1, _PLACEHOLDER_TOP)
    return np.where(question, _ASKED[k], _PLAIN[k])


def couple(
    seed: int,
    *,
    start: datetime,
    weeks: int = 26,
    me: str = "Maya",
    them: str = "Daniel",
    tz: str = "Europe/London",
    changes: Sequence[Change] = (),
    silences: Sequence[Silence] = (),
    texts: bool = True,
) -> pl.DataFrame:
    """``weeks`` of a couple texting from ``start``, along the storyline of ``changes`` and
    ``silences``; deterministic per ``seed``.

    Returns a frame with exactly :data:`fonder.model.MESSAGE_SCHEMA`, sorted by ``ts``:
    ``chat_id = "sim:<seed>"``, ``msg_id = "sim:<seed>:<n>"``, kinds ``text`` and ``media``.
    """
    if start.tzinfo is None:
        raise ValueError("start must be an aware datetime (add a tzinfo)")
    if weeks <= 0:
        raise ValueError(f"weeks must be positive, got {weeks}")
    start = start.astimezone(UTC)
    slots = weeks * 7 * 86400 // SLOT_S
    end_s = float(slots * SLOT_S)
    start_us = int(start.timestamp() * 1_000_000)
    grid = _grid(start_us, slots, tz)
    rng = np.random.default_rng([seed, 1])
    people = _personas(rng)
    aw_me, late_me = _awake(grid, people[0], rng)
    aw_them, late_them = _awake(grid, people[1], rng)
    factors = _factor_arrays(changes, start, slots)
    sil = _silences(silences, start, end_s)
    tl = _simulate(
        people, grid, (aw_me, aw_them), (late_me, late_them), factors, sil, end_s,
        random.Random(seed * 7919 + 17),
    )  # fmt: skip

    t = np.asarray(tl.t, dtype=np.float64)
    keep = t < end_s
    t = t[keep]
    sender = np.asarray(tl.sender, dtype=np.int8)[keep]
    turn = np.asarray(tl.turn, dtype=np.int64)[keep]
    pos = np.asarray(tl.pos, dtype=np.int64)[keep]
    n = len(t)
    g = np.minimum((t // SLOT_S).astype(np.int64), slots - 1)
    is_me = sender == _ME

    trng = np.random.default_rng([seed, 2])
    vol = np.where(is_me, factors["volume"][0][g], factors["volume"][1][g])
    length = np.where(is_me, factors["length"][0][g], factors["length"][1][g])
    words_med = np.where(is_me, people[0].words, people[1].words) * length
    words = np.maximum(1, np.rint(words_med * np.exp(0.65 * trng.normal(size=n)))).astype(np.int64)
    q_p = np.where(is_me, people[0].question_p, people[1].question_p) * np.sqrt(
        np.minimum(vol * length, 1.5)
    )
    question = trng.random(n) < q_p
    flag = np.asarray(tl.flag, dtype=np.int64)[turn]
    media_p = np.where(is_me, people[0].media_p, people[1].media_p) * np.where(
        grid.weekend[g], 1.5, 1.0
    )
    media = (trng.random(n) < media_p) & ~((pos == 0) & ((flag == FOLLOW) | (flag == BREAK)))

    if texts:
        body = _texts(
            seed=seed,
            is_me=is_me,
            pos=pos,
            flag=flag,
            latency=np.asarray(tl.latency, dtype=np.float64)[turn],
            after_break=np.asarray(tl.after_break, dtype=bool)[turn],
            hour=grid.hour[g],
            words=words,
            factors={k: v[:, g] for k, v in factors.items()},
            people=people,
            me=me,
            them=them,
        )
    else:
        body = _placeholders(words, question)

    ts = start_us + np.floor(t).astype(np.int64) * 1_000_000
    kinds = np.where(media, "media", "text")
    media_kind = np.array(["photo", "photo", "photo", "video", "voice note"], dtype=object)
    media_col = np.where(media, media_kind[trng.integers(0, 5, n)], None)
    frame = pl.DataFrame(
        {
            "ts": pl.Series(ts, dtype=pl.Int64).cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
            "sender": np.where(is_me, me, them),
            "is_me": is_me,
            "kind": kinds,
            "text": pl.Series(np.where(media, None, body).tolist(), dtype=pl.String),
            "media": pl.Series(media_col.tolist(), dtype=pl.String),
        }
    ).with_columns(
        chat_id=pl.lit(f"sim:{seed}"),
        tz=pl.lit(tz),
        seq=pl.int_range(pl.len(), dtype=pl.Int64),
    )
    frame = frame.with_columns(
        msg_id=pl.concat_str(pl.lit(f"sim:{seed}:"), pl.col("seq").cast(pl.String)),
    )
    return conform(frame)


# --------------------------------------------------------------------------------------------
# presets and evaluation cases


def steady(
    seed: int, *, start: datetime = DEFAULT_START, weeks: int = 26, texts: bool = False, **kw
) -> pl.DataFrame:
    """A couple with no storyline: both text alike for ``weeks`` (the negatives)."""
    return couple(seed, start=start, weeks=weeks, texts=texts, **kw)


def pull_away(
    seed: int,
    *,
    at: datetime | timedelta,
    latency_factor: float = 3.0,
    volume_factor: float = 0.6,
    starts_factor: float = 1.0,
    length_factor: float = 1.0,
    start: datetime = DEFAULT_START,
    weeks: int = 26,
    texts: bool = False,
    **kw,
) -> pl.DataFrame:
    """A couple where "them" pulls away from ``at`` on (an instant, or an offset from ``start``)."""
    when = start + at if isinstance(at, timedelta) else at
    change = Change(
        at=when,
        who="them",
        latency_factor=latency_factor,
        volume_factor=volume_factor,
        starts_factor=starts_factor,
        length_factor=length_factor,
    )
    return couple(seed, start=start, weeks=weeks, texts=texts, changes=(change,), **kw)


def factors_at(changes: Sequence[Change], who: Who, when: datetime) -> dict[str, float]:
    """The truth: ``who``'s factors in force at ``when`` under ``changes``."""
    out = {"latency": 1.0, "volume": 1.0, "length": 1.0, "starts": 1.0, "followup": 1.0}
    for ch in changes:
        if ch.who == who and ch.at <= when:
            for name in out:
                out[name] *= getattr(ch, f"{name}_factor")
    return out


@dataclass(frozen=True)
class Case:
    """One evaluation couple: its messages and the truth about them."""

    seed: int
    kind: Literal["steady", "pull_away", "she_changes", "together_week"]
    pulled: bool
    """True when "them" really pulled away (the detector should fire)."""
    at: datetime | None
    """When he pulled away (pull_away cases), else None."""
    changes: tuple[Change, ...]
    messages: pl.DataFrame


def cases(
    n: int,
    *,
    seed: int = 0,
    weeks: int = 26,
    start: datetime = DEFAULT_START,
    positive_share: float = 0.5,
    texts: bool = False,
) -> Iterator[Case]:
    """``n`` labelled couples for evaluating a pull-away detector, deterministic per ``seed``.

    Positives pull away at a random week between 40 % and 85 % of the span, with latency ×2–4,
    volume ×0.45–0.8, starts ×0.5–1 and length ×0.6–1. Negatives are steady couples, couples
    where *she* changes instead (him untouched), and couples who spend a week together
    (both text far less for a week, then return to normal) — hard negatives for volume.
    """
    rng = np.random.default_rng([seed, 99])
    for i in range(n):
        s = seed * 100_003 + i
        at = start + timedelta(weeks=float(rng.uniform(0.4, 0.85) * weeks))
        kind: Literal["steady", "pull_away", "she_changes", "together_week"]
        if rng.random() < positive_share:
            kind = "pull_away"
            ch: tuple[Change, ...] = (
                Change(
                    at=at,
                    who="them",
                    latency_factor=float(rng.uniform(2.0, 4.0)),
                    volume_factor=float(rng.uniform(0.45, 0.8)),
                    starts_factor=float(rng.uniform(0.5, 1.0)),
                    length_factor=float(rng.uniform(0.6, 1.0)),
                ),
            )
        elif (r := rng.random()) < 0.5:
            kind, ch = "steady", ()
        elif r < 0.75:
            kind = "she_changes"
            ch = (
                Change(
                    at=at,
                    who="me",
                    latency_factor=float(rng.uniform(2.0, 4.0)),
                    volume_factor=float(rng.uniform(0.45, 0.8)),
                    starts_factor=float(rng.uniform(0.5, 1.0)),
                ),
            )
        else:
            kind = "together_week"
            back = at + timedelta(days=7)
            ch = tuple(
                Change(at=when, who=who, volume_factor=f, starts_factor=f)
                for who in ("me", "them")
                for when, f in ((at, 0.3), (back, 1 / 0.3))
            )
        pulled = kind == "pull_away"
        messages = couple(s, start=start, weeks=weeks, changes=ch, texts=texts)
        yield Case(s, kind, pulled, at if pulled else None, ch, messages)
