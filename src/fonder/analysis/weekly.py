"""Weekly series per person (item 1 of the dynamics issue) and the effort balance over time (P3).

Weeks are local weeks (Monday first) in the chat's zone. Every week between the first and the
last message is present, empty weeks with zero counts, so gaps stay visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import polars as pl

from fonder.analysis.params import Params
from fonder.analysis.signals import BALANCE_COMPONENTS, balance_counts, composite_expr
from fonder.analysis.timeline import Timeline, timeline

#: Tone labels counted per week, by their name in the series.
WEEKLY_LABELS: Final[dict[str, str]] = {
    "longing": "l_longing",
    "affection": "l_affection",
    "appreciation": "l_appreciation",
    "plans": "l_plan_proposal",
    "reassurance_seeking": "l_reassurance_seeking",
    "criticism": "l_criticism",
    "contempt": "l_contempt",
}

#: Per-person weekly metrics in report order (labels last, only with tone labels).
WEEKLY_METRICS: Final[tuple[str, ...]] = (
    "messages",
    "words",
    "questions",
    "starts",
    "replies",
    "latency_median_s",
    "latency_p75_s",
    "follow_ups",
    "late_night_share",
    *WEEKLY_LABELS,
)

_COUNTS: Final[frozenset[str]] = frozenset(
    {"messages", "words", "questions", "starts", "replies", "follow_ups", *WEEKLY_LABELS}
)


def per_side(msgs: pl.DataFrame, by: list[str], aggs: list[pl.Expr]) -> pl.DataFrame:
    """Aggregate per ``by`` and side; columns ``<name>_me`` and ``<name>_them``."""
    names = [a.meta.output_name() for a in aggs]
    per = msgs.group_by([*by, "me"]).agg(aggs)
    mine = per.filter(pl.col("me")).drop("me").rename({n: f"{n}_me" for n in names})
    theirs = per.filter(~pl.col("me")).drop("me").rename({n: f"{n}_them" for n in names})
    return mine.join(theirs, on=by, how="full", coalesce=True)


def week_grid(tl: Timeline) -> pl.DataFrame:
    """Every local week from the first message's to the last's, with ``days``: how many of its
    days fall inside the span (1–7; the first and last weeks may be partial)."""
    m = tl.msgs
    if m.height == 0:
        return pl.DataFrame(schema={"week": pl.Date, "days": pl.Int64})
    first: date = m.get_column("local").min().date()  # type: ignore[union-attr]
    last: date = m.get_column("local").max().date()  # type: ignore[union-attr]
    weeks = pl.date_range(
        m.get_column("week").min(), m.get_column("week").max(), "1w", eager=True
    ).alias("week")
    grid = pl.DataFrame(weeks)
    end = pl.col("week") + pl.duration(days=7)
    lo = pl.max_horizontal(pl.col("week"), pl.lit(first))
    hi = pl.min_horizontal(end, pl.lit(last) + pl.duration(days=1))
    return grid.with_columns(days=(hi - lo).dt.total_days().cast(pl.Int64))


def weekly(
    messages: pl.DataFrame | Timeline,
    labels: pl.DataFrame | None = None,
    params: Params = Params(),
) -> pl.DataFrame:
    """One row per local week: ``week`` (Monday), ``days`` in the span, and per person
    (``_me``/``_them``) messages, words, questions, conversation starts, replies, reply latency
    median and p75 (seconds; null under one reply), unanswered follow-ups, late-night share
    (null without messages) and, with tone labels, messages carrying longing, affection,
    appreciation, plans (plan_proposal), reassurance_seeking, criticism and contempt."""
    tl = timeline(messages, labels, params)
    aggs = [
        pl.len().alias("messages"),
        pl.col("words").sum().alias("words"),
        pl.col("q").sum().alias("questions"),
        pl.col("start").sum().alias("starts"),
        pl.col("lat_s").count().alias("replies"),
        pl.col("lat_s").median().alias("latency_median_s"),
        pl.col("lat_s").quantile(0.75, "linear").alias("latency_p75_s"),
        pl.col("fu").sum().alias("follow_ups"),
        pl.col("late").mean().alias("late_night_share"),
    ]
    if tl.has_labels:
        aggs += [pl.col(col).sum().alias(name) for name, col in WEEKLY_LABELS.items()]
    grid = week_grid(tl)
    per = per_side(tl.msgs, ["week"], aggs) if tl.msgs.height else None
    out = grid if per is None else grid.join(per, on="week", how="left")
    cols = []
    for name in WEEKLY_METRICS:
        if name in WEEKLY_LABELS and not tl.has_labels:
            continue
        for side in ("me", "them"):
            c = f"{name}_{side}"
            if c not in out.columns:
                dtype = pl.Int64 if name in _COUNTS else pl.Float64
                out = out.with_columns(pl.lit(None, dtype).alias(c))
            cols.append(
                pl.col(c).fill_null(0).cast(pl.Int64) if name in _COUNTS else pl.col(c).cast(pl.Float64)
            )
    return out.select("week", "days", *cols).sort("week")


@dataclass(frozen=True)
class BalanceOverTime:
    """The effort composite per week and how long it has been one-sided."""

    weeks: pl.DataFrame
    """``week``, ``composite`` (null when no component has enough events that week), the
    components used, and the counts ``<component>_me``/``_them``."""

    threshold: float
    """``Params.one_sided_threshold``."""

    weeks_over_threshold: int
    """Weeks in a row, up to the last week with a composite, above the threshold. Weeks
    without a composite are skipped: they neither count nor break the run."""

    longest_over_threshold: int
    """The longest such run anywhere in the span."""


def balance_over_time(
    messages: pl.DataFrame | Timeline,
    labels: pl.DataFrame | None = None,
    params: Params = Params(),
) -> BalanceOverTime:
    """The effort-balance composite per local week (the same components and rule as
    :func:`fonder.analysis.effort_balance`, per week) and the run of one-sided weeks."""
    tl = timeline(messages, labels, params)
    grid = week_grid(tl).select("week")
    names = [n for n in BALANCE_COMPONENTS if tl.has_labels or n not in ("plans", "affection", "appreciation")]
    if tl.msgs.height:
        counts = balance_counts(tl, ["week"])
        counts = grid.join(counts, on="week", how="left").with_columns(pl.exclude("week").fill_null(0))
    else:
        counts = grid.with_columns([pl.lit(0, pl.Int64).alias(f"{n}_{s}") for n in names for s in ("me", "them")])
    frame = counts.with_columns(composite=composite_expr(names, params.balance_min_events)).sort("week")
    over = frame.filter(pl.col("composite").is_not_null()).get_column("composite") > params.one_sided_threshold
    run_now = 0
    for flag in reversed(over.to_list()):  # a loop per week
        if not flag:
            break
        run_now += 1
    longest = run = 0
    for flag in over.to_list():
        run = run + 1 if flag else 0
        longest = max(longest, run)
    return BalanceOverTime(
        weeks=frame.select("week", "composite", *[c for c in frame.columns if c not in ("week", "composite")]),
        threshold=params.one_sided_threshold,
        weeks_over_threshold=run_now,
        longest_over_threshold=longest,
    )
