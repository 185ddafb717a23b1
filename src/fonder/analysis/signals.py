"""First signals over a whole span: conversations, reply latencies, follow-ups, shares and
the effort balance (P1, P3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

from fonder.analysis.params import Params
from fonder.analysis.timeline import Timeline, timeline


@dataclass(frozen=True)
class Conversations:
    """Conversations in the span and who started them."""

    total: int
    started_by_me: int
    started_by_them: int


@dataclass(frozen=True)
class LatencyStats:
    """One person's reply latencies (seconds): how many replies, their median and 75th percentile."""

    replies: int
    median: float | None
    p75: float | None


@dataclass(frozen=True)
class ReplyLatencies:
    """Reply latencies attributed to the person who replied."""

    me: LatencyStats
    them: LatencyStats


@dataclass(frozen=True)
class FollowUpStats:
    """One person's unanswered follow-ups: how many, and the longest run without a reply."""

    count: int
    longest_streak: int


@dataclass(frozen=True)
class FollowUps:
    me: FollowUpStats
    them: FollowUpStats


@dataclass(frozen=True)
class Share:
    """My share of something both people do: the counts behind it and ``me / (me + them)``."""

    me: int
    them: int

    @property
    def total(self) -> int:
        return self.me + self.them

    @property
    def share(self) -> float | None:
        return self.me / self.total if self.total else None


@dataclass(frozen=True)
class Shares:
    """My share of messages, words and questions."""

    messages: Share
    words: Share
    questions: Share
    questions_from: str
    """``"labels"`` (the tone engine's ``question`` label) or ``"question_mark"`` (text has "?")."""


#: Effort-balance components, in report order; the last three need tone labels.
BALANCE_COMPONENTS: Final[tuple[str, ...]] = (
    "starts",
    "messages",
    "words",
    "questions",
    "follow_ups",
    "plans",
    "affection",
    "appreciation",
)
_LABEL_COMPONENTS: Final[dict[str, str]] = {
    "plans": "l_plan_proposal",
    "affection": "l_affection",
    "appreciation": "l_appreciation",
}


@dataclass(frozen=True)
class EffortBalance:
    """My share of the effort: per component, and their plain average."""

    components: dict[str, Share | None]
    """Each component's counts; ``None`` when it needs tone labels and there are none."""

    used: tuple[str, ...]
    """Components that entered the composite (enough events, see ``balance_min_events``)."""

    @property
    def composite(self) -> float | None:
        shares = [self.components[name].share for name in self.used]  # type: ignore[union-attr]
        return sum(shares) / len(shares) if shares else None  # type: ignore[arg-type]


def _two(frame: pl.DataFrame, col: str) -> tuple[int, int]:
    """(mine, theirs) of a column already summed per ``me``."""
    mine = frame.filter(pl.col("me")).get_column(col)
    theirs = frame.filter(~pl.col("me")).get_column(col)
    return (int(mine[0]) if len(mine) else 0, int(theirs[0]) if len(theirs) else 0)


def conversations(
    messages: pl.DataFrame | Timeline, params: Params = Params()
) -> Conversations:
    """Conversations (a new one after ``conversation_gap_h`` of quiet) and who started each.

    The first message of the span starts a conversation.
    """
    tl = timeline(messages, params=params)
    counts = tl.msgs.filter(pl.col("start")).group_by("me").agg(n=pl.len())
    me, them = _two(counts, "n")
    return Conversations(total=me + them, started_by_me=me, started_by_them=them)


def _latency_stats(lat: pl.Series) -> LatencyStats:
    lat = lat.drop_nulls()
    if lat.len() == 0:
        return LatencyStats(replies=0, median=None, p75=None)
    return LatencyStats(
        replies=lat.len(),
        median=float(lat.median()),  # type: ignore[arg-type]
        p75=float(lat.quantile(0.75, "linear")),  # type: ignore[arg-type]
    )


def reply_latencies(
    messages: pl.DataFrame | Timeline, params: Params = Params()
) -> ReplyLatencies:
    """Seconds from the last message of one person's turn to the first of the other's, inside a
    conversation, attributed to the one who replied."""
    tl = timeline(messages, params=params)
    m = tl.msgs
    return ReplyLatencies(
        me=_latency_stats(m.filter(pl.col("me")).get_column("lat_s")),
        them=_latency_stats(m.filter(~pl.col("me")).get_column("lat_s")),
    )


