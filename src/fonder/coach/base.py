"""The coach's shared ground: its result types and the prepared chat every part reads.

:func:`prepare` turns the normalized messages and the tone labels into a :class:`Chat`: the
analysis timeline (counted messages in order, local time, turns, reply latencies, follow-ups)
with one boolean column per tone label, plus the label spans joined to their messages for
picking examples. It is computed once per (messages, labels) pair and reused by findings,
headline, plan and check.

"Now" for findings is the last message of the chat, not the clock: an old export is coached
as of its own end. Only :func:`fonder.coach.check_draft` and :func:`fonder.coach.plan` take
a time from the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import polars as pl

from fonder.analysis import timeline
from fonder.tone import LABELS

#: Every tone label (docs/tone-labels.md), in that page's order.
ALL_LABELS: Final[tuple[str, ...]] = LABELS

#: Labels that say something about safety when *he* writes them (S1).
SAFETY_LABELS: Final[tuple[str, ...]] = ("threat", "insult", "control", "jealousy")

SEVERITIES: Final[tuple[str, ...]] = ("info", "low", "medium", "high")

#: Fewer days or messages than this: the coach says the data is short and claims nothing
#: with confidence (severities are capped at "low", trends are "unknown").
SHORT_DAYS: Final[float] = 21.0
SHORT_MESSAGES: Final[int] = 50

#: The "recent" window of findings: the last four weeks before the chat's last message.
RECENT_DAYS: Final[int] = 28

#: Examples shown per finding, at most.
MAX_EXAMPLES: Final[int] = 3

#: An example's text is cut to this many characters.
EXAMPLE_CHARS: Final[int] = 160


def severity_rank(severity: str) -> int:
    """0 for "info" up to 3 for "high"."""
    return SEVERITIES.index(severity)


def max_severity(*severities: str) -> str:
    """The most serious of ``severities`` ("info" when none)."""
    return max(severities, key=severity_rank, default="info")


def cap_severity(severity: str, cap: str) -> str:
    """``severity``, but no more serious than ``cap``."""
    return severity if severity_rank(severity) <= severity_rank(cap) else cap


# --------------------------------------------------------------------------------------------
# Result types (JSON-ready through ``to_json``)
# --------------------------------------------------------------------------------------------


def iso(x: datetime | date | None) -> str | None:
    return None if x is None else x.isoformat()


@dataclass(frozen=True)
class Evidence:
    """What a finding rests on: facts in words, the numbers behind them, up to three messages."""

    facts: list[str] = field(default_factory=list)
    numbers: dict[str, Any] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)
    """``{"ts": ISO in the chat's local time, "who": "me"|"them", "text", "label", "id"}``."""

    def to_json(self) -> dict[str, Any]:
        return {"facts": list(self.facts), "numbers": dict(self.numbers), "examples": list(self.examples)}


@dataclass(frozen=True)
class Finding:
    """One principle's reading of the chat: what was measured, how serious, what to do."""

    principle: str
    """``"P0"`` … ``"P10"`` or ``"S1"``."""
    severity: str
    """``"info"``, ``"low"``, ``"medium"`` or ``"high"``."""
    title: str
    evidence: Evidence
    advice: str
    research: str | None = None
    rank: int = 0
    """1 = the most important finding of the report."""
    name: str = ""
    """The principle's short name (``messages.PRINCIPLES``)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "principle": self.principle,
            "name": self.name,
            "severity": self.severity,
            "rank": self.rank,
            "title": self.title,
            "evidence": self.evidence.to_json(),
            "advice": self.advice,
            "research": self.research,
        }


@dataclass(frozen=True)
class Headline:
    """The answer to "does he miss you?" (P0) in one sentence, with its trend and facts."""

    sentence: str
    trend: str
    """``"up"``, ``"down"``, ``"steady"`` or ``"unknown"``."""
    facts: list[str] = field(default_factory=list)
    numbers: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"sentence": self.sentence, "trend": self.trend, "facts": list(self.facts),
                "numbers": dict(self.numbers)}


@dataclass(frozen=True)
class Safety:
    """What was seen in his messages that touches safety (S1), and where to get help."""

    title: str
    sentence: str
    counts: dict[str, int]
    """His messages per safety label (threat, insult, control, jealousy), zeros left out."""
    messages: int
    """His messages carrying at least one safety label."""
    first: datetime | None
    last: datetime | None
    examples: list[dict[str, Any]]
    help: list[str]
    """Where to get help, one line each (emergency number, US and UK helplines, …)."""
    note: str
    """Why fonder stops coaching timing and space here."""

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "sentence": self.sentence,
            "counts": dict(self.counts),
            "messages": self.messages,
            "first": iso(self.first),
            "last": iso(self.last),
            "examples": list(self.examples),
            "help": list(self.help),
            "note": self.note,
        }


@dataclass(frozen=True)
class Rule:
    """One rule of the space plan, with the numbers it comes from."""

    id: str
    text: str
    numbers: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "numbers": dict(self.numbers)}


@dataclass(frozen=True)
class Plan:
    """The next seven days: space rules, things for her own life, new date ideas."""

    start: date
    end: date
    space: list[Rule]
    own_life: list[dict[str, Any]]
    date_ideas: list[dict[str, Any]]
    safety_first: bool
    notes: list[str] = field(default_factory=list)
    days: int = 7

    def to_json(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "start": iso(self.start),
            "end": iso(self.end),
            "safety_first": self.safety_first,
            "notes": list(self.notes),
            "space": [r.to_json() for r in self.space],
            "own_life": list(self.own_life),
            "date_ideas": list(self.date_ideas),
        }


#: Exit codes of ``fonder check`` per verdict (1 and 2 stay bad data and bad usage).
EXIT_CODES: Final[dict[str, int]] = {"send": 0, "wait": 3, "rethink": 4}


@dataclass(frozen=True)
class Check:
    """The verdict on a draft: send, wait (until when) or rethink, with reasons."""

    verdict: str
    reasons: list[str]
    labels: list[str]
    spans: list[dict[str, Any]]
    wait_until: datetime | None
    suggestion: str | None
    numbers: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 send, 3 wait, 4 rethink (see docs/coach.md)."""
        return EXIT_CODES[self.verdict]

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "labels": list(self.labels),
            "spans": list(self.spans),
            "wait_until": iso(self.wait_until),
            "suggestion": self.suggestion,
            "numbers": dict(self.numbers),
        }


