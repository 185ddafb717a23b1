"""The prepared timeline every signal reads: counted messages in order, with their turns,
conversations, replies, follow-ups, local time and tone flags computed once, vectorized.

Columns of :attr:`Timeline.msgs` (beyond ``msg_id``, ``ts``, ``text``):

============ ==================================================================================
``me``       true when "me" sent it
``local``    naive local datetime in the chat's zone, the most common ``tz`` of its rows
             (a fixed offset such as ``+01:00`` is used per row; :attr:`Params.tz` overrides)
``week``     Monday of the local week (Date); ``month`` first day of the local month
``words``    words in the text (letters/digits, apostrophes inside a word kept: "don't" is one)
``q``        the message asks a question (``question`` label, or "?" without labels)
``late``     sent in late-night local hours
``gap_s``    seconds since the previous counted message of either side (null for the first)
``start``    first message of a conversation (first row, or after ``conversation_gap_h``)
``conv``     conversation number, from 0
``run``      number of the run of consecutive messages by one sender (a turn)
``lat_s``    reply latency in seconds, on the first message of a turn inside a conversation
``fu``       first message of an unanswered follow-up burst
``fu_k``     position of that follow-up in its unanswered streak (1, 2, …)
``l_<name>`` the message carries tone label ``<name>`` (only when labels are given)
============ ==================================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

from fonder.model import COUNTED_KINDS
from fonder.analysis.params import Params

#: Tone labels the analysis reads; others are ignored.
LABELS_USED: Final[tuple[str, ...]] = (
    "question",
    "longing",
    "affection",
    "appreciation",
    "plan_proposal",
    "reassurance_seeking",
    "criticism",
    "contempt",
)

#: A word: letters or digits, with inner apostrophes ("don't", "i’m").
WORD_RE: Final[str] = r"[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*"


@dataclass(frozen=True)
class Timeline:
    """Counted messages of one chat or joined timeline, prepared once for every signal."""

    msgs: pl.DataFrame
    """One row per counted message, in time order, with the columns in the module docstring."""

    has_labels: bool
    """Tone labels were given: ``l_*`` columns exist and ``q`` comes from the labels."""

    params: Params
    """The thresholds the timeline was prepared with."""

    @property
    def empty(self) -> bool:
        return self.msgs.height == 0


def _zone_ok(zone: str) -> bool:
    try:
        pl.Series([0], dtype=pl.Datetime("us", "UTC")).dt.convert_time_zone(zone)
    except Exception:  # polars raises several types for unknown zones
        return False
    return True


def _local_time(frame: pl.DataFrame, params: Params) -> pl.Expr:
    """Naive local datetime per row, in the chat's zone (one conversion per distinct zone)."""
    ts = pl.col("ts")
    if params.tz is not None:
        zones = [params.tz]
    else:
        zones = frame.get_column("_zone").unique().drop_nulls().sort().to_list()
    zones = [z for z in zones if _zone_ok(z)]
    if not zones:
        return ts.dt.replace_time_zone(None)
    if len(zones) == 1 and (params.tz is not None or frame.get_column("_zone").n_unique() == 1):
        return ts.dt.convert_time_zone(zones[0]).dt.replace_time_zone(None)
    expr = pl.when(pl.col("_zone") == zones[0]).then(
        ts.dt.convert_time_zone(zones[0]).dt.replace_time_zone(None)
    )
    for z in zones[1:]:
        expr = expr.when(pl.col("_zone") == z).then(
            ts.dt.convert_time_zone(z).dt.replace_time_zone(None)
        )
    return expr.otherwise(ts.dt.replace_time_zone(None))


def _label_flags(msgs: pl.DataFrame, labels: pl.DataFrame) -> list[pl.Expr]:
    wanted = labels.select("msg_id", "label").filter(pl.col("label").is_in(LABELS_USED)).unique()
    exprs = []
    for name in LABELS_USED:
        ids = wanted.filter(pl.col("label") == name).get_column("msg_id")
        exprs.append(pl.col("msg_id").is_in(ids.implode()).alias(f"l_{name}"))
    return exprs