def follow_ups(messages: pl.DataFrame | Timeline, params: Params = Params()) -> FollowUps:
    """Unanswered follow-ups per person: new bursts at least ``follow_up_gap_min`` after the
    same person's previous message with no reply in between, and the longest such streak."""
    tl = timeline(messages, params=params)
    agg = tl.msgs.group_by("me").agg(
        count=pl.col("fu").sum(), streak=pl.col("fu_k").max().fill_null(0)
    )
    count_me, count_them = _two(agg, "count")
    streak_me, streak_them = _two(agg, "streak")
    return FollowUps(
        me=FollowUpStats(count=count_me, longest_streak=streak_me),
        them=FollowUpStats(count=count_them, longest_streak=streak_them),
    )


def shares(messages: pl.DataFrame | Timeline, params: Params = Params()) -> Shares:
    """My share of messages, words and questions (messages that ask at least one)."""
    tl = timeline(messages, params=params)
    agg = tl.msgs.group_by("me").agg(
        messages=pl.len(), words=pl.col("words").sum(), questions=pl.col("q").sum()
    )
    return Shares(
        messages=Share(*_two(agg, "messages")),
        words=Share(*_two(agg, "words")),
        questions=Share(*_two(agg, "questions")),
        questions_from="labels" if tl.has_labels else "question_mark",
    )


def balance_counts(tl: Timeline, by: list[str]) -> pl.DataFrame:
    """Per group in ``by`` and per side: the counts of every available balance component,
    as columns ``<component>_me`` and ``<component>_them``."""
    aggs = [
        pl.col("start").sum().alias("starts"),
        pl.len().alias("messages"),
        pl.col("words").sum().alias("words"),
        pl.col("q").sum().alias("questions"),
        pl.col("fu").sum().alias("follow_ups"),
    ]
    if tl.has_labels:
        aggs += [pl.col(col).sum().alias(name) for name, col in _LABEL_COMPONENTS.items()]
    names = [a.meta.output_name() for a in aggs]
    keys = by or ["_all"]
    src = tl.msgs if by else tl.msgs.with_columns(_all=pl.lit(0))
    per = src.group_by([*keys, "me"]).agg(aggs)
    mine = per.filter(pl.col("me")).drop("me").rename({n: f"{n}_me" for n in names})
    theirs = per.filter(~pl.col("me")).drop("me").rename({n: f"{n}_them" for n in names})
    out = mine.join(theirs, on=keys, how="full", coalesce=True)
    if not by:
        if out.height == 0:
            out = pl.DataFrame({"_all": [0]}).join(out, on="_all", how="left")
        out = out.drop("_all")
    return out.with_columns(pl.exclude(by).fill_null(0).cast(pl.Int64)).sort(by) if by else (
        out.with_columns(pl.all().fill_null(0).cast(pl.Int64))
    )


def composite_expr(names: list[str], min_events: int) -> pl.Expr:
    """Row-wise composite over ``<name>_me``/``<name>_them`` count columns: the mean of the
    shares of components with at least ``min_events`` events; null when none qualifies."""
    shares = []
    for n in names:
        total = pl.col(f"{n}_me") + pl.col(f"{n}_them")
        shares.append(
            pl.when(total >= max(min_events, 1)).then(pl.col(f"{n}_me") / total).otherwise(None)
        )
    return pl.mean_horizontal(shares, ignore_nulls=True)


def effort_balance(
    messages: pl.DataFrame | Timeline,
    labels: pl.DataFrame | None = None,
    params: Params = Params(),
) -> EffortBalance:
    """My share of starts, messages, words, questions, follow-ups and, with tone labels, plans
    proposed, affection and appreciation; the composite is their plain average over the
    components with at least ``balance_min_events`` events."""
    tl = timeline(messages, labels, params)
    counts = balance_counts(tl, [])
    row = counts.row(0, named=True) if counts.height else {}
    components: dict[str, Share | None] = {}
    used = []
    for name in BALANCE_COMPONENTS:
        if f"{name}_me" not in row and name in _LABEL_COMPONENTS and not tl.has_labels:
            components[name] = None
            continue
        share = Share(me=int(row.get(f"{name}_me", 0)), them=int(row.get(f"{name}_them", 0)))
        components[name] = share
        if share.total >= max(params.balance_min_events, 1):
            used.append(name)
    return EffortBalance(components=components, used=tuple(used))