# --------------------------------------------------------------------------------------------
# The prepared chat
# --------------------------------------------------------------------------------------------

LABEL_SCHEMA: Final[dict[str, pl.DataType]] = {
    "msg_id": pl.String(),
    "label": pl.String(),
    "start": pl.Int64(),
    "end": pl.Int64(),
    "match": pl.String(),
}


def flag(label: str) -> str:
    """The column of :attr:`Chat.msgs` that is true when a message carries ``label``."""
    return f"x_{label}"


@dataclass(frozen=True)
class Chat:
    """Counted messages of one chat with everything the coach reads, prepared once."""

    msgs: pl.DataFrame
    """The analysis timeline's columns (``msg_id, ts, text, me, local, week, month, words, q,
    late, start, conv, run, lat_s, fu, fu_k``) plus ``x_<label>`` for every label."""
    spans: pl.DataFrame
    """One row per (message, label): ``msg_id, label, start, end, match, ts, local, me, text``."""
    has_labels: bool
    tz: str | None
    me_name: str
    them_name: str
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Derived values computed once per chat (mentions, words seen, the longing reading)."""

    @property
    def n(self) -> int:
        return self.msgs.height

    @property
    def first(self) -> datetime | None:
        return self.msgs.get_column("ts").min() if self.n else None  # type: ignore[return-value]

    @property
    def last(self) -> datetime | None:
        return self.msgs.get_column("ts").max() if self.n else None  # type: ignore[return-value]

    @property
    def days(self) -> float:
        if self.n < 2:
            return 0.0
        return (self.last - self.first).total_seconds() / 86400.0  # type: ignore[operator]

    @property
    def short(self) -> bool:
        """Too little data for confident claims."""
        return self.days < SHORT_DAYS or self.n < SHORT_MESSAGES

    @property
    def zone(self) -> ZoneInfo | None:
        if not self.tz:
            return None
        try:
            return ZoneInfo(self.tz)
        except (KeyError, ValueError):  # an unknown zone or a fixed offset text
            return None

    def local(self, ts: datetime) -> datetime:
        """``ts`` in the chat's zone (unchanged when the zone is unknown)."""
        z = self.zone
        return ts.astimezone(z) if z is not None else ts

    def since(self, days: float) -> datetime | None:
        """The instant ``days`` before the last message."""
        return None if self.last is None else self.last - timedelta(days=days)

    def until(self, at: datetime) -> Chat:
        """The chat as it stood at ``at``: messages sent after it are left out."""
        if self.last is None or at >= self.last:
            return self
        return Chat(
            msgs=self.msgs.filter(pl.col("ts") <= at),
            spans=self.spans.filter(pl.col("ts") <= at),
            has_labels=self.has_labels, tz=self.tz, me_name=self.me_name, them_name=self.them_name,
        )

    def named(self, me: str, them: str) -> Chat:
        """The same prepared chat, with other names for the words (frames and memo shared)."""
        if (me, them) == (self.me_name, self.them_name):
            return self
        return Chat(msgs=self.msgs, spans=self.spans, has_labels=self.has_labels, tz=self.tz,
                    me_name=me, them_name=them, memo=self.memo)

    def lower_texts(self) -> pl.Series:
        """Every message text, lower-cased (computed once)."""
        if "lower" not in self.memo:
            self.memo["lower"] = self.msgs.get_column("text").drop_nulls().str.to_lowercase()
        return self.memo["lower"]

    def window(self, start: datetime | None = None, end: datetime | None = None) -> pl.DataFrame:
        """Messages with ``start <= ts < end`` (either bound optional)."""
        m = self.msgs
        if start is not None:
            m = m.filter(pl.col("ts") >= start)
        if end is not None:
            m = m.filter(pl.col("ts") < end)
        return m

    def count(self, label: str, who: str | None = None, start: datetime | None = None,
              end: datetime | None = None) -> int:
        """Messages carrying ``label`` by ``who`` ("me", "them" or both) within the window."""
        if not self.has_labels:
            return 0
        m = self.window(start, end)
        if who is not None:
            m = m.filter(pl.col("me") == (who == "me"))
        return int(m.get_column(flag(label)).sum())

    def sent(self, who: str, start: datetime | None = None, end: datetime | None = None) -> int:
        """Messages sent by ``who`` within the window."""
        return int(self.window(start, end).get_column("me").eq(who == "me").sum())

    def latency(self, who: str, start: datetime | None = None) -> tuple[float | None, float | None, int]:
        """(median, p75, replies) of ``who``'s reply latency in seconds since ``start``."""
        lat = self.window(start).filter(pl.col("me") == (who == "me")).get_column("lat_s").drop_nulls()
        if lat.len() == 0:
            return None, None, 0
        return float(lat.median()), float(lat.quantile(0.75, "linear")), lat.len()  # type: ignore[arg-type]

    def examples(
        self,
        labels: str | tuple[str, ...],
        who: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        k: int = MAX_EXAMPLES,
    ) -> list[dict[str, Any]]:
        """Up to ``k`` of the clearest messages carrying one of ``labels``, in time order.

        Clearest: the label's span covers most of the message (the label is what the message
        is about), then the most recent. Repeated texts are shown once.
        """
        if not self.has_labels or self.spans.height == 0:
            return []
        names = (labels,) if isinstance(labels, str) else labels
        s = self.spans.filter(pl.col("label").is_in(list(names)))
        if who is not None:
            s = s.filter(pl.col("me") == (who == "me"))
        if start is not None:
            s = s.filter(pl.col("ts") >= start)
        if end is not None:
            s = s.filter(pl.col("ts") < end)
        if s.height == 0:
            return []
        order = {name: i for i, name in enumerate(names)}
        s = (
            s.with_columns(
                clarity=(pl.col("end") - pl.col("start")).cast(pl.Float64)
                / pl.col("text").str.len_chars().cast(pl.Float64).clip(lower_bound=1.0),
                pri=pl.col("label").replace_strict(order, default=len(order), return_dtype=pl.Int64),
                key=pl.col("text").str.to_lowercase().str.strip_chars(),
            )
            .sort(["pri", "clarity", "ts"], descending=[False, True, True])
            .unique("msg_id", keep="first", maintain_order=True)
            .unique("key", keep="first", maintain_order=True)
            .head(k)
            .sort("ts")
        )
        return [self.example(r) for r in s.iter_rows(named=True)]

    def example(self, row: dict[str, Any]) -> dict[str, Any]:
        text = row["text"] or ""
        if len(text) > EXAMPLE_CHARS:
            text = text[: EXAMPLE_CHARS - 1].rstrip() + "…"
        return {
            "ts": self.local(row["ts"]).isoformat(),
            "who": "me" if row["me"] else "them",
            "text": text,
            "label": row.get("label"),
            "id": row["msg_id"],
        }