def timeline(
    messages: pl.DataFrame | Timeline,
    labels: pl.DataFrame | None = None,
    params: Params = Params(),
) -> Timeline:
    """Prepare ``messages`` (MESSAGE_SCHEMA) and optional tone ``labels`` for every signal.

    Only kinds in :data:`fonder.model.COUNTED_KINDS` with a known sender side count. A
    :class:`Timeline` passed in is returned as is.
    """
    if isinstance(messages, Timeline):
        return messages
    gap_conv = params.conversation_gap_h * 3600.0
    gap_fu = params.follow_up_gap_min * 60.0
    cols = ["chat_id", "msg_id", "ts", "tz", "is_me", "kind", "text"]
    if "seq" in messages.columns:
        cols.append("seq")
    base = (
        messages.select(cols)
        .filter(pl.col("kind").is_in(COUNTED_KINDS) & pl.col("is_me").is_not_null())
        .sort(["ts", "seq"] if "seq" in cols else ["ts"], maintain_order=True)
        .rename({"is_me": "me"})
    )
    # Fixed offsets ("+01:00") are the source's own offset at that instant (they follow
    # daylight saving), so they are used per row; zone names are used per chat (the most
    # common one).
    fixed = pl.col("tz").str.contains(r"^[+-]\d\d:\d\d$").fill_null(False)
    zones = base.group_by("chat_id").agg(
        pl.col("tz").filter(~fixed).drop_nulls().mode().sort().first().alias("_zone")
    )
    base = base.join(zones, on="chat_id", how="left", maintain_order="left").with_columns(
        _zone=pl.when(fixed).then(pl.col("tz")).otherwise(pl.col("_zone"))
    )

    prev_me = pl.col("me").shift(1)
    gap = pl.col("ts").diff().dt.total_seconds(fractional=True)
    late_h = pl.col("local").dt.hour()
    if params.late_night_start_h < params.late_night_end_h:
        late = (late_h >= params.late_night_start_h) & (late_h < params.late_night_end_h)
    else:  # wraps around midnight, e.g. 23–5
        late = (late_h >= params.late_night_start_h) | (late_h < params.late_night_end_h)

    msgs = base.with_columns(
        local=_local_time(base, params),
        words=pl.col("text").str.count_matches(WORD_RE).fill_null(0).cast(pl.Int64),
        gap_s=gap,
        switch=(prev_me != pl.col("me")).fill_null(True),
    ).with_columns(
        week=pl.col("local").dt.truncate("1w").dt.date(),
        month=pl.col("local").dt.truncate("1mo").dt.date(),
        late=late,
        start=(pl.col("gap_s") >= gap_conv).fill_null(True),
    ).with_columns(
        conv=pl.col("start").cum_sum().cast(pl.Int64) - 1,
        run=pl.col("switch").cum_sum().cast(pl.Int64),
        lat_s=pl.when(pl.col("switch") & ~pl.col("start")).then(pl.col("gap_s")),
        fu=~pl.col("switch") & (pl.col("gap_s") >= gap_fu),
    ).with_columns(
        # Position of each follow-up in its run of unanswered bursts: the running count of
        # follow-ups minus the count when the run began (no per-run window needed).
        _cs=pl.col("fu").cast(pl.Int64).cum_sum(),
    ).with_columns(
        fu_k=pl.when(pl.col("fu")).then(
            pl.col("_cs")
            - pl.when(pl.col("switch")).then(pl.col("_cs") - pl.col("fu").cast(pl.Int64)).forward_fill()
        ),
    )

    has_labels = labels is not None
    if has_labels:
        msgs = msgs.with_columns(_label_flags(msgs, labels)).with_columns(q=pl.col("l_question"))
    else:
        msgs = msgs.with_columns(q=pl.col("text").str.contains("?", literal=True).fill_null(False))
    msgs = msgs.drop("_zone", "_cs", "switch", "tz", "kind", "chat_id", *(["seq"] if "seq" in cols else []))
    return Timeline(msgs=msgs, has_labels=has_labels, params=params)