def _zone_of(messages: pl.DataFrame) -> str | None:
    if "tz" not in messages.columns or messages.height == 0:
        return None
    tz = messages.get_column("tz").drop_nulls()
    if tz.len() == 0:
        return None
    return str(tz.mode().sort()[0])


_CACHE: list[tuple[pl.DataFrame, pl.DataFrame | None, Chat]] = []


def prepare(messages: pl.DataFrame, labels: pl.DataFrame | None, *, me: str = "", them: str = "") -> Chat:
    """The :class:`Chat` of ``messages`` (MESSAGE_SCHEMA) and tone ``labels``.

    The last result is kept (holding its frames, so identity is a safe key): findings, headline,
    safety, plan and check on the same frames prepare once.
    """
    for m, lab, chat in _CACHE:
        if m is messages and lab is labels:
            return chat.named(me, them)
    chat = _prepare(messages, labels, me, them)
    _CACHE[:] = [(messages, labels, chat)]
    return chat


def _prepare(messages: pl.DataFrame, labels: pl.DataFrame | None, me: str, them: str) -> Chat:
    has_labels = labels is not None
    lab = labels if labels is not None else pl.DataFrame(schema=LABEL_SCHEMA)
    lab = lab.select(
        pl.col("msg_id").cast(pl.String),
        pl.col("label").cast(pl.String),
        pl.col("start").cast(pl.Int64),
        pl.col("end").cast(pl.Int64),
        pl.col("match").cast(pl.String),
    )
    tl = timeline(messages, lab if has_labels else None)
    msgs = tl.msgs.select(
        "msg_id", "ts", "text", "me", "local", "week", "month", "words", "q", "late",
        "start", "conv", "run", "lat_s", "fu", "fu_k",
    )
    # one hash lookup per label (the timeline already flagged the ones analysis reads)
    known = lab.select("msg_id", "label")
    flags = []
    for name in ALL_LABELS:
        if f"l_{name}" in tl.msgs.columns:
            flags.append(tl.msgs.get_column(f"l_{name}").alias(flag(name)))
        else:
            ids = known.filter(pl.col("label") == name).get_column("msg_id")
            flags.append(pl.col("msg_id").is_in(ids.implode()).alias(flag(name)))
    msgs = msgs.with_columns(flags)
    spans = lab.join(
        msgs.select("msg_id", "ts", "local", "me", "text"), on="msg_id", how="inner"
    ).sort("ts")
    return Chat(msgs=msgs, spans=spans, has_labels=has_labels, tz=_zone_of(messages),
                me_name=me, them_name=them)
